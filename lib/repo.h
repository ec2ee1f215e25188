/*
 * repo.h - the store's git repository, through libgit2 (with pack.c, the
 * only module that includes git2.h).
 *
 * Commits never go through the index: the new tree is built from the
 * parent commit's tree along the changed paths (git_tree_create_updated),
 * so a commit costs the same in a store of a thousand messages or a
 * million.  The branch is refs/heads/main, moved with a compare-and-swap
 * and retried when another writer moved it first.
 */
#ifndef INBOX_REPO_H
#define INBOX_REPO_H

#include <stddef.h>
#include <time.h>
#include "util.h"

#define OID_HEX 41

struct repo;

struct repo_change {
	char *path;		/* relative to the work tree */
	char *data;		/* contents (owned by the caller), or */
	size_t len;
	unsigned char oid[20];	/* this one, from repo_blob_write(), */
	unsigned char written;	/* when its blob is written already */
	unsigned char del;	/* remove the path */
	unsigned char exec;	/* mode 100755 */
};

/* Create a repository at root (work tree root, branch main). */
int repo_init(const char *root);
int repo_open(struct repo **out, const char *root);
void repo_close(struct repo *r);

/*
 * Write a blob now (its id to oid), for a commit to name later: a change
 * held by name, not by contents.  Unsynced when fsync_defer() is on.
 */
int repo_blob_write(struct repo *r, const void *buf, size_t len,
    unsigned char oid[20]);

/*
 * Bulk writing (on), for a batch of thousands: objects are appended to
 * one pack as they are written (pack.c), finished by the commit, instead
 * of a loose file each.  Off finishes it and reopens the repository.
 */
int repo_bulk(struct repo *r, int on);

/*
 * libgit2's cache of the objects read, on (the default) or off, for a
 * reader of thousands of files of one commit named by id, whose
 * directories repo_read() keeps itself.
 */
void repo_cache(struct repo *r, int on);

/* The commit id HEAD (refs/heads/main) points at; 1 when there is none. */
int repo_head(struct repo *r, char oid[OID_HEX]);

/*
 * Commit `n` changes on top of refs/heads/main with the given author
 * (also the committer), time and message; *oid receives the new commit id.
 * Returns 1 and makes no commit when the tree would not change.
 * Retries the compare-and-swap of the ref when it moved (up to 50 times);
 * -1 with class 75 when it cannot get through.
 */
int repo_commit(struct repo *r, const struct repo_change *ch, size_t n,
    const char *name, const char *email, time_t when, const char *msg,
    char oid[OID_HEX]);

/* Contents of path as of commit-ish rev ("HEAD", an id, "main@{...}" is
 * not supported); 1 when the path does not exist there. */
int repo_read(struct repo *r, const char *rev, const char *path,
    struct sb *out);
/* The same, and *exec (when not NULL) says whether its mode is 100755,
 * for restoring a file exactly (inbox-fsck --repair). */
int repo_read_mode(struct repo *r, const char *rev, const char *path,
    struct sb *out, int *exec);

/*
 * Paths under `prefix` that differ between commits a and b (a NULL: every
 * path in b).  cb is called once per path with the path and whether it was
 * deleted; a non-zero return stops the walk.
 */
int repo_diff_paths(struct repo *r, const char *a, const char *b,
    const char *prefix, int (*cb)(const char *path, int deleted, void *arg),
    void *arg);

/*
 * The paths changed from commit `from` to commit `to` as the journal of
 * commits made here tells (.git/inbox/journal), cb once per path of each
 * commit between (a path may come more than once; deleted is always 0).
 * 1 when the journal cannot tell (a commit made elsewhere, a trimmed
 * journal): ask repo_diff_paths() then.  Never starts libgit2.
 */
int repo_journal_paths(struct repo *r, const char *from, const char *to,
    int (*cb)(const char *path, int deleted, void *arg), void *arg);

/* Names (files and directories) in the tree at `path` of rev; cb per
 * entry with is_dir. */
int repo_ls_tree(struct repo *r, const char *rev, const char *path,
    int (*cb)(const char *name, int is_dir, void *arg), void *arg);

struct repo_commit_info {
	char oid[OID_HEX];
	char *author;		/* name */
	char *email;
	time_t when;
	char *message;		/* full message */
};

/*
 * Walk history from HEAD, newest first, calling cb for every commit that
 * changed something under one of the `npaths` prefixes (0: every commit).
 * A non-zero return from cb stops the walk.
 */
int repo_log(struct repo *r, const char **paths, size_t npaths,
    int (*cb)(const struct repo_commit_info *ci, void *arg), void *arg);

/* The newest commit at or before `when`; 1 when there is none. */
int repo_commit_at(struct repo *r, time_t when, char oid[OID_HEX]);

/* Every path in HEAD's tree under prefix with its blob id, for fsck. */
int repo_walk_files(struct repo *r, const char *rev, const char *prefix,
    int (*cb)(const char *path, const char *blob_oid, void *arg), void *arg);
/* The blob id git would give these bytes. */
int repo_hash(const void *data, size_t len, char oid[OID_HEX]);
/* Write the tree of commit `rev` into directory dir (which must not
 * exist yet), as it stood then: for inbox-ls --as-of. */
int repo_export(struct repo *r, const char *rev, const char *dir);

