/*
 * inbox-ls - list conversations (or, with -m, messages), most recent
 * activity first, one per line: id, unread, last activity, channel,
 * name, preview.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "conv.h"
#include "filter.h"
#include "json.h"
#include "msg.h"
#include "perm.h"
#include "summary.h"
#include "words.h"

enum { OPT_COUNTS = OPT_FIRST_CMD, OPT_PAGE, OPT_ASOF };

static struct cli c;
static struct filter f;
static int messages, counts;
static long limit, page = 1;
static time_t asof;
static struct words_hits hits;
static int indexed;	/* hits narrow a search */

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-ls [-0m] [-C DIR] [-u USER] [--json] [-n N] "
	    "[--page P] [-s TEXT]\n"
	    "                [--counts] [--order recent|unanswered] "
	    "[--unread] [--mine]\n"
	    "                [--unassigned] [--assignee U] [--member U] "
	    "[--open | --closed |\n"
	    "                --archived | --all] [--blocked] [--failed] "
	    "[--flagged]\n"
	    "                [--attention] [--opted-out] [--customer C] "
	    "[--job J] [--group G]\n"
	    "                [--context C] [--channel C] [--direction "
	    "in|out] [--type T]\n"
	    "                [--status S] [--today | --week | --month | "
	    "--days N |\n"
	    "                --since TIME [--until TIME] | --all-time] "
	    "[--as-of TIME] [@VIEW]\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static void
iso(time_t t, char *buf, size_t n)
{
	if (t)
		time_iso(t, buf, n);
	else
		snprintf(buf, n, "-");
}

/* Case-insensitive match of the search in names, numbers and ids. */
static int
search_meta(const struct convsum *s, const char *q)
{
	char digits[64];
	size_t k = 0;

	if (strcasestr(s->name, q) || strcasestr(s->address, q) ||
	    strcasestr(s->contact, q) || !strncmp(s->id, q, strlen(q)))
		return 1;
	for (const char *p = q; *p && k < sizeof(digits) - 1; p++)
		if (*p >= '0' && *p <= '9')
			digits[k++] = *p;
		else if (!strchr(" +-().", *p))
			return 0;
	digits[k] = '\0';
	return k >= 4 && strstr(s->address, digits);
}

static int
text_cb(const struct msg *m, void *q)
{
	return msg_text_has(m, q);
}

static int
search_text(struct store *st, const char *id, const char *q)
{
	/* the word index says who may have it, and whether to look */
	if (indexed && !words_has(&hits, id))
		return 0;
	if (indexed && !hits.verify)
		return 1;
	return msg_each(st, id, text_cb, (void *)q);
}

static void
print_conv(const struct convsum *s)
{
	char t[32];

	iso(s->last, t, sizeof(t));
	if (c.json) {
		struct json *j = json_obj();
		char *line;

		json_set_str(j, "id", s->id);
		json_set_int(j, "unread", s->unread);
		json_set_str(j, "last", t);
		json_set_str(j, "channel", s->channel);
		json_set_str(j, "name", s->name);
		json_set_str(j, "address", s->address);
		json_set_str(j, "contact", s->contact);
		json_set_str(j, "status", s->status);
		json_set_bool(j, "archived", s->archived);
		json_set_bool(j, "blocked", s->blocked);
		json_set_str(j, "assignee", s->assignee);
		json_set_str(j, "members", s->members);
		json_set_str(j, "jobs", s->jobs);
		json_set_bool(j, "failed", s->failed);
		json_set_bool(j, "answered", s->answered);
		json_set_int(j, "messages", s->total);
		json_set_str(j, "preview", s->preview);
		line = json_dump(j);
		printf("%s\n", line);
		free(line);
		json_free(j);
	} else if (c.zero) {
		fputs(s->id, stdout);
		putchar('\0');
	} else if (cli_tty()) {
		char when[32];

		time_fmt_tz(s->last, f.tz, "%b %d %H:%M", when, sizeof(when));
		printf("%s %s%-3s\033[0m %s %-8s %-22.22s %s%s%.60s\n", s->id,
		    s->unread ? "\033[1m" : "", s->unread ? "●" : "", when,
		    s->channel, s->name, s->failed ? "\033[31m(failed) " : "",
		    *s->assignee ? "" : "", s->preview);
		fputs("\033[0m", stdout);
	} else
		printf("%s\t%d\t%s\t%s\t%s\t%s\n", s->id, s->unread, t,
		    *s->channel ? s->channel : "-", s->name, s->preview);
}

