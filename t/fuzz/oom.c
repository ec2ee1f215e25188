/*
 * oom.c - linked into every fuzz target: out of memory (lib/util.h) is a
 * finding for libFuzzer, so stop where it happened.
 */
#include <stdlib.h>

#include "util.h"

void
inbox_oom(void)
{
	abort();
}
