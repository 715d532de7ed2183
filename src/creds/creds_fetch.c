/* SPDX-License-Identifier: MIT */
/*
 * creds_fetch.c - credentials that come as JSON: from an instance metadata
 * service (AWS IMDSv2, Aliyun ECS RAM role), AWS container credentials, and
 * credential processes (see creds.h).
 *
 * Every answer goes into a buffer capped at 64 KiB, every request is bounded
 * in time, and a child process is killed when it overstays: a broken or
 * hostile source can delay a mount by a few seconds, never hang it.
 * Everything these sources return is wiped after use.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/buf.h"
#include "bucketfs/creds.h"
#include "bucketfs/crypto.h"
#include "bucketfs/error.h"
#include "bucketfs/isotime.h"
#include "bucketfs/http.h"
#include "bucketfs/json.h"

#define ANSWER_MAX (64 * 1024)
#define PROCESS_TIMEOUT_MS 30000 /* BFS_CREDS_PROCESS_TIMEOUT_MS overrides (tests) */

extern char **environ;

long long bfs_creds_parse_time(const char *s)
{
	int64_t t;

	return s && !bfs_iso8601(s, strlen(s), 1, &t) ? (long long)t : -1;
}

static int put_field(char *dst, size_t dstsz, const char *v, const char *what, const char *name,
		     char *msg, size_t msgsz)
{
	size_t n = strlen(v);

	if (n == 0 || n >= dstsz) {
		snprintf(msg, msgsz, "%s: %s is empty or too long", what, name);
		return BFS_E_CONFIG;
	}
	memcpy(dst, v, n + 1);
	return 0;
}

int bfs_creds_from_json(struct bfs_creds *c, const char *json, size_t len, const char *what,
			char *msg, size_t msgsz)
{
	static const char *const ak_names[] = { "AccessKeyId", "access_key_id", NULL };
	static const char *const sk_names[] = { "SecretAccessKey", "AccessKeySecret",
						"access_key_secret", NULL };
	static const char *const tok_names[] = { "Token", "SessionToken", "SecurityToken",
						 "sts_token", NULL };
	struct bfs_json *j = NULL;
	const char *code, *ak, *sk, *tok, *exp, *name = NULL;
	char jmsg[128];
	long long version, expires = 0;
	int rc;

	rc = bfs_json_parse(json, len, &j, jmsg, sizeof(jmsg));
	if (rc) {
		snprintf(msg, msgsz, "%s answered %s", what, rc == BFS_E_PROTO ? jmsg : "?");
		return rc == -ENOMEM ? rc : BFS_E_CONFIG;
	}
	rc = BFS_E_CONFIG;
	code = bfs_json_str(j, "Code");
	if (code && strcmp(code, "Success")) {
		const char *m = bfs_json_str(j, "Message");

		snprintf(msg, msgsz, "%s answered Code %.64s%s%.200s", what, code, m ? ": " : "",
			 m ? m : "");
		goto out;
	}
	if (!bfs_json_int(j, "Version", &version) && version != 1) {
		snprintf(msg, msgsz, "%s: unsupported Version %lld (1 is known)", what, version);
		goto out;
	}
	ak = bfs_json_str_any(j, ak_names, &name);
	if (!ak) {
		snprintf(msg, msgsz, "%s answered no AccessKeyId", what);
		goto out;
	}
	if (put_field(c->access_key, sizeof(c->access_key), ak, what, name, msg, msgsz))
		goto out;
	sk = bfs_json_str_any(j, sk_names, &name);
	if (!sk) {
		snprintf(msg, msgsz, "%s answered no SecretAccessKey (or AccessKeySecret)", what);
		goto out;
	}
	if (put_field(c->secret_key, sizeof(c->secret_key), sk, what, name, msg, msgsz))
		goto out;
	tok = bfs_json_str_any(j, tok_names, &name);
	c->session_token[0] = '\0';
	if (tok && *tok &&
	    put_field(c->session_token, sizeof(c->session_token), tok, what, name, msg, msgsz))
		goto out;
	exp = bfs_json_str(j, "Expiration");
	if (exp && *exp) {
		expires = bfs_creds_parse_time(exp);
		if (expires < 0) {
			snprintf(msg, msgsz, "%s: cannot read Expiration \"%.40s\" (want ISO 8601)",
				 what, exp);
			goto out;
		}
		if (expires <= (long long)time(NULL)) {
			snprintf(msg, msgsz,
				 "%s answered credentials that expired at %.40s "
				 "(is this machine's clock right?)",
				 what, exp);
			goto out;
		}
	}
	c->expires = expires;
	snprintf(c->source, sizeof(c->source), "%s", what);
	rc = 0;
out:
	bfs_json_free(j);
	if (rc) {
		bfs_wipe(c->access_key, sizeof(c->access_key));
		bfs_wipe(c->secret_key, sizeof(c->secret_key));
		bfs_wipe(c->session_token, sizeof(c->session_token));
	}
	return rc;
}

