/*
 * inbox-recv - take inbound events (provider webhooks, email, generic
 * JSON) on standard input, file them and commit.  As a mail delivery
 * agent it speaks the MTA's exit codes; with --cgi it answers HTTP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "form.h"
#include "hook.h"
#include "hours.h"
#include "inbound.h"
#include "job.h"
#include "keyword.h"
#include "media.h"
#include "outbox.h"
#include "policy.h"
#include "secret.h"
#include "sign.h"
#include "store.h"

#define MAX_INPUT (32 << 20)

enum { OPT_FORMAT = OPT_FIRST_CMD, OPT_CGI, OPT_BATCH, OPT_URL, OPT_SIG };

static struct cli c;
static const char *format, *url, *signature;
static int cgi, batch;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-recv [-q] [-C DIR] [-u USER] [--format FORMAT] "
	    "[--batch]\n"
	    "                  [--url URL --signature SIG] [--cgi]\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

/* CGI: an HTTP status and a short body; the exit status stays 0 so the
 * web server sends it. */
static int
reply(int status, const char *fmt, ...)
{
	static const char *twiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<Response></Response>\n";
	const char *reason = status == 200 ? "OK" : status == 400 ?
	    "Bad Request" : status == 403 ? "Forbidden" : status == 404 ?
	    "Not Found" : "Service Unavailable";
	va_list ap;

	printf("Status: %d %s\r\n", status, reason);
	if (status == 503)
		printf("Retry-After: 30\r\n");
	if (status == 200 && format && !strcmp(format, "twilio") && !fmt) {
		printf("Content-Type: text/xml\r\n\r\n%s", twiml);
		return 0;
	}
	printf("Content-Type: text/plain; charset=utf-8\r\n\r\n");
	if (fmt) {
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		/* a 200 body is the hub.challenge: echoed exactly */
		if (status != 200)
			printf("\n");
	}
	return 0;
}

static int
fail(int code)
{
	const char *msg = inbox_errmsg();
	int http = code == INBOX_EDATA || code == INBOX_EUSAGE ? 400 :
	    code == INBOX_EPOLICY ? 403 : 503;

	warnx("%s", msg);
	if (cgi) {
		reply(http, "%s", msg);
		return cli_done(0);
	}
	return code;
}

static int
read_input(struct sb *in)
{
	const char *method = getenv("REQUEST_METHOD");

	if (cgi && method && !strcmp(method, "GET")) {
		const char *q = getenv("QUERY_STRING");

		sb_adds(in, q ? q : "");
		return 0;
	}
	if (cgi && getenv("CONTENT_LENGTH")) {
		long n = atol(getenv("CONTENT_LENGTH"));

		if (n < 0 || n > MAX_INPUT)
			return inbox_error(INBOX_EDATA, "request body of %ld "
			    "bytes is too large", n);
	}
	return sb_read_fd(in, 0, MAX_INPUT);
}

/* WhatsApp's subscription handshake: GET ?hub.mode=subscribe... */
static int
verify_subscription(struct store *st, const struct sb *in)
{
	struct form f = { NULL, 0 };
	char *token = NULL;
	int r;

	if (form_parse(&f, in->buf, in->len) < 0 ||
	    !form_get(&f, "hub.mode")) {
		form_free(&f);
		return 1;
	}
	if (secret_get(st, "whatsapp-verify-token", &token) < 0)
		token = NULL;
	if (token && form_get(&f, "hub.verify_token") &&
	    !strcmp(token, form_get(&f, "hub.verify_token")) &&
	    form_get(&f, "hub.challenge"))
		r = reply(200, "%s", form_get(&f, "hub.challenge"));
	else
		r = reply(403, "verify token does not match");
	free(token);
	form_free(&f);
	return r == 0 ? 0 : -1;
}

/* An automatic answer to a customer who has just written. */
static void
answer(struct store *st, const char *conv, const char *type,
    const char *tmpl)
{
	struct send_opts o = { 0 };
	struct send_queued q;
	struct send_report rep;

	o.target = conv;
	o.type = type;
	o.template_name = tmpl;
	o.automatic = 1;
	if (outbox_queue(st, &o, &q, NULL) < 0) {
		warn_lib();
		return;
	}
	for (size_t i = 0; i < q.n; i++)
		if (outbox_deliver(st, q.ids[i], &rep) < 0)
			warn_lib();
	outbox_queued_free(&q);
}

/* Replies the inbox makes by itself: HELP, the one STOP confirmation,
 * and the after-hours hook while the office is closed. */
