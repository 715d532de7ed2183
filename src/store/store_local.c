/* SPDX-License-Identifier: MIT */
/*
 * store_local.c - the embedded default backend: a local directory used as
 * the bucket (bucketfs file:DIR MOUNTPOINT), behind the same store API and
 * with the same observable semantics as S3 (store_obj.c), only faster.
 * This file: keys, metadata, ETags, HEAD/GET, the bucket check; puts,
 * copies and deletes are in store_local_write.c, listings in
 * store_local_list.c, the backend's table and its opening in
 * store_local_ops.c (above the three).
 *
 * Keys: "a/b/c.png" is the file DIR/a/b/c.png; a key ending in "/" (a
 * directory marker, "a/b/") is the directory DIR/a/b.  A key that cannot be
 * a path ("a//b", a "." or ".." segment, a leading "/", a segment over 255
 * bytes, the reserved .bucketfs-tmp) is refused with InvalidObjectName, and
 * one that an object and a directory would have to share (an object "a" and
 * a key "a/b") with KeyConflict, both BFS_E_BADREQ.  Put creates parent
 * directories; delete removes those it left empty, up to DIR, except
 * directories made as explicit markers (xattr user.bucketfs.marker).  An
 * empty directory is its marker key, so no directory vanishes behind the
 * user's back.  A directory is not an object: GET "a/b" of a directory is
 * NoSuchKey, HEAD "a/b/" of a marker succeeds with size 0.
 *
 * Writes: data goes to a temporary file in DIR/.bucketfs-tmp/ (created
 * lazily, never listed), which gets its metadata, is fsync'ed and renamed
 * into place: readers see the old object or the new one, never a torn one,
 * and of concurrent puts of one key the last rename wins.  Stale temporary
 * files (a crash mid-put) may be deleted when no writer is running.
 *
 * Metadata lives in xattrs: user.bucketfs.content-type, .cache-control and
 * .meta.NAME.  The ETag is the MD5 of the content, cached in
 * user.bucketfs.etag as "MD5HEX SIZE MTIME_NS" and recomputed when size or
 * mtime no longer match (the file was edited directly), so a listing reads
 * the data only once.  On a filesystem without user xattrs (ENOTSUP)
 * metadata is silently not kept, the content type reads as
 * application/octet-stream, ETags are recomputed at every use (listings
 * then read every object they return), and every directory counts as a
 * marker (emptied parents are kept rather than risk removing one the user
 * made).  There are no multipart uploads (-ENOTSUP): put_fd takes any size.
 *
 * Symbolic links in DIR are never followed, by any operation: a key with a
 * symlink anywhere in its path (DIR/evil -> /etc, and "evil/passwd") is not
 * there for GET, HEAD, COPY and LIST, nothing for DELETE, and AccessDenied
 * for PUT (store_local_path.c).  A symlink as the whole key is no object;
 * a PUT of that key replaces the link, as a rename onto it does.
 *
 * DESIGN: every path is opened relative to a descriptor of DIR opened once
 * (local_open, local_open_parent), so a key never meets the root's name,
 * and every change is an *at() call on the descriptor of the directory
 * that holds the name, opened through no symlink.  Calls share no mutable state but
 * tree_lock, which makes "is this directory a marker? if not, remove it"
 * atomic against marker puts and deletes in this process; a put whose
 * parent is removed under it (by this or another process) makes it again.
 * Requests are counted in st->requests[] as the S3 backend counts them.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "store/store_local.h"

#define XA_CTYPE "user.bucketfs.content-type"
#define XA_CACHE "user.bucketfs.cache-control"
#define XA_META "user.bucketfs.meta."
#define XA_ETAG "user.bucketfs.etag"
#define DEFAULT_CTYPE "application/octet-stream"
#define CHUNK (256 * 1024)

/* ---- errors ---------------------------------------------------------------- */

int local_fail(const char *op, long status, const char *code, int rc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	store_set_error(op, status, code, msg);
	return rc;
}

int local_sys_fail(const char *op, const char *key, const char *what, int err)
{
	if (err == EACCES || err == EPERM)
		return local_fail(op, 403, "AccessDenied", BFS_E_DENIED, "cannot %s '%.300s': %s",
				  what, key, strerror(err));
	if (err == ELOOP || err == EXDEV)
		return local_fail(op, 403, "AccessDenied", BFS_E_DENIED,
				  "cannot %s '%.300s': its path in the local store goes through a "
				  "symbolic link, which the local store never follows",
				  what, key);
	return local_fail(op, 0, "", -err, "cannot %s '%.300s': %s", what, key, strerror(err));
}

