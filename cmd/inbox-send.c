/*
 * inbox-send - write a message to a customer and deliver it: queued and
 * committed first, then handed to the channel's transport.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hook.h"
#include "json.h"
#include "kv.h"
#include "outbox.h"
#include "store.h"

enum {
	OPT_CHANNEL = OPT_FIRST_CMD, OPT_TYPE, OPT_TEMPLATE, OPT_VAR,
	OPT_ATTACH, OPT_AT, OPT_DRY, OPT_FLUSH, OPT_RETRY, OPT_SPLIT, OPT_JOB,
	OPT_AUTO, OPT_NOTE
};

static struct cli c;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-send [-q] [-C DIR] [-u USER] [--channel CHANNEL] "
	    "[--type TYPE]\n"
	    "                  [--template NAME [--var NAME=VALUE]...] "
	    "[--attach FILE]...\n"
	    "                  [--at TIME] [--split] [--job JOB] "
	    "[--automatic] [--note]\n"
	    "                  [--dry-run] [--json] TARGET [TEXT ... | -]\n"
	    "       inbox-send [-q] [-C DIR] [-u USER] [--json] --flush\n"
	    "       inbox-send [-q] [-C DIR] [-u USER] [--json] --retry ID\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static void
report(const struct send_report *r, void *arg)
{
	int flushing = arg != NULL;

	if (c.quiet || (r->skipped && flushing))
		return;
	if (c.json) {
		struct json *o = json_obj();
		char t[32], *line;

		json_set_str(o, "id", r->id);
		json_set_str(o, "status", r->status);
		if (*r->error)
			json_set_str(o, "error", r->error);
		if (*r->provider_id)
			json_set_str(o, "provider_id", r->provider_id);
		if (r->next_try) {
			time_iso(r->next_try, t, sizeof(t));
			json_set_str(o, "next_try", t);
		}
		line = json_dump(o);
		printf("%s\n", line);
		free(line);
		json_free(o);
		return;
	}
	printf("%s\t%s", r->id, r->status);
	if (*r->error)
		printf("\t%s", r->error);
	else if (*r->provider_id)
		printf("\t%s", r->provider_id);
	if (r->next_try) {
		char t[32];

		time_iso(r->next_try, t, sizeof(t));
		printf("\tnext try %s", t);
	}
	putchar('\n');
}

/* A channel one can write on: a built-in one or a section of
 * inbox.yaml (a call, a note or a team thread is no channel). */
static int
channel_known(struct store *st, const char *ch)
{
	static const char *builtin[] = { "sms", "mms", "whatsapp", "email",
	    "portal" };
	char key[80];

	for (size_t i = 0; i < sizeof(builtin) / sizeof(*builtin); i++)
		if (!strcmp(ch, builtin[i]))
			return 1;
	if (!name_valid(ch) || strchr(ch, '.') || !strcmp(ch, "voice") ||
	    !strcmp(ch, "note") || !strcmp(ch, "team"))
		return 0;
	snprintf(key, sizeof(key), "channels.%.60s", ch);
	return config_node(st->cfg, 0, key) != 0;
}

