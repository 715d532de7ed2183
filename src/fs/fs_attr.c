/* SPDX-License-Identifier: MIT */
/*
 * fs_attr.c - changing attributes and symlinks: chmod, chown and utimens
 * rewrite the object's metadata in place (a copy onto itself) or ride on
 * the next upload of a file with unuploaded writes; a symlink is an object
 * whose body is its target.
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

/* e lacks the attributes metadata carries (BFS_EF_META): fill them in from
 * the object's own, info, when it has them, else from what the mount
 * shows (its defaults, uid=, gid=, umask=). */
static void attrs_base(const struct bfs_fs *fs, const struct bfs_obj_info *info,
		       struct bfs_entry *e)
{
	struct bfs_entry o;
	struct stat st;

	if (e->flags & BFS_EF_META)
		return;
	bfs_entry_init(&o);
	if (info)
		fs_entry_from_info(fs, info, &o);
	if (o.flags & BFS_EF_META) {
		e->mode = (e->mode & S_IFMT) | (o.mode & 07777);
		e->uid = o.uid;
		e->gid = o.gid;
		e->mtime_ns = o.mtime_ns;
		e->ctime_ns = o.ctime_ns;
		e->atime_set_ns = o.atime_set_ns;
		e->rdev = o.rdev;
		return;
	}
	fs_entry_stat(fs, e, &st);
	e->mode = st.st_mode;
	e->uid = st.st_uid;
	e->gid = st.st_gid;
}

/*
 * Apply change to clean entry e and to its object's metadata, in place
 * (a copy onto itself, REPLACE).  The attributes the change leaves alone
 * are the object's own when the entry does not know them: a chmod must not
 * put the mount's defaults over a stored owner or mtime (the model
 * tester: a utimens of a directory whose entry had lost them stored the
 * default mode over its 0750).
 */
static int replace_meta(struct bfs_fs *fs, const char *path, struct bfs_entry *e,
			void (*change)(struct bfs_entry *e, const void *arg), const void *arg)
{
	struct bfs_meta_kv meta[BFS_MAX_META];
	struct bfs_put_opts po;
	struct bfs_obj_info info;
	char key[FS_KEY_MAX + 1];
	int rc, i, n;

	rc = e->type == BFS_ENT_DIR ? fs_dir_key(fs, path, key, sizeof(key))
				    : fs_file_key(fs, path, key, sizeof(key));
	if (rc)
		return rc;
	rc = bfs_store_head(fs->store, key, &info);
	attrs_base(fs, rc ? NULL : &info, e);
	fs_entry_fold_times(e);
	change(e, arg);
	e->ctime_ns = fs_now_ns();
	e->flags |= BFS_EF_META;
	fs_put_opts(fs, path, e, meta, &po);
	if (rc == BFS_E_NOTFOUND && e->type == BFS_ENT_DIR) {
		/* An implied directory: give it a marker that carries the attributes. */
		rc = bfs_store_put_buf(fs->store, key, "", 0, &po, NULL);
		if (!rc)
			e->flags |= BFS_EF_MARKER;
		return rc ? fs_store_errno("setattr", path, rc) : 0;
	}
	if (rc)
		return fs_store_errno("setattr", path, rc);
	/* Keep the object's other metadata, type and caching headers. */
	n = (int)po.nmeta;
	for (i = 0; i < info.nmeta && n < BFS_MAX_META; i++)
		if (!fs_put_meta_name(info.meta[i].name))
			meta[n++] = info.meta[i];
	po.nmeta = n;
	if (info.content_type[0])
		po.content_type = info.content_type;
	if (info.cache_control[0])
		po.cache_control = info.cache_control;
	rc = bfs_store_copy(fs->store, key, key, &po, NULL);
	if (rc)
		return fs_store_errno("setattr", path, rc);
	if (!strcmp(info.etag, e->etag) || !e->etag[0])
		snprintf(e->etag, sizeof(e->etag), "%s", info.etag);
	e->lastmod_s = 0; /* the copy changed it; its answer is not kept */
	return 0;
}

/* The mount root's attributes are the mount's own: kept for its life. */
static int root_setattr(struct bfs_fs *fs, void (*change)(struct bfs_entry *e, const void *arg),
			const void *arg)
{
	struct bfs_entry e;

	fs_root_entry(fs, &e);
	change(&e, arg);
	fs->root_mode = e.mode;
	fs->root_uid = e.uid;
	fs->root_gid = e.gid;
	fs->root_mtime_ns = e.mtime_ns;
	return 0;
}

