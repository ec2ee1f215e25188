/*
 * inbox-contact - customers and staff: add, edit, list, show, and import
 * the CSV export of a field-service app.  A contact is a key: value file
 * (kv.h) at contacts/<h>/<id>; contact_save() keeps the address index in
 * step, so a message from any of its numbers lands in its conversation.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "conv.h"
#include "json.h"
#include "phone.h"

#define MAX_CSV (64 << 20)

enum {
	OPT_ID = OPT_FIRST_CMD, OPT_NAME, OPT_PHONE, OPT_EMAIL, OPT_WHATSAPP,
	OPT_GROUP, OPT_STAFF, OPT_LOGIN, OPT_ROLE, OPT_NOTE, OPT_ADD_PHONE,
	OPT_RM_PHONE, OPT_ADD_EMAIL, OPT_RM_EMAIL, OPT_CUSTOMERS, OPT_DRY_RUN
};
enum { ADD = 1, EDIT = 2, LS = 4, SHOW = 8, IMPORT = 16 };

/* The long options and the subcommands that take each. */
static const struct option longopts[] = {
	{ "id", required_argument, NULL, OPT_ID },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "phone", required_argument, NULL, OPT_PHONE },
	{ "email", required_argument, NULL, OPT_EMAIL },
	{ "whatsapp", required_argument, NULL, OPT_WHATSAPP },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "staff", no_argument, NULL, OPT_STAFF },
	{ "login", required_argument, NULL, OPT_LOGIN },
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "note", required_argument, NULL, OPT_NOTE },
	{ "add-phone", required_argument, NULL, OPT_ADD_PHONE },
	{ "remove-phone", required_argument, NULL, OPT_RM_PHONE },
	{ "add-email", required_argument, NULL, OPT_ADD_EMAIL },
	{ "remove-email", required_argument, NULL, OPT_RM_EMAIL },
	{ "customers", no_argument, NULL, OPT_CUSTOMERS },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};
static const int takes[] = {
	ADD, ADD | EDIT, ADD, ADD, ADD, ADD | EDIT | LS, ADD | LS, ADD,
	ADD | EDIT, ADD | EDIT, EDIT, EDIT, EDIT, EDIT, LS, IMPORT
};

/* Field order of a contact file; other keys follow in their own order. */
static const char *const order[] = { "name", "kind", "group", "phone",
	"email", "whatsapp", "login", "role", "note", "created", NULL };

struct list {
	const char **v;
	size_t n;
};

static struct cli c;
static const char *o_id, *o_name, *o_whatsapp, *o_group, *o_login, *o_role,
    *o_note, *o_search;
static struct list phones, emails, addphones, rmphones, addemails, rmemails;
static int staff, customers, dryrun;

/* One contact an import adds or changes, kept until every row is read. */
struct pending {
	char *id;
	struct kv kv;
	int isnew;
};

struct claim {
	char *addr, *id;
};

struct import {
	struct store *st;
	struct pending *p;
	size_t np, pcap;
	struct claim *a;
	size_t na, acap;
	int bad;
};

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-contact add [-q] [-C DIR] [-u USER] [--id ID] "
	    "--name NAME\n"
	    "           [--phone NUMBER]... [--email ADDR]... "
	    "[--whatsapp NUMBER]\n"
	    "           [--group GROUP] [--staff --login LOGIN "
	    "[--role ROLE]]\n"
	    "           [--note TEXT]\n"
	    "       inbox-contact edit [-q] [-C DIR] [-u USER] CONTACT "
	    "[--name NAME]\n"
	    "           [--add-phone N] [--remove-phone N] [--add-email A]\n"
	    "           [--remove-email A] [--group G] [--role R] "
	    "[--note TEXT]\n"
	    "       inbox-contact ls [-0] [-C DIR] [--json] "
	    "[--staff | --customers]\n"
	    "           [--group G] [-s TEXT]\n"
	    "       inbox-contact show [-C DIR] [--json] CONTACT\n"
	    "       inbox-contact import [-q] [-C DIR] [-u USER] [--dry-run] "
	    "FILE.csv\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static void
