/*
 * outbox.c - compose, queue and deliver outbound messages.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conv.h"
#include "fault.h"
#include "hook.h"
#include "hours.h"
#include "job.h"
#include "inbound.h"
#include "mime.h"
#include "msg.h"
#include "outbox.h"
#include "perm.h"
#include "phone.h"
#include "policy.h"
#include "sms.h"
#include "staff.h"
#include "sync.h"
#include "template.h"
#include "transport.h"

#define STALE_SENDING (15 * 60)

struct target {
	char conv[CONV_ID_LEN + 1];
	struct conv c;
	struct kv contact;
	char *contact_id;
	char *seed_addr;	/* the address given as the target */
};

static void
target_free(struct target *t)
{
	conv_free(&t->c);
	kv_free(&t->contact);
	free(t->contact_id);
	free(t->seed_addr);
}

/*
 * Team threads never leave through a transport: "team" is the common
 * thread of all staff, "@LOGIN" the direct thread with one colleague.
 */
static int
team_target(struct store *st, const char *arg, struct target *t)
{
	struct sb key = SB_INIT, name = SB_INIT;
	const char *other = arg[0] == '@' ? arg + 1 : NULL;
	char iso[32];
	int r = 0;

	if (other) {
		const char *a = strcmp(st->user, other) < 0 ? st->user : other;
		const char *b = a == st->user ? other : st->user;

		if (staff_check(st, other) < 0)
			return -1;
		if (!strcmp(other, st->user))
			return inbox_error(INBOX_EUSAGE, "a direct thread "
			    "needs another member of staff");
		sb_addf(&key, "team:%s+%s", a, b);
		sb_addf(&name, "%s, %s", a, b);
	} else {
		sb_adds(&key, "team:all");
		sb_adds(&name, "Team");
	}
	conv_id(key.buf, t->conv);
	if (conv_load(st, t->conv, &t->c) < 0)
		r = -1;
	else if (!t->c.exists) {
		time_iso(inbox_now(), iso, sizeof(iso));
		kv_set(&t->c.st, "kind", "team");
		kv_set(&t->c.st, "name", name.buf);
		kv_set(&t->c.st, "status", "open");
		kv_set(&t->c.st, "created", iso);
		kv_add(&t->c.st, "member", st->user);
		if (other)
			kv_add(&t->c.st, "member", other);
	}
	if (r == 0 && !other) {
		char **v;
		size_t n;

		/* the common thread holds everyone on the staff list */
		staff_list(st, &v, &n);
		for (size_t i = 0; i < n; i++)
			kv_add(&t->c.st, "member", v[i]);
		strv_free(v, n);
		kv_add(&t->c.st, "member", st->user);
	}
	sb_release(&key);
	sb_release(&name);
	return r;
}

static int
resolve(struct store *st, const char *arg, struct target *t)
{
	char addr[320];
	struct sb key = SB_INIT;

	memset(t, 0, sizeof(*t));
	if (!strcmp(arg, "team") || arg[0] == '@')
		return team_target(st, arg, t);
	if (conv_resolve(st, arg, t->conv) == 0)
		goto load;
	if (inbox_errcode() == INBOX_EUSAGE && !strchr(arg, '@') &&
	    strspn(arg, "0123456789abcdef") == strlen(arg))
		return -1;	/* an ambiguous conversation prefix */
	inbox_error_clear();
	if (name_valid(arg) && contact_load(st, arg, &t->contact) == 0) {
		sb_addf(&key, "contact:%s", arg);
		conv_id(key.buf, t->conv);
		sb_release(&key);
		t->contact_id = xstrdup(arg);
		return conv_load(st, t->conv, &t->c);
	}
	kv_free(&t->contact);
	inbox_error_clear();
	if (addr_normalize(st, arg, addr, sizeof(addr)) < 0)
		return inbox_error(INBOX_EUSAGE, "unknown target '%s': not a "
		    "conversation, contact, phone number or email address",
		    arg);
	if (conv_for_address(st, addr, t->conv, &t->contact_id) < 0)
		return -1;
	t->seed_addr = xstrdup(addr);
load:
	if (conv_load(st, t->conv, &t->c) < 0)
		return -1;
	if (!t->contact_id && kv_get(&t->c.st, "contact"))
		t->contact_id = xstrdup(kv_get(&t->c.st, "contact"));
	if (t->contact_id && contact_load(st, t->contact_id,
	    &t->contact) < 0)
		inbox_error_clear();
	return 0;
}

static int
phone_ok_for_sms(struct store *st, const char *addr)
{
	struct kv a = KV_INIT;
	int ok = 1;

	if (addr_load(st, addr, &a) == 0)
		ok = !kv_get(&a, "sms-unreachable");
	kv_free(&a);
	return ok;
}

/* The first phone (or email) among the contact's and the conversation's
 * addresses, preferring the target given. */
static const char *
first_addr(struct store *st, const struct target *t, int email, int smsok)
{
	const struct kv *lists[2] = { &t->contact, &t->c.st };
	static const char *keys[] = { "phone", "email", "address" };

	if (t->seed_addr && is_email(t->seed_addr) == email &&
	    (!smsok || email || phone_ok_for_sms(st, t->seed_addr)))
		return t->seed_addr;
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < lists[l]->n; i++) {
			const char *k = lists[l]->v[i].key;
			const char *v = lists[l]->v[i].val;

			if (strcmp(k, keys[email]) && strcmp(k, "address"))
				continue;
			if (is_email(v) != email)
				continue;
			if (smsok && !email && !phone_ok_for_sms(st, v))
				continue;
			return v;
		}
	return NULL;
}

static const char *
pick_channel(struct store *st, const struct send_opts *o,
    const struct target *t)
{
	const char *last = kv_get(&t->c.st, "channel");

	if (o->channel)
		return o->channel;
	/* an email address given as the target is written to by email, a
	 * number never is */
	if (t->seed_addr && is_email(t->seed_addr))
		return "email";
	if (t->seed_addr && last && (!strcmp(last, "email") ||
	    !strcmp(last, "portal")))
		return "sms";
	if (last && strcmp(last, "voice") && strcmp(last, "note") &&
	    strcmp(last, "mms"))
		return last;
	if (last && !strcmp(last, "mms"))
		return "sms";
	if (first_addr(st, t, 0, 1))
		return "sms";
	if (first_addr(st, t, 1, 0))
		return "email";
	return "sms";
}

static const char *
recipient(struct store *st, const char *channel, const struct target *t)
{
	if (!strcmp(channel, "email"))
		return first_addr(st, t, 1, 0);
	if (!strcmp(channel, "whatsapp") && kv_get(&t->contact, "whatsapp"))
		return kv_get(&t->contact, "whatsapp");
	if (!strcmp(channel, "portal") || !strcmp(channel, "note"))
		return t->contact_id ? t->contact_id :
		    kv_get(&t->c.st, "address");
	return first_addr(st, t, 0, 0);
}

static const char *
business_addr(struct store *st, const char *channel)
{
	struct sb k = SB_INIT;
	const char *v;

	sb_addf(&k, "channels.%s.from", channel);
	v = config_str(st->cfg, k.buf, NULL);
	sb_release(&k);
	if (v)
		return v;
	if (!strcmp(channel, "email"))
		return config_str(st->cfg, "business.email", "inbox@localhost");
	return config_str(st->cfg, "business.phone", "inbox");
}

