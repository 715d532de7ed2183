/* SPDX-License-Identifier: MIT */
/*
 * osssig_vectors.h - GENERATED, do not edit: Aliyun OSS V1 and V4 request
 * signatures computed by Aliyun's SDK, npm ali-oss 6.23.0
 * (lib/common/signUtils.js), for tests/unit/test_osssig.c.
 *
 * Made by tests/oss/gen-vectors.js (see tests/oss/README.md):
 *   (cd tests/oss && npm ci) && node tests/oss/gen-vectors.js > tests/unit/osssig_vectors.h
 * The same ali-oss version always gives the same file.
 *
 * Each vector is one request as bfs_oss_sign_v1() / bfs_oss_sign_v4()
 * receive it (every query parameter and every header sent) and what
 * ali-oss makes of it: the string to sign, for V4 the canonical request,
 * and the Authorization value.  "op" names the ali-oss method whose way of
 * splitting sub-resources (signed by V1) from other query parameters (not
 * signed by V1) the vector follows.  v1/doc-example is the example of
 * Aliyun's documentation, "Add a signature to the header".
 */
#ifndef BFS_OSSSIG_VECTORS_H
#define BFS_OSSSIG_VECTORS_H

#include <stddef.h>

#include "bucketfs/sigv4.h" /* struct bfs_kv */

#define OSSSIG_ALI_OSS_VERSION "6.23.0"
#define OSSSIG_VEC_MAXQ 7
#define OSSSIG_VEC_MAXH 9

struct osssig_vector {
	const char *name;
	const char *op; /* the ali-oss call it follows */
	int version;	/* 1 or 4 */
	const char *method, *bucket, *key;
	struct bfs_kv query[OSSSIG_VEC_MAXQ]; /* value NULL: a bare name */
	size_t nquery;
	struct bfs_kv headers[OSSSIG_VEC_MAXH];
	size_t nheaders;
	const char *access_key, *secret_key, *region;
	const char *date;	/* V1: the date argument (NULL: x-oss-date); V4: ossdate */
	const char *additional; /* V4 additional headers as given, or NULL */
	const char *creq;	/* V4 canonical request; NULL for V1 */
	const char *sts;	/* string to sign */
	const char *auth;	/* Authorization value */
};

