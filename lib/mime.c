/*
 * mime.c - RFC 5322 header parsing, MIME decoding (RFC 2045, 2046, 2047,
 * 2231) and a small MIME writer.
 *
 * Nothing here recurses on input.  The multipart walk keeps one frame per
 * open multipart on a fixed stack of MIME_MAX_DEPTH; comments in address
 * headers are skipped with a depth counter.  Charsets: UTF-8, US-ASCII,
 * ISO-8859-1 and Windows-1252; ISO-8859-1 is read as Windows-1252 (as
 * browsers do, since mail labelled latin-1 often carries cp1252 quotes),
 * and unlabelled or US-ASCII text that is not valid UTF-8 likewise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "crypto.h"
#include "mime.h"

#define MAX_FIELDS	1000		/* fields in one header block */
#define MAX_FIELD	(64 * 1024)	/* bytes in one unfolded field */
#define MAX_SECTIONS	1000		/* RFC 2231 continuations */
#define MAX_CHARSET	64		/* bytes in a charset name */
#define B64_LINE	57		/* bytes per 76-column line */
#define EW_QMAX		63		/* encoded text in a Q word */
#define EW_BMAX		45		/* raw bytes in a B word */

enum { CS_UTF8, CS_LATIN, CS_GUESS };

/* Windows-1252 0x80-0x9f; holes map to the C1 controls, as WHATWG does. */
static const uint16_t cp1252[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178
};

static const struct {
	const char *ext;
	const char *type;
} mimetypes[] = {
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "png", "image/png" },
	{ "gif", "image/gif" },
	{ "heic", "image/heic" },
	{ "webp", "image/webp" },
	{ "pdf", "application/pdf" },
	{ "txt", "text/plain" },
	{ "csv", "text/csv" },
	{ "mp4", "video/mp4" },
	{ "mov", "video/quicktime" },
	{ "ogg", "audio/ogg" },
	{ "mp3", "audio/mpeg" },
	{ "wav", "audio/wav" },
	{ "doc", "application/msword" },
	{ "docx", "application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document" },
};

/* --- small helpers -------------------------------------------------- */

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* Linear white space as it may remain in an unfolded value. */
static int
is_lws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 2045 token character. */
static int
is_tchar(int c)
{
	return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?=", c);
}

/* What base64_decode() may write for n bytes of input: n * 3 / 4 + 3. */
static size_t
b64_room(size_t n)
{
	return n / 4 * 3 + n % 4 * 3 / 4 + 3;
}

static char *
lower_dup(const char *s, size_t n)
{
	char *p = xstrndup(s, n);

	for (size_t i = 0; p[i]; i++)
		p[i] = (char)lower((unsigned char)p[i]);
	return p;
}

static void
add_cp(struct sb *out, unsigned long cp)
{
	if (cp < 0x80)
		sb_addc(out, (int)cp);
	else if (cp < 0x800) {
		sb_addc(out, (int)(0xc0 | cp >> 6));
		sb_addc(out, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		sb_addc(out, (int)(0xe0 | cp >> 12));
		sb_addc(out, (int)(0x80 | ((cp >> 6) & 0x3f)));
		sb_addc(out, (int)(0x80 | (cp & 0x3f)));
	} else {
		sb_addc(out, (int)(0xf0 | cp >> 18));
		sb_addc(out, (int)(0x80 | ((cp >> 12) & 0x3f)));
		sb_addc(out, (int)(0x80 | ((cp >> 6) & 0x3f)));
		sb_addc(out, (int)(0x80 | (cp & 0x3f)));
	}
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t k;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4;
	else
		return 0;
	if (k > n || !utf8_valid((const char *)s, k))
		return 0;
	return k;
}

static int
charset_id(const char *cs, size_t n)
{
	static const char *const latin[] = {
		"iso-8859-1", "iso8859-1", "iso_8859-1", "iso-ir-100",
		"latin1", "latin-1", "l1", "cp819", "ibm819",
		"windows-1252", "cp1252", "x-cp1252"
	};
	static const char *const ascii[] = {
		"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us"
	};

	if (cs == NULL || n == 0)
		return CS_GUESS;
	for (size_t i = 0; i < sizeof(latin) / sizeof(latin[0]); i++)
		if (strlen(latin[i]) == n && strncasecmp(cs, latin[i], n) == 0)
			return CS_LATIN;
	for (size_t i = 0; i < sizeof(ascii) / sizeof(ascii[0]); i++)
		if (strlen(ascii[i]) == n && strncasecmp(cs, ascii[i], n) == 0)
			return CS_GUESS;
	/* UTF-8 and anything we cannot convert: keep what is valid UTF-8 */
	return CS_UTF8;
}

/*
 * Append n bytes in charset class cs to out as UTF-8.  Bytes that are not
 * valid UTF-8 in a UTF-8 text become U+FFFD; a "guess" text is UTF-8 when
 * it is valid and Windows-1252 otherwise.
 */
static void
conv_utf8(struct sb *out, const void *buf, size_t n, int cs)
{
	const unsigned char *s = buf;
	size_t i, k;

	if (cs == CS_GUESS)
		cs = utf8_valid(buf, n) ? CS_UTF8 : CS_LATIN;
	if (cs == CS_LATIN) {
		for (i = 0; i < n; i++) {
			if (s[i] < 0x80)
				sb_addc(out, s[i]);
			else if (s[i] < 0xa0)
				add_cp(out, cp1252[s[i] - 0x80]);
			else
				add_cp(out, s[i]);
		}
		return;
	}
	for (i = 0; i < n; i += k) {
		if ((k = utf8_seq(s + i, n - i)) == 0) {
			add_cp(out, 0xfffd);
			k = 1;
		} else
			sb_add(out, s + i, k);
	}
}

/* Skip a comment at p ('('), nested by counting; its text goes to `text`
 * when that is not NULL.  Returns the end of the comment. */
static const char *
skip_comment(const char *p, struct sb *text)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			if (text)
				sb_addc(text, *p);
			continue;
		}
		if (*p == '(' && depth++ == 0)
			continue;
		if (*p == ')' && --depth == 0)
			return p + 1;
		if (text)
			sb_addc(text, *p);
	}
	return p;
}

