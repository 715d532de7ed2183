/* SPDX-License-Identifier: MIT */
/*
 * fs_itrim.c - the cache index kept within index_size: names the mount has
 * seen but holds no data for are forgotten, least recently used first, and
 * the directories they were in are marked unlisted, so the next readdir
 * lists them again and a lookup asks the bucket.  Without it, a mount over a
 * bucket of tens of millions of keys, listed over weeks, would keep every
 * name it ever saw (about 260 bytes each).
 *
 * DESIGN.  The measure is the bytes of the index's pages in use
 * (bfs_index_used).  When they pass index_size, a round (run by the
 * evictor thread, fs_cache.c) brings them down to 90% of it:
 *  1. NEGATIVE entries (names found missing) older than the keep window go
 *     first: past their window they answer nothing.
 *  2. Then, as the cache's evictor does for copies, one pass over the index
 *     counts the entries that may go by age class of their last use (the
 *     latest of an open, a confirmation by the bucket, a listing showing
 *     them), a second pass forgets, directory by directory, those in the
 *     oldest classes, until enough would be freed.  Memory stays constant
 *     however large the index.
 *  3. A round that leaves emptied directories behind is followed by
 *     another (their own entries go then), up to ITRIM_PASSES.
 * An entry may go only when nothing but the bucket knows it: CLEAN (or
 * NEGATIVE), no data file (copies are cache_size's to evict; once evicted,
 * their names may go), not made here and unseen in a listing yet, nothing
 * owed, not open, a directory with nothing below it in the index; and not
 * used within the keep window (ITRIM_KEEP_S, and at least list_ttl and
 * negative_ttl): a listing within its window has confirmed every name it
 * showed then, so a directory whose listing still counts as fresh never
 * loses a name to a round, whatever an entry written meanwhile carries.
 * Directories read (readdir, a listing) in the last ITRIM_DIR_KEEP_S keep
 * their children, so that a long `ls` that resumes from the index finds
 * them; and a readdir resuming in a directory marked unlisted lists it again
 * first (fs_dir.c).  Entries forgotten are the bucket's again: the cost is a
 * LIST or a HEAD when they are next wanted, and while the bucket is
 * unreachable, such a directory cannot be listed (EIO).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "bucketfs/log.h"
#include "fs/fs_int.h"

#define ITRIM_KEEP_S 60	     /* entries used this recently stay */
#define ITRIM_DIR_KEEP_S 600 /* directories read this recently keep their children */
/* Tests set both windows to N s with BFS_TEST_ITRIM_KEEP_S=N (1..600): a
 * test cannot wait minutes for names to age. */
#define ITRIM_KEEP_ENV "BFS_TEST_ITRIM_KEEP_S"
#define ITRIM_PASSES 3	       /* rounds in a row, while over the low mark */
#define ITRIM_NEG_BATCH 1000   /* NEGATIVE entries removed per transaction */
#define ITRIM_CHECK_NS 1000000 /* fs_itrim_check measures at most this often */

/* The last use of an entry, for LRU. */
static int64_t last_use(const struct bfs_entry *e)
{
	int64_t t = e->atime_ns;

	if (e->validated_ns > t)
		t = e->validated_ns;
	return e->seen_ns > t ? e->seen_ns : t;
}

static int64_t keep_ns(const struct bfs_fs *fs)
{
	int64_t k =
	    (int64_t)(fs->itrim.test_keep_s ? fs->itrim.test_keep_s : ITRIM_KEEP_S) * 1000000000;

	if ((int64_t)fs->cfg.list_ttl_ms * 1000000 > k)
		k = (int64_t)fs->cfg.list_ttl_ms * 1000000;
	if ((int64_t)fs->cfg.neg_ttl_ms * 1000000 > k)
		k = (int64_t)fs->cfg.neg_ttl_ms * 1000000;
	return k;
}

/* May e go (its age aside)?  Only what the bucket alone can tell again. */
static int forgettable(const struct bfs_entry *e, int has_children)
{
	if (e->state == BFS_ST_NEGATIVE)
		return 1;
	return e->state == BFS_ST_CLEAN && !e->data_id && !e->staged_id &&
	       !(e->flags & (BFS_EF_LOCAL | BFS_EF_OWED | BFS_EF_ATTRS | BFS_EF_KEEP | BFS_EF_ROOT |
			     BFS_EF_CACHED)) &&
	       !(e->type == BFS_ENT_DIR && has_children);
}

void fs_itrim_dir_used(struct bfs_fs *fs, const char *dir)
{
	int s = fs->itrim.test_keep_s ? fs->itrim.test_keep_s : ITRIM_DIR_KEEP_S;

	if (fs->cfg.index_size)
		pathttl_put(&fs->itrim.dirs, dir, fs_now_ns() + (int64_t)s * 1000000000);
}

