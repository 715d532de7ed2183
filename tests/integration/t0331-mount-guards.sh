#!/bin/bash
# SPDX-License-Identifier: MIT
# t0331-mount-guards — what a mount goes on and which cache it uses, as an
# s3fs user expects (issue 25 cases 3, 4, 6): a mount point with files in it
# (written while an fstab "nofail" mount was down) or one mounted already is
# refused, naming why, unless -o nonempty, and nothing stacks in
# /proc/mounts; a second mount on a cache in use by a live mount fails at
# once, naming that mount; use_cache=DIR keeps one subdirectory per mount
# below DIR (mounts share it, and a remount finds its own again); a remount
# right after the umount of a write-back mount whose daemon is still
# uploading (systemctl restart) waits for that daemon, saying so on one line,
# and every journaled file reaches the bucket.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 180
test_setup guards # (radosgw, $tmp, a new bucket $bucket)
bin=$BFS_BUILD_DIR/bucketfs
dir=$tmp/localbucket
mnt=$tmp/mnt
mkdir -p "$dir" "$tmp/other" "$mnt" "$tmp/mnt2"
quiet_umount() { umount -l "$1" 2>/dev/null || true; }
on_exit quiet_umount "$mnt"
on_exit quiet_umount "$tmp/mnt2"
# refused MNT OPTS: bucketfs file:$dir MNT -o OPTS must fail before mounting; sets out
refused() {
	if out=$(timeout -k 2 30 "$bin" "file:$dir" "$1" -f -o "$2" 2>&1 </dev/null); then
		fail "-o $2 on $1 was mounted: $out"
	fi
}
mounts_at() { awk -v m="$1" '$2 == m' /proc/mounts | wc -l; }

# --- a mount point with files in it ---------------------------------------------------------
echo local >"$mnt/written-while-down.txt"
refused "$mnt" "cache_dir=$tmp/c1"
[[ $out == *"mount point $mnt is not empty"*"nonempty"* ]] || fail "unclear refusal: $out"
assert_eq "$(mounts_at "$mnt")" 0 "mounts on $mnt after the refusal"
ok "a mount point with files in it is refused: $out"
bfs_mount "file:$dir" "$mnt" "cache_dir=$tmp/c1,nonempty"
[ ! -e "$mnt/written-while-down.txt" ] || fail "-o nonempty: the local file shows through"
bfs_umount "$mnt"
assert_eq "$(cat "$mnt/written-while-down.txt")" local "the local file after the umount"
rm "$mnt/written-while-down.txt"
ok "-o nonempty mounts over it, and the local file is there again after the umount"

# --- a mount point mounted already; a cache in use by a live mount ----------------------------
bfs_mount "file:$dir" "$mnt" "cache_dir=$tmp/c1"
refused "$mnt" "cache_dir=$tmp/c2"
[[ $out == *"$mnt is already a mount point (fuse.bucketfs)"* ]] || fail "unclear refusal: $out"
assert_eq "$(mounts_at "$mnt")" 1 "mounts on $mnt after a second mount was tried"
ok "a second mount on a mount point is refused: $out"
t0=$EPOCHREALTIME
refused "$tmp/mnt2" "cache_dir=$tmp/c1"
d=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
[[ $out == *"cache_dir $tmp/c1 is in use by the bucketfs mounted on $mnt (pid "*")"* ]] ||
	fail "unclear refusal: $out"
[[ $out != *waiting* ]] || fail "waited for a live mount: $out"
[ "$(wc -l <<<"$out")" = 1 ] || fail "the message is not one line: $out"
ok "a cache in use by a live mount is refused in $d s: $out"
bfs_umount "$mnt"

# --- use_cache=DIR: a subdirectory per mount ------------------------------------------------
bfs_mount "file:$dir" "$mnt" "use_cache=$tmp/shared"
bfs_mount "file:$tmp/other" "$tmp/mnt2" "use_cache=$tmp/shared"
echo one >"$mnt/one.txt"
echo two >"$tmp/mnt2/two.txt"
mapfile -t subs < <(cd "$tmp/shared" && ls -d -- */)
[ "${#subs[@]}" = 2 ] || fail "use_cache holds ${#subs[@]} subdirectories (${subs[*]}), wanted 2"
for s in "${subs[@]}"; do
	[[ $s == file-*/ ]] || fail "use_cache subdirectory $s is not named BUCKET-HASH"
	[ -e "$tmp/shared/$s/lock" ] || fail "no lock in $tmp/shared/$s"
done
bfs_umount "$mnt"
bfs_umount "$tmp/mnt2"
bfs_mount "file:$dir" "$mnt" "use_cache=$tmp/shared"
assert_eq "$(cat "$mnt/one.txt")" one "one.txt through the remount"
mapfile -t again < <(cd "$tmp/shared" && ls -d -- */)
assert_eq "${again[*]}" "${subs[*]}" "use_cache's subdirectories after a remount"
bfs_umount "$mnt"
ok "use_cache=DIR: two mounts share it in ${subs[*]}; a remount finds its own again"

