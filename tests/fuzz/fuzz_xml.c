/* SPDX-License-Identifier: MIT */
/*
 * fuzz_xml.c - libFuzzer target for every parser of xml.h, which read the
 * answers of an untrusted server.
 *
 * The first byte ('0' to '9' in the seeds) picks the parser (error,
 * listing with url_encoded 0 and 1, initiate, result ETag with and without
 * an error struct, parts, delete with and without outputs, delete with a
 * first_key buffer too small); the rest is the document.  Besides "no crash,
 * no leak, no undefined behaviour", the results are checked against what
 * xml.h promises: return codes, fields NUL-terminated within their arrays
 * and within their caps, keys 1..BFS_XML_MAX_KEY bytes, counts within
 * their limits, a truncated page always continuable, outputs left empty or
 * untouched on failure.  What the parsers hand on to the builders (listed
 * keys to DeleteObjects, listed parts to CompleteMultipartUpload) is fed to
 * them, and a key the delete builder accepts must read back unchanged.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "bucketfs/buf.h"
#include "bucketfs/error.h"
#include "bucketfs/xml.h"
#include "fuzz.h"

static int rc_ok(int rc)
{
	return rc == 0 || rc == BFS_E_PROTO || rc == -ENOMEM;
}

/* The three fields of an error: terminated, valid UTF-8 (cut at a character). */
static void check_error_fields(const struct bfs_xml_error *e)
{
	FUZZ_CHECK(fuzz_terminated(e->code, sizeof(e->code)));
	FUZZ_CHECK(fuzz_terminated(e->message, sizeof(e->message)));
	FUZZ_CHECK(fuzz_terminated(e->request_id, sizeof(e->request_id)));
	FUZZ_CHECK(fuzz_utf8(e->code, strlen(e->code)));
	FUZZ_CHECK(fuzz_utf8(e->message, strlen(e->message)));
	FUZZ_CHECK(fuzz_utf8(e->request_id, strlen(e->request_id)));
}

static int error_empty(const struct bfs_xml_error *e)
{
	return !e->code[0] && !e->message[0] && !e->request_id[0];
}

static void fuzz_error(const char *xml, size_t len)
{
	struct bfs_xml_error e;
	int rc;

	memset(&e, 'x', sizeof(e));
	rc = bfs_xml_parse_error(xml, len, &e);
	FUZZ_CHECK(rc_ok(rc));
	check_error_fields(&e);
	if (rc)
		FUZZ_CHECK(error_empty(&e));
}

/* A key as xml.h describes it: 1..BFS_XML_MAX_KEY bytes, no NUL inside. */
static void check_key(const char *k)
{
	size_t n;

	FUZZ_CHECK(k != NULL);
	n = strlen(k);
	FUZZ_CHECK(n >= 1 && n <= BFS_XML_MAX_KEY);
}

/* A key the delete builder takes must come back unchanged through a listing. */
static void round_trip_key(const char *key)
{
	struct bfs_buf b = BFS_BUF_INIT(16 * BFS_XML_MAX_KEY), doc = BFS_BUF_INIT(32768);
	const char *k, *ke;
	struct bfs_listing l;
	int rc;

	rc = bfs_xml_build_delete(&b, &key, 1);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
	if (rc)
		goto out;
	k = strstr(bfs_buf_str(&b), "<Key>");
	ke = k ? strstr(k, "</Key>") : NULL;
	FUZZ_CHECK(k && ke);
	rc = bfs_buf_addf(&doc,
			  "<ListBucketResult><Contents>%.*s<Size>1</Size></Contents>"
			  "</ListBucketResult>",
			  (int)(ke + 6 - k), k);
	FUZZ_CHECK(rc == 0);
	rc = bfs_xml_parse_list(doc.data, doc.len, 0, &l);
	FUZZ_CHECK(rc == 0 || rc == -ENOMEM);
	if (!rc) {
		FUZZ_CHECK(l.nobjects == 1 && strcmp(l.objects[0].key, key) == 0);
		bfs_listing_release(&l);
	}
out:
	bfs_buf_release(&b);
	bfs_buf_release(&doc);
}

