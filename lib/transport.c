/*
 * transport.c - pick the transport of a channel, and the settings and
 * results the transports share.  The transports themselves are in
 * tr-local.c (spool, command), tr-twilio.c, tr-whatsapp.c, tr-smtp.c and
 * tr-web.c (kannel, webhook).
 *
 * Settings, under channels.CH in inbox.yaml (CH is the message's channel:
 * sms, mms, whatsapp, email, portal ...; mms uses channels.sms when it has
 * no section of its own).  Secrets are read with secret_get(): the file
 * secrets/NAME or $INBOX_SECRET_NAME.
 *
 *	transport	spool (default), command, twilio, smtp, kannel,
 *			whatsapp or webhook
 *	timeout		seconds one send may take (default 30); a command
 *			is killed then, a request abandoned (SEND_TEMP)
 *
 *	spool	spool		directory, relative to the store unless
 *				absolute (default tmp/outbox); each message
 *				is written as UNIQ.msg through .UNIQ.msg.tmp
 *	command	command		run with /bin/sh -c in the store, the message
 *				file on stdin, $INBOX_DIR, $INBOX_CHANNEL,
 *				$INBOX_MESSAGE, $INBOX_TO, $INBOX_FROM set;
 *				exit 0 sent (the first line of its output, if
 *				any, is the provider id), 75 or a signal
 *				retry, anything else failed (the last line of
 *				its standard error is the reason)
 *	twilio	account-sid	required
 *		base-url	default https://api.twilio.com
 *		from		default the message's from, else business.phone
 *		messaging-service-sid	sent as MessagingServiceSid (From
 *				then only when the channel names one)
 *		status-callback	StatusCallback URL; "format=twilio" is added
 *				to its query when it names no format
 *		secret twilio-token
 *		Channel whatsapp gets "whatsapp:" addresses; a template is sent
 *		as ContentSid (its name) and ContentVariables {"1": ...}.
 *		Twilio's queued, accepted, scheduled and sending are recorded
 *		as "sent": the provider took the message.
 *	smtp	url		required: smtp://host:port/ehlo-name or
 *				smtps://host:port/ehlo-name
 *		starttls	require STARTTLS on smtp:// (default false)
 *		insecure	do not verify the certificate (default false)
 *		user		log in as user (secret smtp-password)
 *		from		envelope sender; default the message's
 *				from, else business.email
 *		The stored message is submitted without its X-Inbox-* and Bcc
 *		fields; the provider id is its Message-ID.
 *	kannel	url		sendsms base, default http://127.0.0.1:13013
 *		username	required (sendsms-user), secret
 *				kannel-password
 *		from		default the message's from, else
 *				business.phone (none: Kannel's global-sender)
 *		dlr-url		delivery reports come back here with
 *				format=kannel&type=dlr&msg=ID&status=%d&...
 *		dlr-mask	default 31
 *		smsc		route through this smsc-id
 *	whatsapp phone-number-id required
 *		base-url	default https://graph.facebook.com
 *		version		Graph API version, default v19.0
 *		language	template language when the message names none
 *				(default business.locale, else en_US)
 *		secret whatsapp-token
 *	webhook	url		required; the message is POSTed as JSON:
 *				{"id", "channel", "to", "to_name", "from",
 *				"subject", "text", "type", "author",
 *				"reply_to", "template": {"name", "language",
 *				"params"}, "attachments": [{"name", "type",
 *				"url", "path"}]} (absent values left out),
 *				with Idempotency-Key (the message id),
 *				X-Inbox-Timestamp and, when secret
 *				webhook-secret is set, X-Inbox-Signature
 *				(sign_inbox()); a JSON answer's "id" is the
 *				provider id, else the message id
 *
 * Results: a provider that took the message is SEND_OK (also when the
 * answer was cut short after a 2xx status: it is never sent twice); 408,
 * 429 (with its Retry-After), 5xx, timeouts and network failures are
 * SEND_TEMP, recorded "queued"; other refusals SEND_PERM, "failed".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "tr.h"

#define DEF_TIMEOUT	30

static const struct {
	const char *name;
	int (*send)(struct tr_ctx *, struct send_result *);
	int attach;
} transports[] = {
	{ "spool", tr_spool, 1 },
	{ "command", tr_command, 1 },
	{ "twilio", tr_twilio, 1 },
	{ "smtp", tr_smtp, 1 },
	{ "kannel", tr_kannel, 0 },
	{ "whatsapp", tr_whatsapp, 1 },
	{ "webhook", tr_webhook, 1 },
};

static int
channel_ok(const char *ch)
{
	return ch && name_valid(ch) && !strchr(ch, '.') && strlen(ch) < 40;
}

/* "channels.CH", or "channels.sms" for an mms channel without its own. */
static void
section(struct store *st, const char *ch, char *out, size_t n)
{
	snprintf(out, n, "channels.%s", ch);
	if (strcmp(ch, "mms") == 0 && !config_node(st->cfg, 0, out))
		snprintf(out, n, "channels.sms");
}

