/*
 * hours.c - business hours and quiet hours.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "hours.h"

static const char *days[] = { "sun", "mon", "tue", "wed", "thu", "fri",
	"sat" };

/* "08:00-17:00" -> minutes; 0 when it is "closed" or unreadable. */
static int
range(const char *s, int *from, int *to)
{
	int a, b, c, d;

	if (!s || sscanf(s, "%d:%d-%d:%d", &a, &b, &c, &d) != 4 ||
	    a < 0 || a > 24 || c < 0 || c > 24 || b < 0 || b > 59 || d < 0 ||
	    d > 59)
		return 0;
	*from = a * 60 + b;
	*to = c * 60 + d;
	return 1;
}

static const char *
tz_of(struct store *st)
{
	return config_str(st->cfg, "business.timezone", "UTC");
}

static int
holiday(struct store *st, const struct tm *tm)
{
	int node = config_node(st->cfg, 0, "holidays");
	char day[16];

	snprintf(day, sizeof(day), "%04d-%02d-%02d", tm->tm_year + 1900,
	    tm->tm_mon + 1, tm->tm_mday);
	for (size_t i = 0; i < config_len(st->cfg, node); i++) {
		const char *v = config_scalar(st->cfg, config_item(st->cfg,
		    node, i, NULL));

		if (v && !strcmp(v, day))
			return 1;
	}
	return 0;
}

/* The range of a weekday (0 Sunday); 0 when it is closed. */
static int
day_range(struct store *st, int wday, int *from, int *to)
{
	struct sb k = SB_INIT;
	int r;

	sb_addf(&k, "hours.%s", days[wday]);
	r = range(config_str(st->cfg, k.buf, NULL), from, to);
	sb_release(&k);
	return r;
}

int
hours_open(struct store *st, time_t t)
{
	struct tm tm;
	int from, to, m;

	if (!config_node(st->cfg, 0, "hours"))
		return 1;	/* no hours: always open */
	time_local(t, tz_of(st), &tm);
	if (holiday(st, &tm))
		return 0;
	m = tm.tm_hour * 60 + tm.tm_min;
	if (day_range(st, tm.tm_wday, &from, &to) &&
	    (from <= to ? m >= from && m < to : m >= from))
		return 1;
	/* a range past midnight ("22:00-03:00") runs into the next day */
	return day_range(st, (tm.tm_wday + 6) % 7, &from, &to) &&
	    from > to && m < to;
}

time_t
hours_closed_since(struct store *st, time_t t)
{
	time_t s = t - t % 60;

	for (int i = 0; i < 14 * 24 * 4; i++) {
		if (hours_open(st, s - 15 * 60))
			break;
		s -= 15 * 60;
	}
	/* find the exact minute the business closed */
	while (s > t - 15 * 24 * 3600 && !hours_open(st, s - 60))
		s -= 60;
	return s;
}

int
quiet_ok(struct store *st, const char *contact, const char *type, time_t t,
    time_t *next)
{
	struct kv c = KV_INIT;
	struct sb k = SB_INIT;
	const char *win = NULL, *tz = tz_of(st);
	char *tzc = NULL;
	int from, to, m;
	struct tm tm;

	if (contact && contact_load(st, contact, &c) == 0) {
		if (kv_get(&c, "timezone"))
			tz = tzc = xstrdup(kv_get(&c, "timezone"));
		if (kv_get(&c, "region")) {
			sb_addf(&k, "quiet.regions.%s", kv_get(&c, "region"));
			win = config_str(st->cfg, k.buf, NULL);
		}
	}
	inbox_error_clear();
	kv_free(&c);
	if (!win && type) {
		sb_reset(&k);
		sb_addf(&k, "quiet.types.%s", type);
		win = config_str(st->cfg, k.buf, NULL);
	}
	sb_release(&k);
	if (!win)
		win = config_str(st->cfg, "quiet.window", "08:00-21:00");
	if (!range(win, &from, &to) || from == to) {
		free(tzc);
		return 1;
	}
	time_local(t, tz, &tm);
	m = tm.tm_hour * 60 + tm.tm_min;
	if (from < to ? m >= from && m < to : m >= from || m < to) {
		free(tzc);
		return 1;
	}
	/* next opening: today at `from` if still ahead, else tomorrow */
	if (m >= from)
		tm.tm_mday++;
	tm.tm_hour = from / 60;
	tm.tm_min = from % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	*next = time_from_local(&tm, tz);
	free(tzc);
	return 0;
}
