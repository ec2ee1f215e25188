/*
 * kv.c - "key: value" record files.
 */
#include <string.h>
#include <stdlib.h>

#include "kv.h"

int
kv_value_ok(const char *val)
{
	for (const unsigned char *p = (const unsigned char *)val; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return utf8_valid(val, strlen(val));
}

static void
push(struct kv *kv, const char *key, size_t klen, const char *val,
    size_t vlen)
{
	if (kv->n == kv->cap) {
		kv->cap = kv->cap ? kv->cap * 2 : 16;
		kv->v = xrealloc(kv->v, kv->cap * sizeof(*kv->v));
	}
	kv->v[kv->n].key = xstrndup(key, klen);
	kv->v[kv->n].val = xstrndup(val, vlen);
	kv->n++;
}

int
kv_parse(struct kv *kv, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	int line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *colon;

		line++;
		if (e > p && e[-1] == '\r')
			e--;
		if (e == p || *p == '#') {
			p = nl ? nl + 1 : end;
			continue;
		}
		colon = memchr(p, ':', (size_t)(e - p));
		if (!colon || colon == p)
			return inbox_error(INBOX_EDATA,
			    "line %d is not 'key: value'", line);
		{
			const char *v = colon + 1;

			while (v < e && *v == ' ')
				v++;
			push(kv, p, (size_t)(colon - p), v, (size_t)(e - v));
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int
kv_load(struct kv *kv, const char *path)
{
	struct sb s = SB_INIT;
	int r;

	if (sb_read_file(&s, path, 1 << 20) < 0) {
		sb_release(&s);
		return -1;
	}
	r = kv_parse(kv, s.buf, s.len);
	if (r < 0)
		inbox_error(INBOX_EDATA, "%s: %s", path, inbox_errmsg());
	sb_release(&s);
	return r;
}

void
kv_free(struct kv *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->v[i].key);
		free(kv->v[i].val);
	}
	free(kv->v);
	kv->v = NULL;
	kv->n = kv->cap = 0;
}

void
kv_format(const struct kv *kv, struct sb *s)
{
	for (size_t i = 0; i < kv->n; i++)
		sb_addf(s, "%s: %s\n", kv->v[i].key, kv->v[i].val);
}

const char *
kv_get(const struct kv *kv, const char *key)
{
	for (size_t i = 0; i < kv->n; i++)
		if (strcmp(kv->v[i].key, key) == 0)
			return kv->v[i].val;
	return NULL;
}

long long
kv_get_int(const struct kv *kv, const char *key, long long def)
{
	const char *v = kv_get(kv, key);
	char *end;
	long long r;

	if (!v || !*v)
		return def;
	r = strtoll(v, &end, 10);
	return *end ? def : r;
}

int
kv_has(const struct kv *kv, const char *key, const char *val)
{
	for (size_t i = 0; i < kv->n; i++)
		if (strcmp(kv->v[i].key, key) == 0 &&
		    strcmp(kv->v[i].val, val) == 0)
			return 1;
	return 0;
}

int
kv_del(struct kv *kv, const char *key, const char *val)
{
	size_t j = 0;
	int removed = 0;

	for (size_t i = 0; i < kv->n; i++) {
		if (strcmp(kv->v[i].key, key) == 0 &&
		    (!val || strcmp(kv->v[i].val, val) == 0)) {
			free(kv->v[i].key);
			free(kv->v[i].val);
			removed++;
			continue;
		}
		kv->v[j++] = kv->v[i];
	}
	kv->n = j;
	return removed;
}

int
kv_set(struct kv *kv, const char *key, const char *val)
{
	if (val && *val && !kv_value_ok(val))
		return inbox_error(INBOX_EDATA,
		    "%s: value has control characters or bad UTF-8", key);
	for (size_t i = 0; i < kv->n; i++) {
		if (strcmp(kv->v[i].key, key) != 0)
			continue;
		if (!val || !*val) {
			kv_del(kv, key, NULL);
			return 0;
		}
		free(kv->v[i].val);
		kv->v[i].val = xstrdup(val);
		/* drop later duplicates */
		for (size_t k = i + 1; k < kv->n;) {
			if (strcmp(kv->v[k].key, key) == 0) {
				free(kv->v[k].key);
				free(kv->v[k].val);
				memmove(&kv->v[k], &kv->v[k + 1],
				    (kv->n - k - 1) * sizeof(*kv->v));
				kv->n--;
			} else
				k++;
		}
		return 0;
	}
	if (val && *val)
		push(kv, key, strlen(key), val, strlen(val));
	return 0;
}

int
kv_add(struct kv *kv, const char *key, const char *val)
{
	if (!kv_value_ok(val))
		return inbox_error(INBOX_EDATA,
		    "%s: value has control characters or bad UTF-8", key);
	if (kv_has(kv, key, val))
		return 0;
	push(kv, key, strlen(key), val, strlen(val));
	return 0;
}