/* Make the index match HEAD, so that "git status" is clean (O(store);
 * for inbox-init and inbox-fsck --reindex only). */
int repo_reindex(struct repo *r);
/* Check that every object reachable from HEAD exists and reads back
 * with its own id; -1 on the first missing or corrupt one. */
int repo_check(struct repo *r);
/*
 * The same, going on past bad objects: read HEAD's commit, its tree and
 * every object in it (so each is hash-checked; O(store), for inbox-fsck),
 * calling cb with the path and id of each that is missing or corrupt (a
 * bad subtree is not entered; a non-zero return from cb stops the walk).
 * Returns the number of bad objects, or -1 with an error when the ref,
 * the commit or the root tree cannot be read.
 */
int repo_verify(struct repo *r,
    int (*cb)(const char *path, const char *oid, void *arg), void *arg);

/*
 * Sync (inbox-sync, lib/sync.c): remotes, merge bases and merge commits.
 * The merge rules live in sync.c; these only move objects and refs.
 */

/* Where credentials for a remote come from (any may be NULL). */
struct repo_cred {
	const char *ssh_key;	/* private key file (secrets/ssh-key) */
	const char *ssh_key_data; /* the key itself ($INBOX_SECRET_SSH_KEY) */
	const char *ssh_pass;	/* its passphrase */
	const char *user;	/* https user name */
	const char *password;	/* https password or token */
	const char *known_hosts; /* checked before ~/.ssh's and /etc/ssh's */
};
/* ssh-agent ($SSH_AUTH_SOCK) is tried after the keys given.  An ssh
 * server's host key must be in known_hosts (hostkey.h). */

/* The URL of git remote `name` (malloc'd); 1 when there is no such
 * remote in .git/config. */
int repo_remote_url(struct repo *r, const char *name, char **url);

/*
 * Fetch refs/heads/main of url into the ref `track` (refs/remotes/N/main)
 * and put its id in theirs.  1 (theirs "") when the remote has no main
 * yet.  -1 with class 75 when the remote cannot be reached, 2 when it
 * refuses the credentials.
 */
int repo_fetch(struct repo *r, const char *url, const char *track,
    const struct repo_cred *c, char theirs[OID_HEX]);

/*
 * Push refs/heads/main to url (never forced) and, when it went through,
 * move `track` to it.  1 when the remote refused it because its main has
 * moved on (fetch, merge, push again); -1 as for repo_fetch.
 */
int repo_push(struct repo *r, const char *url, const char *track,
    const struct repo_cred *c);

/* Clone url into dir (work tree checked out, branch main). */
int repo_clone(const char *url, const char *dir, const struct repo_cred *c);

/* The id a ref points at; 1 (oid "") when there is no such ref. */
int repo_ref(struct repo *r, const char *ref, char oid[OID_HEX]);

/* The best common ancestor of commits a and b; 1 when there is none. */
int repo_merge_base(struct repo *r, const char *a, const char *b,
    char base[OID_HEX]);

/* Commits in local and not in upstream (ahead), and the other way round
 * (behind); upstream NULL or "": every commit of local. */
int repo_ahead_behind(struct repo *r, const char *local,
    const char *upstream, size_t *ahead, size_t *behind);

/* One path that differs between two trees: blob ids before and after
 * ("" when the path is absent on that side) and the new mode. */
struct repo_delta {
	char *path;
	char old[OID_HEX];
	char new[OID_HEX];
	int exec;
};

/* Every path that differs between commits a (NULL: the empty tree) and
 * b, sorted by path; free with repo_deltas_free. */
int repo_diff(struct repo *r, const char *a, const char *b,
    struct repo_delta **v, size_t *n);
void repo_deltas_free(struct repo_delta *v, size_t n);

/* The contents of a blob. */
int repo_blob(struct repo *r, const char *oid, struct sb *out);

/*
 * For each of the n paths, the commit time of the newest commit in
 * base..tip that changed it (a merge changes a path only when it differs
 * from every parent); 0 when none did.
 */
int repo_last_change(struct repo *r, const char *tip, const char *base,
    const char *const *paths, size_t n, time_t *when);

/*
 * The changes to one path in base..tip, newest first: cb gets each
 * commit's time, the blob after it and before it (its first parent's;
 * "" when absent).  A merge counts only when the path differs from every
 * parent.  A non-zero return from cb stops the walk.
 */
int repo_path_changes(struct repo *r, const char *tip, const char *base,
    const char *path, int (*cb)(time_t when, const char *now,
    const char *before, void *arg), void *arg);

/* A change to a tree: an existing blob (oid) or new contents (data). */
struct repo_update {
	const char *path;
	int del;
	int exec;
	const char *oid;	/* NULL: write data */
	const char *data;
	size_t len;
};

/*
 * Write the commit "ours's tree with these updates" whose parents are
 * ours and theirs (theirs NULL: ours only), without moving any ref; its
 * id goes to out.
 */
int repo_commit_merge(struct repo *r, const char *ours, const char *theirs,
    const struct repo_update *up, size_t n, const char *name,
    const char *email, time_t when, const char *msg, char out[OID_HEX]);

/* Move refs/heads/main from old to new (compare-and-swap); class 75
 * when it was not at old any more. */
int repo_move_main(struct repo *r, const char *old, const char *new,
    const char *why);

#endif
