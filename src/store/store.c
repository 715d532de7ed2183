/* SPDX-License-Identifier: MIT */
/*
 * store.c - the object-store client's core: configuration, opening and
 * closing, the dispatch of every operation to its backend (S3 or the local
 * directory), and the counters.  Requests themselves (URLs, signing, the
 * retry loop, errors) are store_req.c; presigned URLs store_presign.c.
 *
 * DESIGN: struct bfs_store is immutable after bfs_store_open() except for
 * its atomic counters and its reachability (store_health.c, under its own
 * lock), so any number of threads may use it.  The details of a thread's
 * last failure live in thread-local storage.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/creds.h"
#include "bucketfs/crypto.h"
#include "bucketfs/error.h"
#include "bucketfs/http.h"
#include "bucketfs/osssig.h"
#include "bucketfs/uri.h"
#include "bucketfs/xml.h"
#include "store/store_int.h"

void bfs_store_cfg_defaults(struct bfs_store_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->region = "us-east-1";
	cfg->retries = 4;
	cfg->retry_base_ms = 200;
	cfg->connect_timeout_ms = 5000;
	cfg->stall_timeout_s = 30;
	cfg->request_timeout_s = 60;
	cfg->multipart_threshold = 64ULL << 20;
	cfg->part_size = 16ULL << 20;
	cfg->parallel_parts = 4;
}

int bfs_store_acl_known(const char *acl)
{
	/* S3's canned ACLs, and OSS's (which adds "default": the bucket's) */
	static const char *const known[] = {
		"private",
		"public-read",
		"public-read-write",
		"authenticated-read",
		"aws-exec-read",
		"bucket-owner-read",
		"bucket-owner-full-control",
		"log-delivery-write",
		"default",
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(acl, known[i]))
			return 1;
	return 0;
}

/* S3 bucket names: 3-63 of [a-z0-9.-] (legacy names may have _ and capitals). */
static int valid_bucket(const char *b)
{
	size_t n = strlen(b), i;

	if (n < 1 || n > 255)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];
		if (!isalnum(c) && c != '.' && c != '-' && c != '_')
			return 0;
	}
	return 1;
}

/* Split "scheme://host[:port][/]" into owned scheme and hostport; the URL
 * is read by libcurl's parser (bfs_url_parse), as it will be to connect. */
static int parse_endpoint(struct bfs_store *st, const char *url, char *msg, size_t msgsz)
{
	struct bfs_url u;
	char why[128];
	const char *p;
	int rc;

	if (strncasecmp(url, "http://", 7) && strncasecmp(url, "https://", 8)) {
		snprintf(msg, msgsz, "endpoint '%s' must start with http:// or https://", url);
		return BFS_E_CONFIG;
	}
	rc = bfs_url_parse(url, &u, why, sizeof(why));
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		snprintf(msg, msgsz, "endpoint '%s' is not a valid URL: %s%s", url,
			 rc == -ERANGE ? "invalid port: " : "", why);
		return BFS_E_CONFIG;
	}
	rc = BFS_E_CONFIG;
	if ((u.path && strcmp(u.path, "/")) || u.query || u.fragment) {
		snprintf(msg, msgsz,
			 "endpoint '%s' must not have a path, query or fragment "
			 "(put the bucket and prefix in BUCKET[:/PREFIX])",
			 url);
		goto out;
	}
	if (!u.host || !u.host[0] || u.user) {
		snprintf(msg, msgsz, "endpoint '%s' has no host name (or has user info)", url);
		goto out;
	}
	/* (libcurl takes more in a host name than DNS does: "~") */
	for (p = u.host; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!isalnum(c) && !strchr(".-:[]_", c)) {
			snprintf(msg, msgsz, "endpoint '%s' has an invalid character in the host",
				 url);
			goto out;
		}
	}
	rc = -ENOMEM;
	st->scheme = strdup(u.scheme);
	if (!u.port)
		st->hostport = strdup(u.host);
	else if (asprintf(&st->hostport, "%s:%s", u.host, u.port) < 0)
		st->hostport = NULL;
	if (st->scheme && st->hostport)
		rc = 0;
out:
	bfs_url_release(&u);
	return rc;
}

static struct bfs_store *store_alloc(const struct bfs_store_cfg *cfg)
{
	struct bfs_store *st = calloc(1, sizeof(*st));

	if (st) {
		st->cfg = *cfg;
		store_health_init(st);
	}
	return st;
}

