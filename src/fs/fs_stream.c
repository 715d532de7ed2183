/* SPDX-License-Identifier: MIT */
/*
 * fs_stream.c - a lookup's GET, read while it comes.  A name looked up for
 * the first time is most likely about to be opened and read (a web server
 * serving an image), so its lookup GETs the file's first lookup_get bytes
 * (fs_ask.c).  Instead of waiting for the whole body, the lookup returns
 * once the answer's headers are in (the object's size, ETag, metadata); a
 * thread of the stream writes the body into the data file, and an open of
 * the file reads the bytes as they land (fs_fetch.c).
 *
 * What a reader may take: every byte in the file, but the last byte of a
 * whole object until the store has checked the object's digest, so no
 * reader gets to the end of a damaged body without an error.  A body cut
 * or damaged is retried by the store as any GET (may_retry): what readers
 * took of it is pinned by its CRC-32C, which the body that finally comes
 * must match; an answer for another object than the first (replaced
 * meanwhile) fails it.  A GET that fails: the reads that need more fail,
 * and the open file's data is dropped (its next read fetches the object
 * again, checked).
 *
 * The index: the lookup writes the entry (data_id, nothing cached yet);
 * when the body is complete the entry gets its cached bytes and digest
 * (bfs_index_update, only while it still names this data file).  That
 * write must come after the lookup's, whichever ends first: the stream
 * waits for fs_stream_settle, or settle finds the stream ended and writes.
 *
 * Locks: fs->streams.lock (the table) before s->mu; neither is held
 * across a request or an index write.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "fs/fs_int.h"

enum stream_phase { ST_WAIT, ST_HEADERS, ST_DONE, ST_FAILED };

struct fs_stream {
	struct bfs_fs *fs;
	uint64_t id; /* the data file */
	char *path;
	char *key;
	uint64_t len; /* bytes asked for (0: all) */
	int fd;	      /* the data file, the thread's own */
	_Atomic int refs;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* under mu: */
	enum stream_phase phase;
	int rc;			  /* ST_FAILED: the store's error */
	int settled;		  /* 1: the lookup wrote its entry; -1: it did not; 0: not yet */
	int finished;		  /* finish() ran, or the lookup took the ended GET over */
	uint64_t taken;		  /* readers may have read bytes [0, taken) */
	uint64_t pin_len;	  /* bytes [0, pin_len) an earlier attempt gave readers, */
	uint32_t pin_crc;	  /* and their CRC-32C: the final body must agree */
	int changed;		  /* a retry's headers named another object */
	uint64_t stored;	  /* bytes in the file */
	uint64_t expect;	  /* bytes the GET brings */
	struct bfs_obj_info info; /* the headers', then the final one */
	struct fs_stream_end end;
};

void fs_streams_init(struct bfs_fs *fs)
{
	pthread_mutex_init(&fs->streams.lock, NULL);
	pthread_cond_init(&fs->streams.idle, NULL);
}

static void stream_put(struct fs_stream *s)
{
	if (atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->path);
	free(s->key);
	free(s);
}

void fs_stream_put(struct fs_stream *s)
{
	if (s)
		stream_put(s);
}

/* Out of the table (which held a reference). */
static void table_drop(struct bfs_fs *fs, struct fs_stream *s)
{
	int i, had = 0;

	pthread_mutex_lock(&fs->streams.lock);
	for (i = 0; i < FS_STREAMS_MAX; i++)
		if (fs->streams.slot[i] == s) {
			fs->streams.slot[i] = NULL;
			had = 1;
		}
	pthread_mutex_unlock(&fs->streams.lock);
	if (had)
		stream_put(s);
}

/* Waits for the threads (each ends within its request's deadline). */
void fs_streams_stop(struct bfs_fs *fs)
{
	pthread_mutex_lock(&fs->streams.lock);
	fs->streams.stopping = 1;
	while (fs->streams.running > 0)
		pthread_cond_wait(&fs->streams.idle, &fs->streams.lock);
	pthread_mutex_unlock(&fs->streams.lock);
}

