/* SPDX-License-Identifier: MIT */
/*
 * fs_dir.c - finding names: lookups (index first, then one request to the
 * bucket) and directory listings (ListObjects with a delimiter, filling the
 * index so that stat after ls costs nothing).
 *
 * A name not in the index costs one LIST (prefix = the key, delimiter "/"),
 * which tells in one answer whether the name is an object, a "directory"
 * (common prefix or marker), or nothing; an object found this way is then
 * HEADed once for its metadata (mode, owner, symlink).  A name missing from
 * a directory listed within the negative window, or remembered missing
 * within it, costs nothing.
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
#include "fs_int.h"

#define HIDDEN_LOG_MAX 4096 /* distinct hidden keys logged per mount */

static int fresh(int64_t stamp, long ttl_ms, int64_t now)
{
	return stamp > 0 && now - stamp < (int64_t)ttl_ms * 1000000;
}

static int lookup_err(struct bfs_fs *fs, const char *path, int rc);

static void root_entry(const struct bfs_fs *fs, struct bfs_entry *e)
{
	bfs_entry_init(e);
	e->type = BFS_ENT_DIR;
	e->mode = S_IFDIR | fs->cfg.root_mode;
	e->uid = fs->cfg.uid;
	e->gid = fs->cfg.gid;
	e->mtime_ns = fs->started_ns;
	e->flags = BFS_EF_META;
}

static int is_open(struct bfs_fs *fs, const char *path)
{
	struct bfs_ofile *of = fs_ofile_find(fs, path);

	if (!of)
		return 0;
	fs_ofile_put(fs, of);
	return 1;
}

/* An entry for an object seen in a listing (no metadata yet). */
static void entry_from_listing(const struct bfs_xml_object *o, int64_t now, struct bfs_entry *e)
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

static void entry_dir(int64_t now, struct bfs_entry *e)
{
	bfs_entry_init(e);
	e->type = BFS_ENT_DIR;
	e->mode = S_IFDIR;
	e->mtime_ns = now;
	e->validated_ns = now;
}

/*
 * A directory found by name: its "dir/" marker, if there is one, carries
 * its mode, owner and mtime (s3fs's format).  One HEAD; none is fine.
 */
static int dir_entry_by_name(struct bfs_fs *fs, const char *path, const char *dkey,
			     struct bfs_entry *e)
{
	struct bfs_obj_info info;
	int rc;

	entry_dir(fs_now_ns(), e);
	e->flags |= BFS_EF_PROBED;
	rc = bfs_store_head(fs->store, dkey, &info);
	if (rc == BFS_E_NOTFOUND)
		return 0;
	if (rc)
		return lookup_err(fs, path, rc);
	fs_entry_from_info(fs, &info, e);
	e->type = BFS_ENT_DIR;
	e->mode = S_IFDIR | (e->mode & 07777);
	e->size = 0;
	e->flags |= BFS_EF_MARKER | BFS_EF_PROBED;
	if (!bfs_obj_info_meta(&info, "mode"))
		e->mode = S_IFDIR;
	return 0;
}

/* A failed lookup request: note an unreachable bucket, then the errno. */
static int lookup_err(struct bfs_fs *fs, const char *path, int rc)
{
	fs_went_offline(fs, rc);
	return fs_store_errno("lookup", path, rc);
}

/* HEAD key into a file entry (or symlink/dir, by its metadata). */
static int head_entry(struct bfs_fs *fs, const char *path, const char *key, struct bfs_entry *e)
{
	struct bfs_obj_info info;
	int rc = bfs_store_head(fs->store, key, &info);

	if (rc == BFS_E_NOTFOUND)
		return -ENOENT;
	if (rc)
		return lookup_err(fs, path, rc);
	bfs_entry_init(e);
	fs_entry_from_info(fs, &info, e);
	e->validated_ns = fs_now_ns();
	return 0;
}

/*
 * GET the first lookup_get bytes of key into a new cached copy, for a file
 * this mount knows nothing of: the usual next step is to open and read it,
 * and this way that costs no second request.  The copy is trusted when the
 * whole object came and the store checked its MD5 (the range covered it).
 * An empty object (a range cannot be served: 416) or no room for a data
 * file falls back to the HEAD.
 */
