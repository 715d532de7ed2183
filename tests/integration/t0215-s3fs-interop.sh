#!/bin/bash
# SPDX-License-Identifier: MIT
# t0215-s3fs-interop — an s3fs line works unchanged, and Debian's s3fs is the
# oracle (issue 25 cases 1-3): bucketfs and s3fs mount one bucket with the
# same option line (url, use_path_request_style, passwd_file, uid=, gid=,
# umask=, mp_umask=, default_acl=public-read, use_cache=, allow_other); the
# app's user (www-data, the uid= given) makes directories and files in both;
# every entry and the mount root show the same owner, group, mode and type
# in both; each mount reads byte-exact what the other wrote, and the mtimes
# the other set, to the nanosecond, and atimes and ctimes; every object
# written through bucketfs (new, renamed, uploaded in parts) is public-read
# as s3fs's are (boto3's ACL, an anonymous GET); FIFOs, sockets and device
# nodes made in either show as such in both; the two share the one
# use_cache directory, each in a subdirectory of its own; and a file
# bucketfs wrote, rewritten by s3fs (which keeps its metadata, bfs-crc32c
# among it), reads byte-exact in bucketfs.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 200
test_setup s3fsinterop # (radosgw, $tmp, a new bucket $bucket)
command -v s3fs >/dev/null || fail "no s3fs (tests/setup-deps.sh installs it)"
id www-data >/dev/null 2>&1 || fail "no www-data user"
chmod 755 "$tmp" # www-data reaches the mount points below it
printf '%s:%s\n' "$RGW_ACCESS_KEY" "$RGW_SECRET_KEY" >"$tmp/passwd"
chmod 600 "$tmp/passwd"
line="url=$RGW_ENDPOINT,use_path_request_style,passwd_file=$tmp/passwd,uid=33,gid=33,umask=0022,mp_umask=0022,default_acl=public-read,use_cache=$tmp/shared-cache,allow_other,stat_cache_expire=1"
mb=$tmp/bucketfs
ms=$tmp/s3fs
mkdir -p "$mb" "$ms"

bfs_mount "$bucket" "$mb" "$line"
s3fs_stop() {
	fusermount3 -u "$ms" 2>/dev/null || umount -l "$ms" 2>/dev/null || true
}
s3fs "$bucket" "$ms" -f -o "$line" </dev/null >"$tmp/s3fs.log" 2>&1 &
s3fs_pid=$!
on_exit _bfs_kill_quietly "$s3fs_pid"
on_exit s3fs_stop
wait_until 30 _bfs_mount_answers "$ms" || fail "s3fs did not mount: $(tail -n 5 "$tmp/s3fs.log")"
ok "bucketfs and s3fs mounted $bucket with one line: $line"

# --- the app's user writes through both ------------------------------------------------------
www() { runuser -u www-data -- "$@"; }
mkdir "$mb/images" # root makes the tree; www-data, the uid= of the line, works in it
head -c 1048576 /dev/urandom >"$tmp/a.png"
head -c 300000 /dev/urandom >"$tmp/b.png"
chmod 644 "$tmp/a.png" "$tmp/b.png"
www mkdir -p "$mb/images/t1" || fail "www-data: mkdir in bucketfs"
www cp "$tmp/a.png" "$mb/images/t1/0.png" || fail "www-data: write in bucketfs"
www touch "$mb/images/t1/0.png" || fail "www-data: touch in bucketfs"
wait_until 20 test -d "$ms/images" || fail "s3fs does not show images/"
www mkdir -p "$ms/images/t2" || fail "www-data: mkdir in s3fs"
www cp "$tmp/b.png" "$ms/images/t2/1.png" || fail "www-data: write in s3fs"
ok "www-data (uid=33 of the line) makes directories and files in both mounts"

# --- each reads what the other wrote --------------------------------------------------------
wait_until 20 cmp -s "$ms/images/t1/0.png" "$tmp/a.png" ||
	fail "s3fs does not read bucketfs's file byte-exact"
wait_until 20 cmp -s "$mb/images/t2/1.png" "$tmp/b.png" ||
	fail "bucketfs does not read s3fs's file byte-exact"
ok "each mount reads byte-exact what the other wrote"

