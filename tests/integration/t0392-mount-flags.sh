#!/bin/bash
# SPDX-License-Identifier: MIT
# t0392-mount-flags — every generic mount flag reaches the kernel's mount or
# is refused by name, never dropped: what /proc/mounts shows for ro, rw,
# noexec, exec, nosuid, nodev, sync, async, dirsync, noatime, atime and
# relatime given on bucketfs's command line and through mount(8) (mount -t
# fuse with the "PROGRAM#TARGET" source, so through the system's
# mount.fuse3, which adds "dev" and "suid" to every mount without nodev and
# nosuid); a binary copied into a noexec mount does not run (it does
# without); suid and dev never lift nosuid,nodev; strictatime, nodiratime,
# lazytime, nosymfollow, mand, iversion and remount are refused, naming
# the option, before anything is mounted.  The fstab form (mount -T) is
# in t0330.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 180
[ "$(id -u)" = 0 ] || fail "t0392 needs root (mount(8))"
tmp=$(bfs_tmpdir)
dir=$tmp/bucket
mnt=$tmp/mnt
mkdir -p "$dir" "$mnt"
bin=$BFS_BUILD_DIR/bucketfs

# The options /proc/mounts shows for MNT (one comma-separated list).
mount_opts() {
	awk -v m="$mnt" '$2 == m { print $4 }' /proc/mounts | tail -n 1
}
# has_opt OPTS WORD: WORD is one of the comma-separated OPTS
has_opt() { [[ ,$1, == *,$2,* ]]; }
# expect OPTS "WORD..." "!WORD...": each WORD shown, each !WORD not
expect() {
	local opts=$1 w
	shift
	for w in "$@"; do
		if [[ $w == !* ]]; then
			! has_opt "$opts" "${w#!}" || return 1
		else
			has_opt "$opts" "$w" || return 1
		fi
	done
}

# --- the command line -------------------------------------------------------------------
# FLAGS WANT...: mount with -o FLAGS, check /proc/mounts, unmount
n=0
direct() {
	local flags=$1 opts
	shift
	n=$((n + 1))
	bfs_mount "file:$dir" "$mnt" "cache_dir=$tmp/cache$n,$flags"
	opts=$(mount_opts)
	expect "$opts" "$@" || fail "-o $flags: /proc/mounts shows '$opts', wanted: $*"
	ok "-o $flags: $opts"
	bfs_umount "$mnt"
}
bfs_mount "file:$dir" "$mnt" "cache_dir=$tmp/cache0"
cp /usr/bin/true "$mnt/true"
chmod 755 "$mnt/true"
"$mnt/true" || fail "a binary does not run from a mount without noexec"
bfs_umount "$mnt"
ok "without noexec a binary in the mount runs"
bfs_mount "file:$dir" "$mnt" "cache_dir=$tmp/cache0,noexec,nosuid,nodev"
opts=$(mount_opts)
expect "$opts" noexec nosuid nodev rw || fail "-o noexec,nosuid,nodev: /proc/mounts shows '$opts'"
if out=$("$mnt/true" 2>&1); then
	fail "a binary ran from a noexec mount"
fi
[[ $out == *"Permission denied"* ]] || fail "running a binary under noexec: $out"
bfs_umount "$mnt"
ok "-o noexec,nosuid,nodev: /proc/mounts shows $opts, and running a binary there fails: $out"
direct ro ro
direct rw rw
direct noexec,exec '!noexec'
direct sync,dirsync sync dirsync
direct sync,async '!sync'
direct noatime noatime
direct noatime,atime '!noatime' relatime
direct noatime,relatime '!noatime' relatime
direct suid,dev nosuid nodev
direct exec,suid,dev,rw,async nosuid nodev rw '!noexec' '!sync'

# refused by name, before mounting
for flag in strictatime nostrictatime norelatime nodiratime diratime lazytime nolazytime \
	nosymfollow symfollow mand nomand iversion noiversion remount; do
	if out=$(timeout -k 2 10 "$bin" "file:$dir" "$mnt" -f -o "cache_dir=$tmp/cache-r,$flag" 2>&1 </dev/null); then
		umount -l "$mnt" 2>/dev/null || true
		fail "-o $flag was accepted"
	fi
	! _bfs_mounted "$mnt" || fail "-o $flag: mounted anyway"
	[[ $out == *"$flag"* ]] || fail "-o $flag: refused without naming it: $out"
done
ok "strictatime, nodiratime, lazytime, nosymfollow, mand, iversion, remount (and their opposites) are refused by name: $out"

# --- mount(8), through mount.fuse3 ------------------------------------------------------
quiet_umount() { umount -l "$1" 2>/dev/null || true; }
on_exit quiet_umount "$mnt"
# FLAGS WANT...: mount -t fuse -o FLAGS BIN#file:DIR MNT, check, umount
via_mount8() {
	local flags=$1 opts out
	shift
	n=$((n + 1))
	out=$(mount -t fuse -o "$flags,cache_dir=$tmp/cache$n" "$bin#file:$dir" "$mnt" 2>&1) ||
		fail "mount -t fuse -o $flags: $out"
	opts=$(mount_opts)
	expect "$opts" "$@" || {
		umount "$mnt"
		fail "mount -o $flags: /proc/mounts shows '$opts', wanted: $*"
	}
	ok "mount -o $flags: $opts"
	[ -z "${CHECK_EXEC:-}" ] || {
		if out=$("$mnt/true" 2>&1); then
			umount "$mnt"
			fail "mount -o $flags: a binary ran from the noexec mount"
		fi
		ok "mount -o $flags: running a binary there fails: $out"
	}
	umount "$mnt" || fail "umount after mount -o $flags"
	wait_until 5 eval '! _bfs_mounted "$mnt"' || true
}
CHECK_EXEC=1 via_mount8 noexec,nosuid,nodev noexec nosuid nodev
CHECK_EXEC=1 via_mount8 noexec noexec nosuid nodev # mount.fuse3 adds dev,suid
via_mount8 defaults rw nosuid nodev '!noexec'
via_mount8 ro,noatime ro noatime nosuid nodev
via_mount8 sync,dirsync,relatime sync dirsync relatime
via_mount8 users noexec nosuid nodev # "users" implies noexec,nosuid,nodev
if out=$(mount -t fuse -o "nodiratime,cache_dir=$tmp/cache-r" "$bin#file:$dir" "$mnt" 2>&1); then
	umount "$mnt"
	fail "mount -o nodiratime was accepted"
fi
[[ $out == *nodiratime* ]] || fail "mount -o nodiratime: refused without naming it: $out"
ok "mount -o nodiratime is refused by name: $out"
