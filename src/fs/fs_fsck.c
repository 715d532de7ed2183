/* SPDX-License-Identifier: MIT */
/*
 * fs_fsck.c - checking the cache of a running mount against its index
 * (bucketfsctl fsck): every cached copy (present, long enough, and its
 * CRC-32C; for an entry without one, of a whole copy of a single-part
 * object, the MD5 the ETag names), every journaled upload (its staging
 * file whole and matching its CRC-32C), and data files that no entry
 * refers to.  With repair, damaged copies are dropped (fetched again when
 * next read) and unreferenced files of earlier mounts removed; a broken
 * journal record is only reported: its data is what the user wrote.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/fs_int.h"
#include "util/idset.h"

struct fsck {
	struct bfs_fs *fs;
	int repair;
	void (*say)(void *arg, const char *line);
	void *arg;
	struct idset refs;
	int nomem;
	struct bfs_fs_fsck *r;
	int64_t last_ns; /* the last progress call */
};

static void sayf(struct fsck *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sayf(struct fsck *k, const char *fmt, ...)
{
	char line[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	k->say(k->arg, line);
}

struct drop {
	uint64_t data_id;
};

static int drop_copy(void *arg, struct bfs_entry *e)
{
	const struct drop *d = arg;

	if (e->state != BFS_ST_CLEAN || e->data_id != d->data_id)
		return 0;
	e->data_id = 0;
	e->cached_bytes = e->crc_bytes = 0;
	e->flags &= ~(uint32_t)BFS_EF_CACHED;
	return 1;
}

static int check_entry(void *arg, const char *path, const struct bfs_entry *e)
{
	struct fsck *k = arg;
	uint64_t id = e->state == BFS_ST_CLEAN ? e->data_id : e->staged_id;
	const char *why = NULL;
	int fd;

	if (idset_add(&k->refs, e->data_id) || idset_add(&k->refs, e->staged_id))
		k->nomem = 1;
	if (++k->r->entries % 64 == 0 && fs_now_ns() - k->last_ns >= 500000000) {
		k->last_ns = fs_now_ns();
		k->say(k->arg, NULL); /* progress: r holds the counts so far */
	}
	if (!id || e->type != BFS_ENT_FILE || e->state == BFS_ST_DIRTY)
		return 0; /* nothing cached, or being written right now */
	fd = fs_data_open(k->fs, id, O_RDONLY);
	if (fd < 0) {
		why = "its data file is missing";
	} else if (e->state == BFS_ST_CLEAN) {
		why = fs_cached_problem(fd, e, 1);
		k->r->copies++;
		if (!why && e->crc_bytes && e->crc_bytes == e->cached_bytes)
			k->r->bytes_checked += e->crc_bytes;
		else if (!why && (e->flags & BFS_EF_CACHED))
			k->r->bytes_checked += e->size;
	} else {
		struct stat sb;
		uint32_t crc = 0;

		k->r->journaled++;
		if (fstat(fd, &sb) < 0 || (uint64_t)sb.st_size != e->size)
			why = "its journaled data is not the size recorded";
		else if (e->crc_bytes && e->crc_bytes == e->size &&
			 (fs_data_crc(fd, 0, e->size, &crc) || crc != e->crc32c))
			why = "its journaled data does not match its CRC32C";
	}
	if (fd >= 0)
		close(fd);
	if (!why)
		return 0;
	if (e->state == BFS_ST_UPLOADING) {
		k->r->broken_journal++;
		sayf(k, "journal %s: %s (left alone: inspect it)", path, why);
		return 0;
	}
	k->r->damaged++;
	if (k->repair) {
		struct drop d = { id };

		if (bfs_index_update(k->fs->ix, path, drop_copy, &d) == 1) {
			fs_data_unlink(k->fs, id);
			k->r->repaired++;
		}
	}
	sayf(k, "damaged %s: %s%s", path, why,
	     k->repair ? " (dropped: fetched again when read)" : "");
	return 0;
}

/* Data files of earlier mounts that no entry refers to. */
static void check_orphans(struct fsck *k)
{
	char dir[PATH_MAX];
	int i;

	for (i = 0; i < 256; i++) {
		struct dirent *de;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/%02x", k->fs->data_dir, i);
		d = opendir(dir);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			char *end;
			uint64_t id = strtoull(de->d_name, &end, 10);
			struct stat sb;

			if (de->d_name[0] == '.' || *end || !id || id >= k->fs->first_id ||
			    idset_has(&k->refs, id) ||
			    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			k->r->orphans++;
			if (k->repair && unlinkat(dirfd(d), de->d_name, 0) == 0) {
				fs_space_grew(k->fs, -(int64_t)sb.st_size);
				k->r->repaired++;
			}
		}
		closedir(d);
	}
}

int bfs_fs_fsck(struct bfs_fs *fs, int repair, void (*say)(void *arg, const char *line), void *arg,
		struct bfs_fs_fsck *r)
{
	static const enum bfs_entry_state states[] = { BFS_ST_CLEAN, BFS_ST_DIRTY,
						       BFS_ST_UPLOADING };
	struct fsck k = { fs, repair, say, arg, IDSET_INIT, 0, r, fs_now_ns() };
	size_t i;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < sizeof(states) / sizeof(states[0]) && !rc; i++)
		rc = bfs_index_scan_state(fs->ix, states[i], check_entry, &k);
	if (!rc && !k.nomem)
		check_orphans(&k);
	else if (!rc)
		rc = -ENOMEM;
	if (!rc && !fs_jrec_lost(fs, &r->lost_found) && r->lost_found)
		sayf(&k,
		     "lost+found: %" PRIu64 " journaled uploads that could not be made are kept "
		     "in %s/lost+found (inspect them; remove them when done)",
		     r->lost_found, fs->cache_dir);
	idset_free(&k.refs);
	return rc < 0 ? rc : 0;
}
