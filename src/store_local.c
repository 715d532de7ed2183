/* SPDX-License-Identifier: MIT */
/* store_local.c - the file:DIR backend; not available in this build yet. */
#include <stdio.h>

#include "bucketfs/error.h"
#include "store_int.h"

int store_local_open(struct bfs_store *st, char *msg, size_t msgsz)
{
	(void)st;
	snprintf(msg, msgsz, "the file: store is not available in this build yet");
	return BFS_E_CONFIG;
}