static void
autoreply(struct store *st, const struct event *e,
    const struct inbound_result *res)
{
	struct sb out = SB_INIT;

	if (res->blocked || res->duplicate || e->kind != EV_MESSAGE)
		return;
	if (res->keyword == KW_HELP &&
	    config_bool(st->cfg, "compliance.help-reply", 1))
		answer(st, res->conv, "help", "help");
	if (res->keyword == KW_OPTOUT && res->consent_changed &&
	    config_bool(st->cfg, "compliance.stop-confirmation", 0))
		answer(st, res->conv, "stop-confirmation", "stop-confirmation");
	if (res->keyword != KW_NONE && res->keyword != KW_ATTENTION)
		return;
	if (hours_open(st, inbox_now()) || event_auto_submitted(e))
		return;
	{
		/* no autoreply to a number that may not be written to */
		struct send_check chk = { 0 };
		char addr[320];

		chk.channel = e->channel;
		chk.conv = res->conv;
		chk.address = addr_normalize(st, e->from, addr,
		    sizeof(addr)) == 0 ? addr : NULL;
		if (policy_address(st, &chk) < 0) {
			inbox_error_clear();
			return;
		}
	}
	if (hook_event(st, "after-hours", res->conv, res->msgid, NULL,
	    &out) != 0)
		warnx("after-hours hook failed for %s", res->conv);
	fputs(out.buf, stderr);
	sb_release(&out);
}

/* A job event from a field-service platform: record it like inbox-job,
 * then fire its hook without the lock. */
static int
file_job(struct store *st, struct event *e)
{
	struct job_req q;
	struct job_res res;
	char *hold;
	struct sb out = SB_INIT;
	int status;

	if (job_from_json(st, e->json, &q, &hold) < 0 ||
	    job_event(st, &q, &res) < 0) {
		free(hold);
		return -1;
	}
	if (!c.quiet && !cgi)
		printf("%s\n", q.job);
	store_unlock(st);
	status = hook_job(st, res.hook, q.job, &out);
	fputs(out.buf, stderr);
	sb_release(&out);
	if (status)
		warnx("hook %s failed for %s (exit %d); inbox-job rerun %s %s",
		    res.hook, q.job, status, q.job, res.hook);
	free(hold);
	return 0;
}

/* File one record; 0, or an exit status. */
static int
file_one(struct store *st, const char *buf, size_t len, const char *uniq,
    int commit_each)
{
	struct event ev;
	int ret = 0;

	if (event_parse(&ev, format, buf, len) < 0) {
		event_free(&ev);
		return -1;
	}
	/* media are fetched before the lock is taken: the network is slow */
	for (struct event *e = &ev; e && !batch; e = e->next) {
		char *seen;

		if (!e->nmedia || e->kind != EV_MESSAGE ||
		    !config_bool(st->cfg, "media.fetch", 1))
			continue;
		seen = e->provider_id ? pid_lookup(st, e->provider_id) : NULL;
		if (!seen)
			media_fetch(st, e);
		free(seen);
	}
	if (store_lock(st) < 0) {
		event_free(&ev);
		return -1;
	}
	if (ev.kind == EV_JOB) {
		int jr = batch ? inbox_error(INBOX_EDATA, "job events cannot "
		    "come in a batch") : file_job(st, &ev);

		event_free(&ev);
		return jr;
	}
	for (struct event *e = &ev; e; e = e->next) {
		struct inbound_result res;
		char u[256];

		if (e != &ev)
			unique_name(u, sizeof(u));
		if (inbound_file(st, e, e == &ev ? uniq : u, &res) < 0) {
			event_free(&ev);
			return -1;
		}
		if (res.unknown) {
			warnx("no message with provider id %s",
			    e->provider_id);
			ret = INBOX_ENOMATCH;
			continue;
		}
		if (res.changed) {
			store_trailer(st, "Conversation", res.conv);
			store_trailer(st, "Message", res.msgid);
			if (e->provider_id)
				store_trailer(st, "Provider-Id",
				    e->provider_id);
		}
		if (commit_each && store_commit(st, "%s", res.summary) < 0) {
			event_free(&ev);
			return -1;
		}
		if (!c.quiet && !cgi && *res.msgid)
			printf("%s\n", res.msgid);
		/* hooks run without the lock: they call other commands.
		 * A batch is a bulk import: it fires none. */
		if (commit_each && res.changed && !res.blocked &&
		    e->kind == EV_MESSAGE) {
			struct sb out = SB_INIT;

			store_unlock(st);
			if (hook_event(st, "post-recv", res.conv, res.msgid,
			    NULL, &out) != 0)
				warnx("post-recv hook failed for %s",
				    res.msgid);
			fputs(out.buf, stderr);
			sb_release(&out);
			autoreply(st, e, &res);
			if (e->next && store_lock(st) < 0) {
				event_free(&ev);
				return -1;
			}
		}
	}
	event_free(&ev);
	return ret;
}

