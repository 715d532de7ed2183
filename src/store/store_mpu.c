/* SPDX-License-Identifier: MIT */
/*
 * store_mpu.c - multipart uploads: initiate, upload part, complete, abort,
 * list parts, and a parallel upload of a file range built on them.
 *
 * DESIGN: store_s3.c's put hands a file range above the threshold to
 * store_mpu_put_fd(), which starts cfg.parallel_parts threads.  Each takes
 * the next part number under job.lock, uploads it with its own digest,
 * and records the ETag.  The first failure stops the others and the upload
 * is aborted so no orphaned parts are left behind.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/error.h"
#include "bucketfs/xml.h"
#include "store/store_int.h"

#define MPU_MAX_PARTS 10000

int s3_mpu_init(struct bfs_store *st, const char *key, const struct bfs_put_opts *o,
		char **upload_id)
{
	static const struct bfs_kv q[] = { { "uploads", "" } };
	struct bfs_buf body = BFS_BUF_INIT(STORE_XML_MAX);
	struct store_hdrs h = { .n = 0 };
	struct bfs_http_resp resp;
	struct store_req rq;
	int rc;

	*upload_id = NULL;
	bfs_http_resp_init(&resp);
	rc = store_hdrs_put_opts(st, &h, o);
	if (rc)
		goto out;
	store_req_init(&rq, BFS_OP_POST, "POST", key);
	rq.query = q;
	rq.nquery = 1;
	rq.hdrs = &h;
	rq.body = "";
	rq.resp_body = &body;
	rc = store_request(st, &rq, &resp);
	if (!rc) {
		rc = bfs_xml_parse_initiate(body.data ? body.data : "", body.len, upload_id);
		if (rc)
			store_set_error("POST", resp.status, "MalformedResponse",
					"no UploadId in the answer to InitiateMultipartUpload");
	}
out:
	store_hdrs_release(&h);
	bfs_http_resp_release(&resp);
	bfs_buf_release(&body);
	return rc;
}

int s3_mpu_part(struct bfs_store *st, const char *key, const char *upload_id, int number, int fd,
		off_t off, uint64_t len, char *etag)
{
	char num[16], got[BFS_ETAG_MAX] = "";
	struct store_hdrs h = { .n = 0 };
	struct bfs_http_resp resp;
	struct put_digest d;
	struct store_req rq;
	struct bfs_kv q[2];
	int rc;

	rc = store_digest_fd(st, fd, off, len, &d);
	if (rc)
		return rc;
	snprintf(num, sizeof(num), "%d", number);
	q[0] = (struct bfs_kv){ "partNumber", num };
	q[1] = (struct bfs_kv){ "uploadId", upload_id };
	bfs_http_resp_init(&resp);
	store_req_init(&rq, BFS_OP_PUT, "PUT", key);
	rc = store_digest_apply(&d, &h, &rq);
	if (rc)
		goto out;
	rq.query = q;
	rq.nquery = 2;
	rq.hdrs = &h;
	rq.body_fd = fd;
	rq.body_off = off;
	rq.body_len = len;
	rc = store_request(st, &rq, &resp);
	if (rc)
		goto out;
	(void)bfs_http_resp_header(&resp, "ETag", got, sizeof(got));
	if (got[0] == '"') {
		size_t n = strlen(got);
		memmove(got, got + 1, n);
		if (n >= 2 && got[n - 2] == '"')
			got[n - 2] = '\0';
	}
	if (!got[0]) {
		/* Servers that omit it accept the part's MD5 in Complete. */
		rc = store_digest_md5(&d, fd, off, NULL, len);
		if (rc)
			goto out;
		snprintf(got, sizeof(got), "%s", d.md5hex);
	} else if (d.has_md5 && strlen(got) == 32 && strcasecmp(got, d.md5hex)) {
		store_set_error("PUT", 200, "IntegrityCheckFailed",
				"a part's ETag differs from the MD5 sent");
		rc = BFS_E_INTEGRITY;
		goto out;
	}
	snprintf(etag, BFS_ETAG_MAX, "%s", got);
