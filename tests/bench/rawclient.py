#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# rawclient.py — the "raw" system of tests/bench/compare.sh: the S3 server
# driven by a plain boto3 client, doing the object operations each workload
# amounts to (PUT each object, GET each object, LIST, HEAD) at the same
# concurrency as the filesystem workload: one client per thread, persistent
# connections, multipart with parallel parts and parallel ranged GETs for the
# big file.  Also the harness's own checks against the bucket (durability
# polls, deletes, populating the scale directory), sent with the user agent
# "bench-check" so that compare.sh leaves them out of the request counts.
#
#   rawclient.py [--agent bench-raw|bench-check] COMMAND [ARGS]   (see --help)
#   rawclient.py serve
#
# Endpoint and keys: RGW_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
# Every command prints one JSON object on stdout (timings in seconds,
# measured around the operations only: clients are made and data generated
# before the clock starts, data is checked after it stops) and exits 1 if an
# operation failed or data was wrong, 2 on bad usage.
#
# serve: one long-lived process that runs commands read from stdin, one a
# line: a tag, then the arguments, separated by \x1f (US); it answers on
# stdout with lines TAG US o US TEXT (the command's output), TAG US e US TEXT
# (its errors), and last TAG US x US STATUS.  Its boto3 clients (one per
# thread, per user agent) and their connections live as long as it does, as
# an application's would; and compare.sh saves a Python + boto3 start-up per
# command.  "mon ARGS" runs benchmon.py ARGS (the phase records) in it too.
import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import sys
import threading
import time

import boto3
from botocore.config import Config

MiB = 1 << 20


def fail(msg):
    sys.stderr.write("rawclient: %s\n" % msg)
    sys.exit(1)


CLIENTS = {}


def clients(args, n):
    """n boto3 clients for args.agent, made once and kept (with their
    connection pools) for the life of the process."""
    pool = CLIENTS.setdefault(args.agent, [])
    while len(pool) < n:
        cfg = Config(user_agent_extra=args.agent, max_pool_connections=4,
                     retries={"max_attempts": 3, "mode": "standard"},
                     s3={"addressing_style": "path"}, signature_version="s3v4",
                     connect_timeout=10, read_timeout=120)
        # A session per client: boto3's default session is not thread-safe.
        pool.append(boto3.session.Session().client(
            "s3", endpoint_url=os.environ["RGW_ENDPOINT"], region_name="us-east-1", config=cfg))
    return pool[:n]


def client(args):
    return clients(args, 1)[0]