# --- a remount while the old daemon still uploads ---------------------------------------------
# Each of the first 4 PUTs waits 1.5 s at the proxy, one upload at a time:
# the daemon drains for about 6 s after umount returns.
proxy_start "PUT:delay=4" --delay-ms 1500
bfs_mount "$bucket" "$mnt" "url=$PROXY_EP,path_style,writeback=0,upload_threads=1,cache_dir=$tmp/c3"
for i in 1 2 3 4; do
	head -c 200000 /dev/urandom >"$tmp/src$i"
	cp "$tmp/src$i" "$mnt/f$i.png"
done
pid1=${BFS_MOUNT_PID[$mnt]}
umount "$mnt"
draining=0
_bfs_pid_alive "$pid1" && draining=1
unset 'BFS_MOUNT_PID[$mnt]' # (the first daemon is waited for below)
bfs_mount "$bucket" "$mnt" "url=$PROXY_EP,path_style,cache_dir=$tmp/c3"
log=${BFS_MOUNT_LOG[$mnt]}
if [ "$draining" = 1 ]; then
	grep -q "^bucketfs: waiting up to 40 s for the bucketfs that used cache_dir $tmp/c3 (pid $pid1, unmounted from $mnt) to finish its uploads and exit$" "$log" ||
		fail "no one-line waiting message: $(cat "$log")"
	ok "the remount waited for the draining daemon: $(grep waiting "$log")"
else
	echo "# the first daemon had finished before the remount: nothing to wait for"
fi
for ((i = 0; i < 600; i++)); do
	_bfs_pid_alive "$pid1" || break
	sleep 0.1
done
! _bfs_pid_alive "$pid1" || fail "the first daemon still runs 60 s after its umount"
wait "$pid1" || fail "the first daemon exited $?"
for i in 1 2 3 4; do
	s3_cp "s3://$bucket/f$i.png" "$tmp/got$i"
	assert_file_eq "$tmp/got$i" "$tmp/src$i" "f$i.png in the bucket"
	assert_file_eq "$mnt/f$i.png" "$tmp/src$i" "f$i.png through the new mount"
done
bfs_umount "$mnt"
ok "every file journaled before the umount reached the bucket"

# A mount that fails after its cache directory was made for it (here: a user
# who may not open /dev/fuse) takes that directory away again (issue 27, 5);
# one it did not make stays.
if id nobody >/dev/null 2>&1; then
	u=$tmp/user
	mkdir -p "$u/b" "$u/m" "$u/xdg" "$u/kept"
	chmod 711 "$tmp"
	# (a copy nobody may run: the build may be in a directory only root enters)
	cp "$bin" "$u/bucketfs"
	chmod 755 "$u/bucketfs"
	chown -R nobody "$u"
	runuser -u nobody -- env XDG_CACHE_HOME="$u/xdg" "$u/bucketfs" "file:$u/b" "$u/m" >"$u/out" 2>&1 &&
		fail "nobody mounted: $(cat "$u/out")"
	grep -q "cannot mount on" "$u/out" || fail "nobody's mount failed before its cache: $(cat "$u/out")"
	gone() { [ -z "$(find "$u/xdg/bucketfs" -mindepth 1 2>/dev/null)" ]; }
	wait_until 5 gone || fail "the failed mount left its cache directory: $(find "$u/xdg")"
	runuser -u nobody -- "$u/bucketfs" "file:$u/b" "$u/m" -o "cache_dir=$u/kept" >"$u/out" 2>&1 &&
		fail "nobody mounted: $(cat "$u/out")"
	grep -q "cannot mount on" "$u/out" || fail "nobody's mount failed before its cache: $(cat "$u/out")"
	[ -d "$u/kept" ] || fail "a failed mount removed a cache directory it did not make"
	ok "a failed mount removes the cache directory it made, not one it found: $(tail -n 1 "$u/out")"
fi

# No syslog daemon (a container, this test machine): a mount that detaches
# says at once that its log would be lost, and how to keep it.
if [ ! -S /dev/log ]; then
	"$bin" "file:$dir" "$mnt" -o "cache_dir=$tmp/c-nolog" >"$tmp/nolog.out" 2>&1 ||
		fail "the mount failed: $(cat "$tmp/nolog.out")"
	grep -q "no syslog socket (/dev/log): the daemon's log is lost once it detaches; give -o logfile=PATH" "$tmp/nolog.out" ||
		fail "no word of the missing syslog: $(cat "$tmp/nolog.out")"
	umount "$mnt"
	"$bin" "file:$dir" "$mnt" -o "cache_dir=$tmp/c-nolog,logfile=$tmp/nolog.log" >"$tmp/nolog.out" 2>&1 ||
		fail "the mount failed: $(cat "$tmp/nolog.out")"
	grep -q "no syslog" "$tmp/nolog.out" && fail "the warning came with logfile= too"
	umount "$mnt"
	ok "no /dev/log: a detaching mount warns that its log would be lost (not with logfile=)"
fi
