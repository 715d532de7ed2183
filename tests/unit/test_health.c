/* SPDX-License-Identifier: MIT */
/* test_health.c - the store's view of whether the endpoint answers
 * (store_health.c): which failures count as "not reached", that an outage
 * begins only after 3 of them in a row over 2 s (a blip the retries ride
 * out is none), that any answer ends it, and that during one the fail-fast
 * gate refuses reads (not writes, not the probe) and counts them.  No
 * request is sent: outcomes are reported as store_request would. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bucketfs/creds.h"
#include "bucketfs/error.h"
#include "bucketfs/store.h"
#include "check.h"
#include "store/store_int.h"

static struct bfs_store_health health(struct bfs_store *st)
{
	struct bfs_store_health h;

	bfs_store_get_health(st, &h);
	return h;
}

/* Pretend the current row of failures began ms ago. */
static void row_began(struct bfs_store *st, int64_t ms)
{
	st->row_start_ns -= ms * 1000000;
}

int main(void)
{
	struct bfs_creds *creds = bfs_creds_new();
	struct bfs_store_cfg cfg;
	struct bfs_store *st = NULL;
	struct bfs_store_health h;
	char msg[256];

	bfs_store_cfg_defaults(&cfg);
	cfg.endpoint = "http://127.0.0.1:9";
	cfg.bucket = "b";
	cfg.creds = creds;
	if (!creds || bfs_store_open(&cfg, &st, msg, sizeof(msg))) {
		fprintf(stderr, "cannot open a store: %s\n", msg);
		return 1;
	}
	h = health(st);
	CHECK_INT(h.up, 1);
	CHECK_INT(h.last_ok_ns, 0);

	/* a bucket's own errors are answers: never an outage */
	for (int i = 0; i < 10; i++) {
		store_health_note(st, BFS_E_TRANSIENT, 500);
		store_health_note(st, BFS_E_THROTTLED, 503);
		store_health_note(st, BFS_E_NOTFOUND, 404);
		row_began(st, 5000);
	}
	h = health(st);
	CHECK_INT(h.up, 1);
	CHECK(h.last_ok_ns > 0);

	/* three failures to reach it, but within 2 s: a blip, not an outage */
	store_health_note(st, BFS_E_CONNECT, 0);
	store_health_note(st, BFS_E_TRANSIENT, 0); /* closed without an answer */
	store_health_note(st, BFS_E_TRANSIENT, 502);
	CHECK_INT(health(st).up, 1);
	/* ... an answer breaks the row; two more failures later are no row */
	store_health_note(st, 0, 200);
	store_health_note(st, BFS_E_TIMEOUT, 0);
	row_began(st, 3000);
	store_health_note(st, BFS_E_TRANSIENT, 504);
	CHECK_INT(health(st).up, 1);
	/* the third, the row 3 s long: an outage, from the row's first failure */
	store_health_note(st, BFS_E_CONNECT, 0);
	h = health(st);
	CHECK_INT(h.up, 0);
	CHECK_INT(h.last_err, BFS_E_CONNECT);
	CHECK_INT(h.outages, 1);
	CHECK(h.down_since_ns > 0 && h.down_since_ns <= h.last_err_ns - 2900000000LL);

	/* fail-fast off (the default): every call makes its attempts */
	CHECK_INT(store_health_gate(st, BFS_OP_HEAD, 0), 0);
	bfs_store_set_fail_fast(st, 1);
	CHECK_INT(store_health_gate(st, BFS_OP_HEAD, 0), 1);
	CHECK_INT(store_health_gate(st, BFS_OP_GET, 0), 1);
	CHECK_INT(store_health_gate(st, BFS_OP_LIST, 0), 1);
	CHECK_INT(store_health_gate(st, BFS_OP_PUT, 0), 0);
	CHECK_INT(store_health_gate(st, BFS_OP_DELETE, 0), 0);
	CHECK_INT(store_health_gate(st, BFS_OP_COPY, 0), 0);
	CHECK_INT(store_health_gate(st, BFS_OP_POST, 0), 0);
	CHECK_INT(store_health_gate(st, BFS_OP_LIST, 1), 0); /* the probe */
	h = health(st);
	CHECK_INT(h.failed_fast, 3);
	CHECK_INT(h.outage_failed_fast, 3);

	/* the next answer (an upload's, a probe's) ends it */
	store_health_note(st, 0, 200);
	h = health(st);
	CHECK_INT(h.up, 1);
	CHECK_INT(h.down_since_ns, 0);
	CHECK(h.up_since_ns > 0);
	CHECK(h.last_outage_ns >= 2900000000LL);
	CHECK_INT(h.outage_failed_fast, 3); /* (the last outage's, until the next) */
	CHECK_INT(store_health_gate(st, BFS_OP_HEAD, 0), 0);

	/* a second outage counts afresh */
	store_health_note(st, BFS_E_TIMEOUT, 0);
	row_began(st, 2500);
	store_health_note(st, BFS_E_TIMEOUT, 0);
	store_health_note(st, BFS_E_TIMEOUT, 0);
	h = health(st);
	CHECK_INT(h.up, 0);
	CHECK_INT(h.outages, 2);
	CHECK_INT(h.outage_failed_fast, 0);
	CHECK_INT(store_health_gate(st, BFS_OP_GET, 0), 1);
	CHECK_INT(health(st).failed_fast, 4);
	CHECK_INT(bfs_err_to_errno(BFS_E_UNREACHABLE), 5 /* EIO */);
	bfs_store_close(st);
	bfs_creds_free(creds);
	return check_done("test_health");
}
