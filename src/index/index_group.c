/* SPDX-License-Identifier: MIT */
/*
 * index_group.c - group commit of write transactions.
 *
 * A write transaction costs its commit's fdatasync: 0.3 ms on an idle disk
 * here, several ms while the cache's data files are being written (the
 * disk's flush waits for them).  LMDB runs one writer at a time, so eight
 * readers of cold files, each of whose lookups writes one entry, waited in
 * turn for each other's fdatasync: half the FUSE threads stood in
 * mdb_txn_begin, and eight readers went no faster than one.
 *
 * So concurrent write calls are combined.  A caller queues its request;
 * the first to find no leader becomes one, takes every request queued so
 * far, and runs each in a nested transaction of one write transaction,
 * committed with one fdatasync; a request that fails aborts its own nested
 * transaction only.  Each caller waits for its request's result, so every
 * call keeps its meaning: it returns once its changes are committed (or
 * with its own error).  Requests queued while a leader commits wait for it
 * and then form the next group: under load, groups grow by themselves; a
 * lone caller commits alone, as before, with no nesting.  A request that
 * needs the map grown (MDB_MAP_FULL) is run again alone by index_txn,
 * which grows it.
 */
#include <errno.h>

#include "index/index_int.h"

struct ix_req {
	index_txn_fn fn;
	void *arg;
	int rc;
	int done;
	struct ix_req *next;
};

void index_group_init(struct bfs_index *ix)
{
	pthread_mutex_init(&ix->grp.mu, NULL);
	pthread_cond_init(&ix->grp.cv, NULL);
	ix->grp.head = NULL;
	ix->grp.tail = &ix->grp.head;
	ix->grp.busy = 0;
}

void index_group_destroy(struct bfs_index *ix)
{
	pthread_cond_destroy(&ix->grp.cv);
	pthread_mutex_destroy(&ix->grp.mu);
}

/* Run a group of requests in one write transaction: each in a nested
 * transaction of its own, unless it is alone. */
static void run_group(struct bfs_index *ix, struct ix_req *group)
{
	MDB_txn *parent, *child;
	struct ix_req *r;
	int rc, landed = 0, alone = !group->next;

	pthread_rwlock_rdlock(&ix->lock);
	rc = mdb_txn_begin(ix->env, NULL, 0, &parent);
	if (rc) {
		for (r = group; r; r = r->next)
			r->rc = rc;
		pthread_rwlock_unlock(&ix->lock);
		return;
	}
	for (r = group; r; r = r->next) {
		child = parent;
		if (!alone && (r->rc = mdb_txn_begin(ix->env, parent, 0, &child)) != 0)
			continue;
		r->rc = r->fn(ix, child, r->arg);
		if (alone)
			break;
		if (r->rc == 0)
			r->rc = mdb_txn_commit(child); /* into parent: no I/O */
		else
			mdb_txn_abort(child);
		landed += r->rc == 0;
	}
	if (alone)
		landed = group->rc == 0;
	if (landed) {
		rc = mdb_txn_commit(parent); /* frees it, also on failure */
		for (r = group; rc && r; r = r->next)
			if (r->rc == 0)
				r->rc = rc; /* none of them landed */
	} else {
		mdb_txn_abort(parent);
	}
	pthread_rwlock_unlock(&ix->lock);
}

int index_txn_write(struct bfs_index *ix, index_txn_fn fn, void *arg)
{
	struct ix_req me = { fn, arg, 0, 0, NULL };
	struct ix_req *group, *r, *next;

	pthread_mutex_lock(&ix->grp.mu);
	*ix->grp.tail = &me;
	ix->grp.tail = &me.next;
	while (!me.done) {
		if (ix->grp.busy) {
			pthread_cond_wait(&ix->grp.cv, &ix->grp.mu);
			continue;
		}
		/* lead: every request queued so far, this one among them */
		group = ix->grp.head;
		ix->grp.head = NULL;
		ix->grp.tail = &ix->grp.head;
		ix->grp.busy = 1;
		pthread_mutex_unlock(&ix->grp.mu);
		run_group(ix, group);
		pthread_mutex_lock(&ix->grp.mu);
		ix->grp.busy = 0;
		for (r = group; r; r = next) {
			next = r->next; /* (r may be gone once done) */
			r->done = 1;
		}
		pthread_cond_broadcast(&ix->grp.cv);
	}
	pthread_mutex_unlock(&ix->grp.mu);
	return me.rc;
}
