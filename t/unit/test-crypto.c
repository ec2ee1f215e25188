/*
 * test-crypto.c - SHA-1, SHA-256, HMAC, base64 and ct_equal against the
 * FIPS 180-4, RFC 2202, RFC 4231 and RFC 4648 test vectors, plus the
 * Twilio and webhook signatures the transports check.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "crypto.h"
#include "unit.h"

static const char *
hex(const unsigned char *p, size_t n)
{
	static char buf[2 * SHA256_LEN + 1];

	hex_encode(p, n, buf);
	return buf;
}

static const char *
sha1_hex(const void *p, size_t n)
{
	unsigned char d[SHA1_LEN];

	sha1(p, n, d);
	return hex(d, sizeof(d));
}

static const char *
sha256_hex(const void *p, size_t n)
{
	unsigned char d[SHA256_LEN];

	sha256(p, n, d);
	return hex(d, sizeof(d));
}

static const char *
hmac1_hex(const void *k, size_t kn, const void *p, size_t n)
{
	unsigned char d[SHA1_LEN];

	hmac_sha1(k, kn, p, n, d);
	return hex(d, sizeof(d));
}

static const char *
hmac256_hex(const void *k, size_t kn, const void *p, size_t n, size_t len)
{
	unsigned char d[SHA256_LEN];

	hmac_sha256(k, kn, p, n, d);
	return hex(d, len);
}

#define S(s) (s), strlen(s)

static const char abc448[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

static void
test_sha1(void)
{
	char *m = malloc(1000000);

	CHECK_STR(sha1_hex("", 0), "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	    "sha1 empty");
	CHECK_STR(sha1_hex(S("abc")),
	    "a9993e364706816aba3e25717850c26c9cd0d89d", "sha1 abc");
	CHECK_STR(sha1_hex(S(abc448)),
	    "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "sha1 448 bits");
	memset(m, 'a', 1000000);
	CHECK_STR(sha1_hex(m, 1000000),
	    "34aa973cd4c4daa4f61eeb2bdbad27316534016f", "sha1 million a");
	free(m);
}

static void
test_sha256(void)
{
	char *m = malloc(1000000);

	CHECK_STR(sha256_hex("", 0),
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "sha256 empty");
	CHECK_STR(sha256_hex(S("abc")),
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "sha256 abc");
	CHECK_STR(sha256_hex(S(abc448)),
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	    "sha256 448 bits");
	memset(m, 'a', 1000000);
	CHECK_STR(sha256_hex(m, 1000000),
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "sha256 million a");
	free(m);
	CHECK_STR(sha256_hex(S("{\"property\": \"value\", \"boolean\": true}")),
	    "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620",
	    "sha256 webhook body");
}

/* Lengths around the padding boundaries: 55 fits one block, 56 not. */
static void
test_padding(void)
{
	static const struct {
		size_t n;
		const char *s1, *s256;
	} v[] = {
		{ 55, "04bb34aef4880b625e6b1564a014abd25fc02bfe",
		  "16fa57a0a3423a715d594516339f3618"
		  "9d6b5f93754a9714fef202616a9fabfe" },
		{ 56, "83b9fcb6d3e3b20f376ab989a1b6353bcc6c0f44",
		  "c37b44e5f1b18554b36966f4f8e08bfb"
		  "f3164c4b6c10374d12d89850892073c5" },
		{ 63, "ab15090e8dbe512f3733350f9623ab11f9b5165b",
		  "bbba992d2c85af960fb2987a1fd05e0a"
		  "a82a3db3c740dd8982a9e273b75e36a3" },
		{ 64, "54305ee7e4c7bc5a96afc6d1994fc52d9bcb665f",
		  "66bd4633ed6f71c4ecfa4763bf7ba1c8"
		  "ec7612de9aa6c0578a7b675207c71e0b" },
		{ 65, "5985422a25357371ebd2a7f6ecd7eebed43db42c",
		  "9f7dc47107b750a1f3d35db5d9547f24"
		  "ef40da5b731b9540d4f43710a154f6c9" },
		{ 119, "6839d6c27f22ed884ac43ae6bd3bfcee9e04b938",
		  "a3ed307b730fa77c07531300c6e4a282"
		  "330011d4d4caf6bb7b63ae05950f4b66" },
		{ 120, "8c40517a14ab8b78fd4b8958f4e31254a34c3fb0",
		  "8e3b15d9fea7472655aa069620b7f8c2"
		  "e55ee1499f763200a7515fe826e99d20" },
	};
	unsigned char m[120];
	char what[64];

	for (size_t i = 0; i < sizeof(m); i++)
		m[i] = (unsigned char)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(what, sizeof(what), "sha1 %zu bytes", v[i].n);
		CHECK_STR(sha1_hex(m, v[i].n), v[i].s1, what);
		snprintf(what, sizeof(what), "sha256 %zu bytes", v[i].n);
		CHECK_STR(sha256_hex(m, v[i].n), v[i].s256, what);
	}
}

