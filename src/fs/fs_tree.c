/* SPDX-License-Identifier: MIT */
/*
 * fs_tree.c - tree listings and tree probes: one LIST without a delimiter
 * of the keys below a directory, from one child on, in place of a LIST per
 * child, when a walk is seen listing (fs_sweep.c counts those) or finding
 * many children of one directory one after another.
 *
 * Tree listings.  A walk that lists many directories of one parent (`ls
 * -R`, `find`, `du`) costs a LIST a directory: 200 for 200 task
 * directories.  So from the third directory of one parent listed
 * in a row by one process (with two more of its siblings not listed within
 * the window after it), the directory is listed instead by one LIST without a
 * delimiter of the FS_SWEEP_KEYS keys below the parent from it on.  Every
 * directory whose keys all came in that page (all of them but the last
 * key's, unless it is the last page) gets its listing from it, applied and
 * pruned as if it had been listed on its own, and the process that walks
 * is answered from the index for those directories for the positive
 * window (fs_walked): about a LIST per 1000 keys for the whole walk.
 * Another process's readdir still lists (with list_ttl=0, every ls lists).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "bucketfs/log.h"
#include "fs/fs_int.h"
#include "util/strv.h"

/* The listing of one directory, gathered from a tree listing's keys. */
struct dir_acc {
	char *dkey;			 /* its key prefix, with '/' */
	struct bfs_listing_object *objs; /* shallow copies: keys owned by the page */
	size_t nobjs, aobjs;
	struct strv prefs; /* its subdirectories' "dkey/name/" */
};

struct tree_list {
	struct bfs_fs *fs;
	const char *parent, *pkey;
	const char *after; /* the page's start-after key */
	pid_t walker;
	int probe; /* a tree probe (unknown names), not a listing */
	int64_t started, now;
	struct bfs_index_batch *b;
	struct dir_acc top;	  /* the parent's own objects on the page */
	struct dir_acc stack[64]; /* the directories of the current key */
	int depth;
	struct strv done;    /* directories listed whole */
	struct idset shown;  /* ... the paths of the names they showed */
	struct strv plain;   /* ... of them, those without a marker: what
			      * they show is all known (fs_attrs_known) */
	struct strv changed; /* ... of them, those whose marker's line does
			      * not confirm the attributes the index holds
			      * (fs_dir_marker_confirms): asked again */
};

static void acc_free(struct dir_acc *a)
{
	strv_free(&a->prefs);
	free(a->objs);
	free(a->dkey);
	memset(a, 0, sizeof(*a));
}

static int acc_obj(struct dir_acc *a, const struct bfs_listing_object *o)
{
	struct bfs_listing_object *n = bfs_grow(a->objs, a->nobjs, &a->aobjs, sizeof(*n));

	if (!n)
		return -ENOMEM;
	a->objs = n;
	a->objs[a->nobjs++] = *o;
	return 0;
}

/* Add the subdirectory whose key prefix is the first len bytes of k. */
static int acc_pref(struct dir_acc *a, const char *k, size_t len)
{
	return strv_add(&a->prefs, k, len);
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
	return bfs_index_batch_put_if(t->b, path, &e, NULL); /* (unless found meanwhile) */
}

/* The top directory's keys all came: apply its listing (complete) or drop it. */
static int tree_pop(struct tree_list *t, int complete)
{
	struct dir_acc *a = &t->stack[--t->depth];
	const struct dir_acc *up = t->depth ? &t->stack[t->depth - 1] : &t->top;
	char path[BFS_INDEX_PATH_MAX], key[512];
	size_t pl = strlen(t->pkey), dl = strlen(a->dkey), kl;
	struct bfs_listing l = { a->objs, a->nobjs, a->prefs.v, a->prefs.n, 0, NULL };
	const struct bfs_listing_object *marker;
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
					 FS_APPLY_LISTING, &t->shown);
		if (!rc)
			rc = fs_dir_path_add(&t->done, path, strlen(path));
		/* its marker, if any, sorts first of its keys */
		marker = a->nobjs && !strcmp(a->objs[0].key, a->dkey) ? &a->objs[0] : NULL;
		if (!rc && !marker)
			rc = strv_add(&t->plain, path, strlen(path));
		if (!rc && have && !fs_dir_marker_confirms(t->fs, &e, marker))
			rc = strv_add(&t->changed, path, strlen(path));
	}
out:
	acc_free(a);
	return rc;
}

/* One key of the page, below pkey. */
static int tree_key(struct tree_list *t, const struct bfs_listing_object *o)
{
	const char *k = o->key, *s;
	size_t pl = strlen(t->pkey);
	int rc;

	/* leave the directories this key is not in: all their keys came */
	while (t->depth &&
	       strncmp(k, t->stack[t->depth - 1].dkey, strlen(t->stack[t->depth - 1].dkey)))
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
	fs_walked_key(k, sizeof(k), walker, path);
	return pathttl_has(&fs->memo.walked, k, now);
}

