/* SPDX-License-Identifier: MIT */
/*
 * index_codec.c - LMDB keys from mount paths and the versioned entry record
 * (layout in index_codec.h).  No LMDB here: these functions only turn
 * paths and structs into bytes and back, so the unit test can fuzz them.
 *
 * The fixed part of a record is described once, by the table fields[]
 * (offset in struct bfs_entry and width), which drives both the encoder and
 * the decoder; a new fixed field is one line at the end of the table.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "bucketfs/bytes.h"
#include "index/index_codec.h"

struct rec_field {
	unsigned short off; /* offsetof in struct bfs_entry */
	unsigned char size; /* 2, 4 or 8 bytes, same in the struct and on disk */
};

#define S(m) sizeof(((struct bfs_entry *)0)->m)
#define F(m)                                                                                       \
	{                                                                                          \
		offsetof(struct bfs_entry, m), S(m)                                                \
	}
static const struct rec_field fields[] = {
	F(type),
	F(state),
	F(flags),
	F(mode),
	F(uid),
	F(gid),
	F(size),
	F(mtime_ns),
	F(data_id),
	F(staged_id),
	F(validated_ns),
	F(listed_ns),
	F(atime_ns),
	F(cached_bytes),
	F(upload_attempts),
	F(upload_error),
	F(upload_after_ns), /* version 2 */
	F(lastmod_s),	    /* version 3 */
	F(crc_bytes),
	F(crc32c),  /* version 4 */
	F(seen_ns), /* version 5 */
	F(ctime_ns),
	F(atime_set_ns),
	F(dirchg_ns), /* version 6 */
	F(rdev),      /* version 7 */
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* The on-disk widths are the struct's: changing a member's type changes the format. */
_Static_assert(S(type) + S(state) + S(flags) + S(mode) + S(uid) + S(gid) + S(size) + S(mtime_ns) +
		       S(data_id) + S(staged_id) + S(validated_ns) + S(listed_ns) + S(atime_ns) +
		       S(cached_bytes) + S(upload_attempts) + S(upload_error) + S(upload_after_ns) +
		       S(lastmod_s) + S(crc_bytes) + S(crc32c) + S(seen_ns) + S(ctime_ns) +
		       S(atime_set_ns) + S(dirchg_ns) + S(rdev) ==
		   INDEX_REC_FIXED,
	       "the fixed part of a version-7 record is 160 bytes");
#undef F
#undef S

_Static_assert(BFS_ENTRY_ETAG_MAX <= 0x10000 && BFS_ENTRY_LINK_MAX <= 0x10000,
	       "etag and link lengths are stored as u16");
_Static_assert(offsetof(struct bfs_entry, state) == 2, "index_rec_state() expects type, state");

void bfs_entry_init(struct bfs_entry *e)
{
	memset(e, 0, sizeof(*e));
}

/* ---- keys ---- */

/*
 * Check that path is absolute, has no empty, "." or ".." component and no
 * trailing slash (except "/" itself), and that no component is longer than
 * INDEX_NAME_MAX.  Sets *len to its length and *last to the index of its
 * last '/'.
 */
static int path_check(const char *path, size_t *len, size_t *last)
{
	size_t n, i, start = 1;

	if (path[0] != '/')
		return -EINVAL;
	n = strnlen(path, BFS_INDEX_PATH_MAX + 1);
	if (n > BFS_INDEX_PATH_MAX)
		return -ENAMETOOLONG;
	*len = n;
	*last = 0;
	if (n == 1)
		return 0;
	for (i = 1; i <= n; i++) {
		size_t clen = i - start;

		if (path[i] != '/' && path[i] != '\0')
			continue;
		if (clen == 0)
			return -EINVAL; /* "//" or a trailing '/' */
		if (clen > INDEX_NAME_MAX)
			return -ENAMETOOLONG;
		if (path[start] == '.' && (clen == 1 || (clen == 2 && path[start + 1] == '.')))
			return -EINVAL;
		if (path[i] == '/')
			*last = i;
		start = i + 1;
	}
	return 0;
}

int bfs_index_key(const char *path, char *key, size_t keysz, size_t *keylen)
{
	size_t n, last, klen;
	int rc = path_check(path, &n, &last);

	if (rc)
		return rc;
	/* "/" -> "\0"; "/a" -> "/" "\0" "a"; "/a/b" -> "/a" "\0" "b" */
	klen = n == 1 ? 1 : last == 0 ? n + 1 : n;
	if (klen > INDEX_KEY_MAX)
		return -ENAMETOOLONG;
	if (klen > keysz)
		return -ERANGE;
	if (n == 1) {
		key[0] = '\0';
	} else if (last == 0) {
		key[0] = '/';
		key[1] = '\0';
		memcpy(key + 2, path + 1, n - 1);
	} else {
		memcpy(key, path, n);
		key[last] = '\0';
	}
	*keylen = klen;
	return 0;
}

int index_dir_prefix(const char *dir, char *buf, size_t bufsz, size_t *len)
{
	size_t n, last;
	int rc = path_check(dir, &n, &last);

	if (rc)
		return rc;
	if (n + 2 > INDEX_KEY_MAX) /* dir "\0" plus a one-byte name */
		return -ENAMETOOLONG;
	if (n + 1 > bufsz)
		return -ERANGE;
	memcpy(buf, dir, n);
	buf[n] = '\0';
	*len = n + 1;
	return 0;
}

int index_key_path(const char *k, size_t klen, char *buf, size_t bufsz)
{
	const char *z = memchr(k, '\0', klen);
	size_t plen, nlen, out;

	if (!z)
		return -EIO;
	plen = (size_t)(z - k);
	nlen = klen - plen - 1;
	if (plen == 0) { /* only the root has an empty parent */
		if (nlen != 0 || bufsz < 2)
			return nlen ? -EIO : -ERANGE;
		buf[0] = '/';
		buf[1] = '\0';
		return 0;
	}
	if (k[0] != '/' || nlen == 0 || memchr(z + 1, '\0', nlen) || memchr(z + 1, '/', nlen))
		return -EIO;
	if (plen == 1)
		plen = 0; /* the root's children: "/" + name, not "//" + name */
	out = plen + 1 + nlen;
	if (out + 1 > bufsz)
		return -ERANGE;
	memcpy(buf, k, plen);
	buf[plen] = '/';
	memcpy(buf + plen + 1, z + 1, nlen);
	buf[out] = '\0';
	return 0;
}

/* ---- records ---- */

/* The struct member at f as a uint64_t (signed ones keep their bits). */
static uint64_t field_load(const struct bfs_entry *e, const struct rec_field *f)
{
	const char *m = (const char *)e + f->off;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (f->size) {
	case 2:
		memcpy(&v16, m, 2);
		return v16;
	case 4:
		memcpy(&v32, m, 4);
		return v32;
	default:
		memcpy(&v64, m, 8);
		return v64;
	}
}

static void field_store(struct bfs_entry *e, const struct rec_field *f, uint64_t v)
{
	char *m = (char *)e + f->off;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (f->size) {
	case 2:
		memcpy(m, &v16, 2);
		break;
	case 4:
		memcpy(m, &v32, 4);
		break;
	default:
		memcpy(m, &v, 8);
		break;
	}
}

static int entry_valid(const struct bfs_entry *e)
{
	return e->type <= BFS_ENT_LINK && e->state <= BFS_ST_NEGATIVE;
}

int index_rec_encode(const struct bfs_entry *e, void *buf, size_t bufsz, size_t *len)
{
	unsigned char *p = buf;
	size_t elen = strnlen(e->etag, sizeof(e->etag));
	size_t llen = strnlen(e->link, sizeof(e->link));
	size_t i, need;

	if (!entry_valid(e) || elen == sizeof(e->etag) || llen == sizeof(e->link))
		return -EINVAL;
	need = INDEX_REC_HEADER + INDEX_REC_FIXED + 2 + elen + 2 + llen;
	if (need > bufsz)
		return -ERANGE;
	bfs_le_put(p, INDEX_REC_VERSION, 2);
	bfs_le_put(p + 2, INDEX_REC_FIXED, 2);
	p += INDEX_REC_HEADER;
	for (i = 0; i < NFIELDS; i++) {
		bfs_le_put(p, field_load(e, &fields[i]), fields[i].size);
		p += fields[i].size;
	}
	p = bfs_le_put_str(p, e->etag, elen);
	(void)bfs_le_put_str(p, e->link, llen);
	*len = need;
	return 0;
}

/*
 * Check the header of the n-byte record at p; set *fixed_len.  A fixed part
 * shorter than ours must end on a field boundary.
 */
static int rec_header(const unsigned char *p, size_t n, size_t *fixed_len)
{
	size_t flen, off = 0, i;

	if (n < INDEX_REC_HEADER || bfs_le_get(p, 2) == 0)
		return -EIO;
	flen = bfs_le_get(p + 2, 2);
	if (flen > n - INDEX_REC_HEADER)
		return -EIO;
	for (i = 0; i < NFIELDS && off < flen; i++)
		off += fields[i].size;
	if (off > flen)
		return -EIO; /* ends inside a field */
	*fixed_len = flen;
	return 0;
}

int index_rec_decode(const void *rec, size_t n, struct bfs_entry *e)
{
	const unsigned char *p = rec;
	size_t flen, off = 0, i;
	unsigned version;

	if (rec_header(p, n, &flen))
		return -EIO;
	version = (unsigned)bfs_le_get(p, 2);
	memset(e, 0, offsetof(struct bfs_entry, link));
	p += INDEX_REC_HEADER;
	for (i = 0; i < NFIELDS && off + fields[i].size <= flen; i++) {
		field_store(e, &fields[i], bfs_le_get(p + off, fields[i].size));
		off += fields[i].size;
	}
	p += flen; /* skip fixed fields from a newer version */
	n -= INDEX_REC_HEADER + flen;
	if (bfs_le_get_str(&p, &n, e->etag, sizeof(e->etag)) ||
	    bfs_le_get_str(&p, &n, e->link, sizeof(e->link)))
		return -EIO;
	if (n && version <= INDEX_REC_VERSION)
		return -EIO; /* trailing bytes that no version of ours writes */
	return entry_valid(e) ? 0 : -EIO;
}

int index_rec_state(const void *rec, size_t n, unsigned *state)
{
	const unsigned char *p = rec;
	size_t flen;

	if (rec_header(p, n, &flen))
		return -EIO;
	/* state is the second field, right after the u16 type */
	*state = flen >= 4 ? (unsigned)bfs_le_get(p + INDEX_REC_HEADER + 2, 2) : BFS_ST_CLEAN;
	return *state <= BFS_ST_NEGATIVE ? 0 : -EIO;
}
