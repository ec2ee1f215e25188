/*
 * msg.c - message files: load, inspect, rewrite headers, change flags.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conv.h"
#include "fault.h"
#include "msg.h"
#include "store.h"

int
msg_parse_name(const char *name, char **uniq, char *flags, size_t n)
{
	const char *info = strstr(name, ":2,");
	size_t ulen = info ? (size_t)(info - name) : strlen(name);

	if (ulen == 0 || name[0] == '.' || memchr(name, '/', ulen))
		return -1;
	*uniq = xstrndup(name, ulen);
	if (flags && n) {
		flags[0] = '\0';
		if (info) {
			size_t k = strlen(info + 3);

			if (k >= n)
				k = n - 1;
			memcpy(flags, info + 3, k);
			flags[k] = '\0';
		}
	}
	return 0;
}

static int
split_path(struct msg *m, const char *rel)
{
	/* conv/<xx>/<conv>/<new|cur>/<name> */
	const char *p = rel, *parts[5];
	int k = 0;

	parts[k++] = p;
	while (k < 5 && (p = strchr(p, '/'))) {
		p++;
		parts[k++] = p;
	}
	if (k != 5 || strncmp(rel, "conv/", 5) != 0)
		return inbox_error(INBOX_EFAIL, "not a message path: %s", rel);
	{
		size_t clen = (size_t)(parts[3] - parts[2] - 1);

		if (clen == 0 || clen >= sizeof(m->conv))
			return inbox_error(INBOX_EFAIL, "not a message path: "
			    "%s", rel);
		memcpy(m->conv, parts[2], clen);
		m->conv[clen] = '\0';
	}
	m->isnew = strncmp(parts[3], "new/", 4) == 0;
	if (msg_parse_name(parts[4], &m->uniq, m->flags,
	    sizeof(m->flags)) < 0)
		return inbox_error(INBOX_EFAIL, "not a message path: %s", rel);
	return 0;
}

int
msg_load_path(struct msg *m, struct store *st, const char *rel)
{
	const char *d;

	memset(m, 0, sizeof(*m));
	sb_init(&m->raw);
	if (split_path(m, rel) < 0)
		return -1;
	m->path = xstrdup(rel);
	if (store_read(st, rel, &m->raw, 0) < 0)
		return -1;
	if (mail_parse(&m->mail, m->raw.buf, m->raw.len) < 0)
		return inbox_error(INBOX_EDATA, "%s: %s", rel, inbox_errmsg());
	d = mail_get(&m->mail, "Date");
	if (!d || time_parse_rfc2822(d, &m->date) < 0)
		m->date = atoll(m->uniq);
	return 0;
}

struct find_ctx {
	const char *uniq;
	char *found;
};

static char *
find_in(const char *dir, const char *uniq)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = strlen(uniq);
	char *r = NULL;

	if (!d)
		return NULL;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, uniq, n) == 0 &&
		    (e->d_name[n] == '\0' || e->d_name[n] == ':')) {
			r = xstrdup(e->d_name);
			break;
		}
	closedir(d);
	return r;
}

int
msg_load(struct msg *m, struct store *st, const char *id)
{
	const char *slash = strchr(id, '/');
	char conv[16], *uniq;
	static const char *subs[] = { "cur", "new" };

	memset(m, 0, sizeof(*m));
	sb_init(&m->raw);
	if (!slash || slash == id || (size_t)(slash - id) >= sizeof(conv) ||
	    !name_valid(slash + 1) || strchr(slash + 1, '/'))
		return inbox_error(INBOX_EUSAGE, "'%s' is not a message id "
		    "(CONV/UNIQ)", id);
	memcpy(conv, id, (size_t)(slash - id));
	conv[slash - id] = '\0';
	if (!name_valid(conv) || strlen(conv) < 3)
		return inbox_error(INBOX_EUSAGE, "'%s' is not a message id",
		    id);
	uniq = xstrdup(slash + 1);
	for (int i = 0; i < 2; i++) {
		struct sb dir = SB_INIT;
		char *name;

		sb_addf(&dir, "%s/conv/%.2s/%s/%s", st->root, conv, conv,
		    subs[i]);
		name = find_in(dir.buf, uniq);
		sb_release(&dir);
		if (name) {
			struct sb rel = SB_INIT;
			int r;

			sb_addf(&rel, "conv/%.2s/%s/%s/%s", conv, conv,
			    subs[i], name);
			r = msg_load_path(m, st, rel.buf);
			sb_release(&rel);
			free(name);
			free(uniq);
			return r;
		}
	}
	free(uniq);
	return inbox_error(INBOX_ENOMATCH, "no message %s", id);
}

