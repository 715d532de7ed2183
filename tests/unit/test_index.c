/* SPDX-License-Identifier: MIT */
/*
 * test_index.c - the cache index (index.h): key building, the record codec
 * (round trip, newer and older records, truncations and garbage), entries,
 * listings, moves, batches, ids, the state index, persistence, damaged
 * records and formats (written with raw LMDB), map growth, eight threads at
 * once, and timings for 100,000 entries (printed, not checked).
 *
 * BFS_TEST_QUICK=1 divides the big counts by 20, for valgrind:
 *   BFS_TEST_QUICK=1 valgrind --error-exitcode=1 --leak-check=full build/tests/test_index
 */
#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "bucketfs/index.h"
#include "../../src/index/index_codec.h"
#include "check.h"
#include "ixdir.h"

static int quick;
static const char *argv0; /* to run ourselves as the "other process" */

static int scaled(int n)
{
	return quick ? (n / 20 > 0 ? n / 20 : 1) : n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- opening (temporary directories: ixdir.h) ---- */

static struct bfs_index *open_ix(const char *dir, size_t map)
{
	struct bfs_index *ix = NULL;
	int rc = bfs_index_open(dir, map, &ix);

	CHECK_INT(rc, 0);
	if (rc) {
		fprintf(stderr, "cannot open the index in %s: %s\n", dir, bfs_strerror(rc));
		exit(1);
	}
	return ix;
}

/* ---- raw LMDB, to write what the index itself never would ---- */

static int raw_put(const char *dir, const char *db, const void *k, size_t klen, const void *v,
		   size_t vlen)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val key = { klen, (void *)(uintptr_t)k }, val = { vlen, (void *)(uintptr_t)v };
	int rc;

	if ((rc = mdb_env_create(&env)) != 0)
		return rc;
	mdb_env_set_maxdbs(env, 8);
	if ((rc = mdb_env_open(env, dir, 0, 0600)) != 0)
		goto out_env;
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0)
		goto out_env;
	if ((rc = mdb_dbi_open(txn, db, MDB_CREATE, &dbi)) ||
	    (rc = mdb_put(txn, dbi, &key, &val, 0))) {
		mdb_txn_abort(txn);
		goto out_env;
	}
	rc = mdb_txn_commit(txn);
out_env:
	mdb_env_close(env);
	return rc;
}

/* Entries in database db, or -1. */
static long raw_count(const char *dir, const char *db)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_stat st;
	long n = -1;

	if (mdb_env_create(&env))
		return -1;
	mdb_env_set_maxdbs(env, 8);
	if (mdb_env_open(env, dir, MDB_RDONLY, 0600) == 0 &&
	    mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0) {
		if (mdb_dbi_open(txn, db, 0, &dbi) == 0 && mdb_stat(txn, dbi, &st) == 0)
			n = (long)st.ms_entries;
		mdb_txn_abort(txn);
	}
	mdb_env_close(env);
	return n;
}

/* ---- keys ---- */

static void test_keys(void)
{
	static const struct {
		const char *path;
		int rc;
		const char *key; /* with \0 inside */
		size_t len;
	} t[] = {
		{ "/", 0, "\0", 1 },
		{ "/a", 0, "/\0a", 3 },
		{ "/a/b/c", 0, "/a/b\0c", 6 },
		{ "/images/t1/0.png", 0,
		  "/images/t1\0"
		  "0.png",
		  16 },
		{ "/...", 0, "/\0...", 5 },
		{ "/a/.b", 0, "/a\0.b", 5 },
		{ "/a/", -EINVAL, NULL, 0 },
		{ "//", -EINVAL, NULL, 0 },
		{ "//a", -EINVAL, NULL, 0 },
		{ "/a//b", -EINVAL, NULL, 0 },
		{ "", -EINVAL, NULL, 0 },
		{ "a/b", -EINVAL, NULL, 0 },
		{ "/.", -EINVAL, NULL, 0 },
		{ "/a/..", -EINVAL, NULL, 0 },
		{ "/a/./b", -EINVAL, NULL, 0 },
	};
	char key[INDEX_KEY_MAX], path[2 * INDEX_KEY_MAX], back[INDEX_KEY_MAX + 1];
	size_t i, len, n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		len = 0;
		CHECK_INT(bfs_index_key(t[i].path, key, sizeof(key), &len), t[i].rc);
		if (t[i].rc)
			continue;
		CHECK_INT(len, t[i].len);
		CHECK(memcmp(key, t[i].key, t[i].len) == 0);
		CHECK_INT(index_key_path(key, len, back, sizeof(back)), 0);
		CHECK_STR(back, t[i].path);
	}

	/* a 255-byte name is fine, 256 is not */
	path[0] = '/';
	memset(path + 1, 'n', 256);
	path[256] = '\0';
	CHECK_INT(bfs_index_key(path, key, sizeof(key), &len), 0);
	path[256] = 'n';
	path[257] = '\0';
	CHECK_INT(bfs_index_key(path, key, sizeof(key), &len), -ENAMETOOLONG);

	/* keys up to INDEX_KEY_MAX (510) bytes: "/d1/d2..." with the last '/' as the NUL */
	for (n = 0; n < sizeof(path) - 1; n++)
		path[n] = n % 100 == 0 ? '/' : 'x';
	path[INDEX_KEY_MAX - 5] = '\0';
	memcpy(path + INDEX_KEY_MAX - 10, "/abcd", 5); /* ends in a short name */
	CHECK_INT(bfs_index_key(path, key, sizeof(key), &len), 0);
	CHECK_INT(len, INDEX_KEY_MAX - 5);
	path[INDEX_KEY_MAX - 5] = 'e';
	memset(path + INDEX_KEY_MAX - 4, 'f', 4);
	path[INDEX_KEY_MAX] = '\0';
	CHECK_INT(bfs_index_key(path, key, sizeof(key), &len), 0);
	CHECK_INT(len, INDEX_KEY_MAX);
	CHECK_INT(index_key_path(key, len, back, sizeof(back)), 0);
	CHECK_STR(back, path);
	path[INDEX_KEY_MAX] = 'g';
	path[INDEX_KEY_MAX + 1] = '\0';
	CHECK_INT(bfs_index_key(path, key, sizeof(key), &len), -ENAMETOOLONG);
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	CHECK_INT(bfs_index_key(path, key, sizeof(key), &len), -ENAMETOOLONG);
	/* a buffer too small for a valid key */
	CHECK_INT(bfs_index_key("/abc", key, 3, &len), -ERANGE);

	/* directory prefixes */
	CHECK_INT(index_dir_prefix("/", key, sizeof(key), &len), 0);
	CHECK(len == 2 && memcmp(key, "/\0", 2) == 0);
	CHECK_INT(index_dir_prefix("/a/b", key, sizeof(key), &len), 0);
	CHECK(len == 5 && memcmp(key, "/a/b\0", 5) == 0);
	CHECK_INT(index_dir_prefix("/a/", key, sizeof(key), &len), -EINVAL);

	/* keys the index never builds */
	CHECK_INT(index_key_path("abc", 3, back, sizeof(back)), -EIO);
	CHECK_INT(index_key_path("\0a", 2, back, sizeof(back)), -EIO);
	CHECK_INT(index_key_path("/\0", 2, back, sizeof(back)), -EIO);
	CHECK_INT(index_key_path("a\0b", 3, back, sizeof(back)), -EIO);
	CHECK_INT(index_key_path("/\0a/b", 5, back, sizeof(back)), -EIO);
	CHECK_INT(index_key_path("/\0a\0b", 5, back, sizeof(back)), -EIO);
	CHECK_INT(index_key_path("/a\0b", 4, back, 4), -ERANGE);
}

