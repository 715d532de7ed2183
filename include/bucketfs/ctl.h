/* SPDX-License-Identifier: MIT */
/*
 * ctl.h - the control socket of a running mount, and its client.
 *
 * The daemon listens on CACHE_DIR/ctl.sock (a Unix stream socket, mode
 * 0600: only the user who mounted, and root, may use it) and names it in
 * the extended attribute "user.bucketfs.ctl" of the mount's root, so the
 * client finds it from the mount point.  One request per connection: a
 * line "COMMAND [ARGS]\n" (at most 4 KiB).  The answer is lines of text;
 * the last one is "= 0" (done) or "= ERRNO MESSAGE" (failed).
 *
 * Commands:
 *   status             the mount, the cache, the uploads, in "name: value" lines
 *   stats [--prometheus]  requests by kind (mean time), bytes up and down, cache
 *                      hits and misses, bytes served from the cache, errors;
 *                      or all counters in the Prometheus text format
 *   pending            one line per journaled upload: PATH SIZE AGE_S ATTEMPTS ERROR
 *   flush [SECONDS]    upload everything journaled now and wait (default 60 s),
 *                      with a progress line every second
 *   evict PATH|--all   drop a cached copy (or every clean one)
 *   invalidate PATH    forget what is known of PATH (a directory: all below it),
 *                      in the index and the kernel; the next use asks the bucket
 *   fsck [--repair]    check the cache against its index
 */
#ifndef BUCKETFS_CTL_H
#define BUCKETFS_CTL_H

#include <stddef.h>
#include <stdio.h>

struct bfs_ctl;
struct bfs_fs;
struct bfs_store;

#define BFS_CTL_XATTR "user.bucketfs.ctl"

struct bfs_ctl_info {
	const char *mountpoint;
	const char *target; /* BUCKET[:/PREFIX] or file:DIR */
	const char *cache_dir;
	/* drop the kernel's caches of path (may be NULL); from any thread */
	void (*kernel_forget)(void *arg, const char *path);
	void *kernel_arg;
};

/*
 * Listen on sock_path and serve requests about fs and store (borrowed:
 * they must outlive the server) in a thread of its own.  info's strings
 * are copied.  A stale socket file is replaced (the caller holds the cache
 * directory's lock).  Returns 0, -ENAMETOOLONG (a Unix socket path is at
 * most 107 bytes) or -errno.
 */
int bfs_ctl_start(const char *sock_path, struct bfs_fs *fs, struct bfs_store *store,
		  const struct bfs_ctl_info *info, struct bfs_ctl **out);

/* Stop listening, wait for requests in progress, remove the socket. */
void bfs_ctl_stop(struct bfs_ctl *c);

/*
 * The socket for where: a mount point (its root's user.bucketfs.ctl), a
 * cache directory (holding ctl.sock) or the socket itself.  Returns 0, or
 * -ENOENT (none of these) or -EACCES (a mount this user may not enter)
 * with msg set.
 */
int bfs_ctl_find(const char *where, char *out, size_t outsz, char *msg, size_t msgsz);

/*
 * Send request to the daemon at sock_path and hand the answer's lines to
 * line_fn as they come, without the last one.  Returns 0 ("= 0"), 1 (the
 * daemon answered an error: msg holds it), or -errno (cannot connect, the
 * answer was cut: msg says which).
 */
int bfs_ctl_request(const char *sock_path, const char *request,
		    void (*line_fn)(void *arg, const char *line), void *arg, char *msg,
		    size_t msgsz);

#endif
