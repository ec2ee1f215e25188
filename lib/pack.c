/*
 * pack.c - objects written straight into one pack file, for a batch, or
 * loose and cheaply, for any other command (pack_loose() at the end).
 *
 * A libgit2 object database backend that libgit2 writes to first: every
 * object is deflated and appended to objects/pack/tmp_pack_NAME as it
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
#include <sys/stat.h>
#include <zlib.h>
#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include "crypto.h"
#include "pack.h"
#include "packread.h"
#include "util.h"

/* 40 bytes an object, its type and size in its header in the pack */
struct pobj {
	git_oid id;
	uint32_t crc;		/* of header and zlib stream */
	uint64_t off;		/* of its header in the pack */
	uint32_t plen;		/* their length */
};

/*
 * libgit2's backends for the objects already there, behind one that
 * spares a write their checks: git_odb_write() asks every backend whether
 * a new object is there, then refreshes them all and asks again, which
 * reads objects/pack again (its directory, its multi-pack index) for
 * every new object, a dozen times a commit and thousands of times a
 * batch.  The refresh that follows a miss of freshen() is skipped: at
 * worst an object is written twice.  A read that misses still refreshes,
 * so a pack made meanwhile (git gc) is found.
 */
struct packs {
	git_odb_backend be;
	git_odb_backend *in;
	struct preader *r;	/* the packs' reads (packread.c), or NULL */
	int skip;	/* 1: a freshen() missed, 2: its refresh was skipped */
};

#define IN(b) (((struct packs *)(b))->in)
#define ASKED(b) (((struct packs *)(b))->skip = 0)
#define R(b) (((struct packs *)(b))->r)

static int
ps_read(void **out, size_t *len, git_object_t *type, git_odb_backend *b,
    const git_oid *id)
{
	ASKED(b);
	if (R(b))
		return pr_read(R(b), id, b, out, len, type);
	return IN(b)->read(out, len, type, IN(b), id);
}

static int
ps_read_prefix(git_oid *full, void **out, size_t *len, git_object_t *type,
    git_odb_backend *b, const git_oid *id, size_t n)
{
	ASKED(b);
	return IN(b)->read_prefix(full, out, len, type, IN(b), id, n);
}

static int
ps_read_header(size_t *len, git_object_t *type, git_odb_backend *b,
    const git_oid *id)
{
	ASKED(b);
	if (R(b))
		return pr_header(R(b), id, len, type);
	return IN(b)->read_header(len, type, IN(b), id);
}

static int
ps_exists(git_odb_backend *b, const git_oid *id)
{
	ASKED(b);
	if (R(b))	/* libgit2 takes any but 0 for "there" */
		return pr_exists(R(b), id) == 1;
	return IN(b)->exists(IN(b), id);
}

static int
ps_exists_prefix(git_oid *full, git_odb_backend *b, const git_oid *id,
    size_t n)
{
	ASKED(b);
	return IN(b)->exists_prefix(full, IN(b), id, n);
}

/*
 * Whether an object about to be written is there already is not asked of
 * the packs: on a miss libgit2 formats an error message with the name
 * (a third of the instructions of a batch's commit), and an object
 * written again, loose or in the batch's pack, costs nothing but its
 * bytes until the next repack.  The first ask misses, the refresh after
 * it is skipped, the second ask (of the refreshed) ends it.
 */
static int
ps_freshen(git_odb_backend *b, const git_oid *id)
{
	struct packs *w = (struct packs *)b;

	(void)id;
	w->skip = w->skip == 0;
	return GIT_ENOTFOUND;
}

static int
ps_foreach(git_odb_backend *b, git_odb_foreach_cb cb, void *arg)
{
	ASKED(b);
	return IN(b)->foreach(IN(b), cb, arg);
}

/* a fetch's pack goes where the packs are, and is found at once */
static int
ps_writepack(git_odb_writepack **out, git_odb_backend *b, git_odb *odb,
    git_indexer_progress_cb cb, void *payload)
{
	return IN(b)->writepack(out, IN(b), odb, cb, payload);
}

static int
ps_refresh(git_odb_backend *b)
{
	struct packs *w = (struct packs *)b;

	if (w->skip == 1) {
		w->skip = 2;
		return 0;
	}
	w->skip = 0;
	if (w->r)
		pr_refresh(w->r);
	return w->in->refresh ? w->in->refresh(w->in) : 0;
}

