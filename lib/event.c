/*
 * event.c - parse provider webhooks, email and generic JSON into events.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <strings.h>

#include "event.h"
#include "form.h"
#include "json.h"
#include "mime.h"
#include "util.h"

#define MAX_WEBHOOK (1 << 20)
#define MAX_TEXT (64 * 1024)

static char *
dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* Address fields go into headers: no line breaks, no control bytes. */
static int
check_field(const char *what, const char *v)
{
	if (!v)
		return 0;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return inbox_error(INBOX_EDATA, "%s has control "
			    "characters", what);
	if (!utf8_valid(v, strlen(v)))
		return inbox_error(INBOX_EDATA, "%s is not UTF-8", what);
	if (strlen(v) > 512)
		return inbox_error(INBOX_EDATA, "%s is too long", what);
	return 0;
}

/* max 0: no limit but the input's */
static int
check_text(const char *v, size_t max)
{
	if (!v)
		return 0;
	if (!utf8_valid(v, strlen(v)))
		return inbox_error(INBOX_EDATA, "body is not UTF-8");
	if (max && strlen(v) > max)
		return inbox_error(INBOX_EDATA, "body is longer than %zu "
		    "bytes", max);
	return 0;
}

static int
check_common(struct event *ev)
{
	if (check_field("From", ev->from) < 0 ||
	    check_field("To", ev->to) < 0 ||
	    check_field("sender name", ev->from_name) < 0 ||
	    check_field("provider id", ev->provider_id) < 0 ||
	    check_field("status", ev->status) < 0 ||
	    check_field("error code", ev->error_code) < 0 ||
	    check_field("error text", ev->error_text) < 0 ||
	    check_field("recording URL", ev->recording_url) < 0 ||
	    /* a mail is kept whole, a long quoted thread too */
	    check_text(ev->body, strcmp(ev->format, "email") ? MAX_TEXT :
	    0) < 0 || check_text(ev->transcript, MAX_TEXT) < 0)
		return -1;
	for (size_t i = 0; i < ev->nmedia; i++)
		if (check_field("media URL", ev->media[i].url) < 0 ||
		    check_field("media type", ev->media[i].type) < 0)
			return -1;
	return 0;
}

static void
add_media(struct event *ev, const char *url, const char *type,
    const char *id, const char *caption)
{
	struct event_media *m;

	ev->media = xrealloc(ev->media, (ev->nmedia + 1) * sizeof(*m));
	m = &ev->media[ev->nmedia++];
	memset(m, 0, sizeof(*m));	/* data, len, error: media_fetch's */
	m->url = dup_or_null(url);
	m->type = dup_or_null(type);
	m->id = dup_or_null(id);
	m->caption = dup_or_null(caption);
}

static char *
strip_prefix(const char *s, const char *prefix)
{
	if (!s)
		return NULL;
	if (str_startswith(s, prefix))
		s += strlen(prefix);
	return dup_or_null(s);
}

const char *
event_detect(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)buf[i]))
		i++;
	if (i < len && (buf[i] == '{' || buf[i] == '[')) {
		if (memmem(buf, len, "whatsapp_business_account", 25))
			return "whatsapp";
		return "json";
	}
	if (memmem(buf, len, "MessageSid=", 11) ||
	    memmem(buf, len, "CallSid=", 8) ||
	    memmem(buf, len, "SmsSid=", 7))
		return "twilio";
	if ((memmem(buf, len, "smsc=", 5) && memmem(buf, len, "from=", 5)) ||
	    memmem(buf, len, "type=dlr", 8))
		return "kannel";
	for (size_t j = i; j < len && buf[j] != '\n'; j++) {
		if (buf[j] == ':')
			return "email";
		if (buf[j] == ' ' && j > i && strncmp(buf + i, "From ", 5))
			break;
	}
	if (len - i > 5 && strncmp(buf + i, "From ", 5) == 0)
		return "email";
	return NULL;
}

/* --- Twilio ---------------------------------------------------------- */

