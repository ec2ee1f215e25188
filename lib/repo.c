/*
 * repo.c - commits and history through libgit2, never through the index.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <git2.h>

#include "fault.h"
#include "hostkey.h"
#include "pack.h"
#include "repo.h"

/*
 * The trees of one commit named by id, by their paths, the ones used
 * last kept: a reader of thousands of files of an old commit (--as-of)
 * finds a file's directory here, not by walking from the root, and
 * keeps these trees only (repo_cache(r, 0) turns libgit2's cache off).
 */
#define NTREES 32

struct treeslot {
	char *path;		/* "" the root */
	git_tree *t;
	unsigned long used;
};

struct repo {
	git_repository *g;	/* opened on first use */
	char *root;
	struct pack *pack;	/* repo_bulk(): objects go into a pack */
	char at[OID_HEX];	/* the commit of trees[] */
	struct treeslot trees[NTREES];
	unsigned long tick;
};

static void
trees_drop(struct repo *r)
{
	for (size_t i = 0; i < NTREES; i++) {
		free(r->trees[i].path);
		git_tree_free(r->trees[i].t);
		r->trees[i] = (struct treeslot){ NULL, NULL, 0 };
	}
	r->at[0] = '\0';
}

static int inited;

static int
gerr(int code, const char *what)
{
	const git_error *e = git_error_last();
	int full = errno == ENOSPC || errno == EDQUOT || (e && e->message &&
	    (strstr(e->message, strerror(ENOSPC)) ||
	    strstr(e->message, strerror(EDQUOT))));

	/* a full disk is temporary wherever libgit2 met it (errno may be
	 * gone by now; libgit2's message keeps its strerror) */
	return inbox_error(full ? INBOX_ETEMP : code, "git: %s: %s", what,
	    e && e->message ? e->message : "failed");
}

/*
 * The CA bundle, parsed when a remote first needs it, not at every start.
 * Debian's libgit2 is built on mbedTLS, and its git_libgit2_init() parses
 * the whole bundle (56M of the 74M instructions of receiving one SMS),
 * although only inbox-sync to an https remote talks TLS through libgit2.
 * mbedtls_x509_crt_parse_file() is defined here, so libgit2's call comes
 * here first: during the start the path is kept and the parse declined
 * (libgit2 starts without CAs and says nothing), and tls_load() hands
 * the same path back through GIT_OPT_SET_SSL_CERT_LOCATIONS before a
 * remote is made.  A libgit2 on OpenSSL, or with mbedTLS linked in,
 * never calls this, and loads its CAs itself.
 */
int mbedtls_x509_crt_parse_file(void *chain, const char *path);

static int tls_starting;

/* The definition of name after this program's, or NULL. */
static void *
next_sym(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

static char *tls_ca_file;

int
mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	static int (*parse)(void *, const char *);

	if (tls_starting) {
		free(tls_ca_file);
		tls_ca_file = path ? strdup(path) : NULL;
		return -0x2900;		/* MBEDTLS_ERR_X509_FILE_IO_ERROR */
	}
	if (!parse) {
		void *sym = next_sym("mbedtls_x509_crt_parse_file");

		if (!sym)
			return -0x2900;
		memcpy(&parse, &sym, sizeof(sym));
	}
	return parse(chain, path);
}

/*
 * libssh2 starts OpenSSL's engines (a million instructions) when libgit2
 * starts; libssh2 starts itself again when inbox-sync opens an ssh
 * session, so the start is declined here the same way.
 */
int libssh2_init(int flags);

int
libssh2_init(int flags)
{
	static int (*init)(int);

	if (tls_starting)
		return 0;
	if (!init) {
		void *sym = next_sym("libssh2_init");

		if (!sym)
			return -1;
		memcpy(&init, &sym, sizeof(sym));
	}
	return init(flags);
}

/*
 * The random generator of TLS, seeded when a remote first needs it too:
 * libgit2's start gathers entropy for it (mbedTLS's HAVEGE collector, a
 * million instructions, a tenth of a receive).  The entropy source is
 * made and the generator seeded by tls_load(), with what libgit2 passed.
 */
void mbedtls_entropy_init(void *ctx);
int mbedtls_ctr_drbg_seed(void *ctx, int (*f)(void *, unsigned char *,
    size_t), void *p, const unsigned char *custom, size_t len);

static struct {
	void *entropy;		/* an mbedtls_entropy_context, not made */
	void *drbg;		/* an mbedtls_ctr_drbg_context, not seeded */
	int (*f)(void *, unsigned char *, size_t);
	void *p;
} tls_seed;

void
mbedtls_entropy_init(void *ctx)
{
	static void (*init)(void *);
	void *sym;

	if (tls_starting) {
		tls_seed.entropy = ctx;
		return;
	}
	if (!init && (sym = next_sym("mbedtls_entropy_init")))
		memcpy(&init, &sym, sizeof(sym));
	if (init)
		init(ctx);
}

int
mbedtls_ctr_drbg_seed(void *ctx, int (*f)(void *, unsigned char *, size_t),
    void *p, const unsigned char *custom, size_t len)
{
	static int (*seed)(void *, int (*)(void *, unsigned char *, size_t),
	    void *, const unsigned char *, size_t);
	void *sym;

	if (tls_starting && !custom && !tls_seed.drbg) {
		tls_seed.drbg = ctx;
		tls_seed.f = f;
		tls_seed.p = p;
		return 0;
	}
	if (!seed && (sym = next_sym("mbedtls_ctr_drbg_seed")))
		memcpy(&seed, &sym, sizeof(sym));
	return seed ? seed(ctx, f, p, custom, len) : -0x0034;
	    /* MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED */
}

/*
 * Before the first remote: the generator seeded and the CAs loaded (the
 * bundle libgit2 was built with, or SSL_CERT_FILE and SSL_CERT_DIR as
 * OpenSSL's programs take them).
 */
static int
tls_load(void)
{
	const char *file = getenv("SSL_CERT_FILE");
	const char *dir = getenv("SSL_CERT_DIR");

	if (tls_seed.entropy) {
		mbedtls_entropy_init(tls_seed.entropy);
		tls_seed.entropy = NULL;
	}
	if (tls_seed.drbg) {
		void *drbg = tls_seed.drbg;

		tls_seed.drbg = NULL;
		if (mbedtls_ctr_drbg_seed(drbg, tls_seed.f, tls_seed.p, NULL,
		    0) != 0)
			return inbox_error(INBOX_ETEMP,
			    "git: cannot seed the random generator of TLS");
	}
	if (file && !*file)
		file = NULL;
	if (dir && !*dir)
		dir = NULL;
	if (!file && !dir)
		file = tls_ca_file;
	if ((file || dir) && git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS,
	    file, dir) < 0)
		return gerr(INBOX_EFAIL, file ? file : dir);
	free(tls_ca_file);
	tls_ca_file = NULL;
	return 0;
}

static void
lib_init(void)
{
	if (inited)
		return;
	tls_starting = 1;
	git_libgit2_init();
	tls_starting = 0;
	git_error_clear();	/* the declined CA bundle */
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	/* the trees and commits made here name objects just written */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
	/* an object read is not hashed again to check its name, as git
	 * does not: zlib's checksum catches a damaged one, inbox-fsck and
	 * git fsck the rest */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	/* packs are mapped 4 MB at a time, 16 MB at most: by default
	 * libgit2 maps a whole pack (up to 8 GB in all), and every page a
	 * read touches stays in the process (55 of the 105 MB of a batch of
	 * 10,000 messages at 100k, 47 of 141 MB of --as-of a month back);
	 * neither is slower for it */
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)4 << 20);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)16 << 20);
	/* keep trees of any size once read: by default a tree over 4 KB
	 * (conv/ has 256 names, a big conversation's cur/ hundreds) is
	 * inflated out of its pack, delta chain and all, at every lookup */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
	    (size_t)1 << 20);
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

