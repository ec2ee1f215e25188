/*
 * fuzz-config.c - libFuzzer target for lib/config.c: inbox.yaml as
 * anyone with write access to the store (or a sync from another copy)
 * may leave it.  The input is written to a temporary file, loaded, and
 * the settings the commands read are looked up; the document is then
 * walked without recursion, a bounded number of nodes.
 *
 *	t/fuzz/run 60    (builds it like every t/fuzz/fuzz-*.c)
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void
cleanup(void)
{
	if (*path)
		unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *keys[] = { "business.timezone", "business.country",
	    "channels.sms.transport", "channels.sms.spool", "send.tries",
	    "store.lock-timeout", "hooks.timeout", "quiet.window",
	    "hours.mon", "media.fetch", "compliance.help-reply",
	    "context.booking", "views", "a.b.c.d.e.f", "" };
	struct config *c = NULL;
	int stack[64], n = 0, seen = 0;
	FILE *f;

	if (!*path) {
		int fd;

		snprintf(path, sizeof(path), "/tmp/fuzz-config-%ld.yaml",
		    (long)getpid());
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			abort();
		close(fd);
		atexit(cleanup);
	}
	if (!(f = fopen(path, "w")) || fwrite(data, 1, size, f) != size ||
	    fclose(f) != 0)
		abort();
	if (config_load(&c, path) < 0) {
		config_free(c);
		inbox_error_clear();
		return 0;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		(void)config_str(c, keys[i], NULL);
		(void)config_int(c, keys[i], 0);
		(void)config_bool(c, keys[i], 0);
		inbox_error_clear();
	}
	/* the whole document, breadth first on a small stack */
	stack[n++] = config_node(c, 0, "");
	while (n > 0 && seen < 10000) {
		int node = stack[--n];
		size_t len = config_len(c, node);

		seen++;
		(void)config_scalar(c, node);
		(void)config_is_map(c, node);
		(void)config_is_seq(c, node);
		for (size_t i = 0; i < len && seen < 10000; i++) {
			const char *key = NULL;
			int sub = config_item(c, node, i, &key);

			if (key)
				(void)config_node(c, node, key);
			if (n < (int)(sizeof(stack) / sizeof(*stack)))
				stack[n++] = sub;
			seen++;
		}
	}
	config_free(c);
	inbox_error_clear();
	return 0;
}
