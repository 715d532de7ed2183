#!/bin/bash
# SPDX-License-Identifier: MIT
# t0370-fault-mixes — the app's workload through a proxy that injects
# faults at random (tests/faultproxy.py --mix, seeded): server errors
# (503 SlowDown, 500, 429), connections reset before an answer, cut off in
# the middle of an upload, responses cut in the middle of the body, delays,
# a server that stops answering (hang) and an endpoint that goes away
# (connections refused) for seconds at a time; synchronous and write-back.
# Under each mix: 4 writer processes write files (1 B to 6 MiB, multipart
# included) with mkdir -p + write + close; a second mount with an empty cache
# reads every acknowledged file back through the same faults; boto3, straight
# to radosgw, checks that every acknowledged file is in the bucket byte-exact
# and that no object is torn or empty; every call returned within the bound
# the timeouts set; the mount's stats count the retries.  And when retries
# run out, close() returns the error (EIO) and nothing half-written lands.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 280
test_setup faults  # (radosgw, $tmp, a new bucket $bucket)
files=${BFS_FAULT_FILES:-8}  # per writer; 4 writers
[ -z "${BFS_SANITIZED:-}" ] || files=6
ctl() { "$BFS_BUILD_DIR/bucketfsctl" "$@"; }
# bounded calls: stall_timeout=2 aborts a silent transfer; retries=8 with
# backoff capped at 10 s; a 6 MiB file is 2 parts: well under 120 s per call
common="retries=8,mount_retry=20,stall_timeout=2,connect_timeout=2,part_size=5M,multipart_threshold=5M"
bound=120

# run_mix NAME EXTRA_MOUNT_OPTS PROXY_ARGS...
run_mix() {
	local name=$1 extra=$2 log acked errs bad retries failed maxcall injected st
	shift 2
	proxy_start "" "$@"
	log=$tmp/$name.log
	bfs_mount "$bucket:/$name" "$tmp/$name/w" "endpoint=$PROXY_EP,path_style,$common${extra:+,$extra}"
	/usr/bin/python3 "$BFS_SOURCE_DIR/tests/integration/fault_workload.py" write \
		"$tmp/$name/w" "$log" "$RANDOM" "$files" 4 || fail "$name: the writers crashed"
	if [[ $extra == *writeback* ]]; then
		ctl flush "$tmp/$name/w" 200 >/dev/null || fail "$name: flush: $(ctl pending "$tmp/$name/w")"
	fi
	st=$(ctl stats "$tmp/$name/w")
	bfs_umount "$tmp/$name/w"
	bfs_mount "$bucket:/$name" "$tmp/$name/r" "endpoint=$PROXY_EP,path_style,$common"
	/usr/bin/python3 "$BFS_SOURCE_DIR/tests/integration/fault_workload.py" read "$tmp/$name/r" "$log"
	st=$st$'\n'$(ctl stats "$tmp/$name/r")
	bfs_umount "$tmp/$name/r"
	printf '%s\n' "$st" >"$tmp/$name.stats"
	# what both mounts counted: retries, and attempts that failed (by kind)
	# (a probe's failure during an outage is not retried: the next probe
	# is its retry, SEMANTICS.md "Outages of the bucket")
	retries=$(awk -F'[:( ]+' '$1 == "retries" || $1 == "probes" { n += ($1 == "retries" ? $2 : $3) } END { print n + 0 }' <<<"$st")
	failed=$(awk -F': ' '$1 ~ /^errors_(throttled|server error|cannot connect|the endpoint did not answer)/ { n += $2 } END { print n + 0 }' <<<"$st")
	injected=$(grep -cE -- '-> ([0-9]+ )?(fault|reset|early|cut|delay|hang)' "$PROXY_LOG" || true)
	_bfs_kill_quietly "$PROXY_PID"

	acked=$(grep -c '^ack ' "$log" || true)
	errs=$(grep -c '^err ' "$log" || true)
	bad=$(grep -cE '^read .* (bad|err) ' "$log" || true)
	[ "$bad" -eq 0 ] || fail "$name: $bad acknowledged files read back wrong: $(grep -E '^read .* (bad|err) ' "$log" | head -3)"
	maxcall=$(awk '$1 == "time" || $1 == "read" { t = $NF + 0; if (t > m) m = t } END { printf "%.1f", m }' "$log")
	awk -v m="$maxcall" -v b="$bound" 'BEGIN { exit !(m < b) }' || fail "$name: a call took $maxcall s (bound $bound s)"
	# the bucket, straight from radosgw: every acknowledged file byte-exact;
	# a file whose close() failed is absent or complete (never torn); no
	# empty object but directory markers
	boto3_py "$bucket" "$name" "$log" <<'PY' || fail "$name: the bucket does not hold what was acknowledged"
import hashlib
bucket, name, log = sys.argv[1:4]
want, tried = {}, {}
for line in open(log):
    f = line.split()
    if f[0] == "ack":
        want[f[1]] = f[2]
    elif f[0] == "err":
        tried.setdefault(f[1], set()).add(f[2])
got = {}
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=name + "/"):
    for o in page.get("Contents", []):
        key = o["Key"][len(name) + 1:]
        if key.endswith("/"):
            continue
        assert o["Size"] > 0, "empty object %s" % key
        got[key] = hashlib.sha256(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()).hexdigest()
