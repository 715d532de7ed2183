/* SPDX-License-Identifier: MIT */
/*
 * fs_open.c - opening and closing the filesystem: the cache directory's
 * layout, the index (moved aside and started afresh when damaged; stray
 * data files dropped when it is new), recovery of what a dead daemon left,
 * the background threads, and the counters.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "fs/fs_int.h"
#include "util/idset.h"

static int make_dirs(struct bfs_fs *fs)
{
	char path[PATH_MAX];
	int i;

	if (asprintf(&fs->data_dir, "%s/data", fs->cache_dir) < 0) {
		fs->data_dir = NULL;
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/index", fs->cache_dir);
	if ((mkdir(path, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(fs->data_dir, 0700) < 0 && errno != EEXIST))
		return -errno;
	snprintf(path, sizeof(path), "%s/journal", fs->cache_dir);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	for (i = 0; i < 256; i++) {
		snprintf(path, sizeof(path), "%s/%02x", fs->data_dir, i);
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -errno;
	}
	return 0;
}

/*
 * The index cannot be read (LMDB says corrupt, or a record does not
 * decode): move it and the data files aside, for inspection, and start an
 * empty cache.  Journaled uploads are recovered from their records
 * (fs_jrec.c, with fs->data_aside), their data files moved back;
 * everything in the bucket is fetched again as it is used.
 */
static int rebuild_index(struct bfs_fs *fs, const char *ipath)
{
	char aside[PATH_MAX], data_aside[PATH_MAX];
	time_t now = time(NULL);

	if ((size_t)snprintf(aside, sizeof(aside), "%s.damaged-%lld", ipath, (long long)now) >=
		sizeof(aside) ||
	    (size_t)snprintf(data_aside, sizeof(data_aside), "%s.damaged-%lld", fs->data_dir,
			     (long long)now) >= sizeof(data_aside))
		return -ENAMETOOLONG;
	if (rename(ipath, aside) < 0 || rename(fs->data_dir, data_aside) < 0)
		return -EIO;
	bfs_log(LOG_ERR,
		"the cache index in %s is damaged: moved it to %s and the data files "
		"to %s (journaled uploads are recovered from their records in %s/journal), and "
		"started an empty cache",
		fs->cache_dir, aside, data_aside, fs->cache_dir);
	fs->data_aside = strdup(data_aside);
	if (!fs->data_aside)
		return -ENOMEM;
	free(fs->data_dir);
	fs->data_dir = NULL;
	if (make_dirs(fs))
		return -EIO;
	return bfs_index_open(ipath, 0, &fs->ix);
}

/*
 * An index with no entries next to data files (the index was lost or
 * deleted): nothing refers to them but the journaled uploads recovered
 * from their records (kept), and the new index would hand out their ids
 * again.  Remove them now, before any file is created.
 */
static int forget_unindexed(struct bfs_fs *fs, const struct idset *kept)
{
	char dir[PATH_MAX];
	uint64_t n = 0;
	int i;

	for (i = 0; i < 256; i++) {
		struct dirent *de;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/%02x", fs->data_dir, i);
		d = opendir(dir);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			char *end;
			uint64_t id = strtoull(de->d_name, &end, 10);

			if (de->d_name[0] == '.' || (!*end && idset_has(kept, id)))
				continue;
			if (unlinkat(dirfd(d), de->d_name, 0) == 0)
				n++;
		}
		closedir(d);
	}
	if (n)
		bfs_log(LOG_WARNING,
			"cache: the index in %s is new or empty: removed %" PRIu64
			" data files that no index entry refers to",
			fs->cache_dir, n);
	return 0;
}

/*
 * What close() acknowledged in write-back mode and a lost or damaged index
 * no longer says (fs_jrec.c): with an intact index its journal records are
 * brought in line with it; with a new or empty one (lost), or one rebuilt
 * from a damaged one, the records become journaled uploads again, then the
 * data files nothing refers to are removed.
 */
static int recover_journal(struct bfs_fs *fs)
{
	struct idset kept = IDSET_INIT;
	uint64_t entries = 0, disk = 0;
	int rc = bfs_index_stat(fs->ix, &entries, &disk);

	if (rc)
		return rc;
	if (entries && !fs->data_aside)
		return fs_jrec_reconcile(fs);
	rc = fs_jrec_recover(fs, fs->data_aside ? fs->data_aside : fs->data_dir, &kept);
	if (!rc)
		rc = forget_unindexed(fs, &kept);
	idset_free(&kept);
	return rc;
}

/*
 * CACHE/clean is there while no mount uses the cache and the last one ended
 * cleanly: then no data file can be an orphan (one left between its
 * creation and its entry by a crash), and the cache's first walk need not
 * collect every entry's id to look for them, which takes memory in
 * proportion to the index (16 MiB and more for a million entries).  Taken
 * away (durably) before anything else is done.
 */
