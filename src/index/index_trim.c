/* SPDX-License-Identifier: MIT */
/*
 * index_trim.c - what keeps the cache index within a size: the bytes its
 * pages in use hold (bfs_index_used), and forgetting children of a
 * directory with the directory marked unlisted in the same transaction
 * (bfs_index_forget).  Which entries to forget is the caller's choice
 * (src/fs/fs_itrim.c).
 *
 * DESIGN: a directory's children are one key range, so forgetting them
 * frees whole LMDB pages (which later writes reuse: data.mdb keeps its
 * largest size, the pages in use go down).  Each transaction reads at most
 * FORGET_READ children and removes at most FORGET_TXN, so a directory of
 * millions of names is forgotten in many short transactions, resumed after
 * the last key read, and no writer waits long behind it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/buf.h"
#include "index/index_codec.h"
#include "index/index_int.h"

#define FORGET_TXN 1024	 /* entries removed per transaction */
#define FORGET_READ 8192 /* children read per transaction */

struct forget_args {
	int (*fn)(void *arg, const char *name, const struct bfs_entry *e, int has_children);
	void *arg;
	char prefix[INDEX_KEY_MAX]; /* the children's: DIR "\0" */
	size_t plen;
	char dkey[INDEX_KEY_MAX]; /* the directory's own entry */
	size_t dklen;
	char resume[INDEX_KEY_MAX + 1]; /* the last key an earlier transaction read */
	size_t rlen;			/* (0: from the first child) */
	/* per transaction (reset when LMDB makes it run again): */
	char last[INDEX_KEY_MAX + 1];
	size_t llen;
	struct bfs_buf keys; /* the keys to remove: size_t length, bytes */
	uint64_t n, shown;   /* removed; of which not NEGATIVE (readdir showed them) */
	int more;
	struct bfs_entry e;
};

