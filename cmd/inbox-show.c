/*
 * inbox-show - print a conversation in time order and mark it read.
 * On a pipe: one record line per message (id, time, direction, channel,
 * status, sender) followed by its text, each line indented by a TAB.  On
 * a terminal: a chat layout, inbound on the left, outbound on the right.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "conv.h"
#include "json.h"
#include "msg.h"
#include "perm.h"
#include "thread.h"

static struct cli c;
static int noread;
static const char *savedir;
static const char *tz = "UTC";

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-show [-n] [-C DIR] [-u USER] [--json] "
	    "[--save-attachments DIR] ID\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static const char *
hdr(const struct msg *m, const char *name, const char *def)
{
	const char *v = msg_get(m, name);

	return v && *v ? v : def;
}

static char *
sender(const struct msg *m)
{
	const char *a = hdr(m, "X-Inbox-Author", NULL);
	char *name = NULL, *addr = NULL;

	if (a)
		return xstrdup(a);
	if (mail_first_addr(hdr(m, "From", ""), &name, &addr) == 0) {
		free(addr);
		if (name)
			return name;
	}
	return xstrdup(hdr(m, "X-Inbox-Address", "unknown"));
}

/* The text a message shows: a call card for calls. */
static char *
body_of(const struct msg *m)
{
	struct sb s = SB_INIT;
	const char *v;

	if (strcmp(hdr(m, "X-Inbox-Channel", ""), "voice"))
		return msg_text(m);
	sb_addf(&s, "[call] %s %s", strcmp(hdr(m, "X-Inbox-Direction", "in"),
	    "out") ? "inbound" : "outbound",
	    hdr(m, "X-Inbox-Call-Outcome", "ringing"));
	if ((v = hdr(m, "X-Inbox-Call-Duration", NULL)) && atol(v) >= 0)
		sb_addf(&s, ", %ld:%02ld", atol(v) / 60, atol(v) % 60);
	if ((v = hdr(m, "X-Inbox-Call-Recording", NULL)))
		sb_addf(&s, "\nrecording: %s", v);
	if ((v = hdr(m, "X-Inbox-Call-Recording-Duration", NULL)) &&
	    atol(v) > 0)
		sb_addf(&s, " (%ld:%02ld)", atol(v) / 60, atol(v) % 60);
	if ((v = hdr(m, "X-Inbox-Call-Transcript", NULL)))
		sb_addf(&s, "\ntranscript: %s", v);
	if (msg_get(m, "X-Inbox-Resolved"))
		sb_addf(&s, "\nresolved by %s", hdr(m, "X-Inbox-Resolved", ""));
	return sb_detach(&s, NULL);
}

/* A safe file name for an attachment: its base name, else a made one. */
static void
safe_name(const char *given, const struct msg *m, size_t k, char *out,
    size_t n)
{
	const char *base = given ? strrchr(given, '/') : NULL;
	size_t j = 0;

	base = base ? base + 1 : given;
	for (const char *p = base; p && *p && j < n - 1; p++)
		out[j++] = (isalnum((unsigned char)*p) || strchr("._+-",
		    *p)) ? *p : '_';
	out[j] = '\0';
	while (out[0] == '.')
		memmove(out, out + 1, strlen(out));
	if (!out[0])
		snprintf(out, n, "%s-%zu", m->uniq, k + 1);
}

/* --save-attachments: write each attachment into savedir. */
static int
save_parts(const struct msg *m)
{
	struct mail_part *parts;
	size_t n;
	int r = 0;

	if (mail_parts(&m->mail, &parts, &n) < 0)
		return warn_lib();
	for (size_t k = 0; k < n; k++) {
		char name[200], *path;
		int fd;

		if (!parts[k].attachment && !strncmp(parts[k].type, "text/", 5))
			continue;
		safe_name(parts[k].filename, m, k, name, sizeof(name));
		path = path_join(savedir, name);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		for (int i = 2; fd < 0 && errno == EEXIST && i < 100; i++) {
			char alt[220];

			free(path);
			snprintf(alt, sizeof(alt), "%d-%s", i, name);
			path = path_join(savedir, alt);
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			    0644);
		}
		if (fd < 0 || write(fd, parts[k].data, parts[k].len) !=
		    (ssize_t)parts[k].len) {
			warnx("cannot write %s: %s", path, strerror(errno));
			r = INBOX_EFAIL;
		} else
			printf("%s\n", path);
		if (fd >= 0)
			close(fd);
		free(path);
	}
	mail_parts_free(parts, n);
	return r;
}

