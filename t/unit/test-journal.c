/*
 * test-journal.c - repo_journal_paths(): the paths between two commits
 * from .git/inbox/journal, following the chain of commits whatever the
 * order of the lines, and saying "cannot tell" (1) when the chain breaks,
 * a line is torn or there is no journal, never a wrong answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repo.h"
#include "unit.h"
#include "util.h"

#define A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define C "cccccccccccccccccccccccccccccccccccccccc"
#define D "dddddddddddddddddddddddddddddddddddddddd"

static char root[] = "/tmp/inbox-unit-journal-XXXXXX";
static struct sb got;

/* Note the path; stop the walk when *arg says so. */
static int
collect(const char *path, int deleted, void *arg)
{
	(void)deleted;
	sb_addf(&got, "%s;", path);
	return arg ? *(int *)arg : 0;
}

static void
journal(const char *text)
{
	char *p = path_join(root, ".git/inbox/journal");
	FILE *f = fopen(p, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	free(p);
}

static void
paths(struct repo *r, const char *from, const char *to, int want_r,
    const char *want, const char *what)
{
	int rc;

	sb_reset(&got);
	rc = repo_journal_paths(r, from, to, collect, NULL);
	CHECK_INT(rc, want_r, what);
	if (want_r == 0)
		CHECK_STR(got.buf ? got.buf : "", want, what);
}

int
main(void)
{
	struct repo *r;
	char *dir;
	int stop = 1;

	if (!mkdtemp(root))
		return 1;
	dir = path_join(root, ".git/inbox");
	mkdir_p(dir);
	free(dir);
	if (repo_open(&r, root) < 0)
		return 1;

	paths(r, A, B, 1, "", "no journal: cannot tell");

	journal(A " " B "\tconv/ab/abcdef123456/new/m1\tidx/pid/00/x\n"
	    B " " C "\tcontacts/ab/jane\n");
	paths(r, A, B, 0, "conv/ab/abcdef123456/new/m1;idx/pid/00/x;",
	    "one commit");
	paths(r, A, C, 0, "conv/ab/abcdef123456/new/m1;idx/pid/00/x;"
	    "contacts/ab/jane;", "two commits in a chain");
	paths(r, B, C, 0, "contacts/ab/jane;", "from the middle");
	paths(r, C, C, 0, "", "no change: no paths");
	paths(r, A, D, 1, "", "a commit the journal never saw");
	paths(r, C, A, 1, "", "backwards (a reset): cannot tell");

	/* two writers append after their ref updates: out of order */
	journal(B " " C "\tsecond\n" A " " B "\tfirst\n");
	paths(r, A, C, 0, "first;second;", "lines out of order");

	/* a torn last line is not used */
	journal(A " " B "\tfirst\n" B " " C "\tsecond");
	paths(r, A, C, 1, "", "a torn line breaks the chain");
	paths(r, A, B, 0, "first;", "the lines before it still count");

	/* nonsense is not followed into a loop */
	journal(A " " B "\tx\n" B " " A "\ty\n");
	paths(r, A, C, 1, "", "a loop ends: cannot tell");
	journal("garbage\n\n" A "\n" A " " B "\tok\n");
	paths(r, A, B, 0, "ok;", "short and empty lines are skipped");

	journal(A " " B "\tone\ttwo\tthree\n");
	sb_reset(&got);
	CHECK_INT(repo_journal_paths(r, A, B, collect, &stop), 0,
	    "a callback that stops");
	CHECK_STR(got.buf, "one;", "stops after the first path");

	repo_close(r);
	sb_release(&got);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			return 1;
	}
	return UNIT_DONE();
}
