/* SPDX-License-Identifier: MIT */
/*
 * index_scan.c - listings of the cache index: a directory's children (all,
 * or those after a name) and the entries in one state (the journal's scan).
 *
 * DESIGN: listings (children, scan by state) read at most SCAN_BATCH entries
 * per read transaction, copy the raw keys and records into a buffer, end
 * the transaction, and only then decode them and call the caller's function,
 * which may therefore call the index again (even to write).  The next batch
 * starts after the last key handed out, so entries added or removed between
 * batches are seen or not depending on where they sort.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/buf.h"
#include "index/index_codec.h"
#include "index/index_int.h"

#define SCAN_BATCH 64		     /* entries per read transaction */
#define SCAN_BATCH_BYTES (256 << 10) /* or fewer, when their records are large */
#define SCAN_BUF_MAX (64 << 20)	     /* cap: a sane record is far smaller */

/* ---- listings ---- */

/*
 * A walk over the keys of dbi that start with prefix, SCAN_BATCH at a time.
 * Each batch is copied into items as records of
 *   size_t klen, key bytes, size_t vlen, value bytes
 * where for the state index (lookup set) the value is the entry's record
 * (vlen 0 when the entry is missing, which a consistent index never has).
 */
struct scan {
	MDB_dbi dbi;
	int lookup; /* dbi is the state index */
	char *prefix;
	size_t plen;
	char resume[INDEX_KEY_MAX + 1]; /* the last key handed out ... */
	size_t rlen;			/* ... and its length, 0 = start at prefix */
	struct bfs_buf items;
	int more; /* the batch stopped before the range's end */
};

static int scan_add(struct scan *s, const MDB_val *k, const MDB_val *v)
{
	int rc;

	if ((rc = bfs_buf_add(&s->items, &k->mv_size, sizeof(size_t))) ||
	    (rc = bfs_buf_add(&s->items, k->mv_data, k->mv_size)) ||
	    (rc = bfs_buf_add(&s->items, &v->mv_size, sizeof(size_t))))
		return rc;
	return bfs_buf_add(&s->items, v->mv_data, v->mv_size);
}

static int scan_in_range(const struct scan *s, const MDB_val *k)
{
	return k->mv_size >= s->plen && memcmp(k->mv_data, s->prefix, s->plen) == 0;
}