/* Take the quoted-string at p ('"') into text, unescaped; returns its end. */
static const char *
take_quoted(const char *p, struct sb *text)
{
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		sb_addc(text, *p);
	}
	return *p ? p + 1 : p;
}

static const char *
skip_cfws(const char *p)
{
	for (;;) {
		while (is_lws((unsigned char)*p))
			p++;
		if (*p != '(')
			return p;
		p = skip_comment(p, NULL);
	}
}

/* The end of the current item of a structured value: the next ';' outside
 * quotes and comments, or the terminating NUL. */
static const char *
skip_to_semicolon(const char *p)
{
	struct sb junk = SB_INIT;

	while (*p && *p != ';') {
		if (*p == '"') {
			p = take_quoted(p, &junk);
			sb_reset(&junk);
		} else if (*p == '(')
			p = skip_comment(p, NULL);
		else
			p++;
	}
	sb_release(&junk);
	return p;
}

/* The first token of a structured value, lowercased, or NULL. */
static char *
first_token(const char *v)
{
	const char *e;

	if (v == NULL)
		return NULL;
	v = skip_cfws(v);
	for (e = v; is_tchar((unsigned char)*e); e++)
		;
	return e == v ? NULL : lower_dup(v, (size_t)(e - v));
}

/* --- header block ---------------------------------------------------- */

static void
add_field(struct mail *m, size_t *cap, const char *name, size_t namelen,
    struct sb *val)
{
	if (m->nh == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		m->h = xrealloc(m->h, *cap * sizeof(*m->h));
	}
	while (val->len > 0 && is_lws((unsigned char)val->buf[val->len - 1]))
		val->len--;
	sb_setlen(val, val->len);
	m->h[m->nh].name = xstrndup(name, namelen);
	m->h[m->nh].value = sb_detach(val, NULL);
	m->nh++;
}

/*
 * Parse a header block.  Strict (a message): anything that is not a field
 * is an error.  Lenient (a body part): the first line that is not a field
 * ends the header block and starts the body.  Limits are errors in both.
 */
static int
parse_header(struct mail *m, const char *buf, size_t len, int lenient)
{
	const char *p = buf, *end = buf + len, *name = NULL, *why;
	struct sb val = SB_INIT;
	size_t cap = 0, lineno = 0, namelen = 0;

	memset(m, 0, sizeof(*m));
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end, *next = eol ? eol + 1 : end;
		const char *q;
		size_t nl;

		lineno++;
		if (le > p && le[-1] == '\r')
			le--;
		if (le == p) {			/* the blank line */
			p = next;
			break;
		}
		if (memchr(p, '\0', (size_t)(le - p))) {
			why = "contains a NUL byte";
			goto bad;
		}
		if (is_wsp((unsigned char)*p)) {
			if (name == NULL) {
				why = "begins with white space";
				goto bad;
			}
			if (namelen + val.len + (size_t)(le - p) > MAX_FIELD)
				goto toolong;
			sb_add(&val, p, (size_t)(le - p));	/* unfold */
			p = next;
			continue;
		}
		for (q = p; q < le && *q > 0x20 && *q < 0x7f && *q != ':'; q++)
			;
		nl = (size_t)(q - p);
		while (q < le && is_wsp((unsigned char)*q))
			q++;
		if (q == le || *q != ':' || nl == 0) {
			if (lineno == 1 && le - p >= 5 &&
			    memcmp(p, "From ", 5) == 0)
				why = "is an mbox \"From \" line";
			else if (memchr(p, ':', (size_t)(le - p)))
				why = "has a malformed field name";
			else
				why = "has no colon";
			goto bad;
		}
		if (name != NULL)
			add_field(m, &cap, name, namelen, &val);
		if (m->nh == MAX_FIELDS) {
			sb_release(&val);
			mail_free(m);
			return inbox_error(INBOX_EDATA,
			    "more than %d header fields", MAX_FIELDS);
		}
		name = p;
		namelen = nl;
		for (q++; q < le && is_wsp((unsigned char)*q); q++)
			;
		if (namelen + (size_t)(le - q) > MAX_FIELD)
			goto toolong;
		sb_add(&val, q, (size_t)(le - q));
		p = next;
	}
	goto done;
bad:
	if (!lenient) {
		sb_release(&val);
		mail_free(m);
		return inbox_error(INBOX_EDATA,
		    "not a mail message: header line %zu %s", lineno, why);
	}
done:
	if (name != NULL)
		add_field(m, &cap, name, namelen, &val);
	sb_release(&val);
	m->hdrlen = (size_t)(p - buf);
	m->body = p;
	m->bodylen = (size_t)(end - p);
	return 0;
toolong:
	sb_release(&val);
	mail_free(m);
	return inbox_error(INBOX_EDATA, "header line %zu longer than %d bytes",
	    lineno, MAX_FIELD);
}

int
mail_parse(struct mail *m, const char *buf, size_t len)
{
	if (parse_header(m, buf, len, 0) == -1)
		return -1;
	if (m->nh == 0) {
		mail_free(m);
		return inbox_error(INBOX_EDATA,
		    "not a mail message: no header fields");
	}
	return 0;
}

void
mail_free(struct mail *m)
{
	for (size_t i = 0; i < m->nh; i++) {
		free(m->h[i].name);
		free(m->h[i].value);
	}
	free(m->h);
	memset(m, 0, sizeof(*m));
}

const char *
mail_get(const struct mail *m, const char *name)
{
	for (size_t i = 0; i < m->nh; i++)
		if (str_ieq(m->h[i].name, name))
			return m->h[i].value;
	return NULL;
}

/* --- RFC 2047 -------------------------------------------------------- */

static int
ew_char(int c)
{
	return c > 0x20 && c < 0x7f && c != '?';
}

/*
 * Decode the encoded-word at s ("=?charset?B|Q?text?=") into the raw bytes
 * `word` and its charset (language suffix dropped) into cs.  Returns the
 * length of the word, or 0 when s does not start a decodable one.
 */
