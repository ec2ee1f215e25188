/*
 * inbox-approve - the approval queue: messages written by staff who may
 * only send gated wait here until someone with messages.approve approves
 * (they are then delivered, the approver recorded) or rejects them (kept
 * in the thread with the reason).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conv.h"
#include "json.h"
#include "msg.h"
#include "outbox.h"
#include "perm.h"
#include "store.h"

enum { OPT_APPROVE = OPT_FIRST_CMD, OPT_REJECT, OPT_REASON };

static struct cli c;
static const char *reason;
static int mode;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-approve [-0] [-C DIR] [-u USER] [--json]\n"
	    "       inbox-approve [-0q] [-C DIR] [-u USER] --approve [ID...]\n"
	    "       inbox-approve [-0q] [-C DIR] [-u USER] --reject --reason "
	    "TEXT [ID...]\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static int
list(struct store *st)
{
	char **ids;
	size_t n;

	int ret = 0;

	if (outbox_pending(st, &ids, &n) < 0)
		return warn_lib();
	for (size_t i = 0; i < n; i++) {
		struct msg m;
		char t[32], *text;

		if (msg_load(&m, st, ids[i]) < 0) {
			ret = warn_lib();
			continue;
		}
		time_iso(m.date, t, sizeof(t));
		text = msg_text(&m);
		for (char *p = text; *p; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
		str_trim(text);
		if (c.json) {
			struct json *o = json_obj();
			char *line;

			json_set_str(o, "id", ids[i]);
			json_set_str(o, "time", t);
			json_set_str(o, "author", msg_get(&m, "X-Inbox-Author"));
			json_set_str(o, "channel", msg_get(&m,
			    "X-Inbox-Channel"));
			json_set_str(o, "to", msg_get(&m, "X-Inbox-Address"));
			json_set_str(o, "text", text);
			line = json_dump(o);
			printf("%s\n", line);
			free(line);
			json_free(o);
		} else if (c.zero) {
			fputs(ids[i], stdout);
			putchar('\0');
		} else
			printf("%s\t%s\t%s\t%s\t%s\t%.80s\n", ids[i], t,
			    msg_get(&m, "X-Inbox-Author") ?
			    msg_get(&m, "X-Inbox-Author") : "-",
			    msg_get(&m, "X-Inbox-Channel") ?
			    msg_get(&m, "X-Inbox-Channel") : "-",
			    msg_get(&m, "X-Inbox-Address") ?
			    msg_get(&m, "X-Inbox-Address") : "-", text);
		free(text);
		msg_free(&m);
	}
	strv_free(ids, n);
	return ret;
}

static int
one(const char *id, void *arg)
{
	struct store *st = arg;
	struct send_report rep;
	struct msg m;
	const char *status;

	/* decided already (approved twice, say): refused, not a usage
	 * error; the library checks again under the lock */
	if (msg_load(&m, st, id) < 0)
		return warn_lib();
	status = msg_get(&m, "X-Inbox-Status");
	if (!status || strcmp(status, "pending_approval")) {
		warnx("%s is %s, not waiting for approval", id, status ?
		    status : "not an outbound message");
		msg_free(&m);
		return INBOX_EPOLICY;
	}
	msg_free(&m);
	if (mode == OPT_REJECT) {
		if (outbox_reject(st, id, reason) < 0)
			return warn_lib();
		if (!c.quiet)
			printf("%s\trejected\n", id);
		return 0;
	}
	if (outbox_approve(st, id, &rep) < 0)
		return warn_lib();
	if (!c.quiet)
		printf("%s\t%s%s%s\n", id, rep.status, *rep.error ? "\t" : "",
		    rep.error);
	if (!strcmp(rep.status, "failed"))
		return INBOX_EFAIL;
	/* the provider is down: queued for a later try, as inbox-send */
	return strcmp(rep.status, "queued") ? 0 : INBOX_ETEMP;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "approve", no_argument, NULL, OPT_APPROVE },
		{ "reject", no_argument, NULL, OPT_REJECT },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct store *st;
	int opt, ret;

	cli_init("inbox-approve");
	while ((opt = getopt_long(argc, argv, "0hqC:u:", longopts,
	    NULL)) != -1)
		switch (opt) {
		case OPT_APPROVE:
		case OPT_REJECT:
			if (mode)
				usage(1);
			mode = opt;
			break;
		case OPT_REASON: reason = optarg; break;
		default:
			if (!cli_option(&c, opt, optarg, usage))
				usage(1);
		}
	argc -= optind;
	argv += optind;
	if ((!mode && argc) || (mode == OPT_REJECT && !reason) ||
	    (reason && mode != OPT_REJECT))
		usage(1);
	if (store_open(&st, c.dir, "inbox-approve", c.user) < 0 ||
	    perm_require(st, "messages.approve") < 0)
		die_lib();
	if (!mode)
		ret = list(st);
	else {
		ret = cli_records(argc, argv, c.zero, one, st);
		if (ret == INBOX_EUSAGE && argc == 0)
			usage(1);
	}
	store_close(st);
	return cli_done(ret);
}
