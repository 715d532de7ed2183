/* SPDX-License-Identifier: MIT */
/*
 * xml_list.c - ListObjects V2 and V1 answers (<ListBucketResult>) on the
 * engine of xml.c: objects, common prefixes, paging tokens, and the keys
 * percent-decoded when the answer says it encoded them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/error.h"
#include "bucketfs/uri.h"
#include "bucketfs/xml.h"
#include "store/xml_int.h"

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
	{ "ListBucketResult", L_ROOT, 0, 0 },
	{ "ListBucketResult/Prefix", L_PREFIX, XML_MAX_RAW_KEY, 0 },
	{ "ListBucketResult/Delimiter", L_DELIMITER, XML_MAX_RAW_KEY, 0 },
	{ "ListBucketResult/Marker", L_MARKER, XML_MAX_RAW_KEY, 0 },
	{ "ListBucketResult/NextMarker", L_NEXT_MARKER, XML_MAX_RAW_KEY, 0 },
	{ "ListBucketResult/StartAfter", L_START_AFTER, XML_MAX_RAW_KEY, 0 },
	{ "ListBucketResult/EncodingType", L_ENCODING, XML_MAX_NUM, 0 },
	{ "ListBucketResult/KeyCount", L_KEY_COUNT, XML_MAX_NUM, 0 },
	{ "ListBucketResult/ContinuationToken", L_CONT_TOKEN, XML_MAX_TEXT, 0 },
	{ "ListBucketResult/NextContinuationToken", L_NEXT_TOKEN, XML_MAX_TEXT, 0 },
	{ "ListBucketResult/IsTruncated", L_TRUNCATED, XML_MAX_NUM, 0 },
	{ "ListBucketResult/Contents", L_CONTENTS, 0, F_REPEAT },
	{ "ListBucketResult/Contents/Key", L_KEY, XML_MAX_RAW_KEY, 0 },
	{ "ListBucketResult/Contents/Size", L_SIZE, XML_MAX_NUM, 0 },
	{ "ListBucketResult/Contents/LastModified", L_MTIME, XML_MAX_NUM, 0 },
	{ "ListBucketResult/Contents/ETag", L_ETAG, XML_MAX_RAW_ETAG, 0 },
	{ "ListBucketResult/CommonPrefixes", L_COMMON, 0, F_REPEAT },
	{ "ListBucketResult/CommonPrefixes/Prefix", L_COMMON_PREFIX, XML_MAX_RAW_KEY, 0 },
	{ NULL, 0, 0, 0 },
};

struct list_state {
	struct bfs_listing l;
	size_t aobjects, aprefixes;    /* allocated entries */
	struct bfs_listing_object cur; /* the <Contents> being read */
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
	struct bfs_listing_object *p;

	if (!st->cur.key || !st->cur_has_size)
		return BFS_E_PROTO;
	p = xmlp_array_grow(st->l.objects, &st->aobjects, st->l.nobjects, sizeof(*p));
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
	p = xmlp_array_grow(st->l.prefixes, &st->aprefixes, st->l.nprefixes, sizeof(*p));
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
		return xmlp_text_dup(&st->top[id - L_PREFIX], s, len);
	case L_ENCODING:
		st->encoded = 1;
		return len == 3 && memcmp(s, "url", 3) == 0 ? 0 : BFS_E_PROTO;
	case L_KEY_COUNT:
		return xmlp_parse_u64(s, len, UINT64_MAX, &n);
	case L_NEXT_TOKEN:
		return xmlp_text_dup(&st->next_token, s, len);
	case L_TRUNCATED:
		return xmlp_parse_bool(s, len, &st->l.truncated);
	case L_KEY:
		return xmlp_text_dup(&st->cur.key, s, len);
	case L_SIZE:
		st->cur_has_size = 1;
		return xmlp_parse_u64(s, len, INT64_MAX, &st->cur.size);
	case L_MTIME:
		return xmlp_parse_time(s, len, &st->cur.mtime);
	case L_ETAG:
		return xmlp_etag_copy(st->cur.etag, s, len);
	case L_CONTENTS:
		return list_add_object(st);
	case L_COMMON_PREFIX:
		return xmlp_text_dup(&st->cur_prefix, s, len);
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
static int list_implicit_marker(struct bfs_listing *l)
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
	struct bfs_listing *l = &st->l;
	char **tok;
	size_t i;
	int rc = 0;

	for (i = 0; i < l->nobjects && !rc; i++)
		rc = xmlp_key_fix(&l->objects[i].key, enc, 0);
	for (i = 0; i < l->nprefixes && !rc; i++)
		rc = xmlp_key_fix(&l->prefixes[i], enc, 0);
	for (i = 0; i < L_NTOP && !rc; i++)
		if (st->top[i])
			rc = xmlp_key_fix(&st->top[i], enc, 1);
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

int bfs_xml_parse_list(const char *xml, size_t len, int url_encoded, struct bfs_listing *out)
{
	struct list_state st;
	struct xml_doc doc = { list_fields, &st, list_start, list_end };
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	rc = xmlp_run(&doc, xml, len);
	if (!rc)
		rc = list_finish(&st, st.encoded || url_encoded);
	free(st.cur.key);
	free(st.cur_prefix);
	free(st.next_token);
	for (i = 0; i < L_NTOP; i++)
		free(st.top[i]);
	if (rc) {
		bfs_listing_release(&st.l);
		return rc;
	}
	*out = st.l;
	return 0;
}

void bfs_listing_release(struct bfs_listing *l)
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
