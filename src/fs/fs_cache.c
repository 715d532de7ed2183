/* SPDX-License-Identifier: MIT */
/*
 * fs_cache.c - the cache's disk space: how many bytes the data files hold,
 * the size cap (cache_size=) and free-space floor (cache_min_free=), and
 * least-recently-used eviction of clean cached copies.
 *
 * DESIGN.  fs->space.cache_bytes counts the bytes of every data file.  It is kept
 * by the code that grows files (fetches, writes, truncates: fs_space_grew)
 * and by fs_data_unlink (which stats what it removes); a walk of the data
 * directory at mount, in the background, adds what earlier mounts left, and
 * walks again every hour correct any drift (each walk adds the difference
 * between what it found and what the counter held when it started).
 *
 * Eviction frees clean copies only: never a staged (dirty) file, never the
 * data of an open file, never a file without its object in the bucket.
 * Least recently used first, by the entries' atime_ns (set at every open,
 * written in batches by fs_touch.c, flushed before each round):
 * one pass over the index sums the bytes per age class (8 classes per
 * doubling of the age, so two entries in one class differ in age by at most
 * 9%); a second pass evicts from the oldest class down until enough is
 * free.  Memory stays constant however large the index; the cost is two
 * reads of it per eviction round, and a round frees down to 90% of the cap
 * so rounds are rare.  An entry is dropped with a conditional index update
 * (still CLEAN, still the same data file) before its file is unlinked, so an
 * entry that changed meanwhile (a write began, a new version was fetched)
 * keeps its data.
 *
 * Who waits: the evictor thread runs every 5 s and when woken (and trims
 * the heap every 30 s, see TRIM_PERIOD_S; and keeps the index within
 * index_size, fs_itrim.c).  A writer
 * that would go past a limit evicts in its own thread first and gets
 * ENOSPC when even that cannot make room (nothing already written is
 * dropped).  A fetch is never refused for space: it wakes the evictor, so
 * the cap is exceeded by at most the objects being fetched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "fs/fs_int.h"
#include "util/idset.h"

#define EVICT_PERIOD_S 5
#define WALK_PERIOD_S 3600
/* The evictor also trims the heap this often.  glibc returns freed memory
 * to the system only from the top of each arena; pages freed in the middle
 * (requests, listings, buffers of threads that came and went) stay resident
 * until malloc_trim.  Measured over a 600 s soak, memory net of the
 * kernel's names grew 195 KiB/min without it, 18 with it. */
#define TRIM_PERIOD_S 30

/* Bytes free on the cache's filesystem, and its size; remembered with the
 * count of that moment for fs_space_grew's estimate. */
static int disk_space(struct bfs_fs *fs, uint64_t *avail, uint64_t *total)
{
	struct statvfs sv;

	if (statvfs(fs->cache_dir, &sv) < 0)
		return -errno;
	*avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	*total = (uint64_t)sv.f_blocks * sv.f_frsize;
	atomic_store(&fs->space.space_used, atomic_load(&fs->space.cache_bytes));
	atomic_store(&fs->space.space_avail, (int64_t)*avail);
	atomic_store(&fs->space.space_floor, (int64_t)fs_cache_floor(fs, *total));
	return 0;
}

uint64_t fs_cache_floor(const struct bfs_fs *fs, uint64_t total)
{
	if (fs->cfg.cache_min_free_pct >= 0)
		return total / 100 * (uint64_t)fs->cfg.cache_min_free_pct;
	return fs->cfg.cache_min_free;
}

/* Bytes to free so that extra more bytes fit under both limits (to the low
 * mark when low: 90% of the cap). */
static uint64_t bytes_needed(struct bfs_fs *fs, uint64_t extra, int low)
{
	int64_t used = atomic_load(&fs->space.cache_bytes);
	uint64_t need = 0, avail = 0, total = 0, floor, cap = fs->cfg.cache_size;

	if (used < 0)
		used = 0;
	if (cap) {
		uint64_t target = low ? cap - cap / 10 : cap;

		if ((uint64_t)used + extra > target)
			need = (uint64_t)used + extra - target;
	}
	if (disk_space(fs, &avail, &total) == 0) {
		floor = fs_cache_floor(fs, total);
		if (low)
			floor += total / 200; /* a little past the floor: fewer rounds */
		if (avail < floor + extra && floor + extra - avail > need)
			need = floor + extra - avail;
	}
	return need;
}

struct evict_scan {
	struct bfs_fs *fs;
	int64_t now;
	uint64_t bytes[FS_AGE_CLASSES];
	int cutoff; /* evict classes >= cutoff */
	uint64_t need, freed;
	uint64_t files;
};

