/* SPDX-License-Identifier: MIT */
/* test_pathttl.c - paths recently found missing: expiry, forgetting, and a
 * full table that forgets early, never late. */
#include <stdio.h>

#include "../../src/util/pathttl.h"
#include "check.h"

int main(void)
{
	static struct pathttl n; /* 96 KiB: not on the stack */
	char p[64];
	int i, kept = 0, wrong = 0;

	pathttl_init(&n);
	CHECK_INT(pathttl_has(&n, "/a", 0), 0);
	pathttl_put(&n, "/a", 1000);
	CHECK_INT(pathttl_has(&n, "/a", 999), 1);
	CHECK_INT(pathttl_has(&n, "/a", 1000), 0); /* expired */
	CHECK_INT(pathttl_has(&n, "/b", 10), 0);
	CHECK_INT(pathttl_has(&n, "/a/", 10), 0); /* another path */
	pathttl_forget(&n, "/a");
	CHECK_INT(pathttl_has(&n, "/a", 10), 0);
	pathttl_forget(&n, "/never"); /* harmless */
	pathttl_put(&n, "/a", 1000);
	pathttl_put(&n, "/a", 500); /* the newer word counts */
	CHECK_INT(pathttl_has(&n, "/a", 600), 0);
	/* Far more paths than slots: the last ones are all there, and no path
	 * that was never put is ever reported missing. */
	for (i = 0; i < 5 * PATHTTL_SLOTS; i++) {
		snprintf(p, sizeof(p), "/images/t%d/%d.png", i / 4, i % 4);
		pathttl_put(&n, p, 100);
	}
	for (i = 0; i < 5 * PATHTTL_SLOTS; i++) {
		snprintf(p, sizeof(p), "/images/t%d/%d.png", i / 4, i % 4);
		kept += pathttl_has(&n, p, 50);
		snprintf(p, sizeof(p), "/images/u%d/%d.png", i / 4, i % 4);
		wrong += pathttl_has(&n, p, 50);
	}
	CHECK(kept > 0 && kept <= PATHTTL_SLOTS);
	CHECK_INT(wrong, 0);
	snprintf(p, sizeof(p), "/images/t%d/%d.png", (5 * PATHTTL_SLOTS - 1) / 4, 3);
	CHECK_INT(pathttl_has(&n, p, 50), 1); /* the latest is kept */
	pathttl_destroy(&n);
	return check_done("pathttl");
}