/* chmod, chown, utimens: change the entry, then the object (or the open file). */
static int setattr(struct bfs_fs *fs, const char *path,
		   void (*change)(struct bfs_entry *e, const void *arg), const void *arg)
{
	struct bfs_ofile *of;
	struct bfs_entry e;
	int rc, locked = 0;

	if (fs->cfg.read_only)
		return -EROFS;
	if (!strcmp(path, "/"))
		return root_setattr(fs, change, arg);
	of = fs_ofile_find(fs, path);
	if (!of && !bfs_index_get(fs->ix, path, &e) && e.type == BFS_ENT_FILE &&
	    e.state == BFS_ST_UPLOADING && fs_ofile_pending(fs, path, &of))
		of = NULL; /* (journaled: taken as the uploader takes it, below) */
	if (of) {
		pthread_mutex_lock(&of->lock);
		change(&of->ent, arg);
		of->ent.ctime_ns = fs_now_ns();
		of->ent.flags |= BFS_EF_META;
		/* The next upload carries it (one in flight sends again,
		 * fs_ofile_upload_if); a clean file is rewritten now; one
		 * that lost its name (unlinked while open) keeps it to itself.
		 * A file journaled (write-back: closed, or truncated by path)
		 * and not written since: its upload is the journal's, which a
		 * crash leaves to the index and the journal record: the change
		 * goes there too (a kill -9 lost it), under of->lock as the
		 * upload's own end writes of->ent. */
		if (of->dirty || of->gone || of->ent.state != BFS_ST_CLEAN) {
			rc = 0;
			if (!of->gone && of->ent.state == BFS_ST_UPLOADING) {
				rc = bfs_index_put(fs->ix, path, &of->ent);
				if (!rc)
					(void)fs_jrec_put(fs, path, &of->ent);
			}
			pthread_mutex_unlock(&of->lock);
			fs_ofile_put(fs, of);
			return rc;
		}
		pthread_mutex_unlock(&of->lock);
		fs_ofile_put(fs, of);
	}
	rc = fs_lookup(fs, path, &e);
	if (rc)
		return rc;
	/* A directory's entry is also changed by its marker's payment (the
	 * uploader, or an object landing below): under marker_mu, so that
	 * neither writes back the attributes it read before this change
	 * (fs_marker.c; a utimens of a directory whose marker was being paid
	 * was lost).  Rare enough to hold it across replace_meta's requests. */
	if (e.type == BFS_ENT_DIR) {
		struct bfs_entry cur;

		pthread_mutex_lock(&fs->marker_mu);
		locked = 1;
		if (!bfs_index_get(fs->ix, path, &cur) && cur.type == BFS_ENT_DIR)
			e = cur;
	}
	if (e.state == BFS_ST_CLEAN) {
		rc = replace_meta(fs, path, &e, change, arg);
		if (rc)
			goto out;
	} else {
		struct bfs_obj_info info, *base = NULL;
		char dkey[FS_KEY_MAX + 1];

		/* Not in the bucket yet: ours are all; but a directory owed a
		 * marker because its last file left may have one there, whose
		 * attributes the index does not hold: they are the base. */
		if (e.type == BFS_ENT_DIR && !(e.flags & BFS_EF_META) &&
		    !fs_dir_key(fs, path, dkey, sizeof(dkey)) &&
		    bfs_store_head(fs->store, dkey, &info) == 0)
			base = &info;
		attrs_base(fs, base, &e);
		fs_entry_fold_times(&e);
		change(&e, arg);
		e.ctime_ns = fs_now_ns();
		e.flags |= BFS_EF_META;
	}
	if (e.type == BFS_ENT_DIR)
		e.flags |= BFS_EF_ATTRS; /* (an owed marker must carry them) */
	e.validated_ns = fs_now_ns();
	rc = bfs_index_put(fs->ix, path, &e);
	/* a journaled upload's record carries them too (it survives the index) */
	if (!rc && e.type != BFS_ENT_DIR && e.state == BFS_ST_UPLOADING)
		(void)fs_jrec_put(fs, path, &e); /* (a journaled file not open) */
	if (locked) {
		pthread_mutex_unlock(&fs->marker_mu);
		locked = 0;
	}
	/* An owed marker now has attributes to carry: it is due now. */
	if (!rc && e.type == BFS_ENT_DIR && (e.flags & BFS_EF_OWED) &&
	    !fs_marker_deferrable(fs, &e))
		rc = fs_marker_pay(fs, path, 1);
out:
	if (locked)
		pthread_mutex_unlock(&fs->marker_mu);
	return rc;
}

