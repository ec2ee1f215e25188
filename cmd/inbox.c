/*
 * inbox - run inbox-CMD: "inbox ls -u" is "inbox-ls -u", like git.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *cmds[] = { "init", "recv", "ls", "show", "send",
	"assign", "archive", "flag", "block", "link", "approve", "job",
	"remind", "contact", "template", "watch", "log", "fsck", "maint",
	"sync", "shell", NULL };

static void
usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: inbox [--version] [-h] COMMAND [ARG ...]\n"
	    "commands:");
	for (int i = 0; cmds[i]; i++)
		fprintf(f, " %s", cmds[i]);
	fputc('\n', f);
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

int
main(int argc, char **argv)
{
	char path[PATH_MAX], name[128];
	ssize_t n;

	cli_init("inbox");
	if (argc < 2)
		usage(1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		usage(0);
	if (!strcmp(argv[1], "--version")) {
		printf("inbox %s\n", INBOX_VERSION);
		return cli_done(0);
	}
	if (argv[1][0] == '-' || strchr(argv[1], '/') ||
	    strlen(argv[1]) > 64)
		usage(1);
	snprintf(name, sizeof(name), "inbox-%s", argv[1]);
	argv[1] = name;
	/* prefer the inbox-CMD beside this program, then $PATH */
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n > 0) {
		char *slash;

		path[n] = '\0';
		slash = strrchr(path, '/');
		if (slash && (size_t)(slash - path) + strlen(name) + 2 <
		    sizeof(path)) {
			strcpy(slash + 1, name);
			if (access(path, X_OK) == 0)
				execv(path, argv + 1);
		}
	}
	execvp(name, argv + 1);
	die(errno == ENOENT ? INBOX_EUSAGE : INBOX_EFAIL, "%s: %s%s", name,
	    strerror(errno), errno == ENOENT ? " (not an inbox command)" : "");
}
