/* SPDX-License-Identifier: MIT */
/*
 * index_fill.c - grow a bucketfs cache directory to N cached files, fast,
 * for the index scale benchmark (tests/bench/index-scale.sh): the entries go
 * straight into the LMDB index (10,000 per transaction) as clean, whole,
 * cached copies of SIZE-byte objects, under /scale/dDDDD/fFFF.png (1,000
 * per directory, each directory listed); their data files are hard links
 * to a few identical files (LINKS_MAX each: ext4 allows 65,000 links), so
 * a million of them cost directory entries, not blocks.
 * The bucket must hold nothing under /scale (the mount is told, by a long
 * stat_ttl, to trust its cache): this measures the index, not the network.
 *
 *   bench_index_fill CACHE_DIR FROM TO [SIZE=4096]
 *
 * adds files FROM..TO-1 (so a cache can be grown in steps).  With SIZE 0,
 * names only, as listings leave them: /names/dDDDDD/fFFF.png, clean, no data,
 * last confirmed a day ago (what index_size= may forget).  Run it only
 * while no bucketfs uses CACHE_DIR.  Prints "filled N entries in S s".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/crypto.h"
#include "bucketfs/index.h"

#define PER_DIR 1000
#define PER_TXN 10000
#define LINKS_MAX 50000

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int mkdir_p(const char *p)
{
	return mkdir(p, 0700) < 0 && errno != EEXIST ? -errno : 0;
}

/* The cache directory's layout, as bucketfs makes it (src/fs/fs_open.c). */
static int make_layout(const char *cache)
{
	char p[4096];
	int i, rc;

	if ((rc = mkdir_p(cache)))
		return rc;
	snprintf(p, sizeof(p), "%s/index", cache);
	if ((rc = mkdir_p(p)))
		return rc;
	snprintf(p, sizeof(p), "%s/data", cache);
	if ((rc = mkdir_p(p)))
		return rc;
	for (i = 0; i < 256; i++) {
		snprintf(p, sizeof(p), "%s/data/%02x", cache, i);
		if ((rc = mkdir_p(p)))
			return rc;
	}
	return 0;
}

