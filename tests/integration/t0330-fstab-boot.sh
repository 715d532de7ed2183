#!/bin/bash
# SPDX-License-Identifier: MIT
# t0330-fstab-boot — mounting from /etc/fstab and at boot: a "fuse.bucketfs"
# line (every fstab-only word in it) mounts with mount -T through the
# system's mount.fuse3 and unmounts with umount, for a bucket and for the
# file: store; the generic mount flags of a line reach the kernel's mount
# (noexec, noatime, ro; nosuid,nodev always, although mount.fuse3 adds
# suid and dev to a line without them); with mount_retry= an endpoint that
# comes up late is waited for, and one that never does fails clearly when the time is up;
# readiness and stopping are signalled to systemd over $NOTIFY_SOCKET.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 200
test_setup fstab  # (radosgw, $tmp, a new bucket $bucket)
printf '%s:%s\n' "$RGW_ACCESS_KEY" "$RGW_SECRET_KEY" >"$tmp/passwd"
chmod 600 "$tmp/passwd"
# mount(8) runs mount.fuse3 with a fixed PATH (/sbin:/bin:/usr/sbin:/usr/bin),
# which runs "bucketfs" from it: put this build there for the test (unless a
# bucketfs is installed already, which is then what fstab would run).
if [ ! -e /usr/sbin/bucketfs ] && [ ! -e /usr/bin/bucketfs ] && [ ! -e /sbin/bucketfs ] &&
	[ ! -e /bin/bucketfs ]; then
	ln -s "$BFS_BUILD_DIR/bucketfs" /usr/sbin/bucketfs
	on_exit rm -f /usr/sbin/bucketfs
else
	echo "# using the installed bucketfs for the fuse.bucketfs lines: $(command -v bucketfs)"
fi
quiet_umount() { umount -l "$1" 2>/dev/null || true; }

# --- fstab: fuse.bucketfs, a bucket and the file: store ----------------------------------
mkdir -p "$tmp/m1" "$tmp/m2" "$tmp/m3" "$tmp/localbucket"
cat >"$tmp/fstab" <<EOF2
# a bucket, with every fstab-only word; s3fs's url= of an IP address without
# use_path_request_style (addressed path-style all the same)
$bucket:/generated $tmp/m1 fuse.bucketfs _netdev,nofail,noauto,users,nouser,defaults,x-systemd.automount,x-systemd.mount-timeout=90,comment=test,allow_other,url=$RGW_ENDPOINT,passwd_file=$tmp/passwd,cache_dir=$tmp/cache1,mount_retry=30 0 0
# the embedded default
file:$tmp/localbucket $tmp/m2 fuse.bucketfs _netdev,nofail,auto,cache_dir=$tmp/cache2 0 0
# generic mount flags
file:$tmp/localbucket $tmp/m3 fuse.bucketfs noexec,noatime,ro,nofail,cache_dir=$tmp/cache5 0 0
EOF2
on_exit quiet_umount "$tmp/m1"
on_exit quiet_umount "$tmp/m2"
on_exit quiet_umount "$tmp/m3"
# the options /proc/mounts shows for a mount point
mount_opts() { awk -v m="$1" '$2 == m { print $4 }' /proc/mounts | tail -n 1; }
out=$(mount -T "$tmp/fstab" "$tmp/m1" 2>&1) || fail "mount -T (bucket): $out"
grep -q " $tmp/m1 fuse.bucketfs " /proc/mounts || fail "not in /proc/mounts as fuse.bucketfs: $(grep "$tmp/m1" /proc/mounts)"
opts=$(mount_opts "$tmp/m1")
[[ ,$opts, == *,nosuid,* && ,$opts, == *,nodev,* ]] ||
	fail "a line with defaults (mount.fuse3 adds suid,dev) is not nosuid,nodev: $opts"
ok "a line with defaults: $opts (nosuid,nodev although mount.fuse3 passed suid,dev)"
head -c 100000 /dev/urandom >"$tmp/x"
mkdir -p "$tmp/m1/images/t1"
cp "$tmp/x" "$tmp/m1/images/t1/0.png"
boto3_py "$bucket" "$tmp/x" <<'PY' || fail "the fstab mount's file is not in the bucket"
b, ref = sys.argv[1:3]
assert s3.get_object(Bucket=b, Key="generated/images/t1/0.png")["Body"].read() == open(ref, "rb").read()
PY
ok "mount -T with a fuse.bucketfs line (_netdev, nofail, noauto, users, nouser, defaults, x-systemd.*, comment=): a write reaches the bucket"
umount "$tmp/m1" || fail "umount of the fstab mount"
grep -q " $tmp/m1 " /proc/mounts && fail "still mounted after umount"
ok "umount unmounts it and the daemon exits"
out=$(mount -T "$tmp/fstab" "$tmp/m2" 2>&1) || fail "mount -T (file:): $out"
echo hello >"$tmp/m2/hello.txt"
assert_eq "$(cat "$tmp/localbucket/hello.txt")" hello "the file: store from fstab writes into its directory"
cp /usr/bin/true "$tmp/m2/true"
chmod 755 "$tmp/m2/true"
"$tmp/m2/true" || fail "a binary does not run from the mount of a line without noexec"
umount "$tmp/m2" || fail "umount of the file: mount"
out=$(mount -T "$tmp/fstab" "$tmp/m3" 2>&1) || fail "mount -T (noexec,noatime,ro): $out"
opts=$(mount_opts "$tmp/m3")
for w in ro noexec noatime nosuid nodev; do
	[[ ,$opts, == *,$w,* ]] || fail "a line with noexec,noatime,ro: /proc/mounts shows '$opts', no $w"
