/* SPDX-License-Identifier: MIT */
/*
 * test_xml.c - the S3 XML parsers and builders (src/store/xml.c) against
 * real-looking AWS and radosgw documents, URL-encoded listings, and hostile
 * or malformed input (which must give BFS_E_PROTO, never a crash or a
 * leak; run under valgrind to check the latter).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/buf.h"
#include "bucketfs/error.h"
#include "bucketfs/xml.h"
#include "check.h"

#define S3NS " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""
/* a string literal as the (text, length) pair the parsers take */
#define LIT(s) (s), sizeof(s) - 1
/* 127 bytes: the longest ETag that fits in BFS_ETAG_MAX */
#define ETAG127                                                                                    \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"                         \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
#define XMLDECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

static int parse_list_str(const char *xml, int enc, struct bfs_listing *l)
{
	return bfs_xml_parse_list(xml, strlen(xml), enc, l);
}

static void test_list_v2(void)
{
	static const char xml[] = XMLDECL
	    "<ListBucketResult" S3NS ">\n"
	    "  <Name>example-bucket</Name>\n"
	    "  <Prefix>photos/</Prefix>\n"
	    "  <KeyCount>4</KeyCount>\n"
	    "  <MaxKeys>4</MaxKeys>\n"
	    "  <Delimiter>/</Delimiter>\n"
	    "  <IsTruncated>true</IsTruncated>\n"
	    "  <ContinuationToken>1xYz</ContinuationToken>\n"
	    "  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="
	    "</NextContinuationToken>\n"
	    "  <Contents>\n"
	    "    <Key>photos/a.jpg</Key>\n"
	    "    <LastModified>2009-10-12T17:50:30.000Z</LastModified>\n"
	    "    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>\n"
	    "    <Size>434234</Size>\n"
	    "    <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>"
	    "<DisplayName>mtd@amazon.com</DisplayName></Owner>\n"
	    "    <StorageClass>STANDARD</StorageClass>\n"
	    "  </Contents>\n"
	    "  <Contents>\n"
	    "    <Key>photos/b.txt</Key>\n"
	    "    <LastModified>2023-01-02T03:04:05Z</LastModified>\n"
	    "    <ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag>\n"
	    "    <Size>18446744073709551</Size>\n"
	    "    <StorageClass>STANDARD</StorageClass>\n"
	    "  </Contents>\n"
	    "  <CommonPrefixes><Prefix>photos/2006/</Prefix></CommonPrefixes>\n"
	    "  <CommonPrefixes><Prefix>photos/2007/</Prefix></CommonPrefixes>\n"
	    "</ListBucketResult>\n";
	struct bfs_listing l;

	CHECK_INT(parse_list_str(xml, 0, &l), 0);
	CHECK_INT(l.nobjects, 2);
	CHECK_INT(l.nprefixes, 2);
	CHECK_INT(l.truncated, 1);
	CHECK_STR(l.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
	if (l.nobjects == 2) {
		CHECK_STR(l.objects[0].key, "photos/a.jpg");
		CHECK_INT(l.objects[0].size, 434234);
		CHECK_INT(l.objects[0].mtime, 1255369830);
		CHECK_STR(l.objects[0].etag, "fba9dede5f27731c9771645a39863328");
		CHECK_STR(l.objects[1].key, "photos/b.txt");
		CHECK(l.objects[1].size == 18446744073709551ull);
		CHECK_INT(l.objects[1].mtime, 1672628645);
		CHECK_STR(l.objects[1].etag, "3858f62230ac3c915f300c664312c11f-9");
	}
	if (l.nprefixes == 2) {
		CHECK_STR(l.prefixes[0], "photos/2006/");
		CHECK_STR(l.prefixes[1], "photos/2007/");
	}
	bfs_listing_release(&l);
	CHECK(l.objects == NULL && l.nobjects == 0 && l.next_token == NULL);
	bfs_listing_release(&l); /* twice is harmless */

	/* the last page: no token, empty result */
	CHECK_INT(parse_list_str("<ListBucketResult><Name>b</Name><Prefix/><KeyCount>0</KeyCount>"
				 "<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
				 "</ListBucketResult>",
				 0, &l),
		  0);
	CHECK_INT(l.nobjects, 0);
	CHECK_INT(l.truncated, 0);
	CHECK(l.next_token == NULL);
	bfs_listing_release(&l);
}

/* One listing entry per row: how the key is written and what comes out. */
static const struct {
	const char *raw;  /* the text of <Key>, as sent */
	int enc_param;	  /* the request asked for encoding-type=url */
	int enc_elem;	  /* the response says <EncodingType>url</EncodingType> */
	const char *want; /* NULL: BFS_E_PROTO */
} key_rows[] = {
	{ "a+b", 1, 0, "a b" },
	{ "a%20b", 1, 0, "a b" },
	{ "a%2Bb", 1, 0, "a+b" },
	{ "a%2bb", 1, 0, "a+b" },
	{ "dir%2Fsub/x", 0, 1, "dir/sub/x" }, /* the response overrides */
	{ "caf%C3%A9", 1, 0, "caf\xC3\xA9" },
	{ "%E6%97%A5%E6%9C%AC", 1, 1, "\xE6\x97\xA5\xE6\x9C\xAC" },
	{ "caf\xC3\xA9", 0, 0, "caf\xC3\xA9" },
	{ "x&amp;y", 0, 0, "x&y" },
	{ "x&amp;y", 1, 0, "x&y" },
	{ "x%26y", 1, 0, "x&y" },
	{ "&lt;b&gt; &quot;q&quot; &apos;s&apos;", 0, 0, "<b> \"q\" 's'" },
	{ "&#x41;&#xE9;&#128512;", 0, 0, "A\xC3\xA9\xF0\x9F\x98\x80" },
	{ "&#x2B;", 1, 0, " " },   /* '+' then form-decoded */
	{ "&#x25;41", 1, 0, "A" }, /* '%41' then decoded */
	{ "tab&#9;nl&#10;", 0, 0, "tab\tnl\n" },
	{ "<![CDATA[a<b]]>", 0, 0, "a<b" },
	{ "a+b%41", 0, 0, "a+b%41" }, /* not encoded: verbatim */
	{ "%zz", 1, 0, NULL },
	{ "%4", 1, 0, NULL },
	{ "a%", 1, 0, NULL },
	{ "a%00b", 1, 0, NULL },   /* an encoded NUL */
	{ "", 0, 0, NULL },	   /* an empty key */
	{ "&#0;", 0, 0, NULL },	   /* not XML */
	{ "&bogus;", 0, 0, NULL }, /* undefined entity */
	{ "a<x/>b", 0, 0, NULL },  /* an element in a key */
	/* keys a filesystem cannot show come through verbatim: the filesystem
	 * decides (SEMANTICS.md, "Keys a filesystem cannot show") */
	{ "x/./y", 0, 0, "x/./y" },
	{ "x/../y", 1, 0, "x/../y" },
	{ "..", 1, 1, ".." },
	{ "a//b", 1, 0, "a//b" },
	{ "%2F%2Flead", 1, 1, "//lead" },
	{ "bad%FF%FEname", 1, 1, "bad\xFF\xFEname" }, /* not UTF-8: byte for byte */
	{ "new%0Aline", 1, 1, "new\nline" },
	{ "ctl%01char", 1, 1, "ctl\001char" },
	{ "back%5Cslash", 1, 1, "back\\slash" },
	{ "per%25cent", 1, 1, "per%cent" },
	{ "pct%252Fenc", 1, 1, "pct%2Fenc" },
	{ "&#x01;", 0, 0, NULL }, /* what radosgw writes for a prefix it echoes: not XML 1.0 */
};

static void test_list_keys(void)
{
	struct bfs_buf doc = BFS_BUF_INIT(1 << 20);
	struct bfs_listing l;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(key_rows) / sizeof(key_rows[0]); i++) {
		bfs_buf_reset(&doc);
		rc = bfs_buf_addf(&doc,
				  "<ListBucketResult>%s<IsTruncated>false</IsTruncated>"
				  "<Contents><Key>%s</Key><Size>1</Size></Contents>"
				  "<CommonPrefixes><Prefix>%s/</Prefix></CommonPrefixes>"
				  "</ListBucketResult>",
				  key_rows[i].enc_elem ? "<EncodingType>url</EncodingType>" : "",
				  key_rows[i].raw, key_rows[i].raw);
		CHECK_INT(rc, 0);
		rc = bfs_xml_parse_list(doc.data, doc.len, key_rows[i].enc_param, &l);
		if (!key_rows[i].want) {
			if (rc != BFS_E_PROTO)
				fprintf(stderr, "key row %zu: %s\n", i, key_rows[i].raw);
			CHECK_INT(rc, BFS_E_PROTO);
			CHECK(l.nobjects == 0 && l.objects == NULL && l.prefixes == NULL);
			continue;
		}
		if (rc != 0)
			fprintf(stderr, "key row %zu: %s\n", i, key_rows[i].raw);
		CHECK_INT(rc, 0);
		if (rc == 0 && l.nobjects == 1 && l.nprefixes == 1) {
			char want_prefix[64];

			snprintf(want_prefix, sizeof(want_prefix), "%s/", key_rows[i].want);
			CHECK_STR(l.objects[0].key, key_rows[i].want);
			CHECK_STR(l.prefixes[0], want_prefix);
		}
		bfs_listing_release(&l);
	}
	bfs_buf_release(&doc);
}

