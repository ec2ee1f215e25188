/*
 * packread.h - objects read out of git's packs with pread(2) and a small
 * cache of delta bases (packread.c), for pack.c and repack.c.
 */
#ifndef INBOX_PACKREAD_H
#define INBOX_PACKREAD_H

#include <stddef.h>
#include <stdint.h>
#include <git2.h>

struct preader;

/* The packs of the objects directory DIR/pack, found when first asked. */
struct preader *pr_new(const char *objects);
void pr_free(struct preader *r);
/* Look for packs made or removed since: at the next read, not now. */
void pr_refresh(struct preader *r);

/*
 * Object ID: its bytes into *out (allocated for backend be, which frees
 * it; with malloc() when be is NULL), NUL-terminated past *len, and its
 * type.  GIT_ENOTFOUND when no pack has it; -1 with libgit2's error set
 * when a pack cannot be read or is corrupt.
 */
int pr_read(struct preader *r, const git_oid *id, git_odb_backend *be,
    void **out, size_t *len, git_object_t *type);
/*
 * How a pack keeps the object the last pr_read() read (out of the pack
 * or of the cache): the entry's type (1 to 4 whole, 6 or 7 a delta), the
 * size in its header, a REF_DELTA's base, and its zlib stream, len bytes
 * at off of the pack open on fd, inflated to its end and checked when it
 * was read, to be copied into another pack as it is.  Valid until the
 * next call on r; 0, or -1 when there is none.
 */
struct pr_entry {
	int type;
	uint64_t size;
	git_oid base;
	int fd;
	uint64_t off, len;
};
int pr_last_entry(const struct preader *r, struct pr_entry *e);
/* Its size and type only; the same returns. */
int pr_header(struct preader *r, const git_oid *id, size_t *len,
    git_object_t *type);
/* 1 when a pack has it, 0 when none does, -1 as above. */
int pr_exists(struct preader *r, const git_oid *id);

/*
 * A pack entry's header: its type (1 to 4, or 6 and 7 for deltas) and
 * size into h, at most 16 bytes; its length.
 */
size_t pr_put_header(unsigned char *h, int type, uint64_t size);
/* The same read out of n bytes at h: its length, 0 when it is cut short. */
size_t pr_get_header(const unsigned char *h, size_t n, int *type,
    uint64_t *size);

#endif
