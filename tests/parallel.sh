# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# parallel.sh - sourced by tests/fuzz/run.sh and tests/valgrind-unit.sh.
#
# run_each NJOBS FUNC ITEM...: FUNC ITEM for every ITEM, NJOBS at a time, in
# the background; returns once all are done (FUNC records its own result).
run_each() {
	local njobs=$1 fn=$2 running=0 item
	shift 2
	for item in "$@"; do
		if [ "$running" -ge "$njobs" ]; then
			wait -n || true
			running=$((running - 1))
		fi
		"$fn" "$item" &
		running=$((running + 1))
	done
	wait || true
}
