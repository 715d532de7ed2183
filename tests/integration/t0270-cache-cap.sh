#!/bin/bash
# SPDX-License-Identifier: MIT
# t0270-cache-cap — the cache stays within cache_size= and keeps
# cache_min_free= free on its disk while a data set far larger is read
# through it; the least recently used copies go first, so a hot set that is
# read all along is never fetched twice; a write that cannot fit gets
# ENOSPC and drops nothing already acknowledged.  The size of the data
# files is sampled every 20 ms by a watcher, independent of bucketfs's own
# accounting.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 240
test_setup cap  # (radosgw, $tmp, a new bucket $bucket)
proxy_start ""
MiB=1048576

# 2 hot files and 40 cold ones of 1 MiB, put by boto3
mkdir -p "$tmp/src"
for i in $(seq 0 39); do head -c $MiB /dev/urandom >"$tmp/src/c$i.png"; done
for i in 0 1; do head -c $MiB /dev/urandom >"$tmp/src/h$i.png"; done
boto3_py "$bucket" "$tmp/src" <<'PY'
b, d = sys.argv[1:3]
for f in sorted(os.listdir(d)):
    s3.upload_file(os.path.join(d, f), b, "img/" + f)
PY

# watch DIR OUT: sample the bytes of the files under DIR every 20 ms (and the
# disk's free bytes) until OUT.stop exists; OUT gets "max_bytes min_free".
watch_cache() {
	local dir=$1 out=$2 max=0 minfree='' b f
	while [ ! -e "$out.stop" ]; do
		# (find fails when a file it saw is evicted before it stats it)
		b=$({ find "$dir" -type f -printf '%s\n' 2>/dev/null || true; } |
			awk '{ s += $1 } END { print s + 0 }')
		f=$(df -B1 --output=avail "$dir" | tail -n 1 | tr -d ' ')
		[ "$b" -gt "$max" ] && max=$b
		{ [ -z "$minfree" ] || [ "$f" -lt "$minfree" ]; } && minfree=$f
		sleep 0.02
	done
	echo "$max $minfree" >"$out"
}

# --- cache_size: 8 MiB for 42 MiB of objects ------------------------------------
cap=$((8 * MiB))
mnt=$tmp/mnt
cache=$tmp/cache
bfs_mount "$bucket" "$mnt" "endpoint=$PROXY_EP,path_style,cache_dir=$cache,stat_ttl=3600,cache_size=8M"
watch_cache "$cache/data" "$tmp/w1" &
watcher=$!
on_exit _bfs_kill_quietly "$watcher"
m=$(wc -l <"$PROXY_LOG")
for i in $(seq 0 39); do
	cmp -s "$mnt/img/h0.png" "$tmp/src/h0.png" || fail "h0 differs (round $i)"
	cmp -s "$mnt/img/h1.png" "$tmp/src/h1.png" || fail "h1 differs (round $i)"
	cmp -s "$mnt/img/c$i.png" "$tmp/src/c$i.png" || fail "c$i differs"
done
touch "$tmp/w1.stop"
wait "$watcher"
read -r max _ <"$tmp/w1"
ok "read 42 MiB through an 8 MiB cache, byte-exact; the data files peaked at $max bytes"
[ "$max" -le $((cap + MiB)) ] || fail "the cache reached $max bytes, over the cap $cap + one object"
ok "the cap held: peak $max <= $cap + 1 MiB (one object in flight)"
gets_hot=$(tail -n +$((m + 1)) "$PROXY_LOG" | grep -c "^GET /$bucket/img/h[01].png ")
assert_eq "$gets_hot" 2 "the hot set (read 40 times each) was fetched once: LRU kept it"
gets_cold=$(tail -n +$((m + 1)) "$PROXY_LOG" | grep -c "^GET /$bucket/img/c[0-9]*.png ")
assert_eq "$gets_cold" 40 "each cold file was fetched once"

# the oldest cold files were evicted; the newest still serve without a GET
m=$(wc -l <"$PROXY_LOG")
cmp -s "$mnt/img/c39.png" "$tmp/src/c39.png" || fail "c39 differs"
assert_eq "$(tail -n +$((m + 1)) "$PROXY_LOG" | grep -c '^GET ')" 0 "the newest file is still cached"
cmp -s "$mnt/img/c0.png" "$tmp/src/c0.png" || fail "c0 differs"
assert_eq "$(tail -n +$((m + 1)) "$PROXY_LOG" | grep -c "^GET /$bucket/img/c0.png ")" 1 \
	"the oldest file was evicted (fetched again)"

# --- writes: room is made by evicting; what cannot fit is ENOSPC ----------------
head -c $((6 * MiB)) /dev/urandom >"$tmp/w6"
cp "$tmp/w6" "$mnt/img/w6.bin" || fail "a 6 MiB write under an 8 MiB cap failed"
ok "a 6 MiB write fits (clean copies evicted for it)"
head -c $((12 * MiB)) /dev/urandom >"$tmp/w12"
if err=$(cp "$tmp/w12" "$mnt/img/w12.bin" 2>&1); then
	fail "a 12 MiB write under an 8 MiB cap succeeded"
