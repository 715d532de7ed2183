/* SPDX-License-Identifier: MIT */
/*
 * fs_file.c - open files: handles, staging of writes, and the upload on
 * close (the table of open files is fs_ofile.c, the read cache they use
 * fs_fetch.c, what a crash left behind is cleaned up by fs_recover.c).
 *
 * A file being written lives in a staging data file.  Its index entry says
 * DIRTY (with the staging id) before the first byte is written, so a
 * daemon that dies mid-write leaves a record that the next mount cleans up
 * (fs_recover.c); the bucket keeps the last closed version.  By default
 * close() (flush) and fsync() upload the staging file with one PUT
 * (multipart above the threshold) and return only when the object is in
 * the bucket; the staging file then becomes the cached copy of the new
 * object.  In write-back mode close() journals the staging file instead
 * (fs_upload.c: synced, then recorded as UPLOADING in the index) and the
 * uploader sends it later; fsync() still waits for the upload.  A journaled
 * file is never changed in place: a write to it first waits for its upload.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "fs/fs_int.h"

/* Give of a private writable copy (staging) of its data (of->io exclusive). */
static int materialize(struct bfs_fs *fs, struct bfs_ofile *of, int empty)
{
	uint64_t id;
	int fd, rc;

	if (of->staged)
		return 0;
	if (!empty) {
		rc = fs_ensure_data(fs, of);
		if (!rc)
			rc = fs_fetch_upto(fs, of, of->size);
		if (rc)
			return rc;
	}
	fd = fs_data_create(fs, &id);
	if (fd < 0)
		return fd;
	if (!empty && of->size) {
		loff_t in = 0, out = 0;
		size_t left = of->size;

		while (left) {
			ssize_t n = copy_file_range(of->fd, &in, fd, &out, left, 0);
			if (n <= 0) {
				rc = n < 0 ? -errno : -EIO;
				fs_data_discard(fs, fd, id);
				return rc;
			}
			left -= (size_t)n;
		}
		fs_space_grew(fs, (int64_t)of->size);
	}
	if (of->fd >= 0)
		close(of->fd);
	of->fd = fd;
	of->fd_id = id;
	of->staged = 1;
	if (empty)
		of->size = 0;
	of->valid = of->size;
	return 0;
}

int fs_ofile_own_data(struct bfs_fs *fs, struct bfs_ofile *of)
{
	int rc = 0;

	pthread_mutex_lock(&of->lock);
	if (of->ent.type && !of->staged && !(of->fd >= 0 && of->valid >= of->size))
		rc = materialize(fs, of, 0);
	pthread_mutex_unlock(&of->lock);
	return rc;
}

/*
 * Before changing a file whose staged data close() acknowledged (journaled,
 * not yet uploaded): upload it first, so what was acknowledged reaches the
 * bucket whole and a crash during the change cannot tear it.  No lock held.
 */
static int settle(struct bfs_fs *fs, struct bfs_ofile *of)
{
	int pending;

	pthread_mutex_lock(&of->lock);
	pending = of->dirty && of->ent.state == BFS_ST_UPLOADING;
	pthread_mutex_unlock(&of->lock);
	return pending ? fs_ofile_upload(fs, of) : 0;
}

/* of's data or size changed now (of->lock held). */
static void changed(struct bfs_ofile *of)
{
	of->gen++;
	of->ent.mtime_ns = of->ent.ctime_ns = fs_now_ns();
}

/* First change since the last upload: journal it in the index first. */
static int mark_dirty(struct bfs_fs *fs, struct bfs_ofile *of)
{
	struct bfs_entry e = of->ent;

	if (of->dirty || of->gone)
		return 0;
	if (e.data_id == of->fd_id)
		e.data_id = 0; /* the cached copy is being changed in place */
	e.state = BFS_ST_DIRTY;
	e.staged_id = of->fd_id;
	e.flags &= ~(uint32_t)BFS_EF_CACHED;
	e.cached_bytes = 0;
	e.size = of->size;
	of->ent = e;
	of->dirty = 1;
	return bfs_index_put(fs->ix, of->path, &e);
}

