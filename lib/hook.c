/*
 * hook.c - hook scripts with a documented environment and a timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hook.h"
#include "conv.h"
#include "job.h"
#include "json.h"

#define MAX_OUT (64 * 1024)

static char *
hook_path(struct store *st, const char *name)
{
	struct sb s = SB_INIT;

	sb_addf(&s, "%s/hooks/%s", st->root, name);
	return sb_detach(&s, NULL);
}

int
hook_exists(struct store *st, const char *name)
{
	char *p = hook_path(st, name);
	struct stat sbuf;
	int r = name_valid(name) && stat(p, &sbuf) == 0 &&
	    S_ISREG(sbuf.st_mode) && access(p, X_OK) == 0;

	free(p);
	return r;
}

static void
child(struct store *st, const char *path, const struct hook_env *e,
    int in, int out)
{
	setpgid(0, 0);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	if (in > 2)
		close(in);
	if (out > 2)
		close(out);
	if (chdir(st->root) < 0)
		_exit(126);
	setenv("INBOX_DIR", st->root, 1);
	setenv("INBOX_USER", st->user, 1);
	setenv("INBOX_EVENT", e->event ? e->event : "", 1);
	setenv("INBOX_CONV", e->conv ? e->conv : "", 1);
	setenv("INBOX_CUSTOMER", e->customer ? e->customer : "", 1);
	setenv("INBOX_JOB", e->job ? e->job : "", 1);
	setenv("INBOX_MESSAGE", e->message ? e->message : "", 1);
	for (const char **x = e->extra; x && *x; x++)
		putenv((char *)*x);
	signal(SIGPIPE, SIG_DFL);
	execl(path, path, (char *)NULL);
	_exit(126);
}

static char *
event_json(const struct hook_env *e)
{
	struct json *j = json_obj();
	char *s;

	json_set_str(j, "event", e->event);
	json_set_str(j, "conversation", e->conv);
	json_set_str(j, "customer", e->customer);
	json_set_str(j, "job", e->job);
	json_set_str(j, "message", e->message);
	s = json_dump(j);
	json_free(j);
	return s;
}

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int
hook_run(struct store *st, const char *name, const struct hook_env *e,
    int *status, struct sb *out)
{
	char *path, *json;
	int inp[2], outp[2], wst = 0, done = 0;
	long timeout = config_int(st->cfg, "hooks.timeout", 30) * 1000;
	struct sigaction ign, old;
	struct timespec t0;
	size_t off = 0, jlen;
	pid_t pid;

	*status = 0;
	if (!hook_exists(st, name))
		return 1;
	if (getenv("INBOX_HOOK_TIMEOUT"))
		timeout = atol(getenv("INBOX_HOOK_TIMEOUT")) * 1000;
	path = hook_path(st, name);
	json = e->json ? xstrdup(e->json) : event_json(e);
	jlen = strlen(json);
	if (pipe2(inp, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0) {
		free(path);
		free(json);
		return inbox_error(INBOX_EFAIL, "pipe:");
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		free(path);
		free(json);
		return inbox_error(INBOX_EFAIL, "fork:");
	}
	if (pid == 0)
		child(st, path, e, inp[0], outp[1]);
	close(inp[0]);
	close(outp[1]);
	/* a hook that exits without reading its stdin must not kill us */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	fcntl(inp[1], F_SETFL, O_NONBLOCK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!done) {
		struct pollfd p[2] = { { outp[0], POLLIN, 0 },
		    { inp[1], POLLOUT, 0 } };
		int np = inp[1] >= 0 ? 2 : 1;
		long left = timeout - elapsed_ms(&t0);

		if (left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &wst, 0);
			*status = HOOK_TIMEOUT_STATUS;
			sb_addf(out, "hook %s killed after %lds\n", name,
			    timeout / 1000);
			goto out;
		}
		if (poll(p, (nfds_t)np, (int)(left < 200 ? left : 200)) < 0 &&
		    errno != EINTR)
			break;
		if (np == 2 && (p[1].revents & (POLLOUT | POLLERR))) {
			ssize_t w = write(inp[1], json + off, jlen - off);

			if (w > 0)
				off += (size_t)w;
			if (w < 0 || off == jlen) {
				close(inp[1]);
				inp[1] = -1;
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			char buf[4096];
			ssize_t r = read(outp[0], buf, sizeof(buf));

			if (r > 0 && out->len < MAX_OUT)
				sb_add(out, buf, (size_t)r);
			if (r == 0)
				done = 1;
		}
	}
	/* output closed: wait for the exit, still bounded */
	while (waitpid(pid, &wst, WNOHANG) == 0) {
		struct timespec ts = { 0, 2000000 };

		if (elapsed_ms(&t0) > timeout) {
			kill(-pid, SIGKILL);
			waitpid(pid, &wst, 0);
			*status = HOOK_TIMEOUT_STATUS;
			goto out;
		}
		nanosleep(&ts, NULL);
	}
	*status = WIFEXITED(wst) ? WEXITSTATUS(wst) :
	    WIFSIGNALED(wst) ? 128 + WTERMSIG(wst) : 1;
