/* SPDX-License-Identifier: MIT */
/*
 * http.c - HTTP on libcurl (see http.h).
 *
 * DESIGN: one share handle (DNS, TLS sessions, connections) guarded by one
 * mutex per curl_lock_data; a stack of idle easy handles guarded by
 * pool_lock.  bfs_http_perform() pops a handle (or makes one), configures it
 * from scratch, performs, and pushes it back, so connection reuse survives
 * between requests and no handle is shared between threads.  Transfer state
 * lives in a struct xfer on the caller's stack.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "bucketfs/error.h"
#include "bucketfs/http.h"

#define HTTP_POOL_MAX 32
#define HTTP_CONNS_MAX 32
#define HTTP_FILE_BUFFER ((size_t)256 * 1024) /* curl's receive buffer for bodies to files */
#define HTTP_FILE_FIRST ((size_t)32 * 1024)   /* the first write of one a reader waits for */
/* Progress, for stall_timeout: at least this many bytes moved.  A byte now
 * and then is no progress: a server that trickles (1 byte every 2 s) would
 * otherwise hold a transfer for as long as it likes. */
#define HTTP_STALL_MIN_BYTES 1024

struct bfs_http {
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock; /* guards pool, npool */
	CURL *pool[HTTP_POOL_MAX];
	int npool;
	struct bfs_http_opts opts;
	char *ca_bundle; /* owned copy of opts.ca_bundle */
};

struct xfer {
	const struct bfs_http_req *req;
	struct bfs_http_resp *resp;
	CURL *easy;
	uint64_t rpos;	   /* request body bytes handed to curl */
	int err;	   /* our own error, wins over curl's */
	const char *why;   /* its text, for errmsg (static, or why_buf) */
	char why_buf[192]; /* on_headers' text */
	int64_t stall_ns;  /* opts.stall_timeout_s */
	curl_off_t moved;  /* bytes sent and received at the last mark, */
	int64_t moved_ns;  /* and when (0: not yet): the stall clock */
	/* A body bound for a file at an offset is written in pieces of
	 * HTTP_FILE_BUFFER: curl hands it over 16 KiB at a time whatever its
	 * receive buffer, and those pwrite calls were a quarter of the
	 * daemon's CPU in a cold read (ext4's work per call).  wbuf holds
	 * wlen bytes to go at body offset wpos. */
	char *wbuf;
	size_t wlen;
	uint64_t wpos;
};

static pthread_once_t http_global_once = PTHREAD_ONCE_INIT;
static CURLcode http_global_rc = CURLE_OK;

static void http_global_init(void)
{
	http_global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *e, curl_lock_data d, curl_lock_access a, void *arg)
{
	struct bfs_http *h = arg;

	(void)e;
	(void)a;
	pthread_mutex_lock(&h->share_locks[d]);
}

static void share_unlock(CURL *e, curl_lock_data d, void *arg)
{
	struct bfs_http *h = arg;

	(void)e;
	pthread_mutex_unlock(&h->share_locks[d]);
}

int bfs_http_new(const struct bfs_http_opts *opts, struct bfs_http **out)
{
	struct bfs_http *h;
	int i;

	pthread_once(&http_global_once, http_global_init);
	if (http_global_rc != CURLE_OK)
		return BFS_E_CONFIG;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->opts = *opts;
	if (opts->ca_bundle) {
		h->ca_bundle = strdup(opts->ca_bundle);
		if (!h->ca_bundle)
			goto out_free;
	}
	h->opts.ca_bundle = h->ca_bundle;
	if (!h->opts.connect_timeout_ms)
		h->opts.connect_timeout_ms = 10000;
	if (!h->opts.stall_timeout_s)
		h->opts.stall_timeout_s = 30;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&h->share_locks[i], NULL);
	pthread_mutex_init(&h->pool_lock, NULL);
	h->share = curl_share_init();
	if (!h->share)
		goto out_locks;
	curl_share_setopt(h->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(h->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(h->share, CURLSHOPT_USERDATA, h);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	*out = h;
	return 0;

out_locks:
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&h->share_locks[i]);
	pthread_mutex_destroy(&h->pool_lock);
	free(h->ca_bundle);
out_free:
	free(h);
	return -ENOMEM;
}

