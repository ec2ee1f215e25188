/*
 * inbound.c - file inbound messages, statuses and calls into the store.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "inbound.h"
#include "job.h"
#include "keyword.h"
#include "msg.h"
#include "thread.h"

void
pid_path(const char *provider_id, char *buf, size_t n)
{
	unsigned char h[SHA1_LEN];
	char hex[2 * SHA1_LEN + 1];

	sha1(provider_id, strlen(provider_id), h);
	hex_encode(h, SHA1_LEN, hex);
	/* two levels: a few hundred names a tree even at millions of
	 * messages, so a commit rewrites small trees */
	snprintf(buf, n, "idx/pid/%.2s/%.2s/%s", hex, hex + 2, hex);
}

char *
pid_lookup(struct store *st, const char *provider_id)
{
	struct sb s = SB_INIT;
	char rel[96];
	char *p;

	pid_path(provider_id, rel, sizeof(rel));
	p = path_join(st->root, rel);
	if (sb_read_file(&s, p, 4096) < 0) {
		/* a store made before the index had two levels:
		 * idx/pid/HH/SHA1 */
		const char *hex = strrchr(rel, '/') + 1;
		char old[96];

		free(p);
		snprintf(old, sizeof(old), "idx/pid/%.2s/%s", hex, hex);
		p = path_join(st->root, old);
		inbox_error_clear();
		sb_reset(&s);
		if (sb_read_file(&s, p, 4096) < 0) {
			inbox_error_clear();
			free(p);
			sb_release(&s);
			return NULL;
		}
	}
	free(p);
	sb_rtrim(&s);
	return sb_detach(&s, NULL);
}

int
pid_record(struct store *st, const char *provider_id, const char *msgid)
{
	char rel[96];
	struct sb s = SB_INIT;
	int r;

	pid_path(provider_id, rel, sizeof(rel));
	sb_addf(&s, "%s\n", msgid);
	r = store_put_new(st, rel, s.buf, s.len);
	sb_release(&s);
	return r;
}

static int
anonymous(const char *from)
{
	static const char *anon[] = { "anonymous", "restricted", "unknown",
	    "private", "unavailable", "+266696687", "+7378742833",
	    "+2562533", "+8656696" };

	if (!from || !*from)
		return 1;
	for (size_t i = 0; i < sizeof(anon) / sizeof(*anon); i++)
		if (strcasecmp(from, anon[i]) == 0)
			return 1;
	return 0;
}

/*
 * Find an existing file of uniq in the conversation (replay).  The filers
 * skip it when uniq is fresh: made by this process for this event, as a
 * batch's are, never one read back from the spool or the index.
 */
static int
already_there(struct store *st, const char *conv, const char *uniq)
{
	struct msg m;
	struct sb id = SB_INIT;
	int r;

	sb_addf(&id, "%s/%s", conv, uniq);
	r = msg_load(&m, st, id.buf) == 0;
	msg_free(&m);
	inbox_error_clear();
	sb_release(&id);
	return r;
}

static void
from_header(struct sb *h, const char *name, const char *addr)
{
	if (name && *name) {
		char *enc = mail_encode_header(name);
		int quote = strpbrk(enc, ",;:<>@\"()[]\\") != NULL &&
		    !str_startswith(enc, "=?");

		if (quote) {
			sb_adds(h, "\"");
			for (const char *p = enc; *p; p++) {
				if (*p == '"' || *p == '\\')
					sb_addc(h, '\\');
				sb_addc(h, *p);
			}
			sb_adds(h, "\"");
		} else
			sb_adds(h, enc);
		sb_addf(h, " <%s>", addr);
		free(enc);
	} else
		sb_addf(h, "<%s>", addr);
}

/* Words that make an unassigned message about booking (configurable:
 * context.booking in inbox.yaml, a list). */
static int
booking_words(struct store *st, const char *body)
{
	static const char *def[] = { "book", "appointment", "schedule",
	    "estimate", "quote", "available", NULL };
	int node = config_node(st->cfg, 0, "context.booking");
	size_t n = config_len(st->cfg, node);

	if (!body)
		return 0;
	if (n == 0) {
		for (const char **w = def; *w; w++)
			if (strcasestr(body, *w))
				return 1;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const char *w = config_scalar(st->cfg, config_item(st->cfg,
		    node, i, NULL));

		if (w && *w && strcasestr(body, w))
			return 1;
	}
	return 0;
}

/*
 * Unassigned conversations carry a context (general, booking, unknown);
 * a customer with exactly one open job gets the conversation linked to
 * it, with several it is flagged to pick one.
 */