/* ---- records ---- */

static void full_entry(struct bfs_entry *e, unsigned seed)
{
	bfs_entry_init(e);
	e->type = BFS_ENT_LINK;
	e->state = BFS_ST_UPLOADING;
	e->flags = BFS_EF_META | BFS_EF_CACHED | 0x80000000u;
	e->mode = 0120777;
	e->uid = 1000 + seed;
	e->gid = 0xfffffffeu;
	e->size = 0x123456789abcdefULL + seed;
	e->mtime_ns = -1234567890123LL;
	e->data_id = 42 + seed;
	e->staged_id = UINT64_MAX;
	e->validated_ns = INT64_MAX;
	e->listed_ns = INT64_MIN;
	e->atime_ns = 1700000000123456789LL;
	e->cached_bytes = 4096;
	e->upload_attempts = 7;
	e->upload_error = -10007;
	e->upload_after_ns = 1700000000987654321LL;
	e->lastmod_s = 1700000000LL + seed;
	e->crc_bytes = 4000 + seed;
	e->crc32c = 0xE3069283u ^ seed;
	e->seen_ns = (int64_t)0x1122334455667788LL + seed;
	e->ctime_ns = 1700000001000000003LL + seed;
	e->atime_set_ns = 1000000001LL + seed;
	e->dirchg_ns = 1700000002000000004LL + seed;
	e->rdev = 0x0000010300000000ULL + seed;
	snprintf(e->etag, sizeof(e->etag), "\"%08x0123456789abcdef0123456789ab-2\"", seed);
	snprintf(e->link, sizeof(e->link), "../target/%u", seed);
}

static int entry_eq(const struct bfs_entry *a, const struct bfs_entry *b)
{
	return a->type == b->type && a->state == b->state && a->flags == b->flags &&
	       a->mode == b->mode && a->uid == b->uid && a->gid == b->gid && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->data_id == b->data_id &&
	       a->staged_id == b->staged_id && a->validated_ns == b->validated_ns &&
	       a->listed_ns == b->listed_ns && a->atime_ns == b->atime_ns &&
	       a->cached_bytes == b->cached_bytes && a->upload_attempts == b->upload_attempts &&
	       a->upload_error == b->upload_error && a->upload_after_ns == b->upload_after_ns &&
	       a->lastmod_s == b->lastmod_s && a->crc_bytes == b->crc_bytes &&
	       a->crc32c == b->crc32c && a->seen_ns == b->seen_ns && a->ctime_ns == b->ctime_ns &&
	       a->atime_set_ns == b->atime_set_ns && a->dirchg_ns == b->dirchg_ns &&
	       a->rdev == b->rdev && strcmp(a->etag, b->etag) == 0 && strcmp(a->link, b->link) == 0;
}

static void le(unsigned char **p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		*(*p)++ = (unsigned char)(v >> (8 * i));
}

/*
 * A record written by hand: version, the first nfixed fixed fields (type
 * FILE, state DIRTY, then field i holds i + 1), extra unknown fixed bytes,
 * etag "E", link "L", then tail bytes.
 */
static size_t hand_record(unsigned char *buf, unsigned version, int nfixed, int extra, int tail)
{
	static const int sizes[] = { 2, 2, 4, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8, 4, 4 };
	unsigned char *p = buf;
	int i, flen = extra;

	for (i = 0; i < nfixed; i++)
		flen += sizes[i];
	le(&p, version, 2);
	le(&p, (uint64_t)flen, 2);
	for (i = 0; i < nfixed; i++)
		le(&p, i == 0 ? BFS_ENT_FILE : i == 1 ? BFS_ST_DIRTY : (uint64_t)(i + 1), sizes[i]);
	for (i = 0; i < extra; i++)
		*p++ = 0xee;
	le(&p, 1, 2);
	*p++ = 'E';
	le(&p, 1, 2);
	*p++ = 'L';
	for (i = 0; i < tail; i++)
		*p++ = 0xdd;
	return (size_t)(p - buf);
}

