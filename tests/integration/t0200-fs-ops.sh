#!/bin/bash
# SPDX-License-Identifier: MIT
# t0200-fs-ops — every operation the app and everyday tools need, through
# the mount, each also checked in the bucket (SEMANTICS.md).  The same body
# runs twice: on radosgw with a prefix (BUCKET:/pfx, keys are pfx/...,
# checked with boto3) and on file:DIR (checked on disk, tests/fs/bucket.py).
# Covered: mkdir (marker), mkdir -p, rmdir (empty; non-empty => ENOTEMPTY),
# O_EXCL => EEXIST, O_CREAT|O_RDONLY, write, overwrite, O_TRUNC, O_APPEND,
# holes, pwrite, pread, truncate/ftruncate (also with unflushed writes), a
# reader's close while a writer has the file open (no half-written upload),
# unlink (also of an open file), rename (file, over a target, directory),
# chmod/chown/utimens as x-amz-meta-* (and after a remount on a fresh
# cache_dir), symlink, link => EPERM, mkfifo (an empty object with S_IFIFO
# in x-amz-meta-mode), statfs, fsync, 20 MiB
# files (and multipart with a lower threshold), Content-Type, objects from
# another client, a 2000-entry directory.  Then, on radosgw: bucketfs fails
# fast (wrong secret, no such bucket; -f and daemon mode) and SIGTERM
# unmounts cleanly.  Failed checks are collected (tests/fs/fslib.sh).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 280  # (about 70 s idle; 208 s under ASan beside two busy loops)
# shellcheck source=tests/fs/fslib.sh
. "$BFS_SOURCE_DIR/tests/fs/fslib.sh"
umask 022

rgw_start
tmp=$(bfs_tmpdir)
bin=$BFS_BUILD_DIR/bucketfs
bucket=fsops-$RANDOM
make_bucket "$bucket"

head -c 300000 /dev/urandom >"$tmp/r300k"
head -c 20M /dev/urandom >"$tmp/r20m"
head -c 4000 /dev/urandom >"$tmp/r4k"
printf '\x89PNG\r\n\x1a\n fake png body\n' >"$tmp/img.png"

# same_bytes NAME MSG: the mount's NAME and the object KP+NAME both hold
# exactly the bytes of $ref/NAME.
same_bytes() {
	local name=$1 msg=$2
	check_file_eq "$ref/$name" "$m/$name" "$L: $msg (through the mount)"
	rm -f "$tmp/obj"
	bq get "$KP$name" "$tmp/obj" 2>/dev/null || true
	check_file_eq "$ref/$name" "$tmp/obj" "$L: $msg (the object $KP$name)"
}

