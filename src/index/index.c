/* SPDX-License-Identifier: MIT */
/*
 * index.c - the cache index's LMDB environment: opening and format check,
 * the transaction runner with map growth, error translation, data file ids
 * and statistics.  Entries, listings and batches are in index_entry.c, the
 * byte layout of keys and records in index_codec.c.
 *
 * The environment is a directory (data.mdb, lock.mdb) holding three named
 * databases: "meta" (format version, id counter), "entries" (PARENT "\0"
 * NAME -> record) and "state" (a secondary index of the entries whose state
 * is not CLEAN, so the upload journal finds its work without a full scan).
 *
 * Durability: MDB_NOMETASYNC, so a commit costs one fdatasync (of the data
 * pages) instead of two; the meta page is flushed by the next commit or
 * bfs_index_sync().  A power loss may undo the last commit, never corrupt
 * the index.  MDB_NOSYNC is not used: without any sync the OS may write the
 * meta page before the pages it points to, and a power loss then leaves a
 * corrupt database.
 *
 * DESIGN: every public call is its own transaction (MDB_NOTLS: the FUSE
 * thread pool may end a transaction on any thread, and a thread may hold a
 * read transaction while another module calls us again), begun and ended
 * inside index_txn() while holding ix->lock shared.  Growing the map needs
 * no transaction active in the process, so index_grow() takes ix->lock
 * exclusively; the lock prefers writers so a stream of readers cannot
 * starve it, which is safe because no thread ever takes it twice (callbacks
 * run outside it).  LMDB itself serialises writers and lets readers run
 * concurrently.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "index/index_codec.h"
#include "index/index_int.h"

#define INDEX_FORMAT_MINOR 0
#define INDEX_MAP_DEFAULT (1ULL << 30)
#define INDEX_MAX_READERS 256
#define INDEX_MAX_DBS 8

/* Keys of the "meta" database (not const: MDB_val holds a void *). */
static char meta_format[] = "format";	/* u32 major, u32 minor */
static char meta_next_id[] = "next_id"; /* u64: the next data file id */

/* ---- errors ---- */

/* Report damage to the index, once per open: later reports repeat the first. */
static int index_damaged(struct bfs_index *ix, const char *what, const char *path)
{
	if (!atomic_exchange(&ix->damage_logged, 1))
		bfs_log(LOG_ERR, "index %s: %s%s; the cache index is damaged", ix->dir, what, path);
	return -EIO;
}

int index_err(struct bfs_index *ix, int rc)
{
	if (rc > 0)
		return -rc; /* LMDB passes system errors through as errno */
	if (rc < MDB_KEYEXIST || rc > MDB_LAST_ERRCODE)
		return rc; /* 0, -errno or a bucketfs code */
	switch (rc) {
	case MDB_NOTFOUND:
		return -ENOENT;
	case MDB_KEYEXIST:
		return -EEXIST;
	case MDB_MAP_FULL:
		return -ENOSPC;
	case MDB_TXN_FULL:
		return -E2BIG; /* a batch too big for one transaction */
	case MDB_READERS_FULL:
	case MDB_MAP_RESIZED:
		return -EAGAIN;
	case MDB_BAD_VALSIZE:
		return -EINVAL;
	default: /* corruption, version mismatch, internal errors */
		return index_damaged(ix, mdb_strerror(rc), "");
	}
}

int index_bad_record(struct bfs_index *ix, const char *key, size_t klen)
{
	char path[INDEX_KEY_MAX + 1];

	if (atomic_load(&ix->damage_logged))
		return -EIO;
	if (index_key_path(key, klen, path, sizeof(path)))
		snprintf(path, sizeof(path), "(an undecodable key)");
	return index_damaged(ix, "cannot decode the record of ", path);
}

/* ---- transactions ---- */

#define INDEX_GROW_TRIES 8 /* growths one call may wait for (the map x 256) */

/* Double the map (or adopt another process's larger one) unless a thread already did. */
static int index_grow(struct bfs_index *ix, int why, size_t seen)
{
	MDB_envinfo info;
	int rc = 0;

	pthread_rwlock_wrlock(&ix->lock);
	if (ix->mapsize == seen) {
		if (why == MDB_MAP_RESIZED)
			rc = mdb_env_set_mapsize(ix->env, 0);
		else if (seen > SIZE_MAX / 2)
			rc = MDB_MAP_FULL;
		else
			rc = mdb_env_set_mapsize(ix->env, seen * 2);
		if (rc == 0 && (rc = mdb_env_info(ix->env, &info)) == 0)
			ix->mapsize = info.me_mapsize;
	}
	pthread_rwlock_unlock(&ix->lock);
	return rc;
}

