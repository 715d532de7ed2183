/* SPDX-License-Identifier: MIT */
/*
 * fs_fetch.c - the read cache of open files: make an open file's data file
 * a valid copy of the object (a fresh cached copy, one revalidated with a
 * conditional request, or a new GET), and extend the valid prefix of a large
 * object with ranged GETs pinned to its ETag as it is read.  When the bucket
 * is unreachable a stale cached copy is served rather than an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "bucketfs/crypto.h"
#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "fs/fs_int.h"

const char *fs_cached_problem(int fd, const struct bfs_entry *e, int deep)
{
	unsigned char md5[BFS_MD5_LEN];
	char hex[2 * BFS_MD5_LEN + 1];
	struct stat sb;

	uint32_t crc = 0;

	if (fstat(fd, &sb) < 0)
		return "it cannot be read";
	if ((uint64_t)sb.st_size < e->cached_bytes)
		return "it is shorter than the index says";
	if (!deep)
		return NULL;
	if ((e->flags & BFS_EF_CACHED) && (uint64_t)sb.st_size != e->size)
		return "its size is not the object's";
	if (e->crc_bytes && e->crc_bytes == e->cached_bytes) {
		/* our own digest, of whatever was fetched or staged, in one pass */
		if (fs_data_crc(fd, 0, e->crc_bytes, &crc))
			return "it cannot be read";
		return crc != e->crc32c ? "its CRC32C is not the one recorded" : NULL;
	}
	if (!(e->flags & BFS_EF_CACHED) || !bfs_etag_is_md5(e->etag))
		return NULL;
	if (bfs_digest_fd(fd, 0, (off_t)e->size, md5, NULL))
		return "it cannot be read";
	bfs_hex(md5, sizeof(md5), hex);
	return strcasecmp(hex, e->etag) ? "its MD5 is not the ETag's" : NULL;
}

/*
 * Is a cached copy fit to serve?  Always its size; at its first use in this
 * mount also its CRC-32C (any object, whole or in part), or for an entry
 * without one (an older version's), for a whole copy, the object's size and
 * the MD5 a single-part ETag names.  0 when it is; else logged, -EIO.
 */
static int check_cached(struct bfs_fs *fs, int fd, const struct bfs_entry *e, const char *path)
{
	int first = !fs_data_verified(fs, e->data_id);
	const char *why = fs_cached_problem(fd, e, first);

	if (!why) {
		if (first)
			fs_data_trust(fs, e->data_id);
		return 0;
	}
	atomic_fetch_add(&fs->stats.damaged, 1);
	bfs_log(LOG_ERR, "%s: the cached copy is damaged (%s): fetching it again", path, why);
	return -EIO;
}

/* Swap the entry's clean data file for a fetched one, in the index. */
static int adopt_fetch(struct bfs_fs *fs, struct bfs_ofile *of, uint64_t id,
		       const struct bfs_obj_info *info, uint64_t valid)
{
	struct bfs_entry e = of->ent;
	uint64_t old = e.data_id;

	fs_entry_from_info(fs, info, &e);
	if (!(e.flags & BFS_EF_META) && (of->ent.flags & BFS_EF_META) &&
	    !strcmp(of->ent.etag, info->etag)) {
		e.mode = of->ent.mode;
		e.uid = of->ent.uid;
		e.gid = of->ent.gid;
		e.flags |= BFS_EF_META;
	}
	if (e.type == BFS_ENT_DIR) /* (an object whose metadata says so, opened) */
		e.type = BFS_ENT_FILE;
	e.state = BFS_ST_CLEAN;
	e.flags &= ~(uint32_t)BFS_EF_FETCHED;
	e.data_id = id;
	e.cached_bytes = valid;
	e.crc_bytes = 0;
	e.crc32c = 0;
	fs_digest_fetched(&e, of->fd, valid, info); /* what just landed */
	if (valid == e.size)
		e.flags |= BFS_EF_CACHED;
	else
		e.flags &= ~(uint32_t)BFS_EF_CACHED;
	e.validated_ns = e.atime_ns = fs_now_ns();
	of->ent = e;
	of->size = e.size;
	of->refetched = 1;
	fs_data_trust(fs, id);
	if (old && old != id)
		fs_data_unlink(fs, old);
	return bfs_index_put(fs->ix, of->path, &e);
}

/*
 * An entry that names a data file with nothing cached yet: the lookup's
 * GET is still filling it (fs_stream.c).  Read it as it comes: of->fd is
 * the data file, of->valid grows with what the stream lets readers take
 * (fs_fetch_upto).  1 when there is no such GET (any more: what it brought
 * is in the index now, taken into of->ent), else 0 or -errno.
 */
