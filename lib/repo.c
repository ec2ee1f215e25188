/*
 * repo.c - commits and history through libgit2, never through the index.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <git2.h>

#include "fault.h"
#include "repo.h"

struct repo {
	git_repository *g;
};

static int inited;

static int
gerr(int code, const char *what)
{
	const git_error *e = git_error_last();

	return inbox_error(code, "git: %s: %s", what,
	    e && e->message ? e->message : "failed");
}

static void
lib_init(void)
{
	if (inited)
		return;
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	inited = 1;
}

int
repo_init(const char *root)
{
	git_repository_init_options o = GIT_REPOSITORY_INIT_OPTIONS_INIT;
	git_repository *g;

	lib_init();
	o.flags = GIT_REPOSITORY_INIT_MKPATH;
	o.initial_head = "main";
	if (git_repository_init_ext(&g, root, &o) < 0)
		return gerr(INBOX_EFAIL, "init");
	git_repository_free(g);
	return 0;
}

int
repo_open(struct repo **out, const char *root)
{
	struct repo *r;
	git_repository *g;

	lib_init();
	if (git_repository_open_ext(&g, root,
	    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return gerr(INBOX_EFAIL, "open");
	r = xcalloc(1, sizeof(*r));
	r->g = g;
	*out = r;
	return 0;
}

void
repo_close(struct repo *r)
{
	if (!r)
		return;
	git_repository_free(r->g);
	free(r);
}

static int
head_oid(struct repo *r, git_oid *oid)
{
	int e = git_reference_name_to_id(oid, r->g, "refs/heads/main");

	if (e == GIT_ENOTFOUND)
		return 1;
	if (e < 0)
		return gerr(INBOX_EFAIL, "read refs/heads/main");
	return 0;
}

int
repo_head(struct repo *r, char oid[OID_HEX])
{
	git_oid o;
	int e = head_oid(r, &o);

	if (e == 0)
		git_oid_tostr(oid, OID_HEX, &o);
	else
		oid[0] = '\0';
	return e;
}

static int
empty_tree(struct repo *r, git_tree **out)
{
	git_treebuilder *tb;
	git_oid o;

	if (git_treebuilder_new(&tb, r->g, NULL) < 0)
		return gerr(INBOX_EFAIL, "treebuilder");
	if (git_treebuilder_write(&o, tb) < 0) {
		git_treebuilder_free(tb);
		return gerr(INBOX_EFAIL, "write tree");
	}
	git_treebuilder_free(tb);
	if (git_tree_lookup(out, r->g, &o) < 0)
		return gerr(INBOX_EFAIL, "lookup tree");
	return 0;
}

static int
write_blobs(struct repo *r, const struct repo_change *ch, size_t n,
    git_tree_update *up)
{
	for (size_t i = 0; i < n; i++) {
		up[i].path = ch[i].path;
		if (ch[i].del) {
			up[i].action = GIT_TREE_UPDATE_REMOVE;
			continue;
		}
		up[i].action = GIT_TREE_UPDATE_UPSERT;
		up[i].filemode = ch[i].exec ? GIT_FILEMODE_BLOB_EXECUTABLE :
		    GIT_FILEMODE_BLOB;
		if (git_blob_create_from_buffer(&up[i].id, r->g, ch[i].data,
		    ch[i].len) < 0)
			return gerr(INBOX_ETEMP, "write blob");
	}
	FAULT("after-blob");
	return 0;
}

/* Drop removals of paths the tree does not have: libgit2 refuses them. */
static size_t
prune_removals(git_tree *base, git_tree_update *up, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		if (up[i].action == GIT_TREE_UPDATE_REMOVE) {
			git_tree_entry *e;

			if (git_tree_entry_bypath(&e, base, up[i].path) < 0)
				continue;
			git_tree_entry_free(e);
		}
		up[j++] = up[i];
	}
	return j;
}

static void
backoff(int attempt)
{
	struct timespec ts = { 0, (long)(rand() % 2000 + 100) * 1000L *
	    (attempt < 10 ? 1 : 5) };

	nanosleep(&ts, NULL);
}

