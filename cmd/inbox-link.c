/*
 * inbox-link - link a conversation and a job; attach an unknown address
 * to a customer, moving its conversation into the customer's; move one
 * message (a call, say) to another customer or detach it on its own.
 * Every change is one commit whose trailers keep the reason.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conv.h"
#include "job.h"
#include "msg.h"
#include "phone.h"
#include "perm.h"
#include "store.h"
#include "thread.h"

enum {
	OPT_UNLINK = OPT_FIRST_CMD, OPT_ATTACH, OPT_MOVE, OPT_DETACH,
	OPT_REASON
};

static struct cli c;
static const char *reason;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-link [-q] [-C DIR] [-u USER] [--reason TEXT] "
	    "[--unlink] ID JOB\n"
	    "       inbox-link [-q] [-C DIR] [-u USER] [--reason TEXT] "
	    "--attach ADDRESS CUSTOMER\n"
	    "       inbox-link [-q] [-C DIR] [-u USER] [--reason TEXT] "
	    "--move MESSAGE TARGET\n"
	    "       inbox-link [-q] [-C DIR] [-u USER] [--reason TEXT] "
	    "--detach MESSAGE\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static void
say(const char *s)
{
	if (!c.quiet)
		printf("%s\n", s);
}

static int
link_job(struct store *st, const char *arg, const char *job, int unlink)
{
	char id[CONV_ID_LEN + 1];
	struct conv cv;
	struct sb line = SB_INIT;
	char rel[256];
	int r;

	if (job_path(job, rel, sizeof(rel)) < 0 ||
	    conv_resolve(st, arg, id) < 0 || conv_load(st, id, &cv) < 0)
		return -1;
	if (!unlink && !job_exists(st, job)) {
		conv_free(&cv);
		return inbox_error(INBOX_ENOMATCH, "no job %s", job);
	}
	/* a job linked already (inbox-job links every job) may still be
	 * the one picked when the customer has several open */
	int picking = !unlink && kv_has(&cv.st, "job", job) &&
	    (kv_get(&cv.st, "pick-job") || !kv_has(&cv.st, "current-job",
	    job));

	if (!picking && unlink != kv_has(&cv.st, "job", job)) {
		conv_free(&cv);
		return inbox_error(INBOX_ENOMATCH, "%s is %s job %s", id,
		    unlink ? "not linked to" : "already linked to", job);
	}
	if (unlink) {
		kv_del(&cv.st, "job", job);
		kv_del(&cv.st, "current-job", job);
	} else {
		kv_add(&cv.st, "job", job);
		kv_set(&cv.st, "current-job", job);
		kv_del(&cv.st, "pick-job", NULL);
	}
	sb_addf(&line, "%s job %s by %s%s%s", unlink ? "Unlinked" : "Linked",
	    job, st->user, reason ? ": " : "", reason ? reason : "");
	r = conv_save(st, &cv);
	if (r == 0)
		r = thread_system(st, id, line.buf);
	sb_release(&line);
	conv_free(&cv);
	if (r < 0)
		return -1;
	store_trailer(st, "Conversation", id);
	store_trailer(st, "Job", job);
	if (store_commit(st, "%s %s %s job %s", unlink ? "unlink" : "link",
	    id, unlink ? "from" : "to", job) < 0)
		return -1;
	say(id);
	return 0;
}

/* Make sure conversation id has a state file. */
static int
ensure_conv(struct store *st, const char *id, const char *kind,
    const char *contact, const char *addr)
{
	struct conv cv;
	char iso[32];
	int r = 0;

	if (conv_load(st, id, &cv) < 0)
		return -1;
	if (!cv.exists) {
		time_iso(inbox_now(), iso, sizeof(iso));
		kv_set(&cv.st, "kind", kind);
		if (contact)
			kv_set(&cv.st, "contact", contact);
		if (addr)
			kv_add(&cv.st, "address", addr);
		kv_set(&cv.st, "status", "open");
		kv_set(&cv.st, "created", iso);
		r = conv_save(st, &cv);
	} else if (addr && !kv_has(&cv.st, "address", addr)) {
		kv_add(&cv.st, "address", addr);
		r = conv_save(st, &cv);
	}
	conv_free(&cv);
	return r;
}

