/* SPDX-License-Identifier: MIT */
/*
 * xml_build.c - the two XML documents bucketfs sends: CompleteMultipartUpload
 * and DeleteObjects' <Delete>.  Text is escaped here; keys XML 1.0 cannot
 * carry are refused.  No expat: writing needs no parser.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "bucketfs/xml.h"

/* Length of the UTF-8 sequence at s if XML 1.0 allows that character, else 0. */
static size_t xml_char_len(const unsigned char *s)
{
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80)
		return s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' || s[0] == '\r';
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0; /* also stops at the terminating NUL */
		c = c << 6 | (s[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0; /* overlong, or past Unicode */
	if ((c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFE || c == 0xFFFF)
		return 0;
	return n;
}

/* The characters XML text cannot (or should not) carry as they are. */
static const char *const xml_entities[128] = {
	['&'] = "&amp;",   ['<'] = "&lt;",  ['>'] = "&gt;",   ['"'] = "&quot;",
	['\''] = "&apos;", ['\t'] = "&#9;", ['\n'] = "&#10;", ['\r'] = "&#13;",
};

/* Append the C string s as XML text; -EINVAL if XML cannot carry it. */
static int xml_escape(struct bfs_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	const char *ent;
	size_t n;
	int rc;

	while (*p) {
		ent = *p < 128 ? xml_entities[*p] : NULL;
		if (!ent) {
			n = xml_char_len(p);
			if (!n)
				return -EINVAL;
			p += n;
			continue;
		}
		rc = bfs_buf_add(out, run, (size_t)(p - run));
		if (!rc)
			rc = bfs_buf_adds(out, ent);
		if (rc)
			return rc;
		run = ++p;
	}
	return bfs_buf_add(out, run, (size_t)(p - run));
}

/* Undo a failed append. */
int bfs_xml_build_complete(struct bfs_buf *out, const struct bfs_store_part *parts, size_t n)
{
	size_t mark = out->len, i;
	int rc, prev = 0;

	if (n == 0 || n > BFS_XML_MAX_PART)
		return -EINVAL;
	rc = bfs_buf_adds(out, "<CompleteMultipartUpload>");
	for (i = 0; i < n && !rc; i++) {
		if (parts[i].number <= prev || parts[i].number > BFS_XML_MAX_PART ||
		    !memchr(parts[i].etag, '\0', sizeof(parts[i].etag))) {
			rc = -EINVAL;
			break;
		}
		prev = parts[i].number;
		rc = bfs_buf_addf(out, "<Part><PartNumber>%d</PartNumber>", parts[i].number);
		if (!rc)
			rc = bfs_buf_adds(out, "<ETag>\"");
		if (!rc)
			rc = xml_escape(out, parts[i].etag);
		if (!rc)
			rc = bfs_buf_adds(out, "\"</ETag></Part>");
	}
	if (!rc)
		rc = bfs_buf_adds(out, "</CompleteMultipartUpload>");
	if (rc)
		bfs_buf_truncate(out, mark);
	return rc;
}

int bfs_xml_build_delete(struct bfs_buf *out, const char *const *keys, size_t n)
{
	size_t mark = out->len, i;
	int rc;

	if (n == 0 || n > BFS_XML_MAX_DELETE)
		return -EINVAL;
	rc = bfs_buf_adds(out, "<Delete><Quiet>true</Quiet>");
	for (i = 0; i < n && !rc; i++) {
		if (!keys[i] || !keys[i][0]) {
			rc = -EINVAL;
			break;
		}
		rc = bfs_buf_adds(out, "<Object><Key>");
		if (!rc)
			rc = xml_escape(out, keys[i]);
		if (!rc)
			rc = bfs_buf_adds(out, "</Key></Object>");
	}
	if (!rc)
		rc = bfs_buf_adds(out, "</Delete>");
	if (rc)
		bfs_buf_truncate(out, mark);
	return rc;
}
