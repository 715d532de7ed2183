/* SPDX-License-Identifier: MIT */
/*
 * fuzz_options.c - libFuzzer target for option strings and mount targets
 * (config.h): bfs_config_parse_opts, bfs_config_parse_target and
 * bfs_config_finish on a fresh configuration each time, as the daemon and
 * bucketfsctl apply what mount(8), /etc/fstab or a command line hand them.
 *
 * The first byte picks what runs: 0 the rest as one option string, FUSE's
 * options refused; 1 the same, FUSE's options collected into a buffer of a
 * size taken from the second byte; 2 the rest split at its first NUL into
 * a target and an option string (both then NUL-free); 3 the rest as a
 * target alone.  bfs_config_finish follows whenever parsing succeeded.
 * A target "file:DIR" would create DIR: DIR is replaced by a directory made
 * for this run (the rest of the target, ":/PREFIX", is kept).
 * Checked besides memory safety and UB (such as a NaN or huge number cast
 * to an integer): the return codes config.h lists, a message for every
 * BFS_E_CONFIG, the collected unknown options well-formed, and after
 * bfs_config_finish what it guarantees: an endpoint and a region, a known
 * signature, at most one credential source, values within their ranges.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bucketfs/config.h"
#include "bucketfs/creds.h"
#include "bucketfs/error.h"
#include "bucketfs/store.h"
#include "fuzz.h"

static char root[4096]; /* "file:DIR" targets get this DIR */

static void remove_root(void)
{
	(void)rmdir(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "%s/bfs-fuzz-options-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		perror("fuzz_options: mkdtemp");
		abort();
	}
	atexit(remove_root);
	return 0;
}

static int rc_ok(int rc)
{
	return rc == 0 || rc == BFS_E_CONFIG || rc == -ENOMEM;
}

static void check_msg(int rc, const char *msg, size_t msgsz)
{
	FUZZ_CHECK(rc_ok(rc));
	FUZZ_CHECK(fuzz_terminated(msg, msgsz));
	if (rc == BFS_E_CONFIG)
		FUZZ_CHECK(msg[0] != '\0');
}

static int region_chars(const char *r)
{
	for (; *r; r++)
		if (!((*r >= 'a' && *r <= 'z') || (*r >= '0' && *r <= '9') || *r == '-'))
			return 0;
	return 1;
}

static int ttl_ok(long ms)
{
	return ms >= 0 && ms <= 86400L * 365 * 1000 + 1;
}

static int sources(const struct bfs_config *c)
{
	return !!c->creds.passwd_file + !!c->creds.profile + !!c->creds.credential_process +
	       !!c->creds.iam_role + !!c->creds.ram_role + !!c->creds.ecs;
}

/* What bfs_config_finish() guarantees when it returns 0. */
static void check_finished(const struct bfs_config *c)
{
	FUZZ_CHECK(c->store.endpoint && c->store.endpoint[0]);
	FUZZ_CHECK(c->store.region && c->store.region[0] && region_chars(c->store.region));
	FUZZ_CHECK(c->store.signature == BFS_SIG_V4 || c->store.signature == BFS_SIG_OSS_V1 ||
		   c->store.signature == BFS_SIG_OSS_V4);
	FUZZ_CHECK(sources(c) <= 1);
	FUZZ_CHECK(!c->daemon.logfile || c->daemon.logfile[0] == '/');
	FUZZ_CHECK(c->fs.upload_threads >= 1 && c->fs.upload_threads <= 64);
	FUZZ_CHECK(c->store.part_size >= (5ULL << 20));
	FUZZ_CHECK(c->fs.cache_min_free_pct == -1 ||
		   (c->fs.cache_min_free_pct >= 0 && c->fs.cache_min_free_pct <= 90));
	FUZZ_CHECK(c->store.retries >= 0 && c->store.parallel_parts >= 0 &&
		   c->daemon.mount_retry_s >= 0);
	FUZZ_CHECK(c->store.connect_timeout_ms >= 0 && c->store.stall_timeout_s >= 1);
	FUZZ_CHECK(ttl_ok(c->stat_ttl_ms) && ttl_ok(c->neg_ttl_ms) && ttl_ok(c->fs.list_ttl_ms));
	FUZZ_CHECK(c->fs.writeback_ms == -1 || ttl_ok(c->fs.writeback_ms));
	FUZZ_CHECK(!c->fs.has_umask || c->fs.umask <= 07777);
	FUZZ_CHECK(!c->has_mp_umask || c->mp_umask <= 07777);
	/* what the daemon and bucketfsctl hand to the modules as it is */
	FUZZ_CHECK(c->fs.root_mode <= 0777 && c->fs.stat_ttl_ms <= c->stat_ttl_ms &&
		   c->fs.neg_ttl_ms <= c->neg_ttl_ms);
}

