/* SPDX-License-Identifier: MIT */
/*
 * ctl_cmd.c - the control socket's commands (bucketfsctl status, stats,
 * pending, flush, evict, invalidate, fsck on a running mount): each writes
 * its answer's lines with put() and returns 0 or an error, in words in
 * o->why where strerror would not say what is wrong.
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/error.h"
#include "bucketfs/fs.h"
#include "bucketfs/human.h"
#include "bucketfs/metrics.h"
#include "bucketfs/store.h"
#include "daemon/ctl_int.h"

/* --- answers ---------------------------------------------------------------- */

int64_t ctl_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

void put(struct out *o, const char *fmt, ...)
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

static void human(uint64_t n, char *out, size_t outsz)
{
	bfs_human_bytes((double)n, out, outsz);
}

/* "3.2 s ago", "2 h 5 min ago": how long before now (CLOCK_REALTIME ns) t was. */
static void ago(int64_t t, char *out, size_t outsz)
{
	double s = (double)(ctl_now_ns() - t) / 1e9;

	if (s < 0)
		s = 0;
	if (s < 100)
		snprintf(out, outsz, "%.1f s ago", s);
	else if (s < 7200)
		snprintf(out, outsz, "%.0f min ago", s / 60);
	else
		snprintf(out, outsz, "%" PRId64 " h %" PRId64 " min ago", (int64_t)s / 3600,
			 (int64_t)s % 3600 / 60);
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

/*
 * A path in the mount as a command takes it: "/images/t1", also written
 * "images/t1" or "/images/t1/" (as a shell completes it); 0, or -EINVAL
 * with o->why saying what is wrong.
 */
static int ctl_path(const char *arg, char *out, size_t outsz, struct out *o)
{
	size_t n;

	if ((size_t)snprintf(out, outsz, "%s%s", arg[0] == '/' ? "" : "/", arg) >= outsz) {
		snprintf(o->why, sizeof(o->why), "the path is too long");
		return -EINVAL;
	}
	n = strlen(out);
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	if (strstr(out, "//") || strstr(out, "/./") || strstr(out, "/../") ||
	    (n >= 2 && !strcmp(out + n - 2, "/.")) || (n >= 3 && !strcmp(out + n - 3, "/.."))) {
		snprintf(o->why, sizeof(o->why),
			 "'%.200s': give the path below the mount point, as in /images/t1", arg);
		return -EINVAL;
	}
	return 0;
}

/* --- commands --------------------------------------------------------------- */

static int cmd_status(struct bfs_ctl *c, struct out *o, const char *arg)
{
	const struct bfs_fs_cfg *cfg = bfs_fs_config(c->fs);
	struct bfs_fs_stats fst;
	struct bfs_store_stats sst;
	struct bfs_fs_pending p;
	struct bfs_fs_index_usage ix;
	uint64_t opens;
	int64_t now = (int64_t)time(NULL);
	char h1[32], h2[32];

	(void)arg;
	bfs_fs_get_stats(c->fs, &fst);
	bfs_store_get_stats(c->store, &sst);
	(void)bfs_fs_index_usage(c->fs, &ix);
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
	human(ix.disk_bytes, h1, sizeof(h1));
	put(o, "index_entries: %" PRIu64 " (%s on disk)", ix.entries, h1);
	human(ix.used, h1, sizeof(h1));
	if (ix.cap) {
		human(ix.cap, h2, sizeof(h2));
		put(o,
		    "index_used: %" PRIu64 " (%s, %.0f%% of index_size=%s; %" PRIu64
		    " names forgotten in %" PRIu64 " rounds)",
		    ix.used, h1, 100.0 * (double)ix.used / (double)ix.cap, h2, ix.forgotten,
		    ix.rounds);
	} else {
		put(o, "index_used: %" PRIu64 " (%s; index_size: none)", ix.used, h1);
	}
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
	    p.files && p.oldest_ns ? (ctl_now_ns() - p.oldest_ns) / 1000000000 : 0);
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
	    mtime_ns ? (ctl_now_ns() - mtime_ns) / 1000000000 : 0, attempts,
	    error ? bfs_strerror(error) : "-");
	return ((struct out *)arg)->broken;
}

static int cmd_pending(struct bfs_ctl *c, struct out *o, const char *arg)
{
	(void)arg;
	return bfs_fs_pending_list(c->fs, pending_line, o);
}

/* The flush's progress, for bucketfsctl to show (one line that updates on
 * a terminal): "progress FILES_DONE BYTES_DONE FILES_LEFT BYTES_LEFT
 * FAILING SECONDS", at most every half second, and the last one. */
struct flush_progress {
	struct bfs_ctl *c;
	struct out *o;
	int64_t t0, last;
	uint64_t uploads0, bytes0, left0;
	int seen;
};

static void flush_done(const struct flush_progress *fp, uint64_t *files, uint64_t *bytes)
{
	struct bfs_fs_stats fst;
	struct bfs_store_stats sst;

	bfs_fs_get_stats(fp->c->fs, &fst);
	bfs_store_get_stats(fp->c->store, &sst);
	*files = fst.uploads - fp->uploads0;
	*bytes = sst.bytes_up - fp->bytes0;
}

