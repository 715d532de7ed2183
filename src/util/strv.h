/* SPDX-License-Identifier: MIT */
/*
 * strv.h - a growable array of owned strings, filled in order (a key's
 * directories, the subdirectories of a listing), and the growth step it
 * uses, for arrays of any element.  Not thread-safe.  Internal to the
 * filesystem modules.
 */
#ifndef BUCKETFS_STRV_H
#define BUCKETFS_STRV_H

#include <stddef.h>

struct strv {
	char **v; /* v[0..n), each owned */
	size_t n, alloc;
};

#define STRV_INIT                                                                                  \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/*
 * arr (n elements used of *alloc, each size bytes) with room for one more:
 * arr itself, or arr moved into a larger block (*alloc updated), or NULL
 * when that cannot be had (arr is then left as it was).
 */
void *bfs_grow(void *arr, size_t n, size_t *alloc, size_t size);

/* Append a copy of the first len bytes of s, unless the last string is
 * the same (strings come in order).  0 or -ENOMEM (s is then unchanged). */
int strv_add(struct strv *s, const char *str, size_t len);
/* 1 when str is among the strings. */
int strv_has(const struct strv *s, const char *str);
void strv_free(struct strv *s);

#endif
