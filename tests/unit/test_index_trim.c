/* SPDX-License-Identifier: MIT */
/*
 * test_index_trim.c - bounding the cache index (index.h: bfs_index_used,
 * bfs_index_forget): children chosen by the callback are removed and the
 * directory marked unlisted in the same transaction (only when a name a
 * listing showed went, not for a NEGATIVE one), the state index kept in
 * step, directories told whether anything is below them, a directory of
 * thousands of children forgotten across transactions, and the pages in
 * use going down while the file keeps its size.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bucketfs/index.h"
#include "check.h"
#include "ixdir.h"

static void put(struct bfs_index *ix, const char *path, unsigned type, unsigned state,
		int64_t listed)
{
	struct bfs_entry e;

	bfs_entry_init(&e);
	e.type = (uint16_t)type;
	e.state = (uint16_t)state;
	e.listed_ns = listed;
	e.validated_ns = 1;
	CHECK_INT(bfs_index_put(ix, path, &e), 0);
}

static int64_t listed_of(struct bfs_index *ix, const char *path)
{
	struct bfs_entry e;

	return bfs_index_get(ix, path, &e) ? -1 : e.listed_ns;
}

static int exists(struct bfs_index *ix, const char *path)
{
	struct bfs_entry e;

	return bfs_index_get(ix, path, &e) == 0;
}

struct seen {
	char names[512];
	int calls;
	const char *drop; /* names to drop: ",a,b," */
	int dirs_with_children;
};

static int pick(void *arg, const char *name, const struct bfs_entry *e, int has_children)
{
	struct seen *s = arg;
	char k[300];

	s->calls++;
	if (strlen(s->names) + strlen(name) + 2 < sizeof(s->names)) {
		strcat(s->names, name);
		strcat(s->names, has_children ? "+," : ",");
	}
	s->dirs_with_children += e->type == BFS_ENT_DIR && has_children;
	snprintf(k, sizeof(k), ",%s,", name);
	return strstr(s->drop, k) != NULL;
}

static int all(void *arg, const char *name, const struct bfs_entry *e, int has_children)
{
	(void)name;
	(void)e;
	(void)has_children;
	++*(int *)arg;
	return 1;
}

static int fail_on_b(void *arg, const char *name, const struct bfs_entry *e, int has_children)
{
	(void)arg;
	(void)e;
	(void)has_children;
	return strcmp(name, "b") ? 1 : -EIO;
}

static int count_neg(void *arg, const char *path, const struct bfs_entry *e)
{
	(void)path;
	(void)e;
	++*(int *)arg;
	return 0;
}