/* What the store does with listed keys: delete them (rename_dir, rmdir). */
static void feed_delete_builder(const struct bfs_listing *l)
{
	struct bfs_buf b = BFS_BUF_INIT(64 * 1024 * 1024);
	const char **keys;
	size_t i, n = l->nobjects < BFS_XML_MAX_DELETE ? l->nobjects : BFS_XML_MAX_DELETE;
	int rc;

	if (!n)
		return;
	keys = calloc(n, sizeof(*keys));
	if (!keys)
		return;
	for (i = 0; i < n; i++)
		keys[i] = l->objects[i].key;
	rc = bfs_xml_build_delete(&b, keys, n);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
	if (rc)
		FUZZ_CHECK(b.len == 0);
	else
		FUZZ_CHECK(b.data && strlen(b.data) == b.len);
	bfs_buf_release(&b);
	round_trip_key(keys[0]);
	free(keys);
}

static void fuzz_list(const char *xml, size_t len, int enc)
{
	struct bfs_listing l;
	size_t i;
	int rc;

	memset(&l, 'x', sizeof(l));
	rc = bfs_xml_parse_list(xml, len, enc, &l);
	FUZZ_CHECK(rc_ok(rc));
	if (rc) {
		FUZZ_CHECK(!l.objects && !l.nobjects && !l.prefixes && !l.nprefixes &&
			   !l.truncated && !l.next_token);
		bfs_listing_release(&l);
		return;
	}
	FUZZ_CHECK(l.nobjects + l.nprefixes <= BFS_XML_MAX_ENTRIES);
	FUZZ_CHECK(!l.nobjects == !l.objects);
	FUZZ_CHECK(!l.nprefixes == !l.prefixes);
	FUZZ_CHECK(l.truncated == 0 || l.truncated == 1);
	for (i = 0; i < l.nobjects; i++) {
		const struct bfs_listing_object *o = &l.objects[i];

		check_key(o->key);
		FUZZ_CHECK(o->size <= INT64_MAX);
		FUZZ_CHECK(o->mtime >= 0);
		FUZZ_CHECK(fuzz_terminated(o->etag, sizeof(o->etag)));
	}
	for (i = 0; i < l.nprefixes; i++)
		check_key(l.prefixes[i]);
	/* never "", and always there when the page says there is more */
	FUZZ_CHECK(!l.next_token || l.next_token[0]);
	FUZZ_CHECK(!l.truncated || l.next_token);
	feed_delete_builder(&l);
	bfs_listing_release(&l);
	FUZZ_CHECK(!l.objects && !l.nobjects && !l.prefixes && !l.next_token);
	bfs_listing_release(&l); /* harmless twice */
}

static void fuzz_initiate(const char *xml, size_t len)
{
	char junk[] = "junk", *id = junk;
	int rc;

	rc = bfs_xml_parse_initiate(xml, len, &id);
	FUZZ_CHECK(rc_ok(rc));
	if (rc) {
		FUZZ_CHECK(id == NULL);
		return;
	}
	FUZZ_CHECK(id && id[0] && strlen(id) <= 4096);
	free(id);
}

static void fuzz_result_etag(const char *xml, size_t len, int with_err)
{
	char etag[BFS_ETAG_MAX];
	struct bfs_xml_error e;
	int rc;

	memset(etag, 'x', sizeof(etag));
	memset(&e, 'x', sizeof(e));
	rc = bfs_xml_parse_result_etag(xml, len, etag, with_err ? &e : NULL);
	FUZZ_CHECK(rc_ok(rc) || rc == 1);
	FUZZ_CHECK(fuzz_terminated(etag, sizeof(etag)));
	if (rc != 0)
		FUZZ_CHECK(etag[0] == '\0');
	if (!with_err)
		return;
	check_error_fields(&e);
	if (rc != 1)
		FUZZ_CHECK(error_empty(&e));
}

/* What the store does with listed parts: complete the upload with them. */
static void feed_complete_builder(const struct bfs_store_parts *p)
{
	struct bfs_buf b = BFS_BUF_INIT(4 * 1024 * 1024);
	int rc;

	rc = bfs_xml_build_complete(&b, p->parts, p->nparts);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
	if (rc)
		FUZZ_CHECK(b.len == 0);
	else
		FUZZ_CHECK(b.data && strlen(b.data) == b.len);
	bfs_buf_release(&b);
}

