/* SPDX-License-Identifier: MIT */
/*
 * test_uri.c - percent-encoding as SigV4's UriEncode() defines it (the
 * reserved characters, '/' kept or not, UTF-8 bytes, upper-case hex) and
 * decoding of encoding-type=url listings (with and without '+' as space,
 * malformed escapes, encoded NUL), including that a failure leaves the
 * output buffer as it was.
 */
#include <errno.h>
#include <string.h>

#include "bucketfs/uri.h"
#include "check.h"

static void test_encode(void)
{
	/* clang-format off */
	static const struct {
		const char *in;
		size_t n;          /* 0: strlen(in) */
		int keep_slash;
		const char *want;
	} v[] = {
		{ "", 0, 0, "" },
		{ " ", 0, 0, "%20" },
		{ "+", 0, 0, "%2B" },
		{ "%", 0, 0, "%25" },
		{ "~", 0, 0, "~" },
		{ "=", 0, 0, "%3D" },
		{ "&", 0, 0, "%26" },
		{ "?", 0, 0, "%3F" },
		{ "#", 0, 0, "%23" },
		{ ";", 0, 0, "%3B" },
		{ "@", 0, 0, "%40" },
		{ "$", 0, 0, "%24" },
		{ "*", 0, 0, "%2A" },
		{ "/", 0, 0, "%2F" },
		{ "/", 0, 1, "/" },
		{ "//", 0, 0, "%2F%2F" },
		{ "//", 0, 1, "//" },
		{ "a b/c+d", 0, 1, "a%20b/c%2Bd" },
		{ "a b/c+d", 0, 0, "a%20b%2Fc%2Bd" },
		{ "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 0, 0,
		  "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" },
		{ "\xe1\x88\xb4", 0, 0, "%E1%88%B4" },             /* U+1234 */
		{ "/\xe1\x88\xb4", 0, 1, "/%E1%88%B4" },           /* the get-utf8 path */
		{ "caf\xc3\xa9/na\xc3\xafve", 0, 1, "caf%C3%A9/na%C3%AFve" },
		{ "\x7f\x80\xff\x01", 0, 0, "%7F%80%FF%01" },
		{ "a\0b", 3, 0, "a%00b" },                          /* bytes, not a C string */
		{ "test$file.text", 0, 1, "test%24file.text" },     /* the S3 PUT example */
		{ "/example space/", 0, 1, "/example%20space/" },  /* the get-space path */
	};
	/* clang-format on */
	struct bfs_buf b = BFS_BUF_INIT(1024);
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		bfs_buf_reset(&b);
		CHECK_INT(
		    bfs_uri_encode(&b, v[i].in, v[i].n ? v[i].n : strlen(v[i].in), v[i].keep_slash),
		    0);
		CHECK_STR(bfs_buf_str(&b), v[i].want);
	}

	/* It appends. */
	bfs_buf_reset(&b);
	CHECK_INT(bfs_buf_adds(&b, "prefix="), 0);
	CHECK_INT(bfs_uri_encode(&b, "a/b c", 5, 0), 0);
	CHECK_STR(bfs_buf_str(&b), "prefix=a%2Fb%20c");
	bfs_buf_release(&b);

	/* Past the cap: the buffer is as it was. */
	{
		struct bfs_buf small = BFS_BUF_INIT(8);

		CHECK_INT(bfs_buf_adds(&small, "k="), 0);
		CHECK_INT(bfs_uri_encode(&small, "abc def", 7, 0), -EMSGSIZE);
		CHECK_STR(bfs_buf_str(&small), "k=");
		CHECK_INT(small.len, 2);
		CHECK_INT(bfs_uri_encode(&small, "a b", 3, 0), 0); /* exactly at the cap */
		CHECK_STR(bfs_buf_str(&small), "k=a%20b");
		bfs_buf_release(&small);
	}
}

