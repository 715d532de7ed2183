/* SPDX-License-Identifier: MIT */
/*
 * fs_meta.c - the attributes a listing cannot give.  An S3 or OSS listing
 * carries no user metadata: an object it shows may be a symlink (s3fs's
 * format), and may have any mode and owner; a directory it shows may have
 * a marker saying its mode is 0700.  So an entry known only from a listing
 * is never answered from the index (fs_attrs_known): its lookup asks first
 * (a HEAD, a GET of its first bytes, or the directory's probe), and what
 * it learns is kept until the listing shows another ETag or LastModified.
 *
 * So that `ls -l` of a directory nobody looked into costs about one round
 * trip rather than one per entry, the first lookup of such an entry also
 * starts, in parallel, the same requests for the next META_AHEAD such
 * entries of its directory (fs_meta_prefetch), as a browser prefetches:
 * the lookups that follow, in name order, find them answered, or wait for
 * the request on its way (fs->memo.lookups).  For directories, one LIST of the
 * keys below their parent (a tree listing, fs_tree.c) first says which
 * have no marker, and so nothing to ask (fs_meta_tree_due: once per
 * parent in META_MEMO_NS).
 *
 * DESIGN: a FIFO of paths and up to META_THREADS workers, started at the
 * first prefetch, each asking through the function fs_meta_start was
 * given (fs_lookup_attrs: the lookups are a level above this queue).  fs->meta->mu guards the
 * queue, the memo of what was queued last per directory and the flags; it is never held across a
 * request or an index call.  A worker leads its path's flight
 * (fs_lookup_attrs), so a lookup of that name waits for it instead of
 * asking again; a path a lookup is already asking about is skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/fs_int.h"
#include "util/strv.h"

#define META_THREADS 16
#define META_AHEAD 128 /* entries queued after the one looked up */
#define META_QUEUE                                                                                 \
	1024	     /* paths waiting at most (more are dropped: their                             \
		      * own lookups ask) */
#define META_MEMO 16 /* directories remembered */
#define META_MEMO_NS 2000000000LL

struct meta_memo {
	uint64_t hash;	 /* pathttl_hash of the directory; 0 free */
	char *last;	 /* the last name queued (owned) */
	int64_t at_ns;	 /* when */
	int64_t tree_ns; /* when its tree was last listed for this (0: not) */
};

struct fs_meta {
	int (*ask)(struct bfs_fs *fs, const char *path); /* fs_lookup_attrs */
	pthread_mutex_t mu;
	pthread_cond_t cond;
	char *queue[META_QUEUE];
	size_t head, len;
	int stop;
	int nthreads;
	pthread_t threads[META_THREADS];
	struct meta_memo memo[META_MEMO];
};

static void *worker(void *arg)
{
	struct bfs_fs *fs = arg;
	struct fs_meta *m = fs->meta;

	pthread_mutex_lock(&m->mu);
	for (;;) {
		char *path;

		while (!m->len && !m->stop)
			pthread_cond_wait(&m->cond, &m->mu);
		if (m->stop)
			break;
		path = m->queue[m->head];
		m->head = (m->head + 1) % META_QUEUE;
		m->len--;
		pthread_mutex_unlock(&m->mu);
		(void)m->ask(fs, path);
		free(path);
		pthread_mutex_lock(&m->mu);
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

int fs_meta_start(struct bfs_fs *fs, int (*ask)(struct bfs_fs *fs, const char *path))
{
	struct fs_meta *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->ask = ask;
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cond, NULL);
	fs->meta = m;
	return 0;
}

int fs_meta_ask(struct bfs_fs *fs, const char *path)
{
	return fs->meta ? fs->meta->ask(fs, path) : 0;
}

void fs_meta_stop(struct bfs_fs *fs)
{
	struct fs_meta *m = fs->meta;
	int i;

	if (!m)
		return;
	pthread_mutex_lock(&m->mu);
	m->stop = 1;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->mu);
	for (i = 0; i < m->nthreads; i++)
		pthread_join(m->threads[i], NULL);
	while (m->len) {
		free(m->queue[m->head]);
		m->head = (m->head + 1) % META_QUEUE;
		m->len--;
	}
	for (i = 0; i < META_MEMO; i++)
		free(m->memo[i].last);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->mu);
	free(m);
	fs->meta = NULL;
}

