/*
 * inbox-shell - the forced command of a staff member's ssh key
 * (command="inbox-shell USER" in authorized_keys): runs the one inbox
 * command asked for in $SSH_ORIGINAL_COMMAND as USER on this store, and
 * nothing else.  No shell ever sees the command line; every refusal is
 * logged in .git/inbox/shell.log.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "perm.h"
#include "staff.h"
#include "store.h"

#define MAX_CMD 32768	/* bytes of the command line */
#define MAX_WORDS 256

/* What staff may run; fsck init maint sync recv remind watch are the
 * system's, and shell is this. */
static const char *const verbs[] = { "ls", "show", "send", "assign",
	"archive", "flag", "block", "link", "log", "approve", "job", "template",
	"contact", NULL };

static const char *dir;

/* The command line as words, each malloc'd. */
struct words {
	char *v[MAX_WORDS + 1];
	int n;
};

static void
words_free(struct words *w)
{
	for (int i = 0; i < w->n; i++)
		free(w->v[i]);
	w->n = 0;
}

/*
 * Split s into words as a shell would split plain words and simple
 * quoting, but refuse everything a shell would act on.  0, or -1 with the
 * reason in why.
 */
static int
split(const char *s, struct words *w, char *why, size_t n)
{
	struct sb word = SB_INIT;
	int inword = 0;
	char q;

	for (; ; s++) {
		if (*s == '\0' || *s == ' ' || *s == '\t') {
			if (inword) {
				if (w->n == MAX_WORDS) {
					snprintf(why, n, "too many words");
					goto fail;
				}
				w->v[w->n++] = sb_detach(&word, NULL);
				inword = 0;
			}
			if (*s == '\0')
				break;
			continue;
		}
		inword = 1;
		if (*s == '\'' || *s == '"') {
			/* inside double quotes a shell would still expand */
			for (q = *s++; *s && *s != q; s++) {
				if (q == '"' && strchr("$`\\", *s)) {
					snprintf(why, n, "shell metacharacter "
					    "'%c' in double quotes", *s);
					goto fail;
				}
				sb_addc(&word, *s);
			}
			if (*s != q) {
				snprintf(why, n, "unbalanced quote");
				goto fail;
			}
			continue;
		}
		if (strchr(";&|`$()<>\\\n\r", *s)) {
			snprintf(why, n, *s == '\n' || *s == '\r' ?
			    "a line break" : "shell metacharacter '%c'", *s);
			goto fail;
		}
		sb_addc(&word, *s);
	}
	w->v[w->n] = NULL;
	sb_release(&word);
	return 0;
fail:
	sb_release(&word);
	words_free(w);
	return -1;
}

/* 1 when name (before any '=') abbreviates or extends long option opt. */
static int
long_is(const char *arg, const char *opt)
{
	size_t n = strcspn(arg, "=");

	return n > 0 && !strncmp(arg, opt, n < strlen(opt) ? n :
	    strlen(opt));
}

/* A message id, CONV/UNIQ: the only argument that may hold a slash. */
static int
is_message_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	if (n < 4 || n > 12 || s[n] != '/' || !isalnum((unsigned char)s[n + 1]))
		return 0;
	s += n + 1;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._+-") == strlen(s);
}

/* Check one argument: 0, or -1 with the reason in why. */
static int
check_arg(const char *a, char *why, size_t n)
{
	if (!strncmp(a, "--", 2) && a[2]) {
		const char *name = a + 2;

		if (name[0] == 'C')
			snprintf(why, n, "%s: the store is fixed", a);
		else if (long_is(name, "user"))
			snprintf(why, n, "%s: the user is fixed", a);
		else if (long_is(name, "attach") && strcmp(name, "at") &&
		    strncmp(name, "at=", 3))
			snprintf(why, n, "%s: no files from the server", a);
		else if (long_is(name, "automatic") && strcmp(name, "at") &&
		    strncmp(name, "at=", 3))
			snprintf(why, n, "%s: automatic messages are the "
			    "system's", a);
		else if (long_is(name, "type"))
			snprintf(why, n, "%s: message types are the system's", a);
		else
			goto path;
		return -1;
	}
	if (a[0] == '-' && a[1] && a[1] != '-') {
		/* a cluster of short options: -C and -u anywhere in it */
		if (strchr(a + 1, 'C')) {
			snprintf(why, n, "%s: the store is fixed", a);
			return -1;
		}
		if (strchr(a + 1, 'u')) {
			snprintf(why, n, "%s: the user is fixed", a);
			return -1;
		}
	}
path:
	if (strchr(a, '/') && !is_message_id(a)) {
		snprintf(why, n, "'%s': no paths (give text with a slash on "
		    "standard input)", a);
		return -1;
	}
	return 0;
}

