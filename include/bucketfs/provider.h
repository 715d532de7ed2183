/* SPDX-License-Identifier: MIT */
/*
 * provider.h - presets for the object stores bucketfs is used with
 * (provider=aws|oss|cos|kodo|minio|ceph|s3): the endpoint a region implies,
 * the addressing style, the listing version and the signatures the service
 * accepts.  A preset only fills what the user did not set; what it cannot
 * accept (a signature the service does not speak, a missing endpoint) is
 * refused with a message saying what to set.
 */
#ifndef BUCKETFS_PROVIDER_H
#define BUCKETFS_PROVIDER_H

#include <stddef.h>
#include <stdio.h>

struct bfs_config;

/*
 * Apply c->provider (NULL: the generic S3 defaults, as before presets
 * existed) to c: endpoint, path_style, list_v1, signature, region.  Called
 * by bfs_config_finish() before the generic defaults.  Returns 0,
 * BFS_E_CONFIG with msg set, or -ENOMEM.
 */
int bfs_provider_apply(struct bfs_config *c, char *msg, size_t msgsz);

/* Print each provider with its defaults and an /etc/fstab line, for --help. */
void bfs_provider_help(FILE *out);

#endif
