/* SPDX-License-Identifier: MIT */
/*
 * fs_upload.c - the upload journal and the background uploader.
 *
 * The journal is the index itself: an entry in state UPLOADING is a file
 * whose data close() acknowledged and the bucket does not have yet, with
 * its staging file (staged_id) and the time its upload may start
 * (upload_after_ns).  Journaling a file (fs_journal, close() in write-back
 * mode) makes it durable in this order, so that a power loss at any point
 * leaves either the old state or a complete journal record:
 *   1. fdatasync(staging file)     its bytes are on disk (their CRC-32C
 *                                   computed just before, from the page
 *                                   cache);
 *   2. journal record (fs_jrec.c)  CACHE/journal/ID.rec, written, synced
 *                                   and its directory synced: the upload
 *                                   described without the index, which may
 *                                   be lost or damaged later;
 *   3. fsync(its data directory)   its name is on disk (a new file);
 *   4. index commit + sync          the record that points at it (LMDB's
 *                                   commit syncs its pages; the extra sync
 *                                   makes the meta page durable too).
 * The journal record is removed when the upload is in the bucket, just
 * before the index says CLEAN (fs_upload_done), or with the staging file.
 * At mount, fs_recover keeps UPLOADING entries whose staging file is whole
 * and drops DIRTY ones (never acknowledged); the uploader then sends what
 * is pending in the background: the mount never waits for the backlog, and
 * pending files are read from their staging files meanwhile.
 *
 * DESIGN (threads): upload_threads workers.  One of them at a time scans the
 * journal (the index's state table: cost proportional to what is pending)
 * for entries that are due and queues up to QUEUE_MAX paths; every worker
 * takes paths from the queue and uploads them through the open-file layer
 * (fs_ofile_pending + fs_ofile_upload), which serialises with writers,
 * renames and unlinks of the same file.  wb->mu guards the queue, the set of
 * paths in flight, next_due and the flags; it is never held across a
 * request or an index call.  A failed upload stays journaled with its error
 * and attempt count, and is tried again after a backoff (1 s doubling to
 * 5 min).  At unmount the workers drain what is pending, delays ignored,
 * for at most unmount_wait seconds, logging progress; what is left stays
 * journaled for the next mount.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "fs/fs_int.h"

#define QUEUE_MAX 256
#define IDLE_WAIT_NS (5LL * 1000000000)

struct fs_wb {
	pthread_mutex_t mu;
	pthread_cond_t cond;        /* work queued, a wake-up, or stop */
	pthread_cond_t idle;        /* a worker finished something (drain waits) */
	char *queue[QUEUE_MAX];     /* due paths, FIFO */
	size_t qhead, qlen;
	char **inflight;            /* paths being uploaded (nslots slots) */
	int scanning;               /* a worker is scanning the journal */
	int rescan;                 /* something was journaled since the scan */
	int draining;               /* unmount or flush (a count): everything is due */
	int stop;
	int64_t next_due;           /* earliest upload_after_ns seen by the scan */
	int nslots;                 /* set before any worker starts */
	int nworkers;               /* the workers started (the starting thread's) */
	pthread_t *workers;
};

int64_t fs_upload_backoff_ns(uint32_t attempts)
{
	int64_t s = attempts > 9 ? 300 : (int64_t)1 << (attempts ? attempts - 1 : 0);

	return (s > 300 ? 300 : s) * 1000000000LL;
}

static int busy_with(const struct fs_wb *wb, const char *path)
{
	size_t i;

	for (i = 0; i < wb->qlen; i++)
		if (!strcmp(wb->queue[(wb->qhead + i) % QUEUE_MAX], path))
			return 1;
	for (i = 0; i < (size_t)wb->nslots; i++)
		if (wb->inflight[i] && !strcmp(wb->inflight[i], path))
			return 1;
	return 0;
}

struct scan_args {
	struct bfs_fs *fs;
	int64_t now;
	int draining;
	char *due[QUEUE_MAX];
	size_t n;
	int64_t next_due;
	int more;                   /* more due entries than fit */
};

static int scan_item(void *arg, const char *path, const struct bfs_entry *e)
{
	struct scan_args *a = arg;
	int64_t at = e->upload_after_ns;

	if (a->draining && !e->upload_attempts)
		at = 0;
	if (at > a->now) {
		if (!a->next_due || at < a->next_due)
			a->next_due = at;
		return 0;
	}
	if (a->n == QUEUE_MAX) {
		a->more = 1;
		return 1;
	}
	a->due[a->n] = strdup(path);
	if (a->due[a->n])
		a->n++;
	return 0;
}

/* Scan the journal and queue what is due (called with wb->mu held; drops it
 * during the scan). */
