/*
 * pack.h - objects written straight into one pack file, for a batch,
 * or loose and cheaply, for any other command (pack.c).  Only repo.c uses it: it is the other module that includes
 * git2.h.
 */
#ifndef INBOX_PACK_H
#define INBOX_PACK_H

#include <stddef.h>
#include <git2.h>

struct pack;

/*
 * Make the objects libgit2 writes into g from now on go into a pack
 * being written under objects/pack (and be read back from it) instead
 * of loose files.  The repository owns it: it ends with g, and what was
 * not finished is thrown away.  -1 with libgit2's error set.
 */
int pack_attach(struct pack **out, git_repository *g);
/*
 * Make the objects libgit2 writes into g from now on loose files written
 * here: small ones stored in their zlib streams, not compressed, and
 * none making libgit2 read objects/pack again.  -1 with libgit2's error
 * set.
 */
int pack_loose(git_repository *g);
/*
 * Finish the pack: its count and checksum, its index, both renamed into
 * place (synced unless fsync_defer() is on), and libgit2 told.  The next
 * object starts a new pack.  -1 with class 75.
 */
int pack_finish(struct pack *p);

#endif
