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
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "bucketfs/crypto.h"
#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "fs_int.h"

int fs_data_verified(struct bfs_fs *fs, uint64_t id)
{
	int r;

	pthread_mutex_lock(&fs->verified_lock);
	r = idset_has(&fs->verified, id);
	pthread_mutex_unlock(&fs->verified_lock);
	return r;
}

/* The set of checked copies is a memo, not a record: past this many ids it
 * starts again (1 MiB of table at most), and a copy is checked once more at
 * its next first use, so memory stays flat however many files are cached. */
#define VERIFIED_MAX 65536

void fs_data_trust(struct bfs_fs *fs, uint64_t id)
{
	pthread_mutex_lock(&fs->verified_lock);
	if (fs->verified.len >= VERIFIED_MAX)
		idset_clear(&fs->verified);
	(void)idset_add(&fs->verified, id);  /* on ENOMEM it is checked again: fine */
	pthread_mutex_unlock(&fs->verified_lock);
}

const char *fs_cached_problem(int fd, const struct bfs_entry *e, int deep)
{
	unsigned char md5[BFS_MD5_LEN];
	char hex[2 * BFS_MD5_LEN + 1];
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return "it cannot be read";
	if ((uint64_t)sb.st_size < e->cached_bytes)
		return "it is shorter than the index says";
	if (!deep || !(e->flags & BFS_EF_CACHED))
		return NULL;
	if ((uint64_t)sb.st_size != e->size)
		return "its size is not the object's";
	if (!bfs_etag_is_md5(e->etag))
		return NULL;
	if (bfs_digest_fd(fd, 0, (off_t)e->size, md5, NULL))
		return "it cannot be read";
	bfs_hex(md5, sizeof(md5), hex);
	return strcasecmp(hex, e->etag) ? "its MD5 is not the ETag's" : NULL;
}

