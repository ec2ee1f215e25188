/*
 * store.c - the store on disk: find, open, init, lock, change, commit.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "kv.h"
#include "store.h"

#ifndef INBOX_SHAREDIR
#define INBOX_SHAREDIR "/usr/local/share/inbox"
#endif

static const char gitignore[] =
    "# never committed: credentials, temporary files, caches\n"
    "secrets/\n"
    "tmp/\n"
    "*.lock\n";

int
store_find(const char *dir, char **out)
{
	const char *e;
	char buf[PATH_MAX];

	if (dir && *dir)
		e = dir;
	else if ((e = getenv("INBOX_DIR")) && *e)
		;
	else if ((e = getenv("XDG_DATA_HOME")) && *e) {
		snprintf(buf, sizeof(buf), "%s/inbox", e);
		e = buf;
	} else if ((e = getenv("HOME")) && *e) {
		snprintf(buf, sizeof(buf), "%s/.local/share/inbox", e);
		e = buf;
	} else
		return inbox_error(INBOX_EFAIL, "no store: use -C DIR or "
		    "set INBOX_DIR");
	*out = xstrdup(e);
	return 0;
}

static char *
absolute(const char *p)
{
	char *r = realpath(p, NULL);

	return r ? r : NULL;
}

static char *
exe_relative(const char *rel)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash, *p;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	p = path_join(exe, rel);
	if (!path_exists(p)) {
		free(p);
		return NULL;
	}
	return p;
}

const char *
store_sharedir(void)
{
	static char *dir;
	const char *e = getenv("INBOX_SHAREDIR");

	if (e && *e)
		return e;
	if (!dir) {
		if (path_exists(INBOX_SHAREDIR "/inbox.yaml"))
			dir = xstrdup(INBOX_SHAREDIR);
		else if (!(dir = exe_relative("../share/inbox.yaml")) &&
		    !(dir = exe_relative("../share/inbox/inbox.yaml")))
			dir = xstrdup(INBOX_SHAREDIR);
		else
			*strrchr(dir, '/') = '\0';
	}
	return dir;
}

const char *
store_hooksdir(void)
{
	static char *dir;
	char *p;

	if (dir)
		return dir;
	p = path_join(store_sharedir(), "hooks");
	if (path_exists(p))
		return dir = p;
	free(p);
	p = path_join(store_sharedir(), "../hooks");
	return dir = p;
}

static char *
login_name(void)
{
	const char *e = getenv("INBOX_USER");
	struct passwd *pw;

	if (e && *e)
		return xstrdup(e);
	pw = getpwuid(getuid());
	if (pw && pw->pw_name)
		return xstrdup(pw->pw_name);
	e = getenv("USER");
	return xstrdup(e && *e ? e : "unknown");
}

int
store_open(struct store **out, const char *dir, const char *cmd,
    const char *user)
{
	struct store *st;
	char *found, *root, *p;

	*out = NULL;
	if (store_find(dir, &found) < 0)
		return -1;
	root = absolute(found);
	if (!root) {
		inbox_error(INBOX_EFAIL, "no store at %s (make one with "
		    "inbox-init)", found);
		free(found);
		return -1;
	}
	p = path_join(root, ".git/inbox");
	if (!path_exists(p)) {
		inbox_error(INBOX_EFAIL, "%s is not a store (make one with "
		    "inbox-init)", found);
		free(p);
		free(found);
		free(root);
		return -1;
	}
	free(p);
	free(found);
	st = xcalloc(1, sizeof(*st));
	st->root = root;
	st->cmd = cmd;
	st->lockfd = -1;
	st->staff = -1;
	sb_init(&st->trailers);
	if (user && *user && !name_valid(user)) {
		store_close(st);
		return inbox_error(INBOX_EUSAGE, "'%s' is not a valid user "
		    "name", user);
	}
	st->user = user && *user ? xstrdup(user) : login_name();
	p = path_join(root, "inbox.yaml");
	if (config_load(&st->cfg, p) < 0) {
		free(p);
		store_close(st);
		return -1;
	}
	free(p);
	/* times are shown in the business's zone unless told otherwise */
	setenv("TZ", config_str(st->cfg, "business.timezone", "UTC"), 1);
	tzset();
	if (repo_open(&st->repo, root) < 0) {
		store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

static void changes_clear(struct store *);

void
store_close(struct store *st)
{
	if (!st)
		return;
	store_unlock(st);
	changes_clear(st);
	free(st->ch);
	free(st->chidx);
	free(st->at);
	sb_release(&st->trailers);
	config_free(st->cfg);
	repo_close(st->repo);
	free(st->user);
	free(st->root);
	free(st);
}

char *
store_path(const struct store *st, const char *rel)
{
	return path_join(st->root, rel);
}

/* --- lock ------------------------------------------------------------ */

int
store_lock(struct store *st)
{
	const char *e = getenv("INBOX_LOCK_TIMEOUT");
	long long timeout = e && *e ? atoll(e) :
	    config_int(st->cfg, "store.lock-timeout", 10);
	char *p;
	struct timespec start, now;

	if (st->lockfd >= 0)
		return 0;
	p = path_join(st->root, ".git/inbox/lock");
	st->lockfd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	free(p);
	if (st->lockfd < 0)
		return inbox_error(INBOX_ETEMP, "open store lock:");
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(st->lockfd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };

		if (errno != EWOULDBLOCK && errno != EINTR) {
			close(st->lockfd);
			st->lockfd = -1;
			return inbox_error(INBOX_ETEMP, "lock store:");
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= timeout) {
			close(st->lockfd);
			st->lockfd = -1;
			return inbox_error(INBOX_ETEMP, "store is busy (locked "
			    "by another command for %llds); try again",
			    timeout);
		}
		nanosleep(&ts, NULL);
	}
	FAULT("while-locked");
	return 0;
}

