#!/bin/bash
# SPDX-License-Identifier: MIT
# t0225-fs-listed-attrs — no mode, owner or file type that the stored
# metadata contradicts, however a name was found.  An S3 listing carries no
# metadata; a mount that listed a directory (ls -l, ls -lR) must still
# show, and let the kernel enforce, what each object's x-amz-meta-* says:
# server A makes a 0600 file and a 0700 directory, boto3 writes what s3fs
# writes (a 0640 33:33 file, a 0700 directory marker, a symlink to
# /etc/passwd); server B (allow_other, a fresh cache) lists first, then
# user nobody is refused at once, not a second later; ls -l shows the
# stored modes and owners, a symlink as a read-only file holding its target
# (symlinks=file, the default) or as a symlink (symlinks=on); an
# immutable= tree keeps them; what it costs: one HEAD per entry the listing
# could not tell, sent in parallel, none a second time; with uid=, gid=,
# umask= (the mount decides everything), none at all.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 200
# shellcheck source=tests/fs/fslib.sh
. "$BFS_SOURCE_DIR/tests/fs/fslib.sh"
umask 022

[ "$(id -u)" = 0 ] || fail "t0225 needs root (it switches to user nobody)"
rgw_start
tmp=$(bfs_tmpdir)
chmod 0711 "$tmp"
bucket=listed-$RANDOM
make_bucket "$bucket"
export BFS_BUCKET=s3:$bucket

nb() {
	(cd / && timeout -k 2 30 setpriv --reuid=65534 --regid=65534 --clear-groups "$@" 2>&1)
}

# --- server A writes; boto3 writes as s3fs does -------------------------------------
a=$tmp/a
bfs_mount "$bucket" "$a"
FS_MNT=$a
printf 's\n' >"$a/secret" && t chmod 600 "$a/secret" || bad "A: secret 0600"
t mkdir -m 700 "$a/priv" && printf 's\n' >"$a/priv/s.txt" || bad "A: priv 0700"
printf 'public\n' >"$a/pub.txt" || bad "A: pub.txt"
bfs_umount "$a"
boto3_py "$bucket" <<'PY'
b = sys.argv[1]
meta = {"uid": "33", "gid": "33", "mtime": "1600000000"}
s3.put_object(Bucket=b, Key="w/f640", Body=b"www-data's\n", Metadata=dict(meta, mode="33184"))
s3.put_object(Bucket=b, Key="w/d700/", Body=b"", ContentType="application/x-directory",
              Metadata=dict(meta, mode="16832"))
s3.put_object(Bucket=b, Key="w/d700/in.txt", Body=b"in\n", Metadata=dict(meta, mode="33188"))
s3.put_object(Bucket=b, Key="w/lnk", Body=b"/etc/passwd", Metadata=dict(meta, mode="41471"))
s3.put_object(Bucket=b, Key="w/plain", Body=b"no metadata\n")
# metadata anyone who can write the bucket may write: a device type with
# the set-user-ID bit on a root-owned copy of id(1), owners and times out
# of range, words that are no numbers
s3.put_object(Bucket=b, Key="odd/suid-id", Body=open("/usr/bin/id", "rb").read(),
              Metadata={"mode": str(0o24755), "uid": "0", "gid": "0"})
s3.put_object(Bucket=b, Key="odd/huge", Body=b"h\n",
              Metadata={"mode": "33188", "uid": "4294967295", "gid": "99999999999",
                        "mtime": "1e300"})
s3.put_object(Bucket=b, Key="odd/words", Body=b"w\n",
              Metadata={"mode": "rwx", "uid": "-1", "gid": "0x21", "mtime": "-5"})
for i in range(200):
    s3.put_object(Bucket=b, Key="many/f%03d" % i, Body=b"x",
                  Metadata={"mode": str(0o100600), "uid": "0", "gid": "0"})
PY

# --- server B: a fresh cache, allow_other, lists first ---------------------------------
proxy_start "" --log-inflight
plog=$PROXY_LOG
b=$tmp/b
# (stat_ttl=10: what ls -l costs, not the revalidation of what it found a
# second ago, which a busy machine's slow ls -l of 200 names would add)
bfs_mount "$bucket" "$b" "endpoint=$PROXY_EP,path_style,allow_other,cache_dir=$tmp/cb,stat_ttl=10"
FS_MNT=$b
ls -l "$b" >/dev/null 2>&1 || bad "B: ls -l /"
ls -lR "$b/w" >/dev/null 2>&1 || bad "B: ls -lR w"
check_eq "$(nb cat "$b/secret")" "cat: $b/secret: Permission denied" \
	"B, after ls -l: nobody cannot read A's 0600 file"
check_eq "$(nb cat "$b/priv/s.txt")" "cat: $b/priv/s.txt: Permission denied" \
	"B, after ls -l: nobody cannot enter A's 0700 directory"
check_eq "$(nb cat "$b/w/f640")" "cat: $b/w/f640: Permission denied" \
	"B, after ls -lR: nobody cannot read s3fs's 0640 33:33 file"
check_eq "$(nb ls "$b/w/d700")" "ls: cannot open directory '$b/w/d700': Permission denied" \
	"B, after ls -lR: nobody cannot list s3fs's 0700 directory"
