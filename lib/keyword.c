/*
 * keyword.c - opt-out, opt-in and help keywords.
 */
#include <ctype.h>
#include <string.h>

#include "keyword.h"

static const char *optout[] = { "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL",
	"END", "QUIT", "REVOKE", "OPTOUT", "ARRET", NULL };
static const char *optin[] = { "START", "UNSTOP", "RESTART", "SUBSCRIBE",
	"ENROLL", "YES", NULL };
static const char *help[] = { "HELP", "INFO", NULL };
/* Opt-out words that are everyday words too: "Cancel my appointment",
 * "End of the day works" do not ask to stop. */
static const char *plain[] = { "CANCEL", "END", "QUIT", NULL };

/* Phrases that ask to stop without being a keyword (lower case). */
static const char *asks[] = { "stop text", "stop messag", "stop contact",
	"stop send", "stop call", "stop emailing", "unsubscribe", "opt out",
	"opt-out", "remove me", "do not text", "don't text", "dont text",
	"no more text", "no more messages", "take me off", "leave me alone",
	NULL };

static int
in(const char *w, const char **list)
{
	for (; *list; list++)
		if (!strcmp(w, *list))
			return 1;
	return 0;
}

enum keyword
keyword_of(const char *body, const char **word)
{
	static char w[32];
	char low[512];
	const char *p = body, *e;
	size_t n, k = 0;

	*word = NULL;
	while (*p && isspace((unsigned char)*p))
		p++;
	e = p + strlen(p);
	while (e > p && (isspace((unsigned char)e[-1]) ||
	    strchr(".!?,;:", e[-1])))
		e--;
	n = (size_t)(e - p);
	if (n > 0 && n < sizeof(w)) {
		for (size_t i = 0; i < n; i++)
			w[i] = (char)toupper((unsigned char)p[i]);
		w[n] = '\0';
		*word = w;
		if (in(w, optout))
			return KW_OPTOUT;
		if (in(w, optin))
			return KW_OPTIN;
		if (in(w, help))
			return KW_HELP;
		*word = NULL;
	}
	/* a keyword opening a longer text ("Stop. Thank you") */
	for (const char *q = p; *q && k < sizeof(w) - 1 &&
	    isalpha((unsigned char)*q); q++)
		w[k++] = (char)toupper((unsigned char)*q);
	w[k] = '\0';
	if (k && in(w, optout) && p[k] && !isalnum((unsigned char)p[k]) &&
	    p[k] != '\'' && !(isspace((unsigned char)p[k]) && in(w, plain)))
		return KW_ATTENTION;
	for (k = 0; body[k] && k < sizeof(low) - 1; k++)
		low[k] = (char)tolower((unsigned char)body[k]);
	low[k] = '\0';
	for (const char **a = asks; *a; a++)
		if (strstr(low, *a))
			return KW_ATTENTION;
	return KW_NONE;
}
