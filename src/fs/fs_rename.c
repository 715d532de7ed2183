/* SPDX-License-Identifier: MIT */
/*
 * fs_rename.c - rename(2) on a bucket: a file (or symlink) is a server-side
 * copy then a delete of the source, replacing an existing target; a
 * directory is the same for every object below it (not atomic for readers
 * elsewhere; a rename of a large tree is as slow as copying it on the
 * server).  An open file keeps working under its new name; unuploaded
 * writes of a renamed file are uploaded first.  A file whose upload is
 * journaled (write-back) and not open is renamed in the journal only: the
 * upload goes to the new name, once.
 *
 * DESIGN (directories).  A directory rename moves, in this order:
 *   1. what is owed below it into the bucket: directory markers
 *      (fs_marker_pay_below) and journaled uploads, so the copies carry
 *      them;
 *   2. holds the open files below it (their of->io exclusive): no upload
 *      or read of one runs until it has its new name;
 *   3. copies every object below it, then deletes the sources.  A failure
 *      undoes what was done (copies deleted, deleted sources copied back
 *      from their copies), so the source tree stays whole, and the rename
 *      fails with EIO;
 *   4. moves every index entry below it in one transaction (cached data
 *      kept, revalidated at its next use) and gives the open files their
 *      new names: a file still being written is uploaded at its close,
 *      under its new name.
 * libfuse's path locks keep every other operation on a path below the
 * directory out meanwhile; only uploads and reads through open handles
 * (which go by handle, not by path) need step 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "fs/fs_int.h"
#include "util/strv.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int negative(struct bfs_fs *fs, const char *path)
{
	struct bfs_entry n;

	bfs_entry_init(&n);
	n.state = BFS_ST_NEGATIVE;
	n.validated_ns = fs_now_ns();
	return bfs_index_put(fs->ix, path, &n);
}

/* from and to are in different directories. */
static int other_parent(const char *from, const char *to)
{
	const char *a = strrchr(from, '/'), *b = strrchr(to, '/');

	return a - from != b - to || strncmp(from, to, (size_t)(a - from));
}

/* Copy every object below src (a key prefix) to the same name below dst;
 * the source keys copied are added to done. */
static int copy_below(struct bfs_fs *fs, const char *src, const char *dst, struct strv *done)
{
	char nk[2 * FS_KEY_MAX];
	size_t sl = strlen(src), i;
	struct bfs_listing l;
	char *token = NULL;
	int rc;

	do {
		rc = bfs_store_list(fs->store, src, NULL, token, 1000, &l);
		free(token);
		token = NULL;
		if (rc)
			return rc;
		for (i = 0; i < l.nobjects && !rc; i++) {
			const char *k = l.objects[i].key;

			if ((size_t)snprintf(nk, sizeof(nk), "%s%s", dst, k + sl) > BFS_MAX_KEY)
				rc = -ENAMETOOLONG;
			else if (!(rc = bfs_store_copy(fs->store, k, nk, NULL, NULL)))
				rc = strv_add(done, k, strlen(k));
		}
		if (!rc && l.truncated && l.next_token && !(token = strdup(l.next_token)))
			rc = -ENOMEM;
		bfs_listing_release(&l);
	} while (!rc && token);
	return rc;
}

/*
 * A directory's move failed after the copies of done (and, with deleted,
 * maybe after some of their sources were deleted): put the source tree
 * back.  A source that is gone is copied back from its copy, then every
 * copy is deleted.  0 when that worked.
 */
static int undo_move(struct bfs_fs *fs, const char *src, const char *dst, const struct strv *done,
		     int deleted)
{
	char nk[2 * FS_KEY_MAX];
	struct strv copies = STRV_INIT;
	struct bfs_obj_info info;
	size_t sl = strlen(src), i;
	int rc = 0;

	for (i = 0; i < done->n && !rc; i++) {
		snprintf(nk, sizeof(nk), "%s%s", dst, done->v[i] + sl);
		rc = strv_add(&copies, nk, strlen(nk));
		if (!rc && deleted) {
			rc = bfs_store_head(fs->store, done->v[i], &info);
			if (rc == BFS_E_NOTFOUND)
				rc = bfs_store_copy(fs->store, nk, done->v[i], NULL, NULL);
		}
	}
	if (!rc && copies.n)
		rc =
		    bfs_store_delete_many(fs->store, (const char *const *)copies.v, copies.n, NULL);
	strv_free(&copies);
	return rc;
}

