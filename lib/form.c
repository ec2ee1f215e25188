/*
 * form.c - application/x-www-form-urlencoded bodies and query strings
 * (HTML 4.01 section 17.13.4, WHATWG URL "urlencoded"), percent-encoding
 * per RFC 3986.
 *
 * Parsing is strict where a lax reader could be fooled: a '%' not followed
 * by two hex digits, a NUL byte (raw or %00) and an empty name are errors.
 * Empty pieces ("a=1&&b=2", a trailing '&') carry no field and are skipped.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "form.h"

#define FORM_MAX_FIELDS 1000

/* Decode n bytes of s into a malloc'd string in *out. */
static int
decode(const char *s, size_t n, char **out)
{
	struct sb sb = SB_INIT;
	size_t i;
	int hi, lo, c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (n - i < 3 || (hi = hex_val(s[i + 1])) < 0 ||
			    (lo = hex_val(s[i + 2])) < 0) {
				sb_release(&sb);
				return inbox_error(INBOX_EDATA, "form data has "
				    "a malformed %%-escape");
			}
			c = hi << 4 | lo;
			i += 2;
		}
		if (c == '\0') {
			sb_release(&sb);
			return inbox_error(INBOX_EDATA, "form data has a NUL "
			    "byte");
		}
		sb_addc(&sb, c);
	}
	*out = sb_detach(&sb, NULL);
	return 0;
}

/* Decode one "name=value" piece and append it to f. */
static int
add_field(struct form *f, const char *s, size_t n, size_t *cap)
{
	const char *eq = memchr(s, '=', n);
	size_t nlen = eq ? (size_t)(eq - s) : n;
	struct form_field fld;

	if (f->n == FORM_MAX_FIELDS)
		return inbox_error(INBOX_EDATA, "form data has more than %d "
		    "fields", FORM_MAX_FIELDS);
	if (decode(s, nlen, &fld.name) == -1)
		return -1;
	if (fld.name[0] == '\0') {
		free(fld.name);
		return inbox_error(INBOX_EDATA, "form data has a field with "
		    "an empty name");
	}
	if (decode(eq ? eq + 1 : s + n, eq ? n - nlen - 1 : 0,
	    &fld.value) == -1) {
		free(fld.name);
		return -1;
	}
	if (f->n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		f->v = xrealloc(f->v, *cap * sizeof(*f->v));
	}
	f->v[f->n++] = fld;
	return 0;
}

int
form_parse(struct form *f, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *amp;
	size_t cap = 0;

	f->v = NULL;
	f->n = 0;
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp > p && add_field(f, p, (size_t)(amp - p), &cap) == -1) {
			form_free(f);
			return -1;
		}
		p = amp + 1;
	}
	return 0;
}

void
form_free(struct form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].value);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

const char *
form_get(const struct form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0)
			return f->v[i].value;
	return NULL;
}

static int
unreserved(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

char *
url_encode(const char *s, int plus)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sb sb = SB_INIT;
	int c;

	sb_grow(&sb, strlen(s));
	for (; *s; s++) {
		c = (unsigned char)*s;
		if (unreserved(c))
			sb_addc(&sb, c);
		else if (c == ' ' && plus)
			sb_addc(&sb, '+');
		else {
			sb_addc(&sb, '%');
			sb_addc(&sb, hex[c >> 4]);
			sb_addc(&sb, hex[c & 15]);
		}
	}
	return sb_detach(&sb, NULL);
}
