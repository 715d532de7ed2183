/* SPDX-License-Identifier: MIT */
/*
 * fs.h - filesystem semantics on a bucket: paths, attributes, directories,
 * open files, the write-on-close upload and the read cache.  No FUSE types:
 * the FUSE edge (fuse_ops.c) translates; everything here takes paths
 * relative to the mount ("/images/t1/0.png") and returns 0 or -errno.
 *
 * The layers below: the store (requests to the bucket) and the index (what
 * we know, in LMDB) plus data files in the cache directory:
 *     CACHE_DIR/index/       LMDB environment (index.h)
 *     CACHE_DIR/data/XX/ID   one file per cached or staged object version
 * An object is cached whole (small files) or as a valid prefix (large
 * files fetched with ranged GETs as they are read).
 *
 * Semantics, freshness and what is refused: SEMANTICS.md.
 */
#ifndef BUCKETFS_FS_H
#define BUCKETFS_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

struct bfs_store;
struct bfs_fs;
struct bfs_file;

struct bfs_fs_cfg {
	const char *prefix;    /* key prefix: "" or "dir/" */
	const char *cache_dir; /* must exist */
	uid_t uid;	       /* owner of objects without x-amz-meta-uid ... */
	gid_t gid;
	int force_uid, force_gid; /* ... and of every entry with these (s3fs uid=, gid=) */
	mode_t umask;		  /* with has_umask, every entry's mode is 0777 & ~umask */
	int has_umask;		  /* (s3fs umask=, libfuse's set_mode) */
	int symlinks;		  /* 1: symlink objects are symlinks; 0: read-only
				   * regular files holding the target path (default) */
	mode_t root_mode;	  /* permissions of the mount point (mp_umask) */
	int read_only;
	long stat_ttl_ms;	 /* positive metadata window (default 1000) */
	long neg_ttl_ms;	 /* negative window (default 1000) */
	long list_ttl_ms;	 /* directory listing window (default 0: always list) */
	long marker_delay_ms;	 /* a new directory's marker is owed this long
				  * (default 1000; 0: PUT at mkdir), src/fs/fs_marker.c */
	const char *immutable;	 /* "/a:/b/c": files below never change (write-once
				  * trees): once cached, never revalidated; NULL none */
	uint64_t whole_max;	 /* objects up to this size are fetched whole (8 MiB) */
	uint64_t readahead;	 /* ranged fetch size for larger ones (8 MiB) */
	int fetch_parallel;	 /* ranges of a sequential reader fetched at once (4) */
	uint64_t lookup_get;	 /* a file looked up by name: GET its first this many
				  * bytes into the cache instead of a HEAD (2 MiB;
				  * 0: HEAD) */
	uint64_t cache_size;	 /* cap on the data files' bytes, 0 = none (default) */
	uint64_t index_size;	 /* the cache index's pages in use are kept under
				  * this by forgetting names seen least recently
				  * (1 GiB; 0: no cap), src/fs/fs_itrim.c */
	uint64_t cache_min_free; /* bytes to leave free on the cache's disk ... */
	int cache_min_free_pct;	 /* ... or this percentage of it when >= 0 (default 5) */
	long writeback_ms;	 /* < 0: close() uploads (default); else close()
				  * journals and the upload starts this long after */
	int unmount_wait_s;	 /* close waits this long for pending uploads (30) */
	int upload_threads;	 /* background uploads at once (4) */
	int conditional_put;	 /* uploads replace only the version this mount
				  * read, create only new objects (ESTALE else) */
};

/* Defaults as documented above. */
void bfs_fs_cfg_defaults(struct bfs_fs_cfg *cfg);

/*
 * Open the filesystem on store (borrowed; must outlive it): opens the index
 * in cfg->cache_dir and the data directory, and drops staging left by a
 * previous daemon that died with files open (their writes were never
 * acknowledged; the bucket keeps the last closed version).
 * Returns 0, BFS_E_CONFIG (index of another format, bad cache dir) or -errno.
 */
int bfs_fs_open(const struct bfs_fs_cfg *cfg, struct bfs_store *store, struct bfs_fs **out);

/*
 * Close (after the last request): wait up to cfg.unmount_wait_s for pending
 * uploads (what is left stays journaled for the next mount).  Open files
 * are closed without upload.
 */
void bfs_fs_close(struct bfs_fs *fs);

/* The caller's identity for new objects and permission checks. */
struct bfs_ctx {
	uid_t uid;
	gid_t gid;
};

int bfs_fs_getattr(struct bfs_fs *fs, const char *path, struct stat *st);