check_eq "$(nb cat "$b/pub.txt")" public "B: nobody reads the 0644 file"
check_eq "$(ls -ln "$b/w" | awk 'NR > 1 { print $1, $3, $4, $NF }' | tr '\n' '|')" \
	"drwx------ 33 33 d700|-rw-r----- 33 33 f640|-r--r--r-- 33 33 lnk|-rw-r--r-- 0 0 plain|" \
	"B: ls -ln w shows the stored modes and owners, the symlink a read-only file"
check_eq "$(cat "$b/w/lnk")" /etc/passwd "B (symlinks=file): the symlink object reads as its target's path"
check_eq "$(ls -ln "$b" | awk 'NR > 1 { print $1, $3, $NF }' | tr '\n' '|')" \
	"drwxr-xr-x 0 many|drwxr-xr-x 0 odd|drwx------ 0 priv|-rw-r--r-- 0 pub.txt|-rw------- 0 secret|drwxr-xr-x 0 w|" \
	"B: ls -ln / shows A's modes"

# what it costs: the listing's unknown entries, each asked once, in parallel
n0=$(wc -l <"$plog")
ls -l "$b/many" >"$tmp/many.ls"
tail -n +$((n0 + 1)) "$plog" >"$tmp/many.log"
heads=$(grep -c '^HEAD /[^ ]*/many/f' "$tmp/many.log" || true)
gets=$(grep -c '^GET /[^ ]*/many/f' "$tmp/many.log" || true)
check_eq "$(grep -c '^-rw------- ' "$tmp/many.ls")" 200 "B: ls -l of 200 objects stored 0600 shows 200 0600 files"
check_eq "$((heads + gets))" 200 "B: ... asking each object once ($heads HEAD, $gets GET)"
most=$(sed -n 's/.* inflight=\([0-9]*\)$/\1/p' "$tmp/many.log" | sort -n | tail -n 1)
ok "B: ... at most ${most:-?} requests at once"
n0=$(wc -l <"$plog")
ls -l "$b/many" >/dev/null
check_eq "$(tail -n +$((n0 + 1)) "$plog" | grep -c '^HEAD' || true)" 0 \
	"B: a second ls -l (within stat_ttl) asks no object again"

# metadata values: a device mode or set-user-ID bit never takes effect
# (the mount is always nosuid, and a file is a file), out-of-range owners
# and times and non-numbers fall back to the defaults
check_eq "$(stat -c '%F %a %u' "$b/odd/suid-id")" "regular file 4755 0" \
	"B: an object stored S_IFCHR|04755 root's is a regular file (the bits show)"
check_eq "$(nb "$b/odd/suid-id" -u)" 65534 "B: ... run by nobody, it runs as nobody (nosuid)"
check_eq "$(stat -c '%F %a %u %g' "$b/odd/huge") $(($(stat -c %Y "$b/odd/huge") < 4000000000))" \
	"regular file 644 0 0 1" \
	"B: uid 4294967295, gid 99999999999, mtime 1e300: the mount's owner, the object's own time"
check_eq "$(stat -c '%F %a %u %g' "$b/odd/words")" "regular file 644 0 0" \
	"B: mode rwx, uid -1, gid 0x21: the defaults"
bfs_umount "$b"

# --- symlinks=on: the symlink is a symlink at the first ls -l -------------------------
b2=$tmp/b2
bfs_mount "$bucket" "$b2" "symlinks=on,cache_dir=$tmp/cb2"
FS_MNT=$b2
check_eq "$(ls -l "$b2/w" | awk '$NF == "/etc/passwd" { print substr($1, 1, 1), $(NF - 2) }')" \
	"l lnk" "symlinks=on: ls -l first shows lnk as a symlink"
check_eq "$(readlink "$b2/w/lnk")" /etc/passwd "symlinks=on: readlink"
bfs_umount "$b2"

# --- immutable=/: what is never revalidated is still asked once ------------------------
b3=$tmp/b3
bfs_mount "$bucket" "$b3" "allow_other,immutable=/,cache_dir=$tmp/cb3"
FS_MNT=$b3
ls -lR "$b3" >/dev/null 2>&1 || true
sleep 1.2
check_eq "$(nb ls "$b3/priv")" "ls: cannot open directory '$b3/priv': Permission denied" \
	"immutable=/: nobody cannot list the 0700 directory, after ls -lR and past stat_ttl"
check_eq "$(stat -c %a "$b3/w/d700")" 700 "immutable=/: d700 stays 0700"
bfs_umount "$b3"

# --- uid=, gid=, umask=: the mount decides, nothing is asked -----------------------------
proxy_start ""
plog=$PROXY_LOG
b4=$tmp/b4
bfs_mount "$bucket" "$b4" "endpoint=$PROXY_EP,path_style,uid=33,gid=33,umask=0027,cache_dir=$tmp/cb4"
# shellcheck disable=SC2034  # (read by fslib.sh's helpers)
FS_MNT=$b4
n0=$(wc -l <"$plog")
ls -lR "$b4" >"$tmp/forced.ls"
check_eq "$(tail -n +$((n0 + 1)) "$plog" | grep -c '^HEAD' || true)" 0 \
	"uid=,gid=,umask=: ls -lR sends no HEAD (no metadata can change what it shows)"
check_eq "$(grep -c '^-rwxr-x--- 1 33 33 ' <(ls -lnR "$b4"))" 210 \
	"uid=,gid=,umask=: every file is 0750 33:33 (the symlink too, a file)"
bfs_umount "$b4"

fs_finish
