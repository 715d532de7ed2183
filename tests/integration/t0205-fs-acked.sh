#!/bin/bash
# SPDX-License-Identifier: MIT
# t0205-fs-acked — what close() acknowledged is in the bucket, at its
# current name, and stays there; what it refused never appears by itself.
# Each check is a case an outside test found losing data or answering
# wrongly (issue 22), checked with boto3 against radosgw, not through the
# mount:
#   1. an empty file made, deleted and made again with data: the new object
#      stays (the empty one's upload must not delete it); a new empty file
#      is in the bucket when its close() returns;
#   2. a directory made here still exists once its last file is removed
#      (rm, mv out, rm -rf of a subdirectory, a process's own cwd), here
#      and for another mount;
#   3. write-back: a directory renamed before its files' uploads: the files
#      land under the new name;
#   5. a directory renamed while a file in it is open for writing (both
#      modes): the file follows its directory;
#   9. fstat() of an open, unlinked file: 0 with st_nlink 0;
#      (and, found by the model tester: write-back, a chmod of a journaled
#      file open to read survives kill -9)
#      (and: a utimens of a directory while its marker is being paid, and a
#      chmod of a file while its write-back upload is sent, stay)
#  10. every PUT reset: close() fails, and the file never appears later by
#      itself;
#  11. a directory rename whose deletes are refused leaves one tree (the
#      source) and fails with EIO.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 240
# shellcheck source=tests/fs/fslib.sh
. "$BFS_SOURCE_DIR/tests/fs/fslib.sh"
umask 022

test_setup acked  # (radosgw, $tmp, a new bucket $bucket)
# shellcheck disable=SC2034  # (read by fslib.sh's helpers)
BFS_BUCKET=s3:$bucket

# keys PREFIX: the keys of the bucket under PREFIX, one a line, sorted.
keys() {
	boto3_py "$bucket" "$1" <<'PY'
b, p = sys.argv[1:3]
ks = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=b, Prefix=p):
    ks += [o["Key"] for o in page.get("Contents", [])]
print("\n".join(sorted(ks)))
PY
}

# body KEY: the object's bytes (or "missing").
body() {
	boto3_py "$bucket" "$1" <<'PY'
b, k = sys.argv[1:3]
try:
    sys.stdout.write(s3.get_object(Bucket=b, Key=k)["Body"].read().decode("latin-1"))
except s3.exceptions.NoSuchKey:
    sys.stdout.write("missing")
PY
}

m=$tmp/m
bfs_mount "$bucket" "$m" "cache_dir=$tmp/cache"
FS_MNT=$m

