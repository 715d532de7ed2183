/* SPDX-License-Identifier: MIT */
/*
 * test_creds_fetch.c - credentials from JSON (metadata services, credential
 * processes), ISO 8601 expiry times, credential processes that fail, hang
 * or babble, and renewal before expiry and after a refusal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/creds.h"
#include "bucketfs/error.h"
#include "check.h"

static char dir[] = "/tmp/bfs-credsf-XXXXXX";

static void iso(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void test_time(void)
{
	CHECK(bfs_creds_parse_time("1970-01-01T00:00:00Z") == 0);
	CHECK(bfs_creds_parse_time("2026-11-28T17:00:00Z") == 1795885200LL);
	CHECK(bfs_creds_parse_time("2026-11-28T17:00:00.123Z") == 1795885200LL);
	CHECK(bfs_creds_parse_time("2026-11-29T01:00:00+08:00") == 1795885200LL);
	CHECK(bfs_creds_parse_time("2026-11-28T12:30:00-04:30") == 1795885200LL);
	CHECK(bfs_creds_parse_time("2026-11-28 17:00:00Z") == -1);
	CHECK(bfs_creds_parse_time("2026-11-28T17:00:00") == -1);
	CHECK(bfs_creds_parse_time("2026-11-28T17:00:00Zjunk") == -1);
	CHECK(bfs_creds_parse_time("2026-11-28T17:00:00+8:00") == -1);
	CHECK(bfs_creds_parse_time("tomorrow") == -1);
	CHECK(bfs_creds_parse_time("") == -1);
	CHECK(bfs_creds_parse_time(NULL) == -1);
}

struct json_case {
	const char *json; /* "%s" is replaced by an Expiration an hour ahead */
	int rc;
	const char *ak, *sk, *tok; /* expected on success */
	int expires;		   /* 1: an expiry is set */
	const char *msg_has;	   /* on failure */
};

static const struct json_case jcases[] = {
	/* AWS IMDS / container */
	{ "{\"Code\":\"Success\",\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"ASIA1\","
	  "\"SecretAccessKey\":\"s/1+\",\"Token\":\"tok1\",\"Expiration\":\"%s\"}",
	  0, "ASIA1", "s/1+", "tok1", 1, NULL },
	/* Aliyun ECS metadata */
	{ "{\"AccessKeyId\":\"STS.A\",\"AccessKeySecret\":\"sec\",\"SecurityToken\":\"ststok\","
	  "\"Expiration\":\"%s\",\"LastUpdated\":\"2026-11-28T10:00:00Z\",\"Code\":\"Success\"}",
	  0, "STS.A", "sec", "ststok", 1, NULL },
	/* AWS credential_process */
	{ "{\"Version\":1,\"AccessKeyId\":\"AK\",\"SecretAccessKey\":\"SK\","
	  "\"SessionToken\":\"T\",\"Expiration\":\"%s\"}",
	  0, "AK", "SK", "T", 1, NULL },
	/* no expiry, no token: long-lived keys */
	{ "{\"Version\":1,\"AccessKeyId\":\"AK\",\"SecretAccessKey\":\"SK\"}", 0, "AK", "SK", "", 0,
	  NULL },
	/* Aliyun CLI external mode */
	{ "{\"mode\":\"StsToken\",\"access_key_id\":\"a\",\"access_key_secret\":\"b\","
	  "\"sts_token\":\"c\"}",
	  0, "a", "b", "c", 0, NULL },
	{ "{\"Code\":\"Failure\",\"Message\":\"role detached\"}", BFS_E_CONFIG, NULL, NULL, NULL, 0,
	  "Code Failure: role detached" },
	{ "{\"Version\":2,\"AccessKeyId\":\"AK\",\"SecretAccessKey\":\"SK\"}", BFS_E_CONFIG, NULL,
	  NULL, NULL, 0, "Version 2" },
	{ "{\"SecretAccessKey\":\"SK\"}", BFS_E_CONFIG, NULL, NULL, NULL, 0, "no AccessKeyId" },
	{ "{\"AccessKeyId\":\"AK\"}", BFS_E_CONFIG, NULL, NULL, NULL, 0, "no SecretAccessKey" },
	{ "{\"AccessKeyId\":\"\",\"SecretAccessKey\":\"SK\"}", BFS_E_CONFIG, NULL, NULL, NULL, 0,
	  "AccessKeyId is empty" },
	{ "{\"AccessKeyId\":7,\"SecretAccessKey\":\"SK\"}", BFS_E_CONFIG, NULL, NULL, NULL, 0,
	  "no AccessKeyId" },
	{ "{\"AccessKeyId\":\"AK\",\"SecretAccessKey\":\"SK\",\"Expiration\":\"soon\"}",
	  BFS_E_CONFIG, NULL, NULL, NULL, 0, "cannot read Expiration" },
	{ "{\"AccessKeyId\":\"AK\",\"SecretAccessKey\":\"SK\","
	  "\"Expiration\":\"2001-01-01T00:00:00Z\"}",
	  BFS_E_CONFIG, NULL, NULL, NULL, 0, "expired at 2001-01-01T00:00:00Z" },
	{ "{\"AccessKeyId\":\"AK\",\"AccessKeyId\":\"AK2\",\"SecretAccessKey\":\"SK\"}",
	  BFS_E_CONFIG, NULL, NULL, NULL, 0, "not valid JSON" },
	{ "<html>metadata</html>", BFS_E_CONFIG, NULL, NULL, NULL, 0, "not valid JSON (line 1" },
	{ "[\"AccessKeyId\"]", BFS_E_CONFIG, NULL, NULL, NULL, 0, "not an object" },
	{ "", BFS_E_CONFIG, NULL, NULL, NULL, 0, "not valid JSON" },
	{ "{\"AccessKeyId\":\"AK\",\"SecretAccessKey\":\"SK\",\"Token\":\"%T\"}", BFS_E_CONFIG,
	  NULL, NULL, NULL, 0, "Token is empty or too long" },
};