# --- the same owner, group, mode and type ----------------------------------------------------
for p in . images images/t1 images/t2 images/t1/0.png images/t2/1.png; do
	got=$(stat -c '%u:%g %a %F' "$mb/$p")
	want=$(stat -c '%u:%g %a %F' "$ms/$p")
	assert_eq "$got" "$want" "owner, mode and type of '$p' in bucketfs (s3fs shows '$want')"
done
ok "the root, both directories and both files show the same owner, mode and type: $(stat -c '%u:%g %a' "$mb/images/t1/0.png")"

# --- times to the nanosecond, both ways ("SECONDS.NANOSECONDS" in x-amz-meta-mtime) ----------
touch -d @1100000000.123456789 "$mb/images/t1/0.png"
touch -d @1200000000.987654321 "$ms/images/t2/1.png"
for p in images/t1/0.png images/t2/1.png; do
	wait_until 20 eval '[ "$(stat -c %y "$ms/$p")" = "$(stat -c %y "$mb/$p")" ]' ||
		fail "$p's mtime: bucketfs $(stat -c %y "$mb/$p"), s3fs $(stat -c %y "$ms/$p")"
done
ok "an mtime set in either mount is the other's to the nanosecond: $(stat -c %y "$mb/images/t1/0.png"), $(stat -c %y "$mb/images/t2/1.png")"
# an atime set alone (x-amz-meta-atime), and the ctime that set it (x-amz-meta-ctime: now)
touch -a -d @1000000000 "$mb/images/t1/0.png"
touch -a -d @1000000001 "$ms/images/t2/1.png"
for p in images/t1/0.png images/t2/1.png; do
	wait_until 20 eval '[ "$(stat -c "%X %Z" "$ms/$p")" = "$(stat -c "%X %Z" "$mb/$p")" ]' ||
		fail "$p's atime and ctime: bucketfs $(stat -c '%X %Z' "$mb/$p"), s3fs $(stat -c '%X %Z' "$ms/$p")"
done
# (s3fs 1.90 leaves its own ctime at a utimens: only bucketfs's is now)
[ "$(stat -c %Z "$ms/images/t1/0.png")" -ge "$(($(date +%s) - 60))" ] ||
	fail "the ctime of bucketfs's touch is not now under s3fs: $(stat -c %Z "$ms/images/t1/0.png")"
ok "an atime set in either mount, and the ctime of that change, are the other's: $(stat -c '%X %Z' "$mb/images/t1/0.png"), $(stat -c '%X %Z' "$mb/images/t2/1.png")"

# --- FIFOs, sockets, device nodes: empty objects of that type (and x-amz-meta-rdev) -------
mkfifo "$mb/images/from-bucketfs.fifo"
mkfifo "$ms/images/from-s3fs.fifo"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$mb/images/b.sock"
mknod "$mb/images/from-bucketfs.chr" c 1 3
mknod "$ms/images/from-s3fs.blk" b 7 200
for p in images/from-bucketfs.fifo images/from-s3fs.fifo images/b.sock images/from-bucketfs.chr \
	images/from-s3fs.blk; do
	wait_until 20 test -e "$ms/$p" -a -e "$mb/$p" || fail "$p is not in both mounts"
	got=$(stat -c '%F' "$mb/$p")
	want=$(stat -c '%F' "$ms/$p")
	assert_eq "$got" "$want" "the type of $p in bucketfs (s3fs: $want)"
done
[ -p "$mb/images/from-s3fs.fifo" ] || fail "s3fs's FIFO is not a FIFO in bucketfs"
[ -b "$mb/images/from-s3fs.blk" ] || fail "s3fs's block device is not one in bucketfs"
# (s3fs 1.90 keeps no device numbers, not even its own: bucketfs's
# x-amz-meta-rdev is for bucketfs, test_fs and t0206)
assert_eq "$(stat -c '%t:%T' "$mb/images/from-bucketfs.chr")" "1:3" "bucketfs's device numbers"
ok "a FIFO or a device node made in either mount, and a socket bound in bucketfs, show the same type in both"
# (the root: chmod, chown and touch are this mount's own; s3fs answers them with EIO)
touch "$mb" || fail "touch of the bucketfs mount root"

