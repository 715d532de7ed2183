/* SPDX-License-Identifier: MIT */
/*
 * store.h - the object-store client: signed S3 requests on one bucket.
 *
 * No FUSE and no file semantics here: keys, objects, metadata.  Every call is
 * thread-safe and may be made from many threads at once; connections, DNS and
 * TLS sessions are shared (http.h).  Requests that fail with a network error,
 * a 5xx, 429 or S3's SlowDown/RequestTimeout/InternalError are retried with
 * exponential backoff and full jitter; other 4xx answers are final.
 *
 * Errors: 0 on success, an enum bfs_err or -errno on failure (error.h).  The
 * server's own <Code>, <Message> and request id for the calling thread's last
 * failed request are kept in bfs_store_last_error().
 *
 * Deadline: each call (bfs_store_get_fd(), bfs_store_put_fd(), ...; each
 * part of a multipart upload on its own) fails with BFS_E_TIMEOUT, or the
 * error of its last attempt when that is what time ran out on, once it has
 * taken request_timeout_s plus one second per MiB of its bodies: the
 * larger of what it sends plus the range it asks for, and the bytes that
 * moved so far in all its attempts.  A transfer that keeps moving 1 MiB/s
 * is never cut; a server that trickles is, within request_timeout_s.
 *
 * Ranges: the answer to a ranged GET must be 206 with exactly the range
 * asked (range.h), or 200 with the whole object when off is 0 and the
 * range covered it; anything else is refused at its headers (BFS_E_PROTO,
 * its body not taken), and a body shorter than its Content-Range is
 * BFS_E_INTEGRITY (fetched again).
 *
 * Integrity: every PUT's body is hashed once, and the server refuses a body
 * changed in flight.  With SigV4 the signature covers the body's SHA-256
 * (x-amz-content-sha256), which the server checks; with -o unsigned_payload
 * (UNSIGNED-PAYLOAD, meant for https) and with the OSS signatures, which do
 * not cover the body, the PUT carries Content-MD5 instead, and the ETag of a
 * single-part PUT is checked against it.  -o content_md5 sends Content-MD5
 * with a signed SHA-256 too (two hashes).  A GET's body is checked against
 * Content-Length and, for a whole single-part object, against the MD5 in its
 * ETag.
 */
#ifndef BUCKETFS_STORE_H
#define BUCKETFS_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "bucketfs/buf.h"
#include "bucketfs/error.h"

struct bfs_creds;
struct bfs_store;

#define BFS_MAX_KEY 1024 /* bytes, S3's limit */
#define BFS_MAX_META 32	 /* user metadata entries kept per object */

#define BFS_MAX_DELETE 1000 /* keys per DeleteObjects (S3's limit) */
#define BFS_ETAG_MAX 128    /* an ETag's bytes, quotes stripped, with its NUL */

/*
 * A listing page, whichever backend and listing version gave it (the XML
 * parsers fill it, store/xml_list.c; the file: backend, store_local_list.c).
 * One object of it (<Contents>): key and size always, the rest may be
 * missing.
 */
struct bfs_listing_object {
	char *key;		 /* malloc'd, URL-decoded when the listing was;
				  * 1..BFS_MAX_KEY bytes, no NUL inside */
	uint64_t size;		 /* <= INT64_MAX */
	time_t mtime;		 /* LastModified, seconds since the epoch (UTC);
				  * 0 when missing */
	char etag[BFS_ETAG_MAX]; /* with quotes stripped; "" when missing */
};

/* The page (ListObjectsV2's <ListBucketResult>, or ListObjects V1). */
struct bfs_listing {
	struct bfs_listing_object *objects;
	size_t nobjects;
	char **prefixes; /* CommonPrefixes/Prefix, malloc'd, decoded */
	size_t nprefixes;
	int truncated;	  /* IsTruncated */
	char *next_token; /* V2: NextContinuationToken (verbatim);
			   * V1: NextMarker (decoded), or NULL;
			   * malloc'd, never "" */
};

/* Frees what a listing page holds and empties it (defined with the
 * parser, store/xml_list.c). */
void bfs_listing_release(struct bfs_listing *l);

/* One part of a multipart upload, as ListParts gives it or Complete sends
 * it, and a ListParts page (free with bfs_store_parts_release,
 * store/xml_docs.c). */
