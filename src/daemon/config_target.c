/* SPDX-License-Identifier: MIT */
/*
 * config_target.c - the mount's target (BUCKET[:/PREFIX], file:DIR) and
 * the checks once every option is read (bfs_config_finish: what an option
 * implies for another, what cannot go together); the module
 * configurations built from the result (see config.h).  The option table
 * and its parser are in config.c.
 */
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

/* Long: the checks across options, one after another in the order their
 * messages must come (region, provider, endpoint, credentials, trees). */
int bfs_config_finish(struct bfs_config *c, char *msg, size_t msgsz)
{
	int rc;

	if (c->region && !region_ok(c->region)) {
		snprintf(msg, msgsz, "'%s' is not a region name (lower-case letters, digits, '-')",
			 c->region);
		return BFS_E_CONFIG;
	}
	rc = bfs_provider_apply(c, msg, msgsz);
	if (rc)
		return rc;
	if (!c->region) {
		c->region = strdup("us-east-1");
		if (!c->region)
			return -ENOMEM;
	}
	if (!c->endpoint && !strncmp(c->region, "oss-", 4)) {
		snprintf(msg, msgsz,
			 "region %s is an Aliyun OSS region: add provider=oss "
			 "(or give endpoint=URL)",
			 c->region);
		return BFS_E_CONFIG;
	}
	if (!c->endpoint) {
		/* AWS's China regions live under amazonaws.com.cn */
		if (!strcmp(c->region, "us-east-1"))
			c->endpoint = strdup("https://s3.amazonaws.com");
		else if (asprintf(&c->endpoint, "https://s3.%s.amazonaws.com%s", c->region,
				  strncmp(c->region, "cn-", 3) ? "" : ".cn") < 0)
			c->endpoint = NULL;
		if (!c->endpoint)
			return -ENOMEM;
	}
	if (!c->signature_name || !strcmp(c->signature_name, "v4")) {
		c->signature = BFS_SIG_V4;
	} else if (!strcmp(c->signature_name, "oss-v1")) {
		c->signature = BFS_SIG_OSS_V1;
	} else if (!strcmp(c->signature_name, "oss-v4")) {
		c->signature = BFS_SIG_OSS_V4;
	} else {
		snprintf(msg, msgsz, "unknown signature '%s' (v4, oss-v1 or oss-v4)",
			 c->signature_name);
		return BFS_E_CONFIG;
	}
	if (!!c->passwd_file + !!c->profile + !!c->credential_process + !!c->iam_role +
		!!c->ram_role + !!c->ecs >
	    1) {
		snprintf(msg, msgsz,
			 "give at most one of passwd_file, profile, credential_process, "
			 "iam_role, ram_role and ecs");
		return BFS_E_CONFIG;
	}
	if (c->metadata_endpoint) {
		struct bfs_url u;
		int ok;

		rc = bfs_url_parse(c->metadata_endpoint, &u, NULL, 0);
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
	if (c->immutable) {
		const char *p = c->immutable;

		for (; p; p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL) {
			if (*p != '/') {
				snprintf(msg, msgsz,
					 "immutable=%s: each tree is a path in the mount "
					 "starting with '/', separated by ':'",
					 c->immutable);
				return BFS_E_CONFIG;
			}
		}
	}
	if (!c->symlinks_name || !strcmp(c->symlinks_name, "file")) {
		c->symlinks = 0;
	} else if (!strcmp(c->symlinks_name, "on")) {
		c->symlinks = 1;
	} else {
		snprintf(msg, msgsz, "symlinks=%s: on or file", c->symlinks_name);
		return BFS_E_CONFIG;
	}
	if (c->logfile && c->logfile[0] != '/') {
		snprintf(msg, msgsz, "logfile=%s: give an absolute path", c->logfile);
		return BFS_E_CONFIG;
	}
	if (c->loglevel && strcmp(c->loglevel, "error") && strcmp(c->loglevel, "warning") &&
	    strcmp(c->loglevel, "info") && strcmp(c->loglevel, "debug")) {
		snprintf(msg, msgsz, "loglevel=%s: error, warning, info or debug", c->loglevel);
		return BFS_E_CONFIG;
	}
	if (c->upload_threads < 1 || c->upload_threads > 64) {
		snprintf(msg, msgsz, "upload_threads must be 1 to 64");
		return BFS_E_CONFIG;
	}
	if (c->max_threads < 1 || c->max_threads > 256) {
		snprintf(msg, msgsz, "max_threads must be 1 to 256");
		return BFS_E_CONFIG;
	}
	if (c->max_idle_threads < 0 || c->max_idle_threads > c->max_threads) {
		snprintf(msg, msgsz, "max_idle_threads must be 0 to max_threads (%d)",
			 c->max_threads);
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
			c->cache_min_free_pct = (int)pct;
		} else if (config_parse_u64(v, &c->cache_min_free_bytes, 1) == 0) {
			c->cache_min_free_pct = -1;
		} else {
		bad_free:
			snprintf(msg, msgsz,
				 "cache_min_free=%s: want a percentage (0%%-90%%) or a "
				 "size such as 2G",
				 v);
			return BFS_E_CONFIG;
		}
	}
	if (c->part_size < (5ULL << 20)) {
		snprintf(msg, msgsz, "part_size must be at least 5M (S3's minimum part size)");
		return BFS_E_CONFIG;
	}
	return 0;
}

