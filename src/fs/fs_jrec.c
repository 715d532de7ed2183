/* SPDX-License-Identifier: MIT */
/*
 * fs_jrec.c - journal records: what close() acknowledged in write-back
 * mode must survive the loss or damage of the cache index, so each
 * journaled staging file ID gets a record of its own, CACHE/journal/ID.rec
 * (jrec.h: its mount path, size, CRC-32C, mode, owner, mtime, the ETag it
 * replaces, and a sequence number), written and synced by fs_journal
 * before the index records the upload, and removed when the upload is in
 * the bucket (before the index says so) or the staging file is dropped
 * (fs_data_unlink: unlinked, replaced by a rename).
 *
 * At mount (fs_open.c):
 *  - the index is intact: it is the truth.  Records of uploads it does not
 *    hold as journaled (done, or never acknowledged: a crash between the
 *    record and the index commit) are removed; a journaled upload whose
 *    record says another path (a crash inside a rename) gets it rewritten.
 *  - the index is new or empty (lost), or was damaged and moved aside: the
 *    records are read back, and each path's latest one (highest sequence)
 *    whose data file is there, whole and matching its CRC-32C, becomes a
 *    journaled upload again, due at once (its data file moved back from
 *    the aside directory if need be).  Whatever cannot be recovered (a
 *    record that does not decode, data missing, short or not matching, an
 *    older record of a path superseded by a later one) is moved, record
 *    and data, into CACHE/lost+found and logged at error level: never
 *    deleted.
 *
 * DESIGN: records are written under the ofile's io lock held exclusive
 * (fs_journal, rename) or, by a chmod, chown or utimens of a journaled
 * file, under of->lock (fs_attr.c), which the upload also holds when its
 * end drops the record; the kernel keeps a rename and a setattr of one
 * file apart.  So one staging file's record is never written by two
 * threads at once.  The mount-time functions run before any other thread
 * starts.  Sequence numbers are CLOCK_REALTIME nanoseconds, made
 * strictly increasing within a process (fs->jrec_seq).
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

#include "bucketfs/jrec.h"
#include "bucketfs/log.h"
#include "fs/fs_int.h"
#include "util/idset.h"

#define INDEX_KEY_BUF 512

/* base + suffix into out: 0, or -ENAMETOOLONG. */
static int with_suffix(char *out, size_t sz, const char *base, const char *suffix)
{
	return (size_t)snprintf(out, sz, "%s%s", base, suffix) >= sz ? -ENAMETOOLONG : 0;
}

int fs_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static uint64_t next_seq(struct bfs_fs *fs)
{
	int64_t now = fs_now_ns(), last = atomic_load(&fs->jrec_seq), next;

	do {
		next = now > last ? now : last + 1;
	} while (!atomic_compare_exchange_weak(&fs->jrec_seq, &last, next));
	return (uint64_t)next;
}

static void rec_from_entry(struct bfs_jrec *r, const char *path, const struct bfs_entry *e)
{
	memset(r, 0, sizeof(*r));
	r->staged_id = e->staged_id;
	r->size = e->size;
	r->crc32c = e->crc32c;
	r->mode = e->mode;
	r->uid = e->uid;
	r->gid = e->gid;
	r->mtime_ns = e->mtime_ns;
	r->flags = e->flags;
	snprintf(r->etag, sizeof(r->etag), "%s", e->etag);
	snprintf(r->path, sizeof(r->path), "%s", path);
}

/* Write the record r to file at (through tmp), synced; the directory is the caller's. */
static int write_rec(const struct bfs_jrec *r, const char *tmp, const char *at)
{
	unsigned char buf[BFS_JREC_MAX];
	size_t len, done = 0;
	int fd, rc = bfs_jrec_encode(r, buf, sizeof(buf), &len);

	if (rc)
		return rc;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	if (!rc && fdatasync(fd) < 0)
		rc = -errno;
	close(fd);
	if (!rc && rename(tmp, at) < 0)
		rc = -errno;
	if (rc)
		(void)unlink(tmp);
	return rc;
}

