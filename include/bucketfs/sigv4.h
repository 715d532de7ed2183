/* SPDX-License-Identifier: MIT */
/*
 * sigv4.h - AWS Signature Version 4 for the Authorization header.
 *
 * Pure computation: no clock, no network.  The caller passes the request as
 * it will be sent and the time as an ISO 8601 basic string, so the published
 * AWS test vectors can be reproduced exactly.  Nothing is kept between
 * calls and nothing is logged; every function is thread-safe.
 *
 * The path is signed as given, with no "." / ".." / "//" normalization:
 * S3 signs the key as it is (the AWS suite's normalize-path cases are for
 * other services).  Temporary credentials: add x-amz-security-token to
 * req->headers like any other header and it is signed with them.
 */
#ifndef BUCKETFS_SIGV4_H
#define BUCKETFS_SIGV4_H

#include <stddef.h>

#include "bucketfs/buf.h"

/* A name/value pair; neither is owned. */
struct bfs_kv {
	const char *name;
	const char *value;
};

struct bfs_sigv4_req {
	const char *method;	   /* "GET", "PUT", ... */
	const char *canonical_uri; /* path already percent-encoded once, e.g. "/b/a%20b" */
	const struct bfs_kv
	    *query; /* raw (not encoded) query parameters; value "" for a bare name */
	size_t nquery;
	const struct bfs_kv
	    *headers; /* headers to sign, as sent (any case, untrimmed); must include host */
	size_t nheaders;
	const char *payload_hash; /* hex SHA-256 of the body, or "UNSIGNED-PAYLOAD" */
};

struct bfs_sigv4_cred {
	const char *access_key;
	const char *secret_key;
	const char *region;  /* e.g. "us-east-1" */
	const char *service; /* "s3" */
};

/*
 * Sign req at amzdate ("YYYYMMDDTHHMMSSZ") and append the value of the
 * Authorization header ("AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
 * Signature=...") to auth.  When creq / sts are non-NULL the canonical
 * request and the string to sign are appended to them (for tests and
 * debugging; they contain no secret).  Header names are lower-cased and
 * sorted, values trimmed with inner runs of spaces and tabs collapsed to
 * one space, and the values of a repeated name joined by ',' in the order
 * given; query parameters are encoded (bfs_uri_encode, '/' as %2F) and
 * sorted by encoded name, then encoded value.  A NULL query value counts as
 * "".  The secret and the derived keys are wiped after use.
 *
 * Returns 0 or, with auth, creq and sts as they were:
 *   -EINVAL   amzdate not of the form above; req, cred or auth NULL; an
 *             empty method, canonical_uri or payload_hash, or one holding a
 *             space or control character (canonical_uri must already be
 *             encoded); nheaders 0, no host header, a header name that is
 *             not an HTTP token, a NULL header value or one holding CR or
 *             LF; a NULL query name; an empty access key, secret, region or
 *             service, or a '/' in the access key, region or service;
 *   -EMSGSIZE an output buffer's cap, or an internal one (256 KiB per
 *             intermediate string), was reached;
 *   -ENOMEM.
 */
int bfs_sigv4_sign(const struct bfs_sigv4_req *req, const struct bfs_sigv4_cred *cred,
		   const char *amzdate, struct bfs_buf *auth, struct bfs_buf *creq,
		   struct bfs_buf *sts);

/*
 * Build a presigned URL query (X-Amz-Algorithm ... X-Amz-Signature) for a
 * GET of canonical_uri valid for expires seconds, appended to out as
 * "X-Amz-Algorithm=...&...&X-Amz-Signature=<hex>" (already encoded).
 * host is the Host header value, the only signed header; the payload is
 * UNSIGNED-PAYLOAD, as the S3 documentation's query-parameter example.
 * session_token (NULL or "" for none) becomes X-Amz-Security-Token, signed
 * with the rest of the query, as botocore's S3SigV4QueryAuth does.
 * Returns 0 or, with out as it was, -EINVAL (as bfs_sigv4_sign(), or an
 * empty host, or expires outside 1..604800, the seven days S3 allows),
 * -EMSGSIZE or -ENOMEM.
 */
int bfs_sigv4_presign(const char *canonical_uri, const char *host,
		      const struct bfs_sigv4_cred *cred, const char *session_token,
		      const char *amzdate, long expires, struct bfs_buf *out);

/*
 * The common end of a signer (SigV4 here, OSS in osssig.c): rc is the result
 * of appending the Authorization value to auth (which held auth_len bytes
 * before); when it succeeded, the canonical request and string to sign
 * (creq_text, sts_text) are appended to creq and sts when those are
 * non-NULL.  On any failure auth, creq and sts are cut back to what they
 * held, so a caller never sees half a signature.  Returns rc or the
 * append's error.
 */
int bfs_sig_finish(int rc, struct bfs_buf *auth, size_t auth_len, struct bfs_buf *creq,
		   const struct bfs_buf *creq_text, struct bfs_buf *sts,
		   const struct bfs_buf *sts_text);

/*
 * The signing-key derivation SigV4 and OSS V4 share: HMAC-SHA256 keyed by
 * prefix+secret over the first 8 characters of date (YYYYMMDD), then over
 * region, service and terminator in turn ("AWS4", ..., "aws4_request";
 * OSS: "aliyun_v4", ..., "oss", "aliyun_v4_request").  The intermediate
 * keys are wiped.  Returns 0 or -ENOMEM.
 */
int bfs_sigv4_derive_key(const char *prefix, const char *secret, const char *date,
			 const char *region, const char *service, const char *terminator,
			 unsigned char key[32]);

#endif
