/*
 * phone.h - telephone numbers in E.164 and email addresses.
 *
 * Numbers are kept in E.164 ("+15125550100").  A national number is read
 * with the business country from inbox.yaml (ISO 3166 alpha-2, e.g. "US",
 * "GB", "FR", "DE", "AU", "CA"): its trunk prefix is dropped and the
 * country code added.  Blanks, dots, dashes, parentheses and a leading
 * "00" or "+" are understood; letters and anything else are not.
 */
#ifndef INBOX_PHONE_H
#define INBOX_PHONE_H

#include <stddef.h>

/* Normalise `in` to E.164 into out (at least 17 bytes).  Returns 0, or -1
 * with an error (class 65) when it is not a telephone number. */
int phone_normalize(const char *in, const char *country, char *out,
    size_t n);
/* 1 when `s` is already a plausible E.164 number: '+', 8 to 15 digits,
 * first digit not 0. */
int phone_is_e164(const char *s);
/* The country calling code for an ISO country ("US" -> "1"), or NULL. */
const char *phone_country_code(const char *country);
/* Normalise an email address (trim blanks, lowercase it all: mail
 * systems match mailboxes without regard to case in practice) into
 * out; -1 with an error (class 65) when it is not local@domain with no
 * blanks, control characters or angle brackets. */
int email_normalize(const char *in, char *out, size_t n);
/* 1 when s looks like an email address (contains one '@'). */
int is_email(const char *s);

#endif
