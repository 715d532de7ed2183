/* SPDX-License-Identifier: MIT */
/* test_creds.c - passwd file parsing, permissions and source order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bucketfs/creds.h"
#include "bucketfs/error.h"
#include "check.h"

static char dir[] = "/tmp/bfs-creds-XXXXXX";

/* bfs_creds_load() with a passwd file and a profile (either may be NULL). */
static int load(struct bfs_creds *c, const char *passwd_file, const char *profile, char *msg,
		size_t msgsz)
{
	struct bfs_creds_opts o = { 0 };

	o.passwd_file = passwd_file;
	o.profile = profile;
	o.bucket = "b";
	return bfs_creds_load(c, &o, msg, msgsz);
}

static const char *write_file(const char *name, const char *text, mode_t mode)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

struct file_case {
	const char *text;
	mode_t mode;
	const char *bucket;
	int rc;
	const char *ak, *sk;
	const char *msg_has; /* substring of the message on failure */
};

static const struct file_case cases[] = {
	{ "AK1:SK1\n", 0600, "b", 0, "AK1", "SK1", NULL },
	{ "AK1:SK1", 0640, NULL, 0, "AK1", "SK1", NULL }, /* no newline, group read */
	{ "# comment\n\n  AK1 : SK/1+x \r\n", 0600, "b", 0, "AK1", "SK/1+x", NULL },
	{ "AK1:SK1\nb:AK2:SK2\n", 0600, "b", 0, "AK2", "SK2", NULL }, /* bucket line wins */
	{ "b:AK2:SK2\nAK1:SK1\n", 0600, "b", 0, "AK2", "SK2", NULL },
	{ "other:AK2:SK2\nAK1:SK1\n", 0600, "b", 0, "AK1", "SK1", NULL },
	{ "other:AK2:SK2\n", 0600, "b", BFS_E_CONFIG, NULL, NULL, "no credentials for bucket b" },
	{ "AK1:SK1\n", 0604, "b", BFS_E_CONFIG, NULL, NULL, "accessible by others" },
	{ "AK1:SK1\n", 0644, "b", BFS_E_CONFIG, NULL, NULL, "chmod 600" },
	/* whoever can write the file chooses the keys */
	{ "AK1:SK1\n", 0660, "b", BFS_E_CONFIG, NULL, NULL, "writable by its group" },
	{ "AK1:SK1\n", 0620, "b", BFS_E_CONFIG, NULL, NULL, "chmod 600" },
	{ "AK1:SK1\n", 0602, "b", BFS_E_CONFIG, NULL, NULL, "accessible by others" },
	{ "AK1:SK1\n", 0400, "b", 0, "AK1", "SK1", NULL },
	{ "AK1:SK1\n", 0440, "b", 0, "AK1", "SK1", NULL },
	{ "AK1:SK1\njunkline\n", 0600, "b", BFS_E_CONFIG, NULL, NULL, "line 2" },
	{ "a:b:c:d\n", 0600, "b", BFS_E_CONFIG, NULL, NULL, "line 1" },
	{ ":SK1\n", 0600, "b", BFS_E_CONFIG, NULL, NULL, "line 1: empty" },
	{ "AK1:\n", 0600, "b", BFS_E_CONFIG, NULL, NULL, "line 1: empty" },
	{ "", 0600, "b", BFS_E_CONFIG, NULL, NULL, "has no credentials" },
};

static void test_files(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct file_case *fc = &cases[i];
		struct bfs_creds *c = bfs_creds_new();
		char msg[512] = "";
		const char *path = write_file("passwd", fc->text, fc->mode);
		int rc;

		CHECK(c != NULL && path != NULL);
		if (!c || !path)
			return;
		rc = bfs_creds_from_file(c, path, fc->bucket, msg, sizeof(msg));
		CHECK_INT(rc, fc->rc);
		if (fc->rc == 0) {
			CHECK_STR(c->access_key, fc->ak);
			CHECK_STR(c->secret_key, fc->sk);
			CHECK_STR(c->source, path);
		} else {
			if (!strstr(msg, fc->msg_has))
				fprintf(stderr, "case %zu: message '%s' lacks '%s'\n", i, msg,
					fc->msg_has);
			CHECK(strstr(msg, fc->msg_has) != NULL);
			/* the message never repeats the secret */
			CHECK(strstr(msg, "SK1") == NULL && strstr(msg, "SK2") == NULL);
		}
		bfs_creds_free(c);
	}
}

/* A file owned by another user than the daemon's (or root) is refused:
 * its owner could change it.  Needs root (to chown). */