/* The customer's last email in the thread, for threading headers. */
static void
last_email(struct store *st, const char *conv, char **msgid, char **refs,
    char **subject)
{
	char **paths;
	size_t n;

	*msgid = *refs = *subject = NULL;
	if (conv_messages(st, conv, &paths, &n) < 0)
		return;
	for (size_t i = n; i-- > 0 && !*msgid;) {
		struct msg m;
		const char *ch, *v;

		if (msg_load_path(&m, st, paths[i]) < 0) {
			inbox_error_clear();
			continue;
		}
		ch = msg_get(&m, "X-Inbox-Channel");
		if (ch && !strcmp(ch, "email") &&
		    (v = msg_get(&m, "Message-ID"))) {
			*msgid = xstrdup(v);
			if ((v = msg_get(&m, "References")))
				*refs = xstrdup(v);
			if ((v = msg_get(&m, "Subject")))
				*subject = mail_decode_header(v);
		}
		msg_free(&m);
	}
	strv_free(paths, n);
}

static int
read_attachment(struct store *st, const char *channel, const char *path,
    struct sb *data)
{
	struct sb k = SB_INIT;
	long long max;
	struct stat sbuf;

	sb_addf(&k, "channels.%s.max-attachment", channel);
	max = config_int(st->cfg, k.buf, !strcmp(channel, "email") ?
	    10 << 20 : 5 << 20);
	sb_release(&k);
	if (stat(path, &sbuf) < 0)
		return inbox_error(INBOX_EDATA, "attachment %s:", path);
	if (!S_ISREG(sbuf.st_mode))
		return inbox_error(INBOX_EDATA, "attachment %s is not a file",
		    path);
	if ((long long)sbuf.st_size > max)
		return inbox_error(INBOX_EDATA, "attachment %s is %lld bytes, "
		    "over the %lld allowed for %s", path,
		    (long long)sbuf.st_size, max, channel);
	return sb_read_file(data, path, (size_t)max);
}

static int
is_url(const char *s)
{
	return str_startswith(s, "https://") || str_startswith(s, "http://");
}

static void
addr_header(struct sb *h, const char *field, const char *name,
    const char *addr)
{
	if (name && *name) {
		char *enc = mail_encode_header(name);

		if (strpbrk(enc, ",;:<>@\"()[]\\.") && !str_startswith(enc,
		    "=?"))
			sb_addf(h, "%s: \"%s\" <%s>\n", field, enc, addr);
		else
			sb_addf(h, "%s: %s <%s>\n", field, enc, addr);
		free(enc);
	} else
		sb_addf(h, "%s: <%s>\n", field, addr);
}

struct compose {
	const char *channel, *to, *type, *text, *subject, *job, *tmpl;
	const char *status;
	time_t at;
	const char *const *attach;
	size_t natt;
	int segments;
	const struct kv *wa;	/* WhatsApp template headers, or NULL */
	const char *mentions;	/* staff logins mentioned */
};

static int
compose(struct store *st, const struct target *t, const struct compose *c,
    const char *uniq, struct sb *out)
{
	char date[64], iso[32];
	const char *domain = config_str(st->cfg, "business.domain", "inbox");
	char *name = contact_display(st, t->contact_id, c->to);
	char *irt = NULL, *refs = NULL, *subj = NULL;
	struct mail_attachment *att = NULL;
	struct sb *data = NULL;
	size_t natt = 0;
	int r = -1;

	time_rfc2822(inbox_now(), date, sizeof(date));
	sb_addf(out, "X-Inbox-Channel: %s\nX-Inbox-Direction: out\n"
	    "X-Inbox-Type: %s\nX-Inbox-Status: %s\n", c->channel, c->type,
	    c->status);
	if (msg_header(out, "X-Inbox-Address", c->to) < 0 ||
	    msg_header(out, "X-Inbox-Author", st->user) < 0 ||
	    msg_header(out, "X-Inbox-Job", c->job) < 0 ||
	    msg_header(out, "X-Inbox-Template", c->tmpl) < 0)
		goto out;
	if (c->segments)
		sb_addf(out, "X-Inbox-Segments: %d\n", c->segments);
	if (c->mentions && *c->mentions)
		sb_addf(out, "X-Inbox-Mentions: %s\n", c->mentions);
	for (size_t i = 0; c->wa && i < c->wa->n; i++)
		if (msg_header(out, c->wa->v[i].key, c->wa->v[i].val) < 0)
			goto out;
	if (c->at) {
		time_iso(c->at, iso, sizeof(iso));
		sb_addf(out, "X-Inbox-Send-After: %s\n", iso);
	}
	sb_addf(out, "Date: %s\n", date);
	addr_header(out, "From", config_str(st->cfg, "business.name", NULL),
	    business_addr(st, c->channel));
	addr_header(out, "To", strcmp(name, c->to) ? name : NULL, c->to);
	sb_addf(out, "Message-ID: <%s@%s>\n", uniq, domain);
	if (!strcmp(c->channel, "email")) {
		last_email(st, t->conv, &irt, &refs, &subj);
		if (irt) {
			sb_addf(out, "In-Reply-To: %s\n", irt);
			sb_addf(out, "References: %s%s%s\n", refs ? refs : "",
			    refs ? " " : "", irt);
		}
		{
			/* a literal "Re: " before the encoded subject: clients
			 * that thread by subject look for it */
			int re = !c->subject && subj && strncasecmp(subj,
			    "Re:", 3);
			char *enc = mail_encode_header(c->subject ? c->subject :
			    subj ? subj : config_str(st->cfg,
			    "channels.email.subject", "Message from us"));

			sb_addf(out, "Subject: %s%s\n", re ? "Re: " : "", enc);
			free(enc);
		}
	}
	/* files become MIME parts; URLs are media links for the transport */
	data = xcalloc(c->natt ? c->natt : 1, sizeof(*data));
	att = xcalloc(c->natt ? c->natt : 1, sizeof(*att));
	for (size_t i = 0; i < c->natt; i++) {
		if (is_url(c->attach[i])) {
			if (msg_header(out, "X-Inbox-Media", c->attach[i]) < 0)
				goto out;
			continue;
		}
		if (read_attachment(st, c->channel, c->attach[i],
		    &data[natt]) < 0)
			goto out;
		att[natt].filename = strrchr(c->attach[i], '/') ?
		    strrchr(c->attach[i], '/') + 1 : c->attach[i];
		att[natt].type = mime_type_of(att[natt].filename);
		att[natt].data = (const unsigned char *)data[natt].buf;
		att[natt].len = data[natt].len;
		natt++;
	}
	mail_build_body(out, c->text, att, natt, uniq);
	if (out->len && out->buf[out->len - 1] != '\n')
		sb_addc(out, '\n');
	r = 0;
out:
	for (size_t i = 0; data && i < c->natt; i++)
		sb_release(&data[i]);
	free(data);
	free(att);
	free(name);
	free(irt);
	free(refs);
	free(subj);
	return r;
}

static int
queue_path(const char *uniq, char *buf, size_t n)
{
	return snprintf(buf, n, "idx/queue/%s", uniq) < (int)n ? 0 : -1;
}

