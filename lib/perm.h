/*
 * perm.h - roles and capabilities (see inbox-config(5), "staff" and
 * "roles").
 *
 * Capabilities: messages.view, messages.view_all (every conversation, not
 * only those one is a member of), messages.send, messages.send_gated (a
 * send waits in the approval queue), messages.approve, messages.assign,
 * messages.archive, customers.chat (may talk to customers at all: the
 * per-employee switch), settings.edit.  Built-in roles:
 *
 *	admin   every capability
 *	office  all but settings.edit
 *	tech    messages.view, messages.send, customers.chat
 *
 * inbox.yaml may define more roles (roles: NAME: [cap, ...]) and give a
 * staff member overrides (staff: LOGIN: customers.chat: false).  A store
 * with no staff allows everything.  Checked inside a command these are
 * advice; inbox-shell(1) makes them real.
 */
#ifndef INBOX_PERM_H
#define INBOX_PERM_H

#include "store.h"

/* 1 when user has capability cap. */
int perm_has(struct store *st, const char *user, const char *cap);
/* -1 with class 3 "USER may not CAP (needs cap)" when st->user lacks it. */
int perm_require(struct store *st, const char *cap);
/* The acting user must be on the staff list when there is one (class 3). */
int perm_actor(struct store *st);
/* 1 when st->user may see a conversation with these members. */
int perm_sees(struct store *st, const char *members, const char *assignee);
/* The role of user ("admin" when no staff are configured). */
const char *perm_role(struct store *st, const char *user);

#endif
