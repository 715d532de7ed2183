/* SPDX-License-Identifier: MIT */
/*
 * metrics.c - the Prometheus text exposition of a mount, and a minimal
 * HTTP endpoint serving it (see metrics.h).  The endpoint answers one
 * request per connection, one connection at a time, with bounded reads and
 * a 5 s timeout: a scraper needs no more, and nothing it sends can grow
 * memory.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "bucketfs/fs.h"
#include "bucketfs/metrics.h"
#include "bucketfs/store.h"
#include "util/sock.h"

#define METRICS_MAX (1 << 20)

static const char *const op_names[8] = { "HEAD", "GET",	 "PUT",	 "DELETE",
					 "LIST", "POST", "COPY", "OTHER" };

static const char *const err_names[BFS_E_LAST - BFS_E_FIRST - 1] = {
	"not_found", "no_bucket",   "denied",	 "signature", "precondition", "not_modified",
	"range",     "bad_request", "throttled", "transient", "connect",      "timeout",
	"tls",	     "integrity",   "protocol",	 "config",    "unreachable",
};

/*
 * The labels every series carries, mount="MOUNTPOINT",bucket="BUCKET", so
 * that the series of two mounts collected together do not clash; values
 * escaped as the text format wants (backslash, quote, newline).
 */
static int mount_labels(struct bfs_buf *o, const char *mount, const char *bucket)
{
	const char *v[2] = { mount ? mount : "", bucket ? bucket : "" };
	int i, rc = 0;

	for (i = 0; i < 2 && !rc; i++) {
		const char *p;

		rc = bfs_buf_adds(o, i ? ",bucket=\"" : "mount=\"");
		for (p = v[i]; !rc && *p; p++)
			rc = *p == '\\'	  ? bfs_buf_adds(o, "\\\\")
			     : *p == '"'  ? bfs_buf_adds(o, "\\\"")
			     : *p == '\n' ? bfs_buf_adds(o, "\\n")
					  : bfs_buf_addf(o, "%c", *p);
		if (!rc)
			rc = bfs_buf_adds(o, "\"");
	}
	return rc;
}

static int requests(struct bfs_buf *o, const struct bfs_store_stats *ss, const char *l)
{
	int rc, i, b;

	rc = bfs_buf_adds(o, "# HELP bucketfs_requests_total Requests sent to the bucket, by "
			     "operation (each attempt).\n# TYPE bucketfs_requests_total counter\n");
	for (i = 0; !rc && i < 8; i++)
		rc = bfs_buf_addf(o, "bucketfs_requests_total{op=\"%s\",%s} %" PRIu64 "\n",
				  op_names[i], l, ss->requests[i]);
	if (!rc)
		rc = bfs_buf_adds(o, "# HELP bucketfs_request_duration_seconds Time of each "
				     "request attempt, by operation.\n"
				     "# TYPE bucketfs_request_duration_seconds histogram\n");
	for (i = 0; !rc && i < 8; i++) {
		uint64_t cum = 0;

		for (b = 0; !rc && b < BFS_LAT_BUCKETS; b++) {
			cum += ss->lat_count[i][b];
			if (b < BFS_LAT_BUCKETS - 1)
				rc = bfs_buf_addf(
				    o,
				    "bucketfs_request_duration_seconds_bucket{op=\"%s\","
				    "le=\"%g\",%s} %" PRIu64 "\n",
				    op_names[i], bfs_lat_bounds[b], l, cum);
			else
				rc = bfs_buf_addf(
				    o,
				    "bucketfs_request_duration_seconds_bucket{op=\"%s\","
				    "le=\"+Inf\",%s} %" PRIu64 "\n"
				    "bucketfs_request_duration_seconds_sum{op=\"%s\",%s} %.6f\n"
				    "bucketfs_request_duration_seconds_count{op=\"%s\",%s} %" PRIu64
				    "\n",
				    op_names[i], l, cum, op_names[i], l,
				    (double)ss->lat_sum_us[i] / 1e6, op_names[i], l, cum);
		}
	}
	if (!rc)
		rc =
		    bfs_buf_adds(o, "# HELP bucketfs_request_errors_total Failed request attempts, "
				    "by kind.\n# TYPE bucketfs_request_errors_total counter\n");
	for (i = 0; !rc && i < BFS_E_LAST - BFS_E_FIRST - 1; i++)
		rc = bfs_buf_addf(o, "bucketfs_request_errors_total{code=\"%s\",%s} %" PRIu64 "\n",
				  err_names[i], l, ss->errors[i]);
	return rc;
}

