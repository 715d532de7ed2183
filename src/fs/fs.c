/* SPDX-License-Identifier: MIT */
/*
 * fs.c - the filesystem's namespace: getattr, mkdir/rmdir, unlink, statfs.
 * The helpers the fs files share are below them: paths and keys
 * (fs_path.c), entries, metadata and store errors (fs_entry.c), the checks
 * before a name is made (fs_name.c).  Opening and closing the filesystem:
 * fs_open.c; data files: fs_data.c; chmod, chown, utimens and symlinks:
 * fs_attr.c; lookups: fs_lookup.c; listings: fs_listing.c and fs_dir.c;
 * open files: fs_ofile.c and fs_file.c; uploads: fs_journal.c and
 * fs_upload.c; rename: fs_rename.c.  docs/ARCHITECTURE.md has the levels.
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
#include "fs/fs_int.h"

int bfs_fs_getattr(struct bfs_fs *fs, const char *path, struct stat *st)
{
	struct bfs_ofile *of = fs_ofile_find(fs, path);
	struct bfs_entry e;
	int rc;

	if (of) {
		rc = fs_ofile_stat(fs, of, st);
		fs_ofile_put(fs, of);
		if (rc != -ENOENT)
			return rc;
	}
	/* FUSE's name for an open file it hid is known only while it is open */
	if (fs_hidden_name(path))
		return -ENOENT;
	rc = fs_lookup(fs, path, &e);
	if (rc)
		return rc;
	fs_entry_stat(fs, &e, st);
	return 0;
}

int bfs_fs_mkdir(struct bfs_fs *fs, const char *path, mode_t mode, const struct bfs_ctx *c)
{
	struct bfs_meta_kv meta[FS_PUT_META];
	struct bfs_put_opts po;
	struct bfs_entry e;
	char dkey[FS_KEY_MAX + 1];
	int rc;

	rc = fs_new_name(fs, path);
	if (!rc)
		rc = fs_dir_key(fs, path, dkey, sizeof(dkey));
	if (rc)
		return rc;
	bfs_entry_init(&e);
	e.type = BFS_ENT_DIR;
	e.mode = S_IFDIR | (mode & 07777);
	e.uid = c->uid;
	e.gid = c->gid;
	e.mtime_ns = e.atime_set_ns = fs_now_ns();
	e.flags = BFS_EF_META | BFS_EF_LOCAL;
	/* It was missing a moment ago, so it is empty: a complete listing. */
	e.validated_ns = e.listed_ns = fs_now_ns();
	/* With the attributes a directory shows without a marker, the marker
	 * can wait: the directory's first file makes it exist (fs_marker.c). */
	if (fs_marker_deferrable(fs, &e)) {
		rc = fs_marker_owe(fs, path, &e);
	} else {
		e.flags |= BFS_EF_MARKER;
		fs_put_opts(fs, path, &e, meta, &po);
		rc = bfs_store_put_buf(fs->store, dkey, "", 0, &po, e.etag);
		if (rc)
			return fs_store_errno("mkdir", path, rc);
		rc = bfs_index_put(fs->ix, path, &e);
		if (!rc)
			fs_marker_settle(fs, path);
	}
	if (!rc)
		fs_dir_changed(fs, path);
	return rc;
}

static int has_local_children(void *arg, const char *name, const struct bfs_entry *e)
{
	(void)arg;
	(void)name;
	return e->state == BFS_ST_DIRTY || e->state == BFS_ST_UPLOADING;
}

struct drop_children {
	struct bfs_fs *fs;
	const char *dir;
};

