/* SPDX-License-Identifier: MIT */
/*
 * test_crypto.c - digests, MACs, base64, bfs_digest_fd and bfs_random_below
 * against published vectors:
 *   MD5      RFC 1321 appendix A.5 ("", "abc", "message digest");
 *   SHA-256  FIPS 180-2 appendix B.1 ("abc") and B.2 (the 448-bit message);
 *   HMAC     RFC 4231 test cases 1, 2, 6 (SHA-256), RFC 2202 test cases
 *            1, 2, 6 (SHA-1);
 *   base64   RFC 4648 section 10.
 * Every expected value was also reproduced with the openssl(1) command line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bucketfs/crypto.h"
#include "check.h"

#define HEX_MAX 129

static const char *hex_of(const unsigned char *p, size_t n, char out[HEX_MAX])
{
	bfs_hex(p, n, out);
	return out;
}

static void test_digests(void)
{
	/* clang-format off */
	static const struct {
		const char *msg;
		const char *md5;
		const char *sha256;
	} v[] = {
		{ "", "d41d8cd98f00b204e9800998ecf8427e",
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "900150983cd24fb0d6963f7d28e17f72",
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0", NULL },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", NULL,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	/* clang-format on */
	unsigned char md[BFS_SHA256_LEN];
	char hex[HEX_MAX];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (v[i].md5) {
			bfs_md5(v[i].msg, strlen(v[i].msg), md);
			CHECK_STR(hex_of(md, BFS_MD5_LEN, hex), v[i].md5);
		}
		if (v[i].sha256) {
			bfs_sha256(v[i].msg, strlen(v[i].msg), md);
			CHECK_STR(hex_of(md, BFS_SHA256_LEN, hex), v[i].sha256);
			bfs_sha256_hex(v[i].msg, strlen(v[i].msg), hex);
			CHECK_STR(hex, v[i].sha256);
		}
	}
	/* A NULL pointer with length 0 is the empty message. */
	bfs_sha256_hex(NULL, 0, hex);
	CHECK_STR(hex, v[0].sha256);
}

