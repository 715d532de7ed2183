/* SPDX-License-Identifier: MIT */
/*
 * store_local_list.c - ListObjects for the local backend, with S3's
 * semantics: the keys under a prefix (which may end mid-name), in byte-wise
 * order, rolled up into common prefixes at the delimiter "/", max_keys
 * objects and prefixes per page, continued strictly after a token (the last
 * key or prefix of the previous page).
 *
 * A depth-first walk yields the keys in order when each directory's
 * entries are sorted by name, with "/" appended to directory names: every
 * key under directory "a" starts with "a/", so it sorts against "a.txt" and
 * "a0" just as "a/" does.  A directory's own marker key comes first, since
 * it is a prefix of everything under it.  Only the directories that can
 * hold keys after the token are read, and an ETag is computed (once, then
 * cached) only for an object the page returns.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "store/store_local.h"

#define LIST_MAX 1000 /* keys and prefixes per page, S3's cap */

struct walk {
	struct bfs_store *st;
	const char *token; /* return only what sorts after this, or NULL */
	int delim;	   /* roll up at "/" */
	size_t max;	   /* entries per page */
	struct bfs_listing *out;
	size_t objects_alloc, prefixes_alloc;
	const char *last;	   /* the last key or prefix returned (in out) */
	int full;		   /* the page is full: out->truncated, stop */
	char key[BFS_MAX_KEY + 1]; /* the directory being walked, then an entry */
};

static int after_token(const struct walk *w, const char *key)
{
	return !w->token || strcmp(key, w->token) > 0;
}

/* Room for one more?  If not, the page is truncated: there is more to list. */
static int room(struct walk *w)
{
	if (w->out->nobjects + w->out->nprefixes < w->max)
		return 1;
	w->out->truncated = 1;
	w->full = 1;
	return 0;
}

static int grow(void **arr, size_t *alloc, size_t n, size_t size)
{
	void *p;

	if (n < *alloc)
		return 0;
	p = reallocarray(*arr, *alloc ? *alloc * 2 : 16, size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*alloc = *alloc ? *alloc * 2 : 16;
	return 0;
}

static int add_prefix(struct walk *w, const char *prefix)
{
	struct bfs_listing *l = w->out;
	char *p;

	if (!room(w))
		return 0;
	if (grow((void **)&l->prefixes, &w->prefixes_alloc, l->nprefixes, sizeof(char *)) ||
	    !(p = strdup(prefix)))
		return -ENOMEM;
	l->prefixes[l->nprefixes++] = p;
	w->last = p;
	return 0;
}

/* The object key (a file, or a directory's marker key), if it is one. */
static int add_object(struct walk *w, const char *key)
{
	struct bfs_listing *l = w->out;
	struct bfs_listing_object *o;
	struct local_obj ob;
	struct local_key k;
	int rc;

	if (!after_token(w, key))
		return 0;
	rc = local_key_parse("GET", key, &k);
	if (!rc)
		rc = local_obj_open(w->st->local, "GET", &k, key, &ob);
	if (rc)
		return rc == 1 ? 0 : rc; /* 1: gone meanwhile, or no marker */
	if (!room(w))
		goto out;
	rc = grow((void **)&l->objects, &w->objects_alloc, l->nobjects, sizeof(*o));
	if (rc)
		goto out;
	o = &l->objects[l->nobjects];
	memset(o, 0, sizeof(*o));
	rc = local_obj_etag("GET", key, &ob, o->etag);
	if (!rc && !(o->key = strdup(key)))
		rc = -ENOMEM;
	if (rc)
		goto out;
	o->size = ob.marker ? 0 : (uint64_t)ob.sb.st_size;
	o->mtime = ob.sb.st_mtim.tv_sec;
	l->nobjects++;
	w->last = o->key;
out:
	local_obj_close(&ob);
	return rc;
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The entries of the open directory fd (consumed) that are files or
 * directories and start with filter, sorted, directories with a "/"
 * appended; in DIR (root) without .bucketfs-tmp.  Returns 0 or -errno;
 * *names and each name are malloc'd.
 */
static int read_names(int fd, const char *filter, int root, char ***names, size_t *n)
{
	size_t flen = strlen(filter), alloc = 0, len;
	struct dirent *de;
	struct stat sb;
	int type, rc = 0;
	DIR *d = fdopendir(fd);

	*names = NULL;
	*n = 0;
	if (!d) {
		close(fd);
		return -errno;
	}
	while (!rc && (errno = 0, de = readdir(d))) {
		if (strncmp(de->d_name, filter, flen) || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, "..") || (root && !strcmp(de->d_name, LOCAL_TMP_DIR)))
			continue;
		type = de->d_type;
		if (type == DT_UNKNOWN && !fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW))
			type = S_ISDIR(sb.st_mode)   ? DT_DIR
			       : S_ISREG(sb.st_mode) ? DT_REG
						     : DT_UNKNOWN;
		if (type != DT_DIR && type != DT_REG)
			continue; /* no symlinks, devices, ... */
		len = strlen(de->d_name);
		if (grow((void **)names, &alloc, *n, sizeof(char *)) ||
		    !((*names)[*n] = malloc(len + 2))) {
			rc = -ENOMEM;
			break;
		}
		memcpy((*names)[*n], de->d_name, len);
		memcpy((*names)[*n] + len, type == DT_DIR ? "/" : "", type == DT_DIR ? 2 : 1);
		(*n)++;
	}
	if (!rc && errno)
		rc = -errno;
	closedir(d);
	if (!rc) {
		if (*n > 1)
			qsort(*names, *n, sizeof(char *), by_name);
		return 0;
	}
	free_names(*names, *n);
	*names = NULL;
	*n = 0;
	return rc;
}

