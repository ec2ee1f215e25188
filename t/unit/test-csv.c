/*
 * test-csv.c - the RFC 4180 reader: quotes, doubled quotes, CRLF, a byte
 * order mark, line breaks in quotes, empty fields, the line each record
 * starts on, and the refusals (a quote that never closes, a NUL byte).
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "csv.h"
#include "unit.h"

static struct sb out = SB_INIT;

/*
 * Read len bytes at s and render every record as "N[f1|f2]" (N the line
 * it starts on), CR and LF inside fields as \r and \n; then "ERR <class>:
 * <message>" when reading failed.
 */
static const char *
parse(const char *s, size_t len)
{
	struct csv r;
	char **f;
	size_t nf;
	int line, x;

	sb_reset(&out);
	inbox_error_clear();
	if (csv_init(&r, s, len) < 0) {
		sb_addf(&out, "ERR %d: %s", inbox_errcode(), inbox_errmsg());
		return out.buf;
	}
	while ((x = csv_next(&r, &f, &nf, &line)) > 0) {
		sb_addf(&out, "%d[", line);
		for (size_t i = 0; i < nf; i++) {
			for (const char *p = f[i]; *p; p++)
				if (*p == '\n')
					sb_adds(&out, "\\n");
				else if (*p == '\r')
					sb_adds(&out, "\\r");
				else
					sb_addc(&out, *p);
			if (i + 1 < nf)
				sb_addc(&out, '|');
		}
		sb_addc(&out, ']');
		csv_free(f, nf);
	}
	if (x < 0) {
		sb_addf(&out, "ERR %d: %s", inbox_errcode(), inbox_errmsg());
		CHECK(f == NULL && nf == 0, "no fields left after an error");
	}
	return out.buf;
}

#define P(s) parse((s), strlen(s))

static void
test_plain(void)
{
	CHECK_STR(P(""), "", "empty text has no records");
	CHECK_STR(P("a"), "1[a]", "one field, no final newline");
	CHECK_STR(P("a,b,c\n"), "1[a|b|c]", "one record");
	CHECK_STR(P("a,b\nc,d\n"), "1[a|b]2[c|d]", "two records");
	CHECK_STR(P("a,b\nc,d"), "1[a|b]2[c|d]", "no newline at the end");
	CHECK_STR(P(" a , b "), "1[ a | b ]", "blanks are kept");
}

static void
test_empty_fields(void)
{
	CHECK_STR(P(",,\n"), "1[||]", "three empty fields");
	CHECK_STR(P("a,,c\n"), "1[a||c]", "an empty field between");
	CHECK_STR(P("a,\n"), "1[a|]", "an empty last field");
	CHECK_STR(P("a\n\nb\n"), "1[a]2[]3[b]",
	    "an empty line is one empty field");
	CHECK_STR(P("\"\",x\n"), "1[|x]", "a quoted empty field");
}

static void
test_quotes(void)
{
	CHECK_STR(P("\"a,b\",c\n"), "1[a,b|c]", "a comma in quotes");
	CHECK_STR(P("\"O\"\"Brien\"\n"), "1[O\"Brien]", "a doubled quote");
	CHECK_STR(P("\"\"\"\"\n"), "1[\"]", "only a doubled quote");
	CHECK_STR(P("\"a\"\"\",b\n"), "1[a\"|b]", "a doubled quote last");
	CHECK_STR(P("a\"b,c\n"), "1[a\"b|c]",
	    "a quote inside an unquoted field is a character");
	CHECK_STR(P("\"a\"b,c\n"), "1[ab|c]",
	    "text after the closing quote is kept");
}

static void
test_line_breaks(void)
{
	CHECK_STR(P("a,b\r\nc,d\r\n"), "1[a|b]2[c|d]", "CRLF");
	CHECK_STR(P("a,b\r\nc,d\r"), "1[a|b]2[c|d]",
	    "a CR at the very end is dropped");
	CHECK_STR(P("a\rb,c\n"), "1[a\\rb|c]", "a lone CR is kept");
	CHECK_STR(P("\"x\ny\",z\nnext\n"), "1[x\\ny|z]3[next]",
	    "a newline in quotes; the next record starts on line 3");
	CHECK_STR(P("\"net 30\r\nfridays\"\r\nb\r\n"),
	    "1[net 30\\r\\nfridays]3[b]", "CRLF in quotes is kept");
	CHECK_STR(P("\"a\n\nb\"\n\"c\"\n"), "1[a\\n\\nb]4[c]",
	    "two newlines in quotes");
}

static void
test_bom(void)
{
	CHECK_STR(P("\xef\xbb\xbfname,phone\r\nA,1\r\n"), "1[name|phone]2[A|1]",
	    "a byte order mark is skipped");
	CHECK_STR(P("\xef\xbb\xbf"), "", "only a byte order mark");
	CHECK_STR(P("a,\xef\xbb\xbf\n"), "1[a|\xef\xbb\xbf]",
	    "a byte order mark later is text");
	CHECK_STR(P("\xef\xbb\xbf\"q\"\n"), "1[q]",
	    "a quoted first field after a byte order mark");
}

static void
test_refused(void)
{
	CHECK_STR(P("\"open"), "ERR 65: line 1: a quote that never closes",
	    "a quote that never closes, class 65");
	CHECK_STR(P("a,b\nc,d\n\"e,f\ng\n"),
	    "1[a|b]2[c|d]ERR 65: line 3: a quote that never closes",
	    "the error names the line the record starts on");
	CHECK_STR(P("x,\"a\"\"\n"),
	    "ERR 65: line 1: a quote that never closes",
	    "a doubled quote does not close");
	CHECK_STR(parse("a,b\n\0c\n", 7),
	    "ERR 65: a NUL byte: not a CSV file", "a NUL byte, class 65");
}

int
main(void)
{
	test_plain();
	test_empty_fields();
	test_quotes();
	test_line_breaks();
	test_bom();
	test_refused();
	sb_release(&out);
	return UNIT_DONE();
}
