/*
 * fuzz-names.c - libFuzzer target for the small parsers of names and
 * values given on command lines and in records: msg_parse_name,
 * name_valid, phone_normalize (with several countries), email_normalize,
 * time_parse (UTC and a zone with DST) and kv_parse of the same bytes.
 *
 *	t/fuzz/run 60    (builds it like every t/fuzz/fuzz-*.c)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kv.h"
#include "msg.h"
#include "phone.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *countries[] = { "US", "GB", "FR", "DE", "AU", "",
	    "ZZ" };
	static const char *zones[] = { "UTC", "America/Chicago", NULL };
	struct kv kv = KV_INIT;
	char *s, *uniq = NULL, flags[16], out[400];
	time_t t;

	if (size > 4096)
		return 0;
	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	/* the strings as a command line gives them: up to the first NUL */
	if (msg_parse_name(s, &uniq, flags, sizeof(flags)) == 0)
		(void)name_valid(uniq);
	free(uniq);
	uniq = NULL;
	if (msg_parse_name(s, &uniq, NULL, 0) == 0)
		free(uniq);
	(void)name_valid(s);
	for (size_t i = 0; i < sizeof(countries) / sizeof(*countries); i++)
		if (phone_normalize(s, countries[i], out, sizeof(out)) == 0)
			(void)phone_is_e164(out);
	(void)phone_normalize(s, "US", out, 17);
	(void)email_normalize(s, out, sizeof(out));
	(void)email_normalize(s, out, 8);
	(void)is_email(s);
	for (size_t i = 0; i < sizeof(zones) / sizeof(*zones); i++)
		(void)time_parse(s, zones[i], &t);
	(void)time_parse_rfc2822(s, &t);
	inbox_error_clear();
	/* a record file is bytes: NULs and all */
	memcpy(s, data, size);
	if (kv_parse(&kv, s, size) == 0) {
		struct sb f = SB_INIT;

		kv_format(&kv, &f);
		sb_release(&f);
	}
	kv_free(&kv);
	inbox_error_clear();
	free(s);
	return 0;
}
