#!/bin/bash
# SPDX-License-Identifier: MIT
# t0390-security — what a mount exposes on the machine: the cache directory
# and everything in it are for its owner only (0700 directories, no group or
# other bits on any file) and the control socket is 0600; the secret is in
# no process's arguments; at loglevel=debug with -o verbose (libcurl's trace
# of every header) neither the secret nor the session token reaches the
# log; a passwd file others can read, one its group or others can write,
# and one owned by another user than the daemon's (or root) are refused
# with the chmod or chown to run, while 600 and 640 (its group may read
# it, as s3fs allows for /etc/passwd-s3fs) are taken; -o metrics= on
# 127.0.0.1 listens on the loopback only (and any local user can read it,
# as documented), on a socket path it is root's alone (0600), and a path
# that is not a socket is never removed for it; the daemon is not dumpable
# (no core file holds the credentials; its /proc/PID/environ is root's
# only, even when an unprivileged user mounts) unless -o coredump.
# Elsewhere: TLS verification and ca_bundle= (t0160), permissions with
# allow_other checked as user nobody (t0220).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 120
[ "$(id -u)" = 0 ] || fail "t0390 needs root (it switches to user nobody)"
test_setup sec  # (radosgw, $tmp, a new bucket $bucket)
token="FQoGZXIvYXdzSessionToken$RANDOM$RANDOM"

# --- as root: the cache, the socket, the arguments, the logs -------------------------------
export AWS_SESSION_TOKEN=$token  # radosgw without STS ignores it; it is still sent
bfs_mount "$bucket" "$tmp/m" "loglevel=debug,verbose,cache_dir=$tmp/cache"
mkdir -p "$tmp/m/images/t1"
head -c 200000 /dev/urandom >"$tmp/m/images/t1/0.png"
cat "$tmp/m/images/t1/0.png" >/dev/null
assert_eq "$(stat -c %a "$tmp/cache")" 700 "the cache directory is 0700"
loose=$(find "$tmp/cache" -perm /077 ! -type l)
[ -z "$loose" ] || fail "cache entries with group or other bits: $(ls -ld $loose | head -5)"
assert_eq "$(stat -c %A "$tmp/cache/ctl.sock")" srw------- "the control socket is 0600"
n=$(find "$tmp/cache" | wc -l)
ok "cache: $n entries, directories 0700, files 0600, ctl.sock srw-------"
ps -eo args | grep -F -- "$RGW_SECRET_KEY" | grep -v grep && fail "the secret is in a process's arguments"
ok "the secret is in no process's arguments (ps -eo args)"
bfs_umount "$tmp/m"
log=${BFS_MOUNT_LOG[$tmp/m]}
grep -q "Authorization" "$log" || fail "-o verbose did not trace the headers"
for s in "$RGW_SECRET_KEY" "$token"; do
	grep -qF -- "$s" "$log" && fail "the log holds a secret: $(grep -F -- "$s" "$log" | head -2)"
done
ok "loglevel=debug + verbose: $(wc -l <"$log") lines, headers traced, neither the secret nor the session token in them"
unset AWS_SESSION_TOKEN

