/*
 * watch.h - following a store as it changes: inotify on the branch ref,
 * and the commits between two heads read back as message events.
 *
 * Every change to a store is a commit that moves refs/heads/main, a
 * loose ref replaced by rename, so one watch on .git/refs/heads sees
 * every change, whoever made it.  What changed is found by diffing the
 * last head seen with the new one, never by trusting the notifications
 * themselves: a burst of commits read late gives the same events as the
 * commits read one by one.
 *
 *	watch_open(&w, st->root);
 *	repo_head(st->repo, last);           (after the watches are set)
 *	for (;;) {
 *		poll() on watch_fd(w);
 *		if (watch_read(w) == 1 && HEAD != last)
 *			watch_changes(st->repo, last, HEAD, cb, arg);
 *	}
 */
#ifndef INBOX_WATCH_H
#define INBOX_WATCH_H

#include <time.h>

#include "repo.h"

struct watch;

/*
 * Watch the store whose work tree is `root`: .git/refs/heads for the
 * branch moving, and the root, .git and .git/refs themselves for being
 * moved, deleted or unmounted.  -1 with an error (class 2) when a watch
 * cannot be set (not a store; class 75 when inotify is out of watches).
 */
int watch_open(struct watch **out, const char *root);
void watch_close(struct watch *w);

/* The inotify descriptor (non-blocking), to poll for POLLIN. */
int watch_fd(const struct watch *w);

/*
 * Read the notifications waiting.  Returns 1 when refs/heads/main was
 * written, created, renamed over or deleted (read HEAD again), 0 when
 * nothing that matters happened (or nothing was waiting), -1 with class
 * 75 and "lost track of the store (REASON)" when a watched directory was
 * moved, deleted or unmounted: the watch cannot go on.  A queue overflow
 * is not lost track: it returns 1, and the diff from the last head seen
 * finds everything the lost notifications would have said.
 */
int watch_read(struct watch *w);

/* One message event: a message that arrived, or whose status changed. */
struct watch_event {
	const char *event;	/* "new" or "status" */
	char id[160];		/* CONV/UNIQ */
	char conv[16];
	const char *path;	/* store-relative path in the new commit */
	char flags[16];		/* maildir flags */
	time_t date;		/* the message's Date */
	time_t when;		/* the event: status time, else date */
	const char *direction, *channel, *type;	/* headers, or NULL */
	const char *status;	/* X-Inbox-Status now */
	const char *previous;	/* before ("status" events), or NULL */
	const char *error;	/* X-Inbox-Error */
	char *text;		/* the readable text, all of it */
	char *preview;		/* it on one line, blanks squeezed, <= 100
				 * bytes */
};

/*
 * Call cb for every message event between commit `old` and commit
 * `new`, in order of arrival (unique names begin with the delivery
 * time): a message file under conv/ that is new in `new` is a "new"
 * event unless it is an existing message renamed (new/X to cur/X:2,S: a
 * flag change is not news); a message whose file changed (in place or
 * along with a rename) is a "status" event when its X-Inbox-Status
 * differs.  Deletions give no event.  The two ends are compared, not
 * each commit between them: a message that arrived and changed status
 * in between is one "new" event with the later status.
 *
 * The event and its strings live until cb returns; a non-zero return
 * stops the walk and is returned.  -1 with an error when a commit or
 * blob cannot be read.  A message file that cannot be parsed is skipped.
 */
int watch_changes(struct repo *r, const char *old, const char *new,
    int (*cb)(const struct watch_event *ev, void *arg), void *arg);

#endif
