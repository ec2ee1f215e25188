/*
 * store.h - find, open and initialise a store, lock it, change files in
 * its work tree and commit the change as one git commit.
 *
 * A command that changes the store does:
 *
 *	store_open(&st, dir, "inbox-assign", user);
 *	store_lock(st);              (flock; 75 after the lock timeout)
 *	store_put(st, "conv/ab/ab12.../state", buf, len);
 *	store_trailer(st, "Conversation", id);
 *	store_commit(st, "assign %s to %s", id, who);
 *	store_close(st);
 *
 * Every store_put/deliver/remove/rename writes the work tree at once
 * (atomically and durably) and records the path; store_commit makes one
 * commit of all of them (none when nothing changed) and refreshes the
 * listing cache.  The work tree is the truth and git the journal: if the
 * commit is lost to a crash, inbox-fsck --repair commits what is there.
 */
#ifndef INBOX_STORE_H
#define INBOX_STORE_H

#include <stddef.h>
#include "config.h"
#include "repo.h"
#include "util.h"

struct kv;

struct store {
	char *root;		/* absolute path of the work tree */
	struct repo *repo;
	struct config *cfg;
	char *user;		/* the acting staff login */
	const char *cmd;	/* "inbox-recv" */
	int lockfd;		/* -1 when not locked */
	struct repo_change *ch;
	size_t nch, chcap;
	uint32_t *chidx;	/* ch by path: index + 1, 0 empty */
	size_t chslots;
	struct pathblk *paths;	/* where the changes' paths are kept */
	int bulk;		/* store_bulk(): blobs written as recorded */
	struct sb trailers;
	char head[OID_HEX];	/* HEAD after the last commit */
	int staff;		/* staff_configured(), -1 not known yet */
	char *at;		/* reads come from this commit (store_set_at) */
};

/*
 * Find the store: `dir` (-C), else $INBOX_DIR, else $XDG_DATA_HOME/inbox,
 * else ~/.local/share/inbox.  The malloc'd path goes to *out.
 */
int store_find(const char *dir, char **out);

/*
 * Open the store for command `cmd` acting as `user` (NULL: $INBOX_USER,
 * else the login name).  -1 (class 2) when it is not a store; class 65
 * when inbox.yaml is broken.
 */
int store_open(struct store **out, const char *dir, const char *cmd,
    const char *user);
void store_close(struct store *st);

/*
 * Make a new store at dir: the layout, inbox.yaml, hooks and templates
 * from the shared directory, .gitignore, and the first commit.
 * -1 when dir is already a store.
 */
int store_init(const char *dir, const char *user);

/* The shared data directory (inbox.yaml sample, templates, demo...). */
const char *store_sharedir(void);
/* The default hooks directory. */
const char *store_hooksdir(void);

/*
 * Read the store as it stood at time `when`: from then on store_read(),
 * store_kv_load() and store_list() (and so conversations, contacts and
 * messages) come from the commit of that time, out of git, with no copy
 * on disk.  Class 1 when the store had no commit yet at that time.
 */
int store_set_at(struct store *st, time_t when);

/* The bytes of a store file (at st->at when set); class 1 when it is not
 * there. */
int store_read(struct store *st, const char *rel, struct sb *out,
    size_t max);
/* A store file of "key: value" lines (kv.h). */
int store_kv_load(struct store *st, const char *rel, struct kv *kv);
/* cb with each name in directory rel but dot files; nothing when it is
 * not there; a non-zero return stops. */
int store_list(struct store *st, const char *rel,
    int (*cb)(const char *name, void *arg), void *arg);

/* Take the store lock, waiting up to the lock timeout ($INBOX_LOCK_TIMEOUT
 * or store.lock-timeout seconds, default 10); class 75 when it is busy. */
int store_lock(struct store *st);
void store_unlock(struct store *st);

/* Absolute path of a store-relative path (malloc'd). */
char *store_path(const struct store *st, const char *rel);

/* Write rel atomically and record it for the commit. */
int store_put(struct store *st, const char *rel, const void *buf,
    size_t len);
/*
 * The same for a file that is not there yet, in bulk (store_bulk()):
 * made in place, not through a temporary name, for a batch, whose files
 * count only once its commit is made (a rerun rewrites a torn one).
 * Outside bulk, or when it is there, store_put().
 */
int store_put_new(struct store *st, const char *rel, const void *buf,
    size_t len);
/* Same, executable (hooks). */
int store_put_exec(struct store *st, const char *rel, const void *buf,
    size_t len);
/*
 * Deliver a new file into maildir `mdir` (store-relative, containing
 * tmp/ new/ cur/), subdirectory "new" or "cur", under `name` (a unique
 * name plus, for cur, its ":2,FLAGS" info): O_EXCL in tmp/, fsync,
 * rename without overwriting, fsync the directory.
 */
int store_deliver(struct store *st, const char *mdir, const char *sub,
    const char *name, const void *buf, size_t len);
/* Remove rel from the work tree and the next commit. */
int store_remove(struct store *st, const char *rel);
/* Rename within the store (e.g. new/ -> cur/ on a flag change). */
int store_rename(struct store *st, const char *from, const char *to);
/* Record rel (already written by other means) for the next commit. */
int store_track(struct store *st, const char *rel);

/* A batch of thousands: objects go into packs, not loose files
 * (repo_bulk()). */
int store_bulk(struct store *st, int on);

/* Add a trailer "Key: value" to the next commit message. */
void store_trailer(struct store *st, const char *key, const char *val);
/* Number of changes waiting for the commit. */
size_t store_pending(const struct store *st);
/*
 * Commit the recorded changes with message "CMD: SUMMARY" and the
 * trailers; nothing happens when there are no changes (returns 1).
 */
int store_commit(struct store *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The author identity of st->user: name and email (malloc'd). */
void store_author(struct store *st, char **name, char **email);

#endif
