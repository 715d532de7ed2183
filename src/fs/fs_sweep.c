/* SPDX-License-Identifier: MIT */
/*
 * fs_sweep.c - sweeps: one LIST that revalidates many stale names at once,
 * when a walk is seen revalidating them one after another.  It also counts
 * the directories one process lists in a row, for fs_tree.c's tree listings.
 *
 * Files.  A walk that stats every name of a directory (`ls -l`, `find`,
 * `du`) after the positive window would cost a HEAD a file: 100,000 of
 * them for `ls -l` of a directory of 100,000 names, whose own listing takes
 * longer than the window; a web server reading files cached at different
 * moments, a HEAD or a conditional GET each as each goes stale.  So from
 * the SWEEP_AFTER-th stale file of one directory revalidated in a row (each
 * within SWEEP_GAP_NS of the one before), the file's request is followed by
 * one LIST of the SWEEP_KEYS names after it, which confirms those that did
 * not change (FS_APPLY_SWEEP): about a request per 1000 files.
 *
 * Directories.  A walk that reads the files of many directories of one
 * parent after the window (a web server serving images/<task>/<n>.png,
 * `find images -type f | xargs cat`) revalidates each directory
 * with a LIST of its first names (fs_lookup.c), which confirms its files
 * too: 200 requests for 200 task directories, every window.  So from the
 * SWEEP_AFTER-th stale directory of one parent revalidated in a row, the
 * directory is revalidated instead by one LIST without a delimiter of the
 * SWEEP_KEYS keys below the parent from the directory on: it confirms
 * every directory those keys lie in (something is below it: it exists) and
 * every file among them whose ETag did not change: about a request per
 * 1000 files, whatever the directories.  A name it does not confirm (gone,
 * changed, never listed) is revalidated at its own lookup, as before.  A
 * directory seen only in listings (whose marker was never looked for) is
 * confirmed too when the page shows it has none: its marker would be the
 * first of its keys.
 *
 * Either kind only when at least two names follow in the index that are
 * stale or half-way there (confirmed with the others, they go stale
 * together from then on) and that the LIST can confirm, so that the LIST
 * saves requests; one sweep at a time in a directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "bucketfs/log.h"
#include "fs/fs_int.h"
#include "util/strv.h"

#define SWEEP_AFTER 3
#define SWEEP_GAP_NS FS_SWEEP_GAP_NS
#define SWEEP_KEYS FS_SWEEP_KEYS
#define SWEEP_LOOK 64 /* the names after it looked at, at most */

/* What a sweep's LIST is for: files, directories, or directories' listings. */
enum sweep_kind { SWEEP_FILES, SWEEP_DIRS, SWEEP_LISTINGS };

struct stale_count {
	struct bfs_fs *fs;
	int64_t now;
	enum sweep_kind kind;
	int n, seen;
};

/* Stale or half-way there, and something a sweep's LIST can confirm (or,
 * for listings, a directory not listed within half the listing window). */
static int count_stale(void *arg, const char *name, const struct bfs_entry *e)
{
	struct stale_count *c = arg;
	const struct bfs_fs_cfg *cfg = &c->fs->cfg;

	(void)name;
	c->seen++;
	switch (c->kind) {
	case SWEEP_FILES:
		c->n += e->state == BFS_ST_CLEAN && e->type != BFS_ENT_DIR && e->etag[0] &&
			!fs_fresh(e->validated_ns, cfg->stat_ttl_ms / 2, c->now) &&
			fs_listing_may_confirm(e, 1);
		break;
	case SWEEP_DIRS:
		c->n += e->state == BFS_ST_CLEAN && e->type == BFS_ENT_DIR &&
			!fs_fresh(e->validated_ns, cfg->stat_ttl_ms / 2, c->now);
		break;
	case SWEEP_LISTINGS:
		c->n += e->state != BFS_ST_NEGATIVE && e->type == BFS_ENT_DIR &&
			!fs_fresh(e->listed_ns, cfg->list_ttl_ms / 2, c->now);
		break;
	}
	return c->n >= 2 || c->seen >= SWEEP_LOOK;
}

