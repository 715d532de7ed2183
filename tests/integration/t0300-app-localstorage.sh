#!/bin/bash
# SPDX-License-Identifier: MIT
# t0300-app-localstorage — the app this is for: a Next.js app whose storage
# code (tests/node/localstorage.mjs, LocalStorage) saves AI-generated images
# with fs.promises.mkdir(recursive) + writeFile under public/generated/images/
# <taskId>/<n>.png, with bucketfs mounted at public/generated (BUCKET:/site1).
# Two runs, 1 writer then 8 concurrent writers, BFS_APP_TASKS (100; 50 under
# the sanitizers; the benchmark, tests/bench, runs 200) tasks of 4 ~1 MiB
# images each, half handed over as Buffers and half as data: URLs.
# Checked: boto3 finds every image as site1/images/<taskId>/<n>.png with the
# same bytes (SHA-256) and Content-Type image/png, and no other object but
# directory markers (counted); the app reads every image back through the
# mount, again after an unmount and a remount on the same cache_dir, and
# through a fresh mount on an empty cache_dir (so from the bucket).  Timings
# are printed as figures, not checked.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 240

node=$(command -v node) || fail "node not found in PATH (tests/setup-deps.sh installs nodejs)"
major=$("$node" -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 18 ] || fail "node $("$node" --version) is too old: localstorage.mjs needs 18+"
app=$BFS_SOURCE_DIR/tests/node/localstorage.mjs
tasks=${BFS_APP_TASKS:-100}
# (under the sanitizers, what matters is the code paths, not the volume)
[ -z "${BFS_SANITIZED:-}" ] || tasks=${BFS_APP_TASKS:-50}
[[ $tasks =~ ^[1-9][0-9]*$ ]] || fail "BFS_APP_TASKS='$tasks' is not a positive number"
per_task=4 size=1048576
total=$((2 * tasks * per_task))

# radosgw's OSD keeps every object in RAM (memstore, 2 GiB by default): make
# room for both runs (~0.8 GiB at 100 tasks) with some to spare.
need_mib=$((total * 105 * 3 / 200 + 512))
if [ -z "${RGW_MEMSTORE_BYTES:-}" ] && [ "$need_mib" -gt 2048 ]; then
	export RGW_MEMSTORE_BYTES=$((need_mib << 20))
fi
test_setup app  # (radosgw, $tmp, a new bucket $bucket)
pub=$tmp/public
mnt=$pub/generated
cache=$tmp/cache
mkdir -p "$cache"

# figure NAME: the value of NAME=... in $summary (localstorage.mjs's last line).
figure() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $summary"; }

# app ARG...: run localstorage.mjs, its output shown as comments; sets $summary.
# On a failure, the tail of the daemon's log too.
app() {
	local out rc=0
	out=$("$node" "$app" "$@" 2>&1) || rc=$?
	sed 's/^/# /' <<<"$out"
	summary=$(grep '^summary ' <<<"$out" | tail -n 1) || summary=
	if [ "$rc" -ne 0 ] || [ -z "$summary" ]; then
		bfs_log_tail "${BFS_MOUNT_LOG[$mnt]}"
		fail "node localstorage.mjs $* exited $rc"
	fi
}

# seconds_since T0: wall seconds since $EPOCHREALTIME was T0, "%.1f".
seconds_since() { awk -v t0="$1" -v t1="$EPOCHREALTIME" 'BEGIN { printf "%.1f", t1 - t0 }'; }

t0=$EPOCHREALTIME
bfs_mount "$bucket:/site1" "$mnt" "cache_dir=$cache"
ok "mounted $bucket:/site1 at public/generated in $(seconds_since "$t0") s"