/* clang-format off */
static const struct osssig_vector osssig_vectors[] = {
{
	.name = "v1/doc-example",
	.op = "Aliyun documentation, \"Example signature\"",
	.version = 1,
	.method = "PUT",
	.bucket = "oss-example",
	.key = "nelson",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Content-Md5", "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM="},
		{"Content-Type", "text/html"},
		{"Date", "Thu, 17 Nov 2005 18:49:58 GMT"},
		{"Host", "oss-example.oss-cn-hangzhou.aliyuncs.com"},
		{"X-OSS-Meta-Author", "foo@bar.com"},
		{"X-OSS-Magic", "abracadabra"},
	},
	.nheaders = 6,
	.access_key = "44CF9590006BF252F707",
	.secret_key = "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV",
	.region = NULL,
	.date = "Thu, 17 Nov 2005 18:49:58 GMT",
	.additional = NULL,
	.creq = NULL,
	.sts =
		"PUT\n"
		"ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=\n"
		"text/html\n"
		"Thu, 17 Nov 2005 18:49:58 GMT\n"
		"x-oss-magic:abracadabra\n"
		"x-oss-meta-author:foo@bar.com\n"
		"/oss-example/nelson",
	.auth = "OSS 44CF9590006BF252F707:26NBxoKdsyly4EDv6inkoDft/yA=",
},
{
	.name = "v1/list-buckets",
	.op = "listBuckets",
	.version = 1,
	.method = "GET",
	.bucket = "",
	.key = "",
	.query = {
		{"prefix", "photo"},
		{"max-keys", "10"},
	},
	.nquery = 2,
	.headers = {
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 1,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"GET\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/",
	.auth = "OSS LTAI5tBucketfsExampleKey:Wo6gZQyr8QTJJ3JTxpd50JpAxzw=",
},
{
	.name = "v4/list-buckets",
	.op = "listBuckets",
	.version = 4,
	.method = "GET",
	.bucket = "",
	.key = "",
	.query = {
		{"prefix", "photo"},
		{"max-keys", "10"},
	},
	.nquery = 2,
	.headers = {
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"GET\n"
		"/\n"
		"max-keys=10&prefix=photo\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"8a53a270393413e46be8899e0caafc6dccb3d756b952ec165ca2853047d2bdc8",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=6c5df16c3db78284e1f9c85c93d6a532a1c3ce0e822876cda9f9029a0cfa540c",
},
{
	.name = "v1/list-objects-v1",
	.op = "list",
	.version = 1,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "",
	.query = {
		{"prefix", "fun/"},
		{"marker", "fun/a b.txt"},
		{"max-keys", "100"},
		{"delimiter", "/"},
	},
	.nquery = 4,
	.headers = {
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 1,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"GET\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/",
	.auth = "OSS LTAI5tBucketfsExampleKey:MtnYjEsUapGfCSkv1CMMKbhHVoc=",
},
{
	.name = "v4/list-objects-v1",
	.op = "list",
	.version = 4,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "",
	.query = {
		{"prefix", "fun/"},
		{"marker", "fun/a b.txt"},
		{"max-keys", "100"},
		{"delimiter", "/"},
	},
	.nquery = 4,
	.headers = {
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"GET\n"
		"/examplebucket/\n"
		"delimiter=%2F&marker=fun%2Fa%20b.txt&max-keys=100&prefix=fun%2F\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"d45403e1e4a181cd2355247ac6fcd9df4170e6b9b585c3b7889be3e50289f3a0",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=7d6799658be23451237b2fece3a6d68a79f01a2f9eac10370fa2ce319a03776f",
},
{
	.name = "v1/list-v2-first-page",
	.op = "listV2",
	.version = 1,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "",
	.query = {
		{"list-type", "2"},
		{"prefix", "dir/sub dir/"},
		{"delimiter", "/"},
		{"encoding-type", "url"},
		{"max-keys", "1000"},
	},
	.nquery = 5,
	.headers = {
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 1,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"GET\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/",
	.auth = "OSS LTAI5tBucketfsExampleKey:MtnYjEsUapGfCSkv1CMMKbhHVoc=",
},
{
	.name = "v4/list-v2-first-page",
	.op = "listV2",
	.version = 4,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "",
	.query = {
		{"list-type", "2"},
		{"prefix", "dir/sub dir/"},
		{"delimiter", "/"},
		{"encoding-type", "url"},
		{"max-keys", "1000"},
	},
	.nquery = 5,
	.headers = {
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"GET\n"
		"/examplebucket/\n"
		"delimiter=%2F&encoding-type=url&list-type=2&max-keys=1000&prefix=dir%2Fsub%20dir%2F\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"965b073c4dbbe17687d830c69c7db81592230880cec5e252335baf5656392569",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=465d06657c78e182da69f5060f8c5a5c504ddc05d7e544a06b1e79d0657d89c2",
},
{
	.name = "v1/list-v2-continuation",
	.op = "listV2",
	.version = 1,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "",
	.query = {
		{"continuation-token", "ChR0ZXN0L2Rpci9hK2IlYyAxLnR4dBAA/x="},
		{"list-type", "2"},
		{"prefix", "dir/"},
		{"delimiter", "/"},
		{"encoding-type", "url"},
		{"max-keys", "2"},
		{"start-after", "dir/a"},
	},
	.nquery = 7,
	.headers = {
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 1,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"GET\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/?continuation-token=ChR0ZXN0L2Rpci9hK2IlYyAxLnR4dBAA/x=",
	.auth = "OSS LTAI5tBucketfsExampleKey:MehOfpmMIkNY2B6sm60/S/rQTSo=",
},
{
	.name = "v4/list-v2-continuation",
	.op = "listV2",
	.version = 4,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "",
	.query = {
		{"continuation-token", "ChR0ZXN0L2Rpci9hK2IlYyAxLnR4dBAA/x="},
		{"list-type", "2"},
		{"prefix", "dir/"},
		{"delimiter", "/"},
		{"encoding-type", "url"},
		{"max-keys", "2"},
		{"start-after", "dir/a"},
	},
	.nquery = 7,
	.headers = {
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"GET\n"
		"/examplebucket/\n"
		"continuation-token=ChR0ZXN0L2Rpci9hK2IlYyAxLnR4dBAA%2Fx%3D&delimiter=%2F&encoding-type=url&list-type=2&max-keys=2&prefix=dir%2F&start-after=dir%2Fa\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"6a2f9dd49a881a59e307e9f05b1d784425308614f627c337178ef24458fe4c72",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=9e0c30154b4641647d470e22c040ebc895722e48a22c250a7f27cbd9e6792188",
},
{
	.name = "v1/get-object-reserved-chars",
	.op = "get",
	.version = 1,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "photos/2024/a b+c%d~e=f&g.jpg",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Range", "bytes=0-1023"},
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"GET\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/photos/2024/a b+c%d~e=f&g.jpg",
	.auth = "OSS LTAI5tBucketfsExampleKey:3C/jS33mXFxplu+lFP/o4l6t2vQ=",
},
{
	.name = "v4/get-object-reserved-chars",
	.op = "get",
	.version = 4,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "photos/2024/a b+c%d~e=f&g.jpg",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Range", "bytes=0-1023"},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 3,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"GET\n"
		"/examplebucket/photos/2024/a%20b%2Bc%25d~e%3Df%26g.jpg\n"
		"\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"cff54308095459b2d2cc5f706ca56b9c49e8e290112420684c1d2705350c7317",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=277a4fbe14247981d1d1a04410eb14f3af823827947eb4589689b33e7827fb12",
},
{
	.name = "v4/get-object-range-signed",
	.op = "get + additionalHeaders",
	.version = 4,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "photos/2024/a b+c%d~e=f&g.jpg",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Range", "bytes=0-1023"},
		{"Host", "examplebucket.oss-cn-hangzhou.aliyuncs.com"},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 4,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = "range;host",
	.creq =
		"GET\n"
		"/examplebucket/photos/2024/a%20b%2Bc%25d~e%3Df%26g.jpg\n"
		"\n"
		"host:examplebucket.oss-cn-hangzhou.aliyuncs.com\n"
		"range:bytes=0-1023\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"host;range\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"119e3f93cd5afa970de92ffd459390ff536b32ee92f2f55eae6d0c4d4fac64ed",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=host;range,Signature=d3e1ac71db96b2e76098665aae13a9bcad7221a0fbed6ec21562aa592ef9499c",
},
{
	.name = "v4/get-object-additional-normalized",
	.op = "get + additionalHeaders",
	.version = 4,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "a",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Content-Type", "text/plain"},
		{"Range", "bytes=5-"},
		{"Host", "examplebucket.example"},
		{"X-Oss-Meta-A", "1"},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 6,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = "Range;HOST;content-type;x-oss-meta-a;host",
	.creq =
		"GET\n"
		"/examplebucket/a\n"
		"\n"
		"content-type:text/plain\n"
		"host:examplebucket.example\n"
		"range:bytes=5-\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"x-oss-meta-a:1\n"
		"\n"
		"host;range\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"bfdc2072cb1b65144df1047c7819ef750923a80c699c98c7106d20c6e6f01483",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=host;range,Signature=0db20a868d3c47e72b31400bf60bbb42da07ee7808d71d2472679f5cdefdf28b",
},
{
	.name = "v4/get-object-additional-only-defaults",
	.op = "get + additionalHeaders",
	.version = 4,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "a",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Content-Type", "text/plain"},
		{"x-oss-meta-a", "1"},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 4,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = "content-type;X-OSS-META-A",
	.creq =
		"GET\n"
		"/examplebucket/a\n"
		"\n"
		"content-type:text/plain\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"x-oss-meta-a:1\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"7b881988cf64af48ced88d0d56a8e6e71c10cfd9755a4eddd135b083ce0a7bb5",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=47676775b0974a0fd2de7b5b40b796f5488c14f17eb402134bb3afccd6a6aa9f",
},
{
	.name = "v1/head-object-unicode",
	.op = "head",
	.version = 1,
	.method = "HEAD",
	.bucket = "examplebucket",
	.key = "\346\226\207\346\241\243/r\303\251sum\303\251 \303\274n\303\257c\303\266d\303\251 \360\237\230\200.txt",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 1,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"HEAD\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/\346\226\207\346\241\243/r\303\251sum\303\251 \303\274n\303\257c\303\266d\303\251 \360\237\230\200.txt",
	.auth = "OSS LTAI5tBucketfsExampleKey:HxMyjvYbQ4M9G/eGVG6Ovu0MRBw=",
},
{
	.name = "v4/head-object-unicode",
	.op = "head",
	.version = 4,
	.method = "HEAD",
	.bucket = "examplebucket",
	.key = "\346\226\207\346\241\243/r\303\251sum\303\251 \303\274n\303\257c\303\266d\303\251 \360\237\230\200.txt",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"HEAD\n"
		"/examplebucket/%E6%96%87%E6%A1%A3/r%C3%A9sum%C3%A9%20%C3%BCn%C3%AFc%C3%B6d%C3%A9%20%F0%9F%98%80.txt\n"
		"\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"c75c06524fb06e2afdd495329f70a9e30546a2c52bd0528973fa36344515d7f8",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=70626ed2744ec24544a0772e0f8ef3fd14176c3705438dbc758c682e310f8fc4",
},
{
	.name = "v1/get-object-question-hash",
	.op = "get",
	.version = 1,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "q?a=1#frag;x,y:z@w$!*'()",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 1,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = "Wed, 28 Dec 2022 10:27:41 GMT",
	.additional = NULL,
	.creq = NULL,
	.sts =
		"GET\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/q?a=1#frag;x,y:z@w$!*'()",
	.auth = "OSS LTAI5tBucketfsExampleKey:waHZqRzrcD+5x8dZedsw3efOUJ8=",
},
{
	.name = "v4/get-object-question-hash",
	.op = "get",
	.version = 4,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "q?a=1#frag;x,y:z@w$!*'()",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"GET\n"
		"/examplebucket/q%3Fa%3D1%23frag%3Bx%2Cy%3Az%40w%24%21%2A%27%28%29\n"
		"\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"18792bc9afc400ad64e41d1aa76b651a836942330fd1bb26e2efff1155868f40",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=e8a9fd4ff8fc91c3807ed45dccb2667969ff38b32dbe51dc0fdc1e4d1e52b8e9",
},
{
	.name = "v1/get-object-response-overrides",
	.op = "get + subres",
	.version = 1,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "report.pdf",
	.query = {
		{"response-content-disposition", "attachment; filename=\"a b.pdf\""},
		{"response-content-type", "application/pdf"},
		{"response-cache-control", "no-cache"},
	},
	.nquery = 3,
	.headers = {
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 1,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"GET\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/report.pdf?response-cache-control=no-cache&response-content-disposition=attachment; filename=\"a b.pdf\"&response-content-type=application/pdf",
	.auth = "OSS LTAI5tBucketfsExampleKey:qTGEW6xFu64f4qKeRhmBHGVG7C4=",
},
{
	.name = "v4/get-object-response-overrides",
	.op = "get + subres",
	.version = 4,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "report.pdf",
	.query = {
		{"response-content-disposition", "attachment; filename=\"a b.pdf\""},
		{"response-content-type", "application/pdf"},
		{"response-cache-control", "no-cache"},
	},
	.nquery = 3,
	.headers = {
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"GET\n"
		"/examplebucket/report.pdf\n"
		"response-cache-control=no-cache&response-content-disposition=attachment%3B%20filename%3D%22a%20b.pdf%22&response-content-type=application%2Fpdf\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"7334d5bfdd656e2dfa0fe6c7cfd8ce11876a973d5b0b48b976ce9076fa604b8d",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=90efb60816bc38b9d28d66d69a226680cd428dfda0d56ca5330fdba5929d3ac6",
},
{
	.name = "v1/get-object-process",
	.op = "get({process})",
	.version = 1,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "img/cat.jpg",
	.query = {
		{"x-oss-process", "image/resize,w_100/quality,q_80"},
	},
	.nquery = 1,
	.headers = {
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 1,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"GET\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/img/cat.jpg?x-oss-process=image/resize,w_100/quality,q_80",
	.auth = "OSS LTAI5tBucketfsExampleKey:TMIGG7PecEhKMn2CFlnek/JFhk4=",
},
{
	.name = "v4/get-object-process",
	.op = "get({process})",
	.version = 4,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "img/cat.jpg",
	.query = {
		{"x-oss-process", "image/resize,w_100/quality,q_80"},
	},
	.nquery = 1,
	.headers = {
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"GET\n"
		"/examplebucket/img/cat.jpg\n"
		"x-oss-process=image%2Fresize%2Cw_100%2Fquality%2Cq_80\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"c05c518a93cbfa3fc45f58bf1e286865ef54873d3448361eedb0bb8e8b0c322e",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=98654a001c58705a8e436d065684ce672d80e369c62eb65d8a8db0fbc15559a8",
},
{
	.name = "v1/get-object-version",
	.op = "get({versionId})",
	.version = 1,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "doc.txt",
	.query = {
		{"versionId", "CAEQNRiBgIDMh4mD0BYiIDUzNDA4OGNmZjBjYTQ0YmI4Y2I4ZmVlYzJlNGVk"},
	},
	.nquery = 1,
	.headers = {
		{"If-None-Match", "\"5B3C1A2E053D763E1B002CC607C5A0FE\""},
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"GET\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/doc.txt?versionId=CAEQNRiBgIDMh4mD0BYiIDUzNDA4OGNmZjBjYTQ0YmI4Y2I4ZmVlYzJlNGVk",
	.auth = "OSS LTAI5tBucketfsExampleKey:OMlJKWHonJvsVlIiM9krM36xHas=",
},
{
	.name = "v4/get-object-version",
	.op = "get({versionId})",
	.version = 4,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "doc.txt",
	.query = {
		{"versionId", "CAEQNRiBgIDMh4mD0BYiIDUzNDA4OGNmZjBjYTQ0YmI4Y2I4ZmVlYzJlNGVk"},
	},
	.nquery = 1,
	.headers = {
		{"If-None-Match", "\"5B3C1A2E053D763E1B002CC607C5A0FE\""},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 3,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"GET\n"
		"/examplebucket/doc.txt\n"
		"versionId=CAEQNRiBgIDMh4mD0BYiIDUzNDA4OGNmZjBjYTQ0YmI4Y2I4ZmVlYzJlNGVk\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"1f76e7123a77698a099073a223a3cbce046321fb973e8821150d8a3a8487bc05",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=ec0d0e5e0af9c04eb6e6c9b9e8fc512ed87ea35c20a37cc29e26c161e14fd3c6",
},
{
	.name = "v1/put-object-double-slash",
	.op = "put",
	.version = 1,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "dir//double//slash",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Content-MD5", "eB5eJF1ptWaXm4bijSPyxw=="},
		{"Content-Type", "text/html"},
		{"x-oss-meta-author", "foo@example.com"},
		{"X-OSS-Meta-Mixed-Case", "  padded  value \t"},
		{"x-oss-storage-class", "Standard"},
		{"Content-Length", "10"},
		{"Cache-Control", "no-cache"},
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 8,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"PUT\n"
		"eB5eJF1ptWaXm4bijSPyxw==\n"
		"text/html\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-meta-author:foo@example.com\n"
		"x-oss-meta-mixed-case:padded  value\n"
		"x-oss-storage-class:Standard\n"
		"/examplebucket/dir//double//slash",
	.auth = "OSS LTAI5tBucketfsExampleKey:MgR1HrxCcdrgnBEOVkCqgCBaMPE=",
},
{
	.name = "v4/put-object-double-slash",
	.op = "put",
	.version = 4,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "dir//double//slash",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Content-MD5", "eB5eJF1ptWaXm4bijSPyxw=="},
		{"Content-Type", "text/html"},
		{"x-oss-meta-author", "foo@example.com"},
		{"X-OSS-Meta-Mixed-Case", "  padded  value \t"},
		{"x-oss-storage-class", "Standard"},
		{"Content-Length", "10"},
		{"Cache-Control", "no-cache"},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 9,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"PUT\n"
		"/examplebucket/dir//double//slash\n"
		"\n"
		"content-md5:eB5eJF1ptWaXm4bijSPyxw==\n"
		"content-type:text/html\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"x-oss-meta-author:foo@example.com\n"
		"x-oss-meta-mixed-case:padded  value\n"
		"x-oss-storage-class:Standard\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"b1de7d46911299c3b2f45172b2f0ed9a0ad288917c48d6e758c8e6b68ccc0661",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=b2b68770132624ea5e36c8604538ece4fd665794ca9ae4dbd0b0d327b0086b49",
},
{
	.name = "v1/put-object-dated",
	.op = "put",
	.version = 1,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "dated.txt",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Content-Type", "text/plain"},
		{"Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="},
		{"Date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 3,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = "Wed, 28 Dec 2022 10:27:41 GMT",
	.additional = NULL,
	.creq = NULL,
	.sts =
		"PUT\n"
		"1B2M2Y8AsgTpgAmY7PhCfg==\n"
		"text/plain\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/dated.txt",
	.auth = "OSS LTAI5tBucketfsExampleKey:aNmNLe6wzrqiNS01oeiSx/MuhzI=",
},
{
	.name = "v4/put-object-dated",
	.op = "put",
	.version = 4,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "dated.txt",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Content-Type", "text/plain"},
		{"Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 4,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"PUT\n"
		"/examplebucket/dated.txt\n"
		"\n"
		"content-md5:1B2M2Y8AsgTpgAmY7PhCfg==\n"
		"content-type:text/plain\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"924e9bef28647ea9e633659f5aeb41d85c33c301440947b5b5076b50ef6825d3",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=1745da675a450aae24ee07251e5ce5de0061b6fa2c94a2f04d6238e6c42bae61",
},
{
	.name = "v1/put-object-content-type-spaces",
	.op = "put",
	.version = 1,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "spaces",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Content-Type", " text/plain "},
		{"x-oss-meta-e", ""},
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 3,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"PUT\n"
		"\n"
		" text/plain \n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-meta-e:\n"
		"/examplebucket/spaces",
	.auth = "OSS LTAI5tBucketfsExampleKey:7V4Zq8ZYBl/tS/UjPIoUp2I+I2A=",
},
{
	.name = "v4/put-object-content-type-spaces",
	.op = "put",
	.version = 4,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "spaces",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Content-Type", " text/plain "},
		{"x-oss-meta-e", ""},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 4,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"PUT\n"
		"/examplebucket/spaces\n"
		"\n"
		"content-type:text/plain\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"x-oss-meta-e:\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"67e2c5e7e1f97a1d1ea8022726f5fd8e54e90d202ed938f3511d6584d5ca8048",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=29db6f569ea509fb88b31a7a97a1eaf3338c4753e482ad5e4d97dfa9d2f04079",
},
{
	.name = "v4/put-object-additional-disposition",
	.op = "put + additionalHeaders",
	.version = 4,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "exampleobject",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Content-Type", "application/octet-stream"},
		{"Content-Disposition", "attachment; filename=example.txt"},
		{"Content-Length", "344606"},
		{"x-oss-meta-key1", "value1"},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 6,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = "content-disposition;content-length",
	.creq =
		"PUT\n"
		"/examplebucket/exampleobject\n"
		"\n"
		"content-disposition:attachment; filename=example.txt\n"
		"content-length:344606\n"
		"content-type:application/octet-stream\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"x-oss-meta-key1:value1\n"
		"\n"
		"content-disposition;content-length\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"46789f1668c8f59da98a2ec4fc45f590f6af9152aa81a2b6adf13a44bc7f1527",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=content-disposition;content-length,Signature=be3d2392957ebc8f8c51361dd9241f25df6137e27045af14b8bb71dd05cac210",
},
{
	.name = "v4/put-object-payload-hash",
	.op = "put",
	.version = 4,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "hashed",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Content-Type", "text/plain"},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
	},
	.nheaders = 3,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"PUT\n"
		"/examplebucket/hashed\n"
		"\n"
		"content-type:text/plain\n"
		"x-oss-content-sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"832c0f55666df8eb3746713e08559ae4d367c012d48c11042d9e8fa85b486f2c",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=5beccc04c2ed4e87a0f058a2523877804a9156729f6cd67be5fd84b27ec8b808",
},
{
	.name = "v1/copy-object",
	.op = "copy",
	.version = 1,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "dst/key name.txt",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"x-oss-copy-source", "/srcbucket/src%20key%2B1.txt"},
		{"x-oss-metadata-directive", "REPLACE"},
		{"x-oss-meta-color", "blue"},
		{"Content-Type", "text/plain"},
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 5,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"PUT\n"
		"\n"
		"text/plain\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-copy-source:/srcbucket/src%20key%2B1.txt\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-meta-color:blue\n"
		"x-oss-metadata-directive:REPLACE\n"
		"/examplebucket/dst/key name.txt",
	.auth = "OSS LTAI5tBucketfsExampleKey:4Z/DP1wheqop2+Dxqygl/eCFnVc=",
},
{
	.name = "v4/copy-object",
	.op = "copy",
	.version = 4,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "dst/key name.txt",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"x-oss-copy-source", "/srcbucket/src%20key%2B1.txt"},
		{"x-oss-metadata-directive", "REPLACE"},
		{"x-oss-meta-color", "blue"},
		{"Content-Type", "text/plain"},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 6,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"PUT\n"
		"/examplebucket/dst/key%20name.txt\n"
		"\n"
		"content-type:text/plain\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-copy-source:/srcbucket/src%20key%2B1.txt\n"
		"x-oss-date:20231203T121212Z\n"
		"x-oss-meta-color:blue\n"
		"x-oss-metadata-directive:REPLACE\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"8e0e2562b594ca6770196084f98880fb7d98639fcb86035a6d178d8f86b4ae84",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=1496628a1375f40bb7ae9ca77129395fc2419e08240fc1424faa8f75606e2448",
},
{
	.name = "v1/copy-object-sts",
	.op = "copy (stsToken)",
	.version = 1,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "dst",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"x-oss-security-token", "CAIS8gF1q6Ft5B2yfSjIr5bNLu/+h+hW0baJMkX3tTFnRmkf2q3DjDz2IHxKeHhoBeAdsv8wnGlU7f4alqx4T55IQ1Dxa8Z0Ojp0GqIGTqfLPWbrgRNB+RhBt4JK5rqGKvaxm+Ey0vlOxQfUrJB16R7phKsQ=="},
		{"x-oss-copy-source", "/examplebucket/src"},
		{"x-oss-metadata-directive", "COPY"},
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 4,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"PUT\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-copy-source:/examplebucket/src\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-metadata-directive:COPY\n"
		"x-oss-security-token:CAIS8gF1q6Ft5B2yfSjIr5bNLu/+h+hW0baJMkX3tTFnRmkf2q3DjDz2IHxKeHhoBeAdsv8wnGlU7f4alqx4T55IQ1Dxa8Z0Ojp0GqIGTqfLPWbrgRNB+RhBt4JK5rqGKvaxm+Ey0vlOxQfUrJB16R7phKsQ==\n"
		"/examplebucket/dst",
	.auth = "OSS LTAI5tBucketfsExampleKey:PDGCoIKYRr0PGyOmtoOlnD8B7tY=",
},
{
	.name = "v4/copy-object-sts",
	.op = "copy (stsToken)",
	.version = 4,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "dst",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"x-oss-security-token", "CAIS8gF1q6Ft5B2yfSjIr5bNLu/+h+hW0baJMkX3tTFnRmkf2q3DjDz2IHxKeHhoBeAdsv8wnGlU7f4alqx4T55IQ1Dxa8Z0Ojp0GqIGTqfLPWbrgRNB+RhBt4JK5rqGKvaxm+Ey0vlOxQfUrJB16R7phKsQ=="},
		{"x-oss-copy-source", "/examplebucket/src"},
		{"x-oss-metadata-directive", "COPY"},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 5,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"PUT\n"
		"/examplebucket/dst\n"
		"\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-copy-source:/examplebucket/src\n"
		"x-oss-date:20231203T121212Z\n"
		"x-oss-metadata-directive:COPY\n"
		"x-oss-security-token:CAIS8gF1q6Ft5B2yfSjIr5bNLu/+h+hW0baJMkX3tTFnRmkf2q3DjDz2IHxKeHhoBeAdsv8wnGlU7f4alqx4T55IQ1Dxa8Z0Ojp0GqIGTqfLPWbrgRNB+RhBt4JK5rqGKvaxm+Ey0vlOxQfUrJB16R7phKsQ==\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"97fb5c188f5dad0364467ed3f6b1c5ab65157b6e4e3855e55bea9444f97ca61f",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=f8d9d904f1a8625bd5faa1e8b97d96d7f56bf0e3dec8e31e12c6dadd1eb91e82",
},
{
	.name = "v1/initiate-multipart",
	.op = "initMultipartUpload",
	.version = 1,
	.method = "POST",
	.bucket = "examplebucket",
	.key = "big/file.bin",
	.query = {
		{"uploads", NULL},
	},
	.nquery = 1,
	.headers = {
		{"Content-Type", "application/octet-stream"},
		{"x-oss-meta-origin", "bucketfs"},
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 3,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"POST\n"
		"\n"
		"application/octet-stream\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-meta-origin:bucketfs\n"
		"/examplebucket/big/file.bin?uploads",
	.auth = "OSS LTAI5tBucketfsExampleKey:JqRIweRz8ZUdMeiIVIs+iyidWo8=",
},
{
	.name = "v4/initiate-multipart",
	.op = "initMultipartUpload",
	.version = 4,
	.method = "POST",
	.bucket = "examplebucket",
	.key = "big/file.bin",
	.query = {
		{"uploads", NULL},
	},
	.nquery = 1,
	.headers = {
		{"Content-Type", "application/octet-stream"},
		{"x-oss-meta-origin", "bucketfs"},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 4,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"POST\n"
		"/examplebucket/big/file.bin\n"
		"uploads\n"
		"content-type:application/octet-stream\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"x-oss-meta-origin:bucketfs\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"e9fabfa286468c9d469bb4164c904073d781835a28e6d4fac527d2a761711443",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=f236a20b781c3560d4019c46f5dabd478280af1c5b5a74bacde2c2e15573f6f7",
},
{
	.name = "v1/upload-part",
	.op = "_uploadPart",
	.version = 1,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "big/file.bin",
	.query = {
		{"partNumber", "3"},
		{"uploadId", "0004B9894A22E5B1888A1E29F8236E2D"},
	},
	.nquery = 2,
	.headers = {
		{"Content-Length", "5242880"},
		{"Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="},
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 3,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"PUT\n"
		"XUFAKrxLKna5cZ2REBfFkg==\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/big/file.bin?partNumber=3&uploadId=0004B9894A22E5B1888A1E29F8236E2D",
	.auth = "OSS LTAI5tBucketfsExampleKey:bykrPEF0B7tzbf+4pMo4d9SmBuU=",
},
{
	.name = "v4/upload-part",
	.op = "_uploadPart",
	.version = 4,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "big/file.bin",
	.query = {
		{"partNumber", "3"},
		{"uploadId", "0004B9894A22E5B1888A1E29F8236E2D"},
	},
	.nquery = 2,
	.headers = {
		{"Content-Length", "5242880"},
		{"Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 4,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"PUT\n"
		"/examplebucket/big/file.bin\n"
		"partNumber=3&uploadId=0004B9894A22E5B1888A1E29F8236E2D\n"
		"content-md5:XUFAKrxLKna5cZ2REBfFkg==\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"dab22fec922a892e34754d99d14bfe509c74dba60d8f2c21cc6fe7e01125a8ec",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=b8c7a6379e781151bf9506c2a5e4e329f32651f7bd92ade55cfe966173fcbccc",
},
{
	.name = "v1/upload-part-copy",
	.op = "uploadPartCopy",
	.version = 1,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "big/copy.bin",
	.query = {
		{"partNumber", "1"},
		{"uploadId", "0004B9894A22E5B1888A1E29F8236E2D"},
	},
	.nquery = 2,
	.headers = {
		{"x-oss-copy-source", "/examplebucket/big/file.bin"},
		{"x-oss-copy-source-range", "bytes=0-5242879"},
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 3,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"PUT\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-copy-source:/examplebucket/big/file.bin\n"
		"x-oss-copy-source-range:bytes=0-5242879\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/big/copy.bin?partNumber=1&uploadId=0004B9894A22E5B1888A1E29F8236E2D",
	.auth = "OSS LTAI5tBucketfsExampleKey:CUYm3da91gQQ9HkGQu5i3s2BXmE=",
},
{
	.name = "v4/upload-part-copy",
	.op = "uploadPartCopy",
	.version = 4,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "big/copy.bin",
	.query = {
		{"partNumber", "1"},
		{"uploadId", "0004B9894A22E5B1888A1E29F8236E2D"},
	},
	.nquery = 2,
	.headers = {
		{"x-oss-copy-source", "/examplebucket/big/file.bin"},
		{"x-oss-copy-source-range", "bytes=0-5242879"},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 4,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"PUT\n"
		"/examplebucket/big/copy.bin\n"
		"partNumber=1&uploadId=0004B9894A22E5B1888A1E29F8236E2D\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-copy-source:/examplebucket/big/file.bin\n"
		"x-oss-copy-source-range:bytes=0-5242879\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"9b94d643dfd76ddc3f534f667ca47f02e2fac57951581c57d2566e76eaecc3ef",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=a1cc38f0caf274900e678d9a07a73204451a1558185bd7924ef49375e478e225",
},
{
	.name = "v1/complete-multipart",
	.op = "completeMultipartUpload",
	.version = 1,
	.method = "POST",
	.bucket = "examplebucket",
	.key = "big/file.bin",
	.query = {
		{"uploadId", "0004B9894A22E5B1888A1E29F8236E2D"},
	},
	.nquery = 1,
	.headers = {
		{"Content-Type", "application/xml"},
		{"Content-MD5", "q2nXJUyvkBvHQ3ZrQbAJvw=="},
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 3,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"POST\n"
		"q2nXJUyvkBvHQ3ZrQbAJvw==\n"
		"application/xml\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/big/file.bin?uploadId=0004B9894A22E5B1888A1E29F8236E2D",
	.auth = "OSS LTAI5tBucketfsExampleKey:KUq6TwgLHjAKFeSXY3C82PLL+dY=",
},
{
	.name = "v4/complete-multipart",
	.op = "completeMultipartUpload",
	.version = 4,
	.method = "POST",
	.bucket = "examplebucket",
	.key = "big/file.bin",
	.query = {
		{"uploadId", "0004B9894A22E5B1888A1E29F8236E2D"},
	},
	.nquery = 1,
	.headers = {
		{"Content-Type", "application/xml"},
		{"Content-MD5", "q2nXJUyvkBvHQ3ZrQbAJvw=="},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 4,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"POST\n"
		"/examplebucket/big/file.bin\n"
		"uploadId=0004B9894A22E5B1888A1E29F8236E2D\n"
		"content-md5:q2nXJUyvkBvHQ3ZrQbAJvw==\n"
		"content-type:application/xml\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"2bd6e7e005bf36702444ec706848afc91373f0ffec1f294b19da5d0c0a3af0ee",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=da48c30046994453b7487d3579359575c35222476fb9545c857ac6cff76be84d",
},
{
	.name = "v1/abort-multipart",
	.op = "abortMultipartUpload",
	.version = 1,
	.method = "DELETE",
	.bucket = "examplebucket",
	.key = "big/file.bin",
	.query = {
		{"uploadId", "0004B9894A22E5B1888A1E29F8236E2D"},
	},
	.nquery = 1,
	.headers = {
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 1,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"DELETE\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/big/file.bin?uploadId=0004B9894A22E5B1888A1E29F8236E2D",
	.auth = "OSS LTAI5tBucketfsExampleKey:EbFs49Y6uQeUrK/3uH9LHQu5uCg=",
},
{
	.name = "v4/abort-multipart",
	.op = "abortMultipartUpload",
	.version = 4,
	.method = "DELETE",
	.bucket = "examplebucket",
	.key = "big/file.bin",
	.query = {
		{"uploadId", "0004B9894A22E5B1888A1E29F8236E2D"},
	},
	.nquery = 1,
	.headers = {
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"DELETE\n"
		"/examplebucket/big/file.bin\n"
		"uploadId=0004B9894A22E5B1888A1E29F8236E2D\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"8ca826870391d77b6911ad8145f19d8cd3200035bd57d7497b7e6e56b0258da8",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=8b92759a0ea965cafc660fd8ff79ac6965e7bd2608e5817bf7cc87ef8e5b103b",
},
{
	.name = "v1/list-parts",
	.op = "listParts",
	.version = 1,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "big/file.bin",
	.query = {
		{"uploadId", "0004B9894A22E5B1888A1E29F8236E2D"},
		{"max-parts", "50"},
		{"part-number-marker", "2"},
		{"encoding-type", "url"},
	},
	.nquery = 4,
	.headers = {
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 1,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"GET\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/big/file.bin?uploadId=0004B9894A22E5B1888A1E29F8236E2D",
	.auth = "OSS LTAI5tBucketfsExampleKey:j4KkVV4mXcNZbg75odmkd4oSwdU=",
},
{
	.name = "v4/list-parts",
	.op = "listParts",
	.version = 4,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "big/file.bin",
	.query = {
		{"uploadId", "0004B9894A22E5B1888A1E29F8236E2D"},
		{"max-parts", "50"},
		{"part-number-marker", "2"},
		{"encoding-type", "url"},
	},
	.nquery = 4,
	.headers = {
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"GET\n"
		"/examplebucket/big/file.bin\n"
		"encoding-type=url&max-parts=50&part-number-marker=2&uploadId=0004B9894A22E5B1888A1E29F8236E2D\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"c8597e0d2a1fc24aebbb5b4dca00390452b186d3e1f06f917c354dc083be1aea",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=2aff125b50dd27fd4cca6824b3b60e588c9b81216d3089dc9a3e26d908af8266",
},
{
	.name = "v1/list-uploads",
	.op = "listUploads",
	.version = 1,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "",
	.query = {
		{"uploads", NULL},
		{"prefix", "big/"},
		{"delimiter", "/"},
		{"key-marker", "big/a"},
		{"upload-id-marker", "AB12"},
		{"max-uploads", "20"},
		{"encoding-type", "url"},
	},
	.nquery = 7,
	.headers = {
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 1,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"GET\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/?uploads",
	.auth = "OSS LTAI5tBucketfsExampleKey:bl9DgSBAOoQN42euyd4n5il2soE=",
},
{
	.name = "v4/list-uploads",
	.op = "listUploads",
	.version = 4,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "",
	.query = {
		{"uploads", NULL},
		{"prefix", "big/"},
		{"delimiter", "/"},
		{"key-marker", "big/a"},
		{"upload-id-marker", "AB12"},
		{"max-uploads", "20"},
		{"encoding-type", "url"},
	},
	.nquery = 7,
	.headers = {
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"GET\n"
		"/examplebucket/\n"
		"delimiter=%2F&encoding-type=url&key-marker=big%2Fa&max-uploads=20&prefix=big%2F&upload-id-marker=AB12&uploads\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"3c05b67a05985f61abaae3a802b346c8aabb834544e79282c74381f11af53fb0",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=837664aff88021650489a05a76f2433ca18dfae52834c4847b228507a986b836",
},
{
	.name = "v1/delete-multiple",
	.op = "deleteMulti",
	.version = 1,
	.method = "POST",
	.bucket = "examplebucket",
	.key = "",
	.query = {
		{"delete", NULL},
	},
	.nquery = 1,
	.headers = {
		{"Content-Type", "application/xml"},
		{"Content-MD5", "dXGCkAqnHGgYN6dUtNZOcQ=="},
		{"Content-Length", "151"},
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 4,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"POST\n"
		"dXGCkAqnHGgYN6dUtNZOcQ==\n"
		"application/xml\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/?delete",
	.auth = "OSS LTAI5tBucketfsExampleKey:asx8e+Sr2yDhcl6TGb3ga94cjEk=",
},
{
	.name = "v4/delete-multiple",
	.op = "deleteMulti",
	.version = 4,
	.method = "POST",
	.bucket = "examplebucket",
	.key = "",
	.query = {
		{"delete", NULL},
	},
	.nquery = 1,
	.headers = {
		{"Content-Type", "application/xml"},
		{"Content-MD5", "dXGCkAqnHGgYN6dUtNZOcQ=="},
		{"Content-Length", "151"},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 5,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"POST\n"
		"/examplebucket/\n"
		"delete\n"
		"content-md5:dXGCkAqnHGgYN6dUtNZOcQ==\n"
		"content-type:application/xml\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"a96faa59060a90d6af7eb0b79d8af27368e88ead3c29bca3cf283744235d3d68",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=2e0d117bc2a0853964cf065d1d11ba3f4bfb5620736de7cd316d03dbc188ae07",
},
{
	.name = "v1/delete-object-tilde-star",
	.op = "delete",
	.version = 1,
	.method = "DELETE",
	.bucket = "examplebucket",
	.key = "~user/*star*/plus+equals=",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 1,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"DELETE\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/~user/*star*/plus+equals=",
	.auth = "OSS LTAI5tBucketfsExampleKey:ypCB+fEwIgH9iw5Hlz7I9en5sXo=",
},
{
	.name = "v4/delete-object-tilde-star",
	.op = "delete",
	.version = 4,
	.method = "DELETE",
	.bucket = "examplebucket",
	.key = "~user/*star*/plus+equals=",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"DELETE\n"
		"/examplebucket/~user/%2Astar%2A/plus%2Bequals%3D\n"
		"\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"bff07928e565b149c9c038ea1d231e1f1bc56eb8e5ec673d5da334f2b59cfac7",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=11dd3b44573dcd8a2ec191bf9b5a9d9a3793d30ac6cd87672c9d809cda973293",
},
{
	.name = "v1/get-bucket-acl",
	.op = "getBucketACL",
	.version = 1,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "",
	.query = {
		{"acl", NULL},
	},
	.nquery = 1,
	.headers = {
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 1,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"GET\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/?acl",
	.auth = "OSS LTAI5tBucketfsExampleKey:P71VMZ0Abfr1iPga/EVuGXnnBcE=",
},
{
	.name = "v4/get-bucket-acl",
	.op = "getBucketACL",
	.version = 4,
	.method = "GET",
	.bucket = "examplebucket",
	.key = "",
	.query = {
		{"acl", NULL},
	},
	.nquery = 1,
	.headers = {
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"GET\n"
		"/examplebucket/\n"
		"acl\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"cd964759517ff07d79241ca5606bdd872a79ea511ef70f4ac0ff21ea6c96e861",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=88b7a61c259342a56124fabfef3edc275165486df43ffe0f7677ae964718b3d5",
},
{
	.name = "v1/put-object-acl",
	.op = "putACL",
	.version = 1,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "secret.txt",
	.query = {
		{"acl", NULL},
	},
	.nquery = 1,
	.headers = {
		{"x-oss-object-acl", "private"},
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"PUT\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-object-acl:private\n"
		"/examplebucket/secret.txt?acl",
	.auth = "OSS LTAI5tBucketfsExampleKey:OiFkclJq1cgV0yh7WI5dZDkGdnQ=",
},
{
	.name = "v4/put-object-acl",
	.op = "putACL",
	.version = 4,
	.method = "PUT",
	.bucket = "examplebucket",
	.key = "secret.txt",
	.query = {
		{"acl", NULL},
	},
	.nquery = 1,
	.headers = {
		{"x-oss-object-acl", "private"},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 3,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"PUT\n"
		"/examplebucket/secret.txt\n"
		"acl\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"x-oss-object-acl:private\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"80a38f70f3ac457ea296853c59a6f6e960f13b6f930862d1b39a226434caa9e5",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=0254986b3f1155a21bf1115ebfee3f83ce9c07bc8fde30d5d6e03b24eed6e2eb",
},
{
	.name = "v1/append-object",
	.op = "append",
	.version = 1,
	.method = "POST",
	.bucket = "examplebucket",
	.key = "log.txt",
	.query = {
		{"append", NULL},
		{"position", "0"},
	},
	.nquery = 2,
	.headers = {
		{"Content-Type", "text/plain"},
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"POST\n"
		"\n"
		"text/plain\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/log.txt?append&position=0",
	.auth = "OSS LTAI5tBucketfsExampleKey:KL1PHeS994WeDxzHphcGmRBNrX4=",
},
{
	.name = "v4/append-object",
	.op = "append",
	.version = 4,
	.method = "POST",
	.bucket = "examplebucket",
	.key = "log.txt",
	.query = {
		{"append", NULL},
		{"position", "0"},
	},
	.nquery = 2,
	.headers = {
		{"Content-Type", "text/plain"},
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 3,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"POST\n"
		"/examplebucket/log.txt\n"
		"append&position=0\n"
		"content-type:text/plain\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"cc975b0ceceb2227761dbc0e3fe593b2a542d4f2509bf556f684b7f3b99daea3",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=b649ed386885f4d52e6f37e2a568070ff15a7e4b4215a74ba489e5858158fff3",
},
{
	.name = "v1/delete-bucket",
	.op = "deleteBucket",
	.version = 1,
	.method = "DELETE",
	.bucket = "examplebucket",
	.key = "",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
	},
	.nheaders = 1,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = NULL,
	.date = NULL,
	.additional = NULL,
	.creq = NULL,
	.sts =
		"DELETE\n"
		"\n"
		"\n"
		"Wed, 28 Dec 2022 10:27:41 GMT\n"
		"x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n"
		"/examplebucket/",
	.auth = "OSS LTAI5tBucketfsExampleKey:PK2Uc73DtUN7BJJ0zwKjRmgdRok=",
},
{
	.name = "v4/delete-bucket",
	.op = "deleteBucket",
	.version = 4,
	.method = "DELETE",
	.bucket = "examplebucket",
	.key = "",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"x-oss-date", "20231203T121212Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 2,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-hangzhou",
	.date = "20231203T121212Z",
	.additional = NULL,
	.creq =
		"DELETE\n"
		"/examplebucket/\n"
		"\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20231203T121212Z\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20231203T121212Z\n"
		"20231203/cn-hangzhou/oss/aliyun_v4_request\n"
		"83a1b1d7cb6dae36a0d10a2b112c359676207f95c931e8cffedb0d1801c60c76",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20231203/cn-hangzhou/oss/aliyun_v4_request,Signature=b1a040fd58643b331c7f15e4827bae8eb1deafab48fee7fa928a590766245ddd",
},
{
	.name = "v4/put-object-beijing-new-year",
	.op = "put",
	.version = 4,
	.method = "PUT",
	.bucket = "bj-bucket",
	.key = "new year.txt",
	.query = {{NULL, NULL}},
	.nquery = 0,
	.headers = {
		{"Content-Type", "text/plain"},
		{"x-oss-forbid-overwrite", "true"},
		{"x-oss-date", "20250101T000000Z"},
		{"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
	},
	.nheaders = 4,
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.region = "cn-beijing",
	.date = "20250101T000000Z",
	.additional = NULL,
	.creq =
		"PUT\n"
		"/bj-bucket/new%20year.txt\n"
		"\n"
		"content-type:text/plain\n"
		"x-oss-content-sha256:UNSIGNED-PAYLOAD\n"
		"x-oss-date:20250101T000000Z\n"
		"x-oss-forbid-overwrite:true\n"
		"\n"
		"\n"
		"UNSIGNED-PAYLOAD",
	.sts =
		"OSS4-HMAC-SHA256\n"
		"20250101T000000Z\n"
		"20250101/cn-beijing/oss/aliyun_v4_request\n"
		"36858f4eadc2abab7dc026fb39a1020aad9ab8ada34ead8d466302f5cf27f7a3",
	.auth = "OSS4-HMAC-SHA256 Credential=LTAI5tBucketfsExampleKey/20250101/cn-beijing/oss/aliyun_v4_request,Signature=4e77b12a3a66e48ed6409ed8bec878fef94dad1012bf08da2dcfbc92efb0b66c",
},
};
/* clang-format on */

#define OSSSIG_NVECTORS (sizeof(osssig_vectors) / sizeof(osssig_vectors[0]))

/* Presigned GET URLs from ali-oss's OSS#signatureUrl() (clock fixed): what
 * bfs_oss_presign_v1() must append is the query, the part after '?'. */
struct osssig_presign_vector {
	const char *name, *bucket, *key, *access_key, *secret_key, *token;
	long long expires_at;
	const char *url, *query;
};

/* clang-format off */
static const struct osssig_presign_vector osssig_presign_vectors[] = {
{
	.name = "presign/plain",
	.bucket = "examplebucket",
	.key = "images/t1/0.png",
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.token = NULL,
	.expires_at = 1700003600,
	.url =
		"http://examplebucket.oss-cn-hangzhou.aliyuncs.com/images/t1/0.png?OSSAccessKeyId=LTAI5tBucketfsExampleKey&Expires=1700003600&Signature=0fq3Cx8vJEpMt%2FyrBCBudN0fY6Q%3D",
	.query =
		"OSSAccessKeyId=LTAI5tBucketfsExampleKey&Expires=1700003600&Signature=0fq3Cx8vJEpMt%2FyrBCBudN0fY6Q%3D",
},
{
	.name = "presign/odd-key",
	.bucket = "examplebucket",
	.key = "a b/\344\270\255\346\226\207+x=y&z%.png",
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.token = NULL,
	.expires_at = 1700000600,
	.url =
		"http://examplebucket.oss-cn-hangzhou.aliyuncs.com/a%20b/%E4%B8%AD%E6%96%87%2Bx%3Dy%26z%25.png?OSSAccessKeyId=LTAI5tBucketfsExampleKey&Expires=1700000600&Signature=PXRCTowa0vrNKaySWby9QeHRqPY%3D",
	.query =
		"OSSAccessKeyId=LTAI5tBucketfsExampleKey&Expires=1700000600&Signature=PXRCTowa0vrNKaySWby9QeHRqPY%3D",
},
{
	.name = "presign/sts",
	.bucket = "examplebucket",
	.key = "images/t1/0.png",
	.access_key = "LTAI5tBucketfsExampleKey",
	.secret_key = "BucketfsExampleSecret/With+Base64=Chars0",
	.token = "CAIS8gF1q6Ft5B2yfSjIr5bNLu/+h+hW0baJMkX3tTFnRmkf2q3DjDz2IHxKeHhoBeAdsv8wnGlU7f4alqx4T55IQ1Dxa8Z0Ojp0GqIGTqfLPWbrgRNB+RhBt4JK5rqGKvaxm+Ey0vlOxQfUrJB16R7phKsQ==",
	.expires_at = 1700086400,
	.url =
		"http://examplebucket.oss-cn-hangzhou.aliyuncs.com/images/t1/0.png?OSSAccessKeyId=LTAI5tBucketfsExampleKey&Expires=1700086400&Signature=THh1JBwwMdokyn4rXT6fFw4rVUc%3D&security-token=CAIS8gF1q6Ft5B2yfSjIr5bNLu%2F%2Bh%2BhW0baJMkX3tTFnRmkf2q3DjDz2IHxKeHhoBeAdsv8wnGlU7f4alqx4T55IQ1Dxa8Z0Ojp0GqIGTqfLPWbrgRNB%2BRhBt4JK5rqGKvaxm%2BEy0vlOxQfUrJB16R7phKsQ%3D%3D",
	.query =
		"OSSAccessKeyId=LTAI5tBucketfsExampleKey&Expires=1700086400&Signature=THh1JBwwMdokyn4rXT6fFw4rVUc%3D&security-token=CAIS8gF1q6Ft5B2yfSjIr5bNLu%2F%2Bh%2BhW0baJMkX3tTFnRmkf2q3DjDz2IHxKeHhoBeAdsv8wnGlU7f4alqx4T55IQ1Dxa8Z0Ojp0GqIGTqfLPWbrgRNB%2BRhBt4JK5rqGKvaxm%2BEy0vlOxQfUrJB16R7phKsQ%3D%3D",
},
};
/* clang-format on */

#define OSSSIG_NPRESIGNS (sizeof(osssig_presign_vectors) / sizeof(osssig_presign_vectors[0]))

#endif