static size_t
ew_decode(const char *s, struct sb *word, char *cs)
{
	const char *p = s + 2, *cse, *t, *te;
	int enc;
	long r;

	if (s[0] != '=' || s[1] != '?')
		return 0;
	for (cse = p; ew_char((unsigned char)*cse); cse++)
		;
	if (*cse != '?' || cse == p || cse - p > MAX_CHARSET)
		return 0;
	enc = lower((unsigned char)cse[1]);
	if ((enc != 'b' && enc != 'q') || cse[2] != '?')
		return 0;
	t = cse + 3;
	for (te = t; ew_char((unsigned char)*te); te++)
		;
	if (te[0] != '?' || te[1] != '=')
		return 0;
	sb_reset(word);
	if (enc == 'b') {
		sb_grow(word, b64_room((size_t)(te - t)));
		r = base64_decode(t, (size_t)(te - t),
		    (unsigned char *)word->buf);
		if (r < 0)
			return 0;
		word->len = (size_t)r;
		word->buf[r] = '\0';
	} else {
		for (const char *q = t; q < te; q++) {
			int hi, lo;

			if (*q == '_')
				sb_addc(word, ' ');
			else if (*q != '=')
				sb_addc(word, *q);
			else if (q + 2 < te &&
			    (hi = hex_val((unsigned char)q[1])) >= 0 &&
			    (lo = hex_val((unsigned char)q[2])) >= 0) {
				sb_addc(word, hi << 4 | lo);
				q += 2;
			} else
				return 0;
		}
	}
	memcpy(cs, p, (size_t)(cse - p));
	cs[cse - p] = '\0';
	if ((p = strchr(cs, '*')) != NULL)	/* RFC 2231 language */
		cs[p - cs] = '\0';
	return (size_t)(te + 2 - s);
}

static void
flush_words(struct sb *out, struct sb *pend, const char *cs)
{
	if (pend->len > 0)
		conv_utf8(out, pend->buf, pend->len, charset_id(cs,
		    strlen(cs)));
	sb_reset(pend);
}

char *
mail_decode_header(const char *value)
{
	struct sb out = SB_INIT, raw = SB_INIT, pend = SB_INIT,
	    word = SB_INIT;
	char pcs[MAX_CHARSET + 1] = "", cs[MAX_CHARSET + 1];
	const char *p = value ? value : "", *q;
	int prev = 0;		/* the last thing was an encoded-word */
	size_t n;

	while (*p) {
		q = p;
		if (prev)
			while (is_lws((unsigned char)*q))
				q++;
		if (q[0] == '=' && q[1] == '?' &&
		    (n = ew_decode(q, &word, cs)) > 0) {
			if (raw.len > 0) {
				conv_utf8(&out, raw.buf, raw.len, CS_GUESS);
				sb_reset(&raw);
			}
			if (prev && strcasecmp(cs, pcs) != 0)
				flush_words(&out, &pend, pcs);
			memcpy(pcs, cs, sizeof(pcs));
			sb_add(&pend, word.buf, word.len);
			prev = 1;
			p = q + n;
			continue;
		}
		if (prev)
			flush_words(&out, &pend, pcs);
		prev = 0;
		sb_addc(&raw, *p++);
	}
	flush_words(&out, &pend, pcs);
	conv_utf8(&out, raw.buf, raw.len, CS_GUESS);
	sb_release(&raw);
	sb_release(&pend);
	sb_release(&word);
	/* no control characters in a decoded value: no line or TAB breaks */
	for (size_t i = 0; i < out.len; i++)
		if ((unsigned char)out.buf[i] < 0x20 || out.buf[i] == 0x7f)
			out.buf[i] = ' ';
	return sb_detach(&out, NULL);
}

/* --- addresses ------------------------------------------------------- */

/* A decoded, trimmed display name, or NULL when empty. */
static char *
display_name(const struct sb *s)
{
	char *d = mail_decode_header(s->buf), *t = str_trim(d);

	if (*t == '\0') {
		free(d);
		return NULL;
	}
	memmove(d, t, strlen(t) + 1);
	return d;
}

/* The end of the quoted-string at p ('"'). */
static const char *
quoted_end(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : p;
}

/* Take the angle-addr at p ('<') into a, without white space, comments
 * and source route; returns its end. */
static const char *
take_angle(const char *p, struct sb *a)
{
	const char *r;

	for (p++; *p && *p != '>'; ) {
		if (*p == '"') {
			r = quoted_end(p);
			sb_add(a, p, (size_t)(r - p));
			p = r;
		} else if (*p == '(')
			p = skip_comment(p, NULL);
		else {
			if (!is_lws((unsigned char)*p))
				sb_addc(a, *p);
			p++;
		}
	}
	if (a->len > 0 && a->buf[0] == '@' &&
	    (r = memchr(a->buf, ':', a->len)) != NULL) {
		size_t skip = (size_t)(r + 1 - a->buf);

		memmove(a->buf, a->buf + skip, a->len - skip + 1);
		a->len -= skip;
	}
	return *p ? p + 1 : p;
}

static int
is_atext(int c)
{
	return c > 0x20 && c != 0x7f && !strchr("()<>,;:\\\"[]", c);
}