push(struct list *l, const char *s, size_t max)
{
	if (!l->v)
		l->v = xcalloc(max, sizeof(*l->v));
	l->v[l->n++] = s;
}

/* --- contacts -------------------------------------------------------- */

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
	for (size_t k = 0; order[k]; k++)
		if (!strcmp(key, order[k]))
			return 1;
	return 0;
}

/* Copy in to out with the known fields first, in their order. */
static void
canon(const struct kv *in, struct kv *out)
{
	for (size_t k = 0; order[k]; k++)
		for (size_t i = 0; i < in->n; i++)
			if (!strcmp(in->v[i].key, order[k]))
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

/* Append the fields whose values differ, "name, phone", to s. */
static void
changed_keys(const struct kv *a, const struct kv *b, struct sb *s)
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

/* An address that gained a contact may have a conversation of its own. */
static void
hint(struct store *st, const char *addr)
{
	char id[CONV_ID_LEN + 1], dir[64], *key, *p;
	size_t n = strlen(addr) + 6;

	key = xmalloc(n);
	snprintf(key, n, "addr:%s", addr);
	conv_id(key, id);
	free(key);
	conv_dir(id, dir, sizeof(dir));
	p = store_path(st, dir);
	if (path_exists(p))
		warnx("%s has a conversation of its own (%s); move it with "
		    "inbox-link", addr, id);
	free(p);
}

/* Hint for each address kv has and old (NULL: none) had not. */
static void
hints(struct store *st, const struct kv *old, const struct kv *kv)
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
			hint(st, a);
	}
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

/* Every contact id in the store, sorted. */
static char **
all_ids(struct store *st, size_t *n)
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

static void
need_name(const char *what, const char *s)
{
	if (!name_valid(s) || *s == '-')
		die(INBOX_EUSAGE, "'%s' is not a valid %s", s, what);
}

/* Write the contact and commit "SUMMARY"; refuse before writing when an
 * address belongs to someone else. */
static void
save(struct store *st, const char *id, const struct kv *old, struct kv *kv,
    const char *summary)
{
	if (check_addrs(st, id, kv) < 0 || contact_save(st, id, kv) < 0)
		die_lib();
	store_trailer(st, "Contact", id);
	if (store_commit(st, "%s", summary) < 0)
		die_lib();
	hints(st, old, kv);
	if (!c.quiet)
		printf("%s\n", id);
}

static char *
trimmed_name(const char *s)
{
	char *copy = xstrdup(s), *name = xstrdup(str_trim(copy));

	free(copy);
	if (!*name)
		die(INBOX_EUSAGE, "empty name");
	return name;
}

static int
cmd_add(struct store *st)
{
	struct kv in = KV_INIT, kv = KV_INIT;
	struct sb sum = SB_INIT;
	char addr[320], t[32], *id, *name = trimmed_name(o_name);

	if (kv_set(&in, "name", name) < 0)
		die_lib();
	kv_set(&in, "kind", staff ? "staff" : "customer");
	kv_set(&in, "group", o_group ? o_group : staff ? "staff" : "customer");
	for (size_t i = 0; i < phones.n; i++) {
		if (norm_phone(st, phones.v[i], addr, sizeof(addr)) < 0)
			die_lib();
		kv_add(&in, "phone", addr);
	}
	for (size_t i = 0; i < emails.n; i++) {
		if (email_normalize(emails.v[i], addr, sizeof(addr)) < 0)
			die_lib();
		kv_add(&in, "email", addr);
	}
	if (o_whatsapp) {
		if (norm_phone(st, o_whatsapp, addr, sizeof(addr)) < 0)
			die_lib();
		kv_set(&in, "whatsapp", addr);
	}
	if (staff) {
		kv_set(&in, "login", o_login);
		kv_set(&in, "role", o_role ? o_role : "tech");
	}
	if (o_note && kv_set(&in, "note", o_note) < 0)
		die_lib();
	time_iso(inbox_now(), t, sizeof(t));
	kv_set(&in, "created", t);
	canon(&in, &kv);
	if (store_lock(st) < 0)
		die_lib();
	if (o_id || staff) {
		id = xstrdup(staff ? o_login : o_id);
		if (contact_exists(st, id))
			die(INBOX_EPOLICY, "contact %s already exists", id);
	} else
		id = contact_new_id(st, name);
	sb_addf(&sum, "add %s %s (%s)", staff ? "staff" : "customer", id,
	    name);
	save(st, id, NULL, &kv, sum.buf);
	sb_release(&sum);
	kv_free(&in);
	kv_free(&kv);
	free(name);
	free(id);
	return 0;
}

