/*
 * json.c - a thin wrapper over jansson.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "json.h"
#include "util.h"

#define MAX_DEPTH 64

/* Depth of nesting, walked with an explicit stack. */
static int
too_deep(json_t *root)
{
	struct { json_t *v; int d; } stack[MAX_DEPTH + 2];
	int sp = 0;

	stack[sp].v = root;
	stack[sp++].d = 1;
	while (sp > 0) {
		json_t *v = stack[--sp].v, *c;
		int d = stack[sp].d;
		const char *k;
		size_t i;

		if (!json_is_object(v) && !json_is_array(v))
			continue;
		if (d > MAX_DEPTH)
			return 1;
		/* push children; a child container deeper than the stack
		 * is caught when popped */
		if (json_is_object(v)) {
			json_object_foreach(v, k, c)
				if ((json_is_object(c) || json_is_array(c))) {
					if (sp >= MAX_DEPTH + 1)
						return 1;
					stack[sp].v = c;
					stack[sp++].d = d + 1;
				}
		} else {
			json_array_foreach(v, i, c)
				if ((json_is_object(c) || json_is_array(c))) {
					if (sp >= MAX_DEPTH + 1)
						return 1;
					stack[sp].v = c;
					stack[sp++].d = d + 1;
				}
		}
	}
	return 0;
}

struct json *
json_parse(const char *buf, size_t len)
{
	json_error_t e;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);

	if (!j) {
		inbox_error(INBOX_EDATA, "bad JSON at line %d: %s", e.line,
		    e.text);
		return NULL;
	}
	if (!json_is_object(j) && !json_is_array(j)) {
		json_decref(j);
		inbox_error(INBOX_EDATA, "JSON is not an object");
		return NULL;
	}
	if (too_deep(j)) {
		json_decref(j);
		inbox_error(INBOX_EDATA, "JSON nested too deep");
		return NULL;
	}
	return (struct json *)j;
}

void
json_free(struct json *j)
{
	if (j)
		json_decref((json_t *)j);
}

struct json *
json_get(const struct json *o, const char *key)
{
	if (!o || !json_is_object((json_t *)o))
		return NULL;
	return (struct json *)json_object_get((json_t *)o, key);
}

struct json *
json_at(const struct json *a, size_t i)
{
	if (!a || !json_is_array((json_t *)a))
		return NULL;
	return (struct json *)json_array_get((json_t *)a, i);
}

size_t
json_size(const struct json *v)
{
	if (!v)
		return 0;
	if (json_is_array((json_t *)v))
		return json_array_size((json_t *)v);
	if (json_is_object((json_t *)v))
		return json_object_size((json_t *)v);
	return 0;
}

int
json_is_obj(const struct json *v)
{
	return v && json_is_object((json_t *)v);
}

int
json_is_arr(const struct json *v)
{
	return v && json_is_array((json_t *)v);
}

struct json *
json_path(const struct json *o, const char *path)
{
	const struct json *v = o;
	char key[128];

	while (v && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (json_is_array((json_t *)v)) {
			char *end;
			unsigned long i = strtoul(key, &end, 10);

			v = *end ? NULL : json_at(v, i);
		} else
			v = json_get(v, key);
		path += n + (dot != NULL);
	}
	return (struct json *)v;
}

const char *
json_str(const struct json *v)
{
	if (!v || !json_is_string((json_t *)v))
		return NULL;
	return json_string_value((json_t *)v);
}

int
json_num(const struct json *v, long long *out)
{
	if (!v)
		return -1;
	if (json_is_integer((json_t *)v)) {
		*out = json_integer_value((json_t *)v);
		return 0;
	}
	if (json_is_real((json_t *)v)) {
		*out = (long long)json_real_value((json_t *)v);
		return 0;
	}
	if (json_is_string((json_t *)v)) {
		const char *s = json_string_value((json_t *)v);
		char *end;

		*out = strtoll(s, &end, 10);
		return *s && !*end ? 0 : -1;
	}
	return -1;
}

int
json_count(const struct json *v, long long *out)
{
	const char *s;
	char *end;

	if (v && json_is_integer((json_t *)v)) {
		*out = json_integer_value((json_t *)v);
		return *out < 0 ? -1 : 0;
	}
	if (!v || !(s = json_string_value((json_t *)v)) ||
	    !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return *end || errno == ERANGE ? -1 : 0;
}

const char *
json_path_str(const struct json *o, const char *path)
{
	return json_str(json_path(o, path));
}

struct json *
json_obj(void)
{
	return (struct json *)json_object();
}

struct json *
json_arr(void)
{
	return (struct json *)json_array();
}

void
json_set_str(struct json *o, const char *key, const char *val)
{
	json_t *s;

	if (!val)
		return;
	s = json_string(val);
	if (!s)		/* not UTF-8: keep what can be kept */
		s = json_stringn_nocheck(val, strlen(val));
	json_object_set_new((json_t *)o, key, s);
}

void
json_set_int(struct json *o, const char *key, long long val)
{
	json_object_set_new((json_t *)o, key, json_integer(val));
}

void
json_set_bool(struct json *o, const char *key, int val)
{
	json_object_set_new((json_t *)o, key, json_boolean(val));
}

void
json_set(struct json *o, const char *key, struct json *v)
{
	json_object_set_new((json_t *)o, key, (json_t *)v);
}

void
json_push(struct json *a, struct json *v)
{
	json_array_append_new((json_t *)a, (json_t *)v);
}

void
json_push_str(struct json *a, const char *s)
{
	json_array_append_new((json_t *)a, json_string(s ? s : ""));
}

char *
json_dump(const struct json *v)
{
	char *s = json_dumps((json_t *)v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char *r;

	if (!s)
		return xstrdup("{}");
	r = xstrdup(s);
	free(s);
	return r;
}
