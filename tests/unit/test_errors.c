/* SPDX-License-Identifier: MIT */
/* test_errors.c - HTTP status + S3 <Code> -> bucketfs error -> errno. */
#include <errno.h>
#include <string.h>

#include "bucketfs/error.h"
#include "../../src/store/store_int.h"
#include "check.h"

static const struct {
	long status;
	const char *code;
	int err;
	int errnum;
	int retry;
} cases[] = {
	{ 304, "", BFS_E_NOTMODIFIED, EIO, 0 },
	{ 400, "InvalidArgument", BFS_E_BADREQ, EIO, 0 },
	{ 400, "RequestTimeout", BFS_E_TRANSIENT, EIO, 1 },
	{ 400, "BadDigest", BFS_E_TRANSIENT, EIO, 1 }, /* changed on its way: send again */
	{ 400, "XAmzContentSHA256Mismatch", BFS_E_TRANSIENT, EIO, 1 },
	{ 400, "InvalidDigest", BFS_E_BADREQ, EIO, 0 }, /* a malformed Content-MD5 */
	{ 403, "SignatureDoesNotMatch", BFS_E_SIGNATURE, EACCES, 0 },
	{ 403, "InvalidAccessKeyId", BFS_E_DENIED, EACCES, 0 },
	{ 403, "AccessDenied", BFS_E_DENIED, EACCES, 0 },
	{ 403, "", BFS_E_DENIED, EACCES, 0 }, /* HEAD: no body */
	{ 404, "NoSuchKey", BFS_E_NOTFOUND, ENOENT, 0 },
	{ 404, "NoSuchBucket", BFS_E_NOBUCKET, ENOENT, 0 },
	{ 404, "", BFS_E_NOTFOUND, ENOENT, 0 },
	{ 409, "BucketNotEmpty", BFS_E_BADREQ, EIO, 0 },
	{ 412, "PreconditionFailed", BFS_E_PRECOND, ESTALE, 0 },
	{ 416, "InvalidRange", BFS_E_RANGE, EINVAL, 0 },
	{ 429, "", BFS_E_THROTTLED, EIO, 1 },
	{ 500, "InternalError", BFS_E_TRANSIENT, EIO, 1 },
	{ 502, "", BFS_E_TRANSIENT, EIO, 1 },
	{ 503, "SlowDown", BFS_E_THROTTLED, EIO, 1 },
	{ 503, "ServiceUnavailable", BFS_E_TRANSIENT, EIO, 1 },
	{ 200, "InternalError", BFS_E_TRANSIENT, EIO, 1 }, /* 200 carrying <Error> */
};

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = store_map_status(cases[i].status, cases[i].code);

		CHECK_INT(err, cases[i].err);
		CHECK_INT(bfs_err_to_errno(err), cases[i].errnum);
		CHECK_INT(bfs_err_retryable(err), cases[i].retry);
	}
	/* transport errors */
	CHECK_INT(bfs_err_retryable(BFS_E_CONNECT), 1);
	CHECK_INT(bfs_err_retryable(BFS_E_TIMEOUT), 1);
	CHECK_INT(bfs_err_retryable(BFS_E_TLS), 0);
	CHECK_INT(bfs_err_retryable(BFS_E_INTEGRITY), 0);
	CHECK_INT(bfs_err_to_errno(-ENOSPC), ENOSPC);
	CHECK_INT(bfs_err_to_errno(BFS_E_CONFIG), EINVAL);
	/* every code has a description */
	for (i = (size_t)(BFS_E_FIRST + 1); (int)i < BFS_E_LAST; i++)
		CHECK(strcmp(bfs_strerror((int)i), "unknown error") != 0);
	CHECK_STR(bfs_strerror(-ENOENT), strerror(ENOENT));
	return check_done("errors");
}
