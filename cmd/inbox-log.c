/*
 * inbox-log - the audit trail from git: who did what, when and why, for a
 * conversation, a customer, a job, a staff member or an address's
 * consent.  One line per change: time, actor, command, summary, reason.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "perm.h"
#include "conv.h"
#include "job.h"
#include "json.h"
#include "repo.h"
#include "store.h"

enum {
	OPT_CUSTOMER = OPT_FIRST_CMD, OPT_JOB, OPT_USER, OPT_CONSENT
};

static struct cli c;
static const char *by_user, *job;
static long limit;

struct ctx {
	long shown;
};

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-log [-C DIR] [-u USER] [--json] [-n N] [ID | "
	    "--customer CUSTOMER |\n"
	    "                 --job JOB | --user STAFF | --consent ADDRESS]\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

/* The value of trailer key in a commit message, malloc'd, or NULL. */
static char *
trailer(const char *msg, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = msg; p && *p; p = strchr(p, '\n') ?
	    strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ':' && p[n + 1] == ' ')
			return xstrndup(p + n + 2, strcspn(p + n + 2, "\n"));
	return NULL;
}

static int
show(const struct repo_commit_info *ci, void *arg)
{
	struct ctx *x = arg;
	char t[32], *subject, *reason, *colon;
	const char *cmd;
	char *tj = NULL;

	if (by_user && strcmp(ci->author, by_user))
		return 0;
	if (job && !(tj = trailer(ci->message, "Job")))
		return 0;
	if (tj && strcmp(tj, job)) {
		free(tj);
		return 0;
	}
	free(tj);
	if (limit && x->shown >= limit)
		return 1;
	x->shown++;
	time_iso(ci->when, t, sizeof(t));
	subject = xstrndup(ci->message, strcspn(ci->message, "\n"));
	colon = strstr(subject, ": ");
	cmd = colon ? subject : "-";
	if (colon)
		*colon = '\0';
	reason = trailer(ci->message, "Reason");
	if (c.json) {
		struct json *j = json_obj();
		char *line;

		json_set_str(j, "time", t);
		json_set_str(j, "actor", ci->author);
		json_set_str(j, "command", cmd);
		json_set_str(j, "summary", colon ? colon + 2 : subject);
		json_set_str(j, "reason", reason);
		json_set_str(j, "commit", ci->oid);
		line = json_dump(j);
		printf("%s\n", line);
		free(line);
		json_free(j);
	} else
		printf("%s\t%s\t%s\t%s\t%s\n", t, ci->author, cmd,
		    colon ? colon + 2 : subject, reason ? reason : "-");
	free(reason);
	free(subject);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "customer", required_argument, NULL, OPT_CUSTOMER },
		{ "job", required_argument, NULL, OPT_JOB },
		{ "user", required_argument, NULL, OPT_USER },
		{ "consent", required_argument, NULL, OPT_CONSENT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	const char *customer = NULL, *consent = NULL;
	const char *paths[3];
	char bufs[3][320], *end;
	size_t np = 0;
	struct store *st;
	struct ctx x = { 0 };
	int opt, modes = 0;

	cli_init("inbox-log");
	while ((opt = getopt_long(argc, argv, "hn:C:u:", longopts,
	    NULL)) != -1)
		switch (opt) {
		case OPT_CUSTOMER: customer = optarg; modes++; break;
		case OPT_JOB: job = optarg; modes++; break;
		case OPT_USER: by_user = optarg; modes++; break;
		case OPT_CONSENT: consent = optarg; modes++; break;
		case 'n':
			limit = strtol(optarg, &end, 10);
			if (*end || limit < 1)
				die(INBOX_EUSAGE, "-n wants a positive number");
			break;
		default:
			if (!cli_option(&c, opt, optarg, usage))
				usage(1);
		}
	argc -= optind;
	argv += optind;
	if (argc > 1 || modes + argc > 1)
		usage(1);
	if (store_open(&st, c.dir, "inbox-log", c.user) < 0 ||
	    perm_require(st, "messages.view") < 0)
		die_lib();
	/* the whole history is for those who see every conversation */
	if (argc == 0 && perm_require(st, "messages.view_all") < 0)
		die_lib();
	if (argc == 1) {
		char id[CONV_ID_LEN + 1];

		/* a conversation that is gone (attached) still has a past */
		if (conv_resolve(st, argv[0], id) < 0) {
			if (!conv_id_valid(argv[0]))
				die_lib();
			inbox_error_clear();
			memcpy(id, argv[0], sizeof(id));
		}
		if (!perm_has(st, st->user, "messages.view_all")) {
			struct conv cv;
			struct sb m = SB_INIT;
			int sees;

			if (conv_load(st, id, &cv) < 0)
				die_lib();
			for (size_t i = 0; i < cv.st.n; i++)
				if (!strcmp(cv.st.v[i].key, "member"))
					sb_addf(&m, "%s ", cv.st.v[i].val);
			sees = perm_sees(st, m.buf, kv_get(&cv.st, "assignee"));
			sb_release(&m);
			conv_free(&cv);
			if (!sees)
				die(INBOX_EPOLICY, "%s may not see %s (not a "
				    "member)", st->user, id);
		}
		conv_dir(id, bufs[0], sizeof(bufs[0]));
		paths[np++] = bufs[0];
	} else if (customer) {
		char *cid, id[CONV_ID_LEN + 1];
		struct sb key = SB_INIT;

		if (contact_find(st, customer, &cid) < 0)
			die_lib();
		contact_path(cid, bufs[0], sizeof(bufs[0]));
		sb_addf(&key, "contact:%s", cid);
		conv_id(key.buf, id);
		conv_dir(id, bufs[1], sizeof(bufs[1]));
		paths[np++] = bufs[0];
		paths[np++] = bufs[1];
		sb_release(&key);
		free(cid);
	} else if (consent) {
		char addr[320];

		if (addr_normalize(st, consent, addr, sizeof(addr)) < 0)
			die_lib();
		addr_path(addr, bufs[0], sizeof(bufs[0]));
		paths[np++] = bufs[0];
	} else if (job && job_path(job, bufs[0], sizeof(bufs[0])) < 0)
		die_lib();
	if (repo_log(st->repo, paths, np, show, &x) < 0)
		die_lib();
	store_close(st);
	return cli_done(x.shown ? 0 : INBOX_ENOMATCH);
}