void bfs_http_free(struct bfs_http *h)
{
	int i;

	if (!h)
		return;
	for (i = 0; i < h->npool; i++)
		curl_easy_cleanup(h->pool[i]);
	curl_share_cleanup(h->share);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&h->share_locks[i]);
	pthread_mutex_destroy(&h->pool_lock);
	free(h->ca_bundle);
	free(h);
}

static CURL *pool_get(struct bfs_http *h)
{
	CURL *e = NULL;

	pthread_mutex_lock(&h->pool_lock);
	if (h->npool > 0)
		e = h->pool[--h->npool];
	pthread_mutex_unlock(&h->pool_lock);
	if (e) {
		curl_easy_reset(e);
		return e;
	}
	return curl_easy_init();
}

static void pool_put(struct bfs_http *h, CURL *e)
{
	pthread_mutex_lock(&h->pool_lock);
	if (h->npool < HTTP_POOL_MAX) {
		h->pool[h->npool++] = e;
		e = NULL;
	}
	pthread_mutex_unlock(&h->pool_lock);
	if (e)
		curl_easy_cleanup(e);
}

void bfs_http_req_init(struct bfs_http_req *r, const char *method, const char *url)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->url = url;
	r->body_fd = -1;
	r->resp_fd = -1;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;

	/* A new status line (after 100 Continue, say) starts a new header set. */
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0)
		bfs_buf_reset(&x->resp->headers);
	if (bfs_buf_add(&x->resp->headers, p, len)) {
		x->err = BFS_E_PROTO;
		x->why = "the response headers are over their 64 KiB cap";
		return 0;
	}
	/* The blank line that ends a header set: the final answer's may be
	 * refused before its body comes (a range the server ignored). */
	if ((len == 2 && p[0] == '\r' && p[1] == '\n') || (len == 1 && p[0] == '\n')) {
		long code = 0;
		int rc;

		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
		if (code < 200 || !x->req->on_headers)
			return len;
		x->resp->status = code;
		x->why_buf[0] = '\0';
		rc = x->req->on_headers(x->req->on_body_arg, x->resp, x->why_buf,
					sizeof(x->why_buf));
		if (rc) {
			x->err = rc;
			x->why = x->why_buf[0] ? x->why_buf : "the answer's headers were refused";
			return 0;
		}
	}
	return len;
}

static int status_is_2xx(CURL *e)
{
	long code = 0;

	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	return code >= 200 && code < 300;
}

/* Write what wbuf holds to the file: 0, or -1 with x->err set. */
static int wbuf_flush(struct xfer *x)
{
	const struct bfs_http_req *rq = x->req;
	size_t done = 0;

	while (done < x->wlen) {
		ssize_t w = pwrite(rq->resp_fd, x->wbuf + done, x->wlen - done,
				   rq->resp_off + (off_t)(x->wpos + done));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			x->err = -errno;
			return -1;
		}
		done += (size_t)w;
	}
	x->wpos += x->wlen;
	x->wlen = 0;
	if (rq->on_stored)
		rq->on_stored(rq->on_body_arg, x->wpos);
	return 0;
}

/* How much wbuf gathers before it is written: all of it, unless a reader
 * waits for the first bytes (on_stored): then 32 KiB, doubling. */