int
mail_first_addr(const char *value, char **name, char **addr)
{
	struct sb phrase = SB_INIT, spec = SB_INIT, comment = SB_INIT,
	    angle = SB_INIT, junk = SB_INIT;
	const char *p = value ? value : "", *s;
	int ws = 0, gap = 0, have_angle = 0;

	*name = *addr = NULL;
	for (;;) {
		int c = (unsigned char)*p;

		if (c == '\0' || c == ',' || c == ';') {
			/* the end of one mailbox (or of a group) */
			if (have_angle && angle.len > 0) {
				*addr = sb_detach(&angle, NULL);
				*name = display_name(phrase.len > 0 ? &phrase :
				    &comment);
				break;
			}
			if (!have_angle && spec.len > 0 && !gap) {
				*addr = sb_detach(&spec, NULL);
				*name = display_name(&comment);
				break;
			}
			if (c == '\0')
				break;
			sb_reset(&phrase);
			sb_reset(&spec);
			sb_reset(&comment);
			sb_reset(&angle);
			ws = gap = have_angle = 0;
			p++;
			continue;
		}
		if (is_lws(c)) {
			ws = 1;
			p++;
		} else if (c == '(') {
			if (comment.len > 0)
				p = skip_comment(p, NULL);
			else
				p = skip_comment(p, &comment);
			ws = 1;
		} else if (c == ':' && !have_angle) {
			/* a group: its display name is not an address */
			sb_reset(&phrase);
			sb_reset(&spec);
			sb_reset(&comment);
			ws = gap = 0;
			p++;
		} else if (c == '<') {
			if (have_angle)
				p = take_angle(p, &junk);
			else
				p = take_angle(p, &angle);
			have_angle = 1;
		} else if (c == '"' || c == '[' || is_atext(c)) {
			s = p;
			if (c == '"')
				p = quoted_end(p);
			else if (c == '[') {
				while (*p && *p != ']')
					p++;
				if (*p)
					p++;
			} else
				while (is_atext((unsigned char)*p))
					p++;
			if (!have_angle) {
				if (ws && phrase.len > 0)
					sb_addc(&phrase, ' ');
				if (c == '"')
					take_quoted(s, &phrase);
				else
					sb_add(&phrase, s, (size_t)(p - s));
				if (ws && spec.len > 0)
					gap = 1;
				sb_add(&spec, s, (size_t)(p - s));
			}
			ws = 0;
		} else
			p++;		/* a stray '>', '\\' or ']' */
	}
	sb_release(&phrase);
	sb_release(&spec);
	sb_release(&comment);
	sb_release(&angle);
	sb_release(&junk);
	if (*addr == NULL)
		return inbox_error(INBOX_EDATA, "no address in \"%.60s\"",
		    value ? value : "");
	return 0;
}

/* --- parameters (RFC 2045, RFC 2231) ---------------------------------- */

struct section {
	unsigned idx;
	size_t ord;
	int ext;
	char *val;
};