static void
set_context(struct store *st, struct conv *c, const char *contact,
    const char *body)
{
	const char *open1 = NULL;
	int open = 0;

	for (size_t i = 0; i < c->st.n; i++) {
		struct kv j = KV_INIT;
		const char *s;

		if (strcmp(c->st.v[i].key, "job"))
			continue;
		if (job_load(st, c->st.v[i].val, &j) == 0 &&
		    (s = kv_get(&j, "status")) && strcmp(s, "done") &&
		    strcmp(s, "canceled")) {
			open++;
			open1 = c->st.v[i].val;
		}
		inbox_error_clear();
		kv_free(&j);
	}
	if (open == 1) {
		char *j = xstrdup(open1);

		kv_set(&c->st, "current-job", j);
		kv_del(&c->st, "pick-job", NULL);
		free(j);
	} else if (open > 1 && !kv_get(&c->st, "current-job"))
		kv_set(&c->st, "pick-job", "yes");
	if (kv_get(&c->st, "assignee"))
		return;
	if (booking_words(st, body))
		kv_set(&c->st, "context", "booking");
	else if (open == 0)
		kv_set(&c->st, "context", contact ? "general" : "unknown");
	else
		kv_del(&c->st, "context", NULL);
}

/* The body: the text and, as MIME parts, the media that could be
 * fetched; what could not be fetched is noted with its URL. */
static void
add_media(struct sb *h, const struct event *ev, const char *uniq)
{
	struct mail_attachment *att = xcalloc(ev->nmedia + 1, sizeof(*att));
	char names[10][32];
	size_t n = 0;

	for (size_t i = 0; i < ev->nmedia; i++) {
		const struct event_media *m = &ev->media[i];

		if (m->error)
			sb_addf(h, "X-Inbox-Media-Error: %s %s\n", m->url ?
			    m->url : m->id ? m->id : "-", m->error);
		if (!m->data || n >= 10)
			continue;
		snprintf(names[n], sizeof(names[n]), "media-%zu%s", i + 1,
		    !m->type ? "" : strstr(m->type, "jpeg") ? ".jpg" :
		    strstr(m->type, "png") ? ".png" : strstr(m->type, "gif") ?
		    ".gif" : strstr(m->type, "mp4") ? ".mp4" :
		    strstr(m->type, "pdf") ? ".pdf" : "");
		att[n].filename = names[n];
		att[n].type = m->type;
		att[n].data = (const unsigned char *)m->data;
		att[n].len = m->len;
		n++;
	}
	mail_build_body(h, ev->body ? ev->body : "", att, n, uniq);
	if (h->len && h->buf[h->len - 1] != '\n')
		sb_addc(h, '\n');
	free(att);
}

/* Update the conversation state for an inbound message or call. */
static int
touch_conv(struct store *st, struct conv *c, const char *contact,
    const char *addr, const char *kind, const char *channel, time_t when,
    struct inbound_result *res)
{
	char iso[32];
	struct kv a = KV_INIT;

	time_iso(when, iso, sizeof(iso));
	if (!c->exists) {
		kv_set(&c->st, "kind", kind);
		if (contact)
			kv_set(&c->st, "contact", contact);
		kv_set(&c->st, "status", "open");
		kv_set(&c->st, "created", iso);
		res->created = 1;
	}
	if (addr && *addr)
		kv_add(&c->st, "address", addr);
	if (addr && addr_load(st, addr, &a) == 0 && kv_get(&a, "blocked"))
		res->blocked = 1;
	kv_free(&a);
	if (res->blocked) {
		/* kept, but out of the inbox: inbox-ls --blocked */
		/* a customer's thread is not hidden for one blocked number
		 * of theirs: the message is kept, the thread left as it is */
		if (!kv_has(&c->st, "kind", "customer")) {
			kv_set(&c->st, "status", "closed");
			if (!kv_get(&c->st, "blocked"))
				kv_set(&c->st, "blocked", iso);
		}
	} else {
		if (kv_get(&c->st, "archived")) {
			kv_del(&c->st, "archived", NULL);
			res->unarchived = 1;
		}
		if (kv_has(&c->st, "status", "closed"))
			kv_set(&c->st, "status", "open");
	}
	if (channel) {
		struct sb k = SB_INIT;
		const char *prev;
		int newest = 1;

		/* a late webhook for an older message moves nothing back */
		for (size_t i = 0; i < c->st.n; i++)
			if (str_startswith(c->st.v[i].key, "last-in.") &&
			    strcmp(c->st.v[i].val, iso) > 0)
				newest = 0;
		if (newest)
			kv_set(&c->st, "channel", channel);
		sb_addf(&k, "last-in.%s", channel);
		prev = kv_get(&c->st, k.buf);
		if (!prev || strcmp(prev, iso) < 0)
			kv_set(&c->st, k.buf, iso);
		sb_release(&k);
	}
	return conv_save(st, c);
}