int index_txn(struct bfs_index *ix, unsigned flags, index_txn_fn fn, void *arg)
{
	MDB_txn *txn;
	size_t seen;
	int rc, tries;

	for (tries = 0;; tries++) {
		pthread_rwlock_rdlock(&ix->lock);
		seen = ix->mapsize;
		rc = mdb_txn_begin(ix->env, NULL, flags, &txn);
		if (rc == 0) {
			rc = fn(ix, txn, arg);
			if (rc == 0 && !(flags & MDB_RDONLY))
				rc = mdb_txn_commit(txn); /* frees txn, also on failure */
			else
				mdb_txn_abort(txn);
		}
		pthread_rwlock_unlock(&ix->lock);
		/* Again after each growth, a few times: the other threads'
		 * commits may fill the doubled map before this one's retry
		 * (pages a reader's snapshot holds are not reused); with one
		 * retry, two of test_index's 8 writers got ENOSPC under
		 * ThreadSanitizer beside two busy loops. */
		if ((rc != MDB_MAP_FULL && rc != MDB_MAP_RESIZED) || tries >= INDEX_GROW_TRIES)
			break;
		if ((rc = index_grow(ix, rc, seen)) != 0)
			break;
	}
	return index_err(ix, rc);
}

/* ---- open, close ---- */

static void le32_put(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t le32_get(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* meta "format": u32 major, u32 minor.  A fresh index gets ours. */
static int check_format(struct bfs_index *ix, MDB_txn *txn)
{
	unsigned char buf[8];
	MDB_val k = { sizeof(meta_format) - 1, meta_format }, v;
	uint32_t major, minor;
	int rc = mdb_get(txn, ix->meta, &k, &v);

	if (rc == MDB_NOTFOUND) {
		le32_put(buf, BFS_INDEX_FORMAT);
		le32_put(buf + 4, INDEX_FORMAT_MINOR);
		v.mv_size = sizeof(buf);
		v.mv_data = buf;
		return mdb_put(txn, ix->meta, &k, &v, 0);
	}
	if (rc)
		return rc;
	if (v.mv_size != 8) {
		bfs_log(LOG_ERR, "index %s: the format version is unreadable", ix->dir);
		return -EIO;
	}
	major = le32_get(v.mv_data);
	minor = le32_get((const unsigned char *)v.mv_data + 4);
	if (major != BFS_INDEX_FORMAT) {
		bfs_log(LOG_ERR,
			"index %s has format %u.%u; this bucketfs reads format %u.x "
			"(move the cache directory away to start a new cache)",
			ix->dir, major, minor, BFS_INDEX_FORMAT);
		return BFS_E_CONFIG;
	}
	return 0;
}

static int open_dbs(struct bfs_index *ix, MDB_txn *txn, void *arg)
{
	int rc;

	(void)arg;
	if ((rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &ix->meta)) ||
	    (rc = check_format(ix, txn)) ||
	    (rc = mdb_dbi_open(txn, "entries", MDB_CREATE, &ix->entries)))
		return rc;
	return mdb_dbi_open(txn, "state", MDB_CREATE, &ix->state);
}

/* LMDB's settings, then mdb_env_open(); the caller closes env on failure. */
static int env_setup(struct bfs_index *ix, const char *dir, size_t map_size)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t ps = page > 0 ? (size_t)page : 4096;
	int rc;

	if (!map_size)
		map_size = INDEX_MAP_DEFAULT;
	if (map_size > SIZE_MAX - ps)
		return -EINVAL;
	map_size = (map_size + ps - 1) / ps * ps;
	if ((rc = mdb_env_set_maxreaders(ix->env, INDEX_MAX_READERS)) ||
	    (rc = mdb_env_set_maxdbs(ix->env, INDEX_MAX_DBS)) ||
	    (rc = mdb_env_set_mapsize(ix->env, map_size)))
		return index_err(ix, rc);
	rc = mdb_env_open(ix->env, dir, MDB_NOTLS | MDB_NOMETASYNC, 0600);
	if (rc) {
		if (rc > 0)
			bfs_log(LOG_ERR, "index %s: %s", dir, mdb_strerror(rc));
		return index_err(ix, rc);
	}
	if (mdb_env_get_maxkeysize(ix->env) < INDEX_KEY_MAX + 1) {
		bfs_log(LOG_ERR, "index %s: liblmdb allows keys of only %d bytes", dir,
			mdb_env_get_maxkeysize(ix->env));
		return -ENOTSUP;
	}
	return 0;
}

