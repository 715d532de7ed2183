/* SPDX-License-Identifier: MIT */
/*
 * fuse_ops.c - libfuse high-level operations -> fs.h (see fuse_ops.h).
 *
 * Every operation ends in edge(), which turns any bucketfs code that got
 * this far into an errno; the fs layer normally did it already, with the
 * server's message logged once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/ctl.h"
#include "bucketfs/error.h"
#include "bucketfs/fs.h"
#include "bucketfs/fuse_ops.h"

static struct bfs_fuse_priv *priv(void)
{
	return fuse_get_context()->private_data;
}

static struct bfs_fs *fsys(void)
{
	return priv()->fs;
}

static int edge(int rc)
{
	if (rc >= 0)
		return rc;
	return bfs_err_is_store(rc) ? -bfs_err_to_errno(rc) : rc;
}

static struct bfs_ctx caller(void)
{
	struct fuse_context *fc = fuse_get_context();
	struct bfs_ctx c = { fc->uid, fc->gid };

	return c;
}

static struct bfs_file *handle(struct fuse_file_info *fi)
{
	return (struct bfs_file *)(uintptr_t)fi->fh;
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	struct bfs_fuse_priv *p = priv();

	/* entries go without attributes (see struct dir_handle): plain
	 * READDIR packs six times as many in a buffer as READDIRPLUS */
	conn->want &= ~(unsigned)(FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO);
	cfg->use_ino = 0;
	/* A file unlinked (or replaced by a rename) while open is renamed by
	 * libfuse to .fuse_hiddenXXXXXXXXXXXXXXXX, which bucketfs takes as the
	 * unlink (fs_hide): the object goes at once, and the open file keeps a
	 * path, so fstat() of it works (st_nlink 0).  Nothing of that name is
	 * ever stored or listed. */
	cfg->hard_remove = 0;
	cfg->nullpath_ok = 1; /* reads and writes go by handle */
	cfg->kernel_cache = 0;
	cfg->auto_cache = 0;
	/* a descriptor open read-only has nothing to upload: its close()
	 * returns without a FLUSH round trip (FOPEN_NOFLUSH); the writers'
	 * own closes and the last release still upload what they changed */
	cfg->no_rofd_flush = 1;
	cfg->entry_timeout = p->cfg.entry_timeout;
	cfg->attr_timeout = p->cfg.attr_timeout;
	cfg->negative_timeout = p->cfg.negative_timeout;
	return p;
}

static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	if (fi && fi->fh)
		return edge(bfs_fs_fgetattr(fsys(), handle(fi), st));
	if (!path)
		return -ENOENT;
	return edge(bfs_fs_getattr(fsys(), path, st));
}

static int op_readlink(const char *path, char *buf, size_t size)
{
	return edge(bfs_fs_readlink(fsys(), path, buf, size));
}

static int op_mkdir(const char *path, mode_t mode)
{
	struct bfs_ctx c = caller();

	return edge(bfs_fs_mkdir(fsys(), path, mode, &c));
}

static int op_unlink(const char *path)
{
	return edge(bfs_fs_unlink(fsys(), path));
}

static int op_rmdir(const char *path)
{
	return edge(bfs_fs_rmdir(fsys(), path));
}

static int op_symlink(const char *target, const char *path)
{
	struct bfs_ctx c = caller();

	return edge(bfs_fs_symlink(fsys(), target, path, &c));
}

static int op_rename(const char *from, const char *to, unsigned int flags)
{
	return edge(bfs_fs_rename(fsys(), from, to, flags));
}

static int op_link(const char *from, const char *to)
{
	(void)from;
	(void)to;
	return -EPERM; /* objects cannot share data: no hard links (SEMANTICS.md) */
}

static int op_mknod(const char *path, mode_t mode, dev_t rdev)
{
	struct bfs_ctx c = caller();

	return edge(bfs_fs_mknod(fsys(), path, mode, rdev, &c));
}

static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)fi;
	if (!path)
		return -ENOENT;
	return edge(bfs_fs_chmod(fsys(), path, mode));
}

static int op_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	(void)fi;
	if (!path)
		return -ENOENT;
	return edge(bfs_fs_chown(fsys(), path, uid, gid));
}

static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	if (fi && fi->fh)
		return edge(bfs_fs_ftruncate(fsys(), handle(fi), size));
	return edge(bfs_fs_truncate(fsys(), path, size));
}

static int op_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	int64_t ns[2] = { BFS_TIME_NOW, BFS_TIME_NOW };
	int i;

	(void)fi;
	if (!path)
		return -ENOENT;
	for (i = 0; tv && i < 2; i++) {
		if (tv[i].tv_nsec == UTIME_OMIT)
			ns[i] = BFS_TIME_OMIT;
		else if (tv[i].tv_nsec != UTIME_NOW)
			ns[i] = (int64_t)tv[i].tv_sec * 1000000000 + tv[i].tv_nsec;
	}
	if (ns[0] == BFS_TIME_OMIT && ns[1] == BFS_TIME_OMIT)
		return 0;
	return edge(bfs_fs_utimens(fsys(), path, ns[0], ns[1]));
}

static int op_open(const char *path, struct fuse_file_info *fi)
{
	struct bfs_file *f = NULL;
	int rc = bfs_fs_open_file(fsys(), path, fi->flags, &f);

	if (rc)
		return edge(rc);
	fi->fh = (uint64_t)(uintptr_t)f;
	fi->keep_cache = bfs_fs_keep_cache(f);
	return 0;
}

