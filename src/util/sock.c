/* SPDX-License-Identifier: MIT */
/* sock.c - Unix stream sockets: listening, connecting (see sock.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/sock.h"

/* A Unix stream socket (close-on-exec) and the address of path: the fd or
 * -ENAMETOOLONG / -errno. */
static int unix_socket(const char *path, struct sockaddr_un *sa)
{
	size_t n = strlen(path);
	int fd;

	if (n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, n + 1);
	return fd;
}

int bfs_sock_connect_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd = unix_socket(path, &sa), rc;

	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int bfs_sock_listen_unix(const char *path, int backlog)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old;
	int fd = unix_socket(path, &sa), rc;

	if (fd < 0)
		return fd;
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
