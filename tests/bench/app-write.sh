#!/bin/bash
# SPDX-License-Identifier: MIT
# app-write.sh — the app's workload (tests/node/localstorage.mjs: mkdir -p +
# writeFile of TASKS x 4 images of ~1 MiB) on local disk and on a bucketfs
# mount of radosgw, 1 and 8 writers, then warm reads (3 passes), in one run
# and interleaved over ROUNDS; prints MiB/s medians (min-max).
#
#   tests/bench/app-write.sh [TASKS=200] [ROUNDS=3]
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 3000
TASKS=${1:-200}
ROUNDS=${2:-3}
export RGW_MEMSTORE_BYTES=$(( (TASKS * 4 * 2 * ROUNDS + 1024) << 20 ))
rgw_start
tmp=$(bfs_tmpdir)
bucket=bench-$RANDOM
make_bucket "$bucket"
app=$BFS_SOURCE_DIR/tests/node/localstorage.mjs
mnt=$tmp/public/generated
bfs_mount "$bucket" "$mnt"
disk=$tmp/disk/public/generated
mkdir -p "$disk"

# run WHERE WRITERS: write, then read everything back 3 times (warm);
# prints "write_MiB/s read_MiB/s" (the read figure is the third pass).
run() {
	local pub=${1%/generated} w=$2 man=$tmp/man.$RANDOM out wr rd
	out=$(node "$app" --public "$pub" --tasks "$TASKS" --per-task 4 --writers "$w" \
		--size 1048576 --manifest "$man") || fail "write on $1"
	wr=$(echo "$out" | grep -o 'mib_per_s=[0-9.]*' | cut -d= -f2)
	for _ in 1 2 3; do
		out=$(node "$app" --verify "$man" --public "$pub" --readers "$w") || fail "verify on $1"
	done
	rd=$(echo "$out" | grep -o 'mib_per_s=[0-9.]*' | cut -d= -f2)
	echo "$wr $rd"
}

declare -A res
for r in $(seq "$ROUNDS"); do
	for w in 1 8; do
		for where in disk bucketfs; do
			d=$disk
			[ "$where" = disk ] || d=$mnt
			read -r wr rd < <(run "$d" "$w")
			res[$where.write.$w]+="$wr "
			res[$where.read.$w]+="$rd "
		done
	done
	echo "# round $r done"
done

med() { tr ' ' '\n' | grep . | sort -g | awk '{ t[NR] = $1 } END {
	m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
	printf "%8.1f (%6.1f-%6.1f)", m, t[1], t[NR] }'; }
printf '\n%d tasks x 4 images of ~1 MiB, %d rounds, MiB/s: median (min-max)\n' "$TASKS" "$ROUNDS"
printf '%-34s %26s %26s\n' "" "1 writer" "8 writers"
for where in disk bucketfs; do
	for op in write read; do
		printf '%-34s %26s %26s\n' "$where $op$([ $op = read ] && echo ' (warm, 3 passes)')" \
			"$(echo "${res[$where.$op.1]}" | med)" "$(echo "${res[$where.$op.8]}" | med)"
	done
done
