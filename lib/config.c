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

struct config *
config_empty(void)
{
	return xcalloc(1, sizeof(struct config));
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
	yaml_parser_delete(&p);
	sb_release(&s);
	c->loaded = 1;
	root = yaml_document_get_root_node(&c->doc);
	if (root && root->type != YAML_MAPPING_NODE &&
	    !(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
		return inbox_error(INBOX_EDATA, "%s:1: top level is not a "
		    "mapping of settings", base);
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
