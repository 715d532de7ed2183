#!/bin/bash
# SPDX-License-Identifier: MIT
# t0360-package — what an install gives: the man page describes every
# option of `bucketfs --help` and every bucketfsctl command and renders
# without a groff warning; `cmake --install` lays out the binaries, the man
# pages, the docs and the contrib files; `cpack -G DEB` makes a package
# whose dependencies are the runtime libraries and fuse3, which dpkg
# installs on this machine, whose /usr/bin/bucketfs then mounts a bucket
# from an fstab line (checked with boto3) and whose bucketfsctl talks to
# it, which lintian finds clean (a copyright file, a changelog, hardened
# binaries, /etc/bucketfs for the service's files), and which dpkg purges
# again.  The package steps need a build
# configured with -DCMAKE_INSTALL_PREFIX=/usr (tests/run.sh does that) and
# are left out under the sanitizers (no one ships an ASan package).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 200
tmp=$(bfs_tmpdir)
man=$BFS_SOURCE_DIR/docs/bucketfs.8

# --- the man page: every option and command, and clean roff -------------------------------
# option names as --help prints them: "-o name=VALUE", "-o name", and the
# lists of fstab words and ignored s3fs options
"$BFS_BUILD_DIR/bucketfs" --help >"$tmp/help"
{
	sed -n 's/^ *-o \([a-z_0-9]*\).*/\1/p' "$tmp/help"
	sed -n '/accepted and ignored/,/^$/p' "$tmp/help" | sed 's/.*accepted and ignored://' |
		tr ',' '\n' | sed 's/^ *//; s/ *$//; s/[=*].*//' | grep -v '^$'
} | sort -u >"$tmp/options"
n=$(wc -l <"$tmp/options")
[ "$n" -gt 90 ] || fail "only $n option names in --help: the extraction is broken"
# the page's bold text (macro lines .B .BR .BI .RB .IB and \fB...), '\-' as '-'
sed 's/\\-/-/g' "$man" | grep -E '^\.(B|BR|BI|RB|IB) |\\fB' >"$tmp/bold"
missing=
while read -r o; do
	grep -qwF -- "$o" "$tmp/bold" || missing="$missing $o"
done <"$tmp/options"
[ -z "$missing" ] || fail "bucketfs.8 does not describe:$missing"
ok "bucketfs.8 describes all $n option names of bucketfs --help"
"$BFS_BUILD_DIR/bucketfsctl" --help >"$tmp/ctlhelp" 2>&1 || true
cmds=$(sed '/^Options:/q' "$tmp/ctlhelp" | sed -n 's/^  \([a-z]\+\) .*/\1/p' | sort -u)
[ "$(wc -w <<<"$cmds")" -ge 14 ] || fail "only $(wc -w <<<"$cmds") commands in bucketfsctl --help: $cmds"
for c in $cmds; do
	grep -Eq "^\.B[IR]? $c( |\$)" "$man" || fail "bucketfs.8 does not describe bucketfsctl $c"
done
ok "bucketfs.8 describes all $(wc -w <<<"$cmds") bucketfsctl commands"
grep -q 'bucketfs(8)' "$tmp/ctlhelp" && ! grep -q 'bucketfs(1)' "$tmp/ctlhelp" ||
	fail "bucketfsctl --help does not point to bucketfs(8)"
sed 's/\\-/-/g' "$man" | tr '\n' ' ' | grep -q 'bucketfs@.service is installed in .IR /usr/lib/systemd/system' ||
	fail "bucketfs.8 does not say where bucketfs@.service is installed"
ok "bucketfsctl --help points to bucketfs(8); the page says where the service is"
# the first README command installs only what building and running need
run=$(bash "$BFS_SOURCE_DIR/tests/setup-deps.sh" --run --list | tr '\n' ' ')
for p in cmake libfuse3-dev fuse3 libcurl4-openssl-dev liblmdb-dev nodejs; do
	[[ " $run" == *" $p "* ]] || fail "setup-deps.sh --run lacks $p: $run"
done
for p in radosgw nginx-light s3fs rclone clang valgrind lintian; do
	[[ " $run" != *" $p "* ]] || fail "setup-deps.sh --run installs the test bed ($p): $run"
done
ok "setup-deps.sh --run (contrib/dev-run.sh): $(wc -w <<<"$run") packages, no test bed"
warn=$(LC_ALL=C.UTF-8 groff -man -ww -z "$man" 2>&1) || fail "groff failed: $warn"
[ -z "$warn" ] || fail "groff warns: $warn"
ok "groff -man -ww renders bucketfs.8 without a warning"

# --- cmake --install: where everything goes ------------------------------------------------
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BFS_BUILD_DIR/CMakeCache.txt")
out=$(DESTDIR=$tmp/stage cmake --install "$BFS_BUILD_DIR" 2>&1) || fail "cmake --install: $out"
for f in bin/bucketfs bin/bucketfsctl share/man/man8/bucketfs.8.gz share/man/man8/bucketfsctl.8.gz \
	share/doc/bucketfs/README.md share/doc/bucketfs/SEMANTICS.md \
	share/doc/bucketfs/examples/fstab.example share/doc/bucketfs/examples/generated.conf \
	share/doc/bucketfs/examples/srv-app-public-generated.mount \
	share/doc/bucketfs/examples/srv-app-public-generated.automount \
	lib/systemd/system/bucketfs@.service; do
	[ -e "$tmp/stage$prefix/$f" ] || fail "cmake --install did not install $prefix/$f"
done
[ -s "$tmp/stage/etc/logrotate.d/bucketfs" ] || fail "no /etc/logrotate.d/bucketfs"
zcat "$tmp/stage$prefix/share/man/man8/bucketfsctl.8.gz" | cmp -s - "$man" ||
	fail "bucketfsctl.8.gz is not bucketfs.8"
