/* SPDX-License-Identifier: MIT */
/*
 * ctl.c - the control socket (see ctl.h): the server, run by the daemon,
 * and the client, used by bucketfsctl.
 *
 * DESIGN (threads): one thread accepts; each request runs in a worker
 * thread of a fixed pool of CTL_MAX slots (a request beyond that is
 * answered "busy"), so a long flush or fsck does not block status.  Workers
 * are joined when the server stops; c->lock guards the slots.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/ctl.h"
#include "bucketfs/error.h"
#include "bucketfs/fs.h"
#include "bucketfs/metrics.h"
#include "bucketfs/store.h"
#include "util/sock.h"

#define CTL_MAX 8
#define REQ_MAX 4096

struct ctl_slot {
	pthread_t thread;
	int used; /* a thread is (or was) running here: join it */
	int done; /* it finished */
	int fd;
	struct bfs_ctl *c;
};

struct bfs_ctl {
	char *sock_path;
	char *mountpoint, *target, *cache_dir;
	struct bfs_fs *fs;
	struct bfs_store *store;
	void (*kernel_forget)(void *arg, const char *path);
	void *kernel_arg;
	int listen_fd;
	int stop_pipe[2];
	pthread_t acceptor;
	int64_t started;
	pthread_mutex_t lock; /* guards slots */
	struct ctl_slot slots[CTL_MAX];
};

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* --- answers ---------------------------------------------------------------- */

struct out {
	int fd;
	int broken; /* the client went away */
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	char line[1400];
	va_list ap;
	size_t n, off = 0;
	int len;

	if (o->broken)
		return;
	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	n = len < 0 ? 0 : (size_t)len >= sizeof(line) - 1 ? sizeof(line) - 2 : (size_t)len;
	line[n++] = '\n';
	while (off < n) {
		ssize_t w = send(o->fd, line + off, n - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			o->broken = 1;
			return;
		}
		off += (size_t)w;
	}
}

static void say_line(void *arg, const char *line)
{
	put(arg, "%s", line);
}

