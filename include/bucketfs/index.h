/* SPDX-License-Identifier: MIT */
/*
 * index.h - the cache index: what the filesystem knows about every file,
 * directory and symlink under the mount, kept in LMDB (the only module that
 * includes lmdb.h) in the cache directory, so it survives unmount, crashes
 * and reboots.
 *
 * Paths are mount-relative and absolute: "/" is the root, "/images/t1/0.png"
 * a file.  In LMDB an entry's key is PARENT "\0" NAME ("/images/t1" "\0"
 * "0.png"; the root is "" "\0" ""), so the children of a directory are one
 * contiguous key range and listing a directory never touches its
 * descendants.
 *
 * Records are versioned and self-describing in length: a reader accepts a
 * record written by a newer version (ignoring fields it does not know) and
 * fills defaults for fields an older version did not write, so later
 * features (upload journal, LRU eviction, revalidation) add fields without a
 * format break.  The environment stores a format version; opening an index
 * of an unknown major version fails with BFS_E_CONFIG rather than guessing.
 *
 * Limits: a path is absolute, without "//", "." or ".." components and
 * without a trailing '/' (except "/"), else -EINVAL; a component longer than
 * 255 bytes, or a key longer than 510 bytes (the key is as long as the path,
 * one byte more for an entry of the root; LMDB's 511-byte key limit less one
 * byte for the state index) gives -ENAMETOOLONG: the cache index cannot hold
 * such paths, so the filesystem refuses them.
 *
 * Thread-safety: every function may be called from any thread.  Each call is
 * one LMDB transaction (reads are MDB_RDONLY and run concurrently; writes
 * serialise on LMDB's writer lock).  No transaction is ever held across a
 * call into another module, so callers may hold their own locks around
 * index calls but must never make network requests while "inside" one.
 * The callbacks of bfs_index_children() and bfs_index_scan_state() run
 * outside any transaction and may call the index again.
 *
 * Durability: each write call commits with one fdatasync (MDB_NOMETASYNC):
 * a power loss may lose the last commit but never corrupts the index.
 */
#ifndef BUCKETFS_INDEX_H
#define BUCKETFS_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BFS_INDEX_FORMAT 1 /* major version of the on-disk format */
#define BFS_ENTRY_ETAG_MAX 128
#define BFS_ENTRY_LINK_MAX 4096 /* symlink target, with NUL */
#define BFS_INDEX_PATH_MAX 4096

struct bfs_index;

enum bfs_entry_type {
	BFS_ENT_FILE = 1,
	BFS_ENT_DIR = 2,
	BFS_ENT_LINK = 3,
};

enum bfs_entry_state {
	BFS_ST_CLEAN = 0,     /* matches the object in the bucket (etag) */
	BFS_ST_DIRTY = 1,     /* local data not yet in the bucket (staged) */
	BFS_ST_UPLOADING = 2, /* journaled: close() acknowledged the staged data
			       * (write-back); it must reach the bucket, and
			       * does, after a crash too */
	BFS_ST_NEGATIVE = 3,  /* known not to exist (negative cache) */
};

/* flags */
#define BFS_EF_META                                                                                \
	0x0001		     /* mode/uid/gid/mtime came from object metadata                       \
			      * (or a local change), not from defaults */
#define BFS_EF_MARKER 0x0002 /* a directory with its own "dir/" marker object */
#define BFS_EF_CACHED 0x0004 /* the data file holds the whole object */
#define BFS_EF_LOCAL 0x0008  /* created here and never seen in a listing yet */
#define BFS_EF_PROBED 0x0010 /* a directory whose "dir/" marker was looked up */
#define BFS_EF_SEEN                                                                                \
	0x0020 /* attributes came from the object's own headers                                    \
		* (HEAD/GET), with or without s3fs metadata */
#define BFS_EF_OWED                                                                                \
	0x0040 /* a directory made here whose "dir/" marker is                                     \
		* not in the bucket yet (journaled, state                                          \
		* UPLOADING): see src/fs/fs_marker.c */
#define BFS_EF_FETCHED                                                                             \
	0x0080		   /* data fetched by a lookup (lookup_get=), not                          \
			    * opened since: its first open is a miss */
#define BFS_EF_ROOT 0x0200 /* the mount's root (an entry never stored) */
#define BFS_EF_ATTRS                                                                               \
	0x0400 /* a directory chmod, chown or utimens changed                                      \
		* here: its marker must carry what they set */
#define BFS_EF_OLDDIR                                                                              \
	0x0800 /* a directory whose name is also an object: an                                     \
		* old-style one ("dir", Content-Type application/                                  \
		* x-directory or a directory mode; older s3fs and                                  \
		* other tools): rmdir and rename remove it too */
