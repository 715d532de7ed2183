/* SPDX-License-Identifier: MIT */
/*
 * bucketfsctl_show.c - how bucketfsctl shows a running mount's answer
 * (ctl.h's lines, as they come).  A long command's progress comes as
 * "progress ..." lines, a few a second: on a terminal they become one line
 * that updates in place, with what is done, the rate and the time left;
 * otherwise (a log, a pipe) one such line every 5 s.  Every other line is
 * printed as it is.
 *     flush: progress FILES_DONE BYTES_DONE FILES_LEFT BYTES_LEFT FAILING SECONDS
 *     fsck:  progress ENTRIES_DONE ENTRIES BYTES_CHECKED SECONDS
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bucketfs/human.h"
#include "bucketfsctl.h"

#define SHOW_EVERY_S 5.0 /* not a terminal: a progress line this often */

static void human(double v, char *out, size_t outsz)
{
	bfs_human_bytes(v, out, outsz);
}

static void duration(double s, char *out, size_t outsz)
{
	if (s < 100)
		snprintf(out, outsz, "%.0f s", s);
	else if (s < 6000)
		snprintf(out, outsz, "%.0f min", s / 60);
	else
		snprintf(out, outsz, "%.1f h", s / 3600);
}

/* The words of a progress line, or 0 if it is not one. */
static int render(const struct show *s, const char *line, char *out, size_t outsz, double *secs)
{
	uint64_t a, b, c, d, e;
	char h1[32], h2[32], h3[32], eta[32], failing[48] = "";
	double t, rate;

	if (!strcmp(s->cmd, "flush") &&
	    sscanf(line, "progress %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %lf",
		   &a, &b, &c, &d, &e, &t) == 6) {
		rate = t > 0 ? (double)b / t : 0;
		human((double)b, h1, sizeof(h1));
		human((double)d, h2, sizeof(h2));
		human(rate, h3, sizeof(h3));
		if (rate > 0)
			duration((double)d / rate, eta, sizeof(eta));
		else
			snprintf(eta, sizeof(eta), "unknown");
		if (e)
			snprintf(failing, sizeof(failing), ", %" PRIu64 " failing", e);
		snprintf(out, outsz,
			 "flush: %" PRIu64 " file%s (%s) uploaded, %" PRIu64
			 " left (%s), %s/s, ETA %s%s",
			 a, a == 1 ? "" : "s", h1, c, h2, h3, eta, failing);
		*secs = t;
		return 1;
	}
	if (!strcmp(s->cmd, "fsck") &&
	    sscanf(line, "progress %" SCNu64 " %" SCNu64 " %" SCNu64 " %lf", &a, &b, &c, &t) == 4) {
		rate = t > 0 ? (double)a / t : 0;
		human((double)c, h1, sizeof(h1));
		human(t > 0 ? (double)c / t : 0, h2, sizeof(h2));
		if (rate > 0 && b > a)
			duration((double)(b - a) / rate, eta, sizeof(eta));
		else
			snprintf(eta, sizeof(eta), "%s", rate > 0 ? "0 s" : "unknown");
		snprintf(out, outsz,
			 "fsck: %" PRIu64 " of about %" PRIu64 " entries (%.0f%%), %s of copies "
			 "checked (%s/s), ETA %s",
			 a, b, b ? 100.0 * (double)(a < b ? a : b) / (double)b : 100.0, h1, h2,
			 eta);
		*secs = t;
		return 1;
	}
	return 0;
}

void show_init(struct show *s, const char *cmd)
{
	memset(s, 0, sizeof(*s));
	s->cmd = cmd;
	s->tty = isatty(STDOUT_FILENO);
	s->last_shown = -SHOW_EVERY_S;
}

void show_line(void *arg, const char *line)
{
	struct show *s = arg;
	char text[512];
	double t = 0;

	if (render(s, line, text, sizeof(text), &t)) {
		if (s->tty) {
			printf("\r\033[K%s", text);
			s->drawn = 1;
		} else if (t - s->last_shown >= SHOW_EVERY_S) {
			printf("%s\n", text);
			s->last_shown = t;
		}
		fflush(stdout);
		return;
	}
	show_end(s);
	printf("%s\n", line);
	fflush(stdout);
	s->lines++;
}

void show_end(struct show *s)
{
	if (s->drawn)
		printf("\r\033[K");
	s->drawn = 0;
	fflush(stdout);
}
