/* SPDX-License-Identifier: MIT */
/*
 * crypto.h - the digests, MACs and encodings bucketfs needs, behind one
 * module so OpenSSL appears nowhere else.  All functions are thread-safe.
 * No function keeps a pointer it was given.
 */
#ifndef BUCKETFS_CRYPTO_H
#define BUCKETFS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BFS_MD5_LEN 16
#define BFS_SHA1_LEN 20
#define BFS_SHA256_LEN 32
#define BFS_SHA256_HEX_LEN 64			/* without the NUL */
#define BFS_BASE64_LEN(n) ((((n) + 2) / 3) * 4) /* without the NUL */

/*
 * One-shot digests and MACs of n bytes at p (p may be NULL when n is 0).
 * They cannot fail in a working OpenSSL; should OpenSSL refuse anyway (out
 * of memory, or MD5 disabled by a FIPS policy) out is all zeros, which no
 * server accepts as a digest or signature, so the failure surfaces as a
 * mismatch reported by the server, never as a crash or a silent success.
 */
void bfs_md5(const void *p, size_t n, unsigned char out[BFS_MD5_LEN]);
void bfs_sha256(const void *p, size_t n, unsigned char out[BFS_SHA256_LEN]);
void bfs_hmac_sha1(const void *key, size_t keylen, const void *msg, size_t n,
		   unsigned char out[BFS_SHA1_LEN]);
void bfs_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
		     unsigned char out[BFS_SHA256_LEN]);

/* Lower-case hex of n bytes into out, which holds 2n+1 bytes. */
void bfs_hex(const unsigned char *in, size_t n, char *out);

/* SHA-256 of n bytes as 64 lower-case hex digits plus NUL. */
void bfs_sha256_hex(const void *p, size_t n, char out[BFS_SHA256_HEX_LEN + 1]);

/*
 * Standard base64 (with padding) of n bytes into out (outsz bytes), NUL
 * terminated, so outsz must be at least BFS_BASE64_LEN(n) + 1.
 * Returns the length written (without NUL), -ENOSPC, or -EOVERFLOW when
 * the encoding would be longer than INT_MAX.
 */
int bfs_base64(const unsigned char *in, size_t n, char *out, size_t outsz);

/*
 * Decode standard base64 into out (outsz bytes).  Only the canonical form
 * is accepted: a multiple of 4 characters from the standard alphabet, '='
 * padding only at the end, zero bits under the padding, no whitespace.
 * Returns the number of bytes decoded, -EINVAL for malformed input (checked
 * first), -ENOSPC if out is too small; out is untouched on error.
 */
int bfs_base64_decode(const char *in, size_t n, unsigned char *out, size_t outsz);

/*
 * MD5 and/or SHA-256 of len bytes of fd starting at off, read with pread()
 * in 256 KiB chunks into a heap buffer (the file offset is untouched), both
 * digests in one pass.  md5 or sha256 may be NULL (the range is still read).
 * Returns 0, -errno from pread() (EINTR is retried), -EIO if the file is
 * shorter than off + len (or OpenSSL fails), -EINVAL for a negative fd, off
 * or len, or -ENOMEM.  md5 and sha256 are unspecified on error.
 */
int bfs_digest_fd(int fd, off_t off, off_t len, unsigned char md5[BFS_MD5_LEN],
		  unsigned char sha256[BFS_SHA256_LEN]);

/*
 * Uniformly random value in [0, bound) (bound > 0), for retry jitter:
 * RAND_bytes() with rejection sampling, so there is no modulo bias.  Should
 * the OpenSSL generator fail, returns 0 (no jitter) rather than aborting.
 */
uint32_t bfs_random_below(uint32_t bound);

/*
 * Overwrite n bytes at p with zeros in a way the compiler cannot drop (for
 * secrets).  p may be NULL when n is 0.
 */
void bfs_wipe(void *p, size_t n);

/*
 * Streaming MD5, for data that passes by once (a GET body being written to
 * its file).  bfs_md5_begin() returns NULL on ENOMEM; bfs_md5_end() writes
 * the digest (zeros if OpenSSL failed) and frees the context; ctx may be
 * NULL for the update and end calls, which then do nothing but zero out.
 */
struct bfs_md5_ctx;
struct bfs_md5_ctx *bfs_md5_begin(void);
void bfs_md5_update(struct bfs_md5_ctx *ctx, const void *p, size_t n);
void bfs_md5_end(struct bfs_md5_ctx *ctx, unsigned char out[BFS_MD5_LEN]);

#endif