void
store_unlock(struct store *st)
{
	if (st->lockfd < 0)
		return;
	flock(st->lockfd, LOCK_UN);
	close(st->lockfd);
	st->lockfd = -1;
}

/* --- changes --------------------------------------------------------- */

/* The slot of rel in the index of changes: its entry, or the empty one. */
static uint32_t *
change_slot(struct store *st, const char *rel)
{
	size_t mask = st->chslots - 1, i = mem_hash(rel, strlen(rel)) & mask;

	while (st->chidx[i] && strcmp(st->ch[st->chidx[i] - 1].path, rel))
		i = (i + 1) & mask;
	return &st->chidx[i];
}

static void
changes_grow(struct store *st)
{
	st->chslots = st->chslots ? st->chslots * 2 : 64;
	free(st->chidx);
	st->chidx = xcalloc(st->chslots, sizeof(*st->chidx));
	for (size_t i = 0; i < st->nch; i++)
		*change_slot(st, st->ch[i].path) = (uint32_t)i + 1;
}

/*
 * The changes' paths, kept in blocks of 64 KB let go together: a batch
 * records tens of thousands, and malloc() adds 16 bytes to each.
 */
struct pathblk {
	struct pathblk *prev;
	size_t used, cap;
	char s[];
};

static char *
path_keep(struct store *st, const char *rel)
{
	size_t n = strlen(rel) + 1;
	struct pathblk *b = st->paths;

	if (!b || b->cap - b->used < n) {
		size_t cap = n > 65536 - sizeof(*b) ? n : 65536 - sizeof(*b);

		b = xmalloc(sizeof(*b) + cap);
		b->prev = st->paths;
		b->used = 0;
		b->cap = cap;
		st->paths = b;
	}
	memcpy(b->s + b->used, rel, n);
	b->used += n;
	return b->s + b->used - n;
}

static void
changes_clear(struct store *st)
{
	for (size_t i = 0; i < st->nch; i++)
		free(st->ch[i].data);
	while (st->paths) {
		struct pathblk *b = st->paths;

		st->paths = b->prev;
		free(b);
	}
	st->nch = 0;
	if (st->chidx)
		memset(st->chidx, 0, st->chslots * sizeof(*st->chidx));
}

/*
 * A change to commit.  In bulk its blob is written now, so that a batch
 * of thousands holds names, not contents, until its commit; otherwise
 * the commit writes it, and a full disk fails the commit, not the write.
 */