int
repo_commit(struct repo *r, const struct repo_change *ch, size_t n,
    const char *name, const char *email, time_t when, const char *msg,
    char oid[OID_HEX])
{
	git_tree_update *up = xcalloc(n ? n : 1, sizeof(*up));
	git_signature *sig = NULL;
	int ret = -1;

	if (write_blobs(r, ch, n, up) < 0)
		goto out;
	if (git_signature_new(&sig, name, email, (git_time_t)when, 0) < 0) {
		gerr(INBOX_EFAIL, "signature");
		goto out;
	}
	for (int attempt = 0; attempt < 50; attempt++) {
		git_oid parent_id, tree_id, commit_id;
		git_commit *parent = NULL;
		git_tree *base = NULL, *tree = NULL;
		size_t m;
		int has = head_oid(r, &parent_id), e;

		if (has < 0)
			goto out;
		if (has == 0) {
			if (git_commit_lookup(&parent, r->g, &parent_id) < 0 ||
			    git_commit_tree(&base, parent) < 0) {
				gerr(INBOX_EFAIL, "read HEAD");
				git_commit_free(parent);
				goto out;
			}
		} else if (empty_tree(r, &base) < 0)
			goto out;
		m = prune_removals(base, up, n);
		e = git_tree_create_updated(&tree_id, r->g, base, m, up);
		git_tree_free(base);
		if (e < 0 || git_tree_lookup(&tree, r->g, &tree_id) < 0) {
			gerr(INBOX_EFAIL, "build tree");
			git_commit_free(parent);
			goto out;
		}
		FAULT("after-tree");
		FAULT("before-ref-update");
		e = git_commit_create(&commit_id, r->g, "refs/heads/main",
		    sig, sig, NULL, msg, tree, parent ? 1 : 0,
		    (const git_commit **)&parent);
		git_tree_free(tree);
		git_commit_free(parent);
		if (e == 0) {
			git_oid_tostr(oid, OID_HEX, &commit_id);
			ret = 0;
			goto out;
		}
		if (e != GIT_EMODIFIED && e != GIT_ELOCKED &&
		    e != GIT_EEXISTS) {
			gerr(INBOX_ETEMP, "commit");
			goto out;
		}
		backoff(attempt);
	}
	inbox_error(INBOX_ETEMP, "git: refs/heads/main kept moving; "
	    "try again");
out:
	git_signature_free(sig);
	free(up);
	return ret;
}

static int
resolve_tree(struct repo *r, const char *rev, git_tree **tree)
{
	git_object *o;

	if (git_revparse_single(&o, r->g, rev) < 0)
		return gerr(INBOX_ENOMATCH, rev);
	if (git_object_peel((git_object **)tree, o, GIT_OBJECT_TREE) < 0) {
		git_object_free(o);
		return gerr(INBOX_EFAIL, rev);
	}
	git_object_free(o);
	return 0;
}

int
repo_read(struct repo *r, const char *rev, const char *path,
    struct sb *out)
{
	return repo_read_mode(r, rev, path, out, NULL);
}

int
repo_read_mode(struct repo *r, const char *rev, const char *path,
    struct sb *out, int *exec)
{
	git_tree *tree;
	git_tree_entry *e;
	git_blob *b;
	int ret = 0;

	if (resolve_tree(r, rev, &tree) < 0)
		return -1;
	if (git_tree_entry_bypath(&e, tree, path) < 0) {
		git_tree_free(tree);
		return 1;
	}
	if (exec)
		*exec = git_tree_entry_filemode(e) ==
		    GIT_FILEMODE_BLOB_EXECUTABLE;
	if (git_blob_lookup(&b, r->g, git_tree_entry_id(e)) < 0)
		ret = 1;
	else {
		sb_add(out, git_blob_rawcontent(b),
		    (size_t)git_blob_rawsize(b));
		git_blob_free(b);
	}
	git_tree_entry_free(e);
	git_tree_free(tree);
	return ret;
}