/* Walk the directory whose key (w->key) is dlen bytes, entries starting with filter. */
static int walk_dir(struct walk *w, size_t dlen, const char *filter)
{
	struct local *lc = w->st->local;
	char **names = NULL;
	size_t n = 0, i, len;
	int fd, rc = 0;

	if (dlen)
		w->key[dlen - 1] = '\0';
	fd = local_open(lc, dlen ? w->key : ".", O_RDONLY | O_DIRECTORY, 0);
	if (dlen)
		w->key[dlen - 1] = '/';
	/* gone, or a symlink on the way (never followed): nothing under it */
	if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP || fd == -EXDEV)
		return 0;
	rc = fd < 0 ? fd : read_names(fd, filter, dlen == 0, &names, &n);
	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return local_sys_fail("GET", dlen ? w->key : "/", "list", -rc);
	/* Its own marker key, unless the prefix ends mid-name below it. */
	if (dlen && !*filter)
		rc = add_object(w, w->key);
	for (i = 0; !rc && !w->full && i < n; i++) {
		len = strlen(names[i]);
		if (dlen + len > BFS_MAX_KEY)
			continue; /* no such key can exist */
		memcpy(w->key + dlen, names[i], len + 1);
		if (names[i][len - 1] != '/')
			rc = add_object(w, w->key);
		else if (w->delim)
			rc = after_token(w, w->key) ? add_prefix(w, w->key) : 0;
		else if (after_token(w, w->key) || !strncmp(w->token, w->key, dlen + len))
			rc = walk_dir(w, dlen + len, "");
		/* else every key under it sorts before the token */
		w->key[dlen] = '\0';
	}
	free_names(names, n);
	return rc;
}

int local_list(struct bfs_store *st, const char *prefix, const char *delimiter, const char *token,
	       const char *start_after, int max_keys, struct bfs_listing *out)
{
	struct walk *w;
	const char *slash;
	size_t dlen;
	int rc;

	memset(out, 0, sizeof(*out));
	atomic_fetch_add(&st->requests[BFS_OP_LIST], 1);
	if (delimiter && *delimiter && strcmp(delimiter, "/"))
		return local_fail("GET", 400, "InvalidArgument", BFS_E_BADREQ,
				  "the local store supports only \"/\" as delimiter, not \"%.50s\"",
				  delimiter);
	prefix = prefix ? prefix : "";
	slash = strrchr(prefix, '/');
	dlen = slash ? (size_t)(slash - prefix) + 1 : 0;
	/* A prefix that no path can have matches nothing. */
	if (strlen(prefix) > BFS_MAX_KEY || (dlen && !local_key_ok(prefix, dlen - 1)))
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->st = st;
	/* a token here is the last key of the page before: start-after's kind */
	if (!token || !*token)
		token = start_after;
	w->token = token && *token ? token : NULL;
	w->delim = delimiter && *delimiter;
	w->max = max_keys > 0 && max_keys < LIST_MAX ? (size_t)max_keys : LIST_MAX;
	w->out = out;
	memcpy(w->key, prefix, dlen);
	w->key[dlen] = '\0';
	rc = walk_dir(w, dlen, prefix + dlen);
	if (!rc && out->truncated && !(out->next_token = strdup(w->last)))
		rc = -ENOMEM;
	free(w);
	if (rc)
		bfs_listing_release(out);
	return rc;
}
