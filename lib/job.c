/*
 * job.c - job records.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conv.h"
#include "crypto.h"
#include "job.h"
#include "json.h"
#include "phone.h"
#include "staff.h"
#include "template.h"

int
job_path(const char *job, char *buf, size_t n)
{
	unsigned char h[SHA1_LEN];
	char hex[2 * SHA1_LEN + 1];

	if (!name_valid(job))
		return inbox_error(INBOX_EUSAGE, "'%s' is not a job id", job);
	sha1(job, strlen(job), h);
	hex_encode(h, SHA1_LEN, hex);
	snprintf(buf, n, "jobs/%.2s/%s", hex, job);
	return 0;
}

int
job_load(struct store *st, const char *job, struct kv *kv)
{
	char rel[256];
	int r;

	if (job_path(job, rel, sizeof(rel)) < 0)
		return -1;
	r = store_kv_load(st, rel, kv);
	if (r < 0 && inbox_errcode() == INBOX_ENOMATCH)
		return inbox_error(INBOX_ENOMATCH, "no job %s", job);
	return r;
}

int
job_save(struct store *st, const char *job, struct kv *kv)
{
	char rel[256];
	struct sb s = SB_INIT;
	int r;

	if (job_path(job, rel, sizeof(rel)) < 0)
		return -1;
	kv_format(kv, &s);
	r = store_put(st, rel, s.buf, s.len);
	sb_release(&s);
	return r;
}

int
job_exists(struct store *st, const char *job)
{
	char rel[256], *p;
	int r;

	if (job_path(job, rel, sizeof(rel)) < 0) {
		inbox_error_clear();
		return 0;
	}
	p = store_path(st, rel);
	r = path_exists(p);
	free(p);
	return r;
}

static const char *events[][3] = {
	/* ours, hook, platform names (space separated) */
	{ "schedule", "job-scheduled", "schedule scheduled created booked" },
	{ "reschedule", "job-rescheduled", "reschedule rescheduled moved" },
	{ "enroute", "tech-en-route", "enroute en-route en_route on-my-way "
	    "dispatched" },
	{ "done", "job-done", "done completed complete finished" },
	{ "cancel", "job-canceled", "cancel canceled cancelled deleted" },
	{ "invoice", "invoice-sent", "invoice invoiced invoice-sent "
	    "invoice_sent" },
};

const char *
job_hook(const char *event)
{
	for (size_t i = 0; i < sizeof(events) / sizeof(*events); i++)
		if (!strcmp(events[i][0], event))
			return events[i][1];
	return NULL;
}

const char *
job_event_name(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(events) / sizeof(*events); i++)
		for (const char *p = events[i][2]; *p;) {
			size_t k = strcspn(p, " ");

			if (k == n && !strncasecmp(p, name, n))
				return events[i][0];
			p += k + (p[k] == ' ');
		}
	return NULL;
}

/* The customer's conversation; the contact id or address in who. */
static int
customer_conv(struct store *st, const char *arg, char *conv, char *who,
    size_t n)
{
	char *cid = NULL, addr[320];
	struct sb key = SB_INIT;

	if (contact_find(st, arg, &cid) == 0) {
		sb_addf(&key, "contact:%s", cid);
		snprintf(who, n, "%s", cid);
		free(cid);
	} else {
		inbox_error_clear();
		if (addr_normalize(st, arg, addr, sizeof(addr)) < 0)
			return inbox_error(INBOX_EUSAGE, "unknown customer "
			    "'%s'", arg);
		if (conv_for_address(st, addr, conv, &cid) < 0)
			return -1;
		snprintf(who, n, "%s", cid ? cid : addr);
		free(cid);
		return 0;
	}
	conv_id(key.buf, conv);
	sb_release(&key);
	return 0;
}

static int
open_job(const struct kv *j)
{
	const char *s = kv_get(j, "status");

	return !s || (strcmp(s, "done") && strcmp(s, "canceled"));
}

