#!/bin/bash
# SPDX-License-Identifier: MIT
# t0280-writeback — -o writeback[=DELAY]: close() returns before the upload,
# the file reads back meanwhile, and the upload follows after the delay; a
# file renamed right after close is sent once, under its new name, and one
# removed is never sent; fsync() waits for the upload; failed uploads are
# retried; unmount drains what is pending (or, with unmount_wait=0, leaves it
# journaled for the next mount); after kill -9 the next mount resumes the
# journal; with the bucket unreachable writes are journaled and catch up
# when it returns.  What reached the bucket is checked with boto3, the
# requests sent in the proxy's log.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 240
test_setup wb  # (radosgw, $tmp, a new bucket $bucket)
proxy_start ""
mnt=$tmp/mnt
cache=$tmp/cache
base="endpoint=$PROXY_EP,path_style,cache_dir=$cache"

# in_bucket KEY [REF]: the object exists (and equals file REF)
in_bucket() {
	boto3_py "$bucket" "$1" "${2:-}" <<'PY'
b, k, ref = sys.argv[1:4]
try:
    body = s3.get_object(Bucket=b, Key=k)["Body"].read()
except s3.exceptions.NoSuchKey:
    sys.exit(1)
if ref and body != open(ref, "rb").read():
    sys.exit(2)
PY
}
# wait_in_bucket KEY REF SECONDS
wait_in_bucket() { wait_until "$3" in_bucket "$1" "$2"; }
puts_of() { grep -c "^PUT /$bucket/$1 " "$PROXY_LOG" || true; }

# (a 4 s delay: each step below takes less than that on a busy machine too;
# the bare word's 1 s default is test_config's)
bfs_mount "$bucket" "$mnt" "$base,writeback=4"
head -c 1048576 /dev/urandom >"$tmp/a"
t0=$EPOCHREALTIME
cp "$tmp/a" "$mnt/a.png"
t1=$EPOCHREALTIME
in_bucket a.png && fail "a.png was in the bucket when close() returned (not write-back)"
ok "close() returned in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f ms", (b - a) * 1000 }') with the upload still pending"
assert_file_eq "$tmp/a" "$mnt/a.png" "a pending file reads back from its staging copy"
assert_eq "$(ls "$mnt")" "a.png" "a pending file is listed"
wait_in_bucket a.png "$tmp/a" 15 || fail "a.png did not reach the bucket within 15 s"
ok "the upload followed the 4 s delay: a.png byte-exact in the bucket"

# renamed right after close: one PUT, under the new name; removed: none
head -c 300000 /dev/urandom >"$tmp/b"
cp "$tmp/b" "$mnt/b.png"
mv "$mnt/b.png" "$mnt/c.png"
head -c 300000 /dev/urandom >"$tmp/d"
cp "$tmp/d" "$mnt/d.png"
rm "$mnt/d.png"
wait_in_bucket c.png "$tmp/b" 15 || fail "c.png did not reach the bucket"
sleep 1.5
in_bucket b.png && fail "b.png (renamed before its upload) is in the bucket"
in_bucket d.png && fail "d.png (removed before its upload) is in the bucket"
assert_eq "$(puts_of b.png)/$(puts_of c.png)/$(puts_of d.png)" 0/1/0 \
	"PUTs of b.png/c.png/d.png: the renamed file sent once under its new name, the removed one never"
grep -q "x-amz-copy-source\|^PUT /$bucket/c.png?.*copy" "$PROXY_LOG" && fail "a COPY was sent"

# fsync waits for the upload
head -c 200000 /dev/urandom >"$tmp/e"
python3 - "$mnt/e.png" "$tmp/e" <<'PY' || fail "fsync did not wait for the upload"
import os, sys
data = open(sys.argv[2], "rb").read()
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, data)
os.fsync(fd)
os.close(fd)
PY
in_bucket e.png "$tmp/e" || fail "e.png not in the bucket right after fsync() returned"
ok "fsync() returned with e.png in the bucket"
bfs_umount "$mnt"

# --- failed uploads are retried, with the error in the log ----------------------
proxy_start "PUT:503=5"
bfs_mount "$bucket" "$mnt" "endpoint=$PROXY_EP,path_style,cache_dir=$cache,writeback=0,retries=4"
head -c 100000 /dev/urandom >"$tmp/f"
cp "$tmp/f" "$mnt/f.png"
wait_in_bucket f.png "$tmp/f" 15 || fail "f.png never reached the bucket"
grep -q "upload of /f.png failed .*stays journaled" "${BFS_MOUNT_LOG[$mnt]}" ||
	fail "the failed upload attempt is not in the log"
