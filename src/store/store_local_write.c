/* SPDX-License-Identifier: MIT */
/*
 * store_local_write.c - the local backend's writes: PUT (from memory or a
 * file range), marker PUT, copy and delete, and the directories they make
 * and remove.  Semantics and design: store_local.c.
 *
 * A put writes a temporary file in DIR/.bucketfs-tmp/ (computing the MD5 on
 * the way), sets its metadata and cached ETag, fsyncs it and renames it into
 * place (RENAME_NOREPLACE, or link(), for a create-only put).  The parents
 * are made just before the rename; if one vanishes in between (a concurrent
 * delete pruned it) the rename fails with ENOENT and is tried again.
 * Every path goes through local_open (no symlink followed, see
 * store_local_path.c), and every change is an *at() call on the
 * descriptor of the directory that holds the name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "store/store_local.h"

#define CHUNK (256 * 1024)
#define PUT_TRIES 16			   /* renames tried while a parent keeps vanishing */
#define DIR_FLAGS (O_RDONLY | O_DIRECTORY) /* a directory, for its xattrs */

/* What a put writes: memory (data) or len bytes of fd at off. */
struct put_src {
	const void *data;
	int fd;
	off_t off;
	uint64_t len;
};

/* key needs path to be a directory, but it is an object (or, is_dir, the reverse). */
static int conflict(const char *op, const char *key, const char *path, int is_dir)
{
	if (is_dir)
		return local_fail(op, 409, "KeyConflict", BFS_E_BADREQ,
				  "'%.300s' is a directory in the local store (there are keys "
				  "under '%.300s/'), so it cannot also be an object",
				  key, path);
	return local_fail(op, 409, "KeyConflict", BFS_E_BADREQ,
			  "'%.300s' needs '%.300s' to be a directory, but it is an object: the "
			  "local store cannot have both",
			  key, path);
}

static int exists(const char *op, const char *key)
{
	return local_fail(op, 412, "PreconditionFailed", BFS_E_PRECOND,
			  "'%.300s' exists (create-only put)", key);
}

/* ---- directories ----------------------------------------------------------- */

/* A symlink in the way of key's directories (none is ever followed). */
static int symlink_in_way(const char *op, const char *key, const char *path)
{
	return local_fail(op, 403, "AccessDenied", BFS_E_DENIED,
			  "'%.300s' needs '%.300s' to be a directory, but it is a symbolic link, "
			  "which the local store never follows",
			  key, path);
}

/*
 * mkdir -p the first n bytes of rel (n == 0: DIR itself) and open that
 * directory with flags | O_DIRECTORY (O_PATH: for the *at() calls;
 * O_RDONLY: for its xattrs).  An object in the way is a conflict, a
 * symlink AccessDenied.  A level removed by a concurrent prune before the
 * next is made (ENOENT) starts the walk again.  Returns the fd or the error.
 */
static int make_dirs(struct local *lc, const char *op, const char *key, const char *rel, size_t n,
		     int flags)
{
	char path[BFS_MAX_KEY + 1];
	int tries, fd;

	memcpy(path, rel, n);
	path[n] = '\0';
	fd = local_open(lc, path, flags | O_DIRECTORY, 0);
	if (fd >= 0 || !n)
		goto out; /* the usual case: there already */
	/* the walk also says which component is in the way */
	for (tries = 0; tries < PUT_TRIES; tries++) {
		memcpy(path, rel, n);
		path[n] = '\0';
		fd = local_mkdir_walk(lc, path, flags, 0755);
		if (fd != -ENOENT)
			break;
	}
out:
	if (fd >= 0)
		return fd;
	if (fd == -ENOTDIR)
		return conflict(op, key, path, 0);
	if (fd == -ELOOP || fd == -EXDEV)
		return symlink_in_way(op, key, path);
	return local_sys_fail(op, key, "create the directories for", -fd);
}