static void test_codec(void)
{
	static unsigned char buf[INDEX_REC_MAX], mut[INDEX_REC_MAX];
	struct bfs_entry e, d;
	size_t len, n, i;
	unsigned st, seed = 12345;
	int rc, ok = 1;

	full_entry(&e, 1);
	CHECK_INT(index_rec_encode(&e, buf, sizeof(buf), &len), 0);
	n = INDEX_REC_HEADER + INDEX_REC_FIXED + 2 + strlen(e.etag) + 2 + strlen(e.link);
	CHECK_INT(len, n);
	CHECK_INT(index_rec_decode(buf, len, &d), 0);
	CHECK(entry_eq(&e, &d));
	CHECK_INT(index_rec_state(buf, len, &st), 0);
	CHECK_INT(st, BFS_ST_UPLOADING);

	/* the longest etag and link */
	memset(e.etag, 'e', sizeof(e.etag) - 1);
	memset(e.link, 'l', sizeof(e.link) - 1);
	CHECK_INT(index_rec_encode(&e, buf, sizeof(buf), &len), 0);
	CHECK_INT(len, INDEX_REC_MAX);
	CHECK_INT(index_rec_decode(buf, len, &d), 0);
	CHECK(entry_eq(&e, &d));
	CHECK_INT(index_rec_encode(&e, buf, len - 1, &n), -ERANGE);

	/* what encode refuses */
	e.etag[sizeof(e.etag) - 1] = 'x'; /* no NUL */
	CHECK_INT(index_rec_encode(&e, buf, sizeof(buf), &len), -EINVAL);
	full_entry(&e, 2);
	memset(e.link, 'x', sizeof(e.link));
	CHECK_INT(index_rec_encode(&e, buf, sizeof(buf), &len), -EINVAL);
	full_entry(&e, 2);
	e.type = 4;
	CHECK_INT(index_rec_encode(&e, buf, sizeof(buf), &len), -EINVAL);
	e.type = 0; /* unknown type: allowed, e.g. for a negative entry */
	e.state = 4;
	CHECK_INT(index_rec_encode(&e, buf, sizeof(buf), &len), -EINVAL);

	/* a newer version: more fixed bytes and a variable field we do not know */
	len = hand_record(buf, 8, 16, 75, 5);
	CHECK_INT(index_rec_decode(buf, len, &d), 0);
	CHECK_INT(d.type, BFS_ENT_FILE);
	CHECK_INT(d.state, BFS_ST_DIRTY);
	CHECK_INT(d.upload_error, 16);
	CHECK(d.upload_after_ns == (int64_t)0xeeeeeeeeeeeeeeeeULL); /* a version-2 field */
	CHECK(d.lastmod_s == (int64_t)0xeeeeeeeeeeeeeeeeULL);	    /* a version-3 field */
	CHECK(d.crc_bytes == 0xeeeeeeeeeeeeeeeeULL);		    /* version-4 fields */
	CHECK(d.crc32c == 0xeeeeeeeeu);
	CHECK(d.seen_ns == (int64_t)0xeeeeeeeeeeeeeeeeULL);  /* a version-5 field */
	CHECK(d.ctime_ns == (int64_t)0xeeeeeeeeeeeeeeeeULL); /* version-6 fields */
	CHECK(d.atime_set_ns == (int64_t)0xeeeeeeeeeeeeeeeeULL);
	CHECK(d.dirchg_ns == (int64_t)0xeeeeeeeeeeeeeeeeULL);
	CHECK(d.rdev == 0xeeeeeeeeeeeeeeeeULL); /* a version-7 field */
	/* a version-5 record (21 fixed fields) reads with st_ctime and st_atime st_mtime's */
	len = hand_record(buf, 5, 16, 36, 0);
	memset(&d, 0x55, sizeof(d));
	CHECK_INT(index_rec_decode(buf, len, &d), 0);
	CHECK(d.seen_ns == (int64_t)0xeeeeeeeeeeeeeeeeULL);
	CHECK(d.ctime_ns == 0 && d.atime_set_ns == 0 && d.dirchg_ns == 0 && d.rdev == 0);
	/* a version-4 record (20 fixed fields) reads with seen_ns 0 */
	len = hand_record(buf, 4, 16, 28, 0);
	memset(&d, 0x55, sizeof(d));
	CHECK_INT(index_rec_decode(buf, len, &d), 0);
	CHECK(d.crc32c == 0xeeeeeeeeu);
	CHECK(d.seen_ns == 0);
	/* a version-3 record (18 fixed fields) reads without a digest */
	len = hand_record(buf, 3, 16, 16, 0);
	memset(&d, 0x55, sizeof(d));
	CHECK_INT(index_rec_decode(buf, len, &d), 0);
	CHECK(d.lastmod_s == (int64_t)0xeeeeeeeeeeeeeeeeULL);
	CHECK(d.crc_bytes == 0);
	CHECK(d.crc32c == 0);
	/* one that ends inside crc_bytes is damage */
	len = hand_record(buf, 4, 16, 20, 0);
	CHECK_INT(index_rec_decode(buf, len, &d), -EIO);
	/* a version-2 record (17 fixed fields) reads with lastmod_s 0 */
	len = hand_record(buf, 2, 16, 8, 0);
	memset(&d, 0x55, sizeof(d));
	CHECK_INT(index_rec_decode(buf, len, &d), 0);
	CHECK(d.upload_after_ns == (int64_t)0xeeeeeeeeeeeeeeeeULL);
	CHECK(d.lastmod_s == 0);
	/* a version-1 record (16 fixed fields) reads with upload_after_ns 0 */
	len = hand_record(buf, 1, 16, 0, 0);
	CHECK_INT(index_rec_decode(buf, len, &d), 0);
	CHECK(d.upload_after_ns == 0);
	CHECK_INT(d.upload_error, 16);
	CHECK_STR(d.etag, "E");
	CHECK_STR(d.link, "L");
	/* ... but trailing bytes in a version-1 record are damage */
	len = hand_record(buf, 1, 16, 0, 5);
	CHECK_INT(index_rec_decode(buf, len, &d), -EIO);
	len = hand_record(buf, 1, 16, 0, 0);
	CHECK_INT(index_rec_decode(buf, len, &d), 0);

	/* an older version: fields up to gid only, the rest defaults */
	len = hand_record(buf, 1, 6, 0, 0);
	memset(&d, 0x55, sizeof(d));
	CHECK_INT(index_rec_decode(buf, len, &d), 0);
	CHECK_INT(d.gid, 6);
	CHECK_INT(d.size, 0);
	CHECK_INT(d.upload_error, 0);
	CHECK_INT(d.data_id, 0);
	CHECK_STR(d.link, "L");
	len = hand_record(buf, 1, 0, 0, 0); /* nothing fixed: a CLEAN entry of type 0 */
	CHECK_INT(index_rec_decode(buf, len, &d), 0);
	CHECK_INT(index_rec_state(buf, len, &st), 0);
	CHECK_INT(st, BFS_ST_CLEAN);
	/* a fixed part that ends inside a field */
	len = hand_record(buf, 1, 6, 1, 0);
	CHECK_INT(index_rec_decode(buf, len, &d), -EIO);
	CHECK_INT(index_rec_state(buf, len, &st), -EIO);
	/* version 0, unknown type or state */
	len = hand_record(buf, 0, 16, 0, 0);
	CHECK_INT(index_rec_decode(buf, len, &d), -EIO);
	len = hand_record(buf, 1, 16, 0, 0);
	buf[4] = 9;
	CHECK_INT(index_rec_decode(buf, len, &d), -EIO);
	buf[4] = BFS_ENT_FILE;
	buf[6] = 9;
	CHECK_INT(index_rec_decode(buf, len, &d), -EIO);
	CHECK_INT(index_rec_state(buf, len, &st), -EIO);
	/* an etag with a NUL inside */
	len = hand_record(buf, 1, 16, 0, 0);
	buf[4 + 92 + 2] = '\0'; /* the etag of a 16-field (version 1) record */
	CHECK_INT(index_rec_decode(buf, len, &d), -EIO);
	/* an etag of 127 bytes fits the struct, 128 does not */
	for (n = BFS_ENTRY_ETAG_MAX - 1; n <= BFS_ENTRY_ETAG_MAX; n++) {
		unsigned char *p = buf;

		le(&p, 1, 2);
		le(&p, 0, 2);
		le(&p, n, 2);
		memset(p, 'e', n);
		p += n;
		le(&p, 0, 2);
		rc = index_rec_decode(buf, (size_t)(p - buf), &d);
		CHECK_INT(rc, n < BFS_ENTRY_ETAG_MAX ? 0 : -EIO);
	}

	/* every truncation of a valid record is refused */
	full_entry(&e, 3);
	CHECK_INT(index_rec_encode(&e, buf, sizeof(buf), &len), 0);
	for (n = 0; n < len; n++) {
		memcpy(mut, buf, n); /* a copy of exactly n bytes: valgrind sees overreads */
		if (index_rec_decode(mut, n, &d) != -EIO)
			ok = 0;
	}
	CHECK(ok);

	/* garbage: mutated records and random bytes decode or give -EIO, never crash */
	for (i = 0; i < (size_t)scaled(200000); i++) {
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 8) % (len + 8);
		if (i % 2) {
			memcpy(mut, buf, n < len ? n : len);
			mut[(seed >> 4) % (n ? n : 1)] ^= (unsigned char)(1u << (seed % 8));
			if (seed % 3 == 0 && n > 3)
				mut[3] = (unsigned char)(seed >> 16);
		} else {
			size_t j;

			for (j = 0; j < n; j++)
				mut[j] = (unsigned char)((seed >> (j % 24)) ^ j);
			if (n >= 4)
				mut[0] = 1, mut[1] = 0; /* a plausible version */
		}
		rc = index_rec_decode(mut, n, &d);
		if (rc != 0 && rc != -EIO)
			ok = 0;
		if (rc == 0 && (strnlen(d.etag, sizeof(d.etag)) == sizeof(d.etag) ||
				strnlen(d.link, sizeof(d.link)) == sizeof(d.link)))
			ok = 0;
		rc = index_rec_state(mut, n, &st);
		if (rc != 0 && rc != -EIO)
			ok = 0;
	}
	CHECK(ok);
}

