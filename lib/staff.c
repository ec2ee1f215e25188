/*
 * staff.c - the staff list.
 */
#include <dirent.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "conv.h"
#include "staff.h"

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
	/* staff contacts: grep-able "kind: staff" files */
	p = store_path(st, "contacts");
	d = opendir(p);
	free(p);
	while (d && !found && (e = readdir(d))) {
		struct sb sub = SB_INIT;
		DIR *d2;
		struct dirent *e2;

		if (e->d_name[0] == '.')
			continue;
		sb_addf(&sub, "%s/contacts/%s", st->root, e->d_name);
		d2 = opendir(sub.buf);
		while (d2 && !found && (e2 = readdir(d2))) {
			struct kv kv = KV_INIT;

			if (e2->d_name[0] != '.')
				found = staff_contact(st, e2->d_name, &kv);
			kv_free(&kv);
		}
		if (d2)
			closedir(d2);
		sb_release(&sub);
	}
	if (d)
		closedir(d);
	return st->staff = found;
}

int
staff_known(struct store *st, const char *login)
{
	struct sb k = SB_INIT;
	struct kv kv = KV_INIT;
	int r;

	if (!name_valid(login))
		return 0;
	sb_addf(&k, "staff.%s", login);
	r = config_node(st->cfg, 0, k.buf) != 0;
	sb_release(&k);
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
	struct sb k = SB_INIT;
	const char *v;

	sb_addf(&k, "staff.%s.%s", login, field);
	v = config_str(st->cfg, k.buf, NULL);
	sb_release(&k);
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