struct diff_ctx {
	int (*cb)(const char *, int, void *);
	void *arg;
};

static int
diff_file(const git_diff_delta *d, float progress, void *payload)
{
	struct diff_ctx *c = payload;
	int del = d->status == GIT_DELTA_DELETED;

	(void)progress;
	return c->cb(del ? d->old_file.path : d->new_file.path, del, c->arg);
}

int
repo_diff_paths(struct repo *r, const char *a, const char *b,
    const char *prefix, int (*cb)(const char *, int, void *), void *arg)
{
	git_diff_options o = GIT_DIFF_OPTIONS_INIT;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	char *ps[1];
	struct diff_ctx c = { cb, arg };
	int ret = -1;

	if (a && resolve_tree(r, a, &ta) < 0)
		return -1;
	if (resolve_tree(r, b, &tb) < 0)
		goto out;
	if (prefix && *prefix) {
		ps[0] = (char *)prefix;
		o.pathspec.strings = ps;
		o.pathspec.count = 1;
		o.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	}
	if (git_diff_tree_to_tree(&diff, r->g, ta, tb, &o) < 0) {
		gerr(INBOX_EFAIL, "diff");
		goto out;
	}
	ret = git_diff_foreach(diff, diff_file, NULL, NULL, NULL, &c);
	if (ret < 0 && ret != GIT_EUSER)
		gerr(INBOX_EFAIL, "diff");
	else
		ret = 0;
out:
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	return ret;
}

int
repo_ls_tree(struct repo *r, const char *rev, const char *path,
    int (*cb)(const char *, int, void *), void *arg)
{
	git_tree *tree, *sub = NULL;
	git_tree_entry *e = NULL;
	int ret = 0;

	if (resolve_tree(r, rev, &tree) < 0)
		return -1;
	if (path && *path) {
		if (git_tree_entry_bypath(&e, tree, path) < 0 ||
		    git_tree_entry_type(e) != GIT_OBJECT_TREE ||
		    git_tree_lookup(&sub, r->g, git_tree_entry_id(e)) < 0) {
			git_tree_entry_free(e);
			git_tree_free(tree);
			return 1;
		}
		git_tree_entry_free(e);
	}
	for (size_t i = 0; i < git_tree_entrycount(sub ? sub : tree); i++) {
		const git_tree_entry *te = git_tree_entry_byindex(
		    sub ? sub : tree, i);

		if (cb(git_tree_entry_name(te),
		    git_tree_entry_type(te) == GIT_OBJECT_TREE, arg))
			break;
	}
	git_tree_free(sub);
	git_tree_free(tree);
	return ret;
}

/* 1 when path differs between commit c and its first parent. */
static int
touches(git_commit *c, const char *path)
{
	git_commit *p = NULL;
	git_tree *tc = NULL, *tp = NULL;
	git_tree_entry *ec = NULL, *ep = NULL;
	int r;

	if (git_commit_tree(&tc, c) < 0)
		return 0;
	if (git_commit_parentcount(c) > 0 && git_commit_parent(&p, c, 0) == 0)
		git_commit_tree(&tp, p);
	if (!*path) {
		r = 1;
		goto out;
	}
	git_tree_entry_bypath(&ec, tc, path);
	if (tp)
		git_tree_entry_bypath(&ep, tp, path);
	if (!ec || !ep)
		r = ec != ep;
	else
		r = !git_oid_equal(git_tree_entry_id(ec),
		    git_tree_entry_id(ep));
out:
	git_tree_entry_free(ec);
	git_tree_entry_free(ep);
	git_tree_free(tc);
	git_tree_free(tp);
	git_commit_free(p);
	return r;
}

