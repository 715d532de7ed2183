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
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "store_local.h"

#define CHUNK (256 * 1024)
#define PUT_TRIES 16 /* renames tried while a parent keeps vanishing */
#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

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
				  "under '%.300s/'), so it cannot also be an object", key, path);
	return local_fail(op, 409, "KeyConflict", BFS_E_BADREQ,
			  "'%.300s' needs '%.300s' to be a directory, but it is an object: the "
			  "local store cannot have both", key, path);
}

static int exists(const char *op, const char *key)
{
	return local_fail(op, 412, "PreconditionFailed", BFS_E_PRECOND,
			  "'%.300s' exists (create-only put)", key);
}

/* ---- directories ----------------------------------------------------------- */

/*
 * mkdir -p the first n bytes of rel; an object in the way is a conflict.
 * A level removed by a concurrent prune before the next is made (ENOENT)
 * starts the walk again.
 */
static int make_dirs(struct local *lc, const char *op, const char *key, const char *rel,
		     size_t n)
{
	char path[BFS_MAX_KEY + 1];
	struct stat sb;
	size_t i;
	int tries = 0, err;

	if (n == 0)
		return 0;
	memcpy(path, rel, n);
	path[n] = '\0';
	if (!fstatat(lc->rootfd, path, &sb, 0) && S_ISDIR(sb.st_mode))
		return 0; /* the usual case */
	for (i = 1; i <= n; i++) {
		if (i < n && path[i] != '/')
			continue;
		path[i] = '\0';
		err = mkdirat(lc->rootfd, path, 0755) < 0 ? errno : 0;
		if (err == EEXIST)
			err = fstatat(lc->rootfd, path, &sb, 0) ? errno
			      : S_ISDIR(sb.st_mode) ? 0 : ENOTDIR;
		if (err == ENOENT && ++tries < PUT_TRIES) {
			path[i] = i < n ? '/' : '\0';
			i = 0;
			continue;
		}
		if (err == ENOTDIR)
			return conflict(op, key, path, 0);
		if (err)
			return local_sys_fail(op, key, "create the directories for", err);
		if (i < n)
			path[i] = '/';
	}
	return 0;
}

/* Remove the directories above rel left empty, up to DIR, stopping at a marker. */
static void prune_locked(struct local *lc, const char *rel)
{
	char path[BFS_MAX_KEY + 1], *slash;
	int fd, marked;

	snprintf(path, sizeof(path), "%s", rel);
	while ((slash = strrchr(path, '/'))) {
		*slash = '\0';
		fd = openat(lc->rootfd, path, DIR_FLAGS);
		if (fd < 0) {
			if (errno == ENOENT)
				continue; /* removed already */
			return;
		}
		marked = local_marked(fd);
		close(fd);
		if (marked || unlinkat(lc->rootfd, path, AT_REMOVEDIR) < 0)
			return; /* ENOTEMPTY: still in use */
	}
}

/* ---- PUT ------------------------------------------------------------------- */

