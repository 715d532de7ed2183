/* SPDX-License-Identifier: MIT */
/*
 * store_s3.c - the S3 backend's table of operations (store_obj.c,
 * store_mpu.c), above both: a PUT over multipart_threshold goes to the
 * multipart upload, others to the single PUT.
 */
#include "store/store_int.h"

static int s3_put_any(struct bfs_store *st, const char *key, int fd, off_t off, uint64_t len,
		      const struct bfs_put_opts *o, char *etag)
{
	int rc;

	if (len <= st->cfg.multipart_threshold)
		return s3_put_fd(st, key, fd, off, len, o, etag);
	if ((rc = store_put_key_ok(key)))
		return rc;
	return store_mpu_put_fd(st, key, fd, off, len, o, etag);
}

const struct store_ops store_s3_ops = {
	.check = s3_check,
	.head = s3_head,
	.head_if = s3_head_if,
	.get_fd = s3_get_fd,
	.get_buf = s3_get_buf,
	.put_fd = s3_put_any,
	.put_buf = s3_put_buf,
	.delete = s3_delete,
	.delete_many = s3_delete_many,
	.list = s3_list,
	.copy = s3_copy,
	.mpu_init = s3_mpu_init,
	.mpu_part = s3_mpu_part,
	.mpu_complete = s3_mpu_complete,
	.mpu_abort = s3_mpu_abort,
	.mpu_list_parts = s3_mpu_list_parts,
	.close = NULL,
};
