/*
 * packread.c - objects read out of git's packs with pread(2), neither the
 * pack nor its index mapped, and the delta bases met on the way kept in
 * a cache of 2 MB.
 *
 * libgit2 maps a pack's index whole and its pack in windows of up to
 * 16 MB, and keeps up to 16 MB of delta bases for each pack: a command
 * that reads thousands of objects (inbox-ls --as-of, a batch reading the
 * trees it changes) held all of it, up to 40 MB, for objects it read
 * once.  Here an index is read only where a name can be: its fan-out
 * table says which names begin with the first byte, and names, being
 * hashes, are spread evenly among those, so the first read of 128 names
 * about where it should be finds it nearly always.
 *
 * The formats are git's pack-format documentation: an index (version 2)
 * is "\377tOc", 2, a fan-out table of 256 counts, the sorted names, their
 * CRC-32s, their offsets in 31 bits or an index into a table of 64-bit
 * offsets, then the checksums; a pack is "PACK", its version (2 or 3) and
 * count, then each object's type and size in a varint and its zlib
 * stream, a delta's stream preceded by its base: a distance back in the
 * pack (OFS_DELTA) or a name (REF_DELTA).  A delta is the base's size,
 * the result's, then copies out of the base and bytes to insert.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>
#include <git2/sys/odb_backend.h>

#include "packread.h"
#include "util.h"

#define IDX_HDR (8 + 1024)
#define WIN 128			/* names read from an index at once */
#define BUFSZ 65536		/* a pack is read this much at a time */
#define SLOTS 1024		/* in the cache of delta bases */
#define CACHE_BYTES (2u << 20)	/* its most */
#define MAX_DEPTH 10000		/* git makes chains of 50, 250 at most */
#define MAX_OPEN 64		/* packs open at once, two descriptors each */

enum { OFS_DELTA = 6, REF_DELTA = 7 };

struct rpack {
	struct rpack *next;
	char *base;		/* DIR/pack-NAME, without .idx or .pack */
	int ifd, pfd;		/* -1 until first asked */
	int seen;		/* in the last look at the directory */
	uint32_t fan[256];
	uint32_t n;
	uint64_t isize, psize;
};

struct cent {
	struct rpack *p;
	uint64_t off;
	unsigned char *data;
	size_t len;
	int type;
	struct pr_entry e;	/* the entry it was read out of */
};

struct preader {
	char *dir;
	struct rpack *packs;	/* the last one that had an object first */
	int stale;		/* look at the directory before a lookup */
	z_stream z;
	int zok;
	unsigned char *buf;
	struct cent cache[SLOTS];
	size_t cbytes;
	unsigned hand;
	struct pr_entry last;	/* pr_last_entry(); type 0: none */
	struct rpack *lastp;	/* its pack */
};

/* an object's header */
struct ohdr {
	int type;
	uint64_t size;		/* of the object, or of the delta */
	uint64_t data;		/* where its zlib stream begins */
	uint64_t base;		/* OFS_DELTA: the base's offset */
	git_oid ref;		/* REF_DELTA: the base's name */
};

static int
corrupt(struct rpack *p, const char *what, uint64_t at)
{
	git_error_set(GIT_ERROR_ODB, "%s: %s at %llu", p->base, what,
	    (unsigned long long)at);
	return -1;
}

static int
readat(int fd, void *buf, size_t n, uint64_t off)
{
	ssize_t got;

	do
		got = pread(fd, buf, n, (off_t)off);
	while (got < 0 && errno == EINTR);
	return got == (ssize_t)n ? 0 : -1;
}

/* --- the cache of delta bases ------------------------------------------ */

static struct cent *
slot(struct preader *r, struct rpack *p, uint64_t off)
{
	uint64_t h = ((uint64_t)(uintptr_t)p ^ off) * 0x9e3779b97f4a7c15ULL;

	return &r->cache[(h >> 40) % SLOTS];
}

static void
evict(struct preader *r, struct cent *c)
{
	r->cbytes -= c->len;
	free(c->data);
	c->data = NULL;
	c->p = NULL;
}