/* Upload what is journaled below directory dir (write-back), now. */
struct journaled {
	const char *dir;
	size_t len;
	struct strv files;
	int rc;
	struct bfs_fs *fs;
};

static int journaled_below(void *arg, const char *path, const struct bfs_entry *e)
{
	struct journaled *j = arg;

	if (e->type == BFS_ENT_DIR || strncmp(path, j->dir, j->len) || path[j->len] != '/')
		return 0;
	j->rc = strv_add(&j->files, path, strlen(path));
	return j->rc ? 1 : 0;
}

static int upload_below(struct bfs_fs *fs, const char *dir)
{
	struct journaled j = { dir, strlen(dir), STRV_INIT, 0, fs };
	struct bfs_ofile *of;
	size_t i;
	int rc;

	rc = bfs_index_scan_state(fs->ix, BFS_ST_UPLOADING, journaled_below, &j);
	if (rc >= 0)
		rc = j.rc;
	for (i = 0; i < j.files.n && rc >= 0; i++) {
		rc = fs_ofile_pending(fs, j.files.v[i], &of);
		if (rc == -EAGAIN) { /* uploaded or rewritten meanwhile */
			rc = 0;
			continue;
		}
		if (rc)
			break;
		rc = fs_ofile_upload_if(fs, of, 1);
		fs_ofile_put(fs, of);
	}
	strv_free(&j.files);
	return rc < 0 ? rc : 0;
}

/*
 * Move the index entries below directory from to the same names below to,
 * with from's own entry e (one transaction).  What was confirmed is
 * revalidated at its next use (the copies are new objects); what is being
 * written keeps its state and staging; what was known missing is dropped.
 */
struct subtree {
	struct bfs_index_batch *b;
	size_t fl; /* strlen(from) */
	const char *to;
	const char *dir;   /* the directory whose children are walked */
	struct strv *dirs; /* directories still to walk */
	int rc;
};

static int move_child(void *arg, const char *name, const struct bfs_entry *e)
{
	struct subtree *t = arg;
	char old[BFS_INDEX_PATH_MAX], np[BFS_INDEX_PATH_MAX];
	struct bfs_entry c = *e;

	if ((size_t)snprintf(old, sizeof(old), "%s/%s", t->dir, name) >= sizeof(old) ||
	    (size_t)snprintf(np, sizeof(np), "%s%s", t->to, old + t->fl) >= sizeof(np)) {
		t->rc = -ENAMETOOLONG;
		return 1;
	}
	if (e->type == BFS_ENT_DIR && e->state != BFS_ST_NEGATIVE)
		t->rc = strv_add(t->dirs, old, strlen(old));
	if (!t->rc)
		t->rc = bfs_index_batch_del(t->b, old);
	if (!t->rc && e->state != BFS_ST_NEGATIVE) {
		if (e->state == BFS_ST_CLEAN) {
			c.validated_ns = 0;
			c.listed_ns = 0;
			c.lastmod_s = 0;
		}
		t->rc = bfs_index_batch_put(t->b, np, &c);
	}
	return t->rc ? 1 : 0;
}

static int move_entries(struct bfs_fs *fs, const char *from, const char *to, struct bfs_entry *e)
{
	struct strv dirs = STRV_INIT;
	struct subtree t = { NULL, strlen(from), to, NULL, &dirs, 0 };
	size_t i;
	int rc;

	rc = bfs_index_batch_begin(fs->ix, &t.b);
	if (rc)
		return rc;
	rc = strv_add(&dirs, from, strlen(from));
	/* (dirs grows as the walk finds directories: index, not pointer) */
	for (i = 0; !rc && i < dirs.n; i++) {
		t.dir = dirs.v[i];
		rc = bfs_index_children(fs->ix, t.dir, move_child, &t);
		if (!rc)
			rc = t.rc;
	}
	e->listed_ns = 0;
	e->validated_ns = fs_now_ns();
	if (!rc)
		rc = bfs_index_batch_put(t.b, to, e);
	if (!rc) {
		struct bfs_entry n;

		bfs_entry_init(&n);
		n.state = BFS_ST_NEGATIVE;
		n.validated_ns = e->validated_ns;
		rc = bfs_index_batch_put(t.b, from, &n);
	}
	strv_free(&dirs);
	if (rc) {
		bfs_index_batch_abort(t.b);
		return rc;
	}
	return bfs_index_batch_commit(t.b);
}