ok "an upload that failed 5 times (one attempt with its retries) was tried again and landed"
bfs_umount "$mnt"

# --- unmount drains; unmount_wait=0 leaves the journal for the next mount ------
bfs_mount "$bucket" "$mnt" "$base,writeback=60"
for i in 1 2 3; do head -c 100000 /dev/urandom >"$tmp/g$i"; cp "$tmp/g$i" "$mnt/g$i.png"; done
in_bucket g1.png && fail "g1.png uploaded before its 60 s delay"
bfs_umount "$mnt"
for i in 1 2 3; do in_bucket "g$i.png" "$tmp/g$i" || fail "g$i.png not in the bucket after unmount"; done
grep -q "unmount: 3 pending uploads" "${BFS_MOUNT_LOG[$mnt]}" || fail "no drain progress line"
ok "unmount sent the 3 pending uploads before returning (delays ignored), with a progress line"

bfs_mount "$bucket" "$mnt" "$base,writeback=60,unmount_wait=0"
head -c 100000 /dev/urandom >"$tmp/h"
cp "$tmp/h" "$mnt/h.png"
bfs_umount "$mnt"
in_bucket h.png && fail "h.png uploaded although unmount_wait=0 and a 60 s delay"
grep -q "left journaled" "${BFS_MOUNT_LOG[$mnt]}" || fail "the log does not say what was left"
ok "unmount_wait=0: h.png left journaled"
bfs_mount "$bucket" "$mnt" "$base,writeback=60"
assert_file_eq "$tmp/h" "$mnt/h.png" "the journaled file reads back on the next mount"
wait_in_bucket h.png "$tmp/h" 5 || fail "the next mount did not resume h.png's upload"
ok "the next mount resumed the journaled upload at once (a delay is for the mount that closed it)"

# --- kill -9 after close: the journal survives -------------------------------------
head -c 500000 /dev/urandom >"$tmp/k"
cp "$tmp/k" "$mnt/k.png"
kill -9 "${BFS_MOUNT_PID[$mnt]}"
sleep 0.3
in_bucket k.png && fail "k.png was uploaded before the kill (delay 60 s)"
bfs_mount "$bucket" "$mnt" "$base,writeback=0.2"
assert_file_eq "$tmp/k" "$mnt/k.png" "after kill -9, the acknowledged file reads back"
wait_in_bucket k.png "$tmp/k" 5 || fail "k.png was lost with the daemon"
ok "after kill -9 the remount resumed k.png's upload"
bfs_umount "$mnt"

# --- kill -9 with a directory's marker owed: the journal keeps it too -------------
bfs_mount "$bucket" "$mnt" "$base,marker_delay=3600"
mkdir "$mnt/empty"
pend=$("$BFS_BUILD_DIR/bucketfsctl" pending "$mnt")
grep -q '^/empty/ 0 ' <<<"$pend" || fail "bucketfsctl pending does not list the owed marker: $pend"
kill -9 "${BFS_MOUNT_PID[$mnt]}"
sleep 0.3
in_bucket empty/ && fail "the marker empty/ was sent before the kill (marker_delay=3600)"
bfs_mount "$bucket" "$mnt" "$base"
wait_in_bucket empty/ /dev/null 5 || fail "the owed marker empty/ was lost with the daemon"
ok "after kill -9 the remount sent the owed marker of the empty directory"
bfs_umount "$mnt"

# --- offline: the bucket unreachable, writes journaled, then catch up ----------------
bfs_mount "$bucket" "$mnt" "$base,writeback=0"
cat "$mnt/a.png" >/dev/null
port=${PROXY_EP##*:}
kill "$PROXY_PID"
sleep 0.3
head -c 100000 /dev/urandom >"$tmp/o"
cp "$tmp/o" "$mnt/o.png" || fail "a write-back write failed with the bucket unreachable"
assert_file_eq "$tmp/o" "$mnt/o.png" "the journaled file reads back offline"
assert_file_eq "$tmp/a" "$mnt/a.png" "a cached file reads back offline"
/usr/bin/python3 "$BFS_SOURCE_DIR/tests/faultproxy.py" --listen-port "$port" \
	--upstream "$RGW_ENDPOINT" --log "$PROXY_LOG" >"$tmp/proxy2.out" 2>&1 &
on_exit _bfs_kill_quietly $!
wait_in_bucket o.png "$tmp/o" 20 || fail "o.png did not catch up when the bucket came back"
ok "the bucket came back: the journaled upload caught up"
bfs_umount "$mnt"
