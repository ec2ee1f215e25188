/*
 * fsck.c - check the store against git and the maildir rules; repair what
 * a crash can leave.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "fsck.h"
#include "inbound.h"
#include "mime.h"
#include "msg.h"
#include "summary.h"
#include "words.h"

/* What the store tracks at its top level; tmp/ and secrets/ never. */
static const char *tracked[] = { "conv", "contacts", "addr", "idx", "jobs",
    "hooks", "templates", "inbox.yaml", ".gitignore" };

/* Git's own lock files a dead writer can leave. */
static const char *gitlocks[] = { ".git/HEAD.lock", ".git/config.lock",
    ".git/index.lock", ".git/packed-refs.lock",
    ".git/refs/heads/main.lock" };

static const char *kinds[] = { "corrupt", "uncommitted", "missing",
    "stale-tmp", "stale-lock", "bad-name", "bad-message", "bad-file",
    "spooled", "duplicate" };

struct headfile {
	char *path;
	char oid[OID_HEX];
	int seen;
};

struct uniqref {
	char *uniq;
	char *path;		/* conv/xx/ID/{new,cur}/NAME */
	int inhead;
};

/* A message carrying a provider id that the index gives to another. */
struct pidref {
	char *path;
	char *owner;		/* CONV/UNIQ from idx/pid/ */
	int inhead;
};

enum dirkind { D_PLAIN, D_TMP, D_NEW, D_CUR };

struct check {
	struct store *st;
	struct fsck *f;
	struct headfile *head;
	size_t nhead, headcap;
	int nohead;		/* HEAD's files could not be listed */
	struct uniqref *u;
	size_t nu, ucap;
	struct pidref *pd;
	size_t npd, pdcap;
	int busy;		/* another process holds the store lock */
	long long timeout;
	time_t now;
};

const char *
fsck_kind_name(enum fsck_kind kind)
{
	return (size_t)kind < sizeof(kinds) / sizeof(*kinds) ? kinds[kind] :
	    "unknown";
}