static struct bfs_file *new_handle(struct bfs_fs *fs, struct bfs_ofile *of, int flags)
{
	struct bfs_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->of = of;
	f->flags = flags;
	fs_ofile_attach(fs, f);
	return f;
}

static void drop_handle(struct bfs_fs *fs, struct bfs_file *f)
{
	fs_ofile_detach(fs, f);
	free(f);
}

int bfs_fs_open_file(struct bfs_fs *fs, const char *path, int flags, struct bfs_file **out)
{
	int acc = flags & O_ACCMODE, writable = acc != O_RDONLY, fresh, rc = 0;
	struct bfs_ofile *of;
	struct bfs_entry e;

	if (writable && fs->cfg.read_only)
		return -EROFS;
	rc = fs_ofile_get(fs, path, &of, &fresh);
	if (rc)
		return rc;
	if (!fresh)
		pthread_mutex_lock(&of->lock);
	if (fresh || (!of->staged && of->fd < 0 && !of->ent.type)) {
		rc = fs_lookup(fs, path, &e);
		if (!rc && e.type == BFS_ENT_DIR)
			rc = -EISDIR;
		/* a symlink object shown as a file (symlinks=file) is read-only */
		if (!rc && e.type == BFS_ENT_LINK && writable)
			rc = -EPERM;
		if (rc)
			goto out_unlock;
		of->ent = e;
		of->size = e.size;
		if ((e.state == BFS_ST_DIRTY || e.state == BFS_ST_UPLOADING) && e.staged_id) {
			of->fd = fs_data_open(fs, e.staged_id, O_RDWR);
			if (of->fd < 0) {
				rc = of->fd;
				goto out_unlock;
			}
			of->fd_id = e.staged_id;
			of->staged = of->dirty = 1;
		}
	}
	pthread_mutex_unlock(&of->lock);

	if (writable && (flags & O_TRUNC) && (rc = settle(fs, of)))
		goto out_put;
	if (writable && (flags & O_TRUNC)) {
		pthread_rwlock_wrlock(&of->io);
		pthread_mutex_lock(&of->lock);
		rc = materialize(fs, of, 1);
		if (!rc && of->size) {
			rc = ftruncate(of->fd, 0) < 0 ? -errno : 0;
			if (!rc)
				fs_space_grew(fs, -(int64_t)of->size);
			of->size = of->valid = 0;
		}
		if (!rc) {
			changed(of);
			rc = mark_dirty(fs, of);
		}
		pthread_mutex_unlock(&of->lock);
		pthread_rwlock_unlock(&of->io);
	} else if (acc != O_WRONLY) {
		pthread_mutex_lock(&of->lock);
		rc = fs_ensure_data(fs, of);
		pthread_mutex_unlock(&of->lock);
	}
	if (rc)
		goto out_put;
	*out = new_handle(fs, of, flags);
	if (!*out) {
		rc = -ENOMEM;
		goto out_put;
	}
	/* Pages the kernel kept from an earlier open are still right unless we
	 * fetched other bytes since (writes here go through the kernel). */
	pthread_mutex_lock(&of->lock);
	(*out)->keep_cache = !of->refetched;
	of->refetched = 0;
	pthread_mutex_unlock(&of->lock);
	return 0;

out_unlock:
	of->ent.type = 0;
	pthread_mutex_unlock(&of->lock);
out_put:
	fs_ofile_put(fs, of);
	return rc;
}