/* A single key of n bytes written as unit (e.g. "a" or "%41"). */
static int list_long_key(size_t n, const char *unit, int enc, size_t *got_len)
{
	struct bfs_buf doc = BFS_BUF_INIT(1 << 20);
	struct bfs_listing l;
	size_t i;
	int rc;

	rc = bfs_buf_adds(&doc, "<ListBucketResult><Contents><Key>");
	for (i = 0; i < n && !rc; i++)
		rc = bfs_buf_adds(&doc, unit);
	if (!rc)
		rc = bfs_buf_adds(&doc, "</Key><Size>0</Size></Contents></ListBucketResult>");
	if (!rc)
		rc = bfs_xml_parse_list(doc.data, doc.len, enc, &l);
	*got_len = rc == 0 && l.nobjects == 1 ? strlen(l.objects[0].key) : 0;
	if (rc == 0)
		bfs_listing_release(&l);
	bfs_buf_release(&doc);
	return rc;
}

static void test_list_key_length(void)
{
	size_t got;

	CHECK_INT(list_long_key(1024, "a", 0, &got), 0);
	CHECK_INT(got, 1024);
	CHECK_INT(list_long_key(1025, "a", 0, &got), BFS_E_PROTO);
	CHECK_INT(list_long_key(1024, "%41", 1, &got), 0);
	CHECK_INT(got, 1024);
	CHECK_INT(list_long_key(1025, "%41", 1, &got), BFS_E_PROTO);
	CHECK_INT(list_long_key(1025, "+", 1, &got), BFS_E_PROTO);
	CHECK_INT(list_long_key(1024, "&#xE9;", 0, &got), BFS_E_PROTO); /* 2048 bytes */
	CHECK_INT(list_long_key(512, "&#xE9;", 0, &got), 0);
	CHECK_INT(got, 1024);
	CHECK_INT(list_long_key(100000, "a", 0, &got), BFS_E_PROTO);
}

/* LastModified texts and what they mean; -1: BFS_E_PROTO. */
static const struct {
	const char *text;
	long long want;
} time_rows[] = {
	{ "2009-10-12T17:50:30.000Z", 1255369830 },
	{ "2009-10-12T17:50:30Z", 1255369830 },
	{ "2009-10-12T17:50:30.123456789Z", 1255369830 },
	{ "1970-01-01T00:00:00.0Z", 0 },
	{ "2024-02-29T00:00:00Z", 1709164800 },
	{ "2100-12-31T23:59:59Z", 4133980799 },
	{ "2100-02-29T00:00:00Z", -1 }, /* not a leap year */
	{ "2009-10-12T17:50:30+00:00", -1 },
	{ "2009-10-12T17:50:30.000z", -1 },
	{ "2009-10-12t17:50:30Z", -1 },
	{ "1969-12-31T23:59:59Z", -1 },
	{ "2009-13-12T17:50:30Z", -1 },
	{ "2009-00-12T17:50:30Z", -1 },
	{ "2009-10-00T17:50:30Z", -1 },
	{ "2009-10-12T17:60:30Z", -1 },
	{ "2009-10-12T17:50:61Z", -1 },
	{ "2009-10-12T17:50:3Z", -1 },
	{ "2009-10-12", -1 },
	{ "", -1 },
	{ "Mon, 12 Oct 2009 17:50:30 GMT", -1 },
};