int bfs_store_open(const struct bfs_store_cfg *cfg, struct bfs_store **out, char *msg, size_t msgsz)
{
	struct bfs_http_opts ho = { 0 };
	struct bfs_store *st;
	int rc;

	msg[0] = '\0';
	if (cfg->local_root) {
		st = store_alloc(cfg);
		if (!st)
			return -ENOMEM;
		st->hp = "x-amz-";
		st->bucket = strdup(cfg->bucket ? cfg->bucket : "file");
		rc = st->bucket ? store_local_open(st, msg, msgsz) : -ENOMEM;
		if (rc) {
			free(st->bucket);
			store_health_fini(st);
			free(st);
			return rc;
		}
		*out = st;
		return 0;
	}
	if (!cfg->endpoint || !cfg->bucket || !cfg->creds) {
		snprintf(msg, msgsz, "endpoint, bucket and credentials are required");
		return BFS_E_CONFIG;
	}
	if (!valid_bucket(cfg->bucket)) {
		snprintf(msg, msgsz, "invalid bucket name '%s'", cfg->bucket);
		return BFS_E_CONFIG;
	}
	st = store_alloc(cfg);
	if (!st)
		return -ENOMEM;
	st->ops = &store_s3_ops;
	if (cfg->signature == BFS_SIG_OSS_V1 || cfg->signature == BFS_SIG_OSS_V4) {
		st->hp = "x-oss-";
		st->cfg.unsigned_payload = 1; /* OSS signs no payload hash */
		st->signature_hdr_copy = "x-oss-copy-source";
		st->signature_hdr_directive = "x-oss-metadata-directive";
	} else {
		st->hp = "x-amz-";
		st->signature_hdr_copy = "x-amz-copy-source";
		st->signature_hdr_directive = "x-amz-metadata-directive";
	}
	rc = parse_endpoint(st, cfg->endpoint, msg, msgsz);
	if (rc)
		goto out_free;
	rc = -ENOMEM;
	st->bucket = strdup(cfg->bucket);
	st->region = strdup(cfg->region && *cfg->region ? cfg->region : "us-east-1");
	if (!st->bucket || !st->region)
		goto out_free;
	if (asprintf(&st->endpoint, "%s://%s", st->scheme, st->hostport) < 0) {
		st->endpoint = NULL;
		goto out_free;
	}
	st->cfg.bucket = st->bucket;
	st->cfg.region = st->region;
	if (cfg->acl && !bfs_store_acl_known(cfg->acl)) {
		snprintf(msg, msgsz, "unknown canned ACL '%s'", cfg->acl);
		rc = BFS_E_CONFIG;
		goto out_free;
	}
	if (cfg->acl && !(st->acl = strdup(cfg->acl)))
		goto out_free;
	st->cfg.acl = st->acl;
	st->cfg.endpoint = st->endpoint;
	if (st->cfg.retries < 0)
		st->cfg.retries = 0;
	if (st->cfg.retry_base_ms <= 0)
		st->cfg.retry_base_ms = 200;
	if (st->cfg.part_size < (5ULL << 20))
		st->cfg.part_size = 5ULL << 20;
	if (st->cfg.multipart_threshold < st->cfg.part_size)
		st->cfg.multipart_threshold = st->cfg.part_size;
	if (st->cfg.parallel_parts < 1)
		st->cfg.parallel_parts = 1;
	ho.connect_timeout_ms = cfg->connect_timeout_ms;
	ho.stall_timeout_s = cfg->stall_timeout_s;
	ho.ca_bundle = cfg->ca_bundle;
	ho.insecure = cfg->insecure;
	ho.verbose = cfg->verbose;
	st->cfg.ca_bundle = NULL; /* http keeps its own copy */
	rc = bfs_http_new(&ho, &st->http);
	if (rc) {
		snprintf(msg, msgsz, "cannot initialise the HTTP client: %s", bfs_strerror(rc));
		goto out_free;
	}
	*out = st;
	return 0;

out_free:
	bfs_store_close(st);
	return rc;
}

void bfs_store_close(struct bfs_store *st)
{
	if (!st)
		return;
	if (st->ops && st->ops->close)
		st->ops->close(st);
	bfs_http_free(st->http);
	free(st->bucket);
	free(st->region);
	free(st->acl);
	free(st->scheme);
	free(st->hostport);
	free(st->endpoint);
	store_health_fini(st);
	free(st);
}

const char *bfs_store_bucket(const struct bfs_store *st)
{
	return st->bucket;
}

const char *bfs_store_endpoint(const struct bfs_store *st)
{
	return st->endpoint ? st->endpoint : st->cfg.local_root;
}

/* The public operations: one backend call each (contracts in store.h),
 * each a call with a deadline of its own (request_timeout, store_int.h). */
#define RETURN_AS_CALL(op)                                                                         \
	do {                                                                                       \
		struct store_call saved_;                                                          \
		int rc_;                                                                           \
                                                                                                   \
		store_call_enter(&saved_);                                                         \
		rc_ = (op);                                                                        \
		store_call_leave(&saved_);                                                         \
		return rc_;                                                                        \
	} while (0)

int bfs_store_check(struct bfs_store *st)
{
	RETURN_AS_CALL(st->ops->check(st));
}

int bfs_store_head(struct bfs_store *st, const char *key, struct bfs_obj_info *info)
{
	RETURN_AS_CALL(st->ops->head(st, key, info));
}

int bfs_store_head_if(struct bfs_store *st, const char *key, const char *if_none_match,
		      struct bfs_obj_info *info)
{
	struct store_call saved;
	int rc;

