/*
 * secret.c - credentials from the environment or secrets/.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "secret.h"

int
secret_get(struct store *st, const char *name, char **out)
{
	struct sb env = SB_INIT, val = SB_INIT;
	struct stat sbuf;
	const char *e;
	char *p, *rel;

	*out = NULL;
	if (!name_valid(name))
		return inbox_error(INBOX_EFAIL, "bad secret name '%s'", name);
	sb_adds(&env, "INBOX_SECRET_");
	for (const char *s = name; *s; s++)
		sb_addc(&env, *s == '-' || *s == '.' ? '_' :
		    toupper((unsigned char)*s));
	e = getenv(env.buf);
	sb_release(&env);
	if (e && *e) {
		*out = xstrdup(e);
		return 0;
	}
	rel = path_join("secrets", name);
	p = store_path(st, rel);
	free(rel);
	if (stat(p, &sbuf) < 0) {
		free(p);
		return 0;
	}
	if (sbuf.st_mode & 0077) {
		inbox_error(INBOX_EFAIL, "secrets/%s is readable by others "
		    "(chmod 600 it)", name);
		free(p);
		return -1;
	}
	if (sb_read_file(&val, p, 65536) < 0) {
		free(p);
		return -1;
	}
	free(p);
	sb_rtrim(&val);
	*out = sb_detach(&val, NULL);
	return 0;
}