/* Record an opt-out or opt-in on the address (and so in git). */
static int
consent(struct store *st, const char *addr, struct inbound_result *res)
{
	struct kv a = KV_INIT;
	char iso[32];
	struct sb v = SB_INIT;
	int r;

	if (addr_load(st, addr, &a) < 0)
		return -1;
	time_iso(inbox_now(), iso, sizeof(iso));
	if (res->keyword == KW_OPTOUT) {
		if (kv_get(&a, "optout")) {
			kv_free(&a);
			return 0;	/* already out: the first STOP stands */
		}
		kv_set(&a, "optout", iso);
		kv_set(&a, "optout-keyword", res->word);
		kv_set(&a, "optout-message", res->msgid);
	} else {
		if (!kv_get(&a, "optout")) {
			kv_free(&a);
			return 0;
		}
		kv_del(&a, "optout", NULL);
		kv_del(&a, "optout-keyword", NULL);
		kv_del(&a, "optout-message", NULL);
		sb_addf(&v, "%s %s %s", iso, res->word, res->msgid);
		kv_set(&a, "optin", v.buf);
	}
	r = addr_save(st, addr, &a);
	sb_release(&v);
	kv_free(&a);
	res->consent_changed = r == 0;
	return r;
}

static int
file_message(struct store *st, struct event *ev, const char *uniq,
    int fresh, struct inbound_result *res)
{
	char addr[320], to[320] = "", dir[64], date[64];
	char *contact = NULL, *name;
	struct conv c;
	struct sb h = SB_INIT;
	time_t when = ev->date ? ev->date : inbox_now();
	int r = -1;

	if (addr_normalize(st, ev->from, addr, sizeof(addr)) < 0)
		return inbox_error(INBOX_EDATA, "sender %s: %s", ev->from,
		    inbox_errmsg());
	if (ev->to && addr_normalize(st, ev->to, to, sizeof(to)) < 0)
		snprintf(to, sizeof(to), "%s", ev->to);
	if (conv_for_address(st, addr, res->conv, &contact) < 0)
		return -1;
	if (conv_load(st, res->conv, &c) < 0) {
		free(contact);
		return -1;
	}
	snprintf(res->msgid, sizeof(res->msgid), "%s/%s", res->conv, uniq);
	name = contact ? contact_display(st, contact, addr) :
	    xstrdup(ev->from_name ? ev->from_name : addr);
	snprintf(res->summary, sizeof(res->summary), "%s from %s%s%s%s",
	    ev->channel, addr, strcmp(name, addr) ? " (" : "",
	    strcmp(name, addr) ? name : "", strcmp(name, addr) ? ")" : "");
	conv_dir(res->conv, dir, sizeof(dir));
	if (strcmp(ev->channel, "email") && strcmp(ev->channel, "portal")) {
		const char *word;

		res->keyword = keyword_of(ev->body ? ev->body : "", &word);
		if (word)
			snprintf(res->word, sizeof(res->word), "%s", word);
	}
	/* the index first: a retry after a crash between the two finds no
	 * message, or an uncommitted one, and finishes; never a second copy */
	if (ev->provider_id && pid_record(st, ev->provider_id, res->msgid) < 0)
		goto out;
	if (fresh || !already_there(st, res->conv, uniq)) {
		time_rfc2822(when, date, sizeof(date));
		sb_addf(&h, "X-Inbox-Channel: %s\n", ev->channel);
		if (res->keyword == KW_ATTENTION)
			sb_adds(&h, "X-Inbox-Attention: asks to stop\n");
		else if (res->keyword != KW_NONE)
			sb_addf(&h, "X-Inbox-Keyword: %s\n", res->word);
		sb_adds(&h, "X-Inbox-Direction: in\nX-Inbox-Type: reply\n"
		    "X-Inbox-Status: received\n");
		if (msg_header(&h, "X-Inbox-Address", addr) < 0 ||
		    msg_header(&h, "X-Inbox-Provider-Id",
		    ev->provider_id) < 0)
			goto out;
		for (size_t i = 0; i < ev->nmedia; i++)
			if (ev->media[i].url || ev->media[i].id)
				sb_addf(&h, "X-Inbox-Media: %s%s%s\n",
				    ev->media[i].url ? ev->media[i].url :
				    ev->media[i].id, ev->media[i].type ? " " :
				    "", ev->media[i].type ? ev->media[i].type :
				    "");
		if (strcmp(ev->channel, "email") == 0) {
			/* our headers on top, the mail byte for byte */
			sb_add(&h, ev->raw, ev->rawlen);
		} else {
			sb_addf(&h, "Date: %s\nFrom: ", date);
			from_header(&h, contact ? name : ev->from_name, addr);
			sb_addf(&h, "\nTo: <%s>\n", *to ? to : "inbox");
			sb_addf(&h, "Message-ID: <%s@inbox>\n", uniq);
			sb_addf(&h, "Subject: %s from ", ev->channel);
			if (contact || ev->from_name) {
				char *enc = mail_encode_header(contact ? name :
				    ev->from_name);

				sb_adds(&h, enc);
				free(enc);
			} else
				sb_adds(&h, addr);
			sb_addc(&h, '\n');
			add_media(&h, ev, uniq);
		}
		if (store_deliver(st, dir, "new", uniq, h.buf, h.len) < 0)
			goto out;
	}
	set_context(st, &c, contact, ev->body);
	if (touch_conv(st, &c, contact, addr, contact ? "customer" :
	    "address", ev->channel, when, res) < 0)
		goto out;
	if ((res->keyword == KW_OPTOUT || res->keyword == KW_OPTIN) &&
	    consent(st, addr, res) < 0)
		goto out;
	if (res->consent_changed) {
		size_t l = strlen(res->summary);

		snprintf(res->summary + l, sizeof(res->summary) - l,
		    ": opted %s (%s)", res->keyword == KW_OPTOUT ? "out" :
		    "in", res->word);
	}
	res->changed = 1;
	r = 0;
out:
	sb_release(&h);
	free(name);
	free(contact);
	conv_free(&c);
	return r;
}

