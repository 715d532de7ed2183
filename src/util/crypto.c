/* SPDX-License-Identifier: MIT */
/*
 * crypto.c - digests, MACs, base64, randomness and wiping (see crypto.h).
 *
 * This is the only file that includes OpenSSL.  It uses the one-shot
 * EVP_Digest() and HMAC() (neither is deprecated in OpenSSL 3) plus an
 * EVP_MD_CTX pair for bfs_digest_fd(), which streams a file range once and
 * feeds both MD5 and SHA-256 from the same buffer.  Base64 is done here by
 * hand because OpenSSL's EVP_DecodeBlock() accepts input we want to refuse
 * (missing padding, whitespace, non-zero pad bits).  Nothing here keeps
 * state between calls, so every function is thread-safe.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "bucketfs/crypto.h"

#define DIGEST_CHUNK (256 * 1024)

static void digest(const EVP_MD *md, const void *p, size_t n, unsigned char *out, size_t outlen)
{
	static const unsigned char empty;

	/* A failure leaves zeros, which no server accepts as a digest. */
	if (!EVP_Digest(n ? p : &empty, n, out, NULL, md, NULL))
		memset(out, 0, outlen);
}

void bfs_md5(const void *p, size_t n, unsigned char out[BFS_MD5_LEN])
{
	digest(EVP_md5(), p, n, out, BFS_MD5_LEN);
}

void bfs_sha256(const void *p, size_t n, unsigned char out[BFS_SHA256_LEN])
{
	digest(EVP_sha256(), p, n, out, BFS_SHA256_LEN);
}

static void hmac(const EVP_MD *md, const void *key, size_t keylen, const void *msg, size_t n,
		 unsigned char *out, size_t outlen)
{
	static const unsigned char empty;
	unsigned int len = 0;

	if (keylen > INT_MAX ||
	    !HMAC(md, keylen ? key : &empty, (int)keylen, n ? msg : (const void *)&empty, n, out,
		  &len) ||
	    len != outlen)
		memset(out, 0, outlen);
}

void bfs_hmac_sha1(const void *key, size_t keylen, const void *msg, size_t n,
		   unsigned char out[BFS_SHA1_LEN])
{
	hmac(EVP_sha1(), key, keylen, msg, n, out, BFS_SHA1_LEN);
}

void bfs_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
		     unsigned char out[BFS_SHA256_LEN])
{
	hmac(EVP_sha256(), key, keylen, msg, n, out, BFS_SHA256_LEN);
}

void bfs_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

void bfs_sha256_hex(const void *p, size_t n, char out[BFS_SHA256_HEX_LEN + 1])
{
	unsigned char md[BFS_SHA256_LEN];

	bfs_sha256(p, n, md);
	bfs_hex(md, sizeof(md), out);
}

int bfs_base64(const unsigned char *in, size_t n, char *out, size_t outsz)
{
	size_t need;

	if (n > (size_t)INT_MAX / 4 * 3 - 3)
		return -EOVERFLOW;
	need = BFS_BASE64_LEN(n);
	if (outsz < need + 1)
		return -ENOSPC;
	/* (OpenSSL's: padded, no newlines, NUL-terminated; the decoder below
	 * is ours, for it refuses what is not canonical) */
	return EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* The 6-bit value of c, or -1 when c is not in the alphabet. */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Check that in is canonical padded base64 and return the decoded length,
 * or -EINVAL.  Padding may only close the last group, and the bits it hides
 * must be zero, so every byte string has exactly one accepted encoding.
 */
static long b64_check(const char *in, size_t n)
{
	size_t i, pad = 0;
	int last;

	if (n % 4 || n / 4 * 3 > (size_t)INT_MAX)
		return -EINVAL;
	if (n && in[n - 1] == '=')
		pad = in[n - 2] == '=' ? 2 : 1;
	for (i = 0; i < n - pad; i++)
		if (b64_value((unsigned char)in[i]) < 0)
			return -EINVAL;
	if (pad) {
		last = b64_value((unsigned char)in[n - pad - 1]);
		if (last & (pad == 2 ? 0x0f : 0x03))
			return -EINVAL;
	}
	return (long)(n / 4 * 3 - pad);
}

int bfs_base64_decode(const char *in, size_t n, unsigned char *out, size_t outsz)
{
	unsigned long v;
	size_t i, o = 0;
	long len = b64_check(in, n);

	if (len < 0)
		return (int)len;
	if ((size_t)len > outsz)
		return -ENOSPC;
	for (i = 0; i < n; i += 4) {
		v = (unsigned long)b64_value((unsigned char)in[i]) << 18 |
		    (unsigned long)b64_value((unsigned char)in[i + 1]) << 12;
		out[o++] = (unsigned char)(v >> 16);
		if (in[i + 2] == '=')
			break;
		v |= (unsigned long)b64_value((unsigned char)in[i + 2]) << 6;
		out[o++] = (unsigned char)(v >> 8 & 0xff);
		if (in[i + 3] == '=')
			break;
		v |= (unsigned long)b64_value((unsigned char)in[i + 3]);
		out[o++] = (unsigned char)(v & 0xff);
	}
	return (int)len;
}

/* Read exactly n bytes at off; -EIO when the file ends first. */
static int pread_full(int fd, void *buf, size_t n, off_t off)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = pread(fd, (char *)buf + done, n - done, off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		done += (size_t)r;
	}
	return 0;
}

