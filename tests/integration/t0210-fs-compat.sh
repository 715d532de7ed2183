#!/bin/bash
# SPDX-License-Identifier: MIT
# t0210-fs-compat — a bucket written by s3fs (here: boto3 writing what s3fs
# writes) reads right through bucketfs: x-amz-meta-mode/uid/gid/mtime of a
# file (0100755, 1234, 5678, 1600000000) and of a directory marker "x/"
# show through stat on a fresh mount (by name, before any listing), and
# still after a listing; an s3fs symlink (body = target, mode 0120777) is a
# symlink; implied directories (only "a/b/c.txt" exists) are directories;
# keys with spaces and unicode work both ways; a rename gives the object
# its new name's Content-Type (pub.tmp -> pub.png), unless another client
# set it, and keeps its metadata; old-style directory objects ("dir"
# without the slash, empty, application/x-directory) are directories, also
# with keys below them, and rmdir and rename take them away.  Failed checks
# are collected (tests/fs/fslib.sh).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 120
# shellcheck source=tests/fs/fslib.sh
. "$BFS_SOURCE_DIR/tests/fs/fslib.sh"
umask 022
export LC_ALL=C.UTF-8 # ls sorts by code point; bash's $'\u...' makes UTF-8

test_setup fscompat  # (radosgw, $tmp, a new bucket $bucket)
export BFS_BUCKET=s3:$bucket
m=$tmp/mnt

uname=$'dir with space/na\u00efve \u65e5\u672c file \u2713.txt'
# What s3fs 1.9x writes: mode/uid/gid/mtime (also atime and ctime), and
# application/x-directory markers.
boto3_py "$bucket" "$uname" <<'PY'
bucket, uname = sys.argv[1], sys.argv[2]
meta = {"uid": "1234", "gid": "5678", "mtime": "1600000000", "atime": "1600000001", "ctime": "1600000002"}
s3.put_object(Bucket=bucket, Key="f755.sh", Body=b"#!/bin/sh\necho s3fs\n", ContentType="application/x-sh",
              Metadata=dict(meta, mode="33261"))  # 0100755
s3.put_object(Bucket=bucket, Key="f600.txt", Body=b"private\n", ContentType="text/plain",
              Metadata=dict(meta, mode="33152"))  # 0100600
s3.put_object(Bucket=bucket, Key="x/", Body=b"", ContentType="application/x-directory",
              Metadata=dict(meta, mode="16832"))  # 040700
s3.put_object(Bucket=bucket, Key="x/inside.txt", Body=b"inside x\n", ContentType="text/plain",
              Metadata=dict(meta, mode="33188"))
s3.put_object(Bucket=bucket, Key="y/", Body=b"", ContentType="application/x-directory",
              Metadata=dict(meta, mode="16889"))  # 040771, empty
s3.put_object(Bucket=bucket, Key="lnk", Body=b"f755.sh", ContentType="application/octet-stream",
              Metadata=dict(meta, mode="41471"))  # 0120777
s3.put_object(Bucket=bucket, Key="x/dirlnk", Body=b"../a/b", Metadata=dict(meta, mode="41471"))
s3.put_object(Bucket=bucket, Key="a/b/c.txt", Body=b"implied\n")
s3.put_object(Bucket=bucket, Key=uname, Body="unicode body \u2713\n".encode())
s3.put_object(Bucket=bucket, Key="plain.bin", Body=b"no metadata at all\n")
PY
ok "boto3 wrote s3fs-style objects"

# stat_all LABEL: the stat checks, by name.
stat_all() {
	local l=$1
	check_eq "$(stat -c '%F %a %u %g %Y %s' "$m/f755.sh" 2>&1)" "regular file 755 1234 5678 1600000000 20" \
		"$l: f755.sh: regular file, mode 0755, uid 1234, gid 5678, mtime 1600000000, 20 bytes"
	check_eq "$(stat -c '%F %a %u %g %Y' "$m/f600.txt" 2>&1)" "regular file 600 1234 5678 1600000000" \
		"$l: f600.txt: mode 0600, uid 1234, gid 5678, mtime 1600000000"
	check_eq "$(stat -c '%F %a %u %g %Y' "$m/x" 2>&1)" "directory 700 1234 5678 1600000000" \
		"$l: the marker x/: directory, mode 0700, uid 1234, gid 5678, mtime 1600000000"
	check_eq "$(stat -c '%F %a %u %g' "$m/y" 2>&1)" "directory 771 1234 5678" \
		"$l: the empty marker y/: directory, mode 0771, uid 1234, gid 5678"
	check_eq "$(stat -c '%F %u %g %Y' "$m/lnk" 2>&1)" "symbolic link 1234 5678 1600000000" \
		"$l: lnk (mode 0120777) is a symbolic link, uid 1234, gid 5678, mtime 1600000000"
	check_eq "$(readlink "$m/lnk" 2>&1)" f755.sh "$l: readlink lnk gives the object's body"
	check_eq "$(stat -c %F "$m/a" 2>&1) / $(stat -c %F "$m/a/b" 2>&1)" "directory / directory" \
		"$l: a and a/b (implied by a/b/c.txt only) are directories"
}

