/* SPDX-License-Identifier: MIT */
/*
 * fs_int.h - what the filesystem layer's files share: the open file, the
 * filesystem's state (struct bfs_fs), and the functions of each file,
 * bottom-up by level.  Not part of the public API.
 *
 * DESIGN (locks, in the order they may be taken; every lock of the layer,
 * and which are held across a request, in docs/ARCHITECTURE.md, "Locks"):
 *   of->io          rwlock: writes and reads of a staged file take it
 *                   shared, an upload takes it exclusive, so the object sent
 *                   is one consistent version of the file (readers and
 *                   writers of that file wait for its PUT); a rename or
 *                   unlink takes it exclusive across its requests too.
 *   of->lock        guards the ofile's fields (fd, size, dirty, valid...);
 *                   held across a fetch of that file's data and the lookup
 *                   that sets up a new open file.
 *   fs->files.lock  guards the table of open files and each ofile's refs;
 *                   held only for table operations, never across requests
 *                   (taken under a fresh of->lock, never the reverse).
 *   fs->marker_mu   after of->io (fs_marker.c); held across requests when
 *                   paying a marker, by rmdir of an owed directory and by a
 *                   chmod, chown or utimens of a directory.
 * The index is called with any of these held (it never calls back).
 */
#ifndef BUCKETFS_FS_INT_H
#define BUCKETFS_FS_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "bucketfs/fs.h"
#include "bucketfs/index.h"
#include "bucketfs/store.h"
#include "fs/fs_path.h"
#include "fs/fs_stream.h"
#include "fs/fs_sweep.h"
#include "fs/fs_entry.h"
#include "util/flight.h"
#include "util/idset.h"
#include "util/pathttl.h"

#define FS_OPEN_BUCKETS 256
#define FS_KEY_MAX (BFS_MAX_KEY + 2)

/* One open file, shared by every handle on the same path. */
struct bfs_ofile {
	struct bfs_ofile *next; /* hash chain, under fs->files.lock */
	char *path;
	int refs; /* under fs->files.lock */
	pthread_rwlock_t io;
	pthread_mutex_t lock;
	int fd;			  /* data file: cached copy, or staging */
	uint64_t fd_id;		  /* its id (0 while none) */
	int staged;		  /* fd is a private writable copy */
	int dirty;		  /* writes not yet in the bucket */
	int unlinked;		  /* out of the table (under fs->files.lock) */
	int gone;		  /* removed while open: never upload (of->lock) */
	uint64_t size;		  /* current size */
	uint64_t valid;		  /* bytes of fd valid from 0 (large objects) */
	int ent_changed;	  /* ent.cached_bytes grew: save it at release */
	int refetched;		  /* the data was (re)fetched since the last open */
	uint64_t gen;		  /* changes made to it (of->lock) */
	uint64_t tried_gen;	  /* gen of the last upload (or journaling)
				   * that failed; 0 none */
	uint64_t failed_gen;	  /* that gen, once close() or fsync() reported
				   * it: never uploaded later by itself; at the
				   * last put, back to the bucket's version */
	struct bfs_entry ent;	  /* attributes as of open / last upload */
	struct fs_stream *stream; /* the lookup's GET still filling fd, or NULL */
	int dead_fd;		  /* a data file dropped while readers may still
				   * pread it (they hold io shared): closed with
				   * the ofile; -1 none */
	struct bfs_file *handles; /* open handles (under fs->files.lock), freed at
				   * close if the kernel never released them */
};

struct bfs_file {
	struct bfs_file *next, *prev; /* in of->handles, under fs->files.lock */
	struct bfs_ofile *of;
	int flags;	/* open(2) flags */
	int changed;	/* this handle wrote or truncated */
	int keep_cache; /* the kernel's cached pages are still valid */
};

/* What a lookup's relisting of a directory made here cost (fs_lookup.c). */
#define FS_RELIST_SLOTS 64
struct fs_relist {
	uint64_t hash; /* pathttl_hash of the directory; 0 free */
	int pages;     /* pages its last listing took (or more); 0 not listed */
	int misses;    /* unknown names looked up in it since it went stale */
};

/* Last uses of cached files not yet written to the index (fs_touch.c). */
#define FS_TOUCH_SLOTS 1024
struct fs_touch {
	char *path;    /* owned; NULL: a free slot */
	uint64_t hash; /* pathttl_hash(path) */
	int64_t atime_ns;
};
struct fs_touches {
	pthread_mutex_t mu; /* guards the rest (a leaf lock) */
	size_t n;	    /* slots in use */
	struct fs_touch slot[FS_TOUCH_SLOTS];
};