/* Expand %s (an expiry an hour ahead) and %T (a 5000-byte token). */
static void expand(const char *tmpl, char *out, size_t outsz)
{
	char exp[32], big[5001];
	const char *p;
	size_t n = 0;

	iso((long long)time(NULL) + 3600, exp);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (p = tmpl; *p && n + 1 < outsz; p++) {
		if (p[0] == '%' && (p[1] == 's' || p[1] == 'T')) {
			n += (size_t)snprintf(out + n, outsz - n, "%s", p[1] == 's' ? exp : big);
			p++;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

static void test_json(void)
{
	size_t i;

	for (i = 0; i < sizeof(jcases) / sizeof(jcases[0]); i++) {
		const struct json_case *jc = &jcases[i];
		struct bfs_creds *c = bfs_creds_new();
		char json[8192], msg[512] = "";
		int rc;

		expand(jc->json, json, sizeof(json));
		rc = bfs_creds_from_json(c, json, strlen(json), "test source", msg, sizeof(msg));
		CHECK_INT(rc, jc->rc);
		if (rc == 0 && jc->rc == 0) {
			CHECK_STR(c->access_key, jc->ak);
			CHECK_STR(c->secret_key, jc->sk);
			CHECK_STR(c->session_token, jc->tok);
			CHECK_STR(c->source, "test source");
			CHECK(jc->expires ? c->expires > time(NULL) + 3500 : c->expires == 0);
		} else if (jc->rc) {
			if (!strstr(msg, jc->msg_has))
				fprintf(stderr, "case %zu: message '%s' lacks '%s'\n", i, msg,
					jc->msg_has);
			CHECK(strstr(msg, jc->msg_has) != NULL);
			CHECK(strstr(msg, "test source") != NULL);
			CHECK_STR(c->access_key, ""); /* nothing half-filled */
		}
		bfs_creds_free(c);
	}
}

/* A credential_process script in dir; body is shell. */
static const char *script(const char *name, const char *body)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0700);
	return path;
}

static void test_process(void)
{
	struct bfs_creds *c = bfs_creds_new();
	char msg[512], cmd[700];
	struct timespec t0, t1;
	int rc;

	rc = bfs_creds_from_process(c,
				    script("ok", "echo '{\"Version\": 1, \"AccessKeyId\": "
						 "\"PAK\", \"SecretAccessKey\": \"PSK\"}'"),
				    msg, sizeof(msg));
	CHECK_INT(rc, 0);
	CHECK_STR(c->access_key, "PAK");
	CHECK(strstr(c->source, "credential_process") != NULL);

	/* arguments and the shell work: the command is a command line */
	snprintf(cmd, sizeof(cmd), "%s/args.sh ARGAK 'S K'", dir);
	script("args.sh",
	       "printf '{\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"%s\"}' \"$1\" \"$2\"");
	rc = bfs_creds_from_process(c, cmd, msg, sizeof(msg));
	CHECK_INT(rc, 0);
	CHECK_STR(c->access_key, "ARGAK");
	CHECK_STR(c->secret_key, "S K");

	rc = bfs_creds_from_process(c, script("fail", "echo nope >&2; exit 3"), msg, sizeof(msg));
	CHECK_INT(rc, BFS_E_CONFIG);
	CHECK(strstr(msg, "exited with status 3") != NULL);

	rc = bfs_creds_from_process(c, script("garbage", "echo 'AK=1 SK=2'"), msg, sizeof(msg));
	CHECK_INT(rc, BFS_E_CONFIG);
	CHECK(strstr(msg, "not valid JSON") != NULL);

	rc = bfs_creds_from_process(c, "/nonexistent/helper", msg, sizeof(msg));
	CHECK_INT(rc, BFS_E_CONFIG);
	CHECK(strstr(msg, "exited with status 127") != NULL);

	/* endless output: cut at the cap, killed */
	rc = bfs_creds_from_process(c, "yes '{\"AccessKeyId\":\"x\"}'", msg, sizeof(msg));
	CHECK_INT(rc, BFS_E_CONFIG);
	CHECK(strstr(msg, "more than 64 KiB") != NULL);

	/* hangs with its output open, or after closing it: killed at the deadline */
	setenv("BFS_CREDS_PROCESS_TIMEOUT_MS", "400", 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = bfs_creds_from_process(c, script("hang", "sleep 30"), msg, sizeof(msg));
	CHECK_INT(rc, BFS_E_CONFIG);
	CHECK(strstr(msg, "did not finish in 400 ms") != NULL);
	rc = bfs_creds_from_process(c, script("hang2", "exec >&-; sleep 30"), msg, sizeof(msg));
	CHECK_INT(rc, BFS_E_CONFIG);
	CHECK(strstr(msg, "did not finish") != NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec < 5);
	unsetenv("BFS_CREDS_PROCESS_TIMEOUT_MS");
	bfs_creds_free(c);
}

/* The helper prints the key in dir/key with an expiry of dir/ttl seconds. */
static void set_helper(const char *key, int ttl)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/key", dir);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%s\n", key);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/ttl", dir);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%d\n", ttl);
		fclose(f);
	}
}

