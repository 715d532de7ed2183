/* SPDX-License-Identifier: MIT */
/*
 * fs_lookup.c - finding a name: the index first, then one request to the
 * bucket (fs_ask.c), shared by the lookups of one name made at the same
 * moment.
 *
 * A name not in the index costs one LIST (the keys starting with it, no
 * delimiter), which tells in one answer whether the name is an object, a
 * "directory" (keys below it), with a marker or not, or nothing; an object
 * found this way is then HEADed once for its metadata (mode, owner,
 * symlink), a marker for the directory's.  A name with an extension is
 * HEADed (or fetched, lookup_get=) first, except in a directory made here.
 * A name missing from a directory made here and listed within the negative
 * window, or remembered missing within it, costs nothing; such a directory
 * is relisted when that is cheaper than looking its new names up one by
 * one.  A known name gone stale costs one HEAD for a file, one LIST of its
 * first names for a directory (which confirms those files too); many files
 * of one directory, or many directories of one parent, revalidated in a
 * row, about a LIST a 1000 files (fs_sweep.c); so do many directories of
 * one parent the index does not hold, found in a row (tree probes, fs_tree.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "bucketfs/uri.h"
#include "fs/fs_int.h"

/* Names a stale directory's revalidation confirms besides itself. */
#define DIR_WINDOW 32

/*
 * A known directory d gone stale: does anything remain below it?  One LIST
 * of its first DIR_WINDOW names, which also confirms the files among them
 * that did not change (apply_page, FS_APPLY_WINDOW): reading a directory's
 * files again after the positive window costs that one request, not a HEAD
 * per file.  The same LIST shows its marker first: when that is not the
 * one d's attributes came from (fs_dir_marker_confirms: chmod on another
 * server), a HEAD of it gives d its new attributes.  1 if it exists, 0 if
 * not, or the error.
 */
static int dir_revalidate(struct bfs_fs *fs, const char *path, const char *dkey, int64_t now,
			  struct bfs_entry *d)
{
	struct bfs_listing l;
	const struct bfs_listing_object *marker;
	int rc = bfs_store_list(fs->store, dkey, "/", NULL, DIR_WINDOW, &l);

	if (rc)
		return fs_ask_err(fs, path, rc);
	rc = l.nobjects || l.nprefixes;
	marker = l.nobjects && !strcmp(l.objects[0].key, dkey) ? &l.objects[0] : NULL;
	if (rc && l.nobjects) {
		int err = fs_apply_page(fs, path, dkey, &l, now, now, FS_APPLY_WINDOW, NULL);

		if (err)
			rc = err;
	}
	if (rc > 0 && !fs_dir_marker_confirms(fs, d, marker)) {
		struct bfs_entry fresh;
		int err = fs_ask_dir(fs, path, dkey, marker != NULL, &fresh);

		if (err) {
			rc = err;
		} else {
			fresh.listed_ns = d->listed_ns;
			fresh.dirchg_ns = d->dirchg_ns; /* (fs_dir_changed) */
			/* (made here still; an old-style object still its) */
			fresh.flags |= d->flags & (BFS_EF_LOCAL | BFS_EF_OLDDIR);
			*d = fresh;
		}
	}
	bfs_listing_release(&l);
	return rc;
}

/*
 * The directory path is in, when this mount made it (BFS_EF_LOCAL): 1 with
 * parent[] and *pe set, else 0.  Names in such a directory are most likely
 * being created here: its listing answers for them (parent_says_missing),
 * and a name it does not answer for is probed as a new one.
 */
static int local_parent(struct bfs_fs *fs, const char *path, char *parent, size_t psz,
			struct bfs_entry *pe)
{
	const char *name;

	if (fs_split(path, parent, psz, &name))
		return 0;
	/* Such a name may be one the bucket cannot hold at all (S3 keys are
	 * UTF-8): let the store say so, before anything is created. */
	if (!bfs_utf8_valid(name))
		return 0;
	if (bfs_index_get(fs->ix, parent, pe))
		return 0;
	return pe->type == BFS_ENT_DIR && (pe->flags & BFS_EF_LOCAL);
}

