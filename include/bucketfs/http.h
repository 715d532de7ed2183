/* SPDX-License-Identifier: MIT */
/*
 * http.h - HTTP requests on libcurl (the only module that includes curl.h),
 * and URLs read by its URL API.
 *
 * One struct bfs_http is shared by every thread of a process.  It owns a
 * curl share handle, so DNS answers, TLS sessions and open connections are
 * reused across requests and threads, and a pool of easy handles: a request
 * takes one, resets it and gives it back, so no handle is ever used by two
 * threads at once and threads may come and go freely.  Request bodies are
 * read from memory or streamed from a file descriptor with pread(); response
 * bodies go to a bounded buffer or are streamed to a file descriptor with
 * pwrite(), so an object is never held whole in memory.
 *
 * This layer knows nothing of S3: it reports the HTTP status and transport
 * errors; retries and the meaning of a status belong to the store.
 */
#ifndef BUCKETFS_HTTP_H
#define BUCKETFS_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bucketfs/buf.h"

struct bfs_http;
struct bfs_http_resp;

struct bfs_http_opts {
	long connect_timeout_ms; /* TCP+TLS connect; 0 = 10 s */
	long stall_timeout_s;	 /* abort when less than 1 KiB moves in this long; 0 = 30 s */
	long request_timeout_s;	 /* whole request; 0 = none (large objects) */
	const char *ca_bundle;	 /* PEM file, NULL for the system store; copied */
	int insecure;		 /* skip TLS peer/host verification (never default) */
	int verbose;		 /* curl's verbose trace to stderr (no Authorization) */
};

/*
 * An absolute URL's parts, as libcurl reads them (http_url.c): each owned
 * (bfs_url_release frees them), NULL when absent; scheme lower case, host
 * as given (an IPv6 address in brackets), path at least "/".
 */
struct bfs_url {
	char *scheme, *user, *host, *port, *path, *query, *fragment;
};
/* 0; -EINVAL (not an absolute URL) or -ERANGE (a bad port number), with
 * libcurl's reason in why (may be NULL); or -ENOMEM. */
int bfs_url_parse(const char *url, struct bfs_url *u, char *why, size_t whysz);
void bfs_url_release(struct bfs_url *u);

/* Create the shared state.  Call after fork()/daemonize and before threads
 * use it.  Returns 0, -ENOMEM or BFS_E_CONFIG (curl init failed). */
int bfs_http_new(const struct bfs_http_opts *opts, struct bfs_http **out);

/* Free the shared state.  No thread may be inside bfs_http_perform(). */
void bfs_http_free(struct bfs_http *h);

struct bfs_http_req {
	const char *method;	    /* "GET", "HEAD", "PUT", "POST", "DELETE" */
	const char *url;	    /* fully encoded */
	const char *const *headers; /* "Name: value" lines, not owned */
	size_t nheaders;

	/* Request body: from memory (body != NULL), or from body_fd at
	 * body_off for body_len bytes (body_fd >= 0), or none. */
	const void *body;
	int body_fd;
	off_t body_off;
	uint64_t body_len;

	/* Response body of a 2xx answer: to resp_fd at resp_off with pwrite()
	 * (resp_fd >= 0), else appended to resp_body (may be NULL to drop it).
	 * A non-2xx body always goes to the response's error buffer instead. */
	struct bfs_buf *resp_body;
	int resp_fd;
	off_t resp_off; /* < 0: write() sequentially (pipes, stdout) */

	/* Called with every chunk of a 2xx body as it arrives (may be NULL),
	 * e.g. to digest it without reading it back. */
	void (*on_body)(void *arg, const void *p, size_t n);
	void *on_body_arg;

	/* Called once the headers of the final answer (status >= 200) are in
	 * (resp->status and resp->headers set), before any of its body (may
	 * be NULL).  A non-zero return (an error code) aborts the transfer:
	 * bfs_http_perform() returns it, with the text the callback wrote to
	 * why (whysz bytes) as resp->errmsg.  on_body_arg is its argument. */
	int (*on_headers)(void *arg, const struct bfs_http_resp *resp, char *why, size_t whysz);

	/* Called after each write of a 2xx body to resp_fd at resp_off >= 0,
	 * with the body bytes written so far (may be NULL): a reader of the
	 * file may take that many.  With it set, the first pieces go to the
	 * file sooner (32 KiB, then doubling up to the usual 256 KiB), so the
	 * first bytes can be read before the rest came.  on_body_arg is its
	 * argument. */
	void (*on_stored)(void *arg, uint64_t bytes);

	/* A deadline (CLOCK_MONOTONIC ns; 0: none): the transfer is cut with
	 * BFS_E_TIMEOUT once the clock passes deadline_ns plus
	 * deadline_ns_per_mib for each MiB moved (sent and received) past
	 * deadline_free_bytes.  Set by the store from request_timeout. */
	int64_t deadline_ns;
	int64_t deadline_ns_per_mib;
	uint64_t deadline_free_bytes;
};

/* Initialise a request: no headers, no body, no sinks (fds set to -1). */
void bfs_http_req_init(struct bfs_http_req *r, const char *method, const char *url);

struct bfs_http_resp {
	long status;		   /* 0 when no HTTP answer arrived */
	struct bfs_buf headers;	   /* raw header lines of the final answer, capped at 64 KiB */
	struct bfs_buf error_body; /* body of a non-2xx answer, capped at 64 KiB */
	uint64_t body_bytes;	   /* bytes of 2xx body delivered to the sink */
	uint64_t moved_bytes;	   /* bytes sent and received (bodies), whatever the status */
	char errmsg[256];	   /* transport error text, "" if none */
};

void bfs_http_resp_init(struct bfs_http_resp *r);
void bfs_http_resp_release(struct bfs_http_resp *r);

/*
 * Perform one request (no retries).  Returns 0 when an HTTP answer arrived
 * (whatever its status: see resp->status), or a transport error:
 * BFS_E_CONNECT (DNS, refused), BFS_E_TIMEOUT (connect, stall, deadline),
 * BFS_E_TLS, BFS_E_TRANSIENT (connection reset, short body), BFS_E_PROTO
 * (response over its cap, an answer that is not HTTP), on_headers' error,
 * -errno from the body fds, -ENOMEM.  resp must have been
 * initialised; it is reset first.  Thread-safe.
 */
int bfs_http_perform(struct bfs_http *h, const struct bfs_http_req *req,
		     struct bfs_http_resp *resp);

/*
 * Copy the value of response header name (case-insensitive, first match,
 * trimmed) into out (outsz bytes, truncated).  Returns the value length or
 * -ENOENT.
 */
int bfs_http_resp_header(const struct bfs_http_resp *r, const char *name, char *out, size_t outsz);

/*
 * Call fn for each response header whose name starts with prefix
 * (case-insensitive); name and value are NUL-terminated copies valid during
 * the call.  Stops and returns fn's value when it is non-zero.
 */
int bfs_http_resp_foreach(const struct bfs_http_resp *r, const char *prefix,
			  int (*fn)(void *arg, const char *name, const char *value), void *arg);

/* Parse an HTTP date (RFC 1123 and the older forms) to seconds since the
 * epoch, or -1 when it cannot be parsed. */
long long bfs_http_parse_date(const char *s);

#endif
