#!/bin/bash
# SPDX-License-Identifier: MIT
# t0260-fs-errors — errors reach the writer, never success for lost data:
# through a fault proxy, PUTs that keep failing make close() and fsync()
# return EIO and leave no object (no zero-byte placeholder) in the bucket;
# faults within the retry budget are invisible and the object is exact.
# Also: an s3fs command line and an /etc/fstab line (mount -T, through
# mount.fuse3) work with only the program name changed.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 240
test_setup errs  # (radosgw, $tmp, a new bucket $bucket)
unmount_if() { ! mountpoint -q "$1" || umount -l "$1"; }

# proxy PLAN: a fault proxy in front of radosgw; sets PEP and PLOG.
proxy() {
	proxy_start "$1"
	PEP=$PROXY_EP
	PLOG=$PROXY_LOG
}

# Every PUT fails (500): mkdir, close and fsync report EIO; nothing lands.
proxy "PUT:500=100000"
mnt=$tmp/m1
bfs_mount "$bucket" "$mnt" "endpoint=$PEP,path_style,retries=2,unmount_wait=1"
/usr/bin/python3 - "$mnt" <<'PY' || fail "errors were not reported to the writer"
import errno, os, sys, time
mnt = sys.argv[1]
# mkdir journals the new directory's marker (owed: its first file would
# make it exist); it is kept and retried, like a delayed upload
os.mkdir(mnt + "/d")
try:
    os.chmod(mnt + "/d", 0o700)  # other attributes: the marker is due now
    raise SystemExit("chmod succeeded although every PUT fails")
except OSError as e:
    assert e.errno == errno.EIO, e
fd = os.open(mnt + "/f.png", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b"x" * 100000)
try:
    os.fsync(fd)
    raise SystemExit("fsync succeeded although every PUT fails")
except OSError as e:
    assert e.errno == errno.EIO, e
try:
    os.close(fd)
    raise SystemExit("close succeeded although every PUT fails")
except OSError as e:
    assert e.errno == errno.EIO, e
print("ok - chmod of a new directory, fsync and close return EIO when the PUT cannot be made")
# The file is dropped when the kernel's release of it reaches the daemon,
# right after close() returned (SEMANTICS.md: until then a stat may still
# find it); from then on it is neither found nor listed (the long model run
# found it listed but not found).
deadline = time.monotonic() + 2
while os.path.exists(mnt + "/f.png"):
    assert time.monotonic() < deadline, "f.png is still found 2 s after its close() failed"
    time.sleep(0.05)
for i in range(3):
    assert not os.path.exists(mnt + "/f.png"), "try %d: f.png is found again" % i
    names = os.listdir(mnt)
    assert "f.png" not in names, ("try %d: f.png is listed although its close() failed" % i, names)
    time.sleep(0.5 * i)
print("ok - the file whose close() failed is neither found nor listed")
PY
ok "failed uploads are reported: chmod of a new directory, fsync and close give EIO"
sleep 2  # past the marker's 1 s delay: the uploader tries it, and fails
pend=$("$BFS_BUILD_DIR/bucketfsctl" pending "$mnt" 2>&1) || fail "bucketfsctl pending: $pend"
grep -Eq '^/d/ 0 [0-9]+ [1-9]' <<<"$pend" || fail "the owed marker of d/ is not listed as pending and tried: $pend"
ok "the owed marker of d/ stays journaled and is retried: $(grep '^/d/' <<<"$pend")"
n=$(boto3_py "$bucket" <<'PY'
print(s3.list_objects_v2(Bucket=sys.argv[1]).get("KeyCount", 0))
PY
)
assert_eq "$n" 0 "no object (no zero-byte placeholder) reached the bucket"
grep -q 'upload /f.png: server error' "${BFS_MOUNT_LOG[$mnt]}" ||
	fail "the daemon log does not name the failed upload: $(tail -3 "${BFS_MOUNT_LOG[$mnt]}")"
ok "the daemon logs the failure with the server's reason: $(grep -m1 'upload /f.png' "${BFS_MOUNT_LOG[$mnt]}")"
bfs_umount "$mnt"

# Faults within the budget (retries=4): invisible, and the object is exact.
proxy "PUT:503=2,PUT:reset=1,GET:500=1"
mnt=$tmp/m2
bfs_mount "$bucket" "$mnt" "endpoint=$PEP,path_style"
head -c 300000 /dev/urandom >"$tmp/data"
mkdir -p "$mnt/img" && cp "$tmp/data" "$mnt/img/a.png" || fail "write through transient faults failed"
s3_cp "s3://$bucket/img/a.png" "$tmp/back" >/dev/null
assert_file_eq "$tmp/data" "$tmp/back" "the object written through 503, 503, reset is exact"
grep -c ' -> 503\| -> reset' "$PLOG" >/dev/null || fail "the faults were not injected"
ok "faults seen by the proxy: $(grep -c ' -> 503\| -> reset\| -> 500' "$PLOG")"
bfs_umount "$mnt"

# An s3fs command line, only the program name changed.
printf '%s:%s\n' "$RGW_ACCESS_KEY" "$RGW_SECRET_KEY" >"$tmp/passwd-s3fs"
chmod 600 "$tmp/passwd-s3fs"
mnt=$tmp/m3
mkdir -p "$mnt"
"$BFS_BUILD_DIR/bucketfs" "$bucket" "$mnt" -o passwd_file="$tmp/passwd-s3fs" \
	-o url="$RGW_ENDPOINT" -o use_path_request_style -o allow_other -o umask=0022 \
	-o use_cache="$tmp/s3fs-cache" -o stat_cache_expire=1 -o mp_umask=0022 -o uid=0,gid=0 \
	-o sigv4 -o nodnscache -o dbglevel=info || fail "the s3fs command line did not mount"
on_exit unmount_if "$mnt"
[ "$(cat "$mnt/img/a.png" | md5sum)" = "$(md5sum <"$tmp/data")" ] || fail "read through the s3fs-style mount"
ok "s3fs command line (passwd_file, url, use_path_request_style, use_cache, ...) mounts and reads"
fusermount3 -u "$mnt"
for _ in $(seq 50); do mountpoint -q "$mnt" || break; sleep 0.1; done

# /etc/fstab through mount(8) and mount.fuse3, with the fstab-only words.
# mount(8) runs helpers with a fixed PATH, so the line names the binary by
# its absolute path in mount.fuse3's "PROGRAM#SOURCE" form (installed
# under /usr/bin, "SOURCE ... fuse.bucketfs" works the same).
cat >"$tmp/fstab" <<EOF2
$BFS_BUILD_DIR/bucketfs#$bucket:/img $tmp/m4 fuse _netdev,nofail,noauto,x-systemd.automount,x-systemd.requires=network-online.target,allow_other,use_path_request_style,url=$RGW_ENDPOINT,passwd_file=$tmp/passwd-s3fs,cache_dir=$tmp/fstab-cache 0 0
EOF2
mkdir -p "$tmp/m4"
mount -T "$tmp/fstab" "$tmp/m4" || fail "mount -T with the fstab line failed"
on_exit unmount_if "$tmp/m4"
[ "$(md5sum <"$tmp/m4/a.png")" = "$(md5sum <"$tmp/data")" ] || fail "read through the fstab mount"
grep -q " $tmp/m4 fuse" /proc/mounts || fail "not in /proc/mounts"
ok "fstab line (_netdev, nofail, noauto, x-systemd.*, s3fs options) mounts with mount -T"
umount "$tmp/m4" || fail "umount of the fstab mount"
ok "umount of the fstab mount"
