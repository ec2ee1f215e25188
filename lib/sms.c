/*
 * sms.c - SMS encoding and segment arithmetic (GSM 03.38 / 3GPP TS 23.038
 * default alphabet and its extension table, UCS-2 as UTF-16 code units).
 *
 * Segments are counted the way a handset fills them: a character is never
 * cut in two, so an extension-table character (escape + septet) or a
 * character outside the BMP (a surrogate pair) that would straddle the end
 * of a part moves whole to the next one.  That is ceil(units / 153) or
 * ceil(units / 67) except when such a pair falls on a boundary.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "sms.h"

#define GSM_SINGLE	160
#define GSM_MULTI	153
#define UCS2_SINGLE	70
#define UCS2_MULTI	67

/* The non-ASCII characters of the default alphabet. */
static const uint32_t gsm_basic[] = {
	0x00a3, 0x00a5, 0x00e8, 0x00e9, 0x00f9, 0x00ec, 0x00f2, 0x00c7,
	0x00d8, 0x00f8, 0x00c5, 0x00e5, 0x0394, 0x03a6, 0x0393, 0x039b,
	0x03a9, 0x03a0, 0x03a8, 0x03a3, 0x0398, 0x039e, 0x00c6, 0x00e6,
	0x00df, 0x00c9, 0x00a4, 0x00a1, 0x00c4, 0x00d6, 0x00d1, 0x00dc,
	0x00a7, 0x00bf, 0x00e4, 0x00f6, 0x00f1, 0x00fc, 0x00e0
};

/* Septets needed for cp in GSM-7: 1, 2 (extension table) or 0 (none). */
static int
gsm_cost(uint32_t cp)
{
	size_t i;

	if (cp == '\n' || cp == '\r')
		return 1;
	if (cp == '\f' || cp == 0x20ac)
		return 2;
	if (cp < 0x20 || cp == '`' || cp == 0x7f)
		return 0;
	if (cp < 0x7f)
		return strchr("^{}\\[~]|", (int)cp) ? 2 : 1;
	for (i = 0; i < sizeof(gsm_basic) / sizeof(gsm_basic[0]); i++)
		if (gsm_basic[i] == cp)
			return 1;
	return 0;
}

/*
 * Decode the code point at s[*i] and advance *i.  The text should be
 * valid UTF-8; a stray byte is taken as U+FFFD so nothing is read past n.
 */
static uint32_t
utf8_next(const char *str, size_t n, size_t *i)
{
	const unsigned char *s = (const unsigned char *)str + *i;
	size_t left = n - *i, k;
	uint32_t cp;

	if (s[0] < 0x80) {
		*i += 1;
		return s[0];
	}
	if (s[0] >= 0xf0)
		k = 3, cp = s[0] & 0x07;
	else if (s[0] >= 0xe0)
		k = 2, cp = s[0] & 0x0f;
	else if (s[0] >= 0xc0)
		k = 1, cp = s[0] & 0x1f;
	else
		k = 0, cp = 0xfffd;
	if (k >= left) {
		*i += 1;
		return 0xfffd;
	}
	for (size_t j = 1; j <= k; j++)
		cp = cp << 6 | (s[j] & 0x3f);
	*i += k + 1;
	return cp;
}

/* Parts needed to carry `count` characters of sizes w[] (1 or 2 units). */
static int
pack(const unsigned char *w, size_t count, size_t per)
{
	size_t used = 0;
	int parts = 1;

	for (size_t i = 0; i < count; i++) {
		if (used + w[i] > per) {
			parts++;
			used = 0;
		}
		used += w[i];
	}
	return parts;
}

/* Unit sizes of each character under the chosen encoding. */
static size_t
widths(const char *text, size_t n, enum sms_encoding enc, unsigned char *w)
{
	size_t i = 0, c = 0;
	uint32_t cp;

	while (i < n) {
		cp = utf8_next(text, n, &i);
		if (enc == SMS_GSM7)
			w[c++] = (unsigned char)gsm_cost(cp);
		else
			w[c++] = cp > 0xffff ? 2 : 1;
	}
	return c;
}

static void
segments(const char *text, size_t n, struct sms_info *out)
{
	size_t single, multi;
	unsigned char *w;

	single = out->enc == SMS_GSM7 ? GSM_SINGLE : UCS2_SINGLE;
	multi = out->enc == SMS_GSM7 ? GSM_MULTI : UCS2_MULTI;
	out->per_segment = single;
	if (out->units == 0)
		out->segments = 0;
	else if (out->units <= single)
		out->segments = 1;
	else {
		w = xmalloc(out->chars);
		widths(text, n, out->enc, w);
		out->segments = pack(w, out->chars, multi);
		out->per_segment = multi;
		free(w);
	}
}

void
sms_analyse(const char *text, size_t n, struct sms_info *out)
{
	size_t i = 0, septets = 0, utf16 = 0;
	int gsm = 1, cost;
	uint32_t cp;

	memset(out, 0, sizeof(*out));
	while (i < n) {
		cp = utf8_next(text, n, &i);
		out->chars++;
		utf16 += cp > 0xffff ? 2 : 1;
		if (gsm && (cost = gsm_cost(cp)) > 0)
			septets += (size_t)cost;
		else
			gsm = 0;
	}
	out->enc = gsm ? SMS_GSM7 : SMS_UCS2;
	out->units = gsm ? septets : utf16;
	segments(text, n, out);
}

static int
is_break(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n';
}

/*
 * Length in bytes of the next part of s (n bytes), and in *skip the bytes
 * of the blank it breaks at.  A part ends before the last blank (space,
 * tab or newline) among the first limit + 1 characters, and that blank is
 * dropped; with no such blank it is cut after `limit` characters.
 */
static size_t
next_part(const char *s, size_t n, size_t limit, size_t *skip)
{
	size_t i = 0, c, at, blank = 0;

	*skip = 0;
	for (c = 0; i < n; c++) {
		at = i;
		if (is_break(utf8_next(s, n, &i)) && at > 0)
			blank = at;
		if (c == limit) {
			*skip = blank ? 1 : 0;
			return blank ? blank : at;
		}
	}
	return n;
}

/* A limit of 0 means no limit.  The array ends with a NULL. */
int
sms_split(const char *text, size_t limit, char ***parts)
{
	size_t n = strlen(text), len, skip = 0, cap = 4;
	int count = 0;
	char **v = xmalloc(cap * sizeof(*v));

	while (n > 0) {
		len = limit ? next_part(text, n, limit, &skip) : n;
		if ((size_t)count + 2 > cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[count++] = xstrndup(text, len);
		text += len + skip;
		n -= len + skip;
	}
	v[count] = NULL;
	*parts = v;
	return count;
}
