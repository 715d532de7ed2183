/* SPDX-License-Identifier: MIT */
/*
 * fs_data.c - the cache's data files: CACHE_DIR/data/XX/ID, one per cached
 * or staged object version, named by an id from the index's counter.
 * Creating, opening and removing them, with the bytes they hold counted for
 * the cache's limits (fs_cache.c).
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

#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "fs_int.h"

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
	if (stat(path, &sb) < 0 || unlink(path) < 0)
		return 0;
	fs_cache_grew(fs, -(int64_t)sb.st_size);
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
