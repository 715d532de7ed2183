/* SPDX-License-Identifier: MIT */
/*
 * log.c - the daemon's log (see log.h).  One process-wide destination:
 * the state below is set before threads start, except the file, which
 * SIGHUP's reopen swaps under log_lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/log.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1; /* the log file, or -1: syslog */
static char *log_path;
static int log_level = LOG_INFO;
static int log_stderr;
static char log_ident[32] = "bucketfs";
static atomic_int reopen_asked; /* set by a signal handler */

static int open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

int bfs_log_open(const char *ident, const char *path, int to_stderr, int level)
{
	snprintf(log_ident, sizeof(log_ident), "%s", ident);
	log_level = level;
	log_stderr = to_stderr;
	openlog(log_ident, LOG_PID | (to_stderr && !path ? LOG_PERROR : 0), LOG_DAEMON);
	if (!path)
		return 0;
	log_fd = open_file(path);
	if (log_fd < 0)
		return -errno;
	log_path = strdup(path);
	return log_path ? 0 : -ENOMEM;
}

int bfs_log_reopen(void)
{
	int fd, old;

	if (!log_path)
		return 0;
	fd = open_file(log_path);
	if (fd < 0)
		return -errno;
	pthread_mutex_lock(&log_lock);
	old = log_fd;
	log_fd = fd;
	pthread_mutex_unlock(&log_lock);
	if (old >= 0)
		close(old);
	return 0;
}

void bfs_log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	free(log_path);
	log_path = NULL;
	closelog();
}

int bfs_log_level(const char *name)
{
	if (!strcmp(name, "error"))
		return LOG_ERR;
	if (!strcmp(name, "warning"))
		return LOG_WARNING;
	if (!strcmp(name, "info"))
		return LOG_INFO;
	if (!strcmp(name, "debug"))
		return LOG_DEBUG;
	return -1;
}

int bfs_log_enabled(int level)
{
	return level <= log_level;
}

void bfs_log(int level, const char *fmt, ...)
{
	static const char *const names[8] = { "emerg",	 "alert",  "crit", "error",
					      "warning", "notice", "info", "debug" };
	char line[2048], stamp[40];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	ssize_t w = 0;
	int n, m;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	if (log_fd < 0 && !log_path) {
		vsyslog(level, fmt, ap);
		va_end(ap);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ld %s[%d] %s: ", stamp, ts.tv_nsec / 1000000,
		     log_ident, (int)getpid(), names[level & 7]);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m < (int)(sizeof(line) - (size_t)n - 1) ? m : (int)(sizeof(line) - (size_t)n - 2);
	line[n++] = '\n';
	if (atomic_exchange(&reopen_asked, 0))
		(void)bfs_log_reopen();
	pthread_mutex_lock(&log_lock);
	if (log_fd >= 0)
		w = write(log_fd, line, (size_t)n); /* a failure has nowhere to go */
	pthread_mutex_unlock(&log_lock);
	if (log_stderr)
		w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
}

void bfs_log_reopen_later(void)
{
	atomic_store(&reopen_asked, 1);
}