/* create and mknod: a new file (or FIFO, socket, device rdev) at path */
static int create(struct bfs_fs *fs, const char *path, mode_t mode, dev_t rdev, int flags,
		  const struct bfs_ctx *c, struct bfs_file **out)
{
	struct bfs_entry e;
	struct bfs_ofile *of;
	int rc, fresh, fd;
	uint64_t id;

	if (fs->cfg.read_only)
		return -EROFS;
	if (fs_hidden_name(path))
		return -EINVAL; /* reserved for FUSE (fs_hidden_name) */
	rc = fs_lookup(fs, path, &e);
	if (rc == 0) {
		if (flags & O_EXCL)
			return -EEXIST;
		return bfs_fs_open_file(fs, path, flags, out);
	}
	if (rc != -ENOENT)
		return rc;
	rc = fs_parent_dir(fs, path);
	if (rc)
		return rc;
	rc = fs_ofile_get(fs, path, &of, &fresh);
	if (rc)
		return rc;
	if (!fresh) {
		/* Someone created it a moment ago on this mount. */
		fs_ofile_put(fs, of);
		if (flags & O_EXCL)
			return -EEXIST;
		return bfs_fs_open_file(fs, path, flags, out);
	}
	fd = fs_data_create(fs, &id);
	if (fd < 0) {
		rc = fd;
		goto out_fail;
	}
	bfs_entry_init(&e);
	e.type = BFS_ENT_FILE;
	e.state = BFS_ST_DIRTY;
	/* a FIFO or a socket is an empty object of that type (mknod) */
	e.mode = (fs_special_type(mode) ? (mode & S_IFMT) : S_IFREG) | (mode & 07777);
	if (S_ISCHR(mode) || S_ISBLK(mode))
		e.rdev = (uint64_t)rdev;
	e.uid = c->uid;
	e.gid = c->gid;
	e.mtime_ns = e.atime_set_ns = fs_now_ns();
	e.flags = BFS_EF_META | BFS_EF_LOCAL;
	e.staged_id = id;
	rc = bfs_index_put(fs->ix, path, &e);
	if (rc) {
		close(fd);
		fs_data_unlink(fs, id);
		goto out_fail;
	}
	of->ent = e;
	of->fd = fd;
	of->fd_id = id;
	of->staged = 1;
	of->dirty = 1;
	of->gen = 1;
	pthread_mutex_unlock(&of->lock);
	fs_dir_changed(fs, path);
	*out = new_handle(fs, of, flags);
	if (!*out) {
		fs_ofile_put(fs, of);
		return -ENOMEM;
	}
	return 0;
out_fail:
	of->ent.type = 0;
	pthread_mutex_unlock(&of->lock);
	fs_ofile_put(fs, of);
	return rc;
}

int bfs_fs_create(struct bfs_fs *fs, const char *path, mode_t mode, int flags,
		  const struct bfs_ctx *c, struct bfs_file **out)
{
	return create(fs, path, mode, 0, flags, c, out);
}

int bfs_fs_mknod(struct bfs_fs *fs, const char *path, mode_t mode, dev_t rdev,
		 const struct bfs_ctx *c)
{
	struct bfs_file *f = NULL;
	int rc;

	if (!S_ISREG(mode) && !fs_special_type(mode))
		return -EPERM;
	rc = create(fs, path, mode, rdev, O_CREAT | O_EXCL | O_WRONLY, c, &f);
	if (rc)
		return rc;
	rc = bfs_fs_flush(fs, f);
	bfs_fs_release(fs, f);
	return rc;
}

int bfs_fs_keep_cache(const struct bfs_file *f)
{
	return f->keep_cache;
}

