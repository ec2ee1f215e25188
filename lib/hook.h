/*
 * hook.h - run the store's hook scripts (see inbox-hooks(5)).
 *
 * Only executable files in the store's hooks/ run.  The working directory
 * is the store; the environment carries INBOX_DIR, INBOX_EVENT,
 * INBOX_CONV, INBOX_CUSTOMER, INBOX_JOB, INBOX_MESSAGE, INBOX_USER and
 * any extra "NAME=value" pairs; the event is JSON on standard input.  The
 * hook's standard output and error are collected and handed back to the
 * command, which prints them on its standard error, so a pipeline's
 * standard output stays clean.  A hook that runs longer than
 * hooks.timeout seconds (default 30) is killed, with its process group.
 */
#ifndef INBOX_HOOK_H
#define INBOX_HOOK_H

#include "store.h"

struct hook_env {
	const char *event;	/* INBOX_EVENT, e.g. "job-scheduled" */
	const char *conv;
	const char *customer;
	const char *job;
	const char *message;
	const char *json;	/* stdin; NULL: built from the above */
	const char **extra;	/* NULL-terminated "NAME=value" */
};

#define HOOK_TIMEOUT_STATUS 124

/*
 * Run hooks/<name>.  Returns 1 when there is no such executable hook,
 * 0 when it ran (*status is its exit status, 124 when killed at the
 * timeout, 128+N for signal N), -1 when it could not be started.  The
 * hook's output is appended to out (at most 64 KiB kept).
 */
int hook_run(struct store *st, const char *name, const struct hook_env *e,
    int *status, struct sb *out);

/*
 * Fire a hook for an event about a conversation / message / job (the
 * customer is found from the conversation), appending what it printed to
 * `out`.  Returns the hook's status (0 when there is none, -1 when it
 * could not start).
 */
int hook_event(struct store *st, const char *name, const char *conv,
    const char *message, const char *job, struct sb *out);

/*
 * Fire the hook of a job event with INBOX_JOB, INBOX_CUSTOMER,
 * INBOX_CONV and, from the job, INBOX_TECH, INBOX_JOB_AT, INBOX_ETA and
 * INBOX_INVOICE_URL; the job record as JSON on stdin.  The outcome is
 * recorded on the job (a failure as "hook-failed:") and committed, so a
 * failing hook never loses the event: inbox-job rerun fires it again.
 * Returns the hook's status (0 when there is none).
 */
int hook_job(struct store *st, const char *hook, const char *job,
    struct sb *out);

/*
 * Who should hear of a new message in a conversation: its members, less
 * its author, less those who muted it (inbox-flag --mute) and those who
 * want only mentions (staff: LOGIN: notify: mentions) unless mentioned,
 * and those who want nothing (notify: none).  Non-members are never
 * notified.  A space-separated list, malloc'd.
 */
char *hook_notify_list(struct store *st, const char *conv,
    const char *author, const char *mentions);

/*
 * Fire a post-* hook for a message with INBOX_NOTIFY (the list above)
 * and INBOX_MENTIONS set.
 */
int hook_post(struct store *st, const char *name, const char *conv,
    const char *message, const char *author, const char *mentions,
    struct sb *out);

/* 1 when hooks/<name> exists and is executable. */
int hook_exists(struct store *st, const char *name);

#endif
