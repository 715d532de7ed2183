/* SPDX-License-Identifier: MIT */
/*
 * creds.h - where the access key and secret come from, and keeping
 * temporary ones fresh.
 *
 * Sources, first match wins:
 *   1. an explicit option, at most one of:
 *      passwd_file=FILE (s3fs format, below);
 *      profile=NAME: that profile of ~/.aws/credentials or ~/.aws/config
 *        ([NAME] / [profile NAME]): its keys, or its credential_process;
 *      credential_process=CMD: run by /bin/sh, prints JSON (below);
 *      iam_role=auto|ROLE: AWS EC2 instance role, IMDSv2 (token first);
 *      ram_role=auto|ROLE: Aliyun ECS RAM role, metadata server (token first);
 *      ecs: AWS container credentials (ECS task role, EKS pod identity) from
 *        AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI;
 *   2. the environment, the first pair found of: AWS_ACCESS_KEY_ID +
 *      AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); s3fs's AWSACCESSKEYID +
 *      AWSSECRETACCESSKEY; Aliyun's OSS_ACCESS_KEY_ID + OSS_ACCESS_KEY_SECRET
 *      (+ OSS_SESSION_TOKEN); ALIBABA_CLOUD_ACCESS_KEY_ID +
 *      ALIBABA_CLOUD_ACCESS_KEY_SECRET (+ ALIBABA_CLOUD_SECURITY_TOKEN);
 *   3. the AWS shared files' profile $AWS_PROFILE or "default"
 *      (~/.aws/credentials, then ~/.aws/config; AWS_SHARED_CREDENTIALS_FILE
 *      and AWS_CONFIG_FILE move them): aws_access_key_id,
 *      aws_secret_access_key, aws_session_token, or credential_process;
 *   4. AWS container credentials, when AWS_CONTAINER_CREDENTIALS_FULL_URI or
 *      _RELATIVE_URI is set (as every AWS SDK does);
 *   5. ~/.passwd-bucketfs, /etc/passwd-bucketfs, then s3fs's own
 *      ~/.passwd-s3fs and /etc/passwd-s3fs.
 * Instance metadata services are asked only when named (iam_role=,
 * ram_role=): probing a link-local address on a machine without one would
 * delay every mount by a timeout.
 *
 * A passwd file holds "ACCESS_KEY:SECRET" or "BUCKET:ACCESS_KEY:SECRET"
 * lines ('#' comments and blank lines ignored); a line naming the bucket
 * wins over a plain one.  Like s3fs, a file that others may read is refused.
 *
 * JSON answers (metadata services, credential processes) are read with the
 * names of AWS (AccessKeyId, SecretAccessKey, Token or SessionToken,
 * Expiration), of Aliyun's metadata service (AccessKeySecret,
 * SecurityToken) and of Aliyun's CLI external mode (access_key_id,
 * access_key_secret, sts_token).  "Expiration" is ISO 8601 UTC.
 *
 * Refresh.  Credentials with an expiry are fetched again from their source
 * BFS_CREDS_REFRESH_MARGIN seconds before they expire, by the first request
 * that notices; other requests keep signing with the old ones meanwhile,
 * unless those have expired.  A failed refresh is logged and retried with
 * backoff (5 s doubling to 60 s).  When the server refuses credentials as
 * unknown or expired, the sources are read again at once (at most every
 * 2 s) and the request retried with the new ones: so keys rotated in a
 * passwd or shared file, or by a metadata service ahead of its announced
 * expiry, are picked up without a remount.
 *
 * Secrets live in a page excluded from core dumps (MADV_DONTDUMP) and are
 * wiped when freed.  They never appear in messages or logs.
 */
#ifndef BUCKETFS_CREDS_H
#define BUCKETFS_CREDS_H

#include <stddef.h>
#include <stdio.h>

struct creds_refresh;

struct bfs_creds {
	char access_key[256];
	char secret_key[256];
	char session_token[2048];      /* "" when none */
	char source[512];	       /* where they came from, for messages (no secret) */
	long long expires;	       /* seconds since the epoch; 0: no known expiry */
	struct creds_refresh *refresh; /* private to creds.c; NULL: never refreshed */
};

#define BFS_CREDS_REFRESH_MARGIN 300 /* seconds before expiry to fetch new ones */

/* Which sources to use (strings borrowed for the call; copied when kept). */
struct bfs_creds_opts {
	const char *passwd_file;
	const char *profile;
	const char *credential_process;
	const char *iam_role; /* "auto" or a role name */
	const char *ram_role; /* "auto" or a role name */
	int ecs;
	const char *metadata_endpoint; /* URL of the instance metadata service;
					* NULL: $AWS_EC2_METADATA_SERVICE_ENDPOINT
					* or http://169.254.169.254 (AWS),
					* http://100.100.100.200 (Aliyun) */
	const char *bucket;	       /* for BUCKET: lines of passwd files */
};

/* The sources and their order, for --help. */
void bfs_creds_help(FILE *out);

/* Allocate an empty credentials page.  Returns NULL on ENOMEM. */
struct bfs_creds *bfs_creds_new(void);