out:
	store_hdrs_release(&h);
	bfs_http_resp_release(&resp);
	return rc;
}

int s3_mpu_complete(struct bfs_store *st, const char *key, const char *upload_id,
		    const struct bfs_store_part *parts, size_t n, char *etag)
{
	struct bfs_buf body = BFS_BUF_INIT(4 * 1024 * 1024), out = BFS_BUF_INIT(STORE_XML_MAX);
	struct bfs_xml_error xe;
	struct bfs_kv q[1];
	char got[BFS_ETAG_MAX] = "";
	int rc, attempt;

	q[0] = (struct bfs_kv){ "uploadId", upload_id };
	rc = bfs_xml_build_complete(&body, parts, n);
	for (attempt = 0; !rc; attempt++) {
		rc = store_post_xml(st, key, q, 1, &body, 0, &out);
		if (rc)
			break;
		memset(&xe, 0, sizeof(xe));
		rc = bfs_xml_parse_result_etag(out.data ? out.data : "", out.len, got, &xe);
		if (rc != 1)
			break;
		/* 200 with <Error>: S3's way of reporting a late failure. */
		store_set_error("POST", 200, xe.code, xe.message);
		rc = BFS_E_TRANSIENT;
		if (attempt >= st->cfg.retries)
			break;
		store_backoff(st, attempt);
		rc = 0;
	}
	if (!rc && etag) {
		struct bfs_obj_info info;

		/* radosgw leaves the ETag empty here; HEAD tells the real one. */
		if (!got[0] && s3_head(st, key, &info) == 0)
			snprintf(got, sizeof(got), "%s", info.etag);
		snprintf(etag, BFS_ETAG_MAX, "%s", got);
	}
	bfs_buf_release(&body);
	bfs_buf_release(&out);
	return rc;
}

int s3_mpu_abort(struct bfs_store *st, const char *key, const char *upload_id)
{
	struct bfs_http_resp resp;
	struct store_req rq;
	struct bfs_kv q[1];
	int rc;

	q[0] = (struct bfs_kv){ "uploadId", upload_id };
	bfs_http_resp_init(&resp);
	store_req_init(&rq, BFS_OP_DELETE, "DELETE", key);
	rq.query = q;
	rq.nquery = 1;
	rc = store_request(st, &rq, &resp);
	bfs_http_resp_release(&resp);
	return rc;
}

int s3_mpu_list_parts(struct bfs_store *st, const char *key, const char *upload_id,
		      struct bfs_store_parts *out)
{
	struct bfs_buf body = BFS_BUF_INIT(STORE_XML_MAX);
	struct bfs_http_resp resp;
	struct store_req rq;
	struct bfs_kv q[1];
	int rc;

	memset(out, 0, sizeof(*out));
	q[0] = (struct bfs_kv){ "uploadId", upload_id };
	bfs_http_resp_init(&resp);
	store_req_init(&rq, BFS_OP_GET, "GET", key);
	rq.query = q;
	rq.nquery = 1;
	rq.resp_body = &body;
	rc = store_request(st, &rq, &resp);
	if (!rc)
		rc = bfs_xml_parse_parts(body.data ? body.data : "", body.len, out);
	bfs_http_resp_release(&resp);
	bfs_buf_release(&body);
	return rc;
}

struct mpu_job {
	struct bfs_store *st;
	const char *key;
	const char *upload_id;
	int fd;
	off_t off;
	uint64_t len, part_size;
	struct bfs_store_part *parts;
	size_t nparts;
	pthread_mutex_t lock; /* guards next, rc, err */
	size_t next;
	int rc;			    /* first failure */
	struct bfs_store_error err; /* its details */
};

