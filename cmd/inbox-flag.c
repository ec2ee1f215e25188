/*
 * inbox-flag - read, unread, flagged; mark everything read; resolve
 * missed calls, voicemails and messages flagged for attention.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conv.h"
#include "filter.h"
#include "perm.h"
#include "store.h"
#include "summary.h"
#include "thread.h"

enum {
	OPT_READ = OPT_FIRST_CMD, OPT_UNREAD, OPT_FLAG, OPT_UNFLAG,
	OPT_RESOLVE, OPT_MUTE, OPT_UNMUTE, OPT_ALLREAD
};

static struct cli c;
static int what;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-flag [-0q] [-C DIR] [-u USER] (--read | --unread | "
	    "--flag | --unflag |\n"
	    "                  --resolve | --mute | --unmute) [ID...]\n"
	    "       inbox-flag [-q] [-C DIR] [-u USER] --all-read "
	    "[inbox-ls filters]\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static int
apply(struct store *st, struct conv *cv, void *arg)
{
	int n = 0, r;

	(void)arg;
	switch (what) {
	case OPT_READ:
	case OPT_ALLREAD:
		r = thread_mark_read(st, cv->id, &n);
		break;
	case OPT_UNREAD:
		r = thread_mark_unread(st, cv->id, &n);
		break;
	case OPT_FLAG:
	case OPT_UNFLAG:
		r = thread_flag(st, cv->id, what == OPT_FLAG, &n);
		break;
	case OPT_MUTE:
	case OPT_UNMUTE:
		/* per person: notifications of this thread stop for them */
		if ((what == OPT_MUTE) == kv_has(&cv->st, "muted", st->user)) {
			warnx("%s is %s for %s", cv->id, what == OPT_MUTE ?
			    "already muted" : "not muted", st->user);
			return 0;
		}
		if (what == OPT_MUTE)
			kv_add(&cv->st, "muted", st->user);
		else
			kv_del(&cv->st, "muted", st->user);
		return 1;
	default:
		r = thread_resolve(st, cv->id, st->user, &n);
		break;
	}
	if (r < 0)
		return -1;
	if (n == 0 && what != OPT_ALLREAD)
		warnx("%s: nothing to mark", cv->id);
	return n > 0 ? 2 : 0;
}

/* --all-read: apply() over the conversations a filter picks. */
static int
apply_msgs(struct store *st, struct conv *cv, int *changed)
{
	int r = apply(st, cv, NULL);

	if (r == 2) {
		store_trailer(st, "Conversation", cv->id);
		if (!c.quiet) {
			fputs(cv->id, stdout);
			putchar(c.zero ? '\0' : '\n');
		}
		(*changed)++;
	}
	return r < 0 ? -1 : 0;
}

static int
all_read(struct store *st, struct filter *f, int *changed)
{
	struct convsum *v;
	size_t n;
	int ret = 0;

	if (summary_all(st, &v, &n) < 0)
		return warn_lib();
	for (size_t i = 0; i < n; i++) {
		struct conv cv;

		if (v[i].unread && filter_match(f, &v[i]) &&
		    perm_sees(st, v[i].members, v[i].assignee) &&
		    conv_load(st, v[i].id, &cv) == 0) {
			if (apply_msgs(st, &cv, changed) < 0)
				ret = warn_lib();
			conv_free(&cv);
		}
	}
	summary_list_free(v, n);
	return ret;
}

int
main(int argc, char **argv)
{
	static const struct option own[] = {
		{ "read", no_argument, NULL, OPT_READ },
		{ "unread", no_argument, NULL, OPT_UNREAD },
		{ "flag", no_argument, NULL, OPT_FLAG },
		{ "unflag", no_argument, NULL, OPT_UNFLAG },
		{ "resolve", no_argument, NULL, OPT_RESOLVE },
		{ "mute", no_argument, NULL, OPT_MUTE },
		{ "unmute", no_argument, NULL, OPT_UNMUTE },
		{ "all-read", no_argument, NULL, OPT_ALLREAD },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
	};
	static const char *verbs[] = { "mark read", "mark unread", "flag",
	    "unflag", "resolve", "mute", "unmute", "mark all read" };
	struct option longopts[64];
	struct filter f;
	struct store *st;
	int opt, ret = 0, changed = 0, nfilters = 0;

	cli_init("inbox-flag");
	cli_filter_options(longopts, own, sizeof(own) / sizeof(*own));
	/* first pass: the store, for its time zone */
	cli_prescan(&c, argc, argv, "0hqC:u:", longopts, usage);
	if (store_open(&st, c.dir, "inbox-flag", c.user) < 0 ||
	    perm_require(st, "messages.view") < 0)
		die_lib();
	filter_init(&f, st->user, config_str(st->cfg, "business.timezone",
	    "UTC"));
	while ((opt = getopt_long(argc, argv, "0hqC:u:", longopts,
	    NULL)) != -1) {
		int r;

		if (opt >= OPT_READ && opt <= OPT_ALLREAD) {
			if (what)
				usage(1);
			what = opt;
			continue;
		}
		if (filter_is_search(opt))
			usage(1);	/* a search picks no date: too wide */
		r = filter_option(&f, opt, optarg);
		if (r < 0)
			die_lib();
		if (r == 1) {
			nfilters++;
			continue;
		}
		if (!cli_option(&c, opt, optarg, usage))
			usage(1);
	}
	argc -= optind;
	argv += optind;
	if (!what || (nfilters && what != OPT_ALLREAD) ||
	    (what == OPT_ALLREAD && argc))
		usage(1);
	if (store_lock(st) < 0)
		die_lib();
	if (what == OPT_ALLREAD)
		ret = all_read(st, &f, &changed);
	else {
		ret = cli_each_conv(st, &c, argc, argv, apply, NULL, &changed);
		/* no ids at all; a bad id has had its one-line warning */
		if (ret == INBOX_EUSAGE && !changed && argc == 0 &&
		    isatty(0))
			usage(1);
	}
	if (changed && store_commit(st, "%s %d conversation%s",
	    verbs[what - OPT_READ], changed, changed == 1 ? "" : "s") < 0)
		ret = warn_lib();
	store_close(st);
	return cli_done(ret);
}
