/* SPDX-License-Identifier: MIT */
/*
 * creds.c - credentials from passwd files, the environment and the AWS
 * shared files; the order of the sources; renewing them (see creds.h).
 *
 * DESIGN: the page holds one set of credentials at a time.  Signers hold a
 * read lock on it while they sign (microseconds); a renewal reads the
 * sources into a second page without any lock but "busy", then copies the
 * result in under the write lock and bumps the generation, so a signer
 * never sees half of an old and half of a new set.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/creds.h"
#include "bucketfs/crypto.h"
#include "bucketfs/error.h"
#include "bucketfs/log.h"

struct bfs_creds *bfs_creds_new(void)
{
	size_t sz = sizeof(struct bfs_creds);
	void *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* Best effort: keep secrets out of core dumps and swap. */
	(void)madvise(p, sz, MADV_DONTDUMP);
	(void)mlock(p, sz);
	memset(p, 0, sz);
	return p;
}

static void refresh_free(struct creds_refresh *rf);

void bfs_creds_free(struct bfs_creds *c)
{
	if (!c)
		return;
	refresh_free(c->refresh);
	bfs_wipe(c, sizeof(*c));
	munlock(c, sizeof(*c));
	munmap(c, sizeof(*c));
}

/* The profile from ~/.aws/credentials, then ~/.aws/config (or the files
 * AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE name).  -ENOENT when
 * neither has it. */
/* $envvar if set, else ~/name, into path.  Returns 0 or -ENOENT (neither). */
static int aws_file(const char *envvar, const char *name, char *path, size_t pathsz)
{
	const char *v = getenv(envvar), *home = getenv("HOME");

	if (v && *v)
		snprintf(path, pathsz, "%s", v);
	else if (home && *home)
		snprintf(path, pathsz, "%s/%s", home, name);
	else
		return -ENOENT;
	return 0;
}

