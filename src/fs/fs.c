/* SPDX-License-Identifier: MIT */
/*
 * fs.c - the filesystem's namespace: getattr, mkdir/rmdir, unlink, statfs,
 * and the helpers the other fs files share (keys, attributes from metadata,
 * metadata to send, offline periods, error translation).  Opening and
 * closing the filesystem: fs_open.c; data files: fs_data.c; chmod, chown,
 * utimens and symlinks: fs_attr.c; lookups: fs_lookup.c; listings:
 * fs_dir.c; open files and uploads: fs_file.c.
 *
 * Attributes persist in the bucket in s3fs's format, as user metadata on
 * the object: x-amz-meta-mode (decimal st_mode, type bits included),
 * x-amz-meta-uid, x-amz-meta-gid, x-amz-meta-mtime (seconds).  Directories
 * are "dir/" marker objects (Content-Type application/x-directory); a
 * symlink is an object whose body is the target and whose mode says S_IFLNK.
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

void bfs_fs_cfg_defaults(struct bfs_fs_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->prefix = "";
	cfg->uid = getuid();
	cfg->gid = getgid();
	cfg->root_mode = 0755;
	cfg->stat_ttl_ms = 1000;
	cfg->neg_ttl_ms = 1000;
	cfg->list_ttl_ms = 0;
	cfg->marker_delay_ms = 1000;
	cfg->whole_max = 8ULL << 20;
	cfg->readahead = 8ULL << 20;
	cfg->fetch_parallel = 4;
	cfg->lookup_get = 2ULL << 20;
	cfg->cache_min_free_pct = 5;
	cfg->writeback_ms = -1;
	cfg->unmount_wait_s = 30;
	cfg->upload_threads = 4;
}

int fs_immutable(const struct bfs_fs *fs, const char *path)
{
	const char *p = fs->cfg.immutable;

	while (p && *p) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		while (n > 1 && p[n - 1] == '/')
			n--;
		if (n == 1 && p[0] == '/')
			return 1;
		if (n && !strncmp(path, p, n) && (path[n] == '/' || path[n] == '\0'))
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

int64_t fs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int fs_name_check(const char *name, size_t len)
{
	if (len == 0 || memchr(name, '/', len) || memchr(name, '\0', len) ||
	    (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.'))))
		return -EINVAL;
	return len > NAME_MAX ? -ENAMETOOLONG : 0;
}

/*
 * Every component of path can be a name (see fs_name_check), so the key
 * made from it stays below the prefix and names one object only.  The
 * kernel never sends anything else; this is the guarantee, not a filter.
 */
static int path_check(const char *path)
{
	const char *p = path + 1, *slash;
	int rc;

	if (path[0] != '/' || !path[1])
		return -EINVAL;
	for (;; p = slash + 1) {
		slash = strchr(p, '/');
		rc = fs_name_check(p, slash ? (size_t)(slash - p) : strlen(p));
		if (rc || !slash)
			return rc;
	}
}

int fs_file_key(const struct bfs_fs *fs, const char *path, char *key, size_t keysz)
{
	int rc = path_check(path);

	if (rc)
		return rc;
	if ((size_t)snprintf(key, keysz, "%s%s", fs->prefix, path + 1) >= keysz ||
	    strlen(key) > BFS_MAX_KEY)
		return -ENAMETOOLONG;
	return 0;
}

int fs_dir_key(const struct bfs_fs *fs, const char *path, char *key, size_t keysz)
{
	int rc;

	if (!strcmp(path, "/")) {
		if ((size_t)snprintf(key, keysz, "%s", fs->prefix) >= keysz)
			return -ENAMETOOLONG;
		return 0;
	}
	rc = path_check(path);
	if (rc)
		return rc;
	if ((size_t)snprintf(key, keysz, "%s%s/", fs->prefix, path + 1) >= keysz ||
	    strlen(key) > BFS_MAX_KEY)
		return -ENAMETOOLONG;
	return 0;
}