/*
 * A count, a duration or a time in a form: decimal digits only, at most
 * max; -1 with class 65 naming the field otherwise ("abc", "-1", "0x10",
 * "1e3", " 1", "" are not numbers, and never silently 0).
 */
static int
form_number(const char *field, const char *v, long long max,
    long long *out)
{
	char *end;
	long long n;

	errno = 0;
	if (!isdigit((unsigned char)*v))
		return inbox_error(INBOX_EDATA, "%s '%s' is not a number",
		    field, v);
	n = strtoll(v, &end, 10);
	if (*end)
		return inbox_error(INBOX_EDATA, "%s '%s' is not a number",
		    field, v);
	if (errno == ERANGE || n > max)
		return inbox_error(INBOX_EDATA, "%s %s out of range", field, v);
	*out = n;
	return 0;
}

static int
parse_twilio(struct event *ev, const char *buf, size_t len)
{
	struct form f = { NULL, 0 };
	const char *v;
	long long n = 0;
	int r = -1;

	if (form_parse(&f, buf, len) < 0)
		return -1;
	if (form_get(&f, "CallSid") && !form_get(&f, "MessageSid")) {
		ev->kind = EV_CALL;
		ev->channel = xstrdup("voice");
		ev->provider_id = dup_or_null(form_get(&f, "CallSid"));
		ev->from = dup_or_null(form_get(&f, "From"));
		ev->to = dup_or_null(form_get(&f, "To"));
		v = form_get(&f, "Direction");
		ev->direction = xstrdup(v && str_startswith(v, "outbound") ?
		    "out" : "in");
		ev->call_status = dup_or_null(form_get(&f, "CallStatus"));
		if (!ev->call_status && form_get(&f, "RecordingStatus"))
			ev->call_status = xstrdup("recording");
		ev->duration = ev->recording_duration = -1;
		v = form_get(&f, "CallDuration");
		if (v && *v && form_number("CallDuration", v, 1L << 30,
		    &n) < 0)
			goto out;
		if (v && *v)
			ev->duration = (long)n;
		ev->recording_url = dup_or_null(form_get(&f, "RecordingUrl"));
		v = form_get(&f, "RecordingDuration");
		if (v && *v && form_number("RecordingDuration", v, 1L << 30,
		    &n) < 0)
			goto out;
		if (v && *v)
			ev->recording_duration = (long)n;
		ev->transcript = dup_or_null(form_get(&f,
		    "TranscriptionText"));
		if (!ev->provider_id)
			inbox_error(INBOX_EDATA, "voice callback without "
			    "CallSid");
		else
			r = 0;
		goto out;
	}
	ev->provider_id = dup_or_null(form_get(&f, "MessageSid"));
	if (!ev->provider_id)
		ev->provider_id = dup_or_null(form_get(&f, "SmsSid"));
	if (!ev->provider_id) {
		inbox_error(INBOX_EDATA, "Twilio webhook without MessageSid");
		goto out;
	}
	v = form_get(&f, "MessageStatus");
	if (v && strcmp(v, "received") != 0) {
		ev->kind = EV_STATUS;
		ev->status = xstrdup(v);
		ev->error_code = dup_or_null(form_get(&f, "ErrorCode"));
		ev->error_text = dup_or_null(form_get(&f, "ErrorMessage"));
		ev->from = dup_or_null(form_get(&f, "From"));
		ev->to = dup_or_null(form_get(&f, "To"));
		r = 0;
		goto out;
	}
	ev->kind = EV_MESSAGE;
	v = form_get(&f, "From");
	if (!v || !*v) {
		inbox_error(INBOX_EDATA, "Twilio webhook without From");
		goto out;
	}
	if (str_startswith(v, "whatsapp:")) {
		ev->channel = xstrdup("whatsapp");
		ev->from_name = dup_or_null(form_get(&f, "ProfileName"));
	}
	ev->from = strip_prefix(v, "whatsapp:");
	ev->to = strip_prefix(form_get(&f, "To"), "whatsapp:");
	ev->body = xstrdup(form_get(&f, "Body") ? form_get(&f, "Body") : "");
	v = form_get(&f, "NumMedia");
	if (v) {
		if (form_number("NumMedia", v, 10, &n) < 0)
			goto out;
		for (long i = 0; i < n; i++) {
			char k1[32], k2[32];

			snprintf(k1, sizeof(k1), "MediaUrl%ld", i);
			snprintf(k2, sizeof(k2), "MediaContentType%ld", i);
			if (!form_get(&f, k1)) {
				inbox_error(INBOX_EDATA, "NumMedia is %lld but "
				    "%s is missing", n, k1);
				goto out;
			}
			add_media(ev, form_get(&f, k1), form_get(&f, k2),
			    NULL, NULL);
		}
	}
	if (!ev->channel)
		ev->channel = xstrdup(ev->nmedia ? "mms" : "sms");
	r = 0;
out:
	form_free(&f);
	return r;
}

