#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/model/run.sh — the model tester (tests/model/model.py): a random,
# seed-reproducible operation sequence on a bucketfs mount and on a local
# directory, every result compared; kill -9 and remount, a second mount,
# bucket audits with boto3, write-back and synchronous modes, and with
# --faults phases of tests/faultproxy.py faults.  Starts its own radosgw
# (tests/lib.sh), makes a bucket, cleans up whatever way it ends.
#
#   tests/model/run.sh [--ops N] [--seed N] [--crashes N] [--mode sync|writeback|both]
#                      [--faults] [--keep-going] [--replay FILE] [--shrink-time S]
#                      [--seeds "S1 S2 ..."]    (several seeds in a row; "random" = a new one)
#
# The long run: tests/model/run.sh --ops 100000 --crashes 100 --mode both --faults
# (BFS_TEST_TIMEOUT is raised to fit: about 0.1 s per operation).
# Divergences are reported with the seed, the operation's index and a shrunk
# sequence (Python, and JSON for --replay, kept in /tmp/bfs-model-repro).
args=("$@")
ops=1000
seeds=
for ((i = 0; i < ${#args[@]}; i++)); do
	case ${args[i]} in
	--ops) ops=${args[i + 1]} ;;
	--seeds) seeds=${args[i + 1]} ;;
	esac
done
# the watchdog: generous, from the number of operations (set before lib.sh)
export BFS_TEST_TIMEOUT=${BFS_TEST_TIMEOUT:-$((600 + ops / 5))}
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
rgw_start
tmp=$(bfs_tmpdir)
bucket=model-$RANDOM
make_bucket "$bucket"
# --seeds "1 2 random": one run per seed, the others' options alike
pass=()
for ((i = 0; i < ${#args[@]}; i++)); do
	if [ "${args[i]}" = --seeds ]; then
		i=$((i + 1))
		continue
	fi
	pass+=("${args[i]}")
done
rc=0
for s in ${seeds:-default}; do
	extra=()
	case $s in
	default) ;;
	random) extra=(--seed "$(( (RANDOM << 15 | RANDOM) % 1000000000 ))") ;;
	*) extra=(--seed "$s") ;;
	esac
	mkdir -p "$tmp/run.$s"
	nice /usr/bin/python3 -u "$BFS_SOURCE_DIR/tests/model/model.py" --tmp "$tmp/run.$s" \
		--bucket "$bucket" --src "$BFS_SOURCE_DIR" --build "$BFS_BUILD_DIR" \
		"${pass[@]}" "${extra[@]}" || rc=1
done
[ "$rc" -eq 0 ] || fail "the model tester found divergences (above)"
ok "the model tester found no divergence"
