/*
 * media.c - download inbound media.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "json.h"
#include "media.h"
#include "mime.h"
#include "msg.h"
#include "secret.h"

static void
fail(struct event_media *m, const char *why)
{
	free(m->error);
	m->error = xstrdup(why);
	inbox_error_clear();
}

static int
fetch_url(struct store *st, struct event_media *m, const char *url,
    const char *user, const char *pass, const char *bearer)
{
	struct sb out = SB_INIT;
	char ctype[128] = "";
	size_t max = (size_t)config_int(st->cfg, "media.max-size", 5 << 20);

	if (http_get(url, user, pass, bearer, max, &out, ctype,
	    sizeof(ctype)) < 0) {
		fail(m, inbox_errmsg());
		sb_release(&out);
		return -1;
	}
	m->data = sb_detach(&out, &m->len);
	if (!m->type && *ctype) {
		ctype[strcspn(ctype, ";")] = '\0';
		m->type = xstrdup(ctype);
	}
	return 0;
}

/* WhatsApp: the id gives a URL, fetched with the same token. */
static int
fetch_whatsapp(struct store *st, struct event_media *m)
{
	struct sb url = SB_INIT, meta = SB_INIT;
	char *token = NULL, ctype[128];
	struct json *j;
	int r = -1;

	if (secret_get(st, "whatsapp-token", &token) < 0 || !token) {
		fail(m, "no secret whatsapp-token to fetch media");
		free(token);
		return -1;
	}
	sb_addf(&url, "%s/%s/%s", config_str(st->cfg,
	    "channels.whatsapp.base-url", "https://graph.facebook.com"),
	    config_str(st->cfg, "channels.whatsapp.version", "v19.0"), m->id);
	if (http_get(url.buf, NULL, NULL, token, 65536, &meta, ctype,
	    sizeof(ctype)) < 0)
		fail(m, inbox_errmsg());
	else if (!(j = json_parse(meta.buf, meta.len)) ||
	    !json_path_str(j, "url")) {
		fail(m, "media lookup gave no url");
		json_free(j);
	} else {
		if (!m->type && json_path_str(j, "mime_type"))
			m->type = xstrdup(json_path_str(j, "mime_type"));
		r = fetch_url(st, m, json_path_str(j, "url"), NULL, NULL,
		    token);
		json_free(j);
	}
	sb_release(&url);
	sb_release(&meta);
	free(token);
	return r;
}

int
media_fetch(struct store *st, struct event *ev)
{
	int n = 0;

	for (size_t i = 0; i < ev->nmedia; i++) {
		struct event_media *m = &ev->media[i];
		char *token = NULL;
		const char *sid;

		if (m->data)
			continue;
		if (!strcmp(ev->format, "whatsapp") && m->id && !m->url) {
			n += fetch_whatsapp(st, m) == 0;
			continue;
		}
		if (!m->url)
			continue;
		if (!strcmp(ev->format, "twilio")) {
			sid = config_str(st->cfg, "channels.sms.account-sid",
			    NULL);
			if (secret_get(st, "twilio-token", &token) < 0)
				token = NULL;
			inbox_error_clear();
			n += fetch_url(st, m, m->url, sid, token, NULL) == 0;
		} else
			n += fetch_url(st, m, m->url, NULL, NULL, NULL) == 0;
		free(token);
	}
	return n;
}

/* A Twilio message SID: SM or MM and 32 hex digits. */
static int
twilio_sid(const char *s)
{
	return s && strlen(s) == 34 && (str_startswith(s, "SM") ||
	    str_startswith(s, "MM")) && strspn(s + 2, "0123456789abcdef") ==
	    32;
}

/* The file name extension inbox-recv gives media of this type. */
static const char *
extension(const char *type)
{
	return !type ? "" : strstr(type, "jpeg") ? ".jpg" :
	    strstr(type, "png") ? ".png" : strstr(type, "gif") ? ".gif" :
	    strstr(type, "mp4") ? ".mp4" : strstr(type, "pdf") ? ".pdf" : "";
}

/* Is this header one a rebuilt body replaces? */
static int
body_header(const char *name)
{
	return !strcasecmp(name, "MIME-Version") ||
	    !strcasecmp(name, "Content-Type") ||
	    !strcasecmp(name, "Content-Transfer-Encoding") ||
	    !strcasecmp(name, "X-Inbox-Media-Error");
}

int
media_refetch(struct store *st, struct msg *m)
{
	struct event ev;
	struct sb out = SB_INIT;
	const char *ch = msg_get(m, "X-Inbox-Channel");
	const char *pid = msg_get(m, "X-Inbox-Provider-Id");
	char *text;
	int missing = 0, r;

	if (!msg_get(m, "X-Inbox-Media-Error"))
		return 0;
	memset(&ev, 0, sizeof(ev));
	/* the account's credentials only for the provider's own media: a
	 * Twilio message (its SID), or a WhatsApp Cloud API media id */
	snprintf(ev.format, sizeof(ev.format), "%s", twilio_sid(pid) ?
	    "twilio" : ch && !strcmp(ch, "whatsapp") ? "whatsapp" : "json");
	for (size_t i = 0; i < m->mail.nh; i++) {
		const char *v = m->mail.h[i].value;
		struct event_media *em;
		size_t k = strcspn(v, " ");

		if (strcasecmp(m->mail.h[i].name, "X-Inbox-Media"))
			continue;
		ev.media = xrealloc(ev.media, (ev.nmedia + 1) *
		    sizeof(*ev.media));
		em = &ev.media[ev.nmedia++];
		memset(em, 0, sizeof(*em));
		if (str_startswith(v, "http://") || str_startswith(v, "https://"))
			em->url = xstrndup(v, k);
		else
			em->id = xstrndup(v, k);
		if (v[k])
			em->type = xstrdup(v + k + 1);
	}
	media_fetch(st, &ev);
	for (size_t i = 0; i < ev.nmedia; i++)
		missing += ev.media[i].error != NULL || !ev.media[i].data;
	if (missing) {
		event_free(&ev);
		return 0;
	}
	/* the headers but those of the body, then a new body */
	for (size_t i = 0; i < m->mail.nh; i++)
		if (!body_header(m->mail.h[i].name))
			sb_addf(&out, "%s: %s\n", m->mail.h[i].name,
			    m->mail.h[i].value);
	/* the text as it came, without the newline the file ended it with */
	text = msg_text(m);
	for (size_t n = strlen(text); n > 0 && text[n - 1] == '\n'; n--)
		text[n - 1] = '\0';
	ev.body = text;
	{
		struct mail_attachment *att = xcalloc(ev.nmedia, sizeof(*att));
		char names[10][32];
		size_t n = 0;

		for (size_t i = 0; i < ev.nmedia && n < 10; i++) {
			snprintf(names[n], sizeof(names[n]), "media-%zu%s",
			    i + 1, extension(ev.media[i].type));
			att[n].filename = names[n];
			att[n].type = ev.media[i].type;
			att[n].data = (const unsigned char *)ev.media[i].data;
			att[n].len = ev.media[i].len;
			n++;
		}
		mail_build_body(&out, text, att, n, m->uniq);
		free(att);
	}
	ev.body = NULL;
	free(text);
	r = msg_replace(m, st, &out) < 0 ? -1 : 1;
	sb_release(&out);
	event_free(&ev);
	return r;
}
