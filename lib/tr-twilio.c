/*
 * tr-twilio.c - the Twilio Messages API: SMS, MMS and WhatsApp through
 * "whatsapp:" addresses.  Settings in transport.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "json.h"
#include "tr.h"

#define TWILIO_BASE	"https://api.twilio.com"

void
transport_twilio_error(struct send_result *res, long http, long code,
    const char *text)
{
	enum send_outcome o = SEND_PERM;
	const char *hint = "";
	char c[32];

	snprintf(c, sizeof(c), "%ld", code ? code : http);
	switch (code) {
	case 21610:		/* replied STOP */
		res->optout = 1;
		break;
	case 21211:		/* invalid To */
	case 21614:		/* not a mobile number */
	case 30003:		/* unreachable handset */
	case 30005:		/* unknown handset */
	case 30006:		/* landline or unreachable carrier */
		res->unreachable = 1;
		break;
	case 63016:		/* WhatsApp outside the 24 h window */
	case 131047:
		res->window_closed = 1;
		break;
	case 20003:
		hint = " (check account-sid and secret twilio-token)";
		break;
	case 20429:		/* too many requests */
	case 21611:		/* the From number's queue is full */
		o = SEND_TEMP;
		break;
	default:
		if (http == 429 || http >= 500)
			o = SEND_TEMP;
	}
	if (text && *text)
		tr_set(res, o, NULL, c, "twilio: %s%s", text, hint);
	else
		tr_set(res, o, NULL, c, "twilio: error %s%s", c, hint);
}

char *
tr_twilio_vars(const char *const *params, size_t n)
{
	struct json *o = json_obj();
	char key[24], *s;

	for (size_t i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "%zu", i + 1);
		json_set_str(o, key, params[i] ? params[i] : "");
	}
	s = json_dump(o);
	json_free(o);
	return s;
}

char *
tr_whatsapp_addr(const char *addr)
{
	struct sb s = SB_INIT;

	if (!str_startswith(addr, "whatsapp:"))
		sb_adds(&s, "whatsapp:");
	sb_adds(&s, addr);
	return sb_detach(&s, NULL);
}

char *
tr_twilio_callback(const char *url)
{
	struct sb s = SB_INIT;
	const char *frag = strchr(url, '#'), *q, *p;
	int has = 0;

	sb_add(&s, url, frag ? (size_t)(frag - url) : strlen(url));
	if ((q = strchr(s.buf, '?')))
		for (p = q + 1; p && *p; p = strchr(p, '&') ? strchr(p, '&') +
		    1 : NULL)
			if (str_startswith(p, "format="))
				has = 1;
	if (!has) {
		if (!q)
			sb_addc(&s, '?');
		else if (s.buf[s.len - 1] != '?' && s.buf[s.len - 1] != '&')
			sb_addc(&s, '&');
		sb_adds(&s, "format=twilio");
	}
	if (frag)
		sb_adds(&s, frag);
	return sb_detach(&s, NULL);
}

static void
form_add(struct sb *f, const char *name, const char *value)
{
	char *v;

	if (!value)
		return;
	v = url_encode(value, 1);
	sb_addf(f, "%s%s=%s", f->len ? "&" : "", name, v);
	free(v);
}

/* Our status for Twilio's: it took the message, so "sent" until a
 * callback says more. */
static const char *
twilio_status(const char *s)
{
	if (s && (strcmp(s, "delivered") == 0 || strcmp(s, "read") == 0))
		return s;
	return "sent";
}

static void
twilio_answer(struct http_resp *r, struct send_result *res)
{
	struct json *j = json_parse(r->body.buf, r->body.len);
	const char *msg, *st;
	char line[200];
	long long code = 0;

	if (r->status >= 200 && r->status <= 299) {
		st = json_path_str(j, "status");
		if (st && (strcmp(st, "failed") == 0 ||
		    strcmp(st, "undelivered") == 0)) {
			json_num(json_get(j, "error_code"), &code);
			transport_twilio_error(res, 0, (long)code,
			    json_path_str(j, "error_message"));
		} else
			tr_set(res, SEND_OK, twilio_status(st), NULL, "%s",
			    j ? "" : "twilio: accepted; the answer was "
			    "unreadable");
		snprintf(res->provider_id, sizeof(res->provider_id), "%s",
		    json_path_str(j, "sid") ? json_path_str(j, "sid") : "");
	} else {
		json_num(json_get(j, "code"), &code);
		msg = json_path_str(j, "message");
		if (!msg) {
			tr_first_line(r->body.buf, r->body.len, line,
			    sizeof(line));
			msg = line;
		}
		transport_twilio_error(res, r->status, (long)code, msg);
		if (res->outcome == SEND_TEMP)
			res->retry_after = r->retry_after;
	}
	json_free(j);
}