# --- a passwd file others can read ---------------------------------------------------------
printf '%s:%s\n' "$RGW_ACCESS_KEY" "$RGW_SECRET_KEY" >"$tmp/passwd"
chmod 644 "$tmp/passwd"
mkdir -p "$tmp/m2"
out=$(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$BFS_BUILD_DIR/bucketfs" "$bucket" "$tmp/m2" -f \
	-o "endpoint=$RGW_ENDPOINT,path_style,passwd_file=$tmp/passwd,cache_dir=$tmp/cache2" 2>&1) &&
	fail "mounted with a world-readable passwd file"
[[ $out == *"chmod 600"* ]] || fail "world-readable passwd file: $out"
ok "a world-readable passwd file is refused: $out"

# try_passwd MODE OWNER: mount (in the background, then unmount) with a passwd
# file of that mode and owner; prints "mounted" or bucketfs's error
try_passwd() {
	local pw_n=$1.${2%%:*}.$RANDOM f out
	f=$tmp/pw.$pw_n
	printf '%s:%s\n' "$RGW_ACCESS_KEY" "$RGW_SECRET_KEY" >"$f"
	chown "$2" "$f"
	chmod "$1" "$f"
	mkdir -p "$tmp/mp"
	if out=$(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$BFS_BUILD_DIR/bucketfs" \
		"$bucket" "$tmp/mp" -o "endpoint=$RGW_ENDPOINT,path_style,passwd_file=$f,cache_dir=$tmp/cache-pw.$pw_n" 2>&1 </dev/null); then
		fusermount3 -u "$tmp/mp" || umount -l "$tmp/mp"
		echo mounted
	else
		echo "$out"
	fi
}
for m in 600 640 400 440; do
	assert_eq "$(try_passwd $m root:root)" mounted "a passwd file of mode $m owned by root is taken"
done
for m in 660 620 602 606 664 622; do
	out=$(try_passwd $m root:root)
	[ "$out" != mounted ] || fail "a passwd file of mode $m (others or its group may write it) was taken"
	[[ $out == *"chmod 600"* ]] || fail "mode $m refused without the chmod to run: $out"
done
ok "passwd files its group or others may write (660, 620, 602, 606, 664, 622) are refused: $out"
out=$(try_passwd 600 65534:65534)
[ "$out" != mounted ] || fail "root's daemon took a passwd file owned by nobody"
[[ $out == *"chown root"* ]] || fail "a passwd file owned by another user refused without the chown to run: $out"
ok "a 600 passwd file owned by another user is refused: $out"

# --- the metrics endpoint: loopback, or a socket for root only ----------------------------
chmod 755 "$tmp"
port=$(free_port)
bfs_mount "file:$tmp/mb" "$tmp/mm" "metrics=127.0.0.1:$port"
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$port/metrics" && break; sleep 0.1; done
listening=$(ss -Hltn "sport = :$port" | awk '{ print $4 }' | sort -u | tr '\n' ' ')
assert_eq "$listening" "127.0.0.1:$port " "metrics=127.0.0.1:$port listens on the loopback address only"
# (the scrape whole, then grep: grep -q would cut curl's pipe short)
scrape=$(setpriv --reuid=65534 --regid=65534 --clear-groups curl -fsS "http://127.0.0.1:$port/metrics") ||
	fail "nobody's curl of 127.0.0.1:$port failed"
grep -q '^bucketfs_requests_total' <<<"$scrape" || fail "the metrics on 127.0.0.1 do not answer"
ok "any local user (nobody) can read metrics on 127.0.0.1:$port, as README and SEMANTICS say"
other=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -v '^127\.' | grep -v ':' | head -n 1) || true
if [ -n "$other" ]; then
	curl -fs -o /dev/null --max-time 3 "http://$other:$port/metrics" &&
		fail "the metrics answer on $other:$port, not only on the loopback"
	ok "the metrics do not answer on this host's address $other"
fi
bfs_umount "$tmp/mm"
bfs_mount "file:$tmp/mb" "$tmp/mm" "metrics=$tmp/metrics.sock"
for _ in $(seq 50); do [ -S "$tmp/metrics.sock" ] && break; sleep 0.1; done
assert_eq "$(stat -c '%A %U' "$tmp/metrics.sock")" "srw------- root" "the metrics socket is root's, 0600"
scrape=$(curl -fsS --unix-socket "$tmp/metrics.sock" http://localhost/metrics) ||
	fail "curl --unix-socket $tmp/metrics.sock failed"
grep -q '^bucketfs_requests_total' <<<"$scrape" || fail "no metrics on the socket"
setpriv --reuid=65534 --regid=65534 --clear-groups curl -fsS --unix-socket "$tmp/metrics.sock" \
	http://localhost/metrics >/dev/null 2>&1 && fail "nobody read the metrics socket"
ok "metrics=PATH: root reads the metrics on the socket, nobody cannot"
bfs_umount "$tmp/mm"
[ ! -e "$tmp/metrics.sock" ] || fail "the metrics socket is left after unmount"
echo "not a socket" >"$tmp/notasock"
bfs_mount "file:$tmp/mb" "$tmp/mm" "metrics=$tmp/notasock"
for _ in $(seq 30); do grep -q "cannot serve metrics" "${BFS_MOUNT_LOG[$tmp/mm]}" && break; sleep 0.1; done
bfs_umount "$tmp/mm"
assert_eq "$(cat "$tmp/notasock" 2>&1)" "not a socket" "metrics= naming a file that is not a socket leaves it alone"
grep -q "cannot serve metrics at $tmp/notasock" "${BFS_MOUNT_LOG[$tmp/mm]}" ||
	fail "no error for metrics= on a file: $(tail -n 3 "${BFS_MOUNT_LOG[$tmp/mm]}")"
ok "metrics= on a path that is not a socket: refused (logged), the file kept, the mount works"

# --- an unprivileged user's mount: not dumpable unless -o coredump -------------------------
nobody=65534
# Debian's udev makes /dev/fuse 0666 (users mount through it and fusermount3);
# a container without udev may leave it 0600: do as Debian does, for the test.
fuse_mode=$(stat -c %a /dev/fuse)
if [ "$fuse_mode" != 666 ]; then
	chmod 666 /dev/fuse
	on_exit chmod "$fuse_mode" /dev/fuse
fi
mkdir -p "$tmp/u/m" "$tmp/u/cache"
chmod 755 "$tmp" "$tmp/u"
install -o $nobody -g $nobody -m 600 "$tmp/passwd" "$tmp/u/passwd"
# nobody runs its own copy: the checkout may be where other users cannot
# enter (a clone in /root, 0700 on Debian)
install -m 755 "$BFS_BUILD_DIR/bucketfs" "$tmp/u/bucketfs"
chown $nobody:$nobody "$tmp/u/m" "$tmp/u/cache"
quiet_umount() { umount -l "$1" 2>/dev/null || true; }
as_nobody() { setpriv --reuid=$nobody --regid=$nobody --clear-groups "$@"; }
for mode in default coredump; do
	extra=
	[ "$mode" = coredump ] && extra=,coredump
	rm -rf "$tmp/u/cache/"*
	setpriv --reuid=$nobody --regid=$nobody --clear-groups \
		env -u AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY="$RGW_SECRET_KEY" HOME=/nonexistent \
		"$tmp/u/bucketfs" "$bucket" "$tmp/u/m" -f \
		-o "endpoint=$RGW_ENDPOINT,path_style,passwd_file=$tmp/u/passwd,cache_dir=$tmp/u/cache$extra" \
		>"$tmp/u/$mode.log" 2>&1 &
	pid=$!
	on_exit _bfs_kill_quietly "$pid"
	on_exit quiet_umount "$tmp/u/m"
	# (root cannot look inside a mount of nobody's without allow_root: /proc/mounts)
	up() { grep -q " $tmp/u/m fuse.bucketfs " /proc/mounts; }
	for _ in $(seq 100); do up && break; sleep 0.1; done
	up || fail "nobody's mount ($mode) did not come up: $(cat "$tmp/u/$mode.log")"
	assert_eq "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" $nobody "the daemon runs as nobody ($mode)"
	if [ "$mode" = default ]; then
		assert_eq "$(stat -c %U "/proc/$pid/environ")" root "not dumpable: /proc/PID/environ is root's"
		as_nobody cat "/proc/$pid/environ" >/dev/null 2>&1 && fail "nobody read its daemon's environment"
		env_default=ok
	else
		assert_eq "$(stat -c %u "/proc/$pid/environ")" $nobody "-o coredump: /proc/PID/environ is the user's"
		envs=$(as_nobody cat "/proc/$pid/environ" | tr '\0' '\n')
		grep -q "^AWS_SECRET_ACCESS_KEY=" <<<"$envs" ||
			fail "-o coredump: the environment is not readable by its user"
	fi
	as_nobody fusermount3 -u "$tmp/u/m" || fail "nobody could not unmount ($mode)"
	wait "$pid" || fail "nobody's daemon exited $? ($mode): $(tail -n 3 "$tmp/u/$mode.log")"
done
[ "$env_default" = ok ] || fail "the default mode was not checked"
ok "an unprivileged user's mount: the daemon is not dumpable (/proc/PID/environ root's, unreadable by its user, no core), and is with -o coredump"
