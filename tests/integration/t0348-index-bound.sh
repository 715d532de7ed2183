#!/bin/bash
# SPDX-License-Identifier: MIT
# t0348-index-bound — the cache index stays within index_size= while the
# mount lists far more names than fit (5,000 objects, an index_size of
# 256 KiB: about 1,000 names), and what the mount shows stays right: every
# walk of the tree lists exactly what boto3 lists in the bucket, names found
# missing (deleted by boto3) are forgotten too and stay missing, a file written through the mount stays, and an
# `ls` of a large directory whose names are forgotten while it reads them
# still lists each name once (the walk lists the directory again and goes
# on).  BFS_TEST_ITRIM_KEEP_S=1 shortens the windows in which names just used
# are kept (60 s and 10 min) to 1 s.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 280
test_setup ixcap
export BFS_TEST_ITRIM_KEEP_S=1
cap=262144

boto3_py "$bucket" <<'PY' || fail "putting the objects"
from concurrent.futures import ThreadPoolExecutor
b = sys.argv[1]
keys = ["d%02d/f%03d.png" % (d, i) for d in range(30) for i in range(100)]
keys += ["big/f%04d.png" % i for i in range(2000)]
def put(k):
    s3.put_object(Bucket=b, Key=k, Body=k.encode())
with ThreadPoolExecutor(8) as ex:
    list(ex.map(put, keys))
PY
# the oracle: what boto3 lists in the bucket, as paths
oracle() {
	boto3_py "$bucket" <<'PY'
b = sys.argv[1]
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=b):
    for o in page.get("Contents", []):
        print("/" + o["Key"])
PY
}
oracle | sort >"$tmp/oracle"
assert_eq "$(wc -l <"$tmp/oracle")" 5000 "boto3 lists the 5,000 objects put"

mnt=$tmp/mnt
bfs_mount "$bucket" "$mnt" "index_size=256K"
ctl() { "$BFS_BUILD_DIR/bucketfsctl" "$@"; }
used() { ctl status "$mnt" | sed -n 's/^index_used: \([0-9]*\).*/\1/p'; }
forgotten() { ctl status "$mnt" | sed -n 's/^index_used: .*; \([0-9]*\) names forgotten.*/\1/p'; }
entries() { ctl status "$mnt" | sed -n 's/^index_entries: \([0-9]*\).*/\1/p'; }
within_cap() { [ "$(used)" -le "$cap" ]; }
walk() { (cd "$mnt" && find . -type f | sed 's/^\.//' | sort); }
mdb=${BFS_MOUNT_CACHE[$mnt]}/index/data.mdb

# 1. a walk of the whole tree: 5,000 names into an index room for ~1,000
walk >"$tmp/walk1"
assert_file_eq "$tmp/oracle" "$tmp/walk1" "the first walk lists what the bucket holds"
wait_until 30 within_cap || fail "the index stayed over index_size: $(used) bytes in use"
f1=$(forgotten)
[ "$f1" -gt 0 ] || fail "nothing was forgotten, yet the index is within its size"
ok "the index came back within index_size=256K: $(used) bytes in use, $f1 names forgotten"
size1=$(stat -c %s "$mdb")

# 2. walks again: the forgotten directories are listed again, right
for round in 2 3 4; do
	walk >"$tmp/walk$round"
	assert_file_eq "$tmp/oracle" "$tmp/walk$round" "walk $round lists what the bucket holds"
	for k in /d00/f000.png /d29/f099.png /big/f1999.png; do
		assert_eq "$(stat -c %s "$mnt$k")" "$((${#k} - 1))" "$k has its size (walk $round)"
	done
	wait_until 30 within_cap || fail "the index stayed over index_size after walk $round"
done
size4=$(stat -c %s "$mdb")
ok "after 4 walks data.mdb is $size4 bytes (after the first: $size1); pages freed are reused"
[ "$size4" -le $((size1 * 2)) ] || fail "data.mdb grew from $size1 to $size4 bytes over 3 walks"

# 3. objects deleted elsewhere: found missing (entries that say so), then
# forgotten with the rest; they stay missing
boto3_py "$bucket" <<'PY' || fail "deleting d05"
b = sys.argv[1]
s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "d05/f%03d.png" % i} for i in range(100)]})
PY
sleep 1.1 # (stat_ttl)
for i in $(seq -f %03g 0 99); do [ ! -e "$mnt/d05/f$i.png" ] || fail "d05/f$i.png still shows"; done
f0=$(forgotten)
walk >/dev/null
wait_until 30 within_cap || fail "the index stayed over index_size after walk 5"
grep -v '^/d05/' "$tmp/oracle" >"$tmp/oracle1"
oracle | sort >"$tmp/oracle-now"
assert_file_eq "$tmp/oracle1" "$tmp/oracle-now" "boto3 no longer lists d05"
walk >"$tmp/walk5"
assert_file_eq "$tmp/oracle1" "$tmp/walk5" "after names found missing were forgotten, a walk lists the bucket"
for i in 000 050 099; do [ ! -e "$mnt/d05/f$i.png" ] || fail "d05/f$i.png came back"; done
ok "the deleted files stay missing ($(($(forgotten) - f0)) names forgotten meanwhile)"

# 4. a file written through the mount stays, through every round
mkdir -p "$mnt/new" && printf 'written here' >"$mnt/new/w.png" || fail "write"
walk >/dev/null
wait_until 30 within_cap || fail "the index stayed over index_size after walk 6"
assert_eq "$(cat "$mnt/new/w.png")" "written here" "the file written here reads back"
{ cat "$tmp/oracle1"; echo /new/w.png; } | sort >"$tmp/oracle2"
walk >"$tmp/walk7"
assert_file_eq "$tmp/oracle2" "$tmp/walk7" "a walk lists the bucket and the file written"

# 5. an ls of /big (2,000 names) whose names are forgotten halfway through
before=$(forgotten)
"${BFS_PY[@]}" - "$mnt" "$tmp/big-ls" "$before" "$BFS_BUILD_DIR/bucketfsctl" <<'PY' ||
import os, re, subprocess, sys, time
mnt, out, before, ctl = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def forgotten():
    s = subprocess.run([ctl, "status", mnt], capture_output=True, text=True).stdout
    return int(re.search(r"; (\d+) names forgotten", s).group(1))
it = os.scandir(os.path.join(mnt, "big"))
names = [next(it).name for _ in range(300)]
time.sleep(1.5)  # /big's names age past the keep window...
deadline = time.time() + 60
while forgotten() < before + 1000:  # ... and the other directories' fill the index
    if time.time() > deadline:
        sys.exit("the names of /big were not forgotten within 60 s")
    for d in range(30):
        if d != 5:  # (emptied in 3.)
            os.listdir(os.path.join(mnt, "d%02d" % d))
    time.sleep(0.2)
names += [e.name for e in it]
open(out, "w").write("".join("/big/%s\n" % n for n in names))
print("listed %d names of /big across %d forgotten" % (len(names), forgotten() - before))
PY
	fail "the interrupted ls of /big"
grep '^/big/' "$tmp/oracle" >"$tmp/big-oracle"
sort "$tmp/big-ls" >"$tmp/big-sorted"
assert_file_eq "$tmp/big-oracle" "$tmp/big-sorted" \
	"an ls of /big whose names were forgotten halfway lists each of its 2,000 names once"
n=$(grep -c 'over index_size' "${BFS_MOUNT_LOG[$mnt]}") || true
grep "index:" "${BFS_MOUNT_LOG[$mnt]}" | head -20
ok "rounds that could not get under index_size while walks went on (names used in the last second stay): $n logged"
