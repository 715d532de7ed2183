/* SPDX-License-Identifier: MIT */
/*
 * fs_sweep.c - sweeps: one LIST that revalidates many stale names at once,
 * when a walk is seen revalidating them one after another; and their kin
 * for directories listed, or unknown names looked up, one after another
 * (tree listings and tree probes, below).
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
#include "fs_int.h"

#define SWEEP_AFTER 3
#define SWEEP_GAP_NS 2000000000LL
#define SWEEP_KEYS 1000
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

static void walked_key(char *buf, size_t sz, pid_t walker, const char *path)
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
		walked_key(wk, sizeof(wk), walker, parent);
		h = pathttl_hash(wk);
	} else {
		h = pathttl_hash(parent);
	}
	s = &fs->sweeps[h % FS_SWEEP_SLOTS];
	pthread_mutex_lock(&fs->relist_mu);
	if (s->hash != h || now - s->last_ns > SWEEP_GAP_NS) {
		s->hash = h;
		s->n = 0;
	}
	s->n++;
	s->last_ns = now;
	due = s->n >= SWEEP_AFTER;
	pthread_mutex_unlock(&fs->relist_mu);
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

/* The LIST of a sweep: the names after path (object key) in its directory.
 * Best effort: a name it does not confirm is HEADed at its own lookup. */
void fs_sweep_after(struct bfs_fs *fs, const char *path, const char *key)
{
	char parent[BFS_INDEX_PATH_MAX], dkey[FS_KEY_MAX + 1];
	struct bfs_xml_list l;
	const char *name;
	int64_t now;
	int slot, rc;

	if (fs_split(path, parent, sizeof(parent), &name) ||
	    fs_dir_key(fs, parent, dkey, sizeof(dkey)))
		return;
	/* one LIST at a time in a directory; one that waited leaves the rest
	 * to the lookups after it */
	slot = flight_begin(&fs->lookups, parent);
	if (slot == FLIGHT_WAITED)
		return;
	now = fs_now_ns();
	rc = bfs_store_list_after(fs->store, dkey, "/", key, SWEEP_KEYS, &l);
	if (rc == 0) {
		rc = fs_apply_page(fs, parent, dkey, &l, now, now, FS_APPLY_SWEEP);
		bfs_xml_list_release(&l);
	}
	if (rc)
		bfs_log(LOG_DEBUG, "the LIST after '%s' confirmed nothing (%d)", path, rc);
	if (slot >= 0)
		flight_end(&fs->lookups, slot);
}

/* The directories a tree sweep saw keys below, to mark as existing now. */
struct tree_dirs {
	char **paths;
	size_t n, alloc;
	char **marked;      /* those among them with a "dir/" marker (rare) */
	size_t nmarked, amarked;
	const char *target; /* the directory the sweep is for */
	int hit;            /* target was confirmed */
	int64_t now;
};

/* arr (n used of *alloc elements of size bytes) with room for one more,
 * or NULL (arr is left as it was). */
static void *grown(void *arr, size_t n, size_t *alloc, size_t size)
{
	size_t na;
	void *p;

	if (n < *alloc)
		return arr;
	na = *alloc ? *alloc * 2 : 16;
	p = reallocarray(arr, na, size);
	if (p)
		*alloc = na;
	return p;
}

/* Append a copy of the first len bytes of s to the strings (*v)[0..*n),
 * unless the last one is the same (keys come in order). */