fi
[[ $err == *"No space left on device"* ]] || fail "12 MiB write: $err"
ok "a 12 MiB write under an 8 MiB cap: $err"
assert_file_eq "$tmp/w6" "$mnt/img/w6.bin" "the acknowledged 6 MiB file is intact"
rm -f "$mnt/img/w12.bin"
boto3_py "$bucket" "$tmp/w6" <<'PY' || fail "w6.bin is not in the bucket byte-exact"
b, ref = sys.argv[1:3]
assert s3.get_object(Bucket=b, Key="img/w6.bin")["Body"].read() == open(ref, "rb").read()
keys = [o["Key"] for o in s3.list_objects_v2(Bucket=b, Prefix="img/w")["Contents"]]
assert keys == ["img/w6.bin"], keys
PY
ok "the bucket has w6.bin byte-exact (the partial w12.bin that cp left was removed)"
bfs_umount "$mnt"

# --- the cache is kept across mounts, and a new cap applies to it ---------------
bfs_mount "$bucket" "$mnt" "endpoint=$PROXY_EP,path_style,cache_dir=$cache,stat_ttl=3600,cache_size=8M"
m=$(wc -l <"$PROXY_LOG")
cmp -s "$mnt/img/w6.bin" "$tmp/w6" || fail "w6 differs after remount"
assert_eq "$(tail -n +$((m + 1)) "$PROXY_LOG" | grep -c '^GET ')" 0 "a remount serves the cached copy"
bfs_umount "$mnt"
bfs_mount "$bucket" "$mnt" "endpoint=$PROXY_EP,path_style,cache_dir=$cache,stat_ttl=3600,cache_size=4M"
for _ in $(seq 100); do
	b=$({ find "$cache/data" -type f -printf '%s\n' 2>/dev/null || true; } |
		awk '{ s += $1 } END { print s + 0 }')  # (evicting meanwhile: see watch_cache)
	[ "$b" -le $((4 * MiB)) ] && break
	sleep 0.1
done
ok "remounted with a smaller cap (4 MiB): the evictor brought the cache to $b bytes"
[ "$b" -le $((4 * MiB)) ] || fail "the cache stayed at $b bytes over a 4 MiB cap"
bfs_umount "$mnt"

# --- the last uses survive an unmount (kept in memory, written at close) ---------
# c1, c2, c3 read 0.5 s apart, then c0 again: at the remount with room for
# two, eviction must take c1 and c2, the least recently used, and keep c0.
cache2=$tmp/cache2
bfs_mount "$bucket" "$mnt" "endpoint=$PROXY_EP,path_style,cache_dir=$cache2,stat_ttl=3600,cache_size=8M"
for i in 0 1 2 3 0; do
	cmp -s "$mnt/img/c$i.png" "$tmp/src/c$i.png" || fail "c$i differs"
	sleep 0.5
done
bfs_umount "$mnt"
bfs_mount "$bucket" "$mnt" "endpoint=$PROXY_EP,path_style,cache_dir=$cache2,stat_ttl=3600,cache_size=2600K"
for _ in $(seq 100); do
	n=$(find "$cache2/data" -type f | wc -l)
	[ "$n" -le 2 ] && break
	sleep 0.1
done
assert_eq "$n" 2 "remounted with room for two of the four: two data files left"
m=$(wc -l <"$PROXY_LOG")
cmp -s "$mnt/img/c0.png" "$tmp/src/c0.png" || fail "c0 differs"
cmp -s "$mnt/img/c3.png" "$tmp/src/c3.png" || fail "c3 differs"
assert_eq "$(tail -n +$((m + 1)) "$PROXY_LOG" | grep -c '^GET ')" 0 \
	"c0, read again last before the unmount, and c3 were kept: the last uses were written at close"
bfs_umount "$mnt"

# --- cache_min_free on a small disk: a 48 MiB tmpfs, keep 50% free ---------------
small=$tmp/small
mkdir -p "$small"
mount -t tmpfs -o size=48m tmpfs "$small" || fail "cannot mount a tmpfs"
on_exit umount -l "$small"
bfs_mount "$bucket" "$mnt" "endpoint=$PROXY_EP,path_style,cache_dir=$small/cache,stat_ttl=3600,cache_min_free=50%"
watch_cache "$small/cache/data" "$tmp/w2" &
watcher=$!
on_exit _bfs_kill_quietly "$watcher"
for i in $(seq 0 39); do
	cmp -s "$mnt/img/c$i.png" "$tmp/src/c$i.png" || fail "c$i differs (small disk)"
done
touch "$tmp/w2.stop"
wait "$watcher"
read -r max minfree <"$tmp/w2"
floor=$((24 * MiB))
ok "40 MiB read through a cache on a 48 MiB disk: peak $max bytes cached, free space never below $minfree"
[ "$minfree" -ge $((floor - MiB - 512 * 1024)) ] ||
	fail "free space fell to $minfree, below the 50% floor ($floor) less one object"
ok "the free-space floor held (50% of 48 MiB, less one object in flight)"
bfs_umount "$mnt"