/* Wipe and free (NULL is fine).  No thread may be using c. */
void bfs_creds_free(struct bfs_creds *c);

/*
 * Fill c from the sources above and remember them for refreshing.  On
 * failure writes a message naming the problem (file, line number,
 * permission, service, exit status) into msg.  Returns 0, BFS_E_CONFIG (bad
 * file, nothing found, a source that failed or answered nonsense) or -errno.
 * Call before starting threads that use c.
 */
int bfs_creds_load(struct bfs_creds *c, const struct bfs_creds_opts *o, char *msg, size_t msgsz);

/*
 * Start signing with c: refresh first when they are due (see above), then
 * hold them (a read lock) until bfs_creds_end().  Returns their generation,
 * for bfs_creds_rejected().  Thread-safe.  Credentials filled by hand
 * (not by bfs_creds_load) are never refreshed.
 */
unsigned bfs_creds_begin(struct bfs_creds *c);
void bfs_creds_end(struct bfs_creds *c);

/*
 * The server refused the credentials of generation gen (code is its error
 * code, e.g. InvalidAccessKeyId or ExpiredToken).  Read the sources again
 * unless another thread already did.  Returns 0 when c now holds other
 * credentials (retry the request), or BFS_E_DENIED (nothing new: give up).
 * Must not be called between bfs_creds_begin() and bfs_creds_end().
 */
int bfs_creds_rejected(struct bfs_creds *c, unsigned gen, const char *code);

/* 1 when code is a server error code meaning "these credentials are unknown
 * or expired" (so new ones may help), else 0. */
int bfs_creds_code_is_stale(const char *code);

#define BFS_AWS_CONFIG_FILE 1	/* sections are "[profile NAME]" and "[default]" */
#define BFS_AWS_KEYS_REQUIRED 2 /* a profile without keys is an error, not absent */

/*
 * Read profile from an AWS shared credentials file ("[NAME]" sections) or,
 * with BFS_AWS_CONFIG_FILE in flags, a config file: its keys or, without
 * keys, its credential_process (run).  Returns 0, 1 when the file has no
 * such profile (or one with neither, unless BFS_AWS_KEYS_REQUIRED),
 * -ENOENT when there is no file, BFS_E_CONFIG (a key missing, a bad value,
 * the process failed) with msg set, or -errno.
 */
int bfs_creds_from_aws_profile(struct bfs_creds *c, const char *path, const char *profile,
			       int flags, char *msg, size_t msgsz);

/*
 * Parse one passwd file.  Returns 0 with c filled, -ENOENT when the file
 * does not exist, BFS_E_CONFIG with msg set (permissions, bad line, no line
 * for this bucket), or -errno.
 */
int bfs_creds_from_file(struct bfs_creds *c, const char *path, const char *bucket, char *msg,
			size_t msgsz);

/* --- creds_fetch.c: the sources that answer JSON ------------------------- */

/*
 * Fill c from one JSON answer (names above); what names the source in
 * messages and becomes c->source.  A "Code" other than "Success", a missing
 * key, an unparsable or past Expiration is BFS_E_CONFIG with msg set.
 */
int bfs_creds_from_json(struct bfs_creds *c, const char *json, size_t len, const char *what,
			char *msg, size_t msgsz);

/*
 * Run cmd with /bin/sh -c (stdin /dev/null, stderr inherited), read at most
 * 64 KiB of its output within 30 s, and parse it as JSON.  A failed start,
 * a non-zero exit, a timeout (the process is killed) or bad output is
 * BFS_E_CONFIG with msg set.
 */
int bfs_creds_from_process(struct bfs_creds *c, const char *cmd, char *msg, size_t msgsz);

enum bfs_imds_kind { BFS_IMDS_AWS, BFS_IMDS_ALIYUN };

/*
 * Ask an instance metadata service for a role's credentials: PUT
 * /latest/api/token, then GET .../security-credentials/ (the role name,
 * when role is NULL or "auto") and .../security-credentials/ROLE, each
 * with the token.  endpoint NULL means the default (see bfs_creds_opts).
 * Each request: connect timeout 1 s, 5 s in all, answer at most 64 KiB.
 * Returns 0 or BFS_E_CONFIG with msg set.
 */
int bfs_creds_from_imds(struct bfs_creds *c, enum bfs_imds_kind kind, const char *endpoint,
			const char *role, char *msg, size_t msgsz);

/*
 * AWS container credentials: GET $AWS_CONTAINER_CREDENTIALS_FULL_URI (https,
 * or http to a loopback or the ECS/EKS link-local addresses) or
 * http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, with
 * Authorization from $AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read each
 * time) or $AWS_CONTAINER_AUTHORIZATION_TOKEN.  Returns 0, -ENOENT when
 * neither URI variable is set, or BFS_E_CONFIG with msg set.
 */
int bfs_creds_from_container(struct bfs_creds *c, char *msg, size_t msgsz);

/* Parse ISO 8601 "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)" to seconds
 * since the epoch, or -1. */
long long bfs_creds_parse_time(const char *s);

#endif