static void
ps_free(git_odb_backend *b)
{
	pr_free(R(b));
	IN(b)->free(IN(b));
	free(b);
}

static git_odb_backend *
packs_wrap(git_odb_backend *in)
{
	struct packs *w = xcalloc(1, sizeof(*w));

	git_odb_init_backend(&w->be, GIT_ODB_BACKEND_VERSION);
	w->in = in;
	w->be.read = ps_read;
	w->be.read_prefix = ps_read_prefix;
	w->be.read_header = ps_read_header;
	w->be.exists = ps_exists;
	w->be.exists_prefix = ps_exists_prefix;
	w->be.freshen = ps_freshen;
	w->be.foreach = ps_foreach;
	if (in->writepack)
		w->be.writepack = ps_writepack;
	w->be.refresh = ps_refresh;
	w->be.free = ps_free;
	return &w->be;
}

/*
 * An object's zlib stream, made here.  An object under SMALL is deflated
 * with a window and hash table its size (4 KB, 2,048 entries): zlib
 * clears its hash table for every stream, 64 KB with the defaults,
 * which cost more than deflating a message of 400 bytes; it compresses
 * such a message as well.
 */
#define SMALL 4096

struct zout {
	z_stream z, zs;		/* the big and small objects' */
	int started, small_started;
	unsigned char *buf;
	size_t cap;
};

struct pack {
	git_odb_backend be;	/* first: libgit2 passes &be back */
	git_odb_backend *packs;	/* the packs already there (struct packs) */
	char *dir;		/* objects/pack */
	char *tmp;		/* the pack being written */
	int fd;
	uint64_t off;
	struct pobj *obj;
	size_t n, cap;
	uint32_t *slot;		/* obj by name: index + 1, 0 empty */
	size_t nslot;
	struct zout zo;
	unsigned char wbuf[65536];	/* written, not yet in the file */
	size_t wlen;
};

static uint32_t *
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
	uint32_t *s = p->nslot ? find(p, id) : NULL;

	return s && *s ? &p->obj[*s - 1] : NULL;
}

static void
grow(struct pack *p)
{
	p->nslot = p->nslot ? p->nslot * 2 : 1024;
	free(p->slot);
	p->slot = xcalloc(p->nslot, sizeof(*p->slot));
	for (size_t i = 0; i < p->n; i++)
		*find(p, &p->obj[i].id) = (uint32_t)i + 1;
}

static int
flush(struct pack *p)
{
	if (p->wlen && write_all(p->fd, p->wbuf, p->wlen) < 0) {
		git_error_set(GIT_ERROR_OS, "write %s: %s", p->tmp,
		    strerror(errno));
		return -1;
	}
	p->wlen = 0;
	return 0;
}

/* Append to the pack, through the buffer. */
static int
out(struct pack *p, const void *buf, size_t len)
{
	if (p->wlen + len > sizeof(p->wbuf) && flush(p) < 0)
		return -1;
	if (len > sizeof(p->wbuf)) {
		if (write_all(p->fd, buf, len) == 0)
			return 0;
		git_error_set(GIT_ERROR_OS, "write %s: %s", p->tmp,
		    strerror(errno));
		return -1;
	}
	memcpy(p->wbuf + p->wlen, buf, len);
	p->wlen += len;
	return 0;
}

