/* SPDX-License-Identifier: MIT */
/*
 * store_it.c - the store API against a real S3 server (run by
 * t0110-store-api.sh with RGW_ENDPOINT, credentials in the environment and
 * an empty bucket named in BFS_IT_BUCKET).  Exercises what the ctl tool does
 * not reach: ranges, conditional requests, create-only PUT, multipart
 * pieces, ListParts, abort, V1 and V2 pagination, vhost addressing,
 * COPY/REPLACE metadata and the request counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bucketfs/creds.h"
#include "bucketfs/crypto.h"
#include "bucketfs/error.h"
#include "bucketfs/store.h"
#include "check.h"

static struct bfs_store *open_store(struct bfs_creds *cr, int path_style, int list_v1)
{
	struct bfs_store_cfg cfg;
	struct bfs_store *st = NULL;
	char msg[256];

	bfs_store_cfg_defaults(&cfg);
	cfg.endpoint = getenv("RGW_ENDPOINT");
	cfg.bucket = getenv("BFS_IT_BUCKET");
	cfg.creds = cr;
	cfg.path_style = path_style;
	cfg.list_v1 = list_v1;
	cfg.multipart_threshold = 5 << 20;
	cfg.part_size = 5 << 20;
	cfg.parallel_parts = 3;
	if (bfs_store_open(&cfg, &st, msg, sizeof(msg))) {
		fprintf(stderr, "open: %s\n", msg);
		exit(1);
	}
	return st;
}

static int tmpfile_with(const void *p, size_t n)
{
	char path[] = "/tmp/store_it-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	if (n && write(fd, p, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return fd;
}

static void test_objects(struct bfs_store *st)
{
	struct bfs_buf b = BFS_BUF_INIT(1 << 20);
	struct bfs_obj_info info;
	struct bfs_meta_kv meta[2] = { { "mode", "33188" }, { "uid", "1000" } };
	struct bfs_put_opts po = {
		.content_type = "image/png", .cache_control = "max-age=60", .meta = meta, .nmeta = 2
	};
	struct bfs_get_opts go = { 0 };
	char etag[BFS_ETAG_MAX], etag2[BFS_ETAG_MAX];
	static const char text[] = "0123456789abcdefghij";

	CHECK_INT(bfs_store_check(st), 0);
	CHECK_INT(bfs_store_put_buf(st, "obj/a.png", text, 20, &po, etag), 0);
	CHECK_INT(strlen(etag), 32);
	CHECK_INT(bfs_store_head(st, "obj/a.png", &info), 0);
	CHECK_INT(info.size, 20);
	CHECK_STR(info.etag, etag);
	CHECK_STR(info.content_type, "image/png");
	CHECK_STR(info.cache_control, "max-age=60");
	CHECK_STR(bfs_obj_info_meta(&info, "mode"), "33188");
	CHECK_STR(bfs_obj_info_meta(&info, "uid"), "1000");
	CHECK(info.mtime > 1700000000);

	/* whole, ranged, open-ended range */
	CHECK_INT(bfs_store_get_buf(st, "obj/a.png", NULL, &b, &info), 0);
	CHECK_STR(bfs_buf_str(&b), text);
	bfs_buf_reset(&b);
	go.off = 5;
	go.len = 4;
	CHECK_INT(bfs_store_get_buf(st, "obj/a.png", &go, &b, &info), 0);
	CHECK_STR(bfs_buf_str(&b), "5678");
	CHECK_INT(info.size, 20); /* the whole object's size, from Content-Range */
	bfs_buf_reset(&b);
	go.off = 18;
	go.len = 0;
	CHECK_INT(bfs_store_get_buf(st, "obj/a.png", &go, &b, NULL), 0);
	CHECK_STR(bfs_buf_str(&b), "ij");
	bfs_buf_reset(&b);
	go.off = 100;
	CHECK_INT(bfs_store_get_buf(st, "obj/a.png", &go, &b, NULL), BFS_E_RANGE);

	/* conditional GET: same ETag -> 304, other -> 200; If-Match */
	memset(&go, 0, sizeof(go));
	go.if_none_match = etag;
	bfs_buf_reset(&b);
	CHECK_INT(bfs_store_get_buf(st, "obj/a.png", &go, &b, NULL), BFS_E_NOTMODIFIED);
	CHECK_INT(b.len, 0);
	go.if_none_match = "00000000000000000000000000000000";
	CHECK_INT(bfs_store_get_buf(st, "obj/a.png", &go, &b, NULL), 0);
	CHECK_INT(b.len, 20);
	memset(&go, 0, sizeof(go));
	go.if_match = "00000000000000000000000000000000";
	CHECK_INT(bfs_store_get_buf(st, "obj/a.png", &go, &b, NULL), BFS_E_PRECOND);

	/* create-only PUT */
	po.if_none_match_star = 1;
	CHECK_INT(bfs_store_put_buf(st, "obj/a.png", "x", 1, &po, NULL), BFS_E_PRECOND);
	CHECK_INT(bfs_store_put_buf(st, "obj/new.png", "x", 1, &po, NULL), 0);
	po.if_none_match_star = 0;

	/* missing objects */
	CHECK_INT(bfs_store_head(st, "obj/none", &info), BFS_E_NOTFOUND);
	CHECK_INT(bfs_store_get_buf(st, "obj/none", NULL, &b, NULL), BFS_E_NOTFOUND);
	CHECK_STR(bfs_store_last_error()->code, "NoSuchKey");
	CHECK_INT(bfs_store_delete(st, "obj/none"), 0);

	/* copy: COPY keeps metadata, REPLACE sets new */
	CHECK_INT(bfs_store_copy(st, "obj/a.png", "obj/b.png", NULL, etag2), 0);
	CHECK_INT(bfs_store_head(st, "obj/b.png", &info), 0);
	CHECK_STR(bfs_obj_info_meta(&info, "mode"), "33188");
	CHECK_STR(info.content_type, "image/png");
	CHECK_STR(info.etag, etag);
	meta[0] = (struct bfs_meta_kv){ "mode", "33261" };
	po.nmeta = 1;
	CHECK_INT(bfs_store_copy(st, "obj/a.png", "obj/a.png", &po, NULL), 0);
	CHECK_INT(bfs_store_head(st, "obj/a.png", &info), 0);
	CHECK_STR(bfs_obj_info_meta(&info, "mode"), "33261");
	CHECK(bfs_obj_info_meta(&info, "uid") == NULL);
	CHECK_INT(bfs_store_copy(st, "obj/none", "obj/c", NULL, NULL), BFS_E_NOTFOUND);

	/* an empty object */
	CHECK_INT(bfs_store_put_buf(st, "obj/empty", "", 0, NULL, NULL), 0);
	CHECK_INT(bfs_store_head(st, "obj/empty", &info), 0);
	CHECK_INT(info.size, 0);
	CHECK_STR(info.content_type, "application/octet-stream");
	bfs_buf_reset(&b);
	CHECK_INT(bfs_store_get_buf(st, "obj/empty", NULL, &b, NULL), 0);
	CHECK_INT(b.len, 0);

	/* a response over the caller's cap is an error, not a bigger buffer */
	{
		struct bfs_buf small = BFS_BUF_INIT(10);
		CHECK_INT(bfs_store_get_buf(st, "obj/a.png", NULL, &small, NULL), BFS_E_PROTO);
		bfs_buf_release(&small);
	}
	bfs_buf_release(&b);
}

