#!/bin/bash
# SPDX-License-Identifier: MIT
# t0285-cache-integrity — what the cache holds is checked before it is
# served: at the first use after a mount, a cached copy that is truncated,
# has a flipped byte (its CRC32C no longer the one recorded) or is missing is logged
# and fetched again; a damaged LMDB index is moved aside and the cache
# starts empty; data files that no entry refers to (a lost index) are
# removed.  Copies of objects whose ETag is no MD5 (multipart: fetched, or
# written here above multipart_threshold) and partly cached large objects
# are checked against bucketfs's own CRC32C: a flipped byte is logged,
# found by fsck, and the object fetched again.  Every read is checked
# byte-exact.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 260
test_setup integ  # (radosgw, $tmp, a new bucket $bucket)
proxy_start ""
for f in a c d e; do head -c 300000 /dev/urandom >"$tmp/$f"; done
head -c $((6 * 1048576)) /dev/urandom >"$tmp/m"
boto3_py "$bucket" "$tmp" <<'PY'
from boto3.s3.transfer import TransferConfig
b, d = sys.argv[1:3]
for f in "acde":
    s3.upload_file(os.path.join(d, f), b, f + ".png")
# a multipart object: its ETag is not an MD5
s3.upload_file(os.path.join(d, "m"), b, "m.bin",
               Config=TransferConfig(multipart_threshold=5 << 20, multipart_chunksize=5 << 20))
PY
mnt=$tmp/mnt
cache=$tmp/cache
opts="endpoint=$PROXY_EP,path_style,cache_dir=$cache,stat_ttl=3600"
bfs_mount "$bucket" "$mnt" "$opts"
for f in a c d e; do cat "$mnt/$f.png" >/dev/null; done
cat "$mnt/m.bin" >/dev/null
bfs_umount "$mnt"

# which data file holds which object
datafile() {
	local f
	for f in $(find "$cache/data" -type f); do
		cmp -s "$f" "$tmp/$1" && { echo "$f"; return; }
	done
	fail "no data file holds $1"
}
fa=$(datafile a) fc=$(datafile c) fd=$(datafile d) fm=$(datafile m)
# flip FILE OFFSET: invert one byte (writing a fixed one left it unchanged
# one run in 256)
flip() {
	/usr/bin/python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    o = int(sys.argv[2]); f.seek(o); b = f.read(1); f.seek(o); f.write(bytes([b[0] ^ 0xff]))' "$1" "$2"
}
truncate -s 1000 "$fa"
flip "$fc" 150000
! cmp -s "$fc" "$tmp/c" || fail "the byte of c.png was not changed"
rm "$fd"
ok "damaged the cache: a.png truncated, a byte of c.png flipped, d.png's file removed"

bfs_mount "$bucket" "$mnt" "$opts"
m=$(wc -l <"$PROXY_LOG")
for f in a c d e; do assert_file_eq "$tmp/$f" "$mnt/$f.png" "$f.png byte-exact after the damage"; done
assert_file_eq "$tmp/m" "$mnt/m.bin" "the multipart object byte-exact (size checked)"
got=$(tail -n +$((m + 1)) "$PROXY_LOG" | grep '^GET ' | sed 's/^GET \/[^/]*\/\([^ ?]*\).*/\1/' | sort | tr '\n' ' ')
assert_eq "$got" "a.png c.png d.png " "only the damaged copies were fetched again"
log=${BFS_MOUNT_LOG[$mnt]}
grep -q "/a.png: the cached copy is damaged (it is shorter than the index says)" "$log" || { bfs_log_tail "$log"; fail "a.png: no log line"; }
grep -q "/c.png: the cached copy is damaged (its CRC32C is not the one recorded)" "$log" || fail "c.png: no log line"
grep -q "/d.png: the cached copy is missing" "$log" || fail "d.png: no log line"
ok "each damage was logged with its cause"
bfs_umount "$mnt"

# a damaged index: moved aside, an empty cache, reads still right
dd if=/dev/urandom of="$cache/index/data.mdb" bs=4096 count=2 conv=notrunc 2>/dev/null
bfs_mount "$bucket" "$mnt" "$opts"
grep -q "the cache index in $cache is damaged: moved it to $cache/index.damaged-" "${BFS_MOUNT_LOG[$mnt]}" ||
	fail "the damaged index was not reported"
ls -d "$cache"/index.damaged-* "$cache"/data.damaged-* >/dev/null || fail "nothing was moved aside"
for f in a c e; do assert_file_eq "$tmp/$f" "$mnt/$f.png" "$f.png byte-exact with a rebuilt index"; done
bfs_umount "$mnt"
ok "a damaged index is moved aside (kept for inspection) and the cache starts empty"

# a lost index: the data files nobody refers to are removed
rm -rf "$cache/index"
n0=$(find "$cache/data" -type f | wc -l)
bfs_mount "$bucket" "$mnt" "$opts"
grep -q "removed $n0 data files" "${BFS_MOUNT_LOG[$mnt]}" || fail "the orphaned data files were not removed: $(grep -i removed "${BFS_MOUNT_LOG[$mnt]}")"
assert_eq "$(find "$cache/data" -type f | wc -l)" 0 "the $n0 orphaned data files are gone"
assert_file_eq "$tmp/e" "$mnt/e.png" "e.png byte-exact after the index was lost"
bfs_umount "$mnt"
ok "a lost index: its orphaned data files are removed"