/* The entry of a directory listed whole: listed (and seen to exist) then. */
static int dir_listed(void *arg, size_t i, struct bfs_entry *e)
{
	const struct tree_list *t = arg;

	if (e->type != BFS_ENT_DIR || e->listed_ns >= t->started)
		return 0;
	e->listed_ns = t->started;
	if (e->state == BFS_ST_CLEAN && strv_has(&t->changed, t->done.v[i]))
		fs_dir_attrs_forget(e);
	if (strv_has(&t->plain, t->done.v[i]))
		e->flags |= BFS_EF_PROBED; /* no marker: nothing more to know */
	if (e->state == BFS_ST_CLEAN && e->validated_ns < t->started)
		e->validated_ns = t->started;
	return 1;
}

/*
 * Apply a tree listing's page l: the listings of the directories whose
 * keys all came, then what those listings did not show is gone, and they
 * are listed as of t->started (t->done holds them).  A probe's: the
 * parent's directories on it the index did not hold.
 */
static int tree_walk(struct tree_list *t, const struct bfs_listing *l)
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
		struct strv gpaths = STRV_INIT;
		struct fs_pruned gone = { &gpaths, NULL, 0, 0 };

		for (i = 0; !rc && i < t->done.n; i++)
			rc = fs_dir_prune(fs, t->b, t->done.v[i], t->started, &t->shown, &gone);
		if (rc)
			bfs_index_batch_abort(t->b);
		else
			rc = bfs_index_batch_commit(t->b);
		fs_pruned_done(fs, &gone, !rc);
	}
	if (!rc)
		rc = bfs_index_update_many(fs->ix, (const char *const *)t->done.v, t->done.n,
					   dir_listed, t);
	return rc;
}

int fs_tree_list(struct bfs_fs *fs, const char *path, pid_t walker)
{
	char parent[BFS_INDEX_PATH_MAX], pkey[FS_KEY_MAX + 1], key[FS_KEY_MAX];
	char wk[BFS_INDEX_PATH_MAX + 24];
	struct tree_list t = { .fs = fs, .parent = parent, .pkey = pkey, .walker = walker };
	struct bfs_listing l;
	const char *name;
	size_t i;
	int slot, rc, listed = 0;

	if (fs_split(path, parent, sizeof(parent), &name) ||
	    fs_dir_key(fs, parent, pkey, sizeof(pkey)) || fs_file_key(fs, path, key, sizeof(key)))
		return 0;
	slot = flight_begin(&fs->memo.lookups, parent);
	if (slot == FLIGHT_WAITED)
		return fs_walked(fs, walker, path, fs_now_ns());
	t.started = fs_now_ns();
	rc = bfs_store_list_after(fs->store, pkey, NULL, key, FS_SWEEP_KEYS, &l);
	if (rc) {
		rc = 0; /* the directory's own listing will say what is wrong */
		goto out;
	}
	t.now = fs_now_ns();
	rc = tree_walk(&t, &l);
	bfs_listing_release(&l);
	for (i = 0; !rc && i < t.done.n; i++) {
		fs_walked_key(wk, sizeof(wk), walker, t.done.v[i]);
		pathttl_put(&fs->memo.walked, wk,
			    t.started + (int64_t)fs->cfg.stat_ttl_ms * 1000000);
		listed |= !strcmp(t.done.v[i], path);
	}
	if (rc)
		bfs_log(LOG_DEBUG, "the tree listing from '%s' was not used (%d)", path, rc);
out:
	if (slot >= 0)
		flight_end(&fs->memo.lookups, slot);
	strv_free(&t.done);
	strv_free(&t.plain);
	strv_free(&t.changed);
	idset_free(&t.shown);
	return !rc && listed;
}

/*
 * Tree probes.  A walk that reads or stats the files of many directories
 * it has not seen (a new server's web server serving images/<task>/<n>.png,
 * `cat` of paths from a database, a copy of the whole tree by name) costs a
 * LIST a directory to find each (fs_lookup.c's probe): 200 for 200 task
 * directories.  So once PROBE_AFTER directories of one parent unknown to the
 * index were found in a row (each within FS_SWEEP_GAP_NS of the one before; a
 * file found in between does not count, a name missing starts again), the
 * next one is looked up instead by one LIST without a delimiter of the
 * FS_SWEEP_KEYS keys below the parent from just before it on.  Every directory
 * of the parent whose keys begin on that page is added, as its lookup would
 * add it (not one with a marker, whose attributes only its HEAD gives; nor
 * files, see probe_add_dir): the directories after it then cost nothing to
 * look up, and each of their files its GET, which its read needs anyway.
 * The page also says whether the name itself is missing.  Names looked up
 * while a probe of their parent is on its way wait for it.  After a probe,
 * the next is due after PROBE_AFTER more directories found on their own.
 *
 * A page helps only a walk that goes on in key order from the name: not a
 * web server asked for random task ids of a big parent, where the next
 * names fall anywhere and each probe would bring 1000 keys (and up to 250
 * index entries) to learn one name.  So a probe whose directories fewer
 * than PROBE_USED lookups then found in the index (fs_tree_probe_used)
 * doubles the directories to be found on their own before the next one,
 * up to PROBE_AFTER_MAX: under random access about one unknown directory
 * in 16 is looked up by a probe instead of one in 3.  A probe that was
 * used brings it back to PROBE_AFTER.
 */