static int
section_cmp(const void *a, const void *b)
{
	const struct section *x = a, *y = b;

	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

static void
pct_decode(struct sb *out, const char *s)
{
	int hi, lo;

	for (; *s; s++) {
		if (*s == '%' && (hi = hex_val((unsigned char)s[1])) >= 0 &&
		    (lo = hex_val((unsigned char)s[2])) >= 0) {
			sb_addc(out, hi << 4 | lo);
			s += 2;
		} else
			sb_addc(out, *s);
	}
}

/*
 * Join RFC 2231 sections 0, 1, 2, ... (sorted here; the first of equal
 * numbers wins; a gap ends the value), decoding the extended ones and the
 * charset'language' prefix of an extended section 0.  NULL when there is
 * no section 0.
 */
static char *
join_sections(struct section *s, size_t n)
{
	struct sb raw = SB_INIT, out = SB_INIT;
	char *cs = NULL;
	unsigned want = 0;

	if (n == 0)
		return NULL;
	qsort(s, n, sizeof(*s), section_cmp);
	for (size_t i = 0; i < n && s[i].idx <= want; i++) {
		const char *v = s[i].val, *q1, *q2;

		if (s[i].idx < want)
			continue;
		if (s[i].ext && want == 0 && (q1 = strchr(v, '\'')) != NULL &&
		    (q2 = strchr(q1 + 1, '\'')) != NULL) {
			cs = xstrndup(v, (size_t)(q1 - v));
			v = q2 + 1;
		}
		if (s[i].ext)
			pct_decode(&raw, v);
		else
			sb_adds(&raw, v);
		want++;
	}
	if (want == 0) {
		sb_release(&raw);
		return NULL;
	}
	if (cs == NULL)
		return sb_detach(&raw, NULL);
	conv_utf8(&out, raw.buf, raw.len, charset_id(cs, strlen(cs)));
	free(cs);
	sb_release(&raw);
	return sb_detach(&out, NULL);
}

/* An unquoted value ends at ';'; a comment after white space is not part
 * of it ("us-ascii (Plain text)"), nor is trailing white space. */
static const char *
take_token_value(const char *p, struct sb *v)
{
	const char *s = p, *e;

	while (*p && *p != ';')
		p++;
	for (e = s; e < p; e++) {
		if (is_lws((unsigned char)*e)) {
			const char *f = e;

			while (f < p && is_lws((unsigned char)*f))
				f++;
			if (f < p && *f == '(')
				break;
		}
	}
	while (e > s && is_lws((unsigned char)e[-1]))
		e--;
	sb_add(v, s, (size_t)(e - s));
	return p;
}

char *
mail_param(const char *value, const char *param)
{
	struct sb v = SB_INIT;
	struct section *sec = NULL;
	size_t nsec = 0, seccap = 0, plen, ord = 0;
	char *plain = NULL, *ext = NULL, *res;
	const char *p, *ns, *ne;

	if (value == NULL || param == NULL)
		return NULL;
	plen = strlen(param);
	p = skip_to_semicolon(value);
	while (*p == ';') {
		p = skip_cfws(p + 1);
		for (ns = p; *p && *p != '=' && *p != ';' && *p != '"' &&
		    *p != '(' && !is_lws((unsigned char)*p); p++)
			;
		ne = p;
		p = skip_cfws(p);
		if (*p != '=' || ne == ns) {
			p = skip_to_semicolon(p);
			continue;
		}
		p = skip_cfws(p + 1);
		sb_reset(&v);
		if (*p == '"')
			p = skip_to_semicolon(take_quoted(p, &v));
		else
			p = take_token_value(p, &v);
		ord++;
		if ((size_t)(ne - ns) < plen || strncasecmp(ns, param, plen))
			continue;
		ns += plen;
		if (ns == ne) {
			if (plain == NULL)
				plain = xstrdup(v.buf);
		} else if (*ns++ == '*') {
			unsigned idx = 0;
			int isext = 0, digits = 0;

			if (ns == ne) {
				if (ext == NULL)
					ext = xstrdup(v.buf);
				continue;
			}
			if (ne[-1] == '*') {
				isext = 1;
				ne--;
			}
			for (; ns < ne && *ns >= '0' && *ns <= '9' &&
			    digits < 6; ns++, digits++)
				idx = idx * 10 + (unsigned)(*ns - '0');
			if (ns != ne || digits == 0 || nsec == MAX_SECTIONS)
				continue;
			if (nsec == seccap) {
				seccap = seccap ? seccap * 2 : 4;
				sec = xrealloc(sec, seccap * sizeof(*sec));
			}
			sec[nsec].idx = idx;
			sec[nsec].ord = ord;
			sec[nsec].ext = isext;
			sec[nsec].val = xstrdup(v.buf);
			nsec++;
		}
	}
	sb_release(&v);
	if (ext != NULL) {
		struct section one = { 0, 0, 1, ext };

		res = join_sections(&one, 1);
		free(ext);
	} else
		res = join_sections(sec, nsec);
	for (size_t i = 0; i < nsec; i++)
		free(sec[i].val);
	free(sec);
	if (res != NULL) {
		free(plain);
		return res;
	}
	return plain;
}

/* --- the MIME tree ---------------------------------------------------- */

struct frame {
	char *boundary;
	size_t blen;
	const char *p;		/* body start, or past a delimiter */
	const char *end;
	int started;		/* the first delimiter has been seen */
	int done;
	int digest;		/* multipart/digest: message/rfc822 parts */
};

struct walk {
	struct frame fr[MIME_MAX_DEPTH];
	int depth;
	size_t nent;		/* body parts seen, of any type */
	struct mail_part *parts;
	size_t n, cap;
};

/* The lowercased "type/subtype" of a Content-Type value, or dflt when it
 * is absent or malformed (RFC 2045 section 5.2). */
static char *
content_type(const char *ct, const char *dflt)
{
	const char *t, *te, *s, *se;
	char *r;

	if (ct == NULL)
		return xstrdup(dflt);
	t = skip_cfws(ct);
	for (te = t; is_tchar((unsigned char)*te); te++)
		;
	s = skip_cfws(te);
	if (te == t || *s != '/')
		return xstrdup(dflt);
	s = skip_cfws(s + 1);
	for (se = s; is_tchar((unsigned char)*se); se++)
		;
	if (se == s)
		return xstrdup(dflt);
	r = xmalloc((size_t)(te - t) + (size_t)(se - s) + 2);
	memcpy(r, t, (size_t)(te - t));
	r[te - t] = '/';
	memcpy(r + (te - t) + 1, s, (size_t)(se - s));
	r[(te - t) + 1 + (se - s)] = '\0';
	for (char *q = r; *q; q++)
		*q = (char)lower((unsigned char)*q);
	return r;
}

/*
 * Find the next delimiter line ("--boundary" or "--boundary--", then
 * optional white space) at or after the line start `from`: its start in
 * *ls, the start of the following line in *next, whether it closes the
 * multipart in *close.
 */
static int
find_delim(const struct frame *f, const char *from, const char **ls,
    const char **next, int *close)
{
	const char *p, *le, *q, *eol;

	for (p = from; p < f->end; p = eol ? eol + 1 : f->end) {
		eol = memchr(p, '\n', (size_t)(f->end - p));
		le = eol ? eol : f->end;
		if ((size_t)(le - p) < 2 + f->blen || p[0] != '-' ||
		    p[1] != '-' || memcmp(p + 2, f->boundary, f->blen) != 0)
			continue;
		q = p + 2 + f->blen;
		*close = le - q >= 2 && q[0] == '-' && q[1] == '-';
		if (!*close)
			while (q < le && (is_lws((unsigned char)*q)))
				q++;
		if (*close || q == le) {
			*ls = p;
			*next = eol ? eol + 1 : f->end;
			return 1;
		}
	}
	return 0;
}

/*
 * The next body part of a multipart in [*ps, *pe): 1 for a part, 2 when
 * the multipart has no delimiter at all (its body is taken as text), 0 at
 * the end.  A missing close delimiter ends the last part at the end of
 * the body; the preamble and epilogue are skipped.
 */
static int
next_part(struct frame *f, const char **ps, const char **pe)
{
	const char *ls, *next;
	int close;

	if (f->done)
		return 0;
	if (!f->started) {
		f->started = 1;
		if (!find_delim(f, f->p, &ls, &next, &close)) {
			*ps = f->p;
			*pe = f->end;
			f->done = 1;
			return 2;
		}
		f->p = next;
		if (close) {
			f->done = 1;
			return 0;
		}
	}
	*ps = f->p;
	if (find_delim(f, f->p, &ls, &next, &close)) {
		/* the line break before a delimiter belongs to it */
		*pe = ls;
		if (*pe > *ps && (*pe)[-1] == '\n')
			(*pe)--;
		if (*pe > *ps && (*pe)[-1] == '\r')
			(*pe)--;
		f->p = next;
		f->done = close;
	} else {
		*pe = f->end;
		f->done = 1;
	}
	return 1;
}

/* Quoted-printable (RFC 2045 section 6.7): soft line breaks joined,
 * transport padding at line ends dropped, bad escapes kept as written. */
static void
qp_decode(struct sb *out, const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end, *brk = le;
		int soft = 0, hi, lo;

		if (le > p && le[-1] == '\r')
			le--;
		while (le > p && is_wsp((unsigned char)le[-1]))
			le--;
		for (; p < le; p++) {
			if (*p != '=') {
				sb_addc(out, *p);
			} else if (p + 1 == le) {
				soft = 1;
			} else if (p + 2 < le &&
			    (hi = hex_val((unsigned char)p[1])) >= 0 &&
			    (lo = hex_val((unsigned char)p[2])) >= 0) {
				sb_addc(out, hi << 4 | lo);
				p += 2;
			} else
				sb_addc(out, '=');
		}
		if (eol && !soft)
			sb_add(out, le == brk ? "\n" : "\r\n",
			    le == brk ? 1 : 2);
		p = eol ? eol + 1 : end;
	}
}

static void
decode_body(struct mail_part *mp, const char *cte, const char *s, size_t n)
{
	struct sb out = SB_INIT;
	char *enc = first_token(cte);
	long r;

	if (enc != NULL && strcmp(enc, "base64") == 0) {
		sb_grow(&out, b64_room(n));
		if ((r = base64_decode(s, n, (unsigned char *)out.buf)) >= 0) {
			out.len = (size_t)r;
			out.buf[r] = '\0';
		} else
			sb_add(&out, s, n);	/* undecodable: kept raw */
	} else if (enc != NULL && strcmp(enc, "quoted-printable") == 0)
		qp_decode(&out, s, n);
	else
		sb_add(&out, s, n);
	free(enc);
	mp->data = (unsigned char *)sb_detach(&out, &mp->len);
}

