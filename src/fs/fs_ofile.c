/* SPDX-License-Identifier: MIT */
/*
 * fs_ofile.c - the table of open files: one struct bfs_ofile per path open
 * here, shared by its handles (fs_file.c) and the uploader, found by a hash
 * of the path under fs->files.lock, and counted by references.  A renamed
 * file moves in the table; an unlinked one leaves it and lives on through
 * its handles, its data file removed with the last reference.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "bucketfs/hash.h"
#include "bucketfs/log.h"
#include "fs/fs_int.h"
#include "util/strv.h"

static unsigned path_hash(const char *p)
{
	return bfs_fnv1a32(p, BFS_FNV32_INIT) % FS_OPEN_BUCKETS;
}

struct bfs_ofile *fs_ofile_find(struct bfs_fs *fs, const char *path)
{
	struct bfs_ofile *of;

	pthread_mutex_lock(&fs->files.lock);
	for (of = fs->files.bucket[path_hash(path)]; of; of = of->next)
		if (!strcmp(of->path, path))
			break;
	if (of)
		of->refs++;
	pthread_mutex_unlock(&fs->files.lock);
	return of;
}

int fs_ofile_is_open(struct bfs_fs *fs, const char *path)
{
	struct bfs_ofile *of = fs_ofile_find(fs, path);

	if (!of)
		return 0;
	fs_ofile_put(fs, of);
	return 1;
}

/*
 * Find or make the open file for path; *fresh says it was just made (and
 * is returned with of->lock held, for the caller to set up).  Lock order:
 * an of->lock before fs->files.lock, never the reverse (the caller looks
 * names up, which takes files.lock, while it holds a fresh of->lock), so a
 * fresh one is locked before it is published.
 */
int fs_ofile_get(struct bfs_fs *fs, const char *path, struct bfs_ofile **out, int *fresh)
{
	unsigned h = path_hash(path);
	struct bfs_ofile *of, *nof;

	*fresh = 0;
	if ((*out = fs_ofile_find(fs, path)))
		return 0;
	nof = calloc(1, sizeof(*nof));
	if (!nof || !(nof->path = strdup(path))) {
		free(nof);
		return -ENOMEM;
	}
	nof->fd = -1;
	nof->dead_fd = -1;
	nof->refs = 1;
	pthread_rwlock_init(&nof->io, NULL);
	pthread_mutex_init(&nof->lock, NULL);
	pthread_mutex_lock(&nof->lock);

	pthread_mutex_lock(&fs->files.lock);
	for (of = fs->files.bucket[h]; of; of = of->next)
		if (!strcmp(of->path, path))
			break;
	if (of) { /* another thread made it meanwhile */
		of->refs++;
		pthread_mutex_unlock(&fs->files.lock);
		pthread_mutex_unlock(&nof->lock);
		pthread_mutex_destroy(&nof->lock);
		pthread_rwlock_destroy(&nof->io);
		free(nof->path);
		free(nof);
		*out = of;
		return 0;
	}
	nof->next = fs->files.bucket[h];
	fs->files.bucket[h] = nof;
	pthread_mutex_unlock(&fs->files.lock);
	*fresh = 1;
	*out = nof;
	return 0;
}

/* Take of out of the table (under fs->files.lock). */
static void ofile_unhash(struct bfs_fs *fs, struct bfs_ofile *of)
{
	struct bfs_ofile **pp;

	for (pp = &fs->files.bucket[path_hash(of->path)]; *pp; pp = &(*pp)->next) {
		if (*pp == of) {
			*pp = of->next;
			of->next = NULL;
			return;
		}
	}
}

void fs_ofile_rename(struct bfs_fs *fs, const char *from, const char *to)
{
	struct bfs_ofile *of;
	char *np = to ? strdup(to) : NULL;

	pthread_mutex_lock(&fs->files.lock);
	for (of = fs->files.bucket[path_hash(from)]; of; of = of->next)
		if (!strcmp(of->path, from))
			break;
	if (of) {
		ofile_unhash(fs, of);
		if (np) {
			free(of->path);
			of->path = np;
			np = NULL;
			of->next = fs->files.bucket[path_hash(of->path)];
			fs->files.bucket[path_hash(of->path)] = of;
		} else {
			/* unlinked: reachable only through its handles now */
			of->unlinked = 1;
		}
	}
	pthread_mutex_unlock(&fs->files.lock);
	free(np);
}