/*
 * Call fill for every entry of directory path (not "." and ".."), with its
 * attributes, in name (byte) order.  With after NULL the directory is
 * looked up and listed from the bucket when its listing is stale; with
 * after set (a name an earlier call gave, or "" for the first), the walk
 * goes on from the entries after it as the index holds them, without a
 * request.  fill returns non-zero to stop (buffer full): then
 * bfs_fs_readdir returns 0.  walker: the pid of the process listing (0 if
 * unknown); a process listing many directories of one parent in a row gets
 * them from one LIST of the keys below it (tree listings, fs_sweep.c).
 */
int bfs_fs_readdir(struct bfs_fs *fs, const char *path, const char *after, pid_t walker,
		   int (*fill)(void *arg, const char *name, const struct stat *st), void *arg);

int bfs_fs_mkdir(struct bfs_fs *fs, const char *path, mode_t mode, const struct bfs_ctx *c);
int bfs_fs_rmdir(struct bfs_fs *fs, const char *path);
int bfs_fs_unlink(struct bfs_fs *fs, const char *path);
/* flags: 0 or RENAME_NOREPLACE; RENAME_EXCHANGE gives -EINVAL. */
int bfs_fs_rename(struct bfs_fs *fs, const char *from, const char *to, unsigned int flags);
int bfs_fs_chmod(struct bfs_fs *fs, const char *path, mode_t mode);
int bfs_fs_chown(struct bfs_fs *fs, const char *path, uid_t uid, gid_t gid);
/* utimensat's two times in ns since the epoch, or BFS_TIME_NOW or
 * BFS_TIME_OMIT (that one unchanged).  Both are kept (st_atime changes only
 * so: reads do not touch it, as with noatime); st_ctime becomes now. */
#define BFS_TIME_NOW (-1)
#define BFS_TIME_OMIT (-2)
int bfs_fs_utimens(struct bfs_fs *fs, const char *path, int64_t atime_ns, int64_t mtime_ns);
int bfs_fs_truncate(struct bfs_fs *fs, const char *path, off_t size);
int bfs_fs_symlink(struct bfs_fs *fs, const char *target, const char *path,
		   const struct bfs_ctx *c);
int bfs_fs_readlink(struct bfs_fs *fs, const char *path, char *buf, size_t size);
int bfs_fs_statfs(struct bfs_fs *fs, struct statvfs *sv);

/*
 * Open files.  flags are open(2) flags (O_ACCMODE, O_TRUNC, O_APPEND,
 * O_EXCL with O_CREAT for create).  *out is the handle for read/write/
 * flush/fsync/release; the handle shares state with every other open of
 * the same path.
 */
int bfs_fs_create(struct bfs_fs *fs, const char *path, mode_t mode, int flags,
		  const struct bfs_ctx *c, struct bfs_file **out);
int bfs_fs_open_file(struct bfs_fs *fs, const char *path, int flags, struct bfs_file **out);
/*
 * mknod(2): a regular file, FIFO, socket or device node (rdev), stored at
 * once as an empty object whose metadata says which (s3fs's format); the
 * mount is nodev, so a device node there opens nothing.  -EPERM for any
 * other type.
 */
int bfs_fs_mknod(struct bfs_fs *fs, const char *path, mode_t mode, dev_t rdev,
		 const struct bfs_ctx *c);
/*
 * Whether the kernel may keep the pages it cached for this file from an
 * earlier open (true unless this open fetched a different version).
 */
int bfs_fs_keep_cache(const struct bfs_file *f);
/* Returns bytes read (0 at EOF) or -errno. */
ssize_t bfs_fs_read(struct bfs_fs *fs, struct bfs_file *f, char *buf, size_t size, off_t off);
/* Returns bytes written or -errno.  With O_APPEND, off is ignored. */
ssize_t bfs_fs_write(struct bfs_fs *fs, struct bfs_file *f, const char *buf, size_t size,
		     off_t off);
int bfs_fs_ftruncate(struct bfs_fs *fs, struct bfs_file *f, off_t size);
int bfs_fs_fgetattr(struct bfs_fs *fs, struct bfs_file *f, struct stat *st);
/*
 * Upload the file if it has unuploaded writes; returns only when the object
 * is in the bucket (0) or the upload failed after retries (-EIO, -EACCES,
 * -ENOSPC...).  flush is close(2), fsync is fsync(2): both upload.
 */
int bfs_fs_flush(struct bfs_fs *fs, struct bfs_file *f);
int bfs_fs_fsync(struct bfs_fs *fs, struct bfs_file *f);
/* Drop the handle (the last one closes the data file). */
void bfs_fs_release(struct bfs_fs *fs, struct bfs_file *f);