static void human(uint64_t n, char *out, size_t outsz)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(out, outsz, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

/* "3.2 s ago", "2 h 5 min ago": how long before now (CLOCK_REALTIME ns) t was. */
static void ago(int64_t t, char *out, size_t outsz)
{
	double s = (double)(now_ns() - t) / 1e9;

	if (s < 0)
		s = 0;
	if (s < 100)
		snprintf(out, outsz, "%.1f s ago", s);
	else if (s < 7200)
		snprintf(out, outsz, "%.0f min ago", s / 60);
	else
		snprintf(out, outsz, "%.0f h %.0f min ago", s / 3600,
			 (double)((int64_t)s % 3600) / 60);
}

/* The bucket's reachability: "bucket: reachable (last answer 0.2 s ago)",
 * or how long it has been down, why, and what was answered meanwhile. */
static void reach_lines(struct bfs_ctl *c, struct out *o)
{
	struct bfs_store_health h;
	char a1[48], a2[48], since[32];
	time_t t;
	struct tm tm;

	bfs_store_get_health(c->store, &h);
	if (h.up) {
		if (h.last_ok_ns)
			ago(h.last_ok_ns, a1, sizeof(a1));
		put(o, "bucket: reachable (%s%s)", h.last_ok_ns ? "last answer " : "not asked yet",
		    h.last_ok_ns ? a1 : "");
	} else {
		t = (time_t)(h.down_since_ns / 1000000000);
		gmtime_r(&t, &tm);
		strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S UTC", &tm);
		ago(h.down_since_ns, a1, sizeof(a1));
		if (h.last_ok_ns)
			ago(h.last_ok_ns, a2, sizeof(a2));
		put(o,
		    "bucket: UNREACHABLE since %s (%s): %s; last answer %s; %" PRIu64
		    " reads answered EIO at once; probed every second",
		    since, a1, bfs_strerror(h.last_err), h.last_ok_ns ? a2 : "never",
		    h.outage_failed_fast);
	}
	if (h.outages && h.up && h.up_since_ns) {
		ago(h.up_since_ns, a1, sizeof(a1));
		put(o, "bucket_outages: %" PRIu64 " (the last ended %s)", h.outages, a1);
	} else if (h.outages) {
		put(o, "bucket_outages: %" PRIu64, h.outages);
	}
}

/* --- commands --------------------------------------------------------------- */

static int cmd_status(struct bfs_ctl *c, struct out *o, const char *arg)
{
	const struct bfs_fs_cfg *cfg = bfs_fs_config(c->fs);
	struct bfs_fs_stats fst;
	struct bfs_store_stats sst;
	struct bfs_fs_pending p;
	uint64_t entries = 0, ixbytes = 0, opens;
	int64_t now = (int64_t)time(NULL);
	char h1[32], h2[32];

	(void)arg;
	bfs_fs_get_stats(c->fs, &fst);
	bfs_store_get_stats(c->store, &sst);
	(void)bfs_fs_index_stat(c->fs, &entries, &ixbytes);
	if (bfs_fs_pending(c->fs, &p))
		memset(&p, 0, sizeof(p));
	put(o, "mount: %s", c->mountpoint);
	put(o, "target: %s", c->target);
	put(o, "endpoint: %s", bfs_store_endpoint(c->store));
	reach_lines(c, o);
	put(o, "pid: %d", (int)getpid());
	put(o, "uptime_s: %" PRId64, now - c->started);
	if (cfg->writeback_ms >= 0)
		put(o, "uploads: write-back, %.1f s after close", (double)cfg->writeback_ms / 1000);
	else
		put(o, "uploads: at close (synchronous)");
	put(o, "cache_dir: %s", c->cache_dir);
	human(fst.cache_bytes, h1, sizeof(h1));
	put(o, "cache_bytes: %" PRIu64 " (%s)", fst.cache_bytes, h1);
	if (cfg->cache_size) {
		human(cfg->cache_size, h2, sizeof(h2));
		put(o, "cache_size: %" PRIu64 " (%s, %.0f%% used)", cfg->cache_size, h2,
		    100.0 * (double)fst.cache_bytes / (double)cfg->cache_size);
	} else {
		put(o, "cache_size: none");
	}
	if (cfg->cache_min_free_pct >= 0)
		put(o, "cache_min_free: %d%%", cfg->cache_min_free_pct);
	else
		put(o, "cache_min_free: %" PRIu64, cfg->cache_min_free);
	human(ixbytes, h1, sizeof(h1));
	put(o, "index_entries: %" PRIu64 " (%s on disk)", entries, h1);
	opens = fst.cache_hits + fst.cache_misses;
	put(o, "cache_hits: %" PRIu64 " of %" PRIu64 " opens (%.1f%%)", fst.cache_hits, opens,
	    opens ? 100.0 * (double)fst.cache_hits / (double)opens : 0.0);
	put(o, "revalidations: %" PRIu64 " (%" PRIu64 " not modified)", fst.revalidations,
	    fst.not_modified);
	human(fst.bytes_from_cache, h1, sizeof(h1));
	human(sst.bytes_down, h2, sizeof(h2));
	put(o, "bytes_from_cache: %" PRIu64 " (%s; fetched from the bucket: %s)",
	    fst.bytes_from_cache, h1, h2);
	put(o, "evicted: %" PRIu64 " copies, %" PRIu64 " bytes", fst.evicted, fst.evicted_bytes);
	put(o, "damaged_copies: %" PRIu64, fst.damaged);
	put(o, "uploads_done: %" PRIu64 " (%" PRIu64 " failed attempts)", fst.uploads,
	    fst.upload_errors);
	put(o, "pending_uploads: %" PRIu64, p.files);
	put(o, "pending_bytes: %" PRIu64, p.bytes);
	put(o, "pending_failing: %" PRIu64, p.failing);
	put(o, "pending_oldest_s: %" PRId64,
	    p.files && p.oldest_ns ? (now_ns() - p.oldest_ns) / 1000000000 : 0);
	put(o, "enospc: %" PRIu64, fst.enospc);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	{
		/* what the heap holds for live allocations (the measure of a
		 * leak), and what malloc keeps of the system's besides */
		struct mallinfo2 mi = mallinfo2();

		put(o, "heap_in_use: %zu KiB (malloc holds %zu KiB more)",
		    (mi.uordblks + mi.hblkhd) / 1024, mi.fordblks / 1024);
	}
#endif
	put(o,
	    "requests: HEAD %" PRIu64 " GET %" PRIu64 " PUT %" PRIu64 " DELETE %" PRIu64
	    " LIST %" PRIu64 " COPY %" PRIu64 " POST %" PRIu64 ", retries %" PRIu64,
	    sst.requests[BFS_OP_HEAD], sst.requests[BFS_OP_GET], sst.requests[BFS_OP_PUT],
	    sst.requests[BFS_OP_DELETE], sst.requests[BFS_OP_LIST], sst.requests[BFS_OP_COPY],
	    sst.requests[BFS_OP_POST], sst.retries);
	return 0;
}

static int pending_line(void *arg, const char *path, uint64_t size, int64_t mtime_ns,
			uint32_t attempts, int error)
{
	put(arg, "%s %" PRIu64 " %" PRId64 " %u %s", path, size,
	    mtime_ns ? (now_ns() - mtime_ns) / 1000000000 : 0, attempts,
	    error ? bfs_strerror(error) : "-");
	return ((struct out *)arg)->broken;
}

static int cmd_pending(struct bfs_ctl *c, struct out *o, const char *arg)
{
	(void)arg;
	return bfs_fs_pending_list(c->fs, pending_line, o);
}

static int cmd_flush(struct bfs_ctl *c, struct out *o, const char *arg)
{
	long secs = arg && *arg ? strtol(arg, NULL, 10) : 60;
	int rc = bfs_fs_flush_all(c->fs, secs > 0 ? secs : 60, say_line, o);

	if (rc == -ETIMEDOUT) {
		struct bfs_fs_pending p;

		if (!bfs_fs_pending(c->fs, &p))
			put(o,
			    "still pending: %" PRIu64 " uploads (%" PRIu64 " failing; see "
			    "'pending' for their errors)",
			    p.files, p.failing);
	}
	return rc;
}

static int cmd_evict(struct bfs_ctl *c, struct out *o, const char *arg)
{
	uint64_t files, bytes;
	int rc;

	if (!arg || !*arg)
		return -EINVAL;
	rc = bfs_fs_evict(c->fs, strcmp(arg, "--all") ? arg : NULL, &files, &bytes);
	if (!rc)
		put(o, "evicted %" PRIu64 " copies, %" PRIu64 " bytes", files, bytes);
	return rc;
}

static int cmd_stats(struct bfs_ctl *c, struct out *o, const char *arg)
{
	static const char *const ops[8] = { "HEAD", "GET",  "PUT",  "DELETE",
					    "LIST", "POST", "COPY", "OTHER" };
	struct bfs_store_stats ss;
	struct bfs_fs_stats fst;
	uint64_t opens;
	char h1[32], h2[32];
	int i;

	if (arg && !strcmp(arg, "--prometheus")) {
		struct bfs_buf text = BFS_BUF_INIT(1 << 20);
		char *line, *save = NULL;
		int rc = bfs_metrics_text(c->fs, c->store, c->mountpoint, &text);

		for (line = rc ? NULL : strtok_r(text.data, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			put(o, "%s", line);
		bfs_buf_release(&text);
		return rc;
	}
	if (arg && *arg)
		return -EINVAL;
	bfs_store_get_stats(c->store, &ss);
	bfs_fs_get_stats(c->fs, &fst);
	for (i = 0; i < 8; i++) {
		uint64_t n = ss.requests[i];

		if (n)
			put(o, "requests_%s: %" PRIu64 " (mean %.1f ms)", ops[i], n,
			    (double)ss.lat_sum_us[i] / 1000.0 / (double)n);
	}
	put(o, "retries: %" PRIu64, ss.retries);
	put(o, "probes: %" PRIu64 " (%" PRIu64 " failed; during outages, not retried)", ss.probes,
	    ss.probes_failed);
	human(ss.bytes_up, h1, sizeof(h1));
	human(ss.bytes_down, h2, sizeof(h2));
	put(o, "bytes_up: %" PRIu64 " (%s)", ss.bytes_up, h1);
	put(o, "bytes_down: %" PRIu64 " (%s)", ss.bytes_down, h2);
	opens = fst.cache_hits + fst.cache_misses;
	put(o, "cache_hits: %" PRIu64, fst.cache_hits);
	put(o, "cache_misses: %" PRIu64, fst.cache_misses);
	put(o, "cache_hit_ratio: %.3f", opens ? (double)fst.cache_hits / (double)opens : 0.0);
	human(fst.bytes_from_cache, h1, sizeof(h1));
	put(o, "bytes_served_from_cache: %" PRIu64 " (%s: the egress the cache avoided)",
	    fst.bytes_from_cache, h1);
	for (i = 0; i < BFS_E_LAST - BFS_E_FIRST - 1; i++)
		if (ss.errors[i])
			put(o, "errors_%s: %" PRIu64, bfs_strerror(BFS_E_FIRST + 1 + i),
			    ss.errors[i]);
	return 0;
}

static int cmd_invalidate(struct bfs_ctl *c, struct out *o, const char *arg)
{
	uint64_t n;
	int rc;

	if (!arg || arg[0] != '/')
		return -EINVAL;
	rc = bfs_fs_invalidate(c->fs, arg, &n);
	if (rc)
		return rc;
	if (c->kernel_forget)
		c->kernel_forget(c->kernel_arg, arg);
	put(o, "invalidated %" PRIu64 " entries", n);
	return 0;
}

static int cmd_fsck(struct bfs_ctl *c, struct out *o, const char *arg)
{
	struct bfs_fs_fsck r;
	int repair = arg && !strcmp(arg, "--repair");
	int rc = bfs_fs_fsck(c->fs, repair, say_line, o, &r);

	if (rc)
		return rc;
	put(o, "entries: %" PRIu64, r.entries);
	put(o, "cached_copies: %" PRIu64 " (%" PRIu64 " bytes checked)", r.copies, r.bytes_checked);
	put(o, "journaled_uploads: %" PRIu64, r.journaled);
	put(o, "damaged_copies: %" PRIu64, r.damaged);
	put(o, "broken_journal: %" PRIu64, r.broken_journal);
	put(o, "orphan_files: %" PRIu64, r.orphans);
	put(o, "repaired: %" PRIu64, r.repaired);
	put(o, "lost_found: %" PRIu64, r.lost_found);
	return r.damaged + r.broken_journal + r.orphans > r.repaired || r.lost_found ? -EUCLEAN : 0;
}

static const struct {
	const char *name;
	int (*fn)(struct bfs_ctl *c, struct out *o, const char *arg);
} commands[] = {
	{ "status", cmd_status }, { "pending", cmd_pending }, { "flush", cmd_flush },
	{ "evict", cmd_evict },	  { "fsck", cmd_fsck },	      { "invalidate", cmd_invalidate },
	{ "stats", cmd_stats },
};

/* Read one request line (at most REQ_MAX bytes, 10 s). */
static int read_request(int fd, char *buf, size_t bufsz)
{
	size_t n = 0;

	while (n < bufsz - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 10000) <= 0)
			return -ETIMEDOUT;
		r = recv(fd, buf + n, bufsz - 1 - n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EPIPE;
		n += (size_t)r;
		if (memchr(buf, '\n', n)) {
			*(char *)memchr(buf, '\n', n) = '\0';
			return 0;
		}
	}
	return -E2BIG;
}

static void *serve_one(void *arg)
{
	struct ctl_slot *s = arg;
	struct out o = { s->fd, 0 };
	char req[REQ_MAX], *cmd, *rest;
	size_t i;
	int rc = read_request(s->fd, req, sizeof(req));

	if (!rc) {
		cmd = req;
		rest = strchr(req, ' ');
		if (rest)
			*rest++ = '\0';
		rc = -ENOSYS;
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(cmd, commands[i].name))
				rc = commands[i].fn(s->c, &o, rest);
		if (rc == -ENOSYS)
			put(&o,
			    "= %d unknown command '%.100s' (status, stats, pending, flush, evict, "
			    "invalidate, fsck)",
			    -rc, cmd);
		else if (rc == -EUCLEAN)
			put(&o,
			    "= %d problems found (fsck --repair drops damaged copies and "
			    "unreferenced files)",
			    EUCLEAN);
		else if (rc == -ETIMEDOUT && !strcmp(cmd, "flush"))
			put(&o, "= %d uploads still pending when the time ran out", ETIMEDOUT);
		else if (rc)
			put(&o, "= %d %s", bfs_err_is_store(rc) ? EIO : -rc, bfs_strerror(rc));
		else
			put(&o, "= 0");
	}
	close(s->fd);
	pthread_mutex_lock(&s->c->lock);
	s->done = 1;
	pthread_mutex_unlock(&s->c->lock);
	return NULL;
}

/* A free slot (joining finished ones), or NULL.  Under c->lock. */
static struct ctl_slot *free_slot(struct bfs_ctl *c)
{
	int i;

	for (i = 0; i < CTL_MAX; i++) {
		struct ctl_slot *s = &c->slots[i];

		if (s->used && s->done) {
			pthread_join(s->thread, NULL);
			s->used = 0;
		}
		if (!s->used)
			return s;
	}
	return NULL;
}

static void *acceptor(void *arg)
{
	struct bfs_ctl *c = arg;

	for (;;) {
		struct pollfd p[2] = { { c->listen_fd, POLLIN, 0 },
				       { c->stop_pipe[0], POLLIN, 0 } };
		struct ctl_slot *s;
		int fd;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&c->lock);
		s = free_slot(c);
		if (s) {
			s->used = 1;
			s->done = 0;
			s->fd = fd;
			s->c = c;
			if (pthread_create(&s->thread, NULL, serve_one, s)) {
				s->used = 0;
				s = NULL;
			}
		}
		pthread_mutex_unlock(&c->lock);
		if (!s) {
			struct out o = { fd, 0 };

			put(&o, "= %d busy: too many requests at once", EBUSY);
			close(fd);
		}
	}
	return NULL;
}

