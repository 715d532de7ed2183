#!/bin/bash
# SPDX-License-Identifier: MIT
# t0230-fs-requests — what the bucket sees, counted by a logging proxy in
# front of radosgw: writing 40 images the app's way (mkdir -p + write), reading
# them cold (fresh cache), reading them warm, ls -lR, and ls -l of a
# 2000-entry directory.  Bounds, not exact numbers where a bound is the point.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 240
test_setup reqs  # (radosgw, $tmp, a new bucket $bucket)

# 200 files for the web server's reads and 60 directories of 2 files for
# the tree sweep below, put now, straight to radosgw: their LastModified is
# then seconds older than their first read, as for files read long after
# their upload (a listing cannot confirm what was read within 2 s of it)
boto3_py "$bucket" <<'PY'
from concurrent.futures import ThreadPoolExecutor
bucket = sys.argv[1]
with ThreadPoolExecutor(16) as ex:
    list(ex.map(lambda i: s3.put_object(Bucket=bucket, Key="tree/d%03d/%d.png" % (i // 2, i % 2),
                                        Body=b"%d" % i), range(120)))
    list(ex.map(lambda i: s3.put_object(Bucket=bucket, Key="hot/h%03d.png" % i, Body=b"%d" % i), range(200)))
s3.put_object(Bucket=bucket, Key="tree/d020//odd", Body=b"a key no path can name")
PY

proxy_start ""
plog=$PROXY_LOG
PEP=$PROXY_EP

# count PHASE: print and remember the requests since the last call, by method.
declare -A seen
lines=0
count() {
	local n
	n=$(wc -l <"$plog")
	tail -n +$((lines + 1)) "$plog" | head -n $((n - lines)) >"$tmp/phase.log"
	lines=$n
	for m in GET HEAD PUT POST DELETE; do
		seen[$m]=$(grep -c "^$m " "$tmp/phase.log" || true)
	done
	seen[LIST]=$(grep -c '^GET [^ ]*[?&]list-type=2' "$tmp/phase.log" || true)
	seen[GET]=$((seen[GET] - seen[LIST]))
	seen[ALL]=$(wc -l <"$tmp/phase.log")
	echo "# $1: ${seen[ALL]} requests: GET ${seen[GET]} LIST ${seen[LIST]} HEAD ${seen[HEAD]} PUT ${seen[PUT]} DELETE ${seen[DELETE]} POST ${seen[POST]}"
}

mnt=$tmp/public/generated
bfs_mount "$bucket" "$mnt" "endpoint=$PEP,path_style"
count "mount (bucket check)"

# put_file SIZE PATH: a new file written as the app writes (Node's
# writeFile: one descriptor, open, write, close).  (A shell's "cmd > new"
# closes a first descriptor before cmd writes: one PUT more, of the empty
# file, checked below.)
# (cp, not dd: dd too opens its output, dup()s it to 1 and closes it.)
put_file() {
	[ -f "$tmp/src$1" ] || head -c "$1" /dev/urandom >"$tmp/src$1"
	cp "$tmp/src$1" "$2"
}

# 10 tasks x 4 images, as the app writes them
for t in $(seq 1 10); do
	mkdir -p "$mnt/images/task$t"
	for n in 0 1 2 3; do put_file 100000 "$mnt/images/task$t/$n.png"; done
done
count "write 40 files in 10 new directories"
assert_eq "${seen[PUT]}" 40 \
	"writing: one PUT per file (40), no directory marker (each new directory's first file makes it exist)"
assert_eq "${seen[HEAD]}" 0 "writing: no HEAD at all"
assert_eq "${seen[GET]}" 0 "writing: no GET"
[ "${seen[LIST]}" -le 11 ] || fail "writing: ${seen[LIST]} LISTs for 11 new directories"
ok "writing: ${seen[LIST]} LIST lookups for 11 directories not seen before"

# one file rewritten every 0.3 s for 3 s, past the 1 s window: each upload
# proves images/ and task1/ exist, so they are not revalidated (and the file
# itself is fresh from its last upload)
put_file 1000 "$mnt/images/task1/s.png"
count "(write images/task1/s.png)"
late=0 # (rewrites a busy machine delayed past the 0.9 s of the window)
prev=$EPOCHREALTIME
for n in $(seq 10 19); do
	put_file 1000 "$mnt/images/task1/s.png"
	now=$EPOCHREALTIME
	late=$((late + $(awk -v a="$prev" -v b="$now" 'BEGIN { print (b - a > 0.8) }')))
	prev=$now
	sleep 0.3
done
count "rewrite images/task1/s.png 10 times, one every 0.3 s ($late late)"
assert_eq "${seen[PUT]}" 10 "a rewritten file: one PUT each time"
[ "$((seen[ALL] - seen[PUT]))" -le $((3 * late)) ] ||
	fail "a rewritten file: $((seen[ALL] - seen[PUT])) other requests, $late rewrites late"
ok "a rewritten file: $((seen[ALL] - seen[PUT])) other request (images/ and task1/ proven by the uploads)"
rm -f "$mnt/images/task1/s.png"
count "remove it"
# a shell's "cmd > file": the empty (truncated) file is stored at the
# first close (close() returns once a file is in the bucket), then cmd's
echo new >"$mnt/images/task1/sh.txt"
count "echo new > a new file"
assert_eq "${seen[PUT]}" 2 "echo > a new file: the empty file at the first close, then its bytes"
echo again >"$mnt/images/task1/sh.txt"
count "echo again > the same file"
assert_eq "${seen[PUT]}" 2 "echo > an existing file: the truncation at the first close, then the bytes"
rm -f "$mnt/images/task1/sh.txt"
count "remove it"

# a stream of new files in a directory made here, past the negative window:
# the directory's listing (one LIST a window, shared by the lookups) answers
# for the new names, instead of a lookup of each
mkdir "$mnt/stream"
sleep 1.2
count "(mkdir stream)"
t0=$EPOCHREALTIME
for i in $(seq 1 30); do
	put_file 10 "$mnt/stream/f$i.txt"
	sleep 0.1
done
secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", b - a + 0.999 }')
count "30 new files in a directory made here, one every 0.1 s ($secs s)"
assert_eq "${seen[PUT]}" 30 "a stream of new files: one PUT each"
assert_eq "${seen[GET]}" 0 "a stream of new files: no GET"
# (a HEAD of stream/'s own marker, when a busy machine stretched the sleep
# past marker_delay and the marker was PUT: its LastModified, once)
[ "${seen[HEAD]}" -le 1 ] || fail "a stream of new files: ${seen[HEAD]} HEADs (at most stream/'s marker)"
# (one LIST a 1 s window; a busy machine stretches the stream over more)
[ "${seen[LIST]}" -le $((secs + 2)) ] ||
	fail "a stream of new files over $secs s: ${seen[LIST]} LISTs (one a 1 s window)"
ok "a stream of new files over $secs s: ${seen[LIST]} LIST, not one lookup per file"
# ... which does not hide a file another server puts there
boto3_py "$bucket" <<'PY'
s3.put_object(Bucket=sys.argv[1], Key="stream/other.txt", Body=b"from elsewhere")
PY
sleep 1.2
assert_eq "$(cat "$mnt/stream/other.txt")" "from elsewhere" \
	"a file put elsewhere in a directory made here is found after the negative window"
count "(boto3 puts stream/other.txt; read it)"

# the same in a directory made here that holds over 1000 names (another
# server's): a page does not cover it, so new names are probed one LIST
# each (not a GET and a LIST) until they outnumber the pages a listing
# takes, then it is listed whole again
mkdir "$mnt/crowd"
boto3_py "$bucket" <<'PY'
from concurrent.futures import ThreadPoolExecutor
bucket = sys.argv[1]
with ThreadPoolExecutor(16) as ex:
    list(ex.map(lambda i: s3.put_object(Bucket=bucket, Key="crowd/o%04d" % i, Body=b"x"), range(1001)))
PY
sleep 1.2
count "(mkdir crowd; boto3 puts 1001 objects in it)"
for i in 1 2 3 4 5; do put_file 10 "$mnt/crowd/new$i.txt"; done
count "5 new files in a crowded directory made here"
assert_eq "${seen[PUT]}" 5 "a crowded directory: one PUT per new file"
assert_eq "${seen[GET]}" 0 "a crowded directory: no GET"
# (crowd/'s own marker, the first time a listing shows it: a PUT's answer
# has no LastModified to know it by; twice if that is within 2 s of it)
[ "${seen[HEAD]}" -le 2 ] || fail "a crowded directory: ${seen[HEAD]} HEADs, at most 2 of its own marker"
[ "${seen[LIST]}" -le 7 ] || fail "a crowded directory: ${seen[LIST]} LISTs for 5 new names"
ok "a crowded directory: ${seen[LIST]} LIST for 5 new names (crowd/ revalidated, a page, 2 probes, 2 pages)"
[ -f "$mnt/crowd/o1000" ] || fail "a crowded directory: another server's o1000 not found"
ok "a crowded directory: another server's last file is found"
count "(stat crowd/o1000)"

find "$mnt/images" -type f -name '*.png' -exec cat {} + >"$tmp/warm0.cat"
count "read back on the writing mount"
assert_eq "${seen[GET]}" 0 "files written here are read from the cache: no GET"

bfs_umount "$mnt"
rm -rf "$tmp/cache2"
bfs_mount "$bucket" "$mnt" "endpoint=$PEP,path_style,cache_dir=$tmp/cache2"
count "remount with an empty cache"
for t in $(seq 1 10); do for n in 0 1 2 3; do cat "$mnt/images/task$t/$n.png"; done; done >"$tmp/cold.cat"
count "read 40 files cold, by path"
assert_eq "${seen[GET]}" 40 "cold: one GET per file"
[ "${seen[HEAD]}" -le 51 ] || fail "cold: ${seen[HEAD]} HEADs"
ok "cold: ${seen[HEAD]} HEAD (one per file and per directory looked up by name), ${seen[LIST]} LIST"
cmp -s "$tmp/warm0.cat" "$tmp/cold.cat" || true
for t in $(seq 1 10); do for n in 0 1 2 3; do cat "$mnt/images/task$t/$n.png"; done; done >"$tmp/warm.cat"
count "read 40 files warm"
assert_file_eq "$tmp/cold.cat" "$tmp/warm.cat" "warm read gives the same bytes"
[ "${seen[GET]}" -eq 0 ] || [ "${seen[GET]}" -le 40 ] || fail "warm: ${seen[GET]} GETs"
ok "warm: ${seen[GET]} GET (conditional, 304 after the 1 s window), ${seen[ALL]} requests in all"

# past the positive window: each directory's revalidation (one LIST of its
# first names) confirms its unchanged files, so no HEAD or GET per file --
# for the 0.9 s the daemon keeps that confirmation: a directory whose 4
# reads a busy machine stretched past it may see a HEAD for a later file
sleep 1.2
slow=" "
for t in $(seq 1 10); do
	t0=$EPOCHREALTIME
	for n in 0 1 2 3; do cat "$mnt/images/task$t/$n.png"; done
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a < 0.9) }' || slow+="task$t "
done >"$tmp/again.cat"
count "read 40 files again, past the 1 s window"
assert_file_eq "$tmp/cold.cat" "$tmp/again.cat" "past the window: the same bytes"
heads=$(grep "^HEAD " "$tmp/phase.log" || true)
while read -r _ path _; do
	[ -n "$path" ] || continue
	d=${path%/*}
	[[ $slow == *" ${d##*/} "* ]] ||
		fail "past the window: HEAD $path, though task ${d##*/}'s 4 reads took under 0.9 s (slow:$slow)"
