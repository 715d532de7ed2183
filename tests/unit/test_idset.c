/* SPDX-License-Identifier: MIT */
/* test_idset.c - the set of data file ids: add, find, grow, clear. */
#include <stdint.h>

#include "../../src/util/idset.h"
#include "check.h"

int main(void)
{
	struct idset s = IDSET_INIT;
	uint64_t i;
	int missing = 0, stray = 0;

	CHECK_INT(idset_has(&s, 1), 0);
	CHECK_INT(idset_add(&s, 0), 0); /* 0 is "no id": ignored */
	CHECK_INT(s.len, 0);
	CHECK_INT(idset_has(&s, 0), 0);
	/* Ids as the index hands them out (sequential) and spread ones; through
	 * several doublings of the table. */
	for (i = 1; i <= 5000; i++) {
		CHECK_INT(idset_add(&s, i), 0);
		CHECK_INT(idset_add(&s, i * 0x9e3779b97f4a7c15ULL), 0);
	}
	CHECK_INT(idset_add(&s, 77), 0); /* again: no duplicate */
	CHECK_INT(s.len, 10000);
	CHECK(s.cap >= 2 * s.len);
	for (i = 1; i <= 5000; i++) {
		missing += !idset_has(&s, i) || !idset_has(&s, i * 0x9e3779b97f4a7c15ULL);
		stray += idset_has(&s, i + 5000);
	}
	CHECK_INT(missing, 0);
	CHECK_INT(stray, 0);

	size_t cap = s.cap;
	idset_clear(&s);
	CHECK_INT(s.len, 0);
	CHECK_INT(s.cap, cap); /* the table is kept */
	CHECK_INT(idset_has(&s, 1), 0);
	CHECK_INT(idset_has(&s, 5000), 0);
	CHECK_INT(idset_add(&s, 5000), 0);
	CHECK_INT(idset_has(&s, 5000), 1);
	idset_free(&s);
	CHECK_INT(s.cap, 0);
	CHECK_INT(idset_has(&s, 5000), 0);
	idset_clear(&s); /* on an empty set: harmless */
	return check_done("idset");
}
