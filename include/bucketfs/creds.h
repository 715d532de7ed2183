/* SPDX-License-Identifier: MIT */
/*
 * creds.h - where the access key and secret come from.
 *
 * Sources, first match wins:
 *   1. passwd_file=FILE (s3fs format, below) when given;
 *   1b. profile=NAME when given: that profile of ~/.aws/credentials or
 *      ~/.aws/config ([NAME] / [profile NAME]), or an error;
 *   2. the environment, the first pair found of: AWS_ACCESS_KEY_ID +
 *      AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); s3fs's AWSACCESSKEYID +
 *      AWSSECRETACCESSKEY; Aliyun's OSS_ACCESS_KEY_ID + OSS_ACCESS_KEY_SECRET
 *      (+ OSS_SESSION_TOKEN); ALIBABA_CLOUD_ACCESS_KEY_ID +
 *      ALIBABA_CLOUD_ACCESS_KEY_SECRET (+ ALIBABA_CLOUD_SECURITY_TOKEN);
 *   3. the AWS shared files' profile $AWS_PROFILE or "default"
 *      (~/.aws/credentials, then ~/.aws/config; AWS_SHARED_CREDENTIALS_FILE
 *      and AWS_CONFIG_FILE move them): aws_access_key_id,
 *      aws_secret_access_key, aws_session_token;
 *   4. ~/.passwd-bucketfs, /etc/passwd-bucketfs, then s3fs's own
 *      ~/.passwd-s3fs and /etc/passwd-s3fs.
 * A passwd file holds "ACCESS_KEY:SECRET" or "BUCKET:ACCESS_KEY:SECRET"
 * lines ('#' comments and blank lines ignored); a line naming the bucket
 * wins over a plain one.  Like s3fs, a file that others may read is refused.
 *
 * Secrets live in a page excluded from core dumps (MADV_DONTDUMP) and are
 * wiped when freed.  They never appear in messages.
 */
#ifndef BUCKETFS_CREDS_H
#define BUCKETFS_CREDS_H

#include <stddef.h>

struct bfs_creds {
	char access_key[256];
	char secret_key[256];
	char session_token[2048];  /* "" when none */
	char source[512];          /* where they came from, for messages (no secret) */
};

/* Allocate an empty credentials page.  Returns NULL on ENOMEM. */
struct bfs_creds *bfs_creds_new(void);

/* Wipe and free (NULL is fine). */
void bfs_creds_free(struct bfs_creds *c);

/*
 * Fill c from profile (may be NULL), passwd_file (may be NULL) and the
 * other sources above, for bucket (may be NULL).  On failure writes a
 * message naming the problem (file, line number, permission) into msg.
 * Returns 0, BFS_E_CONFIG (bad file or no credentials found), or -errno.
 */
int bfs_creds_load(struct bfs_creds *c, const char *passwd_file, const char *profile,
		   const char *bucket, char *msg, size_t msgsz);

#define BFS_AWS_CONFIG_FILE 1    /* sections are "[profile NAME]" and "[default]" */
#define BFS_AWS_KEYS_REQUIRED 2  /* a profile without keys is an error, not absent */

/*
 * Read profile from an AWS shared credentials file ("[NAME]" sections) or,
 * with BFS_AWS_CONFIG_FILE in flags, a config file.  Returns 0, 1 when the
 * file has no such profile (or one with no keys at all, unless
 * BFS_AWS_KEYS_REQUIRED), -ENOENT when there is no file, BFS_E_CONFIG (a
 * key missing, a bad value) with msg set, or -errno.
 */
int bfs_creds_from_aws_profile(struct bfs_creds *c, const char *path, const char *profile,
			       int flags, char *msg, size_t msgsz);

/*
 * Parse one passwd file.  Returns 0 with c filled, -ENOENT when the file
 * does not exist, BFS_E_CONFIG with msg set (permissions, bad line, no line
 * for this bucket), or -errno.
 */
int bfs_creds_from_file(struct bfs_creds *c, const char *path, const char *bucket,
			char *msg, size_t msgsz);

#endif
