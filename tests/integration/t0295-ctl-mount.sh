#!/bin/bash
# SPDX-License-Identifier: MIT
# t0295-ctl-mount — bucketfsctl talking to a running mount through its
# control socket (CACHE_DIR/ctl.sock, mode 600, named by the mount root's
# user.bucketfs.ctl attribute): status (cache, hits, pending uploads),
# pending (with attempts and errors), flush (uploads now, or says what is
# still pending), evict (one copy, all), fsck (finds a flipped byte, repairs).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 200
test_setup ctl  # (radosgw, $tmp, a new bucket $bucket)
proxy_start ""
ctl() { "$BFS_BUILD_DIR/bucketfsctl" "$@"; }
mnt=$tmp/mnt
cache=$tmp/cache
bfs_mount "$bucket" "$mnt" "endpoint=$PROXY_EP,path_style,cache_dir=$cache,writeback=60,cache_size=64M,stat_ttl=3600,unmount_wait=3"

assert_eq "$(stat -c %a "$cache/ctl.sock")" 600 "the control socket is mode 600"
sock=$(python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.bucketfs.ctl").decode())' "$mnt")
assert_eq "$sock" "$cache/ctl.sock" "the mount root names its socket in user.bucketfs.ctl"

for f in a b c; do head -c 200000 /dev/urandom >"$tmp/$f"; cp "$tmp/$f" "$mnt/$f.png"; done
st=$(ctl status "$mnt") || fail "status failed"
grep -q "^pending_uploads: 3$" <<<"$st" || fail "status does not show 3 pending uploads: $st"
grep -q "^uploads: write-back, 60.0 s after close$" <<<"$st" || fail "status: mode: $st"
grep -q "^cache_size: 67108864 (64.0 MiB" <<<"$st" || fail "status: cap: $st"
ok "status: 3 pending uploads, write-back mode, the cap"
pend=$(ctl pending "$mnt")
assert_eq "$(awk '{ print $1, $2, $4, $5 }' <<<"$pend" | sort | tr '\n' ';')" \
	"/a.png 200000 0 -;/b.png 200000 0 -;/c.png 200000 0 -;" "pending lists the three with size, no attempt yet"
out=$(ctl flush "$mnt") || fail "flush failed: $out"
for f in a b c; do
	boto3_py "$bucket" "$f.png" "$tmp/$f" <<'PY' || fail "$f.png not in the bucket after flush"
b, k, ref = sys.argv[1:4]
assert s3.get_object(Bucket=b, Key=k)["Body"].read() == open(ref, "rb").read()
PY
done
grep -q "^pending_uploads: 0$" <<<"$(ctl status "$mnt")" || fail "still pending after flush"
ok "flush sent the 60 s-delayed uploads at once; the bucket has them byte-exact"

# hits and evictions
for f in a b c; do cat "$mnt/$f.png" >/dev/null; done
grep -q "^cache_hits: 3 of 3 opens (100.0%)$" <<<"$(ctl status "$mnt")" ||
	fail "hit ratio: $(ctl status "$mnt" | grep hits)"
ok "status counts the three cache hits"
assert_eq "$(ctl evict "$mnt" /a.png)" "evicted 1 copies, 200000 bytes" "evict one path"
m=$(wc -l <"$PROXY_LOG")
assert_file_eq "$tmp/a" "$mnt/a.png" "a.png reads back after its eviction"
assert_eq "$(tail -n +$((m + 1)) "$PROXY_LOG" | grep -c "^GET /$bucket/a.png ")" 1 "... with one GET"
out=$(ctl evict "$mnt" /nosuch.png 2>&1) && fail "evicting a missing path succeeded"
ok "evict of a missing path: $out"

# fsck finds a flipped byte and repairs it
ctl fsck "$mnt" >"$tmp/fsck0" || fail "fsck of a sound cache failed: $(cat "$tmp/fsck0")"
grep -q "^damaged_copies: 0$" "$tmp/fsck0" || fail "fsck0: $(cat "$tmp/fsck0")"
f=$(for x in $(find "$cache/data" -type f -size 200000c); do
	if cmp -s "$x" "$tmp/b"; then echo "$x"; fi
done)
[ -n "$f" ] || fail "no data file holds b.png"
printf 'Z' | dd of="$f" bs=1 seek=1000 conv=notrunc 2>/dev/null
out=$(ctl fsck "$mnt") && fail "fsck missed a flipped byte"
grep -Eq "damaged /b.png: its (CRC32C is not the one recorded|MD5 is not the ETag's)" <<<"$out" ||
	fail "fsck: $out"
ok "fsck finds the flipped byte in b.png's copy (exit 1)"
out=$(ctl fsck "$mnt" --repair) || fail "fsck --repair failed: $out"
grep -q "^repaired: 1$" <<<"$out" || fail "repair: $out"
assert_file_eq "$tmp/b" "$mnt/b.png" "b.png reads back right after the repair"
ctl fsck "$mnt" >/dev/null || fail "fsck after repair still finds problems"
ok "fsck --repair dropped the damaged copy; a second fsck is clean"

# flush that cannot finish: the bucket unreachable
kill "$PROXY_PID"
head -c 1000 /dev/urandom >"$tmp/d"
cp "$tmp/d" "$mnt/d.png"
out=$(ctl flush "$mnt" 3 2>&1) && fail "flush succeeded with the bucket unreachable"
grep -q "still pending: 1 uploads" <<<"$out" || fail "flush: $out"
ok "flush with the bucket unreachable gives up after 3 s: $(tail -n 1 <<<"$out")"
for _ in $(seq 150); do
	pend=$(ctl pending "$mnt")
	[[ $pend == "/d.png 1000 "*" "[1-9]*" "* ]] && break
	sleep 0.1
done
[[ $pend == "/d.png 1000 "*" "[1-9]*" "* ]] || fail "pending after a failed attempt: $pend"
ok "pending shows the failed attempts and the error: $pend"

out=$(ctl status "$tmp" 2>&1) && fail "status of a non-mount succeeded"
ok "status of a directory that is no mount: $out"
bfs_umount "$mnt"
[ ! -e "$cache/ctl.sock" ] || fail "the socket was left after unmount"
ok "the socket is removed at unmount"
