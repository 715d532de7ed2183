#!/bin/bash
# SPDX-License-Identifier: MIT
# t0220-fs-perms — permissions, enforced by the kernel (bucketfs mounts with
# default_permissions): with -o allow_other, user nobody reads a 0644 file
# but not a 0600 one, cannot create in a root-owned 0755 directory (nor in
# the mount's root), can in a 0777 one, and what nobody creates is owned by
# 65534 (x-amz-meta-uid/gid); without allow_other nobody cannot even look
# inside the mount; on a -o ro mount every write is EROFS; and -o uid=,gid=,
# umask= set owner and mode of every file and directory, whatever their
# metadata says, as in s3fs (an s3fs fstab line for the app's user lets it
# create in directories root made).  Runs as root.
# Failed checks are collected (tests/fs/fslib.sh).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 120
# shellcheck source=tests/fs/fslib.sh
. "$BFS_SOURCE_DIR/tests/fs/fslib.sh"
umask 022

[ "$(id -u)" = 0 ] || fail "t0220 needs root (it switches to user nobody)"
command -v setpriv >/dev/null || fail "setpriv not found (util-linux)"
test_setup fsperms  # (radosgw, $tmp, a new bucket $bucket)
export BFS_BUCKET=s3:$bucket
# nobody must be able to walk down to the mount points.
chmod 0711 "$tmp"
m=$tmp/mnt

# nb CMD ARG...: run CMD as nobody (uid and gid 65534, no groups), from /;
# prints its output and error messages.
nb() {
	(cd / && timeout -k 2 30 setpriv --reuid=65534 --regid=65534 --clear-groups "$@" 2>&1)
}
# nb_py CODE ARG...: py_errno as nobody (OK or the errno name).
nb_py() {
	local code=$1
	shift
	nb "$FS_PY" -c '
import errno, os, sys
a = sys.argv[2:]
try:
    exec(sys.argv[1])
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
' "$code" "$@" || true
}

# --- allow_other ---------------------------------------------------------------------
bfs_mount "$bucket:/p" "$m" allow_other
FS_MNT=$m
check_eq "$(stat -c '%a %u %g' "$m" 2>&1)" "755 0 0" "the mount's root is 0755, owned by root"
t mkdir -m 0755 "$m/rootdir" || bad "mkdir rootdir"
t mkdir "$m/open" && t chmod 0777 "$m/open" || bad "mkdir open, chmod 0777"
printf 'secret\n' >"$m/f600" && t chmod 0600 "$m/f600" || bad "write f600"
printf 'public\n' >"$m/f644" && t chmod 0644 "$m/f644" || bad "write f644"
check_eq "$(stat -c '%a %u' "$m/rootdir" "$m/open" "$m/f600" "$m/f644" 2>&1 | tr '\n' ' ')" \
	"755 0 777 0 600 0 644 0 " "as root: rootdir 0755, open 0777, f600 0600, f644 0644, all root's"
check_eq "$(nb cat "$m/f644")" public "nobody reads the 0644 file"
check_eq "$(nb cat "$m/f600")" "cat: $m/f600: Permission denied" "nobody cannot read the 0600 file"
check_eq "$(nb_py 'os.open(a[0], os.O_RDONLY)' "$m/f600")" EACCES "... open(O_RDONLY) => EACCES"
check_eq "$(nb_py 'os.open(a[0], os.O_WRONLY)' "$m/f644")" EACCES "nobody cannot open the 0644 file for writing"
check_eq "$(nb touch "$m/rootdir/x")" "touch: cannot touch '$m/rootdir/x': Permission denied" \
	"nobody cannot create a file in the root-owned 0755 directory"
check_eq "$(nb_py 'os.mkdir(a[0])' "$m/rootdir/sub")" EACCES "... nor a directory (mkdir => EACCES)"
check_eq "$(nb_py 'os.close(os.open(a[0], os.O_CREAT | os.O_WRONLY, 0o644))' "$m/x")" EACCES \
	"... nor in the mount's root (0755, root's)"
check_eq "$(nb_py 'os.unlink(a[0])' "$m/f644")" EACCES "nobody cannot unlink root's file from a 0755 directory"
check_eq "$(nb_py 'os.chmod(a[0], 0o666)' "$m/f644")" EPERM "nobody cannot chmod root's file"
check_eq "$(bexists p/rootdir/x)$(bexists p/x)$(bexists p/rootdir/sub/)" nonono "... and nothing of that reached the bucket"
check_eq "$(nb sh -c 'printf "by nobody\n" >"$1" && cat "$1"' sh "$m/open/nb.txt")" "by nobody" \
	"nobody creates and writes a file in the 0777 directory"
check_eq "$(stat -c '%u %g %a' "$m/open/nb.txt" 2>&1)" "65534 65534 644" "... owned by 65534:65534, mode 0644"
out=$(bq head p/open/nb.txt)
check_eq "$(grep -E '^(size|x-amz-meta-(uid|gid|mode))=' <<<"$out" | tr '\n' ' ')" \
	"size=10 x-amz-meta-gid=65534 x-amz-meta-mode=33188 x-amz-meta-uid=65534 " \
	"... the object has x-amz-meta-uid=65534, gid=65534 and the bytes"