/* ---- entries ---- */

static void test_entries(const char *dir)
{
	struct bfs_index *ix = open_ix(dir, 0);
	struct bfs_entry e, d;
	char longpath[600];

	full_entry(&e, 7);
	CHECK_INT(bfs_index_put(ix, "/dir/link", &e), 0);
	memset(&d, 0, sizeof(d));
	CHECK_INT(bfs_index_get(ix, "/dir/link", &d), 0);
	CHECK(entry_eq(&e, &d));
	/* replace */
	e.size = 1;
	e.etag[0] = '\0';
	e.state = BFS_ST_CLEAN;
	CHECK_INT(bfs_index_put(ix, "/dir/link", &e), 0);
	CHECK_INT(bfs_index_get(ix, "/dir/link", &d), 0);
	CHECK(entry_eq(&e, &d));
	/* root */
	bfs_entry_init(&e);
	e.type = BFS_ENT_DIR;
	e.mode = 040755;
	CHECK_INT(bfs_index_put(ix, "/", &e), 0);
	CHECK_INT(bfs_index_get(ix, "/", &d), 0);
	CHECK(entry_eq(&e, &d));

	CHECK_INT(bfs_index_get(ix, "/dir/nope", &d), -ENOENT);
	CHECK_INT(bfs_index_get(ix, "/dir", &d), -ENOENT);
	CHECK_INT(bfs_index_del(ix, "/dir/link"), 0);
	CHECK_INT(bfs_index_get(ix, "/dir/link", &d), -ENOENT);
	CHECK_INT(bfs_index_del(ix, "/dir/link"), 0);

	CHECK_INT(bfs_index_put(ix, "/dir/", &e), -EINVAL);
	CHECK_INT(bfs_index_put(ix, "relative", &e), -EINVAL);
	CHECK_INT(bfs_index_put(ix, "/x", NULL), -EINVAL);
	e.state = 17;
	CHECK_INT(bfs_index_put(ix, "/x", &e), -EINVAL);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[100] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	CHECK_INT(bfs_index_get(ix, longpath, &d), -ENAMETOOLONG);
	CHECK_INT(bfs_index_del(ix, longpath), -ENAMETOOLONG);
	CHECK_INT(bfs_index_children(ix, longpath, NULL, NULL), 0);
	CHECK_INT(bfs_index_has_children(ix, longpath), 0);
	bfs_index_close(ix);
}

struct names {
	char list[4096];
	int calls, stop_at, stop_rc;
};

static int collect(void *arg, const char *name, const struct bfs_entry *e)
{
	struct names *n = arg;
	size_t len = strlen(n->list);

	(void)e;
	snprintf(n->list + len, sizeof(n->list) - len, "%s%s", len ? "," : "", name);
	return ++n->calls == n->stop_at ? n->stop_rc : 0;
}

static void put_simple(struct bfs_index *ix, const char *path, unsigned type, unsigned state)
{
	struct bfs_entry e;
	int rc;

	bfs_entry_init(&e);
	e.type = (uint16_t)type;
	e.state = (uint16_t)state;
	rc = bfs_index_put(ix, path, &e);
	CHECK_INT(rc, 0);
	if (rc)
		fprintf(stderr, "  (put %s)\n", path);
}

static const char *children_of(struct bfs_index *ix, const char *dir, struct names *n)
{
	memset(n, 0, sizeof(*n));
	CHECK_INT(bfs_index_children(ix, dir, collect, n), 0);
	return n->list;
}

/* The callback of the children walk that writes: re-put itself, copy to /copy. */
struct writer {
	struct bfs_index *ix;
	int calls, errors;
	char last[64];
};

static int write_back(void *arg, const char *name, const struct bfs_entry *e)
{
	struct writer *w = arg;
	struct bfs_entry c = *e;
	struct names n;
	char path[300];

	if (strcmp(name, w->last) <= 0)
		w->errors++; /* out of order or twice */
	snprintf(w->last, sizeof(w->last), "%s", name);
	w->calls++;
	c.size = 1;
	snprintf(path, sizeof(path), "/big/%s", name);
	if (bfs_index_put(w->ix, path, &c))
		w->errors++;
	snprintf(path, sizeof(path), "/copy/%s", name);
	if (bfs_index_put(w->ix, path, &c))
		w->errors++;
	memset(&n, 0, sizeof(n));
	if (bfs_index_children(w->ix, "/a", collect, &n) || strcmp(n.list, "b,c,x"))
		w->errors++;
	return 0;
}

static int count_children(void *arg, const char *name, const struct bfs_entry *e)
{
	int *count = arg;

	(void)name;
	*count += e->size == 1;
	return 0;
}

static void test_children(const char *dir)
{
	static const char *const paths[] = { "/a",    "/a/x", "/a/b", "/a/b/c", "/ab",
					     "/ab/z", "/a/c", "/b",   "/a-",	"/a.b/c" };
	static const struct {
		const char *dir, *name, *want;
	} after[] = { { "/", "a-", "ab,b" },
		      { "/a", "bb", "c,x" },
		      { "/a", "", "b,c,x" },
		      { "/a", "x", "" } };
	struct bfs_index *ix = open_ix(dir, 0);
	struct writer w = { .ix = ix };
	struct names n;
	char path[64];
	size_t i;
	int count = 0;

	put_simple(ix, "/", BFS_ENT_DIR, BFS_ST_CLEAN);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		put_simple(ix, paths[i], BFS_ENT_DIR, BFS_ST_CLEAN);
	CHECK_STR(children_of(ix, "/a", &n), "b,c,x");
	CHECK_STR(children_of(ix, "/", &n), "a,a-,ab,b"); /* not a.b: only /a.b/c exists */
	CHECK_STR(children_of(ix, "/a/b", &n), "c");
	CHECK_STR(children_of(ix, "/ab", &n), "z");
	CHECK_STR(children_of(ix, "/zzz", &n), "");
	CHECK_STR(children_of(ix, "/a/b/c", &n), "");
	CHECK_INT(bfs_index_children(ix, "/a/", collect, &n), -EINVAL);

	/* the walk stops at fn's first non-zero value and returns it */
	memset(&n, 0, sizeof(n));
	n.stop_at = 2;
	n.stop_rc = 77;
	CHECK_INT(bfs_index_children(ix, "/", collect, &n), 77);
	CHECK_STR(n.list, "a,a-");

	/* resumed after a name: a child's, one between children, none, the last */
	for (i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		memset(&n, 0, sizeof(n));
		CHECK_INT(bfs_index_children_after(ix, after[i].dir, after[i].name, collect, &n),
			  0);
		CHECK_STR(n.list, after[i].want);
	}

	/* several batches, and a callback that writes to the index */
	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "/big/f%03zu", i);
		put_simple(ix, path, BFS_ENT_FILE, BFS_ST_CLEAN);
	}
	CHECK_INT(bfs_index_children(ix, "/big", write_back, &w), 0);
	CHECK_INT(w.calls, 200);
	CHECK_INT(w.errors, 0);
	CHECK_INT(bfs_index_children(ix, "/big", count_children, &count), 0);
	CHECK_INT(count, 200);
	count = 0;
	CHECK_INT(bfs_index_children(ix, "/copy", count_children, &count), 0);
	CHECK_INT(count, 200);

	/* has_children: NEGATIVE children do not count */
	put_simple(ix, "/d", BFS_ENT_DIR, BFS_ST_CLEAN);
	put_simple(ix, "/d/gone", 0, BFS_ST_NEGATIVE);
	put_simple(ix, "/d/gone2", 0, BFS_ST_NEGATIVE);
	put_simple(ix, "/dd/real", BFS_ENT_FILE, BFS_ST_CLEAN);
	put_simple(ix, "/d/sub/real", BFS_ENT_FILE, BFS_ST_CLEAN);
	CHECK_INT(bfs_index_has_children(ix, "/d"), 0);
	put_simple(ix, "/d/new", BFS_ENT_FILE, BFS_ST_DIRTY);
	CHECK_INT(bfs_index_has_children(ix, "/d"), 1);
	CHECK_INT(bfs_index_del(ix, "/d/new"), 0);
	CHECK_INT(bfs_index_has_children(ix, "/d"), 0);
	CHECK_INT(bfs_index_has_children(ix, "/"), 1);
	CHECK_INT(bfs_index_has_children(ix, "/nothing"), 0);
	CHECK_INT(bfs_index_has_children(ix, "/a/b"), 1);
	CHECK_INT(bfs_index_has_children(ix, "/a/b/c"), 0);
	CHECK_INT(bfs_index_has_children(ix, "//"), -EINVAL);
	bfs_index_close(ix);

	/* everything is still there after a reopen */
	ix = open_ix(dir, 0);
	CHECK_STR(children_of(ix, "/a", &n), "b,c,x");
	CHECK_STR(children_of(ix, "/", &n), "a,a-,ab,b,d");
	count = 0;
	CHECK_INT(bfs_index_children(ix, "/big", count_children, &count), 0);
	CHECK_INT(count, 200);
	bfs_index_close(ix);
}

