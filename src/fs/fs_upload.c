/* SPDX-License-Identifier: MIT */
/*
 * fs_upload.c - the uploader: sending a file's staged data as one object
 * (fs_ofile_upload, at close in sync mode, and for the journal), and the
 * background workers that send what the journal (fs_journal.c) holds.
 *
 * An upload sends one version of the file: it holds of->io exclusive, so
 * no write, unlink or rename of the file runs meanwhile; a chmod, chown or
 * utimens can (under of->lock only), and an upload that sent attributes
 * changed meanwhile sends again (at most 4 times).  After a mount the
 * workers send what an earlier one left journaled, in the background: the
 * mount never waits for the backlog, and pending files are read from their
 * staging files meanwhile.
 *
 * DESIGN (threads): upload_threads workers.  One of them at a time scans the
 * journal (the index's state table: cost proportional to what is pending)
 * for entries that are due and queues up to QUEUE_MAX paths; every worker
 * takes paths from the queue and uploads them through the open-file layer
 * (fs_ofile_pending + fs_ofile_upload), which serialises with writers,
 * renames and unlinks of the same file.  The journal's signal lock
 * (fs->jsig.mu, wb->sig) guards the queue, the set of paths in flight,
 * next_due and the flags; it is never held across a request or an index
 * call.  A failed upload stays journaled with its error and attempt count,
 * and is tried again after a backoff (1 s doubling to 5 min).  At unmount
 * the workers drain what is pending, delays ignored, for at most
 * unmount_wait seconds, logging progress; what is left stays journaled for
 * the next mount.
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
	struct fs_jsignal *sig; /* the journal's (fs->jsig): its mu guards
				 * what follows, its cond says work queued,
				 * a wake-up, or stop */
	pthread_cond_t idle;	/* a worker finished something (drain waits) */
	char *queue[QUEUE_MAX]; /* due paths, FIFO */
	size_t qhead, qlen;
	char **inflight; /* paths being uploaded (nslots slots) */
	int scanning;	 /* a worker is scanning the journal */
	int draining;	 /* unmount or flush (a count): everything is due */
	int stop;
	int64_t next_due; /* earliest upload_after_ns seen by the scan */
	int nslots;	  /* set before any worker starts */
	int nworkers;	  /* the workers started (the starting thread's) */
	pthread_t *workers;
};

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
	int more; /* more due entries than fit */
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
	wb->sig->rescan = 0;
	a->fs = fs;
	a->now = fs_now_ns();
	a->draining = wb->draining;
	pthread_mutex_unlock(&wb->sig->mu);
	(void)bfs_index_scan_state(fs->ix, BFS_ST_UPLOADING, scan_item, a);
	pthread_mutex_lock(&wb->sig->mu);
	wb->scanning = 0;
	wb->next_due = a->next_due;
	if (a->more)
		wb->sig->rescan = 1;
	for (i = 0; i < a->n; i++) {
		if (wb->qlen < QUEUE_MAX && !busy_with(wb, a->due[i])) {
			wb->queue[(wb->qhead + wb->qlen++) % QUEUE_MAX] = a->due[i];
			a->due[i] = NULL;
		}
		free(a->due[i]);
	}
	pthread_cond_broadcast(&wb->sig->cond);
	free(a);
}

static void upload_one(struct bfs_fs *fs, const char *path)
{
	struct bfs_ofile *of;
	struct bfs_entry e;
	int rc;

	if (!bfs_index_get(fs->ix, path, &e) && e.type == BFS_ENT_DIR) {
		int draining;

		pthread_mutex_lock(&fs->jsig.mu);
		draining = fs->wb->draining > 0;
		pthread_mutex_unlock(&fs->jsig.mu);
		/* a flush or unmount pays at once rather than wait for what is below */
		(void)fs_marker_pay(fs, path, draining); /* logs its failure */
		return;
	}
	rc = fs_ofile_pending(fs, path, &of);

	if (rc)
		return; /* uploaded, renamed, removed or being rewritten meanwhile */
	rc = fs_ofile_upload_if(fs, of, 1);
	if (rc) {
		bfs_log(LOG_WARNING,
			"upload of %s failed (%s); it stays journaled and is tried "
			"again after %" PRId64 " s",
			path, strerror(-rc),
			fs_journal_backoff_ns(of->ent.upload_attempts) / 1000000000);
		fs_journal_wake(fs); /* (a scan learns when: not the periodic look's 5 s) */
	}
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
	pthread_mutex_lock(&wb->sig->mu);
	while (!wb->stop) {
		if (wb->qlen) {
			char *path = wb->queue[wb->qhead];

			wb->qhead = (wb->qhead + 1) % QUEUE_MAX;
			wb->qlen--;
			wb->inflight[slot] = path;
			pthread_mutex_unlock(&wb->sig->mu);
			upload_one(fs, path);
			pthread_mutex_lock(&wb->sig->mu);
			wb->inflight[slot] = NULL;
			free(path);
			pthread_cond_broadcast(&wb->idle);
			continue;
		}
		if (!wb->scanning && (wb->sig->rescan || wb->draining ||
				      (wb->next_due && fs_now_ns() >= wb->next_due))) {
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
				pthread_cond_timedwait(&wb->sig->cond, &wb->sig->mu, &t);
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
			pthread_cond_timedwait(&wb->sig->cond, &wb->sig->mu, &t);
			if (fs_now_ns() >= until)
				wb->sig->rescan = 1; /* a delay ran out, or the periodic look */
		}
	}
	pthread_mutex_unlock(&wb->sig->mu);
	return NULL;
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
	pthread_mutex_lock(&wb->sig->mu);
	pthread_cond_timedwait(&wb->idle, &wb->sig->mu, &t);
	pthread_mutex_unlock(&wb->sig->mu);
}

