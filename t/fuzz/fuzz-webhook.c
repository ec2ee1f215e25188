/*
 * fuzz-webhook.c - libFuzzer target for lib/event.c: what a provider
 * posts to inbox-recv.  The first byte picks the format (Twilio form,
 * WhatsApp Cloud API JSON, the generic JSON, a Kannel query, or auto
 * detection), the rest is the body; every event parsed is walked and
 * freed.
 *
 *	t/fuzz/run 60    (builds it like every t/fuzz/fuzz-*.c)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
touch(const char *s)
{
	return s ? strlen(s) : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *formats[] = { "twilio", "whatsapp", "json",
	    "kannel", NULL };
	const char *format;
	struct event ev;
	char *buf;
	size_t n = 0;

	if (size == 0)
		return 0;
	format = formats[data[0] % (sizeof(formats) / sizeof(*formats))];
	data++;
	size--;
	/* a private copy, so reads past the end are caught */
	buf = xmalloc(size ? size : 1);
	memcpy(buf, data, size);
	(void)event_detect(buf, size);
	memset(&ev, 0, sizeof(ev));
	if (event_parse(&ev, format, buf, size) == 0) {
		for (const struct event *e = &ev; e; e = e->next) {
			n += touch(e->channel) + touch(e->from) +
			    touch(e->to) + touch(e->from_name) +
			    touch(e->provider_id) + touch(e->body) +
			    touch(e->status) + touch(e->error_code) +
			    touch(e->error_text) + touch(e->call_status) +
			    touch(e->recording_url) + touch(e->transcript);
			for (size_t i = 0; i < e->nmedia; i++)
				n += touch(e->media[i].url) +
				    touch(e->media[i].type) +
				    touch(e->media[i].id) +
				    touch(e->media[i].caption);
			(void)event_auto_submitted(e);
		}
	}
	event_free(&ev);
	inbox_error_clear();
	free(buf);
	return n == (size_t)-1;
}