/* The customer's last channel and times, the assignee, members and jobs
 * follow the messages. */
static int
carry_state(struct store *st, const char *from, const char *to)
{
	struct conv a, b;
	int r = 0;

	if (conv_load(st, from, &a) < 0)
		return -1;
	if (conv_load(st, to, &b) < 0) {
		conv_free(&a);
		return -1;
	}
	for (size_t i = 0; i < a.st.n; i++) {
		const char *k = a.st.v[i].key;

		if ((!strcmp(k, "channel") || !strcmp(k, "assignee")) &&
		    !kv_get(&b.st, k))
			kv_set(&b.st, k, a.st.v[i].val);
		else if (!strcmp(k, "member") || !strcmp(k, "job"))
			kv_add(&b.st, k, a.st.v[i].val);
		else if (str_startswith(k, "last-in.")) {
			const char *old = kv_get(&b.st, k);

			if (!old || strcmp(old, a.st.v[i].val) < 0)
				kv_set(&b.st, k, a.st.v[i].val);
		}
	}
	r = conv_save(st, &b);
	conv_free(&a);
	conv_free(&b);
	return r;
}

static int
attach(struct store *st, const char *arg, const char *who)
{
	char addr[320], from[CONV_ID_LEN + 1], to[CONV_ID_LEN + 1];
	char *cid = NULL, **paths;
	struct kv ck = KV_INIT;
	struct sb key = SB_INIT;
	size_t n;
	int r;

	if (addr_normalize(st, arg, addr, sizeof(addr)) < 0)
		return -1;
	if (contact_find(st, who, &cid) < 0 || contact_load(st, cid,
	    &ck) < 0)
		goto fail;
	sb_addf(&key, "addr:%s", addr);
	conv_id(key.buf, from);
	sb_reset(&key);
	sb_addf(&key, "contact:%s", cid);
	conv_id(key.buf, to);
	if (kv_has(&ck, "phone", addr) || kv_has(&ck, "email", addr)) {
		inbox_error(INBOX_ENOMATCH, "%s already belongs to %s", addr,
		    cid);
		goto fail;
	}
	if (kv_add(&ck, is_email(addr) ? "email" : "phone", addr) < 0 ||
	    contact_save(st, cid, &ck) < 0 ||
	    ensure_conv(st, to, "customer", cid, addr) < 0 ||
	    carry_state(st, from, to) < 0 ||
	    conv_messages(st, from, &paths, &n) < 0)
		goto fail;
	r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		char id[160], newid[160];
		const char *name = strrchr(paths[i], '/') + 1;

		snprintf(id, sizeof(id), "%s/%.*s", from,
		    (int)strcspn(name, ":"), name);
		r = thread_move(st, id, to, newid, sizeof(newid));
	}
	strv_free(paths, n);
	if (r < 0)
		goto fail;
	{
		char dir[64], rel[80];
		char *p;

		conv_dir(from, dir, sizeof(dir));
		snprintf(rel, sizeof(rel), "%s/state", dir);
		p = store_path(st, rel);
		if (path_exists(p) && store_remove(st, rel) < 0) {
			free(p);
			goto fail;
		}
		free(p);
	}
	sb_reset(&key);
	sb_addf(&key, "Attached %s to %s by %s%s%s", addr, cid, st->user,
	    reason ? ": " : "", reason ? reason : "");
	if (thread_system(st, to, key.buf) < 0)
		goto fail;
	store_trailer(st, "Conversation", to);
	store_trailer(st, "From-Conversation", from);
	store_trailer(st, "Contact", cid);
	if (store_commit(st, "attach %s to %s (%zu messages moved)", addr,
	    cid, n) < 0)
		goto fail;
	say(to);
	free(cid);
	kv_free(&ck);
	sb_release(&key);
	return 0;
