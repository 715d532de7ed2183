#!/bin/bash
# SPDX-License-Identifier: MIT
# setup-deps.sh — install what building bucketfs and running its tests need,
# on Debian 12, as root.  Idempotent: it asks dpkg which packages are missing
# and installs only those (running apt-get update first); when nothing is
# missing it prints nothing and exits 0, as any user.  With --run, only what
# building and running bucketfs need (contrib/dev-run.sh: no test bed);
# --list prints the packages instead of installing them.
#
#   sudo tests/setup-deps.sh [--run] [--list]
set -euo pipefail

run_only=0
list=0
for a in "$@"; do
	case $a in
	--run) run_only=1 ;;
	--list) list=1 ;;
	*) echo "usage: setup-deps.sh [--run] [--list]" >&2 && exit 2 ;;
	esac
done

packages=(
	# build and run (contrib/dev-run.sh writes its demo image with Node)
	build-essential cmake pkg-config
	libfuse3-dev fuse3 libcurl4-openssl-dev libssl-dev liblmdb-dev
	libexpat1-dev libjansson-dev nodejs
)
[ "$run_only" -eq 1 ] || packages+=(
	lmdb-utils
	# packaging (t0360): dpkg-shlibdeps for cpack's dependencies, groff to lint
	# the man page, lintian to lint the package
	dpkg-dev groff-base lintian
	# libFuzzer (tests/fuzz)
	clang libclang-rt-14-dev
	# the S3 server of the integration tests (tests/rgw.sh) and its clients
	ceph-mon ceph-osd radosgw ceph-common awscli python3 python3-boto3 curl
	# the Prometheus text parser that checks the metrics (t0340)
	python3-prometheus-client
	# nginx serving the mount (t0350, contrib/nginx), and wrk loading it (t0395)
	nginx-light wrk
	# the comparison benchmark (tests/bench/compare.sh, its smoke run in the suite)
	s3fs rclone gnuplot-nox
	# the Node tests
	npm
	# the source checks of tests/run.sh (contrib/checksrc.sh, contrib/format.sh, shellcheck)
	shellcheck clang-format
	# process control in tests/lib.sh and tests/rgw.sh, leak checks
	procps psmisc util-linux valgrind openssl time
)

die() {
	echo "setup-deps.sh: $*" >&2
	exit 1
}

missing() {
	local p status
	for p in "${packages[@]}"; do
		# NodeSource's nodejs bundles npm and conflicts with Debian's.
		[ "$p" != npm ] || [ ! -x /usr/bin/npm ] || continue
		status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || status=
		[ "$status" = installed ] || echo "$p"
	done
}

if [ "$list" -eq 1 ]; then
	printf '%s\n' "${packages[@]}"
	exit 0
fi
command -v dpkg-query >/dev/null || die "needs Debian (dpkg-query not found)"
mapfile -t todo < <(missing)
[ ${#todo[@]} -gt 0 ] || exit 0

[ "$(id -u)" -eq 0 ] || die "missing packages: ${todo[*]}; run me as root to install them"
command -v apt-get >/dev/null || die "missing packages: ${todo[*]}; apt-get not found"

echo "setup-deps.sh: installing ${todo[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q || die "apt-get update failed"
apt-get install -y -q --no-install-recommends "${todo[@]}" ||
	die "apt-get install failed for: ${todo[*]}"

mapfile -t todo < <(missing)
[ ${#todo[@]} -eq 0 ] || die "still missing after apt-get install: ${todo[*]}"
/usr/bin/python3 -c 'import boto3' 2>/dev/null || die "/usr/bin/python3 cannot import boto3"
echo "setup-deps.sh: done"
