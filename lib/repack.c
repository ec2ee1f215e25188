/*
 * repack.c - inbox-maint --full: every object the store's history
 * reaches packed again into one pack, an old version of a file or a
 * directory stored as a delta of the version after it, in memory that
 * does not grow with the store (git gc held 600 bytes an object, 201 MB
 * at 100,000 messages).
 *
 * The walk takes the commits newest first and compares each one's tree
 * with the tree of the commit taken before it, all of whose objects are
 * listed already; it lists what differs: an object, and as its delta
 * base the object of its type that the same path held in the other
 * tree.  The list goes to a file in sorted runs of 2 MB, merged into one
 * list sorted by name, each object once, as the walk first met it: its
 * base was listed before it, so no two objects are each other's base.
 * The depth of each chain of deltas is then counted through that list
 * and cut at 50, git's default.  The pack is written in the list's
 * order, REF_DELTA naming a base; what an old pack keeps whole, or as a
 * delta of the base chosen here, is copied as it is (zlib's deflate was
 * most of the time a run took), so a run over its own pack deflates only
 * what is new.  Its index entries go to a side file and
 * the index made from the two; every object is read back out of the new
 * pack and hashed again before any old pack or loose object is removed.
 *
 * Memory: the commits queued and seen (about 50 bytes each), a run of
 * 2 MB, a byte for each object's depth, the pack reader's 2 MB of bases.
 * The formats are git's pack-format and index-format documentation.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "crypto.h"
#include "fault.h"
#include "packread.h"
#include "repack.h"
#include "util.h"

#define RUN_BYTES (2u << 20)	/* of the list, sorted in memory */
#define SPARSE 64		/* list entries to an entry of its sparse index */
#define MAXDEPTH 50		/* of a chain of deltas */
#define BUFSZ 65536
#define DBLK 16			/* bytes a delta's copies are found by */
#define DELTA_MAX (1u << 20)	/* larger objects are stored whole */
#define LIKES 1024		/* messages kept as bases for others like them */
#define LIKE_MAX 1024		/* bytes of a message kept so */
#define TMP "repack.tmp"	/* under objects: the lists and the new pack */

enum { COMMIT = 1, TREE = 2, BLOB = 3, TAG = 4, REF_DELTA = 7 };

/* An object listed by the walk: 48 bytes. */
struct rec {
	unsigned char id[SHA1_LEN];
	unsigned char base[SHA1_LEN];	/* when hasbase */
	uint32_t seq;			/* when the walk met it */
	uint8_t type, hasbase, pad[2];
};

/* Bytes POS to END of a file of fixed-size records, read BUFSZ at a
 * time. */
struct rin {
	int fd;
	uint64_t pos, end;
	size_t n, at;
	unsigned char buf[BUFSZ];
};

/* A file written in order, hashed on the way, BUFSZ at a time. */
struct wout {
	int fd;
	uint64_t off;
	uint32_t crc;		/* of the object being written */
	struct md m;
	struct sb b;
};

struct queued {
	int64_t when;
	unsigned char id[SHA1_LEN];
	uint32_t order;			/* of queueing */
};

struct rp {
	char *objects, *tmp;
	struct preader *pr;
	struct repack_stats st;
	/* the walk */
	int lfd;			/* the list, in sorted runs */
	struct rec *run;
	size_t nrun;
	uint64_t *runs;			/* where each run ends, in records */
	size_t nruns;
	uint32_t seq;
	unsigned char (*seen)[SHA1_LEN];	/* commits queued */
	size_t nseen, cseen;
	struct queued *q;
	size_t nq, cq;
	uint32_t queued;		/* commits queued so far */
	unsigned char prev[SHA1_LEN];	/* tree of the last commit walked */
	unsigned char prevc[SHA1_LEN];	/* and the commit */
	int hasprev;
	/* the merged list */
	int ufd;
	uint64_t n;
	uint32_t fan[256];
	unsigned char (*sparse)[SHA1_LEN];
	size_t csparse;
	/* the new pack */
	unsigned char sum[SHA1_LEN];
	z_stream z;
	int zinit;
	uint32_t *heads;		/* of delta_make() */
	size_t cheads;
	struct sb zd, zt, zw;		/* an object deflated: best delta,
					 * a delta tried, whole */
	size_t zbest, rawdelta;		/* the best's length, the delta's */
	unsigned char best[SHA1_LEN];	/* its base */
	int hasbest;			/* 1 a delta made, 2 one copied */
	struct like {
		unsigned char id[SHA1_LEN];
		uint64_t sig;
		size_t len;
		unsigned char *data;
	} like[LIKES];			/* of likeness() */
};

static int
bad_object(const unsigned char *id, const char *why)
{
	char hex[2 * SHA1_LEN + 1];

	hex_encode(id, SHA1_LEN, hex);
	return inbox_error(INBOX_EFAIL, "repack: object %s %s", hex, why);
}

static int
io_error(struct rp *x, const char *what)
{
	return inbox_error(INBOX_ETEMP, "repack: %s in %s:", what, x->tmp);
}

/* ---- objects read out of the packs or loose ---- */

static int
loose_read(struct rp *x, const unsigned char *id, unsigned char **out,
    size_t *len, int *type)
{
	static const char *names[] = { NULL, "commit ", "tree ", "blob ",
	    "tag " };
	char hex[2 * SHA1_LEN + 1];
	struct sb path = SB_INIT, in = SB_INIT, o = SB_INIT;
	z_stream z = { 0 };
	char *nul, *end;
	int r = -1, zr = Z_OK;

	hex_encode(id, SHA1_LEN, hex);
	sb_addf(&path, "%s/%.2s/%s", x->objects, hex, hex + 2);
	if (sb_read_file(&in, path.buf, (size_t)-1) < 0) {
		r = inbox_errcode() == INBOX_ENOMATCH ?
		    bad_object(id, "is missing") : -1;
		goto out;
	}
	if (inflateInit(&z) != Z_OK)
		inbox_oom();
	z.next_in = (unsigned char *)in.buf;
	z.avail_in = (uInt)in.len;
	while (zr == Z_OK) {
		sb_grow(&o, BUFSZ);
		z.next_out = (unsigned char *)o.buf + o.len;
		z.avail_out = BUFSZ;
		zr = inflate(&z, Z_NO_FLUSH);
		o.len += BUFSZ - z.avail_out;
		o.buf[o.len] = '\0';
	}
	inflateEnd(&z);
	nul = zr == Z_STREAM_END ? memchr(o.buf, 0, o.len) : NULL;
	for (*type = 0; nul && *type < TAG; )
		if (str_startswith(o.buf, names[++*type]))
			break;
	if (!nul || !str_startswith(o.buf, names[*type]) ||
	    strtoull(o.buf + strlen(names[*type]), &end, 10) !=
	    o.len - (size_t)(nul + 1 - o.buf) || end != nul) {
		r = bad_object(id, "is corrupt (loose)");
		goto out;
	}
	*len = o.len - (size_t)(nul + 1 - o.buf);
	memmove(o.buf, nul + 1, *len + 1);
	*out = (unsigned char *)sb_detach(&o, NULL);
	r = 0;
out:
	sb_release(&path);
	sb_release(&in);
	sb_release(&o);
	return r;
}

