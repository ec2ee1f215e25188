/*
 * fuzz-mime.c - libFuzzer target for lib/mime.c: parse a message, walk
 * its MIME tree, take its text, decode From and Subject, and re-encode
 * the subject; everything is freed.
 *
 *	clang -std=c11 -D_GNU_SOURCE -g -O1 \
 *	    -fsanitize=fuzzer,address,undefined -Ilib t/fuzz/fuzz-mime.c \
 *	    lib/mime.c lib/crypto.c lib/util.c -o fuzz-mime
 *	./fuzz-mime -max_total_time=60 -max_len=65536 t/fuzz/corpus/mime
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail m;
	struct mail_part *parts;
	size_t n;
	char *buf, *s, *name, *addr;
	const char *v;

	/* a private copy, so reads past the end are caught */
	buf = xmalloc(size ? size : 1);
	memcpy(buf, data, size);
	if (mail_parse(&m, buf, size) == -1) {
		free(buf);
		return 0;
	}
	if (mail_parts(&m, &parts, &n) == 0)
		mail_parts_free(parts, n);
	free(mail_text(&m));
	if ((v = mail_get(&m, "From")) != NULL &&
	    mail_first_addr(v, &name, &addr) == 0) {
		free(name);
		free(addr);
	}
	if ((v = mail_get(&m, "Subject")) != NULL) {
		s = mail_decode_header(v);
		free(mail_encode_header(s));
		free(s);
	}
	if ((v = mail_get(&m, "Content-Disposition")) != NULL)
		free(mail_param(v, "filename"));
	mail_free(&m);
	free(buf);
	return 0;
}