/* "Something was journaled" (fs_journal.c): the uploader's workers wait on
 * cond under mu, which also guards their queue (fs_upload.c); rescan is set
 * by fs_journal_wake and cleared by the worker that scans. */
struct fs_jsignal {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int rescan;
};

/*
 * The filesystem's state, in parts each owned by one file (which
 * initialises and destroys it) and guarded by its own lock.  Still loose in
 * struct bfs_fs: what is set at open and read-only after, marker_mu
 * (fs_marker.c) and two atomics.
 */

/* The watcher of the bucket's reachability (fs_reach.c). */
struct fs_reach {
	pthread_t thread;
	pthread_mutex_t mu; /* stop, with cond: the thread's sleep */
	pthread_cond_t cond;
	int inited, started, stop;
};
/* Start the watcher (and the store's fail-fast); stop both (idempotent). */
int fs_reach_start(struct bfs_fs *fs);
void fs_reach_stop(struct bfs_fs *fs);
/*
 * Offline: during an outage of the bucket (the store's health), and for a
 * few seconds after any failure to reach it (fs_went_offline: true when err
 * is such a failure), what the index and the cache hold is served without
 * asking again: stale cached files, known attributes, known listings.
 */
int fs_offline(struct bfs_fs *fs);
int fs_went_offline(struct bfs_fs *fs, int err);

/* Cache space and the evictor: counted by fs_data.c (fs_space_grew),
 * walked and evicted by fs_cache.c (fs_space_init/destroy). */
#define FS_EVICTED_RING 1024
struct fs_space {
	_Atomic int64_t cache_bytes; /* bytes in data files */
	_Atomic int cache_walked;    /* the first walk of the data files is done */
	_Atomic int64_t space_avail; /* free bytes on the cache's disk at the last look, */
	_Atomic int64_t space_used;  /* cache_bytes then, */
	_Atomic int64_t space_floor; /* and the floor (cache_min_free) */
	pthread_t evict_thread;
	int evict_started;
	pthread_mutex_t evict_mu; /* guards evict_wake; with evict_cond */
	pthread_cond_t evict_cond;
	int evict_wake;
	_Atomic int evict_stop;
	pthread_mutex_t evict_run; /* one eviction round at a time */
	/* The data ids of the last FS_EVICTED_RING copies evicted: an open
	 * that read its entry just before the copy went finds no file, and
	 * that is no damage (fs_cache_evicted_lately). */
	_Atomic uint64_t evicted[FS_EVICTED_RING];
	_Atomic uint32_t evicted_next;
};

/* Bounding the cache index to cfg.index_size (fs_itrim.c). */
struct fs_itrim {
	struct pathttl dirs;	    /* directories read lately: their children stay */
	_Atomic int64_t checked_ns; /* fs_itrim_check's last look */
	_Atomic int64_t next_ns;    /* no round before (one left it over the size) */
	_Atomic int over_logged;    /* that was logged (once until back under) */
	_Atomic uint64_t rounds, forgotten;
	int test_keep_s; /* BFS_TEST_ITRIM_KEEP_S (tests only), or 0 */
};

/* Data files checked (or written) by this mount: their digests are trusted
 * (fs_data.c: fs_data_trust, fs_data_verified; a leaf lock). */
struct fs_trust {
	pthread_mutex_t lock;
	struct idset ids;
};

/* Hashes of the bucket's keys the mount cannot show, logged once each
 * (fs_listing.c: fs_key_hidden; a leaf lock). */
struct fs_hidden {
	pthread_mutex_t lock;
	struct idset logged;
};

/* What lookups remember between requests, for their windows
 * (fs_lookup.c: fs_memo_init/destroy; also fs_tree.c, fs_sweep.c,
 * fs_marker.c). */
struct fs_memo {
	struct pathttl negs;	   /* names found missing, for the negative window */
	struct pathttl walked;	   /* directories a tree listing listed, per
				    * walking process (fs_tree.c) */
	struct pathttl proven;	   /* directories an upload below proved to exist
				    * (fs_marker_settle), for the positive window */
	pthread_mutex_t relist_mu; /* guards relists and sweeps (a leaf lock) */
	struct fs_relist relists[FS_RELIST_SLOTS]; /* by path hash (fs_lookup.c) */
	struct fs_sweep sweeps[FS_SWEEP_SLOTS];	   /* by path hash (fs_sweep.c, fs_tree.c) */
	struct flight lookups;			   /* paths a lookup is asking the bucket about */
};

