/*
 * contact.c - adding, editing, listing and importing contacts.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contact.h"
#include "csv.h"
#include "json.h"
#include "phone.h"

const char *const contact_fields[] = { "name", "kind", "group", "phone",
	"email", "whatsapp", "login", "role", "note", "created", NULL };

static int
norm_phone(struct store *st, const char *in, char *out, size_t n)
{
	return phone_normalize(in, config_str(st->cfg, "business.country",
	    "US"), out, n);
}

static int
is_addr_key(const char *k)
{
	return !strcmp(k, "phone") || !strcmp(k, "email") ||
	    !strcmp(k, "whatsapp");
}

static int
known(const char *key)
{
	for (size_t k = 0; contact_fields[k]; k++)
		if (!strcmp(key, contact_fields[k]))
			return 1;
	return 0;
}

void
contact_canon(const struct kv *in, struct kv *out)
{
	for (size_t k = 0; contact_fields[k]; k++)
		for (size_t i = 0; i < in->n; i++)
			if (!strcmp(in->v[i].key, contact_fields[k]))
				kv_add(out, in->v[i].key, in->v[i].val);
	for (size_t i = 0; i < in->n; i++)
		if (!known(in->v[i].key))
			kv_add(out, in->v[i].key, in->v[i].val);
}

static int
kv_same(const struct kv *a, const struct kv *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].key, b->v[i].key) ||
		    strcmp(a->v[i].val, b->v[i].val))
			return 0;
	return 1;
}

void
contact_changed(const struct kv *a, const struct kv *b, struct sb *s)
{
	const struct kv *both[] = { a, b };
	const char *sep = "";

	for (int w = 0; w < 2; w++)
		for (size_t i = 0; i < both[w]->n; i++) {
			const char *k = both[w]->v[i].key;
			int diff = 0, seen = 0;

			for (size_t j = 0; j < i && !seen; j++)
				seen = !strcmp(both[w]->v[j].key, k);
			if (seen || (w == 1 && kv_get(a, k)))
				continue;
			for (size_t j = 0; j < a->n && !diff; j++)
				diff = !strcmp(a->v[j].key, k) &&
				    !kv_has(b, k, a->v[j].val);
			for (size_t j = 0; j < b->n && !diff; j++)
				diff = !strcmp(b->v[j].key, k) &&
				    !kv_has(a, k, b->v[j].val);
			if (diff) {
				sb_addf(s, "%s%s", sep, k);
				sep = ", ";
			}
		}
}

/* Who owns addr: 0 and *owner (malloc'd) or NULL; -1 on a bad record. */
static int
owner_of(struct store *st, const char *addr, char **owner)
{
	struct kv a = KV_INIT;
	const char *o;
	int r = addr_load(st, addr, &a);

	*owner = NULL;
	if (r == 0 && (o = kv_get(&a, "contact")) && *o)
		*owner = xstrdup(o);
	kv_free(&a);
	return r < 0 ? -1 : 0;
}

/* Refuse (class 3) an address of kv that belongs to another contact,
 * before anything is written. */
static int
check_addrs(struct store *st, const char *id, const struct kv *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		char *o;

		if (!is_addr_key(kv->v[i].key))
			continue;
		if (owner_of(st, kv->v[i].val, &o) < 0)
			return -1;
		if (o && strcmp(o, id)) {
			inbox_error(INBOX_EPOLICY, "%s already belongs to %s",
			    kv->v[i].val, o);
			free(o);
			return -1;
		}
		free(o);
	}
	return 0;
}

/* Add a hint when addr has a conversation of its own. */
static void
hint(struct store *st, const char *addr, struct contact_hints *h)
{
	char id[CONV_ID_LEN + 1], dir[64], *key, *p;
	size_t n = strlen(addr) + 6;

	key = xmalloc(n);
	snprintf(key, n, "addr:%s", addr);
	conv_id(key, id);
	free(key);
	conv_dir(id, dir, sizeof(dir));
	p = store_path(st, dir);
	if (path_exists(p)) {
		if (h->n == h->cap) {
			h->cap = h->cap ? 2 * h->cap : 4;
			h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
		}
		h->v[h->n].addr = xstrdup(addr);
		memcpy(h->v[h->n++].conv, id, sizeof(id));
	}
	free(p);
}