static int evictable(const struct bfs_entry *e)
{
	return e->type == BFS_ENT_FILE && e->state == BFS_ST_CLEAN && e->data_id && e->etag[0] &&
	       !e->staged_id;
}

static int sum_item(void *arg, const char *path, const struct bfs_entry *e)
{
	struct evict_scan *s = arg;

	(void)path;
	if (evictable(e))
		s->bytes[fs_age_class(s->now, e->atime_ns)] +=
		    e->cached_bytes ? e->cached_bytes : 1;
	return 0;
}

struct drop_args {
	uint64_t data_id;
};

/* Copy id was dropped from its entry: noted before its file goes. */
static void evicted_note(struct bfs_fs *fs, uint64_t id)
{
	uint32_t i = atomic_fetch_add(&fs->space.evicted_next, 1);

	atomic_store(&fs->space.evicted[i % FS_EVICTED_RING], id);
}

int fs_cache_evicted_lately(struct bfs_fs *fs, uint64_t id)
{
	size_t i;

	for (i = 0; id && i < FS_EVICTED_RING; i++)
		if (atomic_load(&fs->space.evicted[i]) == id)
			return 1;
	return 0;
}

/* In the index transaction: still clean with the same data file? drop it. */
static int drop_data(void *arg, struct bfs_entry *e)
{
	const struct drop_args *d = arg;

	if (!evictable(e) || e->data_id != d->data_id)
		return 0;
	e->data_id = 0;
	e->cached_bytes = e->crc_bytes = 0;
	e->flags &= ~(uint32_t)BFS_EF_CACHED;
	return 1;
}

static int evict_item(void *arg, const char *path, const struct bfs_entry *e)
{
	struct evict_scan *s = arg;
	struct drop_args d = { e->data_id };
	struct bfs_ofile *of;

	if (s->freed >= s->need)
		return 1;
	if (!evictable(e) || fs_age_class(s->now, e->atime_ns) < s->cutoff)
		return 0;
	of = fs_ofile_find(s->fs, path);
	if (of) {
		fs_ofile_put(s->fs, of); /* open: its data is in use */
		return 0;
	}
	if (fs_stream_busy(s->fs, e->data_id))
		return 0; /* (its lookup's GET is still filling it) */
	if (bfs_index_update(s->fs->ix, path, drop_data, &d) != 1)
		return 0;
	/* (an open may have read the entry meanwhile: it finds no copy, and
	 * fetches the object again; see fs_ensure_data) */
	evicted_note(s->fs, d.data_id);
	s->freed += fs_data_unlink(s->fs, d.data_id);
	s->files++;
	return 0;
}

/* Free need bytes of clean copies, oldest first (caller holds evict_run). */
static uint64_t evict_locked(struct bfs_fs *fs, uint64_t need)
{
	struct evict_scan *s;
	uint64_t sum = 0, freed;
	int c;

	if (!need)
		return 0;
	s = calloc(1, sizeof(*s));
	/* (need UINT64_MAX: everything evictable, whatever its age) */
	if (!s)
		return 0;
	fs_touch_flush(fs); /* the last uses, for the ages below */
	s->fs = fs;
	s->need = need;
	s->now = fs_now_ns();
	if (bfs_index_scan_state(fs->ix, BFS_ST_CLEAN, sum_item, s) < 0)
		goto out;
	/* the oldest classes that together hold enough */
	for (c = FS_AGE_CLASSES - 1; c > 0 && sum < need; c--)
		sum += s->bytes[c];
	s->cutoff = sum >= need ? c + 1 : 0;
	(void)bfs_index_scan_state(fs->ix, BFS_ST_CLEAN, evict_item, s);
	if (s->freed < need && s->cutoff > 0) {
		/* the classes above were short (opened since, or open): go younger */
		s->cutoff = 0;
		(void)bfs_index_scan_state(fs->ix, BFS_ST_CLEAN, evict_item, s);
	}
out:
	freed = s->freed;
	if (s->files) {
		atomic_fetch_add(&fs->stats.evicted, s->files);
		atomic_fetch_add(&fs->stats.evicted_bytes, freed);
	}
	free(s);
	return freed;
}

uint64_t fs_cache_evict(struct bfs_fs *fs, uint64_t need)
{
	uint64_t freed;

	pthread_mutex_lock(&fs->space.evict_run);
	freed = evict_locked(fs, need);
	pthread_mutex_unlock(&fs->space.evict_run);
	return freed;
}

