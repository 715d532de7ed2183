/* SPDX-License-Identifier: MIT */
/*
 * osssig.h - Aliyun OSS's own request signatures, V1 and V4.
 *
 * Pure computation like sigv4.h: no clock, no network; the caller passes
 * the request as it will be sent and the time, so vectors computed by
 * Aliyun's SDK (npm ali-oss, lib/common/signUtils.js) are reproduced
 * exactly (tests/oss/gen-vectors.js makes them).  Nothing is kept between
 * calls and nothing is logged; both functions are thread-safe.
 *
 * V1: Authorization: OSS <AccessKeyId>:<base64(HMAC-SHA1(secret, StringToSign))>
 *     StringToSign = VERB "\n" Content-MD5 "\n" Content-Type "\n" Date "\n"
 *                    CanonicalizedOSSHeaders CanonicalizedResource
 *     Content-MD5 and Content-Type as given ("" when absent; not trimmed,
 *     as ali-oss does); Date is the x-oss-date header, else the Date
 *     header, else the date argument; the x-oss-* headers lower-cased,
 *     sorted, values trimmed, "name:value\n"; the resource "/bucket/key"
 *     with the key NOT percent-encoded ("/bucket/" for the bucket, "/" for
 *     the service), then the query parameters that OSS counts as
 *     sub-resources (acl, uploads, uploadId, partNumber, delete, append,
 *     position, continuation-token, versionId, x-oss-process, the six
 *     response-* overrides, ... the list of Aliyun's documentation, by
 *     exact name) sorted, "?a&b=v", values not encoded either.  Other
 *     parameters (prefix, marker, max-keys, delimiter, list-type,
 *     encoding-type, key-marker, ...) are not signed by V1.
 * V4: Authorization: OSS4-HMAC-SHA256 Credential=<ak>/<yyyymmdd>/<region>/oss/
 *         aliyun_v4_request,[AdditionalHeaders=<h1;h2>,]Signature=<hex>
 *     (one line, no spaces after the commas, as ali-oss and the
 *     documentation's example).  Canonical request: VERB "\n" URI "\n" query "\n" headers
 *     "\n" additional "\n" x-oss-content-sha256, where URI is "/bucket/key"
 *     percent-encoded with '/' kept (a space is %20, '+' %2B, '~' stays,
 *     "//" stays); query is every parameter, name and value encoded ('/'
 *     as %2F), sorted by name, "a=v" or a bare "a", joined by '&'; headers
 *     are Content-Type, Content-MD5, every x-oss-* and the additional ones,
 *     lower-cased, sorted, values trimmed, each "name:value\n".  String to
 *     sign: "OSS4-HMAC-SHA256\n" ossdate "\n" scope "\n" hex(SHA-256(canonical
 *     request)); key: HMAC-SHA256 chain from "aliyun_v4" + secret over
 *     yyyymmdd, region, "oss", "aliyun_v4_request"; signature in hex.
 *
 * Where this differs from ali-oss, on purpose: V4 query names are sorted
 * by bytes, as the server and Aliyun's Go SDK do, where ali-oss uses
 * String.localeCompare() (the two disagree on names differing in case or
 * in '_' against '-', which no OSS parameter does); a query value "" is a
 * bare name in V4, where ali-oss would sign "a=" for an empty value it was
 * given outside its sub-resources.  Header values are trimmed of spaces and
 * tabs only (JavaScript's trim() also takes other Unicode white space).
 */
#ifndef BUCKETFS_OSSSIG_H
#define BUCKETFS_OSSSIG_H

#include <stddef.h>

#include "bucketfs/buf.h"
#include "bucketfs/sigv4.h" /* struct bfs_kv */

/*
 * A request as it will be sent.  Nothing is owned; every pointer need only
 * live for the call.  Query names must be non-empty and appear once;
 * header names are HTTP tokens in any case, values without control
 * characters but tab; a header that gets signed must appear once (any
 * case), others may repeat.
 */
struct bfs_oss_req {
	const char *method;	    /* "GET", "PUT", ...: ASCII letters, signed upper-cased */
	const char *bucket;	    /* "" for service-level requests; no '/' */
	const char *key;	    /* raw (not encoded) object key, "" for the bucket;
				       no leading '/', and only with a bucket */
	const struct bfs_kv *query; /* raw query parameters; value "" or NULL for a bare name */
	size_t nquery;
	const struct bfs_kv *headers; /* every header that will be sent (any case) */
	size_t nheaders;
};

