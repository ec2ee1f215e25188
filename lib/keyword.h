/*
 * keyword.h - what an inbound text asks for: opt out (STOP, STOPALL,
 * UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT, ARRET), opt in (START,
 * UNSTOP, RESTART, SUBSCRIBE, ENROLL, YES), help (HELP, INFO), in any
 * case with blanks around and trailing punctuation ("Stop.", " stop ").
 * A text that asks to stop in other words ("please stop texting me",
 * "Stop. Thank you") is not a keyword but needs a person's attention;
 * CANCEL, END and QUIT opening a sentence ("Cancel my appointment") are
 * everyday words, not a request to stop.
 */
#ifndef INBOX_KEYWORD_H
#define INBOX_KEYWORD_H

enum keyword { KW_NONE, KW_OPTOUT, KW_OPTIN, KW_HELP, KW_ATTENTION };

/* Classify a message body; *word gets the keyword as written upper-cased
 * (a static buffer) for KW_OPTOUT/KW_OPTIN/KW_HELP. */
enum keyword keyword_of(const char *body, const char **word);

#endif
