/* SPDX-License-Identifier: MIT */
/*
 * fs_sweep.h - what a walk or a revalidation in a row is counted by, and
 * the requests that then answer for many names at once: sweeps
 * (fs_sweep.c), tree listings and tree probes (fs_tree.c).  Part of the fs
 * layer's private interface (fs_int.h includes it).
 */
#ifndef BFS_FS_SWEEP_H
#define BFS_FS_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bfs_fs;
struct bfs_entry;
struct strv;

/* Names of one directory revalidated (fs_sweep.c) or found (fs_tree.c) in a row. */
#define FS_SWEEP_SLOTS 16
#define FS_SWEEP_GAP_NS 2000000000LL /* "in a row": each within this of the one before */
#define FS_SWEEP_KEYS 1000	     /* keys a sweep's, tree listing's or probe's LIST asks for */
struct fs_sweep {
	uint64_t hash;	 /* pathttl_hash of the directory; 0 free */
	int64_t last_ns; /* when the last of them was */
	unsigned n;	 /* how many, each within FS_SWEEP_GAP_NS of the one before */
	int probing;	 /* a tree probe of the directory is on its way */
	/* tree probes only (fs_tree.c) */
	unsigned need;	  /* directories found on their own before the next probe */
	int64_t probe_ns; /* validated_ns of what the last probe added; 0 none */
	unsigned used;	  /* lookups since answered by what it added */
	int judged;	  /* need was set from used since */
};

/* ==== level 6: fs_sweep.c; level 7: fs_tree.c ==== */
/*
 * Sweeps (fs_sweep.c): a stale file about to be revalidated counts in its
 * directory; when fs_sweep_due() says so, fs_sweep_after() (best effort,
 * after the file's own request) LISTs the names after key, the file's
 * object key, and confirms those unchanged.  A stale directory about to be
 * revalidated counts in its parent; when fs_tree_sweep_due() says so,
 * fs_tree_sweep() LISTs the keys below the parent from the directory on,
 * without a delimiter, and confirms the directories they lie in and the
 * files unchanged among them: 1 when that confirmed path, 0 when not (the
 * caller revalidates it alone).
 */
int fs_sweep_due(struct bfs_fs *fs, const char *path, int64_t now);
void fs_sweep_after(struct bfs_fs *fs, const char *path, const char *key);
int fs_tree_sweep_due(struct bfs_fs *fs, const char *path, int64_t now);
int fs_tree_sweep(struct bfs_fs *fs, const char *path, int64_t now);
/* Add the first len bytes of path to s, when they name a directory the
 * index can hold (else 0, nothing added); -ENOMEM. */
int fs_dir_path_add(struct strv *s, const char *path, size_t len);
/* The key of path in fs->memo.walked, for process walker. */
void fs_walked_key(char *buf, size_t sz, pid_t walker, const char *path);

/*
 * Tree listings (fs_tree.c; counted by fs_tree_list_due(), fs_sweep.c): a
 * directory about to be listed by readdir
 * for process walker counts in its parent, for that process; when fs_tree_list_due() says so,
 * fs_tree_list() LISTs the keys below the parent from the directory on, without a delimiter, and
 * applies the listing of every directory whose keys all came, for the process walker (its pid): 1
 * when path was so listed, 0 when not (the caller lists it).  fs_walked(): path was so listed for
 * walker within the positive window.
 */
int fs_tree_list_due(struct bfs_fs *fs, const char *path, pid_t walker, int64_t now);
int fs_tree_list(struct bfs_fs *fs, const char *path, pid_t walker);
int fs_walked(struct bfs_fs *fs, pid_t walker, const char *path, int64_t now);
/*
 * Tree probes (fs_tree.c): a directory the index does not hold, found by
 * its lookup's request, counts in its parent (fs_tree_probe_note(); found =
 * 0 for a name missing); when fs_tree_probe_due() says so, fs_tree_probe()
 * LISTs the keys below the parent from just before the name on, without a
 * delimiter, and adds the directories of the parent they show: 1 when the
 * index now holds path, -ENOENT when the page shows it missing, 0 when the
 * caller must look it up alone.
 */
int fs_tree_probe_due(struct bfs_fs *fs, const char *path, int64_t now);
void fs_tree_probe_note(struct bfs_fs *fs, const char *path, int64_t now, int found);
int fs_tree_probe(struct bfs_fs *fs, const char *path);
/* The index answered a lookup of directory path with e (BFS_EF_PROBED):
 * if the last probe of its parent added it, that probe was of use. */
void fs_tree_probe_used(struct bfs_fs *fs, const char *path, const struct bfs_entry *e);

#endif