static int attach_stream(struct bfs_fs *fs, struct bfs_ofile *of)
{
	struct bfs_entry *e = &of->ent, now;
	struct fs_stream *s = fs_stream_find(fs, e->data_id);
	int fd;

	if (!s) {
		if (bfs_index_get(fs->ix, of->path, &now) == 0 && now.data_id == e->data_id &&
		    !strcmp(now.etag, e->etag)) {
			e->cached_bytes = now.cached_bytes;
			e->crc_bytes = now.crc_bytes;
			e->crc32c = now.crc32c;
			e->flags |= now.flags & BFS_EF_CACHED;
		}
		return 1;
	}
	fd = fs_data_open(fs, e->data_id, O_RDWR);
	if (fd < 0) { /* (failed and removed meanwhile) */
		fs_stream_put(s);
		return 1;
	}
	atomic_fetch_add(&fs->stats.misses, 1);
	e->flags &= ~(uint32_t)BFS_EF_FETCHED;
	e->atime_ns = fs_now_ns();
	fs_touch(fs, of->path, e->atime_ns); /* (which clears it in the index) */
	of->fd = fd;
	of->fd_id = e->data_id;
	of->valid = 0;
	of->size = e->size;
	of->stream = s;
	of->refetched = 1; /* (bytes new to this mount: no pages to keep) */
	return 0;
}

/*
 * Extend of->valid to end from the stream filling of->fd.  0 when it
 * covers end; 1 when the stream ended short of it (a large object's first
 * bytes: go on with ranged GETs); -errno when the GET failed.  A GET that
 * failed before this file took any of it is fetched afresh (checked); one
 * that failed after leaves nothing of it to serve: the bytes taken may be
 * damaged, so the data is dropped and the next read fetches it again.
 */
static int read_stream(struct bfs_fs *fs, struct bfs_ofile *of, uint64_t end)
{
	struct fs_stream_end fin;
	uint64_t ready;
	int rc = fs_stream_wait(of->stream, end, &ready, &fin);

	if (rc == 0) {
		if (ready > of->valid)
			of->valid = ready;
		return 0;
	}
	fs_stream_put(of->stream);
	of->stream = NULL;
	if (rc == 1) {
		of->valid = fin.got;
		of->ent.cached_bytes = fin.got;
		of->ent.crc_bytes = fin.crc_bytes;
		of->ent.crc32c = fin.crc32c;
		if (fin.whole)
			of->ent.flags |= BFS_EF_CACHED;
		return end <= of->valid ? 0 : 1;
	}
	/* (not closed: another reader may be in a pread of it, with of->io
	 * shared as here; one stream a file at most, so one such fd) */
	if (of->dead_fd >= 0)
		close(of->dead_fd);
	of->dead_fd = of->fd;
	of->fd = -1;
	of->fd_id = 0;
	of->ent.data_id = 0;
	of->ent.cached_bytes = of->ent.crc_bytes = 0;
	of->ent.flags &= ~(uint32_t)BFS_EF_CACHED;
	if (of->valid) {
		of->valid = 0;
		return rc == BFS_E_PRECOND ? -ESTALE : fs_store_errno("read", of->path, rc);
	}
	rc = fs_ensure_data(fs, of);
	return rc ? rc : end <= of->valid ? 0 : 1;
}

/*
 * Make of->fd a readable copy of the current object (of->lock held):
 * the cached copy if fresh or still valid (304), else fetched.
 * Long: the cases of a copy in order (fresh, checked, revalidated, fetched);
 * to be split with the fs layer's restructuring (issue 24).
 */