/* Hints for each address kv has and old (NULL: none) had not. */
static void
hints(struct store *st, const struct kv *old, const struct kv *kv,
    struct contact_hints *h)
{
	for (size_t i = 0; i < kv->n; i++) {
		const char *a = kv->v[i].val;
		int had = 0;

		if (!is_addr_key(kv->v[i].key))
			continue;
		for (size_t j = 0; j < i && !had; j++)
			had = is_addr_key(kv->v[j].key) &&
			    !strcmp(kv->v[j].val, a);
		for (size_t j = 0; old && j < old->n && !had; j++)
			had = is_addr_key(old->v[j].key) &&
			    !strcmp(old->v[j].val, a);
		if (!had)
			hint(st, a, h);
	}
}

void
contact_hints_free(struct contact_hints *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i].addr);
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

static int
contact_exists(struct store *st, const char *id)
{
	char rel[256], *p;
	int r;

	contact_path(id, rel, sizeof(rel));
	p = store_path(st, rel);
	r = path_exists(p);
	free(p);
	return r;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
contact_ids(struct store *st, size_t *n)
{
	char *top = store_path(st, "contacts");
	DIR *d = opendir(top), *d2;
	struct dirent *e, *e2;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	while (d && (e = readdir(d))) {
		char *sub;

		if (e->d_name[0] == '.')
			continue;
		sub = path_join(top, e->d_name);
		d2 = opendir(sub);
		free(sub);
		while (d2 && (e2 = readdir(d2))) {
			if (!name_valid(e2->d_name) ||
			    str_endswith(e2->d_name, ".lock"))
				continue;
			if (*n == cap) {
				cap = cap ? 2 * cap : 64;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[(*n)++] = xstrdup(e2->d_name);
		}
		if (d2)
			closedir(d2);
	}
	if (d)
		closedir(d);
	free(top);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

/* --- add, edit ------------------------------------------------------- */

/* Write the contact and commit "SUMMARY"; refuse before writing when an
 * address belongs to someone else. */
static int
save(struct store *st, const char *id, const struct kv *old, struct kv *kv,
    const char *summary, struct contact_hints *h)
{
	if (check_addrs(st, id, kv) < 0 || contact_save(st, id, kv) < 0)
		return -1;
	store_trailer(st, "Contact", id);
	if (store_commit(st, "%s", summary) < 0)
		return -1;
	hints(st, old, kv, h);
	return 0;
}

/* The name without blanks around it (malloc'd); NULL (class 64) when
 * nothing is left. */
static char *
trimmed_name(const char *s)
{
	char *copy = xstrdup(s), *name = xstrdup(str_trim(copy));

	free(copy);
	if (!*name) {
		free(name);
		inbox_error(INBOX_EUSAGE, "empty name");
		return NULL;
	}
	return name;
}

/* Add to kv, or remove from contact id, the numbers (key phone) or
 * emails of l; class 1 when one to remove is not there. */
static int
edit_addrs(struct store *st, struct kv *kv, const char *id, const char *key,
    const struct contact_list *l, int add)
{
	char addr[320];
	int r;

	for (size_t i = 0; i < l->n; i++) {
		if (!strcmp(key, "phone"))
			r = norm_phone(st, l->v[i], addr, sizeof(addr));
		else
			r = email_normalize(l->v[i], addr, sizeof(addr));
		if (r < 0)
			return -1;
		if (add)
			kv_add(kv, key, addr);
		else if (!kv_del(kv, key, addr))
			return inbox_error(INBOX_ENOMATCH, "%s has no %s %s",
			    id, key, addr);
	}
	return 0;
}

/* The fields of a new contact from o, in their order, into kv. */
static int
build(struct store *st, const struct contact_opts *o, const char *name,
    struct kv *kv)
{
	struct kv in = KV_INIT;
	char addr[320], t[32];
	int r = -1;

	if (kv_set(&in, "name", name) < 0)
		goto out;
	kv_set(&in, "kind", o->staff ? "staff" : "customer");
	kv_set(&in, "group", o->group ? o->group : o->staff ? "staff" :
	    "customer");
	if (edit_addrs(st, &in, NULL, "phone", &o->phones, 1) < 0 ||
	    edit_addrs(st, &in, NULL, "email", &o->emails, 1) < 0)
		goto out;
	if (o->whatsapp) {
		if (norm_phone(st, o->whatsapp, addr, sizeof(addr)) < 0)
			goto out;
		kv_set(&in, "whatsapp", addr);
	}
	if (o->staff) {
		kv_set(&in, "login", o->login);
		kv_set(&in, "role", o->role ? o->role : "tech");
	}
	if (o->note && kv_set(&in, "note", o->note) < 0)
		goto out;
	time_iso(inbox_now(), t, sizeof(t));
	kv_set(&in, "created", t);
	contact_canon(&in, kv);
	r = 0;
out:
	kv_free(&in);
	return r;
}

int
contact_add(struct store *st, const struct contact_opts *o, char **id,
    struct contact_hints *h)
{
	struct kv kv = KV_INIT;
	struct sb sum = SB_INIT;
	char *name;
	int r = -1;

	*id = NULL;
	if (!(name = trimmed_name(o->name)))
		return -1;
	if (build(st, o, name, &kv) < 0 || store_lock(st) < 0)
		goto out;
	if (o->id || o->staff) {
		*id = xstrdup(o->staff ? o->login : o->id);
		if (contact_exists(st, *id)) {
			inbox_error(INBOX_EPOLICY, "contact %s already exists",
			    *id);
			goto out;
		}
	} else
		*id = contact_new_id(st, name);
	sb_addf(&sum, "add %s %s (%s)", o->staff ? "staff" : "customer", *id,
	    name);
	r = save(st, *id, NULL, &kv, sum.buf, h);
out:
	if (r < 0) {
		free(*id);
		*id = NULL;
	}
	sb_release(&sum);
	kv_free(&kv);
	free(name);
	return r;
}

/* Apply o to in, the fields of contact id. */
static int
apply(struct store *st, const char *id, const struct contact_opts *o,
    struct kv *in)
{
	char *name;
	int r;

	if (o->name) {
		if (!(name = trimmed_name(o->name)))
			return -1;
		r = kv_set(in, "name", name);
		free(name);
		if (r < 0)
			return -1;
	}
	if (o->group)
		kv_set(in, "group", o->group);
	if (o->role && !kv_has(in, "kind", "staff"))
		return inbox_error(INBOX_EUSAGE, "%s is not staff: --role is "
		    "for staff", id);
	if (o->role)
		kv_set(in, "role", o->role);
	if (o->note && kv_set(in, "note", o->note) < 0)
		return -1;
	if (edit_addrs(st, in, id, "phone", &o->rmphones, 0) < 0 ||
	    edit_addrs(st, in, id, "email", &o->rmemails, 0) < 0 ||
	    edit_addrs(st, in, id, "phone", &o->addphones, 1) < 0 ||
	    edit_addrs(st, in, id, "email", &o->addemails, 1) < 0)
		return -1;
	return 0;
}

int
contact_edit(struct store *st, const char *arg,
    const struct contact_opts *o, char **id, struct contact_hints *h)
{
	struct kv file = KV_INIT, old = KV_INIT, in = KV_INIT, kv = KV_INIT;
	struct sb sum = SB_INIT;
	int r = -1;

	*id = NULL;
	if (contact_find(st, arg, id) < 0)
		return -1;
	if (store_lock(st) < 0 || contact_load(st, *id, &file) < 0)
		goto out;
	contact_canon(&file, &old);
	contact_canon(&file, &in);
	if (apply(st, *id, o, &in) < 0)
		goto out;
	contact_canon(&in, &kv);
	if (kv_same(&old, &kv)) {
		r = 0;
		goto out;
	}
	sb_addf(&sum, "edit %s %s (%s): ", kv_get(&kv, "kind") ?
	    kv_get(&kv, "kind") : "contact", *id, kv_get(&kv, "name") ?
	    kv_get(&kv, "name") : *id);
	contact_changed(&old, &kv, &sum);
	r = save(st, *id, &old, &kv, sum.buf, h) < 0 ? -1 : 1;
out:
	if (r < 0) {
		free(*id);
		*id = NULL;
	}
	sb_release(&sum);
	kv_free(&file);
	kv_free(&old);
	kv_free(&in);
	kv_free(&kv);
	return r;
}

/* --- ls, show -------------------------------------------------------- */

/* The search of contact_match(). */
static int
search(const char *id, const struct kv *kv, const char *q)
{
	char digits[64];
	size_t k = 0;

	if (strcasestr(id, q))
		return 1;
	for (size_t i = 0; i < kv->n; i++)
		if (strcmp(kv->v[i].key, "created") &&
		    strcasestr(kv->v[i].val, q))
			return 1;
	for (const char *p = q; *p && k < sizeof(digits) - 1; p++)
		if (*p >= '0' && *p <= '9')
			digits[k++] = *p;
		else if (!strchr(" +-().", *p))
			return 0;
	digits[k] = '\0';
	for (size_t i = 0; k >= 4 && i < kv->n; i++)
		if ((!strcmp(kv->v[i].key, "phone") ||
		    !strcmp(kv->v[i].key, "whatsapp")) &&
		    strstr(kv->v[i].val, digits))
			return 1;
	return 0;
}

int
contact_match(const char *id, const struct kv *kv,
    const struct contact_filter *f)
{
	const char *kind = kv_get(kv, "kind");

	return (!f->staff || (kind && !strcmp(kind, "staff"))) &&
	    (!f->customers || !kind || strcmp(kind, "staff")) &&
	    (!f->group || kv_has(kv, "group", f->group)) &&
	    (!f->search || search(id, kv, f->search));
}

char *
contact_json(const char *id, const struct kv *kv)
{
	struct json *j = json_obj();
	char *line;

	json_set_str(j, "id", id);
	for (size_t k = 0; contact_fields[k]; k++) {
		const char *f = contact_fields[k];
		struct json *a;
		char name[16];

		if (strcmp(f, "phone") && strcmp(f, "email")) {
			json_set_str(j, f, kv_get(kv, f));
			continue;
		}
		a = json_arr();
		for (size_t i = 0; i < kv->n; i++)
			if (!strcmp(kv->v[i].key, f))
				json_push_str(a, kv->v[i].val);
		snprintf(name, sizeof(name), "%ss", f);
		json_set(j, name, a);
	}
	for (size_t i = 0; i < kv->n; i++)
		if (!known(kv->v[i].key) &&
		    kv_get(kv, kv->v[i].key) == kv->v[i].val)
			json_set_str(j, kv->v[i].key, kv->v[i].val);
	line = json_dump(j);
	json_free(j);
	return line;
}

/* --- import ---------------------------------------------------------- */

/* Column names of Jobber, Housecall Pro and spreadsheet exports, after
 * lowercasing, '_' to ' ' and dropping a number ("Phone 2"). */
static const struct {
	const char *name;
	enum contact_col col;
} headers[] = {
	{ "id", CONTACT_COL_ID }, { "customer id", CONTACT_COL_ID },
	{ "client id", CONTACT_COL_ID }, { "contact id", CONTACT_COL_ID },
	{ "name", CONTACT_COL_NAME }, { "full name", CONTACT_COL_NAME },
	{ "display name", CONTACT_COL_NAME },
	{ "customer name", CONTACT_COL_NAME },
	{ "client name", CONTACT_COL_NAME },
	{ "first name", CONTACT_COL_FIRST }, { "last name", CONTACT_COL_LAST },
	{ "company", CONTACT_COL_COMPANY },
	{ "company name", CONTACT_COL_COMPANY },
	{ "phone", CONTACT_COL_PHONE }, { "phone number", CONTACT_COL_PHONE },
	{ "mobile", CONTACT_COL_PHONE }, { "mobile phone", CONTACT_COL_PHONE },
	{ "mobile number", CONTACT_COL_PHONE }, { "cell", CONTACT_COL_PHONE },
	{ "cell phone", CONTACT_COL_PHONE }, { "home phone", CONTACT_COL_PHONE },
	{ "work phone", CONTACT_COL_PHONE }, { "main phone", CONTACT_COL_PHONE },
	{ "email", CONTACT_COL_EMAIL }, { "email address", CONTACT_COL_EMAIL },
	{ "e-mail", CONTACT_COL_EMAIL }, { "group", CONTACT_COL_GROUP },
	{ "type", CONTACT_COL_GROUP }, { "customer type", CONTACT_COL_GROUP },
	{ NULL, CONTACT_COL_NONE }
};

enum contact_col
contact_column(const char *h)
{
	struct sb s = SB_INIT;
	enum contact_col col = CONTACT_COL_NONE;

	for (const char *p = h; *p; p++) {
		int ch = *p == '_' ? ' ' : *p >= 'A' && *p <= 'Z' ?
		    *p - 'A' + 'a' : *p;

		if (ch != ' ' || (s.len && s.buf[s.len - 1] != ' '))
			sb_addc(&s, ch);
	}
	while (s.len && strchr(" 0123456789", s.buf[s.len - 1]))
		sb_setlen(&s, s.len - 1);
	for (size_t i = 0; headers[i].name; i++)
		if (!strcmp(s.buf, headers[i].name))
			col = headers[i].col;
	sb_release(&s);
	return col;
}

char *
contact_group_slug(const char *v)
{
	struct sb s = SB_INIT;

	for (const char *p = v; *p && s.len < 64; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			sb_addc(&s, *p);
		else if (*p >= 'A' && *p <= 'Z')
			sb_addc(&s, *p - 'A' + 'a');
		else if (s.len && s.buf[s.len - 1] != '-')
			sb_addc(&s, '-');
	while (s.len && s.buf[s.len - 1] == '-')
		sb_setlen(&s, s.len - 1);
	return sb_detach(&s, NULL);
}

void
contact_import_init(struct contact_import *im, struct store *st, int dryrun)
{
	memset(im, 0, sizeof(*im));
	im->st = st;
	im->dryrun = dryrun;
}

void
contact_import_free(struct contact_import *im)
{
	for (size_t i = 0; i < im->np; i++) {
		free(im->p[i].id);
		kv_free(&im->p[i].kv);
	}
	for (size_t i = 0; i < im->na; i++) {
		free(im->a[i].addr);
		free(im->a[i].id);
	}
	for (size_t i = 0; i < im->nw; i++)
		free(im->w[i].msg);
	free(im->p);
	free(im->a);
	free(im->w);
	contact_hints_free(&im->hints);
	memset(im, 0, sizeof(*im));
}

static struct contact_change *
pending(struct contact_import *im, const char *id)
{
	for (size_t i = 0; i < im->np; i++)
		if (!strcmp(im->p[i].id, id))
			return &im->p[i];
	return NULL;
}

/* The owner of addr as the import leaves it (malloc'd), or NULL. */
static int
import_owner(struct contact_import *im, const char *addr, char **o)
{
	for (size_t i = 0; i < im->na; i++)
		if (!strcmp(im->a[i].addr, addr)) {
			*o = xstrdup(im->a[i].id);
			return 0;
		}
	return owner_of(im->st, addr, o);
}

/* A new id from the name, not taken on disk nor by an earlier row. */
static char *
import_id(struct contact_import *im, const char *name)
{
	char *id = contact_new_id(im->st, name);
	struct sb s = SB_INIT;

	if (!pending(im, id))
		return id;
	for (int n = 2;; n++) {
		sb_reset(&s);
		sb_addf(&s, "%s-%d", id, n);
		if (!pending(im, s.buf) && !contact_exists(im->st, s.buf))
			break;
	}
	free(id);
	return sb_detach(&s, NULL);
}

/* Merge the row's name, group and addresses into the contact `id`: a new
 * one, one an earlier row made or changed, or one in the store. */
static int
import_merge(struct contact_import *im, const char *id, const char *name,
    const char *group, const struct kv *addrs)
{
	struct contact_change *p = pending(im, id);
	struct kv file = KV_INIT, old = KV_INIT, cur = KV_INIT, kv = KV_INIT;
	int isnew = !p && !contact_exists(im->st, id);
	char t[32];

	if (p)
		contact_canon(&p->kv, &old);
	else if (isnew) {
		time_iso(inbox_now(), t, sizeof(t));
		kv_set(&old, "kind", "customer");
		kv_set(&old, "group", "customer");
		kv_set(&old, "created", t);
	} else if (contact_load(im->st, id, &file) < 0)
		return -1;
	else
		contact_canon(&file, &old);
	kv_free(&file);
	contact_canon(&old, &cur);
	kv_set(&cur, "name", name);
	if (group && *group)
		kv_set(&cur, "group", group);
	for (size_t i = 0; i < addrs->n; i++)
		kv_add(&cur, addrs->v[i].key, addrs->v[i].val);
	contact_canon(&cur, &kv);
	kv_free(&cur);
	if (!isnew && kv_same(&old, &kv)) {
		kv_free(&old);
		kv_free(&kv);
		return 0;
	}
	kv_free(&old);
	if (!p) {
		if (im->np == im->pcap) {
			im->pcap = im->pcap ? 2 * im->pcap : 16;
			im->p = xrealloc(im->p, im->pcap * sizeof(*im->p));
		}
		p = &im->p[im->np++];
		p->id = xstrdup(id);
		p->isnew = isnew;
	} else
		kv_free(&p->kv);
	p->kv = kv;
	return 0;
}

/* 1 when later rows undid what earlier rows changed in a contact. */
static int
unchanged(struct store *st, const struct contact_change *p)
{
	struct kv file = KV_INIT, kv = KV_INIT;
	int same = 0;

	if (!p->isnew && contact_load(st, p->id, &file) == 0) {
		contact_canon(&file, &kv);
		same = kv_same(&kv, &p->kv);
	}
	inbox_error_clear();
	kv_free(&file);
	kv_free(&kv);
	return same;
}

/* The fields of one row, by kind of column (the first of each). */
struct row {
	const char *id, *full, *first, *last, *company, *type;
	struct kv addrs;
};

/* Read the fields of a row into *rw; 1 when it is blank. */
static int
row_fields(struct contact_import *im, char **f, size_t nf,
    const enum contact_col *col, size_t ncol, struct row *rw)
{
	char addr[320];
	int blank = 1;

	for (size_t i = 0; i < nf; i++) {
		char *v = str_trim(f[i]);

		blank = blank && !*v;
		if (!*v || i >= ncol)
			continue;
		switch (col[i]) {
		case CONTACT_COL_ID: rw->id = rw->id ? rw->id : v; break;
		case CONTACT_COL_NAME: rw->full = rw->full ? rw->full : v;
			break;
		case CONTACT_COL_FIRST:
			rw->first = *rw->first ? rw->first : v;
			break;
		case CONTACT_COL_LAST: rw->last = *rw->last ? rw->last : v;
			break;
		case CONTACT_COL_COMPANY:
			rw->company = rw->company ? rw->company : v;
			break;
		case CONTACT_COL_GROUP: rw->type = rw->type ? rw->type : v;
			break;
		case CONTACT_COL_PHONE:
			if (norm_phone(im->st, v, addr, sizeof(addr)) < 0)
				return -1;
			kv_add(&rw->addrs, "phone", addr);
			break;
		case CONTACT_COL_EMAIL:
			if (email_normalize(v, addr, sizeof(addr)) < 0)
				return -1;
			kv_add(&rw->addrs, "email", addr);
			break;
		case CONTACT_COL_NONE:
			break;
		}
	}
	return blank;
}

/* The contact a row is about (malloc'd): its id, else the owner of one
 * of its addresses, else a new id from the name; NULL with class 3 when
 * an address belongs to another contact than its id. */
static char *
row_target(struct contact_import *im, const struct row *rw, const char *name)
{
	char *target = rw->id ? xstrdup(rw->id) : NULL, *o;

	for (size_t i = 0; i < rw->addrs.n; i++) {
		if (import_owner(im, rw->addrs.v[i].val, &o) < 0) {
			free(target);
			return NULL;
		}
		if (o && target && strcmp(o, target)) {
			inbox_error(INBOX_EPOLICY, "%s already belongs to %s",
			    rw->addrs.v[i].val, o);
			free(o);
			free(target);
			return NULL;
		}
		if (o && !target)
			target = o;
		else
			free(o);
	}
	return target ? target : import_id(im, name);
}

/* Claim the addresses of the row for target, as the import leaves them. */
static int
claim(struct contact_import *im, const struct kv *addrs, const char *target)
{
	char *o;

	for (size_t i = 0; i < addrs->n; i++) {
		if (import_owner(im, addrs->v[i].val, &o) < 0)
			return -1;
		if (!o) {
			if (im->na == im->acap) {
				im->acap = im->acap ? 2 * im->acap : 16;
				im->a = xrealloc(im->a, im->acap *
				    sizeof(*im->a));
			}
			im->a[im->na].addr = xstrdup(addrs->v[i].val);
			im->a[im->na++].id = xstrdup(target);
		}
		free(o);
	}
	return 0;
}

/* One data row: 0 when it went in (or was blank), -1 with the error
 * that skips it. */
static int
import_row(struct contact_import *im, char **f, size_t nf,
    const enum contact_col *col, size_t ncol)
{
	struct row rw = { NULL, NULL, "", "", NULL, NULL, KV_INIT };
	struct kv scratch = KV_INIT;
	struct sb name = SB_INIT;
	char *target = NULL, *group = NULL;
	int r = -1, blank;

	if ((blank = row_fields(im, f, nf, col, ncol, &rw)) < 0)
		goto out;
	if (blank) {
		r = 0;
		goto out;
	}
	if (rw.full)
		sb_adds(&name, rw.full);
	else if (*rw.first || *rw.last)
		sb_addf(&name, "%s%s%s", rw.first, *rw.first && *rw.last ?
		    " " : "", rw.last);
	else if (rw.company)
		sb_adds(&name, rw.company);
	if (!name.len) {
		inbox_error(INBOX_EDATA, "no name");
		goto out;
	}
	if (kv_set(&scratch, "name", name.buf) < 0)
		goto out;
	if (rw.id && (!name_valid(rw.id) || *rw.id == '-')) {
		inbox_error(INBOX_EDATA, "'%s' is not a contact id", rw.id);
		goto out;
	}
	if (!rw.id && !rw.addrs.n) {
		inbox_error(INBOX_EDATA, "%s has no phone or email", name.buf);
		goto out;
	}
	if (!(target = row_target(im, &rw, name.buf)))
		goto out;
	group = rw.type ? contact_group_slug(rw.type) : NULL;
	if (import_merge(im, target, name.buf, group, &rw.addrs) < 0 ||
	    claim(im, &rw.addrs, target) < 0)
		goto out;
	r = 0;
out:
	kv_free(&rw.addrs);
	kv_free(&scratch);
	sb_release(&name);
	free(target);
	free(group);
	return r;
}

/* Remember the error that skips the row on line. */
static void
warn_row(struct contact_import *im, int line)
{
	if (im->nw == im->wcap) {
		im->wcap = im->wcap ? 2 * im->wcap : 16;
		im->w = xrealloc(im->w, im->wcap * sizeof(*im->w));
	}
	im->w[im->nw].line = line;
	im->w[im->nw].code = inbox_errcode();
	im->w[im->nw++].msg = xstrdup(inbox_errmsg());
	inbox_error_clear();
}

/* The columns of the header row f into *col; 0, or -1 when none names. */
static int
header(char **f, size_t nf, enum contact_col **col)
{
	int named = 0;

	*col = xcalloc(nf ? nf : 1, sizeof(**col));
	for (size_t i = 0; i < nf; i++) {
		(*col)[i] = contact_column(str_trim(f[i]));
		named |= (*col)[i] == CONTACT_COL_NAME ||
		    (*col)[i] == CONTACT_COL_FIRST ||
		    (*col)[i] == CONTACT_COL_LAST ||
		    (*col)[i] == CONTACT_COL_COMPANY;
	}
	if (!named)
		return inbox_error(INBOX_EDATA, "no name column (name, full "
		    "name, first name, last name or company)");
	return 0;
}

int
contact_import_read(struct contact_import *im, const char *buf, size_t len)
{
	enum contact_col *col = NULL;
	struct csv r;
	char **f;
	size_t nf, ncol;
	int line, x, ret = -1;

	im->file_error = 1;
	if (csv_init(&r, buf, len) < 0)
		return -1;
	if ((x = csv_next(&r, &f, &nf, &line)) <= 0)
		return x < 0 ? -1 : inbox_error(INBOX_EDATA, "no header row");
	ncol = nf;
	x = header(f, nf, &col);
	csv_free(f, nf);
	if (x < 0)
		goto out;
	im->file_error = 0;
	if (!im->dryrun && store_lock(im->st) < 0)
		goto out;
	while ((x = csv_next(&r, &f, &nf, &line)) > 0) {
		if (import_row(im, f, nf, col, ncol) < 0) {
			if (inbox_errcode() != INBOX_EDATA &&
			    inbox_errcode() != INBOX_EPOLICY) {
				csv_free(f, nf);
				goto out;
			}
			warn_row(im, line);
		}
		csv_free(f, nf);
	}
	im->file_error = x < 0;
	ret = x < 0 ? -1 : 0;
out:
	free(col);
	return ret;
}

int
contact_import_write(struct contact_import *im, const char *name)
{
	struct sb sum = SB_INIT;
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; i < im->np; i++)
		if (unchanged(im->st, &im->p[i])) {
			free(im->p[i].id);
			kv_free(&im->p[i].kv);
		} else
			im->p[n++] = im->p[i];
	im->np = n;
	im->added = im->updated = 0;
	for (size_t i = 0; i < im->np; i++) {
		struct contact_change *p = &im->p[i];

		if (!im->dryrun) {
			if (contact_save(im->st, p->id, &p->kv) < 0)
				return -1;
			store_trailer(im->st, "Contact", p->id);
		}
		im->added += p->isnew;
		im->updated += !p->isnew;
	}
	if (im->added)
		sb_addf(&sum, "import %zu contact%s from %s", im->added,
		    im->added == 1 ? "" : "s", base);
	if (im->updated)
		sb_addf(&sum, "%s %zu contact%s%s%s", im->added ? ", update" :
		    "update", im->updated, im->updated == 1 ? "" : "s",
		    im->added ? "" : " from ", im->added ? "" : base);
	if (!im->dryrun && store_commit(im->st, "%s", sum.buf) < 0)
		r = -1;
	sb_release(&sum);
	for (size_t i = 0; r == 0 && i < im->na; i++)
		hint(im->st, im->a[i].addr, &im->hints);
	return r;
}