/* ETag texts and what is kept; NULL: BFS_E_PROTO. */
static const struct {
	const char *text;
	const char *want;
} etag_rows[] = {
	{ "\"abc\"", "abc" },
	{ "&quot;abc&quot;", "abc" },
	{ "abc", "abc" },
	{ "\"abc", "\"abc" },
	{ "\"", "\"" },
	{ "\"\"", "" },
	{ "", "" },
	/* 127 bytes fit, with or without quotes; 128 do not */
	{ "\"" ETAG127 "\"", ETAG127 },
	{ ETAG127, ETAG127 },
	{ "\"" ETAG127 "x\"", NULL },
	{ ETAG127 "x", NULL },
};

static void test_list_fields(void)
{
	struct bfs_buf doc = BFS_BUF_INIT(4096);
	struct bfs_listing l;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(time_rows) / sizeof(time_rows[0]); i++) {
		bfs_buf_reset(&doc);
		CHECK_INT(
		    bfs_buf_addf(&doc,
				 "<ListBucketResult><Contents><Key>k</Key><Size>1</Size>"
				 "<LastModified>%s</LastModified></Contents></ListBucketResult>",
				 time_rows[i].text),
		    0);
		rc = bfs_xml_parse_list(doc.data, doc.len, 0, &l);
		if (rc != (time_rows[i].want < 0 ? BFS_E_PROTO : 0))
			fprintf(stderr, "time row %zu: %s\n", i, time_rows[i].text);
		CHECK_INT(rc, time_rows[i].want < 0 ? BFS_E_PROTO : 0);
		if (!rc && l.nobjects == 1)
			CHECK_INT(l.objects[0].mtime, time_rows[i].want);
		bfs_listing_release(&l);
	}
	for (i = 0; i < sizeof(etag_rows) / sizeof(etag_rows[0]); i++) {
		bfs_buf_reset(&doc);
		CHECK_INT(bfs_buf_addf(&doc,
				       "<ListBucketResult><Contents><Key>k</Key><Size>1</Size>"
				       "<ETag>%s</ETag></Contents></ListBucketResult>",
				       etag_rows[i].text),
			  0);
		rc = bfs_xml_parse_list(doc.data, doc.len, 0, &l);
		CHECK_INT(rc, etag_rows[i].want ? 0 : BFS_E_PROTO);
		if (!rc && l.nobjects == 1)
			CHECK_STR(l.objects[0].etag, etag_rows[i].want);
		bfs_listing_release(&l);
	}
	bfs_buf_release(&doc);
}

static void test_list_v1(void)
{
	struct bfs_listing l;

	/* NextMarker, encoded like the keys */
	CHECK_INT(parse_list_str("<ListBucketResult" S3NS "><Name>b</Name><Prefix>dir%2F</Prefix>"
				 "<Marker></Marker><NextMarker>dir%2Fb+c</NextMarker>"
				 "<MaxKeys>1</MaxKeys><Delimiter>%2F</Delimiter>"
				 "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
				 "<Contents><Key>dir%2Fb+c</Key><Size>3</Size></Contents>"
				 "</ListBucketResult>",
				 0, &l),
		  0);
	CHECK_STR(l.next_token, "dir/b c");
	CHECK_STR(l.nobjects ? l.objects[0].key : NULL, "dir/b c");
	bfs_listing_release(&l);

	/* truncated without NextMarker and no delimiter: the last key */
	CHECK_INT(parse_list_str("<ListBucketResult><Name>b</Name><Prefix></Prefix>"
				 "<Marker>a</Marker><MaxKeys>2</MaxKeys>"
				 "<IsTruncated>true</IsTruncated>"
				 "<Contents><Key>b</Key><Size>1</Size></Contents>"
				 "<Contents><Key>c+d</Key><Size>2</Size></Contents>"
				 "</ListBucketResult>",
				 1, &l),
		  0);
	CHECK_STR(l.next_token, "c d");
	bfs_listing_release(&l);

	/* ... with a delimiter: whichever of key and prefix sorts last */
	CHECK_INT(parse_list_str("<ListBucketResult><Delimiter>/</Delimiter>"
				 "<IsTruncated>true</IsTruncated>"
				 "<Contents><Key>a</Key><Size>1</Size></Contents>"
				 "<CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes>"
				 "</ListBucketResult>",
				 0, &l),
		  0);
	CHECK_STR(l.next_token, "b/");
	bfs_listing_release(&l);

	/* not truncated: no marker needed */
	CHECK_INT(
	    parse_list_str("<ListBucketResult><Marker></Marker><IsTruncated>false</IsTruncated>"
			   "<Contents><Key>a</Key><Size>1</Size></Contents>"
			   "</ListBucketResult>",
			   0, &l),
	    0);
	CHECK(l.next_token == NULL);
	bfs_listing_release(&l);

	/* truncated with nothing to continue after */
	CHECK_INT(parse_list_str("<ListBucketResult><Marker/><IsTruncated>true</IsTruncated>"
				 "</ListBucketResult>",
				 0, &l),
		  BFS_E_PROTO);
	/* V2 truncated without NextContinuationToken cannot continue */
	CHECK_INT(parse_list_str("<ListBucketResult><KeyCount>1</KeyCount>"
				 "<IsTruncated>true</IsTruncated>"
				 "<Contents><Key>a</Key><Size>1</Size></Contents>"
				 "</ListBucketResult>",
				 0, &l),
		  BFS_E_PROTO);
	CHECK_INT(parse_list_str("<ListBucketResult><KeyCount>1</KeyCount>"
				 "<IsTruncated>true</IsTruncated>"
				 "<NextContinuationToken></NextContinuationToken>"
				 "<Contents><Key>a</Key><Size>1</Size></Contents>"
				 "</ListBucketResult>",
				 0, &l),
		  BFS_E_PROTO);
}