static void test_multipart(struct bfs_store *st)
{
	size_t n = (12 << 20) + 12345, i;
	unsigned char *data = malloc(n), md5a[16], md5b[16];
	struct bfs_store_part parts[2];
	struct bfs_store_parts lp;
	struct bfs_obj_info info;
	char *uid = NULL, etag[BFS_ETAG_MAX];
	int fd, out;

	for (i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 7 + i / 4096);
	fd = tmpfile_with(data, n);
	CHECK(fd >= 0);
	/* above the 5 MiB threshold: 3 parts in parallel */
	CHECK_INT(bfs_store_put_fd(st, "mpu/big", fd, 0, n, NULL, etag), 0);
	CHECK(strstr(etag, "-3") != NULL);
	CHECK_INT(bfs_store_head(st, "mpu/big", &info), 0);
	CHECK_INT(info.size, n);
	CHECK_STR(info.etag, etag);
	out = tmpfile_with(NULL, 0);
	CHECK_INT(bfs_store_get_fd(st, "mpu/big", NULL, out, 0, NULL), 0);
	bfs_digest_fd(fd, 0, (off_t)n, md5a, NULL);
	CHECK_INT(bfs_digest_fd(out, 0, (off_t)n, md5b, NULL), 0);
	CHECK(memcmp(md5a, md5b, 16) == 0);
	close(out);

	/* the pieces: init, one part, list it, abort */
	CHECK_INT(bfs_store_mpu_init(st, "mpu/aborted", NULL, &uid), 0);
	CHECK(uid != NULL);
	CHECK_INT(bfs_store_mpu_part(st, "mpu/aborted", uid, 1, fd, 0, 5 << 20, parts[0].etag), 0);
	CHECK_INT(bfs_store_mpu_part(st, "mpu/aborted", uid, 2, fd, 5 << 20, 1000, parts[1].etag),
		  0);
	CHECK_INT(bfs_store_mpu_list_parts(st, "mpu/aborted", uid, &lp), 0);
	CHECK_INT(lp.nparts, 2);
	if (lp.nparts == 2) {
		CHECK_INT(lp.parts[0].number, 1);
		CHECK_INT(lp.parts[0].size, 5 << 20);
		CHECK_STR(lp.parts[0].etag, parts[0].etag);
		CHECK_INT(lp.parts[1].size, 1000);
	}
	bfs_store_parts_release(&lp);
	CHECK_INT(bfs_store_mpu_abort(st, "mpu/aborted", uid), 0);
	CHECK_INT(bfs_store_mpu_list_parts(st, "mpu/aborted", uid, &lp), BFS_E_NOTFOUND);
	CHECK_INT(bfs_store_head(st, "mpu/aborted", &info), BFS_E_NOTFOUND);
	free(uid);
	uid = NULL;

	/* complete with the parts we name */
	CHECK_INT(bfs_store_mpu_init(st, "mpu/manual", NULL, &uid), 0);
	parts[0].number = 1;
	parts[1].number = 2;
	CHECK_INT(bfs_store_mpu_part(st, "mpu/manual", uid, 1, fd, 0, 5 << 20, parts[0].etag), 0);
	CHECK_INT(bfs_store_mpu_part(st, "mpu/manual", uid, 2, fd, 5 << 20, 1000, parts[1].etag),
		  0);
	CHECK_INT(bfs_store_mpu_complete(st, "mpu/manual", uid, parts, 2, etag), 0);
	CHECK(strstr(etag, "-2") != NULL);
	CHECK_INT(bfs_store_head(st, "mpu/manual", &info), 0);
	CHECK_INT(info.size, (5 << 20) + 1000);
	free(uid);
	close(fd);
	free(data);
}

