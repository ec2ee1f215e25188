/*
 * pack.c - objects written straight into one pack file, for a batch.
 *
 * A libgit2 object database backend that libgit2 writes to first: every
 * object is deflated and appended to objects/pack/tmp_pack_XXXXXX as it
 * comes (no delta search, nothing held but its name, offset and CRC),
 * and pack_finish() writes the count and checksum, the version 2 index
 * beside it, and renames both into place, the index last, as git does.
 * Objects written since the last finish are read back from the file.
 * The formats are git's pack-format documentation: a pack is "PACK",
 * version 2, the count, then each object's type and size in a varint
 * and its zlib stream, and the SHA-1 of all that; its index is a fan-out
 * table, the sorted names, their CRC-32s and their offsets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <zlib.h>
#include <git2.h>
#include <git2/sys/odb_backend.h>

#include "crypto.h"
#include "pack.h"
#include "util.h"

struct pobj {
	git_oid id;
	uint64_t off;		/* of its header in the pack */
	uint32_t crc;		/* of header and zlib stream */
	uint32_t plen;		/* their length */
	size_t size;		/* inflated */
	git_object_t type;
};

struct pack {
	git_odb_backend be;	/* first: libgit2 passes &be back */
	git_odb *odb;		/* while attaching */
	char *dir;		/* objects/pack */
	char *tmp;		/* the pack being written */
	int fd;
	uint64_t off;
	struct pobj *obj;
	size_t n, cap;
	size_t *slot, nslot;	/* obj by name: index + 1, 0 empty */
	z_stream z;
	unsigned char *zbuf;
	size_t zcap;
};

static size_t *
find(struct pack *p, const git_oid *id)
{
	size_t mask = p->nslot - 1, i;

	memcpy(&i, id->id, sizeof(i));
	for (i &= mask; p->slot[i]; i = (i + 1) & mask)
		if (git_oid_equal(&p->obj[p->slot[i] - 1].id, id))
			break;
	return &p->slot[i];
}

static struct pobj *
lookup(struct pack *p, const git_oid *id)
{
	size_t *s = p->nslot ? find(p, id) : NULL;

	return s && *s ? &p->obj[*s - 1] : NULL;
}

static void
grow(struct pack *p)
{
	p->nslot = p->nslot ? p->nslot * 2 : 1024;
	free(p->slot);
	p->slot = xcalloc(p->nslot, sizeof(*p->slot));
	for (size_t i = 0; i < p->n; i++)
		*find(p, &p->obj[i].id) = i + 1;
}