static void
print_header(struct store *st, struct conv *cv)
{
	const char *contact = kv_get(&cv->st, "contact");
	const char *addr = kv_get(&cv->st, "address");
	char *name;
	int jobs = 0;

	/* as inbox-ls names it: a team thread's name, the contact, the
	 * address, else a withheld caller */
	if (kv_get(&cv->st, "name"))
		name = xstrdup(kv_get(&cv->st, "name"));
	else if (contact || addr)
		name = contact_display(st, contact, addr);
	else
		name = xstrdup("Withheld number");

	if (c.json) {
		free(name);
		return;
	}
	printf(cli_tty() ? "\033[1m%s\033[0m" : "# %s", name);
	for (size_t i = 0; i < cv->st.n; i++)
		if (!strcmp(cv->st.v[i].key, "address") &&
		    strcmp(cv->st.v[i].val, name))
			printf(" %s", cv->st.v[i].val);
	printf(" [%s%s]\n", kv_get(&cv->st, "status") ? kv_get(&cv->st,
	    "status") : "open", kv_get(&cv->st, "archived") ? ", archived" :
	    "");
	if (kv_get(&cv->st, "assignee"))
		printf("%sassigned: %s\n", cli_tty() ? "" : "# ",
		    kv_get(&cv->st, "assignee"));
	for (size_t i = 0; i < cv->st.n && jobs < 5; i++)
		if (!strcmp(cv->st.v[i].key, "job")) {
			printf("%sjob: %s\n", cli_tty() ? "" : "# ",
			    cv->st.v[i].val);
			jobs++;
		}
	free(name);
}

