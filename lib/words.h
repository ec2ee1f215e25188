/*
 * words.h - the word index behind inbox-ls -s: which conversations have a
 * word in the text of their messages.
 *
 * Like the summaries it is a cache in .git/inbox/, never the truth:
 * deleting it loses nothing, and it is rebuilt from the messages.  It has
 * two files:
 *
 *	words      every word of the store at one commit, sorted, each with
 *	           the conversations it is in
 *	words.log  conversations that changed since: "ID<TAB>word word ...",
 *	           the last line for an id wins, and "H<TAB>commit" marks
 *
 * A search catches words.log up with HEAD (the conversations that changed,
 * from the journal of commits or a tree diff, like the summaries) and
 * folds it into words when it has grown.  A word here is a run of ASCII
 * letters and digits or of bytes of UTF-8 sequences, lower-cased: a search
 * made only of such bytes is in the text exactly when it is inside one of
 * its words, so the index answers it alone.  Other searches ("no heat",
 * "$120") take the conversations that have all their words and look in
 * their messages.
 */
#ifndef INBOX_WORDS_H
#define INBOX_WORDS_H

#include <stddef.h>
#include "store.h"

struct words_hits {
	char (*ids)[16];	/* sorted conversation ids */
	size_t n;
	int verify;		/* the ids may have it: look in the text */
};

/*
 * The conversations whose messages may hold `q` (case-insensitive).
 * Returns 0, or 1 when the index cannot narrow it (no word in q): look in
 * every conversation.  -1 on error.
 */
int words_query(struct store *st, const char *q, struct words_hits *h);
/* 1 when id is among the hits. */
int words_has(const struct words_hits *h, const char *id);
void words_hits_free(struct words_hits *h);

/* Rebuild the index from the messages (inbox-maint). */
int words_rebuild(struct store *st);
/* Forget it (inbox-fsck --reindex). */
int words_reset(struct store *st);

/* 1 when c is a byte of a word. */
int words_char(int c);

#endif