static int take_clean_mark(struct bfs_fs *fs)
{
	char path[PATH_MAX];
	int dfd, was;

	snprintf(path, sizeof(path), "%s/clean", fs->cache_dir);
	was = unlink(path) == 0;
	if (was) {
		dfd = open(fs->cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	return was;
}

static void leave_clean_mark(struct bfs_fs *fs)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/clean", fs->cache_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int bfs_fs_open(const struct bfs_fs_cfg *cfg, struct bfs_store *store, struct bfs_fs **out)
{
	char ipath[PATH_MAX];
	struct bfs_fs *fs;
	int rc;

	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->cfg = *cfg;
	fs->store = store;
	fs->root_mode = S_IFDIR | (fs->cfg.root_mode & 07777);
	fs->root_uid = fs->cfg.uid;
	fs->root_gid = fs->cfg.gid;
	fs->root_mtime_ns = fs_now_ns();
	fs_files_init(fs);
	pthread_mutex_init(&fs->marker_mu, NULL);
	fs_space_init(fs);
	fs_itrim_init(fs);
	fs_trust_init(fs);
	fs_streams_init(fs);
	fs_hidden_init(fs);
	fs_memo_init(fs);
	fs_touch_init(fs);
	fs_journal_init(fs);
	fs->prefix = strdup(cfg->prefix ? cfg->prefix : "");
	fs->immutable = cfg->immutable ? strdup(cfg->immutable) : NULL;
	fs->cfg.immutable = fs->immutable;
	fs->cache_dir = strdup(cfg->cache_dir);
	rc = -ENOMEM;
	if (!fs->prefix || !fs->cache_dir)
		goto out_free;
	fs->cfg.prefix = fs->prefix;
	fs->cfg.cache_dir = fs->cache_dir;
	rc = make_dirs(fs);
	if (rc)
		goto out_free;
	fs->sweep_orphans = !take_clean_mark(fs);
	snprintf(ipath, sizeof(ipath), "%s/index", fs->cache_dir);
	rc = bfs_index_open(ipath, 0, &fs->ix);
	if (rc == -EIO)
		rc = rebuild_index(fs, ipath);
	if (rc)
		goto out_free;
	rc = recover_journal(fs);
	if (!rc)
		rc = bfs_index_new_id(fs->ix, &fs->first_id);
	if (!rc)
		rc = fs_recover(fs);
	if (!rc)
		rc = fs_cache_start(fs);
	if (!rc)
		rc = fs_reach_start(fs);
	if (!rc)
		rc = fs_upload_start(fs);
	if (!rc)
		rc = fs_meta_start(fs, fs_lookup_attrs);
	if (rc)
		goto out_free;
	fs->opened = 1;
	*out = fs;
	return 0;
out_free:
	bfs_fs_close(fs);
	return rc;
}

void bfs_fs_close(struct bfs_fs *fs)
{
	if (!fs)
		return;
	fs_meta_stop(fs);
	fs_streams_stop(fs);
	fs_reach_stop(fs);
	fs_upload_stop(fs, fs->cfg.unmount_wait_s);
	fs_cache_stop(fs);
	if (fs->ix) {
		fs_touch_flush(fs);
		if (bfs_index_sync(fs->ix) == 0 && fs->opened)
			leave_clean_mark(fs);
		bfs_index_close(fs->ix);
	}
	fs_files_destroy(fs);
	pthread_mutex_destroy(&fs->marker_mu);
	fs_space_destroy(fs);
	fs_itrim_destroy(fs);
	fs_trust_destroy(fs);
	fs_streams_destroy(fs);
	fs_hidden_destroy(fs);
	fs_memo_destroy(fs);
	fs_touch_destroy(fs);
	fs_journal_destroy(fs);
	free(fs->prefix);
	free(fs->immutable);
	free(fs->cache_dir);
	free(fs->data_dir);
	free(fs->data_aside);
	free(fs);
}

const struct bfs_fs_cfg *bfs_fs_config(const struct bfs_fs *fs)
{
	return &fs->cfg;
}

void bfs_fs_get_stats(struct bfs_fs *fs, struct bfs_fs_stats *o)
{
	o->cache_hits = atomic_load(&fs->stats.hits);
	o->cache_misses = atomic_load(&fs->stats.misses);
	o->revalidations = atomic_load(&fs->stats.reval);
	o->not_modified = atomic_load(&fs->stats.not_modified);
	o->uploads = atomic_load(&fs->stats.uploads);
	o->upload_errors = atomic_load(&fs->stats.upload_errors);
	o->bytes_from_cache = atomic_load(&fs->stats.bytes_cached);
	o->cache_bytes = atomic_load(&fs->space.cache_bytes) > 0
			     ? (uint64_t)atomic_load(&fs->space.cache_bytes)
			     : 0;
	o->evicted = atomic_load(&fs->stats.evicted);
	o->evicted_bytes = atomic_load(&fs->stats.evicted_bytes);
	o->enospc = atomic_load(&fs->stats.enospc);
	o->damaged = atomic_load(&fs->stats.damaged);
}

void bfs_fs_cfg_defaults(struct bfs_fs_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->prefix = "";
	cfg->uid = getuid();
	cfg->gid = getgid();
	cfg->root_mode = 0755;
	cfg->stat_ttl_ms = 1000;
	cfg->neg_ttl_ms = 1000;
	cfg->list_ttl_ms = 0;
	cfg->marker_delay_ms = 1000;
	cfg->whole_max = 8ULL << 20;
	cfg->readahead = 8ULL << 20;
	cfg->fetch_parallel = 4;
	cfg->lookup_get = 2ULL << 20;
	cfg->index_size = 1ULL << 30;
	cfg->cache_min_free_pct = 5;
	cfg->writeback_ms = -1;
	cfg->unmount_wait_s = 30;
	cfg->upload_threads = 4;
}
