/*
 * repack.h - every object the store's history reaches packed again into
 * one pack, in memory that does not grow with the store (repack.c):
 * inbox-maint --full.
 */
#ifndef INBOX_REPACK_H
#define INBOX_REPACK_H

#include <stdint.h>

struct repack_stats {
	uint64_t objects;	/* in the new pack */
	uint64_t deltas;	/* of them, stored as deltas */
	uint64_t reused;	/* of them, copied as an old pack had them */
	uint64_t commits;	/* walked */
	uint64_t packs;		/* old packs removed */
	uint64_t loose;		/* loose objects removed */
};

/*
 * Repack the repository whose git directory is GITDIR: what its refs,
 * HEAD and reflogs reach goes into one new pack, checked object by
 * object, and only then are the other packs (but those with a .keep)
 * and every loose object removed.  The caller holds the store's lock.
 * 0, or -1 with the error set (2 for a store missing an object, 75 for
 * a failed write) and nothing changed.
 */
int repack_full(const char *gitdir, struct repack_stats *out);

#endif