/* Add or remove the addresses of list l under key; class 1 when one to
 * remove is not there. */
static void
edit_addrs(struct store *st, struct kv *kv, const char *id, const char *key,
    const struct list *l, int add)
{
	char addr[320];
	int r;

	for (size_t i = 0; i < l->n; i++) {
		if (!strcmp(key, "phone"))
			r = norm_phone(st, l->v[i], addr, sizeof(addr));
		else
			r = email_normalize(l->v[i], addr, sizeof(addr));
		if (r < 0)
			die_lib();
		if (add)
			kv_add(kv, key, addr);
		else if (!kv_del(kv, key, addr))
			die(INBOX_ENOMATCH, "%s has no %s %s", id, key, addr);
	}
}

static int
cmd_edit(struct store *st, const char *arg)
{
	struct kv file = KV_INIT, old = KV_INIT, in = KV_INIT, kv = KV_INIT;
	struct sb sum = SB_INIT;
	char *id, *name;

	if (contact_find(st, arg, &id) < 0 || store_lock(st) < 0 ||
	    contact_load(st, id, &file) < 0)
		die_lib();
	canon(&file, &old);
	canon(&file, &in);
	if (o_name) {
		name = trimmed_name(o_name);
		if (kv_set(&in, "name", name) < 0)
			die_lib();
		free(name);
	}
	if (o_group)
		kv_set(&in, "group", o_group);
	if (o_role && !kv_has(&in, "kind", "staff"))
		die(INBOX_EUSAGE, "%s is not staff: --role is for staff", id);
	if (o_role)
		kv_set(&in, "role", o_role);
	if (o_note && kv_set(&in, "note", o_note) < 0)
		die_lib();
	edit_addrs(st, &in, id, "phone", &rmphones, 0);
	edit_addrs(st, &in, id, "email", &rmemails, 0);
	edit_addrs(st, &in, id, "phone", &addphones, 1);
	edit_addrs(st, &in, id, "email", &addemails, 1);
	canon(&in, &kv);
	if (kv_same(&old, &kv)) {
		if (!c.quiet)
			printf("%s\n", id);
	} else {
		sb_addf(&sum, "edit %s %s (%s): ", kv_get(&kv, "kind") ?
		    kv_get(&kv, "kind") : "contact", id, kv_get(&kv, "name") ?
		    kv_get(&kv, "name") : id);
		changed_keys(&old, &kv, &sum);
		save(st, id, &old, &kv, sum.buf);
	}
	sb_release(&sum);
	kv_free(&file);
	kv_free(&old);
	kv_free(&in);
	kv_free(&kv);
	free(id);
	return 0;
}

/* --- ls, show -------------------------------------------------------- */

/* One object: the fields in their order, "phones" and "emails" as
 * arrays (perhaps empty), then any other field (its first value). */