/* The journal records of uploads journaled below dir, which just moved
 * there (journaled since upload_below), follow them (logged if not). */
static int rerecord(void *arg, const char *path, const struct bfs_entry *e)
{
	struct journaled *j = arg;

	if (e->type != BFS_ENT_DIR && !strncmp(path, j->dir, j->len) && path[j->len] == '/')
		(void)fs_jrec_put(j->fs, path, e);
	return 0;
}

static void rerecord_below(struct bfs_fs *fs, const char *dir)
{
	struct journaled j = { dir, strlen(dir), STRV_INIT, 0, fs };

	(void)bfs_index_scan_state(fs->ix, BFS_ST_UPLOADING, rerecord, &j);
}

/*
 * The old-style directory object from (BFS_EF_OLDDIR) after its keys moved
 * to dkey: a marker there carries its attributes (the directory may be
 * empty), and the object goes.  0, or a store error (the keys stay moved;
 * the object left behind shows as an empty directory).
 */
static int move_old_dir(struct bfs_fs *fs, const char *from, const char *to, const char *dkey,
			struct bfs_entry *e)
{
	struct bfs_meta_kv meta[FS_PUT_META];
	struct bfs_put_opts po;
	char key[FS_KEY_MAX];
	int rc = fs_file_key(fs, from, key, sizeof(key));

	if (rc)
		return rc;
	fs_put_opts(fs, to, e, meta, &po);
	if (!(e->flags & BFS_EF_META))
		po.nmeta = 0; /* (as fs_marker_pay: it shows each mount's defaults) */
	rc = bfs_store_put_buf(fs->store, dkey, "", 0, &po, e->etag);
	if (!rc)
		rc = bfs_store_delete(fs->store, key);
	if (rc)
		return rc;
	e->flags = (e->flags & ~(uint32_t)BFS_EF_OLDDIR) | BFS_EF_MARKER;
	return 0;
}

