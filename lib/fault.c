/*
 * fault.c - crash injection points (compiled in with -DINBOX_FAULT).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

#ifdef INBOX_FAULT
void
inbox_fault(const char *point)
{
	const char *e = getenv("INBOX_FAULT");
	size_t n = strlen(point);

	/* $INBOX_FAULT is "point" or "point:N" (the Nth time it is hit) */
	if (!e || strncmp(e, point, n) != 0 || (e[n] && e[n] != ':'))
		return;
	if (e[n] == ':') {
		static int hits;

		if (++hits < atoi(e + n + 1))
			return;
	}
	_exit(137);
}
#else
typedef int fault_unused;
#endif