/*
 * Make room for extra more bytes, if the limits need it: down to 90% of the
 * cap (so that writes do not evict one block at a time).  What is needed is
 * reckoned once this thread has the eviction lock: writers queued behind
 * one another would otherwise each free the same room again.  Returns what
 * was freed; *over says whether the limits are still passed afterwards,
 * *stuck that room was needed and nothing could be evicted.
 */
static uint64_t evict_for(struct bfs_fs *fs, uint64_t extra, int *over, int *stuck)
{
	uint64_t freed = 0;

	*stuck = 0;
	pthread_mutex_lock(&fs->space.evict_run);
	if (bytes_needed(fs, extra, 0)) {
		freed = evict_locked(fs, bytes_needed(fs, extra, 1));
		*stuck = freed == 0;
	}
	pthread_mutex_unlock(&fs->space.evict_run);
	*over = bytes_needed(fs, extra, 0) != 0;
	return freed;
}

int fs_cache_reserve(struct bfs_fs *fs, uint64_t bytes)
{
	int round, over, stuck;

	if (!bytes || !bytes_needed(fs, bytes, 0))
		return 0;
	/*
	 * Other writers and fetches may take the room made (or found) before
	 * this one re-checks.  Room made for this write is enough: the limits
	 * are then passed by at most what is being written and fetched at
	 * once, as for fetches.  ENOSPC only when nothing more may go.
	 */
	for (round = 0; round < 8; round++) {
		uint64_t freed = evict_for(fs, bytes, &over, &stuck);

		if (!over || freed >= bytes)
			return 0;
		if (stuck) {
			round++;
			break;
		}
	}
	atomic_fetch_add(&fs->stats.enospc, 1);
	bfs_log(LOG_WARNING,
		"no room for %" PRIu64 " more bytes in the cache (%" PRId64 " used, "
		"%" PRIu64 " over its limits after %d eviction rounds): ENOSPC to the writer",
		bytes, atomic_load(&fs->space.cache_bytes), bytes_needed(fs, bytes, 0), round);
	return -ENOSPC;
}

static int ref_item(void *arg, const char *path, const struct bfs_entry *e)
{
	struct idset *refs = arg;

	(void)path;
	return idset_add(refs, e->data_id) || idset_add(refs, e->staged_id) ? -ENOMEM : 0;
}

/* Every data file id an entry refers to; 0 or -errno (then use none). */
static int collect_refs(struct bfs_fs *fs, struct idset *refs)
{
	static const enum bfs_entry_state states[] = { BFS_ST_CLEAN, BFS_ST_DIRTY,
						       BFS_ST_UPLOADING };
	size_t i;
	int rc;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		rc = bfs_index_scan_state(fs->ix, states[i], ref_item, refs);
		if (rc)
			return rc < 0 ? rc : -EIO;
	}
	return 0;
}

/*
 * Sum the sizes of every data file (the walk of DESIGN).  With orphans,
 * first remove the files of earlier mounts that no entry refers to: left by
 * a crash between creating a file and recording it, or by a lost index.
 * Files of this mount (ids from fs->first_id on) are never touched.
 */
static int64_t walk_data(struct bfs_fs *fs, int orphans)
{
	struct idset refs = IDSET_INIT;
	uint64_t removed = 0, removed_bytes = 0;
	char dir[PATH_MAX];
	int64_t sum = 0;
	int i;

	if (orphans && collect_refs(fs, &refs))
		orphans = 0;
	for (i = 0; i < 256 && !atomic_load(&fs->space.evict_stop); i++) {
		struct dirent *de;
		struct stat sb;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/%02x", fs->data_dir, i);
		d = opendir(dir);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			char *end;
			uint64_t id;

			if (de->d_name[0] == '.' ||
			    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISREG(sb.st_mode))
				continue;
			id = strtoull(de->d_name, &end, 10);
			if (orphans && !*end && id && id < fs->first_id && !idset_has(&refs, id) &&
			    unlinkat(dirfd(d), de->d_name, 0) == 0) {
				removed++;
				removed_bytes += (uint64_t)sb.st_size;
				continue;
			}
			sum += sb.st_size;
		}
		closedir(d);
	}
	idset_free(&refs);
	if (removed)
		bfs_log(LOG_WARNING,
			"cache: removed %" PRIu64 " data files (%" PRIu64 " bytes) "
			"that no index entry refers to (left by a crash or a lost index)",
			removed, removed_bytes);
	return sum;
}

