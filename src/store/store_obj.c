/* SPDX-License-Identifier: MIT */
/*
 * store_obj.c - one object's operations of the S3 backend: HEAD, GET (whole,
 * ranged, into a descriptor or a buffer, with its integrity checks), and a
 * single-part PUT.  DELETE, DeleteObjects, ListObjects and CopyObject are
 * in store_keys.c, multipart uploads in store_mpu.c, the bodies' digests
 * in store_digest.c, the backend's table in store_s3.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bucketfs/crc32c.h"
#include "bucketfs/crypto.h"
#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "bucketfs/range.h"
#include "bucketfs/uri.h"
#include "bucketfs/xml.h"
#include "store/store_int.h"

static void strip_quotes(char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
}

/*
 * S3 object keys are UTF-8: AWS, OSS, MinIO and radosgw refuse others (and
 * radosgw answers a listing of such a prefix with XML no parser accepts).
 * A key, or a listing prefix, that is not valid UTF-8 (shortest forms, no
 * surrogates) is refused here with -EILSEQ before any request; a listing
 * never returns one (see s3_list).
 */
int store_key_utf8(const char *op, const char *key)
{
	if (!key || bfs_utf8_valid(key))
		return 0;
	store_set_error(op, 0, "InvalidObjectName", "S3 object keys are UTF-8; this one is not");
	return -EILSEQ;
}

int store_put_key_ok(const char *key)
{
	int rc = store_check_key(key);

	return rc ? rc : store_key_utf8("PUT", key);
}

static int info_meta_fn(void *arg, const char *name, const char *value)
{
	struct bfs_obj_info *info = arg;
	struct bfs_meta_kv *m;
	size_t i;

	if (info->nmeta >= BFS_MAX_META)
		return 0;
	m = &info->meta[info->nmeta++];
	/* "x-amz-meta-" and "x-oss-meta-" have the same length */
	snprintf(m->name, sizeof(m->name), "%s", name + strlen("x-amz-meta-"));
	for (i = 0; m->name[i]; i++)
		m->name[i] = (char)tolower((unsigned char)m->name[i]);
	snprintf(m->value, sizeof(m->value), "%s", value);
	return 0;
}

void store_info_from_resp(const struct bfs_store *st, const struct bfs_http_resp *resp,
			  struct bfs_obj_info *info)
{
	char mp[16];

	char v[256];
	const char *slash;
	long long t;

	memset(info, 0, sizeof(*info));
	/* (a GET's Content-Range was checked against its request: range.h) */
	if (resp->status == 206 && bfs_http_resp_header(resp, "Content-Range", v, sizeof(v)) > 0 &&
	    (slash = strrchr(v, '/')) && isdigit((unsigned char)slash[1]))
		info->size = strtoull(slash + 1, NULL, 10);
	else if (bfs_http_resp_header(resp, "Content-Length", v, sizeof(v)) > 0)
		info->size = strtoull(v, NULL, 10);
	if (bfs_http_resp_header(resp, "Last-Modified", v, sizeof(v)) > 0 &&
	    (t = bfs_http_parse_date(v)) >= 0)
		info->mtime = (time_t)t;
	(void)bfs_http_resp_header(resp, "ETag", info->etag, sizeof(info->etag));
	strip_quotes(info->etag);
	(void)bfs_http_resp_header(resp, "Content-Type", info->content_type,
				   sizeof(info->content_type));
	(void)bfs_http_resp_header(resp, "Cache-Control", info->cache_control,
				   sizeof(info->cache_control));
	snprintf(mp, sizeof(mp), "%smeta-", st->hp);
	bfs_http_resp_foreach(resp, mp, info_meta_fn, info);
}

const char *bfs_obj_info_meta(const struct bfs_obj_info *info, const char *name)
{
	int i;

	for (i = 0; i < info->nmeta; i++)
		if (!strcasecmp(info->meta[i].name, name))
			return info->meta[i].value;
	return NULL;
}

int bfs_etag_is_md5(const char *etag)
{
	size_t i;

	for (i = 0; i < 32; i++)
		if (!isxdigit((unsigned char)etag[i]))
			return 0;
	return etag[32] == '\0';
}