/* The open files by path hash, and each one's handles (fs_ofile.c only:
 * fs_files_init/destroy; a leaf lock, never held across a request). */
struct fs_files {
	pthread_mutex_t lock;
	struct bfs_ofile *bucket[FS_OPEN_BUCKETS];
};

/* Counters for bfs_fs_get_stats (fs_open.c), atomic. */
struct fs_stats {
	_Atomic uint64_t hits, misses, reval, not_modified, uploads, upload_errors, bytes_cached,
	    evicted, evicted_bytes, enospc, damaged;
};

struct bfs_fs {
	struct bfs_fs_cfg cfg;
	char *prefix;
	char *immutable; /* cfg.immutable, owned */
	char *cache_dir;
	char *data_dir;
	struct bfs_store *store;
	struct bfs_index *ix;
	/* the root's: the mount's own, changed by chmod, chown, utimens for
	 * the mount's life (the bucket or prefix has no object to keep them) */
	_Atomic uint32_t root_mode, root_uid, root_gid;
	_Atomic int64_t root_mtime_ns;
	_Atomic int64_t offline_until_ns; /* bucket unreachable: serve stale until then */
	struct fs_reach reach;
	struct fs_files files; /* the open files (fs_ofile.c) */
	struct fs_stats stats;
	struct fs_space space;
	struct fs_itrim itrim;
	struct fs_jsignal jsig; /* something was journaled (fs_journal.c) */
	struct fs_wb *wb;	/* the uploader (fs_upload.c) */
	struct fs_meta *meta;	/* attribute prefetches (fs_meta.c) */
	struct fs_trust trust;
	struct fs_streams streams;
	struct fs_hidden hidden;
	struct fs_memo memo;
	pthread_mutex_t marker_mu; /* owed directory markers: paid, voided or
				    * dropped one at a time (fs_marker.c) */
	struct fs_touches touches; /* last uses to write (fs_touch.c) */
	uint64_t first_id;	   /* data file ids from here on are this mount's */
	int opened;		   /* bfs_fs_open succeeded (a close is clean) */
	int sweep_orphans;	   /* the last mount did not end cleanly: look for
				    * data files no entry refers to (fs_cache.c) */
	_Atomic int64_t jrec_seq;  /* the last journal record's sequence (fs_jrec.c) */
	char *data_aside;	   /* a damaged index's data files, moved aside at
				    * this mount (fs_open.c), or NULL */
};

/*
 * The functions the fs files share, by file, bottom-up by level: a file
 * calls only files of lower levels (contrib/callgraph.py BUILD --levels
 * src/fs/; docs/ARCHITECTURE.md has the list).
 */

/* ==== level 0: fs_path.c (paths, keys, the clock): fs/fs_path.h ==== */

/* ==== level 0: fs_data.c (data files, digests, space, journal record files) ==== */
/* Data files. */
int fs_data_path(const struct bfs_fs *fs, uint64_t id, char *out, size_t outsz);
int fs_data_create(struct bfs_fs *fs, uint64_t *id); /* returns an O_RDWR fd */
int fs_data_open(const struct bfs_fs *fs, uint64_t id, int flags);
/* Remove data file id (0: none); returns the bytes it held (accounted). */
uint64_t fs_data_unlink(struct bfs_fs *fs, uint64_t id);
/* Remove it without accounting (bytes that were never counted). */
void fs_data_unlink_quiet(const struct bfs_fs *fs, uint64_t id);
/* Close fd and remove data file id, whose bytes were never accounted. */
void fs_data_discard(struct bfs_fs *fs, int fd, uint64_t id);

/*
 * Digests of data files (fs_data.c), CRC-32C.  fs_data_crc: extend *crc by
 * len bytes of fd at off, read back: 0, -EIO when the file is shorter, or -errno.
 * fs_digest_extend: fd now holds valid bytes [from, to): a digest of exactly
 * [0, from) (crc_bytes == from; 0 for a new copy) is extended to [0, to);
 * none stays none, and a read error leaves none, never a wrong one.
 * fs_digest_fetched: the same from 0 for got bytes a GET wrote, by the
 * CRC-32C the store made of them as they came when it covers them.
 * fs_digest_staged: of a staged file of size bytes about to be uploaded,
 * into e: kept when journaled with it (fs_journal), else computed.  0 or -errno.
 */