static int not_found(const char *op, const char *key)
{
	return local_fail(op, 404, "NoSuchKey", BFS_E_NOTFOUND,
			  "The specified key does not exist: '%.300s'", key);
}

/* ---- keys ------------------------------------------------------------------ */

/* Why the first n bytes of key cannot be a path under DIR, or NULL. */
static const char *path_problem(const char *key, size_t n)
{
	const char *seg = key, *end = key + n, *p;
	size_t len;

	if (n == 0 || key[0] == '/')
		return "it starts with '/'";
	while (seg <= end) {
		p = memchr(seg, '/', (size_t)(end - seg));
		if (!p)
			p = end;
		len = (size_t)(p - seg);
		if (len == 0)
			return "it has an empty segment ('//')";
		if ((len == 1 && seg[0] == '.') || (len == 2 && !memcmp(seg, "..", 2)))
			return "it has a '.' or '..' segment";
		if (len > NAME_MAX)
			return "a segment is longer than 255 bytes";
		if (seg == key && len == strlen(LOCAL_TMP_DIR) && !memcmp(seg, LOCAL_TMP_DIR, len))
			return "'" LOCAL_TMP_DIR "' is reserved";
		seg = p + 1;
	}
	return NULL;
}

int local_key_ok(const char *key, size_t n)
{
	return path_problem(key, n) == NULL;
}

int local_key_parse(const char *op, const char *key, struct local_key *k)
{
	const char *why;
	size_t n;
	int rc = store_check_key(key);

	if (rc)
		return rc;
	n = strlen(key);
	k->marker = key[n - 1] == '/';
	if (k->marker)
		n--;
	why = path_problem(key, n);
	if (why)
		return local_fail(op, 400, "InvalidObjectName", BFS_E_BADREQ,
				  "key '%.300s' cannot be a file name in the local store: %s", key,
				  why);
	memcpy(k->rel, key, n);
	k->rel[n] = '\0';
	return 0;
}

/* ---- metadata in xattrs ---------------------------------------------------- */

/* Set a string xattr; ENOTSUP (no user xattrs here) is not an error. */
static int xa_set(int fd, const char *name, const char *value)
{
	if (fsetxattr(fd, name, value, strlen(value), 0) < 0 && errno != ENOTSUP)
		return -errno;
	return 0;
}

/* Read a string xattr into buf; "" (and 0) when missing, unsupported or too long. */
static int xa_get(int fd, const char *name, char *buf, size_t size)
{
	ssize_t n = fgetxattr(fd, name, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n > 0;
}

/* The xattr names on fd (malloc'd, NUL-separated, *len bytes), or NULL. */
static char *xa_names(int fd, ssize_t *len)
{
	char *names;
	ssize_t n = flistxattr(fd, NULL, 0);

	if (n <= 0)
		return NULL;
	n += 256; /* room for a name added meanwhile */
	names = malloc((size_t)n);
	if (names && (*len = flistxattr(fd, names, (size_t)n)) <= 0) {
		free(names);
		names = NULL;
	}
	return names;
}

int local_marked(int dfd)
{
	return fgetxattr(dfd, LOCAL_XA_MARKER, NULL, 0) >= 0 || errno == ENOTSUP;
}

void local_meta_clear(int fd)
{
	ssize_t len = 0, i;
	char *names = xa_names(fd, &len);

	for (i = 0; names && i < len; i += (ssize_t)strlen(names + i) + 1)
		if (!strncmp(names + i, XA_META, strlen(XA_META)))
			(void)fremovexattr(fd, names + i);
	free(names);
	(void)fremovexattr(fd, XA_CTYPE);
	(void)fremovexattr(fd, XA_CACHE);
}

static int text_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return 0;
	return 1;
}

int local_meta_check(const char *op, const char *key, const struct bfs_put_opts *o)
{
	int i;

	if (!o)
		return 0;
	if ((o->content_type && !text_ok(o->content_type)) ||
	    (o->cache_control && !text_ok(o->cache_control)))
		return local_fail(op, 0, "", -EINVAL, "'%.300s': control character in a header",
				  key);
	for (i = 0; i < o->nmeta; i++)
		if (!o->meta[i].name[0] || strpbrk(o->meta[i].name, " :") ||
		    !text_ok(o->meta[i].name) || !text_ok(o->meta[i].value))
			return local_fail(op, 0, "", -EINVAL, "'%.300s': invalid metadata '%.100s'",
					  key, o->meta[i].name);
	return 0;
}

