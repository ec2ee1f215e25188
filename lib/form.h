/*
 * form.h - application/x-www-form-urlencoded bodies and query strings
 * (Twilio webhooks, Kannel delivery reports).
 */
#ifndef INBOX_FORM_H
#define INBOX_FORM_H

#include <stddef.h>

struct form_field {
	char *name;
	char *value;
};

struct form {
	struct form_field *v;
	size_t n;
};

/*
 * Parse `len` bytes of "a=1&b=x+y%21".  '+' is a blank, %XX a byte.
 * Returns 0, or -1 with an error (class 65) on a malformed escape, a NUL
 * byte, a name that is empty, or more than 1000 fields.  Values are not
 * checked for UTF-8 here.
 */
int form_parse(struct form *f, const char *buf, size_t len);
void form_free(struct form *f);
/* The first value of `name` or NULL. */
const char *form_get(const struct form *f, const char *name);
/* Percent-encode for a form body or URL query (unreserved kept, blank as
 * "%20" when `plus` is 0, '+' when 1); appends to a malloc'd string. */
char *url_encode(const char *s, int plus);

#endif
