/* SPDX-License-Identifier: MIT */
/*
 * xml.c - the S3 XML documents bucketfs reads and writes (see xml.h); the
 * only file that includes expat.h.
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

#include <expat.h>

#include "bucketfs/error.h"
#include "bucketfs/uri.h"
#include "bucketfs/xml.h"

#ifdef XML_UNICODE
#error "bucketfs needs expat built with UTF-8 XML_Char"
#endif

#define XML_MAX_DEPTH 16
#define XML_MAX_TEXT 4096			/* tokens, upload ids, ... */
#define XML_MAX_RAW_KEY (3 * BFS_XML_MAX_KEY)	/* every byte as %XX */
#define XML_MAX_RAW_ETAG (BFS_XML_MAX_ETAG + 1) /* 127 bytes and 2 quotes */
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
static int xml_run(const struct xml_doc *doc, const char *xml, size_t len)
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

static int text_dup(char **dst, const char *s, size_t len)
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
static int parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
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

static int parse_int(const char *s, size_t len, int max, int *out)
{
	uint64_t v;
	int rc = parse_u64(s, len, (uint64_t)max, &v);

	if (!rc)
		*out = (int)v;
	return rc;
}

static int parse_bool(const char *s, size_t len, int *out)
{
	if (len == 4 && memcmp(s, "true", 4) == 0)
		*out = 1;
	else if (len == 5 && memcmp(s, "false", 5) == 0)
		*out = 0;
	else
		return BFS_E_PROTO;
	return 0;
}

