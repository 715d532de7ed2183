/* SPDX-License-Identifier: MIT */
/*
 * cachedir.h - the cache directory of a mount (src/daemon/cachedir.c):
 * where it is, and the lock that keeps it to one daemon.
 *
 * Without cache_dir= it is BUCKET-HASH (HASH of the endpoint, bucket,
 * prefix and local directory) under /var/cache/bucketfs for root, else
 * under $XDG_CACHE_HOME/bucketfs or ~/.cache/bucketfs; with use_cache=DIR
 * (s3fs's option) under DIR, so that mounts can share one use_cache as
 * under s3fs.  The directory is kept across mounts.
 *
 * CACHE/lock is flock()ed by the daemon for its lifetime and holds
 * "PID MOUNTPOINT".  A new mount finding it held fails at once when that
 * mount point is still mounted (two mounts on one cache), and otherwise
 * waits: the old daemon was unmounted and is still uploading what was
 * journaled (umount returns before it is done; systemctl restart mounts
 * again at once).
 */
#ifndef BUCKETFS_CACHEDIR_H
#define BUCKETFS_CACHEDIR_H

#include <stddef.h>

#include "bucketfs/config.h"

/*
 * Make c->fs.cache_dir the absolute path of the cache directory (the
 * default or use_cache's subdirectory when not given), created 0700
 * (*created: it did not exist before).  Returns 0 or -errno, with msg.
 */
int bfs_cachedir_prepare(struct bfs_config *c, int *created, char *msg, size_t msgsz);

/* Remove the cache directory dir and everything in it (a mount that failed
 * before it came up, in the directory it made: *created above).  0 or
 * -errno. */
int bfs_cachedir_remove(const char *dir);

/*
 * Lock the cache directory dir: *fd is the
 * lock file's descriptor, held until closed (across fork()).  A lock held
 * by a daemon whose mount point is no longer mounted is waited for, up to
 * wait_s seconds, saying so once on stderr.  Returns 0, -EBUSY (msg names
 * the holder) or -errno.
 */
int bfs_cachedir_lock(const char *dir, int wait_s, int *fd, char *msg, size_t msgsz);

/* Write "PID MOUNTPOINT" into the lock file (after fork: the daemon's pid). */
int bfs_cachedir_stamp(int fd, const char *mountpoint);

#endif
