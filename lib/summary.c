/*
 * summary.c - the per-conversation summary cache.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conv.h"
#include "msg.h"
#include "summary.h"

#define NFIELDS 28
#define TAIL_MAX (512 * 1024)	/* bytes after the sorted body, then
					 * compact */

/*
 * Summaries read from the cache point into the buffer it was read into
 * (one per read, parsed in place): no copy, no allocation a line.  The
 * buffers are kept here until summary_list_free().
 */
static char **arenas;
static size_t narenas;

static void
arena_keep(char *buf)
{
	arenas = xrealloc(arenas, (narenas + 1) * sizeof(*arenas));
	arenas[narenas++] = buf;
}

/* The string fields of a summary, for summary_free() and pack(). */
#define STRS(s) { &(s)->kind, &(s)->contact, &(s)->name, &(s)->address, \
	    &(s)->channel, &(s)->status, &(s)->assignee, &(s)->members, \
	    &(s)->jobs, &(s)->context, &(s)->group, &(s)->lastdir, \
	    &(s)->preview, &(s)->times }

/*
 * Move a computed summary's strings into one block (mem): a table of
 * 10,000 summaries held them in 140,000 allocations, 2 MB of them
 * malloc's own bookkeeping.
 */
static void
pack(struct convsum *s)
{
	char **strs[] = STRS(s);
	size_t n = sizeof(strs) / sizeof(*strs), len = 0;
	char *p;

	if (s->mem || s->shared)
		return;
	for (size_t i = 0; i < n; i++)
		len += *strs[i] ? strlen(*strs[i]) + 1 : 0;
	p = s->mem = xmalloc(len ? len : 1);
	for (size_t i = 0; i < n; i++)
		if (*strs[i]) {
			size_t k = strlen(*strs[i]) + 1;

			memcpy(p, *strs[i], k);
			free(*strs[i]);
			*strs[i] = p;
			p += k;
		}
}

void
summary_free(struct convsum *s)
{
	if (s->mem || s->shared) {
		/* the strings point into one block */
		free(s->mem);
		memset(s, 0, sizeof(*s));
		return;
	}
	char **strs[] = STRS(s);

	for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
}

static char *
joined(const struct kv *kv, const char *key)
{
	struct sb s = SB_INIT;

	for (size_t i = 0; i < kv->n; i++)
		if (strcmp(kv->v[i].key, key) == 0) {
			if (s.len)
				sb_addc(&s, ' ');
			sb_adds(&s, kv->v[i].val);
		}
	return sb_detach(&s, NULL);
}

static char *
dupe(const char *s)
{
	return xstrdup(s ? s : "");
}

/* First line of text, blanks squeezed, at most 100 bytes. */
static char *
preview_of(const char *text)
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
	/* do not cut a UTF-8 sequence in half */
	while (s.len && ((unsigned char)s.buf[s.len - 1] & 0xc0) == 0x80 &&
	    !utf8_valid(s.buf, s.len))
		sb_setlen(&s, s.len - 1);
	if (s.len && !utf8_valid(s.buf, s.len))
		sb_setlen(&s, s.len - 1);
	return sb_detach(&s, NULL);
}

static char *
call_preview(const struct msg *m)
{
	const char *o = msg_get(m, "X-Inbox-Call-Outcome");
	const char *d = msg_get(m, "X-Inbox-Call-Duration");
	const char *rd = msg_get(m, "X-Inbox-Call-Recording-Duration");
	struct sb s = SB_INIT;

	if (o && !strcmp(o, "voicemail")) {
		long v = rd ? atol(rd) : 0;

		sb_addf(&s, "Voicemail - %ld:%02ld", v / 60, v % 60);
	} else if (o && !strcmp(o, "answered"))
		sb_addf(&s, "Voice call - %lds - ended", d ? atol(d) : 0L);
	else
		sb_addf(&s, "Voice call - %s", o ? o : "ringing");
	return sb_detach(&s, NULL);
}

static int
needs_resolving(const struct msg *m)
{
	const char *o = msg_get(m, "X-Inbox-Call-Outcome");

	if (!o || msg_get(m, "X-Inbox-Resolved"))
		return 0;
	return !strcmp(o, "missed") || !strcmp(o, "voicemail") ||
	    !strcmp(o, "failed") || !strcmp(o, "busy");
}

