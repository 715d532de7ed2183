/* SPDX-License-Identifier: MIT */
/*
 * index_codec.h - the bytes the cache index stores: LMDB keys built from
 * mount paths, and the versioned record of a struct bfs_entry.  Pure
 * functions without LMDB, shared by the index's own files (index*.c) and its
 * unit test.  Not part of the public API.
 *
 * Record layout (all integers little-endian, no padding, no alignment):
 *
 *   u16 version      INDEX_REC_VERSION when written; 0 is invalid
 *   u16 fixed_len    bytes of fixed fields that follow (INDEX_REC_FIXED now)
 *   fixed fields     in the order of struct bfs_entry, etag and link left out:
 *                    u16 type, u16 state, u32 flags, u32 mode, u32 uid,
 *                    u32 gid, u64 size, i64 mtime_ns, u64 data_id,
 *                    u64 staged_id, i64 validated_ns, i64 listed_ns,
 *                    i64 atime_ns, u64 cached_bytes, u32 upload_attempts,
 *                    i32 upload_error                (version 1: 92 bytes)
 *                    i64 upload_after_ns            (version 2: 100 bytes)
 *                    i64 lastmod_s                  (version 3: 108 bytes)
 *                    u64 crc_bytes, u32 crc32c      (version 4: 120 bytes)
 *                    i64 seen_ns                    (version 5: 128 bytes)
 *                    i64 ctime_ns, i64 atime_set_ns,
 *                    i64 dirchg_ns                  (version 6: 152 bytes)
 *                    u64 rdev                       (version 7: 160 bytes)
 *   u16 etag_len, etag bytes (no NUL, < BFS_ENTRY_ETAG_MAX)
 *   u16 link_len, link bytes (no NUL, < BFS_ENTRY_LINK_MAX)
 *
 * A later version appends fixed fields (fixed_len grows; an older reader
 * skips what it does not know) and may append variable fields after link
 * (ignored when version > INDEX_REC_VERSION).  A record with a shorter fixed
 * part (an older writer) gets zero for the fields it lacks; its fixed_len
 * must end on a field boundary.
 */
#ifndef BUCKETFS_INDEX_CODEC_H
#define BUCKETFS_INDEX_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "bucketfs/index.h"

#define INDEX_REC_VERSION 7
#define INDEX_REC_HEADER 4
#define INDEX_REC_FIXED 160
/* The longest record this version writes. */
#define INDEX_REC_MAX                                                                              \
	(INDEX_REC_HEADER + INDEX_REC_FIXED + 2 + (BFS_ENTRY_ETAG_MAX - 1) + 2 +                   \
	 (BFS_ENTRY_LINK_MAX - 1))

/*
 * The longest entry key: LMDB's default maximum key size (511) less the
 * state byte that prefixes the key in the "state" database.
 */
#define INDEX_KEY_MAX 510
#define INDEX_NAME_MAX 255

/*
 * Encode e into buf (bufsz >= INDEX_REC_MAX always suffices).  Returns 0
 * with *len set, -EINVAL for an unknown type or state or an etag/link
 * without its NUL, -ERANGE when buf is too small.
 */
int index_rec_encode(const struct bfs_entry *e, void *buf, size_t bufsz, size_t *len);

/*
 * Decode the n bytes at p into *e.  Reads nothing past p + n.  Returns 0, or
 * -EIO for a truncated or inconsistent record (*e is then undefined).
 */
int index_rec_decode(const void *p, size_t n, struct bfs_entry *e);

/* Only the state of the record at p (same checks on the header). */
int index_rec_state(const void *p, size_t n, unsigned *state);

/*
 * The key prefix shared by the children of directory dir: dir "\0" ("/\0"
 * for the root).  Returns 0 with *len set, -EINVAL for an invalid path,
 * -ENAMETOOLONG when no child of dir could have a key (bufsz >=
 * INDEX_KEY_MAX always suffices).
 */
int index_dir_prefix(const char *dir, char *buf, size_t bufsz, size_t *len);

/*
 * The mount path of the entry key k (klen bytes) into buf (bufsz >=
 * INDEX_KEY_MAX + 1 always suffices), NUL-terminated.  Returns 0, or -EIO
 * for a key that bfs_index_key() cannot have built.
 */
int index_key_path(const char *k, size_t klen, char *buf, size_t bufsz);

#endif
