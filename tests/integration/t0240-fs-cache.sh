#!/bin/bash
# SPDX-License-Identifier: MIT
# t0240-fs-cache — the read cache: kept across remounts (served without a
# GET), revalidated with a conditional request once stale (304, no body),
# refetched when the object changed elsewhere, and readable with the S3
# server stopped.  Large objects are read with ranges before they are whole.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 240
test_setup cache  # (radosgw, $tmp, a new bucket $bucket)

proxy_start ""
plog=$PROXY_LOG
proxy=$PROXY_PID
PEP=$PROXY_EP
mark() { wc -l <"$plog"; }
since() { tail -n +$(($1 + 1)) "$plog"; }

head -c 1048576 /dev/urandom >"$tmp/a.png"
s3_cp "$tmp/a.png" "s3://$bucket/img/a.png" >/dev/null
mnt=$tmp/mnt
cache=$tmp/cache
bfs_mount "$bucket" "$mnt" "endpoint=$PEP,path_style,cache_dir=$cache,stat_ttl=3600"
assert_file_eq "$tmp/a.png" "$mnt/img/a.png" "first read (GET) byte-exact"
bfs_umount "$mnt"

bfs_mount "$bucket" "$mnt" "endpoint=$PEP,path_style,cache_dir=$cache,stat_ttl=3600"
m=$(mark)
assert_file_eq "$tmp/a.png" "$mnt/img/a.png" "after a remount, read from the kept cache"
assert_eq "$(since "$m" | grep -c '^GET /'"$bucket"'/img/a.png' || true)" 0 "no GET of the object after the remount (fresh within stat_ttl)"
bfs_umount "$mnt"

# stale: revalidated by one HEAD (same ETag) or a GET with If-None-Match -> 304
bfs_mount "$bucket" "$mnt" "endpoint=$PEP,path_style,cache_dir=$cache,stat_ttl=0.2"
sleep 0.5
m=$(mark)
assert_file_eq "$tmp/a.png" "$mnt/img/a.png" "stale cached copy revalidated"
# (or its directory's listing, when img/ was stale too and listed first: a
# listing showing the same ETag confirms the file, SEMANTICS.md; a busy
# machine makes that order likely)
since "$m" | grep -Eq "^(GET /$bucket/img/a.png -> 304|HEAD /$bucket/img/a.png -> 200|GET /$bucket/?\?[^ ]*prefix=img%2F)" ||
	{ since "$m"; fail "no revalidating request (HEAD, GET answered 304, or img/'s listing)"; }
assert_eq "$(since "$m" | grep -c "^GET /$bucket/img/a.png -> 200" || true)" 0 "stale: no body fetched again"
ok "stale: revalidated without fetching the body again ($(since "$m" | grep -c "/$bucket/img/a.png") request)"


# changed elsewhere: the new bytes, never the old ones after the window
head -c 1048576 /dev/urandom >"$tmp/b.png"
s3_cp "$tmp/b.png" "s3://$bucket/img/a.png" >/dev/null
sleep 0.5
assert_file_eq "$tmp/b.png" "$mnt/img/a.png" "an overwrite by another client is seen after the window"

# large object: ranged reads before it is whole
head -c $((40 << 20)) /dev/urandom >"$tmp/big.bin"
s3_cp "$tmp/big.bin" "s3://$bucket/big.bin" >/dev/null
m=$(mark)
dd if="$mnt/big.bin" of="$tmp/first.bin" bs=1M count=1 status=none
cmp -s "$tmp/first.bin" <(head -c 1048576 "$tmp/big.bin") || fail "first MiB of the large object differs"
since "$m" | grep "^GET /$bucket/big.bin" >"$tmp/bigget" || true
n=$(wc -l <"$tmp/bigget")
[ "$n" -ge 1 ] || fail "no GET for the large object"
ok "reading 1 MiB of a 40 MiB object: $n ranged GET(s) before the rest is needed"
assert_file_eq "$tmp/big.bin" "$mnt/big.bin" "the whole large object, read sequentially"

# a sequential reader of a large object: past the first range, ranges are
# fetched several at once (parallel_parts), each pinned to the ETag.  Through
# a proxy that holds every GET 200 ms and logs how many requests it holds.
proxy_start "" --mix "GET:delay=1" --delay-ms 200 --log-header Range --log-inflight
slog=$PROXY_LOG
smnt=$tmp/smnt
bfs_mount "$bucket" "$smnt" "endpoint=$PROXY_EP,path_style,cache_dir=$tmp/scache,lookup_get=0"
assert_file_eq "$tmp/big.bin" "$smnt/big.bin" "a large object read sequentially with parallel ranges"
grep "^GET /$bucket/big.bin " "$slog" >"$tmp/sget" || true
n=$(wc -l <"$tmp/sget")
par=$(grep -c " inflight=[2-9]" "$tmp/sget" || true)
[ "$par" -ge 2 ] || { cat "$tmp/sget"; fail "sequential read of 40 MiB: no ranged GETs at once ($n GETs)"; }
ok "sequential read of 40 MiB: $n ranged GETs, $par of them sent while others were under way"
[ "$n" -le 8 ] || fail "sequential read of 40 MiB: $n ranged GETs (8 MiB each: at most 6)"
# replaced in the middle of a read: the reader gets the old bytes whole or
# an error (ESTALE), never old bytes followed by new ones
head -c $((40 << 20)) /dev/urandom >"$tmp/big2.bin"
head -c $((40 << 20)) /dev/urandom >"$tmp/big2new.bin"
s3_cp "$tmp/big2.bin" "s3://$bucket/big2.bin" >/dev/null
/usr/bin/python3 - "$smnt/big2.bin" "$tmp/big2.read" "$tmp/big2new.bin" "$bucket" "$RGW_ENDPOINT" \
	<<'PY' >"$tmp/big2.out" 2>&1 || true
