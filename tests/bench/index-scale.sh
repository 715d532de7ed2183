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
# Then the bound (index_size=, src/fs/fs_itrim.c): NAMES more entries
# (default: up to 10,000,000 in all; for steps under a million, 4 for each
# cached file, with INDEX_SIZE 1 KiB each) are added as names only, as listings
# leave them, a day old, in /names; the mount, with the default index_size
# (1 GiB; INDEX_SIZE=BYTES for another), forgets them until the index is
# back under it.  That row adds
# how long it took, the names forgotten, the index in use before and after,
# and the daemon's peak RssAnon meanwhile; the cached files stay (their
# latency is measured again after, with no request).
#
#   tests/bench/index-scale.sh [STEPS="1000 100000 1000000"] [SAMPLES=5000]
#   NAMES=0 tests/bench/index-scale.sh ...   (no bound step)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
STEPS=${1:-1000 100000 1000000}
SAMPLES=${2:-5000}
last=${STEPS##* }
# (a small run, such as compare.sh --smoke's, bounds a small index: 4 names
# for each cached file, into an index_size of 1 KiB each)
if [ "$last" -ge 1000000 ]; then
	NAMES=${NAMES:-$((last < 10000000 ? 10000000 - last : 0))}
	INDEX_SIZE=${INDEX_SIZE:-1073741824} # (bytes; the default index_size)
else
	NAMES=${NAMES:-$((4 * last))}
	INDEX_SIZE=${INDEX_SIZE:-$((1024 * last))}
fi
test_timeout $((300 + last / 5000 + NAMES / 5000))
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

# measure N: mount the cache, time SAMPLES of the N cached files, print a
# row (LABEL, extra JSON in ROW_EXTRA), unmount.
measure() {
	local n=$1 label=$2 t0 up pid req0 lat s50 s99 r50 r99 anon map req disk
	t0=$EPOCHREALTIME
	bfs_mount "$bucket" "$mnt" "cache_dir=$cache,immutable=/scale,stat_ttl=86400,index_size=$INDEX_SIZE" >/dev/null
	up=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
	pid=${BFS_MOUNT_PID[$mnt]}
	[ -z "${BEFORE_MEASURE:-}" ] || "$BEFORE_MEASURE" "$pid"
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
	[ -z "${PEAK_ANON:-}" ] || [ "$PEAK_ANON" -le "$anon" ] || anon=$PEAK_ANON
	# the resident part of LMDB's map (file-backed: the kernel may drop it)
	map=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { m = ($6 ~ /\/index\/data\.mdb$/) } m && /^Rss:/ { s += $2 } END { print s + 0 }' "/proc/$pid/smaps")
	req=$(($(requests) - req0))
	bfs_umount "$mnt"
	disk=$(du -k "$cache/index/data.mdb" | cut -f1)
	awk -v n="$label" -v s="$s50 / $s99" -v r="$r50 / $r99" -v up="$up" -v a="$anon" -v m="$map" \
		-v d="$disk" -v q="$req" 'BEGIN { printf "%-9s %-19s %-19s %8s %6.1f MiB %6.1f MiB %6.1f MiB %8s\n", n, s, r, up, a / 1024, m / 1024, d / 1024, q }'
	printf '{"entries": %d, "samples": %d, "stat_us_p50": %s, "stat_us_p99": %s, "open_read_us_p50": %s, "open_read_us_p99": %s, "mount_s": %s, "rss_anon_kib": %d, "lmdb_map_rss_kib": %d, "index_kib": %d, "requests": %d%s}\n' \
		"$((${label/+/ + }))" "$SAMPLES" "$s50" "$s99" "$r50" "$r99" "$up" "$anon" "$map" "$disk" "$req" "${ROW_EXTRA:-}" >>"$out"
	[ "$req" -eq 0 ] || fail "$req requests for cached files under immutable= ($label entries)"
}

# bound PID: wait (at most 30 min) until the mount's index is back under
# index_size, sampling the daemon's RssAnon; sets ROW_EXTRA and PEAK_ANON.
bound() {
	local pid=$1 t0=$EPOCHREALTIME used0 used cap line a
	line=$("$BFS_BUILD_DIR/bucketfsctl" status "$mnt" | grep '^index_used:')
	used0=${line#index_used: }
	used0=${used0%% *}
	PEAK_ANON=0
	for _ in $(seq 1 3600); do
		a=$(awk '/^RssAnon/ { print $2 }' "/proc/$pid/status")
		[ "$a" -le "$PEAK_ANON" ] || PEAK_ANON=$a
		line=$("$BFS_BUILD_DIR/bucketfsctl" status "$mnt" | grep '^index_used:')
		used=${line#index_used: }
		used=${used%% *}
		cap=$(sed -n 's/.*of index_size=\([^;]*\);.*/\1/p' <<<"$line")
		[ "$used" -gt "$INDEX_SIZE" ] || break
		sleep 0.5
	done
	[ "$used" -le "$INDEX_SIZE" ] || fail "the index stayed over index_size: $line"
	BOUND_S=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	FORGOTTEN=$(sed -n 's/.*; \([0-9]*\) names forgotten.*/\1/p' <<<"$line")
	ROW_EXTRA=$(printf ', "index_used_before": %d, "index_used_after": %d, "index_size": "%s", "bound_s": %s, "forgotten": %d, "rss_anon_peak_kib": %d' \
		"$used0" "$used" "$cap" "$BOUND_S" "$FORGOTTEN" "$PEAK_ANON")
	echo "# bound: index in use $((used0 >> 20)) MiB -> $((used >> 20)) MiB (index_size $cap) in $BOUND_S s, $FORGOTTEN names forgotten, RssAnon peak $((PEAK_ANON / 1024)) MiB"
}

printf '\n%-9s %-19s %-19s %8s %9s %9s %10s %8s\n' entries "stat p50/p99 us" \
	"open+read p50/p99" "mount s" "RssAnon" "map RSS" "index" requests
from=0
for n in $STEPS; do
	"$fill" "$cache" "$from" "$n" 4096 >/dev/null || fail "filling the index to $n"
	from=$n
	measure "$n" "$n"
done
if [ "$NAMES" -gt 0 ]; then
	"$fill" "$cache" 0 "$NAMES" 0 >/dev/null || fail "adding $NAMES names"
	BEFORE_MEASURE=bound measure "$last" "$last+$NAMES"
fi
ok "index scale: rows in $out"