done <<<"$heads"
ok "past the window: no HEAD per file (its directory's LIST confirms it)${heads:+; a busy machine stretched${slow}past the window: $(wc -l <<<"$heads") HEAD}"
assert_eq "${seen[GET]}" 0 "past the window: no GET (a confirmed file is fresh at open)"
[ "${seen[LIST]}" -le 11 ] || fail "past the window: ${seen[LIST]} LISTs for 11 directories"
ok "past the window: ${seen[LIST]} LIST for 40 files in 11 directories"

# 16 readers at once of one stale directory's files (by name, no glob: a
# glob lists the directory): the kernel asks about the directory in each of
# them; one LIST answers them all (and one for images/, stale as well)
sleep 1.2
pids=()
for i in $(seq 1 16); do
	cat "$mnt/images/task5/"{0,1,2,3}.png >"$tmp/par.$i" &
	pids+=($!)
done
wait "${pids[@]}"
count "16 readers at once of task5's 4 files, past the window"
for i in $(seq 1 16); do cmp -s "$tmp/par.$i" "$tmp/par.1" || fail "reader $i read other bytes"; done
[ "${seen[LIST]}" -le 2 ] && [ "${seen[ALL]}" = "${seen[LIST]}" ] ||
	fail "concurrent lookups of one stale directory: ${seen[LIST]} LISTs (task5/ and images/ once each: 2), ${seen[ALL]} requests in all: $(cut -d'&' -f1 "$tmp/phase.log" | tr '\n' ' ')"
