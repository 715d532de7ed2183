/* SPDX-License-Identifier: MIT */
/*
 * store_int.h - what the store's own files (store.c, store_obj.c,
 * store_mpu.c) share.  Not part of the public API.
 */
#ifndef BUCKETFS_STORE_INT_H
#define BUCKETFS_STORE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "bucketfs/crypto.h"
#include "bucketfs/http.h"
#include "bucketfs/sigv4.h"
#include "bucketfs/store.h"

#define STORE_MAX_HEADERS 48
#define STORE_XML_MAX (8 * 1024 * 1024) /* cap on an XML answer */

/*
 * A backend: S3 over HTTP (store_s3_ops: store_s3.c, store_obj.c,
 * store_mpu.c) or a local directory (store_local_ops: store_local_ops.c).  The
 * public bfs_store_*() functions dispatch here; each has the contract of
 * its public twin in store.h.
 */
struct store_ops {
	int (*check)(struct bfs_store *st);
	int (*head)(struct bfs_store *st, const char *key, struct bfs_obj_info *info);
	/* optional: NULL means head + ETag comparison in store.c */
	int (*head_if)(struct bfs_store *st, const char *key, const char *if_none_match,
		       struct bfs_obj_info *info);
	int (*get_fd)(struct bfs_store *st, const char *key, const struct bfs_get_opts *o, int fd,
		      off_t fd_off, struct bfs_obj_info *info);
	int (*get_buf)(struct bfs_store *st, const char *key, const struct bfs_get_opts *o,
		       struct bfs_buf *out, struct bfs_obj_info *info);
	int (*put_fd)(struct bfs_store *st, const char *key, int fd, off_t off, uint64_t len,
		      const struct bfs_put_opts *o, char *etag);
	int (*put_buf)(struct bfs_store *st, const char *key, const void *data, size_t len,
		       const struct bfs_put_opts *o, char *etag);
	int (*delete)(struct bfs_store *st, const char *key);
	int (*delete_many)(struct bfs_store *st, const char *const *keys, size_t n,
			   size_t *nfailed);
	/* start_after: a key (S3's start-after); used when token is NULL */
	int (*list)(struct bfs_store *st, const char *prefix, const char *delimiter,
		    const char *token, const char *start_after, int max_keys,
		    struct bfs_listing *out);
	int (*copy)(struct bfs_store *st, const char *src, const char *dst,
		    const struct bfs_put_opts *o, char *etag);
	int (*mpu_init)(struct bfs_store *st, const char *key, const struct bfs_put_opts *o,
			char **upload_id);
	int (*mpu_part)(struct bfs_store *st, const char *key, const char *upload_id, int number,
			int fd, off_t off, uint64_t len, char *etag);
	int (*mpu_complete)(struct bfs_store *st, const char *key, const char *upload_id,
			    const struct bfs_store_part *parts, size_t n, char *etag);
	int (*mpu_abort)(struct bfs_store *st, const char *key, const char *upload_id);
	int (*mpu_list_parts)(struct bfs_store *st, const char *key, const char *upload_id,
			      struct bfs_store_parts *out);
	void (*close)(struct bfs_store *st); /* free the backend's own state */
};

extern const struct store_ops store_s3_ops;
extern const struct store_ops store_local_ops;

struct bfs_store {
	const struct store_ops *ops;
	struct bfs_store_cfg cfg; /* pointers below point into owned copies */
	char *bucket;
	char *region;
	char *scheme;			     /* "http" or "https" */
	char *hostport;			     /* "host[:port]" as in the URL */
	char *endpoint;			     /* scheme://hostport, for messages */
	char *acl;			     /* cfg.acl's copy, or NULL */
	const char *hp;			     /* header prefix: "x-amz-" or "x-oss-" */
	const char *signature_hdr_copy;	     /* x-amz-copy-source or x-oss-copy-source */
	const char *signature_hdr_directive; /* ...-metadata-directive */
	struct bfs_http *http;		     /* S3 backend */
	void *local;			     /* local backend's state (store_local.c) */
	_Atomic uint64_t requests[8];
	_Atomic uint64_t retries;
	_Atomic uint64_t bytes_up, bytes_down;
	_Atomic uint64_t lat_count[8][BFS_LAT_BUCKETS];
	_Atomic uint64_t lat_sum_us[8];
	_Atomic uint64_t errors[BFS_E_LAST - BFS_E_FIRST - 1];
	_Atomic uint64_t probes, probes_failed;
	/* reachability (store_health.c): under health_mu */
	pthread_mutex_t health_mu;
	struct bfs_store_health health;
	unsigned fails_in_row;
	int64_t row_start_ns;
	_Atomic int fail_fast;
};

/* Request headers we add and sign; names and values are owned (malloc'd). */
struct store_hdrs {
	char *name[STORE_MAX_HEADERS];
	char *value[STORE_MAX_HEADERS];
	size_t n;
};