static size_t wbuf_goal(const struct xfer *x)
{
	size_t goal = HTTP_FILE_FIRST;

	if (!x->req->on_stored)
		return HTTP_FILE_BUFFER;
	while (goal < HTTP_FILE_BUFFER && goal <= x->wpos)
		goal *= 2;
	return goal;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	const struct bfs_http_req *rq = x->req;
	size_t len = size * n, done = 0;

	if (!status_is_2xx(x->easy)) {
		struct bfs_buf *eb = &x->resp->error_body;
		size_t room = eb->max - eb->len;

		/* Diagnostic text only: keep what fits, drop the rest. */
		if (bfs_buf_add(eb, p, len < room ? len : room))
			return 0;
		return len;
	}
	if (x->wbuf) {
		/* (a piece bigger than the buffer would go in several) */
		while (done < len) {
			size_t goal = wbuf_goal(x), k = goal - x->wlen;

			if (k > len - done)
				k = len - done;
			memcpy(x->wbuf + x->wlen, p + done, k);
			x->wlen += k;
			done += k;
			if (x->wlen == goal && wbuf_flush(x))
				return 0;
		}
	} else if (rq->resp_fd >= 0) { /* a pipe: in order, as it comes */
		while (done < len) {
			ssize_t w = write(rq->resp_fd, p + done, len - done);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				x->err = -errno;
				return 0;
			}
			done += (size_t)w;
		}
	} else if (rq->resp_body) {
		if (bfs_buf_add(rq->resp_body, p, len)) {
			x->err = BFS_E_PROTO;
			x->why = "the response body is over its cap";
			return 0;
		}
	}
	if (rq->on_body)
		rq->on_body(rq->on_body_arg, p, len);
	x->resp->body_bytes += len;
	return len;
}

static size_t on_read(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	const struct bfs_http_req *rq = x->req;
	size_t want = size * n;
	uint64_t left = rq->body_len - x->rpos;
	ssize_t r;

	if (want > left)
		want = (size_t)left;
	if (!want)
		return 0;
	if (rq->body) {
		memcpy(p, (const char *)rq->body + x->rpos, want);
		x->rpos += want;
		return want;
	}
	do {
		r = pread(rq->body_fd, p, want, rq->body_off + (off_t)x->rpos);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		x->err = -errno;
		return CURL_READFUNC_ABORT;
	}
	if (r == 0) {
		/* The file shrank under us: never send a short body. */
		x->err = -EIO;
		return CURL_READFUNC_ABORT;
	}
	x->rpos += (uint64_t)r;
	return (size_t)r;
}

static int on_seek(void *arg, curl_off_t off, int origin)
{
	struct xfer *x = arg;

	if (origin != SEEK_SET || off < 0 || (uint64_t)off > x->req->body_len)
		return CURL_SEEKFUNC_FAIL;
	x->rpos = (uint64_t)off;
	return CURL_SEEKFUNC_OK;
}

/* Verbose trace with credentials blanked out. */
static int on_debug(CURL *e, curl_infotype type, char *data, size_t size, void *arg)
{
	const char *p = data, *end = data + size;

	(void)e;
	(void)arg;
	if (type != CURLINFO_HEADER_OUT && type != CURLINFO_HEADER_IN && type != CURLINFO_TEXT)
		return 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t linelen = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *tag = type == CURLINFO_HEADER_OUT  ? "> "
				  : type == CURLINFO_HEADER_IN ? "< "
							       : "* ";

		if (linelen >= 14 && (strncasecmp(p, "authorization:", 14) == 0 ||
				      strncasecmp(p, "x-amz-security-token:", 21) == 0 ||
				      strncasecmp(p, "x-oss-security-token:", 21) == 0)) {
			const char *colon = memchr(p, ':', linelen);
			fprintf(stderr, "%s%.*s: [redacted]\n", tag, (int)(colon - p), p);
		} else if (linelen > 0 && !(linelen == 1 && p[0] == '\r')) {
			fprintf(stderr, "%s%.*s\n", tag, (int)linelen, p);
		}
		p += linelen + (nl ? 1 : 0);
	}
	return 0;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Past the request's deadline (see bfs_http_req), with moved bytes moved? */
static int past_deadline(const struct bfs_http_req *rq, uint64_t moved, int64_t now)
{
	uint64_t extra = moved > rq->deadline_free_bytes ? moved - rq->deadline_free_bytes : 0;

	if (!rq->deadline_ns)
		return 0;
	return (double)now > (double)rq->deadline_ns +
				 (double)extra / 1048576.0 * (double)rq->deadline_ns_per_mib;
}