static void
print_json(const char *id, const struct kv *kv)
{
	struct json *j = json_obj();
	char *line;

	json_set_str(j, "id", id);
	for (size_t k = 0; order[k]; k++) {
		struct json *a;
		char name[16];

		if (strcmp(order[k], "phone") && strcmp(order[k], "email")) {
			json_set_str(j, order[k], kv_get(kv, order[k]));
			continue;
		}
		a = json_arr();
		for (size_t i = 0; i < kv->n; i++)
			if (!strcmp(kv->v[i].key, order[k]))
				json_push_str(a, kv->v[i].val);
		snprintf(name, sizeof(name), "%ss", order[k]);
		json_set(j, name, a);
	}
	for (size_t i = 0; i < kv->n; i++)
		if (!known(kv->v[i].key) &&
		    kv_get(kv, kv->v[i].key) == kv->v[i].val)
			json_set_str(j, kv->v[i].key, kv->v[i].val);
	line = json_dump(j);
	printf("%s\n", line);
	free(line);
	json_free(j);
}

/* -s: a case-insensitive match in the id and the values, or the digits
 * of a number (at least 4) in one of its numbers. */
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

static int
cmd_ls(struct store *st)
{
	size_t n, shown = 0;
	char **v = all_ids(st, &n);
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		struct kv kv = KV_INIT;
		const char *kind, *p, *e;

		if (contact_load(st, v[i], &kv) < 0) {
			bad = warn_lib();
			kv_free(&kv);
			continue;
		}
		kind = kv_get(&kv, "kind");
		if ((!staff || (kind && !strcmp(kind, "staff"))) &&
		    (!customers || !kind || strcmp(kind, "staff")) &&
		    (!o_group || kv_has(&kv, "group", o_group)) &&
		    (!o_search || search(v[i], &kv, o_search))) {
			shown++;
			p = kv_get(&kv, "phone");
			e = kv_get(&kv, "email");
			if (c.json)
				print_json(v[i], &kv);
			else if (c.zero) {
				fputs(v[i], stdout);
				putchar('\0');
			} else
				printf("%s\t%s\t%s\t%s\t%s\n", v[i],
				    kind ? kind : "-", kv_get(&kv, "name") ?
				    kv_get(&kv, "name") : "-", p ? p : "-",
				    e ? e : "-");
		}
		kv_free(&kv);
	}
	strv_free(v, n);
	return bad ? INBOX_ENOMATCH : shown ? 0 : INBOX_ENOMATCH;
}

static int
cmd_show(struct store *st, const char *arg)
{
	struct kv kv = KV_INIT;
	struct sb s = SB_INIT;
	char *id;

	if (contact_find(st, arg, &id) < 0 || contact_load(st, id, &kv) < 0)
		die_lib();
	if (c.json)
		print_json(id, &kv);
	else {
		kv_format(&kv, &s);
		printf("id: %s\n%s", id, s.buf);
	}
	sb_release(&s);
	kv_free(&kv);
	free(id);
	return 0;
}

/* --- import ---------------------------------------------------------- */

enum { C_NONE, C_ID, C_NAME, C_FIRST, C_LAST, C_COMPANY, C_PHONE, C_EMAIL,
	C_GROUP };

/* Column names of Jobber, Housecall Pro and spreadsheet exports, after
 * lowercasing, '_' to ' ' and dropping a number ("Phone 2"). */
static const struct {
	const char *name;
	int col;
} headers[] = {
	{ "id", C_ID }, { "customer id", C_ID }, { "client id", C_ID },
	{ "contact id", C_ID }, { "name", C_NAME }, { "full name", C_NAME },
	{ "display name", C_NAME }, { "customer name", C_NAME },
	{ "client name", C_NAME }, { "first name", C_FIRST },
	{ "last name", C_LAST }, { "company", C_COMPANY },
	{ "company name", C_COMPANY }, { "phone", C_PHONE },
	{ "phone number", C_PHONE }, { "mobile", C_PHONE },
	{ "mobile phone", C_PHONE }, { "mobile number", C_PHONE },
	{ "cell", C_PHONE }, { "cell phone", C_PHONE },
	{ "home phone", C_PHONE }, { "work phone", C_PHONE },
	{ "main phone", C_PHONE }, { "email", C_EMAIL },
	{ "email address", C_EMAIL }, { "e-mail", C_EMAIL },
	{ "group", C_GROUP }, { "type", C_GROUP }, { "customer type", C_GROUP },
	{ NULL, C_NONE }
};

