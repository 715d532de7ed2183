/* SPDX-License-Identifier: MIT */
/*
 * index_entry.c - the entries of the cache index: lookups, puts, deletes,
 * moves and batches.  Directory listings and the scan by state are in
 * index_scan.c.
 *
 * Every write of an entry goes through index_entry_put()/index_entry_del(), which keep
 * the "state" database in step in the same transaction: it holds the key
 * STATE-BYTE + ENTRY-KEY for every entry whose state is not CLEAN, so
 * bfs_index_scan_state() costs in proportion to the entries in that state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/buf.h"
#include "index/index_codec.h"
#include "index/index_int.h"

/* ---- entries, with the state index kept in step ---- */

/* Add (add != 0) or remove the state index key of entry key k in state st. */
static int state_key(struct bfs_index *ix, MDB_txn *txn, const MDB_val *k, unsigned st, int add)
{
	char buf[INDEX_KEY_MAX + 1];
	MDB_val sk = { k->mv_size + 1, buf }, empty = { 0, NULL };
	int rc;

	if (st == BFS_ST_CLEAN)
		return 0;
	buf[0] = (char)st;
	memcpy(buf + 1, k->mv_data, k->mv_size);
	if (add)
		return mdb_put(txn, ix->state, &sk, &empty, 0);
	rc = mdb_del(txn, ix->state, &sk, NULL);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * The state the entry at k has now: CLEAN when there is none, -1 when its
 * record does not decode (then every state key is removed).
 */
static int state_now(struct bfs_index *ix, MDB_txn *txn, MDB_val *k, int *old)
{
	MDB_val v;
	unsigned st;
	int rc = mdb_get(txn, ix->entries, k, &v);

	if (rc == MDB_NOTFOUND) {
		*old = BFS_ST_CLEAN;
		return 0;
	}
	if (rc)
		return rc;
	*old = index_rec_state(v.mv_data, v.mv_size, &st) ? -1 : (int)st;
	return 0;
}

static int state_change(struct bfs_index *ix, MDB_txn *txn, MDB_val *k, int old, unsigned st)
{
	unsigned s;
	int rc;

	if (old == (int)st)
		return 0;
	for (s = BFS_ST_DIRTY; s <= BFS_ST_NEGATIVE; s++)
		if ((old < 0 || (unsigned)old == s) && (rc = state_key(ix, txn, k, s, 0)))
			return rc;
	return state_key(ix, txn, k, st, 1);
}

int index_entry_put(struct bfs_index *ix, MDB_txn *txn, char *key, size_t klen, void *rec,
		    size_t rlen, unsigned st)
{
	MDB_val k = { klen, key }, v = { rlen, rec };
	int rc, old;

	if ((rc = state_now(ix, txn, &k, &old)) || (rc = state_change(ix, txn, &k, old, st)))
		return rc;
	return mdb_put(txn, ix->entries, &k, &v, 0);
}

int index_entry_del(struct bfs_index *ix, MDB_txn *txn, char *key, size_t klen)
{
	MDB_val k = { klen, key };
	int rc, old;

	if ((rc = state_now(ix, txn, &k, &old)) ||
	    (rc = state_change(ix, txn, &k, old, BFS_ST_CLEAN)))
		return rc;
	rc = mdb_del(txn, ix->entries, &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* ---- single operations ---- */

/* One put or delete: a key and an encoded record (NULL: delete); with
 * cond, only when the key holds exactly the record expect (NULL: none),
 * else see same_object(). */
struct index_op {
	char *key;
	size_t klen;
	unsigned char *rec;
	size_t rlen;
	unsigned state;
	int cond;
	unsigned char *expect;
	size_t elen;
};

/*
 * A conditional put whose key changed since its maker read it: if the
 * entry there now is the same object as the one the put carries (a clean
 * file with the same ETag, or a clean directory), what the put says of it
 * that is news, that the bucket confirmed it at its validated_ns or a
 * listing showed it at its seen_ns, is kept (raised, never lowered) in the
 * entry as it is now.  1 when so written,
 * 0 when not the same object, or -errno.
 */
static int same_object(struct bfs_index *ix, MDB_txn *txn, const struct index_op *op)
{
	MDB_val k = { op->klen, op->key }, v;
	unsigned char rec[INDEX_REC_MAX];
	struct bfs_entry cur, put;
	size_t len;
	int rc = mdb_get(txn, ix->entries, &k, &v);

	if (rc == MDB_NOTFOUND || !op->rec)
		return 0;
	if (rc)
		return rc;
	if (index_rec_decode(v.mv_data, v.mv_size, &cur) ||
	    index_rec_decode(op->rec, op->rlen, &put))
		return 0;
	if (cur.state != BFS_ST_CLEAN || put.state != BFS_ST_CLEAN || cur.type != put.type ||
	    strcmp(cur.etag, put.etag) ||
	    (cur.validated_ns >= put.validated_ns && cur.seen_ns >= put.seen_ns))
		return 0;
	if (put.validated_ns > cur.validated_ns)
		cur.validated_ns = put.validated_ns;
	if (put.seen_ns > cur.seen_ns)
		cur.seen_ns = put.seen_ns;
	if (index_rec_encode(&cur, rec, sizeof(rec), &len))
		return 0;
	rc = index_entry_put(ix, txn, op->key, op->klen, rec, len, cur.state);
	return rc ? rc : 1;
}

/* Fill op with the key of path in key[] and, when e, its record in rec[]. */
static int op_prepare(struct index_op *op, const char *path, char *key, const struct bfs_entry *e,
		      unsigned char *rec)
{
	int rc = bfs_index_key(path, key, INDEX_KEY_MAX, &op->klen);

	op->key = key;
	op->rec = NULL;
	op->rlen = 0;
	op->state = BFS_ST_CLEAN;
	op->cond = 0;
	op->expect = NULL;
	op->elen = 0;
	if (rc || !e)
		return rc;
	op->rec = rec;
	op->state = e->state;
	return index_rec_encode(e, rec, INDEX_REC_MAX, &op->rlen);
}

struct ops_args {
	const struct index_op *ops;
	size_t n;
};

/* A conditional op's key still holds what its maker read: 1, else 0. */
static int op_holds(struct bfs_index *ix, MDB_txn *txn, const struct index_op *op)
{
	MDB_val k = { op->klen, op->key }, v;
	int rc = mdb_get(txn, ix->entries, &k, &v);

	if (rc == MDB_NOTFOUND)
		return !op->expect;
	if (rc)
		return rc;
	return op->expect && v.mv_size == op->elen && !memcmp(v.mv_data, op->expect, op->elen);
}

/* Apply a->ops in order, in one write transaction (a conditional one
 * whose key changed since is left out). */
static int ops_txn(struct bfs_index *ix, MDB_txn *txn, void *arg)
{
	const struct ops_args *a = arg;
	const struct index_op *op;
	int rc = 0;

	for (op = a->ops; op < a->ops + a->n && !rc; op++) {
		if (op->cond && (rc = op_holds(ix, txn, op)) <= 0) {
			if (!rc)
				rc = same_object(ix, txn, op);
			rc = rc < 0 ? rc : 0; /* (an LMDB error ends the loop) */
			continue;
		}
		rc = op->rec
			 ? index_entry_put(ix, txn, op->key, op->klen, op->rec, op->rlen, op->state)
			 : index_entry_del(ix, txn, op->key, op->klen);
	}
	return rc;
}

struct get_args {
	MDB_val k;
	struct bfs_entry *e;
};

static int get_txn(struct bfs_index *ix, MDB_txn *txn, void *arg)
{
	struct get_args *a = arg;
	MDB_val v;
	int rc = mdb_get(txn, ix->entries, &a->k, &v);

	if (rc)
		return rc;
	if (index_rec_decode(v.mv_data, v.mv_size, a->e))
		return index_bad_record(ix, a->k.mv_data, a->k.mv_size);
	return 0;
}

int bfs_index_get(struct bfs_index *ix, const char *path, struct bfs_entry *e)
{
	char key[INDEX_KEY_MAX];
	struct get_args a = { { 0, key }, e };
	int rc = bfs_index_key(path, key, sizeof(key), &a.k.mv_size);

	return rc ? rc : index_txn(ix, MDB_RDONLY, get_txn, &a);
}

struct update_args {
	MDB_val k;
	int (*fn)(void *arg, struct bfs_entry *e);
	void *arg;
	int result;
};

static int update_txn(struct bfs_index *ix, MDB_txn *txn, void *arg)
{
	struct update_args *a = arg;
	unsigned char rec[INDEX_REC_MAX];
	struct bfs_entry e;
	struct get_args g = { a->k, &e };
	size_t rlen;
	int rc = get_txn(ix, txn, &g);

	if (rc)
		return rc;
	a->result = a->fn(a->arg, &e);
	if (a->result <= 0)
		return 0;
	rc = index_rec_encode(&e, rec, sizeof(rec), &rlen);
	if (rc)
		return rc;
	return index_entry_put(ix, txn, a->k.mv_data, a->k.mv_size, rec, rlen, e.state);
}

int bfs_index_update(struct bfs_index *ix, const char *path,
		     int (*fn)(void *arg, struct bfs_entry *e), void *arg)
{
	char key[INDEX_KEY_MAX];
	struct update_args a = { { 0, key }, fn, arg, 0 };
	int rc = bfs_index_key(path, key, sizeof(key), &a.k.mv_size);

	if (!rc)
		rc = index_txn(ix, 0, update_txn, &a);
	return rc ? rc : a.result;
}

struct update_many_args {
	const char *const *paths;
	size_t n;
	int (*fn)(void *arg, size_t i, struct bfs_entry *e);
	void *arg;
};

/* fn's "store it" for one path, as update_txn's. */
static int update_one(void *arg, struct bfs_entry *e)
{
	struct update_many_args *m = arg;

	return m->fn(m->arg, m->n, e);
}

static int update_many_txn(struct bfs_index *ix, MDB_txn *txn, void *arg)
{
	struct update_many_args *m = arg, one = *m;
	char key[INDEX_KEY_MAX];
	size_t i;
	int rc;

	for (i = 0; i < m->n; i++) {
		struct update_args a = { { 0, key }, update_one, &one, 0 };

		one.n = i;
		rc = bfs_index_key(m->paths[i], key, sizeof(key), &a.k.mv_size);
		if (!rc)
			rc = update_txn(ix, txn, &a);
		if (rc == MDB_NOTFOUND)
			continue;
		if (rc)
			return rc;
		if (a.result < 0)
			return a.result;
	}
	return 0;
}

int bfs_index_update_many(struct bfs_index *ix, const char *const *paths, size_t n,
			  int (*fn)(void *arg, size_t i, struct bfs_entry *e), void *arg)
{
	struct update_many_args m = { paths, n, fn, arg };

	return n ? index_txn(ix, 0, update_many_txn, &m) : 0;
}

int bfs_index_put(struct bfs_index *ix, const char *path, const struct bfs_entry *e)
{
	return bfs_index_move(ix, NULL, path, e);
}

int bfs_index_del(struct bfs_index *ix, const char *path)
{
	return bfs_index_move(ix, path, NULL, NULL);
}

int bfs_index_move(struct bfs_index *ix, const char *from, const char *to,
		   const struct bfs_entry *e)
{
	char kfrom[INDEX_KEY_MAX], kto[INDEX_KEY_MAX];
	unsigned char rec[INDEX_REC_MAX];
	struct index_op ops[2];
	struct ops_args a = { ops, 0 };
	int rc;

	if (to && !e)
		return -EINVAL;
	if (from && (rc = op_prepare(&ops[a.n++], from, kfrom, NULL, NULL)))
		return rc;
	if (to && (rc = op_prepare(&ops[a.n++], to, kto, e, rec)))
		return rc;
	return a.n ? index_txn(ix, 0, ops_txn, &a) : 0;
}

/* ---- batches ---- */

struct bfs_index_batch {
	struct bfs_index *ix;
	struct index_op *ops; /* each op's key and record share one allocation */
	size_t n, alloc;
};

int bfs_index_batch_begin(struct bfs_index *ix, struct bfs_index_batch **out)
{
	struct bfs_index_batch *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->ix = ix;
	*out = b;
	return 0;
}

/* Append a copy of op (its key and record) to the batch. */
static int batch_add(struct bfs_index_batch *b, const struct index_op *op)
{
	struct index_op *o;
	char *mem;

	if (b->n == b->alloc) {
		size_t na = b->alloc ? b->alloc * 2 : 16;

		o = na < SIZE_MAX / sizeof(*o) ? realloc(b->ops, na * sizeof(*o)) : NULL;
		if (!o)
			return -ENOMEM;
		b->ops = o;
		b->alloc = na;
	}
	mem = malloc(op->klen + op->rlen + op->elen);
	if (!mem)
		return -ENOMEM;
	o = &b->ops[b->n++];
	*o = *op;
	o->key = mem;
	memcpy(mem, op->key, op->klen);
	if (op->rec) {
		o->rec = (unsigned char *)mem + op->klen;
		memcpy(o->rec, op->rec, op->rlen);
	}
	if (op->expect) {
		o->expect = (unsigned char *)mem + op->klen + op->rlen;
		memcpy(o->expect, op->expect, op->elen);
	}
	return 0;
}

/* The conditional form of op: only if path still holds expect. */
static int op_expect(struct index_op *op, const struct bfs_entry *expect, unsigned char *buf)
{
	op->cond = 1;
	if (!expect)
		return 0;
	op->expect = buf;
	return index_rec_encode(expect, buf, INDEX_REC_MAX, &op->elen);
}

int bfs_index_batch_put_if(struct bfs_index_batch *b, const char *path, const struct bfs_entry *e,
			   const struct bfs_entry *expect)
{
	char key[INDEX_KEY_MAX];
	unsigned char rec[INDEX_REC_MAX], ex[INDEX_REC_MAX];
	struct index_op op;
	int rc;

	if (!e)
		return -EINVAL;
	rc = op_prepare(&op, path, key, e, rec);
	if (!rc)
		rc = op_expect(&op, expect, ex);
	return rc ? rc : batch_add(b, &op);
}

int bfs_index_batch_del_if(struct bfs_index_batch *b, const char *path,
			   const struct bfs_entry *expect)
{
	char key[INDEX_KEY_MAX];
	unsigned char ex[INDEX_REC_MAX];
	struct index_op op;
	int rc = op_prepare(&op, path, key, NULL, NULL);

	if (!rc)
		rc = op_expect(&op, expect, ex);
	return rc ? rc : batch_add(b, &op);
}

int bfs_index_batch_put(struct bfs_index_batch *b, const char *path, const struct bfs_entry *e)
{
	char key[INDEX_KEY_MAX];
	unsigned char rec[INDEX_REC_MAX];
	struct index_op op;
	int rc;

	if (!e)
		return -EINVAL;
	rc = op_prepare(&op, path, key, e, rec);
	return rc ? rc : batch_add(b, &op);
}

int bfs_index_batch_del(struct bfs_index_batch *b, const char *path)
{
	char key[INDEX_KEY_MAX];
	struct index_op op;
	int rc = op_prepare(&op, path, key, NULL, NULL);

	return rc ? rc : batch_add(b, &op);
}

int bfs_index_batch_commit(struct bfs_index_batch *b)
{
	struct ops_args a = { b->ops, b->n };
	int rc = b->n ? index_txn(b->ix, 0, ops_txn, &a) : 0;

	bfs_index_batch_abort(b);
	return rc;
}

void bfs_index_batch_abort(struct bfs_index_batch *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++)
		free(b->ops[i].key);
	free(b->ops);
	free(b);
}
