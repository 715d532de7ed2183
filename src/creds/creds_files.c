/* SPDX-License-Identifier: MIT */
/*
 * creds_files.c - credentials read from files: s3fs's and ossfs's passwd
 * files (ACCESS:SECRET, BUCKET:ACCESS:SECRET), which must be private, and
 * the AWS shared files' profiles (see creds.h).  The order of the sources
 * and the renewal are in creds.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "bucketfs/creds.h"
#include "bucketfs/crypto.h"
#include "bucketfs/error.h"
#include "bucketfs/log.h"

#define CREDS_FILE_MAX (64 * 1024) /* bytes read of a credentials file */

static int copy_field(char *dst, size_t dstsz, const char *s, size_t n)
{
	/* a NUL inside (a UTF-16 file, say) would cut the key short */
	if (n == 0 || n >= dstsz || memchr(s, '\0', n))
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

/* The user name of uid for a message ("uid N" if it has none). */
static void user_name(uid_t uid, char *out, size_t outsz)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (!getpwuid_r(uid, &pw, buf, sizeof(buf), &res) && res)
		snprintf(out, outsz, "%s", res->pw_name);
	else
		snprintf(out, outsz, "%u", (unsigned)uid);
}

/*
 * Whether a passwd file may be trusted with the keys, as ssh judges its
 * key files: no one but its owner and group may read it (the secret), no
 * one but its owner may write it (whoever can write it chooses the keys
 * the daemon signs with), and its owner is the daemon's user or root (who
 * owns it can chmod it).  Group read (0640) is allowed, as s3fs allows it
 * for /etc/passwd-s3fs: a group of admins may share the file.  0 or
 * BFS_E_CONFIG with the command to run in msg.
 */
static int private_file_ok(const char *path, const struct stat *st, char *msg, size_t msgsz)
{
	char owner[64], want[64];
	uid_t me = geteuid();

	if (st->st_mode & S_IRWXO) {
		snprintf(msg, msgsz,
			 "credentials file %s is accessible by others (mode %04o); "
			 "run: chmod 600 %s",
			 path, (unsigned)(st->st_mode & 07777), path);
		return BFS_E_CONFIG;
	}
	if (st->st_mode & S_IWGRP) {
		snprintf(msg, msgsz,
			 "credentials file %s is writable by its group (mode %04o): whoever can "
			 "write it chooses the keys; run: chmod 600 %s (or 640 to let its group "
			 "read it)",
			 path, (unsigned)(st->st_mode & 07777), path);
		return BFS_E_CONFIG;
	}
	if (st->st_uid != me && st->st_uid != 0) {
		user_name(st->st_uid, owner, sizeof(owner));
		user_name(me, want, sizeof(want));
		snprintf(msg, msgsz,
			 "credentials file %s is owned by %s, not by %s (who runs bucketfs)%s: "
			 "its owner can change it; run: chown %s %s",
			 path, owner, want, me ? " or root" : "", want, path);
		return BFS_E_CONFIG;
	}
	return 0;
}

/*
 * Read the whole (small) file; strict: refuses a file others may read, or
 * others than its owner may change (private_file_ok).
 */
static int read_private_file(const char *path, char *buf, size_t bufsz, size_t *len, int strict,
			     char *msg, size_t msgsz)
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
	if (strict && (rc = private_file_ok(path, &st, msg, msgsz)))
		goto out;
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

int bfs_creds_from_file(struct bfs_creds *c, const char *path, const char *bucket, char *msg,
			size_t msgsz)
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
			if (copy_field(c->access_key, sizeof(c->access_key), ak,
				       (size_t)(ake - ak)) ||
			    copy_field(c->secret_key, sizeof(c->secret_key), sk,
				       (size_t)(ske - sk))) {
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
			 "%s line %d: expected ACCESS_KEY:SECRET or BUCKET:ACCESS_KEY:SECRET", path,
			 lineno);
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

/* Long: one walk of the file, line by line (sections, keys, what each key
 * sets), read top to bottom as the AWS CLI reads it. */
int bfs_creds_from_aws_profile(struct bfs_creds *c, const char *path, const char *profile,
			       int flags, char *msg, size_t msgsz)
{
	char *buf, want[300], process[4096] = "";
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
				if (ini_value(c->session_token, sizeof(c->session_token), eq + 1,
					      e))
					goto bad_line;
			} else if (kl == 18 && !memcmp(k, "credential_process", 18)) {
				if (ini_value(process, sizeof(process), eq + 1, e))
					goto bad_line;
			}
		}
	}
	if (!found) {
		rc = 1;
		goto out;
	}
	if (!ak && !sk && process[0]) {
		rc = bfs_creds_from_process(c, process, msg, msgsz);
		if (!rc)
			snprintf(c->source, sizeof(c->source), "%s [%s] credential_process", path,
				 want);
		goto out;
	}
	if (!ak && !sk && !(flags & BFS_AWS_KEYS_REQUIRED)) {
		rc = 1; /* a profile with only settings (region, ...): look further */
		goto out;
	}
	if (!ak || !sk) {
		snprintf(msg, msgsz,
			 "%s: profile [%s] has no aws_access_key_id and "
			 "aws_secret_access_key (nor credential_process)",
			 path, want);
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