/* --- credential processes ------------------------------------------------ */

static long process_timeout_ms(void)
{
	const char *v = getenv("BFS_CREDS_PROCESS_TIMEOUT_MS");
	long ms = v ? strtol(v, NULL, 10) : 0;

	return ms > 0 ? ms : PROCESS_TIMEOUT_MS;
}

/* Milliseconds left until t0 + limit. */
static long ms_left(const struct timespec *t0, long limit)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return limit - ((now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000);
}

static int timed_out(pid_t pid, long limit, const char *cmd, char *msg, size_t msgsz)
{
	kill(-pid, SIGKILL);
	snprintf(msg, msgsz, "credential_process \"%.200s\" did not finish in %ld ms (killed)", cmd,
		 limit);
	return BFS_E_CONFIG;
}

/* Read the child's output until EOF, the cap or the deadline. */
static int read_child(int fd, pid_t pid, const struct timespec *t0, long limit, struct bfs_buf *out,
		      const char *cmd, char *msg, size_t msgsz)
{
	char chunk[4096];

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		long left = ms_left(t0, limit);
		ssize_t r;
		int pr;

		if (left <= 0)
			return timed_out(pid, limit, cmd, msg, msgsz);
		pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return -errno;
		if (pr == 0)
			continue;
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 0;
		if (bfs_buf_add(out, chunk, (size_t)r)) {
			bfs_wipe(chunk, sizeof(chunk));
			kill(-pid, SIGKILL);
			snprintf(msg, msgsz,
				 "credential_process \"%.200s\" printed more than %d KiB", cmd,
				 ANSWER_MAX / 1024);
			return BFS_E_CONFIG;
		}
		bfs_wipe(chunk, (size_t)r);
	}
}