/* Names are kept in lower case, as S3 keeps them. */
int local_meta_write(const char *op, const char *key, int fd, const struct bfs_put_opts *o)
{
	char name[sizeof(XA_META) + sizeof(o->meta[0].name)];
	size_t j;
	int i, rc = 0;

	if (!o)
		return 0;
	if (o->content_type)
		rc = xa_set(fd, XA_CTYPE, o->content_type);
	if (!rc && o->cache_control)
		rc = xa_set(fd, XA_CACHE, o->cache_control);
	for (i = 0; !rc && i < o->nmeta; i++) {
		snprintf(name, sizeof(name), XA_META "%s", o->meta[i].name);
		for (j = strlen(XA_META); name[j]; j++)
			name[j] = (char)tolower((unsigned char)name[j]);
		rc = xa_set(fd, name, o->meta[i].value);
	}
	return rc ? local_sys_fail(op, key, "store the metadata of", -rc) : 0;
}

static void meta_read(int fd, struct bfs_obj_info *info)
{
	ssize_t len = 0, i;
	char *names = xa_names(fd, &len);
	size_t pl = strlen(XA_META);

	for (i = 0; names && i < len && info->nmeta < BFS_MAX_META;
	     i += (ssize_t)strlen(names + i) + 1) {
		struct bfs_meta_kv *m = &info->meta[info->nmeta];

		if (strncmp(names + i, XA_META, pl) || strlen(names + i + pl) >= sizeof(m->name) ||
		    !xa_get(fd, names + i, m->value, sizeof(m->value)))
			continue;
		snprintf(m->name, sizeof(m->name), "%s", names + i + pl);
		info->nmeta++;
	}
	free(names);
}

/* ---- ETags ----------------------------------------------------------------- */

static long long mtime_ns(const struct stat *sb)
{
	return (long long)sb->st_mtim.tv_sec * 1000000000LL + sb->st_mtim.tv_nsec;
}

/* The MD5 of a cached "MD5HEX SIZE MTIME_NS" if it still holds for sb. */
static int etag_cached(const char *v, const struct stat *sb, char out[LOCAL_MD5_HEX])
{
	const int n = LOCAL_MD5_HEX - 1;
	char *end, *end2;
	long long size, ns;
	int i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)v[i]))
			return 0;
	if (v[n] != ' ')
		return 0;
	size = strtoll(v + n + 1, &end, 10);
	if (end == v + n + 1 || *end != ' ')
		return 0;
	ns = strtoll(end + 1, &end2, 10);
	if (end2 == end + 1 || *end2 || size != (long long)sb->st_size || ns != mtime_ns(sb))
		return 0;
	memcpy(out, v, (size_t)n);
	out[n] = '\0';
	return 1;
}

void local_etag_store(int fd, const char *md5hex, const struct stat *sb)
{
	char v[96];

	snprintf(v, sizeof(v), "%s %lld %lld", md5hex, (long long)sb->st_size, mtime_ns(sb));
	(void)fsetxattr(fd, XA_ETAG, v, strlen(v), 0);
}

int local_obj_etag(const char *op, const char *key, const struct local_obj *ob,
		   char out[LOCAL_MD5_HEX])
{
	unsigned char md5[BFS_MD5_LEN];
	struct stat now;
	char v[96];
	int rc;

	if (ob->marker) {
		memcpy(out, LOCAL_EMPTY_MD5, LOCAL_MD5_HEX);
		return 0;
	}
	if (xa_get(ob->fd, XA_ETAG, v, sizeof(v)) && etag_cached(v, &ob->sb, out))
		return 0;
	rc = bfs_digest_fd(ob->fd, 0, ob->sb.st_size, md5, NULL);
	if (rc)
		return local_sys_fail(op, key, "read", -rc);
	bfs_hex(md5, BFS_MD5_LEN, out);
	/* Cache only what still describes the file (no edit meanwhile). */
	if (!fstat(ob->fd, &now) && now.st_size == ob->sb.st_size &&
	    mtime_ns(&now) == mtime_ns(&ob->sb))
		local_etag_store(ob->fd, out, &ob->sb);
	return 0;
}

/* ---- objects --------------------------------------------------------------- */