int fs_data_crc(int fd, uint64_t off, uint64_t len, uint32_t *crc);
void fs_digest_extend(struct bfs_entry *e, int fd, uint64_t from, uint64_t to);
void fs_digest_fetched(struct bfs_entry *e, int fd, uint64_t got, const struct bfs_obj_info *info);
int fs_digest_staged(int fd, uint64_t size, struct bfs_entry *e);

/*
 * Cache space.  fs_space_grew: data files grew (or shrank, <0) by delta
 * bytes; over the cap or under the disk's floor, it wakes the evictor
 * (fs_cache.c) at once: fs_evict_wake.
 */
void fs_space_grew(struct bfs_fs *fs, int64_t delta);
void fs_evict_wake(struct bfs_fs *fs);

/*
 * Cache integrity (fs_data.c): fs_data_verified says data file id was
 * checked (or written) by this mount; fs_data_trust records it.
 */
int fs_data_verified(struct bfs_fs *fs, uint64_t id);
void fs_data_trust(struct bfs_fs *fs, uint64_t id);
/* fs->trust, with the filesystem. */
void fs_trust_init(struct bfs_fs *fs);
void fs_trust_destroy(struct bfs_fs *fs);

/* A journal record's file: CACHE/journal/ID.SUFFIX into out, 0 or
 * -ENAMETOOLONG.  fs_jrec_drop: remove staging file id's record, if any
 * (not synced); fs_data_unlink does, with the data file. */
int fs_jrec_path(const struct bfs_fs *fs, char *out, size_t sz, uint64_t id, const char *suffix);
void fs_jrec_drop(struct bfs_fs *fs, uint64_t id);

/* ==== level 0: mime.c; level 1: fs_touch.c ==== */
/*
 * Last uses (fs_touch.c).  Opening a cached file changes nothing in its
 * entry but its atime_ns, which only eviction reads: fs_touch keeps it in
 * memory, fs_touch_flush writes them all in one transaction.  Flushed
 * before every eviction round, every few seconds, every 64 files (by the
 * evictor, woken), and at close; a crash loses the last seconds of them
 * (older to eviction).
 * Any thread; no lock needed (none of the caller's is taken).
 */
void fs_touch(struct bfs_fs *fs, const char *path, int64_t now_ns);
void fs_touch_flush(struct bfs_fs *fs);
void fs_touch_init(struct bfs_fs *fs);
void fs_touch_destroy(struct bfs_fs *fs); /* frees what was not flushed */

/* Content-Type for a file name, from its extension. */
const char *bfs_mime_type(const char *name);

/* ==== level 1: fs_entry.c: fs/fs_entry.h ==== */

/* ==== level 1: fs_jrec.c (journal records) ==== */
/*
 * Journal records (fs_jrec.c): each journaled upload's description on its
 * own, CACHE/journal/ID.rec, so it survives the loss of the index.
 * fs_jrec_put: write (and sync) the record of journaled entry e at path
 * (its staged_id, size, digest...); 0 or -errno (logged).  At mount, before
 * any thread starts: fs_jrec_reconcile when the index is intact (records
 * it does not hold as journaled go), fs_jrec_recover when it is new or was
 * rebuilt (records become journaled uploads again, their data files taken
 * from directory from; their ids added to kept; what cannot be recovered
 * is moved to CACHE/lost+found and logged), 0 or -errno (then the mount
 * fails: nothing may be deleted).  fs_jrec_lose_entry: the journaled
 * upload e at path cannot be made (why): its record and data go to
 * lost+found, logged.  fs_jrec_lost: files kept in lost+found.
 */
struct idset;
int fs_jrec_put(struct bfs_fs *fs, const char *path, const struct bfs_entry *e);
/* fsync directory dir (a name made in it is durable then): 0 or -errno. */
int fs_sync_dir(const char *dir);
int fs_jrec_reconcile(struct bfs_fs *fs);
int fs_jrec_recover(struct bfs_fs *fs, const char *from, struct idset *kept);
void fs_jrec_lose_entry(struct bfs_fs *fs, const char *path, const struct bfs_entry *e,
			const char *why);
int fs_jrec_lost(const struct bfs_fs *fs, uint64_t *n);

