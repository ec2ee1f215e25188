/*
 * config.c - inbox.yaml through libyaml's document API.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "config.h"
#include "util.h"

struct config {
	yaml_document_t doc;
	int loaded;
};

/* How deep inbox.yaml may nest (the sample is 3 levels deep). */
#define MAX_DEPTH 32

/* The settings that are whole numbers, and those of each channel. */
static const char *numbers[] = { "store.lock-timeout", "send.tries",
    "send.backoff", "hooks.timeout", "media.max-size",
    "remind.days-before", "remind.hours-before" };
static const char *channel_numbers[] = { "limit", "timeout",
    "max-attachment" };

struct config *
config_empty(void)
{
	return xcalloc(1, sizeof(struct config));
}

static yaml_node_t *node(const struct config *c, int id);

/*
 * Every node is reached once (an alias would reach its anchor again: a
 * "billion laughs" document is refused, not walked) and no deeper than
 * MAX_DEPTH.  libyaml numbers a collection before its items, so one pass
 * in node order sees each parent before its children.
 */
static int
check_shape(struct config *c, const char *base)
{
	yaml_node_t *start = c->doc.nodes.start;
	size_t n = (size_t)(c->doc.nodes.top - start);
	int *depth = xcalloc(n + 1, sizeof(*depth)), r = 0;

	for (size_t i = 0; i < n && r == 0; i++) {
		yaml_node_t *nd = &start[i];
		int kids[2], nk;
		size_t len = nd->type == YAML_SEQUENCE_NODE ?
		    (size_t)(nd->data.sequence.items.top -
		    nd->data.sequence.items.start) :
		    nd->type == YAML_MAPPING_NODE ?
		    (size_t)(nd->data.mapping.pairs.top -
		    nd->data.mapping.pairs.start) : 0;

		for (size_t k = 0; k < len && r == 0; k++) {
			if (nd->type == YAML_SEQUENCE_NODE) {
				kids[0] = nd->data.sequence.items.start[k];
				nk = 1;
			} else {
				kids[0] = nd->data.mapping.pairs.start[k].key;
				kids[1] = nd->data.mapping.pairs.start[k].value;
				nk = 2;
			}
			for (int j = 0; j < nk && r == 0; j++) {
				int id = kids[j];

				if (id < 1 || (size_t)id > n || id <= (int)i + 1 ||
				    depth[id]) {
					r = inbox_error(INBOX_EDATA, "%s:%zu: "
					    "aliases (*name) are not supported",
					    base, (id >= 1 && (size_t)id <= n ?
					    start[id - 1].start_mark.line :
					    nd->start_mark.line) + 1);
					break;
				}
				depth[id] = depth[i + 1] + 1;
				if (depth[id] > MAX_DEPTH)
					r = inbox_error(INBOX_EDATA, "%s:%zu: "
					    "nested deeper than %d levels",
					    base, start[id - 1].start_mark.line +
					    1, MAX_DEPTH);
			}
		}
	}
	free(depth);
	return r;
}

/* A whole-number setting that is there is digits only. */
static int
check_number(struct config *c, const char *base, int id, const char *name)
{
	yaml_node_t *nd = node(c, id);
	const char *v = config_scalar(c, id);

	if (!nd)
		return 0;
	if (v && *v && strlen(v) < 10 && strspn(v, "0123456789") == strlen(v))
		return 0;
	return inbox_error(INBOX_EDATA, "%s:%zu: %s must be a whole number "
	    "below 1000000000%s%s%s", base, nd->start_mark.line + 1, name,
	    v ? ", not '" : "", v ? v : "", v ? "'" : "");
}

static int
check_numbers(struct config *c, const char *base)
{
	int ch = config_node(c, 0, "channels");

	for (size_t i = 0; i < sizeof(numbers) / sizeof(*numbers); i++)
		if (check_number(c, base, config_node(c, 0, numbers[i]),
		    numbers[i]) < 0)
			return -1;
	for (size_t i = 0; i < config_len(c, ch); i++) {
		const char *name = NULL;
		int sect = config_item(c, ch, i, &name);

		for (size_t k = 0; k < sizeof(channel_numbers) /
		    sizeof(*channel_numbers); k++) {
			char what[128];

			snprintf(what, sizeof(what), "channels.%s.%s",
			    name ? name : "?", channel_numbers[k]);
			if (check_number(c, base, config_node(c, sect,
			    channel_numbers[k]), what) < 0)
				return -1;
		}
	}
	return 0;
}

