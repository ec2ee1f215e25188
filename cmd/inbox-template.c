/*
 * inbox-template - list, show and render message templates, for writing
 * and testing them before a customer sees one.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "perm.h"
#include "conv.h"
#include "job.h"
#include "json.h"
#include "sms.h"
#include "template.h"

enum { OPT_JOB = OPT_FIRST_CMD, OPT_TO, OPT_VAR };

static struct cli c;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: inbox-template [-C DIR] [--json] ls\n"
	    "       inbox-template [-C DIR] show NAME\n"
	    "       inbox-template [-C DIR] render NAME [--job JOB] "
	    "[--to TARGET]\n"
	    "                      [--var NAME=VALUE]...\n");
	exit(status ? INBOX_EUSAGE : cli_done(0));
}

static int
list(struct store *st)
{
	char **names;
	size_t n;

	template_list(st, &names, &n);
	for (size_t i = 0; i < n; i++) {
		struct template t;
		const char *d;

		if (template_load(st, names[i], &t) < 0) {
			warn_lib();
			continue;
		}
		d = kv_get(&t.headers, "Description");
		if (c.json) {
			struct json *o = json_obj();
			char *line;

			json_set_str(o, "name", names[i]);
			json_set_str(o, "description", d);
			json_set_bool(o, "local", !strncmp(t.path, st->root,
			    strlen(st->root)));
			line = json_dump(o);
			printf("%s\n", line);
			free(line);
			json_free(o);
		} else
			printf("%s\t%s\n", names[i], d ? d : "-");
		template_free(&t);
	}
	strv_free(names, n);
	return 0;
}

static int
render(struct store *st, const char *name, const char *jobid,
    const char *to, const struct kv *extra)
{
	struct template t;
	struct kv vars = KV_INIT, job = KV_INIT;
	const char *contact = NULL;
	char *text = NULL, *cid = NULL;
	struct sms_info si;
	int r = 0;

	if (template_load(st, name, &t) < 0)
		return warn_lib();
	if (jobid) {
		if (job_load(st, jobid, &job) < 0) {
			template_free(&t);
			return warn_lib();
		}
		contact = kv_get(&job, "customer");
	}
	if (to) {
		if (contact_find(st, to, &cid) < 0) {
			template_free(&t);
			kv_free(&job);
			return warn_lib();
		}
		contact = cid;
	}
	template_vars(st, contact, &vars);
	if (jobid)
		job_vars(st, &job, jobid, &vars);
	for (size_t i = 0; i < extra->n; i++)
		kv_set(&vars, extra->v[i].key, extra->v[i].val);
	if (template_render(name, t.text, &vars, &text) < 0)
		r = warn_lib();
	else {
		sms_analyse(text, strlen(text), &si);
		printf("%s\n", text);
		fprintf(stderr, "%s: %zu characters, %d SMS segment%s (%s)\n",
		    prog, si.chars, si.segments, si.segments == 1 ? "" : "s",
		    si.enc == SMS_GSM7 ? "GSM-7" : "UCS-2");
	}
	free(text);
	free(cid);
	kv_free(&vars);
	kv_free(&job);
	template_free(&t);
	return r;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "job", required_argument, NULL, OPT_JOB },
		{ "to", required_argument, NULL, OPT_TO },
		{ "var", required_argument, NULL, OPT_VAR },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct kv extra = KV_INIT;
	const char *job = NULL, *to = NULL;
	struct store *st;
	int opt, ret;

	cli_init("inbox-template");
	while ((opt = getopt_long(argc, argv, "hC:u:", longopts, NULL)) != -1)
		switch (opt) {
		case OPT_JOB: job = optarg; break;
		case OPT_TO: to = optarg; break;
		case OPT_VAR: {
			char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg)
				die(INBOX_EUSAGE, "--var wants NAME=VALUE");
			*eq = '\0';
			if (kv_set(&extra, optarg, eq + 1) < 0)
				die_lib();
			break;
		}
		default:
			if (!cli_option(&c, opt, optarg, usage))
				usage(1);
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(1);
	if (store_open(&st, c.dir, "inbox-template", c.user) < 0 ||
	    perm_require(st, "messages.view") < 0)
		die_lib();
	if (!strcmp(argv[0], "ls") && argc == 1)
		ret = list(st);
	else if (!strcmp(argv[0], "show") && argc == 2) {
		struct template t;

		if (template_load(st, argv[1], &t) < 0)
			die_lib();
		printf("%s\n", t.text);
		template_free(&t);
		ret = 0;
	} else if (!strcmp(argv[0], "render") && argc == 2)
		ret = render(st, argv[1], job, to, &extra);
	else
		usage(1);
	kv_free(&extra);
	store_close(st);
	return cli_done(ret);
}