/* One series, with its HELP and TYPE lines ('c' counter, 'g' gauge). */
static int series(struct bfs_buf *o, char type, const char *name, const char *help, const char *l,
		  double v)
{
	return bfs_buf_addf(o,
			    "# HELP bucketfs_%s %s\n# TYPE bucketfs_%s %s\n"
			    "bucketfs_%s{%s} %.17g\n",
			    name, help, name, type == 'c' ? "counter" : "gauge", name, l, v);
}

/* Whether the bucket answers (store_health.c), at now (Unix seconds). */
static int reach(struct bfs_buf *o, struct bfs_store *store, time_t now, const char *l)
{
	struct bfs_store_health h;
	int rc;

	bfs_store_get_health(store, &h);
	rc =
	    series(o, 'g', "bucket_up",
		   "1 while the bucket answers, 0 during an outage (requests failing to reach it).",
		   l, h.up);
	if (!rc)
		rc = series(o, 'g', "bucket_down_seconds",
			    "How long the current outage has lasted (0: up).", l,
			    h.up ? 0 : (double)(now - h.down_since_ns / 1000000000));
	if (!rc)
		rc = series(o, 'g', "bucket_last_answer_timestamp_seconds",
			    "When the bucket last answered a request (Unix time; 0: never).", l,
			    (double)h.last_ok_ns / 1e9);
	if (!rc)
		rc = series(o, 'c', "bucket_outages_total",
			    "Outages of the bucket since the mount.", l, (double)h.outages);
	if (!rc)
		rc = series(
		    o, 'c', "requests_failed_fast_total",
		    "Reads answered EIO at once during an outage, without asking the bucket.", l,
		    (double)h.failed_fast);
	return rc;
}

int bfs_metrics_text(struct bfs_fs *fs, struct bfs_store *store, const char *mount,
		     struct bfs_buf *o)
{
	const struct bfs_fs_cfg *cfg = bfs_fs_config(fs);
	struct bfs_buf labels = BFS_BUF_INIT(8192);
	struct bfs_store_stats ss;
	struct bfs_fs_stats fst;
	struct bfs_fs_pending p;
	struct statvfs vfs;
	struct bfs_fs_index_usage ix;
	uint64_t opens;
	struct timespec now;
	int rc;