/* ---- the state index ---- */

struct paths {
	char list[8192];
	int calls;
	struct bfs_index *ix; /* set: mark each entry CLEAN (the upload journal) */
};

static int collect_path(void *arg, const char *path, const struct bfs_entry *e)
{
	struct paths *p = arg;
	size_t len = strlen(p->list);

	snprintf(p->list + len, sizeof(p->list) - len, "%s%s", len ? "," : "", path);
	p->calls++;
	if (p->ix) {
		struct bfs_entry c = *e;

		c.state = BFS_ST_CLEAN;
		if (bfs_index_put(p->ix, path, &c))
			return -1;
	}
	return 0;
}

static const char *scan(struct bfs_index *ix, enum bfs_entry_state st, struct paths *p)
{
	memset(p, 0, sizeof(*p));
	CHECK_INT(bfs_index_scan_state(ix, st, collect_path, p), 0);
	return p->list;
}

static void test_state(const char *dir)
{
	struct bfs_index *ix = open_ix(dir, 0);
	struct bfs_entry e;
	struct paths p;
	char path[64];
	int i;

	put_simple(ix, "/s/a", BFS_ENT_FILE, BFS_ST_DIRTY);
	put_simple(ix, "/s/b", BFS_ENT_FILE, BFS_ST_UPLOADING);
	put_simple(ix, "/s/c", BFS_ENT_FILE, BFS_ST_DIRTY);
	put_simple(ix, "/s/d", BFS_ENT_FILE, BFS_ST_CLEAN);
	put_simple(ix, "/s/e", 0, BFS_ST_NEGATIVE);
	put_simple(ix, "/", BFS_ENT_DIR, BFS_ST_DIRTY);
	CHECK_STR(scan(ix, BFS_ST_DIRTY, &p), "/,/s/a,/s/c");
	CHECK_STR(scan(ix, BFS_ST_UPLOADING, &p), "/s/b");
	CHECK_STR(scan(ix, BFS_ST_NEGATIVE, &p), "/s/e");
	CHECK_STR(scan(ix, BFS_ST_CLEAN, &p), "/s/d");
	CHECK_INT(bfs_index_scan_state(ix, 9, collect_path, &p), -EINVAL);

	/* transitions keep the state index exact */
	put_simple(ix, "/s/a", BFS_ENT_FILE, BFS_ST_UPLOADING);
	put_simple(ix, "/s/b", BFS_ENT_FILE, BFS_ST_CLEAN);
	put_simple(ix, "/", BFS_ENT_DIR, BFS_ST_CLEAN);
	CHECK_STR(scan(ix, BFS_ST_DIRTY, &p), "/s/c");
	CHECK_STR(scan(ix, BFS_ST_UPLOADING, &p), "/s/a");
	CHECK_INT(bfs_index_del(ix, "/s/c"), 0);
	CHECK_STR(scan(ix, BFS_ST_DIRTY, &p), "");
	/* a move carries the state key along */
	bfs_entry_init(&e);
	e.type = BFS_ENT_FILE;
	e.state = BFS_ST_UPLOADING;
	CHECK_INT(bfs_index_move(ix, "/s/a", "/t/a", &e), 0);
	CHECK_STR(scan(ix, BFS_ST_UPLOADING, &p), "/t/a");

	/* the upload journal's pattern: scan DIRTY, mark each CLEAN from the callback */
	for (i = 0; i < 150; i++) {
		snprintf(path, sizeof(path), "/j/%c/f%03d", 'a' + i % 3, i);
		put_simple(ix, path, BFS_ENT_FILE, BFS_ST_DIRTY);
	}
	memset(&p, 0, sizeof(p));
	p.ix = ix;
	CHECK_INT(bfs_index_scan_state(ix, BFS_ST_DIRTY, collect_path, &p), 0);
	CHECK_INT(p.calls, 150);
	CHECK_STR(scan(ix, BFS_ST_DIRTY, &p), "");
	bfs_index_close(ix);

	/* nothing stale is left: one state key per entry not CLEAN (/t/a, /s/e) */
	CHECK_INT(raw_count(dir, "state"), 2);
	ix = open_ix(dir, 0);
	CHECK_STR(scan(ix, BFS_ST_NEGATIVE, &p), "/s/e");
	CHECK_STR(scan(ix, BFS_ST_UPLOADING, &p), "/t/a");
	bfs_index_close(ix);
}

/* ---- moves, batches, ids ---- */

