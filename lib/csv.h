/*
 * csv.h - reading comma-separated values (RFC 4180), as spreadsheets and
 * the customer exports of field-service apps write them.
 *
 * Fields are separated by commas and records by line feeds; a CR before a
 * line feed is dropped, so CRLF files read the same.  A field that starts
 * with '"' is quoted: it runs to the closing quote and may hold commas,
 * CRs and line breaks; "" inside it is one quote.  A UTF-8 byte order
 * mark at the start is skipped.  Fields are not trimmed.
 *
 *	struct csv r;
 *	char **f;
 *	size_t nf;
 *	int line, x;
 *
 *	if (csv_init(&r, buf, len) < 0)
 *		return -1;
 *	while ((x = csv_next(&r, &f, &nf, &line)) > 0) {
 *		... f[0] .. f[nf - 1] ...
 *		csv_free(f, nf);
 *	}
 *	if (x < 0)
 *		return -1;
 */
#ifndef INBOX_CSV_H
#define INBOX_CSV_H

#include <stddef.h>

/* A reader over text in memory; the text is not copied and must outlive
 * the reader. */
struct csv {
	const char *p, *end;
	int line;		/* the line p is on, from 1 */
};

/*
 * Start reading the len bytes at buf: skip a UTF-8 byte order mark.
 * Returns 0, or -1 with class 65 "a NUL byte: not a CSV file" when the
 * text holds a NUL byte.
 */
int csv_init(struct csv *r, const char *buf, size_t len);

/*
 * The next record: its fields into *f (a malloc'd array of nf malloc'd
 * strings, free with csv_free()) and the line it starts on into *start.
 * Returns 1 for a record, 0 at the end of the text (*f is NULL), or -1
 * with class 65 "line N: a quote that never closes".  An empty line is a
 * record of one empty field.
 */
int csv_next(struct csv *r, char ***f, size_t *nf, int *start);

/* Free the fields of a record. */
void csv_free(char **f, size_t nf);

#endif