/* ==== level 1: fs_stream.c (a lookup's GET, read while it comes): fs/fs_stream.h ==== */

/* ==== level 2: fs_journal.c (the write-back journal) ==== */
/*
 * fs_journal: make of's staged data durable and record it as UPLOADING
 * (write-back close); takes of->io.  fs_journal_wake: something was
 * journaled (the uploader's workers look).  fs_journal_init/destroy: the
 * signal (fs->jsig), with the filesystem.
 */
int fs_journal(struct bfs_fs *fs, struct bfs_ofile *of);
void fs_journal_wake(struct bfs_fs *fs);
void fs_journal_init(struct bfs_fs *fs);
void fs_journal_destroy(struct bfs_fs *fs);
/* of's staged data, with digest sent->crc*, is in the bucket (of->lock
 * held, before the entry is saved CLEAN): the digest becomes the cached
 * copy's, and its journal record (fs_jrec.c) is removed. */
void fs_journal_done(struct bfs_fs *fs, struct bfs_ofile *of, const struct bfs_entry *sent);
/* Delay before retry number attempts+1 of a failed journaled upload. */
int64_t fs_journal_backoff_ns(uint32_t attempts);

/* ==== level 2: fs_meta.c (attributes a listing cannot give), fs_recover.c ==== */
/*
 * Attributes a listing cannot give.  fs_meta_prefetch: path is being
 * looked up for its attributes: start asking, in the background, for those
 * of the entries after it in its directory.  fs_meta_start/stop: with the
 * filesystem; the workers ask through ask (fs_lookup_attrs, below: the
 * lookups are above this queue).
 */
void fs_meta_prefetch(struct bfs_fs *fs, const char *path);
/* A directory of path's parent is asked about for its attributes: is a
 * tree listing of the parent due (none for it lately)?  1 (and noted) or 0. */
int fs_meta_tree_due(struct bfs_fs *fs, const char *path);
/* Ask now, in this thread, for the attributes of path (an entry the index
 * holds without them): 0 (also when none were needed) or -errno. */
int fs_meta_ask(struct bfs_fs *fs, const char *path);
int fs_meta_start(struct bfs_fs *fs, int (*ask)(struct bfs_fs *fs, const char *path));
void fs_meta_stop(struct bfs_fs *fs);

/*
 * At open: drop staging left by a dead daemon (DIRTY: never acknowledged),
 * keep journaled uploads (UPLOADING) whose data is whole.
 */
int fs_recover(struct bfs_fs *fs);
/* Drop the unacknowledged writes of path (entry e, DIRTY): its staging
 * goes, and the entry goes back to the object it came from (revalidated
 * at its next use), or away when there was none.  0 or -errno. */
int fs_revert_entry(struct bfs_fs *fs, const char *path, const struct bfs_entry *e);

/* ==== level 3: fs_marker.c (owed directory markers), fs_ofile.c (open files) ==== */
/*
 * Directory markers owed (fs_marker.c).  fs_marker_deferrable: mkdir may
 * leave the marker of a new directory with attributes e owed.
 * fs_marker_pay: PUT the marker a journaled directory owes (the uploader,
 * and, with now set, operations that need it in the bucket); without now,
 * a directory with journaled entries below it waits for them instead; 0
 * also when nothing is owed or it waits.  fs_marker_settle: an object now in the bucket under path
 * makes the directories above it exist: their debts are void. fs_marker_pay_below: pay every debt
 * at or below directory path.
 */
int fs_marker_deferrable(const struct bfs_fs *fs, const struct bfs_entry *e);
/* Journal new directory e at path with its marker owed (sets its state). */
int fs_marker_owe(struct bfs_fs *fs, const char *path, struct bfs_entry *e);
int fs_marker_pay(struct bfs_fs *fs, const char *path, int now);
void fs_marker_settle(struct bfs_fs *fs, const char *path);
int fs_marker_pay_below(struct bfs_fs *fs, const char *path);
/* path (a file or directory) is about to leave its directory: a directory
 * is there until it is removed, so unless its marker is known to be in the
 * bucket, it is owed again (journaled, due marker_delay later; void if an
 * object lands below it first).  Not for the root.  0 or -errno. */
int fs_marker_keep(struct bfs_fs *fs, const char *path);
/* An entry was just made, removed or renamed at path through this mount:
 * its directory's st_mtime and st_ctime become now, as on a local disk
 * (its entry's dirchg_ns, under marker_mu: no request; its marker carries
 * them when it is next written; a new look at the marker keeps them, unless
 * the marker's attributes changed later). */
