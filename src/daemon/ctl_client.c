/* SPDX-License-Identifier: MIT */
/*
 * ctl_client.c - the control socket's client (see ctl.h), used by
 * bucketfsctl: finding a mount's socket, sending one request and handing
 * over the answer's lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "bucketfs/ctl.h"
#include "util/sock.h"

int bfs_ctl_find(const char *where, char *out, size_t outsz, char *msg, size_t msgsz)
{
	struct stat sb;
	ssize_t n;

	n = getxattr(where, BFS_CTL_XATTR, out, outsz - 1);
	if (n > 0) {
		out[n] = '\0';
		return 0;
	}
	if (n < 0 && (errno == EACCES || errno == EPERM)) {
		/* (a FUSE mount without allow_other lets no one else in at all) */
		snprintf(msg, msgsz,
			 "permission denied: %s answers only root and the user who mounted it "
			 "(its control socket is mode 600)",
			 where);
		return -EACCES;
	}
	if (stat(where, &sb) == 0 && S_ISSOCK(sb.st_mode)) {
		snprintf(out, outsz, "%s", where);
		return 0;
	}
	if ((size_t)snprintf(out, outsz, "%s/ctl.sock", where) < outsz && stat(out, &sb) == 0 &&
	    S_ISSOCK(sb.st_mode))
		return 0;
	snprintf(msg, msgsz,
		 "%s is not a bucketfs mount point (nor its cache directory or "
		 "socket)",
		 where);
	return -ENOENT;
}

int bfs_ctl_request(const char *sock_path, const char *request,
		    void (*line_fn)(void *arg, const char *line), void *arg, char *msg,
		    size_t msgsz)
{
	char buf[8192], line[8192];
	size_t ll = 0;
	int fd, rc = -EPIPE;

	fd = bfs_sock_connect_unix(sock_path);
	if (fd >= 0 && (send(fd, request, strlen(request), MSG_NOSIGNAL) < 0 ||
			send(fd, "\n", 1, MSG_NOSIGNAL) < 0)) {
		rc = -errno;
		close(fd);
		fd = rc;
	}
	if (fd < 0) {
		rc = fd;
		if (rc == -EACCES || rc == -EPERM)
			snprintf(msg, msgsz,
				 "permission denied: the control socket %s is mode 600 (root and "
				 "the user who mounted only)",
				 sock_path);
		else if (rc == -ECONNREFUSED || rc == -ENOENT)
			snprintf(msg, msgsz,
				 "no daemon answers at %s (the mount's daemon is not running: "
				 "'mount' shows whether it is still mounted)",
				 sock_path);
		else if (rc == -ENAMETOOLONG)
			snprintf(msg, msgsz, "socket path too long: %s", sock_path);
		else
			snprintf(msg, msgsz, "cannot talk to the daemon at %s: %s", sock_path,
				 strerror(-rc));
		return rc;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0), i;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = '\0';
			ll = 0;
			if (line[0] == '=' && line[1] == ' ') {
				long code = strtol(line + 2, NULL, 10);
				const char *m = strchr(line + 2, ' ');

				snprintf(msg, msgsz, "%s", m ? m + 1 : "");
				rc = code ? 1 : 0;
				goto out;
			}
			line_fn(arg, line);
		}
	}
	snprintf(msg, msgsz, "the daemon closed the connection before answering");
out:
	close(fd);
	return rc;
}
