/* SPDX-License-Identifier: MIT */
/*
 * index_int.h - what the cache index's own files (index.c: environment,
 * transactions, errors; index_entry.c: entries, listings, batches) share.
 * The only header besides index.c's that includes lmdb.h.  Not part of the
 * public API.
 */
#ifndef BUCKETFS_INDEX_INT_H
#define BUCKETFS_INDEX_INT_H

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>

#include "bucketfs/index.h"

struct bfs_index {
	MDB_env *env;
	MDB_dbi meta;	 /* "format", "next_id" */
	MDB_dbi entries; /* entry key -> record */
	MDB_dbi state;	 /* state byte + entry key -> "" (states other than CLEAN) */
	/*
	 * Held shared by every transaction of this process, exclusively while
	 * the map is resized (LMDB requires that no transaction be active).
	 */
	pthread_rwlock_t lock;
	size_t mapsize;		  /* current map size; guarded by lock */
	atomic_int damage_logged; /* the first corruption report was printed */
	/* Data file ids reserved in the index (id_next up to id_end) and not
	 * handed out yet; guarded by id_lock. */
	pthread_mutex_t id_lock;
	uint64_t id_next, id_end;
	char *dir; /* for messages */
};

/*
 * The body of one transaction: returns 0, an LMDB return code (MDB_* or a
 * positive errno, as LMDB functions return them), or -errno.
 */
typedef int (*index_txn_fn)(struct bfs_index *ix, MDB_txn *txn, void *arg);

/*
 * Run fn in one transaction (flags MDB_RDONLY or 0) under the shared lock;
 * commit a write transaction when fn returns 0, abort it otherwise.  On
 * MDB_MAP_FULL or MDB_MAP_RESIZED the map is grown (or the other process's
 * size adopted) and fn runs once more, so fn must start from its inputs
 * every time.  Returns 0 or -errno (index_err()).
 */
int index_txn(struct bfs_index *ix, unsigned flags, index_txn_fn fn, void *arg);

/*
 * Put (record rec of state st) or delete the entry at key in txn, keeping
 * the "state" database in step (index_entry.c).  LMDB return codes.
 */
int index_entry_put(struct bfs_index *ix, MDB_txn *txn, char *key, size_t klen, void *rec,
		    size_t rlen, unsigned st);
int index_entry_del(struct bfs_index *ix, MDB_txn *txn, char *key, size_t klen);

/* An LMDB return code or -errno as -errno; logs damage to the index once. */
int index_err(struct bfs_index *ix, int rc);

/* Report a record or key that does not decode (once per open); returns -EIO. */
int index_bad_record(struct bfs_index *ix, const char *key, size_t klen);

#endif
