/* SPDX-License-Identifier: MIT */
/*
 * fs_ask.c - what the bucket says a name is, for a lookup (fs_lookup.c,
 * which decides when to ask): one LIST that answers for a file, a
 * directory, its marker and "missing" at once, or a HEAD (a GET of the
 * first bytes, lookup_get=) first for a name with an extension; then the
 * object's or the marker's metadata.  Old-style directory objects ("dir"
 * without the slash, empty, Content-Type application/x-directory or a
 * directory's mode) are directories here (BFS_EF_OLDDIR).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "fs/fs_int.h"

/*
 * A directory found by name.  Its "dir/" marker, when the bucket has one,
 * carries its mode, owner and mtime (s3fs's format): one HEAD.  The request
 * that found the directory also said whether the marker is there, so a
 * directory without one (made by uploads below it) costs nothing more.
 */
int fs_ask_dir(struct bfs_fs *fs, const char *path, const char *dkey, int marker,
	       struct bfs_entry *e)
{
	struct bfs_obj_info info;
	int rc;

	fs_entry_dir(fs_now_ns(), e);
	e->flags |= BFS_EF_PROBED;
	if (!marker)
		return 0;
	rc = bfs_store_head(fs->store, dkey, &info);
	if (rc == BFS_E_NOTFOUND)
		return 0; /* deleted since */
	if (rc)
		return fs_ask_err(fs, path, rc);
	fs_entry_from_info(fs, &info, e);
	e->type = BFS_ENT_DIR;
	e->mode = S_IFDIR | (e->mode & 07777);
	e->size = 0;
	e->flags |= BFS_EF_MARKER | BFS_EF_PROBED;
	e->lastmod_s = fs_marker_lastmod(e->lastmod_s, e->validated_ns);
	if (!bfs_obj_info_meta(&info, "mode"))
		e->mode = S_IFDIR;
	return 0;
}

/* A failed lookup request: note an unreachable bucket, then the errno. */
int fs_ask_err(struct bfs_fs *fs, const char *path, int rc)
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
		return fs_ask_err(fs, path, rc);
	bfs_entry_init(e);
	fs_entry_from_info(fs, &info, e);
	e->validated_ns = fs_now_ns();
	if (e->type == BFS_ENT_DIR) /* (an object without the slash) */
		e->flags |= BFS_EF_OLDDIR;
	return 0;
}

/* The GET of get_entry on this thread, when no stream can take it:
 * returns as fs_stream_get does, 1 for a GET that ended well. */
static int get_now(struct bfs_fs *fs, const char *key, uint64_t len, int fd, uint64_t id,
		   struct bfs_obj_info *info, struct fs_stream_end *end)
{
	struct bfs_get_opts go = { .off = 0, .len = len };
	struct bfs_entry tmp;
	int rc = bfs_store_get_fd(fs->store, key, &go, fd, 0, info);

	if (rc) {
		fs_data_discard(fs, fd, id);
		return rc;
	}
	bfs_entry_init(&tmp);
	end->got = len && len < info->size ? len : info->size;
	fs_digest_fetched(&tmp, fd, end->got, info);
	end->crc_bytes = tmp.crc_bytes;
	end->crc32c = tmp.crc32c;
	end->whole = end->got == info->size;
	close(fd);
	if (end->whole && info->checked)
		fs_data_trust(fs, id); /* the store checked it */
	fs_space_grew(fs, (int64_t)end->got);
	return 1;
}

/*
 * GET the first lookup_get bytes of key into a new cached copy, for a file
 * this mount knows nothing of: the usual next step is to open and read it,
 * and this way that costs no second request.  The lookup returns once the
 * answer's headers are in, its body still coming (fs_stream.c: the caller
 * settles the stream once its entry is written); the open reads it as it
 * comes.  The copy is trusted when the whole object came and the store
 * checked its digest (the range covered it: its MD5 ETag or
 * BFS_META_CRC32C).  An empty object (a range cannot be served: 416), a
 * server that does not answer ranges as asked, or no room for a data file
 * falls back to the HEAD.
 */