int fs_split(const char *path, char *parent, size_t psz, const char **name)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash || !slash[1])
		return -EINVAL;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= psz)
		return -ENAMETOOLONG;
	memcpy(parent, path, n);
	parent[n] = '\0';
	*name = slash + 1;
	return 0;
}

int fs_attrs_forced(const struct bfs_fs *fs)
{
	return fs->cfg.has_umask && fs->cfg.force_uid && fs->cfg.force_gid;
}

int fs_attrs_known(const struct bfs_fs *fs, const struct bfs_entry *e)
{
	if (e->state != BFS_ST_CLEAN || (e->flags & (BFS_EF_META | BFS_EF_ROOT)))
		return 1;
	if (e->type == BFS_ENT_DIR)
		return fs_attrs_forced(fs) ||
		       (e->flags & (BFS_EF_PROBED | BFS_EF_LOCAL | BFS_EF_MARKER));
	/* an object: is it a symlink, with what mode and owner?  Only when
	 * symlinks are shown as files and the rest is forced, nothing asks */
	return (e->flags & BFS_EF_SEEN) || (fs_attrs_forced(fs) && !fs->cfg.symlinks);
}

void fs_entry_stat(const struct bfs_fs *fs, const struct bfs_entry *e, struct stat *st)
{
	int type = e->type;
	mode_t perm;

	memset(st, 0, sizeof(*st));
	/* a symlink object shown as a regular file (symlinks=file): its bytes
	 * are the target path, read-only */
	if (type == BFS_ENT_LINK && !fs->cfg.symlinks)
		type = BFS_ENT_FILE;
	if (e->flags & BFS_EF_META)
		perm = e->type == BFS_ENT_LINK && type == BFS_ENT_FILE ? 0444 : e->mode & 07777;
	else
		perm = type == BFS_ENT_FILE ? 0644 : 0755;
	st->st_uid = e->flags & BFS_EF_META ? e->uid : fs->cfg.uid;
	st->st_gid = e->flags & BFS_EF_META ? e->gid : fs->cfg.gid;
	/* uid=, gid=, umask= are the mount's word on every entry (s3fs's and
	 * libfuse's meaning); the root keeps mp_umask */
	if (!(e->flags & BFS_EF_ROOT)) {
		if (fs->cfg.has_umask)
			perm = 0777 & ~fs->cfg.umask;
		if (fs->cfg.force_uid)
			st->st_uid = fs->cfg.uid;
		if (fs->cfg.force_gid)
			st->st_gid = fs->cfg.gid;
	}
	switch (type) {
	case BFS_ENT_DIR:
		st->st_mode = S_IFDIR | perm;
		st->st_nlink = 2;
		st->st_size = 4096;
		break;
	case BFS_ENT_LINK:
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		st->st_size = (off_t)(e->link[0] ? strlen(e->link) : e->size);
		break;
	default:
		st->st_mode = S_IFREG | perm;
		st->st_nlink = 1;
		st->st_size = (off_t)e->size;
		break;
	}
	st->st_blksize = 4096;
	st->st_blocks = (st->st_size + 511) / 512;
	st->st_mtim.tv_sec = e->mtime_ns / 1000000000;
	st->st_mtim.tv_nsec = e->mtime_ns % 1000000000;
	st->st_ctim = st->st_mtim;
	st->st_atim = st->st_mtim;
}

static int meta_u32(const struct bfs_obj_info *info, const char *name, uint32_t *out)
{
	const char *v = bfs_obj_info_meta(info, name);
	unsigned long long n;
	char *end;

	if (!v || !*v)
		return 0;
	n = strtoull(v, &end, 10);
	if (*end || n > UINT32_MAX)
		return 0;
	*out = (uint32_t)n;
	return 1;
}

void fs_root_entry(const struct bfs_fs *fs, struct bfs_entry *e)
{
	bfs_entry_init(e);
	e->type = BFS_ENT_DIR;
	e->mode = S_IFDIR | fs->cfg.root_mode;
	e->uid = fs->cfg.uid;
	e->gid = fs->cfg.gid;
	e->mtime_ns = fs->started_ns;
	e->flags = BFS_EF_META | BFS_EF_ROOT;
}

