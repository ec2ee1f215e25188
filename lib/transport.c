/*
 * transport.c - pick the transport of a channel, the settings and results
 * they share, and the two that need no network: spool and command.  The
 * others are in tr-twilio.c, tr-whatsapp.c, tr-smtp.c and tr-web.c
 * (kannel, webhook).
 *
 * Settings, under channels.CH in inbox.yaml (CH is the message's channel:
 * sms, mms, whatsapp, email, portal ...; mms uses channels.sms when it has
 * no section of its own).  Secrets are read with secret_get(): the file
 * secrets/NAME or $INBOX_SECRET_NAME.
 *
 *	transport	spool (default), command, twilio, smtp, kannel,
 *			whatsapp or webhook
 *	timeout		seconds one send may take (default 30); a command
 *			is killed then, a request abandoned (SEND_TEMP)
 *
 *	spool	spool		directory, relative to the store unless
 *				absolute (default tmp/outbox); each message
 *				is written as UNIQ.msg through .UNIQ.msg.tmp
 *	command	command		run with /bin/sh -c in the store, the message
 *				file on stdin, $INBOX_DIR, $INBOX_CHANNEL,
 *				$INBOX_MESSAGE, $INBOX_TO, $INBOX_FROM set;
 *				exit 0 sent (the first line of its output, if
 *				any, is the provider id), 75 or a signal
 *				retry, anything else failed (the last line of
 *				its standard error is the reason)
 *	twilio	account-sid	required
 *		base-url	default https://api.twilio.com
 *		from		default the message's from, else business.phone
 *		messaging-service-sid	sent as MessagingServiceSid (From
 *				then only when the channel names one)
 *		status-callback	StatusCallback URL; "format=twilio" is added
 *				to its query when it names no format
 *		secret twilio-token
 *		Channel whatsapp gets "whatsapp:" addresses; a template is sent
 *		as ContentSid (its name) and ContentVariables {"1": ...}.
 *		Twilio's queued, accepted, scheduled and sending are recorded
 *		as "sent": the provider took the message.
 *	smtp	url		required: smtp://host:port/ehlo-name or
 *				smtps://host:port/ehlo-name
 *		starttls	require STARTTLS on smtp:// (default false)
 *		insecure	do not verify the certificate (default false)
 *		user		log in as user (secret smtp-password)
 *		from		envelope sender; default the message's
 *				from, else business.email
 *		The stored message is submitted without its X-Inbox-* and Bcc
 *		fields; the provider id is its Message-ID.
 *	kannel	url		sendsms base, default http://127.0.0.1:13013
 *		username	required (sendsms-user), secret
 *				kannel-password
 *		from		default the message's from, else
 *				business.phone (none: Kannel's global-sender)
 *		dlr-url		delivery reports come back here with
 *				format=kannel&type=dlr&msg=ID&status=%d&...
 *		dlr-mask	default 31
 *		smsc		route through this smsc-id
 *	whatsapp phone-number-id required
 *		base-url	default https://graph.facebook.com
 *		version		Graph API version, default v19.0
 *		language	template language when the message names none
 *				(default business.locale, else en_US)
 *		secret whatsapp-token
 *	webhook	url		required; the message is POSTed as JSON, signed
 *				when secret webhook-secret is set
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "secret.h"
#include "tr.h"

#define DEF_TIMEOUT	30
#define OUT_MAX		4096

extern char **environ;

static int tr_spool(struct tr_ctx *c, struct send_result *res);
static int tr_command(struct tr_ctx *c, struct send_result *res);

static const struct {
	const char *name;
	int (*send)(struct tr_ctx *, struct send_result *);
	int attach;
} transports[] = {
	{ "spool", tr_spool, 1 },
	{ "command", tr_command, 1 },
	{ "twilio", tr_twilio, 1 },
	{ "smtp", tr_smtp, 1 },
	{ "kannel", tr_kannel, 0 },
	{ "whatsapp", tr_whatsapp, 1 },
	{ "webhook", tr_webhook, 1 },
};

static int
channel_ok(const char *ch)
{
	return ch && name_valid(ch) && !strchr(ch, '.') && strlen(ch) < 40;
}

/* "channels.CH", or "channels.sms" for an mms channel without its own. */
static void
section(struct store *st, const char *ch, char *out, size_t n)
{
	snprintf(out, n, "channels.%s", ch);
	if (strcmp(ch, "mms") == 0 && !config_node(st->cfg, 0, out))
		snprintf(out, n, "channels.sms");
}