/* Remove the directories above rel left empty, up to DIR, stopping at a marker. */
static void prune_locked(struct local *lc, const char *rel)
{
	char path[BFS_MAX_KEY + 1], *slash;
	const char *name;
	int pfd, fd, marked, err;

	snprintf(path, sizeof(path), "%s", rel);
	while ((slash = strrchr(path, '/'))) {
		*slash = '\0';
		pfd = local_open_parent(lc, path, &name);
		if (pfd < 0) {
			if (pfd == -ENOENT)
				continue; /* removed already */
			return;
		}
		fd = openat(pfd, name, DIR_FLAGS | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			err = errno;
			close(pfd);
			if (err == ENOENT)
				continue;
			return;
		}
		marked = local_marked(fd);
		close(fd);
		err = marked || unlinkat(pfd, name, AT_REMOVEDIR) < 0;
		close(pfd);
		if (err)
			return; /* ENOTEMPTY: still in use */
	}
}

/* ---- PUT ------------------------------------------------------------------- */

/*
 * Create a temporary file in DIR/.bucketfs-tmp (made lazily): *dfd is that
 * directory (close it), name the file's name in it, *fd the file.
 */
static int tmp_create(struct local *lc, const char *op, const char *key, char *name, size_t sz,
		      int *dfd, int *fd)
{
	int tries, err = 0;

	*fd = -1;
	for (tries = 0; tries < 100; tries++) {
		if (*dfd < 0) {
			*dfd = local_open(lc, LOCAL_TMP_DIR, O_PATH | O_DIRECTORY, 0);
			if (*dfd == -ENOENT &&
			    (!mkdirat(lc->rootfd, LOCAL_TMP_DIR, 0700) || errno == EEXIST))
				*dfd = local_open(lc, LOCAL_TMP_DIR, O_PATH | O_DIRECTORY, 0);
			if (*dfd < 0) {
				err = -*dfd;
				*dfd = -1;
				break;
			}
		}
		snprintf(name, sz, "%ld.%lu", (long)getpid(), atomic_fetch_add(&lc->tmp_seq, 1));
		*fd = openat(*dfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (*fd >= 0)
			return 0;
		err = errno;
		if (err == ENOENT) { /* the directory was removed meanwhile */
			close(*dfd);
			*dfd = -1;
			continue;
		}
		if (err != EEXIST) /* EEXIST: a stale file of an earlier process */
			break;
	}
	return local_sys_fail(op, key, "create a temporary file for", err);
}

/* Copy the source into the temporary file, computing its MD5 on the way. */
static int fill_tmp(const char *op, const char *key, int tfd, const struct put_src *s,
		    char md5hex[LOCAL_MD5_HEX])
{
	unsigned char md5[BFS_MD5_LEN];
	struct bfs_md5_ctx *ctx = bfs_md5_begin();
	char *chunk = NULL;
	uint64_t done = 0;
	ssize_t r;
	int rc = 0;

	if (!ctx || (!s->data && s->len && !(chunk = malloc(CHUNK)))) {
		rc = -ENOMEM;
		goto out;
	}
	while (done < s->len) {
		size_t want = s->len - done < CHUNK ? (size_t)(s->len - done) : CHUNK;
		const char *p = s->data ? (const char *)s->data + done : chunk;

		if (!s->data) {
			r = pread(s->fd, chunk, want, s->off + (off_t)done);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				rc = r < 0 ? local_sys_fail(op, key, "read the data for", errno)
					   : local_fail(op, 0, "", -EIO,
							"'%.300s': the source is "
							"shorter than the length given",
							key);
				goto out;
			}
			want = (size_t)r;
		}
		bfs_md5_update(ctx, p, want);
		for (r = 0; (size_t)r < want;) {
			ssize_t w = pwrite(tfd, p + r, want - (size_t)r, (off_t)done + r);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = local_sys_fail(op, key, "write", w < 0 ? errno : EIO);
				goto out;
			}
			r += w;
		}
		done += want;
	}
out:
	bfs_md5_end(ctx, md5);
	bfs_hex(md5, BFS_MD5_LEN, md5hex);
	free(chunk);
	return rc;
}

/*
 * Rename (create-only: without replacing) the temporary file tmp of the
 * directory tdfd to k, making parents.
 */