static int integrity_error(const char *op, const char *what)
{
	store_set_error(op, 0, "IntegrityCheckFailed", what);
	return BFS_E_INTEGRITY;
}

int s3_head_if(struct bfs_store *st, const char *key, const char *if_none_match,
	       struct bfs_obj_info *info)
{
	struct bfs_http_resp resp;
	struct store_hdrs h = { .n = 0 };
	struct store_req rq;
	int rc = store_key_utf8("HEAD", key);

	if (rc)
		return rc;
	bfs_http_resp_init(&resp);
	store_req_init(&rq, BFS_OP_HEAD, "HEAD", key);
	if (if_none_match && *if_none_match) {
		rc = store_hdr_add(&h, "If-None-Match", "\"%s\"", if_none_match);
		rq.hdrs = &h;
	}
	if (!rc)
		rc = store_request(st, &rq, &resp);
	if (!rc && info)
		store_info_from_resp(st, &resp, info);
	store_hdrs_release(&h);
	bfs_http_resp_release(&resp);
	return rc;
}

int s3_head(struct bfs_store *st, const char *key, struct bfs_obj_info *info)
{
	return s3_head_if(st, key, NULL, info);
}

static int get_headers(struct store_hdrs *h, const struct bfs_get_opts *o)
{
	int rc = 0;

	if (!o)
		return 0;
	if (o->len)
		rc = store_hdr_add(h, "Range", "bytes=%llu-%llu", (unsigned long long)o->off,
				   (unsigned long long)(o->off + o->len - 1));
	else if (o->off)
		rc = store_hdr_add(h, "Range", "bytes=%llu-", (unsigned long long)o->off);
	if (!rc && o->if_none_match)
		rc = store_hdr_add(h, "If-None-Match", "\"%s\"", o->if_none_match);
	if (!rc && o->if_match)
		rc = store_hdr_add(h, "If-Match", "\"%s\"", o->if_match);
	return rc;
}

void bfs_meta_crc32c_format(struct bfs_meta_kv *kv, uint64_t size, uint32_t crc)
{
	snprintf(kv->name, sizeof(kv->name), "%s", BFS_META_CRC32C);
	snprintf(kv->value, sizeof(kv->value), "%llu:%08x", (unsigned long long)size,
		 (unsigned)crc);
}

int bfs_meta_crc32c_parse(const char *v, uint64_t *size, uint32_t *crc)
{
	unsigned long long n;
	unsigned long c;
	char *end;

	if (!v || !isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end != ':' || strlen(end + 1) != 8)
		return -1;
	v = end + 1;
	if (!isxdigit((unsigned char)v[0]))
		return -1;
	c = strtoul(v, &end, 16);
	if (*end)
		return -1;
	*size = n;
	*crc = (uint32_t)c;
	return 0;
}

/*
 * Shared by the fd and buffer forms: the answer's status, Content-Range
 * and Content-Length are checked against the range asked as soon as its
 * headers are in (range.h: a refused answer's body is not taken); the
 * body's CRC-32C is computed as it arrives (from the object's first byte),
 * and its MD5 too unless the object carries BFS_META_CRC32C; then its
 * length is checked against Content-Length and Content-Range and, when the
 * body is a whole object (a plain GET, or a range from 0 that covered it),
 * its digest against the object's (check_whole).  A retried attempt starts
 * again.
 */
struct get_ctx {
	const struct bfs_store *st;
	const struct bfs_get_opts *o; /* may be NULL */
	const char *hp;		      /* the store's header prefix */
	int digest;		      /* from the first byte: digest it */
	int md5_on;		      /* ... with MD5 too (no BFS_META_CRC32C, or a retry) */
	int force_md5;		      /* a body did not match BFS_META_CRC32C before */
	struct bfs_md5_ctx *md5;
	uint32_t crc; /* of the body so far */
	int has_meta; /* BFS_META_CRC32C: meta_size, meta_crc */
	uint64_t meta_size;
	uint32_t meta_crc;
	struct bfs_range_ans ans; /* what the accepted answer carries */
	int checked;		  /* ans is set (a 2xx was accepted) */
};

/* What one GET of a key learnt across its attempts (get_common). */
struct get_memo {
	int crc_bad;	  /* a whole body did not match BFS_META_CRC32C */
	uint32_t bad_crc; /* its CRC-32C */
};