/* --- Kannel ---------------------------------------------------------- */

static int
parse_kannel(struct event *ev, const char *buf, size_t len)
{
	struct form f = { NULL, 0 };
	const char *v;
	long long ts = 0;
	int r = -1;

	if (form_parse(&f, buf, len) < 0)
		return -1;
	v = form_get(&f, "type");
	if (v && strcmp(v, "dlr") == 0) {
		const char *s = form_get(&f, "status");
		long long d = 0;

		ev->kind = EV_STATUS;
		ev->provider_id = dup_or_null(form_get(&f, "msg"));
		if (!ev->provider_id || !s) {
			inbox_error(INBOX_EDATA, "Kannel report without msg "
			    "or status");
			goto out;
		}
		if (form_number("status", s, 65535, &d) < 0)
			goto out;
		/* dlr-mask bits: 1 phone, 2 not phone, 4 queued, 8 smsc,
		 * 16 not smsc */
		ev->status = xstrdup(d & 1 ? "delivered" : d & 2 ?
		    "undelivered" : d & 16 ? "failed" : d & 8 ? "sent" :
		    "queued");
		if (d & (2 | 16)) {
			ev->error_code = xstrdup(s);
			ev->error_text = dup_or_null(form_get(&f, "answer"));
		}
		r = 0;
		goto out;
	}
	ev->kind = EV_MESSAGE;
	ev->channel = xstrdup("sms");
	ev->from = dup_or_null(form_get(&f, "from"));
	ev->to = dup_or_null(form_get(&f, "to"));
	ev->body = xstrdup(form_get(&f, "text") ? form_get(&f, "text") : "");
	ev->provider_id = dup_or_null(form_get(&f, "id"));
	v = form_get(&f, "ts");
	if (v && form_number("ts", v, 253402300799LL, &ts) < 0)
		goto out;
	ev->date = v ? (time_t)ts : 0;
	if (!ev->from)
		inbox_error(INBOX_EDATA, "Kannel message without from");
	else
		r = 0;
out:
	form_free(&f);
	return r;
}

/* --- WhatsApp Cloud -------------------------------------------------- */

static const char *
wa_text(struct json *m, const char *type)
{
	const char *s;

	if (strcmp(type, "text") == 0)
		return json_path_str(m, "text.body");
	if (strcmp(type, "button") == 0)
		return json_path_str(m, "button.text");
	if (strcmp(type, "interactive") == 0) {
		if ((s = json_path_str(m, "interactive.button_reply.title")))
			return s;
		return json_path_str(m, "interactive.list_reply.title");
	}
	if (strcmp(type, "reaction") == 0)
		return json_path_str(m, "reaction.emoji");
	if (strcmp(type, "location") == 0)
		return json_path_str(m, "location.name");
	return NULL;
}

static struct event *
new_event(struct event *first, struct event **last)
{
	struct event *e;

	if (!*last)
		return *last = first;
	e = xcalloc(1, sizeof(*e));
	memcpy(e->format, first->format, sizeof(e->format));
	e->duration = e->recording_duration = -1;
	(*last)->next = e;
	return *last = e;
}