static void change_mode(struct bfs_entry *e, const void *arg)
{
	e->mode = (e->mode & S_IFMT) | (*(const mode_t *)arg & 07777);
}

struct owner {
	uid_t uid;
	gid_t gid;
};

static void change_owner(struct bfs_entry *e, const void *arg)
{
	const struct owner *o = arg;

	if (o->uid != (uid_t)-1)
		e->uid = o->uid;
	if (o->gid != (gid_t)-1)
		e->gid = o->gid;
}

/* utimens: [0] atime, [1] mtime, each a time or BFS_TIME_OMIT */
static void change_times(struct bfs_entry *e, const void *arg)
{
	const int64_t *ns = arg;

	if (ns[0] != BFS_TIME_OMIT)
		e->atime_set_ns = ns[0];
	if (ns[1] != BFS_TIME_OMIT)
		e->mtime_ns = ns[1];
}

int bfs_fs_chmod(struct bfs_fs *fs, const char *path, mode_t mode)
{
	return setattr(fs, path, change_mode, &mode);
}

int bfs_fs_chown(struct bfs_fs *fs, const char *path, uid_t uid, gid_t gid)
{
	struct owner o = { uid, gid };

	return setattr(fs, path, change_owner, &o);
}

int bfs_fs_utimens(struct bfs_fs *fs, const char *path, int64_t atime_ns, int64_t mtime_ns)
{
	int64_t now = fs_now_ns(), ns[2] = { atime_ns, mtime_ns };
	int i;

	for (i = 0; i < 2; i++) {
		if (ns[i] == BFS_TIME_NOW)
			ns[i] = now;
		else if (ns[i] < 0 && ns[i] != BFS_TIME_OMIT)
			return -EINVAL; /* (before 1970: not in s3fs's metadata) */
	}
	return setattr(fs, path, change_times, ns);
}

int bfs_fs_symlink(struct bfs_fs *fs, const char *target, const char *path, const struct bfs_ctx *c)
{
	struct bfs_meta_kv meta[FS_PUT_META];
	struct bfs_put_opts po;
	struct bfs_entry e;
	char key[FS_KEY_MAX];
	size_t tl = strlen(target);
	int rc;

	if (fs->cfg.read_only)
		return -EROFS;
	if (!fs->cfg.symlinks)
		return -EPERM; /* this mount shows symlink objects as files (symlinks=on) */
	if (tl >= BFS_ENTRY_LINK_MAX)
		return -ENAMETOOLONG;
	rc = fs_new_name(fs, path);
	if (!rc)
		rc = fs_file_key(fs, path, key, sizeof(key));
	if (rc)
		return rc;
	bfs_entry_init(&e);
	e.type = BFS_ENT_LINK;
	e.mode = S_IFLNK | 0777;
	e.uid = c->uid;
	e.gid = c->gid;
	e.mtime_ns = e.atime_set_ns = fs_now_ns();
	e.size = tl;
	e.flags = BFS_EF_META | BFS_EF_LOCAL;
	memcpy(e.link, target, tl + 1);
	fs_put_opts(fs, path, &e, meta, &po);
	rc = bfs_store_put_buf(fs->store, key, target, tl, &po, e.etag);
	if (rc)
		return fs_store_errno("symlink", path, rc);
	e.validated_ns = fs_now_ns();
	rc = bfs_index_put(fs->ix, path, &e);
	if (!rc)
		fs_dir_changed(fs, path);
	return rc;
}

int bfs_fs_readlink(struct bfs_fs *fs, const char *path, char *buf, size_t size)
{
	struct bfs_buf body = BFS_BUF_INIT(BFS_ENTRY_LINK_MAX - 1);
	struct bfs_entry e;
	char key[FS_KEY_MAX];
	int rc;

	rc = fs_lookup(fs, path, &e);
	if (rc)
		return rc;
	if (e.type != BFS_ENT_LINK || !fs->cfg.symlinks)
		return -EINVAL;
	if (!e.link[0]) {
		/* Learned from metadata only: the target is the object's body. */
		rc = fs_file_key(fs, path, key, sizeof(key));
		if (!rc)
			rc = bfs_store_get_buf(fs->store, key, NULL, &body, NULL);
		if (rc) {
			bfs_buf_release(&body);
			return bfs_err_is_store(rc) ? fs_store_errno("readlink", path, rc) : rc;
		}
		snprintf(e.link, sizeof(e.link), "%s", bfs_buf_str(&body));
		bfs_buf_release(&body);
		(void)bfs_index_put(fs->ix, path, &e);
	}
	snprintf(buf, size, "%s", e.link);
	return 0;
}
