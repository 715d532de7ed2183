/* SPDX-License-Identifier: MIT */
/*
 * range.h - the byte range of a GET: what an answer to a ranged request
 * must say (RFC 9110, 14.4 and 15.3.7) before its body is taken.
 *
 * A ranged GET (bytes=OFF-END, or bytes=OFF-) must be answered 206 with a
 * Content-Range of exactly that range (its end clipped to the object's
 * last byte) and a total consistent with it, or 200 with the whole object
 * when that is what was asked (OFF 0, and the range covered the whole
 * object).  Anything else (a server, proxy or CDN that ignores Range and
 * sends the whole object from byte 0, a 206 for other bytes or fewer than
 * asked) would put wrong bytes at the wrong offsets: refused.  Pure
 * functions, no I/O and no allocation: unit-tested (test_range.c).
 */
#ifndef BUCKETFS_RANGE_H
#define BUCKETFS_RANGE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse a Content-Range value "bytes START-END/TOTAL" (no blanks but the
 * one after "bytes", decimal, START <= END < TOTAL; "*" for TOTAL is not
 * accepted: the object's size must be known).  Returns 0 or -EINVAL.
 */
int bfs_content_range_parse(const char *s, uint64_t *start, uint64_t *end, uint64_t *total);

/* What an accepted answer carries. */
struct bfs_range_ans {
	uint64_t len;	/* bytes its body must have */
	uint64_t total; /* the whole object's size (UINT64_MAX: not known, a
			 * 200 without Content-Length to a plain GET) */
};

/*
 * Check a 2xx answer to a GET for bytes off..off+len-1 (len 0: to the end;
 * off 0 and len 0: no Range was sent) against its status, Content-Range
 * (NULL when absent) and Content-Length (-1 when absent).  Returns 0 and
 * fills *ans, or BFS_E_PROTO with why (whysz bytes) saying what is wrong
 * ("the server ignored the Range: ...", "the server garbled the Range: ...").
 * A 2xx other than 200 and 206 is left to the caller (0, ans from its
 * Content-Length).
 */
int bfs_range_check(uint64_t off, uint64_t len, long status, const char *content_range,
		    int64_t content_length, struct bfs_range_ans *ans, char *why, size_t whysz);

#endif
