/*
 * test-mime.c - unit tests of lib/mime.c: header parsing, RFC 2047 and
 * 2231 decoding, addresses, the MIME walk, readable text and the writer.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "crypto.h"
#include "mime.h"
#include "unit.h"

static const char pdf[] =
    "%PDF-1.4\n"
    "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> "
    "endobj\n"
    "trailer << /Root 1 0 R >>\n"
    "%%EOF\n";

/* A realistic email from a mail client: alternative text (QP) and HTML,
 * then a PDF invoice in base64, CRLF line ends. */
static const char invoice_mail[] =
    "Return-Path: <jane@example.com>\r\n"
    "Received: from mail.example.com (mail.example.com [192.0.2.10])\r\n"
    "\tby mx.acmeplumbing.test with ESMTPS id 4XyZ\r\n"
    "\tfor <office@acmeplumbing.test>; Fri, 20 Nov 2026 14:02:00 +0000\r\n"
    "From: \"Doe, Jane\" <jane@example.com>\r\n"
    "To: Acme Plumbing <office@acmeplumbing.test>\r\n"
    "Subject: =?UTF-8?Q?Re:_Invoice_#1042_=E2=80=93_kitchen_sink?=\r\n"
    "Date: Fri, 20 Nov 2026 08:01:59 -0600\r\n"
    "Message-ID: <CAF1234@mail.example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed;\r\n"
    "\tboundary=\"----=_Part_1_2046.1700000000\"\r\n"
    "\r\n"
    "This is a multi-part message in MIME format.\r\n"
    "\r\n"
    "------=_Part_1_2046.1700000000\r\n"
    "Content-Type: multipart/alternative; boundary=alt-7f3a\r\n"
    "\r\n"
    "--alt-7f3a\r\n"
    "Content-Type: text/plain; charset=\"UTF-8\"\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Hi, the invoice is attached. The tech said the caf=C3=A9 sink "
    "needs a =\r\n"
    "new trap =E2=80=94 can you come Tuesday?\r\n"
    "\r\n"
    "Thanks,\r\n"
    "Jane\r\n"
    "--alt-7f3a\r\n"
    "Content-Type: text/html; charset=\"UTF-8\"\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "<div dir=3D\"ltr\">Hi, the invoice is attached.</div>\r\n"
    "--alt-7f3a--\r\n"
    "\r\n"
    "------=_Part_1_2046.1700000000\r\n"
    "Content-Type: application/pdf; name=\"Invoice 1042.pdf\"\r\n"
    "Content-Disposition: attachment;\r\n"
    "\tfilename=\"Invoice 1042.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjQKMSAwIG9iaiA8PCAvVHlwZSAvQ2F0YWxvZyAvUGFnZXMgMiAwIFIgPj4gZW5kb2Jq\r\n"
    "CjIgMCBvYmogPDwgL1R5cGUgL1BhZ2VzIC9LaWRzIFszIDAgUl0gL0NvdW50IDEgPj4gZW5kb2Jq\r\n"
    "CjMgMCBvYmogPDwgL1R5cGUgL1BhZ2UgL1BhcmVudCAyIDAgUiAvTWVkaWFCb3ggWzAgMCA2MTIg\r\n"
    "NzkyXSA+PiBlbmRvYmoKdHJhaWxlciA8PCAvUm9vdCAxIDAgUiA+PgolJUVPRgo=\r\n"
    "------=_Part_1_2046.1700000000--\r\n"
    "Epilogue that nobody reads.\r\n";

/* An old client: ISO-8859-1, 8bit, not MIME-multipart. */
static const char latin1_mail[] =
    "From: =?ISO-8859-1?Q?Ren=E9_Fran=E7ois?= <rene@example.fr>\n"
    "To: office@acmeplumbing.test\n"
    "Subject: =?iso-8859-1?q?Chauffe-eau_=E0_r=E9parer?=\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "Bonjour, le chauffe-eau de la cuisine fuit. Merci d'avance, Ren\xe9.\n";

static int
parse(struct mail *m, const char *s)
{
	return mail_parse(m, s, strlen(s));
}

static int
errmsg_has(const char *s)
{
	return strstr(inbox_errmsg(), s) != NULL;
}

