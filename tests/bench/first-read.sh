#!/bin/bash
# SPDX-License-Identifier: MIT
# first-read.sh — the first read of images a server never saw (a web
# server asked for a new task's images, or for any image after a restart
# with an empty cache), on radosgw: FILES images of 1 MiB, 4 a directory,
# written through a mount; then, each on a fresh mount with an empty cache,
# the time to first byte (open and read of 1 byte, 200 files one at a
# time), the stat of every file by name, and the read of every file by 8
# readers; and the same through boto3 (GET, HEAD).  With RATE (bytes a
# second), radosgw's answers come through tests/bench/throttle.py, at most
# RATE a connection: a link on which a body takes longer to come than its
# first byte, as to a cloud bucket (50000000: 1 MiB in 21 ms).  With BASE (a
# build directory), that bucketfs build is measured as well, alternately.
# Prints the medians over ROUNDS rounds; not part of the test suite.
#
#   [RATE=BYTES_PER_S] [BASE=BUILD_DIR] [ORDER=key] tests/bench/first-read.sh [ROUNDS=3] [FILES=800]
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
ROUNDS=${1:-3}
FILES=${2:-800}
test_timeout $((600 + ROUNDS * FILES / 2))
rgw_start
tmp=$(bfs_tmpdir)
here=$BFS_SOURCE_DIR/tests/bench
bucket=first-$RANDOM
make_bucket "$bucket"
bfs_mount "$bucket" "$tmp/m" ""
for ((t = 0; t < FILES / 4; t++)); do
	mkdir -p "$tmp/m/images/t$t"
	for n in 0 1 2 3; do
		head -c 1048576 /dev/urandom >"$tmp/m/images/t$t/$n.png"
		echo "images/t$t/$n.png"
	done
done >"$tmp/keys"
# (in the order they were written, t0, t1, t2, ...; ORDER=key: in the
# bucket's key order, t0, t1, t10, t100, ..., as a walk lists them)
[ "${ORDER:-}" != key ] || LC_ALL=C sort -o "$tmp/keys" "$tmp/keys"
bfs_umount "$tmp/m"
ep=$RGW_ENDPOINT
if [ -n "${RATE:-}" ]; then
	port=$(free_port)
	python3 "$here/throttle.py" "$port" "${RGW_ENDPOINT##*:}" "$RATE" &
	on_exit kill $!
	ep=http://127.0.0.1:$port
fi
builds=(new)
[ -z "${BASE:-}" ] || builds=(base new)
declare -A dir=([new]=$BFS_BUILD_DIR [base]=${BASE:-})
: >"$tmp/out"
for ((r = 1; r <= ROUNDS; r++)); do
	for b in "${builds[@]}"; do
		for m in ttfb stat cold; do
			BFS_BUILD_DIR=${dir[$b]} bfs_mount "$bucket" "$tmp/m" "endpoint=$ep,path_style" >/dev/null
			echo "$b r$r $(python3 "$here/firstread.py" "$m" --root "$tmp/m" --keys "$tmp/keys")" >>"$tmp/out"
			bfs_umount "$tmp/m"
		done
	done
	for m in ttfb stat cold; do
		echo "raw r$r $(RGW_ENDPOINT=$ep python3 "$here/firstread.py" "$m" --bucket "$bucket" --keys "$tmp/keys")" >>"$tmp/out"
	done
done
sed 's/^/# /' "$tmp/out"
printf '\n%s images of 1 MiB, %s round(s), medians%s%s\n' "$FILES" "$ROUNDS" \
	"${RATE:+; answers at most $RATE bytes/s a connection}" "${ORDER:+; read in $ORDER order}"
printf '%-10s %14s %14s %12s %14s\n' system "TTFB p50 ms" "TTFB p99 ms" "stat all, s" "cold MiB/s"
for b in "${builds[@]}" raw; do
	med() { grep "^$b " "$tmp/out" | tr ' ' '\n' | sed -n "s/^$1=//p" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
	printf '%-10s %14s %14s %12s %14s\n' "$b" "$(med ttfb_p50_ms)" "$(med ttfb_p99_ms)" \
		"$(med stat_s)" "$(med cold_mib_s)"
done