static struct fsck_problem *
problem(struct fsck *f, enum fsck_kind kind, const char *path,
    const char *fmt, ...)
{
	struct fsck_problem *p;
	struct sb s = SB_INIT;
	va_list ap;

	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
	}
	p = &f->v[f->n++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->path = xstrdup(path);
	va_start(ap, fmt);
	sb_vaddf(&s, fmt, ap);
	va_end(ap);
	for (char *q = s.buf; *q; q++)
		if (*q == '\t' || *q == '\n' || *q == '\r')
			*q = ' ';
	p->what = sb_detach(&s, NULL);
	return p;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_head(const void *a, const void *b)
{
	return strcmp(((const struct headfile *)a)->path,
	    ((const struct headfile *)b)->path);
}

static int
cmp_uniq(const void *a, const void *b)
{
	const struct uniqref *x = a, *y = b;
	int c = strcmp(x->uniq, y->uniq);

	return c ? c : strcmp(x->path, y->path);
}

static int
cmp_problem(const void *a, const void *b)
{
	const struct fsck_problem *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : (int)x->kind - (int)y->kind;
}

/* 1 when some other process holds the store lock. */
static int
lock_busy(struct store *st)
{
	char *p;
	int fd, busy = 0;

	if (st->lockfd >= 0)
		return 0;	/* we hold it */
	p = store_path(st, ".git/inbox/lock");
	fd = open(p, O_RDONLY | O_CLOEXEC);
	free(p);
	if (fd < 0)
		return 0;	/* no lock file: nobody ever locked */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		busy = errno == EWOULDBLOCK;
	else
		flock(fd, LOCK_UN);
	close(fd);
	return busy;
}

static long long
lock_timeout(struct store *st)
{
	const char *e = getenv("INBOX_LOCK_TIMEOUT");

	return e && *e ? atoll(e) : config_int(st->cfg, "store.lock-timeout",
	    10);
}

/* The sorted entries of a directory; -1 when it cannot be read. */
static int
list_dir(const char *abs, char ***names, size_t *n)
{
	DIR *d = opendir(abs);
	struct dirent *e;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 32;
			*names = xrealloc(*names, cap * sizeof(**names));
		}
		(*names)[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return 0;
}

/* conv/xx/ID/{tmp,new,cur} are maildir directories. */
static enum dirkind
classify(const char *rel)
{
	const char *p = rel;
	int slashes = 0;

	if (!str_startswith(rel, "conv/"))
		return D_PLAIN;
	for (; *p; p++)
		slashes += *p == '/';
	if (slashes != 3)
		return D_PLAIN;
	p = strrchr(rel, '/') + 1;
	return !strcmp(p, "tmp") ? D_TMP : !strcmp(p, "new") ? D_NEW :
	    !strcmp(p, "cur") ? D_CUR : D_PLAIN;
}

/* The kind of directory a file is in. */
static enum dirkind
classify_file(const char *rel)
{
	char *d = xstrdup(rel), *slash = strrchr(d, '/');
	enum dirkind k = D_PLAIN;

	if (slash) {
		*slash = '\0';
		k = classify(d);
	}
	free(d);
	return k;
}

static int
collect_head(const char *path, const char *oid, void *arg)
{
	struct check *c = arg;
	struct headfile *h;

	if (c->nhead == c->headcap) {
		c->headcap = c->headcap ? 2 * c->headcap : 256;
		c->head = xrealloc(c->head, c->headcap * sizeof(*c->head));
	}
	h = &c->head[c->nhead++];
	h->path = xstrdup(path);
	snprintf(h->oid, sizeof(h->oid), "%s", oid);
	h->seen = 0;
	return 0;
}

static struct headfile *
head_find(struct check *c, const char *path)
{
	struct headfile key;

	key.path = (char *)path;
	return c->nhead ? bsearch(&key, c->head, c->nhead, sizeof(*c->head),
	    cmp_head) : NULL;
}

static int
report_corrupt(const char *path, const char *oid, void *arg)
{
	struct check *c = arg;

	problem(c->f, FSCK_CORRUPT, path, "object %s is missing or corrupt",
	    oid);
	return 0;
}

static void
check_lock(struct check *c, const char *rel, const struct stat *sb)
{
	if (c->busy || c->now - sb->st_mtime <= c->timeout)
		return;
	problem(c->f, FSCK_STALE_LOCK, rel, "left behind: older than the "
	    "lock timeout and the store is not locked");
}

/* The conversation id in "conv/xx/ID/...": where it starts, its length. */
static const char *
conv_of(const char *path, size_t *len)
{
	const char *p = strchr(path, '/'), *e;

	p = p ? strchr(p + 1, '/') : NULL;
	if (!p || !(e = strchr(p + 1, '/'))) {
		*len = 0;
		return path;
	}
	*len = (size_t)(e - p - 1);
	return p + 1;
}

/* conv/xx/ID/new/NAME -> "ID/UNIQ" */
static char *
msg_id_of(const char *rel, const char *uniq)
{
	struct sb s = SB_INIT;
	size_t n;
	const char *id = conv_of(rel, &n);

	sb_add(&s, id, n);
	sb_addf(&s, "/%s", uniq);
	return sb_detach(&s, NULL);
}

/* Remember a message whose provider id the index gives to another. */
static void
check_pid(struct check *c, const char *rel, const char *uniq,
    const char *pid, int inhead)
{
	char *owner = pid_lookup(c->st, pid), *me;

	if (!owner)
		return;
	me = msg_id_of(rel, uniq);
	if (strcmp(owner, me) && strcmp(strchr(owner, '/') ?
	    strchr(owner, '/') + 1 : owner, uniq)) {
		if (c->npd == c->pdcap) {
			c->pdcap = c->pdcap ? 2 * c->pdcap : 16;
			c->pd = xrealloc(c->pd, c->pdcap * sizeof(*c->pd));
		}
		c->pd[c->npd].path = xstrdup(rel);
		c->pd[c->npd].owner = owner;
		c->pd[c->npd++].inhead = inhead;
		owner = NULL;
	}
	free(owner);
	free(me);
}

static void
check_message(struct check *c, const char *rel, enum dirkind dk,
    const struct sb *buf, int inhead)
{
	const char *name = strrchr(rel, '/') + 1;
	char *uniq = NULL, flags[64];
	struct mail m;
	const char *h;
	int ok, parsed;

	ok = msg_parse_name(name, &uniq, flags, sizeof(flags)) == 0 &&
	    name_valid(uniq);
	for (const char *p = flags; ok && *p; p++)
		ok = isalpha((unsigned char)*p);
	if (!ok)
		problem(c->f, FSCK_BAD_NAME, rel, "not a maildir name");
	else if (dk == D_CUR && !strstr(name, ":2,"))
		problem(c->f, FSCK_BAD_NAME, rel, "in cur/ without \":2,\" "
		    "and flags");
	parsed = mail_parse(&m, buf->buf, buf->len) == 0;
	if (!parsed) {
		problem(c->f, FSCK_BAD_MESSAGE, rel, "does not parse: %s",
		    inbox_errmsg());
		inbox_error_clear();
	} else if (!(h = mail_get(&m, "X-Inbox-Channel")) || !*h)
		problem(c->f, FSCK_BAD_MESSAGE, rel, "no X-Inbox-Channel "
		    "header");
	else if (!(h = mail_get(&m, "X-Inbox-Direction")) || !*h)
		problem(c->f, FSCK_BAD_MESSAGE, rel, "no X-Inbox-Direction "
		    "header");
	if (ok && parsed && (h = mail_get(&m, "X-Inbox-Provider-Id")) && *h)
		check_pid(c, rel, uniq, h, inhead);
	if (parsed)
		mail_free(&m);
	if (ok) {
		if (c->nu == c->ucap) {
			c->ucap = c->ucap ? 2 * c->ucap : 256;
			c->u = xrealloc(c->u, c->ucap * sizeof(*c->u));
		}
		c->u[c->nu].uniq = uniq;
		c->u[c->nu].inhead = inhead;
		c->u[c->nu++].path = xstrdup(rel);
		uniq = NULL;
	}
	free(uniq);
}

/* A regular file of the work tree: against HEAD, and as a message. */
static void
check_file(struct check *c, const char *rel, enum dirkind dk)
{
	struct sb buf = SB_INIT;
	char *abs = store_path(c->st, rel), oid[OID_HEX];
	struct headfile *h = NULL;

	if (sb_read_file(&buf, abs, 0) < 0) {
		problem(c->f, FSCK_BAD_FILE, rel, "cannot read: %s",
		    inbox_errmsg());
		inbox_error_clear();
		goto out;
	}
	if (!c->nohead && repo_hash(buf.buf, buf.len, oid) == 0) {
		if (!(h = head_find(c, rel)))
			problem(c->f, FSCK_UNCOMMITTED, rel, "in the work "
			    "tree, not in HEAD");
		else {
			h->seen = 1;
			if (strcmp(h->oid, oid))
				problem(c->f, FSCK_UNCOMMITTED, rel, "differs "
				    "from HEAD")->inhead = 1;
		}
	}
	if (dk == D_NEW || dk == D_CUR)
		check_message(c, rel, dk, &buf, h != NULL);
out:
	sb_release(&buf);
	free(abs);
}

/* Walk one tracked top-level directory without recursion. */
static void
walk(struct check *c, const char *top)
{
	char **stack = NULL;
	size_t n = 0, cap = 0;

	stack = xrealloc(stack, (cap = 16) * sizeof(*stack));
	stack[n++] = xstrdup(top);
	while (n > 0) {
		char *dir = stack[--n], *abs = store_path(c->st, dir);
		enum dirkind dk = classify(dir);
		char **names;
		size_t k;

		if (list_dir(abs, &names, &k) < 0) {
			problem(c->f, FSCK_BAD_FILE, dir, "cannot read the "
			    "directory: %s", strerror(errno));
			k = 0;
		}
		for (size_t i = 0; i < k; i++) {
			struct sb rel = SB_INIT;
			char *a;
			struct stat sb;

			sb_addf(&rel, "%s/%s", dir, names[i]);
			a = path_join(abs, names[i]);
			if (lstat(a, &sb) < 0)
				;	/* gone meanwhile */
			else if (S_ISREG(sb.st_mode) &&
			    str_endswith(names[i], ".lock"))
				check_lock(c, rel.buf, &sb);
			else if (dk == D_TMP) {
				if (!S_ISREG(sb.st_mode))
					problem(c->f, FSCK_BAD_FILE, rel.buf,
					    "not a regular file");
				else if (!c->busy)
					problem(c->f, FSCK_STALE_TMP, rel.buf,
					    "a delivery that never finished");
			} else if (S_ISDIR(sb.st_mode) && dk != D_PLAIN)
				problem(c->f, FSCK_BAD_NAME, rel.buf,
				    "a directory in a maildir");
			else if (S_ISDIR(sb.st_mode)) {
				if (n == cap)
					stack = xrealloc(stack, (cap *= 2) *
					    sizeof(*stack));
				stack[n++] = sb_detach(&rel, NULL);
			} else if (S_ISREG(sb.st_mode))
				check_file(c, rel.buf, dk);
			else
				problem(c->f, FSCK_BAD_FILE, rel.buf,
				    "not a regular file");
			sb_release(&rel);
			free(a);
			free(names[i]);
		}
		free(names);
		free(abs);
		free(dir);
	}
	free(stack);
}

static void
check_top(struct check *c)
{
	char **names;
	size_t k;

	for (size_t i = 0; i < sizeof(tracked) / sizeof(*tracked); i++) {
		char *a = store_path(c->st, tracked[i]);
		struct stat sb;

		if (lstat(a, &sb) == 0) {
			if (S_ISDIR(sb.st_mode))
				walk(c, tracked[i]);
			else if (S_ISREG(sb.st_mode))
				check_file(c, tracked[i], D_PLAIN);
			else
				problem(c->f, FSCK_BAD_FILE, tracked[i],
				    "not a regular file");
		}
		free(a);
	}
	/* inbox.yaml.lock and the like */
	if (list_dir(c->st->root, &names, &k) < 0)
		return;
	for (size_t i = 0; i < k; i++) {
		char *a = store_path(c->st, names[i]);
		struct stat sb;

		if (str_endswith(names[i], ".lock") && lstat(a, &sb) == 0 &&
		    S_ISREG(sb.st_mode))
			check_lock(c, names[i], &sb);
		free(a);
		free(names[i]);
	}
	free(names);
}

static void
check_git_locks(struct check *c)
{
	for (size_t i = 0; i < sizeof(gitlocks) / sizeof(*gitlocks); i++) {
		char *a = store_path(c->st, gitlocks[i]);
		struct stat sb;

		if (lstat(a, &sb) == 0 && S_ISREG(sb.st_mode))
			check_lock(c, gitlocks[i], &sb);
		free(a);
	}
}

static void
check_spool(struct check *c)
{
	char *abs = store_path(c->st, INBOUND_SPOOL);
	char **names;
	size_t k;

	if (list_dir(abs, &names, &k) < 0) {
		free(abs);
		return;
	}
	for (size_t i = 0; i < k; i++) {
		struct sb rel = SB_INIT;
		char *a = path_join(abs, names[i]);
		struct stat sb;

		sb_addf(&rel, INBOUND_SPOOL "/%s", names[i]);
		if (lstat(a, &sb) == 0 && S_ISREG(sb.st_mode)) {
			if (str_endswith(names[i], ".lock"))
				check_lock(c, rel.buf, &sb);
			else
				problem(c->f, FSCK_SPOOLED, rel.buf, "a raw "
				    "payload received but not filed");
		}
		sb_release(&rel);
		free(a);
		free(names[i]);
	}
	free(names);
	free(abs);
}

/* HEAD's files the walk did not meet. */
static void
check_unseen(struct check *c)
{
	for (size_t i = 0; i < c->nhead; i++) {
		struct headfile *h = &c->head[i];
		char *a, oid[OID_HEX];
		struct stat sb;
		struct sb buf = SB_INIT;

		if (h->seen)
			continue;
		a = store_path(c->st, h->path);
		if (lstat(a, &sb) < 0)
			problem(c->f, FSCK_MISSING, h->path, "in HEAD, not in "
			    "the work tree");
		else if (S_ISREG(sb.st_mode) && sb_read_file(&buf, a, 0) == 0 &&
		    repo_hash(buf.buf, buf.len, oid) == 0 &&
		    strcmp(oid, h->oid))
			problem(c->f, FSCK_UNCOMMITTED, h->path, "differs from "
			    "HEAD")->inhead = 1;
		inbox_error_clear();
		sb_release(&buf);
		free(a);
	}
}

/* The conversation directory of a message path, its length. */
static size_t
conv_prefix(const char *path)
{
	const char *p = path;

	for (int i = 0; i < 3 && p; i++)
		if ((p = strchr(p, '/')))
			p++;
	return p ? (size_t)(p - path) : 0;
}

static int
cmp_uniq_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct uniqref *)elem)->uniq);
}