static int get_entry(struct bfs_fs *fs, const char *path, const char *key, struct bfs_entry *e)
{
	struct bfs_get_opts go = { 0, fs->cfg.lookup_get, NULL, NULL };
	struct bfs_obj_info info;
	uint64_t id, got;
	int fd, rc;

	fd = fs_data_create(fs, &id);
	if (fd < 0)
		return head_entry(fs, path, key, e);
	rc = bfs_store_get_fd(fs->store, key, &go, fd, 0, &info);
	if (rc) {
		fs_data_discard(fs, fd, id);
		if (rc == BFS_E_RANGE)
			return head_entry(fs, path, key, e);
		return rc == BFS_E_NOTFOUND ? -ENOENT : lookup_err(fs, path, rc);
	}
	close(fd);
	bfs_entry_init(e);
	fs_entry_from_info(fs, &info, e);
	e->validated_ns = e->atime_ns = fs_now_ns();
	if (e->type != BFS_ENT_FILE) {  /* a symlink (its target is in the metadata) */
		fs_data_unlink(fs, id);
		return 0;
	}
	got = info.size < go.len ? info.size : go.len;
	e->flags |= BFS_EF_FETCHED;
	e->data_id = id;
	e->cached_bytes = got;
	if (got == info.size) {
		e->flags |= BFS_EF_CACHED;
		if (bfs_etag_is_md5(info.etag))
			fs_data_trust(fs, id);  /* the store checked it */
	}
	fs_cache_grew(fs, (int64_t)got);
	return 0;
}

enum apply_mode { APPLY_LISTING, APPLY_WINDOW }; /* see apply_page() */

static int apply_page(struct bfs_fs *fs, const char *dir, const char *dkey,
		      const struct bfs_xml_list *l, int64_t started, int64_t now,
		      enum apply_mode mode);

/* Names a stale directory's revalidation confirms besides itself. */
#define DIR_WINDOW 32

/*
 * A known directory gone stale: does anything remain below it?  One LIST
 * of its first DIR_WINDOW names, which also confirms the files among them
 * that did not change (apply_page, APPLY_WINDOW): reading a directory's
 * files again after the positive window costs that one request, not a HEAD
 * per file.  1 if it exists, 0 if not, or the error.
 */
static int dir_revalidate(struct bfs_fs *fs, const char *path, const char *dkey, int64_t now)
{
	struct bfs_xml_list l;
	int rc = bfs_store_list(fs->store, dkey, "/", NULL, DIR_WINDOW, &l);

	if (rc)
		return lookup_err(fs, path, rc);
	rc = l.nobjects || l.nprefixes;
	if (rc && l.nobjects) {
		int err = apply_page(fs, path, dkey, &l, now, now, APPLY_WINDOW);

		if (err)
			rc = err;
	}
	bfs_xml_list_release(&l);
	return rc;
}

/* Is there anything below dkey ("a/b/")?  One LIST of one key. */
static int dir_exists(struct bfs_fs *fs, const char *path, const char *dkey)
{
	struct bfs_xml_list l;
	int rc = bfs_store_list(fs->store, dkey, "/", NULL, 1, &l);

	if (rc)
		return lookup_err(fs, path, rc);
	rc = l.nobjects || l.nprefixes;
	bfs_xml_list_release(&l);
	return rc;
}

/* A HEAD (or with fetch, a GET: get_entry) of key, then (missing) a LIST
 * for the directory dkey. */
static int head_then_dir(struct bfs_fs *fs, const char *path, const char *key, const char *dkey,
			 int fetch, struct bfs_entry *e)
{
	int rc = fetch ? get_entry(fs, path, key, e) : head_entry(fs, path, key, e);

	if (rc != -ENOENT)
		return rc;
	rc = dir_exists(fs, path, dkey);
	if (rc < 0)
		return rc;
	if (!rc)
		return -ENOENT;
	return dir_entry_by_name(fs, path, dkey, e);
}

