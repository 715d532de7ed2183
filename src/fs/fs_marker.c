/* SPDX-License-Identifier: MIT */
/*
 * fs_marker.c - directory markers that mkdir leaves owed.
 *
 * The app's way of writing (mkdir -p images/<task>, then its files) would
 * cost a "dir/" marker PUT per directory on top of the files' own PUTs,
 * though the first file makes the directory exist in the bucket anyway.  So
 * a new directory whose attributes are the ones a directory without a
 * marker shows (fs_marker_deferrable) is journaled instead: state
 * UPLOADING, flag BFS_EF_OWED, due marker_delay= (1 s) later.  Then either:
 *   - an object lands below it first (fs_marker_settle): the debt is void,
 *     no request;
 *   - or the uploader finds it due and PUTs the marker (fs_marker_pay),
 *     with the journal's retries and backoff; the deepest owed directory
 *     below pays for it (one marker for mkdir -p a/b/c), and one with a
 *     file below journaled waits for that file (not for one still open
 *     for writing: the directory must show after the delay however long
 *     that file stays open).
 * A flush or unmount pays what is owed at once, and after a crash the
 * journal still holds it.  Until then other mounts do not see an empty new
 * directory (SEMANTICS.md).  Operations that need the marker in the bucket
 * (rename, setattr) pay first; rmdir drops the debt.
 *
 * DESIGN: fs->marker_mu serialises the changes of owed entries (pay, void,
 * drop), so a marker is never PUT after its directory was removed or
 * renamed, and never with attributes older than a later setattr's.  It is
 * held across a request only when paying: rare, and only by this module and
 * by rmdir/rename of an owed directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "fs/fs_int.h"

static int owed(const struct bfs_entry *e)
{
	return e->type == BFS_ENT_DIR && e->state == BFS_ST_UPLOADING && (e->flags & BFS_EF_OWED);
}

int fs_marker_deferrable(const struct bfs_fs *fs, const struct bfs_entry *e)
{
	mode_t implied = fs->cfg.has_umask ? (0777 & ~fs->cfg.umask) : 0755;

	/* (a directory with no attributes of its own shows the implied ones;
	 * one whose attributes were set, a time too, has its own) */
	return fs->cfg.marker_delay_ms > 0 && !(e->flags & BFS_EF_ATTRS) &&
	       (!(e->flags & BFS_EF_META) ||
		((e->mode & 07777) == implied && e->uid == fs->cfg.uid && e->gid == fs->cfg.gid));
}

/* Journal e (a new directory's entry) at path with its marker owed. */
int fs_marker_owe(struct bfs_fs *fs, const char *path, struct bfs_entry *e)
{
	int rc;

	e->state = BFS_ST_UPLOADING;
	e->flags |= BFS_EF_OWED;
	e->upload_after_ns = fs_now_ns() + fs->cfg.marker_delay_ms * 1000000LL;
	rc = bfs_index_put(fs->ix, path, e);
	if (!rc)
		fs_journal_wake(fs);
	return rc;
}

/* Is anything below dkey?  0 no, 1 yes, 2 its marker, or the error. */
static int still_there(struct bfs_fs *fs, const char *dkey)
{
	struct bfs_listing l;
	int rc = bfs_store_list(fs->store, dkey, NULL, NULL, 1, &l);

	if (rc)
		return rc;
	rc = l.nobjects || l.nprefixes;
	if (l.nobjects && !strcmp(l.objects[0].key, dkey))
		rc = 2;
	bfs_listing_release(&l);
	return rc;
}

static void paid(struct bfs_entry *e, int with_marker)
{
	e->state = BFS_ST_CLEAN;
	e->flags &= ~(uint32_t)(BFS_EF_OWED | BFS_EF_KEEP);
	if (with_marker)
		e->flags |= BFS_EF_MARKER;
	e->upload_attempts = 0;
	e->upload_error = 0;
	e->upload_after_ns = 0;
	e->validated_ns = fs_now_ns();
}

/* The ancestors of path exist in the bucket now: they need no revalidation
 * for the positive window (fs->memo.proven), and their debts are void (one
 * given other attributes keeps its debt: its marker carries them).  With
 * locked, the caller holds marker_mu; else it is taken per owed ancestor. */
static void settle(struct bfs_fs *fs, const char *path, int locked)
{
	int64_t until = fs_now_ns() + fs->cfg.stat_ttl_ms * 1000000LL;
	char p[BFS_INDEX_PATH_MAX];
	struct bfs_entry e;
	char *slash;

	if (strlen(path) >= sizeof(p))
		return;
	snprintf(p, sizeof(p), "%s", path);
	while ((slash = strrchr(p, '/')) && slash != p) {
		*slash = '\0';
		pathttl_put(&fs->memo.proven, p, until);
		if (bfs_index_get(fs->ix, p, &e) || !owed(&e))
			continue;
		if (!locked)
			pthread_mutex_lock(&fs->marker_mu);
		if (!bfs_index_get(fs->ix, p, &e) && owed(&e) && fs_marker_deferrable(fs, &e)) {
			paid(&e, 0);
			(void)bfs_index_put(fs->ix, p, &e);
		}
		if (!locked)
			pthread_mutex_unlock(&fs->marker_mu);
	}
}