/*
 * Who is staff, and in what role, is a setting: through inbox-contact
 * only someone with settings.edit may change it (a tech must not make
 * itself an admin).  0, or -1 with the reason in why.
 */
static int
check_contact_arg(struct store *st, const char *user, const char *a,
    char *why, size_t n)
{
	static const char *const opts[] = { "staff", "login", "role", NULL };

	if (strncmp(a, "--", 2) || perm_has(st, user, "settings.edit"))
		return 0;
	for (int i = 0; opts[i]; i++)
		if (long_is(a + 2, opts[i])) {
			snprintf(why, n, "%s: changing staff needs "
			    "settings.edit", a);
			return -1;
		}
	return 0;
}

/* Append "TIME USER refused: WHY: COMMAND" to .git/inbox/shell.log. */
static void
log_refusal(const char *root, const char *user, const char *why,
    const char *cmd)
{
	struct sb line = SB_INIT;
	char iso[32], *path;
	int fd;

	time_iso(inbox_now(), iso, sizeof(iso));
	sb_addf(&line, "%s %s refused: %s: ", iso, user, why);
	sb_add(&line, cmd, strnlen(cmd, 1000));
	if (strlen(cmd) > 1000)
		sb_adds(&line, "...");
	/* one line, whatever the client sent */
	for (size_t i = 0; i < line.len; i++)
		if ((unsigned char)line.buf[i] < ' ' || line.buf[i] == 0x7f)
			line.buf[i] = '?';
	sb_addc(&line, '\n');
	path = path_join(root, ".git/inbox/shell.log");
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0640);
	if (fd < 0 || write(fd, line.buf, line.len) != (ssize_t)line.len)
		warnx("%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(path);
	sb_release(&line);
}

static void __attribute__((noreturn))
refuse(const char *root, const char *user, const char *why, const char *cmd)
{
	char safe[64];
	size_t i;

	/* the user came from authorized_keys, but keep the log one line */
	for (i = 0; user[i] && i < sizeof(safe) - 1; i++)
		safe[i] = isgraph((unsigned char)user[i]) ? user[i] : '?';
	safe[i] = '\0';
	log_refusal(root, safe, why, cmd);
	warnx("refused: %s", why);
	exit(INBOX_EPOLICY);
}