static void set_draining(struct fs_wb *wb, int on)
{
	pthread_mutex_lock(&wb->sig->mu);
	wb->draining += on ? 1 : -1;
	pthread_cond_broadcast(&wb->sig->cond);
	pthread_mutex_unlock(&wb->sig->mu);
}

int bfs_fs_flush_all(struct bfs_fs *fs, long timeout_s,
		     void (*progress)(void *arg, const struct bfs_fs_pending *left), void *arg)
{
	struct fs_wb *wb = fs->wb;
	struct bfs_fs_pending p;
	int64_t until = fs_now_ns() + (int64_t)timeout_s * 1000000000;
	int rc;

	if (!wb)
		return 0;
	set_draining(wb, 1);
	for (;;) {
		rc = bfs_fs_pending(fs, &p);
		if (!rc && progress)
			progress(arg, &p);
		if (rc || !p.files)
			break;
		if (fs_now_ns() >= until) {
			rc = -ETIMEDOUT;
			break;
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
	wb->sig = &fs->jsig;
	pthread_cond_init(&wb->idle, NULL);
	wb->sig->rescan = 1; /* what an earlier mount left journaled */
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
	bfs_log(LOG_INFO,
		"unmount: %" PRIu64 " pending uploads (%" PRIu64 " bytes); waiting "
		"up to %ld s",
		p.files, p.bytes, wait_s);
	set_draining(wb, 1);
	while (time(NULL) - t0 < wait_s) {
		wait_idle(wb);
		if (bfs_fs_pending(fs, &p) || !p.files)
			break;
		if (time(NULL) - last >= 5) {
			last = time(NULL);
			bfs_log(LOG_INFO,
				"unmount: %" PRIu64 " uploads still pending (%" PRIu64
				" bytes, %" PRIu64 " failing)",
				p.files, p.bytes, p.failing);
		}
	}
	if (p.files)
		bfs_log(LOG_WARNING,
			"unmount: %" PRIu64 " uploads (%" PRIu64 " bytes) left "
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
			bfs_log(LOG_INFO,
				"unmount: %" PRIu64 " uploads (%" PRIu64 " bytes) left "
				"journaled in the cache (unmount_wait=0); the next mount with this "
				"cache_dir sends them",
				p.files, p.bytes);
	}
	pthread_mutex_lock(&wb->sig->mu);
	wb->stop = 1;
	pthread_cond_broadcast(&wb->sig->cond);
	pthread_mutex_unlock(&wb->sig->mu);
	for (i = 0; i < wb->nworkers; i++)
		pthread_join(wb->workers[i], NULL);
	while (wb->qlen) {
		free(wb->queue[wb->qhead]);
		wb->qhead = (wb->qhead + 1) % QUEUE_MAX;
		wb->qlen--;
	}
	pthread_cond_destroy(&wb->idle);
	free(wb->inflight);
	free(wb->workers);
	free(wb);
	fs->wb = NULL;
}

int fs_ofile_upload(struct bfs_fs *fs, struct bfs_ofile *of)
{
	return fs_ofile_upload_if(fs, of, 0);
}

static int same_attrs(const struct bfs_entry *a, const struct bfs_entry *b)
{
	return a->mode == b->mode && a->uid == b->uid && a->gid == b->gid &&
	       a->mtime_ns == b->mtime_ns;
}

int fs_ofile_upload_if(struct bfs_fs *fs, struct bfs_ofile *of, int journaled_only)
{
	struct bfs_meta_kv meta[FS_PUT_META + 1];
	struct bfs_put_opts po;
	struct bfs_entry e;
	char key[FS_KEY_MAX], etag[BFS_ETAG_MAX], path[BFS_INDEX_PATH_MAX];
	uint64_t size, gen;
	int rc, sends;

	/* Exclusive: the object sent is one version of the file.  For the
	 * uploader, only a journaled one: a writer may have begun a new
	 * version (state DIRTY, maybe truncated) since it was picked. */
	pthread_rwlock_wrlock(&of->io);
	pthread_mutex_lock(&of->lock);
	if (!of->dirty || of->gone || (journaled_only && of->ent.state != BFS_ST_UPLOADING)) {
		pthread_mutex_unlock(&of->lock);
		pthread_rwlock_unlock(&of->io);
		return 0;
	}
	size = of->size;
	gen = of->gen;
	/* (no write, unlink or rename can come meanwhile: they wait for
	 * of->io, fs.c remove_file; a chmod, chown or utimens can: it
	 * changes of->ent under of->lock only) */
	for (sends = 1;; sends++) {
		e = of->ent;
		pthread_mutex_unlock(&of->lock);
		rc = fs_file_key(fs, of->path, key, sizeof(key));
		if (!rc)
			rc = fs_digest_staged(of->fd, size, &e); /* of the bytes sent */
		if (!rc) {
			fs_put_opts(fs, of->path, &e, meta, &po);
			/* the digest of the bytes sent: what a GET checks them by */
			bfs_meta_crc32c_format(&meta[po.nmeta++], size, e.crc32c);
			if (fs->cfg.conditional_put) {
				/* replace only the version this mount knew; create only new */
				if (e.etag[0])
					po.if_match = e.etag;
				else
					po.if_none_match_star = 1;
			}
			rc = bfs_store_put_fd(fs->store, key, of->fd, 0, size, &po, etag);
			if (rc == BFS_E_PRECOND)
				bfs_log(LOG_ERR,
					"%s: not uploaded: the object in the bucket is not the "
					"version this mount %s (another writer; conditional_put)",
					of->path, e.etag[0] ? "read" : "expected to create");
		}
		pthread_mutex_lock(&of->lock);
		/* A change of attributes while it was sent (the model tester: a
		 * chmod during a write-back upload was kept by the index only):
		 * the object carries the old ones; send it again. */
		if (rc || sends == 4 || same_attrs(&e, &of->ent))
			break;
		snprintf(of->ent.etag, sizeof(of->ent.etag), "%s",
			 etag); /* (the version there now) */
	}
	if (rc) {
		of->tried_gen = gen;
		atomic_fetch_add(&fs->stats.upload_errors, 1);
		of->ent.upload_attempts++;
		of->ent.upload_error = rc;
		if (of->ent.state == BFS_ST_UPLOADING)
			of->ent.upload_after_ns =
			    fs_now_ns() + fs_journal_backoff_ns(of->ent.upload_attempts);
		(void)bfs_index_put(fs->ix, of->path, &of->ent);
		pthread_mutex_unlock(&of->lock);
		pthread_rwlock_unlock(&of->io);
		return bfs_err_is_store(rc) ? fs_store_errno("upload", of->path, rc) : rc;
	}
	atomic_fetch_add(&fs->stats.uploads, 1);
	fs_journal_done(fs, of, &e); /* the copy's digest; the journal record goes */
	if (of->ent.data_id && of->ent.data_id != of->fd_id)
		fs_data_unlink(fs, of->ent.data_id);
	of->ent.state = BFS_ST_CLEAN;
	fs_data_trust(fs, of->fd_id); /* the bytes we sent */
	snprintf(of->ent.etag, sizeof(of->ent.etag), "%s", etag);
	of->ent.lastmod_s = 0; /* a PUT's answer does not say */
	of->ent.data_id = of->fd_id;
	of->ent.staged_id = 0;
	of->ent.size = size;
	of->ent.cached_bytes = size;
	of->ent.flags |= BFS_EF_CACHED | BFS_EF_META;
	of->ent.upload_attempts = 0;
	of->ent.upload_error = 0;
	of->ent.upload_after_ns = 0;
	of->ent.validated_ns = of->ent.atime_ns = fs_now_ns();
	of->dirty = 0;
	rc = bfs_index_put(fs->ix, of->path, &of->ent);
	snprintf(path, sizeof(path), "%s", of->path ? of->path : "");
	pthread_mutex_unlock(&of->lock);
	pthread_rwlock_unlock(&of->io);
	if (!rc)
		fs_marker_settle(fs, path); /* its directories exist now */
	return rc;
}

int fs_ofile_pending(struct bfs_fs *fs, const char *path, struct bfs_ofile **out)
{
	struct bfs_ofile *of;
	struct bfs_entry e;
	int rc, fresh;

	rc = fs_ofile_get(fs, path, &of, &fresh);
	if (rc)
		return rc;
	if (fresh) {
		rc = bfs_index_get(fs->ix, path, &e);
		if (!rc && (e.state != BFS_ST_UPLOADING || !e.staged_id))
			rc = -EAGAIN;
		if (!rc) {
			of->fd = fs_data_open(fs, e.staged_id, O_RDWR);
			rc = of->fd < 0 ? of->fd : 0;
		}
		if (!rc) {
			of->ent = e;
			of->size = e.size;
			of->fd_id = e.staged_id;
			of->staged = of->dirty = 1;
		} else {
			of->fd = -1;
			of->ent.type = 0;
		}
		pthread_mutex_unlock(&of->lock);
	} else {
		/* open here: pending unless a write began since the journal */
		pthread_mutex_lock(&of->lock);
		rc = of->dirty && !of->gone && of->ent.state == BFS_ST_UPLOADING ? 0 : -EAGAIN;
		pthread_mutex_unlock(&of->lock);
	}
	if (rc) {
		fs_ofile_put(fs, of);
		return rc;
	}
	*out = of;
	return 0;
}
