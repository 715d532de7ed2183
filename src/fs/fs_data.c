/* SPDX-License-Identifier: MIT */
/*
 * fs_data.c - the cache's data files: CACHE_DIR/data/XX/ID, one per cached
 * or staged object version, named by an id from the index's counter.
 * Creating, opening and removing them, with the bytes they hold counted for
 * the cache's limits (fs_cache.c), and their digests (CRC-32C of the valid
 * prefix, kept in the index entry and checked at a copy's first use), and
 * which of them this mount has checked (or written): trusted, not checked
 * again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/crc32c.h"
#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "fs/fs_int.h"

int fs_data_path(const struct bfs_fs *fs, uint64_t id, char *out, size_t outsz)
{
	if ((size_t)snprintf(out, outsz, "%s/%02x/%" PRIu64, fs->data_dir, (unsigned)(id & 0xff),
			     id) >= outsz)
		return -ENAMETOOLONG;
	return 0;
}

int fs_data_create(struct bfs_fs *fs, uint64_t *id)
{
	char path[PATH_MAX];
	int rc, fd;

	rc = bfs_index_new_id(fs->ix, id);
	if (rc)
		return rc;
	rc = fs_data_path(fs, *id, path, sizeof(path));
	if (rc)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

int fs_data_open(const struct bfs_fs *fs, uint64_t id, int flags)
{
	char path[PATH_MAX];
	int rc, fd;

	rc = fs_data_path(fs, id, path, sizeof(path));
	if (rc)
		return rc;
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

void fs_data_unlink_quiet(const struct bfs_fs *fs, uint64_t id)
{
	char path[PATH_MAX];

	if (id && fs_data_path(fs, id, path, sizeof(path)) == 0)
		(void)unlink(path);
}

uint64_t fs_data_unlink(struct bfs_fs *fs, uint64_t id)
{
	char path[PATH_MAX];
	struct stat sb;

	if (!id || fs_data_path(fs, id, path, sizeof(path)) != 0)
		return 0;
	fs_jrec_drop(fs, id); /* a journaled upload dropped (unlinked, replaced) */
	if (stat(path, &sb) < 0 || unlink(path) < 0)
		return 0;
	fs_space_grew(fs, -(int64_t)sb.st_size);
	return (uint64_t)sb.st_size;
}

void fs_data_discard(struct bfs_fs *fs, int fd, uint64_t id)
{
	/* Emptied first, so the unlink accounts nothing for it; if that
	 * fails, the count drifts until the next walk (fs_cache.c). */
	int rc = ftruncate(fd, 0);

	close(fd);
	if (rc == 0)
		fs_data_unlink(fs, id);
	else
		fs_data_unlink_quiet(fs, id);
}

/* A multiple of the CRC's 3 x 8 KiB hardware block, small enough for L2. */
#define CRC_CHUNK (10 * 3 * 8192)

int fs_data_crc(int fd, uint64_t off, uint64_t len, uint32_t *crc)
{
	unsigned char *buf;
	uint32_t c = *crc;
	int rc = 0;

	if (!len)
		return 0;
	buf = malloc(len < CRC_CHUNK ? (size_t)len : CRC_CHUNK);
	if (!buf)
		return -ENOMEM;
	while (len) {
		size_t want = len < CRC_CHUNK ? (size_t)len : CRC_CHUNK;
		ssize_t n = pread(fd, buf, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		c = bfs_crc32c(c, buf, (size_t)n);
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	free(buf);
	if (!rc)
		*crc = c;
	return rc;
}

void fs_digest_extend(struct bfs_entry *e, int fd, uint64_t from, uint64_t to)
{
	uint32_t c = e->crc32c;

	if (to <= from || e->crc_bytes != from)
		return;
	if (from == 0)
		c = 0;
	if (fs_data_crc(fd, from, to - from, &c)) {
		e->crc_bytes = 0;
		e->crc32c = 0;
		return;
	}
	e->crc_bytes = to;
	e->crc32c = c;
}

void fs_digest_fetched(struct bfs_entry *e, int fd, uint64_t got, const struct bfs_obj_info *info)
{
	if (got && info->crc_bytes == got) {
		e->crc_bytes = got;
		e->crc32c = info->crc32c;
		return;
	}
	e->crc_bytes = 0;
	fs_digest_extend(e, fd, 0, got);
}

int fs_digest_staged(int fd, uint64_t size, struct bfs_entry *e)
{
	uint32_t c = 0;
	int rc;

	if (e->state == BFS_ST_UPLOADING && e->crc_bytes == size)
		return 0;
	rc = fs_data_crc(fd, 0, size, &c);
	if (rc)
		return rc;
	e->crc_bytes = size;
	e->crc32c = c;
	return 0;
}

void fs_space_grew(struct bfs_fs *fs, int64_t delta)
{
	int64_t now;

	if (!delta)
		return;
	now = atomic_fetch_add(&fs->space.cache_bytes, delta) + delta;
	if (delta <= 0)
		return;
	/* Over the cap, or (by the last look at the disk and what we added
	 * since) under the floor: evict now rather than at the next round. */
	if ((fs->cfg.cache_size && (uint64_t)now > fs->cfg.cache_size) ||
	    atomic_load(&fs->space.space_avail) - (now - atomic_load(&fs->space.space_used)) <
		atomic_load(&fs->space.space_floor))
		fs_evict_wake(fs);
}

void fs_evict_wake(struct bfs_fs *fs)
{
	pthread_mutex_lock(&fs->space.evict_mu);
	fs->space.evict_wake = 1;
	pthread_cond_signal(&fs->space.evict_cond);
	pthread_mutex_unlock(&fs->space.evict_mu);
}

/* CACHE/journal/ID.SUFFIX into out. */
int fs_jrec_path(const struct bfs_fs *fs, char *out, size_t sz, uint64_t id, const char *suffix)
{
	int n = snprintf(out, sz, "%s/journal/%" PRIu64 "%s", fs->cache_dir, id, suffix);

	return n < 0 || (size_t)n >= sz ? -ENAMETOOLONG : 0;
}

void fs_jrec_drop(struct bfs_fs *fs, uint64_t id)
{
	char at[PATH_MAX];

	if (id && !fs_jrec_path(fs, at, sizeof(at), id, ".rec"))
		(void)unlink(at);
}

int fs_data_verified(struct bfs_fs *fs, uint64_t id)
{
	int r;

	pthread_mutex_lock(&fs->trust.lock);
	r = idset_has(&fs->trust.ids, id);
	pthread_mutex_unlock(&fs->trust.lock);
	return r;
}

/* The set of checked copies is a memo, not a record: past this many ids it
 * starts again (1 MiB of table at most), and a copy is checked once more at
 * its next first use, so memory stays flat however many files are cached. */
#define VERIFIED_MAX 65536

void fs_data_trust(struct bfs_fs *fs, uint64_t id)
{
	pthread_mutex_lock(&fs->trust.lock);
	if (fs->trust.ids.len >= VERIFIED_MAX)
		idset_clear(&fs->trust.ids);
	(void)idset_add(&fs->trust.ids, id); /* on ENOMEM it is checked again: fine */
	pthread_mutex_unlock(&fs->trust.lock);
}

void fs_trust_init(struct bfs_fs *fs)
{
	pthread_mutex_init(&fs->trust.lock, NULL);
}

void fs_trust_destroy(struct bfs_fs *fs)
{
	pthread_mutex_destroy(&fs->trust.lock);
	idset_free(&fs->trust.ids);
}