int fs_jrec_put(struct bfs_fs *fs, const char *path, const struct bfs_entry *e)
{
	char tmp[PATH_MAX], at[PATH_MAX], dir[PATH_MAX];
	struct bfs_jrec r;
	int rc;

	rec_from_entry(&r, path, e);
	r.seq = next_seq(fs);
	snprintf(dir, sizeof(dir), "%s/journal", fs->cache_dir);
	rc = fs_jrec_path(fs, tmp, sizeof(tmp), e->staged_id, ".tmp");
	if (!rc)
		rc = fs_jrec_path(fs, at, sizeof(at), e->staged_id, ".rec");
	if (!rc)
		rc = write_rec(&r, tmp, at);
	if (!rc)
		rc = fs_sync_dir(dir);
	if (rc)
		bfs_log(LOG_ERR, "%s: cannot write its journal record in %s: %s", path, dir,
			strerror(-rc));
	return rc;
}

/* Read and decode the record file at path. */
static int read_rec(const char *path, struct bfs_jrec *r)
{
	unsigned char buf[BFS_JREC_MAX + 1];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || (size_t)n > BFS_JREC_MAX)
		return -EIO;
	return bfs_jrec_decode(buf, (size_t)n, r);
}

/* The id a record's file name gives ("ID.rec"), 0 for another name. */
static uint64_t rec_id(const char *name, const char *suffix)
{
	char *end;
	uint64_t id = strtoull(name, &end, 10);

	return name[0] >= '1' && name[0] <= '9' && !strcmp(end, suffix) ? id : 0;
}

/*
 * Keep what cannot be recovered: move the record (journal/name, or if it has
 * none, a record made from r) and the data file (id, in from) into
 * CACHE/lost+found as STAMP-ID.rec / .data, and log it at level.
 */
static void lose(struct bfs_fs *fs, const char *from, const char *name, const struct bfs_jrec *r,
		 uint64_t id, const char *why, int level)
{
	char lf[PATH_MAX], base[PATH_MAX], src[PATH_MAX], dst[PATH_MAX];
	struct stat sb;
	int i, data = 0;

	if ((size_t)snprintf(lf, sizeof(lf), "%s/lost+found", fs->cache_dir) >= sizeof(lf))
		return;
	(void)mkdir(lf, 0700);
	for (i = 0; i < 1000; i++) {
		if ((size_t)snprintf(base, sizeof(base), "%s/%lld-%" PRIu64 "-%d", lf,
				     (long long)time(NULL), id, i) >= sizeof(base) ||
		    with_suffix(dst, sizeof(dst), base, ".rec"))
			return;
		if (stat(dst, &sb) < 0)
			break;
	}
	if (name) {
		if ((size_t)snprintf(src, sizeof(src), "%s/journal/%s", fs->cache_dir, name) <
			sizeof(src) &&
		    rename(src, dst) < 0)
			bfs_log(LOG_ERR, "journal: cannot move %s to %s: %s", src, dst,
				strerror(errno));
	} else if (r && !with_suffix(src, sizeof(src), base, ".tmp")) {
		(void)write_rec(r, src, dst);
	}
	if (id &&
	    (size_t)snprintf(src, sizeof(src), "%s/%02x/%" PRIu64, from, (unsigned)(id & 0xff),
			     id) < sizeof(src) &&
	    !with_suffix(dst, sizeof(dst), base, ".data")) {
		if (rename(src, dst) == 0)
			data = 1;
		else if (errno != ENOENT)
			bfs_log(LOG_ERR, "journal: cannot move %s to %s: %s", src, dst,
				strerror(errno));
	}
	(void)fs_sync_dir(lf);
	bfs_log(level,
		"%s: its journaled upload (%" PRIu64 " bytes) %s: %s; kept in %s.rec%s; "
		"the bucket keeps its previous version",
		r ? r->path : "(unknown path)", r ? r->size : 0,
		level == LOG_ERR ? "cannot be made" : "is not made", why, base,
		data ? " and .data" : "");
}

void fs_jrec_lose_entry(struct bfs_fs *fs, const char *path, const struct bfs_entry *e,
			const char *why)
{
	char at[PATH_MAX], name[64];
	struct bfs_jrec r;
	struct stat sb;

	rec_from_entry(&r, path, e);
	snprintf(name, sizeof(name), "%" PRIu64 ".rec", e->staged_id);
	if (!fs_jrec_path(fs, at, sizeof(at), e->staged_id, ".rec") && stat(at, &sb) == 0)
		lose(fs, fs->data_dir, name, &r, e->staged_id, why, LOG_ERR);
	else
		lose(fs, fs->data_dir, NULL, &r, e->staged_id, why, LOG_ERR);
}

