#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# fsops.py — the filesystem side of tests/bench/compare.sh's workloads that
# the app's own code (tests/node/localstorage.mjs) does not cover, run the
# same way on every mount and on the local disk: small files, the big file
# (sequential write with fsync, sequential and random reads), time to first
# byte, stat of every file, ls -lR and ls of a big directory, and how long a
# second mount takes to see a file written through the first.  Stdlib only.
#
#   fsops.py COMMAND [ARGS]        (see --help)
#
# Every command prints one JSON object on stdout (seconds, rates, latency
# percentiles; data is made before the clock starts and checked after it
# stops) and exits 1 if an operation failed or data was wrong.
import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time

MiB = 1 << 20


def fail(msg):
    sys.stderr.write("fsops: %s\n" % msg)
    sys.exit(1)


def out(**kv):
    print(json.dumps(kv, sort_keys=True), flush=True)


def read_manifest(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def percentiles(ms):
    s = sorted(ms)
    if not s:
        return {}
    pick = lambda p: s[min(len(s) - 1, max(0, -(-len(s) * p // 100) - 1))]
    return {"p50_ms": round(pick(50), 4), "p99_ms": round(pick(99), 4),
            "max_ms": round(s[-1], 4), "samples": len(s)}


def write_all(fd, data):
    mv = memoryview(data)
    while mv:
        n = os.write(fd, mv)
        mv = mv[n:]


# --- W6: small files ----------------------------------------------------------------
def cmd_smallwrite(a):
    """COUNT files of SIZE bytes written one after the other into ROOT/REL
    (created first, on the clock): open(O_CREAT|O_TRUNC), write, close."""
    bodies = [os.urandom(a.size) for _ in range(a.count)]
    d = os.path.join(a.root, a.rel)
    t0 = time.perf_counter()
    os.makedirs(d, exist_ok=True)
    for i, b in enumerate(bodies):
        fd = os.open(os.path.join(d, "f%05d.png" % i), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            write_all(fd, b)
        finally:
            os.close(fd)
    secs = time.perf_counter() - t0
    with open(a.manifest, "w") as f:
        for i, b in enumerate(bodies):
            f.write(json.dumps({"url": "/%s/f%05d.png" % (a.rel.strip("/"), i), "size": len(b),
                                "sha256": hashlib.sha256(b).hexdigest()}) + "\n")
    out(seconds=round(secs, 4), files=a.count, files_per_s=round(a.count / secs, 1))
    return 0


def cmd_verify(a):
    """Read every manifest entry under ROOT and check size and SHA-256 (off
    any clock: a correctness check)."""
    bad = 0
    entries = read_manifest(a.manifest)
    for e in entries:
        p = os.path.join(a.root, e["url"].lstrip("/"))
        try:
            with open(p, "rb") as f:
                b = f.read()
        except OSError as err:
            sys.stderr.write("fsops: %s: %s\n" % (p, err))
            bad += 1
            continue
        if len(b) != e["size"] or hashlib.sha256(b).hexdigest() != e["sha256"]:
            sys.stderr.write("fsops: %s: %d bytes, not the expected %d bytes / sha256\n" %
                             (p, len(b), e["size"]))
            bad += 1
    out(count=len(entries), bad=bad)
    return 1 if bad else 0


# --- W7: the big file --------------------------------------------------------------
def cmd_seqwrite(a):
    """Copy SRC (read into memory first) to DST in BS-sized writes, then
    fsync and close, all on the clock."""
    with open(a.src, "rb") as f:
        data = f.read()
    bs = a.bs_kib * 1024
    mv = memoryview(data)
    t0 = time.perf_counter()
    fd = os.open(a.dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for off in range(0, len(data), bs):
            write_all(fd, mv[off:off + bs])
        t1 = time.perf_counter()
        os.fsync(fd)
    finally:
        os.close(fd)
    secs = time.perf_counter() - t0
    out(seconds=round(secs, 4), write_s=round(t1 - t0, 4), bytes=len(data),
        mib_per_s=round(len(data) / MiB / secs, 2))
    return 0


def cmd_seqread(a):
    """Read FILE sequentially in BS-sized reads into memory; then (off the
    clock) compare with SRC."""
    size = os.path.getsize(a.src)
    buf = bytearray(size)
    mv = memoryview(buf)
    bs = a.bs_kib * 1024
    t0 = time.perf_counter()
    fd = os.open(a.file, os.O_RDONLY)
    n = 0
    try:
        while n < size:
            k = os.readv(fd, [mv[n:n + bs]])
            if k == 0:
                break
            n += k
        extra = len(os.read(fd, bs)) if n == size else 0  # must be at EOF
    finally:
        os.close(fd)
    secs = time.perf_counter() - t0
    del mv
    with open(a.src, "rb") as f:
        good = n == size and extra == 0 and buf == f.read()
    out(seconds=round(secs, 4), bytes=n + extra, mib_per_s=round(n / MiB / secs, 2),
        bad=0 if good else 1)
    return 0 if good else 1


def offsets(size, count, block, seed):
    rnd = random.Random(seed)
    return [rnd.randrange(0, size // block) * block for _ in range(count)]


def cmd_randread(a):
    """COUNT preads of BLOCK bytes at random (seeded) offsets of FILE, on one
    open descriptor; stops after MAX_SECONDS; then checks them against SRC."""
    size = os.path.getsize(a.src)
    offs = offsets(size, a.count, a.block, a.seed)
    got = []
    fd = os.open(a.file, os.O_RDONLY)
    try:
        t0 = time.perf_counter()
        for off in offs:
            got.append(os.pread(fd, a.block, off))
            if time.perf_counter() - t0 > a.max_seconds:
                break
        secs = time.perf_counter() - t0
    finally:
        os.close(fd)
    bad = 0
    with open(a.src, "rb") as f:
        for off, b in zip(offs, got):
            f.seek(off)
            bad += f.read(a.block) != b
    out(seconds=round(secs, 4), ops=len(got), ops_per_s=round(len(got) / secs, 1), bad=bad)
    return 1 if bad else 0


# --- W8: time to first byte ------------------------------------------------------------
def cmd_ttfb(a):
    """open + read of 1 byte of COUNT manifest entries (a seeded sample), one
    at a time; close off the clock."""
    entries = read_manifest(a.manifest)
    sample = random.Random(a.seed).sample(entries, min(a.count, len(entries)))
    ms = []
    for e in sample:
        p = os.path.join(a.root, e["url"].lstrip("/"))
        t0 = time.perf_counter()
        fd = os.open(p, os.O_RDONLY)
        b = os.read(fd, 1)
        t1 = time.perf_counter()
        os.close(fd)
        if len(b) != 1:
            fail("ttfb: %s: read %d bytes" % (p, len(b)))
        ms.append((t1 - t0) * 1000)
    out(**percentiles(ms))
    return 0


# --- W4: stat and listings ----------------------------------------------------------------
def cmd_statall(a):
    """stat every manifest entry by name (no listing), checking sizes."""
    entries = read_manifest(a.manifest)
    paths = [(os.path.join(a.root, e["url"].lstrip("/")), e["size"]) for e in entries]
    bad = 0
    t0 = time.perf_counter()
    for p, size in paths:
        if os.stat(p).st_size != size:
            bad += 1
    secs = time.perf_counter() - t0
    out(seconds=round(secs, 6), files=len(paths), bad=bad)
    return 1 if bad else 0


def run_counted(argv, timeout, want=None):
    """Run argv with stdout into a pipe, counting its lines; returns seconds
    and the lines as a list only if want is set (a line filter)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        o, e = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        out(seconds=None, timeout=timeout)
        fail("%s: not done in %s s" % (" ".join(argv), timeout))
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        fail("%s: exit %d: %s" % (" ".join(argv), p.returncode, e.decode(errors="replace")[:500]))
    return secs, o.split(b"\n")


def cmd_lsR(a):
    """ls -lR DIR, checking that it shows EXPECT regular files."""
    secs, lines = run_counted(["ls", "-lR", a.dir], a.timeout)
    files = sum(1 for line in lines if line.startswith(b"-"))
    out(seconds=round(secs, 6), files=files)
    if a.expect is not None and files != a.expect:
        fail("ls -lR %s: %d files, expected %d" % (a.dir, files, a.expect))
    return 0


def cmd_lsdir(a):
    """ls -f DIR (names only: readdir) or ls -l DIR (readdir + a stat of
    every entry), checking the number of entries."""
    argv = ["ls", "-f", a.dir] if a.mode == "f" else ["ls", "-l", a.dir]
    secs, lines = run_counted(argv, a.timeout)
    if a.mode == "f":
        n = sum(1 for line in lines if line and line not in (b".", b".."))
    else:
        n = sum(1 for line in lines if line and not line.startswith(b"total "))
    out(seconds=round(secs, 6), entries=n)
    if a.expect is not None and n != a.expect:
        fail("%s: %d entries, expected %d" % (" ".join(argv), n, a.expect))
    return 0


# --- W5: visibility on a second mount --------------------------------------------------
def cmd_fresh(a):
    """TRIALS times: write a new 4 KiB file through mount A (close returns),
    then stat it through mount B every INTERVAL until it is there with its
    size, at most TIMEOUT; milliseconds from A's close to B's first
    successful stat.  B lists the directory first, as a server would have."""
    da, db = os.path.join(a.a, a.rel), os.path.join(a.b, a.rel)
    os.makedirs(da, exist_ok=True)
    deadline = time.time() + a.timeout
    while not os.path.isdir(db):
        if time.time() > deadline:
            fail("fresh: %s never appeared on the second mount" % db)
        time.sleep(a.interval)
    os.listdir(db)
    body = os.urandom(4096)
    ms = []
    timeouts = 0
    for i in range(a.trials):
        name = "n%d.png" % i
        with open(os.path.join(da, name), "wb") as f:
            f.write(body)
        t0 = time.perf_counter()
        end = t0 + a.timeout
        while True:
            try:
                if os.stat(os.path.join(db, name)).st_size == len(body):
                    ms.append((time.perf_counter() - t0) * 1000)
                    break
            except FileNotFoundError:
                pass
            if time.perf_counter() > end:
                timeouts += 1
                break
            time.sleep(a.interval)
        if timeouts:
            break  # one is enough: the rest would time out as well
    res = percentiles(ms)
    out(visible_ms=[round(x, 2) for x in ms], timeouts=timeouts, timeout_s=a.timeout,
        **res)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)

    def cmd(name, fn, *opts):
        s = sub.add_parser(name)
        s.set_defaults(fn=fn)
        for flags, kw in opts:
            s.add_argument(*flags, **kw)

    R = (("--root",), {"required": True})
    M = (("--manifest",), {"required": True})
    TO = (("--timeout",), {"type": float, "default": 600})
    cmd("smallwrite", cmd_smallwrite, R, M, (("--rel",), {"required": True}),
        (("--count",), {"type": int, "default": 2000}), (("--size",), {"type": int, "default": 4096}))
    cmd("verify", cmd_verify, R, M)
    cmd("seqwrite", cmd_seqwrite, (("--src",), {"required": True}), (("--dst",), {"required": True}),
        (("--bs-kib",), {"type": int, "default": 1024}))
    cmd("seqread", cmd_seqread, (("--src",), {"required": True}), (("--file",), {"required": True}),
        (("--bs-kib",), {"type": int, "default": 1024}))
    cmd("randread", cmd_randread, (("--src",), {"required": True}), (("--file",), {"required": True}),
        (("--count",), {"type": int, "default": 2000}), (("--block",), {"type": int, "default": 4096}),
        (("--seed",), {"type": int, "default": 1}), (("--max-seconds",), {"type": float, "default": 60}))
    cmd("ttfb", cmd_ttfb, R, M, (("--count",), {"type": int, "default": 200}),
        (("--seed",), {"type": int, "default": 1}))
    cmd("statall", cmd_statall, R, M)
    cmd("lsR", cmd_lsR, (("--dir",), {"required": True}), (("--expect",), {"type": int, "default": None}), TO)
    cmd("lsdir", cmd_lsdir, (("--dir",), {"required": True}), (("--mode",), {"choices": ["f", "l"], "default": "l"}),
        (("--expect",), {"type": int, "default": None}), TO)
    cmd("fresh", cmd_fresh, (("--a",), {"required": True}), (("--b",), {"required": True}),
        (("--rel",), {"default": "fresh"}), (("--trials",), {"type": int, "default": 5}),
        (("--interval",), {"type": float, "default": 0.01}), (("--timeout",), {"type": float, "default": 10}))
    a = p.parse_args()
    sys.exit(a.fn(a))


if __name__ == "__main__":
    main()
