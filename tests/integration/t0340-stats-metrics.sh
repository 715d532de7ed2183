#!/bin/bash
# SPDX-License-Identifier: MIT
# t0340-stats-metrics — what a mount counts, three ways: bucketfsctl stats
# (readable), bucketfsctl stats --prometheus and -o metrics=HOST:PORT (the
# Prometheus text format, both parsed with prometheus_client's own parser
# and checked against the work done: PUTs, cache hits, bytes served from the
# cache, a histogram whose buckets add up).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 120
test_setup metrics  # (radosgw, $tmp, a new bucket $bucket)
port=$(free_port)
mnt=$tmp/mnt
bfs_mount "$bucket" "$mnt" "stat_ttl=3600,metrics=127.0.0.1:$port"
ctl() { "$BFS_BUILD_DIR/bucketfsctl" "$@"; }
mkdir -p "$mnt/images/t1"
for n in 0 1 2 3; do head -c 100000 /dev/urandom >"$mnt/images/t1/$n.png"; done
for _ in 1 2 3; do cat "$mnt"/images/t1/*.png >/dev/null; done

st=$(ctl stats "$mnt") || fail "stats: $st"
grep -q "^requests_PUT: [1-9]" <<<"$st" || fail "stats: no PUTs: $st"
grep -q "^cache_hits: 12$" <<<"$st" || fail "stats: hits: $st"
grep -q "^bytes_served_from_cache: [1-9][0-9]* (.*the egress the cache avoided)" <<<"$st" || fail "stats: $st"
ok "bucketfsctl stats: $(grep -E '^(requests_PUT|cache_hit_ratio|bytes_served)' <<<"$st" | tr '\n' ';')"

check() {  # WHERE FILE: parse the exposition in FILE, check it against the work done
	/usr/bin/python3 - "$1" "$2" "$mnt" "$bucket" "${BFS_MOUNT_CACHE[$mnt]}" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[2]).read())}
def one(name, **labels):
    for f in fams.values():
        for s in f.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    raise SystemExit("%s: no sample %s %s" % (sys.argv[1], name, labels))
assert one("bucketfs_requests_total", op="PUT") >= 4, "PUTs"     # 4 files (t1/ needs no marker)
assert one("bucketfs_cache_hits_total") == 12, "hits"
# (the kernel's page cache serves re-reads of an unchanged file itself)
assert one("bucketfs_served_from_cache_bytes_total") >= 400000, "bytes from cache"
# every sample names its mount and bucket (two mounts collected together
# do not clash); units come last in names (Prometheus' naming)
for f in fams.values():
    for s in f.samples:
        assert s.labels.get("mount") == sys.argv[3] and s.labels.get("bucket") == sys.argv[4], s
assert not [n for n in fams if n.startswith("bucketfs_bytes_")], "old names: unit not last"
assert one("bucketfs_bucket_up") == 1 and one("bucketfs_bucket_down_seconds") == 0
assert one("bucketfs_bucket_last_answer_timestamp_seconds") > 1.7e9
import os
v = os.statvfs(sys.argv[5])
free, size = one("bucketfs_cache_fs_free_bytes"), one("bucketfs_cache_fs_size_bytes")
assert size == v.f_blocks * v.f_frsize, (size, v)
assert 0 < free <= size and abs(free - v.f_bavail * v.f_frsize) < 1 << 30, (free, v)
assert 0 < one("bucketfs_cache_hit_ratio") <= 1
assert one("bucketfs_pending_uploads") == 0
h = fams["bucketfs_request_duration_seconds"]
assert h.type == "histogram"
for op in ("PUT", "HEAD", "GET", "LIST"):
    buckets = [s.value for s in h.samples if s.name.endswith("_bucket") and s.labels["op"] == op]
    assert buckets == sorted(buckets), "%s buckets not cumulative" % op
    count = one("bucketfs_request_duration_seconds_count", op=op)
    assert buckets[-1] == count, "%s: +Inf bucket != count" % op
    assert count == one("bucketfs_requests_total", op=op), "%s: count != requests" % op
print("# %s: %d metric families, PUT %d, cache hits %d" % (sys.argv[1], len(fams),
      one("bucketfs_requests_total", op="PUT"), one("bucketfs_cache_hits_total")))
PY
}
ctl stats "$mnt" --prometheus >"$tmp/prom" || fail "stats --prometheus failed"
check "stats --prometheus" "$tmp/prom" || fail "stats --prometheus does not parse or does not add up"
ok "stats --prometheus: parsed by prometheus_client, counters and histogram agree with the work"
curl -fsS "http://127.0.0.1:$port/metrics" >"$tmp/scrape" || fail "no metrics at 127.0.0.1:$port"
check "http://127.0.0.1:$port/metrics" "$tmp/scrape" || fail "the scraped metrics do not parse or do not add up"
ok "-o metrics=127.0.0.1:$port serves the same text over HTTP: $(grep -c '^bucketfs_' "$tmp/scrape") samples"
grep -E '^bucketfs_(requests_total\{op="PUT"\}|cache_hits_total|request_duration_seconds_bucket\{op="PUT",le="0.05"\})' "$tmp/scrape" | sed 's/^/# /'
bfs_umount "$mnt"

# logfile= and SIGHUP: logrotate moves the file, the next lines go to a new one
mkdir -p "$tmp/log"
bfs_mount "$bucket" "$mnt" "logfile=$tmp/log/bucketfs.log,loglevel=info"
grep -q "mounted $bucket on $mnt" "$tmp/log/bucketfs.log" || fail "no 'mounted' line in the logfile"
mv "$tmp/log/bucketfs.log" "$tmp/log/bucketfs.log.1"
kill -HUP "${BFS_MOUNT_PID[$mnt]}"
sleep 0.2
mountpoint -q "$mnt" || fail "SIGHUP unmounted the mount"
bfs_umount "$mnt"
grep -q "unmounting $mnt" "$tmp/log/bucketfs.log" || fail "the log was not reopened: $(cat "$tmp/log/bucketfs.log" 2>&1)"
grep -q "unmounting" "$tmp/log/bucketfs.log.1" && fail "lines went to the rotated file after SIGHUP"
ok "logfile=: lines carry time, level and pid ($(head -n 1 "$tmp/log/bucketfs.log.1" | cut -c1-60)...); SIGHUP reopens it"
out=$("$BFS_BUILD_DIR/bucketfs" "$bucket" "$mnt" -o "loglevel=chatty" 2>&1) && fail "loglevel=chatty accepted"
ok "a bad loglevel: $out"

# -d: one line per request to the bucket (method, key, status, bytes, ms),
# control bytes in keys escaped, and no secret anywhere in the output
BFS_MOUNT_FLAG=-d bfs_mount "$bucket" "$mnt" "stat_ttl=0"
dlog=${BFS_MOUNT_LOG[$mnt]}
head -c 54321 /dev/urandom >"$mnt/images/t1/d.png"
printf 'x' >"$mnt/images/t1/bad"$'\n'"name.png"
cat "$mnt/images/t1/d.png" >/dev/null
ls "$mnt/images/t1" >/dev/null
bfs_umount "$mnt"
grep -Eq 'request PUT /images/t1/d\.png -> 200, 54321 B out, 0 B in, [0-9.]+ ms$' "$dlog" ||
	{ bfs_log_tail "$dlog"; fail "-d: no trace of the PUT"; }
grep -Eq 'request GET /\?list-type=2&.*prefix=images/t1/.* -> 200, 0 B out, [1-9][0-9]* B in' "$dlog" ||
	{ bfs_log_tail "$dlog"; fail "-d: no trace of the LIST"; }
grep -q 'request PUT /images/t1/bad\\x0aname.png -> 200' "$dlog" || fail "-d: the newline in a key is not escaped"
grep -q 'unique: [0-9]*, opcode: ' "$dlog" || fail "-d: no FUSE trace"
for secret in "$RGW_SECRET_KEY" "Signature=" "Credential=" "Authorization"; do
	grep -qiF -- "$secret" "$dlog" && fail "-d: the output shows $secret"
done
ok "-d traces each request without secrets: $(grep -c ': request ' "$dlog") lines, e.g. $(grep -m1 'request PUT /images/t1/d' "$dlog" | sed 's/^.*request //')"
