/* SPDX-License-Identifier: MIT */
/* creds.c - credentials from passwd files and the environment (see creds.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bucketfs/creds.h"
#include "bucketfs/crypto.h"
#include "bucketfs/error.h"

#define CREDS_FILE_MAX (64 * 1024)

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

void bfs_creds_free(struct bfs_creds *c)
{
	if (!c)
		return;
	bfs_wipe(c, sizeof(*c));
	munlock(c, sizeof(*c));
	munmap(c, sizeof(*c));
}

static int copy_field(char *dst, size_t dstsz, const char *s, size_t n)
{
	if (n == 0 || n >= dstsz)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && ((*s)[0] == ' ' || (*s)[0] == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
}

/* Read the whole (small) file; refuses files others may read. */
static int read_private_file(const char *path, char *buf, size_t bufsz, size_t *len,
			     int strict, char *msg, size_t msgsz)
{
	struct stat st;
	ssize_t r;
	size_t got = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ELOOP)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (rc != -ENOENT)
			snprintf(msg, msgsz, "cannot open credentials file %s: %s", path,
				 strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(msg, msgsz, "credentials file %s is not a regular file", path);
		rc = BFS_E_CONFIG;
		goto out;
	}
	if (strict && (st.st_mode & S_IRWXO)) {
		snprintf(msg, msgsz,
			 "credentials file %s is accessible by others (mode %04o); "
			 "run: chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
		rc = BFS_E_CONFIG;
		goto out;
	}
	while (got < bufsz - 1) {
		r = read(fd, buf + got, bufsz - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got == bufsz - 1) {
		snprintf(msg, msgsz, "credentials file %s is too large", path);
		rc = BFS_E_CONFIG;
		goto out;
	}
	buf[got] = '\0';
	*len = got;
out:
	close(fd);
	return rc;
}

int bfs_creds_from_file(struct bfs_creds *c, const char *path, const char *bucket,
			char *msg, size_t msgsz)
{
	char *buf;
	size_t len = 0;
	const char *p, *end;
	int lineno = 0, have_default = 0, have_bucket = 0, rc;

	buf = malloc(CREDS_FILE_MAX);
	if (!buf)
		return -ENOMEM;
	rc = read_private_file(path, buf, CREDS_FILE_MAX, &len, 1, msg, msgsz);
	if (rc)
		goto out;
	p = buf;
	end = buf + len;
	while (p < end && !have_bucket) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = eol ? eol : end;
		const char *c1, *c2;

		lineno++;
		p = eol ? eol + 1 : end;
		trim(&s, &e);
		if (s == e || *s == '#')
			continue;
		c1 = memchr(s, ':', (size_t)(e - s));
		c2 = c1 ? memchr(c1 + 1, ':', (size_t)(e - c1 - 1)) : NULL;
		if (c1 && (!c2 || !memchr(c2 + 1, ':', (size_t)(e - c2 - 1)))) {
			const char *ak = c2 ? c1 + 1 : s, *ake = c2 ? c2 : c1;
			const char *sk = (c2 ? c2 : c1) + 1, *ske = e;

			if (c2) {
				/* BUCKET:ACCESS_KEY:SECRET applies to that bucket only */
				size_t bl = (size_t)(c1 - s);
				if (!bucket || strlen(bucket) != bl || memcmp(bucket, s, bl) != 0)
					continue;
			} else if (have_default) {
				continue;
			}
			trim(&ak, &ake);
			trim(&sk, &ske);
			if (copy_field(c->access_key, sizeof(c->access_key), ak, (size_t)(ake - ak)) ||
			    copy_field(c->secret_key, sizeof(c->secret_key), sk, (size_t)(ske - sk))) {
				snprintf(msg, msgsz, "%s line %d: empty or over-long key or secret",
					 path, lineno);
				rc = BFS_E_CONFIG;
				goto out;
			}
			if (c2)
				have_bucket = 1;
			else
				have_default = 1;
			continue;
		}
		snprintf(msg, msgsz,
			 "%s line %d: expected ACCESS_KEY:SECRET or BUCKET:ACCESS_KEY:SECRET",
			 path, lineno);
		rc = BFS_E_CONFIG;
		goto out;
	}
	if (!have_bucket && !have_default) {
		snprintf(msg, msgsz, "%s has no credentials%s%s", path,
			 bucket ? " for bucket " : "", bucket ? bucket : "");
		rc = BFS_E_CONFIG;
		goto out;
	}
	c->session_token[0] = '\0';
	snprintf(c->source, sizeof(c->source), "%s", path);
out:
	bfs_wipe(buf, CREDS_FILE_MAX);
	free(buf);
	if (rc) {
		bfs_wipe(c->access_key, sizeof(c->access_key));
		bfs_wipe(c->secret_key, sizeof(c->secret_key));
	}
	return rc;
}

/* Copy the value of "key = value" (trimmed) into dst; 0 or -1 if too long/empty. */
static int ini_value(char *dst, size_t dstsz, const char *v, const char *e)
{
	trim(&v, &e);
	return copy_field(dst, dstsz, v, (size_t)(e - v));
}

