/* SPDX-License-Identifier: MIT */
/*
 * fs_ofile.c - the table of open files: one struct bfs_ofile per path open
 * here, shared by its handles (fs_file.c) and the uploader, found by a hash
 * of the path under fs->open_lock, and counted by references.  A renamed
 * file moves in the table; an unlinked one leaves it and lives on through
 * its handles, its data file removed with the last reference.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs_int.h"

static unsigned path_hash(const char *p)
{
	unsigned h = 2166136261u;

	while (*p)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h % FS_OPEN_BUCKETS;
}

struct bfs_ofile *fs_ofile_find(struct bfs_fs *fs, const char *path)
{
	struct bfs_ofile *of;

	pthread_mutex_lock(&fs->open_lock);
	for (of = fs->open[path_hash(path)]; of; of = of->next)
		if (!strcmp(of->path, path))
			break;
	if (of)
		of->refs++;
	pthread_mutex_unlock(&fs->open_lock);
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
 * an of->lock before fs->open_lock, never the reverse (the caller looks
 * names up, which takes open_lock, while it holds a fresh of->lock), so a
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
	nof->refs = 1;
	pthread_rwlock_init(&nof->io, NULL);
	pthread_mutex_init(&nof->lock, NULL);
	pthread_mutex_lock(&nof->lock);

	pthread_mutex_lock(&fs->open_lock);
	for (of = fs->open[h]; of; of = of->next)
		if (!strcmp(of->path, path))
			break;
	if (of) {  /* another thread made it meanwhile */
		of->refs++;
		pthread_mutex_unlock(&fs->open_lock);
		pthread_mutex_unlock(&nof->lock);
		pthread_mutex_destroy(&nof->lock);
		pthread_rwlock_destroy(&nof->io);
		free(nof->path);
		free(nof);
		*out = of;
		return 0;
	}
	nof->next = fs->open[h];
	fs->open[h] = nof;
	pthread_mutex_unlock(&fs->open_lock);
	*fresh = 1;
	*out = nof;
	return 0;
}

/* Take of out of the table (under fs->open_lock). */
static void ofile_unhash(struct bfs_fs *fs, struct bfs_ofile *of)
{
	struct bfs_ofile **pp;

	for (pp = &fs->open[path_hash(of->path)]; *pp; pp = &(*pp)->next) {
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

	pthread_mutex_lock(&fs->open_lock);
	for (of = fs->open[path_hash(from)]; of; of = of->next)
		if (!strcmp(of->path, from))
			break;
	if (of) {
		ofile_unhash(fs, of);
		if (np) {
			free(of->path);
			of->path = np;
			np = NULL;
			of->next = fs->open[path_hash(of->path)];
			fs->open[path_hash(of->path)] = of;
		} else {
			/* unlinked: reachable only through its handles now */
			of->unlinked = 1;
		}
	}
	pthread_mutex_unlock(&fs->open_lock);
	free(np);
}

void fs_ofile_put(struct bfs_fs *fs, struct bfs_ofile *of)
{
	int last;

	pthread_mutex_lock(&fs->open_lock);
	last = --of->refs == 0;
	if (last && !of->unlinked)
		ofile_unhash(fs, of);
	pthread_mutex_unlock(&fs->open_lock);
	if (!last)
		return;
	if (of->fd >= 0)
		close(of->fd);
	if (of->unlinked)
		fs_data_unlink(fs, of->fd_id);
	pthread_rwlock_destroy(&of->io);
	pthread_mutex_destroy(&of->lock);
	free(of->path);
	free(of);
}
