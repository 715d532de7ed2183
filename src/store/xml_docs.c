/* SPDX-License-Identifier: MIT */
/*
 * xml_docs.c - the small S3 answers on the engine of xml.c:
 * InitiateMultipartUploadResult, CompleteMultipartUploadResult and
 * CopyObjectResult (which may carry an <Error> with a 200), ListPartsResult
 * and DeleteResult.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/error.h"
#include "bucketfs/uri.h"
#include "bucketfs/xml.h"
#include "store/xml_int.h"

/* ---- <InitiateMultipartUploadResult> ---- */

static const struct xml_field initiate_fields[] = {
	{ "InitiateMultipartUploadResult", 0, 0, 0 },
	{ "InitiateMultipartUploadResult/UploadId", 1, XML_MAX_TEXT, 0 },
	{ NULL, 0, 0, 0 },
};

static int initiate_end(void *st, unsigned id, const char *s, size_t len)
{
	return id == 1 ? xmlp_text_dup(st, s, len) : 0;
}

int bfs_xml_parse_initiate(const char *xml, size_t len, char **upload_id)
{
	char *id = NULL;
	struct xml_doc doc = { initiate_fields, &id, NULL, initiate_end };
	int rc;

	*upload_id = NULL;
	rc = xmlp_run(&doc, xml, len);
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
	{ "CompleteMultipartUploadResult", R_COMPLETE, 0, 0 },
	{ "CompleteMultipartUploadResult/ETag", R_COMPLETE_ETAG, XML_MAX_RAW_ETAG, 0 },
	{ "CopyObjectResult", R_COPY, 0, 0 },
	{ "CopyObjectResult/ETag", R_COPY_ETAG, XML_MAX_RAW_ETAG, 0 },
	ERROR_FIELDS("Error", R_ERROR, 0),
	{ NULL, 0, 0, 0 },
};

struct result_state {
	char etag[BFS_ETAG_MAX];
	struct bfs_xml_error err;
	int is_error;
};

static int result_end(void *vst, unsigned id, const char *s, size_t len)
{
	struct result_state *st = vst;

	if (id == R_COMPLETE_ETAG || id == R_COPY_ETAG)
		return xmlp_etag_copy(st->etag, s, len);
	if (id == R_ERROR)
		st->is_error = 1;
	else if (id > R_ERROR)
		xmlp_error_set(&st->err, id - R_ERROR, s, len);
	return 0;
}

int bfs_xml_parse_result_etag(const char *xml, size_t len, char etag[BFS_ETAG_MAX],
			      struct bfs_xml_error *err)
{
	struct result_state st;
	struct xml_doc doc = { result_fields, &st, NULL, result_end };
	int rc;

	memset(&st, 0, sizeof(st));
	etag[0] = '\0';
	if (err)
		memset(err, 0, sizeof(*err));
	rc = xmlp_run(&doc, xml, len);
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
	{ "ListPartsResult", P_ROOT, 0, 0 },
	{ "ListPartsResult/IsTruncated", P_TRUNCATED, XML_MAX_NUM, 0 },
	{ "ListPartsResult/NextPartNumberMarker", P_NEXT_MARKER, XML_MAX_NUM, 0 },
	{ "ListPartsResult/Part", P_PART, 0, F_REPEAT },
	{ "ListPartsResult/Part/PartNumber", P_NUMBER, XML_MAX_NUM, 0 },
	{ "ListPartsResult/Part/Size", P_SIZE, XML_MAX_NUM, 0 },
	{ "ListPartsResult/Part/ETag", P_ETAG, XML_MAX_RAW_ETAG, 0 },
	{ NULL, 0, 0, 0 },
};

struct parts_state {
	struct bfs_store_parts p;
	size_t alloc;
	struct bfs_store_part cur;
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
	struct bfs_store_part *p;

	if (st->cur_has != 3 || st->cur.number < 1)
		return BFS_E_PROTO;
	p = xmlp_array_grow(st->p.parts, &st->alloc, st->p.nparts, sizeof(*p));
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
		return xmlp_parse_bool(s, len, &st->p.truncated);
	case P_NEXT_MARKER:
		return xmlp_parse_int(s, len, BFS_XML_MAX_PART, &st->p.next_marker);
	case P_NUMBER:
		st->cur_has |= 1;
		return xmlp_parse_int(s, len, BFS_XML_MAX_PART, &st->cur.number);
	case P_SIZE:
		st->cur_has |= 2;
		return xmlp_parse_u64(s, len, INT64_MAX, &st->cur.size);
	case P_ETAG:
		return xmlp_etag_copy(st->cur.etag, s, len);
	case P_PART:
		return parts_add(st);
	}
	return 0;
}

int bfs_xml_parse_parts(const char *xml, size_t len, struct bfs_store_parts *out)
{
	struct parts_state st;
	struct xml_doc doc = { parts_fields, &st, parts_start, parts_end };
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	rc = xmlp_run(&doc, xml, len);
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
	bfs_store_parts_release(&st.p);
	return rc;
}

void bfs_store_parts_release(struct bfs_store_parts *p)
{
	free(p->parts);
	memset(p, 0, sizeof(*p));
}

/* ---- <DeleteResult> ---- */

enum { D_ROOT, D_DELETED, D_ERROR, D_ERROR_KEY = D_ERROR + 4 };

static const struct xml_field delete_fields[] = {
	{ "DeleteResult", D_ROOT, 0, 0 },
	{ "DeleteResult/Deleted", D_DELETED, 0, F_REPEAT },
	ERROR_FIELDS("DeleteResult/Error", D_ERROR, F_REPEAT),
	{ "DeleteResult/Error/Key", D_ERROR_KEY, BFS_XML_MAX_KEY, 0 },
	{ NULL, 0, 0, 0 },
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
		return xmlp_text_dup(&st->cur_key, s, len);
	default:
		if (id > D_ERROR)
			xmlp_error_set(&st->cur, id - D_ERROR, s, len);
	}
	return 0;
}

int bfs_xml_parse_delete(const char *xml, size_t len, size_t *ndeleted, size_t *nerrors,
			 struct bfs_buf *first_key, struct bfs_xml_error *err)
{
	struct delete_state st;
	struct xml_doc doc = { delete_fields, &st, delete_start, delete_end };
	int rc;

	memset(&st, 0, sizeof(st));
	rc = xmlp_run(&doc, xml, len);
	if (rc)
		goto out_free;
	if (first_key) {
		/* built aside: a key over the cap leaves first_key as it was */
		struct bfs_buf k = BFS_BUF_INIT(first_key->max);

		rc = bfs_buf_adds(&k, st.first_key ? st.first_key : "");
		if (rc) {
			bfs_buf_release(&k);
			goto out_free;
		}
		bfs_buf_release(first_key);
		*first_key = k;
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