void fs_walked_key(char *buf, size_t sz, pid_t walker, const char *path)
{
	snprintf(buf, sz, "%ld\n%s", (long)walker, path);
}

/* Count path, a stale name about to be revalidated (or a directory about
 * to be listed by process walker: those are counted per process), among
 * its parent's; 1 when a sweep is due. */
static int sweep_due(struct bfs_fs *fs, const char *path, int64_t now, enum sweep_kind kind,
		     pid_t walker)
{
	char parent[BFS_INDEX_PATH_MAX], wk[BFS_INDEX_PATH_MAX + 24];
	struct stale_count c = { fs, now, kind, 0, 0 };
	struct fs_sweep *s;
	const char *name;
	uint64_t h;
	int due;

	if (fs_split(path, parent, sizeof(parent), &name))
		return 0;
	if (kind == SWEEP_LISTINGS) {
		fs_walked_key(wk, sizeof(wk), walker, parent);
		h = pathttl_hash(wk);
	} else {
		h = pathttl_hash(parent);
	}
	s = &fs->memo.sweeps[h % FS_SWEEP_SLOTS];
	pthread_mutex_lock(&fs->memo.relist_mu);
	if (s->hash != h || now - s->last_ns > SWEEP_GAP_NS) {
		s->hash = h;
		s->n = 0;
	}
	s->n++;
	s->last_ns = now;
	due = s->n >= SWEEP_AFTER;
	pthread_mutex_unlock(&fs->memo.relist_mu);
	return due && bfs_index_children_after(fs->ix, parent, name, count_stale, &c) >= 0 &&
	       c.n >= 2;
}

int fs_sweep_due(struct bfs_fs *fs, const char *path, int64_t now)
{
	return sweep_due(fs, path, now, SWEEP_FILES, 0);
}

int fs_tree_sweep_due(struct bfs_fs *fs, const char *path, int64_t now)
{
	return sweep_due(fs, path, now, SWEEP_DIRS, 0);
}

int fs_tree_list_due(struct bfs_fs *fs, const char *path, pid_t walker, int64_t now)
{
	return sweep_due(fs, path, now, SWEEP_LISTINGS, walker);
}

/* The LIST of a sweep: the names after path (object key) in its directory.
 * Best effort: a name it does not confirm is HEADed at its own lookup. */
void fs_sweep_after(struct bfs_fs *fs, const char *path, const char *key)
{
	char parent[BFS_INDEX_PATH_MAX], dkey[FS_KEY_MAX + 1];
	struct bfs_listing l;
	const char *name;
	int64_t now;
	int slot, rc;

	if (fs_split(path, parent, sizeof(parent), &name) ||
	    fs_dir_key(fs, parent, dkey, sizeof(dkey)))
		return;
	/* one LIST at a time in a directory; one that waited leaves the rest
	 * to the lookups after it */
	slot = flight_begin(&fs->memo.lookups, parent);
	if (slot == FLIGHT_WAITED)
		return;
	now = fs_now_ns();
	rc = bfs_store_list_after(fs->store, dkey, "/", key, SWEEP_KEYS, &l);
	if (rc == 0) {
		rc = fs_apply_page(fs, parent, dkey, &l, now, now, FS_APPLY_SWEEP, NULL);
		bfs_listing_release(&l);
	}
	if (rc)
		bfs_log(LOG_DEBUG, "the LIST after '%s' confirmed nothing (%d)", path, rc);
	if (slot >= 0)
		flight_end(&fs->memo.lookups, slot);
}

