#!/bin/bash
# SPDX-License-Identifier: MIT
# t0310-multi-mount — three mounts of one bucket (A, B, C; separate cache
# directories, default freshness: 1 s): a file closed on A is found, listed
# and read on B at once, also in a directory B listed a moment before and in
# one B never saw; a name B found missing is found within the negative
# window; an overwrite, delete, rename, chmod (of a file, of a directory)
# and new directory on A are seen on B within the 1 s bound (a marker owed
# by A: 2 s), and B never reads a mix of two versions;
# a random workload of creates, overwrites and deletes across the three
# mounts ends with every mount showing what the bucket holds; a hot cached
# file read in a loop costs at most one conditional request per second.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 240
test_setup multi  # (radosgw, $tmp, a new bucket $bucket)
proxy_start ""
A=$tmp/a B=$tmp/b C=$tmp/c
# What B sees is at most 1 s old, plus the time of the requests that find
# the change (a LIST, then a HEAD or GET) and of the writer's own upload:
# 500 ms for those here, 2000 under the sanitizers, where one request can
# take hundreds of ms while other tests run beside this one.
slack=500
[ -z "${BFS_SANITIZED:-}" ] || slack=2000
bfs_mount "$bucket" "$A" ""
bfs_mount "$bucket" "$B" "endpoint=$PROXY_EP,path_style"
bfs_mount "$bucket" "$C" ""
rnd() { head -c "$2" /dev/urandom >"$tmp/$1"; }
since_ms() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }'; }

# --- new files: at once ------------------------------------------------------------
mkdir -p "$A/images/t1"
rnd n0 100000
cp "$tmp/n0" "$A/images/t1/0.png"
ls "$B/images/t1" >/dev/null                    # B lists the directory now...
rnd n1 100000
cp "$tmp/n1" "$A/images/t1/1.png"               # ... A adds a file right after
assert_file_eq "$tmp/n1" "$B/images/t1/1.png" "a new file in a directory B just listed: read at once"
assert_eq "$(ls "$B/images/t1" | tr '\n' ' ')" "0.png 1.png " "... and listed at once"
mkdir -p "$A/images/t2"
rnd n2 100000
cp "$tmp/n2" "$A/images/t2/0.png"
assert_file_eq "$tmp/n2" "$B/images/t2/0.png" "a new file in a directory B never saw: read at once"

# a name B looked up and found missing: found within the negative window
[ ! -e "$B/images/t1/2.png" ] || fail "2.png exists too early"
t0=$EPOCHREALTIME
rnd n3 1000
cp "$tmp/n3" "$A/images/t1/2.png"
until cmp -s "$tmp/n3" "$B/images/t1/2.png" 2>/dev/null; do
	[ "$(since_ms "$t0")" -lt $((3000 + slack)) ] || fail "2.png not visible on B after $((3000 + slack)) ms"
	sleep 0.02
done
d=$(since_ms "$t0")
[ "$d" -le $((1000 + slack)) ] || fail "a name B found missing took $d ms to appear (negative window 1 s)"
ok "a name B had found missing appeared after $d ms (negative window 1 s)"

# --- changes: within 1 s, never mixed --------------------------------------------------
rnd v1 3000000
rnd v2 3000000
cp "$tmp/v1" "$A/images/t1/big.png"
assert_file_eq "$tmp/v1" "$B/images/t1/big.png" "B caches version 1"
t0=$EPOCHREALTIME
cp "$tmp/v2" "$A/images/t1/big.png"
n=0
while :; do
	cat "$B/images/t1/big.png" >"$tmp/seen" 2>/dev/null || true
	n=$((n + 1))
	if cmp -s "$tmp/seen" "$tmp/v2"; then break; fi
	cmp -s "$tmp/seen" "$tmp/v1" || fail "read $n on B was neither version (a mix?)"
	[ "$(since_ms "$t0")" -lt $((3000 + slack)) ] || fail "the overwrite not visible on B after $((3000 + slack)) ms"
	sleep 0.02
done
d=$(since_ms "$t0")
[ "$d" -le $((1000 + slack)) ] || fail "the overwrite took $d ms to show on B"
ok "an overwrite on A served on B after $d ms; all $n reads were one whole version"

