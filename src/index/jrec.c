/* SPDX-License-Identifier: MIT */
/*
 * jrec.c - the journal record's bytes (layout in jrec.h): encode and a
 * strict decode, so a damaged record is recognised as such and never
 * mistaken for another upload.
 */
#include <errno.h>
#include <string.h>

#include "bucketfs/bytes.h"
#include "bucketfs/crc32c.h"
#include "bucketfs/jrec.h"

static const unsigned char magic[4] = { 'B', 'F', 'S', 'J' };

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
	p = bfs_le_put(p + 4, BFS_JREC_VERSION, 2);
	p = bfs_le_put(p, BFS_JREC_FIXED, 2);
	p = bfs_le_put(p, r->seq, 8);
	p = bfs_le_put(p, r->staged_id, 8);
	p = bfs_le_put(p, r->size, 8);
	p = bfs_le_put(p, r->crc32c, 4);
	p = bfs_le_put(p, r->mode, 4);
	p = bfs_le_put(p, r->uid, 4);
	p = bfs_le_put(p, r->gid, 4);
	p = bfs_le_put(p, (uint64_t)r->mtime_ns, 8);
	p = bfs_le_put(p, r->flags, 4);
	p = bfs_le_put_str(p, r->etag, elen);
	p = bfs_le_put_str(p, r->path, plen);
	bfs_le_put(p, bfs_crc32c(0, buf, need - 4), 4);
	*len = need;
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
	if (bfs_le_get(p + n, 4) != bfs_crc32c(0, p, n))
		return -EIO;
	version = (unsigned)bfs_le_get(p + 4, 2);
	flen = bfs_le_get(p + 6, 2);
	if (!version || flen < BFS_JREC_FIXED || flen > n - 8)
		return -EIO;
	memset(r, 0, sizeof(*r));
	p += 8;
	r->seq = bfs_le_get(p, 8);
	r->staged_id = bfs_le_get(p + 8, 8);
	r->size = bfs_le_get(p + 16, 8);
	r->crc32c = (uint32_t)bfs_le_get(p + 24, 4);
	r->mode = (uint32_t)bfs_le_get(p + 28, 4);
	r->uid = (uint32_t)bfs_le_get(p + 32, 4);
	r->gid = (uint32_t)bfs_le_get(p + 36, 4);
	r->mtime_ns = (int64_t)bfs_le_get(p + 40, 8);
	r->flags = (uint32_t)bfs_le_get(p + 48, 4);
	p += flen; /* fixed fields of a newer version: skipped */
	n -= 8 + flen;
	if (bfs_le_get_str(&p, &n, r->etag, sizeof(r->etag)) ||
	    bfs_le_get_str(&p, &n, r->path, sizeof(r->path)))
		return -EIO;
	if (n && version <= BFS_JREC_VERSION)
		return -EIO; /* bytes no version of ours writes */
	return r->path[0] == '/' && r->staged_id ? 0 : -EIO;
}