static void test_hmac(void)
{
	static const char tc6_msg[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	unsigned char k0b[20], kaa[131], md[BFS_SHA256_LEN];
	char hex[HEX_MAX];
	/* clang-format off */
	const struct {
		const char *what;
		const void *key;
		size_t keylen;
		const char *msg;
		const char *sha256;
		const char *sha1;
	} v[] = {
		{ "RFC 4231 case 1 / RFC 2202 case 1", k0b, 20, "Hi There",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
		  "b617318655057264e28bc0b6fb378c8ef146be00" },
		{ "RFC 4231 case 2 / RFC 2202 case 2", "Jefe", 4, "what do ya want for nothing?",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
		{ "RFC 4231 case 6 (131-byte key)", kaa, 131, tc6_msg,
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", NULL },
		{ "RFC 2202 case 6 (80-byte key)", kaa, 80, tc6_msg, NULL,
		  "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
	};
	/* clang-format on */
	size_t i;

	memset(k0b, 0x0b, sizeof(k0b));
	memset(kaa, 0xaa, sizeof(kaa));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (v[i].sha256) {
			bfs_hmac_sha256(v[i].key, v[i].keylen, v[i].msg, strlen(v[i].msg), md);
			CHECK_STR(hex_of(md, BFS_SHA256_LEN, hex), v[i].sha256);
		}
		if (v[i].sha1) {
			bfs_hmac_sha1(v[i].key, v[i].keylen, v[i].msg, strlen(v[i].msg), md);
			CHECK_STR(hex_of(md, BFS_SHA1_LEN, hex), v[i].sha1);
		}
	}
}

static void test_hex(void)
{
	static const unsigned char in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(in) + 1];

	bfs_hex(in, sizeof(in), out);
	CHECK_STR(out, "00017f80abff");
	bfs_hex(in, 0, out);
	CHECK_STR(out, "");
}

static void test_base64(void)
{
	/* clang-format off */
	/* RFC 4648 section 10. */
	static const struct {
		const char *plain, *b64;
	} v[] = {
		{ "", "" },         { "f", "Zg==" },        { "fo", "Zm8=" },
		{ "foo", "Zm9v" },  { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	static const char *const bad[] = {
		"Zg=",       /* not a multiple of 4 */
		"Zg",        /* padding missing */
		"Zh==",      /* non-zero bits under the padding */
		"Zm9=",      /* likewise, one '=' */
		"Z===",      /* three '=' */
		"====",      /* padding only */
		"Zg=a",      /* data after padding */
		"Zg==Zg==",  /* padding inside */
		"Zm9v\n",    /* whitespace */
		"Zm 9",      /* whitespace */
		"Zm9-",      /* base64url alphabet */
		"Zm9_",      /* base64url alphabet */
		"Zm9\x80",   /* not ASCII */
	};
	/* clang-format on */
	unsigned char bin[256], back[256];
	char text[BFS_BASE64_LEN(256) + 1];
	size_t i, n;
	int len;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = strlen(v[i].plain);
		CHECK_INT(bfs_base64((const unsigned char *)v[i].plain, n, text, sizeof(text)),
			  (int)strlen(v[i].b64));
		CHECK_STR(text, v[i].b64);
		CHECK_INT(BFS_BASE64_LEN(n), strlen(v[i].b64));
		len = bfs_base64_decode(v[i].b64, strlen(v[i].b64), back, sizeof(back));
		CHECK_INT(len, (int)n);
		CHECK(len >= 0 && memcmp(back, v[i].plain, n) == 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(bfs_base64_decode(bad[i], strlen(bad[i]), back, sizeof(back)), -EINVAL);

	/* Exactly enough room, one byte short. */
	CHECK_INT(bfs_base64((const unsigned char *)"foo", 3, text, 5), 4);
	CHECK_INT(bfs_base64((const unsigned char *)"foo", 3, text, 4), -ENOSPC);
	CHECK_INT(bfs_base64((const unsigned char *)"", 0, text, 0), -ENOSPC);
	CHECK_INT(bfs_base64_decode("Zm9vYg==", 8, back, 4), 4);
	CHECK_INT(bfs_base64_decode("Zm9vYg==", 8, back, 3), -ENOSPC);
	CHECK_INT(bfs_base64_decode("Zm9v", 4, back, 2), -ENOSPC);
	/* Malformed wins over too small. */
	CHECK_INT(bfs_base64_decode("Zh==", 4, back, 0), -EINVAL);

	/* Round trips of every length and every byte value. */
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 7 + 3);
	for (n = 0; n <= sizeof(bin); n++) {
		len = bfs_base64(bin, n, text, sizeof(text));
		CHECK(len == (int)BFS_BASE64_LEN(n));
		CHECK(bfs_base64_decode(text, (size_t)len, back, sizeof(back)) == (int)n);
		CHECK(memcmp(back, bin, n) == 0);
	}
}

/* A temporary file holding n bytes of p, unlinked at once; -1 on failure. */
static int temp_file(const void *p, size_t n)
{
	char path[] = "/tmp/bfs-test-crypto-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	if (write(fd, p, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return fd;
}

static void test_digest_fd(void)
{
	const size_t size = 600 * 1024 + 17; /* crosses two 256 KiB chunks */
	unsigned char md5[BFS_MD5_LEN], sha[BFS_SHA256_LEN];
	unsigned char want_md5[BFS_MD5_LEN], want_sha[BFS_SHA256_LEN];
	char hex[HEX_MAX];
	unsigned char *data;
	size_t i;
	int fd;

	data = malloc(size);
	CHECK(data != NULL);
	if (!data)
		return;
	for (i = 0; i < size; i++)
		data[i] = (unsigned char)(i * 31 + i / 251);
	memcpy(data + 5, "abc", 3);
	fd = temp_file(data, size);
	CHECK(fd >= 0);
	if (fd < 0)
		goto out_free;
	CHECK(lseek(fd, 42, SEEK_SET) == 42);

	/* The published "abc" vectors, read from the middle of the file. */
	CHECK_INT(bfs_digest_fd(fd, 5, 3, md5, sha), 0);
	CHECK_STR(hex_of(md5, sizeof(md5), hex), "900150983cd24fb0d6963f7d28e17f72");
	CHECK_STR(hex_of(sha, sizeof(sha), hex),
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

	/* The whole file, in several chunks, agrees with the in-memory digests. */
	bfs_md5(data, size, want_md5);
	bfs_sha256(data, size, want_sha);
	CHECK_INT(bfs_digest_fd(fd, 0, (off_t)size, md5, sha), 0);
	CHECK(memcmp(md5, want_md5, sizeof(md5)) == 0);
	CHECK(memcmp(sha, want_sha, sizeof(sha)) == 0);

	/* One digest at a time; an unaligned range. */
	memset(sha, 0, sizeof(sha));
	CHECK_INT(bfs_digest_fd(fd, 0, (off_t)size, NULL, sha), 0);
	CHECK(memcmp(sha, want_sha, sizeof(sha)) == 0);
	memset(md5, 0, sizeof(md5));
	CHECK_INT(bfs_digest_fd(fd, 0, (off_t)size, md5, NULL), 0);
	CHECK(memcmp(md5, want_md5, sizeof(md5)) == 0);
	bfs_sha256(data + 1000, size - 2000, want_sha);
	CHECK_INT(bfs_digest_fd(fd, 1000, (off_t)(size - 2000), NULL, sha), 0);
	CHECK(memcmp(sha, want_sha, sizeof(sha)) == 0);

	/* Empty range: the digests of the empty message. */
	CHECK_INT(bfs_digest_fd(fd, 7, 0, md5, sha), 0);
	CHECK_STR(hex_of(md5, sizeof(md5), hex), "d41d8cd98f00b204e9800998ecf8427e");
	CHECK_STR(hex_of(sha, sizeof(sha), hex),
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

	/* The file is shorter than asked: at the end, past the end. */
	CHECK_INT(bfs_digest_fd(fd, 0, (off_t)size + 1, md5, sha), -EIO);
	CHECK_INT(bfs_digest_fd(fd, (off_t)size - 1, 2, md5, sha), -EIO);
	CHECK_INT(bfs_digest_fd(fd, (off_t)size + 100, 1, md5, NULL), -EIO);

	/* Bad arguments; errors from pread() come back as -errno. */
	CHECK_INT(bfs_digest_fd(fd, -1, 1, md5, sha), -EINVAL);
	CHECK_INT(bfs_digest_fd(fd, 0, -1, md5, sha), -EINVAL);
	CHECK_INT(bfs_digest_fd(-1, 0, 1, md5, sha), -EINVAL);

	/* The file offset is untouched. */
	CHECK(lseek(fd, 0, SEEK_CUR) == 42);
	close(fd);
	CHECK_INT(bfs_digest_fd(fd, 0, 1, md5, sha), -EBADF);

out_free:
	free(data);
}

static void test_random_below(void)
{
	static const uint32_t bounds[] = { 1, 2, 3, 10, 1000, 0x80000001u, UINT32_MAX };
	unsigned seen[10] = { 0 };
	size_t i, j;
	uint32_t r;
	int ok;

	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		ok = 1;
		for (j = 0; j < 2000; j++)
			ok &= bfs_random_below(bounds[i]) < bounds[i];
		CHECK(ok);
	}
	/* 2000 draws below 10 miss a value with probability < 1e-90. */
	for (j = 0; j < 2000; j++) {
		r = bfs_random_below(10);
		if (r < 10)
			seen[r]++;
	}
	for (i = 0; i < 10; i++)
		CHECK(seen[i] > 0);
}

static void test_wipe(void)
{
	unsigned char secret[32];
	size_t i;
	int zero = 1;

	memset(secret, 0x5a, sizeof(secret));
	bfs_wipe(secret, sizeof(secret));
	for (i = 0; i < sizeof(secret); i++)
		zero &= secret[i] == 0;
	CHECK(zero);
	bfs_wipe(NULL, 0); /* harmless */
}

int main(void)
{
	test_digests();
	test_hmac();
	test_hex();
	test_base64();
	test_digest_fd();
	test_random_below();
	test_wipe();
	return check_done("crypto");
}