static int
wa_message(struct event *e, struct json *m, struct json *val)
{
	const char *type = json_path_str(m, "type");
	const char *from = json_path_str(m, "from");
	long long ts;

	if (!type || !from || !json_path_str(m, "id"))
		return inbox_error(INBOX_EDATA, "WhatsApp message without "
		    "type, from or id");
	e->kind = EV_MESSAGE;
	e->channel = xstrdup("whatsapp");
	{
		struct sb s = SB_INIT;

		sb_addf(&s, "+%s", from);
		e->from = sb_detach(&s, NULL);
	}
	e->wa_id = xstrdup(from);
	e->provider_id = xstrdup(json_path_str(m, "id"));
	if (json_get(m, "timestamp") &&
	    json_count(json_get(m, "timestamp"), &ts) < 0)
		return inbox_error(INBOX_EDATA, "WhatsApp message with a "
		    "timestamp that is not a number");
	if (json_get(m, "timestamp"))
		e->date = (time_t)ts;
	for (size_t i = 0; i < json_size(json_get(val, "contacts")); i++) {
		struct json *c = json_at(json_get(val, "contacts"), i);

		/* the first contact of that number names it (a payload may
		 * list the same number twice) */
		if (json_path_str(c, "wa_id") &&
		    strcmp(json_path_str(c, "wa_id"), from) == 0) {
			e->from_name = dup_or_null(json_path_str(c,
			    "profile.name"));
			break;
		}
	}
	if (json_path_str(val, "metadata.display_phone_number")) {
		struct sb s = SB_INIT;

		sb_addf(&s, "+%s", json_path_str(val,
		    "metadata.display_phone_number"));
		e->to = sb_detach(&s, NULL);
	}
	e->body = xstrdup(wa_text(m, type) ? wa_text(m, type) : "");
	if (!strcmp(type, "image") || !strcmp(type, "video") ||
	    !strcmp(type, "audio") || !strcmp(type, "document") ||
	    !strcmp(type, "sticker")) {
		struct json *md = json_get(m, type);

		add_media(e, json_path_str(md, "link"),
		    json_path_str(md, "mime_type"), json_path_str(md, "id"),
		    json_path_str(md, "caption"));
		if (!*e->body && json_path_str(md, "caption")) {
			free(e->body);
			e->body = xstrdup(json_path_str(md, "caption"));
		}
	}
	return 0;
}

static int
wa_status(struct event *e, struct json *s)
{
	struct json *err = json_at(json_get(s, "errors"), 0);
	long long code, ts;

	e->kind = EV_STATUS;
	e->channel = xstrdup("whatsapp");
	e->provider_id = dup_or_null(json_path_str(s, "id"));
	e->status = dup_or_null(json_path_str(s, "status"));
	if (json_get(s, "timestamp") &&
	    json_count(json_get(s, "timestamp"), &ts) < 0)
		return inbox_error(INBOX_EDATA, "WhatsApp status with a "
		    "timestamp that is not a number");
	if (json_get(s, "timestamp"))
		e->date = (time_t)ts;
	if (!e->provider_id || !e->status)
		return inbox_error(INBOX_EDATA, "WhatsApp status without id "
		    "or status");
	if (err) {
		if (json_num(json_get(err, "code"), &code) == 0) {
			struct sb c = SB_INIT;

			sb_addf(&c, "%lld", code);
			e->error_code = sb_detach(&c, NULL);
		}
		e->error_text = dup_or_null(json_path_str(err, "title"));
	}
	return 0;
}