/* path lies below directory dir ("/" holds everything). */
static int below(const char *path, const char *dir, size_t dl)
{
	if (dl == 1 && dir[0] == '/')
		return 1;
	return !strncmp(path, dir, dl) && path[dl] == '/';
}

int fs_ofile_rename_tree(struct bfs_fs *fs, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), i, n;
	struct bfs_ofile **v;
	char **np;
	int rc = fs_ofile_collect(fs, from, &v, &n);

	if (rc || !n) {
		free(v);
		return rc;
	}
	/* The new paths first: nothing changes if one cannot be made. */
	np = calloc(n, sizeof(*np));
	for (i = 0; np && i < n; i++) {
		size_t rest = strlen(v[i]->path) - fl;

		if (!(np[i] = malloc(tl + rest + 1)))
			break;
		memcpy(np[i], to, tl);
		memcpy(np[i] + tl, v[i]->path + fl, rest + 1);
	}
	rc = np && i == n ? 0 : -ENOMEM;
	pthread_mutex_lock(&fs->files.lock);
	for (i = 0; !rc && i < n; i++) {
		struct bfs_ofile *of = v[i];

		if (of->unlinked) /* (unlinked meanwhile: out of the table) */
			continue;
		ofile_unhash(fs, of);
		free(of->path);
		of->path = np[i];
		np[i] = NULL;
		of->next = fs->files.bucket[path_hash(of->path)];
		fs->files.bucket[path_hash(of->path)] = of;
	}
	pthread_mutex_unlock(&fs->files.lock);
	for (i = 0; i < n; i++) {
		if (np)
			free(np[i]);
		fs_ofile_put(fs, v[i]);
	}
	free(np);
	free(v);
	return rc;
}

int fs_ofile_collect(struct bfs_fs *fs, const char *dir, struct bfs_ofile ***out, size_t *nout)
{
	size_t dl = strlen(dir), n = 0, cap = 0;
	struct bfs_ofile *of, **v = NULL, **nv;
	int h;

	pthread_mutex_lock(&fs->files.lock);
	for (h = 0; h < FS_OPEN_BUCKETS; h++) {
		for (of = fs->files.bucket[h]; of; of = of->next) {
			if (!below(of->path, dir, dl))
				continue;
			if (!(nv = bfs_grow(v, n, &cap, sizeof(*v)))) {
				while (n-- > 0)
					v[n]->refs--; /* none was the last: the table holds them */
				pthread_mutex_unlock(&fs->files.lock);
				free(v);
				return -ENOMEM;
			}
			v = nv;
			of->refs++;
			v[n++] = of;
		}
	}
	pthread_mutex_unlock(&fs->files.lock);
	*out = v;
	*nout = n;
	return 0;
}

void fs_ofile_orphan_held(struct bfs_fs *fs, struct bfs_ofile *of)
{
	pthread_mutex_lock(&of->lock);
	of->gone = 1;
	of->dirty = 0;
	pthread_mutex_unlock(&of->lock);
	pthread_rwlock_unlock(&of->io);
	fs_jrec_drop(fs, of->fd_id); /* no upload of it is owed any more */
}

void fs_ofile_orphan(struct bfs_fs *fs, struct bfs_ofile *of)
{
	/* Exclusive: an upload in flight ends first, and none starts after. */
	pthread_rwlock_wrlock(&of->io);
	fs_ofile_orphan_held(fs, of);
}

/*
 * The last reference to a file whose close() reported that its upload
 * failed, with nothing changed since: its writes go (fs_revert_entry), so
 * the file does not appear later by itself, from this mount or the next.
 * (Under fs->files.lock, before it leaves the table: an open of the path
 * that comes after finds the entry as it is now.)
 */
