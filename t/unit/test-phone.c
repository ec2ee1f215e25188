/*
 * test-phone.c - E.164 normalisation across the supported countries,
 * the numbers it refuses, and email address normalisation.
 */
#include <string.h>

#include "util.h"
#include "phone.h"
#include "unit.h"

/* The normalised number, or "ERR <class>: <message>". */
static const char *
norm(const char *in, const char *country)
{
	static char buf[256];
	char out[17];

	inbox_error_clear();
	if (phone_normalize(in, country, out, sizeof(out)) == -1)
		snprintf(buf, sizeof(buf), "ERR %d: %s", inbox_errcode(),
		    inbox_errmsg());
	else
		snprintf(buf, sizeof(buf), "%s", out);
	return buf;
}

static void
ok(const char *in, const char *country, const char *want)
{
	char what[128];

	snprintf(what, sizeof(what), "%s: '%s'", country ? country : "-", in);
	CHECK_STR(norm(in, country), want, what);
}

/* Refused, with class 65 and a message starting with `msg`. */
static void
bad(const char *in, const char *country, const char *msg)
{
	char what[128], want[160];
	const char *got = norm(in, country);

	snprintf(what, sizeof(what), "%s: '%s' refused", country ? country :
	    "-", in);
	snprintf(want, sizeof(want), "ERR 65: %s", msg);
	CHECK(strncmp(got, want, strlen(want)) == 0, what);
	if (strncmp(got, want, strlen(want)) != 0)
		printf("#   got  \"%s\"\n#   want \"%s...\"\n", got, want);
}

static void
test_nanp(void)
{
	ok("+1 (512) 555-0100", "US", "+15125550100");
	ok("512.555.0100", "US", "+15125550100");
	ok("15125550100", "US", "+15125550100");
	ok("1-512-555-0100", "US", "+15125550100");
	ok("(512) 555-0100", "US", "+15125550100");
	ok("512 555 0100", "us", "+15125550100");
	ok("  +15125550100\t", "US", "+15125550100");
	ok("tel:+1-512-555-0100", "US", "+15125550100");
	ok("TEL:+15125550100", NULL, "+15125550100");
	ok("+1 (512) 555-0100", NULL, "+15125550100");
	ok("613-555-0199", "CA", "+16135550199");
	ok("1 613 555 0199", "CA", "+16135550199");
	ok("011 44 20 7946 0958", "US", "+442079460958");
	ok("0044 20 7946 0958", "US", "+442079460958");

	bad("512 555 010", "US", "'512 555 010' has too few digits");
	bad("512 555 01000", "US", "'512 555 01000' has too many digits");
	bad("25125550100", "US", "'25125550100' has too many digits");
	bad("112 555 0100", "US", "'112 555 0100' is not a valid North");
	bad("012 555 0100", "US", "'012 555 0100' is not a valid North");
	bad("+1 512 555 010", NULL, "'+1 512 555 010' has too few digits");
	bad("+1 012 555 0100", NULL, "'+1 012 555 0100' is not a valid North");
	bad("+1 512 555 01000", NULL, "'+1 512 555 01000' has too many");
}