void fs_streams_destroy(struct bfs_fs *fs)
{
	int i;

	fs_streams_stop(fs);
	for (i = 0; i < FS_STREAMS_MAX; i++)
		if (fs->streams.slot[i]) {
			stream_put(fs->streams.slot[i]);
			fs->streams.slot[i] = NULL;
		}
	pthread_mutex_destroy(&fs->streams.lock);
	pthread_cond_destroy(&fs->streams.idle);
}

/* What a reader may take now (s->mu held). */
static uint64_t readable(const struct fs_stream *s)
{
	uint64_t cap = s->expect;

	if (s->phase == ST_DONE)
		return s->end.got;
	if (s->phase != ST_HEADERS || s->changed)
		return 0;
	if (cap && cap == s->info.size)
		cap--; /* a whole object's last byte: once its digest matched */
	return s->stored < cap ? s->stored : cap;
}

static void on_headers(void *arg, const struct bfs_obj_info *info)
{
	struct fs_stream *s = arg;

	pthread_mutex_lock(&s->mu);
	if (s->phase == ST_WAIT) {
		s->info = *info;
		s->expect = s->len && s->len < info->size ? s->len : info->size;
		s->phase = ST_HEADERS;
		pthread_cond_broadcast(&s->cv);
	} else if (strcmp(s->info.etag, info->etag) || s->info.size != info->size) {
		s->changed = 1; /* (replaced between two attempts) */
	}
	pthread_mutex_unlock(&s->mu);
}