for key, digest in want.items():
    assert got.get(key) == digest, "%s: %s, want %s" % (key, got.get(key), digest)
for key, digest in got.items():
    assert key in want or digest in tried.get(key, ()), "%s: torn or unknown object" % key
print("# %s: %d acknowledged files in the bucket, %d more from failed closes" % (name, len(want), len(got) - len(want)))
PY
	[ "$acked" -gt 0 ] || fail "$name: nothing was acknowledged"
	[ "$failed" -gt 0 ] && [ "$retries" -ge "$failed" ] ||
		fail "$name: $injected faults injected, $failed failed attempts and $retries retries counted"
	ok "$name: $acked files acknowledged and verified in the bucket, $errs errors returned to the writer, $injected faults injected, $failed failed attempts and $retries retries counted, longest call $maxcall s"
	printf '%-10s %5s %5s %8s %6s %7s %6s\n' "$name" "$acked" "$errs" "$injected" "$failed" "$retries" "$maxcall" >>"$tmp/summary"
}

run_mix errors "" --mix "503=0.1,500=0.05,429=0.05" --seed 11
run_mix resets "" --mix "reset=0.05,early=0.05,cut=0.08" --seed 12
# the third PUT hangs whatever the draws (stall_timeout=2: aborted, retried):
# the mix's hangs are drawn at random, and a short run may draw none
run_mix slow "" --plan "PUT:pass=2,PUT:hang=1" --mix "delay=0.2,hang=0.02" --delay-ms 200 \
	--hang-s 5 --seed 13
# an outage of 0.4 s every second cuts every transfer longer than 0.6 s, and
# under the sanitizers (with other tests beside this one) a large file's
# transfer can take longer: there, outages of 0.25 s
outage=0.4
[ -z "${BFS_SANITIZED:-}" ] || outage=0.25
run_mix down "" --mix "503=0.05" --down "1:$outage" --seed 14
refused=$(awk -F': ' '$1 == "errors_cannot connect to the endpoint" { n += $2 } END { print n + 0 }' "$tmp/down.stats")
outages=$(grep -c -- '-> down$' "$PROXY_LOG" || true)
[ "$refused" -gt 0 ] || fail "down: $outages outages, but no request was refused (the mix did not test them)"
ok "down: $outages outages of $outage s (one a second), $refused connections refused, retried until the endpoint came back"
run_mix writeback "writeback=0.2" --mix "503=0.08,reset=0.04,early=0.04,cut=0.05" --seed 15

# retries exhausted: every PUT answered 503; close() must say so, and the
# bucket must not hold the file
proxy_start "" --mix "PUT:503=1"
bfs_mount "$bucket:/exhausted" "$tmp/ex" "endpoint=$PROXY_EP,path_style,retries=2"
head -c 100000 /dev/urandom >"$tmp/ex.src"
t0=$EPOCHREALTIME
out=$(cp "$tmp/ex.src" "$tmp/ex/lost.png" 2>&1) && fail "a write whose every PUT failed was acknowledged"
d=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
[[ $out == *"Input/output error"* ]] || fail "retries exhausted: cp said: $out"
grep -q "SlowDown" "${BFS_MOUNT_LOG[$tmp/ex]}" || fail "the log does not name the server's error"
bfs_umount "$tmp/ex"
boto3_py "$bucket" <<'PY' || fail "the failed file reached the bucket"
r = s3.list_objects_v2(Bucket=sys.argv[1], Prefix="exhausted/lost")
assert r.get("KeyCount", 0) == 0, r
PY
ok "retries exhausted (every PUT 503, retries=2): close() returned EIO after $d s, logged SlowDown, nothing in the bucket"
# libcurl itself re-sends a request once, on a new connection, when a reused
# connection turns out closed before any answer: such resets are retried
# without being counted, so injected faults can exceed the failed attempts.
printf '# %-10s %5s %5s %8s %6s %7s %6s\n' mix acked errors injected failed retries max_s
sed 's/^/# /' "$tmp/summary"
