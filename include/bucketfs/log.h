/* SPDX-License-Identifier: MIT */
/*
 * log.h - where the daemon's messages go: syslog (the default when it runs
 * in the background), stderr as well in the foreground (-f), or a file
 * (-o logfile=PATH, reopened by bfs_log_reopen() on SIGHUP so logrotate can
 * move it).  Messages below the level set (-o loglevel=) are dropped.  Never
 * give it a secret: nothing here redacts.
 *
 * Thread-safe; every module logs through bfs_log() with syslog's levels.
 */
#ifndef BUCKETFS_LOG_H
#define BUCKETFS_LOG_H

#include <syslog.h>

/*
 * Set up (before threads): to syslog as ident, and to stderr as well when
 * to_stderr; or, with path, to that file instead (appended, created 0640).
 * level: LOG_ERR, LOG_WARNING, LOG_INFO or LOG_DEBUG (and above are kept).
 * Returns 0 or -errno (the file cannot be opened; then syslog is used).
 */
int bfs_log_open(const char *ident, const char *path, int to_stderr, int level);

/* Reopen the log file (after logrotate moved it); no-op for syslog. */
int bfs_log_reopen(void);

/* The same, at the next message: safe to call from a signal handler. */
void bfs_log_reopen_later(void);

void bfs_log_close(void);

/* Log one message at level (LOG_ERR ... LOG_DEBUG). */
void bfs_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Whether a message at level would be kept (to skip building it). */
int bfs_log_enabled(int level);

/* "error", "warning", "info" or "debug" to a level, or -1. */
int bfs_log_level(const char *name);

#endif