static int from_aws_files(struct bfs_creds *c, const char *profile, int required, char *msg,
			  size_t msgsz)
{
	int req = required ? BFS_AWS_KEYS_REQUIRED : 0;
	char path[4096];
	int rc;

	if (aws_file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", path, sizeof(path)))
		return -ENOENT;
	rc = bfs_creds_from_aws_profile(c, path, profile, req, msg, msgsz);
	if (rc <= 0 && rc != -ENOENT)
		return rc;
	if (aws_file("AWS_CONFIG_FILE", ".aws/config", path, sizeof(path)))
		return -ENOENT;
	rc = bfs_creds_from_aws_profile(c, path, profile, req | BFS_AWS_CONFIG_FILE, msg, msgsz);
	return rc == 1 ? -ENOENT : rc;
}

static int from_env(struct bfs_creds *c, const char *akvar, const char *skvar, const char *tokvar,
		    char *msg, size_t msgsz)
{
	const char *ak = getenv(akvar), *sk = getenv(skvar), *tok = tokvar ? getenv(tokvar) : NULL;

	if (!ak || !*ak || !sk || !*sk)
		return -ENOENT;
	if (strlen(ak) >= sizeof(c->access_key) || strlen(sk) >= sizeof(c->secret_key) ||
	    (tok && strlen(tok) >= sizeof(c->session_token))) {
		snprintf(msg, msgsz, "credentials in %s/%s are too long", akvar, skvar);
		return BFS_E_CONFIG;
	}
	snprintf(c->access_key, sizeof(c->access_key), "%s", ak);
	snprintf(c->secret_key, sizeof(c->secret_key), "%s", sk);
	snprintf(c->session_token, sizeof(c->session_token), "%s", tok ? tok : "");
	snprintf(c->source, sizeof(c->source), "environment (%s)", akvar);
	return 0;
}

/* Put "name=value: " in front of msg, so it names the option to fix. */
static int name_option(int rc, const char *name, const char *value, char *msg, size_t msgsz)
{
	char tmp[1024];

	if (rc == 0 || rc == -ENOENT || !msg[0])
		return rc;
	snprintf(tmp, sizeof(tmp), "%s", msg);
	snprintf(msg, msgsz, "%s=%s: %s", name, value, tmp);
	return rc;
}

/* The explicit options (source 1 of creds.h).  -ENOENT when none is given. */
static int load_explicit(struct bfs_creds *c, const struct bfs_creds_opts *o, char *msg,
			 size_t msgsz)
{
	int rc;

	if (o->passwd_file) {
		rc = bfs_creds_from_file(c, o->passwd_file, o->bucket, msg, msgsz);
		if (rc == -ENOENT)
			snprintf(msg, msgsz, "credentials file %s does not exist", o->passwd_file);
		return rc == -ENOENT ? BFS_E_CONFIG : rc;
	}
	if (o->profile) {
		/* asked for by name: that profile or a clear error */
		rc = from_aws_files(c, o->profile, 1, msg, msgsz);
		if (rc == -ENOENT)
			snprintf(msg, msgsz,
				 "no profile [%s] in ~/.aws/credentials or ~/.aws/config",
				 o->profile);
		return rc == -ENOENT ? BFS_E_CONFIG : rc;
	}
	if (o->credential_process)
		return bfs_creds_from_process(c, o->credential_process, msg, msgsz);
	if (o->iam_role)
		return name_option(bfs_creds_from_imds(c, BFS_IMDS_AWS, o->metadata_endpoint,
						       o->iam_role, msg, msgsz),
				   "iam_role", o->iam_role, msg, msgsz);
	if (o->ram_role)
		return name_option(bfs_creds_from_imds(c, BFS_IMDS_ALIYUN, o->metadata_endpoint,
						       o->ram_role, msg, msgsz),
				   "ram_role", o->ram_role, msg, msgsz);
	if (o->ecs) {
		rc = bfs_creds_from_container(c, msg, msgsz);
		if (rc == -ENOENT)
			snprintf(msg, msgsz,
				 "-o ecs: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "
				 "nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set");
		return rc == -ENOENT ? BFS_E_CONFIG : rc;
	}
	return -ENOENT;
}

/* Every source in order (creds.h). */
static int load_chain(struct bfs_creds *c, const struct bfs_creds_opts *o, char *msg, size_t msgsz)
{
	static const char *const home_files[] = { ".passwd-bucketfs", ".passwd-s3fs" };
	static const char *const etc_files[] = { "/etc/passwd-bucketfs", "/etc/passwd-s3fs" };
	/* access key, secret, session token: AWS's, s3fs's, Aliyun's two */
	static const char *const env_names[][3] = {
		{ "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN" },
		{ "AWSACCESSKEYID", "AWSSECRETACCESSKEY", "AWS_SESSION_TOKEN" },
		{ "OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET", "OSS_SESSION_TOKEN" },
		{ "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
		  "ALIBABA_CLOUD_SECURITY_TOKEN" },
	};
	const char *home = getenv("HOME"), *aws_profile = getenv("AWS_PROFILE");
	char path[4096];
	size_t i;
	int rc;

	msg[0] = '\0';
	c->expires = 0;
	c->session_token[0] = '\0';
	rc = load_explicit(c, o, msg, msgsz);
	if (rc != -ENOENT)
		return rc;
	for (i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++) {
		rc = from_env(c, env_names[i][0], env_names[i][1], env_names[i][2], msg, msgsz);
		if (rc != -ENOENT)
			return rc;
	}
	rc =
	    from_aws_files(c, aws_profile && *aws_profile ? aws_profile : "default", 0, msg, msgsz);
	if (rc != -ENOENT)
		return rc;
	rc = bfs_creds_from_container(c, msg, msgsz);
	if (rc != -ENOENT)
		return rc;
	for (i = 0; i < 2; i++) {
		if (home && *home) {
			snprintf(path, sizeof(path), "%s/%s", home, home_files[i]);
			rc = bfs_creds_from_file(c, path, o->bucket, msg, msgsz);
			if (rc != -ENOENT)
				return rc;
		}
		rc = bfs_creds_from_file(c, etc_files[i], o->bucket, msg, msgsz);
		if (rc != -ENOENT)
			return rc;
	}
	snprintf(msg, msgsz,
		 "no credentials: use -o passwd_file=FILE (lines ACCESS_KEY:SECRET, mode 600), "
		 "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or /etc/passwd-bucketfs "
		 "(all sources: CREDENTIALS in --help)");
	return BFS_E_CONFIG;
}

/* --- refresh ------------------------------------------------------------- */

struct creds_refresh {
	pthread_rwlock_t lock; /* guards the page's fields, gen, next_try, failures */
	pthread_mutex_t busy;  /* held by the one thread reading the sources */
	unsigned gen;	       /* bumped when the credentials change */
	long long next_try;    /* no refresh before this (seconds since the epoch) */
	int failures;	       /* refreshes failed in a row */
	long long last_forced; /* last bfs_creds_rejected() read (guarded by busy) */
	/* the options, copied */
	char *passwd_file, *profile, *credential_process, *iam_role, *ram_role;
	char *metadata_endpoint, *bucket;
	int ecs;
};

static void refresh_free(struct creds_refresh *rf)
{
	if (!rf)
		return;
	pthread_rwlock_destroy(&rf->lock);
	pthread_mutex_destroy(&rf->busy);
	free(rf->passwd_file);
	free(rf->profile);
	free(rf->credential_process);
	free(rf->iam_role);
	free(rf->ram_role);
	free(rf->metadata_endpoint);
	free(rf->bucket);
	free(rf);
}

static int dup_opt(char **dst, const char *s)
{
	*dst = NULL;
	if (s && !(*dst = strdup(s)))
		return -ENOMEM;
	return 0;
}

static int refresh_new(const struct bfs_creds_opts *o, struct creds_refresh **out)
{
	struct creds_refresh *rf = calloc(1, sizeof(*rf));

	if (!rf)
		return -ENOMEM;
	pthread_rwlock_init(&rf->lock, NULL);
	pthread_mutex_init(&rf->busy, NULL);
	rf->ecs = o->ecs;
	if (dup_opt(&rf->passwd_file, o->passwd_file) || dup_opt(&rf->profile, o->profile) ||
	    dup_opt(&rf->credential_process, o->credential_process) ||
	    dup_opt(&rf->iam_role, o->iam_role) || dup_opt(&rf->ram_role, o->ram_role) ||
	    dup_opt(&rf->metadata_endpoint, o->metadata_endpoint) ||
	    dup_opt(&rf->bucket, o->bucket)) {
		refresh_free(rf);
		return -ENOMEM;
	}
	*out = rf;
	return 0;
}

int bfs_creds_load(struct bfs_creds *c, const struct bfs_creds_opts *o, char *msg, size_t msgsz)
{
	int rc = load_chain(c, o, msg, msgsz);

	if (rc || c->refresh)
		return rc;
	return refresh_new(o, &c->refresh);
}

/*
 * Read the sources again into a fresh page and, when that works, install
 * the result.  Called with rf->busy held.  Returns 1 when the credentials
 * changed, else 0 (failure: logged, next attempt after a backoff).
 */
static int do_refresh(struct bfs_creds *c, const char *why)
{
	struct creds_refresh *rf = c->refresh;
	struct bfs_creds_opts o = { rf->passwd_file,	   rf->profile,	 rf->credential_process,
				    rf->iam_role,	   rf->ram_role, rf->ecs,
				    rf->metadata_endpoint, rf->bucket };
	struct bfs_creds *tmp = bfs_creds_new();
	char msg[1024] = "";
	long long now, backoff = 0;
	int rc, changed = 0;

	rc = tmp ? load_chain(tmp, &o, msg, sizeof(msg)) : -ENOMEM;
	now = (long long)time(NULL);
	pthread_rwlock_wrlock(&rf->lock);
	if (rc == 0) {
		changed = strcmp(c->access_key, tmp->access_key) ||
			  strcmp(c->secret_key, tmp->secret_key) ||
			  strcmp(c->session_token, tmp->session_token);
		memcpy(c->access_key, tmp->access_key, sizeof(c->access_key));
		memcpy(c->secret_key, tmp->secret_key, sizeof(c->secret_key));
		memcpy(c->session_token, tmp->session_token, sizeof(c->session_token));
		if (strcmp(c->source, tmp->source))
			memcpy(c->source, tmp->source, sizeof(c->source));
		c->expires = tmp->expires;
		rf->gen += changed;
		rf->failures = 0;
		rf->next_try = now + 10; /* even when they are due again at once */
	} else {
		rf->failures++;
		backoff = rf->failures > 4 ? 60 : 5LL << (rf->failures - 1);
		rf->next_try = now + backoff;
	}
	pthread_rwlock_unlock(&rf->lock);
	if (rc == 0 && tmp->expires)
		bfs_log(LOG_INFO, "credentials from %s %s (%s); they expire in %lld s", tmp->source,
			changed ? "renewed" : "read again, unchanged", why, tmp->expires - now);
	else if (rc == 0)
		bfs_log(LOG_INFO, "credentials from %s %s (%s)", tmp->source,
			changed ? "renewed" : "read again, unchanged", why);
	else
		bfs_log(LOG_WARNING,
			"cannot renew the credentials (%s): %s; next attempt in %lld s", why,
			msg[0] ? msg : bfs_strerror(rc), backoff);
	bfs_creds_free(tmp);
	return changed;
}

static void maybe_refresh(struct bfs_creds *c)
{
	struct creds_refresh *rf = c->refresh;
	long long now = (long long)time(NULL), exp, next;
	char why[64];

	pthread_rwlock_rdlock(&rf->lock);
	exp = c->expires;
	next = rf->next_try;
	pthread_rwlock_unlock(&rf->lock);
	if (!exp || now < exp - BFS_CREDS_REFRESH_MARGIN || now < next)
		return;
	/* Before expiry one thread renews while the others go on; after it,
	 * everyone waits for the outcome. */
	if (now < exp) {
		if (pthread_mutex_trylock(&rf->busy))
			return;
	} else {
		pthread_mutex_lock(&rf->busy);
	}
	pthread_rwlock_rdlock(&rf->lock);
	exp = c->expires;
	next = rf->next_try;
	pthread_rwlock_unlock(&rf->lock);
	now = (long long)time(NULL);
	if (exp && now >= exp - BFS_CREDS_REFRESH_MARGIN && now >= next) {
		if (now < exp)
			snprintf(why, sizeof(why), "they expire in %lld s", exp - now);
		else
			snprintf(why, sizeof(why), "they expired %lld s ago", now - exp);
		(void)do_refresh(c, why);
	}
	pthread_mutex_unlock(&rf->busy);
}

unsigned bfs_creds_begin(struct bfs_creds *c)
{
	struct creds_refresh *rf = c->refresh;

	if (!rf)
		return 0;
	maybe_refresh(c);
	pthread_rwlock_rdlock(&rf->lock);
	return rf->gen;
}

void bfs_creds_end(struct bfs_creds *c)
{
	if (c->refresh)
		pthread_rwlock_unlock(&c->refresh->lock);
}

int bfs_creds_rejected(struct bfs_creds *c, unsigned gen, const char *code)
{
	struct creds_refresh *rf = c->refresh;
	long long now = (long long)time(NULL);
	char why[128];
	unsigned cur;
	int changed;

	if (!rf)
		return BFS_E_DENIED;
	pthread_mutex_lock(&rf->busy);
	pthread_rwlock_rdlock(&rf->lock);
	cur = rf->gen;
	pthread_rwlock_unlock(&rf->lock);
	if (cur != gen) {
		pthread_mutex_unlock(&rf->busy);
		return 0; /* another thread renewed them meanwhile */
	}
	if (now - rf->last_forced < 2) {
		pthread_mutex_unlock(&rf->busy);
		return BFS_E_DENIED;
	}
	rf->last_forced = now;
	snprintf(why, sizeof(why), "the server answered %.64s", code && *code ? code : "403");
	changed = do_refresh(c, why);
	pthread_mutex_unlock(&rf->busy);
	return changed ? 0 : BFS_E_DENIED;
}

int bfs_creds_code_is_stale(const char *code)
{
	static const char *const stale[] = {
		"InvalidAccessKeyId",	"ExpiredToken",		 "TokenRefreshRequired",
		"InvalidToken",		"SecurityTokenExpired",	 "InvalidSecurityToken",
		"InvalidClientTokenId", "SignatureDoesNotMatch", NULL,
	};
	size_t i;

	for (i = 0; code && stale[i]; i++)
		if (!strcmp(code, stale[i]))
			return 1;
	return 0;
}

void bfs_creds_help(FILE *out)
{
	fprintf(
	    out,
	    "CREDENTIALS, first found: one of passwd_file=, profile=, credential_process=,\n"
	    "iam_role=, ram_role=, ecs; else AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY\n"
	    "(AWS_SESSION_TOKEN) or OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET (OSS_SESSION_TOKEN);\n"
	    "else ~/.aws/credentials and ~/.aws/config [$AWS_PROFILE or default]; else AWS\n"
	    "container credentials (AWS_CONTAINER_CREDENTIALS_*_URI); else ~/.passwd-bucketfs,\n"
	    "/etc/passwd-bucketfs, ~/.passwd-s3fs, /etc/passwd-s3fs (mode 600 or 640, owned by\n"
	    "the user running bucketfs or root: others than the owner may not write it).  "
	    "Credentials\n"
	    "that expire are renewed 5 minutes ahead; refused ones are read again at once.\n"
	    "Secrets are never taken on the command line.\n");
}
