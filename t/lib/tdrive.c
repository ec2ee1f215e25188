/*
 * tdrive.c - drive one transport_send() for t/3100-transports.bats (a
 * test tool, never installed).
 *
 *	tdrive [-C dir] -c channel -t to [-i id] [-f from] [-T text]
 *	    [-s subject] [-y type] [-a author] [-r rawfile] [-R reply-to]
 *	    [-n template [-l lang] [-p param]...]
 *	    [-A url[,type[,name]]]... [-P path]...
 *	tdrive -g url [-U user:password] [-B token] [-m max]
 *
 * Without -r the message file is built: Date, From, To, Subject,
 * Message-ID and X-Inbox-* fields, then a MIME body of the text and the
 * -P files.  Prints one line:
 *
 *	OUTCOME status=S id=P code=C retry=N flags=F text=T
 *
 * (OUTCOME is OK, TEMP or PERM; F is a comma list of optout, unreachable,
 * window or "-").  When transport_send fails it prints
 * "tdrive: MESSAGE" on stderr and exits with the error's class.
 *
 * With -g it downloads url with http_get() instead and prints
 * "type=CONTENT-TYPE bytes=N sha1=HEX", or the error as above.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "http.h"
#include "mime.h"
#include "store.h"
#include "transport.h"
#include "util.h"

/* Out of memory (lib/util.h): the driver cannot go on. */
void
inbox_oom(void)
{
	fputs("tdrive: out of memory\n", stderr);
	exit(2);
}

#define MAXN 16

static void
usage(void)
{
	fprintf(stderr, "usage: tdrive [-C dir] -c channel -t to [-i id] "
	    "[-f from] [-T text] [-s subject] [-y type] [-a author] "
	    "[-r rawfile] [-R reply-to] [-n template [-l lang] [-p param]...] "
	    "[-A url[,type[,name]]]... [-P path]...\n"
	    "       tdrive -g url [-U user:password] [-B token] [-m max]\n");
	exit(64);
}

/* "url,type,name" -> an attachment (the string is split in place). */
static void
parse_att(char *s, struct out_attachment *a)
{
	char *c;

	memset(a, 0, sizeof(*a));
	a->url = s;
	if ((c = strchr(s, ','))) {
		*c++ = '\0';
		a->type = c;
		if ((c = strchr(c, ','))) {
			*c++ = '\0';
			a->name = c;
		}
	}
}

static int
get(const char *url, char *userpass, const char *bearer, size_t max)
{
	struct sb out = SB_INIT;
	unsigned char sum[SHA1_LEN];
	char ctype[128], hex[2 * SHA1_LEN + 1], *pass = NULL;

	if (userpass && (pass = strchr(userpass, ':')))
		*pass++ = '\0';
	if (http_get(url, userpass, pass, bearer, max, &out, ctype,
	    sizeof(ctype)) < 0) {
		fprintf(stderr, "tdrive: %s\n", inbox_errmsg());
		sb_release(&out);
		return inbox_errcode();
	}
	sha1(out.buf, out.len, sum);
	hex_encode(sum, SHA1_LEN, hex);
	printf("type=%s bytes=%zu sha1=%s\n", ctype, out.len, hex);
	sb_release(&out);
	return fflush(stdout) == 0 ? 0 : 2;
}

static void
build_raw(struct sb *raw, const struct outmsg *m, char **paths, size_t np,
    struct sb *files)
{
	struct mail_attachment ma[MAXN];
	char date[64];

	time_rfc2822(inbox_now(), date, sizeof(date));
	sb_addf(raw, "Date: %s\n", date);
	sb_addf(raw, "From: %s\n", m->from ? m->from : "office@fieldco.example");
	sb_addf(raw, "To: %s\n", m->to);
	if (m->subject)
		sb_addf(raw, "Subject: %s\n", m->subject);
	sb_addf(raw, "Message-ID: <%s@fieldco.example>\n", "tdrive.1");
	sb_addf(raw, "X-Inbox-Channel: %s\n", m->channel);
	sb_adds(raw, "X-Inbox-Direction: out\n");
	sb_adds(raw, "X-Inbox-Status: sending\n");
	sb_adds(raw, "X-Inbox-Sending: 2026-11-20T06:53:20Z\n");
	sb_addf(raw, "X-Inbox-Address: %s\n", m->to);
	sb_adds(raw, "Bcc: audit@fieldco.example,\n archive@fieldco.example\n");
	sb_adds(raw, "x-inbox-author: office\n");
	for (size_t i = 0; i < np; i++) {
		const char *slash = strrchr(paths[i], '/');

		sb_init(&files[i]);
		if (sb_read_file(&files[i], paths[i], 0) < 0) {
			fprintf(stderr, "tdrive: %s\n", inbox_errmsg());
			exit(2);
		}
		ma[i].filename = slash ? slash + 1 : paths[i];
		ma[i].type = NULL;
		ma[i].data = (const unsigned char *)files[i].buf;
		ma[i].len = files[i].len;
	}
	mail_build_body(raw, m->text ? m->text : "", ma, np, "tdrive");
}