static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct bfs_ctx c = caller();
	struct bfs_file *f = NULL;
	int rc = bfs_fs_create(fsys(), path, mode, fi->flags, &c, &f);

	if (rc)
		return edge(rc);
	fi->fh = (uint64_t)(uintptr_t)f;
	return 0;
}

static int op_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)path;
	return (int)edge((int)bfs_fs_read(fsys(), handle(fi), buf, size, off));
}

static int op_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	(void)path;
	return (int)edge((int)bfs_fs_write(fsys(), handle(fi), buf, size, off));
}

static int op_statfs(const char *path, struct statvfs *sv)
{
	(void)path;
	return edge(bfs_fs_statfs(fsys(), sv));
}

static int op_flush(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	return edge(bfs_fs_flush(fsys(), handle(fi)));
}

static int op_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	(void)datasync;
	return edge(bfs_fs_fsync(fsys(), handle(fi)));
}

static int op_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	bfs_fs_release(fsys(), handle(fi));
	return 0;
}

/*
 * An open directory.  Entries go to the kernel with offsets (1 and 2 for
 * "." and "..", then one more for each), a buffer at a time: libfuse then
 * keeps no copy of the whole directory (without offsets it holds every
 * entry and its attributes until the directory is closed: 18 MiB for
 * 100,000 names).  The next call resumes after the last name given, from
 * the index.  Entries go without attributes (no readdirplus): libfuse 3.14
 * looks up an entry it then finds no room for, and the kernel never
 * forgets it (1 MiB per listing of 100,000 names); the kernel asks for the
 * attributes it needs, which the index answers.
 */
struct dir_handle {
	off_t next;	/* offset after the last entry given */
	char last[256]; /* that entry's name ("" for "." and "..") */
	char path[];	/* the directory */
};

struct fill_ctx {
	void *buf;
	fuse_fill_dir_t filler;
	struct dir_handle *h;
	off_t pos;  /* offset of the entry before the next */
	off_t skip; /* entries to pass over first (a seek) */
};

static int fill_one(void *arg, const char *name, const struct stat *st)
{
	struct fill_ctx *c = arg;
	struct stat t = { 0 };

	if (c->skip > 0) {
		c->skip--;
		c->pos++;
		return 0;
	}
	if (strlen(name) >= sizeof(c->h->last))
		return 0;		  /* never so: the index holds no longer name */
	t.st_mode = st->st_mode & S_IFMT; /* the entry's type; no attributes */
	if (c->filler(c->buf, name, &t, c->pos + 1, 0))
		return 1;
	c->pos++;
	c->h->next = c->pos;
	snprintf(c->h->last, sizeof(c->h->last), "%s", name);
	return 0;
}

/* The directory's path rides in fi->fh: with nullpath_ok, readdir may get
 * a NULL path. */
static int op_opendir(const char *path, struct fuse_file_info *fi)
{
	struct dir_handle *h;
	struct stat st;
	size_t len;
	int rc;

	if (!path)
		return -ENOENT;
	rc = bfs_fs_getattr(fsys(), path, &st);
	if (rc)
		return edge(rc);
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	len = strlen(path);
	h = calloc(1, sizeof(*h) + len + 1);
	if (!h)
		return -ENOMEM;
	memcpy(h->path, path, len + 1);
	fi->fh = (uint64_t)(uintptr_t)h;
	return 0;
}

static int op_releasedir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	free((struct dir_handle *)(uintptr_t)fi->fh);
	return 0;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct dir_handle *h = (struct dir_handle *)(uintptr_t)fi->fh;
	struct fill_ctx c = { buf, filler, h, 2, 0 };
	const char *after;

	(void)path;
	(void)flags;
	if (!h)
		return -ENOENT;
	if (off < 1 && filler(buf, ".", NULL, 1, 0))
		return 0;
	if (off < 2 && filler(buf, "..", NULL, 2, 0))
		return 0;
	if (off == 0) {
		after = NULL; /* from the start, listing the bucket if stale */
		h->next = 2;
		h->last[0] = '\0';
	} else if (off == h->next) {
		after = h->last; /* where the last call stopped */
		c.pos = off;
	} else {
		after = ""; /* a seek elsewhere: walk up to it again */
		c.skip = off > 2 ? off - 2 : 0;
	}
	return edge(bfs_fs_readdir(fsys(), h->path, after, fuse_get_context()->pid, fill_one, &c));
}

/*
 * Extended attributes: only the root's user.bucketfs.ctl, which names the
 * control socket for bucketfsctl; everything else has none (ENODATA, so
 * tools that probe ACLs and labels carry on).
 */
static int op_getxattr(const char *path, const char *name, char *value, size_t size)
{
	const char *ctl = priv()->ctl_path;
	size_t n;

	if (!ctl || strcmp(path, "/") || strcmp(name, BFS_CTL_XATTR))
		return -ENODATA;
	n = strlen(ctl);
	if (size == 0)
		return (int)n;
	if (size < n)
		return -ERANGE;
	memcpy(value, ctl, n);
	return (int)n;
}

static const struct fuse_operations ops = {
	.getxattr = op_getxattr,
	.init = op_init,
	.getattr = op_getattr,
	.readlink = op_readlink,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_rmdir,
	.symlink = op_symlink,
	.rename = op_rename,
	.link = op_link,
	.chmod = op_chmod,
	.chown = op_chown,
	.truncate = op_truncate,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.statfs = op_statfs,
	.flush = op_flush,
	.release = op_release,
	.fsync = op_fsync,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.releasedir = op_releasedir,
	.create = op_create,
	.utimens = op_utimens,
};

const struct fuse_operations *bfs_fuse_operations(void)
{
	return &ops;
}