/*
 * Ask the bucket what path is.  When an object "key" and keys below "key/"
 * are both there, the file wins, as in listings (see apply_page), which
 * costs no request more.  A name with an extension ("0.png") is probably
 * a file: HEAD first (one request when it is), then a LIST for a
 * directory; with fetch (a name the index knows nothing of) and lookup_get
 * set, a GET of its first bytes instead of the HEAD (get_entry).  Other names ("<taskId>") are probably directories or new:
 * one LIST with the name as prefix and "/" as delimiter answers for a
 * file, a directory and "missing" at once; a file found that way is then
 * HEADed for its metadata, a directory's "key/" marker for its mode, owner
 * and mtime.
 */
static int remote_lookup(struct bfs_fs *fs, const char *path, int fetch, struct bfs_entry *e)
{
	char key[FS_KEY_MAX], dkey[FS_KEY_MAX + 1];
	const char *name = strrchr(path, '/') + 1, *dot = strrchr(name, '.');
	struct bfs_xml_list l;
	int rc, is_file = 0, is_dir = 0, decided;
	size_t i, kl;

	rc = fs_file_key(fs, path, key, sizeof(key));
	if (rc)
		return rc;
	kl = strlen(key);
	snprintf(dkey, sizeof(dkey), "%s/", key);
	if (dot && dot != name && dot[1])
		return head_then_dir(fs, path, key, dkey, fetch && fs->cfg.lookup_get > 0, e);
	rc = bfs_store_list(fs->store, key, "/", NULL, 1000, &l);
	if (rc)
		return lookup_err(fs, path, rc);
	for (i = 0; i < l.nobjects; i++)
		if (!strcmp(l.objects[i].key, key))
			is_file = 1;
	for (i = 0; i < l.nprefixes; i++)
		if (!strcmp(l.prefixes[i], dkey))
			is_dir = 1;
	/* The answer is complete if not truncated, or if it already went past
	 * "key/" in key order (nothing later can be our name). */
	decided = !l.truncated || is_file || is_dir ||
		  (l.nprefixes && strcmp(l.prefixes[l.nprefixes - 1], dkey) > 0) ||
		  (l.nobjects && strncmp(l.objects[l.nobjects - 1].key, dkey, kl + 1) > 0);
	bfs_xml_list_release(&l);
	if (!decided) /* many siblings share the name as a prefix: ask precisely */
		return head_then_dir(fs, path, key, dkey, 0, e);
	if (is_file) {
		if (is_dir)
			fs_key_hidden(fs, dkey, "a file of the same name hides them");
		return head_entry(fs, path, key, e);
	}
	if (!is_dir)
		return -ENOENT;
	return dir_entry_by_name(fs, path, dkey, e);
}

/* Keep what we knew locally (data file, metadata) when the object is the same. */
static void merge_known(const struct bfs_entry *old, struct bfs_entry *e)
{
	if (old->type == BFS_ENT_DIR || e->type == BFS_ENT_DIR || strcmp(old->etag, e->etag) ||
	    !e->etag[0])
		return;
	/* The same object: a listing cannot tell a symlink from a file. */
	if (!(e->flags & BFS_EF_META))
		e->type = old->type;
	e->data_id = old->data_id;
	e->cached_bytes = old->cached_bytes;
	e->flags |= old->flags & BFS_EF_CACHED;
	e->atime_ns = old->atime_ns;
	if (!(e->flags & BFS_EF_META) && (old->flags & BFS_EF_META)) {
		e->flags |= BFS_EF_META;
		e->mode = old->mode;
		e->uid = old->uid;
		e->gid = old->gid;
		e->mtime_ns = old->mtime_ns;
		memcpy(e->link, old->link, sizeof(e->link));
	}
}