struct csv {
	const char *p, *end;
	int line;
};

/*
 * The next RFC 4180 record into *f (nf fields, malloc'd); *start is the
 * line it starts on.  Commas, quotes and line breaks inside quotes, "" for
 * a quote; a CR before a line feed is dropped.  1 for a record, 0 at the
 * end, -1 (class 65) on a quote that never closes.
 */
static int
csv_next(struct csv *r, char ***f, size_t *nf, int *start)
{
	struct sb s = SB_INIT;
	size_t cap = 0;
	int q = 0, fresh = 1;

	*f = NULL;
	*nf = 0;
	if (r->p >= r->end)
		return 0;
	*start = r->line;
	for (;; r->p++) {
		int ch = r->p < r->end ? (unsigned char)*r->p : -1;

		if (ch == -1 && q) {
			sb_release(&s);
			strv_free(*f, *nf);
			return inbox_error(INBOX_EDATA, "line %d: a quote that "
			    "never closes", *start);
		}
		if (q && ch == '"' && r->p + 1 < r->end && r->p[1] == '"')
			sb_addc(&s, *r->p++);
		else if (ch == '"' && (q || fresh))
			q = !q;
		else if (q || (ch != ',' && ch != '\n' && ch != -1)) {
			r->line += ch == '\n';
			if (q || ch != '\r' || (r->p + 1 < r->end &&
			    r->p[1] != '\n'))
				sb_addc(&s, ch);
		} else {
			if (*nf == cap) {
				cap = cap ? 2 * cap : 16;
				*f = xrealloc(*f, cap * sizeof(**f));
			}
			(*f)[(*nf)++] = sb_detach(&s, NULL);
			if (ch != ',') {
				r->p += ch == '\n';
				r->line += ch == '\n';
				return 1;
			}
			fresh = 1;
			continue;
		}
		fresh = 0;
	}
}

