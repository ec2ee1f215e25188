/*
 * sync.c - fetch, merge by rule, push (see sync.h for the rules).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "conv.h"
#include "kv.h"
#include "msg.h"
#include "secret.h"
#include "sync.h"

/* --- remotes and credentials ----------------------------------------- */

const char *
sync_default_remote(struct store *st)
{
	const char *d = config_str(st->cfg, "sync.default", NULL);

	return d && *d ? d : "origin";
}

int
sync_remote_url(struct store *st, const char *name, char **url)
{
	int node, r;

	if (!name_valid(name))
		return inbox_error(INBOX_EUSAGE, "'%s' is not a valid remote "
		    "name", name);
	if ((r = repo_remote_url(st->repo, name, url)) <= 0)
		return r;
	node = config_node(st->cfg, 0, "sync.remotes");
	for (size_t i = 0; node && i < config_len(st->cfg, node); i++) {
		const char *key = NULL, *v;
		int item = config_item(st->cfg, node, i, &key);

		if (!key || strcmp(key, name))
			continue;
		v = config_scalar(st->cfg, item);
		if (v && *v) {
			*url = xstrdup(v);
			return 0;
		}
	}
	return inbox_error(INBOX_EFAIL, "no remote '%s' (add one with git "
	    "remote add, or under sync.remotes in inbox.yaml)", name);
}

/* 1 when url is a local path (or file://) where nothing is: a disk not
 * mounted, a share not there. */
static int
local_missing(const char *url)
{
	if (str_startswith(url, "file://"))
		url += 7;
	else if (strstr(url, "://") || (strchr(url, ':') &&
	    (!strchr(url, '/') || strchr(url, ':') < strchr(url, '/'))))
		return 0;	/* ssh://, git://, host:path */
	return !path_exists(url);
}

struct creds {
	struct repo_cred c;
	char *key, *pass, *password, *hosts;
};

static int
creds_load(struct store *st, struct creds *k)
{
	const char *e = getenv("INBOX_SECRET_SSH_KEY");

	memset(k, 0, sizeof(*k));
	if (e && *e)
		k->c.ssh_key_data = e;
	else if (st) {
		char *p = store_path(st, "secrets/ssh-key");

		if (path_exists(p))
			k->c.ssh_key = k->key = p;
		else
			free(p);
	}
	if (st) {
		char *kh = store_path(st, "secrets/known_hosts");

		if (path_exists(kh))
			k->c.known_hosts = k->hosts = kh;
		else
			free(kh);
		if (secret_get(st, "ssh-passphrase", &k->pass) < 0 ||
		    secret_get(st, "sync-password", &k->password) < 0)
			return -1;
		k->c.user = config_str(st->cfg, "sync.user", NULL);
	} else {
		if ((e = getenv("INBOX_SECRET_SSH_PASSPHRASE")) && *e)
			k->pass = xstrdup(e);
		if ((e = getenv("INBOX_SECRET_SYNC_PASSWORD")) && *e)
			k->password = xstrdup(e);
	}
	k->c.ssh_pass = k->pass;
	k->c.password = k->password;
	return 0;
}

static void
creds_free(struct creds *k)
{
	free(k->key);
	free(k->pass);
	free(k->password);
	free(k->hosts);
}

/* --- the sending host ------------------------------------------------ */

int
sync_host(struct store *st, char *buf, size_t n)
{
	char *p = store_path(st, ".git/inbox/host");
	struct sb s = SB_INIT;
	int r = 1;

	buf[0] = '\0';
	if (path_exists(p) && sb_read_file(&s, p, 4096) == 0) {
		sb_rtrim(&s);
		if (s.len && s.len < n) {
			memcpy(buf, s.buf, s.len + 1);
			r = 0;
		}
	}
	inbox_error_clear();
	sb_release(&s);
	free(p);
	return r;
}

int
sync_set_host(struct store *st, const char *name)
{
	struct sb s = SB_INIT;
	char *p;
	int r;

	if (!name_valid(name))
		return inbox_error(INBOX_EUSAGE, "'%s' is not a valid host "
		    "name", name);
	sb_addf(&s, "%s\n", name);
	p = store_path(st, ".git/inbox/host");
	r = write_atomic(p, s.buf, s.len, 0644);
	free(p);
	sb_release(&s);
	return r;
}

int
sync_may_send(struct store *st)
{
	const char *want = config_str(st->cfg, "sync.sending-host", NULL);
	char host[256];

	if (!want || !*want)
		return 1;
	if (sync_host(st, host, sizeof(host)) != 0)
		return 0;
	return strcmp(host, want) == 0;
}

/* --- last sync times (.git/inbox/sync) ------------------------------- */

static void
note_synced(struct store *st, const char *name)
{
	char *p = store_path(st, ".git/inbox/sync");
	struct kv kv = KV_INIT;
	struct sb s = SB_INIT;
	char iso[32];

	if (path_exists(p))
		kv_load(&kv, p);
	inbox_error_clear();
	time_iso(inbox_now(), iso, sizeof(iso));
	kv_set(&kv, name, iso);
	kv_format(&kv, &s);
	write_atomic(p, s.buf, s.len, 0644);	/* only a note */
	inbox_error_clear();
	sb_release(&s);
	kv_free(&kv);
	free(p);
}

static time_t
last_synced(struct store *st, const char *name)
{
	char *p = store_path(st, ".git/inbox/sync");
	struct kv kv = KV_INIT;
	const char *v;
	time_t t = 0;

	if (path_exists(p) && kv_load(&kv, p) == 0 &&
	    (v = kv_get(&kv, name)) && time_parse(v, "UTC", &t) < 0)
		t = 0;
	inbox_error_clear();
	kv_free(&kv);
	free(p);
	return t;
}

/* --- message files ---------------------------------------------------- */

/*
 * "conv/ab/abcdef123456/cur/UNIQ:2,FS" -> "conv/ab/abcdef123456/UNIQ"
 * (malloc'd); NULL for any other path.
 */