static void *mpu_worker(void *arg)
{
	struct mpu_job *j = arg;

	for (;;) {
		struct store_call saved;
		size_t i;
		uint64_t start, n;
		int rc;

		pthread_mutex_lock(&j->lock);
		i = j->next++;
		if (j->rc || i >= j->nparts) {
			pthread_mutex_unlock(&j->lock);
			return NULL;
		}
		pthread_mutex_unlock(&j->lock);
		start = (uint64_t)i * j->part_size;
		n = j->len - start < j->part_size ? j->len - start : j->part_size;
		j->parts[i].number = (int)i + 1;
		j->parts[i].size = n;
		/* each part a call of its own: its own request_timeout */
		store_call_enter(&saved);
		rc = s3_mpu_part(j->st, j->key, j->upload_id, (int)i + 1, j->fd,
				 j->off + (off_t)start, n, j->parts[i].etag);
		store_call_leave(&saved);
		if (rc) {
			pthread_mutex_lock(&j->lock);
			if (!j->rc) {
				j->rc = rc;
				j->err = *bfs_store_last_error();
			}
			pthread_mutex_unlock(&j->lock);
			return NULL;
		}
	}
}

/* A conditional multipart upload: check the condition with a HEAD first
 * (not atomic: a writer between the HEAD and the completion wins). */
static int mpu_precondition(struct bfs_store *st, const char *key, const struct bfs_put_opts *o)
{
	struct bfs_obj_info info;
	int rc;

	if (!o || (!o->if_match && !o->if_none_match_star))
		return 0;
	{
		struct store_call saved; /* (a call of its own, as bfs_store_head makes) */

		store_call_enter(&saved);
		rc = s3_head(st, key, &info);
		store_call_leave(&saved);
	}
	if (rc == BFS_E_NOTFOUND)
		rc = o->if_match ? BFS_E_PRECOND : 0;
	else if (!rc && (o->if_none_match_star || strcmp(info.etag, o->if_match)))
		rc = BFS_E_PRECOND;
	if (rc == BFS_E_PRECOND)
		store_set_error("PUT", 412, "PreconditionFailed",
				"the object is not the version the write was based on");
	return rc;
}

int store_mpu_put_fd(struct bfs_store *st, const char *key, int fd, off_t off, uint64_t len,
		     const struct bfs_put_opts *o, char *etag)
{
	struct mpu_job j = { .st = st, .key = key, .fd = fd, .off = off, .len = len };
	pthread_t tids[64];
	int nthreads, started = 0, i, rc;
	char *upload_id = NULL;

	j.part_size = st->cfg.part_size;
	while ((len + j.part_size - 1) / j.part_size > MPU_MAX_PARTS)
		j.part_size *= 2;
	j.nparts = (size_t)((len + j.part_size - 1) / j.part_size);
	j.parts = calloc(j.nparts, sizeof(*j.parts));
	if (!j.parts)
		return -ENOMEM;
	pthread_mutex_init(&j.lock, NULL);
	rc = mpu_precondition(st, key, o);
	if (!rc) {
		/* the conditions are not headers of CreateMultipartUpload */
		struct bfs_put_opts io = o ? *o : (struct bfs_put_opts){ 0 };

		io.if_match = NULL;
		io.if_none_match_star = 0;
		rc = s3_mpu_init(st, key, o ? &io : NULL, &upload_id);
	}
	if (rc)
		goto out;
	j.upload_id = upload_id;
	nthreads = st->cfg.parallel_parts;
	if (nthreads > 64)
		nthreads = 64;
	if ((size_t)nthreads > j.nparts)
		nthreads = (int)j.nparts;
	for (i = 1; i < nthreads; i++) {
		if (pthread_create(&tids[started], NULL, mpu_worker, &j) != 0)
			break;
		started++;
	}
	mpu_worker(&j); /* the calling thread works too */
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	rc = j.rc;
	if (!rc)
		rc = s3_mpu_complete(st, key, upload_id, j.parts, j.nparts, etag);
	else
		store_set_error(j.err.op, j.err.status, j.err.code, j.err.message);
	if (rc) {
		struct bfs_store_error saved = *bfs_store_last_error();
		struct store_call saved_call;

		/* Best effort, with time of its own (the call's may be out);
		 * the original error is what the caller needs. */
		store_call_enter(&saved_call);
		(void)s3_mpu_abort(st, key, upload_id);
		store_call_leave(&saved_call);
		store_set_error(saved.op, saved.status, saved.code, saved.message);
	}
out:
	free(upload_id);
	free(j.parts);
	pthread_mutex_destroy(&j.lock);
	return rc;
}
