/*
 * media.c - download inbound media.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "json.h"
#include "media.h"
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