int
main(int argc, char **argv)
{
	struct out_attachment att[MAXN];
	const char *params[MAXN], *dir = NULL, *rawfile = NULL;
	const char *url = NULL, *bearer = NULL;
	char *paths[MAXN], *userpass = NULL;
	size_t max = 0;
	struct sb raw = SB_INIT, files[MAXN];
	struct outmsg m;
	struct send_result res;
	struct store *st;
	size_t np = 0;
	char flags[64] = "";
	int ch, r;

	memset(&m, 0, sizeof(m));
	m.id = "ab12cd34/1795337600.M1P1Q1R1.host";
	m.att = att;
	m.template_params = params;
	while ((ch = getopt(argc, argv,
	    "A:B:C:P:R:T:U:a:c:f:g:i:l:m:n:p:r:s:t:y:")) != -1) {
		switch (ch) {
		case 'A':
			if (m.natt == MAXN)
				usage();
			parse_att(optarg, &att[m.natt++]);
			break;
		case 'B':
			bearer = optarg;
			break;
		case 'C':
			dir = optarg;
			break;
		case 'P':
			if (np == MAXN)
				usage();
			paths[np++] = optarg;
			break;
		case 'R':
			m.reply_to = optarg;
			break;
		case 'T':
			m.text = optarg;
			break;
		case 'U':
			userpass = optarg;
			break;
		case 'a':
			m.author = optarg;
			break;
		case 'c':
			m.channel = optarg;
			break;
		case 'f':
			m.from = optarg;
			break;
		case 'g':
			url = optarg;
			break;
		case 'i':
			m.id = optarg;
			break;
		case 'l':
			m.template_lang = optarg;
			break;
		case 'm':
			max = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			m.template_name = optarg;
			break;
		case 'p':
			if (m.ntemplate_params == MAXN)
				usage();
			params[m.ntemplate_params++] = optarg;
			break;
		case 'r':
			rawfile = optarg;
			break;
		case 's':
			m.subject = optarg;
			break;
		case 't':
			m.to = optarg;
			break;
		case 'y':
			m.type = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (url)
		return get(url, userpass, bearer, max);
	if (!m.channel || !m.to)
		usage();
	if (rawfile) {
		if (sb_read_file(&raw, rawfile, 0) < 0) {
			fprintf(stderr, "tdrive: %s\n", inbox_errmsg());
			return 2;
		}
	} else
		build_raw(&raw, &m, paths, np, files);
	m.raw = raw.buf;
	m.rawlen = raw.len;
	if (store_open(&st, dir, "tdrive", NULL) < 0) {
		fprintf(stderr, "tdrive: %s\n", inbox_errmsg());
		return inbox_errcode();
	}
	r = transport_send(st, &m, &res);
	if (r < 0) {
		fprintf(stderr, "tdrive: %s\n", inbox_errmsg());
		r = inbox_errcode();
	} else {
		if (res.optout)
			strcat(flags, ",optout");
		if (res.unreachable)
			strcat(flags, ",unreachable");
		if (res.window_closed)
			strcat(flags, ",window");
		printf("%s status=%s id=%s code=%s retry=%ld flags=%s "
		    "text=%s\n", res.outcome == SEND_OK ? "OK" :
		    res.outcome == SEND_TEMP ? "TEMP" : "PERM", res.status,
		    res.provider_id, res.code, res.retry_after,
		    *flags ? flags + 1 : "-", res.text);
	}
	store_close(st);
	sb_release(&raw);
	if (!rawfile)
		for (size_t i = 0; i < np; i++)
			sb_release(&files[i]);
	if (fflush(stdout) != 0)
		return 2;
	return r;
}