void
msg_free(struct msg *m)
{
	mail_free(&m->mail);
	sb_release(&m->raw);
	free(m->uniq);
	free(m->path);
	memset(m, 0, sizeof(*m));
}

const char *
msg_get(const struct msg *m, const char *name)
{
	return mail_get(&m->mail, name);
}

char *
msg_text(const struct msg *m)
{
	return mail_text(&m->mail);
}

void
msg_id(const struct msg *m, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", m->conv, m->uniq);
}

int
msg_flag(const struct msg *m, char c)
{
	return strchr(m->flags, c) != NULL;
}

int
msg_header(struct sb *out, const char *name, const char *value)
{
	if (!value)
		return 0;
	for (const char *p = value; *p; p++)
		if (*p == '\r' || *p == '\n')
			return inbox_error(INBOX_EDATA, "%s: line break in a "
			    "header field", name);
	if (!utf8_valid(value, strlen(value)))
		return inbox_error(INBOX_EDATA, "%s: not UTF-8", name);
	sb_addf(out, "%s: %s\n", name, value);
	return 0;
}

int
msg_status_rank(const char *s)
{
	static const char *order[] = { "received", "pending_approval",
	    "held", "scheduled", "queued", "accepted", "sending", "sent",
	    "delivered", "read", "undelivered", "failed", "rejected",
	    "dropped", "refused" };

	if (!s)
		return -1;
	for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++)
		if (strcmp(s, order[i]) == 0) {
			if (i >= 10)
				return 100;	/* terminal */
			return (int)i;
		}
	return -1;
}

/* Length of the header line at p including folded continuations. */
static size_t
field_len(const char *p, const char *end)
{
	const char *q = p;

	for (;;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));

		if (!nl)
			return (size_t)(end - p);
		q = nl + 1;
		if (q >= end || (*q != ' ' && *q != '\t'))
			return (size_t)(q - p);
	}
}

static int
name_is(const char *p, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len > n && p[n] == ':' && strncasecmp(p, name, n) == 0;
}

static int
rewrite(struct msg *m, struct store *st, const struct sb *data)
{
	struct sb tmp = SB_INIT;
	char *abs = store_path(st, m->path);
	char *slash;
	int fd, r = -1;

	/* write in the maildir's tmp/, then rename over the file */
	sb_adds(&tmp, abs);
	slash = strrchr(tmp.buf, '/');
	*slash = '\0';
	slash = strrchr(tmp.buf, '/');
	sb_setlen(&tmp, (size_t)(slash - tmp.buf));
	sb_adds(&tmp, "/tmp");
	/* git does not carry empty tmp/ directories: a clone lacks them */
	if (!path_exists(tmp.buf) && mkdir_p(tmp.buf) < 0)
		goto out;
	sb_addf(&tmp, "/%s.rewrite", m->uniq);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		inbox_error(INBOX_ETEMP, "create %s:", tmp.buf);
		goto out;
	}
	/* a short write, a failed fsync or close (NFS reports there) */
	if (write(fd, data->buf, data->len) != (ssize_t)data->len ||
	    fsync_fd(fd) < 0 || close(fd) < 0) {
		inbox_error(INBOX_ETEMP, "write %s:", tmp.buf);
		if (fcntl(fd, F_GETFD) != -1)
			close(fd);
		unlink(tmp.buf);
		goto out;
	}
	FAULT("mid-rewrite");
	if (rename(tmp.buf, abs) < 0) {
		inbox_error(INBOX_ETEMP, "rename %s:", tmp.buf);
		unlink(tmp.buf);
		goto out;
	}
	fsync_dir(abs);
	r = store_track(st, m->path);