static void
test_parse(void)
{
	struct mail m;
	struct sb big = SB_INIT;
	const char *s;

	s = "From: Jane <jane@example.com>\n"
	    "Subject: a folded\n"
	    "  subject line\n"
	    "X-Empty:\n"
	    "\n"
	    "Body line 1\n"
	    "\n"
	    "Body line 3\n";
	CHECK_INT(parse(&m, s), 0, "parse: LF message");
	CHECK_INT(m.nh, 3, "parse: three fields");
	CHECK_STR(m.h[0].name, "From", "parse: name as written");
	CHECK_STR(mail_get(&m, "subject"), "a folded  subject line",
	    "parse: unfolded, following white space kept");
	CHECK_STR(mail_get(&m, "X-EMPTY"), "", "parse: empty value");
	CHECK(mail_get(&m, "Cc") == NULL, "parse: missing field is NULL");
	CHECK_INT(m.hdrlen, strstr(s, "Body") - s, "parse: hdrlen with blank");
	CHECK(m.body == strstr(s, "Body"), "parse: body points into buffer");
	CHECK_INT(m.bodylen, strlen("Body line 1\n\nBody line 3\n"),
	    "parse: body length");
	mail_free(&m);

	s = "Subject: crlf\r\n\tfolded with a tab\r\nTo: a@b.c\r\n\r\nhi\r\n";
	CHECK_INT(parse(&m, s), 0, "parse: CRLF message");
	CHECK_STR(mail_get(&m, "Subject"), "crlf\tfolded with a tab",
	    "parse: CRLF unfolded");
	CHECK_STR(mail_get(&m, "to"), "a@b.c", "parse: CR not in value");
	CHECK_INT(m.bodylen, 4, "parse: CRLF body");
	mail_free(&m);

	CHECK_INT(parse(&m, "Subject: only headers\nTo: x@y.z"), 0,
	    "parse: headers only, no final newline");
	CHECK_INT(m.nh, 2, "parse: headers only, two fields");
	CHECK_INT(m.bodylen, 0, "parse: headers only, no body");
	CHECK_STR(mail_get(&m, "to"), "x@y.z", "parse: last line unterminated");
	mail_free(&m);

	CHECK_INT(parse(&m, "Subject: x\n\n"), 0, "parse: empty body");
	CHECK_INT(m.hdrlen, 12, "parse: empty body hdrlen");
	CHECK_INT(m.bodylen, 0, "parse: empty body length");
	mail_free(&m);

	CHECK_INT(parse(&m, "Subject : obsolete space\n\n"), 0,
	    "parse: white space before colon (obs-field)");
	CHECK_STR(mail_get(&m, "Subject"), "obsolete space",
	    "parse: obs-field value");
	mail_free(&m);

	inbox_error_clear();
	CHECK_INT(parse(&m, "hello world\n"), -1, "parse: plain text fails");
	CHECK_INT(inbox_errcode(), INBOX_EDATA, "parse: plain text is 65");
	CHECK(errmsg_has("not a mail message: header line 1 has no colon"),
	    "parse: plain text message");
	CHECK_INT(m.nh, 0, "parse: struct empty after error");
	mail_free(&m);

	CHECK_INT(parse(&m, "From jane@example.com Fri Nov 20 14:02:00 2026\n"
	    "Subject: x\n\nbody\n"), -1, "parse: mbox From line fails");
	CHECK_INT(inbox_errcode(), INBOX_EDATA, "parse: mbox From line is 65");
	CHECK(errmsg_has("header line 1"), "parse: mbox From line message");

	CHECK_INT(parse(&m, "Subject: x\nthis is not a header\n\nbody\n"), -1,
	    "parse: bad second line fails");
	CHECK(errmsg_has("header line 2 has no colon"),
	    "parse: bad second line message");

	CHECK_INT(mail_parse(&m, "Subject: a\0b\n\nbody", 17), -1,
	    "parse: NUL in header fails");
	CHECK_INT(inbox_errcode(), INBOX_EDATA, "parse: NUL in header is 65");
	CHECK(errmsg_has("NUL"), "parse: NUL message");
	CHECK_INT(mail_parse(&m, "Subject: ab\n\nbo\0dy", 18), 0,
	    "parse: NUL in body is fine");
	CHECK_INT(m.bodylen, 5, "parse: binary body length");
	mail_free(&m);

	CHECK_INT(mail_parse(&m, "", 0), -1, "parse: empty input fails");
	CHECK_INT(inbox_errcode(), INBOX_EDATA, "parse: empty input is 65");
	CHECK_INT(parse(&m, "\nbody only\n"), -1, "parse: no header fails");
	CHECK_INT(parse(&m, " Subject: x\n\n"), -1,
	    "parse: leading continuation fails");
	CHECK_INT(parse(&m, "Sub\x01ject: x\n\n"), -1,
	    "parse: control in name fails");
	CHECK_INT(parse(&m, ": x\n\n"), -1, "parse: empty name fails");

	for (int i = 0; i < 1000; i++)
		sb_addf(&big, "X-N%d: %d\n", i, i);
	CHECK_INT(mail_parse(&m, big.buf, big.len), 0, "parse: 1000 fields");
	CHECK_INT(m.nh, 1000, "parse: 1000 fields kept");
	mail_free(&m);
	sb_adds(&big, "X-Last: one too many\n\nbody\n");
	CHECK_INT(mail_parse(&m, big.buf, big.len), -1, "parse: 1001 fields");
	CHECK_INT(inbox_errcode(), INBOX_EDATA, "parse: 1001 fields is 65");

	sb_reset(&big);
	sb_adds(&big, "Subject: ");
	for (int i = 0; i < 70000; i++)
		sb_addc(&big, 'a');
	sb_adds(&big, "\n\nbody\n");
	CHECK_INT(mail_parse(&m, big.buf, big.len), -1, "parse: 70 KB line");
	CHECK_INT(inbox_errcode(), INBOX_EDATA, "parse: long line is 65");
	sb_reset(&big);
	sb_adds(&big, "Subject: x\n");
	for (int i = 0; i < 2000; i++)
		sb_adds(&big, " folded folded folded folded folded\n");
	sb_adds(&big, "\nbody\n");
	CHECK_INT(mail_parse(&m, big.buf, big.len), -1,
	    "parse: 70 KB folded field");
	sb_release(&big);
}

