/* SPDX-License-Identifier: MIT */
/* error.c - descriptions and errno mapping of bucketfs error codes. */
#include <errno.h>
#include <string.h>

#include "bucketfs/error.h"

static const char *const bfs_err_names[] = {
	[BFS_E_NOTFOUND - BFS_E_FIRST] = "no such object",
	[BFS_E_NOBUCKET - BFS_E_FIRST] = "no such bucket",
	[BFS_E_DENIED - BFS_E_FIRST] = "access denied",
	[BFS_E_SIGNATURE - BFS_E_FIRST] = "the server rejected the credentials",
	[BFS_E_PRECOND - BFS_E_FIRST] = "precondition failed (object changed)",
	[BFS_E_NOTMODIFIED - BFS_E_FIRST] = "not modified",
	[BFS_E_RANGE - BFS_E_FIRST] = "requested range not satisfiable",
	[BFS_E_BADREQ - BFS_E_FIRST] = "the server refused the request",
	[BFS_E_THROTTLED - BFS_E_FIRST] = "throttled by the server (slow down)",
	[BFS_E_TRANSIENT - BFS_E_FIRST] = "server error",
	[BFS_E_CONNECT - BFS_E_FIRST] = "cannot connect to the endpoint",
	[BFS_E_TIMEOUT - BFS_E_FIRST] = "the endpoint did not answer in time",
	[BFS_E_TLS - BFS_E_FIRST] = "TLS error",
	[BFS_E_INTEGRITY - BFS_E_FIRST] = "data integrity check failed",
	[BFS_E_PROTO - BFS_E_FIRST] = "malformed response from the server",
	[BFS_E_CONFIG - BFS_E_FIRST] = "invalid configuration",
	[BFS_E_UNREACHABLE - BFS_E_FIRST] = "the bucket is unreachable (not asked again yet)",
};

const char *bfs_strerror(int err)
{
	if (err > BFS_E_FIRST && err < BFS_E_LAST)
		return bfs_err_names[err - BFS_E_FIRST];
	if (err < 0 && err > -4096)
		return strerror(-err);
	return "unknown error";
}

int bfs_err_to_errno(int err)
{
	switch (err) {
	case BFS_E_NOTFOUND:
	case BFS_E_NOBUCKET:
		return ENOENT;
	case BFS_E_DENIED:
	case BFS_E_SIGNATURE:
		return EACCES;
	case BFS_E_PRECOND:
		return ESTALE;
	case BFS_E_RANGE:
	case BFS_E_CONFIG:
		return EINVAL;
	case BFS_E_BADREQ:
	case BFS_E_NOTMODIFIED:
	case BFS_E_THROTTLED:
	case BFS_E_TRANSIENT:
	case BFS_E_CONNECT:
	case BFS_E_TIMEOUT:
	case BFS_E_TLS:
	case BFS_E_INTEGRITY:
	case BFS_E_PROTO:
	case BFS_E_UNREACHABLE:
		return EIO;
	default:
		break;
	}
	if (err < 0 && err > -4096)
		return -err;
	return EIO;
}

int bfs_err_retryable(int err)
{
	switch (err) {
	case BFS_E_THROTTLED:
	case BFS_E_TRANSIENT:
	case BFS_E_CONNECT:
	case BFS_E_TIMEOUT:
		return 1;
	default:
		return 0;
	}
}