static void test_refresh(void)
{
	struct bfs_creds *c = bfs_creds_new();
	struct bfs_creds_opts o = { 0 };
	char body[1024], msg[512];
	unsigned g0, g1, g2;
	int rc;

	snprintf(body, sizeof(body),
		 "k=$(cat %s/key); [ \"$k\" = fail ] && exit 1; "
		 "exp=$(date -u -d \"+$(cat %s/ttl) seconds\" +%%Y-%%m-%%dT%%H:%%M:%%SZ); "
		 "printf '{\"Version\":1,\"AccessKeyId\":\"%%s\",\"SecretAccessKey\":\"S-%%s\","
		 "\"SessionToken\":\"T-%%s\",\"Expiration\":\"%%s\"}' $k $k $k $exp",
		 dir, dir);
	o.credential_process = script("rotating", body);
	set_helper("K1", 3600);
	rc = bfs_creds_load(c, &o, msg, sizeof(msg));
	CHECK_INT(rc, 0);
	CHECK_STR(c->access_key, "K1");
	CHECK_STR(c->session_token, "T-K1");
	CHECK(c->refresh != NULL);

	/* far from expiry: no renewal even when the source changed */
	set_helper("K2", 3600);
	g0 = bfs_creds_begin(c);
	CHECK_STR(c->access_key, "K1");
	bfs_creds_end(c);

	/* refused: read again at once, new generation */
	CHECK_INT(bfs_creds_rejected(c, g0, "InvalidAccessKeyId"), 0);
	g1 = bfs_creds_begin(c);
	CHECK(g1 != g0);
	CHECK_STR(c->access_key, "K2");
	CHECK_STR(c->secret_key, "S-K2");
	bfs_creds_end(c);
	/* a second thread refused with the old generation: just retry */
	CHECK_INT(bfs_creds_rejected(c, g0, "InvalidAccessKeyId"), 0);
	/* refused again at once: no new read within 2 s */
	set_helper("K3", 3600);
	CHECK_INT(bfs_creds_rejected(c, g1, "ExpiredToken"), BFS_E_DENIED);
	CHECK_STR(c->access_key, "K2");

	/* within the margin of expiry: renewed by the next user */
	sleep(2);
	set_helper("K3", BFS_CREDS_REFRESH_MARGIN + 1);
	CHECK_INT(bfs_creds_rejected(c, g1, "ExpiredToken"), 0); /* K3, near expiry */
	set_helper("K4", 3600);
	sleep(2);
	g2 = bfs_creds_begin(c);
	bfs_creds_end(c);
	/* renewals close together are spaced out by 10 s: K3 still */
	CHECK_STR(c->access_key, "K3");
	(void)g2;

	/* a source that fails: the refusal gives up, the keys stay */
	sleep(2);
	set_helper("fail", 3600);
	g2 = bfs_creds_begin(c);
	bfs_creds_end(c);
	CHECK_INT(bfs_creds_rejected(c, g2, "InvalidAccessKeyId"), BFS_E_DENIED);
	CHECK_STR(c->access_key, "K3");

	/* not a credentials problem */
	CHECK(bfs_creds_code_is_stale("InvalidAccessKeyId"));
	CHECK(bfs_creds_code_is_stale("ExpiredToken"));
	CHECK(bfs_creds_code_is_stale("SecurityTokenExpired"));
	CHECK(!bfs_creds_code_is_stale("AccessDenied"));
	CHECK(!bfs_creds_code_is_stale("NoSuchKey"));
	CHECK(!bfs_creds_code_is_stale(""));
	bfs_creds_free(c);

	/* filled by hand: never renewed, refusals give up */
	c = bfs_creds_new();
	snprintf(c->access_key, sizeof(c->access_key), "HAND");
	CHECK_INT(bfs_creds_begin(c), 0);
	bfs_creds_end(c);
	CHECK_INT(bfs_creds_rejected(c, 0, "InvalidAccessKeyId"), BFS_E_DENIED);
	bfs_creds_free(c);
}

/* The profile's credential_process is run when it has no keys. */
static void test_profile_process(void)
{
	struct bfs_creds *c = bfs_creds_new();
	char text[800], path[600], msg[512];
	int rc;

	snprintf(text, sizeof(text), "[profile p]\nregion = x\ncredential_process = %s\n",
		 script("prof", "echo '{\"Version\":1,\"AccessKeyId\":\"PRAK\","
				"\"SecretAccessKey\":\"PRSK\"}'"));
	snprintf(path, sizeof(path), "%s/config", dir);
	{
		FILE *f = fopen(path, "w");

		if (f) {
			fputs(text, f);
			fclose(f);
		}
	}
	rc = bfs_creds_from_aws_profile(c, path, "p", BFS_AWS_CONFIG_FILE, msg, sizeof(msg));
	CHECK_INT(rc, 0);
	CHECK_STR(c->access_key, "PRAK");
	CHECK(strstr(c->source, "credential_process") != NULL);
	bfs_creds_free(c);
}

int main(void)
{
	char cmd[600];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_time();
	test_json();
	test_process();
	test_refresh();
	test_profile_process();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_done("creds_fetch");
}