/* The directories a tree sweep saw keys below, to mark as existing now. */
struct tree_dirs {
	struct bfs_fs *fs;
	struct strv paths;
	struct strv marked;			 /* those among them with a "dir/" marker (rare) */
	const struct bfs_listing_object **marks; /* their markers' lines, on the page */
	size_t amarks;
	const char *target; /* the directory the sweep is for */
	int hit;	    /* target was confirmed */
	int64_t now;
};

int fs_dir_path_add(struct strv *s, const char *path, size_t len)
{
	char p[BFS_INDEX_PATH_MAX], key[512];
	size_t kl;

	if (len >= sizeof(p))
		return 0;
	memcpy(p, path, len);
	p[len] = '\0';
	if (bfs_index_key(p, key, sizeof(key), &kl))
		return 0; /* "a//b", "a/./b": no such directory in the mount */
	return strv_add(s, path, len);
}

/* Note dir's marker, line o of the page. */
static int mark_add(struct tree_dirs *d, const char *dir, const struct bfs_listing_object *o)
{
	const struct bfs_listing_object **m =
	    bfs_grow(d->marks, d->marked.n, &d->amarks, sizeof(*m));
	size_t n = d->marked.n;

	if (!m)
		return -ENOMEM;
	d->marks = m;
	if (strv_add(&d->marked, dir, strlen(dir)))
		return -ENOMEM;
	if (d->marked.n > n)
		d->marks[n] = o;
	return 0;
}

static const struct bfs_listing_object *mark_of(const struct tree_dirs *d, const char *dir)
{
	size_t i;

	for (i = 0; i < d->marked.n; i++)
		if (!strcmp(d->marked.v[i], dir))
			return d->marks[i];
	return NULL;
}

/*
 * A directory the index holds, which keys below it show to exist now.  One
 * only seen in listings so far (its marker never looked for) is probed by
 * the same page: the marker would be the first of its keys.  Without one
 * it is confirmed; with one it is left to its lookup, which reads the
 * marker's attributes.  One whose attributes the page contradicts (a
 * marker that appeared, went or changed: fs_dir_marker_confirms) forgets
 * them, and its lookup asks again.
 */
static int dir_exists_now(void *arg, size_t i, struct bfs_entry *e)
{
	struct tree_dirs *d = arg;

	if (e->state != BFS_ST_CLEAN || e->type != BFS_ENT_DIR)
		return 0;
	if ((e->flags & (BFS_EF_META | BFS_EF_PROBED)) &&
	    !fs_dir_marker_confirms(d->fs, e, mark_of(d, d->paths.v[i]))) {
		fs_dir_attrs_forget(e);
		return 1;
	}
	if (e->validated_ns >= d->now) {
		if (e->flags & (BFS_EF_META | BFS_EF_PROBED))
			d->hit |= !strcmp(d->paths.v[i], d->target);
		return 0;
	}
	if (!(e->flags & (BFS_EF_META | BFS_EF_PROBED))) {
		if (strv_has(&d->marked, d->paths.v[i]))
			return 0;
		e->flags |= BFS_EF_PROBED;
	}
	e->validated_ns = d->now;
	d->hit |= !strcmp(d->paths.v[i], d->target);
	return 1;
}

/*
 * Apply a tree sweep's page (keys below pkey, the key prefix of directory
 * parent): each run of keys in one directory as that directory's sweep
 * page, and that directory and those between it and parent to d.
 */
