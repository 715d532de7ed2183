/* SPDX-License-Identifier: MIT */
/*
 * fs_listing.c - directory listings into the index: ListObjects with a
 * delimiter, page by page (fs_dir_relist), applied in one transaction per
 * page (fs_apply_page) so that stat after ls costs nothing, with the keys
 * the mount cannot show left out and logged (fs_key_hidden), and the names
 * a complete listing no longer shows pruned.  Used by readdir (fs_dir.c),
 * lookups' revalidation windows (fs_lookup.c), sweeps (fs_sweep.c) and
 * tree listings (fs_tree.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "bucketfs/hash.h"
#include "bucketfs/log.h"
#include "bucketfs/uri.h"
#include "fs/fs_int.h"
#include "util/strv.h"

#define HIDDEN_LOG_MAX 4096 /* distinct hidden keys logged per mount */

/* An entry for an object seen in a listing (no metadata yet). */
static void entry_from_listing(const struct bfs_listing_object *o, int64_t now, struct bfs_entry *e)
{
	bfs_entry_init(e);
	e->type = BFS_ENT_FILE;
	e->mode = S_IFREG;
	e->size = o->size;
	e->mtime_ns = (int64_t)o->mtime * 1000000000;
	e->lastmod_s = (int64_t)o->mtime;
	snprintf(e->etag, sizeof(e->etag), "%s", o->etag);
	e->validated_ns = now;
}

/* Keep what we knew locally (data file, metadata) when the object is the same. */
void fs_merge_known(const struct bfs_entry *old, struct bfs_entry *e)
{
	if (old->type == BFS_ENT_DIR || e->type == BFS_ENT_DIR || strcmp(old->etag, e->etag) ||
	    !e->etag[0])
		return;
	/* The same object: a listing cannot tell a symlink from a file, nor
	 * give the attributes its headers did (kept until the listing shows
	 * another LastModified: fs_apply_page_batch). */
	if (!(e->flags & (BFS_EF_META | BFS_EF_SEEN))) {
		e->type = old->type;
		e->flags |= old->flags & BFS_EF_SEEN;
	}
	if (!e->data_id) { /* (a GET that just came brought its own) */
		e->data_id = old->data_id;
		e->cached_bytes = old->cached_bytes;
		e->crc_bytes = old->crc_bytes;
		e->crc32c = old->crc32c;
		e->flags |= old->flags & BFS_EF_CACHED;
	}
	e->atime_ns = old->atime_ns;
	if (!(e->flags & BFS_EF_META) && (old->flags & BFS_EF_META)) {
		e->flags |= BFS_EF_META;
		fs_entry_take_attrs(e, old);
		memcpy(e->link, old->link, sizeof(e->link));
	}
}

struct prune {
	struct bfs_fs *fs;
	const char *dir;
	int64_t started;
	const struct idset *shown;
	struct bfs_index_batch *b;
	int n;
	struct fs_pruned *gone;
};

/* A 64-bit FNV-1a hash of s, never 0 (an idset holds non-zero values). */
static uint64_t key_hash(const char *s)
{
	uint64_t h = bfs_fnv1a64(s, BFS_FNV64_INIT);

	return h ? h : 1;
}

static int pruned_add(struct fs_pruned *g, const char *path, uint64_t id)
{
	uint64_t *ids = bfs_grow(g->ids, g->n, &g->alloc, sizeof(*ids));

	if (!ids)
		return -ENOMEM;
	g->ids = ids;
	if (strv_add(g->paths, path, strlen(path)) || g->paths->n != g->n + 1)
		return -ENOMEM; /* (paths are unique: strv_add never skips one) */
	g->ids[g->n++] = id;
	return 0;
}

void fs_pruned_done(struct bfs_fs *fs, struct fs_pruned *g, int committed)
{
	struct bfs_entry cur;
	size_t i;
	int rc;

	for (i = 0; committed && i < g->n; i++) {
		rc = bfs_index_get(fs->ix, g->paths->v[i], &cur);
		if (rc == -ENOENT ||
		    (!rc && cur.data_id != g->ids[i] && cur.staged_id != g->ids[i]))
			fs_data_unlink(fs, g->ids[i]);
	}
	strv_free(g->paths);
	free(g->ids);
	g->ids = NULL;
	g->n = g->alloc = 0;
}