/*
 * A provider's message filed twice under two names (a crash after the
 * delivery, before the index was written, and the provider's retry):
 * the copy the index does not name is the duplicate.
 */
static void
check_pid_duplicates(struct check *c)
{
	for (size_t i = 0; i < c->npd; i++) {
		struct pidref *d = &c->pd[i];
		const char *slash = strchr(d->owner, '/');
		struct uniqref *u;
		struct fsck_problem *p;
		size_t k, seen = 0;

		if (!slash || !c->nu)
			continue;
		u = bsearch(slash + 1, c->u, c->nu, sizeof(*c->u),
		    cmp_uniq_key);
		if (!u)
			continue;	/* it names a message not there */
		/* the first of that uniq, then each in the owner's conv */
		for (k = (size_t)(u - c->u); k > 0 &&
		    !strcmp(c->u[k - 1].uniq, u->uniq); k--)
			;
		for (; k < c->nu && !strcmp(c->u[k].uniq, u->uniq); k++) {
			size_t n;
			const char *id = conv_of(c->u[k].path, &n);

			if (n == (size_t)(slash - d->owner) &&
			    !strncmp(id, d->owner, n)) {
				seen = k + 1;
				break;
			}
		}
		if (!seen)
			continue;
		for (k = 0; k < c->f->n; k++)
			if (c->f->v[k].kind == FSCK_DUPLICATE &&
			    !strcmp(c->f->v[k].path, d->path))
				break;
		if (k < c->f->n)
			continue;	/* already a duplicate by name */
		p = problem(c->f, FSCK_DUPLICATE, d->path, "the same provider "
		    "message as %s", c->u[seen - 1].path);
		p->other = xstrdup(c->u[seen - 1].path);
		p->removable = !d->inhead;
		p->inhead = d->inhead;
	}
}

