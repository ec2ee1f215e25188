/*
 * tr-smtp.c - email by SMTP submission: the stored message, less its
 * X-Inbox-* and Bcc fields.  Settings in transport.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime.h"
#include "tr.h"

/* 1 when the field starting at p (length n, up to the colon) is one we
 * keep to ourselves. */
static int
private_field(const char *p, size_t n)
{
	const char *colon = memchr(p, ':', n);
	size_t l;

	if (!colon)
		return 0;
	l = (size_t)(colon - p);
	while (l > 0 && (p[l - 1] == ' ' || p[l - 1] == '\t'))
		l--;
	return (l == 3 && strncasecmp(p, "bcc", 3) == 0) ||
	    (l > 8 && strncasecmp(p, "x-inbox-", 8) == 0);
}

void
tr_mail_strip(struct sb *out, const char *raw, size_t len)
{
	size_t i = 0;
	int skip = 0;

	while (i < len) {
		const char *nl = memchr(raw + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - raw) + 1 : len;
		size_t n = end - i;

		if (raw[i] == '\n' || (raw[i] == '\r' && n == 2)) {
			/* the blank line: the body follows as it is */
			sb_add(out, raw + i, len - i);
			return;
		}
		if (raw[i] != ' ' && raw[i] != '\t')
			skip = private_field(raw + i, n);
		if (!skip)
			sb_add(out, raw + i, n);
		i = end;
	}
}

/* The addr-spec of an address ("Name <a@b>" or "a@b"), malloc'd. */
static char *
addr_spec(const char *s)
{
	char *name = NULL, *addr = NULL;

	if (!strchr(s, '<'))
		return xstrdup(s);
	if (mail_first_addr(s, &name, &addr) < 0)
		return NULL;
	free(name);
	return addr;
}

int
tr_smtp(struct tr_ctx *c, struct send_result *res)
{
	const struct outmsg *m = c->m;
	struct smtp_req req = { 0 };
	struct sb data = SB_INIT;
	struct mail mail;
	const char *url, *user, *from, *rcpt[2] = { NULL, NULL }, *mid;
	char *password = NULL, *env_from = NULL, *to = NULL, code[32];
	long reply = 0;
	int r = -1;

	if (tr_need(c, "url", &url) < 0)
		return -1;
	if (!str_startswith(url, "smtp://") && !str_startswith(url, "smtps://"))
		return inbox_error(INBOX_EFAIL, "smtp: %s.url is not smtp:// "
		    "or smtps://", c->sect);
	if (!m->raw)
		return inbox_error(INBOX_EFAIL, "smtp: no message file");
	user = tr_conf(c, "user", NULL);
	if (user && tr_secret(c, "smtp-password", 1, &password) < 0)
		return -1;
	from = tr_conf(c, "from", NULL);
	if (!from)
		from = m->from && *m->from ? m->from :
		    config_str(c->st->cfg, "business.email", NULL);
	if (!from || !(env_from = addr_spec(from))) {
		inbox_error(INBOX_EFAIL, "smtp: no from address (%s.from or "
		    "business.email in inbox.yaml)", c->sect);
		goto out;
	}
	if (!(to = addr_spec(m->to)) || !strchr(to, '@')) {
		inbox_error(INBOX_EFAIL, "smtp: '%s' is not an email address",
		    m->to);
		goto out;
	}
	rcpt[0] = to;
	tr_mail_strip(&data, m->raw, m->rawlen);

	req.url = url;
	req.starttls = tr_conf_bool(c, "starttls", 0);
	req.insecure = tr_conf_bool(c, "insecure", 0);
	req.user = user;
	req.password = password;
	req.from = env_from;
	req.rcpt = rcpt;
	req.data = data.buf;
	req.len = data.len;
	req.timeout = c->timeout;
	if (smtp_send(&req, &reply) == 0) {
		tr_set(res, SEND_OK, "sent", NULL, "%s", "");
		mid = NULL;
		if (mail_parse(&mail, data.buf, data.len) == 0) {
			mid = mail_get(&mail, "Message-ID");
			snprintf(res->provider_id, sizeof(res->provider_id),
			    "%s", mid ? mid : "");
			mail_free(&mail);
		}
		if (!mid)
			snprintf(res->provider_id, sizeof(res->provider_id),
			    "%s", m->id);
	} else {
		snprintf(code, sizeof(code), "%ld", reply);
		tr_set(res, reply >= 500 ? SEND_PERM : SEND_TEMP, NULL,
		    reply ? code : "network", "smtp: %s", inbox_errmsg());
	}
	r = 0;
out:
	free(password);
	free(env_from);
	free(to);
	sb_release(&data);
	return r;
}
