/*
 * staff.c - the staff list.
 */
#include <dirent.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "conv.h"
#include "staff.h"

/* The value under key in a mapping, matched whole: logins and
 * capabilities hold dots, so a dotted path cannot name them. */
static int
map_key(const struct config *c, int node, const char *key)
{
	for (size_t i = 0; i < config_len(c, node); i++) {
		const char *k;
		int v = config_item(c, node, i, &k);

		if (k && !strcmp(k, key))
			return v;
	}
	return 0;
}

/* The node of staff.LOGIN in inbox.yaml, 0 when there is none. */
static int
staff_node(struct store *st, const char *login)
{
	int node = config_node(st->cfg, 0, "staff");

	return config_is_map(st->cfg, node) ? map_key(st->cfg, node, login) :
	    0;
}

static int
staff_contact(struct store *st, const char *login, struct kv *kv)
{
	if (!name_valid(login) || contact_load(st, login, kv) < 0) {
		inbox_error_clear();
		return 0;
	}
	return kv_has(kv, "kind", "staff");
}

int
staff_configured(struct store *st)
{
	char *p;
	DIR *d;
	struct dirent *e;
	int found = 0;

	if (st->staff >= 0)
		return st->staff;
	if (config_len(st->cfg, config_node(st->cfg, 0, "staff")) > 0)
		return st->staff = 1;
	/* staff contacts are listed in idx/staff/ by contact_save */
	p = store_path(st, "idx/staff");
	d = opendir(p);
	free(p);
	while (d && !found && (e = readdir(d)))
		found = e->d_name[0] != '.';
	if (d)
		closedir(d);
	return st->staff = found;
}

int
staff_known(struct store *st, const char *login)
{
	struct kv kv = KV_INIT;
	int r;

	if (!name_valid(login))
		return 0;
	r = staff_node(st, login) != 0;
	if (!r)
		r = staff_contact(st, login, &kv);
	kv_free(&kv);
	return r || !staff_configured(st);
}

int
staff_check(struct store *st, const char *login)
{
	if (!name_valid(login))
		return inbox_error(INBOX_EUSAGE, "'%s' is not a staff login",
		    login);
	if (!staff_known(st, login))
		return inbox_error(INBOX_EUSAGE, "unknown staff member %s",
		    login);
	return 0;
}

const char *
staff_field(struct store *st, const char *login, const char *field)
{
	int node = staff_node(st, login), n = 0;
	const char *v = NULL;

	/* "customers.chat: false" is one key, "customers: {chat: false}"
	 * a path */
	if (node && !(n = map_key(st->cfg, node, field)))
		n = config_node(st->cfg, node, field);
	if (n && (v = config_scalar(st->cfg, n)) && !*v)
		v = NULL;
	if (!v) {
		/* a staff contact's own field; kept for the life of st */
		static struct kv kv = KV_INIT;
		static char who[128];

		if (strcmp(who, login)) {
			kv_free(&kv);
			who[0] = '\0';
			if (staff_contact(st, login, &kv))
				snprintf(who, sizeof(who), "%s", login);
		}
		if (*who)
			v = kv_get(&kv, field);
	}
	return v;
}

int
staff_list(struct store *st, char ***v, size_t *n)
{
	int node = config_node(st->cfg, 0, "staff");
	size_t len = config_len(st->cfg, node);

	*v = xcalloc(len + 1, sizeof(char *));
	*n = 0;
	for (size_t i = 0; i < len; i++) {
		const char *key;

		config_item(st->cfg, node, i, &key);
		if (key && name_valid(key))
			(*v)[(*n)++] = xstrdup(key);
	}
	return 0;
}
