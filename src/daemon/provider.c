/* SPDX-License-Identifier: MIT */
/*
 * provider.c - object-store presets (see provider.h).
 *
 * What each preset knows (from each service's documentation; only S3 SigV4,
 * path style and the OSS signatures are exercised by the tests here, against
 * radosgw and the OSS verifying gateway):
 *   aws    https://s3.REGION.amazonaws.com, virtual-hosted, SigV4
 *   oss    https://oss-REGION.aliyuncs.com (REGION cn-beijing or oss-cn-beijing),
 *          virtual-hosted, OSS V4 by default; also oss-v1 (legacy) and SigV4
 *          (OSS's S3-compatible API)
 *   cos    https://cos.REGION.myqcloud.com, virtual-hosted, SigV4, ListObjects V1
 *   kodo   https://s3.REGION.qiniucs.com (REGION cn-east-1, ...), path style, SigV4
 *   minio  endpoint= required, path style, SigV4
 *   ceph   endpoint= required, path style, SigV4, ListObjects V1 for old radosgw
 *   s3     any S3 API: endpoint= (default AWS), SigV4
 * Multipart ETags are never checked as MD5s on any of them (they are not).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/config.h"
#include "bucketfs/error.h"
#include "bucketfs/provider.h"
#include "bucketfs/store.h"
#include "daemon/config_int.h"

struct provider {
	const char *name;
	const char *ep_pre, *ep_post; /* endpoint = ep_pre REGION ep_post; NULL: endpoint= needed */
	const char *default_region;
	int path_style;
	int list_v1;
	const char *signature; /* default signature */
	unsigned sigs;	       /* accepted: 1 << enum bfs_sig */
	const char *fstab;     /* an example line */
};

#define SIG(x) (1u << (x))

static const struct provider providers[] = {
	{ "aws", NULL, NULL, "us-east-1", 0, 0, "v4", SIG(BFS_SIG_V4),
	  "mybucket:/generated /srv/app/public/generated fuse.bucketfs "
	  "_netdev,allow_other,provider=aws,region=eu-west-1,passwd_file=/etc/passwd-bucketfs 0 "
	  "0" },
	{ "oss", "https://oss-", ".aliyuncs.com", "cn-hangzhou", 0, 0, "oss-v4",
	  SIG(BFS_SIG_V4) | SIG(BFS_SIG_OSS_V1) | SIG(BFS_SIG_OSS_V4),
	  "mybucket:/generated /srv/app/public/generated fuse.bucketfs "
	  "_netdev,allow_other,provider=oss,region=cn-beijing,passwd_file=/etc/passwd-bucketfs 0 "
	  "0" },
	{ "cos", "https://cos.", ".myqcloud.com", "ap-guangzhou", 0, 1, "v4", SIG(BFS_SIG_V4),
	  "mybucket-1250000000:/generated /srv/app/public/generated fuse.bucketfs "
	  "_netdev,allow_other,provider=cos,region=ap-guangzhou,passwd_file=/etc/passwd-bucketfs 0 "
	  "0" },
	{ "kodo", "https://s3.", ".qiniucs.com", "cn-east-1", 1, 0, "v4", SIG(BFS_SIG_V4),
	  "mybucket:/generated /srv/app/public/generated fuse.bucketfs "
	  "_netdev,allow_other,provider=kodo,region=cn-east-1,passwd_file=/etc/passwd-bucketfs 0 "
	  "0" },
	{ "minio", NULL, NULL, "us-east-1", 1, 0, "v4", SIG(BFS_SIG_V4),
	  "mybucket:/generated /srv/app/public/generated fuse.bucketfs "
	  "_netdev,allow_other,provider=minio,endpoint=http://10.0.0.5:9000,passwd_file=/etc/"
	  "passwd-bucketfs 0 0" },
	{ "ceph", NULL, NULL, "us-east-1", 1, 0, "v4", SIG(BFS_SIG_V4),
	  "mybucket:/generated /srv/app/public/generated fuse.bucketfs "
	  "_netdev,allow_other,provider=ceph,endpoint=http://10.0.0.6:7480,passwd_file=/etc/"
	  "passwd-bucketfs 0 0" },
	{ "s3", NULL, NULL, "us-east-1", 0, 0, "v4", SIG(BFS_SIG_V4),
	  "mybucket:/generated /srv/app/public/generated fuse.bucketfs "
	  "_netdev,allow_other,endpoint=https://s3.example.com,passwd_file=/etc/passwd-bucketfs 0 "
	  "0" },
};

