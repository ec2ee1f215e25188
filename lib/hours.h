/*
 * hours.h - business hours, holidays and the quiet-hours sending window.
 *
 *	hours:                  business hours, in business.timezone
 *	  mon: "08:00-17:00"    one range a day, or "closed"; a range past
 *	  ...                   midnight ("22:00-03:00") runs into the
 *	                        next day's early hours
 *	holidays: [2026-12-25, 2026-12-26]
 *	quiet:                  when automatic messages may go out, in the
 *	  window: "08:00-21:00"  customer's time zone (contact timezone:,
 *	  types:                 else the business's)
 *	    reminder: "09:00-20:00"
 *	  regions:              contact region: -> window
 *	    FL: "08:00-20:00"
 */
#ifndef INBOX_HOURS_H
#define INBOX_HOURS_H

#include <time.h>
#include "store.h"

/* 1 when the business is open at t. */
int hours_open(struct store *st, time_t t);
/* The start of the closed period that contains t (t itself when open:
 * the caller checks hours_open first); bounded to 14 days back. */
time_t hours_closed_since(struct store *st, time_t t);

/*
 * The sending window for an automatic message of `type` to a contact
 * (NULL: business defaults).  Returns 1 when t is inside it, else 0 with
 * *next the time the window next opens.
 */
int quiet_ok(struct store *st, const char *contact, const char *type,
    time_t t, time_t *next);

#endif