/* 1 when tech has another open job in the conversation's jobs. */
static int
other_open_job(struct store *st, const struct conv *cv, const char *tech,
    const char *except)
{
	for (size_t i = 0; i < cv->st.n; i++) {
		struct kv j = KV_INIT;
		int hit;

		if (strcmp(cv->st.v[i].key, "job") ||
		    !strcmp(cv->st.v[i].val, except))
			continue;
		if (job_load(st, cv->st.v[i].val, &j) < 0) {
			inbox_error_clear();
			kv_free(&j);
			continue;
		}
		hit = open_job(&j) && kv_has(&j, "tech", tech);
		kv_free(&j);
		if (hit)
			return 1;
	}
	return 0;
}

static int
ensure_state(struct conv *cv, const char *who)
{
	char iso[32];

	if (cv->exists)
		return 0;
	time_iso(inbox_now(), iso, sizeof(iso));
	if (is_email(who) || phone_is_e164(who)) {
		kv_set(&cv->st, "kind", "address");
		kv_add(&cv->st, "address", who);
	} else {
		kv_set(&cv->st, "kind", "customer");
		kv_set(&cv->st, "contact", who);
	}
	kv_set(&cv->st, "status", "open");
	kv_set(&cv->st, "created", iso);
	return 0;
}

/*
 * A job with a tenant and a service pro is a maintenance request: its
 * thread, keyed on the job, is shared with both (maintenance.threads in
 * inbox.yaml turns this off).
 */
static int
maintenance_thread(struct store *st, const struct job_req *q, struct kv *j)
{
	struct sb key = SB_INIT, name = SB_INIT;
	char id[CONV_ID_LEN + 1], iso[32], *sp = NULL;
	struct conv c;
	int r;

	if (!config_bool(st->cfg, "maintenance.threads", 1))
		return 0;
	if (contact_find(st, q->service_pro, &sp) < 0)
		return -1;
	kv_set(j, "service-pro", sp);
	sb_addf(&key, "job:%s", q->job);
	conv_id(key.buf, id);
	if (conv_load(st, id, &c) < 0) {
		free(sp);
		sb_release(&key);
		return -1;
	}
	if (!c.exists) {
		time_iso(inbox_now(), iso, sizeof(iso));
		sb_addf(&name, "Maintenance request %s", q->job);
		kv_set(&c.st, "kind", "maintenance");
		kv_set(&c.st, "name", name.buf);
		kv_set(&c.st, "status", "open");
		kv_set(&c.st, "created", iso);
	}
	if (kv_get(j, "customer"))
		kv_add(&c.st, "participant", kv_get(j, "customer"));
	kv_add(&c.st, "participant", sp);
	kv_add(&c.st, "job", q->job);
	if (kv_get(j, "tech"))
		kv_add(&c.st, "member", kv_get(j, "tech"));
	kv_set(j, "thread", id);
	r = conv_save(st, &c);
	conv_free(&c);
	free(sp);
	sb_release(&key);
	sb_release(&name);
	return r;
}

/*
 * The tech of a job with a maintenance thread is a member of that thread
 * while the job is open, like in the customer's conversation: moved when
 * the tech changes, removed when the job is done or canceled.
 */
static int
maintenance_members(struct store *st, const struct kv *j,
    const char *prev_tech)
{
	const char *id = kv_get(j, "thread"), *tech = kv_get(j, "tech");
	struct conv c;
	int r;

	if (!id || !conv_id_valid(id))
		return 0;
	if (conv_load(st, id, &c) < 0)
		return -1;
	if (!c.exists) {
		conv_free(&c);
		return 0;
	}
	if (prev_tech && (!tech || strcmp(prev_tech, tech) || !open_job(j)))
		kv_del(&c.st, "member", prev_tech);
	if (tech && open_job(j))
		kv_add(&c.st, "member", tech);
	else if (tech)
		kv_del(&c.st, "member", tech);
	r = conv_save(st, &c);
	conv_free(&c);
	return r;
}