static char *
msg_key(const char *path)
{
	const char *p[5], *s = path;
	struct sb k = SB_INIT;
	size_t ulen;
	int n = 0;

	if (!str_startswith(path, "conv/"))
		return NULL;
	p[n++] = s;
	while ((s = strchr(s, '/'))) {
		if (n == 5)
			return NULL;
		p[n++] = ++s;
	}
	if (n != 5 || (strncmp(p[3], "new/", 4) && strncmp(p[3], "cur/", 4)))
		return NULL;
	ulen = strcspn(p[4], ":");
	if (ulen == 0 || p[4][0] == '.')
		return NULL;
	sb_add(&k, path, (size_t)(p[3] - path));
	sb_add(&k, p[4], ulen);
	return sb_detach(&k, NULL);
}

/* The value of header `name` in a message (first one), into out. */
static int
header(const char *buf, size_t len, const char *name, char *out, size_t n)
{
	const char *p = buf, *end = buf + len;
	size_t nl = strlen(name);

	out[0] = '\0';
	while (p < end && *p != '\n' && *p != '\r') {
		const char *e = memchr(p, '\n', (size_t)(end - p));

		if (!e)
			e = end;
		if ((size_t)(e - p) > nl && p[nl] == ':' &&
		    strncasecmp(p, name, nl) == 0) {
			const char *v = p + nl + 1;
			size_t k;

			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			k = (size_t)(e - v);
			while (k && (v[k - 1] == '\r' || v[k - 1] == ' '))
				k--;
			if (k >= n)
				k = n - 1;
			memcpy(out, v, k);
			out[k] = '\0';
			return 1;
		}
		p = e + 1;
	}
	return 0;
}

/* --- field-by-field merge of kv records ------------------------------ */

enum { SIDE_W = 1, SIDE_L = 2 };

/* One side's versions of a record since the merge base, newest first. */
struct ver {
	time_t when;
	struct kv now, before;
};

struct hist {
	struct ver *v;
	size_t n;
};

struct kvm {
	const struct kv *b, *w, *l;	/* base, winner (newer), loser */
	const struct hist *hw, *hl;	/* their histories */
	const char *const *sets;	/* keys merged as sets ("x." prefix) */
	const char *const *maxes;	/* keys merged by greatest value */
	const char *const *groups;	/* keys merged together ("a b") */
	const char *forced_group;	/* decided by the caller: */
	int forced;			/* SIDE_W or SIDE_L */
};

static int
key_in(const char *const *list, const char *key)
{
	for (size_t i = 0; list && list[i]; i++) {
		size_t n = strlen(list[i]);

		if (n && list[i][n - 1] == '.' ? !strncmp(key, list[i], n) :
		    !strcmp(key, list[i]))
			return 1;
	}
	return 0;
}

/* 1 when key is a word of the space-separated group g. */
static int
word_in(const char *g, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = g; *p; ) {
		size_t w = strcspn(p, " ");

		if (w == n && !strncmp(p, key, n))
			return 1;
		p += w;
		while (*p == ' ')
			p++;
	}
	return 0;
}

static const char *
group_of(const struct kvm *m, const char *key)
{
	for (size_t i = 0; m->groups && m->groups[i]; i++)
		if (word_in(m->groups[i], key))
			return m->groups[i];
	return NULL;
}

/* The fields of kv in a group (or of one key) as comparable bytes. */
static void
fields(const struct kv *kv, const char *group, const char *key,
    struct sb *out)
{
	for (size_t i = 0; kv && i < kv->n; i++)
		if (group ? word_in(group, kv->v[i].key) :
		    !strcmp(kv->v[i].key, key))
			sb_addf(out, "%s: %s\n", kv->v[i].key, kv->v[i].val);
}

/* When a side last changed a key (or its group); 0 when unknown. */
static time_t
changed_at(const struct hist *h, const char *g, const char *key)
{
	time_t t = 0;

	for (size_t i = 0; h && !t && i < h->n; i++) {
		struct sb a = SB_INIT, b = SB_INIT;

		fields(&h->v[i].now, g, key, &a);
		fields(&h->v[i].before, g, key, &b);
		if (strcmp(a.buf, b.buf))
			t = h->v[i].when;
		sb_release(&a);
		sb_release(&b);
	}
	return t;
}

/*
 * Which side a scalar key (and its group) comes from: the side that
 * changed it; when both did, the one that changed it last.
 */
static int
side_for(const struct kvm *m, const char *key)
{
	const char *g = group_of(m, key);
	struct sb b = SB_INIT, w = SB_INIT, l = SB_INIT;
	int side = SIDE_W;

	if (m->forced_group && word_in(m->forced_group, key))
		return m->forced;
	fields(m->b, g, key, &b);
	fields(m->w, g, key, &w);
	fields(m->l, g, key, &l);
	if (!strcmp(w.buf, l.buf) || !strcmp(l.buf, b.buf))
		side = SIDE_W;		/* same, or only the winner changed */
	else if (!strcmp(w.buf, b.buf))
		side = SIDE_L;		/* only the loser changed it */
	else if (changed_at(m->hl, g, key) > changed_at(m->hw, g, key))
		side = SIDE_L;		/* both: the later change */
	sb_release(&b);
	sb_release(&w);
	sb_release(&l);
	return side;
}

/* A set line stays when both sides have it or one side added it. */
static int
set_keep(const struct kvm *m, const char *key, const char *val)
{
	int inw = kv_has(m->w, key, val), inl = kv_has(m->l, key, val);
	int inb = m->b && kv_has(m->b, key, val);

	return (inw && inl) || ((inw || inl) && !inb);
}

static const char *
max_of(const struct kvm *m, const char *key)
{
	const char *a = kv_get(m->w, key), *b = kv_get(m->l, key);

	if (!a)
		return b;
	if (!b)
		return a;
	return strcmp(a, b) >= 0 ? a : b;
}

static void
push_field(struct kv *out, const char *key, const char *val)
{
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 16;
		out->v = xrealloc(out->v, out->cap * sizeof(*out->v));
	}
	out->v[out->n].key = xstrdup(key);
	out->v[out->n].val = xstrdup(val);
	out->n++;
}