/* Async provider failures that say something about the address. */
static int
mark_async(struct store *st, const char *addr, const char *code,
    const char *msgid)
{
	static const char *unreachable[] = { "30005", "30006", "21614",
	    "21211", "131026", NULL };
	struct kv a = KV_INIT;
	char iso[32];
	struct sb why = SB_INIT;
	int hit = 0, r = 0;

	if (!addr || !code)
		return 0;
	for (const char **u = unreachable; *u; u++)
		hit |= !strcmp(code, *u);
	if (!hit && strcmp(code, "21610"))
		return 0;
	if (addr_load(st, addr, &a) < 0)
		return -1;
	time_iso(inbox_now(), iso, sizeof(iso));
	if (hit) {
		sb_addf(&why, "%s (%s)", code, iso);
		kv_set(&a, "sms-unreachable", why.buf);
	} else if (!kv_get(&a, "optout")) {
		kv_set(&a, "optout", iso);
		kv_set(&a, "optout-keyword", "provider 21610");
		kv_set(&a, "optout-message", msgid);
	}
	r = addr_save(st, addr, &a);
	sb_release(&why);
	kv_free(&a);
	return r;
}

/* 30003 (unreachable handset) and 30007 (carrier filtering) are tried
 * again within the cap: back to the queue with a next try. */
static int
requeue(struct store *st, struct msg *m, const char *err,
    struct inbound_result *res)
{
	int tries = msg_get(m, "X-Inbox-Tries") ?
	    atoi(msg_get(m, "X-Inbox-Tries")) : 1;
	long backoff = (long)config_int(st->cfg, "send.backoff", 60);
	const char *names[3] = { "X-Inbox-Status", "X-Inbox-Error",
	    "X-Inbox-Next-Try" };
	const char *vals[3];
	char next[32], qp[300];
	struct sb line = SB_INIT;
	int r;

	if (tries >= config_int(st->cfg, "send.tries", 5))
		return 1;
	for (int i = 1; i < tries; i++)
		backoff *= 2;
	time_iso(inbox_now() + backoff, next, sizeof(next));
	vals[0] = "queued";
	vals[1] = err;
	vals[2] = next;
	snprintf(qp, sizeof(qp), "idx/queue/%s", m->uniq);
	sb_addf(&line, "%s\n", res->msgid);
	r = msg_set_headers(m, st, names, vals, 3);
	if (r == 0)
		r = store_put(st, qp, line.buf, line.len);
	sb_release(&line);
	if (r == 0) {
		res->changed = 1;
		snprintf(res->summary, sizeof(res->summary), "retry later %s: "
		    "%s", res->msgid, err);
	}
	return r;
}

