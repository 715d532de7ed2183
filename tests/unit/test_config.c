/* SPDX-License-Identifier: MIT */
/* test_config.c - option parsing: our names, s3fs's names, targets, errors. */
#include <stdio.h>
#include <string.h>

#include "bucketfs/config.h"
#include "bucketfs/error.h"
#include "bucketfs/fs.h"
#include "bucketfs/store.h"
#include "check.h"

static void test_opts(void)
{
	struct bfs_config c;
	char msg[256], unknown[256] = "";

	bfs_config_init(&c);
	CHECK_INT(bfs_config_parse_opts(&c,
					"url=http://127.0.0.1:9000,use_path_request_style,"
					"passwd_file=/etc/p,retries=7,multipart_size=10,"
					"parallel_count=8,sigv4,nodnscache,allow_other,_netdev",
					unknown, sizeof(unknown), msg, sizeof(msg)),
		  0);
	CHECK_STR(c.store.endpoint, "http://127.0.0.1:9000");
	CHECK_INT(c.store.path_style, 1);
	CHECK_STR(c.creds.passwd_file, "/etc/p");
	CHECK_INT(c.store.retries, 7);
	CHECK_INT(c.store.part_size, 10ULL << 20); /* s3fs gives MB */
	CHECK_INT(c.store.parallel_parts, 8);
	CHECK_STR(unknown, ",allow_other"); /* passed on to FUSE; _netdev dropped */

	/* s3fs's endpoint= is a region; ours is a URL */
	CHECK_INT(bfs_config_parse_opts(&c, "endpoint=eu-west-1", NULL, 0, msg, sizeof(msg)), 0);
	CHECK_STR(c.store.region, "eu-west-1");
	CHECK_STR(c.store.endpoint, "http://127.0.0.1:9000");
	CHECK_INT(bfs_config_parse_opts(&c,
					"part_size=8M,multipart_threshold=1GiB,connect_timeout=2",
					NULL, 0, msg, sizeof(msg)),
		  0);
	CHECK_INT(c.store.part_size, 8ULL << 20);
	CHECK_INT(c.store.multipart_threshold, 1ULL << 30);
	CHECK_INT(c.store.connect_timeout_ms, 2000);
	/* request_timeout: 60 s by default, 0 turns it off; stall_timeout
	 * cannot be 0 */
	CHECK_INT(c.store.request_timeout_s, 60);
	CHECK_INT(bfs_config_parse_opts(&c, "request_timeout=0", NULL, 0, msg, sizeof(msg)), 0);
	CHECK_INT(c.store.request_timeout_s, 0);
	CHECK_INT(bfs_config_parse_opts(&c, "request_timeout=300", NULL, 0, msg, sizeof(msg)), 0);
	CHECK_INT(c.store.request_timeout_s, 300);
	CHECK_INT(bfs_config_parse_opts(&c, "request_timeout=-1", NULL, 0, msg, sizeof(msg)),
		  BFS_E_CONFIG);
	CHECK_INT(bfs_config_parse_opts(&c, "stall_timeout=0", NULL, 0, msg, sizeof(msg)),
		  BFS_E_CONFIG);

	CHECK_INT(bfs_config_parse_opts(&c, "retries=x", NULL, 0, msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK(strstr(msg, "retries") != NULL);
	CHECK_INT(bfs_config_parse_opts(&c, "part_size=-1", NULL, 0, msg, sizeof(msg)),
		  BFS_E_CONFIG);
	/* a blank before the minus (strtoull skips it: 2^64 - 1 bytes) */
	CHECK_INT(bfs_config_parse_opts(&c, "part_size= -1", NULL, 0, msg, sizeof(msg)),
		  BFS_E_CONFIG);
	CHECK_INT(bfs_config_parse_opts(&c, "cache_size= -5", NULL, 0, msg, sizeof(msg)),
		  BFS_E_CONFIG);
	CHECK_INT(bfs_config_parse_opts(&c, "retries=+3", NULL, 0, msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK_INT(bfs_config_parse_opts(&c, "path_style=maybe", NULL, 0, msg, sizeof(msg)),
		  BFS_E_CONFIG);
	CHECK_INT(bfs_config_parse_opts(&c, "nosuchoption", NULL, 0, msg, sizeof(msg)),
		  BFS_E_CONFIG);
	CHECK(strstr(msg, "nosuchoption") != NULL);
	CHECK_INT(bfs_config_parse_opts(&c, "signature=oss-v4", NULL, 0, msg, sizeof(msg)), 0);
	CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), 0);
	CHECK_INT(c.store.signature, BFS_SIG_OSS_V4);
	CHECK_INT(bfs_config_parse_opts(&c, "signature=v2", NULL, 0, msg, sizeof(msg)), 0);
	CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK(strstr(msg, "unknown signature 'v2'") != NULL);
	CHECK_INT(bfs_config_parse_opts(&c, "signature=v4", NULL, 0, msg, sizeof(msg)), 0);
	CHECK_INT(bfs_config_parse_opts(&c, "part_size=1M", NULL, 0, msg, sizeof(msg)), 0);
	CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK_INT(bfs_config_parse_opts(&c, "part_size=8M", NULL, 0, msg, sizeof(msg)), 0);
	/* FUSE workers: 1-256, idle ones at most that many */
	CHECK_INT(c.daemon.max_threads, 64);
	CHECK_INT(c.daemon.max_idle_threads, 16);
	CHECK_INT(bfs_config_parse_opts(&c, "max_threads=8,max_idle_threads=8", NULL, 0, msg,
					sizeof(msg)),
		  0);
	CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), 0);
	CHECK_INT(c.daemon.max_threads, 8);
	CHECK_INT(bfs_config_parse_opts(&c, "max_idle_threads=9", NULL, 0, msg, sizeof(msg)), 0);
	CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK(strstr(msg, "max_idle_threads must be 0 to max_threads (8)") != NULL);
	CHECK_INT(bfs_config_parse_opts(&c, "max_idle_threads=0,max_threads=0", NULL, 0, msg,
					sizeof(msg)),
		  0);
	CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK(strstr(msg, "max_threads must be 1 to 256") != NULL);
	CHECK_INT(bfs_config_parse_opts(&c, "max_threads=257", NULL, 0, msg, sizeof(msg)), 0);
	CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), BFS_E_CONFIG);
	bfs_config_release(&c);
}

