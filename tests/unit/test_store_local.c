/* SPDX-License-Identifier: MIT */
/*
 * test_store_local.c - the local directory backend (store_local*.c) through
 * the public store API: every operation, every key rule, S3's listing
 * semantics against a model, atomic and concurrent puts, the ETag cache;
 * a symlink in the directory is never followed (test_beneath), with openat2
 * and, in a child where seccomp makes openat2 fail with ENOSYS as an old
 * kernel would, with the walk that replaces it.
 * Runs in a mkdtemp directory, removed at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/crypto.h"
#include "bucketfs/error.h"
#include "bucketfs/store.h"
#include "check.h"

#define EMPTY_MD5 "d41d8cd98f00b204e9800998ecf8427e"

static char top[] = "/tmp/bfs-test-local.XXXXXX";
static int devnull = -1;

/* ---- helpers --------------------------------------------------------------- */

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void rm_rf(const char *dir)
{
	(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A new directory under top, and a store on it. */
static struct bfs_store *open_store(const char *name, char *root, size_t rootsz)
{
	struct bfs_store_cfg cfg;
	struct bfs_store *st = NULL;
	char msg[256];
	int rc;

	snprintf(root, rootsz, "%s/%s", top, name);
	CHECK_INT(mkdir(root, 0755), 0);
	bfs_store_cfg_defaults(&cfg);
	cfg.local_root = root;
	cfg.bucket = "file";
	rc = bfs_store_open(&cfg, &st, msg, sizeof(msg));
	CHECK_INT(rc, 0);
	if (rc)
		fprintf(stderr, "open %s: %s\n", root, msg);
	return st;
}

static void md5hex(const void *p, size_t n, char out[33])
{
	unsigned char md5[BFS_MD5_LEN];

	bfs_md5(p, n, md5);
	bfs_hex(md5, sizeof(md5), out);
}

static int put(struct bfs_store *st, const char *key, const char *data)
{
	return bfs_store_put_buf(st, key, data, strlen(data), NULL, NULL);
}

/* GET key whole into out (NUL-terminated); returns the store's code. */
static int get(struct bfs_store *st, const char *key, char *out, size_t outsz)
{
	struct bfs_buf b = BFS_BUF_INIT(outsz - 1);
	int rc = bfs_store_get_buf(st, key, NULL, &b, NULL);

	snprintf(out, outsz, "%s", rc ? "" : bfs_buf_str(&b));
	bfs_buf_release(&b);
	return rc;
}

static int get_range(struct bfs_store *st, const char *key, uint64_t off, uint64_t len, char *out,
		     size_t outsz)
{
	struct bfs_get_opts o = { .off = off, .len = len };
	struct bfs_buf b = BFS_BUF_INIT(outsz - 1);
	int rc = bfs_store_get_buf(st, key, &o, &b, NULL);

	snprintf(out, outsz, "%s", rc ? "" : bfs_buf_str(&b));
	bfs_buf_release(&b);
	return rc;
}

static int path_exists(const char *root, const char *rel)
{
	char p[4096];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return lstat(p, &sb) == 0;
}

static void file_text(const char *root, const char *rel, char *out, size_t outsz)
{
	char p[4096];
	ssize_t n = -1;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = open(p, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, out, outsz - 1);
		close(fd);
	}
	out[n > 0 ? n : 0] = '\0';
}

static void xattr_text(const char *root, const char *rel, const char *name, char *out, size_t outsz)
{
	char p[4096];
	ssize_t n;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	n = getxattr(p, name, out, outsz - 1);
	out[n > 0 ? n : 0] = '\0';
}

/* Entries in root/.bucketfs-tmp (0 when it does not exist). */
static int tmp_files(const char *root)
{
	char p[4096];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(p, sizeof(p), "%s/.bucketfs-tmp", root);
	d = opendir(p);
	while (d && (de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static const char *last_code(void)
{
	return bfs_store_last_error()->code;
}

/* ---- open and check -------------------------------------------------------- */

static void test_open_check(void)
{
	struct bfs_store_cfg cfg;
	struct bfs_store *st = NULL;
	char root[512], msg[512], file[512];
	int fd;

	bfs_store_cfg_defaults(&cfg);
	cfg.local_root = "relative/dir";
	CHECK_INT(bfs_store_open(&cfg, &st, msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK(strstr(msg, "absolute") != NULL);
	cfg.local_root = "/nonexistent/bfs/dir";
	CHECK_INT(bfs_store_open(&cfg, &st, msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK(strstr(msg, "/nonexistent/bfs/dir") != NULL);
	snprintf(file, sizeof(file), "%s/plainfile", top);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	close(fd);
	cfg.local_root = file;
	CHECK_INT(bfs_store_open(&cfg, &st, msg, sizeof(msg)), BFS_E_CONFIG);
	unlink(file);

	st = open_store("check", root, sizeof(root));
	if (!st)
		return;
	CHECK_INT(bfs_store_check(st), 0);
	CHECK_STR(bfs_store_bucket(st), "file");
	CHECK_STR(bfs_store_endpoint(st), root);
	CHECK_INT(rmdir(root), 0);
	CHECK_INT(bfs_store_check(st), BFS_E_NOBUCKET);
	CHECK_STR(last_code(), "NoSuchBucket");
	bfs_store_describe(BFS_E_NOBUCKET, msg, sizeof(msg));
	CHECK(strstr(msg, "does not exist") != NULL);
	bfs_store_close(st);
}

/* ---- objects --------------------------------------------------------------- */

static void test_round_trip(struct bfs_store *st, const char *root)
{
	struct bfs_obj_info info;
	char etag[BFS_ETAG_MAX], want[33], buf[256];
	time_t now = time(NULL);

	CHECK_INT(bfs_store_put_buf(st, "a/b/c.png", "hello png", 9, NULL, etag), 0);
	md5hex("hello png", 9, want);
	CHECK_STR(etag, want);
	file_text(root, "a/b/c.png", buf, sizeof(buf));
	CHECK_STR(buf, "hello png");
	CHECK_INT(get(st, "a/b/c.png", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "hello png");
	CHECK_INT(bfs_store_head(st, "a/b/c.png", &info), 0);
	CHECK_INT(info.size, 9);
	CHECK_STR(info.etag, want);
	CHECK_STR(info.content_type, "application/octet-stream");
	CHECK_STR(info.cache_control, "");
	CHECK_INT(info.nmeta, 0);
	CHECK(info.mtime >= now - 5 && info.mtime <= now + 5);
	CHECK_INT(bfs_store_head(st, "a/b/c.png", NULL), 0);

	/* empty object; overwrite */
	CHECK_INT(bfs_store_put_buf(st, "empty", NULL, 0, NULL, etag), 0);
	CHECK_STR(etag, EMPTY_MD5);
	CHECK_INT(get(st, "empty", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	CHECK_INT(put(st, "a/b/c.png", "second version"), 0);
	CHECK_INT(get(st, "a/b/c.png", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "second version");
	CHECK_INT(tmp_files(root), 0);
}

static void test_put_fd(struct bfs_store *st, const char *root)
{
	char path[512], buf[64], etag[BFS_ETAG_MAX], want[33];
	size_t big = 3 * 1024 * 1024 + 123, i;
	unsigned char *data = malloc(big), *back = malloc(big);
	int fd, out;

	snprintf(path, sizeof(path), "%s/src.bin", top);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK(fd >= 0 && data && back);
	if (fd < 0 || !data || !back)
		goto out;
	for (i = 0; i < big; i++)
		data[i] = (unsigned char)(i * 7 + i / 4096);
	CHECK_INT(write(fd, data, big), (long long)big);
	/* a slice */
	CHECK_INT(bfs_store_put_fd(st, "fd/slice", fd, 1000, 10, NULL, etag), 0);
	md5hex(data + 1000, 10, want);
	CHECK_STR(etag, want);
	/* all of it, bigger than a copy chunk, back through get_fd */
	CHECK_INT(bfs_store_put_fd(st, "fd/big", fd, 0, big, NULL, etag), 0);
	md5hex(data, big, want);
	CHECK_STR(etag, want);
	snprintf(path, sizeof(path), "%s/back.bin", top);
	out = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK_INT(bfs_store_get_fd(st, "fd/big", NULL, out, 0, NULL), 0);
	CHECK_INT(pread(out, back, big, 0), (long long)big);
	CHECK(memcmp(data, back, big) == 0);
	close(out);
	unlink(path);
	/* a source shorter than the length given: nothing is created */
	CHECK_INT(bfs_store_put_fd(st, "fd/short", fd, (off_t)big - 5, 10, NULL, NULL), -EIO);
	CHECK(!path_exists(root, "fd/short"));
	CHECK_INT(bfs_store_put_fd(st, "fd/bad", -1, 0, 1, NULL, NULL), -EINVAL);
	CHECK_INT(bfs_store_put_fd(st, "fd/bad", fd, -1, 1, NULL, NULL), -EINVAL);
	CHECK_INT(tmp_files(root), 0);
	CHECK_INT(get(st, "fd/slice", buf, sizeof(buf)), 0);
	close(fd);
out:
	snprintf(path, sizeof(path), "%s/src.bin", top);
	unlink(path);
	free(data);
	free(back);
}

static void test_metadata(struct bfs_store *st, const char *root)
{
	struct bfs_meta_kv meta[2] = { { "Color", "blue" }, { "x-Owner", "me and you" } };
	struct bfs_put_opts o = {
		.content_type = "image/png", .cache_control = "max-age=60", .meta = meta, .nmeta = 2
	};
	struct bfs_obj_info info;
	char buf[256];

	CHECK_INT(bfs_store_put_buf(st, "meta/x.png", "png", 3, &o, NULL), 0);
	CHECK_INT(bfs_store_head(st, "meta/x.png", &info), 0);
	CHECK_STR(info.content_type, "image/png");
	CHECK_STR(info.cache_control, "max-age=60");
	CHECK_INT(info.nmeta, 2);
	CHECK_STR(bfs_obj_info_meta(&info, "color"), "blue");
	CHECK_STR(bfs_obj_info_meta(&info, "x-owner"), "me and you");
	CHECK(info.meta[0].name[0] != 'C' && info.meta[1].name[0] != 'C'); /* lower case */
	xattr_text(root, "meta/x.png", "user.bucketfs.content-type", buf, sizeof(buf));
	CHECK_STR(buf, "image/png");
	xattr_text(root, "meta/x.png", "user.bucketfs.meta.color", buf, sizeof(buf));
	CHECK_STR(buf, "blue");
	/* GET fills the same */
	memset(&info, 0, sizeof(info));
	CHECK_INT(bfs_store_get_fd(st, "meta/x.png", NULL, devnull, -1, &info), 0);
	CHECK_STR(info.content_type, "image/png");
	/* a new version without options has no metadata */
	CHECK_INT(put(st, "meta/x.png", "png2"), 0);
	CHECK_INT(bfs_store_head(st, "meta/x.png", &info), 0);
	CHECK_STR(info.content_type, "application/octet-stream");
	CHECK_INT(info.nmeta, 0);
	CHECK_STR(info.cache_control, "");
	/* refused like the S3 backend refuses them */
	snprintf(meta[0].name, sizeof(meta[0].name), "a b");
	CHECK_INT(bfs_store_put_buf(st, "meta/bad", "x", 1, &o, NULL), -EINVAL);
	snprintf(meta[0].name, sizeof(meta[0].name), "a:b");
	CHECK_INT(bfs_store_put_buf(st, "meta/bad", "x", 1, &o, NULL), -EINVAL);
	meta[0].name[0] = '\0';
	CHECK_INT(bfs_store_put_buf(st, "meta/bad", "x", 1, &o, NULL), -EINVAL);
	snprintf(meta[0].name, sizeof(meta[0].name), "ok");
	snprintf(meta[0].value, sizeof(meta[0].value), "two\nlines");
	CHECK_INT(bfs_store_put_buf(st, "meta/bad", "x", 1, &o, NULL), -EINVAL);
	snprintf(meta[0].value, sizeof(meta[0].value), "fine");
	o.content_type = "text/plain\r\nX-Evil: 1";
	CHECK_INT(bfs_store_put_buf(st, "meta/bad", "x", 1, &o, NULL), -EINVAL);
	CHECK(!path_exists(root, "meta/bad"));
}

static void test_ranges(struct bfs_store *st)
{
	struct bfs_get_opts o = { 0 };
	struct bfs_obj_info info;
	struct bfs_buf b = BFS_BUF_INIT(4);
	char buf[64];
	int p[2], fd;
	char path[512];

	CHECK_INT(put(st, "r/digits", "0123456789"), 0);
	CHECK_INT(get_range(st, "r/digits", 2, 3, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "234");
	CHECK_INT(get_range(st, "r/digits", 7, 10, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "789");
	CHECK_INT(get_range(st, "r/digits", 9, 0, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "9");
	CHECK_INT(get_range(st, "r/digits", 0, 1, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "0");
	CHECK_INT(get_range(st, "r/digits", 10, 1, buf, sizeof(buf)), BFS_E_RANGE);
	CHECK_STR(last_code(), "InvalidRange");
	CHECK_INT(bfs_store_last_error()->status, 416);
	CHECK_INT(get_range(st, "r/digits", 11, 0, buf, sizeof(buf)), BFS_E_RANGE);
	CHECK_INT(put(st, "r/empty", ""), 0);
	CHECK_INT(get_range(st, "r/empty", 0, 1, buf, sizeof(buf)), BFS_E_RANGE);
	CHECK_INT(get_range(st, "r/empty", 0, 0, buf, sizeof(buf)), 0);
	/* info->size is the whole object's size for a range */
	o.off = 3;
	o.len = 2;
	CHECK_INT(bfs_store_get_fd(st, "r/digits", &o, devnull, -1, &info), 0);
	CHECK_INT(info.size, 10);
	/* the buffer's cap bounds the object */
	CHECK_INT(bfs_store_get_buf(st, "r/digits", NULL, &b, NULL), BFS_E_PROTO);
	CHECK_INT(b.len, 0);
	bfs_buf_release(&b);
	/* appends to what the buffer holds */
	bfs_buf_init(&b, 64);
	CHECK_INT(bfs_buf_adds(&b, "xx"), 0);
	CHECK_INT(bfs_store_get_buf(st, "r/digits", &o, &b, NULL), 0);
	CHECK_STR(bfs_buf_str(&b), "xx34");
	bfs_buf_release(&b);
	/* get_fd at an offset (pwrite) and to a pipe (write in order) */
	snprintf(path, sizeof(path), "%s/getfd", top);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK_INT(bfs_store_get_fd(st, "r/digits", &o, fd, 5, NULL), 0);
	CHECK_INT(pread(fd, buf, sizeof(buf), 0), 7);
	CHECK(!memcmp(buf,
		      "\0\0\0\0\0"
		      "34",
		      7));
	close(fd);
	unlink(path);
	CHECK_INT(pipe(p), 0);
	CHECK_INT(bfs_store_get_fd(st, "r/digits", NULL, p[1], -1, NULL), 0);
	close(p[1]);
	memset(buf, 0, sizeof(buf));
	CHECK_INT(read(p[0], buf, sizeof(buf)), 10);
	CHECK_STR(buf, "0123456789");
	close(p[0]);
}

static void test_conditionals(struct bfs_store *st, const char *root)
{
	struct bfs_put_opts po = { .if_none_match_star = 1 };
	struct bfs_get_opts o = { 0 };
	struct bfs_buf b = BFS_BUF_INIT(64);
	char etag[BFS_ETAG_MAX], buf[64];

	CHECK_INT(bfs_store_put_buf(st, "cond/x", "v1", 2, NULL, etag), 0);
	o.if_match = etag;
	CHECK_INT(bfs_store_get_buf(st, "cond/x", &o, &b, NULL), 0);
	o.if_match = "0123456789abcdef0123456789abcdef";
	CHECK_INT(bfs_store_get_buf(st, "cond/x", &o, &b, NULL), BFS_E_PRECOND);
	CHECK_STR(last_code(), "PreconditionFailed");
	o.if_match = "*";
	CHECK_INT(bfs_store_get_buf(st, "cond/x", &o, &b, NULL), 0);
	o.if_match = NULL;
	o.if_none_match = etag;
	CHECK_INT(bfs_store_get_buf(st, "cond/x", &o, &b, NULL), BFS_E_NOTMODIFIED);
	CHECK_INT(bfs_store_last_error()->status, 304);
	o.if_none_match = "*";
	CHECK_INT(bfs_store_get_buf(st, "cond/x", &o, &b, NULL), BFS_E_NOTMODIFIED);
	o.if_none_match = "0123456789abcdef0123456789abcdef";
	bfs_buf_reset(&b);
	CHECK_INT(bfs_store_get_buf(st, "cond/x", &o, &b, NULL), 0);
	CHECK_STR(bfs_buf_str(&b), "v1");
	bfs_buf_release(&b);
	/* create-only puts */
	CHECK_INT(bfs_store_put_buf(st, "cond/new", "first", 5, &po, NULL), 0);
	CHECK_INT(bfs_store_put_buf(st, "cond/new", "second", 6, &po, NULL), BFS_E_PRECOND);
	CHECK_INT(get(st, "cond/new", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "first");
	CHECK_INT(bfs_store_put_buf(st, "cond/m/", NULL, 0, &po, NULL), 0);
	CHECK_INT(bfs_store_put_buf(st, "cond/m/", NULL, 0, &po, NULL), BFS_E_PRECOND);
	CHECK_INT(tmp_files(root), 0);
}

static void test_not_found(struct bfs_store *st, const char *root)
{
	struct bfs_obj_info info;
	char buf[512], p[1024];

	CHECK_INT(get(st, "missing/key", buf, sizeof(buf)), BFS_E_NOTFOUND);
	CHECK_STR(last_code(), "NoSuchKey");
	CHECK_INT(bfs_store_last_error()->status, 404);
	CHECK_STR(bfs_store_last_error()->op, "GET");
	bfs_store_describe(BFS_E_NOTFOUND, buf, sizeof(buf));
	CHECK(strstr(buf, "missing/key") != NULL);
	CHECK_INT(bfs_store_head(st, "missing", &info), BFS_E_NOTFOUND);
	CHECK_STR(bfs_store_last_error()->op, "HEAD");
	/* a directory is not an object; an implicit one has no marker */
	CHECK_INT(put(st, "nf/dir/file", "x"), 0);
	CHECK_INT(bfs_store_head(st, "nf/dir", &info), BFS_E_NOTFOUND);
	CHECK_INT(get(st, "nf/dir", buf, sizeof(buf)), BFS_E_NOTFOUND);
	CHECK_INT(bfs_store_head(st, "nf/dir/", &info), BFS_E_NOTFOUND);
	CHECK_INT(bfs_store_head(st, "nf/dir/file/", &info), BFS_E_NOTFOUND);
	CHECK_INT(bfs_store_head(st, "nf/dir/file/deeper", &info), BFS_E_NOTFOUND);
	/* symlinks and fifos are no objects (and a fifo must not block) */
	snprintf(p, sizeof(p), "%s/nf/link", root);
	CHECK_INT(symlink("dir/file", p), 0);
	CHECK_INT(bfs_store_head(st, "nf/link", &info), BFS_E_NOTFOUND);
	snprintf(p, sizeof(p), "%s/nf/fifo", root);
	CHECK_INT(mkfifo(p, 0600), 0);
	CHECK_INT(get(st, "nf/fifo", buf, sizeof(buf)), BFS_E_NOTFOUND);
	CHECK_INT(bfs_store_delete(st, "nf/link"), 0);
	CHECK(path_exists(root, "nf/link")); /* not ours to delete */
}

static void test_bad_keys(struct bfs_store *st, const char *root)
{
	static const char *const bad[] = {
		"a//b",
		"./a",
		"a/./b",
		"a/../b",
		"..",
		".",
		"/a",
		"/",
		"a/b//",
		"a/.",
		".bucketfs-tmp",
		".bucketfs-tmp/x",
		"x/../../etc/passwd",
	};
	struct bfs_obj_info info;
	char key[1100], buf[64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(put(st, bad[i], "x"), BFS_E_BADREQ);
		CHECK_STR(last_code(), "InvalidObjectName");
		CHECK_INT(bfs_store_last_error()->status, 400);
		CHECK_INT(bfs_store_head(st, bad[i], &info), BFS_E_BADREQ);
		CHECK_INT(get(st, bad[i], buf, sizeof(buf)), BFS_E_BADREQ);
		CHECK_INT(bfs_store_delete(st, bad[i]), BFS_E_BADREQ);
		CHECK_INT(bfs_store_copy(st, "r/digits", bad[i], NULL, NULL), BFS_E_BADREQ);
	}
	CHECK_INT(put(st, "", "x"), -EINVAL);
	memset(key, 'k', 1025);
	key[1025] = '\0';
	CHECK_INT(put(st, key, "x"), -ENAMETOOLONG);
	CHECK_STR(last_code(), "KeyTooLongError");
	key[256] = '\0';
	CHECK_INT(put(st, key, "x"), BFS_E_BADREQ); /* a segment over NAME_MAX */
	/* exactly 1024 bytes in segments of 200 is fine */
	memset(key, 'k', 1024);
	for (i = 200; i < 1024; i += 201)
		key[i] = '/';
	key[1024] = '\0';
	CHECK_INT(put(st, key, "long"), 0);
	CHECK_INT(get(st, key, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "long");
	CHECK_INT(bfs_store_delete(st, key), 0);
	key[200] = '\0';
	CHECK(!path_exists(root, key));
	/* only the exact top-level name is reserved */
	CHECK_INT(put(st, ".bucketfs-tmpx", "x"), 0);
	CHECK_INT(put(st, "sub/.bucketfs-tmp/x", "x"), 0);
	CHECK_INT(get(st, "sub/.bucketfs-tmp/x", buf, sizeof(buf)), 0);
	CHECK_INT(bfs_store_delete(st, ".bucketfs-tmpx"), 0);
	CHECK_INT(bfs_store_delete(st, "sub/.bucketfs-tmp/x"), 0);
}

static void test_conflicts(struct bfs_store *st, const char *root)
{
	char buf[512];

	CHECK_INT(put(st, "cf/file", "x"), 0);
	CHECK_INT(put(st, "cf/file/child", "x"), BFS_E_BADREQ);
	CHECK_STR(last_code(), "KeyConflict");
	bfs_store_describe(BFS_E_BADREQ, buf, sizeof(buf));
	CHECK(strstr(buf, "'cf/file' to be a directory") != NULL);
	CHECK_INT(put(st, "cf/file/a/b/c", "x"), BFS_E_BADREQ);
	CHECK_INT(put(st, "cf/file/", ""), BFS_E_BADREQ);
	CHECK_INT(put(st, "cf/dir/x", "x"), 0);
	CHECK_INT(put(st, "cf/dir", "x"), BFS_E_BADREQ);
	CHECK_STR(last_code(), "KeyConflict");
	bfs_store_describe(BFS_E_BADREQ, buf, sizeof(buf));
	CHECK(strstr(buf, "is a directory") != NULL);
	CHECK_INT(bfs_store_put_buf(st, "cf/dir", "x", 1,
				    &(struct bfs_put_opts){ .if_none_match_star = 1 }, NULL),
		  BFS_E_BADREQ);
	CHECK_INT(bfs_store_copy(st, "cf/file", "cf/file/x", NULL, NULL), BFS_E_BADREQ);
	/* a marker key cannot hold data */
	CHECK_INT(put(st, "cf/m/", "data"), BFS_E_BADREQ);
	CHECK(!path_exists(root, "cf/m"));
	file_text(root, "cf/file", buf, sizeof(buf));
	CHECK_STR(buf, "x");
	CHECK_INT(tmp_files(root), 0);
}

static void test_markers(struct bfs_store *st, const char *root)
{
	struct bfs_put_opts o = { .content_type = "application/x-directory" };
	struct bfs_obj_info info;
	char etag[BFS_ETAG_MAX], buf[64], p[1024];

	CHECK_INT(bfs_store_put_buf(st, "mk/one/", NULL, 0, &o, etag), 0);
	CHECK_STR(etag, EMPTY_MD5);
	xattr_text(root, "mk/one", "user.bucketfs.marker", buf, sizeof(buf));
	CHECK_STR(buf, "1");
	CHECK_INT(bfs_store_head(st, "mk/one/", &info), 0);
	CHECK_INT(info.size, 0);
	CHECK_STR(info.etag, EMPTY_MD5);
	CHECK_STR(info.content_type, "application/x-directory");
	CHECK_INT(get(st, "mk/one/", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	CHECK_INT(bfs_store_head(st, "mk/", &info), BFS_E_NOTFOUND); /* implicit parent */
	/* a marker survives its last child */
	CHECK_INT(put(st, "mk/one/x", "x"), 0);
	CHECK_INT(bfs_store_delete(st, "mk/one/x"), 0);
	CHECK(path_exists(root, "mk/one"));
	CHECK_INT(bfs_store_head(st, "mk/one/", &info), 0);
	/* deleting the marker removes the empty directory and its implicit parents */
	CHECK_INT(bfs_store_delete(st, "mk/one/"), 0);
	CHECK(!path_exists(root, "mk"));
	CHECK_INT(bfs_store_delete(st, "mk/one/"), 0); /* missing: fine */
	/* implicit parents go with the last object, up to the root */
	CHECK_INT(put(st, "imp/j/k/l", "x"), 0);
	CHECK_INT(bfs_store_delete(st, "imp/j/k/l"), 0);
	CHECK(!path_exists(root, "imp"));
	CHECK(path_exists(root, "."));
	/* ... and stop at a marker */
	CHECK_INT(put(st, "p/q/", ""), 0);
	CHECK_INT(put(st, "p/q/r/s", "x"), 0);
	CHECK_INT(bfs_store_delete(st, "p/q/r/s"), 0);
	CHECK(!path_exists(root, "p/q/r"));
	CHECK(path_exists(root, "p/q"));
	/* deleting the marker of a directory in use keeps the directory */
	CHECK_INT(put(st, "n/", ""), 0);
	CHECK_INT(put(st, "n/f", "x"), 0);
	CHECK_INT(bfs_store_delete(st, "n/"), 0);
	CHECK(path_exists(root, "n/f"));
	CHECK_INT(bfs_store_head(st, "n/", &info), BFS_E_NOTFOUND);
	CHECK_INT(bfs_store_delete(st, "n/f"), 0);
	CHECK(!path_exists(root, "n"));
	/* an empty directory made by hand is a marker */
	snprintf(p, sizeof(p), "%s/handmade", root);
	CHECK_INT(mkdir(p, 0755), 0);
	CHECK_INT(bfs_store_head(st, "handmade/", &info), 0);
	/* a directory key without "/" is no object: deleting it does nothing */
	CHECK_INT(bfs_store_delete(st, "p/q"), 0);
	CHECK_INT(bfs_store_delete(st, "handmade"), 0);
	CHECK(path_exists(root, "p/q") && path_exists(root, "handmade"));
	CHECK_INT(bfs_store_delete(st, "never/was"), 0);
	/* metadata of a marker is replaced by the next put */
	CHECK_INT(put(st, "p/q/", ""), 0);
	CHECK_INT(bfs_store_head(st, "p/q/", &info), 0);
	CHECK_STR(info.content_type, "application/octet-stream");
}

static void test_copy(struct bfs_store *st, const char *root)
{
	struct bfs_meta_kv meta[1] = { { "k", "v" } };
	struct bfs_put_opts o = { .content_type = "text/a", .meta = meta, .nmeta = 1 };
	struct bfs_put_opts o2 = { .content_type = "text/b" };
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	struct bfs_obj_info info;
	char etag[BFS_ETAG_MAX], etag2[BFS_ETAG_MAX], buf[64], p[1024];

	CHECK_INT(bfs_store_put_buf(st, "cp/src", "copy me", 7, &o, etag), 0);
	CHECK_INT(bfs_store_copy(st, "cp/src", "cp/new/dir/dst", NULL, etag2), 0);
	CHECK_STR(etag2, etag);
	CHECK_INT(get(st, "cp/new/dir/dst", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "copy me");
	CHECK_INT(bfs_store_head(st, "cp/new/dir/dst", &info), 0);
	CHECK_STR(info.content_type, "text/a");
	CHECK_STR(bfs_obj_info_meta(&info, "k"), "v");
	/* REPLACE */
	CHECK_INT(bfs_store_copy(st, "cp/src", "cp/dst2", &o2, NULL), 0);
	CHECK_INT(bfs_store_head(st, "cp/dst2", &info), 0);
	CHECK_STR(info.content_type, "text/b");
	CHECK_INT(info.nmeta, 0);
	/* errors */
	CHECK_INT(bfs_store_copy(st, "cp/none", "cp/x", NULL, NULL), BFS_E_NOTFOUND);
	CHECK(!path_exists(root, "cp/x"));
	CHECK_INT(bfs_store_copy(st, "cp/src", "cp/src", NULL, NULL), BFS_E_BADREQ);
	CHECK_STR(last_code(), "InvalidRequest");
	CHECK_INT(bfs_store_copy(st, "cp/src", "cp/dst2",
				 &(struct bfs_put_opts){ .if_none_match_star = 1 }, NULL),
		  BFS_E_PRECOND);
	/* onto itself with REPLACE: new metadata, same data, new mtime */
	snprintf(p, sizeof(p), "%s/cp/src", root);
	CHECK_INT(utimensat(AT_FDCWD, p, old, 0), 0);
	CHECK_INT(bfs_store_copy(st, "cp/src", "cp/src", &o2, etag2), 0);
	CHECK_STR(etag2, etag);
	CHECK_INT(bfs_store_head(st, "cp/src", &info), 0);
	CHECK_STR(info.content_type, "text/b");
	CHECK_INT(info.nmeta, 0);
	CHECK_STR(info.etag, etag);
	CHECK(info.mtime > 1000000000);
	CHECK_INT(get(st, "cp/src", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "copy me");
	/* markers copy as markers */
	CHECK_INT(bfs_store_put_buf(st, "cp/m/", NULL, 0, &o, NULL), 0);
	CHECK_INT(bfs_store_copy(st, "cp/m/", "cp/m2/", NULL, NULL), 0);
	CHECK_INT(bfs_store_head(st, "cp/m2/", &info), 0);
	CHECK_STR(info.content_type, "text/a");
	CHECK_INT(tmp_files(root), 0);
}

static void test_delete_many(struct bfs_store *st, const char *root)
{
	const char *keys[] = { "dm/1", "dm/2", "dm//bad", "dm/missing" };
	char msg[512];
	size_t nfailed = 99;

	CHECK_INT(put(st, "dm/1", "1"), 0);
	CHECK_INT(put(st, "dm/2", "2"), 0);
	CHECK_INT(bfs_store_delete_many(st, keys, 4, &nfailed), BFS_E_BADREQ);
	CHECK_INT(nfailed, 1);
	CHECK(!path_exists(root, "dm"));
	bfs_store_describe(BFS_E_BADREQ, msg, sizeof(msg));
	CHECK(strstr(msg, "dm//bad") != NULL);
	CHECK_INT(put(st, "dm/1", "1"), 0);
	CHECK_INT(bfs_store_delete_many(st, keys, 2, &nfailed), 0);
	CHECK_INT(nfailed, 0);
	CHECK_INT(bfs_store_delete_many(st, keys, 0, NULL), 0);
}

static void test_etag_recompute(struct bfs_store *st, const char *root)
{
	struct timespec t[2] = { { 1500000000, 0 }, { 1500000000, 0 } };
	struct bfs_obj_info info;
	struct bfs_listing l;
	char want[33], buf[128], p[1024];
	int fd;

	CHECK_INT(put(st, "et/x", "aaaa"), 0);
	md5hex("aaaa", 4, want);
	xattr_text(root, "et/x", "user.bucketfs.etag", buf, sizeof(buf));
	CHECK(!strncmp(buf, want, 32) && buf[32] == ' ');
	/* edited in place, same size: the new mtime invalidates the cache */
	snprintf(p, sizeof(p), "%s/et/x", root);
	fd = open(p, O_WRONLY);
	CHECK_INT(pwrite(fd, "bbbb", 4, 0), 4);
	close(fd);
	CHECK_INT(utimensat(AT_FDCWD, p, t, 0), 0);
	md5hex("bbbb", 4, want);
	CHECK_INT(bfs_store_head(st, "et/x", &info), 0);
	CHECK_STR(info.etag, want);
	xattr_text(root, "et/x", "user.bucketfs.etag", buf, sizeof(buf));
	CHECK(!strncmp(buf, want, 32));
	CHECK(strstr(buf, " 4 1500000000000000000") != NULL);
	/* a different size */
	fd = open(p, O_WRONLY | O_APPEND);
	CHECK_INT(write(fd, "cc", 2), 2);
	close(fd);
	CHECK_INT(utimensat(AT_FDCWD, p, t, 0), 0); /* same mtime: the size tells */
	md5hex("bbbbcc", 6, want);
	CHECK_INT(bfs_store_list(st, "et/", NULL, NULL, 0, &l), 0);
	CHECK_INT(l.nobjects, 1);
	if (l.nobjects == 1) {
		CHECK_STR(l.objects[0].etag, want);
		CHECK_INT(l.objects[0].size, 6);
		CHECK_INT(l.objects[0].mtime, 1500000000);
	}
	bfs_listing_release(&l);
	/* a cache that is not ours is recomputed */
	CHECK_INT(setxattr(p, "user.bucketfs.etag", "garbage", 7, 0), 0);
	CHECK_INT(bfs_store_head(st, "et/x", &info), 0);
	CHECK_STR(info.etag, want);
}

/* ---- listing --------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What S3 returns for the sorted keys: entries (prefixes end in "/" and are flagged). */
struct model_page {
	char *entry[64];
	int is_prefix[64];
	size_t n;
	int truncated;
};

static void model_list(char **keys, size_t nkeys, const char *prefix, int delim, const char *token,
		       size_t max, struct model_page *pg)
{
	size_t plen = strlen(prefix), i;
	char *last_cp = NULL;

	memset(pg, 0, sizeof(*pg));
	for (i = 0; i < nkeys; i++) {
		const char *k = keys[i], *d;
		char *e;

		if (strncmp(k, prefix, plen))
			continue;
		d = delim ? strchr(k + plen, '/') : NULL;
		e = d ? strndup(k, (size_t)(d - k) + 1) : strdup(k);
		if ((token && strcmp(e, token) <= 0) || (d && last_cp && !strcmp(e, last_cp))) {
			free(e);
			continue;
		}
		if (pg->n == max) {
			pg->truncated = 1;
			free(e);
			break;
		}
		pg->is_prefix[pg->n] = d != NULL;
		pg->entry[pg->n++] = e;
		if (d)
			last_cp = e;
	}
}

static void model_free(struct model_page *pg)
{
	size_t i;

	for (i = 0; i < pg->n; i++)
		free(pg->entry[i]);
}

/* One page from the store equals the model's, in order; returns the next token. */
static char *check_page(struct bfs_store *st, char **keys, size_t nkeys, const char *prefix,
			int delim, const char *token, int max)
{
	struct model_page pg;
	struct bfs_listing l;
	size_t i, io = 0, ip = 0, bad = 0;
	char *next = NULL;

	model_list(keys, nkeys, prefix, delim, token, (size_t)max, &pg);
	CHECK_INT(bfs_store_list(st, prefix, delim ? "/" : NULL, token, max, &l), 0);
	CHECK_INT(l.nobjects + l.nprefixes, pg.n);
	CHECK_INT(l.truncated, pg.truncated);
	for (i = 0; i < pg.n; i++) {
		if (pg.is_prefix[i])
			bad += ip >= l.nprefixes || strcmp(l.prefixes[ip++], pg.entry[i]);
		else
			bad += io >= l.nobjects || strcmp(l.objects[io++].key, pg.entry[i]);
	}
	CHECK_INT(bad, 0);
	if (bad || l.nobjects + l.nprefixes != pg.n)
		fprintf(stderr, "  prefix '%s' delim %d token '%s' max %d\n", prefix, delim,
			token ? token : "(null)", max);
	if (pg.truncated) {
		CHECK(l.next_token && pg.n && !strcmp(l.next_token, pg.entry[pg.n - 1]));
		next = l.next_token ? strdup(l.next_token) : NULL;
	} else {
		CHECK(l.next_token == NULL);
	}
	bfs_listing_release(&l);
	model_free(&pg);
	return next;
}

static void test_list(void)
{
	static const char *const files[] = {
		"a.txt",
		"a/b",
		"a/c/d",
		"a/c/e",
		"a0",
		"a-b",
		"a b",
		"A",
		"b/x",
		"b/y/z",
		"images/ab1.png",
		"images/ab2.png",
		"images/abc/t.png",
		"images/b.png",
		"z",
		"\xe6\x97\xa5\xe6\x9c\xac/x",
		"~tilde",
		"deep/1/2/3/4/5",
		"q/r/s",
	};
	static const char *const markers[] = { "ab/", "b/y/", "images/t1/", "q/", "q/r/" };
	static const char *const prefixes[] = {
		"",	     "a",	   "a/",	 "a/c",	    "a/c/", "a/c/d", "images/",
		"images/ab", "images/abc", "images/t1/", "b/",	    "b/y/", "q/",    "nope/",
		"z",	     "a//",	   "/",		 "deep/1/", "\xe6",
	};
	static const int maxes[] = { 1, 2, 3, 1000 };
	char root[512], p[1024], *keys[64], *token;
	struct bfs_store_stats s0, s1;
	struct bfs_listing l;
	struct bfs_store *st;
	size_t nkeys = 0, i, j, m, pages;
	int d, fd;

	st = open_store("list", root, sizeof(root));
	if (!st)
		return;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		CHECK_INT(put(st, files[i], files[i]), 0);
		keys[nkeys++] = strdup(files[i]);
	}
	for (i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		CHECK_INT(put(st, markers[i], ""), 0);
		keys[nkeys++] = strdup(markers[i]);
	}
	/* an empty directory made by hand lists as its marker; other things not at all */
	snprintf(p, sizeof(p), "%s/handmade", root);
	CHECK_INT(mkdir(p, 0755), 0);
	keys[nkeys++] = strdup("handmade/");
	snprintf(p, sizeof(p), "%s/images/link", root);
	CHECK_INT(symlink("b.png", p), 0);
	snprintf(p, sizeof(p), "%s/.bucketfs-tmp/stale", root);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	close(fd);
	qsort(keys, nkeys, sizeof(char *), cmp_str);

	/* every prefix, with and without delimiter, page by page, as S3 */
	bfs_store_get_stats(st, &s0);
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		for (d = 0; d < 2; d++)
			for (m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++) {
				token = NULL;
				pages = 0;
				do {
					char *next = check_page(st, keys, nkeys, prefixes[i], d,
								token, maxes[m]);
					free(token);
					token = next;
				} while (token && ++pages < 100);
				free(token);
			}
	bfs_store_get_stats(st, &s1);
	CHECK(s1.requests[BFS_OP_LIST] > s0.requests[BFS_OP_LIST] + 100);
	/* any start-after token, even one that is no key */
	for (i = 0; i < nkeys; i++)
		for (d = 0; d < 2; d++) {
			free(check_page(st, keys, nkeys, "", d, keys[i], 1000));
			free(check_page(st, keys, nkeys, "", d, keys[i], 2));
		}
	free(check_page(st, keys, nkeys, "", 0, "a/c/", 1000));
	free(check_page(st, keys, nkeys, "", 1, "a/", 1000));
	free(check_page(st, keys, nkeys, "", 0, "a/bb", 3));
	free(check_page(st, keys, nkeys, "", 0, "\xff", 3));

	/* the fields of an entry */
	CHECK_INT(bfs_store_list(st, "a/", "/", NULL, 0, &l), 0);
	CHECK_INT(l.nobjects, 1);
	CHECK_INT(l.nprefixes, 1);
	if (l.nobjects == 1 && l.nprefixes == 1) {
		char want[33];

		md5hex("a/b", 3, want);
		CHECK_STR(l.objects[0].key, "a/b");
		CHECK_INT(l.objects[0].size, 3);
		CHECK_STR(l.objects[0].etag, want);
		CHECK(l.objects[0].mtime > 1600000000);
		CHECK_STR(l.prefixes[0], "a/c/");
	}
	bfs_listing_release(&l);
	CHECK_INT(bfs_store_list(st, "ab/", "/", NULL, 0, &l), 0);
	CHECK_INT(l.nobjects, 1);
	if (l.nobjects == 1) {
		CHECK_STR(l.objects[0].key, "ab/");
		CHECK_INT(l.objects[0].size, 0);
		CHECK_STR(l.objects[0].etag, EMPTY_MD5);
	}
	bfs_listing_release(&l);
	CHECK_INT(bfs_store_list(st, NULL, ",", NULL, 0, &l), BFS_E_BADREQ);
	CHECK_STR(last_code(), "InvalidArgument");
	CHECK_INT(bfs_store_list(st, "", "", NULL, 0, &l), 0); /* "" = no delimiter */
	CHECK_INT(l.nobjects, nkeys);
	bfs_listing_release(&l);

	/* max_keys 0 means S3's 1000, and so does anything above */
	snprintf(p, sizeof(p), "%s/many", root);
	CHECK_INT(mkdir(p, 0755), 0);
	for (j = 0; j < 1003; j++) { /* made by hand: ETags computed by the listing */
		snprintf(p, sizeof(p), "%s/many/%04zu", root, j);
		fd = open(p, O_CREAT | O_WRONLY, 0644);
		CHECK(fd >= 0);
		close(fd);
	}
	CHECK_INT(bfs_store_list(st, "many/", "/", NULL, 0, &l), 0);
	CHECK_INT(l.nobjects, 1000);
	CHECK_INT(l.truncated, 1);
	CHECK_STR(l.next_token, "many/0999");
	token = l.next_token ? strdup(l.next_token) : NULL;
	bfs_listing_release(&l);
	CHECK_INT(bfs_store_list(st, "many/", "/", token, 5000, &l), 0);
	CHECK_INT(l.nobjects, 3);
	CHECK_INT(l.truncated, 0);
	bfs_listing_release(&l);
	free(token);

	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	bfs_store_close(st);
}

/* ---- concurrency ----------------------------------------------------------- */

#define NTHREADS 8
#define NPUTS 20
#define VSIZE(id) (100000 + 1000 * (size_t)(id))

struct racer {
	struct bfs_store *st;
	int id;
	int failures;
	int torn;
};

/* Put the same key over and over with content all of byte id and a size of its own. */
static void *race_put(void *arg)
{
	struct racer *r = arg;
	char *v = malloc(VSIZE(r->id)), key[64];
	int i, j, rc[3];

	if (!v) {
		r->failures++;
		return NULL;
	}
	memset(v, 'A' + r->id, VSIZE(r->id));
	for (i = 0; i < NPUTS; i++) {
		rc[0] = bfs_store_put_buf(r->st, "race/same", v, VSIZE(r->id), NULL, NULL);
		/* and churn a shared parent: mkdir racing against pruning */
		snprintf(key, sizeof(key), "churn/shared/deep/t%d", r->id);
		rc[1] = put(r->st, key, "x");
		rc[2] = bfs_store_delete(r->st, key);
		for (j = 0; j < 3; j++) {
			if (!rc[j])
				continue;
			r->failures++;
			fprintf(stderr, "thread %d, op %d: %s: %s\n", r->id, j, bfs_strerror(rc[j]),
				bfs_store_last_error()->message);
		}
	}
	free(v);
	return NULL;
}

/* A version is whole: all one byte, with that byte's size. */
static int whole(const struct bfs_buf *b)
{
	size_t i;
	int id;

	if (!b->len)
		return 0;
	id = b->data[0] - 'A';
	if (id < 0 || id >= NTHREADS || b->len != VSIZE(id))
		return 0;
	for (i = 0; i < b->len; i++)
		if (b->data[i] != b->data[0])
			return 0;
	return 1;
}

static void *race_get(void *arg)
{
	struct racer *r = arg;
	struct bfs_buf b = BFS_BUF_INIT(1 << 20);
	int i, rc;

	for (i = 0; i < NPUTS * 4; i++) {
		bfs_buf_reset(&b);
		rc = bfs_store_get_buf(r->st, "race/same", NULL, &b, NULL);
		if (rc && rc != BFS_E_NOTFOUND)
			r->failures++;
		else if (!rc && !whole(&b))
			r->torn++;
	}
	bfs_buf_release(&b);
	return NULL;
}

static void test_concurrent(struct bfs_store *st, const char *root)
{
	struct racer r[NTHREADS + 1];
	pthread_t t[NTHREADS + 1];
	struct bfs_buf b = BFS_BUF_INIT(1 << 20);
	struct bfs_obj_info info;
	char want[33];
	int i;

	for (i = 0; i <= NTHREADS; i++) {
		r[i] = (struct racer){ .st = st, .id = i };
		CHECK_INT(pthread_create(&t[i], NULL, i < NTHREADS ? race_put : race_get, &r[i]),
			  0);
	}
	for (i = 0; i <= NTHREADS; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(r[i].failures, 0);
		CHECK_INT(r[i].torn, 0);
	}
	CHECK_INT(bfs_store_get_buf(st, "race/same", NULL, &b, &info), 0);
	CHECK(whole(&b));
	md5hex(b.data, b.len, want);
	CHECK_STR(info.etag, want);
	bfs_buf_release(&b);
	CHECK(!path_exists(root, "churn"));
	CHECK_INT(tmp_files(root), 0);
}

/* ---- the rest -------------------------------------------------------------- */

static void test_mpu_and_stats(struct bfs_store *st)
{
	struct bfs_store_parts parts;
	struct bfs_store_stats s0, s1;
	struct bfs_store_part part = { 1, 1, "x" };
	char dummy, *id = &dummy, etag[BFS_ETAG_MAX];
	struct bfs_listing l;

	CHECK_INT(bfs_store_mpu_init(st, "mpu", NULL, &id), -ENOTSUP);
	CHECK(id == NULL);
	CHECK_INT(bfs_store_mpu_part(st, "mpu", "id", 1, 0, 0, 1, etag), -ENOTSUP);
	CHECK_INT(bfs_store_mpu_complete(st, "mpu", "id", &part, 1, etag), -ENOTSUP);
	CHECK_INT(bfs_store_mpu_abort(st, "mpu", "id"), -ENOTSUP);
	CHECK_INT(bfs_store_mpu_list_parts(st, "mpu", "id", &parts), -ENOTSUP);
	CHECK_STR(last_code(), "NotImplemented");

	bfs_store_get_stats(st, &s0);
	CHECK_INT(put(st, "stats/x", "12345"), 0);
	CHECK_INT(bfs_store_head(st, "stats/x", NULL), 0);
	CHECK_INT(bfs_store_get_fd(st, "stats/x", NULL, devnull, -1, NULL), 0);
	CHECK_INT(bfs_store_copy(st, "stats/x", "stats/y", NULL, NULL), 0);
	CHECK_INT(bfs_store_list(st, "stats/", NULL, NULL, 0, &l), 0);
	bfs_listing_release(&l);
	CHECK_INT(bfs_store_delete(st, "stats/x"), 0);
	CHECK_INT(bfs_store_delete_many(st, (const char *const[]){ "stats/y" }, 1, NULL), 0);
	CHECK_INT(bfs_store_check(st), 0);
	bfs_store_get_stats(st, &s1);
	CHECK_INT(s1.requests[BFS_OP_PUT] - s0.requests[BFS_OP_PUT], 1);
	CHECK_INT(s1.requests[BFS_OP_HEAD] - s0.requests[BFS_OP_HEAD], 2);
	CHECK_INT(s1.requests[BFS_OP_GET] - s0.requests[BFS_OP_GET], 1);
	CHECK_INT(s1.requests[BFS_OP_COPY] - s0.requests[BFS_OP_COPY], 1);
	CHECK_INT(s1.requests[BFS_OP_LIST] - s0.requests[BFS_OP_LIST], 1);
	CHECK_INT(s1.requests[BFS_OP_DELETE] - s0.requests[BFS_OP_DELETE], 1);
	CHECK_INT(s1.requests[BFS_OP_POST] - s0.requests[BFS_OP_POST], 1);
	CHECK_INT(s1.bytes_up - s0.bytes_up, 5);
	CHECK_INT(s1.bytes_down - s0.bytes_down, 5);
}

static void test_denied(struct bfs_store *st, const char *root)
{
	char p[1024], buf[16];

	if (geteuid() == 0)
		return; /* root reads and writes anything */
	CHECK_INT(put(st, "deny/x", "x"), 0);
	snprintf(p, sizeof(p), "%s/deny/x", root);
	CHECK_INT(chmod(p, 0), 0);
	CHECK_INT(get(st, "deny/x", buf, sizeof(buf)), BFS_E_DENIED);
	CHECK_STR(last_code(), "AccessDenied");
	snprintf(p, sizeof(p), "%s/deny", root);
	CHECK_INT(chmod(p, 0555), 0);
	CHECK_INT(put(st, "deny/y", "y"), BFS_E_DENIED);
	CHECK_INT(chmod(p, 0755), 0);
}

/* ---- symlinks: never followed ---------------------------------------------- */

static char snap[16384];
static size_t snap_len;

static int snap_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	ssize_t nx = llistxattr(path, NULL, 0);
	int n;

	(void)flag, (void)ftw;
	n = snprintf(snap + snap_len, sizeof(snap) - snap_len, "%s %o %lld %lld.%09ld %zd\n", path,
		     (unsigned)sb->st_mode, (long long)sb->st_size, (long long)sb->st_mtim.tv_sec,
		     sb->st_mtim.tv_nsec, nx);
	if (n > 0 && (size_t)n < sizeof(snap) - snap_len)
		snap_len += (size_t)n;
	return 0;
}

/* Every name under dir with its mode, size, mtime and number of xattrs. */
static const char *snapshot(const char *dir, char *out, size_t outsz)
{
	snap_len = 0;
	snap[0] = '\0';
	(void)nftw(dir, snap_one, 16, FTW_PHYS);
	snprintf(out, outsz, "%s", snap);
	return out;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK_INT(write(fd, text, strlen(text)), (long long)strlen(text));
		close(fd);
	}
}

static int list_count(struct bfs_store *st, const char *prefix, const char *delim,
		      const char *unwanted)
{
	struct bfs_listing l;
	int n = -1, rc;
	size_t i;

	rc = bfs_store_list(st, prefix, delim, NULL, 1000, &l);
	CHECK_INT(rc, 0);
	if (rc)
		return -1;
	n = (int)(l.nobjects + l.nprefixes);
	for (i = 0; i < l.nobjects; i++)
		if (!strncmp(l.objects[i].key, unwanted, strlen(unwanted)))
			CHECK_STR(l.objects[i].key, "(no key under a symlink)");
	for (i = 0; i < l.nprefixes; i++)
		if (!strncmp(l.prefixes[i], unwanted, strlen(unwanted)))
			CHECK_STR(l.prefixes[i], "(no prefix of a symlink)");
	bfs_listing_release(&l);
	return n;
}

/*
 * DIR/evil -> OUTSIDE (absolute), DIR/evrel -> ../OUTSIDE (relative),
 * DIR/alias -> real (inside DIR): no operation follows any of them, and
 * OUTSIDE is never read, made, changed or removed.  A put through one is
 * AccessDenied; what is below one is not there (NoSuchKey, not listed,
 * nothing to delete); a symlink as the whole key is not an object, and a
 * put of that key replaces the link (never writes through it).
 */
static void test_beneath(const char *label)
{
	static const char *const links[] = { "evil", "evrel", "alias" };
	struct bfs_meta_kv meta[1] = { { "mode", "33152" } };
	struct bfs_put_opts po = { .content_type = "text/x", .meta = meta, .nmeta = 1 };
	struct bfs_put_opts im = { .if_match = "ab0b884358ef3d28a8d0b7266a3c0345" };
	struct bfs_obj_info info;
	char root[512], out[512], p[1024], lp[1024], key[256], buf[64], name[64];
	static char before[16384], after[16384];
	const char *const many[1] = { key };
	struct bfs_store *st;
	size_t i, nfailed;

	snprintf(name, sizeof(name), "beneath-%s", label);
	snprintf(out, sizeof(out), "%s/outside-%s", top, label);
	CHECK_INT(mkdir(out, 0755), 0);
	snprintf(p, sizeof(p), "%s/sub", out);
	CHECK_INT(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/victim.conf", out);
	write_file(p, "ORIGINAL\n");
	snprintf(p, sizeof(p), "%s/sub/s.txt", out);
	write_file(p, "SECRET\n");
	st = open_store(name, root, sizeof(root));
	if (!st)
		return;
	snprintf(p, sizeof(p), "%s/evil", root);
	CHECK_INT(symlink(out, p), 0);
	snprintf(p, sizeof(p), "%s/evrel", root);
	snprintf(buf, sizeof(buf), "../outside-%s", label);
	CHECK_INT(symlink(buf, p), 0);
	snprintf(p, sizeof(p), "%s/real", root);
	CHECK_INT(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/real/sub", root);
	CHECK_INT(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/real/victim.conf", root);
	write_file(p, "ORIGINAL\n");
	snprintf(p, sizeof(p), "%s/real/sub/s.txt", root);
	write_file(p, "SECRET\n");
	snprintf(p, sizeof(p), "%s/alias", root);
	CHECK_INT(symlink("real", p), 0);
	snapshot(out, before, sizeof(before));

	/* the temporary directory as a symlink: no put writes through it */
	snprintf(p, sizeof(p), "%s/.bucketfs-tmp", root);
	CHECK_INT(symlink(out, p), 0);
	CHECK_INT(put(st, "t/x", "x"), BFS_E_DENIED);
	CHECK_STR(last_code(), "AccessDenied");
	CHECK_STR(snapshot(out, after, sizeof(after)), before);
	CHECK_INT(unlink(p), 0);
	CHECK_INT(put(st, "t/x", "x"), 0);

	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		const char *l = links[i];

		/* create, overwrite, deeper, markers: AccessDenied */
		snprintf(key, sizeof(key), "%s/victim.conf", l);
		CHECK_INT(put(st, key, "X"), BFS_E_DENIED);
		CHECK_STR(last_code(), "AccessDenied");
		CHECK_INT(bfs_store_put_buf(st, key, "X", 1, &im, NULL), BFS_E_PRECOND);
		snprintf(key, sizeof(key), "%s/new/deeper.txt", l);
		CHECK_INT(put(st, key, "X"), BFS_E_DENIED);
		snprintf(key, sizeof(key), "%s/sub2/", l);
		CHECK_INT(put(st, key, ""), BFS_E_DENIED);
		snprintf(key, sizeof(key), "%s/", l);
		CHECK_INT(put(st, key, ""), BFS_E_DENIED);
		snprintf(key, sizeof(key), "%s/copied", l);
		CHECK_INT(bfs_store_copy(st, "t/x", key, NULL, NULL), BFS_E_DENIED);
		/* read, head, copy out, setattr: not there */
		snprintf(key, sizeof(key), "%s/victim.conf", l);
		CHECK_INT(get(st, key, buf, sizeof(buf)), BFS_E_NOTFOUND);
		CHECK_STR(buf, "");
		CHECK_INT(bfs_store_head(st, key, &info), BFS_E_NOTFOUND);
		CHECK_INT(bfs_store_copy(st, key, "stolen", NULL, NULL), BFS_E_NOTFOUND);
		CHECK(!path_exists(root, "stolen"));
		CHECK_INT(bfs_store_copy(st, key, key, &po, NULL), BFS_E_NOTFOUND);
		snprintf(key, sizeof(key), "%s/sub/s.txt", l);
		CHECK_INT(get(st, key, buf, sizeof(buf)), BFS_E_NOTFOUND);
		snprintf(key, sizeof(key), "%s/sub/", l);
		CHECK_INT(bfs_store_head(st, key, &info), BFS_E_NOTFOUND);
		snprintf(key, sizeof(key), "%s/", l);
		CHECK_INT(bfs_store_head(st, key, &info), BFS_E_NOTFOUND);
		/* list: nothing under it, and it is no prefix */
		snprintf(key, sizeof(key), "%s/", l);
		CHECK_INT(list_count(st, key, "/", ""), 0);
		CHECK_INT(list_count(st, key, NULL, ""), 0);
		snprintf(key, sizeof(key), "%s/sub/", l);
		CHECK_INT(list_count(st, key, "/", ""), 0);
		CHECK_INT(list_count(st, key, NULL, ""), 0);
		snprintf(key, sizeof(key), "%s/", l);
		(void)list_count(st, "", "/", key);
		(void)list_count(st, "", NULL, key);
		/* delete: nothing to delete (as for a missing key), nothing deleted */
		snprintf(key, sizeof(key), "%s/victim.conf", l);
		CHECK_INT(bfs_store_delete(st, key), 0);
		CHECK_INT(bfs_store_delete_many(st, many, 1, &nfailed), 0);
		snprintf(key, sizeof(key), "%s/sub/s.txt", l);
		CHECK_INT(bfs_store_delete(st, key), 0);
		snprintf(key, sizeof(key), "%s/sub/", l);
		CHECK_INT(bfs_store_delete(st, key), 0);
		snprintf(key, sizeof(key), "%s/", l);
		CHECK_INT(bfs_store_delete(st, key), 0);
		CHECK(path_exists(root, l));
		CHECK_STR(snapshot(out, after, sizeof(after)), before);
	}
	/* the real directory behind "alias" is untouched too */
	file_text(root, "real/victim.conf", buf, sizeof(buf));
	CHECK_STR(buf, "ORIGINAL\n");
	CHECK(path_exists(root, "real/sub/s.txt"));
	CHECK(!path_exists(root, "real/new") && !path_exists(root, "real/sub2"));
	/* a symlink as the key: not an object; a put replaces the link itself */
	snprintf(p, sizeof(p), "%s/victim.conf", out);
	snprintf(lp, sizeof(lp), "%s/lnk", root);
	CHECK_INT(symlink(p, lp), 0);
	CHECK_INT(get(st, "lnk", buf, sizeof(buf)), BFS_E_NOTFOUND);
	CHECK_INT(bfs_store_copy(st, "lnk", "lnk", &po, NULL), BFS_E_NOTFOUND);
	CHECK_INT(put(st, "lnk", "Z"), 0);
	file_text(root, "lnk", buf, sizeof(buf));
	CHECK_STR(buf, "Z");
	CHECK_STR(snapshot(out, after, sizeof(after)), before);
	/* below DIR itself all is well */
	CHECK_INT(put(st, "ok/a/b", "b"), 0);
	CHECK_INT(put(st, "ok/m/", ""), 0);
	CHECK_INT(bfs_store_copy(st, "ok/a/b", "ok/c", NULL, NULL), 0);
	CHECK_INT(get(st, "ok/c", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "b");
	CHECK_INT(list_count(st, "ok/", "/", "(none)"), 3);
	CHECK_INT(bfs_store_delete(st, "ok/a/b"), 0);
	CHECK(!path_exists(root, "ok/a"));
	CHECK_INT(bfs_store_delete(st, "ok/m/"), 0);
	CHECK_INT(tmp_files(root), 0);
	bfs_store_close(st);
}

/* Make openat2 fail with ENOSYS in this process, as on a kernel before 5.6. */
static int deny_openat2(void)
{
#if defined(__x86_64__)
#define BFS_TEST_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define BFS_TEST_ARCH AUDIT_ARCH_AARCH64
#endif
#if defined(BFS_TEST_ARCH) && defined(SYS_openat2)
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BFS_TEST_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return -1;
	return syscall(SYS_openat2, AT_FDCWD, ".", NULL, 0) < 0 && errno == ENOSYS ? 0 : -1;
#else
	return -1;
#endif
}

/* test_beneath again in a child without openat2: the O_NOFOLLOW walk. */
static void test_beneath_walk(void)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(devnull); /* (the parent's: valgrind counts what a child leaves open) */
		devnull = -1;
		if (deny_openat2()) {
			fprintf(stderr, "test_beneath_walk: cannot make openat2 fail; skipped\n");
			_exit(0);
		}
		test_beneath("walk");
		status = check_done("test_store_local, in the child without openat2");
		fflush(NULL);
		_exit(status);
	}
	CHECK(pid > 0);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	struct bfs_store *st;
	char root[512];

	if (!mkdtemp(top) || (devnull = open("/dev/null", O_WRONLY)) < 0) {
		perror("mkdtemp");
		return 1;
	}
	test_open_check();
	st = open_store("bucket", root, sizeof(root));
	if (st) {
		test_round_trip(st, root);
		test_put_fd(st, root);
		test_metadata(st, root);
		test_ranges(st);
		test_conditionals(st, root);
		test_not_found(st, root);
		test_bad_keys(st, root);
		test_conflicts(st, root);
		test_markers(st, root);
		test_copy(st, root);
		test_delete_many(st, root);
		test_etag_recompute(st, root);
		test_concurrent(st, root);
		test_mpu_and_stats(st);
		test_denied(st, root);
		bfs_store_close(st);
	}
	test_list();
	test_beneath("openat2");
	test_beneath_walk();
	rm_rf(top);
	close(devnull);
	return check_done("test_store_local");
}
