/*
 * repo.h - the store's git repository, through libgit2 (the only module
 * that includes git2.h).
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
	int del;		/* remove the path */
	int exec;		/* mode 100755 */
	char *data;		/* contents (owned by the caller) */
	size_t len;
};

/* Create a repository at root (work tree root, branch main). */
int repo_init(const char *root);
int repo_open(struct repo **out, const char *root);
void repo_close(struct repo *r);

/* The commit id HEAD (refs/heads/main) points at; 1 when there is none. */
int repo_head(struct repo *r, char oid[OID_HEX]);

/*
 * Commit `n` changes on top of refs/heads/main with the given author
 * (also the committer), time and message; *oid receives the new commit id.
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

#endif