static int
render_text(struct store *st, const struct send_opts *o,
    const struct target *t, const struct kv *jobvars, char **text,
    char **subject, char **tmpl_name, struct kv *wa)
{
	struct template tp;
	struct kv vars = KV_INIT;
	int r;

	*subject = *tmpl_name = NULL;
	if (!o->template_name) {
		*text = xstrdup(o->text ? o->text : "");
		return 0;
	}
	if (template_load(st, o->template_name, &tp) < 0)
		return -1;
	template_vars(st, t->contact_id, &vars);
	for (size_t i = 0; i < jobvars->n; i++)
		kv_set(&vars, jobvars->v[i].key, jobvars->v[i].val);
	for (size_t i = 0; o->vars && i < o->vars->n; i++)
		kv_set(&vars, o->vars->v[i].key, o->vars->v[i].val);
	r = template_render(tp.name, tp.text, &vars, text);
	if (r == 0 && kv_get(&tp.headers, "Subject"))
		r = template_render(tp.name, kv_get(&tp.headers, "Subject"),
		    &vars, subject);
	if (r == 0)
		*tmpl_name = xstrdup(tp.name);
	/* the provider-approved template for outside the WhatsApp window */
	if (r == 0 && kv_get(&tp.headers, "WhatsApp-Template")) {
		const char *p = kv_get(&tp.headers, "WhatsApp-Params");
		char *names = xstrdup(p ? p : ""), *save = NULL, *w;

		kv_set(wa, "X-Inbox-WA-Template", kv_get(&tp.headers,
		    "WhatsApp-Template"));
		kv_set(wa, "X-Inbox-WA-Language", kv_get(&tp.headers,
		    "WhatsApp-Language") ? kv_get(&tp.headers,
		    "WhatsApp-Language") : "en_US");
		for (w = strtok_r(names, " ,", &save); w && r == 0;
		    w = strtok_r(NULL, " ,", &save)) {
			const char *v = kv_get(&vars, w);

			if (!v)
				r = inbox_error(INBOX_EDATA, "template %s: no "
				    "value for WhatsApp parameter %s", tp.name,
				    w);
			else
				kv_add(wa, "X-Inbox-WA-Param", v);
		}
		free(names);
	}
	kv_free(&vars);
	template_free(&tp);
	return r;
}

/*
 * WhatsApp: free-form text only within 24 hours of the customer's last
 * WhatsApp message; outside it only an approved template.
 */
static int
whatsapp_window(const struct target *t, const struct kv *wa, int *use_tmpl)
{
	const char *last = kv_get(&t->c.st, "last-in.whatsapp");
	time_t lt = 0;
	char when[40];

	*use_tmpl = 0;
	if (last && time_parse(last, "UTC", &lt) == 0 &&
	    inbox_now() - lt < 24 * 3600)
		return 0;
	inbox_error_clear();
	if (kv_get(wa, "X-Inbox-WA-Template")) {
		*use_tmpl = 1;
		return 0;
	}
	if (!lt)
		return inbox_error(INBOX_EPOLICY, "the customer has never "
		    "written on WhatsApp, so only an approved template may "
		    "be sent: use --template with a WhatsApp-Template, or "
		    "--channel sms");
	time_fmt_tz(lt + 24 * 3600, "UTC", "%Y-%m-%d %H:%M", when,
	    sizeof(when));
	return inbox_error(INBOX_EPOLICY, "WhatsApp window closed at %s UTC; "
	    "use --template with an approved template, or --channel sms",
	    when);
}

void
outbox_queued_free(struct send_queued *q)
{
	strv_free(q->ids, q->n);
	memset(q, 0, sizeof(*q));
}

static void split_id(const char *id, char *conv, size_t n,
    const char **uniq);

/*
 * Take back what write_queued wrote for id (CONV/UNIQ) when the send
 * fails before its commit (a full disk, a busy ref): exit 75 then means
 * nothing was queued, and running inbox-send again sends it once.
 */
static void
unwrite(struct store *st, const char *id, int gated)
{
	char conv[16], dir[64];
	const char *uniq;
	struct sb rel = SB_INIT;
	char *a;

	split_id(id, conv, sizeof(conv), &uniq);
	conv_dir(conv, dir, sizeof(dir));
	for (int i = 0; i < 2; i++) {
		sb_reset(&rel);
		if (i == 0)
			sb_addf(&rel, "%s/cur/%s:2,S", dir, uniq);
		else if (gated != 2)
			sb_addf(&rel, "idx/%s/%s", gated == 1 ? "approval" :
			    "queue", uniq);
		else
			break;
		a = store_path(st, rel.buf);
		unlink(a);
		free(a);
		store_track(st, rel.buf);	/* forget it for a commit */
	}
	sb_release(&rel);
}

static int
write_queued(struct store *st, struct target *t, const char *uniq,
    const struct sb *file, int gated, struct send_queued *q)
{
	char dir[64], qp[300];
	struct sb id = SB_INIT, name = SB_INIT;
	int r;

	conv_dir(t->conv, dir, sizeof(dir));
	sb_addf(&name, "%s:2,S", uniq);
	sb_addf(&id, "%s/%s\n", t->conv, uniq);
	if (gated == 1)
		snprintf(qp, sizeof(qp), "idx/approval/%s", uniq);
	else
		queue_path(uniq, qp, sizeof(qp));
	r = store_deliver(st, dir, "cur", name.buf, file->buf, file->len);
	if (r == 0 && gated != 2 &&	/* internal: nothing to deliver */
	    (r = store_put(st, qp, id.buf, id.len)) < 0) {
		sb_setlen(&id, id.len - 1);
		unwrite(st, id.buf, gated);
	}
	sb_release(&name);
	if (r == 0) {
		sb_setlen(&id, id.len - 1);
		q->ids = xrealloc(q->ids, (q->n + 1) * sizeof(char *));
		q->ids[q->n++] = sb_detach(&id, NULL);
	}
	sb_release(&id);
	return r;
}

/*
 * Who may send by hand: staff with customers.chat (for a customer's
 * thread) who can see the conversation, and messages.send (or, with
 * only messages.send_gated, into the approval queue: *gated).
 * Automatic messages are the business's own and obey the rules, not a
 * person's role.
 */
static int
check_perms(struct store *st, const struct target *t, int *gated)
{
	struct sb m = SB_INIT;
	const char *kind = kv_get(&t->c.st, "kind");
	int sees;

	*gated = 0;
	if (perm_actor(st) < 0)
		return -1;
	if (kind && strcmp(kind, "team") && perm_require(st,
	    "customers.chat") < 0)
		return -1;
	for (size_t i = 0; i < t->c.st.n; i++)
		if (!strcmp(t->c.st.v[i].key, "member"))
			sb_addf(&m, "%s ", t->c.st.v[i].val);
	sees = !t->c.exists || perm_sees(st, m.buf,
	    kv_get(&t->c.st, "assignee"));
	sb_release(&m);
	if (!sees)
		return inbox_error(INBOX_EPOLICY, "%s may not write in %s "
		    "(not a member)", st->user, t->conv);
	if (perm_has(st, st->user, "messages.send"))
		return 0;
	if (perm_has(st, st->user, "messages.send_gated")) {
		*gated = 1;
		return 0;
	}
	return inbox_error(INBOX_EPOLICY, "%s may not send messages (needs "
	    "messages.send)", st->user);
}

/*
 * @login in a message mentions a member of staff: they join the thread
 * when they may be in it (any staff in a team thread; staff allowed to
 * talk to customers in a customer's thread).  The logins go to out.
 */
static void
mention(struct store *st, struct target *t, const char *text, int internal,
    char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (const char *p = text; (p = strchr(p, '@'));) {
		char login[64];
		size_t k = 0;

		if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '.')) {
			p++;	/* an email address, not a mention */
			continue;
		}
		p++;
		while (k < sizeof(login) - 1 && (isalnum((unsigned char)p[k]) ||
		    p[k] == '-' || p[k] == '_'))
			login[k] = p[k], k++;
		login[k] = '\0';
		p += k;
		if (!k || !staff_configured(st) || !staff_known(st, login) ||
		    strstr(out, login))
			continue;
		if (!internal && !perm_has(st, login, "customers.chat"))
			continue;
		kv_add(&t->c.st, "member", login);
		len += (size_t)snprintf(out + len, n - len, "%s%s",
		    len ? " " : "", login);
		if (len >= n)
			break;
	}
}

static int
is_automatic(const struct send_opts *o)
{
	const char *t = o->type;

	return o->automatic || (t && strcmp(t, "manual") &&
	    strcmp(t, "reply") && strcmp(t, "note"));
}