ok "concurrent lookups of one stale directory: ${seen[LIST]} LIST, no other request"

# ... but not a file changed elsewhere meanwhile: a chmod (the object copied
# onto itself: same ETag, new LastModified) and an overwrite
sleep 1
boto3_py "$bucket" <<'PY'
bucket = sys.argv[1]
k = "images/task2/0.png"
s3.copy_object(Bucket=bucket, Key=k, CopySource={"Bucket": bucket, "Key": k},
               Metadata={"mode": str(0o100600)}, MetadataDirective="REPLACE")
s3.put_object(Bucket=bucket, Key="images/task3/1.png", Body=b"changed elsewhere")
PY
count "(boto3: chmod 600 of images/task2/0.png, overwrite of images/task3/1.png)"
sleep 1.2
mode=$(stat -c %a "$mnt/images/task2/0.png")
got=$(cat "$mnt/images/task3/1.png")
count "stat and read the two changed files past the window"
assert_eq "$mode" 600 "a chmod made elsewhere is seen (the listing's LastModified is not the one known)"
assert_eq "$got" "changed elsewhere" "an overwrite made elsewhere is seen"
assert_eq "${seen[HEAD]}" 2 "each changed file: one HEAD after its directory's LIST"
sleep 1.2
# A listing gives no metadata: a name known only from one is asked about
# (HEAD, or a directory's probe) before ls -l shows it, once, the next
# names in parallel (SEMANTICS.md); then ls -lR costs no HEAD per entry.
ls -lR "$mnt" >/dev/null
count "ls -lR (the names the cold reads did not look up: asked once each)"
assert_eq "${seen[GET]}" 0 "ls -lR: no GET"
ok "the first ls -lR: ${seen[HEAD]} HEAD (names known only from listings), ${seen[LIST]} LIST"
first_heads=${seen[HEAD]}
ls -lR "$mnt" >/dev/null
count "ls -lR again"
# (a name whose object changed within 2 s of its HEAD is HEADed again:
# LastModified counts seconds; images/task3/1.png above.  Idle that is up
# to 3 names; a busy machine, stretching the writes and the first walk,
# makes it a few more: the bound is "not one per entry", 1 in 50 + 3)
[ "${seen[HEAD]}" -le $((first_heads / 50 + 3)) ] ||
	fail "ls -lR again: ${seen[HEAD]} HEAD for $first_heads names"