/* A typo is caught by name, with the option meant, before any request;
 * only what FUSE implements reaches FUSE. */
static void test_unknown_opts(void)
{
	static const struct {
		const char *opts, *msg;
	} t[] = {
		{ "url=http://127.0.0.1:9,use_path_request_styl",
		  "unknown option 'use_path_request_styl' (did you mean use_path_request_style? "
		  "see --help)" },
		{ "stat_ttl=2,negative_tll=1",
		  "unknown option 'negative_tll' (did you mean negative_ttl? see --help)" },
		{ "allow_others",
		  "unknown option 'allow_others' (did you mean allow_other? see --help)" },
		{ "xyzzy", "unknown option 'xyzzy' (see --help)" },
		{ "entry_timeout=5", "unknown option 'entry_timeout' (see --help)" },
	};
	struct bfs_config c;
	char msg[256], fuse[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bfs_config_init(&c);
		fuse[0] = '\0';
		CHECK_INT(
		    bfs_config_parse_opts(&c, t[i].opts, fuse, sizeof(fuse), msg, sizeof(msg)),
		    BFS_E_CONFIG);
		CHECK_STR(msg, t[i].msg);
		bfs_config_release(&c);
	}
	bfs_config_init(&c);
	fuse[0] = '\0';
	CHECK_INT(bfs_config_parse_opts(&c, "allow_other,default_permissions,fsname=x,nofail", fuse,
					sizeof(fuse), msg, sizeof(msg)),
		  0);
	CHECK_STR(fuse, ",allow_other,fsname=x");
	/* bucketfsctl has no FUSE to give them to */
	CHECK_INT(bfs_config_parse_opts(&c, "allow_other", NULL, 0, msg, sizeof(msg)),
		  BFS_E_CONFIG);
	CHECK_STR(msg, "option 'allow_other' applies to a mount only");
	bfs_config_release(&c);
}

/* An endpoint that is an IP address is addressed path-style: the bucket
 * cannot be a subdomain of an address. */