static void test_decode(void)
{
	/* clang-format off */
	static const struct {
		const char *in;
		size_t n;          /* 0: strlen(in) */
		int plus;
		int rc;
		const char *want;  /* when rc == 0 */
	} v[] = {
		{ "", 0, 0, 0, "" },
		{ "plain", 0, 0, 0, "plain" },
		{ "%20", 0, 0, 0, " " },
		{ "a%2Fb", 0, 0, 0, "a/b" },
		{ "a%2fb", 0, 0, 0, "a/b" },                       /* lower-case hex */
		{ "%E1%88%B4", 0, 0, 0, "\xe1\x88\xb4" },
		{ "%e1%88%b4", 0, 0, 0, "\xe1\x88\xb4" },
		{ "100%25", 0, 0, 0, "100%" },
		{ "%2525", 0, 0, 0, "%25" },                        /* decoded once only */
		{ "a+b", 0, 0, 0, "a+b" },
		{ "a+b", 0, 1, 0, "a b" },
		{ "a%2Bb", 0, 1, 0, "a+b" },
		{ "++", 0, 1, 0, "  " },
		{ "test%24file.text", 0, 0, 0, "test$file.text" },
		{ "%G1", 0, 0, -EINVAL, NULL },
		{ "%1G", 0, 0, -EINVAL, NULL },
		{ "%", 0, 0, -EINVAL, NULL },
		{ "abc%", 0, 0, -EINVAL, NULL },
		{ "%2", 0, 0, -EINVAL, NULL },
		{ "a%2", 0, 0, -EINVAL, NULL },
		{ "%%41", 0, 0, -EINVAL, NULL },
		{ "% 41", 0, 0, -EINVAL, NULL },
		{ "%00", 0, 0, -EINVAL, NULL },
		{ "a%00b", 0, 1, -EINVAL, NULL },
		{ "a\0b", 3, 0, -EINVAL, NULL },                    /* a raw NUL too */
		{ "%41", 2, 0, -EINVAL, NULL },                     /* n cuts the escape */
	};
	/* clang-format on */
	struct bfs_buf b = BFS_BUF_INIT(1024);
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		bfs_buf_reset(&b);
		CHECK_INT(bfs_buf_adds(&b, "<"), 0);
		CHECK_INT(bfs_uri_decode(&b, v[i].in, v[i].n ? v[i].n : strlen(v[i].in), v[i].plus),
			  v[i].rc);
		if (v[i].rc) {
			CHECK_STR(bfs_buf_str(&b), "<"); /* untouched on error */
		} else {
			CHECK_STR(bfs_buf_str(&b) + 1, v[i].want);
		}
	}
	bfs_buf_release(&b);

	/* Past the cap: the buffer is as it was. */
	{
		struct bfs_buf small = BFS_BUF_INIT(4);

		CHECK_INT(bfs_buf_adds(&small, "x"), 0);
		CHECK_INT(bfs_uri_decode(&small, "ab%20cd", 7, 0), -EMSGSIZE);
		CHECK_STR(bfs_buf_str(&small), "x");
		bfs_buf_release(&small);
	}
}

/* Whatever is encoded decodes back to the same bytes (NUL aside). */
static void test_round_trip(void)
{
	struct bfs_buf enc = BFS_BUF_INIT(4096), dec = BFS_BUF_INIT(4096);
	char all[255];
	size_t i;

	for (i = 0; i < sizeof(all); i++)
		all[i] = (char)(i + 1);
	CHECK_INT(bfs_uri_encode(&enc, all, sizeof(all), 0), 0);
	CHECK_INT(bfs_uri_decode(&dec, enc.data, enc.len, 0), 0);
	CHECK_INT(dec.len, sizeof(all));
	CHECK(dec.len == sizeof(all) && memcmp(dec.data, all, sizeof(all)) == 0);
	/* Encoded output never holds '+', so form decoding agrees. */
	bfs_buf_reset(&dec);
	CHECK_INT(bfs_uri_decode(&dec, enc.data, enc.len, 1), 0);
	CHECK(dec.len == sizeof(all) && memcmp(dec.data, all, sizeof(all)) == 0);
	bfs_buf_release(&enc);
	bfs_buf_release(&dec);
}

/* UTF-8 as S3 keys need it: shortest forms, no surrogates, up to U+10FFFF. */
static void test_utf8(void)
{
	static const struct {
		const char *s;
		int valid;
	} cases[] = {
		{ "", 1 },
		{ "images/t1/0.png", 1 },
		{ "caf\xc3\xa9", 1 },		   /* U+00E9 */
		{ "\xe4\xb8\xad\xe6\x96\x87", 1 }, /* CJK */
		{ "\xf0\x9f\x98\x80", 1 },	   /* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", 1 },	   /* U+10FFFF, the last */
		{ "ctl\001char", 1 },		   /* control bytes are UTF-8 */
		{ "bad\xff\xfename", 0 },
		{ "\xc0\xaf", 0 },	   /* overlong '/' */
		{ "\xe0\x80\xaf", 0 },	   /* overlong, 3 bytes */
		{ "\xed\xa0\x80", 0 },	   /* U+D800, a surrogate */
		{ "\xf4\x90\x80\x80", 0 }, /* past U+10FFFF */
		{ "\xe4\xb8", 0 },	   /* cut short */
		{ "\x80", 0 },		   /* a lone continuation byte */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_INT(bfs_utf8_valid(cases[i].s), cases[i].valid);
}

int main(void)
{
	test_utf8();
	test_encode();
	test_decode();
	test_round_trip();
	return check_done("uri");
}
