/*
 * media.h - fetch the photos and videos of inbound MMS and WhatsApp
 * messages, so they are kept in the message itself as MIME parts that
 * mutt and mblaze can open.  Twilio media URLs take the account's Basic
 * auth; WhatsApp media ids are resolved through the Graph API with the
 * Bearer token.  At most media.max-size bytes each (default 5 MiB).
 */
#ifndef INBOX_MEDIA_H
#define INBOX_MEDIA_H

#include "event.h"
#include "store.h"

/*
 * Fetch every media item of the event that has no data yet.  A failure
 * never fails the event: the item keeps its URL and gets an error text.
 * Returns the number fetched.
 */
int media_fetch(struct store *st, struct event *ev);

struct msg;

/*
 * Fetch again the media a stored message could not get when it arrived
 * (its X-Inbox-Media-Error headers) and, when every item now comes,
 * rewrite the message with them as MIME parts.  Returns 1 when the
 * message was rewritten, 0 when something is still missing (the reason
 * stays in the header), -1 on an error of the store.
 */
int media_refetch(struct store *st, struct msg *m);

#endif
