/*
 * inbox-contact - customers and staff: add, edit, list, show, and import
 * the CSV export of a field-service app.  A contact is a key: value file
 * (kv.h) at contacts/<h>/<id>; contact_save() keeps the address index in
 * step, so a message from any of its numbers lands in its conversation.
 * The work is done by contact.h; this file reads options and prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "perm.h"
#include "contact.h"

#define MAX_CSV (64 << 20)

enum {
	OPT_ID = OPT_FIRST_CMD, OPT_NAME, OPT_PHONE, OPT_EMAIL, OPT_WHATSAPP,
	OPT_GROUP, OPT_STAFF, OPT_LOGIN, OPT_ROLE, OPT_NOTE, OPT_ADD_PHONE,
	OPT_RM_PHONE, OPT_ADD_EMAIL, OPT_RM_EMAIL, OPT_CUSTOMERS, OPT_DRY_RUN
};
enum { ADD = 1, EDIT = 2, LS = 4, SHOW = 8, IMPORT = 16 };

/* The long options and the subcommands that take each. */
static const struct option longopts[] = {
	{ "id", required_argument, NULL, OPT_ID },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "phone", required_argument, NULL, OPT_PHONE },
	{ "email", required_argument, NULL, OPT_EMAIL },
	{ "whatsapp", required_argument, NULL, OPT_WHATSAPP },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "staff", no_argument, NULL, OPT_STAFF },
	{ "login", required_argument, NULL, OPT_LOGIN },
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "note", required_argument, NULL, OPT_NOTE },
	{ "add-phone", required_argument, NULL, OPT_ADD_PHONE },
	{ "remove-phone", required_argument, NULL, OPT_RM_PHONE },
	{ "add-email", required_argument, NULL, OPT_ADD_EMAIL },
	{ "remove-email", required_argument, NULL, OPT_RM_EMAIL },
	{ "customers", no_argument, NULL, OPT_CUSTOMERS },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};
static const int takes[] = {
	ADD, ADD | EDIT, ADD, ADD, ADD, ADD | EDIT | LS, ADD | LS, ADD,
	ADD | EDIT, ADD | EDIT, EDIT, EDIT, EDIT, EDIT, LS, IMPORT
};

static struct cli c;
static struct contact_opts o;
static struct contact_filter filter;
static int dryrun;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-contact add [-q] [-C DIR] [-u USER] [--id ID] "
	    "--name NAME\n"
	    "           [--phone NUMBER]... [--email ADDR]... "
	    "[--whatsapp NUMBER]\n"
	    "           [--group GROUP] [--staff --login LOGIN "
	    "[--role ROLE]]\n"
	    "           [--note TEXT]\n"
	    "       inbox-contact edit [-q] [-C DIR] [-u USER] CONTACT "
	    "[--name NAME]\n"
	    "           [--add-phone N] [--remove-phone N] [--add-email A]\n"
	    "           [--remove-email A] [--group G] [--role R] "
	    "[--note TEXT]\n"
	    "       inbox-contact ls [-0] [-C DIR] [--json] "
	    "[--staff | --customers]\n"
	    "           [--group G] [-s TEXT]\n"
	    "       inbox-contact show [-C DIR] [--json] CONTACT\n"
	    "       inbox-contact import [-q] [-C DIR] [-u USER] [--dry-run] "
	    "FILE.csv\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static void
push(struct contact_list *l, const char *s, size_t max)
{
	if (!l->v)
		l->v = xcalloc(max, sizeof(*l->v));
	l->v[l->n++] = s;
}

/* The hints of contact.h, one line each. */
static void
print_hints(const struct contact_hints *h)
{
	for (size_t i = 0; i < h->n; i++)
		warnx("%s has a conversation of its own (%s); move it with "
		    "inbox-link", h->v[i].addr, h->v[i].conv);
}

static void
print_json(const char *id, const struct kv *kv)
{
	char *line = contact_json(id, kv);

	printf("%s\n", line);
	free(line);
}

static void
need_name(const char *what, const char *s)
{
	if (!name_valid(s) || *s == '-')
		die(INBOX_EUSAGE, "'%s' is not a valid %s", s, what);
}