static void test_ip_endpoint(void)
{
	static const struct {
		const char *opts;
		int path_style;
	} t[] = {
		{ "url=http://127.0.0.1:9000", 1 },
		{ "url=https://10.0.0.5", 1 },
		{ "url=http://[::1]:9000/", 1 },
		{ "url=https://oss-cn-hangzhou.aliyuncs.com", 0 },
		{ "url=http://minio.local:9000", 0 },
		{ "url=http://minio.local:9000,use_path_request_style", 1 },
		{ "region=eu-west-1", 0 },
	};
	struct bfs_config c;
	char msg[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bfs_config_init(&c);
		CHECK_INT(bfs_config_parse_opts(&c, t[i].opts, NULL, 0, msg, sizeof(msg)), 0);
		CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), 0);
		CHECK_INT(c.store.path_style, t[i].path_style);
		bfs_config_release(&c);
	}
}

static void test_defaults(void)
{
	struct bfs_config c;
	char msg[256];

	bfs_config_init(&c);
	CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), 0);
	CHECK_STR(c.store.endpoint, "https://s3.amazonaws.com");
	CHECK_STR(c.store.region, "us-east-1");
	bfs_config_release(&c);
	bfs_config_init(&c);
	CHECK_INT(bfs_config_set(&c, "region", "ap-southeast-1", msg, sizeof(msg)), 0);
	CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), 0);
	CHECK_STR(c.store.endpoint, "https://s3.ap-southeast-1.amazonaws.com");
	bfs_config_release(&c);
}