void store_hdrs_release(struct store_hdrs *h);
/* Add "name: value" (value formatted).  Returns 0, -E2BIG or -ENOMEM. */
__attribute__((format(printf, 3, 4))) int store_hdr_add(struct store_hdrs *h, const char *name,
							const char *fmt, ...);
/* Add the put options' Content-Type, Cache-Control and x-amz-meta-* (x-oss-meta-*),
 * and the mount's canned ACL (store_hdrs_acl). */
int store_hdrs_put_opts(const struct bfs_store *st, struct store_hdrs *h,
			const struct bfs_put_opts *o);
/* Add x-amz-acl (x-oss-object-acl) when the store has a canned ACL. */
int store_hdrs_acl(const struct bfs_store *st, struct store_hdrs *h);

struct store_req {
	enum bfs_store_op op;
	const char *method;
	const char *key;	    /* NULL: the bucket itself */
	const struct bfs_kv *query; /* raw name/value; value "" for a bare name */
	size_t nquery;
	struct store_hdrs *hdrs; /* extra headers (may be NULL) */
	/* body: memory, fd range, or none */
	const void *body;
	int body_fd;
	off_t body_off;
	uint64_t body_len;
	const char *payload_sha256; /* hex; NULL = compute (memory) or empty body */
	/* 2xx response body sink */
	struct bfs_buf *resp_body;
	int resp_fd;
	off_t resp_off;	   /* < 0: sequential write() */
	uint64_t resp_len; /* body bytes asked for (a range), 0 = not known:
			    * the deadline's allowance */
	void (*on_body)(void *arg, const void *p, size_t n);
	void (*on_attempt)(void *arg); /* before each attempt: reset on_body's state */
	/* the final answer's headers are in: non-zero refuses it (http.h) */
	int (*on_headers)(void *arg, const struct bfs_http_resp *resp, char *why, size_t whysz);
	void (*on_stored)(void *arg, uint64_t bytes); /* body bytes in resp_fd (http.h) */
	/* an attempt failed after body bytes came: retry it?  (NULL: yes) */
	int (*may_retry)(void *arg);
	void *on_body_arg; /* the argument of the five callbacks */
};

/*
 * The deadline of one store call (request_timeout): when it started and
 * the bytes its attempts moved, per thread.  store_call_enter() starts a
 * call (saving the one the thread was in), store_call_leave() ends it.
 * store.c brackets each public operation; a store_request() outside any
 * call is a call of its own (a part of a multipart upload on a worker).
 */
struct store_call {
	int active;
	int probe;	  /* bfs_store_probe's: past the fail-fast, one attempt */
	int64_t start_ns; /* CLOCK_MONOTONIC */
	uint64_t carried; /* bytes sent and received by its attempts */
};
void store_call_enter(struct store_call *saved);
void store_call_leave(const struct store_call *saved);
/* The current call is a probe (bfs_store_probe). */
void store_call_probe(void);

/* Reachability (store_health.c): set up and free with the store; each
 * attempt's outcome (0 or its BFS_E_*, and the HTTP status, 0 when no
 * answer came); non-zero when a call of op must be
 * answered BFS_E_UNREACHABLE at once (fail-fast, an outage, no probe). */
void store_health_init(struct bfs_store *st);
void store_health_fini(struct bfs_store *st);
void store_health_note(struct bfs_store *st, int rc, long status);
int store_health_gate(struct bfs_store *st, enum bfs_store_op op, int probing);

/*
 * The digests of a PUT's body (store_obj.c), one hashing pass: its SHA-256
 * when the signature covers it (SigV4 without unsigned_payload: the server
 * refuses a body that does not match), its MD5 for Content-MD5 when the
 * signature does not (UNSIGNED-PAYLOAD, the OSS signatures), or with
 * content_md5 set.  The MD5, when made, is also what a plain-MD5 ETag
 * returned must equal.
 */
struct put_digest {
	int has_md5, has_sha;
	char md5b64[BFS_BASE64_LEN(BFS_MD5_LEN) + 1];
	char md5hex[2 * BFS_MD5_LEN + 1];
	char shahex[BFS_SHA256_HEX_LEN + 1];
};
int store_digest_fd(const struct bfs_store *st, int fd, off_t off, uint64_t len,
		    struct put_digest *d);
void store_digest_buf(const struct bfs_store *st, const void *data, size_t len,
		      struct put_digest *d);
/* Content-MD5 into h (when d has the MD5), and the payload hash rq signs
 * (d must outlive rq's use).  0 or -errno. */
int store_digest_apply(struct put_digest *d, struct store_hdrs *h, struct store_req *rq);
/* The body's MD5 as hex in d, made now if the plan left it out (a server
 * that returned no ETag).  fd < 0: from data. */
int store_digest_md5(struct put_digest *d, int fd, off_t off, const void *data, uint64_t len);