ssize_t bfs_fs_read(struct bfs_fs *fs, struct bfs_file *f, char *buf, size_t size, off_t off)
{
	struct bfs_ofile *of = f->of;
	ssize_t n;
	int rc, fd;

	pthread_rwlock_rdlock(&of->io);
	pthread_mutex_lock(&of->lock);
	rc = fs_ensure_data(fs, of);
	if (!rc && (uint64_t)off < of->size)
		rc = fs_fetch_upto(fs, of, (uint64_t)off + size);
	fd = of->fd;
	if (!rc && (uint64_t)off >= of->size) {
		pthread_mutex_unlock(&of->lock);
		pthread_rwlock_unlock(&of->io);
		return 0;
	}
	if (!rc && (uint64_t)off + size > of->size)
		size = (size_t)(of->size - (uint64_t)off);
	pthread_mutex_unlock(&of->lock);
	if (rc) {
		pthread_rwlock_unlock(&of->io);
		return rc;
	}
	n = pread(fd, buf, size, off);
	pthread_rwlock_unlock(&of->io);
	if (n < 0)
		return -errno;
	if (!of->staged)
		atomic_fetch_add(&fs->stats.bytes_cached, (uint64_t)n);
	return n;
}

ssize_t bfs_fs_write(struct bfs_fs *fs, struct bfs_file *f, const char *buf, size_t size, off_t off)
{
	struct bfs_ofile *of = f->of;
	uint64_t end = (uint64_t)off + size, cur;
	ssize_t n;
	int rc = 0;

	rc = settle(fs, of);
	if (rc)
		return rc;
	/* Room for what this write adds, before any lock (eviction may run). */
	pthread_mutex_lock(&of->lock);
	cur = of->staged ? of->size : 0;
	if (!of->staged)
		end = end > of->size ? end : of->size; /* the copy, then the growth */
	if (f->flags & O_APPEND)
		end = of->size + size;
	pthread_mutex_unlock(&of->lock);
	if (end > cur && (rc = fs_cache_reserve(fs, end - cur)))
		return rc;
	if (!of->staged) {
		pthread_rwlock_wrlock(&of->io);
		pthread_mutex_lock(&of->lock);
		rc = materialize(fs, of, 0);
		pthread_mutex_unlock(&of->lock);
		pthread_rwlock_unlock(&of->io);
		if (rc)
			return rc;
	}
	pthread_rwlock_rdlock(&of->io);
	pthread_mutex_lock(&of->lock);
	if (f->flags & O_APPEND)
		off = (off_t)of->size;
	rc = mark_dirty(fs, of);
	if (rc) {
		pthread_mutex_unlock(&of->lock);
		pthread_rwlock_unlock(&of->io);
		return rc;
	}
	if (f->flags & O_APPEND) {
		/* appends are ordered: write under the lock */
		n = pwrite(of->fd, buf, size, off);
	} else {
		pthread_mutex_unlock(&of->lock);
		n = pwrite(of->fd, buf, size, off);
		pthread_mutex_lock(&of->lock);
	}
	if (n > 0 && (uint64_t)off + (uint64_t)n > of->size) {
		fs_space_grew(fs, (int64_t)((uint64_t)off + (uint64_t)n - of->size));
		of->size = of->valid = (uint64_t)off + (uint64_t)n;
	}
	f->changed = 1;
	changed(of);
	pthread_mutex_unlock(&of->lock);
	pthread_rwlock_unlock(&of->io);
	return n < 0 ? -errno : n;
}

int bfs_fs_ftruncate(struct bfs_fs *fs, struct bfs_file *f, off_t size)
{
	struct bfs_ofile *of = f->of;
	int rc;

	if (fs->cfg.read_only)
		return -EROFS;
	rc = settle(fs, of);
	if (rc)
		return rc;
	pthread_rwlock_wrlock(&of->io);
	pthread_mutex_lock(&of->lock);
	rc = materialize(fs, of, size == 0);
	if (!rc && ftruncate(of->fd, size) < 0)
		rc = -errno;
	if (!rc) {
		fs_space_grew(fs, (int64_t)size - (int64_t)of->size);
		of->size = of->valid = (uint64_t)size;
		changed(of);
		rc = mark_dirty(fs, of);
		f->changed = 1;
	}
	pthread_mutex_unlock(&of->lock);
	pthread_rwlock_unlock(&of->io);
	return rc;
}

