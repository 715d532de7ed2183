/* SPDX-License-Identifier: MIT */
/* test_hash.c - FNV-1a against the published test vectors (the default
 * cache directory's name depends on these values: they must not move),
 * chaining, and NULL as "". */
#include <stdint.h>

#include "bucketfs/hash.h"
#include "check.h"

int main(void)
{
	CHECK(bfs_fnv1a32("", BFS_FNV32_INIT) == 0x811c9dc5u);
	CHECK(bfs_fnv1a32("a", BFS_FNV32_INIT) == 0xe40c292cu);
	CHECK(bfs_fnv1a32("foobar", BFS_FNV32_INIT) == 0xbf9cf968u);
	CHECK(bfs_fnv1a64("", BFS_FNV64_INIT) == 0xcbf29ce484222325ULL);
	CHECK(bfs_fnv1a64("a", BFS_FNV64_INIT) == 0xaf63dc4c8601ec8cULL);
	CHECK(bfs_fnv1a64("foobar", BFS_FNV64_INIT) == 0x85944171f73967e8ULL);
	/* chained: the same as the concatenation; NULL adds nothing */
	CHECK(bfs_fnv1a32("bar", bfs_fnv1a32("foo", BFS_FNV32_INIT)) ==
	      bfs_fnv1a32("foobar", BFS_FNV32_INIT));
	CHECK(bfs_fnv1a32(NULL, 12345u) == 12345u);
	CHECK(bfs_fnv1a64(NULL, 7) == 7);
	return check_done("test_hash");
}
