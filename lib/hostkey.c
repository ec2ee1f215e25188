/*
 * hostkey.c - is an ssh server's host key the one known for it?  The
 * known_hosts format of sshd(8): one key a line, "[@marker] HOSTS TYPE
 * BASE64 [comment]", HOSTS a comma list of names, "[name]:port" for a
 * port other than 22, wildcards * and ?, "!" to exclude, or one hashed
 * name "|1|SALT|HMAC-SHA1(SALT, NAME)".
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "hostkey.h"
#include "util.h"

/* 1 when name matches pat, where only * and ? are special (as for sshd:
 * "[host]:port" has brackets that are not a class), case aside. */
static int
glob(const char *pat, const char *name)
{
	for (; *pat; pat++, name++) {
		if (*pat == '*') {
			for (;; name++) {
				if (glob(pat + 1, name))
					return 1;
				if (!*name)
					return 0;
			}
		}
		if (!*name || (*pat != '?' &&
		    tolower((unsigned char)*pat) != tolower((unsigned char)*name)))
			return 0;
	}
	return !*name;
}

/* 1 when the hashed entry "|1|salt|hash" is name's. */
static int
hashed_match(const char *pat, size_t n, const char *name)
{
	const char *salt = pat + 3, *bar = memchr(salt, '|', n - 3);
	unsigned char s[64], h[64], mac[SHA1_LEN];
	long sn, hn;

	if (!bar || (size_t)(bar - salt) > 80 || n - (size_t)(bar + 1 - pat) >
	    80)
		return 0;
	sn = base64_decode(salt, (size_t)(bar - salt), s);
	hn = base64_decode(bar + 1, n - (size_t)(bar + 1 - pat), h);
	if (sn <= 0 || hn != SHA1_LEN)
		return 0;
	hmac_sha1(s, (size_t)sn, name, strlen(name), mac);
	return ct_equal(mac, h, SHA1_LEN);
}

/* 1 when the HOSTS field matches name, 0 when not, -1 when excluded. */
static int
hosts_match(const char *f, size_t n, const char *name)
{
	int hit = 0;

	if (n > 3 && !strncmp(f, "|1|", 3))
		return hashed_match(f, n, name);
	while (n) {
		const char *comma = memchr(f, ',', n);
		size_t len = comma ? (size_t)(comma - f) : n;
		int neg = len && *f == '!';
		char pat[256];

		if (len - (size_t)neg < sizeof(pat)) {
			memcpy(pat, f + neg, len - (size_t)neg);
			pat[len - (size_t)neg] = '\0';
			if (glob(pat, name)) {
				if (neg)
					return -1;
				hit = 1;
			}
		}
		if (!comma)
			break;
		n -= len + 1;
		f = comma + 1;
	}
	return hit;
}

/* The next blank-separated field of *p; its length, 0 at the end. */
static size_t
field(const char **p, const char **start)
{
	const char *s = *p + strspn(*p, " \t");
	size_t n = strcspn(s, " \t\r\n");

	*start = s;
	*p = s + n;
	return n;
}

/* 0 known, 1 not in this file, 2 revoked here, 3 another key here. */
static int
in_file(const char *path, const char *name, const unsigned char *key,
    size_t len)
{
	FILE *f = fopen(path, "r");
	char line[16384];
	unsigned char *blob = xmalloc(sizeof(line));
	int r = 1, other = 0;

	if (!f) {
		free(blob);
		return 1;
	}
	while (r != 2 && fgets(line, sizeof(line), f)) {
		const char *p = line, *hosts, *type, *b64;
		size_t hn, tn, bn;
		int revoked = 0;
		long kn;

		hn = field(&p, &hosts);
		if (!hn || *hosts == '#')
			continue;
		if (*hosts == '@') {
			if (hn != 8 || strncmp(hosts, "@revoked", 8))
				continue;	/* @cert-authority: not here */
			revoked = 1;
			hn = field(&p, &hosts);
		}
		tn = field(&p, &type);
		bn = field(&p, &b64);
		if (!hn || !tn || !bn || hosts_match(hosts, hn, name) != 1)
			continue;
		kn = base64_decode(b64, bn, blob);
		if (kn < 0 || (size_t)kn != len || memcmp(blob, key, len)) {
			other |= !revoked;
			continue;
		}
		r = revoked ? 2 : 0;
	}
	fclose(f);
	free(blob);
	return r == 1 && other ? 3 : r;
}

int
hostkey_known(const char *host, int port, const unsigned char *key,
    size_t len, const char *const *files)
{
	char name[300], opt[32] = "";
	const char *other = NULL;
	int known = 0;

	if (port && port != 22) {
		snprintf(name, sizeof(name), "[%s]:%d", host, port);
		snprintf(opt, sizeof(opt), " -p %d", port);
	} else
		snprintf(name, sizeof(name), "%s", host);
	for (size_t i = 0; files[i]; i++)
		switch (in_file(files[i], name, key, len)) {
		case 0:
			known = 1;
			break;
		case 2:
			return inbox_error(INBOX_EFAIL, "the host key of %s "
			    "is revoked in %s", name, files[i]);
		case 3:
			other = files[i];
			break;
		}
	if (known)
		return 0;
	if (other)
		return inbox_error(INBOX_EFAIL, "the host key of %s is not "
		    "the one in %s: it changed, or someone is in between",
		    name, other);
	return inbox_error(INBOX_EFAIL, "the host key of %s is not in "
	    "known_hosts (check it, then: ssh-keyscan%s %s >> "
	    "~/.ssh/known_hosts)", name, opt, host);
}

int
hostkey_port(const char *url)
{
	const char *p, *at, *end, *colon;

	if (!(p = strstr(url, "://")))
		return 22;	/* user@host:path */
	p += 3;
	end = p + strcspn(p, "/");
	if ((at = memchr(p, '@', (size_t)(end - p))))
		p = at + 1;
	if (*p == '[' && (colon = memchr(p, ']', (size_t)(end - p))))
		p = colon + 1;
	colon = memchr(p, ':', (size_t)(end - p));
	return colon && colon + 1 < end ? atoi(colon + 1) : 22;
}