static int
record(struct store *st, const char *rel, int del, int exec,
    const void *buf, size_t len)
{
	struct repo_change c = { 0 }, *old;
	uint32_t *slot;

	c.del = (unsigned char)del;
	c.exec = (unsigned char)exec;
	if (!del && st->bulk) {
		if (repo_blob_write(st->repo, buf, len, c.oid) < 0)
			return -1;
		c.written = 1;
	} else if (!del) {
		c.data = xmalloc(len + 1);
		memcpy(c.data, buf, len);
		c.len = len;
	}
	if ((st->nch + 1) * 2 > st->chslots)
		changes_grow(st);
	slot = change_slot(st, rel);
	if (*slot) {
		old = &st->ch[*slot - 1];
		c.path = old->path;
		free(old->data);
		*old = c;
		return 0;
	}
	if (st->nch == st->chcap) {
		st->chcap = st->chcap ? st->chcap * 2 : 8;
		st->ch = xrealloc(st->ch, st->chcap * sizeof(*st->ch));
	}
	c.path = path_keep(st, rel);
	st->ch[st->nch++] = c;
	*slot = (uint32_t)st->nch;
	return 0;
}

static int
rel_ok(const char *rel)
{
	if (!*rel || rel[0] == '/' || strstr(rel, "..") ||
	    !strcmp(rel, ".git") || str_startswith(rel, ".git/"))
		return inbox_error(INBOX_EFAIL, "bad store path '%s'", rel);
	return 0;
}

static int
ensure_parent(const char *abs)
{
	char *d = xstrdup(abs), *s = strrchr(d, '/');
	int r = 0;

	if (s) {
		*s = '\0';
		if (!path_exists(d))
			r = mkdir_p(d);
	}
	free(d);
	return r;
}

static int
put(struct store *st, const char *rel, const void *buf, size_t len,
    int exec)
{
	char *abs;
	int r;

	if (rel_ok(rel) < 0)
		return -1;
	abs = store_path(st, rel);
	{
		/* the same bytes again change nothing: no empty commits */
		struct sb old = SB_INIT;
		int same = sb_read_file(&old, abs, len + 1) == 0 &&
		    old.len == len && memcmp(old.buf, buf, len) == 0;

		sb_release(&old);
		inbox_error_clear();
		if (same) {
			free(abs);
			return 0;
		}
	}
	/* the directory is most often there: made only when the write
	 * fails, and the write tried again */
	r = write_atomic(abs, buf, len, exec ? 0755 : 0644);
	if (r < 0) {
		inbox_error_clear();
		r = ensure_parent(abs);
		if (r == 0)
			r = write_atomic(abs, buf, len, exec ? 0755 : 0644);
	}
	free(abs);
	return r < 0 ? -1 : record(st, rel, 0, exec, buf, len);
}

int
store_put(struct store *st, const char *rel, const void *buf, size_t len)
{
	return put(st, rel, buf, len, 0);
}

static int io_class(void);

int
store_put_new(struct store *st, const char *rel, const void *buf, size_t len)
{
	char *abs;
	int fd, r = -1;

	if (!st->bulk)
		return put(st, rel, buf, len, 0);
	if (rel_ok(rel) < 0)
		return -1;
	abs = store_path(st, rel);
	fd = open(abs, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT && ensure_parent(abs) == 0)
		fd = open(abs, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		inbox_error_clear();
		free(abs);
		return put(st, rel, buf, len, 0);	/* there: replace it */
	}
	if (write_all(fd, buf, len) == 0 && close(fd) == 0)
		r = record(st, rel, 0, 0, buf, len);
	else {
		inbox_error(io_class(), "write %s:", abs);
		close(fd);
		unlink(abs);
	}
	free(abs);
	return r;
}

int
store_put_exec(struct store *st, const char *rel, const void *buf,
    size_t len)
{
	return put(st, rel, buf, len, 1);
}

static int
io_class(void)
{
	return errno == ENOSPC || errno == EDQUOT || errno == EIO ?
	    INBOX_ETEMP : INBOX_EFAIL;
}