int
job_event(struct store *st, const struct job_req *q, struct job_res *res)
{
	struct kv j = KV_INIT;
	struct conv cv;
	char iso[32], at[32];
	const char *status, *old_tech;
	char *prev_tech = NULL;
	int exists, r = -1;

	memset(res, 0, sizeof(*res));
	memset(&cv, 0, sizeof(cv));
	if (!(res->hook = job_hook(q->event)))
		return inbox_error(INBOX_EUSAGE, "unknown job event '%s'",
		    q->event);
	exists = job_load(st, q->job, &j) == 0;
	if (!exists) {
		if (inbox_errcode() != INBOX_ENOMATCH)
			return -1;
		inbox_error_clear();
		if (strcmp(q->event, "schedule")) {
			kv_free(&j);
			return inbox_error(INBOX_ENOMATCH, "no job %s (schedule "
			    "it first)", q->job);
		}
	}
	status = kv_get(&j, "status");
	if (exists && status && (!strcmp(status, "done") ||
	    !strcmp(status, "canceled")) && strcmp(q->event, "invoice")) {
		inbox_error(INBOX_EUSAGE, "job %s is %s", q->job, status);
		goto out;
	}
	if (!strcmp(q->event, "schedule")) {
		if (exists) {
			inbox_error(INBOX_EUSAGE, "job %s is already scheduled "
			    "(use reschedule)", q->job);
			goto out;
		}
		if (!q->customer || !q->at) {
			inbox_error(INBOX_EUSAGE, "schedule needs --customer "
			    "and --at");
			goto out;
		}
		if (customer_conv(st, q->customer, res->conv, res->customer,
		    sizeof(res->customer)) < 0)
			goto out;
		kv_set(&j, "customer", res->customer);
		kv_set(&j, "conversation", res->conv);
	} else {
		snprintf(res->conv, sizeof(res->conv), "%s",
		    kv_get(&j, "conversation") ? kv_get(&j, "conversation") :
		    "");
		snprintf(res->customer, sizeof(res->customer), "%s",
		    kv_get(&j, "customer") ? kv_get(&j, "customer") : "");
	}
	if (q->tech && staff_check(st, q->tech) < 0)
		goto out;
	if (conv_load(st, res->conv, &cv) < 0 ||
	    ensure_state(&cv, res->customer) < 0)
		goto out;
	time_iso(inbox_now(), iso, sizeof(iso));
	old_tech = kv_get(&j, "tech");
	prev_tech = old_tech ? xstrdup(old_tech) : NULL;
	if (q->at) {
		time_iso(q->at, at, sizeof(at));
		kv_set(&j, "at", at);
	}
	if (q->address && kv_set(&j, "address", q->address) < 0)
		goto out;
	if (q->tech)
		kv_set(&j, "tech", q->tech);
	if (!strcmp(q->event, "schedule") || !strcmp(q->event, "reschedule")) {
		char rev[16];

		snprintf(rev, sizeof(rev), "%lld", kv_get_int(&j, "rev", 0) + 1);
		kv_set(&j, "rev", rev);
		kv_set(&j, "status", "scheduled");
		if (!exists)
			kv_set(&j, "created", iso);
	} else if (!strcmp(q->event, "enroute")) {
		kv_set(&j, "status", "en-route");
		if (q->eta >= 0) {
			char eta[16];

			snprintf(eta, sizeof(eta), "%ld", q->eta);
			kv_set(&j, "eta", eta);
		}
	} else if (!strcmp(q->event, "done")) {
		kv_set(&j, "status", "done");
		kv_set(&j, "done", iso);
	} else if (!strcmp(q->event, "cancel")) {
		kv_set(&j, "status", "canceled");
		kv_set(&j, "canceled", iso);
	}
	if (q->invoice_url && kv_set(&j, "invoice-url", q->invoice_url) < 0)
		goto out;
	if (!strcmp(q->event, "invoice") && !kv_get(&j, "invoice-url")) {
		inbox_error(INBOX_EUSAGE, "invoice needs --url");
		goto out;
	}
	kv_set(&j, "updated", iso);
	/* the conversation: linked, and the tech a member while it is open */
	kv_add(&cv.st, "job", q->job);
	if (prev_tech && q->tech && strcmp(prev_tech, q->tech) &&
	    !other_open_job(st, &cv, prev_tech, q->job))
		kv_del(&cv.st, "member", prev_tech);
	if (open_job(&j) && kv_get(&j, "tech"))
		kv_add(&cv.st, "member", kv_get(&j, "tech"));
	if (!open_job(&j) && kv_get(&j, "tech") &&
	    !other_open_job(st, &cv, kv_get(&j, "tech"), q->job) &&
	    !kv_has(&cv.st, "assignee", kv_get(&j, "tech")))
		kv_del(&cv.st, "member", kv_get(&j, "tech"));
	if (q->service_pro && maintenance_thread(st, q, &j) < 0)
		goto out;
	if (!q->service_pro && maintenance_members(st, &j, prev_tech) < 0)
		goto out;
	if (job_save(st, q->job, &j) < 0 || conv_save(st, &cv) < 0)
		goto out;
	store_trailer(st, "Job", q->job);
	store_trailer(st, "Conversation", res->conv);
	if (q->at)
		r = store_commit(st, "%s %s for %s at %s", q->event, q->job,
		    res->customer, at);
	else
		r = store_commit(st, "%s %s", q->event, q->job);
	res->changed = r == 0;
	r = r < 0 ? -1 : 0;
out:
	free(prev_tech);
	kv_free(&j);
	conv_free(&cv);
	return r;
}

