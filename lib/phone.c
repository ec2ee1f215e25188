/*
 * phone.c - telephone numbers to E.164 (ITU-T E.164, national numbering
 * plans of the countries below) and email address normalisation.
 *
 * A number is read in three steps: scan() keeps the digits and notes a
 * leading '+', an international prefix ("00", or the country's own such
 * as "011") turns the rest into an international number, and a national
 * number loses its trunk prefix and gains the country code.  National
 * numbers are checked against the country's lengths; international ones
 * only against E.164 (8 to 15 digits) and, for +1, the NANP shape.
 */
#include <string.h>

#include "util.h"
#include "phone.h"

#define E164_MIN 8
#define E164_MAX 15

struct country {
	const char *iso;	/* ISO 3166 alpha-2 */
	const char *cc;		/* country calling code */
	const char *idd;	/* international prefix, besides "00" */
	char trunk;		/* national trunk prefix, or 0 */
	int min, max;		/* digits of the national significant number */
	int lead0;		/* 1 when that number may start with 0 */
};

static const struct country countries[] = {
	{ "US", "1", "011", '\0', 10, 10, 0 },
	{ "CA", "1", "011", '\0', 10, 10, 0 },
	{ "GB", "44", "00", '0', 9, 10, 0 },
	{ "IE", "353", "00", '0', 7, 9, 0 },
	{ "FR", "33", "00", '0', 9, 9, 0 },
	{ "DE", "49", "00", '0', 6, 13, 0 },
	{ "ES", "34", "00", '\0', 9, 9, 0 },
	{ "IT", "39", "00", '\0', 6, 11, 1 },	/* no trunk: 0 is kept */
	{ "NL", "31", "00", '0', 9, 9, 0 },
	{ "BE", "32", "00", '0', 8, 9, 0 },
	{ "AU", "61", "0011", '0', 9, 9, 0 },
	{ "NZ", "64", "00", '0', 8, 10, 0 },
	{ "MX", "52", "00", '\0', 10, 10, 0 },
	{ "BR", "55", "00", '0', 10, 11, 0 },
	{ "IN", "91", "00", '0', 10, 10, 0 },
	{ "ZA", "27", "00", '0', 9, 9, 0 },
};
#define NCOUNTRIES (sizeof(countries) / sizeof(countries[0]))

struct num {
	char d[E164_MAX + 8];	/* the digits, NUL-terminated */
	size_t n;
	int intl;		/* started with '+' */
};

static const struct country *
by_iso(const char *iso)
{
	size_t i;

	if (iso == NULL)
		return NULL;
	for (i = 0; i < NCOUNTRIES; i++)
		if (str_ieq(countries[i].iso, iso))
			return &countries[i];
	return NULL;
}

