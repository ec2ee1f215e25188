/*
 * summary.h - one line of facts per conversation, for listing and
 * counting without reading the store.
 *
 * The summaries live in .git/inbox/summary, a cache: a body of summary
 * records most recent first ("V 2 BYTES" says how long), then records
 * appended since and "head" marks.  When HEAD has moved past the last
 * mark (another command, a sync, a git revert), the conversations that
 * changed in between are found from the journal of commits or a tree diff
 * and summarised again, so the cost follows what changed, not the size of
 * the store; a page of the most recent reads a page of the body.
 * Deleting the file loses nothing; it is rebuilt from the conversations
 * on disk.
 */
#ifndef INBOX_SUMMARY_H
#define INBOX_SUMMARY_H

#include <stddef.h>
#include <time.h>
#include "store.h"

#define SUMMARY_MAX_TIMES 400

struct convsum {
	char id[16];
	char *kind;		/* customer address anon team */
	char *contact;
	char *name;		/* display name */
	char *address;		/* first address */
	char *channel;		/* the customer's last channel */
	char *status;		/* open closed */
	int archived, blocked;
	char *assignee;
	char *members;		/* space separated */
	char *jobs;		/* space separated */
	char *context;
	char *group;		/* the contact's group */
	int total, unread, flagged, failed, attention;
	int answered;		/* the last inbound has been answered */
	int last_in_unread;
	int optedout;		/* an address of it opted out */
	time_t last, first;	/* activity */
	time_t last_in;		/* last inbound message */
	char *lastdir;		/* in out */
	char *preview;
	char *times;		/* comma separated activity times */
	char *mem;		/* when set: one block that the strings
				 * above point into */
	int shared;		/* read from the cache: the strings point
				 * into its buffer, freed with the list */
};

/* Compute the summary of one conversation from its files. */
int summary_compute(struct store *st, const char *id, struct convsum *s);
void summary_free(struct convsum *s);

/*
 * All summaries, caught up with HEAD.  *v is an array owned by the
 * caller: summary_list_free() it (summary_free() of one drops it early).
 */
int summary_all(struct store *st, struct convsum **v, size_t *n);

/*
 * The conversations that changed from commit `from` to `to` (a contact's
 * change counts for its conversation), from the journal of commits or a
 * tree diff.  Returns 1 when it could not tell and listed every
 * conversation on disk (no `from`), else 0.  *ids (free each, then the
 * array) may name conversations that no longer exist.
 */
int summary_changed(struct store *st, const char *from, const char *to,
    char ***ids, size_t *n);

/*
 * The summaries as they were at commit st->at (store_set_at): those of
 * now, from the cache, but for the conversations that changed since,
 * which are summarised from the commit; so it costs what changed since
 * then, not the size of the store.
 */
int summary_asof(struct store *st, struct convsum **v, size_t *n);

/*
 * The summaries most recent first (summary_cmp_recent), cb with each
 * until it returns non-zero: a page costs a page, not the store.  A
 * summary is valid only during its call.  Returns 0, or 1 when the cache
 * cannot do it this way (an old format, too much to catch up): then use
 * summary_all() and sort.  -1 on error.
 */
int summary_recent(struct store *st,
    int (*cb)(const struct convsum *s, void *arg), void *arg);

/* Most recent activity first, then by id. */
int summary_cmp_recent(const void *a, const void *b);

/* Free what summary_all() or summary_scan() gave, and the cache buffers
 * the summaries point into. */
void summary_list_free(struct convsum *v, size_t n);

/* 1 when some activity time of s falls in [since, until]. */
int summary_active(const struct convsum *s, time_t since, time_t until);

/* Forget the cache (inbox-fsck --reindex, inbox-maint). */
int summary_reset(struct store *st);

#endif