static void
test_europe(void)
{
	ok("0044 20 7946 0958", NULL, "+442079460958");
	ok("0044 20 7946 0958", "FR", "+442079460958");
	ok("+44 (0)20 7946 0958", NULL, "+442079460958");
	ok("+44(0)2079460958", "GB", "+442079460958");
	ok("+44 020 7946 0958", NULL, "+442079460958");
	ok("020 7946 0958", "GB", "+442079460958");
	ok("(0)20 7946 0958", "GB", "+442079460958");
	ok("07700 900123", "GB", "+447700900123");
	ok("20 7946 0958", "GB", "+442079460958");
	ok("01 234 5678", "IE", "+35312345678");
	ok("087 123 4567", "IE", "+353871234567");
	ok("+353 (0)87 123 4567", NULL, "+353871234567");
	ok("01 23 45 67 89", "FR", "+33123456789");
	ok("06.12.34.56.78", "FR", "+33612345678");
	ok("+33 6 12 34 56 78", "DE", "+33612345678");
	ok("030 1234567", "DE", "+49301234567");
	ok("0151 23456789", "DE", "+4915123456789");
	ok("612 34 56 78", "ES", "+34612345678");
	ok("91 123 45 67", "ES", "+34911234567");
	ok("06 1234 5678", "IT", "+390612345678");
	ok("312 345 6789", "IT", "+393123456789");
	ok("+39 06 1234 5678", NULL, "+390612345678");
	ok("020 123 4567", "NL", "+31201234567");
	ok("06-12345678", "NL", "+31612345678");
	ok("02 123 45 67", "BE", "+3221234567");
	ok("0470 12 34 56", "BE", "+32470123456");

	bad("01 23 45 67", "FR", "'01 23 45 67' has too few digits");
	bad("01 23 45 67 89 0", "FR", "'01 23 45 67 89 0' has too many");
	bad("012 345 678", "ES", "'012 345 678' is not a phone number");
	bad("+020 7946 0958", NULL, "'+020 7946 0958' has no country code");
	bad("0000 20 7946 0958", "GB", "'0000 20 7946 0958' has no country");
}

static void
test_elsewhere(void)
{
	ok("(02) 9876 5432", "AU", "+61298765432");
	ok("0412 345 678", "AU", "+61412345678");
	ok("0011 44 20 7946 0958", "AU", "+442079460958");
	ok("09 123 4567", "NZ", "+6491234567");
	ok("021 123 4567", "NZ", "+64211234567");
	ok("55 1234 5678", "MX", "+525512345678");
	ok("(11) 91234-5678", "BR", "+5511912345678");
	ok("011 91234-5678", "BR", "+5511912345678");
	ok("098765 43210", "IN", "+919876543210");
	ok("082 123 4567", "ZA", "+27821234567");
	ok("+86 138 0013 8000", NULL, "+8613800138000");
	ok("+354 123 4567", "US", "+3541234567");
	ok("+35312345", NULL, "+35312345");

	bad("0412 345 67", "AU", "'0412 345 67' has too few digits");
	bad("55 1234 567", "MX", "'55 1234 567' has too few digits");
}

static void
test_refused(void)
{
	char out[17], big[64];

	bad("", "US", "empty phone number");
	bad(" \t ", "US", "empty phone number");
	bad("abc", "US", "'abc' is not a phone number");
	bad("512-555-CALL", "US", "'512-555-CALL' is not a phone number");
	bad("+1 512 555 0100 ext 5", "US", "'+1 512 555 0100 ext 5' is not");
	bad("+1 512 555 0100;ext=5", "US", "'+1 512 555 0100;ext=5' is not");
	bad("030/1234567", "DE", "'030/1234567' is not a phone number");
	bad("1+5125550100", "US", "'1+5125550100' is not a phone number");
	bad("++15125550100", "US", "'++15125550100' is not a phone number");
	bad("tel:", "US", "'tel:' is not a phone number");
	bad("+", NULL, "'+' is not a phone number");
	bad("---", "US", "'---' is not a phone number");
	bad("\xef\xbc\x95\xef\xbc\x91\xef\xbc\x92", "US", "'");
	bad("5125550100", NULL, "'5125550100' needs a country code: no");
	bad("5125550100", "", "'5125550100' needs a country code: no");
	bad("5125550100", "XX", "'5125550100' needs a country code: unknown "
	    "country 'XX'");
	bad("+123", NULL, "'+123' has too few digits");
	bad("+1234567", NULL, "'+1234567' has too few digits");
	bad("+8613800138000123", NULL, "'+8613800138000123' has too many");
	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bad(big, "US", "'99999");

	CHECK_INT(phone_normalize("+15125550100", NULL, out, 12), -1,
	    "too small a buffer is refused");
	CHECK_INT(phone_normalize("+15125550100", NULL, out, 13), 0,
	    "a buffer of exactly the size is enough");
}

