/*
 * filter.h - the filters, date ranges and orders of inbox-ls, shared by
 * every command that takes "the same filters as inbox-ls" (inbox-flag
 * --all-read, inbox-watch).
 *
 * Dates use "any activity" semantics: a conversation is in "this week"
 * when any message or status change on it falls in the week.  The
 * default range is the last 30 days; a search (-s) looks at all time.
 */
#ifndef INBOX_FILTER_H
#define INBOX_FILTER_H

#include <getopt.h>
#include <time.h>

#include "summary.h"

enum filter_state { FS_OPEN, FS_CLOSED, FS_ARCHIVED, FS_ALL };
enum filter_order { FO_RECENT, FO_UNANSWERED };

struct filter {
	int unread, mine, unassigned, blocked, failed, flagged, attention;
	int optedout;
	enum filter_state state;
	enum filter_order order;
	const char *assignee, *member, *customer, *job, *group, *context;
	const char *channel, *direction, *type, *status;
	const char *search;
	time_t since, until;	/* 0: open-ended */
	int alltime;
	time_t now;		/* what "today" and the default range are
				 * counted from */
	const char *me;		/* the acting user, for --mine */
	const char *tz;
	int msgfilters;		/* direction/type/status given: per message */
};

/* getopt_long entries for every filter; their values are FILTER_OPT+i. */
#define FILTER_OPT 400
extern const struct option filter_longopts[];

/* 1 when opt is a search (-s, --search). */
int filter_is_search(int opt);

/* Defaults: open conversations, last 30 days, recent first. */
void filter_init(struct filter *f, const char *me, const char *tz);
/* Count the dates from `now` instead (inbox-ls --as-of): before any
 * option is applied. */
void filter_at(struct filter *f, time_t now);
/*
 * Apply option `opt` (a FILTER_OPT value, or 's' for a search) with its
 * argument.  Returns 1 when it was a filter option, 0 when not, -1 with
 * class 64 on a bad value.
 */
int filter_option(struct filter *f, int opt, const char *arg);
/*
 * Apply a saved view from inbox.yaml (views.NAME: "--unassigned --today")
 * by splitting it into options.  -1 with class 64 when unknown.
 */
int filter_view(struct filter *f, const struct config *cfg,
    const char *name);
/* Everything but the date range (for counts and search). */
int filter_match_nodate(const struct filter *f, const struct convsum *s);
int filter_match(const struct filter *f, const struct convsum *s);
/* Sort by the filter's order. */
void filter_sort(const struct filter *f, struct convsum *v, size_t n);

#endif
