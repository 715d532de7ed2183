/* SPDX-License-Identifier: MIT */
/*
 * fs_journal.c - the upload journal (write-back mode).
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
 * before the index says CLEAN (fs_journal_done), or with the staging file.
 * At mount, fs_recover keeps UPLOADING entries whose staging file is whole
 * and drops DIRTY ones (never acknowledged).
 *
 * The journal owns the signal "something was journaled" (fs->jsig): the
 * uploader's workers (fs_upload.c) wait on it; fs_journal_wake raises it
 * (a journaled file, a marker owed, a rename's journaled files).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "fs/fs_int.h"

void fs_journal_init(struct bfs_fs *fs)
{
	pthread_mutex_init(&fs->jsig.mu, NULL);
	pthread_cond_init(&fs->jsig.cond, NULL);
	fs->jsig.rescan = 1; /* what an earlier mount left journaled */
}

void fs_journal_destroy(struct bfs_fs *fs)
{
	pthread_mutex_destroy(&fs->jsig.mu);
	pthread_cond_destroy(&fs->jsig.cond);
}

int64_t fs_journal_backoff_ns(uint32_t attempts)
{
	int64_t s = attempts > 9 ? 300 : (int64_t)1 << (attempts ? attempts - 1 : 0);

	return (s > 300 ? 300 : s) * 1000000000LL;
}

void fs_journal_wake(struct bfs_fs *fs)
{
	pthread_mutex_lock(&fs->jsig.mu);
	fs->jsig.rescan = 1;
	pthread_cond_broadcast(&fs->jsig.cond);
	pthread_mutex_unlock(&fs->jsig.mu);
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
		goto out; /* nothing new since the last journal or upload */
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
		fs_journal_wake(fs);
	return rc;
}

void fs_journal_done(struct bfs_fs *fs, struct bfs_ofile *of, const struct bfs_entry *sent)
{
	of->ent.crc_bytes = sent->crc_bytes;
	of->ent.crc32c = sent->crc32c;
	/* before the index says CLEAN: a crash between the two sends the same
	 * bytes again (the index still says UPLOADING), never older ones */
	fs_jrec_drop(fs, of->fd_id);
}
