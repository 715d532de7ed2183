/* SPDX-License-Identifier: MIT */
/*
 * xml.h - the S3 XML documents bucketfs reads and writes, parsed with expat
 * (the only module that includes expat.h).
 *
 * Parsers take a complete response body (already bounded by the HTTP layer)
 * and fill plain C structs.  They never trust the input: element text is
 * capped per field, entry counts are capped, and anything malformed gives
 * BFS_E_PROTO rather than a partial result.  Elements are matched by their
 * path from the root (a listing's <Prefix> is not its CommonPrefixes'
 * <Prefix>); elements a parser does not know are skipped, but a known one
 * may not repeat unless it is a list entry.  A document with a DOCTYPE is
 * refused (S3 never sends one; this rules out entity expansion attacks), as
 * is one nested deeper than 16 elements.  xml may be NULL when len is 0.
 * Thread-safe (no shared state).
 */
#ifndef BUCKETFS_XML_H
#define BUCKETFS_XML_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bucketfs/buf.h"
#include "bucketfs/store.h" /* the listing and part types the parsers fill */

#define BFS_XML_MAX_KEY 1024   /* S3's key limit, in bytes (after URL-decoding) */
#define BFS_XML_MAX_PART 10000 /* S3's highest part number */
#define BFS_XML_MAX_DELETE BFS_MAX_DELETE
#define BFS_XML_MAX_ENTRIES 10000 /* per listing page (servers send <= 1000) */

/* <Error><Code/><Message/><RequestId/>...</Error> */
struct bfs_xml_error {
	char code[64];
	char message[512];
	char request_id[128];
};

/*
 * Parse an S3 error document into *err (required).  Returns 0 when the
 * root element is <Error> (fields truncated to fit, at a UTF-8 character
 * boundary; missing ones ""), BFS_E_PROTO otherwise (*err is then all ""),
 * or -ENOMEM.
 */
int bfs_xml_parse_error(const char *xml, size_t len, struct bfs_xml_error *err);

/*
 * Parse a listing page.  url_encoded says the request asked for
 * encoding-type=url, so Key, Prefix, Delimiter, Marker, NextMarker and
 * StartAfter are percent-decoded ('+' as space too).  An
 * <EncodingType>url</EncodingType> in the response turns decoding on
 * whatever url_encoded says (any other EncodingType is BFS_E_PROTO).  The
 * page is V2 when it has KeyCount, ContinuationToken, NextContinuationToken
 * or StartAfter, V1 otherwise.
 *
 * When a V1 page is truncated without NextMarker, next_token is the last
 * key (as S3 documents), or the last common prefix when that sorts later
 * (what S3 would have sent as NextMarker).  A truncated V2 page without
 * NextContinuationToken, or a truncated page with no entry at all, cannot
 * be continued: BFS_E_PROTO.
 *
 * Returns 0, BFS_E_PROTO (malformed, a field over its cap, more than
 * BFS_XML_MAX_ENTRIES objects and prefixes together, a key that is empty,
 * longer than BFS_XML_MAX_KEY once decoded or badly percent-encoded,
 * a <Contents> without Key or Size, a bad number or date), or -ENOMEM.
 * On failure *out is left empty.  On success the caller owns *out and
 * frees it with bfs_listing_release().
 */
int bfs_xml_parse_list(const char *xml, size_t len, int url_encoded, struct bfs_listing *out);
/* Free everything in l and leave it empty (releasing twice is harmless). */

/*
 * <InitiateMultipartUploadResult><UploadId/>: on success *upload_id is
 * malloc'd (the caller frees it).  Returns 0, BFS_E_PROTO (including a
 * missing or empty UploadId; *upload_id is then NULL), or -ENOMEM.
 */
int bfs_xml_parse_initiate(const char *xml, size_t len, char **upload_id);

/*
 * <CompleteMultipartUploadResult><ETag/> or <CopyObjectResult><ETag/>
 * <LastModified/>.  A 200 response may carry <Error> instead (S3 does this
 * for Complete and Copy): then err is filled and BFS_E_TRANSIENT-style
 * handling is the caller's; this returns 1.  Returns 0 on a result (etag
 * may be "" — radosgw leaves it empty or out), BFS_E_PROTO if neither, or
 * -ENOMEM.  etag is "" unless 0 is returned; err may be NULL, and is all
 * "" unless 1 is returned.
 */
int bfs_xml_parse_result_etag(const char *xml, size_t len, char etag[BFS_ETAG_MAX],
			      struct bfs_xml_error *err);

/*
 * <ListPartsResult>: parts is a malloc'd array; truncated / next_marker for
 * paging.  Each <Part> needs a PartNumber (1..10000) and a Size; its ETag
 * may be missing ("").  When truncated without NextPartNumberMarker,
 * next_marker is the last part's number.  Returns 0, BFS_E_PROTO (also for
 * a truncated page without parts), or -ENOMEM; on failure *out is empty.
 * Free with bfs_store_parts_release().
 */
int bfs_xml_parse_parts(const char *xml, size_t len, struct bfs_store_parts *out);

/*
 * <DeleteResult>: counts the <Deleted> and <Error> entries (together at
 * most BFS_XML_MAX_ENTRIES); the first error's key and code/message are
 * copied into first_key (reset first; left empty when there is no error)
 * and err.  Any output may be NULL.  Returns 0, BFS_E_PROTO, -ENOMEM, or
 * first_key's bfs_buf error (-EMSGSIZE when its cap is too small).  The
 * outputs are written only on success (first_key: reset only then too).
 */
int bfs_xml_parse_delete(const char *xml, size_t len, size_t *ndeleted, size_t *nerrors,
			 struct bfs_buf *first_key, struct bfs_xml_error *err);

/*
 * Append <CompleteMultipartUpload><Part><PartNumber>1</PartNumber>
 * <ETag>"etag"</ETag></Part>...</CompleteMultipartUpload> (no blanks, no
 * XML declaration): the ETags get quotes and are XML-escaped.  Returns 0,
 * -EINVAL (n not in 1..10000, part numbers not strictly ascending within
 * 1..10000, an ETag not NUL-terminated in its array or not valid XML text),
 * or a bfs_buf error; on failure out is as it was.
 */
int bfs_xml_build_complete(struct bfs_buf *out, const struct bfs_store_part *parts, size_t n);

/*
 * Append <Delete><Quiet>true</Quiet><Object><Key>..</Key></Object>...
 * </Delete> with keys XML-escaped (& < > " ' as entities; tab, LF and CR as
 * &#9; &#10; &#13;, so the server's line-end normalisation cannot turn a
 * CR into an LF).
 * Returns 0, -EINVAL (n not in 1..1000, a NULL or empty key, or a key that
 * is not valid UTF-8 or holds a character XML 1.0 cannot carry: other
 * control characters, surrogates, U+FFFE, U+FFFF), or a bfs_buf error; on
 * failure out is as it was.
 */
int bfs_xml_build_delete(struct bfs_buf *out, const char *const *keys, size_t n);

#endif