#define BFS_EF_KEEP                                                                                \
	0x0100 /* with BFS_EF_OWED: owed because an object left                                    \
		* the directory (fs_marker_keep): needed only                                      \
		* if nothing is below it when it is paid */

struct bfs_entry {
	uint16_t type;	/* enum bfs_entry_type */
	uint16_t state; /* enum bfs_entry_state */
	uint32_t flags; /* BFS_EF_* */
	uint32_t mode;	/* permission bits and S_IFMT */
	uint32_t uid, gid;
	uint64_t size;		       /* bytes (for a symlink: target length) */
	int64_t mtime_ns;	       /* modification time, ns since the epoch */
	char etag[BFS_ENTRY_ETAG_MAX]; /* of the object the data/attrs came from; "" unknown */
	uint64_t data_id;	       /* local data file (see bfs_index_new_id), 0 = none */
	uint64_t staged_id;	       /* data file with unuploaded writes, 0 = none */
	int64_t validated_ns;	       /* when the bucket last confirmed this entry
					* (HEAD, GET, LIST, our own PUT), CLOCK_REALTIME */
	int64_t listed_ns;	       /* directories: when the last complete listing
					* finished; 0 = never listed completely */
	int64_t atime_ns;	       /* last local use, for LRU eviction */
	uint64_t cached_bytes;	       /* bytes of the data file that are valid, from 0 */
	uint32_t upload_attempts;      /* journal: failed uploads of staged data */
	int32_t upload_error;	       /* journal: last upload's error code, 0 none */
	int64_t lastmod_s;	       /* files: the object's Last-Modified as the bucket
					* last gave it with the ETag (HEAD, GET, LIST),
					* seconds since the epoch (the server's clock);
					* 0 unknown, e.g. after this mount's own PUT */
	int64_t upload_after_ns;       /* journal: no upload before this (write-back
					* delay, retry backoff), CLOCK_REALTIME */
	uint64_t crc_bytes;	       /* bytes of the data file, from 0, that crc32c
					* covers: for a CLEAN entry, of data_id (equal to
					* cached_bytes when the copy has a digest); for an
					* UPLOADING one, of staged_id (equal to size).
					* 0 = no digest (an entry of an older version):
					* only the other checks apply */
	uint32_t crc32c;	       /* CRC-32C (crc32c.h) of those bytes, computed as
					* they were fetched, staged or journaled */
	int64_t seen_ns;	       /* when a listing last showed the name without
					* confirming the entry (validated_ns): a
					* directory shown as a prefix, a file whose
					* LastModified is not the one its attributes
					* came with.  It existed then: a complete
					* listing's prune keeps it.  0 = never */
	int64_t ctime_ns;	       /* the last change of the attributes or
					* data (st_ctime): chmod, chown, utimens,
					* rename, a write; 0 = st_mtime's */
	int64_t atime_set_ns;	       /* st_atime: what utimens set (or the
					* object's x-amz-meta-atime); 0 = st_mtime's
					* (reads do not change it: noatime) */
	int64_t dirchg_ns;	       /* directories: when an entry was last made,
					* removed or renamed in it through this
					* mount (0 never); its st_mtime and st_ctime
					* while later than its own ctime (fs_entry.c) */
	uint64_t rdev;		       /* a device node's st_rdev (x-amz-meta-rdev) */
	char link[BFS_ENTRY_LINK_MAX]; /* symlink target ("" otherwise) */
};

/* An entry with everything zero/empty. */
void bfs_entry_init(struct bfs_entry *e);

/*
 * Open (creating if needed) the index in directory dir (which must exist;
 * the index is its files data.mdb and lock.mdb).  map_size is LMDB's map
 * size in bytes (0 = 1 GiB; it is a reservation of address space, not of
 * disk); when it fills up, the map is doubled as needed, and an index that
 * grew keeps its size on the next open.  Returns 0 with *out set,
 * BFS_E_CONFIG when the index was written by an incompatible format (the
 * message is logged to stderr), -ENOENT when dir does not exist, -ENOMEM,
 * or another -errno.  An index that LMDB reports as corrupt (or a file that
 * is not LMDB) gives -EIO.  Open it in the process that will use it, after
 * fuse_daemonize(): an LMDB environment must not cross a fork(); and open a
 * directory only once per process (LMDB's file locks are per process).
 */
int bfs_index_open(const char *dir, size_t map_size, struct bfs_index **out);

/* Close the index (after every other thread has stopped using it); NULL is a no-op. */
void bfs_index_close(struct bfs_index *ix);