static void test_error(void)
{
	static const char sig[] =
	    XMLDECL "<Error><Code>SignatureDoesNotMatch</Code>"
		    "<Message>The request signature we calculated does not match the signature you "
		    "provided. Check your key and signing method.</Message>"
		    "<AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId>"
		    "<StringToSign>AWS4-HMAC-SHA256\n20230101T000000Z</StringToSign>"
		    "<SignatureProvided>abc</SignatureProvided>"
		    "<RequestId>4442587FB7D0A2F9</RequestId>"
		    "<HostId>nLhUcUi9ENRu3Af1XUoPtKUAtqKxNaGb8F6/ZyHFQRc=</HostId></Error>";
	struct bfs_xml_error e;
	struct bfs_buf doc = BFS_BUF_INIT(8192);
	int i, rc;

	CHECK_INT(bfs_xml_parse_error(sig, strlen(sig), &e), 0);
	CHECK_STR(e.code, "SignatureDoesNotMatch");
	CHECK_STR(e.message, "The request signature we calculated does not match the signature "
			     "you provided. Check your key and signing method.");
	CHECK_STR(e.request_id, "4442587FB7D0A2F9");

	/* missing fields are "" */
	CHECK_INT(bfs_xml_parse_error(LIT("<Error><Code>NoSuchKey</Code></Error>"), &e), 0);
	CHECK_STR(e.code, "NoSuchKey");
	CHECK_STR(e.message, "");
	CHECK_STR(e.request_id, "");

	/* over-long fields are cut at a character boundary */
	rc = bfs_buf_adds(&doc, "<Error><Code>");
	for (i = 0; i < 100 && !rc; i++)
		rc = bfs_buf_adds(&doc, "C");
	if (!rc)
		rc = bfs_buf_adds(&doc, "</Code><Message>");
	for (i = 0; i < 600 && !rc; i++)
		rc = bfs_buf_adds(&doc, "\xC3\xA9");
	if (!rc)
		rc = bfs_buf_adds(&doc, "</Message></Error>");
	CHECK_INT(rc, 0);
	CHECK_INT(bfs_xml_parse_error(doc.data, doc.len, &e), 0);
	CHECK_INT(strlen(e.code), 63);
	CHECK_INT(strlen(e.message), 510);
	CHECK(memcmp(e.message, "\xC3\xA9\xC3\xA9", 4) == 0);
	bfs_buf_release(&doc);

	/* anything else */
	CHECK_INT(bfs_xml_parse_error(LIT("<ListBucketResult/>"), &e), BFS_E_PROTO);
	CHECK_STR(e.code, "");
	CHECK_INT(bfs_xml_parse_error(LIT(""), &e), BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_error(NULL, 0, &e), BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_error(LIT("<html><body>502 Bad Gateway</body></html>"), &e),
		  BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_error(LIT("<Error><Code>X</Code><Code>Y</Code></Error>"), &e),
		  BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_error(LIT("<Error><Code>X<b/></Code></Error>"), &e), BFS_E_PROTO);
}

static const struct {
	const char *xml;
	int rc;
	const char *etag;
	const char *code;
} result_rows[] = {
	{ XMLDECL "<CompleteMultipartUploadResult" S3NS ">"
		  "<Location>http://b.s3.amazonaws.com/k</Location><Bucket>b</Bucket><Key>k</Key>"
		  "<ETag>&quot;3858f62230ac3c915f300c664312c11f-9&quot;</ETag>"
		  "</CompleteMultipartUploadResult>",
	  0, "3858f62230ac3c915f300c664312c11f-9", "" },
	/* radosgw: ETag present but empty, or missing */
	{ "<CompleteMultipartUploadResult><Location>l</Location><Bucket>b</Bucket>"
	  "<Key>k</Key><ETag></ETag></CompleteMultipartUploadResult>",
	  0, "", "" },
	{ "<CompleteMultipartUploadResult><Key>k</Key></CompleteMultipartUploadResult>", 0, "",
	  "" },
	{ "<CopyObjectResult><LastModified>2009-10-28T22:32:00.000Z</LastModified>"
	  "<ETag>\"9b2cf535f27731c974343645a3985328\"</ETag></CopyObjectResult>",
	  0, "9b2cf535f27731c974343645a3985328", "" },
	/* a 200 that is an error after all */
	{ XMLDECL
	  "\n\n<Error><Code>InternalError</Code>"
	  "<Message>We encountered an internal error. Please try again.</Message>"
	  "<RequestId>656c76696e6727732072657175657374</RequestId>"
	  "<HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId></Error>",
	  1, "", "InternalError" },
	{ "<InitiateMultipartUploadResult/>", BFS_E_PROTO, "", "" },
	{ "<CompleteMultipartUploadResult><ETag>a</ETag><ETag>b</ETag>"
	  "</CompleteMultipartUploadResult>",
	  BFS_E_PROTO, "", "" },
	{ "<CompleteMultipartUploadResult><ETag>", BFS_E_PROTO, "", "" },
};

static void test_result_etag(void)
{
	char etag[BFS_ETAG_MAX];
	struct bfs_xml_error e;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(result_rows) / sizeof(result_rows[0]); i++) {
		memset(etag, 'x', sizeof(etag));
		rc = bfs_xml_parse_result_etag(result_rows[i].xml, strlen(result_rows[i].xml), etag,
					       &e);
		CHECK_INT(rc, result_rows[i].rc);
		CHECK_STR(etag, result_rows[i].etag);
		CHECK_STR(e.code, result_rows[i].code);
	}
	CHECK_INT(
	    bfs_xml_parse_result_etag(result_rows[4].xml, strlen(result_rows[4].xml), etag, NULL),
	    1);
	CHECK_INT(
	    bfs_xml_parse_result_etag(result_rows[0].xml, strlen(result_rows[0].xml), etag, &e), 0);
	CHECK_STR(e.code, "");
}