void fs_marker_settle(struct bfs_fs *fs, const char *path)
{
	settle(fs, path, 0);
}

/* An upload journaled below (write-back, a retry): it lands by itself.
 * Not a file still open for writing: it may stay open for hours, and
 * until it is closed the directory is empty for other servers. */
static int journaled(void *arg, const char *name, const struct bfs_entry *e)
{
	(void)arg;
	(void)name;
	return e->state == BFS_ST_UPLOADING;
}

struct owed_child {
	char *path; /* in: the directory; out: its owed child, if one */
	size_t size;
	size_t len; /* strlen of the directory */
};

static int find_owed(void *arg, const char *name, const struct bfs_entry *e)
{
	struct owed_child *c = arg;
	int n;

	if (!owed(e))
		return 0;
	n = snprintf(c->path + c->len, c->size - c->len, "%s%s", c->len == 1 ? "" : "/", name);
	if (n < 0 || (size_t)n >= c->size - c->len) {
		c->path[c->len] = '\0';
		return 0;
	}
	return 1;
}

/* Replace dir (a buffer of size bytes) by the deepest owed directory below
 * it, following the first owed child at each level. */
static void deepest_owed(struct bfs_fs *fs, char *dir, size_t size)
{
	struct owed_child c = { dir, size, 0 };

	for (;;) {
		c.len = strlen(dir);
		if (bfs_index_children(fs->ix, dir, find_owed, &c) <= 0)
			return;
	}
}

int fs_marker_pay(struct bfs_fs *fs, const char *path, int now)
{
	struct bfs_meta_kv meta[FS_PUT_META];
	struct bfs_put_opts po;
	char dkey[FS_KEY_MAX + 1], leaf[BFS_INDEX_PATH_MAX];
	struct bfs_entry e;
	int rc;

	if (strlen(path) >= sizeof(leaf))
		return -ENAMETOOLONG;
	pthread_mutex_lock(&fs->marker_mu);
	rc = bfs_index_get(fs->ix, path, &e);
	if (rc || !owed(&e)) {
		pthread_mutex_unlock(&fs->marker_mu);
		return rc == -ENOENT ? 0 : rc;
	}
	/* One marker makes every directory above it exist: the deepest owed
	 * one pays for this one (unless this one has attributes of its own to
	 * carry), so mkdir -p a/b/c costs one PUT. */
	snprintf(leaf, sizeof(leaf), "%s", path);
	if (fs_marker_deferrable(fs, &e))
		deepest_owed(fs, leaf, sizeof(leaf));
	/* Something below will make it exist when it lands (a file
	 * journaled: writeback= or a retry): wait for it. */
	if (!now && bfs_index_children(fs->ix, leaf, journaled, NULL) > 0) {
		e.upload_after_ns = fs_now_ns() + fs->cfg.marker_delay_ms * 1000000LL;
		rc = bfs_index_put(fs->ix, path, &e);
		pthread_mutex_unlock(&fs->marker_mu);
		return rc;
	}
	/* (owed entries change only under marker_mu: the leaf is still owed) */
	if (strcmp(leaf, path) && (bfs_index_get(fs->ix, leaf, &e) || !owed(&e))) {
		snprintf(leaf, sizeof(leaf), "%s", path);
		rc = bfs_index_get(fs->ix, path, &e);
	}
	rc = rc ? rc : fs_dir_key(fs, leaf, dkey, sizeof(dkey));
	/* Owed because an object left it: needed only if nothing is below
	 * it now.  One LIST of one key says (its marker, if it has one this
	 * mount never looked for, sorts first).  Given attributes since
	 * (chmod, utimens), it is stored whatever is below: they are its. */
	if (!rc && (e.flags & BFS_EF_KEEP) && !(e.flags & BFS_EF_ATTRS)) {
		rc = still_there(fs, dkey);
		if (rc > 0) {
			/* (a marker whose attributes it does not hold: its
			 * lookup asks for them) */
			paid(&e, rc == 2 && (e.flags & BFS_EF_META));
			if (rc == 1 || (e.flags & BFS_EF_META))
				e.flags |= BFS_EF_PROBED;
			rc = bfs_index_put(fs->ix, leaf, &e);
			pthread_mutex_unlock(&fs->marker_mu);
			return rc;
		}
	}
	if (!rc) {
		fs_put_opts(fs, leaf, &e, meta, &po);
		if (!(e.flags & BFS_EF_META))
			po.nmeta = 0; /* it shows each mount's defaults: keep it so */
		rc = bfs_store_put_buf(fs->store, dkey, "", 0, &po, e.etag);
	}
	if (rc) {
		atomic_fetch_add(&fs->stats.upload_errors, 1);
		e.upload_attempts++;
		e.upload_error = rc;
		e.upload_after_ns = fs_now_ns() + fs_journal_backoff_ns(e.upload_attempts);
		(void)bfs_index_put(fs->ix, leaf, &e);
		pthread_mutex_unlock(&fs->marker_mu);
		bfs_log(LOG_WARNING,
			"the marker of new directory %s was not stored (%s); it "
			"stays journaled and is tried again",
			leaf, bfs_strerror(rc));
		return bfs_err_is_store(rc) ? fs_store_errno("mkdir", leaf, rc) : rc;
	}
	paid(&e, 1);
	rc = bfs_index_put(fs->ix, leaf, &e);
	/* The marker implies its parents.  Still under the lock: another
	 * worker must not find them owed meanwhile and pay one of them. */
	if (!rc)
		settle(fs, leaf, 1);
	pthread_mutex_unlock(&fs->marker_mu);
	return rc;
}