int
job_note_hook(struct store *st, const char *job, const char *hook,
    int status)
{
	struct kv j = KV_INIT;
	struct sb v = SB_INIT;
	char iso[32];
	int r;

	if (job_load(st, job, &j) < 0)
		return -1;
	/* drop an earlier failure of the same hook */
	for (size_t i = 0; i < j.n; i++)
		if (!strcmp(j.v[i].key, "hook-failed") &&
		    str_startswith(j.v[i].val, hook) &&
		    j.v[i].val[strlen(hook)] == ' ') {
			kv_del(&j, "hook-failed", j.v[i].val);
			break;
		}
	if (status) {
		time_iso(inbox_now(), iso, sizeof(iso));
		sb_addf(&v, "%s %d %s", hook, status, iso);
		kv_add(&j, "hook-failed", v.buf);
	}
	r = job_save(st, job, &j);
	sb_release(&v);
	kv_free(&j);
	return r;
}

void
job_vars(struct store *st, const struct kv *j, const char *id,
    struct kv *vars)
{
	const char *v;
	time_t t;

	kv_set(vars, "job.id", id);
	if ((v = kv_get(j, "at")) && time_parse(v, "UTC", &t) == 0)
		template_time(st, t, vars, "job");
	inbox_error_clear();
	if ((v = kv_get(j, "address")))
		kv_set(vars, "job.address", v);
	if ((v = kv_get(j, "tech"))) {
		const char *name = staff_field(st, v, "name");
		char *first;

		name = name ? name : v;
		first = xstrndup(name, strcspn(name, " "));
		kv_set(vars, "tech.name", name);
		kv_set(vars, "tech.first_name", first);
		free(first);
	}
	if ((v = kv_get(j, "eta")))
		kv_set(vars, "eta", v);
	if ((v = kv_get(j, "invoice-url")))
		kv_set(vars, "invoice.url", v);
}

