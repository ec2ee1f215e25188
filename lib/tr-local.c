/*
 * tr-local.c - the two transports that need no network: spool (a file in
 * a directory) and command (a pipe to /bin/sh -c).  Settings in
 * transport.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tr.h"

#define OUT_MAX		4096

extern char **environ;

/*
 * spool
 */

static int
write_file(const char *path, const char *buf, size_t len)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return inbox_error(INBOX_ETEMP, "open %s:", path);
	if (write_all(fd, buf, len) < 0) {
		inbox_error(INBOX_ETEMP, "write %s:", path);
		close(fd);
		unlink(path);
		return -1;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		inbox_error(INBOX_ETEMP, "fsync %s:", path);
		unlink(path);
		return -1;
	}
	return 0;
}

int
tr_spool(struct tr_ctx *c, struct send_result *res)
{
	const char *dir = tr_conf(c, "spool", "tmp/outbox");
	const char *uniq = tr_uniq(c->m->id);
	struct sb tmp = SB_INIT, dst = SB_INIT;
	char *path;

	if (!c->m->raw)
		return inbox_error(INBOX_EFAIL, "spool: no message file");
	if (!name_valid(uniq))
		return inbox_error(INBOX_EFAIL, "spool: bad message id '%s'",
		    c->m->id);
	path = dir[0] == '/' ? xstrdup(dir) : store_path(c->st, dir);
	sb_addf(&tmp, "%s/.%s.msg.tmp", path, uniq);
	sb_addf(&dst, "%s/%s.msg", path, uniq);
	if (mkdir_p(path) < 0 || write_file(tmp.buf, c->m->raw,
	    c->m->rawlen) < 0)
		tr_set(res, SEND_TEMP, NULL, NULL, "spool: %s",
		    inbox_errmsg());
	else if (rename(tmp.buf, dst.buf) < 0) {
		tr_set(res, SEND_TEMP, NULL, NULL, "spool: rename %s: %s",
		    dst.buf, strerror(errno));
		unlink(tmp.buf);
	} else if (fsync_dir(path) < 0)
		tr_set(res, SEND_TEMP, NULL, NULL, "spool: %s",
		    inbox_errmsg());
	else {
		tr_set(res, SEND_OK, "sent", NULL, "%s", "");
		snprintf(res->provider_id, sizeof(res->provider_id),
		    "spool:%s.msg", uniq);
	}
	free(path);
	sb_release(&tmp);
	sb_release(&dst);
	return 0;
}

/*
 * command
 */

/* The environment of the command: ours plus INBOX_* for the message. */
static char **
command_env(struct tr_ctx *c, struct sb *vars)
{
	static const char *const names[] = { "INBOX_DIR", "INBOX_CHANNEL",
	    "INBOX_MESSAGE", "INBOX_TO", "INBOX_FROM" };
	const char *vals[] = { c->st->root, c->m->channel, c->m->id,
	    c->m->to, c->m->from ? c->m->from : "" };
	size_t n = 0, k = 0, off[5];
	char **env;

	while (environ && environ[n])
		n++;
	env = xcalloc(n + 6, sizeof(*env));
	for (size_t i = 0; i < n; i++) {
		int ours = 0;

		for (size_t j = 0; j < 5; j++)
			if (str_startswith(environ[i], names[j]) &&
			    environ[i][strlen(names[j])] == '=')
				ours = 1;
		if (!ours)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < 5; j++) {
		off[j] = vars->len;
		sb_addf(vars, "%s=%s", names[j], vals[j]);
		sb_addc(vars, '\0');
	}
	for (size_t j = 0; j < 5; j++)
		env[k++] = vars->buf + off[j];
	env[k] = NULL;
	return env;
}

/* Keep the first OUT_MAX bytes (stdout) or a tail (stderr). */
static void
keep(struct sb *s, const char *buf, size_t n, int tail)
{
	if (!tail) {
		if (s->len < OUT_MAX)
			sb_add(s, buf, n < OUT_MAX - s->len ? n :
			    OUT_MAX - s->len);
		return;
	}
	sb_add(s, buf, n);
	if (s->len > 4 * OUT_MAX) {
		memmove(s->buf, s->buf + s->len - OUT_MAX, OUT_MAX);
		sb_setlen(s, OUT_MAX);
	}
}

