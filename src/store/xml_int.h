/* SPDX-License-Identifier: MIT */
/*
 * xml_int.h - the XML engine and field parsers that xml.c (the engine, the
 * <Error> document), xml_list.c (listings) and xml_docs.c (multipart, copy,
 * delete results) share.  Not part of the public API; only these files
 * include expat.h.
 */
#ifndef BUCKETFS_XML_INT_H
#define BUCKETFS_XML_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <expat.h>

#include "bucketfs/buf.h"
#include "bucketfs/xml.h"

#ifdef XML_UNICODE
#error "bucketfs needs expat built with UTF-8 XML_Char"
#endif

#define XML_MAX_DEPTH 16
#define XML_MAX_TEXT 4096		      /* tokens, upload ids, ... */
#define XML_MAX_RAW_KEY (3 * BFS_XML_MAX_KEY) /* every byte as %XX */
#define XML_MAX_RAW_ETAG (BFS_ETAG_MAX + 1)   /* 127 bytes and 2 quotes */
#define XML_MAX_NUM 32

#define F_REPEAT 1u /* may occur more than once in its parent */
#define F_TRUNC 2u  /* text past the cap is dropped, not an error */

struct xml_field {
	const char *path; /* from the root, '/'-separated */
	unsigned id;	  /* < 64, unique in its table */
	size_t cap;	  /* max text bytes; 0 for a container */
	unsigned flags;
};

struct xml_doc {
	const struct xml_field *fields; /* ends with a NULL path */
	void *st;
	int (*start)(void *st, unsigned id);
	/* text is NUL-terminated at len; "" for a container */
	int (*end)(void *st, unsigned id, const char *text, size_t len);
};

struct xml_parser {
	XML_Parser p;
	const struct xml_doc *doc;
	const struct xml_field *open[XML_MAX_DEPTH];
	uint64_t seen[XML_MAX_DEPTH]; /* ids of the children met so far */
	int depth;
	const struct xml_field *cur; /* text field being gathered, or NULL */
	int truncated;
	struct bfs_buf text;
	int rc; /* first failure */
};

#define ERR_CAP(f) (sizeof(((struct bfs_xml_error *)0)->f) - 1)

/* An <Error> element at path root with children Code, Message, RequestId. */
/* clang-format off */
#define ERROR_FIELDS(root, id0, fl)                                   \
	{ root, (id0), 0, (fl) },                                     \
	{ root "/Code", (id0) + 1, ERR_CAP(code), F_TRUNC },          \
	{ root "/Message", (id0) + 2, ERR_CAP(message), F_TRUNC },    \
	{ root "/RequestId", (id0) + 3, ERR_CAP(request_id), F_TRUNC }
/* clang-format on */

/* The engine and the field parsers, documented where xml.c defines them. */
int xmlp_run(const struct xml_doc *doc, const char *xml, size_t len);
int xmlp_text_dup(char **dst, const char *s, size_t len);
int xmlp_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);
int xmlp_parse_int(const char *s, size_t len, int max, int *out);
int xmlp_parse_bool(const char *s, size_t len, int *out);
int xmlp_parse_time(const char *s, size_t len, time_t *out);
int xmlp_etag_copy(char dst[BFS_ETAG_MAX], const char *s, size_t len);
void xmlp_error_set(struct bfs_xml_error *err, unsigned rel, const char *s, size_t len);
void *xmlp_array_grow(void *arr, size_t *alloc, size_t n, size_t size);
int xmlp_key_fix(char **s, int enc, int may_be_empty);

#endif
