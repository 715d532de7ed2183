#!/bin/bash
# SPDX-License-Identifier: MIT
# t0290-crash-loop — kill -9 at random points, many times over: each round
# mounts bucketfs on the same cache_dir (in turn synchronous, write-back with
# no delay, write-back with 0.3 s), lets a writer (crash_writer.py) write
# and overwrite files of 1 byte to 6 MiB (multipart) until the daemon is
# killed 50-600 ms in (one round in 10 also deleting the cache index),
# remounts on the dead mount point, and goes on.  At the
# end one last mount drains the journal, and boto3 checks the bucket: every
# file whose close() returned 0 is there with exactly its last acknowledged
# bytes (or with the bytes of a later write whose close never returned: the
# upload may have completed just before the kill), no object is torn or
# empty, the cache holds no staging left from half-written files, and no
# journal record is left (none stale, none lost).
# Rounds: BFS_CRASH_ROUNDS (default 100; 25 under the sanitizers).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
rounds=${BFS_CRASH_ROUNDS:-100}
[ -n "${BFS_SANITIZED:-}" ] && rounds=${BFS_CRASH_ROUNDS:-25}
test_timeout 280
test_setup crash  # (radosgw, $tmp, a new bucket $bucket)
mnt=$tmp/mnt
cache=$tmp/cache
log=$tmp/writes.log
: >"$log"
modes=("" ",writeback=0" ",writeback=0.3")
t0=$EPOCHREALTIME
lost=0

for ((r = 1; r <= rounds; r++)); do
	mode=${modes[r % 3]}
	bfs_mount "$bucket" "$mnt" "cache_dir=$cache,multipart_threshold=5M,part_size=5M$mode" >/dev/null
	pid=${BFS_MOUNT_PID[$mnt]}
	python3 "$BFS_SOURCE_DIR/tests/integration/crash_writer.py" "$mnt" "$log" "$r" "$r$RANDOM" &
	writer=$!
	sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.3f", 0.05 + rand() * 0.55 }')"
	kill -9 "$pid"
	wait "$writer" || fail "round $r: the writer failed"
	# one round in 10 the cache index is lost too: what write-back close()
	# acknowledged comes back from its journal records
	if [ $((r % 10)) -eq 5 ]; then
		rm -f "$cache/index/data.mdb" "$cache/index/lock.mdb"
		lost=$((lost + 1))
	fi
done 2>/dev/null
t1=$EPOCHREALTIME
ok "$rounds rounds of kill -9 ($lost of them losing the cache index too) in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f s", b - a }')"

# the last mount drains what is journaled
bfs_mount "$bucket" "$mnt" "cache_dir=$cache,writeback=0"
bfs_umount "$mnt"

read -r acked tried died_open died_write died_close died_mpu < <(awk '
	$1 == "ack" { a++ } $1 == "try" { t++ }
	$1 == "died" { d[$2]++; if ($2 == "close" && $4 == 6291456) m++ }
	END { printf "%d %d %d %d %d %d\n", a, t, d["open"], d["write"], d["close"], m }' "$log")
ok "files: $tried written, $acked acknowledged; kills landed in open $died_open, write $died_write, close/upload $died_close (multipart $died_mpu) times"

boto3_py "$bucket" "$log" <<'PY' || fail "the bucket does not match what was acknowledged"
import hashlib
b, logpath = sys.argv[1:3]
last_ack = {}     # name -> sha of the last acknowledged write
allowed = {}      # name -> shas it may hold: last ack + unacknowledged tries after it
for line in open(logpath):
    f = line.split()
    if f[0] == "try":
        allowed.setdefault(f[1], set()).add(f[2])
    elif f[0] == "ack":
        last_ack[f[1]] = f[2]
        allowed[f[1]] = {f[2]}
objs = {}
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=b):
    for o in page.get("Contents", []):
        objs[o["Key"]] = o["Size"]
bad = []
for name, sha in last_ack.items():
    if name not in objs:
        bad.append("%s: acknowledged but missing" % name)
        continue
for key, size in objs.items():
    if size == 0:
        bad.append("%s: empty object" % key)
        continue
    body = s3.get_object(Bucket=b, Key=key)["Body"].read()
    got = hashlib.sha256(body).hexdigest()
    if got not in allowed.get(key, ()):
        bad.append("%s: %d bytes match no write that may be there (torn or stale)" % (key, size))
print("# %d objects in the bucket, %d acknowledged names, all checked byte-exact"
      % (len(objs), len(last_ack)))
if bad:
    print("\n".join("# " + x for x in bad[:20]))
    sys.exit(1)
PY
ok "every acknowledged file is in the bucket with its last acknowledged bytes; nothing torn or empty"

nobj=$(boto3_py "$bucket" <<'PY'
n = 0
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=sys.argv[1]):
    n += len(page.get("Contents", []))
print(n)
PY
)
ndata=$(find "$cache/data" -type f | wc -l)
[ "$ndata" -le "$nobj" ] || fail "the cache holds $ndata data files for $nobj objects: staging left behind"
ok "the cache holds $ndata data files for $nobj objects: no staging left from half-written files"
nrec=$(find "$cache/journal" -type f | wc -l)
assert_eq "$nrec" 0 "no journal record is left once the journal is drained (none stale after the kills)"
[ ! -e "$cache/lost+found" ] || fail "something went to lost+found: $(ls "$cache/lost+found")"