# --- default_acl=public-read ----------------------------------------------------------------
www cp "$tmp/b.png" "$mb/images/t1/x.tmp"
www mv "$mb/images/t1/x.tmp" "$mb/images/t1/x.png"
dd if=/dev/urandom of="$tmp/big.png" bs=1M count=70 status=none
chmod 644 "$tmp/big.png"
www cp "$tmp/big.png" "$mb/images/t1/big.png" # over multipart_threshold (64M)
public() { # KEY: boto3 sees an AllUsers READ grant, and an anonymous GET gets 200
	boto3_py "$bucket" "$1" <<'PY' || return 1
b, k = sys.argv[1], sys.argv[2]
g = s3.get_object_acl(Bucket=b, Key=k)["Grants"]
ok = any(x["Grantee"].get("URI", "").endswith("/global/AllUsers") and x["Permission"] == "READ" for x in g)
sys.exit(0 if ok else 1)
PY
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$RGW_ENDPOINT/$bucket/$1")" = 200 ]
}
for k in images/t2/1.png images/t1/0.png images/t1/x.png images/t1/big.png; do
	public "$k" || fail "$k is not public-read in the bucket"
done
ok "objects written through bucketfs (new, renamed, 70 MiB in parts) are public-read, as s3fs's"

# --- rolling back: markers for the directories that have none ------------------------------
ctl=("$BFS_BUILD_DIR/bucketfsctl" -o "url=$RGW_ENDPOINT,passwd_file=$tmp/passwd")
bfs_flush "$mb"
out=$("${ctl[@]}" markers -n "$bucket") || fail "markers -n: $out"
[[ $out == *"missing: images/t1/"* ]] || fail "markers -n does not list images/t1/: $out"
out=$("${ctl[@]}" markers "$bucket") || fail "markers: $out"
mode=$(boto3_py "$bucket" <<'PY'
print(s3.head_object(Bucket=sys.argv[1], Key="images/t1/")["Metadata"].get("mode"))
PY
)
assert_eq "$mode" 16877 "images/t1/'s x-amz-meta-mode after markers"
out=$("${ctl[@]}" markers -n "$bucket") || fail "markers -n: $out"
assert_eq "$out" "0 directories without a marker" "markers -n after markers"
ok "bucketfsctl markers stores a marker for each directory without one: $("${ctl[@]}" markers -n "$bucket")"

# --- one use_cache for both --------------------------------------------------------------------
[ -d "$tmp/shared-cache/$bucket" ] || fail "no s3fs cache in use_cache: $(ls "$tmp/shared-cache")"
n=$(find "$tmp/shared-cache" -mindepth 1 -maxdepth 1 -type d -name "$bucket-*" | wc -l)
assert_eq "$n" 1 "bucketfs's subdirectories of use_cache"
ok "use_cache holds both caches: $(cd "$tmp/shared-cache" && ls -d -- */ .??* 2>/dev/null | tr '\n' ' ')"

# --- s3fs rewrites a file bucketfs wrote, keeping its metadata -------------------------------
# (bfs-crc32c among it, now stale: bucketfs must serve the new bytes, by
# their MD5 ETag, and say so)
head -c 1048576 /dev/urandom >"$tmp/c.png"
chmod 644 "$tmp/c.png"
www cp "$tmp/c.png" "$ms/images/t1/0.png" || fail "www-data: rewrite in s3fs"
meta=$(boto3_py "$bucket" <<'PY'
h = s3.head_object(Bucket=sys.argv[1], Key="images/t1/0.png")
print(h["Metadata"].get("bfs-crc32c", "-"), h["ETag"])
PY
)
wait_until 20 cmp -s "$mb/images/t1/0.png" "$tmp/c.png" ||
	fail "bucketfs does not read s3fs's rewrite of its file byte-exact (bfs-crc32c, ETag: $meta)"
if [[ $meta == *:* ]]; then
	grep -q "GET images/t1/0.png: the body does not match its bfs-crc32c metadata, but matches its MD5 ETag" \
		"${BFS_MOUNT_LOG[$mb]}" || fail "the stale bfs-crc32c s3fs kept is not logged"
fi
ok "s3fs's rewrite of a file bucketfs wrote reads byte-exact in bucketfs (bfs-crc32c, ETag after it: $meta)"
bfs_umount "$mb"
