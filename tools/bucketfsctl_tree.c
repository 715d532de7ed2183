/* SPDX-License-Identifier: MIT */
/*
 * bucketfsctl_tree.c - the bucketfsctl commands that walk a listing of the
 * bucket: ls (a "directory", or every key below it) and markers (a marker
 * object for every directory below that has none, as s3fs wants them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bucketfsctl.h"

/*
 * Every page of the listing of the target's prefix (delimiter "/", or NULL
 * for every key below it), to page(arg, l).  0; page's non-zero return; or
 * 1 once a failed request or a lack of memory is reported as what.
 */
static int each_page(struct ctx *c, const char *delimiter, const char *what,
		     int (*page)(void *arg, const struct bfs_listing *l), void *arg)
{
	char *token = NULL;
	int rc;

	do {
		struct bfs_listing l;

		rc = bfs_store_list(c->st, c->cfg.prefix, delimiter, token, 0, &l);
		free(token);
		token = NULL;
		if (rc)
			return die_store(rc, what);
		rc = page(arg, &l);
		if (!rc && l.truncated && l.next_token && !(token = strdup(l.next_token)))
			rc = -ENOMEM;
		bfs_listing_release(&l);
	} while (!rc && token);
	if (rc < 0) {
		fprintf(stderr, "bucketfsctl: %s: %s\n", what, strerror(-rc));
		return 1;
	}
	return rc;
}

static int print_page(void *arg, const struct bfs_listing *l)
{
	char when[32];
	size_t i;

	(void)arg;
	for (i = 0; i < l->nprefixes; i++)
		printf("%19s %12s  %s\n", "", "PRE", l->prefixes[i]);
	for (i = 0; i < l->nobjects; i++) {
		fmt_time(l->objects[i].mtime, when, sizeof(when));
		printf("%19s %12llu  %s\n", when, (unsigned long long)l->objects[i].size,
		       l->objects[i].key);
	}
	return 0;
}

/* The command's first argument is flag: 1, and it is taken off. */
static int take_flag(int *argc, char ***argv, const char *flag)
{
	if (*argc < 1 || strcmp((*argv)[0], flag))
		return 0;
	(*argc)--;
	(*argv)++;
	return 1;
}

int cmd_ls(struct ctx *c, int argc, char **argv)
{
	int recursive;

	recursive = take_flag(&argc, &argv, "-r");
	if (argc != 1 || open_target(c, argv[0], 0))
		return 2;
	return each_page(c, recursive ? NULL : "/", "ls", print_page, NULL);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append a copy of s to *v (n used, *alloc room). 0 or -ENOMEM. */
static int push(char ***v, size_t *n, size_t *alloc, const char *s, size_t len)
{
	if (*n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 256;
		char **nv = realloc(*v, na * sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*alloc = na;
	}
	(*v)[*n] = strndup(s, len);
	if (!(*v)[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* The keys of a tree, and the directories they imply ("a/", "a/b/"). */
struct tree_keys {
	char **keys, **dirs;
	size_t nk, ak, nd, ad, plen; /* plen: the prefix's length */
};

static int collect_page(void *arg, const struct bfs_listing *l)
{
	struct tree_keys *t = arg;
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < l->nobjects; i++) {
		const char *k = l->objects[i].key, *s;

		rc = push(&t->keys, &t->nk, &t->ak, k, strlen(k));
		for (s = strchr(k + t->plen, '/'); !rc && s && s[1]; s = strchr(s + 1, '/'))
			rc = push(&t->dirs, &t->nd, &t->ad, k, (size_t)(s - k) + 1);
	}
	return rc;
}

/* Every directory below the prefix (each key's every "a/", "a/b/") that has
 * no marker object: a PUT of an empty KEY/ with s3fs's metadata (mode 0755
 * directory, the caller's uid and gid, now), unless dry. */
int cmd_markers(struct ctx *c, int argc, char **argv)
{
	struct tree_keys t = { 0 };
	char **keys, **dirs;
	size_t nk, nd, i, made = 0;
	int dry, rc;

	dry = take_flag(&argc, &argv, "-n");
	if (argc != 1 || open_target(c, argv[0], 0))
		return 2;
	t.plen = strlen(c->cfg.prefix);
	rc = each_page(c, NULL, "markers", collect_page, &t);
	keys = t.keys;
	dirs = t.dirs;
	nk = t.nk;
	nd = t.nd;
	if (rc)
		goto out;
	qsort(keys, nk, sizeof(*keys), cmp_str);
	qsort(dirs, nd, sizeof(*dirs), cmp_str);
	for (i = 0; i < nd; i++) {
		struct bfs_meta_kv meta[4];
		struct bfs_put_opts po = { 0 };

		if ((i && !strcmp(dirs[i], dirs[i - 1])) ||
		    bsearch(&dirs[i], keys, nk, sizeof(*keys), cmp_str))
			continue;
		printf("%s%s\n", dry ? "missing: " : "", dirs[i]);
		made++;
		if (dry)
			continue;
		snprintf(meta[0].name, sizeof(meta[0].name), "mode");
		snprintf(meta[0].value, sizeof(meta[0].value), "%d", S_IFDIR | 0755);
		snprintf(meta[1].name, sizeof(meta[1].name), "uid");
		snprintf(meta[1].value, sizeof(meta[1].value), "%u", (unsigned)getuid());
		snprintf(meta[2].name, sizeof(meta[2].name), "gid");
		snprintf(meta[2].value, sizeof(meta[2].value), "%u", (unsigned)getgid());
		snprintf(meta[3].name, sizeof(meta[3].name), "mtime");
		snprintf(meta[3].value, sizeof(meta[3].value), "%lld", (long long)time(NULL));
		po.meta = meta;
		po.nmeta = 4;
		po.content_type = "application/x-directory";
		rc = bfs_store_put_buf(c->st, dirs[i], "", 0, &po, NULL);
		if (rc) {
			rc = die_store(rc, dirs[i]);
			goto out;
		}
	}
	printf("%zu director%s without a marker%s\n", made, made == 1 ? "y" : "ies",
	       dry ? "" : ": stored");
out:
	for (i = 0; i < nk; i++)
		free(keys[i]);
	for (i = 0; i < nd; i++)
		free(dirs[i]);
	free(keys);
	free(dirs);
	return rc;
}