static void
last_line(const struct sb *s, char *out, size_t n)
{
	size_t end = s->len, start;

	while (end > 0 && (s->buf[end - 1] == '\n' || s->buf[end - 1] == '\r'
	    || s->buf[end - 1] == ' '))
		end--;
	for (start = end; start > 0 && s->buf[start - 1] != '\n'; start--)
		;
	tr_first_line(s->buf + start, end - start, out, n);
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Read the command's stdout and stderr until both close or the time is
 * up; then reap it.  Returns 0 with *wst, or 1 when it was killed. */
static int
command_wait(pid_t pid, int fo, int fe, long limit, struct sb *out,
    struct sb *err, int *wst)
{
	struct timespec t0;
	int fds[2] = { fo, fe };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (fds[0] >= 0 || fds[1] >= 0) {
		struct pollfd p[2] = { { fds[0], POLLIN, 0 },
		    { fds[1], POLLIN, 0 } };
		long left = limit - ms_since(&t0);

		if (left <= 0)
			goto kill;
		if (poll(p, 2, (int)(left < 1000 ? left : 1000)) < 0 &&
		    errno != EINTR)
			goto kill;
		for (int i = 0; i < 2; i++) {
			char buf[4096];
			ssize_t r;

			if (fds[i] < 0 || !(p[i].revents &
			    (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(fds[i], buf, sizeof(buf));
			if (r > 0)
				keep(i ? err : out, buf, (size_t)r, i);
			else if (r == 0 || errno != EINTR) {
				close(fds[i]);
				fds[i] = -1;
			}
		}
	}
	while (waitpid(pid, wst, WNOHANG) == 0) {
		struct timespec ts = { 0, 2000000 };

		if (ms_since(&t0) >= limit)
			goto kill;
		nanosleep(&ts, NULL);
	}
	return 0;
kill:
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, wst, 0);
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return 1;
}

int
tr_command(struct tr_ctx *c, struct send_result *res)
{
	struct sb out = SB_INIT, err = SB_INIT, vars = SB_INIT;
	const char *cmd;
	char **env, line[200], code[32];
	int po[2], pe[2], wst = 0, in;
	FILE *f;
	pid_t pid;

	if (tr_need(c, "command", &cmd) < 0)
		return -1;
	if (!c->m->raw)
		return inbox_error(INBOX_EFAIL, "command: no message file");
	if (!(f = tmpfile()))
		return inbox_error(INBOX_ETEMP, "command: tmpfile:");
	if (fwrite(c->m->raw, 1, c->m->rawlen, f) != c->m->rawlen ||
	    fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return inbox_error(INBOX_ETEMP, "command: temporary file:");
	}
	in = fileno(f);
	if (pipe2(po, O_CLOEXEC) < 0) {
		fclose(f);
		return inbox_error(INBOX_ETEMP, "command: pipe:");
	}
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		fclose(f);
		return inbox_error(INBOX_ETEMP, "command: pipe:");
	}
	env = command_env(c, &vars);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)"sh", (char *)"-c", (char *)cmd, NULL };

		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in, 0) < 0 || dup2(po[1], 1) < 0 ||
		    dup2(pe[1], 2) < 0 || chdir(c->st->root) < 0)
			_exit(126);
		if (in > 2)
			close(in);
		execve("/bin/sh", argv, env);
		_exit(127);
	}
	free(env);
	sb_release(&vars);
	close(po[1]);
	close(pe[1]);
	fclose(f);
	if (pid < 0) {
		close(po[0]);
		close(pe[0]);
		return inbox_error(INBOX_ETEMP, "command: fork:");
	}

	if (command_wait(pid, po[0], pe[0], c->timeout * 1000, &out, &err,
	    &wst))
		tr_set(res, SEND_TEMP, NULL, "timeout", "command: killed after "
		    "%lds", c->timeout);
	else if (WIFSIGNALED(wst)) {
		snprintf(code, sizeof(code), "signal %d", WTERMSIG(wst));
		tr_set(res, SEND_TEMP, NULL, code, "command: killed by signal "
		    "%d", WTERMSIG(wst));
	} else if (WEXITSTATUS(wst) == 0) {
		tr_first_line(out.buf, out.len, line, sizeof(line));
		tr_set(res, SEND_OK, "sent", NULL, "%s", "");
		snprintf(res->provider_id, sizeof(res->provider_id), "%s",
		    *line ? line : "command");
	} else {
		snprintf(code, sizeof(code), "%d", WEXITSTATUS(wst));
		last_line(&err, line, sizeof(line));
		tr_set(res, WEXITSTATUS(wst) == INBOX_ETEMP ? SEND_TEMP :
		    SEND_PERM, NULL, code, "%s", *line ? line : "");
		if (!*line)
			snprintf(res->text, sizeof(res->text),
			    "command: exit status %d", WEXITSTATUS(wst));
	}
	sb_release(&out);
	sb_release(&err);
	return 0;
}
