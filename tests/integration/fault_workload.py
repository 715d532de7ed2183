#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""fault_workload.py - the app's write and read workload for the fault-mix
test (t0370), with a record of what each call returned and how long it took.

    fault_workload.py write MOUNTDIR LOG SEED NFILES WRITERS
    fault_workload.py read  MOUNTDIR LOG

write: WRITERS processes each write NFILES files the way the app does
(makedirs, then open/write/close) as images/<task>/<n>.png, sizes 1 byte
to 1.2 MB, one file in twenty 6 MiB (multipart with part_size=5M).  Lines
in LOG, one per file: "ack NAME SHA256 SIZE" once close() returned 0, or
"err NAME SHA256 SIZE PHASE ERRNO" when a call failed (the error reached
the writer); and per call "time PHASE SECONDS".
read: reads every acknowledged file of LOG back through MOUNTDIR and
appends "read NAME ok|bad|err ERRNO SECONDS".
"""
import hashlib
import multiprocessing
import os
import random
import sys
import time


def timed(log, phase, fn, *args):
    t0 = time.monotonic()
    try:
        return fn(*args)
    finally:
        log.append("time %s %.3f" % (phase, time.monotonic() - t0))


def writer(mnt, seed, nfiles, wid, out):
    rng = random.Random(seed * 1000 + wid)
    log = []
    for i in range(nfiles):
        task = "w%d-%04d" % (wid, i // 4)
        name = "images/%s/%d.png" % (task, i % 4)
        size = 6 * 1024 * 1024 if rng.random() < 0.05 else rng.randint(1, 1200000)
        data = rng.randbytes(size)
        digest = hashlib.sha256(data).hexdigest()
        phase = "mkdir"
        try:
            timed(log, "mkdir", os.makedirs, os.path.join(mnt, "images", task), 0o755, True)
            phase = "open"
            fd = timed(log, "open", os.open, os.path.join(mnt, name),
                       os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            phase = "write"
            try:
                off = 0
                while off < size:
                    off += timed(log, "write", os.write, fd, data[off:off + 131072])
            except OSError:
                try:
                    os.close(fd)
                except OSError:
                    pass
                raise
            phase = "close"
            timed(log, "close", os.close, fd)
        except OSError as e:
            log.append("err %s %s %d %s %d" % (name, digest, size, phase, e.errno))
            continue
        log.append("ack %s %s %d" % (name, digest, size))
    with open(out, "w") as f:
        f.write("\n".join(log) + "\n")


def write(mnt, logpath, seed, nfiles, writers):
    parts = ["%s.%d" % (logpath, w) for w in range(writers)]
    procs = [multiprocessing.Process(target=writer, args=(mnt, seed, nfiles, w, parts[w]))
             for w in range(writers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    with open(logpath, "a") as log:
        for part in parts:
            with open(part) as f:
                log.write(f.read())
            os.unlink(part)
    return 0 if all(p.exitcode == 0 for p in procs) else 1


def read(mnt, logpath):
    acks = [line.split() for line in open(logpath) if line.startswith("ack ")]
    out = []
    for _, name, digest, _size in acks:
        t0 = time.monotonic()
        try:
            with open(os.path.join(mnt, name), "rb") as f:
                got = hashlib.sha256(f.read()).hexdigest()
            res = "ok" if got == digest else "bad"
            err = 0
        except OSError as e:
            res, err = "err", e.errno
        out.append("read %s %s %d %.3f" % (name, res, err, time.monotonic() - t0))
    with open(logpath, "a") as log:
        log.write("\n".join(out) + "\n")
    return 0


def main():
    if sys.argv[1] == "write":
        return write(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
                     int(sys.argv[6]))
    return read(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    sys.exit(main())
