/* SPDX-License-Identifier: MIT */
/*
 * xml.c - the engine that parses the S3 XML documents bucketfs reads (see
 * xml.h) on expat, its field parsers, and the <Error> document.  The other
 * documents are in xml_list.c and xml_docs.c; these three files (through
 * xml_int.h) are the only ones that include expat.h.
 *
 * DESIGN: one small engine drives expat for every document.  A document is
 * described by a table of the element paths it cares about, from the root
 * ("ListBucketResult/Contents/Key"); everything else is skipped without
 * being stored.  The engine keeps a stack with the table entry of each open
 * element (NULL for one not in the table and for everything below it), so
 * the <Prefix> of a <CommonPrefixes> is a different field from the
 * listing's own <Prefix>, and <Owner><DisplayName> is never looked at.
 * Text is gathered only for leaf fields, into one bounded buffer, with a
 * cap per field.  These stop the parse with BFS_E_PROTO: a root that is not
 * in the table, nesting deeper than XML_MAX_DEPTH, a second occurrence of
 * a field that may appear once, an element inside a text field, text over
 * its cap, and any DOCTYPE (so no entity can be declared, let alone
 * expanded: S3 never sends one).  Each document's handlers build the result
 * in a private state, and the public function hands it over only when the
 * whole document was good; on any failure everything is freed.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/error.h"
#include "bucketfs/isotime.h"
#include "bucketfs/uri.h"
#include "bucketfs/xml.h"
#include "store/xml_int.h"

/* ---- the engine ---- */

static void xml_fail(struct xml_parser *x, int rc)
{
	if (!x->rc)
		x->rc = rc;
	XML_StopParser(x->p, XML_FALSE);
}

/* The entry for element name under parent (the root when parent is NULL). */
static const struct xml_field *field_find(const struct xml_field *t, const struct xml_field *parent,
					  const char *name)
{
	size_t plen = parent ? strlen(parent->path) : 0;
	const char *p;

	for (; t->path; t++) {
		p = t->path;
		if (parent) {
			if (strncmp(p, parent->path, plen) != 0 || p[plen] != '/')
				continue;
			p += plen + 1;
		}
		if (strcmp(p, name) == 0)
			return t;
	}
	return NULL;
}

/* Push element name; the first failure stops the parse. */
static int push(struct xml_parser *x, const char *name)
{
	const struct xml_field *parent = NULL, *f = NULL;
	uint64_t bit;

	if (x->depth == XML_MAX_DEPTH)
		return BFS_E_PROTO;
	if (x->depth > 0) {
		parent = x->open[x->depth - 1];
		if (parent && parent->cap)
			return BFS_E_PROTO; /* text fields are leaves */
	}
	if (x->depth == 0 || parent)
		f = field_find(x->doc->fields, parent, name);
	if (x->depth == 0 && !f)
		return BFS_E_PROTO; /* not the document we expect */
	if (f && parent) {
		assert(f->id < 64);
		bit = (uint64_t)1 << f->id;
		if ((x->seen[x->depth - 1] & bit) && !(f->flags & F_REPEAT))
			return BFS_E_PROTO;
		x->seen[x->depth - 1] |= bit;
	}
	x->open[x->depth] = f;
	x->seen[x->depth] = 0;
	x->depth++;
	x->cur = f && f->cap ? f : NULL;
	x->truncated = 0;
	bfs_buf_reset(&x->text);
	return f && x->doc->start ? x->doc->start(x->doc->st, f->id) : 0;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xml_parser *x = ud;
	int rc;

	(void)attrs;
	if (x->rc)
		return;
	rc = push(x, name);
	if (rc)
		xml_fail(x, rc);
}

/* Gather text for the current field, within its cap. */
static int gather(struct xml_parser *x, const char *s, size_t n)
{
	int rc;

	if (n > x->cur->cap - x->text.len) {
		if (!(x->cur->flags & F_TRUNC))
			return BFS_E_PROTO;
		/* keep whole characters (expat never splits one) */
		n = x->cur->cap - x->text.len;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		x->truncated = 1;
	}
	rc = bfs_buf_add(&x->text, s, n);
	return rc == -ENOMEM || !rc ? rc : BFS_E_PROTO;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct xml_parser *x = ud;
	int rc;

	if (x->rc || !x->cur || x->truncated || len <= 0)
		return;
	rc = gather(x, s, (size_t)len);
	if (rc)
		xml_fail(x, rc);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct xml_parser *x = ud;
	const struct xml_field *f;
	int rc = 0;

	(void)name;
	if (x->rc)
		return;
	f = x->open[--x->depth];
	x->cur = NULL;
	if (f && f->cap)
		rc = x->doc->end(x->doc->st, f->id, bfs_buf_str(&x->text), x->text.len);
	else if (f)
		rc = x->doc->end(x->doc->st, f->id, "", 0);
	if (rc)
		xml_fail(x, rc);
}

