/*
 * json.h - JSON in and out, through jansson (the only module that
 * includes jansson.h).  Values read are borrowed from their document and
 * live until json_free() of the document.
 */
#ifndef INBOX_JSON_H
#define INBOX_JSON_H

#include <stddef.h>

struct json;

/* Parse a document; NULL with class 65 and "line L: problem" when bad,
 * nested deeper than 64 levels or not an object or array. */
struct json *json_parse(const char *buf, size_t len);
void json_free(struct json *j);

/* Member of an object, item of an array (NULL when absent). */
struct json *json_get(const struct json *o, const char *key);
struct json *json_at(const struct json *a, size_t i);
size_t json_size(const struct json *v);
int json_is_obj(const struct json *v);
int json_is_arr(const struct json *v);
/* A dotted path of keys and array indexes: "entry.0.changes.0.value". */
struct json *json_path(const struct json *o, const char *path);
/* String value (NULL if not a string). */
const char *json_str(const struct json *v);
/* Number or numeric string into *out; -1 otherwise. */
int json_num(const struct json *v, long long *out);
/* A whole number not below 0: an integer, or a string of decimal digits
 * ("1795337614"); -1 for anything else (1.5, 1e3, -5, "abc", "0x10"). */
int json_count(const struct json *v, long long *out);
/* json_str(json_path(o, path)). */
const char *json_path_str(const struct json *o, const char *path);

/* Building: an object or array to fill and dump. */
struct json *json_obj(void);
struct json *json_arr(void);
void json_set_str(struct json *o, const char *key, const char *val);
void json_set_int(struct json *o, const char *key, long long val);
void json_set_bool(struct json *o, const char *key, int val);
/* Takes ownership of v. */
void json_set(struct json *o, const char *key, struct json *v);
void json_push(struct json *a, struct json *v);
void json_push_str(struct json *a, const char *s);
/* One line of compact JSON, malloc'd. */
char *json_dump(const struct json *v);

#endif