# --- a fresh mount: everything by name, before any listing -------------------------
# (symlinks=on: s3fs's symlinks are symlinks; by default they show as files)
bfs_mount "$bucket" "$m" symlinks=on
FS_MNT=$m
stat_all "by name first"
check_eq "$(cat "$m/lnk" 2>&1)" "#!/bin/sh
echo s3fs" "following lnk reads f755.sh"
check_eq "$("$m/f755.sh" 2>&1)" s3fs "f755.sh runs (mode 0755 is executable)"
check_eq "$(readlink "$m/x/dirlnk" 2>&1)" ../a/b "readlink x/dirlnk"
check_eq "$(ls "$m/x/dirlnk/" 2>&1)" c.txt "ls through x/dirlnk, a symlink to an implied directory"
check_eq "$(cat "$m/a/b/c.txt" 2>&1)" implied "a/b/c.txt reads"
check_eq "$(cat "$m/$uname" 2>&1)" "unicode body ✓" "the key with spaces and unicode reads"
check_eq "$(stat -c '%a' "$m/plain.bin" 2>&1)" 644 "an object without metadata shows mode 0644"

# --- listings --------------------------------------------------------------------------
check_eq "$(ls "$m" 2>&1 | tr '\n' '|')" "a|dir with space|f600.txt|f755.sh|lnk|plain.bin|x|y|" \
	"ls of the root: files, markers and implied directories, once each"
out=$(ls -l "$m" 2>&1 | awk '{ print substr($1, 1, 1) $NF }' | grep -v '^t' | tr '\n' ' ') || true
check_eq "$out" "da dspace -f600.txt -f755.sh lf755.sh -plain.bin dx dy " \
	"ls -l of the root: d for a, x, y and 'dir with space', l for lnk"
check_eq "$(ls "$m/a" 2>&1)/$(ls "$m/a/b" 2>&1)" b/c.txt "ls a, ls a/b: the implied tree"
check_eq "$(ls "$m/dir with space" 2>&1)" "${uname#*/}" "ls of 'dir with space' shows the unicode name"
check_eq "$(ls "$m/x" 2>&1 | tr '\n' ' ')" "dirlnk inside.txt " "ls x"
check_eq "$(ls -A "$m/y" 2>&1)" "" "y/ is an empty directory"
sleep 1.2 # past stat_ttl: what stat shows now comes from the index after the listing
stat_all "after ls"

# --- the other way: names written through the mount ------------------------------------------
name2=$'new d\u00eer \u00e9t\u00e9/\u00fcn\u00efc\u00f8de \U0001F600 file.txt'
t mkdir "$m/${name2%/*}" || bad "mkdir '${name2%/*}'"
printf 'written here\n' >"$m/$name2" || bad "write '$name2'"
check_eq "$(bq get "$name2" - 2>&1)" "written here" "boto3 reads the object under the exact UTF-8 key"
check_eq "$(bq list "new " | tr '\n' '|')" "$name2|" \
	"no other key was made (the file makes its directory exist: no marker owed)"