static void test_owner(void)
{
	struct bfs_creds *c = bfs_creds_new();
	const char *path = write_file("owned", "AK1:SK1\n", 0600);
	char msg[512] = "";

	CHECK(c != NULL && path != NULL);
	if (!c || !path || geteuid() != 0) {
		bfs_creds_free(c);
		return;
	}
	CHECK_INT(chown(path, 65534, 65534), 0);
	CHECK_INT(bfs_creds_from_file(c, path, NULL, msg, sizeof(msg)), BFS_E_CONFIG);
	CHECK(strstr(msg, "chown root") != NULL);
	CHECK(strstr(msg, "SK1") == NULL);
	CHECK_INT(chown(path, 0, 65534), 0); /* root's, group nogroup: fine */
	CHECK_INT(chmod(path, 0640), 0);
	CHECK_INT(bfs_creds_from_file(c, path, NULL, msg, sizeof(msg)), 0);
	CHECK_STR(c->access_key, "AK1");
	bfs_creds_free(c);
}

/* A key or secret with a NUL byte inside (a UTF-16 file, say) is refused,
 * not cut short at the NUL (found by fuzz_creds). */
static void test_nul_bytes(void)
{
	static const char passwd[] = "AK\0X:SK1\n";
	static const char utf16[] = "\xff\xfe"
				    "A\0K\0:\0S\0\n\0";
	static const char profile[] = "[default]\naws_access_key_id = \0AK\n"
				      "aws_secret_access_key = SK1\n";
	const struct {
		const char *text;
		size_t len;
		int aws;
	} rows[] = {
		{ passwd, sizeof(passwd) - 1, 0 },
		{ utf16, sizeof(utf16) - 1, 0 },
		{ profile, sizeof(profile) - 1, 1 },
	};
	char path[512], msg[512];
	size_t i;

	snprintf(path, sizeof(path), "%s/nul", dir);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct bfs_creds *c = bfs_creds_new();
		FILE *f = fopen(path, "w");
		int rc;

		CHECK(c != NULL && f != NULL);
		if (!c || !f) {
			bfs_creds_free(c);
			if (f)
				fclose(f);
			return;
		}
		CHECK_INT(fwrite(rows[i].text, 1, rows[i].len, f), rows[i].len);
		fclose(f);
		chmod(path, 0600);
		msg[0] = '\0';
		if (rows[i].aws)
			rc = bfs_creds_from_aws_profile(c, path, "default", 0, msg, sizeof(msg));
		else
			rc = bfs_creds_from_file(c, path, "b", msg, sizeof(msg));
		CHECK_INT(rc, BFS_E_CONFIG);
		CHECK(strstr(msg, "line") != NULL);
		CHECK_STR(c->access_key, "");
		bfs_creds_free(c);
	}
	unlink(path);
}

/* dir + suffix in a static buffer (one at a time) */
static const char *strcat_path(const char *base, const char *suffix)
{
	static char p[700];

	snprintf(p, sizeof(p), "%s%s", base, suffix);
	return p;
}

