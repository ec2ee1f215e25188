/*
 * template.h - message templates with {{variables}}.
 *
 * A template is a file in the store's templates/ (which overrides the
 * shipped share/templates/): optional header lines, a blank line, then
 * the text.  Headers: "Subject:" (email), "WhatsApp-Template:" and
 * "WhatsApp-Language:" (the approved provider template to use outside the
 * 24-hour window, whose body parameters are "WhatsApp-Params:" variable
 * names separated by blanks), "Description:".  A file whose first line is
 * not a header is all text.
 *
 * {{name}} is replaced by the variable's value; {{ name }} with blanks
 * works too.  A variable without a value is an error (class 65), never an
 * empty string: "Hi ," must never reach a customer.
 */
#ifndef INBOX_TEMPLATE_H
#define INBOX_TEMPLATE_H

#include "kv.h"
#include "store.h"

struct template {
	char *name;
	char *path;		/* where it was found */
	struct kv headers;
	char *text;
};

/* Find and read template NAME; class 1 "no template NAME" when absent,
 * 64 when the name is not a plain name. */
int template_load(struct store *st, const char *name, struct template *t);
void template_free(struct template *t);
/* Render text with vars (key: variable name); the result is malloc'd. */
int template_render(const char *name, const char *text,
    const struct kv *vars, char **out);
/* Names of every template (store's and shipped), sorted, unique. */
int template_list(struct store *st, char ***names, size_t *n);
/*
 * Fill vars with what a message to a conversation can say: business.*,
 * customer.* (name, first_name, last_name, phone, email), and now.date,
 * now.time, in the business's time zone.  Job and tech variables are
 * added by the caller.
 */
void template_vars(struct store *st, const char *contact, struct kv *vars);
/* Date and time formats of the business's locale (templates.date-format,
 * templates.time-format in inbox.yaml). */
void template_time(struct store *st, time_t t, struct kv *vars,
    const char *prefix);

#endif