/*
 * Look up path.  Returns 0 with *e filled, -ENOENT when the index has no
 * entry (which says nothing about the bucket), -EINVAL, -ENAMETOOLONG, -EIO
 * (also for a record that does not decode; logged once).
 */
int bfs_index_get(struct bfs_index *ix, const char *path, struct bfs_entry *e);

/*
 * Insert or replace the entry for path (e is copied).  Returns 0, -EINVAL
 * (bad path; e NULL, or with an unknown type or state, or an etag or link
 * without its NUL), -ENAMETOOLONG, -ENOSPC (no room even after growing the
 * map), -EIO.
 */
int bfs_index_put(struct bfs_index *ix, const char *path, const struct bfs_entry *e);

/*
 * Read, change and write back the entry for path in one write transaction:
 * fn gets a copy of the entry and returns 1 to store what it left there, 0
 * to leave the entry as it was, or a negative errno (nothing stored).  fn
 * runs inside the transaction: it must be quick and must not call the
 * index.  Returns fn's value, -ENOENT when there is no entry, or -errno as
 * bfs_index_put().
 */
int bfs_index_update(struct bfs_index *ix, const char *path,
		     int (*fn)(void *arg, struct bfs_entry *e), void *arg);

/*
 * bfs_index_update() of many paths in one write transaction (one sync):
 * fn(arg, i, e) for each paths[i] that has an entry (those without are
 * skipped).  A negative value from fn, or a path that cannot be a key,
 * cancels the whole transaction and is returned; else 0, or -errno as
 * bfs_index_put().  fn may run more than once for a path (the transaction
 * is retried after growing the map): it must only depend on its arguments.
 */
int bfs_index_update_many(struct bfs_index *ix, const char *const *paths, size_t n,
			  int (*fn)(void *arg, size_t i, struct bfs_entry *e), void *arg);

/* Remove the entry for path (0 also when there was none), or -errno as bfs_index_put(). */
int bfs_index_del(struct bfs_index *ix, const char *path);

/*
 * Atomically: remove from, and put e at to (either path may be NULL; e is
 * required with to).  Used for renames (remove the old path, put the new
 * one) in one transaction.  Only the one entry moves: the children of a
 * directory are the caller's to move (e.g. in a batch).  On failure nothing
 * changes.  Returns as bfs_index_put().
 */
int bfs_index_move(struct bfs_index *ix, const char *from, const char *to,
		   const struct bfs_entry *e);

/*
 * Call fn for every child of directory dir, in byte order of name, with the
 * name (NUL-terminated) and its entry (NEGATIVE entries included), both
 * valid only during the call; stop when fn returns non-zero and return that
 * value.  The data passed to fn is copied out of LMDB and fn runs outside any
 * transaction (children are read 64 at a time), so fn may call other index
 * functions, writes included.  A child added or removed during the walk is
 * seen or not depending on whether it sorts after the last name handed out.
 * A dir too long to have indexable children has none.  Returns 0, fn's
 * value, -EINVAL, or -EIO (a child's record does not decode; logged once).
 */
int bfs_index_children(struct bfs_index *ix, const char *dir,
		       int (*fn)(void *arg, const char *name, const struct bfs_entry *e),
		       void *arg);
/* The same, from the first child whose name sorts after after (NULL or "":
 * from the first): a walk resumed where an earlier one stopped.  -EINVAL
 * for a name longer than a child's can be. */
int bfs_index_children_after(struct bfs_index *ix, const char *dir, const char *after,
			     int (*fn)(void *arg, const char *name, const struct bfs_entry *e),
			     void *arg);

/*
 * 1 when dir has at least one child entry whose state is not NEGATIVE, 0
 * when not, or -errno (-EINVAL, -EIO): a caller that only tests for non-zero
 * takes an error as "not empty", the safe answer for rmdir.
 */
int bfs_index_has_children(struct bfs_index *ix, const char *dir);

/*
 * A batch of puts and deletes applied in order in one write transaction,
 * e.g. the entries of one listing page.  Paths and entries are copied into
 * the batch, which belongs to one thread at a time.  batch_put/batch_del
 * return 0, -EINVAL, -ENAMETOOLONG (as bfs_index_put(); the operation is
 * not added, the batch stays usable) or -ENOMEM.  batch_commit returns 0 or
 * -errno as bfs_index_put(); -ENOSPC also when the batch does not fit even
 * after the map has been doubled once (commit smaller batches).
 */
