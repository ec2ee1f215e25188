/*
 * inbox-job - record job events (scheduled, rescheduled, tech en route,
 * done, canceled, invoiced) and fire their hooks, which send the
 * automatic messages; list and show jobs; fire a hook again.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conv.h"
#include "hook.h"
#include "job.h"
#include "json.h"
#include "perm.h"
#include "store.h"

enum {
	OPT_CUSTOMER = OPT_FIRST_CMD, OPT_AT, OPT_TECH, OPT_ADDRESS, OPT_ETA,
	OPT_INVOICE, OPT_URL, OPT_SP
};

static struct cli c;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-job [-q] [-C DIR] [-u USER] schedule JOB --customer "
	    "CUSTOMER --at TIME\n"
	    "                 [--tech STAFF] [--address TEXT] [--service-pro "
	    "CONTACT]\n"
	    "       inbox-job [-q] [-C DIR] [-u USER] reschedule JOB --at TIME "
	    "[--tech STAFF]\n"
	    "       inbox-job [-q] [-C DIR] [-u USER] enroute JOB [--eta "
	    "MINUTES]\n"
	    "       inbox-job [-q] [-C DIR] [-u USER] done JOB [--invoice-url "
	    "URL]\n"
	    "       inbox-job [-q] [-C DIR] [-u USER] cancel JOB\n"
	    "       inbox-job [-q] [-C DIR] [-u USER] invoice JOB --url URL\n"
	    "       inbox-job [-q] [-C DIR] [-u USER] rerun JOB EVENT\n"
	    "       inbox-job [-0] [-C DIR] [--json] ls [--all]\n"
	    "       inbox-job [-C DIR] [--json] show JOB\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

/* Fire a job hook and say what happened; 0, or 2 when it failed. */
static int
fire(struct store *st, const char *hook, const char *job)
{
	struct sb out = SB_INIT;
	int status = hook_job(st, hook, job, &out);

	fputs(out.buf, stderr);
	sb_release(&out);
	if (status < 0)
		return warn_lib();
	if (status) {
		warnx("hook %s failed for %s (exit %d); it is recorded on the "
		    "job: run inbox-job rerun %s %s", hook, job, status, job,
		    hook);
		return INBOX_EFAIL;
	}
	return 0;
}

/*
 * Whether the hook of an event still fits the job: no on-my-way once the
 * job is done, no reminder or confirmation for a canceled one.  NULL, or
 * the job's status that rules it out.
 */
static const char *
stale(const struct kv *j, const char *hook)
{
	const char *s = kv_get(j, "status");

	s = s ? s : "scheduled";
	if ((!strcmp(hook, "job-scheduled") ||
	    !strcmp(hook, "job-rescheduled") || !strcmp(hook, "reminder")) &&
	    (!strcmp(s, "done") || !strcmp(s, "canceled")))
		return s;
	if (!strcmp(hook, "tech-en-route") && strcmp(s, "en-route"))
		return s;
	if (!strcmp(hook, "job-done") && strcmp(s, "done"))
		return s;
	if (!strcmp(hook, "job-canceled") && strcmp(s, "canceled"))
		return s;
	if (!strcmp(hook, "invoice-sent") && !kv_get(j, "invoice-url"))
		return "not invoiced";
	return NULL;
}

static int
list(struct store *st, int all)
{
	char **ids;
	size_t n;

	if (job_list(st, &ids, &n) < 0)
		return warn_lib();
	for (size_t i = 0; i < n; i++) {
		struct kv j = KV_INIT;
		const char *s;

		if (job_load(st, ids[i], &j) < 0) {
			warn_lib();
			continue;
		}
		s = kv_get(&j, "status");
		if (all || !s || (strcmp(s, "done") && strcmp(s, "canceled"))) {
			if (c.json) {
				struct json *o = json_obj();
				char *line;

				json_set_str(o, "id", ids[i]);
				for (size_t k = 0; k < j.n; k++)
					json_set_str(o, j.v[k].key,
					    j.v[k].val);
				line = json_dump(o);
				printf("%s\n", line);
				free(line);
				json_free(o);
			} else if (c.zero) {
				fputs(ids[i], stdout);
				putchar('\0');
			} else
				printf("%s\t%s\t%s\t%s\t%s\n", ids[i],
				    s ? s : "-", kv_get(&j, "at") ?
				    kv_get(&j, "at") : "-",
				    kv_get(&j, "customer") ? kv_get(&j,
				    "customer") : "-", kv_get(&j, "tech") ?
				    kv_get(&j, "tech") : "-");
		}
		kv_free(&j);
	}
	strv_free(ids, n);
	return 0;
}

