/* SPDX-License-Identifier: MIT */
/*
 * fs.c - the filesystem's namespace and attributes: open/close, getattr,
 * mkdir/rmdir, unlink, rename, chmod/chown/utimens, symlinks, statfs, and
 * the helpers the other fs files share (keys, attributes, metadata, data
 * files, error translation).  Lookups and listings: fs_dir.c.  Open files,
 * reads and uploads: fs_file.c.
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
#include "fs_int.h"

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
	cfg->whole_max = 8ULL << 20;
	cfg->readahead = 8ULL << 20;
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

int fs_file_key(const struct bfs_fs *fs, const char *path, char *key, size_t keysz)
{
	if (path[0] != '/' || !path[1])
		return -EINVAL;
	if ((size_t)snprintf(key, keysz, "%s%s", fs->prefix, path + 1) >= keysz ||
	    strlen(key) > BFS_MAX_KEY)
		return -ENAMETOOLONG;
	return 0;
}

int fs_dir_key(const struct bfs_fs *fs, const char *path, char *key, size_t keysz)
{
	if (!strcmp(path, "/")) {
		if ((size_t)snprintf(key, keysz, "%s", fs->prefix) >= keysz)
			return -ENAMETOOLONG;
		return 0;
	}
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

void fs_entry_stat(const struct bfs_fs *fs, const struct bfs_entry *e, struct stat *st)
{
	mode_t perm;

	memset(st, 0, sizeof(*st));
	if (e->flags & BFS_EF_META) {
		perm = e->mode & 07777;
		if (fs->cfg.has_umask)
			perm &= ~fs->cfg.umask;
		st->st_uid = e->uid;
		st->st_gid = e->gid;
	} else {
		perm = fs->cfg.has_umask ? (0777 & ~fs->cfg.umask) :
		       e->type == BFS_ENT_FILE ? 0644 : 0755;
		st->st_uid = fs->cfg.uid;
		st->st_gid = fs->cfg.gid;
	}
	switch (e->type) {
	case BFS_ENT_DIR:
		st->st_mode = S_IFDIR | perm;
		st->st_nlink = 2;
		st->st_size = 4096;
		break;
	case BFS_ENT_LINK:
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		st->st_size = (off_t)strlen(e->link);
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

void fs_entry_from_info(const struct bfs_fs *fs, const struct bfs_obj_info *info,
			struct bfs_entry *e)
{
	uint32_t mode = 0, uid, gid;
	const char *mt = bfs_obj_info_meta(info, "mtime");

	e->type = BFS_ENT_FILE;
	e->flags |= BFS_EF_SEEN;
	e->size = info->size;
	e->mtime_ns = (int64_t)info->mtime * 1000000000;
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
	e->uid = meta_u32(info, "uid", &uid) ? uid : fs->cfg.uid;
	e->gid = meta_u32(info, "gid", &gid) ? gid : fs->cfg.gid;
	if (mt && *mt) {
		char *end;
		double secs = strtod(mt, &end);

		if (end != mt && secs > 0)
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
	if (err > -4096 && err < 0)
		return err;
	bfs_store_describe(err, msg, sizeof(msg));
	bfs_log(LOG_ERR, "%s %s: %s", what, path, msg);
	fprintf(stderr, "bucketfs: %s %s: %s\n", what, path, msg);
	return -bfs_err_to_errno(err);
}

int fs_data_path(const struct bfs_fs *fs, uint64_t id, char *out, size_t outsz)
{
	if ((size_t)snprintf(out, outsz, "%s/%02x/%" PRIu64, fs->data_dir, (unsigned)(id & 0xff),
			     id) >= outsz)
		return -ENAMETOOLONG;
	return 0;
}

int fs_data_create(struct bfs_fs *fs, uint64_t *id)
{
	char path[PATH_MAX];
	int rc, fd;

	rc = bfs_index_new_id(fs->ix, id);
	if (rc)
		return rc;
	rc = fs_data_path(fs, *id, path, sizeof(path));
	if (rc)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

int fs_data_open(const struct bfs_fs *fs, uint64_t id, int flags)
{
	char path[PATH_MAX];
	int rc, fd;

	rc = fs_data_path(fs, id, path, sizeof(path));
	if (rc)
		return rc;
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

void fs_data_unlink_quiet(const struct bfs_fs *fs, uint64_t id)
{
	char path[PATH_MAX];

	if (id && fs_data_path(fs, id, path, sizeof(path)) == 0)
		(void)unlink(path);
}

uint64_t fs_data_unlink(struct bfs_fs *fs, uint64_t id)
{
	char path[PATH_MAX];
	struct stat sb;

	if (!id || fs_data_path(fs, id, path, sizeof(path)) != 0)
		return 0;
	if (stat(path, &sb) < 0 || unlink(path) < 0)
		return 0;
	fs_cache_grew(fs, -(int64_t)sb.st_size);
	return (uint64_t)sb.st_size;
}

void fs_data_discard(struct bfs_fs *fs, int fd, uint64_t id)
{
	/* Emptied first, so the unlink accounts nothing for it; if that
	 * fails, the count drifts until the next walk (fs_cache.c). */
	int rc = ftruncate(fd, 0);

	close(fd);
	if (rc == 0)
		fs_data_unlink(fs, id);
	else
		fs_data_unlink_quiet(fs, id);
}