const char *
transport_name(struct store *st, const char *channel)
{
	char sect[64], key[80];

	if (!channel_ok(channel))
		return "spool";
	section(st, channel, sect, sizeof(sect));
	snprintf(key, sizeof(key), "%s.transport", sect);
	return config_str(st->cfg, key, "spool");
}

int
transport_can_attach(struct store *st, const char *channel)
{
	const char *name = transport_name(st, channel);

	for (size_t i = 0; i < sizeof(transports) / sizeof(*transports); i++)
		if (strcmp(transports[i].name, name) == 0)
			return transports[i].attach;
	return 0;
}

/* Make a result field safe to record in a header: no control bytes,
 * valid UTF-8 (a sequence cut by truncation is dropped). */
static void
clean_field(char *s)
{
	size_t n;

	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	n = strlen(s);
	for (int i = 0; i < 3 && n > 0 && !utf8_valid(s, n); i++)
		s[--n] = '\0';
	if (!utf8_valid(s, n))
		for (char *p = s; *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
	str_trim(s);
}

int
transport_send(struct store *st, const struct outmsg *m,
    struct send_result *res)
{
	struct tr_ctx c;
	char key[80];
	long long t;
	int r;

	memset(res, 0, sizeof(*res));
	if (!channel_ok(m->channel))
		return inbox_error(INBOX_EFAIL, "bad channel '%s'",
		    m->channel ? m->channel : "");
	if (!m->id || !*m->id || !tr_header_safe(m->id))
		return inbox_error(INBOX_EFAIL, "bad message id");
	if (!m->to || !*m->to || !tr_header_safe(m->to))
		return inbox_error(INBOX_EFAIL, "no recipient");
	memset(&c, 0, sizeof(c));
	c.st = st;
	c.m = m;
	section(st, m->channel, c.sect, sizeof(c.sect));
	c.name = transport_name(st, m->channel);
	snprintf(key, sizeof(key), "%s.timeout", c.sect);
	t = config_int(st->cfg, key, DEF_TIMEOUT);
	if (t <= 0 || t > 86400)
		return inbox_error(INBOX_EFAIL, "%s: not a number of seconds "
		    "(1-86400) in inbox.yaml", key);
	c.timeout = (long)t;
	for (size_t i = 0; i < sizeof(transports) / sizeof(*transports); i++) {
		if (strcmp(transports[i].name, c.name) != 0)
			continue;
		r = transports[i].send(&c, res);
		if (r == 0) {
			clean_field(res->status);
			clean_field(res->provider_id);
			clean_field(res->code);
			clean_field(res->text);
			if (res->outcome == SEND_OK && !res->status[0])
				snprintf(res->status, sizeof(res->status),
				    "sent");
			if (!res->status[0])
				snprintf(res->status, sizeof(res->status),
				    "%s", res->outcome == SEND_TEMP ?
				    "queued" : "failed");
		}
		return r;
	}
	return inbox_error(INBOX_EFAIL, "unknown transport '%s' (%s.transport "
	    "in inbox.yaml)", c.name, c.sect);
}

/*
 * Shared helpers (tr.h)
 */

const char *
tr_conf(const struct tr_ctx *c, const char *key, const char *def)
{
	char path[128];
	const char *v;

	snprintf(path, sizeof(path), "%s.%s", c->sect, key);
	v = config_str(c->st->cfg, path, NULL);
	return v && *v ? v : def;
}

const char *
tr_conf_or(const struct tr_ctx *c, const char *key, const char *def_path)
{
	const char *v = tr_conf(c, key, NULL);

	if (!v && def_path)
		v = config_str(c->st->cfg, def_path, NULL);
	return v && *v ? v : NULL;
}

int
tr_conf_bool(const struct tr_ctx *c, const char *key, int def)
{
	char path[128];

	snprintf(path, sizeof(path), "%s.%s", c->sect, key);
	return config_bool(c->st->cfg, path, def);
}

int
tr_need(const struct tr_ctx *c, const char *key, const char **out)
{
	*out = tr_conf(c, key, NULL);
	if (!*out)
		return inbox_error(INBOX_EFAIL, "%s: no %s (%s.%s in "
		    "inbox.yaml)", c->name, key, c->sect, key);
	return 0;
}

int
tr_secret(const struct tr_ctx *c, const char *name, int required,
    char **out)
{
	struct sb env = SB_INIT;

	if (secret_get(c->st, name, out) < 0)
		return -1;
	if (*out && !**out) {
		free(*out);
		*out = NULL;
	}
	if (*out || !required)
		return 0;
	for (const char *p = name; *p; p++)
		sb_addc(&env, *p == '-' || *p == '.' ? '_' :
		    *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	inbox_error(INBOX_EFAIL, "%s: secret %s is not set (secrets/%s or "
	    "$INBOX_SECRET_%s)", c->name, name, name, env.buf);
	sb_release(&env);
	return -1;
}

void
tr_set(struct send_result *res, enum send_outcome o, const char *status,
    const char *code, const char *fmt, ...)
{
	va_list ap;

	res->outcome = o;
	snprintf(res->status, sizeof(res->status), "%s", status ? status :
	    o == SEND_OK ? "sent" : o == SEND_TEMP ? "queued" : "failed");
	if (code)
		snprintf(res->code, sizeof(res->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(res->text, sizeof(res->text), fmt, ap);
	va_end(ap);
}

int
tr_perform(const struct tr_ctx *c, struct http_req *req,
    struct http_resp *resp, struct send_result *res)
{
	req->timeout = c->timeout;
	if (http_request(req, resp) == 0)
		return 1;
	if (resp->status >= 200 && resp->status <= 299)
		return 1;	/* accepted, the rest of the answer lost */
	if (resp->timed_out)
		tr_set(res, SEND_TEMP, NULL, "timeout", "%s: timed out after "
		    "%lds", c->name, c->timeout);
	else
		tr_set(res, SEND_TEMP, NULL, "network", "%s: %s", c->name,
		    resp->error);
	return 0;
}

void
tr_http_status(const struct tr_ctx *c, struct send_result *res,
    const struct http_resp *resp, const char *text)
{
	long s = resp->status;
	char code[16], line[200];

	snprintf(code, sizeof(code), "%ld", s);
	if (!text || !*text) {
		tr_first_line(resp->body.buf, resp->body.len, line,
		    sizeof(line));
		text = line;
	}
	if (s == 408 || s == 425 || s == 429 || s >= 500) {
		tr_set(res, SEND_TEMP, NULL, code, "%s: HTTP %ld%s%s",
		    c->name, s, *text ? ": " : "", text);
		res->retry_after = resp->retry_after;
	} else
		tr_set(res, SEND_PERM, NULL, code, "%s: HTTP %ld%s%s%s",
		    c->name, s, *text ? ": " : "", text, s >= 300 && s < 400 ?
		    " (redirects are not followed)" : "");
}

void
tr_first_line(const char *body, size_t len, char *out, size_t n)
{
	size_t i = 0, j;

	while (i < len && (body[i] == ' ' || body[i] == '\t' ||
	    body[i] == '\r' || body[i] == '\n'))
		i++;
	for (j = i; j < len && body[j] != '\n' && body[j] != '\r'; j++)
		;
	while (j > i && (body[j - 1] == ' ' || body[j - 1] == '\t'))
		j--;
	if (j - i >= n)
		j = i + n - 1;
	memcpy(out, body + i, j - i);
	out[j - i] = '\0';
}

const char *
tr_uniq(const char *id)
{
	const char *s = strrchr(id, '/');

	return s ? s + 1 : id;
}

int
tr_header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

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
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			inbox_error(INBOX_ETEMP, "write %s:", path);
			close(fd);
			unlink(path);
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		inbox_error(INBOX_ETEMP, "fsync %s:", path);
		unlink(path);
		return -1;
	}
	return 0;
}

static int
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

static int
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
