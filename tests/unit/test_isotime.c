/* SPDX-License-Identifier: MIT */
/* test_isotime.c - ISO 8601 times: the forms S3 listings and credential
 * services write, offsets only when asked for, and every malformed or
 * out-of-range field refused. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "bucketfs/isotime.h"
#include "check.h"

static int64_t parse(const char *s, int offsets)
{
	int64_t t = 0;

	return bfs_iso8601(s, strlen(s), offsets, &t) ? -1 : t;
}

int main(void)
{
	int64_t t = 7;

	CHECK(parse("1970-01-01T00:00:00Z", 0) == 0);
	CHECK(parse("2026-11-28T17:00:00Z", 0) == 1795885200LL);
	CHECK(parse("2026-11-28T17:00:00.123Z", 0) == 1795885200LL);
	CHECK(parse("2024-02-29T00:00:00Z", 0) == 1709164800LL); /* a leap day */
	CHECK(parse("2026-11-29T01:00:00+08:00", 1) == 1795885200LL);
	CHECK(parse("2026-11-28T12:30:00-04:30", 1) == 1795885200LL);
	CHECK(parse("2026-11-29T01:00:00+08:00", 0) == -1); /* offsets not asked for */
	CHECK(parse("2023-02-29T00:00:00Z", 0) == -1);	    /* no such day */
	CHECK(parse("2026-13-01T00:00:00Z", 0) == -1);
	CHECK(parse("2026-11-28T24:00:00Z", 0) == -1);
	CHECK(parse("1969-12-31T23:59:59Z", 0) == -1);
	CHECK(parse("2026-11-28T17:00:00.Z", 0) == -1); /* a dot, no digits */
	CHECK(parse("2026-11-28 17:00:00Z", 1) == -1);
	CHECK(parse("2026-11-28T17:00:00", 1) == -1);
	CHECK(parse("2026-11-28T17:00:00Zjunk", 1) == -1);
	CHECK(parse("2026-11-28T17:00:00+8:00", 1) == -1);
	CHECK(parse("2026-11-28T17:00:00+08:60", 1) == -1);
	CHECK(parse("2026-1x-28T17:00:00Z", 0) == -1);
	CHECK(parse("", 1) == -1);
	/* len counts: the same bytes cut short are refused, and *out is untouched */
	CHECK_INT(bfs_iso8601("2026-11-28T17:00:00Z", 19, 0, &t), -EINVAL);
	CHECK_INT(t, 7);
	CHECK_INT(bfs_iso8601(NULL, 0, 1, &t), -EINVAL);
	return check_done("test_isotime");
}