/*
 * The same automatic type for the same job goes out once per revision of
 * the job (a reschedule earns new ones); on-my-way at most once per 15
 * minutes.  Returns 1 and the earlier message in prev when it went out.
 */
static int
already_sent(const struct kv *job, const char *type, char *prev, size_t n)
{
	struct sb key = SB_INIT;
	const char *v;
	long long rev = 0;
	char when[40] = "", msg[200] = "";
	time_t t;
	int dup = 0;

	sb_addf(&key, "sent.%s", type);
	v = kv_get(job, key.buf);
	sb_release(&key);
	if (!v || sscanf(v, "%lld %39s %199s", &rev, when, msg) < 2)
		return 0;
	if (!strcmp(type, "on-my-way"))
		dup = time_parse(when, "UTC", &t) == 0 &&
		    inbox_now() - t < 15 * 60;
	else
		dup = rev == kv_get_int(job, "rev", 0);
	inbox_error_clear();
	if (dup)
		snprintf(prev, n, "%s", msg);
	return dup;
}

static int
note_sent(struct store *st, const char *jobid, struct kv *job,
    const char *type, const char *msgid)
{
	struct sb key = SB_INIT, val = SB_INIT;
	char iso[32];
	int r;

	time_iso(inbox_now(), iso, sizeof(iso));
	sb_addf(&key, "sent.%s", type);
	sb_addf(&val, "%lld %s %s", kv_get_int(job, "rev", 0), iso, msgid);
	kv_set(job, key.buf, val.buf);
	r = job_save(st, jobid, job);
	sb_release(&key);
	sb_release(&val);
	return r;
}

static int queue_one(struct store *, const struct send_opts *,
    struct send_queued *, struct sb *);

/*
 * A maintenance-request thread is shared with its tenant and its service
 * pro: a message to it goes to each participant, filed in the thread.
 */
int
outbox_queue(struct store *st, const struct send_opts *o,
    struct send_queued *q, struct sb *dry)
{
	char id[CONV_ID_LEN + 1];
	struct conv c;
	struct send_queued part;
	int r = 0, any = 0;

	if (o->into || conv_resolve(st, o->target, id) < 0) {
		inbox_error_clear();
		return queue_one(st, o, q, dry);
	}
	if (conv_load(st, id, &c) < 0)
		return -1;
	if (!kv_has(&c.st, "kind", "maintenance") || o->note) {
		conv_free(&c);
		return queue_one(st, o, q, dry);
	}
	memset(q, 0, sizeof(*q));
	/* every participant's copy is checked first, as a dry run: the
	 * rules refuse the message to all or to none, never half of it */
	for (size_t i = 0; !dry && i < c.st.n && r == 0; i++) {
		struct send_opts po = *o;
		struct sb scratch = SB_INIT;

		if (strcmp(c.st.v[i].key, "participant"))
			continue;
		po.target = c.st.v[i].val;
		po.into = id;
		r = queue_one(st, &po, &part, &scratch);
		outbox_queued_free(&part);
		sb_release(&scratch);
	}
	for (size_t i = 0; i < c.st.n && r == 0; i++) {
		struct send_opts po = *o;

		if (strcmp(c.st.v[i].key, "participant"))
			continue;
		po.target = c.st.v[i].val;
		po.into = id;
		r = queue_one(st, &po, &part, dry);
		if (r < 0)
			break;
		any = 1;
		for (size_t k = 0; k < part.n; k++) {
			q->ids = xrealloc(q->ids, (q->n + 1) * sizeof(char *));
			q->ids[q->n++] = xstrdup(part.ids[k]);
		}
		memcpy(q->conv, id, sizeof(id));
		snprintf(q->channel, sizeof(q->channel), "%s", part.channel);
		outbox_queued_free(&part);
	}
	conv_free(&c);
	if (r == 0 && !any)
		r = inbox_error(INBOX_EUSAGE, "maintenance thread %s has no "
		    "participants", id);
	return r;
}

static int
queue_one(struct store *st, const struct send_opts *o,
    struct send_queued *q, struct sb *dry)
{
	struct kv job = KV_INIT, jobvars = KV_INIT, wa = KV_INIT;
	time_t held = 0, window = 0;
	int use_tmpl = 0, gated = 0;
	struct target t;
	struct compose c = { 0 };
	struct send_check chk = { 0 };
	char *text = NULL, *subject = NULL, *tmpl = NULL, **parts = NULL;
	char *own_ch = NULL, *own_to = NULL;
	char iso[32];
	int nparts = 1, r = -1, internal = 0;
	struct sms_info si;