static void
push_all(struct kv *out, const struct kv *from, const char *key)
{
	for (size_t i = 0; i < from->n; i++)
		if (!strcmp(from->v[i].key, key))
			push_field(out, key, from->v[i].val);
}

/* Emit the fields of one side in order, deciding each key once. */
static void
emit(const struct kvm *m, const struct kv *src, struct kv *out,
    struct kv *done)
{
	for (size_t i = 0; i < src->n; i++) {
		const char *k = src->v[i].key, *v = src->v[i].val;

		if (key_in(m->sets, k)) {
			if (set_keep(m, k, v) && !kv_has(out, k, v))
				push_field(out, k, v);
			continue;
		}
		if (kv_get(done, k))
			continue;
		push_field(done, k, "1");
		if (key_in(m->maxes, k))
			push_field(out, k, max_of(m, k));
		else
			push_all(out, side_for(m, k) == SIDE_W ? m->w : m->l,
			    k);
	}
}

static void
kv_merge3(const struct kvm *m, struct kv *out)
{
	struct kv done = KV_INIT;

	emit(m, m->w, out, &done);
	emit(m, m->l, out, &done);
	kv_free(&done);
}

/* --- the merge ---------------------------------------------------------- */

struct side {
	const char *oid;	/* blob, "" when absent */
	const char *path;
	int exec;
	time_t when;
};

struct merge {
	struct store *st;
	struct repo *r;
	const char *base, *ours, *theirs;
	struct repo_update *up;
	size_t nup, upcap;
	char **owned;		/* strings the updates point into */
	size_t nowned, ownedcap;
	struct sb trailers;
	size_t from_them, by_rule;
};

static const char *
own(struct merge *m, char *s)
{
	if (m->nowned == m->ownedcap) {
		m->ownedcap = m->ownedcap ? m->ownedcap * 2 : 64;
		m->owned = xrealloc(m->owned, m->ownedcap * sizeof(*m->owned));
	}
	m->owned[m->nowned++] = s;
	return s;
}

static struct repo_update *
up_new(struct merge *m, const char *path)
{
	struct repo_update *u;

	if (m->nup == m->upcap) {
		m->upcap = m->upcap ? m->upcap * 2 : 64;
		m->up = xrealloc(m->up, m->upcap * sizeof(*m->up));
	}
	u = &m->up[m->nup++];
	memset(u, 0, sizeof(*u));
	u->path = own(m, xstrdup(path));
	return u;
}

static void
up_del(struct merge *m, const char *path)
{
	up_new(m, path)->del = 1;
}

static void
up_oid(struct merge *m, const char *path, const char *oid, int exec)
{
	struct repo_update *u = up_new(m, path);

	u->oid = own(m, xstrdup(oid));
	u->exec = exec;
}

/* New contents for path, unless they are what ours already has. */
static int
up_data(struct merge *m, const char *path, struct sb *data, int exec,
    const struct side *ours)
{
	char oid[OID_HEX];
	struct repo_update *u;

	if (repo_hash(data->buf, data->len, oid) < 0)
		return -1;
	if (*ours->oid && !strcmp(oid, ours->oid) && exec == ours->exec)
		return 0;
	u = up_new(m, path);
	u->len = data->len;
	u->data = own(m, sb_detach(data, NULL));
	u->exec = exec;
	return 0;
}

static void
rule(struct merge *m, const char *name, const char *path)
{
	m->by_rule++;
	sb_addf(&m->trailers, "Merge-Rule: %s %s\n", name, path);
}

/* The newer side: later last change, then greater contents. */
static int
newer_is_ours(const struct side *o, const struct side *t)
{
	if (o->when != t->when)
		return o->when > t->when;
	return strcmp(o->oid, t->oid) >= 0;
}

static int
load_kv(struct merge *m, const char *oid, struct kv *kv)
{
	struct sb s = SB_INIT;
	int r = 0;

	if (*oid && (repo_blob(m->r, oid, &s) < 0 ||
	    kv_parse(kv, s.buf, s.len) < 0))
		r = -1;
	sb_release(&s);
	return r;
}

struct hist_ctx {
	struct merge *m;
	struct hist *h;
};

static int
hist_cb(time_t when, const char *now, const char *before, void *arg)
{
	struct hist_ctx *x = arg;
	struct ver *v;

	if (x->h->n % 16 == 0)
		x->h->v = xrealloc(x->h->v, (x->h->n + 16) * sizeof(*v));
	v = &x->h->v[x->h->n++];
	memset(v, 0, sizeof(*v));
	v->when = when;
	if (load_kv(x->m, now, &v->now) < 0 ||
	    load_kv(x->m, before, &v->before) < 0)
		inbox_error_clear();	/* a broken version tells nothing */
	return 0;
}

static int
hist_load(struct merge *m, const char *tip, const char *path,
    struct hist *h)
{
	struct hist_ctx x = { m, h };

	return repo_path_changes(m->r, tip, m->base, path, hist_cb, &x);
}

static void
hist_free(struct hist *h)
{
	for (size_t i = 0; i < h->n; i++) {
		kv_free(&h->v[i].now);
		kv_free(&h->v[i].before);
	}
	free(h->v);
}

/* 1 when msgid ("CONV/UNIQ") is an inbound message in commit rev. */
struct find_ctx {
	const char *uniq;
	char name[300];
};

static int
find_name(const char *name, int is_dir, void *arg)
{
	struct find_ctx *f = arg;
	size_t n = strlen(f->uniq);

	if (!is_dir && !strncmp(name, f->uniq, n) &&
	    (name[n] == '\0' || name[n] == ':')) {
		snprintf(f->name, sizeof(f->name), "%s", name);
		return 1;
	}
	return 0;
}

