/* SPDX-License-Identifier: MIT */
/*
 * fuse_ops.h - the FUSE edge: libfuse's high-level operations on top of
 * fs.h.  The only module (with the daemon's main) that knows FUSE types,
 * and the one place where a bucketfs error becomes the errno the kernel
 * sees.
 */
#ifndef BUCKETFS_FUSE_OPS_H
#define BUCKETFS_FUSE_OPS_H

#include <fuse.h>

struct bfs_fs;

/* Timeouts the kernel may cache entries, attributes and absences for. */
struct bfs_fuse_cfg {
	double entry_timeout;
	double attr_timeout;
	double negative_timeout;
};

/*
 * The operations table.  fuse_new()'s private data must be a struct
 * bfs_fuse_priv that outlives the session.
 */
struct bfs_fuse_priv {
	struct bfs_fs *fs;
	struct bfs_fuse_cfg cfg;
	const char *ctl_path; /* the control socket, shown as the root's
			       * user.bucketfs.ctl attribute; NULL: none */
};

const struct fuse_operations *bfs_fuse_operations(void);

#endif