static int
file_status(struct store *st, struct event *ev, struct inbound_result *res)
{
	char *id = pid_lookup(st, ev->provider_id);
	struct msg m;
	const char *cur, *pid;
	const char *names[3] = { "X-Inbox-Status", "X-Inbox-Error",
	    "X-Inbox-Status-Time" };
	const char *vals[3];
	char iso[32], err[600];
	int r, failed;

	if (!id) {
		res->unknown = 1;
		return 0;
	}
	r = msg_load(&m, st, id);
	snprintf(res->msgid, sizeof(res->msgid), "%s", id);
	free(id);
	if (r < 0) {
		res->unknown = 1;
		inbox_error_clear();
		return 0;
	}
	snprintf(res->conv, sizeof(res->conv), "%s", m.conv);
	cur = msg_get(&m, "X-Inbox-Status");
	if (msg_status_rank(ev->status) < 0) {
		msg_free(&m);
		return inbox_error(INBOX_EDATA, "unknown status '%s'",
		    ev->status);
	}
	/* a callback about an earlier attempt, or a late or repeated one:
	 * a late "sent" never overwrites "delivered" */
	pid = msg_get(&m, "X-Inbox-Provider-Id");
	if ((pid && strcmp(pid, ev->provider_id) &&
	    strcmp(ev->format, "kannel")) || (cur &&
	    msg_status_rank(ev->status) <= msg_status_rank(cur))) {
		res->duplicate = 1;
		msg_free(&m);
		return 0;
	}
	time_iso(ev->date ? ev->date : inbox_now(), iso, sizeof(iso));
	snprintf(err, sizeof(err), "%s%s%s", ev->error_code ?
	    ev->error_code : "", ev->error_code && ev->error_text ? " " : "",
	    ev->error_text ? ev->error_text : "");
	failed = !strcmp(ev->status, "failed") ||
	    !strcmp(ev->status, "undelivered");
	if (failed && ev->error_code && (!strcmp(ev->error_code, "30003") ||
	    !strcmp(ev->error_code, "30007"))) {
		r = requeue(st, &m, err, res);
		if (r <= 0) {
			msg_free(&m);
			return r;
		}
	}
	vals[0] = ev->status;
	vals[1] = *err ? err : NULL;
	vals[2] = iso;
	r = msg_set_headers(&m, st, names, vals, 3);
	if (r == 0 && failed)
		r = mark_async(st, msg_get(&m, "X-Inbox-Address"),
		    ev->error_code, res->msgid);
	if (r == 0) {
		res->changed = 1;
		snprintf(res->summary, sizeof(res->summary), "%s %s%s%s",
		    ev->status, res->msgid, *err ? " " : "", err);
	}
	msg_free(&m);
	return r;
}

static const char *
call_outcome(const struct event *ev, const char *prev)
{
	const char *s = ev->call_status ? ev->call_status : "";

	if (ev->recording_url && (!prev || strcmp(prev, "answered")))
		return "voicemail";
	if (!strcmp(s, "completed"))
		return ev->duration > 0 ? "answered" : prev ? prev : "missed";
	if (!strcmp(s, "no-answer") || !strcmp(s, "canceled") ||
	    !strcmp(s, "missed"))
		return "missed";
	if (!strcmp(s, "busy"))
		return "busy";
	if (!strcmp(s, "failed"))
		return "failed";
	if (!strcmp(s, "in-progress") || !strcmp(s, "answered"))
		return "answered";
	if (!strcmp(s, "voicemail"))
		return "voicemail";
	return prev ? prev : "ringing";
}

static int
call_rank(const char *o)
{
	static const char *order[] = { "ringing", "answered", "missed",
	    "busy", "failed", "voicemail" };

	for (size_t i = 0; o && i < sizeof(order) / sizeof(*order); i++)
		if (!strcmp(o, order[i]))
			return (int)i;
	return -1;
}

/* Twilio's CallStatus in the order a call goes through them; the end
 * states (completed, busy, no-answer, ...) last, a recording (-1) none. */
static int
call_status_rank(const char *s)
{
	static const char *order[] = { "queued", "initiated", "ringing",
	    "in-progress" };

	if (!s || !strcmp(s, "recording"))
		return -1;
	for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++)
		if (!strcmp(s, order[i]))
			return (int)i;
	return 4;
}

