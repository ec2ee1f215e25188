/*
 * filter.c - inbox-ls filters.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "filter.h"

enum {
	F_UNREAD, F_MINE, F_UNASSIGNED, F_ASSIGNEE, F_MEMBER, F_CLOSED,
	F_ARCHIVED, F_ALL, F_OPEN, F_CUSTOMER, F_JOB, F_BLOCKED, F_FAILED,
	F_CHANNEL, F_DIRECTION, F_TYPE, F_STATUS, F_TODAY, F_WEEK, F_MONTH,
	F_DAYS, F_SINCE, F_UNTIL, F_ALLTIME, F_ORDER, F_GROUP, F_FLAGGED,
	F_ATTENTION, F_CONTEXT, F_OPTEDOUT, F_SEARCH
};

const struct option filter_longopts[] = {
	{ "unread", no_argument, NULL, FILTER_OPT + F_UNREAD },
	{ "mine", no_argument, NULL, FILTER_OPT + F_MINE },
	{ "unassigned", no_argument, NULL, FILTER_OPT + F_UNASSIGNED },
	{ "assignee", required_argument, NULL, FILTER_OPT + F_ASSIGNEE },
	{ "member", required_argument, NULL, FILTER_OPT + F_MEMBER },
	{ "closed", no_argument, NULL, FILTER_OPT + F_CLOSED },
	{ "archived", no_argument, NULL, FILTER_OPT + F_ARCHIVED },
	{ "all", no_argument, NULL, FILTER_OPT + F_ALL },
	{ "open", no_argument, NULL, FILTER_OPT + F_OPEN },
	{ "customer", required_argument, NULL, FILTER_OPT + F_CUSTOMER },
	{ "job", required_argument, NULL, FILTER_OPT + F_JOB },
	{ "blocked", no_argument, NULL, FILTER_OPT + F_BLOCKED },
	{ "failed", no_argument, NULL, FILTER_OPT + F_FAILED },
	{ "channel", required_argument, NULL, FILTER_OPT + F_CHANNEL },
	{ "direction", required_argument, NULL, FILTER_OPT + F_DIRECTION },
	{ "type", required_argument, NULL, FILTER_OPT + F_TYPE },
	{ "status", required_argument, NULL, FILTER_OPT + F_STATUS },
	{ "today", no_argument, NULL, FILTER_OPT + F_TODAY },
	{ "week", no_argument, NULL, FILTER_OPT + F_WEEK },
	{ "month", no_argument, NULL, FILTER_OPT + F_MONTH },
	{ "days", required_argument, NULL, FILTER_OPT + F_DAYS },
	{ "since", required_argument, NULL, FILTER_OPT + F_SINCE },
	{ "until", required_argument, NULL, FILTER_OPT + F_UNTIL },
	{ "all-time", no_argument, NULL, FILTER_OPT + F_ALLTIME },
	{ "order", required_argument, NULL, FILTER_OPT + F_ORDER },
	{ "group", required_argument, NULL, FILTER_OPT + F_GROUP },
	{ "flagged", no_argument, NULL, FILTER_OPT + F_FLAGGED },
	{ "attention", no_argument, NULL, FILTER_OPT + F_ATTENTION },
	{ "context", required_argument, NULL, FILTER_OPT + F_CONTEXT },
	{ "opted-out", no_argument, NULL, FILTER_OPT + F_OPTEDOUT },
	{ "search", required_argument, NULL, FILTER_OPT + F_SEARCH },
	{ NULL, 0, NULL, 0 }
};

int
filter_is_search(int opt)
{
	return opt == 's' || opt == FILTER_OPT + F_SEARCH;
}

void
filter_init(struct filter *f, const char *me, const char *tz)
{
	memset(f, 0, sizeof(*f));
	f->me = me;
	f->tz = tz;
	filter_at(f, inbox_now());
}

void
filter_at(struct filter *f, time_t now)
{
	f->now = now;
	f->since = now - 30 * 86400;
}

static time_t
day_start(const struct filter *f, int back)
{
	struct tm tm;

	time_local(f->now, f->tz, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday -= back;
	tm.tm_isdst = -1;
	return time_from_local(&tm, f->tz);
}

static int
one_of(const char *v, const char *const *ok, const char *what)
{
	for (; *ok; ok++)
		if (!strcmp(v, *ok))
			return 0;
	return inbox_error(INBOX_EUSAGE, "unknown %s '%s'", what, v);
}

int
filter_option(struct filter *f, int opt, const char *arg)
{
	static const char *const dirs[] = { "in", "out", NULL };
	static const char *const orders[] = { "recent", "unanswered", NULL };
	struct tm tm;
	char *end;
	long n;

	if (opt == 's') {
		f->search = arg;
		return 1;
	}
	if (opt < FILTER_OPT || opt > FILTER_OPT + F_SEARCH)
		return 0;
	switch (opt - FILTER_OPT) {
	case F_UNREAD: f->unread = 1; break;
	case F_MINE: f->mine = 1; break;
	case F_UNASSIGNED: f->unassigned = 1; break;
	case F_ASSIGNEE: f->assignee = arg; break;
	case F_MEMBER: f->member = arg; break;
	case F_CLOSED: f->state = FS_CLOSED; break;
	case F_ARCHIVED: f->state = FS_ARCHIVED; break;
	case F_ALL: f->state = FS_ALL; break;
	case F_OPEN: f->state = FS_OPEN; break;
	case F_CUSTOMER: f->customer = arg; break;
	case F_JOB: f->job = arg; break;
	case F_BLOCKED: f->blocked = 1; f->state = FS_ALL; break;
	case F_FAILED: f->failed = 1; break;
	case F_FLAGGED: f->flagged = 1; break;
	case F_ATTENTION: f->attention = 1; break;
	case F_OPTEDOUT: f->optedout = 1; break;
	case F_GROUP: f->group = arg; break;
	case F_CONTEXT: f->context = arg; break;
	case F_SEARCH: f->search = arg; break;
	case F_CHANNEL: f->channel = arg; break;
	case F_DIRECTION:
		if (one_of(arg, dirs, "direction") < 0)
			return -1;
		f->direction = arg;
		f->msgfilters = 1;
		break;
	case F_TYPE: f->type = arg; f->msgfilters = 1; break;
	case F_STATUS: f->status = arg; f->msgfilters = 1; break;
	case F_TODAY: f->since = day_start(f, 0); f->until = 0; break;
	case F_WEEK:
		time_local(f->now, f->tz, &tm);
		/* weeks start on Monday */
		f->since = day_start(f, (tm.tm_wday + 6) % 7);
		f->until = 0;
		break;
	case F_MONTH:
		time_local(f->now, f->tz, &tm);
		f->since = day_start(f, tm.tm_mday - 1);
		f->until = 0;
		break;
	case F_DAYS:
		n = strtol(arg, &end, 10);
		if (*end || n < 1 || n > 100000)
			return inbox_error(INBOX_EUSAGE, "--days wants a "
			    "number of days, not '%s'", arg);
		f->since = day_start(f, (int)n - 1);
		f->until = 0;
		break;
	case F_SINCE:
		if (time_parse_at(arg, f->tz, f->now, &f->since) < 0)
			return -1;
		break;
	case F_UNTIL:
		if (time_parse_at(arg, f->tz, f->now, &f->until) < 0)
			return -1;
		/* a bare date means the whole day */
		if (strlen(arg) == 10)
			f->until += 86399;
		break;
	case F_ALLTIME: f->alltime = 1; f->since = f->until = 0; break;
	case F_ORDER:
		if (one_of(arg, orders, "order") < 0)
			return -1;
		f->order = arg[0] == 'r' ? FO_RECENT : FO_UNANSWERED;
		break;
	}
	return 1;
}

