/* SPDX-License-Identifier: MIT */
/* test_range.c - Content-Range parsing, and the check of an answer to a
 * ranged GET: 206 with exactly the range asked (clipped to the object), 200
 * only when the whole object from byte 0 is what was asked. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bucketfs/error.h"
#include "bucketfs/range.h"
#include "check.h"

static const struct parse_case {
	const char *s;
	int rc;
	uint64_t start, end, total;
} parse_cases[] = {
	{ "bytes 0-99/100", 0, 0, 99, 100 },
	{ "bytes 5-5/6", 0, 5, 5, 6 },
	{ "bytes 2097152-10485759/20971520", 0, 2097152, 10485759, 20971520 },
	{ "bytes 0-0/18446744073709551", 0, 0, 0, 18446744073709551ULL },
	{ "bytes 0-99/*", -EINVAL, 0, 0, 0 },	 /* the size must be known */
	{ "bytes */100", -EINVAL, 0, 0, 0 },	 /* a 416's form */
	{ "bytes 10-9/100", -EINVAL, 0, 0, 0 },	 /* backwards */
	{ "bytes 0-100/100", -EINVAL, 0, 0, 0 }, /* past the end */
	{ "bytes 0-99/0", -EINVAL, 0, 0, 0 },
	{ "bytes -1-99/100", -EINVAL, 0, 0, 0 },
	{ "bytes 0-99/100 ", -EINVAL, 0, 0, 0 }, /* trailing junk */
	{ "bytes 0 -99/100", -EINVAL, 0, 0, 0 },
	{ "bytes  0-99/100", -EINVAL, 0, 0, 0 },
	{ "items 0-99/100", -EINVAL, 0, 0, 0 },
	{ "bytes 0-99", -EINVAL, 0, 0, 0 },
	{ "bytes 0-99/12345678901234567890", -EINVAL, 0, 0, 0 }, /* over 19 digits */
	{ "", -EINVAL, 0, 0, 0 },
};

static const struct check_case {
	uint64_t off, len;
	long status;
	const char *crange;
	int64_t clen;
	int rc;
	uint64_t ans_len, ans_total;
	const char *why; /* a part of the message, for refusals */
} check_cases[] = {
	/* plain GETs: whatever 200 says */
	{ 0, 0, 200, NULL, 100, 0, 100, 100, NULL },
	{ 0, 0, 200, NULL, -1, 0, 0, UINT64_MAX, NULL },
	/* 206, exactly the range asked, or clipped to the object's end */
	{ 0, 100, 206, "bytes 0-99/1000", 100, 0, 100, 1000, NULL },
	{ 100, 100, 206, "bytes 100-199/1000", 100, 0, 100, 1000, NULL },
	{ 900, 200, 206, "bytes 900-999/1000", 100, 0, 100, 1000, NULL },
	{ 0, 2097152, 206, "bytes 0-399999/400000", 400000, 0, 400000, 400000, NULL },
	{ 500, 0, 206, "bytes 500-999/1000", -1, 0, 500, 1000, NULL },
	{ 0, 100, 206, "bytes 0-99/1000", -1, 0, 100, 1000, NULL },
	/* 200 to a range: only the whole object from 0, within what was asked */
	{ 0, 2097152, 200, NULL, 400000, 0, 400000, 400000, NULL },
	{ 0, 100, 200, NULL, 100, 0, 100, 100, NULL },
	{ 0, 2097152, 200, NULL, 0, 0, 0, 0, NULL }, /* an empty object */
	{ 0, 100, 200, NULL, 101, BFS_E_PROTO, 0, 0, "ignored the Range" },
	{ 2097152, 8388608, 200, NULL, 20971520, BFS_E_PROTO, 0, 0,
	  "asked bytes=2097152-10485759, answered 200 with 20971520 bytes" },
	{ 0, 100, 200, NULL, -1, BFS_E_PROTO, 0, 0, "ignored the Range" },
	{ 10, 0, 200, NULL, 100, BFS_E_PROTO, 0, 0, "asked bytes=10-," },
	/* 206 for other bytes, fewer bytes, or with a bad Content-Range */
	{ 0, 100, 206, "bytes 0-49/1000", 50, BFS_E_PROTO, 0, 0, "bytes 0-49 of 1000" },
	{ 100, 100, 206, "bytes 0-99/1000", 100, BFS_E_PROTO, 0, 0, "garbled the Range" },
	{ 0, 100, 206, "bytes 0-99/1000", 50, BFS_E_PROTO, 0, 0, "Content-Length of 50" },
	{ 0, 100, 206, "bytes 0-99/50", 100, BFS_E_PROTO, 0, 0, "garbled the Range" },
	{ 0, 100, 206, "bytes 0-99/*", 100, BFS_E_PROTO, 0, 0, "Content-Range 'bytes 0-99/*'" },
	{ 0, 100, 206, NULL, 100, BFS_E_PROTO, 0, 0, "Content-Range '(none)'" },
	{ 0, 0, 206, "bytes 0-99/1000", 100, BFS_E_PROTO, 0, 0, "garbled" }, /* not asked */
	{ 0, 0, 206, "bytes 0-999/1000", 1000, 0, 1000, 1000, NULL },
	{ 500, 0, 206, "bytes 500-998/1000", -1, BFS_E_PROTO, 0, 0, "garbled" },
	/* other statuses: the caller's business */
	{ 0, 100, 204, NULL, 0, 0, 0, 0, NULL },
};

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		uint64_t s = 7, e = 7, t = 7;
		int rc = bfs_content_range_parse(c->s, &s, &e, &t);

		if (rc != c->rc)
			fprintf(stderr, "parse case %zu: '%s'\n", i, c->s);
		CHECK_INT(rc, c->rc);
		if (!rc && !c->rc) {
			CHECK(s == c->start);
			CHECK(e == c->end);
			CHECK(t == c->total);
		}
	}
	CHECK_INT(bfs_content_range_parse(NULL, NULL, NULL, NULL), -EINVAL);

	for (i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		const struct check_case *c = &check_cases[i];
		struct bfs_range_ans ans = { 7, 7 };
		char why[256] = "";
		int rc = bfs_range_check(c->off, c->len, c->status, c->crange, c->clen, &ans, why,
					 sizeof(why));

		if (rc != c->rc || (c->why && !strstr(why, c->why)))
			fprintf(stderr, "check case %zu: rc %d, why '%s'\n", i, rc, why);
		CHECK_INT(rc, c->rc);
		if (c->why)
			CHECK(strstr(why, c->why) != NULL);
		if (!rc && !c->rc) {
			CHECK(ans.len == c->ans_len);
			CHECK(ans.total == c->ans_total);
		}
	}
	return check_done("test_range");
}
