/* SPDX-License-Identifier: MIT */
/*
 * store_local.h - what the local backend's files share: store_local.c
 * (keys, metadata, ETags, reads, the bucket), store_local_write.c (puts,
 * copies, deletes, directories), store_local_list.c (listings) and
 * store_local_path.c (opening paths beneath DIR, through no symlink).  Not
 * part of the public API; the design is described in store_local.c.
 */
#ifndef BUCKETFS_STORE_LOCAL_H
#define BUCKETFS_STORE_LOCAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

#include "bucketfs/crypto.h"
#include "store/store_int.h"

#define LOCAL_TMP_DIR ".bucketfs-tmp" /* temporary files, never listed */
#define LOCAL_EMPTY_MD5 "d41d8cd98f00b204e9800998ecf8427e"
#define LOCAL_MD5_HEX (2 * BFS_MD5_LEN + 1)
#define LOCAL_XA_MARKER "user.bucketfs.marker"

/* st->local.  Immutable after store_local_open() but for the three fields noted. */
struct local {
	char *root;		   /* DIR, absolute (st->cfg.local_root points here) */
	int rootfd;		   /* every path is relative to this (local_open) */
	pthread_mutex_t tree_lock; /* serialises marker puts and deletes with the
				    * removal of emptied parents */
	atomic_ulong tmp_seq;	   /* numbers temporary file names */
	atomic_int no_openat2;	   /* set once openat2 said ENOSYS: walk instead */
};

/* A key as a path: rel is the key without its trailing "/". */
struct local_key {
	char rel[BFS_MAX_KEY + 1];
	int marker; /* the key ends in "/": a directory */
};

/* An open object: a regular file, or the directory of a marker key. */
struct local_obj {
	int fd; /* -1 when closed */
	struct stat sb;
	int marker;
};

/* Record the thread's last error (op, HTTP-like status, S3-like code); return rc. */
__attribute__((format(printf, 5, 6))) int local_fail(const char *op, long status, const char *code,
						     int rc, const char *fmt, ...);
/*
 * A failed system call (positive err) on key: EACCES/EPERM -> BFS_E_DENIED,
 * ELOOP/EXDEV (a symlink in the path, see local_open) -> BFS_E_DENIED
 * saying so, else -err.
 */
int local_sys_fail(const char *op, const char *key, const char *what, int err);

/*
 * Paths beneath DIR (store_local_path.c), following no symlink: a symlink
 * anywhere in rel, its last component included, is -ELOOP (or -EXDEV),
 * whether it points out of DIR or not.  rel is a key's path (no "", ".",
 * ".." or "//" segment; "" or "." is DIR itself).  Thread-safe.
 *
 * local_open: open rel with flags (O_CLOEXEC added; with O_PATH only
 * O_DIRECTORY may come with it) and mode (for O_CREAT).  Returns the fd
 * (the caller closes it) or -errno.
 */
int local_open(struct local *lc, const char *rel, int flags, mode_t mode);
/*
 * Open (O_PATH) the directory that holds rel's last component, for the
 * *at() calls; *name is set to that component (it points into rel).
 * Returns the fd (the caller closes it) or -errno.
 */
int local_open_parent(struct local *lc, const char *rel, const char **name);
/*
 * mkdir -p path (a key's path, not empty) with mode, one component at a
 * time with O_NOFOLLOW, and open the last one with flags | O_DIRECTORY
 * (O_PATH: for *at() calls only).  Returns the fd, or -errno with path
 * cut at the component that failed: -ENOTDIR (a file is in the way),
 * -ELOOP (a symlink is), -ENOENT (a directory was removed meanwhile: try
 * again), ...
 */
int local_mkdir_walk(struct local *lc, char *path, int flags, mode_t mode);

/*
 * Map key to a path.  Returns 0, store_check_key()'s error, or BFS_E_BADREQ
 * (InvalidObjectName) for a key that cannot be a path.
 */
int local_key_parse(const char *op, const char *key, struct local_key *k);
/* 1 if the first n bytes of key can be a path (no "//", ".", "..", ...). */
int local_key_ok(const char *key, size_t n);

/*
 * Open key: a regular file, or for a marker key a directory that is a
 * marker (explicit, or empty).  Returns 0, 1 when there is no such object
 * (no error recorded), or an error.  Close with local_obj_close().
 */
int local_obj_open(struct local *lc, const char *op, const struct local_key *k, const char *key,
		   struct local_obj *ob);
void local_obj_close(struct local_obj *ob);
/* Parse, open (missing: BFS_E_NOTFOUND) and fill info (may be NULL). */
int local_obj_lookup(struct bfs_store *st, const char *op, const char *key, struct local_obj *ob,
		     struct bfs_obj_info *info);
/* The object's ETag: cached in an xattr, else computed from the data and cached. */
int local_obj_etag(const char *op, const char *key, const struct local_obj *ob,
		   char out[LOCAL_MD5_HEX]);
/* Cache md5hex as the ETag of fd's content as sb describes it. */
void local_etag_store(int fd, const char *md5hex, const struct stat *sb);

/* 1 if the directory has the marker xattr (or xattrs are not supported). */
int local_marked(int dfd);
/* 1 if the directory holds no file and no directory, 0 if it does, or -errno. */
int local_dir_is_empty(int dfd);

/* Put options: the checks the S3 backend makes (-EINVAL), writing, clearing. */
int local_meta_check(const char *op, const char *key, const struct bfs_put_opts *o);
int local_meta_write(const char *op, const char *key, int fd, const struct bfs_put_opts *o);
void local_meta_clear(int fd);

/* The operations (contracts in store.h), put in the table by store_local_ops.c:
 * reads and the bucket check (store_local.c), writes (store_local_write.c),
 * listings (store_local_list.c). */
int local_head(struct bfs_store *st, const char *key, struct bfs_obj_info *info);
int local_get_fd(struct bfs_store *st, const char *key, const struct bfs_get_opts *o, int fd,
		 off_t fd_off, struct bfs_obj_info *info);
int local_get_buf(struct bfs_store *st, const char *key, const struct bfs_get_opts *o,
		  struct bfs_buf *out, struct bfs_obj_info *info);
int local_check(struct bfs_store *st);
int local_put_fd(struct bfs_store *st, const char *key, int fd, off_t off, uint64_t len,
		 const struct bfs_put_opts *o, char *etag);
int local_put_buf(struct bfs_store *st, const char *key, const void *data, size_t len,
		  const struct bfs_put_opts *o, char *etag);
int local_copy(struct bfs_store *st, const char *src, const char *dst, const struct bfs_put_opts *o,
	       char *etag);
int local_delete(struct bfs_store *st, const char *key);
int local_delete_many(struct bfs_store *st, const char *const *keys, size_t n, size_t *nfailed);
int local_list(struct bfs_store *st, const char *prefix, const char *delimiter, const char *token,
	       const char *start_after, int max_keys, struct bfs_listing *out);

#endif