static int tree_apply(struct bfs_fs *fs, const char *parent, const char *pkey,
		      const struct bfs_listing *l, int64_t now, struct tree_dirs *d)
{
	char dir[BFS_INDEX_PATH_MAX], dkey[FS_KEY_MAX + 1], vkey[FS_KEY_MAX + 1];
	struct bfs_index_batch *b;
	size_t i = 0, j, pl = strlen(pkey);
	const char *sep = strcmp(parent, "/") ? "/" : "";
	int rc = bfs_index_batch_begin(fs->ix, &b);

	while (!rc && i < l->nobjects) {
		const char *k = l->objects[i].key, *slash;
		struct bfs_listing run = { 0 };
		size_t dl, n;

		if (strncmp(k, pkey, pl)) {
			i++;
			continue; /* not below the parent (a server ignoring the prefix) */
		}
		slash = strrchr(k + pl, '/');
		dl = slash ? (size_t)(slash - k) + 1 : pl; /* its directory's key, with '/' */
		for (j = i + 1; j < l->nobjects; j++) {
			const char *kj = l->objects[j].key;

			if (strncmp(kj, k, dl) || strchr(kj + dl, '/'))
				break;
		}
		if (dl >= sizeof(dkey))
			goto next;
		memcpy(dkey, k, dl);
		dkey[dl] = '\0';
		if (dl == pl) {
			snprintf(dir, sizeof(dir), "%s", parent);
		} else {
			const char *rel = k + pl;
			size_t rl = dl - pl - 1, at;

			n = (size_t)snprintf(dir, sizeof(dir), "%s%s%.*s", parent, sep, (int)rl,
					     rel);
			/* (not a path the mount can show: "x/./y", "x//y"; its
			 * parent's listing logs why) */
			if (n >= sizeof(dir) || fs_dir_key(fs, dir, vkey, sizeof(vkey)))
				goto next;
			/* this directory and those above it, up to parent's child */
			at = strlen(parent) + strlen(sep);
			for (n = at; !rc && n <= strlen(dir); n++)
				if (dir[n] == '/' || dir[n] == '\0')
					rc = fs_dir_path_add(&d->paths, dir, n);
		}
		run.objects = l->objects + i;
		run.nobjects = j - i;
		if (!rc && dl > pl && !strcmp(k, dkey)) /* its marker */
			rc = mark_add(d, dir, &l->objects[i]);
		if (!rc)
			rc = fs_apply_page_batch(fs, b, dir, dkey, &run, now, now, FS_APPLY_SWEEP,
						 NULL);
	next:
		i = j;
	}
	if (rc) {
		bfs_index_batch_abort(b);
		return rc;
	}
	return bfs_index_batch_commit(b);
}

int fs_tree_sweep(struct bfs_fs *fs, const char *path, int64_t now)
{
	char parent[BFS_INDEX_PATH_MAX], pkey[FS_KEY_MAX + 1], key[FS_KEY_MAX];
	struct tree_dirs d = { .fs = fs, .target = path, .now = now };
	struct bfs_listing l;
	struct bfs_entry e;
	const char *name;
	int slot, rc;

	if (fs_split(path, parent, sizeof(parent), &name) ||
	    fs_dir_key(fs, parent, pkey, sizeof(pkey)) || fs_file_key(fs, path, key, sizeof(key)))
		return 0;
	slot = flight_begin(&fs->memo.lookups, parent);
	if (slot == FLIGHT_WAITED) /* another sweep of the parent: did it see path? */
		return bfs_index_get(fs->ix, path, &e) == 0 && e.type == BFS_ENT_DIR &&
		       fs_fresh(e.validated_ns, fs->cfg.stat_ttl_ms, fs_now_ns());
	/* from the keys below path on: "a/b" sorts before "a/b/..." */
	rc = bfs_store_list_after(fs->store, pkey, NULL, key, SWEEP_KEYS, &l);
	if (rc == 0) {
		rc = tree_apply(fs, parent, pkey, &l, now, &d);
		if (!rc) /* (d.marks point into the page) */
			rc = bfs_index_update_many(fs->ix, (const char *const *)d.paths.v,
						   d.paths.n, dir_exists_now, &d);
		bfs_listing_release(&l);
	}
	if (rc)
		bfs_log(LOG_DEBUG, "the tree sweep from '%s' confirmed nothing (%d)", path, rc);
	if (slot >= 0)
		flight_end(&fs->memo.lookups, slot);
	strv_free(&d.paths);
	strv_free(&d.marked);
	free(d.marks);
	return !rc && d.hit;
}