/* After a complete listing: children not seen in it are gone from the bucket. */
static int prune_child(void *arg, const char *name, const struct bfs_entry *e)
{
	struct prune *p = arg;
	char path[BFS_INDEX_PATH_MAX];

	if (e->state == BFS_ST_DIRTY || e->state == BFS_ST_UPLOADING ||
	    e->validated_ns >= p->started || e->seen_ns >= p->started)
		return 0;
	if (e->state != BFS_ST_NEGATIVE && (e->flags & BFS_EF_LOCAL) &&
	    e->validated_ns >= p->started - 1000000000LL)
		return 0; /* just created here; listings may lag */
	snprintf(path, sizeof(path), "%s%s%s", p->dir, strcmp(p->dir, "/") ? "/" : "", name);
	/* (a hash: two names of the same hash are both kept, never pruned) */
	if (idset_has(p->shown, key_hash(path)) || fs_ofile_is_open(p->fs, path))
		return 0;
	if (bfs_index_batch_del_if(p->b, path, e) == 0) { /* (unless it changed since) */
		p->n++;
		if (e->data_id && pruned_add(p->gone, path, e->data_id))
			return 1; /* (out of memory: the walk stops, nothing else is pruned) */
	}
	return 0;
}

void fs_key_hidden(struct bfs_fs *fs, const char *key, const char *why)
{
	uint64_t h = key_hash(key);
	char shown[1024 + 8];
	size_t n = 0;
	int fresh_key;

	if (!bfs_log_enabled(LOG_INFO))
		return;
	pthread_mutex_lock(&fs->hidden.lock);
	fresh_key = fs->hidden.logged.len < HIDDEN_LOG_MAX && !idset_has(&fs->hidden.logged, h) &&
		    idset_add(&fs->hidden.logged, h) == 0;
	pthread_mutex_unlock(&fs->hidden.lock);
	if (!fresh_key)
		return;
	/* The key as printable ASCII (a newline in it must not start a log
	 * line of its own), at most about 1000 bytes of it. */
	for (; *key && n < sizeof(shown) - 8; key++) {
		unsigned char c = (unsigned char)*key;

		if (c < 0x20 || c >= 0x7f || c == '\\')
			n += (size_t)snprintf(shown + n, sizeof(shown) - n, "\\x%02x", c);
		else
			shown[n++] = (char)c;
		if (n >= 1000 && key[1]) {
			memcpy(shown + n, "...", 3);
			n += 3;
			break;
		}
	}
	shown[n] = '\0';
	/* a common prefix of a listing ends in '/': it stands for many keys */
	bfs_log(LOG_INFO, "%s '%s'%s not shown in the mount: %s",
		n && shown[n - 1] == '/' ? "the keys starting with" : "the key", shown,
		n && shown[n - 1] == '/' ? " are" : " is", why);
}

/*
 * Why the len bytes at name (from a listing) cannot be shown as a name,
 * or NULL.  See SEMANTICS.md, "Keys a filesystem cannot show".
 */
static const char *name_problem(const char *name, size_t len)
{
	switch (fs_name_check(name, len)) {
	case 0:
		return NULL;
	case -ENAMETOOLONG:
		return "a path component longer than 255 bytes";
	default:
		if (len == 0)
			return "an empty path component (\"//\", or a leading '/')";
		if (name[0] == '.')
			return "a \".\" or \"..\" path component";
		return "a '/' or NUL byte in a name";
	}
}