/* RFC 2202 section 3. */
static void
test_hmac_sha1(void)
{
	unsigned char k[80], d[80];

	memset(k, 0x0b, 20);
	CHECK_STR(hmac1_hex(k, 20, S("Hi There")),
	    "b617318655057264e28bc0b6fb378c8ef146be00", "rfc2202 1");
	CHECK_STR(hmac1_hex(S("Jefe"), S("what do ya want for nothing?")),
	    "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", "rfc2202 2");
	memset(k, 0xaa, 20);
	memset(d, 0xdd, 50);
	CHECK_STR(hmac1_hex(k, 20, d, 50),
	    "125d7342b9ac11cd91a39af48aa17b4f63f175d3", "rfc2202 3");
	for (int i = 0; i < 25; i++)
		k[i] = (unsigned char)(i + 1);
	memset(d, 0xcd, 50);
	CHECK_STR(hmac1_hex(k, 25, d, 50),
	    "4c9007f4026250c6bc8414f9bf50c86c2d7235da", "rfc2202 4");
	memset(k, 0x0c, 20);
	CHECK_STR(hmac1_hex(k, 20, S("Test With Truncation")),
	    "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04", "rfc2202 5");
	memset(k, 0xaa, 80);
	CHECK_STR(hmac1_hex(k, 80,
	    S("Test Using Larger Than Block-Size Key - Hash Key First")),
	    "aa4ae5e15272d00e95705637ce8a3b55ed402112", "rfc2202 6");
	CHECK_STR(hmac1_hex(k, 80, S("Test Using Larger Than Block-Size Key "
	    "and Larger Than One Block-Size Data")),
	    "e8e99d0f45237d786d6bbaa7965c7808bbff1a91", "rfc2202 7");
}

/* RFC 4231 section 4. */
static void
test_hmac_sha256(void)
{
	unsigned char k[131], d[50];

	memset(k, 0x0b, 20);
	CHECK_STR(hmac256_hex(k, 20, S("Hi There"), 32),
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	    "rfc4231 1");
	CHECK_STR(hmac256_hex(S("Jefe"), S("what do ya want for nothing?"), 32),
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    "rfc4231 2");
	memset(k, 0xaa, 20);
	memset(d, 0xdd, 50);
	CHECK_STR(hmac256_hex(k, 20, d, 50, 32),
	    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	    "rfc4231 3");
	for (int i = 0; i < 25; i++)
		k[i] = (unsigned char)(i + 1);
	memset(d, 0xcd, 50);
	CHECK_STR(hmac256_hex(k, 25, d, 50, 32),
	    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	    "rfc4231 4");
	memset(k, 0x0c, 20);
	CHECK_STR(hmac256_hex(k, 20, S("Test With Truncation"), 16),
	    "a3b6167473100ee06e0c796c2955552b", "rfc4231 5 (truncated)");
	memset(k, 0xaa, 131);
	CHECK_STR(hmac256_hex(k, 131,
	    S("Test Using Larger Than Block-Size Key - Hash Key First"), 32),
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	    "rfc4231 6");
	CHECK_STR(hmac256_hex(k, 131, S("This is a test using a larger than "
	    "block-size key and a larger than block-size data. The key needs "
	    "to be hashed before being used by the HMAC algorithm."), 32),
	    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
	    "rfc4231 7");
	CHECK_STR(hmac256_hex(NULL, 0, NULL, 0, 32),
	    "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad",
	    "hmac-sha256 empty key and data");
}

static void
test_twilio(void)
{
	static const char url[] = "https://mycompany.com/myapp.php?foo=1&bar=2"
	    "CallSidCA1234567890ABCDECaller+14158675309Digits1234"
	    "From+14158675309To+18005551212";
	unsigned char d[SHA1_LEN];
	char b[64];

	hmac_sha1(S("12345"), S(url), d);
	CHECK_INT(base64_encode(d, sizeof(d), b), 28,
	    "twilio signature length");
	CHECK_STR(b, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "twilio signature");
	hmac_sha1(S("12346"), S(url), d);
	base64_encode(d, sizeof(d), b);
	CHECK(strcmp(b, "RSOYDt4T1cUTdK1PDd93/VVr8B8=") != 0,
	    "twilio signature, wrong token");
}

