/*
 * inbox-maint - for cron: pack git's loose objects (every commit leaves a
 * few) and rebuild the listing cache and the word index.  Holds the store
 * lock while git packs, so no command writes meanwhile.  By default the
 * packing is incremental (git repack --geometric: what is loose and the
 * small packs, in memory and time in proportion to them); --full packs
 * every object the history reaches again into one pack (repack.c) and
 * drops the rest.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "repack.h"
#include "store.h"
#include "summary.h"
#include "words.h"

static struct cli c;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-maint [-q] [-C DIR] [-u USER] [--full | --no-pack]\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

/* Loose objects and the bytes under .git/objects. */
static void
census(const char *root, long *loose, long long *bytes)
{
	char *objs = path_join(root, ".git/objects");
	DIR *d = opendir(objs);
	struct dirent *e;

	*loose = 0;
	*bytes = 0;
	while (d && (e = readdir(d))) {
		char *sub;
		DIR *d2;
		struct dirent *e2;
		int isloose = strlen(e->d_name) == 2;

		if (e->d_name[0] == '.')
			continue;
		sub = path_join(objs, e->d_name);
		d2 = opendir(sub);
		while (d2 && (e2 = readdir(d2))) {
			struct stat sbuf;
			char *p;

			if (e2->d_name[0] == '.')
				continue;
			p = path_join(sub, e2->d_name);
			if (stat(p, &sbuf) == 0 && S_ISREG(sbuf.st_mode)) {
				*bytes += sbuf.st_size;
				*loose += isloose;
			}
			free(p);
		}
		if (d2)
			closedir(d2);
		free(sub);
	}
	if (d)
		closedir(d);
	free(objs);
}

/* git with ARGS (NULL-terminated) in the store, its output to stderr. */
static int
run_git(const char *root, const char *what, const char **args)
{
	const char *argv[16] = { "git", "-C", root };
	size_t n = 3;
	pid_t pid;
	int st;

	while (*args && n < sizeof(argv) / sizeof(*argv) - 1)
		argv[n++] = *args++;
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return inbox_error(INBOX_ETEMP, "fork:");
	if (pid == 0) {
		dup2(2, 1);
		execvp("git", (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return inbox_error(INBOX_EFAIL, "wait:");
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 127)
		return inbox_error(INBOX_EFAIL, "cannot run %s (is git "
		    "installed?)", what);
	if (WEXITSTATUS(st))
		return inbox_error(INBOX_EFAIL, "%s failed (exit %d)", what,
		    WEXITSTATUS(st));
	return 0;
}

/*
 * Nightly: git repack --geometric packs what is loose and rolls small
 * packs together.  --full: reflog entries past git's expiry dropped, then
 * every object the history reaches packed again by repack_full(), which
 * holds its lists on disk (git gc held 600 bytes an object).
 */
static int
pack_store(struct store *st, int full)
{
	static const char *geometric[] = { "repack", "-d", "-q",
	    "--geometric=2", NULL };
	static const char *expire[] = { "reflog", "expire", "--all", NULL };
	struct repack_stats rs;
	char *git;
	int r;

	if (!full)
		return run_git(st->root, "git repack", geometric);
	if (run_git(st->root, "git reflog expire", expire) < 0)
		return -1;
	git = path_join(st->root, ".git");
	r = repack_full(git, &rs);
	free(git);
	if (r == 0 && !c.quiet)
		printf("packed\t%llu objects, %llu as deltas, %llu as they "
		    "were, from %llu commits\n", (unsigned long long)rs.objects,
		    (unsigned long long)rs.deltas,
		    (unsigned long long)rs.reused,
		    (unsigned long long)rs.commits);
	return r;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-pack", no_argument, NULL, 'P' },
		{ "full", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct store *st;
	struct convsum *v;
	size_t n;
	long loose0, loose1;
	long long bytes0, bytes1;
	int opt, pack = 1, full = 0;

	cli_init("inbox-maint");
	while ((opt = getopt_long(argc, argv, "hqC:u:", longopts, NULL)) != -1)
		if (opt == 'P')
			pack = 0;
		else if (opt == 'F')
			full = 1;
		else if (!cli_option(&c, opt, optarg, usage))
			usage(1);
	if (optind != argc || (full && !pack))
		usage(1);
	if (store_open(&st, c.dir, "inbox-maint", c.user) < 0 ||
	    store_lock(st) < 0)
		die_lib();
	census(st->root, &loose0, &bytes0);
	if (pack && pack_store(st, full) < 0)
		die_lib();
	census(st->root, &loose1, &bytes1);
	/* one cache at a time: the summaries are let go before the words */
	if (summary_reset(st) < 0 || summary_all(st, &v, &n) < 0)
		die_lib();
	summary_list_free(v, n);
	if (words_rebuild(st) < 0)
		die_lib();
	store_close(st);
	if (!c.quiet)
		printf("objects\t%ld loose -> %ld loose\n"
		    "size\t%lld KiB -> %lld KiB\n"
		    "conversations\t%zu summarised\n", loose0, loose1,
		    bytes0 / 1024, bytes1 / 1024, n);
	return cli_done(0);
}