static void
check_duplicates(struct check *c)
{
	if (c->nu)
		qsort(c->u, c->nu, sizeof(*c->u), cmp_uniq);
	for (size_t i = 0; i < c->nu;) {
		size_t j = i, keep = i;

		while (j < c->nu && !strcmp(c->u[j].uniq, c->u[i].uniq))
			j++;
		/* keep the copy in cur/ (it sorts first in its conversation) */
		for (size_t k = i; k < j; k++)
			if (strstr(c->u[k].path, "/cur/")) {
				keep = k;
				break;
			}
		for (size_t k = i; j - i > 1 && k < j; k++) {
			struct fsck_problem *p;
			size_t cp = conv_prefix(c->u[keep].path);

			if (k == keep)
				continue;
			p = problem(c->f, FSCK_DUPLICATE, c->u[k].path,
			    "also at %s", c->u[keep].path);
			p->other = xstrdup(c->u[keep].path);
			p->inhead = c->u[k].inhead;
			p->removable = cp && strstr(c->u[k].path, "/new/") &&
			    strstr(c->u[keep].path, "/cur/") &&
			    conv_prefix(c->u[k].path) == cp &&
			    !strncmp(c->u[k].path, c->u[keep].path, cp);
		}
		i = j;
	}
	check_pid_duplicates(c);
}