out:
	sigaction(SIGPIPE, &old, NULL);
	if (inp[1] >= 0)
		close(inp[1]);
	close(outp[0]);
	free(path);
	free(json);
	return 0;
}

static int
word_in(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; p && *p;) {
		size_t k = strcspn(p, " ");

		if (k == n && !strncmp(p, w, n))
			return 1;
		p += k + (p[k] == ' ');
	}
	return 0;
}

char *
hook_notify_list(struct store *st, const char *conv, const char *author,
    const char *mentions)
{
	struct conv c;
	struct sb s = SB_INIT;

	if (conv_load(st, conv, &c) < 0) {
		inbox_error_clear();
		return sb_detach(&s, NULL);
	}
	for (size_t i = 0; i < c.st.n; i++) {
		const char *who = c.st.v[i].val, *pref;
		struct sb k = SB_INIT;

		if (strcmp(c.st.v[i].key, "member") ||
		    (author && !strcmp(who, author)) ||
		    kv_has(&c.st, "muted", who) || word_in(s.buf, who))
			continue;
		sb_addf(&k, "staff.%s.notify", who);
		pref = config_str(st->cfg, k.buf, "all");
		sb_release(&k);
		if (!strcmp(pref, "none") || (!strcmp(pref, "mentions") &&
		    !word_in(mentions, who)))
			continue;
		sb_addf(&s, "%s%s", s.len ? " " : "", who);
	}
	conv_free(&c);
	return sb_detach(&s, NULL);
}

int
hook_post(struct store *st, const char *name, const char *conv,
    const char *message, const char *author, const char *mentions,
    struct sb *out)
{
	struct hook_env e = { name, conv, NULL, NULL, message, NULL, NULL };
	struct sb ne = SB_INIT, me = SB_INIT;
	const char *extra[3];
	char *list;
	struct conv c;
	int status = 0;

	if (!hook_exists(st, name))
		return 0;
	list = hook_notify_list(st, conv, author, mentions);
	sb_addf(&ne, "INBOX_NOTIFY=%s", list);
	sb_addf(&me, "INBOX_MENTIONS=%s", mentions ? mentions : "");
	extra[0] = ne.buf;
	extra[1] = me.buf;
	extra[2] = NULL;
	e.extra = extra;
	if (conv_load(st, conv, &c) == 0)
		e.customer = kv_get(&c.st, "contact");
	else
		memset(&c, 0, sizeof(c));
	if (hook_run(st, name, &e, &status, out) < 0)
		status = -1;
	conv_free(&c);
	free(list);
	sb_release(&ne);
	sb_release(&me);
	return status;
}

int
hook_event(struct store *st, const char *name, const char *conv,
    const char *message, const char *job, struct sb *out)
{
	struct hook_env e = { name, conv, NULL, job, message, NULL, NULL };
	struct conv c;
	int status = 0;

	if (!hook_exists(st, name))
		return 0;
	if (!job && str_startswith(name, "post-"))
		return hook_post(st, name, conv, message, NULL, NULL, out);
	if (conv && conv_load(st, conv, &c) == 0)
		e.customer = kv_get(&c.st, "contact");
	else
		memset(&c, 0, sizeof(c));
	if (hook_run(st, name, &e, &status, out) < 0)
		status = -1;
	conv_free(&c);
	return status;
}

int
hook_job(struct store *st, const char *hook, const char *job,
    struct sb *out)
{
	struct kv j = KV_INIT;
	struct hook_env e = { 0 };
	struct json *doc;
	struct sb env[4] = { SB_INIT, SB_INIT, SB_INIT, SB_INIT };
	const char *extra[5] = { NULL };
	static const char *keys[][2] = { { "INBOX_TECH", "tech" },
	    { "INBOX_JOB_AT", "at" }, { "INBOX_ETA", "eta" },
	    { "INBOX_INVOICE_URL", "invoice-url" } };
	char *json;
	int status = 0, k = 0;

	if (!hook_exists(st, hook))
		return 0;
	if (job_load(st, job, &j) < 0)
		return -1;
	doc = json_obj();
	json_set_str(doc, "event", hook);
	json_set_str(doc, "job", job);
	for (size_t i = 0; i < j.n; i++)
		json_set_str(doc, j.v[i].key, j.v[i].val);
	json = json_dump(doc);
	json_free(doc);
	for (int i = 0; i < 4; i++) {
		const char *v = kv_get(&j, keys[i][1]);

		sb_addf(&env[i], "%s=%s", keys[i][0], v ? v : "");
		extra[k++] = env[i].buf;
	}
	e.event = hook;
	e.job = job;
	e.conv = kv_get(&j, "conversation");
	e.customer = kv_get(&j, "customer");
	e.json = json;
	e.extra = extra;
	if (hook_run(st, hook, &e, &status, out) < 0)
		status = -1;
	free(json);
	for (int i = 0; i < 4; i++)
		sb_release(&env[i]);
	kv_free(&j);
	/* record the outcome when it changed what the job says */
	if (store_lock(st) == 0) {
		if (job_note_hook(st, job, hook, status) == 0) {
			store_trailer(st, "Job", job);
			store_commit(st, "hook %s %s for %s", hook, status ?
			    "failed" : "ran", job);
		}
		store_unlock(st);
	}
	return status;
}