check_eq "$(nb_py 'os.mkdir(a[0])' "$m/open/nbdir")" OK "nobody makes a directory in the 0777 directory"
check_eq "$(bmeta p/open/nbdir/ x-amz-meta-uid)" 65534 "... its marker has x-amz-meta-uid=65534"
check_eq "$(nb_py 'os.chmod(a[0], 0o600)' "$m/open/nb.txt")" OK "nobody chmods its own file"
check_eq "$(nb cat "$m/open/nb.txt")" "by nobody" "... and still reads it"
check_eq "$(nb ls "$m/open" | tr '\n' ' ')" "nb.txt nbdir " "nobody lists the 0777 directory"
check_eq "$(cat "$m/f600" 2>&1)" secret "root reads the 0600 file"
bfs_umount "$m"

# --- without allow_other ------------------------------------------------------------------
bfs_mount "$bucket:/p" "$m"
check_eq "$(cat "$m/f644" 2>&1)" public "without allow_other root reads through the mount"
check_eq "$(nb stat -c %s "$m/f644")" "stat: cannot statx '$m/f644': Permission denied" \
	"without allow_other nobody cannot stat a file in the mount"
check_eq "$(nb_py 'os.listdir(a[0])' "$m")" EACCES "... nor list the mount (EACCES)"
check_eq "$(nb_py 'os.stat(a[0])' "$m/open")" EACCES "... nor stat the 0777 directory"
bfs_umount "$m"

# --- ro -------------------------------------------------------------------------------------
bfs_mount "$bucket:/p" "$m" ro
check_eq "$(cat "$m/f644" 2>&1)" public "ro: reads work"
check_eq "$(ls "$m" 2>&1 | tr '\n' ' ')" "f600 f644 open rootdir " "ro: ls works"
check_eq "$(touch "$m/new" 2>&1)" "touch: cannot touch '$m/new': Read-only file system" \
	"ro: creating a file => Read-only file system"
for op in "os.close(os.open(a[0] + '/new', os.O_CREAT | os.O_WRONLY, 0o644))" \
	"os.open(a[0] + '/f644', os.O_WRONLY)" \
	"os.open(a[0] + '/f644', os.O_RDWR | os.O_TRUNC)" \
	"os.truncate(a[0] + '/f644', 0)" \
	"os.mkdir(a[0] + '/newdir')" \
	"os.rmdir(a[0] + '/rootdir')" \
	"os.unlink(a[0] + '/f644')" \
	"os.rename(a[0] + '/f644', a[0] + '/g644')" \
	"os.chmod(a[0] + '/f644', 0o600)" \
	"os.chown(a[0] + '/f644', 1, 1)" \
	"os.utime(a[0] + '/f644', (1, 1))" \
	"os.symlink('f644', a[0] + '/lnk')"; do
	check_eq "$(py_errno "$op" "$m")" EROFS "ro: $op => EROFS"
done
check_eq "$(bq list p/ | tr '\n' ' ')" "p/f600 p/f644 p/open/ p/open/nb.txt p/open/nbdir/ p/rootdir/ " \
	"ro: the bucket is unchanged"
check_eq "$(bmeta p/f644 x-amz-meta-mode)" 33188 "ro: f644 still has mode 0100644"
bfs_umount "$m"

# --- uid=, gid=, umask= ----------------------------------------------------------------------
printf 'plain\n' >"$tmp/plain"
bq put q/plain.txt "$tmp/plain"
bq put q/implied/inner.txt "$tmp/plain"
bq put q/withmeta.txt "$tmp/plain" mode=33188 uid=1234 gid=5678 mtime=1600000000
bfs_mount "$bucket:/q" "$m" uid=1000,gid=1000,umask=077
check_eq "$(stat -c '%u %g %a %F' "$m/plain.txt" 2>&1)" "1000 1000 700 regular file" \
	"uid=1000,gid=1000,umask=077: a file without metadata is 1000:1000, mode 0700"
check_eq "$(stat -c '%u %g %a %F' "$m/implied" 2>&1)" "1000 1000 700 directory" \
	"... an implied directory is 1000:1000, mode 0700"
check_eq "$(stat -c '%u %g %a' "$m/withmeta.txt" 2>&1)" "1000 1000 700" \
	"... so is a file with x-amz-meta-uid/gid/mode 1234/5678/0644: the mount decides (as in s3fs)"
check_eq "$(ls -ln "$m" 2>&1 | awk 'NR > 1 { print $1, $3, $4, $NF }' | tr '\n' '|')" \
	"drwx------ 1000 1000 implied|-rwx------ 1000 1000 plain.txt|-rwx------ 1000 1000 withmeta.txt|" \
	"... ls -ln agrees"
bfs_umount "$m"
# s3fs's fstab line for a web server: the app (here nobody) owns everything
bfs_mount "$bucket:/p" "$m" allow_other,uid=65534,gid=65534,umask=0022
check_eq "$(stat -c '%a %u %g' "$m/rootdir" 2>&1)" "755 65534 65534" \
	"uid=65534,gid=65534,umask=0022: a directory root made is nobody's, 0755"
check_eq "$(nb_py "open(a[0] + '/rootdir/app.png', 'w').write('x')" "$m")" OK \
	"... nobody creates a file in it"
check_eq "$(nb_py "os.mkdir(a[0] + '/rootdir/task')" "$m")" OK "... and a directory"
check_eq "$(nb cat "$m/f600")" secret "... and reads a file stored 0600 root's (the mount's word)"
bfs_umount "$m"
# shellcheck disable=SC2034  # (read by fslib.sh's helpers)
FS_MNT=

fs_finish
