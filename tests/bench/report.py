#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# report.py — tests/bench/compare.sh's report: from the phase records
# (phases.jsonl, one JSON object per phase, system and round, written by
# benchmon.py) to the medians (min-max) over rounds, the ratios computed
# within each round and their medians, the targets met or missed; writes
# OUT/results.json, OUT/results.md (the tables) and OUT/chart.png (gnuplot),
# and prints the main table on stdout.
#
# The targets are issue 26's: bucketfs against the FUSE ceiling (pt_ll,
# libfuse's passthrough_ll with cache=always) where the data is cached,
# against the raw S3 client where it is not, ahead of s3fs and rclone on
# every row of times and rates (not on request counts, which have budgets of
# their own), and at most 32 MiB of anonymous memory.  Each is a ratio
# computed within each round, then the median over rounds (see ROWS).
#
#   report.py --phases FILE --out DIR [--scale-index FILE.json]
#   report.py --from-json results.json --out DIR     (render an earlier run again)
#
# Machine and parameters come from compare.sh's B_* environment variables
# (with --from-json: from that file's "meta", and the phases from its "phases").
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys

SYSTEMS = ["bucketfs", "s3fs", "rclone", "disk", "pt_ll", "pt_fh", "raw"]
MiB = 1 << 20


# --- figures of one phase record ------------------------------------------------------------
def m(rec, key):
    v = rec.get("metrics", {}).get(key)
    return v if isinstance(v, (int, float)) else None


def div(a, b):
    return a / b if a is not None and b else None


def seconds(r):
    """The phase's timed seconds, as precisely as the record has them:
    localstorage.mjs prints seconds with 2 decimals (10 ms: 2.5 % of a warm
    read of 800 MiB at 2 GB/s) and MiB/s with 1, computed from the exact
    time; whichever is finer is taken."""
    s, b, rate = m(r, "seconds"), m(r, "bytes"), m(r, "mib_per_s")
    if b and rate and math.isfinite(rate) and rate > 0:
        exact = b / MiB / rate
        if s is None or s <= 0 or 0.005 / s > 0.05 / rate:
            return exact
    return s


def mibps_app(r):
    return div(div(m(r, "bytes"), MiB), seconds(r))


def durable_s(r):
    s = seconds(r)
    return None if s is None else s + (m(r, "wait_s") or 0.0)


def mibps_durable(r):
    return div(div(m(r, "bytes"), MiB), durable_s(r))


def files_app(r):
    return div(m(r, "files"), m(r, "seconds"))


def files_durable(r):
    return div(m(r, "files"), durable_s(r))


def req_total(r):
    return r["requests"]["total"]


def req_per_file(r):
    return div(req_total(r), m(r, "count"))


def list_share(r):
    return div(r["requests"]["LIST"], m(r, "list_allowed"))


def visible_ms(r):
    if m(r, "timeouts"):
        return math.inf
    return m(r, "p50_ms")


def metric(key):
    return lambda r: m(r, key)