static int
msg_wanted(const struct msg *m)
{
	const char *v;

	if (f.direction && (!(v = msg_get(m, "X-Inbox-Direction")) ||
	    strcmp(v, f.direction)))
		return 0;
	if (f.type && (!(v = msg_get(m, "X-Inbox-Type")) || strcmp(v, f.type)))
		return 0;
	if (f.status && (!(v = msg_get(m, "X-Inbox-Status")) ||
	    strcmp(v, f.status)))
		return 0;
	if (f.channel && (!(v = msg_get(m, "X-Inbox-Channel")) ||
	    strcmp(v, f.channel)))
		return 0;
	if (f.unread && (msg_flag(m, 'S') ||
	    !(v = msg_get(m, "X-Inbox-Direction")) || strcmp(v, "in")))
		return 0;
	if (!f.search && !f.alltime && ((f.since && m->date < f.since) ||
	    (f.until && m->date > f.until)))
		return 0;
	return 1;
}

static int
wanted_cb(const struct msg *m, void *arg)
{
	(void)arg;
	return msg_wanted(m);
}

/* --direction, --type, --status on conversations: a message matches. */
static int
some_msg_wanted(struct store *st, const char *id)
{
	return msg_each(st, id, wanted_cb, NULL);
}

static void
print_msg(const struct msg *m, const struct convsum *s)
{
	char id[160], t[32], *text, *pv;
	const char *dir = msg_get(m, "X-Inbox-Direction");
	const char *ch = msg_get(m, "X-Inbox-Channel");
	const char *type = msg_get(m, "X-Inbox-Type");
	const char *status = msg_get(m, "X-Inbox-Status");

	msg_id(m, id, sizeof(id));
	time_iso(m->date, t, sizeof(t));
	text = msg_text(m);
	for (pv = text; *pv; pv++)
		if (*pv == '\n' || *pv == '\t' || *pv == '\r')
			*pv = ' ';
	while (pv > text && pv[-1] == ' ')
		*--pv = '\0';
	if (c.json) {
		struct json *j = json_obj();
		char *line;

		json_set_str(j, "id", id);
		json_set_str(j, "conversation", m->conv);
		json_set_str(j, "time", t);
		json_set_str(j, "direction", dir);
		json_set_str(j, "channel", ch);
		json_set_str(j, "type", type);
		json_set_str(j, "status", status);
		json_set_str(j, "name", s->name);
		json_set_str(j, "error", msg_get(m, "X-Inbox-Error"));
		json_set_bool(j, "read", msg_flag(m, 'S'));
		json_set_str(j, "text", text);
		line = json_dump(j);
		printf("%s\n", line);
		free(line);
		json_free(j);
	} else if (c.zero) {
		fputs(id, stdout);
		putchar('\0');
	} else
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.80s\n", id, t,
		    dir ? dir : "-", ch ? ch : "-", type ? type : "-",
		    status ? status : "-", s->name, text);
	free(text);
}

static long
list_messages(struct store *st, struct convsum *v, size_t n)
{
	long shown = 0, skip = limit ? (page - 1) * limit : 0;

	for (size_t i = 0; i < n && (!limit || shown < limit); i++) {
		char **paths;
		size_t np;
		/* found by name or number: all of its messages */
		int meta = f.search && search_meta(&v[i], f.search);

		if (conv_messages(st, v[i].id, &paths, &np) < 0)
			continue;
		for (size_t k = np; k-- > 0 && (!limit || shown < limit);) {
			struct msg m;

			if (msg_load_path(&m, st, paths[k]) < 0) {
				inbox_error_clear();
				continue;
			}
			if (msg_wanted(&m) && (!f.search || meta ||
			    msg_text_has(&m, f.search))) {
				if (skip > 0)
					skip--;
				else {
					print_msg(&m, &v[i]);
					shown++;
				}
			}
			msg_free(&m);
		}
		strv_free(paths, np);
	}
	return shown;
}

/* The conversation passes the filters, the search and the message
 * filters, and the acting user may see it. */
static int
conv_wanted(struct store *st, const struct convsum *s)
{
	return filter_match(&f, s) && perm_sees(st, s->members,
	    s->assignee) && (!f.search || search_meta(s, f.search) ||
	    search_text(st, s->id, f.search)) && (messages ||
	    !f.msgfilters || some_msg_wanted(st, s->id));
}

/* A page read in order from the cache (summary_recent). */
struct page {
	struct store *st;
	long skip, shown;
};

static int
page_cb(const struct convsum *s, void *arg)
{
	struct page *pg = arg;

	if (!conv_wanted(pg->st, s))
		return 0;
	if (pg->skip > 0) {
		pg->skip--;
		return 0;
	}
	print_conv(s);
	return ++pg->shown >= limit && limit;
}

static void
print_counts(struct store *st, struct convsum *v, size_t n)
{
	long all = 0, unread = 0, unassigned = 0, mine = 0;

	for (size_t i = 0; i < n; i++) {
		if (!filter_match(&f, &v[i]) || !perm_sees(st, v[i].members,
		    v[i].assignee))
			continue;
		all++;
		unread += v[i].unread > 0;
		unassigned += !*v[i].assignee;
		mine += f.me && !strcmp(v[i].assignee, f.me);
	}
	if (c.json)
		printf("{\"all\":%ld,\"unread\":%ld,\"unassigned\":%ld,"
		    "\"mine\":%ld}\n", all, unread, unassigned, mine);
	else
		printf("all\t%ld\nunread\t%ld\nunassigned\t%ld\nmine\t%ld\n",
		    all, unread, unassigned, mine);
}

