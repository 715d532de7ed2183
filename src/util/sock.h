/* SPDX-License-Identifier: MIT */
/*
 * sock.h - Unix stream sockets: listening, as the control socket and the
 * metrics endpoint do, and connecting, as bucketfsctl does.  Internal.
 */
#ifndef BUCKETFS_SOCK_H
#define BUCKETFS_SOCK_H

/*
 * Listen on a Unix stream socket at path, created mode 0600 (a socket left
 * there by a dead daemon is replaced; anything else makes it -EADDRINUSE,
 * and is left alone).  Returns the listening fd (close-on-exec),
 * -ENAMETOOLONG (over the 107 bytes a socket path may have) or -errno.
 */
int bfs_sock_listen_unix(const char *path, int backlog);

/* Connect to the Unix stream socket at path: the fd (close-on-exec),
 * -ENAMETOOLONG or -errno (connect's: -EACCES, -ECONNREFUSED, ...). */
int bfs_sock_connect_unix(const char *path);

#endif