/* The preview and direction of the conversation's last message. */
static void
set_preview(struct store *st, const char *path, struct convsum *s)
{
	struct msg m;
	const char *t;

	if (msg_load_path(&m, st, path) < 0) {
		inbox_error_clear();
		return;
	}
	free(s->preview);
	free(s->lastdir);
	s->lastdir = dupe(msg_get(&m, "X-Inbox-Direction"));
	t = msg_get(&m, "X-Inbox-Channel");
	if (t && !strcmp(t, "voice"))
		s->preview = call_preview(&m);
	else {
		char *text = msg_text(&m);

		s->preview = preview_of(text);
		free(text);
	}
	msg_free(&m);
}

int
summary_compute(struct store *st, const char *id, struct convsum *s)
{
	struct conv c;
	char **paths;
	size_t n;
	struct sb times = SB_INIT;
	int last_in_idx = -1, last_out_after = 0, last_idx = -1;

	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", id);
	if (conv_load(st, id, &c) < 0)
		return -1;
	s->kind = dupe(kv_get(&c.st, "kind"));
	s->contact = dupe(kv_get(&c.st, "contact"));
	s->address = dupe(kv_get(&c.st, "address"));
	s->channel = dupe(kv_get(&c.st, "channel"));
	s->status = dupe(kv_get(&c.st, "status") ? kv_get(&c.st, "status") :
	    "open");
	s->archived = kv_get(&c.st, "archived") != NULL;
	s->blocked = kv_get(&c.st, "blocked") != NULL;
	s->assignee = dupe(kv_get(&c.st, "assignee"));
	s->members = joined(&c.st, "member");
	s->jobs = joined(&c.st, "job");
	s->context = dupe(kv_get(&c.st, "context"));
	s->attention = kv_get(&c.st, "attention") != NULL ||
	    kv_get(&c.st, "pick-job") != NULL;
	for (size_t i = 0; i < c.st.n && !s->optedout; i++) {
		struct kv a = KV_INIT;

		if (!strcmp(c.st.v[i].key, "address") &&
		    addr_load(st, c.st.v[i].val, &a) == 0)
			s->optedout = kv_get(&a, "optout") != NULL;
		kv_free(&a);
	}
	if (*s->contact) {
		struct kv ck = KV_INIT;

		if (contact_load(st, s->contact, &ck) == 0) {
			s->name = dupe(kv_get(&ck, "name"));
			s->group = dupe(kv_get(&ck, "group"));
		}
		kv_free(&ck);
		inbox_error_clear();
	}
	if (kv_get(&c.st, "name")) {
		free(s->name);
		s->name = dupe(kv_get(&c.st, "name"));
	}
	if (!strcmp(s->kind, "team")) {
		free(s->group);
		s->group = dupe("team");
	}
	if (!s->name || !*s->name) {
		free(s->name);
		s->name = dupe(*s->address ? s->address : "Withheld number");
	}
	if (!s->group)
		s->group = dupe(*s->contact ? "customer" : "");
	conv_free(&c);
	s->lastdir = dupe("");
	s->preview = dupe("");
	if (conv_messages(st, id, &paths, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct msg m;
		const char *dir, *status, *t;
		time_t when, stime = 0;

		if (msg_load_path(&m, st, paths[i]) < 0) {
			inbox_error_clear();
			continue;
		}
		s->total++;
		dir = msg_get(&m, "X-Inbox-Direction");
		status = msg_get(&m, "X-Inbox-Status");
		when = m.date;
		if ((t = msg_get(&m, "X-Inbox-Status-Time")))
			time_parse(t, "UTC", &stime);
		if (!s->first || when < s->first)
			s->first = when;
		if (when > s->last)
			s->last = when;
		if (stime > s->last)
			s->last = stime;
		if (times.len < 8000)
			sb_addf(&times, "%s%lld", times.len ? "," : "",
			    (long long)when);
		if (stime && times.len < 8000)
			sb_addf(&times, ",%lld", (long long)stime);
		if (msg_flag(&m, 'F'))
			s->flagged++;
		if (msg_get(&m, "X-Inbox-Attention") &&
		    !msg_get(&m, "X-Inbox-Resolved"))
			s->attention = 1;
		if (dir && !strcmp(dir, "in")) {
			int unread = !msg_flag(&m, 'S') || needs_resolving(&m);

			s->unread += unread;
			s->last_in = when;
			s->last_in_unread = unread;
			last_in_idx = (int)i;
			last_out_after = msg_flag(&m, 'R');
		} else if (dir && !strcmp(dir, "out")) {
			t = msg_get(&m, "X-Inbox-Channel");
			if (!t || strcmp(t, "note"))
				last_out_after = 1;
			s->failed = status && (!strcmp(status, "failed") ||
			    !strcmp(status, "undelivered"));
		}
		if (!dir || strcmp(dir, "sys"))
			last_idx = (int)i;
		msg_free(&m);
	}
	s->answered = last_in_idx < 0 || last_out_after;
	if (last_idx >= 0)
		set_preview(st, paths[last_idx], s);
	strv_free(paths, n);
	s->times = sb_detach(&times, NULL);
	return 0;
}

static int
cmp_recent_ptr(const void *a, const void *b)
{
	return summary_cmp_recent(*(const struct convsum *const *)a,
	    *(const struct convsum *const *)b);
}

/* A decimal integer after blanks, without strtoll's locale and base
 * handling: this runs 13 times a conversation on every listing.  *end is
 * p when there is none. */
static long long
decimal(const char *p, const char **end)
{
	unsigned long long v = 0;
	int neg = 0;
	const char *q;

	while (*p == ' ')
		p++;
	if (*p == '-')
		neg = *p++ == '-';
	for (q = p; *q >= '0' && *q <= '9' && q - p < 18; q++)
		v = v * 10 + (unsigned)(*q - '0');
	*end = q;
	return neg ? -(long long)v : (long long)v;
}

int
summary_active(const struct convsum *s, time_t since, time_t until)
{
	const char *p = s->times;

	if (s->last < since || (s->first > until && until))
		return 0;
	while (p && *p) {
		const char *end;
		long long t = decimal(p, &end);

		if (end == p)
			break;
		p = end;
		if (t >= since && (!until || t <= until))
			return 1;
		if (*p == ',')
			p++;
	}
	return !s->times || !*s->times ? s->last >= since : 0;
}

int
summary_cmp_recent(const void *a, const void *b)
{
	const struct convsum *x = a, *y = b;

	if (x->last != y->last)
		return x->last < y->last ? 1 : -1;
	return strcmp(x->id, y->id);
}

/* --- the cache file -------------------------------------------------- */

static void
put_field(struct sb *o, const char *v)
{
	sb_addc(o, '\t');
	for (; v && *v; v++)
		sb_addc(o, *v == '\t' || *v == '\n' || *v == '\r' ? ' ' : *v);
}

static void
serialise(struct sb *o, const struct convsum *s)
{
	char num[160];

	sb_addf(o, "S\t%s", s->id);
	put_field(o, s->kind);
	put_field(o, s->contact);
	put_field(o, s->name);
	put_field(o, s->address);
	put_field(o, s->channel);
	put_field(o, s->status);
	put_field(o, s->assignee);
	put_field(o, s->members);
	put_field(o, s->jobs);
	put_field(o, s->context);
	put_field(o, s->group);
	put_field(o, s->lastdir);
	snprintf(num, sizeof(num), "%d %d %d %d %d %d %d %d %d %d %lld "
	    "%lld %lld", s->archived, s->blocked, s->total, s->unread,
	    s->flagged, s->failed, s->attention, s->answered,
	    s->last_in_unread, s->optedout, (long long)s->last,
	    (long long)s->first,
	    (long long)s->last_in);
	put_field(o, num);
	put_field(o, s->preview);
	put_field(o, s->times);
	sb_addc(o, '\n');
}

static int
numbers(const char *p, long long *v, int n)
{
	for (int k = 0; k < n; k++) {
		const char *end;

		v[k] = decimal(p, &end);
		if (end == p || (end[-1] < '0' || end[-1] > '9'))
			return -1;
		p = end;
	}
	return 0;
}

/* Parse a cache line in place: the summary points into it. */
static int
deserialise(char *line, struct convsum *s)
{
	char *f[17];
	int k = 0;
	long long v[13];

	memset(s, 0, sizeof(*s));
	for (char *p = line; k < 17; k++) {
		f[k] = p;
		p = strchr(p, '\t');
		if (!p) {
			k++;
			break;
		}
		*p++ = '\0';
	}
	if (k != 17 || strcmp(f[0], "S") || strlen(f[1]) >= sizeof(s->id) ||
	    numbers(f[14], v, 13) < 0)
		return -1;
	memcpy(s->id, f[1], strlen(f[1]) + 1);
	s->shared = 1;
	s->kind = f[2];
	s->contact = f[3];
	s->name = f[4];
	s->address = f[5];
	s->channel = f[6];
	s->status = f[7];
	s->assignee = f[8];
	s->members = f[9];
	s->jobs = f[10];
	s->context = f[11];
	s->group = f[12];
	s->lastdir = f[13];
	s->archived = (int)v[0];
	s->blocked = (int)v[1];
	s->total = (int)v[2];
	s->unread = (int)v[3];
	s->flagged = (int)v[4];
	s->failed = (int)v[5];
	s->attention = (int)v[6];
	s->answered = (int)v[7];
	s->last_in_unread = (int)v[8];
	s->optedout = (int)v[9];
	s->last = (time_t)v[10];
	s->first = (time_t)v[11];
	s->last_in = (time_t)v[12];
	s->preview = f[15];
	s->times = f[16];
	return 0;
}

/* An id -> index table with open addressing. */
struct table {
	struct convsum *v;
	size_t n, cap;
	int *slot;
	size_t nslot;
	size_t want;		/* expected entries: size the slots once */
};

/* Ids are the hex of a SHA-1: their first digits are hash enough. */
static size_t
hash(const char *s)
{
	size_t h = 0;

	for (int i = 0; i < 8 && *s; i++, s++)
		h = h << 4 | (size_t)(*s <= '9' ? *s - '0' : (*s | 32) - 'a' + 10);
	return h * 0x9e3779b97f4a7c15ULL >> 7;
}

static void
rehash(struct table *t)
{
	free(t->slot);
	t->nslot = t->nslot ? t->nslot * 2 : 1024;
	while (t->nslot < 2 * t->want || t->nslot < 2 * t->n)
		t->nslot *= 2;
	t->slot = xmalloc(t->nslot * sizeof(int));
	memset(t->slot, 0xff, t->nslot * sizeof(int));
	for (size_t i = 0; i < t->n; i++) {
		size_t h = hash(t->v[i].id) & (t->nslot - 1);

		while (t->slot[h] >= 0)
			h = (h + 1) & (t->nslot - 1);
		t->slot[h] = (int)i;
	}
}

static int *
lookup(struct table *t, const char *id)
{
	size_t h;

	if (t->n * 2 >= t->nslot)
		rehash(t);
	h = hash(id) & (t->nslot - 1);
	while (t->slot[h] >= 0 && strcmp(t->v[t->slot[h]].id, id))
		h = (h + 1) & (t->nslot - 1);
	return &t->slot[h];
}

/* Put s (taken over) into the table; an empty kind removes. */
static void
table_put(struct table *t, struct convsum *s)
{
	int *slot = lookup(t, s->id);

	if (*slot >= 0) {
		summary_free(&t->v[*slot]);
		t->v[*slot] = *s;
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n] = *s;
	*slot = (int)t->n++;
}

/* Hand the table's summaries to the caller, without the removed ones. */
static void
table_give(struct table *t, struct convsum **v, size_t *n)
{
	size_t j = 0;

	free(t->slot);
	t->slot = NULL;
	for (size_t i = 0; i < t->n; i++) {
		if (!t->v[i].kind || !*t->v[i].kind) {
			summary_free(&t->v[i]);
			continue;
		}
		t->v[j++] = t->v[i];
	}
	*v = t->v;
	*n = j;
}

static char *
cache_path(struct store *st)
{
	return path_join(st->root, ".git/inbox/summary");
}

/* Read the cache; *head gets the last mark. */
static void
read_cache(int fd, struct table *t, char head[OID_HEX])
{
	struct sb s = SB_INIT;
	struct stat sbuf;
	char *p, *nl;

	head[0] = '\0';
	lseek(fd, 0, SEEK_SET);
	if (fstat(fd, &sbuf) == 0 && sbuf.st_size > 0)
		sb_grow(&s, (size_t)sbuf.st_size + 1);	/* one allocation */
	if (sb_read_fd(&s, fd, 0) < 0) {
		sb_release(&s);
		return;
	}
	t->want = s.len / 256;	/* about 350 bytes a line */
	if (t->v == NULL && t->want) {
		t->cap = t->want;
		t->v = xmalloc(t->cap * sizeof(*t->v));
	}
	for (p = s.buf; *p; p = nl + 1) {
		struct convsum cs;

		nl = strchr(p, '\n');
		if (!nl)
			break;	/* a torn last line is ignored */
		*nl = '\0';
		if (p[0] == 'H' && p[1] == '\t' && strlen(p + 2) < OID_HEX)
			memcpy(head, p + 2, strlen(p + 2) + 1);
		else if (p[0] == 'D' && p[1] == '\t') {
			int *slot = lookup(t, p + 2);

			if (*slot >= 0) {
				struct convsum *e = &t->v[*slot];
				char id[sizeof(e->id)];

				memcpy(id, e->id, sizeof(id));
				summary_free(e);
				memcpy(e->id, id, sizeof(id));
				e->kind = xstrdup("");
			}
		} else if (deserialise(p, &cs) == 0)
			table_put(t, &cs);
	}
	arena_keep(sb_detach(&s, NULL));
}

struct changed {
	char **ids;
	size_t n, cap;
};

static void
add_id(struct changed *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->ids[i], id))
			return;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->ids = xrealloc(c->ids, c->cap * sizeof(char *));
	}
	c->ids[c->n++] = xstrdup(id);
}

