/*
 * tr-whatsapp.c - the WhatsApp Cloud API (Meta Graph): text, media by
 * link, templates.  Settings in transport.c.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mime.h"
#include "tr.h"

#define GRAPH_BASE	"https://graph.facebook.com"
#define GRAPH_VERSION	"v19.0"
#define TEXT_PART	SIZE_MAX	/* a plan step that sends the text */

void
transport_graph_error(struct send_result *res, long http, long code,
    const char *text)
{
	enum send_outcome o = SEND_PERM;
	const char *hint = "";
	char c[32];

	snprintf(c, sizeof(c), "%ld", code ? code : http);
	switch (code) {
	case 131047:		/* re-engagement: outside the 24 h window */
		res->window_closed = 1;
		break;
	case 131026:		/* undeliverable */
		res->unreachable = 1;
		break;
	case 190:
		hint = " (check secret whatsapp-token)";
		break;
	case 1:			/* unknown, transient */
	case 2:			/* service temporarily unavailable */
	case 4:			/* application rate limit */
	case 80007:		/* WABA rate limit */
	case 130429:		/* throughput rate limit */
	case 131016:		/* service unavailable */
	case 131056:		/* pair rate limit */
		o = SEND_TEMP;
		break;
	default:
		if (http == 429 || http >= 500)
			o = SEND_TEMP;
	}
	if (text && *text)
		tr_set(res, o, NULL, c, "whatsapp: %s%s", text, hint);
	else
		tr_set(res, o, NULL, c, "whatsapp: error %s%s", c, hint);
}

char *
tr_whatsapp_to(const char *to)
{
	struct sb s = SB_INIT;

	if (str_startswith(to, "whatsapp:"))
		to += strlen("whatsapp:");
	for (; *to; to++)
		if (isdigit((unsigned char)*to))
			sb_addc(&s, *to);
	return sb_detach(&s, NULL);
}

/* The Cloud API message type for a MIME type. */
static const char *
media_kind(const struct out_attachment *a)
{
	const char *t = a->type ? a->type : mime_type_of(a->name ? a->name :
	    a->url ? a->url : "");

	if (strcmp(t, "image/jpeg") == 0 || strcmp(t, "image/png") == 0)
		return "image";
	if (str_startswith(t, "video/"))
		return "video";
	if (str_startswith(t, "audio/"))
		return "audio";
	return "document";
}

static int
captioned(const char *kind)
{
	return strcmp(kind, "audio") != 0;
}

char *
tr_whatsapp_body(const struct outmsg *m, const char *lang, size_t att,
    int with_text)
{
	struct json *o = json_obj(), *p, *q, *a;
	char *to = tr_whatsapp_to(m->to), *s;

	json_set_str(o, "messaging_product", "whatsapp");
	json_set_str(o, "recipient_type", "individual");
	json_set_str(o, "to", to);
	free(to);
	if (m->reply_to && *m->reply_to) {
		p = json_obj();
		json_set_str(p, "message_id", m->reply_to);
		json_set(o, "context", p);
	}
	if (m->template_name && *m->template_name) {
		json_set_str(o, "type", "template");
		p = json_obj();
		json_set_str(p, "name", m->template_name);
		q = json_obj();
		json_set_str(q, "code", m->template_lang &&
		    *m->template_lang ? m->template_lang : lang);
		json_set(p, "language", q);
		if (m->ntemplate_params) {
			struct json *comps = json_arr(), *body = json_obj();

			a = json_arr();
			for (size_t i = 0; i < m->ntemplate_params; i++) {
				q = json_obj();
				json_set_str(q, "type", "text");
				json_set_str(q, "text", m->template_params[i] ?
				    m->template_params[i] : "");
				json_push(a, q);
			}
			json_set_str(body, "type", "body");
			json_set(body, "parameters", a);
			json_push(comps, body);
			json_set(p, "components", comps);
		}
		json_set(o, "template", p);
	} else if (att < m->natt) {
		const struct out_attachment *at = &m->att[att];
		const char *kind = media_kind(at);

		json_set_str(o, "type", kind);
		p = json_obj();
		json_set_str(p, "link", at->url);
		if (with_text && m->text && *m->text && captioned(kind))
			json_set_str(p, "caption", m->text);
		if (strcmp(kind, "document") == 0 && at->name)
			json_set_str(p, "filename", at->name);
		json_set(o, kind, p);
	} else {
		json_set_str(o, "type", "text");
		p = json_obj();
		json_set_bool(p, "preview_url", 0);
		json_set_str(p, "body", m->text ? m->text : "");
		json_set(o, "text", p);
	}
	s = json_dump(o);
	json_free(o);
	return s;
}

