/* SPDX-License-Identifier: MIT */
/*
 * ctl_int.h - what the control socket's server (ctl.c) takes from its
 * commands (ctl_cmd.c, which also makes the answers' lines).  Not part of
 * the public API.
 */
#ifndef BUCKETFS_CTL_INT_H
#define BUCKETFS_CTL_INT_H

#include <pthread.h>
#include <stdint.h>

#include "bucketfs/ctl.h"

#define CTL_MAX 8

struct ctl_slot {
	pthread_t thread;
	int used; /* a thread is (or was) running here: join it */
	int done; /* it finished */
	int fd;
	struct bfs_ctl *c;
};

struct bfs_ctl {
	char *sock_path;
	char *mountpoint, *target, *cache_dir;
	struct bfs_fs *fs;
	struct bfs_store *store;
	void (*kernel_forget)(void *arg, const char *path);
	void *kernel_arg;
	int listen_fd;
	int stop_pipe[2];
	pthread_t acceptor;
	int64_t started;
	pthread_mutex_t lock; /* guards slots */
	struct ctl_slot slots[CTL_MAX];
};

/* One request's answer: its lines go to fd as they are made (put). */
struct out {
	int fd;
	int broken;	/* the client went away */
	char why[1200]; /* a command's own words for its error ("" : strerror's) */
};

/* Send one line of the answer (the client may have gone: then nothing). */
void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* CLOCK_REALTIME, nanoseconds. */
int64_t ctl_now_ns(void);

/*
 * Run the command cmd with its argument (NULL: none), writing its lines to
 * o; 0, -ENOSYS (no such command), or the error the last line reports
 * (o->why in words, if the command set it).
 */
int ctl_run(struct bfs_ctl *c, struct out *o, const char *cmd, const char *arg);

#endif