/*
 * curl's progress callback, called as bytes move and about once a second
 * when none do: a transfer that moved less than HTTP_STALL_MIN_BYTES in
 * stall_timeout is cut, and so is one past its deadline.  (curl's own
 * low-speed check averages over its last 5 s, so right after a burst it
 * let a silent server hold a transfer that long, whatever the limit.)
 */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct xfer *x = arg;
	int64_t now = mono_ns();

	(void)dltotal;
	(void)ultotal;
	if (past_deadline(x->req, (uint64_t)(dlnow + ulnow), now)) {
		x->err = BFS_E_TIMEOUT;
		x->why = "the request took longer than request_timeout (plus 1 s per MiB moved)";
		return 1;
	}
	if (!x->moved_ns || dlnow + ulnow - x->moved >= HTTP_STALL_MIN_BYTES) {
		x->moved = dlnow + ulnow;
		x->moved_ns = now;
		return 0;
	}
	if (now - x->moved_ns < x->stall_ns)
		return 0;
	x->err = BFS_E_TIMEOUT;
	x->why = "less than 1 KiB moved in stall_timeout seconds";
	return 1;
}

/* resp->errmsg: what, then ": detail" when there is one (cut to fit). */
static void errmsg_set(struct bfs_http_resp *resp, const char *what, const char *detail)
{
	size_t n = strlen(what), cap = sizeof(resp->errmsg) - 1;

	n = n < cap ? n : cap;
	memcpy(resp->errmsg, what, n);
	if (detail[0] && n + 2 < cap) {
		size_t d = strlen(detail);

		memcpy(resp->errmsg + n, ": ", 2);
		n += 2;
		d = d < cap - n ? d : cap - n;
		memcpy(resp->errmsg + n, detail, d);
		n += d;
	}
	resp->errmsg[n] = '\0';
}

static uint64_t moved_bytes(CURL *e)
{
	curl_off_t up = 0, down = 0;

	curl_easy_getinfo(e, CURLINFO_SIZE_UPLOAD_T, &up);
	curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &down);
	return (uint64_t)(up > 0 ? up : 0) + (uint64_t)(down > 0 ? down : 0);
}

static int map_curl_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_OK:
		return 0;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return BFS_E_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return BFS_E_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_SHUTDOWN_FAILED:
		return BFS_E_TLS;
	case CURLE_URL_MALFORMAT:
		return BFS_E_CONFIG;
	/* The URLs are built from an endpoint checked at open (http or https
	 * only): this is an answer that is not HTTP ("HTTP/0.9"), as is a
	 * status line curl cannot read.  Not the configuration's fault. */
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_WRITE_ERROR:
	case CURLE_READ_ERROR:
	case CURLE_ABORTED_BY_CALLBACK:
	case CURLE_BAD_CONTENT_ENCODING:
		return BFS_E_PROTO;
	default:
		/* Resets, short bodies, empty replies: worth another try. */
		return BFS_E_TRANSIENT;
	}
}

static int setup_method(CURL *e, const struct bfs_http_req *rq)
{
	int has_body = rq->body || rq->body_fd >= 0;

	if (strcmp(rq->method, "GET") == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(rq->method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (strcmp(rq->method, "PUT") == 0) {
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE,
				 (curl_off_t)(has_body ? rq->body_len : 0));
	} else if (strcmp(rq->method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(has_body ? rq->body_len : 0));
	} else if (strcmp(rq->method, "DELETE") == 0) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE");
	} else {
		return -EINVAL;
	}
	return 0;
}

/* Long: one request from handle to result, each step once, in the order
 * libcurl needs them (options, headers, body, perform, status, cleanup). */