/* A prefix is "" or "dir/sub/": it ends with exactly one slash. */
static void check_target(const struct bfs_config *c, int local)
{
	size_t n;

	FUZZ_CHECK(c->bucket && c->bucket[0]);
	/* the modules' target fields point at the target */
	FUZZ_CHECK(c->store.bucket == c->bucket && c->creds.bucket == c->bucket &&
		   c->fs.prefix == c->prefix && c->store.local_root == c->local_root);
	FUZZ_CHECK(c->prefix);
	n = strlen(c->prefix);
	if (n)
		FUZZ_CHECK(n >= 2 && c->prefix[n - 1] == '/' && c->prefix[n - 2] != '/');
	if (local)
		FUZZ_CHECK(c->local_root && c->local_root[0] == '/' && !strcmp(c->bucket, "file"));
}

/* "file:DIR[:/PREFIX]" -> "file:<root>[:/PREFIX]" (DIR "" is kept: an error). */
static char *confine_target(const char *t)
{
	const char *d = t + 5, *colon;
	char *s;

	if (strncmp(t, "file:", 5) || !*d || !strncmp(d, ":/", 2))
		return strdup(t);
	colon = strstr(d, ":/");
	if (asprintf(&s, "file:%s%s", root, colon ? colon : "") < 0)
		return NULL;
	return s;
}

static void run(const char *target, const char *opts, size_t unknown_sz)
{
	struct bfs_config c;
	char msg[256], *unknown = NULL, *t = NULL;
	int rc = 0;

	bfs_config_init(&c);
	memset(msg, 0, sizeof(msg));
	if (target) {
		t = confine_target(target);
		FUZZ_CHECK(t != NULL);
		rc = bfs_config_parse_target(&c, t, msg, sizeof(msg));
		FUZZ_CHECK(rc_ok(rc) || (rc < 0 && !strncmp(t, "file:", 5)));
		if (!rc)
			check_target(&c, !strncmp(t, "file:", 5));
		if (rc)
			goto out;
	}
	if (opts) {
		if (unknown_sz) {
			unknown = malloc(unknown_sz); /* exact: ASan sees overflows */
			FUZZ_CHECK(unknown != NULL);
			unknown[0] = '\0';
		}
		rc = bfs_config_parse_opts(&c, opts, unknown, unknown_sz, msg, sizeof(msg));
		check_msg(rc, msg, sizeof(msg));
		if (unknown) {
			FUZZ_CHECK(fuzz_terminated(unknown, unknown_sz));
			if (!rc && unknown[0])
				FUZZ_CHECK(unknown[0] == ',');
		}
		if (rc)
			goto out;
	}
	memset(msg, 0, sizeof(msg));
	rc = bfs_config_finish(&c, msg, sizeof(msg));
	check_msg(rc, msg, sizeof(msg));
	if (!rc)
		check_finished(&c);
out:
	bfs_config_release(&c);
	free(unknown);
	free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t unknown_sizes[] = { 1, 2, 16, 64, 256, 1024, 4096, 65536 };
	struct fuzz_in in = { data, size };
	uint8_t which = (uint8_t)(fuzz_byte(&in) - '0');
	char *a, *b;
	const uint8_t *nul;
	size_t alen;

	switch (which % 4) {
	case 0:
		a = fuzz_str(in.p, in.n);
		run(NULL, a, 0);
		free(a);
		break;
	case 1: {
		size_t usz = unknown_sizes[fuzz_byte(&in) & 7];

		a = fuzz_str(in.p, in.n);
		run(NULL, a, usz);
		free(a);
		break;
	}
	case 2:
		nul = memchr(in.p, '\0', in.n);
		alen = nul ? (size_t)(nul - in.p) : in.n;
		a = fuzz_str(in.p, alen);
		b = nul ? fuzz_str(nul + 1, in.n - alen - 1) : fuzz_str(in.p, 0);
		run(a, b, 256);
		free(a);
		free(b);
		break;
	default:
		a = fuzz_str(in.p, in.n);
		run(a, NULL, 0);
		free(a);
		break;
	}
	return 0;
}