	bfs_store_get_stats(store, &ss);
	bfs_fs_get_stats(fs, &fst);
	if (bfs_fs_pending(fs, &p))
		memset(&p, 0, sizeof(p));
	(void)bfs_fs_index_usage(fs, &ix);
	if (statvfs(cfg->cache_dir, &vfs))
		memset(&vfs, 0, sizeof(vfs));
	clock_gettime(CLOCK_REALTIME, &now);
	opens = fst.cache_hits + fst.cache_misses;
	rc = mount_labels(&labels, mount, bfs_store_bucket(store));
	if (!rc) {
		/* the counters (c) and gauges (g) after the requests, in order */
		const struct {
			char type;
			const char *name, *help;
			double v;
		} m[] = {
			{ 'c', "retries_total", "Requests retried after a failure.",
			  (double)ss.retries },
			{ 'c', "uploaded_bytes_total", "Bytes sent to the bucket.",
			  (double)ss.bytes_up },
			{ 'c', "downloaded_bytes_total", "Bytes fetched from the bucket.",
			  (double)ss.bytes_down },
			{ 'c', "cache_hits_total", "Opens served from a cached copy.",
			  (double)fst.cache_hits },
			{ 'c', "cache_misses_total", "Opens that fetched the object.",
			  (double)fst.cache_misses },
			{ 'g', "cache_hit_ratio", "Cache hits over opens since the mount.",
			  opens ? (double)fst.cache_hits / (double)opens : 0 },
			{ 'c', "cache_revalidations_total",
			  "Conditional requests for cached copies.", (double)fst.revalidations },
			{ 'c', "cache_not_modified_total", "Revalidations answered 304.",
			  (double)fst.not_modified },
			{ 'g', "cache_bytes", "Bytes in the cache's data files.",
			  (double)fst.cache_bytes },
			{ 'g', "cache_size_limit_bytes", "cache_size= (0: no cap).",
			  (double)cfg->cache_size },
			{ 'g', "cache_fs_free_bytes",
			  "Bytes free to unprivileged users on the cache directory's file system.",
			  (double)vfs.f_bavail * (double)vfs.f_frsize },
			{ 'g', "cache_fs_size_bytes", "Size of the cache directory's file system.",
			  (double)vfs.f_blocks * (double)vfs.f_frsize },
			{ 'c', "served_from_cache_bytes_total",
			  "Bytes read from cached copies: the egress the cache avoided.",
			  (double)fst.bytes_from_cache },
			{ 'c', "cache_evictions_total", "Cached copies evicted.",
			  (double)fst.evicted },
			{ 'c', "cache_evicted_bytes_total", "Bytes of evicted copies.",
			  (double)fst.evicted_bytes },
			{ 'c', "cache_damaged_total", "Cached copies found damaged and refetched.",
			  (double)fst.damaged },
			{ 'c', "uploads_total", "Objects written.", (double)fst.uploads },
			{ 'c', "upload_errors_total", "Failed upload attempts.",
			  (double)fst.upload_errors },
			{ 'g', "pending_uploads", "Journaled uploads not yet in the bucket.",
			  (double)p.files },
			{ 'g', "pending_upload_bytes", "Bytes of journaled uploads.",
			  (double)p.bytes },
			{ 'g', "pending_upload_oldest_seconds",
			  "Age of the oldest journaled upload.",
			  p.files && p.oldest_ns ? (double)(now.tv_sec - p.oldest_ns / 1000000000)
						 : 0 },
			{ 'g', "index_entries", "Entries in the cache index.", (double)ix.entries },
			{ 'g', "index_used_bytes",
			  "Bytes of the cache index's pages in use (what index_size bounds).",
			  (double)ix.used },
			{ 'g', "index_size_bytes", "index_size (0: no cap).", (double)ix.cap },
			{ 'c', "index_forgotten_total",
			  "Names forgotten to keep the cache index within index_size.",
			  (double)ix.forgotten },
			{ 'c', "enospc_total", "Writes refused for want of cache space.",
			  (double)fst.enospc },
		};
		const char *l = bfs_buf_str(&labels);
		size_t i;

		rc = requests(o, &ss, l);
		if (!rc)
			rc = reach(o, store, now.tv_sec, l);
		for (i = 0; !rc && i < sizeof(m) / sizeof(m[0]); i++)
			rc = series(o, m[i].type, m[i].name, m[i].help, l, m[i].v);
	}
	bfs_buf_release(&labels);
	return rc;
}

/* --- the HTTP endpoint ------------------------------------------------------ */

struct bfs_metrics {
	struct bfs_fs *fs;
	struct bfs_store *store;
	const char *mount; /* borrowed */
	int fd;
	int stop_pipe[2];
	char *unix_path;
	pthread_t thread;
};

