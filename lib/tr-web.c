/*
 * tr-web.c - the two plain HTTP transports: Kannel's sendsms interface
 * and our own signed JSON webhook.  Settings in transport.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "json.h"
#include "mime.h"
#include "sign.h"
#include "sms.h"
#include "tr.h"

#define KANNEL_URL	"http://127.0.0.1:13013"

/*
 * kannel
 */

char *
tr_kannel_dlr_url(const char *base, const char *id)
{
	struct sb s = SB_INIT;
	char *e = url_encode(id, 0);

	sb_addf(&s, "%s%cformat=kannel&type=dlr&msg=%s"
	    "&status=%%d&answer=%%A&ts=%%T", base, strchr(base, '?') ? '&' :
	    '?', e);
	free(e);
	return sb_detach(&s, NULL);
}

static void
query_add(struct sb *q, const char *name, const char *value)
{
	char *v;

	if (!value)
		return;
	v = url_encode(value, 0);
	sb_addf(q, "%s%s=%s", q->len ? "&" : "", name, v);
	free(v);
}

char *
tr_kannel_query(const char *user, const char *password, const char *from,
    const char *to, const char *text, const char *dlr_url,
    const char *dlr_mask, const char *smsc)
{
	struct sb q = SB_INIT;
	struct sms_info si;

	query_add(&q, "username", user);
	query_add(&q, "password", password);
	query_add(&q, "from", from);
	query_add(&q, "to", to);
	query_add(&q, "text", text);
	query_add(&q, "smsc", smsc);
	if (dlr_url) {
		query_add(&q, "dlr-mask", dlr_mask ? dlr_mask : "31");
		query_add(&q, "dlr-url", dlr_url);
	}
	sms_analyse(text, strlen(text), &si);
	if (si.enc != SMS_GSM7)
		query_add(&q, "coding", "2");
	/* Kannel reads 7-bit text as Latin-1 unless told otherwise */
	query_add(&q, "charset", "UTF-8");
	return sb_detach(&q, NULL);
}

int
tr_kannel(struct tr_ctx *c, struct send_result *res)
{
	const struct outmsg *m = c->m;
	struct http_req req = { 0 };
	struct http_resp resp;
	struct sb url = SB_INIT;
	const char *user, *from, *dlr, *text = m->text ? m->text : "";
	char *password, *dlr_url = NULL, *q, line[200];

	if (tr_need(c, "username", &user) < 0)
		return -1;
	if (tr_secret(c, "kannel-password", 1, &password) < 0)
		return -1;
	if (!utf8_valid(text, strlen(text))) {
		free(password);
		return inbox_error(INBOX_EDATA, "kannel: text is not UTF-8");
	}
	from = tr_conf(c, "from", NULL);
	if (!from)
		from = m->from && *m->from ? m->from :
		    config_str(c->st->cfg, "business.phone", NULL);
	if ((dlr = tr_conf(c, "dlr-url", NULL)))
		dlr_url = tr_kannel_dlr_url(dlr, m->id);
	q = tr_kannel_query(user, password, from, m->to, text, dlr_url,
	    tr_conf(c, "dlr-mask", "31"), tr_conf(c, "smsc", NULL));
	sb_adds(&url, tr_conf(c, "url", KANNEL_URL));
	while (url.len > 0 && url.buf[url.len - 1] == '/')
		sb_setlen(&url, url.len - 1);
	sb_addf(&url, "/cgi-bin/sendsms?%s", q);

	req.method = "GET";
	req.url = url.buf;
	if (tr_perform(c, &req, &resp, res)) {
		tr_first_line(resp.body.buf, resp.body.len, line,
		    sizeof(line));
		if (resp.status >= 200 && resp.status <= 299) {
			/* "0: Accepted for delivery", "3: Queued for later
			 * delivery": the DLR brings our id back */
			tr_set(res, SEND_OK, "sent", NULL, "%s", "");
			snprintf(res->provider_id, sizeof(res->provider_id),
			    "%s", m->id);
		} else
			tr_http_status(c, res, &resp, line);
	}
	http_resp_free(&resp);
	sb_release(&url);
	free(q);
	free(dlr_url);
	free(password);
	return 0;
}

