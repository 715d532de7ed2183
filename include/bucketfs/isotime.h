/* SPDX-License-Identifier: MIT */
/*
 * isotime.h - the one parser of ISO 8601 times off the network (S3
 * listings' LastModified, credential services' Expiration).
 */
#ifndef BUCKETFS_ISOTIME_H
#define BUCKETFS_ISOTIME_H

#include <stddef.h>
#include <stdint.h>

/*
 * The len bytes at s (no NUL needed) as seconds since the epoch, UTC:
 * "YYYY-MM-DDTHH:MM:SS", an optional fraction (".123": at least one digit,
 * dropped), then "Z" or, with offsets, "+HH:MM" or "-HH:MM"; nothing after.
 * Every field is checked (the day against its month; year 1970 or later).
 * Returns 0 with *out set, or -EINVAL.
 */
int bfs_iso8601(const char *s, size_t len, int offsets, int64_t *out);

#endif
