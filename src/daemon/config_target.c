/* SPDX-License-Identifier: MIT */
/*
 * config_target.c - the mount's target (BUCKET[:/PREFIX], file:DIR) and
 * the checks once every option is read (bfs_config_finish: what an option
 * implies for another, what cannot go together, what it gives another
 * module).  The option table
 * and its parser are in config.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bucketfs/config.h"
#include "bucketfs/creds.h"
#include "bucketfs/error.h"
#include "bucketfs/fs.h"
#include "bucketfs/http.h"
#include "bucketfs/provider.h"
#include "bucketfs/store.h"
#include "daemon/config_int.h"

/* Set c->bucket and c->prefix ("" or "a/b/") from a bucket and a prefix part. */
static int set_bucket_prefix(struct bfs_config *c, const char *b, size_t bl, const char *p)
{
	char *bucket, *prefix;
	size_t pl = strlen(p);

	while (pl && p[pl - 1] == '/')
		pl--;
	bucket = strndup(b, bl);
	if (!bucket)
		return -ENOMEM;
	if (asprintf(&prefix, "%.*s%s", (int)pl, p, pl ? "/" : "") < 0) {
		free(bucket);
		return -ENOMEM;
	}
	free(c->bucket);
	free(c->prefix);
	c->bucket = bucket;
	c->prefix = prefix;
	c->store.bucket = bucket;
	c->creds.bucket = bucket;
	c->fs.prefix = prefix;
	return 0;
}