static int
start(struct pack *p)
{
	static const unsigned char hdr[12] = { 'P', 'A', 'C', 'K', 0, 0, 0, 2 };
	struct sb t = SB_INIT;
	char name[256];

	unique_name(name, sizeof(name));
	sb_addf(&t, "%s/tmp_pack_%s", p->dir, name);
	p->fd = open(t.buf, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (p->fd < 0) {
		git_error_set(GIT_ERROR_OS, "cannot create %s: %s", t.buf,
		    strerror(errno));
		sb_release(&t);
		return -1;
	}
	p->tmp = sb_detach(&t, NULL);
	p->off = sizeof(hdr);
	return out(p, hdr, sizeof(hdr));
}

/*
 * Objects under these sizes are stored in their zlib streams, not
 * compressed.  A message is compressed: a repack keeps the bytes of an
 * object no delta is found for, as a message's are.  A state file or an
 * index entry gains nothing; a tree (up to 17 KB for the 256 names of
 * idx/pid/XX/) is mostly names of 20 random bytes, and inbox-maint
 * stores it as a delta against its other versions, compressed then.
 */
#define STORE_BLOB 256
#define STORE_TREE 65536

static unsigned char *
zroom(struct zout *zo, size_t n)
{
	if (n > zo->cap) {
		zo->cap = n;
		zo->buf = xrealloc(zo->buf, zo->cap);
	}
	return zo->buf;
}

/*
 * A zlib stream of stored blocks (RFC 1950, 1951 3.2.4) of hdr and data
 * one after the other; its length.
 */
static size_t
stored(struct zout *zo, const void *hdr, size_t hn, const void *data,
    size_t len)
{
	size_t all = hn + len, i = 0;
	unsigned char *z = zroom(zo, all + 2 + 5 * (all / 65535 + 1) + 4);
	uLong a = adler32(adler32(1, hdr, (uInt)hn), data, (uInt)len);

	*z++ = 0x78;
	*z++ = 0x01;
	do {
		size_t n = all - i > 65535 ? 65535 : all - i, k, m;

		*z++ = all - i == n;	/* BFINAL, BTYPE 00 */
		*z++ = n & 0xff;
		*z++ = (unsigned char)(n >> 8);
		*z++ = ~n & 0xff;
		*z++ = (unsigned char)(~n >> 8);
		/* the block's bytes: of hdr, then of data */
		for (k = 0; k < n; k += m, i += m, z += m) {
			const unsigned char *from = i < hn ?
			    (const unsigned char *)hdr + i :
			    (const unsigned char *)data + (i - hn);

			m = i < hn && hn - i < n - k ? hn - i : n - k;
			memcpy(z, from, m);
		}
	} while (i < all);
	*z++ = (unsigned char)(a >> 24);
	*z++ = (unsigned char)(a >> 16);
	*z++ = (unsigned char)(a >> 8);
	*z++ = (unsigned char)a;
	return (size_t)(z - zo->buf);
}

/* hdr and data deflated into one zlib stream; its length, 0 failed. */
static size_t
deflated(struct zout *zo, const void *hdr, size_t hn, const void *data,
    size_t len)
{
	int small = hn + len < SMALL;
	z_stream *z = small ? &zo->zs : &zo->z;
	int *started = small ? &zo->small_started : &zo->started;

	if (!*started) {
		if (deflateInit2(z, Z_BEST_SPEED, Z_DEFLATED, small ? 12 : 15,
		    small ? 4 : 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return 0;
		*started = 1;
	}
	zroom(zo, compressBound(hn + len));
	deflateReset(z);
	z->next_out = zo->buf;
	z->avail_out = (uInt)zo->cap;
	z->next_in = (Bytef *)(uintptr_t)hdr;
	z->avail_in = (uInt)hn;
	if (deflate(z, Z_NO_FLUSH) != Z_OK)
		return 0;
	z->next_in = (Bytef *)(uintptr_t)data;
	z->avail_in = (uInt)len;
	return deflate(z, Z_FINISH) == Z_STREAM_END ? z->total_out : 0;
}

/*
 * Deflated into the pack 64 KB at a time (through the big stream), not
 * into a buffer the object's size; *crc goes on over what is written.
 */
static int
zpush(struct pack *p, const void *buf, size_t len, int flush, uint32_t *crc)
{
	z_stream *z = &p->zo.z;
	unsigned char *b = zroom(&p->zo, 65536);
	int e;

	z->next_in = (Bytef *)(uintptr_t)buf;
	z->avail_in = (uInt)len;
	do {
		z->next_out = b;
		z->avail_out = 65536;
		e = deflate(z, flush);
		if (e != Z_OK && e != Z_STREAM_END && e != Z_BUF_ERROR) {
			git_error_set(GIT_ERROR_ZLIB, "cannot deflate an "
			    "object");
			return -1;
		}
		*crc = (uint32_t)crc32(*crc, b, 65536 - z->avail_out);
		if (out(p, b, 65536 - z->avail_out) < 0)
			return -1;
	} while (z->avail_out == 0 || (flush == Z_FINISH &&
	    e != Z_STREAM_END));
	return 0;
}

/* The big stream started, or started again. */
static int
zstart(struct zout *zo)
{
	if (!zo->started) {
		if (deflateInit2(&zo->z, Z_BEST_SPEED, Z_DEFLATED, 15, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK) {
			git_error_set(GIT_ERROR_ZLIB, "cannot deflate");
			return -1;
		}
		zo->started = 1;
	}
	deflateReset(&zo->z);
	return 0;
}

/* An object of LARGE or more (a batch's commit: its message has a line
 * for each message filed) */
#define LARGE 131072

static void
zout_free(struct zout *zo)
{
	if (zo->started)
		deflateEnd(&zo->z);
	if (zo->small_started)
		deflateEnd(&zo->zs);
	free(zo->buf);
}

/* An object out in the pack, plen bytes at p->off, into its index. */
static void
added(struct pack *p, const git_oid *id, size_t plen, uint32_t crc)
{
	struct pobj *o;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->obj = xrealloc(p->obj, p->cap * sizeof(*p->obj));
	}
	if ((p->n + 1) * 2 > p->nslot)
		grow(p);
	o = &p->obj[p->n];
	git_oid_cpy(&o->id, id);
	o->off = p->off;
	o->plen = (uint32_t)plen;
	o->crc = crc;
	*find(p, id) = (uint32_t)++p->n;
	p->off += plen;
}

static int
be_write(git_odb_backend *be, const git_oid *id, const void *data,
    size_t len, git_object_t type)
{
	struct pack *p = (struct pack *)be;
	unsigned char h[16];
	size_t hn, zn;
	uint32_t crc;

	if (lookup(p, id))
		return 0;
	if (p->fd < 0 && start(p) < 0)
		return -1;
	hn = pr_put_header(h, type, len);
	if (len > UINT32_MAX / 2) {
		git_error_set(GIT_ERROR_ZLIB, "an object too big for a batch");
		return -1;
	}
	crc = (uint32_t)crc32(0, h, (uInt)hn);
	if (len >= LARGE) {	/* more than is ever stored */
		if (out(p, h, hn) < 0 || zstart(&p->zo) < 0 ||
		    zpush(p, data, len, Z_FINISH, &crc) < 0)
			return -1;
		zn = p->zo.z.total_out;
	} else {
		zn = len < (type == GIT_OBJECT_BLOB ? STORE_BLOB :
		    STORE_TREE) ? stored(&p->zo, "", 0, data, len) :
		    deflated(&p->zo, "", 0, data, len);
		if (zn == 0) {
			git_error_set(GIT_ERROR_ZLIB, "cannot deflate an "
			    "object");
			return -1;
		}
		if (out(p, h, hn) < 0 || out(p, p->zo.buf, zn) < 0)
			return -1;
		crc = (uint32_t)crc32(crc, p->zo.buf, (uInt)zn);
	}
	added(p, id, hn + zn, crc);
	return 0;
}

/*
 * A stream into the pack: git_odb_open_wstream() gives an object's size
 * first, so its header goes out at once and its bytes are deflated into
 * the pack as they come (a batch's commit, its message a megabyte, with
 * no copy of it).  One not finished, or already there, is taken back.
 */
struct pstream {
	git_odb_stream s;	/* first: libgit2 passes &s back */
	struct pack *p;
	uint64_t start;		/* its header's offset */
	size_t hn;
	uint32_t crc;
	int done;
	/* under LARGE (every blob libgit2 makes comes as a stream): kept
	 * and written whole by be_write(), stored or deflated by size */
	char *buf;
	size_t len;
	git_object_t type;
};

static int
st_write(git_odb_stream *s, const char *buf, size_t len)
{
	struct pstream *w = (struct pstream *)s;

	if (w->buf) {	/* libgit2 keeps to the size it was given */
		memcpy(w->buf + w->len, buf, len);
		w->len += len;
		return 0;
	}
	return zpush(w->p, buf, len, Z_NO_FLUSH, &w->crc);
}

static int
st_finalize(git_odb_stream *s, const git_oid *id)
{
	struct pstream *w = (struct pstream *)s;

	if (w->buf)
		return be_write(&w->p->be, id, w->buf, w->len, w->type);
	if (lookup(w->p, id))
		return 0;	/* freed, so taken back */
	if (zpush(w->p, "", 0, Z_FINISH, &w->crc) < 0)
		return -1;
	added(w->p, id, w->hn + w->p->zo.z.total_out, w->crc);
	w->done = 1;
	return 0;
}

static void
st_free(git_odb_stream *s)
{
	struct pstream *w = (struct pstream *)s;
	struct pack *p = w->p;

	if (w->buf)
		free(w->buf);
	/* what was written of it cut off: nothing after it yet */
	else if (!w->done && flush(p) == 0 && ftruncate(p->fd,
	    (off_t)w->start) == 0)
		lseek(p->fd, (off_t)w->start, SEEK_SET);
	free(w);
}

static int
be_writestream(git_odb_stream **out_, git_odb_backend *be,
    git_object_size_t size, git_object_t type)
{
	struct pack *p = (struct pack *)be;
	struct pstream *w;
	unsigned char h[16];
	size_t hn;

	if (size > UINT32_MAX / 2) {
		git_error_set(GIT_ERROR_ZLIB, "an object too big for a batch");
		return -1;
	}
	w = xcalloc(1, sizeof(*w));
	w->s.backend = be;
	w->s.mode = GIT_STREAM_WRONLY;
	w->s.write = st_write;
	w->s.finalize_write = st_finalize;
	w->s.free = st_free;
	w->p = p;
	if (size < LARGE) {
		w->buf = xmalloc((size_t)size + 1);
		w->type = type;
		*out_ = &w->s;
		return 0;
	}
	if ((p->fd < 0 && start(p) < 0) || zstart(&p->zo) < 0) {
		free(w);
		return -1;
	}
	hn = pr_put_header(h, type, size);
	w->start = p->off;
	w->hn = hn;
	w->crc = (uint32_t)crc32(0, h, (uInt)hn);
	if (out(p, h, hn) < 0) {
		free(w);
		return -1;
	}
	*out_ = &w->s;
	return 0;
}

static int
be_read(void **out, size_t *len, git_object_t *type, git_odb_backend *be,
    const git_oid *id)
{
	struct pack *p = (struct pack *)be;
	struct pobj *o = lookup(p, id);
	unsigned char *raw, *buf;
	uint64_t size;
	size_t hn;
	int t;
	z_stream z;
	int e;

	if (!o)
		return GIT_ENOTFOUND;
	if (flush(p) < 0)
		return -1;
	raw = xmalloc(o->plen);
	if (pread(p->fd, raw, o->plen, (off_t)o->off) != (ssize_t)o->plen) {
		free(raw);
		git_error_set(GIT_ERROR_OS, "read %s", p->tmp);
		return -1;
	}
	if ((hn = pr_get_header(raw, o->plen, &t, &size)) == 0) {
		free(raw);
		git_error_set(GIT_ERROR_ODB, "bad object in %s", p->tmp);
		return -1;
	}
	buf = git_odb_backend_data_alloc(be, size + 1);
	memset(&z, 0, sizeof(z));
	z.next_in = raw + hn;
	z.avail_in = (uInt)(o->plen - hn);
	z.next_out = buf;
	z.avail_out = (uInt)size + 1;
	e = inflateInit(&z) == Z_OK ? inflate(&z, Z_FINISH) : Z_DATA_ERROR;
	inflateEnd(&z);
	free(raw);
	if (e != Z_STREAM_END || z.total_out != size) {
		git_odb_backend_data_free(be, buf);
		git_error_set(GIT_ERROR_ZLIB, "bad object in %s", p->tmp);
		return -1;
	}
	buf[size] = '\0';
	*out = buf;
	*len = (size_t)size;
	*type = (git_object_t)t;
	return 0;
}

static int
be_read_header(size_t *len, git_object_t *type, git_odb_backend *be,
    const git_oid *id)
{
	struct pack *p = (struct pack *)be;
	struct pobj *o = lookup(p, id);
	unsigned char h[16];
	uint64_t size;
	size_t n;
	int t;

	if (!o)
		return GIT_ENOTFOUND;
	n = o->plen < sizeof(h) ? o->plen : sizeof(h);
	if (flush(p) < 0 || pread(p->fd, h, n, (off_t)o->off) !=
	    (ssize_t)n || pr_get_header(h, n, &t, &size) == 0) {
		git_error_set(GIT_ERROR_OS, "read %s", p->tmp);
		return -1;
	}
	*len = (size_t)size;
	*type = (git_object_t)t;
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
	p->wlen = 0;
	if (p->tmp)
		unlink(p->tmp);
	free(p->tmp);
	p->tmp = NULL;
	/* let go of, not kept for the next: megabytes after a batch */
	free(p->obj);
	p->obj = NULL;
	p->n = p->cap = 0;
	p->off = 0;
	free(p->slot);
	p->slot = NULL;
	p->nslot = 0;
}

static void
be_free(git_odb_backend *be)
{
	struct pack *p = (struct pack *)be;

	reset(p);
	zout_free(&p->zo);
	free(p->dir);
	free(p);
}

/*
 * Give g an object database of: writer (asked first, so every object
 * written goes to it), the packs under objects behind packs_wrap(), and
 * the loose objects (behind it too when wrap_loose, libgit2's own
 * otherwise).  A store has no alternates.  The writer is the database's
 * from now on, freed with it (or here, when this fails); *packs gets the
 * packs' wrapper.  -1 with libgit2's error set.
 */
static int
odb_set(git_repository *g, const char *objects, git_odb_backend *writer,
    int wrap_loose, git_odb_backend **packs)
{
	git_odb_backend *in = NULL, *pk = NULL, *loose = NULL;
	git_odb *odb = NULL;
	int e;

	if ((e = git_odb_backend_pack(&in, objects)) == 0) {
		pk = packs_wrap(in);
		R(pk) = pr_new(objects);
	}
	if (e == 0 && (e = git_odb_backend_loose(&in, objects, -1, 0, 0,
	    0)) == 0)
		loose = wrap_loose ? packs_wrap(in) : in;
	if (e == 0)
		e = git_odb_new(&odb);
	/* once added, a backend is the database's to free */
	if (e == 0 && (e = git_odb_add_backend(odb, pk, 2)) == 0) {
		*packs = pk;
		pk = NULL;
	}
	if (e == 0 && (e = git_odb_add_backend(odb, loose, 1)) == 0)
		loose = NULL;
	if (e == 0 && (e = git_odb_add_backend(odb, writer, 1000)) == 0)
		writer = NULL;
	if (e == 0)
		e = git_repository_set_odb(g, odb);
	git_odb_free(odb);
	if (writer)
		writer->free(writer);
	if (pk)
		pk->free(pk);
	if (loose)
		loose->free(loose);
	return e < 0 ? -1 : 0;
}

/*
 * The repository's objects become: this pack (written first), the packs
 * already there (not rescanned at every write) and the loose objects.
 */
int
pack_attach(struct pack **out, git_repository *g)
{
	struct pack *p = xcalloc(1, sizeof(*p));
	struct sb d = SB_INIT;
	int e;

	*out = NULL;
	git_odb_init_backend(&p->be, GIT_ODB_BACKEND_VERSION);
	p->be.write = be_write;
	p->be.writestream = be_writestream;
	p->be.read = be_read;
	p->be.read_header = be_read_header;
	p->be.exists = be_exists;
	p->be.free = be_free;
	p->fd = -1;
	/* the git directory's path ends with a slash */
	sb_addf(&d, "%sobjects", git_repository_path(g));
	p->dir = path_join(d.buf, "pack");
	e = odb_set(g, d.buf, &p->be, 1, &p->packs);
	sb_release(&d);
	if (e == 0)
		*out = p;	/* the repository's, freed with it */
	return e;
}

/* Load the packs again, the one just finished among them. */
static int
packs_refresh(struct pack *p)
{
	git_odb_backend *in = IN(p->packs);

	pr_refresh(R(p->packs));
	return in->refresh ? in->refresh(in) : 0;
}

static int
id_less(const struct pobj *a, const struct pobj *b)
{
	return memcmp(a->id.id, b->id.id, GIT_OID_RAWSZ) < 0;
}

/* v[i] down the heap of n to where it belongs */
static void
sift(struct pobj *v, size_t i, size_t n)
{
	struct pobj t = v[i];

	for (size_t c; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && id_less(&v[c], &v[c + 1]))
			c++;
		if (!id_less(&t, &v[c]))
			break;
		v[i] = v[c];
	}
	v[i] = t;
}

/*
 * The objects sorted by name, in place (a heap sort): qsort() merges
 * through a copy of them all, two megabytes for a batch of 10,000
 * messages.
 */
static void
sort_by_id(struct pobj *v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift(v, i, n);
	for (size_t end = n; end-- > 1;) {
		struct pobj t = v[0];

		v[0] = v[end];
		v[end] = t;
		sift(v, 0, end);
	}
}

/* Index bytes out through x, to fd 64 KB at a time, hashed on the way. */
static int
ix_out(int fd, struct sb *x, struct md *m, const void *b, size_t n)
{
	sb_add(x, b, n);
	if (x->len < 65536)
		return 0;
	md_update(m, x->buf, x->len);
	return sb_spill(fd, x, 0);
}

/*
 * The version 2 index of the pack whose checksum is sum, written to fd
 * as it is made (a batch's is a megabyte or two).
 */
static int
make_index(struct pack *p, const unsigned char sum[SHA1_LEN], int fd)
{
	static const unsigned char magic[8] = { 0xff, 't', 'O', 'c', 0, 0, 0,
	    2 };
	unsigned char b[8], h[SHA1_LEN];
	struct sb x = SB_INIT;
	struct md m;
	size_t i, k, nbig = 0;
	int r = 0;

	sort_by_id(p->obj, p->n);
	sha1_init(&m);
	r |= ix_out(fd, &x, &m, magic, sizeof(magic));
	for (i = 0, k = 0; i < 256; i++) {
		while (k < p->n && p->obj[k].id.id[0] <= i)
			k++;
		put_be32(b, (uint32_t)k);
		r |= ix_out(fd, &x, &m, b, 4);
	}
	for (i = 0; i < p->n; i++)
		r |= ix_out(fd, &x, &m, p->obj[i].id.id, GIT_OID_RAWSZ);
	for (i = 0; i < p->n; i++) {
		put_be32(b, p->obj[i].crc);
		r |= ix_out(fd, &x, &m, b, 4);
	}
	for (i = 0; i < p->n; i++) {
		uint64_t off = p->obj[i].off;

		put_be32(b, off < 0x80000000u ? (uint32_t)off :
		    0x80000000u | (uint32_t)nbig++);
		r |= ix_out(fd, &x, &m, b, 4);
	}
	for (i = 0; i < p->n; i++)
		if (p->obj[i].off >= 0x80000000u) {
			put_be32(b, (uint32_t)(p->obj[i].off >> 32));
			put_be32(b + 4, (uint32_t)p->obj[i].off);
			r |= ix_out(fd, &x, &m, b, 8);
		}
	sb_add(&x, sum, SHA1_LEN);
	md_update(&m, x.buf, x.len);
	md_final(&m, h);
	sb_add(&x, h, SHA1_LEN);
	r |= write_all(fd, x.buf, x.len);
	sb_release(&x);
	return r ? -1 : 0;
}

/*
 * The SHA-1 of the pack as written, read back a buffer at a time (not
 * mapped: a batch's pack of tens of megabytes would count in the
 * process's memory).
 */
static int
pack_sum(struct pack *p, unsigned char sum[SHA1_LEN])
{
	struct md md;
	uint64_t at = 0;

	sha1_init(&md);
	while (at < p->off) {
		size_t want = p->off - at < sizeof(p->wbuf) ?
		    (size_t)(p->off - at) : sizeof(p->wbuf);
		ssize_t got = pread(p->fd, p->wbuf, want, (off_t)at);

		if (got <= 0)
			return -1;
		md_update(&md, p->wbuf, (size_t)got);
		at += (uint64_t)got;
	}
	md_final(&md, sum);
	return 0;
}

int
pack_finish(struct pack *p)
{
	unsigned char cnt[4], sum[SHA1_LEN];
	struct sb x = SB_INIT, name = SB_INIT;
	int r = -1, fd;

	if (p->n == 0) {
		reset(p);
		return 0;
	}
	put_be32(cnt, (uint32_t)p->n);
	if (flush(p) < 0 || pwrite(p->fd, cnt, 4, 8) != 4 ||
	    pack_sum(p, sum) < 0)
		goto io;
	if (write_all(p->fd, sum, sizeof(sum)) < 0 || fsync_fd(p->fd) < 0)
		goto io;
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
	sb_addf(&x, "%s.lock", name.buf);
	unlink(x.buf);	/* of a batch that died here: the lock is ours */
	fd = open(x.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0 || make_index(p, sum, fd) < 0 || fsync_fd(fd) < 0) {
		r = inbox_error(INBOX_ETEMP, "write pack index %s:", x.buf);
		if (fd >= 0)
			close(fd);
		unlink(x.buf);
		goto out;
	}
	if (close(fd) < 0 || rename(x.buf, name.buf) < 0) {
		r = inbox_error(INBOX_ETEMP, "write pack index %s:", x.buf);
		unlink(x.buf);
		goto out;
	}
	if (fsync_dir(name.buf) < 0)
		goto out;
	reset(p);
	r = packs_refresh(p) < 0 ? inbox_error(INBOX_ETEMP,
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

/*
 * The loose objects of a command that is not a batch: git's loose
 * format (a zlib stream of "TYPE SIZE\0" and the object) in
 * objects/XX/NAME, written under a temporary name and linked into place,
 * synced unless fsync_defer() is on.  An object under LOOSE_STORE is
 * stored in its zlib stream, not compressed (libgit2 deflates each
 * object with a new zlib state: 250,000 instructions for a tree of a
 * few kilobytes, a third of a receive); inbox-maint's repack compresses
 * what it packs.
 */
#define LOOSE_STORE 65536

struct loose {
	git_odb_backend be;	/* first: libgit2 passes &be back */
	char *dir;		/* objects */
	unsigned seq;		/* of the temporary names */
	struct zout zo;
};

/* Link tmp in as path (made with its directory if need be), synced. */
static int
link_in(const char *tmp, char *path, const char *objects)
{
	char *slash = strrchr(path, '/');
	int e = link(tmp, path), made = 0;

	if (e < 0 && errno == ENOENT) {
		*slash = '\0';
		made = mkdir(path, 0777) == 0;
		e = made || errno == EEXIST ? 0 : -1;
		*slash = '/';
		if (e == 0)
			e = link(tmp, path);
	}
	if (e < 0 && errno == EEXIST)
		e = 0;		/* there already: objects never change */
	else if (e < 0 && (errno == EPERM || errno == ENOSYS))
		e = rename(tmp, path);	/* a filesystem without links */
	if (e == 0 && fsync_dir(path) < 0)
		e = -1;
	if (e == 0 && made && fsync_dir(objects) < 0)
		e = -1;
	return e;
}

static int
lo_write(git_odb_backend *be, const git_oid *id, const void *data,
    size_t len, git_object_t type)
{
	struct loose *l = (struct loose *)be;
	char hex[GIT_OID_HEXSZ + 1], hdr[64];
	struct sb tmp = SB_INIT, path = SB_INIT;
	size_t hn, zn;
	int fd, r = -1, tries = 0;

	hn = (size_t)snprintf(hdr, sizeof(hdr), "%s %zu",
	    git_object_type2string(type), len) + 1;
	zn = len < LOOSE_STORE ? stored(&l->zo, hdr, hn, data, len) :
	    deflated(&l->zo, hdr, hn, data, len);
	if (zn == 0) {
		git_error_set(GIT_ERROR_ZLIB, "cannot deflate an object");
		return -1;
	}
	git_oid_tostr(hex, sizeof(hex), id);
	sb_addf(&path, "%s/%.2s/%s", l->dir, hex, hex + 2);
	/* a name of this process's (not unique_name(): its count orders
	 * the messages a process writes in one microsecond) */
	do {
		sb_reset(&tmp);
		sb_addf(&tmp, "%s/tmp_obj_%ld_%u", l->dir, (long)getpid(),
		    ++l->seq);
		fd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0444);
	} while (fd < 0 && errno == EEXIST && ++tries < 100);
	if (fd >= 0) {
		r = write_all(fd, l->zo.buf, zn) < 0 || fsync_fd(fd) < 0 ? -1 :
		    0;
		if (close(fd) < 0)
			r = -1;
		if (r == 0)
			r = link_in(tmp.buf, path.buf, l->dir);
		if (r < 0)
			git_error_set(GIT_ERROR_OS, "cannot write %s: %s",
			    path.buf, strerror(errno));
		unlink(tmp.buf);
	} else
		git_error_set(GIT_ERROR_OS, "cannot create %s: %s", tmp.buf,
		    strerror(errno));
	sb_release(&tmp);
	sb_release(&path);
	return r;
}

static void
lo_free(git_odb_backend *be)
{
	struct loose *l = (struct loose *)be;

	zout_free(&l->zo);
	free(l->dir);
	free(l);
}

/*
 * The repository's objects become: the packs (not rescanned for each
 * object written) and libgit2's loose objects, read; the objects written
 * go loose through lo_write().
 */
int
pack_loose(git_repository *g)
{
	struct loose *l = xcalloc(1, sizeof(*l));
	git_odb_backend *packs;
	struct sb d = SB_INIT;

	git_odb_init_backend(&l->be, GIT_ODB_BACKEND_VERSION);
	l->be.write = lo_write;
	l->be.free = lo_free;
	/* the git directory's path ends with a slash */
	sb_addf(&d, "%sobjects", git_repository_path(g));
	l->dir = sb_detach(&d, NULL);
	return odb_set(g, l->dir, &l->be, 0, &packs);
}
