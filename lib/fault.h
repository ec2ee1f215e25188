/*
 * fault.h - crash injection for the reliability tests.  Built with
 * -DINBOX_FAULT (make FAULT=1), FAULT("name") ends the process at once
 * with _exit(137) when $INBOX_FAULT names that point; otherwise it
 * compiles to nothing.  Points: after-tmp-write, after-fsync,
 * after-rename, after-blob, after-tree, before-ref-update, while-locked,
 * mid-rewrite, before-transport, repack-written, repack-installed,
 * repack-dropped.
 */
#ifndef INBOX_FAULT_H
#define INBOX_FAULT_H

#ifdef INBOX_FAULT
void inbox_fault(const char *point);
#define FAULT(point) inbox_fault(point)
#else
#define FAULT(point) ((void)0)
#endif

#endif