static int get_entry(struct bfs_fs *fs, const char *path, const char *key, struct bfs_entry *e)
{
	struct fs_stream_end end = { 0 };
	struct bfs_obj_info info;
	uint64_t id, len = fs->cfg.lookup_get;
	int fd, rc;

	fd = fs_data_create(fs, &id);
	if (fd < 0)
		return head_entry(fs, path, key, e);
	rc = fs_stream_get(fs, path, key, len, fd, id, &info, &end);
	if (rc == FS_STREAM_NO_ROOM)
		rc = get_now(fs, key, len, fd, id, &info, &end);
	if (rc < 0) {
		/* an empty object (416), or a server that cannot answer ranges
		 * (logged by the store): its HEAD still says what the name is */
		if (rc == BFS_E_RANGE || rc == BFS_E_PROTO)
			return head_entry(fs, path, key, e);
		return rc == BFS_E_NOTFOUND ? -ENOENT : fs_ask_err(fs, path, rc);
	}
	bfs_entry_init(e);
	fs_entry_from_info(fs, &info, e);
	e->validated_ns = e->atime_ns = fs_now_ns();
	if (e->type != BFS_ENT_FILE) { /* a symlink (its target is in the metadata) */
		if (rc == 0)
			fs_stream_settle(fs, id, 0); /* (its file goes when it ends) */
		else
			fs_data_unlink(fs, id);
		if (e->type == BFS_ENT_DIR) /* (an old-style directory object) */
			e->flags |= BFS_EF_OLDDIR;
		return 0;
	}
	e->flags |= BFS_EF_FETCHED;
	e->data_id = id;
	if (rc == 0)
		return 0; /* (coming: nothing cached yet) */
	e->cached_bytes = end.got;
	e->crc_bytes = end.crc_bytes;
	e->crc32c = end.crc32c;
	if (end.whole)
		e->flags |= BFS_EF_CACHED;
	return 0;
}

/*
 * Is there anything below dkey ("a/b/")?  One LIST of one key: 0 if not,
 * 1 if there is, 2 if that key is the "a/b/" marker itself (it sorts
 * before every other key below), or the error.
 */
static int dir_exists(struct bfs_fs *fs, const char *path, const char *dkey)
{
	struct bfs_listing l;
	int rc = bfs_store_list(fs->store, dkey, "/", NULL, 1, &l);

	if (rc)
		return fs_ask_err(fs, path, rc);
	rc = l.nobjects || l.nprefixes;
	if (l.nobjects && !strcmp(l.objects[0].key, dkey))
		rc = 2;
	bfs_listing_release(&l);
	return rc;
}

/* A HEAD (or with fetch, a GET: get_entry) of key, then (missing) a LIST
 * for the directory dkey. */
/*
 * path is an old-style directory object (e, BFS_EF_OLDDIR).  When it also
 * has a "dir/" marker (marker: a chmod made one), the marker's attributes
 * are the newer ones.
 */
static int old_dir(struct bfs_fs *fs, const char *path, const char *dkey, int marker,
		   struct bfs_entry *e)
{
	int rc;

	if (!marker)
		return 0;
	rc = fs_ask_dir(fs, path, dkey, 1, e);
	e->flags |= BFS_EF_OLDDIR;
	return rc;
}

static int head_then_dir(struct bfs_fs *fs, const char *path, const char *key, const char *dkey,
			 int fetch, struct bfs_entry *e)
{
	int rc = fetch ? get_entry(fs, path, key, e) : head_entry(fs, path, key, e);

	if (rc == 0 && (e->flags & BFS_EF_OLDDIR))
		return old_dir(fs, path, dkey, dir_exists(fs, path, dkey) == 2, e);
	if (rc != -ENOENT)
		return rc;
	rc = dir_exists(fs, path, dkey);
	if (rc < 0)
		return rc;
	if (!rc)
		return -ENOENT;
	return fs_ask_dir(fs, path, dkey, rc == 2, e);
}

