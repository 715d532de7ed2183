/* SPDX-License-Identifier: MIT */
/* cachedir.c - the cache directory of a mount and its lock (see cachedir.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/cachedir.h"
#include "bucketfs/hash.h"
#include "bucketfs/mountpoint.h"

static int mkdir_p(const char *dir, mode_t mode)
{
	char tmp[PATH_MAX];
	char *p;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", dir) >= sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* The default directory, or use_cache's subdirectory, into path. */
static void default_path(const struct bfs_config *c, char *path, size_t n)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CACHE_HOME");
	unsigned h;

	h = bfs_fnv1a32(c->store.endpoint, BFS_FNV32_INIT);
	h = bfs_fnv1a32(c->bucket, h);
	h = bfs_fnv1a32(c->prefix, h);
	h = bfs_fnv1a32(c->local_root, h);
	if (c->use_cache)
		snprintf(path, n, "%s/%s-%08x", c->use_cache, c->bucket, h);
	else if (getuid() == 0)
		snprintf(path, n, "/var/cache/bucketfs/%s-%08x", c->bucket, h);
	else if (xdg && *xdg)
		snprintf(path, n, "%s/bucketfs/%s-%08x", xdg, c->bucket, h);
	else
		snprintf(path, n, "%s/.cache/bucketfs/%s-%08x", home ? home : "/tmp", c->bucket, h);
}

int bfs_cachedir_prepare(struct bfs_config *c, int *created, char *msg, size_t msgsz)
{
	char path[PATH_MAX];
	struct stat sb;
	char *abs;
	int rc;

	*created = 0;
	if (!c->fs.cache_dir) {
		default_path(c, path, sizeof(path));
		rc = bfs_config_set(c, "cache_dir", path, msg, msgsz);
		if (rc)
			return rc < 0 ? rc : -EINVAL;
	}
	*created = stat(c->fs.cache_dir, &sb) < 0 && errno == ENOENT;
	rc = mkdir_p(c->fs.cache_dir, 0700);
	if (rc) {
		snprintf(msg, msgsz, "cache_dir %s: %s", c->fs.cache_dir, strerror(-rc));
		return rc;
	}
	abs = realpath(c->fs.cache_dir, NULL);
	if (!abs) {
		rc = -errno;
		snprintf(msg, msgsz, "cache_dir %s: %s", c->fs.cache_dir, strerror(errno));
		return rc;
	}
	rc = bfs_config_set(c, "cache_dir", abs, msg, msgsz);
	free(abs);
	return rc ? (rc < 0 ? rc : -EINVAL) : 0;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

int bfs_cachedir_remove(const char *dir)
{
	return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 ? -errno : 0;
}

/* The holder's "PID MOUNTPOINT" (an older daemon wrote "PID" alone). */
static void read_holder(int fd, long *pid, char *mp, size_t mpsz)
{
	char buf[PATH_MAX + 32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *end;

	*pid = 0;
	mp[0] = '\0';
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	*pid = strtol(buf, &end, 10);
	if (*end == ' ')
		snprintf(mp, mpsz, "%s", end + 1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int bfs_cachedir_lock(const char *dir, int wait_s, int *fd, char *msg, size_t msgsz)
{
	char path[PATH_MAX], mp[PATH_MAX], type[64];
	double deadline = now_s() + wait_s;
	int said = 0, rc;
	long pid;

	*fd = -1;
	snprintf(path, sizeof(path), "%s/lock", dir);
	rc = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (rc < 0) {
		rc = -errno;
		snprintf(msg, msgsz, "%s: %s", path, strerror(errno));
		return rc;
	}
	*fd = rc;
	while (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		read_holder(*fd, &pid, mp, sizeof(mp));
		/* a mount still up: two mounts on one cache */
		if (mp[0] && bfs_mountpoint_mounted(mp, type, sizeof(type)) == 1) {
			snprintf(msg, msgsz,
				 "cache_dir %s is in use by the bucketfs mounted on %s (pid %ld); "
				 "give each mount its own cache_dir",
				 dir, mp, pid);
			goto busy;
		}
		if (now_s() >= deadline) {
			snprintf(msg, msgsz,
				 "cache_dir %s is still in use by another bucketfs (pid %ld%s%s) "
				 "after %d s; give each mount its own cache_dir",
				 dir, pid, mp[0] ? ", unmounted from " : "", mp, wait_s);
			goto busy;
		}
		if (!said++)
			fprintf(stderr,
				"bucketfs: waiting up to %d s for the bucketfs that used cache_dir "
				"%s (pid %ld%s%s) to finish its uploads and exit\n",
				wait_s, dir, pid, mp[0] ? ", unmounted from " : "", mp);
		usleep(100 * 1000);
	}
	return 0;
busy:
	close(*fd);
	*fd = -1;
	return -EBUSY;
}

int bfs_cachedir_stamp(int fd, const char *mountpoint)
{
	char buf[PATH_MAX + 32];
	int n = snprintf(buf, sizeof(buf), "%d %s\n", (int)getpid(), mountpoint);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -errno;
	return 0;
}
