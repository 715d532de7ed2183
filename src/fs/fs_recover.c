/* SPDX-License-Identifier: MIT */
/*
 * fs_recover.c - at mount, what the last daemon left behind: a file being
 * written when it died (DIRTY: its staging is dropped and the entry goes
 * back to the object in the bucket, or away if there is none) and the
 * journal of write-back uploads (UPLOADING: kept for the uploader, due at
 * once, if its data is all there; else its record and what is left of its
 * data are moved to CACHE/lost+found, logged, fs_jrec.c).  A directory's
 * owed marker (fs_marker.c) stays owed.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "bucketfs/log.h"
#include "fs/fs_int.h"

int fs_revert_entry(struct bfs_fs *fs, const char *path, const struct bfs_entry *e)
{
	struct bfs_entry c = *e;

	fs_data_unlink(fs, e->staged_id);
	if (!e->etag[0])
		return bfs_index_del(fs->ix, path);
	c.state = BFS_ST_CLEAN;
	c.staged_id = 0;
	c.upload_attempts = 0;
	c.upload_error = 0;
	c.validated_ns = 0; /* revalidate before use */
	return bfs_index_put(fs->ix, path, &c);
}

static int recover_one(void *arg, const char *path, const struct bfs_entry *e)
{
	return fs_revert_entry(arg, path, e) < 0;
}

/* A journaled upload: keep it for the uploader if its data is all there. */
static int recover_journaled(void *arg, const char *path, const struct bfs_entry *e)
{
	struct bfs_fs *fs = arg;
	struct bfs_entry c = *e;
	struct stat sb;
	int fd;

	/* a directory's owed marker (fs_marker.c) has no data: still owed */
	fd = e->type == BFS_ENT_DIR ? -EISDIR
	     : e->staged_id	    ? fs_data_open(fs, e->staged_id, O_RDONLY)
				    : -ENOENT;
	if (fd == -EISDIR || (fd >= 0 && fstat(fd, &sb) == 0 && (uint64_t)sb.st_size == e->size)) {
		if (fd >= 0)
			close(fd);
		if (!c.upload_after_ns)
			return 0;
		c.upload_after_ns = 0; /* due now: the delay was for the last mount */
		return bfs_index_put(fs->ix, path, &c) < 0;
	}
	if (fd >= 0)
		close(fd);
	/* what close() acknowledged is kept, never deleted (logged there) */
	fs_jrec_lose_entry(fs, path, e,
			   fd >= 0 ? "its data file is short" : "its data file is missing");
	return recover_one(arg, path, e);
}

int fs_recover(struct bfs_fs *fs)
{
	int rc;

	rc = bfs_index_scan_state(fs->ix, BFS_ST_DIRTY, recover_one, fs);
	if (rc >= 0)
		rc = bfs_index_scan_state(fs->ix, BFS_ST_UPLOADING, recover_journaled, fs);
	return rc < 0 ? rc : 0;
}
