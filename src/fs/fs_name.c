/* SPDX-License-Identifier: MIT */
/*
 * fs_name.c - the checks before a name is made (create, mkdir, symlink,
 * rename's target): its parent is a directory and the name is free; one
 * lookup each, through fs_lookup.c.
 */
#include <errno.h>
#include <string.h>

#include "fs/fs_int.h"

int fs_parent_dir(struct bfs_fs *fs, const char *path)
{
	char parent[BFS_INDEX_PATH_MAX], key[FS_KEY_MAX];
	struct bfs_entry pe;
	const char *name;
	int rc;

	rc = fs_split(path, parent, sizeof(parent), &name);
	if (rc)
		return rc;
	/* A name or key too long for the bucket is refused before anything is sent. */
	rc = fs_file_key(fs, path, key, sizeof(key));
	if (rc)
		return rc;
	rc = fs_lookup(fs, parent, &pe);
	if (rc)
		return rc;
	return pe.type == BFS_ENT_DIR ? 0 : -ENOTDIR;
}

int fs_new_name(struct bfs_fs *fs, const char *path)
{
	struct bfs_entry e;
	int rc;

	if (fs->cfg.read_only)
		return -EROFS;
	if (fs_hidden_name(path))
		return -EINVAL; /* reserved for FUSE (fs_hidden_name) */
	rc = fs_lookup(fs, path, &e);
	if (rc == 0)
		return -EEXIST;
	if (rc != -ENOENT)
		return rc;
	return fs_parent_dir(fs, path);
}