int bfs_index_open(const char *dir, size_t map_size, struct bfs_index **out)
{
	pthread_rwlockattr_t attr;
	struct bfs_index *ix;
	MDB_envinfo info;
	int rc, dead = 0;

	ix = calloc(1, sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	ix->dir = strdup(dir);
	if (!ix->dir) {
		rc = -ENOMEM;
		goto out_free;
	}
	atomic_init(&ix->damage_logged, 0);
	if ((rc = -pthread_mutex_init(&ix->id_lock, NULL)) != 0)
		goto out_free;
	if ((rc = -pthread_rwlockattr_init(&attr)) != 0)
		goto out_mutex;
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	rc = -pthread_rwlock_init(&ix->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	if (rc)
		goto out_mutex;
	if ((rc = mdb_env_create(&ix->env)) != 0) {
		rc = index_err(ix, rc);
		goto out_lock;
	}
	if ((rc = env_setup(ix, dir, map_size)) != 0)
		goto out_env;
	/* a daemon that crashed may have left reader slots that pin old pages */
	if (mdb_reader_check(ix->env, &dead) == 0 && dead > 0)
		bfs_log(LOG_WARNING, "index %s: cleared %d stale reader slots", dir, dead);
	if ((rc = index_err(ix, mdb_env_info(ix->env, &info))) != 0)
		goto out_env;
	ix->mapsize = info.me_mapsize;
	if ((rc = index_txn(ix, 0, open_dbs, NULL)) != 0)
		goto out_env;
	*out = ix;
	return 0;

out_env:
	mdb_env_close(ix->env);
out_lock:
	pthread_rwlock_destroy(&ix->lock);
out_mutex:
	pthread_mutex_destroy(&ix->id_lock);
out_free:
	free(ix->dir);
	free(ix);
	return rc;
}

void bfs_index_close(struct bfs_index *ix)
{
	if (!ix)
		return;
	mdb_env_close(ix->env);
	pthread_rwlock_destroy(&ix->lock);
	pthread_mutex_destroy(&ix->id_lock);
	free(ix->dir);
	free(ix);
}

/* ---- ids, statistics, sync ---- */

/* Ids are reserved this many at a time: one write transaction (and its
 * fsync) per 256 new data files rather than per file.  The counter on disk
 * is always past every id handed out, so none is ever reused, after a crash
 * too; a reopen starts a new block (the rest of the old one is skipped). */
#define ID_BLOCK 256

struct reserve {
	uint64_t first; /* out: the first id of the block */
	uint64_t floor; /* the block starts above this */
};

static int reserve_ids(struct bfs_index *ix, MDB_txn *txn, void *arg)
{
	struct reserve *res = arg;
	uint64_t *id = &res->first, next;
	unsigned char buf[8];
	MDB_val k = { sizeof(meta_next_id) - 1, meta_next_id }, v;
	int rc = mdb_get(txn, ix->meta, &k, &v), i;

	if (rc == MDB_NOTFOUND) {
		*id = 1;
	} else if (rc) {
		return rc;
	} else if (v.mv_size != 8) {
		return index_damaged(ix, "the data file id counter is unreadable", "");
	} else {
		*id = 0;
		for (i = 7; i >= 0; i--)
			*id = *id << 8 | ((const unsigned char *)v.mv_data)[i];
	}
	if (*id <= res->floor)
		*id = res->floor + 1;
	if (*id == 0 || *id >= UINT64_MAX - ID_BLOCK)
		return -EOVERFLOW;
	next = *id + ID_BLOCK;
	for (i = 0; i < 8; i++)
		buf[i] = (unsigned char)(next >> (8 * i));
	v.mv_size = sizeof(buf);
	v.mv_data = buf;
	return mdb_put(txn, ix->meta, &k, &v, 0);
}

int bfs_index_new_id(struct bfs_index *ix, uint64_t *id)
{
	struct reserve res = { 0, 0 };
	int rc = 0;

	pthread_mutex_lock(&ix->id_lock);
	if (ix->id_next == ix->id_end) {
		rc = index_txn(ix, 0, reserve_ids, &res);
		if (!rc) {
			ix->id_next = res.first;
			ix->id_end = res.first + ID_BLOCK;
		}
	}
	if (!rc)
		*id = ix->id_next++;
	pthread_mutex_unlock(&ix->id_lock);
	return rc;
}

int bfs_index_ids_above(struct bfs_index *ix, uint64_t id)
{
	struct reserve res = { 0, id };
	int rc = 0;

	pthread_mutex_lock(&ix->id_lock);
	if (ix->id_next <= id || ix->id_next == ix->id_end) {
		rc = index_txn(ix, 0, reserve_ids, &res);
		if (!rc) {
			ix->id_next = res.first;
			ix->id_end = res.first + ID_BLOCK;
		}
	}
	pthread_mutex_unlock(&ix->id_lock);
	return rc;
}

struct stat_args {
	uint64_t entries, disk_bytes;
};

static int stat_txn(struct bfs_index *ix, MDB_txn *txn, void *arg)
{
	struct stat_args *a = arg;
	MDB_stat ms;
	struct stat st;
	mdb_filehandle_t fd;
	int rc;

	if ((rc = mdb_stat(txn, ix->entries, &ms)) || (rc = mdb_env_get_fd(ix->env, &fd)))
		return rc;
	if (fstat(fd, &st))
		return -errno;
	a->entries = ms.ms_entries;
	a->disk_bytes = (uint64_t)st.st_blocks * 512;
	return 0;
}

int bfs_index_stat(struct bfs_index *ix, uint64_t *entries, uint64_t *disk_bytes)
{
	struct stat_args a;
	int rc = index_txn(ix, MDB_RDONLY, stat_txn, &a);

	if (rc)
		return rc;
	*entries = a.entries;
	*disk_bytes = a.disk_bytes;
	return 0;
}

int bfs_index_sync(struct bfs_index *ix)
{
	int rc;

	pthread_rwlock_rdlock(&ix->lock);
	rc = mdb_env_sync(ix->env, 1);
	pthread_rwlock_unlock(&ix->lock);
	return index_err(ix, rc);
}
