/* SPDX-License-Identifier: MIT */
/* flight.c - one request for many callers asking the same thing (see flight.h). */
#include "util/flight.h"
#include "util/pathttl.h"

void flight_init(struct flight *f)
{
	for (int i = 0; i < FLIGHT_SLOTS; i++)
		f->hash[i] = 0;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->done, NULL);
}

void flight_destroy(struct flight *f)
{
	pthread_cond_destroy(&f->done);
	pthread_mutex_destroy(&f->mu);
}

static int find(const struct flight *f, uint64_t h)
{
	for (int i = 0; i < FLIGHT_SLOTS; i++)
		if (f->hash[i] == h)
			return i;
	return -1;
}

int flight_begin(struct flight *f, const char *path)
{
	uint64_t h = pathttl_hash(path);
	int i, rc;

	pthread_mutex_lock(&f->mu);
	if (find(f, h) >= 0) {
		/* until no leader holds h (a new leader may have taken it
		 * meanwhile: its answer will be the fresher one) */
		while (find(f, h) >= 0)
			pthread_cond_wait(&f->done, &f->mu);
		rc = FLIGHT_WAITED;
	} else {
		i = find(f, 0);
		if (i >= 0)
			f->hash[i] = h;
		rc = i >= 0 ? i : FLIGHT_ALONE;
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

void flight_end(struct flight *f, int slot)
{
	if (slot < 0 || slot >= FLIGHT_SLOTS)
		return;
	pthread_mutex_lock(&f->mu);
	f->hash[slot] = 0;
	pthread_cond_broadcast(&f->done);
	pthread_mutex_unlock(&f->mu);
}