static int
parse_whatsapp(struct event *ev, struct json *j)
{
	struct json *entries = json_get(j, "entry");
	struct event *last = NULL;

	if (!json_is_arr(entries))
		return inbox_error(INBOX_EDATA, "WhatsApp webhook without "
		    "entry");
	for (size_t i = 0; i < json_size(entries); i++) {
		struct json *ch = json_get(json_at(entries, i), "changes");

		for (size_t k = 0; k < json_size(ch); k++) {
			struct json *val = json_get(json_at(ch, k), "value");
			struct json *ms = json_get(val, "messages");
			struct json *ss = json_get(val, "statuses");

			for (size_t m = 0; m < json_size(ms); m++)
				if (wa_message(new_event(ev, &last),
				    json_at(ms, m), val) < 0)
					return -1;
			for (size_t m = 0; m < json_size(ss); m++)
				if (wa_status(new_event(ev, &last),
				    json_at(ss, m)) < 0)
					return -1;
		}
	}
	if (!last)
		return inbox_error(INBOX_EDATA, "WhatsApp webhook with no "
		    "message or status");
	return 0;
}

/* --- generic JSON ---------------------------------------------------- */

static const char *
jstr(struct json *j, const char *k)
{
	return json_str(json_get(j, k));
}

/* Fields of the generic JSON that are there have their type. */
static int
json_types(struct json *j)
{
	static const char *strs[] = { "id", "time", "status", "error",
	    "from", "to", "name", "channel",
	    "direction", "outcome", "recording", "transcript", "body" };
	static const char *counts[] = { "duration", "recording_duration" };
	struct json *v, *media = json_get(j, "media");
	long long n;

	for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++)
		if ((v = json_get(j, strs[i])) && !json_str(v))
			return inbox_error(INBOX_EDATA, "\"%s\" must be a "
			    "string", strs[i]);
	if ((v = json_get(j, "error_code")) && !json_str(v) &&
	    json_count(v, &n) < 0)
		return inbox_error(INBOX_EDATA, "\"error_code\" must be a "
		    "string or a number");
	for (size_t i = 0; i < sizeof(counts) / sizeof(*counts); i++)
		if ((v = json_get(j, counts[i])) && json_count(v, &n) < 0)
			return inbox_error(INBOX_EDATA, "\"%s\" must be a "
			    "whole number of seconds", counts[i]);
	if (media && !json_is_arr(media))
		return inbox_error(INBOX_EDATA, "\"media\" must be a list");
	for (size_t i = 0; i < json_size(media); i++)
		if (!json_is_obj(json_at(media, i)) ||
		    !json_str(json_get(json_at(media, i), "url")))
			return inbox_error(INBOX_EDATA, "\"media\" must be a "
			    "list of objects with a \"url\"");
	return 0;
}