static void test_sources(void)
{
	struct bfs_creds *c = bfs_creds_new();
	char msg[512], home[600];
	int rc;

	snprintf(home, sizeof(home), "%s/home", dir);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWSACCESSKEYID");
	unsetenv("AWSSECRETACCESSKEY");
	unsetenv("OSS_ACCESS_KEY_ID");
	unsetenv("ALIBABA_CLOUD_ACCESS_KEY_ID");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_CONFIG_FILE");

	/* missing explicit file: a clear error, no fallback */
	rc = load(c, "/nonexistent/passwd", NULL, msg, sizeof(msg));
	CHECK_INT(rc, BFS_E_CONFIG);
	CHECK(strstr(msg, "/nonexistent/passwd") != NULL);

	/* environment */
	setenv("AWS_ACCESS_KEY_ID", "ENVAK", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "ENVSK", 1);
	setenv("AWS_SESSION_TOKEN", "TOKEN", 1);
	rc = load(c, NULL, NULL, msg, sizeof(msg));
	CHECK_INT(rc, 0);
	CHECK_STR(c->access_key, "ENVAK");
	CHECK_STR(c->session_token, "TOKEN");

	/* an explicit file beats the environment */
	rc = load(c, write_file("p2", "FAK:FSK\n", 0600), NULL, msg, sizeof(msg));
	CHECK_INT(rc, 0);
	CHECK_STR(c->access_key, "FAK");
	CHECK_STR(c->session_token, "");

	/* s3fs's variable names */
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	setenv("AWSACCESSKEYID", "S3FSAK", 1);
	setenv("AWSSECRETACCESSKEY", "S3FSSK", 1);
	rc = load(c, NULL, NULL, msg, sizeof(msg));
	CHECK_INT(rc, 0);
	CHECK_STR(c->access_key, "S3FSAK");
	unsetenv("AWSACCESSKEYID");
	unsetenv("AWSSECRETACCESSKEY");

	/* Aliyun's names, as in the app's .env.local */
	setenv("OSS_ACCESS_KEY_ID", "OSSAK", 1);
	setenv("OSS_ACCESS_KEY_SECRET", "OSSSK", 1);
	setenv("OSS_SESSION_TOKEN", "OSSTOKEN", 1);
	rc = load(c, NULL, NULL, msg, sizeof(msg));
	CHECK_INT(rc, 0);
	CHECK_STR(c->access_key, "OSSAK");
	CHECK_STR(c->secret_key, "OSSSK");
	CHECK_STR(c->session_token, "OSSTOKEN");
	CHECK(strstr(c->source, "OSS_ACCESS_KEY_ID") != NULL);
	unsetenv("OSS_ACCESS_KEY_ID");
	unsetenv("OSS_ACCESS_KEY_SECRET");
	unsetenv("OSS_SESSION_TOKEN");
	setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIAK", 1);
	setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALISK", 1);
	rc = load(c, NULL, NULL, msg, sizeof(msg));
	CHECK_INT(rc, 0);
	CHECK_STR(c->access_key, "ALIAK");
	CHECK_STR(c->session_token, "");
	unsetenv("ALIBABA_CLOUD_ACCESS_KEY_ID");
	unsetenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET");

	/* ~/.aws/credentials: [default], $AWS_PROFILE, profile= by name */
	mkdir(strcat_path(home, "/.aws"), 0700);
	write_file("home/.aws/credentials",
		   "# comment\n[default]\naws_access_key_id = DEFAK\naws_secret_access_key=DEFSK\n"
		   "\n[work]\n aws_access_key_id=WORKAK \naws_secret_access_key = WORKSK\n"
		   "aws_session_token = WORKTOK\n[broken]\naws_access_key_id = X\n",
		   0600);
	write_file("home/.aws/config",
		   "[default]\nregion = us-east-1\n[profile cfgonly]\naws_access_key_id = CFGAK\n"
		   "aws_secret_access_key = CFGSK\n",
		   0600);
	rc = load(c, NULL, NULL, msg, sizeof(msg));
	CHECK_INT(rc, 0);
	CHECK_STR(c->access_key, "DEFAK");
	CHECK_STR(c->secret_key, "DEFSK");
	setenv("AWS_PROFILE", "work", 1);
	rc = load(c, NULL, NULL, msg, sizeof(msg));
	CHECK_INT(rc, 0);
	CHECK_STR(c->access_key, "WORKAK");
	CHECK_STR(c->session_token, "WORKTOK");
	unsetenv("AWS_PROFILE");
	rc = load(c, NULL, "cfgonly", msg, sizeof(msg));
	CHECK_INT(rc, 0);
	CHECK_STR(c->access_key, "CFGAK");
	CHECK(strstr(c->source, "[profile cfgonly]") != NULL);
	rc = load(c, NULL, "broken", msg, sizeof(msg));
	CHECK_INT(rc, BFS_E_CONFIG);
	CHECK(strstr(msg, "has no aws_access_key_id and aws_secret_access_key") != NULL);
	rc = load(c, NULL, "nosuch", msg, sizeof(msg));
	CHECK_INT(rc, BFS_E_CONFIG);
	CHECK(strstr(msg, "no profile [nosuch]") != NULL);
	/* a default profile with settings only does not stop the search */
	write_file("home/.aws/credentials", "[other]\naws_access_key_id = O\n", 0600);
	write_file("home/.aws/config", "[default]\nregion = eu-west-1\n", 0600);
	write_file("home/.passwd-bucketfs", "PWAK:PWSK\n", 0600);
	rc = load(c, NULL, NULL, msg, sizeof(msg));
	CHECK_INT(rc, 0);
	CHECK_STR(c->access_key, "PWAK");
	unlink(strcat_path(home, "/.passwd-bucketfs"));
	unlink(strcat_path(home, "/.aws/credentials"));
	unlink(strcat_path(home, "/.aws/config"));

	/* ~/.passwd-s3fs */
	write_file("home/.passwd-s3fs", "HOMEAK:HOMESK\n", 0600);
	rc = load(c, NULL, NULL, msg, sizeof(msg));
	if (access("/etc/passwd-bucketfs", F_OK) != 0) {
		CHECK_INT(rc, 0);
		CHECK_STR(c->access_key, "HOMEAK");
	}
	/* ~/.passwd-bucketfs comes first */
	write_file("home/.passwd-bucketfs", "BFSAK:BFSSK\n", 0600);
	rc = load(c, NULL, NULL, msg, sizeof(msg));
	CHECK_INT(rc, 0);
	CHECK_STR(c->access_key, "BFSAK");
	bfs_creds_free(c);
}

int main(void)
{
	char cmd[600];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_files();
	test_owner();
	test_nul_bytes();
	test_sources();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_done("creds");
}