void bfs_config_creds_opts(const struct bfs_config *c, struct bfs_creds_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->passwd_file = c->passwd_file;
	o->profile = c->profile;
	o->credential_process = c->credential_process;
	o->iam_role = c->iam_role;
	o->ram_role = c->ram_role;
	o->ecs = c->ecs;
	o->metadata_endpoint = c->metadata_endpoint;
	o->bucket = c->bucket;
}

void bfs_config_store_cfg(const struct bfs_config *c, struct bfs_creds *creds,
			  struct bfs_store_cfg *sc)
{
	bfs_store_cfg_defaults(sc);
	sc->local_root = c->local_root;
	sc->endpoint = c->endpoint;
	sc->bucket = c->bucket;
	sc->region = c->region;
	sc->path_style = c->path_style;
	sc->signature = c->signature;
	sc->creds = creds;
	sc->ca_bundle = c->ca_bundle;
	sc->insecure = c->insecure;
	sc->unsigned_payload = c->unsigned_payload;
	sc->content_md5 = c->content_md5;
	sc->list_v1 = c->list_v1;
	sc->retries = c->retries;
	sc->connect_timeout_ms = c->connect_timeout_ms;
	sc->stall_timeout_s = c->stall_timeout_s;
	sc->request_timeout_s = c->request_timeout_s;
	sc->multipart_threshold = c->multipart_threshold;
	sc->part_size = c->part_size;
	sc->parallel_parts = c->parallel_parts;
	sc->verbose = c->verbose;
}

long bfs_config_kernel_ms(long ttl_ms)
{
	return ttl_ms / 10;
}

void bfs_config_fs_cfg(const struct bfs_config *c, struct bfs_fs_cfg *fc)
{
	bfs_fs_cfg_defaults(fc);
	fc->prefix = c->prefix;
	fc->cache_dir = c->cache_dir;
	if (c->has_uid)
		fc->uid = c->uid;
	if (c->has_gid)
		fc->gid = c->gid;
	fc->force_uid = c->has_uid;
	fc->force_gid = c->has_gid;
	fc->umask = c->umask;
	fc->has_umask = c->has_umask;
	fc->symlinks = c->symlinks;
	fc->root_mode = 0777 & ~c->mp_umask;
	fc->read_only = c->read_only;
	fc->stat_ttl_ms = c->stat_ttl_ms - bfs_config_kernel_ms(c->stat_ttl_ms);
	fc->neg_ttl_ms = c->neg_ttl_ms - bfs_config_kernel_ms(c->neg_ttl_ms);
	fc->list_ttl_ms = c->list_ttl_ms;
	fc->marker_delay_ms = c->marker_delay_ms;
	fc->immutable = c->immutable;
	fc->cache_size = c->cache_size;
	fc->lookup_get = c->lookup_get;
	fc->cache_min_free = c->cache_min_free_bytes;
	fc->cache_min_free_pct = c->cache_min_free_pct;
	fc->writeback_ms = c->writeback_ms;
	fc->unmount_wait_s = c->unmount_wait_s;
	fc->upload_threads = c->upload_threads;
	fc->fetch_parallel = c->parallel_parts;
	fc->conditional_put = c->conditional_put;
}