assert_eq "${seen[GET]}" 0 "ls -lR again: no GET"
ok "ls -lR again: ${seen[HEAD]} HEAD, ${seen[LIST]} LIST: no HEAD per entry"

# ls -l of a 2000-entry directory: at most 3 LISTs (1000 a page)
boto3_py "$bucket" <<'PY'
from concurrent.futures import ThreadPoolExecutor
bucket = sys.argv[1]
with ThreadPoolExecutor(16) as ex:
    list(ex.map(lambda i: s3.put_object(Bucket=bucket, Key="big/f%04d" % i, Body=b"x"), range(2000)))
PY
count "(2000 objects made by boto3 directly)"
sleep 2 # (a listing confirms what a HEAD said only of an object 2 s older: the sweep below)
t0=$EPOCHREALTIME
n=$(ls -l "$mnt/big" | grep -c '^-')
secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", b - a + 0.999 }')
count "ls -l of a 2000-entry directory ($secs s)"
assert_eq "$n" 2000 "ls -l lists 2000 entries"
# (its probe, 2 pages, and a revalidation of big/ or a sweep of its parent
# per 1 s window the ls -l outlasts, secs rounded up: a busy machine
# stretches it)
[ "${seen[LIST]}" -le $((3 + secs)) ] ||
	fail "ls -l of 2000 entries in $secs s: ${seen[LIST]} LISTs: $(cut -c1-150 "$tmp/phase.log")"
assert_eq "${seen[GET]}" 0 "ls -l of 2000 entries: no GET"
# each object asked once (its mode, owner, type), and once more at most if
# that answer went stale before ls -l reached it (a busy machine)
[ "${seen[HEAD]}" -ge 2000 ] && [ "${seen[HEAD]}" -le 4000 ] ||
	fail "ls -l of 2000 objects nobody looked up: ${seen[HEAD]} HEADs"
ok "ls -l of 2000 entries: ${seen[LIST]} LIST and ${seen[HEAD]} HEAD (in parallel) in $secs s, ${seen[ALL]} requests"
# the entries go to the kernel a buffer at a time, each call resuming where
# the last stopped: every name once, in order; and a seek back (telldir,
# seekdir) reads the same names again
ls -f "$mnt/big" | grep -v '^\.\.\?$' >"$tmp/big.ls"
assert_eq "$(sort -u "$tmp/big.ls" | wc -l) $(wc -l <"$tmp/big.ls")" "2000 2000" \
	"readdir of 2000 entries: each name once"