/*
 * Is path's absence already known from a listing of its parent within the
 * negative window?  Only for a directory this mount made: what another
 * server put in a directory we merely listed must be found at the first
 * lookup.
 */
static int parent_says_missing(struct bfs_fs *fs, const char *path, int64_t now)
{
	char parent[BFS_INDEX_PATH_MAX];
	struct bfs_entry pe;

	return local_parent(fs, path, parent, sizeof(parent), &pe) &&
	       fs_fresh(pe.listed_ns, fs->cfg.neg_ttl_ms, now);
}

/* Directories whose relisting is remembered; the most pages one relists
 * (1000 names a page). */
#define RELIST_MAX_PAGES 16
#define RELIST_NEVER (RELIST_MAX_PAGES + 1)

/*
 * A name unknown in a directory this mount made, whose listing is older
 * than the negative window: relist the directory (shared by the lookups
 * waiting on it) so that it answers for this name and for every other
 * name created in it during the window: a stream of new files in one
 * directory costs a listing per window, not a lookup per file.  A listing
 * costs its pages, a name probed alone one LIST, so the directory is
 * relisted only once the names looked up in it since its listing went
 * stale are at least as many as that listing's pages (its first time: one
 * page).  Over RELIST_MAX_PAGES pages, never (until the note is
 * forgotten).  1 when a listing was made, or another lookup's made it
 * fresh meanwhile (look again), 0 when not.
 */
static int relist_parent(struct bfs_fs *fs, const char *parent, struct bfs_entry *pe, int64_t now)
{
	uint64_t h = pathttl_hash(parent);
	struct fs_relist *n = &fs->memo.relists[h % FS_RELIST_SLOTS];
	int slot, rc, want = 0;

	if (fs->cfg.neg_ttl_ms <= 0)
		return 0;
	if (fs_fresh(pe->listed_ns, fs->cfg.neg_ttl_ms, now))
		return 1;
	pthread_mutex_lock(&fs->memo.relist_mu);
	if (n->hash != h) {
		n->hash = h;
		n->pages = 0;
		n->misses = 0;
	}
	n->misses++;
	if (!n->pages)
		want = 1;
	else if (n->pages < RELIST_NEVER && n->misses >= n->pages)
		want = n->misses < RELIST_MAX_PAGES ? n->misses : RELIST_MAX_PAGES;
	pthread_mutex_unlock(&fs->memo.relist_mu);
	if (!want)
		return 0;
	slot = flight_begin(&fs->memo.lookups, parent);
	if (slot == FLIGHT_WAITED)
		return 1;
	rc = fs_dir_relist(fs, parent, pe, want);
	if (slot >= 0)
		flight_end(&fs->memo.lookups, slot);
	if (rc < 0)
		return 0; /* the name's own lookup will say what is wrong */
	pthread_mutex_lock(&fs->memo.relist_mu);
	if (n->hash == h) {
		n->pages = rc ? rc : want < RELIST_MAX_PAGES ? want + 1 : RELIST_NEVER;
		n->misses = 0;
	}
	pthread_mutex_unlock(&fs->memo.relist_mu);
	return rc > 0;
}

/*
 * What the index and the windows say of path without asking the bucket:
 * 0 with *e set, or -ENOENT, when that answers; 1 when the bucket must be
 * asked (*old and *have say what the index holds); another -errno.
 */