static void serve_conn(struct bfs_metrics *m, int fd)
{
	struct bfs_buf body = BFS_BUF_INIT(METRICS_MAX), head = BFS_BUF_INIT(256);
	char req[8192];
	size_t n = 0;
	int ok;

	/* read the request head (bounded), whatever it asks for */
	while (n < sizeof(req) - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 5000) <= 0)
			return;
		r = recv(fd, req + n, sizeof(req) - 1 - n, 0);
		if (r <= 0)
			return;
		n += (size_t)r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	ok = !strncmp(req, "GET ", 4) && bfs_metrics_text(m->fs, m->store, m->mount, &body) == 0;
	if (ok)
		ok = bfs_buf_addf(
			 &head,
			 "HTTP/1.0 200 OK\r\nContent-Type: text/plain; "
			 "version=0.0.4\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			 body.len) == 0;
	else if (bfs_buf_adds(&head, "HTTP/1.0 405 Method Not Allowed\r\nContent-Length: 0\r\n"
				     "Connection: close\r\n\r\n"))
		head.len = 0;
	if (head.len && send(fd, head.data, head.len, MSG_NOSIGNAL) >= 0 && ok && body.len)
		(void)send(fd, body.data, body.len, MSG_NOSIGNAL);
	bfs_buf_release(&head);
	bfs_buf_release(&body);
}

static void *serve(void *arg)
{
	struct bfs_metrics *m = arg;

	for (;;) {
		struct pollfd p[2] = { { m->fd, POLLIN, 0 }, { m->stop_pipe[0], POLLIN, 0 } };
		int c;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		c = accept4(m->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		serve_conn(m, c);
		close(c);
	}
	return NULL;
}

/* A listening socket for "HOST:PORT" or "/path". */
static int listen_on(const char *addr, char **unix_path)
{
	int fd, one = 1;

	if (addr[0] == '/') {
		fd = bfs_sock_listen_unix(addr, 8);
		if (fd >= 0 && !(*unix_path = strdup(addr))) {
			close(fd);
			return -ENOMEM;
		}
		return fd;
	}
	{
		struct sockaddr_in sa;
		const char *colon = strrchr(addr, ':');
		char host[64];
		char *end;
		long port;

		if (!colon || (size_t)(colon - addr) >= sizeof(host))
			return -EINVAL;
		memcpy(host, addr, (size_t)(colon - addr));
		host[colon - addr] = '\0';
		port = strtol(colon + 1, &end, 10);
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)port);
		if (*end || port < 1 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1)
			return -EINVAL;
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			goto fail;
	}
	if (listen(fd, 8) < 0)
		goto fail;
	return fd;
fail : {
	int rc = -errno;

	close(fd);
	return rc;
}
}

int bfs_metrics_start(const char *addr, struct bfs_fs *fs, struct bfs_store *store,
		      const char *mount, struct bfs_metrics **out)
{
	struct bfs_metrics *m = calloc(1, sizeof(*m));
	int rc;

	if (!m)
		return -ENOMEM;
	m->fs = fs;
	m->store = store;
	m->mount = mount;
	m->fd = listen_on(addr, &m->unix_path);
	if (m->fd < 0) {
		rc = m->fd;
		free(m);
		return rc;
	}
	if (pipe2(m->stop_pipe, O_CLOEXEC) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = pthread_create(&m->thread, NULL, serve, m);
	if (rc) {
		rc = -rc;
		close(m->stop_pipe[0]);
		close(m->stop_pipe[1]);
		goto fail;
	}
	*out = m;
	return 0;
fail:
	close(m->fd);
	if (m->unix_path)
		(void)unlink(m->unix_path);
	free(m->unix_path);
	free(m);
	return rc;
}

void bfs_metrics_stop(struct bfs_metrics *m)
{
	ssize_t w;

	if (!m)
		return;
	w = write(m->stop_pipe[1], "x", 1); /* a pipe with room: cannot fail */
	(void)w;
	pthread_join(m->thread, NULL);
	close(m->fd);
	close(m->stop_pipe[0]);
	close(m->stop_pipe[1]);
	if (m->unix_path)
		(void)unlink(m->unix_path);
	free(m->unix_path);
	free(m);
}