import subprocess, sys
src, out, new, bucket, ep = sys.argv[1:6]
with open(src, "rb") as f, open(out, "wb") as o:
    o.write(f.read(1 << 20))
    subprocess.run(["aws", "--endpoint-url", ep, "s3", "cp", "--no-progress", new,
                    "s3://%s/big2.bin" % bucket],
                   check=True, stdout=subprocess.DEVNULL)
    try:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            o.write(b)
        print("read to the end")
    except OSError as e:
        print("error:", e.strerror)
PY
grep -Eq "^(read to the end|error: .*)$" "$tmp/big2.out" || fail "replaced during a read: $(cat "$tmp/big2.out")"
got=$(wc -c <"$tmp/big2.read")
cmp -s "$tmp/big2.read" <(head -c "$got" "$tmp/big2.bin") ||
	fail "replaced during a read: the bytes read are not a prefix of the version opened"
ok "replaced during a read: $got bytes of the version opened, then: $(cat "$tmp/big2.out")"
bfs_umount "$smnt"
# the control: with parallel_parts=1, one range at a time
: >"$slog"
bfs_mount "$bucket" "$smnt" "endpoint=$PROXY_EP,path_style,cache_dir=$tmp/scache1,lookup_get=0,parallel_parts=1"
assert_file_eq "$tmp/big.bin" "$smnt/big.bin" "a large object read sequentially, parallel_parts=1"
grep "^GET /$bucket/big.bin " "$slog" >"$tmp/sget" || true
assert_eq "$(grep -c " inflight=1$" "$tmp/sget" || true)" "$(wc -l <"$tmp/sget")" \
	"parallel_parts=1: one ranged GET at a time"
bfs_umount "$smnt"

# lookup_get: a file looked up by name is fetched by that one GET (its first
# 64 KiB here): smaller ones whole, larger ones as a prefix the reads extend
# with ranges; an empty object falls back to a HEAD (no range to serve)
head -c 65536 /dev/urandom >"$tmp/l64k.bin"
head -c 300000 /dev/urandom >"$tmp/l300k.bin"
: >"$tmp/l0.bin"
for f in l64k l300k l0; do s3_cp "$tmp/$f.bin" "s3://$bucket/lk/$f.bin" >/dev/null; done
lm=$tmp/mnt-lk
bfs_mount "$bucket" "$lm" "endpoint=$PEP,path_style,lookup_get=64K"
stat "$lm/lk" >/dev/null
m=$(mark)
assert_file_eq "$tmp/l64k.bin" "$lm/lk/l64k.bin" "lookup_get=64K: a 64 KiB object reads byte-exact"
assert_eq "$(since "$m" | grep -c "^GET /$bucket/lk/l64k.bin")/$(since "$m" | grep -c "^HEAD /$bucket/lk/l64k.bin")" 1/0 \
	"lookup_get=64K: the 64 KiB object cost one GET at lookup, no HEAD, nothing at open"
m=$(mark)
assert_file_eq "$tmp/l300k.bin" "$lm/lk/l300k.bin" "lookup_get=64K: a 300 KB object reads byte-exact"
assert_eq "$(since "$m" | grep -c "^GET /$bucket/lk/l300k.bin")/$(since "$m" | grep -c "^HEAD /$bucket/lk/l300k.bin")" 2/0 \
	"lookup_get=64K: the 300 KB object cost its first 64 KiB at lookup and one ranged GET for the rest"
assert_file_eq "$tmp/l0.bin" "$lm/lk/l0.bin" "lookup_get=64K: an empty object reads (empty)"
st=$("$BFS_BUILD_DIR/bucketfsctl" status "$lm")
grep -q "^cache_hits: 0 of 3 opens" <<<"$st" || fail "opens of files fetched at lookup count as misses: $st"
bfs_umount "$lm"
ok "lookup_get: objects fetched at lookup read byte-exact, and count as cache misses"

# offline: stop the proxy (the bucket is unreachable); cached files still read
kill $proxy
wait $proxy 2>/dev/null || true
sleep 1.5
assert_file_eq "$tmp/b.png" "$mnt/img/a.png" "with the bucket unreachable, a cached file is still served"
assert_file_eq "$tmp/big.bin" "$mnt/big.bin" "... and the large one read before"
out=$(cat "$mnt/img/nope.png" 2>&1) && fail "reading a missing file offline succeeded"
ok "offline, an uncached name fails cleanly: ${out##*: }"
