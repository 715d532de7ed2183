/* SPDX-License-Identifier: MIT */
/*
 * mountpoint.h - the directory a mount goes on (src/daemon/mountpoint.c).
 *
 * A dead mount a crashed daemon left there is detached.  A directory that
 * holds files, or is the mount point of a FUSE file system already, is
 * refused unless nonempty is given (as s3fs refuses the first): files
 * written there while the mount was down (an fstab line with nofail) would
 * be hidden under it, and a second mount would stack on the first.  An
 * empty mount point of another kind (a bind mount, a container's volume,
 * systemd's automount point) is what a mount may well go on.
 */
#ifndef BUCKETFS_MOUNTPOINT_H
#define BUCKETFS_MOUNTPOINT_H

#include <stddef.h>

/*
 * Check path as the mount point: detach a dead mount on it, then refuse
 * what is not a directory, and, without nonempty, a FUSE mount point or a
 * directory with entries.  On success *abs is its absolute path (the
 * caller frees it).  Returns 0, BFS_E_CONFIG or -errno, with msg.
 */
int bfs_mountpoint_prepare(const char *path, int nonempty, char **abs, char *msg, size_t msgsz);

/*
 * Is abs (absolute, as realpath gives it) a mount point now?  1 with the
 * file system type in type (typesz bytes; "fuse.bucketfs"), 0 when not,
 * -errno when /proc/self/mountinfo cannot be read.
 */
int bfs_mountpoint_mounted(const char *abs, char *type, size_t typesz);

#endif
