/* SPDX-License-Identifier: MIT */
/* negcache.c - paths recently found missing (see negcache.h). */
#include <string.h>

#include "negcache.h"

/* FNV-1a over the path, then a 64-bit finaliser (so that the low bits that
 * pick the slot depend on every byte); never 0, which marks a free slot. */
static uint64_t path_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h ? h : 1;
}

void negcache_init(struct negcache *n)
{
	memset(n->hash, 0, sizeof(n->hash));
	memset(n->until, 0, sizeof(n->until));
	pthread_mutex_init(&n->mu, NULL);
}

void negcache_destroy(struct negcache *n)
{
	pthread_mutex_destroy(&n->mu);
}

void negcache_put(struct negcache *n, const char *path, int64_t until_ns)
{
	uint64_t h = path_hash(path);
	size_t i = (size_t)(h & (NEGCACHE_SLOTS - 1));

	pthread_mutex_lock(&n->mu);
	n->hash[i] = h;
	n->until[i] = until_ns;
	pthread_mutex_unlock(&n->mu);
}

int negcache_has(struct negcache *n, const char *path, int64_t now_ns)
{
	uint64_t h = path_hash(path);
	size_t i = (size_t)(h & (NEGCACHE_SLOTS - 1));
	int r;

	pthread_mutex_lock(&n->mu);
	r = n->hash[i] == h && now_ns < n->until[i];
	pthread_mutex_unlock(&n->mu);
	return r;
}

void negcache_forget(struct negcache *n, const char *path)
{
	uint64_t h = path_hash(path);
	size_t i = (size_t)(h & (NEGCACHE_SLOTS - 1));

	pthread_mutex_lock(&n->mu);
	if (n->hash[i] == h)
		n->hash[i] = 0;
	pthread_mutex_unlock(&n->mu);
}
