/* SPDX-License-Identifier: MIT */
/*
 * negcache.h - paths recently found missing in the bucket, kept in memory
 * for the negative window instead of in the index (where each would cost a
 * write transaction and its fsync, for a fact that need not survive a
 * restart).  A fixed table of NEGCACHE_SLOTS slots indexed by a 64-bit hash
 * of the path, each with its expiry: a new absence takes the slot of
 * whatever was there, so the table forgets early, never late.  Callers
 * consult it only where the index knows nothing of a path (or only an
 * expired absence): whatever the index says of a path wins.  Thread-safe
 * (one mutex, a leaf lock).  Internal to the filesystem modules.
 */
#ifndef BUCKETFS_NEGCACHE_H
#define BUCKETFS_NEGCACHE_H

#include <pthread.h>
#include <stdint.h>

#define NEGCACHE_SLOTS 4096

struct negcache {
	pthread_mutex_t mu;
	uint64_t hash[NEGCACHE_SLOTS];  /* 0 = empty */
	int64_t until[NEGCACHE_SLOTS];  /* ns, the clock of the callers' choice */
};

void negcache_init(struct negcache *n);
void negcache_destroy(struct negcache *n);
/* path is missing until until_ns. */
void negcache_put(struct negcache *n, const char *path, int64_t until_ns);
/* 1 when path was found missing and now_ns is before its expiry. */
int negcache_has(struct negcache *n, const char *path, int64_t now_ns);
/* path may exist: forget its absence. */
void negcache_forget(struct negcache *n, const char *path);

#endif
