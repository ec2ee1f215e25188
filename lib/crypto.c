/*
 * crypto.c - SHA-1 and SHA-256 (FIPS 180-4), HMAC (RFC 2104), base64
 * (RFC 4648) and constant-time comparison.
 *
 * Both hashes work on 64-byte blocks with a big-endian 64-bit bit count
 * at the end, so they share one buffering and padding engine (struct md)
 * and differ only in their initial state and block function.
 */
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define SHA_NI 1
#endif

#include "util.h"
#include "crypto.h"

#define BLOCK MD_BLOCK

static uint32_t
rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t
ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

/* --- SHA-1, FIPS 180-4 section 6.1 --------------------------------- */

static void
sha1_block(uint32_t *h, const unsigned char *p)
{
	uint32_t w[80], a, b, c, d, e, f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = get_be32(p + 4 * i);
	for (; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d, d = c, c = rol(b, 30), b = a, a = t;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

#ifdef SHA_NI
/*
 * The same block with the CPU's SHA extensions (Intel's SHA-1
 * instructions): ABCD in one register (A in its top lane), E in the top
 * lane of another; each SHA1RNDS4 does four rounds, SHA1NEXTE makes the
 * next E from the A of four rounds before and adds the next four words,
 * SHA1MSG1 and SHA1MSG2 extend the message four words at a time:
 * W[t..t+3] from W[t-16..t-13], W[t-12..], W[t-8..] and W[t-4..].
 */
__attribute__((target("sha,sse4.1")))
static void
sha1_block_ni(uint32_t *h, const unsigned char *p)
{
	const __m128i swap = _mm_set_epi64x(0x0001020304050607LL,
	    0x08090a0b0c0d0e0fLL);
	__m128i abcd, abcd0, e, e0, prev, w[4], wi;
	int i;

	abcd0 = abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h),
	    0x1b);
	e0 = _mm_set_epi32((int)h[4], 0, 0, 0);
	prev = abcd;
	for (i = 0; i < 20; i++) {
		if (i < 4)
			wi = _mm_shuffle_epi8(_mm_loadu_si128(
			    (const __m128i *)(p + 16 * i)), swap);
		else
			wi = _mm_sha1msg2_epu32(_mm_xor_si128(
			    _mm_sha1msg1_epu32(w[i % 4], w[(i + 1) % 4]),
			    w[(i + 2) % 4]), w[(i + 3) % 4]);
		w[i % 4] = wi;
		e = i == 0 ? _mm_add_epi32(e0, wi) :
		    _mm_sha1nexte_epu32(prev, wi);
		prev = abcd;
		/* the round function and constant: one per 20 rounds */
		switch (i / 5) {
		case 0: abcd = _mm_sha1rnds4_epu32(abcd, e, 0); break;
		case 1: abcd = _mm_sha1rnds4_epu32(abcd, e, 1); break;
		case 2: abcd = _mm_sha1rnds4_epu32(abcd, e, 2); break;
		default: abcd = _mm_sha1rnds4_epu32(abcd, e, 3); break;
		}
	}
	e = _mm_sha1nexte_epu32(prev, e0);
	abcd = _mm_add_epi32(abcd, abcd0);
	_mm_storeu_si128((__m128i *)h, _mm_shuffle_epi32(abcd, 0x1b));
	h[4] = (uint32_t)_mm_extract_epi32(e, 3);
}
#endif

static int sha1_hw_off;

/* 1 when the CPU has the SHA extensions and SSE4.1 (CPUID leaves 1 and
 * 7), asked once; 0 off x86-64. */
static int
cpu_sha(void)
{
#ifdef SHA_NI
	static int has = -1;
	unsigned a, b, c, d;

	if (has < 0)
		has = __get_cpuid(1, &a, &b, &c, &d) && (c >> 19 & 1) &&
		    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b >> 29 & 1);
	return has;
#else
	return 0;
#endif
}

int
sha1_hw(int on)
{
	sha1_hw_off = !on;
	return on && cpu_sha();
}

/* The block function: the CPU's SHA instructions when it has them. */
static void (*sha1_fn(void))(uint32_t *, const unsigned char *)
{
#ifdef SHA_NI
	if (cpu_sha() && !sha1_hw_off)
		return sha1_block_ni;
#endif
	return sha1_block;
}

void
sha1_init(struct md *m)
{
	static const uint32_t iv[5] = {
		0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0
	};

	memset(m, 0, sizeof(*m));
	memcpy(m->h, iv, sizeof(iv));
	m->outlen = SHA1_LEN;
	m->block = sha1_fn();
}

/* --- SHA-256, FIPS 180-4 section 6.2 ------------------------------- */

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