/* Classify one answer; the message id goes to id. */
static void
graph_answer(struct http_resp *r, struct send_result *res, char *id,
    size_t n)
{
	struct json *j = json_parse(r->body.buf, r->body.len);
	const char *msg, *details;
	char text[240], line[200];
	long long code = 0;

	if (r->status >= 200 && r->status <= 299) {
		snprintf(id, n, "%s", json_path_str(j, "messages.0.id") ?
		    json_path_str(j, "messages.0.id") : "");
		tr_set(res, SEND_OK, "sent", NULL, "%s", j ? "" :
		    "whatsapp: accepted; the answer was unreadable");
	} else {
		json_num(json_path(j, "error.code"), &code);
		msg = json_path_str(j, "error.message");
		details = json_path_str(j, "error.error_data.details");
		if (!msg) {
			tr_first_line(r->body.buf, r->body.len, line,
			    sizeof(line));
			msg = line;
		}
		if (details && *details)
			snprintf(text, sizeof(text), "%s: %s", msg, details);
		else
			snprintf(text, sizeof(text), "%s", msg);
		transport_graph_error(res, r->status, (long)code, text);
		if (res->outcome == SEND_TEMP)
			res->retry_after = r->retry_after;
	}
	json_free(j);
}

int
tr_whatsapp(struct tr_ctx *c, struct send_result *res)
{
	const struct outmsg *m = c->m;
	static const char *const headers[] = {
		"Content-Type: application/json", "Accept: application/json",
		NULL };
	struct sb url = SB_INIT;
	const char *pid, *lang;
	char *token, id[128];
	size_t plan[2 + 64], nplan = 0, sent = 0;

	if (tr_need(c, "phone-number-id", &pid) < 0)
		return -1;
	if (!name_valid(pid))
		return inbox_error(INBOX_EFAIL, "whatsapp: bad phone-number-id "
		    "'%s' (%s.phone-number-id in inbox.yaml)", pid, c->sect);
	if (m->natt > 64)
		return inbox_error(INBOX_EFAIL, "whatsapp: more than 64 "
		    "attachments");
	if (tr_secret(c, "whatsapp-token", 1, &token) < 0)
		return -1;
	lang = tr_conf_or(c, "language", "business.locale");
	if (!lang)
		lang = "en_US";
	sb_adds(&url, tr_conf(c, "base-url", GRAPH_BASE));
	while (url.len > 0 && url.buf[url.len - 1] == '/')
		sb_setlen(&url, url.len - 1);
	sb_addf(&url, "/%s/%s/messages", tr_conf(c, "version", GRAPH_VERSION),
	    pid);

	/* One request per part: the text rides as the caption of the first
	 * attachment when it can, else goes first on its own. */
	if (m->template_name && *m->template_name)
		plan[nplan++] = 0;
	else {
		if (m->natt == 0 || (m->text && *m->text &&
		    !captioned(media_kind(&m->att[0]))))
			plan[nplan++] = TEXT_PART;
		for (size_t i = 0; i < m->natt; i++) {
			if (!m->att[i].url || !*m->att[i].url) {
				tr_set(res, SEND_PERM, NULL, "attachment",
				    "whatsapp: attachment %s has no URL",
				    m->att[i].name ? m->att[i].name : "");
				goto out;
			}
			plan[nplan++] = i;
		}
	}
	for (size_t k = 0; k < nplan; k++) {
		struct http_req req = { 0 };
		struct http_resp resp;
		struct send_result r;
		char *body;

		memset(&r, 0, sizeof(r));
		body = tr_whatsapp_body(m, lang, plan[k] == TEXT_PART ?
		    m->natt : plan[k], k == 0);
		req.method = "POST";
		req.url = url.buf;
		req.headers = headers;
		req.body = body;
		req.bodylen = strlen(body);
		req.bearer = token;
		id[0] = '\0';
		if (tr_perform(c, &req, &resp, &r))
			graph_answer(&resp, &r, id, sizeof(id));
		http_resp_free(&resp);
		free(body);
		if (r.outcome != SEND_OK) {
			if (sent == 0)
				*res = r;
			else
				snprintf(res->text, sizeof(res->text), "%zu of "
				    "%zu parts sent; %s", sent, nplan, r.text);
			break;
		}
		if (sent++ == 0) {
			*res = r;
			snprintf(res->provider_id, sizeof(res->provider_id),
			    "%s", id);
		}
	}
out:
	free(token);
	sb_release(&url);
	return 0;
}
