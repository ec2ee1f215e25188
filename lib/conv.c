/*
 * conv.c - conversations, contacts and the address index.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "crypto.h"
#include "phone.h"

static void
hash_hex(const char *s, char *out, size_t hexlen)
{
	unsigned char h[SHA1_LEN];
	char full[2 * SHA1_LEN + 1];

	sha1(s, strlen(s), h);
	hex_encode(h, SHA1_LEN, full);
	memcpy(out, full, hexlen);
	out[hexlen] = '\0';
}

void
conv_id(const char *key, char id[CONV_ID_LEN + 1])
{
	hash_hex(key, id, CONV_ID_LEN);
}

void
conv_dir(const char *id, char *buf, size_t n)
{
	snprintf(buf, n, "conv/%.2s/%s", id, id);
}

int
conv_id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n != CONV_ID_LEN)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && !(*s >= 'a' && *s <= 'f'))
			return 0;
	return 1;
}

int
conv_load(struct store *st, const char *id, struct conv *c)
{
	char dir[64];
	char *p;
	int r;

	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	conv_dir(id, dir, sizeof(dir));
	p = path_join(dir, "state");
	r = store_kv_load(st, p, &c->st);
	free(p);
	if (r < 0 && inbox_errcode() == INBOX_ENOMATCH) {
		inbox_error_clear();
		return 0;
	}
	if (r == 0)
		c->exists = 1;
	return r;
}

int
conv_save(struct store *st, struct conv *c)
{
	struct sb s = SB_INIT;
	char dir[64], rel[80];
	int r;

	conv_dir(c->id, dir, sizeof(dir));
	snprintf(rel, sizeof(rel), "%s/state", dir);
	kv_format(&c->st, &s);
	r = store_put(st, rel, s.buf, s.len);
	sb_release(&s);
	if (r == 0)
		c->exists = 1;
	return r;
}

void
conv_free(struct conv *c)
{
	kv_free(&c->st);
}

int
addr_normalize(struct store *st, const char *in, char *out, size_t n)
{
	if (is_email(in))
		return email_normalize(in, out, n);
	return phone_normalize(in, config_str(st->cfg, "business.country",
	    "US"), out, n);
}

void
addr_path(const char *addr, char *buf, size_t n)
{
	char h[2 * SHA1_LEN + 1];

	hash_hex(addr, h, 2 * SHA1_LEN);
	snprintf(buf, n, "addr/%.2s/%s", h, h);
}

int
addr_load(struct store *st, const char *addr, struct kv *kv)
{
	char rel[96];
	int r;

	addr_path(addr, rel, sizeof(rel));
	r = store_kv_load(st, rel, kv);
	if (r < 0 && inbox_errcode() == INBOX_ENOMATCH) {
		inbox_error_clear();
		return 1;
	}
	return r;
}

int
addr_save(struct store *st, const char *addr, struct kv *kv)
{
	struct sb s = SB_INIT;
	char rel[96];
	int r;

	addr_path(addr, rel, sizeof(rel));
	if (!kv_get(kv, "address"))
		kv_set(kv, "address", addr);
	kv_format(kv, &s);
	r = store_put(st, rel, s.buf, s.len);
	sb_release(&s);
	return r;
}

int
conv_for_address(struct store *st, const char *addr,
    char id[CONV_ID_LEN + 1], char **contact)
{
	struct kv kv = KV_INIT;
	struct sb key = SB_INIT;
	const char *c = NULL;
	int r = addr_load(st, addr, &kv);

	if (r < 0)
		return -1;
	if (r == 0)
		c = kv_get(&kv, "contact");
	if (c && *c)
		sb_addf(&key, "contact:%s", c);
	else
		sb_addf(&key, "addr:%s", addr);
	conv_id(key.buf, id);
	*contact = c && *c ? xstrdup(c) : NULL;
	sb_release(&key);
	kv_free(&kv);
	return 0;
}

void
contact_path(const char *cid, char *buf, size_t n)
{
	char h[8];

	hash_hex(cid, h, 2);
	snprintf(buf, n, "contacts/%s/%s", h, cid);
}

int
contact_load(struct store *st, const char *cid, struct kv *kv)
{
	char rel[256];
	int r;

	if (!name_valid(cid))
		return inbox_error(INBOX_EUSAGE, "'%s' is not a contact id",
		    cid);
	contact_path(cid, rel, sizeof(rel));
	r = store_kv_load(st, rel, kv);
	if (r < 0 && inbox_errcode() == INBOX_ENOMATCH)
		return inbox_error(INBOX_ENOMATCH, "no contact %s", cid);
	return r;
}

static int
is_addr_key(const char *k)
{
	return strcmp(k, "phone") == 0 || strcmp(k, "email") == 0 ||
	    strcmp(k, "whatsapp") == 0;
}

int
contact_save(struct store *st, const char *cid, struct kv *kv)
{
	struct kv old = KV_INIT;
	struct sb s = SB_INIT;
	char rel[256];
	int r = 0;

	if (!name_valid(cid))
		return inbox_error(INBOX_EUSAGE, "'%s' is not a contact id",
		    cid);
	if (contact_load(st, cid, &old) < 0) {
		if (inbox_errcode() != INBOX_ENOMATCH)
			return -1;
		inbox_error_clear();
	}
	/* refuse addresses owned by someone else, before writing any */
	for (size_t i = 0; r == 0 && i < kv->n; i++) {
		struct kv a = KV_INIT;
		const char *owner;

		if (!is_addr_key(kv->v[i].key))
			continue;
		r = addr_load(st, kv->v[i].val, &a);
		owner = r == 0 ? kv_get(&a, "contact") : NULL;
		r = r < 0 ? -1 : 0;
		if (owner && *owner && strcmp(owner, cid) != 0)
			r = inbox_error(INBOX_EPOLICY, "%s already belongs "
			    "to %s", kv->v[i].val, owner);
		kv_free(&a);
	}
	/* then claim them */
	for (size_t i = 0; r == 0 && i < kv->n; i++) {
		struct kv a = KV_INIT;

		if (!is_addr_key(kv->v[i].key))
			continue;
		r = addr_load(st, kv->v[i].val, &a) < 0 ? -1 : 0;
		if (r == 0 && !kv_has(&a, "contact", cid)) {
			kv_set(&a, "contact", cid);
			r = addr_save(st, kv->v[i].val, &a);
		}
		kv_free(&a);
	}
	/* release addresses it no longer has */
	for (size_t i = 0; r == 0 && i < old.n; i++) {
		struct kv a = KV_INIT;

		if (!is_addr_key(old.v[i].key) ||
		    kv_has(kv, "phone", old.v[i].val) ||
		    kv_has(kv, "email", old.v[i].val) ||
		    kv_has(kv, "whatsapp", old.v[i].val))
			continue;
		if (addr_load(st, old.v[i].val, &a) == 0 &&
		    kv_has(&a, "contact", cid)) {
			kv_del(&a, "contact", NULL);
			r = addr_save(st, old.v[i].val, &a);
		}
		kv_free(&a);
	}
	kv_free(&old);
	if (r < 0)
		return -1;
	contact_path(cid, rel, sizeof(rel));
	kv_format(kv, &s);
	r = store_put(st, rel, s.buf, s.len);
	sb_release(&s);
	/* idx/staff/ lists the staff contacts, so that finding whether a
	 * store has staff does not read every contact */
	snprintf(rel, sizeof(rel), "idx/staff/%s", cid);
	if (r == 0 && kv_has(kv, "kind", "staff")) {
		struct sb line = SB_INIT;

		sb_addf(&line, "%s\n", cid);
		r = store_put(st, rel, line.buf, line.len);
		sb_release(&line);
	} else if (r == 0) {
		char *abs = store_path(st, rel);

		if (path_exists(abs))
			r = store_remove(st, rel);
		free(abs);
	}
	return r;
}