void fs_dir_changed(struct bfs_fs *fs, const char *path);

/* The open file for path, if any, with a reference (release with fs_ofile_put). */
struct bfs_ofile *fs_ofile_find(struct bfs_fs *fs, const char *path);
/*
 * Find or make the open file for path, with a reference; *fresh says it was
 * just made, and then it is returned with of->lock held for the caller to
 * set up (fs_ofile.c: the lock order).  0 or -ENOMEM.
 */
int fs_ofile_get(struct bfs_fs *fs, const char *path, struct bfs_ofile **out, int *fresh);
void fs_ofile_put(struct bfs_fs *fs, struct bfs_ofile *of);
/* 1 when path is open (fs_ofile_find without keeping the reference). */
int fs_ofile_is_open(struct bfs_fs *fs, const char *path);

/* Rename bookkeeping for an open file (its path changes; to NULL: it is
 * unlinked, reachable through its handles only).  The caller holds of->io
 * exclusive, or knows no upload or read of it can run. */
void fs_ofile_rename(struct bfs_fs *fs, const char *from, const char *to);
/* The same for every open file below directory from, which moves to to
 * (the caller holds their of->io exclusive).  0 or -ENOMEM (nothing moved). */
int fs_ofile_rename_tree(struct bfs_fs *fs, const char *from, const char *to);
/* The open files below directory dir ("/": all), each with a reference
 * (fs_ofile_put each, then free *out).  0 or -ENOMEM. */
int fs_ofile_collect(struct bfs_fs *fs, const char *dir, struct bfs_ofile ***out, size_t *n);
/* of lost its name (unlinked, replaced by a rename): never upload it; waits
 * for an upload in flight (takes of->io; _held: the caller has, released). */
void fs_ofile_orphan(struct bfs_fs *fs, struct bfs_ofile *of);
void fs_ofile_orphan_held(struct bfs_fs *fs, struct bfs_ofile *of);
/* fs->files; destroy frees the open files and handles left (at close). */
void fs_files_init(struct bfs_fs *fs);
void fs_files_destroy(struct bfs_fs *fs);
/* Handle f (f->of set) joins / leaves its file's handles; is it alone? */
void fs_ofile_attach(struct bfs_fs *fs, struct bfs_file *f);
void fs_ofile_detach(struct bfs_fs *fs, struct bfs_file *f);
int fs_ofile_alone(struct bfs_fs *fs, const struct bfs_file *f);

/* The attributes of open file of (st_nlink 0 once it lost its name):
 * 0, or -ENOENT when it is not set up (its open is failing). */
int fs_ofile_stat(struct bfs_fs *fs, struct bfs_ofile *of, struct stat *st);

/* ==== level 4: fs_itrim.c (the index kept within index_size) ==== */
/* fs_itrim_round: over index_size, forget names (the evictor's thread);
 * fs_itrim_check: after a listing page, wake the evictor if over (cheap);
 * fs_itrim_dir_used: dir was just read or listed: its children stay. */
void fs_itrim_round(struct bfs_fs *fs);
void fs_itrim_check(struct bfs_fs *fs);
void fs_itrim_dir_used(struct bfs_fs *fs, const char *dir);
void fs_itrim_init(struct bfs_fs *fs);
void fs_itrim_destroy(struct bfs_fs *fs);

/* ==== level 5: fs_cache.c (eviction), fs_listing.c (listings into the index) ==== */
/*
 * Eviction.  fs_cache_reserve: a writer is about to add bytes; evicts if
 * needed, -ENOSPC when the limits cannot be kept.  fs_cache_evict: free at
 * least need bytes of clean copies, least recently used first (returns
 * what it freed).  No fs lock may be held when calling reserve or evict.
 */
int fs_cache_reserve(struct bfs_fs *fs, uint64_t bytes);
uint64_t fs_cache_evict(struct bfs_fs *fs, uint64_t need);
uint64_t fs_cache_floor(const struct bfs_fs *fs, uint64_t total);
int fs_cache_start(struct bfs_fs *fs);
void fs_cache_stop(struct bfs_fs *fs);
/* Was data file id's copy evicted lately (one of the last FS_EVICTED_RING)? */
int fs_cache_evicted_lately(struct bfs_fs *fs, uint64_t id);
/* fs->space, with the filesystem. */
void fs_space_init(struct bfs_fs *fs);
void fs_space_destroy(struct bfs_fs *fs);

