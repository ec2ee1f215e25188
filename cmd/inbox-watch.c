/*
 * inbox-watch - print one line per new message or status change as it
 * lands in the store: id, event, time, direction, channel, status, name,
 * preview.  inotify on the branch ref, no polling; the filters of
 * inbox-ls.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "filter.h"
#include "json.h"
#include "perm.h"
#include "store.h"
#include "summary.h"
#include "watch.h"

enum { OPT_TIMEOUT = OPT_FIRST_CMD, OPT_READY };

static struct cli c;
static struct filter f;
static long limit, shown;
static struct store *st;
/* the summary of the conversation of the last event, for this batch */
static struct convsum sum;
static int have_sum;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-watch [-C DIR] [-u USER] [--json] [-n N] "
	    "[--timeout SECONDS]\n"
	    "                   [--ready FILE] [-s TEXT] [--unread] "
	    "[--mine] [--unassigned]\n"
	    "                   [--assignee U] [--member U] [--open | "
	    "--closed | --archived |\n"
	    "                   --all] [--blocked] [--failed] [--flagged] "
	    "[--attention]\n"
	    "                   [--opted-out] [--customer C] [--job J] "
	    "[--group G]\n"
	    "                   [--context C] [--channel C] [--direction "
	    "in|out] [--type T]\n"
	    "                   [--status S] [--since TIME] [@VIEW]\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static void
forget_sum(void)
{
	if (have_sum)
		summary_free(&sum);
	have_sum = 0;
}

/* The summary of conversation id, computed once per batch. */
static const struct convsum *
conv_sum(const char *id)
{
	if (have_sum && !strcmp(sum.id, id))
		return &sum;
	forget_sum();
	if (summary_compute(st, id, &sum) < 0) {
		/* gone again since the commit: nothing to say */
		inbox_error_clear();
		return NULL;
	}
	have_sum = 1;
	return &sum;
}

static int
has(const char *v, const char *want)
{
	return v && !strcmp(v, want);
}

/* The filters that are about the message rather than its conversation. */
static int
event_wanted(const struct watch_event *ev, const struct convsum *s)
{
	if (f.direction && !has(ev->direction, f.direction))
		return 0;
	if (f.type && !has(ev->type, f.type))
		return 0;
	if (f.status && !has(ev->status, f.status))
		return 0;
	if (f.channel && !has(ev->channel, f.channel))
		return 0;
	if (f.unread && (strchr(ev->flags, 'S') || !has(ev->direction, "in")))
		return 0;
	if (f.since && ev->when < f.since)
		return 0;
	if (f.search && !strcasestr(ev->text, f.search) &&
	    !strcasestr(s->name, f.search) &&
	    !strcasestr(s->address, f.search) &&
	    !strcasestr(s->contact, f.search))
		return 0;
	return 1;
}

static const char *
col(const char *v)
{
	return v && *v ? v : "-";
}

static void
print_event(const struct watch_event *ev, const struct convsum *s)
{
	char t[32];

	time_iso(ev->when, t, sizeof(t));
	if (c.json) {
		struct json *j = json_obj();
		char *line;

		json_set_str(j, "id", ev->id);
		json_set_str(j, "conversation", ev->conv);
		json_set_str(j, "event", ev->event);
		json_set_str(j, "time", t);
		json_set_str(j, "direction", ev->direction);
		json_set_str(j, "channel", ev->channel);
		json_set_str(j, "type", ev->type);
		json_set_str(j, "status", ev->status);
		if (ev->previous)
			json_set_str(j, "previous", ev->previous);
		json_set_str(j, "name", s->name);
		json_set_str(j, "error", ev->error);
		json_set_bool(j, "read", strchr(ev->flags, 'S') != NULL);
		json_set_str(j, "text", ev->text);
		line = json_dump(j);
		printf("%s\n", line);
		free(line);
		json_free(j);
	} else
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ev->id, ev->event,
		    t, col(ev->direction), col(ev->channel), col(ev->status),
		    col(s->name), ev->preview);
	/* a pipe must stream */
	if (fflush(stdout) == EOF) {
		if (errno == EPIPE)
			exit(0);
		die(INBOX_EFAIL, "write error: %s", strerror(errno));
	}
}

