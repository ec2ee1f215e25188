/*
 * inbox-init - make a new store: layout, inbox.yaml, hooks, templates,
 * .gitignore and the first commit.
 */
#include <stdlib.h>

#include "cli.h"
#include "store.h"

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-init [-q] [-C DIR] [-u USER] [DIR]\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct cli c = { 0 };
	char *dir;
	int opt;

	cli_init("inbox-init");
	while ((opt = getopt_long(argc, argv, "hqu:C:", longopts, NULL)) != -1)
		if (!cli_option(&c, opt, optarg, usage))
			usage(1);
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage(1);
	if (argc == 1)
		dir = argv[0];
	else if (store_find(c.dir, &dir) < 0)
		die_lib();
	if (store_init(dir, c.user) < 0)
		die_lib();
	if (!c.quiet)
		printf("%s\n", dir);
	return cli_done(0);
}