/*
 * A key of the bucket that the mount does not show: logged at
 * info level the first time this mount meets it (up to 4096 keys), with
 * why.
 */
void fs_key_hidden(struct bfs_fs *fs, const char *key, const char *why);
/* fs->hidden, with the filesystem. */
void fs_hidden_init(struct bfs_fs *fs);
void fs_hidden_destroy(struct bfs_fs *fs);

/*
 * Put one listing page of directory dir (key prefix dkey) into the index,
 * in one transaction (fs_listing.c, where the modes are described):
 * FS_APPLY_LISTING for readdir, FS_APPLY_WINDOW for a stale directory's
 * revalidation, FS_APPLY_SWEEP for the files after one revalidated in a
 * sweep (fs_lookup.c).  started: when the listing began.  0 or -errno.
 */
enum fs_apply_mode { FS_APPLY_LISTING, FS_APPLY_WINDOW, FS_APPLY_SWEEP };
/* Could a listing showing e's ETag and LastModified confirm e (a sweep's
 * listing: sweep = 1)?  Not attributes read within 2 s of the LastModified
 * they came with. */
int fs_listing_may_confirm(const struct bfs_entry *e, int sweep);
/*
 * Directories.  Does a listing of directory e's own keys confirm
 * the attributes e holds?  marker: the listing's line for its "dir/"
 * marker, NULL when it shows none.  fs_dir_attrs_forget: make e's
 * attributes unknown, so that its next lookup asks (a marker changed,
 * appeared or went).  fs_marker_lastmod: the LastModified a marker's HEAD
 * at now gave, as kept in lastmod_s (0: too recent to tell a later change
 * in the same second by).
 */
int fs_dir_marker_confirms(const struct bfs_fs *fs, const struct bfs_entry *e,
			   const struct bfs_listing_object *marker);
void fs_dir_attrs_forget(struct bfs_entry *e);
int64_t fs_marker_lastmod(int64_t lastmod_s, int64_t now);
/* shown (NULL, or a set the caller frees): a hash of the path of each
 * name the page showed is added to it, for fs_dir_prune. */
int fs_apply_page(struct bfs_fs *fs, const char *dir, const char *dkey, const struct bfs_listing *l,
		  int64_t started, int64_t now, enum fs_apply_mode mode, struct idset *shown);
/* The same, into batch b (the caller commits it). */
int fs_apply_page_batch(struct bfs_fs *fs, struct bfs_index_batch *b, const char *dir,
			const char *dkey, const struct bfs_listing *l, int64_t started, int64_t now,
			enum fs_apply_mode mode, struct idset *shown);
/*
 * LIST directory path (de: its entry) and bring the index in line with it:
 * names added or updated, names gone pruned, de's listing time set and
 * saved.  At most max_pages pages of 1000 names (0: all).
 * The pages it took (>= 1) when the listing was complete, 0 when the
 * directory has more names than that (what was listed is applied, nothing
 * pruned), or -errno.
 */
int fs_dir_relist(struct bfs_fs *fs, const char *path, struct bfs_entry *de, int max_pages);
/* After a complete listing of path begun at started (applied): its
 * children not seen in it are gone; their deletions go into batch b.
 * shown: the names the listing showed (fs_apply_page's), never pruned,
 * whatever an entry written since says (a lookup's answer to a request
 * sent before the listing began carries an older time). */
struct fs_pruned;
int fs_dir_prune(struct bfs_fs *fs, struct bfs_index_batch *b, const char *path, int64_t started,
		 const struct idset *shown, struct fs_pruned *gone);
/* The data files of the entries a prune deletes: removed only once those
 * deletes are committed (a delete left out keeps its entry's data: the
 * entry changed since the listing).  fs_pruned_done after the commit
 * (committed 0: it failed, nothing is removed) frees it. */
struct fs_pruned {
	struct strv *paths;
	uint64_t *ids;
	size_t n, alloc;
};
void fs_pruned_done(struct bfs_fs *fs, struct fs_pruned *gone, int committed);
/* e is what the bucket now says of old's path: keep what only the index
 * knew (cached data, metadata) when it is the same object. */
void fs_merge_known(const struct bfs_entry *old, struct bfs_entry *e);