wait_on_B() {  # DESCRIPTION TEST-COMMAND... (BOUND_MS=1000 + slack by default)
	local what=$1 t0=$EPOCHREALTIME d bound=${BOUND_MS:-$((1000 + slack))}
	shift
	until "$@"; do
		[ "$(since_ms "$t0")" -lt $((bound + 1500)) ] || fail "$what: not seen on B after $((bound + 1500)) ms"
		sleep 0.02
	done
	d=$(since_ms "$t0")
	[ "$d" -le "$bound" ] || fail "$what: seen on B after $d ms (bound $bound ms)"
	ok "$what: seen on B after $d ms"
}
rm "$A/images/t1/0.png"
wait_on_B "delete" test ! -e "$B/images/t1/0.png"
mv "$A/images/t1/1.png" "$A/images/t1/moved.png"
wait_on_B "rename" bash -c "[ ! -e '$B/images/t1/1.png' ] && cmp -s '$tmp/n1' '$B/images/t1/moved.png'"
chmod 600 "$A/images/t1/moved.png"
wait_on_B "chmod" bash -c "[ \"\$(stat -c %a '$B/images/t1/moved.png')\" = 600 ]"
mkdir "$A/images/t4" && printf four >"$A/images/t4/f.png"
wait_on_B "new directory with a file" bash -c "[ \"\$(cat '$B/images/t4/f.png' 2>/dev/null)\" = four ]"
# an empty new directory's marker is owed for 1 s (SEMANTICS.md), then B's window
mkdir "$A/images/t3"
BOUND_MS=$((2000 + slack)) wait_on_B "new empty directory" test -d "$B/images/t3"
# a directory's mode is its marker's: B's listings of the parent (every
# 20 ms here) show t3 as a prefix, which says nothing of it; t4 had no
# marker (a file landed in it first): its chmod PUTs one that carries it
mode_on_B() { ls -l "$B/images" >/dev/null && [ "$(stat -c %a "$B/images/$1")" = "$2" ]; }
mode_on_B t3 755 && mode_on_B t4 755 || fail "B: t3 and t4 are not 0755 before the chmod"
chmod 700 "$A/images/t3"
wait_on_B "chmod of a directory" mode_on_B t3 700
chmod 711 "$A/images/t4"
wait_on_B "chmod of a directory without a marker" mode_on_B t4 711
# a new directory whose only file is still open for writing is empty in
# the bucket: its marker is owed 1 s as any other's, not held by the file
# (python: a shell's printf >&7 would close a dup of it, which uploads)
mkdir "$A/images/t5"
python3 -c 'import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, b"x")
time.sleep(8)' "$A/images/t5/open.png" &
holder=$!
BOUND_MS=$((2000 + slack)) wait_on_B "a new directory whose only file is still open" test -d "$B/images/t5"
kill "$holder"
wait "$holder" 2>/dev/null || true

# --- a random workload on three mounts ----------------------------------------------
python3 - "$A" "$B" "$C" <<'PY' || fail "the random workload failed"
import os, random, sys
mounts = sys.argv[1:4]
rng = random.Random(7)
for m in mounts:
    os.makedirs(os.path.join(m, "mix"), exist_ok=True)
for i in range(300):
    m = rng.choice(mounts)
    p = os.path.join(m, "mix", "f%d.bin" % rng.randrange(30))
    if rng.random() < 0.25:
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
    else:
        with open(p, "wb") as f:
            f.write(rng.randbytes(rng.randint(1, 50000)))
PY
sleep 1.2
boto3_py "$bucket" "$A" "$B" "$C" <<'PY' || fail "a mount does not show what the bucket holds"
import hashlib
b, mounts = sys.argv[1], sys.argv[2:5]
want = {}
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=b, Prefix="mix/"):
    for o in page.get("Contents", []):
        k = o["Key"][4:]
        if k:
            want[k] = hashlib.sha256(s3.get_object(Bucket=b, Key=o["Key"])["Body"].read()).hexdigest()
for m in mounts:
    d = os.path.join(m, "mix")
    got = {n: hashlib.sha256(open(os.path.join(d, n), "rb").read()).hexdigest()
           for n in os.listdir(d)}
    if got != want:
        print("# %s: %d files, bucket %d; differ: %s" % (m, len(got), len(want),
              sorted(set(got.items()) ^ set(want.items()))[:5]))
        sys.exit(1)
print("# 300 operations on 3 mounts: %d files left, the same on every mount" % len(want))
PY
ok "after 300 random creates, overwrites and deletes on 3 mounts, each mount shows what the bucket holds"

# --- a hot cached file: at most one conditional request per second ----------------------
cat "$B/images/t1/big.png" >/dev/null
m=$(wc -l <"$PROXY_LOG")
t0=$EPOCHREALTIME
n=0
while [ "$(since_ms "$t0")" -lt 5000 ]; do
	cat "$B/images/t1/big.png" >/dev/null
	n=$((n + 1))
done
reqs=$(tail -n +$((m + 1)) "$PROXY_LOG" | grep -c "/$bucket/images/t1/big.png" || true)
bodies=$(tail -n +$((m + 1)) "$PROXY_LOG" | grep "^GET /$bucket/images/t1/big.png" | grep -vc " -> 304" || true)
[ "$reqs" -le 7 ] || fail "$n reads in 5 s cost $reqs requests (want at most one per second)"
assert_eq "$bodies" 0 "revalidating GETs of an unchanged file carry no body (all 304)"
ok "$n reads of a cached 3 MB file in 5 s cost $reqs conditional requests"
for m in "$A" "$B" "$C"; do bfs_umount "$m"; done
