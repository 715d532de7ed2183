/* SPDX-License-Identifier: MIT */
/*
 * store_digest.c - the digests a PUT's body carries (MD5 for Content-MD5
 * and the ETag check, SHA-256 for a signed payload), by the plan the
 * signature and options make (contracts in store_int.h).  Below the single
 * and the multipart PUT, which both use it.
 */
#include <string.h>

#include "bucketfs/crypto.h"
#include "store/store_int.h"

/* Which digests a PUT's body needs (store_int.h). */
static void digest_plan(const struct bfs_store *st, struct put_digest *d)
{
	int signed_body = st->cfg.signature == BFS_SIG_V4 && !st->cfg.unsigned_payload;

	memset(d, 0, sizeof(*d));
	d->has_sha = signed_body;
	d->has_md5 = !signed_body || st->cfg.content_md5;
}

static void digest_done(struct put_digest *d, const unsigned char *md5, const unsigned char *sha)
{
	if (md5) {
		bfs_base64(md5, BFS_MD5_LEN, d->md5b64, sizeof(d->md5b64));
		bfs_hex(md5, BFS_MD5_LEN, d->md5hex);
	}
	if (sha)
		bfs_hex(sha, BFS_SHA256_LEN, d->shahex);
}

int store_digest_fd(const struct bfs_store *st, int fd, off_t off, uint64_t len,
		    struct put_digest *d)
{
	unsigned char md5[BFS_MD5_LEN], sha[BFS_SHA256_LEN];
	int rc;

	digest_plan(st, d);
	rc = bfs_digest_fd(fd, off, (off_t)len, d->has_md5 ? md5 : NULL, d->has_sha ? sha : NULL);
	if (rc)
		return rc;
	digest_done(d, d->has_md5 ? md5 : NULL, d->has_sha ? sha : NULL);
	return 0;
}

void store_digest_buf(const struct bfs_store *st, const void *data, size_t len,
		      struct put_digest *d)
{
	unsigned char md5[BFS_MD5_LEN], sha[BFS_SHA256_LEN];

	digest_plan(st, d);
	if (d->has_md5)
		bfs_md5(data, len, md5);
	if (d->has_sha)
		bfs_sha256(data, len, sha);
	digest_done(d, d->has_md5 ? md5 : NULL, d->has_sha ? sha : NULL);
}

int store_digest_apply(struct put_digest *d, struct store_hdrs *h, struct store_req *rq)
{
	rq->payload_sha256 = d->has_sha ? d->shahex : "UNSIGNED-PAYLOAD";
	return d->has_md5 ? store_hdr_add(h, "Content-MD5", "%s", d->md5b64) : 0;
}

int store_digest_md5(struct put_digest *d, int fd, off_t off, const void *data, uint64_t len)
{
	unsigned char md5[BFS_MD5_LEN];
	int rc = 0;

	if (d->has_md5)
		return 0;
	if (fd >= 0)
		rc = bfs_digest_fd(fd, off, (off_t)len, md5, NULL);
	else
		bfs_md5(data, (size_t)len, md5);
	if (rc)
		return rc;
	digest_done(d, md5, NULL);
	d->has_md5 = 1;
	return 0;
}
