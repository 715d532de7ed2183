/* SPDX-License-Identifier: MIT */
/* human.h - figures for people: "195.3 KiB" (bucketfsctl, the control socket). */
#ifndef BUCKETFS_HUMAN_H
#define BUCKETFS_HUMAN_H

#include <stddef.h>

/* bytes in binary units, one decimal from KiB up ("0 B", "1.5 MiB"), into out. */
void bfs_human_bytes(double bytes, char *out, size_t outsz);

#endif
