/*
 * job.c - job records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "job.h"

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
	char rel[256], *p;
	int r;

	if (job_path(job, rel, sizeof(rel)) < 0)
		return -1;
	p = store_path(st, rel);
	r = kv_load(kv, p);
	free(p);
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