# --- the app writes: 1 writer, then 8 ---------------------------------------
declare -A mibs=()
run=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
for writers in 1 8; do
	app --public "$pub" --tasks "$tasks" --per-task "$per_task" --writers "$writers" \
		--size "$size" --manifest "$tmp/manifest.$writers.jsonl" --run-id "$(printf '%02x' "$writers")$run"
	assert_eq "$(figure count)/$(wc -l <"$tmp/manifest.$writers.jsonl")" \
		"$((tasks * per_task))/$((tasks * per_task))" "$writers writer(s): saveImage stored every image"
	ok "$writers writer(s): $(figure count) images ($(figure data_urls) as data: URLs), $(figure bytes) bytes in $(figure seconds) s = $(figure mib_per_s) MiB/s; saveImage p50 $(figure p50_ms) ms, p99 $(figure p99_ms) ms, max $(figure max_ms) ms (generating the images took $(figure gen_seconds) s of it)"
	mibs[$writers]=$(figure mib_per_s)
done
cat "$tmp/manifest.1.jsonl" "$tmp/manifest.8.jsonl" >"$tmp/manifest.jsonl"

# --- the bucket, through boto3 ------------------------------------------------
# Waits (at most 60 s) until every image is listed at its size, in case the
# daemon uploads after close() returns, and says how long that took; then
# reads every object.  Prints key=value figures; problems go to stderr.
t0=$EPOCHREALTIME
boto3_py "$bucket" site1 "$tmp/manifest.jsonl" >"$tmp/boto3.out" <<'PY' || {
import concurrent.futures, hashlib, json, time
bucket, prefix, manifest = sys.argv[1:]
want = {}
for line in open(manifest):
    e = json.loads(line)
    assert e["url"].startswith("/generated/images/"), e["url"]
    key = prefix + e["url"][len("/generated"):]
    assert key not in want, "the manifest has " + key + " twice"
    want[key] = e

def listing():
    objs = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for o in page.get("Contents", []):
            objs[o["Key"]] = o["Size"]
    return objs

def complete(objs):
    return sum(1 for k, e in want.items() if objs.get(k) == e["size"])

t0 = time.time()
objs = listing()
at_once = complete(objs)
while complete(objs) < len(want) and time.time() - t0 < 60:
    time.sleep(0.5)
    objs = listing()
lag = time.time() - t0 if at_once < len(want) else 0.0

markers = sorted(k for k in objs if k.endswith("/"))
files = {k: n for k, n in objs.items() if not k.endswith("/")}
outside = sorted(k for k in objs if not k.startswith(prefix + "/"))
missing = sorted(set(want) - set(files))
extra = sorted(set(files) - set(want))
problems = ["missing: " + k for k in missing] + ["not in the manifest: " + k for k in extra]
problems += ["outside %s/: %s" % (prefix, k) for k in outside]

def check(key):
    o = s3.get_object(Bucket=bucket, Key=key)
    body = o["Body"].read()
    return key, len(body), hashlib.sha256(body).hexdigest(), o.get("ContentType")

t1 = time.time()
bad_bytes = bad_type = nbytes = 0
types = {}
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    for key, n, digest, ctype in pool.map(check, sorted(set(want) & set(files))):
        nbytes += n
        types[ctype] = types.get(ctype, 0) + 1
        e = want[key]
        if (n, digest) != (e["size"], e["sha256"]):
            bad_bytes += 1
            problems.append("%s: %d bytes, sha256 %s; the app wrote %d bytes, sha256 %s"
                            % (key, n, digest, e["size"], e["sha256"]))
        if ctype != "image/png":
            bad_type += 1
            problems.append("%s: ContentType %r" % (key, ctype))
get_s = time.time() - t1

for p in problems[:30]:
    print("boto3: " + p, file=sys.stderr)
if len(problems) > 30:
    print("boto3: ... and %d more problems" % (len(problems) - 30), file=sys.stderr)
print("manifest=%d objects=%d markers=%d outside=%d missing=%d extra=%d bad_bytes=%d "
      "bad_type=%d at_once=%d lag_s=%.1f get_s=%.1f get_mibs=%.1f"
      % (len(want), len(files), len(markers), len(outside), len(missing), len(extra),
         bad_bytes, bad_type, at_once, lag, get_s, nbytes / 1048576 / max(get_s, 1e-9)))
print("types=" + ",".join("%s:%d" % (t, n) for t, n in sorted(types.items(), key=str)))
print("marker_list=" + ",".join(markers[:3]) + (",..." if len(markers) > 3 else ""))
PY
	bfs_log_tail "${BFS_MOUNT_LOG[$mnt]}"
	fail "the boto3 check of the bucket did not run to the end"
}
summary=" $(tr '\n' ' ' <"$tmp/boto3.out")"
sed 's/^/# boto3: /' "$tmp/boto3.out"
assert_eq "$(figure manifest)" "$total" "the manifest lists $total images"
assert_eq "$(figure missing)" 0 "boto3: every image is an object site1/images/<taskId>/<n>.png"
assert_eq "$(figure bad_bytes)" 0 "boto3: every object holds exactly the app's bytes (SHA-256 of all $total)"
assert_eq "$(figure bad_type)" 0 "boto3: every object has Content-Type image/png"
assert_eq "$(figure outside)" 0 "boto3: nothing in the bucket outside site1/"
assert_eq "$(figure objects)" "$total" \
	"boto3: $total objects besides directory markers, as many as images saved"
