/* SPDX-License-Identifier: MIT */
/*
 * hash.h - FNV-1a over a NUL-terminated string, the one hash of names in
 * bucketfs (the open-file table, the path windows, the hidden-key set, the
 * default cache directory's name).  Not for anything an attacker chooses
 * to collide with consequences beyond a slower lookup.
 *
 * Chain calls to hash several strings: h = bfs_fnv1a32(b, bfs_fnv1a32(a,
 * BFS_FNV32_INIT)).  NULL hashes as "".  The values are part of the
 * on-disk layout where they name a directory: never change them.
 */
#ifndef BUCKETFS_HASH_H
#define BUCKETFS_HASH_H

#include <stdint.h>

#define BFS_FNV32_INIT 2166136261u
#define BFS_FNV64_INIT 14695981039346656037ULL

static inline uint32_t bfs_fnv1a32(const char *s, uint32_t h)
{
	while (s && *s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static inline uint64_t bfs_fnv1a64(const char *s, uint64_t h)
{
	while (s && *s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

#endif