static int
inbound_in(struct merge *m, const char *rev, const char *msgid)
{
	const char *slash = strchr(msgid, '/');
	char conv[16], dir[64], dirn[2][80];
	struct find_ctx f;

	if (!slash || slash - msgid != 12)
		return 0;
	memcpy(conv, msgid, 12);
	conv[12] = '\0';
	if (!conv_id_valid(conv))
		return 0;
	snprintf(dir, sizeof(dir), "conv/%.2s/%s", conv, conv);
	snprintf(dirn[0], sizeof(dirn[0]), "%s/cur", dir);
	snprintf(dirn[1], sizeof(dirn[1]), "%s/new", dir);
	f.uniq = slash + 1;
	for (int i = 0; i < 2; i++) {
		struct sb p = SB_INIT, s = SB_INIT;
		char v[16];
		int in = 0;

		f.name[0] = '\0';
		if (repo_ls_tree(m->r, rev, dirn[i], find_name, &f) < 0)
			inbox_error_clear();
		if (!f.name[0])
			continue;
		sb_addf(&p, "%s/%s", dirn[i], f.name);
		if (repo_read(m->r, rev, p.buf, &s) == 0 &&
		    header(s.buf, s.len, "X-Inbox-Direction", v, sizeof(v)))
			in = !strcmp(v, "in");
		inbox_error_clear();
		sb_release(&p);
		sb_release(&s);
		return in;
	}
	return 0;
}

/*
 * The opt-out rule: an opt-out stands unless the other side has an
 * opt-in newer than it that came from the customer; of two opt-outs the
 * first stands.  0 when neither side is opted out.
 */
static int
optout_side(struct merge *m, const struct kv *w, const struct kv *l)
{
	const char *ow = kv_get(w, "optout"), *ol = kv_get(l, "optout");
	const struct kv *in;
	const char *out, *optin;
	char when[40], word[40], msgid[200];

	if (!ow && !ol)
		return 0;
	if (ow && ol)
		return strcmp(ow, ol) <= 0 ? SIDE_W : SIDE_L;
	in = ow ? l : w;
	out = ow ? ow : ol;
	optin = kv_get(in, "optin");
	if (optin && sscanf(optin, "%39s %39s %199s", when, word,
	    msgid) == 3 && strcmp(when, out) > 0 &&
	    (inbound_in(m, m->ours, msgid) || inbound_in(m, m->theirs, msgid)))
		return ow ? SIDE_L : SIDE_W;
	return ow ? SIDE_W : SIDE_L;
}

/* An archive or close older than the newest inbound message is undone,
 * as it would have been had both happened on one machine. */
static void
conv_after(struct kv *st)
{
	const char *newest = NULL, *a, *c;

	for (size_t i = 0; i < st->n; i++)
		if (str_startswith(st->v[i].key, "last-in.") &&
		    (!newest || strcmp(st->v[i].val, newest) > 0))
			newest = st->v[i].val;
	if (!newest)
		return;
	if ((a = kv_get(st, "archived")) && strcmp(newest, a) > 0)
		kv_del(st, "archived", NULL);
	if ((c = kv_get(st, "closed")) && !kv_get(st, "blocked") &&
	    kv_has(st, "status", "closed") && strcmp(newest, c) > 0) {
		kv_set(st, "status", "open");
		kv_del(st, "closed", NULL);
	}
}

enum { KIND_STATE, KIND_JOB, KIND_CONTACT, KIND_ADDR, KIND_QUEUE,
	KIND_PID, KIND_OTHER };

static int
path_kind(const char *p)
{
	size_t n = strlen(p);
	int slashes = 0;

	for (const char *s = p; *s; s++)
		slashes += *s == '/';
	if (str_startswith(p, "conv/") && slashes == 3 &&
	    n > 6 && !strcmp(p + n - 6, "/state"))
		return KIND_STATE;
	if (str_startswith(p, "jobs/") && slashes == 2)
		return KIND_JOB;
	if (str_startswith(p, "contacts/") && slashes == 2)
		return KIND_CONTACT;
	if (str_startswith(p, "addr/") && slashes == 2)
		return KIND_ADDR;
	if (str_startswith(p, "idx/queue/"))
		return KIND_QUEUE;
	if (str_startswith(p, "idx/pid/"))
		return KIND_PID;
	return KIND_OTHER;
}

static const char *const state_sets[] = { "member", "job", "address",
	NULL };
static const char *const state_maxes[] = { "last-in.", NULL };
static const char *const state_groups[] = { "status closed",
	"blocked blocked-reason", NULL };
static const char *const job_sets[] = { "sent.", "hook-failed", NULL };
static const char *const contact_sets[] = { "phone", "email", "whatsapp",
	NULL };
static const char *const addr_groups[] = { "blocked blocked-reason",
	"optout optout-keyword optout-message optin", NULL };
static const char *const kind_names[] = { "state", "job", "contact",
	"address", "queue", "index", "newer" };

/* A path both sides changed (not a message file). */
static int
merge_path(struct merge *m, const char *path, const char *base,
    const struct side *o, const struct side *t)
{
	int kind = path_kind(path), ours_newer = newer_is_ours(o, t);
	const struct side *w = ours_newer ? o : t;
	struct kv kb = KV_INIT, kw = KV_INIT, kl = KV_INIT, out = KV_INIT;
	struct hist ho = { NULL, 0 }, ht = { NULL, 0 };
	struct kvm km;
	struct sb data = SB_INIT;
	int r = 0;

	rule(m, kind_names[kind], path);
	if (kind == KIND_QUEUE && (!*o->oid || !*t->oid))
		w = *o->oid ? t : o;		/* delivered: stays removed */
	else if (kind == KIND_PID && (!*o->oid || !*t->oid))
		w = *o->oid ? o : t;		/* union */
	else if (kind <= KIND_ADDR && *o->oid && *t->oid) {
		if (load_kv(m, base, &kb) < 0 ||
		    load_kv(m, w->oid, &kw) < 0 ||
		    load_kv(m, (w == o ? t : o)->oid, &kl) < 0) {
			inbox_error_clear();
			goto whole;
		}
		if (hist_load(m, m->ours, path, &ho) < 0 ||
		    hist_load(m, m->theirs, path, &ht) < 0) {
			r = -1;
			goto out;
		}
		memset(&km, 0, sizeof(km));
		km.b = &kb;
		km.w = &kw;
		km.l = &kl;
		km.hw = w == o ? &ho : &ht;
		km.hl = w == o ? &ht : &ho;
		switch (kind) {
		case KIND_STATE:
			km.sets = state_sets;
			km.maxes = state_maxes;
			km.groups = state_groups;
			break;
		case KIND_JOB:
			km.sets = job_sets;
			break;
		case KIND_CONTACT:
			km.sets = contact_sets;
			break;
		default:
			km.groups = addr_groups;
			km.forced = optout_side(m, &kw, &kl);
			if (km.forced)
				km.forced_group = addr_groups[1];
			break;
		}
		kv_merge3(&km, &out);
		if (kind == KIND_STATE)
			conv_after(&out);
		kv_format(&out, &data);
		r = up_data(m, path, &data, w->exec, o);
		goto out;
	}
whole:
	if (w == o)
		goto out;
	if (*w->oid)
		up_oid(m, path, w->oid, w->exec);
	else
		up_del(m, path);
out:
	hist_free(&ho);
	hist_free(&ht);
	kv_free(&kb);
	kv_free(&kw);
	kv_free(&kl);
	kv_free(&out);
	sb_release(&data);
	return r;
}

