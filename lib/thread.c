/*
 * thread.c - flags and marks over a conversation's messages.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "conv.h"
#include "inbound.h"
#include "msg.h"
#include "thread.h"

typedef int (*msg_fn)(struct store *, struct msg *, void *);

/* What a per-message function returns. */
enum { KEEP_ON, CHANGED_ON, CHANGED_STOP, KEEP_STOP };

/* Call fn on each message, newest first when `newest`; *n counts the
 * messages changed. */
static int
each_msg(struct store *st, const char *conv, int newest, msg_fn fn,
    void *arg, int *n)
{
	char **paths;
	size_t np;
	int r = 0;

	*n = 0;
	if (conv_messages(st, conv, &paths, &np) < 0)
		return -1;
	for (size_t k = 0; k < np && r >= 0; k++) {
		size_t i = newest ? np - 1 - k : k;
		struct msg m;

		if (msg_load_path(&m, st, paths[i]) < 0) {
			inbox_error_clear();
			continue;
		}
		r = fn(st, &m, arg);
		if (r == CHANGED_ON || r == CHANGED_STOP)
			(*n)++;
		msg_free(&m);
		if (r == CHANGED_STOP || r == KEEP_STOP)
			break;
	}
	strv_free(paths, np);
	return r < 0 ? -1 : 0;
}

static int
inbound(const struct msg *m)
{
	const char *d = msg_get(m, "X-Inbox-Direction");

	return d && !strcmp(d, "in");
}

static int
with_flag(struct store *st, struct msg *m, char f, int on)
{
	char flags[20];
	size_t k = 0;

	if ((strchr(m->flags, f) != NULL) == on && !(on && m->isnew))
		return 0;
	for (const char *p = m->flags; *p && k < sizeof(flags) - 2; p++)
		if (*p != f)
			flags[k++] = *p;
	if (on)
		flags[k++] = f;
	flags[k] = '\0';
	return msg_set_flags(m, st, flags) < 0 ? -1 : 1;
}

static int
read_one(struct store *st, struct msg *m, void *arg)
{
	(void)arg;
	if (!inbound(m) || (msg_flag(m, 'S') && !m->isnew))
		return KEEP_ON;
	return with_flag(st, m, 'S', 1);
}

int
thread_mark_read(struct store *st, const char *conv, int *n)
{
	return each_msg(st, conv, 0, read_one, NULL, n);
}

static int
unread_one(struct store *st, struct msg *m, void *arg)
{
	(void)arg;
	if (!inbound(m))
		return KEEP_ON;
	if (!msg_flag(m, 'S'))
		return KEEP_STOP;	/* the newest is unread already */
	return with_flag(st, m, 'S', 0) < 0 ? -1 : CHANGED_STOP;
}

int
thread_mark_unread(struct store *st, const char *conv, int *n)
{
	return each_msg(st, conv, 1, unread_one, NULL, n);
}

struct flag_arg {
	int on;
};

static int
flag_one(struct store *st, struct msg *m, void *arg)
{
	struct flag_arg *a = arg;
	int r;

	if (a->on) {
		if (msg_flag(m, 'F'))
			return KEEP_STOP;	/* already flagged */
		r = with_flag(st, m, 'F', 1);
		return r < 0 ? -1 : CHANGED_STOP;
	}
	return with_flag(st, m, 'F', 0);
}

int
thread_flag(struct store *st, const char *conv, int on, int *n)
{
	struct flag_arg a = { on };

	return each_msg(st, conv, 1, flag_one, &a, n);
}

static int
resolve_one(struct store *st, struct msg *m, void *arg)
{
	const char *who = arg;
	const char *o = msg_get(m, "X-Inbox-Call-Outcome");
	char iso[32];
	struct sb v = SB_INIT;
	int r;

	if (msg_get(m, "X-Inbox-Resolved"))
		return 0;
	if (!msg_get(m, "X-Inbox-Attention") && (!o || (strcmp(o, "missed") &&
	    strcmp(o, "voicemail") && strcmp(o, "failed") &&
	    strcmp(o, "busy"))))
		return 0;
	time_iso(inbox_now(), iso, sizeof(iso));
	sb_addf(&v, "%s %s", who, iso);
	r = msg_set_header(m, st, "X-Inbox-Resolved", v.buf);
	sb_release(&v);
	/* resolved is dealt with: out of the Unread filter too */
	if (r == 0 && inbound(m))
		r = with_flag(st, m, 'S', 1);
	return r < 0 ? -1 : 1;
}

int
thread_resolve(struct store *st, const char *conv, const char *who, int *n)
{
	return each_msg(st, conv, 0, resolve_one, (void *)who, n);
}

static int
answer_one(struct store *st, struct msg *m, void *arg)
{
	int r;

	(void)arg;
	if (!inbound(m))
		return KEEP_ON;
	if (msg_flag(m, 'R'))
		return KEEP_STOP;
	r = with_flag(st, m, 'R', 1);
	return r < 0 ? -1 : CHANGED_STOP;
}

int
thread_answered(struct store *st, const char *conv)
{
	int n;

	return each_msg(st, conv, 1, answer_one, NULL, &n);
}

int
thread_move(struct store *st, const char *id, const char *to, char *newid,
    size_t n)
{
	struct msg m;
	struct sb dst = SB_INIT;
	char dir[64];
	const char *pid, *sub;
	int r;

	if (msg_load(&m, st, id) < 0)
		return -1;
	if (!strcmp(m.conv, to)) {
		msg_free(&m);
		return inbox_error(INBOX_EUSAGE, "%s is already in %s", id, to);
	}
	conv_dir(to, dir, sizeof(dir));
	sub = m.isnew ? "new" : "cur";
	sb_addf(&dst, "%s/%s/%s", dir, sub, strrchr(m.path, '/') + 1);
	r = store_rename(st, m.path, dst.buf);
	snprintf(newid, n, "%s/%s", to, m.uniq);
	if (r == 0 && (pid = msg_get(&m, "X-Inbox-Provider-Id")))
		r = pid_record(st, pid, newid);
	sb_release(&dst);
	msg_free(&m);
	return r;
}

int
thread_system(struct store *st, const char *conv, const char *text)
{
	struct sb h = SB_INIT, name = SB_INIT;
	char uniq[256], date[64], dir[64];
	int r;

	unique_name(uniq, sizeof(uniq));
	time_rfc2822(inbox_now(), date, sizeof(date));
	sb_addf(&h, "X-Inbox-Channel: system\nX-Inbox-Direction: sys\n"
	    "X-Inbox-Type: system\nX-Inbox-Author: %s\nDate: %s\n"
	    "From: <%s@inbox>\nMessage-ID: <%s@inbox>\nSubject: system\n"
	    "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n", st->user, date, st->user,
	    uniq);
	if (!kv_value_ok(text)) {
		sb_release(&h);
		return inbox_error(INBOX_EDATA, "system line has control "
		    "characters");
	}
	sb_addf(&h, "%s\n", text);
	sb_addf(&name, "%s:2,S", uniq);
	conv_dir(conv, dir, sizeof(dir));
	r = store_deliver(st, dir, "cur", name.buf, h.buf, h.len);
	sb_release(&h);
	sb_release(&name);
	return r;
}
