#!/bin/bash
# SPDX-License-Identifier: MIT
# t0140-store-retry — the retry policy, through a fault-injecting proxy in
# front of radosgw: 503 SlowDown, 500, 429 and dropped connections are
# retried (and the request then succeeds with the right bytes); 400 is never
# retried; an exhausted budget reports the server's error; a transfer that
# moves no byte for stall_timeout is cut and retried.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 180
test_setup retry  # (radosgw, $tmp, a new bucket $bucket)
head -c 300000 /dev/urandom >"$tmp/data"
s3_cp "$tmp/data" "s3://$bucket/obj" >/dev/null

# proxy PLAN: a fault proxy with PLAN in front of radosgw.
proxy() {
	proxy_start "$1"
}
ctl() { "$BFS_BUILD_DIR/bucketfsctl" -o "endpoint=$PROXY_EP,path_style,retries=4" "$@"; }

for plan in 503=2 500=3 429=1 reset=2 "503=1,500=1,reset=1"; do
	proxy "$plan"
	ctl get "$bucket:/obj" "$tmp/out" || fail "get through plan $plan"
	cmp -s "$tmp/data" "$tmp/out" || fail "plan $plan: bytes differ"
	n=$(wc -l <"$PROXY_LOG")
	ok "plan $plan: get succeeded after retries, byte-exact ($n requests seen)"
	ctl put "$tmp/data" "$bucket:/put-$plan" >/dev/null 2>&1 || true
done

proxy 503=2
ctl put "$tmp/data" "$bucket:/put-after-503" >/dev/null || fail "put through 503=2"
s3_cp "s3://$bucket/put-after-503" "$tmp/put.out" >/dev/null
assert_file_eq "$tmp/data" "$tmp/put.out" "put retried after two 503 SlowDown lands byte-exact"
assert_eq "$(wc -l <"$PROXY_LOG")" 3 "two 503s then one forwarded PUT: 3 requests"

proxy 400=1
out=$(ctl get "$bucket:/obj" "$tmp/out400" 2>&1) && fail "a 400 answer was retried into success"
[[ $out == *InvalidArgument* ]] || fail "400: message lacks the server's code: $out"
assert_eq "$(wc -l <"$PROXY_LOG")" 1 "400 InvalidArgument is not retried (1 request)"

proxy 503=10
t0=$SECONDS
out=$("$BFS_BUILD_DIR/bucketfsctl" -o "endpoint=$PROXY_EP,path_style,retries=3" get "$bucket:/obj" "$tmp/o" 2>&1) &&
	fail "503 x10 with 3 retries succeeded"
[[ $out == *"SlowDown"* ]] || fail "exhausted retries: message lacks SlowDown: $out"
assert_eq "$(wc -l <"$PROXY_LOG")" 4 "retries=3: exactly 4 attempts, then the error: ${out:0:90}"
[ $((SECONDS - t0)) -le 10 ] || fail "backoff took $((SECONDS - t0)) s"

# a server that takes a PUT's 8 MB body, then says nothing: the transfer is
# cut once no byte has moved for stall_timeout (2 s), then sent again; the
# burst just before does not keep it alive (curl's own low-speed check
# averages over 5 s, and let such a PUT hang 5 s and more)
head -c 8000000 /dev/urandom >"$tmp/big"
proxy_start "PUT:hang=1" --hang-s 30
t0=$EPOCHREALTIME
"$BFS_BUILD_DIR/bucketfsctl" -o "endpoint=$PROXY_EP,path_style,retries=2,stall_timeout=2" \
	put "$tmp/big" "$bucket:/stalled" >/dev/null || fail "a PUT whose first attempt stalled failed"
el=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
# (the proxy logs the held PUT only when its 30 s are up: one PUT so far)
assert_eq "$(grep -c '^PUT .* -> 200' "$PROXY_LOG")" 1 "the stalled PUT was sent again, and the second one answered"
awk -v e="$el" 'BEGIN { exit !(e < 4.5) }' || fail "the stalled PUT took $el s with stall_timeout=2"
s3_cp "s3://$bucket/stalled" "$tmp/stalled.out" >/dev/null
assert_file_eq "$tmp/big" "$tmp/stalled.out" "a PUT stalled after its body: cut after stall_timeout, sent again ($el s in all)"