static void
sha256_schedule(uint32_t *w, const unsigned char *p)
{
	uint32_t s0, s1;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = get_be32(p + 4 * i);
	for (; i < 64; i++) {
		s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
}

static void
sha256_block(uint32_t *h, const unsigned char *p)
{
	uint32_t w[64], v[8], t1, t2;
	int i;

	sha256_schedule(w, p);
	memcpy(v, h, sizeof(v));
	for (i = 0; i < 64; i++) {
		t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
		    ((v[4] & v[5]) ^ (~v[4] & v[6])) + K256[i] + w[i];
		t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
		    ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += v[i];
}

static void
sha256_init(struct md *m)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memset(m, 0, sizeof(*m));
	memcpy(m->h, iv, sizeof(iv));
	m->outlen = SHA256_LEN;
	m->block = sha256_block;
}

/* --- the shared engine --------------------------------------------- */

void
md_update(struct md *m, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t k;

	if (n == 0)
		return;
	m->len += n;
	if (m->nbuf) {
		k = BLOCK - m->nbuf < n ? BLOCK - m->nbuf : n;
		memcpy(m->buf + m->nbuf, p, k);
		m->nbuf += k, p += k, n -= k;
		if (m->nbuf < BLOCK)
			return;
		m->block(m->h, m->buf);
		m->nbuf = 0;
	}
	for (; n >= BLOCK; p += BLOCK, n -= BLOCK)
		m->block(m->h, p);
	memcpy(m->buf, p, n);
	m->nbuf = n;
}

/* Pad with 0x80, zeros and the bit count (FIPS 180-4 5.1.1). */
void
md_final(struct md *m, unsigned char *out)
{
	uint64_t bits = m->len * 8;
	size_t i;

	m->buf[m->nbuf++] = 0x80;
	if (m->nbuf > BLOCK - 8) {
		memset(m->buf + m->nbuf, 0, BLOCK - m->nbuf);
		m->block(m->h, m->buf);
		m->nbuf = 0;
	}
	memset(m->buf + m->nbuf, 0, BLOCK - 8 - m->nbuf);
	put_be32(m->buf + BLOCK - 8, (uint32_t)(bits >> 32));
	put_be32(m->buf + BLOCK - 4, (uint32_t)bits);
	m->block(m->h, m->buf);
	for (i = 0; i < m->outlen / 4; i++)
		put_be32(out + 4 * i, m->h[i]);
	memset(m, 0, sizeof(*m));
}

static void
md_digest(void (*init)(struct md *), const void *data, size_t n,
    unsigned char *out)
{
	struct md m;

	init(&m);
	md_update(&m, data, n);
	md_final(&m, out);
}

void
sha1(const void *data, size_t n, unsigned char out[SHA1_LEN])
{
	md_digest(sha1_init, data, n, out);
}

void
sha256(const void *data, size_t n, unsigned char out[SHA256_LEN])
{
	md_digest(sha256_init, data, n, out);
}

/* --- HMAC, RFC 2104 ------------------------------------------------ */

static void
hmac(void (*init)(struct md *), const void *key, size_t keylen,
    const void *data, size_t n, unsigned char *out)
{
	unsigned char k[BLOCK], pad[BLOCK], inner[SHA256_LEN];
	struct md m;
	size_t i;

	memset(k, 0, sizeof(k));
	if (keylen > BLOCK)
		md_digest(init, key, keylen, k);
	else if (keylen > 0)
		memcpy(k, key, keylen);

	init(&m);
	for (i = 0; i < BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	md_update(&m, pad, BLOCK);
	md_update(&m, data, n);
	md_final(&m, inner);

	init(&m);
	for (i = 0; i < BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	md_update(&m, pad, BLOCK);
	md_update(&m, inner, m.outlen);
	md_final(&m, out);

	memset(k, 0, sizeof(k));
	memset(pad, 0, sizeof(pad));
}

void
hmac_sha1(const void *key, size_t keylen, const void *data, size_t n,
    unsigned char out[SHA1_LEN])
{
	hmac(sha1_init, key, keylen, data, n, out);
}

void
hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
    unsigned char out[SHA256_LEN])
{
	hmac(sha256_init, key, keylen, data, n, out);
}

/* --- base64, RFC 4648 section 4 ------------------------------------ */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
base64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

size_t
base64_encode(const void *in, size_t n, char *out)
{
	const unsigned char *p = in;
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	if (i < n) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

/* The value of a base64 digit, or -1. */
static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int
b64_skip(int c)
{
	return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

/*
 * Padding is optional, but once a '=' is seen only '=' and blanks may
 * follow, and a lone final digit (6 bits, not a byte) is an error.
 */
long
base64_decode(const char *in, size_t n, unsigned char *out)
{
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0, pad = 0, ndig = 0, v;

	for (i = 0; i < n; i++) {
		if (b64_skip((unsigned char)in[i]))
			continue;
		if (in[i] == '=') {
			pad++;
			continue;
		}
		if (pad || (v = b64_value((unsigned char)in[i])) < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		ndig++;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	if (ndig % 4 == 1 || pad > 2)
		return -1;
	return (long)o;
}

int
ct_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}
