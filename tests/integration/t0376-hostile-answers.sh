#!/bin/bash
# SPDX-License-Identifier: MIT
# t0376-hostile-answers — more of a broken or hostile server
# (tests/faultproxy.py in front of radosgw), each case checked against an
# outside oracle (the object as boto3 fetches it from radosgw directly):
# a ranged GET answered 200 with the whole object (norange) is refused at
# its headers (EIO, no useless body downloaded), unless the range covered
# the whole object; a 206 shorter than the range asked, whether its
# Content-Range tells the truth (short206) or claims the whole range
# (lie206), is refused, never cached as valid, and the first read once the
# server recovers is right; a body trickling one byte every 2 s is cut by
# stall_timeout and by request_timeout, in bounded time; an answer that is
# not HTTP (garbage) is an I/O error from the server (EIO, "not HTTP"), not
# a configuration error; a PUT cut off after the server read half of its
# body (midput) is sent again.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 280
test_setup answers  # (radosgw, $tmp, a new bucket $bucket)
head -c $((20 << 20)) /dev/urandom >"$tmp/big"   # ranged GETs (over whole_max, 8 MiB)
head -c 400000 /dev/urandom >"$tmp/small"        # one GET (lookup_get's 2 MiB range covers it)
printf 'twenty bytes, here.\n' >"$tmp/tiny"
# names with an extension are looked up with a ranged GET of their first
# 2 MiB (lookup_get), not a HEAD: the first request a file sees
cp "$tmp/big" "$tmp/big.bin"
cp "$tmp/small" "$tmp/small.bin"
for f in big small tiny big.bin small.bin; do s3_cp "$tmp/$f" "s3://$bucket/$f" >/dev/null; done
# the oracle: what radosgw itself serves, fetched by boto3 without the proxy
for f in big small tiny big.bin small.bin; do
	s3_cp "s3://$bucket/$f" "$tmp/$f.oracle" >/dev/null
	printf '%s\n' "$(md5sum <"$tmp/$f.oracle" | cut -d' ' -f1)" >"$tmp/$f.md5"
done
want() { cat "$tmp/$1.md5"; }
mlog() { cat "${BFS_MOUNT_LOG[$tmp/m]}"; }

# try_read FILE: read FILE through the mount (at most 150 s); sets rc (cat's
# exit status), got (the MD5 of what it read), err (its stderr) and secs.
try_read() {
	local t0=$EPOCHREALTIME
	rc=0
	got=$(timeout 150 cat -- "$1" 2>"$tmp/err" | md5sum | cut -d' ' -f1) || rc=$?
	err=$(cat "$tmp/err")
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
}