/* The value of n decimal digits, -1 if one is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

static int days_in_month(int year, int mon)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return days[mon - 1] + (mon == 2 && leap);
}

/* "2009-10-12T17:50:30.000Z" (fraction optional, dropped) as UTC. */
static int parse_time(const char *s, size_t len, time_t *out)
{
	struct tm tm;
	size_t i = 19;
	time_t t;

	if (len < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
		return BFS_E_PROTO;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = digits(s, 4);
	tm.tm_mon = digits(s + 5, 2);
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	if (tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > days_in_month(tm.tm_year, tm.tm_mon) || tm.tm_hour < 0 ||
	    tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
		return BFS_E_PROTO;
	if (s[i] == '.') {
		while (++i < len && s[i] >= '0' && s[i] <= '9')
			;
		if (i == 20)
			return BFS_E_PROTO; /* a dot without digits */
	}
	if (i + 1 != len || s[i] != 'Z')
		return BFS_E_PROTO;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return BFS_E_PROTO; /* does not fit time_t */
	*out = t;
	return 0;
}

/* Copy an ETag without its surrounding double quotes. */
static int etag_copy(char dst[BFS_XML_MAX_ETAG], const char *s, size_t len)
{
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	if (len >= BFS_XML_MAX_ETAG)
		return BFS_E_PROTO;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

/* Store Error/Code, Message, RequestId (rel 1, 2, 3 from the Error id). */
static void error_set(struct bfs_xml_error *err, unsigned rel, const char *s, size_t len)
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
static void *array_grow(void *arr, size_t *alloc, size_t n, size_t size)
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
static int key_fix(char **s, int enc, int may_be_empty)
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
    {NULL, 0, 0, 0},
};

static int error_end(void *st, unsigned id, const char *s, size_t len)
{
	error_set(st, id, s, len);
	return 0;
}

int bfs_xml_parse_error(const char *xml, size_t len, struct bfs_xml_error *err)
{
	struct xml_doc doc = {error_fields, err, NULL, error_end};
	int rc;

	memset(err, 0, sizeof(*err));
	rc = xml_run(&doc, xml, len);
	if (rc)
		memset(err, 0, sizeof(*err));
	return rc;
}

/* ---- <ListBucketResult> ---- */

enum {
	L_ROOT,
	L_PREFIX, /* the five below L_PREFIX are kept raw in list_state.top */
	L_DELIMITER,
	L_MARKER,
	L_NEXT_MARKER,
	L_START_AFTER,
	L_ENCODING,
	L_KEY_COUNT,
	L_CONT_TOKEN,
	L_NEXT_TOKEN,
	L_TRUNCATED,
	L_CONTENTS,
	L_KEY,
	L_SIZE,
	L_MTIME,
	L_ETAG,
	L_COMMON,
	L_COMMON_PREFIX,
};
#define L_NTOP (L_START_AFTER - L_PREFIX + 1)

static const struct xml_field list_fields[] = {
    {"ListBucketResult", L_ROOT, 0, 0},
    {"ListBucketResult/Prefix", L_PREFIX, XML_MAX_RAW_KEY, 0},
    {"ListBucketResult/Delimiter", L_DELIMITER, XML_MAX_RAW_KEY, 0},
    {"ListBucketResult/Marker", L_MARKER, XML_MAX_RAW_KEY, 0},
    {"ListBucketResult/NextMarker", L_NEXT_MARKER, XML_MAX_RAW_KEY, 0},
    {"ListBucketResult/StartAfter", L_START_AFTER, XML_MAX_RAW_KEY, 0},
    {"ListBucketResult/EncodingType", L_ENCODING, XML_MAX_NUM, 0},
    {"ListBucketResult/KeyCount", L_KEY_COUNT, XML_MAX_NUM, 0},
    {"ListBucketResult/ContinuationToken", L_CONT_TOKEN, XML_MAX_TEXT, 0},
    {"ListBucketResult/NextContinuationToken", L_NEXT_TOKEN, XML_MAX_TEXT, 0},
    {"ListBucketResult/IsTruncated", L_TRUNCATED, XML_MAX_NUM, 0},
    {"ListBucketResult/Contents", L_CONTENTS, 0, F_REPEAT},
    {"ListBucketResult/Contents/Key", L_KEY, XML_MAX_RAW_KEY, 0},
    {"ListBucketResult/Contents/Size", L_SIZE, XML_MAX_NUM, 0},
    {"ListBucketResult/Contents/LastModified", L_MTIME, XML_MAX_NUM, 0},
    {"ListBucketResult/Contents/ETag", L_ETAG, XML_MAX_RAW_ETAG, 0},
    {"ListBucketResult/CommonPrefixes", L_COMMON, 0, F_REPEAT},
    {"ListBucketResult/CommonPrefixes/Prefix", L_COMMON_PREFIX, XML_MAX_RAW_KEY, 0},
    {NULL, 0, 0, 0},
};

struct list_state {
	struct bfs_xml_list l;
	size_t aobjects, aprefixes; /* allocated entries */
	struct bfs_xml_object cur;  /* the <Contents> being read */
	int cur_has_size;
	char *cur_prefix;  /* the <CommonPrefixes> being read */
	char *top[L_NTOP]; /* raw Prefix ... StartAfter */
	char *next_token;  /* raw NextContinuationToken */
	int encoded;	   /* <EncodingType>url</EncodingType> seen */
	int v2;		   /* a ListObjectsV2-only element seen */
};

static int list_start(void *vst, unsigned id)
{
	struct list_state *st = vst;

	switch (id) {
	case L_CONTENTS:
	case L_COMMON:
		if (st->l.nobjects + st->l.nprefixes >= BFS_XML_MAX_ENTRIES)
			return BFS_E_PROTO;
		st->cur_has_size = 0;
		break;
	case L_KEY_COUNT:
	case L_CONT_TOKEN:
	case L_NEXT_TOKEN:
	case L_START_AFTER:
		st->v2 = 1;
		break;
	}
	return 0;
}

static int list_add_object(struct list_state *st)
{
	struct bfs_xml_object *p;

	if (!st->cur.key || !st->cur_has_size)
		return BFS_E_PROTO;
	p = array_grow(st->l.objects, &st->aobjects, st->l.nobjects, sizeof(*p));
	if (!p)
		return -ENOMEM;
	st->l.objects = p;
	p[st->l.nobjects++] = st->cur;
	memset(&st->cur, 0, sizeof(st->cur));
	return 0;
}

static int list_add_prefix(struct list_state *st)
{
	char **p;

	if (!st->cur_prefix)
		return BFS_E_PROTO;
	p = array_grow(st->l.prefixes, &st->aprefixes, st->l.nprefixes, sizeof(*p));
	if (!p)
		return -ENOMEM;
	st->l.prefixes = p;
	p[st->l.nprefixes++] = st->cur_prefix;
	st->cur_prefix = NULL;
	return 0;
}

static int list_end(void *vst, unsigned id, const char *s, size_t len)
{
	struct list_state *st = vst;
	uint64_t n;

	switch (id) {
	case L_PREFIX:
	case L_DELIMITER:
	case L_MARKER:
	case L_NEXT_MARKER:
	case L_START_AFTER:
		return text_dup(&st->top[id - L_PREFIX], s, len);
	case L_ENCODING:
		st->encoded = 1;
		return len == 3 && memcmp(s, "url", 3) == 0 ? 0 : BFS_E_PROTO;
	case L_KEY_COUNT:
		return parse_u64(s, len, UINT64_MAX, &n);
	case L_NEXT_TOKEN:
		return text_dup(&st->next_token, s, len);
	case L_TRUNCATED:
		return parse_bool(s, len, &st->l.truncated);
	case L_KEY:
		return text_dup(&st->cur.key, s, len);
	case L_SIZE:
		st->cur_has_size = 1;
		return parse_u64(s, len, INT64_MAX, &st->cur.size);
	case L_MTIME:
		return parse_time(s, len, &st->cur.mtime);
	case L_ETAG:
		return etag_copy(st->cur.etag, s, len);
	case L_CONTENTS:
		return list_add_object(st);
	case L_COMMON_PREFIX:
		return text_dup(&st->cur_prefix, s, len);
	case L_COMMON:
		return list_add_prefix(st);
	}
	return 0;
}

/*
 * A truncated V1 listing without NextMarker continues after the last entry
 * (S3 documents the last key; with a delimiter the last common prefix may
 * sort later, and S3 would have sent it as NextMarker).
 */
static int list_implicit_marker(struct bfs_xml_list *l)
{
	const char *last = NULL;

	if (l->nobjects)
		last = l->objects[l->nobjects - 1].key;
	if (l->nprefixes && (!last || strcmp(l->prefixes[l->nprefixes - 1], last) > 0))
		last = l->prefixes[l->nprefixes - 1];
	if (!last)
		return BFS_E_PROTO;
	l->next_token = strdup(last);
	return l->next_token ? 0 : -ENOMEM;
}

static int list_finish(struct list_state *st, int enc)
{
	struct bfs_xml_list *l = &st->l;
	char **tok;
	size_t i;
	int rc = 0;

	for (i = 0; i < l->nobjects && !rc; i++)
		rc = key_fix(&l->objects[i].key, enc, 0);
	for (i = 0; i < l->nprefixes && !rc; i++)
		rc = key_fix(&l->prefixes[i], enc, 0);
	for (i = 0; i < L_NTOP && !rc; i++)
		if (st->top[i])
			rc = key_fix(&st->top[i], enc, 1);
	if (rc)
		return rc;
	tok = st->v2 ? &st->next_token : &st->top[L_NEXT_MARKER - L_PREFIX];
	if (*tok && **tok) {
		l->next_token = *tok;
		*tok = NULL;
	}
	if (l->truncated && !l->next_token)
		return st->v2 ? BFS_E_PROTO : list_implicit_marker(l);
	return 0;
}

int bfs_xml_parse_list(const char *xml, size_t len, int url_encoded, struct bfs_xml_list *out)
{
	struct list_state st;
	struct xml_doc doc = {list_fields, &st, list_start, list_end};
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	rc = xml_run(&doc, xml, len);
	if (!rc)
		rc = list_finish(&st, st.encoded || url_encoded);
	free(st.cur.key);
	free(st.cur_prefix);
	free(st.next_token);
	for (i = 0; i < L_NTOP; i++)
		free(st.top[i]);
	if (rc) {
		bfs_xml_list_release(&st.l);
		return rc;
	}
	*out = st.l;
	return 0;
}

void bfs_xml_list_release(struct bfs_xml_list *l)
{
	size_t i;

	for (i = 0; i < l->nobjects; i++)
		free(l->objects[i].key);
	for (i = 0; i < l->nprefixes; i++)
		free(l->prefixes[i]);
	free(l->objects);
	free(l->prefixes);
	free(l->next_token);
	memset(l, 0, sizeof(*l));
}

/* ---- <InitiateMultipartUploadResult> ---- */

static const struct xml_field initiate_fields[] = {
    {"InitiateMultipartUploadResult", 0, 0, 0},
    {"InitiateMultipartUploadResult/UploadId", 1, XML_MAX_TEXT, 0},
    {NULL, 0, 0, 0},
};

static int initiate_end(void *st, unsigned id, const char *s, size_t len)
{
	return id == 1 ? text_dup(st, s, len) : 0;
}

int bfs_xml_parse_initiate(const char *xml, size_t len, char **upload_id)
{
	char *id = NULL;
	struct xml_doc doc = {initiate_fields, &id, NULL, initiate_end};
	int rc;

	*upload_id = NULL;
	rc = xml_run(&doc, xml, len);
	if (!rc && (!id || !*id))
		rc = BFS_E_PROTO;
	if (rc) {
		free(id);
		return rc;
	}
	*upload_id = id;
	return 0;
}

/* ---- <CompleteMultipartUploadResult>, <CopyObjectResult> ---- */

enum { R_COMPLETE, R_COMPLETE_ETAG, R_COPY, R_COPY_ETAG, R_ERROR };

static const struct xml_field result_fields[] = {
    {"CompleteMultipartUploadResult", R_COMPLETE, 0, 0},
    {"CompleteMultipartUploadResult/ETag", R_COMPLETE_ETAG, XML_MAX_RAW_ETAG, 0},
    {"CopyObjectResult", R_COPY, 0, 0},
    {"CopyObjectResult/ETag", R_COPY_ETAG, XML_MAX_RAW_ETAG, 0},
    ERROR_FIELDS("Error", R_ERROR, 0),
    {NULL, 0, 0, 0},
};

struct result_state {
	char etag[BFS_XML_MAX_ETAG];
	struct bfs_xml_error err;
	int is_error;
};

static int result_end(void *vst, unsigned id, const char *s, size_t len)
{
	struct result_state *st = vst;

	if (id == R_COMPLETE_ETAG || id == R_COPY_ETAG)
		return etag_copy(st->etag, s, len);
	if (id == R_ERROR)
		st->is_error = 1;
	else if (id > R_ERROR)
		error_set(&st->err, id - R_ERROR, s, len);
	return 0;
}

int bfs_xml_parse_result_etag(const char *xml, size_t len, char etag[BFS_XML_MAX_ETAG],
			      struct bfs_xml_error *err)
{
	struct result_state st;
	struct xml_doc doc = {result_fields, &st, NULL, result_end};
	int rc;

	memset(&st, 0, sizeof(st));
	etag[0] = '\0';
	if (err)
		memset(err, 0, sizeof(*err));
	rc = xml_run(&doc, xml, len);
	if (rc)
		return rc;
	if (st.is_error) {
		if (err)
			*err = st.err;
		return 1;
	}
	memcpy(etag, st.etag, sizeof(st.etag));
	return 0;
}

/* ---- <ListPartsResult> ---- */

enum { P_ROOT, P_TRUNCATED, P_NEXT_MARKER, P_PART, P_NUMBER, P_SIZE, P_ETAG };

static const struct xml_field parts_fields[] = {
    {"ListPartsResult", P_ROOT, 0, 0},
    {"ListPartsResult/IsTruncated", P_TRUNCATED, XML_MAX_NUM, 0},
    {"ListPartsResult/NextPartNumberMarker", P_NEXT_MARKER, XML_MAX_NUM, 0},
    {"ListPartsResult/Part", P_PART, 0, F_REPEAT},
    {"ListPartsResult/Part/PartNumber", P_NUMBER, XML_MAX_NUM, 0},
    {"ListPartsResult/Part/Size", P_SIZE, XML_MAX_NUM, 0},
    {"ListPartsResult/Part/ETag", P_ETAG, XML_MAX_RAW_ETAG, 0},
    {NULL, 0, 0, 0},
};

struct parts_state {
	struct bfs_xml_parts p;
	size_t alloc;
	struct bfs_xml_part cur;
	int cur_has; /* bit 0: PartNumber, bit 1: Size */
};

static int parts_start(void *vst, unsigned id)
{
	struct parts_state *st = vst;

	if (id == P_PART) {
		if (st->p.nparts >= BFS_XML_MAX_ENTRIES)
			return BFS_E_PROTO;
		memset(&st->cur, 0, sizeof(st->cur));
		st->cur_has = 0;
	}
	return 0;
}

static int parts_add(struct parts_state *st)
{
	struct bfs_xml_part *p;

	if (st->cur_has != 3 || st->cur.number < 1)
		return BFS_E_PROTO;
	p = array_grow(st->p.parts, &st->alloc, st->p.nparts, sizeof(*p));
	if (!p)
		return -ENOMEM;
	st->p.parts = p;
	p[st->p.nparts++] = st->cur;
	return 0;
}

static int parts_end(void *vst, unsigned id, const char *s, size_t len)
{
	struct parts_state *st = vst;

	switch (id) {
	case P_TRUNCATED:
		return parse_bool(s, len, &st->p.truncated);
	case P_NEXT_MARKER:
		return parse_int(s, len, BFS_XML_MAX_PART, &st->p.next_marker);
	case P_NUMBER:
		st->cur_has |= 1;
		return parse_int(s, len, BFS_XML_MAX_PART, &st->cur.number);
	case P_SIZE:
		st->cur_has |= 2;
		return parse_u64(s, len, INT64_MAX, &st->cur.size);
	case P_ETAG:
		return etag_copy(st->cur.etag, s, len);
	case P_PART:
		return parts_add(st);
	}
	return 0;
}

int bfs_xml_parse_parts(const char *xml, size_t len, struct bfs_xml_parts *out)
{
	struct parts_state st;
	struct xml_doc doc = {parts_fields, &st, parts_start, parts_end};
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	rc = xml_run(&doc, xml, len);
	if (rc)
		goto out_release;
	if (st.p.truncated && st.p.next_marker == 0) {
		/* like ListObjects V1: continue after the last part listed */
		rc = BFS_E_PROTO;
		if (!st.p.nparts)
			goto out_release;
		st.p.next_marker = st.p.parts[st.p.nparts - 1].number;
	}
	*out = st.p;
	return 0;

out_release:
	bfs_xml_parts_release(&st.p);
	return rc;
}

void bfs_xml_parts_release(struct bfs_xml_parts *p)
{
	free(p->parts);
	memset(p, 0, sizeof(*p));
}

/* ---- <DeleteResult> ---- */

enum { D_ROOT, D_DELETED, D_ERROR, D_ERROR_KEY = D_ERROR + 4 };

static const struct xml_field delete_fields[] = {
    {"DeleteResult", D_ROOT, 0, 0},
    {"DeleteResult/Deleted", D_DELETED, 0, F_REPEAT},
    ERROR_FIELDS("DeleteResult/Error", D_ERROR, F_REPEAT),
    {"DeleteResult/Error/Key", D_ERROR_KEY, BFS_XML_MAX_KEY, 0},
    {NULL, 0, 0, 0},
};

struct delete_state {
	size_t ndeleted, nerrors;
	struct bfs_xml_error cur, first;
	char *cur_key, *first_key;
};

static int delete_start(void *vst, unsigned id)
{
	struct delete_state *st = vst;

	if (id != D_DELETED && id != D_ERROR)
		return 0;
	if (st->ndeleted + st->nerrors >= BFS_XML_MAX_ENTRIES)
		return BFS_E_PROTO;
	if (id == D_ERROR) {
		memset(&st->cur, 0, sizeof(st->cur));
		free(st->cur_key);
		st->cur_key = NULL;
	}
	return 0;
}

static int delete_end(void *vst, unsigned id, const char *s, size_t len)
{
	struct delete_state *st = vst;

	switch (id) {
	case D_DELETED:
		st->ndeleted++;
		break;
	case D_ERROR:
		if (!st->nerrors++) {
			st->first = st->cur;
			st->first_key = st->cur_key;
			st->cur_key = NULL;
		}
		break;
	case D_ERROR_KEY:
		return text_dup(&st->cur_key, s, len);
	default:
		if (id > D_ERROR)
			error_set(&st->cur, id - D_ERROR, s, len);
	}
	return 0;
}

int bfs_xml_parse_delete(const char *xml, size_t len, size_t *ndeleted, size_t *nerrors,
			 struct bfs_buf *first_key, struct bfs_xml_error *err)
{
	struct delete_state st;
	struct xml_doc doc = {delete_fields, &st, delete_start, delete_end};
	int rc;

	memset(&st, 0, sizeof(st));
	rc = xml_run(&doc, xml, len);
	if (rc)
		goto out_free;
	if (first_key) {
		bfs_buf_reset(first_key);
		if (st.first_key)
			rc = bfs_buf_adds(first_key, st.first_key);
		if (rc)
			goto out_free;
	}
	if (ndeleted)
		*ndeleted = st.ndeleted;
	if (nerrors)
		*nerrors = st.nerrors;
	if (err)
		*err = st.first;

out_free:
	free(st.cur_key);
	free(st.first_key);
	return rc;
}