	memset(q, 0, sizeof(*q));
	if (resolve(st, o->target, &t) < 0)
		return -1;
	if (o->into) {
		/* addressed as the participant, on the channel and address of
		 * their own thread (never another participant's), filed in
		 * the shared thread */
		const char *to;

		own_ch = xstrdup(pick_channel(st, o, &t));
		to = recipient(st, own_ch, &t);
		own_to = to ? xstrdup(to) : NULL;
		conv_free(&t.c);
		memcpy(t.conv, o->into, strlen(o->into) + 1);
		if (conv_load(st, t.conv, &t.c) < 0) {
			target_free(&t);
			free(own_ch);
			free(own_to);
			return -1;
		}
	}
	snprintf(q->conv, sizeof(q->conv), "%s", t.conv);
	internal = o->note || kv_has(&t.c.st, "kind", "team");
	if (!is_automatic(o) && check_perms(st, &t, &gated) < 0)
		goto out;
	if (internal) {
		/* notes and team messages are the staff's, never sent */
		gated = 0;
		c.channel = o->note ? "note" : "team";
		c.to = t.conv;
	} else if (o->into) {
		c.channel = own_ch;
		c.to = own_to;
	} else {
		c.channel = pick_channel(st, o, &t);
		c.to = recipient(st, c.channel, &t);
	}
	if (!c.to) {
		inbox_error(INBOX_EUSAGE, "%s has no %s address", o->target,
		    !strcmp(c.channel, "email") ? "email" : "phone");
		goto out;
	}
	if (o->job) {
		if (job_load(st, o->job, &job) < 0)
			goto out;
		job_vars(st, &job, o->job, &jobvars);
	}
	chk.type = o->type ? o->type : "manual";
	if (is_automatic(o) && o->job && already_sent(&job, chk.type,
	    q->duplicate, sizeof(q->duplicate))) {
		r = 0;
		goto out;
	}
	if (is_automatic(o) && !strcmp(chk.type, "after-hours")) {
		const char *last = kv_get(&t.c.st, "after-hours");
		time_t lt;

		window = hours_open(st, inbox_now()) ? inbox_now() :
		    hours_closed_since(st, inbox_now());
		if (last && time_parse(last, "UTC", &lt) == 0 &&
		    lt >= window) {
			snprintf(q->duplicate, sizeof(q->duplicate),
			    "after-hours reply of %s", last);
			r = 0;
			goto out;
		}
		inbox_error_clear();
	}
	if (render_text(st, o, &t, &jobvars, &text, &subject, &tmpl,
	    &wa) < 0)
		goto out;
	if (!internal && !strcmp(c.channel, "whatsapp") &&
	    whatsapp_window(&t, &wa, &use_tmpl) < 0)
		goto out;
	if (use_tmpl)
		c.wa = &wa;
	if (!*str_trim(text) && !o->natt) {
		inbox_error(INBOX_EDATA, "empty message");
		goto out;
	}
	if (!utf8_valid(text, strlen(text))) {
		inbox_error(INBOX_EDATA, "message is not UTF-8");
		goto out;
	}
	chk.conv = t.conv;
	chk.channel = c.channel;
	chk.address = c.to;
	chk.text = text;
	chk.automatic = o->automatic;
	if (!internal && (policy_check(st, &chk) < 0 ||
	    policy_length(st, &chk, o->split) < 0))
		goto out;
	mention(st, &t, text, kv_has(&t.c.st, "kind", "team"), q->mentions,
	    sizeof(q->mentions));
	c.mentions = q->mentions;
	c.type = chk.type;
	c.subject = subject;
	c.job = o->job;
	c.tmpl = tmpl;
	c.at = o->at > inbox_now() ? o->at : 0;
	/* automatic messages wait for the customer's sending window, except
	 * replies to a customer who has just written */
	if (!internal && is_automatic(o) && strcmp(c.type, "after-hours") &&
	    strcmp(c.type, "help") && strcmp(c.type, "stop-confirmation") &&
	    !quiet_ok(st, t.contact_id, c.type,
	    c.at ? c.at : inbox_now(), &held))
		c.at = held;
	c.status = internal ? (o->note ? "note" : "delivered") :
	    gated ? "pending_approval" : c.at ? "scheduled" : "queued";
	c.attach = o->attach;
	c.natt = o->natt;
	if (o->split && !strcmp(c.channel, "sms")) {
		long long lim = config_int(st->cfg, "channels.sms.limit", 0);

		if (lim > 0)
			nparts = sms_split(text, (size_t)lim, &parts);
	}
	snprintf(q->conv, sizeof(q->conv), "%s", t.conv);
	snprintf(q->channel, sizeof(q->channel), "%s", c.channel);
	snprintf(q->address, sizeof(q->address), "%s", c.to);
	if (!dry && store_lock(st) < 0)
		goto out;
	for (int i = 0; i < nparts; i++) {
		struct sb file = SB_INIT;
		char uniq[256];

		c.text = parts ? parts[i] : text;
		if (!strcmp(c.channel, "sms") || !strcmp(c.channel, "mms") ||
		    !strcmp(c.channel, "whatsapp")) {
			sms_analyse(c.text, strlen(c.text), &si);
			c.segments = si.segments;
			q->segments += si.segments;
		}
		unique_name(uniq, sizeof(uniq));
		if (compose(st, &t, &c, uniq, &file) < 0) {
			sb_release(&file);
			goto out;
		}
		if (dry) {
			sb_add(dry, file.buf, file.len);
			sb_release(&file);
			continue;
		}
		if (write_queued(st, &t, uniq, &file, internal ? 2 : gated,
		    q) < 0) {
			sb_release(&file);
			goto out;
		}
		sb_release(&file);
	}
	if (dry) {
		r = 0;
		goto out;
	}
	/* a new message to the customer brings the thread back; a new team
	 * thread was set up by team_target() */
	if (!t.c.exists && !kv_get(&t.c.st, "kind")) {
		kv_set(&t.c.st, "kind", t.contact_id ? "customer" : "address");
		if (t.contact_id)
			kv_set(&t.c.st, "contact", t.contact_id);
		time_iso(inbox_now(), iso, sizeof(iso));
		kv_set(&t.c.st, "status", "open");
		kv_set(&t.c.st, "created", iso);
	}
	if (!internal && (!t.contact_id || is_email(c.to) ||
	    phone_is_e164(c.to)))
		kv_add(&t.c.st, "address", c.to);
	kv_del(&t.c.st, "archived", NULL);
	if (kv_has(&t.c.st, "status", "closed"))
		kv_set(&t.c.st, "status", "open");
	if (window) {
		time_iso(inbox_now(), iso, sizeof(iso));
		kv_set(&t.c.st, "after-hours", iso);
	}
	if (conv_save(st, &t.c) < 0)
		goto out;
	if (o->job && is_automatic(o) && q->n && note_sent(st, o->job, &job,
	    c.type, q->ids[0]) < 0)
		goto out;
	if (o->job)
		store_trailer(st, "Job", o->job);
	store_trailer(st, "Conversation", t.conv);
	for (size_t i = 0; i < q->n; i++)
		store_trailer(st, "Message", q->ids[i]);
	if (internal)
		r = store_commit(st, "%s in %s%s%s", o->note ? "note" :
		    "team message", t.conv, *q->mentions ? ", mentioning " :
		    "", q->mentions) < 0 ? -1 : 0;
	else
		r = store_commit(st, "%s %s to %s (%s)", gated ?
		    "hold for approval" : c.at ? "schedule" : "queue",
		    c.channel, c.to, c.type) < 0 ? -1 : 0;
	q->gated = gated;
	q->internal = internal;
out:
	if (r < 0 && !dry) {
		for (size_t i = 0; i < q->n; i++) {
			unwrite(st, q->ids[i], internal ? 2 : gated);
			free(q->ids[i]);
		}
		q->n = 0;
	}
	if (parts) {
		for (int i = 0; i < nparts; i++)
			free(parts[i]);
		free(parts);
	}
	free(text);
	free(subject);
	free(tmpl);
	kv_free(&job);
	kv_free(&jobvars);
	kv_free(&wa);
	target_free(&t);
	free(own_ch);
	free(own_to);
	if (!dry)
		store_unlock(st);
	return r;
}

/* --- delivery -------------------------------------------------------- */

static void
split_id(const char *id, char *conv, size_t n, const char **uniq)
{
	size_t k = strcspn(id, "/");

	snprintf(conv, n, "%.*s", (int)k, id);
	*uniq = id[k] ? id + k + 1 : id + k;
}

static int
dequeue(struct store *st, const char *id)
{
	char conv[16], qp[300];
	const char *uniq;

	split_id(id, conv, sizeof(conv), &uniq);
	queue_path(uniq, qp, sizeof(qp));
	{
		char *p = store_path(st, qp);
		int exists = path_exists(p);

		free(p);
		if (!exists)
			return 0;
	}
	return store_remove(st, qp);
}

static long
backoff(struct store *st, int tries, long retry_after)
{
	long base = (long)config_int(st->cfg, "send.backoff", 60);
	long d = base;

	for (int i = 1; i < tries && d < 86400; i++)
		d *= 2;
	return retry_after > d ? retry_after : d;
}

/* Record what the provider's refusal says about the address. */
static int
mark_address(struct store *st, const char *addr, const struct send_result *r,
    const char *id)
{
	struct kv a = KV_INIT;
	char iso[32], why[320];
	int rr;

	if (!r->optout && !r->unreachable)
		return 0;
	rr = addr_load(st, addr, &a);
	if (rr < 0)
		return -1;
	time_iso(inbox_now(), iso, sizeof(iso));
	snprintf(why, sizeof(why), "%s %s (%s)", r->code, r->text, iso);
	if (r->optout && !kv_get(&a, "optout")) {
		kv_set(&a, "optout", iso);
		kv_set(&a, "optout-keyword", "provider");
		kv_set(&a, "optout-message", id);
	}
	if (r->unreachable)
		kv_set(&a, "sms-unreachable", why);
	rr = addr_save(st, addr, &a);
	kv_free(&a);
	return rr;
}

