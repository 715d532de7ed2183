#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""firstread.py - the client side of tests/bench/first-read.sh: the first
read of images under ROOT (a mount) or in BUCKET (boto3 at $RGW_ENDPOINT),
KEYS read from a file (one key a line).  Prints one line of figures.

    firstread.py ttfb|stat|cold (--root DIR | --bucket B) --keys FILE
"""
import argparse
import os
import random
import threading
import time

import boto3
from botocore.config import Config


def client():
    cfg = Config(max_pool_connections=16, s3={"addressing_style": "path"})
    return boto3.client("s3", endpoint_url=os.environ["RGW_ENDPOINT"], config=cfg)


def ttfb(a, keys):
    """Open and read one byte of 200 sampled files, one at a time."""
    s3 = client() if a.bucket else None
    ms = []
    for k in random.Random(1).sample(keys, min(200, len(keys))):
        t0 = time.perf_counter()
        if s3:
            body = s3.get_object(Bucket=a.bucket, Key=k)["Body"]
            b = body.read(1)
            t1 = time.perf_counter()
            body.read()
        else:
            fd = os.open(os.path.join(a.root, k), os.O_RDONLY)
            b = os.read(fd, 1)
            t1 = time.perf_counter()
            os.close(fd)
        assert len(b) == 1, k
        ms.append((t1 - t0) * 1000)
    ms.sort()
    return "ttfb_p50_ms=%.2f ttfb_p99_ms=%.2f" % (ms[len(ms) // 2], ms[len(ms) * 99 // 100])


def stat(a, keys):
    """stat (raw: HEAD) every file by name, one at a time."""
    s3 = client() if a.bucket else None
    t0 = time.perf_counter()
    for k in keys:
        if s3:
            s3.head_object(Bucket=a.bucket, Key=k)
        else:
            os.stat(os.path.join(a.root, k))
    return "stat_s=%.2f" % (time.perf_counter() - t0)


def cold(a, keys):
    """Read every file whole, 8 readers."""
    s3 = client() if a.bucket else None
    lock, nxt, total = threading.Lock(), [0], [0]

    def reader():
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= len(keys):
                return
            if s3:
                n = len(s3.get_object(Bucket=a.bucket, Key=keys[i])["Body"].read())
            else:
                with open(os.path.join(a.root, keys[i]), "rb") as f:
                    n = len(f.read())
            with lock:
                total[0] += n

    t0 = time.perf_counter()
    ts = [threading.Thread(target=reader) for _ in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    s = time.perf_counter() - t0
    return "cold_mib_s=%.1f" % (total[0] / s / 1048576)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("ttfb", "stat", "cold"))
    ap.add_argument("--root")
    ap.add_argument("--bucket")
    ap.add_argument("--keys", required=True)
    a = ap.parse_args()
    keys = [line.strip() for line in open(a.keys) if line.strip()]
    print({"ttfb": ttfb, "stat": stat, "cold": cold}[a.mode](a, keys))


if __name__ == "__main__":
    main()
