/* SPDX-License-Identifier: MIT */
/*
 * fs_rename.c - rename(2) on a bucket: a file (or symlink) is a server-side
 * copy then a delete of the source, replacing an existing target; a
 * directory is the same for every object below it (not atomic: a crash in
 * the middle leaves both trees partly; a rename of a large tree is as slow
 * as copying it on the server).  An open file keeps working under its new
 * name; unuploaded writes are uploaded first.  A file whose upload is
 * journaled (write-back) and not open is renamed in the journal only: the
 * upload goes to the new name, once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/error.h"
#include "fs_int.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* Forget a directory's subtree in the index (data files included). */
struct forget {
	struct bfs_fs *fs;
	const char *dir;
};

static int forget_child(void *arg, const char *name, const struct bfs_entry *e)
{
	struct forget *f = arg, sub;
	char path[BFS_INDEX_PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", f->dir, name) >= sizeof(path))
		return 0;
	if (e->type == BFS_ENT_DIR) {
		sub.fs = f->fs;
		sub.dir = path;
		(void)bfs_index_children(f->fs->ix, path, forget_child, &sub);
	}
	if (e->data_id)
		fs_data_unlink(f->fs, e->data_id);
	(void)bfs_index_del(f->fs->ix, path);
	return 0;
}

static int negative(struct bfs_fs *fs, const char *path)
{
	struct bfs_entry n;

	bfs_entry_init(&n);
	n.state = BFS_ST_NEGATIVE;
	n.validated_ns = fs_now_ns();
	return bfs_index_put(fs->ix, path, &n);
}

static int rename_dir(struct bfs_fs *fs, const char *from, const char *to,
		      struct bfs_entry *e)
{
	char src[FS_KEY_MAX + 1], dst[FS_KEY_MAX + 1], nk[2 * FS_KEY_MAX];
	struct forget fg = { fs, from };
	struct bfs_xml_list l;
	char **done = NULL;
	size_t ndone = 0, cap = 0, i, sl;
	char *token = NULL;
	int rc;

	rc = fs_dir_key(fs, from, src, sizeof(src));
	if (!rc)
		rc = fs_dir_key(fs, to, dst, sizeof(dst));
	if (rc)
		return rc;
	sl = strlen(src);
	/* Copy everything below (the marker included), then delete the sources. */
	do {
		rc = bfs_store_list(fs->store, src, NULL, token, 1000, &l);
		free(token);
		token = NULL;
		if (rc)
			goto out;
		for (i = 0; i < l.nobjects && !rc; i++) {
			if ((size_t)snprintf(nk, sizeof(nk), "%s%s", dst, l.objects[i].key + sl) >
			    BFS_MAX_KEY) {
				rc = -ENAMETOOLONG;
				break;
			}
			rc = bfs_store_copy(fs->store, l.objects[i].key, nk, NULL, NULL);
			if (!rc && ndone == cap) {
				char **nd = realloc(done, (cap = cap ? cap * 2 : 64) * sizeof(*done));
				if (!nd)
					rc = -ENOMEM;
				else
					done = nd;
			}
			if (!rc && !(done[ndone] = strdup(l.objects[i].key)))
				rc = -ENOMEM;
			if (!rc)
				ndone++;
		}
		if (!rc && l.truncated && l.next_token && !(token = strdup(l.next_token)))
			rc = -ENOMEM;
		bfs_xml_list_release(&l);
	} while (!rc && token);
	if (!rc && ndone)
		rc = bfs_store_delete_many(fs->store, (const char *const *)done, ndone, NULL);
	if (!rc && !(e->flags & BFS_EF_MARKER)) {
		/* An implied directory keeps existing at the new name only through
		 * its children; give it a marker so an empty one survives too. */
		struct bfs_meta_kv meta[4];
		struct bfs_put_opts po;

		fs_put_opts(fs, to, e, meta, &po);
		rc = bfs_store_put_buf(fs->store, dst, "", 0, &po, NULL);
	}
out:
	free(token);
	for (i = 0; i < ndone; i++)
		free(done[i]);
	free(done);
	if (rc)
		return rc < -4096 ? fs_store_errno("rename", from, rc) : rc;
	(void)bfs_index_children(fs->ix, from, forget_child, &fg);
	e->listed_ns = 0;
	e->validated_ns = fs_now_ns();
	e->flags |= BFS_EF_MARKER;
	rc = bfs_index_put(fs->ix, to, e);
	if (!rc)
		rc = negative(fs, from);
	return rc;
}

/* Wait for an upload of path in flight, if any, to finish. */
static void wait_upload(struct bfs_fs *fs, const char *path)
{
	struct bfs_ofile *of = fs_ofile_find(fs, path);

	if (!of)
		return;
	pthread_rwlock_wrlock(&of->io);
	pthread_rwlock_unlock(&of->io);
	fs_ofile_put(fs, of);
}

/* An open file at a replaced target lives on without a name. */
static void orphan_target(struct bfs_fs *fs, const char *to, const struct bfs_entry *te,
			  int have_to)
{
	struct bfs_ofile *tof = fs_ofile_find(fs, to);

	if (tof) {
		pthread_mutex_lock(&tof->lock);
		tof->gone = 1;
		tof->dirty = 0;
		pthread_mutex_unlock(&tof->lock);
		fs_ofile_rename(fs, to, NULL);
		fs_ofile_put(fs, tof);
	} else if (have_to) {
		fs_data_unlink(fs, te->data_id);
		if (te->staged_id)
			fs_data_unlink(fs, te->staged_id);
	}
}

/*
 * A journaled file nobody has open: move its journal record.  Returns
 * -EAGAIN when it is no longer journaled (its upload just finished): the
 * caller renames it as a clean file.
 */
static int rename_pending(struct bfs_fs *fs, const char *from, const char *to,
			  const struct bfs_entry *te, int have_to)
{
	struct bfs_ofile *of;
	struct bfs_entry e;
	char src[FS_KEY_MAX];
	int rc = fs_ofile_pending(fs, from, &of);

	if (rc)
		return rc;
	pthread_rwlock_wrlock(&of->io);  /* no upload of it in flight now */
	pthread_mutex_lock(&of->lock);
	rc = of->dirty && !of->gone && of->ent.state == BFS_ST_UPLOADING ? 0 : -EAGAIN;
	e = of->ent;
	pthread_mutex_unlock(&of->lock);
	if (rc)
		goto out;
	/* An earlier version under the old name goes; the new one is sent once. */
	if (e.etag[0] && !(rc = fs_file_key(fs, from, src, sizeof(src))) &&
	    (rc = bfs_store_delete(fs->store, src)))
		rc = fs_store_errno("rename", from, rc);
	if (rc)
		goto out;
	wait_upload(fs, to);
	orphan_target(fs, to, te, have_to);
	/* the target's object (if any) is what an unlink before the upload removes */
	snprintf(e.etag, sizeof(e.etag), "%s", have_to && te->state == BFS_ST_CLEAN ? te->etag : "");
	e.flags |= BFS_EF_LOCAL;
	e.upload_after_ns = fs_now_ns() + (fs->cfg.writeback_ms > 0 ? fs->cfg.writeback_ms : 0) *
					      1000000LL;
	pthread_mutex_lock(&of->lock);
	of->ent = e;
	pthread_mutex_unlock(&of->lock);
	fs_ofile_rename(fs, from, to);
	rc = bfs_index_move(fs->ix, from, to, &e);
	if (!rc)
		(void)fs_jrec_put(fs, to, &e);  /* its journal record follows (logged if not) */
	if (!rc)
		rc = negative(fs, from);
	if (!rc)
		rc = bfs_index_sync(fs->ix);
out:
	pthread_rwlock_unlock(&of->io);
	fs_ofile_put(fs, of);
	if (!rc)
		fs_upload_wake(fs);
	return rc;
}

static int rename_file(struct bfs_fs *fs, const char *from, const char *to,
		       struct bfs_entry *e, const struct bfs_entry *te, int have_to)
{
	struct bfs_ofile *of = fs_ofile_find(fs, from);
	char src[FS_KEY_MAX], dst[FS_KEY_MAX], etag[BFS_XML_MAX_ETAG] = "";
	int rc;

	if (!of && e->state == BFS_ST_UPLOADING) {
		rc = rename_pending(fs, from, to, te, have_to);
		if (rc != -EAGAIN)
			return rc;
		rc = bfs_index_get(fs->ix, from, e);  /* uploaded meanwhile: clean now */
		if (rc)
			return rc;
		of = fs_ofile_find(fs, from);
	}
	if (of) {
		rc = fs_ofile_upload(fs, of);
		if (rc) {
			fs_ofile_put(fs, of);
			return rc;
		}
		pthread_mutex_lock(&of->lock);
		*e = of->ent;
		pthread_mutex_unlock(&of->lock);
	}
	if (e->state != BFS_ST_CLEAN) {
		rc = -EBUSY; /* unuploaded data of a file nobody has open */
		goto out;
	}
	rc = fs_file_key(fs, from, src, sizeof(src));
	if (!rc)
		rc = fs_file_key(fs, to, dst, sizeof(dst));
	if (!rc)
		wait_upload(fs, to);  /* so an upload to the target cannot land after the copy */
	if (!rc)
		rc = bfs_store_copy(fs->store, src, dst, NULL, etag);
	if (!rc)
		rc = bfs_store_delete(fs->store, src);
	if (rc) {
		rc = rc < -4096 ? fs_store_errno("rename", from, rc) : rc;
		goto out;
	}
	orphan_target(fs, to, te, have_to);
	if (etag[0])
		snprintf(e->etag, sizeof(e->etag), "%s", etag);
	e->lastmod_s = 0; /* a new object */
	e->validated_ns = fs_now_ns();
	e->flags |= BFS_EF_LOCAL;
	if (of) {
		pthread_mutex_lock(&of->lock);
		of->ent = *e;
		pthread_mutex_unlock(&of->lock);
		fs_ofile_rename(fs, from, to);
	}
	rc = bfs_index_move(fs->ix, from, to, e);
	if (!rc)
		rc = negative(fs, from);
out:
	if (of)
		fs_ofile_put(fs, of);
	return rc;
}

int bfs_fs_rename(struct bfs_fs *fs, const char *from, const char *to, unsigned int flags)
{
	struct bfs_entry e, te;
	int rc, have_to;

	if (flags & ~(unsigned)RENAME_NOREPLACE)
		return -EINVAL;
	if (fs->cfg.read_only)
		return -EROFS;
	if (!strcmp(from, "/") || !strcmp(to, "/"))
		return -EBUSY;
	rc = fs_lookup(fs, from, &e);
	if (rc)
		return rc;
	rc = fs_lookup(fs, to, &te);
	if (rc && rc != -ENOENT)
		return rc;
	have_to = rc == 0;
	if (have_to) {
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (te.type == BFS_ENT_DIR && e.type != BFS_ENT_DIR)
			return -EISDIR;
		if (te.type != BFS_ENT_DIR && e.type == BFS_ENT_DIR)
			return -ENOTDIR;
		if (!strcmp(from, to))
			return 0;
	}
	if (e.type == BFS_ENT_DIR) {
		size_t fl = strlen(from);

		if (!strncmp(to, from, fl) && to[fl] == '/')
			return -EINVAL; /* into itself */
		if (have_to) {
			rc = bfs_fs_rmdir(fs, to); /* must be empty, as rename(2) says */
			if (rc)
				return rc;
		}
	}
	rc = fs_parent_dir(fs, to);
	if (rc)
		return rc;
	if (e.type == BFS_ENT_DIR) {
		/* the copy below moves markers: the owed ones must be there */
		rc = fs_marker_pay_below(fs, from);
		if (!rc)
			rc = fs_lookup(fs, from, &e);
		return rc ? rc : rename_dir(fs, from, to, &e);
	}
	return rename_file(fs, from, to, &e, &te, have_to);
}
