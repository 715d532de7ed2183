/* SPDX-License-Identifier: MIT */
/*
 * test_jrec.c - the journal record (jrec.h): round trips of a table of
 * records, the byte layout, what encode refuses, a newer version read by
 * this one, and damage of every kind refused (each truncation, each byte
 * flipped, trailing bytes, a wrong magic).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/crc32c.h"
#include "bucketfs/jrec.h"
#include "check.h"

static int rec_eq(const struct bfs_jrec *a, const struct bfs_jrec *b)
{
	return a->seq == b->seq && a->staged_id == b->staged_id && a->size == b->size &&
	       a->crc32c == b->crc32c && a->mode == b->mode && a->uid == b->uid &&
	       a->gid == b->gid && a->mtime_ns == b->mtime_ns && a->flags == b->flags &&
	       !strcmp(a->etag, b->etag) && !strcmp(a->path, b->path);
}

struct rcase {
	const char *name;
	uint64_t seq, staged_id, size;
	uint32_t crc, mode;
	int64_t mtime_ns;
	const char *etag, *path;
	int long_strings; /* fill etag and path to their longest */
};

static const struct rcase cases[] = {
	{ "plain", 1700000000123456789ULL, 42, 1048576, 0xE3069283, 0100644, 1700000000000000000LL,
	  "", "/a.png", 0 },
	{ "conditional", 1, UINT64_MAX, 0, 0, 0100600, -1, "0123456789abcdef0123456789abcdef",
	  "/images/t1/0.png", 0 },
	{ "multipart etag", UINT64_MAX, 7, UINT64_MAX, 0xffffffff, 0120777, INT64_MIN,
	  "9b2cf535f27731c974343645a3985328-3", "/dir with space/ünï\tcode", 0 },
	{ "longest", 3, 9, 5, 1, 0100644, 0, NULL, NULL, 1 },
};

static void fill(struct bfs_jrec *r, const struct rcase *c)
{
	memset(r, 0, sizeof(*r));
	r->seq = c->seq;
	r->staged_id = c->staged_id;
	r->size = c->size;
	r->crc32c = c->crc;
	r->mode = c->mode;
	r->uid = 1000;
	r->gid = 0xfffffffe;
	r->mtime_ns = c->mtime_ns;
	r->flags = 0x0009;
	if (c->long_strings) {
		memset(r->etag, 'e', sizeof(r->etag) - 1);
		memset(r->path, 'p', sizeof(r->path) - 1);
		r->path[0] = '/';
		return;
	}
	snprintf(r->etag, sizeof(r->etag), "%s", c->etag);
	snprintf(r->path, sizeof(r->path), "%s", c->path);
}

static void test_round_trips(void)
{
	static unsigned char buf[BFS_JREC_MAX], cut[BFS_JREC_MAX];
	struct bfs_jrec r, d;
	size_t i, n, len;
	int truncs = 0, flips = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fill(&r, &cases[i]);
		CHECK_INT(bfs_jrec_encode(&r, buf, sizeof(buf), &len), 0);
		CHECK_INT(len, 8 + BFS_JREC_FIXED + 2 + strlen(r.etag) + 2 + strlen(r.path) + 4);
		memset(&d, 0x55, sizeof(d));
		CHECK_INT(bfs_jrec_decode(buf, len, &d), 0);
		if (!rec_eq(&r, &d))
			fprintf(stderr, "round trip of %s differs\n", cases[i].name);
		CHECK(rec_eq(&r, &d));
		if (cases[i].long_strings) {
			CHECK_INT(len, BFS_JREC_MAX);
			CHECK_INT(bfs_jrec_encode(&r, buf, len - 1, &n), -ERANGE);
		}
		/* every truncation, and every byte flipped, is refused */
		for (n = 0; n < len; n++) {
			memcpy(cut, buf, n); /* exactly n bytes: valgrind sees overreads */
			truncs += bfs_jrec_decode(cut, n, &d) != -EIO;
			buf[n] ^= 0x01;
			flips += bfs_jrec_decode(buf, len, &d) != -EIO;
			buf[n] ^= 0x01;
		}
	}
	CHECK_INT(truncs, 0);
	CHECK_INT(flips, 0);
}