/* The children of a directory whose attributes a lookup would ask for. */
struct unknown {
	struct bfs_fs *fs;
	const char *dir;
	struct strv paths;
	int rc;
};

static int collect(void *arg, const char *name, const struct bfs_entry *e)
{
	struct unknown *u = arg;
	char path[BFS_INDEX_PATH_MAX];

	if (e->state != BFS_ST_CLEAN || fs_attrs_known(u->fs, e))
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s%s%s", u->dir, strcmp(u->dir, "/") ? "/" : "",
			     name) >= sizeof(path))
		return 0;
	u->rc = strv_add(&u->paths, path, strlen(path));
	return u->rc || u->paths.n >= META_AHEAD ? 1 : 0;
}

/*
 * Is name of directory hash covered by what was queued for it lately?  If
 * not, the memo is taken for it (the caller fills last).  Under m->mu.
 */
static struct meta_memo *memo_claim(struct fs_meta *m, uint64_t hash, const char *name, int64_t now)
{
	struct meta_memo *o = &m->memo[hash % META_MEMO];

	if (o->hash == hash && o->last && now - o->at_ns < META_MEMO_NS &&
	    strcmp(name, o->last) <= 0)
		return NULL;
	if (o->hash != hash)
		o->tree_ns = 0;
	o->hash = hash;
	o->at_ns = now;
	return o;
}

int fs_meta_tree_due(struct bfs_fs *fs, const char *path)
{
	struct fs_meta *m = fs->meta;
	char dir[BFS_INDEX_PATH_MAX];
	struct meta_memo *o;
	const char *name;
	int64_t now = fs_now_ns();
	uint64_t hash;
	int due;

	if (!m || fs_split(path, dir, sizeof(dir), &name))
		return 0;
	hash = pathttl_hash(dir);
	pthread_mutex_lock(&m->mu);
	o = &m->memo[hash % META_MEMO];
	due = o->hash != hash || now - o->tree_ns >= META_MEMO_NS;
	if (due) {
		if (o->hash != hash) {
			free(o->last);
			o->last = NULL;
			o->at_ns = 0;
		}
		o->hash = hash;
		o->tree_ns = now;
	}
	pthread_mutex_unlock(&m->mu);
	return due;
}

void fs_meta_prefetch(struct bfs_fs *fs, const char *path)
{
	struct fs_meta *m = fs->meta;
	char dir[BFS_INDEX_PATH_MAX];
	struct unknown u = { fs, dir, STRV_INIT, 0 };
	struct meta_memo *o;
	const char *name;
	uint64_t hash;
	size_t i;

	if (!m || fs_split(path, dir, sizeof(dir), &name))
		return;
	hash = pathttl_hash(dir);
	pthread_mutex_lock(&m->mu);
	o = memo_claim(m, hash, name, fs_now_ns());
	pthread_mutex_unlock(&m->mu);
	if (!o)
		return;
	(void)bfs_index_children_after(fs->ix, dir, name, collect, &u);
	pthread_mutex_lock(&m->mu);
	if (o->hash == hash && u.paths.n) {
		const char *last = strrchr(u.paths.v[u.paths.n - 1], '/') + 1;
		char *c = strdup(last);

		if (c) {
			free(o->last);
			o->last = c;
		}
	}
	for (i = 0; i < u.paths.n && m->len < META_QUEUE; i++) {
		m->queue[(m->head + m->len++) % META_QUEUE] = u.paths.v[i];
		u.paths.v[i] = NULL;
	}
	/* workers come as there is work for them, up to META_THREADS */
	while (m->nthreads < META_THREADS && m->nthreads < (int)m->len && !m->stop &&
	       pthread_create(&m->threads[m->nthreads], NULL, worker, fs) == 0)
		m->nthreads++;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->mu);
	strv_free(&u.paths); /* (what was queued is the queue's now) */
}