int
job_list(struct store *st, char ***v, size_t *n)
{
	char *top = store_path(st, "jobs");
	DIR *d = opendir(top);
	struct dirent *e;
	size_t cap = 0;

	*v = NULL;
	*n = 0;
	while (d && (e = readdir(d))) {
		struct sb sub = SB_INIT;
		DIR *d2;
		struct dirent *e2;

		if (e->d_name[0] == '.')
			continue;
		sb_addf(&sub, "%s/%s", top, e->d_name);
		d2 = opendir(sub.buf);
		while (d2 && (e2 = readdir(d2))) {
			if (!name_valid(e2->d_name) ||
			    str_endswith(e2->d_name, ".lock"))
				continue;
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				*v = xrealloc(*v, cap * sizeof(char *));
			}
			(*v)[(*n)++] = xstrdup(e2->d_name);
		}
		if (d2)
			closedir(d2);
		sb_release(&sub);
	}
	if (d)
		closedir(d);
	free(top);
	return 0;
}

/* The customer object of a webhook: find it, or add it as a contact. */
static int
upsert_customer(struct store *st, struct json *c, char **cid)
{
	const char *id = json_path_str(c, "id"), *name, *phone, *email;
	struct kv kv = KV_INIT;
	char addr[320];
	int r;

	if (id && contact_find(st, id, cid) == 0)
		return 0;
	phone = json_path_str(c, "phone");
	email = json_path_str(c, "email");
	if ((phone && contact_find(st, phone, cid) == 0) ||
	    (email && contact_find(st, email, cid) == 0))
		return 0;
	inbox_error_clear();
	name = json_path_str(c, "name");
	if (!name || !*name)
		return inbox_error(INBOX_EDATA, "job customer needs an id "
		    "that exists or a name");
	if (id && !name_valid(id))
		return inbox_error(INBOX_EDATA, "'%s' is not a contact id", id);
	*cid = id ? xstrdup(id) : contact_new_id(st, name);
	if (kv_set(&kv, "name", name) < 0)
		goto fail;
	kv_set(&kv, "kind", "customer");
	if (phone) {
		if (addr_normalize(st, phone, addr, sizeof(addr)) < 0)
			goto fail;
		kv_add(&kv, "phone", addr);
	}
	if (email) {
		if (addr_normalize(st, email, addr, sizeof(addr)) < 0)
			goto fail;
		kv_add(&kv, "email", addr);
	}
	r = contact_save(st, *cid, &kv);
	kv_free(&kv);
	return r;
fail:
	kv_free(&kv);
	free(*cid);
	*cid = NULL;
	return -1;
}

int
job_from_json(struct store *st, struct json *j, struct job_req *q,
    char **hold)
{
	const char *ev = json_path_str(j, "event"), *at;
	struct json *cust = json_get(j, "customer");
	long long eta;

	memset(q, 0, sizeof(*q));
	*hold = NULL;
	q->eta = -1;
	if (!ev || !(q->event = job_event_name(ev)))
		return inbox_error(INBOX_EDATA, "job event \"%s\" is not one "
		    "I know", ev ? ev : "");
	if (!(q->job = json_path_str(j, "job")) || !name_valid(q->job))
		return inbox_error(INBOX_EDATA, "job event needs a \"job\" id");
	/* a platform's event about a job it never scheduled here */
	if (strcmp(q->event, "schedule") && !job_exists(st, q->job))
		return inbox_error(INBOX_EDATA, "no job %s (schedule it first)",
		    q->job);
	if (json_is_obj(cust)) {
		if (upsert_customer(st, cust, hold) < 0)
			return -1;
		q->customer = *hold;
	} else
		q->customer = json_str(cust);
	if ((at = json_path_str(j, "at")) && time_parse(at,
	    config_str(st->cfg, "business.timezone", "UTC"), &q->at) < 0)
		return inbox_error(INBOX_EDATA, "bad \"at\": %s", at);
	q->tech = json_path_str(j, "tech");
	q->address = json_path_str(j, "address");
	q->invoice_url = json_path_str(j, "invoice_url");
	q->service_pro = json_path_str(j, "service_pro");
	if (json_num(json_get(j, "eta"), &eta) == 0)
		q->eta = (long)eta;
	return 0;
}
