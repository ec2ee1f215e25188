/*
 * kv.h - the small "key: value" record files of the store: conversation
 * state, contacts, addresses, jobs.  One field a line, keys repeat for
 * lists, order kept, so the files read well with grep and diff well in git.
 *
 *	status: open
 *	member: alice
 *	member: bob
 *
 * Keys are [a-z0-9.-]; values are one line of UTF-8 (newlines and other
 * control characters are refused by kv_set/kv_add).
 */
#ifndef INBOX_KV_H
#define INBOX_KV_H

#include <stddef.h>
#include "util.h"

struct kv_field {
	char *key;
	char *val;
};

struct kv {
	struct kv_field *v;
	size_t n, cap;
};

#define KV_INIT { NULL, 0, 0 }

/* Parse text; -1 with class 65 on a line without ": ". */
int kv_parse(struct kv *kv, const char *buf, size_t len);
/* Read a file; -1 with class 1 when it does not exist. */
int kv_load(struct kv *kv, const char *path);
void kv_free(struct kv *kv);
/* Serialise into s (appends). */
void kv_format(const struct kv *kv, struct sb *s);

/* The first value of key, or NULL. */
const char *kv_get(const struct kv *kv, const char *key);
/* Integer value or `def`. */
long long kv_get_int(const struct kv *kv, const char *key, long long def);
/* 1 when key has the value val. */
int kv_has(const struct kv *kv, const char *key, const char *val);
/* Replace every `key` by one field (added at the end if absent); a NULL
 * or empty value removes the key.  -1 (class 65) on a control character. */
int kv_set(struct kv *kv, const char *key, const char *val);
/* Add one more `key` (no duplicate of the same value). */
int kv_add(struct kv *kv, const char *key, const char *val);
/* Remove key=val (val NULL: every key). Returns the number removed. */
int kv_del(struct kv *kv, const char *key, const char *val);
/* 1 when the value has no control characters and is valid UTF-8. */
int kv_value_ok(const char *val);

#endif