/* The flags and directory of a message file name. */
static void
name_flags(const char *path, char *flags, size_t n, int *cur)
{
	const char *slash = strrchr(path, '/'), *info;

	*cur = slash && slash - path >= 4 && !strncmp(slash - 4, "/cur", 4);
	flags[0] = '\0';
	if (slash && (info = strstr(slash, ":2,")))
		snprintf(flags, n, "%s", info + 3);
}

/*
 * A message file both sides changed: flags set on either side are set,
 * flags the base had and either side cleared are cleared; the contents
 * of the side with the higher status (then the newer side).
 */
static int
merge_msg(struct merge *m, const char *key, const struct side *b,
    const struct side *o, const struct side *t)
{
	char fb[32], fo[32], ft[32], flags[32], so[40], st[40];
	int cb, co, ct, k = 0, ours_newer = newer_is_ours(o, t);
	const char *oid, *uniq = strrchr(key, '/') + 1;
	struct sb path = SB_INIT, a = SB_INIT, c = SB_INIT;

	if (!*o->oid && !*t->oid)
		return 0;
	if (*o->oid && *t->oid && !strcmp(o->oid, t->oid) &&
	    !strcmp(o->path, t->path))
		return 0;
	rule(m, "message", key);
	if (!*o->oid || !*t->oid) {
		/* removed on one side, changed on the other: the newer;
		 * at equal times the one that kept it */
		const struct side *w = o->when != t->when ?
		    (ours_newer ? o : t) : (*o->oid ? o : t);

		if (w == o)
			return 0;
		if (*t->oid)
			up_oid(m, t->path, t->oid, 0);
		else
			up_del(m, o->path);
		return 0;
	}
	if (!strcmp(o->oid, t->oid))
		oid = o->oid;
	else if (*b->oid && !strcmp(o->oid, b->oid))
		oid = t->oid;
	else if (*b->oid && !strcmp(t->oid, b->oid))
		oid = o->oid;
	else {
		int ro, rt;

		if (repo_blob(m->r, o->oid, &a) < 0 ||
		    repo_blob(m->r, t->oid, &c) < 0) {
			sb_release(&a);
			sb_release(&c);
			return -1;
		}
		header(a.buf, a.len, "X-Inbox-Status", so, sizeof(so));
		header(c.buf, c.len, "X-Inbox-Status", st, sizeof(st));
		ro = msg_status_rank(*so ? so : NULL);
		rt = msg_status_rank(*st ? st : NULL);
		oid = ro != rt ? (ro > rt ? o->oid : t->oid) :
		    ours_newer ? o->oid : t->oid;
		sb_release(&a);
		sb_release(&c);
	}
	name_flags(*b->oid ? b->path : "", fb, sizeof(fb), &cb);
	name_flags(o->path, fo, sizeof(fo), &co);
	name_flags(t->path, ft, sizeof(ft), &ct);
	for (int f = 'A'; f <= 'z' && k < (int)sizeof(flags) - 1; f++) {
		int inb = strchr(fb, f) != NULL, ino = strchr(fo, f) != NULL,
		    intt = strchr(ft, f) != NULL;

		/* kept by both, or set by either */
		if ((inb && ino && intt) || (!inb && (ino || intt)))
			flags[k++] = (char)f;
	}
	flags[k] = '\0';
	sb_add(&path, key, (size_t)(uniq - key));
	if (co || ct || k)
		sb_addf(&path, "cur/%s:2,%s", uniq, flags);
	else
		sb_addf(&path, "new/%s", uniq);
	if (strcmp(path.buf, o->path))
		up_del(m, o->path);
	if (strcmp(path.buf, o->path) || strcmp(oid, o->oid))
		up_oid(m, path.buf, oid, 0);
	sb_release(&path);
	return 0;
}

/* A delta's message key, with its index, for grouping. */
struct kref {
	char *key;
	size_t i;
};

static int
kref_cmp(const void *a, const void *b)
{
	const struct kref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static struct kref *
krefs(const struct repo_delta *d, size_t n, size_t *nk)
{
	struct kref *v = xcalloc(n ? n : 1, sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char *key = msg_key(d[i].path);

		if (key) {
			v[k].key = key;
			v[k++].i = i;
		}
	}
	if (k > 1)
		qsort(v, k, sizeof(*v), kref_cmp);
	*nk = k;
	return v;
}

static void
krefs_free(struct kref *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].key);
	free(v);
}

/* One conflict: a path, or a message key, changed on both sides. */
struct conflict {
	const char *key;		/* path or message key */
	int msg;
	struct side b, o, t;
	size_t o_from, o_to, t_from, t_to;	/* kref ranges (msg) */
	size_t oi, ti;			/* delta indexes (path) */
};

/* The side of a message key from its deltas: the file it ends as. */
static void
msg_side(const struct repo_delta *d, const struct kref *k, size_t from,
    size_t to, struct side *s, struct side *base)
{
	s->oid = "";
	s->path = "";
	for (size_t j = from; j < to; j++) {
		const struct repo_delta *x = &d[k[j].i];

		if (*x->new) {
			s->oid = x->new;
			s->path = x->path;
		}
		if (*x->old && !*base->oid) {
			base->oid = x->old;
			base->path = x->path;
		}
	}
}

