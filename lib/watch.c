/*
 * watch.c - inotify on the store's branch ref, and message events from
 * the diff of two commits.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "mime.h"
#include "msg.h"
#include "watch.h"

#define HEADS ".git/refs/heads"
#define REF "main"

/* The directories watched for themselves going away. */
static const char *const dirs[] = { HEADS, ".git/refs", ".git", "" };
#define NDIRS (sizeof(dirs) / sizeof(*dirs))

struct watch {
	int fd;
	int wd[NDIRS];
};

int
watch_open(struct watch **out, const char *root)
{
	struct watch *w = xcalloc(1, sizeof(*w));

	*out = NULL;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		int e = errno;

		free(w);
		errno = e;
		return inbox_error(e == EMFILE || e == ENFILE ? INBOX_ETEMP :
		    INBOX_EFAIL, "inotify:");
	}
	for (size_t i = 0; i < NDIRS; i++) {
		uint32_t mask = IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
		char *p = *dirs[i] ? path_join(root, dirs[i]) : xstrdup(root);

		if (i == 0)
			mask |= IN_MOVED_TO | IN_CREATE | IN_CLOSE_WRITE |
			    IN_DELETE;
		w->wd[i] = inotify_add_watch(w->fd, p, mask);
		if (w->wd[i] < 0) {
			int e = errno;

			close(w->fd);
			free(w);
			errno = e;
			inbox_error(e == ENOSPC || e == ENOMEM ? INBOX_ETEMP :
			    INBOX_EFAIL, "watch %s:", p);
			free(p);
			return -1;
		}
		free(p);
	}
	*out = w;
	return 0;
}

void
watch_close(struct watch *w)
{
	if (!w)
		return;
	close(w->fd);
	free(w);
}

int
watch_fd(const struct watch *w)
{
	return w->fd;
}

static const char *
dir_name(const struct watch *w, int wd)
{
	for (size_t i = 0; i < NDIRS; i++)
		if (w->wd[i] == wd)
			return *dirs[i] ? dirs[i] : "the store";
	return "a watched directory";
}

int
watch_read(struct watch *w)
{
	char buf[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	int touched = 0;

	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return touched;
		if (n <= 0)
			return inbox_error(INBOX_ETEMP, "lost track of the "
			    "store (inotify: %s)", n < 0 ? strerror(errno) :
			    "end of file");
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;
			const char *what = NULL;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW)
				touched = 1;
			else if (ev->mask & IN_UNMOUNT)
				what = "unmounted";
			else if (ev->mask & IN_MOVE_SELF)
				what = "moved";
			else if (ev->mask & IN_DELETE_SELF)
				what = "deleted";
			else if (ev->mask & IN_IGNORED)
				what = "no longer watched";
			else if (ev->wd == w->wd[0] && ev->len &&
			    !strcmp(ev->name, REF))
				touched = 1;
			if (what)
				return inbox_error(INBOX_ETEMP, "lost track "
				    "of the store (%s %s)", dir_name(w,
				    ev->wd), what);
		}
	}
}

/* The parts of a message path conv/xx/CONV/{new,cur}/NAME. */
struct mpath {
	char conv[16];
	char *uniq;
	char flags[16];
};

static int
split(const char *path, struct mpath *mp)
{
	const char *p[5], *s = path;
	int k = 0;
	size_t clen;

	if (strncmp(path, "conv/", 5))
		return -1;
	p[k++] = s;
	while ((s = strchr(s, '/'))) {
		if (k == 5)
			return -1;
		p[k++] = ++s;
	}
	if (k != 5)
		return -1;
	clen = (size_t)(p[3] - p[2] - 1);
	if (clen == 0 || clen >= sizeof(mp->conv) ||
	    (strncmp(p[3], "new/", 4) && strncmp(p[3], "cur/", 4)))
		return -1;
	memcpy(mp->conv, p[2], clen);
	mp->conv[clen] = '\0';
	return msg_parse_name(p[4], &mp->uniq, mp->flags, sizeof(mp->flags));
}

/* A message file deleted by the diff: the old half of a rename. */
struct gone {
	char conv[16];
	char *uniq;
	const char *blob;
};

static int
gone_cmp(const void *a, const void *b)
{
	const struct gone *x = a, *y = b;
	int c = strcmp(x->conv, y->conv);

	return c ? c : strcmp(x->uniq, y->uniq);
}

static const struct gone *
find_gone(const struct gone *g, size_t n, const struct mpath *mp)
{
	struct gone key;

	if (!n)
		return NULL;
	memcpy(key.conv, mp->conv, sizeof(key.conv));
	key.uniq = mp->uniq;
	return bsearch(&key, g, n, sizeof(*g), gone_cmp);
}

/* Text on one line, blanks squeezed, at most 100 bytes of whole UTF-8. */
static char *
one_line(const char *text)
{
	struct sb s = SB_INIT;
	int blank = 0;

	for (const char *p = text; *p && s.len < 100; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t' || *p == ' ') {
			blank = s.len > 0;
			continue;
		}
		if (blank)
			sb_addc(&s, ' ');
		blank = 0;
		sb_addc(&s, *p);
	}
	while (s.len && !utf8_valid(s.buf, s.len))
		sb_setlen(&s, s.len - 1);
	return sb_detach(&s, NULL);
}