static int drop_child(void *arg, const char *name, const struct bfs_entry *e)
{
	struct drop_children *d = arg;
	char path[BFS_INDEX_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", d->dir, name);
	if (e->data_id)
		fs_data_unlink(d->fs, e->data_id);
	(void)bfs_index_del(d->fs->ix, path);
	return 0;
}

/* A directory whose "dir/" marker is known not to be in the bucket. */
static int known_markerless(const struct bfs_entry *e)
{
	return !(e->flags & BFS_EF_MARKER) && (e->flags & (BFS_EF_LOCAL | BFS_EF_PROBED));
}

int bfs_fs_rmdir(struct bfs_fs *fs, const char *path)
{
	struct drop_children d = { fs, path };
	char dkey[FS_KEY_MAX + 1];
	struct bfs_listing l;
	struct bfs_entry e;
	size_t i;
	int rc, busy = 0, owes;

	if (fs->cfg.read_only)
		return -EROFS;
	if (!strcmp(path, "/"))
		return -EBUSY;
	rc = fs_lookup(fs, path, &e);
	if (rc)
		return rc;
	if (e.type != BFS_ENT_DIR)
		return -ENOTDIR;
	/* A directory whose marker is owed has none to delete; its debt goes
	 * with it, and must not be paid meanwhile (fs_marker.c). */
	owes = e.state == BFS_ST_UPLOADING && (e.flags & BFS_EF_OWED);
	if (owes) {
		pthread_mutex_lock(&fs->marker_mu);
		owes = !bfs_index_get(fs->ix, path, &e) && e.state == BFS_ST_UPLOADING &&
		       (e.flags & BFS_EF_OWED);
		if (!owes)
			pthread_mutex_unlock(&fs->marker_mu);
	}
	rc = -ENOTEMPTY;
	if (bfs_index_children(fs->ix, path, has_local_children, NULL) > 0)
		goto out;
	rc = fs_dir_key(fs, path, dkey, sizeof(dkey));
	if (rc)
		goto out;
	rc = bfs_store_list(fs->store, dkey, NULL, NULL, 2, &l);
	if (rc) {
		rc = fs_store_errno("rmdir", path, rc);
		goto out;
	}
	for (i = 0; i < l.nobjects; i++)
		if (strcmp(l.objects[i].key, dkey))
			busy = 1;
	busy |= l.nprefixes > 0;
	bfs_listing_release(&l);
	rc = -ENOTEMPTY;
	if (busy)
		goto out;
	/* An owed marker is not in the bucket, unless the directory had one
	 * this mount never looked for (a debt fs_marker_keep made). */
	rc = owes && known_markerless(&e) ? 0 : bfs_store_delete(fs->store, dkey);
	/* an old-style directory object is the directory too */
	if (!rc && (e.flags & BFS_EF_OLDDIR) && !(rc = fs_file_key(fs, path, dkey, sizeof(dkey))))
		rc = bfs_store_delete(fs->store, dkey);
	if (rc) {
		rc = fs_store_errno("rmdir", path, rc);
		goto out;
	}
	(void)bfs_index_children(fs->ix, path, drop_child, &d);
	rc = bfs_index_del(fs->ix, path);
out:
	if (owes)
		pthread_mutex_unlock(&fs->marker_mu);
	/* its parent outlives it (fs_marker.c) */
	if (!rc)
		rc = fs_marker_keep(fs, path);
	if (!rc)
		fs_dir_changed(fs, path);
	return rc;
}

/*
 * Remove file path (entry e) from the bucket and the index.  An open file
 * of it lives on through its handles, never uploaded again, under the name
 * hidden (FUSE's, see fs_hide) or none.  An upload of it in flight ends
 * first, so what it stores is what the DELETE removes: the name may be
 * made again at once, and no late upload or delete touches the new file.
 */
static int remove_file(struct bfs_fs *fs, const char *path, struct bfs_entry *e, const char *hidden)
{
	struct bfs_ofile *of = fs_ofile_find(fs, path);
	char key[FS_KEY_MAX];
	int rc, in_bucket;

	rc = fs_file_key(fs, path, key, sizeof(key));
	if (rc)
		goto out_put;
	if (!of && e->state == BFS_ST_UPLOADING) {
		/* journaled: the uploader may be sending it right now */
		rc = fs_ofile_pending(fs, path, &of);
		if (rc == -EAGAIN) { /* no longer journaled (or rewritten): look again */
			of = fs_ofile_find(fs, path);
			rc = bfs_index_get(fs->ix, path, e);
		}
		if (rc == -ENOENT)
			rc = 0; /* (the index forgot it; the object may be there) */
		if (rc)
			goto out_put;
	}
	if (of) {
		pthread_rwlock_wrlock(&of->io);
		pthread_mutex_lock(&of->lock);
		if (of->ent.type)
			*e = of->ent;
		pthread_mutex_unlock(&of->lock);
	}
	/* anything ever sent may be there (an upload whose answer was lost too) */
	in_bucket = e->state == BFS_ST_CLEAN || e->etag[0] || e->upload_attempts;
	/* its descriptors keep what it holds (a write to part of it, a read
	 * of what is not cached yet) */
	if (of && in_bucket && (rc = fs_ofile_own_data(fs, of)))
		bfs_log(LOG_WARNING,
			"%s: removed while open, but its data could not all be "
			"kept for its descriptors (%s): reading what was not cached fails",
			path, bfs_err_is_store(rc) ? bfs_strerror(rc) : strerror(-rc));
	rc = fs_marker_keep(fs, path); /* its directory outlives it */
	if (!rc && in_bucket && (rc = bfs_store_delete(fs->store, key)))
		rc = fs_store_errno("unlink", path, rc);
	if (rc)
		goto out_unlock;
	if (of) {
		pthread_mutex_lock(&of->lock);
		of->gone = 1;
		of->dirty = 0;
		pthread_mutex_unlock(&of->lock);
		fs_ofile_rename(fs, path, hidden);
		/* its data lives on with it, but no upload of it is owed now,
		 * even should the index be lost meanwhile */
		fs_jrec_drop(fs, of->fd_id);
	}
	/* data files the open file does not use go now; its own with it */
	if (!of || e->data_id != of->fd_id)
		fs_data_unlink(fs, e->data_id);
	if (e->staged_id && (!of || e->staged_id != of->fd_id))
		fs_data_unlink(fs, e->staged_id);
	bfs_entry_init(e);
	e->state = BFS_ST_NEGATIVE;
	e->validated_ns = fs_now_ns();
	rc = bfs_index_put(fs->ix, path, e);
	if (!rc) {
		/* the debt may have been found void while the DELETE was
		 * under way (bfs_fs_rename says why): owed again if so */
		(void)fs_marker_keep(fs, path);
		fs_dir_changed(fs, path);
	}
out_unlock:
	if (of)
		pthread_rwlock_unlock(&of->io);
out_put:
	if (of)
		fs_ofile_put(fs, of);
	return rc;
}

int bfs_fs_unlink(struct bfs_fs *fs, const char *path)
{
	struct bfs_ofile *of;
	struct bfs_entry e;
	int rc;

	if (fs->cfg.read_only)
		return -EROFS;
	if (fs_hidden_name(path)) {
		/* FUSE's hidden name of a file unlinked while open: its last
		 * release (which FUSE follows with this) already dropped it */
		of = fs_ofile_find(fs, path);
		if (of) {
			fs_ofile_rename(fs, path, NULL);
			fs_ofile_put(fs, of);
		}
		return 0;
	}
	rc = fs_lookup(fs, path, &e);
	if (rc)
		return rc;
	if (e.type == BFS_ENT_DIR)
		return -EISDIR;
	return remove_file(fs, path, &e, NULL);
}

int fs_hide(struct bfs_fs *fs, const char *path, const char *hidden)
{
	struct bfs_entry e;
	int rc;

	/* libfuse hides what it has open; the last release may have come
	 * just before (libfuse counts it done only after ours): then this
	 * is a plain unlink */
	rc = fs_lookup(fs, path, &e);
	if (rc)
		return rc;
	if (e.type == BFS_ENT_DIR)
		return -EISDIR;
	return remove_file(fs, path, &e, hidden);
}

int bfs_fs_statfs(struct bfs_fs *fs, struct statvfs *sv)
{
	(void)fs;
	memset(sv, 0, sizeof(*sv));
	/* A bucket has no size: report 1 PiB free, as s3fs and others do. */
	sv->f_bsize = 4096;
	sv->f_frsize = 4096;
	sv->f_blocks = sv->f_bfree = sv->f_bavail = (1ULL << 50) / 4096;
	sv->f_files = sv->f_ffree = sv->f_favail = 1ULL << 32;
	sv->f_namemax = 255;
	return 0;
}
