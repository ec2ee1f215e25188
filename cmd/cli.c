/*
 * cli.c - diagnostics, common options and the record loop of the commands.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conv.h"
#include "filter.h"
#include "perm.h"
#include "store.h"

const char *prog = "inbox";

/* Out of memory (lib/util.h): say so and exit 75, try again later. */
void
inbox_oom(void)
{
	fprintf(stderr, "%s: out of memory\n", prog);
	_exit(INBOX_ETEMP);
}

void
cli_init(const char *name)
{
	prog = name;
}

/*
 * One line on stderr.  Control characters are shown as '?': a message may
 * quote an id, a number or a header a sender chose, and escape sequences
 * or line breaks from it must not reach the terminal or split the line.
 */
static void
vwarn(const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		n = 0;
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	fprintf(stderr, "%s: %s%s\n", prog, buf,
	    (size_t)n >= sizeof(buf) ? "..." : "");
}

void
warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void
die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(code);
}

int
warn_lib(void)
{
	int code = inbox_errcode();

	warnx("%s", inbox_errmsg());
	inbox_error_clear();
	return code;
}

void
die_lib(void)
{
	exit(warn_lib());
}

int
cli_done(int ret)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno == EPIPE)
			return ret;
		warnx("write error: %s", strerror(errno));
		return INBOX_EFAIL;
	}
	return ret;
}

int
cli_option(struct cli *c, int opt, const char *arg, void (*usage)(int))
{
	switch (opt) {
	case 'C':
		c->dir = arg;
		return 1;
	case 'u':
		c->user = arg;
		return 1;
	case '0':
		c->zero = 1;
		return 1;
	case 'q':
		c->quiet = 1;
		return 1;
	case OPT_JSON:
		c->json = 1;
		return 1;
	case 'h':
	case OPT_HELP:
		usage(0);
		return 1;
	case OPT_VERSION:
		printf("%s %s\n", prog, INBOX_VERSION);
		exit(cli_done(0));
	}
	return 0;
}

int
cli_records(int argc, char **argv, int zero,
    int (*cb)(const char *rec, void *arg), void *arg)
{
	int worst = 0, seen = 0, lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (argc > 0 && !(argc == 1 && strcmp(argv[0], "-") == 0)) {
		for (int i = 0; i < argc; i++) {
			int r = cb(argv[i], arg);

			if (r > worst)
				worst = r;
		}
		return worst;
	}
	if (argc == 0 && isatty(0))
		return INBOX_EUSAGE;
	while ((n = getdelim(&line, &cap, zero ? '\0' : '\n', stdin)) > 0) {
		char *rec = line;
		int r;

		lineno++;
		if (line[n - 1] == '\n' || line[n - 1] == '\0')
			line[--n] = '\0';
		if (memchr(line, '\0', (size_t)n)) {
			/* never act on the part before the NUL */
			warnx("line %d of the input has a NUL byte", lineno);
			seen = 1;
			if (worst < INBOX_EDATA)
				worst = INBOX_EDATA;
			continue;
		}
		while (*rec == ' ' || *rec == '\t')
			rec++;
		rec[strcspn(rec, "\t")] = '\0';
		if (!*rec)
			continue;
		seen = 1;
		r = cb(rec, arg);
		if (r > worst)
			worst = r;
	}
	free(line);
	return seen ? worst : 0;
}

void
cli_filter_options(struct option *out, const struct option *own,
    size_t nown)
{
	size_t k = nown;

	memcpy(out, own, nown * sizeof(*own));
	for (const struct option *o = filter_longopts; o->name; o++)
		out[k++] = *o;
	memset(&out[k], 0, sizeof(*out));
}

int
cli_prescan(struct cli *c, int argc, char **argv, const char *opts,
    const struct option *longopts, void (*usage)(int))
{
	int opt, first;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, opts, longopts, NULL)) != -1)
		if (opt == 'C' || opt == 'u' || opt == 'h' ||
		    opt == OPT_VERSION)
			cli_option(c, opt, optarg, usage);
	first = optind;
	opterr = 1;
	optind = 0;
	return first;
}

int
cli_tty(void)
{
	return isatty(1);
}


struct each {
	struct store *st;
	const struct cli *c;
	int (*fn)(struct store *, struct conv *, void *);
	void *arg;
	int changed;
};

static int
each_one(const char *rec, void *arg)
{
	struct each *e = arg;
	char id[CONV_ID_LEN + 1];
	struct conv cv;
	int r;

	if (conv_resolve(e->st, rec, id) < 0 || conv_load(e->st, id, &cv) < 0)
		return warn_lib();
	{
		struct sb m = SB_INIT;
		int sees;

		for (size_t i = 0; i < cv.st.n; i++)
			if (!strcmp(cv.st.v[i].key, "member"))
				sb_addf(&m, "%s ", cv.st.v[i].val);
		sees = perm_sees(e->st, m.buf, kv_get(&cv.st, "assignee"));
		sb_release(&m);
		if (!sees) {
			conv_free(&cv);
			warnx("%s may not see %s (not a member)", e->st->user,
			    id);
			return INBOX_EPOLICY;
		}
	}
	r = e->fn(e->st, &cv, e->arg);
	if (r == 1 && conv_save(e->st, &cv) < 0)
		r = -1;
	if (r < 0) {
		conv_free(&cv);
		return warn_lib();
	}
	if (r >= 1) {
		e->changed++;
		store_trailer(e->st, "Conversation", id);
		if (!e->c->quiet) {
			fputs(id, stdout);
			putchar(e->c->zero ? '\0' : '\n');
		}
	}
	conv_free(&cv);
	return r >= 1 ? 0 : INBOX_ENOMATCH;
}

int
cli_each_conv(struct store *st, const struct cli *c, int argc, char **argv,
    int (*fn)(struct store *, struct conv *, void *), void *arg,
    int *changed)
{
	struct each e = { st, c, fn, arg, 0 };
	int r = cli_records(argc, argv, c->zero, each_one, &e);

	*changed = e.changed;
	return r;
}