/* The form body of the request. */
static int
twilio_form(struct tr_ctx *c, struct sb *f)
{
	const struct outmsg *m = c->m;
	int wa = strcmp(m->channel, "whatsapp") == 0;
	const char *mss = tr_conf(c, "messaging-service-sid", NULL);
	const char *from = tr_conf(c, "from", NULL), *cb;
	char *s;

	if (!from && !mss)
		from = m->from && *m->from ? m->from :
		    config_str(c->st->cfg, "business.phone", NULL);
	if (!from && !mss)
		return inbox_error(INBOX_EFAIL, "twilio: no from (%s.from or "
		    "business.phone in inbox.yaml)", c->sect);
	s = wa ? tr_whatsapp_addr(m->to) : xstrdup(m->to);
	form_add(f, "To", s);
	free(s);
	if (from) {
		s = wa ? tr_whatsapp_addr(from) : xstrdup(from);
		form_add(f, "From", s);
		free(s);
	}
	form_add(f, "MessagingServiceSid", mss);
	if (m->template_name && *m->template_name) {
		form_add(f, "ContentSid", m->template_name);
		if (m->ntemplate_params) {
			s = tr_twilio_vars(m->template_params,
			    m->ntemplate_params);
			form_add(f, "ContentVariables", s);
			free(s);
		}
	} else if (m->text && *m->text)
		form_add(f, "Body", m->text);
	for (size_t i = 0; i < m->natt; i++)
		form_add(f, "MediaUrl", m->att[i].url);
	if ((cb = tr_conf(c, "status-callback", NULL))) {
		s = tr_twilio_callback(cb);
		form_add(f, "StatusCallback", s);
		free(s);
	}
	return 0;
}

int
tr_twilio(struct tr_ctx *c, struct send_result *res)
{
	const struct outmsg *m = c->m;
	static const char *const headers[] = {
		"Content-Type: application/x-www-form-urlencoded",
		"Accept: application/json", NULL };
	struct sb url = SB_INIT, form = SB_INIT;
	struct http_req req = { 0 };
	struct http_resp resp;
	const char *sid, *base;
	char *token;

	if (tr_need(c, "account-sid", &sid) < 0)
		return -1;
	if (!name_valid(sid))
		return inbox_error(INBOX_EFAIL, "twilio: bad account-sid "
		    "'%s' (%s.account-sid in inbox.yaml)", sid, c->sect);
	if (tr_secret(c, "twilio-token", 1, &token) < 0)
		return -1;
	if (twilio_form(c, &form) < 0) {
		free(token);
		return -1;
	}
	for (size_t i = 0; i < m->natt; i++)
		if (!m->att[i].url || !*m->att[i].url) {
			tr_set(res, SEND_PERM, NULL, "attachment", "twilio: "
			    "attachment %s has no URL", m->att[i].name ?
			    m->att[i].name : m->att[i].path ? m->att[i].path :
			    "");
			goto out;
		}
	base = tr_conf(c, "base-url", TWILIO_BASE);
	sb_adds(&url, base);
	while (url.len > 0 && url.buf[url.len - 1] == '/')
		sb_setlen(&url, url.len - 1);
	sb_addf(&url, "/2010-04-01/Accounts/%s/Messages.json", sid);

	req.method = "POST";
	req.url = url.buf;
	req.headers = headers;
	req.body = form.buf;
	req.bodylen = form.len;
	req.user = sid;
	req.password = token;
	if (tr_perform(c, &req, &resp, res))
		twilio_answer(&resp, res);
	http_resp_free(&resp);
out:
	free(token);
	sb_release(&url);
	sb_release(&form);
	return 0;
}