int bfs_creds_from_process(struct bfs_creds *c, const char *cmd, char *msg, size_t msgsz)
{
	struct bfs_buf out = BFS_BUF_INIT(ANSWER_MAX);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char sh[] = "sh", dash_c[] = "-c", what[300];
	char *argv[4] = { sh, dash_c, NULL, NULL };
	long limit = process_timeout_ms();
	struct timespec t0;
	int pipefd[2], rc, status = 0;
	pid_t pid;

	argv[2] = strdup(cmd);
	if (!argv[2])
		return -ENOMEM;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		free(argv[2]);
		return -errno;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	/* its own process group, so a kill reaches what it started too */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	free(argv[2]);
	close(pipefd[1]);
	if (rc) {
		close(pipefd[0]);
		snprintf(msg, msgsz, "cannot run credential_process \"%.200s\": %s", cmd,
			 strerror(rc));
		return BFS_E_CONFIG;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = read_child(pipefd[0], pid, &t0, limit, &out, cmd, msg, msgsz);
	close(pipefd[0]);
	/* It may close its output and go on running: the deadline holds
	 * (after a failure it is killed, then reaped). */
	if (rc)
		kill(-pid, SIGKILL);
	for (;;) {
		pid_t w = waitpid(pid, &status, rc ? 0 : WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (w == 0 && ms_left(&t0, limit) <= 0)
			rc = timed_out(pid, limit, cmd, msg, msgsz);
		else if (w == 0)
			usleep(5000);
	}
	if (rc)
		goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (WIFEXITED(status))
			snprintf(msg, msgsz, "credential_process \"%.200s\" exited with status %d",
				 cmd, WEXITSTATUS(status));
		else
			snprintf(msg, msgsz,
				 "credential_process \"%.200s\" was killed by signal %d", cmd,
				 WTERMSIG(status));
		rc = BFS_E_CONFIG;
		goto out;
	}
	snprintf(what, sizeof(what), "credential_process \"%.200s\"", cmd);
	rc = bfs_creds_from_json(c, out.data ? out.data : "", out.len, what, msg, msgsz);
out:
	if (out.data)
		bfs_wipe(out.data, out.len);
	bfs_buf_release(&out);
	return rc;
}

/* --- HTTP sources -------------------------------------------------------- */

/*
 * One bounded request; the 2xx body goes to body.  Non-2xx and transport
 * errors become BFS_E_CONFIG with a message naming url (never a header).
 */
static int fetch(struct bfs_http *h, const char *method, const char *url, const char *hdr,
		 struct bfs_buf *body, char *msg, size_t msgsz)
{
	struct bfs_http_resp resp;
	struct bfs_http_req req;
	const char *hdrs[1] = { hdr };
	int rc;

	bfs_http_req_init(&req, method, url);
	req.headers = hdrs;
	req.nheaders = hdr ? 1 : 0;
	req.resp_body = body;
	if (!strcmp(method, "PUT"))
		req.body = "";
	bfs_http_resp_init(&resp);
	rc = bfs_http_perform(h, &req, &resp);
	if (rc) {
		snprintf(msg, msgsz, "%s %s: %s%s%s", method, url, bfs_strerror(rc),
			 resp.errmsg[0] ? ": " : "", resp.errmsg);
		rc = rc == -ENOMEM ? rc : BFS_E_CONFIG;
	} else if (resp.status < 200 || resp.status > 299) {
		snprintf(msg, msgsz, "%s %s: HTTP %ld", method, url, resp.status);
		rc = BFS_E_CONFIG;
	}
	bfs_http_resp_release(&resp);
	return rc;
}

static int http_open(struct bfs_http **h)
{
	struct bfs_http_opts o;

	memset(&o, 0, sizeof(o));
	o.connect_timeout_ms = 1000;
	o.stall_timeout_s = 5;
	o.request_timeout_s = 5;
	return bfs_http_new(&o, h);
}

/* Strip trailing slashes and whitespace from a base URL into out. */
static void base_url(const char *s, char *out, size_t outsz)
{
	size_t n;

	snprintf(out, outsz, "%s", s);
	n = strlen(out);
	while (n && (out[n - 1] == '/' || out[n - 1] == ' ' || out[n - 1] == '\n'))
		out[--n] = '\0';
}

int bfs_creds_from_imds(struct bfs_creds *c, enum bfs_imds_kind kind, const char *endpoint,
			const char *role, char *msg, size_t msgsz)
{
	const int aws = kind == BFS_IMDS_AWS;
	const char *ttl_hdr = aws ? "X-aws-ec2-metadata-token-ttl-seconds: 21600"
				  : "X-aliyun-ecs-metadata-token-ttl-seconds: 21600";
	const char *tok_name = aws ? "X-aws-ec2-metadata-token" : "X-aliyun-ecs-metadata-token";
	const char *dir = aws ? "iam" : "ram";
	struct bfs_buf tok = BFS_BUF_INIT(4096), body = BFS_BUF_INIT(ANSWER_MAX);
	struct bfs_http *h = NULL;
	char base[512], url[1024], what[700], rolename[256], hdr[4200];
	size_t n;
	int rc;

	if (!endpoint && aws)
		endpoint = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	if (!endpoint || !*endpoint)
		endpoint = aws ? "http://169.254.169.254" : "http://100.100.100.200";
	base_url(endpoint, base, sizeof(base));
	rc = http_open(&h);
	if (rc) {
		snprintf(msg, msgsz, "cannot start an HTTP client: %s", bfs_strerror(rc));
		return rc;
	}
	snprintf(url, sizeof(url), "%s/latest/api/token", base);
	rc = fetch(h, "PUT", url, ttl_hdr, &tok, msg, msgsz);
	if (rc)
		goto out;
	snprintf(hdr, sizeof(hdr), "%s: %.4096s", tok_name, bfs_buf_str(&tok));
	if (strchr(bfs_buf_str(&tok), '\n') || strchr(bfs_buf_str(&tok), '\r') || !tok.len) {
		snprintf(msg, msgsz, "PUT %s: the token is empty or not one line", url);
		rc = BFS_E_CONFIG;
		goto out;
	}
	if (!role || !*role || !strcmp(role, "auto")) {
		snprintf(url, sizeof(url), "%s/latest/meta-data/%s/security-credentials/", base,
			 dir);
		rc = fetch(h, "GET", url, hdr, &body, msg, msgsz);
		if (rc)
			goto out;
		/* one role per instance: the first line */
		n = strcspn(bfs_buf_str(&body), "\r\n");
		if (n == 0 || n >= sizeof(rolename) || strcspn(bfs_buf_str(&body), "/?# \t") < n) {
			snprintf(msg, msgsz, "GET %s: no role attached to this instance%s", url,
				 n ? " (or an odd role name)" : "");
			rc = BFS_E_CONFIG;
			goto out;
		}
		memcpy(rolename, body.data, n);
		rolename[n] = '\0';
		bfs_buf_reset(&body);
	} else {
		if (strlen(role) >= sizeof(rolename) || strpbrk(role, "/?# \t")) {
			snprintf(msg, msgsz, "bad role name \"%.100s\"", role);
			rc = BFS_E_CONFIG;
			goto out;
		}
		snprintf(rolename, sizeof(rolename), "%s", role);
	}
	snprintf(url, sizeof(url), "%s/latest/meta-data/%s/security-credentials/%s", base, dir,
		 rolename);
	rc = fetch(h, "GET", url, hdr, &body, msg, msgsz);
	if (rc)
		goto out;
	snprintf(what, sizeof(what), "%s role %.255s at %.400s", aws ? "EC2 instance" : "ECS RAM",
		 rolename, base);
	rc = bfs_creds_from_json(c, body.data ? body.data : "", body.len, what, msg, msgsz);
out:
	bfs_wipe(hdr, sizeof(hdr));
	if (tok.data)
		bfs_wipe(tok.data, tok.len);
	if (body.data)
		bfs_wipe(body.data, body.len);
	bfs_buf_release(&tok);
	bfs_buf_release(&body);
	bfs_http_free(h);
	return rc;
}

/* AWS allows container credentials over http only to these hosts. */
static int container_host_ok(const char *url)
{
	static const char *const ok[] = {
		"http://127.",		 "http://localhost:",	  "http://localhost/",
		"http://[::1]",		 "http://169.254.170.2:", "http://169.254.170.2/",
		"http://169.254.170.23", "http://[fd00:ec2::23]", NULL
	};
	size_t i;

	if (!strncmp(url, "https://", 8))
		return 1;
	for (i = 0; ok[i]; i++)
		if (!strncmp(url, ok[i], strlen(ok[i])))
			return 1;
	return 0;
}

/* The Authorization value: the token file (read each time) or variable. */
static int container_auth(char *out, size_t outsz, char *msg, size_t msgsz)
{
	const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	ssize_t r;
	int fd;

	out[0] = '\0';
	if (file && *file) {
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			snprintf(msg, msgsz,
				 "cannot open AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE "
				 "%.300s: %s",
				 file, strerror(errno));
			return BFS_E_CONFIG;
		}
		r = read(fd, out, outsz - 1);
		close(fd);
		if (r < 0 || (size_t)r == outsz - 1) {
			snprintf(msg, msgsz, "cannot read %.300s (or it is too long)", file);
			return BFS_E_CONFIG;
		}
		out[r] = '\0';
		out[strcspn(out, "\r\n")] = '\0';
	} else if (tok && *tok) {
		snprintf(out, outsz, "%s", tok);
	}
	if (strpbrk(out, "\r\n")) {
		snprintf(msg, msgsz, "the container authorization token is not one line");
		return BFS_E_CONFIG;
	}
	return 0;
}