static int
cmd_add(struct store *st)
{
	struct contact_hints h = CONTACT_HINTS_INIT;
	char *id;

	if (contact_add(st, &o, &id, &h) < 0)
		die_lib();
	print_hints(&h);
	if (!c.quiet)
		printf("%s\n", id);
	contact_hints_free(&h);
	free(id);
	return 0;
}

static int
cmd_edit(struct store *st, const char *arg)
{
	struct contact_hints h = CONTACT_HINTS_INIT;
	char *id;

	if (contact_edit(st, arg, &o, &id, &h) < 0)
		die_lib();
	print_hints(&h);
	if (!c.quiet)
		printf("%s\n", id);
	contact_hints_free(&h);
	free(id);
	return 0;
}

static int
cmd_ls(struct store *st)
{
	size_t n, shown = 0;
	char **v = contact_ids(st, &n);
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		struct kv kv = KV_INIT;
		const char *kind, *name, *p, *e;

		if (contact_load(st, v[i], &kv) < 0) {
			bad = warn_lib();
			kv_free(&kv);
			continue;
		}
		if (contact_match(v[i], &kv, &filter)) {
			shown++;
			kind = kv_get(&kv, "kind");
			name = kv_get(&kv, "name");
			p = kv_get(&kv, "phone");
			e = kv_get(&kv, "email");
			if (c.json)
				print_json(v[i], &kv);
			else if (c.zero) {
				fputs(v[i], stdout);
				putchar('\0');
			} else
				printf("%s\t%s\t%s\t%s\t%s\n", v[i],
				    kind ? kind : "-", name ? name : "-",
				    p ? p : "-", e ? e : "-");
		}
		kv_free(&kv);
	}
	strv_free(v, n);
	return bad ? INBOX_ENOMATCH : shown ? 0 : INBOX_ENOMATCH;
}

static int
cmd_show(struct store *st, const char *arg)
{
	struct kv kv = KV_INIT;
	struct sb s = SB_INIT;
	char *id;

	if (contact_find(st, arg, &id) < 0 || contact_load(st, id, &kv) < 0)
		die_lib();
	if (c.json)
		print_json(id, &kv);
	else {
		kv_format(&kv, &s);
		printf("id: %s\n%s", id, s.buf);
	}
	sb_release(&s);
	kv_free(&kv);
	free(id);
	return 0;
}

static int
cmd_import(struct store *st, const char *file)
{
	struct contact_import im;
	struct sb in = SB_INIT;
	const char *label = strcmp(file, "-") ? file : "stdin";
	int fd, r;

	fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		die(INBOX_EFAIL, "%s: %s", label, strerror(errno));
	if (sb_read_fd(&in, fd, MAX_CSV) < 0)
		die(inbox_errcode(), "%s: %s", label, inbox_errmsg());
	if (fd > 0)
		close(fd);
	contact_import_init(&im, st, dryrun);
	r = contact_import_read(&im, in.buf, in.len);
	for (size_t i = 0; i < im.nw; i++)
		warnx("line %d: %s", im.w[i].line, im.w[i].msg);
	if (r < 0 && im.file_error)
		die(inbox_errcode(), "%s: %s", label, inbox_errmsg());
	if (r < 0 || contact_import_write(&im, label) < 0)
		die_lib();
	print_hints(&im.hints);
	for (size_t i = 0; i < im.np && !c.quiet; i++)
		if (dryrun)
			printf("%s\t%s\t%s\n", im.p[i].id, im.p[i].isnew ?
			    "add" : "update", kv_get(&im.p[i].kv, "name"));
		else
			printf("%s\n", im.p[i].id);
	r = im.nw ? INBOX_ENOMATCH : 0;
	contact_import_free(&im);
	sb_release(&in);
	return r;
}