static void
check_free(struct check *c)
{
	for (size_t i = 0; i < c->nhead; i++)
		free(c->head[i].path);
	free(c->head);
	for (size_t i = 0; i < c->nu; i++) {
		free(c->u[i].uniq);
		free(c->u[i].path);
	}
	free(c->u);
	for (size_t i = 0; i < c->npd; i++) {
		free(c->pd[i].path);
		free(c->pd[i].owner);
	}
	free(c->pd);
}

int
fsck_check(struct store *st, struct fsck *f)
{
	struct check c;
	int r;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.f = f;
	c.busy = lock_busy(st);
	c.timeout = lock_timeout(st);
	c.now = time(NULL);	/* file times are real, INBOX_NOW is not */

	r = repo_verify(st->repo, report_corrupt, &c);
	if (r < 0) {
		problem(f, FSCK_CORRUPT, "refs/heads/main", "%s",
		    inbox_errmsg());
		inbox_error_clear();
		c.nohead = 1;
	}
	f->corrupt = r != 0;
	if (!c.nohead && repo_walk_files(st->repo, "HEAD", "", collect_head,
	    &c) < 0) {
		inbox_error_clear();
		c.nohead = 1;
	}
	if (c.nhead)
		qsort(c.head, c.nhead, sizeof(*c.head), cmp_head);
	check_top(&c);
	check_spool(&c);
	check_git_locks(&c);
	if (!c.nohead)
		check_unseen(&c);
	check_duplicates(&c);
	check_free(&c);
	if (f->n)
		qsort(f->v, f->n, sizeof(*f->v), cmp_problem);
	return 0;
}