static void
test_decode_header(void)
{
	static const struct {
		const char *in, *want, *what;
	} t[] = {
		{ "plain ascii", "plain ascii", "plain text unchanged" },
		{ "=?UTF-8?B?Q2Fmw6kgbWVudQ==?=", "Caf\xc3\xa9 menu",
		  "B utf-8" },
		{ "=?utf-8?q?Caf=C3=A9_menu?=", "Caf\xc3\xa9 menu",
		  "Q utf-8, underscore is space" },
		{ "=?ISO-8859-1?Q?Andr=E9?= Pirard", "Andr\xc3\xa9 Pirard",
		  "Q latin-1 then text" },
		{ "=?windows-1252?Q?=93Quote=94?=",
		  "\xe2\x80\x9cQuote\xe2\x80\x9d", "windows-1252 quotes" },
		{ "=?US-ASCII?Q?Keith_Moore?=", "Keith Moore", "us-ascii" },
		{ "=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab",
		  "adjacent words joined" },
		{ "=?ISO-8859-1?Q?a?=\n\t =?ISO-8859-1?Q?b?=", "ab",
		  "words across a fold joined" },
		{ "=?ISO-8859-1?Q?a?= b", "a b", "word then text keeps space" },
		{ "a =?ISO-8859-1?Q?b?=", "a b", "text then word keeps space" },
		{ "=?ISO-8859-1?Q?a_?= =?ISO-8859-1?Q?_b?=", "a  b",
		  "encoded spaces kept" },
		{ "=?UTF-8?B?8J+Ul8Kg?= =?UTF-8?B?8J+boA==?=",
		  "\xf0\x9f\x94\x97\xc2\xa0\xf0\x9f\x9b\xa0",
		  "utf-8 across two B words" },
		{ "=?UTF-8?Q?=E2=82?= =?UTF-8?Q?=AC5?=", "\xe2\x82\xac" "5",
		  "split multibyte character joined" },
		{ "=?utf-8*en?q?hello?=", "hello",
		  "RFC 2231 language dropped" },
		{ "=?utf-8?x?hello?=", "=?utf-8?x?hello?=",
		  "unknown encoding kept" },
		{ "=?utf-8?q?bad=ZZ?=", "=?utf-8?q?bad=ZZ?=", "bad Q kept" },
		{ "=?utf-8?b?!!!!?=", "=?utf-8?b?!!!!?=", "bad B kept" },
		{ "=?utf-8?q?unterminated", "=?utf-8?q?unterminated",
		  "unterminated word kept" },
		{ "=?utf-8?q?line=0Abreak?=", "line break",
		  "control characters become blanks" },
		{ "=?utf-8?q?bad=FFbyte?=", "bad\xef\xbf\xbd" "byte",
		  "invalid utf-8 replaced" },
		{ "Caf\xe9", "Caf\xc3\xa9", "raw latin-1 guessed" },
		{ "Caf\xc3\xa9", "Caf\xc3\xa9", "raw utf-8 kept" },
		{ "=?UTF-8?Q?a?==?UTF-8?Q?b?=", "ab", "words without blank" },
		{ "", "", "empty" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *d = mail_decode_header(t[i].in);

		CHECK_STR(d, t[i].want, t[i].what);
		free(d);
	}
}

static void
test_first_addr(void)
{
	static const struct {
		const char *in, *name, *addr, *what;
	} t[] = {
		{ "Jane Doe <jane@example.com>", "Jane Doe", "jane@example.com",
		  "name and angle-addr" },
		{ "\"Doe, Jane\" <jane@example.com>", "Doe, Jane",
		  "jane@example.com", "quoted name with comma" },
		{ "jane@example.com", NULL, "jane@example.com",
		  "bare address" },
		{ "jane@example.com (Jane)", "Jane", "jane@example.com",
		  "address with comment name" },
		{ "  <jane@example.com>  ", NULL, "jane@example.com",
		  "angle only" },
		{ "Team: jane@example.com, bob@example.com;", NULL,
		  "jane@example.com", "group" },
		{ "undisclosed-recipients:;, Bob <bob@example.com>", "Bob",
		  "bob@example.com", "empty group skipped" },
		{ "=?UTF-8?Q?Ren=C3=A9_Fran=C3=A7ois?= <rene@example.fr>",
		  "Ren\xc3\xa9 Fran\xc3\xa7ois", "rene@example.fr",
		  "encoded display name" },
		{ "\"=?UTF-8?Q?Ren=C3=A9?=\" <rene@example.fr>",
		  "Ren\xc3\xa9", "rene@example.fr", "encoded word in quotes" },
		{ "Jane Doe <+15125550100>", "Jane Doe", "+15125550100",
		  "SMS form" },
		{ "Jane <jane@example.com>, Bob <bob@example.com>", "Jane",
		  "jane@example.com", "first of a list" },
		{ "<>, bob@example.com", NULL, "bob@example.com",
		  "null address skipped" },
		{ "Jane (Office) Doe <jane@example.com>", "Jane Doe",
		  "jane@example.com", "comment inside the name" },
		{ "\"John \\\"JJ\\\" Smith\" <js@example.com>",
		  "John \"JJ\" Smith", "js@example.com", "escaped quotes" },
		{ "<@relay.example:jane@example.com>", NULL,
		  "jane@example.com", "source route dropped" },
		{ "Jane < jane @ example.com >", "Jane", "jane@example.com",
		  "blanks in angle-addr" },
		{ "J. Doe <j@example.com>", "J. Doe", "j@example.com",
		  "obs-phrase with a dot" },
		{ "jane@[192.0.2.1]", NULL, "jane@[192.0.2.1]",
		  "domain literal" },
		{ "Jane <jane@example.com", "Jane", "jane@example.com",
		  "unterminated angle-addr" },
	};
	char *name, *addr;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r = mail_first_addr(t[i].in, &name, &addr);

		CHECK_INT(r, 0, t[i].what);
		CHECK_STR(addr, t[i].addr, t[i].what);
		CHECK_STR(name, t[i].name, t[i].what);
		free(name);
		free(addr);
	}
	CHECK_INT(mail_first_addr("", &name, &addr), -1, "addr: empty");
	CHECK(name == NULL && addr == NULL, "addr: empty sets NULL");
	CHECK_INT(mail_first_addr("undisclosed-recipients:;", &name, &addr),
	    -1, "addr: empty group only");
	CHECK_INT(mail_first_addr("Jane Doe", &name, &addr), -1,
	    "addr: a name is not an address");
	CHECK_INT(mail_first_addr("(just a comment)", &name, &addr), -1,
	    "addr: comment only");
	CHECK_INT(mail_first_addr("((((((((((", &name, &addr), -1,
	    "addr: unbalanced comments");
}

