/* SPDX-License-Identifier: MIT */
/*
 * test_index_group.c - group commit of the index's write calls
 * (src/index/index_group.c): write calls made at the same time by several
 * threads share one commit, and each keeps its own result: every put lands
 * with its own record, an update whose callback fails changes nothing (the
 * others of its group land), and the calls queued while one commit runs
 * are committed together (fewer LMDB transactions than calls).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/index.h"
#include "check.h"
#include "index/index_int.h"
#include "ixdir.h"

#define THREADS 8
#define PER_THREAD 150

static struct bfs_index *ix;

static void path_of(char *buf, size_t sz, int t, int i)
{
	snprintf(buf, sz, "/t%d/f%d", t, i);
}

/* An update that changes the entry, then fails: nothing may be stored. */
static int spoil(void *arg, struct bfs_entry *e)
{
	(void)arg;
	e->size = 999999;
	return -EINVAL;
}

static atomic_int errors;

static void *writer(void *arg)
{
	int t = (int)(intptr_t)arg, i;
	char p[64];

	for (i = 0; i < PER_THREAD; i++) {
		struct bfs_entry e;

		bfs_entry_init(&e);
		e.type = BFS_ENT_FILE;
		e.size = (uint64_t)(t * 100000 + i);
		path_of(p, sizeof(p), t, i);
		if (bfs_index_put(ix, p, &e))
			atomic_fetch_add(&errors, 1);
		if (i % 10 == 0 && bfs_index_update(ix, p, spoil, NULL) != -EINVAL)
			atomic_fetch_add(&errors, 1);
	}
	return NULL;
}

static size_t last_txn(void)
{
	MDB_envinfo info;

	CHECK_INT(mdb_env_info(ix->env, &info), 0);
	return info.me_last_txnid;
}

/* Holds the writer (the group's leader) until the others have queued. */
static atomic_int in_slow, release;

static int slow(void *arg, struct bfs_entry *e)
{
	(void)arg;
	atomic_store(&in_slow, 1);
	while (!atomic_load(&release))
		usleep(1000);
	e->size = 1;
	return 1;
}

/* (the threads count what went wrong; main checks: CHECK is not thread-safe) */
static void *slow_writer(void *arg)
{
	(void)arg;
	if (bfs_index_update(ix, "/slow", slow, NULL) != 1)
		atomic_fetch_add(&errors, 1);
	return NULL;
}

static void *one_put(void *arg)
{
	char p[64];
	struct bfs_entry e;

	bfs_entry_init(&e);
	e.type = BFS_ENT_FILE;
	e.size = 7;
	snprintf(p, sizeof(p), "/q%d", (int)(intptr_t)arg);
	if (bfs_index_put(ix, p, &e))
		atomic_fetch_add(&errors, 1);
	return NULL;
}

/*
 * One writer holds the commit (its callback waits); THREADS-1 others call
 * meanwhile and queue; once released, they are committed together.  How
 * soon the others reach the queue is up to the scheduler, so the round is
 * tried again (a few times) until they did: a group formed.
 */
static int grouped_round(int round)
{
	pthread_t slow_t, t[THREADS - 1];
	size_t before;
	int i, n;

	atomic_store(&in_slow, 0);
	atomic_store(&release, 0);
	CHECK_INT(pthread_create(&slow_t, NULL, slow_writer, NULL), 0);
	while (!atomic_load(&in_slow))
		usleep(1000);
	before = last_txn();
	for (i = 0; i < THREADS - 1; i++)
		CHECK_INT(pthread_create(&t[i], NULL, one_put, (void *)(intptr_t)(round * 100 + i)),
			  0);
	usleep(200000); /* (they queue behind the commit held) */
	atomic_store(&release, 1);
	pthread_join(slow_t, NULL);
	for (i = 0; i < THREADS - 1; i++)
		pthread_join(t[i], NULL);
	n = (int)(last_txn() - before);
	printf("# round %d: %d puts queued behind a held commit took %d transactions\n", round,
	       THREADS - 1, n - 1);
	return n - 1 < THREADS - 1;
}

int main(void)
{
	char dir[256], p[64];
	pthread_t t[THREADS];
	struct bfs_entry e;
	int i, j, grouped = 0;

	tmp_dir(dir, sizeof(dir));
	CHECK_INT(bfs_index_open(dir, 0, &ix), 0);

	/* many writers at once: every call's own result */
	for (i = 0; i < THREADS; i++)
		CHECK_INT(pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK_INT(atomic_load(&errors), 0);
	for (i = 0; i < THREADS; i++)
		for (j = 0; j < PER_THREAD; j++) {
			path_of(p, sizeof(p), i, j);
			CHECK_INT(bfs_index_get(ix, p, &e), 0);
			CHECK(e.size == (uint64_t)(i * 100000 + j)); /* (spoil stored nothing) */
		}

	/* calls queued behind a commit share the next one */
	bfs_entry_init(&e);
	e.type = BFS_ENT_FILE;
	CHECK_INT(bfs_index_put(ix, "/slow", &e), 0);
	for (i = 0; i < 5 && !grouped; i++)
		grouped = grouped_round(i);
	CHECK(grouped);
	CHECK_INT(atomic_load(&errors), 0);
	for (j = 0; j < THREADS - 1; j++) {
		snprintf(p, sizeof(p), "/q%d", (i - 1) * 100 + j);
		CHECK_INT(bfs_index_get(ix, p, &e), 0);
		CHECK(e.size == 7);
	}
	CHECK_INT(bfs_index_get(ix, "/slow", &e), 0);
	CHECK(e.size == 1);

	bfs_index_close(ix);
	rm_dir(dir);
	return check_done("test_index_group");
}