/*
 * libgit2 is started, and the repository opened, on first use: starting
 * it costs more than a whole listing (Debian's build reads the TLS CA
 * bundle at init), and a listing from a fresh cache needs only the id
 * HEAD points at, which repo_head() reads from the ref file.
 */
static int
ensure(struct repo *r)
{
	if (r->g)
		return 0;
	lib_init();
	if (git_repository_open_ext(&r->g, r->root,
	    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		r->g = NULL;
		return gerr(INBOX_EFAIL, "open");
	}
	if (pack_loose(r->g) < 0) {
		git_repository_free(r->g);
		r->g = NULL;
		return gerr(INBOX_EFAIL, "open the objects of");
	}
	/* libgit2's refs keep the fsync setting of when they are first
	 * read: a command with its fsyncs deferred (fsync_defer()) reads
	 * them now, with fsync off, moves the branch unsynced and syncs
	 * after it (commit_synced()); any other fsyncs the ref and its logs
	 * (the setting's default) */
	if (fsync_deferred()) {
		git_refdb *db;

		git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
		if (git_repository_refdb(&db, r->g) == 0)
			git_refdb_free(db);
		git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	}
	return 0;
}

/* The pack being written in bulk, finished: its objects can be named. */
static int
bulk_pack(struct repo *r)
{
	return r->pack ? pack_finish(r->pack) : 0;
}

void
repo_cache(struct repo *r, int on)
{
	(void)r;
	lib_init();
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, on);
}

int
repo_bulk(struct repo *r, int on)
{
	int e = 0;

	if (ensure(r) < 0)
		return -1;
	if (!on && r->pack) {
		/* libgit2 cannot take a backend out: open again */
		e = bulk_pack(r);
		trees_drop(r);
		git_repository_free(r->g);
		r->g = NULL;
		r->pack = NULL;
		return e;
	}
	if (on && !r->pack && pack_attach(&r->pack, r->g) < 0)
		return gerr(INBOX_ETEMP, "start a pack");
	/* a batch reads thousands of trees once each: keep none */
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);

	return 0;
}

int
repo_blob_write(struct repo *r, const void *buf, size_t len,
    unsigned char oid[20])
{
	git_oid id;
	int e, defer = fsync_deferred();

	if (ensure(r) < 0)
		return -1;
	if (defer)
		git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
	e = git_blob_create_from_buffer(&id, r->g, buf, len);
	if (defer)
		git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	if (e < 0)
		return gerr(INBOX_ETEMP, "write blob");
	memcpy(oid, id.id, sizeof(id.id));
	return 0;
}

int
repo_open(struct repo **out, const char *root)
{
	struct repo *r;
	char *gitdir = path_join(root, ".git");
	int ok = path_exists(gitdir);

	free(gitdir);
	if (!ok)
		return inbox_error(INBOX_EFAIL, "git: open: %s is not a git "
		    "repository", root);
	r = xcalloc(1, sizeof(*r));
	r->root = xstrdup(root);
	*out = r;
	return 0;
}