int
config_load(struct config **out, const char *path)
{
	struct config *c = config_empty();
	yaml_parser_t p;
	struct sb s = SB_INIT;
	yaml_node_t *root;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	*out = c;
	if (sb_read_file(&s, path, 1 << 20) < 0) {
		sb_release(&s);
		if (inbox_errcode() == INBOX_ENOMATCH) {
			inbox_error_clear();
			return 0;
		}
		{
			/* copy: the message is the buffer we write into */
			char msg[512];
			int code = inbox_errcode() == INBOX_EDATA ?
			    INBOX_EDATA : INBOX_EFAIL;

			snprintf(msg, sizeof(msg), "%s", inbox_errmsg());
			return inbox_error(code, "%s: %s", base, msg);
		}
	}
	if (!yaml_parser_initialize(&p)) {
		sb_release(&s);
		return inbox_error(INBOX_EFAIL, "cannot start YAML parser");
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)s.buf,
	    s.len);
	if (!yaml_parser_load(&p, &c->doc)) {
		inbox_error(INBOX_EDATA, "%s:%zu: %s", base,
		    p.problem_mark.line + 1,
		    p.problem ? p.problem : "syntax error");
		yaml_parser_delete(&p);
		sb_release(&s);
		return -1;
	}
	c->loaded = 1;
	{
		/* one document: a second one would be ignored in silence */
		yaml_document_t more;
		int ok = yaml_parser_load(&p, &more), extra;

		extra = ok && yaml_document_get_root_node(&more);
		if (extra || !ok)
			inbox_error(INBOX_EDATA, "%s:%zu: %s", base,
			    (extra ? more.start_mark.line :
			    p.problem_mark.line) + 1, extra ? "more than one "
			    "document (---)" : p.problem ? p.problem :
			    "syntax error");
		if (ok)
			yaml_document_delete(&more);
		if (extra || !ok) {
			yaml_parser_delete(&p);
			sb_release(&s);
			return -1;
		}
	}
	yaml_parser_delete(&p);
	sb_release(&s);
	root = yaml_document_get_root_node(&c->doc);
	if (root && root->type != YAML_MAPPING_NODE &&
	    !(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
		return inbox_error(INBOX_EDATA, "%s:1: top level is not a "
		    "mapping of settings", base);
	if (check_shape(c, base) < 0 || check_numbers(c, base) < 0)
		return -1;
	return 0;
}

void
config_free(struct config *c)
{
	if (!c)
		return;
	if (c->loaded)
		yaml_document_delete(&c->doc);
	free(c);
}

static yaml_node_t *
node(const struct config *c, int id)
{
	if (!c || !c->loaded || id <= 0)
		return NULL;
	return yaml_document_get_node((yaml_document_t *)&c->doc, id);
}

static int
root_id(const struct config *c)
{
	yaml_node_t *r;

	if (!c || !c->loaded)
		return 0;
	r = yaml_document_get_root_node((yaml_document_t *)&c->doc);
	return r ? (int)(r - c->doc.nodes.start) + 1 : 0;
}

static int
map_get(const struct config *c, int id, const char *key, size_t klen)
{
	yaml_node_t *n = node(c, id);
	yaml_node_pair_t *pr;

	if (!n || n->type != YAML_MAPPING_NODE)
		return 0;
	for (pr = n->data.mapping.pairs.start;
	    pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(c, pr->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == klen &&
		    memcmp(k->data.scalar.value, key, klen) == 0)
			return pr->value;
	}
	return 0;
}

int
config_node(const struct config *c, int from, const char *path)
{
	int id = from ? from : root_id(c);

	while (id && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);

		id = map_get(c, id, path, n);
		path += n + (dot != NULL);
	}
	return id;
}

const char *
config_scalar(const struct config *c, int id)
{
	yaml_node_t *n = node(c, id);

	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

const char *
config_str(const struct config *c, const char *path, const char *def)
{
	const char *v = config_scalar(c, config_node(c, 0, path));

	return v && *v ? v : def;
}

long long
config_int(const struct config *c, const char *path, long long def)
{
	const char *v = config_str(c, path, NULL);
	char *end;
	long long r;

	if (!v)
		return def;
	r = strtoll(v, &end, 10);
	return *end ? def : r;
}

int
config_bool(const struct config *c, const char *path, int def)
{
	const char *v = config_str(c, path, NULL);

	if (!v)
		return def;
	if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
	    !strcasecmp(v, "on") || !strcmp(v, "1"))
		return 1;
	if (!strcasecmp(v, "false") || !strcasecmp(v, "no") ||
	    !strcasecmp(v, "off") || !strcmp(v, "0"))
		return 0;
	return def;
}

size_t
config_len(const struct config *c, int id)
{
	yaml_node_t *n = node(c, id);

	if (!n)
		return 0;
	if (n->type == YAML_SEQUENCE_NODE)
		return (size_t)(n->data.sequence.items.top -
		    n->data.sequence.items.start);
	if (n->type == YAML_MAPPING_NODE)
		return (size_t)(n->data.mapping.pairs.top -
		    n->data.mapping.pairs.start);
	return 0;
}

int
config_item(const struct config *c, int id, size_t i, const char **key)
{
	yaml_node_t *n = node(c, id);

	if (key)
		*key = NULL;
	if (!n || i >= config_len(c, id))
		return 0;
	if (n->type == YAML_SEQUENCE_NODE)
		return n->data.sequence.items.start[i];
	if (key)
		*key = config_scalar(c, n->data.mapping.pairs.start[i].key);
	return n->data.mapping.pairs.start[i].value;
}

int
config_is_map(const struct config *c, int id)
{
	yaml_node_t *n = node(c, id);

	return n && n->type == YAML_MAPPING_NODE;
}

int
config_is_seq(const struct config *c, int id)
{
	yaml_node_t *n = node(c, id);

	return n && n->type == YAML_SEQUENCE_NODE;
}
