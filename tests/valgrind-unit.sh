#!/bin/bash
# SPDX-License-Identifier: MIT
# valgrind-unit.sh — every unit test (tests/unit/test_*.c) under valgrind's
# memcheck, on a build without sanitizers (RelWithDebInfo, in
# build-valgrind/): memory errors, definite and indirect leaks, and file
# descriptors left open at exit.  The tests run in tests/unit, as ctest runs
# them, with BFS_TEST_QUICK=1 (test_index's big counts divided by 20), two
# at a time.  Prints one line per test with its time; exits 1 when a test
# fails, valgrind reports an error, or a descriptor leaks.  Installs
# valgrind with apt-get when it is missing and this runs as root.
#
#   bash tests/valgrind-unit.sh
#   bash tests/valgrind-unit.sh test_xml test_creds     (only these)
#   BFS_VALGRIND_JOBS=1 bash tests/valgrind-unit.sh     (tests at once; default: CPUs)
#
# Processes the tests start (test_creds_fetch's credential_process helpers,
# run by /bin/sh) are not followed (--trace-children=no, valgrind's
# default): they are shell one-liners, not our code, and under valgrind
# they would only be slower; what they hand back is checked in the parent.
# No suppression file is needed: the suite runs clean as it is.
set -euo pipefail
# shellcheck source=parallel.sh
. "$(dirname "$0")/parallel.sh"

src=$(cd "$(dirname "$0")/.." && pwd -P)
build=${BFS_VALGRIND_BUILD_DIR:-$src/build-valgrind}
njobs=${BFS_VALGRIND_JOBS:-$(nproc 2>/dev/null || echo 2)}

die() {
	echo "valgrind-unit.sh: $*" >&2
	exit 1
}

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=()
	for f in "$src"/tests/unit/test_*.c; do
		tests+=("$(basename "$f" .c)")
	done
fi

if ! command -v valgrind >/dev/null; then
	# tests/setup-deps.sh lists valgrind
	bash "$src/tests/setup-deps.sh" >&2 || die "tests/setup-deps.sh failed"
	command -v valgrind >/dev/null || die "needs valgrind (apt-get install valgrind)"
fi

work=$(mktemp -d /tmp/bfs-valgrind.XXXXXX)
cleanup() {
	local pid
	for pid in $(jobs -pr); do
		pkill -TERM -P "$pid" 2>/dev/null || true
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

t0=$(date +%s)
echo "== build the unit tests in $build (no sanitizers)"
if ! cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBFS_WERROR=ON \
	-DBFS_SANITIZE=OFF -DBFS_TSAN=OFF -DBFS_FUZZ=OFF >"$work/configure.log" 2>&1; then
	cat "$work/configure.log" >&2
	die "configuring $build failed"
fi
if ! cmake --build "$build" -j "$njobs" --target "${tests[@]}" >"$work/build.log" 2>&1; then
	tail -n 60 "$work/build.log" >&2
	die "building the unit tests failed"
fi
echo "   built in $(($(date +%s) - t0)) s"

# One test under valgrind; its exit status and seconds go to TEST.rc and TEST.time.
run_one() {
	local t=$1 start rc
	start=$(date +%s.%N)
	set +e
	(cd "$src/tests/unit" && BFS_TEST_QUICK=1 valgrind --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --track-fds=yes --trace-children=no \
		--log-file="$work/$t.vg" "$build/tests/$t") >"$work/$t.out" 2>&1
	rc=$?
	set -e
	echo "$rc" >"$work/$t.rc"
	echo "$start $(date +%s.%N)" | awk '{ printf "%.1f\n", $2 - $1 }' >"$work/$t.time"
}

# Descriptors open at exit that the test did not inherit (valgrind 3.19
# lists them under --track-fds but does not count them as errors).
leaked_fds() {
	awk '/Open file descriptor/ { fd = $0; next }
	     fd != "" && /<inherited from parent>/ { fd = ""; next }
	     fd != "" && /==[0-9]+== +[a-z<]/ { sub(/^==[0-9]+== */, "", fd); print fd; fd = "" }' "$1"
}

for t in "${tests[@]}"; do
	[ -x "$build/tests/$t" ] || die "no such unit test: $t"
done
echo "== ${#tests[@]} unit tests under valgrind, $njobs at a time"
run_each "$njobs" run_one "${tests[@]}"

failed=0
for t in "${tests[@]}"; do
	rc=$(cat "$work/$t.rc" 2>/dev/null || echo 1)
	fds=$(leaked_fds "$work/$t.vg")
	if [ "$rc" -eq 99 ]; then
		what="FAILED: valgrind errors"
	elif [ "$rc" -ne 0 ]; then
		what="FAILED: exit status $rc"
	elif [ -n "$fds" ]; then
		what="FAILED: descriptors left open"
	else
		what=ok
	fi
	printf '%-20s %-32s %6s s\n' "$t" "$what" "$(cat "$work/$t.time" 2>/dev/null || echo ?)"
	if [ "$what" != ok ]; then
		failed=1
		echo "---- $t: output" >&2
		tail -n 30 "$work/$t.out" >&2
		echo "---- $t: valgrind" >&2
		grep -v '^==[0-9]*== *$' "$work/$t.vg" | head -n 80 >&2
	fi
done
echo "   took $(($(date +%s) - t0)) s in all"
[ "$failed" -eq 0 ] || die "some unit tests failed under valgrind"