static int
show(struct store *st, const char *id)
{
	struct kv j = KV_INIT;
	struct sb s = SB_INIT;

	if (job_load(st, id, &j) < 0)
		return warn_lib();
	if (c.json) {
		struct json *o = json_obj();
		char *line;

		json_set_str(o, "id", id);
		for (size_t k = 0; k < j.n; k++)
			json_set_str(o, j.v[k].key, j.v[k].val);
		line = json_dump(o);
		printf("%s\n", line);
		free(line);
		json_free(o);
	} else {
		kv_format(&j, &s);
		printf("job: %s\n%s", id, s.buf);
	}
	sb_release(&s);
	kv_free(&j);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "customer", required_argument, NULL, OPT_CUSTOMER },
		{ "at", required_argument, NULL, OPT_AT },
		{ "tech", required_argument, NULL, OPT_TECH },
		{ "address", required_argument, NULL, OPT_ADDRESS },
		{ "eta", required_argument, NULL, OPT_ETA },
		{ "invoice-url", required_argument, NULL, OPT_INVOICE },
		{ "url", required_argument, NULL, OPT_URL },
		{ "service-pro", required_argument, NULL, OPT_SP },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct job_req q = { 0 };
	struct job_res res;
	struct store *st;
	const char *verb, *at = NULL;
	char *end;
	int opt, all = 0, ret;

	cli_init("inbox-job");
	q.eta = -1;
	while ((opt = getopt_long(argc, argv, "0ahqC:u:", longopts,
	    NULL)) != -1)
		switch (opt) {
		case OPT_CUSTOMER: q.customer = optarg; break;
		case OPT_AT: at = optarg; break;
		case OPT_TECH: q.tech = optarg; break;
		case OPT_ADDRESS: q.address = optarg; break;
		case OPT_ETA:
			q.eta = strtol(optarg, &end, 10);
			if (*end || q.eta < 0 || q.eta > 24 * 60)
				die(INBOX_EUSAGE, "--eta wants minutes");
			break;
		case OPT_INVOICE:
		case OPT_URL: q.invoice_url = optarg; break;
		case OPT_SP: q.service_pro = optarg; break;
		case 'a': all = 1; break;
		default:
			if (!cli_option(&c, opt, optarg, usage))
				usage(1);
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(1);
	verb = argv[0];
	if (store_open(&st, c.dir, "inbox-job", c.user) < 0 ||
	    perm_require(st, "messages.view") < 0)
		die_lib();
	if (strcmp(argv[0], "ls") && strcmp(argv[0], "show") &&
	    perm_require(st, "messages.assign") < 0) {
		struct kv j = KV_INIT;

		/* the tech on the job reports en route and done */
		if (argc < 2 || (strcmp(argv[0], "enroute") &&
		    strcmp(argv[0], "done")) || job_load(st, argv[1], &j) < 0 ||
		    !kv_has(&j, "tech", st->user))
			die_lib();
		kv_free(&j);
		inbox_error_clear();
	}
	if (!strcmp(verb, "ls")) {
		if (argc != 1)
			usage(1);
		ret = list(st, all);
		goto out;
	}
	if (argc < 2)
		usage(1);
	q.job = argv[1];
	if (!strcmp(verb, "show")) {
		ret = argc == 2 ? show(st, q.job) : (usage(1), 1);
		goto out;
	}
	if (!strcmp(verb, "rerun")) {
		struct kv j = KV_INIT;
		const char *ev, *why;

		if (argc != 3)
			usage(1);
		ev = job_hook(argv[2]) ? job_hook(argv[2]) : argv[2];
		if (!job_exists(st, q.job))
			die(INBOX_ENOMATCH, "no job %s", q.job);
		if (!hook_exists(st, ev))
			die(INBOX_EUSAGE, "no executable hook %s", ev);
		if (job_load(st, q.job, &j) < 0)
			die_lib();
		if ((why = stale(&j, ev)))
			die(INBOX_EUSAGE, "job %s is %s: %s does not apply",
			    q.job, why, ev);
		kv_free(&j);
		ret = fire(st, ev, q.job);
		goto out;
	}
	if (argc != 2 || !job_hook(verb))
		usage(1);
	q.event = verb;
	if (at && time_parse(at, config_str(st->cfg, "business.timezone",
	    "UTC"), &q.at) < 0)
		die_lib();
	if (store_lock(st) < 0 || job_event(st, &q, &res) < 0)
		die_lib();
	store_unlock(st);
	if (!c.quiet)
		printf("%s\n", q.job);
	ret = fire(st, res.hook, q.job);
out:
	store_close(st);
	return cli_done(ret);
}