struct bfs_store_part {
	int number;
	uint64_t size;
	char etag[BFS_ETAG_MAX]; /* quotes stripped */
};

struct bfs_store_parts {
	struct bfs_store_part *parts;
	size_t nparts;
	int truncated;
	int next_marker;
};
void bfs_store_parts_release(struct bfs_store_parts *p);

/* How requests are signed. */
enum bfs_sig {
	BFS_SIG_V4 = 0, /* AWS Signature Version 4 (S3 and every S3-compatible API) */
	BFS_SIG_OSS_V1, /* Aliyun OSS "OSS ak:sig" (HMAC-SHA1) */
	BFS_SIG_OSS_V4, /* Aliyun OSS "OSS4-HMAC-SHA256" */
};

struct bfs_store_cfg {
	const char *local_root; /* non-NULL: the embedded default, a local directory
				 * as the bucket (see store_local.c); the S3 fields
				 * below are then unused */
	const char *endpoint;	/* "https://s3.amazonaws.com", "http://127.0.0.1:7480" */
	const char *bucket;
	const char *region;	 /* default "us-east-1" */
	int path_style;		 /* https://host/bucket/key instead of https://bucket.host/key */
	int signature;		 /* enum bfs_sig; the OSS ones also switch the header
				  * names to x-oss-* (metadata, token, copy source) */
	struct bfs_creds *creds; /* borrowed: must outlive the store; renewed (creds.h) */
	const char *ca_bundle;	 /* NULL = system store */
	int insecure;		 /* no TLS verification */
	int unsigned_payload;	 /* see above */
	int content_md5;	 /* Content-MD5 with a signed SHA-256 too (see above) */
	int list_v1;		 /* ListObjects V1 instead of V2 */
	int retries;		 /* attempts after the first; default 4 */
	long retry_base_ms;	 /* first backoff; default 200 ms, cap 10 s */
	long connect_timeout_ms; /* default 5000 */
	long stall_timeout_s;	 /* default 30: less than 1 KiB moved in this long
				  * cuts an attempt (retried) */
	long request_timeout_s;	 /* default 60, 0 = none: the deadline of one call
				  * (all its attempts, retries and backoff), plus
				  * 1 s per MiB of body (see below) */
	uint64_t multipart_threshold; /* bytes; default 64 MiB, min 5 MiB */
	uint64_t part_size;	      /* bytes; default 16 MiB, min 5 MiB */
	int parallel_parts;	      /* default 4 */
	int verbose;		      /* trace requests to stderr (credentials redacted) */
	const char *acl;	      /* canned ACL of every object written, copied and
				       * uploaded in parts (x-amz-acl; x-oss-object-acl in
				       * OSS's signatures); NULL: the bucket's default */
};

/* A canned ACL name S3 or OSS knows (public-read, private, ...): 1 or 0. */
int bfs_store_acl_known(const char *acl);

/* Fill cfg with the defaults above (pointers NULL). */
void bfs_store_cfg_defaults(struct bfs_store_cfg *cfg);

/*
 * Create a client.  Validates the endpoint URL and bucket name but sends no
 * request (see bfs_store_check()).  On failure writes a message naming the
 * problem into msg.  Returns 0, BFS_E_CONFIG or -ENOMEM.
 */
int bfs_store_open(const struct bfs_store_cfg *cfg, struct bfs_store **out, char *msg,
		   size_t msgsz);
void bfs_store_close(struct bfs_store *st);

/* The bucket name, the endpoint URL (normalised), for messages. */
const char *bfs_store_bucket(const struct bfs_store *st);
const char *bfs_store_endpoint(const struct bfs_store *st);

/* Details of the calling thread's last failed request ("" fields if none). */
struct bfs_store_error {
	long status;	   /* HTTP status, 0 for a transport error */
	char code[64];	   /* S3 <Code>, e.g. "SignatureDoesNotMatch" */
	char message[512]; /* S3 <Message> or the transport error */
	char request_id[128];
	char op[16]; /* "GET", "PUT", ... */
};
const struct bfs_store_error *bfs_store_last_error(void);

/*
 * A one-line explanation of err for a person, using the last error of this
 * thread: "the server rejected the credentials: SignatureDoesNotMatch (The
 * request signature we calculated does not match ...)".
 */
void bfs_store_describe(int err, char *out, size_t outsz);

