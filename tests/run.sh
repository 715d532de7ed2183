#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh — the whole test suite, on a fresh Debian 12 machine as root:
# installs what is missing, checks the sources (contrib/checksrc.sh: banned
# functions, each library behind its module, file and function sizes; and
# ShellCheck over the scripts), builds with -Werror, runs every unit and
# integration test under AddressSanitizer + UndefinedBehaviorSanitizer
# (except the repeats of the filesystem tests in Aliyun OSS's signatures,
# label "oss", and the tests of the test harness itself, label "testbed"),
# the unit and concurrency tests under ThreadSanitizer, each
# libFuzzer target for a few seconds (tests/fuzz/run.sh), the unit tests
# under valgrind (tests/valgrind-unit.sh), then everything on the normal
# build.  Ends with ctest's summary line.
#
#   bash tests/run.sh            (what .ci/run calls)
#   BFS_SKIP_ASAN=1 BFS_SKIP_TSAN=1 BFS_SKIP_CHECKERS=1 bash tests/run.sh
#                                (normal build only, quicker)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$src"

bash tests/setup-deps.sh
# Node test tools (Aliyun's ali-oss SDK, the oracle for OSS signatures),
# pinned by tests/oss/package-lock.json.
(cd tests/oss && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

echo "== check the sources"
bash contrib/checksrc.sh
bash contrib/format.sh
shellcheck -S warning tests/*.sh tests/*/*.sh contrib/*.sh .ci/run

jobs=$(nproc 2>/dev/null || echo 2)
build() { # DIR CMAKE-ARGS...
	local dir=$1
	shift
	cmake -S "$src" -B "$src/$dir" -DBFS_WERROR=ON "$@" >/dev/null
	cmake --build "$src/$dir" -j "$jobs" >/dev/null
}

if [ -z "${BFS_SKIP_ASAN:-}" ]; then
	echo "== build with ASan+UBSan, run the suite"
	build build-asan -DBFS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --test-dir "$src/build-asan" -j "$jobs" -LE 'oss|bench|testbed' --output-on-failure
fi
if [ -z "${BFS_SKIP_TSAN:-}" ]; then
	echo "== build with ThreadSanitizer, run the unit and concurrency tests"
	build build-tsan -DBFS_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		ctest --test-dir "$src/build-tsan" -j "$jobs" -L 'unit|concurrency' --output-on-failure
fi
if [ -z "${BFS_SKIP_CHECKERS:-}" ]; then
	echo "== fuzz each parser of untrusted input for ${BFS_FUZZ_SECONDS:-6} s"
	bash "$src/tests/fuzz/run.sh" "${BFS_FUZZ_SECONDS:-6}"
	echo "== the unit tests under valgrind"
	bash "$src/tests/valgrind-unit.sh"
fi
echo "== build, run the suite"
build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr  # /usr: t0360 packages it
# no call loop between source files
python3 contrib/callgraph.py "$src/build"
ctest --test-dir "$src/build" -j "$jobs" --output-on-failure