int
main(int argc, char **argv)
{
	struct store *st;
	const char *shorts;
	int sub = 0, opt, r = 0;
	size_t max = (size_t)argc;

	cli_init("inbox-contact");
	if (argc < 2)
		usage(1);
	if (!strcmp(argv[1], "add"))
		sub = ADD;
	else if (!strcmp(argv[1], "edit"))
		sub = EDIT;
	else if (!strcmp(argv[1], "ls"))
		sub = LS;
	else if (!strcmp(argv[1], "show"))
		sub = SHOW;
	else if (!strcmp(argv[1], "import"))
		sub = IMPORT;
	else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		usage(0);
	else if (!strcmp(argv[1], "--version"))
		cli_option(&c, OPT_VERSION, NULL, usage);
	else
		usage(1);
	shorts = sub == LS ? "0hC:s:" : sub == SHOW ? "hC:" : "hqC:u:";
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		if ((opt >= OPT_FIRST_CMD && opt <= OPT_DRY_RUN &&
		    !(takes[opt - OPT_FIRST_CMD] & sub)) ||
		    (opt == OPT_JSON && !(sub & (LS | SHOW))))
			usage(1);
		switch (opt) {
		case OPT_ID: o.id = optarg; break;
		case OPT_NAME: o.name = optarg; break;
		case OPT_PHONE: push(&o.phones, optarg, max); break;
		case OPT_EMAIL: push(&o.emails, optarg, max); break;
		case OPT_WHATSAPP: o.whatsapp = optarg; break;
		case OPT_GROUP: o.group = optarg; break;
		case OPT_STAFF: o.staff = 1; break;
		case OPT_LOGIN: o.login = optarg; break;
		case OPT_ROLE: o.role = optarg; break;
		case OPT_NOTE: o.note = optarg; break;
		case OPT_ADD_PHONE: push(&o.addphones, optarg, max); break;
		case OPT_RM_PHONE: push(&o.rmphones, optarg, max); break;
		case OPT_ADD_EMAIL: push(&o.addemails, optarg, max); break;
		case OPT_RM_EMAIL: push(&o.rmemails, optarg, max); break;
		case OPT_CUSTOMERS: filter.customers = 1; break;
		case OPT_DRY_RUN: dryrun = 1; break;
		case 's': filter.search = optarg; break;
		default:
			if (!cli_option(&c, opt, optarg, usage))
				usage(1);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != (sub & (ADD | LS) ? 0 : 1) ||
	    (sub == ADD && (!o.name || (o.staff && !o.login) ||
	    (!o.staff && (o.login || o.role)))) ||
	    (sub == EDIT && !o.name && !o.group && !o.role && !o.note &&
	    !o.addphones.n && !o.rmphones.n && !o.addemails.n &&
	    !o.rmemails.n) ||
	    (o.staff && filter.customers))
		usage(1);
	if (o.id)
		need_name("contact id", o.id);
	if (o.staff && o.id && o.login && strcmp(o.id, o.login))
		die(INBOX_EUSAGE, "a staff member's id is the login: "
		    "--id %s is not --login %s", o.id, o.login);
	if (o.login)
		need_name("login", o.login);
	if (o.role)
		need_name("role", o.role);
	if (o.group)
		need_name("group", o.group);
	filter.staff = o.staff;
	filter.group = o.group;
	if (store_open(&st, c.dir, "inbox-contact", c.user) < 0)
		die_lib();
	/* who is staff, and in what role, is a setting of the business */
	if ((sub == LS || sub == SHOW) ? perm_require(st, "messages.view") < 0 :
	    (o.staff || o.login || o.role) ? perm_require(st,
	    "settings.edit") < 0 : perm_require(st, "messages.assign") < 0)
		die_lib();
	switch (sub) {
	case ADD: r = cmd_add(st); break;
	case EDIT: r = cmd_edit(st, argv[0]); break;
	case LS: r = cmd_ls(st); break;
	case SHOW: r = cmd_show(st, argv[0]); break;
	case IMPORT: r = cmd_import(st, argv[0]); break;
	}
	store_close(st);
	free(o.phones.v);
	free(o.emails.v);
	free(o.addphones.v);
	free(o.rmphones.v);
	free(o.addemails.v);
	free(o.rmemails.v);
	return cli_done(r);
}