static int make_dirs(struct bfs_fs *fs)
{
	char path[PATH_MAX];
	int i;

	if (asprintf(&fs->data_dir, "%s/data", fs->cache_dir) < 0) {
		fs->data_dir = NULL;
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/index", fs->cache_dir);
	if ((mkdir(path, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(fs->data_dir, 0700) < 0 && errno != EEXIST))
		return -errno;
	for (i = 0; i < 256; i++) {
		snprintf(path, sizeof(path), "%s/%02x", fs->data_dir, i);
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -errno;
	}
	return 0;
}

/*
 * The index cannot be read (LMDB says corrupt, or a record does not
 * decode): move it and the data files aside, for inspection (journaled
 * uploads may be among them), and start an empty cache.  Everything in the
 * bucket is fetched again as it is used.
 */
static int rebuild_index(struct bfs_fs *fs, const char *ipath)
{
	char aside[PATH_MAX], data_aside[PATH_MAX];
	time_t now = time(NULL);

	if ((size_t)snprintf(aside, sizeof(aside), "%s.damaged-%lld", ipath, (long long)now) >=
		    sizeof(aside) ||
	    (size_t)snprintf(data_aside, sizeof(data_aside), "%s.damaged-%lld", fs->data_dir,
			     (long long)now) >= sizeof(data_aside))
		return -ENAMETOOLONG;
	if (rename(ipath, aside) < 0 || rename(fs->data_dir, data_aside) < 0)
		return -EIO;
	bfs_log(LOG_ERR, "the cache index in %s is damaged: moved it to %s and the data files "
	       "to %s (uploads journaled there, if any, were not sent; inspect them), and "
	       "started an empty cache", fs->cache_dir, aside, data_aside);
	fprintf(stderr, "bucketfs: the cache index in %s is damaged: moved aside to %s; "
		"starting an empty cache\n", fs->cache_dir, aside);
	free(fs->data_dir);
	fs->data_dir = NULL;
	if (make_dirs(fs))
		return -EIO;
	return bfs_index_open(ipath, 0, &fs->ix);
}

/*
 * An index with no entries next to data files (the index was lost or
 * deleted): nothing refers to them, and the new index would hand out their
 * ids again.  Remove them now, before any file is created.
 */
static int forget_unindexed(struct bfs_fs *fs)
{
	char dir[PATH_MAX];
	uint64_t entries = 0, disk = 0, n = 0;
	int i, rc = bfs_index_stat(fs->ix, &entries, &disk);

	if (rc || entries)
		return rc;
	for (i = 0; i < 256; i++) {
		struct dirent *de;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/%02x", fs->data_dir, i);
		d = opendir(dir);
		if (!d)
			continue;
		while ((de = readdir(d)))
			if (de->d_name[0] != '.' && unlinkat(dirfd(d), de->d_name, 0) == 0)
				n++;
		closedir(d);
	}
	if (n)
		bfs_log(LOG_WARNING, "cache: the index in %s is new or empty: removed %" PRIu64
		       " data files that no index entry refers to", fs->cache_dir, n);
	return 0;
}

int bfs_fs_open(const struct bfs_fs_cfg *cfg, struct bfs_store *store, struct bfs_fs **out)
{
	char ipath[PATH_MAX];
	struct bfs_fs *fs;
	int rc;

	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->cfg = *cfg;
	fs->store = store;
	fs->started_ns = fs_now_ns();
	pthread_mutex_init(&fs->open_lock, NULL);
	pthread_mutex_init(&fs->evict_mu, NULL);
	pthread_mutex_init(&fs->verified_lock, NULL);
	pthread_mutex_init(&fs->evict_run, NULL);
	pthread_cond_init(&fs->evict_cond, NULL);
	fs->prefix = strdup(cfg->prefix ? cfg->prefix : "");
	fs->immutable = cfg->immutable ? strdup(cfg->immutable) : NULL;
	fs->cfg.immutable = fs->immutable;
	fs->cache_dir = strdup(cfg->cache_dir);
	rc = -ENOMEM;
	if (!fs->prefix || !fs->cache_dir)
		goto out_free;
	fs->cfg.prefix = fs->prefix;
	fs->cfg.cache_dir = fs->cache_dir;
	rc = make_dirs(fs);
	if (rc)
		goto out_free;
	snprintf(ipath, sizeof(ipath), "%s/index", fs->cache_dir);
	rc = bfs_index_open(ipath, 0, &fs->ix);
	if (rc == -EIO)
		rc = rebuild_index(fs, ipath);
	if (rc)
		goto out_free;
	rc = forget_unindexed(fs);
	if (!rc)
		rc = bfs_index_new_id(fs->ix, &fs->first_id);
	if (!rc)
		rc = fs_recover(fs);
	if (!rc)
		rc = fs_cache_start(fs);
	if (!rc)
		rc = fs_upload_start(fs);
	if (rc)
		goto out_free;
	*out = fs;
	return 0;
out_free:
	bfs_fs_close(fs);
	return rc;
}

void bfs_fs_close(struct bfs_fs *fs)
{
	int i;

	if (!fs)
		return;
	fs_upload_stop(fs, fs->cfg.unmount_wait_s);
	fs_cache_stop(fs);
	for (i = 0; i < FS_OPEN_BUCKETS; i++) {
		while (fs->open[i]) {
			struct bfs_ofile *of = fs->open[i];

			fs->open[i] = of->next;
			/* handles the kernel never released (unmounted while open) */
			while (of->handles) {
				struct bfs_file *f = of->handles;

				of->handles = f->next;
				free(f);
			}
			if (of->fd >= 0)
				close(of->fd);
			pthread_rwlock_destroy(&of->io);
			pthread_mutex_destroy(&of->lock);
			free(of->path);
			free(of);
		}
	}
	if (fs->ix) {
		(void)bfs_index_sync(fs->ix);
		bfs_index_close(fs->ix);
	}
	pthread_mutex_destroy(&fs->open_lock);
	pthread_mutex_destroy(&fs->evict_mu);
	pthread_mutex_destroy(&fs->verified_lock);
	idset_free(&fs->verified);
	pthread_mutex_destroy(&fs->evict_run);
	pthread_cond_destroy(&fs->evict_cond);
	free(fs->prefix);
	free(fs->immutable);
	free(fs->cache_dir);
	free(fs->data_dir);
	free(fs);
}

int bfs_fs_index_stat(struct bfs_fs *fs, uint64_t *entries, uint64_t *bytes)
{
	return bfs_index_stat(fs->ix, entries, bytes);
}

const struct bfs_fs_cfg *bfs_fs_config(const struct bfs_fs *fs)
{
	return &fs->cfg;
}

void bfs_fs_get_stats(struct bfs_fs *fs, struct bfs_fs_stats *o)
{
	o->cache_hits = atomic_load(&fs->st_hits);
	o->cache_misses = atomic_load(&fs->st_misses);
	o->revalidations = atomic_load(&fs->st_reval);
	o->not_modified = atomic_load(&fs->st_304);
	o->uploads = atomic_load(&fs->st_uploads);
	o->upload_errors = atomic_load(&fs->st_upload_errors);
	o->bytes_from_cache = atomic_load(&fs->st_bytes_cached);
	o->cache_bytes = atomic_load(&fs->cache_bytes) > 0 ? (uint64_t)atomic_load(&fs->cache_bytes) : 0;
	o->evicted = atomic_load(&fs->st_evicted);
	o->evicted_bytes = atomic_load(&fs->st_evicted_bytes);
	o->enospc = atomic_load(&fs->st_enospc);
	o->damaged = atomic_load(&fs->st_damaged);
}

int bfs_fs_getattr(struct bfs_fs *fs, const char *path, struct stat *st)
{
	struct bfs_ofile *of = fs_ofile_find(fs, path);
	struct bfs_entry e;
	int rc;

	if (of) {
		pthread_mutex_lock(&of->lock);
		e = of->ent;
		e.size = of->size;
		pthread_mutex_unlock(&of->lock);
		fs_ofile_put(fs, of);
		fs_entry_stat(fs, &e, st);
		return 0;
	}
	rc = fs_lookup(fs, path, &e);
	if (rc)
		return rc;
	fs_entry_stat(fs, &e, st);
	return 0;
}

int fs_parent_dir(struct bfs_fs *fs, const char *path)
{
	char parent[BFS_INDEX_PATH_MAX];
	struct bfs_entry pe;
	const char *name;
	int rc;

	rc = fs_split(path, parent, sizeof(parent), &name);
	if (rc)
		return rc;
	if (strlen(name) > 255)
		return -ENAMETOOLONG;
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
	e.flags = BFS_EF_META | BFS_EF_MARKER | BFS_EF_LOCAL;
	fs_put_opts(fs, path, &e, meta, &po);
	rc = bfs_store_put_buf(fs->store, dkey, "", 0, &po, e.etag);
	if (rc)
		return fs_store_errno("mkdir", path, rc);
	/* It was missing a moment ago, so it is empty: a complete listing. */
	e.validated_ns = e.listed_ns = fs_now_ns();
	return bfs_index_put(fs->ix, path, &e);
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

int bfs_fs_rmdir(struct bfs_fs *fs, const char *path)
{
	struct drop_children d = { fs, path };
	char dkey[FS_KEY_MAX + 1];
	struct bfs_xml_list l;
	struct bfs_entry e;
	size_t i;
	int rc, busy = 0;

	if (fs->cfg.read_only)
		return -EROFS;
	if (!strcmp(path, "/"))
		return -EBUSY;
	rc = fs_lookup(fs, path, &e);
	if (rc)
		return rc;
	if (e.type != BFS_ENT_DIR)
		return -ENOTDIR;
	if (bfs_index_children(fs->ix, path, has_local_children, NULL) > 0)
		return -ENOTEMPTY;
	rc = fs_dir_key(fs, path, dkey, sizeof(dkey));
	if (rc)
		return rc;
	rc = bfs_store_list(fs->store, dkey, NULL, NULL, 2, &l);
	if (rc)
		return fs_store_errno("rmdir", path, rc);
	for (i = 0; i < l.nobjects; i++)
		if (strcmp(l.objects[i].key, dkey))
			busy = 1;
	busy |= l.nprefixes > 0;
	bfs_xml_list_release(&l);
	if (busy)
		return -ENOTEMPTY;
	rc = bfs_store_delete(fs->store, dkey);
	if (rc)
		return fs_store_errno("rmdir", path, rc);
	(void)bfs_index_children(fs->ix, path, drop_child, &d);
	return bfs_index_del(fs->ix, path);
}

int bfs_fs_unlink(struct bfs_fs *fs, const char *path)
{
	struct bfs_ofile *of;
	struct bfs_entry e;
	char key[FS_KEY_MAX];
	int rc;

	if (fs->cfg.read_only)
		return -EROFS;
	rc = fs_lookup(fs, path, &e);
	if (rc)
		return rc;
	if (e.type == BFS_ENT_DIR)
		return -EISDIR;
	rc = fs_file_key(fs, path, key, sizeof(key));
	if (rc)
		return rc;
	of = fs_ofile_find(fs, path);
	if (of) {
		/* POSIX: the open file lives on, unreachable; never upload it. */
		pthread_mutex_lock(&of->lock);
		of->gone = 1;
		of->dirty = 0;
		pthread_mutex_unlock(&of->lock);
	}
	if (e.state == BFS_ST_CLEAN || e.etag[0]) {
		rc = bfs_store_delete(fs->store, key);
		if (rc) {
			if (of)
				fs_ofile_put(fs, of);
			return fs_store_errno("unlink", path, rc);
		}
	}
	if (of) {
		fs_ofile_rename(fs, path, NULL);
		fs_ofile_put(fs, of);
	} else {
		fs_data_unlink(fs, e.data_id);
		fs_data_unlink(fs, e.staged_id);
	}
	bfs_entry_init(&e);
	e.state = BFS_ST_NEGATIVE;
	e.validated_ns = fs_now_ns();
	return bfs_index_put(fs->ix, path, &e);
}

/* Rewrite an object's metadata in place (copy onto itself, REPLACE). */
static int replace_meta(struct bfs_fs *fs, const char *path, struct bfs_entry *e)
{
	struct bfs_meta_kv meta[BFS_MAX_META];
	struct bfs_put_opts po;
	struct bfs_obj_info info;
	char key[FS_KEY_MAX + 1];
	int rc, i, n;

	rc = e->type == BFS_ENT_DIR ? fs_dir_key(fs, path, key, sizeof(key)) :
				       fs_file_key(fs, path, key, sizeof(key));
	if (rc)
		return rc;
	fs_put_opts(fs, path, e, meta, &po);
	rc = bfs_store_head(fs->store, key, &info);
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
	n = 4;
	for (i = 0; i < info.nmeta && n < BFS_MAX_META; i++) {
		const char *nm = info.meta[i].name;
		if (strcmp(nm, "mode") && strcmp(nm, "uid") && strcmp(nm, "gid") && strcmp(nm, "mtime"))
			meta[n++] = info.meta[i];
	}
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
	return 0;
}

/* chmod, chown, utimens: change the entry, then the object (or the open file). */
static int setattr(struct bfs_fs *fs, const char *path,
		   void (*change)(struct bfs_entry *e, const void *arg), const void *arg)
{
	struct bfs_ofile *of;
	struct bfs_entry e;
	int rc;

	if (fs->cfg.read_only)
		return -EROFS;
	if (!strcmp(path, "/"))
		return -EPERM;
	of = fs_ofile_find(fs, path);
	if (of) {
		pthread_mutex_lock(&of->lock);
		change(&of->ent, arg);
		of->ent.flags |= BFS_EF_META;
		/* The next upload carries it; a clean file is rewritten now. */
		if (of->dirty || of->ent.state != BFS_ST_CLEAN) {
			pthread_mutex_unlock(&of->lock);
			fs_ofile_put(fs, of);
			return 0;
		}
		pthread_mutex_unlock(&of->lock);
		fs_ofile_put(fs, of);
	}
	rc = fs_lookup(fs, path, &e);
	if (rc)
		return rc;
	if (!(e.flags & BFS_EF_META)) {
		struct stat st;

		fs_entry_stat(fs, &e, &st);
		e.mode = st.st_mode;
		e.uid = st.st_uid;
		e.gid = st.st_gid;
	}
	change(&e, arg);
	e.flags |= BFS_EF_META;
	if (e.state == BFS_ST_CLEAN) {
		rc = replace_meta(fs, path, &e);
		if (rc)
			return rc;
	}
	e.validated_ns = fs_now_ns();
	return bfs_index_put(fs->ix, path, &e);
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

static void change_mtime(struct bfs_entry *e, const void *arg)
{
	e->mtime_ns = *(const int64_t *)arg;
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

int bfs_fs_utimens(struct bfs_fs *fs, const char *path, int64_t mtime_ns)
{
	if (mtime_ns < 0)
		mtime_ns = fs_now_ns();
	return setattr(fs, path, change_mtime, &mtime_ns);
}

int bfs_fs_symlink(struct bfs_fs *fs, const char *target, const char *path,
		   const struct bfs_ctx *c)
{
	struct bfs_meta_kv meta[4];
	struct bfs_put_opts po;
	struct bfs_entry e;
	char key[FS_KEY_MAX];
	size_t tl = strlen(target);
	int rc;

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
	e.mtime_ns = fs_now_ns();
	e.size = tl;
	e.flags = BFS_EF_META | BFS_EF_LOCAL;
	memcpy(e.link, target, tl + 1);
	fs_put_opts(fs, path, &e, meta, &po);
	rc = bfs_store_put_buf(fs->store, key, target, tl, &po, e.etag);
	if (rc)
		return fs_store_errno("symlink", path, rc);
	e.validated_ns = fs_now_ns();
	return bfs_index_put(fs->ix, path, &e);
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
	if (e.type != BFS_ENT_LINK)
		return -EINVAL;
	if (!e.link[0]) {
		/* Learned from metadata only: the target is the object's body. */
		rc = fs_file_key(fs, path, key, sizeof(key));
		if (!rc)
			rc = bfs_store_get_buf(fs->store, key, NULL, &body, NULL);
		if (rc) {
			bfs_buf_release(&body);
			return rc < -4096 ? fs_store_errno("readlink", path, rc) : rc;
		}
		snprintf(e.link, sizeof(e.link), "%s", bfs_buf_str(&body));
		bfs_buf_release(&body);
		(void)bfs_index_put(fs->ix, path, &e);
	}
	snprintf(buf, size, "%s", e.link);
	return 0;
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
