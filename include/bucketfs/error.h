/* SPDX-License-Identifier: MIT */
/*
 * error.h - bucketfs error codes.
 *
 * Every function in bucketfs returns 0 (or a non-negative count) on success
 * and a negative code on failure.  A negative code is either -errno (ENOMEM,
 * EINVAL, EIO, ...) or one of the object-store codes below, which live under
 * errno space so both can travel through the same int.  The store decides an
 * object-store code once, from the HTTP status and the S3/OSS <Code>; the
 * filesystem layer turns one it reports into an errno where it logs it
 * (fs_store_errno), and the FUSE edge whatever is left (bfs_err_to_errno()).
 */
#ifndef BUCKETFS_ERROR_H
#define BUCKETFS_ERROR_H

enum bfs_err {
	BFS_E_FIRST = -10000,
	BFS_E_NOTFOUND,	   /* 404 NoSuchKey */
	BFS_E_NOBUCKET,	   /* 404 NoSuchBucket */
	BFS_E_DENIED,	   /* 403 AccessDenied, InvalidAccessKeyId, ... */
	BFS_E_SIGNATURE,   /* 403 SignatureDoesNotMatch */
	BFS_E_PRECOND,	   /* 412 PreconditionFailed */
	BFS_E_NOTMODIFIED, /* 304 for a conditional GET/HEAD */
	BFS_E_RANGE,	   /* 416 InvalidRange */
	BFS_E_BADREQ,	   /* any other 4xx: the request is wrong, no retry */
	BFS_E_THROTTLED,   /* 429, 503 SlowDown: retried, then reported */
	BFS_E_TRANSIENT,   /* 5xx, RequestTimeout, InternalError: retried */
	BFS_E_CONNECT,	   /* DNS or TCP connect failure */
	BFS_E_TIMEOUT,	   /* connect or transfer timeout */
	BFS_E_TLS,	   /* TLS handshake or certificate failure */
	BFS_E_INTEGRITY,   /* MD5/ETag/length mismatch on data */
	BFS_E_PROTO,	   /* malformed or oversized server response */
	BFS_E_CONFIG,	   /* bad option, URL or credentials file */
	BFS_E_UNREACHABLE, /* not sent: the endpoint is down (bfs_store_set_fail_fast) */
	BFS_E_LAST
};

/* Non-zero when err is one of the object-store codes above, zero for a
 * -errno (or success): the test every layer makes before translating. */
static inline int bfs_err_is_store(int err)
{
	return err > BFS_E_FIRST && err < BFS_E_LAST;
}

/* A short static description of err (an enum bfs_err or -errno).  Never NULL. */
const char *bfs_strerror(int err);

/*
 * The positive errno that best describes err, for replies to the kernel:
 * NOTFOUND/NOBUCKET -> ENOENT, DENIED/SIGNATURE -> EACCES, PRECOND -> ESTALE,
 * RANGE -> EINVAL, THROTTLED/TRANSIENT/CONNECT/TIMEOUT/TLS/INTEGRITY/PROTO
 * -> EIO, CONFIG -> EINVAL.  A -errno comes back as errno.
 */
int bfs_err_to_errno(int err);

/* Non-zero when a request that failed with err may succeed if retried. */
int bfs_err_retryable(int err);

#endif