/* Add a leaf; takes `type`.  h may be NULL (a part without headers). */
static void
add_leaf(struct walk *w, const struct mail *h, char *type, const char *body,
    size_t len)
{
	const char *ct = h ? mail_get(h, "Content-Type") : NULL;
	const char *cd = h ? mail_get(h, "Content-Disposition") : NULL;
	struct mail_part *mp;
	char *s, *disp;

	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 4;
		w->parts = xrealloc(w->parts, w->cap * sizeof(*w->parts));
	}
	mp = &w->parts[w->n++];
	memset(mp, 0, sizeof(*mp));
	mp->type = type;
	if ((s = mail_param(ct, "charset")) != NULL) {
		char *t = str_trim(s);

		if (*t)
			mp->charset = lower_dup(t, strlen(t));
		free(s);
	}
	if ((s = mail_param(cd, "filename")) == NULL)
		s = mail_param(ct, "name");
	if (s != NULL) {
		/* many mailers put RFC 2047 words in the quoted name */
		char *d = mail_decode_header(s), *t = str_trim(d);

		if (*t)
			mp->filename = xstrdup(t);
		free(d);
		free(s);
	}
	disp = first_token(cd);
	mp->attachment = mp->filename != NULL ||
	    (disp != NULL && strcmp(disp, "attachment") == 0);
	free(disp);
	decode_body(mp, h ? mail_get(h, "Content-Transfer-Encoding") : NULL,
	    body, len);
}

/* One entity: a leaf is added, a multipart pushes a frame. */
static int
entity(struct walk *w, const struct mail *h, const char *body, size_t len,
    int in_digest)
{
	const char *ct = mail_get(h, "Content-Type");
	char *type = content_type(ct, in_digest ? "message/rfc822" :
	    "text/plain");
	struct frame *f;
	char *b;

	if (strncmp(type, "multipart/", 10) != 0) {
		add_leaf(w, h, type, body, len);
		return 0;
	}
	b = mail_param(ct, "boundary");
	if (b == NULL || *b == '\0') {
		inbox_error(INBOX_EDATA, "%s without a boundary parameter",
		    type);
		free(b);
		free(type);
		return -1;
	}
	if (w->depth == MIME_MAX_DEPTH) {
		free(b);
		free(type);
		return inbox_error(INBOX_EDATA,
		    "MIME multiparts nested deeper than %d", MIME_MAX_DEPTH);
	}
	f = &w->fr[w->depth++];
	memset(f, 0, sizeof(*f));
	f->boundary = b;
	f->blen = strlen(b);
	f->p = body;
	f->end = body + len;
	f->digest = strcmp(type, "multipart/digest") == 0;
	free(type);
	return 0;
}

void
mail_parts_free(struct mail_part *parts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(parts[i].type);
		free(parts[i].charset);
		free(parts[i].filename);
		free(parts[i].data);
	}
	free(parts);
}

int
mail_parts(const struct mail *m, struct mail_part **parts, size_t *n)
{
	struct walk w;
	struct mail ph;
	const char *ps, *pe;
	int r = 0, k;

	memset(&w, 0, sizeof(w));
	*parts = NULL;
	*n = 0;
	if (entity(&w, m, m->body, m->bodylen, 0) == -1)
		return -1;
	while (w.depth > 0 && r == 0) {
		struct frame *f = &w.fr[w.depth - 1];

		if ((k = next_part(f, &ps, &pe)) == 0) {
			free(f->boundary);
			w.depth--;
			continue;
		}
		if (++w.nent > MIME_MAX_PARTS) {
			r = inbox_error(INBOX_EDATA, "more than %d MIME parts",
			    MIME_MAX_PARTS);
			break;
		}
		if (k == 2) {
			add_leaf(&w, NULL, xstrdup("text/plain"), ps,
			    (size_t)(pe - ps));
			continue;
		}
		if ((r = parse_header(&ph, ps, (size_t)(pe - ps), 1)) == -1)
			break;
		r = entity(&w, &ph, ph.body, ph.bodylen, f->digest);
		mail_free(&ph);
	}
	while (w.depth > 0)
		free(w.fr[--w.depth].boundary);
	if (r == -1) {
		mail_parts_free(w.parts, w.n);
		return -1;
	}
	*parts = w.parts;
	*n = w.n;
	return 0;
}

/* --- readable text ---------------------------------------------------- */

/* The character reference at s ('&'): its code point in *cp and its
 * length, or 0 when there is none. */
