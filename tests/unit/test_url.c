/* SPDX-License-Identifier: MIT */
/*
 * test_url.c - an endpoint URL read by libcurl's URL API (bfs_url_parse),
 * and what the store accepts as its endpoint: scheme and host with an
 * optional port, nothing else, each refusal naming the reason.
 */
#include <errno.h>
#include <string.h>

#include "bucketfs/creds.h"
#include "bucketfs/error.h"
#include "bucketfs/http.h"
#include "bucketfs/store.h"
#include "check.h"

static void test_parts(void)
{
	struct bfs_url u;
	char why[128];

	CHECK_INT(bfs_url_parse("HTTP://Example.com:9000/", &u, why, sizeof(why)), 0);
	CHECK_STR(u.scheme, "http");
	CHECK_STR(u.host, "Example.com");
	CHECK_STR(u.port, "9000");
	CHECK_STR(u.path, "/");
	CHECK(u.query == NULL && u.fragment == NULL && u.user == NULL);
	bfs_url_release(&u);
	CHECK_INT(bfs_url_parse("https://[::1]:7480", &u, NULL, 0), 0);
	CHECK_STR(u.host, "[::1]");
	CHECK_STR(u.port, "7480");
	bfs_url_release(&u);
	CHECK_INT(bfs_url_parse("https://k:s@h/p/q?x=1#f", &u, NULL, 0), 0);
	CHECK_STR(u.user, "k");
	CHECK_STR(u.path, "/p/q");
	CHECK_STR(u.query, "x=1");
	CHECK_STR(u.fragment, "f");
	bfs_url_release(&u);
	CHECK_INT(bfs_url_parse("http://h:99999", &u, why, sizeof(why)), -ERANGE);
	CHECK(why[0] != '\0');
	CHECK_INT(bfs_url_parse("s3.amazonaws.com", &u, why, sizeof(why)), -EINVAL);
	CHECK_INT(bfs_url_parse("http://", &u, why, sizeof(why)), -EINVAL);
	CHECK_INT(bfs_url_parse("http://a b/", &u, why, sizeof(why)), -EINVAL);
}

/* The store opened on endpoint: 0 and its endpoint as shown, or the error
 * with msg holding the reason. */
static int open_on(const char *endpoint, char *shown, size_t shownsz, char *msg, size_t msgsz)
{
	struct bfs_store_cfg cfg;
	struct bfs_store *st;
	struct bfs_creds *creds = bfs_creds_new(); /* (none: nothing is sent) */
	int rc;

	if (!creds)
		return -ENOMEM;
	bfs_store_cfg_defaults(&cfg);
	cfg.creds = creds;
	cfg.endpoint = endpoint;
	cfg.bucket = "b";
	cfg.path_style = 1;
	msg[0] = '\0';
	rc = bfs_store_open(&cfg, &st, msg, msgsz);
	if (!rc) {
		snprintf(shown, shownsz, "%s", bfs_store_endpoint(st));
		bfs_store_close(st);
	}
	bfs_creds_free(creds);
	return rc;
}

static void test_endpoints(void)
{
	static const struct {
		const char *url, *shown;
	} ok[] = {
		{ "http://127.0.0.1:7480", "http://127.0.0.1:7480" },
		{ "http://127.0.0.1:7480/", "http://127.0.0.1:7480" },
		{ "https://s3.ap-southeast-1.amazonaws.com",
		  "https://s3.ap-southeast-1.amazonaws.com" },
		{ "https://oss-cn-hangzhou.aliyuncs.com", "https://oss-cn-hangzhou.aliyuncs.com" },
		{ "http://[::1]:9000", "http://[::1]:9000" },
		{ "HTTPS://minio.local", "https://minio.local" },
	};
	static const struct {
		const char *url, *why;
	} bad[] = {
		{ "127.0.0.1:7480", "must start with http:// or https://" },
		{ "ftp://h/", "must start with http:// or https://" },
		{ "http://127.0.0.1:7480/bucket", "must not have a path" },
		{ "http://h/?x", "must not have a path" },
		{ "http://h/#f", "must not have a path" },
		{ "http://127.0.0.1:99999", "invalid port" },
		{ "http://h:0x50", "not a valid URL" },
		{ "http://key:secret@h", "has user info" },
		{ "http://", "not a valid URL" },
		{ "http://h~x/", "invalid character in the host" },
		{ "http://h!x/", "not a valid URL" },
	};
	char shown[256], msg[512];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK_INT(open_on(ok[i].url, shown, sizeof(shown), msg, sizeof(msg)), 0);
		CHECK_STR(shown, ok[i].shown);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(open_on(bad[i].url, shown, sizeof(shown), msg, sizeof(msg)),
			  BFS_E_CONFIG);
		if (!strstr(msg, bad[i].why))
			fprintf(stderr, "%s: got '%s', want '%s'\n", bad[i].url, msg, bad[i].why);
		CHECK(strstr(msg, bad[i].why) != NULL);
	}
}

int main(void)
{
	test_parts();
	test_endpoints();
	return check_done("test_url");
}