static void test_initiate(void)
{
	static const char ok[] = XMLDECL
	    "<InitiateMultipartUploadResult" S3NS "><Bucket>b</Bucket><Key>k</Key>"
	    "<UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>"
	    "</InitiateMultipartUploadResult>";
	char junk[] = "junk";
	char *id = junk;

	CHECK_INT(bfs_xml_parse_initiate(ok, strlen(ok), &id), 0);
	CHECK_STR(id, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
	free(id);
	CHECK_INT(bfs_xml_parse_initiate(LIT("<InitiateMultipartUploadResult><Bucket>b</Bucket>"
					     "</InitiateMultipartUploadResult>"),
					 &id),
		  BFS_E_PROTO);
	CHECK(id == NULL);
	CHECK_INT(bfs_xml_parse_initiate(LIT("<InitiateMultipartUploadResult><UploadId></UploadId>"
					     "</InitiateMultipartUploadResult>"),
					 &id),
		  BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_initiate(LIT("<Error><Code>AccessDenied</Code></Error>"), &id),
		  BFS_E_PROTO);
	CHECK(id == NULL);
}

static void test_parts(void)
{
	static const char xml[] = XMLDECL
	    "<ListPartsResult" S3NS "><Bucket>b</Bucket><Key>k</Key>"
	    "<UploadId>XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA</UploadId>"
	    "<Initiator><ID>arn:aws:iam::111122223333:user/some-user</ID>"
	    "<DisplayName>umat-user</DisplayName></Initiator>"
	    "<StorageClass>STANDARD</StorageClass><PartNumberMarker>1</PartNumberMarker>"
	    "<NextPartNumberMarker>3</NextPartNumberMarker><MaxParts>2</MaxParts>"
	    "<IsTruncated>true</IsTruncated>"
	    "<Part><PartNumber>2</PartNumber><LastModified>2010-11-10T20:48:34.000Z"
	    "</LastModified><ETag>\"7778aef83f66abc1fa1e8477f296d394\"</ETag>"
	    "<Size>10485760</Size></Part>"
	    "<Part><PartNumber>3</PartNumber><LastModified>2010-11-10T20:48:33.000Z"
	    "</LastModified><ETag>&quot;aaaa18db4cc2f85cedef654fccc4a4x8&quot;</ETag>"
	    "<Size>10485760</Size></Part></ListPartsResult>";
	struct bfs_store_parts p;

	CHECK_INT(bfs_xml_parse_parts(xml, strlen(xml), &p), 0);
	CHECK_INT(p.nparts, 2);
	CHECK_INT(p.truncated, 1);
	CHECK_INT(p.next_marker, 3);
	if (p.nparts == 2) {
		CHECK_INT(p.parts[0].number, 2);
		CHECK_INT(p.parts[0].size, 10485760);
		CHECK_STR(p.parts[0].etag, "7778aef83f66abc1fa1e8477f296d394");
		CHECK_INT(p.parts[1].number, 3);
		CHECK_STR(p.parts[1].etag, "aaaa18db4cc2f85cedef654fccc4a4x8");
	}
	bfs_store_parts_release(&p);

	/* truncated without a marker: after the last part */
	CHECK_INT(bfs_xml_parse_parts(LIT("<ListPartsResult><IsTruncated>true</IsTruncated>"
					  "<Part><PartNumber>7</PartNumber><Size>5</Size></Part>"
					  "</ListPartsResult>"),
				      &p),
		  0);
	CHECK_INT(p.next_marker, 7);
	bfs_store_parts_release(&p);
	CHECK_INT(bfs_xml_parse_parts(LIT("<ListPartsResult/>"), &p), 0);
	CHECK_INT(p.nparts, 0);
	bfs_store_parts_release(&p);

	CHECK_INT(bfs_xml_parse_parts(LIT("<ListPartsResult><IsTruncated>true</IsTruncated>"
					  "</ListPartsResult>"),
				      &p),
		  BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_parts(LIT("<ListPartsResult><Part><PartNumber>0</PartNumber>"
					  "<Size>5</Size></Part></ListPartsResult>"),
				      &p),
		  BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_parts(LIT("<ListPartsResult><Part><PartNumber>10001</PartNumber>"
					  "<Size>5</Size></Part></ListPartsResult>"),
				      &p),
		  BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_parts(LIT("<ListPartsResult><Part><PartNumber>1</PartNumber>"
					  "</Part></ListPartsResult>"),
				      &p),
		  BFS_E_PROTO);
	CHECK(p.parts == NULL && p.nparts == 0);
}

static void test_delete(void)
{
	static const char xml[] = XMLDECL
	    "<DeleteResult" S3NS ">"
	    "<Deleted><Key>sample1.txt</Key></Deleted>"
	    "<Error><Key>sample2 &amp; co.txt</Key><Code>AccessDenied</Code>"
	    "<Message>Access Denied</Message></Error>"
	    "<Deleted><Key>sample3.txt</Key><DeleteMarker>true</DeleteMarker>"
	    "<DeleteMarkerVersionId>NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s</DeleteMarkerVersionId>"
	    "</Deleted>"
	    "<Error><Key>sample4.txt</Key><Code>InternalError</Code></Error>"
	    "</DeleteResult>";
	struct bfs_buf key = BFS_BUF_INIT(BFS_XML_MAX_KEY);
	struct bfs_buf small = BFS_BUF_INIT(4);
	struct bfs_xml_error e;
	size_t nd = 99, ne = 99;

	CHECK_INT(bfs_xml_parse_delete(xml, strlen(xml), &nd, &ne, &key, &e), 0);
	CHECK_INT(nd, 2);
	CHECK_INT(ne, 2);
	CHECK_STR(bfs_buf_str(&key), "sample2 & co.txt");
	CHECK_STR(e.code, "AccessDenied");
	CHECK_STR(e.message, "Access Denied");
	CHECK_INT(bfs_xml_parse_delete(xml, strlen(xml), &nd, &ne, NULL, NULL), 0);
	CHECK_INT(bfs_xml_parse_delete(xml, strlen(xml), NULL, NULL, &small, NULL), -EMSGSIZE);
	/* a failure writes no output, first_key included (found by fuzz_xml) */
	nd = ne = 99;
	CHECK_INT(bfs_buf_adds(&small, "old"), 0);
	CHECK_INT(bfs_xml_parse_delete(xml, strlen(xml), &nd, &ne, &small, &e), -EMSGSIZE);
	CHECK_STR(bfs_buf_str(&small), "old");
	CHECK_INT(nd, 99);
	CHECK_INT(ne, 99);

	/* quiet mode with nothing to report */
	CHECK_INT(bfs_xml_parse_delete(LIT("<DeleteResult/>"), &nd, &ne, &key, &e), 0);
	CHECK_INT(nd, 0);
	CHECK_INT(ne, 0);
	CHECK_STR(bfs_buf_str(&key), "");
	CHECK_STR(e.code, "");

	CHECK_INT(
	    bfs_xml_parse_delete(LIT("<DeleteResult><Error><Key>a</Key>"), &nd, &ne, &key, &e),
	    BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_delete(LIT("<Error><Code>AccessDenied</Code></Error>"), &nd, &ne,
				       &key, &e),
		  BFS_E_PROTO);
	bfs_buf_release(&key);
	bfs_buf_release(&small);
}

static void test_build_complete(void)
{
	struct bfs_buf b = BFS_BUF_INIT(4096);
	struct bfs_store_part parts[3] = {
		{ 1, 5242880, "a54357aff0632cce46d942af68356b38" },
		{ 2, 5242880, "0c78aef83f66abc1fa1e8477f296d394" },
		{ 3, 1, "acbd18db4cc2f85cedef654fccc4a4d8" },
	};

	CHECK_INT(bfs_buf_adds(&b, "pre:"), 0);
	CHECK_INT(bfs_xml_build_complete(&b, parts, 3), 0);
	CHECK_STR(bfs_buf_str(&b),
		  "pre:<CompleteMultipartUpload>"
		  "<Part><PartNumber>1</PartNumber><ETag>\"a54357aff0632cce46d942af68356b38\"</"
		  "ETag></Part>"
		  "<Part><PartNumber>2</PartNumber><ETag>\"0c78aef83f66abc1fa1e8477f296d394\"</"
		  "ETag></Part>"
		  "<Part><PartNumber>3</PartNumber><ETag>\"acbd18db4cc2f85cedef654fccc4a4d8\"</"
		  "ETag></Part>"
		  "</CompleteMultipartUpload>");

	/* failures leave the buffer as it was */
	bfs_buf_reset(&b);
	CHECK_INT(bfs_buf_adds(&b, "pre:"), 0);
	CHECK_INT(bfs_xml_build_complete(&b, parts, 0), -EINVAL);
	parts[1].number = 1; /* not ascending */
	CHECK_INT(bfs_xml_build_complete(&b, parts, 3), -EINVAL);
	parts[1].number = 10001;
	CHECK_INT(bfs_xml_build_complete(&b, parts, 2), -EINVAL);
	parts[1].number = 2;
	memset(parts[1].etag, 'f', sizeof(parts[1].etag)); /* unterminated */
	CHECK_INT(bfs_xml_build_complete(&b, parts, 2), -EINVAL);
	CHECK_STR(bfs_buf_str(&b), "pre:");
	bfs_buf_release(&b);

	b.max = 40;
	CHECK_INT(bfs_xml_build_complete(&b, parts, 1), -EMSGSIZE);
	CHECK_STR(bfs_buf_str(&b), "");
	bfs_buf_release(&b);
}

static void test_build_delete(void)
{
	struct bfs_buf b = BFS_BUF_INIT(4096);
	const char *keys[] = {
		"plain/key.txt",
		"a&b<c>\"d'e\tf\ng\rh",
		"caf\xC3\xA9 \xF0\x9F\x98\x80\x7F",
	};
	const char *bad[] = { "ok", "ctl\x01" };
	const char *bad_utf8[] = { "\xC3" };
	const char *overlong[] = { "\xC0\xAF" };
	const char *surrogate[] = { "\xED\xA0\x80" };
	const char *nonchar[] = { "\xEF\xBF\xBE" };
	const char *empty[] = { "" };

	CHECK_INT(bfs_xml_build_delete(&b, keys, 3), 0);
	CHECK_STR(bfs_buf_str(&b),
		  "<Delete><Quiet>true</Quiet>"
		  "<Object><Key>plain/key.txt</Key></Object>"
		  "<Object><Key>a&amp;b&lt;c&gt;&quot;d&apos;e&#9;f&#10;g&#13;h</Key></Object>"
		  "<Object><Key>caf\xC3\xA9 \xF0\x9F\x98\x80\x7F</Key></Object>"
		  "</Delete>");

	bfs_buf_reset(&b);
	CHECK_INT(bfs_xml_build_delete(&b, bad, 2), -EINVAL);
	CHECK_INT(bfs_xml_build_delete(&b, bad_utf8, 1), -EINVAL);
	CHECK_INT(bfs_xml_build_delete(&b, overlong, 1), -EINVAL);
	CHECK_INT(bfs_xml_build_delete(&b, surrogate, 1), -EINVAL);
	CHECK_INT(bfs_xml_build_delete(&b, nonchar, 1), -EINVAL);
	CHECK_INT(bfs_xml_build_delete(&b, empty, 1), -EINVAL);
	CHECK_INT(bfs_xml_build_delete(&b, keys, 0), -EINVAL);
	CHECK_INT(b.len, 0);
	CHECK_STR(bfs_buf_str(&b), "");
	b.max = 50;
	CHECK_INT(bfs_xml_build_delete(&b, keys, 3), -EMSGSIZE);
	CHECK_INT(b.len, 0);
	bfs_buf_release(&b);
}

/* What the builders write, the parsers read back (the escaping round-trips). */
static void test_round_trip(void)
{
	struct bfs_buf b = BFS_BUF_INIT(4096), doc = BFS_BUF_INIT(8192);
	const char *keys[] = { "a&b<c>\"d'e\tf\ng\rh]]>" };
	const char *body;
	size_t blen = 0;
	struct bfs_listing l;
	int rc;

	CHECK_INT(bfs_xml_build_delete(&b, keys, 1), 0);
	body = strstr(bfs_buf_str(&b), "<Key>");
	if (body)
		blen = (size_t)(strstr(body, "</Key>") - body) + 6;
	rc = bfs_buf_addf(&doc,
			  "<ListBucketResult><Contents>%.*s<Size>1</Size></Contents>"
			  "</ListBucketResult>",
			  (int)blen, body ? body : "");
	CHECK_INT(rc, 0);
	CHECK_INT(bfs_xml_parse_list(doc.data, doc.len, 0, &l), 0);
	CHECK_STR(l.nobjects ? l.objects[0].key : NULL, keys[0]);
	bfs_listing_release(&l);
	bfs_buf_release(&b);
	bfs_buf_release(&doc);
}

/* Listing documents that must all be refused. */
static const char *const bad_lists[] = {
	/* truncated document */
	"<ListBucketResult><Contents><Key>a</Key><Size>1</Size></Contents>",
	"<ListBucketResult><Contents><Key>a</Ke",
	"",
	"not xml at all",
	/* wrong root, or two of them, or junk after */
	"<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>",
	"<Error><Code>NoSuchBucket</Code></Error>",
	"<ListBucketResult></ListBucketResult><ListBucketResult></ListBucketResult>",
	"<ListBucketResult></ListBucketResult>junk",
	"<ns:ListBucketResult xmlns:ns=\"x\"></ns:ListBucketResult>",
	/* bad numbers */
	"<ListBucketResult><Contents><Key>a</Key><Size>12a</Size></Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Size></Size></Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Size> 1</Size></Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Size>+1</Size></Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Size>18446744073709551616</Size>"
	"</Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Size>9223372036854775808</Size>"
	"</Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Size>1</Size><Size>1</Size>"
	"</Contents></ListBucketResult>",
	"<ListBucketResult><KeyCount>x</KeyCount></ListBucketResult>",
	"<ListBucketResult><IsTruncated>yes</IsTruncated></ListBucketResult>",
	/* bad dates */
	"<ListBucketResult><Contents><Key>a</Key><Size>1</Size>"
	"<LastModified>2009-10-12 17:50:30Z</LastModified></Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Size>1</Size>"
	"<LastModified>2009-02-29T17:50:30Z</LastModified></Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Size>1</Size>"
	"<LastModified>2009-10-12T17:50:30.Z</LastModified></Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Size>1</Size>"
	"<LastModified>2009-10-12T17:50:30.000</LastModified></Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Size>1</Size>"
	"<LastModified>2009-10-12T24:00:00Z</LastModified></Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Size>1</Size>"
	"<LastModified>2009-1x-12T17:50:30Z</LastModified></Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Size>1</Size>"
	"<LastModified>2009-10-12T17:50:30Z+</LastModified></Contents></ListBucketResult>",
	/* structure */
	"<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Key>b</Key><Size>1</Size>"
	"</Contents></ListBucketResult>",
	"<ListBucketResult><CommonPrefixes></CommonPrefixes></ListBucketResult>",
	"<ListBucketResult><CommonPrefixes><Prefix></Prefix></CommonPrefixes></ListBucketResult>",
	"<ListBucketResult><NextContinuationToken>a</NextContinuationToken>"
	"<NextContinuationToken>b</NextContinuationToken></ListBucketResult>",
	"<ListBucketResult><EncodingType>base64</EncodingType></ListBucketResult>",
	"<ListBucketResult><Prefix>%zz</Prefix><EncodingType>url</EncodingType>"
	"</ListBucketResult>",
	"<ListBucketResult><Contents><Key>a</Key><Size>1</Size>"
	"<ETag>\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"</ETag>"
	"</Contents></ListBucketResult>",
	/* DTDs, entity declarations, billion laughs, external entities */
	"<!DOCTYPE ListBucketResult><ListBucketResult></ListBucketResult>",
	"<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	"<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d "
	"\"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
	"<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f "
	"\"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
	"<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\"><!ENTITY h "
	"\"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">]>"
	"<ListBucketResult><Contents><Key>&h;</Key><Size>1</Size></Contents></ListBucketResult>",
	"<!DOCTYPE ListBucketResult [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	"<ListBucketResult><Contents><Key>&x;</Key><Size>1</Size></Contents></ListBucketResult>",
	"<?xml version=\"1.0\"?><!DOCTYPE ListBucketResult SYSTEM \"http://127.0.0.1/x.dtd\">"
	"<ListBucketResult></ListBucketResult>",
	"<?xml version=\"1.0\" encoding=\"x-unknown\"?><ListBucketResult></ListBucketResult>",
};