/*
 * Is the endpoint answering?  Every attempt of a request tells
 * (store_health.c): any answer (2xx, 3xx, 4xx, a 500, a 503 SlowDown) is
 * the endpoint up; a failed connection, a timeout, a connection closed
 * without an answer, a gateway's 502 or 504 is a failure to reach it.
 * BFS_STORE_DOWN_AFTER such failures in a row, spanning at least
 * BFS_STORE_DOWN_AFTER_MS, and it is down (an outage) until an attempt gets
 * an answer again.  Times are CLOCK_REALTIME nanoseconds, 0 for never.  (A
 * local-directory store is always up.)
 */
#define BFS_STORE_DOWN_AFTER 3
#define BFS_STORE_DOWN_AFTER_MS 2000
struct bfs_store_health {
	int up;			     /* 0 during an outage */
	int last_err;		     /* BFS_E_* of the last failure to reach it, 0: none */
	int64_t last_ok_ns;	     /* the last answer */
	int64_t last_err_ns;	     /* the last failure to reach it */
	int64_t down_since_ns;	     /* the first failure of the current outage; 0 when up */
	int64_t up_since_ns;	     /* the answer that ended the last outage; 0 if none */
	int64_t last_outage_ns;	     /* how long that outage lasted */
	uint64_t outages;	     /* how many began since the store was opened */
	uint64_t failed_fast;	     /* reads answered BFS_E_UNREACHABLE without asking */
	uint64_t outage_failed_fast; /* of them, during the current (or last) outage */
};
void bfs_store_get_health(struct bfs_store *st, struct bfs_store_health *out);

/*
 * Fail fast during an outage (on: the daemon; off, the default: each call
 * makes its attempts): a HEAD, GET or LIST is then answered at once with
 * BFS_E_UNREACHABLE, not after its retries and timeouts, while an upload,
 * copy or delete still makes its attempts (each one also a test of the
 * endpoint).  bfs_store_probe() is how the outage is found to be over
 * without a reader waiting for it.
 */
void bfs_store_set_fail_fast(struct bfs_store *st, int on);

/*
 * One attempt, past the fail-fast and without retries, of the cheapest
 * request that proves the endpoint answers: a LIST of at most one key
 * below prefix (NULL: the bucket's top).  0, or a BFS_E_* / -errno.
 */
int bfs_store_probe(struct bfs_store *st, const char *prefix);

/* Upper bounds (seconds) of the request latency histogram's buckets; the
 * last bucket is everything slower. */
#define BFS_LAT_BUCKETS 12
extern const double bfs_lat_bounds[BFS_LAT_BUCKETS - 1];

/* Request counters (for tests and stats); all monotonically increasing. */
struct bfs_store_stats {
	uint64_t requests[8]; /* by enum bfs_store_op */
	uint64_t retries;
	uint64_t bytes_up, bytes_down;
	/* each attempt's time, by op: counts per bucket (not cumulative), sum */
	uint64_t lat_count[8][BFS_LAT_BUCKETS];
	uint64_t lat_sum_us[8];
	/* failed attempts by bucketfs error: errors[code - BFS_E_FIRST - 1] */
	uint64_t errors[BFS_E_LAST - BFS_E_FIRST - 1];
	/* bfs_store_probe's requests (counted above too), and those that failed
	 * (the only failed attempts never retried for want of an answer) */
	uint64_t probes, probes_failed;
};
enum bfs_store_op {
	BFS_OP_HEAD,
	BFS_OP_GET,
	BFS_OP_PUT,
	BFS_OP_DELETE,
	BFS_OP_LIST,
	BFS_OP_POST,
	BFS_OP_COPY,
	BFS_OP_OTHER
};
void bfs_store_get_stats(struct bfs_store *st, struct bfs_store_stats *out);

struct bfs_meta_kv {
	char name[128]; /* without the x-amz-meta- prefix, lower case */
	char value[1024];
};

/*
 * User metadata a PUT of bucketfs carries: "<size>:<CRC-32C of the whole
 * body, 8 hex digits>" (crc32c.h).  A GET of a whole object that has it
 * checks the body against it instead of against the ETag's MD5: the same
 * end-to-end check at a fraction of the CPU (the crc32 instruction), and
 * one that also covers multipart objects, whose ETag is no MD5 of the body.
 * A body that matches neither it nor an MD5 ETag is damaged; one that
 * matches an MD5 ETag but not it, or the same body twice (not damaged on
 * the way), is another tool's rewrite that kept the metadata: served, and
 * logged.
 */