void fs_entry_dir(int64_t now, struct bfs_entry *e)
{
	bfs_entry_init(e);
	e->type = BFS_ENT_DIR;
	e->mode = S_IFDIR;
	e->mtime_ns = now;
	e->validated_ns = now;
}

void fs_entry_from_info(const struct bfs_fs *fs, const struct bfs_obj_info *info,
			struct bfs_entry *e)
{
	uint32_t mode = 0, uid, gid;
	const char *mt = bfs_obj_info_meta(info, "mtime");

	e->type = BFS_ENT_FILE;
	e->flags |= BFS_EF_SEEN;
	e->size = info->size;
	e->mtime_ns = (int64_t)info->mtime * 1000000000;
	e->lastmod_s = (int64_t)info->mtime;
	snprintf(e->etag, sizeof(e->etag), "%s", info->etag);
	if (meta_u32(info, "mode", &mode)) {
		e->mode = mode;
		e->flags |= BFS_EF_META;
		if (S_ISLNK(mode))
			e->type = BFS_ENT_LINK;
		else if (S_ISDIR(mode))
			e->type = BFS_ENT_DIR;
	} else {
		e->mode = S_IFREG | 0644;
	}
	/* (-1 is no owner: chown's "unchanged"; the kernel would show it as
	 * the overflow id) */
	e->uid = meta_u32(info, "uid", &uid) && uid != UINT32_MAX ? uid : fs->cfg.uid;
	e->gid = meta_u32(info, "gid", &gid) && gid != UINT32_MAX ? gid : fs->cfg.gid;
	if (mt && *mt) {
		char *end;
		double secs = strtod(mt, &end);

		/* (anyone who can write the bucket writes this: a time past
		 * what a timespec holds, or before 1970, is ignored) */
		if (end != mt && secs > 0 && secs < 9.2e9)
			e->mtime_ns = (int64_t)(secs * 1e9);
	}
}

int fs_put_opts(const struct bfs_fs *fs, const char *path, const struct bfs_entry *e,
		struct bfs_meta_kv meta[4], struct bfs_put_opts *po)
{
	const char *name = strrchr(path, '/');

	(void)fs;
	memset(po, 0, sizeof(*po));
	snprintf(meta[0].name, sizeof(meta[0].name), "mode");
	snprintf(meta[0].value, sizeof(meta[0].value), "%u", (unsigned)e->mode);
	snprintf(meta[1].name, sizeof(meta[1].name), "uid");
	snprintf(meta[1].value, sizeof(meta[1].value), "%u", (unsigned)e->uid);
	snprintf(meta[2].name, sizeof(meta[2].name), "gid");
	snprintf(meta[2].value, sizeof(meta[2].value), "%u", (unsigned)e->gid);
	snprintf(meta[3].name, sizeof(meta[3].name), "mtime");
	snprintf(meta[3].value, sizeof(meta[3].value), "%" PRId64, e->mtime_ns / 1000000000);
	po->meta = meta;
	po->nmeta = 4;
	if (e->type == BFS_ENT_DIR)
		po->content_type = "application/x-directory";
	else if (e->type == BFS_ENT_LINK)
		po->content_type = "application/octet-stream";
	else
		po->content_type = bfs_mime_type(name ? name + 1 : path);
	return 0;
}

int fs_offline(struct bfs_fs *fs)
{
	return atomic_load(&fs->offline_until_ns) > fs_now_ns();
}

int fs_went_offline(struct bfs_fs *fs, int err)
{
	if (err != BFS_E_CONNECT && err != BFS_E_TIMEOUT && err != BFS_E_TRANSIENT &&
	    err != BFS_E_THROTTLED)
		return 0;
	if (!fs_offline(fs))
		bfs_log(LOG_WARNING, "the bucket is unreachable (%s): serving cached files",
		       bfs_strerror(err));
	atomic_store(&fs->offline_until_ns, fs_now_ns() + 5000000000LL);
	return 1;
}

