#!/bin/bash
# SPDX-License-Identifier: MIT
# t0375-hostile-server — a broken or malicious server (tests/faultproxy.py
# in front of radosgw) cannot make bucketfs serve wrong bytes, grow without
# bound, follow it elsewhere or die: a body that does not match its ETag is
# fetched again, and reported (EIO) if it stays wrong; a listing that never
# ends, 200 KiB of response headers and a redirect to another host are
# refused with a message, in bounded time and memory; a body shorter than
# its Content-Length is fetched again; a PUT whose body is changed on its
# way is refused by the server and sent again.  The mount answers normally after
# each.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 200
test_setup hostile  # (radosgw, $tmp, a new bucket $bucket)
for i in 1 2 3 4; do head -c 400000 /dev/urandom >"$tmp/f$i"; done
for i in 1 2 3 4; do s3_cp "$tmp/f$i" "s3://$bucket/d/f$i" >/dev/null; done
mkdir -p "$tmp/many"
for i in $(seq 1 30); do echo "$i" >"$tmp/many/k$i"; done
s3_cp "$tmp/many" "s3://$bucket/many" >/dev/null
ctl() { "$BFS_BUILD_DIR/bucketfsctl" -o "endpoint=$PROXY_EP,path_style,retries=2" "$@"; }
mlog() { cat "${BFS_MOUNT_LOG[$tmp/m]}"; }

# --- a body that does not match its ETag --------------------------------------------------
proxy_start "GET:flip=1"
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style,stat_ttl=0"
assert_file_eq "$tmp/f1" "$tmp/m/d/f1" "one damaged body: fetched again, the right bytes"
grep -q "GET d/f1: body does not match the object's MD5 ETag; fetching it again" <(mlog) ||
	fail "the damaged body is not logged: $(mlog | tail -n 5)"
bfs_umount "$tmp/m"
proxy_start "" --mix "GET:flip=1"
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style,stat_ttl=0"
out=$(cat "$tmp/m/d/f2" 2>&1 >/dev/null) && fail "a body that is always damaged was served"
[[ $out == *"Input/output error"* ]] || fail "always damaged: cat said $out"
assert_eq "$(grep -c -- '-> 200 flip' "$PROXY_LOG")" 3 "always damaged: fetched 3 times, then EIO"
ok "a body that stays damaged: EIO after 3 fetches ($out)"
bfs_umount "$tmp/m"

# --- a PUT's body changed on its way to the server -----------------------------------------
# the server checks the digest the request carries (the signed SHA-256, or
# Content-MD5) and refuses it; bucketfs sends it again: a single PUT, and a
# part of a multipart upload
proxy_start "PUT:flip=2"
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style,multipart_threshold=8M,part_size=5M"
head -c 300000 /dev/urandom >"$tmp/up1"
head -c 12000000 /dev/urandom >"$tmp/up2"
cp "$tmp/up1" "$tmp/m/up1" || fail "close of a file whose first PUT was damaged failed"
cp "$tmp/up2" "$tmp/m/up2" || fail "close of a file whose first part was damaged failed"
assert_eq "$(grep -c -- 'PUT .* -> 400' "$PROXY_LOG")" 2 "both damaged PUTs were refused by the server"
s3_cp "s3://$bucket/up1" "$tmp/up1.got" >/dev/null
s3_cp "s3://$bucket/up2" "$tmp/up2.got" >/dev/null
assert_file_eq "$tmp/up1" "$tmp/up1.got" "a single PUT damaged in flight: refused, sent again, the right bytes"
assert_file_eq "$tmp/up2" "$tmp/up2.got" "a part damaged in flight: refused, sent again, the right bytes"
bfs_umount "$tmp/m"
# the same with each way of hashing: the body's SHA-256 alone (signed, the
# default), Content-MD5 alone (unsigned_payload), both (content_md5)
for opt in "" unsigned_payload content_md5; do
	proxy_start "PUT:flip=1" --log-header Content-MD5
	bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style${opt:+,$opt}"
	cp "$tmp/up1" "$tmp/m/up1" || fail "${opt:-default}: close of a file whose PUT was damaged failed"
	bfs_umount "$tmp/m"
	s3_cp "s3://$bucket/up1" "$tmp/up1.got" >/dev/null
	assert_file_eq "$tmp/up1" "$tmp/up1.got" "${opt:-default}: a damaged PUT refused, sent again, the right bytes"
	md5s=$(grep -c 'PUT .* Content-MD5=[A-Za-z0-9+/]*=' "$PROXY_LOG" || true)
	assert_eq "$md5s $(grep -c '^PUT ' "$PROXY_LOG")" "$([ -z "$opt" ] && echo 0 || echo 2) 2" \
		"${opt:-default}: Content-MD5 $([ -z "$opt" ] && echo "not sent (the signed SHA-256 covers the body)" || echo sent)"