fail:
	free(cid);
	kv_free(&ck);
	sb_release(&key);
	return -1;
}

/* --move MESSAGE TARGET, or --detach MESSAGE (target NULL). */
static int
move(struct store *st, const char *id, const char *target)
{
	char to[CONV_ID_LEN + 1], newid[160];
	char *cid = NULL;
	struct msg m;
	struct sb key = SB_INIT, line = SB_INIT;
	const char *uniq = strchr(id, '/');
	int r;

	if (!uniq)
		return inbox_error(INBOX_EUSAGE, "'%s' is not a message id "
		    "(CONV/UNIQ)", id);
	/* nothing is written for a message that is not there */
	if (msg_load(&m, st, id) < 0)
		return -1;
	msg_free(&m);
	if (!target) {
		sb_addf(&key, "anon:%s", uniq + 1);
		conv_id(key.buf, to);
		r = ensure_conv(st, to, "anon", NULL, NULL);
	} else if (conv_resolve(st, target, to) == 0) {
		r = 0;
	} else if (contact_find(st, target, &cid) == 0) {
		inbox_error_clear();
		sb_addf(&key, "contact:%s", cid);
		conv_id(key.buf, to);
		r = ensure_conv(st, to, "customer", cid, NULL);
	} else
		r = -1;
	if (r == 0)
		r = thread_move(st, id, to, newid, sizeof(newid));
	if (r == 0) {
		sb_addf(&line, "%s %.*s by %s%s%s", target ? "Moved here from" :
		    "Detached from", (int)(uniq - id), id, st->user,
		    reason ? ": " : "", reason ? reason : "");
		r = thread_system(st, to, line.buf);
	}
	if (r == 0) {
		store_trailer(st, "Message", newid);
		store_trailer(st, "From-Message", id);
		r = store_commit(st, "%s %s to %s", target ? "move" :
		    "detach", id, to) < 0 ? -1 : 0;
	}
	if (r == 0)
		say(newid);
	free(cid);
	sb_release(&key);
	sb_release(&line);
	return r;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "unlink", no_argument, NULL, OPT_UNLINK },
		{ "attach", no_argument, NULL, OPT_ATTACH },
		{ "move", no_argument, NULL, OPT_MOVE },
		{ "detach", no_argument, NULL, OPT_DETACH },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct store *st;
	int opt, mode = 0, r;

	cli_init("inbox-link");
	while ((opt = getopt_long(argc, argv, "hqC:u:", longopts, NULL)) != -1)
		switch (opt) {
		case OPT_UNLINK:
		case OPT_ATTACH:
		case OPT_MOVE:
		case OPT_DETACH:
			if (mode)
				usage(1);
			mode = opt;
			break;
		case OPT_REASON: reason = optarg; break;
		default:
			if (!cli_option(&c, opt, optarg, usage))
				usage(1);
		}
	argc -= optind;
	argv += optind;
	if (argc != (mode == OPT_DETACH ? 1 : 2))
		usage(1);
	if (store_open(&st, c.dir, "inbox-link", c.user) < 0 ||
	    perm_require(st, "messages.assign") < 0 ||
	    store_lock(st) < 0)
		die_lib();
	if (reason) {
		if (!kv_value_ok(reason))
			die(INBOX_EDATA, "--reason has control characters "
			    "or is not UTF-8");
		store_trailer(st, "Reason", reason);
	}
	switch (mode) {
	case OPT_ATTACH:
		r = attach(st, argv[0], argv[1]);
		break;
	case OPT_MOVE:
		r = move(st, argv[0], argv[1]);
		break;
	case OPT_DETACH:
		r = move(st, argv[0], NULL);
		break;
	default:
		r = link_job(st, argv[0], argv[1], mode == OPT_UNLINK);
	}
	if (r < 0)
		r = warn_lib();
	store_close(st);
	return cli_done(r);
}
