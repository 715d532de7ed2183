/* SPDX-License-Identifier: MIT */
/*
 * bucketfsctl.h - what the files of the bucketfsctl tool share: the
 * command context (bucketfsctl.c parses the options and opens the store),
 * the commands that walk a listing (bucketfsctl_tree.c: ls, markers), and
 * how a running mount's answers are shown (bucketfsctl_show.c).
 */
#ifndef BUCKETFSCTL_H
#define BUCKETFSCTL_H

#include <stddef.h>
#include <time.h>

#include "bucketfs/config.h"
#include "bucketfs/creds.h"
#include "bucketfs/store.h"

#define MSG 1024

struct ctx {
	struct bfs_config cfg;
	struct bfs_creds *creds;
	struct bfs_store *st;
};

/* Report a store error about what on stderr; returns 1 (the exit code). */
int die_store(int rc, const char *what);
/* Parse TARGET, then open the store for its bucket (once); need_key: it
 * must name an object.  0, or -1 once reported. */
int open_target(struct ctx *c, const char *target, int need_key);
/* A time as "YYYY-MM-DD HH:MM:SS" (UTC) into out. */
void fmt_time(time_t t, char *out, size_t n);

int cmd_ls(struct ctx *c, int argc, char **argv);
int cmd_markers(struct ctx *c, int argc, char **argv);

/* Showing a running mount's answer (bucketfsctl_show.c): show_line takes
 * each line as it comes (bfs_ctl_request's line_fn), show_end finishes. */
struct show {
	const char *cmd; /* the command asked: "flush", "fsck", ... */
	int tty;	 /* stdout is a terminal: progress updates one line */
	int drawn;	 /* a progress line is on the terminal, unfinished */
	double last_shown; /* (not a terminal) the last progress line's time */
	int lines;	   /* other lines printed */
};
void show_init(struct show *s, const char *cmd);
void show_line(void *arg, const char *line);
void show_end(struct show *s);

#endif