static int
record_result(struct store *st, struct msg *m, const char *id,
    const struct send_result *res, struct send_report *rep)
{
	const char *names[7] = { "X-Inbox-Status", "X-Inbox-Provider-Id",
	    "X-Inbox-Error", "X-Inbox-Tries", "X-Inbox-Next-Try",
	    "X-Inbox-Sending", "X-Inbox-Status-Time" };
	const char *vals[7] = { NULL };
	char tries[16], next[32], err[320], now[32];
	int t;
	const char *addr = msg_get(m, "X-Inbox-Address");
	const char *chan = msg_get(m, "X-Inbox-Channel");
	char *address = addr ? xstrdup(addr) : NULL;
	char *ch = chan ? xstrdup(chan) : NULL;
	int r = 0;

	t = msg_get(m, "X-Inbox-Tries") ? atoi(msg_get(m, "X-Inbox-Tries")) :
	    0;
	t++;
	snprintf(tries, sizeof(tries), "%d", t);
	time_iso(inbox_now(), now, sizeof(now));
	snprintf(err, sizeof(err), "%s%s%s", res->code, *res->code &&
	    *res->text ? " " : "", res->text);
	vals[3] = tries;
	vals[6] = now;
	switch (res->outcome) {
	case SEND_OK:
		vals[0] = *res->status ? res->status : "sent";
		vals[1] = *res->provider_id ? res->provider_id : NULL;
		break;
	case SEND_TEMP:
		if (t >= config_int(st->cfg, "send.tries", 5)) {
			vals[0] = "failed";
			vals[2] = err;
			break;
		}
		vals[0] = "queued";
		vals[2] = err;
		rep->next_try = inbox_now() + backoff(st, t,
		    res->retry_after);
		time_iso(rep->next_try, next, sizeof(next));
		vals[4] = next;
		break;
	case SEND_PERM:
		vals[0] = "failed";
		vals[2] = err;
		break;
	}
	if (msg_set_headers(m, st, names, vals, 7) < 0)
		r = -1;
	if (r == 0 && res->outcome == SEND_OK && *res->provider_id)
		r = pid_record(st, res->provider_id, id);
	if (r == 0 && strcmp(vals[0], "queued"))
		r = dequeue(st, id);
	if (r == 0 && res->outcome == SEND_PERM && address)
		r = mark_address(st, address, res, id);
	snprintf(rep->status, sizeof(rep->status), "%s", vals[0]);
	snprintf(rep->error, sizeof(rep->error), "%s", vals[2] ? err : "");
	snprintf(rep->provider_id, sizeof(rep->provider_id), "%s",
	    res->provider_id);
	if (r == 0) {
		store_trailer(st, "Message", id);
		if (*res->provider_id)
			store_trailer(st, "Provider-Id", res->provider_id);
		if (vals[2])
			store_trailer(st, "Error", err);
		r = store_commit(st, "%s %s to %s%s%s", vals[0], ch ? ch : "",
		    address ? address : "", vals[2] ? ": " : "", vals[2] ?
		    err : "") < 0 ? -1 : 0;
	}
	free(address);
	free(ch);
	return r;
}

static int
fail_now(struct store *st, struct msg *m, const char *id,
    const char *status, const char *why, struct send_report *rep)
{
	const char *names[3] = { "X-Inbox-Status", "X-Inbox-Error",
	    "X-Inbox-Sending" };
	const char *vals[3] = { status, why, NULL };

	if (msg_set_headers(m, st, names, vals, 3) < 0 || dequeue(st, id) < 0)
		return -1;
	snprintf(rep->status, sizeof(rep->status), "%s", status);
	snprintf(rep->error, sizeof(rep->error), "%s", why);
	store_trailer(st, "Message", id);
	store_trailer(st, "Reason", why);
	return store_commit(st, "%s %s: %s", status, id, why) < 0 ? -1 : 0;
}

/*
 * An automatic message about a job that waited (quiet hours) and no longer
 * fits it: the job was canceled, is done, was rescheduled (a newer message
 * replaces it), or, for a reminder, has started.  The reason, or NULL.
 */
static const char *
job_stale(struct store *st, const char *jobid, const char *type,
    const char *id)
{
	struct kv j = KV_INIT;
	struct sb key = SB_INIT;
	const char *at, *s, *sent;
	const char *why = NULL;
	time_t t;

	if (job_load(st, jobid, &j) < 0) {
		inbox_error_clear();
		kv_free(&j);
		return NULL;
	}
	s = kv_get(&j, "status");
	sb_addf(&key, "sent.%s", type);
	sent = kv_get(&j, key.buf);
	if (s && !strcmp(s, "canceled"))
		why = "the job was canceled";
	else if (s && !strcmp(s, "done") && (!strcmp(type, "reminder") ||
	    !strcmp(type, "confirmation") || !strcmp(type, "on-my-way")))
		why = "the job is done";
	else if (sent && (!strstr(sent, id) || atoll(sent) !=
	    kv_get_int(&j, "rev", 0)))
		why = "the job changed since it was written";
	else if (!strcmp(type, "reminder") && (at = kv_get(&j, "at")) &&
	    time_parse(at, "UTC", &t) == 0 && t <= inbox_now())
		why = "the job had already started";
	inbox_error_clear();
	sb_release(&key);
	kv_free(&j);
	return why;
}

/* Build the transport's view of a stored message. */
static void
outmsg_of(struct msg *m, const char *id, char **text, struct outmsg *o,
    struct out_attachment *att, size_t *natt, const char **params)
{
	memset(o, 0, sizeof(*o));
	o->id = id;
	o->channel = msg_get(m, "X-Inbox-Channel");
	o->to = msg_get(m, "X-Inbox-Address");
	o->type = msg_get(m, "X-Inbox-Type");
	o->author = msg_get(m, "X-Inbox-Author");
	*text = msg_text(m);
	/* the file's body ends in a newline the sender never typed */
	for (size_t n = strlen(*text); n > 0 && (*text)[n - 1] == '\n'; n--)
		(*text)[n - 1] = '\0';
	o->text = *text;
	o->raw = m->raw.buf;
	o->rawlen = m->raw.len;
	o->subject = msg_get(m, "Subject");
	*natt = 0;
	for (size_t i = 0; i < m->mail.nh && *natt < 10; i++)
		if (!strcasecmp(m->mail.h[i].name, "X-Inbox-Media")) {
			att[*natt].url = m->mail.h[i].value;
			(*natt)++;
		}
	o->att = att;
	o->natt = *natt;
	o->template_name = msg_get(m, "X-Inbox-WA-Template");
	o->template_lang = msg_get(m, "X-Inbox-WA-Language");
	for (size_t i = 0; i < m->mail.nh && o->ntemplate_params < 10; i++)
		if (!strcasecmp(m->mail.h[i].name, "X-Inbox-WA-Param"))
			params[o->ntemplate_params++] = m->mail.h[i].value;
	o->template_params = params;
}

/*
 * The store's pre-send hook may refuse a send with a reason (what it
 * prints).  Runs without the store lock: a hook may call other commands.
 * Returns 0 to go on, 1 refused (reason in why), -1 on error.
 */
static int
pre_send(struct store *st, const char *id, char *why, size_t n)
{
	struct msg m;
	struct hook_env e = { 0 };
	struct conv cv = { 0 };
	struct sb out = SB_INIT, env[5];
	const char *extra[6] = { NULL };
	static const char *keys[][2] = { { "INBOX_CHANNEL", "X-Inbox-Channel" },
	    { "INBOX_TO", "X-Inbox-Address" }, { "INBOX_TYPE", "X-Inbox-Type" },
	    { "INBOX_JOB", "X-Inbox-Job" } };
	const char *type;
	char conv[16];
	int status = 0, r;

	if (!hook_exists(st, "pre-send"))
		return 0;
	if (msg_load(&m, st, id) < 0)
		return -1;
	for (int i = 0; i < 5; i++)
		sb_init(&env[i]);
	for (int i = 0; i < 4; i++) {
		const char *v = msg_get(&m, keys[i][1]);

		sb_addf(&env[i], "%s=%s", keys[i][0], v ? v : "");
		extra[i] = env[i].buf;
	}
	type = msg_get(&m, "X-Inbox-Type");
	sb_addf(&env[4], "INBOX_AUTOMATIC=%d", type && strcmp(type,
	    "manual") && strcmp(type, "reply"));
	extra[4] = env[4].buf;
	snprintf(conv, sizeof(conv), "%s", m.conv);
	/* the customer, as every other hook is told */
	if (conv_load(st, conv, &cv) < 0)
		inbox_error_clear();
	e.event = "pre-send";
	e.conv = conv;
	e.customer = kv_get(&cv.st, "contact");
	e.message = id;
	e.extra = extra;
	r = hook_run(st, "pre-send", &e, &status, &out);
	conv_free(&cv);
	sb_rtrim(&out);
	if (!out.len)
		sb_adds(&out, "no reason given");
	snprintf(why, n, "refused by the pre-send hook: %.*s", (int)strcspn(
	    out.buf, "\n"), *out.buf ? out.buf : "no reason given");
	for (int i = 0; i < 5; i++)
		sb_release(&env[i]);
	sb_release(&out);
	msg_free(&m);
	if (r < 0)
		return -1;
	return r == 0 && status != 0;
}