int
filter_view(struct filter *f, const struct config *cfg, const char *name)
{
	struct sb key = SB_INIT;
	const char *v;
	char *copy, *tok, *save = NULL;
	int r = 0;

	sb_addf(&key, "views.%s", name);
	v = config_str(cfg, key.buf, NULL);
	sb_release(&key);
	if (!v)
		return inbox_error(INBOX_EUSAGE, "no view '@%s' in inbox.yaml",
		    name);
	copy = xstrdup(v);
	for (tok = strtok_r(copy, " \t", &save); tok && r == 0;
	    tok = strtok_r(NULL, " \t", &save)) {
		const struct option *o;
		const char *arg = NULL;

		if (strncmp(tok, "--", 2)) {
			r = inbox_error(INBOX_EUSAGE, "view @%s: '%s' is not "
			    "an option", name, tok);
			break;
		}
		for (o = filter_longopts; o->name; o++)
			if (!strcmp(o->name, tok + 2))
				break;
		if (!o->name) {
			r = inbox_error(INBOX_EUSAGE, "view @%s: unknown "
			    "option %s", name, tok);
			break;
		}
		if (o->has_arg && !(arg = strtok_r(NULL, " \t", &save))) {
			r = inbox_error(INBOX_EUSAGE, "view @%s: %s needs a "
			    "value", name, tok);
			break;
		}
		r = filter_option(f, o->val, arg) < 0 ? -1 : 0;
	}
	/* not freed: the filter keeps pointers to the values in it */
	return r;
}

