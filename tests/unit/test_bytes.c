/* SPDX-License-Identifier: MIT */
/* test_bytes.c - the records' primitives: little-endian integers of each
 * size, and u16-length strings read back only when they fit what is left
 * and the destination, hold no NUL, and leave nothing advanced when not. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "bucketfs/bytes.h"
#include "check.h"

int main(void)
{
	unsigned char buf[64], *p;
	const unsigned char *q;
	char dst[8], dst9[9];
	size_t n;

	p = bfs_le_put(buf, 0x0102030405060708ULL, 8);
	CHECK(p == buf + 8);
	CHECK_INT(buf[0], 0x08);
	CHECK_INT(buf[7], 0x01);
	CHECK(bfs_le_get(buf, 8) == 0x0102030405060708ULL);
	CHECK_INT(bfs_le_get(buf, 2), 0x0708);
	p = bfs_le_put(buf, 0xabcdef, 2); /* the low bytes only */
	CHECK_INT(bfs_le_get(buf, 2), 0xcdef);
	CHECK_INT(buf[2], 0x06); /* the next byte untouched */
	CHECK(bfs_le_get(buf, 0) == 0);

	/* two strings, read back */
	p = bfs_le_put_str(buf, "etag", 4);
	CHECK(p == buf + 6);
	p = bfs_le_put_str(p, "", 0);
	q = buf;
	n = (size_t)(p - buf);
	CHECK_INT(bfs_le_get_str(&q, &n, dst, sizeof(dst)), 0);
	CHECK_STR(dst, "etag");
	CHECK_INT(n, 2);
	CHECK_INT(bfs_le_get_str(&q, &n, dst, sizeof(dst)), 0);
	CHECK_STR(dst, "");
	CHECK_INT(n, 0);
	CHECK_INT(bfs_le_get_str(&q, &n, dst, sizeof(dst)), -EIO); /* nothing left */

	/* a length past the bytes left: refused, nothing advanced */
	bfs_le_put_str(buf, "abcdef", 6);
	q = buf;
	n = 7;
	CHECK_INT(bfs_le_get_str(&q, &n, dst, sizeof(dst)), -EIO);
	CHECK(q == buf);
	CHECK_INT(n, 7);
	n = 1;
	CHECK_INT(bfs_le_get_str(&q, &n, dst, sizeof(dst)), -EIO); /* no room for the length */
	/* one that does not fit dst with its NUL */
	bfs_le_put_str(buf, "12345678", 8);
	q = buf;
	n = 10;
	CHECK_INT(bfs_le_get_str(&q, &n, dst, sizeof(dst)), -EIO);
	CHECK_INT(bfs_le_get_str(&q, &n, dst9, sizeof(dst9)), 0);
	CHECK_STR(dst9, "12345678");
	/* a NUL inside */
	memcpy(buf,
	       "\x03\x00"
	       "a\0b",
	       5);
	q = buf;
	n = 5;
	CHECK_INT(bfs_le_get_str(&q, &n, dst, sizeof(dst)), -EIO);
	return check_done("test_bytes");
}