#define BFS_META_CRC32C "bfs-crc32c"
void bfs_meta_crc32c_format(struct bfs_meta_kv *kv, uint64_t size, uint32_t crc);
/* 0 and *size, *crc when v is such a value, else -1. */
int bfs_meta_crc32c_parse(const char *v, uint64_t *size, uint32_t *crc);

/* What HEAD/GET tell about an object. */
struct bfs_obj_info {
	uint64_t size;		 /* whole object size */
	time_t mtime;		 /* Last-Modified */
	char etag[BFS_ETAG_MAX]; /* quotes stripped */
	char content_type[256];
	char cache_control[256];
	struct bfs_meta_kv meta[BFS_MAX_META];
	int nmeta;
	/* A GET from byte 0: the CRC-32C of the body's first crc_bytes bytes
	 * (all that came), so the caller need not read them back for it; and
	 * whether the body was checked end to end against the object (its MD5
	 * ETag or BFS_META_CRC32C).  0 for a HEAD and other ranges. */
	uint64_t crc_bytes;
	uint32_t crc32c;
	int checked;
};

/* Value of user metadata name in info, or NULL. */
const char *bfs_obj_info_meta(const struct bfs_obj_info *info, const char *name);

/*
 * Check the bucket is reachable with these credentials (HEAD bucket, then a
 * one-key listing when HEAD gives no reason).  Returns 0 or the error; use
 * bfs_store_describe() for the message.
 */
int bfs_store_check(struct bfs_store *st);

/* HEAD key.  Returns 0, BFS_E_NOTFOUND, ... */
int bfs_store_head(struct bfs_store *st, const char *key, struct bfs_obj_info *info);

/*
 * HEAD key unless its ETag is if_none_match: then BFS_E_NOTMODIFIED (a 304,
 * no body; info untouched).  info must not be NULL.
 */
int bfs_store_head_if(struct bfs_store *st, const char *key, const char *if_none_match,
		      struct bfs_obj_info *info);

struct bfs_get_opts {
	uint64_t off;		   /* first byte */
	uint64_t len;		   /* 0 = to the end */
	uint64_t expect_size;	   /* the whole object's size as the caller knows it
				    * (a HEAD before, pinned with if_match); 0 = not
				    * known.  An answer for another size: BFS_E_PROTO */
	const char *if_none_match; /* ETag (no quotes) -> BFS_E_NOTMODIFIED when equal */
	const char *if_match;	   /* ETag -> BFS_E_PRECOND when different */
	/* A GET whose file is read while it comes (bfs_store_get_fd only; any
	 * may be NULL).  on_headers: an answer was accepted, before its body:
	 * the object's attributes (no digest yet; again for each attempt).
	 * on_stored: the first bytes bytes are in the file.  may_retry: an
	 * attempt failed after body bytes came: may it be retried (they were
	 * not read, and are forgotten)?  0: the failure is the answer.  All on
	 * the calling thread, with hook_arg; a store without streaming (file:)
	 * calls none. */
	void (*on_headers)(void *arg, const struct bfs_obj_info *info);
	void (*on_stored)(void *arg, uint64_t bytes);
	int (*may_retry)(void *arg);
	void *hook_arg;
};

/*
 * GET key (or a range of it) into fd at fd_off with pwrite() (fd_off < 0: write() in
 * order, for pipes).  info (may be
 * NULL) receives the object's attributes; info->size is the whole object's
 * size even for a range.  On success exactly the bytes asked (len, clipped
 * to the object's end) were written.  Returns 0, BFS_E_NOTFOUND,
 * BFS_E_NOTMODIFIED, BFS_E_PRECOND, BFS_E_RANGE, BFS_E_INTEGRITY,
 * BFS_E_PROTO (a range the server ignored or garbled), BFS_E_TIMEOUT, ...
 */
int bfs_store_get_fd(struct bfs_store *st, const char *key, const struct bfs_get_opts *o, int fd,
		     off_t fd_off, struct bfs_obj_info *info);

/* The same into a buffer (its cap bounds the size; over it: BFS_E_PROTO). */
int bfs_store_get_buf(struct bfs_store *st, const char *key, const struct bfs_get_opts *o,
		      struct bfs_buf *out, struct bfs_obj_info *info);