static void scan_journal(struct bfs_fs *fs, struct fs_wb *wb)
{
	struct scan_args *a = calloc(1, sizeof(*a));
	size_t i;

	if (!a)
		return;
	wb->scanning = 1;
	wb->rescan = 0;
	a->fs = fs;
	a->now = fs_now_ns();
	a->draining = wb->draining;
	pthread_mutex_unlock(&wb->mu);
	(void)bfs_index_scan_state(fs->ix, BFS_ST_UPLOADING, scan_item, a);
	pthread_mutex_lock(&wb->mu);
	wb->scanning = 0;
	wb->next_due = a->next_due;
	if (a->more)
		wb->rescan = 1;
	for (i = 0; i < a->n; i++) {
		if (wb->qlen < QUEUE_MAX && !busy_with(wb, a->due[i])) {
			wb->queue[(wb->qhead + wb->qlen++) % QUEUE_MAX] = a->due[i];
			a->due[i] = NULL;
		}
		free(a->due[i]);
	}
	pthread_cond_broadcast(&wb->cond);
	free(a);
}

static void upload_one(struct bfs_fs *fs, const char *path)
{
	struct bfs_ofile *of;
	struct bfs_entry e;
	int rc;

	if (!bfs_index_get(fs->ix, path, &e) && e.type == BFS_ENT_DIR) {
		int draining;

		pthread_mutex_lock(&fs->wb->mu);
		draining = fs->wb->draining > 0;
		pthread_mutex_unlock(&fs->wb->mu);
		/* a flush or unmount pays at once rather than wait for what is below */
		(void)fs_marker_pay(fs, path, draining);  /* logs its failure */
		return;
	}
	rc = fs_ofile_pending(fs, path, &of);

	if (rc)
		return;  /* uploaded, renamed, removed or being rewritten meanwhile */
	rc = fs_ofile_upload_if(fs, of, 1);
	if (rc)
		bfs_log(LOG_WARNING, "upload of %s failed (%s); it stays journaled and is tried "
		       "again after %" PRId64 " s", path, strerror(-rc),
		       fs_upload_backoff_ns(of->ent.upload_attempts) / 1000000000);
	fs_ofile_put(fs, of);
}

struct worker_arg {
	struct bfs_fs *fs;
	int slot;
};

static void *worker(void *arg)
{
	struct worker_arg *wa = arg;
	struct bfs_fs *fs = wa->fs;
	struct fs_wb *wb = fs->wb;
	int slot = wa->slot;

	free(wa);
	pthread_mutex_lock(&wb->mu);
	while (!wb->stop) {
		if (wb->qlen) {
			char *path = wb->queue[wb->qhead];

			wb->qhead = (wb->qhead + 1) % QUEUE_MAX;
			wb->qlen--;
			wb->inflight[slot] = path;
			pthread_mutex_unlock(&wb->mu);
			upload_one(fs, path);
			pthread_mutex_lock(&wb->mu);
			wb->inflight[slot] = NULL;
			free(path);
			pthread_cond_broadcast(&wb->idle);
			continue;
		}
		if (!wb->scanning &&
		    (wb->rescan || wb->draining || (wb->next_due && fs_now_ns() >= wb->next_due))) {
			scan_journal(fs, wb);
			if (!wb->qlen && wb->draining) {
				/* nothing due now: wait for backoffs or for the end */
				struct timespec t;

				pthread_cond_broadcast(&wb->idle);
				clock_gettime(CLOCK_REALTIME, &t);
				t.tv_nsec += 200000000;
				if (t.tv_nsec >= 1000000000) {
					t.tv_sec++;
					t.tv_nsec -= 1000000000;
				}
				pthread_cond_timedwait(&wb->cond, &wb->mu, &t);
			}
			continue;
		}
		{
			int64_t now = fs_now_ns(), until = now + IDLE_WAIT_NS;
			struct timespec t;

			if (wb->next_due && wb->next_due < until)
				until = wb->next_due;
			t.tv_sec = until / 1000000000;
			t.tv_nsec = until % 1000000000;
			pthread_cond_timedwait(&wb->cond, &wb->mu, &t);
			if (fs_now_ns() >= until)
				wb->rescan = 1;  /* a delay ran out, or the periodic look */
		}
	}
	pthread_mutex_unlock(&wb->mu);
	return NULL;
}

void fs_upload_wake(struct bfs_fs *fs)
{
	struct fs_wb *wb = fs->wb;

	if (!wb)
		return;
	pthread_mutex_lock(&wb->mu);
	wb->rescan = 1;
	pthread_cond_broadcast(&wb->cond);
	pthread_mutex_unlock(&wb->mu);
}