static void get_digest_chunk(void *arg, const void *p, size_t n)
{
	struct get_ctx *g = arg;

	if (!g->digest)
		return;
	g->crc = bfs_crc32c(g->crc, p, n);
	if (g->md5_on)
		bfs_md5_update(g->md5, p, n);
}

static void get_attempt(void *arg)
{
	struct get_ctx *g = arg;
	unsigned char junk[BFS_MD5_LEN];

	g->checked = 0;
	g->crc = 0;
	g->has_meta = 0;
	g->md5_on = g->digest;
	if (!g->digest)
		return;
	bfs_md5_end(g->md5, junk);
	g->md5 = bfs_md5_begin();
}

/* A Content-Length value: digits only; -1 when absent or not a number. */
static int64_t content_length(const struct bfs_http_resp *resp)
{
	char v[32], *end;
	unsigned long long n;

	if (bfs_http_resp_header(resp, "Content-Length", v, sizeof(v)) <= 0 || v[0] < '0' ||
	    v[0] > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || n > INT64_MAX)
		return -1;
	return (int64_t)n;
}

/* The object's BFS_META_CRC32C, if it has one for the object's size (a
 * tool that kept it while changing the size left it stale): then no MD5
 * (unless a body failed it before: get_memo). */
static void get_meta_crc(struct get_ctx *g, const struct bfs_http_resp *resp)
{
	char name[64], v[64];

	snprintf(name, sizeof(name), "%smeta-%s", g->hp, BFS_META_CRC32C);
	g->has_meta = bfs_http_resp_header(resp, name, v, sizeof(v)) > 0 &&
		      !bfs_meta_crc32c_parse(v, &g->meta_size, &g->meta_crc) &&
		      g->meta_size == g->ans.total;
	if (g->has_meta && !g->force_md5)
		g->md5_on = 0;
}

static int get_check_headers(void *arg, const struct bfs_http_resp *resp, char *why, size_t whysz)
{
	struct get_ctx *g = arg;
	uint64_t off = g->o ? g->o->off : 0, len = g->o ? g->o->len : 0;
	char cr[128];
	int has_cr = bfs_http_resp_header(resp, "Content-Range", cr, sizeof(cr)) >= 0;
	int rc;

	if (resp->status < 200 || resp->status >= 300)
		return 0; /* an error's body: store_request's business */
	rc = bfs_range_check(off, len, resp->status, has_cr ? cr : NULL, content_length(resp),
			     &g->ans, why, whysz);
	if (rc)
		return rc;
	if (g->o && g->o->expect_size && g->ans.total != UINT64_MAX &&
	    g->ans.total != g->o->expect_size) {
		snprintf(why, whysz,
			 "the server garbled the Range: it answered for an object of %llu bytes, "
			 "not %llu",
			 (unsigned long long)g->ans.total, (unsigned long long)g->o->expect_size);
		return BFS_E_PROTO;
	}
	if (g->digest)
		get_meta_crc(g, resp);
	g->checked = 1;
	if (g->o && g->o->on_headers) {
		struct bfs_obj_info info;

		store_info_from_resp(g->st, resp, &info);
		g->o->on_headers(g->o->hook_arg, &info);
	}
	return 0;
}

static void get_stored(void *arg, uint64_t bytes)
{
	struct get_ctx *g = arg;

	g->o->on_stored(g->o->hook_arg, bytes);
}

static int get_may_retry(void *arg)
{
	struct get_ctx *g = arg;

	return g->o->may_retry(g->o->hook_arg);
}

/*
 * A whole object's body, against the object: its BFS_META_CRC32C when it
 * has one for this size, else its MD5 ETag (a multipart ETag names no
 * digest of the body: unchecked, as before).  0 when it matches, with
 * *checked set when something was checked; else BFS_E_INTEGRITY, noted
 * in m so the next attempt also computes the MD5.
 */