static char *
join_text(int argc, char **argv)
{
	struct sb s = SB_INIT;

	if (argc == 1 && !strcmp(argv[0], "-")) {
		if (sb_read_fd(&s, 0, 1 << 20) < 0)
			die_lib();
		sb_rtrim(&s);
		return sb_detach(&s, NULL);
	}
	for (int i = 0; i < argc; i++) {
		if (i)
			sb_addc(&s, ' ');
		sb_adds(&s, argv[i]);
	}
	return sb_detach(&s, NULL);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "channel", required_argument, NULL, OPT_CHANNEL },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "template", required_argument, NULL, OPT_TEMPLATE },
		{ "var", required_argument, NULL, OPT_VAR },
		{ "attach", required_argument, NULL, OPT_ATTACH },
		{ "at", required_argument, NULL, OPT_AT },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "flush", no_argument, NULL, OPT_FLUSH },
		{ "retry", required_argument, NULL, OPT_RETRY },
		{ "split", no_argument, NULL, OPT_SPLIT },
		{ "job", required_argument, NULL, OPT_JOB },
		{ "automatic", no_argument, NULL, OPT_AUTO },
		{ "note", no_argument, NULL, OPT_NOTE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct send_opts o = { 0 };
	struct kv vars = KV_INIT;
	const char *retry = NULL, *at = NULL;
	const char **att = NULL;
	struct store *st;
	struct send_queued q;
	struct sb dry = SB_INIT;
	int opt, flush = 0, dryrun = 0, ret = 0;
	char *text = NULL;

	cli_init("inbox-send");
	while ((opt = getopt_long(argc, argv, "hqC:u:", longopts, NULL)) != -1)
		switch (opt) {
		case OPT_CHANNEL: o.channel = optarg; break;
		case OPT_TYPE: o.type = optarg; break;
		case OPT_TEMPLATE: o.template_name = optarg; break;
		case OPT_VAR: {
			char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg)
				die(INBOX_EUSAGE, "--var wants NAME=VALUE");
			*eq = '\0';
			if (kv_set(&vars, optarg, eq + 1) < 0)
				die_lib();
			break;
		}
		case OPT_ATTACH:
			att = xrealloc(att, (o.natt + 1) * sizeof(*att));
			att[o.natt++] = optarg;
			break;
		case OPT_AT: at = optarg; break;
		case OPT_DRY: dryrun = 1; break;
		case OPT_FLUSH: flush = 1; break;
		case OPT_RETRY: retry = optarg; break;
		case OPT_SPLIT: o.split = 1; break;
		case OPT_JOB: o.job = optarg; break;
		case OPT_AUTO: o.automatic = 1; break;
		case OPT_NOTE: o.note = 1; break;
		default:
			if (!cli_option(&c, opt, optarg, usage))
				usage(1);
		}
	argc -= optind;
	argv += optind;
	if ((flush || retry) && argc)
		usage(1);
	if (!flush && !retry && argc < 1)
		usage(1);
	if (store_open(&st, c.dir, "inbox-send", c.user) < 0)
		die_lib();
	if (flush) {
		ret = outbox_flush(st, report, (void *)"flush");
		store_close(st);
		return cli_done(ret);
	}
	if (retry) {
		struct send_report rep;

		if (outbox_retry(st, retry, &rep) < 0)
			ret = warn_lib();
		else {
			report(&rep, NULL);
			if (!strcmp(rep.status, "failed"))
				ret = INBOX_EFAIL;
		}
		store_close(st);
		return cli_done(ret);
	}
	if (o.channel && !channel_known(st, o.channel))
		die(INBOX_EUSAGE, "unknown channel '%s': not sms, mms, "
		    "whatsapp, email, portal or a channel of inbox.yaml",
		    o.channel);
	if (o.type && !name_valid(o.type))
		die(INBOX_EUSAGE, "bad type '%s': one word of letters, digits, "
		    "'.', '_', '+' or '-'", o.type);
	o.target = argv[0];
	if (!o.template_name) {
		if (argc < 2)
			die(INBOX_EUSAGE, "no text: give TEXT, - for standard "
			    "input, or --template NAME");
		text = join_text(argc - 1, argv + 1);
		o.text = text;
	} else if (argc > 1)
		die(INBOX_EUSAGE, "give TEXT or --template, not both");
	if (at && time_parse(at, config_str(st->cfg, "business.timezone",
	    "UTC"), &o.at) < 0)
		die_lib();
	o.attach = att;
	o.vars = &vars;
	if (outbox_queue(st, &o, &q, dryrun ? &dry : NULL) < 0)
		die_lib();
	if (dryrun) {
		fwrite(dry.buf, 1, dry.len, stdout);
		goto out;
	}
	if (*q.duplicate) {
		/* never twice: an earlier message already covers this */
		warnx("%s %s already sent: %s", o.job ? o.job : q.conv,
		    o.type ? o.type : "message", q.duplicate);
		goto out;
	}
	for (size_t i = 0; i < q.n; i++) {
		struct send_report rep;

		if (q.gated) {
			if (!c.quiet)
				printf("%s\tpending_approval\n", q.ids[i]);
			continue;
		}
		if (q.internal) {
			if (!c.quiet)
				printf("%s\t%s\n", q.ids[i], o.note ? "note" :
				    "delivered");
			continue;
		}
		if (outbox_deliver(st, q.ids[i], &rep) < 0) {
			ret = warn_lib();
			continue;
		}
		report(&rep, NULL);
		if (!strcmp(rep.status, "failed")) {
			warnx("%s failed: %s", q.ids[i], rep.error);
			ret = INBOX_EFAIL;
		} else if (!strcmp(rep.status, "queued") && ret == 0)
			ret = INBOX_ETEMP;
	}
	/* post-send: notifications of members and the staff mentioned */
	for (size_t i = 0; i < q.n; i++) {
		struct sb hout = SB_INIT;

		if (hook_post(st, "post-send", q.conv, q.ids[i], st->user,
		    q.mentions, &hout) != 0)
			warnx("post-send hook failed for %s", q.ids[i]);
		fputs(hout.buf, stderr);
		sb_release(&hout);
	}
	outbox_queued_free(&q);
out:
	sb_release(&dry);
	kv_free(&vars);
	free(att);
	free(text);
	store_close(st);
	return cli_done(ret);
}