static void fuzz_parts(const char *xml, size_t len)
{
	struct bfs_store_parts p;
	size_t i;
	int rc;

	memset(&p, 'x', sizeof(p));
	rc = bfs_xml_parse_parts(xml, len, &p);
	FUZZ_CHECK(rc_ok(rc));
	if (rc) {
		FUZZ_CHECK(!p.parts && !p.nparts && !p.truncated && !p.next_marker);
		return;
	}
	FUZZ_CHECK(p.nparts <= BFS_XML_MAX_ENTRIES);
	FUZZ_CHECK(!p.nparts == !p.parts);
	FUZZ_CHECK(p.truncated == 0 || p.truncated == 1);
	FUZZ_CHECK(p.next_marker >= 0 && p.next_marker <= BFS_XML_MAX_PART);
	if (p.truncated)
		FUZZ_CHECK(p.next_marker >= 1);
	for (i = 0; i < p.nparts; i++) {
		FUZZ_CHECK(p.parts[i].number >= 1 && p.parts[i].number <= BFS_XML_MAX_PART);
		FUZZ_CHECK(p.parts[i].size <= INT64_MAX);
		FUZZ_CHECK(fuzz_terminated(p.parts[i].etag, sizeof(p.parts[i].etag)));
	}
	feed_complete_builder(&p);
	bfs_store_parts_release(&p);
	FUZZ_CHECK(!p.parts && !p.nparts);
}

static void fuzz_delete(const char *xml, size_t len, int outputs, size_t key_cap)
{
	struct bfs_buf key = BFS_BUF_INIT(key_cap);
	struct bfs_xml_error e;
	size_t nd = 12345, ne = 54321;
	int rc;

	memset(&e, 'x', sizeof(e));
	e.code[sizeof(e.code) - 1] = '\0';
	FUZZ_CHECK(bfs_buf_adds(&key, "old") == 0);
	if (outputs)
		rc = bfs_xml_parse_delete(xml, len, &nd, &ne, &key, &e);
	else
		rc = bfs_xml_parse_delete(xml, len, NULL, NULL, NULL, NULL);
	FUZZ_CHECK(rc_ok(rc) || rc == -EMSGSIZE);
	if (!outputs)
		goto out;
	if (rc) {
		/* "The outputs are written only on success" */
		FUZZ_CHECK(nd == 12345 && ne == 54321);
		FUZZ_CHECK(strcmp(bfs_buf_str(&key), "old") == 0);
		FUZZ_CHECK(e.message[0] == 'x');
		goto out;
	}
	FUZZ_CHECK(nd + ne <= BFS_XML_MAX_ENTRIES);
	FUZZ_CHECK(key.len <= key_cap && strlen(bfs_buf_str(&key)) == key.len);
	check_error_fields(&e);
	if (!ne)
		FUZZ_CHECK(key.len == 0 && error_empty(&e));
out:
	bfs_buf_release(&key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t which = (uint8_t)(fuzz_byte(&in) - '0'); /* '0'..'9' in the seeds */
	/* xml may be NULL when len is 0 */
	char *xml = in.n ? fuzz_dup(in.p, in.n) : NULL;
	size_t len = in.n;

	switch (which % 10) {
	case 0:
		fuzz_error(xml, len);
		break;
	case 1:
		fuzz_list(xml, len, 0);
		break;
	case 2:
		fuzz_list(xml, len, 1);
		break;
	case 3:
		fuzz_initiate(xml, len);
		break;
	case 4:
		fuzz_result_etag(xml, len, 1);
		break;
	case 5:
		fuzz_result_etag(xml, len, 0);
		break;
	case 6:
		fuzz_parts(xml, len);
		break;
	case 7:
		fuzz_delete(xml, len, 1, BFS_XML_MAX_KEY);
		break;
	case 8:
		fuzz_delete(xml, len, 1, 8); /* first_key too small: -EMSGSIZE */
		break;
	default:
		fuzz_delete(xml, len, 0, BFS_XML_MAX_KEY);
		break;
	}
	free(xml);
	return 0;
}
