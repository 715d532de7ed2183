/* SPDX-License-Identifier: MIT */
/*
 * fs_dir.c - readdir and invalidation.  A directory is listed
 * (fs_listing.c) when its listing is older than list_ttl, unless a tree
 * listing of its parent just listed it for the same process (fs_tree.c);
 * its entries then come from the index.  Invalidation (bucketfsctl
 * invalidate) makes a path's or a tree's entries stale, so that their next
 * use asks the bucket.  Lookups of single names are in fs_lookup.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/fs_int.h"

struct dir_fill {
	struct bfs_fs *fs;
	int (*fill)(void *arg, const char *name, const struct stat *st);
	void *arg;
	int stopped;
};

static int fill_child(void *arg, const char *name, const struct bfs_entry *e)
{
	struct dir_fill *d = arg;
	struct stat st;

	if (e->state == BFS_ST_NEGATIVE || !*name)
		return 0;
	fs_entry_stat(d->fs, e, &st);
	/* an object known from a listing only may be a symlink: its type is
	 * not given (DT_UNKNOWN), so a program that needs it asks (lstat) */
	if (e->type == BFS_ENT_FILE && d->fs->cfg.symlinks && !fs_attrs_known(d->fs, e))
		st.st_mode = 0;
	if (d->fill(d->arg, name, &st)) {
		d->stopped = 1;
		return 1;
	}
	return 0;
}

int bfs_fs_readdir(struct bfs_fs *fs, const char *path, const char *after, pid_t walker,
		   int (*fill)(void *arg, const char *name, const struct stat *st), void *arg)
{
	struct dir_fill d = { fs, fill, arg, 0 };
	struct bfs_entry de;
	int64_t now;
	int rc;

	if (after) { /* the rest of a walk begun by an earlier call */
		/* (names the index forgot meanwhile, fs_itrim.c: listed again) */
		fs_itrim_dir_used(fs, path);
		rc = bfs_index_get(fs->ix, path, &de);
		if ((rc == -ENOENT || (!rc && de.type == BFS_ENT_DIR && !de.listed_ns &&
				       !(de.flags & BFS_EF_LOCAL))) &&
		    !fs_offline(fs) && fs_lookup(fs, path, &de) == 0 && de.type == BFS_ENT_DIR)
			(void)fs_dir_relist(fs, path, &de, 0);
		rc = bfs_index_children_after(fs->ix, path, after, fill_child, &d);
		return rc < 0 ? rc : 0;
	}
	rc = fs_lookup(fs, path, &de);
	if (rc)
		return rc;
	if (de.type != BFS_ENT_DIR)
		return -ENOTDIR;
	fs_itrim_dir_used(fs, path);
	if (!strcmp(path, "/") && bfs_index_get(fs->ix, "/", &de) != 0)
		fs_root_entry(fs, &de);
	now = fs_now_ns();
	if (!fs_fresh(de.listed_ns, fs->cfg.list_ttl_ms, now) &&
	    !fs_walked(fs, walker, path, now) &&
	    !(walker && strcmp(path, "/") && fs_tree_list_due(fs, path, walker, now) &&
	      fs_tree_list(fs, path, walker))) {
		rc = fs_dir_relist(fs, path, &de, 0);
		/* the bucket unreachable: a directory listed before is listed
		 * as the index knows it (maybe stale, as offline reads are) */
		if (rc < 0 && !(de.listed_ns && fs_offline(fs)))
			return rc;
	}
	rc = bfs_index_children(fs->ix, path, fill_child, &d);
	return rc < 0 ? rc : 0;
}

struct inval {
	struct bfs_fs *fs;
	const char *dir;
	uint64_t n;
};

static int inval_one(struct bfs_fs *fs, const char *path, const struct bfs_entry *e, uint64_t *n);

static int inval_child(void *arg, const char *name, const struct bfs_entry *e)
{
	struct inval *iv = arg;
	char path[BFS_INDEX_PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s%s%s", iv->dir, strcmp(iv->dir, "/") ? "/" : "",
			     name) >= sizeof(path))
		return 0;
	return inval_one(iv->fs, path, e, &iv->n) < 0 ? -EIO : 0;
}

static int inval_one(struct bfs_fs *fs, const char *path, const struct bfs_entry *e, uint64_t *n)
{
	struct bfs_entry c = *e;

	(*n)++;
	if (c.type == BFS_ENT_DIR) {
		struct inval sub = { fs, path, 0 };
		int rc = bfs_index_children(fs->ix, path, inval_child, &sub);

		*n += sub.n;
		if (rc < 0)
			return rc;
	}
	if (c.state == BFS_ST_NEGATIVE)
		return bfs_index_del(fs->ix, path);
	if (c.state != BFS_ST_CLEAN)
		return 0; /* not uploaded yet: what we know is all there is */
	c.validated_ns = 0;
	c.listed_ns = 0;
	return bfs_index_put(fs->ix, path, &c);
}

int bfs_fs_invalidate(struct bfs_fs *fs, const char *path, uint64_t *n)
{
	struct bfs_entry e;
	int rc;

	*n = 0;
	if (!strcmp(path, "/")) {
		struct inval sub = { fs, "/", 0 };

		rc = bfs_index_children(fs->ix, "/", inval_child, &sub);
		*n = sub.n;
		return rc < 0 ? rc : 0;
	}
	rc = bfs_index_get(fs->ix, path, &e);
	if (rc)
		return rc;
	rc = inval_one(fs, path, &e, n);
	return rc < 0 ? rc : 0;
}