static void
test_e164(void)
{
	CHECK_INT(phone_is_e164("+15125550100"), 1, "e164 US");
	CHECK_INT(phone_is_e164("+12345678"), 1, "e164 8 digits");
	CHECK_INT(phone_is_e164("+123456789012345"), 1, "e164 15 digits");
	CHECK_INT(phone_is_e164("+1234567890123456"), 0, "e164 16 digits");
	CHECK_INT(phone_is_e164("+1234567"), 0, "e164 7 digits");
	CHECK_INT(phone_is_e164("15125550100"), 0, "e164 needs +");
	CHECK_INT(phone_is_e164("+0125550100"), 0, "e164 no leading 0");
	CHECK_INT(phone_is_e164("+1 5125550100"), 0, "e164 no blanks");
	CHECK_INT(phone_is_e164("+1512555010a"), 0, "e164 no letters");
	CHECK_INT(phone_is_e164(""), 0, "e164 empty");
	CHECK_INT(phone_is_e164("+"), 0, "e164 plus alone");

	CHECK_STR(phone_country_code("US"), "1", "code US");
	CHECK_STR(phone_country_code("CA"), "1", "code CA");
	CHECK_STR(phone_country_code("gb"), "44", "code gb");
	CHECK_STR(phone_country_code("IE"), "353", "code IE");
	CHECK_STR(phone_country_code("ZA"), "27", "code ZA");
	CHECK_STR(phone_country_code("XX"), NULL, "code XX");
	CHECK_STR(phone_country_code(""), NULL, "code empty");
	CHECK_STR(phone_country_code(NULL), NULL, "code NULL");
}

static const char *
enorm(const char *in, size_t n)
{
	static char buf[256];
	char out[64];

	if (email_normalize(in, out, n) == -1)
		snprintf(buf, sizeof(buf), "ERR %d: %s", inbox_errcode(),
		    inbox_errmsg());
	else
		snprintf(buf, sizeof(buf), "%s", out);
	return buf;
}

static void
test_email(void)
{
	CHECK_STR(enorm("Bob@Example.COM", 64), "bob@example.com",
	    "email lowercases the whole address");
	CHECK_STR(enorm("  Jane.Doe+Tag@Mail.Example.ORG \r\n", 64),
	    "jane.doe+tag@mail.example.org", "email trims blanks");
	CHECK_STR(enorm("Jos\xc3\xa9@Example.com", 64),
	    "jos\xc3\xa9@example.com", "email keeps UTF-8");
	CHECK_STR(enorm("no-at-sign", 64),
	    "ERR 65: 'no-at-sign' is not an email address", "email without @");
	CHECK_STR(enorm("a@b@c", 64), "ERR 65: 'a@b@c' is not an email address",
	    "email with two @");
	CHECK_STR(enorm("@example.com", 64),
	    "ERR 65: '@example.com' is not an email address", "email no local");
	CHECK_STR(enorm("bob@ ", 64), "ERR 65: 'bob@ ' is not an email address",
	    "email no domain");
	CHECK_STR(enorm("bob smith@example.com", 64),
	    "ERR 65: 'bob smith@example.com' is not an email address",
	    "email with a blank");
	CHECK_STR(enorm("<bob@example.com>", 64),
	    "ERR 65: '<bob@example.com>' is not an email address",
	    "email with angle brackets");
	CHECK_STR(enorm("bob@exa\x01mple.com", 64),
	    "ERR 65: 'bob@exa\x01mple.com' is not an email address",
	    "email with a control character");
	CHECK_STR(enorm("", 64), "ERR 65: '' is not an email address",
	    "email empty");
	CHECK_STR(enorm("bob@example.com", 16), "bob@example.com",
	    "email exactly fits");
	CHECK_STR(enorm("bob@example.com", 15),
	    "ERR 65: 'bob@example.com' is too long for an email address",
	    "email too long for the buffer");

	CHECK_INT(is_email("bob@example.com"), 1, "is_email");
	CHECK_INT(is_email("+15125550100"), 0, "is_email phone");
	CHECK_INT(is_email("a@b@c"), 0, "is_email two @");
	CHECK_INT(is_email(""), 0, "is_email empty");
}

int
main(void)
{
	test_nanp();
	test_europe();
	test_elsewhere();
	test_refused();
	test_e164();
	test_email();
	return UNIT_DONE();
}