/* Is path's absence already known from a fresh listing of its parent? */
static int parent_says_missing(struct bfs_fs *fs, const char *path, int64_t now)
{
	char parent[BFS_INDEX_PATH_MAX];
	struct bfs_entry pe;
	const char *name;

	if (fs_split(path, parent, sizeof(parent), &name))
		return 0;
	/* Such a name may be one the bucket cannot hold at all (S3 keys are
	 * UTF-8): let the store say so, before anything is created. */
	if (!bfs_utf8_valid(name))
		return 0;
	if (bfs_index_get(fs->ix, parent, &pe))
		return 0;
	/* Only a directory this mount made: what another server put in a
	 * directory we merely listed must be found at the first lookup. */
	return pe.type == BFS_ENT_DIR && (pe.flags & BFS_EF_LOCAL) &&
	       fresh(pe.listed_ns, fs->cfg.neg_ttl_ms, now);
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
	if ((!*have || old->state == BFS_ST_NEGATIVE) && pathttl_has(&fs->negs, path, now))
		return -ENOENT;
	if (*have) {
		if (old->state == BFS_ST_DIRTY || old->state == BFS_ST_UPLOADING) {
			*e = *old;
			return 0;
		}
		if (old->state == BFS_ST_NEGATIVE) {
			if (fresh(old->validated_ns, fs->cfg.neg_ttl_ms, now))
				return -ENOENT;
		} else if (fresh(old->validated_ns, fs->cfg.stat_ttl_ms, now) || is_open(fs, path) ||
			   (old->type == BFS_ENT_FILE && old->etag[0] && old->validated_ns &&
			    fs_immutable(fs, path)) ||
			   /* a file stored below it within the window: it exists */
			   (old->type == BFS_ENT_DIR && pathttl_has(&fs->proven, path, now))) {
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

int fs_lookup(struct bfs_fs *fs, const char *path, struct bfs_entry *e)
{
	struct bfs_entry old;
	int have = 0, rc, slot;

	if (!strcmp(path, "/")) {
		root_entry(fs, e);
		return 0;
	}
	rc = lookup_known(fs, path, fs_now_ns(), &old, &have, e);
	if (rc != 1)
		return rc;
	/* Many lookups of one name at once (the kernel revalidates an expired
	 * dentry in every walker): one asks, the others use its answer. */
	slot = flight_begin(&fs->lookups, path);
	if (slot == FLIGHT_WAITED) {
		rc = lookup_known(fs, path, fs_now_ns(), &old, &have, e);
		if (rc != 1)
			return rc;
	}
	rc = lookup_ask(fs, path, fs_now_ns(), old, have, e);
	flight_end(&fs->lookups, slot);
	return rc;
}

/* The part of fs_lookup that asks the bucket. */
static int lookup_ask(struct bfs_fs *fs, const char *path, int64_t now, struct bfs_entry old,
		      int have, struct bfs_entry *e)
{
	struct bfs_entry neg;
	int rc;

	/* Unreachable bucket: what we knew is better than an error. */
	if (have && old.state != BFS_ST_NEGATIVE && fs_offline(fs)) {
		*e = old;
		return 0;
	}
	/* A known directory gone stale: does anything remain below it?  One
	 * LIST (dir_revalidate), which also confirms its first files; its
	 * attributes stay as they were. */
	if (have && old.state == BFS_ST_CLEAN && old.type == BFS_ENT_DIR &&
	    (old.flags & (BFS_EF_META | BFS_EF_PROBED))) {
		char dkey[FS_KEY_MAX + 1];

		rc = fs_dir_key(fs, path, dkey, sizeof(dkey));
		if (rc)
			return rc;
		rc = dir_revalidate(fs, path, dkey, now);
		if (rc > 0) {
			old.validated_ns = now;
			*e = old;
			return bfs_index_put(fs->ix, path, e);
		}
		if (rc < 0 && fs_offline(fs)) {
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

		rc = fs_file_key(fs, path, key, sizeof(key));
		if (rc)
			return rc;
		/* Unconditional: a HEAD carries no body to save, and metadata
		 * (chmod on another server) changes without the ETag. */
		rc = bfs_store_head_if(fs->store, key, NULL, &info);
		if (rc == BFS_E_NOTMODIFIED) {
			old.validated_ns = now;
			*e = old;
			return bfs_index_put(fs->ix, path, e);
		}
		if (rc == 0) {
			bfs_entry_init(e);
			fs_entry_from_info(fs, &info, e);
			e->validated_ns = now;
		} else if (rc != BFS_E_NOTFOUND) {
			if (fs_went_offline(fs, rc)) {
				*e = old;
				return 0;
			}
			return fs_store_errno("lookup", path, rc);
		} else {
			rc = remote_lookup(fs, path, 0, e); /* maybe a directory now */
		}
	} else {
		rc = remote_lookup(fs, path, !have || old.state == BFS_ST_NEGATIVE, e);
	}
	if (rc == -EIO && have && old.state != BFS_ST_NEGATIVE && fs_offline(fs)) {
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
			pathttl_put(&fs->negs, path, now + (int64_t)fs->cfg.neg_ttl_ms * 1000000);
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
				e->mode = old.mode;
				e->uid = old.uid;
				e->gid = old.gid;
				e->mtime_ns = old.mtime_ns;
			}
		}
		merge_known(&old, e);
		if (old.data_id && old.data_id != e->data_id)
			fs_data_unlink(fs, old.data_id);
	}
	return bfs_index_put(fs->ix, path, e);
}

struct dir_fill {
	struct bfs_fs *fs;
	int (*fill)(void *arg, const char *name, const struct stat *st);
	void *arg;
	int stopped;
};

static int fill_child(void *arg, const char *name, const struct bfs_entry *e)
{
	struct dir_fill *d = arg;
	struct stat st;

	if (e->state == BFS_ST_NEGATIVE || !*name)
		return 0;
	fs_entry_stat(d->fs, e, &st);
	if (d->fill(d->arg, name, &st)) {
		d->stopped = 1;
		return 1;
	}
	return 0;
}

struct prune {
	struct bfs_fs *fs;
	const char *dir;
	int64_t started;
	struct bfs_index_batch *b;
	int n;
};

/* After a complete listing: children not seen in it are gone from the bucket. */
static int prune_child(void *arg, const char *name, const struct bfs_entry *e)
{
	struct prune *p = arg;
	char path[BFS_INDEX_PATH_MAX];

	if (e->state == BFS_ST_DIRTY || e->state == BFS_ST_UPLOADING ||
	    e->validated_ns >= p->started)
		return 0;
	if (e->state != BFS_ST_NEGATIVE && (e->flags & BFS_EF_LOCAL) &&
	    e->validated_ns >= p->started - 1000000000LL)
		return 0; /* just created here; listings may lag */
	snprintf(path, sizeof(path), "%s%s%s", p->dir, strcmp(p->dir, "/") ? "/" : "", name);
	if (is_open(p->fs, path))
		return 0;
	if (e->data_id)
		fs_data_unlink(p->fs, e->data_id);
	if (bfs_index_batch_del(p->b, path) == 0)
		p->n++;
	return 0;
}

/* A 64-bit FNV-1a hash of s, never 0 (an idset holds non-zero values). */
static uint64_t key_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ? h : 1;
}

void fs_key_hidden(struct bfs_fs *fs, const char *key, const char *why)
{
	uint64_t h = key_hash(key);
	char shown[1024 + 8];
	size_t n = 0;
	int fresh_key;

	if (!bfs_log_enabled(LOG_INFO))
		return;
	pthread_mutex_lock(&fs->hidden_lock);
	fresh_key = fs->hidden.len < HIDDEN_LOG_MAX && !idset_has(&fs->hidden, h) &&
		    idset_add(&fs->hidden, h) == 0;
	pthread_mutex_unlock(&fs->hidden_lock);
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
static int has_object_of(const struct bfs_xml_list *l, const char *p)
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
 * revalidation is the HEAD that learns its attributes.
 */
static int listing_confirms(const struct bfs_entry *old, const struct bfs_xml_object *o)
{
	return (old->flags & (BFS_EF_SEEN | BFS_EF_META)) && old->lastmod_s &&
	       (int64_t)o->mtime == old->lastmod_s &&
	       old->validated_ns / 1000000000 - old->lastmod_s >= 2;
}

/*
 * Add one listing page to the index in one transaction.  Keys the mount
 * cannot show are skipped (and logged once): an empty, "." or ".." name, a
 * name over 255 bytes, a path the index cannot hold, and the keys below
 * "key/" when a file "key" is there too (the file wins, also when it came
 * on an earlier page: started is when the listing began).
 *
 * APPLY_LISTING (readdir): every name on the page is added or updated; an
 * object with the ETag the index knows is confirmed, keeping what else the
 * index knows of it, but not the page's LastModified when listing_confirms()
 * is unsure (so that it stays unsure until a HEAD).
 * APPLY_WINDOW (a directory's revalidation): only files the index holds
 * clean are touched, and only those listing_confirms() is sure of; changed
 * ones, directories and new names are left to their own lookup.
 */
static int apply_page(struct bfs_fs *fs, const char *dir, const char *dkey,
		      const struct bfs_xml_list *l, int64_t started, int64_t now,
		      enum apply_mode mode)
{
	struct bfs_index_batch *b;
	struct bfs_entry e, old;
	char path[BFS_INDEX_PATH_MAX];
	size_t i, dl = strlen(dkey);
	const char *sep = strcmp(dir, "/") ? "/" : "", *why;
	int rc, have;

	rc = bfs_index_batch_begin(fs->ix, &b);
	if (rc)
		return rc;
	for (i = 0; i < l->nobjects + (mode == APPLY_LISTING ? l->nprefixes : 0) && !rc; i++) {
		int isdir = i >= l->nobjects;
		const char *k = isdir ? l->prefixes[i - l->nobjects] : l->objects[i].key;
		size_t kl = strlen(k);

		if (kl <= dl || strncmp(k, dkey, dl))
			continue; /* the directory's own marker */
		kl -= dl + (size_t)isdir;
		why = name_problem(k + dl, kl);
		if (!why && isdir && has_object_of(l, k))
			why = "a file of the same name hides them";
		if (!why && (size_t)snprintf(path, sizeof(path), "%s%s%.*s", dir, sep, (int)kl,
					     k + dl) >= sizeof(path))
			why = "its path is too long";
		have = why ? -ENOENT : bfs_index_get(fs->ix, path, &old);
		if (have == -ENAMETOOLONG || have == -EINVAL)
			why = "its path is longer than the cache index can hold";
		/* the file came on an earlier page of this listing */
		if (!why && isdir && have == 0 && old.type == BFS_ENT_FILE &&
		    old.validated_ns >= started)
			why = "a file of the same name hides them";
		if (why) {
			fs_key_hidden(fs, k, why);
			continue;
		}
		if (mode == APPLY_WINDOW && (have || old.state != BFS_ST_CLEAN ||
					     old.type == BFS_ENT_DIR || !old.etag[0]))
			continue;
		if (isdir)
			entry_dir(now, &e);
		else
			entry_from_listing(&l->objects[i], now, &e);
		if (have == 0) {
			if (old.state == BFS_ST_DIRTY || old.state == BFS_ST_UPLOADING)
				continue;
			if (isdir && old.type == BFS_ENT_DIR) {
				old.validated_ns = now;
				e = old;
			} else if (!isdir && !strcmp(old.etag, e.etag)) {
				int sure = listing_confirms(&old, &l->objects[i]);

				if (!sure && mode == APPLY_WINDOW)
					continue;
				merge_known(&old, &e);
				e.flags |= old.flags & BFS_EF_SEEN;
				if (!sure)
					e.lastmod_s = old.lastmod_s;
			} else if (mode == APPLY_WINDOW) {
				continue; /* changed: its lookup's HEAD sees to it */
			} else {
				merge_known(&old, &e);
			}
		}
		rc = bfs_index_batch_put(b, path, &e);
	}
	if (rc) {
		bfs_index_batch_abort(b);
		return rc;
	}
	return bfs_index_batch_commit(b);
}

/* LIST the directory completely and bring the index in line with it. */
static int refresh_listing(struct bfs_fs *fs, const char *path, struct bfs_entry *de)
{
	char dkey[FS_KEY_MAX + 1];
	struct bfs_xml_list l;
	struct prune p = { fs, path, 0, NULL, 0 };
	char *token = NULL;
	int rc;

	p.started = fs_now_ns();
	rc = fs_dir_key(fs, path, dkey, sizeof(dkey));
	if (rc)
		return rc;
	do {
		rc = bfs_store_list(fs->store, dkey, "/", token, 1000, &l);
		free(token);
		token = NULL;
		if (rc)
			return fs_store_errno("readdir", path, rc);
		rc = apply_page(fs, path, dkey, &l, p.started, fs_now_ns(), APPLY_LISTING);
		if (!rc && l.truncated && l.next_token) {
			token = strdup(l.next_token);
			if (!token)
				rc = -ENOMEM;
		}
		bfs_xml_list_release(&l);
		if (rc)
			return rc;
	} while (token);

	rc = bfs_index_batch_begin(fs->ix, &p.b);
	if (rc)
		return rc;
	rc = bfs_index_children(fs->ix, path, prune_child, &p);
	if (rc) {
		bfs_index_batch_abort(p.b);
		return rc;
	}
	rc = bfs_index_batch_commit(p.b);
	if (rc)
		return rc;
	if (strcmp(path, "/")) {
		de->listed_ns = p.started;
		de->validated_ns = p.started;
		rc = bfs_index_put(fs->ix, path, de);
	} else {
		struct bfs_entry root;

		root_entry(fs, &root);
		root.listed_ns = p.started;
		rc = bfs_index_put(fs->ix, "/", &root);
	}
	return rc;
}

int bfs_fs_readdir(struct bfs_fs *fs, const char *path,
		   int (*fill)(void *arg, const char *name, const struct stat *st), void *arg)
{
	struct dir_fill d = { fs, fill, arg, 0 };
	struct bfs_entry de;
	int rc;

	rc = fs_lookup(fs, path, &de);
	if (rc)
		return rc;
	if (de.type != BFS_ENT_DIR)
		return -ENOTDIR;
	if (!strcmp(path, "/") && bfs_index_get(fs->ix, "/", &de) != 0)
		root_entry(fs, &de);
	if (!fresh(de.listed_ns, fs->cfg.list_ttl_ms, fs_now_ns())) {
		rc = refresh_listing(fs, path, &de);
		if (rc)
			return rc;
	}
	rc = bfs_index_children(fs->ix, path, fill_child, &d);
	return rc < 0 ? rc : 0;
}

struct inval {
	struct bfs_fs *fs;
	const char *dir;
	uint64_t n;
};

static int inval_one(struct bfs_fs *fs, const char *path, const struct bfs_entry *e,
		     uint64_t *n);

static int inval_child(void *arg, const char *name, const struct bfs_entry *e)
{
	struct inval *iv = arg;
	char path[BFS_INDEX_PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s%s%s", iv->dir, strcmp(iv->dir, "/") ? "/" : "",
			     name) >= sizeof(path))
		return 0;
	return inval_one(iv->fs, path, e, &iv->n) < 0 ? -EIO : 0;
}

static int inval_one(struct bfs_fs *fs, const char *path, const struct bfs_entry *e,
		     uint64_t *n)
{
	struct bfs_entry c = *e;

	(*n)++;
	if (c.type == BFS_ENT_DIR) {
		struct inval sub = { fs, path, 0 };
		int rc = bfs_index_children(fs->ix, path, inval_child, &sub);

		*n += sub.n;
		if (rc < 0)
			return rc;
	}
	if (c.state == BFS_ST_NEGATIVE)
		return bfs_index_del(fs->ix, path);
	if (c.state != BFS_ST_CLEAN)
		return 0;  /* not uploaded yet: what we know is all there is */
	c.validated_ns = 0;
	c.listed_ns = 0;
	return bfs_index_put(fs->ix, path, &c);
}

int bfs_fs_invalidate(struct bfs_fs *fs, const char *path, uint64_t *n)
{
	struct bfs_entry e;
	int rc;

	*n = 0;
	if (!strcmp(path, "/")) {
		struct inval sub = { fs, "/", 0 };

		rc = bfs_index_children(fs->ix, "/", inval_child, &sub);
		*n = sub.n;
		return rc < 0 ? rc : 0;
	}
	rc = bfs_index_get(fs->ix, path, &e);
	if (rc)
		return rc;
	rc = inval_one(fs, path, &e, n);
	return rc < 0 ? rc : 0;
}
