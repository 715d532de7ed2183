/* SPDX-License-Identifier: MIT */
/*
 * ctl.c - the control socket's server (see ctl.h), run by the daemon: it
 * accepts connections, reads one request line each and runs it
 * (ctl_cmd.c), sending the answer's lines as they are made.
 *
 * DESIGN (threads): one thread accepts; each request runs in a worker
 * thread of a fixed pool of CTL_MAX slots (a request beyond that is
 * answered "busy"), so a long flush or fsck does not block status.  Workers
 * are joined when the server stops; c->lock guards the slots.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "daemon/ctl_int.h"
#include "util/sock.h"

#define REQ_MAX 4096

/* Read one request line (at most REQ_MAX bytes, 10 s). */
static int read_request(int fd, char *buf, size_t bufsz)
{
	size_t n = 0;

	while (n < bufsz - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 10000) <= 0)
			return -ETIMEDOUT;
		r = recv(fd, buf + n, bufsz - 1 - n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EPIPE;
		n += (size_t)r;
		if (memchr(buf, '\n', n)) {
			*(char *)memchr(buf, '\n', n) = '\0';
			return 0;
		}
	}
	return -E2BIG;
}

static void *serve_one(void *arg)
{
	struct ctl_slot *s = arg;
	struct out o = { s->fd, 0, "" };
	char req[REQ_MAX], *cmd, *rest;
	int rc = read_request(s->fd, req, sizeof(req));

	if (!rc) {
		cmd = req;
		rest = strchr(req, ' ');
		if (rest)
			*rest++ = '\0';
		rc = ctl_run(s->c, &o, cmd, rest);
		if (rc == -ENOSYS)
			put(&o,
			    "= %d unknown command '%.100s' (status, stats, pending, flush, evict, "
			    "invalidate, fsck)",
			    -rc, cmd);
		else if (rc == -EUCLEAN)
			put(&o,
			    "= %d problems found (fsck --repair drops damaged copies and "
			    "unreferenced files)",
			    EUCLEAN);
		else if (rc && o.why[0])
			put(&o, "= %d %s", bfs_err_is_store(rc) ? EIO : -rc, o.why);
		else if (rc)
			put(&o, "= %d %s", bfs_err_is_store(rc) ? EIO : -rc, bfs_strerror(rc));
		else
			put(&o, "= 0");
	}
	close(s->fd);
	pthread_mutex_lock(&s->c->lock);
	s->done = 1;
	pthread_mutex_unlock(&s->c->lock);
	return NULL;
}

/* A free slot (joining finished ones), or NULL.  Under c->lock. */
static struct ctl_slot *free_slot(struct bfs_ctl *c)
{
	int i;

	for (i = 0; i < CTL_MAX; i++) {
		struct ctl_slot *s = &c->slots[i];

		if (s->used && s->done) {
			pthread_join(s->thread, NULL);
			s->used = 0;
		}
		if (!s->used)
			return s;
	}
	return NULL;
}

static void *acceptor(void *arg)
{
	struct bfs_ctl *c = arg;

	for (;;) {
		struct pollfd p[2] = { { c->listen_fd, POLLIN, 0 },
				       { c->stop_pipe[0], POLLIN, 0 } };
		struct ctl_slot *s;
		int fd;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&c->lock);
		s = free_slot(c);
		if (s) {
			s->used = 1;
			s->done = 0;
			s->fd = fd;
			s->c = c;
			if (pthread_create(&s->thread, NULL, serve_one, s)) {
				s->used = 0;
				s = NULL;
			}
		}
		pthread_mutex_unlock(&c->lock);
		if (!s) {
			struct out o = { fd, 0, "" };

			put(&o, "= %d busy: too many requests at once", EBUSY);
			close(fd);
		}
	}
	return NULL;
}

/* Close and free what start made (no thread running). */
static void ctl_free(struct bfs_ctl *c)
{
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	if (c->stop_pipe[0] >= 0) {
		close(c->stop_pipe[0]);
		close(c->stop_pipe[1]);
	}
	pthread_mutex_destroy(&c->lock);
	free(c->sock_path);
	free(c->mountpoint);
	free(c->target);
	free(c->cache_dir);
	free(c);
}

int bfs_ctl_start(const char *sock_path, struct bfs_fs *fs, struct bfs_store *store,
		  const struct bfs_ctl_info *info, struct bfs_ctl **out)
{
	struct bfs_ctl *c;
	int rc;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->listen_fd = c->stop_pipe[0] = c->stop_pipe[1] = -1;
	c->fs = fs;
	c->store = store;
	c->kernel_forget = info->kernel_forget;
	c->kernel_arg = info->kernel_arg;
	c->started = (int64_t)time(NULL);
	pthread_mutex_init(&c->lock, NULL);
	c->sock_path = strdup(sock_path);
	c->mountpoint = strdup(info->mountpoint ? info->mountpoint : "");
	c->target = strdup(info->target ? info->target : "");
	c->cache_dir = strdup(info->cache_dir ? info->cache_dir : "");
	rc = -ENOMEM;
	if (!c->sock_path || !c->mountpoint || !c->target || !c->cache_dir)
		goto fail;
	if (pipe2(c->stop_pipe, O_CLOEXEC) < 0)
		goto fail_errno;
	c->listen_fd = bfs_sock_listen_unix(sock_path, 16);
	if (c->listen_fd < 0) {
		rc = c->listen_fd;
		goto fail;
	}
	rc = pthread_create(&c->acceptor, NULL, acceptor, c);
	if (rc) {
		rc = -rc;
		(void)unlink(sock_path);
		goto fail;
	}
	*out = c;
	return 0;
fail_errno:
	rc = -errno;
fail:
	ctl_free(c);
	return rc;
}

void bfs_ctl_stop(struct bfs_ctl *c)
{
	ssize_t w;
	int i;

	if (!c)
		return;
	w = write(c->stop_pipe[1], "x", 1); /* a pipe with room: cannot fail */
	(void)w;
	pthread_join(c->acceptor, NULL);
	for (i = 0; i < CTL_MAX; i++)
		if (c->slots[i].used)
			pthread_join(c->slots[i].thread, NULL);
	(void)unlink(c->sock_path);
	ctl_free(c);
}