int bfs_creds_from_container(struct bfs_creds *c, char *msg, size_t msgsz)
{
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	struct bfs_buf body = BFS_BUF_INIT(ANSWER_MAX);
	struct bfs_http *h = NULL;
	char url[1024], auth[4096], hdr[4200], what[1100];
	int rc;

	if (rel && *rel)
		snprintf(url, sizeof(url), "http://169.254.170.2%s%s", rel[0] == '/' ? "" : "/",
			 rel);
	else if (full && *full)
		snprintf(url, sizeof(url), "%s", full);
	else
		return -ENOENT;
	if (!container_host_ok(url)) {
		snprintf(msg, msgsz,
			 "AWS_CONTAINER_CREDENTIALS_FULL_URI %.300s: http is allowed "
			 "only to a loopback or the ECS/EKS address; use https",
			 url);
		return BFS_E_CONFIG;
	}
	rc = container_auth(auth, sizeof(auth), msg, msgsz);
	if (rc)
		goto out_wipe;
	snprintf(hdr, sizeof(hdr), "Authorization: %s", auth);
	rc = http_open(&h);
	if (rc) {
		snprintf(msg, msgsz, "cannot start an HTTP client: %s", bfs_strerror(rc));
		goto out_wipe;
	}
	rc = fetch(h, "GET", url, auth[0] ? hdr : NULL, &body, msg, msgsz);
	if (!rc) {
		snprintf(what, sizeof(what), "container credentials at %s", url);
		rc = bfs_creds_from_json(c, body.data ? body.data : "", body.len, what, msg, msgsz);
	}
	bfs_http_free(h);
out_wipe:
	bfs_wipe(auth, sizeof(auth));
	bfs_wipe(hdr, sizeof(hdr));
	if (body.data)
		bfs_wipe(body.data, body.len);
	bfs_buf_release(&body);
	return rc;
}