assert_eq "$(head -1 "$tmp/big.ls") $(tail -1 "$tmp/big.ls")" "f0000 f1999" "readdir: in name order"
got=$(perl -e 'opendir(my $d, $ARGV[0]) or die "$!";
	readdir($d) for 1 .. 1500; my $p = telldir($d); my @a = map { scalar readdir($d) } 1 .. 3;
	readdir($d) for 1 .. 300; seekdir($d, $p); my @b = map { scalar readdir($d) } 1 .. 3;
	rewinddir($d); my $n = grep { !/^\.\.?$/ } readdir($d);
	print "@a|@b|$n"' "$mnt/big")
a=${got%%|*}
[ -n "$a" ] && [ "$got" = "$a|$a|2000" ] || fail "readdir: telldir/seekdir/rewinddir: $got"
ok "readdir: seekdir back to entry 1500 reads the same names again ($a), rewinddir all 2000"
count "(readdir checks)"

# every name of big/ stat'ed again after the window, as ls -l does when its
# listing took longer than the window: a sweep, about one LIST a 1000 names
# after the first few HEADs; what changed meanwhile is still seen
boto3_py "$bucket" <<'PY'
bucket = sys.argv[1]
s3.put_object(Bucket=bucket, Key="big/f1500", Body=b"12345")
s3.delete_object(Bucket=bucket, Key="big/f0700")
PY
count "(boto3: big/f1500 rewritten, big/f0700 deleted)"
sleep 1.2
got=$(python3 - "$mnt/big" "$tmp/big.ls" <<'PY'
import math, os, sys, time
d, names = sys.argv[1], open(sys.argv[2]).read().split()
sizes, gone = {}, []
t0 = time.monotonic()
for n in names:
    try:
        sizes[n] = os.lstat(os.path.join(d, n)).st_size
    except FileNotFoundError:
        gone.append(n)
# (the windows the loop spanned: a sweep confirms names for one window)
windows = max(1, math.ceil((time.monotonic() - t0) / 0.9))
print(len(sizes), sizes.get("f1500"), sizes.get("f1999"), ",".join(gone), windows)
PY
)
count "stat of 2000 names after the window (a sweep)"
windows=${got##* }
got=${got% *}
assert_eq "$got" "1999 5 1 f0700" \
	"the sweep: 1999 files, f1500's new size, f0700 gone"
# a sweep per window the loop spanned (a busy machine stretches it over
# several), never a HEAD per name
[ "${seen[HEAD]}" -le $((8 * windows)) ] && [ "${seen[ALL]}" -le $((14 * windows)) ] ||
	fail "stat of 2000 stale names over $windows window(s): ${seen[ALL]} requests (${seen[HEAD]} HEAD), not a sweep"
ok "stat of 2000 stale names: ${seen[ALL]} requests (${seen[HEAD]} HEAD, ${seen[LIST]} LIST), not 2000 HEADs"

# a web server's reads: 200 cached files read by name over and over for 3 s,
# their entries going stale at different moments (some revalidated by a
# lookup, some at open, when the kernel still holds the name): sweeps keep
# that to a few requests a second, not one per file per window
for i in $(seq 0 199); do printf '%s/hot/h%03d.png\n' "$mnt" "$i"; done >"$tmp/hot.names"
xargs -a "$tmp/hot.names" cat >/dev/null
count "(200 files put by boto3 at the start, read once: cached)"
end=$((SECONDS + 3))
passes=0
while [ $SECONDS -lt $end ]; do
	got=$(xargs -a "$tmp/hot.names" cat | wc -c)
	[ "$got" = 490 ] || fail "a pass over hot/ read $got bytes, not 490"
	passes=$((passes + 1))
done
count "$passes passes over 200 cached files"
[ "${seen[ALL]}" -le 60 ] || fail "$passes passes over 200 cached files: ${seen[ALL]} requests"
ok "$passes passes over 200 cached files for 3 s: ${seen[ALL]} requests (${seen[HEAD]} HEAD, ${seen[GET]} GET, ${seen[LIST]} LIST)"

# the files of 60 directories read again after the window, one directory
# after the other: from the third, one LIST without a delimiter of the keys
# after it (a tree sweep) confirms the directories and the unchanged files,
# not a LIST per directory; a file changed meanwhile and a directory deleted
# meanwhile are still seen; a key no path can name (tree/d020//odd) among
# the keys is passed over
for i in $(seq 0 119); do printf 'tree/d%03d/%d.png\n' $((i / 2)) $((i % 2)); done >"$tmp/tree.names"
tree_read() {
	python3 - "$mnt" "$tmp/tree.names" <<'PY'
import os, sys
root, names = sys.argv[1], open(sys.argv[2]).read().split()
out = []
for i, n in enumerate(names):
    try:
        b = open(os.path.join(root, n), "rb").read()
        if b != b"%d" % i:
            out.append("%s=%s" % (n, b.decode()))
    except FileNotFoundError:
        out.append(n + ":gone")
print(" ".join(out) or "same")
PY
}
# first read of tree/'s files, which ls -lR above listed (their entries
# and their directories' are stale by now): the directories' revalidation
# is a tree sweep, whose page also shows that they have no marker and
# confirms the files, so each file costs its GET and nothing more
assert_eq "$(tree_read)" same "tree/: 120 files in 60 directories read (cached)"
count "tree/: 120 files in 60 directories listed by ls -lR, read a first time"
assert_eq "${seen[GET]}" 120 "files listed by ls -lR, stale: one GET each"
# (0-4 LISTs alone; 5 LISTs and 6 HEADs once in a loaded CI run, where a
# sweep outlasted its 2 s gap: the bound is against 62 LISTs and 120 HEADs)
[ "$((seen[LIST] + seen[HEAD]))" -le 20 ] ||
	fail "files listed by ls -lR, stale: ${seen[LIST]} LIST and ${seen[HEAD]} HEAD besides their GETs"
ok "files listed by ls -lR, stale: ${seen[LIST]} LIST and ${seen[HEAD]} HEAD besides their GETs, not one LIST a directory and one HEAD a file"
boto3_py "$bucket" <<'PY'
bucket = sys.argv[1]
s3.put_object(Bucket=bucket, Key="tree/d030/1.png", Body=b"new")
s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "tree/d040/0.png"}, {"Key": "tree/d040/1.png"}]})
PY
sleep 1.2
assert_eq "$(tree_read)" "tree/d030/1.png=new tree/d040/0.png:gone tree/d040/1.png:gone" \
	"tree/ read again after the window: d030/1.png's new bytes seen, d040 gone"