int
repo_log(struct repo *r, const char **paths, size_t npaths,
    int (*cb)(const struct repo_commit_info *, void *), void *arg)
{
	git_revwalk *w;
	git_oid o;
	int ret = 0;

	if (git_revwalk_new(&w, r->g) < 0)
		return gerr(INBOX_EFAIL, "revwalk");
	git_revwalk_sorting(w, GIT_SORT_TIME | GIT_SORT_TOPOLOGICAL);
	if (git_revwalk_push_ref(w, "refs/heads/main") < 0) {
		git_revwalk_free(w);
		return 0;
	}
	while (git_revwalk_next(&o, w) == 0) {
		git_commit *c;
		struct repo_commit_info ci;
		const git_signature *a;
		int hit = npaths == 0;

		if (git_commit_lookup(&c, r->g, &o) < 0)
			continue;
		for (size_t i = 0; !hit && i < npaths; i++)
			hit = touches(c, paths[i]);
		if (!hit) {
			git_commit_free(c);
			continue;
		}
		a = git_commit_author(c);
		git_oid_tostr(ci.oid, OID_HEX, &o);
		ci.author = (char *)a->name;
		ci.email = (char *)a->email;
		ci.when = (time_t)a->when.time;
		ci.message = (char *)git_commit_message(c);
		ret = cb(&ci, arg);
		git_commit_free(c);
		if (ret)
			break;
	}
	git_revwalk_free(w);
	return ret < 0 ? -1 : 0;
}

int
repo_commit_at(struct repo *r, time_t when, char oid[OID_HEX])
{
	git_revwalk *w;
	git_oid o;
	int ret = 1;

	if (git_revwalk_new(&w, r->g) < 0)
		return gerr(INBOX_EFAIL, "revwalk");
	git_revwalk_sorting(w, GIT_SORT_TIME | GIT_SORT_TOPOLOGICAL);
	if (git_revwalk_push_ref(w, "refs/heads/main") < 0) {
		git_revwalk_free(w);
		return 1;
	}
	while (git_revwalk_next(&o, w) == 0) {
		git_commit *c;

		if (git_commit_lookup(&c, r->g, &o) < 0)
			continue;
		if ((time_t)git_commit_time(c) <= when) {
			git_oid_tostr(oid, OID_HEX, &o);
			git_commit_free(c);
			ret = 0;
			break;
		}
		git_commit_free(c);
	}
	git_revwalk_free(w);
	return ret;
}

struct walk_ctx {
	const char *prefix;
	int (*cb)(const char *, const char *, void *);
	void *arg;
	struct sb path;
};

static int
walk_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct walk_ctx *w = payload;
	char oid[OID_HEX];

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	sb_reset(&w->path);
	if (w->prefix && *w->prefix)
		sb_addf(&w->path, "%s/", w->prefix);
	sb_addf(&w->path, "%s%s", root, git_tree_entry_name(e));
	git_oid_tostr(oid, OID_HEX, git_tree_entry_id(e));
	return w->cb(w->path.buf, oid, w->arg) ? -1 : 0;
}

int
repo_walk_files(struct repo *r, const char *rev, const char *prefix,
    int (*cb)(const char *, const char *, void *), void *arg)
{
	git_tree *tree, *sub = NULL;
	struct walk_ctx w = { prefix, cb, arg, SB_INIT };
	int e;

	if (resolve_tree(r, rev, &tree) < 0)
		return -1;
	if (prefix && *prefix) {
		git_tree_entry *te;

		if (git_tree_entry_bypath(&te, tree, prefix) < 0) {
			git_tree_free(tree);
			return 0;
		}
		e = git_tree_lookup(&sub, r->g, git_tree_entry_id(te));
		git_tree_entry_free(te);
		if (e < 0) {
			git_tree_free(tree);
			return 0;
		}
	}
	e = git_tree_walk(sub ? sub : tree, GIT_TREEWALK_PRE, walk_cb, &w);
	sb_release(&w.path);
	git_tree_free(sub);
	git_tree_free(tree);
	return e < 0 && e != GIT_EUSER ? gerr(INBOX_EFAIL, "walk") : 0;
}