static void on_stored(void *arg, uint64_t bytes)
{
	struct fs_stream *s = arg;

	pthread_mutex_lock(&s->mu);
	if (bytes > s->stored) {
		s->stored = bytes;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
}

/* The entry still names the stream's data file: it is now cached. */
static int entry_done(void *arg, struct bfs_entry *e)
{
	const struct fs_stream *s = arg;

	if (e->data_id != s->id || e->cached_bytes || strcmp(e->etag, s->info.etag))
		return 0;
	e->cached_bytes = s->end.got;
	e->crc_bytes = s->end.crc_bytes;
	e->crc32c = s->end.crc32c;
	if (s->end.whole)
		e->flags |= BFS_EF_CACHED;
	return 1;
}

/* ... or its GET failed: it names no data file. */
static int entry_failed(void *arg, struct bfs_entry *e)
{
	const struct fs_stream *s = arg;

	if (e->data_id != s->id || e->cached_bytes)
		return 0;
	e->data_id = 0;
	e->crc_bytes = 0;
	e->crc32c = 0;
	e->flags &= ~(uint32_t)(BFS_EF_CACHED | BFS_EF_FETCHED);
	return 1;
}

/* The GET ended and the lookup settled (once): the index, then the table. */
static void finish(struct bfs_fs *fs, struct fs_stream *s)
{
	int rc;

	if (s->settled > 0 && s->phase == ST_DONE) {
		rc = bfs_index_update(fs->ix, s->path, entry_done, s);
		if (rc < 0 && rc != -ENOENT)
			bfs_log(LOG_WARNING, "%s: the index did not take its cached copy: %s",
				s->path, bfs_strerror(rc));
	} else if (s->settled > 0) {
		if (bfs_index_update(fs->ix, s->path, entry_failed, s) == 1)
			fs_data_unlink_quiet(fs, s->id);
	} else if (s->phase == ST_DONE) {
		fs_data_unlink(fs, s->id); /* no entry names it (accounted) */
	} else {
		fs_data_unlink_quiet(fs, s->id);
	}
	table_drop(fs, s);
}

/* Do bytes [0, s->pin_len) of the data file still have the CRC-32C that
 * readers were given? */
static int pin_holds(const struct fs_stream *s)
{
	uint32_t crc = 0;

	return !s->pin_len || (fs_data_crc(s->fd, 0, s->pin_len, &crc) == 0 && crc == s->pin_crc);
}

/*
 * The store's attempt failed after body bytes came (cut, or damaged): it
 * is retried as any GET.  Readers wait for the new attempt's bytes; what
 * they took of the earlier ones is pinned by its CRC-32C, which the final
 * body must match (an earlier pin is checked first): so a retry never
 * gives a reader bytes that differ from what it read before.
 */
static int may_retry(void *arg)
{
	struct fs_stream *s = arg;
	uint64_t taken;
	uint32_t crc = 0;
	int ok;

	pthread_mutex_lock(&s->mu);
	s->stored = 0; /* (no reader takes more until the new attempt's bytes) */
	taken = s->taken;
	pthread_mutex_unlock(&s->mu);
	ok = pin_holds(s) && (!taken || fs_data_crc(s->fd, 0, taken, &crc) == 0);
	pthread_mutex_lock(&s->mu);
	if (ok && taken > s->pin_len) {
		s->pin_len = taken;
		s->pin_crc = crc;
	}
	pthread_mutex_unlock(&s->mu);
	bfs_log(ok ? LOG_INFO : LOG_WARNING, "GET %s: %s", s->key,
		ok ? "fetching it again (what was read of it is pinned by its CRC-32C)"
		   : "its attempts gave readers different bytes: not fetched again");
	return ok;
}

static int stream_fetch(struct fs_stream *s, struct bfs_obj_info *info)
{
	struct bfs_get_opts go = { .off = 0,
				   .len = s->len,
				   .on_headers = on_headers,
				   .on_stored = on_stored,
				   .may_retry = may_retry,
				   .hook_arg = s };
	int rc = bfs_store_get_fd(s->fs->store, s->key, &go, s->fd, 0, info);

	pthread_mutex_lock(&s->mu);
	if (!rc && s->changed)
		rc = BFS_E_PRECOND;
	pthread_mutex_unlock(&s->mu);
	if (!rc && !pin_holds(s)) {
		bfs_log(LOG_WARNING,
			"GET %s: its bytes read before a retry differ from the object's", s->key);
		rc = BFS_E_INTEGRITY;
	}
	return rc;
}

static void *stream_run(void *arg)
{
	struct fs_stream *s = arg;
	struct bfs_fs *fs = s->fs;
	struct bfs_obj_info info;
	struct bfs_entry tmp;
	int rc, fin, was_read;

	rc = stream_fetch(s, &info);
	if (!rc) {
		bfs_entry_init(&tmp);
		s->end.got = s->len && s->len < info.size ? s->len : info.size;
		fs_digest_fetched(&tmp, s->fd, s->end.got, &info);
		s->end.crc_bytes = tmp.crc_bytes;
		s->end.crc32c = tmp.crc32c;
		s->end.whole = s->end.got == info.size;
		if (s->end.whole && info.checked)
			fs_data_trust(fs, s->id);
		fs_space_grew(fs, (int64_t)s->end.got);
	}
	close(s->fd);
	s->fd = -1;
	pthread_mutex_lock(&s->mu);
	if (rc) {
		s->phase = ST_FAILED;
		s->rc = rc;
	} else {
		s->phase = ST_DONE;
		s->info = info;
	}
	fin = !s->finished && s->settled;
	if (fin)
		s->finished = 1;
	was_read = s->taken != 0;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (rc && was_read)
		bfs_log(LOG_WARNING, "%s: its GET failed while it was being read (%s)", s->path,
			bfs_strerror(rc));
	if (fin)
		finish(fs, s);
	stream_put(s);
	pthread_mutex_lock(&fs->streams.lock);
	if (--fs->streams.running == 0)
		pthread_cond_broadcast(&fs->streams.idle);
	pthread_mutex_unlock(&fs->streams.lock);
	return NULL;
}

/* A new stream in a free slot of the table, its thread started; NULL if
 * there is no room (or no thread). */
static struct fs_stream *stream_start(struct bfs_fs *fs, const char *path, const char *key,
				      uint64_t len, int fd, uint64_t id)
{
	struct fs_stream *s = calloc(1, sizeof(*s));
	pthread_attr_t attr;
	pthread_t tid;
	int i, slot = -1, rc;

	if (!s)
		return NULL;
	s->fs = fs;
	s->id = id;
	s->len = len;
	s->fd = fd;
	s->path = strdup(path);
	s->key = strdup(key);
	atomic_init(&s->refs, 2); /* the table's, the thread's */
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (!s->path || !s->key)
		goto no;
	pthread_mutex_lock(&fs->streams.lock);
	for (i = 0; i < FS_STREAMS_MAX && slot < 0 && !fs->streams.stopping; i++)
		if (!fs->streams.slot[i])
			slot = i;
	if (slot >= 0) {
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		rc = pthread_create(&tid, &attr, stream_run, s);
		pthread_attr_destroy(&attr);
		if (rc == 0) {
			fs->streams.slot[slot] = s;
			fs->streams.running++;
		} else {
			slot = -1;
		}
	}
	pthread_mutex_unlock(&fs->streams.lock);
	if (slot >= 0)
		return s;
no:
	atomic_store(&s->refs, 1);
	stream_put(s);
	return NULL;
}

int fs_stream_get(struct bfs_fs *fs, const char *path, const char *key, uint64_t len, int fd,
		  uint64_t id, struct bfs_obj_info *info, struct fs_stream_end *end)
{
	struct fs_stream *s = stream_start(fs, path, key, len, fd, id);
	int rc;

	if (!s)
		return FS_STREAM_NO_ROOM;
	pthread_mutex_lock(&s->mu);
	while (s->phase == ST_WAIT)
		pthread_cond_wait(&s->cv, &s->mu);
	*info = s->info;
	rc = s->phase == ST_HEADERS ? 0 : s->phase == ST_DONE ? 1 : s->rc;
	if (rc) { /* ended already: the lookup takes it over */
		s->finished = 1;
		*end = s->end;
	}
	pthread_mutex_unlock(&s->mu);
	if (rc) {
		if (rc < 0)
			fs_data_unlink_quiet(fs, id);
		table_drop(fs, s);
	}
	return rc;
}

void fs_stream_settle(struct bfs_fs *fs, uint64_t id, int put_ok)
{
	struct fs_stream *s = fs_stream_find(fs, id);
	int fin;

	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	if (!s->settled)
		s->settled = put_ok ? 1 : -1;
	fin = !s->finished && (s->phase == ST_DONE || s->phase == ST_FAILED);
	if (fin)
		s->finished = 1;
	pthread_mutex_unlock(&s->mu);
	if (fin)
		finish(fs, s);
	stream_put(s);
}

struct fs_stream *fs_stream_find(struct bfs_fs *fs, uint64_t id)
{
	struct fs_stream *s = NULL;
	int i;

	if (!id)
		return NULL;
	pthread_mutex_lock(&fs->streams.lock);
	for (i = 0; i < FS_STREAMS_MAX && !s; i++)
		if (fs->streams.slot[i] && fs->streams.slot[i]->id == id) {
			s = fs->streams.slot[i];
			atomic_fetch_add(&s->refs, 1);
		}
	pthread_mutex_unlock(&fs->streams.lock);
	return s;
}

int fs_stream_busy(struct bfs_fs *fs, uint64_t id)
{
	struct fs_stream *s = fs_stream_find(fs, id);
	int busy = s != NULL;

	fs_stream_put(s);
	return busy;
}

int fs_stream_wait(struct fs_stream *s, uint64_t want, uint64_t *ready, struct fs_stream_end *end)
{
	int rc;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		*ready = readable(s);
		if (s->phase == ST_DONE) {
			*end = s->end;
			rc = 1;
			break;
		}
		if (s->phase == ST_FAILED) {
			rc = s->rc;
			break;
		}
		if (*ready >= want) {
			rc = 0;
			break;
		}
		pthread_cond_wait(&s->cv, &s->mu);
	}
	if (rc == 0 && *ready > s->taken)
		s->taken = *ready;
	pthread_mutex_unlock(&s->mu);
	return rc;
}
