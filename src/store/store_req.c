/* SPDX-License-Identifier: MIT */
/*
 * store_req.c - one request to the bucket: the URL (path or
 * virtual-hosted style), the signature (SigV4, OSS V1 or V4), the retry
 * loop with backoff, and the one place where an HTTP status and an S3/OSS
 * <Code> become a bucketfs error (with the details kept per thread for
 * messages); and the POST of an XML document the batch calls share.  The
 * extra headers a request carries are built in store_hdrs.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/creds.h"
#include "bucketfs/crypto.h"
#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "bucketfs/osssig.h"
#include "bucketfs/sigv4.h"
#include "bucketfs/uri.h"
#include "bucketfs/xml.h"
#include "store/store_int.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static _Thread_local struct bfs_store_error last_error;
static _Thread_local struct store_call cur_call;

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void store_call_enter(struct store_call *saved)
{
	*saved = cur_call;
	cur_call.active = 1;
	cur_call.probe = 0;
	cur_call.start_ns = mono_ns();
	cur_call.carried = 0;
}

void store_call_leave(const struct store_call *saved)
{
	cur_call = *saved;
}

void store_call_probe(void)
{
	cur_call.probe = 1;
}

#define NS_PER_S 1000000000LL

/* The current call's deadline for a request that plans to move planned
 * bytes (0: none): its start plus request_timeout plus 1 s per MiB of the
 * larger of planned and what its attempts moved so far. */
static int64_t call_deadline(const struct bfs_store *st, uint64_t planned)
{
	uint64_t bytes = planned > cur_call.carried ? planned : cur_call.carried;

	if (!st->cfg.request_timeout_s || !cur_call.active)
		return 0;
	return cur_call.start_ns + st->cfg.request_timeout_s * NS_PER_S +
	       (int64_t)((double)bytes / 1048576.0 * (double)NS_PER_S);
}

const struct bfs_store_error *bfs_store_last_error(void)
{
	return &last_error;
}

void store_set_error(const char *op, long status, const char *code, const char *message)
{
	last_error.status = status;
	snprintf(last_error.op, sizeof(last_error.op), "%s", op ? op : "");
	snprintf(last_error.code, sizeof(last_error.code), "%s", code ? code : "");
	snprintf(last_error.message, sizeof(last_error.message), "%s", message ? message : "");
	last_error.request_id[0] = '\0';
}

const double bfs_lat_bounds[BFS_LAT_BUCKETS - 1] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
						     0.5,   1,	  2.5,	 5,    10 };

/* Count one attempt of op that took us microseconds (and failed with rc). */
static void note_attempt(struct bfs_store *st, int op, int64_t us, int rc)
{
	int b = 0;

	while (b < BFS_LAT_BUCKETS - 1 && (double)us / 1e6 > bfs_lat_bounds[b])
		b++;
	atomic_fetch_add(&st->lat_count[op][b], 1);
	atomic_fetch_add(&st->lat_sum_us[op], (uint64_t)(us > 0 ? us : 0));
	if (rc > BFS_E_FIRST && rc < BFS_E_LAST)
		atomic_fetch_add(&st->errors[rc - BFS_E_FIRST - 1], 1);
}

void store_req_init(struct store_req *r, enum bfs_store_op op, const char *method, const char *key)
{
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->method = method;
	r->key = key;
	r->body_fd = -1;
	r->resp_fd = -1;
}

int store_post_xml(struct bfs_store *st, const char *key, const struct bfs_kv *query, size_t nquery,
		   const struct bfs_buf *body, int with_md5, struct bfs_buf *out)
{
	struct store_hdrs h = { .n = 0 };
	struct bfs_http_resp resp;
	struct store_req rq;
	int rc = store_hdr_add(&h, "Content-Type", "application/xml");

	if (!rc && with_md5) {
		unsigned char md5[BFS_MD5_LEN];
		char b64[BFS_BASE64_LEN(BFS_MD5_LEN) + 1];

		bfs_md5(body->data, body->len, md5);
		bfs_base64(md5, sizeof(md5), b64, sizeof(b64));
		rc = store_hdr_add(&h, "Content-MD5", "%s", b64);
	}
	if (rc)
		goto out;
	bfs_buf_reset(out);
	store_req_init(&rq, BFS_OP_POST, "POST", key);
	rq.query = query;
	rq.nquery = nquery;
	rq.hdrs = &h;
	rq.body = body->data;
	rq.body_len = body->len;
	rq.resp_body = out;
	bfs_http_resp_init(&resp);
	rc = store_request(st, &rq, &resp);
	bfs_http_resp_release(&resp);
out:
	store_hdrs_release(&h);
	return rc;
}

