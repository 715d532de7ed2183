/* SPDX-License-Identifier: MIT */
/*
 * jrec.h - the journal record: the few hundred bytes that describe one
 * journaled (write-back) upload on their own, without the cache index, so
 * that what close() acknowledged survives the loss or damage of the index
 * (src/fs/fs_jrec.c writes one beside each journaled staging file and reads
 * them back at mount).  Pure code: encode and decode only.
 *
 * Layout (integers little-endian, no padding):
 *
 *   "BFSJ"           magic
 *   u16 version      BFS_JREC_VERSION when written; 0 is invalid
 *   u16 fixed_len    bytes of fixed fields that follow (52 in version 1)
 *   u64 seq          journaling order (later supersedes earlier, same path)
 *   u64 staged_id    the data file holding the bytes
 *   u64 size         its length
 *   u32 crc32c       CRC-32C of those size bytes
 *   u32 mode, u32 uid, u32 gid
 *   i64 mtime_ns
 *   u32 flags        the entry's BFS_EF_* flags
 *   u16 etag_len, etag   the object this upload replaces ("" none)
 *   u16 path_len, path   the mount path ("/a/b.png")
 *   u32 crc          CRC-32C of every byte before it
 *
 * A later version may append fixed fields (an older reader skips them) and
 * variable fields before the final CRC (skipped when version is newer).
 * A record that is torn, truncated or damaged fails its final CRC.
 */
#ifndef BUCKETFS_JREC_H
#define BUCKETFS_JREC_H

#include <stddef.h>
#include <stdint.h>

#include "bucketfs/index.h"

#define BFS_JREC_VERSION 1
#define BFS_JREC_FIXED 52
#define BFS_JREC_PATH_MAX 1024 /* with the NUL; the index holds shorter paths */
/* The longest record this version writes. */
#define BFS_JREC_MAX                                                                               \
	(4 + 2 + 2 + BFS_JREC_FIXED + 2 + (BFS_ENTRY_ETAG_MAX - 1) + 2 + (BFS_JREC_PATH_MAX - 1) + \
	 4)

struct bfs_jrec {
	uint64_t seq;
	uint64_t staged_id;
	uint64_t size;
	uint32_t crc32c;
	uint32_t mode, uid, gid;
	int64_t mtime_ns;
	uint32_t flags;
	char etag[BFS_ENTRY_ETAG_MAX];
	char path[BFS_JREC_PATH_MAX];
};

/*
 * Encode r into buf (bufsz >= BFS_JREC_MAX always suffices).  Returns 0 with
 * *len set; -EINVAL when the path is not absolute, or etag or path lacks its
 * NUL within its array, or staged_id is 0; -ERANGE when buf is too small.
 */
int bfs_jrec_encode(const struct bfs_jrec *r, void *buf, size_t bufsz, size_t *len);

/*
 * Decode the n bytes at buf into *r (reads nothing past buf + n).  Returns
 * 0, or -EIO for anything but a whole record of a known layout whose CRC
 * matches (*r is then undefined).
 */
int bfs_jrec_decode(const void *buf, size_t n, struct bfs_jrec *r);

#endif