count "tree/: 120 files in 60 directories read again after the window"
[ "${seen[ALL]}" -le 12 ] ||
	fail "60 stale directories read again: ${seen[ALL]} requests, not a tree sweep"
ok "60 stale directories read again: ${seen[ALL]} requests (${seen[LIST]} LIST, ${seen[HEAD]} HEAD, ${seen[GET]} GET), not 60 LISTs"

# ls -R of tree/ (59 directories): one process listing many directories of
# one parent in a row gets them from one LIST of the keys below it (a tree
# listing), not a LIST each; what changed elsewhere meanwhile is in it; an
# ls by another process right after still lists on its own (list_ttl=0)
boto3_py "$bucket" <<'PY'
bucket = sys.argv[1]
s3.put_object(Bucket=bucket, Key="tree/d050/new.png", Body=b"new")
s3.delete_object(Bucket=bucket, Key="tree/d010/0.png")
PY
ls -R "$mnt/tree" >"$tmp/tree.lsR" || fail "ls -R tree/ failed"
count "ls -R of tree/ (59 directories, one process)"
got=$(awk '/:$/ { d = $0; next } $0 == "new.png" && d ~ /d050:$/ { n++ }
	$0 == "0.png" && d ~ /d010:$/ { z++ } END { print n + 0, z + 0 }' "$tmp/tree.lsR")
assert_eq "$got" "1 0" "ls -R shows d050/new.png, put meanwhile, and not d010/0.png, deleted meanwhile"
assert_eq "$(grep -c ':$' "$tmp/tree.lsR")" 60 "ls -R lists tree/ and its 59 directories"
[ "${seen[LIST]}" -le 8 ] && [ "${seen[ALL]}" = "${seen[LIST]}" ] ||
	fail "ls -R of 59 directories: ${seen[ALL]} requests (${seen[LIST]} LIST), not a tree listing"
ok "ls -R of 59 directories: ${seen[LIST]} LIST, not 60"
ls "$mnt/tree/d050" >/dev/null
count "ls of tree/d050 right after, by another process"
# (its listing; a busy machine may also see tree/ or d050 go stale first)
assert_eq "$(grep -c 'prefix=tree%2Fd050%2F&delimiter=%2F&max-keys=1000' "$tmp/phase.log")" 1 \
	"another process's ls lists on its own"

# a directory with a marker object (s3fs's "dir/", carrying its mode): its
# lookup's LIST sees the marker, and one HEAD reads its mode
boto3_py "$bucket" <<'PY'
bucket = sys.argv[1]
s3.put_object(Bucket=bucket, Key="marked/", Body=b"", Metadata={"mode": str(0o40700)})
s3.put_object(Bucket=bucket, Key="marked/a.txt", Body=b"a")
PY
count "(boto3: marked/ with mode 700, and marked/a.txt)"
assert_eq "$(stat -c %a "$mnt/marked")" 700 "a directory's marker gives its mode"
count "stat of a directory with a marker"
assert_eq "${seen[LIST]} ${seen[HEAD]} ${seen[GET]}" "1 1 0" \
	"a directory with a marker: one LIST (which shows the marker) and one HEAD of it"

# a fresh mount reading the files of 40 directories it has not seen, by
# name, one directory after the other (a new web server): after two found
# in a row, the next one's lookup LISTs the keys below probe/ from it on
# without a delimiter (a tree probe), which adds the directories after it
# (each file still costs its GET, which brings its metadata); the page also
# shows a name missing, a directory hidden by a file of the same name (the
# file wins) and one with a marker (its own lookup reads its mode)
boto3_py "$bucket" <<'PY'
from concurrent.futures import ThreadPoolExecutor
bucket = sys.argv[1]
with ThreadPoolExecutor(16) as ex:
    list(ex.map(lambda i: s3.put_object(Bucket=bucket, Key="probe/d%03d/%d.png" % (i // 2, i % 2),
                                        Body=b"p%d" % i), range(80)))
s3.put_object(Bucket=bucket, Key="probe/d010", Body=b"a file hiding probe/d010/")
s3.put_object(Bucket=bucket, Key="probe/d020/", Body=b"", Metadata={"mode": str(0o40700)})
s3.put_object(Bucket=bucket, Key="probe/d030/run.sh", Body=b"#!/bin/sh\n", Metadata={"mode": str(0o100750)})
for i in range(6):
    s3.put_object(Bucket=bucket, Key="probe/d039/x%d.png" % i, Body=b"x%d" % i)
PY
bfs_umount "$mnt"
# (stat_ttl=10: the count is of lookups, not of revalidations, which a
# slow run would add once the directories found are older than 1 s)
bfs_mount "$bucket" "$mnt" "endpoint=$PEP,path_style,cache_dir=$tmp/cache3,stat_ttl=10"
count "(remount with an empty cache; boto3 put probe/)"
cat "$mnt/probe/d000/0.png" "$mnt/probe/d001/0.png" >/dev/null
count "(two directories of probe/ found by their own lookups)"
[ ! -e "$mnt/probe/d001x" ] || fail "probe/d001x, missing, is found"
count "a missing name, the third in a row: a tree probe"
assert_eq "${seen[ALL]} ${seen[LIST]}" "1 1" "a missing name after two found: one LIST"
python3 - "$mnt" <<'PY' >"$tmp/probe.out"
import os, stat, sys
root = sys.argv[1]
bad = []
for i in range(80):
    d, n = i // 2, i % 2
    p = os.path.join(root, "probe/d%03d/%d.png" % (d, n))
    try:
        b = open(p, "rb").read()
        if d == 10 or b != b"p%d" % i:
            bad.append("%s=%r" % (p, b))
    except NotADirectoryError:
        if d != 10:
            bad.append(p + ":ENOTDIR")
    except OSError as e:
        bad.append("%s:%s" % (p, e.strerror))
st = os.stat(os.path.join(root, "probe/d010"))
if not stat.S_ISREG(st.st_mode):
    bad.append("probe/d010 is not a file")
print(" ".join(bad) or "same")
PY
assert_eq "$(cat "$tmp/probe.out")" same "probe/: 78 files read by name, probe/d010 a file hiding its keys"
count "probe/: 78 files in 39 directories read by name, cold"
assert_eq "${seen[GET]}" 76 "a tree probe: one GET a file not read before (78 less d000/0.png and d001/0.png)"
[ "$((seen[LIST] + seen[HEAD]))" -le 6 ] ||
	fail "a tree probe: ${seen[LIST]} LIST and ${seen[HEAD]} HEAD for 40 unseen directories"
ok "a tree probe: ${seen[LIST]} LIST and ${seen[HEAD]} HEAD for 40 unseen directories (the marked one's LIST and HEAD among them), not a LIST each"
assert_eq "$(stat -c %a "$mnt/probe/d020")" 700 "a directory with a marker, passed over by the probe: its marker's mode"
assert_eq "$(stat -c %a "$mnt/probe/d030/run.sh")" 750 \
	"a file in a directory a probe added, looked up by name: its object's mode (not a listing's defaults)"
count "(stat of probe/d020 and probe/d030/run.sh)"
for i in 0 1 2 3 4 5; do cat "$mnt/probe/d039/x$i.png"; done >"$tmp/x.cat"
assert_eq "$(cat "$tmp/x.cat")" "x0x1x2x3x4x5" "probe/d039: 6 more files read by name"
count "6 files of one directory read by name, cold"
assert_eq "${seen[GET]} ${seen[LIST]}" "6 0" "files found in a row are no cause for a probe (it adds directories): one GET each, no LIST"

# A probe's page runs forward from just before the name: it holds none of
# the next names of a walk against key order (names that differ before
# their last character), a stand-in for a web server asked for random task
# ids of a parent far bigger than a page.  Probes that nothing used then
# come after 4, 8, then 16 directories found on their own, not every third;
# a walk in key order after that still gets its probe, which is used.
boto3_py "$bucket" <<'PY'
from concurrent.futures import ThreadPoolExecutor
bucket = sys.argv[1]
with ThreadPoolExecutor(16) as ex:
    list(ex.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=k.encode()),
                ["rev/%s%03dx/0.png" % (c, i) for c in "ar" for i in range(60)]))
