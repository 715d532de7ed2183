#!/bin/bash
# SPDX-License-Identifier: MIT
# t0295-ctl-mount — bucketfsctl talking to a running mount through its
# control socket (CACHE_DIR/ctl.sock, mode 600, named by the mount root's
# user.bucketfs.ctl attribute): status (cache, hits, pending uploads),
# pending (with attempts and errors), flush (uploads now, or says what is
# still pending), evict (one copy, all), fsck (finds a flipped byte, repairs);
# errors and "nothing to do" said in words (issue 27, 2); flush's progress:
# one updating line on a terminal, a line every 5 s otherwise (issue 27, 3).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 200
test_setup ctl  # (radosgw, $tmp, a new bucket $bucket)
proxy_start ""
ctl() { "$BFS_BUILD_DIR/bucketfsctl" "$@"; }
mnt=$tmp/mnt
cache=$tmp/cache
bfs_mount "$bucket" "$mnt" "endpoint=$PROXY_EP,path_style,cache_dir=$cache,writeback=60,cache_size=64M,stat_ttl=3600,unmount_wait=3"

assert_eq "$(stat -c %a "$cache/ctl.sock")" 600 "the control socket is mode 600"
sock=$(python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.bucketfs.ctl").decode())' "$mnt")
assert_eq "$sock" "$cache/ctl.sock" "the mount root names its socket in user.bucketfs.ctl"

for f in a b c; do head -c 200000 /dev/urandom >"$tmp/$f"; cp "$tmp/$f" "$mnt/$f.png"; done
st=$(ctl status "$mnt") || fail "status failed"
grep -q "^pending_uploads: 3$" <<<"$st" || fail "status does not show 3 pending uploads: $st"
grep -q "^uploads: write-back, 60.0 s after close$" <<<"$st" || fail "status: mode: $st"
grep -q "^cache_size: 67108864 (64.0 MiB" <<<"$st" || fail "status: cap: $st"
ok "status: 3 pending uploads, write-back mode, the cap"
pend=$(ctl pending "$mnt")
assert_eq "$(awk '{ print $1, $2, $4, $5 }' <<<"$pend" | sort | tr '\n' ';')" \
	"/a.png 200000 0 -;/b.png 200000 0 -;/c.png 200000 0 -;" "pending lists the three with size, no attempt yet"
out=$(ctl flush "$mnt") || fail "flush failed: $out"
for f in a b c; do
	boto3_py "$bucket" "$f.png" "$tmp/$f" <<'PY' || fail "$f.png not in the bucket after flush"
b, k, ref = sys.argv[1:4]
assert s3.get_object(Bucket=b, Key=k)["Body"].read() == open(ref, "rb").read()
PY
done
grep -q "^pending_uploads: 0$" <<<"$(ctl status "$mnt")" || fail "still pending after flush"
ok "flush sent the 60 s-delayed uploads at once; the bucket has them byte-exact"

# hits and evictions
for f in a b c; do cat "$mnt/$f.png" >/dev/null; done
grep -q "^cache_hits: 3 of 3 opens (100.0%)$" <<<"$(ctl status "$mnt")" ||
	fail "hit ratio: $(ctl status "$mnt" | grep hits)"
ok "status counts the three cache hits"
assert_eq "$(ctl evict "$mnt" /a.png)" "evicted 1 copy (195.3 KiB)" "evict one path"
m=$(wc -l <"$PROXY_LOG")
assert_file_eq "$tmp/a" "$mnt/a.png" "a.png reads back after its eviction"
assert_eq "$(tail -n +$((m + 1)) "$PROXY_LOG" | grep -c "^GET /$bucket/a.png ")" 1 "... with one GET"
out=$(ctl evict "$mnt" /nosuch.png 2>&1) && fail "evicting a missing path succeeded"
assert_eq "$out" "bucketfsctl: evict: /nosuch.png: the mount knows no such file" "evict of a missing path"
# (issue 27, 2) the cause in words, paths as a shell completes them, and a
# line when there is nothing to do
exec 7<"$mnt/b.png"  # (nginx's open_file_cache holds files so)
out=$(ctl evict "$mnt" b.png 2>&1) && fail "evicting an open file's copy succeeded"
assert_eq "$out" "bucketfsctl: evict: /b.png is open (1 handle: a reader such as nginx's open_file_cache may hold it), so its copy stays; evict it once it is closed" "evict of an open file"
exec 7<&-
out=$(ctl evict "$mnt" /a.png/) || fail "evict of a cached file: $out"
assert_eq "$out" "evicted 1 copy (195.3 KiB)" "evict /a.png/ (a trailing slash)"
out=$(ctl evict "$mnt" /a.png) || fail "evicting an uncached file failed: $out"
assert_eq "$out" "nothing to evict: /a.png has no cached copy" "evict with nothing to do"
cp "$tmp/a" "$mnt/p.png"
out=$(ctl evict "$mnt" /p.png 2>&1) && fail "evicting a pending upload's copy succeeded"
assert_eq "$out" "bucketfsctl: evict: /p.png is not in the bucket yet (its upload is pending: see 'pending'), so its copy is the only one and stays" "evict of a pending upload"
out=$(ctl invalidate "$mnt" a.png) || fail "invalidate without the leading /: $out"
assert_eq "$out" "invalidated 1 entry at and below /a.png" "invalidate a.png"
out=$(ctl invalidate "$mnt" /no/such/dir) || fail "invalidate of an unknown path: $out"
assert_eq "$out" "nothing to invalidate: the mount knows nothing at or below /no/such/dir" "invalidate with nothing to do"
out=$(ctl invalidate "$mnt" ../etc 2>&1) && fail "invalidate ../etc succeeded"
ok "errors in words: $out"
if id nobody >/dev/null 2>&1; then
	# (a copy nobody may run: the build may be in a directory only root enters)
	chmod 711 "$tmp"
	cp "$BFS_BUILD_DIR/bucketfsctl" "$tmp/bucketfsctl-copy"
	chmod 755 "$tmp/bucketfsctl-copy"
	out=$(runuser -u nobody -- "$tmp/bucketfsctl-copy" status "$mnt" 2>&1) &&
		fail "status as nobody succeeded"
	grep -q "permission denied: .* answers only root and the user who mounted it" <<<"$out" ||
		fail "status as another user: $out"
	ok "status as another user: $out"
fi
out=$(ctl flush "$mnt" 60) || fail "flush: $out"
grep -Eq '^uploaded 1 file \([0-9.]+ KiB\) in [0-9.]+ s$' <<<"$out" || fail "flush of p.png: $out"
out=$(ctl flush "$mnt" 60) || fail "flush: $out"
assert_eq "$out" "nothing to upload: no pending uploads" "flush with nothing to do"

# flush of many uploads, as an operator sees it: on a terminal (script(1)
# gives it one) one line updating in place, then the summary; into a file
# or a pipe, a line every 5 s at most, then the summary
mkdir "$mnt/many"
for i in $(seq 1 200); do head -c 4096 /dev/urandom >"$mnt/many/$i.png"; done
script -qec "$BFS_BUILD_DIR/bucketfsctl flush $mnt 120" /dev/null >"$tmp/flush.tty" ||
	fail "flush on a terminal: $(cat -v "$tmp/flush.tty")"
# (each update: a carriage return and erase-line, ESC [ K, then the line)
grep -q $'\r\e\\[Kflush: ' "$tmp/flush.tty" || fail "flush on a terminal: no line updated in place: $(cat -v "$tmp/flush.tty")"
sed 's/\x1b\[K//g' "$tmp/flush.tty" | tr '\r' '\n' | grep -v '^$' >"$tmp/flush.lines"
grep -Eq '^flush: [0-9]+ files? \([0-9.]+ (B|KiB|MiB)\) uploaded, [0-9]+ left \([0-9.]+ (B|KiB|MiB)\), [0-9.]+ (B|KiB|MiB)/s, ETA ' "$tmp/flush.lines" ||
	fail "flush on a terminal: no progress: $(cat -v "$tmp/flush.tty")"
grep -Eq '^uploaded 200 files \([0-9.]+ KiB\) in [0-9.]+ s$' "$tmp/flush.lines" ||
	fail "flush on a terminal: no summary: $(cat -v "$tmp/flush.tty")"
assert_eq "$(grep -ao $'\r\e\\[Kflush: ' "$tmp/flush.tty" | wc -l)" "$(grep -ao 'flush: ' "$tmp/flush.tty" | wc -l)" \
	"on a terminal, every progress update rewrites the one line"
ok "flush of 200 uploads on a terminal: $(grep -c '^flush: ' "$tmp/flush.lines") updates of one line, then: $(tail -n 1 "$tmp/flush.lines")"
for i in $(seq 1 200); do head -c 4096 /dev/urandom >"$mnt/many/b$i.png"; done
t0=$SECONDS
ctl flush "$mnt" 120 >"$tmp/flush.out" || fail "flush into a file: $(cat "$tmp/flush.out")"
n=$(grep -c '^flush: ' "$tmp/flush.out")
[ "$n" -le $(((SECONDS - t0) / 5 + 2)) ] || fail "flush into a file: $n progress lines in $((SECONDS - t0)) s"
grep -Eq '^uploaded 200 files \([0-9.]+ KiB\) in [0-9.]+ s$' "$tmp/flush.out" ||
	fail "flush into a file: $(cat "$tmp/flush.out")"
ok "flush of 200 uploads into a file: $(wc -l <"$tmp/flush.out") lines: $(tr '\n' ';' <"$tmp/flush.out")"

# fsck finds a flipped byte and repairs it
ctl fsck "$mnt" >"$tmp/fsck0" || fail "fsck of a sound cache failed: $(cat "$tmp/fsck0")"
grep -q "^damaged_copies: 0$" "$tmp/fsck0" || fail "fsck0: $(cat "$tmp/fsck0")"
f=$(for x in $(find "$cache/data" -type f -size 200000c); do
	if cmp -s "$x" "$tmp/b"; then echo "$x"; fi
done)
[ -n "$f" ] || fail "no data file holds b.png"
printf 'Z' | dd of="$f" bs=1 seek=1000 conv=notrunc 2>/dev/null
out=$(ctl fsck "$mnt") && fail "fsck missed a flipped byte"
grep -Eq "damaged /b.png: its (CRC32C is not the one recorded|MD5 is not the ETag's)" <<<"$out" ||
	fail "fsck: $out"
ok "fsck finds the flipped byte in b.png's copy (exit 1)"
out=$(ctl fsck "$mnt" --repair) || fail "fsck --repair failed: $out"
grep -q "^repaired: 1$" <<<"$out" || fail "repair: $out"
assert_file_eq "$tmp/b" "$mnt/b.png" "b.png reads back right after the repair"
ctl fsck "$mnt" >/dev/null || fail "fsck after repair still finds problems"
ok "fsck --repair dropped the damaged copy; a second fsck is clean"

# flush that cannot finish: the bucket unreachable
kill "$PROXY_PID"
head -c 1000 /dev/urandom >"$tmp/d"
cp "$tmp/d" "$mnt/d.png"
out=$(ctl flush "$mnt" 3 2>&1) && fail "flush succeeded with the bucket unreachable"
grep -Eq "still pending after [0-9.]+ s: 1 upload \(" <<<"$out" || fail "flush: $out"
ok "flush with the bucket unreachable gives up after 3 s: $(tail -n 1 <<<"$out")"
for _ in $(seq 150); do
	pend=$(ctl pending "$mnt")
	[[ $pend == "/d.png 1000 "*" "[1-9]*" "* ]] && break
	sleep 0.1
done
[[ $pend == "/d.png 1000 "*" "[1-9]*" "* ]] || fail "pending after a failed attempt: $pend"
ok "pending shows the failed attempts and the error: $pend"

out=$(ctl status "$tmp" 2>&1) && fail "status of a non-mount succeeded"
ok "status of a directory that is no mount: $out"
bfs_umount "$mnt"
[ ! -e "$cache/ctl.sock" ] || fail "the socket was left after unmount"
ok "the socket is removed at unmount"

# fsck of a large cache shows its progress as flush does: 60,000 cached
# copies (tests/bench/index_fill.c), checked on a terminal
fill=$BFS_BUILD_DIR/tests/bench_index_fill
if [ -x "$fill" ]; then
	mkdir -p "$tmp/fb" "$tmp/fm"
	"$fill" "$tmp/fc" 0 60000 4096 >/dev/null || fail "bench_index_fill"
	bfs_mount "file:$tmp/fb" "$tmp/fm" "cache_dir=$tmp/fc,stat_ttl=100000"
	script -qec "$BFS_BUILD_DIR/bucketfsctl fsck $tmp/fm" /dev/null >"$tmp/fsck.tty" ||
		fail "fsck on a terminal: $(cat -v "$tmp/fsck.tty" | tail -c 2000)"
	sed 's/\x1b\[K//g' "$tmp/fsck.tty" | tr '\r' '\n' | grep -v '^$' >"$tmp/fsck.lines"
	grep -Eq '^fsck: [0-9]+ of about 600[0-9]{2} entries \([0-9]+%\), [0-9.]+ (KiB|MiB|GiB) of copies checked \([0-9.]+ (KiB|MiB|GiB)/s\), ETA ' "$tmp/fsck.lines" ||
		fail "fsck on a terminal: no progress: $(head -c 2000 "$tmp/fsck.lines")"
	grep -q '^entries: 600[0-9][0-9]' "$tmp/fsck.lines" || fail "fsck: $(tail -n 8 "$tmp/fsck.lines")"
	ok "fsck of 60,000 cached copies on a terminal: $(grep -c '^fsck: ' "$tmp/fsck.lines") updates of one line, e.g. $(grep -m1 '^fsck: ' "$tmp/fsck.lines")"
	bfs_umount "$tmp/fm"
fi