/* mkdir -p DIR; store its absolute path in c->local_root. */
static int set_local_root(struct bfs_config *c, const char *d, size_t n, char *msg, size_t msgsz)
{
	char *dir = strndup(d, n), *abs, *p;
	int rc = 0;

	if (!dir)
		return -ENOMEM;
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(dir, 0755);
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(msg, msgsz, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	abs = realpath(dir, NULL);
	if (!abs) {
		rc = -errno;
		snprintf(msg, msgsz, "%s: %s", dir, strerror(errno));
		goto out;
	}
	free(c->local_root);
	c->local_root = abs;
	c->store.local_root = abs;
out:
	free(dir);
	return rc;
}

int bfs_config_check_prefix(const char *p, char *msg, size_t msgsz)
{
	const char *q = p;

	while (*q) {
		size_t n = strcspn(q, "/");

		if ((n == 1 && q[0] == '.') || (n == 2 && q[0] == '.' && q[1] == '.')) {
			snprintf(msg, msgsz, "the prefix '%s' has a '%.*s' component", p, (int)n,
				 q);
			return BFS_E_CONFIG;
		}
		q += n + (q[n] == '/');
	}
	return 0;
}

int bfs_config_parse_target(struct bfs_config *c, const char *target, char *msg, size_t msgsz)
{
	const char *b = target, *sep, *p;
	int rc;

	if (!strncmp(target, "file:", 5)) {
		/* file:DIR[:/PREFIX] */
		const char *d = target + 5, *colon = strstr(d, ":/");
		size_t n = colon ? (size_t)(colon - d) : strlen(d);

		if (n == 0) {
			snprintf(msg, msgsz, "no directory in '%s' (expected file:DIR)", target);
			return BFS_E_CONFIG;
		}
		rc = set_local_root(c, d, n, msg, msgsz);
		if (rc)
			return rc;
		return set_bucket_prefix(c, "file", 4, colon ? colon + 2 : "");
	}
	if (!strncmp(b, "s3://", 5)) {
		b += 5;
		sep = strchr(b, '/');
		p = sep ? sep + 1 : "";
	} else {
		sep = strchr(b, ':');
		p = sep ? sep + 1 : "";
		/* In BUCKET:/PREFIX one slash separates; a second belongs to the key. */
		if (*p == '/')
			p++;
	}
	if ((sep ? (size_t)(sep - b) : strlen(b)) == 0) {
		snprintf(msg, msgsz, "no bucket name in '%s' (expected BUCKET[:/PREFIX])", target);
		return BFS_E_CONFIG;
	}
	return set_bucket_prefix(c, b, sep ? (size_t)(sep - b) : strlen(b), p);
}

/* Region names of every provider: lower-case letters, digits and '-'. */
static int region_ok(const char *r)
{
	if (!*r || strlen(r) > 63)
		return 0;
	for (; *r; r++)
		if (!((*r >= 'a' && *r <= 'z') || (*r >= '0' && *r <= '9') || *r == '-'))
			return 0;
	return 1;
}

/*
 * An endpoint whose host is an IP address cannot have the bucket as a
 * subdomain (appimages.127.0.0.1 resolves nowhere): such an endpoint is
 * addressed path-style whatever path_style says.  1, 0, or -ENOMEM.
 */
static int endpoint_is_ip(const char *endpoint)
{
	struct bfs_url u;
	unsigned char addr[16];
	int rc = bfs_url_parse(endpoint, &u, NULL, 0);

	if (rc)
		return rc == -ENOMEM ? rc : 0;
	rc = u.host && (u.host[0] == '[' || inet_pton(AF_INET, u.host, addr) == 1);
	bfs_url_release(&u);
	return rc;
}

/* Long: the checks across options, one after another in the order their
 * messages must come (region, provider, endpoint, credentials, trees). */
int bfs_config_finish(struct bfs_config *c, char *msg, size_t msgsz)
{
	int rc;

	if (c->store.region && !region_ok(c->store.region)) {
		snprintf(msg, msgsz, "'%s' is not a region name (lower-case letters, digits, '-')",
			 c->store.region);
		return BFS_E_CONFIG;
	}
	rc = bfs_provider_apply(c, msg, msgsz);
	if (rc)
		return rc;
	if (!c->store.region) {
		config_set_str(&c->store.region, strdup("us-east-1"));
		if (!c->store.region)
			return -ENOMEM;
	}
	if (!c->store.endpoint && !strncmp(c->store.region, "oss-", 4)) {
		snprintf(msg, msgsz,
			 "region %s is an Aliyun OSS region: add provider=oss "
			 "(or give endpoint=URL)",
			 c->store.region);
		return BFS_E_CONFIG;
	}
	if (!c->store.endpoint) {
		char *ep;

		/* AWS's China regions live under amazonaws.com.cn */
		if (!strcmp(c->store.region, "us-east-1"))
			ep = strdup("https://s3.amazonaws.com");
		else if (asprintf(&ep, "https://s3.%s.amazonaws.com%s", c->store.region,
				  strncmp(c->store.region, "cn-", 3) ? "" : ".cn") < 0)
			ep = NULL;
		if (!ep)
			return -ENOMEM;
		config_set_str(&c->store.endpoint, ep);
	}
	rc = endpoint_is_ip(c->store.endpoint);
	if (rc < 0)
		return rc;
	if (rc)
		c->store.path_style = 1;
	if (!c->signature_name || !strcmp(c->signature_name, "v4")) {
		c->store.signature = BFS_SIG_V4;
	} else if (!strcmp(c->signature_name, "oss-v1")) {
		c->store.signature = BFS_SIG_OSS_V1;
	} else if (!strcmp(c->signature_name, "oss-v4")) {
		c->store.signature = BFS_SIG_OSS_V4;
	} else {
		snprintf(msg, msgsz, "unknown signature '%s' (v4, oss-v1 or oss-v4)",
			 c->signature_name);
		return BFS_E_CONFIG;
	}
	if (!!c->creds.passwd_file + !!c->creds.profile + !!c->creds.credential_process +
		!!c->creds.iam_role + !!c->creds.ram_role + !!c->creds.ecs >
	    1) {
		snprintf(msg, msgsz,
			 "give at most one of passwd_file, profile, credential_process, "
			 "iam_role, ram_role and ecs");
		return BFS_E_CONFIG;
	}
	if (c->creds.metadata_endpoint) {
		struct bfs_url u;
		int ok;

		rc = bfs_url_parse(c->creds.metadata_endpoint, &u, NULL, 0);
		ok = !rc && (!strcmp(u.scheme, "http") || !strcmp(u.scheme, "https")) && u.host &&
		     u.host[0] && !u.user;
		if (!rc)
			bfs_url_release(&u);
		if (rc == -ENOMEM)
			return rc;
		if (!ok) {
			snprintf(msg, msgsz,
				 "metadata_endpoint must be a URL (http://HOST[:PORT])");
			return BFS_E_CONFIG;
		}
	}
	if (c->fs.immutable) {
		const char *p = c->fs.immutable;

		for (; p; p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL) {
			if (*p != '/') {
				snprintf(msg, msgsz,
					 "immutable=%s: each tree is a path in the mount "
					 "starting with '/', separated by ':'",
					 c->fs.immutable);
				return BFS_E_CONFIG;
			}
		}
	}
	if (!c->symlinks_name || !strcmp(c->symlinks_name, "file")) {
		c->fs.symlinks = 0;
	} else if (!strcmp(c->symlinks_name, "on")) {
		c->fs.symlinks = 1;
	} else {
		snprintf(msg, msgsz, "symlinks=%s: on or file", c->symlinks_name);
		return BFS_E_CONFIG;
	}
	if (c->daemon.logfile && c->daemon.logfile[0] != '/') {
		snprintf(msg, msgsz, "logfile=%s: give an absolute path", c->daemon.logfile);
		return BFS_E_CONFIG;
	}
	if (c->daemon.loglevel && strcmp(c->daemon.loglevel, "error") &&
	    strcmp(c->daemon.loglevel, "warning") && strcmp(c->daemon.loglevel, "info") &&
	    strcmp(c->daemon.loglevel, "debug")) {
		snprintf(msg, msgsz, "loglevel=%s: error, warning, info or debug",
			 c->daemon.loglevel);
		return BFS_E_CONFIG;
	}
	if (c->fs.upload_threads < 1 || c->fs.upload_threads > 64) {
		snprintf(msg, msgsz, "upload_threads must be 1 to 64");
		return BFS_E_CONFIG;
	}
	if (c->daemon.max_threads < 1 || c->daemon.max_threads > 256) {
		snprintf(msg, msgsz, "max_threads must be 1 to 256");
		return BFS_E_CONFIG;
	}
	if (c->daemon.max_idle_threads < 0 || c->daemon.max_idle_threads > c->daemon.max_threads) {
		snprintf(msg, msgsz, "max_idle_threads must be 0 to max_threads (%d)",
			 c->daemon.max_threads);
		return BFS_E_CONFIG;
	}
	if (c->cache_min_free) {
		const char *v = c->cache_min_free;
		size_t n = strlen(v);

		if (n > 1 && v[n - 1] == '%') {
			char num[16];
			uint64_t pct;

			snprintf(num, sizeof(num), "%.*s", (int)(n - 1), v);
			if (n - 1 >= sizeof(num) || config_parse_u64(num, &pct, 0) || pct > 90)
				goto bad_free;
			c->fs.cache_min_free_pct = (int)pct;
		} else if (config_parse_u64(v, &c->fs.cache_min_free, 1) == 0) {
			c->fs.cache_min_free_pct = -1;
		} else {
		bad_free:
			snprintf(msg, msgsz,
				 "cache_min_free=%s: want a percentage (0%%-90%%) or a "
				 "size such as 2G",
				 v);
			return BFS_E_CONFIG;
		}
	}
	if (c->store.acl && !bfs_store_acl_known(c->store.acl)) {
		snprintf(msg, msgsz,
			 "default_acl=%s: not a canned ACL (private, public-read, "
			 "public-read-write, authenticated-read, bucket-owner-read, "
			 "bucket-owner-full-control, ...)",
			 c->store.acl);
		return BFS_E_CONFIG;
	}
	if (c->use_cache && c->fs.cache_dir) {
		snprintf(msg, msgsz,
			 "give cache_dir= (the directory itself) or use_cache= (a directory "
			 "for a subdirectory per mount), not both");
		return BFS_E_CONFIG;
	}
	if (c->store.part_size < (5ULL << 20)) {
		snprintf(msg, msgsz, "part_size must be at least 5M (S3's minimum part size)");
		return BFS_E_CONFIG;
	}
	/* the values one option gives to another module, or in another form */
	c->fs.root_mode = 0777 & ~c->mp_umask;
	c->fs.stat_ttl_ms = c->stat_ttl_ms - bfs_config_kernel_ms(c->stat_ttl_ms);
	c->fs.neg_ttl_ms = c->neg_ttl_ms - bfs_config_kernel_ms(c->neg_ttl_ms);
	c->fs.fetch_parallel = c->store.parallel_parts;
	return 0;
}

long bfs_config_kernel_ms(long ttl_ms)
{
	return ttl_ms / 10;
}