struct bfs_oss_cred {
	const char *access_key; /* no spaces, ':', '/' or ',' */
	const char *secret_key; /* copies made while signing are wiped */
	const char *region;	/* V4: "cn-beijing" (not "oss-cn-beijing"); V1: unused */
};

/*
 * V1: append the Authorization header value ("OSS ak:sig") to auth, and
 * when sts is non-NULL the string to sign (for tests and debugging; it
 * holds no secret).  date is the Date value as sent (RFC 1123, e.g. "Wed,
 * 28 Dec 2022 10:27:41 GMT"); it may be NULL when the request has an
 * x-oss-date header (which ali-oss sends instead of Date, and which then
 * is the date signed) or a Date header; when given as well it must equal
 * that header's value.
 *
 * Returns 0 or, with auth and sts as they were:
 *   -EINVAL   req, cred or auth NULL; a method not all letters; a NULL
 *             bucket or key, a bucket with '/', a key with a leading '/'
 *             or without a bucket; a NULL, empty or repeated query name;
 *             nquery/nheaders non-zero with a NULL array; a header name
 *             that is not a token, a NULL header value or one with a
 *             control character; Content-MD5, Content-Type, x-oss-date,
 *             Date or an x-oss-* header given twice; no date at all, or a
 *             date argument unlike the header; an access key or secret as
 *             bfs_oss_cred forbids;
 *   -EMSGSIZE an output buffer's cap, or an internal one (256 KiB per
 *             intermediate string), was reached;
 *   -ENOMEM.
 */
int bfs_oss_sign_v1(const struct bfs_oss_req *req, const struct bfs_oss_cred *cred,
		    const char *date, struct bfs_buf *auth, struct bfs_buf *sts);

/*
 * A presigned GET URL's query in V1 query signing, as ali-oss's
 * signatureUrl() makes it: appends
 * "OSSAccessKeyId=AK&Expires=T&Signature=SIG[&security-token=TOKEN]"
 * (encoded) to out.  The string to sign is a V1 GET's with the Unix time
 * expires_at where the date goes, and the token (NULL or "" for none) as a
 * sub-resource.  key is raw, as in bfs_oss_req.  Returns 0 or, with out as
 * it was, -EINVAL (no bucket, expires_at < 1, or as bfs_oss_sign_v1()),
 * -EMSGSIZE, -ENOMEM.
 */
int bfs_oss_presign_v1(const char *bucket, const char *key, const struct bfs_oss_cred *cred,
		       const char *session_token, long long expires_at, struct bfs_buf *out);

/*
 * V4: append the Authorization header value to auth (and the canonical
 * request and string to sign to creq / sts when non-NULL; they hold no
 * secret).  ossdate is the x-oss-date value ("YYYYMMDDTHHMMSSZ"); the
 * request's headers must include x-oss-date, equal to it, and
 * x-oss-content-sha256 ("UNSIGNED-PAYLOAD" or the body's hex SHA-256),
 * whose value is the canonical request's last line.  additional (may be
 * NULL or empty) names extra headers to sign, ';'-separated ("host;range");
 * as ali-oss does, the names are lower-cased, sorted and deduplicated, and
 * Content-Type, Content-MD5 and x-oss-* ones dropped (they are signed
 * anyway); what is left is AdditionalHeaders (left out when nothing is).
 *
 * Returns 0 or, with auth, creq and sts as they were:
 *   -EINVAL   as bfs_oss_sign_v1() for req, cred and auth (but the date
 *             rules); ossdate not of the form above; no x-oss-date header
 *             or one unlike ossdate; no x-oss-content-sha256 header or one
 *             empty or holding a space; a NULL, empty or '/' holding
 *             region; an additional name that is empty ("a;;b", "a;") or
 *             not a token, or names a header the request lacks or gives
 *             twice;
 *   -EMSGSIZE, -ENOMEM as bfs_oss_sign_v1().
 */
int bfs_oss_sign_v4(const struct bfs_oss_req *req, const struct bfs_oss_cred *cred,
		    const char *ossdate, const char *additional, struct bfs_buf *auth,
		    struct bfs_buf *creq, struct bfs_buf *sts);

#endif