static int lookup_known(struct bfs_fs *fs, const char *path, int64_t now, struct bfs_entry *old,
			int *have, struct bfs_entry *e)
{
	int rc = bfs_index_get(fs->ix, path, old);

	if (rc && rc != -ENOENT)
		return rc;
	*have = rc == 0;
	/* Found missing a moment ago (only where the index knows no better). */
	if ((!*have || old->state == BFS_ST_NEGATIVE) && pathttl_has(&fs->memo.negs, path, now))
		return -ENOENT;
	if (*have) {
		if (old->state == BFS_ST_DIRTY || old->state == BFS_ST_UPLOADING) {
			*e = *old;
			return 0;
		}
		if (old->state == BFS_ST_NEGATIVE) {
			if (fs_fresh(old->validated_ns, fs->cfg.neg_ttl_ms, now))
				return -ENOENT;
		} else if (!fs_attrs_known(fs, old)) {
			return 1; /* a listing's entry: what is it, with what mode? */
		} else if (fs_fresh(old->validated_ns, fs->cfg.stat_ttl_ms, now) ||
			   fs_ofile_is_open(fs, path) ||
			   (old->type == BFS_ENT_FILE && old->etag[0] && old->validated_ns &&
			    fs_immutable(fs, path)) ||
			   /* nor does a directory there vanish (its files are never
			    * deleted); new names in it are still looked up */
			   (old->type == BFS_ENT_DIR && old->state == BFS_ST_CLEAN &&
			    old->validated_ns && fs_immutable(fs, path)) ||
			   /* a file stored below it within the window: it exists */
			   (old->type == BFS_ENT_DIR && pathttl_has(&fs->memo.proven, path, now))) {
			*e = *old;
			return 0;
		}
	} else if (parent_says_missing(fs, path, now)) {
		return -ENOENT;
	}
	return 1;
}

static int lookup_ask(struct bfs_fs *fs, const char *path, int64_t now, struct bfs_entry old,
		      int have, struct bfs_entry *e);

/* old (what the index holds) lacks the attributes the mount shows. */
static int attrs_unknown(const struct bfs_fs *fs, const struct bfs_entry *old, int have)
{
	return have && old->state == BFS_ST_CLEAN && !fs_attrs_known(fs, old);
}

int fs_lookup_attrs(struct bfs_fs *fs, const char *path)
{
	struct bfs_entry old, e;
	int have = 0, rc, slot;

	slot = flight_begin(&fs->memo.lookups, path);
	if (slot < 0)
		return 0; /* a lookup asked meanwhile (or the table is full) */
	rc = lookup_known(fs, path, fs_now_ns(), &old, &have, &e);
	if (rc == 1 && attrs_unknown(fs, &old, have))
		rc = lookup_ask(fs, path, fs_now_ns(), old, have, &e);
	flight_end(&fs->memo.lookups, slot);
	return rc < 0 ? rc : 0;
}

int fs_lookup(struct bfs_fs *fs, const char *path, struct bfs_entry *e)
{
	struct bfs_entry old;
	int have = 0, rc, slot;

	if (!strcmp(path, "/")) {
		fs_root_entry(fs, e);
		return 0;
	}
	rc = lookup_known(fs, path, fs_now_ns(), &old, &have, e);
	if (rc == 0 && (e->flags & BFS_EF_PROBED))
		fs_tree_probe_used(fs, path, e); /* (was a tree probe of use?) */
	if (rc != 1)
		return rc;
	/* the first of a listed directory's entries looked up (ls -l): ask for
	 * the attributes of those after it too, in parallel; directories first
	 * by one LIST of the keys below their parent (those without a marker
	 * have nothing more to say) */
	if (attrs_unknown(fs, &old, have)) {
		if (old.type == BFS_ENT_DIR && fs_meta_tree_due(fs, path)) {
			(void)fs_tree_list(fs, path, 0);
			rc = lookup_known(fs, path, fs_now_ns(), &old, &have, e);
			if (rc != 1)
				return rc;
		}
		fs_meta_prefetch(fs, path);
	}
	/* Many lookups of one name at once (the kernel revalidates an expired
	 * dentry in every walker): one asks, the others use its answer. */
	slot = flight_begin(&fs->memo.lookups, path);
	/* Look again, also as the one to ask: another lookup may have asked
	 * and finished between the look above and flight_begin. */
	rc = lookup_known(fs, path, fs_now_ns(), &old, &have, e);
	if (rc != 1) {
		flight_end(&fs->memo.lookups, slot);
		return rc;
	}
	rc = lookup_ask(fs, path, fs_now_ns(), old, have, e);
	flight_end(&fs->memo.lookups, slot);
	return rc;
}