/* --- repair ---------------------------------------------------------- */

/* "KIND: what was done", and a trailer for the commit. */
static char *
fix_text(struct store *st, struct fsck_problem *p, const char *fmt,
    va_list ap)
{
	struct sb s = SB_INIT, t = SB_INIT;

	sb_addf(&s, "%s: ", fsck_kind_name(p->kind));
	sb_vaddf(&s, fmt, ap);
	sb_addf(&t, "%s %s", fsck_kind_name(p->kind), p->path);
	store_trailer(st, "Repaired", t.buf);
	sb_release(&t);
	return sb_detach(&s, NULL);
}

/* A fix done at once (a file removed or restored). */
static void
fixed(struct store *st, struct fsck *f, struct fsck_problem *p,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(p->fixed);
	p->fixed = fix_text(st, p, fmt, ap);
	va_end(ap);
	f->nfixed++;
}

/* A fix that holds once the commit is made. */
static void
pending(struct store *st, struct fsck_problem *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(p->pending);
	p->pending = fix_text(st, p, fmt, ap);
	va_end(ap);
}

static void
failed(struct fsck_problem *p, const char *why)
{
	free(p->failed);
	p->failed = xstrdup(why);
	inbox_error_clear();
}

/* 1 when the path of problem i also has one of `kind` (they are sorted
 * by path, so it is a neighbour). */
static int
also(const struct fsck *f, size_t i, enum fsck_kind kind)
{
	const char *path = f->v[i].path;

	for (size_t j = i; j-- > 0 && !strcmp(f->v[j].path, path);)
		if (f->v[j].kind == kind)
			return 1;
	for (size_t j = i + 1; j < f->n && !strcmp(f->v[j].path, path); j++)
		if (f->v[j].kind == kind)
			return 1;
	return 0;
}

static int
remove_file(struct store *st, struct fsck *f, struct fsck_problem *p)
{
	char *a = store_path(st, p->path);
	int r = unlink(a);

	if (r < 0 && errno != ENOENT) {
		inbox_error(INBOX_EFAIL, "remove %s:", p->path);
		failed(p, inbox_errmsg());
	} else {
		fsync_dir(a);
		fixed(st, f, p, "removed");
	}
	free(a);
	return 0;
}

/*
 * A message file that left new/ for cur/ (or another conversation) before
 * the commit: HEAD's copy is the old place.  The path of the current one,
 * or NULL.
 */
static char *
moved_message(struct store *st, const char *path)
{
	char *uniq = NULL, *found = NULL;
	const char *name = strrchr(path, '/');
	struct msg m;
	char *id;

	if (!str_startswith(path, "conv/") || classify_file(path) == D_PLAIN ||
	    msg_parse_name(name + 1, &uniq, NULL, 0) < 0)
		return NULL;
	id = msg_id_of(path, uniq);
	if (msg_load(&m, st, id) == 0 && strcmp(m.path, path))
		found = xstrdup(m.path);
	msg_free(&m);
	inbox_error_clear();
	free(id);
	free(uniq);
	return found;
}

/*
 * The outbound index a message with this status belongs in
 * (lib/outbox.c): idx/queue/ while it waits for a delivery, idx/approval/
 * while it waits for approval; NULL for any other status.
 */
static const char *
out_index(const char *status)
{
	if (!status)
		return NULL;
	if (!strcmp(status, "queued") || !strcmp(status, "scheduled"))
		return "idx/queue";
	if (!strcmp(status, "pending_approval"))
		return "idx/approval";
	return NULL;
}

/*
 * An entry of idx/queue/ or idx/approval/ a crash removed before the
 * commit (the message was delivered, failed or approved meanwhile): the
 * message it names, when that is no longer waiting there.  1 when the
 * removal is the truth.
 */
