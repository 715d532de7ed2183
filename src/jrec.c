/* SPDX-License-Identifier: MIT */
/*
 * jrec.c - the journal record's bytes (layout in jrec.h): encode and a
 * strict decode, so a damaged record is recognised as such and never
 * mistaken for another upload.
 */
#include <errno.h>
#include <string.h>

#include "bucketfs/crc32c.h"
#include "bucketfs/jrec.h"

static const unsigned char magic[4] = {'B', 'F', 'S', 'J'};

static unsigned char *put_le(unsigned char *p, uint64_t v, unsigned size)
{
	unsigned i;

	for (i = 0; i < size; i++)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

static uint64_t get_le(const unsigned char *p, unsigned size)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int bfs_jrec_encode(const struct bfs_jrec *r, void *buf, size_t bufsz, size_t *len)
{
	size_t elen = strnlen(r->etag, sizeof(r->etag));
	size_t plen = strnlen(r->path, sizeof(r->path));
	unsigned char *p = buf;
	size_t need;

	if (elen == sizeof(r->etag) || plen == sizeof(r->path) || r->path[0] != '/' ||
	    !r->staged_id)
		return -EINVAL;
	need = 8 + BFS_JREC_FIXED + 2 + elen + 2 + plen + 4;
	if (need > bufsz)
		return -ERANGE;
	memcpy(p, magic, 4);
	p = put_le(p + 4, BFS_JREC_VERSION, 2);
	p = put_le(p, BFS_JREC_FIXED, 2);
	p = put_le(p, r->seq, 8);
	p = put_le(p, r->staged_id, 8);
	p = put_le(p, r->size, 8);
	p = put_le(p, r->crc32c, 4);
	p = put_le(p, r->mode, 4);
	p = put_le(p, r->uid, 4);
	p = put_le(p, r->gid, 4);
	p = put_le(p, (uint64_t)r->mtime_ns, 8);
	p = put_le(p, r->flags, 4);
	p = put_le(p, elen, 2);
	memcpy(p, r->etag, elen);
	p = put_le(p + elen, plen, 2);
	memcpy(p, r->path, plen);
	p += plen;
	put_le(p, bfs_crc32c(0, buf, need - 4), 4);
	*len = need;
	return 0;
}

/* One u16-length string at *p (of the *n bytes left) into dst. */
static int get_string(const unsigned char **p, size_t *n, char *dst, size_t dstsz)
{
	size_t len;

	if (*n < 2)
		return -EIO;
	len = get_le(*p, 2);
	if (len >= dstsz || len > *n - 2 || memchr(*p + 2, '\0', len))
		return -EIO;
	memcpy(dst, *p + 2, len);
	dst[len] = '\0';
	*p += 2 + len;
	*n -= 2 + len;
	return 0;
}

int bfs_jrec_decode(const void *buf, size_t n, struct bfs_jrec *r)
{
	const unsigned char *p = buf;
	size_t flen;
	unsigned version;

	if (n < 8 + BFS_JREC_FIXED + 2 + 2 + 4 || memcmp(p, magic, 4))
		return -EIO;
	n -= 4; /* the final CRC */
	if (get_le(p + n, 4) != bfs_crc32c(0, p, n))
		return -EIO;
	version = (unsigned)get_le(p + 4, 2);
	flen = get_le(p + 6, 2);
	if (!version || flen < BFS_JREC_FIXED || flen > n - 8)
		return -EIO;
	memset(r, 0, sizeof(*r));
	p += 8;
	r->seq = get_le(p, 8);
	r->staged_id = get_le(p + 8, 8);
	r->size = get_le(p + 16, 8);
	r->crc32c = (uint32_t)get_le(p + 24, 4);
	r->mode = (uint32_t)get_le(p + 28, 4);
	r->uid = (uint32_t)get_le(p + 32, 4);
	r->gid = (uint32_t)get_le(p + 36, 4);
	r->mtime_ns = (int64_t)get_le(p + 40, 8);
	r->flags = (uint32_t)get_le(p + 48, 4);
	p += flen; /* fixed fields of a newer version: skipped */
	n -= 8 + flen;
	if (get_string(&p, &n, r->etag, sizeof(r->etag)) ||
	    get_string(&p, &n, r->path, sizeof(r->path)))
		return -EIO;
	if (n && version <= BFS_JREC_VERSION)
		return -EIO; /* bytes no version of ours writes */
	return r->path[0] == '/' && r->staged_id ? 0 : -EIO;
}