/* The object ID into *out (malloc'd, NUL-terminated past *len). */
static int
get(struct rp *x, struct preader *pr, const unsigned char *id,
    unsigned char **out, size_t *len, int *type)
{
	git_oid o;
	git_object_t t;
	void *d;
	int e;

	git_oid_fromraw(&o, id);
	e = pr_read(pr, &o, NULL, &d, len, &t);
	if (e == 0) {
		*out = d;
		*type = (int)t;
		return 0;
	}
	if (e != GIT_ENOTFOUND) {
		const git_error *ge = git_error_last();

		return inbox_error(INBOX_EFAIL, "repack: %s",
		    ge ? ge->message : "cannot read a pack");
	}
	if (pr != x->pr)
		return bad_object(id, "is not in the new pack");
	return loose_read(x, id, out, len, type);
}

/* ---- the list: sorted runs, merged ---- */

static int
rec_cmp(const struct rec *a, const struct rec *b)
{
	int c = memcmp(a->id, b->id, SHA1_LEN);

	return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

/* Heap sort: qsort() would merge through a copy of the run. */
static void
sift(struct rec *v, size_t i, size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1;
		struct rec t;

		if (c >= n)
			return;
		if (c + 1 < n && rec_cmp(&v[c], &v[c + 1]) < 0)
			c++;
		if (rec_cmp(&v[i], &v[c]) >= 0)
			return;
		t = v[i];
		v[i] = v[c];
		v[c] = t;
		i = c;
	}
}

static int
run_out(struct rp *x)
{
	if (x->nrun == 0)
		return 0;
	for (size_t i = x->nrun / 2; i-- > 0;)
		sift(x->run, i, x->nrun);
	for (size_t end = x->nrun; end-- > 1;) {
		struct rec t = x->run[0];

		x->run[0] = x->run[end];
		x->run[end] = t;
		sift(x->run, 0, end);
	}
	if (write_all(x->lfd, x->run, x->nrun * sizeof(*x->run)) < 0)
		return io_error(x, "write");
	x->runs = xrealloc(x->runs, (x->nruns + 1) * sizeof(*x->runs));
	x->runs[x->nruns] = (x->nruns ? x->runs[x->nruns - 1] : 0) + x->nrun;
	x->nruns++;
	x->nrun = 0;
	return 0;
}

static int
emit(struct rp *x, const unsigned char *id, int type,
    const unsigned char *base)
{
	struct rec *r = &x->run[x->nrun++];

	memset(r, 0, sizeof(*r));
	memcpy(r->id, id, SHA1_LEN);
	r->seq = x->seq++;
	r->type = (uint8_t)type;
	if (base && memcmp(base, id, SHA1_LEN) != 0) {
		memcpy(r->base, base, SHA1_LEN);
		r->hasbase = 1;
	}
	return x->nrun * sizeof(*r) >= RUN_BYTES ? run_out(x) : 0;
}

static void
rin_open(struct rin *f, int fd, uint64_t from, uint64_t to)
{
	f->fd = fd;
	f->pos = from;
	f->end = to;
	f->n = f->at = 0;
}

/* The next record, SIZE bytes, into OUT: 1, or 0 at the end, -1 on a
 * failed read.  BUFSZ is no multiple of SIZE: what is left of a buffer
 * is read again with the next. */
static int
rin_get(struct rin *f, void *out, size_t size)
{
	if (f->pos >= f->end)
		return 0;
	if (f->n - f->at < size) {
		uint64_t left = f->end - f->pos;
		size_t want = left < BUFSZ ? (size_t)left : BUFSZ / size * size;

		if (want < size || pread(f->fd, f->buf, want, (off_t)f->pos) !=
		    (ssize_t)want)
			return -1;
		f->n = want;
		f->at = 0;
	}
	memcpy(out, f->buf + f->at, size);
	f->at += size;
	f->pos += size;
	return 1;
}

/* Merge the runs into the list each object once, counting the names of
 * each first byte and keeping every SPARSE-th name in memory. */
static int
merge(struct rp *x)
{
	struct rin *in = xcalloc(x->nruns, sizeof(*in));
	struct sb out = SB_INIT;
	struct rec *head = xcalloc(x->nruns, sizeof(*head));
	unsigned char last[SHA1_LEN] = { 0 };
	int *live = xcalloc(x->nruns, sizeof(*live)), r = 0;

	for (size_t i = 0; i < x->nruns; i++) {
		rin_open(&in[i], x->lfd, (i ? x->runs[i - 1] : 0) *
		    sizeof(*head), x->runs[i] * sizeof(*head));
		live[i] = rin_get(&in[i], &head[i], sizeof(*head));
		r |= live[i] < 0;
	}
	while (r == 0) {
		size_t best = x->nruns;

		for (size_t i = 0; i < x->nruns; i++)
			if (live[i] > 0 && (best == x->nruns ||
			    rec_cmp(&head[i], &head[best]) < 0))
				best = i;
		if (best == x->nruns)
			break;
		if (x->n == 0 || memcmp(last, head[best].id, SHA1_LEN)) {
			memcpy(last, head[best].id, SHA1_LEN);
			if (x->n % SPARSE == 0 && x->n / SPARSE == x->csparse) {
				x->csparse = x->csparse ? 2 * x->csparse : 64;
				x->sparse = xrealloc(x->sparse, x->csparse *
				    SHA1_LEN);
			}
			if (x->n % SPARSE == 0) {
				memcpy(x->sparse[x->n / SPARSE], last,
				    SHA1_LEN);
			}
			x->fan[last[0]]++;
			x->n++;
			sb_add(&out, &head[best], sizeof(head[best]));
			r |= sb_spill(x->ufd, &out, BUFSZ);
		}
		live[best] = rin_get(&in[best], &head[best], sizeof(*head));
		r |= live[best] < 0;
	}
	if (r == 0)
		r = sb_spill(x->ufd, &out, 0);
	sb_release(&out);
	free(in);
	free(head);
	free(live);
	return r ? io_error(x, "merge the list") : 0;
}