out:
	free(abs);
	sb_release(&tmp);
	return r;
}

int
msg_set_headers(struct msg *m, struct store *st, const char **names,
    const char **values, size_t n)
{
	struct sb out = SB_INIT, add = SB_INIT;
	const char *p = m->raw.buf, *end = m->raw.buf + m->raw.len;
	const char *body = m->mail.body ? m->mail.body : end;
	int r;

	for (size_t i = 0; i < n; i++)
		if (values[i] && msg_header(&add, names[i], values[i]) < 0) {
			sb_release(&add);
			return -1;
		}
	/* headers, without the fields being replaced */
	while (p < body) {
		size_t len = field_len(p, body);
		int drop = 0;

		if (len == 0 || *p == '\n' || (*p == '\r' && p[1] == '\n'))
			break;
		for (size_t i = 0; i < n && !drop; i++)
			drop = name_is(p, len, names[i]);
		if (!drop)
			sb_add(&out, p, len);
		p += len;
	}
	sb_add(&out, add.buf, add.len);
	sb_add(&out, p, (size_t)(end - p));	/* blank line and body */
	sb_release(&add);
	r = rewrite(m, st, &out);
	if (r == 0) {
		mail_free(&m->mail);
		sb_release(&m->raw);
		m->raw = out;
		mail_parse(&m->mail, m->raw.buf, m->raw.len);
	} else
		sb_release(&out);
	return r;
}

int
msg_replace(struct msg *m, struct store *st, const struct sb *data)
{
	struct sb copy = SB_INIT;
	int r;

	sb_add(&copy, data->buf, data->len);
	r = rewrite(m, st, &copy);
	if (r == 0) {
		mail_free(&m->mail);
		sb_release(&m->raw);
		m->raw = copy;
		mail_parse(&m->mail, m->raw.buf, m->raw.len);
	} else
		sb_release(&copy);
	return r;
}

int
msg_set_header(struct msg *m, struct store *st, const char *name,
    const char *value)
{
	return msg_set_headers(m, st, &name, &value, 1);
}

int
msg_set_flags(struct msg *m, struct store *st, const char *flags)
{
	char sorted[16] = "";
	size_t k = 0;
	struct sb to = SB_INIT;
	const char *slash;
	int r;

	/* ASCII order, no duplicates */
	for (int c = 'A'; c <= 'z' && k < sizeof(sorted) - 1; c++)
		if (strchr(flags, c))
			sorted[k++] = (char)c;
	sorted[k] = '\0';
	if (!m->isnew && strcmp(sorted, m->flags) == 0)
		return 0;
	slash = strstr(m->path, m->isnew ? "/new/" : "/cur/");
	sb_add(&to, m->path, (size_t)(slash - m->path));
	sb_addf(&to, "/cur/%s:2,%s", m->uniq, sorted);
	r = store_rename(st, m->path, to.buf);
	if (r == 0) {
		free(m->path);
		m->path = sb_detach(&to, NULL);
		m->isnew = 0;
		memcpy(m->flags, sorted, k + 1);
	} else
		sb_release(&to);
	return r;
}

int
msg_text_has(const struct msg *m, const char *q)
{
	char *text = msg_text(m);
	int hit = strcasestr(text, q) != NULL;

	free(text);
	return hit;
}

int
msg_each(struct store *st, const char *conv,
    int (*fn)(const struct msg *m, void *arg), void *arg)
{
	char **paths;
	size_t n;
	int r = 0;

	if (conv_messages(st, conv, &paths, &n) < 0) {
		inbox_error_clear();
		return 0;
	}
	for (size_t i = 0; i < n && !r; i++) {
		struct msg m;

		if (msg_load_path(&m, st, paths[i]) < 0) {
			inbox_error_clear();
			continue;
		}
		r = fn(&m, arg);
		msg_free(&m);
	}
	strv_free(paths, n);
	return r;
}