# Rows of the main table: (id, label, phase, figure, unit, better, targets).
# A target is ("ratio", OTHER, OP, K): bucketfs / OTHER, computed within each
# round, median over rounds, OP K; or ("abs", None, OP, K): bucketfs's median.
# Every row of times and rates (PERF_UNITS) also gets "ahead of s3fs and
# rclone" (AHEAD_OF): the same median ratio, better than 1 for each of them.
PT = "pt_ll"  # the FUSE ceiling the cached rows are held to
ROWS = [
    ("w1_1_app", "W1 app write, 1 writer: calls returned", "w1.w1", mibps_app, "MiB/s", "up", []),
    ("w1_1_durable", "W1 app write, 1 writer: durable (all listed)", "w1.w1", mibps_durable, "MiB/s", "up",
     [("ratio", "raw", ">=", 0.95)]),
    ("w1_1_rpf", "W1 1 writer: requests per file", "w1.w1", req_per_file, "req", "down",
     [("abs", None, "<=", 1.25)]),
    ("w1_8_app", "W1 app write, 8 writers: calls returned", "w1.w8", mibps_app, "MiB/s", "up", []),
    ("w1_8_durable", "W1 app write, 8 writers: durable (all listed)", "w1.w8", mibps_durable, "MiB/s", "up",
     [("ratio", "raw", ">=", 0.95)]),
    ("w1_8_rpf", "W1 8 writers: requests per file", "w1.w8", req_per_file, "req", "down", []),
    ("w2", "W2 cold read (fresh cache), 8 readers", "w2.cold", mibps_app, "MiB/s", "up",
     [("ratio", "raw", ">=", 0.9)]),
    ("w3", "W3 warm read, 3rd pass", "w3.p3", mibps_app, "MiB/s", "up", [("ratio", PT, ">=", 0.95)]),
    ("w3_req", "W3 warm read, 3rd pass: requests", "w3.p3", req_total, "req", "down",
     [("abs", None, "<=", 0)]),
    ("w3_apart", "W3 warm read, passes apart (stat_ttl + 1 s after the 3rd)", "w3.apart",
     mibps_app, "MiB/s", "up", [("ratio", PT, ">=", 0.95)]),
    ("w3_apart_req", "W3 warm read, passes apart: requests", "w3.apart", req_total, "req", "down", []),
    ("w4_ls_cold", "W4 ls -lR, cold", "w4.ls.cold", metric("seconds"), "s", "down", []),
    ("w4_ls_cold_list", "W4 ls -lR cold: LISTs / (dirs x 1000 entries)", "w4.ls.cold", list_share, "ratio",
     "down", [("abs", None, "<=", 1)]),
    ("w4_ls_warm", "W4 ls -lR, warm", "w4.ls.warm", metric("seconds"), "s", "down",
     [("ratio", PT, "<=", 1.5)]),
    ("w4_stat_cold", "W4 stat of every file, cold", "w4.stat.cold", metric("seconds"), "s", "down",
     [("ratio", "raw", "<=", 1.0)]),
    ("w4_stat_warm", "W4 stat of every file, warm", "w4.stat.warm", metric("seconds"), "s", "down",
     [("ratio", PT, "<=", 1.5)]),
    ("w5", "W5 new file visible on a 2nd mount, p50 (timeout: not within FRESH_TIMEOUT)", "w5",
     visible_ms, "ms", "down", []),
    ("w6_app", "W6 4 KiB files, 1 writer: calls returned", "w6", files_app, "files/s", "up", []),
    ("w6_durable", "W6 4 KiB files, 1 writer: durable", "w6", files_durable, "files/s", "up",
     [("ratio", "raw", ">=", 0.95)]),
    ("w7_write", "W7 big file write: durable", "w7.write", mibps_durable, "MiB/s", "up",
     [("ratio", "raw", ">=", 0.9)]),
    ("w7_write_app", "W7 big file write: close returned", "w7.write", mibps_app, "MiB/s", "up", []),
    ("w7_read_cold", "W7 big file sequential read, cold", "w7.read.cold", mibps_app, "MiB/s", "up",
     [("ratio", "raw", ">=", 0.9)]),
    ("w7_read_warm", "W7 big file sequential read, warm", "w7.read.warm", mibps_app, "MiB/s", "up", []),
    ("w7_rand_warm", "W7 random 4 KiB reads, warm", "w7.rand.warm", metric("ops_per_s"), "ops/s", "up", []),
    ("w7_rand_cold", "W7 random 4 KiB reads, cold", "w7.rand.cold", metric("ops_per_s"), "ops/s", "up", []),
    ("w8_cached_p50", "W8 time to first byte, cached, p50", "w8.cached", metric("p50_ms"), "ms", "down",
     [("ratio", PT, "<=", 1.1)]),
    ("w8_cached_p99", "W8 time to first byte, cached, p99", "w8.cached", metric("p99_ms"), "ms", "down",
     [("ratio", PT, "<=", 1.5)]),
    ("w8_uncached_p50", "W8 time to first byte, uncached, p50", "w8.uncached", metric("p50_ms"), "ms", "down",
     [("ratio", "raw", "<=", 1.2)]),
    ("w8_uncached_p99", "W8 time to first byte, uncached, p99", "w8.uncached", metric("p99_ms"), "ms", "down", []),
    ("scale_lsf", "scale: ls -f of the big directory, cold", "scale.lsf", metric("seconds"), "s", "down", []),
    ("scale_lsf_list", "scale: ls -f LISTs / (1 + entries/1000)", "scale.lsf", list_share, "ratio", "down",
     [("abs", None, "<=", 1)]),
    ("scale_lsl", "scale: ls -l of the big directory, cold", "scale.lsl", metric("seconds"), "s", "down",
     [("ratio", "raw", "<=", 1.2)]),
    ("scale_lsl_req", "scale: ls -l requests", "scale.lsl", req_total, "req", "down", []),
]
PERF_UNITS = ("MiB/s", "files/s", "ops/s", "s", "ms")
AHEAD_OF = ("s3fs", "rclone")