int store_check_key(const char *key)
{
	size_t n = key ? strlen(key) : 0;

	if (n == 0 || n > BFS_MAX_KEY) {
		store_set_error("", 0, n ? "KeyTooLongError" : "InvalidKey",
				n ? "object keys are limited to 1024 bytes" : "empty object key");
		return n ? -ENAMETOOLONG : -EINVAL;
	}
	return 0;
}

/* The path part of the URL, which is also SigV4's canonical URI. */
int store_build_path(const struct bfs_store *st, const char *key, struct bfs_buf *path)
{
	int rc = 0;

	if (st->cfg.path_style) {
		rc = bfs_buf_addf(path, "/%s", st->bucket);
		if (!rc && key)
			rc = bfs_buf_adds(path, "/");
	} else {
		rc = bfs_buf_adds(path, "/");
	}
	if (!rc && key)
		rc = bfs_uri_encode(path, key, strlen(key), 1);
	return rc;
}

int store_build_url(const struct bfs_store *st, const struct store_req *rq, const char *path,
		    struct bfs_buf *url, struct bfs_buf *host)
{
	size_t i;
	int rc;

	if (st->cfg.path_style)
		rc = bfs_buf_adds(host, st->hostport);
	else
		rc = bfs_buf_addf(host, "%s.%s", st->bucket, st->hostport);
	if (!rc)
		rc = bfs_buf_addf(url, "%s://%s%s", st->scheme, bfs_buf_str(host), path);
	for (i = 0; !rc && i < rq->nquery; i++) {
		rc = bfs_buf_adds(url, i ? "&" : "?");
		if (!rc)
			rc = bfs_uri_encode(url, rq->query[i].name, strlen(rq->query[i].name), 0);
		if (!rc && rq->query[i].value[0]) {
			rc = bfs_buf_adds(url, "=");
			if (!rc)
				rc = bfs_uri_encode(url, rq->query[i].value,
						    strlen(rq->query[i].value), 0);
		}
	}
	return rc;
}

/* Map an answer that is not 2xx (status, S3 <Code>) to a bucketfs error. */
int store_map_status(long status, const char *code)
{
	if (status == 304)
		return BFS_E_NOTMODIFIED;
	if (!strcmp(code, "SlowDown") || !strcmp(code, "Throttling") ||
	    !strcmp(code, "TooManyRequests") || status == 429)
		return BFS_E_THROTTLED;
	/* a body changed on its way (the server checked its digest): send again */
	if (!strcmp(code, "RequestTimeout") || !strcmp(code, "InternalError") ||
	    !strcmp(code, "ServiceUnavailable") || !strcmp(code, "BadDigest") ||
	    !strcmp(code, "XAmzContentSHA256Mismatch") || status >= 500)
		return BFS_E_TRANSIENT;
	if (!strcmp(code, "NoSuchBucket"))
		return BFS_E_NOBUCKET;
	if (status == 404)
		return BFS_E_NOTFOUND;
	if (!strcmp(code, "SignatureDoesNotMatch"))
		return BFS_E_SIGNATURE;
	/* AWS answers 400 to an expired token */
	if (status == 401 || status == 403 || !strcmp(code, "ExpiredToken") ||
	    !strcmp(code, "TokenRefreshRequired") || !strcmp(code, "InvalidToken"))
		return BFS_E_DENIED;
	if (status == 412)
		return BFS_E_PRECOND;
	if (status == 416)
		return BFS_E_RANGE;
	return BFS_E_BADREQ;
}