static int
on_path(const char *path, int deleted, void *arg)
{
	struct changed *c = arg;
	char id[CONV_ID_LEN + 1];

	(void)deleted;
	if (str_startswith(path, "conv/") && strlen(path) > 8 + CONV_ID_LEN) {
		memcpy(id, path + 8, CONV_ID_LEN);
		id[CONV_ID_LEN] = '\0';
		if (conv_id_valid(id))
			add_id(c, id);
	} else if (str_startswith(path, "contacts/")) {
		const char *cid = strrchr(path, '/') + 1;
		struct sb key = SB_INIT;

		sb_addf(&key, "contact:%s", cid);
		conv_id(key.buf, id);
		add_id(c, id);
		sb_release(&key);
	}
	return 0;
}

/* Every conversation directory on disk. */
static void
all_ids(struct store *st, struct changed *c)
{
	char *top = path_join(st->root, "conv");
	DIR *d = opendir(top);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *sub;
		DIR *d2;
		struct dirent *e2;

		if (e->d_name[0] == '.')
			continue;
		sub = path_join(top, e->d_name);
		d2 = opendir(sub);
		while (d2 && (e2 = readdir(d2)))
			if (conv_id_valid(e2->d_name))
				add_id(c, e2->d_name);
		if (d2)
			closedir(d2);
		free(sub);
	}
	if (d)
		closedir(d);
	free(top);
}