# The phases in the order of the request and CPU tables.
PHASES = ["w1.w1", "w1.w8", "w2.cold", "w3.p1", "w3.p2", "w3.p3", "w3.apart", "w8.cached", "w8.uncached",
          "w4.stat.cold", "w4.stat.warm", "w4.ls.cold", "w4.ls.warm", "w5", "w6", "w7.write",
          "w7.read.cold", "w7.read.warm", "w7.rand.warm", "w7.rand.cold", "scale.lsf", "scale.lsl"]

# Chart: throughput relative to the raw client, per workload.
CHART = [("W1 1 writer", "w1_1_durable"), ("W1 8 writers", "w1_8_durable"), ("W2 cold read", "w2"),
         ("W3 warm read", "w3"), ("W3 apart", "w3_apart"), ("W6 small files", "w6_durable"), ("W7 write", "w7_write"),
         ("W7 read cold", "w7_read_cold"), ("W7 4K rand warm", "w7_rand_warm")]

OPS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b,
       ">": lambda a, b: a > b, "<": lambda a, b: a < b}


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(v, unit=""):
    if v is None:
        return "—"
    if v == math.inf:
        return "timeout"
    a = abs(v)
    if a == 0:
        s = "0"
    elif float(v).is_integer() and a < 1e6:
        s = "%d" % v
    elif a >= 1000:
        s = "%.0f" % v
    elif a >= 100:
        s = "%.0f" % v
    elif a >= 10:
        s = "%.1f" % v
    elif a >= 1:
        s = "%.2f" % v
    else:
        s = "%.3g" % v
    return s


