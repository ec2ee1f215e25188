/*
 * perm.c - roles and capabilities.
 */
#include <stdlib.h>
#include <string.h>

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
	struct sb k = SB_INIT;
	int node, found = -1;

	sb_addf(&k, "roles.%s", role);
	node = config_node(st->cfg, 0, k.buf);
	sb_release(&k);
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
	struct sb k = SB_INIT;
	int node;

	if (!staff_configured(st))
		return 1;
	if (!staff_known(st, user))
		return 0;
	/* a per-person override: staff.LOGIN.CAP: true | false */
	sb_addf(&k, "staff.%s.%s", user, cap);
	node = config_node(st->cfg, 0, k.buf);
	sb_release(&k);
	if (node && config_scalar(st->cfg, node)) {
		struct sb p = SB_INIT;
		int r;

		sb_addf(&p, "staff.%s.%s", user, cap);
		r = config_bool(st->cfg, p.buf, 0);
		sb_release(&p);
		return r;
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