void store_amzdate(char out[17])
{
	struct tm tm;
	time_t now = time(NULL);

	gmtime_r(&now, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* RFC 1123 date for OSS V1's Date header. */
static void format_http_date(char out[40])
{
	struct tm tm;
	time_t now = time(NULL);

	gmtime_r(&now, &tm);
	strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* OSS V4 scopes name the region without "oss-": oss-cn-beijing -> cn-beijing. */
static const char *oss_region(const char *region)
{
	return strncmp(region, "oss-", 4) == 0 ? region + 4 : region;
}

/*
 * Compute the Authorization value for kv (the headers to send, Host first)
 * with the store's signature kind.  date is the x-amz-date / x-oss-date
 * ("YYYYMMDDTHHMMSSZ") or, for OSS V1, the Date header.
 */
static int sign_kv(struct bfs_store *st, const struct store_req *rq, const char *path,
		   const struct bfs_kv *kv, size_t n, const char *date, const char *payload_hash,
		   struct bfs_buf *auth)
{
	const struct bfs_creds *cr = st->cfg.creds; /* held by the caller */

	bfs_buf_reset(auth);
	if (st->cfg.signature == BFS_SIG_V4) {
		struct bfs_sigv4_req sreq = { rq->method, path, rq->query,   rq->nquery,
					      kv,	  n,	payload_hash };
		struct bfs_sigv4_cred scred = { cr->access_key, cr->secret_key, st->region, "s3" };

		return bfs_sigv4_sign(&sreq, &scred, date, auth, NULL, NULL);
	} else {
		struct bfs_oss_req oreq = { rq->method, st->bucket, rq->key ? rq->key : "",
					    rq->query,	rq->nquery, kv,
					    n };
		struct bfs_oss_cred ocred = { cr->access_key, cr->secret_key,
					      oss_region(st->region) };

		if (st->cfg.signature == BFS_SIG_OSS_V1)
			return bfs_oss_sign_v1(&oreq, &ocred, date, auth, NULL);
		return bfs_oss_sign_v4(&oreq, &ocred, date, NULL, auth, NULL, NULL);
	}
}

/*
 * Build the signed header lines for one attempt into lines (owned strings);
 * *gen gets the generation of the credentials used.  The credentials are
 * held from the first use of the token to the last copy of a line.
 */
static int sign_request(struct bfs_store *st, const struct store_req *rq, const char *path,
			const char *host, const char *payload_hash, struct bfs_buf *auth,
			char ***lines_out, size_t *nlines_out, unsigned *gen)
{
	struct bfs_creds *cr = st->cfg.creds;
	struct bfs_kv kv[STORE_MAX_HEADERS + 5];
	char date[40], tok_name[32];
	char **lines = NULL;
	size_t n = 0, i;
	int rc;

	kv[n++] = (struct bfs_kv){ "Host", host };
	switch (st->cfg.signature) {
	case BFS_SIG_OSS_V1:
		format_http_date(date);
		kv[n++] = (struct bfs_kv){ "Date", date };
		break;
	case BFS_SIG_OSS_V4:
		store_amzdate(date);
		kv[n++] = (struct bfs_kv){ "x-oss-date", date };
		kv[n++] = (struct bfs_kv){ "x-oss-content-sha256", "UNSIGNED-PAYLOAD" };
		break;
	default:
		store_amzdate(date);
		kv[n++] = (struct bfs_kv){ "x-amz-date", date };
		kv[n++] = (struct bfs_kv){ "x-amz-content-sha256", payload_hash };
		break;
	}
	snprintf(tok_name, sizeof(tok_name), "%ssecurity-token", st->hp);
	*gen = bfs_creds_begin(cr);
	if (cr->session_token[0])
		kv[n++] = (struct bfs_kv){ tok_name, cr->session_token };
	for (i = 0; rq->hdrs && i < rq->hdrs->n; i++)
		kv[n++] = (struct bfs_kv){ rq->hdrs->name[i], rq->hdrs->value[i] };
	rc = sign_kv(st, rq, path, kv, n, date, payload_hash, auth);
	if (rc)
		goto out;

	/* Host is set by curl from the URL; everything else is sent as signed. */
	rc = -ENOMEM;
	lines = calloc(n + 1, sizeof(*lines));
	if (!lines)
		goto out;
	for (i = 1; i < n; i++) {
		if (asprintf(&lines[i - 1], "%s: %s", kv[i].name, kv[i].value) < 0)
			goto out;
	}
	if (asprintf(&lines[n - 1], "Authorization: %s", bfs_buf_str(auth)) < 0)
		goto out;
	*lines_out = lines;
	*nlines_out = n;
	lines = NULL;
	rc = 0;
out:
	bfs_creds_end(cr);
	if (lines) {
		for (i = 0; i < n; i++)
			free(lines[i]);
		free(lines);
	}
	return rc;
}

static void free_lines(char **lines, size_t n)
{
	size_t i;

	if (!lines)
		return;
	for (i = 0; i < n; i++) {
		if (lines[i]) {
			bfs_wipe(lines[i], strlen(lines[i]));
			free(lines[i]);
		}
	}
	free(lines);
}

void store_backoff(struct bfs_store *st, int attempt)
{
	long cap = 10000, ms = st->cfg.retry_base_ms;
	int64_t deadline = call_deadline(st, 0), left;
	int i;

	atomic_fetch_add(&st->retries, 1);

	for (i = 0; i < attempt && ms < cap; i++)
		ms *= 2;
	if (ms > cap)
		ms = cap;
	/* Full jitter: anywhere in [ms/2, ms]. */
	ms = ms / 2 + (long)bfs_random_below((uint32_t)(ms / 2 + 1));
	/* never past the call's deadline: the next attempt would not start */
	if (deadline) {
		left = (deadline - mono_ns()) / 1000000;
		if (left < ms)
			ms = left > 0 ? (long)left : 0;
	}
	usleep((useconds_t)ms * 1000);
}

/* Past the call's deadline before an attempt: 1 (and the error recorded
 * when no attempt failed yet), else 0. */
static int out_of_time(struct bfs_store *st, const struct store_req *rq, uint64_t planned,
		       int failed)
{
	int64_t deadline = call_deadline(st, planned);
	char msg[128];

	if (!deadline || mono_ns() < deadline)
		return 0;
	if (!failed) {
		snprintf(msg, sizeof(msg), "request_timeout (%ld s) passed before this request",
			 st->cfg.request_timeout_s);
		store_set_error(rq->method, 0, "", msg);
	}
	return 1;
}

/* Append s to out, bytes outside printable ASCII as \xNN (a key may hold a
 * newline: it must not start a log line of its own). */
static int trace_escaped(struct bfs_buf *out, const char *s)
{
	int rc = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '\\')
			rc |= bfs_buf_addf(out, "\\x%02x", c);
		else
			rc |= bfs_buf_add(out, s, 1);
	}
	return rc;
}

/*
 * Debug trace of one attempt: method, key and query, status (or the
 * transport error), bytes sent and received, milliseconds.  Headers are
 * never shown: they carry the signature and the session token.
 */
static void trace_attempt(const struct store_req *rq, int rc, const struct bfs_http_resp *resp,
			  int attempt, int64_t us)
{
	struct bfs_buf line = BFS_BUF_INIT(4096);
	size_t i;
	int err;

	err = bfs_buf_addf(&line, "%s /", rq->method);
	if (rq->key)
		err |= trace_escaped(&line, rq->key);
	for (i = 0; i < rq->nquery; i++) {
		err |= bfs_buf_adds(&line, i ? "&" : "?");
		err |= trace_escaped(&line, rq->query[i].name);
		if (rq->query[i].value && rq->query[i].value[0]) {
			err |= bfs_buf_adds(&line, "=");
			err |= trace_escaped(&line, rq->query[i].value);
		}
	}
	if (rc)
		err |= bfs_buf_addf(&line, " -> %s",
				    resp->errmsg[0] ? resp->errmsg : bfs_strerror(rc));
	else
		err |= bfs_buf_addf(&line, " -> %ld", resp->status);
	err |= bfs_buf_addf(&line, ", %llu B out, %llu B in, %.1f ms",
			    (unsigned long long)rq->body_len,
			    (unsigned long long)(rc		       ? 0
						 : resp->status >= 300 ? resp->error_body.len
								       : resp->body_bytes),
			    (double)us / 1000.0);
	if (attempt)
		err |= bfs_buf_addf(&line, " (retry %d)", attempt);
	if (!err)
		bfs_log(LOG_DEBUG, "request %s", bfs_buf_str(&line));
	bfs_buf_release(&line);
}

/* Record the answer's error in the thread's last error; return the code. */
static int record_failure(const struct store_req *rq, int rc, const struct bfs_http_resp *resp)
{
	struct bfs_xml_error xe;
	int mapped;

	if (rc) {
		store_set_error(rq->method, resp->status, "",
				resp->errmsg[0] ? resp->errmsg : bfs_strerror(rc));
		return rc;
	}
	memset(&xe, 0, sizeof(xe));
	if (resp->error_body.len)
		(void)bfs_xml_parse_error(resp->error_body.data, resp->error_body.len, &xe);
	mapped = store_map_status(resp->status, xe.code);
	if (!xe.message[0]) {
		char region[64], where[256];

		if (bfs_http_resp_header(resp, "x-amz-bucket-region", region, sizeof(region)) > 0)
			snprintf(xe.message, sizeof(xe.message),
				 "the bucket is in region %s: use -o region=%s", region, region);
		else if (resp->status >= 300 && resp->status < 400 &&
			 bfs_http_resp_header(resp, "Location", where, sizeof(where)) > 0)
			snprintf(
			    xe.message, sizeof(xe.message),
			    "HTTP %ld, a redirect to %s (not followed: is the endpoint right?)",
			    resp->status, where);
		else
			snprintf(xe.message, sizeof(xe.message), "HTTP %ld", resp->status);
	}
	store_set_error(rq->method, resp->status, xe.code, xe.message);
	if (!xe.request_id[0])
		if (bfs_http_resp_header(resp, "x-amz-request-id", xe.request_id,
					 sizeof(xe.request_id)) < 0)
			(void)bfs_http_resp_header(resp, "x-oss-request-id", xe.request_id,
						   sizeof(xe.request_id));
	snprintf(last_error.request_id, sizeof(last_error.request_id), "%s", xe.request_id);
	return mapped;
}

/* Long: one request's whole life (sign, send, retry with backoff, renew
 * credentials, account), kept in one loop so that each retry sees it all. */
int store_request(struct bfs_store *st, const struct store_req *rq, struct bfs_http_resp *resp)
{
	struct bfs_buf path = BFS_BUF_INIT(8192), url = BFS_BUF_INIT(16384);
	struct bfs_buf host = BFS_BUF_INIT(1024), auth = BFS_BUF_INIT(4096);
	char payload_hash[BFS_SHA256_HEX_LEN + 1];
	struct bfs_http_req hr;
	char **lines = NULL;
	size_t nlines = 0;
	size_t resp_start = rq->resp_body ? rq->resp_body->len : 0;
	struct timespec t0, t1;
	struct store_call saved_call;
	uint64_t planned = rq->body_len + rq->resp_len;
	unsigned gen = 0;
	int64_t us;
	int attempt, rc, renewed = 0, own_call = !cur_call.active;

	if (rq->key && (rc = store_check_key(rq->key)))
		return rc;
	if (store_health_gate(st, rq->op, cur_call.probe)) {
		store_set_error(rq->method, 0, "",
				"not sent: the endpoint has not answered lately (see "
				"'bucketfsctl status'); it is probed in the background");
		return BFS_E_UNREACHABLE;
	}
	if (own_call)
		store_call_enter(&saved_call);
	rc = store_build_path(st, rq->key, &path);
	if (!rc)
		rc = store_build_url(st, rq, bfs_buf_str(&path), &url, &host);
	if (rc)
		goto out;

	if (rq->payload_sha256)
		snprintf(payload_hash, sizeof(payload_hash), "%s", rq->payload_sha256);
	else if (rq->body)
		bfs_sha256_hex(rq->body, rq->body_len, payload_hash);
	else
		snprintf(payload_hash, sizeof(payload_hash), "%s", EMPTY_SHA256);

	bfs_http_req_init(&hr, rq->method, bfs_buf_str(&url));
	hr.body = rq->body;
	hr.body_fd = rq->body_fd;
	hr.body_off = rq->body_off;
	hr.body_len = rq->body_len;
	hr.resp_body = rq->resp_body;
	hr.resp_fd = rq->resp_fd;
	hr.resp_off = rq->resp_off;
	hr.on_body = rq->on_body;
	hr.on_body_arg = rq->on_body_arg;
	hr.on_headers = rq->on_headers;
	hr.on_stored = rq->on_stored;
	hr.deadline_ns_per_mib = NS_PER_S;

	for (attempt = 0;; attempt++) {
		/* all attempts of the call within its deadline (request_timeout);
		 * out of time after a failure, that failure is the answer */
		if (out_of_time(st, rq, planned, attempt > 0)) {
			if (!attempt)
				rc = BFS_E_TIMEOUT;
			break;
		}
		hr.deadline_ns = call_deadline(st, planned);
		hr.deadline_free_bytes =
		    planned > cur_call.carried ? planned - cur_call.carried : 0;
		free_lines(lines, nlines);
		lines = NULL;
		rc = sign_request(st, rq, bfs_buf_str(&path), bfs_buf_str(&host), payload_hash,
				  &auth, &lines, &nlines, &gen);
		if (rc)
			goto out;
		hr.headers = (const char *const *)lines;
		hr.nheaders = nlines;
		if (rq->resp_body)
			bfs_buf_truncate(rq->resp_body, resp_start);
		if (rq->on_attempt)
			rq->on_attempt(rq->on_body_arg);
		atomic_fetch_add(&st->requests[rq->op], 1);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = bfs_http_perform(st->http, &hr, resp);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		cur_call.carried += resp->moved_bytes;
		us = (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000;
		if (bfs_log_enabled(LOG_DEBUG))
			trace_attempt(rq, rc, resp, attempt + renewed, us);
		if (rc == 0 && resp->status >= 200 && resp->status < 300) {
			store_health_note(st, 0, resp->status);
			note_attempt(st, rq->op, us, 0);
			atomic_fetch_add(&st->bytes_up, rq->body_len);
			atomic_fetch_add(&st->bytes_down, resp->body_bytes);
			break;
		}
		{
			long status = rc ? 0 : resp->status; /* (0: no answer at all) */

			rc = record_failure(rq, rc, resp);
			store_health_note(st, rc, status);
		}
		note_attempt(st, rq->op, us, rc == BFS_E_NOTMODIFIED ? 0 : rc);
		/* Refused as unknown or expired (a HEAD's 403 has no body to say
		 * which): once more, with renewed credentials. */
		if ((rc == BFS_E_DENIED || rc == BFS_E_SIGNATURE) && !renewed &&
		    (bfs_creds_code_is_stale(last_error.code) ||
		     (!last_error.code[0] && resp->status == 403)) &&
		    bfs_creds_rejected(st->cfg.creds, gen, last_error.code) == 0) {
			renewed = 1;
			attempt--;
			continue;
		}
		if (cur_call.probe) {
			atomic_fetch_add(&st->probes_failed, 1);
			break;
		}
		if (!bfs_err_retryable(rc) || attempt >= st->cfg.retries)
			break;
		/* bytes already written to a pipe, or read from the file as
		 * they came, cannot be taken back */
		if (resp->body_bytes && ((rq->resp_fd >= 0 && rq->resp_off < 0) ||
					 (rq->may_retry && !rq->may_retry(rq->on_body_arg))))
			break;
		store_backoff(st, attempt);
	}
out:
	if (own_call)
		store_call_leave(&saved_call);
	free_lines(lines, nlines);
	bfs_buf_release(&path);
	bfs_buf_release(&url);
	bfs_buf_release(&host);
	bfs_wipe(auth.data ? auth.data : payload_hash, auth.data ? auth.len : 0);
	bfs_buf_release(&auth);
	return rc;
}

void bfs_store_describe(int err, char *out, size_t outsz)
{
	const struct bfs_store_error *e = &last_error;
	const char *what = bfs_strerror(err);

	if (err == BFS_E_DENIED && !strcmp(e->code, "InvalidAccessKeyId"))
		what = "the server does not know the access key";
	else if (err == BFS_E_DENIED &&
		 (!strcmp(e->code, "ExpiredToken") || !strcmp(e->code, "SecurityTokenExpired")))
		what = "the session token has expired: renew the credentials";
	if (e->code[0] && e->message[0])
		snprintf(out, outsz, "%s: %s (%s)", what, e->code, e->message);
	else if (e->code[0])
		snprintf(out, outsz, "%s: %s", what, e->code);
	else if (e->message[0] && strcmp(e->message, what))
		snprintf(out, outsz, "%s: %s", what, e->message);
	else
		snprintf(out, outsz, "%s", what);
}
