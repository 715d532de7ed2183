/* SPDX-License-Identifier: MIT */
/* test_strv.c - the string array: append (a prefix of a string, the same
 * as the last one once), find, grow past its first block, free. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/util/strv.h"
#include "check.h"

int main(void)
{
	struct strv s = STRV_INIT;
	char buf[32];
	size_t i, alloc = 0;
	int *arr = NULL, *p, bad = 0;

	CHECK_INT(strv_has(&s, "a"), 0);
	CHECK_INT(strv_add(&s, "a/b/c", 3), 0); /* "a/b" */
	CHECK_INT(strv_add(&s, "a/bx", 3), 0);	/* "a/b" again: not added */
	CHECK_INT(s.n, 1);
	CHECK_STR(s.v[0], "a/b");
	CHECK_INT(strv_add(&s, "a/b/c", 5), 0);
	CHECK_INT(strv_add(&s, "a/b", 3), 0); /* the same as one before the last: added */
	CHECK_INT(s.n, 3);
	CHECK_INT(strv_has(&s, "a/b/c"), 1);
	CHECK_INT(strv_has(&s, "a/b/"), 0);
	for (i = 0; i < 100; i++) { /* past 16, 32 and 64 */
		snprintf(buf, sizeof(buf), "d%03zu", i);
		CHECK_INT(strv_add(&s, buf, strlen(buf)), 0);
	}
	CHECK_INT(s.n, 103);
	CHECK(s.alloc >= s.n);
	CHECK_STR(s.v[102], "d099");
	strv_free(&s);
	CHECK_INT(s.n, 0);
	CHECK(s.v == NULL);
	strv_free(&s); /* twice: harmless */

	/* bfs_grow on an array of ints: room for one more, contents kept */
	for (i = 0; i < 1000; i++) {
		p = bfs_grow(arr, i, &alloc, sizeof(*arr));
		CHECK(p != NULL);
		if (!p)
			break;
		arr = p;
		arr[i] = (int)i;
		CHECK(alloc > i);
	}
	for (i = 0; i < 1000; i++)
		bad += arr[i] != (int)i;
	CHECK_INT(bad, 0);
	CHECK_INT(alloc, 1024);
	free(arr);
	return check_done("strv");
}