/* ---- the index is intact ---- */

struct reconcile {
	struct bfs_fs *fs;
	struct idset ids;
	int rc;
};

static int reconcile_one(void *arg, const char *path, const struct bfs_entry *e)
{
	struct reconcile *c = arg;
	char at[PATH_MAX];
	struct bfs_jrec r;

	if (e->type != BFS_ENT_FILE || !e->staged_id)
		return 0;
	if (idset_add(&c->ids, e->staged_id)) {
		c->rc = -ENOMEM;
		return 1;
	}
	if (fs_jrec_path(c->fs, at, sizeof(at), e->staged_id, ".rec"))
		return 0;
	/* a crash inside a rename left the record on the old path; an upload
	 * journaled by an older bucketfs has none (written if it has a digest) */
	if (read_rec(at, &r) == 0 ? strcmp(r.path, path) != 0 && e->crc_bytes == e->size
				  : e->crc_bytes == e->size && e->size)
		(void)fs_jrec_put(c->fs, path, e);
	return 0;
}

int fs_jrec_reconcile(struct bfs_fs *fs)
{
	struct reconcile c = { fs, IDSET_INIT, 0 };
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int rc = bfs_index_scan_state(fs->ix, BFS_ST_UPLOADING, reconcile_one, &c);

	if (rc >= 0)
		rc = c.rc;
	snprintf(dir, sizeof(dir), "%s/journal", fs->cache_dir);
	d = rc < 0 ? NULL : opendir(dir);
	while (d && (de = readdir(d))) {
		uint64_t id = rec_id(de->d_name, ".rec");

		if ((id && !idset_has(&c.ids, id)) || rec_id(de->d_name, ".tmp"))
			(void)unlinkat(dirfd(d), de->d_name, 0); /* done, or never acknowledged */
	}
	if (d)
		closedir(d);
	idset_free(&c.ids);
	return rc < 0 ? rc : 0;
}

/* ---- the index was lost or damaged ---- */

struct found {
	struct bfs_jrec r;
	char name[64];
};

static int by_path_newest(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	int c = strcmp(x->r.path, y->r.path);

	if (c)
		return c;
	return x->r.seq > y->r.seq ? -1 : x->r.seq < y->r.seq;
}

/* Why the data file of r (in from) is not r's bytes (NULL: it is). */
static const char *data_problem(const char *from, const struct bfs_jrec *r)
{
	char p[PATH_MAX];
	struct stat sb;
	uint32_t crc = 0;
	const char *why = NULL;
	int fd;

	if ((size_t)snprintf(p, sizeof(p), "%s/%02x/%" PRIu64, from,
			     (unsigned)(r->staged_id & 0xff), r->staged_id) >= sizeof(p))
		return "its data file's name is too long";
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "its data file is missing";
	if (fstat(fd, &sb) < 0 || (uint64_t)sb.st_size != r->size)
		why = "its data file is not the size recorded";
	else if (fs_data_crc(fd, 0, r->size, &crc) || crc != r->crc32c)
		why = "its data file does not match its CRC32C";
	close(fd);
	return why;
}

/* r's data is whole: put it back in the data directory, journaled again. */
static int revive(struct bfs_fs *fs, struct bfs_index_batch *b, const char *from,
		  const struct bfs_jrec *r)
{
	char src[PATH_MAX], dst[PATH_MAX], key[INDEX_KEY_BUF];
	struct bfs_entry e;
	size_t klen;
	int rc = bfs_index_key(r->path, key, sizeof(key), &klen);

	if (rc)
		return rc; /* not a path the index can hold: nothing moved */
	if (strcmp(from, fs->data_dir)) {
		snprintf(src, sizeof(src), "%s/%02x/%" PRIu64, from,
			 (unsigned)(r->staged_id & 0xff), r->staged_id);
		rc = fs_data_path(fs, r->staged_id, dst, sizeof(dst));
		if (rc)
			return rc;
		if (rename(src, dst) < 0)
			return -errno;
	}
	bfs_entry_init(&e);
	e.type = BFS_ENT_FILE;
	e.state = BFS_ST_UPLOADING;
	e.flags =
	    (r->flags & ~(uint32_t)(BFS_EF_CACHED | BFS_EF_FETCHED)) | BFS_EF_META | BFS_EF_LOCAL;
	e.mode = r->mode;
	e.uid = r->uid;
	e.gid = r->gid;
	e.size = r->size;
	e.mtime_ns = r->mtime_ns;
	e.staged_id = r->staged_id;
	e.crc_bytes = r->size;
	e.crc32c = r->crc32c;
	e.upload_after_ns = 0; /* due now */
	snprintf(e.etag, sizeof(e.etag), "%s", r->etag);
	return bfs_index_batch_put(b, r->path, &e);
}