static struct cent *
cache_get(struct preader *r, struct rpack *p, uint64_t off)
{
	struct cent *c = slot(r, p, off);

	return c->data && c->p == p && c->off == off ? c : NULL;
}

/* DATA, read out of entry E, is the cache's from now on (or freed). */
static void
cache_put(struct preader *r, struct rpack *p, uint64_t off,
    unsigned char *data, size_t len, int type, const struct pr_entry *e)
{
	struct cent *c = slot(r, p, off);

	if (len > CACHE_BYTES / 8) {
		free(data);
		return;
	}
	if (c->data)
		evict(r, c);
	while (r->cbytes + len > CACHE_BYTES) {
		struct cent *v = &r->cache[r->hand++ % SLOTS];

		if (v->data)
			evict(r, v);
	}
	*c = (struct cent){ p, off, data, len, type, *e };
	r->cbytes += len;
}

/* --- the packs ----------------------------------------------------------- */

static void
pack_close(struct preader *r, struct rpack *p)
{
	for (size_t i = 0; i < SLOTS; i++)
		if (r->cache[i].data && r->cache[i].p == p)
			evict(r, &r->cache[i]);
	if (p->ifd >= 0)
		close(p->ifd);
	if (p->pfd >= 0)
		close(p->pfd);
	free(p->base);
	free(p);
}

/* Each pack-NAME.idx with its pack; those gone are let go. */
static int
scan(struct preader *r)
{
	DIR *d = opendir(r->dir);
	struct dirent *e;
	struct rpack **pp;

	if (!d && errno != ENOENT) {
		git_error_set(GIT_ERROR_OS, "cannot read %s: %s", r->dir,
		    strerror(errno));
		return -1;
	}
	for (struct rpack *p = r->packs; p; p = p->next)
		p->seen = 0;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		struct rpack *p;
		struct stat sb;
		char *base, *pk;

		if (n < 10 || strncmp(e->d_name, "pack-", 5) ||
		    strcmp(e->d_name + n - 4, ".idx"))
			continue;
		base = path_join(r->dir, e->d_name);
		base[strlen(base) - 4] = '\0';
		for (p = r->packs; p && strcmp(p->base, base); p = p->next)
			;
		if (p) {
			p->seen = 1;
			free(base);
			continue;
		}
		pk = xmalloc(strlen(base) + 6);
		sprintf(pk, "%s.pack", base);
		if (stat(pk, &sb) < 0) {	/* being written */
			free(pk);
			free(base);
			continue;
		}
		free(pk);
		p = xcalloc(1, sizeof(*p));
		p->base = base;
		p->ifd = p->pfd = -1;
		p->seen = 1;
		p->next = r->packs;
		r->packs = p;
	}
	if (d)
		closedir(d);
	for (pp = &r->packs; *pp;) {
		struct rpack *p = *pp;

		if (p->seen)
			pp = &p->next;
		else {
			*pp = p->next;
			pack_close(r, p);
		}
	}
	r->stale = 0;
	return 0;
}

