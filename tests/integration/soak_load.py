#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""soak_load.py - the soak test's writers and readers (t0395): the app's
workload, many at once, for a fixed time.

    soak_load.py MOUNTDIR OUTDIR SECONDS PROCS THREADS SEED

PROCS processes of THREADS threads each; half the threads write new
images (makedirs + open/write/close of images/<task>/<n>.png, 10 KB to
200 KB) and record each acknowledged file's SHA-256 and MD5, the other half read
files written earlier (the 150 latest of their process's, the seed files
OUTDIR/seed.list names first) and check their bytes; and one more thread
lists task directories of its process's and checks that every name
acknowledged in one before the listing began is in it.  Every 5 s each
process appends "tick T WRITES READS ERRORS LISTINGS" to
OUTDIR/ticks.<proc>; at the end it
writes OUTDIR/acked.<proc> ("NAME SHA256 MD5" lines) and OUTDIR/errors.<proc>
(one line per failed call).  Exits 0 (the test judges).
"""
import hashlib
import multiprocessing
import os
import random
import sys
import threading
import time


def proc_main(mnt, out, seconds, pid, nthreads, seed):
    lock = threading.Lock()
    acked = []        # (name, sha256, md5)
    known = []        # names readable now, with their digest
    counts = {"w": 0, "r": 0, "e": 0, "l": 0}
    errors = []
    stop = time.monotonic() + seconds
    seedlist = os.path.join(out, "seed.list")
    if os.path.exists(seedlist):
        for line in open(seedlist):
            name, digest = line.split()
            known.append((name, digest))

    def error(msg):
        with lock:
            counts["e"] += 1
            errors.append(msg)

    def writer(tid):
        rng = random.Random(seed * 100000 + pid * 1000 + tid)
        i = 0
        while time.monotonic() < stop:
            task = "p%d-t%d-%05d" % (pid, tid, i // 4)
            name = "images/%s/%d.png" % (task, i % 4)
            i += 1
            data = rng.randbytes(rng.randint(10000, 200000))
            digest = hashlib.sha256(data).hexdigest()
            try:
                os.makedirs(os.path.join(mnt, "images", task), exist_ok=True)
                with open(os.path.join(mnt, name), "wb") as f:
                    f.write(data)
            except OSError as e:
                error("write %s %s" % (name, e))
                continue
            with lock:
                counts["w"] += 1
                acked.append((name, digest, hashlib.md5(data).hexdigest()))
                known.append((name, digest))

    def reader(tid):
        rng = random.Random(seed * 7 + pid * 1000 + tid)
        while time.monotonic() < stop:
            with lock:
                # recent images, as web traffic reads them: the working set
                # stays the same size however long the run
                pick = rng.choice(known[-150:]) if known else None
            if not pick:
                time.sleep(0.01)
                continue
            name, digest = pick
            try:
                with open(os.path.join(mnt, name), "rb") as f:
                    got = hashlib.sha256(f.read()).hexdigest()
            except OSError as e:
                error("read %s %s" % (name, e))
                continue
            with lock:
                counts["r"] += 1
            if got != digest:
                error("read %s: other bytes" % name)

    def lister():
        # ls of a task directory of this process's: every name acknowledged
        # in it before the listing began is in it (a listing racing the
        # lookups and uploads of the same directory once pruned a name)
        rng = random.Random(seed * 13 + pid)
        while time.monotonic() < stop:
            with lock:
                pick = rng.choice(acked[-150:])[0] if acked else None
                task = os.path.dirname(pick) if pick else None
                want = {os.path.basename(a[0]) for a in acked[-200:]
                        if os.path.dirname(a[0]) == task} if task else set()
            if not task:
                time.sleep(0.01)
                continue
            try:
                got = set(os.listdir(os.path.join(mnt, task)))
            except OSError as e:
                error("list %s %s" % (task, e))
                continue
            with lock:
                counts["l"] += 1
            if want - got:
                error("list %s: %s missing" % (task, " ".join(sorted(want - got))))
            time.sleep(0.005)

    threads = [threading.Thread(target=writer if t % 2 == 0 else reader, args=(t,))
               for t in range(nthreads)]
    threads.append(threading.Thread(target=lister))
    for t in threads:
        t.start()
    t0 = time.monotonic()
    with open(os.path.join(out, "ticks.%d" % pid), "w", buffering=1) as ticks:
        while any(t.is_alive() for t in threads):
            time.sleep(5)
            with lock:
                ticks.write("tick %.0f %d %d %d %d\n" % (time.monotonic() - t0, counts["w"],
                                                          counts["r"], counts["e"], counts["l"]))
    for t in threads:
        t.join()
    with open(os.path.join(out, "acked.%d" % pid), "w") as f:
        f.writelines("%s %s %s\n" % a for a in acked)
    with open(os.path.join(out, "errors.%d" % pid), "w") as f:
        f.writelines(e + "\n" for e in errors)


def main():
    mnt, out, seconds, procs, nthreads, seed = sys.argv[1:7]
    ps = [multiprocessing.Process(target=proc_main,
                                  args=(mnt, out, float(seconds), p, int(nthreads), int(seed)))
          for p in range(int(procs))]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
