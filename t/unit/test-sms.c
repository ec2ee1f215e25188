/*
 * test-sms.c - GSM-7 / UCS-2 detection, unit counts, segment boundaries
 * and splitting.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "sms.h"
#include "unit.h"

#define EMOJI "\xf0\x9f\x98\x80"	/* U+1F600, outside the BMP */

static struct sms_info info;

static const struct sms_info *
an(const char *s)
{
	sms_analyse(s, strlen(s), &info);
	return &info;
}

/* A malloc'd string: `pre`, then n copies of c, then `post`. */
static char *
rep(const char *pre, size_t n, int c, const char *post)
{
	struct sb sb = SB_INIT;

	sb_adds(&sb, pre);
	while (n-- > 0)
		sb_addc(&sb, c);
	sb_adds(&sb, post);
	return sb_detach(&sb, NULL);
}

/* Check encoding, units and segments of a generated text, and free it. */
static void
seg(char *s, enum sms_encoding enc, size_t units, int segs, const char *what)
{
	an(s);
	CHECK_INT(info.enc, enc, what);
	CHECK_INT(info.units, units, what);
	CHECK_INT(info.segments, segs, what);
	free(s);
}

static void
test_gsm7(void)
{
	an("");
	CHECK_INT(info.enc, SMS_GSM7, "empty is GSM-7");
	CHECK_INT(info.segments, 0, "empty has no segments");
	CHECK_INT(info.units, 0, "empty has no units");
	CHECK_INT(info.chars, 0, "empty has no chars");

	seg(rep("", 160, 'a', ""), SMS_GSM7, 160, 1, "160 plain");
	CHECK_INT(info.per_segment, 160, "160 plain: 160 per part");
	seg(rep("", 161, 'a', ""), SMS_GSM7, 161, 2, "161 plain");
	CHECK_INT(info.per_segment, 153, "161 plain: 153 per part");
	seg(rep("", 306, 'a', ""), SMS_GSM7, 306, 2, "306 plain");
	seg(rep("", 307, 'a', ""), SMS_GSM7, 307, 3, "307 plain");
	seg(rep("", 459, 'a', ""), SMS_GSM7, 459, 3, "459 plain");
	seg(rep("", 460, 'a', ""), SMS_GSM7, 460, 4, "460 plain");

	seg(rep("", 158, 'a', "\xe2\x82\xac"), SMS_GSM7, 160, 1, "158 + euro");
	seg(rep("", 159, 'a', "\xe2\x82\xac"), SMS_GSM7, 161, 2, "159 + euro");
	CHECK_INT(info.chars, 160, "159 + euro is 160 chars");
	seg(rep("", 159, 'a', "{"), SMS_GSM7, 161, 2, "159 + brace");
	seg(rep("", 152, 'a', "\xe2\x82\xac"), SMS_GSM7, 154, 1,
	    "152 + euro fits one part");
	{
		char *s = rep("", 152, 'a', "\xe2\x82\xac");
		char *t = rep(s, 152, 'a', "");

		/* the escape would be septet 153: the pair moves on */
		free(s);
		seg(t, SMS_GSM7, 306, 3, "euro on the boundary needs 3 parts");
	}
}

static void
test_alphabet(void)
{
	static const char basic[] = "@\xc2\xa3$\xc2\xa5\xc3\xa8\xc3\xa9"
	    "\xc3\xb9\xc3\xac\xc3\xb2\xc3\x87\n\xc3\x98\xc3\xb8\r\xc3\x85"
	    "\xc3\xa5\xce\x94_\xce\xa6\xce\x93\xce\x9b\xce\xa9\xce\xa0"
	    "\xce\xa8\xce\xa3\xce\x98\xce\x9e\xc3\x86\xc3\xa6\xc3\x9f"
	    "\xc3\x89 !\"#\xc2\xa4%&'()*+,-./0123456789:;<=>?\xc2\xa1"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ\xc3\x84\xc3\x96\xc3\x91\xc3\x9c"
	    "\xc2\xa7\xc2\xbf" "abcdefghijklmnopqrstuvwxyz\xc3\xa4\xc3\xb6"
	    "\xc3\xb1\xc3\xbc\xc3\xa0";

	an(basic);
	CHECK_INT(info.enc, SMS_GSM7, "whole default alphabet is GSM-7");
	CHECK_INT(info.chars, 127, "default alphabet: 127 chars (no ESC)");
	CHECK_INT(info.units, 127, "default alphabet: one septet each");
	CHECK_INT(info.segments, 1, "default alphabet: one part");

	an("^{}\\[~]|\xe2\x82\xac");
	CHECK_INT(info.enc, SMS_GSM7, "extension table is GSM-7");
	CHECK_INT(info.chars, 9, "extension table: 9 chars");
	CHECK_INT(info.units, 18, "extension table: two septets each");

	an("caf\xc3\xa9");
	CHECK_INT(info.enc, SMS_GSM7, "e acute stays GSM-7");
	CHECK_INT(info.units, 4, "e acute is one septet");
	an("for\xc3\xaat");
	CHECK_INT(info.enc, SMS_UCS2, "e circumflex makes UCS-2");
	CHECK_INT(info.units, 5, "e circumflex: 5 UTF-16 units");
	an("gar\xc3\xa7on");
	CHECK_INT(info.enc, SMS_UCS2, "lowercase c cedilla is not GSM-7");
	an("\xc3\x87" "a");
	CHECK_INT(info.enc, SMS_GSM7, "capital C cedilla is GSM-7");
	an("a`b");
	CHECK_INT(info.enc, SMS_UCS2, "backtick is not GSM-7");
	an("a\tb");
	CHECK_INT(info.enc, SMS_UCS2, "tab is not GSM-7");
	an("line\r\nline");
	CHECK_INT(info.enc, SMS_GSM7, "CR LF are GSM-7");
	CHECK_INT(info.units, 10, "CR LF one septet each");
	an("\xce\xb1");
	CHECK_INT(info.enc, SMS_UCS2, "lowercase alpha is not GSM-7");
}

