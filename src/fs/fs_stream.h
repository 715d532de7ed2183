/* SPDX-License-Identifier: MIT */
/*
 * fs_stream.h - a lookup's GET, read while it comes (fs_stream.c): the
 * lookup answers at the GET's headers, a thread of the stream writes the
 * body into the data file, and readers of the file take the bytes as they
 * land.  Part of the fs layer's private interface (fs_int.h includes it).
 */
#ifndef BFS_FS_STREAM_H
#define BFS_FS_STREAM_H

#include <pthread.h>
#include <stdint.h>

struct bfs_fs;
struct bfs_obj_info;

/* The lookups' GETs whose bodies are still coming, by data file id
 * (fs_stream.c; the lock is taken before a stream's own). */
#define FS_STREAMS_MAX 16
struct fs_stream;
struct fs_streams {
	pthread_mutex_t lock;
	pthread_cond_t idle; /* running came to 0 */
	struct fs_stream *slot[FS_STREAMS_MAX];
	int running; /* threads not ended */
	int stopping;
};

/* What a stream's GET brought, once it ended well. */
struct fs_stream_end {
	uint64_t got;	    /* bytes of the object in the data file, from 0 */
	uint64_t crc_bytes; /* their CRC-32C, as fs_digest_fetched makes it */
	uint32_t crc32c;
	int whole; /* got is the whole object */
};
#define FS_STREAM_NO_ROOM 2
/*
 * fs_stream_get: GET the first len bytes (0: all) of key into data file id,
 * open as fd, for path's lookup, and wait for the answer's headers.
 * Returns 0: the body is still coming; *info has the headers' attributes;
 * the caller writes path's entry (data_id = id, nothing cached) and then
 * calls fs_stream_settle (also when it did not write it).  1: the GET
 * ended first: *info and *end are final; the data file is the caller's,
 * its bytes accounted and, if checked whole, trusted.  FS_STREAM_NO_ROOM:
 * nothing done, fd is still the caller's.  Else the store's error, the
 * data file removed.  In every case but FS_STREAM_NO_ROOM the stream took
 * fd.
 */
int fs_stream_get(struct bfs_fs *fs, const char *path, const char *key, uint64_t len, int fd,
		  uint64_t id, struct bfs_obj_info *info, struct fs_stream_end *end);
void fs_stream_settle(struct bfs_fs *fs, uint64_t id, int put_ok);
/*
 * A reader of data file id: fs_stream_find gives a reference to the stream
 * writing it (NULL: none), fs_stream_put drops it.  fs_stream_wait waits
 * until the first want bytes may be read: 0 with *ready (>= want) while
 * the GET goes on; 1 when it ended well (*ready = end->got, which may be
 * short of want: the rest was not asked for); or the store's error
 * (nothing more may be read: what the reader took may be damaged).
 */
struct fs_stream *fs_stream_find(struct bfs_fs *fs, uint64_t id);
void fs_stream_put(struct fs_stream *s);
/* Is a stream writing data file id (not to be evicted)? */
int fs_stream_busy(struct bfs_fs *fs, uint64_t id);
int fs_stream_wait(struct fs_stream *s, uint64_t want, uint64_t *ready, struct fs_stream_end *end);
/* fs->streams, with the filesystem: stop waits for the GETs to end. */
void fs_streams_init(struct bfs_fs *fs);
void fs_streams_stop(struct bfs_fs *fs);
void fs_streams_destroy(struct bfs_fs *fs);

#endif
