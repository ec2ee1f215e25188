/*
 * inbox-fsck - check the store against git and the maildir rules, one
 * line per problem ("KIND<TAB>path<TAB>what"); with --repair, fix what a
 * crash can leave behind in one commit; with --reindex, make .git/index
 * match HEAD so that git status is clean.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fsck.h"
#include "json.h"
#include "store.h"
#include "summary.h"

enum { OPT_REPAIR = OPT_FIRST_CMD, OPT_REINDEX };

static struct cli c;
static int repair, reindex;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-fsck [-q] [-C DIR] [-u USER] [--json] [--repair] "
	    "[--reindex]\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static void
record(const char *kind, const char *path, const char *what,
    const char *problem)
{
	struct json *j;
	char *line;

	if (c.quiet)
		return;
	if (!c.json) {
		printf("%s\t%s\t%s\n", kind, path, what);
		return;
	}
	j = json_obj();
	json_set_str(j, "kind", kind);
	json_set_str(j, "path", path);
	json_set_str(j, "what", what);
	if (problem)
		json_set_str(j, "problem", problem);
	line = json_dump(j);
	printf("%s\n", line);
	free(line);
	json_free(j);
}

/* Print every problem, or its fix; the number left unfixed. */
static size_t
report(const struct fsck *f)
{
	size_t left = 0;

	for (size_t i = 0; i < f->n; i++) {
		const struct fsck_problem *p = &f->v[i];
		const char *kind = fsck_kind_name(p->kind);

		if (p->fixed) {
			record("repaired", p->path, p->fixed, kind);
			continue;
		}
		record(kind, p->path, p->what, NULL);
		if (p->failed)
			warnx("cannot repair %s: %s", p->path, p->failed);
		left++;
	}
	return left;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "repair", no_argument, NULL, OPT_REPAIR },
		{ "reindex", no_argument, NULL, OPT_REINDEX },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct store *st;
	struct fsck f = FSCK_INIT;
	size_t left;
	int opt, r = 0, err = 0;

	cli_init("inbox-fsck");
	while ((opt = getopt_long(argc, argv, "hqC:u:", longopts, NULL)) != -1)
		switch (opt) {
		case OPT_REPAIR: repair = 1; break;
		case OPT_REINDEX: reindex = 1; break;
		default:
			if (!cli_option(&c, opt, optarg, usage))
				usage(1);
		}
	if (optind != argc)
		usage(1);
	if (store_open(&st, c.dir, "inbox-fsck", c.user) < 0)
		die_lib();
	/* a check looks without the lock; a repair holds it throughout */
	if ((repair || reindex) && store_lock(st) < 0)
		die_lib();
	if (fsck_check(st, &f) < 0)
		die_lib();
	if (repair && f.corrupt)
		warnx("not repairing: HEAD has missing or corrupt objects; "
		    "get them back from another copy of the store (git fetch) "
		    "or a backup first");
	else if (repair && fsck_repair(st, &f) < 0)
		err = warn_lib();
	left = report(&f);
	if (reindex && !err) {
		if (f.corrupt)
			warnx("not reindexing: HEAD has missing or corrupt "
			    "objects");
		else if (repo_reindex(st->repo) < 0 || summary_reset(st) < 0)
			err = warn_lib();
	}
	if (err)
		r = err;
	else if (left)
		r = INBOX_ENOMATCH;
	fsck_free(&f);
	store_close(st);
	return cli_done(r);
}
