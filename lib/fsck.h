/*
 * fsck.h - check a store against git and the maildir rules, and repair
 * what a crash can leave behind.
 *
 *	struct fsck f = FSCK_INIT;
 *
 *	store_lock(st);              (for a repair; a check may run unlocked)
 *	fsck_check(st, &f);          (looks, changes nothing)
 *	fsck_repair(st, &f);         (fixes what it can, one commit)
 *	for (size_t i = 0; i < f.n; i++)
 *		... f.v[i].kind, .path, .what, .fixed ...
 *	fsck_free(&f);
 *
 * The work tree is the truth and git the journal: files a crash left
 * uncommitted are committed, files missing from the work tree come back
 * from HEAD, raw payloads left in tmp/spool/ are filed again under their
 * spool name (so a message that was already filed is not filed twice),
 * half-written deliveries and locks nobody holds are removed.  What no
 * crash of ours can produce (a broken message, a bad name, a corrupt
 * object) is reported and never touched.
 */
#ifndef INBOX_FSCK_H
#define INBOX_FSCK_H

#include <stddef.h>
#include "store.h"

/* The kinds of problem; fsck_kind_name() gives the printed name. */
enum fsck_kind {
	FSCK_CORRUPT,		/* the ref, HEAD's commit or an object */
	FSCK_UNCOMMITTED,	/* not in HEAD, or different there */
	FSCK_MISSING,		/* in HEAD, not in the work tree */
	FSCK_STALE_TMP,		/* left in a conversation's tmp/ */
	FSCK_STALE_LOCK,	/* NAME.lock past the timeout, unheld */
	FSCK_BAD_NAME,		/* not a maildir name, or no ":2," */
	FSCK_BAD_MESSAGE,	/* unparseable, or no X-Inbox-Channel or
				 * X-Inbox-Direction */
	FSCK_BAD_FILE,		/* not a regular file, or unreadable */
	FSCK_SPOOLED,		/* a payload in tmp/spool/, not filed */
	FSCK_DUPLICATE		/* one message in two places */
};

struct fsck_problem {
	enum fsck_kind kind;
	char *path;		/* store-relative, or ".git/..." */
	char *what;		/* one line, no TAB or newline */
	char *fixed;		/* after a repair: "KIND: what was done" */
	char *failed;		/* after a repair: why it could not be */
	/* private to fsck.c */
	char *other;		/* the copy a duplicate is of */
	char *pending;		/* a fix that holds once committed */
	int removable;		/* a duplicate fsck_repair removes */
	int inhead;		/* the path is in HEAD */
};

struct fsck {
	struct fsck_problem *v;	/* sorted by path, then kind */
	size_t n, cap;
	int corrupt;		/* HEAD is not to be trusted: no repair */
	size_t nfixed;		/* after fsck_repair */
};
#define FSCK_INIT { NULL, 0, 0, 0, 0 }

/* "uncommitted", "stale-tmp", ... as printed in the first column. */
const char *fsck_kind_name(enum fsck_kind kind);

/*
 * Check the store (O(store): it reads every file and every object of
 * HEAD) and fill f with the problems found.  Locks and tmp/ files count
 * as stale only when no other process holds the store lock (the caller
 * may hold it).  -1 with an error only when the check itself cannot run.
 */
int fsck_check(struct store *st, struct fsck *f);

/*
 * Repair the problems fsck_check found; the caller holds the store lock.
 * Removes stale tmp/ files and locks, restores missing files from HEAD
 * (or, for a message that moved, commits its removal), removes a copy
 * in new/ of a message that is in cur/, commits uncommitted files
 * (except broken messages), files spooled payloads again, all in one
 * commit "inbox-fsck: repair (N fixes)" with a "Repaired:" trailer per
 * fix, removes the replayed spool files and drops the summary cache.
 * Each problem fixed gets `fixed`; one that could not be gets `failed`.
 * Refuses (does nothing, returns 0) when f->corrupt.  -1 with an error
 * when the commit fails; nothing is lost then, a later repair goes on.
 */
int fsck_repair(struct store *st, struct fsck *f);

void fsck_free(struct fsck *f);

#endif
