/*
 * fuzz-packread.c - libFuzzer target for lib/packread.c: a pack as a disk
 * error, a crash mid-write or a hostile copy may leave it.  The input
 * is K objects' offsets and the pack's body:
 *
 *	byte 0		K - 1 (of 1 to 8, modulo 8)
 *	2K bytes	each object's offset in the body, big-endian
 *	the rest	the body: object headers, zlib streams, delta bases
 *
 * The pack ("PACK", version 2, K, the body, a checksum of zeros) and its
 * version 2 index are written to a temporary objects/pack, the index
 * naming the objects 01 01 ..., 02 02 ... (a REF_DELTA base the fuzzer
 * can learn), and every object is read (and the entry it came from
 * found within the pack), its header read, and its existence checked, by
 * a reader new for each input.
 *
 *	t/fuzz/run 60    (builds it like every t/fuzz/fuzz-*.c)
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "packread.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], objects[96], pack[160], idx[160];

static void
cleanup(void)
{
	unlink(pack);
	unlink(idx);
	snprintf(pack, sizeof(pack), "%s/pack", objects);
	rmdir(pack);
	rmdir(objects);
	rmdir(dir);
}

static void
write_file(const char *path, const unsigned char *b, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, b, n) != (ssize_t)n)
		abort();
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char hdr[12] = { 'P', 'A', 'C', 'K', 0, 0, 0, 2 };
	unsigned char *p, *x, *w;
	size_t k, body, plen, xlen;
	struct preader *r;

	if (!*dir) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-packread-%ld",
		    (long)getpid());
		snprintf(objects, sizeof(objects), "%s/objects", dir);
		snprintf(pack, sizeof(pack), "%s/pack", objects);
		if ((mkdir(dir, 0700) < 0 || mkdir(objects, 0700) < 0 ||
		    mkdir(pack, 0700) < 0))
			abort();
		snprintf(pack, sizeof(pack), "%s/pack/pack-fuzz.pack", objects);
		snprintf(idx, sizeof(idx), "%s/pack/pack-fuzz.idx", objects);
		atexit(cleanup);
		git_libgit2_init();
	}
	if (size < 1)
		return 0;
	k = (size_t)data[0] % 8 + 1;
	if (size < 1 + 2 * k)
		return 0;
	body = size - 1 - 2 * k;

	/* the pack */
	plen = 12 + body + 20;
	p = xcalloc(1, plen);
	put_be32(hdr + 8, (uint32_t)k);
	memcpy(p, hdr, 12);
	memcpy(p + 12, data + 1 + 2 * k, body);
	write_file(pack, p, plen);
	free(p);

	/* its index: names i i i ..., sorted as they are */
	xlen = 8 + 1024 + k * 28 + 40;
	x = xcalloc(1, xlen);
	memcpy(x, "\377tOc\0\0\0\2", 8);
	for (size_t b = 0; b < 256; b++) {
		uint32_t n = 0;

		for (size_t i = 0; i < k; i++)
			n += i + 1 <= b;
		put_be32(x + 8 + 4 * b, n);
	}
	w = x + 8 + 1024;
	for (size_t i = 0; i < k; i++)
		memset(w + 20 * i, (int)(i + 1), 20);
	w += 20 * k + 4 * k;	/* CRCs: not checked by a reader */
	for (size_t i = 0; i < k; i++) {
		uint32_t off = (uint32_t)data[1 + 2 * i] << 8 |
		    data[2 + 2 * i];

		put_be32(w + 4 * i, 12 + off);
	}
	write_file(idx, x, xlen);
	free(x);

	r = pr_new(objects);
	for (size_t i = 0; i < k; i++) {
		git_oid id;
		void *out;
		size_t len;
		git_object_t type;

		memset(id.id, (int)(i + 1), sizeof(id.id));
		if (pr_read(r, &id, NULL, &out, &len, &type) == 0) {
			struct pr_entry pe;
			struct stat sb;

			if (((char *)out)[len] != '\0')
				abort();
			free(out);
			/* the entry it came from lies within the pack */
			if (pr_last_entry(r, &pe) == 0 &&
			    (fstat(pe.fd, &sb) < 0 || pe.len == 0 ||
			    pe.off + pe.len > (uint64_t)sb.st_size - 20))
				abort();
		}
		(void)pr_header(r, &id, &len, &type);
		(void)pr_exists(r, &id);
	}
	pr_free(r);
	return 0;
}