/* Keys a name's probe asks for (siblings sharing its prefix may come first). */
#define PROBE_KEYS 32

/* What one LIST says of a name: an object "key", keys below "key/", the
 * "key/" marker among them, and whether the answer covers all three. */
struct probe {
	int file, dir, marker, decided;
};

/*
 * One LIST of the keys starting with key, without a delimiter.  In key
 * (byte) order "key" itself comes first, then the siblings whose next byte
 * sorts before '/' ("key.bak", "key-2/x"), then the marker "key/", then the
 * keys below it.  So the first key below "key/", or the end of the answer,
 * or a key past all of them, settles the file, the directory and its
 * marker at once; a page filled by siblings does not (decided = 0).
 */
static int probe_name(struct bfs_fs *fs, const char *path, const char *key, const char *dkey,
		      struct probe *p)
{
	struct bfs_listing l;
	size_t i, kl = strlen(key);
	int rc;

	memset(p, 0, sizeof(*p));
	rc = bfs_store_list(fs->store, key, NULL, NULL, PROBE_KEYS, &l);
	if (rc)
		return fs_ask_err(fs, path, rc);
	for (i = 0; i < l.nobjects; i++) {
		const char *k = l.objects[i].key;

		if (!strcmp(k, key)) {
			p->file = 1;
		} else if (!strncmp(k, dkey, kl + 1)) {
			p->dir = 1;
			if (!k[kl + 1])
				p->marker = 1;
		}
	}
	p->decided = !l.truncated || p->dir ||
		     (l.nobjects && strncmp(l.objects[l.nobjects - 1].key, dkey, kl + 1) > 0);
	bfs_listing_release(&l);
	return 0;
}

/*
 * Ask the bucket what path is.  When an object "key" and keys below "key/"
 * are both there, the file wins, as in listings (see fs_apply_page), which
 * costs no request more, unless its HEAD says it is an old-style directory
 * object (empty, of a directory's Content-Type or mode: BFS_EF_OLDDIR).  A name with an extension
 * ("0.png") is probably a file: HEAD first (one request when it is), then a LIST for a directory;
 * with fetch (a name the index knows nothing of) and lookup_get set, a GET of its first bytes
 * instead of the HEAD (get_entry).  Other names ("<taskId>"), and every name when expect_new (its
 * directory was made here, so its names are most likely being created), are probed with one LIST
 * (probe_name) that answers for a file, a directory, its marker and "missing" at once; a file found
 * that way is then HEADed for its metadata, a directory's marker, if it has one, for its mode,
 * owner and mtime.
 */
int fs_ask_name(struct bfs_fs *fs, const char *path, int fetch, int expect_new, struct bfs_entry *e)
{
	char key[FS_KEY_MAX], dkey[FS_KEY_MAX + 1];
	const char *name = strrchr(path, '/') + 1, *dot = strrchr(name, '.');
	struct probe p;
	int rc;

	rc = fs_file_key(fs, path, key, sizeof(key));
	if (rc)
		return rc;
	snprintf(dkey, sizeof(dkey), "%s/", key);
	if (dot && dot != name && dot[1] && !expect_new)
		return head_then_dir(fs, path, key, dkey, fetch && fs->cfg.lookup_get > 0, e);
	rc = probe_name(fs, path, key, dkey, &p);
	if (rc)
		return rc;
	if (!p.decided) /* many siblings share the name as a prefix: ask precisely */
		return head_then_dir(fs, path, key, dkey, 0, e);
	if (p.file) {
		rc = head_entry(fs, path, key, e);
		if (rc || !(e->flags & BFS_EF_OLDDIR)) {
			if (!rc && p.dir)
				fs_key_hidden(fs, dkey, "a file of the same name hides them");
			return rc;
		}
		return old_dir(fs, path, dkey, p.marker, e);
	}
	if (!p.dir)
		return -ENOENT;
	return fs_ask_dir(fs, path, dkey, p.marker, e);
}