static int commit(struct local *lc, const char *op, const char *key, const struct local_key *k,
		  int tdfd, const char *tmp, int create_only)
{
	const char *slash = strrchr(k->rel, '/'), *name = slash ? slash + 1 : k->rel;
	struct stat sb;
	int tries, rc, err = 0, pfd = -1;

	for (tries = 0; tries < PUT_TRIES; tries++) {
		pfd = make_dirs(lc, op, key, k->rel, slash ? (size_t)(slash - k->rel) : 0, O_PATH);
		if (pfd < 0)
			return pfd;
		if (!create_only)
			rc = renameat(tdfd, tmp, pfd, name);
		else if ((rc = renameat2(tdfd, tmp, pfd, name, RENAME_NOREPLACE)) &&
			 (errno == EINVAL || errno == ENOSYS) &&
			 !(rc = linkat(tdfd, tmp, pfd, name, 0)))
			(void)unlinkat(tdfd, tmp, 0);
		if (!rc) {
			close(pfd);
			return 0;
		}
		err = errno;
		if (err != ENOENT)
			break;
		close(pfd);
		pfd = -1;
	}
	if (pfd >= 0 && (err == EEXIST || err == EISDIR || err == ENOTEMPTY) &&
	    !fstatat(pfd, name, &sb, AT_SYMLINK_NOFOLLOW) && S_ISDIR(sb.st_mode))
		rc = conflict(op, key, k->rel, 1);
	else if (err == EEXIST)
		rc = exists(op, key);
	else if (err == ENOTDIR)
		rc = conflict(op, key, k->rel, 0);
	else
		rc = local_sys_fail(op, key, "rename into place", err);
	if (pfd >= 0)
		close(pfd);
	return rc;
}

/* A marker key: the directory, marked, with o's metadata.  No data. */
static int put_marker(struct local *lc, const char *op, const char *key, const struct local_key *k,
		      uint64_t len, const struct bfs_put_opts *o, char *etag)
{
	int fd = -1, rc = 0;

	if (len)
		return local_fail(op, 400, "InvalidObjectName", BFS_E_BADREQ,
				  "'%.300s' ends in '/': in the local store it is a directory and "
				  "cannot hold data",
				  key);
	pthread_mutex_lock(&lc->tree_lock);
	fd = local_open(lc, k->rel, DIR_FLAGS, 0);
	if (fd >= 0 && o && o->if_none_match_star &&
	    (local_marked(fd) || local_dir_is_empty(fd) == 1)) {
		rc = exists(op, key);
	} else if (fd < 0) {
		fd = make_dirs(lc, op, key, k->rel, strlen(k->rel), O_RDONLY);
		if (fd < 0) {
			rc = fd;
			fd = -1;
		}
	}
	if (!rc) {
		local_meta_clear(fd);
		rc = local_meta_write(op, key, fd, o);
	}
	if (!rc && fsetxattr(fd, LOCAL_XA_MARKER, "1", 1, 0) < 0 && errno != ENOTSUP)
		rc = local_sys_fail(op, key, "mark", errno);
	pthread_mutex_unlock(&lc->tree_lock);
	if (fd >= 0)
		close(fd);
	if (!rc && etag)
		snprintf(etag, BFS_ETAG_MAX, "%s", LOCAL_EMPTY_MD5);
	return rc;
}

/* The object key is the version etag (BFS_E_PRECOND if another or none). */
static int if_match(struct bfs_store *st, const char *op, const char *key, const char *etag)
{
	char cur[LOCAL_MD5_HEX];
	struct local_obj ob;
	int rc = local_obj_lookup(st, op, key, &ob, NULL);

	if (rc == BFS_E_NOTFOUND)
		return local_fail(op, 412, "PreconditionFailed", BFS_E_PRECOND,
				  "'%.300s' is gone: not the version the write was based on", key);
	if (rc)
		return rc;
	rc = local_obj_etag(op, key, &ob, cur);
	local_obj_close(&ob);
	if (!rc && strcmp(cur, etag))
		rc = local_fail(op, 412, "PreconditionFailed", BFS_E_PRECOND,
				"'%.300s' changed: not the version the write was based on", key);
	return rc;
}

