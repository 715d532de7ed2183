/* SPDX-License-Identifier: MIT */
/*
 * fuzz_http_headers.c - libFuzzer target for reading response headers:
 * bfs_http_resp_header(), bfs_http_resp_foreach() and bfs_http_parse_date()
 * of http.c, and the store's reader of a HEAD/GET answer built on them
 * (store_info_from_resp() in store_obj.c: size, Last-Modified, ETag,
 * Content-Type, Cache-Control, x-amz-meta-* / x-oss-meta-*).
 *
 * The first byte holds flags (bit 0: OSS's header prefix "x-oss-" instead
 * of "x-amz-"; bits 1-3: the size of the output buffer handed to
 * bfs_http_resp_header); the rest becomes the raw header lines of the
 * answer, exactly as libcurl's header callback appends them to
 * resp.headers (CRLF-terminated lines, any byte possible, NUL included).
 * Checked besides memory safety: every name and value handed out is
 * NUL-terminated and within its bounds, values are trimmed, a lookup finds
 * the first header of that name that the iteration sees, and the return
 * value of a lookup is the value's length.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "bucketfs/http.h"
#include "fuzz.h"
#include "store/store_int.h"

/* The names the store and the credential fetchers look up. */
static const char *const names[] = {
	"Content-Length",
	"Content-Range",
	"Last-Modified",
	"ETag",
	"Content-Type",
	"Cache-Control",
	"Date",
	"x-amz-bucket-region",
	"x-amz-request-id",
	"x-oss-request-id",
	"x-amz-meta-mtime",
	"",
};

static const size_t outsizes[] = { 0, 1, 2, 16, 64, 256, 8192, 9000 };

struct walk {
	const struct bfs_http_resp *r;
	const char *prefix;
	size_t outsz;
	char seen[32][256]; /* names met so far (the first few) */
	int nseen;
	int calls;
	int stop_after;
};

/* 1 when a header of this name was met before, 0 when not (it is recorded),
 * -1 when the table is full (then nothing can be said). */
static int seen_before(struct walk *w, const char *name)
{
	int i;

	for (i = 0; i < w->nseen; i++)
		if (!strcasecmp(w->seen[i], name))
			return 1;
	if (w->nseen == 32)
		return -1;
	snprintf(w->seen[w->nseen++], sizeof(w->seen[0]), "%s", name);
	return 0;
}

static int on_header(void *arg, const char *name, const char *value)
{
	struct walk *w = arg;
	size_t nl = strlen(name), vl = strlen(value);

	w->calls++;
	FUZZ_CHECK(nl < 256 && vl < 8192);
	FUZZ_CHECK(nl >= strlen(w->prefix) && !strncasecmp(name, w->prefix, strlen(w->prefix)));
	FUZZ_CHECK(!memchr(name, ':', nl) && !memchr(name, '\n', nl));
	FUZZ_CHECK(!memchr(value, '\n', vl));
	if (vl)
		FUZZ_CHECK(value[0] != ' ' && value[0] != '\t');
	if (vl && vl < 8191) /* trimmed, then cut to 8191 bytes */
		FUZZ_CHECK(value[vl - 1] != ' ' && value[vl - 1] != '\t' && value[vl - 1] != '\r');
	/* A lookup by this name finds this header when it is the first of its
	 * name (only names shorter than 256 bytes are ever listed). */
	if (seen_before(w, name) == 0) {
		char *out = w->outsz ? malloc(w->outsz) : NULL; /* exact: ASan sees overflows */
		int len = bfs_http_resp_header(w->r, name, out, w->outsz);

		FUZZ_CHECK(len == (int)vl);
		if (out) {
			FUZZ_CHECK(fuzz_terminated(out, w->outsz));
			FUZZ_CHECK(!strncmp(out, value, w->outsz - 1));
		}
		free(out);
	}
	return w->stop_after && w->calls >= w->stop_after ? 42 : 0;
}

static void walk(const struct bfs_http_resp *r, const char *prefix, size_t outsz, int stop_after)
{
	struct walk w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.r = r;
	w.prefix = prefix;
	w.outsz = outsz;
	w.stop_after = stop_after;
	rc = bfs_http_resp_foreach(r, prefix, on_header, &w);
	FUZZ_CHECK(rc == 0 || (rc == 42 && w.calls == stop_after));
}

static void lookups(const struct bfs_http_resp *r, size_t outsz)
{
	char value[8192];
	size_t i;
	int len;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *out = outsz ? malloc(outsz) : NULL;

		len = bfs_http_resp_header(r, names[i], out, outsz);
		FUZZ_CHECK(len == -ENOENT || (len >= 0 && len < 8192));
		if (out && len >= 0) {
			FUZZ_CHECK(fuzz_terminated(out, outsz));
			FUZZ_CHECK(strlen(out) == ((size_t)len < outsz ? (size_t)len : outsz - 1));
		}
		free(out);
		/* dates as the store reads Last-Modified */
		if (bfs_http_resp_header(r, names[i], value, sizeof(value)) >= 0)
			(void)bfs_http_parse_date(value);
	}
}

/* The store's reader of a HEAD/GET answer. */
static void store_info(const struct bfs_http_resp *r, int oss)
{
	struct bfs_store st;
	struct bfs_obj_info info;
	int i;

	memset(&st, 0, sizeof(st));
	st.hp = oss ? "x-oss-" : "x-amz-";
	memset(&info, 'x', sizeof(info));
	store_info_from_resp(&st, r, &info);
	FUZZ_CHECK(fuzz_terminated(info.etag, sizeof(info.etag)));
	FUZZ_CHECK(fuzz_terminated(info.content_type, sizeof(info.content_type)));
	FUZZ_CHECK(fuzz_terminated(info.cache_control, sizeof(info.cache_control)));
	FUZZ_CHECK(info.nmeta >= 0 && info.nmeta <= BFS_MAX_META);
	for (i = 0; i < info.nmeta; i++) {
		const char *n = info.meta[i].name;

		FUZZ_CHECK(fuzz_terminated(n, sizeof(info.meta[i].name)));
		FUZZ_CHECK(fuzz_terminated(info.meta[i].value, sizeof(info.meta[i].value)));
		for (; *n; n++)
			FUZZ_CHECK(!isupper((unsigned char)*n));
		/* what the filesystem asks for */
		(void)bfs_obj_info_meta(&info, info.meta[i].name);
	}
	(void)bfs_obj_info_meta(&info, "mtime");
	(void)bfs_etag_is_md5(info.etag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t flags = fuzz_byte(&in);
	size_t outsz = outsizes[(flags >> 1) & 7];
	struct bfs_http_resp r;
	char *s;

	bfs_http_resp_init(&r);
	if (bfs_buf_add(&r.headers, in.p, in.n)) {
		bfs_http_resp_release(&r);
		return 0; /* over the 64 KiB cap: http.c fails the request */
	}
	r.status = 200;
	lookups(&r, outsz);
	walk(&r, "", outsz, 0);
	walk(&r, "x-amz-meta-", outsz, 0);
	walk(&r, "X-OSS-META-", outsz, 0);
	walk(&r, "", outsz, 3);
	store_info(&r, flags & 1);
	bfs_http_resp_release(&r);

	/* the whole input as a date */
	s = fuzz_str(in.p, in.n);
	(void)bfs_http_parse_date(s);
	free(s);
	return 0;
}