/* The country whose calling code starts d (the codes are prefix-free). */
static const struct country *
by_code(const char *d)
{
	size_t i;

	for (i = 0; i < NCOUNTRIES; i++)
		if (str_startswith(d, countries[i].cc))
			return &countries[i];
	return NULL;
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int
not_phone(const char *in)
{
	return inbox_error(INBOX_EDATA, "'%.64s' is not a phone number", in);
}

static int
too_long(const char *in)
{
	return inbox_error(INBOX_EDATA, "'%.64s' has too many digits for a "
	    "phone number", in);
}

static int
too_short(const char *in)
{
	return inbox_error(INBOX_EDATA, "'%.64s' has too few digits for a "
	    "phone number", in);
}

/*
 * Keep the digits of `in`: an optional "tel:", an optional '+', then
 * digits, blanks, dots, dashes and parentheses.  After a '+' a "(0)" is
 * the trunk prefix written for national callers and is dropped.
 */
static int
scan(const char *in, struct num *num)
{
	const char *s = in;

	memset(num, 0, sizeof(*num));
	while (is_blank(*s))
		s++;
	if ((s[0] | 0x20) == 't' && (s[1] | 0x20) == 'e' &&
	    (s[2] | 0x20) == 'l' && s[3] == ':')
		s += 4;
	while (is_blank(*s))
		s++;
	if (*s == '+') {
		num->intl = 1;
		s++;
	}
	/* a number starts with a digit or "(": "-1512..." is no number */
	if (*s != '(' && (*s < '0' || *s > '9'))
		return not_phone(in);
	for (; *s; s++) {
		if (num->intl && strncmp(s, "(0)", 3) == 0)
			s += 2;
		else if (*s >= '0' && *s <= '9') {
			if (num->n == sizeof(num->d) - 1)
				return too_long(in);
			num->d[num->n++] = *s;
		} else if (!is_blank(*s) && !strchr(".-()", *s))
			return not_phone(in);
	}
	if (num->n == 0)
		return not_phone(in);
	return 0;
}

/* Remove k digits from the front. */
static void
drop(struct num *num, size_t k)
{
	memmove(num->d, num->d + k, num->n - k + 1);
	num->n -= k;
}

/* Check a national significant number against its country's plan. */
static int
check_nsn(const struct country *c, const char *nsn, const char *in)
{
	size_t n = strlen(nsn);

	if (n < (size_t)c->min)
		return too_short(in);
	if (n > (size_t)c->max)
		return too_long(in);
	if (strcmp(c->cc, "1") == 0 && nsn[0] < '2')
		return inbox_error(INBOX_EDATA, "'%.64s' is not a valid "
		    "North American number", in);
	if (nsn[0] == '0' && !c->lead0)
		return not_phone(in);
	return 0;
}

/* Turn the digits after an international prefix into cc + NSN. */
static int
international(struct num *num, const char *in)
{
	const struct country *c;
	size_t k;

	if (num->d[0] == '0')
		return inbox_error(INBOX_EDATA, "'%.64s' has no country code",
		    in);
	if ((c = by_code(num->d)) != NULL) {
		k = strlen(c->cc);
		if (c->trunk && num->d[k] == c->trunk) {
			/* "+44 020 ...": the trunk 0 written anyway */
			memmove(num->d + k, num->d + k + 1, num->n - k);
			num->n--;
		}
		if (strcmp(c->cc, "1") == 0 &&
		    check_nsn(c, num->d + k, in) == -1)
			return -1;
	}
	if (num->n < E164_MIN)
		return too_short(in);
	if (num->n > E164_MAX)
		return too_long(in);
	return 0;
}

/* A national number: drop the trunk prefix and add the country code. */
static int
national(struct num *num, const struct country *c, const char *in)
{
	size_t k = strlen(c->cc);

	if (strcmp(c->cc, "1") == 0 && num->n == 11 && num->d[0] == '1')
		drop(num, 1);
	else if (c->trunk && num->d[0] == c->trunk)
		drop(num, 1);
	if (check_nsn(c, num->d, in) == -1)
		return -1;
	memmove(num->d + k, num->d, num->n + 1);
	memcpy(num->d, c->cc, k);
	num->n += k;
	return international(num, in);
}

/* The length of the international prefix that starts a national number. */
static size_t
idd_len(const struct num *num, const struct country *c)
{
	size_t k;

	if (c && (k = strlen(c->idd)) < num->n &&
	    strncmp(num->d, c->idd, k) == 0)
		return k;
	if (num->n > 2 && strncmp(num->d, "00", 2) == 0)
		return 2;
	return 0;
}

int
phone_normalize(const char *in, const char *country, char *out, size_t n)
{
	const struct country *c = by_iso(country);
	struct num num;
	size_t k;

	if (in[strspn(in, " \t")] == '\0')
		return inbox_error(INBOX_EDATA, "empty phone number");
	if (scan(in, &num) == -1)
		return -1;
	if (!num.intl && (k = idd_len(&num, c)) > 0) {
		drop(&num, k);
		num.intl = 1;
	}
	if (num.intl) {
		if (international(&num, in) == -1)
			return -1;
	} else if (c == NULL && country && *country)
		return inbox_error(INBOX_EDATA, "'%.64s' needs a country code: "
		    "unknown country '%.8s'", in, country);
	else if (c == NULL)
		return inbox_error(INBOX_EDATA, "'%.64s' needs a country code: "
		    "no country set", in);
	else if (national(&num, c, in) == -1)
		return -1;
	if (num.n + 2 > n)
		return inbox_error(INBOX_EFAIL, "no room for phone number");
	out[0] = '+';
	memcpy(out + 1, num.d, num.n + 1);
	return 0;
}

int
phone_is_e164(const char *s)
{
	size_t n;

	if (s[0] != '+' || s[1] < '1' || s[1] > '9')
		return 0;
	n = strspn(s + 1, "0123456789");
	return s[n + 1] == '\0' && n >= E164_MIN && n <= E164_MAX;
}

const char *
phone_country_code(const char *country)
{
	const struct country *c = by_iso(country);

	return c ? c->cc : NULL;
}

/* --- email --------------------------------------------------------- */

static int
email_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
not_email(const char *in)
{
	return inbox_error(INBOX_EDATA, "'%.64s' is not an email address", in);
}

int
email_normalize(const char *in, char *out, size_t n)
{
	const char *s = in, *e, *at = NULL, *p;
	size_t len;

	while (email_space((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && email_space((unsigned char)e[-1]))
		e--;
	for (p = s; p < e; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '@' && at)
			return not_email(in);
		if (c == '@')
			at = p;
		else if (c <= ' ' || c == 0x7f || c == '<' || c == '>')
			return not_email(in);
	}
	if (at == NULL || at == s || at == e - 1)
		return not_email(in);
	len = (size_t)(e - s);
	if (len + 1 > n)
		return inbox_error(INBOX_EDATA, "'%.64s' is too long for an "
		    "email address", in);
	for (p = s; p < e; p++)
		*out++ = *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p;
	*out = '\0';
	return 0;
}

int
is_email(const char *s)
{
	const char *at = strchr(s, '@');

	return at != NULL && strchr(at + 1, '@') == NULL;
}
