/* SPDX-License-Identifier: MIT */
/*
 * http_resp.c - what an answer carries (see http.h): its headers, kept as
 * they came up to HTTP_HEADERS_MAX, read by prefix or by name, the start
 * of an error's body, and HTTP dates.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "bucketfs/http.h"

#define HTTP_HEADERS_MAX (64 * 1024)
#define HTTP_ERRBODY_MAX (64 * 1024)

void bfs_http_resp_init(struct bfs_http_resp *r)
{
	memset(r, 0, sizeof(*r));
	bfs_buf_init(&r->headers, HTTP_HEADERS_MAX);
	bfs_buf_init(&r->error_body, HTTP_ERRBODY_MAX);
}

void bfs_http_resp_release(struct bfs_http_resp *r)
{
	bfs_buf_release(&r->headers);
	bfs_buf_release(&r->error_body);
}

int bfs_http_resp_foreach(const struct bfs_http_resp *r, const char *prefix,
			  int (*fn)(void *arg, const char *name, const char *value), void *arg)
{
	const char *p = bfs_buf_str(&r->headers);
	size_t plen = strlen(prefix);
	char name[256], value[8192];

	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);
		const char *colon = memchr(p, ':', (size_t)(end - p));

		if (colon && (size_t)(colon - p) >= plen && (size_t)(colon - p) < sizeof(name) &&
		    strncasecmp(p, prefix, plen) == 0) {
			const char *v = colon + 1, *ve = end;
			size_t nl = (size_t)(colon - p), vl;
			int rc;

			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			vl = (size_t)(ve - v);
			if (vl >= sizeof(value))
				vl = sizeof(value) - 1;
			memcpy(name, p, nl);
			name[nl] = '\0';
			memcpy(value, v, vl);
			value[vl] = '\0';
			rc = fn(arg, name, value);
			if (rc)
				return rc;
		}
		p = eol ? eol + 1 : end;
	}
	return 0;
}

struct header_find {
	const char *name;
	char *out;
	size_t outsz;
	int len;
};

static int header_find_fn(void *arg, const char *name, const char *value)
{
	struct header_find *f = arg;
	size_t vl = strlen(value);

	if (strcasecmp(name, f->name) != 0)
		return 0;
	if (f->outsz) {
		size_t n = vl < f->outsz - 1 ? vl : f->outsz - 1;
		memcpy(f->out, value, n);
		f->out[n] = '\0';
	}
	f->len = (int)vl;
	return 1;
}

int bfs_http_resp_header(const struct bfs_http_resp *r, const char *name, char *out, size_t outsz)
{
	struct header_find f = { name, out, outsz, -ENOENT };

	bfs_http_resp_foreach(r, name, header_find_fn, &f);
	return f.len;
}

long long bfs_http_parse_date(const char *s)
{
	time_t t = curl_getdate(s, NULL);

	return t == (time_t)-1 ? -1 : (long long)t;
}