/* A maildir's tmp/, new/ and cur/, made when missing. */
static int
maildir_dirs(struct store *st, const char *mdir)
{
	static const char *subs[] = { "tmp", "new", "cur" };
	char *d = path_join(st->root, mdir);
	int r = 0;

	for (int i = 0; i < 3 && r == 0; i++) {
		char *s = path_join(d, subs[i]);

		r = path_exists(s) ? 0 : mkdir_p(s);
		free(s);
	}
	free(d);
	return r;
}

int
store_deliver(struct store *st, const char *mdir, const char *sub,
    const char *name, const void *buf, size_t len)
{
	struct sb tmp = SB_INIT, dst = SB_INIT, rel = SB_INIT;
	int fd = -1, ret = -1;

	if (rel_ok(mdir) < 0)
		return -1;
	sb_addf(&tmp, "%s/%s/tmp", st->root, mdir);
	sb_addf(&tmp, "/%s", name);
	sb_addf(&dst, "%s/%s/%s/%s", st->root, mdir, sub, name);
	sb_addf(&rel, "%s/%s/%s", mdir, sub, name);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	/* git keeps no empty directories: tmp/ may be gone */
	if (fd < 0 && errno == ENOENT) {
		if (maildir_dirs(st, mdir) < 0)
			goto out;
		fd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644);
	}
	if (fd < 0) {
		inbox_error(io_class(), "create %s:", tmp.buf);
		goto out;
	}
	if (write_all(fd, buf, len) < 0) {
		inbox_error(io_class(), "write %s:", tmp.buf);
		goto fail;
	}
	FAULT("after-tmp-write");
	if (fsync_fd(fd) < 0) {
		inbox_error(io_class(), "fsync %s:", tmp.buf);
		goto fail;
	}
	FAULT("after-fsync");
	if (close(fd) < 0) {
		fd = -1;
		inbox_error(io_class(), "close %s:", tmp.buf);
		goto fail;
	}
	fd = -1;
	/* link() refuses to overwrite, like rename with RENAME_NOREPLACE;
	 * new/ or cur/ may be gone too */
	if (link(tmp.buf, dst.buf) < 0 && (errno != ENOENT ||
	    maildir_dirs(st, mdir) < 0 || link(tmp.buf, dst.buf) < 0)) {
		inbox_error(io_class(), "deliver %s:", dst.buf);
		goto fail;
	}
	unlink(tmp.buf);
	FAULT("after-rename");
	if (fsync_dir(dst.buf) < 0)
		goto out;
	if (record(st, rel.buf, 0, 0, buf, len) == 0)
		ret = 0;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp.buf);
out:
	sb_release(&tmp);
	sb_release(&dst);
	sb_release(&rel);
	return ret;
}

int
store_remove(struct store *st, const char *rel)
{
	char *abs;

	if (rel_ok(rel) < 0)
		return -1;
	abs = store_path(st, rel);
	if (unlink(abs) < 0 && errno != ENOENT) {
		inbox_error(INBOX_EFAIL, "remove %s:", rel);
		free(abs);
		return -1;
	}
	fsync_dir(abs);
	free(abs);
	record(st, rel, 1, 0, NULL, 0);
	return 0;
}

int
store_track(struct store *st, const char *rel)
{
	struct sb s = SB_INIT;
	char *abs;
	struct stat sbuf;
	int r;

	if (rel_ok(rel) < 0)
		return -1;
	abs = store_path(st, rel);
	if (stat(abs, &sbuf) < 0) {
		free(abs);
		record(st, rel, 1, 0, NULL, 0);
		return 0;
	}
	r = sb_read_file(&s, abs, 0);
	if (r == 0)
		r = record(st, rel, 0, (sbuf.st_mode & 0100) != 0, s.buf,
		    s.len);
	free(abs);
	sb_release(&s);
	return r;
}

int
store_rename(struct store *st, const char *from, const char *to)
{
	char *a, *b;
	int r;

	if (rel_ok(from) < 0 || rel_ok(to) < 0)
		return -1;
	a = store_path(st, from);
	b = store_path(st, to);
	r = ensure_parent(b);
	if (r == 0 && rename(a, b) < 0)
		r = inbox_error(io_class(), "rename %s:", from);
	if (r == 0) {
		fsync_dir(b);
		fsync_dir(a);
		record(st, from, 1, 0, NULL, 0);
		r = store_track(st, to);
	}
	free(a);
	free(b);
	return r;
}

