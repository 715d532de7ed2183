#!/bin/bash
# SPDX-License-Identifier: MIT
# t0345-outage — riding out an outage of the bucket, as an operator sees it
# (issue 27, 1).  A mount through a proxy; the proxy stops (connections
# refused, as a stopped radosgw or a dead load balancer):
#   - uncached names pay their retries until the failures have lasted 2 s
#     (the mount then knows the bucket is down): the next uncached names
#     fail with EIO at once, sending nothing (the request counters show it;
#     only the background probe, at most one a second, goes out);
#   - cached files read, known names stat, a directory listed before lists
#     (from the index);
#   - bucketfsctl status says since when, why, and how many reads failed
#     fast; the metrics say bucketfs_bucket_up 0; the log says it once;
#   - the proxy comes back: within seconds, found by the probe without any
#     reader, status says reachable, the log says it answers again, and new
#     objects are found.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 180
test_setup outage  # (radosgw, $tmp, a new bucket $bucket)
ctl() { "$BFS_BUILD_DIR/bucketfsctl" "$@"; }
# requests MNT: requests sent so far, every kind (bucketfsctl stats)
requests() {
	ctl stats "$1" | awk -F'[: (]+' '/^requests_/ { n += $2 } END { print n + 0 }'
}

proxy_start ""
mnt=$tmp/mnt
bfs_mount "$bucket" "$mnt" "endpoint=$PROXY_EP,path_style,retries=2,stat_ttl=0.2,negative_ttl=0.2"
mkdir -p "$mnt/images/t1" || fail "mkdir"
head -c 300000 /dev/urandom >"$tmp/a.png"
for n in 0 1 2; do cp "$tmp/a.png" "$mnt/images/t1/$n.png" || fail "write $n.png"; done
ls "$mnt/images/t1" >/dev/null || fail "ls"
cat "$mnt/images/t1/0.png" >/dev/null || fail "read"
st=$(ctl status "$mnt") || fail "status: $st"
grep -q '^bucket: reachable (last answer [0-9.]* s ago)$' <<<"$st" ||
	fail "status does not say the bucket is reachable: $(grep '^bucket' <<<"$st")"
ok "status before the outage: $(grep '^bucket:' <<<"$st")"

# The outage.
kill "$PROXY_PID"
wait "$PROXY_PID" 2>/dev/null || true
sleep 0.5  # past stat_ttl: what follows asks the bucket, or knows it cannot
# Unknown names pay their retries until failures have lasted 2 s (a blip
# the retries ride out is no outage); then the mount knows.
down() { ctl status "$mnt" | grep -q '^bucket: UNREACHABLE'; }
t0=$(date +%s.%N)
k=0
until down; do
	k=$((k + 1))
	[ "$k" -le 30 ] || fail "30 unknown names later, status still does not say UNREACHABLE"
	out=$(stat "$mnt/images/t1/first$k.png" 2>&1) && fail "stat of an unknown name succeeded offline"
	grep -q "Input/output error" <<<"$out" || fail "an unknown name: not EIO: $out"
done
t1=$(date +%s.%N)
before=$(requests "$mnt")
for i in $(seq 1 20); do
	out=$(stat "$mnt/images/t1/nope$i.png" 2>&1) && fail "stat of nope$i.png succeeded offline"
	grep -q "Input/output error" <<<"$out" || fail "nope$i.png: not EIO: $out"
done
t2=$(date +%s.%N)
after=$(requests "$mnt")
# (only the prober's requests: at most one a second, and one more)
bound=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%d", b - a + 2 }')
[ $((after - before)) -le "$bound" ] ||
	fail "20 unknown names during the outage sent $((after - before)) requests (bound $bound)"
ok "offline: $k unknown names fail after their retries, until the outage is known ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s); then 20 more with EIO at once ($(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", b - a }') s, $((after - before)) requests: the probe's)"

assert_file_eq "$tmp/a.png" "$mnt/images/t1/0.png" "offline: a cached file reads"
stat "$mnt/images/t1/1.png" >/dev/null || fail "offline: stat of a known file failed"
names=$(ls "$mnt/images/t1" 2>&1) || fail "offline: ls of a directory listed before: $names"
assert_eq "$(echo $names)" "0.png 1.png 2.png" "offline: the listing comes from the index"
ok "offline: cached files read, known names stat, known directories list"

st=$(ctl status "$mnt") || fail "status: $st"
line=$(grep '^bucket:' <<<"$st")
grep -Eq '^bucket: UNREACHABLE since [0-9-]+ [0-9:]+ UTC \([0-9.]+ s ago\): cannot connect to the endpoint; last answer [0-9.]+ s ago; ([2-9][0-9]|[1-9][0-9]{2,}) reads answered EIO at once; probed every second$' <<<"$line" ||
	fail "status during the outage: $line"
ok "status during the outage: $line"
ctl stats "$mnt" --prometheus >"$tmp/prom" || fail "stats --prometheus"
grep -q '^bucketfs_bucket_up{mount="[^"]*",bucket="[^"]*"} 0$' "$tmp/prom" ||
	fail "metrics: bucket_up is not 0: $(grep bucket_up "$tmp/prom")"
grep -Eq '^bucketfs_requests_failed_fast_total\{[^}]*\} ([2-9][0-9]|[1-9][0-9]{2,})$' "$tmp/prom" ||
	fail "metrics: requests_failed_fast_total: $(grep failed_fast "$tmp/prom")"
ok "metrics: $(grep -E '^bucketfs_(bucket_up|bucket_down_seconds|requests_failed_fast_total)' "$tmp/prom" | sed 's/{[^}]*}//' | tr '\n' ' ')"
log=${BFS_MOUNT_LOG[$mnt]}
# (the watcher logs it at its next look, within its second: the outage is
# dated from its first failed attempt, and known from the third, 2 s on)
outage_logged() { grep -q 'the bucket is unreachable' "$log"; }
wait_until 3 outage_logged || fail "the outage was not logged within 3 s"
n=$(grep -c 'the bucket is unreachable' "$log")
assert_eq "$n" 1 "the outage is logged once"
grep -q 'lookup .*nope1[0-9].png' "$log" && fail "every failed-fast name was logged: $(grep -c nope "$log") lines"
ok "log: $(grep -m1 'the bucket is unreachable' "$log" | cut -c1-160)"

# New objects land while the mount cannot see them; then the bucket returns.
boto3_py "$bucket" <<'PY' || fail "boto3 put"
s3.put_object(Bucket=sys.argv[1], Key="images/t1/late.png", Body=b"late")
PY
proxy_restart ""
reachable() { ctl status "$mnt" | grep -q '^bucket: reachable'; }
answers_logged() { grep -q 'the bucket answers again, after' "$log"; }
wait_until 10 reachable ||
	fail "the mount did not find the bucket back in 10 s: $(ctl status "$mnt" | grep '^bucket')"
st=$(ctl status "$mnt")
ok "after the outage, found by the probe: $(grep -E '^bucket' <<<"$st" | tr '\n' ';')"
grep -q '^bucket_outages: 1 (the last ended' <<<"$st" || fail "status: $(grep '^bucket' <<<"$st")"
wait_until 5 answers_logged || fail "no log line when the bucket came back"
ok "log: $(grep -m1 'the bucket answers again' "$log" | cut -c1-160)"
assert_eq "$(cat "$mnt/images/t1/late.png" 2>&1)" "late" "after the outage, a new object is found and read"
ls "$mnt/images/t1" | grep -qx late.png || fail "after the outage, the listing lacks late.png"
ok "after the outage: new objects found, listings fresh"
bfs_umount "$mnt"
