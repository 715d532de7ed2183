/* SPDX-License-Identifier: MIT */
/* pathttl.c - facts about paths that hold for a short while (see pathttl.h). */
#include <string.h>

#include "bucketfs/hash.h"
#include "util/pathttl.h"

/* FNV-1a over the path, then a 64-bit finaliser (so that the low bits that
 * pick the slot depend on every byte); never 0, which marks a free slot. */
uint64_t pathttl_hash(const char *s)
{
	uint64_t h = bfs_fnv1a64(s, BFS_FNV64_INIT);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h ? h : 1;
}

void pathttl_init(struct pathttl *n)
{
	memset(n->hash, 0, sizeof(n->hash));
	memset(n->until, 0, sizeof(n->until));
	pthread_mutex_init(&n->mu, NULL);
}

void pathttl_destroy(struct pathttl *n)
{
	pthread_mutex_destroy(&n->mu);
}

void pathttl_put(struct pathttl *n, const char *path, int64_t until_ns)
{
	uint64_t h = pathttl_hash(path);
	size_t i = (size_t)(h & (PATHTTL_SLOTS - 1));

	pthread_mutex_lock(&n->mu);
	n->hash[i] = h;
	n->until[i] = until_ns;
	pthread_mutex_unlock(&n->mu);
}

int pathttl_has(struct pathttl *n, const char *path, int64_t now_ns)
{
	uint64_t h = pathttl_hash(path);
	size_t i = (size_t)(h & (PATHTTL_SLOTS - 1));
	int r;

	pthread_mutex_lock(&n->mu);
	r = n->hash[i] == h && now_ns < n->until[i];
	pthread_mutex_unlock(&n->mu);
	return r;
}

void pathttl_forget(struct pathttl *n, const char *path)
{
	uint64_t h = pathttl_hash(path);
	size_t i = (size_t)(h & (PATHTTL_SLOTS - 1));

	pthread_mutex_lock(&n->mu);
	if (n->hash[i] == h)
		n->hash[i] = 0;
	pthread_mutex_unlock(&n->mu);
}