static void test_list_malformed(void)
{
	static const char nul[] = "<ListBucketResult><Contents><Key>a\0b</Key><Size>1</Size>"
				  "</Contents></ListBucketResult>";
	struct bfs_listing l;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad_lists) / sizeof(bad_lists[0]); i++) {
		memset(&l, 0x5a, sizeof(l));
		rc = parse_list_str(bad_lists[i], 0, &l);
		if (rc != BFS_E_PROTO)
			fprintf(stderr, "bad list %zu: %s\n", i, bad_lists[i]);
		CHECK_INT(rc, BFS_E_PROTO);
		CHECK(l.objects == NULL && l.nobjects == 0 && l.prefixes == NULL &&
		      l.nprefixes == 0 && l.next_token == NULL && l.truncated == 0);
	}
	CHECK_INT(bfs_xml_parse_list(nul, sizeof(nul) - 1, 0, &l), BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_list(NULL, 0, 0, &l), BFS_E_PROTO);
}

/* n levels of <a> inside one <Contents>, total depth n + 2. */
static int list_nested(int n)
{
	struct bfs_buf doc = BFS_BUF_INIT(1 << 16);
	struct bfs_listing l;
	int i, rc;

	rc = bfs_buf_adds(&doc, "<ListBucketResult><Contents><Key>k</Key><Size>1</Size>");
	for (i = 0; i < n && !rc; i++)
		rc = bfs_buf_adds(&doc, "<a>");
	for (i = 0; i < n && !rc; i++)
		rc = bfs_buf_adds(&doc, "</a>");
	if (!rc)
		rc = bfs_buf_adds(&doc, "</Contents></ListBucketResult>");
	if (!rc)
		rc = bfs_xml_parse_list(doc.data, doc.len, 0, &l);
	if (!rc)
		bfs_listing_release(&l);
	bfs_buf_release(&doc);
	return rc;
}