static int
conv_present(struct store *st, const char *id)
{
	char dir[64], *p;
	int r;

	conv_dir(id, dir, sizeof(dir));
	p = path_join(st->root, dir);
	r = path_exists(p);
	free(p);
	return r;
}

int
summary_changed(struct store *st, const char *from, const char *to,
    char ***ids, size_t *n)
{
	struct changed c = { NULL, 0, 0 };
	int full = 0;

	/* the journal of our own commits first: it needs no libgit2; a diff
	 * of the trees when it cannot tell; every conversation when neither
	 * can (no mark yet, a history rewritten) */
	if (!from || !*from || (repo_journal_paths(st->repo, from, to,
	    on_path, &c) != 0 && repo_diff_paths(st->repo, from, to, NULL,
	    on_path, &c) < 0)) {
		inbox_error_clear();
		for (size_t i = 0; i < c.n; i++)
			free(c.ids[i]);
		c.n = 0;
		all_ids(st, &c);
		full = 1;
	}
	*ids = c.ids;
	*n = c.n;
	return full;
}

/*
 * Summarise the conversations ids again: their lines (or "D" for those
 * gone) onto out, and into t when there is one.  Once out would pass
 * `most` bytes it is emptied and left so (the cache is compacted from t
 * instead of appended to): 1 then.
 */
