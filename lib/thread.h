/*
 * thread.h - operations on the messages of one conversation: read and
 * unread, flagged, resolving calls and attention marks.  Flags live in
 * the maildir file names (S read, F flagged, R answered), so mutt and
 * mblaze see them too; each change is a rename recorded for the commit.
 */
#ifndef INBOX_THREAD_H
#define INBOX_THREAD_H

#include "store.h"

/* Mark every inbound message read; *n gets how many changed. */
int thread_mark_read(struct store *st, const char *conv, int *n);
/* Mark the newest inbound message unread (1 changed, 0 already was). */
int thread_mark_unread(struct store *st, const char *conv, int *n);
/* Set or clear F: set on the newest message, clear on all. */
int thread_flag(struct store *st, const char *conv, int on, int *n);
/* Mark missed calls, voicemails and attention marks resolved by who
 * (and the inbound ones read): they leave the Unread filter. */
int thread_resolve(struct store *st, const char *conv, const char *who,
    int *n);
/* Mark the newest inbound message answered (R), after a reply. */
int thread_answered(struct store *st, const char *conv);

/*
 * Move message id ("CONV/UNIQ") into conversation `to` (whose state the
 * caller creates if needed); its provider-id index follows.  The new id
 * is written to newid.
 */
int thread_move(struct store *st, const char *id, const char *to,
    char *newid, size_t n);
/* Write a system line ("linked to job J1001 by office") into a thread. */
int thread_system(struct store *st, const char *conv, const char *text);

#endif
