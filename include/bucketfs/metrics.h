/* SPDX-License-Identifier: MIT */
/*
 * metrics.h - the mount's counters in the Prometheus text format (version
 * 0.0.4), for `bucketfsctl stats --prometheus` (node_exporter's textfile
 * collector) and for scraping over HTTP with -o metrics=ADDR.
 *
 * Metrics (all prefixed bucketfs_, each labelled mount="MOUNTPOINT" and
 * bucket="BUCKET", so that two mounts collected together do not clash):
 * requests_total{op}, the histogram request_duration_seconds{op} (each
 * attempt), request_errors_total{code}, bucket_up, bucket_down_seconds,
 * bucket_last_answer_timestamp_seconds, bucket_outages_total,
 * requests_failed_fast_total, retries_total, uploaded_bytes_total,
 * downloaded_bytes_total, cache_hits_total, cache_misses_total,
 * cache_hit_ratio, cache_revalidations_total, cache_not_modified_total,
 * cache_bytes, cache_size_limit_bytes, cache_fs_free_bytes,
 * cache_fs_size_bytes, served_from_cache_bytes_total (the egress the cache
 * avoided), cache_evictions_total, cache_evicted_bytes_total,
 * cache_damaged_total, uploads_total, upload_errors_total, pending_uploads,
 * pending_upload_bytes, pending_upload_oldest_seconds, index_entries,
 * index_used_bytes, index_size_bytes, index_forgotten_total,
 * enospc_total.
 */
#ifndef BUCKETFS_METRICS_H
#define BUCKETFS_METRICS_H

#include "bucketfs/buf.h"

struct bfs_fs;
struct bfs_store;
struct bfs_metrics;

/* Append the exposition of the mount at mount to out.  Returns 0 or
 * -EMSGSIZE / -ENOMEM. */
int bfs_metrics_text(struct bfs_fs *fs, struct bfs_store *store, const char *mount,
		     struct bfs_buf *out);

/*
 * Serve the exposition over HTTP (any GET path) at addr: "HOST:PORT"
 * (IPv4) or an absolute path for a Unix socket (mode 0600), in a thread of
 * its own; fs, store and mount are borrowed.  Returns 0, -EINVAL (a bad
 * address) or -errno (cannot listen).
 */
int bfs_metrics_start(const char *addr, struct bfs_fs *fs, struct bfs_store *store,
		      const char *mount, struct bfs_metrics **out);
void bfs_metrics_stop(struct bfs_metrics *m);

#endif