static int
summarise(struct store *st, char **ids, size_t n, struct sb *out,
    size_t most, struct table *t)
{
	int over = 0;

	for (size_t i = 0; i < n; i++) {
		struct convsum cs;

		if (!conv_present(st, ids[i])) {
			if (!over)
				sb_addf(out, "D\t%s\n", ids[i]);
			cs = (struct convsum){ 0 };
			memcpy(cs.id, ids[i], strlen(ids[i]) + 1);
			cs.kind = xstrdup("");
		} else if (summary_compute(st, ids[i], &cs) < 0) {
			inbox_error_clear();
			continue;
		} else if (!over)
			serialise(out, &cs);
		if (!over && out->len > most) {
			sb_release(out);
			over = 1;
		}
		if (t) {
			pack(&cs);
			table_put(t, &cs);
		} else
			summary_free(&cs);
	}
	return over;
}

/* The bytes after the sorted body of the cache (the "V 2" line says how
 * long the body is); SIZE_MAX when it has none. */
static size_t
cache_tail(int fd)
{
	char b[32], *end;
	struct stat sb;
	unsigned long long body;

	if (pread(fd, b, sizeof(b) - 1, 0) != sizeof(b) - 1 ||
	    memcmp(b, "V\t2\t", 4) || fstat(fd, &sb) < 0)
		return SIZE_MAX;
	b[sizeof(b) - 1] = '\0';
	body = strtoull(b + 4, &end, 10);
	if (*end != '\n' || (off_t)(end + 1 - b) + (off_t)body > sb.st_size)
		return SIZE_MAX;
	return (size_t)(sb.st_size - (off_t)(end + 1 - b) - (off_t)body);
}