/*
 * Is a cached copy fit to serve?  Always its size; at its first use in this
 * mount also, for a whole copy, the object's size and the MD5 a single-part
 * ETag names.  0 when it is; else logged, -EIO.
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
	atomic_fetch_add(&fs->st_damaged, 1);
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
	if (e.type != BFS_ENT_FILE)
		e.type = BFS_ENT_FILE;
	e.state = BFS_ST_CLEAN;
	e.flags &= ~(uint32_t)BFS_EF_FETCHED;
	e.data_id = id;
	e.cached_bytes = valid;
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
 * Make of->fd a readable copy of the current object (of->lock held):
 * the cached copy if fresh or still valid (304), else fetched.
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
	/* A cached copy whose file is intact (checked at its first use in this
	 * mount); a damaged one is dropped and fetched again, never served. */
	if (e->data_id && e->cached_bytes) {
		fd = fs_data_open(fs, e->data_id, O_RDWR);
		if (fd >= 0 && check_cached(fs, fd, e, of->path)) {
			close(fd);
			fd = -1;
			fs_data_unlink(fs, e->data_id);
			e->data_id = 0;
			e->cached_bytes = 0;
			e->flags &= ~(uint32_t)BFS_EF_CACHED;
		} else if (fd < 0 && e->data_id) {
			bfs_log(LOG_ERR, "%s: the cached copy is missing: fetching it again",
			       of->path);
			e->data_id = 0;
			e->cached_bytes = 0;
			e->flags &= ~(uint32_t)BFS_EF_CACHED;
		}
	}
	if (fd >= 0 && (fresh || fs_offline(fs))) {
		/* (fetched by the lookup just before: the request was this open's) */
		atomic_fetch_add(e->flags & BFS_EF_FETCHED ? &fs->st_misses : &fs->st_hits, 1);
		goto use_cached;
	}
	if (fd >= 0 && e->etag[0] && (e->flags & BFS_EF_CACHED)) {
		/* Stale: one conditional request; 304 costs no body. */
		int nfd;

		atomic_fetch_add(&fs->st_reval, 1);
		nfd = fs_data_create(fs, &id);
		if (nfd < 0) {
			close(fd);
			return nfd;
		}
		go.if_none_match = e->etag;
		rc = bfs_store_get_fd(fs->store, key, &go, nfd, 0, &info);
		if (rc == BFS_E_NOTMODIFIED) {
			fs_data_discard(fs, nfd, id);
			atomic_fetch_add(&fs->st_304, 1);
			atomic_fetch_add(&fs->st_hits, 1);
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
		atomic_fetch_add(&fs->st_misses, 1);
		of->fd = nfd;
		of->fd_id = id;
		of->valid = info.size;
		fs_cache_grew(fs, (int64_t)info.size);
		return adopt_fetch(fs, of, id, &info, info.size);
	}
	if (fd >= 0 && e->etag[0]) {
		/* A large object partly cached: check it did not change. */
		atomic_fetch_add(&fs->st_reval, 1);
		rc = bfs_store_head(fs->store, key, &info);
		if (rc && fs_went_offline(fs, rc))
			goto use_cached;
		if (rc) {
			close(fd);
			goto fail;
		}
		if (!strcmp(info.etag, e->etag)) {
			e->validated_ns = now;
			atomic_fetch_add(&fs->st_hits, 1);
			goto use_cached;
		}
		close(fd);
		fd = -1;
	}
	if (fd >= 0)
		close(fd);

	/* Not cached: small objects whole, large ones as they are read. */
	atomic_fetch_add(&fs->st_misses, 1);
	fd = fs_data_create(fs, &id);
	if (fd < 0)
		return fd;
	whole = e->size <= fs->cfg.whole_max;
	rc = whole ? bfs_store_get_fd(fs->store, key, NULL, fd, 0, &info) :
		     bfs_store_head(fs->store, key, &info);
	if (rc) {
		fs_data_discard(fs, fd, id);
		goto fail;
	}
	of->fd = fd;
	of->fd_id = id;
	of->valid = whole ? info.size : 0;
	fs_cache_grew(fs, (int64_t)of->valid);
	return adopt_fetch(fs, of, id, &info, of->valid);

use_cached:
	e->flags &= ~(uint32_t)BFS_EF_FETCHED;
	of->fd = fd;
	of->fd_id = e->data_id;
	of->valid = e->cached_bytes;
	of->size = e->size;
	e->atime_ns = now;
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

/* Extend the valid prefix of a large object to cover end (of->lock held). */
int fs_fetch_upto(struct bfs_fs *fs, struct bfs_ofile *of, uint64_t end)
{
	struct bfs_get_opts go = { 0 };
	char key[FS_KEY_MAX];
	int rc;

	if (end > of->size)
		end = of->size;
	if (of->staged || end <= of->valid)
		return 0;
	rc = fs_file_key(fs, of->path, key, sizeof(key));
	if (rc)
		return rc;
	go.off = of->valid;
	go.len = end - of->valid + fs->cfg.readahead;
	if (go.off + go.len > of->size)
		go.len = of->size - go.off;
	go.if_match = of->ent.etag[0] ? of->ent.etag : NULL; /* one version per read */
	rc = bfs_store_get_fd(fs->store, key, &go, of->fd, (off_t)go.off, NULL);
	if (rc && ftruncate(of->fd, (off_t)of->valid) < 0)
		rc = -errno;  /* keep only the valid (accounted) prefix */
	if (rc == BFS_E_PRECOND)
		return -ESTALE; /* changed under us: this read ends; reopen sees the new one */
	if (rc)
		return fs_store_errno("read", of->path, rc);
	of->valid = go.off + go.len;
	fs_cache_grew(fs, (int64_t)go.len);
	of->ent.cached_bytes = of->valid;
	of->ent_changed = 1;
	if (of->valid == of->size)
		of->ent.flags |= BFS_EF_CACHED;
	return 0;
}