done

# --- a body shorter than its Content-Length ------------------------------------------------
proxy_start "GET:cut=2"
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style,stat_ttl=0"
assert_file_eq "$tmp/f3" "$tmp/m/d/f3" "two bodies cut short: fetched again, the right bytes"
bfs_umount "$tmp/m"

# --- a redirect to another host -------------------------------------------------------------
proxy_start "" --mix "GET:redirect=1"
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style,stat_ttl=0"
t0=$EPOCHREALTIME
out=$(cat "$tmp/m/d/f4" 2>&1 >/dev/null) && fail "a redirected GET was served"
d=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
grep -q "301" <(mlog) || fail "the redirect is not in the log: $(mlog | tail -n 3)"
grep -q "169.254.0.1" "$PROXY_LOG" && fail "the redirect was followed"
ok "a redirect to another host: not followed, EIO in $d s, logged: $(mlog | grep -m1 301 | cut -c1-150)"
bfs_umount "$tmp/m"

# --- a listing that never ends ----------------------------------------------------------------
proxy_start "" --mix "GET:bigxml=1"
t0=$EPOCHREALTIME
# GNU time's %M: the peak resident memory, in KiB
/usr/bin/time -f '%M' -o "$tmp/rss" "$BFS_BUILD_DIR/bucketfsctl" -o "endpoint=$PROXY_EP,path_style,retries=2" \
	ls "$bucket:/many/" >/dev/null 2>"$tmp/err" && fail "an endless listing was accepted"
kib=$(tail -n 1 "$tmp/rss")
d=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
sent=$(awk '/-> bigxml/ { s += $NF } END { print s + 0 }' "$PROXY_LOG")
[ "$kib" -lt 102400 ] || fail "an endless listing took $kib KiB"
ok "an endless listing: refused in $d s, peak RSS $kib KiB, $((sent / 1048576)) MiB sent by the server: $(tail -n 1 "$tmp/err" | cut -c1-120)"
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style,stat_ttl=0,list_ttl=0"
pid=${BFS_MOUNT_PID[$tmp/m]}
out=$(ls "$tmp/m/many" 2>&1) && fail "the mount listed an endless listing: ${out:0:100}"
rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
[ "$rss" -lt 204800 ] || fail "the daemon's peak RSS reached $rss KiB on an endless listing"
mountpoint -q "$tmp/m" || fail "the mount died"
ok "through the mount: ls fails ($out), the daemon's peak RSS $rss KiB, still mounted"
bfs_umount "$tmp/m"

# --- a listing whose next page is itself ------------------------------------------------------
proxy_start "" --mix "GET:looptoken=1"
t0=$EPOCHREALTIME
out=$(timeout 20 "$BFS_BUILD_DIR/bucketfsctl" -o "endpoint=$PROXY_EP,path_style,retries=2" ls -r "$bucket:/many/" 2>&1) &&
	fail "a listing that never moves on was accepted"
d=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
[[ $out == *"does not move forward"* ]] || fail "looping listing: $out"
assert_eq "$(grep -c -- '-> looptoken' "$PROXY_LOG")" 2 "a looping listing: two pages asked, then refused"
ok "a listing whose next page is itself: refused after 2 pages in $d s: ${out:0:120}"

# --- 200 KiB of response headers ---------------------------------------------------------------
proxy_start "" --mix "HEAD:hugehdr=1"
out=$(ctl stat "$bucket:/d/f1" 2>&1) && fail "200 KiB of headers accepted: $out"
ok "200 KiB of response headers: refused: ${out:0:140}"

# --- and then the same mount works normally ----------------------------------------------------
proxy_start ""
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style"
assert_file_eq "$tmp/f4" "$tmp/m/d/f4" "after all that, a plain read"
assert_eq "$(ls "$tmp/m/many" | wc -l)" 30 "after all that, a plain listing"
bfs_umount "$tmp/m"