static void
call_body(struct sb *b, const struct event *ev, const char *outcome,
    long dur, const char *rec, long recdur, const char *transcript)
{
	sb_addf(b, "%s call: %s", ev->direction && !strcmp(ev->direction,
	    "out") ? "Outbound" : "Inbound", outcome);
	if (dur >= 0)
		sb_addf(b, ", %lds", dur);
	sb_addc(b, '\n');
	if (rec)
		sb_addf(b, "Recording: %s (%ld:%02ld)\n", rec,
		    recdur > 0 ? recdur / 60 : 0, recdur > 0 ? recdur % 60 : 0);
	if (transcript)
		sb_addf(b, "Transcript: %s\n", transcript);
}

static int
update_call(struct store *st, struct event *ev, const char *id,
    struct inbound_result *res)
{
	struct msg m;
	const char *prev;
	const char *outcome;
	char dur[32], recdur[32];
	const char *names[6] = { "X-Inbox-Call-Status", "X-Inbox-Call-Outcome",
	    "X-Inbox-Call-Duration", "X-Inbox-Call-Recording",
	    "X-Inbox-Call-Recording-Duration", "X-Inbox-Call-Transcript" };
	const char *vals[6];
	int r;

	if (msg_load(&m, st, id) < 0)
		return -1;
	snprintf(res->conv, sizeof(res->conv), "%s", m.conv);
	snprintf(res->msgid, sizeof(res->msgid), "%s", id);
	prev = msg_get(&m, "X-Inbox-Call-Outcome");
	outcome = call_outcome(ev, prev);
	if (call_rank(outcome) < call_rank(prev))
		outcome = prev;
	snprintf(dur, sizeof(dur), "%ld", ev->duration);
	snprintf(recdur, sizeof(recdur), "%ld", ev->recording_duration);
	/* a late callback never moves the call's status back */
	vals[0] = msg_get(&m, "X-Inbox-Call-Status");
	if (call_status_rank(ev->call_status) > call_status_rank(vals[0]))
		vals[0] = ev->call_status;
	vals[1] = outcome;
	vals[2] = ev->duration >= 0 ? dur : msg_get(&m,
	    "X-Inbox-Call-Duration");
	vals[3] = ev->recording_url ? ev->recording_url : msg_get(&m,
	    "X-Inbox-Call-Recording");
	vals[4] = ev->recording_duration >= 0 ? recdur : msg_get(&m,
	    "X-Inbox-Call-Recording-Duration");
	vals[5] = ev->transcript ? ev->transcript : msg_get(&m,
	    "X-Inbox-Call-Transcript");
	{
		int same = 1;

		for (int i = 0; i < 6 && same; i++) {
			const char *o = msg_get(&m, names[i]);

			same = (!o && !vals[i]) || (o && vals[i] &&
			    !strcmp(o, vals[i]));
		}
		if (same) {
			res->duplicate = 1;
			msg_free(&m);
			return 0;
		}
	}
	/* copy: vals point into m which the rewrite replaces */
	{
		char *copy[6];

		for (int i = 0; i < 6; i++)
			copy[i] = vals[i] ? xstrdup(vals[i]) : NULL;
		r = msg_set_headers(&m, st, names, (const char **)copy, 6);
		snprintf(res->summary, sizeof(res->summary), "call %s %s",
		    copy[1], id);
		for (int i = 0; i < 6; i++)
			free(copy[i]);
	}
	res->changed = r == 0;
	msg_free(&m);
	return r;
}

/*
 * A recording callback may come before the call's status callback and
 * carries no caller: the call is filed as withheld.  When a later
 * callback names the caller, the call moves to the caller's thread.
 * Returns the call's id now (malloc'd), or NULL on an error.
 */
static char *
refile_call(struct store *st, struct event *ev, const char *party,
    const char *id, struct inbound_result *res)
{
	struct msg m;
	char addr[320], to[CONV_ID_LEN + 1], newid[160], rel[80], dir[64];
	char *contact = NULL;
	const char *names[2] = { "X-Inbox-Address", "From" };
	const char *vals[2];
	struct sb from = SB_INIT;
	struct conv c;
	int r;

	if (msg_load(&m, st, id) < 0)
		return NULL;
	r = msg_get(&m, "X-Inbox-Address") != NULL || anonymous(party) ||
	    addr_normalize(st, party, addr, sizeof(addr)) < 0;
	msg_free(&m);
	inbox_error_clear();
	if (r)
		return xstrdup(id);
	if (conv_for_address(st, addr, to, &contact) < 0)
		return NULL;
	if (conv_load(st, to, &c) < 0 || touch_conv(st, &c, contact, addr,
	    contact ? "customer" : "address", "voice", ev->date ? ev->date :
	    inbox_now(), res) < 0 || thread_move(st, id, to, newid,
	    sizeof(newid)) < 0 || msg_load(&m, st, newid) < 0) {
		free(contact);
		conv_free(&c);
		return NULL;
	}
	{
		char *name = contact_display(st, contact, addr);

		from_header(&from, contact ? name : NULL, addr);
		free(name);
	}
	vals[0] = addr;
	vals[1] = from.buf;
	r = msg_set_headers(&m, st, names, vals, 2);
	msg_free(&m);
	sb_release(&from);
	free(contact);
	conv_free(&c);
	/* the withheld thread it was in is empty now */
	{
		char old[CONV_ID_LEN + 1];

		snprintf(old, sizeof(old), "%.*s", (int)strcspn(id, "/"), id);
		conv_dir(old, dir, sizeof(dir));
	}
	snprintf(rel, sizeof(rel), "%s/state", dir);
	if (r == 0) {
		char *abs = store_path(st, rel);

		if (path_exists(abs))
			r = store_remove(st, rel);
		free(abs);
	}
	return r == 0 ? xstrdup(newid) : NULL;
}