static int
open_file(struct rpack *p, const char *ext, uint64_t *size)
{
	char *path = xmalloc(strlen(p->base) + 6);
	struct stat sb;
	int fd;

	sprintf(path, "%s%s", p->base, ext);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		fd = -2;	/* removed since the directory was read */
	else if (fd < 0 || fstat(fd, &sb) < 0) {
		git_error_set(GIT_ERROR_OS, "cannot open %s: %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	} else
		*size = (uint64_t)sb.st_size;
	free(path);
	return fd;
}

/*
 * The index's fan-out table read, the pack's header checked.  -2 when
 * the pack is gone (a repack removed it after the directory was read).
 */
static int
pack_open(struct rpack *p)
{
	unsigned char h[IDX_HDR];
	uint64_t least;

	if ((p->ifd = open_file(p, ".idx", &p->isize)) < 0)
		return p->ifd;
	if (readat(p->ifd, h, sizeof(h), 0) < 0 ||
	    memcmp(h, "\377tOc\0\0\0\2", 8))
		return corrupt(p, "not a version 2 pack index", 0);
	for (int i = 0; i < 256; i++) {
		p->fan[i] = get_be32(h + 8 + 4 * i);
		if (i && p->fan[i] < p->fan[i - 1])
			return corrupt(p, "index out of order", 8 + 4 * i);
	}
	p->n = p->fan[255];
	least = IDX_HDR + (uint64_t)p->n * 28 + 40;
	if (p->isize < least || (p->isize - least) % 8)
		return corrupt(p, "index of the wrong size", p->isize);
	if ((p->pfd = open_file(p, ".pack", &p->psize)) < 0)
		return p->pfd;
	if (readat(p->pfd, h, 12, 0) < 0 || memcmp(h, "PACK", 4) ||
	    (get_be32(h + 4) != 2 && get_be32(h + 4) != 3) || get_be32(h + 8) != p->n ||
	    p->psize < 32)
		return corrupt(p, "not the pack of its index", 0);
	return 0;
}

/* The position of ID among the index's names, or -1. */
static int64_t
find(struct preader *r, struct rpack *p, const unsigned char *id)
{
	unsigned char *w = r->buf;
	uint32_t lo = id[0] ? p->fan[id[0] - 1] : 0, hi = p->fan[id[0]];
	int first = 1;

	while (lo < hi) {
		uint32_t s = lo, n = hi - lo, a, b;

		if (n > WIN) {
			/* where it would be among names spread evenly */
			uint64_t at = first ? lo + ((uint64_t)n * (id[1] << 8 |
			    id[2]) >> 16) : lo + n / 2;

			s = at < lo + WIN / 2 ? lo : (uint32_t)at - WIN / 2;
			if (s > hi - WIN)
				s = hi - WIN;
			n = WIN;
		}
		first = 0;
		if (readat(p->ifd, w, (size_t)n * 20, IDX_HDR +
		    (uint64_t)s * 20) < 0)
			return corrupt(p, "short index", IDX_HDR), -2;
		if (memcmp(id, w, 20) < 0) {
			hi = s;
			continue;
		}
		if (memcmp(id, w + (size_t)(n - 1) * 20, 20) > 0) {
			lo = s + n;
			continue;
		}
		for (a = 0, b = n; a < b;) {
			uint32_t m = a + (b - a) / 2;
			int c = memcmp(id, w + (size_t)m * 20, 20);

			if (!c)
				return (int64_t)s + m;
			if (c < 0)
				b = m;
			else
				a = m + 1;
		}
		return -1;
	}
	return -1;
}

static int
offset_of(struct rpack *p, uint32_t i, uint64_t *off)
{
	unsigned char b[8];
	uint64_t v, at = IDX_HDR + (uint64_t)p->n * 24 + (uint64_t)i * 4;

	if (readat(p->ifd, b, 4, at) < 0)
		return corrupt(p, "short index", at);
	v = get_be32(b);
	if (v & 0x80000000u) {
		at = IDX_HDR + (uint64_t)p->n * 28 + (v & 0x7fffffffu) * 8;
		if (at + 8 > p->isize - 40 || readat(p->ifd, b, 8, at) < 0)
			return corrupt(p, "bad large offset", at);
		v = (uint64_t)get_be32(b) << 32 | get_be32(b + 4);
	}
	if (v < 12 || v >= p->psize - 20)
		return corrupt(p, "offset out of the pack", at);
	*off = v;
	return 0;
}

/*
 * Room for one more open pack: a store of hundreds of batches not yet
 * repacked would run out of descriptors.  The one found last longest ago
 * is closed (and opened again when asked).
 */
static void
budget(struct preader *r)
{
	struct rpack *last = NULL;
	int n = 0;

	for (struct rpack *p = r->packs; p; p = p->next)
		if (p->ifd >= 0) {
			n++;
			last = p;
		}
	if (n < MAX_OPEN || !last)
		return;
	close(last->ifd);
	close(last->pfd);
	last->ifd = last->pfd = -1;
}

/* The pack and offset of ID: 0, GIT_ENOTFOUND, or -1. */
static int
locate(struct preader *r, const git_oid *id, struct rpack **pp,
    uint64_t *off)
{
	struct rpack **prev;

	if (r->stale && scan(r) < 0)
		return -1;
	for (prev = &r->packs; *prev; prev = &(*prev)->next) {
		struct rpack *p = *prev;
		int64_t i;
		int e;

		if (p->ifd < 0)
			budget(r);
		if (p->ifd < 0 && (e = pack_open(p)) < 0) {
			if (p->ifd >= 0)
				close(p->ifd);
			if (p->pfd >= 0)
				close(p->pfd);
			p->ifd = p->pfd = -1;
			if (e == -1)
				return -1;
			/* gone: the others are asked, and a miss has
			 * the directory read again */
			r->stale = 1;
			continue;
		}
		if ((i = find(r, p, id->id)) == -2)
			return -1;
		if (i < 0)
			continue;
		if (offset_of(p, (uint32_t)i, off) < 0)
			return -1;
		*prev = p->next;	/* first from now on */
		p->next = r->packs;
		r->packs = p;
		*pp = p;
		return 0;
	}
	return GIT_ENOTFOUND;
}

/* --- objects ------------------------------------------------------------- */

size_t
pr_put_header(unsigned char *h, int type, uint64_t size)
{
	size_t n = 0;

	h[n++] = (unsigned char)((type << 4) | (size & 15));
	for (size >>= 4; size; size >>= 7) {
		h[n - 1] |= 0x80;
		h[n++] = size & 0x7f;
	}
	return n;
}

size_t
pr_get_header(const unsigned char *h, size_t n, int *type, uint64_t *size)
{
	size_t i = 0;
	unsigned shift = 4, c;

	if (n == 0)
		return 0;
	c = h[i++];
	*type = (c >> 4) & 7;
	*size = c & 15;
	while (c & 0x80) {
		if (i >= n || shift > 57)
			return 0;
		c = h[i++];
		*size |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	}
	return i;
}

static int
ohdr(struct rpack *p, uint64_t off, struct ohdr *h)
{
	unsigned char b[40];
	size_t n = sizeof(b), i;
	unsigned c;

	if (off + n > p->psize)
		n = (size_t)(p->psize - off);
	if (readat(p->pfd, b, n, off) < 0)
		return corrupt(p, "short pack", off);
	if ((i = pr_get_header(b, n, &h->type, &h->size)) == 0)
		return corrupt(p, "bad object header", off);
	if (h->type == OFS_DELTA) {
		uint64_t x;

		if (i >= n)
			return corrupt(p, "bad delta base", off);
		c = b[i++];
		x = c & 127;
		while (c & 128) {
			if (i >= n || x >> 56)
				return corrupt(p, "bad delta base", off);
			c = b[i++];
			x = (x + 1) << 7 | (c & 127);
		}
		if (x == 0 || x > off)
			return corrupt(p, "bad delta base", off);
		h->base = off - x;
	} else if (h->type == REF_DELTA) {
		if (i + 20 > n)
			return corrupt(p, "bad delta base", off);
		git_oid_fromraw(&h->ref, b + i);
		i += 20;
	} else if (h->type < GIT_OBJECT_COMMIT || h->type > GIT_OBJECT_TAG)
		return corrupt(p, "unknown object type", off);
	h->data = off + i;
	/* zlib inflates 1,032 bytes out of one at most */
	if (h->size / 1032 > p->psize - h->data)
		return corrupt(p, "object larger than its pack can hold", off);
	return 0;
}

/*
 * The zlib stream at OFF inflated into OUT, which it must fill: N bytes,
 * or when PART, the first N of more.
 */
static int
zread(struct preader *r, struct rpack *p, uint64_t off, unsigned char *out,
    size_t n, int part)
{
	z_stream *z = &r->z;
	uint64_t at = off;
	size_t want = n < BUFSZ - 64 ? n + 64 : BUFSZ;
	int e = Z_OK;

	if (!r->zok) {
		memset(z, 0, sizeof(*z));
		if (inflateInit(z) != Z_OK) {
			git_error_set(GIT_ERROR_NOMEMORY, "out of memory");
			return -1;
		}
		r->zok = 1;
	} else
		inflateReset(z);
	z->avail_in = 0;
	z->next_out = out;
	z->avail_out = (uInt)n + !part;	/* room to see a longer one */
	while (e == Z_OK && !(part && z->avail_out == 0)) {
		if (z->avail_in == 0) {
			ssize_t got;

			if (at >= p->psize - 20)
				break;
			if (want > p->psize - 20 - at)
				want = (size_t)(p->psize - 20 - at);
			do
				got = pread(p->pfd, r->buf, want, (off_t)at);
			while (got < 0 && errno == EINTR);
			if (got <= 0)
				break;
			at += (uint64_t)got;
			z->next_in = r->buf;
			z->avail_in = (uInt)got;
			want = BUFSZ;
		}
		e = inflate(z, Z_NO_FLUSH);
	}
	if (part ? z->avail_out != 0 : e != Z_STREAM_END || z->total_out != n)
		return corrupt(p, "bad zlib stream", off);
	return 0;
}

static int
varint(const unsigned char **d, const unsigned char *end, uint64_t *v)
{
	unsigned shift = 0, c;

	*v = 0;
	do {
		if (*d >= end || shift > 63)
			return -1;
		c = *(*d)++;
		*v |= (uint64_t)(c & 127) << shift;
		shift += 7;
	} while (c & 128);
	return 0;
}

/* BASE with delta D into OUT, which takes ON bytes. */
static int
patch(const unsigned char *base, size_t bn, const unsigned char *d,
    const unsigned char *end, unsigned char *out, size_t on)
{
	size_t w = 0;

	while (d < end) {
		unsigned c = *d++;

		if (c & 0x80) {
			uint64_t o = 0, s = 0;

			for (int i = 0; i < 4; i++)
				if (c & (1u << i)) {
					if (d >= end)
						return -1;
					o |= (uint64_t)*d++ << (8 * i);
				}
			for (int i = 0; i < 3; i++)
				if (c & (0x10u << i)) {
					if (d >= end)
						return -1;
					s |= (uint64_t)*d++ << (8 * i);
				}
			if (s == 0)
				s = 0x10000;
			if (o > bn || s > bn - o || s > on - w)
				return -1;
			memcpy(out + w, base + o, (size_t)s);
			w += (size_t)s;
		} else if (c) {
			if (c > (size_t)(end - d) || c > on - w)
				return -1;
			memcpy(out + w, d, c);
			d += c;
			w += c;
		} else
			return -1;
	}
	return w == on ? 0 : -1;
}

static unsigned char *
out_alloc(git_odb_backend *be, size_t n)
{
	return be ? git_odb_backend_data_alloc(be, n) : malloc(n);
}

static void
out_free(git_odb_backend *be, void *b)
{
	if (be)
		git_odb_backend_data_free(be, b);
	else
		free(b);
}

struct step {
	struct rpack *p;
	uint64_t off;
	struct ohdr h;
};

/* The bottom of a delta chain, or what the cache had of it. */
struct cur {
	unsigned char *data;
	size_t len;
	int type;
	int own;		/* 0: the cache's, 1: malloc()'s, 2: be's */
	struct rpack *p;
	uint64_t off;
	struct pr_entry e;	/* the entry at off */
};

static void
cur_free(struct cur *c, git_odb_backend *be)
{
	if (c->own == 1)
		free(c->data);
	else if (c->own == 2)
		out_free(be, c->data);
	c->data = NULL;
}

/* The entry of header H, whose stream was just inflated whole. */
static struct pr_entry
entry_of(const struct preader *r, const struct ohdr *h)
{
	return (struct pr_entry){ h->type, h->size, h->ref, -1, h->data,
	    r->z.total_in };
}

/* The deltas down to a whole object: *st gets them, the last on top. */
static int
descend(struct preader *r, struct rpack *p, uint64_t off, git_odb_backend *be,
    struct step **st, size_t *ns, struct cur *c)
{
	size_t cap = 0;

	for (;;) {
		struct cent *ce = cache_get(r, p, off);
		struct ohdr h;

		if (ce) {
			*c = (struct cur){ ce->data, ce->len, ce->type, 0, p,
			    off, ce->e };
			return 0;
		}
		if (ohdr(p, off, &h) < 0)
			return -1;
		if (h.type != OFS_DELTA && h.type != REF_DELTA) {
			int mine = *ns == 0 ? 2 : 1;
			unsigned char *b;

			if (h.size >= SIZE_MAX)
				return corrupt(p, "object too large", off);
			b = mine == 2 ? out_alloc(be, (size_t)h.size + 1) :
			    malloc((size_t)h.size + 1);
			if (!b) {
				git_error_set(GIT_ERROR_NOMEMORY, "out of "
				    "memory for an object of %llu bytes",
				    (unsigned long long)h.size);
				return -1;
			}
			*c = (struct cur){ b, (size_t)h.size, h.type, mine, p,
			    off };
			if (zread(r, p, h.data, b, (size_t)h.size, 0) < 0) {
				cur_free(c, be);
				return -1;
			}
			b[h.size] = '\0';
			c->e = entry_of(r, &h);
			return 0;
		}
		if (*ns == MAX_DEPTH)
			return corrupt(p, "delta chain too long", off);
		if (*ns == cap) {
			cap = cap ? cap * 2 : 16;
			*st = xrealloc(*st, cap * sizeof(**st));
		}
		(*st)[(*ns)++] = (struct step){ p, off, h };
		if (h.type == OFS_DELTA)
			off = h.base;
		else {
			int e = locate(r, &h.ref, &p, &off);

			if (e == GIT_ENOTFOUND)
				return corrupt((*st)[*ns - 1].p, "delta base "
				    "not in the packs", (*st)[*ns - 1].off);
			if (e < 0)
				return -1;
		}
	}
}

/* The delta of S applied to C, which becomes the result. */
static int
ascend(struct preader *r, struct step *s, int last, git_odb_backend *be,
    struct cur *c)
{
	unsigned char *d, *o;
	const unsigned char *q, *end;
	uint64_t src, dst;
	struct pr_entry ent;
	int e;

	if (s->h.size >= SIZE_MAX)
		return corrupt(s->p, "delta too large", s->off);
	d = xmalloc((size_t)s->h.size + 1);
	if (zread(r, s->p, s->h.data, d, (size_t)s->h.size, 0) < 0) {
		free(d);
		return -1;
	}
	ent = entry_of(r, &s->h);
	q = d;
	end = d + s->h.size;
	/* a copy of 64 KB takes one byte of a delta */
	if (varint(&q, end, &src) < 0 || varint(&q, end, &dst) < 0 ||
	    src != c->len || dst / 65536 > s->h.size) {
		free(d);
		return corrupt(s->p, "bad delta", s->off);
	}
	o = last ? out_alloc(be, (size_t)dst + 1) : malloc((size_t)dst + 1);
	if (!o) {
		free(d);
		git_error_set(GIT_ERROR_NOMEMORY, "out of memory");
		return -1;
	}
	e = patch(c->data, c->len, q, end, o, (size_t)dst);
	free(d);
	if (e < 0) {
		out_free(last ? be : NULL, o);
		return corrupt(s->p, "bad delta", s->off);
	}
	o[dst] = '\0';
	if (c->own == 1)	/* a base: kept for the next that needs it */
		cache_put(r, c->p, c->off, c->data, c->len, c->type, &c->e);
	*c = (struct cur){ o, (size_t)dst, c->type, last ? 2 : 1, s->p,
	    s->off, ent };
	return 0;
}

int
pr_read(struct preader *r, const git_oid *id, git_odb_backend *be,
    void **out, size_t *len, git_object_t *type)
{
	struct step *st = NULL;
	size_t ns = 0;
	struct cur c = { 0 };
	struct rpack *p;
	uint64_t off;
	int e = locate(r, id, &p, &off);

	r->last.type = 0;
	if (e == 0)
		e = descend(r, p, off, be, &st, &ns, &c);
	while (e == 0 && ns > 0) {
		ns--;
		e = ascend(r, &st[ns], ns == 0, be, &c);
	}
	free(st);
	if (e == 0 && c.own == 0) {	/* the cache's own */
		unsigned char *b = out_alloc(be, c.len + 1);

		if (!b) {
			git_error_set(GIT_ERROR_NOMEMORY, "out of memory");
			return -1;
		}
		memcpy(b, c.data, c.len + 1);
		c.data = b;
	}
	if (e < 0) {
		r->last.type = 0;
		cur_free(&c, be);
		return e;
	}
	r->last = c.e;
	r->lastp = c.p;
	*out = c.data;
	*len = c.len;
	*type = (git_object_t)c.type;
	return 0;
}

int
pr_header(struct preader *r, const git_oid *id, size_t *len,
    git_object_t *type)
{
	struct rpack *p;
	uint64_t off;
	int e = locate(r, id, &p, &off), sized = 0;

	for (int depth = 0; e == 0; depth++) {
		struct cent *ce = cache_get(r, p, off);
		struct ohdr h;

		if (ce) {
			*len = sized ? *len : ce->len;
			*type = (git_object_t)ce->type;
			return 0;
		}
		if (ohdr(p, off, &h) < 0)
			return -1;
		if (h.type != OFS_DELTA && h.type != REF_DELTA) {
			*len = sized ? *len : (size_t)h.size;
			*type = (git_object_t)h.type;
			return 0;
		}
		if (!sized) {	/* the result's size, in the delta's start */
			unsigned char b[20];
			const unsigned char *q = b;
			uint64_t src, dst;
			size_t n = h.size < sizeof(b) ? (size_t)h.size :
			    sizeof(b);

			if (zread(r, p, h.data, b, n, 1) < 0 ||
			    varint(&q, b + n, &src) < 0 ||
			    varint(&q, b + n, &dst) < 0 ||
			    dst / 65536 > h.size)
				return corrupt(p, "bad delta", off);
			*len = (size_t)dst;
			sized = 1;
		}
		if (depth == MAX_DEPTH)
			return corrupt(p, "delta chain too long", off);
		if (h.type == OFS_DELTA)
			off = h.base;
		else if ((e = locate(r, &h.ref, &p, &off)) == GIT_ENOTFOUND)
			return corrupt(p, "delta base not in the packs", off);
	}
	return e;
}

int
pr_exists(struct preader *r, const git_oid *id)
{
	struct rpack *p;
	uint64_t off;
	int e = locate(r, id, &p, &off);

	return e == 0 ? 1 : e == GIT_ENOTFOUND ? 0 : -1;
}

int
pr_last_entry(const struct preader *r, struct pr_entry *e)
{
	if (!r->last.type || r->lastp->pfd < 0)
		return -1;
	*e = r->last;
	e->fd = r->lastp->pfd;
	return 0;
}

struct preader *
pr_new(const char *objects)
{
	struct preader *r = xcalloc(1, sizeof(*r));

	r->dir = path_join(objects, "pack");
	r->buf = xmalloc(BUFSZ);
	r->stale = 1;
	return r;
}

void
pr_refresh(struct preader *r)
{
	r->stale = 1;
}

void
pr_free(struct preader *r)
{
	if (!r)
		return;
	while (r->packs) {
		struct rpack *p = r->packs;

		r->packs = p->next;
		pack_close(r, p);
	}
	if (r->zok)
		inflateEnd(&r->z);
	free(r->buf);
	free(r->dir);
	free(r);
}
