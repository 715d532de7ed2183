/* SPDX-License-Identifier: MIT */
/*
 * fs_entry.h - the fs layer's level 1 of entries (fs_entry.c): an index
 * entry as the kernel sees it and as the bucket keeps it (s3fs's metadata),
 * and the store's failures translated once.  Included by fs_int.h; not
 * part of the public API.
 */
#ifndef BUCKETFS_FS_ENTRY_H
#define BUCKETFS_FS_ENTRY_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "bucketfs/index.h"
#include "bucketfs/store.h"

struct bfs_fs;

/* Attributes of an entry as the kernel sees them: the mount's uid=, gid=,
 * umask= over what the entry says, symlinks as files unless symlinks=on. */
void fs_entry_stat(const struct bfs_fs *fs, const struct bfs_entry *e, struct stat *st);
/* uid=, gid= and umask= all given: no metadata can change what any entry
 * shows or lets anyone do. */
int fs_attrs_forced(const struct bfs_fs *fs);
/* Does e (CLEAN) say everything the mount shows of it (type, mode,
 * owner)?  Not one known only from a listing (listings carry no
 * metadata), unless the mount's options decide it all (fs_meta.c). */
int fs_attrs_known(const struct bfs_fs *fs, const struct bfs_entry *e);

/* The mount's root directory, which is never asked of the bucket. */
void fs_root_entry(const struct bfs_fs *fs, struct bfs_entry *e);
/* A FIFO, socket or device: an empty object of that x-amz-meta-mode (fs_entry.c). */
int fs_special_type(mode_t mode);
/* x-amz-meta-mtime's (ctime's, atime's) "SECONDS[.NANOSECONDS]" in ns; -1 for anything else. */
int64_t fs_meta_time_ns(const char *v);
/* A directory known only by name or by a listing's prefix, confirmed at now. */
void fs_entry_dir(int64_t now, struct bfs_entry *e);

/* The st_mtime and st_ctime e shows: its own, or for a directory whose
 * entries changed here since (dirchg_ns), that time.  fold: make them its
 * own (before a change of its attributes, which keeps them). */
void fs_entry_times(const struct bfs_entry *e, int64_t *mtime, int64_t *ctime);
void fs_entry_fold_times(struct bfs_entry *e);
/* e takes from's attributes: mode (type bits too), owner and times. */
void fs_entry_take_attrs(struct bfs_entry *e, const struct bfs_entry *from);

/* A Content-Type that says "directory" (application/x-directory). */
int fs_dir_content_type(const char *type);

/* Fill an entry from HEAD/GET information (type, mode, owner, times, etag).
 * An empty object of a directory's Content-Type is a directory. */
void fs_entry_from_info(const struct bfs_fs *fs, const struct bfs_obj_info *info,
			struct bfs_entry *e);

/* Metadata to send with an object written for entry e: mode, uid, gid,
 * mtime, ctime, atime, and a device's rdev (po->nmeta of them, in meta[]). */
#define FS_PUT_META 7
int fs_put_opts(const struct bfs_fs *fs, const char *path, const struct bfs_entry *e,
		struct bfs_meta_kv meta[FS_PUT_META], struct bfs_put_opts *po);
/* Is name one of the metadata fs_put_opts writes? */
int fs_put_meta_name(const char *name);

/* A store error as an errno for the kernel, logged once with its detail. */
int fs_store_errno(const char *what, const char *path, int err);

#endif