static void test_layout(void)
{
	static const unsigned char head[] = { 'B', 'F', 'S', 'J', 1, 0, BFS_JREC_FIXED,
					      0,   42,	0,   0,	  0, 0, 0,
					      0,   0, /* seq */
					      7,   0,	0,   0,	  0, 0, 0,
					      0 }; /* staged_id */
	unsigned char buf[BFS_JREC_MAX];
	struct bfs_jrec r;
	size_t len;

	fill(&r, &cases[0]);
	r.seq = 42;
	r.staged_id = 7;
	snprintf(r.path, sizeof(r.path), "/x");
	CHECK_INT(bfs_jrec_encode(&r, buf, sizeof(buf), &len), 0);
	CHECK(memcmp(buf, head, sizeof(head)) == 0);
	/* the path last, then the CRC of everything before it */
	CHECK(memcmp(buf + len - 8, "\x02\x00/x", 4) == 0);
	CHECK_INT((uint32_t)(buf[len - 4] | buf[len - 3] << 8 | buf[len - 2] << 16 |
			     (uint32_t)buf[len - 1] << 24),
		  bfs_crc32c(0, buf, len - 4));
}

static void test_refused(void)
{
	unsigned char buf[BFS_JREC_MAX];
	struct bfs_jrec r;
	size_t len;

	fill(&r, &cases[0]);
	snprintf(r.path, sizeof(r.path), "a.png");
	CHECK_INT(bfs_jrec_encode(&r, buf, sizeof(buf), &len), -EINVAL);
	fill(&r, &cases[0]);
	r.staged_id = 0;
	CHECK_INT(bfs_jrec_encode(&r, buf, sizeof(buf), &len), -EINVAL);
	fill(&r, &cases[0]);
	memset(r.etag, 'x', sizeof(r.etag));
	CHECK_INT(bfs_jrec_encode(&r, buf, sizeof(buf), &len), -EINVAL);
	fill(&r, &cases[0]);
	memset(r.path, '/', sizeof(r.path));
	CHECK_INT(bfs_jrec_encode(&r, buf, sizeof(buf), &len), -EINVAL);
	fill(&r, &cases[0]);
	CHECK_INT(bfs_jrec_encode(&r, buf, 10, &len), -ERANGE);
}

/* Rewrite the final CRC of the len-byte record at buf. */
static void reseal(unsigned char *buf, size_t len)
{
	uint32_t c = bfs_crc32c(0, buf, len - 4);

	buf[len - 4] = (unsigned char)c;
	buf[len - 3] = (unsigned char)(c >> 8);
	buf[len - 2] = (unsigned char)(c >> 16);
	buf[len - 1] = (unsigned char)(c >> 24);
}

/* A record of version v with extra fixed bytes and extra variable bytes. */
static size_t grown(unsigned char *out, unsigned v, size_t xfixed, size_t xtail)
{
	unsigned char buf[BFS_JREC_MAX];
	struct bfs_jrec r;
	size_t len, at = 8 + BFS_JREC_FIXED, strs;

	fill(&r, &cases[1]);
	(void)bfs_jrec_encode(&r, buf, sizeof(buf), &len);
	strs = len - 4 - at;
	memcpy(out, buf, at);
	out[4] = (unsigned char)v;
	out[6] = (unsigned char)(BFS_JREC_FIXED + xfixed);
	memset(out + at, 0xee, xfixed);
	memcpy(out + at + xfixed, buf + at, strs);
	memset(out + at + xfixed + strs, 0xdd, xtail);
	len = at + xfixed + strs + xtail + 4;
	reseal(out, len);
	return len;
}

static void test_versions(void)
{
	unsigned char buf[2 * BFS_JREC_MAX];
	struct bfs_jrec r, d;
	size_t len;

	fill(&r, &cases[1]);
	len = grown(buf, 2, 12, 9);
	CHECK_INT(bfs_jrec_decode(buf, len, &d), 0);
	CHECK(rec_eq(&r, &d));
	/* the same extras in a version-1 record: fixed bytes skipped, trailing refused */
	len = grown(buf, 1, 12, 0);
	CHECK_INT(bfs_jrec_decode(buf, len, &d), 0);
	len = grown(buf, 1, 0, 3);
	CHECK_INT(bfs_jrec_decode(buf, len, &d), -EIO);
	/* version 0; a fixed part shorter than version 1's; a wrong magic */
	len = grown(buf, 0, 0, 0);
	CHECK_INT(bfs_jrec_decode(buf, len, &d), -EIO);
	len = grown(buf, 1, 0, 0);
	buf[6] = BFS_JREC_FIXED - 4;
	reseal(buf, len);
	CHECK_INT(bfs_jrec_decode(buf, len, &d), -EIO);
	len = grown(buf, 1, 0, 0);
	buf[0] = 'X';
	reseal(buf, len);
	CHECK_INT(bfs_jrec_decode(buf, len, &d), -EIO);
	/* a path that is not absolute, sealed anew */
	len = grown(buf, 1, 0, 0);
	buf[len - 4 - strlen(r.path)] = 'x';
	reseal(buf, len);
	CHECK_INT(bfs_jrec_decode(buf, len, &d), -EIO);
}

int main(void)
{
	test_round_trips();
	test_layout();
	test_refused();
	test_versions();
	return check_done("jrec");
}