static void test_move_batch(const char *dir)
{
	struct bfs_index *ix = open_ix(dir, 0);
	struct bfs_index_batch *b;
	struct bfs_entry e, d;
	uint64_t id = 0, entries = 0, bytes = 0;

	full_entry(&e, 9);
	CHECK_INT(bfs_index_put(ix, "/m/a", &e), 0);
	e.size = 99;
	CHECK_INT(bfs_index_move(ix, "/m/a", "/m/b", &e), 0);
	CHECK_INT(bfs_index_get(ix, "/m/a", &d), -ENOENT);
	CHECK_INT(bfs_index_get(ix, "/m/b", &d), 0);
	CHECK_INT(d.size, 99);
	CHECK_INT(bfs_index_move(ix, "/m/b", "/m/b", &e), 0); /* onto itself */
	CHECK_INT(bfs_index_get(ix, "/m/b", &d), 0);
	/* nothing happens when one side is invalid */
	CHECK_INT(bfs_index_move(ix, "/m/b", "/m/c/", &e), -EINVAL);
	CHECK_INT(bfs_index_move(ix, "/m/b", "/m/c", NULL), -EINVAL);
	CHECK_INT(bfs_index_get(ix, "/m/b", &d), 0);
	CHECK_INT(bfs_index_move(ix, NULL, "/m/c", &e), 0);
	CHECK_INT(bfs_index_move(ix, "/m/b", NULL, NULL), 0);
	CHECK_INT(bfs_index_get(ix, "/m/b", &d), -ENOENT);
	CHECK_INT(bfs_index_get(ix, "/m/c", &d), 0);
	CHECK_INT(bfs_index_move(ix, NULL, NULL, NULL), 0);

	/* a batch applies everything at commit */
	CHECK_INT(bfs_index_batch_begin(ix, &b), 0);
	CHECK_INT(bfs_index_batch_put(b, "/l/1", &e), 0);
	CHECK_INT(bfs_index_batch_put(b, "/l/2", &e), 0);
	CHECK_INT(bfs_index_batch_put(b, "/l/bad/", &e), -EINVAL); /* refused, batch goes on */
	CHECK_INT(bfs_index_batch_del(b, "/m/c"), 0);
	CHECK_INT(bfs_index_batch_del(b, "/l/2"), 0); /* ops apply in order */
	CHECK_INT(bfs_index_get(ix, "/l/1", &d), -ENOENT);
	CHECK_INT(bfs_index_batch_commit(b), 0);
	CHECK_INT(bfs_index_get(ix, "/l/1", &d), 0);
	CHECK(entry_eq(&e, &d));
	CHECK_INT(bfs_index_get(ix, "/l/2", &d), -ENOENT);
	CHECK_INT(bfs_index_get(ix, "/m/c", &d), -ENOENT);
	/* an aborted batch leaves nothing, an empty one commits */
	CHECK_INT(bfs_index_batch_begin(ix, &b), 0);
	CHECK_INT(bfs_index_batch_put(b, "/l/3", &e), 0);
	CHECK_INT(bfs_index_batch_del(b, "/l/1"), 0);
	bfs_index_batch_abort(b);
	CHECK_INT(bfs_index_get(ix, "/l/3", &d), -ENOENT);
	CHECK_INT(bfs_index_get(ix, "/l/1", &d), 0);
	CHECK_INT(bfs_index_batch_begin(ix, &b), 0);
	CHECK_INT(bfs_index_batch_commit(b), 0);
	bfs_index_batch_abort(NULL);

	/* ids: 1, 2, 3 ... one by one through a reserved block and into the
	 * next; after a reopen, the first id of a fresh block (257 + 256) */
	CHECK_INT(bfs_index_new_id(ix, &id), 0);
	CHECK_INT(id, 1);
	CHECK_INT(bfs_index_new_id(ix, &id), 0);
	CHECK_INT(bfs_index_new_id(ix, &id), 0);
	CHECK_INT(id, 3);
	{
		uint64_t prev = id, bad = 0, k;

		for (k = 0; k < 300; k++) {
			CHECK_INT(bfs_index_new_id(ix, &id), 0);
			bad += id != prev + 1;
			prev = id;
		}
		CHECK_INT(bad, 0);
		CHECK_INT(id, 303);
	}
	CHECK_INT(bfs_index_stat(ix, &entries, &bytes), 0);
	CHECK_INT(entries, 1); /* /l/1 */
	CHECK(bytes > 0);
	CHECK_INT(bfs_index_sync(ix), 0);
	bfs_index_close(ix);
	ix = open_ix(dir, 0);
	CHECK_INT(bfs_index_new_id(ix, &id), 0);
	CHECK_INT(id, 513);
	/* ids kept from a lost index: the next ones start above them, and
	 * stay above after a reopen; an id already passed changes nothing */
	CHECK_INT(bfs_index_ids_above(ix, 5000), 0);
	CHECK_INT(bfs_index_new_id(ix, &id), 0);
	CHECK_INT(id, 5001);
	CHECK_INT(bfs_index_ids_above(ix, 100), 0);
	CHECK_INT(bfs_index_new_id(ix, &id), 0);
	CHECK_INT(id, 5002);
	bfs_index_close(ix);
	ix = open_ix(dir, 0);
	CHECK_INT(bfs_index_new_id(ix, &id), 0);
	CHECK(id > 5002);
	bfs_index_close(ix);
}

/* ---- read-change-write: one path, and many in one transaction ---- */

static int bump_size(void *arg, struct bfs_entry *e)
{
	int *calls = arg;

	(*calls)++;
	if (e->size >= 100)
		return 0; /* leave it */
	e->size += 10;
	return 1;
}

static int later_atime(void *arg, size_t i, struct bfs_entry *e)
{
	const int64_t *t = arg;

	if (t[i] < 0)
		return -EPERM; /* cancels everything */
	if (e->atime_ns >= t[i])
		return 0;
	e->atime_ns = t[i];
	return 1;
}

static void test_update(const char *dir)
{
	struct bfs_index *ix = open_ix(dir, 0);
	const char *paths[] = { "/u/a", "/u/none", "/u/b", "/u/c" };
	const char *bad[] = { "/u/a", "/u/b/" };
	int64_t t[] = { 500, 1, 50, 700 }, tneg[] = { 900, 900, 900, -1 };
	struct bfs_entry e, d;
	int calls = 0;

	full_entry(&e, 3);
	e.size = 5;
	e.atime_ns = 100;
	CHECK_INT(bfs_index_put(ix, "/u/a", &e), 0);
	CHECK_INT(bfs_index_put(ix, "/u/b", &e), 0);
	CHECK_INT(bfs_index_put(ix, "/u/c", &e), 0);

	/* one path: fn's 1 stores, 0 leaves, the entry's absence is -ENOENT */
	CHECK_INT(bfs_index_update(ix, "/u/a", bump_size, &calls), 1);
	CHECK_INT(bfs_index_get(ix, "/u/a", &d), 0);
	CHECK_INT(d.size, 15);
	d.size = 5;
	CHECK(entry_eq(&e, &d)); /* nothing else changed */
	CHECK_INT(bfs_index_update(ix, "/u/none", bump_size, &calls), -ENOENT);
	CHECK_INT(calls, 1);

	/* many: one transaction; missing paths skipped; each entry keeps the
	 * later time */
	CHECK_INT(bfs_index_update_many(ix, paths, 4, later_atime, t), 0);
	CHECK_INT(bfs_index_get(ix, "/u/a", &d), 0);
	CHECK_INT(d.atime_ns, 500);
	CHECK_INT(d.size, 15);
	CHECK_INT(bfs_index_get(ix, "/u/b", &d), 0);
	CHECK_INT(d.atime_ns, 100); /* 50 is older */
	CHECK_INT(bfs_index_get(ix, "/u/c", &d), 0);
	CHECK_INT(d.atime_ns, 700);
	CHECK_INT(bfs_index_get(ix, "/u/none", &d), -ENOENT);
	/* a failing fn (for the last path, after two were changed), or a path
	 * that is no key, cancels the whole batch */
	CHECK_INT(bfs_index_update_many(ix, paths, 4, later_atime, tneg), -EPERM);
	CHECK_INT(bfs_index_get(ix, "/u/a", &d), 0);
	CHECK_INT(d.atime_ns, 500);
	CHECK_INT(bfs_index_update_many(ix, bad, 2, later_atime, tneg), -EINVAL);
	CHECK_INT(bfs_index_get(ix, "/u/a", &d), 0);
	CHECK_INT(d.atime_ns, 500);
	CHECK_INT(bfs_index_update_many(ix, paths, 0, later_atime, t), 0);
	bfs_index_close(ix);
}

