/* SPDX-License-Identifier: MIT */
/*
 * fs_path.h - the fs layer's level 0 of paths: keys and prefixes of paths,
 * the checks of names, write-once trees, the names FUSE hides, the clock
 * and freshness windows (fs_path.c).  Included by fs_int.h; not part of the
 * public API.
 */
#ifndef BUCKETFS_FS_PATH_H
#define BUCKETFS_FS_PATH_H

#include <stddef.h>
#include <stdint.h>

struct bfs_fs;

/* Nanoseconds since the epoch (CLOCK_REALTIME). */
int64_t fs_now_ns(void);

/*
 * The object key of a file path / the prefix of a directory path ("a/b/"):
 * 0, -EINVAL for a path with an empty, "." or ".." component (so no key
 * made here leaves the prefix), -ENAMETOOLONG for a component over
 * NAME_MAX or a key over BFS_MAX_KEY.
 */
int fs_file_key(const struct bfs_fs *fs, const char *path, char *key, size_t keysz);
int fs_dir_key(const struct bfs_fs *fs, const char *path, char *key, size_t keysz);

/*
 * Whether the len bytes at name can be one path component: 0, -EINVAL
 * (empty, ".", "..", or holding '/' or NUL), -ENAMETOOLONG (over NAME_MAX).
 */
int fs_name_check(const char *name, size_t len);

/* Parent directory of path into out ("/" for "/x"); name points into path. */
int fs_split(const char *path, char *parent, size_t psz, const char **name);

/* path is in a write-once tree (cfg.immutable): its files never change. */
int fs_immutable(const struct bfs_fs *fs, const char *path);

/* A name FUSE gives a file unlinked while open (.fuse_hidden + 16 hex
 * digits, libfuse's hide_node): never stored, known only as an open file. */
int fs_hidden_name(const char *path);

/*
 * Least-recently-used classes (eviction of copies, fs_cache.c; forgetting
 * names, fs_itrim.c): the age class of a last use at t_ns, 0 for the last
 * millisecond, then 8 classes per doubling of the age in milliseconds (two
 * entries of one class differ in age by at most 9%), up to 2^49 ms.
 */
#define FS_AGE_CLASSES 400 /* 1 + 49 doublings x 8 fit */
int fs_age_class(int64_t now_ns, int64_t t_ns);

/* stamp (ns) is set and less than ttl_ms old at now. */
static inline int fs_fresh(int64_t stamp, long ttl_ms, int64_t now)
{
	return stamp > 0 && now - stamp < (int64_t)ttl_ms * 1000000;
}

#endif