/*
 * A temporary failure before the transport (the lock, a full disk): the
 * message is still queued, and says so, so that nobody sends it again
 * by hand.
 */
static int
stays(const char *id)
{
	char why[512];

	if (inbox_errcode() != INBOX_ETEMP)
		return -1;
	snprintf(why, sizeof(why), "%s", inbox_errmsg());
	return inbox_error(INBOX_ETEMP, "%s stays queued for the next "
	    "flush: %s", id, why);
}

/*
 * The transport took the message but the store could not record it (a
 * full disk): class 2, not 75, which would invite sending it again.  It
 * stays "sending", and a later flush fails it as interrupted; it is
 * never handed over twice.
 */
static int
taken(const char *id, const struct send_result *res)
{
	char why[512];

	snprintf(why, sizeof(why), "%s", inbox_errmsg());
	return inbox_error(INBOX_EFAIL, "%s went out%s%s%s but could not be "
	    "recorded: %s; do not send it again", id, *res->provider_id ?
	    " (" : "", res->provider_id, *res->provider_id ? ")" : "", why);
}

int
outbox_deliver(struct store *st, const char *id, struct send_report *rep)
{
	char refused[300];
	int hooked;

	struct msg m;
	struct send_check chk = { 0 };
	struct send_result res;
	struct outmsg o;
	struct out_attachment att[10];
	const char *status, *v, *params[10];
	char *text = NULL, now[32];
	size_t natt;
	time_t t;
	int r, setup;

	memset(rep, 0, sizeof(*rep));
	snprintf(rep->id, sizeof(rep->id), "%s", id);
	/* only the sending host delivers (inbox-sync(1)): elsewhere a
	 * message waits in the queue until it is synced there */
	if (!sync_may_send(st)) {
		rep->skipped = 1;
		snprintf(rep->status, sizeof(rep->status), "queued");
		return 0;
	}
	hooked = pre_send(st, id, refused, sizeof(refused));
	if (hooked < 0)
		return -1;
	if (store_lock(st) < 0)
		return stays(id);
	if (msg_load(&m, st, id) < 0) {
		store_unlock(st);
		return -1;
	}
	status = msg_get(&m, "X-Inbox-Status");
	if (hooked && status && (!strcmp(status, "queued") ||
	    !strcmp(status, "scheduled"))) {
		r = fail_now(st, &m, id, "refused", refused, rep);
		if (r == 0)
			r = inbox_error(INBOX_EPOLICY, "%s", refused);
		goto done;
	}
	if (status && !strcmp(status, "sending")) {
		/* another flush has it, or one died holding it */
		v = msg_get(&m, "X-Inbox-Sending");
		if (v && time_parse(v, "UTC", &t) == 0 &&
		    inbox_now() - t < STALE_SENDING) {
			rep->skipped = 1;
			snprintf(rep->status, sizeof(rep->status), "sending");
			goto unlock;
		}
		r = fail_now(st, &m, id, "failed", "delivery was interrupted; the "
		    "provider may have it: check before retrying", rep);
		goto done;
	}
	if (!status || (strcmp(status, "queued") && strcmp(status,
	    "scheduled"))) {
		rep->skipped = 1;
		snprintf(rep->status, sizeof(rep->status), "%s",
		    status ? status : "?");
		/* done with, but still listed: a crash came between its
		 * outcome and the dequeue; the queue lets go of it */
		r = dequeue(st, id);
		if (r == 0 && store_pending(st)) {
			store_trailer(st, "Message", id);
			r = store_commit(st, "unqueue %s: %s", id,
			    rep->status) < 0 ? -1 : 0;
		}
		if (r < 0)
			goto done;
		goto unlock;
	}
	if (((v = msg_get(&m, "X-Inbox-Send-After")) ||
	    (v = msg_get(&m, "X-Inbox-Next-Try"))) &&
	    time_parse(v, "UTC", &t) == 0 && t > inbox_now()) {
		rep->skipped = 1;
		rep->next_try = t;
		snprintf(rep->status, sizeof(rep->status), "%s", status);
		goto unlock;
	}
	/* an automatic message the job has moved past is dropped, never
	 * sent late: a reminder after the start, anything after a cancel */
	if ((v = msg_get(&m, "X-Inbox-Type")) && strcmp(v, "manual") &&
	    msg_get(&m, "X-Inbox-Job")) {
		const char *why = job_stale(st, msg_get(&m, "X-Inbox-Job"), v,
		    m.uniq);

		if (why) {
			r = fail_now(st, &m, id, "dropped", why, rep);
			goto done;
		}
	}
	/* the rules are checked again: a STOP may have come in since */
	chk.conv = m.conv;
	chk.channel = msg_get(&m, "X-Inbox-Channel");
	chk.address = msg_get(&m, "X-Inbox-Address");
	chk.type = msg_get(&m, "X-Inbox-Type");
	if (policy_check(st, &chk) < 0) {
		char why[300];

		snprintf(why, sizeof(why), "refused: %s", inbox_errmsg());
		inbox_error_clear();
		r = fail_now(st, &m, id, "failed", why, rep);
		if (r == 0)
			r = inbox_error(INBOX_EPOLICY, "%s", why + 9);
		goto done;
	}
	time_iso(inbox_now(), now, sizeof(now));
	{
		const char *names[2] = { "X-Inbox-Status", "X-Inbox-Sending" };
		const char *vals[2] = { "sending", now };

		if (msg_set_headers(&m, st, names, vals, 2) < 0) {
			r = stays(id);
			goto done;
		}
	}
	store_unlock(st);
	FAULT("before-transport");
	outmsg_of(&m, id, &text, &o, att, &natt, params);
	memset(&res, 0, sizeof(res));
	setup = transport_send(st, &o, &res) < 0;
	if (setup) {
		/* not set up: nothing left; put it back for a later flush */
		snprintf(res.text, sizeof(res.text), "%s", inbox_errmsg());
		res.outcome = SEND_TEMP;
		inbox_error_clear();
	}
	free(text);
	if (store_lock(st) < 0) {
		msg_free(&m);
		return res.outcome == SEND_OK ? taken(id, &res) : -1;
	}
	msg_free(&m);
	if (msg_load(&m, st, id) < 0) {
		store_unlock(st);
		return res.outcome == SEND_OK ? taken(id, &res) : -1;
	}
	r = record_result(st, &m, id, &res, rep);
	if (r < 0 && res.outcome == SEND_OK)
		r = taken(id, &res);
	/* a transport that is not set up is the store's error (class 2),
	 * though the message waits in the queue for a flush */
	if (r == 0 && setup)
		r = inbox_error(INBOX_EFAIL, "%s", res.text);
done:
	msg_free(&m);
	store_unlock(st);
	return r;
unlock:
	msg_free(&m);
	store_unlock(st);
	return 0;
}

static int list_index(struct store *, const char *, char ***, size_t *);

