/* SPDX-License-Identifier: MIT */
/* test_negcache.c - paths recently found missing: expiry, forgetting, and a
 * full table that forgets early, never late. */
#include <stdio.h>

#include "../../src/negcache.h"
#include "check.h"

int main(void)
{
	static struct negcache n;  /* 96 KiB: not on the stack */
	char p[64];
	int i, kept = 0, wrong = 0;

	negcache_init(&n);
	CHECK_INT(negcache_has(&n, "/a", 0), 0);
	negcache_put(&n, "/a", 1000);
	CHECK_INT(negcache_has(&n, "/a", 999), 1);
	CHECK_INT(negcache_has(&n, "/a", 1000), 0);    /* expired */
	CHECK_INT(negcache_has(&n, "/b", 10), 0);
	CHECK_INT(negcache_has(&n, "/a/", 10), 0);     /* another path */
	negcache_forget(&n, "/a");
	CHECK_INT(negcache_has(&n, "/a", 10), 0);
	negcache_forget(&n, "/never");                  /* harmless */
	negcache_put(&n, "/a", 1000);
	negcache_put(&n, "/a", 500);                    /* the newer word counts */
	CHECK_INT(negcache_has(&n, "/a", 600), 0);
	/* Far more paths than slots: the last ones are all there, and no path
	 * that was never put is ever reported missing. */
	for (i = 0; i < 5 * NEGCACHE_SLOTS; i++) {
		snprintf(p, sizeof(p), "/images/t%d/%d.png", i / 4, i % 4);
		negcache_put(&n, p, 100);
	}
	for (i = 0; i < 5 * NEGCACHE_SLOTS; i++) {
		snprintf(p, sizeof(p), "/images/t%d/%d.png", i / 4, i % 4);
		kept += negcache_has(&n, p, 50);
		snprintf(p, sizeof(p), "/images/u%d/%d.png", i / 4, i % 4);
		wrong += negcache_has(&n, p, 50);
	}
	CHECK(kept > 0 && kept <= NEGCACHE_SLOTS);
	CHECK_INT(wrong, 0);
	snprintf(p, sizeof(p), "/images/t%d/%d.png", (5 * NEGCACHE_SLOTS - 1) / 4, 3);
	CHECK_INT(negcache_has(&n, p, 50), 1);          /* the latest is kept */
	negcache_destroy(&n);
	return check_done("negcache");
}