/* The kind of column a header names ("Mobile_Phone 2" is a phone). */
static int
column(const char *h)
{
	struct sb s = SB_INIT;
	int col = C_NONE;

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

static struct pending *
pending(struct import *im, const char *id)
{
	for (size_t i = 0; i < im->np; i++)
		if (!strcmp(im->p[i].id, id))
			return &im->p[i];
	return NULL;
}

/* The owner of addr as the import leaves it (malloc'd), or NULL. */
static int
import_owner(struct import *im, const char *addr, char **o)
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
import_id(struct import *im, const char *name)
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

/* A group from a "Type" column: "Service Pro" -> "service-pro". */
static char *
group_slug(const char *v)
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

/* Merge the row's name, group and addresses into the contact `id`: a new
 * one, one an earlier row made or changed, or one in the store. */
static int
import_merge(struct import *im, const char *id, const char *name,
    const char *group, const struct kv *addrs)
{
	struct pending *p = pending(im, id);
	struct kv file = KV_INIT, old = KV_INIT, cur = KV_INIT, kv = KV_INIT;
	int isnew = !p && !contact_exists(im->st, id);
	char t[32];

	if (p)
		canon(&p->kv, &old);
	else if (isnew) {
		time_iso(inbox_now(), t, sizeof(t));
		kv_set(&old, "kind", "customer");
		kv_set(&old, "group", "customer");
		kv_set(&old, "created", t);
	} else if (contact_load(im->st, id, &file) < 0)
		return -1;
	else
		canon(&file, &old);
	kv_free(&file);
	canon(&old, &cur);
	kv_set(&cur, "name", name);
	if (group && *group)
		kv_set(&cur, "group", group);
	for (size_t i = 0; i < addrs->n; i++)
		kv_add(&cur, addrs->v[i].key, addrs->v[i].val);
	canon(&cur, &kv);
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
unchanged(struct store *st, const struct pending *p)
{
	struct kv file = KV_INIT, kv = KV_INIT;
	int same = 0;

	if (!p->isnew && contact_load(st, p->id, &file) == 0) {
		canon(&file, &kv);
		same = kv_same(&kv, &p->kv);
	}
	inbox_error_clear();
	kv_free(&file);
	kv_free(&kv);
	return same;
}

/* One data row: 0 when it went in (or was blank), -1 with the error
 * that skips it. */
static int
import_row(struct import *im, char **f, size_t nf, const int *col,
    size_t ncol)
{
	const char *id = NULL, *full = NULL, *first = "", *last = "";
	const char *company = NULL, *type = NULL;
	struct kv addrs = KV_INIT, scratch = KV_INIT;
	struct sb name = SB_INIT;
	char addr[320], *target = NULL, *group = NULL, *o;
	int r = -1, blank = 1;

	for (size_t i = 0; i < nf; i++) {
		char *v = str_trim(f[i]);

		blank = blank && !*v;
		if (!*v || i >= ncol)
			continue;
		switch (col[i]) {
		case C_ID: id = id ? id : v; break;
		case C_NAME: full = full ? full : v; break;
		case C_FIRST: first = *first ? first : v; break;
		case C_LAST: last = *last ? last : v; break;
		case C_COMPANY: company = company ? company : v; break;
		case C_GROUP: type = type ? type : v; break;
		case C_PHONE:
			if (norm_phone(im->st, v, addr, sizeof(addr)) < 0)
				goto out;
			kv_add(&addrs, "phone", addr);
			break;
		case C_EMAIL:
			if (email_normalize(v, addr, sizeof(addr)) < 0)
				goto out;
			kv_add(&addrs, "email", addr);
			break;
		}
	}
	if (blank) {
		r = 0;
		goto out;
	}
	if (full)
		sb_adds(&name, full);
	else if (*first || *last)
		sb_addf(&name, "%s%s%s", first, *first && *last ? " " : "",
		    last);
	else if (company)
		sb_adds(&name, company);
	if (!name.len) {
		inbox_error(INBOX_EDATA, "no name");
		goto out;
	}
	if (kv_set(&scratch, "name", name.buf) < 0)
		goto out;
	if (id && (!name_valid(id) || *id == '-')) {
		inbox_error(INBOX_EDATA, "'%s' is not a contact id", id);
		goto out;
	}
	if (!id && !addrs.n) {
		inbox_error(INBOX_EDATA, "%s has no phone or email", name.buf);
		goto out;
	}
	target = id ? xstrdup(id) : NULL;
	for (size_t i = 0; i < addrs.n; i++) {
		if (import_owner(im, addrs.v[i].val, &o) < 0)
			goto out;
		if (o && target && strcmp(o, target)) {
			inbox_error(INBOX_EPOLICY, "%s already belongs to %s",
			    addrs.v[i].val, o);
			free(o);
			goto out;
		}
		if (o && !target)
			target = o;
		else
			free(o);
	}
	if (!target)
		target = import_id(im, name.buf);
	group = type ? group_slug(type) : NULL;
	if (import_merge(im, target, name.buf, group, &addrs) < 0)
		goto out;
	for (size_t i = 0; i < addrs.n; i++) {
		if (import_owner(im, addrs.v[i].val, &o) < 0)
			goto out;
		if (!o) {
			if (im->na == im->acap) {
				im->acap = im->acap ? 2 * im->acap : 16;
				im->a = xrealloc(im->a, im->acap *
				    sizeof(*im->a));
			}
			im->a[im->na].addr = xstrdup(addrs.v[i].val);
			im->a[im->na++].id = xstrdup(target);
		}
		free(o);
	}
	r = 0;
out:
	kv_free(&addrs);
	kv_free(&scratch);
	sb_release(&name);
	free(target);
	free(group);
	return r;
}

static int
cmd_import(struct store *st, const char *file)
{
	struct import im = { 0 };
	struct sb in = SB_INIT, sum = SB_INIT;
	struct csv r;
	char **f;
	size_t nf, ncol = 0, added = 0, updated = 0, n = 0;
	int *col = NULL, line, fd, x, named = 0;
	const char *label = strcmp(file, "-") ? file : "stdin", *base;

	im.st = st;
	fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		die(INBOX_EFAIL, "%s: %s", label, strerror(errno));
	if (sb_read_fd(&in, fd, MAX_CSV) < 0)
		die(inbox_errcode(), "%s: %s", label, inbox_errmsg());
	if (fd > 0)
		close(fd);
	r.p = in.buf;
	r.end = in.buf + in.len;
	r.line = 1;
	if (memchr(in.buf, '\0', in.len))
		die(INBOX_EDATA, "%s: a NUL byte: not a CSV file", label);
	if (in.len >= 3 && !memcmp(in.buf, "\xef\xbb\xbf", 3))
		r.p += 3;
	if ((x = csv_next(&r, &f, &nf, &line)) <= 0)
		die(INBOX_EDATA, "%s: %s", label, x < 0 ? inbox_errmsg() :
		    "no header row");
	col = xcalloc(nf, sizeof(*col));
	for (ncol = 0; ncol < nf; ncol++) {
		col[ncol] = column(str_trim(f[ncol]));
		named |= col[ncol] == C_NAME || col[ncol] == C_FIRST ||
		    col[ncol] == C_LAST || col[ncol] == C_COMPANY;
	}
	strv_free(f, nf);
	if (!named)
		die(INBOX_EDATA, "%s: no name column (name, full name, first "
		    "name, last name or company)", label);
	if (!dryrun && store_lock(st) < 0)
		die_lib();
	while ((x = csv_next(&r, &f, &nf, &line)) > 0) {
		if (import_row(&im, f, nf, col, ncol) < 0) {
			if (inbox_errcode() != INBOX_EDATA &&
			    inbox_errcode() != INBOX_EPOLICY)
				die_lib();
			warnx("line %d: %s", line, inbox_errmsg());
			inbox_error_clear();
			im.bad = 1;
		}
		strv_free(f, nf);
	}
	if (x < 0)
		die(INBOX_EDATA, "%s: %s", label, inbox_errmsg());
	for (size_t i = 0; i < im.np; i++)
		if (unchanged(st, &im.p[i])) {
			free(im.p[i].id);
			kv_free(&im.p[i].kv);
		} else
			im.p[n++] = im.p[i];
	im.np = n;
	for (size_t i = 0; i < im.np; i++) {
		struct pending *p = &im.p[i];

		if (!dryrun && contact_save(st, p->id, &p->kv) < 0)
			die_lib();
		if (!dryrun)
			store_trailer(st, "Contact", p->id);
		added += p->isnew;
		updated += !p->isnew;
	}
	base = strrchr(label, '/') ? strrchr(label, '/') + 1 : label;
	if (added)
		sb_addf(&sum, "import %zu contact%s from %s", added,
		    added == 1 ? "" : "s", base);
	if (updated)
		sb_addf(&sum, "%s %zu contact%s%s%s", added ? ", update" :
		    "update", updated, updated == 1 ? "" : "s",
		    added ? "" : " from ", added ? "" : base);
	if (!dryrun && store_commit(st, "%s", sum.buf) < 0)
		die_lib();
	for (size_t i = 0; i < im.na; i++)
		hint(st, im.a[i].addr);
	for (size_t i = 0; i < im.np && !c.quiet; i++)
		if (dryrun)
			printf("%s\t%s\t%s\n", im.p[i].id, im.p[i].isnew ?
			    "add" : "update", kv_get(&im.p[i].kv, "name"));
		else
			printf("%s\n", im.p[i].id);
	for (size_t i = 0; i < im.np; i++) {
		free(im.p[i].id);
		kv_free(&im.p[i].kv);
	}
	for (size_t i = 0; i < im.na; i++) {
		free(im.a[i].addr);
		free(im.a[i].id);
	}
	free(im.p);
	free(im.a);
	free(col);
	sb_release(&in);
	sb_release(&sum);
	return im.bad ? INBOX_ENOMATCH : 0;
}

int
main(int argc, char **argv)
{
	struct store *st;
	const char *shorts;
	int sub = 0, opt, r = 0;
	size_t max = (size_t)argc;

	cli_init("inbox-contact");
	if (argc < 2)
		usage(1);
	if (!strcmp(argv[1], "add"))
		sub = ADD;
	else if (!strcmp(argv[1], "edit"))
		sub = EDIT;
	else if (!strcmp(argv[1], "ls"))
		sub = LS;
	else if (!strcmp(argv[1], "show"))
		sub = SHOW;
	else if (!strcmp(argv[1], "import"))
		sub = IMPORT;
	else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		usage(0);
	else if (!strcmp(argv[1], "--version"))
		cli_option(&c, OPT_VERSION, NULL, usage);
	else
		usage(1);
	shorts = sub == LS ? "0hC:s:" : sub == SHOW ? "hC:" : "hqC:u:";
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		if ((opt >= OPT_FIRST_CMD && opt <= OPT_DRY_RUN &&
		    !(takes[opt - OPT_FIRST_CMD] & sub)) ||
		    (opt == OPT_JSON && !(sub & (LS | SHOW))))
			usage(1);
		switch (opt) {
		case OPT_ID: o_id = optarg; break;
		case OPT_NAME: o_name = optarg; break;
		case OPT_PHONE: push(&phones, optarg, max); break;
		case OPT_EMAIL: push(&emails, optarg, max); break;
		case OPT_WHATSAPP: o_whatsapp = optarg; break;
		case OPT_GROUP: o_group = optarg; break;
		case OPT_STAFF: staff = 1; break;
		case OPT_LOGIN: o_login = optarg; break;
		case OPT_ROLE: o_role = optarg; break;
		case OPT_NOTE: o_note = optarg; break;
		case OPT_ADD_PHONE: push(&addphones, optarg, max); break;
		case OPT_RM_PHONE: push(&rmphones, optarg, max); break;
		case OPT_ADD_EMAIL: push(&addemails, optarg, max); break;
		case OPT_RM_EMAIL: push(&rmemails, optarg, max); break;
		case OPT_CUSTOMERS: customers = 1; break;
		case OPT_DRY_RUN: dryrun = 1; break;
		case 's': o_search = optarg; break;
		default:
			if (!cli_option(&c, opt, optarg, usage))
				usage(1);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != (sub & (ADD | LS) ? 0 : 1) ||
	    (sub == ADD && (!o_name || (staff && !o_login) ||
	    (!staff && (o_login || o_role)))) ||
	    (sub == EDIT && !o_name && !o_group && !o_role && !o_note &&
	    !addphones.n && !rmphones.n && !addemails.n && !rmemails.n) ||
	    (staff && customers))
		usage(1);
	if (o_id)
		need_name("contact id", o_id);
	if (staff && o_id && o_login && strcmp(o_id, o_login))
		die(INBOX_EUSAGE, "a staff member's id is the login: "
		    "--id %s is not --login %s", o_id, o_login);
	if (o_login)
		need_name("login", o_login);
	if (o_role)
		need_name("role", o_role);
	if (o_group)
		need_name("group", o_group);
	if (store_open(&st, c.dir, "inbox-contact", c.user) < 0)
		die_lib();
	switch (sub) {
	case ADD: r = cmd_add(st); break;
	case EDIT: r = cmd_edit(st, argv[0]); break;
	case LS: r = cmd_ls(st); break;
	case SHOW: r = cmd_show(st, argv[0]); break;
	case IMPORT: r = cmd_import(st, argv[0]); break;
	}
	store_close(st);
	free(phones.v);
	free(emails.v);
	free(addphones.v);
	free(rmphones.v);
	free(addemails.v);
	free(rmemails.v);
	return cli_done(r);
}
