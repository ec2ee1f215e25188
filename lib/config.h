/*
 * config.h - inbox.yaml, read with libyaml.
 *
 * The document is kept as libyaml parsed it.  Aliases (*name), a second
 * document and nesting deeper than 32 levels are refused when it is
 * loaded, so an alias bomb ("billion laughs") costs nothing.  Values are
 * found by a dotted path ("business.country", "channels.sms.transport");
 * a node handle (int, 0 = none) walks maps and sequences.
 */
#ifndef INBOX_CONFIG_H
#define INBOX_CONFIG_H

#include <stddef.h>

struct config;

/* Load path; a missing file is an empty config.  -1 with class 65 and
 * "inbox.yaml:LINE: problem" on a syntax error, a top level that is not a
 * mapping, an alias, a second document, nesting over 32 levels, a number
 * setting (store.lock-timeout, send.tries, channels.NAME.limit...) that
 * is not a whole number, or a document over 1 MiB. */
int config_load(struct config **out, const char *path);
/* An empty configuration. */
struct config *config_empty(void);
void config_free(struct config *c);

/* Node at a dotted path below `from` (0 = the root); 0 when absent. */
int config_node(const struct config *c, int from, const char *path);
/* Scalar value of a node, NULL if not a scalar. */
const char *config_scalar(const struct config *c, int node);
/* Scalar at path, or def. */
const char *config_str(const struct config *c, const char *path,
    const char *def);
/* Integer at path, or def when absent or not a number (config_load
 * refuses the number settings it knows when they are not numbers). */
long long config_int(const struct config *c, const char *path,
    long long def);
/* Boolean (true/false/yes/no/on/off/1/0) at path, or def. */
int config_bool(const struct config *c, const char *path, int def);

/* Number of items of a sequence or pairs of a mapping (0 otherwise). */
size_t config_len(const struct config *c, int node);
/* Item i of a sequence, or value i of a mapping (and its key in *key). */
int config_item(const struct config *c, int node, size_t i,
    const char **key);
/* 1 if the node is a mapping / a sequence. */
int config_is_map(const struct config *c, int node);
int config_is_seq(const struct config *c, int node);

#endif
