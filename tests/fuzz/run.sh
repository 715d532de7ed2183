#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh — build the libFuzzer targets of tests/fuzz (clang, -DBFS_FUZZ=ON,
# in build-fuzz/) and fuzz each one for SECONDS on a copy of its committed
# corpus (tests/fuzz/corpus/TARGET/, which is never modified), with its
# dictionary (tests/fuzz/dict/), -rss_limit_mb=1024 and -timeout=10.
# Prints per target the executions and exec/s; exits 1 when a target fails
# to build, crashes, leaks, breaks an invariant, runs out of memory or
# times out.  Crash artifacts go to a directory under /tmp whose path is
# printed (it is removed when nothing failed).  Installs clang with apt-get
# when it is missing and this runs as root.
#
#   bash tests/fuzz/run.sh [SECONDS_PER_TARGET]     (default 20; CI)
#   bash tests/fuzz/run.sh 3600                     (the long version)
#   BFS_FUZZ_JOBS=1 bash tests/fuzz/run.sh          (targets fuzzed at once;
#                                                    default: one per CPU)
#   BFS_FUZZ_TARGETS="fuzz_xml fuzz_creds" bash tests/fuzz/run.sh 60
set -euo pipefail
# shellcheck source=../parallel.sh
. "$(dirname "$0")/../parallel.sh"

secs=${1:-20}
if ! [[ $secs =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ]; then
	echo "usage: bash tests/fuzz/run.sh [SECONDS_PER_TARGET]" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd -P)
src=$(cd "$here/../.." && pwd -P)
build=${BFS_FUZZ_BUILD_DIR:-$src/build-fuzz}
njobs=${BFS_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
if [ -n "${BFS_FUZZ_TARGETS:-}" ]; then
	read -r -a targets <<<"$BFS_FUZZ_TARGETS"
else
	targets=()
	for f in "$here"/fuzz_*.c; do
		targets+=("$(basename "$f" .c)")
	done
fi

die() {
	echo "run.sh: $*" >&2
	exit 1
}

work=$(mktemp -d /tmp/bfs-fuzz.XXXXXX)
artifacts=$(mktemp -d /tmp/bfs-fuzz-artifacts.XXXXXX)
keep_artifacts=0
cleanup() {
	local pid
	# fuzzers still running (interrupted): each job's child, then the job
	for pid in $(jobs -pr); do
		pkill -TERM -P "$pid" 2>/dev/null || true
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$work"
	# kept only when something failed: then it holds the inputs
	[ "$keep_artifacts" -eq 1 ] || rm -rf "$artifacts"
}
trap cleanup EXIT

# clang with libFuzzer's runtime (Debian: clang and libclang-rt-14-dev)
has_libfuzzer() {
	command -v clang >/dev/null &&
		printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' |
		clang -x c -fsanitize=fuzzer - -o "$work/probe" >/dev/null 2>&1
}
if ! has_libfuzzer; then
	# tests/setup-deps.sh lists clang and libclang-rt-14-dev
	bash "$src/tests/setup-deps.sh" >&2 || die "tests/setup-deps.sh failed"
	has_libfuzzer || die "clang still cannot link -fsanitize=fuzzer (apt-get install clang libclang-rt-14-dev)"
fi

t0=$(date +%s)
echo "== build the fuzz targets in $build"
if ! cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang -DBFS_FUZZ=ON -DBFS_WERROR=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work/configure.log" 2>&1; then
	cat "$work/configure.log" >&2
	die "configuring $build failed"
fi
if ! cmake --build "$build" --target fuzz -j "$njobs" >"$work/build.log" 2>&1; then
	tail -n 60 "$work/build.log" >&2
	die "building the fuzz targets failed"
fi
t1=$(date +%s)
echo "   built in $((t1 - t0)) s"

# One target on a copy of its corpus; the exit status goes to TARGET.rc.
fuzz_one() {
	local t=$1 dict=() d
	d=$here/dict/$t.dict
	[ "$t" != fuzz_list_pages ] || d=$here/dict/fuzz_xml.dict
	[ ! -f "$d" ] || dict=(-dict="$d")
	mkdir -p "$work/corpus/$t" "$artifacts/$t" "$work/tmp/$t"
	if [ -d "$here/corpus/$t" ]; then
		cp -R "$here/corpus/$t/." "$work/corpus/$t/"
	fi
	set +e
	(cd "$work/tmp/$t" && TMPDIR="$work/tmp/$t" \
		UBSAN_OPTIONS=print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
		"$build/tests/fuzz/$t" -max_total_time="$secs" -rss_limit_mb=1024 -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$artifacts/$t/" "${dict[@]}" \
		"$work/corpus/$t") >"$work/$t.log" 2>&1
	echo $? >"$work/$t.rc"
	set -e
}

for t in "${targets[@]}"; do
	[ -x "$build/tests/fuzz/$t" ] || die "no such fuzz target: $t"
done
echo "== fuzz ${#targets[@]} targets, $secs s each, $njobs at a time"
run_each "$njobs" fuzz_one "${targets[@]}"

# What went wrong in a log, in a word.
verdict() {
	local log=$1 rc=$2
	if grep -q 'ERROR: libFuzzer: timeout' "$log"; then
		echo TIMEOUT
	elif grep -q 'ERROR: LeakSanitizer' "$log"; then
		echo LEAK
	elif grep -qE 'ERROR: libFuzzer: (out-of-memory|malloc limit)' "$log"; then
		echo OOM
	elif grep -q 'invariant failed' "$log"; then
		echo INVARIANT
	elif grep -qE 'runtime error:|ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer)' "$log"; then
		echo SANITIZER
	elif [ "$rc" -ne 0 ]; then
		echo CRASH
	else
		echo ok
	fi
}

failed=0
printf '%-20s %-10s %14s %10s %8s\n' target result executions exec/s corpus
for t in "${targets[@]}"; do
	log=$work/$t.log
	rc=$(cat "$work/$t.rc" 2>/dev/null || echo 1)
	v=$(verdict "$log" "$rc")
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	n=$(find "$work/corpus/$t" -type f | wc -l)
	printf '%-20s %-10s %14s %10s %8s\n' "$t" "$v" "${runs:-?}" "${eps:-?}" "$n"
	if [ "$v" != ok ]; then
		failed=1
		keep_artifacts=1
		echo "---- $t: last lines of its log" >&2
		grep -vE '^#[0-9]+|^\s+NEW_FUNC|^INFO:' "$log" | tail -n 40 >&2
		echo "---- $t: inputs in $artifacts/$t:" >&2
		ls -l "$artifacts/$t" >&2
	fi
done
echo "   fuzzing took $(($(date +%s) - t1)) s ($(($(date +%s) - t0)) s in all)"
if [ "$failed" -ne 0 ]; then
	echo "run.sh: FAILED; reproduce with $build/tests/fuzz/TARGET FILE," \
		"artifacts kept in $artifacts" >&2
	exit 1
fi