void fs_itrim_check(struct bfs_fs *fs)
{
	int64_t now = fs_now_ns(), last = atomic_load(&fs->itrim.checked_ns);
	uint64_t used, file;

	if (!fs->cfg.index_size || now - last < ITRIM_CHECK_NS ||
	    now < atomic_load(&fs->itrim.next_ns) ||
	    !atomic_compare_exchange_strong(&fs->itrim.checked_ns, &last, now))
		return;
	if (bfs_index_used(fs->ix, &used, &file) == 0 && used > fs->cfg.index_size)
		fs_evict_wake(fs);
}

/* ---- 1: expired negative entries ---- */

struct negs {
	struct bfs_fs *fs;
	int64_t before;
	struct bfs_index_batch *b;
	int n;
	uint64_t done;
};

static int neg_flush(struct negs *g)
{
	int rc = 0;

	if (g->b && g->n)
		rc = bfs_index_batch_commit(g->b);
	else if (g->b)
		bfs_index_batch_abort(g->b);
	if (!rc) {
		g->done += (uint64_t)g->n;
		atomic_fetch_add(&g->fs->itrim.forgotten, (uint64_t)g->n);
	}
	g->b = NULL;
	g->n = 0;
	return rc;
}

static int neg_item(void *arg, const char *path, const struct bfs_entry *e)
{
	struct negs *g = arg;
	int rc;

	if (e->validated_ns >= g->before)
		return 0;
	if (!g->b && (rc = bfs_index_batch_begin(g->fs->ix, &g->b)) != 0)
		return rc;
	if (bfs_index_batch_del_if(g->b, path, e) == 0 && ++g->n == ITRIM_NEG_BATCH)
		return neg_flush(g);
	return 0;
}

static uint64_t forget_negatives(struct bfs_fs *fs, int64_t before)
{
	struct negs g = { fs, before, NULL, 0, 0 };
	int rc = bfs_index_scan_state(fs->ix, BFS_ST_NEGATIVE, neg_item, &g);

	if (rc) {
		if (g.b)
			bfs_index_batch_abort(g.b);
		return g.done;
	}
	(void)neg_flush(&g);
	return g.done;
}

/* ---- 2: least recently used names, directory by directory ---- */

struct lru {
	struct bfs_fs *fs;
	int64_t now, before; /* (before: the keep window's start) */
	int pass2, threshold;
	uint64_t quota; /* of the threshold class: what may go (older classes go whole) */
	uint64_t classes[FS_AGE_CLASSES];
	uint64_t candidates, forgotten;
	char dir[BFS_INDEX_PATH_MAX]; /* the group of children being read */
	int in_dir, dir_wanted;
	const char *cur_dir; /* fs->itrim.dirs check of the group, and forget_one's */
};

/* Within a transaction (bfs_index_forget): may this child go now? */
static int forget_one(void *arg, const char *name, const struct bfs_entry *e, int has_children)
{
	struct lru *l = arg;
	char path[BFS_INDEX_PATH_MAX];
	int64_t t = last_use(e);
	int c = fs_age_class(l->now, t);

	if (!forgettable(e, has_children) || t >= l->before ||
	    (e->state != BFS_ST_NEGATIVE && (c < l->threshold || (c == l->threshold && !l->quota))))
		return 0;
	snprintf(path, sizeof(path), "%s%s%s", l->cur_dir, strcmp(l->cur_dir, "/") ? "/" : "",
		 name);
	if (fs_ofile_is_open(l->fs, path))
		return 0;
	if (e->state != BFS_ST_NEGATIVE && c == l->threshold)
		l->quota--; /* (a transaction run again may count one twice: fewer go) */
	return 1;
}

/* The end of a group of children: forget what may go in it (pass 2). */
static int group_end(struct lru *l)
{
	uint64_t n = 0;
	int rc = 0;

	if (l->in_dir && l->dir_wanted && l->pass2 &&
	    !pathttl_has(&l->fs->itrim.dirs, l->dir, l->now)) {
		l->cur_dir = l->dir;
		rc = bfs_index_forget(l->fs->ix, l->dir, forget_one, l, &n);
		l->forgotten += n;
		atomic_fetch_add(&l->fs->itrim.forgotten, n);
	}
	l->in_dir = l->dir_wanted = 0;
	return rc;
}

static int lru_item(void *arg, const char *path, const struct bfs_entry *e)
{
	struct lru *l = arg;
	const char *slash = strrchr(path, '/');
	size_t dl = slash == path ? 1 : (size_t)(slash - path);
	int64_t t = last_use(e);
	int c, rc;

	if (!strcmp(path, "/"))
		return 0; /* (the root's own entry) */
	if (!l->in_dir || strlen(l->dir) != dl || memcmp(l->dir, path, dl)) {
		if ((rc = group_end(l)) != 0)
			return rc;
		memcpy(l->dir, path, dl);
		l->dir[dl] = '\0';
		l->in_dir = 1;
	}
	/* (a directory's children are known in the transaction only) */
	if (!forgettable(e, 0) || t >= l->before)
		return 0;
	c = fs_age_class(l->now, t);
	if (!l->pass2) {
		l->classes[c]++;
		l->candidates++;
	} else if (c >= l->threshold) {
		l->dir_wanted = 1;
	}
	return 0;
}