/*
 * webhook
 */

char *
tr_webhook_body(const struct outmsg *m)
{
	struct json *o = json_obj(), *a = json_arr(), *t;
	char *s;

	json_set_str(o, "id", m->id);
	json_set_str(o, "channel", m->channel);
	json_set_str(o, "to", m->to);
	json_set_str(o, "to_name", m->to_name);
	json_set_str(o, "from", m->from);
	json_set_str(o, "subject", m->subject);
	json_set_str(o, "text", m->text ? m->text : "");
	json_set_str(o, "type", m->type);
	json_set_str(o, "author", m->author);
	json_set_str(o, "reply_to", m->reply_to);
	if (m->template_name && *m->template_name) {
		struct json *p = json_arr();

		t = json_obj();
		json_set_str(t, "name", m->template_name);
		json_set_str(t, "language", m->template_lang);
		for (size_t i = 0; i < m->ntemplate_params; i++)
			json_push_str(p, m->template_params[i]);
		json_set(t, "params", p);
		json_set(o, "template", t);
	}
	for (size_t i = 0; i < m->natt; i++) {
		const struct out_attachment *at = &m->att[i];

		t = json_obj();
		json_set_str(t, "name", at->name);
		json_set_str(t, "type", at->type ? at->type :
		    at->name ? mime_type_of(at->name) : NULL);
		json_set_str(t, "url", at->url);
		json_set_str(t, "path", at->path);
		json_push(a, t);
	}
	json_set(o, "attachments", a);
	s = json_dump(o);
	json_free(o);
	return s;
}

int
tr_webhook(struct tr_ctx *c, struct send_result *res)
{
	const struct outmsg *m = c->m;
	struct sb h[5], id = SB_INIT;
	const char *headers[6], *url;
	struct http_req req = { 0 };
	struct http_resp resp;
	struct json *j;
	char *secret, *body, ts[32], sig[80];
	long long num;
	size_t nh = 0;

	if (tr_need(c, "url", &url) < 0)
		return -1;
	if (!str_startswith(url, "http://") && !str_startswith(url, "https://"))
		return inbox_error(INBOX_EFAIL, "webhook: %s.url is not http:// "
		    "or https://", c->sect);
	if (tr_secret(c, "webhook-secret", 0, &secret) < 0)
		return -1;
	body = tr_webhook_body(m);
	snprintf(ts, sizeof(ts), "%lld", (long long)inbox_now());
	for (size_t i = 0; i < 5; i++)
		sb_init(&h[i]);
	sb_adds(&h[nh++], "Content-Type: application/json");
	sb_adds(&h[nh++], "Accept: application/json");
	sb_addf(&h[nh++], "Idempotency-Key: %s", m->id);
	sb_addf(&h[nh++], "X-Inbox-Timestamp: %s", ts);
	if (secret) {
		sign_inbox(secret, ts, body, strlen(body), sig, sizeof(sig));
		sb_addf(&h[nh++], "X-Inbox-Signature: %s", sig);
	}
	for (size_t i = 0; i < nh; i++)
		headers[i] = h[i].buf;
	headers[nh] = NULL;

	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.bodylen = strlen(body);
	if (tr_perform(c, &req, &resp, res)) {
		if (resp.status >= 200 && resp.status <= 299) {
			tr_set(res, SEND_OK, "sent", NULL, "%s", "");
			j = json_parse(resp.body.buf, resp.body.len);
			if (json_path_str(j, "id"))
				sb_adds(&id, json_path_str(j, "id"));
			else if (json_num(json_get(j, "id"), &num) == 0)
				sb_addf(&id, "%lld", num);
			json_free(j);
			snprintf(res->provider_id, sizeof(res->provider_id),
			    "%s", id.len ? id.buf : m->id);
		} else
			tr_http_status(c, res, &resp, NULL);
	}
	http_resp_free(&resp);
	for (size_t i = 0; i < 5; i++)
		sb_release(&h[i]);
	sb_release(&id);
	free(body);
	free(secret);
	return 0;
}