static void test_targets(void)
{
	static const struct {
		const char *in, *bucket, *prefix;
	} t[] = {
		{ "mybucket", "mybucket", "" },
		{ "mybucket:/", "mybucket", "" },
		{ "mybucket:/generated", "mybucket", "generated/" },
		{ "mybucket:/a/b/", "mybucket", "a/b/" },
		{ "mybucket:a/b", "mybucket", "a/b/" },
		{ "s3://mybucket/a/b.png", "mybucket", "a/b.png/" },
		{ "s3://mybucket", "mybucket", "" },
		{ "mybucket://lead", "mybucket", "/lead/" },
		{ "s3://mybucket//lead", "mybucket", "/lead/" },
	};
	struct bfs_config c;
	char msg[256];
	size_t i;

	bfs_config_init(&c);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK_INT(bfs_config_parse_target(&c, t[i].in, msg, sizeof(msg)), 0);
		CHECK_STR(c.bucket, t[i].bucket);
		CHECK_STR(c.prefix, t[i].prefix);
	}
	CHECK_INT(bfs_config_parse_target(&c, ":/x", msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK_INT(bfs_config_parse_target(&c, "s3:///x", msg, sizeof(msg)), BFS_E_CONFIG);
	/* a mount's prefix: no "." or ".." (every key made from it would be
	 * hidden); bucketfsctl's BUCKET:/KEY may hold any key */
	CHECK_INT(bfs_config_parse_target(&c, "b:/a/../b", msg, sizeof(msg)), 0);
	CHECK_INT(bfs_config_check_prefix(c.prefix, msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK(strstr(msg, "'..' component") != NULL);
	CHECK_INT(bfs_config_check_prefix("./x/", msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK_INT(bfs_config_check_prefix("x/../", msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK_INT(bfs_config_check_prefix("", msg, sizeof(msg)), 0);
	CHECK_INT(bfs_config_parse_target(&c, "b:/a..b/.x/", msg, sizeof(msg)), 0);
	CHECK_STR(c.prefix, "a..b/.x/");
	CHECK_INT(bfs_config_check_prefix(c.prefix, msg, sizeof(msg)), 0);
	bfs_config_release(&c);
}

static void test_fs_opts(void)
{
	struct bfs_config c;
	char msg[256], unknown[256] = "";

	bfs_config_init(&c);
	CHECK_INT(c.stat_ttl_ms, 1000);
	CHECK_INT(c.fs.marker_delay_ms, 1000);
	CHECK_INT(c.fs.lookup_get, 2 << 20);
	CHECK_INT(
	    bfs_config_parse_opts(
		&c,
		"uid=1000,gid=33,umask=0027,mp_umask=002,"
		"stat_cache_expire=0.5,negative_ttl=2,list_ttl=10,marker_delay=0,lookup_get=0,ro,"
		"use_cache=/var/cache/x,allow_other,_netdev,nofail,"
		"x-systemd.automount,x-systemd.requires=network-online.target,"
		"comment=hello,defaults,noauto,users",
		unknown, sizeof(unknown), msg, sizeof(msg)),
	    0);
	CHECK_INT(c.fs.uid, 1000);
	CHECK_INT(c.fs.force_uid, 1);
	CHECK_INT(c.fs.gid, 33);
	CHECK_INT(c.fs.force_gid, 1);
	CHECK_INT(c.fs.umask, 027);
	CHECK_INT(c.fs.has_umask, 1);
	CHECK_INT(c.mp_umask, 02);
	CHECK_INT(c.stat_ttl_ms, 500);
	CHECK_INT(c.neg_ttl_ms, 2000);
	CHECK_INT(c.fs.list_ttl_ms, 10000);
	CHECK_INT(c.fs.marker_delay_ms, 0);
	CHECK_INT(c.fs.lookup_get, 0);
	CHECK_INT(c.fs.read_only, 1);
	/* s3fs's use_cache= is a directory for one subdirectory per mount */
	CHECK_STR(c.use_cache, "/var/cache/x");
	CHECK(c.fs.cache_dir == NULL);
	CHECK_STR(unknown, ",allow_other"); /* FUSE's; fstab words dropped */
	/* what bfs_config_finish() gives the filesystem in another form: the
	 * mount point's mode, each window less the kernel's tenth */
	CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), 0);
	CHECK_INT(c.fs.root_mode, 0775);
	CHECK_INT(c.fs.stat_ttl_ms, 450);
	CHECK_INT(c.fs.neg_ttl_ms, 1800);
	CHECK_INT(bfs_config_kernel_ms(c.stat_ttl_ms), 50);
	CHECK_INT(c.fs.fetch_parallel, c.store.parallel_parts);
	CHECK_INT(c.fs.uid, 1000); /* untouched by finish */
	CHECK_INT(c.fs.list_ttl_ms, 10000);
	/* s3fs's default_acl: a canned ACL, checked before any request */
	CHECK_INT(bfs_config_set(&c, "default_acl", "public-read", msg, sizeof(msg)), 0);
	CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), 0);
	CHECK_STR(c.store.acl, "public-read");
	CHECK_INT(bfs_config_set(&c, "default_acl", "public", msg, sizeof(msg)), 0);
	CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK(strstr(msg, "default_acl=public: not a canned ACL") != NULL);
	CHECK_INT(bfs_config_set(&c, "default_acl", "private", msg, sizeof(msg)), 0);
	/* cache_dir= is the directory itself: not with use_cache= */
	CHECK_INT(bfs_config_set(&c, "cache_dir", "/var/cache/y", msg, sizeof(msg)), 0);
	CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK(strstr(msg, "not both") != NULL);
	CHECK_INT(bfs_config_parse_opts(&c, "umask=999", NULL, 0, msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK_INT(bfs_config_parse_opts(&c, "uid=-1", NULL, 0, msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK_INT(bfs_config_parse_opts(&c, "stat_ttl=x", NULL, 0, msg, sizeof(msg)), BFS_E_CONFIG);
	/* NaN passed both range checks and was cast to long (undefined; found by
	 * fuzz_options); infinity too is out of range */
	CHECK_INT(bfs_config_parse_opts(&c, "stat_ttl=nan", NULL, 0, msg, sizeof(msg)),
		  BFS_E_CONFIG);
	CHECK_INT(bfs_config_parse_opts(&c, "writeback=-NAN", NULL, 0, msg, sizeof(msg)),
		  BFS_E_CONFIG);
	CHECK_INT(bfs_config_parse_opts(&c, "list_ttl=inf", NULL, 0, msg, sizeof(msg)),
		  BFS_E_CONFIG);
	CHECK_INT(c.stat_ttl_ms, 500);
	/* the bare word: write-back with its default delay, 1 s */
	CHECK_INT(bfs_config_parse_opts(&c, "writeback", NULL, 0, msg, sizeof(msg)), 0);
	CHECK_INT(c.fs.writeback_ms, 1000);
	bfs_config_release(&c);
}

static void test_providers(void)
{
	static const struct {
		const char *opts, *endpoint, *region;
		int path_style, list_v1, sig;
	} ok_cases[] = {
		{ "provider=aws", "https://s3.amazonaws.com", "us-east-1", 0, 0, BFS_SIG_V4 },
		{ "provider=aws,region=eu-west-1", "https://s3.eu-west-1.amazonaws.com",
		  "eu-west-1", 0, 0, BFS_SIG_V4 },
		{ "provider=oss,region=cn-beijing", "https://oss-cn-beijing.aliyuncs.com",
		  "cn-beijing", 0, 0, BFS_SIG_OSS_V4 },
		{ "provider=oss,region=oss-cn-beijing", "https://oss-cn-beijing.aliyuncs.com",
		  "oss-cn-beijing", 0, 0, BFS_SIG_OSS_V4 },
		{ "provider=oss,signature=v4", "https://oss-cn-hangzhou.aliyuncs.com",
		  "oss-cn-hangzhou", 0, 0, BFS_SIG_V4 },
		{ "provider=oss,signature=oss-v1", "https://oss-cn-hangzhou.aliyuncs.com",
		  "cn-hangzhou", 0, 0, BFS_SIG_OSS_V1 },
		{ "provider=cos,region=ap-shanghai", "https://cos.ap-shanghai.myqcloud.com",
		  "ap-shanghai", 0, 1, BFS_SIG_V4 },
		{ "provider=kodo", "https://s3.cn-east-1.qiniucs.com", "cn-east-1", 1, 0,
		  BFS_SIG_V4 },
		{ "provider=aws,region=cn-north-1", "https://s3.cn-north-1.amazonaws.com.cn",
		  "cn-north-1", 0, 0, BFS_SIG_V4 },
		{ "provider=minio,endpoint=http://10.0.0.5:9000", "http://10.0.0.5:9000",
		  "us-east-1", 1, 0, BFS_SIG_V4 },
		{ "provider=ceph,url=http://h:7480", "http://h:7480", "us-east-1", 1, 0,
		  BFS_SIG_V4 },
		/* what the user sets wins over the preset */
		{ "provider=oss,region=cn-beijing,url=https://oss-internal.example",
		  "https://oss-internal.example", "cn-beijing", 0, 0, BFS_SIG_OSS_V4 },
	};
	static const struct {
		const char *opts, *msg;
	} bad[] = {
		{ "provider=gcs", "unknown provider 'gcs'" },
		{ "provider=minio", "provider=minio needs endpoint=URL" },
		{ "provider=cos,signature=oss-v4",
		  "provider=cos does not accept signature=oss-v4" },
		{ "provider=aws,signature=oss-v1", "does not accept" },
		{ "passwd_file=/p,iam_role=auto", "at most one of passwd_file, profile" },
		{ "ram_role,credential_process=/bin/x", "at most one of" },
		{ "ecs,profile=p", "at most one of" },
		{ "iam_role,metadata_endpoint=169.254.169.254", "metadata_endpoint must be a URL" },
		{ "iam_role,metadata_endpoint=ftp://169.254.169.254",
		  "metadata_endpoint must be a URL" },
		{ "iam_role,metadata_endpoint=http://h:99999", "metadata_endpoint must be a URL" },
		{ "region=oss-cn-beijing", "provider=oss" },
		{ "region=eu_west/1", "'eu_west/1' is not a region name" },
		{ "cache_min_free=95%", "cache_min_free=95%: want a percentage" },
		{ "cache_min_free=lots", "want a percentage (0%-90%) or a size" },
		{ "provider=oss,region=cn beijing", "is not a region name" },
	};
	size_t i;

	for (i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		struct bfs_config c;
		char msg[256] = "";

		bfs_config_init(&c);
		CHECK_INT(bfs_config_parse_opts(&c, ok_cases[i].opts, NULL, 0, msg, sizeof(msg)),
			  0);
		CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), 0);
		CHECK_STR(c.store.endpoint, ok_cases[i].endpoint);
		CHECK_STR(c.store.region, ok_cases[i].region);
		CHECK_INT(c.store.path_style, ok_cases[i].path_style);
		CHECK_INT(c.store.list_v1, ok_cases[i].list_v1);
		CHECK_INT(c.store.signature, ok_cases[i].sig);
		bfs_config_release(&c);
	}
	{
		/* s3fs's bare iam_role (and ossfs's ram_role) mean auto */
		struct bfs_config c;
		char msg[256] = "";

		bfs_config_init(&c);
		CHECK_INT(bfs_config_parse_opts(&c, "iam_role,metadata_endpoint=http://127.0.0.1:9",
						NULL, 0, msg, sizeof(msg)),
			  0);
		CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), 0);
		CHECK_STR(c.creds.iam_role, "auto");
		CHECK_STR(c.creds.metadata_endpoint, "http://127.0.0.1:9");
		bfs_config_release(&c);
		bfs_config_init(&c);
		CHECK_INT(
		    bfs_config_parse_opts(&c, "ram_role=EcsRole,ecs=0", NULL, 0, msg, sizeof(msg)),
		    0);
		CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), 0);
		CHECK_STR(c.creds.ram_role, "EcsRole");
		bfs_config_release(&c);
		bfs_config_init(&c);
		CHECK_INT(c.fs.cache_min_free_pct, 5);
		CHECK_INT(bfs_config_parse_opts(&c, "cache_size=2G,cache_min_free=10%", NULL, 0,
						msg, sizeof(msg)),
			  0);
		CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), 0);
		CHECK(c.fs.cache_size == 2ULL << 30);
		CHECK_INT(c.fs.cache_min_free_pct, 10);
		bfs_config_release(&c);
		bfs_config_init(&c);
		CHECK_INT(bfs_config_parse_opts(&c, "cache_size=1T,ensure_diskfree=1024", NULL, 0,
						msg, sizeof(msg)),
			  0);
		CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), 0);
		CHECK(c.fs.cache_size == 1ULL << 40);
		CHECK_INT(c.fs.cache_min_free_pct, -1);
		CHECK(c.fs.cache_min_free == 1ULL << 30);
		bfs_config_release(&c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bfs_config c;
		char msg[256] = "";

		bfs_config_init(&c);
		CHECK_INT(bfs_config_parse_opts(&c, bad[i].opts, NULL, 0, msg, sizeof(msg)), 0);
		CHECK_INT(bfs_config_finish(&c, msg, sizeof(msg)), BFS_E_CONFIG);
		if (!strstr(msg, bad[i].msg))
			fprintf(stderr, "provider case %zu: '%s'\n", i, msg);
		CHECK(strstr(msg, bad[i].msg) != NULL);
		bfs_config_release(&c);
	}
}