/* Forget about want entries, the least recently used first; returns how many went. */
static uint64_t forget_lru(struct bfs_fs *fs, uint64_t want, int64_t now, int64_t before)
{
	struct lru *l = calloc(1, sizeof(*l));
	uint64_t sum = 0, n = 0;
	int c;

	if (!l)
		return 0;
	l->fs = fs;
	l->now = now;
	l->before = before;
	if (bfs_index_scan_state(fs->ix, BFS_ST_CLEAN, lru_item, l) == 0 && l->candidates) {
		for (c = FS_AGE_CLASSES - 1; c > 0 && sum + l->classes[c] < want; c--)
			sum += l->classes[c];
		l->threshold = c;
		l->quota = want - sum; /* (sum < want) */
		l->pass2 = 1;
		l->in_dir = 0;
		if (bfs_index_scan_state(fs->ix, BFS_ST_CLEAN, lru_item, l) == 0)
			(void)group_end(l);
		n = l->forgotten;
	}
	free(l);
	return n;
}

void fs_itrim_round(struct bfs_fs *fs)
{
	uint64_t cap = fs->cfg.index_size, used, file, entries, bytes, low, gone = 0;
	int64_t now, before, t0 = fs_now_ns(), took;
	int pass;

	if (!cap || t0 < atomic_load(&fs->itrim.next_ns) || bfs_index_used(fs->ix, &used, &file) ||
	    used <= cap)
		return;
	low = cap - cap / 10;
	for (pass = 0; pass < ITRIM_PASSES && used > low; pass++) {
		uint64_t n, avg;

		now = fs_now_ns();
		before = now - keep_ns(fs);
		n = forget_negatives(fs, before);
		if (!n || bfs_index_used(fs->ix, &used, &file) || used > low) {
			if (bfs_index_stat(fs->ix, &entries, &bytes) || !entries)
				break;
			avg = used / entries ? used / entries : 1;
			n += forget_lru(fs, (used - low) / avg + 1, now, before);
		}
		gone += n;
		if (!n || bfs_index_used(fs->ix, &used, &file))
			break;
	}
	atomic_fetch_add(&fs->itrim.rounds, 1); /* (forgotten: counted as they go) */
	took = fs_now_ns() - t0;
	if (used <= cap) {
		atomic_store(&fs->itrim.over_logged, 0);
		bfs_log(LOG_INFO,
			"index: forgot %" PRIu64 " names seen least recently (%.1f s); %" PRIu64
			" bytes in use of index_size=%" PRIu64,
			gone, (double)took / 1e9, used, cap);
		return;
	}
	/* What is left was used too lately to go: not again before it may
	 * have aged (and never more than a tenth of the time in rounds). */
	atomic_store(&fs->itrim.next_ns,
		     fs_now_ns() + (keep_ns(fs) > 10 * took ? keep_ns(fs) : 10 * took));
	if (!atomic_exchange(&fs->itrim.over_logged, 1))
		bfs_log(LOG_WARNING,
			"index: %" PRIu64 " bytes in use, over index_size=%" PRIu64
			" after forgetting %" PRIu64 " names: the rest is in use (open, cached, "
			"pending, or used in the last %d s); trying again in %d s",
			used, cap, gone, (int)(keep_ns(fs) / 1000000000),
			(int)((keep_ns(fs) > 10 * took ? keep_ns(fs) : 10 * took) / 1000000000));
}

int bfs_fs_index_usage(struct bfs_fs *fs, struct bfs_fs_index_usage *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	o->cap = fs->cfg.index_size;
	if ((rc = bfs_index_stat(fs->ix, &o->entries, &o->disk_bytes)) != 0 ||
	    (rc = bfs_index_used(fs->ix, &o->used, &o->file)) != 0)
		return rc;
	o->rounds = atomic_load(&fs->itrim.rounds);
	o->forgotten = atomic_load(&fs->itrim.forgotten);
	return 0;
}

void fs_itrim_init(struct bfs_fs *fs)
{
	const char *v = getenv(ITRIM_KEEP_ENV);
	int keep = v ? atoi(v) : 0;

	fs->itrim.test_keep_s = keep >= 1 && keep <= ITRIM_DIR_KEEP_S ? keep : 0;
	pathttl_init(&fs->itrim.dirs);
	atomic_init(&fs->itrim.checked_ns, 0);
	atomic_init(&fs->itrim.rounds, 0);
	atomic_init(&fs->itrim.forgotten, 0);
	atomic_init(&fs->itrim.next_ns, 0);
	atomic_init(&fs->itrim.over_logged, 0);
}

void fs_itrim_destroy(struct bfs_fs *fs)
{
	pathttl_destroy(&fs->itrim.dirs);
}