/* How long the tail may grow: INBOX_SUMMARY_TAIL bytes (for tests and
 * tuning), else TAIL_MAX. */
static size_t
tail_max(void)
{
	return env_size("INBOX_SUMMARY_TAIL", TAIL_MAX);
}

/* 1 when the tail with `more` bytes would be too long, or there is no
 * sorted body: time to compact. */
static int
too_long(int fd, size_t more)
{
	size_t t = cache_tail(fd);

	return t == SIZE_MAX || t + more > tail_max();
}

/*
 * Append lines to the cache (opened O_APPEND or read to its end).  A
 * line a crash cut short is ended first, so that it cannot swallow the
 * first of these.
 */
static void
append(int fd, const struct sb *lines)
{
	struct stat sb;
	char last = '\n';

	if (fstat(fd, &sb) == 0 && sb.st_size > 0 &&
	    pread(fd, &last, 1, sb.st_size - 1) == 1 && last != '\n' &&
	    write(fd, "\n", 1) != 1)
		return;
	if (write(fd, lines->buf, lines->len) != (ssize_t)lines->len) {
		/* a cache: the next reader catches up again */
	}
}

/*
 * Rewrite the cache from t: "V<TAB>2<TAB>BYTES", then the summaries most
 * recent first (summary_cmp_recent) and the mark, BYTES long, so that
 * summary_recent() can stop after a page.  Written as it is made, 64 KB
 * at a time (a store of 10,000 conversations has 4 MB of them), and
 * BYTES filled in at the end.
 */
static void
compact(struct store *st, struct table *t, const char *head)
{
	struct sb out = SB_INIT;
	char *tmp = path_join(st->root, ".git/inbox/summary.new");
	char *path = cache_path(st);
	const struct convsum **order = xmalloc((t->n ? t->n : 1) *
	    sizeof(*order));
	size_t k = 0, body = 0;
	int fd, r;

	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].kind && *t->v[i].kind)
			order[k++] = &t->v[i];
	if (k > 1)
		qsort(order, k, sizeof(*order), cmp_recent_ptr);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto out;
	sb_addf(&out, "V\t2\t%020d\n", 0);
	r = 0;
	for (size_t i = 0; r == 0 && i < k; i++) {
		size_t was = out.len;

		serialise(&out, order[i]);
		body += out.len - was;
		r = sb_spill(fd, &out, 65536);
	}
	if (r == 0) {
		size_t was = out.len;

		sb_addf(&out, "H\t%s\n", head);
		body += out.len - was;
		r = sb_spill(fd, &out, 0);
	}
	if (r == 0) {
		char num[32];

		snprintf(num, sizeof(num), "%020zu", body);
		r = pwrite(fd, num, 20, 4) == 20 ? 0 : -1;
	}
	if (close(fd) == 0 && r == 0)
		rename(tmp, path);
	else
		unlink(tmp);
out:
	free(order);
	free(tmp);
	free(path);
	sb_release(&out);
}

int
summary_all(struct store *st, struct convsum **v, size_t *n)
{
	struct table t = { NULL, 0, 0, NULL, 0, 0 };
	struct changed c = { NULL, 0, 0 };
	char head[OID_HEX], cached[OID_HEX];
	char *path = cache_path(st);
	struct sb out = SB_INIT;
	int fd, full = 0;

	*v = NULL;
	*n = 0;
	if (repo_head(st->repo, head) != 0)
		head[0] = '\0';
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(path);
		return inbox_error(INBOX_EFAIL, "open summary cache:");
	}
	read_cache(fd, &t, cached);
	if (strcmp(cached, head) != 0) {
		/* catch up under the cache lock, then read again */
		flock(fd, LOCK_EX);
		for (size_t i = 0; i < t.n; i++)
			summary_free(&t.v[i]);
		free(arenas[--narenas]);	/* what was read before */
		t.n = 0;
		free(t.slot);
		t.slot = NULL;
		t.nslot = 0;
		read_cache(fd, &t, cached);
		if (strcmp(cached, head) != 0) {
			full = summary_changed(st, cached, head, &c.ids, &c.n);
			/* sized once: growing by doubling would hold the
			 * old array and the new one together */
			if (t.n + c.n > t.cap) {
				t.cap = t.n + c.n;
				t.v = xrealloc(t.v, t.cap * sizeof(*t.v));
			}
			if (t.want < t.n + c.n)
				t.want = t.n + c.n;
			if (summarise(st, c.ids, c.n, &out, full ? 0 :
			    tail_max(), &t))
				full = 1;
			sb_addf(&out, "H\t%s\n", head);
			if (full || too_long(fd, out.len))
				compact(st, &t, head);
			else
				append(fd, &out);
		}
		flock(fd, LOCK_UN);
	}
	close(fd);
	free(path);
	sb_release(&out);
	for (size_t i = 0; i < c.n; i++)
		free(c.ids[i]);
	free(c.ids);
	table_give(&t, v, n);
	return 0;
}