static void test_forget(const char *dir)
{
	struct bfs_index *ix = NULL;
	struct seen s;
	uint64_t n = 99;
	int negs = 0;

	CHECK_INT(bfs_index_open(dir, 0, &ix), 0);
	put(ix, "/", BFS_ENT_DIR, BFS_ST_CLEAN, 5);
	put(ix, "/d", BFS_ENT_DIR, BFS_ST_CLEAN, 7);
	put(ix, "/d/a", BFS_ENT_FILE, BFS_ST_CLEAN, 0);
	put(ix, "/d/b", BFS_ENT_FILE, BFS_ST_CLEAN, 0);
	put(ix, "/d/gone", BFS_ENT_FILE, BFS_ST_NEGATIVE, 0);
	put(ix, "/d/sub", BFS_ENT_DIR, BFS_ST_CLEAN, 3);
	put(ix, "/d/sub/x", BFS_ENT_FILE, BFS_ST_CLEAN, 0);
	put(ix, "/d/empty", BFS_ENT_DIR, BFS_ST_CLEAN, 3);
	put(ix, "/d2/c", BFS_ENT_FILE, BFS_ST_CLEAN, 0); /* a sibling's prefix "/d2" */

	/* the callback sees every child, in order, told which directories have entries below */
	memset(&s, 0, sizeof(s));
	s.drop = ",gone,";
	CHECK_INT(bfs_index_forget(ix, "/d", pick, &s, &n), 0);
	CHECK_STR(s.names, "a,b,empty,gone,sub+,");
	CHECK_INT(s.dirs_with_children, 1);
	CHECK_INT(n, 1);
	/* a NEGATIVE name gone: the listing still holds, the state index follows */
	CHECK_INT(listed_of(ix, "/d"), 7);
	CHECK(!exists(ix, "/d/gone"));
	CHECK_INT(bfs_index_scan_state(ix, BFS_ST_NEGATIVE, count_neg, &negs), 0);
	CHECK_INT(negs, 0);

	/* a name a listing showed: gone with the listing, in the same call */
	memset(&s, 0, sizeof(s));
	s.drop = ",b,empty,";
	CHECK_INT(bfs_index_forget(ix, "/d", pick, &s, &n), 0);
	CHECK_INT(n, 2);
	CHECK(exists(ix, "/d/a") && !exists(ix, "/d/b") && !exists(ix, "/d/empty"));
	CHECK_INT(listed_of(ix, "/d"), 0);
	CHECK_INT(listed_of(ix, "/d/sub"), 3); /* below it: untouched */
	CHECK(exists(ix, "/d2/c") && exists(ix, "/d/sub/x"));

	/* the root's children, and the root's listing */
	memset(&s, 0, sizeof(s));
	s.drop = ",d2,";
	put(ix, "/d2", BFS_ENT_DIR, BFS_ST_CLEAN, 0);
	CHECK_INT(bfs_index_forget(ix, "/", pick, &s, &n), 0);
	CHECK_STR(s.names, "d+,d2+,");
	CHECK_INT(n, 1);
	CHECK_INT(listed_of(ix, "/"), 0);

	/* an error from the callback: nothing of that transaction is removed */
	put(ix, "/e/a", BFS_ENT_FILE, BFS_ST_CLEAN, 0);
	put(ix, "/e/b", BFS_ENT_FILE, BFS_ST_CLEAN, 0);
	CHECK_INT(bfs_index_forget(ix, "/e", fail_on_b, NULL, &n), -EIO);
	CHECK(exists(ix, "/e/a") && exists(ix, "/e/b"));

	/* a directory without children, a bad path */
	CHECK_INT(bfs_index_forget(ix, "/nothing", all, &negs, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(bfs_index_forget(ix, "no-slash", all, &negs, &n), -EINVAL);
	bfs_index_close(ix);
}

/* Thousands of children: many transactions, every one removed once; the
 * pages in use go down, the file does not shrink. */
static void test_many(const char *dir)
{
	struct bfs_index *ix = NULL;
	struct bfs_index_batch *b;
	struct bfs_entry e;
	uint64_t n = 0, used0, file0, used1, file1, used2, file2;
	char path[64];
	int i, calls = 0, total = 20000;

	CHECK_INT(bfs_index_open(dir, 0, &ix), 0);
	CHECK_INT(bfs_index_used(ix, &used0, &file0), 0);
	put(ix, "/big", BFS_ENT_DIR, BFS_ST_CLEAN, 11);
	bfs_entry_init(&e);
	e.type = BFS_ENT_FILE;
	snprintf(e.etag, sizeof(e.etag), "\"0123456789abcdef0123456789abcdef\"");
	for (i = 0; i < total; i++) {
		if (i % 1000 == 0)
			CHECK_INT(bfs_index_batch_begin(ix, &b), 0);
		snprintf(path, sizeof(path), "/big/f%06d.png", i);
		CHECK_INT(bfs_index_batch_put(b, path, &e), 0);
		if (i % 1000 == 999)
			CHECK_INT(bfs_index_batch_commit(b), 0);
	}
	put(ix, "/keep/x", BFS_ENT_FILE, BFS_ST_CLEAN, 0);
	CHECK_INT(bfs_index_used(ix, &used1, &file1), 0);
	/* ~20,000 records of ~100 bytes and keys of ~16: over 1.5 MiB of pages */
	CHECK(used1 > used0 + (3u << 19));
	CHECK(file1 >= used1);
	CHECK_INT(bfs_index_forget(ix, "/big", all, &calls, &n), 0);
	CHECK_INT(n, (uint64_t)total);
	CHECK(calls >= total);
	CHECK(!exists(ix, "/big/f000000.png") && !exists(ix, "/big/f019999.png"));
	CHECK(exists(ix, "/keep/x"));
	CHECK_INT(listed_of(ix, "/big"), 0);
	CHECK_INT(bfs_index_used(ix, &used2, &file2), 0);
	CHECK(used2 < used0 + (used1 - used0) / 10);
	CHECK(file2 >= file1); /* (the deletions wrote pages of their own) */
	printf("20,000 entries: %llu KiB of pages in use, %llu KiB after forgetting them "
	       "(file %llu KiB)\n",
	       (unsigned long long)used1 >> 10, (unsigned long long)used2 >> 10,
	       (unsigned long long)file2 >> 10);
	bfs_index_close(ix);
}

static void in_fresh_dir(void (*fn)(const char *dir))
{
	char dir[256];

	tmp_dir(dir, sizeof(dir));
	fn(dir);
	rm_dir(dir);
}

int main(void)
{
	in_fresh_dir(test_forget);
	in_fresh_dir(test_many);
	return check_done("test_index_trim");
}
