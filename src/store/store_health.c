/* SPDX-License-Identifier: MIT */
/*
 * store_health.c - is the endpoint answering?  store_request() reports
 * every attempt here (store_health_note); BFS_STORE_DOWN_AFTER failures to
 * reach the endpoint in a row, over BFS_STORE_DOWN_AFTER_MS at least, begin
 * an outage (a blip that the retries ride out does not), the next answer
 * ends it.  With fail-fast on, reads are answered at once during an outage
 * (store_health_gate), and bfs_store_probe() (store.c) is the one request
 * that gets through to find it over.  The state is under st->health_mu:
 * the attempts of every thread report, status and metrics read.
 */
#include <time.h>

#include "bucketfs/error.h"
#include "store/store_int.h"

static int64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void store_health_init(struct bfs_store *st)
{
	pthread_mutex_init(&st->health_mu, NULL);
	st->health.up = 1;
}

void store_health_fini(struct bfs_store *st)
{
	pthread_mutex_destroy(&st->health_mu);
}

/* A failure that says the bucket did not answer: no connection, no
 * answer in time, a connection closed without one (status 0), or a gateway
 * in front of it saying so (502, 504).  A 500 or a 503 is the bucket's own
 * answer: it is there (and a server failing only its PUTs still serves
 * reads). */
static int unreached(int rc, long status)
{
	return rc == BFS_E_CONNECT || rc == BFS_E_TIMEOUT ||
	       (rc == BFS_E_TRANSIENT && (status == 0 || status == 502 || status == 504));
}

void store_health_note(struct bfs_store *st, int rc, long status)
{
	struct bfs_store_health *h = &st->health;
	int64_t now = wall_ns();

	pthread_mutex_lock(&st->health_mu);
	if (!unreached(rc, status)) {
		h->last_ok_ns = now;
		st->fails_in_row = 0;
		if (!h->up) {
			h->up = 1;
			h->last_outage_ns = now - h->down_since_ns;
			h->down_since_ns = 0;
			h->up_since_ns = now;
		}
	} else {
		h->last_err = rc;
		h->last_err_ns = now;
		if (st->fails_in_row++ == 0)
			st->row_start_ns = now;
		if (h->up && st->fails_in_row >= BFS_STORE_DOWN_AFTER &&
		    now - st->row_start_ns >= BFS_STORE_DOWN_AFTER_MS * 1000000LL) {
			h->up = 0;
			h->down_since_ns = st->row_start_ns;
			h->outages++;
			h->outage_failed_fast = 0;
		}
	}
	pthread_mutex_unlock(&st->health_mu);
}

int store_health_gate(struct bfs_store *st, enum bfs_store_op op, int probing)
{
	int refuse;

	if (probing || !atomic_load(&st->fail_fast) ||
	    (op != BFS_OP_HEAD && op != BFS_OP_GET && op != BFS_OP_LIST))
		return 0;
	pthread_mutex_lock(&st->health_mu);
	refuse = !st->health.up;
	if (refuse) {
		st->health.failed_fast++;
		st->health.outage_failed_fast++;
	}
	pthread_mutex_unlock(&st->health_mu);
	return refuse;
}

void bfs_store_get_health(struct bfs_store *st, struct bfs_store_health *out)
{
	pthread_mutex_lock(&st->health_mu);
	*out = st->health;
	pthread_mutex_unlock(&st->health_mu);
}

void bfs_store_set_fail_fast(struct bfs_store *st, int on)
{
	atomic_store(&st->fail_fast, on);
}