static const char *
b64enc(const char *s)
{
	static char buf[64];

	base64_encode(s, strlen(s), buf);
	return buf;
}

/* Decode and return the text, or "ERR". */
static const char *
b64dec(const char *s)
{
	static char buf[64];
	long n = base64_decode(s, strlen(s), (unsigned char *)buf);

	if (n < 0)
		return "ERR";
	buf[n] = '\0';
	return buf;
}

/* RFC 4648 section 10, and the decoder's tolerance and strictness. */
static void
test_base64(void)
{
	static const char *v[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	unsigned char all[256], back[256 * 3 / 4 + 3 + 100];
	char enc[400], what[64];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(what, sizeof(what), "base64 encode \"%s\"", v[i][0]);
		CHECK_STR(b64enc(v[i][0]), v[i][1], what);
		snprintf(what, sizeof(what), "base64 decode \"%s\"", v[i][1]);
		CHECK_STR(b64dec(v[i][1]), v[i][0], what);
	}
	for (size_t i = 0; i <= 8; i++)
		CHECK_INT(base64_len(i), (i + 2) / 3 * 4, "base64_len");
	CHECK_STR(b64dec("Zm9v\r\nYmFy"), "foobar", "decode skips CRLF");
	CHECK_STR(b64dec(" Zm9v YmE = "), "fooba", "decode skips blanks");
	CHECK_STR(b64dec("Zm9vYg"), "foob", "decode without padding");
	CHECK_STR(b64dec("Zm9v!mFy"), "ERR", "decode rejects '!'");
	CHECK_STR(b64dec("Zm9v-_"), "ERR", "decode rejects base64url");
	CHECK_STR(b64dec("Zg==Zg=="), "ERR", "decode rejects data after pad");
	CHECK_STR(b64dec("Zm9vY"), "ERR", "decode rejects a lone digit");
	CHECK_STR(b64dec("Zg==="), "ERR", "decode rejects three pads");

	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	CHECK_INT(base64_encode(all, 256, enc), base64_len(256),
	    "encode 256 bytes");
	CHECK_INT(base64_decode(enc, strlen(enc), back), 256,
	    "decode 256 bytes");
	CHECK(memcmp(all, back, 256) == 0, "all bytes round-trip");
	CHECK_STR(b64enc("\xfb\xff"), "+/8=", "encode uses + and /");
}

static void
test_ct_equal(void)
{
	CHECK_INT(ct_equal("abcdef", "abcdef", 6), 1, "ct_equal equal");
	CHECK_INT(ct_equal("abcdef", "abcdeg", 6), 0, "ct_equal last differs");
	CHECK_INT(ct_equal("xbcdef", "abcdef", 6), 0, "ct_equal first differs");
	CHECK_INT(ct_equal("a", "b", 0), 1, "ct_equal zero length");
	CHECK_INT(ct_equal("\x80", "\x00", 1), 0, "ct_equal high bit");
}

/* A hash fed in pieces of every size from 1 to 200 bytes is the same. */
static void
test_pieces(void)
{
	unsigned char one[SHA1_LEN], got[SHA1_LEN];
	char *m = malloc(100000);
	int ok = 1;

	for (size_t i = 0; i < 100000; i++)
		m[i] = (char)(i * 7 + i / 255);
	sha1(m, 100000, one);
	for (size_t step = 1; step <= 200; step++) {
		struct md md;

		sha1_init(&md);
		for (size_t i = 0; i < 100000; i += step)
			md_update(&md, m + i, 100000 - i < step ? 100000 - i :
			    step);
		md_final(&md, got);
		if (memcmp(one, got, SHA1_LEN) != 0)
			ok = 0;
	}
	CHECK(ok, "sha1 in pieces of 1 to 200 bytes");
	free(m);
}

int
main(void)
{
	/* SHA-1 with the CPU's instructions, when it has them, then
	 * without */
	printf("# sha1 with SHA instructions: %s\n", sha1_hw(1) ? "yes" :
	    "no");
	test_sha1();
	test_padding();
	test_hmac_sha1();
	test_pieces();
	sha1_hw(0);
	test_sha1();
	test_sha256();
	test_padding();
	test_pieces();
	test_hmac_sha256();
	test_twilio();
	test_base64();
	test_ct_equal();
	return UNIT_DONE();
}
