/*
 * inbox-remind - for cron: fire the reminder hook once for each job whose
 * reminder is due.  Safe every five minutes: it never reminds twice,
 * skips canceled and done jobs, and after downtime catches up without
 * reminding of jobs already started.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conv.h"
#include "hook.h"
#include "job.h"
#include "store.h"

static struct cli c;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-remind [-q] [-C DIR] [-u USER] [--dry-run]\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

/* When the reminder of a job at `at` is due. */
static time_t
due(struct store *st, time_t at)
{
	long long hours = config_int(st->cfg, "remind.hours-before", 0);
	const char *when = config_str(st->cfg, "remind.at", "17:00");
	long long days = config_int(st->cfg, "remind.days-before", 1);
	const char *tz = config_str(st->cfg, "business.timezone", "UTC");
	int h = 17, m = 0;
	struct tm tm;

	if (hours > 0)
		return at - (time_t)hours * 3600;
	if (sscanf(when, "%d:%d", &h, &m) != 2 || h < 0 || h > 23 || m < 0 ||
	    m > 59)
		h = 17, m = 0;
	time_local(at, tz, &tm);
	tm.tm_mday -= (int)days;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return time_from_local(&tm, tz);
}

/* 1 when the reminder for the job's current revision went out. */
static int
reminded(const struct kv *j)
{
	const char *v = kv_get(j, "sent.reminder");

	return v && atoll(v) == kv_get_int(j, "rev", 0);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct store *st;
	char **ids;
	size_t n;
	int opt, dry = 0, ret = 0;
	time_t now = inbox_now();

	cli_init("inbox-remind");
	while ((opt = getopt_long(argc, argv, "hnqC:u:", longopts,
	    NULL)) != -1)
		if (opt == 'n')
			dry = 1;
		else if (!cli_option(&c, opt, optarg, usage))
			usage(1);
	if (optind != argc)
		usage(1);
	if (store_open(&st, c.dir, "inbox-remind", c.user) < 0)
		die_lib();
	/* the reminder hook turned off (chmod -x): no reminders */
	if (!hook_exists(st, "reminder")) {
		store_close(st);
		return cli_done(0);
	}
	if (job_list(st, &ids, &n) < 0)
		die_lib();
	for (size_t i = 0; i < n; i++) {
		struct kv j = KV_INIT;
		const char *s, *a;
		time_t at;
		int fire = 0;

		if (job_load(st, ids[i], &j) < 0) {
			ret = warn_lib();
			kv_free(&j);
			continue;
		}
		s = kv_get(&j, "status");
		a = kv_get(&j, "at");
		fire = s && !strcmp(s, "scheduled") && a &&
		    time_parse(a, "UTC", &at) == 0 && at > now &&
		    now >= due(st, at) && !reminded(&j);
		inbox_error_clear();
		kv_free(&j);
		if (!fire)
			continue;
		if (!c.quiet)
			printf("%s\n", ids[i]);
		if (!dry) {
			struct sb out = SB_INIT;
			int status = hook_job(st, "reminder", ids[i], &out);

			fputs(out.buf, stderr);
			sb_release(&out);
			if (status) {
				warnx("reminder hook failed for %s (exit %d)",
				    ids[i], status);
				ret = INBOX_ENOMATCH;
			}
		}
	}
	strv_free(ids, n);
	store_close(st);
	return cli_done(ret);
}
