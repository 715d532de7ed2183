/* SPDX-License-Identifier: MIT */
/*
 * buf.h - bounded, growable byte buffers.
 *
 * Everything that comes off the network, and every string we build, goes into
 * a struct bfs_buf with a cap chosen by its user.  Going past the cap is an
 * error (-EMSGSIZE), never an unbounded allocation.  The content is always
 * NUL-terminated (the NUL is not counted in len), so text can be used as a C
 * string directly.
 *
 * Ownership: the buffer owns data; bfs_buf_release() frees it.  Not
 * thread-safe: one owner at a time.
 */
#ifndef BUCKETFS_BUF_H
#define BUCKETFS_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct bfs_buf {
	char *data;   /* NULL until the first append; then NUL-terminated */
	size_t len;   /* bytes used, without the terminating NUL */
	size_t alloc; /* bytes allocated */
	size_t max;   /* cap on len */
};

#define BFS_BUF_INIT(cap)                                                                          \
	{                                                                                          \
		NULL, 0, 0, (cap)                                                                  \
	}

/* Set up an empty buffer that may hold up to max bytes. */
void bfs_buf_init(struct bfs_buf *b, size_t max);

/* Free the storage; b is empty (and reusable) afterwards. */
void bfs_buf_release(struct bfs_buf *b);

/* Forget the content but keep the storage. */
void bfs_buf_reset(struct bfs_buf *b);

/*
 * Append n bytes / a C string / a formatted string.
 * Return 0, -EMSGSIZE when the result would exceed the cap (b unchanged),
 * or -ENOMEM.
 */
__attribute__((warn_unused_result)) int bfs_buf_add(struct bfs_buf *b, const void *p, size_t n);
__attribute__((warn_unused_result)) int bfs_buf_adds(struct bfs_buf *b, const char *s);
__attribute__((warn_unused_result, format(printf, 2, 3))) int bfs_buf_addf(struct bfs_buf *b,
									   const char *fmt, ...);
__attribute__((warn_unused_result, format(printf, 2, 0))) int
bfs_buf_vaddf(struct bfs_buf *b, const char *fmt, va_list ap);

/* Cut the content back to len bytes (len <= b->len), e.g. to undo appends. */
void bfs_buf_truncate(struct bfs_buf *b, size_t len);

/* The content as a C string: "" for an empty buffer, never NULL. */
const char *bfs_buf_str(const struct bfs_buf *b);

/*
 * Hand the storage to the caller (who frees it with free()); b becomes
 * empty.  Returns a malloc'd "" for an empty buffer, NULL only on ENOMEM.
 */
char *bfs_buf_detach(struct bfs_buf *b);

#endif
