/* SPDX-License-Identifier: MIT */
/* sock.c - listening on a Unix stream socket (see sock.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/sock.h"

int bfs_sock_listen_unix(const char *path, int backlog)
{
	struct sockaddr_un sa;
	struct stat st;
	size_t n = strlen(path);
	mode_t old;
	int fd, rc;

	if (n >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n + 1);
	/* a dead daemon's socket is replaced; anything else there stays (and
	 * bind fails with EADDRINUSE): a mistyped path never deletes a file */
	if (!lstat(path, &st) && S_ISSOCK(st.st_mode))
		(void)unlink(path);
	old = umask(0177); /* created 0600 */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || listen(fd, backlog) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}
