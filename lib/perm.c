/*
 * perm.c - roles and capabilities.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "perm.h"
#include "staff.h"

static const char *const all_caps[] = { "messages.view",
	"messages.view_all", "messages.send", "messages.send_gated",
	"messages.approve", "messages.assign", "messages.archive",
	"customers.chat", "settings.edit", NULL };

static const char *const office_caps[] = { "messages.view",
	"messages.view_all", "messages.send", "messages.send_gated",
	"messages.approve", "messages.assign", "messages.archive",
	"customers.chat", NULL };

static const char *const tech_caps[] = { "messages.view", "messages.send",
	"customers.chat", NULL };

static int
in_list(const char *const *l, const char *cap)
{
	for (; *l; l++)
		if (!strcmp(*l, cap))
			return 1;
	return 0;
}

const char *
perm_role(struct store *st, const char *user)
{
	const char *r;

	if (!staff_configured(st))
		return "admin";
	r = staff_field(st, user, "role");
	return r ? r : "tech";
}

/* A capability of a role: built in, or listed under roles.NAME. */
static int
role_has(struct store *st, const char *role, const char *cap)
{
	int roles = config_node(st->cfg, 0, "roles"), node = 0, found;

	/* the role's name matched whole, dots and all */
	for (size_t i = 0; !node && i < config_len(st->cfg, roles); i++) {
		const char *key;
		int v = config_item(st->cfg, roles, i, &key);

		if (key && !strcmp(key, role))
			node = v;
	}
	if (node) {
		found = 0;
		for (size_t i = 0; i < config_len(st->cfg, node); i++) {
			const char *v = config_scalar(st->cfg,
			    config_item(st->cfg, node, i, NULL));

			if (v && (!strcmp(v, cap) || !strcmp(v, "all")))
				found = 1;
		}
		return found;
	}
	if (!strcmp(role, "admin"))
		return in_list(all_caps, cap);
	if (!strcmp(role, "office"))
		return in_list(office_caps, cap);
	if (!strcmp(role, "tech"))
		return in_list(tech_caps, cap);
	return 0;
}

int
perm_has(struct store *st, const char *user, const char *cap)
{
	const char *v;

	if (!staff_configured(st))
		return 1;
	if (!staff_known(st, user))
		return 0;
	/* a per-person override: staff.LOGIN.CAP: true | false (the key
	 * holds a dot: staff_field looks it up whole) */
	if ((v = staff_field(st, user, cap))) {
		if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
		    !strcasecmp(v, "on") || !strcmp(v, "1"))
			return 1;
		if (!strcasecmp(v, "false") || !strcasecmp(v, "no") ||
		    !strcasecmp(v, "off") || !strcmp(v, "0"))
			return 0;
	}
	return role_has(st, perm_role(st, user), cap);
}

int
perm_actor(struct store *st)
{
	if (!staff_configured(st) || staff_known(st, st->user))
		return 0;
	return inbox_error(INBOX_EPOLICY, "%s is not on the staff list",
	    st->user);
}

int
perm_require(struct store *st, const char *cap)
{
	if (perm_actor(st) < 0)
		return -1;
	if (perm_has(st, st->user, cap))
		return 0;
	return inbox_error(INBOX_EPOLICY, "%s may not do this (needs %s)",
	    st->user, cap);
}

int
perm_sees(struct store *st, const char *members, const char *assignee)
{
	size_t n = strlen(st->user);

	if (perm_has(st, st->user, "messages.view_all"))
		return 1;
	if (!perm_has(st, st->user, "messages.view"))
		return 0;
	if (assignee && !strcmp(assignee, st->user))
		return 1;
	for (const char *p = members; p && *p;) {
		size_t k = strcspn(p, " \n");

		if (k == n && !strncmp(p, st->user, n))
			return 1;
		p += k + (p[k] != '\0');
	}
	return 0;
}
