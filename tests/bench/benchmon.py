#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# benchmon.py — what tests/bench/compare.sh measures around each phase,
# besides the workload's own timings: the requests radosgw saw (from its
# access log), the CPU time of the daemons, and their memory.
#
#   benchmon.py begin --state F --log RGWLOG --asok ASOK [--pid ROLE=PID ...]
#   benchmon.py end --state F --log RGWLOG --asok ASOK --samples F --results F \
#       --round N --system S --phase P [--metrics JSON] [--node-summary LINE] [--pid ROLE=PID ...]
#   benchmon.py sampler --watch F --out F [--interval 0.1]
#   benchmon.py count --log RGWLOG --from OFF [--to OFF]      (debugging)
#
# compare.sh runs begin, end and count inside its long-lived rawclient.py
# serve process ("mon begin ..."), and the sampler as a process of its own.
#
# Requests: radosgw's beast frontend writes one access line per request to
# its log at the default debug level (debug_rgw 1/5):
#   ... beast: 0x..: 127.0.0.1 - test [date] "PUT /bucket/key HTTP/1.1" 200 1048576 - "UA" - latency=...
# begin and end ask radosgw (admin socket "log flush") to write out what it
# holds, then note the log's size: the lines between the two offsets are
# the phase's requests.  Lines whose user agent holds "bench-check" (the
# harness's own durability polls) are left out.  LIST is a GET of the bucket
# itself (/bucket or /bucket/ with a query other than ?location, ?uploads,
# ...); OTHER is anything else not GET/PUT/HEAD/POST/DELETE of a key.
#
# CPU: utime+stime of each ROLE's pids (/proc/PID/stat) at end minus at
# begin.  Memory: VmHWM (peak RSS, reset at begin through clear_refs) and the
# peak RssAnon (anonymous memory: excludes file-backed maps such as LMDB's)
# among the sampler's samples taken during the phase.
import argparse
import json
import os
import re
import socket
import struct
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")
BEAST = re.compile(rb'beast: \S+: \S+ \S+ \S+ \[[^\]]*\] "(\S+) (\S+) [^"]*" (\d+) (\d+)(.*)$')
BUCKET_SUBRESOURCES = ("location", "uploads", "acl", "policy", "versioning", "cors",
                       "lifecycle", "tagging", "website", "logging", "notification",
                       "replication", "encryption", "object-lock", "requestPayment")


def log_flush(asok):
    """Ask the daemon behind the admin socket to flush its log (so that
    every request completed so far is in the file)."""
    if not asok or not os.path.exists(asok):
        return False
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(asok)
        s.sendall(json.dumps({"prefix": "log flush"}).encode() + b"\0")
        head = b""
        while len(head) < 4:
            chunk = s.recv(4 - len(head))
            if not chunk:
                break
            head += chunk
        if len(head) == 4:
            n = struct.unpack(">I", head)[0]
            got = 0
            while got < n:
                chunk = s.recv(n - got)
                if not chunk:
                    break
                got += len(chunk)
        s.close()
        return True
    except OSError:
        return False


def log_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def classify(method, target):
    path, _, query = target.partition(b"?")
    parts = path.strip(b"/").split(b"/", 1)
    on_bucket = len(parts) == 1 or parts[1] == b""
    if path == b"/" or path == b"":
        return "OTHER"
    if on_bucket:
        if method == b"GET":
            keys = {q.split(b"=")[0].decode(errors="replace") for q in query.split(b"&") if q}
            return "OTHER" if keys & set(BUCKET_SUBRESOURCES) else "LIST"
        return "OTHER"
    m = method.decode(errors="replace")
    return m if m in ("GET", "PUT", "HEAD", "POST", "DELETE") else "OTHER"