# --- 1. an empty file deleted and made again -----------------------------
mkdir "$m/one"
out=$(pyrun '
import time
m = a[0]
lost = 0
for i in range(40):
    p = "%s/one/f%d" % (m, i)
    open(p, "wb").close()
    os.unlink(p)
    with open(p, "wb") as f:
        f.write(b"new data")
print(lost)
' "$m") || bad "1: the loop through the mount failed: $out"
sleep 1.5 # (an upload still in flight, if any, lands or deletes meanwhile)
got=$(boto3_py "$bucket" <<'PY'
b = sys.argv[1]
bad = []
for i in range(40):
    k = "one/f%d" % i
    try:
        body = s3.get_object(Bucket=b, Key=k)["Body"].read()
        if body != b"new data":
            bad.append("%s=%r" % (k, body))
    except s3.exceptions.NoSuchKey:
        bad.append(k + " missing")
print(" ".join(bad) or "all there")
PY
)
check_eq "$got" "all there" "1: made empty, deleted, made again with data (40 times): every object holds the new data"
got=$(boto3_py "$bucket" "$m" <<'PY'
b, m = sys.argv[1:3]
late = []
for i in range(30):
    open("%s/one/empty%d" % (m, i), "wb").close()
    try:
        if s3.head_object(Bucket=b, Key="one/empty%d" % i)["ContentLength"] != 0:
            late.append("empty%d not empty" % i)
    except botocore.exceptions.ClientError:
        late.append("empty%d" % i)
print(" ".join(late) or "all there")
PY
)
check_eq "$got" "all there" "1: a new empty file is in the bucket (0 bytes) when its close() returns (30 times)"
got=$(cd "$m/one" && for i in $(seq 1 10); do : >g; rm g; echo new >g; done; cat g)
sleep 1
check_eq "$(body one/g)" new "1: ': > g; rm g; echo new > g' (10 times): the object holds 'new'"

# --- 2. a directory made here vanishes when emptied ----------------------
mkdir "$m/two" "$m/two/d"
echo x >"$m/two/d/f"
rm "$m/two/d/f"
mkdir "$m/two/mv" && echo y >"$m/two/mv/tmp" && mv "$m/two/mv/tmp" "$m/two/final"
mkdir -p "$m/two/X/a" && echo z >"$m/two/X/a/f" && rm -rf "$m/two/X/a"
mkdir "$m/two/cwd" && echo w >"$m/two/cwd/f"
pyrun 'os.chdir(a[0]); os.unlink("f"); import time; time.sleep(2.5); print(os.listdir("."))' \
	"$m/two/cwd" >"$tmp/cwd.out" 2>&1 || true
sleep 2.5 # past marker_delay and stat_ttl: what the bucket says now counts
for d in d mv X cwd; do
	check_eq "$(stat -c %F "$m/two/$d" 2>&1)" directory "2: two/$d, emptied, is still a directory"
done
check_eq "$(cat "$tmp/cwd.out")" "[]" "2: a process in two/cwd, which it emptied, can still list it"
check_eq "$(ls "$m/two" | tr '\n' ' ')" "X cwd d final mv " "2: ls two"
bfs_flush "$m"
check_eq "$(keys two/ | tr '\n' ' ')" "two/X/ two/cwd/ two/d/ two/final two/mv/ " \
	"2: the bucket has a marker for each emptied directory"
m2=$tmp/m2
bfs_mount "$bucket" "$m2" "cache_dir=$tmp/cache2"
check_eq "$(ls "$m2/two" | tr '\n' ' ')" "X cwd d final mv " "2: another mount sees the emptied directories"
bfs_umount "$m2"

# --- 9. fstat of an open, unlinked file ------------------------------------
got=$(py_errno '
f = os.open(a[0], os.O_CREAT | os.O_RDWR, 0o644)
os.write(f, b"abc")
os.unlink(a[0])
st = os.fstat(f)
assert st.st_nlink == 0, "st_nlink %d" % st.st_nlink
assert st.st_size == 3, "st_size %d" % st.st_size
os.ftruncate(f, 10)
assert os.fstat(f).st_size == 10
os.close(f)
' "$m/nine")
check_eq "$got" OK "9: fstat of an open, unlinked file: 0, st_nlink 0, its size"
check_eq "$(bexists nine)" no "9: the unlinked file is not in the bucket"

# a file open write-only, unlinked, then written: the descriptor keeps the
# file's bytes (as on a local disk; they were fetched before the DELETE)
printf 0123456789 >"$m/wo.txt"
got=$(py_errno '
f = os.open(a[0], os.O_WRONLY)
os.unlink(a[0])
os.pwrite(f, b"AB", 2)
r = os.open("/proc/self/fd/%d" % f, os.O_RDONLY)
got = os.pread(r, 100, 0)
assert got == b"01AB456789", got
assert os.fstat(f).st_nlink == 0
os.close(r)
os.close(f)
' "$m/wo.txt")
check_eq "$got" OK "9: open O_WRONLY, unlink, pwrite: the descriptor holds the file's bytes with the write"
check_eq "$(bexists wo.txt)" no "9: ... and the object is gone"

# a directory's time set before its first file: kept (its marker carries it)
mkdir "$m/dt" && touch -d @1600000000 "$m/dt" && printf x >"$m/dt/f" || bad "dt"
bfs_flush "$m"
check_eq "$(bmeta dt/ x-amz-meta-mtime)" 1600000000 \
	"a directory's utimens before its first file lands: its marker keeps the time"

# --- 5. a directory renamed while a file in it is open for writing --------
open_rename() { # DIR MNT
	py_errno '
d, m = a
os.mkdir("%s/%s" % (m, d))
f = os.open("%s/%s/f.txt" % (m, d), os.O_CREAT | os.O_WRONLY, 0o644)
os.write(f, b"first ")
os.rename("%s/%s" % (m, d), "%s/%s2" % (m, d))
os.write(f, b"second")
os.close(f)
' "$1" "$2"
}
check_eq "$(open_rename od "$m")" OK "5: open od/f.txt, write, mv od od2, write, close"
check_eq "$(body od2/f.txt)" "first second" "5: the bucket holds od2/f.txt with both writes"
check_eq "$(keys od/)" "" "5: nothing is left under od/"
check_eq "$(cat "$m/od2/f.txt" 2>&1)" "first second" "5: the mount reads od2/f.txt"
check_eq "$(stat -c %F "$m/od" 2>&1)" "stat: cannot statx '$m/od': No such file or directory" "5: od is gone"
bfs_umount "$m"

# --- write-back: 3 and 5 ------------------------------------------------------
mw=$tmp/mw
bfs_mount "$bucket" "$mw" "cache_dir=$tmp/cachew,writeback=5"
FS_MNT=$mw
mkdir -p "$mw/images/t1" && echo payload >"$mw/images/t1/0.png"
mv "$mw/images/t1" "$mw/images/t2"
check_eq "$(cat "$mw/images/t2/0.png" 2>&1)" payload "3: write-back: images/t2/0.png reads back before the upload"
t "$BFS_BUILD_DIR/bucketfsctl" flush "$mw" 30 >/dev/null || bad "3: bucketfsctl flush failed"
check_eq "$(body images/t2/0.png)" payload "3: write-back: after a flush, images/t2/0.png is in the bucket"
check_eq "$(keys images/t1)" "" "3: write-back: nothing under images/t1"
check_eq "$(open_rename wod "$mw")" OK "5: write-back: open wod/f.txt, write, mv wod wod2, write, close"
t "$BFS_BUILD_DIR/bucketfsctl" flush "$mw" 30 >/dev/null || bad "5: bucketfsctl flush failed"
check_eq "$(body wod2/f.txt)" "first second" "5: write-back: the bucket holds wod2/f.txt with both writes"
check_eq "$(keys wod/)" "" "5: write-back: nothing is left under wod/"
# a chmod of a journaled file that is open (to read) is kept across kill -9:
# the journal uploaded the mode it had at its close (the model tester)
printf 'j' >"$mw/jmode.png" && exec 8<"$mw/jmode.png"
t chmod 600 "$mw/jmode.png" || bad "write-back: chmod of a journaled file open to read"
kill -9 "${BFS_MOUNT_PID[$mw]}"
wait "${BFS_MOUNT_PID[$mw]}" 2>/dev/null || true
exec 8<&-
fusermount3 -u "$mw" 2>/dev/null || umount -l "$mw"
unset 'BFS_MOUNT_PID[$mw]'
bfs_mount "$bucket" "$mw" "cache_dir=$tmp/cachew,writeback=5"
t "$BFS_BUILD_DIR/bucketfsctl" flush "$mw" 30 >/dev/null || bad "write-back: flush after kill -9 failed"
check_eq "$(bmeta jmode.png x-amz-meta-mode)" 33152 \
	"write-back: a chmod of a journaled file open to read survives kill -9 (mode 0600)"
check_eq "$(body jmode.png)" j "... and its bytes"
bfs_umount "$mw"

# --- a utimens of a directory while its marker is being paid ---------------
# (the model tester, seed 2027: the payment wrote back the attributes it had
# read before, in the index; the bucket's marker kept them too).  d's last
# file goes: its marker is owed (it had none), and its PUT is held 3 s.
proxy_start ""
mk=$tmp/mk
bfs_mount "$bucket" "$mk" "cache_dir=$tmp/cachek,endpoint=$PROXY_EP,path_style"
FS_MNT=$mk
mkdir "$mk/kd" && echo x >"$mk/kd/f" || bad "marker: mkdir kd, write kd/f"
check_eq "$(bexists kd/)" no "marker: kd has no marker (its file made it exist)"
proxy_restart "PUT:delay=1" --delay-ms 3000
rm "$mk/kd/f"
sleep 1.7  # marker_delay (1 s), then its PUT, held
t touch -m -d @1300000000 "$mk/kd" || bad "marker: touch -d of kd"
check_eq "$(stat -c %Y "$mk/kd")" 1300000000 "marker: kd shows the mtime set while its marker was paid"
sleep 2.5
check_eq "$(grep -q '^PUT .*kd/ ' "$PROXY_LOG" && echo yes)" yes "marker: kd's marker was PUT"
check_eq "$(stat -c %Y "$mk/kd")" 1300000000 "marker: ... and kd still shows it once paid"
check_eq "$(bmeta kd/ x-amz-meta-mtime | cut -d. -f1)" 1300000000 "marker: the marker in the bucket carries it"
bfs_umount "$mk"
# the same for a file: write-back, a chmod while its upload is held 3 s
bfs_mount "$bucket" "$mk" "cache_dir=$tmp/cachek,endpoint=$PROXY_EP,path_style,writeback=1"
FS_MNT=$mk
proxy_restart "PUT:pass=1,PUT:delay=1" --delay-ms 3000
printf 'w' >"$mk/wmode.png" || bad "upload: writing wmode.png"
sleep 1.7  # writeback (1 s), then its PUT, held (the first, its creation's, passes)
t chmod 600 "$mk/wmode.png" || bad "upload: chmod 600 wmode.png"
t "$BFS_BUILD_DIR/bucketfsctl" flush "$mk" 30 >/dev/null || bad "upload: bucketfsctl flush failed"
check_eq "$(bmeta wmode.png x-amz-meta-mode)" 33152 \
	"upload: a chmod during the write-back upload reaches the bucket (mode 0600)"
check_eq "$(body wmode.png)" w "upload: ... with its bytes"
check_eq "$(stat -c %a "$mk/wmode.png")" 600 "upload: ... and the mount shows it"
bfs_umount "$mk"

# --- 10. every PUT reset: close fails and nothing appears later -----------
proxy_start "PUT:reset=4"
mp=$tmp/mp
bfs_mount "$bucket" "$mp" "cache_dir=$tmp/cachep,endpoint=$PROXY_EP,path_style,retries=2"
FS_MNT=$mp
got=$(py_errno '
f = open(a[0], "wb")
f.write(b"refused")
f.close()
' "$mp/ten")
check_eq "$got" EIO "10: close() of a file whose PUTs are all reset: EIO"
grep -c "^PUT" "$PROXY_LOG" | sed "s/^/# PUTs so far: /"
sleep 2
check_eq "$(bexists ten)" no "10: 2 s later the file is not in the bucket (the proxy lets PUTs through now)"
check_eq "$(cat "$mp/ten" 2>&1)" "cat: $mp/ten: No such file or directory" "10: nor shown by the mount"
echo again >"$mp/ten" || bad "10: writing the file again failed"
check_eq "$(body ten)" again "10: written again, it is in the bucket"
bfs_umount "$mp"

# --- 11. a directory rename whose deletes are refused ----------------------
# (400: DeleteObjects refused whole; delone: one key of it refused)
for rule in 400 delone; do
	proxy_start "POST:$rule=1"
	mq=$tmp/mq-$rule
	bfs_mount "$bucket" "$mq" "cache_dir=$tmp/cacheq-$rule,endpoint=$PROXY_EP,path_style"
	# shellcheck disable=SC2034  # (read by fslib.sh's helpers)
	FS_MNT=$mq
	d=r11$rule
	mkdir "$mq/$d" && for i in 1 2 3; do printf '%s' "$i" >"$mq/$d/f$i"; done
	got=$(py_errno 'os.rename(a[0], a[1])' "$mq/$d" "$mq/${d}b")
	check_eq "$got" EIO "11 ($rule): the rename of a directory whose sources cannot be deleted fails with EIO"
	check_eq "$(keys "$d" | tr '\n' ' ')" "$d/f1 $d/f2 $d/f3 " "11 ($rule): the bucket holds one tree, the source"
	check_eq "$(body "$d/f1")$(body "$d/f2")$(body "$d/f3")" 123 "11 ($rule): ... with its bytes"
	check_eq "$(ls "$mq/$d" 2>&1 | tr '\n' ' ')" "f1 f2 f3 " "11 ($rule): the mount shows the source"
	check_eq "$(ls "$mq" | grep -c "${d}b")" 0 "11 ($rule): and no target"
	check_eq "$(grep -cE -- '-> (200 delone|400 fault)' "$PROXY_LOG")" 1 "11 ($rule): the fault was injected"
	bfs_umount "$mq"
done

fs_finish