/* Close and free what start made (no thread running). */
static void ctl_free(struct bfs_ctl *c)
{
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	if (c->stop_pipe[0] >= 0) {
		close(c->stop_pipe[0]);
		close(c->stop_pipe[1]);
	}
	pthread_mutex_destroy(&c->lock);
	free(c->sock_path);
	free(c->mountpoint);
	free(c->target);
	free(c->cache_dir);
	free(c);
}

int bfs_ctl_start(const char *sock_path, struct bfs_fs *fs, struct bfs_store *store,
		  const struct bfs_ctl_info *info, struct bfs_ctl **out)
{
	struct bfs_ctl *c;
	int rc;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->listen_fd = c->stop_pipe[0] = c->stop_pipe[1] = -1;
	c->fs = fs;
	c->store = store;
	c->kernel_forget = info->kernel_forget;
	c->kernel_arg = info->kernel_arg;
	c->started = (int64_t)time(NULL);
	pthread_mutex_init(&c->lock, NULL);
	c->sock_path = strdup(sock_path);
	c->mountpoint = strdup(info->mountpoint ? info->mountpoint : "");
	c->target = strdup(info->target ? info->target : "");
	c->cache_dir = strdup(info->cache_dir ? info->cache_dir : "");
	rc = -ENOMEM;
	if (!c->sock_path || !c->mountpoint || !c->target || !c->cache_dir)
		goto fail;
	if (pipe2(c->stop_pipe, O_CLOEXEC) < 0)
		goto fail_errno;
	c->listen_fd = bfs_sock_listen_unix(sock_path, 16);
	if (c->listen_fd < 0) {
		rc = c->listen_fd;
		goto fail;
	}
	rc = pthread_create(&c->acceptor, NULL, acceptor, c);
	if (rc) {
		rc = -rc;
		(void)unlink(sock_path);
		goto fail;
	}
	*out = c;
	return 0;
fail_errno:
	rc = -errno;
fail:
	ctl_free(c);
	return rc;
}

