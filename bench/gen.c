/*
 * gen - write a realistic store of N messages for the benchmarks, and the
 * same messages as one plain maildir for mblaze and notmuch.
 *
 *	gen [-s SEED] [-t NOW] [-y INBOX.YAML] N DIR
 *
 * DIR/store is a store in the format of lib/ (conv/, contacts/, addr/,
 * idx/pid/, state files, one file per message with the headers inbox-recv
 * writes), committed in two commits (what was there 30 days before "now",
 * then the rest) and packed with git gc.
 * DIR/maildir holds the same files in cur/ and new/.  DIR/info has
 * "key: value" facts about what was made (the biggest conversation, a
 * word to search for, the counts), DIR/phones the customers' numbers.
 *
 * Deterministic: the same N and seed give the same bytes on any platform
 * (a xorshift64* generator, no rand(), times from a fixed "now").
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "util.h"

/* Out of memory (lib/util.h): the generator cannot go on. */
void
inbox_oom(void)
{
	fputs("gen: out of memory\n", stderr);
	exit(1);
}

#define DAY 86400
#define SPAN (120 * DAY)
#define BUSINESS_PHONE "+15550001111"
#define BUSINESS_EMAIL "office@fieldco.example"
#define BUSINESS_NAME "Fieldco Plumbing & Heating"
#define SEARCH_WORD "backflow"

/* --- random numbers -------------------------------------------------- */

static uint64_t rs = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 0x2545f4914f6cdd1dULL;
}

/* uniform in [0, n) */
static uint32_t
below(uint32_t n)
{
	return (uint32_t)((rnd() >> 32) % n);
}

