/*
 * inbound.h - file an inbound event into the store: a message into its
 * customer's conversation, a status onto the outbound message it is
 * about, a call into the thread.  The caller holds the store lock and
 * commits (one commit per event, or one per batch).
 */
#ifndef INBOX_INBOUND_H
#define INBOX_INBOUND_H

#include "conv.h"
#include "event.h"
#include "store.h"

struct inbound_result {
	char conv[CONV_ID_LEN + 1];
	char msgid[160];	/* CONV/UNIQ of the message filed or updated */
	int duplicate;		/* already filed: nothing changed */
	int unknown;		/* status for a message we do not have */
	int changed;		/* something was written */
	int created;		/* a new conversation */
	int unarchived;		/* an archived conversation came back */
	int blocked;		/* from a blocked address: kept out */
	char summary[256];	/* for the commit subject */
	int keyword;		/* enum keyword of an inbound text */
	char word[32];		/* the keyword as received */
	int consent_changed;	/* the address opted out or back in */
};

/*
 * File one event.  `uniq` is the maildir unique name to use for a new
 * message (the raw payload's spool name, so a replay after a crash finds
 * the message already there).
 */
int inbound_file(struct store *st, struct event *ev, const char *uniq,
    struct inbound_result *res);

#define INBOUND_SPOOL "tmp/spool"

/*
 * Keep the raw bytes of an inbound payload in tmp/spool/UNIQ (durably)
 * before anything parses them, so inbox-fsck can file it again after a
 * crash; *path (malloc'd) is where, for removing it once filed.
 */
int inbound_spool(struct store *st, const char *uniq, const char *buf,
    size_t len, char **path);

/*
 * The next record of a batch from *pos (moved on): a line, or with mbox a
 * mail up to the next "From " line.  Empty records are skipped; NULL at
 * the end.
 */
const char *inbound_record(const char **pos, const char *end, int mbox,
    size_t *len);

/* The provider-id index path of id: "idx/pid/ab/cd/<sha1>" (lookups
 * also read the one-level "idx/pid/ab/<sha1>" of older stores). */
void pid_path(const char *provider_id, char *buf, size_t n);
/* Look up a provider id: the message id ("CONV/UNIQ") malloc'd, or NULL. */
char *pid_lookup(struct store *st, const char *provider_id);
/* Record provider id -> message id. */
int pid_record(struct store *st, const char *provider_id,
    const char *msgid);

#endif