int
repo_hash(const void *data, size_t len, char oid[OID_HEX])
{
	git_oid o;

	lib_init();
	if (git_odb_hash(&o, data, len, GIT_OBJECT_BLOB) < 0)
		return gerr(INBOX_EFAIL, "hash");
	git_oid_tostr(oid, OID_HEX, &o);
	return 0;
}

struct verify_ctx {
	git_odb *odb;
	int (*cb)(const char *, const char *, void *);
	void *arg;
	struct sb path;
	char oid[OID_HEX];
	int bad, stopped;
};

/* Read (and so hash-check) every object; skip a subtree that is bad. */
static int
verify_entry(const char *root, const git_tree_entry *e, void *payload)
{
	struct verify_ctx *v = payload;
	git_odb_object *o;

	if (git_tree_entry_type(e) == GIT_OBJECT_COMMIT)
		return 0;	/* a submodule: not ours to check */
	if (git_odb_read(&o, v->odb, git_tree_entry_id(e)) == 0) {
		git_odb_object_free(o);
		return 0;
	}
	v->bad++;
	sb_reset(&v->path);
	sb_addf(&v->path, "%s%s", root, git_tree_entry_name(e));
	git_oid_tostr(v->oid, OID_HEX, git_tree_entry_id(e));
	if (!v->cb || v->cb(v->path.buf, v->oid, v->arg)) {
		v->stopped = 1;
		return -1;
	}
	return 1;
}

int
repo_verify(struct repo *r, int (*cb)(const char *, const char *, void *),
    void *arg)
{
	struct verify_ctx v = { NULL, cb, arg, SB_INIT, "", 0, 0 };
	git_oid o;
	git_commit *c;
	git_tree *t;
	int e;

	if ((e = head_oid(r, &o)) != 0)
		return e < 0 ? -1 : inbox_error(INBOX_EFAIL,
		    "refs/heads/main is missing");
	if (git_commit_lookup(&c, r->g, &o) < 0)
		return gerr(INBOX_EFAIL, "HEAD's commit is missing or corrupt");
	if (git_commit_tree(&t, c) < 0) {
		git_commit_free(c);
		return gerr(INBOX_EFAIL, "HEAD's tree is missing or corrupt");
	}
	git_commit_free(c);
	if (git_repository_odb(&v.odb, r->g) < 0) {
		git_tree_free(t);
		return gerr(INBOX_EFAIL, "object database");
	}
	e = git_tree_walk(t, GIT_TREEWALK_PRE, verify_entry, &v);
	git_odb_free(v.odb);
	git_tree_free(t);
	if (v.stopped && !cb)
		e = inbox_error(INBOX_EFAIL, "object %s (%s) of HEAD is "
		    "missing or corrupt", v.oid, v.path.buf);
	else if (v.stopped)
		e = 0;
	else if (e < 0)
		e = gerr(INBOX_EFAIL, "walk HEAD's tree");
	sb_release(&v.path);
	return e < 0 ? -1 : v.bad;
}

int
repo_check(struct repo *r)
{
	return repo_verify(r, NULL, NULL) < 0 ? -1 : 0;
}

int
repo_reindex(struct repo *r)
{
	git_index *idx;
	git_oid o;
	git_commit *c;
	git_tree *t;
	int e;

	if (head_oid(r, &o) != 0)
		return inbox_error(INBOX_EFAIL, "refs/heads/main is missing");
	if (git_commit_lookup(&c, r->g, &o) < 0)
		return gerr(INBOX_EFAIL, "read HEAD");
	e = git_commit_tree(&t, c);
	git_commit_free(c);
	if (e < 0)
		return gerr(INBOX_EFAIL, "read HEAD");
	if (git_repository_index(&idx, r->g) < 0) {
		git_tree_free(t);
		return gerr(INBOX_EFAIL, "index");
	}
	e = git_index_read_tree(idx, t);
	if (e == 0)
		e = git_index_write(idx);
	git_index_free(idx);
	git_tree_free(t);
	return e < 0 ? gerr(INBOX_EFAIL, "write index") : 0;
}