if [ "$(figure markers)" = 0 ]; then
	ok "boto3: no directory markers"
else
	ok "boto3: $(figure markers) directory marker(s) besides (first ones: $(figure marker_list))"
fi
ok "boto3: $(figure at_once) of $total images were in the bucket at once when the writers finished$([ "$(figure at_once)" = "$total" ] || echo ", all of them $(figure lag_s) s later")"
ok "boto3: read the $total objects back in $(figure get_s) s ($(figure get_mibs) MiB/s, 8 threads)"

# --- the app reads them back ----------------------------------------------------
# verify LABEL: every image read back through the mount at PUBLIC + its URL.
verify() {
	local names
	names=$(ls -- "$mnt/images") || fail "$1: cannot list public/generated/images"
	assert_eq "$(grep -c . <<<"$names")" "$((2 * tasks))" "$1: public/generated/images lists the $((2 * tasks)) task directories"
	app --verify "$tmp/manifest.jsonl" --public "$pub" --readers 4
	assert_eq "$(figure bad)" 0 "$1: the app reads all $total images back byte-exact"
	ok "$1: read $(figure bytes) bytes in $(figure seconds) s = $(figure mib_per_s) MiB/s (4 readers; p50 $(figure p50_ms) ms, p99 $(figure p99_ms) ms per image)"
}
verify "through the mount"

t0=$EPOCHREALTIME
bfs_umount "$mnt"
ok "unmounted in $(seconds_since "$t0") s; bucketfs exited 0"
assert_eq "$(ls -A -- "$mnt")" "" "under the mount point public/generated is still empty"
ok "cache_dir holds $(du -sm -- "$cache" | cut -f1) MiB after the unmount"

t0=$EPOCHREALTIME
bfs_mount "$bucket:/site1" "$mnt" "cache_dir=$cache"
ok "remounted on the same cache_dir in $(seconds_since "$t0") s"
verify "after a remount on the same cache_dir"
bfs_umount "$mnt"

# A fresh cache_dir: what a second web server on the same bucket would see.
mkdir -p "$tmp/cache2"
t0=$EPOCHREALTIME
bfs_mount "$bucket:/site1" "$mnt" "cache_dir=$tmp/cache2"
ok "mounted again on an empty cache_dir in $(seconds_since "$t0") s"
verify "with an empty cache_dir (from the bucket)"
bfs_umount "$mnt"
ok "figures: 1 writer ${mibs[1]} MiB/s, 8 writers ${mibs[8]} MiB/s ($tasks tasks x $per_task images of ~$((size >> 20)) MiB each)"