int local_dir_is_empty(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), empty = 1;
	struct dirent *de;
	struct stat sb;
	DIR *d;

	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while (empty && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type == DT_REG || de->d_type == DT_DIR)
			empty = 0;
		else if (de->d_type == DT_UNKNOWN &&
			 !fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW))
			empty = !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode);
	}
	closedir(d);
	return empty;
}

void local_obj_close(struct local_obj *ob)
{
	if (ob->fd >= 0)
		close(ob->fd);
	ob->fd = -1;
}

int local_obj_open(struct local *lc, const char *op, const struct local_key *k, const char *key,
		   struct local_obj *ob)
{
	int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY, fd;

	ob->marker = k->marker;
	fd = local_open(lc, k->rel, flags | (k->marker ? O_DIRECTORY : 0), 0);
	ob->fd = fd < 0 ? -1 : fd;
	if (fd < 0) {
		/* a symlink on the way is no object either */
		if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP || fd == -EXDEV)
			return 1;
		return local_sys_fail(op, key, "open", -fd);
	}
	if (fstat(ob->fd, &ob->sb) < 0) {
		local_obj_close(ob);
		return local_sys_fail(op, key, "stat", errno);
	}
	if (k->marker ? local_marked(ob->fd) || local_dir_is_empty(ob->fd) == 1
		      : S_ISREG(ob->sb.st_mode))
		return 0;
	local_obj_close(ob);
	return 1;
}

/* What a HEAD tells, as S3 fills it. */
static int obj_info(const char *op, const char *key, const struct local_obj *ob,
		    struct bfs_obj_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = ob->marker ? 0 : (uint64_t)ob->sb.st_size;
	info->mtime = ob->sb.st_mtim.tv_sec;
	if (!xa_get(ob->fd, XA_CTYPE, info->content_type, sizeof(info->content_type)))
		snprintf(info->content_type, sizeof(info->content_type), DEFAULT_CTYPE);
	(void)xa_get(ob->fd, XA_CACHE, info->cache_control, sizeof(info->cache_control));
	meta_read(ob->fd, info);
	return local_obj_etag(op, key, ob, info->etag);
}

int local_obj_lookup(struct bfs_store *st, const char *op, const char *key, struct local_obj *ob,
		     struct bfs_obj_info *info)
{
	struct local_key k;
	int rc;

	ob->fd = -1;
	rc = local_key_parse(op, key, &k);
	if (!rc && (rc = local_obj_open(st->local, op, &k, key, ob)) == 1)
		rc = not_found(op, key);
	if (!rc && info)
		rc = obj_info(op, key, ob, info);
	if (rc)
		local_obj_close(ob);
	return rc;
}

int local_head(struct bfs_store *st, const char *key, struct bfs_obj_info *info)
{
	struct local_obj ob;
	int rc;

	atomic_fetch_add(&st->requests[BFS_OP_HEAD], 1);
	rc = local_obj_lookup(st, "HEAD", key, &ob, info);
	local_obj_close(&ob);
	return rc;
}

/* ---- GET ------------------------------------------------------------------- */