int
main(int argc, char **argv)
{
	struct option longopts[64];
	static const struct option own[] = {
		{ "counts", no_argument, NULL, OPT_COUNTS },
		{ "page", required_argument, NULL, OPT_PAGE },
		{ "as-of", required_argument, NULL, OPT_ASOF },
		{ "as-of", required_argument, NULL, OPT_ASOF },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
	};
	struct store *st;
	struct convsum *v;
	size_t n, shown = 0;
	char *end;
	long num;
	int opt, first;

	cli_init("inbox-ls");
	cli_filter_options(longopts, own, sizeof(own) / sizeof(*own));
	/* first pass: where the store is, for its time zone; getopt moves
	 * the @VIEWs to the end */
	first = cli_prescan(&c, argc, argv, "0hmn:qs:C:u:", longopts, usage);
	if (store_open(&st, c.dir, "inbox-ls", c.user) < 0)
		die_lib();
	/* --as-of before the rest: "today", "this week" and the default 30
	 * days are then those of that time, as the office saw them */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "0hmn:qs:C:u:", longopts,
	    NULL)) != -1)
		if (opt == OPT_ASOF && time_parse(optarg, config_str(st->cfg,
		    "business.timezone", "UTC"), &asof) < 0)
			die_lib();
	opterr = 1;
	optind = 0;
	filter_init(&f, st->user, config_str(st->cfg, "business.timezone",
	    "UTC"));
	if (asof)
		filter_at(&f, asof);
	/* views first: options given with a view refine it */
	for (int i = first; i < argc; i++)
		if (argv[i][0] == '@' && filter_view(&f, st->cfg,
		    argv[i] + 1) < 0)
			die_lib();
	while ((opt = getopt_long(argc, argv, "0hmn:qs:C:u:", longopts,
	    NULL)) != -1) {
		int r;

		switch (opt) {
		case 'm': messages = 1; continue;
		case OPT_COUNTS: counts = 1; continue;
		case OPT_ASOF:
			continue;	/* read above */
		case 'n':
		case OPT_PAGE:
			num = strtol(optarg, &end, 10);
			if (*end || num < 1)
				die(INBOX_EUSAGE, "%s wants a positive number",
				    opt == 'n' ? "-n" : "--page");
			if (opt == OPT_PAGE)
				page = num;
			else
				limit = num;
			continue;
		}
		r = filter_option(&f, opt, optarg);
		if (r < 0)
			die_lib();
		if (r == 0 && !cli_option(&c, opt, optarg, usage))
			usage(1);
	}
	argc -= optind;
	argv += optind;
	for (int i = 0; i < argc; i++)
		if (argv[i][0] != '@')
			usage(1);
	if (page > 1 && !limit)
		limit = 50;
	if (perm_require(st, "messages.view") < 0)
		die_lib();
	if (f.search && !asof) {
		int r = words_query(st, f.search, &hits);

		if (r < 0)
			die_lib();
		indexed = r == 0;
	}
	if (!asof && !counts && !messages && !f.msgfilters &&
	    f.order == FO_RECENT) {
		/* in the cache's order: read no more than the page */
		struct page pg = { st, (page - 1) * limit, 0 };
		int r = summary_recent(st, page_cb, &pg);

		if (r < 0)
			die_lib();
		if (r == 0) {
			v = NULL;
			n = 0;
			shown = (size_t)pg.shown;
			goto done;
		}
	}
	if (asof) {
		/* the inbox as the office saw it then, from git history */
		if (store_set_at(st, asof) < 0 || summary_asof(st, &v, &n) < 0)
			die_lib();
	} else if (summary_all(st, &v, &n) < 0)
		die_lib();
	if (counts) {
		print_counts(st, v, n);
		goto done;
	}
	{
		const char *ch = f.channel;
		size_t j = 0;

		/* with -m the channel is each message's, not the last one */
		if (messages)
			f.channel = NULL;
		for (size_t i = 0; i < n; i++) {
			if (conv_wanted(st, &v[i]))
				v[j++] = v[i];
			else
				summary_free(&v[i]);
		}
		n = j;
		f.channel = ch;
	}
	filter_sort(&f, v, n);
	if (messages)
		shown = (size_t)list_messages(st, v, n);
	else {
		size_t from = limit ? (size_t)((page - 1) * limit) : 0;

		for (size_t i = from; i < n && (!limit || shown <
		    (size_t)limit); i++, shown++)
			print_conv(&v[i]);
	}
done:
	summary_list_free(v, n);
	words_hits_free(&hits);
	store_close(st);
	return cli_done(counts || shown ? 0 : INBOX_ENOMATCH);
}