/* Each side's last change time of each conflict. */
static int
conflict_times(struct merge *m, struct conflict *c, size_t nc,
    const struct repo_delta *d1, const struct kref *k1,
    const struct repo_delta *d2, const struct kref *k2)
{
	for (int side = 0; side < 2; side++) {
		const struct repo_delta *d = side ? d2 : d1;
		const struct kref *k = side ? k2 : k1;
		const char **paths = NULL;
		size_t np = 0, cap = 0, at = 0;
		time_t *when;

		for (size_t i = 0; i < nc; i++) {
			size_t from = side ? c[i].t_from : c[i].o_from;
			size_t to = side ? c[i].t_to : c[i].o_to;

			if (!c[i].msg) {
				from = 0;
				to = 1;
			}
			for (size_t j = from; j < to; j++) {
				if (np == cap) {
					cap = cap ? cap * 2 : 32;
					paths = xrealloc(paths,
					    cap * sizeof(*paths));
				}
				paths[np++] = c[i].msg ? d[k[j].i].path :
				    c[i].key;
			}
		}
		when = xcalloc(np ? np : 1, sizeof(*when));
		if (repo_last_change(m->r, side ? m->theirs : m->ours,
		    m->base, paths, np, when) < 0) {
			free(paths);
			free(when);
			return -1;
		}
		for (size_t i = 0; i < nc; i++) {
			struct side *s = side ? &c[i].t : &c[i].o;
			size_t cnt = !c[i].msg ? 1 : side ?
			    c[i].t_to - c[i].t_from : c[i].o_to - c[i].o_from;

			s->when = 0;
			for (size_t j = 0; j < cnt; j++, at++)
				if (when[at] > s->when)
					s->when = when[at];
		}
		free(paths);
		free(when);
	}
	return 0;
}

static void
merge_free(struct merge *m)
{
	for (size_t i = 0; i < m->nowned; i++)
		free(m->owned[i]);
	free(m->owned);
	free(m->up);
	sb_release(&m->trailers);
}

/*
 * Work out the merged tree of ours and theirs over base as updates to
 * ours's tree (m->up).
 */
static int
merge_trees(struct merge *m)
{
	struct repo_delta *d1 = NULL, *d2 = NULL;
	size_t n1 = 0, n2 = 0, nk1 = 0, nk2 = 0, nc = 0, i, j;
	struct kref *k1 = NULL, *k2 = NULL;
	struct conflict *c = NULL;
	char *done1 = NULL, *done2 = NULL;
	int ret = -1;

	if (repo_diff(m->r, m->base, m->ours, &d1, &n1) < 0 ||
	    repo_diff(m->r, m->base, m->theirs, &d2, &n2) < 0)
		goto out;
	k1 = krefs(d1, n1, &nk1);
	k2 = krefs(d2, n2, &nk2);
	done1 = xcalloc(n1 + 1, 1);
	done2 = xcalloc(n2 + 1, 1);
	c = xcalloc(n1 + n2 + 1, sizeof(*c));
	/* message keys changed on both sides */
	for (i = j = 0; i < nk1 && j < nk2; ) {
		int cmp = strcmp(k1[i].key, k2[j].key);
		size_t ie = i, je = j;

		if (cmp < 0) {
			i++;
			continue;
		}
		if (cmp > 0) {
			j++;
			continue;
		}
		while (ie < nk1 && !strcmp(k1[ie].key, k1[i].key))
			done1[k1[ie++].i] = 1;
		while (je < nk2 && !strcmp(k2[je].key, k2[j].key))
			done2[k2[je++].i] = 1;
		c[nc].key = k1[i].key;
		c[nc].msg = 1;
		c[nc].o_from = i;
		c[nc].o_to = ie;
		c[nc].t_from = j;
		c[nc].t_to = je;
		c[nc].b.oid = c[nc].b.path = "";
		msg_side(d1, k1, i, ie, &c[nc].o, &c[nc].b);
		msg_side(d2, k2, j, je, &c[nc].t, &c[nc].b);
		nc++;
		i = ie;
		j = je;
	}
	/* paths: theirs alone, or both */
	for (i = j = 0; i < n1 || j < n2; ) {
		int cmp = i == n1 ? 1 : j == n2 ? -1 :
		    strcmp(d1[i].path, d2[j].path);

		if (cmp < 0) {
			i++;
			continue;
		}
		if (cmp > 0) {
			if (!done2[j]) {
				if (*d2[j].new)
					up_oid(m, d2[j].path, d2[j].new,
					    d2[j].exec);
				else
					up_del(m, d2[j].path);
				m->from_them++;
			}
			j++;
			continue;
		}
		if (!done1[i] && !done2[j] && (strcmp(d1[i].new, d2[j].new) ||
		    d1[i].exec != d2[j].exec)) {
			c[nc].key = d1[i].path;
			c[nc].b.oid = d1[i].old;
			c[nc].b.path = d1[i].path;
			c[nc].o.oid = d1[i].new;
			c[nc].o.path = d1[i].path;
			c[nc].o.exec = d1[i].exec;
			c[nc].t.oid = d2[j].new;
			c[nc].t.path = d2[j].path;
			c[nc].t.exec = d2[j].exec;
			nc++;
		}
		i++;
		j++;
	}
	if (conflict_times(m, c, nc, d1, k1, d2, k2) < 0)
		goto out;
	for (i = 0; i < nc; i++)
		if ((c[i].msg ? merge_msg(m, c[i].key, &c[i].b, &c[i].o,
		    &c[i].t) : merge_path(m, c[i].key, c[i].b.oid, &c[i].o,
		    &c[i].t)) < 0)
			goto out;
	ret = 0;
out:
	free(c);
	free(done1);
	free(done2);
	krefs_free(k1, nk1);
	krefs_free(k2, nk2);
	repo_deltas_free(d1, n1);
	repo_deltas_free(d2, n2);
	return ret;
}