static int scan_fill(struct bfs_index *ix, MDB_txn *txn, void *arg)
{
	struct scan *s = arg;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, n = 0;

	bfs_buf_reset(&s->items);
	s->more = 0;
	if ((rc = mdb_cursor_open(txn, s->dbi, &cur)) != 0)
		return rc;
	k.mv_size = s->rlen ? s->rlen : s->plen;
	k.mv_data = s->rlen ? s->resume : s->prefix;
	/* LMDB refuses an empty key: an empty prefix starts at the first key */
	rc = mdb_cursor_get(cur, &k, &v, k.mv_size ? MDB_SET_RANGE : MDB_FIRST);
	if (rc == 0 && s->rlen && k.mv_size == s->rlen && !memcmp(k.mv_data, s->resume, s->rlen))
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	for (; rc == 0 && scan_in_range(s, &k); rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (n == SCAN_BATCH || s->items.len >= SCAN_BATCH_BYTES) {
			s->more = 1;
			break;
		}
		if (s->lookup) {
			MDB_val ek = { k.mv_size - 1, (char *)k.mv_data + 1 };

			rc = mdb_get(txn, ix->entries, &ek, &v);
			if (rc == MDB_NOTFOUND)
				v.mv_size = 0;
			else if (rc)
				break;
		}
		if ((rc = scan_add(s, &k, &v)) != 0)
			break;
		n++;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* One item of a batch, as scan_each() hands it to its function. */
typedef int (*scan_item_fn)(struct bfs_index *ix, const char *key, size_t klen, const void *rec,
			    size_t rlen, void *arg);

/* Call fn for every item of the range, batch after batch, outside any transaction. */
static int scan_each(struct bfs_index *ix, struct scan *s, scan_item_fn fn, void *arg)
{
	size_t off, klen, vlen;
	const char *key, *val;
	int rc;

	bfs_buf_init(&s->items, SCAN_BUF_MAX);
	do {
		if ((rc = index_txn(ix, MDB_RDONLY, scan_fill, s)) != 0)
			break;
		for (off = 0; off < s->items.len && !rc;) {
			memcpy(&klen, s->items.data + off, sizeof(size_t));
			key = s->items.data + off + sizeof(size_t);
			off += sizeof(size_t) + klen;
			memcpy(&vlen, s->items.data + off, sizeof(size_t));
			val = s->items.data + off + sizeof(size_t);
			off += sizeof(size_t) + vlen;
			if (klen > sizeof(s->resume)) {
				rc = index_bad_record(ix, key, klen);
				break;
			}
			memcpy(s->resume, key, klen);
			s->rlen = klen;
			rc = fn(ix, key, klen, val, vlen, arg);
		}
	} while (!rc && s->more);
	bfs_buf_release(&s->items);
	return rc;
}

struct children_args {
	size_t plen;
	int (*fn)(void *arg, const char *name, const struct bfs_entry *e);
	void *arg;
	struct bfs_entry e;
	char name[INDEX_NAME_MAX + 1];
};

static int child_item(struct bfs_index *ix, const char *key, size_t klen, const void *rec,
		      size_t rlen, void *arg)
{
	struct children_args *a = arg;
	size_t nlen = klen - a->plen;

	if (nlen == 0 || nlen > INDEX_NAME_MAX || index_rec_decode(rec, rlen, &a->e))
		return index_bad_record(ix, key, klen);
	memcpy(a->name, key + a->plen, nlen);
	a->name[nlen] = '\0';
	return a->fn(a->arg, a->name, &a->e);
}

int bfs_index_children_after(struct bfs_index *ix, const char *dir, const char *after,
			     int (*fn)(void *arg, const char *name, const struct bfs_entry *e),
			     void *arg)
{
	char prefix[INDEX_KEY_MAX];
	struct scan s = { .dbi = ix->entries, .prefix = prefix };
	struct children_args a = { .fn = fn, .arg = arg };
	size_t alen = after ? strlen(after) : 0;
	int rc = index_dir_prefix(dir, prefix, sizeof(prefix), &s.plen);

	if (rc)
		return rc == -ENAMETOOLONG ? 0 : rc; /* no child could be indexed */
	if (alen) {
		/* resume past the key dir's child "after" has (or would have) */
		if (alen > INDEX_NAME_MAX || s.plen + alen > sizeof(s.resume))
			return -EINVAL;
		memcpy(s.resume, prefix, s.plen);
		memcpy(s.resume + s.plen, after, alen);
		s.rlen = s.plen + alen;
	}
	a.plen = s.plen;
	return scan_each(ix, &s, child_item, &a);
}

int bfs_index_children(struct bfs_index *ix, const char *dir,
		       int (*fn)(void *arg, const char *name, const struct bfs_entry *e), void *arg)
{
	return bfs_index_children_after(ix, dir, NULL, fn, arg);
}

struct has_args {
	char *prefix;
	size_t plen;
	int found;
};

static int has_txn(struct bfs_index *ix, MDB_txn *txn, void *arg)
{
	struct has_args *a = arg;
	MDB_cursor *cur;
	MDB_val k = { a->plen, a->prefix }, v;
	unsigned st;
	int rc;

	a->found = 0;
	if ((rc = mdb_cursor_open(txn, ix->entries, &cur)) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	     rc == 0 && k.mv_size >= a->plen && !memcmp(k.mv_data, a->prefix, a->plen);
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (index_rec_state(v.mv_data, v.mv_size, &st)) {
			rc = index_bad_record(ix, k.mv_data, k.mv_size);
			break;
		}
		if (st != BFS_ST_NEGATIVE) {
			a->found = 1;
			break;
		}
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int bfs_index_has_children(struct bfs_index *ix, const char *dir)
{
	char prefix[INDEX_KEY_MAX];
	struct has_args a = { prefix, 0, 0 };
	int rc = index_dir_prefix(dir, prefix, sizeof(prefix), &a.plen);

	if (rc)
		return rc == -ENAMETOOLONG ? 0 : rc;
	rc = index_txn(ix, MDB_RDONLY, has_txn, &a);
	return rc ? rc : a.found;
}

struct state_args {
	unsigned state;
	size_t skip; /* 1: keys are the state index's, 0: the entries' */
	int (*fn)(void *arg, const char *path, const struct bfs_entry *e);
	void *arg;
	struct bfs_entry e;
	char path[INDEX_KEY_MAX + 1];
};

static int state_item(struct bfs_index *ix, const char *key, size_t klen, const void *rec,
		      size_t rlen, void *arg)
{
	struct state_args *a = arg;

	key += a->skip;
	klen -= a->skip;
	if (index_key_path(key, klen, a->path, sizeof(a->path)) ||
	    (rlen && index_rec_decode(rec, rlen, &a->e)))
		return index_bad_record(ix, key, klen);
	if (rlen == 0 || a->e.state != a->state)
		return 0; /* not in this state (or a stale state key) */
	return a->fn(a->arg, a->path, &a->e);
}

int bfs_index_scan_state(struct bfs_index *ix, enum bfs_entry_state state,
			 int (*fn)(void *arg, const char *path, const struct bfs_entry *e),
			 void *arg)
{
	char prefix = (char)state;
	struct scan s = { .dbi = ix->state, .lookup = 1, .prefix = &prefix, .plen = 1 };
	struct state_args a = { .state = state, .skip = 1, .fn = fn, .arg = arg };

	if ((unsigned)state > BFS_ST_NEGATIVE)
		return -EINVAL;
	if (state == BFS_ST_CLEAN) { /* not in the state index: every entry is read */
		s = (struct scan){ .dbi = ix->entries, .prefix = &prefix, .plen = 0 };
		a.skip = 0;
	}
	return scan_each(ix, &s, state_item, &a);
}
