/* SPDX-License-Identifier: MIT */
/*
 * bytes.c - little-endian integers and u16-length strings of the on-disk
 * records (contract in bytes.h).
 */
#include <errno.h>
#include <string.h>

#include "bucketfs/bytes.h"

unsigned char *bfs_le_put(unsigned char *p, uint64_t v, unsigned size)
{
	unsigned i;

	for (i = 0; i < size; i++)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

uint64_t bfs_le_get(const unsigned char *p, unsigned size)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

unsigned char *bfs_le_put_str(unsigned char *p, const char *s, size_t len)
{
	p = bfs_le_put(p, len, 2);
	memcpy(p, s, len);
	return p + len;
}

int bfs_le_get_str(const unsigned char **p, size_t *n, char *dst, size_t dstsz)
{
	size_t len;

	if (*n < 2)
		return -EIO;
	len = bfs_le_get(*p, 2);
	if (len >= dstsz || len > *n - 2 || memchr(*p + 2, '\0', len))
		return -EIO;
	memcpy(dst, *p + 2, len);
	dst[len] = '\0';
	*p += 2 + len;
	*n -= 2 + len;
	return 0;
}