int bfs_creds_from_aws_profile(struct bfs_creds *c, const char *path, const char *profile,
			       int flags, char *msg, size_t msgsz)
{
	char *buf, want[300];
	const char *p, *end;
	size_t len = 0;
	int rc, in = 0, found = 0, ak = 0, sk = 0, lineno = 0;

	if ((flags & BFS_AWS_CONFIG_FILE) && strcmp(profile, "default"))
		snprintf(want, sizeof(want), "profile %s", profile);
	else
		snprintf(want, sizeof(want), "%s", profile);
	buf = malloc(CREDS_FILE_MAX);
	if (!buf)
		return -ENOMEM;
	rc = read_private_file(path, buf, CREDS_FILE_MAX, &len, 0, msg, msgsz);
	if (rc)
		goto out;
	c->session_token[0] = '\0';
	for (p = buf, end = buf + len; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = eol ? eol : end, *eq;

		p = eol ? eol + 1 : end;
		lineno++;
		trim(&s, &e);
		if (s == e || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			const char *n = s + 1, *ne = e;

			if (ne > n && ne[-1] == ']')
				ne--;
			trim(&n, &ne);
			in = (size_t)(ne - n) == strlen(want) && !memcmp(n, want, strlen(want));
			found |= in;
			continue;
		}
		if (!in || !(eq = memchr(s, '=', (size_t)(e - s))))
			continue;
		{
			const char *k = s, *ke = eq;
			size_t kl;

			trim(&k, &ke);
			kl = (size_t)(ke - k);
			if (kl == 17 && !memcmp(k, "aws_access_key_id", 17)) {
				if (ini_value(c->access_key, sizeof(c->access_key), eq + 1, e))
					goto bad_line;
				ak = 1;
			} else if (kl == 21 && !memcmp(k, "aws_secret_access_key", 21)) {
				if (ini_value(c->secret_key, sizeof(c->secret_key), eq + 1, e))
					goto bad_line;
				sk = 1;
			} else if (kl == 17 && !memcmp(k, "aws_session_token", 17)) {
				if (ini_value(c->session_token, sizeof(c->session_token), eq + 1, e))
					goto bad_line;
			}
		}
	}
	if (!found) {
		rc = 1;
		goto out;
	}
	if (!ak && !sk && !(flags & BFS_AWS_KEYS_REQUIRED)) {
		rc = 1; /* a profile with only settings (region, ...): look further */
		goto out;
	}
	if (!ak || !sk) {
		snprintf(msg, msgsz, "%s: profile [%s] has no aws_access_key_id and "
			 "aws_secret_access_key", path, want);
		rc = BFS_E_CONFIG;
		goto out;
	}
	snprintf(c->source, sizeof(c->source), "%s [%s]", path, want);
	rc = 0;
	goto out;
bad_line:
	snprintf(msg, msgsz, "%s line %d: empty or over-long value", path, lineno);
	rc = BFS_E_CONFIG;
out:
	bfs_wipe(buf, CREDS_FILE_MAX);
	free(buf);
	if (rc) {
		bfs_wipe(c->access_key, sizeof(c->access_key));
		bfs_wipe(c->secret_key, sizeof(c->secret_key));
		bfs_wipe(c->session_token, sizeof(c->session_token));
	}
	return rc;
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

static int from_env(struct bfs_creds *c, const char *akvar, const char *skvar,
		    const char *tokvar, char *msg, size_t msgsz)
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

int bfs_creds_load(struct bfs_creds *c, const char *passwd_file, const char *profile,
		   const char *bucket, char *msg, size_t msgsz)
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
	const char *home = getenv("HOME");
	char path[4096];
	size_t i;
	int rc;

	msg[0] = '\0';
	if (passwd_file) {
		rc = bfs_creds_from_file(c, passwd_file, bucket, msg, msgsz);
		if (rc == -ENOENT)
			snprintf(msg, msgsz, "credentials file %s does not exist", passwd_file);
		return rc == -ENOENT ? BFS_E_CONFIG : rc;
	}
	if (profile) {
		/* asked for by name: that profile or a clear error */
		rc = from_aws_files(c, profile, 1, msg, msgsz);
		if (rc == -ENOENT)
			snprintf(msg, msgsz, "no profile [%s] in ~/.aws/credentials or ~/.aws/config",
				 profile);
		return rc == -ENOENT ? BFS_E_CONFIG : rc;
	}
	for (i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++) {
		rc = from_env(c, env_names[i][0], env_names[i][1], env_names[i][2], msg, msgsz);
		if (rc != -ENOENT)
			return rc;
	}
	rc = from_aws_files(c, getenv("AWS_PROFILE") && *getenv("AWS_PROFILE") ?
				       getenv("AWS_PROFILE") : "default", 0, msg, msgsz);
	if (rc != -ENOENT)
		return rc;
	for (i = 0; i < 2; i++) {
		if (home && *home) {
			snprintf(path, sizeof(path), "%s/%s", home, home_files[i]);
			rc = bfs_creds_from_file(c, path, bucket, msg, msgsz);
			if (rc != -ENOENT)
				return rc;
		}
		rc = bfs_creds_from_file(c, etc_files[i], bucket, msg, msgsz);
		if (rc != -ENOENT)
			return rc;
	}
	snprintf(msg, msgsz,
		 "no credentials: use -o passwd_file=FILE (lines ACCESS_KEY:SECRET, mode 600), "
		 "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or /etc/passwd-bucketfs");
	return BFS_E_CONFIG;
}