/* A listing with n entries, alternating objects and common prefixes. */
static int list_entries(size_t n, size_t *got)
{
	struct bfs_buf doc = BFS_BUF_INIT(1 << 22);
	struct bfs_listing l;
	size_t i;
	int rc;

	rc = bfs_buf_adds(&doc, "<ListBucketResult>");
	for (i = 0; i < n && !rc; i++) {
		if (i % 2)
			rc = bfs_buf_addf(&doc,
					  "<CommonPrefixes><Prefix>p%zu/</Prefix>"
					  "</CommonPrefixes>",
					  i);
		else
			rc = bfs_buf_addf(&doc,
					  "<Contents><Key>k%zu</Key><Size>%zu</Size>"
					  "</Contents>",
					  i, i);
	}
	if (!rc)
		rc = bfs_buf_adds(&doc, "</ListBucketResult>");
	if (!rc)
		rc = bfs_xml_parse_list(doc.data, doc.len, 0, &l);
	*got = rc ? 0 : l.nobjects + l.nprefixes;
	if (!rc)
		bfs_listing_release(&l);
	bfs_buf_release(&doc);
	return rc;
}

static void test_list_limits(void)
{
	struct bfs_buf doc = BFS_BUF_INIT(1 << 20);
	struct bfs_listing l;
	size_t got, i;
	int rc;

	CHECK_INT(list_nested(14), 0);		 /* 16 levels */
	CHECK_INT(list_nested(15), BFS_E_PROTO); /* 17 */
	CHECK_INT(list_nested(5000), BFS_E_PROTO);
	CHECK_INT(list_entries(BFS_XML_MAX_ENTRIES, &got), 0);
	CHECK_INT(got, BFS_XML_MAX_ENTRIES);
	CHECK_INT(list_entries(BFS_XML_MAX_ENTRIES + 1, &got), BFS_E_PROTO);

	/* huge text where nobody reads it is skipped, not stored */
	rc = bfs_buf_adds(&doc, "<ListBucketResult><Contents><Key>k</Key><Size>1</Size>"
				"<Owner><DisplayName>");
	for (i = 0; i < 100000 && !rc; i++)
		rc = bfs_buf_adds(&doc, "x&amp;");
	if (!rc)
		rc = bfs_buf_adds(&doc, "</DisplayName></Owner></Contents></ListBucketResult>");
	CHECK_INT(rc, 0);
	CHECK_INT(bfs_xml_parse_list(doc.data, doc.len, 0, &l), 0);
	bfs_listing_release(&l);

	/* ... but is refused in a field that is read */
	bfs_buf_reset(&doc);
	rc = bfs_buf_adds(&doc, "<ListBucketResult><NextContinuationToken>");
	for (i = 0; i < 4097 && !rc; i++)
		rc = bfs_buf_adds(&doc, "t");
	if (!rc)
		rc = bfs_buf_adds(&doc, "</NextContinuationToken></ListBucketResult>");
	CHECK_INT(rc, 0);
	CHECK_INT(bfs_xml_parse_list(doc.data, doc.len, 0, &l), BFS_E_PROTO);
	bfs_buf_release(&doc);
}