static int tmp_create(struct local *lc, const char *op, const char *key, char *name, size_t sz,
		      int *fd)
{
	int tries;

	for (tries = 0; tries < 100; tries++) {
		snprintf(name, sz, LOCAL_TMP_DIR "/%ld.%lu", (long)getpid(),
			 atomic_fetch_add(&lc->tmp_seq, 1));
		*fd = openat(lc->rootfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (*fd >= 0)
			return 0;
		if (errno == ENOENT &&
		    (!mkdirat(lc->rootfd, LOCAL_TMP_DIR, 0700) || errno == EEXIST))
			continue; /* made lazily */
		if (errno != EEXIST) /* EEXIST: a stale file of an earlier process */
			break;
	}
	return local_sys_fail(op, key, "create a temporary file for", errno);
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
					   : local_fail(op, 0, "", -EIO, "'%.300s': the source is "
							"shorter than the length given", key);
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

/* Rename (create-only: without replacing) the temporary file to k, making parents. */
static int commit(struct local *lc, const char *op, const char *key, const struct local_key *k,
		  const char *tmp, int create_only)
{
	const char *slash = strrchr(k->rel, '/');
	struct stat sb;
	int tries, rc, err = 0;

	for (tries = 0; tries < PUT_TRIES; tries++) {
		rc = make_dirs(lc, op, key, k->rel, slash ? (size_t)(slash - k->rel) : 0);
		if (rc)
			return rc;
		if (!create_only)
			rc = renameat(lc->rootfd, tmp, lc->rootfd, k->rel);
		else if ((rc = renameat2(lc->rootfd, tmp, lc->rootfd, k->rel, RENAME_NOREPLACE)) &&
			 (errno == EINVAL || errno == ENOSYS) &&
			 !(rc = linkat(lc->rootfd, tmp, lc->rootfd, k->rel, 0)))
			(void)unlinkat(lc->rootfd, tmp, 0);
		if (!rc)
			return 0;
		err = errno;
		if (err != ENOENT)
			break;
	}
	if ((err == EEXIST || err == EISDIR || err == ENOTEMPTY) &&
	    !fstatat(lc->rootfd, k->rel, &sb, AT_SYMLINK_NOFOLLOW) && S_ISDIR(sb.st_mode))
		return conflict(op, key, k->rel, 1);
	if (err == EEXIST)
		return exists(op, key);
	if (err == ENOTDIR)
		return conflict(op, key, k->rel, 0);
	return local_sys_fail(op, key, "rename into place", err);
}

/* A marker key: the directory, marked, with o's metadata.  No data. */
static int put_marker(struct local *lc, const char *op, const char *key,
		      const struct local_key *k, uint64_t len, const struct bfs_put_opts *o,
		      char *etag)
{
	int fd = -1, rc = 0;

	if (len)
		return local_fail(op, 400, "InvalidObjectName", BFS_E_BADREQ,
				  "'%.300s' ends in '/': in the local store it is a directory and "
				  "cannot hold data", key);
	pthread_mutex_lock(&lc->tree_lock);
	fd = openat(lc->rootfd, k->rel, DIR_FLAGS);
	if (fd >= 0 && o && o->if_none_match_star &&
	    (local_marked(fd) || local_dir_is_empty(fd) == 1))
		rc = exists(op, key);
	else if (fd < 0 && !(rc = make_dirs(lc, op, key, k->rel, strlen(k->rel))) &&
		 (fd = openat(lc->rootfd, k->rel, DIR_FLAGS)) < 0)
		rc = local_sys_fail(op, key, "open", errno);
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
		snprintf(etag, BFS_XML_MAX_ETAG, "%s", LOCAL_EMPTY_MD5);
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
	int fd = -1, rc;

	rc = local_key_parse(op, key, &k);
	if (!rc)
		rc = local_meta_check(op, key, o);
	if (rc)
		return rc;
	if (k.marker)
		return put_marker(lc, op, key, &k, src->len, o, etag);
	rc = tmp_create(lc, op, key, tmp, sizeof(tmp), &fd);
	if (rc)
		return rc;
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
			rc = commit(lc, op, key, &k, tmp, 0);
		pthread_mutex_unlock(&lc->tree_lock);
	} else if (!rc) {
		rc = commit(lc, op, key, &k, tmp, o && o->if_none_match_star);
	}
	if (rc)
		(void)unlinkat(lc->rootfd, tmp, 0);
	else if (etag)
		snprintf(etag, BFS_XML_MAX_ETAG, "%s", md5hex);
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
		return local_fail("PUT", 0, "", -EINVAL, "'%.300s': invalid descriptor, offset "
				  "or length", key ? key : "");
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

int local_copy(struct bfs_store *st, const char *src, const char *dst,
	       const struct bfs_put_opts *o, char *etag)
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
			snprintf(etag, BFS_XML_MAX_ETAG, "%s", info.etag);
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

static int delete_marker(struct local *lc, const char *key, const struct local_key *k)
{
	int fd, rc = 0;

	pthread_mutex_lock(&lc->tree_lock);
	fd = openat(lc->rootfd, k->rel, DIR_FLAGS);
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
			rc = local_sys_fail("DELETE", key, "open", errno);
		goto out;
	}
	local_meta_clear(fd);
	(void)fremovexattr(fd, LOCAL_XA_MARKER);
	close(fd);
	/* Not empty: the directory stays, implied by the keys under it. */
	if (!unlinkat(lc->rootfd, k->rel, AT_REMOVEDIR))
		prune_locked(lc, k->rel);
out:
	pthread_mutex_unlock(&lc->tree_lock);
	return rc;
}

static int delete_one(struct local *lc, const char *key)
{
	struct local_key k;
	struct stat sb;
	int rc = local_key_parse("DELETE", key, &k);

	if (rc)
		return rc;
	if (k.marker)
		return delete_marker(lc, key, &k);
	/* Missing, or no object (a directory, a symlink): nothing to delete. */
	if (fstatat(lc->rootfd, k.rel, &sb, AT_SYMLINK_NOFOLLOW) || !S_ISREG(sb.st_mode))
		return 0;
	if (unlinkat(lc->rootfd, k.rel, 0) < 0)
		return errno == ENOENT ? 0 : local_sys_fail("DELETE", key, "remove", errno);
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

int local_delete_many(struct bfs_store *st, const char *const *keys, size_t n,
		      size_t *nfailed)
{
	struct bfs_store_error first;
	size_t i, failed = 0, first_i = 0;

	for (i = 0; i < n; i++) {
		if (i % BFS_XML_MAX_DELETE == 0) /* one DeleteObjects per 1000 keys */
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