/* --batch: one event a line, or an mbox of mails. */
static int
file_batch(struct store *st, struct sb *in)
{
	const char *p = in->buf, *end = in->buf + in->len;
	size_t len;
	int ret = 0, n = 0, bad = 0, r;
	int mbox = format && !strcmp(format, "email");

	/* durable all at once, by the commit: nothing is acknowledged
	 * before it, and a batch cut short is filed again whole */
	fsync_defer(1);
	if (store_bulk(st, 1) < 0)
		return -1;
	for (const char *rec; (rec = inbound_record(&p, end, mbox, &len));) {
		char uniq[256];

		unique_name(uniq, sizeof(uniq));
		r = file_one(st, rec, len, uniq, 0);
		if (r < 0) {
			if (inbox_errcode() == INBOX_ETEMP) {
				fsync_defer(0);
				return -1;
			}
			warnx("record %d: %s", n + 1, inbox_errmsg());
			inbox_error_clear();
			bad++;
		} else if (r > ret)
			ret = r;
		n++;
	}
	sb_release(in);		/* filed: its megabytes are not needed */
	r = store_commit(st, "batch of %d events", n - bad);
	fsync_defer(0);
	if (r < 0)
		return -1;
	/* some records failed: 1, as everywhere; all of them: malformed */
	return bad && bad == n ? INBOX_EDATA : bad ? INBOX_ENOMATCH : ret;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "cgi", no_argument, NULL, OPT_CGI },
		{ "batch", no_argument, NULL, OPT_BATCH },
		{ "url", required_argument, NULL, OPT_URL },
		{ "signature", required_argument, NULL, OPT_SIG },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct store *st;
	struct sb in = SB_INIT;
	char uniq[256], *spooled = NULL;
	int opt, r;

	cli_init("inbox-recv");
	while ((opt = getopt_long(argc, argv, "hqC:u:", longopts, NULL)) != -1)
		switch (opt) {
		case OPT_FORMAT: format = optarg; break;
		case OPT_CGI: cgi = 1; break;
		case OPT_BATCH: batch = 1; break;
		case OPT_URL: url = optarg; break;
		case OPT_SIG: signature = optarg; break;
		default:
			if (!cli_option(&c, opt, optarg, usage))
				usage(1);
		}
	if (optind != argc)
		usage(1);
	if (format && strcmp(format, "auto") && strcmp(format, "twilio") &&
	    strcmp(format, "whatsapp") && strcmp(format, "email") &&
	    strcmp(format, "kannel") && strcmp(format, "json"))
		die(INBOX_EUSAGE, "unknown format '%s'", format);
	if (cgi && !format && getenv("QUERY_STRING") &&
	    getenv("REQUEST_METHOD") && strcmp(getenv("REQUEST_METHOD"),
	    "GET")) {
		/* a webhook URL may say what it carries: ?format=twilio */
		struct form q = { NULL, 0 };
		const char *qs = getenv("QUERY_STRING");
		static char fmt[16];

		if (form_parse(&q, qs, strlen(qs)) == 0 && form_get(&q,
		    "format") && strlen(form_get(&q, "format")) < sizeof(fmt))
			format = strcpy(fmt, form_get(&q, "format"));
		form_free(&q);
		inbox_error_clear();
	}
	if (read_input(&in) < 0) {
		sb_release(&in);
		return fail(inbox_errcode());
	}
	if (store_open(&st, c.dir, "inbox-recv", c.user) < 0) {
		sb_release(&in);
		return fail(inbox_errcode() == INBOX_EDATA ? INBOX_ETEMP :
		    inbox_errcode());
	}
	if (cgi && getenv("REQUEST_METHOD") &&
	    !strcmp(getenv("REQUEST_METHOD"), "GET") &&
	    (r = verify_subscription(st, &in)) <= 0) {
		store_close(st);
		sb_release(&in);
		return cli_done(0);
	}
	if (!format || !strcmp(format, "auto"))
		format = event_detect(in.buf, in.len);
	if (!format || in.len == 0) {
		inbox_error(INBOX_EDATA, in.len == 0 ? "empty input" :
		    "cannot tell what this input is (use --format)");
		store_close(st);
		sb_release(&in);
		return fail(INBOX_EDATA);
	}
	unique_name(uniq, sizeof(uniq));
	/* nothing is fsynced on the way: the commit runs one syncfs before
	 * the branch moves, and nothing is acknowledged before that */
	fsync_defer(1);
	/* a batch is not spooled: its importer runs it again until it
	 * says 0, and inbox-fsck could not file it as one event */
	if (sign_webhook(st, format, in.buf, in.len, url, signature, cgi) < 0 ||
	    (!batch && inbound_spool(st, uniq, in.buf, in.len,
	    &spooled) < 0) ||
	    (batch && store_lock(st) < 0)) {
		r = inbox_errcode();
		if (spooled && r != INBOX_ETEMP)
			unlink(spooled);
		goto out;
	}
	r = batch ? file_batch(st, &in) : file_one(st, in.buf, in.len, uniq,
	    1);
	if (r < 0)
		r = inbox_errcode();
	/* the raw payload stays only when it may be replayed, and then
	 * on disk before the provider is told to try again */
	if (spooled && r != INBOX_ETEMP)
		unlink(spooled);
	else if (spooled)
		sync_all(st->root);
out:
	store_close(st);
	free(spooled);
	sb_release(&in);
	if (r == INBOX_ETEMP || r == INBOX_EDATA || r == INBOX_EPOLICY ||
	    r == INBOX_EUSAGE || r == INBOX_EFAIL) {
		if (batch && r == INBOX_EDATA && !cgi)
			return cli_done(r);
		return fail(r);
	}
	if (cgi)
		reply(200, NULL);
	return cli_done(r);
}