static void revert_failed(struct bfs_fs *fs, struct bfs_ofile *of)
{
	if (of->unlinked || of->gone || !of->dirty || !of->failed_gen ||
	    of->failed_gen != of->gen || of->ent.state != BFS_ST_DIRTY)
		return;
	bfs_log(LOG_WARNING,
		"%s: its close() failed (%s), so its unuploaded writes are "
		"dropped: the file is what the bucket has",
		of->path,
		of->ent.upload_error ? bfs_strerror(of->ent.upload_error) : "not uploaded");
	if (fs_revert_entry(fs, of->path, &of->ent) == 0 && of->fd_id == of->ent.staged_id)
		of->fd_id = 0; /* (removed with it) */
	of->dirty = 0;
}

void fs_ofile_put(struct bfs_fs *fs, struct bfs_ofile *of)
{
	int last;

	pthread_mutex_lock(&fs->files.lock);
	last = --of->refs == 0;
	if (last)
		revert_failed(fs, of);
	if (last && !of->unlinked)
		ofile_unhash(fs, of);
	pthread_mutex_unlock(&fs->files.lock);
	if (!last)
		return;
	fs_stream_put(of->stream);
	if (of->dead_fd >= 0)
		close(of->dead_fd);
	if (of->fd >= 0)
		close(of->fd);
	if (of->unlinked || of->gone) /* no name: no entry refers to its data */
		fs_data_unlink(fs, of->fd_id);
	pthread_rwlock_destroy(&of->io);
	pthread_mutex_destroy(&of->lock);
	free(of->path);
	free(of);
}

int fs_ofile_stat(struct bfs_fs *fs, struct bfs_ofile *of, struct stat *st)
{
	struct bfs_entry e;
	int gone;

	pthread_mutex_lock(&of->lock);
	e = of->ent;
	e.size = of->size;
	gone = of->gone;
	pthread_mutex_unlock(&of->lock);
	if (!e.type)
		return -ENOENT; /* not set up (its open failed) */
	fs_entry_stat(fs, &e, st);
	if (gone)
		st->st_nlink = 0; /* unlinked while open, as on a local disk */
	return 0;
}

void fs_files_init(struct bfs_fs *fs)
{
	pthread_mutex_init(&fs->files.lock, NULL);
}

void fs_ofile_attach(struct bfs_fs *fs, struct bfs_file *f)
{
	pthread_mutex_lock(&fs->files.lock);
	f->prev = NULL;
	f->next = f->of->handles;
	if (f->next)
		f->next->prev = f;
	f->of->handles = f;
	pthread_mutex_unlock(&fs->files.lock);
}

void fs_ofile_detach(struct bfs_fs *fs, struct bfs_file *f)
{
	pthread_mutex_lock(&fs->files.lock);
	if (f->prev)
		f->prev->next = f->next;
	else
		f->of->handles = f->next;
	if (f->next)
		f->next->prev = f->prev;
	pthread_mutex_unlock(&fs->files.lock);
}

int fs_ofile_alone(struct bfs_fs *fs, const struct bfs_file *f)
{
	int alone;

	pthread_mutex_lock(&fs->files.lock);
	alone = f->of->handles == f && !f->next;
	pthread_mutex_unlock(&fs->files.lock);
	return alone;
}

int bfs_fs_open_handles(struct bfs_fs *fs, const char *path)
{
	struct bfs_ofile *of = fs_ofile_find(fs, path);
	const struct bfs_file *f;
	int n = 0;

	if (!of)
		return 0;
	pthread_mutex_lock(&fs->files.lock);
	for (f = of->handles; f; f = f->next)
		n++;
	pthread_mutex_unlock(&fs->files.lock);
	fs_ofile_put(fs, of);
	return n;
}

void fs_files_destroy(struct bfs_fs *fs)
{
	int i;

	for (i = 0; i < FS_OPEN_BUCKETS; i++) {
		while (fs->files.bucket[i]) {
			struct bfs_ofile *of = fs->files.bucket[i];

			fs->files.bucket[i] = of->next;
			/* handles the kernel never released (unmounted while open) */
			while (of->handles) {
				struct bfs_file *f = of->handles;

				of->handles = f->next;
				free(f);
			}
			fs_stream_put(of->stream);
			if (of->dead_fd >= 0)
				close(of->dead_fd);
			if (of->fd >= 0)
				close(of->fd);
			pthread_rwlock_destroy(&of->io);
			pthread_mutex_destroy(&of->lock);
			free(of->path);
			free(of);
		}
	}
	pthread_mutex_destroy(&fs->files.lock);
}
