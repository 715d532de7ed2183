/* SPDX-License-Identifier: MIT */
/*
 * flight.h - one request for many callers asking the same thing at once.
 * When several threads are about to ask the bucket about one path (the
 * kernel revalidates a dentry in every walker that finds it expired, so 8
 * readers of one stale directory send as many lookups), the first leads
 * and the others wait for it to finish, then look at what it learned.  A
 * fixed table of FLIGHT_SLOTS slots keyed by a 64-bit hash of the path;
 * when it is full, or two paths share a hash, a caller simply asks on its
 * own (never wrong, only one request more).  Thread-safe (one mutex, a leaf
 * lock; waiting releases it).  Internal to the filesystem modules.
 */
#ifndef BUCKETFS_FLIGHT_H
#define BUCKETFS_FLIGHT_H

#include <pthread.h>
#include <stdint.h>

#define FLIGHT_SLOTS 64

struct flight {
	pthread_mutex_t mu;
	pthread_cond_t done;	     /* a slot was released */
	uint64_t hash[FLIGHT_SLOTS]; /* path hash of a leader at work; 0 free */
};

void flight_init(struct flight *f);
void flight_destroy(struct flight *f);

/*
 * Before asking the bucket about path.  Returns a slot number >= 0: the
 * caller leads and must call flight_end() with it when done (whatever the
 * outcome); FLIGHT_WAITED: another caller was asking about path and has
 * finished (look again at what is known; if that does not answer, ask
 * without calling flight_begin again); FLIGHT_ALONE: the table is full, ask
 * and do not call flight_end().
 */
#define FLIGHT_WAITED (-1)
#define FLIGHT_ALONE (-2)
int flight_begin(struct flight *f, const char *path);
void flight_end(struct flight *f, int slot);

#endif
