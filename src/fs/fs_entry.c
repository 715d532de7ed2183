/* SPDX-License-Identifier: MIT */
/*
 * fs_entry.c - index entries as the mount shows them and the bucket keeps
 * them (the fs layer's level 0: nothing here calls another fs file).
 *
 * Attributes persist in the bucket in s3fs's format, as user metadata on
 * the object: x-amz-meta-mode (decimal st_mode, type bits included),
 * x-amz-meta-uid, x-amz-meta-gid, x-amz-meta-mtime, x-amz-meta-ctime and
 * x-amz-meta-atime (seconds, and nanoseconds after a '.' when there are
 * any, as s3fs writes and reads them: "1100000000.123456789").  Directories
 * are "dir/" marker objects (Content-Type application/x-directory); a
 * symlink is an object whose body is the target and whose mode says S_IFLNK.
 * Here: an entry from a HEAD's metadata and the metadata a PUT sends, an
 * entry to a struct stat (with the mount's forced owner and umask), the
 * root's and a new directory's entries; and the store's failures: the
 * bucket's offline periods and the one translation of a store error to an
 * errno, logged once with its path.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>

#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "fs/fs_int.h"

int fs_attrs_forced(const struct bfs_fs *fs)
{
	return fs->cfg.has_umask && fs->cfg.force_uid && fs->cfg.force_gid;
}

/* A FIFO, a socket or a device node is stored as an empty object whose
 * x-amz-meta-mode says so (and x-amz-meta-rdev which device), as s3fs
 * stores them; the kernel serves them itself (it never opens one through
 * FUSE), and a device node opens nothing: the mount is always nodev. */
int fs_special_type(mode_t mode)
{
	return S_ISFIFO(mode) || S_ISSOCK(mode) || S_ISCHR(mode) || S_ISBLK(mode);
}

int fs_dir_content_type(const char *type)
{
	static const char dir[] = "application/x-directory";
	size_t n = sizeof(dir) - 1;

	return !strncasecmp(type, dir, n) && (!type[n] || type[n] == ';' || type[n] == ' ');
}

int fs_attrs_known(const struct bfs_fs *fs, const struct bfs_entry *e)
{
	if (e->state != BFS_ST_CLEAN || (e->flags & (BFS_EF_META | BFS_EF_ROOT)))
		return 1;
	if (e->type == BFS_ENT_DIR)
		return fs_attrs_forced(fs) ||
		       (e->flags & (BFS_EF_PROBED | BFS_EF_LOCAL | BFS_EF_MARKER));
	/* an object: is it a symlink, a FIFO, with what mode and owner?  Only
	 * when symlinks are shown as files and the rest is forced, nothing asks
	 * about one with bytes (a FIFO or socket object is empty) */
	return (e->flags & BFS_EF_SEEN) || (fs_attrs_forced(fs) && !fs->cfg.symlinks && e->size);
}

static struct timespec ns_timespec(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };

	return ts;
}

void fs_entry_times(const struct bfs_entry *e, int64_t *mtime, int64_t *ctime)
{
	*mtime = e->mtime_ns;
	*ctime = e->ctime_ns > 0 ? e->ctime_ns : e->mtime_ns;
	/* entries made or removed here since its own attributes last changed */
	if (e->type == BFS_ENT_DIR && e->dirchg_ns > *ctime)
		*mtime = *ctime = e->dirchg_ns;
}

void fs_entry_fold_times(struct bfs_entry *e)
{
	fs_entry_times(e, &e->mtime_ns, &e->ctime_ns);
}

void fs_entry_take_attrs(struct bfs_entry *e, const struct bfs_entry *from)
{
	e->mode = from->mode;
	e->uid = from->uid;
	e->gid = from->gid;
	e->mtime_ns = from->mtime_ns;
	e->ctime_ns = from->ctime_ns;
	e->atime_set_ns = from->atime_set_ns;
	e->rdev = from->rdev;
}

void fs_entry_stat(const struct bfs_fs *fs, const struct bfs_entry *e, struct stat *st)
{
	int type = e->type;
	int64_t mtime, ctime;
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
		/* 2 + subdirectories would need a LIST; 1 is the convention
		 * for "not counted" (btrfs, s3fs): find's leaf optimisation
		 * then looks into every directory, where 2 would tell it that
		 * there are no subdirectories to look for */
		st->st_nlink = 1;
		st->st_size = 4096;
		break;
	case BFS_ENT_LINK:
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		st->st_size = (off_t)(e->link[0] ? strlen(e->link) : e->size);
		break;
	default:
		/* a FIFO, socket or device object (empty: whatever else is a file) */
		if ((e->flags & BFS_EF_META) && fs_special_type(e->mode) && !e->size) {
			st->st_mode = (e->mode & S_IFMT) | perm;
			if (S_ISCHR(e->mode) || S_ISBLK(e->mode))
				st->st_rdev = (dev_t)e->rdev;
		} else {
			st->st_mode = S_IFREG | perm;
		}
		st->st_nlink = 1;
		st->st_size = (off_t)e->size;
		break;
	}
	st->st_blksize = 4096;
	st->st_blocks = (st->st_size + 511) / 512;
	fs_entry_times(e, &mtime, &ctime);
	st->st_mtim = ns_timespec(mtime);
	st->st_ctim = ns_timespec(ctime);
	st->st_atim = e->atime_set_ns > 0 ? ns_timespec(e->atime_set_ns) : ns_timespec(e->mtime_ns);
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

/* One of the times in s3fs's metadata, in ns; -1 when absent or not one. */
static int64_t meta_time(const struct bfs_obj_info *info, const char *name)
{
	const char *v = bfs_obj_info_meta(info, name);

	return v ? fs_meta_time_ns(v) : -1;
}

