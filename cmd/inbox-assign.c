/*
 * inbox-assign - give conversations an owner, or change who is in them.
 * The assignee is always a member; members are staff, never customers.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conv.h"
#include "kv.h"
#include "staff.h"
#include "perm.h"
#include "store.h"

enum { OPT_NONE = OPT_FIRST_CMD, OPT_ADD, OPT_REMOVE, OPT_REASON };

static struct cli c;
static const char *user, *add, *removed, *reason;
static int none;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-assign [-0q] [-C DIR] [-u USER] [--reason TEXT] "
	    "ID... STAFF\n"
	    "       inbox-assign [-0q] [-C DIR] [-u USER] [--reason TEXT] "
	    "STAFF [ID...]\n"
	    "       inbox-assign [-0q] [-C DIR] [-u USER] [--reason TEXT] "
	    "(--none |\n"
	    "                    --add-member STAFF | --remove-member STAFF) "
	    "[ID...]\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static int
apply(struct store *st, struct conv *cv, void *arg)
{
	const char *cur = kv_get(&cv->st, "assignee");
	int changed = 0;

	(void)st;
	(void)arg;
	if (user) {
		if (cur && !strcmp(cur, user)) {
			warnx("%s is already assigned to %s", cv->id, user);
			return 0;
		}
		kv_set(&cv->st, "assignee", user);
		kv_add(&cv->st, "member", user);
		return 1;
	}
	if (none) {
		if (!cur) {
			warnx("%s is not assigned", cv->id);
			return 0;
		}
		kv_del(&cv->st, "assignee", NULL);
		return 1;
	}
	if (add) {
		if (kv_has(&cv->st, "member", add))
			warnx("%s is already a member of %s", add, cv->id);
		else
			changed = kv_add(&cv->st, "member", add) == 0;
	}
	if (removed) {
		if (!kv_has(&cv->st, "member", removed))
			warnx("%s is not a member of %s", removed, cv->id);
		else {
			kv_del(&cv->st, "member", removed);
			if (cur && !strcmp(cur, removed))
				kv_del(&cv->st, "assignee", NULL);
			changed = 1;
		}
	}
	return changed;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "none", no_argument, NULL, OPT_NONE },
		{ "add-member", required_argument, NULL, OPT_ADD },
		{ "remove-member", required_argument, NULL, OPT_REMOVE },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct store *st;
	char id[CONV_ID_LEN + 1];
	int opt, ret, changed;

	cli_init("inbox-assign");
	while ((opt = getopt_long(argc, argv, "0hqC:u:", longopts,
	    NULL)) != -1)
		switch (opt) {
		case OPT_NONE: none = 1; break;
		case OPT_ADD: add = optarg; break;
		case OPT_REMOVE: removed = optarg; break;
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
	argc -= optind;
	argv += optind;
	if (none + (add != NULL) + (removed != NULL) > 1)
		usage(1);
	if (store_open(&st, c.dir, "inbox-assign", c.user) < 0 ||
	    perm_require(st, "messages.assign") < 0)
		die_lib();
	if (!none && !add && !removed) {
		/* STAFF first (xargs appends ids) or last: the one that is
		 * staff, else the one that is not a conversation */
		if (argc < 1)
			usage(1);
		if (argc == 1 || (staff_known(st, argv[0]) &&
		    conv_resolve(st, argv[0], id) < 0) ||
		    (!staff_known(st, argv[argc - 1]) &&
		    conv_resolve(st, argv[0], id) < 0 &&
		    conv_resolve(st, argv[argc - 1], id) == 0)) {
			user = argv[0];
			argc--;
			argv++;
		} else
			user = argv[--argc];
		inbox_error_clear();
	}
	if ((user && staff_check(st, user) < 0) ||
	    (add && staff_check(st, add) < 0) ||
	    (removed && staff_check(st, removed) < 0))
		die_lib();
	if (store_lock(st) < 0)
		die_lib();
	ret = cli_each_conv(st, &c, argc, argv, apply, NULL, &changed);
	/* no ids at all; a bad id has had its own one-line warning */
	if (ret == INBOX_EUSAGE && !changed && argc == 0 && isatty(0))
		usage(1);
	if (reason)
		store_trailer(st, "Reason", reason);
	if (changed && store_commit(st, "%s %d conversation%s%s%s",
	    user ? "assign" : none ? "unassign" : add ? "add member to" :
	    "remove member from", changed, changed == 1 ? "" : "s",
	    user ? " to " : add ? ": " : removed ? ": " : "",
	    user ? user : add ? add : removed ? removed : "") < 0)
		ret = warn_lib();
	store_close(st);
	return cli_done(ret);
}