/* The last mark of the cache, when its last line is one. */
static void
last_mark(int fd, char head[OID_HEX])
{
	char buf[2 * OID_HEX + 8];
	struct stat sb;
	off_t off;
	ssize_t r;
	char *p;

	head[0] = '\0';
	if (fstat(fd, &sb) < 0 || sb.st_size < OID_HEX + 2)
		return;
	off = sb.st_size > (off_t)sizeof(buf) - 1 ?
	    sb.st_size - (off_t)sizeof(buf) + 1 : 0;
	r = pread(fd, buf, sizeof(buf) - 1, off);
	if (r < OID_HEX + 2 || buf[r - 1] != '\n')
		return;
	buf[r - 1] = '\0';
	p = strrchr(buf, '\n');
	p = p ? p + 1 : buf;
	if (p[0] == 'H' && p[1] == '\t' && strlen(p + 2) == OID_HEX - 1)
		memcpy(head, p + 2, OID_HEX);
}

int
summary_recent(struct store *st,
    int (*cb)(const struct convsum *s, void *arg), void *arg)
{
	struct table t = { NULL, 0, 0, NULL, 0, 0 };
	char head[OID_HEX], cached[OID_HEX], *path = cache_path(st);
	const struct convsum **tail = NULL;
	size_t ntail = 0, body, ti = 0;
	char *map = MAP_FAILED, *p, *end, *bend;
	struct stat sb;
	int fd, r = 1;

	if (repo_head(st->repo, head) != 0)
		head[0] = '\0';
	/* appends go to the end whatever was read (pread, mmap) before */
	fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	free(path);
	if (fd < 0 || cache_tail(fd) > tail_max())
		goto out;
	last_mark(fd, cached);
	if (strcmp(cached, head)) {
		/* catch up: append the changed conversations, under the lock */
		struct sb add = SB_INIT;
		char **ids;
		size_t n;

		flock(fd, LOCK_EX);
		last_mark(fd, cached);
		if (strcmp(cached, head)) {
			int full = !*cached || summary_changed(st, cached,
			    head, &ids, &n);

			if (!full)
				summarise(st, ids, n, &add, SIZE_MAX, NULL);
			for (size_t i = 0; !full && i < n; i++)
				free(ids[i]);
			if (!full)
				free(ids);
			sb_addf(&add, "H\t%s\n", head);
			/* too much, or it cannot tell: the full way, which
			 * compacts */
			if (full || too_long(fd, add.len)) {
				if (full && *cached) {
					for (size_t i = 0; i < n; i++)
						free(ids[i]);
					free(ids);
				}
				sb_release(&add);
				flock(fd, LOCK_UN);
				goto out;
			}
			append(fd, &add);
		}
		sb_release(&add);
		flock(fd, LOCK_UN);
	}
	if (fstat(fd, &sb) < 0 || sb.st_size < 30)
		goto out;
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		goto out;
	end = map + sb.st_size;
	body = (size_t)strtoull(map + 4, &p, 10);
	if (*p != '\n' || body > (size_t)(end - p - 1))
		goto out;
	bend = p + 1 + body;
	/* the lines after the sorted body override it */
	for (char *l = bend, *nl; l < end; l = nl + 1) {
		struct convsum cs;

		if (!(nl = memchr(l, '\n', (size_t)(end - l))))
			break;
		*nl = '\0';
		if (l[0] == 'D' && l[1] == '\t') {
			cs = (struct convsum){ 0 };
			snprintf(cs.id, sizeof(cs.id), "%s", l + 2);
			cs.shared = 1;
			cs.kind = (char *)"";
			table_put(&t, &cs);
		} else if (deserialise(l, &cs) == 0)
			table_put(&t, &cs);
	}
	tail = xmalloc((t.n ? t.n : 1) * sizeof(*tail));
	for (size_t i = 0; i < t.n; i++)
		if (*t.v[i].kind)
			tail[ntail++] = &t.v[i];
	if (ntail > 1)
		qsort(tail, ntail, sizeof(*tail), cmp_recent_ptr);
	/* merge the body and the tail, most recent first */
	r = 0;
	for (char *l = p + 1, *nl; l < bend && r == 0; l = nl + 1) {
		struct convsum cs;
		char id[16];
		size_t k;

		if (!(nl = memchr(l, '\n', (size_t)(bend - l))))
			break;
		if (l[0] != 'S' || l[1] != '\t')
			continue;
		k = strcspn(l + 2, "\t\n");
		if (k >= sizeof(id))
			continue;
		memcpy(id, l + 2, k);
		id[k] = '\0';
		if (t.n && *lookup(&t, id) >= 0)
			continue;	/* changed since: the tail has it */
		*nl = '\0';
		if (deserialise(l, &cs) < 0)
			continue;
		while (ti < ntail && summary_cmp_recent(tail[ti], &cs) < 0 &&
		    r == 0)
			r = cb(tail[ti++], arg) ? 2 : 0;
		if (r == 0)
			r = cb(&cs, arg) ? 2 : 0;
	}
	while (ti < ntail && r == 0)
		r = cb(tail[ti++], arg) ? 2 : 0;
	r = 0;
out:
	if (map != MAP_FAILED)
		munmap(map, (size_t)sb.st_size);
	if (fd >= 0)
		close(fd);
	free(tail);
	free(t.slot);
	free(t.v);
	return r;
}

