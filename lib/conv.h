/*
 * conv.h - conversations, contacts and addresses.
 *
 * One conversation per customer: its id is derived by rule from what it
 * is about, so finding it never scans the store:
 *
 *	customer contact C      conv_id("contact:C")
 *	unknown address A       conv_id("addr:A")      (E.164 or email)
 *	withheld caller, call X conv_id("anon:X")
 *	team thread T           conv_id("team:T")
 *
 * conv_id() is the first 12 hex digits of SHA-1 of the key.  The
 * conversation lives in conv/<id[0:2]>/<id>/: a maildir (tmp/ new/ cur/)
 * and a "state" file of key: value lines (kv.h).
 *
 * Contacts (customers and staff) are contacts/<h[0:2]>/<contact-id>; each
 * address a contact has is indexed in addr/<h[0:2]>/<h> (h = SHA-1 of the
 * address), a small record that also carries per-address state such as
 * opt-out and landline marks.
 */
#ifndef INBOX_CONV_H
#define INBOX_CONV_H

#include <stddef.h>
#include "kv.h"
#include "store.h"

#define CONV_ID_LEN 12

struct conv {
	char id[CONV_ID_LEN + 1];
	struct kv st;		/* state */
	int exists;		/* a state file was there */
};

void conv_id(const char *key, char id[CONV_ID_LEN + 1]);
/* "conv/ab/abcdef123456" */
void conv_dir(const char *id, char *buf, size_t n);
/* 1 when s has the shape of a conversation id (12 lowercase hex). */
int conv_id_valid(const char *s);

/* Load a conversation's state; c->exists says whether it had one. */
int conv_load(struct store *st, const char *id, struct conv *c);
/* Write the state file into the store (and the next commit). */
int conv_save(struct store *st, struct conv *c);
void conv_free(struct conv *c);

/*
 * Resolve a command-line argument to an existing conversation: a full id,
 * a unique prefix of at least 4 hex digits, a contact id, a phone number
 * or an email address.  Class 1 when there is no such conversation, 64
 * when the argument is malformed or an ambiguous prefix.
 */
int conv_resolve(struct store *st, const char *arg,
    char id[CONV_ID_LEN + 1]);

/*
 * The conversation an address belongs to: its contact's, else the one
 * keyed on the address.  *contact gets the contact id (malloc'd) or NULL.
 */
int conv_for_address(struct store *st, const char *addr,
    char id[CONV_ID_LEN + 1], char **contact);

/* Normalise a phone number or email address with the store's country. */
int addr_normalize(struct store *st, const char *in, char *out, size_t n);

/* The address record path of addr: "addr/ab/<sha1 hex>". */
void addr_path(const char *addr, char *buf, size_t n);
/* Load / save an address record (1 when there is none). */
int addr_load(struct store *st, const char *addr, struct kv *kv);
int addr_save(struct store *st, const char *addr, struct kv *kv);

/* "contacts/ab/<id>" */
void contact_path(const char *cid, char *buf, size_t n);
int contact_load(struct store *st, const char *cid, struct kv *kv);
/*
 * Save a contact and keep the address index in step: addresses it gained
 * point at it, addresses it lost are released.  Class 3 when one of its
 * addresses already belongs to another contact.
 */
int contact_save(struct store *st, const char *cid, struct kv *kv);
/* Find a contact by id, phone, email or login; class 1 when none. */
int contact_find(struct store *st, const char *arg, char **cid);
/* A display name: the contact's name, else the address. */
char *contact_display(struct store *st, const char *cid, const char *addr);
/* A new contact id from a name ("Jane Doe" -> "jane-doe", "-2"...). */
char *contact_new_id(struct store *st, const char *name);

/* The relative paths of a conversation's messages in time order
 * (new/ and cur/ merged); *v is malloc'd, each string too. */
int conv_messages(struct store *st, const char *id, char ***v, size_t *n);
void strv_free(char **v, size_t n);

#endif
