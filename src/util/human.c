/* SPDX-License-Identifier: MIT */
/* human.c - figures for people (see human.h). */
#include <stdio.h>

#include "bucketfs/human.h"

void bfs_human_bytes(double v, char *out, size_t outsz)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(out, outsz, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}