void
repo_close(struct repo *r)
{
	if (!r)
		return;
	trees_drop(r);
	free(r->root);
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

/* refs/heads/main from .git/packed-refs into *out (0), else -1. */
static int
packed_ref(struct repo *r, struct sb *out)
{
	struct sb f = SB_INIT;
	char *p = path_join(r->root, ".git/packed-refs");
	int ret = -1;

	inbox_error_clear();
	if (sb_read_file(&f, p, 1 << 20) == 0)
		for (char *l = f.buf, *nl; l && *l; l = nl) {
			nl = strchr(l, '\n');
			if (nl)
				*nl++ = '\0';
			if (strlen(l) == OID_HEX - 1 + 16 &&
			    !strcmp(l + OID_HEX - 1, " refs/heads/main")) {
				sb_reset(out);
				sb_add(out, l, OID_HEX - 1);
				ret = 0;
				break;
			}
		}
	inbox_error_clear();
	sb_release(&f);
	free(p);
	return ret;
}

int
repo_head(struct repo *r, char oid[OID_HEX])
{
	git_oid o;
	struct sb ref = SB_INIT;
	char *p = path_join(r->root, ".git/refs/heads/main");
	int e;

	/* the loose ref, as git writes it, or the packed one after git gc,
	 * without starting libgit2 */
	if (!r->g && (sb_read_file(&ref, p, 128) == 0 ||
	    packed_ref(r, &ref) == 0)) {
		sb_rtrim(&ref);
		if (ref.len == OID_HEX - 1 && strspn(ref.buf,
		    "0123456789abcdef") == OID_HEX - 1) {
			memcpy(oid, ref.buf, OID_HEX);
			sb_release(&ref);
			free(p);
			return 0;
		}
	}
	inbox_error_clear();
	sb_release(&ref);
	free(p);
	if (ensure(r) < 0)
		return -1;
	e = head_oid(r, &o);

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
		if (ch[i].written)
			git_oid_fromraw(&up[i].id, ch[i].oid);
		else if (git_blob_create_from_buffer(&up[i].id, r->g,
		    ch[i].data, ch[i].len) < 0)
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

/* --- the journal of commits ----------------------------------------- */

#define JOURNAL ".git/inbox/journal"
#define JOURNAL_MAX (4 << 20)

/*
 * After each commit: "PARENT COMMIT\tPATH\tPATH...\n", so a cache can
 * learn what changed between two commits it knows without starting
 * libgit2.  Best effort: a missing line only sends a reader to the diff.
 */
static void
journal_append(struct repo *r, const git_oid *parent, const char *commit,
    const struct repo_change *ch, size_t n)
{
	struct sb l = SB_INIT;
	char *p = path_join(r->root, JOURNAL);
	char pid[OID_HEX] = "0";
	struct stat sb;
	size_t all = 2 * OID_HEX + 2;
	int fd;

	if (parent)
		git_oid_tostr(pid, OID_HEX, parent);
	/* one allocation: a batch's line is a megabyte */
	for (size_t i = 0; i < n; i++)
		all += strlen(ch[i].path) + 1;
	sb_grow(&l, all);
	sb_addf(&l, "%s %s", pid, commit);
	for (size_t i = 0; i < n; i++) {
		if (strpbrk(ch[i].path, "\t\n\r"))
			goto out;	/* not representable: no line */
		sb_addf(&l, "\t%s", ch[i].path);
	}
	sb_addc(&l, '\n');
	fd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		goto out;
	if (fstat(fd, &sb) == 0 && sb.st_size > JOURNAL_MAX &&
	    ftruncate(fd, 0) < 0) {
		close(fd);
		goto out;
	}
	if (write(fd, l.buf, l.len) != (ssize_t)l.len) {
		/* a torn line is ignored by readers */
	}
	close(fd);
out:
	sb_release(&l);
	free(p);
}

int
repo_journal_paths(struct repo *r, const char *from, const char *to,
    int (*cb)(const char *path, int deleted, void *arg), void *arg)
{
	struct sb f = SB_INIT;
	char *p = path_join(r->root, JOURNAL);
	char **line = NULL, cur[OID_HEX];
	size_t n = 0, cap = 0, steps = 0, *order = NULL;
	int ret = 1, stop = 0;

	if (sb_read_file(&f, p, JOURNAL_MAX * 2) < 0) {
		inbox_error_clear();
		goto out;
	}
	for (char *l = f.buf, *nl; *l; l = nl + 1) {
		if (!(nl = strchr(l, '\n')))
			break;		/* a torn last line */
		*nl = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			line = xrealloc(line, cap * sizeof(*line));
		}
		line[n++] = l;
	}
	/* follow from -> ... -> to; lines may be out of order, as two
	 * writers append after their ref updates */
	order = xcalloc(n ? n : 1, sizeof(*order));
	snprintf(cur, sizeof(cur), "%s", from);
	while (strcmp(cur, to) && steps < n) {
		size_t k = n;

		for (size_t i = 0; i < n; i++)
			if (!strncmp(line[i], cur, OID_HEX - 1) &&
			    line[i][OID_HEX - 1] == ' ' &&
			    strlen(line[i]) >= 2 * OID_HEX - 1) {
				k = i;
				break;
			}
		if (k == n)
			goto out;	/* the chain breaks: diff instead */
		order[steps++] = k;
		memcpy(cur, line[k] + OID_HEX, OID_HEX - 1);
		cur[OID_HEX - 1] = '\0';
	}
	if (strcmp(cur, to))
		goto out;
	ret = 0;
	for (size_t s = 0; s < steps && !stop; s++) {
		char *q = line[order[s]] + 2 * OID_HEX - 1;

		while (*q == '\t' && !stop) {
			char *e = q + 1 + strcspn(q + 1, "\t");
			int last = *e == '\0';

			*e = '\0';
			stop = q[1] && cb(q + 1, 0, arg);
			if (last)
				break;
			*e = '\t';
			q = e;
		}
	}
out:
	free(order);
	free(line);
	sb_release(&f);
	free(p);
	return ret;
}

/*
 * The commit object written as git_commit_create() writes it (no
 * encoding, the message as it is), but streamed: a batch's message has a
 * line for each message filed, and git_commit_create() holds three
 * copies of it; the batch's pack takes it with none.
 */
static int
write_commit(struct repo *r, git_oid *id, const git_signature *sig,
    const char *msg, const git_tree *tree, const git_oid *parent)
{
	char hex[GIT_OID_HEXSZ + 1];
	struct sb c = SB_INIT, who = SB_INIT;
	size_t mlen = strlen(msg);
	int off = sig->when.offset < 0 ? -sig->when.offset : sig->when.offset;
	git_odb *odb;
	git_odb_stream *ws = NULL;
	int e;

	sb_addf(&who, "%s <%s> %lld %c%02d%02d\n", sig->name, sig->email,
	    (long long)sig->when.time, sig->when.offset < 0 ||
	    sig->when.sign == '-' ? '-' : '+', off / 60, off % 60);
	sb_addf(&c, "tree %s\n", git_oid_tostr(hex, sizeof(hex),
	    git_tree_id(tree)));
	if (parent)
		sb_addf(&c, "parent %s\n", git_oid_tostr(hex, sizeof(hex),
		    parent));
	sb_addf(&c, "author %scommitter %s\n", who.buf, who.buf);
	sb_release(&who);
	if ((e = git_repository_odb(&odb, r->g)) == 0) {
		e = git_odb_open_wstream(&ws, odb, c.len + mlen,
		    GIT_OBJECT_COMMIT);
		if (e == 0 && (e = git_odb_stream_write(ws, c.buf,
		    c.len)) == 0 && (e = git_odb_stream_write(ws, msg,
		    mlen)) == 0)
			e = git_odb_stream_finalize_write(id, ws);
		git_odb_stream_free(ws);
		git_odb_free(odb);
	}
	sb_release(&c);
	return e;
}

/*
 * A commit's tree, out of its first line: git_commit_lookup() would copy
 * the message, and a batch's is a megabyte.  -1 with libgit2's error set.
 */
static int
commit_tree_id(struct repo *r, const git_oid *commit, git_oid *tree)
{
	git_odb *odb;
	git_odb_object *o;
	int e = -1;

	if (git_repository_odb(&odb, r->g) < 0)
		return -1;
	if (git_odb_read(&o, odb, commit) == 0) {
		const char *d = git_odb_object_data(o);

		if (git_odb_object_type(o) == GIT_OBJECT_COMMIT &&
		    git_odb_object_size(o) > 46 && !memcmp(d, "tree ", 5) &&
		    d[45] == '\n')
			e = git_oid_fromstrn(tree, d + 5, GIT_OID_HEXSZ);
		else
			git_error_set(GIT_ERROR_OBJECT, "bad commit");
		git_odb_object_free(o);
	}
	git_odb_free(odb);
	return e < 0 ? -1 : 0;
}

/*
 * A commit with its fsyncs deferred (fsync_defer()): the commit object,
 * then syncfs for everything written unsynced (the work tree's files and
 * the objects), then the branch moved from the parent (compare and swap)
 * and synced by a second syncfs.  In bulk the pack is finished before the
 * first.  GIT_EUSER when the pack or a syncfs failed.
 */
static int
commit_synced(struct repo *r, git_oid *id, const git_signature *sig,
    const char *msg, const git_tree *tree, const git_oid *parent)
{
	git_reference *ref = NULL;
	struct sb log = SB_INIT;
	int e;

	if ((e = write_commit(r, id, sig, msg, tree, parent)) < 0)
		return e;
	if (bulk_pack(r) < 0 || sync_all(r->root) < 0)
		return GIT_EUSER;
	sb_addf(&log, "commit: %.*s", (int)strcspn(msg, "\n"), msg);
	e = parent ? git_reference_create_matching(&ref, r->g,
	    "refs/heads/main", id, 1, parent, log.buf) :
	    git_reference_create(&ref, r->g, "refs/heads/main", id, 0,
	    log.buf);
	git_reference_free(ref);
	sb_release(&log);
	/* the ref and its logs: one more syncfs, not an fsync each (the
	 * ref's file, its directory, and two reflogs with theirs) */
	if (e == 0 && sync_all(r->root) < 0)
		return GIT_EUSER;
	return e;
}

int
repo_commit(struct repo *r, const struct repo_change *ch, size_t n,
    const char *name, const char *email, time_t when, const char *msg,
    char oid[OID_HEX])
{
	if (ensure(r) < 0)
		return -1;
	git_tree_update *up = xcalloc(n ? n : 1, sizeof(*up));
	git_signature *sig = NULL;
	int ret = -1, locked = 0, defer = fsync_deferred();

	/* deferred: objects unsynced, one syncfs before the branch moves;
	 * in bulk the objects are packed first */
	defer = defer || r->pack;
	if (defer)
		git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
	if (write_blobs(r, ch, n, up) < 0)
		goto out;
	if (git_signature_new(&sig, name, email, (git_time_t)when, 0) < 0) {
		gerr(INBOX_EFAIL, "signature");
		goto out;
	}
	for (int attempt = 0; attempt < 50; attempt++) {
		git_oid parent_id, tree_id, commit_id, base_id;
		git_commit *parent = NULL;
		git_tree *base = NULL, *tree = NULL;
		size_t m;
		int has = head_oid(r, &parent_id), e;

		if (has < 0)
			goto out;
		if (has == 0) {
			if (commit_tree_id(r, &parent_id, &base_id) < 0 ||
			    git_tree_lookup(&base, r->g, &base_id) < 0) {
				gerr(INBOX_EFAIL, "read HEAD");
				goto out;
			}
		} else if (empty_tree(r, &base) < 0)
			goto out;
		m = prune_removals(base, up, n);
		e = git_tree_create_updated(&tree_id, r->g, base, m, up);
		git_tree_free(base);
		if (e < 0 || git_tree_lookup(&tree, r->g, &tree_id) < 0) {
			gerr(INBOX_EFAIL, "build tree");
			goto out;
		}
		if (has == 0 && git_oid_equal(&tree_id, &base_id)) {
			/* nothing changed: no empty commit */
			git_oid_tostr(oid, OID_HEX, &parent_id);
			git_tree_free(tree);
			ret = 1;
			goto out;
		}
		FAULT("after-tree");
		FAULT("before-ref-update");
		if (defer)
			e = commit_synced(r, &commit_id, sig, msg, tree,
			    has == 0 ? &parent_id : NULL);
		else if (has == 0 && git_commit_lookup(&parent, r->g,
		    &parent_id) < 0)
			e = -1;
		else
			e = git_commit_create(&commit_id, r->g,
			    "refs/heads/main", sig, sig, NULL, msg, tree,
			    parent ? 1 : 0, (const git_commit **)&parent);
		git_tree_free(tree);
		git_commit_free(parent);
		if (e == GIT_EUSER)
			goto out;	/* pack or syncfs failed: said why */
		if (e == 0) {
			git_oid_tostr(oid, OID_HEX, &commit_id);
			journal_append(r, has == 0 ? &parent_id : NULL, oid,
			    ch, n);
			ret = 0;
			goto out;
		}
		if (e != GIT_EMODIFIED && e != GIT_ELOCKED &&
		    e != GIT_EEXISTS) {
			gerr(INBOX_ETEMP, "commit");
			goto out;
		}
		locked = e == GIT_ELOCKED;
		backoff(attempt);
	}
	if (locked)
		inbox_error(INBOX_ETEMP, "git: refs/heads/main.lock is there: "
		    "another git is writing, or one died (inbox-fsck --repair "
		    "removes a stale one); try again");
	else
		inbox_error(INBOX_ETEMP, "git: refs/heads/main kept moving; "
		    "try again");
out:
	if (defer)
		git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
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

/* 1 when rev is a commit's full id: what it names never changes. */
static int
is_id(const char *rev)
{
	size_t n = strspn(rev, "0123456789abcdef");

	return n == OID_HEX - 1 && rev[n] == '\0';
}

/*
 * The tree at dir (len bytes of it; 0 the root) of commit `at`, kept in
 * r->trees: borrowed, valid until the next call.  1 when there is none.
 */
static int
tree_at(struct repo *r, const char *at, const char *dir, size_t len,
    git_tree **out)
{
	struct treeslot *s = &r->trees[0];
	char name[256];
	const char *slash;
	const git_tree_entry *e;
	git_tree *parent, *t;
	int ret;

	if (strcmp(r->at, at) != 0) {
		trees_drop(r);
		memcpy(r->at, at, OID_HEX);
	}
	for (size_t i = 0; i < NTREES; i++) {
		struct treeslot *c = &r->trees[i];

		if (c->path && strlen(c->path) == len &&
		    memcmp(c->path, dir, len) == 0) {
			c->used = ++r->tick;
			*out = c->t;
			return 0;
		}
	}
	if (len == 0) {
		if (resolve_tree(r, at, &t) < 0)
			return -1;
	} else {
		/* the parent first: it is then among the newest, never the
		 * slot this one takes */
		for (slash = dir + len; slash > dir && slash[-1] != '/';
		    slash--)
			;
		ret = tree_at(r, at, dir, slash > dir ? (size_t)(slash - dir -
		    1) : 0, &parent);
		if (ret != 0)
			return ret;
		if ((size_t)(dir + len - slash) >= sizeof(name))
			return 1;
		memcpy(name, slash, (size_t)(dir + len - slash));
		name[dir + len - slash] = '\0';
		e = git_tree_entry_byname(parent, name);
		if (!e || git_tree_entry_type(e) != GIT_OBJECT_TREE)
			return 1;
		if (git_tree_lookup(&t, r->g, git_tree_entry_id(e)) < 0)
			return gerr(INBOX_EFAIL, "read a tree");
	}
	/* into the slot used longest ago, chosen after the parents' */
	for (size_t i = 1; i < NTREES; i++)
		if (r->trees[i].used < s->used)
			s = &r->trees[i];
	free(s->path);
	git_tree_free(s->t);
	s->path = xstrndup(dir, len);
	s->t = t;
	s->used = ++r->tick;
	*out = t;
	return 0;
}

int
repo_read(struct repo *r, const char *rev, const char *path,
    struct sb *out)
{
	if (ensure(r) < 0)
		return -1;
	return repo_read_mode(r, rev, path, out, NULL);
}

int
repo_read_mode(struct repo *r, const char *rev, const char *path,
    struct sb *out, int *exec)
{
	if (ensure(r) < 0)
		return -1;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	const git_tree_entry *ce;
	const char *slash = strrchr(path, '/');
	git_blob *b;
	int ret = 0;

	if (is_id(rev)) {
		/* a commit by id: the file's directory from r->trees */
		ret = tree_at(r, rev, path, slash ? (size_t)(slash - path) : 0,
		    &tree);
		if (ret != 0)
			return ret;
		ce = git_tree_entry_byname(tree, slash ? slash + 1 : path);
		tree = NULL;	/* borrowed */
		if (!ce)
			return 1;
	} else {
		if (resolve_tree(r, rev, &tree) < 0)
			return -1;
		if (git_tree_entry_bypath(&e, tree, path) < 0) {
			git_tree_free(tree);
			return 1;
		}
		ce = e;
	}
	if (exec)
		*exec = git_tree_entry_filemode(ce) ==
		    GIT_FILEMODE_BLOB_EXECUTABLE;
	if (git_blob_lookup(&b, r->g, git_tree_entry_id(ce)) < 0)
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

/*
 * Compare two trees entry by entry, skipping every subtree whose id is
 * the same on both sides, so the cost follows what changed, not the size
 * of the store.  Recursion follows the store's own layout (a few levels),
 * never outside input.
 */
static int
diff_trees(git_repository *g, const git_tree *a, const git_tree *b,
    struct sb *path, int (*cb)(const char *, int, void *), void *arg)
{
	size_t na = a ? git_tree_entrycount(a) : 0;
	size_t nb = b ? git_tree_entrycount(b) : 0;
	size_t i = 0, j = 0, base = path->len;
	int r = 0;

	while (r == 0 && (i < na || j < nb)) {
		const git_tree_entry *ea = i < na ? git_tree_entry_byindex(a, i) :
		    NULL;
		const git_tree_entry *eb = j < nb ? git_tree_entry_byindex(b, j) :
		    NULL;
		int c = !ea ? 1 : !eb ? -1 : strcmp(git_tree_entry_name(ea),
		    git_tree_entry_name(eb));
		const git_tree_entry *e = c <= 0 ? ea : eb;
		git_tree *ta = NULL, *tb = NULL;
		int dir;

		if (c == 0 && git_oid_equal(git_tree_entry_id(ea),
		    git_tree_entry_id(eb))) {
			i++, j++;
			continue;
		}
		sb_setlen(path, base);
		sb_addf(path, "%s%s", base ? "/" : "", git_tree_entry_name(e));
		dir = (c <= 0 && git_tree_entry_type(ea) == GIT_OBJECT_TREE) ||
		    (c >= 0 && git_tree_entry_type(eb) == GIT_OBJECT_TREE);
		if (dir) {
			if (c <= 0 && git_tree_entry_type(ea) ==
			    GIT_OBJECT_TREE)
				git_tree_lookup(&ta, g, git_tree_entry_id(ea));
			if (c >= 0 && git_tree_entry_type(eb) ==
			    GIT_OBJECT_TREE)
				git_tree_lookup(&tb, g, git_tree_entry_id(eb));
			r = diff_trees(g, ta, tb, path, cb, arg);
			git_tree_free(ta);
			git_tree_free(tb);
		} else
			r = cb(path->buf, c < 0, arg);
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	sb_setlen(path, base);
	return r;
}

int
repo_diff_paths(struct repo *r, const char *a, const char *b,
    const char *prefix, int (*cb)(const char *, int, void *), void *arg)
{
	if (ensure(r) < 0)
		return -1;
	git_tree *ta = NULL, *tb = NULL, *sa = NULL, *sb2 = NULL;
	struct sb path = SB_INIT;
	int ret = -1;

	if (a && resolve_tree(r, a, &ta) < 0)
		return -1;
	if (resolve_tree(r, b, &tb) < 0)
		goto out;
	if (prefix && *prefix) {
		git_tree_entry *e;

		if (ta && git_tree_entry_bypath(&e, ta, prefix) == 0) {
			git_tree_lookup(&sa, r->g, git_tree_entry_id(e));
			git_tree_entry_free(e);
		}
		if (git_tree_entry_bypath(&e, tb, prefix) == 0) {
			git_tree_lookup(&sb2, r->g, git_tree_entry_id(e));
			git_tree_entry_free(e);
		}
		sb_adds(&path, prefix);
		ret = diff_trees(r->g, sa, sb2, &path, cb, arg);
	} else
		ret = diff_trees(r->g, ta, tb, &path, cb, arg);
	ret = ret < 0 ? -1 : 0;
out:
	sb_release(&path);
	git_tree_free(sa);
	git_tree_free(sb2);
	git_tree_free(ta);
	git_tree_free(tb);
	return ret;
}

int
repo_ls_tree(struct repo *r, const char *rev, const char *path,
    int (*cb)(const char *, int, void *), void *arg)
{
	if (ensure(r) < 0)
		return -1;
	git_tree *tree = NULL, *sub = NULL, *at;
	git_tree_entry *e = NULL;
	int ret;

	if (is_id(rev)) {
		/* a commit by id: the directory from r->trees, held, as
		 * what cb reads may push it out of r->trees */
		ret = tree_at(r, rev, path ? path : "", path ? strlen(path) :
		    0, &at);
		if (ret != 0 || git_tree_dup(&sub, at) < 0)
			return ret ? ret : gerr(INBOX_EFAIL, "read a tree");
	} else {
		if (resolve_tree(r, rev, &tree) < 0)
			return -1;
		if (path && *path && (git_tree_entry_bypath(&e, tree,
		    path) < 0 || git_tree_entry_type(e) != GIT_OBJECT_TREE ||
		    git_tree_lookup(&sub, r->g, git_tree_entry_id(e)) < 0)) {
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
	return 0;
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
	if (ensure(r) < 0)
		return -1;
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
	if (ensure(r) < 0)
		return -1;
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
	if (ensure(r) < 0)
		return -1;
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
	if (ensure(r) < 0)
		return -1;
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
	if (ensure(r) < 0)
		return -1;
	return repo_verify(r, NULL, NULL) < 0 ? -1 : 0;
}

int
repo_reindex(struct repo *r)
{
	if (ensure(r) < 0)
		return -1;
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

/* --- sync: remotes, merge bases, merge commits ----------------------- */

enum {
	TRY_USER = 1, TRY_KEYDATA = 2, TRY_KEY = 4, TRY_AGENT = 8,
	TRY_PASS = 16
};

struct remote_ctx {
	const struct repo_cred *c;
	int tried;		/* TRY_* already offered */
	int rejected;		/* the remote refused a ref update */
	int port;		/* of an ssh URL */
};

/*
 * An ssh server is who it says when its key is in known_hosts, as for
 * ssh(1); libgit2 itself trusts no ssh host key.  A TLS server is
 * libgit2's to judge, against the CA bundle.
 */
static int
cert_cb(git_cert *cert, int valid, const char *host, void *payload)
{
	struct remote_ctx *x = payload;
	const git_cert_hostkey *hk = (const git_cert_hostkey *)cert;
	const char *home = getenv("HOME");
	char *mine = home && *home ? path_join(home, ".ssh/known_hosts") :
	    NULL;
	const char *files[4];
	size_t n = 0;
	int r;

	if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) {
		free(mine);
		if (valid)
			return 0;
		git_error_set(GIT_ERROR_SSL, "the certificate of %s is not "
		    "for it or not signed by a trusted CA (SSL_CERT_FILE or "
		    "SSL_CERT_DIR can name its CA)", host);
		return GIT_ECERTIFICATE;
	}
	if (x->c && x->c->known_hosts)
		files[n++] = x->c->known_hosts;
	if (mine)
		files[n++] = mine;
	files[n++] = "/etc/ssh/ssh_known_hosts";
	files[n] = NULL;
	r = hk->type & GIT_CERT_SSH_RAW ? hostkey_known(host, x->port,
	    (const unsigned char *)hk->hostkey, hk->hostkey_len, files) :
	    inbox_error(INBOX_EFAIL, "libgit2 gave no host key to check");
	free(mine);
	if (r == 0)
		return 0;
	git_error_set_str(GIT_ERROR_SSH, inbox_errmsg());
	inbox_error_clear();
	return GIT_ECERTIFICATE;
}

static int
cred_cb(git_credential **out, const char *url, const char *url_user,
    unsigned int allowed, void *payload)
{
	struct remote_ctx *x = payload;
	const struct repo_cred *c = x->c;
	const char *user = url_user && *url_user ? url_user :
	    c && c->user ? c->user : "git";
	const char *sock = getenv("SSH_AUTH_SOCK");

	(void)url;
	if ((allowed & GIT_CREDENTIAL_USERNAME) && !(x->tried & TRY_USER)) {
		x->tried |= TRY_USER;
		return git_credential_username_new(out, user);
	}
	if (allowed & GIT_CREDENTIAL_SSH_KEY) {
		if (c && c->ssh_key_data && !(x->tried & TRY_KEYDATA)) {
			x->tried |= TRY_KEYDATA;
			return git_credential_ssh_key_memory_new(out, user,
			    NULL, c->ssh_key_data, c->ssh_pass);
		}
		if (c && c->ssh_key && !(x->tried & TRY_KEY)) {
			x->tried |= TRY_KEY;
			return git_credential_ssh_key_new(out, user, NULL,
			    c->ssh_key, c->ssh_pass);
		}
		if (sock && *sock && !(x->tried & TRY_AGENT)) {
			x->tried |= TRY_AGENT;
			return git_credential_ssh_key_from_agent(out, user);
		}
	}
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && c &&
	    c->password && !(x->tried & TRY_PASS)) {
		x->tried |= TRY_PASS;
		return git_credential_userpass_plaintext_new(out, user,
		    c->password);
	}
	git_error_set_str(GIT_ERROR_NET, "no (more) credentials to offer: "
	    "load a key into ssh-agent, put one in secrets/ssh-key or set "
	    "INBOX_SECRET_SYNC_PASSWORD");
	return GIT_EAUTH;
}

/* A failure to talk to a remote: 75 (try again later) unless the remote
 * refused who we are. */
static int
remote_err(int e, const char *url)
{
	const git_error *ge = git_error_last();
	int code = e == GIT_EAUTH || e == GIT_ECERTIFICATE ? INBOX_EFAIL :
	    INBOX_ETEMP;

	return inbox_error(code, "%s: %s", url,
	    ge && ge->message ? ge->message : "cannot reach the remote");
}

int
repo_remote_url(struct repo *r, const char *name, char **url)
{
	if (ensure(r) < 0)
		return -1;
	git_config *cfg;
	git_buf b = GIT_BUF_INIT;
	struct sb key = SB_INIT;
	int e;

	/* read the config, not git_remote_lookup: its insteadOf glob leaks
	 * in libgit2 1.5 */
	if (git_repository_config_snapshot(&cfg, r->g) < 0)
		return gerr(INBOX_EFAIL, "read .git/config");
	sb_addf(&key, "remote.%s.url", name);
	e = git_config_get_string_buf(&b, cfg, key.buf);
	sb_release(&key);
	git_config_free(cfg);
	if (e < 0 || !b.ptr || !*b.ptr) {
		git_buf_dispose(&b);
		git_error_clear();
		return 1;
	}
	*url = xstrdup(b.ptr);
	git_buf_dispose(&b);
	return 0;
}

static int
parse_oid(git_oid *o, const char *hex)
{
	if (git_oid_fromstr(o, hex) < 0)
		return gerr(INBOX_EFAIL, hex);
	return 0;
}

/* A remote for url, with no name and no URL rewriting. */
static int
anon_remote(struct repo *r, git_remote **rm, const char *url)
{
	git_remote_create_options o = GIT_REMOTE_CREATE_OPTIONS_INIT;

	if (tls_load() < 0)
		return -1;
	o.repository = r->g;
	o.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF |
	    GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	if (git_remote_create_with_opts(rm, url, &o) < 0)
		return gerr(INBOX_EFAIL, url);
	return 0;
}

static int
set_ref(struct repo *r, const char *ref, const git_oid *id, const char *why)
{
	git_reference *ref_out;

	if (git_reference_create(&ref_out, r->g, ref, id, 1, why) < 0)
		return gerr(INBOX_EFAIL, ref);
	git_reference_free(ref_out);
	return 0;
}

int
repo_fetch(struct repo *r, const char *url, const char *track,
    const struct repo_cred *c, char theirs[OID_HEX])
{
	if (ensure(r) < 0)
		return -1;
	git_remote *rm;
	git_remote_callbacks cb = GIT_REMOTE_CALLBACKS_INIT;
	git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
	struct remote_ctx x = { c, 0, 0, 22 };
	const git_remote_head **heads;
	size_t nh;
	git_oid id;
	int found = 0, e, ret = -1;
	struct sb spec = SB_INIT;
	char *specs[1];
	git_strarray sa = { specs, 1 };
	git_commit *commit;

	theirs[0] = '\0';
	x.port = hostkey_port(url);
	cb.credentials = cred_cb;
	cb.certificate_check = cert_cb;
	cb.payload = &x;
	if (anon_remote(r, &rm, url) < 0)
		return -1;
	if ((e = git_remote_connect(rm, GIT_DIRECTION_FETCH, &cb, NULL,
	    NULL)) < 0) {
		remote_err(e, url);
		goto out;
	}
	if ((e = git_remote_ls(&heads, &nh, rm)) < 0) {
		remote_err(e, url);
		goto out;
	}
	for (size_t i = 0; i < nh; i++)
		if (!strcmp(heads[i]->name, "refs/heads/main")) {
			git_oid_cpy(&id, &heads[i]->oid);
			found = 1;
		}
	if (!found) {
		ret = 1;
		goto out;
	}
	sb_addf(&spec, "+refs/heads/main:%s", track);
	specs[0] = spec.buf;
	fo.callbacks = cb;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fo.update_fetchhead = 0;
	if ((e = git_remote_download(rm, &sa, &fo)) < 0) {
		remote_err(e, url);
		goto out;
	}
	if (git_commit_lookup(&commit, r->g, &id) < 0) {
		gerr(INBOX_ETEMP, "fetched main is missing");
		goto out;
	}
	git_commit_free(commit);
	if (set_ref(r, track, &id, "inbox-sync: fetch") < 0)
		goto out;
	git_oid_tostr(theirs, OID_HEX, &id);
	ret = 0;
out:
	git_remote_disconnect(rm);
	git_remote_free(rm);
	sb_release(&spec);
	return ret;
}

static int
push_ref_cb(const char *ref, const char *status, void *payload)
{
	struct remote_ctx *x = payload;

	(void)ref;
	if (status)
		x->rejected = 1;
	return 0;
}

int
repo_push(struct repo *r, const char *url, const char *track,
    const struct repo_cred *c)
{
	if (ensure(r) < 0)
		return -1;
	git_remote *rm;
	git_push_options po = GIT_PUSH_OPTIONS_INIT;
	struct remote_ctx x = { c, 0, 0, 22 };
	char *specs[1] = { (char *)"refs/heads/main:refs/heads/main" };
	git_strarray sa = { specs, 1 };
	git_oid head;
	int e, ret = -1;

	if (head_oid(r, &head) != 0)
		return inbox_error(INBOX_EFAIL, "nothing to push: "
		    "refs/heads/main is missing");
	x.port = hostkey_port(url);
	po.callbacks.credentials = cred_cb;
	po.callbacks.certificate_check = cert_cb;
	po.callbacks.push_update_reference = push_ref_cb;
	po.callbacks.payload = &x;
	if (anon_remote(r, &rm, url) < 0)
		return -1;
	e = git_remote_push(rm, &sa, &po);
	if (e == GIT_ENONFASTFORWARD || (e == 0 && x.rejected)) {
		git_error_clear();
		ret = 1;
	} else if (e < 0)
		remote_err(e, url);
	else
		ret = set_ref(r, track, &head, "inbox-sync: push");
	git_remote_free(rm);
	return ret;
}

int
repo_clone(const char *url, const char *dir, const struct repo_cred *c)
{
	git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
	git_config *cfg = NULL;
	struct repo *r = NULL;
	char theirs[OID_HEX];
	git_oid id;
	int e, ret = -1;

	/* by hand, not git_clone: its remote setup leaks in libgit2 1.5 */
	if (repo_init(dir) < 0 || repo_open(&r, dir) < 0)
		return -1;
	if (ensure(r) < 0) {
		repo_close(r);
		return -1;
	}
	if (git_repository_config(&cfg, r->g) < 0 ||
	    git_config_set_string(cfg, "remote.origin.url", url) < 0 ||
	    git_config_set_string(cfg, "remote.origin.fetch",
	    "+refs/heads/*:refs/remotes/origin/*") < 0) {
		gerr(INBOX_EFAIL, "write .git/config");
		goto out;
	}
	if ((e = repo_fetch(r, url, "refs/remotes/origin/main", c,
	    theirs)) != 0) {
		if (e > 0)
			inbox_error(INBOX_EFAIL, "%s has no main branch", url);
		goto out;
	}
	if (parse_oid(&id, theirs) < 0 ||
	    set_ref(r, "refs/heads/main", &id, "inbox-sync: clone") < 0)
		goto out;
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	if (git_checkout_head(r->g, &co) < 0) {
		gerr(INBOX_EFAIL, "check out main");
		goto out;
	}
	ret = 0;
out:
	git_config_free(cfg);
	repo_close(r);
	return ret;
}

int
repo_ref(struct repo *r, const char *ref, char oid[OID_HEX])
{
	if (ensure(r) < 0)
		return -1;
	git_oid o;
	int e = git_reference_name_to_id(&o, r->g, ref);

	oid[0] = '\0';
	if (e == GIT_ENOTFOUND) {
		git_error_clear();
		return 1;
	}
	if (e < 0)
		return gerr(INBOX_EFAIL, ref);
	git_oid_tostr(oid, OID_HEX, &o);
	return 0;
}

int
repo_merge_base(struct repo *r, const char *a, const char *b,
    char base[OID_HEX])
{
	if (ensure(r) < 0)
		return -1;
	git_oid oa, ob, ox;
	int e;

	base[0] = '\0';
	if (parse_oid(&oa, a) < 0 || parse_oid(&ob, b) < 0)
		return -1;
	e = git_merge_base(&ox, r->g, &oa, &ob);
	if (e == GIT_ENOTFOUND) {
		git_error_clear();
		return 1;
	}
	if (e < 0)
		return gerr(INBOX_EFAIL, "merge base");
	git_oid_tostr(base, OID_HEX, &ox);
	return 0;
}

int
repo_ahead_behind(struct repo *r, const char *local, const char *upstream,
    size_t *ahead, size_t *behind)
{
	if (ensure(r) < 0)
		return -1;
	git_oid ol, ou;
	git_revwalk *w;

	*ahead = *behind = 0;
	if (parse_oid(&ol, local) < 0)
		return -1;
	if (upstream && *upstream) {
		if (parse_oid(&ou, upstream) < 0)
			return -1;
		if (git_graph_ahead_behind(ahead, behind, r->g, &ol, &ou) < 0)
			return gerr(INBOX_EFAIL, "count commits");
		return 0;
	}
	if (git_revwalk_new(&w, r->g) < 0 || git_revwalk_push(w, &ol) < 0)
		return gerr(INBOX_EFAIL, "revwalk");
	while (git_revwalk_next(&ou, w) == 0)
		(*ahead)++;
	git_revwalk_free(w);
	return 0;
}

static int
delta_cmp(const void *a, const void *b)
{
	return strcmp(((const struct repo_delta *)a)->path,
	    ((const struct repo_delta *)b)->path);
}

struct delta_list {
	struct repo_delta *v;
	size_t n, cap;
};

static int
delta_cb(const git_diff_delta *d, float progress, void *payload)
{
	struct delta_list *l = payload;
	struct repo_delta *x;

	(void)progress;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	x = &l->v[l->n++];
	memset(x, 0, sizeof(*x));
	if (d->status == GIT_DELTA_DELETED) {
		x->path = xstrdup(d->old_file.path);
		git_oid_tostr(x->old, OID_HEX, &d->old_file.id);
		return 0;
	}
	x->path = xstrdup(d->new_file.path);
	if (d->status != GIT_DELTA_ADDED)
		git_oid_tostr(x->old, OID_HEX, &d->old_file.id);
	git_oid_tostr(x->new, OID_HEX, &d->new_file.id);
	x->exec = d->new_file.mode == GIT_FILEMODE_BLOB_EXECUTABLE;
	return 0;
}

int
repo_diff(struct repo *r, const char *a, const char *b,
    struct repo_delta **v, size_t *n)
{
	if (ensure(r) < 0)
		return -1;
	git_diff_options o = GIT_DIFF_OPTIONS_INIT;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	struct delta_list l = { NULL, 0, 0 };
	int ret = -1;

	*v = NULL;
	*n = 0;
	if (a && *a && resolve_tree(r, a, &ta) < 0)
		return -1;
	if (resolve_tree(r, b, &tb) < 0)
		goto out;
	if (git_diff_tree_to_tree(&diff, r->g, ta, tb, &o) < 0 ||
	    git_diff_foreach(diff, delta_cb, NULL, NULL, NULL, &l) < 0) {
		gerr(INBOX_EFAIL, "diff");
		repo_deltas_free(l.v, l.n);
		goto out;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), delta_cmp);
	*v = l.v;
	*n = l.n;
	ret = 0;
out:
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	return ret;
}

void
repo_deltas_free(struct repo_delta *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

int
repo_blob(struct repo *r, const char *oid, struct sb *out)
{
	if (ensure(r) < 0)
		return -1;
	git_oid o;
	git_blob *b;

	if (parse_oid(&o, oid) < 0)
		return -1;
	if (git_blob_lookup(&b, r->g, &o) < 0)
		return gerr(INBOX_EFAIL, oid);
	sb_add(out, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
	git_blob_free(b);
	return 0;
}

/* The blob id of path in tree t, zeroed when absent; 1 when present. */
static int
entry_id(git_tree *t, const char *path, git_oid *id)
{
	git_tree_entry *e;

	memset(id, 0, sizeof(*id));
	if (!t || git_tree_entry_bypath(&e, t, path) < 0) {
		git_error_clear();
		return 0;
	}
	git_oid_cpy(id, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return 1;
}

int
repo_last_change(struct repo *r, const char *tip, const char *base,
    const char *const *paths, size_t n, time_t *when)
{
	if (ensure(r) < 0)
		return -1;
	git_revwalk *w;
	git_oid o;
	size_t left = n;

	for (size_t i = 0; i < n; i++)
		when[i] = 0;
	if (n == 0)
		return 0;
	if (parse_oid(&o, tip) < 0)
		return -1;
	if (git_revwalk_new(&w, r->g) < 0)
		return gerr(INBOX_EFAIL, "revwalk");
	git_revwalk_sorting(w, GIT_SORT_TIME);
	if (git_revwalk_push(w, &o) < 0) {
		git_revwalk_free(w);
		return gerr(INBOX_EFAIL, tip);
	}
	if (base && *base) {
		git_oid ob;

		if (parse_oid(&ob, base) < 0 || git_revwalk_hide(w, &ob) < 0) {
			git_revwalk_free(w);
			return gerr(INBOX_EFAIL, base);
		}
	}
	while (left > 0 && git_revwalk_next(&o, w) == 0) {
		git_commit *c;
		git_tree *tc = NULL, *tp[8] = { NULL };
		unsigned np;

		if (git_commit_lookup(&c, r->g, &o) < 0)
			continue;
		np = git_commit_parentcount(c);
		if (np > 8)
			np = 8;
		git_commit_tree(&tc, c);
		for (unsigned k = 0; k < np; k++) {
			git_commit *p;

			if (git_commit_parent(&p, c, k) == 0) {
				git_commit_tree(&tp[k], p);
				git_commit_free(p);
			}
		}
		for (size_t i = 0; i < n; i++) {
			git_oid ic, ip;
			int hc, changed = 1;

			if (when[i])
				continue;
			hc = entry_id(tc, paths[i], &ic);
			for (unsigned k = 0; changed && k < np; k++) {
				int hp = entry_id(tp[k], paths[i], &ip);

				if (hp == hc &&
				    (!hc || git_oid_equal(&ic, &ip)))
					changed = 0;
			}
			if (np == 0 && !hc)
				changed = 0;
			if (changed) {
				when[i] = (time_t)git_commit_time(c);
				left--;
			}
		}
		for (unsigned k = 0; k < np; k++)
			git_tree_free(tp[k]);
		git_tree_free(tc);
		git_commit_free(c);
	}
	git_revwalk_free(w);
	return 0;
}

int
repo_path_changes(struct repo *r, const char *tip, const char *base,
    const char *path, int (*cb)(time_t, const char *, const char *, void *),
    void *arg)
{
	if (ensure(r) < 0)
		return -1;
	git_revwalk *w;
	git_oid o;
	int ret = 0;

	if (parse_oid(&o, tip) < 0)
		return -1;
	if (git_revwalk_new(&w, r->g) < 0)
		return gerr(INBOX_EFAIL, "revwalk");
	git_revwalk_sorting(w, GIT_SORT_TIME);
	if (git_revwalk_push(w, &o) < 0) {
		git_revwalk_free(w);
		return gerr(INBOX_EFAIL, tip);
	}
	if (base && *base) {
		git_oid ob;

		if (parse_oid(&ob, base) < 0 || git_revwalk_hide(w, &ob) < 0) {
			git_revwalk_free(w);
			return gerr(INBOX_EFAIL, base);
		}
	}
	while (ret == 0 && git_revwalk_next(&o, w) == 0) {
		git_commit *c;
		git_tree *tc = NULL;
		git_oid ic, ip, first;
		unsigned np;
		int hc, hfirst = 0, changed = 1;

		if (git_commit_lookup(&c, r->g, &o) < 0)
			continue;
		np = git_commit_parentcount(c);
		git_commit_tree(&tc, c);
		hc = entry_id(tc, path, &ic);
		for (unsigned k = 0; k < np; k++) {
			git_commit *p;
			git_tree *tp = NULL;
			int hp = 0;

			if (git_commit_parent(&p, c, k) == 0) {
				git_commit_tree(&tp, p);
				git_commit_free(p);
			}
			hp = entry_id(tp, path, &ip);
			git_tree_free(tp);
			if (k == 0) {
				hfirst = hp;
				git_oid_cpy(&first, &ip);
			}
			if (hp == hc && (!hc || git_oid_equal(&ic, &ip)))
				changed = 0;
		}
		if (np == 0 && !hc)
			changed = 0;
		if (changed) {
			char now[OID_HEX] = "", before[OID_HEX] = "";

			if (hc)
				git_oid_tostr(now, OID_HEX, &ic);
			if (hfirst)
				git_oid_tostr(before, OID_HEX, &first);
			ret = cb((time_t)git_commit_time(c), now, before, arg);
		}
		git_tree_free(tc);
		git_commit_free(c);
	}
	git_revwalk_free(w);
	return ret < 0 ? -1 : 0;
}

int
repo_commit_merge(struct repo *r, const char *ours, const char *theirs,
    const struct repo_update *up, size_t n, const char *name,
    const char *email, time_t when, const char *msg, char out[OID_HEX])
{
	if (ensure(r) < 0)
		return -1;
	git_tree_update *tu = xcalloc(n ? n : 1, sizeof(*tu));
	git_commit *parents[2] = { NULL, NULL };
	git_tree *base = NULL, *tree = NULL;
	git_signature *sig = NULL;
	git_oid o, tree_id, commit_id;
	size_t m;
	int ret = -1;

	for (size_t i = 0; i < n; i++) {
		tu[i].path = up[i].path;
		if (up[i].del) {
			tu[i].action = GIT_TREE_UPDATE_REMOVE;
			continue;
		}
		tu[i].action = GIT_TREE_UPDATE_UPSERT;
		tu[i].filemode = up[i].exec ? GIT_FILEMODE_BLOB_EXECUTABLE :
		    GIT_FILEMODE_BLOB;
		if (up[i].oid) {
			if (parse_oid(&tu[i].id, up[i].oid) < 0)
				goto out;
		} else if (git_blob_create_from_buffer(&tu[i].id, r->g,
		    up[i].data, up[i].len) < 0) {
			gerr(INBOX_ETEMP, "write blob");
			goto out;
		}
	}
	if (parse_oid(&o, ours) < 0)
		goto out;
	if (git_commit_lookup(&parents[0], r->g, &o) < 0 ||
	    git_commit_tree(&base, parents[0]) < 0) {
		gerr(INBOX_EFAIL, ours);
		goto out;
	}
	if (theirs && *theirs && (parse_oid(&o, theirs) < 0 ||
	    git_commit_lookup(&parents[1], r->g, &o) < 0)) {
		gerr(INBOX_EFAIL, theirs);
		goto out;
	}
	m = prune_removals(base, tu, n);
	if (git_tree_create_updated(&tree_id, r->g, base, m, tu) < 0 ||
	    git_tree_lookup(&tree, r->g, &tree_id) < 0) {
		gerr(INBOX_EFAIL, "build the merged tree");
		goto out;
	}
	if (git_signature_new(&sig, name, email, (git_time_t)when, 0) < 0) {
		gerr(INBOX_EFAIL, "signature");
		goto out;
	}
	if (git_commit_create(&commit_id, r->g, NULL, sig, sig, NULL, msg,
	    tree, parents[1] ? 2 : 1, (const git_commit **)parents) < 0) {
		gerr(INBOX_ETEMP, "write the merge commit");
		goto out;
	}
	git_oid_tostr(out, OID_HEX, &commit_id);
	ret = 0;
out:
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parents[0]);
	git_commit_free(parents[1]);
	free(tu);
	return ret;
}

int
repo_move_main(struct repo *r, const char *old, const char *new,
    const char *why)
{
	if (ensure(r) < 0)
		return -1;
	git_reference *ref;
	git_oid on, oo;
	int e;

	if (parse_oid(&on, new) < 0)
		return -1;
	if (old && *old) {
		if (parse_oid(&oo, old) < 0)
			return -1;
		e = git_reference_create_matching(&ref, r->g,
		    "refs/heads/main", &on, 1, &oo, why);
	} else
		e = git_reference_create(&ref, r->g, "refs/heads/main", &on,
		    0, why);
	if (e == GIT_EMODIFIED || e == GIT_EEXISTS || e == GIT_ELOCKED)
		return gerr(INBOX_ETEMP, "refs/heads/main moved; try again");
	if (e < 0)
		return gerr(INBOX_EFAIL, "move refs/heads/main");
	git_reference_free(ref);
	return 0;
}

int
repo_export(struct repo *r, const char *rev, const char *dir)
{
	if (ensure(r) < 0)
		return -1;
	git_checkout_options o = GIT_CHECKOUT_OPTIONS_INIT;
	git_object *obj;
	int e;

	if (git_revparse_single(&obj, r->g, rev) < 0)
		return gerr(INBOX_ENOMATCH, rev);
	o.checkout_strategy = GIT_CHECKOUT_FORCE;
	o.target_directory = dir;
	o.disable_filters = 1;
	e = git_checkout_tree(r->g, obj, &o);
	git_object_free(obj);
	return e < 0 ? gerr(INBOX_EFAIL, "export") : 0;
}