static void flush_progress(void *arg, const struct bfs_fs_pending *left)
{
	struct flush_progress *fp = arg;
	int64_t now = ctl_now_ns();
	uint64_t files, bytes;

	if (!fp->seen++)
		fp->left0 = left->files;
	else if (left->files && now - fp->last < 500000000)
		return;
	fp->last = now;
	if (!fp->left0)
		return; /* nothing to upload: said once, at the end */
	flush_done(fp, &files, &bytes);
	put(fp->o, "progress %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %.3f",
	    files, bytes, left->files, left->bytes, left->failing, (double)(now - fp->t0) / 1e9);
}

static int cmd_flush(struct bfs_ctl *c, struct out *o, const char *arg)
{
	long secs = arg && *arg ? strtol(arg, NULL, 10) : 60;
	struct flush_progress fp = { c, o, ctl_now_ns(), 0, 0, 0, 0, 0 };
	uint64_t files, bytes;
	double took;
	char h[32];
	int rc;

	flush_done(&fp, &fp.uploads0, &fp.bytes0); /* (the counts so far, from 0) */
	rc = bfs_fs_flush_all(c->fs, secs > 0 ? secs : 60, flush_progress, &fp);
	flush_done(&fp, &files, &bytes);
	took = (double)(ctl_now_ns() - fp.t0) / 1e9;
	human(bytes, h, sizeof(h));
	if (rc == -ETIMEDOUT) {
		struct bfs_fs_pending p;

		if (!bfs_fs_pending(c->fs, &p))
			snprintf(o->why, sizeof(o->why),
				 "still pending after %.1f s: %" PRIu64 " upload%s (%" PRIu64
				 " failing; see 'pending' for their errors)",
				 took, p.files, p.files == 1 ? "" : "s", p.failing);
	} else if (!rc && !fp.left0) {
		put(o, "nothing to upload: no pending uploads");
	} else if (!rc) {
		put(o, "uploaded %" PRIu64 " file%s (%s) in %.1f s", files, files == 1 ? "" : "s",
		    h, took);
	}
	return rc;
}

static int cmd_evict(struct bfs_ctl *c, struct out *o, const char *arg)
{
	char path[4096], h[32];
	uint64_t files, bytes;
	int rc, all = arg && !strcmp(arg, "--all");

	if (!arg || !*arg)
		return -EINVAL;
	if (!all && ctl_path(arg, path, sizeof(path), o))
		return -EINVAL;
	rc = bfs_fs_evict(c->fs, all ? NULL : path, &files, &bytes);
	human(bytes, h, sizeof(h));
	if (!rc && files)
		put(o, "evicted %" PRIu64 " cop%s (%s)", files, files == 1 ? "y" : "ies", h);
	else if (!rc)
		put(o, "nothing to evict: no cached copy is closed and uploaded");
	else if (rc == -ENODATA)
		put(o, "nothing to evict: %s has no cached copy", path);
	else if (rc == -EBUSY) {
		int n = bfs_fs_open_handles(c->fs, path);

		snprintf(
		    o->why, sizeof(o->why),
		    "%.900s is open (%d handle%s: a reader such as nginx's open_file_cache may "
		    "hold it), so its copy stays; evict it once it is closed",
		    path, n, n == 1 ? "" : "s");
	} else if (rc == -EINPROGRESS)
		snprintf(
		    o->why, sizeof(o->why),
		    "%.900s is not in the bucket yet (its upload is pending: see 'pending'), so "
		    "its copy is the only one and stays",
		    path);
	else if (rc == -ENOENT)
		snprintf(o->why, sizeof(o->why), "%.900s: the mount knows no such file", path);
	return rc == -ENODATA ? 0 : rc;
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
	char path[4096];
	uint64_t n;
	int rc;

	if (!arg || !*arg || ctl_path(arg, path, sizeof(path), o))
		return -EINVAL;
	rc = bfs_fs_invalidate(c->fs, path, &n);
	if (rc == -ENOENT)
		n = 0;
	else if (rc)
		return rc;
	if (c->kernel_forget)
		c->kernel_forget(c->kernel_arg, path);
	if (n)
		put(o, "invalidated %" PRIu64 " entr%s at and below %s", n, n == 1 ? "y" : "ies",
		    path);
	else
		put(o, "nothing to invalidate: the mount knows nothing at or below %s", path);
	return 0;
}

/* fsck's lines: its findings as they are, its progress (NULL) as
 * "progress ENTRIES_DONE ENTRIES BYTES_CHECKED SECONDS" for bucketfsctl. */
struct fsck_show {
	struct out *o;
	const struct bfs_fs_fsck *r;
	uint64_t total;
	int64_t t0;
};

static void fsck_line(void *arg, const char *line)
{
	struct fsck_show *fs = arg;

	if (line)
		put(fs->o, "%s", line);
	else
		put(fs->o, "progress %" PRIu64 " %" PRIu64 " %" PRIu64 " %.3f", fs->r->entries,
		    fs->total, fs->r->bytes_checked, (double)(ctl_now_ns() - fs->t0) / 1e9);
}

static int cmd_fsck(struct bfs_ctl *c, struct out *o, const char *arg)
{
	struct bfs_fs_fsck r;
	struct fsck_show fs = { o, &r, 0, ctl_now_ns() };
	struct bfs_fs_index_usage ix;
	int repair = arg && !strcmp(arg, "--repair");
	int rc;

	(void)bfs_fs_index_usage(c->fs, &ix);
	fs.total = ix.entries;
	rc = bfs_fs_fsck(c->fs, repair, fsck_line, &fs, &r);
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

int ctl_run(struct bfs_ctl *c, struct out *o, const char *cmd, const char *arg)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].fn(c, o, arg);
	return -ENOSYS;
}