def run_threads(cls, count, job):
    """job(s3, i) for i in 0..count-1 on a thread per client of cls,
    each pulling indexes from a shared counter.  Returns the errors."""
    lock = threading.Lock()
    state = {"next": 0}
    errors = []

    def worker(s3):
        while True:
            with lock:
                i = state["next"]
                if i >= count or errors:
                    return
                state["next"] = i + 1
            try:
                job(s3, i)
            except Exception as e:  # reported after the run
                with lock:
                    errors.append("%d: %s" % (i, e))

    threads = [threading.Thread(target=worker, args=(c,)) for c in cls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def out(**kv):
    print(json.dumps(kv, sort_keys=True), flush=True)


def read_manifest(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def key_of(entry, prefix=""):
    return prefix + entry["url"].lstrip("/")


def percentiles(ms):
    s = sorted(ms)
    if not s:
        return {}
    pick = lambda p: s[min(len(s) - 1, max(0, -(-len(s) * p // 100) - 1))]
    return {"p50_ms": round(pick(50), 3), "p99_ms": round(pick(99), 3),
            "max_ms": round(s[-1], 3), "samples": len(s)}


# --- W1/W2: the app's images ----------------------------------------------------
def cmd_put_app(a):
    """PUT TASKS x PER_TASK objects of ~SIZE bytes (the app's layout
    generated/images/<task>/<n>.png, size varying by up to 4 KiB as the
    app's), THREADS at a time; write a manifest like localstorage.mjs's."""
    rnd = random.Random(a.seed)
    pool = os.urandom(a.size + 65536)
    vary = min(4096, a.size // 8)
    run = "%08x" % rnd.getrandbits(32)
    objs = []
    for t in range(a.tasks):
        task = "%s-%04x-4%03x-8%03x-%012x" % (run, rnd.getrandbits(16), rnd.getrandbits(12),
                                              rnd.getrandbits(12), t)
        for n in range(a.per_task):
            size = a.size - vary + rnd.randint(0, 2 * vary)
            off = rnd.randint(0, 65536)
            body = hashlib.sha256(("%s/%d" % (task, n)).encode()).digest() + pool[off:off + size - 32]
            objs.append(("generated/images/%s/%d.png" % (task, n), body))
    manifest = [{"url": "/" + k, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                for k, b in objs]

    def put(s3, i):
        s3.put_object(Bucket=a.bucket, Key=objs[i][0], Body=objs[i][1], ContentType="image/png")

    cls = clients(a, a.threads)
    t0 = time.perf_counter()
    errors = run_threads(cls, len(objs), put)
    secs = time.perf_counter() - t0
    with open(a.manifest, "w") as f:
        for e in manifest:
            f.write(json.dumps(e) + "\n")
    for e in errors[:10]:
        sys.stderr.write("rawclient: put: %s\n" % e)
    out(seconds=round(secs, 4), count=len(objs), bytes=sum(len(b) for _, b in objs),
        threads=a.threads, errors=len(errors))
    return 1 if errors else 0


def cmd_get_app(a):
    """GET every manifest entry, THREADS at a time, checking size and SHA-256
    (inside the clock, as localstorage.mjs --verify does)."""
    entries = read_manifest(a.manifest)
    bad = []
    total = [0]
    lock = threading.Lock()

    def get(s3, i):
        e = entries[i]
        body = s3.get_object(Bucket=a.bucket, Key=key_of(e, a.prefix))["Body"].read()
        ok = len(body) == e["size"] and hashlib.sha256(body).hexdigest() == e["sha256"]
        with lock:
            total[0] += len(body)
            if not ok:
                bad.append("%s: %d bytes, expected %d" % (e["url"], len(body), e["size"]))

    cls = clients(a, a.threads)
    t0 = time.perf_counter()
    errors = run_threads(cls, len(entries), get)
    secs = time.perf_counter() - t0
    for e in (errors + bad)[:10]:
        sys.stderr.write("rawclient: get: %s\n" % e)
    out(seconds=round(secs, 4), count=len(entries), bytes=total[0], threads=a.threads,
        bad=len(bad) + len(errors))
    return 1 if errors or bad else 0


def cmd_wait_durable(a):
    """List the bucket until every manifest entry is there with its size.
    Prints the seconds from T_RET (the epoch time at which the writer
    returned) to the end of the first complete listing."""
    s3 = client(a)
    t_ret = a.t_ret
    entries = read_manifest(a.manifest)
    want = {key_of(e, a.prefix): e["size"] for e in entries}
    prefix = os.path.commonprefix(list(want)) if want else ""
    prefix = prefix[:prefix.rfind("/") + 1]
    deadline = time.time() + a.timeout
    polls = 0
    while True:
        polls += 1
        seen = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=a.bucket, Prefix=prefix):
            for o in page.get("Contents", []):
                seen[o["Key"]] = o["Size"]
        t = time.time()
        missing = [k for k, s in want.items() if seen.get(k) != s]
        if not missing:
            out(wait_s=round(max(0.0, t - t_ret), 4), polls=polls, objects=len(want))
            return 0
        if t > deadline:
            for k in missing[:5]:
                sys.stderr.write("rawclient: not in the bucket with its size: %s (%s)\n" %
                                 (k, seen.get(k)))
            out(wait_s=None, polls=polls, objects=len(want), missing=len(missing))
            return 1
        time.sleep(a.interval)


def cmd_delete_prefix(a):
    s3 = client(a)
    n = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=a.bucket, Prefix=a.prefix):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            r = s3.delete_objects(Bucket=a.bucket, Delete={"Objects": keys, "Quiet": True})
            if r.get("Errors"):
                fail("delete: %s" % r["Errors"][:3])
            n += len(keys)
    for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=a.bucket):
        for u in page.get("Uploads", []):
            s3.abort_multipart_upload(Bucket=a.bucket, Key=u["Key"], UploadId=u["UploadId"])
    out(deleted=n)
    return 0


def cmd_make_bucket(a):
    client(a).create_bucket(Bucket=a.bucket)
    out(bucket=a.bucket)
    return 0


# --- W4: listing and stat ---------------------------------------------------------
def cmd_list(a):
    """List PREFIX (with DELIMITER: one level, as readdir; without: the whole
    tree, as ls -R needs); check the number of entries if --expect."""
    s3 = client(a)
    t0 = time.perf_counter()
    n = pages = 0
    kw = {"Bucket": a.bucket, "Prefix": a.prefix}
    if a.delimiter:
        kw["Delimiter"] = a.delimiter
    for page in s3.get_paginator("list_objects_v2").paginate(**kw):
        pages += 1
        # (the directory's own marker object, PREFIX itself, is not an entry)
        n += sum(1 for o in page.get("Contents", []) if o["Key"] != a.prefix)
        n += len(page.get("CommonPrefixes", []))
    secs = time.perf_counter() - t0
    out(seconds=round(secs, 4), entries=n, pages=pages)
    if a.expect is not None and n != a.expect:
        fail("list %s: %d entries, expected %d" % (a.prefix, n, a.expect))
    return 0


def cmd_head_all(a):
    """HEAD every manifest entry, one at a time (as a stat loop does)."""
    entries = read_manifest(a.manifest)
    s3 = client(a)
    t0 = time.perf_counter()
    bad = 0
    for e in entries:
        if s3.head_object(Bucket=a.bucket, Key=key_of(e, a.prefix))["ContentLength"] != e["size"]:
            bad += 1
    secs = time.perf_counter() - t0
    out(seconds=round(secs, 4), count=len(entries), bad=bad)
    return 1 if bad else 0


# --- W5: visibility -----------------------------------------------------------------
def cmd_fresh(a):
    """PUT a 4 KiB object, then HEAD it until it answers: the raw client's
    "visibility delay" (read-after-write on the server)."""
    s3 = client(a)
    body = os.urandom(4096)
    ms = []
    for i in range(a.trials):
        key = "%sraw-%d.png" % (a.prefix, i)
        s3.put_object(Bucket=a.bucket, Key=key, Body=body)
        t0 = time.perf_counter()
        deadline = time.time() + a.timeout
        while True:
            try:
                if s3.head_object(Bucket=a.bucket, Key=key)["ContentLength"] == len(body):
                    break
            except s3.exceptions.ClientError:
                pass
            if time.time() > deadline:
                fail("fresh: %s not visible after %s s" % (key, a.timeout))
            time.sleep(a.interval)
        ms.append((time.perf_counter() - t0) * 1000)
    out(visible_ms=ms, **percentiles(ms))
    return 0


# --- W6: small files -------------------------------------------------------------
def cmd_put_small(a):
    bodies = [os.urandom(a.size) for _ in range(a.count)]
    keys = ["%sf%05d.png" % (a.prefix, i) for i in range(a.count)]

    def put(s3, i):
        s3.put_object(Bucket=a.bucket, Key=keys[i], Body=bodies[i], ContentType="image/png")

    cls = clients(a, a.threads)
    t0 = time.perf_counter()
    errors = run_threads(cls, a.count, put)
    secs = time.perf_counter() - t0
    if a.manifest:
        with open(a.manifest, "w") as f:
            for k, b in zip(keys, bodies):
                f.write(json.dumps({"url": "/" + k, "size": len(b),
                                    "sha256": hashlib.sha256(b).hexdigest()}) + "\n")
    for e in errors[:10]:
        sys.stderr.write("rawclient: put: %s\n" % e)
    out(seconds=round(secs, 4), files=a.count, errors=len(errors))
    return 1 if errors else 0


# --- W7: the big file ----------------------------------------------------------------
def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def cmd_put_big(a):
    """Multipart upload of FILE (read into memory first), THREADS parts at
    a time."""
    data = read_file(a.file)
    s3s = clients(a, a.threads)
    part = a.part_mib * MiB
    nparts = max(1, -(-len(data) // part))
    t0 = time.perf_counter()
    up = s3s[0].create_multipart_upload(Bucket=a.bucket, Key=a.key,
                                        ContentType="application/octet-stream")["UploadId"]
    etags = [None] * nparts

    def part_i(s3, i):
        r = s3.upload_part(Bucket=a.bucket, Key=a.key, UploadId=up, PartNumber=i + 1,
                           Body=data[i * part:(i + 1) * part])
        etags[i] = r["ETag"]

    errors = run_threads(s3s, nparts, part_i)
    if errors:
        s3s[0].abort_multipart_upload(Bucket=a.bucket, Key=a.key, UploadId=up)
        fail("upload_part: %s" % errors[0])
    s3s[0].complete_multipart_upload(
        Bucket=a.bucket, Key=a.key, UploadId=up,
        MultipartUpload={"Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
    secs = time.perf_counter() - t0
    out(seconds=round(secs, 4), bytes=len(data), parts=nparts, threads=a.threads)
    return 0


def cmd_get_big(a):
    """HEAD, then ranged GETs of RANGE_MIB, THREADS at a time, into memory;
    then (off the clock) compare with FILE."""
    s3s = clients(a, a.threads)
    t0 = time.perf_counter()
    size = s3s[0].head_object(Bucket=a.bucket, Key=a.key)["ContentLength"]
    buf = bytearray(size)
    rng = a.range_mib * MiB
    n = max(1, -(-size // rng))

    def range_i(s3, i):
        lo, hi = i * rng, min(size, (i + 1) * rng) - 1
        body = s3.get_object(Bucket=a.bucket, Key=a.key,
                             Range="bytes=%d-%d" % (lo, hi))["Body"].read()
        if len(body) != hi - lo + 1:
            raise IOError("range %d-%d: %d bytes" % (lo, hi, len(body)))
        buf[lo:hi + 1] = body

    errors = run_threads(s3s, n, range_i)
    secs = time.perf_counter() - t0
    if errors:
        fail("get range: %s" % errors[0])
    good = buf == read_file(a.file)
    out(seconds=round(secs, 4), bytes=size, ranges=n, threads=a.threads, bad=0 if good else 1)
    return 0 if good else 1


def offsets(size, count, block, seed):
    rnd = random.Random(seed)
    return [rnd.randrange(0, size // block) * block for _ in range(count)]


def cmd_rand_read(a):
    """COUNT ranged GETs of BLOCK bytes at random offsets (the same ones as
    fsops.py randread with the same seed), one at a time; stops after
    MAX_SECONDS; checks the bytes against FILE afterwards."""
    s3 = client(a)
    size = os.path.getsize(a.file)
    offs = offsets(size, a.count, a.block, a.seed)
    got = []
    s3.head_object(Bucket=a.bucket, Key=a.key)  # connect
    t0 = time.perf_counter()
    for off in offs:
        got.append(s3.get_object(Bucket=a.bucket, Key=a.key,
                                 Range="bytes=%d-%d" % (off, off + a.block - 1))["Body"].read())
        if time.perf_counter() - t0 > a.max_seconds:
            break
    secs = time.perf_counter() - t0
    bad = 0
    with open(a.file, "rb") as f:
        for off, b in zip(offs, got):
            f.seek(off)
            bad += f.read(a.block) != b
    out(seconds=round(secs, 4), ops=len(got), ops_per_s=round(len(got) / secs, 1), bad=bad)
    return 1 if bad else 0


# --- W8: time to first byte --------------------------------------------------------------
def cmd_ttfb(a):
    """GET COUNT manifest entries (a seeded sample), one at a time: the time
    until the first byte of the body; the rest is read off the clock (to keep
    the connection)."""
    entries = read_manifest(a.manifest)
    sample = random.Random(a.seed).sample(entries, min(a.count, len(entries)))
    s3 = client(a)
    s3.head_object(Bucket=a.bucket, Key=key_of(sample[0], a.prefix))  # connect
    ms = []
    for e in sample:
        t0 = time.perf_counter()
        body = s3.get_object(Bucket=a.bucket, Key=key_of(e, a.prefix))["Body"]
        first = body.read(1)
        ms.append((time.perf_counter() - t0) * 1000)
        rest = body.read()
        if len(first) + len(rest) != e["size"]:
            fail("ttfb: %s: %d bytes, expected %d" % (e["url"], len(first) + len(rest), e["size"]))
    out(**percentiles(ms))
    return 0


# --- scale: a directory of many objects -------------------------------------------------
def cmd_populate(a):
    body = b"x" * a.size
    s3 = client(a)
    s3.put_object(Bucket=a.bucket, Key=a.prefix, Body=b"", ContentType="application/x-directory")

    def put(c, i):
        c.put_object(Bucket=a.bucket, Key="%sf%07d.png" % (a.prefix, i), Body=body)

    cls = clients(a, a.threads)
    t0 = time.perf_counter()
    errors = run_threads(cls, a.count, put)
    secs = time.perf_counter() - t0
    for e in errors[:10]:
        sys.stderr.write("rawclient: populate: %s\n" % e)
    out(seconds=round(secs, 4), count=a.count, errors=len(errors))
    return 1 if errors else 0


def parser():
    p = argparse.ArgumentParser(prog="rawclient.py", description="see the header of rawclient.py")
    p.add_argument("--agent", default="bench-raw", help="user agent tag (bench-check: not counted)")
    sub = p.add_subparsers(dest="cmd", required=True)

    def cmd(name, fn, *opts):
        s = sub.add_parser(name)
        s.set_defaults(fn=fn)
        for flags, kw in opts:
            s.add_argument(*flags, **kw)
        return s

    B = (("--bucket",), {"required": True})
    M = (("--manifest",), {"required": True})
    T = (("--threads",), {"type": int, "default": 1})
    PFX = (("--prefix",), {"default": ""})
    cmd("put-app", cmd_put_app, B, M, T, (("--tasks",), {"type": int, "default": 200}),
        (("--per-task",), {"type": int, "default": 4}), (("--size",), {"type": int, "default": MiB}),
        (("--seed",), {"type": int, "default": None}))
    cmd("get-app", cmd_get_app, B, M, T, PFX)
    cmd("wait-durable", cmd_wait_durable, B, M, PFX, (("--timeout",), {"type": float, "default": 300}),
        (("--t-ret",), {"type": float, "required": True}),
        (("--interval",), {"type": float, "default": 0.05}))
    cmd("delete-prefix", cmd_delete_prefix, B, PFX)
    cmd("make-bucket", cmd_make_bucket, B)
    cmd("list", cmd_list, B, PFX, (("--delimiter",), {"default": ""}),
        (("--expect",), {"type": int, "default": None}))
    cmd("head-all", cmd_head_all, B, M, PFX)
    cmd("fresh", cmd_fresh, B, PFX, (("--trials",), {"type": int, "default": 5}),
        (("--timeout",), {"type": float, "default": 10}),
        (("--interval",), {"type": float, "default": 0.01}))
    cmd("put-small", cmd_put_small, B, T, PFX, (("--count",), {"type": int, "default": 2000}),
        (("--size",), {"type": int, "default": 4096}), (("--manifest",), {"default": None}))
    cmd("put-big", cmd_put_big, B, T, (("--key",), {"required": True}),
        (("--file",), {"required": True}), (("--part-mib",), {"type": int, "default": 16}))
    cmd("get-big", cmd_get_big, B, T, (("--key",), {"required": True}),
        (("--file",), {"required": True}), (("--range-mib",), {"type": int, "default": 16}))
    cmd("rand-read", cmd_rand_read, B, (("--key",), {"required": True}),
        (("--file",), {"required": True}), (("--count",), {"type": int, "default": 2000}),
        (("--block",), {"type": int, "default": 4096}), (("--seed",), {"type": int, "default": 1}),
        (("--max-seconds",), {"type": float, "default": 60}))
    cmd("ttfb", cmd_ttfb, B, M, PFX, (("--count",), {"type": int, "default": 200}),
        (("--seed",), {"type": int, "default": 1}))
    cmd("populate", cmd_populate, B, T, PFX, (("--count",), {"type": int, "default": 1000}),
        (("--size",), {"type": int, "default": 64}))
    cmd("serve", cmd_serve)
    return p


def run(argv):
    """One command; returns its exit status (SystemExit caught)."""
    try:
        if argv[:1] == ["mon"]:
            import benchmon
            a = benchmon.parser().parse_args(argv[1:])
        else:
            a = parser().parse_args(argv)
        return a.fn(a) or 0
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 1


class Tagged(io.TextIOBase):
    """A stream that writes each line as SEQ US KIND US TEXT (for serve)."""

    def __init__(self, real, seq, kind):
        self.real, self.seq, self.kind, self.part = real, seq, kind, ""

    def writable(self):
        return True

    def write(self, text):
        self.part += text
        *lines, self.part = self.part.split("\n")
        for line in lines:
            self.real.write("%s\x1f%s\x1f%s\n" % (self.seq, self.kind, line))
        self.real.flush()
        return len(text)

    def flush(self):
        if self.part:
            self.write("\n")


def cmd_serve(_a):
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    real = sys.stdout
    while True:
        line = sys.stdin.readline()
        if not line:
            return 0
        seq, _, rest = line.rstrip("\n").partition("\x1f")
        argv = rest.split("\x1f")
        out_, err_ = Tagged(real, seq, "o"), Tagged(real, seq, "e")
        with contextlib.redirect_stdout(out_), contextlib.redirect_stderr(err_):
            try:
                rc = run(argv)
            except Exception as e:  # a bug or an unexpected error: report it, go on
                sys.stderr.write("rawclient: %s: %r\n" % (" ".join(argv), e))
                rc = 1
            out_.flush()
            err_.flush()
        real.write("%s\x1fx\x1f%d\n" % (seq, rc))
        real.flush()


def main():
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