static EVP_MD_CTX *md_start(const EVP_MD *md, int want, int *rc)
{
	EVP_MD_CTX *ctx;

	if (!want || *rc)
		return NULL;
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		*rc = -ENOMEM;
		return NULL;
	}
	if (!EVP_DigestInit_ex(ctx, md, NULL))
		*rc = -EIO;
	return ctx;
}

int bfs_digest_fd(int fd, off_t off, off_t len, unsigned char md5[BFS_MD5_LEN],
		  unsigned char sha256[BFS_SHA256_LEN])
{
	EVP_MD_CTX *mctx = NULL, *sctx = NULL;
	unsigned char *buf;
	size_t chunk;
	int rc = 0;

	if (fd < 0 || off < 0 || len < 0)
		return -EINVAL;
	buf = malloc(DIGEST_CHUNK);
	if (!buf)
		return -ENOMEM;
	mctx = md_start(EVP_md5(), md5 != NULL, &rc);
	sctx = md_start(EVP_sha256(), sha256 != NULL, &rc);
	if (rc)
		goto out_ctx;

	while (len > 0) {
		chunk = len < DIGEST_CHUNK ? (size_t)len : DIGEST_CHUNK;
		rc = pread_full(fd, buf, chunk, off);
		if (rc)
			goto out_ctx;
		if ((mctx && !EVP_DigestUpdate(mctx, buf, chunk)) ||
		    (sctx && !EVP_DigestUpdate(sctx, buf, chunk))) {
			rc = -EIO;
			goto out_ctx;
		}
		off += (off_t)chunk;
		len -= (off_t)chunk;
	}
	if ((mctx && !EVP_DigestFinal_ex(mctx, md5, NULL)) ||
	    (sctx && !EVP_DigestFinal_ex(sctx, sha256, NULL)))
		rc = -EIO;

out_ctx:
	EVP_MD_CTX_free(sctx);
	EVP_MD_CTX_free(mctx);
	free(buf);
	return rc;
}

uint32_t bfs_random_below(uint32_t bound)
{
	uint32_t r, reject;

	assert(bound > 0);
	if (bound <= 1)
		return 0;
	/* 2^32 mod bound: values below it would make the low results likelier. */
	reject = (uint32_t)(0u - bound) % bound;
	do {
		if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
			return 0;
	} while (r < reject);
	return r % bound;
}

void bfs_wipe(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}

struct bfs_md5_ctx {
	EVP_MD_CTX *ctx;
	int failed;
};

struct bfs_md5_ctx *bfs_md5_begin(void)
{
	struct bfs_md5_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->ctx = EVP_MD_CTX_new();
	if (!c->ctx || !EVP_DigestInit_ex(c->ctx, EVP_md5(), NULL))
		c->failed = 1;
	return c;
}

void bfs_md5_update(struct bfs_md5_ctx *c, const void *p, size_t n)
{
	if (c && !c->failed && n && !EVP_DigestUpdate(c->ctx, p, n))
		c->failed = 1;
}

void bfs_md5_end(struct bfs_md5_ctx *c, unsigned char out[BFS_MD5_LEN])
{
	memset(out, 0, BFS_MD5_LEN);
	if (!c)
		return;
	if (!c->failed && !EVP_DigestFinal_ex(c->ctx, out, NULL))
		memset(out, 0, BFS_MD5_LEN);
	EVP_MD_CTX_free(c->ctx);
	free(c);
}