/* Does listing l also hold the object named by prefix p ("key/") less its '/'? */
static int has_object_of(const struct bfs_listing *l, const char *p)
{
	size_t lo = 0, hi = l->nobjects, kl = strlen(p) - 1;

	/* S3 sends objects in key (byte) order. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *k = l->objects[mid].key;
		int c = strncmp(k, p, kl);

		if (c == 0 && k[kl] == '\0')
			return 1;
		if (c == 0)
			c = 1; /* "keyX" sorts after "key" */
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * May a listing's line o for an object confirm old, attributes and all?
 * The same ETag says the bytes are the same; a change of metadata alone (a
 * chmod elsewhere copies the object onto itself) shows in a listing only as
 * a new LastModified.  So attributes that came from the object's headers or
 * were set here are confirmed only by the LastModified they came with, and
 * only when that was at least 2 s before old was last confirmed:
 * LastModified counts whole seconds, and a change within the same second as
 * the one old knows would not show.  An entry seen only in listings has
 * nothing a listing could contradict, but it is not confirmed either: its
 * revalidation is the HEAD that learns its attributes (but see
 * FS_APPLY_SWEEP below).
 */
int fs_listing_may_confirm(const struct bfs_entry *e, int sweep)
{
	if (!(e->flags & (BFS_EF_SEEN | BFS_EF_META)))
		return sweep;
	return e->lastmod_s && e->validated_ns / 1000000000 - e->lastmod_s >= 2;
}

/*
 * A directory's attributes come from its marker's headers, or are the
 * defaults when it has none.  A listing of its parent shows it as a prefix
 * only, which says that it exists, not that its marker is unchanged (a
 * chmod on another server PUTs it again, with the same ETag: it is empty).
 * A listing of its own keys shows the marker first, with its LastModified:
 * the attributes hold while that is the one they came with, or while there
 * is still no marker.  Attributes not from the bucket (forced by uid=,
 * gid=, umask=; set here and not sent) need no confirming.
 */
int fs_dir_marker_confirms(const struct bfs_fs *fs, const struct bfs_entry *e,
			   const struct bfs_listing_object *marker)
{
	if (e->state != BFS_ST_CLEAN || (e->flags & BFS_EF_ROOT) || fs_attrs_forced(fs))
		return 1;
	if (!marker)
		return !(e->flags & BFS_EF_MARKER);
	return (e->flags & BFS_EF_MARKER) && e->lastmod_s && (int64_t)marker->mtime == e->lastmod_s;
}

void fs_dir_attrs_forget(struct bfs_entry *e)
{
	e->flags &=
	    ~(uint32_t)(BFS_EF_META | BFS_EF_MARKER | BFS_EF_PROBED | BFS_EF_LOCAL | BFS_EF_SEEN);
	e->mode = S_IFDIR;
	e->lastmod_s = 0;
}

int64_t fs_marker_lastmod(int64_t lastmod_s, int64_t now)
{
	return now / 1000000000 - lastmod_s >= 2 ? lastmod_s : 0;
}

static int listing_confirms(const struct bfs_entry *old, const struct bfs_listing_object *o)
{
	return (old->flags & (BFS_EF_SEEN | BFS_EF_META)) && fs_listing_may_confirm(old, 0) &&
	       (int64_t)o->mtime == old->lastmod_s;
}

/*
 * Add one listing page to the index in one transaction.  Keys the mount
 * cannot show are skipped (and logged once): an empty, "." or ".." name, a
 * name over 255 bytes, a path the index cannot hold, and the keys below
 * "key/" when a file "key" is there too (the file wins, also when it came
 * on an earlier page: started is when the listing began).
 *
 * FS_APPLY_LISTING (readdir): every name on the page is added or updated; an
 * object with the ETag the index knows is confirmed, keeping what else the
 * index knows of it, but not the page's LastModified when listing_confirms()
 * is unsure (so that it stays unsure until a HEAD), nor then as validated
 * (seen_ns: it exists; its lookup asks about its attributes).  A directory
 * (a prefix) is only seen, unless nothing in its attributes came from the
 * bucket.
 * FS_APPLY_WINDOW (a directory's revalidation): only files the index holds
 * clean are touched, and only those listing_confirms() is sure of; changed
 * ones, directories and new names are left to their own lookup.
 * FS_APPLY_SWEEP (files revalidated one after another, an `ls -l`): as
 * FS_APPLY_WINDOW, and a file seen only in listings is confirmed too by
 * the same ETag: it keeps showing the defaults rather than cost a HEAD.
 */
int fs_apply_page_batch(struct bfs_fs *fs, struct bfs_index_batch *b, const char *dir,
			const char *dkey, const struct bfs_listing *l, int64_t started, int64_t now,
			enum fs_apply_mode mode, struct idset *shown)
{
	struct bfs_entry e, old, was;
	char path[BFS_INDEX_PATH_MAX];
	size_t i, dl = strlen(dkey);
	const char *sep = strcmp(dir, "/") ? "/" : "", *why;
	int rc = 0, have, olddir;

	for (i = 0; i < l->nobjects + (mode == FS_APPLY_LISTING ? l->nprefixes : 0) && !rc; i++) {
		int isdir = i >= l->nobjects;
		const char *k = isdir ? l->prefixes[i - l->nobjects] : l->objects[i].key;
		size_t kl = strlen(k);

		if (kl <= dl || strncmp(k, dkey, dl))
			continue; /* the directory's own marker */
		kl -= dl + (size_t)isdir;
		why = name_problem(k + dl, kl);
		if (!why && (size_t)snprintf(path, sizeof(path), "%s%s%.*s", dir, sep, (int)kl,
					     k + dl) >= sizeof(path))
			why = "its path is too long";
		have = why ? -ENOENT : bfs_index_get(fs->ix, path, &old);
		if (have == 0)
			was = old;
		/* (an old-style directory object is the directory's: its
		 * lookup's HEAD said so, BFS_EF_OLDDIR) */
		olddir = have == 0 && old.type == BFS_ENT_DIR && (old.flags & BFS_EF_OLDDIR);
		if (!why && isdir && !olddir && has_object_of(l, k))
			why = "a file of the same name hides them";
		if (have == -ENAMETOOLONG)
			why = "its path is longer than the cache index can hold";
		else if (have == -EINVAL) /* (dir is one: a caller's mistake) */
			why = "its directory's path is not one the mount can show";
		/* the file came on an earlier page of this listing */
		if (!why && isdir && have == 0 && old.type == BFS_ENT_FILE &&
		    (old.validated_ns >= started || old.seen_ns >= started))
			why = "a file of the same name hides them";
		if (why) {
			fs_key_hidden(fs, k, why);
			continue;
		}
		if (shown && (rc = idset_add(shown, key_hash(path))))
			break;
		if (mode != FS_APPLY_LISTING &&
		    (have || old.state != BFS_ST_CLEAN || old.type == BFS_ENT_DIR || !old.etag[0]))
			continue;
		if (isdir)
			fs_entry_dir(now, &e);
		else
			entry_from_listing(&l->objects[i], now, &e);
		if (have == 0) {
			if (old.state == BFS_ST_DIRTY || old.state == BFS_ST_UPLOADING)
				continue;
			if (!isdir && olddir && !l->objects[i].size) {
				/* (still empty: its directory's; its etag may be the
				 * marker's, when a chmod made one beside it) */
				old.seen_ns = now;
				e = old;
			} else if (isdir && old.type == BFS_ENT_DIR) {
				/* (it exists; its attributes, when it has any, only
				 * its own listing or its marker's HEAD confirm) */
				if (fs_attrs_forced(fs) || !fs_attrs_known(fs, &old))
					old.validated_ns = now;
				old.seen_ns = now;
				e = old;
			} else if (!isdir && !strcmp(old.etag, e.etag)) {
				int sure = listing_confirms(&old, &l->objects[i]) ||
					   (mode == FS_APPLY_SWEEP &&
					    !(old.flags & (BFS_EF_SEEN | BFS_EF_META)));

				if (!sure && mode != FS_APPLY_LISTING)
					continue;
				fs_merge_known(&old, &e);
				e.flags |= old.flags & BFS_EF_SEEN;
				if (!sure)
					e.lastmod_s = old.lastmod_s;
				/* attributes this line may contradict: its next
				 * lookup's HEAD confirms them */
				if (!sure && (old.flags & (BFS_EF_SEEN | BFS_EF_META))) {
					e.validated_ns = old.validated_ns;
					e.seen_ns = now;
				}
			} else if (mode != FS_APPLY_LISTING) {
				continue; /* changed: its lookup's HEAD sees to it */
			} else {
				fs_merge_known(&old, &e);
			}
		}
		/* (only if what was read is still there: a file journaled, or
		 * attributes learnt meanwhile, are newer than this page) */
		rc = bfs_index_batch_put_if(b, path, &e, have == 0 ? &was : NULL);
	}
	return rc;
}

int fs_apply_page(struct bfs_fs *fs, const char *dir, const char *dkey, const struct bfs_listing *l,
		  int64_t started, int64_t now, enum fs_apply_mode mode, struct idset *shown)
{
	struct bfs_index_batch *b;
	int rc = bfs_index_batch_begin(fs->ix, &b);

	if (rc)
		return rc;
	rc = fs_apply_page_batch(fs, b, dir, dkey, l, started, now, mode, shown);
	if (rc) {
		bfs_index_batch_abort(b);
		return rc;
	}
	return bfs_index_batch_commit(b);
}

int fs_dir_prune(struct bfs_fs *fs, struct bfs_index_batch *b, const char *path, int64_t started,
		 const struct idset *shown, struct fs_pruned *gone)
{
	struct prune p = { fs, path, started, shown, b, 0, gone };
	int rc = bfs_index_children(fs->ix, path, prune_child, &p);

	return rc < 0 ? rc : rc > 0 ? -ENOMEM : 0;
}

int fs_dir_relist(struct bfs_fs *fs, const char *path, struct bfs_entry *de, int max_pages)
{
	char dkey[FS_KEY_MAX + 1];
	struct bfs_listing l;
	struct strv gpaths = STRV_INIT;
	struct fs_pruned gone = { &gpaths, NULL, 0, 0 };
	struct idset shown = IDSET_INIT;
	char *token = NULL;
	int64_t started;
	struct bfs_index_batch *b;
	int rc, pages = 0;

	started = fs_now_ns();
	fs_itrim_dir_used(fs, path);
	rc = fs_dir_key(fs, path, dkey, sizeof(dkey));
	if (rc)
		return rc;
	do {
		rc = bfs_store_list(fs->store, dkey, "/", token, 1000, &l);
		free(token);
		token = NULL;
		if (rc) {
			rc = fs_store_errno("readdir", path, rc);
			goto out;
		}
		rc = fs_apply_page(fs, path, dkey, &l, started, fs_now_ns(), FS_APPLY_LISTING,
				   &shown);
		fs_itrim_check(fs);
		if (!rc && l.truncated && l.next_token) {
			if (++pages == max_pages) {
				bfs_listing_release(&l);
				goto out; /* more than the caller wants to list: 0 */
			}
			token = strdup(l.next_token);
			if (!token)
				rc = -ENOMEM;
		}
		bfs_listing_release(&l);
		if (rc)
			goto out;
	} while (token);

	rc = bfs_index_batch_begin(fs->ix, &b);
	if (rc)
		goto out;
	rc = fs_dir_prune(fs, b, path, started, &shown, &gone);
	if (rc)
		bfs_index_batch_abort(b);
	else
		rc = bfs_index_batch_commit(b);
	fs_pruned_done(fs, &gone, !rc);
	if (rc)
		goto out;
	if (strcmp(path, "/")) {
		struct bfs_entry cur;

		/* what else changed in the entry meanwhile (its marker paid) stays */
		if (bfs_index_get(fs->ix, path, &cur) == 0 && cur.type == BFS_ENT_DIR)
			*de = cur;
		de->listed_ns = started;
		de->validated_ns = started;
		rc = bfs_index_put(fs->ix, path, de);
	} else {
		struct bfs_entry root;

		fs_root_entry(fs, &root);
		root.listed_ns = started;
		rc = bfs_index_put(fs->ix, "/", &root);
	}
	if (!rc)
		rc = pages + 1;
out:
	idset_free(&shown);
	return rc;
}

void fs_hidden_init(struct bfs_fs *fs)
{
	pthread_mutex_init(&fs->hidden.lock, NULL);
}

void fs_hidden_destroy(struct bfs_fs *fs)
{
	pthread_mutex_destroy(&fs->hidden.lock);
	idset_free(&fs->hidden.logged);
}
