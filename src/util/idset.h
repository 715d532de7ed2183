/* SPDX-License-Identifier: MIT */
/*
 * idset.h - a set of data file ids (non-zero uint64), open addressing with
 * linear probing, grown at 50% load.  Not thread-safe: callers lock.
 * Internal to the filesystem modules.
 */
#ifndef BUCKETFS_IDSET_H
#define BUCKETFS_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct idset {
	uint64_t *slots; /* 0 = empty */
	size_t cap;	 /* a power of two, or 0 */
	size_t len;
};

#define IDSET_INIT                                                                                 \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Add id (0 is ignored).  Returns 0 or -ENOMEM (the set is unchanged). */
int idset_add(struct idset *s, uint64_t id);
/* 1 when id is in the set. */
int idset_has(const struct idset *s, uint64_t id);
/* Empty the set, keeping its table. */
void idset_clear(struct idset *s);
void idset_free(struct idset *s);

#endif