static int
file_call(struct store *st, struct event *ev, const char *uniq,
    int fresh, struct inbound_result *res)
{
	char *id = pid_lookup(st, ev->provider_id);
	const char *party = ev->direction && !strcmp(ev->direction, "out") ?
	    ev->to : ev->from;
	char addr[320] = "", dir[64], date[64];
	char *contact = NULL, *name = NULL;
	struct conv c;
	struct sb h = SB_INIT, body = SB_INIT, key = SB_INIT;
	const char *outcome;
	int r = -1;

	if (id) {
		char *now = refile_call(st, ev, party, id, res);

		r = now ? update_call(st, ev, now, res) : -1;
		free(now);
		free(id);
		return r;
	}
	if (anonymous(party) || addr_normalize(st, party, addr,
	    sizeof(addr)) < 0) {
		inbox_error_clear();
		addr[0] = '\0';
		sb_addf(&key, "anon:%s", ev->provider_id);
		conv_id(key.buf, res->conv);
	} else if (conv_for_address(st, addr, res->conv, &contact) < 0)
		return -1;
	sb_release(&key);
	if (conv_load(st, res->conv, &c) < 0)
		return -1;
	snprintf(res->msgid, sizeof(res->msgid), "%s/%s", res->conv, uniq);
	name = contact ? contact_display(st, contact, addr) :
	    xstrdup(*addr ? addr : "Withheld number");
	outcome = call_outcome(ev, NULL);
	time_rfc2822(ev->date ? ev->date : inbox_now(), date, sizeof(date));
	sb_addf(&h, "X-Inbox-Channel: voice\nX-Inbox-Direction: %s\n"
	    "X-Inbox-Type: call\nX-Inbox-Status: received\n",
	    ev->direction ? ev->direction : "in");
	if (*addr)
		sb_addf(&h, "X-Inbox-Address: %s\n", addr);
	if (msg_header(&h, "X-Inbox-Provider-Id", ev->provider_id) < 0 ||
	    msg_header(&h, "X-Inbox-Call-Status", ev->call_status) < 0)
		goto out;
	sb_addf(&h, "X-Inbox-Call-Outcome: %s\n", outcome);
	if (ev->duration >= 0)
		sb_addf(&h, "X-Inbox-Call-Duration: %ld\n", ev->duration);
	if (msg_header(&h, "X-Inbox-Call-Recording", ev->recording_url) < 0)
		goto out;
	if (ev->recording_duration >= 0)
		sb_addf(&h, "X-Inbox-Call-Recording-Duration: %ld\n",
		    ev->recording_duration);
	if (msg_header(&h, "X-Inbox-Call-Transcript", ev->transcript) < 0)
		goto out;
	sb_addf(&h, "Date: %s\nFrom: ", date);
	/* no "+1555... <+1555...>": a name only when there is one */
	from_header(&h, contact || !*addr ? name : ev->from_name, *addr ?
	    addr : "anonymous");
	sb_addf(&h, "\nMessage-ID: <%s@inbox>\nSubject: call from %s\n"
	    "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n", uniq, *addr ? addr :
	    "a withheld number");
	call_body(&body, ev, outcome, ev->duration, ev->recording_url,
	    ev->recording_duration, ev->transcript);
	sb_add(&h, body.buf, body.len);
	conv_dir(res->conv, dir, sizeof(dir));
	if ((fresh || !already_there(st, res->conv, uniq)) &&
	    store_deliver(st, dir, "new", uniq, h.buf, h.len) < 0)
		goto out;
	set_context(st, &c, contact, NULL);
	if (touch_conv(st, &c, contact, *addr ? addr : NULL, contact ?
	    "customer" : *addr ? "address" : "anon", "voice", ev->date ?
	    ev->date : inbox_now(), res) < 0)
		goto out;
	if (pid_record(st, ev->provider_id, res->msgid) < 0)
		goto out;
	snprintf(res->summary, sizeof(res->summary), "call from %s (%s)",
	    *addr ? addr : "a withheld number", outcome);
	res->changed = 1;
	r = 0;
out:
	sb_release(&h);
	sb_release(&body);
	free(name);
	free(contact);
	conv_free(&c);
	return r;
}