/* The X-Inbox-Status of a blob (malloc'd, NULL when it has none). */
static int
blob_status(struct repo *r, const char *oid, char **status)
{
	struct sb raw = SB_INIT;
	struct mail m;
	const char *v;

	*status = NULL;
	if (repo_blob(r, oid, &raw) < 0) {
		sb_release(&raw);
		return -1;
	}
	if (mail_parse(&m, raw.buf, raw.len) == 0) {
		if ((v = mail_get(&m, "X-Inbox-Status")))
			*status = xstrdup(v);
		mail_free(&m);
	}
	sb_release(&raw);
	return 0;
}

static int
same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/*
 * One changed message file: the new blob read and parsed, and cb called
 * when it is news.  prev is the old blob, NULL for a new message.
 */
static int
one_event(struct repo *r, const struct repo_delta *d, const struct mpath *mp,
    const char *prev, int (*cb)(const struct watch_event *, void *),
    void *arg)
{
	struct watch_event ev;
	struct sb raw = SB_INIT;
	struct mail m;
	char *old = NULL;
	const char *v;
	int ret = 0;

	if (repo_blob(r, d->new, &raw) < 0)
		goto fail;
	if (mail_parse(&m, raw.buf, raw.len) < 0) {
		inbox_error_clear();
		sb_release(&raw);
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.event = prev ? "status" : "new";
	ev.status = mail_get(&m, "X-Inbox-Status");
	if (prev) {
		if (blob_status(r, prev, &old) < 0) {
			mail_free(&m);
			goto fail;
		}
		if (same(old, ev.status))
			goto out;
		ev.previous = old ? old : "";
	}
	snprintf(ev.id, sizeof(ev.id), "%s/%s", mp->conv, mp->uniq);
	memcpy(ev.conv, mp->conv, sizeof(ev.conv));
	memcpy(ev.flags, mp->flags, sizeof(ev.flags));
	ev.path = d->path;
	if (!(v = mail_get(&m, "Date")) || time_parse_rfc2822(v, &ev.date) < 0)
		ev.date = atoll(mp->uniq);
	ev.when = ev.date;
	if (prev && (v = mail_get(&m, "X-Inbox-Status-Time")) &&
	    time_parse(v, "UTC", &ev.when) < 0) {
		inbox_error_clear();
		ev.when = ev.date;
	}
	ev.direction = mail_get(&m, "X-Inbox-Direction");
	ev.channel = mail_get(&m, "X-Inbox-Channel");
	ev.type = mail_get(&m, "X-Inbox-Type");
	ev.error = mail_get(&m, "X-Inbox-Error");
	ev.text = mail_text(&m);
	ev.preview = one_line(ev.text);
	ret = cb(&ev, arg);
	free(ev.text);
	free(ev.preview);
out:
	free(old);
	mail_free(&m);
	sb_release(&raw);
	return ret;
fail:
	sb_release(&raw);
	return -1;
}

/* A changed message file that may be news. */
struct cand {
	struct mpath mp;
	const struct repo_delta *d;
	const char *prev;	/* the old blob, NULL when new */
};

/* Unique names begin with the time of delivery: arrival order. */
static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = strcmp(x->mp.uniq, y->mp.uniq);

	return c ? c : strcmp(x->mp.conv, y->mp.conv);
}

int
watch_changes(struct repo *r, const char *old, const char *new,
    int (*cb)(const struct watch_event *, void *), void *arg)
{
	struct repo_delta *d;
	struct gone *g = NULL;
	struct cand *c = NULL;
	size_t n, ng = 0, nc = 0;
	int ret = 0;

	if (repo_diff(r, old, new, &d, &n) < 0)
		return -1;
	/* the deleted halves first: new/ sorts after cur/ */
	for (size_t i = 0; i < n; i++) {
		struct mpath mp;

		if (*d[i].new || !*d[i].old || split(d[i].path, &mp) < 0)
			continue;
		g = xrealloc(g, (ng + 1) * sizeof(*g));
		memcpy(g[ng].conv, mp.conv, sizeof(mp.conv));
		g[ng].uniq = mp.uniq;
		g[ng++].blob = d[i].old;
	}
	if (ng > 1)
		qsort(g, ng, sizeof(*g), gone_cmp);
	for (size_t i = 0; i < n; i++) {
		struct mpath mp;
		const struct gone *was;
		const char *prev;

		if (!*d[i].new || split(d[i].path, &mp) < 0)
			continue;
		if (*d[i].old)
			prev = d[i].old;	/* changed in place */
		else if ((was = find_gone(g, ng, &mp)))
			prev = was->blob;	/* renamed */
		else
			prev = NULL;		/* new */
		/* a rename with the same contents: flags only */
		if (prev && !strcmp(prev, d[i].new)) {
			free(mp.uniq);
			continue;
		}
		c = xrealloc(c, (nc + 1) * sizeof(*c));
		c[nc].mp = mp;
		c[nc].d = &d[i];
		c[nc++].prev = prev;
	}
	if (nc > 1)
		qsort(c, nc, sizeof(*c), cand_cmp);
	for (size_t i = 0; i < nc && ret == 0; i++)
		ret = one_event(r, c[i].d, &c[i].mp, c[i].prev, cb, arg);
	for (size_t i = 0; i < nc; i++)
		free(c[i].mp.uniq);
	free(c);
	for (size_t i = 0; i < ng; i++)
		free(g[i].uniq);
	free(g);
	repo_deltas_free(d, n);
	return ret;
}
