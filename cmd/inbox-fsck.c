/*
 * inbox-fsck - check the store against git and the maildir rules, one
 * line per problem ("KIND<TAB>path<TAB>what"); with --repair, fix what a
 * crash can leave behind in one commit; with --reindex, make .git/index
 * match HEAD so that git status is clean.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fsck.h"
#include "conv.h"
#include "json.h"
#include "media.h"
#include "msg.h"
#include "store.h"
#include "summary.h"
#include "words.h"

enum { OPT_REPAIR = OPT_FIRST_CMD, OPT_REINDEX, OPT_REFETCH };

static struct cli c;
static int repair, reindex, refetch;

static void record(const char *, const char *, const char *, const char *);

/*
 * --refetch: media that could not be fetched when a message arrived are
 * fetched again; a message whose media all come is rewritten, in one
 * commit.  Returns the number still missing.
 */
static int
do_refetch(struct store *st)
{
	char *top = store_path(st, "conv");
	DIR *d = opendir(top);
	struct dirent *e;
	int fixed = 0, missing = 0;

	if (store_lock(st) < 0) {
		free(top);
		if (d)
			closedir(d);
		return warn_lib();
	}
	while (d && (e = readdir(d))) {
		char *sub = path_join(top, e->d_name);
		DIR *d2 = e->d_name[0] == '.' ? NULL : opendir(sub);
		struct dirent *e2;

		while (d2 && (e2 = readdir(d2))) {
			char **paths;
			size_t n;

			if (!conv_id_valid(e2->d_name) ||
			    conv_messages(st, e2->d_name, &paths, &n) < 0)
				continue;
			for (size_t i = 0; i < n; i++) {
				struct msg m;
				int r;

				if (msg_load_path(&m, st, paths[i]) < 0) {
					inbox_error_clear();
					continue;
				}
				r = media_refetch(st, &m);
				if (r > 0) {
					fixed++;
					store_trailer(st, "Refetched", paths[i]);
					record("refetched", paths[i], "media "
					    "fetched", NULL);
				} else if (r == 0 &&
				    msg_get(&m, "X-Inbox-Media-Error")) {
					missing++;
					record("media", paths[i], msg_get(&m,
					    "X-Inbox-Media-Error"), NULL);
				} else if (r < 0)
					warn_lib();
				msg_free(&m);
			}
			strv_free(paths, n);
		}
		if (d2)
			closedir(d2);
		free(sub);
	}
	if (d)
		closedir(d);
	free(top);
	if (fixed && store_commit(st, "refetch media of %d message%s", fixed,
	    fixed == 1 ? "" : "s") < 0)
		return warn_lib();
	store_unlock(st);
	return missing;
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-fsck [-q] [-C DIR] [-u USER] [--json] [--repair] "
	    "[--reindex] [--refetch]\n");
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
		{ "refetch", no_argument, NULL, OPT_REFETCH },
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
		case OPT_REFETCH: refetch = 1; break;
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
		else if (repo_reindex(st->repo) < 0 ||
		    summary_reset(st) < 0 || words_reset(st) < 0)
			err = warn_lib();
	}
	if (refetch && !err && (r = do_refetch(st)) > 0)
		left += (size_t)r;
	if (err)
		r = err;
	else if (left)
		r = INBOX_ENOMATCH;
	fsck_free(&f);
	store_close(st);
	return cli_done(r);
}
