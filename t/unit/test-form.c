/*
 * test-form.c - form-urlencoded parsing, its refusals, form_get and
 * url_encode.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "form.h"
#include "unit.h"

static struct sb out = SB_INIT;

/* Parse s and render it as "[name=value]..." or "ERR <class>: <msg>". */
static const char *
parse(const char *s, size_t len)
{
	struct form f;

	sb_reset(&out);
	inbox_error_clear();
	if (form_parse(&f, s, len) == -1) {
		sb_addf(&out, "ERR %d: %s", inbox_errcode(), inbox_errmsg());
		if (f.v != NULL || f.n != 0)
			sb_adds(&out, " (form not emptied)");
		return out.buf;
	}
	for (size_t i = 0; i < f.n; i++)
		sb_addf(&out, "[%s=%s]", f.v[i].name, f.v[i].value);
	form_free(&f);
	return out.buf;
}

#define P(s) parse((s), strlen(s))

static void
test_parse(void)
{
	CHECK_STR(P(""), "", "empty input has no fields");
	CHECK_STR(P("a=1"), "[a=1]", "one field");
	CHECK_STR(P("a=1&b=x+y%21"), "[a=1][b=x y!]", "header example");
	CHECK_STR(P("a"), "[a=]", "name without '='");
	CHECK_STR(P("a="), "[a=]", "empty value");
	CHECK_STR(P("a=b=c"), "[a=b=c]", "'=' inside a value");
	CHECK_STR(P("a=1&&b=2&"), "[a=1][b=2]", "empty pieces skipped");
	CHECK_STR(P("&"), "", "lone '&'");
	CHECK_STR(P("a=1&a=2"), "[a=1][a=2]", "repeated names kept");
	CHECK_STR(P("From=%2B15125550100&Body=Hello%2C+world%0A"),
	    "[From=+15125550100][Body=Hello, world\n]", "Twilio style");
	CHECK_STR(P("x%5Fy=%e2%82%ac"), "[x_y=\xe2\x82\xac]",
	    "escapes in names, lowercase hex");
	CHECK_STR(P("Body=caf\xc3\xa9"), "[Body=caf\xc3\xa9]",
	    "raw UTF-8 kept");
	CHECK_STR(P("%20=x"), "[ =x]", "a blank name is not empty");
	CHECK_STR(parse("a=1&b=2", 3), "[a=1]", "only len bytes are read");
	CHECK_STR(parse("a=%41", 5), "[a=A]", "escape at the very end");
}

static void
test_refused(void)
{
	CHECK_STR(P("a=%"), "ERR 65: form data has a malformed %-escape",
	    "lone %");
	CHECK_STR(P("a=%4"), "ERR 65: form data has a malformed %-escape",
	    "short escape");
	CHECK_STR(parse("a=%41", 4), "ERR 65: form data has a malformed "
	    "%-escape", "escape cut by len");
	CHECK_STR(P("a=%zz&b=1"), "ERR 65: form data has a malformed "
	    "%-escape", "non-hex escape");
	CHECK_STR(P("a=1&b%G0=2"), "ERR 65: form data has a malformed "
	    "%-escape", "bad escape in a name");
	CHECK_STR(P("a=%00"), "ERR 65: form data has a NUL byte", "%00");
	CHECK_STR(parse("a=x\0y", 5), "ERR 65: form data has a NUL byte",
	    "raw NUL");
	CHECK_STR(P("=1"), "ERR 65: form data has a field with an empty name",
	    "empty name");
	CHECK_STR(P("a=1&=2"), "ERR 65: form data has a field with an empty "
	    "name", "empty name after a good field");
	CHECK_STR(P("a=1&="), "ERR 65: form data has a field with an empty "
	    "name", "lone '='");
}

static void
test_limit(void)
{
	struct sb s = SB_INIT;
	struct form f;
	int i;

	for (i = 0; i < 1000; i++)
		sb_addf(&s, "%sf%d=%d", i ? "&" : "", i, i);
	CHECK_INT(form_parse(&f, s.buf, s.len), 0, "1000 fields accepted");
	CHECK_INT(f.n, 1000, "1000 fields counted");
	CHECK_STR(form_get(&f, "f999"), "999", "last of 1000");
	form_free(&f);
	CHECK_INT(f.n, 0, "form_free empties");
	CHECK(f.v == NULL, "form_free clears v");
	sb_adds(&s, "&x=1");
	CHECK_STR(parse(s.buf, s.len), "ERR 65: form data has more than 1000 "
	    "fields", "1001 fields refused");
	sb_release(&s);
}

static void
test_get(void)
{
	struct form f;

	form_parse(&f, "a=1&b=&a=2&c", 12);
	CHECK_STR(form_get(&f, "a"), "1", "form_get first value");
	CHECK_STR(form_get(&f, "b"), "", "form_get empty value");
	CHECK_STR(form_get(&f, "c"), "", "form_get no '='");
	CHECK_STR(form_get(&f, "d"), NULL, "form_get missing");
	CHECK_STR(form_get(&f, "A"), NULL, "form_get is case-sensitive");
	form_free(&f);
	form_parse(&f, "", 0);
	CHECK_STR(form_get(&f, "a"), NULL, "form_get on an empty form");
	form_free(&f);
}

static void
enc(const char *s, int plus, const char *want, const char *what)
{
	char *got = url_encode(s, plus);

	CHECK_STR(got, want, what);
	free(got);
}

static void
test_encode(void)
{
	enc("", 0, "", "encode empty");
	enc("AZaz09-._~", 0, "AZaz09-._~", "unreserved kept");
	enc("a b", 0, "a%20b", "blank as %20");
	enc("a b", 1, "a+b", "blank as +");
	enc("a+b", 1, "a%2Bb", "plus escaped");
	enc("+15125550100", 0, "%2B15125550100", "E.164 number");
	enc("!*'();:@&=$,/?#[]%", 0,
	    "%21%2A%27%28%29%3B%3A%40%26%3D%24%2C%2F%3F%23%5B%5D%25",
	    "reserved escaped");
	enc("caf\xc3\xa9 \xe2\x82\xac", 1, "caf%C3%A9+%E2%82%AC",
	    "UTF-8 bytes escaped, uppercase hex");
	enc("\n\t\x7f", 0, "%0A%09%7F", "controls escaped");
}

/* What url_encode writes, form_parse reads back. */
static void
test_round_trip(void)
{
	static const char *v[] = {
		"Hello, world!", "a+b=c&d", "50% off 10 \xe2\x82\xac",
		"line\r\nbreak", "~user/._-",
	};
	struct form f;
	char *body;
	size_t i;
	int p;

	for (p = 0; p <= 1; p++)
		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			body = url_encode(v[i], p);
			CHECK(strchr(body, '&') == NULL, "no raw '&'");
			CHECK_INT(form_parse(&f, body, strlen(body)), 0,
			    "round trip parses");
			CHECK_STR(f.n ? f.v[0].name : NULL, v[i],
			    "round trip equal");
			form_free(&f);
			free(body);
		}
}

int
main(void)
{
	test_parse();
	test_refused();
	test_limit();
	test_get();
	test_encode();
	test_round_trip();
	sb_release(&out);
	return UNIT_DONE();
}
