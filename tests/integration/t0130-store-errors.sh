#!/bin/bash
# SPDX-License-Identifier: MIT
# t0130-store-errors — bad input gets a clear error naming the problem, in
# bounded time, and secrets never show: wrong secret, unknown access key,
# unknown bucket, unreachable and silent endpoints, malformed URLs, passwd
# files with bad permissions or lines, missing objects.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 200
test_setup errs  # (radosgw, $tmp, a new bucket $bucket)
ctl=$BFS_BUILD_DIR/bucketfsctl

# expect_fail WHAT PATTERN MAX_SECONDS CMD...: CMD fails within MAX_SECONDS
# with PATTERN in its message.
expect_fail() {
	local what=$1 pat=$2 max=$3 t0 out rc=0
	shift 3
	t0=$EPOCHREALTIME
	out=$("$@" 2>&1) || rc=$?
	local secs
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	[ "$rc" -ne 0 ] || fail "$what: succeeded"
	[[ $out == *$pat* ]] || fail "$what: message lacks '$pat': $out"
	awk -v s="$secs" -v m="$max" 'BEGIN { exit !(s <= m) }' || fail "$what: took ${secs}s (> ${max}s)"
	[[ $out != *"$RGW_SECRET_KEY"* ]] || fail "$what: the message shows the secret"
	ok "$what (${secs}s): $(echo "$out" | head -n 1)"
}

O="endpoint=$RGW_ENDPOINT,path_style"
echo data >"$tmp/f"
"$ctl" -o "$O" put "$tmp/f" "$bucket:/f" >/dev/null || fail "put"

expect_fail "wrong secret" "the server rejected the credentials: SignatureDoesNotMatch" 10 \
	env AWS_SECRET_ACCESS_KEY=wrong-secret-0123456789 "$ctl" -o "$O" ls "$bucket"
expect_fail "wrong secret on check" "SignatureDoesNotMatch" 10 \
	env AWS_SECRET_ACCESS_KEY=wrong-secret-0123456789 "$ctl" -o "$O" check "$bucket"
expect_fail "unknown access key" "does not know the access key: InvalidAccessKeyId" 10 \
	env AWS_ACCESS_KEY_ID=NOSUCHKEY0000000000 "$ctl" -o "$O" check "$bucket"
expect_fail "unknown bucket" "no such bucket" 10 "$ctl" -o "$O" check no-such-bucket-$RANDOM
expect_fail "unknown bucket on ls" "NoSuchBucket" 10 "$ctl" -o "$O" ls no-such-bucket-$RANDOM
expect_fail "missing object" "no such object" 10 "$ctl" -o "$O" get "$bucket:/nope" "$tmp/nope"
[ ! -e "$tmp/nope" ] || fail "a failed get left a file behind"
ok "a failed get leaves no file behind"

# Nothing listens on this port: refused at once, retried with backoff, bounded.
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
expect_fail "unreachable endpoint" "cannot connect to the endpoint" 15 \
	"$ctl" -o "endpoint=http://127.0.0.1:$port,path_style" check "$bucket"
expect_fail "unresolvable host" "cannot connect to the endpoint" 20 \
	"$ctl" -o "endpoint=http://no-such-host.invalid,path_style,retries=1" check "$bucket"

# A server that accepts and never answers: the stall timeout ends it.
/usr/bin/python3 -c '
import socket, time, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
conns = []
end = time.time() + 60
while time.time() < end:
    s.settimeout(1)
    try: conns.append(s.accept()[0])
    except socket.timeout: pass
' "$port" &
silent=$!
on_exit kill "$silent"
sleep 0.3
expect_fail "silent endpoint" "did not answer in time" 15 \
	"$ctl" -o "endpoint=http://127.0.0.1:$port,path_style,stall_timeout=2,retries=1" check "$bucket"

# Malformed endpoints.
expect_fail "endpoint without scheme" "must start with http:// or https://" 2 \
	"$ctl" -o "url=127.0.0.1:$RGW_PORT" check "$bucket"
expect_fail "endpoint with a path" "must not have a path" 2 \
	"$ctl" -o "endpoint=http://127.0.0.1:$RGW_PORT/bucket" check "$bucket"
expect_fail "endpoint with a bad port" "invalid port" 2 \
	"$ctl" -o "endpoint=http://127.0.0.1:99999" check "$bucket"
expect_fail "unknown option" "unknown option 'nosuch'" 2 "$ctl" -o "nosuch=1" check "$bucket"
expect_fail "bad option value" "invalid value for option retries" 2 "$ctl" -o "retries=many" check "$bucket"
expect_fail "invalid bucket name" "invalid bucket name" 2 "$ctl" -o "$O" check 'bad/bucket!'

# passwd files.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
printf '%s:%s\n' "$RGW_ACCESS_KEY" "$RGW_SECRET_KEY" >"$tmp/passwd"
chmod 644 "$tmp/passwd"
expect_fail "passwd file readable by others" "accessible by others (mode 0644)" 2 \
	"$ctl" -o "$O,passwd_file=$tmp/passwd" check "$bucket"
chmod 600 "$tmp/passwd"
out=$("$ctl" -o "$O,passwd_file=$tmp/passwd" check "$bucket") || fail "passwd file 600: $out"
ok "passwd file with mode 600 works: $out"
printf '%s:%s\n' "$RGW_ACCESS_KEY" "$RGW_SECRET_KEY" >"$tmp/passwd-bucket"
printf 'otherbucket:AAA:BBB\n%s:%s:%s\n' "$bucket" "$RGW_ACCESS_KEY" "$RGW_SECRET_KEY" >"$tmp/passwd-bucket"
chmod 600 "$tmp/passwd-bucket"
"$ctl" -o "$O,passwd_file=$tmp/passwd-bucket" check "$bucket" >/dev/null || fail "BUCKET:AK:SK line"
ok "a BUCKET:ACCESS_KEY:SECRET line is used for its bucket"
printf 'garbage line without colon\n' >"$tmp/passwd-bad"
chmod 600 "$tmp/passwd-bad"
expect_fail "passwd file with a bad line" "line 1: expected ACCESS_KEY:SECRET" 2 \
	"$ctl" -o "$O,passwd_file=$tmp/passwd-bad" check "$bucket"
expect_fail "missing passwd file" "does not exist" 2 \
	"$ctl" -o "$O,passwd_file=$tmp/none" check "$bucket"

# Verbose traces show requests but never the signature or the secret.
"$ctl" -v -o "$O,passwd_file=$tmp/passwd" ls "$bucket" >/dev/null 2>"$tmp/trace" || fail "verbose ls"
grep -qi '^> GET ' "$tmp/trace" || fail "the verbose trace shows no request"
grep -qi 'authorization: \[redacted\]' "$tmp/trace" || fail "no redacted Authorization line"
if grep -q "$RGW_SECRET_KEY" "$tmp/trace" || grep -qi 'Signature=' "$tmp/trace"; then
	fail "the verbose trace shows the secret or the signature"
fi
ok "verbose trace redacts Authorization and never shows the secret"
