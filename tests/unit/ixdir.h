/* SPDX-License-Identifier: MIT */
/*
 * ixdir.h - temporary directories for an LMDB index, for the index's unit
 * tests (test_index.c, test_index_trim.c): made under $TMPDIR (or /tmp),
 * removed with the two files LMDB puts there.
 */
#ifndef BFS_IXDIR_H
#define BFS_IXDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void tmp_dir(char *buf, size_t sz)
{
	const char *t = getenv("TMPDIR");

	snprintf(buf, sz, "%s/bfs-index-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(buf)) {
		perror("mkdtemp");
		exit(2);
	}
}

static inline void rm_dir(const char *dir)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/data.mdb", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", dir);
	unlink(p);
	rmdir(dir);
}

#endif