void
summary_list_free(struct convsum *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		summary_free(&v[i]);
	free(v);
	for (size_t i = 0; i < narenas; i++)
		free(arenas[i]);
	free(arenas);
	arenas = NULL;
	narenas = 0;
}

int
summary_reset(struct store *st)
{
	char *p = cache_path(st);
	int r = unlink(p) < 0 && errno != ENOENT ?
	    inbox_error(INBOX_EFAIL, "remove %s:", p) : 0;

	free(p);
	return r;
}

/* Conversation ids under conv/ of the store as read (st->at). */
static int
at_sub(const char *name, void *arg)
{
	struct changed *c = arg;

	if (conv_id_valid(name))
		add_id(c, name);
	return 0;
}

static int
at_top(const char *name, void *arg)
{
	struct { struct store *st; struct changed *c; } *a = arg;
	char rel[16];

	if (strlen(name) != 2)
		return 0;
	snprintf(rel, sizeof(rel), "conv/%s", name);
	return store_list(a->st, rel, at_sub, a->c) < 0;
}

int
summary_asof(struct store *st, struct convsum **v, size_t *n)
{
	struct table t = { NULL, 0, 0, NULL, 0, 0 };
	struct changed c = { NULL, 0, 0 };
	char head[OID_HEX], *at = st->at;
	int r;

	/* now, from the cache */
	st->at = NULL;
	r = summary_all(st, &t.v, &t.n);
	st->at = at;
	if (r < 0)
		return -1;
	t.cap = t.n;
	t.want = t.n;
	rehash(&t);
	/* thousands of files of one commit: repo_read() keeps the trees
	 * of the conversation it is in, libgit2 none (45 MB at 100k) */
	repo_cache(st->repo, 0);
	/* what differs between then and now is read as it was then */
	if (repo_head(st->repo, head) != 0 || repo_diff_paths(st->repo, at,
	    head, NULL, on_path, &c) < 0) {
		struct { struct store *st; struct changed *c; } a = { st, &c };

		inbox_error_clear();
		for (size_t i = 0; i < t.n; i++) {
			summary_free(&t.v[i]);
			t.v[i].kind = xstrdup("");
		}
		if (store_list(st, "conv", at_top, &a) < 0)
			goto fail;
	}
	for (size_t i = 0; i < c.n; i++) {
		struct convsum cs;
		struct conv cv;
		char **paths;
		size_t np = 0;
		int there;

		if (conv_load(st, c.ids[i], &cv) < 0)
			goto fail;
		there = cv.exists;
		conv_free(&cv);
		if (!there && conv_messages(st, c.ids[i], &paths, &np) == 0)
			strv_free(paths, np);
		if (!there && !np) {
			/* not there yet */
			cs = (struct convsum){ 0 };
			memcpy(cs.id, c.ids[i], strlen(c.ids[i]) + 1);
			cs.kind = xstrdup("");
		} else if (summary_compute(st, c.ids[i], &cs) < 0)
			goto fail;
		pack(&cs);
		table_put(&t, &cs);
	}
	r = 0;
	goto out;
fail:
	r = -1;
out:
	repo_cache(st->repo, 1);
	for (size_t i = 0; i < c.n; i++)
		free(c.ids[i]);
	free(c.ids);
	table_give(&t, v, n);
	return r;
}