/* The other parsers refuse DTDs and broken documents the same way. */
static void test_other_malformed(void)
{
	static const char laughs[] =
	    "<!DOCTYPE Error [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>"
	    "<Error><Code>&b;</Code></Error>";
	static const char trunc_parts[] = "<ListPartsResult><Part><PartNumber>1</PartNumber>";
	struct bfs_xml_error e;
	struct bfs_store_parts p;
	char etag[BFS_ETAG_MAX];
	char *id = NULL;
	size_t nd, ne;

	CHECK_INT(bfs_xml_parse_error(laughs, strlen(laughs), &e), BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_result_etag(laughs, strlen(laughs), etag, &e), BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_initiate(laughs, strlen(laughs), &id), BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_parts(laughs, strlen(laughs), &p), BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_delete(laughs, strlen(laughs), &nd, &ne, NULL, &e), BFS_E_PROTO);
	CHECK_INT(bfs_xml_parse_parts(trunc_parts, strlen(trunc_parts), &p), BFS_E_PROTO);
	CHECK(p.parts == NULL);
}

/*
 * A radosgw listing (encoding-type=url) of a directory holding odd keys,
 * with the echo of the request's prefix blanked as store_obj.c does: every
 * key comes out decoded and in the server's order (the filesystem looks
 * for a file of a directory's name among the objects by bisection).
 */
static void test_list_odd_keys(void)
{
	static const char xml[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult "
	    "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><EncodingType>url</EncodingType>"
	    "<Name>b</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter>"
	    "<IsTruncated>false</IsTruncated>"
	    "<Contents><Key>.</Key><Size>4</Size></Contents>"
	    "<Contents><Key>..</Key><Size>7</Size></Contents>"
	    "<Contents><Key>both</Key><Size>14</Size></Contents>"
	    "<Contents><Key>both.txt</Key><Size>18</Size></Contents>"
	    "<Contents><Key>ctl%01char</Key><Size>4</Size></Contents>"
	    "<Contents><Key>new%0Aline</Key><Size>8</Size></Contents>"
	    "<CommonPrefixes><Prefix>%2F</Prefix></CommonPrefixes>"
	    "<CommonPrefixes><Prefix>a%2F</Prefix></CommonPrefixes>"
	    "<CommonPrefixes><Prefix>both.txt%2F</Prefix></CommonPrefixes>"
	    "<CommonPrefixes><Prefix>both%2F</Prefix></CommonPrefixes>"
	    "<CommonPrefixes><Prefix>trail%2F</Prefix></CommonPrefixes>"
	    "<KeyCount>11</KeyCount></ListBucketResult>";
	static const char *const objects[] = { ".",	   "..",	  "both",
					       "both.txt", "ctl\001char", "new\nline" };
	static const char *const prefixes[] = { "/", "a/", "both.txt/", "both/", "trail/" };
	struct bfs_listing l;
	size_t i;

	CHECK_INT(parse_list_str(xml, 1, &l), 0);
	CHECK_INT(l.nobjects, 6);
	CHECK_INT(l.nprefixes, 5);
	for (i = 0; i < l.nobjects && i < 6; i++)
		CHECK_STR(l.objects[i].key, objects[i]);
	for (i = 0; i < l.nprefixes && i < 5; i++)
		CHECK_STR(l.prefixes[i], prefixes[i]);
	CHECK_INT(l.objects[2].size, 14);
	bfs_listing_release(&l);
}

int main(void)
{
	test_list_v2();
	test_list_keys();
	test_list_key_length();
	test_list_fields();
	test_list_v1();
	test_list_odd_keys();
	test_error();
	test_result_etag();
	test_initiate();
	test_parts();
	test_delete();
	test_build_complete();
	test_build_delete();
	test_round_trip();
	test_list_malformed();
	test_list_limits();
	test_other_malformed();
	return check_done("xml");
}
