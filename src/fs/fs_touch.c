/* SPDX-License-Identifier: MIT */
/*
 * fs_touch.c - the last use of each cached file, for eviction's "least
 * recently used", written to the index in batches.
 *
 * Every open of a cached file used to write its entry back with the new
 * atime_ns: a write transaction and its fdatasync, about 0.2 ms of the
 * 0.25 ms an open of a cached file took.  Nothing else in the entry
 * changes, and only eviction reads atime_ns, so the time is kept here, in
 * an open-addressed table of FS_TOUCH_SLOTS paths (a later use of one path
 * replaces its time), and all of them are written in one transaction
 * (bfs_index_update_many) when eviction is about to read them, every
 * EVICT_PERIOD_S by the evictor, when 64 paths are kept (the evictor is
 * woken to write them: the open that fills the batch does not wait for a
 * write transaction and its fdatasync, which was the p99 of a cached
 * open), and at close.
 * (Not more: a write transaction holds every page it dirties in memory,
 * and LMDB keeps them for reuse.  Batches of 768 uses scattered in an index
 * of a million entries grew the daemon's RssAnon from 3.3 to 8.0 MiB in
 * tests/bench/index-scale.sh; batches of 64, to 3.9.)  A write only moves
 * a time forward, so an entry rewritten meanwhile keeps everything else it
 * got.
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "bucketfs/log.h"
#include "fs/fs_int.h"

/* Slots a path may take after its hash's own; past them it is written at once. */
#define TOUCH_PROBES 8
/* Paths kept before they are written (a sixteenth of the table: probes stay short). */
#define TOUCH_BATCH (FS_TOUCH_SLOTS / 16)

void fs_touch_init(struct bfs_fs *fs)
{
	pthread_mutex_init(&fs->touches.mu, NULL);
}

void fs_touch_destroy(struct bfs_fs *fs)
{
	size_t i;

	for (i = 0; i < FS_TOUCH_SLOTS; i++)
		free(fs->touches.slot[i].path);
	pthread_mutex_destroy(&fs->touches.mu);
}

/* The later of the entry's last use and the one kept here; a copy a
 * lookup fetched has now been opened (BFS_EF_FETCHED goes). */
static int later(void *arg, size_t i, struct bfs_entry *e)
{
	const struct fs_touch *t = arg;
	int opened = (e->flags & BFS_EF_FETCHED) != 0;

	e->flags &= ~(uint32_t)BFS_EF_FETCHED;
	if (e->atime_ns >= t[i].atime_ns)
		return opened;
	e->atime_ns = t[i].atime_ns;
	return 1;
}

static int later_one(void *arg, struct bfs_entry *e)
{
	return later(arg, 0, e);
}

void fs_touch(struct bfs_fs *fs, const char *path, int64_t now_ns)
{
	struct fs_touches *t = &fs->touches;
	uint64_t h = pathttl_hash(path);
	int kept = 0, full;
	size_t k;

	pthread_mutex_lock(&t->mu);
	for (k = 0; k < TOUCH_PROBES; k++) {
		struct fs_touch *s = &t->slot[(h + k) % FS_TOUCH_SLOTS];

		if (!s->path) {
			s->path = strdup(path);
			if (s->path) {
				s->hash = h;
				s->atime_ns = now_ns;
				t->n++;
				kept = 1;
			}
			break;
		}
		if (s->hash == h && !strcmp(s->path, path)) {
			if (s->atime_ns < now_ns)
				s->atime_ns = now_ns;
			kept = 1;
			break;
		}
	}
	full = t->n >= TOUCH_BATCH;
	pthread_mutex_unlock(&t->mu);
	if (!kept) {
		struct fs_touch one = { NULL, h, now_ns };

		(void)bfs_index_update(fs->ix, path, later_one, &one);
	}
	if (full)
		fs_evict_wake(fs); /* (its thread writes them: not this open's) */
}

void fs_touch_flush(struct bfs_fs *fs)
{
	struct fs_touches *t = &fs->touches;
	struct fs_touch *batch;
	const char **paths;
	size_t i, n = 0;
	int rc;

	pthread_mutex_lock(&t->mu);
	if (!t->n) {
		pthread_mutex_unlock(&t->mu);
		return;
	}
	batch = malloc(t->n * sizeof(*batch));
	paths = malloc(t->n * sizeof(*paths));
	if (!batch || !paths) {
		pthread_mutex_unlock(&t->mu);
		free(batch);
		free(paths);
		return; /* kept for the next flush */
	}
	for (i = 0; i < FS_TOUCH_SLOTS; i++) {
		struct fs_touch *s = &t->slot[i];

		if (!s->path)
			continue;
		batch[n] = *s;
		paths[n++] = s->path;
		s->path = NULL;
	}
	t->n = 0;
	pthread_mutex_unlock(&t->mu);
	rc = bfs_index_update_many(fs->ix, paths, n, later, batch);
	if (rc)
		bfs_log(LOG_WARNING,
			"the last uses of %zu cached files were not written (%d): "
			"eviction will take them for older",
			n, rc);
	for (i = 0; i < n; i++)
		free(batch[i].path);
	free(batch);
	free(paths);
}
