#!/bin/bash
# SPDX-License-Identifier: MIT
# t0385-limits — running out of things.  A full disk under the cache
# directory (a 24 MiB tmpfs, cache_min_free=0 so that the disk, not the
# floor, says no; write-back with a delay so that unuploaded data piles up):
# writers get ENOSPC, never EIO or a success that is not kept, and every
# file acknowledged before is in the bucket byte-exact after the flush;
# once the uploads drain, writes work again.  Memory: the running daemon's
# address space is capped (prlimit --as) at what it has, and 16
# writers and readers push it: calls fail with an error, the daemon does
# not die, and once the cap is lifted everything works and nothing
# acknowledged is missing.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 200
command -v prlimit >/dev/null || fail "prlimit not found (util-linux)"
test_setup limits  # (radosgw, $tmp, a new bucket $bucket)

# in_bucket PREFIX FILE: every "ack NAME SHA256" of FILE is PREFIX/NAME in the
# bucket, byte-exact (boto3, straight to radosgw)
in_bucket() {
	boto3_py "$bucket" "$1" "$2" <<'PY'
import hashlib
bucket, prefix, acked = sys.argv[1:4]
for line in open(acked):
    _, name, digest = line.split()
    body = s3.get_object(Bucket=bucket, Key=prefix + "/" + name)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == digest, name
PY
}

# --- a full disk under the cache ---------------------------------------------------------
mkdir -p "$tmp/small"
mount -t tmpfs -o size=24m tmpfs "$tmp/small" || fail "cannot mount a tmpfs"
on_exit umount -l "$tmp/small"
m=$tmp/m
bfs_mount "$bucket:/disk" "$m" "cache_dir=$tmp/small/cache,cache_min_free=0,writeback=30"
/usr/bin/python3 - "$m" "$tmp/disk.log" <<'PY' || fail "the writer crashed"
import errno, hashlib, os, sys
mnt, log = sys.argv[1:3]
out = open(log, "w")
os.makedirs(os.path.join(mnt, "images/t"), exist_ok=True)
for i in range(60):
    data = os.urandom(1 << 20)
    name = "images/t/%d.png" % i
    try:
        with open(os.path.join(mnt, name), "wb") as f:
            f.write(data)
    except OSError as e:
        out.write("err %s %d\n" % (name, e.errno))
        continue
    out.write("ack %s %s\n" % (name, hashlib.sha256(data).hexdigest()))
PY
acked=$(grep -c '^ack ' "$tmp/disk.log" || true)
errs=$(grep -c '^err ' "$tmp/disk.log" || true)
other=$(grep '^err ' "$tmp/disk.log" | grep -vc ' 28$' || true)
[ "$errs" -gt 0 ] || fail "60 MiB went into a 24 MiB disk without an error"
[ "$other" -eq 0 ] || fail "errors other than ENOSPC: $(grep '^err ' "$tmp/disk.log" | grep -v ' 28$' | head -3)"
ok "a full cache disk: $acked files acknowledged, then ENOSPC ($errs times, nothing else)"
"$BFS_BUILD_DIR/bucketfsctl" flush "$m" 120 >/dev/null || fail "flush after the disk filled: $("$BFS_BUILD_DIR/bucketfsctl" pending "$m")"
head -c 1048576 /dev/urandom >"$tmp/after"
cp "$tmp/after" "$m/images/t/after.png" || fail "no write once the uploads drained"
"$BFS_BUILD_DIR/bucketfsctl" flush "$m" 60 >/dev/null || fail "flush"
bfs_umount "$m"
grep '^ack ' "$tmp/disk.log" >"$tmp/disk.acked"
echo "ack images/t/after.png $(sha256sum <"$tmp/after" | cut -d' ' -f1)" >>"$tmp/disk.acked"
in_bucket disk "$tmp/disk.acked" || fail "the bucket does not hold every acknowledged file"
ok "after the flush: all $((acked + 1)) acknowledged files in the bucket byte-exact; writes work again"

# --- a cap on the daemon's memory ----------------------------------------------------------
if [ -n "${BFS_SANITIZED:-}" ]; then
	# ASan and TSan map terabytes of shadow memory and cannot run capped
	ok "# skip the address-space cap under the sanitizers"
	exit 0
fi
bfs_mount "$bucket:/mem" "$m" ""
pid=${BFS_MOUNT_PID[$m]}
mkdir -p "$m/images/w"
for i in $(seq 0 9); do head -c 300000 /dev/urandom >"$m/images/w/seed$i.png"; done
vm=$(awk '/^VmSize/ { print $2 }' "/proc/$pid/status")
# (the soft limit: raising it again needs no privilege)
prlimit --pid "$pid" --as=$((vm * 1024)):unlimited || fail "prlimit"
/usr/bin/python3 - "$m" "$tmp/mem.log" <<'PY' || fail "the workload crashed"
import hashlib, os, sys, threading
mnt, log = sys.argv[1:3]
lines, lock = [], threading.Lock()
def work(t):
    for i in range(15):
        name = "images/w/t%d-%d.png" % (t, i)
        data = os.urandom(200000 + t * 40000)
        try:
            with open(os.path.join(mnt, name), "wb") as f:
                f.write(data)
            with open(os.path.join(mnt, "images/w/seed%d.png" % (i % 10)), "rb") as f:
                f.read()
            rec = "ack %s %s" % (name, hashlib.sha256(data).hexdigest())
        except OSError as e:
            rec = "err %s %d" % (name, e.errno)
        with lock:
            lines.append(rec)
ts = [threading.Thread(target=work, args=(t,)) for t in range(16)]
for t in ts: t.start()
for t in ts: t.join()
open(log, "w").write("\n".join(lines) + "\n")
PY
kill -0 "$pid" 2>/dev/null || fail "the daemon died under the memory cap: $(tail -n 5 "${BFS_MOUNT_LOG[$m]}")"
macked=$(grep -c '^ack ' "$tmp/mem.log" || true)
merrs=$(grep -c '^err ' "$tmp/mem.log" || true)
kinds=$(awk '$1 == "err" { n[$3]++ } END { for (e in n) printf "%s%d x errno %s", sep, n[e], e; sep = ", " }' "$tmp/mem.log")
prlimit --pid "$pid" --as=unlimited:unlimited || fail "prlimit"
head -c 100000 /dev/urandom >"$tmp/after2"
cp "$tmp/after2" "$m/images/w/after.png" || fail "no write once the cap was lifted"
cmp -s "$tmp/after2" "$m/images/w/after.png" || fail "read back after the cap"
bfs_umount "$m"
grep '^ack ' "$tmp/mem.log" >"$tmp/mem.acked" || true
in_bucket mem "$tmp/mem.acked" || fail "an acknowledged file is missing after the memory cap"
ok "address space capped at what it had ($vm KiB): the daemon lived; $macked files acknowledged (all in the bucket), $merrs calls failed (errno: ${kinds:-none}); after the cap, normal"