static void *evictor(void *arg)
{
	struct bfs_fs *fs = arg;
	time_t next_walk = 0, next_trim = time(NULL) + TRIM_PERIOD_S;
	int first = 1;

	for (;;) {
		struct timespec until;
		uint64_t need;

		if (time(NULL) >= next_walk) {
			int64_t before = atomic_load(&fs->space.cache_bytes);
			int64_t found = walk_data(fs, first && fs->sweep_orphans);

			atomic_fetch_add(&fs->space.cache_bytes, found - before);
			next_walk = time(NULL) + WALK_PERIOD_S;
			atomic_store(&fs->space.cache_walked, 1);
			first = 0;
		}
		fs_touch_flush(fs);
		if (time(NULL) >= next_trim) {
			(void)malloc_trim(0);
			next_trim = time(NULL) + TRIM_PERIOD_S;
		}
		if (bytes_needed(fs, 0, 0)) {
			int over, stuck;

			(void)evict_for(fs, 0, &over, &stuck);
			need = bytes_needed(fs, 0, 0);
			if (over && need)
				bfs_log(LOG_WARNING,
					"cache over its limits by %" PRIu64 " bytes and "
					"nothing more can be evicted (open or unuploaded files)",
					need);
		}
		fs_itrim_round(fs);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += EVICT_PERIOD_S;
		pthread_mutex_lock(&fs->space.evict_mu);
		while (!atomic_load(&fs->space.evict_stop) && !fs->space.evict_wake &&
		       pthread_cond_timedwait(&fs->space.evict_cond, &fs->space.evict_mu, &until) ==
			   0)
			;
		fs->space.evict_wake = 0;
		pthread_mutex_unlock(&fs->space.evict_mu);
		if (atomic_load(&fs->space.evict_stop))
			break;
	}
	return NULL;
}

int fs_cache_start(struct bfs_fs *fs)
{
	uint64_t avail, total;
	int rc;

	(void)disk_space(fs, &avail, &total); /* the first look, for fs_space_grew */
	rc = pthread_create(&fs->space.evict_thread, NULL, evictor, fs);
	if (rc)
		return -rc;
	fs->space.evict_started = 1;
	return 0;
}

void fs_cache_stop(struct bfs_fs *fs)
{
	if (!fs->space.evict_started)
		return;
	pthread_mutex_lock(&fs->space.evict_mu);
	atomic_store(&fs->space.evict_stop, 1);
	pthread_cond_signal(&fs->space.evict_cond);
	pthread_mutex_unlock(&fs->space.evict_mu);
	pthread_join(fs->space.evict_thread, NULL);
	fs->space.evict_started = 0;
}

int bfs_fs_evict(struct bfs_fs *fs, const char *path, uint64_t *files, uint64_t *bytes)
{
	struct bfs_ofile *of;
	struct bfs_entry e;
	struct drop_args d;
	int rc;

	*files = *bytes = 0;
	if (!path) {
		uint64_t before = atomic_load(&fs->stats.evicted);

		*bytes = fs_cache_evict(fs, UINT64_MAX);
		*files = atomic_load(&fs->stats.evicted) - before;
		return 0;
	}
	rc = bfs_index_get(fs->ix, path, &e);
	if (rc)
		return rc;
	if (e.state == BFS_ST_DIRTY || e.state == BFS_ST_UPLOADING)
		return -EINPROGRESS;
	if (!evictable(&e))
		return -ENODATA;
	of = fs_ofile_find(fs, path);
	if (of || fs_stream_busy(fs, e.data_id)) {
		if (of)
			fs_ofile_put(fs, of);
		return -EBUSY;
	}
	d.data_id = e.data_id;
	rc = bfs_index_update(fs->ix, path, drop_data, &d);
	if (rc != 1)
		return rc < 0 ? rc : -EBUSY;
	evicted_note(fs, d.data_id);
	*bytes = fs_data_unlink(fs, d.data_id);
	*files = 1;
	atomic_fetch_add(&fs->stats.evicted, 1);
	atomic_fetch_add(&fs->stats.evicted_bytes, *bytes);
	return 0;
}

void fs_space_init(struct bfs_fs *fs)
{
	pthread_mutex_init(&fs->space.evict_mu, NULL);
	pthread_cond_init(&fs->space.evict_cond, NULL);
	pthread_mutex_init(&fs->space.evict_run, NULL);
}

void fs_space_destroy(struct bfs_fs *fs)
{
	pthread_mutex_destroy(&fs->space.evict_mu);
	pthread_cond_destroy(&fs->space.evict_cond);
	pthread_mutex_destroy(&fs->space.evict_run);
}
