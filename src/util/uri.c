/* SPDX-License-Identifier: MIT */
/*
 * uri.c - percent-encoding and decoding (see uri.h).
 *
 * The encoder is the UriEncode() of the SigV4 documentation: it works on
 * bytes, so UTF-8 needs no special case, and uses upper-case hex.  Runs of
 * bytes that stay as they are go into the buffer in one append.  Both
 * functions leave out as it was when they fail, so a caller never sees half
 * an encoding.
 */
#include <errno.h>
#include <stdint.h>

#include "bucketfs/uri.h"

static int is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

int bfs_uri_encode(struct bfs_buf *out, const char *s, size_t n, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t start = out->len, run = 0, i;
	unsigned char c;
	char esc[3];
	int rc;

	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (is_unreserved(c) || (keep_slash && c == '/'))
			continue;
		rc = bfs_buf_add(out, s + run, i - run);
		if (rc)
			goto out_undo;
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 0xf];
		rc = bfs_buf_add(out, esc, sizeof(esc));
		if (rc)
			goto out_undo;
		run = i + 1;
	}
	rc = bfs_buf_add(out, s + run, n - run);
	if (rc)
		goto out_undo;
	return 0;

out_undo:
	bfs_buf_truncate(out, start);
	return rc;
}

/* The value of hex digit c (either case), or -1. */
static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int bfs_uri_decode(struct bfs_buf *out, const char *s, size_t n, int plus_is_space)
{
	size_t start = out->len, run = 0, i = 0;
	int hi, lo, rc;
	char c;

	if (!n)
		return 0;
	while (i < n) {
		c = s[i];
		if (c == '\0') {
			rc = -EINVAL;
			goto out_undo;
		}
		if (c != '%' && !(plus_is_space && c == '+')) {
			i++;
			continue;
		}
		rc = bfs_buf_add(out, s + run, i - run);
		if (rc)
			goto out_undo;
		if (c == '+') {
			c = ' ';
			i++;
		} else {
			hi = i + 2 < n ? hex_value((unsigned char)s[i + 1]) : -1;
			lo = i + 2 < n ? hex_value((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				rc = -EINVAL;
				goto out_undo;
			}
			c = (char)(hi << 4 | lo);
			i += 3;
		}
		rc = bfs_buf_add(out, &c, 1);
		if (rc)
			goto out_undo;
		run = i;
	}
	rc = bfs_buf_add(out, s + run, n - run);
	if (rc)
		goto out_undo;
	return 0;

out_undo:
	bfs_buf_truncate(out, start);
	return rc;
}

int bfs_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	int n, i;

	while (*p) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xC2 && *p <= 0xDF)
			n = 1, c = *p & 0x1F;
		else if (*p >= 0xE0 && *p <= 0xEF)
			n = 2, c = *p & 0x0F;
		else if (*p >= 0xF0 && *p <= 0xF4)
			n = 3, c = *p & 0x07;
		else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			c = c << 6 | (p[i] & 0x3F);
		}
		if ((n == 2 && c < 0x800) || (n == 3 && (c < 0x10000 || c > 0x10FFFF)) ||
		    (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		p += n + 1;
	}
	return 1;
}