/* Does the child at key k (a directory) have any entry below it? */
static int child_has_entries(struct bfs_index *ix, MDB_txn *txn, const MDB_val *k, int *has)
{
	char path[INDEX_KEY_MAX + 1], prefix[INDEX_KEY_MAX];
	MDB_cursor *cur;
	MDB_val ck, cv;
	size_t plen;
	int rc;

	*has = 0;
	if (index_key_path(k->mv_data, k->mv_size, path, sizeof(path)))
		return index_bad_record(ix, k->mv_data, k->mv_size);
	if ((rc = index_dir_prefix(path, prefix, sizeof(prefix), &plen)) != 0)
		return rc == -ENAMETOOLONG ? 0 : rc; /* (no child of it can have a key) */
	if ((rc = mdb_cursor_open(txn, ix->entries, &cur)) != 0)
		return rc;
	ck.mv_size = plen;
	ck.mv_data = prefix;
	rc = mdb_cursor_get(cur, &ck, &cv, MDB_SET_RANGE);
	if (rc == 0)
		*has = ck.mv_size >= plen && !memcmp(ck.mv_data, prefix, plen);
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Read up to FORGET_READ children after a->resume, choosing with a->fn. */
static int forget_pick(struct bfs_index *ix, MDB_txn *txn, struct forget_args *a)
{
	char name[INDEX_NAME_MAX + 1];
	MDB_cursor *cur;
	MDB_val k, v;
	size_t read = 0, nl;
	int rc, has;

	if ((rc = mdb_cursor_open(txn, ix->entries, &cur)) != 0)
		return rc;
	k.mv_size = a->rlen ? a->rlen : a->plen;
	k.mv_data = a->rlen ? a->resume : a->prefix;
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	if (rc == 0 && a->rlen && k.mv_size == a->rlen && !memcmp(k.mv_data, a->resume, a->rlen))
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	for (; rc == 0 && k.mv_size > a->plen && !memcmp(k.mv_data, a->prefix, a->plen);
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (a->n == FORGET_TXN || read++ == FORGET_READ) {
			a->more = 1;
			break;
		}
		nl = k.mv_size - a->plen;
		if (nl > INDEX_NAME_MAX || index_rec_decode(v.mv_data, v.mv_size, &a->e)) {
			rc = index_bad_record(ix, k.mv_data, k.mv_size);
			break;
		}
		memcpy(name, (const char *)k.mv_data + a->plen, nl);
		name[nl] = '\0';
		memcpy(a->last, k.mv_data, k.mv_size);
		a->llen = k.mv_size;
		has = 0;
		if (a->e.type == BFS_ENT_DIR && (rc = child_has_entries(ix, txn, &k, &has)) != 0)
			break;
		rc = a->fn(a->arg, name, &a->e, has);
		if (rc < 0)
			break;
		if (rc == 1) {
			if ((rc = bfs_buf_add(&a->keys, &k.mv_size, sizeof(size_t))) ||
			    (rc = bfs_buf_add(&a->keys, k.mv_data, k.mv_size)))
				break;
			a->n++;
			a->shown += a->e.state != BFS_ST_NEGATIVE;
		}
		rc = 0;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The directory's entry, if any, as never listed completely. */
static int forget_unlist(struct bfs_index *ix, MDB_txn *txn, struct forget_args *a)
{
	unsigned char rec[INDEX_REC_MAX];
	MDB_val k = { a->dklen, a->dkey }, v;
	size_t rlen;
	int rc = mdb_get(txn, ix->entries, &k, &v);

	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (index_rec_decode(v.mv_data, v.mv_size, &a->e))
		return index_bad_record(ix, a->dkey, a->dklen);
	if (!a->e.listed_ns)
		return 0;
	a->e.listed_ns = 0;
	if ((rc = index_rec_encode(&a->e, rec, sizeof(rec), &rlen)) != 0)
		return rc;
	return index_entry_put(ix, txn, a->dkey, a->dklen, rec, rlen, a->e.state);
}

static int forget_txn(struct bfs_index *ix, MDB_txn *txn, void *arg)
{
	struct forget_args *a = arg;
	char *p, *end;
	size_t kl;
	int rc;

	a->n = a->shown = 0;
	a->more = 0;
	a->llen = 0;
	bfs_buf_reset(&a->keys);
	if ((rc = forget_pick(ix, txn, a)) != 0)
		return rc;
	p = a->keys.data;
	end = p + a->keys.len;
	while (p < end && !rc) {
		memcpy(&kl, p, sizeof(kl));
		p += sizeof(kl);
		rc = index_entry_del(ix, txn, p, kl);
		p += kl;
	}
	if (!rc && a->shown)
		rc = forget_unlist(ix, txn, a);
	return rc;
}

int bfs_index_forget(struct bfs_index *ix, const char *dir,
		     int (*fn)(void *arg, const char *name, const struct bfs_entry *e,
			       int has_children),
		     void *arg, uint64_t *forgotten)
{
	struct forget_args *a = calloc(1, sizeof(*a));
	int rc;

	*forgotten = 0;
	if (!a)
		return -ENOMEM;
	bfs_buf_init(&a->keys, 1 << 20); /* FORGET_TXN keys fit */
	a->fn = fn;
	a->arg = arg;
	rc = index_dir_prefix(dir, a->prefix, sizeof(a->prefix), &a->plen);
	if (!rc)
		rc = bfs_index_key(dir, a->dkey, sizeof(a->dkey), &a->dklen);
	if (rc == -ENAMETOOLONG)
		rc = 0, a->more = 0; /* no child of dir can have a key */
	else
		a->more = !rc;
	while (!rc && a->more) {
		rc = index_txn(ix, 0, forget_txn, a);
		if (rc)
			break;
		*forgotten += a->n;
		memcpy(a->resume, a->last, a->llen);
		a->rlen = a->llen;
		if (!a->llen)
			break; /* (nothing read: the end) */
	}
	bfs_buf_release(&a->keys);
	free(a);
	return rc;
}

static int used_txn(struct bfs_index *ix, MDB_txn *txn, void *arg)
{
	uint64_t *pages = arg;
	MDB_dbi dbs[3] = { ix->meta, ix->entries, ix->state };
	MDB_stat ms;
	int rc, i;

	*pages = 4; /* LMDB's two meta pages, the main and free databases' roots */
	for (i = 0; i < 3; i++) {
		if ((rc = mdb_stat(txn, dbs[i], &ms)) != 0)
			return rc;
		*pages += ms.ms_branch_pages + ms.ms_leaf_pages + ms.ms_overflow_pages;
	}
	return 0;
}

int bfs_index_used(struct bfs_index *ix, uint64_t *used, uint64_t *file)
{
	MDB_envinfo info;
	MDB_stat es;
	uint64_t pages = 0;
	int rc = index_txn(ix, MDB_RDONLY, used_txn, &pages);

	if (rc)
		return rc;
	if ((rc = index_err(ix, mdb_env_stat(ix->env, &es))) != 0 ||
	    (rc = index_err(ix, mdb_env_info(ix->env, &info))) != 0)
		return rc;
	*used = pages * es.ms_psize;
	*file = ((uint64_t)info.me_last_pgno + 1) * es.ms_psize;
	return 0;
}