static size_t
html_entity(const char *s, unsigned long *cp)
{
	static const struct {
		const char *name;
		unsigned long cp;
	} ents[] = {
		{ "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' },
		{ "quot;", '"' }, { "apos;", '\'' }, { "nbsp;", ' ' },
	};
	const char *p = s + 2;
	int hex = 0, nd = 0, v;

	if (s[1] != '#') {
		for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
			size_t n = strlen(ents[i].name);

			if (strncasecmp(s + 1, ents[i].name, n) == 0) {
				*cp = ents[i].cp;
				return n + 1;
			}
		}
		return 0;
	}
	if (*p == 'x' || *p == 'X') {
		hex = 1;
		p++;
	}
	for (*cp = 0; nd < 8; p++, nd++) {
		if (hex)
			v = hex_val((unsigned char)*p);
		else
			v = *p >= '0' && *p <= '9' ? *p - '0' : -1;
		if (v < 0)
			break;
		*cp = *cp * (hex ? 16 : 10) + (unsigned long)v;
	}
	if (nd == 0 || *p != ';')
		return 0;
	if (*cp == 0 || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		*cp = 0xfffd;
	return (size_t)(p + 1 - s);
}

static int
html_block(const char *name)
{
	static const char *const tags[] = {
		"br", "p", "div", "tr", "li", "ul", "ol", "dl", "dt", "dd",
		"table", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4",
		"h5", "h6", "section", "article", "header", "footer", "address"
	};

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (strcmp(name, tags[i]) == 0)
			return 1;
	return 0;
}

struct html_out {
	struct sb *sb;
	int space;		/* a collapsed blank is pending */
	int nl;			/* newlines at the end of the output */
};

static void
html_put(struct html_out *h, const char *s, size_t n)
{
	if (h->space && h->nl == 0)
		sb_addc(h->sb, ' ');
	h->space = 0;
	sb_add(h->sb, s, n);
	h->nl = 0;
}

static void
html_newline(struct html_out *h)
{
	h->space = 0;
	if (h->nl < 2) {
		sb_addc(h->sb, '\n');
		h->nl++;
	}
}

/* Text of an HTML document: tags dropped (script, style and title with
 * their content), block tags as line breaks, blanks collapsed, the
 * common character references decoded. */
static void
html_text(struct sb *out, const char *s)
{
	struct html_out h = { out, 0, 2 };
	const char *p = s, *q;
	unsigned long cp;
	char name[16];
	size_t n, k;

	while (*p) {
		if (*p == '<' && strncmp(p, "<!--", 4) == 0) {
			q = strstr(p + 4, "-->");
			p = q ? q + 3 : p + strlen(p);
			continue;
		}
		q = p + 1;
		if (*p == '<' && *q == '/')
			q++;
		if (*p == '<' && (is_alpha((unsigned char)*q) || *q == '!' ||
		    *q == '?')) {
			int closing = p[1] == '/';

			for (n = 0; is_alpha((unsigned char)*q) ||
			    (*q >= '0' && *q <= '9'); q++)
				if (n < sizeof(name) - 1)
					name[n++] = (char)lower(
					    (unsigned char)*q);
			name[n] = '\0';
			while (*q && *q != '>') {
				if (*q == '"' || *q == '\'') {
					const char *e = strchr(q + 1, *q);

					q = e ? e + 1 : q + strlen(q);
				} else
					q++;
			}
			p = *q ? q + 1 : q;
			if (!closing && (strcmp(name, "script") == 0 ||
			    strcmp(name, "style") == 0 ||
			    strcmp(name, "title") == 0)) {
				k = strlen(name);
				for (q = p; *q; q++)
					if (q[0] == '<' && q[1] == '/' &&
					    strncasecmp(q + 2, name, k) == 0)
						break;
				q = strchr(q, '>');
				p = q ? q + 1 : p + strlen(p);
			} else if (html_block(name))
				html_newline(&h);
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    *p == '\f') {
			h.space = 1;
			p++;
		} else if (*p == '&' && (n = html_entity(p, &cp)) > 0) {
			struct sb u = SB_INIT;

			if (cp == '\n')
				html_newline(&h);
			else {
				add_cp(&u, cp);
				html_put(&h, u.buf, u.len);
			}
			sb_release(&u);
			p += n;
		} else
			html_put(&h, p++, 1);
	}
	while (out->len > 0 && (out->buf[out->len - 1] == '\n' ||
	    out->buf[out->len - 1] == ' '))
		out->len--;
	sb_setlen(out, out->len);
}

char *
mail_text(const struct mail *m)
{
	static const struct {
		const char *type;
		int attachment;
	} pref[] = {
		{ "text/plain", 0 }, { "text/html", 0 },
		{ "text/plain", 1 }, { "text/html", 1 },
	};
	struct mail_part *parts, *mp = NULL;
	struct sb conv = SB_INIT, out = SB_INIT;
	size_t n;

	if (mail_parts(m, &parts, &n) == -1)
		return xstrdup("");
	for (size_t k = 0; k < 4 && mp == NULL; k++)
		for (size_t i = 0; i < n && mp == NULL; i++)
			if (strcmp(parts[i].type, pref[k].type) == 0 &&
			    !parts[i].attachment == !pref[k].attachment)
				mp = &parts[i];
	if (mp == NULL) {
		mail_parts_free(parts, n);
		return xstrdup("");
	}
	conv_utf8(&conv, mp->data, mp->len, charset_id(mp->charset,
	    mp->charset ? strlen(mp->charset) : 0));
	/* CRLF and CR to LF; a NUL would end the string early */
	for (size_t i = 0; i < conv.len; i++) {
		if (conv.buf[i] == '\r') {
			sb_addc(&out, '\n');
			if (i + 1 < conv.len && conv.buf[i + 1] == '\n')
				i++;
		} else if (conv.buf[i] == '\0')
			add_cp(&out, 0xfffd);
		else
			sb_addc(&out, conv.buf[i]);
	}
	if (strcmp(mp->type, "text/html") == 0) {
		sb_reset(&conv);
		html_text(&conv, out.buf);
		sb_release(&out);
		out = conv;
	} else
		sb_release(&conv);
	mail_parts_free(parts, n);
	return sb_detach(&out, NULL);
}

/* --- writing ---------------------------------------------------------- */

const char *
mime_type_of(const char *filename)
{
	const char *dot;

	if (filename == NULL || (dot = strrchr(filename, '.')) == NULL ||
	    strchr(dot, '/') != NULL)
		return "application/octet-stream";
	for (size_t i = 0; i < sizeof(mimetypes) / sizeof(mimetypes[0]); i++)
		if (str_ieq(dot + 1, mimetypes[i].ext))
			return mimetypes[i].type;
	return "application/octet-stream";
}

/* RFC 2231 attribute-char. */
static int
is_attr_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != 0 && strchr("!#$&+-.^_`|~", c));
}

/*
 * Append a parameter on a line of its own: quoted when it is printable
 * ASCII and fits, else RFC 2231 UTF-8, split into continuation sections
 * when it would pass 78 columns.
 */
static void
add_param(struct sb *out, const char *name, const char *v)
{
	size_t n = strlen(v), nl = strlen(name), enc = 0, col = 0, room = 0;
	unsigned sec = 0;
	int plain = n > 0 && 1 + nl + 3 + n + 1 <= 78;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			plain = 0;
		enc += is_attr_char(c) ? 1 : 3;
	}
	if (plain) {
		sb_addf(out, ";\n %s=\"%s\"", name, v);
		return;
	}
	if (1 + nl + 2 + 7 + enc + 1 <= 78) {
		sb_addf(out, ";\n %s*=utf-8''", name);
		room = enc;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		size_t cost = is_attr_char(c) ? 1 : 3;

		if (col + cost > room) {
			/* " name*N*=" [utf-8''] value ";" */
			sb_addf(out, ";\n %s*%u*=%s", name, sec,
			    sec == 0 ? "utf-8''" : "");
			room = 78 - (1 + nl + 1 + 3 + (sec > 9 ? 3 : 1) +
			    (sec == 0 ? 7 : 0) + 1);
			sec++;
			col = 0;
		}
		if (cost == 1)
			sb_addc(out, c);
		else
			sb_addf(out, "%%%02X", c);
		col += cost;
	}
}