struct bfs_put_opts {
	const char *content_type;	/* NULL = application/octet-stream */
	const char *cache_control;	/* NULL = none */
	const struct bfs_meta_kv *meta; /* user metadata, sent as x-amz-meta-NAME */
	int nmeta;
	int if_none_match_star; /* create only: BFS_E_PRECOND if the key exists */
	const char *if_match;	/* replace only this version (ETag): BFS_E_PRECOND
				 * if the object is another one or gone.  Atomic
				 * for a single PUT; for a multipart upload
				 * checked by a HEAD just before it */
};

/*
 * PUT len bytes of fd from off as key; above the multipart threshold as a
 * multipart upload with parts in parallel (aborted on failure).  etag (may
 * be NULL, BFS_ETAG_MAX bytes) receives the new ETag.
 */
int bfs_store_put_fd(struct bfs_store *st, const char *key, int fd, off_t off, uint64_t len,
		     const struct bfs_put_opts *o, char *etag);
int bfs_store_put_buf(struct bfs_store *st, const char *key, const void *data, size_t len,
		      const struct bfs_put_opts *o, char *etag);

/* DELETE key.  Deleting a missing key succeeds (S3 semantics). */
int bfs_store_delete(struct bfs_store *st, const char *key);

/*
 * DeleteObjects in batches of 1000.  *nfailed (may be NULL) counts keys the
 * server refused; the first refusal is in bfs_store_last_error().  Returns 0
 * when every key was deleted, BFS_E_BADREQ when some were refused, or the
 * request error.
 */
int bfs_store_delete_many(struct bfs_store *st, const char *const *keys, size_t n, size_t *nfailed);

/*
 * One page of a listing: keys under prefix (may be ""), rolled up at
 * delimiter (NULL = none), starting after token (NULL for the first page;
 * then out->next_token while out->truncated).  max_keys 0 = server default.
 * Keys come back decoded (encoding-type=url is always requested).
 */
int bfs_store_list(struct bfs_store *st, const char *prefix, const char *delimiter,
		   const char *token, int max_keys, struct bfs_listing *out);

/* The same, the first page starting after the key start_after (S3's
 * start-after, V1's marker): a listing begun in the middle.  Go on with
 * bfs_store_list and out->next_token. */
int bfs_store_list_after(struct bfs_store *st, const char *prefix, const char *delimiter,
			 const char *start_after, int max_keys, struct bfs_listing *out);

/*
 * Server-side copy src -> dst.  With o == NULL the metadata is copied
 * (x-amz-metadata-directive: COPY); otherwise replaced by o's.
 */
int bfs_store_copy(struct bfs_store *st, const char *src, const char *dst,
		   const struct bfs_put_opts *o, char *etag);

/* Multipart pieces (bfs_store_put_fd uses them; exposed for tests and tools). */
int bfs_store_mpu_init(struct bfs_store *st, const char *key, const struct bfs_put_opts *o,
		       char **upload_id);
int bfs_store_mpu_part(struct bfs_store *st, const char *key, const char *upload_id, int number,
		       int fd, off_t off, uint64_t len, char *etag);
int bfs_store_mpu_complete(struct bfs_store *st, const char *key, const char *upload_id,
			   const struct bfs_store_part *parts, size_t n, char *etag);
int bfs_store_mpu_abort(struct bfs_store *st, const char *key, const char *upload_id);
int bfs_store_mpu_list_parts(struct bfs_store *st, const char *key, const char *upload_id,
			     struct bfs_store_parts *out);

/*
 * A URL that lets anyone GET key for expires seconds (1..604800) without
 * credentials: SigV4 query signing, or OSS's V1 query signing in the OSS
 * signature modes (with the session token as security-token).  Appended to
 * url.  Returns 0, -ENOTSUP (the file: store; SigV4 with a session token)
 * or -EINVAL with msg set, or a bfs_buf error.
 */
int bfs_store_presign(struct bfs_store *st, const char *key, long expires, struct bfs_buf *url,
		      char *msg, size_t msgsz);

/* 1 when etag is a plain MD5 of the object's bytes (32 hex digits: a
 * single-part upload without SSE-KMS), else 0. */
int bfs_etag_is_md5(const char *etag);

#endif