/* ---- damage: records and formats the index did not write ---- */

static void test_damage(const char *dir)
{
	static const unsigned char garbage[] = { 1, 0, 200, 0, 1, 2, 3 };
	unsigned char rec[INDEX_REC_MAX];
	struct bfs_index *ix = open_ix(dir, 0);
	struct bfs_entry e, d;
	struct names n;
	struct paths p;
	size_t len;

	memset(&p, 0, sizeof(p));
	put_simple(ix, "/g/ok", BFS_ENT_FILE, BFS_ST_CLEAN);
	put_simple(ix, "/g/trunc", BFS_ENT_FILE, BFS_ST_DIRTY);
	bfs_index_close(ix);

	/* a garbage record, a truncated one, and one from a newer version */
	CHECK_INT(raw_put(dir, "entries", "/g\0bad", 6, garbage, sizeof(garbage)), 0);
	full_entry(&e, 5);
	e.state = BFS_ST_DIRTY;
	CHECK_INT(index_rec_encode(&e, rec, sizeof(rec), &len), 0);
	CHECK_INT(raw_put(dir, "entries", "/g\0trunc", 8, rec, len - 3), 0);
	len = hand_record(rec, 8, 16, 76, 9);
	CHECK_INT(raw_put(dir, "entries", "/h\0new", 6, rec, len), 0);

	ix = open_ix(dir, 0);
	CHECK_INT(bfs_index_get(ix, "/g/bad", &d), -EIO);
	CHECK_INT(bfs_index_get(ix, "/g/trunc", &d), -EIO);
	CHECK_INT(bfs_index_get(ix, "/g/ok", &d), 0);
	CHECK_INT(bfs_index_get(ix, "/h/new", &d), 0);
	CHECK_STR(d.etag, "E");
	CHECK_INT(bfs_index_children(ix, "/g", collect, &n), -EIO);
	CHECK_INT(bfs_index_has_children(ix, "/g"), -EIO);
	CHECK_INT(bfs_index_has_children(ix, "/h"), 1);
	/* /g/trunc's DIRTY state key points at a record that no longer decodes */
	CHECK_INT(bfs_index_scan_state(ix, BFS_ST_DIRTY, collect_path, &p), -EIO);
	/* a put over a damaged record repairs it, and its state key */
	put_simple(ix, "/g/bad", BFS_ENT_FILE, BFS_ST_CLEAN);
	put_simple(ix, "/g/trunc", BFS_ENT_FILE, BFS_ST_CLEAN);
	CHECK_STR(children_of(ix, "/g", &n), "bad,ok,trunc");
	CHECK_STR(scan(ix, BFS_ST_DIRTY, &p), "");
	bfs_index_close(ix);
	CHECK_INT(raw_count(dir, "state"), 0);
}

static void test_formats(void)
{
	unsigned char fmt[8] = { BFS_INDEX_FORMAT + 1, 0, 0, 0, 3, 0, 0, 0 };
	char dir[256], path[300];
	struct bfs_index *ix = NULL;
	FILE *f;

	/* another major version: refused with BFS_E_CONFIG */
	tmp_dir(dir, sizeof(dir));
	CHECK_INT(raw_put(dir, "meta", "format", 6, fmt, sizeof(fmt)), 0);
	CHECK_INT(bfs_index_open(dir, 0, &ix), BFS_E_CONFIG);
	/* a newer minor version of ours: fine */
	fmt[0] = BFS_INDEX_FORMAT;
	CHECK_INT(raw_put(dir, "meta", "format", 6, fmt, sizeof(fmt)), 0);
	CHECK_INT(bfs_index_open(dir, 0, &ix), 0);
	bfs_index_close(ix);
	/* an unreadable version */
	CHECK_INT(raw_put(dir, "meta", "format", 6, fmt, 3), 0);
	CHECK_INT(bfs_index_open(dir, 0, &ix), -EIO);
	rm_dir(dir);

	/* not an LMDB file at all; a directory that does not exist */
	tmp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		for (int i = 0; i < 4096; i++)
			fputc('Z', f);
		fclose(f);
	}
	CHECK_INT(bfs_index_open(dir, 0, &ix), -EIO);
	rm_dir(dir);
	CHECK_INT(bfs_index_open(dir, 0, &ix), -ENOENT);
}

/* ---- map growth ---- */

static void test_growth(const char *dir)
{
	struct bfs_index *ix = open_ix(dir, 64 << 10);
	struct bfs_index_batch *b;
	struct bfs_entry e, d;
	uint64_t entries = 0, bytes = 0;
	char path[64];
	int i, n = scaled(10000), errors = 0;

	full_entry(&e, 1);
	/* one batch much bigger than twice the map: it grows as many times as
	 * needed, up to INDEX_GROW_TRIES (x 256) */
	CHECK_INT(bfs_index_batch_begin(ix, &b), 0);
	for (i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/batch/%05d", i);
		CHECK_INT(bfs_index_batch_put(b, path, &e), 0);
	}
	CHECK_INT(bfs_index_batch_commit(b), 0);
	CHECK_INT(bfs_index_get(ix, "/batch/02999", &d), 0);

	/* one entry at a time: the map grows as needed */
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/grow/%03d/%05d", i % 100, i);
		e.size = (uint64_t)i;
		errors += bfs_index_put(ix, path, &e) != 0;
	}
	CHECK_INT(errors, 0);
	for (i = 0; i < n; i += 97) {
		snprintf(path, sizeof(path), "/grow/%03d/%05d", i % 100, i);
		CHECK_INT(bfs_index_get(ix, path, &d), 0);
		CHECK_INT(d.size, i);
	}
	CHECK_INT(bfs_index_stat(ix, &entries, &bytes), 0);
	CHECK_INT(entries, n + 3000);
	bfs_index_close(ix);
	/* reopening with the small size keeps the grown map */
	ix = open_ix(dir, 64 << 10);
	put_simple(ix, "/grow/after", BFS_ENT_FILE, BFS_ST_CLEAN);
	bfs_index_close(ix);
}

/* The other process of test_resized(): write 1 MB with a 16 MiB map. */
static int grow_elsewhere(const char *dir)
{
	static char pad[2000];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	char key[16];
	int i, rc;

	if ((rc = mdb_env_create(&env)) != 0)
		return rc;
	if ((rc = mdb_env_set_maxdbs(env, 8)) || (rc = mdb_env_set_mapsize(env, 16 << 20)) ||
	    (rc = mdb_env_open(env, dir, 0, 0600)) || (rc = mdb_txn_begin(env, NULL, 0, &txn)))
		goto out_env;
	rc = mdb_dbi_open(txn, "pad", MDB_CREATE, &dbi);
	for (i = 0; i < 500 && !rc; i++) {
		MDB_val k = { (size_t)snprintf(key, sizeof(key), "%d", i), key };
		MDB_val v = { sizeof(pad), pad };

		rc = mdb_put(txn, dbi, &k, &v, 0);
	}
	if (rc)
		mdb_txn_abort(txn);
	else
		rc = mdb_txn_commit(txn);
out_env:
	mdb_env_close(env);
	return rc;
}