/* The position of ID in the merged list, through the sparse index. */
static int
find(struct rp *x, const unsigned char *id, uint64_t *pos)
{
	struct rec blk[SPARSE];
	size_t lo = 0, hi = (size_t)((x->n + SPARSE - 1) / SPARSE), n;
	ssize_t got;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (memcmp(x->sparse[mid], id, SHA1_LEN) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	got = pread(x->ufd, blk, sizeof(blk), (off_t)(lo * sizeof(blk)));
	if (got < (ssize_t)sizeof(blk[0]))
		return io_error(x, "read the list");
	n = (size_t)got / sizeof(blk[0]);
	for (size_t i = 0; i < n; i++)
		if (memcmp(blk[i].id, id, SHA1_LEN) == 0) {
			*pos = lo * SPARSE + i;
			return 0;
		}
	return bad_object(id, "is named as a base but not listed");
}

/*
 * Count each delta chain's depth through the list, and make every 51st
 * object of a chain whole: a chain is followed from an object through
 * its bases to one counted already, then counted back.
 */
static int
depths(struct rp *x)
{
	uint8_t *d = xmalloc(x->n);
	uint64_t *chain = NULL;
	size_t nchain = 0, cchain = 0;
	int r = 0;

	memset(d, 0xff, x->n);
	for (uint64_t i = 0; i < x->n && r == 0; i++) {
		uint64_t at = i;
		struct rec rc;
		unsigned depth;

		nchain = 0;
		while (r == 0 && d[at] == 0xff) {
			if (pread(x->ufd, &rc, sizeof(rc), (off_t)(at *
			    sizeof(rc))) != (ssize_t)sizeof(rc)) {
				r = io_error(x, "read the list");
				break;
			}
			if (nchain == cchain) {
				cchain = cchain ? 2 * cchain : 64;
				chain = xrealloc(chain, cchain *
				    sizeof(*chain));
			}
			chain[nchain++] = at;
			if (nchain > x->n) {
				r = bad_object(rc.id, "is in a loop of deltas");
				break;
			}
			if (!rc.hasbase) {
				d[at] = 0;
				nchain--;
				break;
			}
			r = find(x, rc.base, &at);
		}
		depth = d[at];
		while (r == 0 && nchain-- > 0) {
			at = chain[nchain];
			/* one short: a message may yet be made a delta
			 * of another like it, a whole one */
			if (++depth > MAXDEPTH - 1) {
				depth = 0;
				if (pread(x->ufd, &rc, sizeof(rc), (off_t)(at *
				    sizeof(rc))) != (ssize_t)sizeof(rc))
					r = io_error(x, "read the list");
				rc.hasbase = 0;
				if (r == 0 && pwrite(x->ufd, &rc, sizeof(rc),
				    (off_t)(at * sizeof(rc))) !=
				    (ssize_t)sizeof(rc))
					r = io_error(x, "write the list");
			}
			d[at] = (uint8_t)depth;
		}
	}
	free(chain);
	free(d);
	return r;
}

/* ---- the walk ---- */

struct tent {
	const unsigned char *name, *id;
	size_t nlen;
	unsigned mode;
};

#define IS_TREE(m) (((m) & 0170000) == 0040000)
#define IS_LINK(m) (((m) & 0170000) == 0160000)

/* The next entry of a tree: 1, 0 at its end, -1 when malformed. */
static int
tree_next(const unsigned char **p, const unsigned char *end, struct tent *e)
{
	const unsigned char *s = *p, *nul;

	if (s == end)
		return 0;
	for (e->mode = 0; s < end && *s >= '0' && *s <= '7'; s++)
		e->mode = e->mode << 3 | (unsigned)(*s - '0');
	if (s == end || *s++ != ' ' ||
	    !(nul = memchr(s, 0, (size_t)(end - s))) ||
	    (size_t)(end - nul) < 1 + SHA1_LEN)
		return -1;
	e->name = s;
	e->nlen = (size_t)(nul - s);
	e->id = nul + 1;
	*p = nul + 1 + SHA1_LEN;
	return 1;
}

/* git's order of tree entries: a tree's name as if it ended in '/'. */
static int
tent_cmp(const struct tent *a, const struct tent *b)
{
	size_t n = a->nlen < b->nlen ? a->nlen : b->nlen;
	int c = memcmp(a->name, b->name, n);
	unsigned ca, cb;

	if (c)
		return c;
	ca = a->nlen > n ? a->name[n] : IS_TREE(a->mode) ? '/' : 0;
	cb = b->nlen > n ? b->name[n] : IS_TREE(b->mode) ? '/' : 0;
	return (ca > cb) - (ca < cb);
}

static int
read_tree(struct rp *x, const unsigned char *id, unsigned char **data,
    size_t *len)
{
	int type;

	if (get(x, x->pr, id, data, len, &type) < 0)
		return -1;
	if (type != TREE) {
		free(*data);
		return bad_object(id, "is not a tree");
	}
	return 0;
}

/*
 * List what tree NEW holds and tree OLD (listed whole already; NULL: an
 * empty tree) does not, each with the object of its type OLD held at
 * its path as its base.
 */
static int
walk_tree(struct rp *x, const unsigned char *new, const unsigned char *old)
{
	unsigned char *nd = NULL, *od = NULL;
	const unsigned char *np, *op, *nend, *oend;
	size_t nlen, olen = 0;
	const unsigned char *hub = NULL;	/* the first blob here */
	struct tent ne, oe;
	int ok = 0, more = 0, r = 0;

	if (read_tree(x, new, &nd, &nlen) < 0 ||
	    (old && read_tree(x, old, &od, &olen) < 0)) {
		free(nd);
		return -1;
	}
	np = nd;
	nend = nd + nlen;
	op = od;
	oend = od + olen;
	if (od)
		more = tree_next(&op, oend, &oe);
	while (r == 0 && (ok = tree_next(&np, nend, &ne)) == 1) {
		int match, c = 1;

		while (more == 1 && (c = tent_cmp(&oe, &ne)) < 0)
			more = tree_next(&op, oend, &oe);
		if (more < 0)
			break;
		match = more == 1 && c == 0;
		if (match && memcmp(oe.id, ne.id, SHA1_LEN) == 0) {
			if (!hub && !IS_TREE(ne.mode) && !IS_LINK(ne.mode))
				hub = ne.id;
			continue;
		}
		if (IS_LINK(ne.mode))
			continue;
		if (IS_TREE(ne.mode)) {
			const unsigned char *b = match && IS_TREE(oe.mode) ?
			    oe.id : NULL;

			r = emit(x, ne.id, TREE, b);
			if (r == 0)
				r = walk_tree(x, ne.id, b);
		} else {
			/* no version at its path: the first blob here, a
			 * message of the same conversation (each of the
			 * first, not of the one before: a chain through a
			 * conversation would be read whole for its newest) */
			r = emit(x, ne.id, BLOB, match && !IS_TREE(oe.mode) &&
			    !IS_LINK(oe.mode) ? oe.id : hub);
			if (!hub)
				hub = ne.id;
		}
	}
	if (r == 0 && (ok < 0 || more < 0))
		r = bad_object(ok < 0 ? new : old, "is a malformed tree");
	free(nd);
	free(od);
	return r;
}

/* A line "KEY HEX" of a commit or tag, at its start or after a newline. */
static const char *
field(const char *s, size_t len, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = s; p && p < s + len; ) {
		if (*p == '\n')
			break;	/* the message */
		if ((size_t)(s + len - p) > k + 2 * SHA1_LEN &&
		    memcmp(p, key, k) == 0 && p[k] == ' ')
			return p + k + 1;
		p = memchr(p, '\n', (size_t)(s + len - p));
		p = p ? p + 1 : NULL;
	}
	return NULL;
}

