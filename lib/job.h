/*
 * job.h - the work orders the inbox knows: jobs/<h[0:2]>/<JOB>, a kv
 * record (customer, time, tech, status, address, invoice link, the
 * automatic messages that went out), written by inbox-job and linked to
 * the customer's conversation.
 */
#ifndef INBOX_JOB_H
#define INBOX_JOB_H

#include <time.h>
#include "kv.h"
#include "store.h"

/* "jobs/ab/J1001"; -1 (class 64) when the id is not a valid name. */
int job_path(const char *job, char *buf, size_t n);
/* Load a job; class 1 "no job J" when there is none. */
int job_load(struct store *st, const char *job, struct kv *kv);
int job_save(struct store *st, const char *job, struct kv *kv);
/* 1 when the job exists. */
int job_exists(struct store *st, const char *job);

struct job_req {
	const char *event;	/* schedule reschedule enroute done cancel
				 * invoice */
	const char *job;
	const char *customer;	/* contact id, phone or email (schedule) */
	time_t at;		/* schedule, reschedule */
	const char *tech;
	const char *address;
	long eta;		/* minutes, -1 unknown */
	const char *invoice_url;
	const char *service_pro;	/* schedule: a maintenance request */
};

struct job_res {
	char conv[16];
	char customer[128];
	const char *hook;	/* the hook this event fires */
	int changed;
};

/*
 * Record a job event: the job under jobs/, its link to the customer's
 * conversation, the tech's membership of that conversation (added when
 * assigned, removed when the job is done or canceled unless the tech
 * still has another open job of that customer) and of the job's
 * maintenance thread, when it has one.  Commits; the caller
 * then fires res->hook.  Class 64 for events that make no sense (done
 * before scheduled, unknown job), 1 when nothing changed.
 */
int job_event(struct store *st, const struct job_req *q, struct job_res *res);

/*
 * A job event from a field-service platform's webhook (the generic JSON
 * of inbox-recv(1)): {"type":"job","event":"scheduled","job":"J1001",
 * "customer":"jane-doe" or {"id","name","phone","email"},"at":TIME,
 * "tech":LOGIN,"address":TEXT,"eta":MINUTES,"invoice_url":URL,
 * "service_pro":CONTACT}.  A customer given as an object is added to the
 * contacts when new.  Fills q (its strings live in the json document and
 * in *hold, freed by the caller).  Class 65 for what cannot be filed,
 * an event about a job never scheduled here included.
 */
struct json;
int job_from_json(struct store *st, struct json *j, struct job_req *q,
    char **hold);

/* The hook name of an event ("job-scheduled" ...), NULL if unknown. */
const char *job_hook(const char *event);
/* Normalise a platform's event name ("scheduled", "en-route",
 * "completed", "cancelled", "invoiced" ...) to ours, or NULL. */
const char *job_event_name(const char *name);

/* Record that a hook failed (status) or succeeded (0) on a job. */
int job_note_hook(struct store *st, const char *job, const char *hook,
    int status);

/* Template variables of a job: job.id, job.date, job.time,
 * job.address, tech.name, tech.first_name, eta, invoice.url. */
void job_vars(struct store *st, const struct kv *job, const char *id,
    struct kv *vars);

/* Every job id (malloc'd array of malloc'd strings). */
int job_list(struct store *st, char ***v, size_t *n);

#endif