static int
parse_json(struct event *ev, struct json *j)
{
	const char *type = jstr(j, "type");
	const char *t;
	struct json *media;
	long long n;

	if (!type)
		return inbox_error(INBOX_EDATA, "JSON event without \"type\"");
	if (strcmp(type, "job") == 0) {
		ev->kind = EV_JOB;
		return 0;
	}
	if (json_types(j) < 0)
		return -1;
	ev->provider_id = dup_or_null(jstr(j, "id"));
	if ((t = jstr(j, "time")) && time_parse(t, "UTC", &ev->date) < 0)
		return inbox_error(INBOX_EDATA, "bad \"time\": %s", t);
	if (strcmp(type, "status") == 0) {
		ev->kind = EV_STATUS;
		ev->status = dup_or_null(jstr(j, "status"));
		ev->error_code = dup_or_null(jstr(j, "error_code"));
		if (!ev->error_code && json_count(json_get(j, "error_code"),
		    &n) == 0) {
			struct sb c = SB_INIT;

			sb_addf(&c, "%lld", n);
			ev->error_code = sb_detach(&c, NULL);
		}
		ev->error_text = dup_or_null(jstr(j, "error"));
		if (!ev->provider_id || !ev->status)
			return inbox_error(INBOX_EDATA, "status event needs "
			    "\"id\" and \"status\"");
		return 0;
	}
	ev->from = dup_or_null(jstr(j, "from"));
	ev->to = dup_or_null(jstr(j, "to"));
	ev->from_name = dup_or_null(jstr(j, "name"));
	ev->channel = dup_or_null(jstr(j, "channel"));
	if (strcmp(type, "call") == 0) {
		ev->kind = EV_CALL;
		free(ev->channel);
		ev->channel = xstrdup("voice");
		t = jstr(j, "direction");
		ev->direction = xstrdup(t && !strcmp(t, "out") ? "out" : "in");
		ev->call_status = dup_or_null(jstr(j, "outcome"));
		ev->duration = json_count(json_get(j, "duration"), &n) == 0 ?
		    (long)n : -1;
		ev->recording_url = dup_or_null(jstr(j, "recording"));
		ev->recording_duration = json_count(json_get(j,
		    "recording_duration"), &n) == 0 ? (long)n : -1;
		ev->transcript = dup_or_null(jstr(j, "transcript"));
		if (!ev->provider_id)
			return inbox_error(INBOX_EDATA, "call event needs "
			    "\"id\"");
		return 0;
	}
	if (strcmp(type, "message") != 0)
		return inbox_error(INBOX_EDATA, "unknown event type \"%s\"",
		    type);
	ev->kind = EV_MESSAGE;
	if (!ev->channel)
		ev->channel = xstrdup("sms");
	/* it names a config section and a state key: a plain word */
	if (strlen(ev->channel) > 32 || strspn(ev->channel,
	    "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(ev->channel))
		return inbox_error(INBOX_EDATA, "\"channel\" must be a word "
		    "of lowercase letters, digits and '-'");
	if (!ev->from)
		return inbox_error(INBOX_EDATA, "message event needs \"from\"");
	t = jstr(j, "body");
	ev->body = xstrdup(t ? t : "");
	media = json_get(j, "media");
	for (size_t i = 0; i < json_size(media); i++) {
		struct json *m = json_at(media, i);

		add_media(ev, jstr(m, "url"), jstr(m, "type"), NULL, NULL);
	}
	return 0;
}

/* --- email ----------------------------------------------------------- */

static int
parse_email(struct event *ev, const char *buf, size_t len)
{
	struct mail m;
	const char *v;
	char *name = NULL, *addr = NULL;
	int r = -1;

	/* an mbox "From " line from the MTA is not part of the message */
	if (len > 5 && strncmp(buf, "From ", 5) == 0) {
		const char *nl = memchr(buf, '\n', len);

		if (!nl)
			return inbox_error(INBOX_EDATA, "not a mail message");
		len -= (size_t)(nl + 1 - buf);
		buf = nl + 1;
	}
	ev->raw = buf;
	ev->rawlen = len;
	if (mail_parse(&m, buf, len) < 0)
		return -1;
	ev->kind = EV_MESSAGE;
	ev->channel = xstrdup("email");
	v = mail_get(&m, "From");
	if (!v || mail_first_addr(v, &name, &addr) < 0) {
		inbox_error(INBOX_EDATA, "mail without a From address");
		goto out;
	}
	ev->from = addr;
	ev->from_name = name;
	if ((v = mail_get(&m, "To")) && mail_first_addr(v, &name, &addr) == 0) {
		ev->to = addr;
		free(name);
	}
	if ((v = mail_get(&m, "Subject")))
		ev->subject = mail_decode_header(v);
	ev->message_id = dup_or_null(mail_get(&m, "Message-ID"));
	ev->in_reply_to = dup_or_null(mail_get(&m, "In-Reply-To"));
	ev->references = dup_or_null(mail_get(&m, "References"));
	ev->provider_id = dup_or_null(ev->message_id);
	if ((v = mail_get(&m, "Date")))
		time_parse_rfc2822(v, &ev->date);
	ev->body = mail_text(&m);
	{
		struct mail_part *parts;
		size_t n;

		if (mail_parts(&m, &parts, &n) == 0) {
			for (size_t i = 0; i < n; i++)
				if (parts[i].attachment)
					add_media(ev, NULL, parts[i].type,
					    NULL, parts[i].filename);
			mail_parts_free(parts, n);
		} else
			goto out;
	}
	if (ev->subject && check_field("Subject", ev->subject) < 0)
		goto out;
	r = 0;
out:
	mail_free(&m);
	return r;
}

int
event_parse(struct event *ev, const char *format, const char *buf,
    size_t len)
{
	struct json *j = NULL;
	int r;

	memset(ev, 0, sizeof(*ev));
	ev->duration = ev->recording_duration = -1;
	if (len == 0)
		return inbox_error(INBOX_EDATA, "empty input");
	if (!format || !*format || strcmp(format, "auto") == 0)
		format = event_detect(buf, len);
	if (!format)
		return inbox_error(INBOX_EDATA, "cannot tell what this input "
		    "is (use --format)");
	snprintf(ev->format, sizeof(ev->format), "%s", format);
	if (strcmp(format, "email") != 0) {
		if (len > MAX_WEBHOOK)
			return inbox_error(INBOX_EDATA, "webhook larger than "
			    "%d bytes", MAX_WEBHOOK);
		if (memchr(buf, '\0', len))
			return inbox_error(INBOX_EDATA, "NUL byte in input");
	}
	if (strcmp(format, "twilio") == 0)
		r = parse_twilio(ev, buf, len);
	else if (strcmp(format, "kannel") == 0)
		r = parse_kannel(ev, buf, len);
	else if (strcmp(format, "email") == 0)
		r = parse_email(ev, buf, len);
	else if (strcmp(format, "whatsapp") == 0 ||
	    strcmp(format, "json") == 0) {
		if (!(j = json_parse(buf, len)))
			return -1;
		ev->json = j;
		r = format[0] == 'w' ? parse_whatsapp(ev, j) :
		    parse_json(ev, j);
	} else
		return inbox_error(INBOX_EUSAGE, "unknown format '%s'", format);
	for (struct event *e = ev; r == 0 && e; e = e->next)
		r = check_common(e);
	return r;
}

static void
free_one(struct event *ev)
{
	char **strs[] = { &ev->channel, &ev->from, &ev->to, &ev->from_name,
	    &ev->provider_id, &ev->body, &ev->status, &ev->error_code,
	    &ev->error_text, &ev->subject, &ev->message_id,
	    &ev->in_reply_to, &ev->references, &ev->direction,
	    &ev->call_status, &ev->recording_url, &ev->transcript,
	    &ev->wa_id };

	for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++)
		free(*strs[i]);
	for (size_t i = 0; i < ev->nmedia; i++) {
		free(ev->media[i].url);
		free(ev->media[i].type);
		free(ev->media[i].id);
		free(ev->media[i].caption);
		free(ev->media[i].data);
		free(ev->media[i].error);
	}
	free(ev->media);
}

void
event_free(struct event *ev)
{
	struct event *e = ev->next;

	free_one(ev);
	json_free(ev->json);
	while (e) {
		struct event *n = e->next;

		free_one(e);
		free(e);
		e = n;
	}
	memset(ev, 0, sizeof(*ev));
}

int
event_auto_submitted(const struct event *e)
{
	const char *p, *end;

	if (!e->raw)
		return 0;
	/* raw is not NUL-terminated: never read past rawlen */
	end = e->raw + e->rawlen;
	if ((p = memmem(e->raw, e->rawlen, "\nAuto-Submitted:", 16))) {
		for (p += 16; p < end && *p == ' '; p++)
			;
		if (end - p < 2 || strncasecmp(p, "no", 2))
			return 1;
	}
	return memmem(e->raw, e->rawlen, "\nPrecedence: bulk", 17) ||
	    memmem(e->raw, e->rawlen, "\nPrecedence: list", 17) ||
	    memmem(e->raw, e->rawlen, "\nPrecedence: junk", 17) ||
	    memmem(e->raw, e->rawlen, "\nPrecedence: auto_reply", 23);
}