static void
print_plain(const struct msg *m, const char *text, const char *who)
{
	char id[160], t[32];

	msg_id(m, id, sizeof(id));
	time_iso(m->date, t, sizeof(t));
	printf("%s\t%s\t%s\t%s\t%s\t%s\n", id, t, hdr(m, "X-Inbox-Direction",
	    "-"), hdr(m, "X-Inbox-Channel", "-"), hdr(m, "X-Inbox-Status",
	    "-"), who);
	if (msg_get(m, "X-Inbox-Error"))
		printf("\terror: %s\n", msg_get(m, "X-Inbox-Error"));
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");

		printf("\t%.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static void
print_tty(const struct msg *m, const char *text, const char *who, int width)
{
	int out = !strcmp(hdr(m, "X-Inbox-Direction", "in"), "out");
	int indent = out ? width / 3 : 0;
	const char *status = hdr(m, "X-Inbox-Status", "");
	int bad = !strcmp(status, "failed") || !strcmp(status, "undelivered");
	char when[32];

	time_fmt_tz(m->date, tz, "%a %b %d %H:%M", when, sizeof(when));
	printf("\n%*s\033[2m%s · %s · %s%s%s%s\033[0m\n", indent, "", who,
	    when, hdr(m, "X-Inbox-Channel", "-"), bad ? "\033[0;31m · " :
	    " · ", status, bad ? "\033[0m" : "");
	if (msg_get(m, "X-Inbox-Error"))
		printf("%*s\033[31m%s\033[0m\n", indent, "",
		    msg_get(m, "X-Inbox-Error"));
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");

		printf("%*s%.*s\n", indent, "", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static void
print_json(const struct msg *m, const char *text, const char *who)
{
	struct json *j = json_obj();
	char id[160], t[32], *line;
	static const char *h[][2] = { { "direction", "X-Inbox-Direction" },
	    { "channel", "X-Inbox-Channel" }, { "type", "X-Inbox-Type" },
	    { "status", "X-Inbox-Status" }, { "error", "X-Inbox-Error" },
	    { "address", "X-Inbox-Address" }, { "job", "X-Inbox-Job" },
	    { "outcome", "X-Inbox-Call-Outcome" },
	    { "recording", "X-Inbox-Call-Recording" },
	    { "provider_id", "X-Inbox-Provider-Id" } };

	msg_id(m, id, sizeof(id));
	time_iso(m->date, t, sizeof(t));
	json_set_str(j, "id", id);
	json_set_str(j, "time", t);
	json_set_str(j, "from", who);
	for (size_t i = 0; i < sizeof(h) / sizeof(*h); i++)
		json_set_str(j, h[i][0], msg_get(m, h[i][1]));
	json_set_bool(j, "read", msg_flag(m, 'S'));
	json_set_str(j, "text", text);
	line = json_dump(j);
	printf("%s\n", line);
	free(line);
	json_free(j);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "save-attachments", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct store *st;
	struct conv cv;
	char id[CONV_ID_LEN + 1], **paths;
	size_t n;
	int marked = 0;
	struct winsize ws;
	int opt, width = 80, r = 0;

	cli_init("inbox-show");
	while ((opt = getopt_long(argc, argv, "hnC:u:", longopts, NULL)) != -1)
		if (opt == 'n')
			noread = 1;
		else if (opt == 'S')
			savedir = optarg;
		else if (!cli_option(&c, opt, optarg, usage))
			usage(1);
	if (optind != argc - 1)
		usage(1);
	if (store_open(&st, c.dir, "inbox-show", c.user) < 0)
		die_lib();
	tz = config_str(st->cfg, "business.timezone", "UTC");
	if (perm_require(st, "messages.view") < 0 ||
	    conv_resolve(st, argv[optind], id) < 0 ||
	    conv_load(st, id, &cv) < 0 || conv_messages(st, id, &paths,
	    &n) < 0)
		die_lib();
	{
		char *members = NULL;
		struct sb m = SB_INIT;

		for (size_t i = 0; i < cv.st.n; i++)
			if (!strcmp(cv.st.v[i].key, "member"))
				sb_addf(&m, "%s ", cv.st.v[i].val);
		members = sb_detach(&m, NULL);
		if (!perm_sees(st, members, kv_get(&cv.st, "assignee"))) {
			free(members);
			die(INBOX_EPOLICY, "%s may not see %s (not a member)",
			    st->user, id);
		}
		free(members);
	}
	if (cli_tty() && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		width = ws.ws_col;
	if (savedir) {
		noread = 1;
		if (!path_exists(savedir))
			die(INBOX_EUSAGE, "%s: no such directory", savedir);
	} else
		print_header(st, &cv);
	if (!noread && store_lock(st) < 0)
		die_lib();
	for (size_t i = 0; i < n; i++) {
		struct msg m;
		char *text, *who;

		if (msg_load_path(&m, st, paths[i]) < 0) {
			r = warn_lib();
			continue;
		}
		if (savedir) {
			r = save_parts(&m) ? INBOX_EFAIL : r;
			msg_free(&m);
			continue;
		}
		text = body_of(&m);
		who = sender(&m);
		if (c.json)
			print_json(&m, text, who);
		else if (cli_tty())
			print_tty(&m, text, who, width);
		else
			print_plain(&m, text, who);
		free(text);
		free(who);
		msg_free(&m);
	}
	if (!noread && thread_mark_read(st, id, &marked) < 0)
		r = warn_lib();
	if (marked) {
		store_trailer(st, "Conversation", id);
		if (store_commit(st, "read %s (%d message%s)", id, marked,
		    marked == 1 ? "" : "s") < 0)
			r = warn_lib();
	}
	strv_free(paths, n);
	conv_free(&cv);
	store_close(st);
	return cli_done(r);
}
