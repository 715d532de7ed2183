#!/bin/bash
# SPDX-License-Identifier: MIT
# freshness.sh — two mounts of one bucket (A writes, B reads), on radosgw:
#  1. how long B takes to see a new file and an overwrite made on A, over
#     TRIALS trials each (median, max), with the default settings;
#  2. what reading FILES cached files continuously on B (by name, as a web
#     server does: no directory listing) costs in requests per minute, under
#     stat_ttl=1 (the default), 10 and 60, and with the files in an
#     immutable= tree.
# Prints a table; not part of the test suite.
#
#   tests/bench/freshness.sh [TRIALS=50] [FILES=1000] [SECONDS=20]
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
TRIALS=${1:-50}
FILES=${2:-1000}
SECS=${3:-20}
test_timeout $((600 + TRIALS * 8 + SECS * 8))
rgw_start
tmp=$(bfs_tmpdir)
bucket=fresh-$RANDOM
make_bucket "$bucket"
proxy_start ""
A=$tmp/a B=$tmp/b
bfs_mount "$bucket" "$A" ""
ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'; }
stats() { sort -n | awk '{ v[NR] = $1 } END { printf "%.1f %.1f\n", v[int((NR + 1) / 2)], v[NR] }'; }

# --- 1. visibility delays -----------------------------------------------------------
bfs_mount "$bucket" "$B" ""
mkdir -p "$A/vis"
# an empty new directory's marker is owed for marker_delay (1 s), then B's
# negative window: wait until B sees it
for ((i = 0; i < 100; i++)); do ls "$B/vis" >/dev/null 2>&1 && break; sleep 0.1; done
ls "$B/vis" >/dev/null
: >"$tmp/new.ms"
: >"$tmp/over.ms"
for i in $(seq "$TRIALS"); do
	head -c 4096 /dev/urandom >"$tmp/v"
	cp "$tmp/v" "$A/vis/n$i.png"
	t0=$EPOCHREALTIME
	until cmp -s "$tmp/v" "$B/vis/n$i.png" 2>/dev/null; do sleep 0.005; done
	ms_since "$t0" >>"$tmp/new.ms"
	echo
	head -c 4096 /dev/urandom >"$tmp/w"
	cp "$tmp/w" "$A/vis/n$i.png"
	t0=$EPOCHREALTIME
	until cmp -s "$tmp/w" "$B/vis/n$i.png" 2>/dev/null; do sleep 0.005; done
	ms_since "$t0" >>"$tmp/over.ms"
done >/dev/null
read -r new_med new_max < <(stats <"$tmp/new.ms")
read -r over_med over_max < <(stats <"$tmp/over.ms")
bfs_umount "$B"

# --- 2. requests per minute for FILES cached files read continuously ----------------------
mkdir -p "$A/hot"
for i in $(seq "$FILES"); do head -c 4096 /dev/urandom >"$A/hot/f$i.png"; done
for i in $(seq "$FILES"); do echo "$B/hot/f$i.png"; done >"$tmp/names"
declare -A rpm reads
for setting in "stat_ttl=1" "stat_ttl=10" "stat_ttl=60" "immutable=/hot"; do
	bfs_mount "$bucket" "$B" "endpoint=$PROXY_EP,path_style,$setting"
	xargs -a "$tmp/names" cat >/dev/null    # cache them all
	m=$(wc -l <"$PROXY_LOG")
	t0=$EPOCHREALTIME
	n=0
	while [ "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print (b - a < '"$SECS"') }')" = 1 ]; do
		xargs -a "$tmp/names" cat >/dev/null
		n=$((n + FILES))
	done
	el=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
	r=$(tail -n +$((m + 1)) "$PROXY_LOG" | wc -l)
	rpm[$setting]=$(awk -v r="$r" -v e="$el" 'BEGIN { printf "%.0f", r * 60 / e }')
	reads[$setting]=$(awk -v n="$n" -v e="$el" 'BEGIN { printf "%.0f", n * 60 / e }')
	bfs_umount "$B"
done

printf '\n%-44s %10s %10s\n' "visibility on B of a change made on A" "median ms" "max ms"
printf '%-44s %10s %10s\n' "new file (B listed the directory before)" "$new_med" "$new_max"
printf '%-44s %10s %10s\n' "overwrite of a file B has cached" "$over_med" "$over_max"
printf '(%d trials each, default settings: stat_ttl=1, negative_ttl=1)\n' "$TRIALS"
printf '\n%-24s %16s %18s\n' "B reading $FILES cached files" "reads/min" "requests/min"
for setting in "stat_ttl=1" "stat_ttl=10" "stat_ttl=60" "immutable=/hot"; do
	printf '%-24s %16s %18s\n' "$setting" "${reads[$setting]}" "${rpm[$setting]}"
done
bfs_umount "$A"
