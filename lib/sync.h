/*
 * sync.h - one store on several machines (inbox-sync): fetch from a git
 * remote, merge by rule, push.  Every libgit2 call goes through repo.h;
 * this module decides what a merge means for the store's files.
 *
 * A remote is a git remote (git remote add NAME URL) or an entry of
 * sync.remotes in inbox.yaml (NAME: URL); the default is sync.default,
 * else "origin".  Its main is fetched into refs/remotes/NAME/main.
 *
 * Merging main with the remote's main, for every path both sides changed
 * since their merge base (message files never collide: unique names):
 *
 *	conv/.../state   field by field: member, job and address lines as
 *	                 sets (a line the base had and one side dropped is
 *	                 dropped, a line either side added is kept); status
 *	                 with closed, blocked with blocked-reason and every
 *	                 other key taken from the side that changed it, the
 *	                 newer side when both did; last-in.* the latest; an
 *	                 archive or close older than the newest inbound
 *	                 message is undone
 *	messages         one file per unique name: the content of the side
 *	                 whose X-Inbox-Status ranks higher (msg_status_rank),
 *	                 flags from both (set on either side: set; cleared on
 *	                 either side: cleared), cur/ when either side moved it
 *	jobs/            field by field, newer side per field; sent.* and
 *	                 hook-failed lines as sets
 *	contacts/        field by field; phone, email, whatsapp as sets
 *	addr/            an opt-out stands unless the other side has an
 *	                 opt-in newer than it, recorded from an inbound
 *	                 message (the customer's own START); of two opt-outs
 *	                 the first stands; other fields field by field
 *	idx/queue/       an entry removed on either side (delivered) stays
 *	                 removed
 *	idx/pid/         union
 *	anything else    the newer side
 *
 * "Newer" compares the commit times of each side's last change to the
 * file since the merge base; equal times fall back to comparing contents,
 * so the result is the same whichever side merges.
 */
#ifndef INBOX_SYNC_H
#define INBOX_SYNC_H

#include <stddef.h>
#include <time.h>
#include "repo.h"
#include "store.h"

enum {
	SYNC_PULL = 1,		/* fetch and merge */
	SYNC_PUSH = 2,		/* push */
	SYNC_BOTH = 3
};

/* Tries of "push, rejected because the remote moved on, fetch, merge". */
#define SYNC_ATTEMPTS 5

struct sync_result {
	char remote[128];
	const char *how;	/* up-to-date fast-forward merge push */
	size_t in;		/* commits brought into main */
	size_t out;		/* commits the remote received */
	size_t from_them;	/* paths of the last merge taken from them */
	size_t by_rule;		/* paths of the last merge merged by rule */
	char head[OID_HEX];	/* main afterwards */
};

/* The remote used when none is named: sync.default, else "origin". */
const char *sync_default_remote(struct store *st);

/*
 * The URL of remote `name` (malloc'd): the git remote of that name, else
 * sync.remotes.NAME of inbox.yaml.  Class 2 when there is neither.
 */
int sync_remote_url(struct store *st, const char *name, char **url);

/*
 * Sync with remote `name` (NULL: the default): with SYNC_PULL fetch its
 * main and merge it into ours (fast-forward when ours is behind), with
 * SYNC_PUSH push ours; a push refused because the remote moved on is
 * fetched, merged and pushed again, up to SYNC_ATTEMPTS times.  The local
 * update (merge commit, work tree, ref) happens under the store lock.
 * Class 75 when the remote cannot be reached (the store is left as it
 * was) or kept moving, 2 when its history is unrelated to ours.
 */
int sync_run(struct store *st, const char *name, int what,
    struct sync_result *res);

/*
 * Merge commit `theirs` (already in the repository) into main under the
 * store lock, as sync_run does after a fetch; label names the other side
 * in the commit message.
 */
int sync_merge(struct store *st, const char *theirs, const char *label,
    struct sync_result *res);

struct sync_status {
	char remote[128];
	int fetched;		/* refs/remotes/NAME/main exists */
	size_t ahead, behind;	/* against it, as of the last fetch */
	time_t last;		/* last successful sync, 0 never */
};

/* Where main stands against remote `name` as last seen (no network). */
int sync_status(struct store *st, const char *name, struct sync_status *s);

/*
 * Make a new store at dir from the store at url (clone, branch main, and
 * the local parts git does not carry: .git/inbox, secrets/, tmp/).
 * Credentials come from ssh-agent and the environment only.
 */
int sync_clone(const char *url, const char *dir);

/*
 * This machine's name for the sending-host rule, kept in .git/inbox/host
 * (never synced).  sync_host: 0 and the name in buf, 1 when unset.
 */
int sync_host(struct store *st, char *buf, size_t n);
int sync_set_host(struct store *st, const char *name);

/*
 * 1 when this store may deliver outbound messages: inbox.yaml names no
 * sync.sending-host, or it names this host (sync_host).  Elsewhere queued
 * messages wait, and go out from the sending host once synced there.
 */
int sync_may_send(struct store *st);

#endif