#define NPROVIDERS (sizeof(providers) / sizeof(providers[0]))

static const struct provider *find(const char *name)
{
	size_t i;

	for (i = 0; i < NPROVIDERS; i++)
		if (!strcmp(providers[i].name, name))
			return &providers[i];
	return NULL;
}

static int sig_of(const char *name)
{
	if (!name || !strcmp(name, "v4"))
		return BFS_SIG_V4;
	if (!strcmp(name, "oss-v1"))
		return BFS_SIG_OSS_V1;
	if (!strcmp(name, "oss-v4"))
		return BFS_SIG_OSS_V4;
	return -1;
}

static int set_str(const char **field, const char *v)
{
	char *s = strdup(v);

	if (!s)
		return -ENOMEM;
	config_set_str(field, s);
	return 0;
}

int bfs_provider_apply(struct bfs_config *c, char *msg, size_t msgsz)
{
	const struct provider *p;
	const char *region;
	int sig, rc;

	if (!c->provider)
		return 0;
	p = find(c->provider);
	if (!p) {
		snprintf(msg, msgsz,
			 "unknown provider '%s' (aws, oss, cos, kodo, minio, ceph or s3)",
			 c->provider);
		return BFS_E_CONFIG;
	}
	if (!c->store.region && (rc = set_str(&c->store.region, p->default_region)))
		return rc;
	/* OSS names regions both "cn-beijing" and "oss-cn-beijing". */
	region = !strcmp(p->name, "oss") && !strncmp(c->store.region, "oss-", 4)
		     ? c->store.region + 4
		     : c->store.region;
	if (!c->store.endpoint && p->ep_pre) {
		char *ep;

		if (asprintf(&ep, "%s%s%s", p->ep_pre, region, p->ep_post) < 0)
			return -ENOMEM;
		config_set_str(&c->store.endpoint, ep);
	} else if (!c->store.endpoint && strcmp(p->name, "aws") && strcmp(p->name, "s3")) {
		snprintf(msg, msgsz, "provider=%s needs endpoint=URL (the server's address)",
			 p->name);
		return BFS_E_CONFIG;
	}
	if (p->path_style)
		c->store.path_style = 1;
	if (p->list_v1)
		c->store.list_v1 = 1;
	if (!c->signature_name && (rc = set_str(&c->signature_name, p->signature)))
		return rc;
	sig = sig_of(c->signature_name);
	if (sig >= 0 && !(p->sigs & SIG(sig))) {
		snprintf(msg, msgsz, "provider=%s does not accept signature=%s (use v4)", p->name,
			 c->signature_name);
		return BFS_E_CONFIG;
	}
	/* OSS's S3-compatible API wants SigV4 scoped to "oss-REGION" (Aliyun's
	 * "use Amazon S3 SDKs" guide); its own V4 strips the prefix again. */
	if (!strcmp(p->name, "oss") && sig == BFS_SIG_V4 && strncmp(c->store.region, "oss-", 4)) {
		char *r;

		if (asprintf(&r, "oss-%s", c->store.region) < 0)
			return -ENOMEM;
		config_set_str(&c->store.region, r);
	}
	return 0;
}

void bfs_provider_help(FILE *out)
{
	size_t i;

	fprintf(out, "\nProviders (-o provider=NAME fills in what you do not set):\n");
	for (i = 0; i < NPROVIDERS; i++) {
		const struct provider *p = &providers[i];
		int generic = !strcmp(p->name, "aws") || !strcmp(p->name, "s3");

		if (p->ep_pre)
			fprintf(out, "  %-6s endpoint %sREGION%s (region %s)", p->name, p->ep_pre,
				p->ep_post, p->default_region);
		else if (generic)
			fprintf(out, "  %-6s endpoint https://s3.REGION.amazonaws.com", p->name);
		else
			fprintf(out, "  %-6s endpoint= required", p->name);
		fprintf(out, ", %s style, signature %s%s\n",
			p->path_style ? "path" : "virtual-hosted", p->signature,
			p->list_v1 ? ", ListObjects V1" : "");
		fprintf(out, "         %s\n", p->fstab);
	}
}
