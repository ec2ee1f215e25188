/*
 * test-hostkey.c - hostkey_known() reads known_hosts as sshd(8) writes
 * it: names, "[host]:port", * and ? (brackets are not a class), "!" to
 * exclude, hashed names, @revoked, comments; and hostkey_port().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "hostkey.h"
#include "unit.h"
#include "util.h"

static char dir[] = "/tmp/inbox-unit-hostkey-XXXXXX";
static char file[128];

static const unsigned char key[] = "\0\0\0\013ssh-ed25519\0\0\0\040"
    "0123456789abcdef0123456789abcdef";
static const unsigned char other[] = "\0\0\0\013ssh-ed25519\0\0\0\040"
    "ffffffffffffffffffffffffffffffff";
#define KLEN (sizeof(key) - 1)

static void
known(const char *text)
{
	FILE *f = fopen(file, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* "HOSTS ssh-ed25519 BASE64(k)\n" */
static char *
line(const char *hosts, const unsigned char *k)
{
	char b[128];
	struct sb s = SB_INIT;

	b[base64_encode(k, KLEN, b)] = '\0';
	sb_addf(&s, "%s ssh-ed25519 %s comment\n", hosts, b);
	return sb_detach(&s, NULL);
}

static int
check(const char *host, int port, const unsigned char *k)
{
	const char *files[] = { "/nonexistent/known_hosts", file, NULL };
	int r = hostkey_known(host, port, k, KLEN, files);

	inbox_error_clear();
	return r;
}

static void
with(const char *hosts, const unsigned char *k, const char *host, int port,
    int want, const char *what)
{
	char *l = line(hosts, k);

	known(l);
	CHECK_INT(check(host, port, key), want, what);
	free(l);
}

int
main(void)
{
	const char *files[] = { file, NULL };
	char *a, *b;
	struct sb s = SB_INIT;
	unsigned char salt[20], mac[SHA1_LEN];
	char bs[64], bm[64];

	if (!mkdtemp(dir))
		return 1;
	snprintf(file, sizeof(file), "%s/known_hosts", dir);

	with("git.example.org", key, "git.example.org", 22, 0, "a name");
	with("GIT.example.org", key, "git.example.org", 22, 0, "any case");
	with("git.example.org", key, "git.example.org", 2222, -1,
	    "another port is another host");
	with("[git.example.org]:2222", key, "git.example.org", 2222, 0,
	    "[host]:port is no bracket class");
	with("[git.example.org]:2222", key, "git.example.org", 22, -1,
	    "[host]:port is not port 22");
	with("a.org,git.example.org", key, "git.example.org", 22, 0,
	    "a list");
	with("*.example.org", key, "git.example.org", 22, 0, "a wildcard");
	with("git.example.o?g", key, "git.example.org", 22, 0, "a ?");
	with("*.example.org,!git.example.org", key, "git.example.org", 22,
	    -1, "excluded");
	with("git.example.org", other, "git.example.org", 22, -1,
	    "another key");
	with("example.org", key, "git.example.org", 22, -1, "another host");

	/* the messages say which */
	a = line("git.example.org", other);
	known(a);
	CHECK_INT(hostkey_known("git.example.org", 22, key, KLEN, files), -1,
	    "changed");
	CHECK(strstr(inbox_errmsg(), "is not the one in") != NULL,
	    "a changed key says so");
	known("");
	CHECK_INT(hostkey_known("git.example.org", 2222, key, KLEN, files),
	    -1, "unknown");
	CHECK_STR(inbox_errmsg(), "the host key of [git.example.org]:2222 is "
	    "not in known_hosts (check it, then: ssh-keyscan -p 2222 "
	    "git.example.org >> ~/.ssh/known_hosts)", "unknown says how");
	inbox_error_clear();

	/* revoked wins over a listing; comments and blank lines skipped */
	b = line("git.example.org", key);
	sb_addf(&s, "# a comment\n\n@cert-authority *.org ssh-ed25519 AAAA\n"
	    "%s@revoked %s", b, b);
	known(s.buf);
	CHECK_INT(hostkey_known("git.example.org", 22, key, KLEN, files), -1,
	    "revoked");
	CHECK(strstr(inbox_errmsg(), "revoked") != NULL, "says revoked");
	inbox_error_clear();
	sb_reset(&s);

	/* hashed: |1|base64(salt)|base64(hmac-sha1(salt, name)) */
	for (size_t i = 0; i < sizeof(salt); i++)
		salt[i] = (unsigned char)(i * 7 + 1);
	hmac_sha1(salt, sizeof(salt), "[10.0.0.5]:2200", 15, mac);
	bs[base64_encode(salt, sizeof(salt), bs)] = '\0';
	bm[base64_encode(mac, sizeof(mac), bm)] = '\0';
	sb_addf(&s, "|1|%s|%s", bs, bm);
	with(s.buf, key, "10.0.0.5", 2200, 0, "a hashed name");
	with(s.buf, key, "10.0.0.5", 22, -1, "a hashed name, another port");
	sb_release(&s);

	CHECK_INT(hostkey_port("ssh://git@host.org:2222/srv/x.git"), 2222,
	    "ssh:// with a port");
	CHECK_INT(hostkey_port("ssh://git@host.org/srv/x.git"), 22,
	    "ssh:// without");
	CHECK_INT(hostkey_port("ssh://git@[::1]:2200/x.git"), 2200,
	    "an IPv6 host");
	CHECK_INT(hostkey_port("git@host.org:srv/x.git"), 22,
	    "user@host:path");

	free(a);
	free(b);
	unlink(file);
	rmdir(dir);
	return UNIT_DONE();
}