# expect_eio WHAT FILE: reading FILE fails with EIO (it must not succeed,
# with wrong bytes or right ones: the server never sends them)
expect_eio() {
	try_read "$2"
	[ "$rc" -ne 0 ] || fail "$1: the read succeeded (exit 0, MD5 $got, want $(want "${2##*/}"))"
	[[ $err == *"Input/output error"* ]] || fail "$1: the read failed with: $err (exit $rc)"
}

# expect_right WHAT FILE: reading FILE gives the oracle's bytes, exit 0
expect_right() {
	try_read "$2"
	[ "$rc" -eq 0 ] || fail "$1: the read failed (exit $rc): $err"
	assert_eq "$got" "$(want "${2##*/}")" "$1 (${secs} s)"
}

# --- 6: a ranged GET answered 200 with the whole object -------------------------------------
proxy_start "" --mix "GET:norange=1"
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style,stat_ttl=0"
expect_right "norange: a 200 to a range from 0 that covered the whole object is the object" \
	"$tmp/m/small"
expect_right "norange: 400 KB looked up with a 2 MiB range from 0: the 200 is the object" \
	"$tmp/m/small.bin"
expect_eio "norange: 20 MiB looked up with a range" "$tmp/m/big.bin"
ok "norange: 20 MiB looked up with a range: EIO in $secs s"
assert_eq "$(stat -c %s "$tmp/m/big.bin" 2>&1)" $((20 << 20)) \
	"norange: stat of a name looked up with a range works (its HEAD answers)"
expect_eio "norange: 20 MiB read with ranged GETs" "$tmp/m/big"
ok "norange: a 20 MiB file read with ranged GETs: EIO in $secs s ($err)"
grep -q "ignored the Range" <(mlog) || fail "norange: not logged: $(mlog | tail -n 3)"
# refused at the headers: bucketfs hangs up instead of taking the body
full=$(grep -c -- "-> 200 norange $((20 << 20))$" "$PROXY_LOG" || true)
hung=$(grep -c -- "-> 200 norange hung up$" "$PROXY_LOG" || true)
[ "$full" -eq 0 ] && [ "$hung" -gt 0 ] ||
	fail "norange: $full whole bodies taken, $hung refused at the headers: $(cat "$PROXY_LOG")"
ok "norange: logged ($(mlog | grep -m1 'ignored the Range' | cut -c1-160)); $hung answers refused at their headers, no body taken"
expect_eio "norange: a second read" "$tmp/m/big"
ok "norange: a second read fails too (not 0 bytes with success)"
proxy_restart ""
expect_right "norange, then the server recovers: the next read is right" "$tmp/m/big"
expect_right "norange, recovered: the file looked up with a range" "$tmp/m/big.bin"
assert_eq "$(stat -c %s "$tmp/m/big") $(stat -c %s "$tmp/m/big.bin")" "$((20 << 20)) $((20 << 20))" \
	"norange, recovered: the sizes are right"
bfs_umount "$tmp/m"

# --- 7: a 206 shorter than the range asked ----------------------------------------------------
for rule in short206 lie206; do
	proxy_start "" --mix "GET:$rule=1"
	bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style"
	expect_eio "$rule: 20 MiB read with ranged GETs" "$tmp/m/big"
	ok "$rule: 20 MiB read with ranged GETs: EIO in $secs s"
	grep -q "garbled the Range" <(mlog) || fail "$rule: not logged: $(mlog | tail -n 3)"
	ok "$rule: logged: $(mlog | grep -m1 'garbled the Range' | cut -c1-200)"
	expect_right "$rule: 400 KB, fetched whole (no range): right" "$tmp/m/small"
	# looked up with a 2 MiB range: a short 206 must not become the file
	try_read "$tmp/m/small.bin"
	[ "$rc" -ne 0 ] || [ "$got" = "$(want small.bin)" ] ||
		fail "$rule: 400 KB looked up with a range: wrong bytes with exit 0"
	ok "$rule: 400 KB looked up with a range: $([ "$rc" -eq 0 ] && echo "right bytes" || echo "EIO")"
	expect_eio "$rule: 20 MiB looked up with a range" "$tmp/m/big.bin"
	expect_eio "$rule: a second read" "$tmp/m/big"
	ok "$rule: a second read fails too"
	proxy_restart ""
	# at once: no waiting out stat_ttl, no invalidate, no remount
	sizes=$(stat -c %s "$tmp/m/big" "$tmp/m/small" "$tmp/m/big.bin" "$tmp/m/small.bin" | xargs)
	assert_eq "$sizes" "$((20 << 20)) 400000 $((20 << 20)) 400000" \
		"$rule, then the server recovers: the sizes are right"
	for f in big small big.bin small.bin; do
		expect_right "$rule, recovered: the first read of $f is right" "$tmp/m/$f"
	done
	"$BFS_BUILD_DIR/bucketfsctl" invalidate "$tmp/m" / >/dev/null || fail "$rule: invalidate"
	expect_right "$rule, recovered, after invalidate" "$tmp/m/big"
	expect_right "$rule, recovered, after invalidate" "$tmp/m/small.bin"
	grep -q "damaged" <(mlog) && fail "$rule: a damaged copy was cached: $(grep -m1 damaged <(mlog))"
	bfs_umount "$tmp/m"
done

# --- 12: a body that trickles: one byte every 2 s ---------------------------------------------
proxy_start "" --mix "GET:trickle=1" --trickle-s 2
# stall_timeout alone (request_timeout off): a byte every 2 s is no progress
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style,stall_timeout=3,retries=1,request_timeout=0"
expect_eio "trickle, stall_timeout=3, retries=1" "$tmp/m/tiny"
awk -v s="$secs" 'BEGIN { exit !(s < 25) }' || fail "trickle: stall_timeout=3 took $secs s (2 attempts)"
ok "trickle, stall_timeout=3, retries=1, request_timeout=0: EIO after $secs s (the 20 bytes would take 40 s)"
bfs_umount "$tmp/m"
# the same with stall_timeout's default (30 s): request_timeout cuts it
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style,request_timeout=5"
expect_eio "trickle, request_timeout=5" "$tmp/m/tiny"
awk -v s="$secs" 'BEGIN { exit !(s < 20) }' || fail "trickle: request_timeout=5 took $secs s"
grep -q "longer than request_timeout" <(mlog) || fail "trickle: request_timeout not logged: $(mlog | tail -n 3)"
ok "trickle, request_timeout=5 (retries=4, stall_timeout=30): EIO after $secs s, logged: $(mlog | grep -m1 "longer than request_timeout" | cut -c1-140)"
bfs_umount "$tmp/m"
# with the defaults and stall_timeout=3 (the case reported: 38 s for 20 bytes)
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style,stall_timeout=3"
expect_eio "trickle, stall_timeout=3, the defaults" "$tmp/m/tiny"
awk -v s="$secs" 'BEGIN { exit !(s < 60) }' || fail "trickle: stall_timeout=3 took $secs s"
ok "trickle, stall_timeout=3 (retries=4, request_timeout default): EIO after $secs s"
bfs_umount "$tmp/m"
# the allowance: a short request_timeout does not cut 8 MiB ranges that move
proxy_restart ""
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style,request_timeout=3"
expect_right "request_timeout=3: a 20 MiB file (8 MiB ranges, 1 s more per MiB) reads whole" \
	"$tmp/m/big"
bfs_umount "$tmp/m"

# --- 13: an answer that is not HTTP ------------------------------------------------------------
proxy_start "" --mix "GET:garbage=1"
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style"
expect_eio "garbage" "$tmp/m/small"
grep -q "not HTTP" <(mlog) || fail "garbage: not logged as such: $(mlog | tail -n 3)"
grep -q "invalid configuration" <(mlog) && fail "garbage: logged as a configuration error: $(mlog | tail -n 3)"
ok "garbage: EIO in $secs s, logged: $(mlog | grep -m1 'not HTTP' | cut -c1-150)"
bfs_umount "$tmp/m"
proxy_restart "" --mix "HEAD:garbage=1"
out=$("$BFS_BUILD_DIR/bucketfsctl" -o "endpoint=$PROXY_EP,path_style,retries=1" \
	stat "$bucket:/small" 2>&1) && fail "garbage: bucketfsctl stat succeeded: $out"
[[ $out == *"not HTTP"* ]] || fail "garbage: bucketfsctl said: $out"
ok "garbage: bucketfsctl stat: ${out:0:150}"

# --- a PUT cut off after the server read half of its body --------------------------------------
proxy_start "PUT:midput=1"
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style"
head -c 3000000 /dev/urandom >"$tmp/up"
cp "$tmp/up" "$tmp/m/up" || fail "midput: close of a file whose PUT was cut failed"
grep -q -- "-> midput" "$PROXY_LOG" || fail "midput: no PUT was cut: $(cat "$PROXY_LOG")"
bfs_umount "$tmp/m"
s3_cp "s3://$bucket/up" "$tmp/up.got" >/dev/null
assert_file_eq "$tmp/up" "$tmp/up.got" "midput: a PUT reset after half its body: sent again, the right bytes"