static int strs_add(char ***v, size_t *n, size_t *alloc, const char *s, size_t len)
{
	char **nv, *c;

	if (*n && !strncmp((*v)[*n - 1], s, len) && !(*v)[*n - 1][len])
		return 0;
	nv = grown(*v, *n, alloc, sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	c = strndup(s, len);
	if (!c)
		return -ENOMEM;
	nv[(*n)++] = c;
	return 0;
}

static int tree_dir_add(struct tree_dirs *d, const char *path, size_t len)
{
	char p[BFS_INDEX_PATH_MAX], key[512];
	size_t kl;

	if (len >= sizeof(p))
		return 0;
	memcpy(p, path, len);
	p[len] = '\0';
	if (bfs_index_key(p, key, sizeof(key), &kl))
		return 0; /* "a//b", "a/./b": no such directory in the mount */
	return strs_add(&d->paths, &d->n, &d->alloc, path, len);
}

static int tree_dir_marked(const struct tree_dirs *d, const char *path)
{
	size_t i;

	for (i = 0; i < d->nmarked; i++)
		if (!strcmp(d->marked[i], path))
			return 1;
	return 0;
}

/*
 * A directory the index holds, which keys below it show to exist now.  One
 * only seen in listings so far (its marker never looked for) is probed by
 * the same page: the marker would be the first of its keys.  Without one
 * it is confirmed; with one it is left to its lookup, which reads the
 * marker's attributes.
 */
static int dir_exists_now(void *arg, size_t i, struct bfs_entry *e)
{
	struct tree_dirs *d = arg;

	if (e->state != BFS_ST_CLEAN || e->type != BFS_ENT_DIR)
		return 0;
	if (e->validated_ns >= d->now) {
		if (e->flags & (BFS_EF_META | BFS_EF_PROBED))
			d->hit |= !strcmp(d->paths[i], d->target);
		return 0;
	}
	if (!(e->flags & (BFS_EF_META | BFS_EF_PROBED))) {
		if (tree_dir_marked(d, d->paths[i]))
			return 0;
		e->flags |= BFS_EF_PROBED;
	}
	e->validated_ns = d->now;
	d->hit |= !strcmp(d->paths[i], d->target);
	return 1;
}

/*
 * Apply a tree sweep's page (keys below pkey, the key prefix of directory
 * parent): each run of keys in one directory as that directory's sweep
 * page, and that directory and those between it and parent to d.
 */
static int tree_apply(struct bfs_fs *fs, const char *parent, const char *pkey,
		      const struct bfs_xml_list *l, int64_t now, struct tree_dirs *d)
{
	char dir[BFS_INDEX_PATH_MAX], dkey[FS_KEY_MAX + 1];
	struct bfs_index_batch *b;
	size_t i = 0, j, pl = strlen(pkey);
	const char *sep = strcmp(parent, "/") ? "/" : "";
	int rc = bfs_index_batch_begin(fs->ix, &b);

	while (!rc && i < l->nobjects) {
		const char *k = l->objects[i].key, *slash;
		struct bfs_xml_list run = { 0 };
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

			n = (size_t)snprintf(dir, sizeof(dir), "%s%s%.*s", parent, sep, (int)rl, rel);
			if (n >= sizeof(dir))
				goto next;
			/* this directory and those above it, up to parent's child */
			at = strlen(parent) + strlen(sep);
			for (n = at; !rc && n <= strlen(dir); n++)
				if (dir[n] == '/' || dir[n] == '\0')
					rc = tree_dir_add(d, dir, n);
		}
		run.objects = l->objects + i;
		run.nobjects = j - i;
		if (!rc && dl > pl && !strcmp(k, dkey)) /* its marker */
			rc = strs_add(&d->marked, &d->nmarked, &d->amarked, dir, strlen(dir));
		if (!rc)
			rc = fs_apply_page_batch(fs, b, dir, dkey, &run, now, now, FS_APPLY_SWEEP);
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
	struct tree_dirs d = { .target = path, .now = now };
	struct bfs_xml_list l;
	struct bfs_entry e;
	const char *name;
	size_t i;
	int slot, rc;

	if (fs_split(path, parent, sizeof(parent), &name) ||
	    fs_dir_key(fs, parent, pkey, sizeof(pkey)) || fs_file_key(fs, path, key, sizeof(key)))
		return 0;
	slot = flight_begin(&fs->lookups, parent);
	if (slot == FLIGHT_WAITED) /* another sweep of the parent: did it see path? */
		return bfs_index_get(fs->ix, path, &e) == 0 && e.type == BFS_ENT_DIR &&
		       fs_fresh(e.validated_ns, fs->cfg.stat_ttl_ms, fs_now_ns());
	/* from the keys below path on: "a/b" sorts before "a/b/..." */
	rc = bfs_store_list_after(fs->store, pkey, NULL, key, SWEEP_KEYS, &l);
	if (rc == 0) {
		rc = tree_apply(fs, parent, pkey, &l, now, &d);
		bfs_xml_list_release(&l);
	}
	if (!rc)
		rc = bfs_index_update_many(fs->ix, (const char *const *)d.paths, d.n,
					   dir_exists_now, &d);
	if (rc)
		bfs_log(LOG_DEBUG, "the tree sweep from '%s' confirmed nothing (%d)", path, rc);
	if (slot >= 0)
		flight_end(&fs->lookups, slot);
	for (i = 0; i < d.n; i++)
		free(d.paths[i]);
	free(d.paths);
	for (i = 0; i < d.nmarked; i++)
		free(d.marked[i]);
	free(d.marked);
	return !rc && d.hit;
}

/*
 * Tree listings.  A walk that lists many directories of one parent (`ls
 * -R`, `find`, `du`) costs a LIST a directory: 200 for 200 task
 * directories.  So from the SWEEP_AFTER-th directory of one parent listed
 * in a row by one process (with two more of its siblings not listed within
 * the window after it), the directory is listed instead by one LIST without a
 * delimiter of the SWEEP_KEYS keys below the parent from it on.  Every
 * directory whose keys all came in that page (all of them but the last
 * key's, unless it is the last page) gets its listing from it, applied and
 * pruned as if it had been listed on its own, and the process that walks
 * is answered from the index for those directories for the positive
 * window (fs_walked): about a LIST per 1000 keys for the whole walk.
 * Another process's readdir still lists (with list_ttl=0, every ls lists).
 */

/* The listing of one directory, gathered from a tree listing's keys. */
struct dir_acc {
	char *dkey;                    /* its key prefix, with '/' */
	struct bfs_xml_object *objs;   /* shallow copies: keys owned by the page */
	size_t nobjs, aobjs;
	char **prefs;                  /* its subdirectories' "dkey/name/", owned */
	size_t nprefs, aprefs;
};

struct tree_list {
	struct bfs_fs *fs;
	const char *parent, *pkey;
	const char *after;             /* the page's start-after key */
	pid_t walker;
	int probe;                     /* a tree probe (unknown names), not a listing */
	int64_t started, now;
	struct bfs_index_batch *b;
	struct dir_acc top;            /* the parent's own objects on the page */
	struct dir_acc stack[64];      /* the directories of the current key */
	int depth;
	struct tree_dirs done;         /* directories listed whole */
};

static void acc_free(struct dir_acc *a)
{
	size_t i;

	for (i = 0; i < a->nprefs; i++)
		free(a->prefs[i]);
	free(a->prefs);
	free(a->objs);
	free(a->dkey);
	memset(a, 0, sizeof(*a));
}

static int acc_obj(struct dir_acc *a, const struct bfs_xml_object *o)
{
	struct bfs_xml_object *n = grown(a->objs, a->nobjs, &a->aobjs, sizeof(*n));

	if (!n)
		return -ENOMEM;
	a->objs = n;
	a->objs[a->nobjs++] = *o;
	return 0;
}

/* Add the subdirectory whose key prefix is the first len bytes of k. */
static int acc_pref(struct dir_acc *a, const char *k, size_t len)
{
	return strs_add(&a->prefs, &a->nprefs, &a->aprefs, k, len);
}

/* Does directory a hold an object named by the first len bytes of key? */
static int acc_has_object(const struct dir_acc *a, const char *key, size_t len)
{
	size_t i;

	for (i = a->nobjs; i-- > 0;) { /* in key order: it is among the last */
		int c = strncmp(a->objs[i].key, key, len);

		if (c == 0 && !a->objs[i].key[len])
			return 1;
		if (c < 0)
			break;
	}
	return 0;
}

/*
 * A tree probe found directory path, a child of the parent the index does
 * not hold: add it, as its lookup would (fs_lookup.c).  Only directories:
 * a file looked up by name shows its object's metadata (mode, owner, a
 * symlink), which no listing gives; its lookup's GET brings it, and the
 * data its read wants.
 */
static int probe_add_dir(struct tree_list *t, const char *path)
{
	struct bfs_entry e;

	fs_entry_dir(t->now, &e);
	e.flags |= BFS_EF_PROBED;
	return bfs_index_batch_put(t->b, path, &e);
}

/* The top directory's keys all came: apply its listing (complete) or drop it. */
static int tree_pop(struct tree_list *t, int complete)
{
	struct dir_acc *a = &t->stack[--t->depth];
	const struct dir_acc *up = t->depth ? &t->stack[t->depth - 1] : &t->top;
	char path[BFS_INDEX_PATH_MAX], key[512];
	size_t pl = strlen(t->pkey), dl = strlen(a->dkey), kl;
	struct bfs_xml_list l = { a->objs, a->nobjs, a->prefs, a->nprefs, 0, NULL };
	struct bfs_entry e;
	int rc = 0, have, shown;

	if (t->probe && t->depth)
		goto out; /* a probe adds the parent's children only */
	/* (not a name the mount cannot show, nor keys a file of the same
	 * name hides: see fs_apply_page; a child of the parent whose own
	 * object would sort before the page cannot be told from one hidden) */
	shown = !acc_has_object(up, a->dkey, dl - 1) &&
		(t->depth || !t->after || strncmp(a->dkey, t->after, dl - 1) > 0) &&
		(size_t)snprintf(path, sizeof(path), "%s%s%.*s", t->parent,
				 strcmp(t->parent, "/") ? "/" : "", (int)(dl - pl - 1),
				 a->dkey + pl) < sizeof(path) &&
		!bfs_index_key(path, key, sizeof(key), &kl);
	if (!shown)
		goto out;
	have = bfs_index_get(t->fs->ix, path, &e) == 0;
	if (have && e.type != BFS_ENT_DIR)
		goto out;
	if (t->probe) {
		/* (not one with a marker: it sorts first of its keys, and only
		 * its own lookup reads its attributes) */
		if (!have && !(a->nobjs && !strcmp(a->objs[0].key, a->dkey)))
			rc = probe_add_dir(t, path);
		goto out;
	}
	if (complete) {
		rc = fs_apply_page_batch(t->fs, t->b, path, a->dkey, &l, t->started, t->now,
					 FS_APPLY_LISTING);
		if (!rc)
			rc = tree_dir_add(&t->done, path, strlen(path));
	}
out:
	acc_free(a);
	return rc;
}

/* One key of the page, below pkey. */
static int tree_key(struct tree_list *t, const struct bfs_xml_object *o)
{
	const char *k = o->key, *s;
	size_t pl = strlen(t->pkey);
	int rc;

	/* leave the directories this key is not in: all their keys came */
	while (t->depth && strncmp(k, t->stack[t->depth - 1].dkey, strlen(t->stack[t->depth - 1].dkey)))
		if ((rc = tree_pop(t, 1)))
			return rc;
	/* enter those it is in, below the deepest one open */
	s = t->depth ? k + strlen(t->stack[t->depth - 1].dkey) : k + pl;
	for (; (s = strchr(s, '/')); s++) {
		struct dir_acc *a;

		if (t->depth == (int)(sizeof(t->stack) / sizeof(t->stack[0])))
			return -ENAMETOOLONG;
		if (t->depth && (rc = acc_pref(&t->stack[t->depth - 1], k, (size_t)(s - k) + 1)))
			return rc;
		a = &t->stack[t->depth];
		memset(a, 0, sizeof(*a));
		a->dkey = strndup(k, (size_t)(s - k) + 1);
		if (!a->dkey)
			return -ENOMEM;
		t->depth++;
	}
	return acc_obj(t->depth ? &t->stack[t->depth - 1] : &t->top, o);
}

int fs_walked(struct bfs_fs *fs, pid_t walker, const char *path, int64_t now)
{
	char k[BFS_INDEX_PATH_MAX + 24];

	if (!walker)
		return 0;
	walked_key(k, sizeof(k), walker, path);
	return pathttl_has(&fs->walked, k, now);
}

/* The entry of a directory listed whole: listed (and seen to exist) then. */
static int dir_listed(void *arg, size_t i, struct bfs_entry *e)
{
	const struct tree_list *t = arg;

	(void)i;
	if (e->type != BFS_ENT_DIR || e->listed_ns >= t->started)
		return 0;
	e->listed_ns = t->started;
	if (e->state == BFS_ST_CLEAN && e->validated_ns < t->started)
		e->validated_ns = t->started;
	return 1;
}

int fs_tree_list_due(struct bfs_fs *fs, const char *path, pid_t walker, int64_t now)
{
	return sweep_due(fs, path, now, SWEEP_LISTINGS, walker);
}

/*
 * Apply a tree listing's page l: the listings of the directories whose
 * keys all came, then what those listings did not show is gone, and they
 * are listed as of t->started (t->done holds them).  A probe's: the
 * parent's directories on it the index did not hold.
 */
static int tree_walk(struct tree_list *t, const struct bfs_xml_list *l)
{
	struct bfs_fs *fs = t->fs;
	size_t i, pl = strlen(t->pkey);
	int rc = bfs_index_batch_begin(fs->ix, &t->b);

	for (i = 0; !rc && i < l->nobjects; i++)
		if (!strncmp(l->objects[i].key, t->pkey, pl))
			rc = tree_key(t, &l->objects[i]);
	while (t->depth) {
		int err = tree_pop(t, !rc && !l->truncated);

		rc = rc ? rc : err;
	}
	acc_free(&t->top);
	if (t->b && rc)
		bfs_index_batch_abort(t->b);
	else if (t->b)
		rc = bfs_index_batch_commit(t->b);
	if (!rc && t->done.n && !(rc = bfs_index_batch_begin(fs->ix, &t->b))) {
		for (i = 0; !rc && i < t->done.n; i++)
			rc = fs_dir_prune(fs, t->b, t->done.paths[i], t->started);
		if (rc)
			bfs_index_batch_abort(t->b);
		else
			rc = bfs_index_batch_commit(t->b);
	}
	if (!rc)
		rc = bfs_index_update_many(fs->ix, (const char *const *)t->done.paths, t->done.n,
					   dir_listed, t);
	return rc;
}

int fs_tree_list(struct bfs_fs *fs, const char *path, pid_t walker)
{
	char parent[BFS_INDEX_PATH_MAX], pkey[FS_KEY_MAX + 1], key[FS_KEY_MAX];
	char wk[BFS_INDEX_PATH_MAX + 24];
	struct tree_list t = { .fs = fs, .parent = parent, .pkey = pkey, .walker = walker };
	struct bfs_xml_list l;
	const char *name;
	size_t i;
	int slot, rc, listed = 0;

	if (fs_split(path, parent, sizeof(parent), &name) ||
	    fs_dir_key(fs, parent, pkey, sizeof(pkey)) || fs_file_key(fs, path, key, sizeof(key)))
		return 0;
	slot = flight_begin(&fs->lookups, parent);
	if (slot == FLIGHT_WAITED)
		return fs_walked(fs, walker, path, fs_now_ns());
	t.started = fs_now_ns();
	rc = bfs_store_list_after(fs->store, pkey, NULL, key, SWEEP_KEYS, &l);
	if (rc) {
		rc = 0; /* the directory's own listing will say what is wrong */
		goto out;
	}
	t.now = fs_now_ns();
	t.done.now = t.now;
	rc = tree_walk(&t, &l);
	bfs_xml_list_release(&l);
	for (i = 0; !rc && i < t.done.n; i++) {
		walked_key(wk, sizeof(wk), walker, t.done.paths[i]);
		pathttl_put(&fs->walked, wk, t.started + (int64_t)fs->cfg.stat_ttl_ms * 1000000);
		listed |= !strcmp(t.done.paths[i], path);
	}
	if (rc)
		bfs_log(LOG_DEBUG, "the tree listing from '%s' was not used (%d)", path, rc);
out:
	if (slot >= 0)
		flight_end(&fs->lookups, slot);
	for (i = 0; i < t.done.n; i++)
		free(t.done.paths[i]);
	free(t.done.paths);
	return !rc && listed;
}

/*
 * Tree probes.  A walk that reads or stats the files of many directories
 * it has not seen (a new server's web server serving images/<task>/<n>.png,
 * `cat` of paths from a database, a copy of the whole tree by name) costs a
 * LIST a directory to find each (fs_lookup.c's probe): 200 for 200 task
 * directories.  So once PROBE_AFTER directories of one parent unknown to the
 * index were found in a row (each within SWEEP_GAP_NS of the one before; a
 * file found in between does not count, a name missing starts again), the
 * next one is looked up instead by one LIST without a delimiter of the
 * SWEEP_KEYS keys below the parent from just before it on.  Every directory
 * of the parent whose keys begin on that page is added, as its lookup would
 * add it (not one with a marker, whose attributes only its HEAD gives; nor
 * files, see probe_add_dir): the directories after it then cost nothing to
 * look up, and each of their files its GET, which its read needs anyway.
 * The page also says whether the name itself is missing.  Names looked up
 * while a probe of their parent is on its way wait for it.  After a probe,
 * the next is due after PROBE_AFTER more directories found on their own.
 */
#define PROBE_AFTER 2
#define PROBE_SALT 0x9e3779b97f4a7c15ULL /* a parent's probes are not its sweeps */

static struct fs_sweep *probe_slot(struct bfs_fs *fs, const char *path, uint64_t *h)
{
	char parent[BFS_INDEX_PATH_MAX];
	const char *name;

	if (fs_split(path, parent, sizeof(parent), &name))
		return NULL;
	*h = pathttl_hash(parent) ^ PROBE_SALT;
	if (!*h)
		*h = 1;
	return &fs->sweeps[*h % FS_SWEEP_SLOTS];
}

int fs_tree_probe_due(struct bfs_fs *fs, const char *path, int64_t now)
{
	uint64_t h;
	struct fs_sweep *s = probe_slot(fs, path, &h);
	int due;

	if (!s)
		return 0;
	pthread_mutex_lock(&fs->relist_mu);
	due = s->hash == h && now - s->last_ns <= SWEEP_GAP_NS &&
	      (s->probing || s->n >= PROBE_AFTER);
	if (due && !s->probing) {
		s->probing = 1;
		s->n = 0;
	}
	pthread_mutex_unlock(&fs->relist_mu);
	return due;
}

void fs_tree_probe_note(struct bfs_fs *fs, const char *path, int64_t now, int found)
{
	uint64_t h;
	struct fs_sweep *s = probe_slot(fs, path, &h);

	if (!s)
		return;
	pthread_mutex_lock(&fs->relist_mu);
	if (s->hash != h || now - s->last_ns > SWEEP_GAP_NS) {
		s->hash = h;
		s->n = 0;
		s->probing = 0;
	}
	s->n = found ? s->n + 1 : 0;
	s->last_ns = now;
	pthread_mutex_unlock(&fs->relist_mu);
}

static void probe_done(struct bfs_fs *fs, const char *path)
{
	uint64_t h;
	struct fs_sweep *s = probe_slot(fs, path, &h);

	if (!s)
		return;
	pthread_mutex_lock(&fs->relist_mu);
	if (s->hash == h)
		s->probing = 0;
	pthread_mutex_unlock(&fs->relist_mu);
}

/* Does page l say that neither key nor keys below key + "/" exist?  It
 * starts before key; it must also reach past them. */
static int probe_absent(const struct bfs_xml_list *l, const char *key)
{
	size_t i, kl = strlen(key);

	for (i = 0; i < l->nobjects; i++) {
		const char *k = l->objects[i].key;

		if (!strncmp(k, key, kl) && (k[kl] == '\0' || k[kl] == '/'))
			return 0;
	}
	if (!l->truncated)
		return 1;
	if (!l->nobjects)
		return 0;
	/* the last key is past "key/..." */
	{
		const char *last = l->objects[l->nobjects - 1].key;
		int c = strncmp(last, key, kl);

		return c > 0 || (c == 0 && (unsigned char)last[kl] > '/');
	}
}

/* The index holds path now (not as missing). */
static int probe_found(struct bfs_fs *fs, const char *path)
{
	struct bfs_entry e;

	return bfs_index_get(fs->ix, path, &e) == 0 && e.state != BFS_ST_NEGATIVE;
}

int fs_tree_probe(struct bfs_fs *fs, const char *path)
{
	char parent[BFS_INDEX_PATH_MAX], pkey[FS_KEY_MAX + 1], key[FS_KEY_MAX], after[FS_KEY_MAX];
	struct tree_list t = { .fs = fs, .parent = parent, .pkey = pkey, .after = after, .probe = 1 };
	struct bfs_xml_list l;
	const char *name;
	size_t i, al;
	int slot, rc, absent = 0;

	if (fs_split(path, parent, sizeof(parent), &name) ||
	    fs_dir_key(fs, parent, pkey, sizeof(pkey)) || fs_file_key(fs, path, key, sizeof(key))) {
		probe_done(fs, path);
		return 0;
	}
	slot = flight_begin(&fs->lookups, parent);
	if (slot == FLIGHT_WAITED)
		return probe_found(fs, path);
	/* from just before the name: without its last character (UTF-8) */
	al = strlen(key);
	memcpy(after, key, al + 1);
	while (al > 0 && ((unsigned char)after[al - 1] & 0xc0) == 0x80)
		al--;
	if (al > 0)
		al--;
	after[al] = '\0';
	if (!al)
		t.after = NULL;
	t.started = fs_now_ns();
	rc = bfs_store_list_after(fs->store, pkey, NULL, t.after, SWEEP_KEYS, &l);
	if (rc) {
		rc = 0; /* the name's own lookup will say what is wrong */
		goto out;
	}
	t.now = fs_now_ns();
	t.done.now = t.now;
	absent = probe_absent(&l, key);
	rc = tree_walk(&t, &l);
	bfs_xml_list_release(&l);
	if (rc)
		bfs_log(LOG_DEBUG, "the tree probe from '%s' was not used (%d)", path, rc);
out:
	if (slot >= 0)
		flight_end(&fs->lookups, slot);
	probe_done(fs, path);
	for (i = 0; i < t.done.n; i++)
		free(t.done.paths[i]);
	free(t.done.paths);
	if (rc)
		return 0;
	return probe_found(fs, path) ? 1 : absent ? -ENOENT : 0;
}
