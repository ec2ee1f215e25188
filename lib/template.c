/*
 * template.c - {{variable}} templates.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "template.h"

static int
looks_like_header(const char *line, size_t n)
{
	size_t i = 0;

	while (i < n && (isalnum((unsigned char)line[i]) || line[i] == '-'))
		i++;
	return i > 0 && i < n && line[i] == ':';
}

int
template_load(struct store *st, const char *name, struct template *t)
{
	struct sb s = SB_INIT, p = SB_INIT;
	const char *body;

	memset(t, 0, sizeof(*t));
	if (!name_valid(name))
		return inbox_error(INBOX_EUSAGE, "'%s' is not a template name",
		    name);
	sb_addf(&p, "%s/templates/%s", st->root, name);
	if (!path_exists(p.buf)) {
		sb_reset(&p);
		sb_addf(&p, "%s/templates/%s", store_sharedir(), name);
	}
	if (sb_read_file(&s, p.buf, 65536) < 0) {
		sb_release(&s);
		sb_release(&p);
		return inbox_error(INBOX_ENOMATCH, "no template %s", name);
	}
	if (!utf8_valid(s.buf, s.len)) {
		sb_release(&s);
		sb_release(&p);
		return inbox_error(INBOX_EDATA, "template %s is not UTF-8",
		    name);
	}
	t->name = xstrdup(name);
	t->path = sb_detach(&p, NULL);
	body = s.buf;
	if (looks_like_header(s.buf, strcspn(s.buf, "\n"))) {
		const char *blank = strstr(s.buf, "\n\n");
		size_t hl = blank ? (size_t)(blank - s.buf + 1) : s.len;

		if (kv_parse(&t->headers, s.buf, hl) < 0) {
			sb_release(&s);
			template_free(t);
			return inbox_error(INBOX_EDATA, "template %s: %s",
			    name, inbox_errmsg());
		}
		body = blank ? blank + 2 : s.buf + s.len;
	}
	t->text = xstrdup(body);
	/* a template ends without the file's final newline */
	{
		size_t n = strlen(t->text);

		while (n && (t->text[n - 1] == '\n' || t->text[n - 1] == ' '))
			t->text[--n] = '\0';
	}
	sb_release(&s);
	return 0;
}

void
template_free(struct template *t)
{
	free(t->name);
	free(t->path);
	free(t->text);
	kv_free(&t->headers);
	memset(t, 0, sizeof(*t));
}

int
template_render(const char *name, const char *text, const struct kv *vars,
    char **out)
{
	struct sb s = SB_INIT;
	const char *p = text;

	while (*p) {
		const char *open = strstr(p, "{{"), *close;
		char key[128];
		const char *v;
		size_t n;

		if (!open) {
			sb_adds(&s, p);
			break;
		}
		sb_add(&s, p, (size_t)(open - p));
		close = strstr(open + 2, "}}");
		if (!close) {
			sb_release(&s);
			return inbox_error(INBOX_EDATA, "template %s: '{{' "
			    "without '}}'", name);
		}
		open += 2;
		while (open < close && *open == ' ')
			open++;
		n = (size_t)(close - open);
		while (n && open[n - 1] == ' ')
			n--;
		if (n == 0 || n >= sizeof(key)) {
			sb_release(&s);
			return inbox_error(INBOX_EDATA, "template %s: empty or "
			    "overlong variable", name);
		}
		memcpy(key, open, n);
		key[n] = '\0';
		v = kv_get(vars, key);
		if (!v || !*v) {
			sb_release(&s);
			return inbox_error(INBOX_EDATA, "template %s: no value "
			    "for {{%s}}", name, key);
		}
		sb_adds(&s, v);
		p = close + 2;
	}
	*out = sb_detach(&s, NULL);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
list_dir(const char *dir, char ***v, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (!name_valid(e->d_name) || str_endswith(e->d_name, "~"))
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 32;
			*v = xrealloc(*v, *cap * sizeof(char *));
		}
		(*v)[(*n)++] = xstrdup(e->d_name);
	}
	if (d)
		closedir(d);
}

int
template_list(struct store *st, char ***names, size_t *n)
{
	size_t cap = 0, j = 0;
	char *p = path_join(st->root, "templates");
	char *q = path_join(store_sharedir(), "templates");

	*names = NULL;
	*n = 0;
	list_dir(p, names, n, &cap);
	list_dir(q, names, n, &cap);
	free(p);
	free(q);
	if (*n)
		qsort(*names, *n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < *n; i++) {
		if (j && !strcmp((*names)[j - 1], (*names)[i])) {
			free((*names)[i]);
			continue;
		}
		(*names)[j++] = (*names)[i];
	}
	*n = j;
	return 0;
}

void
template_time(struct store *st, time_t t, struct kv *vars,
    const char *prefix)
{
	const char *tz = config_str(st->cfg, "business.timezone", "UTC");
	const char *df = config_str(st->cfg, "templates.date-format",
	    "%A %B %-d");
	const char *tf = config_str(st->cfg, "templates.time-format",
	    "%-I:%M %p");
	char buf[128];
	struct sb k = SB_INIT;

	time_fmt_tz(t, tz, df, buf, sizeof(buf));
	sb_addf(&k, "%s.date", prefix);
	kv_set(vars, k.buf, buf);
	time_fmt_tz(t, tz, tf, buf, sizeof(buf));
	sb_reset(&k);
	sb_addf(&k, "%s.time", prefix);
	kv_set(vars, k.buf, buf);
	sb_release(&k);
}

void
template_vars(struct store *st, const char *contact, struct kv *vars)
{
	static const char *biz[] = { "name", "phone", "email", "website" };
	struct kv c = KV_INIT;

	for (size_t i = 0; i < sizeof(biz) / sizeof(*biz); i++) {
		struct sb k = SB_INIT;
		const char *v;

		sb_addf(&k, "business.%s", biz[i]);
		if ((v = config_str(st->cfg, k.buf, NULL)))
			kv_set(vars, k.buf, v);
		sb_release(&k);
	}
	template_time(st, inbox_now(), vars, "now");
	if (!contact || contact_load(st, contact, &c) < 0) {
		inbox_error_clear();
		kv_free(&c);
		return;
	}
	if (kv_get(&c, "name")) {
		const char *name = kv_get(&c, "name");
		const char *sp = strchr(name, ' ');
		char *first = sp ? xstrndup(name, (size_t)(sp - name)) :
		    xstrdup(name);

		kv_set(vars, "customer.name", name);
		kv_set(vars, "customer.first_name", first);
		if (sp)
			kv_set(vars, "customer.last_name", sp + 1);
		free(first);
	}
	if (kv_get(&c, "phone"))
		kv_set(vars, "customer.phone", kv_get(&c, "phone"));
	if (kv_get(&c, "email"))
		kv_set(vars, "customer.email", kv_get(&c, "email"));
	kv_set(vars, "customer.id", contact);
	kv_free(&c);
}