static int put_object(struct bfs_store *st, const char *op, const char *key,
		      const struct put_src *src, const struct bfs_put_opts *o, char *etag)
{
	struct local *lc = st->local;
	char tmp[64], md5hex[LOCAL_MD5_HEX];
	struct local_key k;
	struct stat sb;
	int fd = -1, tdfd = -1, rc;

	rc = local_key_parse(op, key, &k);
	if (!rc)
		rc = local_meta_check(op, key, o);
	if (rc)
		return rc;
	if (k.marker)
		return put_marker(lc, op, key, &k, src->len, o, etag);
	rc = tmp_create(lc, op, key, tmp, sizeof(tmp), &tdfd, &fd);
	if (rc)
		goto out;
	rc = fill_tmp(op, key, fd, src, md5hex);
	if (!rc)
		rc = local_meta_write(op, key, fd, o);
	if (!rc && fstat(fd, &sb) < 0)
		rc = local_sys_fail(op, key, "stat", errno);
	if (!rc) {
		local_etag_store(fd, md5hex, &sb);
		if (fsync(fd) < 0)
			rc = local_sys_fail(op, key, "fsync", errno);
	}
	close(fd);
	if (!rc && o && o->if_match) {
		/* the tree lock makes the check and the rename one step */
		pthread_mutex_lock(&lc->tree_lock);
		rc = if_match(st, op, key, o->if_match);
		if (!rc)
			rc = commit(lc, op, key, &k, tdfd, tmp, 0);
		pthread_mutex_unlock(&lc->tree_lock);
	} else if (!rc) {
		rc = commit(lc, op, key, &k, tdfd, tmp, o && o->if_none_match_star);
	}
	if (rc)
		(void)unlinkat(tdfd, tmp, 0);
	else if (etag)
		snprintf(etag, BFS_ETAG_MAX, "%s", md5hex);
out:
	if (tdfd >= 0)
		close(tdfd);
	return rc;
}

int local_put_buf(struct bfs_store *st, const char *key, const void *data, size_t len,
		  const struct bfs_put_opts *o, char *etag)
{
	struct put_src s = { .data = len ? data : "", .fd = -1, .off = 0, .len = len };
	int rc;

	atomic_fetch_add(&st->requests[BFS_OP_PUT], 1);
	rc = put_object(st, "PUT", key, &s, o, etag);
	if (!rc)
		atomic_fetch_add(&st->bytes_up, len);
	return rc;
}

int local_put_fd(struct bfs_store *st, const char *key, int fd, off_t off, uint64_t len,
		 const struct bfs_put_opts *o, char *etag)
{
	struct put_src s = { .data = NULL, .fd = fd, .off = off, .len = len };
	int rc;

	atomic_fetch_add(&st->requests[BFS_OP_PUT], 1);
	if (fd < 0 || off < 0 || len > (uint64_t)INT64_MAX - (uint64_t)off)
		return local_fail("PUT", 0, "", -EINVAL,
				  "'%.300s': invalid descriptor, offset "
				  "or length",
				  key ? key : "");
	rc = put_object(st, "PUT", key, &s, o, etag);
	if (!rc)
		atomic_fetch_add(&st->bytes_up, len);
	return rc;
}

/* ---- copy ------------------------------------------------------------------ */

/* A copy onto itself with new metadata: rewrite the xattrs, touch the mtime. */
static int replace_meta(const char *key, struct local_obj *ob, const struct bfs_put_opts *o,
			const char *md5hex)
{
	int rc;

	if (o->if_none_match_star)
		return exists("PUT", key);
	local_meta_clear(ob->fd);
	rc = local_meta_write("PUT", key, ob->fd, o);
	if (!rc && futimens(ob->fd, NULL) < 0)
		rc = local_sys_fail("PUT", key, "touch", errno);
	if (!rc && !ob->marker && !fstat(ob->fd, &ob->sb))
		local_etag_store(ob->fd, md5hex, &ob->sb);
	return rc;
}

