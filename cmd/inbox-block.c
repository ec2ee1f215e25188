/*
 * inbox-block - block or unblock a number or address: its conversation is
 * closed, later inbound from it is kept but out of the inbox, and nothing
 * is sent to it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conv.h"
#include "kv.h"
#include "perm.h"
#include "store.h"

enum { OPT_REASON = OPT_FIRST_CMD };

static struct cli c;
static int unblock;
static const char *reason;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-block [-0qU] [-C DIR] [-u USER] [--reason TEXT] "
	    "[ADDRESS...]\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static int
block_one(const char *arg, void *p)
{
	struct store *st = p;
	char addr[320], id[CONV_ID_LEN + 1], iso[32];
	char *contact = NULL;
	struct kv a = KV_INIT;
	struct conv cv;
	int r;

	if (addr_normalize(st, arg, addr, sizeof(addr)) < 0)
		return warn_lib();
	r = addr_load(st, addr, &a);
	if (r < 0)
		return warn_lib();
	if (!unblock == (kv_get(&a, "blocked") != NULL)) {
		warnx("%s is %s", addr, unblock ? "not blocked" :
		    "already blocked");
		kv_free(&a);
		return INBOX_ENOMATCH;
	}
	time_iso(inbox_now(), iso, sizeof(iso));
	if (unblock) {
		kv_del(&a, "blocked", NULL);
		kv_del(&a, "blocked-reason", NULL);
	} else {
		kv_set(&a, "blocked", iso);
		if (reason && kv_set(&a, "blocked-reason", reason) < 0) {
			kv_free(&a);
			return warn_lib();
		}
	}
	if (addr_save(st, addr, &a) < 0 || conv_for_address(st, addr, id,
	    &contact) < 0 || conv_load(st, id, &cv) < 0) {
		kv_free(&a);
		return warn_lib();
	}
	kv_free(&a);
	free(contact);
	/* the thread goes out of the inbox when it is the blocked
	 * address's own; a customer's stays for their other addresses */
	if (cv.exists && (unblock || !kv_has(&cv.st, "kind", "customer"))) {
		if (unblock)
			kv_del(&cv.st, "blocked", NULL);
		else {
			kv_set(&cv.st, "blocked", iso);
			kv_set(&cv.st, "status", "closed");
		}
		if (conv_save(st, &cv) < 0) {
			conv_free(&cv);
			return warn_lib();
		}
		store_trailer(st, "Conversation", id);
	}
	conv_free(&cv);
	store_trailer(st, "Address", addr);
	if (!c.quiet) {
		fputs(addr, stdout);
		putchar(c.zero ? '\0' : '\n');
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "unblock", no_argument, NULL, 'U' },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct store *st;
	int opt, ret;

	cli_init("inbox-block");
	while ((opt = getopt_long(argc, argv, "0hqUC:u:", longopts,
	    NULL)) != -1)
		switch (opt) {
		case 'U': unblock = 1; break;
		case OPT_REASON:
			reason = optarg;
			if (!kv_value_ok(reason))
				die(INBOX_EDATA, "--reason has control "
				    "characters or is not UTF-8");
			break;
		default:
			if (!cli_option(&c, opt, optarg, usage))
				usage(1);
		}
	if (store_open(&st, c.dir, "inbox-block", c.user) < 0 ||
	    perm_require(st, "messages.archive") < 0 ||
	    store_lock(st) < 0)
		die_lib();
	ret = cli_records(argc - optind, argv + optind, c.zero, block_one, st);
	/* no records at all; a bad one has had its one-line warning */
	if (ret == INBOX_EUSAGE && !store_pending(st) && argc == optind &&
	    isatty(0))
		usage(1);
	if (reason)
		store_trailer(st, "Reason", reason);
	if (store_pending(st) && store_commit(st, "%s%s%s",
	    unblock ? "unblock" : "block", reason ? ": " : "",
	    reason ? reason : "") < 0)
		ret = warn_lib();
	store_close(st);
	return cli_done(ret);
}