int
contact_find(struct store *st, const char *arg, char **cid)
{
	struct kv kv = KV_INIT;
	char addr[320];

	if (name_valid(arg) && contact_load(st, arg, &kv) == 0) {
		kv_free(&kv);
		*cid = xstrdup(arg);
		return 0;
	}
	kv_free(&kv);
	inbox_error_clear();
	if (addr_normalize(st, arg, addr, sizeof(addr)) == 0 &&
	    addr_load(st, addr, &kv) == 0 && kv_get(&kv, "contact")) {
		*cid = xstrdup(kv_get(&kv, "contact"));
		kv_free(&kv);
		return 0;
	}
	kv_free(&kv);
	return inbox_error(INBOX_ENOMATCH, "no contact %s", arg);
}

char *
contact_display(struct store *st, const char *cid, const char *addr)
{
	struct kv kv = KV_INIT;
	char *r = NULL;

	if (cid && contact_load(st, cid, &kv) == 0 && kv_get(&kv, "name"))
		r = xstrdup(kv_get(&kv, "name"));
	kv_free(&kv);
	inbox_error_clear();
	return r ? r : xstrdup(addr ? addr : cid ? cid : "unknown");
}

char *
contact_new_id(struct store *st, const char *name)
{
	struct sb s = SB_INIT;
	size_t base;

	for (const char *p = name; *p && s.len < 40; p++) {
		unsigned char c = (unsigned char)*p;

		if (isalnum(c))
			sb_addc(&s, tolower(c));
		else if (s.len && s.buf[s.len - 1] != '-')
			sb_addc(&s, '-');
	}
	while (s.len && s.buf[s.len - 1] == '-')
		sb_setlen(&s, s.len - 1);
	if (!s.len)
		sb_adds(&s, "contact");
	base = s.len;
	for (int n = 2;; n++) {
		char rel[256];
		char *p;
		int exists;

		contact_path(s.buf, rel, sizeof(rel));
		p = path_join(st->root, rel);
		exists = path_exists(p);
		free(p);
		if (!exists)
			break;
		sb_setlen(&s, base);
		sb_addf(&s, "-%d", n);
	}
	return sb_detach(&s, NULL);
}

