/*
 * csv.c - an RFC 4180 reader over text in memory.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "csv.h"

int
csv_init(struct csv *r, const char *buf, size_t len)
{
	r->p = buf;
	r->end = buf + len;
	r->line = 1;
	if (len && memchr(buf, '\0', len))
		return inbox_error(INBOX_EDATA, "a NUL byte: not a CSV file");
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		r->p += 3;
	return 0;
}

void
csv_free(char **f, size_t nf)
{
	for (size_t i = 0; i < nf; i++)
		free(f[i]);
	free(f);
}

int
csv_next(struct csv *r, char ***f, size_t *nf, int *start)
{
	struct sb s = SB_INIT;
	size_t cap = 0;
	int q = 0, fresh = 1;

	*f = NULL;
	*nf = 0;
	if (r->p >= r->end)
		return 0;
	*start = r->line;
	for (;; r->p++) {
		int ch = r->p < r->end ? (unsigned char)*r->p : -1;

		if (ch == -1 && q) {
			sb_release(&s);
			csv_free(*f, *nf);
			*f = NULL;
			*nf = 0;
			return inbox_error(INBOX_EDATA, "line %d: a quote that "
			    "never closes", *start);
		}
		if (q && ch == '"' && r->p + 1 < r->end && r->p[1] == '"')
			sb_addc(&s, *r->p++);
		else if (ch == '"' && (q || fresh))
			q = !q;
		else if (q || (ch != ',' && ch != '\n' && ch != -1)) {
			r->line += ch == '\n';
			/* a CR is kept in quotes, dropped before a LF
			 * or at the end of the text */
			if (q || ch != '\r' || (r->p + 1 < r->end &&
			    r->p[1] != '\n'))
				sb_addc(&s, ch);
		} else {
			if (*nf == cap) {
				cap = cap ? 2 * cap : 16;
				*f = xrealloc(*f, cap * sizeof(**f));
			}
			(*f)[(*nf)++] = sb_detach(&s, NULL);
			if (ch != ',') {
				r->p += ch == '\n';
				r->line += ch == '\n';
				return 1;
			}
			fresh = 1;
			continue;
		}
		fresh = 0;
	}
}
