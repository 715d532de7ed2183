#!/bin/bash
# SPDX-License-Identifier: MIT
# t0250-fs-concurrency — 8 writers and 8 readers at once, on different files
# and on one file: every object in the bucket is byte-exact (different
# files) or exactly one writer's complete version (one file), reads never
# fail, and SIGTERM afterwards unmounts cleanly with the index closed.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 240
test_setup conc  # (radosgw, $tmp, a new bucket $bucket)
mnt=$tmp/mnt
bfs_mount "$bucket:/p" "$mnt"

/usr/bin/python3 - "$mnt" "$tmp/manifest" <<'PY' || fail "concurrent workload"
import hashlib, os, random, sys
from multiprocessing import Pool
mnt, manifest = sys.argv[1:]

def writer(w):
    out = []
    rnd = random.Random(w)
    for i in range(20):
        d = "%s/w%d/t%d" % (mnt, w, i % 5)
        os.makedirs(d, exist_ok=True)
        data = rnd.randbytes(rnd.randint(1, 300000))
        p = "%s/%d.png" % (d, i)
        with open(p, "wb") as f:
            f.write(data)
        with open(p, "rb") as f:
            assert f.read() == data, p
        out.append((p[len(mnt) + 1:], hashlib.sha256(data).hexdigest()))
    return out

def same_writer(w):
    # each version: 64 KiB of one byte, written in one write() from offset 0
    data = bytes([w]) * 65536
    for _ in range(30):
        with open(mnt + "/same.bin", "wb") as f:
            f.write(data)
    return w

def same_reader(r):
    n = 0
    for _ in range(60):
        try:
            with open(mnt + "/same.bin", "rb") as f:
                n += len(f.read())
        except FileNotFoundError:
            pass
    return n

with Pool(24) as pool:
    a = pool.map_async(writer, range(8))
    b = pool.map_async(same_writer, range(1, 9))
    c = pool.map_async(same_reader, range(8))
    files = [x for part in a.get(200) for x in part]
    b.get(200)
    c.get(200)
with open(manifest, "w") as f:
    for p, h in files:
        f.write("%s %s\n" % (p, h))
print("ok - 8 writers x 20 files, 8 writers and 8 readers on one file: no error")
PY
ok "concurrent writers and readers finished without an error"

boto3_py "$bucket" "$tmp/manifest" <<'PY'
import hashlib
bucket, manifest = sys.argv[1:]
want = dict(l.split() for l in open(manifest))
for key, h in want.items():
    body = s3.get_object(Bucket=bucket, Key="p/" + key)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == h, key
body = s3.get_object(Bucket=bucket, Key="p/same.bin")["Body"].read()
assert len(body) == 65536 and len(set(body)) == 1 and 1 <= body[0] <= 8, (len(body), set(body))
print("ok - boto3: %d objects byte-exact; same.bin is writer %d's complete version" % (len(want), body[0]))
PY
ok "every object checked by boto3"
v=$(od -An -tu1 -N1 "$mnt/same.bin" | tr -d ' ')
assert_eq "$(tr -d "\\$(printf '%03o' "$v")" <"$mnt/same.bin" | wc -c)" 0 "the mount reads same.bin as one complete version"

pid=${BFS_MOUNT_PID[$mnt]}
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$pid" 2>/dev/null || fail "bucketfs still running 10 s after SIGTERM"
rc=0
wait "$pid" || rc=$?
assert_eq "$rc" 0 "SIGTERM: bucketfs exits 0"
mountpoint -q "$mnt" && fail "still mounted after SIGTERM"
ok "SIGTERM unmounted $mnt"
unset "BFS_MOUNT_PID[$mnt]"
/usr/bin/mdb_stat -e "${BFS_MOUNT_CACHE[$mnt]}/index" >/dev/null || fail "the index does not open after SIGTERM"
ok "the LMDB index opens cleanly after SIGTERM (mdb_stat)"
