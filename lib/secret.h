/*
 * secret.h - credentials.  They never enter git: a secret NAME is read
 * from $INBOX_SECRET_NAME (upper case, '-' as '_'), else from the file
 * secrets/NAME in the store (ignored by git; must not be readable by
 * others).  inbox.yaml names secrets, never holds them.
 */
#ifndef INBOX_SECRET_H
#define INBOX_SECRET_H

#include "store.h"

/* The secret (malloc'd, trailing newline removed) or NULL when it is not
 * set; -1 only on a secrets file that cannot be used (class 2). */
int secret_get(struct store *st, const char *name, char **out);

#endif