void fs_dir_changed(struct bfs_fs *fs, const char *path)
{
	char dir[BFS_INDEX_PATH_MAX];
	const char *name;
	struct bfs_entry e;
	int64_t now = fs_now_ns();

	if (fs_split(path, dir, sizeof(dir), &name))
		return;
	if (!strcmp(dir, "/")) {
		fs->root_mtime_ns = now; /* (the root's are the mount's own) */
		return;
	}
	pthread_mutex_lock(&fs->marker_mu);
	if (!bfs_index_get(fs->ix, dir, &e) && e.type == BFS_ENT_DIR &&
	    e.state != BFS_ST_NEGATIVE) {
		e.dirchg_ns = now;
		(void)bfs_index_put(fs->ix, dir, &e); /* (a time lost: nothing else) */
	}
	pthread_mutex_unlock(&fs->marker_mu);
}

int fs_marker_keep(struct bfs_fs *fs, const char *path)
{
	char dir[BFS_INDEX_PATH_MAX];
	const char *name;
	struct bfs_entry e;
	int rc;

	if (fs_split(path, dir, sizeof(dir), &name) || !strcmp(dir, "/"))
		return 0;
	/* Owed, it is answered from the index until its debt is checked: it
	 * must show its marker's attributes, not the mount's defaults (a
	 * directory seen in a listing only, or whose marker changed).  Best
	 * effort: unreachable, the check of the debt leaves them unknown. */
	if (!bfs_index_get(fs->ix, dir, &e) && e.type == BFS_ENT_DIR && e.state == BFS_ST_CLEAN &&
	    !fs_attrs_known(fs, &e))
		(void)fs_meta_ask(fs, dir);
	pthread_mutex_lock(&fs->marker_mu);
	rc = bfs_index_get(fs->ix, dir, &e);
	if (rc == -ENOENT) {
		/* (known to the kernel, forgotten by the index: a listing-only one) */
		fs_entry_dir(fs_now_ns(), &e);
		rc = 0;
	}
	if (!rc && e.type == BFS_ENT_DIR && e.state == BFS_ST_CLEAN && !(e.flags & BFS_EF_MARKER)) {
		e.flags |= BFS_EF_KEEP;
		rc = fs_marker_owe(fs, dir, &e); /* (marker_delay=0: due at once) */
	}
	pthread_mutex_unlock(&fs->marker_mu);
	return rc;
}

struct below {
	const char *dir;
	size_t len;
	char **paths;
	size_t n, cap;
	int nomem;
};

static int collect(void *arg, const char *path, const struct bfs_entry *e)
{
	struct below *b = arg;

	if (!owed(e) || strncmp(path, b->dir, b->len) || (path[b->len] && path[b->len] != '/'))
		return 0;
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 16;
		char **np = realloc(b->paths, cap * sizeof(*np));

		if (!np) {
			b->nomem = 1;
			return 1;
		}
		b->paths = np;
		b->cap = cap;
	}
	if (!(b->paths[b->n] = strdup(path))) {
		b->nomem = 1;
		return 1;
	}
	b->n++;
	return 0;
}

int fs_marker_pay_below(struct bfs_fs *fs, const char *path)
{
	struct below b = { path, strlen(path), NULL, 0, 0, 0 };
	size_t i;
	int rc;

	rc = bfs_index_scan_state(fs->ix, BFS_ST_UPLOADING, collect, &b);
	if (rc >= 0 && b.nomem)
		rc = -ENOMEM;
	/* the deepest first: a parent's debt may be voided by its child's marker */
	for (i = b.n; i-- > 0;) {
		if (rc >= 0)
			rc = fs_marker_pay(fs, b.paths[i], 1);
		free(b.paths[i]);
	}
	free(b.paths);
	return rc < 0 ? rc : 0;
}