t mv "$m/$name2" "$m/${name2%/*}/renamed ✓.txt" || bad "rename of the unicode name"
check_eq "$(bq list "new " | tr '\n' '|')" "${name2%/*}/renamed ✓.txt|" "the rename moved the key"
t mkdir "$m/${name2%/*}/vide ∅" || bad "mkdir of an empty unicode directory"
bfs_flush "$m"
check_eq "$(bexists "${name2%/*}/vide ∅/")" yes "the marker of an empty directory with a unicode name"
bfs_umount "$m"

# --- a fresh mount again: ls -l first, then stat ------------------------------------------
# A listing carries no metadata: what ls -l shows of a name known only from
# it is asked of the bucket first (a HEAD, a marker's), never the defaults.
bfs_mount "$bucket" "$m" symlinks=on
ete=$'\u00e9t\u00e9' # (the last word of "new d\u00eer \u00e9t\u00e9", made above)
out=$(ls -ln "$m" 2>&1 | awk '{ print $1, $3, $4, $NF }' | grep -v '^total' | tr '\n' '|') || true
check_eq "$out" "drwxr-xr-x 0 0 a|drwxr-xr-x 0 0 space|-rw------- 1234 5678 f600.txt|-rwxr-xr-x 1234 5678 f755.sh|lrwxrwxrwx 1234 5678 f755.sh|drwxr-xr-x 0 0 $ete|-rw-r--r-- 0 0 plain.bin|drwx------ 1234 5678 x|drwxrwx--x 1234 5678 y|" \
	"a fresh mount: ls -l first shows the stored types, modes and owners (lnk a symlink, x 0700)"
stat_all "fresh mount, ls first, then stat by name"
bfs_umount "$m"
# symlinks=file (the default): s3fs's symlink is a read-only file holding its target
bfs_mount "$bucket" "$m"
check_eq "$(stat -c '%F %a %u' "$m/lnk" 2>&1)" "regular file 444 1234" \
	"symlinks=file: lnk is a read-only regular file"
check_eq "$(cat "$m/lnk" 2>&1)" f755.sh "symlinks=file: ... holding its target, never followed"
check_eq "$(py_errno 'os.symlink("x", a[0])' "$m/newlnk")" EPERM "symlinks=file: symlink() is EPERM"
check_eq "$(py_errno 'open(a[0], "w")' "$m/lnk")" EPERM "symlinks=file: lnk cannot be written"

# --- a rename gives the object its new name's Content-Type: the publish
# "write x.tmp, rename to x.png" must not leave x.png octet-stream at a CDN;
# a type another client set is kept, and so is the metadata
boto3_py "$bucket" <<'PY'
s3.put_object(Bucket=sys.argv[1], Key="typed.txt", Body=b"webp bytes", ContentType="image/webp",
              Metadata={"mode": "33184", "uid": "1234", "gid": "5678", "mtime": "1600000000"})
PY
printf 'png bytes' >"$m/pub.tmp" && t chmod 640 "$m/pub.tmp" && t mv "$m/pub.tmp" "$m/pub.png" ||
	bad "write pub.tmp, chmod 640, mv to pub.png"
check_eq "$(bmeta pub.png content-type)" image/png "a rename to pub.png: Content-Type image/png"
check_eq "$(bmeta pub.png x-amz-meta-mode)" 33184 "... its mode kept (0640)"
check_eq "$(cat "$m/pub.png" 2>&1)" "png bytes" "... and its bytes"
t mv "$m/typed.txt" "$m/typed.png" || bad "mv typed.txt typed.png"
check_eq "$(bmeta typed.png content-type)" image/webp "a type another client set survives a rename"
check_eq "$(bmeta typed.png x-amz-meta-uid)" 1234 "... and its metadata (uid)"
bfs_umount "$m"

# --- old-style directory objects (older s3fs, other tools): "dir" without the
# slash, empty, Content-Type application/x-directory, with keys below it or
# none; an empty object of another type beside keys below it stays a file
boto3_py "$bucket" <<'PY'
b = sys.argv[1]
s3.put_object(Bucket=b, Key="olds/od", Body=b"", ContentType="application/x-directory")
s3.put_object(Bucket=b, Key="olds/od/in.txt", Body=b"in od\n")
s3.put_object(Bucket=b, Key="olds/empty", Body=b"", ContentType="application/x-directory")
s3.put_object(Bucket=b, Key="olds/plain", Body=b"", ContentType="text/plain")
s3.put_object(Bucket=b, Key="olds/plain/hidden.txt", Body=b"h\n")
PY
bfs_mount "$bucket" "$m"
FS_MNT=$m
for i in 1 2; do # (a fresh mount's first ls -l, then one from the index)
	out=$(ls -l "$m/olds" 2>&1 | awk '{ print substr($1, 1, 1) $NF }' | grep -v '^t' | tr '\n' ' ') || true
	check_eq "$out" "dempty dod -plain " "ls -l $i: old-style directory objects are directories, an empty text/plain one a file"
done
check_eq "$(stat -c %F "$m/olds/od" "$m/olds/empty" "$m/olds/plain" 2>&1 | tr '\n' '|')" \
	"directory|directory|regular empty file|" "stat by name: the same"
check_eq "$(cat "$m/olds/od/in.txt" 2>&1)" "in od" "a file below the old-style directory reads"
# a chmod gives it a marker beside the object: still the one directory
t chmod 700 "$m/olds/empty" || bad "chmod of an old-style directory"
sleep 1.2 # (past the windows: listed and looked up again)
out=$(ls -l "$m/olds" 2>&1 | awk '{ print substr($1, 1, 10) $NF }' | grep -v '^t' | tr '\n' ' ') || true
check_eq "$out" "drwx------empty drwxr-xr-xod -rw-r--r--plain " "ls -l after the chmod: empty is a directory of mode 0700"
t mv "$m/olds/od" "$m/olds/nd" || bad "mv of an old-style directory"
t rmdir "$m/olds/empty" || bad "rmdir of an empty old-style directory"
check_eq "$(bq list olds/ | tr '\n' '|')" "olds/nd/|olds/nd/in.txt|olds/plain|olds/plain/hidden.txt|" \
	"the bucket: the rename left a marker nd/ and took od's object away; rmdir took empty's"
check_eq "$(ls "$m/olds" 2>&1 | tr '\n' ' ')" "nd plain " "ls after the rename and the rmdir"
bfs_umount "$m"
# shellcheck disable=SC2034  # (read by fslib.sh's helpers)
FS_MNT=

fs_finish