/* "type/subtype" and nothing else. */
static int
valid_type(const char *t)
{
	const char *s = t;

	while (is_tchar((unsigned char)*s))
		s++;
	if (s == t || *s++ != '/' || !is_tchar((unsigned char)*s))
		return 0;
	while (is_tchar((unsigned char)*s))
		s++;
	return *s == '\0';
}

static void
add_base64(struct sb *out, const unsigned char *d, size_t n)
{
	char line[B64_LINE / 3 * 4 + 1];

	for (size_t i = 0; i < n; i += B64_LINE) {
		size_t k = n - i < B64_LINE ? n - i : B64_LINE;

		if (i > 0)
			sb_addc(out, '\n');
		sb_add(out, line, base64_encode(d + i, k, line));
	}
}

void
mail_build_body(struct sb *out, const char *text,
    const struct mail_attachment *att, size_t natt,
    const char *boundary_seed)
{
	struct sb t = SB_INIT, b = SB_INIT;
	const char *s, *seed = boundary_seed ? boundary_seed : "0";
	size_t base;

	for (s = text ? text : ""; *s; s++)
		if (!(s[0] == '\r' && s[1] == '\n'))
			sb_addc(&t, *s);
	sb_adds(out, "MIME-Version: 1.0\n");
	if (natt == 0) {
		sb_adds(out, "Content-Type: text/plain; charset=utf-8\n"
		    "Content-Transfer-Encoding: 8bit\n\n");
		sb_add(out, t.buf, t.len);
		if (t.len > 0 && t.buf[t.len - 1] != '\n')
			sb_addc(out, '\n');
		sb_release(&t);
		return;
	}
	/* '=' and '_' cannot meet in base64, so only the text can clash */
	sb_adds(&b, "=_inbox_");
	for (s = seed; *s && b.len < 58; s++)
		sb_addc(&b, is_attr_char((unsigned char)*s) &&
		    *s != '`' && *s != '|' ? *s : '_');
	base = b.len;
	for (unsigned k = 1; memmem(t.buf, t.len, b.buf, b.len) != NULL; k++) {
		sb_setlen(&b, base);
		sb_addf(&b, ".%u", k);
	}
	sb_addf(out, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n",
	    b.buf);
	sb_addf(out, "--%s\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n", b.buf);
	sb_add(out, t.buf, t.len);
	for (size_t i = 0; i < natt; i++) {
		const char *fn = att[i].filename ? att[i].filename : "";
		const char *type;

		if ((s = strrchr(fn, '/')) != NULL)
			fn = s + 1;
		if (*fn == '\0')
			fn = "attachment";
		type = att[i].type && valid_type(att[i].type) ?
		    att[i].type : mime_type_of(fn);
		sb_addf(out, "\n--%s\nContent-Type: %s", b.buf, type);
		add_param(out, "name", fn);
		sb_adds(out, "\nContent-Disposition: attachment");
		add_param(out, "filename", fn);
		sb_adds(out, "\nContent-Transfer-Encoding: base64\n\n");
		add_base64(out, att[i].data, att[i].len);
	}
	sb_addf(out, "\n--%s--\n", b.buf);
	sb_release(&t);
	sb_release(&b);
}

/* Characters a Q encoded-word may carry as themselves (RFC 2047 5(3)). */
static int
q_safe(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != 0 && strchr("!*+-/", c));
}

static void
close_word(struct sb *out, const struct sb *w, int b64)
{
	char enc[EW_BMAX / 3 * 4 + 1];

	sb_addf(out, "=?UTF-8?%c?", b64 ? 'B' : 'Q');
	if (b64)
		sb_add(out, enc, base64_encode(w->buf, w->len, enc));
	else
		for (size_t i = 0; i < w->len; i++) {
			unsigned char c = (unsigned char)w->buf[i];

			if (c == ' ')
				sb_addc(out, '_');
			else if (q_safe(c))
				sb_addc(out, c);
			else
				sb_addf(out, "=%02X", c);
		}
	sb_adds(out, "?=");
}

char *
mail_encode_header(const char *utf8)
{
	struct sb in = SB_INIT, out = SB_INIT, w = SB_INIT;
	const char *s = utf8 ? utf8 : "";
	size_t nenc = 0, used = 0, k;
	int plain = 1, b64;

	for (size_t i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			plain = 0;
	if (plain && strstr(s, "=?") == NULL)
		return xstrdup(s);
	conv_utf8(&in, s, strlen(s), CS_UTF8);
	for (size_t i = 0; i < in.len; i++)
		if (!q_safe((unsigned char)in.buf[i]) && in.buf[i] != ' ')
			nenc++;
	/* Q reads better; B when it is clearly shorter */
	b64 = (in.len + 2) / 3 * 4 * 5 / 4 < in.len + 2 * nenc;
	for (size_t i = 0; i < in.len; i += k) {
		size_t cost = 0;

		k = utf8_seq((const unsigned char *)in.buf + i, in.len - i);
		for (size_t j = 0; j < k; j++) {
			int c = (unsigned char)in.buf[i + j];

			cost += b64 || c == ' ' || q_safe(c) ? 1 : 3;
		}
		if (used > 0 && used + cost > (b64 ? EW_BMAX : EW_QMAX)) {
			close_word(&out, &w, b64);
			sb_adds(&out, "\n ");
			sb_reset(&w);
			used = 0;
		}
		sb_add(&w, in.buf + i, k);
		used += cost;
	}
	if (w.len > 0)
		close_word(&out, &w, b64);
	sb_release(&in);
	sb_release(&w);
	return sb_detach(&out, NULL);
}
