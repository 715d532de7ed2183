/* SPDX-License-Identifier: MIT */
/*
 * uri.h - percent-encoding as S3 and SigV4 define it (RFC 3986 unreserved
 * characters A-Z a-z 0-9 - _ . ~ stay, every other byte becomes %XX with
 * upper-case hex), and the decoding of keys from listings made with
 * encoding-type=url.
 */
#ifndef BUCKETFS_URI_H
#define BUCKETFS_URI_H

#include <stddef.h>

#include "bucketfs/buf.h"

/*
 * Append the encoding of n bytes of s to out.  With keep_slash, '/' stays
 * as is (object keys in a path); otherwise it becomes %2F (query names and
 * values).  Bytes are encoded one by one, so UTF-8 needs nothing special
 * and NUL becomes %00.  Returns 0 or a bfs_buf error (-EMSGSIZE, -ENOMEM);
 * on error out is as it was.  Thread-safe for distinct out buffers.
 */
int bfs_uri_encode(struct bfs_buf *out, const char *s, size_t n, int keep_slash);

/*
 * Append the decoding of n bytes of s to out: %XX (either case) becomes the
 * byte, and, with plus_is_space, '+' becomes ' ' (form encoding, which some
 * servers use for encoding-type=url listings).  Decodes once: "%2525" gives
 * "%25".  Returns 0, -EINVAL for a malformed escape ('%' not followed by two
 * hex digits), an encoded NUL (%00) or a raw NUL byte in s, or a bfs_buf
 * error; on error out is as it was.
 */
int bfs_uri_decode(struct bfs_buf *out, const char *s, size_t n, int plus_is_space);

/*
 * 1 when s is valid UTF-8: shortest forms only, no surrogates, nothing past
 * U+10FFFF.  S3 object keys must be (AWS, OSS, MinIO and radosgw refuse
 * others).
 */
int bfs_utf8_valid(const char *s);

#endif