int
outbox_flush(struct store *st, void (*cb)(const struct send_report *,
    void *), void *arg)
{
	char **ids;
	size_t n;
	int worst = 0;

	list_index(st, "idx/queue", &ids, &n);
	/* oldest first: unique names sort by time */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && strcmp(strchr(ids[k - 1], '/'),
		    strchr(ids[k], '/')) > 0; k--) {
			char *tmp = ids[k];

			ids[k] = ids[k - 1];
			ids[k - 1] = tmp;
		}
	for (size_t i = 0; i < n; i++) {
		struct send_report rep;
		int r = outbox_deliver(st, ids[i], &rep);

		if (r < 0) {
			int code = inbox_errcode();

			snprintf(rep.error, sizeof(rep.error), "%s",
			    inbox_errmsg());
			inbox_error_clear();
			if (code == INBOX_ETEMP && worst < INBOX_ETEMP)
				worst = INBOX_ETEMP;
			else if (worst < INBOX_ENOMATCH)
				worst = INBOX_ENOMATCH;
			if (!*rep.status)
				snprintf(rep.status, sizeof(rep.status),
				    "error");
		}
		if (cb)
			cb(&rep, arg);
		free(ids[i]);
	}
	free(ids);
	return worst;
}

int
outbox_retry(struct store *st, const char *id, struct send_report *rep)
{
	struct msg m;
	const char *status;
	const char *names[5] = { "X-Inbox-Status", "X-Inbox-Tries",
	    "X-Inbox-Next-Try", "X-Inbox-Sending", "X-Inbox-Send-After" };
	const char *vals[5] = { "queued", NULL, NULL, NULL, NULL };
	char conv[16], qp[300];
	const char *uniq;
	struct sb line = SB_INIT;
	int r;

	if (store_lock(st) < 0)
		return -1;
	if (msg_load(&m, st, id) < 0) {
		store_unlock(st);
		return -1;
	}
	status = msg_get(&m, "X-Inbox-Status");
	if (!status || (strcmp(status, "failed") && strcmp(status,
	    "undelivered"))) {
		inbox_error(INBOX_EUSAGE, "%s is %s, not failed: nothing to "
		    "retry", id, status ? status : "not an outbound message");
		msg_free(&m);
		store_unlock(st);
		return -1;
	}
	{
		/* a retry obeys the rules first: nothing is queued again for
		 * an address that may not be written to */
		struct send_check chk = { 0 };

		chk.conv = m.conv;
		chk.channel = msg_get(&m, "X-Inbox-Channel");
		chk.address = msg_get(&m, "X-Inbox-Address");
		chk.type = msg_get(&m, "X-Inbox-Type");
		if (chk.channel && policy_check(st, &chk) < 0) {
			msg_free(&m);
			store_unlock(st);
			return -1;
		}
	}
	split_id(id, conv, sizeof(conv), &uniq);
	queue_path(uniq, qp, sizeof(qp));
	sb_addf(&line, "%s\n", id);
	r = msg_set_headers(&m, st, names, vals, 5);
	if (r == 0)
		r = store_put(st, qp, line.buf, line.len);
	sb_release(&line);
	msg_free(&m);
	if (r == 0) {
		store_trailer(st, "Message", id);
		r = store_commit(st, "retry %s", id) < 0 ? -1 : 0;
	}
	store_unlock(st);
	if (r < 0)
		return -1;
	return outbox_deliver(st, id, rep);
}

static int
list_index(struct store *st, const char *dirrel, char ***ids, size_t *n)
{
	char *dir = store_path(st, dirrel);
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;

	free(dir);
	*ids = NULL;
	*n = 0;
	while (d && (e = readdir(d))) {
		struct sb p = SB_INIT, id = SB_INIT;
		char *abs;

		if (e->d_name[0] == '.' || str_endswith(e->d_name, ".lock"))
			continue;
		sb_addf(&p, "%s/%s", dirrel, e->d_name);
		abs = store_path(st, p.buf);
		if (sb_read_file(&id, abs, 4096) == 0) {
			sb_rtrim(&id);
			if (*n == cap) {
				cap = cap ? cap * 2 : 32;
				*ids = xrealloc(*ids, cap * sizeof(char *));
			}
			(*ids)[(*n)++] = sb_detach(&id, NULL);
		}
		inbox_error_clear();
		free(abs);
		sb_release(&p);
		sb_release(&id);
	}
	if (d)
		closedir(d);
	return 0;
}

int
outbox_pending(struct store *st, char ***ids, size_t *n)
{
	return list_index(st, "idx/approval", ids, n);
}

/* Load a message waiting for approval, under the lock. */
static int
load_pending(struct store *st, const char *id, struct msg *m, char *ap,
    size_t n)
{
	char conv[16];
	const char *uniq, *status;

	if (perm_require(st, "messages.approve") < 0 || store_lock(st) < 0)
		return -1;
	if (msg_load(m, st, id) < 0)
		return -1;
	status = msg_get(m, "X-Inbox-Status");
	if (!status || strcmp(status, "pending_approval")) {
		inbox_error(INBOX_EUSAGE, "%s is %s, not waiting for approval",
		    id, status ? status : "not an outbound message");
		msg_free(m);
		return -1;
	}
	split_id(id, conv, sizeof(conv), &uniq);
	snprintf(ap, n, "idx/approval/%s", uniq);
	return 0;
}

int
outbox_approve(struct store *st, const char *id, struct send_report *rep)
{
	struct msg m;
	char ap[300], qp[300], iso[32];
	struct sb by = SB_INIT, line = SB_INIT;
	const char *names[2] = { "X-Inbox-Status", "X-Inbox-Approved-By" };
	const char *vals[2];
	int r;

	if (load_pending(st, id, &m, ap, sizeof(ap)) < 0) {
		store_unlock(st);
		return -1;
	}
	time_iso(inbox_now(), iso, sizeof(iso));
	sb_addf(&by, "%s %s", st->user, iso);
	vals[0] = "queued";
	vals[1] = by.buf;
	queue_path(m.uniq, qp, sizeof(qp));
	sb_addf(&line, "%s\n", id);
	r = msg_set_headers(&m, st, names, vals, 2);
	if (r == 0)
		r = store_remove(st, ap);
	if (r == 0)
		r = store_put(st, qp, line.buf, line.len);
	if (r == 0) {
		store_trailer(st, "Message", id);
		store_trailer(st, "Approved-By", st->user);
		r = store_commit(st, "approve %s", id) < 0 ? -1 : 0;
	}
	sb_release(&by);
	sb_release(&line);
	msg_free(&m);
	store_unlock(st);
	if (r < 0)
		return -1;
	return outbox_deliver(st, id, rep);
}

int
outbox_reject(struct store *st, const char *id, const char *reason)
{
	struct msg m;
	char ap[300];
	struct sb why = SB_INIT;
	const char *names[2] = { "X-Inbox-Status", "X-Inbox-Error" };
	const char *vals[2];
	int r;

	if (!reason || !*reason || !kv_value_ok(reason))
		return inbox_error(INBOX_EUSAGE, "a rejection needs --reason "
		    "TEXT (one line)");
	if (load_pending(st, id, &m, ap, sizeof(ap)) < 0) {
		store_unlock(st);
		return -1;
	}
	sb_addf(&why, "rejected by %s: %s", st->user, reason);
	vals[0] = "rejected";
	vals[1] = why.buf;
	r = msg_set_headers(&m, st, names, vals, 2);
	if (r == 0)
		r = store_remove(st, ap);
	if (r == 0) {
		store_trailer(st, "Message", id);
		store_trailer(st, "Reason", reason);
		r = store_commit(st, "reject %s", id) < 0 ? -1 : 0;
	}
	sb_release(&why);
	msg_free(&m);
	store_unlock(st);
	return r;
}