static int rename_dir(struct bfs_fs *fs, const char *from, const char *to, struct bfs_entry *e)
{
	char src[FS_KEY_MAX + 1], dst[FS_KEY_MAX + 1], msg[768];
	struct strv done = STRV_INIT;
	struct bfs_ofile **held = NULL;
	size_t nheld = 0, i;
	int rc, deleted = 0, half = 0;

	rc = fs_dir_key(fs, from, src, sizeof(src));
	if (!rc)
		rc = fs_dir_key(fs, to, dst, sizeof(dst));
	/* 1: the copies below carry what is owed */
	if (!rc)
		rc = fs_marker_pay_below(fs, from);
	if (!rc)
		rc = upload_below(fs, from);
	if (!rc)
		rc = fs_lookup(fs, from, e); /* (its own marker may be paid now) */
	/* A marker paid below made the source's directory exist, and voided
	 * its debt (fs_marker_settle): owed again, before anything leaves it */
	if (!rc && other_parent(from, to))
		rc = fs_marker_keep(fs, from);
	/* 2 */
	if (!rc)
		rc = fs_ofile_collect(fs, from, &held, &nheld);
	if (rc)
		return bfs_err_is_store(rc) ? fs_store_errno("rename", from, rc) : rc;
	for (i = 0; i < nheld; i++)
		pthread_rwlock_wrlock(&held[i]->io);
	/* 3 */
	rc = copy_below(fs, src, dst, &done);
	if (!rc && done.n) {
		deleted = 1;
		rc = bfs_store_delete_many(fs->store, (const char *const *)done.v, done.n, NULL);
	}
	if (!rc && (e->flags & BFS_EF_OLDDIR) && (half = move_old_dir(fs, from, to, dst, e)))
		bfs_log(LOG_ERR,
			"rename %s to %s: its old-style directory object was not "
			"replaced (%s): %s shows as an empty directory",
			from, to, bfs_err_is_store(half) ? bfs_strerror(half) : strerror(-half),
			from);
	if (rc) {
		int urc;

		if (bfs_err_is_store(rc))
			bfs_store_describe(rc, msg, sizeof(msg));
		else
			snprintf(msg, sizeof(msg), "%s", strerror(-rc));
		urc = undo_move(fs, src, dst, &done, deleted);
		if (urc)
			bfs_log(LOG_ERR,
				"rename %s to %s failed (%s), and so did undoing it (%s): "
				"objects may be left under both names",
				from, to, msg, bfs_strerror(urc));
		else
			bfs_log(LOG_ERR,
				"rename %s to %s failed (%s); the copies made were removed "
				"and %s is as it was",
				from, to, msg, from);
		rc = rc == -ENAMETOOLONG || rc == -ENOMEM ? rc : -EIO;
	}
	/* 4 (what moved stays moved when only the old-style object failed) */
	if (!rc)
		rc = move_entries(fs, from, to, e);
	if (!rc)
		rc = fs_ofile_rename_tree(fs, from, to);
	if (!rc)
		rerecord_below(fs, to);
	if (!rc && half)
		rc = -EIO;
	for (i = 0; i < nheld; i++) {
		pthread_rwlock_unlock(&held[i]->io);
		fs_ofile_put(fs, held[i]);
	}
	free(held);
	strv_free(&done);
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

/* The file a rename replaces, held while the rename copies over it. */
struct target {
	struct bfs_ofile *of; /* open here, or its journaled upload; NULL none */
	int journaled;	      /* of is a journaled upload's (nobody has it open) */
};

/*
 * Hold the target's open file, or its journaled upload (write-back),
 * exclusive until orphan_target or let_target: no upload of the file being
 * replaced starts (or lands) while the rename copies over it.  0 or -errno.
 */
static int hold_target(struct bfs_fs *fs, const char *to, const struct bfs_entry *te, int have_to,
		       struct target *t)
{
	int rc = 0;

	t->of = fs_ofile_find(fs, to);
	t->journaled = 0;
	if (!t->of && have_to && te->state == BFS_ST_UPLOADING) {
		rc = fs_ofile_pending(fs, to, &t->of);
		if (rc == -EAGAIN || rc == -ENOENT) /* sent meanwhile, or gone */
			rc = 0;
		if (rc)
			t->of = NULL;
		t->journaled = t->of != NULL;
	}
	if (t->of)
		pthread_rwlock_wrlock(&t->of->io);
	return rc;
}

/* The rename failed: the target stays as it was, its upload owed still. */
static void let_target(struct bfs_fs *fs, struct target *t)
{
	if (!t->of)
		return;
	pthread_rwlock_unlock(&t->of->io);
	fs_ofile_put(fs, t->of);
}

/* An open file at a replaced target lives on without a name, and what
 * was journaled of it is never sent; held (t), it is released. */
static void orphan_target(struct bfs_fs *fs, const char *to, const struct bfs_entry *te,
			  int have_to, struct target *t)
{
	int held = t && t->of;
	struct bfs_ofile *tof = held ? t->of : fs_ofile_find(fs, to);

	if (tof) {
		/* (a journaled upload's cached copy, if any besides the
		 * staged one, which goes with its last reference, goes now) */
		if (held && t->journaled && te->data_id && te->data_id != tof->fd_id)
			fs_data_unlink(fs, te->data_id);
		if (held)
			fs_ofile_orphan_held(fs, tof);
		else
			fs_ofile_orphan(fs, tof);
		fs_ofile_rename(fs, to, NULL);
		fs_ofile_put(fs, tof);
	} else if (have_to) {
		fs_data_unlink(fs, te->data_id);
		if (te->staged_id)
			fs_data_unlink(fs, te->staged_id);
	}
}

/* The part of path after its last '/'. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * Copy a renamed file's object src to dst.  bucketfs names every object's
 * Content-Type by its name (fs_put_opts): when the two names' types differ
 * (the "write x.tmp, rename to x.png" publish), the copy gets the new
 * name's type, unless the object's type is not the one its old name gives
 * (set by another client: kept); its metadata is carried over whole (one
 * HEAD first).  Otherwise a plain copy, metadata and all.
 */
static int copy_renamed(struct bfs_fs *fs, const char *from, const char *to, const char *src,
			const char *dst, char *etag)
{
	const char *was = bfs_mime_type(base_name(from)), *now = bfs_mime_type(base_name(to));
	struct bfs_obj_info info;
	struct bfs_put_opts po;
	int rc;

	if (!strcmp(was, now))
		return bfs_store_copy(fs->store, src, dst, NULL, etag);
	rc = bfs_store_head(fs->store, src, &info);
	if (rc)
		return rc;
	memset(&po, 0, sizeof(po));
	po.content_type = strcmp(info.content_type, was) ? info.content_type : now;
	po.cache_control = info.cache_control[0] ? info.cache_control : NULL;
	po.meta = info.meta;
	po.nmeta = info.nmeta;
	return bfs_store_copy(fs->store, src, dst, &po, etag);
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
	pthread_rwlock_wrlock(&of->io); /* no upload of it in flight now */
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
	orphan_target(fs, to, te, have_to, NULL);
	/* the target's object (if any) is what an unlink before the upload removes */
	snprintf(e.etag, sizeof(e.etag), "%s",
		 have_to && te->state == BFS_ST_CLEAN ? te->etag : "");
	e.flags |= BFS_EF_LOCAL;
	e.upload_after_ns =
	    fs_now_ns() + (fs->cfg.writeback_ms > 0 ? fs->cfg.writeback_ms : 0) * 1000000LL;
	pthread_mutex_lock(&of->lock);
	of->ent = e;
	pthread_mutex_unlock(&of->lock);
	fs_ofile_rename(fs, from, to);
	rc = bfs_index_move(fs->ix, from, to, &e);
	if (!rc)
		(void)fs_jrec_put(fs, to, &e); /* its journal record follows (logged if not) */
	if (!rc)
		rc = negative(fs, from);
	if (!rc)
		rc = bfs_index_sync(fs->ix);
out:
	pthread_rwlock_unlock(&of->io);
	fs_ofile_put(fs, of);
	if (!rc)
		fs_journal_wake(fs);
	return rc;
}

static int rename_file(struct bfs_fs *fs, const char *from, const char *to, struct bfs_entry *e,
		       const struct bfs_entry *te, int have_to)
{
	struct bfs_ofile *of = fs_ofile_find(fs, from);
	char src[FS_KEY_MAX], dst[FS_KEY_MAX], etag[BFS_ETAG_MAX] = "";
	struct target t = { NULL, 0 };
	int rc;

	if (!of && e->state == BFS_ST_UPLOADING) {
		rc = rename_pending(fs, from, to, te, have_to);
		if (rc != -EAGAIN)
			return rc;
		rc = bfs_index_get(fs->ix, from, e); /* uploaded meanwhile: clean now */
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
		/* held until it has its new name: no upload of it meanwhile */
		pthread_rwlock_wrlock(&of->io);
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
	/* so that no upload to the target lands after the copy */
	if (!rc)
		rc = hold_target(fs, to, te, have_to, &t);
	if (!rc)
		rc = copy_renamed(fs, from, to, src, dst, etag);
	if (!rc)
		rc = bfs_store_delete(fs->store, src);
	if (rc) {
		let_target(fs, &t);
		rc = bfs_err_is_store(rc) ? fs_store_errno("rename", from, rc) : rc;
		goto out;
	}
	orphan_target(fs, to, te, have_to, &t);
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
	if (of) {
		pthread_rwlock_unlock(&of->io);
		fs_ofile_put(fs, of);
	}
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
	if (fs_hidden_name(to))
		return fs_hide(fs, from, to);
	if (fs_hidden_name(from))
		return -EINVAL;
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
	/* The source's directory outlives what leaves it (fs_marker.c). */
	if (other_parent(from, to))
		rc = fs_marker_keep(fs, from);
	if (rc)
		return rc;
	rc = e.type == BFS_ENT_DIR ? rename_dir(fs, from, to, &e)
				   : rename_file(fs, from, to, &e, &te, have_to);
	if (rc)
		return rc;
	/* Its debt may have been checked (and found void: the source was
	 * still there) while the copy and delete were under way: owed again
	 * if so, now that the source is gone (best effort: the first one is
	 * journaled; the model tester found a directory lost so under a
	 * hanging server). */
	if (other_parent(from, to))
		(void)fs_marker_keep(fs, from);
	fs_dir_changed(fs, from);
	fs_dir_changed(fs, to);
	return 0;
}