PY
stat "$mnt/rev" >/dev/null
count "(stat of rev/)"
# readall NAME...: read rev/NAME/0.png for each, checking its bytes
readall() {
	python3 - "$mnt" "$@" <<'PY'
import os, sys
bad = [n for n in sys.argv[2:]
       if open(os.path.join(sys.argv[1], "rev", n, "0.png"), "rb").read() != ("rev/%s/0.png" % n).encode()]
print(" ".join(bad) or "same")
PY
}
# probes: the tree probes in the phase (LISTs with start-after and no
# delimiter; a name's own LIST has neither)
probes() { grep '^GET [^ ]*[?&]list-type=2.*[?&]start-after=' "$tmp/phase.log" | grep -vc 'delimiter=' || true; }
# rev_walk C FIRST LAST WHAT: read rev/C<nnn>x/0.png for nnn from FIRST to
# LAST, counted as a phase; p: the tree probes among its LISTs
rev_walk() {
	# shellcheck disable=SC2046  # (one word per name)
	assert_eq "$(readall $(for i in $(seq "$2" $(($2 < $3 ? 1 : -1)) "$3"); do printf '%s%03dx ' "$1" "$i"; done))" \
		same "rev/: $4: the bytes"
	count "rev/: $4"
	p=$(probes)
}
rev_walk r 59 0 "60 unknown directories read by name against key order"
[ "$p" -le 6 ] && [ "${seen[LIST]}" -le 60 ] ||
	fail "against key order: $p of ${seen[LIST]} LISTs were probes (a probe per 3 directories is 20)"
