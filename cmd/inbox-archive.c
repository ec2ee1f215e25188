/*
 * inbox-archive - archive conversations (hidden from the default list,
 * every message kept) or bring them back; close and reopen them.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conv.h"
#include "kv.h"
#include "perm.h"
#include "store.h"

enum { OPT_UNARCHIVE = OPT_FIRST_CMD, OPT_CLOSE, OPT_REOPEN, OPT_REASON };

static struct cli c;
static int mode;	/* 'a' archive, 'U' unarchive, 'c' close, 'o' reopen */

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-archive [-0qU] [-C DIR] [-u USER] [--close | "
	    "--reopen]\n"
	    "                     [--reason TEXT] [ID...]\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static int
apply(struct store *st, struct conv *cv, void *arg)
{
	char iso[32];
	const char *status = kv_get(&cv->st, "status");

	(void)st;
	(void)arg;
	time_iso(inbox_now(), iso, sizeof(iso));
	switch (mode) {
	case 'a':
		if (kv_get(&cv->st, "archived")) {
			warnx("%s is already archived", cv->id);
			return 0;
		}
		kv_set(&cv->st, "archived", iso);
		return 1;
	case 'U':
		if (!kv_get(&cv->st, "archived")) {
			warnx("%s is not archived", cv->id);
			return 0;
		}
		kv_del(&cv->st, "archived", NULL);
		return 1;
	case 'c':
		if (status && !strcmp(status, "closed")) {
			warnx("%s is already closed", cv->id);
			return 0;
		}
		kv_set(&cv->st, "status", "closed");
		kv_set(&cv->st, "closed", iso);
		return 1;
	default:
		if (!status || strcmp(status, "closed")) {
			warnx("%s is not closed", cv->id);
			return 0;
		}
		if (kv_get(&cv->st, "blocked")) {
			warnx("%s is blocked: unblock it with inbox-block -U",
			    cv->id);
			return 0;
		}
		kv_set(&cv->st, "status", "open");
		kv_del(&cv->st, "closed", NULL);
		return 1;
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "unarchive", no_argument, NULL, 'U' },
		{ "close", no_argument, NULL, OPT_CLOSE },
		{ "reopen", no_argument, NULL, OPT_REOPEN },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	static const char *verbs[] = { "archive", "unarchive", "close",
	    "reopen" };
	const char *reason = NULL;
	struct store *st;
	int opt, ret, changed, v;

	cli_init("inbox-archive");
	mode = 'a';
	while ((opt = getopt_long(argc, argv, "0hqUC:u:", longopts,
	    NULL)) != -1)
		switch (opt) {
		case 'U': mode = mode == 'a' ? 'U' : 'x'; break;
		case OPT_CLOSE: mode = mode == 'a' ? 'c' : 'x'; break;
		case OPT_REOPEN: mode = mode == 'a' ? 'o' : 'x'; break;
		case OPT_REASON:
			reason = optarg;
			if (!kv_value_ok(reason))
				die(INBOX_EDATA, "--reason has control "
				    "characters or is not UTF-8");
			break;
		default:
			if (!cli_option(&c, opt, optarg, usage))
				usage(1);
		}
	if (mode == 'x')
		usage(1);
	if (store_open(&st, c.dir, "inbox-archive", c.user) < 0 ||
	    perm_require(st, "messages.archive") < 0 ||
	    store_lock(st) < 0)
		die_lib();
	ret = cli_each_conv(st, &c, argc - optind, argv + optind, apply, NULL,
	    &changed);
	/* no ids at all; a bad id has had its own one-line warning */
	if (ret == INBOX_EUSAGE && !changed && argc == optind && isatty(0))
		usage(1);
	v = mode == 'a' ? 0 : mode == 'U' ? 1 : mode == 'c' ? 2 : 3;
	if (reason)
		store_trailer(st, "Reason", reason);
	if (changed && store_commit(st, "%s %d conversation%s%s%s", verbs[v],
	    changed, changed == 1 ? "" : "s", reason ? ": " : "",
	    reason ? reason : "") < 0)
		ret = warn_lib();
	store_close(st);
	return cli_done(ret);
}