static void
test_param(void)
{
	static const struct {
		const char *in, *param, *want, *what;
	} t[] = {
		{ "text/plain; charset=\"UTF-8\"", "charset", "UTF-8",
		  "quoted" },
		{ "text/plain; charset=us-ascii (Plain text)", "charset",
		  "us-ascii", "unquoted, comment dropped" },
		{ "text/plain;CHARSET=utf-8;format=flowed", "charset", "utf-8",
		  "case-insensitive name" },
		{ "text/plain;charset=utf-8;format=flowed", "format", "flowed",
		  "second parameter" },
		{ "multipart/mixed;\n\tboundary=\"----=_Part_1; x\"",
		  "boundary",
		  "----=_Part_1; x", "semicolon inside quotes" },
		{ "attachment; filename=\"a \\\"b\\\".txt\"", "filename",
		  "a \"b\".txt", "escaped quotes" },
		{ "attachment; filename*=utf-8''na%C3%AFve.txt", "filename",
		  "na\xc3\xaf" "ve.txt", "RFC 2231 charset" },
		{ "attachment; filename*=iso-8859-1'fr'caf%E9.txt", "filename",
		  "caf\xc3\xa9.txt", "RFC 2231 latin-1 with language" },
		{ "attachment; filename*0*=utf-8''na%C3%AF;\n filename*1=ve;"
		  " filename*2=\".txt\"", "filename", "na\xc3\xaf" "ve.txt",
		  "RFC 2231 continuations" },
		{ "attachment; filename*1=\"b\"; filename*0=\"a\"", "filename",
		  "ab", "continuations out of order" },
		{ "attachment; filename*0=\"a\"; filename*2=\"c\"", "filename",
		  "a", "a gap ends continuations" },
		{ "attachment; filename=\"plain.txt\"; "
		  "filename*=utf-8''fancy%E2%80%94.txt", "filename",
		  "fancy\xe2\x80\x94.txt", "RFC 2231 preferred" },
		{ "attachment; filename*=utf-8''%C3", "filename",
		  "\xef\xbf\xbd", "RFC 2231 bad utf-8 replaced" },
		{ "attachment; filename=my file.pdf", "filename",
		  "my file.pdf", "unquoted with a blank" },
		{ "attachment; filename=report(1).pdf", "filename",
		  "report(1).pdf", "unquoted with parentheses" },
		{ "attachment; filename=\"\"", "filename", "", "empty value" },
		{ "text/plain; charset=utf-8", "format", NULL, "missing" },
		{ "text/plain; charset", "charset", NULL, "no equals sign" },
		{ "text/plain; name=x; filename=y", "file", NULL,
		  "no prefix match" },
		{ "attachment; filename*99999999=x", "filename", NULL,
		  "huge section number ignored" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *v = mail_param(t[i].in, t[i].param);

		CHECK_STR(v, t[i].want, t[i].what);
		free(v);
	}
	CHECK(mail_param(NULL, "charset") == NULL, "param: NULL value");
}

static void
test_parts_invoice(void)
{
	struct mail m;
	struct mail_part *p;
	size_t n;
	char *s, *name, *addr;

	CHECK_INT(parse(&m, invoice_mail), 0, "invoice: parses");
	s = mail_decode_header(mail_get(&m, "Subject"));
	CHECK_STR(s, "Re: Invoice #1042 \xe2\x80\x93 kitchen sink",
	    "invoice: subject decoded");
	free(s);
	CHECK_INT(mail_first_addr(mail_get(&m, "From"), &name, &addr), 0,
	    "invoice: from");
	CHECK_STR(name, "Doe, Jane", "invoice: from name");
	CHECK_STR(addr, "jane@example.com", "invoice: from addr");
	free(name);
	free(addr);
	CHECK_INT(mail_parts(&m, &p, &n), 0, "invoice: parts");
	CHECK_INT(n, 3, "invoice: three leaves");
	if (n == 3) {
		CHECK_STR(p[0].type, "text/plain", "invoice: part 1 type");
		CHECK_STR(p[0].charset, "utf-8", "invoice: charset lowercase");
		CHECK_INT(p[0].attachment, 0, "invoice: text inline");
		CHECK(p[0].len == strlen((char *)p[0].data) &&
		    strcmp((char *)p[0].data, "Hi, the invoice is attached. "
		    "The tech said the caf\xc3\xa9 sink needs a new trap "
		    "\xe2\x80\x94 can you come Tuesday?\r\n\r\nThanks,\r\n"
		    "Jane") == 0, "invoice: QP decoded, soft break joined");
		CHECK_STR(p[1].type, "text/html", "invoice: part 2 type");
		CHECK_STR((char *)p[1].data,
		    "<div dir=\"ltr\">Hi, the invoice is attached.</div>",
		    "invoice: html QP decoded");
		CHECK_STR(p[2].type, "application/pdf", "invoice: pdf type");
		CHECK_STR(p[2].filename, "Invoice 1042.pdf",
		    "invoice: pdf filename");
		CHECK_INT(p[2].attachment, 1, "invoice: pdf is attachment");
		CHECK(p[2].charset == NULL, "invoice: pdf has no charset");
		CHECK_INT(p[2].len, sizeof(pdf) - 1, "invoice: pdf length");
		CHECK(p[2].len == sizeof(pdf) - 1 &&
		    memcmp(p[2].data, pdf, p[2].len) == 0,
		    "invoice: pdf bytes decoded");
	}
	mail_parts_free(p, n);
	s = mail_text(&m);
	CHECK(strncmp(s, "Hi, the invoice is attached. The tech said the "
	    "caf\xc3\xa9 sink", 54) == 0 && strstr(s, "\r") == NULL,
	    "invoice: text is the plain part, LF line ends");
	free(s);
	mail_free(&m);
}

static void
test_parts_misc(void)
{
	struct mail m;
	struct mail_part *p;
	struct sb big = SB_INIT;
	size_t n;
	const char *s;

	/* related inside alternative, missing final boundary, preamble */
	s = "Content-Type: multipart/alternative; boundary=\"a\"\n"
	    "\n"
	    "preamble --a is not a delimiter here\n"
	    "--a\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "plain\n"
	    "--a   \n"
	    "Content-Type: multipart/related; boundary=\"a-b\"\n"
	    "\n"
	    "--a-b\n"
	    "Content-Type: text/html; charset=utf-8\n"
	    "\n"
	    "<p>html <img src=\"cid:logo\"></p>\n"
	    "--a-b\n"
	    "Content-Type: image/png\n"
	    "Content-ID: <logo>\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "iVBORw0K\n"
	    "GgoAAAAN\n"
	    "--a-b--\n"
	    "--a\n"
	    "\n"
	    "no headers in this part\n"
	    "--a\n"
	    "Content-Type: message/rfc822\n"
	    "\n"
	    "Subject: inner\n"
	    "\n"
	    "inner body\n"
	    "--a\n"
	    "Content-Type: text/plain\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "not base64 at all!\n";
	CHECK_INT(parse(&m, s), 0, "misc: parses");
	CHECK_INT(mail_parts(&m, &p, &n), 0, "misc: parts");
	CHECK_INT(n, 6, "misc: six leaves");
	if (n == 6) {
		CHECK_STR((char *)p[0].data, "plain", "misc: first part");
		CHECK(p[0].charset == NULL, "misc: no charset is NULL");
		CHECK_STR(p[1].type, "text/html", "misc: nested html");
		CHECK_STR(p[2].type, "image/png", "misc: nested image");
		CHECK(p[2].len == 12 && memcmp(p[2].data,
		    "\x89PNG\r\n\x1a\n\0\0\0\r", 12) == 0,
		    "misc: base64 across lines");
		CHECK_STR(p[3].type, "text/plain", "misc: headerless part");
		CHECK_STR((char *)p[3].data, "no headers in this part",
		    "misc: headerless body");
		CHECK_STR(p[4].type, "message/rfc822", "misc: message leaf");
		CHECK_STR((char *)p[4].data, "Subject: inner\n\ninner body",
		    "misc: message kept raw");
		CHECK_STR((char *)p[5].data, "not base64 at all!\n",
		    "misc: bad base64 kept raw, unterminated part tolerated");
	}
	mail_parts_free(p, n);
	mail_free(&m);

	/* not MIME at all */
	CHECK_INT(parse(&m, "Subject: hi\n\nJust text.\n"), 0, "plain: parses");
	CHECK_INT(mail_parts(&m, &p, &n), 0, "plain: parts");
	CHECK_INT(n, 1, "plain: one part");
	CHECK_STR(p[0].type, "text/plain", "plain: text/plain");
	CHECK_STR((char *)p[0].data, "Just text.\n", "plain: body");
	mail_parts_free(p, n);
	mail_free(&m);

	/* multipart without a boundary */
	s = "MIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed\n"
	    "\n"
	    "--\n"
	    "text\n";
	CHECK_INT(parse(&m, s), 0, "no boundary: parses");
	inbox_error_clear();
	CHECK_INT(mail_parts(&m, &p, &n), -1, "no boundary: fails");
	CHECK_INT(inbox_errcode(), INBOX_EDATA, "no boundary: 65");
	CHECK(errmsg_has("boundary"), "no boundary: message");
	CHECK(p == NULL && n == 0, "no boundary: nothing returned");
	free(mail_text(&m));
	mail_free(&m);

	/* a boundary that never occurs: the body as text */
	s = "Content-Type: multipart/mixed; boundary=zzz\n\nJust text.\n";
	CHECK_INT(parse(&m, s), 0, "no delimiter: parses");
	CHECK_INT(mail_parts(&m, &p, &n), 0, "no delimiter: parts");
	CHECK(n == 1 && strcmp((char *)p[0].data, "Just text.\n") == 0,
	    "no delimiter: body kept as text");
	mail_parts_free(p, n);
	mail_free(&m);

	/* nesting: MIME_MAX_DEPTH is fine, one more is not */
	for (int depth = MIME_MAX_DEPTH; depth <= MIME_MAX_DEPTH + 1;
	    depth++) {
		sb_reset(&big);
		for (int i = 0; i < depth; i++)
			sb_addf(&big, "Content-Type: multipart/mixed; "
			    "boundary=b%d\n\n--b%d\n", i, i);
		sb_adds(&big, "Content-Type: text/plain\n\ndeep\n");
		CHECK_INT(mail_parse(&m, big.buf, big.len), 0, "deep: parses");
		CHECK_INT(mail_parts(&m, &p, &n), depth > MIME_MAX_DEPTH ?
		    -1 : 0, depth > MIME_MAX_DEPTH ? "deep: one too many" :
		    "deep: MIME_MAX_DEPTH levels");
		if (depth == MIME_MAX_DEPTH)
			CHECK(n == 1 && strcmp((char *)p[0].data, "deep\n") ==
			    0, "deep: leaf found");
		mail_parts_free(p, n);
		mail_free(&m);
	}

	/* the same boundary at every level only nests one deep */
	sb_reset(&big);
	for (int i = 0; i < 1000; i++)
		sb_adds(&big, "Content-Type: multipart/mixed; boundary=x\n\n"
		    "--x\n");
	sb_adds(&big, "\nbottom\n");
	CHECK_INT(mail_parse(&m, big.buf, big.len), 0, "attack 1: parses");
	CHECK_INT(mail_parts(&m, &p, &n), -1, "attack 1: fails cleanly");
	CHECK_INT(inbox_errcode(), INBOX_EDATA, "attack 1: 65");
	mail_free(&m);

	/* the attack: 1000 nested multiparts, each with its own boundary */
	sb_reset(&big);
	for (int i = 0; i < 1000; i++)
		sb_addf(&big, "Content-Type: multipart/mixed; boundary=\"b%d\""
		    "\n\n--b%d\n", i, i);
	sb_adds(&big, "\nbottom\n");
	CHECK_INT(mail_parse(&m, big.buf, big.len), 0, "attack: parses");
	inbox_error_clear();
	CHECK_INT(mail_parts(&m, &p, &n), -1, "attack: 1000 levels fail");
	CHECK_INT(inbox_errcode(), INBOX_EDATA, "attack: 65");
	CHECK(errmsg_has("deeper"), "attack: message");
	s = mail_text(&m);
	CHECK_STR(s, "", "attack: mail_text is empty");
	free((char *)s);
	mail_free(&m);

	/* too many parts */
	sb_reset(&big);
	sb_adds(&big, "Content-Type: multipart/mixed; boundary=x\n\n");
	for (int i = 0; i <= MIME_MAX_PARTS; i++)
		sb_addf(&big, "--x\n\npart %d\n", i);
	sb_adds(&big, "--x--\n");
	CHECK_INT(mail_parse(&m, big.buf, big.len), 0, "many: parses");
	CHECK_INT(mail_parts(&m, &p, &n), -1, "many: too many parts fail");
	CHECK_INT(inbox_errcode(), INBOX_EDATA, "many: 65");
	mail_free(&m);
	sb_release(&big);

	/* empty multipart, epilogue only */
	s = "Content-Type: multipart/mixed; boundary=x\n\n--x--\n";
	CHECK_INT(parse(&m, s), 0, "empty multipart: parses");
	CHECK_INT(mail_parts(&m, &p, &n), 0, "empty multipart: ok");
	CHECK_INT(n, 0, "empty multipart: no parts");
	mail_parts_free(p, n);
	s = mail_text(&m);
	CHECK_STR(s, "", "empty multipart: no text");
	free((char *)s);
	mail_free(&m);
}

static void
test_text(void)
{
	struct mail m;
	char *s;

	CHECK_INT(parse(&m, latin1_mail), 0, "latin1: parses");
	s = mail_text(&m);
	CHECK_STR(s, "Bonjour, le chauffe-eau de la cuisine fuit. Merci "
	    "d'avance, Ren\xc3\xa9.\n", "latin1: body to utf-8");
	free(s);
	s = mail_decode_header(mail_get(&m, "Subject"));
	CHECK_STR(s, "Chauffe-eau \xc3\xa0 r\xc3\xa9parer", "latin1: subject");
	free(s);
	mail_free(&m);

	CHECK_INT(parse(&m, "Content-Type: text/plain; charset=windows-1252\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n"
	    "=93On my way=94 =96 Bob=85\n"), 0, "cp1252: parses");
	s = mail_text(&m);
	CHECK_STR(s, "\xe2\x80\x9cOn my way\xe2\x80\x9d \xe2\x80\x93 "
	    "Bob\xe2\x80\xa6\n", "cp1252: body to utf-8");
	free(s);
	mail_free(&m);

	CHECK_INT(parse(&m, "Content-Type: text/plain; charset=utf-8\n\n"
	    "ok \xc3\xa9 bad \xc3 \xff end\r\n"), 0, "bad utf-8: parses");
	s = mail_text(&m);
	CHECK_STR(s, "ok \xc3\xa9 bad \xef\xbf\xbd \xef\xbf\xbd end\n",
	    "bad utf-8: replaced, CRLF to LF");
	free(s);
	mail_free(&m);

	CHECK_INT(parse(&m, "Subject: unlabelled\n\nna\xefve\n"), 0,
	    "unlabelled: parses");
	s = mail_text(&m);
	CHECK_STR(s, "na\xc3\xafve\n", "unlabelled 8-bit: cp1252 guess");
	free(s);
	mail_free(&m);

	CHECK_INT(parse(&m, "Content-Type: text/html; charset=utf-8\n\n"
	    "<html><head><title>Ignored</title>\n"
	    "<style>p { color: red; }</style></head>\n"
	    "<body><p>Fish &amp; chips &lt;3 &gt; &quot;all&quot; "
	    "&#39;day&#39;&nbsp;long</p>\n"
	    "<!-- a comment <p> -->"
	    "<div>Line<br>two &#x263A; &#8364; &bogus; 1 < 2</div>\n"
	    "<script>alert(\"<p>no</p>\")</script>\n"
	    "<a href=\"x>y\">link</a>\n"
	    "</body></html>\n"), 0, "html: parses");
	s = mail_text(&m);
	CHECK_STR(s, "Fish & chips <3 > \"all\" 'day' long\n"
	    "\n"
	    "Line\n"
	    "two \xe2\x98\xba \xe2\x82\xac &bogus; 1 < 2\n"
	    "link", "html: tags stripped, entities decoded");
	free(s);
	mail_free(&m);

	/* inline text/plain wins over a named text attachment */
	CHECK_INT(parse(&m, "Content-Type: multipart/mixed; boundary=q\n\n"
	    "--q\nContent-Type: text/plain; name=notes.txt\n"
	    "Content-Disposition: attachment\n\nattached notes\n"
	    "--q\nContent-Type: text/html\n\n<b>bold</b> body\n--q--\n"), 0,
	    "prefer: parses");
	s = mail_text(&m);
	CHECK_STR(s, "bold body", "prefer: inline html over attached text");
	free(s);
	mail_free(&m);

	CHECK_INT(parse(&m, "Content-Type: image/jpeg\n\n\xff\xd8\xff"), 0,
	    "no text: parses");
	s = mail_text(&m);
	CHECK_STR(s, "", "no text: empty string");
	free(s);
	mail_free(&m);
}

static void
test_build(void)
{
	struct sb out = SB_INIT;
	struct mail m;
	struct mail_part *p;
	struct mail_attachment att[3];
	unsigned char bin[1000];
	size_t n;
	char *s;
	const char *line, *nl;
	int longest = 0;

	mail_build_body(&out, "On my way!\r\nBob", NULL, 0, "seed");
	CHECK_STR(out.buf, "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "\n"
	    "On my way!\nBob\n", "build: text only");
	sb_reset(&out);

	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 7 + 3);
	att[0].filename = "photo.JPG";
	att[0].type = NULL;
	att[0].data = bin;
	att[0].len = sizeof(bin);
	att[1].filename = "/tmp/Re\xcc\x81sume\xcc\x81 (final) \xe2\x80\x94 "
	    "Jane Doe, plumbing apprentice application.pdf";
	att[1].type = "application/pdf";
	att[1].data = (const unsigned char *)pdf;
	att[1].len = sizeof(pdf) - 1;
	att[2].filename = NULL;
	att[2].type = "text/plain\r\nX-Injected: yes";
	att[2].data = (const unsigned char *)"";
	att[2].len = 0;
	sb_adds(&out, "From: Acme <office@acmeplumbing.test>\n"
	    "Subject: Your invoice\n");
	mail_build_body(&out, "See attached.\n--=_inbox_u1\n", att, 3, "u1");
	CHECK(strstr(out.buf, "boundary=\"=_inbox_u1.1\"") != NULL,
	    "build: boundary moved off the text");
	CHECK(strstr(out.buf, "X-Injected") == NULL ||
	    strstr(out.buf, "\nX-Injected") == NULL,
	    "build: bad type not copied into headers");
	for (line = out.buf; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			break;
		if (nl - line > longest)
			longest = (int)(nl - line);
	}
	CHECK(longest <= 78, "build: no line over 78 columns");
	CHECK(strstr(out.buf, "\nAwoRGB8m") != NULL &&
	    strlen(strstr(out.buf, "\nAwoRGB8m")) > 77 &&
	    strstr(out.buf, "\nAwoRGB8m")[77] == '\n',
	    "build: base64 lines of 76");
	CHECK(strstr(out.buf, "\r") == NULL, "build: LF line ends");

	CHECK_INT(mail_parse(&m, out.buf, out.len), 0, "build: parses back");
	CHECK_INT(mail_parts(&m, &p, &n), 0, "build: parts back");
	CHECK_INT(n, 4, "build: four parts");
	if (n == 4) {
		CHECK_STR((char *)p[0].data, "See attached.\n--=_inbox_u1\n",
		    "build: text round trip");
		CHECK_STR(p[0].charset, "utf-8", "build: text charset");
		CHECK_STR(p[1].type, "image/jpeg", "build: guessed type");
		CHECK_STR(p[1].filename, "photo.JPG", "build: filename");
		CHECK(p[1].len == sizeof(bin) &&
		    memcmp(p[1].data, bin, sizeof(bin)) == 0,
		    "build: binary round trip");
		CHECK_STR(p[2].type, "application/pdf", "build: given type");
		CHECK_STR(p[2].filename, "Re\xcc\x81sume\xcc\x81 (final) "
		    "\xe2\x80\x94 Jane Doe, plumbing apprentice "
		    "application.pdf", "build: RFC 2231 long filename");
		CHECK(p[2].len == sizeof(pdf) - 1 &&
		    memcmp(p[2].data, pdf, p[2].len) == 0,
		    "build: pdf round trip");
		CHECK_STR(p[3].type, "application/octet-stream",
		    "build: bad type replaced");
		CHECK_STR(p[3].filename, "attachment", "build: default name");
		CHECK_INT(p[3].len, 0, "build: empty attachment");
		CHECK_INT(p[3].attachment, 1, "build: attachment flag");
	}
	mail_parts_free(p, n);
	s = mail_text(&m);
	CHECK_STR(s, "See attached.\n--=_inbox_u1\n", "build: mail_text");
	free(s);
	mail_free(&m);
	sb_release(&out);

	CHECK_STR(mime_type_of("IMG_0042.jpeg"), "image/jpeg", "type: jpeg");
	CHECK_STR(mime_type_of("a.png"), "image/png", "type: png");
	CHECK_STR(mime_type_of("a.gif"), "image/gif", "type: gif");
	CHECK_STR(mime_type_of("Invoice.PDF"), "application/pdf", "type: pdf");
	CHECK_STR(mime_type_of("a.txt"), "text/plain", "type: txt");
	CHECK_STR(mime_type_of("clip.mp4"), "video/mp4", "type: mp4");
	CHECK_STR(mime_type_of("clip.mov"), "video/quicktime", "type: mov");
	CHECK_STR(mime_type_of("a.heic"), "image/heic", "type: heic");
	CHECK_STR(mime_type_of("a.webp"), "image/webp", "type: webp");
	CHECK_STR(mime_type_of("a.ogg"), "audio/ogg", "type: ogg");
	CHECK_STR(mime_type_of("a.mp3"), "audio/mpeg", "type: mp3");
	CHECK_STR(mime_type_of("a.wav"), "audio/wav", "type: wav");
	CHECK_STR(mime_type_of("a.csv"), "text/csv", "type: csv");
	CHECK_STR(mime_type_of("a.doc"), "application/msword", "type: doc");
	CHECK(strstr(mime_type_of("a.docx"), "wordprocessingml") != NULL,
	    "type: docx");
	CHECK_STR(mime_type_of("archive.tar.gz"), "application/octet-stream",
	    "type: unknown");
	CHECK_STR(mime_type_of("noext"), "application/octet-stream",
	    "type: no extension");
	CHECK_STR(mime_type_of("dir.jpg/file"), "application/octet-stream",
	    "type: dot in directory");
	CHECK_STR(mime_type_of(NULL), "application/octet-stream", "type: NULL");
}