int local_copy(struct bfs_store *st, const char *src, const char *dst, const struct bfs_put_opts *o,
	       char *etag)
{
	struct bfs_obj_info info;
	struct bfs_put_opts po = { 0 };
	struct put_src s = { .data = NULL, .fd = -1, .off = 0, .len = 0 };
	struct local_obj ob;
	int rc;

	atomic_fetch_add(&st->requests[BFS_OP_COPY], 1);
	if ((rc = store_check_key(dst)) || (rc = local_obj_lookup(st, "PUT", src, &ob, &info)))
		return rc;
	if (!strcmp(src, dst)) {
		rc = o ? replace_meta(src, &ob, o, info.etag)
		       : local_fail("PUT", 400, "InvalidRequest", BFS_E_BADREQ,
				    "copying '%.300s' onto itself without changing its metadata",
				    src);
		if (!rc && etag)
			snprintf(etag, BFS_ETAG_MAX, "%s", info.etag);
		local_obj_close(&ob);
		return rc;
	}
	if (!o) { /* x-amz-metadata-directive: COPY */
		po.content_type = info.content_type;
		po.cache_control = info.cache_control[0] ? info.cache_control : NULL;
		po.meta = info.meta;
		po.nmeta = info.nmeta;
	}
	s.fd = ob.fd;
	s.len = info.size;
	rc = put_object(st, "PUT", dst, &s, o ? o : &po, etag);
	local_obj_close(&ob);
	return rc;
}

/* ---- DELETE ---------------------------------------------------------------- */

/* Missing, not a directory, or a symlink on the way: nothing to delete. */
static int nothing_there(int err)
{
	return err == ENOENT || err == ENOTDIR || err == ELOOP || err == EXDEV;
}

static int delete_marker(struct local *lc, const char *key, const struct local_key *k)
{
	const char *name;
	int pfd, fd = -1, rc = 0;

	pthread_mutex_lock(&lc->tree_lock);
	pfd = local_open_parent(lc, k->rel, &name);
	if (pfd < 0) {
		if (!nothing_there(-pfd))
			rc = local_sys_fail("DELETE", key, "open", -pfd);
		goto out;
	}
	fd = openat(pfd, name, DIR_FLAGS | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (!nothing_there(errno))
			rc = local_sys_fail("DELETE", key, "open", errno);
		goto out;
	}
	local_meta_clear(fd);
	(void)fremovexattr(fd, LOCAL_XA_MARKER);
	close(fd);
	/* Not empty: the directory stays, implied by the keys under it. */
	if (!unlinkat(pfd, name, AT_REMOVEDIR))
		prune_locked(lc, k->rel);
out:
	if (pfd >= 0)
		close(pfd);
	pthread_mutex_unlock(&lc->tree_lock);
	return rc;
}

static int delete_one(struct local *lc, const char *key)
{
	struct local_key k;
	struct stat sb;
	const char *name;
	int pfd, err, rc = local_key_parse("DELETE", key, &k);

	if (rc)
		return rc;
	if (k.marker)
		return delete_marker(lc, key, &k);
	pfd = local_open_parent(lc, k.rel, &name);
	if (pfd < 0)
		return nothing_there(-pfd) ? 0 : local_sys_fail("DELETE", key, "open", -pfd);
	/* Missing, or no object (a directory, a symlink): nothing to delete. */
	if (fstatat(pfd, name, &sb, AT_SYMLINK_NOFOLLOW) || !S_ISREG(sb.st_mode)) {
		close(pfd);
		return 0;
	}
	err = unlinkat(pfd, name, 0) < 0 ? errno : 0;
	close(pfd);
	if (err)
		return err == ENOENT ? 0 : local_sys_fail("DELETE", key, "remove", err);
	pthread_mutex_lock(&lc->tree_lock);
	prune_locked(lc, k.rel);
	pthread_mutex_unlock(&lc->tree_lock);
	return 0;
}

int local_delete(struct bfs_store *st, const char *key)
{
	atomic_fetch_add(&st->requests[BFS_OP_DELETE], 1);
	return delete_one(st->local, key);
}

int local_delete_many(struct bfs_store *st, const char *const *keys, size_t n, size_t *nfailed)
{
	struct bfs_store_error first;
	size_t i, failed = 0, first_i = 0;

	for (i = 0; i < n; i++) {
		if (i % BFS_MAX_DELETE == 0) /* one DeleteObjects per 1000 keys */
			atomic_fetch_add(&st->requests[BFS_OP_POST], 1);
		if (delete_one(st->local, keys[i]) && failed++ == 0) {
			first = *bfs_store_last_error();
			first_i = i;
		}
	}
	if (nfailed)
		*nfailed = failed;
	if (!failed)
		return 0;
	/* As DeleteObjects reports it: the first refused key and why. */
	return local_fail("POST", 200, first.code, BFS_E_BADREQ, "%.200s: %s",
			  keys[first_i] ? keys[first_i] : "(null)", first.message);
}