int
store_bulk(struct store *st, int on)
{
	if (repo_bulk(st->repo, on) < 0)
		return -1;
	st->bulk = on;
	return 0;
}

void
store_trailer(struct store *st, const char *key, const char *val)
{
	char *v = xstrdup(val);

	for (char *p = v; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	sb_addf(&st->trailers, "%s: %s\n", key, v);
	free(v);
}

size_t
store_pending(const struct store *st)
{
	return st->nch;
}

void
store_author(struct store *st, char **name, char **email)
{
	const char *domain = config_str(st->cfg, "business.domain", NULL);

	*name = xstrdup(st->user);
	if (domain) {
		struct sb s = SB_INIT;

		sb_addf(&s, "%s@%s", st->user, domain);
		*email = sb_detach(&s, NULL);
	} else {
		struct sb s = SB_INIT;

		sb_addf(&s, "%s@inbox", st->user);
		*email = sb_detach(&s, NULL);
	}
}

int
store_commit(struct store *st, const char *fmt, ...)
{
	struct sb msg = SB_INIT;
	char *name, *email;
	va_list ap;
	int r;

	if (st->nch == 0) {
		sb_reset(&st->trailers);
		return 1;
	}
	sb_addf(&msg, "%s: ", st->cmd);
	va_start(ap, fmt);
	sb_vaddf(&msg, fmt, ap);
	va_end(ap);
	/* one-line subject */
	for (char *p = msg.buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	sb_addc(&msg, '\n');
	if (st->trailers.len) {
		/* the subject goes in front of the trailers, which are not
		 * copied: a batch's are a megabyte */
		struct sb t = st->trailers;

		sb_addc(&msg, '\n');
		sb_grow(&t, msg.len);
		memmove(t.buf + msg.len, t.buf, t.len + 1);
		memcpy(t.buf, msg.buf, msg.len);
		t.len += msg.len;
		sb_release(&msg);
		msg = t;
		sb_init(&st->trailers);
	}
	store_author(st, &name, &email);
	r = repo_commit(st->repo, st->ch, st->nch, name, email, inbox_now(),
	    msg.buf, st->head);
	free(name);
	free(email);
	sb_release(&msg);
	changes_clear(st);
	sb_reset(&st->trailers);
	return r;
}

/* --- init ------------------------------------------------------------ */

static int
copy_tree(struct store *st, const char *src, const char *rel, int exec)
{
	DIR *d = opendir(src);
	struct dirent *e;
	int r = 0;

	if (!d)
		return 0;	/* nothing shipped */
	while (r == 0 && (e = readdir(d))) {
		char *s, *t;
		struct sb buf = SB_INIT;
		struct stat sbuf;

		if (e->d_name[0] == '.' || str_endswith(e->d_name, "~"))
			continue;
		s = path_join(src, e->d_name);
		t = path_join(rel, e->d_name);
		if (stat(s, &sbuf) == 0 && S_ISREG(sbuf.st_mode)) {
			r = sb_read_file(&buf, s, 0);
			if (r == 0)
				r = put(st, t, buf.buf, buf.len,
				    exec && (sbuf.st_mode & 0111));
		}
		sb_release(&buf);
		free(s);
		free(t);
	}
	closedir(d);
	return r;
}

int
store_init(const char *dir, const char *user)
{
	struct store *st;
	struct sb yaml = SB_INIT;
	char *p, *share;
	int r;

	p = path_join(dir, ".git/inbox");
	if (path_exists(p)) {
		free(p);
		return inbox_error(INBOX_EFAIL, "%s is already a store", dir);
	}
	free(p);
	p = path_join(dir, ".git");
	if (path_exists(p)) {
		free(p);
		return inbox_error(INBOX_EFAIL, "%s is already a git "
		    "repository; give a new directory", dir);
	}
	free(p);
	if (mkdir_p(dir) < 0 || repo_init(dir) < 0)
		return -1;
	p = path_join(dir, ".git/inbox");
	r = mkdir_p(p);
	free(p);
	if (r < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		char *s = path_join(dir, i ? "tmp" : "secrets");

		if (mkdir(s, i ? 0755 : 0700) < 0 && errno != EEXIST)
			r = inbox_error(INBOX_EFAIL, "mkdir %s:", s);
		free(s);
		if (r < 0)
			return -1;
	}
	if (store_open(&st, dir, "inbox-init", user) < 0)
		return -1;
	share = path_join(store_sharedir(), "inbox.yaml");
	if (sb_read_file(&yaml, share, 0) < 0) {
		inbox_error(INBOX_EFAIL, "cannot read the sample config "
		    "%s (set INBOX_SHAREDIR)", share);
		r = -1;
	}
	free(share);
	if (r == 0)
		r = store_put(st, ".gitignore", gitignore, sizeof(gitignore) - 1);
	if (r == 0)
		r = store_put(st, "inbox.yaml", yaml.buf, yaml.len);
	sb_release(&yaml);
	if (r == 0) {
		/* the new inbox.yaml names the domain of commit authors */
		char *cfg = path_join(st->root, "inbox.yaml");

		config_free(st->cfg);
		r = config_load(&st->cfg, cfg);
		free(cfg);
	}
	if (r == 0)
		r = copy_tree(st, store_hooksdir(), "hooks", 1);
	if (r == 0) {
		char *t = path_join(store_sharedir(), "templates");

		r = copy_tree(st, t, "templates", 0);
		free(t);
	}
	if (r == 0 && store_lock(st) == 0) {
		r = store_commit(st, "new store") < 0 ? -1 : 0;
		if (r == 0)
			r = repo_reindex(st->repo);
	} else
		r = -1;
	store_close(st);
	return r;
}

int
store_set_at(struct store *st, time_t when)
{
	char oid[OID_HEX];
	int r;

	if ((r = repo_commit_at(st->repo, when, oid)) != 0)
		return r < 0 ? -1 : inbox_error(INBOX_ENOMATCH, "the store "
		    "had no history yet at that time");
	free(st->at);
	st->at = xstrdup(oid);
	return 0;
}

int
store_read(struct store *st, const char *rel, struct sb *out, size_t max)
{
	char *abs;
	int r;

	if (st->at) {
		r = repo_read(st->repo, st->at, rel, out);
		if (r == 0 && max && out->len > max)
			return inbox_error(INBOX_EDATA, "%s: larger than %zu "
			    "bytes", rel, max);
		return r == 1 ? inbox_error(INBOX_ENOMATCH, "%s: not there "
		    "at %.12s", rel, st->at) : r;
	}
	abs = store_path(st, rel);
	r = sb_read_file(out, abs, max);
	free(abs);
	return r;
}

int
store_kv_load(struct store *st, const char *rel, struct kv *kv)
{
	struct sb s = SB_INIT;
	int r;

	if (store_read(st, rel, &s, 1 << 20) < 0) {
		sb_release(&s);
		return -1;
	}
	r = kv_parse(kv, s.buf, s.len);
	if (r < 0)
		inbox_error(INBOX_EDATA, "%s: %s", rel, inbox_errmsg());
	sb_release(&s);
	return r;
}

struct list_ctx {
	int (*cb)(const char *, void *);
	void *arg;
};

static int
list_cb(const char *name, int is_dir, void *arg)
{
	struct list_ctx *l = arg;

	(void)is_dir;
	return l->cb(name, l->arg);
}

int
store_list(struct store *st, const char *rel,
    int (*cb)(const char *name, void *arg), void *arg)
{
	char *abs;
	DIR *d;
	struct dirent *e;

	if (st->at) {
		struct list_ctx l = { cb, arg };

		return repo_ls_tree(st->repo, st->at, rel, list_cb, &l) < 0 ?
		    -1 : 0;
	}
	abs = store_path(st, rel);
	d = opendir(abs);
	free(abs);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && cb(e->d_name, arg))
			break;
	closedir(d);
	return 0;
}