static void
test_ucs2(void)
{
	an(EMOJI);
	CHECK_INT(info.enc, SMS_UCS2, "emoji makes UCS-2");
	CHECK_INT(info.units, 2, "emoji is two UTF-16 units");
	CHECK_INT(info.chars, 1, "emoji is one char");
	CHECK_INT(info.segments, 1, "emoji alone is one part");
	CHECK_INT(info.per_segment, 70, "UCS-2 single part holds 70");

	seg(rep("", 68, 'a', EMOJI), SMS_UCS2, 70, 1, "68 + emoji");
	seg(rep("", 69, 'a', EMOJI), SMS_UCS2, 71, 2, "69 + emoji");
	CHECK_INT(info.per_segment, 67, "UCS-2 parts hold 67");
	seg(rep("\xc3\xaa", 69, 'a', ""), SMS_UCS2, 70, 1, "70 UCS-2");
	seg(rep("\xc3\xaa", 70, 'a', ""), SMS_UCS2, 71, 2, "71 UCS-2");
	seg(rep("\xc3\xaa", 133, 'a', ""), SMS_UCS2, 134, 2, "134 UCS-2");
	seg(rep("\xc3\xaa", 134, 'a', ""), SMS_UCS2, 135, 3, "135 UCS-2");
	seg(rep("", 160, 'a', EMOJI), SMS_UCS2, 162, 3,
	    "160 plain + emoji is UCS-2");
	{
		/* the surrogate pair would straddle unit 67 */
		char *s = rep("\xc3\xaa", 65, 'a', EMOJI);
		char *t = rep(s, 66, 'a', "");

		free(s);
		seg(t, SMS_UCS2, 134, 3, "emoji on the boundary needs 3 parts");
	}
}

static void
free_parts(char **p)
{
	for (char **q = p; *q; q++)
		free(*q);
	free(p);
}

static void
split(const char *s, size_t limit, const char *want, const char *what)
{
	struct sb got = SB_INIT;
	char **p;
	int n = sms_split(s, limit, &p);

	for (int i = 0; i < n; i++)
		sb_addf(&got, "%s[%s]", i ? " " : "", p[i]);
	CHECK_STR(got.buf, want, what);
	CHECK(p[n] == NULL, "parts end with NULL");
	sb_release(&got);
	free_parts(p);
}

static void
test_split(void)
{
	split("", 10, "", "split empty");
	split("hello", 10, "[hello]", "split short");
	split("abcd", 4, "[abcd]", "split exactly the limit");
	split("hello world", 5, "[hello] [world]", "split at the blank");
	split("hello world", 8, "[hello] [world]", "split before limit");
	split("one two three", 8, "[one two] [three]", "split at last blank");
	split("one two three", 7, "[one two] [three]",
	    "blank just after the limit");
	split("abcdefghij", 4, "[abcd] [efgh] [ij]", "split without blanks");
	split(" abcdefgh", 4, "[ abc] [defg] [h]", "leading blank is no break");
	split("ab\ncd ef", 5, "[ab\ncd] [ef]", "newline is a break too");
	split("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 2,
	    "[\xc3\xa9\xc3\xa9] [\xc3\xa9\xc3\xa9] [\xc3\xa9]",
	    "split counts code points");
	split(EMOJI EMOJI EMOJI, 2, "[" EMOJI EMOJI "] [" EMOJI "]",
	    "split never cuts a 4-byte character");
	split("hello world", 0, "[hello world]", "limit 0: no split");
	split("aaaa ", 4, "[aaaa]", "trailing blank dropped at the break");
}

int
main(void)
{
	test_gsm7();
	test_alphabet();
	test_ucs2();
	test_split();
	return UNIT_DONE();
}