ok "against key order: $p of ${seen[LIST]} LISTs were probes of 1000 keys, not 20"
rev_walk a 0 59 "60 unknown directories read by name in key order, after that"
[ "$p" -ge 1 ] && [ "${seen[LIST]}" -le 18 ] ||
	fail "in key order after probes of no use: ${seen[LIST]} LISTs ($p probes) for 60 directories"
ok "in key order after probes of no use: ${seen[LIST]} LISTs ($p probes) for 60 directories"
# that probe was used: the next comes after two directories again
boto3_py "$bucket" <<'PY'
bucket = sys.argv[1]
for i in range(20):
    s3.put_object(Bucket=bucket, Key="rev/b%03dx/0.png" % i, Body=b"rev/b%03dx/0.png" % i)
PY
count "(boto3 put rev/b000x/ to rev/b019x/)"
rev_walk b 0 19 "20 new directories read by name in key order, after a probe of use"
# 3 LISTs: two directories found on their own, then the probe; 4 when one
# lookup came more than FS_SWEEP_GAP (2 s) after the one before (a busy
# machine: the count starts again); a probe judged of no use would have
# doubled the wait (5)
[ "$p" -eq 1 ] && [ "${seen[LIST]}" -ge 3 ] && [ "${seen[LIST]}" -le 4 ] ||
	fail "after a probe of use: ${seen[LIST]} LISTs ($p probes) for 20 directories, expected 3 (4 on a busy machine) and 1"
ok "after a probe of use: the third directory's lookup is a probe again (${seen[LIST]} LISTs, $p probe)"