static const unsigned char zero[SHA1_LEN];

static size_t
seen_slot(struct rp *x, const unsigned char *id)
{
	size_t i = (size_t)get_be32(id) & (x->cseen - 1);

	while (memcmp(x->seen[i], zero, SHA1_LEN) &&
	    memcmp(x->seen[i], id, SHA1_LEN))
		i = (i + 1) & (x->cseen - 1);
	return i;
}

/*
 * A walked before B: the newer commit, and of two of one second the one
 * queued last.  A reflog, oldest line first, queues a branch's commits
 * at once: so they come off child before parent, as they would one by
 * one, and one more commit does not reorder the others.
 */
static int
above(const struct queued *a, const struct queued *b)
{
	return a->when != b->when ? a->when > b->when : a->order > b->order;
}

/* Queue commit ID (of data D) once, by its committer's time. */
static int
push(struct rp *x, const unsigned char *id, const char *d, size_t len)
{
	const char *c = field(d, len, "committer"), *gt;
	struct queued e;
	size_t i;

	if ((x->nseen + 1) * 2 > x->cseen) {
		unsigned char (*old)[SHA1_LEN] = x->seen;
		size_t n = x->cseen;

		x->cseen = n ? 2 * n : 1024;
		x->seen = xcalloc(x->cseen, SHA1_LEN);
		for (i = 0; i < n; i++)
			if (memcmp(old[i], zero, SHA1_LEN))
				memcpy(x->seen[seen_slot(x, old[i])], old[i],
				    SHA1_LEN);
		free(old);
	}
	i = seen_slot(x, id);
	if (memcmp(x->seen[i], id, SHA1_LEN) == 0)
		return 0;
	memcpy(x->seen[i], id, SHA1_LEN);
	x->nseen++;
	gt = c ? memchr(c, '>', len - (size_t)(c - d)) : NULL;
	e.when = gt ? strtoll(gt + 1, NULL, 10) : 0;
	memcpy(e.id, id, SHA1_LEN);
	e.order = x->queued++;
	if (x->nq == x->cq) {
		x->cq = x->cq ? 2 * x->cq : 256;
		x->q = xrealloc(x->q, x->cq * sizeof(*x->q));
	}
	/* a heap, newest on top */
	for (i = x->nq++; i > 0 && above(&e, &x->q[(i - 1) / 2]);
	    i = (i - 1) / 2)
		x->q[i] = x->q[(i - 1) / 2];
	x->q[i] = e;
	return 0;
}

static struct queued
pop(struct rp *x)
{
	struct queued top = x->q[0], e = x->q[--x->nq];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= x->nq)
			break;
		if (c + 1 < x->nq && above(&x->q[c + 1], &x->q[c]))
			c++;
		if (!above(&x->q[c], &e))
			break;
		x->q[i] = x->q[c];
		i = c;
	}
	if (x->nq)
		x->q[i] = e;
	return top;
}

/* An object a ref or a reflog names: a commit is queued; a tag listed
 * and followed; a tree or a blob listed whole. */
static int
tip(struct rp *x, const unsigned char *id)
{
	unsigned char *d, cur[SHA1_LEN];
	size_t len;
	int type, r = 0;

	memcpy(cur, id, SHA1_LEN);
	for (int hops = 0; r == 0 && hops < 16; hops++) {
		const char *obj;

		if (get(x, x->pr, cur, &d, &len, &type) < 0)
			return -1;
		if (type == COMMIT) {
			r = push(x, cur, (char *)d, len);
			free(d);
			return r;
		}
		r = emit(x, cur, type, NULL);
		if (r == 0 && type == TREE)
			r = walk_tree(x, cur, NULL);
		obj = type == TAG ? field((char *)d, len, "object") : NULL;
		if (r == 0 && obj && hex_decode(obj, SHA1_LEN, cur) < 0)
			r = bad_object(cur, "is a malformed tag");
		free(d);
		if (!obj)
			return r;
	}
	return r;
}

static int
walk_commit(struct rp *x, const unsigned char *id)
{
	unsigned char *d, tree[SHA1_LEN], parent[SHA1_LEN];
	const char *t, *p;
	size_t len;
	int type, r;

	if (get(x, x->pr, id, &d, &len, &type) < 0)
		return -1;
	t = type == COMMIT ? field((char *)d, len, "tree") : NULL;
	if (!t || hex_decode(t, SHA1_LEN, tree) < 0) {
		free(d);
		return bad_object(id, "is not a commit");
	}
	/* the commit walked before it says much the same */
	r = emit(x, id, COMMIT, x->hasprev ? x->prevc : NULL);
	memcpy(x->prevc, id, SHA1_LEN);
	x->st.commits++;
	for (p = (char *)d; r == 0 && (p = field(p, len - (size_t)(p -
	    (char *)d), "parent")); p += 2 * SHA1_LEN + 1) {
		unsigned char *pd;
		size_t plen;
		int ptype;

		if (hex_decode(p, SHA1_LEN, parent) < 0) {
			r = bad_object(id, "is a malformed commit");
			break;
		}
		if (get(x, x->pr, parent, &pd, &plen, &ptype) < 0) {
			r = -1;
			break;
		}
		r = ptype == COMMIT ? push(x, parent, (char *)pd, plen) :
		    bad_object(parent, "is not a commit");
		free(pd);
	}
	free(d);
	if (r == 0 && !(x->hasprev && memcmp(tree, x->prev, SHA1_LEN) == 0)) {
		r = emit(x, tree, TREE, x->hasprev ? x->prev : NULL);
		if (r == 0)
			r = walk_tree(x, tree, x->hasprev ? x->prev : NULL);
	}
	memcpy(x->prev, tree, SHA1_LEN);
	x->hasprev = 1;
	return r;
}

/* The 40-hex words at the start of each line of FILE (a ref,
 * packed-refs, a reflog: the old and the new commit, then who), and
 * after a '^' (a tag peeled), taken as tips; a line at a time, as a
 * reflog has a line a commit. */