/* fsync the directory holding data file id (its name is durable then). */
static int sync_data_dir(const struct bfs_fs *fs, uint64_t id)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%02x", fs->data_dir, (unsigned)(id & 0xff));
	return fs_sync_dir(path);
}

int fs_journal(struct bfs_fs *fs, struct bfs_ofile *of)
{
	int rc = 0;

	pthread_rwlock_wrlock(&of->io);
	pthread_mutex_lock(&of->lock);
	if (!of->dirty || of->gone || of->ent.state == BFS_ST_UPLOADING)
		goto out;  /* nothing new since the last journal or upload */
	rc = fs_digest_staged(of->fd, of->size, &of->ent);
	if (rc)
		goto out;
	if (fdatasync(of->fd) < 0) {
		rc = -errno;
		goto out;
	}
	of->ent.state = BFS_ST_UPLOADING;
	of->ent.staged_id = of->fd_id;
	of->ent.size = of->size;
	of->ent.upload_after_ns = fs_now_ns() + (int64_t)fs->cfg.writeback_ms * 1000000;
	rc = fs_jrec_put(fs, of->path, &of->ent);
	if (!rc)
		rc = sync_data_dir(fs, of->fd_id);
	if (!rc)
		rc = bfs_index_put(fs->ix, of->path, &of->ent);
	if (!rc)
		rc = bfs_index_sync(fs->ix);
	if (rc) {
		of->ent.state = BFS_ST_DIRTY;
		fs_jrec_drop(fs, of->fd_id);
	}
out:
	if (rc)
		of->tried_gen = of->gen;
	pthread_mutex_unlock(&of->lock);
	pthread_rwlock_unlock(&of->io);
	if (!rc)
		fs_upload_wake(fs);
	return rc;
}

void fs_upload_done(struct bfs_fs *fs, struct bfs_ofile *of, const struct bfs_entry *sent)
{
	of->ent.crc_bytes = sent->crc_bytes;
	of->ent.crc32c = sent->crc32c;
	/* before the index says CLEAN: a crash between the two sends the same
	 * bytes again (the index still says UPLOADING), never older ones */
	fs_jrec_drop(fs, of->fd_id);
}

static int count_item(void *arg, const char *path, const struct bfs_entry *e)
{
	struct bfs_fs_pending *p = arg;

	(void)path;
	p->files++;
	p->bytes += e->size;
	if (e->upload_attempts)
		p->failing++;
	if (!p->oldest_ns || (e->mtime_ns && e->mtime_ns < p->oldest_ns))
		p->oldest_ns = e->mtime_ns;
	return 0;
}

int bfs_fs_pending(struct bfs_fs *fs, struct bfs_fs_pending *p)
{
	int rc;

	memset(p, 0, sizeof(*p));
	rc = bfs_index_scan_state(fs->ix, BFS_ST_UPLOADING, count_item, p);
	return rc < 0 ? rc : 0;
}

struct list_args {
	int (*fn)(void *arg, const char *path, uint64_t size, int64_t mtime_ns, uint32_t attempts,
		  int error);
	void *arg;
};

static int list_item(void *arg, const char *path, const struct bfs_entry *e)
{
	struct list_args *a = arg;
	char dir[BFS_INDEX_PATH_MAX + 2];

	/* a directory's owed marker (fs_marker.c) shows as "path/" */
	if (e->type == BFS_ENT_DIR) {
		snprintf(dir, sizeof(dir), "%s/", path);
		path = dir;
	}
	return a->fn(a->arg, path, e->size, e->mtime_ns, e->upload_attempts, e->upload_error);
}

int bfs_fs_pending_list(struct bfs_fs *fs,
			int (*fn)(void *arg, const char *path, uint64_t size, int64_t mtime_ns,
				  uint32_t attempts, int error),
			void *arg)
{
	struct list_args a = { fn, arg };
	int rc = bfs_index_scan_state(fs->ix, BFS_ST_UPLOADING, list_item, &a);

	return rc < 0 ? rc : 0;
}

/* Wait until a worker finishes an upload, or a second passes. */
static void wait_idle(struct fs_wb *wb)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += 1;
	pthread_mutex_lock(&wb->mu);
	pthread_cond_timedwait(&wb->idle, &wb->mu, &t);
	pthread_mutex_unlock(&wb->mu);
}

static void set_draining(struct fs_wb *wb, int on)
{
	pthread_mutex_lock(&wb->mu);
	wb->draining += on ? 1 : -1;
	pthread_cond_broadcast(&wb->cond);
	pthread_mutex_unlock(&wb->mu);
}