static int check_whole(struct get_ctx *g, struct get_memo *m, const struct bfs_obj_info *info,
		       const char *key, int *checked)
{
	unsigned char md5[BFS_MD5_LEN];
	char hex[2 * BFS_MD5_LEN + 1];
	int md5_etag = bfs_etag_is_md5(info->etag), md5_ok = 0;

	if (g->md5_on) {
		if (!g->md5)
			return -ENOMEM;
		bfs_md5_end(g->md5, md5);
		g->md5 = NULL;
		bfs_hex(md5, sizeof(md5), hex);
		md5_ok = md5_etag && !strcasecmp(hex, info->etag);
	}
	*checked = 1;
	if (g->has_meta && g->meta_size == info->size) {
		if (g->crc == g->meta_crc)
			return 0;
		/* Damaged on the way, or rewritten by a tool that kept our
		 * metadata: the MD5 ETag decides; without one, the same
		 * body twice is the object's. */
		if (md5_ok || (!md5_etag && m->crc_bad && m->bad_crc == g->crc)) {
			bfs_log(LOG_WARNING,
				"GET %s: the body does not match its %s metadata, but %s: "
				"served (another tool rewrote it and kept the metadata)",
				key, BFS_META_CRC32C,
				md5_ok ? "matches its MD5 ETag" : "came the same twice");
			*checked = md5_ok;
			return 0;
		}
		m->crc_bad = 1;
		m->bad_crc = g->crc;
		return integrity_error("GET", "body does not match the object's CRC-32C");
	}
	if (!md5_etag) {
		*checked = 0;
		return 0;
	}
	if (!md5_ok)
		return integrity_error("GET", "body does not match the object's MD5 ETag");
	return 0;
}

static int get_once(struct bfs_store *st, const struct bfs_get_opts *o, struct store_req *rq,
		    struct get_memo *m, struct bfs_obj_info *info_out)
{
	struct bfs_obj_info info;
	struct bfs_http_resp resp;
	struct store_hdrs h = { .n = 0 };
	/* from the first byte: the digest is checked if the whole object
	 * came, even for a range that turned out to cover it */
	struct get_ctx g = {
		.st = st, .o = o, .hp = st->hp, .digest = !o || !o->off, .force_md5 = m->crc_bad
	};
	unsigned char md5[BFS_MD5_LEN];
	int64_t clen;
	int rc, checked = 0;

	bfs_http_resp_init(&resp);
	rc = get_headers(&h, o);
	if (rc)
		goto out;
	rq->hdrs = &h;
	rq->resp_len = o ? o->len : 0;
	rq->on_body = get_digest_chunk;
	rq->on_attempt = get_attempt;
	rq->on_headers = get_check_headers;
	rq->on_stored =
	    o && o->on_stored && rq->resp_fd >= 0 && rq->resp_off >= 0 ? get_stored : NULL;
	rq->may_retry = o && o->may_retry ? get_may_retry : NULL;
	rq->on_body_arg = &g;
	rc = store_request(st, rq, &resp);
	if (rc)
		goto out;
	store_info_from_resp(st, &resp, &info);
	clen = content_length(&resp);
	if (clen >= 0 && (uint64_t)clen != resp.body_bytes) {
		rc = integrity_error("GET", "body shorter than Content-Length");
		goto out;
	}
	if (g.checked && resp.status == 206 && resp.body_bytes != g.ans.len) {
		rc = integrity_error("GET", "body shorter than its Content-Range");
		goto out;
	}
	if (g.digest && (resp.status == 200 || resp.status == 206)) {
		if (resp.body_bytes == info.size) {
			rc = check_whole(&g, m, &info, rq->key, &checked);
			if (rc)
				goto out;
		}
		info.crc_bytes = resp.body_bytes;
		info.crc32c = g.crc;
		info.checked = checked;
	}
	if (info_out)
		*info_out = info;
out:
	if (g.md5)
		bfs_md5_end(g.md5, md5);
	store_hdrs_release(&h);
	bfs_http_resp_release(&resp);
	return rc;
}

/*
 * A body that came shorter than its Content-Length, or does not match its
 * object's digest, was damaged on the way (a proxy, a bad link): fetch it
 * again, twice at most, and report it if it stays wrong.
 */
static int get_common(struct bfs_store *st, const struct bfs_get_opts *o, struct store_req *rq,
		      struct bfs_obj_info *info_out)
{
	size_t body_start = rq->resp_body ? rq->resp_body->len : 0;
	struct get_memo m = { 0 };
	int attempt, rc;

