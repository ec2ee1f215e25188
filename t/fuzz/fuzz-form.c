/*
 * fuzz-form.c - libFuzzer target for lib/form.c: parse a form body or a
 * query string (Twilio webhooks, Kannel reports, CGI query strings), look
 * up the fields inbox-recv reads and encode every value back.
 *
 *	t/fuzz/run 60    (builds it like every t/fuzz/fuzz-*.c)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[] = { "MessageSid", "From", "To", "Body",
	    "NumMedia", "MediaUrl0", "MessageStatus", "format", "hub.mode",
	    "hub.challenge", "" };
	struct form f = { NULL, 0 };
	char *buf;

	/* a private copy, so reads past the end are caught */
	buf = xmalloc(size ? size : 1);
	memcpy(buf, data, size);
	if (form_parse(&f, buf, size) == 0) {
		for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
			(void)form_get(&f, names[i]);
		for (size_t i = 0; i < f.n; i++) {
			free(url_encode(f.v[i].name, 0));
			free(url_encode(f.v[i].value, 1));
		}
	}
	form_free(&f);
	inbox_error_clear();
	free(buf);
	return 0;
}
