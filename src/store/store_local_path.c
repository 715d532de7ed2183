/* SPDX-License-Identifier: MIT */
/*
 * store_local_path.c - every path the local backend opens, relative to its
 * directory DIR, and never through a symbolic link: a symlink someone put
 * in DIR (DIR/evil -> /etc) must not turn a PUT of "evil/x" into a write
 * of /etc/x by a daemon running as root, nor a GET into a read of it.
 *
 * On Linux 5.6 and later a path is opened with openat2() and
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, relative to the descriptor of DIR
 * opened once: the kernel refuses a symlink anywhere in the path (ELOOP)
 * and any way out of DIR (EXDEV), atomically.  Where openat2 is missing
 * (ENOSYS: an older kernel, or a seccomp filter that does not know it) the
 * path is walked one component at a time, each opened with O_NOFOLLOW
 * relative to the one before, which refuses the same symlinks.  Either
 * way the callers then act with the *at() calls on the descriptor of the
 * parent directory and a single name, so nothing they do resolves a path
 * again.  A symlink is refused whether it points out of DIR or into it:
 * the store's keys are its files, and a link is neither.
 *
 * glibc (2.36, Debian 12) has no openat2 wrapper: it is called through
 * syscall(SYS_openat2), with struct open_how from <linux/openat2.h>.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "store/store_local.h"

/* openat2 may answer EAGAIN when a rename elsewhere raced the lookup. */
#define OPENAT2_TRIES 8

#ifdef SYS_openat2
/* The fd, or -errno (-ENOSYS when the kernel has no openat2). */
static int open_beneath(int dirfd, const char *rel, int flags, mode_t mode)
{
	struct open_how how;
	long fd;
	int tries;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned)flags | O_CLOEXEC;
	how.mode = (flags & O_CREAT) ? mode : 0;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	for (tries = 0; tries < OPENAT2_TRIES; tries++) {
		fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN && errno != EINTR)
			break;
	}
	return -errno;
}
#else
static int open_beneath(int dirfd, const char *rel, int flags, mode_t mode)
{
	(void)dirfd, (void)rel, (void)flags, (void)mode;
	return -ENOSYS;
}
#endif

/*
 * Open name (one component) in dirfd without following it.  A symlink is
 * -ELOOP whatever the flags (O_PATH | O_NOFOLLOW would open the link
 * itself, O_DIRECTORY make it -ENOTDIR).
 */
static int open_one(int dirfd, const char *name, int flags, mode_t mode)
{
	struct stat sb;
	int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode), err;

	if (fd < 0) {
		err = errno;
		if (err == ENOTDIR && !fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) &&
		    S_ISLNK(sb.st_mode))
			err = ELOOP;
		return -err;
	}
	if ((flags & O_PATH) && (fstat(fd, &sb) < 0 || S_ISLNK(sb.st_mode))) {
		close(fd);
		return -ELOOP;
	}
	return fd;
}

/* The same as open_beneath, one component at a time (no openat2). */
static int open_walk(int rootfd, const char *rel, int flags, mode_t mode)
{
	char name[NAME_MAX + 1];
	const char *p = rel, *slash;
	int dfd = rootfd, fd;
	size_t n;

	while ((slash = strchr(p, '/'))) {
		n = (size_t)(slash - p);
		if (n == 0 || n > NAME_MAX) {
			fd = n ? -ENAMETOOLONG : -ENOENT;
			goto out;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		fd = open_one(dfd, name, O_PATH | O_DIRECTORY, 0);
		if (fd < 0)
			goto out;
		if (dfd != rootfd)
			close(dfd);
		dfd = fd;
		p = slash + 1;
	}
	fd = open_one(dfd, *p ? p : ".", flags, mode);
out:
	if (dfd != rootfd)
		close(dfd);
	return fd;
}

int local_open(struct local *lc, const char *rel, int flags, mode_t mode)
{
	int fd;

	if (!*rel || (rel[0] == '.' && !rel[1]))
		rel = ".";
	if (!atomic_load_explicit(&lc->no_openat2, memory_order_relaxed)) {
		fd = open_beneath(lc->rootfd, rel, flags, mode);
		if (fd != -ENOSYS)
			return fd;
		atomic_store_explicit(&lc->no_openat2, 1, memory_order_relaxed);
	}
	return open_walk(lc->rootfd, rel, flags, mode);
}

int local_open_parent(struct local *lc, const char *rel, const char **name)
{
	char dir[BFS_MAX_KEY + 1];
	const char *slash = strrchr(rel, '/');
	size_t n = slash ? (size_t)(slash - rel) : 0;

	*name = slash ? slash + 1 : rel;
	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, rel, n);
	dir[n] = '\0';
	return local_open(lc, dir, O_PATH | O_DIRECTORY, 0);
}

int local_mkdir_walk(struct local *lc, char *path, int flags, mode_t mode)
{
	int dfd = lc->rootfd, fd = -ENOENT, err;
	char *p = path, *end;

	while (*p) {
		end = strchr(p, '/');
		if (end)
			*end = '\0';
		err = mkdirat(dfd, p, mode) < 0 && errno != EEXIST ? -errno : 0;
		/* an existing entry is opened as made: a symlink is -ELOOP */
		fd = err ? err : open_one(dfd, p, (end ? O_PATH : flags) | O_DIRECTORY, 0);
		if (dfd != lc->rootfd)
			close(dfd);
		dfd = lc->rootfd;
		if (fd < 0)
			return fd; /* path ends at the component that failed */
		if (!end)
			break;
		*end = '/';
		dfd = fd;
		p = end + 1;
	}
	return fd;
}
