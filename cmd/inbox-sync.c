/*
 * inbox-sync - keep the store in step with other machines through a git
 * remote: fetch, merge by rule, push.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "store.h"
#include "sync.h"

enum {
	OPT_PULL = OPT_FIRST_CMD, OPT_PUSH, OPT_STATUS, OPT_SET_HOST,
	OPT_CLONE
};

static struct cli c;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-sync [-q] [-C DIR] [-u USER] [--json] [--pull | "
	    "--push] [REMOTE]\n"
	    "       inbox-sync [-C DIR] [--json] --status [REMOTE]\n"
	    "       inbox-sync [-q] [-C DIR] --set-host NAME\n"
	    "       inbox-sync [-q] --clone URL DIR\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static void
print_result(const struct sync_result *r)
{
	if (c.quiet)
		return;
	if (c.json) {
		struct json *j = json_obj();
		char *line;

		json_set_str(j, "remote", r->remote);
		json_set_str(j, "how", r->how);
		json_set_int(j, "in", (long long)r->in);
		json_set_int(j, "out", (long long)r->out);
		json_set_int(j, "from_them", (long long)r->from_them);
		json_set_int(j, "by_rule", (long long)r->by_rule);
		json_set_str(j, "head", r->head);
		line = json_dump(j);
		printf("%s\n", line);
		free(line);
		json_free(j);
		return;
	}
	printf("%s\t%s\tin %zu\tout %zu\n", r->remote, r->how, r->in, r->out);
}

static void
print_status(const struct sync_status *s)
{
	char last[32] = "never";

	if (s->last)
		time_iso(s->last, last, sizeof(last));
	if (c.json) {
		struct json *j = json_obj();
		char *line;

		json_set_str(j, "remote", s->remote);
		if (s->fetched) {
			json_set_int(j, "ahead", (long long)s->ahead);
			json_set_int(j, "behind", (long long)s->behind);
		}
		json_set_str(j, "synced", s->last ? last : NULL);
		line = json_dump(j);
		printf("%s\n", line);
		free(line);
		json_free(j);
		return;
	}
	if (s->fetched)
		printf("%s\tahead %zu\tbehind %zu\tsynced %s\n", s->remote,
		    s->ahead, s->behind, last);
	else
		printf("%s\tahead -\tbehind -\tsynced %s\n", s->remote, last);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pull", no_argument, NULL, OPT_PULL },
		{ "push", no_argument, NULL, OPT_PUSH },
		{ "status", no_argument, NULL, OPT_STATUS },
		{ "set-host", required_argument, NULL, OPT_SET_HOST },
		{ "clone", required_argument, NULL, OPT_CLONE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	const char *host = NULL, *clone = NULL;
	struct store *st;
	int opt, what = 0, status = 0, ret = 0;

	cli_init("inbox-sync");
	while ((opt = getopt_long(argc, argv, "hqC:u:", longopts,
	    NULL)) != -1)
		switch (opt) {
		case OPT_PULL: what |= SYNC_PULL; break;
		case OPT_PUSH: what |= SYNC_PUSH; break;
		case OPT_STATUS: status = 1; break;
		case OPT_SET_HOST: host = optarg; break;
		case OPT_CLONE: clone = optarg; break;
		default:
			if (!cli_option(&c, opt, optarg, usage))
				usage(1);
		}
	argc -= optind;
	argv += optind;
	if ((what == SYNC_BOTH) + !!what + status + !!host + !!clone > 1 ||
	    argc > 1 || ((host || clone) && argc != !!clone))
		usage(1);
	if (clone) {
		if (c.dir || c.json)
			usage(1);
		if (sync_clone(clone, argv[0]) < 0)
			die_lib();
		if (!c.quiet)
			printf("%s\n", argv[0]);
		return cli_done(0);
	}
	if (store_open(&st, c.dir, "inbox-sync", c.user) < 0)
		die_lib();
	if (host) {
		if (sync_set_host(st, host) < 0)
			ret = warn_lib();
		else if (!c.quiet)
			printf("%s\n", host);
	} else if (status) {
		struct sync_status s;

		if (sync_status(st, argc ? argv[0] : NULL, &s) < 0)
			ret = warn_lib();
		else
			print_status(&s);
	} else {
		struct sync_result r;

		if (sync_run(st, argc ? argv[0] : NULL, what ? what :
		    SYNC_BOTH, &r) < 0)
			ret = warn_lib();
		else
			print_result(&r);
	}
	store_close(st);
	return cli_done(ret);
}