	for (attempt = 0;; attempt++) {
		if (rq->resp_body)
			bfs_buf_truncate(rq->resp_body, body_start);
		rc = get_once(st, o, rq, &m, info_out);
		if (rc != BFS_E_INTEGRITY || attempt >= 2 || attempt >= st->cfg.retries ||
		    (rq->resp_fd >= 0 && rq->resp_off < 0) || /* a pipe: no taking back */
		    (o && o->may_retry && !o->may_retry(o->hook_arg)))
			return rc;
		bfs_log(LOG_WARNING, "GET %s: %s; fetching it again", rq->key,
			bfs_store_last_error()->message);
		store_backoff(st, attempt);
	}
}

int s3_get_fd(struct bfs_store *st, const char *key, const struct bfs_get_opts *o, int fd,
	      off_t fd_off, struct bfs_obj_info *info)
{
	struct store_req rq;

	if (store_key_utf8("GET", key))
		return -EILSEQ;
	store_req_init(&rq, BFS_OP_GET, "GET", key);
	rq.resp_fd = fd;
	rq.resp_off = fd_off;
	return get_common(st, o, &rq, info);
}

int s3_get_buf(struct bfs_store *st, const char *key, const struct bfs_get_opts *o,
	       struct bfs_buf *out, struct bfs_obj_info *info)
{
	struct store_req rq;

	if (store_key_utf8("GET", key))
		return -EILSEQ;
	store_req_init(&rq, BFS_OP_GET, "GET", key);
	rq.resp_body = out;
	return get_common(st, o, &rq, info);
}

/* Send one single-part PUT whose digests d are made. */
static int put_single(struct bfs_store *st, struct store_req *rq, const struct bfs_put_opts *o,
		      struct put_digest *d, char *etag)
{
	struct bfs_http_resp resp;
	struct store_hdrs h = { .n = 0 };
	char got[BFS_ETAG_MAX] = "";
	int rc;

	bfs_http_resp_init(&resp);
	rc = store_digest_apply(d, &h, rq);
	if (!rc)
		rc = store_hdrs_put_opts(st, &h, o);
	if (rc)
		goto out;
	rq->hdrs = &h;
	rc = store_request(st, rq, &resp);
	if (rc)
		goto out;
	(void)bfs_http_resp_header(&resp, "ETag", got, sizeof(got));
	strip_quotes(got);
	/* An MD5-shaped ETag must be ours; SSE-KMS and others give other shapes. */
	if (d->has_md5 && bfs_etag_is_md5(got) && strcasecmp(got, d->md5hex)) {
		rc = integrity_error("PUT", "the ETag returned differs from the MD5 sent");
		goto out;
	}
	/* no ETag at all: the MD5 stands for it (S3's ETag of such an object) */
	if (!got[0])
		rc = store_digest_md5(d, rq->body ? -1 : rq->body_fd, rq->body_off, rq->body,
				      rq->body_len);
	if (!rc && etag)
		snprintf(etag, BFS_ETAG_MAX, "%s", got[0] ? got : d->md5hex);
out:
	store_hdrs_release(&h);
	bfs_http_resp_release(&resp);
	return rc;
}

int s3_put_buf(struct bfs_store *st, const char *key, const void *data, size_t len,
	       const struct bfs_put_opts *o, char *etag)
{
	struct put_digest d;
	struct store_req rq;

	if (store_key_utf8("PUT", key))
		return -EILSEQ;
	store_digest_buf(st, data, len, &d);
	store_req_init(&rq, BFS_OP_PUT, "PUT", key);
	rq.body = len ? data : "";
	rq.body_len = len;
	return put_single(st, &rq, o, &d, etag);
}

int s3_put_fd(struct bfs_store *st, const char *key, int fd, off_t off, uint64_t len,
	      const struct bfs_put_opts *o, char *etag)
{
	struct put_digest d;
	struct store_req rq;
	int rc;

	if ((rc = store_put_key_ok(key)))
		return rc;
	rc = store_digest_fd(st, fd, off, len, &d);
	if (rc)
		return rc;
	store_req_init(&rq, BFS_OP_PUT, "PUT", key);
	if (len) {
		rq.body_fd = fd;
		rq.body_off = off;
	} else {
		rq.body = "";
	}
	rq.body_len = len;
	return put_single(st, &rq, o, &d, etag);
}