# on_both NAME CODE: run python CODE (the file's path is p) on $ref/NAME and
# on $m/NAME; an error through the mount is a failed check.
on_both() {
	local name=$1 code=$2 err
	pyrun "p = a[0]
$code" "$ref/$name" || fail "$L: the reference run of: $code"
	if ! err=$(pyrun "p = a[0]
$code" "$m/$name" 2>&1); then
		bad "$L: on $name through the mount: $(tr '\n' ' ' <<<"$code"): $(tail -n 1 <<<"$err")"
	fi
}

# body LABEL TARGET KEY_PREFIX: the whole set of checks on one mount target.
body() {
	L=$1
	local target=$2 out rc now
	KP=$3
	m=$tmp/mnt-$L
	ref=$tmp/ref-$L
	mkdir -p "$ref"
	bfs_mount "$target" "$m" "cache_dir=$tmp/cache-$L,symlinks=on"
	FS_MNT=$m

	# --- directories ---------------------------------------------------------
	check_run "$L: mkdir d" t mkdir "$m/d"
	check_eq "$(stat -c %F "$m/d" 2>&1)" directory "$L: d is a directory"
	check_run "$L: mkdir -p p1/p2/p3" t mkdir -p "$m/p1/p2/p3"
	check_eq "$(stat -c %F "$m/p1/p2/p3" 2>&1)" directory "$L: p1/p2/p3 is a directory"
	bfs_flush "$m"
	check_eq "$(bexists "${KP}d/")" yes "$L: after a flush (or marker_delay), the marker object ${KP}d/ is there"
	check_eq "$(bmeta "${KP}d/" x-amz-meta-mode)" 16877 "$L: the marker ${KP}d/ has x-amz-meta-mode 040755"
	# (a file: bucket keeps a marker as a real directory, its parents with it)
	check_eq "$(bexists "${KP}p1/")$(bexists "${KP}p1/p2/")$(bexists "${KP}p1/p2/p3/")" \
		"$([ "$L" = file ] && echo yesyesyes || echo nonoyes)" \
		"$L: mkdir -p p1/p2/p3 made one marker, ${KP}p1/p2/p3/, which makes p1/ and p1/p2/ exist"
	check_run "$L: mkdir e" t mkdir "$m/e"
	check_run "$L: rmdir e (empty)" t rmdir "$m/e"
	check_eq "$(test -e "$m/e" && echo exists || echo gone)" gone "$L: e is gone after rmdir"
	check_eq "$(bexists "${KP}e/")" no "$L: rmdir e deleted the marker ${KP}e/"
	t mkdir "$m/ne" || bad "$L: mkdir ne"
	echo x >"$m/ne/f" || bad "$L: write ne/f"
	check_eq "$(py_errno 'os.rmdir(a[0])' "$m/ne")" ENOTEMPTY "$L: rmdir of a non-empty directory => ENOTEMPTY"
	check_eq "$(bexists "${KP}ne/f")" yes "$L: ... and ne/f is still in the bucket"
	bq put "${KP}imp/other.txt" "$tmp/r4k"
	sleep 1.1 # past negative_ttl, in case the name was looked up already
	check_eq "$(py_errno 'os.rmdir(a[0])' "$m/imp")" ENOTEMPTY \
		"$L: rmdir of an implied directory holding another client's object => ENOTEMPTY"

	# --- create, write, overwrite, truncate ------------------------------------
	printf 'exists\n' >"$m/excl" || bad "$L: write excl"
	check_eq "$(py_errno 'os.open(a[0], os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)' "$m/excl")" EEXIST \
		"$L: open(O_CREAT|O_EXCL) of an existing file => EEXIST"
	check_eq "$(py_errno 'os.close(os.open(a[0], os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))' "$m/excl-new")" OK \
		"$L: open(O_CREAT|O_EXCL) of a new file works"
	check_eq "$(py_errno 'os.close(os.open(a[0], os.O_CREAT | os.O_RDONLY, 0o644))' "$m/empty-ro")" OK \
		"$L: open(O_CREAT|O_RDONLY) of a new file works"
	check_eq "$(stat -c '%F %s' "$m/empty-ro" 2>&1)" "regular empty file 0" "$L: ... it is an empty file"
	check_eq "$(bmeta "${KP}empty-ro" size)" 0 "$L: ... and an empty object ${KP}empty-ro"

	cp "$tmp/r300k" "$ref/w1" && cp "$tmp/r300k" "$m/w1" || bad "$L: cp 300 KB to w1"
	same_bytes w1 "write+close of 300 KB"
	now=$(date +%s)
	out=$(bq head "${KP}w1")
	check_eq "$(sed -n 's/^x-amz-meta-\(mode\|uid\|gid\)=//p' <<<"$out" | tr '\n' ' ')" "0 33188 0 " \
		"$L: the object has x-amz-meta-gid/mode/uid 0, 0100644, 0"
	out=$(sed -n 's/^x-amz-meta-mtime=//p' <<<"$out")
	if [[ $out =~ ^[0-9]+(\.[0-9]+)?$ ]] && [ $((now - ${out%.*})) -ge -5 ] && [ $((now - ${out%.*})) -le 60 ]; then
		ok "$L: the object has x-amz-meta-mtime of now ($out)"
	else
		bad "$L: x-amz-meta-mtime of w1: got '$out', expected about $now"
	fi
	check_eq "$(bmeta "${KP}w1" etag)" "$(md5sum <"$tmp/r300k" | cut -d' ' -f1)" "$L: its ETag is the MD5 (one PUT)"

	printf 'second version\n' >"$ref/w1" && printf 'second version\n' >"$m/w1" || bad "$L: overwrite w1"
	same_bytes w1 "overwrite (shell >, O_TRUNC) with a shorter content"
	on_both w1 'fd = os.open(p, os.O_WRONLY); os.write(fd, b"SE"); os.close(fd)'
	same_bytes w1 "overwrite in place without O_TRUNC"
	on_both w1 'os.close(os.open(p, os.O_WRONLY | os.O_TRUNC))'
	same_bytes w1 "open(O_TRUNC) and close without writing"
	check_eq "$(stat -c %s "$m/w1" 2>&1)" 0 "$L: ... leaves an empty file"

	for f in "$ref" "$m"; do printf 'start\n' >"$f/ap" && printf 'one\n' >>"$f/ap" &&
		printf 'two\n' >>"$f/ap" || bad "$L: O_APPEND writes to $f/ap"; done
	same_bytes ap "O_APPEND twice (start, one, two)"
	on_both ap 'fd = os.open(p, os.O_WRONLY | os.O_APPEND); os.write(fd, b"3"); os.lseek(fd, 0, 0); os.write(fd, b"4"); os.close(fd)'
	same_bytes ap "O_APPEND after lseek(0) still appends"

	for f in "$ref" "$m"; do printf abcde >"$f/hole" || bad "$L: write $f/hole"; done
	on_both hole 'fd = os.open(p, os.O_WRONLY); os.pwrite(fd, b"X", 100000); os.close(fd)'
	same_bytes hole "pwrite beyond EOF leaves a hole of zeros"
	check_eq "$(stat -c %s "$m/hole" 2>&1)" 100001 "$L: ... size 100001"

	for f in "$ref" "$m"; do printf 0123456789 >"$f/mid" || bad "$L: write $f/mid"; done
	on_both mid 'fd = os.open(p, os.O_RDWR); os.pwrite(fd, b"AB", 4); os.close(fd)'
	same_bytes mid "pwrite in the middle"
	check_eq "$(cat "$m/mid" 2>&1)" 0123AB6789 "$L: ... reads 0123AB6789"

	cp "$tmp/r300k" "$m/rd300k" || bad "$L: cp to rd300k"
	out=$(pyrun '
ref = open(a[0], "rb").read()
fd = os.open(a[1], os.O_RDONLY)
bad = [str(off) for off, n in ((0, 10), (123456, 1000), (299990, 100), (65535, 70000), (300000, 10), (400000, 10))
       if os.pread(fd, n, off) != ref[off:off + n]]
os.close(fd)
print("ok" if not bad else "wrong at " + ",".join(bad))' "$tmp/r300k" "$m/rd300k" 2>&1 | tail -n 1) || true
	check_eq "$out" ok "$L: pread at offsets 0, 123456, 299990 (short), 65535 (70000 bytes), EOF, past EOF"

	for f in "$ref" "$m"; do cp "$tmp/r300k" "$f/tr" || bad "$L: cp to $f/tr"; done
	for f in "$ref" "$m"; do truncate -s 1000 "$f/tr" || bad "$L: truncate -s 1000 $f/tr"; done
	same_bytes tr "truncate down to 1000"
	for f in "$ref" "$m"; do truncate -s 5000 "$f/tr" || bad "$L: truncate -s 5000 $f/tr"; done
	same_bytes tr "truncate up to 5000 (zeros)"
	on_both tr 'fd = os.open(p, os.O_RDWR); os.ftruncate(fd, 700); os.close(fd)'
	same_bytes tr "ftruncate down to 700"
	on_both tr 'fd = os.open(p, os.O_RDWR); os.ftruncate(fd, 9000); os.close(fd)'
	same_bytes tr "ftruncate up to 9000"
	on_both trw 'fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b"hello world"); os.ftruncate(fd, 5); os.write(fd, b"!!"); os.ftruncate(fd, 20); os.write(fd, b"END")
os.close(fd)'
	same_bytes trw "open, write, ftruncate down, write, ftruncate up, write, close"
	for f in "$ref" "$m"; do cp "$tmp/r4k" "$f/trw2" || bad "$L: cp to $f/trw2"; done
	on_both trw2 'fd = os.open(p, os.O_RDWR); os.pwrite(fd, b"xyz", 100); os.ftruncate(fd, 50); os.pwrite(fd, b"tail", 60); os.close(fd)'
	same_bytes trw2 "an existing file: pwrite, ftruncate down, pwrite past the end, close"

	# --- unlink ---------------------------------------------------------------
	printf 'bye\n' >"$m/ul" || bad "$L: write ul"
	check_run "$L: rm ul" t rm "$m/ul"
	check_eq "$(ls -A "$m" | grep -cx ul)" 0 "$L: ul is no longer listed"
	check_eq "$(bexists "${KP}ul")" no "$L: rm deleted the object ${KP}ul"
	printf 'keep me\n' >"$m/ulo" || bad "$L: write ulo"
	out=$(pyrun '
fd = os.open(a[0], os.O_RDWR)
os.unlink(a[0])
print("exists" if os.path.lexists(a[0]) else "gone", end=" ")
print(os.pread(fd, 100, 0) == b"keep me\n", end=" ")
os.pwrite(fd, b"more\n", 8)
print(os.pread(fd, 100, 0) == b"keep me\nmore\n", end=" ")
os.close(fd)
print(os.path.lexists(a[0]))' "$m/ulo" 2>&1 | tail -n 1) || true
	check_eq "$out" "gone True True False" \
		"$L: unlink of an open file: the name goes, the fd reads the data, writes and reads back"
	check_eq "$(bexists "${KP}ulo")" no "$L: ... the object ${KP}ulo is gone after the close"
	out=$(pyrun '
fd = os.open(a[0], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b"never uploaded\n")
os.unlink(a[0])
os.write(fd, b"still not\n")
os.close(fd)
print("closed")' "$m/ulw" 2>&1 | tail -n 1) || true
	check_eq "$out" closed "$L: unlink of a new file with unflushed writes, then close"
	sleep 1.5
	check_eq "$(bexists "${KP}ulo")$(bexists "${KP}ulw")" nono \
		"$L: 1.5 s later neither ${KP}ulo nor ${KP}ulw reappeared in the bucket"
	check_eq "$(ls -A "$m" | grep -cxE 'ulo|ulw')" 0 "$L: ... nor in the mount"

	# --- rename -----------------------------------------------------------------
	printf 'rename me\n' >"$m/rn1" && chmod 0640 "$m/rn1" || bad "$L: write+chmod rn1"
	check_run "$L: mv rn1 rn2" t mv "$m/rn1" "$m/rn2"
	check_eq "$(cat "$m/rn2" 2>&1)" "rename me" "$L: rn2 has the bytes"
	check_eq "$(stat -c %a "$m/rn2" 2>&1)" 640 "$L: rn2 keeps mode 0640"
	check_eq "$(test -e "$m/rn1" && echo exists || echo gone)" gone "$L: rn1 is gone"
	check_eq "$(bexists "${KP}rn1")" no "$L: the object ${KP}rn1 is gone"
	check_eq "$(bq get "${KP}rn2" - 2>&1)" "rename me" "$L: the object ${KP}rn2 has the bytes"
	check_eq "$(bmeta "${KP}rn2" x-amz-meta-mode)" 33184 "$L: ${KP}rn2 kept x-amz-meta-mode (0100640)"
	printf AAA >"$m/ra" && printf BBBBBB >"$m/rb" || bad "$L: write ra, rb"
	check_run "$L: mv ra rb (rb exists)" t mv -f "$m/ra" "$m/rb"
	check_eq "$(cat "$m/rb" 2>&1)" AAA "$L: rb now has ra's bytes"
	check_eq "$(bq get "${KP}rb" - 2>&1)/$(bexists "${KP}ra")" AAA/no \
		"$L: the object ${KP}rb holds AAA and ${KP}ra is gone"
	mkdir -p "$m/rd/sub" && printf one >"$m/rd/f1" && printf two >"$m/rd/sub/f2" || bad "$L: make rd/"
	check_run "$L: mv rd rd2 (a directory with files)" t mv "$m/rd" "$m/rd2"
	check_eq "$(cat "$m/rd2/f1" "$m/rd2/sub/f2" 2>&1)" onetwo "$L: rd2/f1 and rd2/sub/f2 have the bytes"
	check_eq "$(test -e "$m/rd" && echo exists || echo gone)" gone "$L: rd is gone"
	check_eq "$(bq list "${KP}rd/" | tr '\n' ' ')" "" "$L: no key left under ${KP}rd/"
	check_eq "$(bq list "${KP}rd2/" | tr '\n' ' ')" "${KP}rd2/f1 ${KP}rd2/sub/f2 " \
		"$L: the keys under ${KP}rd2/: the files (their keys make rd2 and sub exist; no marker)"
	check_eq "$(bq get "${KP}rd2/sub/f2" - 2>&1)" two "$L: the object ${KP}rd2/sub/f2 has the bytes"

	# --- attributes ---------------------------------------------------------------
	printf 'attrs\n' >"$m/attr" || bad "$L: write attr"
	check_run "$L: chmod 0640 attr" t chmod 0640 "$m/attr"
	check_run "$L: chown 1234:5678 attr" t chown 1234:5678 "$m/attr"
	check_run "$L: touch -d @1577934245 attr" t touch -d @1577934245 "$m/attr"
	check_eq "$(stat -c '%a %u %g %Y' "$m/attr" 2>&1)" "640 1234 5678 1577934245" "$L: stat shows them"
	out=$(bq head "${KP}attr")
	check_eq "$(grep -E '^x-amz-meta-(mode|uid|gid|mtime)=' <<<"$out" | tr '\n' ' ')" \
		"x-amz-meta-gid=5678 x-amz-meta-mode=33184 x-amz-meta-mtime=1577934245 x-amz-meta-uid=1234 " \
		"$L: the object ${KP}attr has them as x-amz-meta-*"
	check_eq "$(sed -n 's/^size=//p' <<<"$out")" 6 "$L: ... and still its 6 bytes"
	check_run "$L: chmod 0700 d (a directory)" t chmod 0700 "$m/d"
	check_eq "$(bmeta "${KP}d/" x-amz-meta-mode)" 16832 "$L: the marker ${KP}d/ has x-amz-meta-mode 040700"
	out=$(pyrun '
fd = os.open(a[0], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b"unflushed\n")
os.fchmod(fd, 0o600)
os.utime(fd, (1500000000, 1500000000))
os.close(fd)
print("closed")' "$m/attrw" 2>&1 | tail -n 1) || true
	check_eq "$out" closed "$L: fchmod and futimens on a file with unflushed writes"
	out=$(bq head "${KP}attrw")
	check_eq "$(grep -E '^(size|x-amz-meta-(mode|mtime))=' <<<"$out" | tr '\n' ' ')" \
		"size=10 x-amz-meta-mode=33152 x-amz-meta-mtime=1500000000 " \
		"$L: ... carried by the upload at close"
	# A reader's close is not the writer's: a file being written is not put
	# in the bucket half-written when a read-only descriptor of it closes
	# (the kernel sends no FLUSH for one); the writer's close puts it whole.
	rm -f "$tmp/half.go" "$tmp/half.ready"
	pyrun '
import time
fd = os.open(a[0], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b"half ")
r = os.open(a[0], os.O_RDONLY)
got = os.read(r, 100)
os.close(r)
open(a[1], "w").write(repr(got))
while not os.path.exists(a[2]):
    time.sleep(0.05)
os.write(fd, b"whole\n")
os.close(fd)' "$m/half" "$tmp/half.ready" "$tmp/half.go" >"$tmp/half.out" 2>&1 &
	pid=$!
	for _ in $(seq 200); do [ ! -s "$tmp/half.ready" ] || break; sleep 0.05; done
	check_eq "$(cat "$tmp/half.ready" 2>&1)" "b'half '" "$L: a reader sees a writer's bytes before its close"
	check_eq "$(bexists "${KP}half")" no "$L: ... and its close puts nothing in the bucket"
	touch "$tmp/half.go"
	wait "$pid" || bad "$L: the writer failed: $(cat "$tmp/half.out")"
	check_eq "$(bq get "${KP}half" - 2>&1)" "half whole" "$L: the writer's close puts the whole file"

	# --- symlinks, refused operations, statfs, fsync -------------------------------
	check_run "$L: ln -s target/of/link.txt lnk" t ln -s target/of/link.txt "$m/lnk"
	check_eq "$(readlink "$m/lnk" 2>&1)" target/of/link.txt "$L: readlink lnk"
	check_eq "$(stat -c %F "$m/lnk" 2>&1)" "symbolic link" "$L: lnk is a symbolic link"
	check_eq "$(bq get "${KP}lnk" - 2>&1)" target/of/link.txt "$L: the object ${KP}lnk's body is the target"
	out=$(bmeta "${KP}lnk" x-amz-meta-mode)
	check_eq "$([[ $out =~ ^[0-9]+$ ]] && printf '%o' $((out & 0170000)))" 120000 \
		"$L: ${KP}lnk's x-amz-meta-mode ($out) has S_IFLNK"
	check_eq "$(py_errno 'os.link(a[0], a[1])' "$m/rn2" "$m/hard")" EPERM "$L: link (hard link) => EPERM"
	check_eq "$(bexists "${KP}hard")" no "$L: ... and no object for it"
	check_run "$L: mkfifo" t mkfifo -m 640 "$m/fifo"
	check_eq "$(stat -c '%F %a' "$m/fifo" 2>&1)" "fifo 640" "$L: the FIFO's type and mode"
	out=$(bmeta "${KP}fifo" x-amz-meta-mode)
	check_eq "$([[ $out =~ ^[0-9]+$ ]] && printf '%o' "$out")" 10640 \
		"$L: ${KP}fifo's x-amz-meta-mode ($out) is S_IFIFO | 0640"
	check_run "$L: rm fifo" t rm "$m/fifo"
	check_run "$L: df works" t df -P "$m"
	out=$(pyrun 's = os.statvfs(a[0]); print(s.f_namemax, s.f_bavail * s.f_frsize >= 10**15)' "$m" 2>&1) || true
	check_eq "$out" "255 True" "$L: statvfs: names up to 255 bytes, 1 PiB free"
	out=$(pyrun '
import subprocess
fd = os.open(a[0], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b"synced\n")
os.fsync(fd)
r = subprocess.run([sys.executable, a[1], "get", a[2], "-"], capture_output=True)
print(repr(r.stdout), end=" ")
os.write(fd, b"again\n")
os.fdatasync(fd)
r = subprocess.run([sys.executable, a[1], "get", a[2], "-"], capture_output=True)
print(repr(r.stdout))
os.close(fd)' "$m/fs" "$BFS_SOURCE_DIR/tests/fs/bucket.py" "${KP}fs" 2>&1 | tail -n 1) || true
	check_eq "$out" "b'synced\n' b'synced\nagain\n'" "$L: fsync and fdatasync upload before close"
	check_eq "$(bq get "${KP}fs" - 2>&1)" "synced
again" "$L: ... and the object is right after close"

	# --- large files, content type, other clients ------------------------------------
	cp "$tmp/r20m" "$m/big" || bad "$L: cp 20 MiB to big"
	rm -f "$tmp/obj"
	bq get "${KP}big" "$tmp/obj" 2>/dev/null || true
	check_file_eq "$tmp/r20m" "$tmp/obj" "$L: a 20 MiB file is the object ${KP}big byte for byte"
	check_eq "$(bmeta "${KP}big" etag)" "$(md5sum <"$tmp/r20m" | cut -d' ' -f1)" \
		"$L: ... uploaded in one PUT (below multipart_threshold): ETag is the MD5"
	check_run "$L: cmp big through the mount" cmp "$tmp/r20m" "$m/big"
	cp "$tmp/img.png" "$m/img.png" || bad "$L: cp img.png"
	check_eq "$(bmeta "${KP}img.png" content-type)" image/png "$L: img.png has Content-Type image/png"
	bq put "${KP}ext/other.bin" "$tmp/r300k"
	bq put "${KP}other-root.txt" "$tmp/r4k"
	sleep 1.2 # past negative_ttl (1 s): names looked up and missing before may stay missing that long
	check_eq "$(ls "$m/ext" 2>&1)" other.bin "$L: ls shows a file another client put in a new directory"
	check_eq "$(ls "$m" 2>&1 | grep -cx other-root.txt)" 1 "$L: ls of the root shows another client's file"
	check_run "$L: it reads byte-exact" cmp "$tmp/r300k" "$m/ext/other.bin"
	check_run "$L: the other one too" cmp "$tmp/r4k" "$m/other-root.txt"
	local t0=$EPOCHREALTIME
	bq putmany "${KP}big2k/e" 2000
	ok "$L: another client made 2000 objects under ${KP}big2k/ in $(awk -v t0="$t0" -v t1="$EPOCHREALTIME" 'BEGIN { printf "%.1f", t1 - t0 }') s"
	sleep 1.2 # (negative_ttl, as above: the root was listed less than 1 s ago)
	t0=$EPOCHREALTIME
	out=$(t ls -l "$m/big2k" 2>&1 | grep -c '^-') || true
	check_eq "$out" 2000 "$L: ls -l of the 2000-entry directory lists 2000 files ($(awk -v t0="$t0" -v t1="$EPOCHREALTIME" 'BEGIN { printf "%.1f", t1 - t0 }') s)"
	check_eq "$(cat "$m/big2k/e01999" 2>&1)" "entry 1999" "$L: ... and the last one reads"

	# --- remount on a fresh cache_dir: everything comes from the bucket ----------------
	bfs_umount "$m"
	bfs_mount "$target" "$m" "cache_dir=$tmp/cache2-$L,symlinks=on"
	check_eq "$(stat -c '%a %u %g %Y' "$m/attr" 2>&1)" "640 1234 5678 1577934245" \
		"$L: after a remount on a fresh cache_dir, stat attr shows mode, owner, mtime"
	check_eq "$(stat -c '%a %s %Y' "$m/attrw" 2>&1)" "600 10 1500000000" "$L: ... and attrw's"
	check_eq "$(stat -c '%F %a' "$m/d" 2>&1)" "directory 700" "$L: ... and d is a directory with mode 0700"
	check_eq "$(stat -c %a "$m/rn2" 2>&1)" 640 "$L: ... rn2 has mode 0640"
	check_eq "$(readlink "$m/lnk" 2>&1)" target/of/link.txt "$L: ... readlink lnk"
	check_eq "$(stat -c %F "$m/lnk" 2>&1)" "symbolic link" "$L: ... lnk is a symbolic link"
	check_run "$L: ... big reads back byte-exact from the bucket" cmp "$tmp/r20m" "$m/big"
	check_eq "$(cat "$m/rd2/sub/f2" 2>&1)" two "$L: ... rd2/sub/f2 reads"
	check_eq "$(ls "$m/p1/p2" 2>&1)" p3 "$L: ... the empty directory p1/p2/p3 is listed"
	bfs_umount "$m"
	FS_MNT=
}

# --- the two runs ---------------------------------------------------------------
export BFS_BUCKET=s3:$bucket
body rgw "$bucket:/pfx" pfx/
check_eq "$(bq list | grep -cv '^pfx/')" 0 "rgw: nothing in the bucket outside pfx/"

mkdir "$tmp/dir"
export BFS_BUCKET=file:$tmp/dir
body file "file:$tmp/dir" ""

# --- multipart (radosgw) ------------------------------------------------------------
export BFS_BUCKET=s3:$bucket
L=rgw-mp m=$tmp/mnt-mp
bfs_mount "$bucket:/mp" "$m" "multipart_threshold=8M,part_size=5M"
FS_MNT=$m
cp "$tmp/r20m" "$m/big" || bad "rgw-mp: cp 20 MiB to big"
rm -f "$tmp/obj"
bq get mp/big "$tmp/obj" 2>/dev/null || true
check_file_eq "$tmp/r20m" "$tmp/obj" "rgw-mp: with multipart_threshold=8M,part_size=5M a 20 MiB file is the object mp/big"
check_match "$(bmeta mp/big etag)" '^[0-9a-f]{32}-4$' "rgw-mp: ... uploaded in 4 parts (ETag ends in -4)"
check_run "rgw-mp: cmp big through the mount" cmp "$tmp/r20m" "$m/big"
bfs_umount "$m"
FS_MNT=

# --- fail fast -----------------------------------------------------------------------
# ff LABEL ENV CMD...: run bucketfs (timeout 15 s) with the environment
# assignments ENV (space-separated) on mount point $ffm; sets ff_rc, ff_secs
# and ff_out; unmounts and kills what it leaves behind.
ffm=$tmp/ffm
mkdir -p "$ffm"
ff_cleanup() {
	local p
	if _bfs_mounted "$ffm"; then fusermount3 -u "$ffm" || umount -l "$ffm"; fi
	for p in /proc/[0-9]*; do
		if tr '\0' '\n' 2>/dev/null <"$p/cmdline" | grep -qxF "$ffm"; then
			kill -KILL "${p#/proc/}" 2>/dev/null || true
		fi
	done
	return 0
}
on_exit ff_cleanup
ff() {
	local label=$1 envs=$2 t0=$EPOCHREALTIME
	shift 2
	ff_rc=0
	# shellcheck disable=SC2086 # envs are words
	ff_out=$(env $envs timeout -k 2 15 "$@" </dev/null 2>&1) || ff_rc=$?
	ff_secs=$(awk -v t0="$t0" -v t1="$EPOCHREALTIME" 'BEGIN { printf "%.1f", t1 - t0 }')
	sleep 0.3
	if _bfs_mounted "$ffm"; then
		bad "$label: $ffm is mounted"
	else
		ok "$label: nothing mounted"
	fi
	ff_cleanup
	echo "# $label: exit $ff_rc after $ff_secs s: $(tr '\n' ' ' <<<"${ff_out:0:400}")"
	if [ "$ff_rc" -ne 0 ] && [ "$ff_rc" -ne 124 ] && [ "$ff_rc" -ne 137 ] &&
		awk -v s="$ff_secs" 'BEGIN { exit !(s < 10) }'; then
		ok "$label: exits non-zero ($ff_rc) within 10 s ($ff_secs s)"
	else
		bad "$label: exit status $ff_rc after $ff_secs s, expected non-zero within 10 s"
	fi
}
opts="endpoint=$RGW_ENDPOINT,path_style,cache_dir=$tmp/ffcache"
for mode in -f daemon; do
	fl=()
	[ "$mode" = daemon ] || fl=(-f)
	ff "wrong secret ($mode)" "AWS_SECRET_ACCESS_KEY=wrong-secret-0000" "$bin" "$bucket" "$ffm" "${fl[@]}" -o "$opts"
	check_match "$ff_out" SignatureDoesNotMatch "wrong secret ($mode): the message says SignatureDoesNotMatch"
	ff "no such bucket ($mode)" "" "$bin" "nosuch-$RANDOM" "$ffm" "${fl[@]}" -o "$opts"
	check_match "$ff_out" '(NoSuchBucket|[Nn]o such bucket)' "no such bucket ($mode): the message says so"
done

# --- SIGTERM unmounts cleanly ---------------------------------------------------------------
m=$tmp/mnt-term
bfs_mount "$bucket:/term" "$m"
FS_MNT=$m
printf 'before TERM\n' >"$m/f" || bad "write before SIGTERM"
pid=${BFS_MOUNT_PID[$m]}
kill -TERM "$pid"
if ! wait_until 10 eval '! _bfs_pid_alive "$pid"'; then
	bad "SIGTERM: bucketfs (pid $pid) still running 10 s after SIGTERM"
else
	rc=0
	wait "$pid" || rc=$?
	unset 'BFS_MOUNT_PID[$m]'
	check_eq "$rc" 0 "SIGTERM: bucketfs exits 0"
	if _bfs_mounted "$m"; then
		bad "SIGTERM: $m is still mounted after bucketfs exited"
		fusermount3 -u "$m" || umount -l "$m"
	else
		ok "SIGTERM: $m is no longer mounted"
	fi
fi
check_eq "$(bq get term/f - 2>&1)" "before TERM" "SIGTERM: the file written before is in the bucket"
# shellcheck disable=SC2034  # (read by fslib.sh's helpers)
FS_MNT=

fs_finish