	store_call_enter(&saved);
	if (st->ops->head_if) {
		rc = st->ops->head_if(st, key, if_none_match, info);
	} else {
		rc = st->ops->head(st, key, info);
		if (!rc && if_none_match && !strcmp(info->etag, if_none_match))
			rc = BFS_E_NOTMODIFIED;
	}
	store_call_leave(&saved);
	return rc;
}

int bfs_store_get_fd(struct bfs_store *st, const char *key, const struct bfs_get_opts *o, int fd,
		     off_t fd_off, struct bfs_obj_info *info)
{
	RETURN_AS_CALL(st->ops->get_fd(st, key, o, fd, fd_off, info));
}

int bfs_store_get_buf(struct bfs_store *st, const char *key, const struct bfs_get_opts *o,
		      struct bfs_buf *out, struct bfs_obj_info *info)
{
	RETURN_AS_CALL(st->ops->get_buf(st, key, o, out, info));
}

int bfs_store_put_fd(struct bfs_store *st, const char *key, int fd, off_t off, uint64_t len,
		     const struct bfs_put_opts *o, char *etag)
{
	RETURN_AS_CALL(st->ops->put_fd(st, key, fd, off, len, o, etag));
}

int bfs_store_put_buf(struct bfs_store *st, const char *key, const void *data, size_t len,
		      const struct bfs_put_opts *o, char *etag)
{
	RETURN_AS_CALL(st->ops->put_buf(st, key, data, len, o, etag));
}

int bfs_store_delete(struct bfs_store *st, const char *key)
{
	RETURN_AS_CALL(st->ops->delete (st, key));
}

int bfs_store_delete_many(struct bfs_store *st, const char *const *keys, size_t n, size_t *nfailed)
{
	RETURN_AS_CALL(st->ops->delete_many(st, keys, n, nfailed));
}

int bfs_store_list(struct bfs_store *st, const char *prefix, const char *delimiter,
		   const char *token, int max_keys, struct bfs_listing *out)
{
	RETURN_AS_CALL(st->ops->list(st, prefix, delimiter, token, NULL, max_keys, out));
}

int bfs_store_probe(struct bfs_store *st, const char *prefix)
{
	struct bfs_listing l;
	struct store_call saved;
	int rc;

	store_call_enter(&saved);
	store_call_probe();
	atomic_fetch_add(&st->probes, 1);
	rc = st->ops->list(st, prefix ? prefix : "", "/", NULL, NULL, 1, &l);
	store_call_leave(&saved);
	if (!rc)
		bfs_listing_release(&l);
	return rc;
}

int bfs_store_list_after(struct bfs_store *st, const char *prefix, const char *delimiter,
			 const char *start_after, int max_keys, struct bfs_listing *out)
{
	RETURN_AS_CALL(st->ops->list(st, prefix, delimiter, NULL, start_after, max_keys, out));
}

int bfs_store_copy(struct bfs_store *st, const char *src, const char *dst,
		   const struct bfs_put_opts *o, char *etag)
{
	RETURN_AS_CALL(st->ops->copy(st, src, dst, o, etag));
}

int bfs_store_mpu_init(struct bfs_store *st, const char *key, const struct bfs_put_opts *o,
		       char **upload_id)
{
	RETURN_AS_CALL(st->ops->mpu_init(st, key, o, upload_id));
}

int bfs_store_mpu_part(struct bfs_store *st, const char *key, const char *upload_id, int number,
		       int fd, off_t off, uint64_t len, char *etag)
{
	RETURN_AS_CALL(st->ops->mpu_part(st, key, upload_id, number, fd, off, len, etag));
}

int bfs_store_mpu_complete(struct bfs_store *st, const char *key, const char *upload_id,
			   const struct bfs_store_part *parts, size_t n, char *etag)
{
	RETURN_AS_CALL(st->ops->mpu_complete(st, key, upload_id, parts, n, etag));
}

int bfs_store_mpu_abort(struct bfs_store *st, const char *key, const char *upload_id)
{
	RETURN_AS_CALL(st->ops->mpu_abort(st, key, upload_id));
}

int bfs_store_mpu_list_parts(struct bfs_store *st, const char *key, const char *upload_id,
			     struct bfs_store_parts *out)
{
	RETURN_AS_CALL(st->ops->mpu_list_parts(st, key, upload_id, out));
}

void bfs_store_get_stats(struct bfs_store *st, struct bfs_store_stats *out)
{
	int i, b;

	for (i = 0; i < 8; i++) {
		for (b = 0; b < BFS_LAT_BUCKETS; b++)
			out->lat_count[i][b] = atomic_load(&st->lat_count[i][b]);
		out->lat_sum_us[i] = atomic_load(&st->lat_sum_us[i]);
	}
	for (i = 0; i < BFS_E_LAST - BFS_E_FIRST - 1; i++)
		out->errors[i] = atomic_load(&st->errors[i]);
	for (i = 0; i < 8; i++)
		out->requests[i] = atomic_load(&st->requests[i]);
	out->retries = atomic_load(&st->retries);
	out->bytes_up = atomic_load(&st->bytes_up);
	out->bytes_down = atomic_load(&st->bytes_down);
	out->probes = atomic_load(&st->probes);
	out->probes_failed = atomic_load(&st->probes_failed);
}
