/* SPDX-License-Identifier: MIT */
/*
 * store_local_ops.c - the local directory backend's table of operations
 * and its opening and closing (the backend itself: store_local.c, reads;
 * store_local_write.c, writes; store_local_list.c, listings).  Above the
 * three, so that none of them calls back into another through the table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "store/store_local.h"

static int no_mpu(void)
{
	return local_fail("POST", 501, "NotImplemented", -ENOTSUP,
			  "the local store has no multipart uploads (put_fd takes any size)");
}

static int local_mpu_init(struct bfs_store *st, const char *key, const struct bfs_put_opts *o,
			  char **upload_id)
{
	(void)st, (void)key, (void)o;
	*upload_id = NULL;
	return no_mpu();
}

static int local_mpu_part(struct bfs_store *st, const char *key, const char *upload_id, int number,
			  int fd, off_t off, uint64_t len, char *etag)
{
	(void)st, (void)key, (void)upload_id, (void)number, (void)fd, (void)off, (void)len;
	(void)etag;
	return no_mpu();
}

static int local_mpu_complete(struct bfs_store *st, const char *key, const char *upload_id,
			      const struct bfs_store_part *parts, size_t n, char *etag)
{
	(void)st, (void)key, (void)upload_id, (void)parts, (void)n, (void)etag;
	return no_mpu();
}

static int local_mpu_abort(struct bfs_store *st, const char *key, const char *upload_id)
{
	(void)st, (void)key, (void)upload_id;
	return no_mpu();
}

static int local_mpu_list_parts(struct bfs_store *st, const char *key, const char *upload_id,
				struct bfs_store_parts *out)
{
	(void)st, (void)key, (void)upload_id;
	memset(out, 0, sizeof(*out));
	return no_mpu();
}

static void local_close(struct bfs_store *st)
{
	struct local *lc = st->local;

	if (!lc)
		return;
	close(lc->rootfd);
	pthread_mutex_destroy(&lc->tree_lock);
	st->cfg.local_root = NULL;
	free(lc->root);
	free(lc);
	st->local = NULL;
}

const struct store_ops store_local_ops = {
	.check = local_check,
	.head = local_head,
	.get_fd = local_get_fd,
	.get_buf = local_get_buf,
	.put_fd = local_put_fd,
	.put_buf = local_put_buf,
	.delete = local_delete,
	.delete_many = local_delete_many,
	.list = local_list,
	.copy = local_copy,
	.mpu_init = local_mpu_init,
	.mpu_part = local_mpu_part,
	.mpu_complete = local_mpu_complete,
	.mpu_abort = local_mpu_abort,
	.mpu_list_parts = local_mpu_list_parts,
	.close = local_close,
};

int store_local_open(struct bfs_store *st, char *msg, size_t msgsz)
{
	const char *root = st->cfg.local_root;
	struct local *lc;

	if (root[0] != '/') {
		snprintf(msg, msgsz, "the store directory '%s' must be an absolute path", root);
		return BFS_E_CONFIG;
	}
	lc = calloc(1, sizeof(*lc));
	if (!lc || !(lc->root = strdup(root))) {
		free(lc);
		return -ENOMEM;
	}
	lc->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lc->rootfd < 0) {
		snprintf(msg, msgsz, "cannot open the store directory %s: %s", root,
			 strerror(errno));
		free(lc->root);
		free(lc);
		return BFS_E_CONFIG;
	}
	pthread_mutex_init(&lc->tree_lock, NULL);
	atomic_init(&lc->tmp_seq, 0);
	atomic_init(&lc->no_openat2, 0);
	st->local = lc;
	st->cfg.local_root = lc->root;
	st->ops = &store_local_ops;
	return 0;
}
