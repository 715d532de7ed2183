/* SPDX-License-Identifier: MIT */
/* range.c - the check of an answer to a ranged GET (see range.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bucketfs/error.h"
#include "bucketfs/range.h"

/* A decimal number at *p (no sign, no blank, at most 19 digits: fits). */
static int parse_dec(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t n = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9') {
		if (++digits > 19)
			return -EINVAL;
		n = n * 10 + (uint64_t)(*s - '0');
		s++;
	}
	if (!digits)
		return -EINVAL;
	*p = s;
	*out = n;
	return 0;
}

int bfs_content_range_parse(const char *s, uint64_t *start, uint64_t *end, uint64_t *total)
{
	const char *p = s;

	if (!s || strncmp(p, "bytes ", 6) != 0)
		return -EINVAL;
	p += 6;
	if (parse_dec(&p, start) || *p++ != '-' || parse_dec(&p, end) || *p++ != '/' ||
	    parse_dec(&p, total) || *p)
		return -EINVAL;
	if (*start > *end || *end >= *total)
		return -EINVAL;
	return 0;
}

static void asked(uint64_t off, uint64_t len, char *out, size_t outsz)
{
	if (len)
		snprintf(out, outsz, "bytes=%llu-%llu", (unsigned long long)off,
			 (unsigned long long)(off + len - 1));
	else
		snprintf(out, outsz, "bytes=%llu-", (unsigned long long)off);
}

static int check_200(uint64_t off, uint64_t len, int64_t clen, struct bfs_range_ans *ans, char *why,
		     size_t whysz)
{
	char a[64];

	ans->len = clen >= 0 ? (uint64_t)clen : 0;
	ans->total = clen >= 0 ? (uint64_t)clen : UINT64_MAX;
	if (!off && !len)
		return 0; /* no Range sent: the whole object is the answer */
	/* The whole object from byte 0 is what was asked only if the range
	 * started there and covered all of it. */
	if (!off && clen >= 0 && (!len || (uint64_t)clen <= len))
		return 0;
	asked(off, len, a, sizeof(a));
	if (clen >= 0)
		snprintf(why, whysz,
			 "the server ignored the Range: asked %s, answered 200 with %lld bytes "
			 "from the start",
			 a, (long long)clen);
	else
		snprintf(why, whysz,
			 "the server ignored the Range: asked %s, answered 200 from the start", a);
	return BFS_E_PROTO;
}

int bfs_range_check(uint64_t off, uint64_t len, long status, const char *content_range,
		    int64_t content_length, struct bfs_range_ans *ans, char *why, size_t whysz)
{
	uint64_t start, end, total, want_end;
	char a[64];

	if (status == 200)
		return check_200(off, len, content_length, ans, why, whysz);
	if (status != 206) {
		ans->len = content_length >= 0 ? (uint64_t)content_length : 0;
		ans->total = content_length >= 0 ? (uint64_t)content_length : UINT64_MAX;
		return 0;
	}
	asked(off, len, a, sizeof(a));
	if (bfs_content_range_parse(content_range, &start, &end, &total)) {
		snprintf(why, whysz,
			 "the server garbled the Range: asked %s, answered 206 with Content-Range "
			 "'%.80s'",
			 a, content_range ? content_range : "(none)");
		return BFS_E_PROTO;
	}
	want_end = total - 1;
	if (len && off + len - 1 < want_end)
		want_end = off + len - 1;
	if (start != off || end != want_end) {
		snprintf(
		    why, whysz,
		    "the server garbled the Range: asked %s, answered 206 with bytes %llu-%llu "
		    "of %llu",
		    a, (unsigned long long)start, (unsigned long long)end,
		    (unsigned long long)total);
		return BFS_E_PROTO;
	}
	if (content_length >= 0 && (uint64_t)content_length != end - start + 1) {
		snprintf(
		    why, whysz,
		    "the server garbled the Range: asked %s, answered 206 with bytes %llu-%llu "
		    "but a Content-Length of %lld",
		    a, (unsigned long long)start, (unsigned long long)end,
		    (long long)content_length);
		return BFS_E_PROTO;
	}
	ans->len = end - start + 1;
	ans->total = total;
	return 0;
}