/*
 * Another process grows the map beyond ours (MDB_MAP_RESIZED): the next
 * transaction adopts the new size and goes on.
 */
static void test_resized(const char *dir)
{
	struct bfs_index *ix = open_ix(dir, 64 << 10);
	struct bfs_entry d;
	pid_t pid;
	int status = -1;

	put_simple(ix, "/r", BFS_ENT_FILE, BFS_ST_CLEAN);
	/* a new process image: the other process shares nothing with ix */
	pid = fork();
	if (pid == 0) {
		execl(argv0, argv0, "--grow-map", dir, (char *)NULL);
		_exit(127);
	}
	CHECK(pid > 0);
	if (pid > 0)
		waitpid(pid, &status, 0);
	CHECK_INT(status, 0);
	CHECK_INT(bfs_index_get(ix, "/r", &d), 0);
	put_simple(ix, "/r2", BFS_ENT_FILE, BFS_ST_CLEAN);
	bfs_index_close(ix);
}

/* ---- threads ---- */

struct worker {
	struct bfs_index *ix;
	int id, ops, errors;
};

static int count_any(void *arg, const char *name, const struct bfs_entry *e)
{
	(void)name;
	(void)e;
	++*(int *)arg;
	return 0;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct bfs_entry e, d;
	unsigned seed = (unsigned)w->id * 7919u + 1;
	char path[64];
	uint64_t id;
	int i, rc, n;

	bfs_entry_init(&e);
	e.type = BFS_ENT_FILE;
	for (i = 0; i < w->ops; i++) {
		seed = seed * 1103515245u + 12345u;
		snprintf(path, sizeof(path), "/shared/t%d-%04u", w->id, (seed >> 8) % 200);
		switch ((seed >> 4) % 8) {
		case 0:
		case 1:
			e.size = (uint64_t)i;
			e.state = (uint16_t)((seed >> 12) % 4);
			rc = bfs_index_put(w->ix, path, &e);
			break;
		case 2:
			rc = bfs_index_del(w->ix, path);
			break;
		case 3:
			n = 0;
			rc = bfs_index_children(w->ix, "/shared", count_any, &n);
			break;
		case 4:
			rc = bfs_index_new_id(w->ix, &id);
			break;
		case 5:
			rc = bfs_index_has_children(w->ix, "/shared");
			rc = rc < 0 ? rc : 0;
			break;
		default:
			rc = bfs_index_get(w->ix, path, &d);
			if (rc == -ENOENT)
				rc = 0;
			break;
		}
		if (rc) {
			w->errors++;
			fprintf(stderr, "thread %d: %s: %s\n", w->id, path, bfs_strerror(rc));
		}
	}
	return NULL;
}

static void test_threads(const char *dir)
{
	struct bfs_index *ix = open_ix(dir, 64 << 10); /* small: growth under load too */
	struct worker w[8];
	pthread_t t[8];
	uint64_t id = 0, entries = 0, bytes = 0;
	int i, errors = 0;

	for (i = 0; i < 8; i++) {
		w[i] = (struct worker){ .ix = ix, .id = i, .ops = scaled(3000) };
		CHECK_INT(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		errors += w[i].errors;
	}
	CHECK_INT(errors, 0);
	CHECK_INT(bfs_index_new_id(ix, &id), 0);
	CHECK(id > 1);
	CHECK_INT(bfs_index_stat(ix, &entries, &bytes), 0);
	CHECK(bytes > 64 << 10); /* the map grew while the threads ran */
	bfs_index_close(ix);
}

/* ---- timings ---- */

static void bench(const char *dir)
{
	struct bfs_index *ix = open_ix(dir, 0);
	struct bfs_index_batch *b = NULL;
	struct bfs_entry e, d;
	uint64_t entries = 0, bytes = 0;
	char path[96];
	int i, n = scaled(100000), nput = scaled(2000), errors = 0, count = 0;
	double t0;

	full_entry(&e, 1);
	e.state = BFS_ST_CLEAN;
	e.link[0] = '\0';
	t0 = now_s();
	for (i = 0; i < n; i++) {
		if (!b && bfs_index_batch_begin(ix, &b))
			break;
		snprintf(path, sizeof(path), "/images/task%04d/%06d.png", i / 1000, i);
		errors += bfs_index_batch_put(b, path, &e) != 0;
		if (i % 1000 == 999 || i == n - 1) {
			errors += bfs_index_batch_commit(b) != 0;
			b = NULL;
		}
	}
	printf("index: %d entries loaded in batches of 1000: %.2f us/entry\n", n,
	       (now_s() - t0) * 1e6 / n);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		int j = (int)(((unsigned)i * 2654435761u) % (unsigned)n);

		snprintf(path, sizeof(path), "/images/task%04d/%06d.png", j / 1000, j);
		errors += bfs_index_get(ix, path, &d) != 0;
	}
	printf("index: get (random order, %d entries): %.2f us\n", n, (now_s() - t0) * 1e6 / n);
	t0 = now_s();
	for (i = 0; i < nput; i++) {
		snprintf(path, sizeof(path), "/images/task%04d/%06d.png", i % (n / 1000 + 1), i);
		errors += bfs_index_put(ix, path, &e) != 0;
	}
	printf("index: put (one transaction and one fdatasync each): %.1f us\n",
	       (now_s() - t0) * 1e6 / nput);
	t0 = now_s();
	CHECK_INT(bfs_index_children(ix, "/images/task0001", count_any, &count), 0);
	printf("index: children of a 1000-entry directory: %.0f us\n", (now_s() - t0) * 1e6);
	CHECK_INT(errors, 0);
	CHECK_INT(bfs_index_stat(ix, &entries, &bytes), 0);
	printf("index: %llu entries use %.1f MiB on disk (%.0f bytes/entry)\n",
	       (unsigned long long)entries, (double)bytes / (1 << 20),
	       entries ? (double)bytes / (double)entries : 0.0);
	bfs_index_close(ix);
}

typedef void (*dir_test)(const char *dir);

static void in_fresh_dir(dir_test fn)
{
	char dir[256];

	tmp_dir(dir, sizeof(dir));
	fn(dir);
	rm_dir(dir);
}

int main(int argc, char **argv)
{
	const char *q = getenv("BFS_TEST_QUICK");

	argv0 = argv[0];
	if (argc == 3 && strcmp(argv[1], "--grow-map") == 0)
		return grow_elsewhere(argv[2]) ? 1 : 0;

	quick = q && *q && strcmp(q, "0") != 0;
	test_keys();
	test_codec();
	in_fresh_dir(test_entries);
	in_fresh_dir(test_children);
	in_fresh_dir(test_state);
	in_fresh_dir(test_move_batch);
	in_fresh_dir(test_update);
	in_fresh_dir(test_damage);
	test_formats();
	in_fresh_dir(test_growth);
	in_fresh_dir(test_resized);
	in_fresh_dir(test_threads);
	in_fresh_dir(bench);
	return check_done("test_index");
}