int fs_ensure_data(struct bfs_fs *fs, struct bfs_ofile *of)
{
	struct bfs_get_opts go = { 0 };
	struct bfs_obj_info info;
	char key[FS_KEY_MAX];
	struct bfs_entry *e = &of->ent;
	int64_t now = fs_now_ns();
	int fresh = now - e->validated_ns < (int64_t)fs->cfg.stat_ttl_ms * 1000000 ||
		    (e->etag[0] && e->validated_ns && fs_immutable(fs, of->path));
	uint64_t id;
	int fd = -1, rc, whole;

	if (of->staged || of->fd >= 0)
		return 0;
	rc = fs_file_key(fs, of->path, key, sizeof(key));
	if (rc)
		return rc;
	if (e->data_id && !e->cached_bytes && (rc = attach_stream(fs, of)) <= 0)
		return rc;
	/* A cached copy whose file is intact (checked at its first use in this
	 * mount); a damaged one is dropped and fetched again, never served. */
	if (e->data_id && e->cached_bytes) {
		fd = fs_data_open(fs, e->data_id, O_RDWR);
		if (fd >= 0 && check_cached(fs, fd, e, of->path)) {
			close(fd);
			fd = -1;
			fs_data_unlink(fs, e->data_id);
			e->data_id = 0;
			e->cached_bytes = e->crc_bytes = 0;
			e->flags &= ~(uint32_t)BFS_EF_CACHED;
		} else if (fd < 0 && e->data_id) {
			/* (evicted after this open, or a lookup just before it,
			 * read the entry: no damage) */
			if (fs_cache_evicted_lately(fs, e->data_id))
				bfs_log(
				    LOG_DEBUG,
				    "%s: its cached copy was evicted meanwhile: fetching it again",
				    of->path);
			else
				bfs_log(LOG_ERR,
					"%s: the cached copy is missing: fetching it again",
					of->path);
			e->data_id = 0;
			e->cached_bytes = e->crc_bytes = 0;
			e->flags &= ~(uint32_t)BFS_EF_CACHED;
		}
	}
	if (fd >= 0 && (fresh || fs_offline(fs))) {
		/* (fetched by the lookup just before: the request was this open's) */
		atomic_fetch_add(e->flags & BFS_EF_FETCHED ? &fs->stats.misses : &fs->stats.hits,
				 1);
		goto use_cached;
	}
	if (fd >= 0 && e->etag[0] && (e->flags & BFS_EF_CACHED)) {
		/* Stale: one conditional request; 304 costs no body. */
		int nfd, sweep = fs_sweep_due(fs, of->path, now);

		atomic_fetch_add(&fs->stats.reval, 1);
		nfd = fs_data_create(fs, &id);
		if (nfd < 0) {
			close(fd);
			return nfd;
		}
		go.if_none_match = e->etag;
		rc = bfs_store_get_fd(fs->store, key, &go, nfd, 0, &info);
		if (sweep && (rc == 0 || rc == BFS_E_NOTMODIFIED))
			fs_sweep_after(fs, of->path, key);
		if (rc == BFS_E_NOTMODIFIED) {
			fs_data_discard(fs, nfd, id);
			atomic_fetch_add(&fs->stats.not_modified, 1);
			atomic_fetch_add(&fs->stats.hits, 1);
			e->validated_ns = now;
			goto use_cached;
		}
		if (rc) {
			fs_data_discard(fs, nfd, id);
			if (fs_went_offline(fs, rc))
				goto use_cached; /* stale beats nothing */
			close(fd);
			goto fail;
		}
		close(fd);
		atomic_fetch_add(&fs->stats.misses, 1);
		of->fd = nfd;
		of->fd_id = id;
		of->valid = info.size;
		fs_space_grew(fs, (int64_t)info.size);
		return adopt_fetch(fs, of, id, &info, info.size);
	}
	if (fd >= 0 && e->etag[0]) {
		/* A large object partly cached: check it did not change. */
		atomic_fetch_add(&fs->stats.reval, 1);
		rc = bfs_store_head(fs->store, key, &info);
		if (rc && fs_went_offline(fs, rc))
			goto use_cached;
		if (rc) {
			close(fd);
			goto fail;
		}
		if (!strcmp(info.etag, e->etag)) {
			e->validated_ns = now;
			atomic_fetch_add(&fs->stats.hits, 1);
			goto use_cached;
		}
		close(fd);
		fd = -1;
	}
	if (fd >= 0)
		close(fd);

	/* Not cached: small objects whole, large ones as they are read. */
	atomic_fetch_add(&fs->stats.misses, 1);
	fd = fs_data_create(fs, &id);
	if (fd < 0)
		return fd;
	whole = e->size <= fs->cfg.whole_max;
	rc = whole ? bfs_store_get_fd(fs->store, key, NULL, fd, 0, &info)
		   : bfs_store_head(fs->store, key, &info);
	if (rc) {
		fs_data_discard(fs, fd, id);
		goto fail;
	}
	of->fd = fd;
	of->fd_id = id;
	of->valid = whole ? info.size : 0;
	fs_space_grew(fs, (int64_t)of->valid);
	return adopt_fetch(fs, of, id, &info, of->valid);

use_cached:
	of->fd = fd;
	of->fd_id = e->data_id;
	of->valid = e->cached_bytes;
	of->size = e->size;
	e->atime_ns = now;
	if (e->validated_ns != now) {
		/* nothing learnt but the use (for a copy the lookup just fetched,
		 * that it was opened: the batch of uses clears BFS_EF_FETCHED),
		 * so no write transaction of its own: the first read of a file
		 * is not one fdatasync longer */
		e->flags &= ~(uint32_t)BFS_EF_FETCHED;
		fs_touch(fs, of->path, now);
		return 0;
	}
	e->flags &= ~(uint32_t)BFS_EF_FETCHED;
	(void)bfs_index_put(fs->ix, of->path, e);
	return 0;
fail:
	if (rc == BFS_E_NOTFOUND) {
		struct bfs_entry neg;

		bfs_entry_init(&neg);
		neg.state = BFS_ST_NEGATIVE;
		neg.validated_ns = now;
		fs_data_unlink(fs, e->data_id);
		(void)bfs_index_put(fs->ix, of->path, &neg);
		return -ENOENT;
	}
	return fs_store_errno("open", of->path, rc);
}

