/*
 * crypto.h - the hashes and encodings the formats need: SHA-1 (Twilio
 * signatures, stable ids), SHA-256 (WhatsApp and webhook signatures), their
 * HMACs, base64 and constant-time comparison.  Written from FIPS 180-4 and
 * RFC 2104 / RFC 4648; no outside code.
 */
#ifndef INBOX_CRYPTO_H
#define INBOX_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_LEN 20
#define SHA256_LEN 32

void sha1(const void *data, size_t n, unsigned char out[SHA1_LEN]);

/* A hash of data given in pieces: sha1_init(), md_update()..., then
 * md_final() writes the digest. */
#define MD_BLOCK 64
struct md {
	uint32_t h[8];
	uint64_t len;			/* bytes hashed so far */
	unsigned char buf[MD_BLOCK];
	size_t nbuf;
	size_t outlen;			/* SHA1_LEN or SHA256_LEN */
	void (*block)(uint32_t *, const unsigned char *);
};
void sha1_init(struct md *m);
void md_update(struct md *m, const void *data, size_t n);
void md_final(struct md *m, unsigned char *out);
/*
 * SHA-1 with the CPU's SHA instructions (x86-64 with SHA-NI), when it
 * has them, unless turned off; whether they are used now.  For tests.
 */
int sha1_hw(int on);
void sha256(const void *data, size_t n, unsigned char out[SHA256_LEN]);
void hmac_sha1(const void *key, size_t keylen, const void *data, size_t n,
    unsigned char out[SHA1_LEN]);
void hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
    unsigned char out[SHA256_LEN]);

/* Standard base64 with padding; out must hold base64_len(n) + 1 bytes. */
size_t base64_len(size_t n);
size_t base64_encode(const void *in, size_t n, char *out);
/* Decode, skipping CR/LF and blanks; returns the decoded length or -1 on
 * a character outside the alphabet.  out must hold n * 3 / 4 + 3 bytes. */
long base64_decode(const char *in, size_t n, unsigned char *out);

/* 1 when equal, in time independent of where they differ. */
int ct_equal(const void *a, const void *b, size_t n);

#endif
