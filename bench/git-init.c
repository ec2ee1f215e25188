/*
 * git-init - the per-process floor of a libgit2 command: with an argument
 * it calls git_libgit2_init() and git_libgit2_shutdown() and nothing else;
 * without one it only exits, linked the same way.  bench/run times both.
 */
#include <git2.h>

int
main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		git_libgit2_init();
		git_libgit2_shutdown();
	}
	return 0;
}