static void test_listing(struct bfs_store *st, int list_v1)
{
	struct bfs_listing l;
	char key[64], *token = NULL;
	size_t total = 0, prefixes = 0;
	int pages = 0, i, rc;

	for (i = 0; i < 25 && !list_v1; i++) {
		snprintf(key, sizeof(key), "list/f%02d", i);
		CHECK_INT(bfs_store_put_buf(st, key, "", 0, NULL, NULL), 0);
	}
	if (!list_v1) {
		CHECK_INT(bfs_store_put_buf(st, "list/sub/x", "", 0, NULL, NULL), 0);
		CHECK_INT(bfs_store_put_buf(st, "list/sub2/y", "", 0, NULL, NULL), 0);
	}
	/* 27 entries (25 keys, 2 prefixes) in pages of 10 */
	do {
		rc = bfs_store_list(st, "list/", "/", token, 10, &l);
		CHECK_INT(rc, 0);
		free(token);
		token = NULL;
		if (rc)
			break;
		pages++;
		total += l.nobjects;
		prefixes += l.nprefixes;
		if (l.truncated)
			token = strdup(l.next_token);
		bfs_listing_release(&l);
	} while (token && pages < 10);
	CHECK_INT(total, 25);
	CHECK_INT(prefixes, 2);
	CHECK_INT(pages, 3);
	/* a listing begun after a key (start-after; V1: marker): f10 .. f19 */
	CHECK_INT(bfs_store_list_after(st, "list/", "/", "list/f09", 10, &l), 0);
	CHECK_INT(l.nobjects, 10);
	CHECK_STR(l.nobjects ? l.objects[0].key : "", "list/f10");
	CHECK_STR(l.nobjects == 10 ? l.objects[9].key : "", "list/f19");
	CHECK_INT(l.truncated, 1);
	bfs_listing_release(&l);
	/* after the last file: only the two prefixes are left */
	CHECK_INT(bfs_store_list_after(st, "list/", "/", "list/f24", 10, &l), 0);
	CHECK_INT(l.nobjects, 0);
	CHECK_INT(l.nprefixes, 2);
	CHECK_INT(l.truncated, 0);
	bfs_listing_release(&l);
	/* no delimiter: everything below */
	CHECK_INT(bfs_store_list(st, "list/", NULL, NULL, 0, &l), 0);
	CHECK_INT(l.nobjects, 27);
	CHECK_INT(l.nprefixes, 0);
	bfs_listing_release(&l);
}