int bfs_http_perform(struct bfs_http *h, const struct bfs_http_req *rq, struct bfs_http_resp *resp)
{
	struct curl_slist *hdrs = NULL, *tmp;
	struct xfer x = { .req = rq, .resp = resp };
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode crc;
	size_t i;
	int rc;

	bfs_buf_reset(&resp->headers);
	bfs_buf_reset(&resp->error_body);
	resp->status = 0;
	resp->body_bytes = 0;
	resp->moved_bytes = 0;
	resp->errmsg[0] = '\0';

	x.easy = pool_get(h);
	if (!x.easy)
		return -ENOMEM;
	for (i = 0; i < rq->nheaders; i++) {
		tmp = curl_slist_append(hdrs, rq->headers[i]);
		if (!tmp) {
			rc = -ENOMEM;
			goto out;
		}
		hdrs = tmp;
	}
	/* No 100-continue round trip: it costs a full RTT per upload. */
	tmp = curl_slist_append(hdrs, "Expect:");
	if (!tmp) {
		rc = -ENOMEM;
		goto out;
	}
	hdrs = tmp;

	curl_easy_setopt(x.easy, CURLOPT_SHARE, h->share);
	/* idle connections kept for reuse: enough for the threads at work, and
	 * no more (a burst would otherwise leave its sockets open for good) */
	curl_easy_setopt(x.easy, CURLOPT_MAXCONNECTS, (long)HTTP_CONNS_MAX);
	curl_easy_setopt(x.easy, CURLOPT_URL, rq->url);
	curl_easy_setopt(x.easy, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(x.easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x.easy, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(x.easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(x.easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x.easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x.easy, CURLOPT_CONNECTTIMEOUT_MS, h->opts.connect_timeout_ms);
	x.stall_ns = (int64_t)h->opts.stall_timeout_s * 1000000000;
	curl_easy_setopt(x.easy, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(x.easy, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(x.easy, CURLOPT_XFERINFODATA, &x);
	if (h->opts.request_timeout_s)
		curl_easy_setopt(x.easy, CURLOPT_TIMEOUT, h->opts.request_timeout_s);
	if (h->opts.ca_bundle)
		curl_easy_setopt(x.easy, CURLOPT_CAINFO, h->opts.ca_bundle);
	if (h->opts.insecure) {
		curl_easy_setopt(x.easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(x.easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (h->opts.verbose) {
		curl_easy_setopt(x.easy, CURLOPT_VERBOSE, 1L);
		curl_easy_setopt(x.easy, CURLOPT_DEBUGFUNCTION, on_debug);
	}
	curl_easy_setopt(x.easy, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(x.easy, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(x.easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x.easy, CURLOPT_HEADERDATA, &x);
	/* a body bound for a file is received in pieces of this size: 16
	 * times fewer recv calls than curl's default 16 KiB (and written in
	 * them: xfer.wbuf) */
	if (rq->resp_fd >= 0)
		curl_easy_setopt(x.easy, CURLOPT_BUFFERSIZE, (long)HTTP_FILE_BUFFER);
	if (rq->resp_fd >= 0 && rq->resp_off >= 0) {
		x.wbuf = malloc(HTTP_FILE_BUFFER);
		if (!x.wbuf) {
			rc = -ENOMEM;
			goto out;
		}
	}
	curl_easy_setopt(x.easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x.easy, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(x.easy, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(x.easy, CURLOPT_READDATA, &x);
	curl_easy_setopt(x.easy, CURLOPT_SEEKFUNCTION, on_seek);
	curl_easy_setopt(x.easy, CURLOPT_SEEKDATA, &x);
	rc = setup_method(x.easy, rq);
	if (rc)
		goto out;

	crc = curl_easy_perform(x.easy);
	curl_easy_getinfo(x.easy, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->moved_bytes = moved_bytes(x.easy);
	if (crc != CURLE_OK) {
		rc = x.err ? x.err : map_curl_error(crc);
		if (!x.err &&
		    (crc == CURLE_UNSUPPORTED_PROTOCOL || crc == CURLE_WEIRD_SERVER_REPLY))
			x.why = "the server's answer is not HTTP";
		errmsg_set(resp,
			   x.why       ? x.why
			   : errbuf[0] ? errbuf
				       : curl_easy_strerror(crc),
			   x.why && !x.err ? errbuf : "");
		goto out;
	}
	rc = x.err;
	if (!rc && x.wbuf && wbuf_flush(&x))
		rc = x.err;
out:
	free(x.wbuf);
	curl_slist_free_all(hdrs);
	/* A handle that failed mid-transfer may hold a broken connection; curl
	 * closes such connections itself, so the handle is still fit for reuse. */
	pool_put(h, x.easy);
	return rc;
}