def count(log, start, end):
    """Counts of the requests logged between byte offsets start and end."""
    c = {k: 0 for k in ("GET", "PUT", "HEAD", "POST", "DELETE", "LIST", "OTHER")}
    c.update(total=0, errors=0, bytes=0, excluded=0)
    if end <= start:
        return c
    with open(log, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    for line in data.split(b"\n"):
        m = BEAST.search(line)
        if not m:
            continue
        method, target, status, nbytes, rest = m.groups()
        if b"bench-check" in rest:
            c["excluded"] += 1
            continue
        c[classify(method, target)] += 1
        c["total"] += 1
        c["bytes"] += int(nbytes)
        if int(status) >= 400:
            c["errors"] += 1
    return c


def parse_pids(items):
    """ROLE=PID[,PID...] items -> {role: [pids]}."""
    roles = {}
    for it in items or []:
        role, _, pids = it.partition("=")
        roles.setdefault(role, []).extend(int(p) for p in pids.split(",") if p.strip().isdigit())
    return roles


def cpu_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return int(rest[11]) + int(rest[12])
    except (OSError, IndexError, ValueError):
        return None


def status_kb(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def reset_hwm(pid):
    try:
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")
    except OSError:
        pass


def cmd_begin(a):
    log_flush(a.asok)
    roles = parse_pids(a.pid)
    for pids in roles.values():
        for p in pids:
            reset_hwm(p)
    state = {"t0": time.time(), "off": log_size(a.log),
             "cpu": {str(p): cpu_ticks(p) for pids in roles.values() for p in pids}}
    with open(a.state, "w") as f:
        json.dump(state, f)
    return 0


def peak_rss_anon(samples, pids, t0, t1):
    """The largest RssAnon (KiB) of any of pids among samples in [t0, t1]."""
    best = None
    want = {str(p) for p in pids}
    try:
        with open(samples) as f:
            for line in f:
                parts = line.split()
                if len(parts) < 3 or parts[1] not in want:
                    continue
                t = float(parts[0])
                if t0 - 0.2 <= t <= t1 + 0.2:
                    v = int(parts[2])
                    best = v if best is None else max(best, v)
    except OSError:
        pass
    return best


def cmd_end(a):
    log_flush(a.asok)
    t1 = time.time()
    off1 = log_size(a.log)
    with open(a.state) as f:
        st = json.load(f)
    roles = parse_pids(a.pid)
    rec = {"round": a.round, "system": a.system, "phase": a.phase,
           "t0": round(st["t0"], 3), "t1": round(t1, 3), "elapsed_s": round(t1 - st["t0"], 3),
           "requests": count(a.log, st["off"], off1), "cpu_s": {}, "mem_kib": {}}
    for role, pids in roles.items():
        total = 0.0
        for p in pids:
            now, before = cpu_ticks(p), st["cpu"].get(str(p))
            if now is not None and before is not None:
                total += (now - before) / TICK
        rec["cpu_s"][role] = round(total, 3)
        hwm = [status_kb(p, "VmHWM") for p in pids]
        anon_now = [status_kb(p, "RssAnon") for p in pids]
        peak = peak_rss_anon(a.samples, pids, st["t0"], t1) if a.samples else None
        anon = [v for v in anon_now + [peak] if v is not None]
        rec["mem_kib"][role] = {"vm_hwm": sum(v for v in hwm if v is not None) or None,
                                "rss_anon_peak": max(anon) if anon else None}
    metrics = {}
    if a.metrics:
        metrics.update(json.loads(a.metrics))
    if a.node_summary:
        for kv in a.node_summary.split():
            k, _, v = kv.partition("=")
            if not v:
                continue
            try:
                metrics[k] = float(v)
            except ValueError:
                metrics[k] = v
    for kv in a.set or []:
        k, _, v = kv.partition("=")
        try:
            metrics[k] = float(v)
        except ValueError:
            metrics[k] = v
    rec["metrics"] = metrics
    with open(a.results, "a") as f:
        f.write(json.dumps(rec, sort_keys=True) + "\n")
    print(json.dumps({"phase": a.phase, "system": a.system, "requests": rec["requests"]["total"]}))
    return 0


def cmd_sampler(a):
    """Every INTERVAL, the RssAnon and RssFile (KiB) of each pid listed in
    WATCH (one per line, 'ROLE PID'), as lines 'TIME PID ANON FILE' in OUT."""
    with open(a.out, "a", buffering=1) as out:
        while True:
            try:
                with open(a.watch) as f:
                    pids = {int(l.split()[1]) for l in f if len(l.split()) >= 2}
            except (OSError, ValueError):
                pids = set()
            t = time.time()
            for p in sorted(pids):
                anon, rfile = status_kb(p, "RssAnon"), status_kb(p, "RssFile")
                if anon is not None:
                    out.write("%.3f %d %d %d\n" % (t, p, anon, rfile or 0))
            if a.parent and not os.path.exists("/proc/%d" % a.parent):
                return 0
            time.sleep(a.interval)


def cmd_count(a):
    log_flush(a.asok)
    print(json.dumps(count(a.log, a.start, a.to if a.to is not None else log_size(a.log))))
    return 0


def parser():
    p = argparse.ArgumentParser(prog="benchmon.py", description="see the header of benchmon.py")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("begin")
    e = sub.add_parser("end")
    for s in (b, e):
        s.add_argument("--state", required=True)
        s.add_argument("--log", required=True)
        s.add_argument("--asok", default="")
        s.add_argument("--pid", action="append", help="ROLE=PID[,PID...]")
    b.set_defaults(fn=cmd_begin)
    e.set_defaults(fn=cmd_end)
    e.add_argument("--samples", default="")
    e.add_argument("--results", required=True)
    e.add_argument("--round", type=int, required=True)
    e.add_argument("--system", required=True)
    e.add_argument("--phase", required=True)
    e.add_argument("--metrics", default="", help="a JSON object of the workload's figures")
    e.add_argument("--node-summary", default="", help="localstorage.mjs's summary line")
    e.add_argument("--set", action="append", help="KEY=VALUE, another figure")
    s = sub.add_parser("sampler")
    s.set_defaults(fn=cmd_sampler)
    s.add_argument("--watch", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--interval", type=float, default=0.1)
    s.add_argument("--parent", type=int, default=0, help="stop when this pid is gone")
    c = sub.add_parser("count")
    c.set_defaults(fn=cmd_count)
    c.add_argument("--log", required=True)
    c.add_argument("--asok", default="")
    c.add_argument("--from", dest="start", type=int, default=0)
    c.add_argument("--to", type=int, default=None)
    return p


def main():
    a = parser().parse_args()
    sys.exit(a.fn(a))


if __name__ == "__main__":
    main()
