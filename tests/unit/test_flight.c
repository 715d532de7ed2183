/* SPDX-License-Identifier: MIT */
/* test_flight.c - one request for many: of 8 threads asking about one path
 * at once, one leads and the others wait for it; other paths lead on their
 * own; a full table lets callers ask alone. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "../../src/util/flight.h"
#include "check.h"

static struct flight fl;
static char one_path[] = "/images/t1";
static atomic_int leading, led, ended, waited, alone, overlap, early;

static void *asker(void *arg)
{
	const char *path = arg;
	int slot = flight_begin(&fl, path);

	if (slot >= 0) {
		if (atomic_fetch_add(&leading, 1) != 0)
			atomic_fetch_add(&overlap, 1); /* two leaders at once */
		atomic_fetch_add(&led, 1);
		usleep(100000); /* the request */
		atomic_fetch_sub(&leading, 1);
		atomic_fetch_add(&ended, 1);
		flight_end(&fl, slot);
	} else if (slot == FLIGHT_WAITED) {
		/* a leader has finished by now (not "none leads": a thread
		 * that came late may lead a new flight already) */
		if (atomic_load(&ended) == 0)
			atomic_fetch_add(&early, 1);
		atomic_fetch_add(&waited, 1);
	} else {
		atomic_fetch_add(&alone, 1);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[8];
	int slots[FLIGHT_SLOTS], i;
	char p[32];

	flight_init(&fl);
	/* 8 at once on one path: 1 leader, 7 wait for it */
	for (i = 0; i < 8; i++)
		CHECK_INT(pthread_create(&t[i], NULL, asker, one_path), 0);
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	CHECK_INT(atomic_load(&overlap), 0);
	CHECK_INT(atomic_load(&early), 0);
	CHECK(atomic_load(&led) >= 1);
	CHECK_INT(atomic_load(&led) + atomic_load(&waited), 8);
	CHECK(atomic_load(&waited) >= 1);
	CHECK_INT(atomic_load(&alone), 0);

	/* different paths do not wait for each other */
	CHECK((slots[0] = flight_begin(&fl, "/a")) >= 0);
	CHECK((slots[1] = flight_begin(&fl, "/b")) >= 0);
	CHECK(slots[0] != slots[1]);
	flight_end(&fl, slots[0]);
	flight_end(&fl, slots[1]);
	CHECK((slots[0] = flight_begin(&fl, "/a")) >= 0); /* free again */
	flight_end(&fl, slots[0]);

	/* a full table: the next caller asks alone, and ending a non-slot is harmless */
	for (i = 0; i < FLIGHT_SLOTS; i++) {
		snprintf(p, sizeof(p), "/f%d", i);
		slots[i] = flight_begin(&fl, p);
		CHECK(slots[i] >= 0);
	}
	CHECK_INT(flight_begin(&fl, "/one-more"), FLIGHT_ALONE);
	flight_end(&fl, FLIGHT_ALONE);
	flight_end(&fl, FLIGHT_WAITED);
	for (i = 0; i < FLIGHT_SLOTS; i++)
		flight_end(&fl, slots[i]);
	CHECK(flight_begin(&fl, "/one-more") >= 0);
	flight_destroy(&fl);
	return check_done("flight");
}