/* uniform in [0, 1) */
static double
unif(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static int
chance(double p)
{
	return unif() < p;
}

#define PICK(a) ((a)[below(sizeof(a) / sizeof(*(a)))])

/* --- what people write ----------------------------------------------- */

static const char *first[] = { "Maria", "James", "Linda", "Robert", "Priya",
    "Tom", "Angela", "Kevin", "Sofia", "Daniel", "Grace", "Marcus", "Nina",
    "Omar", "Rachel", "Victor", "Hannah", "Luis", "Chloe", "Samuel", "Aisha",
    "Derek", "Elena", "Frank", "Yuki", "Brandon", "Carmen", "Trevor",
    "Monica", "Wes", "Ingrid", "Rosa" };
static const char *last[] = { "Lopez", "Becker", "Shah", "Nguyen", "Okafor",
    "Miller", "Garcia", "Kowalski", "Brennan", "Haddad", "Fischer", "Ramos",
    "Tanaka", "Whitfield", "Novak", "Patel", "Moreau", "Lindqvist", "Osei",
    "Castillo", "Duarte", "Hughes", "Ivanova", "Jensen", "Keller", "Mbeki",
    "Serrano", "Vogel" };
static const char *domains[] = { "example.com", "example.net",
    "example.org", "mail.example.com" };
static const char *staff[] = { "office", "dispatch", "tech1", "tech2",
    "tech3", "tech4" };

static const char *in_open[] = {
	"Hi, a pipe burst under the kitchen sink and there's water everywhere.",
	"Morning! Our boiler won't fire - it clicks a few times and then nothing.",
	"The water heater is making a loud banging noise when it heats up.",
	"Our AC is blowing warm air and the outside unit isn't spinning.",
	"Hello, the furnace keeps short cycling, on for two minutes then off.",
	"There's a slow drip from the ceiling under the upstairs bathroom.",
	"The toilet in the hall bathroom runs all night.",
	"We have no hot water this morning at all.",
	"Garbage disposal is humming but won't turn.",
	"The sump pump alarm went off during the storm last night.",
	"Can we get the annual furnace tune-up booked before winter?",
	"The thermostat screen is blank, we replaced the batteries already.",
	"Smell of gas near the water heater, we opened the windows.",
	"Main drain is backing up into the basement floor drain.",
	"Outdoor spigot froze and now it leaks when we turn it on.",
	"Heat pump is iced over and making a grinding sound.",
};
static const char *in_more[] = {
	"Can the tech come at 9?",
	"Any time after 2pm works for us.",
	"The side gate code is 4417.",
	"We have a dog but she's friendly.",
	"Is there a charge for the visit if it's a quick fix?",
	"Thanks, see you then!",
	"Running about 10 minutes late, sorry.",
	"Great, that worked, thank you so much.",
	"Could you send the invoice to my email?",
	"Paid, thanks again.",
	"Water is shut off at the main now.",
	"Is tomorrow morning possible instead?",
	"The unit is about 12 years old if that helps.",
	"Please call before you come, the doorbell is broken.",
	"Yes, Tuesday works.",
	"It started again last night.",
};
static const char *in_rare[] = {
	"Also the " SEARCH_WORD " preventer by the meter is dripping.",
	"The city says our " SEARCH_WORD " test is due this month.",
};
static const char *out_text[] = {
	"Thanks for reaching out! We can have a technician there between 9 and 11am.",
	"Your appointment is confirmed for tomorrow at 10:00. Reply here with any questions.",
	"Reminder: your technician arrives tomorrow between 8 and 10am.",
	"Your technician is on the way and should arrive in about 20 minutes.",
	"All done! Your invoice is ready: https://pay.fieldco.example/i/4821",
	"Here is your payment link: https://pay.fieldco.example/p/77310",
	"Please turn off the water at the main valve until we arrive.",
	"We have a cancellation this afternoon, would 2pm work?",
	"Got it, we'll bring the replacement part.",
	"Sorry for the wait, we're running about 30 minutes behind today.",
	"Can you send a photo of the model label on the unit?",
	"Thanks for your payment, have a great day!",
};
static const char *types_out[] = { "reply", "reply", "reply", "reply",
    "confirmation", "reminder", "on-my-way", "completion", "payment" };
static const char *paragraphs[] = {
	"We had your company out last spring for the water heater and were very "
	"happy with the work, so you are the first people we called.",
	"The problem started on Sunday evening. At first it was only a little "
	"noise, but by Monday morning there was water on the floor around the "
	"base of the unit and the pilot light had gone out.",
	"I have attached the details from the label on the side of the unit. It "
	"is a 50 gallon gas model, installed by the previous owners, we think "
	"around 2014.",
	"We are home most afternoons this week except Thursday. If a morning is "
	"easier for your schedule let me know and one of us will work from "
	"home.",
	"Please also have a look at the pressure relief valve while you are "
	"here; it has been weeping a little since the summer.",
	"Our property manager asked for a written estimate before any work "
	"over five hundred dollars, so could you send one by email first?",
	"The tenants in unit B report low water pressure in the shower and the "
	"kitchen tap. Unit A seems fine.",
	"Thank you for the quick visit yesterday. Everything is working well "
	"and the house is warm again.",
	"Could you send the invoice as a PDF? Our accounts team needs it for "
	"the end of the month.",
};

/* --- the output ------------------------------------------------------- */

static char *root;		/* DIR */
static time_t now;
static unsigned q;		/* unique name counter */

static void
fatal(const char *what)
{
	fprintf(stderr, "gen: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void
mkdirs(const char *rel)
{
	char *p = path_join(root, rel);

	if (mkdir_p(p) < 0) {
		fprintf(stderr, "gen: %s\n", inbox_errmsg());
		exit(2);
	}
	free(p);
}

static void
write_rel(const char *rel, const char *buf, size_t len)
{
	char *p = path_join(root, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 && errno == ENOENT) {
		char *d = xstrdup(p);

		*strrchr(d, '/') = '\0';
		if (mkdir_p(d) < 0)
			fatal(d);
		free(d);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	}
	if (fd < 0)
		fatal(p);
	if (write(fd, buf, len) != (ssize_t)len || close(fd) < 0)
		fatal(p);
	free(p);
}

static void
sha1_hex(const char *s, char out[41])
{
	unsigned char h[SHA1_LEN];

	sha1(s, strlen(s), h);
	hex_encode(h, SHA1_LEN, out);
}

static void
rand_hex(char *out, int n)
{
	static const char hx[] = "0123456789abcdef";

	for (int i = 0; i < n; i++)
		out[i] = hx[rnd() >> 60];
	out[n] = '\0';
}

/* --- conversations ------------------------------------------------------ */

enum channel { SMS, EMAIL, WHATSAPP, VOICE };
static const char *chname[] = { "sms", "email", "whatsapp", "voice" };

struct conv {
	char id[16];
	int customer;		/* else keyed on an address */
	char cid[64], name[64], phone[20], email[96];
	int by_email;		/* an unknown address that is an email */
	int size;
};

static struct {
	long messages, convs, customers, unread, assigned, search_hits;
	long ch[4], out, failed;
	long big_size;
	char big_id[16], big_addr[96], big_email[96];
} tot;

/* Sizes: about 10 a conversation, geometric, with a long tail. */
static int
conv_size(int first_one)
{
	if (first_one || chance(0.005))
		return 200 + (int)below(200);
	return 1 + (int)floor(log(1.0 - unif()) / log(1.0 - 1.0 / 8.5));
}

static enum channel
pick_channel(const struct conv *c)
{
	uint32_t r = below(100);

	if (c->by_email)
		return EMAIL;
	if (!c->customer) {		/* an unknown number: no email */
		r = below(85);
		return r < 60 ? SMS : r < 75 ? WHATSAPP : VOICE;
	}
	return r < 60 ? SMS : r < 75 ? EMAIL : r < 90 ? WHATSAPP : VOICE;
}

static int
cmp_time(const void *a, const void *b)
{
	time_t x = *(const time_t *)a, y = *(const time_t *)b;

	return x < y ? -1 : x > y;
}

static void
text_body(struct sb *b, int out, int opening)
{
	if (out) {
		sb_adds(b, PICK(out_text));
	} else {
		sb_adds(b, opening ? PICK(in_open) : PICK(in_more));
		if (chance(0.4)) {
			sb_addc(b, ' ');
			sb_adds(b, PICK(in_more));
		}
		if (chance(0.008)) {
			sb_addc(b, ' ');
			sb_adds(b, PICK(in_rare));
		}
	}
	sb_addc(b, '\n');
}

static void
email_body(struct sb *b, const struct conv *c, int out)
{
	int n = 2 + (int)below(4);

	sb_adds(b, out ? "Hello,\n\n" : "Hi,\n\n");
	text_body(b, out, 1);
	sb_addc(b, '\n');
	for (int i = 0; i < n; i++) {
		const char *p = PICK(paragraphs);
		int col = 0;

		/* wrap at 72 like a mail client */
		for (const char *w = p; *w;) {
			size_t k = strcspn(w, " ");

			if (col && col + (int)k > 72) {
				sb_addc(b, '\n');
				col = 0;
			} else if (col) {
				sb_addc(b, ' ');
				col++;
			}
			sb_add(b, w, k);
			col += (int)k;
			w += k;
			while (*w == ' ')
				w++;
		}
		sb_adds(b, "\n\n");
	}
	if (!out && chance(0.01))
		sb_adds(b, "PS: the " SEARCH_WORD " valve outside is due its "
		    "yearly test.\n\n");
	if (out)
		sb_adds(b, "Best regards,\nThe office\n" BUSINESS_NAME "\n"
		    "(555) 000-1111\n");
	else
		sb_addf(b, "Thanks,\n%s\n", c->customer ? c->name :
		    "Sent from my phone");
}

/* One message: its bytes in *m, its maildir subdirectory and name. */
static void
make_message(struct sb *m, struct conv *c, time_t when, int out,
    enum channel ch, int opening, const char *uniq, char *pid, size_t pidn)
{
	char date[64], iso[32], hex[40];
	const char *addr = ch == EMAIL ? c->email : c->phone;
	const char *who = c->customer ? c->name : NULL;

	time_rfc2822(when, date, sizeof(date));
	pid[0] = '\0';
	sb_addf(m, "X-Inbox-Channel: %s\nX-Inbox-Direction: %s\n", chname[ch],
	    out ? "out" : "in");
	if (ch == VOICE) {
		uint32_t r = below(100);
		const char *status = r < 70 ? "completed" : r < 88 ?
		    "no-answer" : "busy";
		const char *outcome = r < 70 ? "answered" : r < 88 ? "missed" :
		    "busy";
		long dur = r < 70 ? 20 + (long)below(400) : 0;
		int vm = !out && r >= 70 && r < 85;

		if (vm)
			outcome = "voicemail";
		rand_hex(hex, 32);
		snprintf(pid, pidn, "CA%s", hex);
		sb_addf(m, "X-Inbox-Type: call\nX-Inbox-Status: received\n"
		    "X-Inbox-Address: %s\nX-Inbox-Provider-Id: %s\n"
		    "X-Inbox-Call-Status: %s\nX-Inbox-Call-Outcome: %s\n"
		    "X-Inbox-Call-Duration: %ld\n", addr, pid, status, outcome,
		    dur);
		if (vm) {
			rand_hex(hex, 32);
			sb_addf(m, "X-Inbox-Call-Recording: https://api.twilio."
			    "com/2010-04-01/Accounts/AC5e0f7a9b3c2d41e8a6f9b0c1"
			    "d2e3f405/Recordings/RE%s\n"
			    "X-Inbox-Call-Recording-Duration: %u\n", hex,
			    5 + below(60));
		}
		if (out)
			sb_addf(m, "X-Inbox-Author: %s\n", PICK(staff));
		sb_addf(m, "Date: %s\nFrom: ", date);
		if (who)
			sb_addf(m, "%s <%s>", who, addr);
		else
			sb_addf(m, "<%s>", addr);
		sb_addf(m, "\nMessage-ID: <%s@inbox>\nSubject: call from %s\n"
		    "MIME-Version: 1.0\nContent-Type: text/plain; charset="
		    "utf-8\nContent-Transfer-Encoding: 8bit\n\n%s call: %s",
		    uniq, addr, out ? "Outbound" : "Inbound", outcome);
		if (dur)
			sb_addf(m, ", %lds", dur);
		sb_addc(m, '\n');
		return;
	}
	if (ch == SMS || ch == WHATSAPP) {
		rand_hex(hex, 32);
		if (ch == SMS)
			snprintf(pid, pidn, "SM%s", hex);
		else
			snprintf(pid, pidn, "wamid.HBgL%.24s", hex);
	} else if (!out) {
		rand_hex(hex, 12);
		snprintf(pid, pidn, "<%s.%08x@%s>", hex, (unsigned)below(1u << 31),
		    strchr(c->email, '@') + 1);
	}
	if (out) {
		uint32_t r = below(100);
		const char *st = r < 85 ? "delivered" : r < 95 ? "sent" :
		    "failed";

		sb_addf(m, "X-Inbox-Type: %s\nX-Inbox-Status: %s\n"
		    "X-Inbox-Author: %s\nX-Inbox-Address: %s\n",
		    PICK(types_out), st, PICK(staff), addr);
		if (*pid)
			sb_addf(m, "X-Inbox-Provider-Id: %s\n", pid);
		time_iso(when + 2 + below(30), iso, sizeof(iso));
		sb_addf(m, "X-Inbox-Status-Time: %s\n", iso);
		if (r >= 95) {
			tot.failed++;
			sb_adds(m, ch == WHATSAPP ? "X-Inbox-Error: 131047 "
			    "Re-engagement message\n" : "X-Inbox-Error: 30006 "
			    "Landline or unreachable carrier\n");
		}
		sb_addf(m, "Date: %s\n", date);
		if (ch == EMAIL)
			sb_adds(m, "From: " BUSINESS_NAME " <" BUSINESS_EMAIL
			    ">\n");
		else
			sb_adds(m, "From: " BUSINESS_NAME " <" BUSINESS_PHONE
			    ">\n");
		if (who)
			sb_addf(m, "To: %s <%s>\n", who, addr);
		else
			sb_addf(m, "To: <%s>\n", addr);
		sb_addf(m, "Message-ID: <%s@inbox>\n", uniq);
		if (ch == EMAIL)
			sb_adds(m, "Subject: Re: your service request\n");
		else
			sb_addf(m, "Subject: %s to %s\n", chname[ch],
			    who ? who : addr);
		sb_adds(m, "MIME-Version: 1.0\nContent-Type: text/plain; "
		    "charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n");
		if (ch == EMAIL)
			email_body(m, c, 1);
		else
			text_body(m, 1, 0);
		return;
	}
	/* inbound: the header set of lib/inbound.c file_message */
	sb_addf(m, "X-Inbox-Type: reply\nX-Inbox-Status: received\n"
	    "X-Inbox-Address: %s\nX-Inbox-Provider-Id: %s\n", addr, pid);
	if (ch == EMAIL) {
		/* our headers on top, the mail as it came */
		sb_addf(m, "Return-Path: <%s>\nReceived: from mail.%s "
		    "(mail.%s [192.0.2.%u])\n\tby mx.fieldco.example (Postfix) "
		    "with ESMTPS id %.10s;\n\t%s\n", addr, strchr(addr, '@') + 1,
		    strchr(addr, '@') + 1, 1 + below(250), hex, date);
		if (who)
			sb_addf(m, "From: %s <%s>\n", who, addr);
		else
			sb_addf(m, "From: <%s>\n", addr);
		sb_addf(m, "To: Fieldco Office <" BUSINESS_EMAIL ">\n"
		    "Subject: %s\nDate: %s\nMessage-ID: %s\n"
		    "MIME-Version: 1.0\nContent-Type: text/plain; charset="
		    "UTF-8\nContent-Transfer-Encoding: 8bit\n\n", opening ?
		    "Service request" : "Re: your service request", date, pid);
		email_body(m, c, 0);
		return;
	}
	sb_addf(m, "Date: %s\nFrom: ", date);
	if (who)
		sb_addf(m, "%s <%s>", who, addr);
	else
		sb_addf(m, "<%s>", addr);
	sb_addf(m, "\nTo: <%s>\nMessage-ID: <%s@inbox>\nSubject: %s from %s\n"
	    "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n", BUSINESS_PHONE, uniq,
	    chname[ch], who ? who : addr);
	text_body(m, 0, opening);
}

static void
state_add(struct sb *s, const char *k, const char *v)
{
	sb_addf(s, "%s: %s\n", k, v);
}

static void
gen_conv(struct conv *c, FILE *phones)
{
	time_t *t = xmalloc((size_t)c->size * sizeof(*t));
	time_t start = now - SPAN + (time_t)below(SPAN - 3600);
	time_t last_in[4] = { 0, 0, 0, 0 };
	struct sb m = SB_INIT, st = SB_INIT, rel = SB_INIT;
	char dir[64], iso[32];
	int used_phone = 0, used_email = 0, last_ch = -1;
	char prev_name[256] = "";
	char prev_sub[4] = "";
	char key[160];

	snprintf(key, sizeof(key), c->customer ? "contact:%s" : "addr:%s",
	    c->customer ? c->cid : c->by_email ? c->email : c->phone);
	{
		char h[41];

		sha1_hex(key, h);
		memcpy(c->id, h, 12);
		c->id[12] = '\0';
	}
	snprintf(dir, sizeof(dir), "conv/%.2s/%s", c->id, c->id);
	for (int i = 0; i < c->size; i++)
		t[i] = start + (time_t)(unif() * (double)(now - start));
	qsort(t, (size_t)c->size, sizeof(*t), cmp_time);
	for (int i = 0; i < c->size; i++) {
		int out = i > 0 && chance(0.47);
		enum channel ch = pick_channel(c);
		char uniq[128], name[160], pid[128], hx[9];
		int unread = 0;
		const char *sub;

		rand_hex(hx, 8);
		snprintf(uniq, sizeof(uniq), "%lld.M%06uP%uQ%uR%s.bench",
		    (long long)t[i], below(1000000), 1000 + below(60000), ++q,
		    hx);
		sb_reset(&m);
		make_message(&m, c, t[i], out, ch, i == 0, uniq, pid,
		    sizeof(pid));
		tot.ch[ch]++;
		tot.messages++;
		tot.out += out;
		if (strstr(m.buf, SEARCH_WORD))
			tot.search_hits++;
		if (out) {
			sub = "cur";
			snprintf(name, sizeof(name), "%s:2,S", uniq);
			/* answer the inbound before it: R on it */
			if (*prev_name && !strcmp(prev_sub, "cur") &&
			    !strstr(prev_name, ":2,R") &&
			    strstr(prev_name, ":2,S")) {
				struct sb a = SB_INIT, b = SB_INIT;
				char *pa, *pb;

				sb_addf(&a, "store/%s/cur/%s", dir, prev_name);
				sb_addf(&b, "store/%s/cur/%.*s:2,RS", dir,
				    (int)(strstr(prev_name, ":2,") - prev_name),
				    prev_name);
				pa = path_join(root, a.buf);
				pb = path_join(root, b.buf);
				if (rename(pa, pb) < 0)
					fatal(pa);
				free(pa);
				free(pb);
				sb_reset(&a);
				sb_reset(&b);
				sb_addf(&a, "maildir/cur/%s", prev_name);
				sb_addf(&b, "maildir/cur/%.*s:2,RS",
				    (int)(strstr(prev_name, ":2,") - prev_name),
				    prev_name);
				pa = path_join(root, a.buf);
				pb = path_join(root, b.buf);
				if (rename(pa, pb) < 0)
					fatal(pa);
				free(pa);
				free(pb);
				sb_release(&a);
				sb_release(&b);
			}
			prev_name[0] = '\0';
		} else {
			unread = chance(0.05);
			tot.unread += unread;
			if (unread && chance(0.5)) {
				sub = "new";
				snprintf(name, sizeof(name), "%s", uniq);
			} else {
				sub = "cur";
				snprintf(name, sizeof(name), "%s:2,%s", uniq,
				    unread ? "" : chance(0.01) ? "FS" : "S");
			}
			snprintf(prev_name, sizeof(prev_name), "%s", name);
			snprintf(prev_sub, sizeof(prev_sub), "%s", sub);
			last_ch = ch;
			last_in[ch] = t[i];
			if (ch == EMAIL)
				used_email = 1;
			else
				used_phone = 1;
		}
		sb_reset(&rel);
		sb_addf(&rel, "store/%s/%s/%s", dir, sub, name);
		write_rel(rel.buf, m.buf, m.len);
		sb_reset(&rel);
		sb_addf(&rel, "maildir/%s/%s", sub, name);
		write_rel(rel.buf, m.buf, m.len);
		if (*pid) {
			char h[41], idx[128];

			sha1_hex(pid, h);
			snprintf(idx, sizeof(idx), "store/idx/pid/%.2s/%.2s/%s",
			    h, h + 2, h);
			sb_reset(&rel);
			sb_addf(&rel, "%s/%s\n", c->id, uniq);
			write_rel(idx, rel.buf, rel.len);
		}
	}
	/* the state file, in the order inbound.c touch_conv writes it */
	state_add(&st, "kind", c->customer ? "customer" : "address");
	if (c->customer)
		state_add(&st, "contact", c->cid);
	state_add(&st, "status", now - t[c->size - 1] > 14 * DAY &&
	    chance(0.6) ? "closed" : "open");
	time_iso(t[0], iso, sizeof(iso));
	state_add(&st, "created", iso);
	if (used_phone || (!used_email && !c->by_email))
		state_add(&st, "address", c->phone);
	if (used_email || c->by_email)
		state_add(&st, "address", c->email);
	if (last_ch >= 0) {
		state_add(&st, "channel", chname[last_ch]);
		for (int k = 0; k < 4; k++)
			if (last_in[k]) {
				char kk[32];

				snprintf(kk, sizeof(kk), "last-in.%s",
				    chname[k]);
				time_iso(last_in[k], iso, sizeof(iso));
				state_add(&st, kk, iso);
			}
	}
	if (chance(0.3)) {
		const char *a = PICK(staff);

		tot.assigned++;
		state_add(&st, "assignee", a);
		state_add(&st, "member", a);
		if (chance(0.3))
			state_add(&st, "member", staff[2 + below(4)]);
	}
	if (!strstr(st.buf, "status: open") && chance(0.2)) {
		time_iso(t[c->size - 1] + 7 * DAY, iso, sizeof(iso));
		state_add(&st, "archived", iso);
	}
	sb_reset(&rel);
	sb_addf(&rel, "store/%s/state", dir);
	write_rel(rel.buf, st.buf, st.len);
	sb_reset(&rel);
	sb_addf(&rel, "store/%s/tmp", dir);
	mkdirs(rel.buf);
	for (int k = 0; k < 2; k++) {	/* every maildir has new/ and cur/ */
		sb_reset(&rel);
		sb_addf(&rel, "store/%s/%s", dir, k ? "cur" : "new");
		mkdirs(rel.buf);
	}
	if (c->customer) {
		char h[41];

		/* contacts/<2 hex of sha1(id)>/<id> */
		sha1_hex(c->cid, h);
		sb_reset(&st);
		state_add(&st, "name", c->name);
		state_add(&st, "phone", c->phone);
		state_add(&st, "email", c->email);
		sb_reset(&rel);
		sb_addf(&rel, "store/contacts/%.2s/%s", h, c->cid);
		write_rel(rel.buf, st.buf, st.len);
		for (int k = 0; k < 2; k++) {
			const char *a = k ? c->email : c->phone;

			sha1_hex(a, h);
			sb_reset(&st);
			state_add(&st, "address", a);
			state_add(&st, "contact", c->cid);
			sb_reset(&rel);
			sb_addf(&rel, "store/addr/%.2s/%s", h, h);
			write_rel(rel.buf, st.buf, st.len);
		}
		fprintf(phones, "%s\n", c->phone);
	}
	if (c->size > tot.big_size) {
		tot.big_size = c->size;
		memcpy(tot.big_id, c->id, sizeof(c->id));
		snprintf(tot.big_addr, sizeof(tot.big_addr), "%s",
		    c->by_email ? c->email : c->phone);
		snprintf(tot.big_email, sizeof(tot.big_email), "%s", c->email);
	}
	free(t);
	sb_release(&m);
	sb_release(&st);
	sb_release(&rel);
}

static void
run(const char *cmd)
{
	int r = system(cmd);

	if (r != 0) {
		fprintf(stderr, "gen: '%s' failed (%d)\n", cmd, r);
		exit(2);
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: gen [-s SEED] [-t NOW] [-y INBOX.YAML] N DIR\n");
	exit(64);
}

int
main(int argc, char **argv)
{
	static const char gitignore[] =
	    "# never committed: credentials, temporary files, caches\n"
	    "secrets/\ntmp/\n*.lock\n";
	const char *yaml = NULL;
	unsigned long long seed = 42;
	long n;
	struct sb s = SB_INIT;
	FILE *phones;
	int opt;

	now = 1795204800;	/* 2026-11-20T20:00:00Z */
	while ((opt = getopt(argc, argv, "s:t:y:")) != -1)
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 't': now = (time_t)strtoll(optarg, NULL, 10); break;
		case 'y': yaml = optarg; break;
		default: usage();
		}
	if (argc - optind != 2)
		usage();
	n = atol(argv[optind]);
	root = argv[optind + 1];
	if (n < 1 || strchr(root, '\''))
		usage();
	rs ^= seed * 0xbf58476d1ce4e5b9ULL;
	for (int i = 0; i < 8; i++)
		rnd();
	{
		char *p = path_join(root, "store");

		if (path_exists(p)) {
			fprintf(stderr, "gen: %s exists\n", p);
			return 2;
		}
		free(p);
	}
	mkdirs("store/tmp");
	mkdirs("store/secrets");
	mkdirs("maildir/cur");
	mkdirs("maildir/new");
	mkdirs("maildir/tmp");
	write_rel("store/.gitignore", gitignore, sizeof(gitignore) - 1);
	if (yaml) {
		if (sb_read_file(&s, yaml, 0) < 0) {
			fprintf(stderr, "gen: %s\n", inbox_errmsg());
			return 2;
		}
	} else
		sb_adds(&s, "business:\n  name: " BUSINESS_NAME "\n  phone: \""
		    BUSINESS_PHONE "\"\n  country: US\n  timezone: "
		    "America/Chicago\n");
	write_rel("store/inbox.yaml", s.buf, s.len);
	sb_release(&s);
	{
		char *p = path_join(root, "phones");

		phones = fopen(p, "w");
		if (!phones)
			fatal(p);
		free(p);
	}
	for (long left = n, i = 0; left > 0; i++) {
		struct conv c;

		memset(&c, 0, sizeof(c));
		c.size = conv_size(i == 0);
		if (c.size > left)
			c.size = (int)left;
		left -= c.size;
		c.customer = i == 0 || chance(0.85);
		/* numbers in the 555 exchange, one per conversation */
		snprintf(c.phone, sizeof(c.phone), "+1%03u555%04ld",
		    (unsigned)(i / 10000 % 80 + 201), i % 10000);
		if (c.customer) {
			const char *f = PICK(first), *l = PICK(last);

			tot.customers++;
			snprintf(c.name, sizeof(c.name), "%s %s", f, l);
			snprintf(c.cid, sizeof(c.cid), "%s-%s-%ld", f, l, i);
			for (char *p = c.cid; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			snprintf(c.email, sizeof(c.email), "%s@%s", c.cid,
			    PICK(domains));
			for (char *p = c.email; *p; p++)
				if (*p == '-')
					*p = '.';
		} else {
			c.by_email = chance(0.2);
			snprintf(c.email, sizeof(c.email), "someone%ld@%s", i,
			    PICK(domains));
		}
		gen_conv(&c, phones);
		tot.convs++;
	}
	if (fclose(phones) != 0)
		fatal("phones");
	{
		struct sb info = SB_INIT;

		sb_addf(&info, "messages: %ld\nconversations: %ld\n"
		    "customers: %ld\nsms: %ld\nemail: %ld\nwhatsapp: %ld\n"
		    "voice: %ld\noutbound: %ld\nfailed: %ld\nunread: %ld\n"
		    "assigned: %ld\nbiggest: %s\nbiggest-size: %ld\n"
		    "biggest-address: %s\nbiggest-email: %s\n"
		    "search-word: %s\n"
		    "search-hits: %ld\nnow: %lld\nseed: %llu\n",
		    tot.messages, tot.convs, tot.customers, tot.ch[SMS],
		    tot.ch[EMAIL], tot.ch[WHATSAPP], tot.ch[VOICE],
		    tot.out, tot.failed, tot.unread, tot.assigned,
		    tot.big_id, tot.big_size, tot.big_addr, tot.big_email,
		    SEARCH_WORD,
		    tot.search_hits, (long long)now, seed);
		write_rel("info", info.buf, info.len);
		sb_release(&info);
	}
	/*
	 * Two commits, so that there is history to look back at
	 * (inbox-ls --as-of): the messages older than 30 days, dated 30 days
	 * before "now", then the rest, dated "now"; then pack.
	 */
	{
		long long then = (long long)now - 30LL * DAY;

		setenv("GIT_AUTHOR_NAME", "bench", 1);
		setenv("GIT_AUTHOR_EMAIL", "bench@fieldco.example", 1);
		setenv("GIT_COMMITTER_NAME", "bench", 1);
		setenv("GIT_COMMITTER_EMAIL", "bench@fieldco.example", 1);
		sb_addf(&s, "cd '%s/store' && git init -q -b main && "
		    "mkdir -p .git/inbox && git add -A && "
		    "git ls-files -z conv | tr '\\0' '\\n' | "
		    "awk -F / '$4 ~ /^(new|cur)$/ && $5 + 0 >= %lld' | "
		    "git rm -q --cached --pathspec-from-file=- && "
		    "GIT_AUTHOR_DATE='%lld +0000' GIT_COMMITTER_DATE='%lld +0000' "
		    "git -c gc.auto=0 commit -q -m 'bench: the store a month "
		    "before' && git add -A && "
		    "GIT_AUTHOR_DATE='%lld +0000' GIT_COMMITTER_DATE='%lld +0000' "
		    "git -c gc.auto=0 commit -q -m 'bench: a generated store of "
		    "%ld messages' && git gc -q", root, then, then, then,
		    (long long)now, (long long)now, n);
		run(s.buf);
		sb_release(&s);
	}
	return 0;
}