void fs_root_entry(const struct bfs_fs *fs, struct bfs_entry *e)
{
	bfs_entry_init(e);
	e->type = BFS_ENT_DIR;
	e->mode = fs->root_mode;
	e->uid = fs->root_uid;
	e->gid = fs->root_gid;
	e->mtime_ns = fs->root_mtime_ns;
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
	const char *v;
	char *end;
	int64_t ns;

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
	} else if (!info->size && fs_dir_content_type(info->content_type)) {
		e->type = BFS_ENT_DIR; /* an old-style directory object (BFS_EF_OLDDIR) */
		e->mode = S_IFDIR;
	} else {
		e->mode = S_IFREG | 0644;
	}
	/* (-1 is no owner: chown's "unchanged"; the kernel would show it as
	 * the overflow id) */
	e->uid = meta_u32(info, "uid", &uid) && uid != UINT32_MAX ? uid : fs->cfg.uid;
	e->gid = meta_u32(info, "gid", &gid) && gid != UINT32_MAX ? gid : fs->cfg.gid;
	if ((v = bfs_obj_info_meta(info, "rdev")) && *v >= '0' && *v <= '9') {
		unsigned long long r;

		errno = 0;
		r = strtoull(v, &end, 10);
		if (!errno && !*end)
			e->rdev = r;
	}
	if ((ns = meta_time(info, "mtime")) > 0)
		e->mtime_ns = ns;
	if ((ns = meta_time(info, "ctime")) > 0)
		e->ctime_ns = ns;
	if ((ns = meta_time(info, "atime")) > 0)
		e->atime_set_ns = ns;
}

int64_t fs_meta_time_ns(const char *v)
{
	int64_t ns = 0;
	long long secs;
	char *end;
	int digits = 0;

	/* (anyone who can write the bucket writes this: a time past what a
	 * timespec holds, before 1970, or no time at all is -1) */
	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	secs = strtoll(v, &end, 10);
	if (errno || secs <= 0 || secs >= 9200000000LL)
		return -1;
	if (*end == '.') {
		for (end++; *end >= '0' && *end <= '9'; end++)
			if (digits++ < 9)
				ns = ns * 10 + (*end - '0');
		if (!digits)
			return -1;
		for (; digits < 9; digits++)
			ns *= 10;
	}
	if (*end)
		return -1;
	return (int64_t)secs * 1000000000 + ns;
}

static void put_time(struct bfs_meta_kv *kv, const char *name, int64_t ns)
{
	snprintf(kv->name, sizeof(kv->name), "%s", name);
	if (ns > 0 && ns % 1000000000)
		snprintf(kv->value, sizeof(kv->value), "%" PRId64 ".%09" PRId64, ns / 1000000000,
			 ns % 1000000000);
	else
		snprintf(kv->value, sizeof(kv->value), "%" PRId64, ns / 1000000000);
}

int fs_put_meta_name(const char *name)
{
	static const char *const names[FS_PUT_META] = { "mode",	 "uid",	  "gid", "mtime",
							"ctime", "atime", "rdev" };
	int i;

	for (i = 0; i < FS_PUT_META; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

int fs_put_opts(const struct bfs_fs *fs, const char *path, const struct bfs_entry *e,
		struct bfs_meta_kv meta[FS_PUT_META], struct bfs_put_opts *po)
{
	const char *name = strrchr(path, '/');
	int64_t mtime, ctime;

	(void)fs;
	memset(po, 0, sizeof(*po));
	snprintf(meta[0].name, sizeof(meta[0].name), "mode");
	snprintf(meta[0].value, sizeof(meta[0].value), "%u", (unsigned)e->mode);
	snprintf(meta[1].name, sizeof(meta[1].name), "uid");
	snprintf(meta[1].value, sizeof(meta[1].value), "%u", (unsigned)e->uid);
	snprintf(meta[2].name, sizeof(meta[2].name), "gid");
	snprintf(meta[2].value, sizeof(meta[2].value), "%u", (unsigned)e->gid);
	fs_entry_times(e, &mtime, &ctime);
	put_time(&meta[3], "mtime", mtime);
	put_time(&meta[4], "ctime", ctime);
	put_time(&meta[5], "atime", e->atime_set_ns > 0 ? e->atime_set_ns : e->mtime_ns);
	po->meta = meta;
	po->nmeta = FS_PUT_META - 1;
	if (S_ISCHR(e->mode) || S_ISBLK(e->mode)) {
		snprintf(meta[6].name, sizeof(meta[6].name), "rdev");
		snprintf(meta[6].value, sizeof(meta[6].value), "%" PRIu64, e->rdev);
		po->nmeta = FS_PUT_META;
	}
	if (e->type == BFS_ENT_DIR)
		po->content_type = "application/x-directory";
	else if (e->type == BFS_ENT_LINK)
		po->content_type = "application/octet-stream";
	else
		po->content_type = bfs_mime_type(name ? name + 1 : path);
	return 0;
}

int fs_store_errno(const char *what, const char *path, int err)
{
	char msg[768];

	if (err == BFS_E_NOTFOUND || err == BFS_E_NOBUCKET)
		return -ENOENT;
	if (!bfs_err_is_store(err))
		return err;
	if (err == BFS_E_UNREACHABLE) /* (the outage is logged once: fs_reach.c) */
		return -bfs_err_to_errno(err);
	bfs_store_describe(err, msg, sizeof(msg));
	bfs_log(LOG_ERR, "%s %s: %s", what, path, msg); /* (and stderr, in the foreground) */
	return -bfs_err_to_errno(err);
}