/* The data every entry's file holds (a new file, or one already there). */
static int write_proto(const char *path, const unsigned char *buf, uint64_t size)
{
	struct stat sb;
	int fd;

	if (stat(path, &sb) == 0 && (uint64_t)sb.st_size == size)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, size) != (ssize_t)size || close(fd) < 0) {
		fprintf(stderr, "bench_index_fill: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	return 0;
}

static void dir_entry(struct bfs_entry *e, int64_t now)
{
	bfs_entry_init(e);
	e->type = BFS_ENT_DIR;
	e->state = BFS_ST_CLEAN;
	e->mode = S_IFDIR | 0755;
	e->flags = BFS_EF_PROBED; /* (its marker looked for: its attributes are known) */
	e->mtime_ns = e->validated_ns = e->listed_ns = e->atime_ns = now;
}

/* Into batch *b (begun if need be): the directory of entry i when i
 * starts one (ROOT/dDDD..., WIDTH digits), then path with e; the batch committed every
 * PER_TXN entries and at the last one (to - 1). */
static int put_entry(struct bfs_index *ix, struct bfs_index_batch **b, const char *root,
		     int width, uint64_t i, uint64_t to, int64_t t, const char *path,
		     const struct bfs_entry *e)
{
	struct bfs_entry d;
	char p[64];
	int rc;

	if (!*b && (rc = bfs_index_batch_begin(ix, b)))
		return rc;
	if (i % PER_DIR == 0) {
		dir_entry(&d, t);
		snprintf(p, sizeof(p), "%s/d%0*" PRIu64, root, width, i / PER_DIR);
		if ((rc = bfs_index_batch_put(*b, p, &d)))
			return rc;
	}
	if ((rc = bfs_index_batch_put(*b, path, e)))
		return rc;
	if ((i + 1) % PER_TXN == 0 || i + 1 == to) {
		rc = bfs_index_batch_commit(*b);
		*b = NULL;
	}
	return rc;
}

/* Names only (SIZE 0): entries as a listing leaves them, seen at then. */
static int fill_names(struct bfs_index *ix, uint64_t from, uint64_t to, int64_t then)
{
	struct bfs_index_batch *b = NULL;
	struct bfs_entry e;
	char p[64];
	uint64_t i;
	int rc = 0;

	if (from == 0) {
		dir_entry(&e, then);
		rc = bfs_index_put(ix, "/names", &e);
	}
	for (i = from; i < to && !rc; i++) {
		bfs_entry_init(&e);
		e.type = BFS_ENT_FILE;
		e.state = BFS_ST_CLEAN;
		e.mode = S_IFREG;
		e.size = 1048576;
		e.mtime_ns = e.validated_ns = then;
		e.lastmod_s = then / 1000000000;
		snprintf(e.etag, sizeof(e.etag), "\"%032" PRIx64 "\"", i);
		snprintf(p, sizeof(p), "/names/d%06" PRIu64 "/f%03" PRIu64 ".png", i / PER_DIR,
			 i % PER_DIR);
		rc = put_entry(ix, &b, "/names", 6, i, to, then, p, &e);
	}
	if (b)
		bfs_index_batch_abort(b);
	return rc;
}

int main(int argc, char **argv)
{
	char proto[4200], p[4200], etag[2 * BFS_MD5_LEN + 1];
	unsigned char md5[BFS_MD5_LEN];
	struct bfs_index_batch *b = NULL;
	struct bfs_index *ix = NULL;
	struct bfs_entry e;
	uint64_t from, to, size, i = 0, id;
	int64_t now = now_ns();
	struct timespec t0, t1;
	unsigned char *buf;
	int rc = 0;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: bench_index_fill CACHE_DIR FROM TO [SIZE]\n");
		return 2;
	}
	from = strtoull(argv[2], NULL, 10);
	to = strtoull(argv[3], NULL, 10);
	size = argc > 4 ? strtoull(argv[4], NULL, 10) : 4096;
	if (to < from || size > (64u << 20)) {
		fprintf(stderr, "bench_index_fill: bad FROM/TO/SIZE\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = make_layout(argv[1]))) {
		fprintf(stderr, "bench_index_fill: %s: %s\n", argv[1], strerror(-rc));
		return 1;
	}
	/* the data all entries' files hold, and its MD5 (the ETag) */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 1;
	for (i = 0; i < size; i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	bfs_md5(buf, size, md5);
	bfs_hex(md5, sizeof(md5), etag);
	if (strlen(argv[1]) > 4000) {
		fprintf(stderr, "bench_index_fill: CACHE_DIR too long\n");
		free(buf);
		return 2;
	}
	snprintf(p, sizeof(p), "%s/index", argv[1]);
	rc = bfs_index_open(p, 0, &ix);
	if (rc) {
		fprintf(stderr, "bench_index_fill: cannot open the index: %d\n", rc);
		free(buf);
		return 1;
	}
	if (size == 0) {
		rc = fill_names(ix, from, to, now - 86400LL * 1000000000);
		goto done;
	}
	if (from == 0) {
		dir_entry(&e, now);
		rc = bfs_index_put(ix, "/scale", &e);
	}
	for (i = from; i < to && !rc; i++) {
		if ((rc = bfs_index_new_id(ix, &id)))
			break;
		/* the links of files K * LINKS_MAX on go to proto.K */
		snprintf(proto, sizeof(proto), "%s/proto.%" PRIu64, argv[1], i / LINKS_MAX);
		if ((i == from || i % LINKS_MAX == 0) && (rc = write_proto(proto, buf, size)))
			break;
		snprintf(p, sizeof(p), "%s/data/%02x/%" PRIu64, argv[1], (unsigned)(id & 0xff), id);
		if (link(proto, p) < 0) {
			rc = -errno;
			break;
		}
		bfs_entry_init(&e);
		e.type = BFS_ENT_FILE;
		e.state = BFS_ST_CLEAN;
		e.flags = BFS_EF_CACHED | BFS_EF_SEEN;
		e.mode = S_IFREG | 0644;
		e.size = e.cached_bytes = size;
		e.mtime_ns = e.validated_ns = e.atime_ns = now;
		memcpy(e.etag, etag, sizeof(etag));
		e.data_id = id;
		snprintf(p, sizeof(p), "/scale/d%05" PRIu64 "/f%03" PRIu64 ".png", i / PER_DIR,
			 i % PER_DIR);
		rc = put_entry(ix, &b, "/scale", 5, i, to, now, p, &e);
	}
	if (b)
		bfs_index_batch_abort(b);
done:
	free(buf);
	if (!rc)
		rc = bfs_index_sync(ix);
	bfs_index_close(ix);
	if (rc) {
		fprintf(stderr, "bench_index_fill: failed at entry %" PRIu64 ": %s\n", i,
			strerror(rc < 0 && rc > -4096 ? -rc : EIO));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("filled %" PRIu64 " entries in %.1f s\n", to - from,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
