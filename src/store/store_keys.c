/* SPDX-License-Identifier: MIT */
/*
 * store_keys.c - the S3 backend's operations on keys rather than one
 * object's bytes: DELETE, DeleteObjects (in batches of 1000), ListObjects
 * (V2, or V1 for servers without it), CopyObject, and the bucket check.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bucketfs/error.h"
#include "bucketfs/log.h"
#include "bucketfs/range.h"
#include "bucketfs/uri.h"
#include "bucketfs/xml.h"
#include "store/store_int.h"

int s3_delete(struct bfs_store *st, const char *key)
{
	struct bfs_http_resp resp;
	struct store_req rq;
	int rc = store_key_utf8("DELETE", key);

	if (rc)
		return rc;
	bfs_http_resp_init(&resp);
	store_req_init(&rq, BFS_OP_DELETE, "DELETE", key);
	rc = store_request(st, &rq, &resp);
	bfs_http_resp_release(&resp);
	return rc == BFS_E_NOTFOUND ? 0 : rc;
}

static int delete_batch(struct bfs_store *st, const char *const *keys, size_t n, size_t *nfailed)
{
	static const struct bfs_kv q[] = { { "delete", "" } };
	struct bfs_buf body = BFS_BUF_INIT(16 * 1024 * 1024), out = BFS_BUF_INIT(STORE_XML_MAX);
	struct bfs_buf first_key = BFS_BUF_INIT(4096);
	struct bfs_xml_error xe;
	size_t ndel = 0, nerr = 0;
	int rc;

	rc = bfs_xml_build_delete(&body, keys, n);
	if (!rc)
		rc = store_post_xml(st, NULL, q, 1, &body, 1, &out);
	if (rc)
		goto out;
	memset(&xe, 0, sizeof(xe));
	rc = bfs_xml_parse_delete(out.data ? out.data : "", out.len, &ndel, &nerr, &first_key, &xe);
	if (rc)
		goto out;
	if (nerr) {
		char what[600];

		snprintf(what, sizeof(what), "%s: %s", bfs_buf_str(&first_key), xe.message);
		store_set_error("POST", 200, xe.code, what);
		*nfailed += nerr;
		rc = BFS_E_BADREQ;
	}
out:
	bfs_buf_release(&body);
	bfs_buf_release(&out);
	bfs_buf_release(&first_key);
	return rc;
}

int s3_delete_many(struct bfs_store *st, const char *const *keys, size_t n, size_t *nfailed)
{
	size_t i, failed = 0;
	int rc = 0, brc;

	for (i = 0; i < n; i += 1000) {
		brc = delete_batch(st, keys + i, n - i < 1000 ? n - i : 1000, &failed);
		if (brc && brc != BFS_E_BADREQ)
			return brc;
		if (brc)
			rc = brc;
	}
	if (nfailed)
		*nfailed = failed;
	return rc;
}

/* s holds a character XML 1.0 cannot carry (a C0 control but tab, LF and
 * CR; U+FFFE, U+FFFF), not even as a character reference. */
static int xml_unsafe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') ||
		    (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)))
			return 1;
	return 0;
}

/*
 * radosgw echoes the request's prefix in the answer's own <Prefix> without
 * encoding it, encoding-type=url or not; with a character XML cannot carry
 * the answer is no XML any parser accepts.  bucketfs does not use that
 * element (the keys and common prefixes are encoded): empty it.
 */
static void blank_prefix_echo(struct bfs_buf *body)
{
	char *start, *end, *first;

	if (!body->data)
		return;
	start = strstr(body->data, "<Prefix>");
	first = strstr(body->data, "<Contents>");
	end = strstr(body->data, "<CommonPrefixes>");
	if (!first || (end && end < first))
		first = end;
	if (!start || (first && first < start))
		return;
	start += strlen("<Prefix>");
	end = strstr(start, "</Prefix>");
	if (!end)
		return;
	memmove(start, end, body->len - (size_t)(end - body->data) + 1);
	body->len -= (size_t)(end - start);
}

/* A server that lists a key S3 cannot hold: leave it out (see utf8_valid). */
static void drop_non_utf8(struct bfs_listing *l)
{
	size_t i, n;

	for (i = n = 0; i < l->nobjects; i++) {
		if (bfs_utf8_valid(l->objects[i].key))
			l->objects[n++] = l->objects[i];
		else
			free(l->objects[i].key);
	}
	l->nobjects = n;
	for (i = n = 0; i < l->nprefixes; i++) {
		if (bfs_utf8_valid(l->prefixes[i]))
			l->prefixes[n++] = l->prefixes[i];
		else
			free(l->prefixes[i]);
	}
	l->nprefixes = n;
}

