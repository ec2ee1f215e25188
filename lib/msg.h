/*
 * msg.h - message files: one RFC 5322 file per message, any channel.
 *
 * Standard headers (Date, From, To, Message-ID, Subject, MIME) let mutt,
 * mblaze and notmuch read a conversation directly; X-Inbox-* headers carry
 * the rest (see inbox(5)):
 *
 *	X-Inbox-Channel: sms | mms | whatsapp | email | voice | portal |
 *	                 note (staff only) | team | system (a system line)
 *	X-Inbox-Direction: in | out | sys
 *	X-Inbox-Type: reply | manual | confirmation | reminder | ...
 *	X-Inbox-Status: received | queued | sent | delivered | read | failed...
 *	X-Inbox-Address: the customer's address on this channel
 *	X-Inbox-Provider-Id, X-Inbox-Error, X-Inbox-Author, X-Inbox-Job ...
 *
 * A message is named by its conversation and its maildir unique name:
 * "CONV/UNIQ".  Its file is conv/<CONV[0:2]>/<CONV>/{new,cur}/UNIQ[:2,FL].
 */
#ifndef INBOX_MSG_H
#define INBOX_MSG_H

#include <stddef.h>
#include <time.h>
#include "mime.h"
#include "util.h"

struct store;

struct msg {
	char conv[16];
	char *uniq;		/* maildir unique name, no info */
	char *path;		/* store-relative path */
	char flags[16];		/* maildir flags in ASCII order ("FRS") */
	int isnew;		/* in new/ */
	struct sb raw;		/* file contents */
	struct mail mail;	/* parsed headers over raw */
	time_t date;
};

/* Load the message at a store-relative path. */
int msg_load_path(struct msg *m, struct store *st, const char *rel);
/* Load "CONV/UNIQ" (looks in new/ and cur/); class 1 when not there. */
int msg_load(struct msg *m, struct store *st, const char *id);
void msg_free(struct msg *m);
/* A header of the message, or NULL. */
const char *msg_get(const struct msg *m, const char *name);
/* The readable text of the body (malloc'd). */
char *msg_text(const struct msg *m);
/* 1 when the text (as decoded, not the headers) contains q, ignoring the
 * case of ASCII letters. */
int msg_text_has(const struct msg *m, const char *q);
/*
 * Each message of conversation conv in order, loaded, to fn until it
 * returns non-zero: that value, else 0.  A message that cannot be read
 * is skipped.
 */
int msg_each(struct store *st, const char *conv,
    int (*fn)(const struct msg *m, void *arg), void *arg);
/* "CONV/UNIQ" into buf. */
void msg_id(const struct msg *m, char *buf, size_t n);
/* 1 when flag c is set. */
int msg_flag(const struct msg *m, char c);

/*
 * Split a maildir file name "UNIQ:2,FLAGS" into uniq (malloc'd) and
 * flags; -1 when it is not a valid name.
 */
int msg_parse_name(const char *name, char **uniq, char *flags, size_t n);

/*
 * Append a header line to out, folding nothing; returns -1 with class 65
 * if the value has CR, LF or NUL (header injection) or is not UTF-8.
 */
int msg_header(struct sb *out, const char *name, const char *value);

/*
 * Rewrite a message's headers: set (or, with value NULL, remove) `name`
 * in the raw text, keeping everything else byte for byte.  The result is
 * written atomically over the file through the store (a status change).
 */
int msg_set_header(struct msg *m, struct store *st, const char *name,
    const char *value);
/* Several at once: names[i] = values[i] (NULL removes). */
int msg_set_headers(struct msg *m, struct store *st, const char **names,
    const char **values, size_t n);

/* Replace a message's whole content (atomically, through tmp/). */
int msg_replace(struct msg *m, struct store *st, const struct sb *data);

/* Change the maildir flags (moving new/ -> cur/ as needed); the new path
 * is in m->path. */
int msg_set_flags(struct msg *m, struct store *st, const char *flags);

/* Status order for monotonic updates: queued < sent < delivered < read;
 * failed and undelivered are terminal.  Returns the rank (-1 unknown). */
int msg_status_rank(const char *status);

#endif
