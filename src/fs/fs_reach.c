/* SPDX-License-Identifier: MIT */
/*
 * fs_reach.c - riding out an outage of the bucket.  The store tells
 * whether the endpoint answers (bfs_store_get_health) and, once it has
 * failed BFS_STORE_DOWN_AFTER times in a row over 2 s, answers reads at
 * once (fail-fast) rather than after their retries.  A thread here looks at it
 * every second: it logs when an outage begins and when it ends, and during
 * one it probes the bucket (one LIST of at most one key), so that the end
 * is found without a reader waiting for it.  Meanwhile fs_offline() has the
 * rest of the fs layer serve what the index and the cache hold: cached
 * files, the attributes of known names, the listings of known directories.
 */
#include <errno.h>
#include <inttypes.h>
#include <syslog.h>
#include <time.h>

#include "bucketfs/log.h"
#include "fs/fs_int.h"

#define REACH_PERIOD_MS 1000

static void log_change(const struct bfs_store_health *h, int *was_up)
{
	if (*was_up && !h->up)
		bfs_log(LOG_WARNING,
			"the bucket is unreachable (%s): serving what the cache holds; "
			"uncached files and names fail at once (EIO) until it answers "
			"again (probed every %d s)",
			bfs_strerror(h->last_err), REACH_PERIOD_MS / 1000);
	else if (!*was_up && h->up)
		bfs_log(LOG_NOTICE,
			"the bucket answers again, after %.1f s unreachable (%" PRIu64
			" reads answered at once meanwhile)",
			(double)h->last_outage_ns / 1e9, h->outage_failed_fast);
	*was_up = h->up;
}

static void *reach_thread(void *arg)
{
	struct bfs_fs *fs = arg;
	struct bfs_store_health h;
	struct timespec until;
	int was_up = 1, stop;
	char prefix[FS_KEY_MAX + 1];

	if (fs_dir_key(fs, "/", prefix, sizeof(prefix)))
		prefix[0] = '\0';
	for (;;) {
		bfs_store_get_health(fs->store, &h);
		log_change(&h, &was_up);
		if (!h.up) {
			(void)bfs_store_probe(fs->store, prefix);
			bfs_store_get_health(fs->store, &h);
			log_change(&h, &was_up);
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(REACH_PERIOD_MS % 1000) * 1000000;
		until.tv_sec += REACH_PERIOD_MS / 1000 + until.tv_nsec / 1000000000;
		until.tv_nsec %= 1000000000;
		pthread_mutex_lock(&fs->reach.mu);
		while (!fs->reach.stop &&
		       pthread_cond_timedwait(&fs->reach.cond, &fs->reach.mu, &until) == 0)
			;
		stop = fs->reach.stop;
		pthread_mutex_unlock(&fs->reach.mu);
		if (stop)
			break;
	}
	return NULL;
}

int fs_reach_start(struct bfs_fs *fs)
{
	int rc;

	pthread_mutex_init(&fs->reach.mu, NULL);
	pthread_cond_init(&fs->reach.cond, NULL);
	fs->reach.inited = 1;
	bfs_store_set_fail_fast(fs->store, 1);
	rc = pthread_create(&fs->reach.thread, NULL, reach_thread, fs);
	if (rc)
		return -rc;
	fs->reach.started = 1;
	return 0;
}

void fs_reach_stop(struct bfs_fs *fs)
{
	if (fs->reach.started) {
		pthread_mutex_lock(&fs->reach.mu);
		fs->reach.stop = 1;
		pthread_cond_signal(&fs->reach.cond);
		pthread_mutex_unlock(&fs->reach.mu);
		pthread_join(fs->reach.thread, NULL);
		fs->reach.started = 0;
	}
	if (fs->reach.inited) {
		/* (what is left to upload makes its attempts: unmount_wait) */
		bfs_store_set_fail_fast(fs->store, 0);
		pthread_cond_destroy(&fs->reach.cond);
		pthread_mutex_destroy(&fs->reach.mu);
		fs->reach.inited = 0;
	}
}

int fs_offline(struct bfs_fs *fs)
{
	struct bfs_store_health h;

	if (atomic_load(&fs->offline_until_ns) > fs_now_ns())
		return 1;
	bfs_store_get_health(fs->store, &h);
	return !h.up;
}

int fs_went_offline(struct bfs_fs *fs, int err)
{
	if (err != BFS_E_CONNECT && err != BFS_E_TIMEOUT && err != BFS_E_TRANSIENT &&
	    err != BFS_E_THROTTLED && err != BFS_E_UNREACHABLE)
		return 0;
	/* (for a moment after any such failure; an outage lasts as long as
	 * the store's health says: logged by reach_thread) */
	atomic_store(&fs->offline_until_ns, fs_now_ns() + 5000000000LL);
	return 1;
}