/* --- resolving arguments ------------------------------------------- */

static int
by_prefix(struct store *st, const char *arg, char id[CONV_ID_LEN + 1])
{
	struct sb dir = SB_INIT;
	DIR *d;
	struct dirent *e;
	int found = 0;
	size_t n = strlen(arg);

	sb_addf(&dir, "%s/conv/%.2s", st->root, arg);
	d = opendir(dir.buf);
	sb_release(&dir);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, arg, n) == 0 &&
		    conv_id_valid(e->d_name)) {
			if (found++)
				break;
			memcpy(id, e->d_name, CONV_ID_LEN + 1);
		}
	closedir(d);
	if (found > 1)
		return inbox_error(INBOX_EUSAGE, "'%s' is ambiguous: give "
		    "more digits", arg);
	return found;
}

static int
conv_exists(struct store *st, const char *id)
{
	char dir[64];
	char *p;
	int r;

	conv_dir(id, dir, sizeof(dir));
	p = path_join(st->root, dir);
	r = path_exists(p);
	free(p);
	return r;
}

int
conv_resolve(struct store *st, const char *arg, char id[CONV_ID_LEN + 1])
{
	size_t n = strlen(arg);
	int hex = n >= 4 && n <= CONV_ID_LEN;
	char *contact = NULL, addr[320];
	struct sb key = SB_INIT;

	for (size_t i = 0; hex && i < n; i++)
		hex = isdigit((unsigned char)arg[i]) ||
		    (arg[i] >= 'a' && arg[i] <= 'f');
	if (hex) {
		int r;

		if (n == CONV_ID_LEN && conv_exists(st, arg)) {
			memcpy(id, arg, CONV_ID_LEN + 1);
			return 0;
		}
		r = by_prefix(st, arg, id);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	if (name_valid(arg)) {
		struct kv kv = KV_INIT;

		if (contact_load(st, arg, &kv) == 0) {
			kv_free(&kv);
			sb_addf(&key, "contact:%s", arg);
			conv_id(key.buf, id);
			sb_release(&key);
			if (conv_exists(st, id))
				return 0;
			return inbox_error(INBOX_ENOMATCH, "%s has no "
			    "conversation yet", arg);
		}
		kv_free(&kv);
		inbox_error_clear();
	}
	if (addr_normalize(st, arg, addr, sizeof(addr)) == 0) {
		if (conv_for_address(st, addr, id, &contact) < 0)
			return -1;
		free(contact);
		if (conv_exists(st, id))
			return 0;
		return inbox_error(INBOX_ENOMATCH, "no conversation with %s",
		    addr);
	}
	if (strchr(arg, '/') || strstr(arg, ".."))
		return inbox_error(INBOX_EUSAGE, "'%s' is not a conversation "
		    "id", arg);
	return inbox_error(INBOX_ENOMATCH, "no conversation %s", arg);
}

/* --- messages of a conversation ---------------------------------------- */

static int
cmp_name(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/') + 1;
	const char *y = strrchr(*(char *const *)b, '/') + 1;

	return strcmp(x, y);
}

struct list {
	char ***v;
	size_t *n, *cap;
	const char *dir;
};

static int
add_name(const char *name, void *arg)
{
	struct list *l = arg;
	struct sb rel = SB_INIT;

	if (strstr(name, ".lock"))
		return 0;
	if (*l->n == *l->cap) {
		*l->cap = *l->cap ? *l->cap * 2 : 32;
		*l->v = xrealloc(*l->v, *l->cap * sizeof(**l->v));
	}
	sb_addf(&rel, "%s/%s", l->dir, name);
	(*l->v)[(*l->n)++] = sb_detach(&rel, NULL);
	return 0;
}

int
conv_messages(struct store *st, const char *id, char ***v, size_t *n)
{
	static const char *subs[] = { "new", "cur" };
	char dir[64];
	size_t cap = 0;

	*v = NULL;
	*n = 0;
	conv_dir(id, dir, sizeof(dir));
	for (int i = 0; i < 2; i++) {
		struct list l = { v, n, &cap, NULL };
		struct sb rel = SB_INIT;

		sb_addf(&rel, "%s/%s", dir, subs[i]);
		l.dir = rel.buf;
		if (store_list(st, rel.buf, add_name, &l) < 0) {
			sb_release(&rel);
			strv_free(*v, *n);
			*v = NULL;
			*n = 0;
			return -1;
		}
		sb_release(&rel);
	}
	if (*n)
		qsort(*v, *n, sizeof(**v), cmp_name);
	return 0;
}

void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