void store_req_init(struct store_req *r, enum bfs_store_op op, const char *method, const char *key);
/*
 * POST body (an XML document) to key (NULL: the bucket) with the query
 * given, as application/xml, with its Content-MD5 when with_md5 (S3's
 * DeleteObjects requires one); the answer's body in out (reset first).
 * 0 or a bfs_err.  (DeleteObjects, CompleteMultipartUpload.)
 */
int store_post_xml(struct bfs_store *st, const char *key, const struct bfs_kv *query, size_t nquery,
		   const struct bfs_buf *body, int with_md5, struct bfs_buf *out);

/*
 * Sign and send rq, retrying what is worth retrying.  On return resp holds
 * the last answer.  Returns 0 for a 2xx, else the mapped error (and the
 * thread's last error is set).
 */
int store_request(struct bfs_store *st, const struct store_req *rq, struct bfs_http_resp *resp);

/* Record a failure in the thread's last error (op, status, code, message). */
void store_set_error(const char *op, long status, const char *code, const char *message);

/* A key a PUT may name (-EINVAL, -EILSEQ with the last error set: not UTF-8). */
int store_put_key_ok(const char *key);
/* 0 when key (or a listing prefix) is valid UTF-8, as S3 keys are; else
 * -EILSEQ, with the error for op set (store_obj.c). */
int store_key_utf8(const char *op, const char *key);

/* The S3 backend's operations (store_obj.c, store_keys.c, store_mpu.c; the table: store_s3.c).
 * s3_put_fd sends one PUT whatever the size. */
int s3_check(struct bfs_store *st);
int s3_head(struct bfs_store *st, const char *key, struct bfs_obj_info *info);
int s3_head_if(struct bfs_store *st, const char *key, const char *if_none_match,
	       struct bfs_obj_info *info);
int s3_get_fd(struct bfs_store *st, const char *key, const struct bfs_get_opts *o, int fd,
	      off_t fd_off, struct bfs_obj_info *info);
int s3_get_buf(struct bfs_store *st, const char *key, const struct bfs_get_opts *o,
	       struct bfs_buf *out, struct bfs_obj_info *info);
int s3_put_fd(struct bfs_store *st, const char *key, int fd, off_t off, uint64_t len,
	      const struct bfs_put_opts *o, char *etag);
int s3_put_buf(struct bfs_store *st, const char *key, const void *data, size_t len,
	       const struct bfs_put_opts *o, char *etag);
int s3_delete(struct bfs_store *st, const char *key);
int s3_delete_many(struct bfs_store *st, const char *const *keys, size_t n, size_t *nfailed);
int s3_list(struct bfs_store *st, const char *prefix, const char *delimiter, const char *token,
	    const char *start_after, int max_keys, struct bfs_listing *out);
int s3_copy(struct bfs_store *st, const char *src, const char *dst, const struct bfs_put_opts *o,
	    char *etag);
int s3_mpu_init(struct bfs_store *st, const char *key, const struct bfs_put_opts *o,
		char **upload_id);
int s3_mpu_part(struct bfs_store *st, const char *key, const char *upload_id, int number, int fd,
		off_t off, uint64_t len, char *etag);
int s3_mpu_complete(struct bfs_store *st, const char *key, const char *upload_id,
		    const struct bfs_store_part *parts, size_t n, char *etag);
int s3_mpu_abort(struct bfs_store *st, const char *key, const char *upload_id);
int s3_mpu_list_parts(struct bfs_store *st, const char *key, const char *upload_id,
		      struct bfs_store_parts *out);

/*
 * Set up the local backend on cfg->local_root (store_local.c): st->ops and
 * st->local.  Returns 0 or BFS_E_CONFIG with msg set.
 */
int store_local_open(struct bfs_store *st, char *msg, size_t msgsz);

/* Upload len bytes of fd at off as a multipart upload (store_mpu.c). */
int store_mpu_put_fd(struct bfs_store *st, const char *key, int fd, off_t off, uint64_t len,
		     const struct bfs_put_opts *o, char *etag);

/* Fill info from response headers. */
void store_info_from_resp(const struct bfs_store *st, const struct bfs_http_resp *resp,
			  struct bfs_obj_info *info);

/*
 * The one place where an answer that is not 2xx becomes a bucketfs error:
 * HTTP status plus the S3 <Code> ("" when the answer had no body).
 */
int store_map_status(long status, const char *code);

/* Count a retry and sleep before attempt+1 (exponential, jittered). */
void store_backoff(struct bfs_store *st, int attempt);

/* Check a key: non-empty, at most 1024 bytes.  Sets the last error. */
int store_check_key(const char *key);

/* store_req.c, for store_presign.c: the request path of key ("/bucket/key"
 * in path style), the URL and Host of rq, and an x-amz-date value. */
int store_build_path(const struct bfs_store *st, const char *key, struct bfs_buf *path);
int store_build_url(const struct bfs_store *st, const struct store_req *rq, const char *path,
		    struct bfs_buf *url, struct bfs_buf *host);
void store_amzdate(char out[17]);

#endif
