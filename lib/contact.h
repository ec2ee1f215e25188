/*
 * contact.h - customers and staff as inbox-contact adds, edits, lists and
 * imports them.  The records themselves (contacts/<h>/<id>, key: value
 * files) and the address index are read and written by the contact_*
 * functions of conv.h; this module holds what sits above them: the field
 * order, building a contact from options, refusing an address another
 * contact owns, listing, and merging a CSV export into the store.
 *
 * The fields of a contact file, in this order, then any others in their
 * own order:
 *
 *	name kind group phone email whatsapp login role note created
 *
 * phone and email repeat; kind is "customer" or "staff".
 *
 * Nothing here prints: an address that gains a contact while it still has
 * a conversation of its own is returned as a hint (struct contact_hints),
 * a CSV row that is skipped as a warning (struct contact_warning), for
 * the command to word.
 */
#ifndef INBOX_CONTACT_H
#define INBOX_CONTACT_H

#include <stddef.h>

#include "conv.h"
#include "kv.h"
#include "store.h"

/* The known fields in their order, NULL-terminated. */
extern const char *const contact_fields[];

/* Copy in to out (appending) with the known fields first, in their
 * order, then the others in theirs. */
void contact_canon(const struct kv *in, struct kv *out);
/* Append to s the fields whose values differ between a and b, each
 * once, "name, phone", in the order a then b has them. */
void contact_changed(const struct kv *a, const struct kv *b, struct sb *s);

/* An address that gained a contact but has a conversation of its own
 * (conv), which inbox-link can move. */
struct contact_hint {
	char *addr;
	char conv[CONV_ID_LEN + 1];
};

struct contact_hints {
	struct contact_hint *v;
	size_t n, cap;
};
#define CONTACT_HINTS_INIT { NULL, 0, 0 }
void contact_hints_free(struct contact_hints *h);

/* Strings given on the command line (not copied). */
struct contact_list {
	const char **v;
	size_t n;
};

/* What to add, or what to change: each NULL or empty list is "not
 * given".  Values are as typed: numbers are normalised to E.164 with
 * the store's country, emails lowercased. */
struct contact_opts {
	const char *id;		/* add: the id (else one from the name) */
	const char *name, *group, *whatsapp, *login, *role, *note;
	int staff;		/* add: a staff member, id = login */
	struct contact_list phones, emails;			/* add */
	struct contact_list addphones, rmphones, addemails, rmemails;	/* edit */
};

/*
 * Add a contact: build it from o (kind, group "customer" or "staff",
 * role "tech" for staff, created now), take the store lock, pick its id
 * and write it with one commit "add KIND ID (NAME)".  *id gets the id
 * (malloc'd); addresses with a conversation of their own are appended to
 * h.  -1 with an error, nothing written: class 64 for an empty name, 65
 * for a bad number, email or value, 3 when the id is taken or an address
 * belongs to another contact, 75 when the lock is busy.
 */
int contact_add(struct store *st, const struct contact_opts *o, char **id,
    struct contact_hints *h);

/*
 * Edit the contact arg names (an id, number, email or login, see
 * contact_find()): take the store lock, set name, group, role and note,
 * remove then add the numbers and emails of o.  When that changes it,
 * write it with one commit "edit KIND ID (NAME): FIELDS" and return 1;
 * return 0 when it is unchanged (no commit).  *id gets the contact's id
 * (malloc'd) and h the hints, as for contact_add().  -1 with an error,
 * nothing written, *id NULL: class 1 for no such contact or an address
 * to remove it does not have, 64 for an empty name or a role for a
 * customer, 65 and 3 as for contact_add().
 */
int contact_edit(struct store *st, const char *arg,
    const struct contact_opts *o, char **id, struct contact_hints *h);

/* Every contact id in the store, sorted (malloc'd array of malloc'd
 * strings, free with strv_free()); NULL when there are none. */
char **contact_ids(struct store *st, size_t *n);

/* Which contacts a listing shows; zero for all. */
struct contact_filter {
	int staff;		/* only staff */
	int customers;		/* only those that are not staff */
	const char *group;	/* only this group */
	const char *search;	/* see contact_match() */
};

