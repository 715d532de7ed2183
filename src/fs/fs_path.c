/* SPDX-License-Identifier: MIT */
/*
 * fs_path.c - mount paths and the keys they name (the fs layer's level 0:
 * nothing here calls another fs file).  A file "/a/b" is the key
 * PREFIX + "a/b", a directory the marker key PREFIX + "a/b/"; names the
 * bucket cannot hold are refused before anything is sent; FUSE's own names
 * for open files it hid (".fuse_hiddenXXXXXXXXXXXXXXXX") are recognised
 * here.  Also the clock the fs layer reads (fs_now_ns).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fs/fs_int.h"

int fs_immutable(const struct bfs_fs *fs, const char *path)
{
	const char *p = fs->cfg.immutable;

	while (p && *p) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		while (n > 1 && p[n - 1] == '/')
			n--;
		if (n == 1 && p[0] == '/')
			return 1;
		if (n && !strncmp(path, p, n) && (path[n] == '/' || path[n] == '\0'))
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

int64_t fs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int fs_name_check(const char *name, size_t len)
{
	if (len == 0 || memchr(name, '/', len) || memchr(name, '\0', len) ||
	    (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.'))))
		return -EINVAL;
	return len > NAME_MAX ? -ENAMETOOLONG : 0;
}

/*
 * Every component of path can be a name (see fs_name_check), so the key
 * made from it stays below the prefix and names one object only.  The
 * kernel never sends anything else; this is the guarantee, not a filter.
 */
static int path_check(const char *path)
{
	const char *p = path + 1, *slash;
	int rc;

	if (path[0] != '/' || !path[1])
		return -EINVAL;
	for (;; p = slash + 1) {
		slash = strchr(p, '/');
		rc = fs_name_check(p, slash ? (size_t)(slash - p) : strlen(p));
		if (rc || !slash)
			return rc;
	}
}

int fs_file_key(const struct bfs_fs *fs, const char *path, char *key, size_t keysz)
{
	int rc = path_check(path);

	if (rc)
		return rc;
	if ((size_t)snprintf(key, keysz, "%s%s", fs->prefix, path + 1) >= keysz ||
	    strlen(key) > BFS_MAX_KEY)
		return -ENAMETOOLONG;
	return 0;
}

int fs_dir_key(const struct bfs_fs *fs, const char *path, char *key, size_t keysz)
{
	int rc;

	if (!strcmp(path, "/")) {
		if ((size_t)snprintf(key, keysz, "%s", fs->prefix) >= keysz)
			return -ENAMETOOLONG;
		return 0;
	}
	rc = path_check(path);
	if (rc)
		return rc;
	if ((size_t)snprintf(key, keysz, "%s%s/", fs->prefix, path + 1) >= keysz ||
	    strlen(key) > BFS_MAX_KEY)
		return -ENAMETOOLONG;
	return 0;
}

int fs_split(const char *path, char *parent, size_t psz, const char **name)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash || !slash[1])
		return -EINVAL;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= psz)
		return -ENAMETOOLONG;
	memcpy(parent, path, n);
	parent[n] = '\0';
	*name = slash + 1;
	return 0;
}

int fs_hidden_name(const char *path)
{
	static const char pfx[] = ".fuse_hidden";
	const char *name = strrchr(path, '/');
	size_t i;

	name = name ? name + 1 : path;
	if (strncmp(name, pfx, sizeof(pfx) - 1))
		return 0;
	name += sizeof(pfx) - 1;
	for (i = 0; i < 16; i++)
		if (!strchr("0123456789abcdef", name[i]) || !name[i])
			return 0;
	return name[16] == '\0';
}

int fs_age_class(int64_t now_ns, int64_t t_ns)
{
	uint64_t s = now_ns > t_ns ? (uint64_t)(now_ns - t_ns) / 1000000u : 0;
	int msb, c;

	if (s == 0)
		return 0;
	msb = 63 - __builtin_clzll(s);
	c = msb < 3 ? 1 + (int)s : 1 + msb * 8 + (int)((s >> (msb - 3)) & 7);
	return c < FS_AGE_CLASSES ? c : FS_AGE_CLASSES - 1;
}