#define PROBE_AFTER 2
#define PROBE_AFTER_MAX 16
#define PROBE_USED 2
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
	return &fs->memo.sweeps[*h % FS_SWEEP_SLOTS];
}

int fs_tree_probe_due(struct bfs_fs *fs, const char *path, int64_t now)
{
	uint64_t h;
	struct fs_sweep *s = probe_slot(fs, path, &h);
	int due;

	if (!s)
		return 0;
	pthread_mutex_lock(&fs->memo.relist_mu);
	due = s->hash == h && now - s->last_ns <= FS_SWEEP_GAP_NS;
	if (due && !s->probing && s->probe_ns && !s->judged && s->n >= PROBE_AFTER) {
		/* was the last probe of use? */
		s->judged = 1;
		if (s->used >= PROBE_USED)
			s->need = PROBE_AFTER;
		else
			s->need = s->need * 2 < PROBE_AFTER_MAX ? s->need * 2 : PROBE_AFTER_MAX;
	}
	due = due && (s->probing || s->n >= s->need);
	if (due && !s->probing) {
		s->probing = 1;
		s->n = 0;
	}
	pthread_mutex_unlock(&fs->memo.relist_mu);
	return due;
}

void fs_tree_probe_note(struct bfs_fs *fs, const char *path, int64_t now, int found)
{
	uint64_t h;
	struct fs_sweep *s = probe_slot(fs, path, &h);

	if (!s)
		return;
	pthread_mutex_lock(&fs->memo.relist_mu);
	if (s->hash != h) {
		s->hash = h;
		s->need = PROBE_AFTER;
		s->probe_ns = 0;
		s->n = 0;
		s->probing = 0;
	} else if (now - s->last_ns > FS_SWEEP_GAP_NS) {
		/* (what was learnt of the last probe's use outlives a pause) */
		s->n = 0;
		s->probing = 0;
	}
	s->n = found ? s->n + 1 : 0;
	s->last_ns = now;
	pthread_mutex_unlock(&fs->memo.relist_mu);
}

/* The probe of path's parent ended; added_ns: the validated_ns of the
 * directories it added (0: it listed nothing). */
static void probe_done(struct bfs_fs *fs, const char *path, int64_t added_ns)
{
	uint64_t h;
	struct fs_sweep *s = probe_slot(fs, path, &h);

	if (!s)
		return;
	pthread_mutex_lock(&fs->memo.relist_mu);
	if (s->hash == h) {
		s->probing = 0;
		if (added_ns) {
			s->probe_ns = added_ns;
			s->used = 0;
			s->judged = 0;
		}
	}
	pthread_mutex_unlock(&fs->memo.relist_mu);
}

void fs_tree_probe_used(struct bfs_fs *fs, const char *path, const struct bfs_entry *e)
{
	uint64_t h;
	struct fs_sweep *s;

	if (e->type != BFS_ENT_DIR || !(e->flags & BFS_EF_PROBED) || !e->validated_ns)
		return;
	s = probe_slot(fs, path, &h);
	if (!s)
		return;
	pthread_mutex_lock(&fs->memo.relist_mu);
	if (s->hash == h && s->probe_ns == e->validated_ns && s->used < UINT32_MAX)
		s->used++;
	pthread_mutex_unlock(&fs->memo.relist_mu);
}

/* Does page l say that neither key nor keys below key + "/" exist?  It
 * starts before key; it must also reach past them. */
static int probe_absent(const struct bfs_listing *l, const char *key)
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
	struct tree_list t = {
		.fs = fs, .parent = parent, .pkey = pkey, .after = after, .probe = 1
	};
	struct bfs_listing l;
	const char *name;
	size_t al;
	int slot, rc, absent = 0;

	if (fs_split(path, parent, sizeof(parent), &name) ||
	    fs_dir_key(fs, parent, pkey, sizeof(pkey)) || fs_file_key(fs, path, key, sizeof(key))) {
		probe_done(fs, path, 0);
		return 0;
	}
	slot = flight_begin(&fs->memo.lookups, parent);
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
	rc = bfs_store_list_after(fs->store, pkey, NULL, t.after, FS_SWEEP_KEYS, &l);
	if (rc) {
		rc = 0; /* the name's own lookup will say what is wrong */
		goto out;
	}
	t.now = fs_now_ns();
	absent = probe_absent(&l, key);
	rc = tree_walk(&t, &l);
	bfs_listing_release(&l);
	if (rc)
		bfs_log(LOG_DEBUG, "the tree probe from '%s' was not used (%d)", path, rc);
out:
	if (slot >= 0)
		flight_end(&fs->memo.lookups, slot);
	probe_done(fs, path, rc ? 0 : t.now);
	strv_free(&t.done);
	strv_free(&t.plain);
	strv_free(&t.changed);
	idset_free(&t.shown);
	if (rc)
		return 0;
	return probe_found(fs, path) ? 1 : absent ? -ENOENT : 0;
}