static int
tips_in(struct rp *x, const char *file)
{
	FILE *f = fopen(file, "re");
	char *line = NULL;
	size_t cap = 0;
	int r = 0;

	if (!f)		/* gone meanwhile, or unreadable: then it names
			 * objects that must not be dropped */
		return errno == ENOENT ? 0 : inbox_error(INBOX_EFAIL,
		    "repack: %s:", file);
	while (r == 0 && getline(&line, &cap, f) > 0) {
		const char *w = line + (*line == '^');

		for (int k = 0; r == 0 && k < 2; k++, w += 2 * SHA1_LEN + 1) {
			unsigned char id[SHA1_LEN];
			char after;

			if (hex_decode(w, SHA1_LEN, id) < 0)
				break;
			after = w[2 * SHA1_LEN];
			if (after != ' ' && after != '\n' && after != '\0')
				break;
			if (memcmp(id, zero, SHA1_LEN))
				r = tip(x, id);
			if (after != ' ')
				break;
		}
	}
	if (r == 0 && ferror(f))
		r = inbox_error(INBOX_EFAIL, "repack: %s:", file);
	free(line);
	fclose(f);
	return r;
}

static int
tips_under(struct rp *x, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = 0;

	if (!d && errno != ENOENT)
		return inbox_error(INBOX_EFAIL, "repack: %s:", dir);
	while (r == 0 && d && (e = readdir(d))) {
		char *p;
		struct stat sb;

		if (e->d_name[0] == '.' || str_endswith(e->d_name, ".lock"))
			continue;
		p = path_join(dir, e->d_name);
		if (stat(p, &sb) == 0)
			r = S_ISDIR(sb.st_mode) ? tips_under(x, p) :
			    tips_in(x, p);
		free(p);
	}
	if (d)
		closedir(d);
	return r;
}

static int
walk(struct rp *x, const char *gitdir)
{
	/* the reflogs first: their commits queued in the order they were
	 * made (above()), the newest last */
	static const char *tips[] = { "logs/", "HEAD", "packed-refs",
	    "refs/", NULL };
	int r = 0;

	for (int i = 0; r == 0 && tips[i]; i++) {
		size_t n = strlen(tips[i]);
		char *p = xstrndup(tips[i], n - (tips[i][n - 1] == '/'));
		char *path = path_join(gitdir, p);

		r = tips[i][n - 1] == '/' ? tips_under(x, path) :
		    tips_in(x, path);
		free(path);
		free(p);
	}
	while (r == 0 && x->nq > 0) {
		struct queued c = pop(x);

		r = walk_commit(x, c.id);
	}
	return r == 0 ? run_out(x) : r;
}

/* ---- the new pack ---- */

static int
wput(struct wout *w, const void *b, size_t n)
{
	md_update(&w->m, b, n);
	w->crc = (uint32_t)crc32(w->crc, b, (uInt)n);
	w->off += n;
	sb_add(&w->b, b, n);
	return sb_spill(w->fd, &w->b, BUFSZ);
}

/* N bytes at D deflated into the pack, or when W is NULL, into MEM. */
static int
zput(struct rp *x, struct wout *w, struct sb *mem, const unsigned char *d,
    size_t n)
{
	unsigned char out[BUFSZ];
	int zr = Z_OK;

	if (!x->zinit) {
		if (deflateInit(&x->z, Z_DEFAULT_COMPRESSION) != Z_OK)
			inbox_oom();
		x->zinit = 1;
	} else
		deflateReset(&x->z);
	x->z.next_in = (unsigned char *)d;
	x->z.avail_in = (uInt)n;
	while (zr == Z_OK) {
		x->z.next_out = out;
		x->z.avail_out = sizeof(out);
		zr = deflate(&x->z, Z_FINISH);
		if (!w)
			sb_add(mem, out, sizeof(out) - x->z.avail_out);
		else if (wput(w, out, sizeof(out) - x->z.avail_out) < 0)
			return -1;
	}
	return zr == Z_STREAM_END ? 0 : -1;
}

static void
varint(struct sb *s, size_t v)
{
	do {
		sb_addc(s, (int)((v & 127) | (v > 127 ? 128 : 0)));
		v >>= 7;
	} while (v);
}

static void
copy_op(struct sb *s, size_t off, size_t n)
{
	while (n > 0) {
		size_t k = n < 0xffff ? n : 0xffff;
		unsigned char op[8];
		size_t j = 1;

		op[0] = 0x80;
		for (int i = 0; i < 4; i++)
			if ((off >> (8 * i)) & 0xff) {
				op[0] |= (unsigned char)(1 << i);
				op[j++] = (unsigned char)(off >> (8 * i));
			}
		for (int i = 0; i < 2; i++)
			if ((k >> (8 * i)) & 0xff) {
				op[0] |= (unsigned char)(0x10 << i);
				op[j++] = (unsigned char)(k >> (8 * i));
			}
		sb_add(s, op, j);
		off += k;
		n -= k;
	}
}

static void
insert_op(struct sb *s, const unsigned char *d, size_t n)
{
	while (n > 0) {
		size_t k = n < 127 ? n : 127;

		sb_addc(s, (int)k);
		sb_add(s, d, k);
		d += k;
		n -= k;
	}
}