int s3_list(struct bfs_store *st, const char *prefix, const char *delimiter, const char *token,
	    const char *start_after, int max_keys, struct bfs_listing *out)
{
	struct bfs_buf body = BFS_BUF_INIT(STORE_XML_MAX);
	struct bfs_http_resp resp;
	struct store_req rq;
	struct bfs_kv q[6];
	char mk[16];
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store_key_utf8("GET", prefix) || (start_after && store_key_utf8("GET", start_after)))
		return -EILSEQ;
	if (!st->cfg.list_v1)
		q[n++] = (struct bfs_kv){ "list-type", "2" };
	q[n++] = (struct bfs_kv){ "encoding-type", "url" };
	if (prefix && *prefix)
		q[n++] = (struct bfs_kv){ "prefix", prefix };
	if (delimiter && *delimiter)
		q[n++] = (struct bfs_kv){ "delimiter", delimiter };
	if (token && *token)
		q[n++] =
		    (struct bfs_kv){ st->cfg.list_v1 ? "marker" : "continuation-token", token };
	else if (start_after && *start_after) /* V1's marker is a key too */
		q[n++] = (struct bfs_kv){ st->cfg.list_v1 ? "marker" : "start-after", start_after };
	if (max_keys > 0) {
		snprintf(mk, sizeof(mk), "%d", max_keys);
		q[n++] = (struct bfs_kv){ "max-keys", mk };
	}
	bfs_http_resp_init(&resp);
	store_req_init(&rq, BFS_OP_LIST, "GET", NULL);
	rq.query = q;
	rq.nquery = n;
	rq.resp_body = &body;
	rc = store_request(st, &rq, &resp);
	if (!rc && prefix && xml_unsafe(prefix))
		blank_prefix_echo(&body);
	if (!rc) {
		/* Decode keys only when the answer says it encoded them
		 * (<EncodingType>url</EncodingType>): a server that ignores
		 * encoding-type sends raw keys, and '+' or '%' in them must stay. */
		rc = bfs_xml_parse_list(body.data ? body.data : "", body.len, 0, out);
		if (rc)
			store_set_error("GET", resp.status, "MalformedListing",
					"the listing could not be parsed");
		else if (out->truncated && out->next_token && token && *token &&
			 (st->cfg.list_v1 ? strcmp(out->next_token, token) <= 0
					  : !strcmp(out->next_token, token))) {
			/* a next page that is this page (or before it) again would
			 * have every caller list forever */
			bfs_listing_release(out);
			memset(out, 0, sizeof(*out));
			store_set_error("GET", resp.status, "MalformedListing",
					"the listing's next page token does not move forward");
			rc = BFS_E_PROTO;
		} else {
			drop_non_utf8(out);
		}
	}
	bfs_http_resp_release(&resp);
	bfs_buf_release(&body);
	return rc;
}

static int copy_once(struct bfs_store *st, const char *src, const char *dst,
		     const struct bfs_put_opts *o, char *etag)
{
	struct bfs_buf body = BFS_BUF_INIT(STORE_XML_MAX), srcpath = BFS_BUF_INIT(8192);
	struct store_hdrs h = { .n = 0 };
	struct bfs_http_resp resp;
	struct bfs_xml_error xe;
	struct store_req rq;
	char got[BFS_ETAG_MAX] = "";
	int rc;

	if ((rc = store_check_key(src)) || (rc = store_key_utf8("PUT", src)) ||
	    (rc = store_key_utf8("PUT", dst)))
		return rc;
	bfs_http_resp_init(&resp);
	rc = bfs_buf_addf(&srcpath, "/%s/", st->bucket);
	if (!rc)
		rc = bfs_uri_encode(&srcpath, src, strlen(src), 1);
	if (!rc)
		rc = store_hdr_add(&h, st->signature_hdr_copy, "%s", bfs_buf_str(&srcpath));
	if (!rc)
		rc = store_hdr_add(&h, st->signature_hdr_directive, o ? "REPLACE" : "COPY");
	/* a copy is private unless it says otherwise, whatever its source was */
	if (!rc)
		rc = o ? store_hdrs_put_opts(st, &h, o) : store_hdrs_acl(st, &h);
	if (rc)
		goto out;
	store_req_init(&rq, BFS_OP_COPY, "PUT", dst);
	rq.hdrs = &h;
	rq.body = "";
	rq.resp_body = &body;
	rc = store_request(st, &rq, &resp);
	if (rc)
		goto out;
	memset(&xe, 0, sizeof(xe));
	rc = bfs_xml_parse_result_etag(body.data ? body.data : "", body.len, got, &xe);
	if (rc == 1) {
		/* 200 OK carrying an <Error>: the copy failed after all, and S3
		 * documents this for transient failures: let the caller retry. */
		store_set_error("PUT", 200, xe.code, xe.message);
		rc = BFS_E_TRANSIENT;
	}
	if (etag)
		snprintf(etag, BFS_ETAG_MAX, "%s", got);
out:
	store_hdrs_release(&h);
	bfs_http_resp_release(&resp);
	bfs_buf_release(&body);
	bfs_buf_release(&srcpath);
	return rc;
}

int s3_copy(struct bfs_store *st, const char *src, const char *dst, const struct bfs_put_opts *o,
	    char *etag)
{
	int attempt, rc;

	for (attempt = 0;; attempt++) {
		rc = copy_once(st, src, dst, o, etag);
		if (rc != BFS_E_TRANSIENT || attempt >= st->cfg.retries)
			return rc;
		store_backoff(st, attempt);
	}
}

int s3_check(struct bfs_store *st)
{
	struct bfs_http_resp resp;
	struct bfs_listing l;
	struct store_req rq;
	int rc;

	bfs_http_resp_init(&resp);
	store_req_init(&rq, BFS_OP_HEAD, "HEAD", NULL);
	rc = store_request(st, &rq, &resp);
	bfs_http_resp_release(&resp);
	if (rc == BFS_E_NOTFOUND) {
		store_set_error("HEAD", 404, "NoSuchBucket", st->bucket);
		return BFS_E_NOBUCKET;
	}
	if (rc == 0 || (rc != BFS_E_DENIED && rc != BFS_E_BADREQ))
		return rc;
	/* HEAD answers carry no body: ask again with a GET to learn why. */
	rc = s3_list(st, NULL, NULL, NULL, NULL, 1, &l);
	if (!rc)
		bfs_listing_release(&l);
	return rc;
}
