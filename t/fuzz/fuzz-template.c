/*
 * fuzz-template.c - libFuzzer target for lib/template.c: render a
 * template text with a set of variables.  The input is "VARS\0TEXT":
 * VARS in the store's "key: value" form (parsed with kv_parse), TEXT the
 * template; without a NUL it is all TEXT and the variables are fixed.
 *
 *	t/fuzz/run 60    (builds it like every t/fuzz/fuzz-*.c)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "template.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kv vars = KV_INIT;
	const uint8_t *nul = memchr(data, '\0', size);
	char *text, *out = NULL;
	size_t tlen;

	if (nul) {
		char *v = xmalloc((size_t)(nul - data) + 1);

		memcpy(v, data, (size_t)(nul - data));
		v[nul - data] = '\0';
		if (kv_parse(&vars, v, (size_t)(nul - data)) < 0)
			inbox_error_clear();
		free(v);
		tlen = size - (size_t)(nul - data) - 1;
		data = nul + 1;
	} else {
		kv_set(&vars, "customer.first_name", "Jean");
		kv_set(&vars, "business.name", "Fieldco");
		kv_set(&vars, "job.time", "09:00");
		tlen = size;
	}
	/* the text as template_load gives it: NUL-terminated */
	text = xmalloc(tlen + 1);
	memcpy(text, data, tlen);
	text[tlen] = '\0';
	if (template_render("fuzz", text, &vars, &out) == 0)
		free(out);
	inbox_error_clear();
	free(text);
	kv_free(&vars);
	return 0;
}