/*
 * 1 when contact id (its fields kv) passes filter f.  The search text
 * matches case-insensitively in the id and in any value but the created
 * time, or, when it is a number (digits, blanks and "+-()." with at
 * least 4 digits), its digits match in one of the contact's numbers.
 */
int contact_match(const char *id, const struct kv *kv,
    const struct contact_filter *f);

/* One line of JSON (malloc'd, no newline): "id", the known fields the
 * contact has in their order, "phones" and "emails" as arrays (perhaps
 * empty) in place of phone and email, then any other field with its
 * first value. */
char *contact_json(const char *id, const struct kv *kv);

/* --- import -------------------------------------------------------- */

/* The kinds of column an import understands. */
enum contact_col {
	CONTACT_COL_NONE, CONTACT_COL_ID, CONTACT_COL_NAME,
	CONTACT_COL_FIRST, CONTACT_COL_LAST, CONTACT_COL_COMPANY,
	CONTACT_COL_PHONE, CONTACT_COL_EMAIL, CONTACT_COL_GROUP
};

/* The kind of column a header names, as Jobber, Housecall Pro and
 * spreadsheets name them: case, '_' for a blank and a trailing number
 * do not count ("Mobile_Phone 2" is a phone, "Client ID" an id). */
enum contact_col contact_column(const char *header);
/* A group from a "Type" column, lowercase letters and digits with
 * single dashes: "Service Pro" -> "service-pro" (malloc'd, perhaps
 * empty). */
char *contact_group_slug(const char *type);

/* A contact the import adds (isnew) or changes, with its new fields. */
struct contact_change {
	char *id;
	struct kv kv;
	int isnew;
};

/* A row skipped: its first line, the error's class (65 or 3) and
 * message ("no name"). */
struct contact_warning {
	int line;
	int code;
	char *msg;
};

struct contact_claim {
	char *addr, *id;
};

/*
 * An import.  After contact_import_read() the plan is in p (np changes,
 * in the order of the rows that first touched them) and the skipped rows
 * in w (nw); contact_import_write() drops the changes later rows undid,
 * writes the rest and fills hints.  The other members are private.
 */
struct contact_import {
	struct contact_change *p;
	size_t np;
	struct contact_warning *w;
	size_t nw;
	struct contact_hints hints;
	size_t added, updated;	/* counted by contact_import_write() */
	int file_error;		/* the last error is about the file */

	struct store *st;
	int dryrun;
	size_t pcap, wcap;
	struct contact_claim *a;	/* addresses the import gives out */
	size_t na, acap;
};

/* Start an import into st; with dryrun nothing is locked or written. */
void contact_import_init(struct contact_import *im, struct store *st,
    int dryrun);

/*
 * Read the CSV text buf (csv.h): a header row with at least one name
 * column (name, first or last name, company), then one contact a row.
 * A row with an id column is that contact; without, it is the contact
 * that has one of its numbers or emails, else a new one with an id from
 * its name.  A row's name replaces the contact's, its group (a slug of
 * the type column) too, and its numbers and emails are added.  A row
 * with bad data (class 65) or an address of another contact (class 3)
 * is skipped with a warning; blank rows are ignored.  Takes the store
 * lock unless dry-run.  0, or -1 with an error; im->file_error is set
 * when the file cannot be read as contacts (class 65: a NUL byte, no
 * header row, no name column, a quote that never closes) and the caller
 * should name the file before the message.
 */
int contact_import_read(struct contact_import *im, const char *buf,
    size_t len);

/*
 * Drop the changes that leave a contact as it is in the store, count
 * the rest in added and updated and, unless dry-run, write them with
 * one commit "import N contacts from NAME[, update N contacts]" or
 * "update N contacts from NAME" (only the last component of name, the
 * file's name, is used).  Fills hints, dry-run or not.  0, or -1 with
 * an error.
 */
int contact_import_write(struct contact_import *im, const char *name);

void contact_import_free(struct contact_import *im);

#endif