/* The part of fs_lookup that asks the bucket.
 * Long: its order of cases is the lookup's policy (offline, relisting,
 * tree sweep, directory revalidation, file HEAD, unknown name), read top
 * to bottom; to be split with the fs layer's restructuring (issue 24). */
static int lookup_ask(struct bfs_fs *fs, const char *path, int64_t now, struct bfs_entry old,
		      int have, struct bfs_entry *e)
{
	char parent[BFS_INDEX_PATH_MAX];
	struct bfs_entry neg, pe;
	/* what the index holds may serve when the bucket is unreachable,
	 * but never attributes it does not have (defaults may let anyone in) */
	int known = have && old.state != BFS_ST_NEGATIVE && fs_attrs_known(fs, &old);
	int rc, local = 0;

	/* Unreachable bucket: what we knew is better than an error. */
	if (known && fs_offline(fs)) {
		*e = old;
		return 0;
	}
	if (!have || old.state == BFS_ST_NEGATIVE) {
		local = local_parent(fs, path, parent, sizeof(parent), &pe);
		if (local && relist_parent(fs, parent, &pe, now)) {
			rc = lookup_known(fs, path, fs_now_ns(), &old, &have, e);
			if (rc != 1)
				return rc;
		}
	}
	/* A known directory gone stale: does anything remain below it?  One
	 * LIST (dir_revalidate, or a tree sweep when many of its siblings are
	 * revalidated in a row), which also confirms its first files; its
	 * attributes stay as they were.  One seen only in listings so far
	 * (its marker never looked for) is probed below, unless a tree sweep
	 * confirms it: its page shows the marker too. */
	if (have && old.state == BFS_ST_CLEAN && old.type == BFS_ENT_DIR &&
	    fs_tree_sweep_due(fs, path, now) && fs_tree_sweep(fs, path, now) &&
	    bfs_index_get(fs->ix, path, e) == 0 && e->type == BFS_ENT_DIR && fs_attrs_known(fs, e))
		return 0;
	if (have && old.state == BFS_ST_CLEAN && old.type == BFS_ENT_DIR &&
	    (old.flags & (BFS_EF_META | BFS_EF_PROBED))) {
		char dkey[FS_KEY_MAX + 1];

		rc = fs_dir_key(fs, path, dkey, sizeof(dkey));
		if (rc)
			return rc;
		rc = dir_revalidate(fs, path, dkey, now, &old);
		if (rc > 0) {
			old.validated_ns = now;
			*e = old;
			return bfs_index_put(fs->ix, path, e);
		}
		if (rc < 0 && known && fs_offline(fs)) {
			*e = old;
			return 0;
		}
		if (rc < 0)
			return rc;
		/* gone, or now a file: ask afresh below */
	}
	/* A known file gone stale: one HEAD; the same ETag keeps the cached data. */
	if (have && old.state == BFS_ST_CLEAN && old.type != BFS_ENT_DIR && old.etag[0]) {
		char key[FS_KEY_MAX];
		struct bfs_obj_info info;
		/* (a listing's entry asked for its attributes is no stale file
		 * a sweep's listing could confirm) */
		int sweep = fs_attrs_known(fs, &old) && fs_sweep_due(fs, path, now);

		rc = fs_file_key(fs, path, key, sizeof(key));
		if (rc)
			return rc;
		/* (a listing's entry, looked up for its attributes: a HEAD too,
		 * not a GET of its first bytes: ls -l reads no data) */
		/* Unconditional: a HEAD carries no body to save, and metadata
		 * (chmod on another server) changes without the ETag. */
		rc = bfs_store_head_if(fs->store, key, NULL, &info);
		if (sweep && (rc == 0 || rc == BFS_E_NOTMODIFIED))
			fs_sweep_after(fs, path, key);
		if (rc == BFS_E_NOTMODIFIED) {
			old.validated_ns = now;
			*e = old;
			return bfs_index_put(fs->ix, path, e);
		}
		if (rc == 0) {
			bfs_entry_init(e);
			fs_entry_from_info(fs, &info, e);
			e->validated_ns = now;
			if (e->type == BFS_ENT_DIR) /* (an old-style directory object) */
				e->flags |= BFS_EF_OLDDIR;
		} else if (rc != BFS_E_NOTFOUND) {
			if (fs_went_offline(fs, rc) && known) {
				*e = old;
				return 0;
			}
			return fs_store_errno("lookup", path, rc);
		} else {
			rc = fs_ask_name(fs, path, 0, 0, e); /* maybe a directory now */
		}
	} else {
		int unknown = !have || old.state == BFS_ST_NEGATIVE;

		/* Many unknown directories of one parent found in a row: one
		 * LIST for the next and those after it (a tree probe, fs_tree.c). */
		rc = !have && !local && fs_tree_probe_due(fs, path, now) ? fs_tree_probe(fs, path)
									 : 0;
		if (rc == 1) {
			rc = lookup_known(fs, path, fs_now_ns(), &old, &have, e);
			if (rc != 1)
				return rc;
			rc = 0;
		}
		if (rc == 0) {
			rc = fs_ask_name(fs, path, unknown, local, e);
			/* (a probe adds directories: a file found does not count) */
			if (!have && !local &&
			    (rc == -ENOENT || (rc == 0 && e->type == BFS_ENT_DIR)))
				fs_tree_probe_note(fs, path, now, rc == 0);
		}
	}
	if (rc == -EIO && known && fs_offline(fs)) {
		*e = old;
		return 0;
	}
	/* Offline in write-back mode, a name we know nothing of counts as
	 * absent, so it can be created and journaled (not remembered as
	 * absent: the bucket may have it). */
	if (rc == -EIO && (!have || old.state == BFS_ST_NEGATIVE) && fs_offline(fs) &&
	    fs->cfg.writeback_ms >= 0)
		return -ENOENT;
	if (rc == -ENOENT) {
		/* Remember the absence for the negative window: in memory (no
		 * index write, no fsync: the common case of a name about to be
		 * created), unless the index holds what is now gone. */
		if (!have || old.state == BFS_ST_NEGATIVE) {
			pathttl_put(&fs->memo.negs, path,
				    now + (int64_t)fs->cfg.neg_ttl_ms * 1000000);
			return -ENOENT;
		}
		bfs_entry_init(&neg);
		neg.state = BFS_ST_NEGATIVE;
		neg.validated_ns = now;
		if (old.data_id)
			fs_data_unlink(fs, old.data_id);
		(void)bfs_index_put(fs->ix, path, &neg);
		return -ENOENT;
	}
	if (rc)
		return rc;
	if (have && old.state != BFS_ST_NEGATIVE) {
		if (old.type == BFS_ENT_DIR && e->type == BFS_ENT_DIR) {
			e->listed_ns = old.listed_ns;
			if (!(e->flags & BFS_EF_META) && (old.flags & BFS_EF_META)) {
				e->flags |= old.flags & (BFS_EF_MARKER | BFS_EF_META);
				fs_entry_take_attrs(e, &old);
			}
			e->dirchg_ns = old.dirchg_ns; /* (fs_dir_changed) */
			e->flags |= old.flags & BFS_EF_OLDDIR;
		}
		fs_merge_known(&old, e);
		if (old.data_id && old.data_id != e->data_id)
			fs_data_unlink(fs, old.data_id);
	}
	rc = bfs_index_put(fs->ix, path, e);
	if (e->data_id && !e->cached_bytes) /* (a GET still coming: fs_stream.c) */
		fs_stream_settle(fs, e->data_id, rc == 0);
	return rc;
}

void fs_memo_init(struct bfs_fs *fs)
{
	pathttl_init(&fs->memo.negs);
	pathttl_init(&fs->memo.proven);
	pathttl_init(&fs->memo.walked);
	pthread_mutex_init(&fs->memo.relist_mu, NULL);
	flight_init(&fs->memo.lookups);
}

void fs_memo_destroy(struct bfs_fs *fs)
{
	pathttl_destroy(&fs->memo.negs);
	pathttl_destroy(&fs->memo.proven);
	pathttl_destroy(&fs->memo.walked);
	pthread_mutex_destroy(&fs->memo.relist_mu);
	flight_destroy(&fs->memo.lookups);
}