static void test_delete_many(struct bfs_store *st)
{
	const char *keys[3] = { "obj/a.png", "obj/b.png", "obj/none" };
	struct bfs_obj_info info;
	size_t failed = 99;

	CHECK_INT(bfs_store_delete_many(st, keys, 3, &failed), 0);
	CHECK_INT(failed, 0);
	CHECK_INT(bfs_store_head(st, "obj/a.png", &info), BFS_E_NOTFOUND);
	CHECK_INT(bfs_store_head(st, "obj/b.png", &info), BFS_E_NOTFOUND);
}

int main(void)
{
	struct bfs_creds *cr = bfs_creds_new();
	struct bfs_creds_opts co = { 0 };
	struct bfs_store_stats s;
	struct bfs_store *st, *vh, *v1;
	char msg[256];

	if (!getenv("RGW_ENDPOINT") || !getenv("BFS_IT_BUCKET") ||
	    bfs_creds_load(cr, &co, msg, sizeof(msg))) {
		fprintf(stderr, "needs RGW_ENDPOINT, BFS_IT_BUCKET and AWS_* credentials\n");
		return 2;
	}
	st = open_store(cr, 1, 0);
	test_objects(st);
	test_multipart(st);
	test_listing(st, 0);
	test_delete_many(st);
	bfs_store_get_stats(st, &s);
	CHECK(s.requests[BFS_OP_PUT] >= 30);
	CHECK(s.requests[BFS_OP_LIST] >= 4);
	CHECK(s.bytes_up >= (12 << 20));
	CHECK_INT(s.retries, 0);
	printf("requests: head %llu get %llu put %llu delete %llu list %llu post %llu copy %llu\n",
	       (unsigned long long)s.requests[BFS_OP_HEAD],
	       (unsigned long long)s.requests[BFS_OP_GET],
	       (unsigned long long)s.requests[BFS_OP_PUT],
	       (unsigned long long)s.requests[BFS_OP_DELETE],
	       (unsigned long long)s.requests[BFS_OP_LIST],
	       (unsigned long long)s.requests[BFS_OP_POST],
	       (unsigned long long)s.requests[BFS_OP_COPY]);
	bfs_store_close(st);

	/* virtual-hosted style: bucket.localhost:PORT (curl resolves *.localhost) */
	if (strstr(getenv("RGW_ENDPOINT"), "127.0.0.1")) {
		char ep[256];
		const char *port = strrchr(getenv("RGW_ENDPOINT"), ':');

		snprintf(ep, sizeof(ep), "http://localhost%s", port);
		setenv("RGW_ENDPOINT", ep, 1);
		vh = open_store(cr, 0, 0);
		CHECK_INT(bfs_store_check(vh), 0);
		CHECK_INT(bfs_store_put_buf(vh, "vhost/k", "v", 1, NULL, NULL), 0);
		bfs_store_close(vh);
	}
	v1 = open_store(cr, 1, 1);
	test_listing(v1, 1);
	bfs_store_close(v1);
	bfs_creds_free(cr);
	return check_done("store_it");
}