static int
dequeued(struct store *st, const char *path)
{
	struct sb id = SB_INIT;
	struct msg m;
	const char *idx = str_startswith(path, "idx/queue/") ? "idx/queue" :
	    str_startswith(path, "idx/approval/") ? "idx/approval" : NULL;
	const char *now;
	int r = 0;

	if (!idx || repo_read(st->repo, "HEAD", path, &id) != 0) {
		inbox_error_clear();
		sb_release(&id);
		return 0;
	}
	sb_rtrim(&id);
	if (msg_load(&m, st, id.buf) == 0) {
		now = out_index(msg_get(&m, "X-Inbox-Status"));
		r = !now || strcmp(now, idx);
	}
	msg_free(&m);
	inbox_error_clear();
	sb_release(&id);
	return r;
}

/*
 * An outbound message a crash left uncommitted before its index entry
 * was written (lib/outbox.c writes the message, then the entry): write
 * the entry too, or no flush would ever find it.
 */
static int
requeue(struct store *st, const char *path)
{
	struct msg m;
	struct sb id = SB_INIT, rel = SB_INIT;
	const char *idx, *dir;
	char *a;
	int r = 0;

	if (classify_file(path) != D_CUR)
		return 0;
	if (msg_load_path(&m, st, path) < 0) {
		msg_free(&m);
		inbox_error_clear();
		return 0;
	}
	dir = msg_get(&m, "X-Inbox-Direction");
	idx = out_index(msg_get(&m, "X-Inbox-Status"));
	if (dir && !strcmp(dir, "out") && idx && name_valid(m.uniq)) {
		sb_addf(&rel, "%s/%s", idx, m.uniq);
		a = store_path(st, rel.buf);
		if (!path_exists(a)) {
			sb_addf(&id, "%s/%s\n", m.conv, m.uniq);
			r = store_put(st, rel.buf, id.buf, id.len);
		}
		free(a);
	}
	msg_free(&m);
	sb_release(&id);
	sb_release(&rel);
	return r;
}

static void
restore(struct store *st, struct fsck *f, struct fsck_problem *p)
{
	struct sb buf = SB_INIT;
	char *a, *moved, *slash;
	int exec = 0, r;

	if ((moved = moved_message(st, p->path))) {
		if (store_track(st, p->path) < 0)
			failed(p, inbox_errmsg());
		else
			pending(st, p, "removal committed (the message is at "
			    "%s)", moved);
		free(moved);
		return;
	}
	if (dequeued(st, p->path)) {
		if (store_track(st, p->path) < 0)
			failed(p, inbox_errmsg());
		else
			pending(st, p, "removal committed (the message no "
			    "longer waits there)");
		return;
	}
	r = repo_read_mode(st->repo, "HEAD", p->path, &buf, &exec);
	if (r != 0) {
		failed(p, r < 0 ? inbox_errmsg() : "not readable from HEAD");
		sb_release(&buf);
		return;
	}
	a = store_path(st, p->path);
	slash = strrchr(a, '/');
	*slash = '\0';
	r = mkdir_p(a);
	*slash = '/';
	if (r == 0)
		r = write_atomic(a, buf.buf, buf.len, exec ? 0755 : 0644);
	if (r < 0)
		failed(p, inbox_errmsg());
	else
		fixed(st, f, p, "restored from HEAD");
	free(a);
	sb_release(&buf);
}