static int
put_all(int fd, const void *buf, size_t len)
{
	const char *s = buf;

	while (len) {
		ssize_t w = write(fd, s, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

static int
start(struct pack *p)
{
	static const unsigned char hdr[12] = { 'P', 'A', 'C', 'K', 0, 0, 0, 2 };
	struct sb t = SB_INIT;

	sb_addf(&t, "%s/tmp_pack_XXXXXX", p->dir);
	p->fd = mkstemp(t.buf);
	if (p->fd < 0) {
		git_error_set(GIT_ERROR_OS, "cannot create %s: %s", t.buf,
		    strerror(errno));
		sb_release(&t);
		return -1;
	}
	p->tmp = sb_detach(&t, NULL);
	if (put_all(p->fd, hdr, sizeof(hdr)) < 0) {
		git_error_set(GIT_ERROR_OS, "write %s: %s", p->tmp,
		    strerror(errno));
		return -1;
	}
	p->off = sizeof(hdr);
	return 0;
}

static int
be_write(git_odb_backend *be, const git_oid *id, const void *data,
    size_t len, git_object_t type)
{
	struct pack *p = (struct pack *)be;
	unsigned char h[16];
	size_t hn = 0, left = len;
	struct pobj *o;
	int e;

	if (lookup(p, id))
		return 0;
	if (p->fd < 0 && start(p) < 0)
		return -1;
	h[hn++] = (unsigned char)((type << 4) | (left & 15));
	for (left >>= 4; left; left >>= 7) {
		h[hn - 1] |= 0x80;
		h[hn++] = left & 0x7f;
	}
	if (compressBound(len) > p->zcap) {
		p->zcap = compressBound(len);
		p->zbuf = xrealloc(p->zbuf, p->zcap);
	}
	deflateReset(&p->z);
	p->z.next_in = (Bytef *)(uintptr_t)data;
	p->z.avail_in = (uInt)len;
	p->z.next_out = p->zbuf;
	p->z.avail_out = (uInt)p->zcap;
	e = deflate(&p->z, Z_FINISH);
	if (e != Z_STREAM_END || len > UINT32_MAX / 2) {
		git_error_set(GIT_ERROR_ZLIB, "cannot deflate an object");
		return -1;
	}
	if (put_all(p->fd, h, hn) < 0 ||
	    put_all(p->fd, p->zbuf, p->z.total_out) < 0) {
		git_error_set(GIT_ERROR_OS, "write %s: %s", p->tmp,
		    strerror(errno));
		return -1;
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->obj = xrealloc(p->obj, p->cap * sizeof(*p->obj));
	}
	if ((p->n + 1) * 2 > p->nslot)
		grow(p);
	o = &p->obj[p->n];
	git_oid_cpy(&o->id, id);
	o->off = p->off;
	o->plen = (uint32_t)(hn + p->z.total_out);
	o->crc = (uint32_t)crc32(crc32(0, h, (uInt)hn), p->zbuf,
	    (uInt)p->z.total_out);
	o->size = len;
	o->type = type;
	*find(p, id) = ++p->n;
	p->off += o->plen;
	return 0;
}

static int
be_read(void **out, size_t *len, git_object_t *type, git_odb_backend *be,
    const git_oid *id)
{
	struct pack *p = (struct pack *)be;
	struct pobj *o = lookup(p, id);
	unsigned char *raw, *buf;
	size_t hn = 1;
	z_stream z;
	int e;

	if (!o)
		return GIT_ENOTFOUND;
	raw = xmalloc(o->plen);
	if (pread(p->fd, raw, o->plen, (off_t)o->off) != (ssize_t)o->plen) {
		free(raw);
		git_error_set(GIT_ERROR_OS, "read %s", p->tmp);
		return -1;
	}
	while (raw[hn - 1] & 0x80)
		hn++;
	buf = git_odb_backend_data_alloc(be, o->size + 1);
	memset(&z, 0, sizeof(z));
	z.next_in = raw + hn;
	z.avail_in = (uInt)(o->plen - hn);
	z.next_out = buf;
	z.avail_out = (uInt)o->size + 1;
	e = inflateInit(&z) == Z_OK ? inflate(&z, Z_FINISH) : Z_DATA_ERROR;
	inflateEnd(&z);
	free(raw);
	if (e != Z_STREAM_END || z.total_out != o->size) {
		git_odb_backend_data_free(be, buf);
		git_error_set(GIT_ERROR_ZLIB, "bad object in %s", p->tmp);
		return -1;
	}
	*out = buf;
	*len = o->size;
	*type = o->type;
	return 0;
}

static int
be_read_header(size_t *len, git_object_t *type, git_odb_backend *be,
    const git_oid *id)
{
	struct pobj *o = lookup((struct pack *)be, id);

	if (!o)
		return GIT_ENOTFOUND;
	*len = o->size;
	*type = o->type;
	return 0;
}

static int
be_exists(git_odb_backend *be, const git_oid *id)
{
	return lookup((struct pack *)be, id) != NULL;
}

/* Forget the objects written (finished or thrown away). */
static void
reset(struct pack *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (p->tmp)
		unlink(p->tmp);
	free(p->tmp);
	p->tmp = NULL;
	p->n = 0;
	p->off = 0;
	if (p->slot)
		memset(p->slot, 0, p->nslot * sizeof(*p->slot));
}

static void
be_free(git_odb_backend *be)
{
	struct pack *p = (struct pack *)be;

	reset(p);
	deflateEnd(&p->z);
	free(p->zbuf);
	free(p->obj);
	free(p->slot);
	free(p->dir);
	free(p);
}

int
pack_attach(struct pack **out, git_repository *g)
{
	struct pack *p = xcalloc(1, sizeof(*p));
	struct sb d = SB_INIT;

	*out = NULL;
	if (git_repository_odb(&p->odb, g) < 0) {
		free(p);
		return -1;
	}
	git_odb_init_backend(&p->be, GIT_ODB_BACKEND_VERSION);
	p->be.write = be_write;
	p->be.read = be_read;
	p->be.read_header = be_read_header;
	p->be.exists = be_exists;
	p->be.free = be_free;
	p->fd = -1;
	/* the git directory's path ends with a slash */
	sb_addf(&d, "%sobjects/pack", git_repository_path(g));
	p->dir = sb_detach(&d, NULL);
	if (deflateInit(&p->z, Z_BEST_SPEED) != Z_OK) {
		git_odb_free(p->odb);
		free(p->dir);
		free(p);
		git_error_set(GIT_ERROR_ZLIB, "cannot start zlib");
		return -1;
	}
	/* above the loose (1) and packed (2) backends: written here */
	if (git_odb_add_backend(p->odb, &p->be, 1000) < 0) {
		git_odb_free(p->odb);
		be_free(&p->be);
		return -1;
	}
	/* the repository's odb owns us now (be.odb) */
	git_odb_free(p->odb);
	p->odb = NULL;
	*out = p;
	return 0;
}

size_t
pack_bytes(const struct pack *p)
{
	return (size_t)p->off;
}

static void
be32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
}

static int
by_id(const void *a, const void *b)
{
	return git_oid_cmp(&((const struct pobj *)a)->id,
	    &((const struct pobj *)b)->id);
}

/* The version 2 index of the pack whose checksum is sum. */
static void
make_index(struct pack *p, const unsigned char sum[SHA1_LEN], struct sb *x)
{
	static const unsigned char magic[8] = { 0xff, 't', 'O', 'c', 0, 0, 0,
	    2 };
	unsigned char b[8], h[SHA1_LEN];
	size_t i, k, nbig = 0;

	qsort(p->obj, p->n, sizeof(*p->obj), by_id);
	sb_add(x, magic, sizeof(magic));
	for (i = 0, k = 0; i < 256; i++) {
		while (k < p->n && p->obj[k].id.id[0] <= i)
			k++;
		be32(b, (uint32_t)k);
		sb_add(x, b, 4);
	}
	for (i = 0; i < p->n; i++)
		sb_add(x, p->obj[i].id.id, GIT_OID_RAWSZ);
	for (i = 0; i < p->n; i++) {
		be32(b, p->obj[i].crc);
		sb_add(x, b, 4);
	}
	for (i = 0; i < p->n; i++) {
		uint64_t off = p->obj[i].off;

		be32(b, off < 0x80000000u ? (uint32_t)off :
		    0x80000000u | (uint32_t)nbig++);
		sb_add(x, b, 4);
	}
	for (i = 0; i < p->n; i++)
		if (p->obj[i].off >= 0x80000000u) {
			be32(b, (uint32_t)(p->obj[i].off >> 32));
			be32(b + 4, (uint32_t)p->obj[i].off);
			sb_add(x, b, 8);
		}
	sb_add(x, sum, SHA1_LEN);
	sha1(x->buf, x->len, h);
	sb_add(x, h, SHA1_LEN);
}

int
pack_finish(struct pack *p)
{
	unsigned char cnt[4], sum[SHA1_LEN];
	struct sb x = SB_INIT, name = SB_INIT;
	void *map;
	int r = -1;

	if (p->n == 0) {
		reset(p);
		return 0;
	}
	be32(cnt, (uint32_t)p->n);
	if (pwrite(p->fd, cnt, 4, 8) != 4)
		goto io;
	map = mmap(NULL, (size_t)p->off, PROT_READ, MAP_SHARED, p->fd, 0);
	if (map == MAP_FAILED)
		goto io;
	sha1(map, (size_t)p->off, sum);
	munmap(map, (size_t)p->off);
	if (put_all(p->fd, sum, sizeof(sum)) < 0 || fsync_fd(p->fd) < 0)
		goto io;
	make_index(p, sum, &x);
	sb_addf(&name, "%s/pack-", p->dir);
	for (size_t i = 0; i < SHA1_LEN; i++)
		sb_addf(&name, "%02x", sum[i]);
	sb_adds(&name, ".pack");
	if (rename(p->tmp, name.buf) < 0)
		goto io;
	free(p->tmp);
	p->tmp = NULL;
	/* the index last: git finds a pack by its index */
	memcpy(name.buf + name.len - 4, "idx", 4);
	name.len--;
	if (write_atomic(name.buf, x.buf, x.len, 0444) < 0)
		goto out;
	reset(p);
	r = git_odb_refresh(p->be.odb) < 0 ? inbox_error(INBOX_ETEMP,
	    "git: cannot see the new pack") : 0;
	goto out;
io:
	r = inbox_error(INBOX_ETEMP, "write pack %s:", p->tmp ? p->tmp :
	    name.buf);
out:
	sb_release(&x);
	sb_release(&name);
	return r;
}
