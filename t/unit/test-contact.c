/*
 * test-contact.c - the pure parts of contact.h: which column a CSV
 * header names, group slugs, the field order, the list of changed
 * fields, the listing filter and the JSON form.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "contact.h"
#include "unit.h"

static void
col(const char *header, enum contact_col want)
{
	char what[128];

	snprintf(what, sizeof(what), "column '%s'", header);
	CHECK_INT(contact_column(header), want, what);
}

static void
test_column(void)
{
	col("Mobile Phone", CONTACT_COL_PHONE);
	col("Mobile_Phone 2", CONTACT_COL_PHONE);
	col("phone_1", CONTACT_COL_PHONE);
	col("PHONE NUMBER", CONTACT_COL_PHONE);
	col("Home Phone", CONTACT_COL_PHONE);
	col("Cell", CONTACT_COL_PHONE);
	col("Client ID", CONTACT_COL_ID);
	col("client_id", CONTACT_COL_ID);
	col("id", CONTACT_COL_ID);
	col("Name", CONTACT_COL_NAME);
	col("Display  Name", CONTACT_COL_NAME);
	col("First Name", CONTACT_COL_FIRST);
	col("last_name", CONTACT_COL_LAST);
	col("Company Name", CONTACT_COL_COMPANY);
	col("E-mail", CONTACT_COL_EMAIL);
	col("Email Address", CONTACT_COL_EMAIL);
	col("Type", CONTACT_COL_GROUP);
	col("Customer Type", CONTACT_COL_GROUP);
	col("Tags", CONTACT_COL_NONE);
	col("Street", CONTACT_COL_NONE);
	col("", CONTACT_COL_NONE);
	col("Phones", CONTACT_COL_NONE);
	col("2", CONTACT_COL_NONE);
}

static void
slug(const char *in, const char *want)
{
	char *got = contact_group_slug(in), what[128];

	snprintf(what, sizeof(what), "slug '%s'", in);
	CHECK_STR(got, want, what);
	free(got);
}

static void
test_slug(void)
{
	slug("Service Pro", "service-pro");
	slug("Residential", "residential");
	slug("  A & B -- C  ", "a-b-c");
	slug("Tier 2", "tier-2");
	slug("---", "");
	slug("", "");
}

/* kv from "k=v" strings, NULL-terminated. */
static void
mkkv(struct kv *kv, const char *const *pairs)
{
	for (size_t i = 0; pairs[i]; i++) {
		const char *eq = strchr(pairs[i], '=');
		char *k = xstrndup(pairs[i], (size_t)(eq - pairs[i]));

		kv_add(kv, k, eq + 1);
		free(k);
	}
}

static const char *
fmt(const struct kv *kv)
{
	static struct sb s = SB_INIT;

	sb_reset(&s);
	for (size_t i = 0; i < kv->n; i++)
		sb_addf(&s, "%s%s=%s", i ? " " : "", kv->v[i].key,
		    kv->v[i].val);
	return s.buf;
}

static void
test_canon(void)
{
	static const char *const in[] = { "x-tag=1", "created=T",
		"email=a@b.co", "phone=+1", "name=N", "phone=+2", "kind=customer",
		"a=z", NULL };
	struct kv a = KV_INIT, b = KV_INIT;

	mkkv(&a, in);
	contact_canon(&a, &b);
	CHECK_STR(fmt(&b), "name=N kind=customer phone=+1 phone=+2 "
	    "email=a@b.co created=T x-tag=1 a=z",
	    "known fields first in order, others after in theirs");
	kv_free(&a);
	kv_free(&b);
}

static void
changed(const char *const *x, const char *const *y, const char *want,
    const char *what)
{
	struct kv a = KV_INIT, b = KV_INIT;
	struct sb s = SB_INIT;

	mkkv(&a, x);
	mkkv(&b, y);
	contact_changed(&a, &b, &s);
	CHECK_STR(s.buf, want, what);
	sb_release(&s);
	kv_free(&a);
	kv_free(&b);
}

static void
test_changed(void)
{
	static const char *const a[] = { "name=A", "phone=+1", "phone=+2",
		NULL };
	static const char *const b[] = { "name=B", "phone=+1", "phone=+2",
		NULL };
	static const char *const c[] = { "name=A", "phone=+1", "note=n",
		NULL };
	static const char *const d[] = { "name=A", "phone=+2", "phone=+1",
		NULL };

	changed(a, a, "", "nothing changed");
	changed(a, b, "name", "the name");
	changed(a, c, "phone, note", "a number removed, a note added");
	changed(a, d, "", "the same numbers in another order");
	changed(c, b, "name, phone, note", "each field once");
}

static void
test_match(void)
{
	static const char *const f[] = { "name=Jane Doe", "kind=customer",
		"group=vip", "phone=+15125550100", "created=2026-11-22", NULL };
	struct kv kv = KV_INIT;
	struct contact_filter all = { 0 }, staff = { 1, 0, NULL, NULL },
	    cust = { 0, 1, NULL, NULL }, vip = { 0, 0, "vip", NULL },
	    other = { 0, 0, "other", NULL };

	mkkv(&kv, f);
	CHECK(contact_match("jane-doe", &kv, &all), "no filter");
	CHECK(!contact_match("jane-doe", &kv, &staff), "not staff");
	CHECK(contact_match("jane-doe", &kv, &cust), "a customer");
	CHECK(contact_match("jane-doe", &kv, &vip), "group vip");
	CHECK(!contact_match("jane-doe", &kv, &other), "not group other");
#define S(q, want, what) do { \
	struct contact_filter s_ = { 0, 0, NULL, (q) }; \
	CHECK(contact_match("jane-doe", &kv, &s_) == (want), what); \
} while (0)
	S("JANE", 1, "search is case-insensitive");
	S("e-d", 1, "search the id");
	S("(512) 555-0100", 1, "search the digits of a number");
	S("0100", 1, "four digits are enough");
	S("1 0 0", 0, "three digits are not");
	S("2026", 0, "the created time is not searched");
	S("zzz", 0, "no match");
#undef S
	kv_free(&kv);
}

static void
test_json(void)
{
	static const char *const f[] = { "name=Jane", "kind=customer",
		"phone=+1", "phone=+2", "x=1", "x=2", NULL };
	struct kv kv = KV_INIT;
	char *j;

	mkkv(&kv, f);
	j = contact_json("jane", &kv);
	CHECK_STR(j, "{\"id\":\"jane\",\"name\":\"Jane\",\"kind\":\"customer\","
	    "\"phones\":[\"+1\",\"+2\"],\"emails\":[],\"x\":\"1\"}",
	    "json: arrays for numbers and emails, first value of others");
	free(j);
	kv_free(&kv);
}

int
main(void)
{
	test_column();
	test_slug();
	test_canon();
	test_changed();
	test_match();
	test_json();
	return UNIT_DONE();
}