done
"$tmp/m3/true" 2>/dev/null && fail "a binary ran from the mount of a noexec line"
ok "a line with noexec,noatime,ro: /proc/mounts shows $opts, and a binary there does not run"
umount "$tmp/m3" || fail "umount of the noexec mount"

# --- mount_retry: an endpoint that comes up late, one that never does ---------------------
port=$(free_port)
late=http://127.0.0.1:$port
(sleep 4; exec /usr/bin/python3 "$BFS_SOURCE_DIR/tests/faultproxy.py" --listen-port "$port" \
	--upstream "$RGW_ENDPOINT" >"$tmp/late.out" 2>&1) &
proxy=$!
on_exit _bfs_kill_quietly "$proxy"
on_exit pkill -f "faultproxy.py --listen-port $port"
t0=$EPOCHREALTIME
out=$("$BFS_BUILD_DIR/bucketfs" "$bucket" "$tmp/m1" -o "endpoint=$late,path_style,passwd_file=$tmp/passwd,cache_dir=$tmp/cache3,mount_retry=20,retries=1" 2>&1) ||
	fail "the mount did not wait for the late endpoint: $out"
d=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
grep -Eq "is unreachable .*trying again until mount_retry=20 s is up \([0-9]+ s left\)" <<<"$out" || fail "no retry message: $out"
ok "an endpoint up 4 s late: mounted after $d s ($(grep -c unreachable <<<"$out") retry messages)"
umount "$tmp/m1"
dead=http://127.0.0.1:$(free_port)
t0=$EPOCHREALTIME
out=$("$BFS_BUILD_DIR/bucketfs" "$bucket" "$tmp/m1" -o "endpoint=$dead,path_style,passwd_file=$tmp/passwd,cache_dir=$tmp/cache3,mount_retry=3" 2>&1) &&
	fail "mounted a dead endpoint"
d=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
grep -q "cannot use $bucket at $dead: cannot connect" <<<"$out" || fail "unclear failure: $out"
awk -v d="$d" 'BEGIN { exit !(d >= 2.5 && d < 10) }' || fail "gave up after $d s (mount_retry=3)"
ok "an endpoint that never comes: gave up after $d s: $(tail -n 1 <<<"$out")"

# --- a typo in an option: named at once, with the option meant, before any request -------
# (checked after the bucket, it would wait here for mount_retry's 600 s)
cat >"$tmp/fstab-typo" <<EOF2
$bucket $tmp/m1 fuse.bucketfs nofail,url=$dead,use_path_request_styl,passwd_file=$tmp/passwd,cache_dir=$tmp/cache4,mount_retry=600 0 0
EOF2
t0=$EPOCHREALTIME
out=$(timeout -k 2 60 mount -T "$tmp/fstab-typo" "$tmp/m1" 2>&1) && fail "mounted with an unknown option: $out"
d=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
[[ $out == *"unknown option 'use_path_request_styl' (did you mean use_path_request_style?"* ]] ||
	fail "the typo is not named: $out"
[[ $out != *unreachable* && $out != *"cannot connect"* ]] || fail "the endpoint was tried first: $out"
! _bfs_mounted "$tmp/m1" || fail "mounted anyway"
ok "an fstab line with a typo fails in $d s naming it: $(tail -n 1 <<<"$out")"

# --- systemd readiness -----------------------------------------------------------------------
python3 - "$tmp/notify.sock" "$tmp/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], "w") as log:
    for _ in range(2):
        log.write(s.recv(4096).decode().replace("\n", " ") + "\n")
        log.flush()
PY
listener=$!
on_exit _bfs_kill_quietly "$listener"
for _ in $(seq 50); do [ -S "$tmp/notify.sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$tmp/notify.sock "$BFS_BUILD_DIR/bucketfs" "$bucket" "$tmp/m1" -f \
	-o "endpoint=$RGW_ENDPOINT,path_style,passwd_file=$tmp/passwd,cache_dir=$tmp/cache4" >"$tmp/fg.log" 2>&1 &
fg=$!
on_exit _bfs_kill_quietly "$fg"
for _ in $(seq 100); do grep -q READY=1 "$tmp/notify.log" 2>/dev/null && break; sleep 0.1; done
grep -q "READY=1 MAINPID=$fg STATUS=$bucket mounted on $tmp/m1" "$tmp/notify.log" ||
	fail "no READY=1 with the daemon's pid: $(cat "$tmp/notify.log" 2>/dev/null)"
mountpoint -q "$tmp/m1" || fail "READY=1 before the mount was up"
ok "systemd readiness: $(head -n 1 "$tmp/notify.log")"
fusermount3 -u "$tmp/m1"
wait "$fg" || fail "the foreground daemon exited non-zero"
wait "$listener" || true
grep -q "STOPPING=1" "$tmp/notify.log" || fail "no STOPPING=1"
ok "systemd stopping: STOPPING=1 at unmount"