static int
on_event(const struct watch_event *ev, void *arg)
{
	const struct convsum *s = conv_sum(ev->conv);
	struct filter g = f;

	/* unread and channel are the message's, as with inbox-ls -m */
	g.unread = 0;
	g.channel = NULL;
	if (!s || !filter_match_nodate(&g, s) ||
	    !perm_sees(st, s->members, s->assignee) || !event_wanted(ev, s))
		return 0;
	print_event(ev, s);
	shown++;
	return limit && shown >= limit;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when stdout is a pipe or socket, whose reader can go away. */
static int
out_is_pipe(void)
{
	struct stat sb;

	return fstat(1, &sb) == 0 && (S_ISFIFO(sb.st_mode) ||
	    S_ISSOCK(sb.st_mode));
}

static void
lost(void)
{
	if (inbox_errcode() == INBOX_ETEMP)
		die(INBOX_ETEMP, "%s; updates paused", inbox_errmsg());
	die_lib();
}

int
main(int argc, char **argv)
{
	struct option longopts[64];
	static const struct option own[] = {
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "ready", required_argument, NULL, OPT_READY },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
	};
	const char *ready = NULL;
	char last[OID_HEX], head[OID_HEX];
	struct watch *w;
	struct pollfd pfd[2];
	long long timeout = -1, deadline = 0;
	char *end;
	int opt, first, npfd = 1;

	cli_init("inbox-watch");
	cli_filter_options(longopts, own, sizeof(own) / sizeof(*own));
	/* first pass: where the store is, for its time zone; getopt moves
	 * the @VIEWs to the end */
	first = cli_prescan(&c, argc, argv, "hn:s:C:u:", longopts, usage);
	if (store_open(&st, c.dir, "inbox-watch", c.user) < 0)
		die_lib();
	filter_init(&f, st->user, config_str(st->cfg, "business.timezone",
	    "UTC"));
	/* no default range: a live feed starts now; a date option given
	 * sets the earliest event time reported */
	f.since = 0;
	for (int i = first; i < argc; i++)
		if (argv[i][0] == '@' && filter_view(&f, st->cfg,
		    argv[i] + 1) < 0)
			die_lib();
	while ((opt = getopt_long(argc, argv, "hn:s:C:u:", longopts,
	    NULL)) != -1) {
		double secs;
		int r;

		switch (opt) {
		case 'n':
			limit = strtol(optarg, &end, 10);
			if (*end || limit < 1)
				die(INBOX_EUSAGE, "-n wants a positive number");
			continue;
		case OPT_TIMEOUT:
			secs = strtod(optarg, &end);
			if (end == optarg || *end || !(secs > 0) ||
			    secs > 86400.0 * 365)
				die(INBOX_EUSAGE, "--timeout wants a number of "
				    "seconds, not '%s'", optarg);
			timeout = (long long)(secs * 1000 + 0.5);
			continue;
		case OPT_READY:
			ready = optarg;
			continue;
		}
		r = filter_option(&f, opt, optarg);
		if (r < 0)
			die_lib();
		if (r == 0 && !cli_option(&c, opt, optarg, usage))
			usage(1);
	}
	for (int i = optind; i < argc; i++)
		if (argv[i][0] != '@')
			usage(1);
	if (perm_require(st, "messages.view") < 0)
		die_lib();
	signal(SIGPIPE, SIG_IGN);

	/* watch first, then read HEAD: a commit in between is not missed */
	if (watch_open(&w, st->root) < 0)
		die_lib();
	if (repo_head(st->repo, last) < 0)
		die_lib();
	if (ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0666);

		if (fd < 0 || close(fd) < 0)
			die(INBOX_EFAIL, "%s: %s", ready, strerror(errno));
	}
	pfd[0].fd = watch_fd(w);
	pfd[0].events = POLLIN;
	if (out_is_pipe()) {
		/* notice at once when the reader goes away */
		pfd[1].fd = 1;
		pfd[1].events = 0;
		npfd = 2;
	}
	if (timeout >= 0)
		deadline = now_ms() + timeout;
	for (;;) {
		long long wait = -1;
		long before = shown;
		int r;

		if (timeout >= 0) {
			wait = deadline - now_ms();
			if (wait <= 0)
				break;
		}
		r = poll(pfd, (nfds_t)npfd, wait > 0x7fffffff ? 0x7fffffff :
		    (int)wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die(INBOX_EFAIL, "poll: %s", strerror(errno));
		if (r == 0)
			continue;	/* the deadline is checked above */
		if (npfd == 2 && pfd[1].revents)
			break;		/* nobody is reading any more */
		if (!pfd[0].revents)
			continue;
		if ((r = watch_read(w)) < 0)
			lost();
		if (r == 0)
			continue;
		r = repo_head(st->repo, head);
		if (r != 0) {
			if (r > 0)
				inbox_error(INBOX_ETEMP, "lost track of the "
				    "store (refs/heads/main is gone)");
			lost();
		}
		if (!strcmp(head, last))
			continue;
		if (!*last) {
			/* the first commit of an empty repository */
			memcpy(last, head, sizeof(last));
			continue;
		}
		r = watch_changes(st->repo, last, head, on_event, NULL);
		forget_sum();
		if (r < 0)
			die_lib();
		memcpy(last, head, sizeof(last));
		if (limit && shown >= limit)
			break;
		if (timeout >= 0 && shown > before)
			deadline = now_ms() + timeout;
	}
	watch_close(w);
	store_close(st);
	return cli_done(0);
}