const char *
transport_name(struct store *st, const char *channel)
{
	char sect[64], key[80];

	if (!channel_ok(channel))
		return "spool";
	section(st, channel, sect, sizeof(sect));
	snprintf(key, sizeof(key), "%s.transport", sect);
	return config_str(st->cfg, key, "spool");
}

int
transport_can_attach(struct store *st, const char *channel)
{
	const char *name = transport_name(st, channel);

	for (size_t i = 0; i < sizeof(transports) / sizeof(*transports); i++)
		if (strcmp(transports[i].name, name) == 0)
			return transports[i].attach;
	return 0;
}

/* Make a result field safe to record in a header: no control bytes,
 * valid UTF-8 (a sequence cut by truncation is dropped). */
static void
clean_field(char *s)
{
	size_t n;

	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	n = strlen(s);
	for (int i = 0; i < 3 && n > 0 && !utf8_valid(s, n); i++)
		s[--n] = '\0';
	if (!utf8_valid(s, n))
		for (char *p = s; *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
	str_trim(s);
}

int
transport_send(struct store *st, const struct outmsg *m,
    struct send_result *res)
{
	struct tr_ctx c;
	char key[80];
	long long t;
	int r;

	memset(res, 0, sizeof(*res));
	if (!channel_ok(m->channel))
		return inbox_error(INBOX_EFAIL, "bad channel '%s'",
		    m->channel ? m->channel : "");
	if (!m->id || !*m->id || !tr_header_safe(m->id))
		return inbox_error(INBOX_EFAIL, "bad message id");
	if (!m->to || !*m->to || !tr_header_safe(m->to))
		return inbox_error(INBOX_EFAIL, "no recipient");
	memset(&c, 0, sizeof(c));
	c.st = st;
	c.m = m;
	section(st, m->channel, c.sect, sizeof(c.sect));
	c.name = transport_name(st, m->channel);
	snprintf(key, sizeof(key), "%s.timeout", c.sect);
	t = config_int(st->cfg, key, DEF_TIMEOUT);
	if (t <= 0 || t > 86400)
		return inbox_error(INBOX_EFAIL, "%s: not a number of seconds "
		    "(1-86400) in inbox.yaml", key);
	c.timeout = (long)t;
	for (size_t i = 0; i < sizeof(transports) / sizeof(*transports); i++) {
		if (strcmp(transports[i].name, c.name) != 0)
			continue;
		r = transports[i].send(&c, res);
		if (r == 0) {
			clean_field(res->status);
			clean_field(res->provider_id);
			clean_field(res->code);
			clean_field(res->text);
			if (res->outcome == SEND_OK && !res->status[0])
				snprintf(res->status, sizeof(res->status),
				    "sent");
			if (!res->status[0])
				snprintf(res->status, sizeof(res->status),
				    "%s", res->outcome == SEND_TEMP ?
				    "queued" : "failed");
		}
		return r;
	}
	return inbox_error(INBOX_EFAIL, "unknown transport '%s' (%s.transport "
	    "in inbox.yaml)", c.name, c.sect);
}

/*
 * Shared helpers (tr.h)
 */

const char *
tr_conf(const struct tr_ctx *c, const char *key, const char *def)
{
	char path[128];
	const char *v;

	snprintf(path, sizeof(path), "%s.%s", c->sect, key);
	v = config_str(c->st->cfg, path, NULL);
	return v && *v ? v : def;
}

const char *
tr_conf_or(const struct tr_ctx *c, const char *key, const char *def_path)
{
	const char *v = tr_conf(c, key, NULL);

	if (!v && def_path)
		v = config_str(c->st->cfg, def_path, NULL);
	return v && *v ? v : NULL;
}

int
tr_conf_bool(const struct tr_ctx *c, const char *key, int def)
{
	char path[128];

	snprintf(path, sizeof(path), "%s.%s", c->sect, key);
	return config_bool(c->st->cfg, path, def);
}

int
tr_need(const struct tr_ctx *c, const char *key, const char **out)
{
	*out = tr_conf(c, key, NULL);
	if (!*out)
		return inbox_error(INBOX_EFAIL, "%s: no %s (%s.%s in "
		    "inbox.yaml)", c->name, key, c->sect, key);
	return 0;
}

int
tr_secret(const struct tr_ctx *c, const char *name, int required,
    char **out)
{
	struct sb env = SB_INIT;

	if (secret_get(c->st, name, out) < 0)
		return -1;
	if (*out && !**out) {
		free(*out);
		*out = NULL;
	}
	if (*out || !required)
		return 0;
	for (const char *p = name; *p; p++)
		sb_addc(&env, *p == '-' || *p == '.' ? '_' :
		    *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	inbox_error(INBOX_EFAIL, "%s: secret %s is not set (secrets/%s or "
	    "$INBOX_SECRET_%s)", c->name, name, name, env.buf);
	sb_release(&env);
	return -1;
}

void
tr_set(struct send_result *res, enum send_outcome o, const char *status,
    const char *code, const char *fmt, ...)
{
	va_list ap;

	res->outcome = o;
	snprintf(res->status, sizeof(res->status), "%s", status ? status :
	    o == SEND_OK ? "sent" : o == SEND_TEMP ? "queued" : "failed");
	if (code)
		snprintf(res->code, sizeof(res->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(res->text, sizeof(res->text), fmt, ap);
	va_end(ap);
}

int
tr_perform(const struct tr_ctx *c, struct http_req *req,
    struct http_resp *resp, struct send_result *res)
{
	req->timeout = c->timeout;
	if (http_request(req, resp) == 0)
		return 1;
	if (resp->status >= 200 && resp->status <= 299)
		return 1;	/* accepted, the rest of the answer lost */
	if (resp->timed_out)
		tr_set(res, SEND_TEMP, NULL, "timeout", "%s: timed out after "
		    "%lds", c->name, c->timeout);
	else
		tr_set(res, SEND_TEMP, NULL, "network", "%s: %s", c->name,
		    resp->error);
	return 0;
}

void
tr_http_status(const struct tr_ctx *c, struct send_result *res,
    const struct http_resp *resp, const char *text)
{
	long s = resp->status;
	char code[16], line[200];

	snprintf(code, sizeof(code), "%ld", s);
	if (!text || !*text) {
		tr_first_line(resp->body.buf, resp->body.len, line,
		    sizeof(line));
		text = line;
	}
	if (s == 408 || s == 425 || s == 429 || s >= 500) {
		tr_set(res, SEND_TEMP, NULL, code, "%s: HTTP %ld%s%s",
		    c->name, s, *text ? ": " : "", text);
		res->retry_after = resp->retry_after;
	} else
		tr_set(res, SEND_PERM, NULL, code, "%s: HTTP %ld%s%s%s",
		    c->name, s, *text ? ": " : "", text, s >= 300 && s < 400 ?
		    " (redirects are not followed)" : "");
}

void
tr_first_line(const char *body, size_t len, char *out, size_t n)
{
	size_t i = 0, j;

	while (i < len && (body[i] == ' ' || body[i] == '\t' ||
	    body[i] == '\r' || body[i] == '\n'))
		i++;
	for (j = i; j < len && body[j] != '\n' && body[j] != '\r'; j++)
		;
	while (j > i && (body[j - 1] == ' ' || body[j - 1] == '\t'))
		j--;
	if (j - i >= n)
		j = i + n - 1;
	memcpy(out, body + i, j - i);
	out[j - i] = '\0';
}

const char *
tr_uniq(const char *id)
{
	const char *s = strrchr(id, '/');

	return s ? s + 1 : id;
}

int
tr_header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}