/* Counters for tests and the ctl tool. */
struct bfs_fs_stats {
	uint64_t cache_hits;	/* opens served from a fresh cached copy */
	uint64_t cache_misses;	/* opens that fetched the object */
	uint64_t revalidations; /* conditional requests sent */
	uint64_t not_modified;	/* ... answered 304 */
	uint64_t uploads;	/* objects written */
	uint64_t upload_errors;
	uint64_t bytes_from_cache; /* bytes read from local data files */
	uint64_t cache_bytes;	   /* bytes in the cache's data files now */
	uint64_t evicted;	   /* cached copies evicted */
	uint64_t evicted_bytes;
	uint64_t enospc;  /* writes refused: no room within the limits */
	uint64_t damaged; /* cached copies found damaged and fetched again */
};
void bfs_fs_get_stats(struct bfs_fs *fs, struct bfs_fs_stats *out);

/* Journaled uploads not yet in the bucket. */
struct bfs_fs_pending {
	uint64_t files;
	uint64_t bytes;
	uint64_t failing;  /* ... whose last attempt failed */
	int64_t oldest_ns; /* mtime of the oldest, ns since the epoch */
};
int bfs_fs_pending(struct bfs_fs *fs, struct bfs_fs_pending *out);

/*
 * Call fn for each journaled upload: its path, size, mtime (ns), failed
 * attempts and last error (a bfs_err or -errno, 0 none).  Stops when fn
 * returns non-zero.  Returns 0 or -errno.
 */
int bfs_fs_pending_list(struct bfs_fs *fs,
			int (*fn)(void *arg, const char *path, uint64_t size, int64_t mtime_ns,
				  uint32_t attempts, int error),
			void *arg);

/*
 * Upload everything journaled now (delays ignored) and wait, at most
 * timeout_s seconds; progress (may be NULL) is told what is left at the
 * start, whenever an upload ends (at least every second), and at the end.
 * Returns 0 when nothing is pending, -ETIMEDOUT when something still is.
 */
int bfs_fs_flush_all(struct bfs_fs *fs, long timeout_s,
		     void (*progress)(void *arg, const struct bfs_fs_pending *left), void *arg);

/*
 * Drop the cached copy of path, or of every file (path NULL); never one
 * that is open or not uploaded.  *files and *bytes get what was freed.
 * Returns 0, -ENOENT (no such entry), -EBUSY (open: bfs_fs_open_handles),
 * -EINPROGRESS (its upload is pending) or -ENODATA (nothing cached).
 */
int bfs_fs_evict(struct bfs_fs *fs, const char *path, uint64_t *files, uint64_t *bytes);

/* How many open handles (open()s the kernel has not released) path has. */
int bfs_fs_open_handles(struct bfs_fs *fs, const char *path);

/* The cache index: its entries, its size and its bound (index_size). */
struct bfs_fs_index_usage {
	uint64_t entries;    /* NEGATIVE ones included */
	uint64_t used;	     /* bytes of its pages in use: what index_size bounds */
	uint64_t file;	     /* data.mdb's size (it never shrinks; freed pages are reused) */
	uint64_t disk_bytes; /* blocks allocated to data.mdb */
	uint64_t cap;	     /* index_size (0: none) */
	uint64_t rounds;     /* rounds that forgot names, since the mount */
	uint64_t forgotten;  /* names forgotten by them */
};
int bfs_fs_index_usage(struct bfs_fs *fs, struct bfs_fs_index_usage *o);

/* What bfs_fs_fsck() found. */
struct bfs_fs_fsck {
	uint64_t entries;	 /* index entries read */
	uint64_t copies;	 /* cached copies checked */
	uint64_t bytes_checked;	 /* ... bytes of them hashed or sized */
	uint64_t journaled;	 /* journaled uploads checked */
	uint64_t damaged;	 /* cached copies missing, short or corrupt */
	uint64_t broken_journal; /* journaled uploads whose data is not whole */
	uint64_t orphans;	 /* data files no entry refers to */
	uint64_t repaired;	 /* of these, dropped or removed */
	uint64_t lost_found;	 /* journaled uploads that could not be made, kept
				  * in CACHE/lost+found (records there) */
};

/*
 * Check the cache against the index (see fs_fsck.c); say gets one line per
 * problem, and NULL about every half second: progress, r holding the counts
 * so far.  With repair, drop damaged copies and remove orphans.  Returns 0
 * (see r for what was found) or -errno.
 */
int bfs_fs_fsck(struct bfs_fs *fs, int repair, void (*say)(void *arg, const char *line), void *arg,
		struct bfs_fs_fsck *r);

/*
 * Forget what is known of path and, for a directory, of everything below
 * it: the next use asks the bucket (cached data is kept, and revalidated).
 * *n gets the number of entries touched.  Returns 0, -ENOENT or -errno.
 */
int bfs_fs_invalidate(struct bfs_fs *fs, const char *path, uint64_t *n);

/* The configuration the filesystem runs with (for status). */
const struct bfs_fs_cfg *bfs_fs_config(const struct bfs_fs *fs);

#endif
