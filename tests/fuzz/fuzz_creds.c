/* SPDX-License-Identifier: MIT */
/*
 * fuzz_creds.c - libFuzzer target for the credential parsers of creds.h:
 * passwd files (bfs_creds_from_file), AWS shared credentials and config
 * files (bfs_creds_from_aws_profile), the JSON of metadata services and
 * credential processes in AWS's and Aliyun's shapes (bfs_creds_from_json),
 * and ISO 8601 expiry times (bfs_creds_parse_time).
 *
 * Input: the first byte picks the parser, the second a variant (bucket,
 * profile name, flags, file mode), the rest is the file or the answer.
 * Files are written, mode 600, to a memfd the parsers open by its
 * /proc/self/fd path, so nothing touches the disk.  A profile file never
 * reaches credential_process: every "credential_process" in the input is
 * renamed before it is written, as the fuzzer must not run shell commands
 * it made up.
 * Checked besides memory safety: the return codes creds.h lists, on success
 * a non-empty access key and secret NUL-terminated within their arrays
 * (and no ':' or line break from a passwd file), on failure the secrets
 * wiped, a message whenever BFS_E_CONFIG is returned, and for times that
 * "Z", "+00:00" and "-01:30" shift the result as they should.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/creds.h"
#include "bucketfs/error.h"
#include "fuzz.h"

static int memfd = -1;
static char memfd_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	memfd = memfd_create("bfs-fuzz-creds", MFD_CLOEXEC);
	if (memfd < 0 || fchmod(memfd, 0600) < 0) {
		perror("fuzz_creds: memfd");
		abort();
	}
	snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
	return 0;
}

/* Make the memfd hold exactly these bytes, with this mode. */
static void write_file(const void *p, size_t n, mode_t mode)
{
	FUZZ_CHECK(ftruncate(memfd, 0) == 0);
	FUZZ_CHECK(fchmod(memfd, mode) == 0);
	if (n)
		FUZZ_CHECK(pwrite(memfd, p, n, 0) == (ssize_t)n);
}

static int all_zero(const char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static void check_keys(const struct bfs_creds *c, int rc, const char *msg)
{
	FUZZ_CHECK(fuzz_terminated(msg, 512));
	if (rc == BFS_E_CONFIG)
		FUZZ_CHECK(msg[0] != '\0');
	if (rc) {
		FUZZ_CHECK(all_zero(c->access_key, sizeof(c->access_key)));
		FUZZ_CHECK(all_zero(c->secret_key, sizeof(c->secret_key)));
		return;
	}
	FUZZ_CHECK(fuzz_terminated(c->access_key, sizeof(c->access_key)));
	FUZZ_CHECK(fuzz_terminated(c->secret_key, sizeof(c->secret_key)));
	FUZZ_CHECK(fuzz_terminated(c->session_token, sizeof(c->session_token)));
	FUZZ_CHECK(fuzz_terminated(c->source, sizeof(c->source)));
	FUZZ_CHECK(c->access_key[0] && c->secret_key[0]);
}

static void fuzz_passwd(struct bfs_creds *c, uint8_t variant, const uint8_t *p, size_t n)
{
	static const char *const buckets[] = { NULL, "mybucket", "other", "" };
	char msg[512] = "";
	int rc;

	write_file(p, n, variant & 4 ? 0604 : 0600);
	rc = bfs_creds_from_file(c, memfd_path, buckets[variant & 3], msg, sizeof(msg));
	FUZZ_CHECK(rc == 0 || rc == BFS_E_CONFIG || rc == -ENOMEM);
	check_keys(c, rc, msg);
	if (rc)
		return;
	FUZZ_CHECK(!(variant & 4)); /* others may read it: refused */
	FUZZ_CHECK(!strpbrk(c->access_key, ":\n") && !strpbrk(c->secret_key, ":\n"));
	FUZZ_CHECK(c->session_token[0] == '\0');
	FUZZ_CHECK(strcmp(c->source, memfd_path) == 0);
}

static void fuzz_profile(struct bfs_creds *c, uint8_t variant, const uint8_t *p, size_t n,
			 int config)
{
	static const char *const profiles[] = { "default", "dev", "prod", "profile dev" };
	static const char key[] = "credential_process";
	char *file = fuzz_dup(p, n), *hit, msg[512] = "";
	size_t off = 0;
	int flags = (config ? BFS_AWS_CONFIG_FILE : 0) | (variant & 4 ? BFS_AWS_KEYS_REQUIRED : 0);
	int rc;

	/* never a command made up by the fuzzer */
	while (off < n && (hit = memmem(file + off, n - off, key, strlen(key)))) {
		hit[strlen(key) - 1] = 'X';
		off = (size_t)(hit - file) + strlen(key);
	}
	write_file(file, n, 0600);
	free(file);
	rc = bfs_creds_from_aws_profile(c, memfd_path, profiles[variant & 3], flags, msg,
					sizeof(msg));
	FUZZ_CHECK(rc == 0 || rc == 1 || rc == BFS_E_CONFIG || rc == -ENOMEM);
	check_keys(c, rc, msg);
	if (rc)
		FUZZ_CHECK(all_zero(c->session_token, sizeof(c->session_token)));
}

static void fuzz_json(struct bfs_creds *c, const uint8_t *p, size_t n)
{
	char *json = fuzz_dup(p, n), msg[512] = "";
	int rc;

	rc = bfs_creds_from_json(c, json, n, "fuzz", msg, sizeof(msg));
	free(json);
	FUZZ_CHECK(rc == 0 || rc == BFS_E_CONFIG || rc == -ENOMEM);
	check_keys(c, rc, msg);
	if (rc) {
		FUZZ_CHECK(all_zero(c->session_token, sizeof(c->session_token)));
		return;
	}
	FUZZ_CHECK(strcmp(c->source, "fuzz") == 0);
	FUZZ_CHECK(c->expires == 0 || c->expires > (long long)time(NULL) - 60);
}

/* The same instant written with "Z", "+00:00" and "-01:30". */
static void fuzz_time(const uint8_t *p, size_t n)
{
	char *s = fuzz_str(p, n), *t;
	size_t len = strlen(s);
	long long z, v;

	(void)bfs_creds_parse_time(s);
	if (!len || s[len - 1] != 'Z')
		goto out;
	z = bfs_creds_parse_time(s);
	if (z == -1)
		goto out;
	t = malloc(len + 6);
	FUZZ_CHECK(t != NULL);
	memcpy(t, s, len - 1);
	memcpy(t + len - 1, "+00:00", 7);
	v = bfs_creds_parse_time(t);
	FUZZ_CHECK(v == z);
	memcpy(t + len - 1, "-01:30", 7);
	v = bfs_creds_parse_time(t);
	FUZZ_CHECK(v == z + 5400);
	free(t);
out:
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t which = (uint8_t)(fuzz_byte(&in) - '0');
	uint8_t variant = (uint8_t)(fuzz_byte(&in) - '0');
	struct bfs_creds *c;

	if (which % 5 == 4) {
		fuzz_time(in.p, in.n);
		return 0;
	}
	c = bfs_creds_new();
	FUZZ_CHECK(c != NULL);
	switch (which % 5) {
	case 0:
		fuzz_passwd(c, variant, in.p, in.n);
		break;
	case 1:
		fuzz_profile(c, variant, in.p, in.n, 0);
		break;
	case 2:
		fuzz_profile(c, variant, in.p, in.n, 1);
		break;
	default:
		fuzz_json(c, in.p, in.n);
		break;
	}
	bfs_creds_free(c);
	return 0;
}