/* File a spooled payload again under its spool name. */
static int
replay(struct store *st, struct fsck_problem *p)
{
	const char *name = strrchr(p->path, '/') + 1;
	struct sb buf = SB_INIT, done = SB_INIT;
	char *a = store_path(st, p->path), uniq[256];
	struct event ev;
	int r = 0;

	if (sb_read_file(&buf, a, 0) < 0) {
		failed(p, inbox_errmsg());
		goto out;
	}
	if (event_parse(&ev, NULL, buf.buf, buf.len) < 0) {
		struct sb why = SB_INIT;

		sb_addf(&why, "cannot file it: %s", inbox_errmsg());
		failed(p, why.buf);
		sb_release(&why);
		event_free(&ev);
		goto out;
	}
	for (struct event *e = &ev; e; e = e->next) {
		struct inbound_result res;

		if (e == &ev && name_valid(name))
			snprintf(uniq, sizeof(uniq), "%s", name);
		else
			unique_name(uniq, sizeof(uniq));
		if (inbound_file(st, e, uniq, &res) < 0) {
			if (inbox_errcode() == INBOX_ETEMP) {
				r = -1;
				break;
			}
			failed(p, inbox_errmsg());
			sb_reset(&done);
			break;
		}
		if (done.len)
			sb_adds(&done, ", ");
		if (res.unknown)
			sb_addf(&done, "no message with provider id %s",
			    e->provider_id ? e->provider_id : "(none)");
		else if (res.changed) {
			sb_addf(&done, "filed as %s", res.msgid);
			store_trailer(st, "Conversation", res.conv);
			store_trailer(st, "Message", res.msgid);
		} else
			sb_addf(&done, "already filed as %s", res.msgid);
	}
	event_free(&ev);
	if (r == 0 && done.len && !p->failed)
		pending(st, p, "%s", done.buf);
out:
	sb_release(&buf);
	sb_release(&done);
	free(a);
	return r;
}

int
fsck_repair(struct store *st, struct fsck *f)
{
	size_t nfix;
	int r;

	if (f->corrupt)
		return 0;
	/* locks first: a stale refs/heads/main.lock stops every commit */
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].kind == FSCK_STALE_LOCK ||
		    f->v[i].kind == FSCK_STALE_TMP)
			remove_file(st, f, &f->v[i]);
	/* HEAD's files back, so a replay sees the provider-id index */
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].kind == FSCK_MISSING)
			restore(st, f, &f->v[i]);
	for (size_t i = 0; i < f->n; i++) {
		struct fsck_problem *p = &f->v[i];

		if (p->kind != FSCK_DUPLICATE || !p->removable)
			continue;
		if (!p->inhead) {
			/* never committed: nothing for git to know */
			char *a = store_path(st, p->path);

			if (unlink(a) < 0 && errno != ENOENT) {
				inbox_error(INBOX_EFAIL, "remove %s:", p->path);
				failed(p, inbox_errmsg());
			} else {
				fsync_dir(a);
				fixed(st, f, p, "removed (a copy of %s)",
				    p->other);
			}
			free(a);
		} else if (store_remove(st, p->path) < 0)
			failed(p, inbox_errmsg());
		else
			pending(st, p, "removed (a copy of %s)", p->other);
	}
	for (size_t i = 0; i < f->n; i++) {
		struct fsck_problem *p = &f->v[i];
		char *a;

		if (p->kind != FSCK_UNCOMMITTED ||
		    also(f, i, FSCK_BAD_MESSAGE) || also(f, i, FSCK_BAD_FILE))
			continue;
		a = store_path(st, p->path);
		if (!path_exists(a) && !p->inhead)
			fixed(st, f, p, "removed as a duplicate");
		else if (store_track(st, p->path) < 0 ||
		    requeue(st, p->path) < 0)
			failed(p, inbox_errmsg());
		else if (!path_exists(a))
			pending(st, p, "removed as a duplicate");
		else
			pending(st, p, "committed");
		free(a);
	}
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].kind == FSCK_SPOOLED && replay(st, &f->v[i]) < 0)
			return -1;
	nfix = f->nfixed;
	for (size_t i = 0; i < f->n; i++)
		nfix += f->v[i].pending != NULL;
	r = store_commit(st, "repair (%zu fix%s)", nfix, nfix == 1 ? "" :
	    "es");
	if (r < 0)
		return -1;
	for (size_t i = 0; i < f->n; i++) {
		struct fsck_problem *p = &f->v[i];

		if (!p->pending)
			continue;
		if (p->kind == FSCK_SPOOLED) {
			char *a = store_path(st, p->path);

			unlink(a);
			fsync_dir(a);
			free(a);
		}
		free(p->fixed);
		p->fixed = p->pending;
		p->pending = NULL;
		f->nfixed++;
	}
	if (f->nfixed && (summary_reset(st) < 0 || words_reset(st) < 0))
		inbox_error_clear();
	return 0;
}

void
fsck_free(struct fsck *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].what);
		free(f->v[i].fixed);
		free(f->v[i].failed);
		free(f->v[i].other);
		free(f->v[i].pending);
	}
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}
