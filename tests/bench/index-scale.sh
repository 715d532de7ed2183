#!/bin/bash
# SPDX-License-Identifier: MIT
# index-scale.sh — does a cached file cost the same with 1,000 entries in
# the cache index as with 1,000,000?  The cache is grown in steps (STEPS,
# default 1000 100000 1000000 entries) by bench_index_fill (straight into
# LMDB, hard-linked data files: see tests/bench/index_fill.c); after each
# step bucketfs mounts it (immutable=/scale and stat_ttl=86400: the filler's
# entries, files and directories, are trusted and served with no request,
# so this measures the index and FUSE, not the network) and a
# reader stats, then opens and reads, SAMPLES files picked at random among
# all of them (each one new to the kernel: every call reaches the daemon).
# Printed per step: stat and open+read latency p50/p99, the mount's start-up
# time, the daemon's anonymous RSS (without LMDB's file-backed map) and its
# LMDB map's resident share, the index on disk, and the requests the reads
# sent (must be 0).  With OUT=FILE the rows also go there as JSON lines.
#
#   tests/bench/index-scale.sh [STEPS="1000 100000 1000000"] [SAMPLES=5000]
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
STEPS=${1:-1000 100000 1000000}
SAMPLES=${2:-5000}
last=${STEPS##* }
test_timeout $((300 + last / 5000))
fill=$BFS_BUILD_DIR/tests/bench_index_fill
[ -x "$fill" ] || fail "$fill is not built"
rgw_start
tmp=$(bfs_tmpdir)
bucket=scale-$RANDOM
make_bucket "$bucket"
cache=$tmp/cache
mnt=$tmp/m
out=${OUT:-$tmp/scale.jsonl}
: >"$out"

# requests the mount has sent so far (its start-up check included)
requests() {
	"$BFS_BUILD_DIR/bucketfsctl" stats "$mnt" |
		awk -F'[: ]+' '/^requests_[A-Z]+:/ { s += $2 } END { print s + 0 }'
}

printf '\n%-9s %-19s %-19s %8s %9s %9s %10s %8s\n' entries "stat p50/p99 us" \
	"open+read p50/p99" "mount s" "RssAnon" "map RSS" "index" requests
from=0
for n in $STEPS; do
	"$fill" "$cache" "$from" "$n" 4096 >/dev/null || fail "filling the index to $n"
	from=$n
	t0=$EPOCHREALTIME
	bfs_mount "$bucket" "$mnt" "cache_dir=$cache,immutable=/scale,stat_ttl=86400" >/dev/null
	up=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
	pid=${BFS_MOUNT_PID[$mnt]}
	req0=$(requests)
	lat=$(/usr/bin/python3 - "$mnt" "$n" "$SAMPLES" <<'PY'
import os, random, sys, time
mnt, n, samples = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pick = random.Random(n).sample(range(n), min(n, samples))
paths = ["%s/scale/d%05d/f%03d.png" % (mnt, i // 1000, i % 1000) for i in pick]
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p))] * 1e6
st, rd = [], []
for p in paths:
    t = time.perf_counter(); os.stat(p); st.append(time.perf_counter() - t)
random.Random(1).shuffle(paths)
for p in paths:
    t = time.perf_counter()
    with open(p, "rb") as f:
        if len(f.read(1)) != 1:
            sys.exit("short read: " + p)
    rd.append(time.perf_counter() - t)
print("%.0f %.0f %.0f %.0f" % (pct(st, .5), pct(st, .99), pct(rd, .5), pct(rd, .99)))
PY
) || fail "reading the cached files ($n entries)"
	read -r s50 s99 r50 r99 <<<"$lat"
	anon=$(awk '/^RssAnon/ { print $2 }' "/proc/$pid/status")
	# the resident part of LMDB's map (file-backed: the kernel may drop it)
	map=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { m = ($6 ~ /\/index\/data\.mdb$/) } m && /^Rss:/ { s += $2 } END { print s + 0 }' "/proc/$pid/smaps")
	req=$(($(requests) - req0))
	bfs_umount "$mnt"
	disk=$(du -k "$cache/index/data.mdb" | cut -f1)
	awk -v n="$n" -v s="$s50 / $s99" -v r="$r50 / $r99" -v up="$up" -v a="$anon" -v m="$map" \
		-v d="$disk" -v q="$req" 'BEGIN { printf "%-9s %-19s %-19s %8s %6.1f MiB %6.1f MiB %6.1f MiB %8s\n", n, s, r, up, a / 1024, m / 1024, d / 1024, q }'
	printf '{"entries": %d, "samples": %d, "stat_us_p50": %s, "stat_us_p99": %s, "open_read_us_p50": %s, "open_read_us_p99": %s, "mount_s": %s, "rss_anon_kib": %d, "lmdb_map_rss_kib": %d, "index_kib": %d, "requests": %d}\n' \
		"$n" "$SAMPLES" "$s50" "$s99" "$r50" "$r99" "$up" "$anon" "$map" "$disk" "$req" >>"$out"
	[ "$req" -eq 0 ] || fail "$req requests for cached files under immutable= ($n entries)"
done
ok "index scale: rows in $out"
