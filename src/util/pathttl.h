/* SPDX-License-Identifier: MIT */
/*
 * pathttl.h - facts about paths that hold for a short while, kept in
 * memory instead of in the index (where each would cost a write
 * transaction and its fsync, for a fact that need not survive a restart):
 * names recently found missing (the negative window), directories just
 * proven to exist by an upload below them.  A fixed table of PATHTTL_SLOTS
 * slots indexed by a 64-bit hash of the path, each with its expiry: a new
 * fact takes the slot of whatever was there, so the table forgets early,
 * never late.  What callers do with a fact is theirs to say (fs_int.h).
 * Thread-safe (one mutex, a leaf lock).  Internal to the filesystem
 * modules.
 */
#ifndef BUCKETFS_PATHTTL_H
#define BUCKETFS_PATHTTL_H

#include <pthread.h>
#include <stdint.h>

#define PATHTTL_SLOTS 4096

struct pathttl {
	pthread_mutex_t mu;
	uint64_t hash[PATHTTL_SLOTS]; /* 0 = empty */
	int64_t until[PATHTTL_SLOTS]; /* ns, the clock of the callers' choice */
};

void pathttl_init(struct pathttl *n);
void pathttl_destroy(struct pathttl *n);
/* The table's fact holds for path until until_ns. */
void pathttl_put(struct pathttl *n, const char *path, int64_t until_ns);
/* 1 when the fact was put for path and now_ns is before its expiry. */
int pathttl_has(struct pathttl *n, const char *path, int64_t now_ns);
/* The fact no longer holds for path. */
void pathttl_forget(struct pathttl *n, const char *path);
/* The 64-bit hash of path the table uses (never 0). */
uint64_t pathttl_hash(const char *path);

#endif