/*
 * The files a message's filing writes (the message, its conversation's
 * state, the provider-id index), recorded for the commit whether or not
 * this run changed them.
 */
static int
track_filed(struct store *st, const struct event *ev, const struct msg *m,
    const struct inbound_result *res)
{
	char dir[64], pid[96];
	struct sb state = SB_INIT;
	int r;

	conv_dir(res->conv, dir, sizeof(dir));
	sb_addf(&state, "%s/state", dir);
	pid_path(ev->provider_id, pid, sizeof(pid));
	r = store_track(st, m->path) < 0 || store_track(st, state.buf) < 0 ||
	    store_track(st, pid) < 0 ? -1 : 0;
	sb_release(&state);
	return r;
}

int
inbound_file(struct store *st, struct event *ev, const char *uniq,
    struct inbound_result *res)
{
	memset(res, 0, sizeof(*res));
	switch (ev->kind) {
	case EV_MESSAGE:
		if (ev->provider_id) {
			char *id = pid_lookup(st, ev->provider_id);
			struct msg m;

			/*
			 * The index is written before the message.  An entry
			 * whose message is missing, or there but never
			 * committed, is a crash's: finish filing that one.
			 */
			if (id && msg_load(&m, st, id) < 0) {
				inbox_error_clear();
				free(id);
				id = NULL;
			} else if (id) {
				struct sb head = SB_INIT;
				int committed = repo_read(st->repo, "HEAD",
				    m.path, &head) == 0;

				sb_release(&head);
				inbox_error_clear();
				if (!committed) {
					int r = file_message(st, ev, m.uniq,
					    0, res);

					/* what the crash left is as the replay
					 * would write it, so nothing was
					 * recorded: commit it as it is */
					if (r == 0)
						r = track_filed(st, ev, &m,
						    res);
					msg_free(&m);
					free(id);
					return r;
				}
				msg_free(&m);
			}
			if (id) {
				res->duplicate = 1;
				snprintf(res->msgid, sizeof(res->msgid), "%s",
				    id);
				memcpy(res->conv, id, strcspn(id, "/") <
				    sizeof(res->conv) ? strcspn(id, "/") :
				    sizeof(res->conv) - 1);
				free(id);
				return 0;
			}
		}
		return file_message(st, ev, uniq, st->bulk, res);
	case EV_STATUS:
		return file_status(st, ev, res);
	case EV_CALL:
		return file_call(st, ev, uniq, st->bulk, res);
	case EV_JOB:
		return inbox_error(INBOX_EDATA, "job events are taken by "
		    "inbox-job");
	}
	return inbox_error(INBOX_EDATA, "unknown event");
}

int
inbound_spool(struct store *st, const char *uniq, const char *buf,
    size_t len, char **path)
{
	struct sb rel = SB_INIT;
	char *dir = store_path(st, INBOUND_SPOOL);
	int r = mkdir_p(dir);

	free(dir);
	sb_addf(&rel, INBOUND_SPOOL "/%s", uniq);
	*path = store_path(st, rel.buf);
	sb_release(&rel);
	return r < 0 ? -1 : write_atomic(*path, buf, len, 0600);
}

const char *
inbound_record(const char **pos, const char *end, int mbox, size_t *len)
{
	while (*pos < end) {
		const char *p = *pos, *next;
		size_t n;

		if (mbox) {
			next = memmem(p + 1, (size_t)(end - p - 1), "\nFrom ",
			    6);
			next = next ? next + 1 : end;
		} else {
			next = memchr(p, '\n', (size_t)(end - p));
			next = next ? next + 1 : end;
		}
		n = (size_t)(next - p);
		if (mbox) {
			/* only the blank line before the next "From ": the
			 * mail keeps its own last newline */
			if (n >= 2 && p[n - 1] == '\n' && p[n - 2] == '\n')
				n--;
			if (n == 1 && *p == '\n')
				n = 0;
		} else
			while (n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
				n--;
		*pos = next;
		if (n) {
			*len = n;
			return p;
		}
	}
	return NULL;
}