/* ==== level 7: fs_fetch.c (the read cache) ==== */
/*
 * The read cache (fs_fetch.c), both with of->lock held: make of->fd a
 * readable copy of the current object (cached, revalidated or fetched), and
 * extend a large object's valid prefix to cover end.
 */
int fs_ensure_data(struct bfs_fs *fs, struct bfs_ofile *of);
int fs_fetch_upto(struct bfs_fs *fs, struct bfs_ofile *of, uint64_t end);

/* What is wrong with data file fd as the cached copy of e (NULL: nothing):
 * its length; with deep, the CRC-32C of its valid prefix when e has one
 * (crc_bytes == cached_bytes), else, for a whole copy, its size and
 * single-part MD5; and a whole copy's size. */
const char *fs_cached_problem(int fd, const struct bfs_entry *e, int deep);

/* ==== levels 6, 8, 4: fs_ask.c; fs_lookup.c; fs_upload.c ==== */
/*
 * What the bucket says a name is (fs_ask.c): fs_ask_name asks for path (a
 * file, a directory, a symlink; with fetch and lookup_get, a GET of a file's
 * first bytes; expect_new: a name most likely being created, one LIST);
 * fs_ask_dir makes the entry of directory path, from its marker dkey when
 * marker says it has one (one HEAD); fs_ask_err notes an unreachable bucket
 * and maps a failed request's error.  0 with *e, -ENOENT, or -errno.
 */
int fs_ask_name(struct bfs_fs *fs, const char *path, int fetch, int expect_new,
		struct bfs_entry *e);
int fs_ask_dir(struct bfs_fs *fs, const char *path, const char *dkey, int marker,
	       struct bfs_entry *e);
int fs_ask_err(struct bfs_fs *fs, const char *path, int rc);

/*
 * Find what path is: from the index while fresh, else from the bucket
 * (refreshing the index).  Returns 0 with *e, -ENOENT, or a mapped error.
 */
int fs_lookup(struct bfs_fs *fs, const char *path, struct bfs_entry *e);
/* Ask the bucket for path's attributes when the index holds it without
 * them (fs_attrs_known), unless a lookup of it is asking already; 0 or
 * -errno.  fs_meta.c's workers call it. */
int fs_lookup_attrs(struct bfs_fs *fs, const char *path);
/* fs->memo, with the filesystem. */
void fs_memo_init(struct bfs_fs *fs);
void fs_memo_destroy(struct bfs_fs *fs);

/* Upload an open file's staged data if dirty (of->io taken inside); with
 * journaled_only, only if what is staged is a journaled version. */
int fs_ofile_upload(struct bfs_fs *fs, struct bfs_ofile *of);
int fs_ofile_upload_if(struct bfs_fs *fs, struct bfs_ofile *of, int journaled_only);

/*
 * The journaled upload of path as an open file with a reference (release
 * with fs_ofile_put), for the uploader and rename: 0, or -EAGAIN when path
 * has nothing journaled (uploaded, removed, or being written again).
 */
int fs_ofile_pending(struct bfs_fs *fs, const char *path, struct bfs_ofile **out);
/* The uploader's threads (stop drains for at most wait_s seconds first). */
int fs_upload_start(struct bfs_fs *fs);
void fs_upload_stop(struct bfs_fs *fs, long wait_s);

/* ==== level 9: fs_name.c (checks before a name is made) ==== */
/* path's parent is an existing directory (0), or -ENOENT/-ENOTDIR/... */
int fs_parent_dir(struct bfs_fs *fs, const char *path);

/* path may be created: writable mount, no such name, parent a directory. */
int fs_new_name(struct bfs_fs *fs, const char *path);

/* ==== level 10: fs_file.c (handles, staging) ==== */
/* of (of->io held exclusive by the caller) is about to lose its object:
 * give it a whole private copy of its data (a GET of what is not cached),
 * so that its descriptors go on reading and writing what it held, as on a
 * local disk.  0 or -errno (fs_file.c). */
int fs_ofile_own_data(struct bfs_fs *fs, struct bfs_ofile *of);

/* ==== level 11: fs.c (the namespace) ==== */
/* rename(path, hidden) from FUSE, hiding a file it has open that is being
 * unlinked or replaced: the file leaves the bucket and the index, and lives
 * on as an open file named hidden (fs_hidden_name). */
int fs_hide(struct bfs_fs *fs, const char *path, const char *hidden);

#endif