void bfs_ctl_stop(struct bfs_ctl *c)
{
	ssize_t w;
	int i;

	if (!c)
		return;
	w = write(c->stop_pipe[1], "x", 1); /* a pipe with room: cannot fail */
	(void)w;
	pthread_join(c->acceptor, NULL);
	for (i = 0; i < CTL_MAX; i++)
		if (c->slots[i].used)
			pthread_join(c->slots[i].thread, NULL);
	(void)unlink(c->sock_path);
	ctl_free(c);
}

/* --- the client --------------------------------------------------------------- */

int bfs_ctl_find(const char *where, char *out, size_t outsz, char *msg, size_t msgsz)
{
	struct stat sb;
	ssize_t n;

	n = getxattr(where, BFS_CTL_XATTR, out, outsz - 1);
	if (n > 0) {
		out[n] = '\0';
		return 0;
	}
	if (stat(where, &sb) == 0 && S_ISSOCK(sb.st_mode)) {
		snprintf(out, outsz, "%s", where);
		return 0;
	}
	if ((size_t)snprintf(out, outsz, "%s/ctl.sock", where) < outsz && stat(out, &sb) == 0 &&
	    S_ISSOCK(sb.st_mode))
		return 0;
	snprintf(msg, msgsz,
		 "%s is not a bucketfs mount point (nor its cache directory or "
		 "socket)",
		 where);
	return -ENOENT;
}

int bfs_ctl_request(const char *sock_path, const char *request, FILE *out, char *msg, size_t msgsz)
{
	struct sockaddr_un sa;
	char buf[8192], line[8192];
	size_t ll = 0;
	int fd, rc = -EPIPE;

	if (strlen(sock_path) >= sizeof(sa.sun_path)) {
		snprintf(msg, msgsz, "socket path too long: %s", sock_path);
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    send(fd, request, strlen(request), MSG_NOSIGNAL) < 0 ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) < 0) {
		rc = -errno;
		snprintf(msg, msgsz, "cannot talk to the daemon at %s: %s", sock_path,
			 strerror(errno));
		close(fd);
		return rc;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0), i;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = '\0';
			ll = 0;
			if (line[0] == '=' && line[1] == ' ') {
				long code = strtol(line + 2, NULL, 10);
				const char *m = strchr(line + 2, ' ');

				snprintf(msg, msgsz, "%s", m ? m + 1 : "");
				rc = code ? 1 : 0;
				goto out;
			}
			fprintf(out, "%s\n", line);
			fflush(out);
		}
	}
	snprintf(msg, msgsz, "the daemon closed the connection before answering");
out:
	close(fd);
	return rc;
}
