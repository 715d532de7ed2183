/* SPDX-License-Identifier: MIT */
/*
 * json.h - reading small JSON documents (the only module that includes
 * jansson.h).
 *
 * Instance metadata services and credential processes answer with one flat
 * JSON object; this module parses such an answer from a bounded buffer and
 * hands out its members.  Nothing here is specific to credentials, but the
 * string values are treated as secrets: they are wiped when the document is
 * freed.
 */
#ifndef BUCKETFS_JSON_H
#define BUCKETFS_JSON_H

#include <stddef.h>

struct bfs_json;

/*
 * Parse buf (len bytes, not necessarily NUL-terminated) as one JSON object.
 * Duplicate member names are refused.  On success *out owns the document
 * (free with bfs_json_free).  Returns 0, BFS_E_PROTO with msg set (not JSON,
 * not an object; msg quotes no input, which may hold secrets) or -ENOMEM.
 */
int bfs_json_parse(const char *buf, size_t len, struct bfs_json **out, char *msg, size_t msgsz);

/* Wipe the string values and free (NULL is fine). */
void bfs_json_free(struct bfs_json *j);

/*
 * The string member name of the top-level object, or NULL when there is
 * none or it is not a string.  Valid until bfs_json_free(j).
 */
const char *bfs_json_str(const struct bfs_json *j, const char *name);

/* The first of names (NULL-terminated list) that is a string member, or NULL;
 * *which (may be NULL) gets the name found. */
const char *bfs_json_str_any(const struct bfs_json *j, const char *const *names,
			     const char **which);

/* Integer member name into *out.  Returns 0 or -ENOENT (absent or not an
 * integer). */
int bfs_json_int(const struct bfs_json *j, const char *name, long long *out);

/* 1 when the top-level object has a member name (of any type), else 0. */
int bfs_json_has(const struct bfs_json *j, const char *name);

#endif