def cell(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "—"
    med = statistics.median(vals)
    if len(vals) == 1:
        return fmt(med)
    return "%s (%s–%s)" % (fmt(med), fmt(min(vals)), fmt(max(vals)))


def load(path):
    recs = []
    with open(path) as f:
        for line in f:
            if line.strip():
                recs.append(json.loads(line))
    return recs


def index(recs):
    """{phase: {system: {round: record}}}"""
    ix = {}
    for r in recs:
        ix.setdefault(r["phase"], {}).setdefault(r["system"], {})[r["round"]] = r
    return ix


def row_values(ix, phase, fn):
    """{system: {round: value}}"""
    out = {}
    for sysname, rounds in ix.get(phase, {}).items():
        out[sysname] = {rd: fn(rec) for rd, rec in rounds.items()}
    return out


def ratio_rounds(vals, a, b):
    ra, rb = vals.get(a, {}), vals.get(b, {})
    res = {}
    for rd in sorted(set(ra) & set(rb)):
        x, y = ra[rd], rb[rd]
        if x is not None and y not in (None, 0) and x != math.inf and y != math.inf:
            res[rd] = x / y
    return res


def ratio_rounds_ahead(vals, a, b):
    """As ratio_rounds, but a timeout (infinite time) of b alone counts as
    a ratio of 0 (a ahead), of a alone as infinite (a behind)."""
    ra, rb = vals.get(a, {}), vals.get(b, {})
    res = {}
    for rd in sorted(set(ra) & set(rb)):
        x, y = ra[rd], rb[rd]
        if x is None or y is None or (x == math.inf and y == math.inf):
            continue
        if y == math.inf:
            res[rd] = 0.0
        elif x == math.inf:
            res[rd] = math.inf
        elif y != 0:
            res[rd] = x / y
    return res


def evaluate(vals, target, fmt_k=None):
    kind, other, op, k = target
    if kind == "ahead":
        per = {}
        for o in other:
            rr = ratio_rounds_ahead(vals, "bucketfs", o)
            med = median(list(rr.values()))
            if med is not None:
                per[o] = {"ratios_by_round": {str(r): round(v, 4) for r, v in rr.items()},
                          "median_ratio": round(med, 4) if math.isfinite(med) else med,
                          "met": OPS[op](med, k)}
        return {"target": "ahead of " + ", ".join(other), "kind": "ahead", "op": op, "k": k,
                "others": per, "met": all(v["met"] for v in per.values()) if per else None}
    if kind == "ratio":
        rr = ratio_rounds(vals, "bucketfs", other)
        med = median(list(rr.values()))
        text = "%s %s× %s" % ("≥" if op == ">=" else "≤", fmt(k), other)
        return {"target": text, "other": other, "op": op, "k": k,
                "ratios_by_round": {str(r): round(v, 4) for r, v in rr.items()},
                "median_ratio": None if med is None else round(med, 4),
                "met": None if med is None else OPS[op](med, k)}
    b = vals.get("bucketfs", {})
    med = median([v for v in b.values() if v != math.inf])
    text = "%s %s" % ("≥" if op == ">=" else "≤", fmt(k))
    return {"target": text, "op": op, "k": k, "median": med,
            "met": None if med is None else OPS[op](med, k)}


def mark(ev):
    if ev["met"] is None:
        return "n/a"
    if ev.get("kind") == "ahead":
        return "%s (%s)" % ("met" if ev["met"] else "**missed**", ", ".join(
            "%s %s" % (o, "%.4g" % v["median_ratio"]) for o, v in ev["others"].items()))
    v = ev.get("median_ratio", ev.get("median"))
    # enough digits to see why a value next to the target missed it
    return "%s (%s)" % ("met" if ev["met"] else "**missed**", "%.4g" % v)


def memory(recs):
    """Per system: the largest peak RssAnon and VmHWM of its daemons (MiB)
    over all phases, and radosgw's."""
    mem = {}
    for r in recs:
        for role, v in r.get("mem_kib", {}).items():
            key = r["system"] if role == "daemon" else role
            d = mem.setdefault(key, {"rss_anon_peak_mib": None, "vm_hwm_mib": None})
            for src, dst in (("rss_anon_peak", "rss_anon_peak_mib"), ("vm_hwm", "vm_hwm_mib")):
                x = v.get(src)
                if x is not None:
                    x = x / 1024
                    d[dst] = x if d[dst] is None else max(d[dst], x)
    return mem


def json_safe(x):
    """x with every infinite or NaN float replaced by None (strict JSON)."""
    if isinstance(x, float) and (math.isinf(x) or math.isnan(x)):
        return None
    if isinstance(x, dict):
        return {str(k): json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_safe(v) for v in x]
    return x


def env(name, default=""):
    return os.environ.get(name, default)


def env_of_meta(meta):
    """The B_* variables behind a results.json's meta (for files written
    before meta kept them)."""
    v, o, mc = meta.get("versions", {}), meta.get("options", {}), meta.get("machine", {})
    return {"B_DATE": meta.get("date", ""), "B_RUN_SECONDS": str(meta.get("run_seconds", "")),
            "B_NPROC": mc.get("nproc", ""), "B_CPU": mc.get("cpu", ""), "B_MEM": mc.get("mem_kib", ""),
            "B_KERNEL": mc.get("kernel", ""), "B_BFS": v.get("bucketfs", ""), "B_S3FS": v.get("s3fs", ""),
            "B_RCLONE": v.get("rclone", ""), "B_RGW": v.get("radosgw", ""), "B_NODE": v.get("node", ""),
            "B_BFS_OPTS": o.get("bucketfs", ""), "B_S3FS_OPTS": o.get("s3fs", ""),
            "B_RCLONE_OPTS": o.get("rclone", ""), "B_PTLL_OPTS": o.get("pt_ll", ""),
            "B_PTFH_OPTS": o.get("pt_fh", ""), "B_LIBFUSE": v.get("libfuse", ""),
            "B_PARAMS": " ".join("%s=%s" % kv for kv in meta.get("params", {}).items()),
            "B_SYSTEMS": " ".join(meta.get("systems", [])), "B_FAILED": " ".join(meta.get("failed", []))}


def gnuplot_chart(out, rows_by_id, systems):
    if "raw" not in systems:
        sys.stderr.write("report: no chart: it is relative to raw, which this run left out\n")
        return False
    dat = os.path.join(out, "chart.dat")
    lines = ["# workload " + " ".join(systems)]
    for label, rid in CHART:
        row = rows_by_id.get(rid)
        vals = []
        for s in systems:
            v = None
            if row:
                rr = ratio_rounds(row["_vals"], s, "raw")
                v = median(list(rr.values()))
            vals.append("?" if v is None or v <= 0 else "%.4g" % v)
        lines.append('"%s" %s' % (label, " ".join(vals)))
    with open(dat, "w") as f:
        f.write("\n".join(lines) + "\n")
    plots = ", ".join("'%s' using %d%s title '%s'" % (
        "chart.dat" if i == 0 else "", i + 2, ":xtic(1)" if i == 0 else "", s)
        for i, s in enumerate(systems))
    gp = """set terminal pngcairo size 1600,640 font ',11' noenhanced
set output 'chart.png'
set datafile missing '?'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set grid ytics
set key outside right top
set ylabel 'throughput / raw S3 client (durable writes), log scale'
set title 'bucketfs vs s3fs, rclone, local disk, FUSE passthroughs, raw boto3 on radosgw (median of per-round ratios)'
set xtics nomirror
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb '#444444'
plot %s
""" % plots
    with open(os.path.join(out, "chart.gp"), "w") as f:
        f.write(gp)
    if not shutil.which("gnuplot"):
        sys.stderr.write("report: gnuplot not found: no chart\n")
        return False
    r = subprocess.run(["gnuplot", "chart.gp"], cwd=out, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write("report: gnuplot failed: %s\n" % r.stderr[-2000:])
        return False
    return True


def main():
    p = argparse.ArgumentParser(description=__doc__)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--phases", help="phases.jsonl of a run (with the B_* environment)")
    g.add_argument("--from-json", help="an earlier results.json: its meta and phases")
    p.add_argument("--out", required=True)
    p.add_argument("--scale-index", default="")
    a = p.parse_args()
    old = None
    if a.from_json:
        with open(a.from_json) as f:
            old = json.load(f)
        recs = old["phases"]
        for k, v in (old["meta"].get("_env") or env_of_meta(old["meta"])).items():
            os.environ[k] = v
    else:
        recs = load(a.phases)
    ix = index(recs)
    systems = [s for s in env("B_SYSTEMS", " ".join(SYSTEMS)).split() if s]

    rows = []
    for rid, label, phase, fn, unit, better, targets in ROWS:
        vals = row_values(ix, phase, fn)
        if not any(v is not None for sv in vals.values() for v in sv.values()):
            continue
        row = {"id": rid, "label": label, "phase": phase, "unit": unit, "better": better,
               "values": {}, "relative": {}, "targets": [], "_vals": vals}
        for s in systems:
            xs = [v for v in vals.get(s, {}).values() if v is not None]
            finite = [x for x in xs if x != math.inf]
            row["values"][s] = {
                "by_round": {str(k): (None if v == math.inf else v) for k, v in vals.get(s, {}).items()},
                "timeouts": len(xs) - len(finite),
                "median": median(finite) if len(finite) == len(xs) else (None if not finite else median(finite)),
                "min": min(finite) if finite else None, "max": max(finite) if finite else None,
                "cell": cell(xs) if len(finite) == len(xs) else (
                    "timeout" if not finite else cell(finite) + " + %d timeout" % (len(xs) - len(finite)))}
            if s != "bucketfs":
                rr = ratio_rounds(vals, "bucketfs", s)
                med = median(list(rr.values()))
                row["relative"][s] = None if med is None else round(med, 4)
        if unit in PERF_UNITS:
            targets = list(targets) + [("ahead", AHEAD_OF, ">" if better == "up" else "<", 1)]
        for t in targets:
            row["targets"].append(evaluate(vals, t))
        rows.append(row)
    rows_by_id = {r["id"]: r for r in rows}

    # Memory: bucketfs's peak RssAnon against 32 MiB.
    mem = memory(recs)
    mem_w = memory([r for r in recs if not r["phase"].startswith("scale")])
    mem_row = {"id": "memory", "label": "daemon peak RssAnon (excl. file-backed maps), all phases",
               "unit": "MiB", "values": {s: mem.get(s, {}).get("rss_anon_peak_mib") for s in systems},
               "targets": []}
    bv = mem_row["values"].get("bucketfs")
    mem_row["targets"].append({"target": "≤ 32 MiB", "median": bv,
                               "met": None if bv is None else bv <= 32})
    memw_row = {"id": "memory_w1_w8", "label": "daemon peak RssAnon, W1–W8 only (no scale part)",
                "unit": "MiB", "values": {s: mem_w.get(s, {}).get("rss_anon_peak_mib") for s in systems},
                "targets": []}
    hwm_row = {"id": "memory_hwm", "label": "daemon peak RSS (VmHWM, incl. LMDB map), all phases",
               "unit": "MiB", "values": {s: mem.get(s, {}).get("vm_hwm_mib") for s in systems}}

    # Requests and CPU per phase (medians over rounds).
    req_table, cpu_table = {}, {}
    for ph in PHASES:
        for s in systems:
            rs = list(ix.get(ph, {}).get(s, {}).values())
            if not rs:
                continue
            req = {}
            for k in ("total", "GET", "PUT", "HEAD", "POST", "DELETE", "LIST", "OTHER", "errors"):
                req[k] = median([r["requests"][k] for r in rs])
            req_table.setdefault(ph, {})[s] = req
            cpu = {}
            for role in ("daemon", "rgw", "osd"):
                xs = [r["cpu_s"].get(role) for r in rs if role in r.get("cpu_s", {})]
                if xs:
                    cpu[role] = median(xs)
            cpu_table.setdefault(ph, {})[s] = cpu

    scale_index = {"status": "not measured by compare.sh: the 1,000,000-entry cache index benchmark "
                             "fills this in (BENCH_SCALE_INDEX=FILE.json)", "results": None}
    if a.scale_index:
        with open(a.scale_index) as f:
            scale_index = {"status": "from %s" % a.scale_index, "results": json.load(f)}

    failed = env("B_FAILED").split()
    meta = {
        "date": env("B_DATE"), "run_seconds": env("B_RUN_SECONDS"),
        "machine": {"nproc": env("B_NPROC"), "cpu": env("B_CPU"), "mem_kib": env("B_MEM"),
                    "kernel": env("B_KERNEL")},
        "versions": {"bucketfs": env("B_BFS"), "s3fs": env("B_S3FS"), "rclone": env("B_RCLONE"),
                     "radosgw": env("B_RGW"), "node": env("B_NODE"), "libfuse": env("B_LIBFUSE")},
        "options": {"bucketfs": env("B_BFS_OPTS"), "s3fs": env("B_S3FS_OPTS"),
                    "rclone": env("B_RCLONE_OPTS"),
                    "disk": "a plain directory on the same file system as the caches; its page cache is not dropped (a shared machine), so its 'cold' figures are warm",
                    "pt_ll": "the FUSE ceiling: libfuse's example %s, built at bench time (gcc -O2, %s), over a directory next to disk's; 'cold' = a fresh mount over the same warm page cache; not in W5 and scale" % (
                        env("B_PTLL_OPTS"), env("B_LIBFUSE") or "libfuse"),
                    "pt_fh": "libfuse's example %s, built at bench time, over a directory next to disk's; 'cold' = a fresh mount; not in W5 and scale" % env("B_PTFH_OPTS"),
                    "raw": "boto3 (tests/bench/rawclient.py): a client per thread, persistent connections; same concurrency as the filesystem workload; multipart with parallel 16 MiB parts and parallel 16 MiB ranged GETs for the big file"},
        "params": dict(kv.split("=", 1) for kv in env("B_PARAMS").split() if "=" in kv),
        "systems": systems, "failed": failed,
        "requests_counted": "radosgw's own access log (beast frontend lines at the default debug_rgw 1/5), "
                            "between the log's byte offsets at the start and end of each phase, after an "
                            "admin-socket 'log flush'; the harness's own checks (user agent 'bench-check') "
                            "left out; LIST = GET on the bucket itself",
        "_env": {k: v for k, v in os.environ.items() if k.startswith("B_")},
    }
    doc = {"meta": meta,
           "rows": [{k: v for k, v in r.items() if k != "_vals"} for r in rows] + [mem_row, memw_row, hwm_row],
           "requests_by_phase": req_table, "cpu_s_by_phase": cpu_table, "memory_mib": mem,
           "scale_index": scale_index, "phases": recs}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(json_safe(doc), f, indent=1, sort_keys=True, allow_nan=False)

    # --- markdown ---
    P = meta["params"]
    md = ["# bucketfs vs s3fs, rclone, local disk, FUSE passthroughs and raw S3 (radosgw)", ""]
    md.append("%s; %s CPUs (%s), %s MiB RAM, Linux %s. %s; %s; %s; %s; node %s%s. "
              "Run took %s s." % (meta["date"], meta["machine"]["nproc"], meta["machine"]["cpu"],
                                 int(meta["machine"]["mem_kib"] or 0) // 1024, meta["machine"]["kernel"],
                                 meta["versions"]["bucketfs"], meta["versions"]["s3fs"],
                                 meta["versions"]["rclone"], meta["versions"]["radosgw"],
                                 meta["versions"]["node"],
                                 "; " + meta["versions"]["libfuse"] if meta["versions"]["libfuse"] else "",
                                 meta["run_seconds"]))
    md.append("")
    md.append("Parameters: " + ", ".join("%s=%s" % kv for kv in P.items()) + ".")
    md.append("Values: median (min–max) over %s round(s); targets: median of the ratios computed "
              "within each round." % P.get("ROUNDS", "?"))
    if failed:
        md.append("")
        md.append("**Failed workload runs (no figures from them):** " + ", ".join(failed))
    md.append("")
    head = "| workload | unit | " + " | ".join(systems) + " | target (bucketfs) | result |"
    md.append(head)
    md.append("|" + "---|" * (len(systems) + 4))
    for r in rows + [mem_row, memw_row, hwm_row]:
        if r["id"].startswith("memory"):
            cells = [fmt(r["values"].get(s)) for s in systems]
        else:
            cells = [r["values"][s]["cell"] for s in systems]
        tg = "; ".join(t["target"] for t in r.get("targets", []))
        res = "; ".join(mark(t) for t in r.get("targets", []))
        md.append("| %s | %s | %s | %s | %s |" % (r["label"], r["unit"], " | ".join(cells), tg, res))
    main_table = list(md)

    md += ["", "## bucketfs relative to the others", "",
           "bucketfs's figure divided by the other system's, within each round, median over rounds "
           "(for MiB/s, files/s, ops/s above 1 is better for bucketfs; for s, ms and requests below 1).", ""]
    others = [s for s in systems if s != "bucketfs"]
    md.append("| workload | unit | " + " | ".join("÷ " + s for s in others) + " |")
    md.append("|" + "---|" * (len(others) + 2))
    for r in rows:
        md.append("| %s | %s | %s |" % (r["label"], r["unit"],
                                        " | ".join(fmt(r["relative"].get(s)) for s in others)))

    md += ["", "## Requests radosgw saw, per phase (median over rounds)", "",
           "total, then by kind (LIST = GET on the bucket; errors = status ≥ 400, e.g. HEAD 404s).", ""]
    md.append("| phase | " + " | ".join(systems) + " |")
    md.append("|" + "---|" * (len(systems) + 1))
    for ph in PHASES:
        if ph not in req_table:
            continue
        cells = []
        for s in systems:
            q = req_table[ph].get(s)
            if not q:
                cells.append("—")
                continue
            parts = ["%s %s" % (k, fmt(q[k])) for k in ("PUT", "GET", "HEAD", "LIST", "POST", "DELETE", "OTHER")
                     if q[k]]
            txt = fmt(q["total"]) + (": " + ", ".join(parts) if parts else "")
            if q["errors"]:
                txt += " (%s err)" % fmt(q["errors"])
            cells.append(txt)
        md.append("| %s | %s |" % (ph, " | ".join(cells)))

    md += ["", "## CPU seconds per phase (median): the system's daemon / radosgw / OSD", ""]
    md.append("| phase | " + " | ".join(systems) + " |")
    md.append("|" + "---|" * (len(systems) + 1))
    for ph in PHASES:
        if ph not in cpu_table:
            continue
        cells = []
        for s in systems:
            c = cpu_table[ph].get(s)
            if not c:
                cells.append("—")
                continue
            cells.append("%s / %s / %s" % (fmt(c.get("daemon")) if "daemon" in c else "–",
                                           fmt(c.get("rgw")), fmt(c.get("osd"))))
        md.append("| %s | %s |" % (ph, " | ".join(cells)))

    md += ["", "## scale_index", "", scale_index["status"] + "."]
    if scale_index["results"] is not None:
        md += ["", "```json", json.dumps(scale_index["results"], indent=1), "```"]

    md += ["", "## How this was measured", ""]
    for s in systems:
        md.append("- **%s**: %s" % (s, meta["options"].get(s, "")))
    md.append("- Requests: " + meta["requests_counted"] + ".")
    md.append("- Durable: after the writer returns, the bucket is listed (boto3, straight to radosgw) "
              "every 50 ms until every object is there with its size; durable time = the writer's time "
              "+ the wait. On disk and through the passthroughs there is nothing to wait for (W1 and W6 "
              "without fsync).")
    md.append("- W4 LIST budget: one LIST per directory of the tree (generated/, images/, one per task) "
              "and per 1000 entries; a LIST that looks up the tree's top directory counts against it. "
              "Scale: one LIST per 1000 entries plus one for the lookup of the directory.")
    md.append("- W5: the second mount lists the directory once before the trials, then polls stat() "
              "every 10 ms; rclone keeps directory listings for --dir-cache-time (default 5 min).")
    md.append("- W7: write = the file copied from memory in 1 MiB writes, fsync and close on the clock; "
              "reads into memory in 1 MiB reads; random reads: pread of 4 KiB at seeded random offsets, "
              "one at a time (RAND_N or RAND_MAX_S seconds, whichever comes first). W8: open + read of "
              "1 byte, TTFB_N files one at a time.")
    md.append("- W3 passes apart: after the 3rd pass the harness sleeps W3_APART_S (bucketfs's stat_ttl "
              "+ 1 s), then reads everything once more: every cached file's attributes have expired.")
    md.append("- Targets (issue 26): cached rows against pt_ll (passthrough_ll, cache=always), uncached "
              "ones against raw; \"ahead of s3fs, rclone\" on every row of times and rates: bucketfs's "
              "figure divided by each one's, per round, median, better than 1 (a timeout of theirs "
              "counts as bucketfs ahead).")
    md.append("- Memory: RssAnon sampled every 100 ms (peak over all phases), VmHWM reset at each phase.")
    md.append("- Chart: chart.png, throughput relative to the raw client per workload (log scale).")
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write("\n".join(md) + "\n")

    ok = gnuplot_chart(a.out, rows_by_id, systems)
    print("\n".join(main_table))
    print("\n(full tables: %s/results.md; JSON: results.json%s)" %
          (a.out, "; chart: chart.png" if ok else "; no chart"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