int fs_store_errno(const char *what, const char *path, int err)
{
	char msg[768];

	if (err == BFS_E_NOTFOUND || err == BFS_E_NOBUCKET)
		return -ENOENT;
	if (!bfs_err_is_store(err))
		return err;
	bfs_store_describe(err, msg, sizeof(msg));
	bfs_log(LOG_ERR, "%s %s: %s", what, path, msg);  /* (and stderr, in the foreground) */
	return -bfs_err_to_errno(err);
}

int fs_hidden_name(const char *path)
{
	static const char pfx[] = ".fuse_hidden";
	const char *name = strrchr(path, '/');
	size_t i;

	name = name ? name + 1 : path;
	if (strncmp(name, pfx, sizeof(pfx) - 1))
		return 0;
	name += sizeof(pfx) - 1;
	for (i = 0; i < 16; i++)
		if (!strchr("0123456789abcdef", name[i]) || !name[i])
			return 0;
	return name[16] == '\0';
}

int fs_ofile_stat(struct bfs_fs *fs, struct bfs_ofile *of, struct stat *st)
{
	struct bfs_entry e;
	int gone;

	pthread_mutex_lock(&of->lock);
	e = of->ent;
	e.size = of->size;
	gone = of->gone;
	pthread_mutex_unlock(&of->lock);
	if (!e.type)
		return -ENOENT; /* not set up (its open failed) */
	fs_entry_stat(fs, &e, st);
	if (gone)
		st->st_nlink = 0; /* unlinked while open, as on a local disk */
	return 0;
}

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

int bfs_fs_mkdir(struct bfs_fs *fs, const char *path, mode_t mode, const struct bfs_ctx *c)
{
	struct bfs_meta_kv meta[4];
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
	e.mtime_ns = fs_now_ns();
	e.flags = BFS_EF_META | BFS_EF_LOCAL;
	/* It was missing a moment ago, so it is empty: a complete listing. */
	e.validated_ns = e.listed_ns = fs_now_ns();
	/* With the attributes a directory shows without a marker, the marker
	 * can wait: the directory's first file makes it exist (fs_marker.c). */
	if (fs_marker_deferrable(fs, &e))
		return fs_marker_owe(fs, path, &e);
	e.flags |= BFS_EF_MARKER;
	fs_put_opts(fs, path, &e, meta, &po);
	rc = bfs_store_put_buf(fs->store, dkey, "", 0, &po, e.etag);
	if (rc)
		return fs_store_errno("mkdir", path, rc);
	rc = bfs_index_put(fs->ix, path, &e);
	if (!rc)
		fs_marker_settle(fs, path);
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
	struct bfs_xml_list l;
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
	bfs_xml_list_release(&l);
	rc = -ENOTEMPTY;
	if (busy)
		goto out;
	/* An owed marker is not in the bucket, unless the directory had one
	 * this mount never looked for (a debt fs_marker_keep made). */
	rc = owes && known_markerless(&e) ? 0 : bfs_store_delete(fs->store, dkey);
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
	return rc;
}

/*
 * Remove file path (entry e) from the bucket and the index.  An open file
 * of it lives on through its handles, never uploaded again, under the name
 * hidden (FUSE's, see fs_hide) or none.  An upload of it in flight ends
 * first, so what it stores is what the DELETE removes: the name may be
 * made again at once, and no late upload or delete touches the new file.
 */
static int remove_file(struct bfs_fs *fs, const char *path, struct bfs_entry *e,
		       const char *hidden)
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
		bfs_log(LOG_WARNING, "%s: removed while open, but its data could not all be "
		       "kept for its descriptors (%s): reading what was not cached fails",
		       path, bfs_err_is_store(rc) ? bfs_strerror(rc) : strerror(-rc));
	rc = fs_marker_keep(fs, path);  /* its directory outlives it */
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
