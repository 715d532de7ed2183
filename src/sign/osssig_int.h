/* SPDX-License-Identifier: MIT */
/*
 * osssig_int.h - what the two OSS signatures share (osssig.c: the sorted
 * lists of query parameters and headers, the request checks, and V1;
 * osssig_v4.c: V4).
 */
#ifndef BUCKETFS_OSSSIG_INT_H
#define BUCKETFS_OSSSIG_INT_H

#include <stddef.h>

#include "bucketfs/buf.h"
#include "bucketfs/osssig.h"

#define OSSSIG_MAX (256 * 1024) /* cap on each string built while signing */
#define OSS4_ALGO "OSS4-HMAC-SHA256"
#define OSS4_DATE_LEN 16 /* YYYYMMDDTHHMMSSZ */
#define OSS_PREFIX "x-oss-"

/* One query parameter or header while it is being sorted. */
struct oss_ent {
	size_t name_off;   /* into the list's scratch buffer, until it stops moving */
	const char *name;  /* NUL-terminated, after that; headers lower-cased */
	const char *value; /* as given, not owned; NULL for a bare query name */
	size_t idx;	   /* position in the request, to keep sorting stable */
};

/* Query parameters or headers sorted by name (bytes). */
struct oss_list {
	struct bfs_buf scratch; /* the names */
	struct oss_ent *e;
	size_t n;
};

/* Character classes (1 or 0): a non-empty string without spaces, controls
 * or the forbidden characters; n decimal digits; a prefix. */
int oss_is_word(const char *s, const char *forbidden);
int oss_is_digits(const char *s, size_t n);
int oss_starts_with(const char *s, const char *prefix);
/* Append a token lower-cased / a string upper-cased / a header value with
 * its surrounding blanks trimmed: 0 or -errno (the buffer's cap). */
int oss_add_token_lower(struct bfs_buf *b, const char *s, size_t n);
int oss_add_upper(struct bfs_buf *b, const char *s);
int oss_add_trimmed(struct bfs_buf *b, const char *v);
/* The sorted lists: set up, free, build from the request's query or
 * headers (names lower-cased; 0 or -errno), the value of a header:
 * 0, -ENOENT, or -EINVAL when it is given twice. */
void oss_list_init(struct oss_list *l);
int oss_ent_cmp(const void *a, const void *b); /* (qsort's, by name then index) */
void oss_list_release(struct oss_list *l);
int oss_list_build(struct oss_list *l, const struct bfs_kv *kv, size_t n, int headers);
int oss_list_get(const struct oss_list *l, const char *name, const char **value);
/* Both lists of a request, set up and built: q its query, h its headers
 * (released by the caller, also on failure).  0 or -errno. */
int oss_lists_build(const struct bfs_oss_req *req, struct oss_list *q, struct oss_list *h);
/* The request and the credentials are what a signature can be made of:
 * 0 or -EINVAL. */
int oss_check_req(const struct bfs_oss_req *req);
int oss_check_cred(const struct bfs_oss_cred *cred, int v4);
/* The resource both versions sign: "/bucket/key" as given (encoded with
 * encode), or "/bucket/", or "/". */
int oss_add_resource(struct bfs_buf *b, const struct bfs_oss_req *req, int encode);

#endif
