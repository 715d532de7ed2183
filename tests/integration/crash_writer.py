#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""crash_writer.py - the writer of the crash loop (t0290): writes files
through a bucketfs mount until an operation fails (the daemon was killed),
and records what it did so the test can check the bucket afterwards.

    crash_writer.py MOUNTDIR LOG ROUND SEED

Each file: a line "try NAME SHA256 SIZE" before it is opened, "ack NAME
SHA256 SIZE" once close() returned 0; both are flushed to LOG (on local
disk) before going on.  About one file in five overwrites an earlier name;
one in ten is 6 MiB (multipart with part_size=5M), the others 1 byte to
200 KB.  At the first error it writes "died PHASE NAME SIZE errno" (PHASE is
open, write or close) and exits 0.
"""
import hashlib
import os
import random
import sys


def main():
    mnt, logpath, rnd, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rng = random.Random(seed)
    log = open(logpath, "a")
    names = []
    i = 0
    while True:
        if names and rng.random() < 0.2:
            name = rng.choice(names)
        else:
            name = "r%s-%d.bin" % (rnd, i)
            i += 1
        size = 6 * 1024 * 1024 if rng.random() < 0.1 else rng.randint(1, 200000)
        data = rng.randbytes(size)
        digest = hashlib.sha256(data).hexdigest()
        log.write("try %s %s %d\n" % (name, digest, size))
        log.flush()
        phase = "open"
        try:
            fd = os.open(os.path.join(mnt, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            phase = "write"
            off = 0
            while off < size:
                off += os.write(fd, data[off:off + 131072])
            phase = "close"
            os.close(fd)
        except OSError as e:
            log.write("died %s %s %d %d\n" % (phase, name, size, e.errno))
            log.flush()
            return 0
        log.write("ack %s %s %d\n" % (name, digest, size))
        log.flush()
        if name not in names:
            names.append(name)


if __name__ == "__main__":
    sys.exit(main())