static void
help(void)
{
	fprintf(stderr, "%s: this key runs inbox commands only\n"
	    "usage: ssh HOST inbox-COMMAND [ARG ...]\n"
	    "       ssh HOST inbox COMMAND [ARG ...]\n"
	    "commands:", prog);
	for (int i = 0; verbs[i]; i++)
		fprintf(stderr, " %s", verbs[i]);
	fputc('\n', stderr);
	exit(INBOX_EUSAGE);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-shell [-C DIR] USER\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

/* Exec argv (inbox-VERB) with a clean environment in the store: the
 * program beside this one, else the one on PATH. */
static void
run(const char *verb, char **argv, const char *root, const char *user)
{
	char self[PATH_MAX], path[PATH_MAX + 64], *slash;
	const char *keep[] = { "LANG", "LC_ALL", NULL };
	const char *p, *home = getenv("HOME");
	char *vals[2], *pathvar, *h;
	ssize_t n;

	/* a locale name, never a path to one */
	for (int i = 0; keep[i]; i++)
		vals[i] = (p = getenv(keep[i])) && !strchr(p, '/') ?
		    xstrdup(p) : NULL;
	h = home ? xstrdup(home) : NULL;
	p = getenv("PATH");
	pathvar = xstrdup(p && *p ? p : "/usr/local/bin:/usr/bin:/bin");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	clearenv();
	for (int i = 0; keep[i]; i++)
		if (vals[i])
			setenv(keep[i], vals[i], 1);
	if (h)
		setenv("HOME", h, 1);
	setenv("PATH", pathvar, 1);
	setenv("INBOX_DIR", root, 1);
	setenv("INBOX_USER", user, 1);
	if (chdir(root) < 0)
		die(INBOX_EFAIL, "%s: %s", root, strerror(errno));
	if (slash && *self) {
		snprintf(path, sizeof(path), "%s/inbox-%s", self, verb);
		if (access(path, X_OK) == 0)
			execv(path, argv);
	}
	execvp(argv[0], argv);
	die(INBOX_EFAIL, "%s: %s", argv[0], strerror(errno));
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct words w = { .n = 0 };
	struct store *st;
	const char *cmd, *user, *verb;
	char why[300], name[80], *root, *sub, **av;
	int opt, first, k = 0;

	cli_init("inbox-shell");
	while ((opt = getopt_long(argc, argv, "+hC:", longopts, NULL)) != -1)
		switch (opt) {
		case 'C': dir = optarg; break;
		case 'h': usage(0); break;
		case OPT_VERSION:
			printf("%s %s\n", prog, INBOX_VERSION);
			return cli_done(0);
		default: usage(1);
		}
	if (optind != argc - 1)
		usage(1);
	user = argv[optind];
	if (store_open(&st, dir, "inbox-shell", name_valid(user) ? user :
	    NULL) < 0)
		die_lib();
	root = xstrdup(st->root);
	cmd = getenv("SSH_ORIGINAL_COMMAND");
	if (!cmd)
		cmd = "";
	if (!name_valid(user) || !staff_known(st, user)) {
		snprintf(why, sizeof(why), "%s is not on the staff list", user);
		refuse(root, user, why, cmd);
	}
	if (strlen(cmd) > MAX_CMD)
		refuse(root, user, "the command is too long", cmd);
	if (split(cmd, &w, why, sizeof(why)) < 0)
		refuse(root, user, why, cmd);
	if (w.n == 0 || (w.n == 1 && !strcmp(w.v[0], "inbox")))
		help();
	/* "inbox VERB ..." or "inbox-VERB ..." */
	first = 1;
	if (!strcmp(w.v[0], "inbox")) {
		verb = w.v[1];
		first = 2;
	} else if (!strncmp(w.v[0], "inbox-", 6))
		verb = w.v[0] + 6;
	else {
		snprintf(why, sizeof(why), "'%.200s' is not an inbox command",
		    w.v[0]);
		refuse(root, user, why, cmd);
	}
	for (k = 0; verbs[k] && strcmp(verbs[k], verb); k++)
		;
	if (!verbs[k]) {
		snprintf(why, sizeof(why), "'inbox-%.200s' is not allowed here",
		    verb);
		refuse(root, user, why, cmd);
	}
	for (int i = first; i < w.n; i++)
		if (check_arg(w.v[i], why, sizeof(why)) < 0 ||
		    (!strcmp(verb, "contact") && strcmp(w.v[first], "ls") &&
		    strcmp(w.v[first], "show") && check_contact_arg(st, user,
		    w.v[i], why, sizeof(why)) < 0))
			refuse(root, user, why, cmd);
	store_close(st);
	/* inbox-VERB -C STORE -u USER ARG...; inbox-contact wants its
	 * subcommand first, and ls and show take no -u */
	snprintf(name, sizeof(name), "inbox-%s", verb);
	av = xcalloc((size_t)w.n + 8, sizeof(char *));
	k = 0;
	av[k++] = name;
	sub = NULL;
	if (!strcmp(verb, "contact") && first < w.n && w.v[first][0] != '-')
		sub = av[k++] = w.v[first++];
	av[k++] = "-C";
	av[k++] = root;
	if (!sub || (strcmp(sub, "ls") && strcmp(sub, "show"))) {
		av[k++] = "-u";
		av[k++] = (char *)user;
	}
	for (int i = first; i < w.n; i++)
		av[k++] = w.v[i];
	av[k] = NULL;
	run(verb, av, root, user);
	return INBOX_EFAIL;
}
