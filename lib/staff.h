/*
 * staff.h - who works here.  Staff are listed in inbox.yaml under
 * "staff:" (login: {name, role, phone, email, ...}), or are contacts
 * whose kind is staff and whose id is their login.  A store with no
 * staff at all accepts any login (a new store, one person).
 */
#ifndef INBOX_STAFF_H
#define INBOX_STAFF_H

#include "store.h"

/* 1 when the store lists any staff. */
int staff_configured(struct store *st);
/* 1 when login is a member of staff (or no staff are configured). */
int staff_known(struct store *st, const char *login);
/* Check login: -1 with class 64 "unknown staff member X" when it is not
 * staff, or not a valid name. */
int staff_check(struct store *st, const char *login);
/* A staff member's field (name, role, email, phone) or NULL. */
const char *staff_field(struct store *st, const char *login,
    const char *field);
/* Every staff login (malloc'd array of malloc'd strings). */
int staff_list(struct store *st, char ***v, size_t *n);

#endif
