/*
 * job.h - the work orders the inbox knows: jobs/<h[0:2]>/<JOB>, a kv
 * record (customer, time, tech, status, address, invoice link, the
 * automatic messages that went out), written by inbox-job and linked to
 * the customer's conversation.
 */
#ifndef INBOX_JOB_H
#define INBOX_JOB_H

#include "kv.h"
#include "store.h"

/* "jobs/ab/J1001"; -1 (class 64) when the id is not a valid name. */
int job_path(const char *job, char *buf, size_t n);
/* Load a job; class 1 "no job J" when there is none. */
int job_load(struct store *st, const char *job, struct kv *kv);
int job_save(struct store *st, const char *job, struct kv *kv);
/* 1 when the job exists. */
int job_exists(struct store *st, const char *job);

#endif