/* The most ranges fetched at once for one read. */
#define FETCH_PARALLEL_MAX 16

/* One range of a fetch, for a thread of its own. */
struct fetch_range {
	struct bfs_store *store;
	const char *key;
	struct bfs_get_opts go;
	int fd;
	int rc;
};

static void *fetch_range_run(void *arg)
{
	struct fetch_range *r = arg;

	r->rc = bfs_store_get_fd(r->store, r->key, &r->go, r->fd, (off_t)r->go.off, NULL);
	return NULL;
}

/*
 * Extend the valid prefix of a large object to cover end, and readahead
 * bytes past it (of->lock held).  The first fetch of an open file is one
 * ranged GET.  A read at the edge of what is already here is a sequential
 * reader: then fetch_parallel ranges of readahead bytes are fetched at once,
 * each by a thread, as a multipart upload sends its parts (one connection
 * does not fill the link to an object store).  Every range is pinned to the
 * ETag the file was opened with.  The valid prefix grows by the ranges that
 * came, in order, up to the first that failed; what lies past it is cut.
 */
int fs_fetch_upto(struct bfs_fs *fs, struct bfs_ofile *of, uint64_t end)
{
	struct fetch_range r[FETCH_PARALLEL_MAX];
	pthread_t tids[FETCH_PARALLEL_MAX];
	int started[FETCH_PARALLEL_MAX] = { 0 };
	char key[FS_KEY_MAX];
	uint64_t off, len, step, got = 0;
	int rc, n = 1, i;

	if (end > of->size)
		end = of->size;
	if (of->staged || end <= of->valid)
		return 0;
	if (of->stream && (rc = read_stream(fs, of, end)) <= 0)
		return rc;
	rc = fs_file_key(fs, of->path, key, sizeof(key));
	if (rc)
		return rc;
	len = end - of->valid + fs->cfg.readahead;
	step = len;
	if (of->valid > 0 && fs->cfg.fetch_parallel > 1) {
		n = fs->cfg.fetch_parallel < FETCH_PARALLEL_MAX ? fs->cfg.fetch_parallel
								: FETCH_PARALLEL_MAX;
		step = fs->cfg.readahead;
		if (len < step * (uint64_t)n)
			len = step * (uint64_t)n;
		else
			step = (len + (uint64_t)n - 1) / (uint64_t)n;
	}
	if (of->valid + len > of->size)
		len = of->size - of->valid;
	for (i = 0, off = of->valid; i < n && off < of->valid + len; i++, off += step) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].store = fs->store;
		r[i].key = key;
		r[i].fd = of->fd;
		r[i].go.off = off;
		r[i].go.len = of->valid + len - off < step ? of->valid + len - off : step;
		r[i].go.if_match = of->ent.etag[0] ? of->ent.etag : NULL; /* one version */
		r[i].go.expect_size = of->size; /* and all of go.len comes, or an error */
	}
	n = i;
	/* ranges 1.. on threads of their own; range 0, which the reader
	 * waits for first, on this one (alone if a thread cannot start) */
	for (i = 1; i < n; i++)
		started[i] = pthread_create(&tids[i], NULL, fetch_range_run, &r[i]) == 0;
	fetch_range_run(&r[0]);
	for (i = 1; i < n; i++) {
		if (started[i])
			pthread_join(tids[i], NULL);
		else
			fetch_range_run(&r[i]);
	}
	rc = 0;
	for (i = 0; i < n; i++) {
		if (r[i].rc) {
			rc = r[i].rc;
			break;
		}
		got += r[i].go.len;
	}
	if (got) {
		/* the ranges landed in order: extend the digest of the prefix */
		fs_digest_extend(&of->ent, of->fd, of->valid, of->valid + got);
		of->valid += got;
		fs_space_grew(fs, (int64_t)got);
		of->ent.cached_bytes = of->valid;
		of->ent_changed = 1;
		if (of->valid == of->size)
			of->ent.flags |= BFS_EF_CACHED;
	}
	if (rc && ftruncate(of->fd, (off_t)of->valid) < 0)
		rc = -errno; /* keep only the valid (accounted) prefix */
	if (rc && of->valid >= end)
		return 0; /* what this read needs came; a later read retries the rest */
	if (rc == BFS_E_PRECOND)
		return -ESTALE; /* changed under us: this read ends; reopen sees the new one */
	if (rc)
		return fs_store_errno("read", of->path, rc);
	return 0;
}