/* Read journal/'s records into *out (*n of them); the unreadable ones are lost. */
static int collect(struct bfs_fs *fs, const char *from, struct found **out, size_t *n)
{
	char dir[PATH_MAX], p[PATH_MAX];
	struct found *v = NULL, *nv;
	size_t cap = 0;
	struct dirent *de;
	DIR *d;

	*n = 0;
	snprintf(dir, sizeof(dir), "%s/journal", fs->cache_dir);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		uint64_t id = rec_id(de->d_name, ".rec");

		if (rec_id(de->d_name, ".tmp")) {
			(void)unlinkat(dirfd(d), de->d_name, 0); /* never complete */
			continue;
		}
		if (!id)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				closedir(d);
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		if ((size_t)snprintf(v[*n].name, sizeof(v[*n].name), "%s", de->d_name) >=
			sizeof(v[*n].name) ||
		    (size_t)snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= sizeof(p))
			continue; /* (an id's name is short) */
		if (read_rec(p, &v[*n].r) || v[*n].r.staged_id != id) {
			lose(fs, from, v[*n].name, NULL, id, "its journal record cannot be read",
			     LOG_ERR);
			continue;
		}
		(*n)++;
	}
	closedir(d);
	*out = v;
	return 0;
}

int fs_jrec_recover(struct bfs_fs *fs, const char *from, struct idset *kept)
{
	struct bfs_index_batch *b = NULL;
	struct found *v = NULL;
	uint64_t max_id = 0, revived = 0;
	size_t n, i;
	int rc = collect(fs, from, &v, &n);

	if (rc || !n)
		goto out;
	qsort(v, n, sizeof(*v), by_path_newest);
	rc = bfs_index_batch_begin(fs->ix, &b);
	for (i = 0; i < n && !rc; i++) {
		const char *why;

		if (i && !strcmp(v[i].r.path, v[i - 1].r.path)) {
			lose(fs, from, v[i].name, &v[i].r, v[i].r.staged_id,
			     "a later version of the path was journaled after it", LOG_WARNING);
			continue;
		}
		why = data_problem(from, &v[i].r);
		if (why) {
			lose(fs, from, v[i].name, &v[i].r, v[i].r.staged_id, why, LOG_ERR);
			continue;
		}
		rc = revive(fs, b, from, &v[i].r);
		if (rc == -EINVAL || rc == -ENAMETOOLONG || rc == -ERANGE) {
			lose(fs, from, v[i].name, &v[i].r, v[i].r.staged_id,
			     "its path cannot be in the index", LOG_ERR);
			rc = 0;
			continue;
		}
		if (!rc && idset_add(kept, v[i].r.staged_id))
			rc = -ENOMEM;
		if (v[i].r.staged_id > max_id)
			max_id = v[i].r.staged_id;
		revived++;
	}
	if (!rc)
		rc = bfs_index_batch_commit(b);
	else
		bfs_index_batch_abort(b);
	if (!rc && max_id)
		rc = bfs_index_ids_above(fs->ix, max_id);
	if (!rc && revived)
		bfs_log(LOG_WARNING,
			"journal: the cache index was lost or damaged: %" PRIu64
			" journaled uploads recovered from their records in %s/journal; they are "
			"sent now",
			revived, fs->cache_dir);
out:
	free(v);
	if (rc)
		bfs_log(LOG_ERR, "journal: recovering the journaled uploads failed: %s",
			strerror(-rc));
	return rc;
}

int fs_jrec_lost(const struct bfs_fs *fs, uint64_t *n)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	*n = 0;
	snprintf(dir, sizeof(dir), "%s/lost+found", fs->cache_dir);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strstr(de->d_name, ".rec"))
			(*n)++;
	closedir(d);
	return 0;
}
