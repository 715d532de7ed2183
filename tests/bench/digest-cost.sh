#!/bin/bash
# SPDX-License-Identifier: MIT
# digest-cost.sh — what the cached copies' CRC-32C costs, on radosgw: a cold
# read of a SIZE_MB object (fresh cache), a write of a SIZE_MB file (one
# synchronous multipart upload at close), a write-back close of a SIZE_MB
# file (journaled: synced, digested, recorded), the write-back close of a
# 100 KiB file (cp of 200 files: ms per file), and the first read after a
# remount of the cached copy (its check at first use), with the copy in the
# page cache and with its pages dropped.  ROUNDS rounds each; prints the
# median of each.  Not part of the test suite.  Run it against another
# build (e.g. the commit before the digests) with BFS_BUILD_DIR=DIR.
#
#   tests/bench/digest-cost.sh [SIZE_MB=1024] [ROUNDS=3]
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
SIZE=${1:-1024}
ROUNDS=${2:-3}
test_timeout $((300 + ROUNDS * SIZE / 4))
export RGW_MEMSTORE_BYTES=$(((3 * SIZE + 1024) << 20)) # the object, a written one, room
rgw_start
tmp=$(bfs_tmpdir)
bucket=digest-$RANDOM
make_bucket "$bucket"
mnt=$tmp/mnt
head -c $((SIZE * 1048576)) /dev/urandom >"$tmp/src"
s3_cp "$tmp/src" "s3://$bucket/big.bin"
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f\n", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
drop_pages() {
	/usr/bin/python3 -c 'import os, sys
for p in sys.argv[1:]:
    fd = os.open(p, os.O_RDONLY); os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)' "$@"
}
for f in cold write wb warm1 drop1 small.ms; do : >"$tmp/$f"; done
SMALL=200
head -c 102400 /dev/urandom >"$tmp/small"
for ((r = 1; r <= ROUNDS; r++)); do
	cache=$tmp/cache.$r
	bfs_mount "$bucket" "$mnt" "cache_dir=$cache,stat_ttl=3600,stall_timeout=120" >/dev/null
	t=$EPOCHREALTIME
	cat "$mnt/big.bin" >/dev/null
	secs_since "$t" >>"$tmp/cold"
	t=$EPOCHREALTIME
	cp "$tmp/src" "$mnt/w$r.bin"
	secs_since "$t" >>"$tmp/write"
	rm "$mnt/w$r.bin" # (radosgw keeps objects in memory)
	bfs_umount "$mnt"
	# the first use after a remount checks the copy: warm, then pages dropped
	bfs_mount "$bucket" "$mnt" "cache_dir=$cache,stat_ttl=3600,stall_timeout=120" >/dev/null
	t=$EPOCHREALTIME
	head -c 1 "$mnt/big.bin" >/dev/null
	secs_since "$t" >>"$tmp/warm1"
	bfs_umount "$mnt"
	big=$(find "$cache/data" -type f -size +$((SIZE - 1))M | head -n 1)
	mapfile -t files < <(find "$cache/data" -type f)
	drop_pages "${files[@]}"
	bfs_mount "$bucket" "$mnt" "cache_dir=$cache,stat_ttl=3600,stall_timeout=120" >/dev/null
	t=$EPOCHREALTIME
	head -c 1 "$mnt/big.bin" >/dev/null
	secs_since "$t" >>"$tmp/drop1"
	bfs_umount "$mnt"
	bfs_mount "$bucket" "$mnt" "cache_dir=$cache,writeback=3600,unmount_wait=0,stall_timeout=120" >/dev/null
	t=$EPOCHREALTIME
	cp "$tmp/src" "$mnt/b$r.bin"
	secs_since "$t" >>"$tmp/wb"
	# small files: what a write-back close costs on its own (ms per file)
	mkdir -p "$mnt/small"
	t=$EPOCHREALTIME
	for ((i = 0; i < SMALL; i++)); do cp "$tmp/small" "$mnt/small/$i.png"; done
	awk -v a="$t" -v b="$EPOCHREALTIME" -v n="$SMALL" 'BEGIN { printf "%.2f\n", (b - a) * 1000 / n }' >>"$tmp/small.ms"
	bfs_umount "$mnt"
	rm -rf "$cache"
	[ -n "$big" ] || fail "no data file of big.bin"
done
echo "# $SIZE MiB, $ROUNDS rounds, medians (s), build $BFS_BUILD_DIR"
printf '%-40s %s\n' "cold read (cat)" "$(median <"$tmp/cold")" \
	"write, synchronous upload (cp)" "$(median <"$tmp/write")" \
	"write-back close (cp, journaled)" "$(median <"$tmp/wb")" \
	"first read after remount, warm pages" "$(median <"$tmp/warm1")" \
	"first read after remount, pages dropped" "$(median <"$tmp/drop1")" \
	"write-back close of a 100 KiB file (ms)" "$(median <"$tmp/small.ms")"
ok "measured"