int bfs_fs_fgetattr(struct bfs_fs *fs, struct bfs_file *f, struct stat *st)
{
	return fs_ofile_stat(fs, f->of, st);
}

/*
 * May closing handle f upload its file?  One that may write, yes; one open
 * read-only only if it is the file's last: a writer still holding the file
 * uploads it at its own close, and a reader's close must not put a
 * half-written file in the bucket.  (The kernel sends no FLUSH for a
 * read-only open at all, FOPEN_NOFLUSH; this covers its release, and a
 * file created read-only, which is alone.)
 */
static int closing_uploads(struct bfs_fs *fs, const struct bfs_file *f)
{
	if ((f->flags & O_ACCMODE) != O_RDONLY)
		return 1;
	return fs_ofile_alone(fs, f);
}

/* A close() or fsync() is about to report rc: a failure is final for
 * what it tried to store (fs_ofile_put). */
static int reported(struct bfs_ofile *of, int rc)
{
	if (rc) {
		pthread_mutex_lock(&of->lock);
		of->failed_gen = of->tried_gen;
		pthread_mutex_unlock(&of->lock);
	}
	return rc;
}

int bfs_fs_flush(struct bfs_fs *fs, struct bfs_file *f)
{
	/*
	 * Every close() of a descriptor that may write stores what the file
	 * holds, if anything changed since it was last stored: close()
	 * returns 0 only once it is in the bucket (or journaled), an empty
	 * or truncated file too.  (A shell's "cmd > file" opens the file,
	 * dup()s it and closes the first descriptor before cmd writes: the
	 * empty file first, as a local disk shows it, then cmd's bytes.)
	 */
	if (!closing_uploads(fs, f))
		return 0;
	if (fs->cfg.writeback_ms >= 0)
		return reported(f->of, fs_journal(fs, f->of));
	return reported(f->of, fs_ofile_upload(fs, f->of));
}

int bfs_fs_fsync(struct bfs_fs *fs, struct bfs_file *f)
{
	/* write-back too: fsync waits for the upload and returns its error */
	return reported(f->of, fs_ofile_upload(fs, f->of));
}

void bfs_fs_release(struct bfs_fs *fs, struct bfs_file *f)
{
	struct bfs_ofile *of = f->of;
	int pending;

	/* close() already uploaded (or journaled); this only sends what no
	 * flush sent, as that close would have (closing_uploads): writes
	 * through a mapping, a file created read-only.  What a close() said
	 * failed is not tried again by itself: when its last reference goes
	 * it is dropped (fs_ofile_put).  What fails here stays DIRTY in the
	 * index (not acknowledged to anyone). */
	pthread_mutex_lock(&of->lock);
	pending = of->dirty && !of->gone && of->failed_gen != of->gen;
	pthread_mutex_unlock(&of->lock);
	if (pending && !closing_uploads(fs, f))
		pending = 0;
	if (pending && fs->cfg.writeback_ms >= 0)
		(void)fs_journal(fs, of);
	else if (pending)
		(void)fs_ofile_upload(fs, of);
	pthread_mutex_lock(&of->lock);
	if (of->ent_changed && !of->dirty && !of->gone && !of->staged &&
	    of->ent.state == BFS_ST_CLEAN) {
		/* Save how much of a large object is now cached, for next time. */
		(void)bfs_index_put(fs->ix, of->path, &of->ent);
		of->ent_changed = 0;
	}
	pthread_mutex_unlock(&of->lock);
	drop_handle(fs, f);
	fs_ofile_put(fs, of);
}

int bfs_fs_truncate(struct bfs_fs *fs, const char *path, off_t size)
{
	struct bfs_file *f;
	int rc;

	rc = bfs_fs_open_file(fs, path, O_WRONLY, &f);
	if (rc)
		return rc;
	rc = bfs_fs_ftruncate(fs, f, size);
	if (!rc)
		rc = bfs_fs_flush(fs, f);
	bfs_fs_release(fs, f);
	return rc;
}