/* S3 never sends a DTD; refusing it rules out entity expansion attacks. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	xml_fail(ud, BFS_E_PROTO);
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
			      int value_len, const XML_Char *base, const XML_Char *sysid,
			      const XML_Char *pubid, const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	xml_fail(ud, BFS_E_PROTO);
}

/* Parse a whole document with doc's table and handlers. */
int xmlp_run(const struct xml_doc *doc, const char *xml, size_t len)
{
	struct xml_parser x;

	if (len > INT_MAX)
		return BFS_E_PROTO;
	memset(&x, 0, sizeof(x));
	x.doc = doc;
	bfs_buf_init(&x.text, XML_MAX_TEXT);
	x.p = XML_ParserCreate(NULL);
	if (!x.p)
		return -ENOMEM;
	XML_SetUserData(x.p, &x);
	XML_SetElementHandler(x.p, on_start, on_end);
	XML_SetCharacterDataHandler(x.p, on_text);
	XML_SetStartDoctypeDeclHandler(x.p, on_doctype);
	XML_SetEntityDeclHandler(x.p, on_entity);
	if (XML_Parse(x.p, xml ? xml : "", (int)len, XML_TRUE) != XML_STATUS_OK && !x.rc)
		x.rc = XML_GetErrorCode(x.p) == XML_ERROR_NO_MEMORY ? -ENOMEM : BFS_E_PROTO;
	XML_ParserFree(x.p);
	bfs_buf_release(&x.text);
	return x.rc;
}

/* ---- field values ---- */

int xmlp_text_dup(char **dst, const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (!p)
		return -ENOMEM;
	memcpy(p, s, len);
	p[len] = '\0';
	free(*dst);
	*dst = p;
	return 0;
}

/* Decimal digits only (no sign, no space), at most max. */
int xmlp_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (len == 0 || s[0] < '0' || s[0] > '9')
		return BFS_E_PROTO;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end != s + len || v > max)
		return BFS_E_PROTO;
	*out = v;
	return 0;
}

int xmlp_parse_int(const char *s, size_t len, int max, int *out)
{
	uint64_t v;
	int rc = xmlp_parse_u64(s, len, (uint64_t)max, &v);

	if (!rc)
		*out = (int)v;
	return rc;
}

int xmlp_parse_bool(const char *s, size_t len, int *out)
{
	if (len == 4 && memcmp(s, "true", 4) == 0)
		*out = 1;
	else if (len == 5 && memcmp(s, "false", 5) == 0)
		*out = 0;
	else
		return BFS_E_PROTO;
	return 0;
}

/* "2009-10-12T17:50:30.000Z" (fraction optional, dropped) as UTC. */
int xmlp_parse_time(const char *s, size_t len, time_t *out)
{
	int64_t t;

	if (bfs_iso8601(s, len, 0, &t) || (time_t)t != t)
		return BFS_E_PROTO;
	*out = (time_t)t;
	return 0;
}

/* Copy an ETag without its surrounding double quotes. */
int xmlp_etag_copy(char dst[BFS_ETAG_MAX], const char *s, size_t len)
{
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	if (len >= BFS_ETAG_MAX)
		return BFS_E_PROTO;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

/* Store Error/Code, Message, RequestId (rel 1, 2, 3 from the Error id). */
void xmlp_error_set(struct bfs_xml_error *err, unsigned rel, const char *s, size_t len)
{
	char *dst;
	size_t size;

	switch (rel) {
	case 1:
		dst = err->code;
		size = sizeof(err->code);
		break;
	case 2:
		dst = err->message;
		size = sizeof(err->message);
		break;
	case 3:
		dst = err->request_id;
		size = sizeof(err->request_id);
		break;
	default:
		return;
	}
	if (len >= size)
		len = size - 1; /* the engine already capped it */
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* Grow a malloc'd array so it can hold n + 1 entries of size bytes. */
void *xmlp_array_grow(void *arr, size_t *alloc, size_t n, size_t size)
{
	size_t na;
	void *p;

	if (n < *alloc)
		return arr;
	na = *alloc ? *alloc * 2 : 16;
	p = realloc(arr, na * size);
	if (p)
		*alloc = na;
	return p;
}

/*
 * Replace *s (a raw key from a listing) by its URL-decoded form when enc,
 * and check it against S3's key length.
 */
int xmlp_key_fix(char **s, int enc, int may_be_empty)
{
	struct bfs_buf b = BFS_BUF_INIT(BFS_XML_MAX_KEY);
	int rc;

	if (enc) {
		rc = bfs_uri_decode(&b, *s, strlen(*s), 1);
		if (rc)
			goto out_release;
		if (memchr(bfs_buf_str(&b), '\0', b.len)) {
			rc = BFS_E_PROTO;
			goto out_release;
		}
		free(*s);
		*s = bfs_buf_detach(&b);
		if (!*s)
			return -ENOMEM;
	}
	if (strlen(*s) > BFS_XML_MAX_KEY || (!may_be_empty && !**s))
		return BFS_E_PROTO;
	return 0;

out_release:
	bfs_buf_release(&b);
	return rc == -ENOMEM ? -ENOMEM : BFS_E_PROTO;
}

/* ---- <Error> ---- */

static const struct xml_field error_fields[] = {
	ERROR_FIELDS("Error", 0, 0),
	{ NULL, 0, 0, 0 },
};

static int error_end(void *st, unsigned id, const char *s, size_t len)
{
	xmlp_error_set(st, id, s, len);
	return 0;
}

int bfs_xml_parse_error(const char *xml, size_t len, struct bfs_xml_error *err)
{
	struct xml_doc doc = { error_fields, err, NULL, error_end };
	int rc;

	memset(err, 0, sizeof(*err));
	rc = xmlp_run(&doc, xml, len);
	if (rc)
		memset(err, 0, sizeof(*err));
	return rc;
}
