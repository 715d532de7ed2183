/* SPDX-License-Identifier: MIT */
/*
 * store_presign.c - URLs anyone may GET an object with for a while:
 * SigV4 query signing, or OSS's V1 query signing in the OSS modes.
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
#include "bucketfs/osssig.h"
#include "bucketfs/sigv4.h"
#include "bucketfs/uri.h"
#include "bucketfs/xml.h"
#include "store/store_int.h"

int bfs_store_presign(struct bfs_store *st, const char *key, long expires, struct bfs_buf *url,
		      char *msg, size_t msgsz)
{
	struct bfs_buf path = BFS_BUF_INIT(8192), host = BFS_BUF_INIT(1024),
		       q = BFS_BUF_INIT(16384);
	struct store_req rq;
	struct bfs_creds *cr = st->cfg.creds;
	char date[40];
	int rc;

	if (st->local) {
		snprintf(msg, msgsz, "a file: store has no URLs to sign");
		return -ENOTSUP;
	}
	if (expires < 1 || expires > 604800) {
		snprintf(msg, msgsz, "--expires must be 1 to 604800 seconds (7 days)");
		return -EINVAL;
	}
	if ((rc = store_check_key(key)))
		return rc;
	store_req_init(&rq, BFS_OP_GET, "GET", key);
	rc = store_build_path(st, key, &path);
	if (!rc)
		rc = store_build_url(st, &rq, bfs_buf_str(&path), &q, &host); /* for host */
	if (rc)
		goto out;
	(void)bfs_creds_begin(cr);
	if (st->cfg.signature != BFS_SIG_V4) {
		struct bfs_oss_cred ocred = { cr->access_key, cr->secret_key, NULL };

		rc = bfs_buf_addf(url, "%s://%s%s?", st->scheme, bfs_buf_str(&host),
				  bfs_buf_str(&path));
		if (!rc)
			rc = bfs_oss_presign_v1(st->bucket, key, &ocred, cr->session_token,
						(long long)time(NULL) + expires, url);
	} else {
		struct bfs_sigv4_cred scred = { cr->access_key, cr->secret_key, st->region, "s3" };

		store_amzdate(date);
		bfs_buf_reset(&q);
		rc = bfs_sigv4_presign(bfs_buf_str(&path), bfs_buf_str(&host), &scred,
				       cr->session_token, date, expires, &q);
		if (!rc)
			rc = bfs_buf_addf(url, "%s://%s%s?%s", st->scheme, bfs_buf_str(&host),
					  bfs_buf_str(&path), bfs_buf_str(&q));
	}
	bfs_creds_end(cr);
out:
	bfs_buf_release(&path);
	bfs_buf_release(&host);
	if (q.data)
		bfs_wipe(q.data, q.len);
	bfs_buf_release(&q);
	return rc;
}