/* --- the work tree ---------------------------------------------------- */

static int
ensure_dirs(struct store *st, const char *rel)
{
	char *abs = store_path(st, rel), *s = strrchr(abs, '/');
	char *key = msg_key(rel);
	int r = 0;

	*s = '\0';
	if (key) {
		/* a maildir: tmp/ new/ cur/ */
		static const char *sub[] = { "tmp", "new", "cur" };
		char *d = xstrdup(abs), *e = strrchr(d, '/');

		*e = '\0';
		for (int i = 0; r == 0 && i < 3; i++) {
			char *p = path_join(d, sub[i]);

			if (!path_exists(p))
				r = mkdir_p(p);
			free(p);
		}
		free(d);
		free(key);
	} else if (!path_exists(abs))
		r = mkdir_p(abs);
	free(abs);
	return r;
}

/*
 * Make the work tree match commit `to` where it differs from `from`: new
 * and changed files written atomically, a message that only changed its
 * name renamed, removed files unlinked last.
 */
static int
worktree_apply(struct store *st, const char *from, const char *to)
{
	struct repo_delta *d;
	size_t n;
	char *gone;
	int r = 0;

	if (repo_diff(st->repo, from, to, &d, &n) < 0)
		return -1;
	gone = xcalloc(n + 1, 1);
	for (size_t i = 0; r == 0 && i < n; i++) {
		char *abs, *key;
		int renamed = 0;

		if (!*d[i].new)
			continue;
		abs = store_path(st, d[i].path);
		r = ensure_dirs(st, d[i].path);
		key = msg_key(d[i].path);
		/* a message that only changed its name (flags): rename */
		for (size_t j = 0; r == 0 && key && !*d[i].old && j < n; j++) {
			char *k2, *old;
			int same;

			if (*d[j].new || gone[j] || strcmp(d[j].old, d[i].new))
				continue;
			k2 = msg_key(d[j].path);
			same = k2 && !strcmp(k2, key);
			free(k2);
			if (!same)
				continue;
			old = store_path(st, d[j].path);
			if (rename(old, abs) == 0) {
				gone[j] = renamed = 1;
				fsync_dir(old);
				fsync_dir(abs);
			}
			free(old);
			break;
		}
		if (r == 0 && !renamed) {
			struct sb s = SB_INIT;

			r = repo_blob(st->repo, d[i].new, &s);
			if (r == 0)
				r = write_atomic(abs, s.buf, s.len,
				    d[i].exec ? 0755 : 0644);
			sb_release(&s);
		}
		free(key);
		free(abs);
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		char *abs;

		if (*d[i].new || gone[i])
			continue;
		abs = store_path(st, d[i].path);
		if (unlink(abs) < 0 && errno != ENOENT)
			r = inbox_error(INBOX_EFAIL, "remove %s:", d[i].path);
		else
			fsync_dir(abs);
		free(abs);
	}
	free(gone);
	repo_deltas_free(d, n);
	return r;
}

/* --- sync ---------------------------------------------------------------- */

static const char *
better(const char *a, const char *b)
{
	static const char *order[] = { "up-to-date", "push", "fast-forward",
	    "merge", NULL };
	int ia = 0, ib = 0;

	for (int i = 0; order[i]; i++) {
		if (a && !strcmp(a, order[i]))
			ia = i;
		if (b && !strcmp(b, order[i]))
			ib = i;
	}
	return ia >= ib ? order[ia] : order[ib];
}

/* Under the lock: bring theirs into main. */
static int
pull_into(struct store *st, const char *theirs, const char *label,
    struct sync_result *res)
{
	char ours[OID_HEX], base[OID_HEX], merged[OID_HEX];
	size_t ahead, behind;
	int r;

	if (repo_head(st->repo, ours) != 0)
		return inbox_error(INBOX_EFAIL, "refs/heads/main is missing");
	if (!strcmp(ours, theirs))
		return 0;
	if ((r = repo_merge_base(st->repo, ours, theirs, base)) < 0)
		return -1;
	if (r == 1)
		return inbox_error(INBOX_EFAIL, "%s has a history unrelated "
		    "to this store's (make the store with inbox-sync --clone)",
		    label);
	if (!strcmp(base, theirs))
		return 0;		/* we are ahead */
	if (repo_ahead_behind(st->repo, ours, theirs, &ahead, &behind) < 0)
		return -1;
	if (!strcmp(base, ours)) {
		if (worktree_apply(st, ours, theirs) < 0 ||
		    repo_move_main(st->repo, ours, theirs,
		    "inbox-sync: fast-forward") < 0)
			return -1;
		res->how = better(res->how, "fast-forward");
		res->in += behind;
		snprintf(res->head, sizeof(res->head), "%s", theirs);
		return 0;
	}
	{
		struct merge m;
		struct sb msg = SB_INIT;
		char *name, *email;

		memset(&m, 0, sizeof(m));
		m.st = st;
		m.r = st->repo;
		m.base = base;
		m.ours = ours;
		m.theirs = theirs;
		sb_init(&m.trailers);
		r = merge_trees(&m);
		if (r == 0) {
			sb_addf(&msg, "inbox-sync: merge %s (%zu path%s from "
			    "them, %zu merged by rule)\n", label, m.from_them,
			    m.from_them == 1 ? "" : "s", m.by_rule);
			if (m.trailers.len)
				sb_addf(&msg, "\n%s", m.trailers.buf);
			store_author(st, &name, &email);
			r = repo_commit_merge(st->repo, ours, theirs, m.up,
			    m.nup, name, email, inbox_now(), msg.buf, merged);
			free(name);
			free(email);
		}
		if (r == 0)
			r = worktree_apply(st, ours, merged);
		if (r == 0)
			r = repo_move_main(st->repo, ours, merged,
			    "inbox-sync: merge");
		if (r == 0) {
			res->how = better(res->how, "merge");
			res->in += behind;
			res->from_them = m.from_them;
			res->by_rule = m.by_rule;
			snprintf(res->head, sizeof(res->head), "%s", merged);
		}
		sb_release(&msg);
		merge_free(&m);
	}
	return r;
}