/* Generic mount flags reach FUSE (and so the kernel) or are refused by name. */
static void test_mount_flags(void)
{
	static const char *const refused[] = {
		"strictatime", "nostrictatime", "norelatime", "diratime", "nodiratime", "lazytime",
		"nolazytime",  "nosymfollow",	"symfollow",  "mand",	  "nomand",	"iversion",
		"noiversion",  "silent",	"loud",	      "remount",
	};
	struct bfs_config c;
	char msg[512], unknown[256] = "";
	size_t i;

	bfs_config_init(&c);
	CHECK_INT(bfs_config_parse_opts(&c,
					"noexec,nosuid,nodev,exec,sync,async,dirsync,noatime,"
					"atime,relatime,suid,dev,ro",
					unknown, sizeof(unknown), msg, sizeof(msg)),
		  0);
	/* relatime is "atime" to libfuse 3.14; suid and dev are never passed */
	CHECK_STR(unknown, ",noexec,nosuid,nodev,exec,sync,async,dirsync,noatime,atime,atime");
	CHECK_INT(c.fs.read_only, 1);
	CHECK_INT(bfs_config_parse_opts(&c, "rw", unknown, sizeof(unknown), msg, sizeof(msg)), 0);
	CHECK_INT(c.fs.read_only, 0);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		unknown[0] = '\0';
		msg[0] = '\0';
		CHECK_INT(bfs_config_parse_opts(&c, refused[i], unknown, sizeof(unknown), msg,
						sizeof(msg)),
			  BFS_E_CONFIG);
		CHECK(strstr(msg, refused[i]) != NULL);
		CHECK_STR(unknown, "");
	}
	bfs_config_release(&c);
}

int main(void)
{
	test_providers();
	test_unknown_opts();
	test_ip_endpoint();
	test_fs_opts();
	test_mount_flags();
	test_opts();
	test_defaults();
	test_targets();
	return check_done("config");
}