grep -q "^ExecStart=$prefix/bin/bucketfs " "$tmp/stage$prefix/lib/systemd/system/bucketfs@.service" ||
	fail "the service does not run $prefix/bin/bucketfs: $(grep ExecStart "$tmp/stage$prefix/lib/systemd/system/bucketfs@.service")"
"$tmp/stage$prefix/bin/bucketfs" --version >/dev/null || fail "the installed bucketfs does not run"
ok "cmake --install (prefix $prefix): $(find "$tmp/stage" -type f -o -type l | wc -l) files, binaries, man pages, docs, examples, service, logrotate"

if [ -n "${BFS_SANITIZED:-}" ]; then
	ok "# skip the .deb under the sanitizers"
	exit 0
fi
[ "$prefix" = /usr ] || fail "the .deb test needs a build configured with -DCMAKE_INSTALL_PREFIX=/usr (this one: $prefix)"

# --- cpack -G DEB: build, inspect, install, mount, purge -----------------------------------
out=$(cd "$BFS_BUILD_DIR" && cpack -G DEB -B "$tmp/pkg" 2>&1) || fail "cpack: $out"
deb=$(ls "$tmp"/pkg/bucketfs_*_amd64.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "cpack made no .deb: $out"
depends=$(dpkg-deb -f "$deb" Depends)
for d in fuse3 libfuse3-3 libcurl4 liblmdb0 libssl3 libjansson4; do
	[[ ", $depends," == *", $d"[\ ,]* ]] || fail "the package does not depend on $d: $depends"
done
contents=$(dpkg-deb -c "$deb")  # (not piped into grep -q: pipefail and SIGPIPE)
grep -q ' ./usr/share/man/man8/bucketfs.8.gz$' <<<"$contents" || fail "no man page in the package"
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = /etc/logrotate.d/bucketfs ] ||
	fail "the logrotate file is not a conffile"
for f in ./usr/share/doc/bucketfs/copyright ./usr/share/doc/bucketfs/changelog.gz ./etc/bucketfs/; do
	grep -q " $f\$" <<<"$contents" || fail "the package lacks $f"
done
ok "cpack -G DEB: $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB, Depends: $depends"
# lintian, as Debian lints packages: no error, no warning, no information tag
lint=$(lintian -I "$deb" 2>&1 | grep -v 'running with root privileges' | grep -v 'binary-has-unneeded-section' || true)
[ -z "$lint" ] || fail "lintian -I: $lint"
ok "lintian -I: clean (but the ELF .comment section, info only)"

if [ "$(dpkg-query -W -f='${db:Status-Status}' bucketfs 2>/dev/null)" = installed ]; then
	fail "a bucketfs package is installed on this machine already: this test would replace it"
fi
for f in /usr/bin/bucketfs /usr/bin/bucketfsctl; do
	[ ! -e "$f" ] || fail "$f exists outside any package: this test would overwrite it"
done
purge() { dpkg -P bucketfs >/dev/null 2>&1 || true; }
on_exit purge
out=$(dpkg -i "$deb" 2>&1) || fail "dpkg -i: $out"
[ "$(dpkg-query -W -f='${db:Status-Status}' bucketfs)" = installed ] || fail "dpkg says bucketfs is not installed"
ok "dpkg -i installed it: $(dpkg-query -W -f='${Package} ${Version}' bucketfs)"

rgw_start
bucket=deb-$RANDOM
make_bucket "$bucket"
printf '%s:%s\n' "$RGW_ACCESS_KEY" "$RGW_SECRET_KEY" >"$tmp/passwd"
chmod 600 "$tmp/passwd"
mnt=$tmp/srv/app/public/generated
mkdir -p "$mnt"
cat >"$tmp/fstab" <<EOF
$bucket:/generated $mnt fuse.bucketfs _netdev,nofail,allow_other,endpoint=$RGW_ENDPOINT,path_style,passwd_file=$tmp/passwd,cache_dir=$tmp/cache 0 0
EOF
quiet_umount() { umount -l "$mnt" 2>/dev/null || true; }
on_exit quiet_umount
out=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin mount -T "$tmp/fstab" "$mnt" 2>&1) || fail "mount -T with the package's bucketfs: $out"
pid=$(pgrep -f "^bucketfs $bucket:/generated $mnt" | head -n 1)
[ -n "$pid" ] || pid=$(pgrep -n -x bucketfs)
assert_eq "$(readlink "/proc/$pid/exe")" /usr/bin/bucketfs "the mount runs the package's binary"
head -c 300000 /dev/urandom >"$tmp/x"
mkdir -p "$mnt/images/t1"
cp "$tmp/x" "$mnt/images/t1/0.png"
boto3_py "$bucket" "$tmp/x" <<'PY' || fail "the file written through the packaged mount is not in the bucket"
b, ref = sys.argv[1:3]
assert s3.get_object(Bucket=b, Key="generated/images/t1/0.png")["Body"].read() == open(ref, "rb").read()
PY
st=$(/usr/bin/bucketfsctl status "$mnt") || fail "the package's bucketfsctl status: $st"
grep -q "$bucket" <<<"$st" || fail "status does not name the bucket: $st"
umount "$mnt" || fail "umount"
ok "the package's bucketfs mounted from an fstab line (pid $pid, /usr/bin/bucketfs), the write reached the bucket, bucketfsctl status answered, umount unmounted"

dpkg -P bucketfs >/dev/null 2>&1 || fail "dpkg -P bucketfs failed"
[ ! -e /usr/bin/bucketfs ] && [ ! -e /etc/logrotate.d/bucketfs ] || fail "files left after dpkg -P"
ok "dpkg -P removed it, conffile included"