/* Write n bytes to fd at off (off < 0: write() in order).  Returns 0 or -errno. */
static int write_all(int fd, const char *p, size_t n, off_t off)
{
	ssize_t w;

	while (n) {
		w = off < 0 ? write(fd, p, n) : pwrite(fd, p, n, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
		if (off >= 0)
			off += w;
	}
	return 0;
}

/* Copy n bytes of in at off to out at out_off (< 0: in order), or append them to buf. */
static int copy_out(const char *key, int in, uint64_t off, uint64_t n, int out, off_t out_off,
		    struct bfs_buf *buf)
{
	uint64_t done = 0;
	char *chunk;
	ssize_t r;
	int rc = 0;

	if (buf && n > buf->max - buf->len)
		return local_fail("GET", 200, "", BFS_E_PROTO,
				  "'%.300s' is larger than the buffer's cap", key);
	if (!n)
		return 0;
	chunk = malloc(n < CHUNK ? (size_t)n : CHUNK);
	if (!chunk)
		return -ENOMEM;
	while (!rc && done < n) {
		r = pread(in, chunk, n - done < CHUNK ? (size_t)(n - done) : CHUNK,
			  (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? local_sys_fail("GET", key, "read", errno)
				   : local_fail("GET", 0, "IntegrityCheckFailed", BFS_E_INTEGRITY,
						"'%.300s' shrank while being read", key);
			break;
		}
		if (buf)
			rc = bfs_buf_add(buf, chunk, (size_t)r);
		else if ((rc = write_all(out, chunk, (size_t)r,
					 out_off < 0 ? -1 : out_off + (off_t)done)))
			rc = local_sys_fail("GET", key, "write the data of", -rc);
		done += (uint64_t)r;
	}
	free(chunk);
	return rc;
}

static int etag_match(const char *want, const char *have)
{
	return !strcmp(want, "*") || !strcmp(want, have);
}

/* The bytes a GET returns: S3's checks, in S3's order; 0 or the error. */
static int get_range(const char *key, const struct bfs_get_opts *o, const struct bfs_obj_info *oi,
		     uint64_t *n)
{
	*n = oi->size;
	if (!o)
		return 0;
	if (o->if_match && !etag_match(o->if_match, oi->etag))
		return local_fail("GET", 412, "PreconditionFailed", BFS_E_PRECOND,
				  "'%.300s' has ETag %s, not %.64s", key, oi->etag, o->if_match);
	if (o->if_none_match && etag_match(o->if_none_match, oi->etag))
		return local_fail("GET", 304, "", BFS_E_NOTMODIFIED, "'%.300s' still has ETag %s",
				  key, oi->etag);
	if (!o->off && !o->len)
		return 0;
	if (o->off >= oi->size)
		return local_fail("GET", 416, "InvalidRange", BFS_E_RANGE,
				  "The requested range is not satisfiable: '%.300s' has %llu bytes",
				  key, (unsigned long long)oi->size);
	*n = oi->size - o->off;
	if (o->len && o->len < *n)
		*n = o->len; /* a range running past the end is clipped */
	return 0;
}

static int get_common(struct bfs_store *st, const char *key, const struct bfs_get_opts *o, int fd,
		      off_t fd_off, struct bfs_buf *buf, struct bfs_obj_info *info)
{
	struct bfs_obj_info oi;
	struct local_obj ob;
	size_t start = buf ? buf->len : 0;
	uint64_t n;
	int rc;

	atomic_fetch_add(&st->requests[BFS_OP_GET], 1);
	rc = local_obj_lookup(st, "GET", key, &ob, &oi);
	if (rc)
		return rc;
	rc = get_range(key, o, &oi, &n);
	if (!rc)
		rc = copy_out(key, ob.fd, o ? o->off : 0, n, fd, fd_off, buf);
	local_obj_close(&ob);
	if (rc) {
		if (buf)
			bfs_buf_truncate(buf, start);
		return rc;
	}
	atomic_fetch_add(&st->bytes_down, n);
	if (info)
		*info = oi;
	return 0;
}

int local_get_fd(struct bfs_store *st, const char *key, const struct bfs_get_opts *o, int fd,
		 off_t fd_off, struct bfs_obj_info *info)
{
	return get_common(st, key, o, fd, fd_off, NULL, info);
}

int local_get_buf(struct bfs_store *st, const char *key, const struct bfs_get_opts *o,
		  struct bfs_buf *out, struct bfs_obj_info *info)
{
	return get_common(st, key, o, -1, 0, out, info);
}

/* ---- the bucket ------------------------------------------------------------ */

int local_check(struct bfs_store *st)
{
	struct local *lc = st->local;
	struct stat sb, opened;

	atomic_fetch_add(&st->requests[BFS_OP_HEAD], 1);
	if (stat(lc->root, &sb) < 0)
		return errno != ENOENT
			   ? local_sys_fail("HEAD", lc->root, "stat", errno)
			   : local_fail("HEAD", 404, "NoSuchBucket", BFS_E_NOBUCKET,
					"the store directory %s does not exist", lc->root);
	if (!fstat(lc->rootfd, &opened) && opened.st_nlink == 0)
		return local_fail("HEAD", 404, "NoSuchBucket", BFS_E_NOBUCKET,
				  "the store directory %s was removed after it was opened",
				  lc->root);
	if (!S_ISDIR(sb.st_mode))
		return local_fail("HEAD", 0, "NotADirectory", BFS_E_CONFIG,
				  "the store path %s is not a directory", lc->root);
	if (access(lc->root, W_OK | X_OK) < 0)
		return local_fail("HEAD", 403, "AccessDenied", BFS_E_DENIED,
				  "the store directory %s is not writable: %s", lc->root,
				  strerror(errno));
	return 0;
}
