/* SPDX-License-Identifier: MIT */
/* mountpoint.c - the directory a mount goes on (see mountpoint.h). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "bucketfs/error.h"
#include "bucketfs/mountpoint.h"

/* Undo mountinfo's octal escapes (\040 for a blank, \134 for '\') in place. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

int bfs_mountpoint_mounted(const char *abs, char *type, size_t typesz)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[PATH_MAX * 2 + 512];
	int found = 0;

	if (!f)
		return -errno;
	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - TYPE SOURCE SUPER" */
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *tok, *mp = NULL, *dash;
		int i;

		tok = strtok_r(line, " ", &save);
		for (i = 1; tok && i < 5; i++)
			tok = strtok_r(NULL, " ", &save);
		if (!tok)
			continue;
		mp = tok;
		dash = strstr(save ? save : "", " - ");
		unescape(mp);
		if (strcmp(mp, abs))
			continue;
		found = 1; /* the last one listed is the one on top */
		if (type && typesz) {
			type[0] = '\0';
			if (dash)
				snprintf(type, typesz, "%.*s", (int)strcspn(dash + 3, " \n"),
					 dash + 3);
		}
	}
	fclose(f);
	return found;
}

/* A mount point left dead by a crashed daemon: detach it. */
static int detach_dead(const char *path, char *msg, size_t msgsz)
{
	struct stat st;
	char cmd[PATH_MAX + 64];

	if (stat(path, &st) == 0 || errno != ENOTCONN)
		return 0;
	fprintf(stderr, "bucketfs: %s: stale mount of a dead daemon; detaching it\n", path);
	if (umount2(path, MNT_DETACH) == 0)
		return 0;
	/* not root: the setuid helper may */
	if (strchr(path, '\''))
		goto fail;
	snprintf(cmd, sizeof(cmd), "fusermount3 -uz '%s' 2>/dev/null", path);
	if (system(cmd) == 0)
		return 0;
fail:
	snprintf(msg, msgsz, "cannot detach the dead mount on %s: %s", path, strerror(errno));
	return -EBUSY;
}

/* 1 when dir has an entry besides . and ..; 0 when empty or unreadable. */
static int has_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int any = 0;

	if (!d)
		return 0;
	while (!any && (e = readdir(d)))
		any = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return any;
}

int bfs_mountpoint_prepare(const char *path, int nonempty, char **abs, char *msg, size_t msgsz)
{
	char type[64];
	struct stat st;
	char *p;
	int rc;

	*abs = NULL;
	rc = detach_dead(path, msg, msgsz);
	if (rc)
		return rc;
	p = realpath(path, NULL);
	if (!p) {
		rc = -errno;
		snprintf(msg, msgsz, "mount point %s: %s", path, strerror(errno));
		return rc;
	}
	if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(msg, msgsz, "mount point %s is not a directory", p);
		rc = BFS_E_CONFIG;
		goto fail;
	}
	/* A FUSE mount there already (this mount, twice); an empty bind mount,
	 * volume or systemd's automount point (autofs) is what we go on. */
	if (!nonempty && bfs_mountpoint_mounted(p, type, sizeof(type)) == 1 &&
	    !strncmp(type, "fuse", 4)) {
		snprintf(msg, msgsz,
			 "%s is already a mount point (%s): unmount it first, or give "
			 "-o nonempty to mount over it",
			 p, type);
		rc = BFS_E_CONFIG;
		goto fail;
	}
	if (!nonempty && has_entries(p)) {
		snprintf(msg, msgsz,
			 "mount point %s is not empty: its files would be hidden under the "
			 "mount; move them away (into the bucket, perhaps), or give -o "
			 "nonempty",
			 p);
		rc = BFS_E_CONFIG;
		goto fail;
	}
	*abs = p;
	return 0;
fail:
	free(p);
	return rc;
}