int bfs_fs_flush_all(struct bfs_fs *fs, long timeout_s,
		     void (*say)(void *arg, const char *line), void *arg)
{
	struct fs_wb *wb = fs->wb;
	struct bfs_fs_pending p;
	time_t t0 = time(NULL);
	char line[200];
	int rc;

	if (!wb)
		return 0;
	set_draining(wb, 1);
	for (;;) {
		rc = bfs_fs_pending(fs, &p);
		if (rc || !p.files)
			break;
		if (time(NULL) - t0 >= timeout_s) {
			rc = -ETIMEDOUT;
			break;
		}
		if (say) {
			snprintf(line, sizeof(line), "pending: %" PRIu64 " uploads, %" PRIu64
				 " bytes, %" PRIu64 " failing", p.files, p.bytes, p.failing);
			say(arg, line);
		}
		wait_idle(wb);
	}
	set_draining(wb, 0);
	return rc;
}

int fs_upload_start(struct bfs_fs *fs)
{
	struct fs_wb *wb = calloc(1, sizeof(*wb));
	int i, n = fs->cfg.upload_threads > 0 ? fs->cfg.upload_threads : 4;

	if (!wb)
		return -ENOMEM;
	wb->inflight = calloc((size_t)n, sizeof(*wb->inflight));
	wb->workers = calloc((size_t)n, sizeof(*wb->workers));
	if (!wb->inflight || !wb->workers) {
		free(wb->inflight);
		free(wb->workers);
		free(wb);
		return -ENOMEM;
	}
	pthread_mutex_init(&wb->mu, NULL);
	pthread_cond_init(&wb->cond, NULL);
	pthread_cond_init(&wb->idle, NULL);
	wb->rescan = 1;  /* what an earlier mount left journaled */
	wb->nslots = n;
	fs->wb = wb;
	for (i = 0; i < n; i++) {
		struct worker_arg *wa = malloc(sizeof(*wa));

		if (!wa)
			break;
		wa->fs = fs;
		wa->slot = i;
		if (pthread_create(&wb->workers[i], NULL, worker, wa)) {
			free(wa);
			break;
		}
		wb->nworkers++;
	}
	return wb->nworkers ? 0 : -EAGAIN;
}

/* Wait (at most wait_s seconds) until nothing is pending; log progress. */
static void drain(struct bfs_fs *fs, long wait_s)
{
	struct fs_wb *wb = fs->wb;
	struct bfs_fs_pending p;
	time_t t0 = time(NULL), last = t0;

	if (bfs_fs_pending(fs, &p) || !p.files)
		return;
	bfs_log(LOG_INFO, "unmount: %" PRIu64 " pending uploads (%" PRIu64 " bytes); waiting "
	       "up to %ld s", p.files, p.bytes, wait_s);
	set_draining(wb, 1);
	while (time(NULL) - t0 < wait_s) {
		wait_idle(wb);
		if (bfs_fs_pending(fs, &p) || !p.files)
			break;
		if (time(NULL) - last >= 5) {
			last = time(NULL);
			bfs_log(LOG_INFO, "unmount: %" PRIu64 " uploads still pending (%" PRIu64
			       " bytes, %" PRIu64 " failing)", p.files, p.bytes, p.failing);
		}
	}
	if (p.files)
		bfs_log(LOG_WARNING, "unmount: %" PRIu64 " uploads (%" PRIu64 " bytes) left "
		       "journaled in the cache; the next mount with this cache_dir sends them",
		       p.files, p.bytes);
	else
		bfs_log(LOG_INFO, "unmount: every pending upload is in the bucket");
}

void fs_upload_stop(struct bfs_fs *fs, long wait_s)
{
	struct fs_wb *wb = fs->wb;
	int i;

	if (!wb)
		return;
	if (wait_s > 0) {
		drain(fs, wait_s);
	} else {
		struct bfs_fs_pending p;

		if (!bfs_fs_pending(fs, &p) && p.files)
			bfs_log(LOG_INFO, "unmount: %" PRIu64 " uploads (%" PRIu64 " bytes) left "
			       "journaled in the cache (unmount_wait=0); the next mount with this "
			       "cache_dir sends them", p.files, p.bytes);
	}
	pthread_mutex_lock(&wb->mu);
	wb->stop = 1;
	pthread_cond_broadcast(&wb->cond);
	pthread_mutex_unlock(&wb->mu);
	for (i = 0; i < wb->nworkers; i++)
		pthread_join(wb->workers[i], NULL);
	while (wb->qlen) {
		free(wb->queue[wb->qhead]);
		wb->qhead = (wb->qhead + 1) % QUEUE_MAX;
		wb->qlen--;
	}
	pthread_mutex_destroy(&wb->mu);
	pthread_cond_destroy(&wb->cond);
	pthread_cond_destroy(&wb->idle);
	free(wb->inflight);
	free(wb->workers);
	free(wb);
	fs->wb = NULL;
}