static int
has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; p && *p;) {
		const char *e = p + strcspn(p, " ");

		if ((size_t)(e - p) == n && !strncmp(p, w, n))
			return 1;
		p = *e ? e + 1 : e;
	}
	return 0;
}

int
filter_match_nodate(const struct filter *f, const struct convsum *s)
{
	switch (f->state) {
	case FS_OPEN:
		if (s->archived || s->blocked || strcmp(s->status, "open"))
			return 0;
		break;
	case FS_CLOSED:
		if (s->archived || s->blocked || strcmp(s->status, "closed"))
			return 0;
		break;
	case FS_ARCHIVED:
		if (!s->archived)
			return 0;
		break;
	case FS_ALL:
		break;
	}
	if (f->blocked && !s->blocked)
		return 0;
	if (f->unread && s->unread == 0)
		return 0;
	if (f->unassigned && *s->assignee)
		return 0;
	if (f->mine && (!f->me || strcmp(s->assignee, f->me)))
		return 0;
	if (f->assignee && strcmp(s->assignee, f->assignee))
		return 0;
	if (f->member && !has_word(s->members, f->member))
		return 0;
	if (f->customer && strcmp(s->contact, f->customer) &&
	    strcmp(s->address, f->customer) && strcmp(s->id, f->customer))
		return 0;
	if (f->job && !has_word(s->jobs, f->job))
		return 0;
	if (f->failed && !s->failed)
		return 0;
	if (f->flagged && !s->flagged)
		return 0;
	if (f->attention && !s->attention)
		return 0;
	if (f->optedout && !s->optedout)
		return 0;
	if (f->group && strcmp(s->group, f->group))
		return 0;
	if (f->context && strcmp(s->context, f->context))
		return 0;
	if (f->channel && strcmp(s->channel, f->channel))
		return 0;
	return 1;
}

int
filter_match(const struct filter *f, const struct convsum *s)
{
	if (!filter_match_nodate(f, s))
		return 0;
	if (f->search || f->alltime || (!f->since && !f->until))
		return 1;
	return summary_active(s, f->since, f->until);
}


/* 0 unread and unanswered, 1 read and unanswered, 2 answered */
static int
rank(const struct convsum *s)
{
	if (!s->answered)
		return s->last_in_unread ? 0 : 1;
	return 2;
}

static int
by_unanswered(const void *a, const void *b)
{
	const struct convsum *x = a, *y = b;
	int rx = rank(x), ry = rank(y);

	if (rx != ry)
		return rx - ry;
	return summary_cmp_recent(a, b);
}

void
filter_sort(const struct filter *f, struct convsum *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), f->order == FO_UNANSWERED ?
		    by_unanswered : summary_cmp_recent);
}