static uint32_t
blk_hash(const unsigned char *p)
{
	uint64_t a, b;

	memcpy(&a, p, 8);
	memcpy(&b, p + 8, 8);
	a = (a ^ (b * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
	return (uint32_t)(a >> 32);
}

/*
 * DST as a git delta of SRC, into OUT: SRC's blocks of DBLK bytes in a
 * hash table (HEADS, of 2^bits slots), each place in DST looked up
 * there, and a match grown both ways and copied; what matches nothing
 * is inserted.  An old version of a directory or a file is mostly the
 * next one: entries or lines changed, added or taken away.
 */
static void
delta_make(struct rp *x, const unsigned char *src, size_t sn,
    const unsigned char *dst, size_t dn, struct sb *out)
{
	size_t nb = sn / DBLK, mask, at = 0, lit = 0, slots = 64;

	while (slots < 2 * nb)
		slots *= 2;
	if (slots > x->cheads) {
		free(x->heads);
		x->heads = xmalloc(slots * sizeof(*x->heads));
		x->cheads = slots;
	}
	memset(x->heads, 0, slots * sizeof(*x->heads));
	mask = slots - 1;
	for (size_t i = nb; i-- > 0;)	/* the first of equal blocks wins */
		x->heads[blk_hash(src + i * DBLK) & mask] = (uint32_t)(i *
		    DBLK + 1);
	varint(out, sn);
	varint(out, dn);
	while (at + DBLK <= dn) {
		uint32_t c = x->heads[blk_hash(dst + at) & mask];
		size_t so, len;

		if (!c || memcmp(src + c - 1, dst + at, DBLK) != 0) {
			at++;
			continue;
		}
		so = c - 1;
		len = DBLK;
		while (so + len < sn && at + len < dn &&
		    src[so + len] == dst[at + len])
			len++;
		while (at > lit && so > 0 && src[so - 1] == dst[at - 1]) {
			so--;
			at--;
			len++;
		}
		insert_op(out, dst + lit, at - lit);
		copy_op(out, so, len);
		at += len;
		lit = at;
	}
	insert_op(out, dst + lit, dn - lit);
}

/*
 * A message's likeness: its first three lines (channel, direction and
 * kind) and its last (the end of a template's text).  The last message
 * of each likeness written whole is kept as a base for the next that
 * has no base of its own: one SMS reminder is much like another.
 */
static uint64_t
likeness(const unsigned char *d, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	size_t i = 0, last = 0;
	int lines = 0;

	for (; i < n && lines < 3; i++) {
		h = (h ^ d[i]) * 1099511628211ull;
		lines += d[i] == '\n';
	}
	while (n > 0 && d[n - 1] == '\n')
		n--;
	for (last = n; last > i && d[last - 1] != '\n'; last--)
		;
	for (; last < n; last++)
		h = (h ^ d[last]) * 1099511628211ull;
	return h;
}

/* D as a delta of BASE (BD), deflated, kept when smaller than the best
 * so far. */
static void
try_base(struct rp *x, const unsigned char *base, const unsigned char *bd,
    size_t blen, const unsigned char *d, size_t len, struct sb *delta)
{
	sb_reset(delta);
	delta_make(x, bd, blen, d, len, delta);
	sb_reset(&x->zt);
	zput(x, NULL, &x->zt, (unsigned char *)delta->buf, delta->len);
	if (x->zt.len + SHA1_LEN < x->zbest) {
		struct sb t = x->zd;

		x->zd = x->zt;
		x->zt = t;
		x->zbest = x->zd.len + SHA1_LEN;
		x->rawdelta = delta->len;
		memcpy(x->best, base, SHA1_LEN);
		x->hasbest = 1;
	}
}

/* The old pack's zlib stream of an entry, as it is, into the new pack
 * or, when W is NULL, into MEM. */
static int
stream_copy(struct rp *x, const struct pr_entry *pe, struct wout *w,
    struct sb *mem)
{
	unsigned char buf[BUFSZ];
	uint64_t at = pe->off, end = pe->off + pe->len;

	while (at < end) {
		size_t n = end - at < sizeof(buf) ? (size_t)(end - at) :
		    sizeof(buf);
		ssize_t got = pread(pe->fd, buf, n, (off_t)at);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return inbox_error(INBOX_EFAIL, "repack: cannot read "
			    "a pack: %s", got < 0 ? strerror(errno) :
			    "cut short");
		if (!w)
			sb_add(mem, buf, (size_t)got);
		else if (wput(w, buf, (size_t)got) < 0)
			return io_error(x, "write the pack");
		at += (uint64_t)got;
	}
	return 0;
}

/* The old pack's delta, when it is of BASE, taken as it is: the run that
 * made it found it smaller than the object.  1 taken, 0 not, -1. */
static int
reuse_delta(struct rp *x, const struct pr_entry *pe, const unsigned char *base)
{
	if (pe->type != REF_DELTA || memcmp(pe->base.id, base, SHA1_LEN))
		return 0;
	sb_reset(&x->zd);
	if (stream_copy(x, pe, NULL, &x->zd) < 0)
		return -1;
	x->zbest = x->zd.len + SHA1_LEN;
	x->rawdelta = (size_t)pe->size;
	memcpy(x->best, base, SHA1_LEN);
	x->hasbest = 2;		/* taken as it was */
	return 1;
}

/*
 * One object of the pack, its CRC-32 and offset into the side file at
 * its place in the list, POS: as a delta when one is smaller deflated
 * than the object, of the base the walk found or of a message like it.
 * What the old pack keeps whole, or as a delta of that base, is copied
 * as it is, not deflated again.
 */
static int
write_obj(struct rp *x, struct wout *w, int sfd, uint64_t pos,
    const struct rec *rc, struct sb *delta)
{
	unsigned char *d = NULL, *bd = NULL, h[16], e[12];
	size_t len, blen;
	int type, btype, r = -1, small, u = 0, zwold = 0;
	uint64_t off = w->off, sig = 0;
	struct like *lk = NULL;
	struct pr_entry pe;

	if (get(x, x->pr, rc->id, &d, &len, &type) < 0)
		return -1;
	if (type != rc->type) {
		free(d);
		return bad_object(rc->id, "changed its type");
	}
	if (pr_last_entry(x->pr, &pe) < 0)
		pe.type = 0;
	x->hasbest = 0;
	small = len >= 64 && len <= DELTA_MAX;
	if (small && rc->hasbase && (u = reuse_delta(x, &pe, rc->base)) < 0)
		goto out;
	if (small && !u) {
		sb_reset(&x->zw);
		if ((zwold = pe.type == type)) {
			if (stream_copy(x, &pe, NULL, &x->zw) < 0)
				goto out;
		} else
			zput(x, NULL, &x->zw, d, len);
		x->zbest = x->zw.len;
	}
	if (small && !u && rc->hasbase) {
		if (get(x, x->pr, rc->base, &bd, &blen, &btype) < 0)
			goto out;
		if (blen <= DELTA_MAX)
			try_base(x, rc->base, bd, blen, d, len, delta);
	}
	if (small && type == BLOB && len <= LIKE_MAX) {
		sig = likeness(d, len);
		lk = &x->like[sig % LIKES];
		if (!x->hasbest && lk->data && lk->sig == sig &&
		    (u = reuse_delta(x, &pe, lk->id)) == 0)
			try_base(x, lk->id, lk->data, lk->len, d, len, delta);
		if (u < 0)
			goto out;
	}
	w->crc = 0;
	if (x->hasbest) {
		r = wput(w, h, pr_put_header(h, REF_DELTA, x->rawdelta)) < 0 ||
		    wput(w, x->best, SHA1_LEN) < 0 ||
		    wput(w, x->zd.buf, x->zd.len) < 0;
		x->st.deltas++;
		x->st.reused += x->hasbest == 2;
	} else if (small) {
		r = wput(w, h, pr_put_header(h, type, len)) < 0 ||
		    wput(w, x->zw.buf, x->zw.len) < 0;
		x->st.reused += zwold;
	} else if (pe.type == type) {
		if (wput(w, h, pr_put_header(h, type, len)) < 0)
			r = -1;
		else if ((r = stream_copy(x, &pe, w, NULL)) < 0)
			goto out;
		x->st.reused++;
	} else
		r = wput(w, h, pr_put_header(h, type, len)) < 0 ||
		    zput(x, w, NULL, d, len) < 0;
	if (r == 0 && lk && !x->hasbest) {
		/* whole: a base for the next message like it */
		free(lk->data);
		lk->data = d;
		lk->len = len;
		lk->sig = sig;
		memcpy(lk->id, rc->id, SHA1_LEN);
		d = NULL;
	}
	put_be32(e, w->crc);
	put_be32(e + 4, (uint32_t)(off >> 32));
	put_be32(e + 8, (uint32_t)off);
	if (r == 0 && pwrite(sfd, e, sizeof(e), (off_t)(pos * sizeof(e))) !=
	    (ssize_t)sizeof(e))
		r = -1;
	if (r < 0)
		io_error(x, "write the pack");
out:
	free(d);
	free(bd);
	return r;
}

/*
 * The pack: the commits first, then the tags, the trees and the blobs,
 * each kind in the list's order (git log, git's reflog expiry and a
 * walk of the trees read a part of the pack, not pages all over it).
 */
static int
write_pack(struct rp *x, struct wout *w, int sfd)
{
	static const int order[] = { COMMIT, TAG, TREE, BLOB };
	unsigned char hdr[12] = { 'P', 'A', 'C', 'K', 0, 0, 0, 2 };
	struct rin *u = xcalloc(1, sizeof(*u));
	struct sb delta = SB_INIT;
	struct rec rc;
	int r, got = 0;

	put_be32(hdr + 8, (uint32_t)x->n);
	sha1_init(&w->m);
	r = wput(w, hdr, sizeof(hdr));
	for (int k = 0; r == 0 && k < 4; k++) {
		rin_open(u, x->ufd, 0, x->n * sizeof(rc));
		for (uint64_t i = 0; r == 0 &&
		    (got = rin_get(u, &rc, sizeof(rc))) == 1; i++)
			if (rc.type == order[k])
				r = write_obj(x, w, sfd, i, &rc, &delta);
		if (r == 0 && got < 0)
			r = io_error(x, "read the list");
	}
	if (r == 0) {
		md_final(&w->m, x->sum);
		sb_add(&w->b, x->sum, SHA1_LEN);
		if (sb_spill(w->fd, &w->b, 0) < 0 || fsync_fd(w->fd) < 0)
			r = io_error(x, "write the pack");
	}
	sb_release(&delta);
	free(u);
	return r;
}

static int
write_index(struct rp *x, struct wout *w, int sfd)
{
	static const unsigned char magic[8] = { 0xff, 't', 'O', 'c', 0, 0, 0,
	    2 };
	struct rin *in = xcalloc(1, sizeof(*in));
	unsigned char b[12], sum[SHA1_LEN];
	uint32_t total = 0, nbig = 0;
	struct rec rc;
	int r;

	sha1_init(&w->m);
	r = wput(w, magic, sizeof(magic));
	for (int i = 0; i < 256; i++) {
		total += x->fan[i];
		put_be32(b, total);
		r |= wput(w, b, 4);
	}
	rin_open(in, x->ufd, 0, x->n * sizeof(rc));
	for (uint64_t i = 0; r == 0 && i < x->n; i++)
		r = rin_get(in, &rc, sizeof(rc)) == 1 ? wput(w, rc.id,
		    SHA1_LEN) : -1;
	/* the side file's CRC-32 and 64-bit offset of each: the CRCs, the
	 * small offsets, the large ones, in three reads */
	for (int pass = 0; pass < 3 && r == 0; pass++) {
		rin_open(in, sfd, 0, x->n * 12);
		for (uint64_t i = 0; r == 0 && i < x->n; i++) {
			uint32_t hi;

			if (rin_get(in, b, 12) != 1) {
				r = -1;
				break;
			}
			hi = get_be32(b + 4);
			if (pass == 0)
				r = wput(w, b, 4);
			else if (pass == 1 && !hi && get_be32(b + 8) <
			    0x80000000u)
				r = wput(w, b + 8, 4);
			else if (pass == 1) {
				put_be32(b, 0x80000000u | nbig++);
				r = wput(w, b, 4);
			} else if (hi || get_be32(b + 8) >= 0x80000000u)
				r = wput(w, b + 4, 8);
		}
	}
	free(in);
	if (r == 0)
		r = wput(w, x->sum, SHA1_LEN);
	md_final(&w->m, sum);
	if (r == 0 && (wput(w, sum, SHA1_LEN) < 0 ||
	    sb_spill(w->fd, &w->b, 0) < 0 || fsync_fd(w->fd) < 0))
		r = -1;
	return r ? io_error(x, "write the pack index") : 0;
}

/* Every object of the list read back out of the new pack and hashed. */
static int
verify(struct rp *x, const char *tmpobjects)
{
	static const char *names[] = { NULL, "commit", "tree", "blob", "tag" };
	struct preader *pr = pr_new(tmpobjects);
	struct rin *in = xcalloc(1, sizeof(*in));
	struct rec rc;
	int r = 0, got;

	rin_open(in, x->ufd, 0, x->n * sizeof(rc));
	while (r == 0 && (got = rin_get(in, &rc, sizeof(rc))) == 1) {
		unsigned char *d, sum[SHA1_LEN];
		char hdr[32];
		size_t len;
		int type, hn;
		struct md m;

		if (get(x, pr, rc.id, &d, &len, &type) < 0) {
			r = -1;
			break;
		}
		hn = snprintf(hdr, sizeof(hdr), "%s %zu", type >= COMMIT &&
		    type <= TAG ? names[type] : "?", len);
		sha1_init(&m);
		md_update(&m, hdr, (size_t)hn + 1);
		md_update(&m, d, len);
		md_final(&m, sum);
		free(d);
		if (type != rc.type || memcmp(sum, rc.id, SHA1_LEN))
			r = bad_object(rc.id, "reads back wrong from the new "
			    "pack");
	}
	if (r == 0 && got < 0)
		r = io_error(x, "read the list");
	pr_free(pr);
	free(in);
	return r;
}

/* ---- putting it in place ---- */

/* The packs there before, but NEW and those kept with a .keep. */
static void
drop_packs(struct rp *x, const char *new)
{
	static const char *ext[] = { ".idx", ".pack", ".rev", ".bitmap",
	    ".mtimes", NULL };
	char *dir = path_join(x->objects, "pack");
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		struct sb p = SB_INIT;
		size_t n = strlen(e->d_name);

		if (!str_startswith(e->d_name, "pack-") ||
		    !str_endswith(e->d_name, ".idx") ||
		    str_startswith(e->d_name, new))
			continue;
		sb_addf(&p, "%s/%.*s.keep", dir, (int)(n - 4), e->d_name);
		if (!path_exists(p.buf)) {
			for (int i = 0; ext[i]; i++) {
				sb_reset(&p);
				sb_addf(&p, "%s/%.*s%s", dir, (int)(n - 4),
				    e->d_name, ext[i]);
				unlink(p.buf);
			}
			x->st.packs++;
		}
		sb_release(&p);
	}
	if (d)
		closedir(d);
	/* a multi-pack index would name the packs gone */
	{
		char *m = path_join(dir, "multi-pack-index");

		unlink(m);
		free(m);
	}
	free(dir);
}

/* Every loose object: the new pack has what the history reaches. */
static void
drop_loose(struct rp *x)
{
	for (int i = 0; i < 256; i++) {
		char sub[3];
		struct sb p = SB_INIT;
		DIR *d;
		struct dirent *e;

		snprintf(sub, sizeof(sub), "%02x", i);
		sb_addf(&p, "%s/%s", x->objects, sub);
		if (!(d = opendir(p.buf))) {
			sb_release(&p);
			continue;
		}
		while ((e = readdir(d))) {
			struct sb f = SB_INIT;
			unsigned char rest[SHA1_LEN - 1];

			if (strlen(e->d_name) != 2 * SHA1_LEN - 2 ||
			    hex_decode(e->d_name, sizeof(rest), rest) < 0)
				continue;
			sb_addf(&f, "%s/%s", p.buf, e->d_name);
			if (unlink(f.buf) == 0)
				x->st.loose++;
			sb_release(&f);
		}
		closedir(d);
		rmdir(p.buf);
		sb_release(&p);
	}
}

static int
install(struct rp *x, const char *tmpobjects)
{
	char hex[2 * SHA1_LEN + 1];
	struct sb from = SB_INIT, to = SB_INIT, name = SB_INIT;
	int r = 0;

	hex_encode(x->sum, SHA1_LEN, hex);
	sb_addf(&name, "pack-%s", hex);
	/* the index last: git finds a pack by its index */
	for (int i = 0; r == 0 && i < 2; i++) {
		const char *ext = i ? "idx" : "pack";

		sb_reset(&from);
		sb_reset(&to);
		sb_addf(&from, "%s/pack/%s.%s", tmpobjects, name.buf, ext);
		sb_addf(&to, "%s/pack/%s.%s", x->objects, name.buf, ext);
		if (rename(from.buf, to.buf) < 0)
			r = inbox_error(INBOX_ETEMP, "repack: put %s in "
			    "place:", to.buf);
	}
	if (r == 0)
		r = fsync_dir(to.buf);
	FAULT("repack-installed");
	if (r == 0) {
		char *info = path_join(x->objects, "info");
		char *cg = path_join(info, "commit-graph");
		char *cgs = path_join(info, "commit-graphs");

		drop_packs(x, name.buf);
		FAULT("repack-dropped");
		drop_loose(x);
		/* git's commit-graph may name commits now gone */
		unlink(cg);
		rm_tree(cgs);
		free(info);
		free(cg);
		free(cgs);
	}
	sb_release(&from);
	sb_release(&to);
	sb_release(&name);
	return r;
}

static int
open_tmp(struct rp *x, const char *name, int *fd)
{
	char *p = path_join(x->tmp, name);

	*fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
	free(p);
	return *fd < 0 ? io_error(x, "create a file") : 0;
}

int
repack_full(const char *gitdir, struct repack_stats *out)
{
	struct rp x = { 0 };
	struct wout *w = xcalloc(1, sizeof(*w));
	char *packdir;
	int r, sfd = -1, pfd = -1, ifd = -1;

	x.objects = path_join(gitdir, "objects");
	x.tmp = path_join(x.objects, TMP);
	packdir = path_join(x.tmp, "pack");
	x.lfd = x.ufd = -1;
	rm_tree(x.tmp);		/* of a run cut short */
	r = mkdir_p(packdir) < 0 ? io_error(&x, "make a directory") : 0;
	x.pr = pr_new(x.objects);
	x.run = xmalloc(RUN_BYTES);
	if (r == 0)
		r = open_tmp(&x, "list", &x.lfd);
	if (r == 0)
		r = walk(&x, gitdir);
	free(x.run);
	x.run = NULL;
	free(x.seen);
	x.seen = NULL;
	free(x.q);
	x.q = NULL;
	if (r == 0)
		r = open_tmp(&x, "objects", &x.ufd);
	if (r == 0)
		r = merge(&x);
	if (x.lfd >= 0)
		close(x.lfd);
	if (r == 0)
		r = depths(&x);
	if (r == 0 && (r = open_tmp(&x, "pack/tmp.pack", &pfd)) == 0 &&
	    (r = open_tmp(&x, "side", &sfd)) == 0) {
		w->fd = pfd;
		r = write_pack(&x, w, sfd);
	}
	if (r == 0) {
		char hex[2 * SHA1_LEN + 1];
		struct sb p = SB_INIT, q = SB_INIT;

		hex_encode(x.sum, SHA1_LEN, hex);
		sb_addf(&p, "pack/pack-%s.idx", hex);
		if ((r = open_tmp(&x, p.buf, &ifd)) == 0) {
			w->fd = ifd;
			w->off = 0;
			r = write_index(&x, w, sfd);
		}
		sb_reset(&p);
		sb_addf(&p, "%s/tmp.pack", packdir);
		sb_addf(&q, "%s/pack-%s.pack", packdir, hex);
		if (r == 0 && rename(p.buf, q.buf) < 0)
			r = io_error(&x, "name the pack");
		sb_release(&p);
		sb_release(&q);
	}
	if (r == 0)
		r = verify(&x, x.tmp);
	pr_free(x.pr);		/* its descriptors of the old packs */
	x.pr = NULL;
	FAULT("repack-written");
	if (r == 0)
		r = install(&x, x.tmp);
	if (x.zinit)
		deflateEnd(&x.z);
	for (int *fd = (int[]){ x.ufd, sfd, pfd, ifd, -2 }; *fd != -2; fd++)
		if (*fd >= 0)
			close(*fd);
	rm_tree(x.tmp);
	x.st.objects = r == 0 ? x.n : 0;
	if (out)
		*out = x.st;
	free(packdir);
	free(x.runs);
	free(x.sparse);
	free(x.heads);
	sb_release(&x.zd);
	sb_release(&x.zt);
	sb_release(&x.zw);
	for (int i = 0; i < LIKES; i++)
		free(x.like[i].data);
	free(x.objects);
	free(x.tmp);
	sb_release(&w->b);
	free(w);
	return r;
}