struct bfs_index_batch;
int bfs_index_batch_begin(struct bfs_index *ix, struct bfs_index_batch **out);
int bfs_index_batch_put(struct bfs_index_batch *b, const char *path, const struct bfs_entry *e);
int bfs_index_batch_del(struct bfs_index_batch *b, const char *path);
/*
 * The same, applied only if, when the batch commits, path holds exactly
 * the entry expect (NULL: no entry at all): what was read to make e is
 * still what is there.  Otherwise the put is left out (someone changed the
 * entry meanwhile: a file journaled, attributes learnt, a copy evicted),
 * but for its news when the entry there is the same object as e (CLEAN,
 * the same type and ETag): its validated_ns is raised to e's; and the
 * rest of the batch applies.  Same returns.
 */
int bfs_index_batch_put_if(struct bfs_index_batch *b, const char *path, const struct bfs_entry *e,
			   const struct bfs_entry *expect);
int bfs_index_batch_del_if(struct bfs_index_batch *b, const char *path,
			   const struct bfs_entry *expect);
/* Apply (commit) and free the batch; on failure nothing is applied. */
int bfs_index_batch_commit(struct bfs_index_batch *b);
/* Drop the batch without applying it. */
void bfs_index_batch_abort(struct bfs_index_batch *b);

/*
 * A new, never-used data file id: increasing, from a counter in the index
 * that is reserved in blocks (one write transaction per 256 ids), so ids
 * are never reused, across reopens and crashes too, though a reopen skips
 * what was left of the last block.  Thread-safe.  Returns 0 with *id > 0,
 * or -errno.
 */
int bfs_index_new_id(struct bfs_index *ix, uint64_t *id);

/*
 * Make every id bfs_index_new_id hands out from now on greater than id: for
 * data files kept from a lost or damaged index (journaled uploads recovered
 * from their records), whose ids a new index would hand out again.
 * Returns 0 or -errno as bfs_index_put().
 */
int bfs_index_ids_above(struct bfs_index *ix, uint64_t id);

/*
 * Call fn for every entry (any directory) whose state is state, with its
 * full path, in key order; same rules as bfs_index_children.  For the
 * upload journal (pending DIRTY/UPLOADING entries) and for fsck.  DIRTY,
 * UPLOADING and NEGATIVE entries are found through a secondary index, in
 * time proportional to their number; CLEAN reads every entry.  Returns 0,
 * fn's value, -EINVAL (unknown state) or -EIO.
 */
int bfs_index_scan_state(struct bfs_index *ix, enum bfs_entry_state state,
			 int (*fn)(void *arg, const char *path, const struct bfs_entry *e),
			 void *arg);

/*
 * Number of entries (NEGATIVE ones included) and bytes the environment uses
 * on disk (blocks allocated to data.mdb), for stats.  Returns 0 or -errno.
 */
int bfs_index_stat(struct bfs_index *ix, uint64_t *entries, uint64_t *disk_bytes);

/*
 * The bytes of the index's pages in use (*used: what bounding the index
 * measures) and the size of its file so far (*file: data.mdb never
 * shrinks; the pages freed are reused).  Returns 0 or -errno.
 */
int bfs_index_used(struct bfs_index *ix, uint64_t *used, uint64_t *file);

/*
 * Forget children of directory dir, to keep the index within a size:
 * fn(arg, name, e, has_children) is called for every child in name order
 * (has_children: a directory child with at least one entry below it), and
 * the children for which it returns 1 are removed; 0 keeps the child, a
 * negative value stops and is returned.  Whenever a child that was not
 * NEGATIVE is removed, dir's own entry (if any) gets listed_ns = 0 in the
 * same transaction: no complete listing then claims a name the index no
 * longer has, and the next readdir lists dir again.  fn runs inside a write
 * transaction: it must be quick and must not call the index; a directory
 * with many children takes many transactions (up to 1024 removals each),
 * so fn may run more than once for a child.  *forgotten gets the number
 * removed.  Returns 0, -EINVAL, -ENOMEM, or -errno as bfs_index_put().
 */
int bfs_index_forget(struct bfs_index *ix, const char *dir,
		     int (*fn)(void *arg, const char *name, const struct bfs_entry *e,
			       int has_children),
		     void *arg, uint64_t *forgotten);

/* Flush to disk (mdb_env_sync(force)); writes are durable after it returns. */
int bfs_index_sync(struct bfs_index *ix);

/*
 * Split a mount path into its LMDB key (exposed for tests): "/" -> "\0",
 * "/a" -> "/" "\0" "a", "/a/b/c" -> "/a/b" "\0" "c".  The key is keylen
 * bytes, not NUL-terminated.  Returns 0, -EINVAL or -ENAMETOOLONG (see
 * Limits above), or -ERANGE when keysz is too small (510 always suffices).
 */
int bfs_index_key(const char *path, char *key, size_t keysz, size_t *keylen);

#endif