static void
test_encode_header(void)
{
	static const char *const t[] = {
		"Caf\xc3\xa9 menu for Friday",
		"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6"
		"\xe5\x90\x8d\xe3\x81\xa7\xe3\x81\x99",
		"=?utf-8?q?not an encoded word?=",
		"Quote \xe2\x80\x9c" "a_b=c?d\xe2\x80\x9d (x) <y>",
		"Line\nbreak",
	};
	struct sb longs = SB_INIT;
	char *e, *d;

	e = mail_encode_header("Plain ASCII subject");
	CHECK_STR(e, "Plain ASCII subject", "encode: ASCII unchanged");
	free(e);
	e = mail_encode_header("Caf\xc3\xa9");
	CHECK_STR(e, "=?UTF-8?Q?Caf=C3=A9?=", "encode: Q");
	free(e);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		e = mail_encode_header(t[i]);
		d = mail_decode_header(e);
		CHECK(strchr(e, '\r') == NULL && strstr(e, "\n ") == strchr(e,
		    '\n'), "encode: no bare line break");
		CHECK_STR(d, i == 4 ? "Line break" : t[i],
		    "encode: round trip");
		free(e);
		free(d);
	}
	for (int i = 0; i < 40; i++)
		sb_adds(&longs, "\xc3\xa9t\xc3\xa9 ");
	e = mail_encode_header(longs.buf);
	d = mail_decode_header(e);
	CHECK_STR(d, longs.buf, "encode: long value round trip");
	{
		const char *w = e;
		int ok = 1;

		for (const char *nl; (nl = strchr(w, '\n')) != NULL;
		    w = nl + 1)
			if (nl - w > 76)
				ok = 0;
		CHECK(ok && strlen(w) <= 76, "encode: words fit 76 columns");
	}
	free(e);
	free(d);
	sb_release(&longs);
}

int
main(void)
{
	test_parse();
	test_decode_header();
	test_first_addr();
	test_param();
	test_parts_invoice();
	test_parts_misc();
	test_text();
	test_build();
	test_encode_header();
	return UNIT_DONE();
}
