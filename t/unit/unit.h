/*
 * unit.h - a few macros for the C unit tests of lib/.  Each test program
 * prints TAP ("ok N - what" / "not ok N - what") and exits non-zero when
 * any check failed.
 */
#ifndef INBOX_UNIT_H
#define INBOX_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int unit_n, unit_failed;

#define CHECK(cond, what) do { \
	unit_n++; \
	if (cond) \
		printf("ok %d - %s\n", unit_n, (what)); \
	else { \
		unit_failed++; \
		printf("not ok %d - %s (%s:%d: %s)\n", unit_n, (what), \
		    __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_STR(got, want, what) do { \
	const char *g_ = (got), *w_ = (want); \
	int ok_ = g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_; \
	CHECK(ok_, what); \
	if (!ok_) \
		printf("#   got  \"%s\"\n#   want \"%s\"\n", g_ ? g_ : "(null)", \
		    w_ ? w_ : "(null)"); \
} while (0)

#define CHECK_INT(got, want, what) do { \
	long long g_ = (got), w_ = (want); \
	CHECK(g_ == w_, what); \
	if (g_ != w_) \
		printf("#   got  %lld\n#   want %lld\n", g_, w_); \
} while (0)

/* Out of memory (lib/util.h): a test cannot go on. */
void
inbox_oom(void)
{
	printf("Bail out! out of memory\n");
	exit(1);
}

/*
 * The output of a shell command run in dir, trimmed, into out (or not
 * kept, out NULL); its status as pclose() gives it.
 */
static inline int
unit_sh(const char *dir, const char *cmd, struct sb *out)
{
	struct sb c = SB_INIT;
	FILE *f;
	char buf[4096];
	size_t n;
	int st;

	if (out)
		sb_reset(out);
	sb_addf(&c, "cd '%s' && { %s; } 2>&1", dir, cmd);
	f = popen(c.buf, "r");
	sb_release(&c);
	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (out)
			sb_add(out, buf, n);
	st = pclose(f);
	if (out)
		sb_rtrim(out);
	return st;
}

#define UNIT_DONE() (printf("1..%d\n", unit_n), unit_failed ? 1 : 0)

#endif