int
sync_merge(struct store *st, const char *theirs, const char *label,
    struct sync_result *res)
{
	int r;

	if (store_lock(st) < 0)
		return -1;
	r = pull_into(st, theirs, label, res);
	store_unlock(st);
	return r;
}

int
sync_run(struct store *st, const char *name, int what,
    struct sync_result *res)
{
	struct creds k;
	struct sb track = SB_INIT;
	char *url = NULL;
	int ret = -1, attempt;

	memset(res, 0, sizeof(*res));
	res->how = "up-to-date";
	if (!name)
		name = sync_default_remote(st);
	snprintf(res->remote, sizeof(res->remote), "%s", name);
	if (sync_remote_url(st, name, &url) < 0)
		return -1;
	if (local_missing(url)) {
		inbox_error(INBOX_ETEMP, "%s: no repository at %s", name, url);
		free(url);
		return -1;
	}
	if (creds_load(st, &k) < 0) {
		free(url);
		return -1;
	}
	sb_addf(&track, "refs/remotes/%s/main", name);
	for (attempt = 0; attempt < SYNC_ATTEMPTS; attempt++) {
		char theirs[OID_HEX] = "", head[OID_HEX];
		size_t ahead = 0, behind = 0;
		int r;

		/* a fetch first even for --push: it tells whether the
		 * remote moved on, and whether it can be reached at all */
		if ((r = repo_fetch(st->repo, url, track.buf, &k.c,
		    theirs)) < 0)
			goto out;
		if (r == 0 && (what & SYNC_PULL) &&
		    sync_merge(st, theirs, name, res) < 0)
			goto out;
		if (repo_head(st->repo, head) != 0) {
			inbox_error(INBOX_EFAIL, "refs/heads/main is missing");
			goto out;
		}
		snprintf(res->head, sizeof(res->head), "%s", head);
		if (!(what & SYNC_PUSH)) {
			ret = 0;
			goto out;
		}
		if (r == 0 && !strcmp(theirs, head)) {
			ret = 0;	/* nothing the remote lacks */
			goto out;
		}
		if (repo_ahead_behind(st->repo, head, theirs, &ahead,
		    &behind) < 0)
			goto out;
		if (behind == 0) {
			if ((r = repo_push(st->repo, url, track.buf,
			    &k.c)) < 0)
				goto out;
			if (r == 0) {
				res->out += ahead;
				if (ahead)
					res->how = better(res->how, "push");
				ret = 0;
				goto out;
			}
		}
		/* the remote has commits we lack */
		if (!(what & SYNC_PULL)) {
			inbox_error(INBOX_ETEMP, "%s has moved on: sync "
			    "without --push to merge it first", name);
			goto out;
		}
	}
	inbox_error(INBOX_ETEMP, "%s kept moving (%d tries); try again",
	    name, SYNC_ATTEMPTS);
out:
	if (ret == 0)
		note_synced(st, name);
	sb_release(&track);
	creds_free(&k);
	free(url);
	return ret;
}

int
sync_status(struct store *st, const char *name, struct sync_status *s)
{
	struct sb track = SB_INIT;
	char head[OID_HEX], up[OID_HEX];
	int r;

	memset(s, 0, sizeof(*s));
	if (!name)
		name = sync_default_remote(st);
	snprintf(s->remote, sizeof(s->remote), "%s", name);
	{
		char *url;

		if (sync_remote_url(st, name, &url) < 0)
			return -1;
		free(url);
	}
	sb_addf(&track, "refs/remotes/%s/main", name);
	r = repo_ref(st->repo, track.buf, up);
	sb_release(&track);
	if (r < 0)
		return -1;
	s->last = last_synced(st, name);
	if (r == 1)
		return 0;
	s->fetched = 1;
	if (repo_head(st->repo, head) != 0)
		return inbox_error(INBOX_EFAIL, "refs/heads/main is missing");
	return repo_ahead_behind(st->repo, head, up, &s->ahead, &s->behind);
}

/* 1 when dir does not exist or has nothing in it. */
static int
dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int empty = 1;

	if (!d)
		return errno == ENOENT;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

/* Remove what a failed clone made in dir (dir itself unless it was
 * there before). */
static void
remove_tree(const char *dir, int keep)
{
	rm_tree(dir);
	if (keep)
		mkdir(dir, 0777);
}

int
sync_clone(const char *url, const char *dir)
{
	struct creds k;
	char *p;
	int r, existed;

	if (!dir_empty(dir))
		return inbox_error(INBOX_EFAIL, "%s is not empty; give a new "
		    "directory", dir);
	existed = path_exists(dir);
	creds_load(NULL, &k);
	r = repo_clone(url, dir, &k.c);
	creds_free(&k);
	if (r < 0) {
		/* leave nothing behind: the same command works next time */
		int code = inbox_errcode();
		char *msg = xstrdup(inbox_errmsg());

		remove_tree(dir, existed);
		inbox_error(code, "%s", msg);
		free(msg);
		return -1;
	}
	p = path_join(dir, "inbox.yaml");
	r = path_exists(p);
	free(p);
	if (!r)
		return inbox_error(INBOX_EFAIL, "%s has no inbox.yaml: not an "
		    "inbox store", url);
	{
		static const char *sub[] = { ".git/inbox", "tmp", "secrets" };

		for (int i = 0; i < 3; i++) {
			p = path_join(dir, sub[i]);
			if (!path_exists(p) && mkdir(p, i == 2 ? 0700 :
			    0755) < 0) {
				inbox_error(INBOX_EFAIL, "mkdir %s:", p);
				free(p);
				return -1;
			}
			free(p);
		}
	}
	{
		struct sb note = SB_INIT;
		char iso[32];

		time_iso(inbox_now(), iso, sizeof(iso));
		sb_addf(&note, "origin: %s\n", iso);
		p = path_join(dir, ".git/inbox/sync");
		write_atomic(p, note.buf, note.len, 0644);	/* a note */
		inbox_error_clear();
		free(p);
		sb_release(&note);
	}
	return 0;
}