# Orphans (data files no entry refers to) come only from a daemon that did
# not end cleanly: a clean unmount leaves CACHE/clean, and the next mount,
# which takes it away, skips the search (it needs memory in proportion to
# the index); after a kill -9 there is no mark, and the search runs.
[ -e "$cache/clean" ] || fail "a clean unmount left no $cache/clean"
bfs_mount "$bucket" "$mnt" "$opts"
[ ! -e "$cache/clean" ] || fail "$cache/clean is still there while mounted"
cat "$mnt/e.png" >/dev/null
mkdir -p "$cache/data/07"
head -c 100 /dev/urandom >"$cache/data/07/7"  # an id below this mount's: an orphan
pid=${BFS_MOUNT_PID[$mnt]}
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt"
unset 'BFS_MOUNT_PID[$mnt]'
[ ! -e "$cache/clean" ] || fail "$cache/clean after a kill -9"
bfs_mount "$bucket" "$mnt" "$opts"
for _ in $(seq 50); do [ -e "$cache/data/07/7" ] || break; sleep 0.1; done
[ ! -e "$cache/data/07/7" ] || fail "after a crash, the orphan was not removed"
assert_file_eq "$tmp/e" "$mnt/e.png" "e.png byte-exact after the crash"
bfs_umount "$mnt"
ok "after a crash the orphans are looked for and removed"
# after a clean unmount they are not looked for (a file planted meanwhile
# stays), and bucketfsctl fsck --repair still finds it
head -c 100 /dev/urandom >"$cache/data/07/7"
bfs_mount "$bucket" "$mnt" "$opts"
sleep 1
[ -e "$cache/data/07/7" ] || fail "the first walk after a clean unmount searched for orphans"
"$BFS_BUILD_DIR/bucketfsctl" fsck "$mnt" --repair >"$tmp/fsck.out" 2>&1 || true
[ ! -e "$cache/data/07/7" ] || fail "fsck --repair left the orphan: $(cat "$tmp/fsck.out")"
bfs_umount "$mnt"
ok "after a clean unmount (CACHE/clean) no search; fsck --repair removes a planted orphan"

# --- copies no ETag can check: bucketfs's own CRC32C ---------------------------
# a multipart object fetched whole (m.bin, 6 MiB), one written here as a
# multipart upload (w.bin, 12 MiB, multipart_threshold=5M: its cached copy
# is the staged file) and a large object read in part (big.bin: 10 of its
# 64 MiB): a byte flipped in each while unmounted is found by fsck and at
# the first read, logged, and the object fetched again
head -c $((64 * 1048576)) /dev/urandom >"$tmp/big"
head -c $((12 * 1048576)) /dev/urandom >"$tmp/w"
boto3_py "$bucket" "$tmp" <<'PY'
from boto3.s3.transfer import TransferConfig
b, d = sys.argv[1:3]
s3.upload_file(os.path.join(d, "big"), b, "big.bin",
               Config=TransferConfig(multipart_threshold=8 << 20, multipart_chunksize=8 << 20))
PY
mopts="$opts,multipart_threshold=5M,part_size=5M"
bfs_mount "$bucket" "$mnt" "$mopts"
cp "$tmp/w" "$mnt/w.bin"
cat "$mnt/m.bin" >/dev/null
head -c $((10 * 1048576)) "$mnt/big.bin" >/dev/null
bfs_umount "$mnt"
grep -q "^POST /$bucket/w.bin?uploads" "$PROXY_LOG" || fail "w.bin was not a multipart upload"
fw=$(datafile w) fm=$(datafile m) fb=
for f in $(find "$cache/data" -type f -size +9M); do
	s=$(stat -c %s "$f")
	[ "$s" -lt $((64 * 1048576)) ] && cmp -s -n "$s" "$f" "$tmp/big" && fb=$f
done
[ -n "$fb" ] || fail "no data file holds a part of big.bin"
flip "$fw" 7000000
flip "$fm" 3000000
flip "$fb" 5000000
ok "flipped a byte in the copies of w.bin (written, multipart), m.bin (fetched, multipart) and big.bin ($(stat -c %s "$fb") of 64 MiB cached)"

bfs_mount "$bucket" "$mnt" "$mopts"
"$BFS_BUILD_DIR/bucketfsctl" fsck "$mnt" >"$tmp/fsck.out" 2>&1 || true
for f in w m big; do
	grep -q "damaged /$f.bin: .*CRC32C" "$tmp/fsck.out" || fail "fsck did not find $f.bin's damage: $(cat "$tmp/fsck.out")"
done
ok "bucketfsctl fsck finds the three flipped bytes by their CRC32C"
m=$(wc -l <"$PROXY_LOG")
md5_mnt=$(md5sum <"$mnt/w.bin")$(md5sum <"$mnt/m.bin")$(md5sum <"$mnt/big.bin")
boto3_py "$bucket" "$tmp/ref" <<'PY'
b, d = sys.argv[1:3]
os.makedirs(d, exist_ok=True)
for k in ("w.bin", "m.bin", "big.bin"):
    s3.download_file(b, k, os.path.join(d, k))
PY
md5_ref=$(md5sum <"$tmp/ref/w.bin")$(md5sum <"$tmp/ref/m.bin")$(md5sum <"$tmp/ref/big.bin")
assert_eq "$md5_mnt" "$md5_ref" "w.bin, m.bin and big.bin read through the mount have the bucket's MD5s"
assert_file_eq "$tmp/w" "$tmp/ref/w.bin" "w.bin in the bucket is what was written"
log=${BFS_MOUNT_LOG[$mnt]}
for f in w m big; do
	grep -q "/$f.bin: the cached copy is damaged (its CRC32C is not the one recorded)" "$log" ||
		{ bfs_log_tail "$log"; fail "$f.bin: no log line"; }
done
tail -n +$((m + 1)) "$PROXY_LOG" | grep -q "^GET /$bucket/w.bin" || fail "w.bin was not fetched again"
ok "each flipped byte was logged and its object fetched again, never served"
bfs_umount "$mnt"
