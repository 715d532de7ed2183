#!/bin/bash
# SPDX-License-Identifier: MIT
# ctl-throughput.sh — put and get of 1 MiB objects with bucketfsctl and with
# awscli against the same radosgw, 1 and 8 at a time, interleaved over
# several rounds; prints a table of medians (min-max) in MiB/s.
#
#   tests/bench/ctl-throughput.sh [OBJECTS=64] [ROUNDS=3]
#
# Two awscli modes: one `aws s3 cp` process per object (the same shape as
# bucketfsctl's runs), and one `aws s3 cp --recursive` with
# max_concurrent_requests set to the parallelism (awscli at its best).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 1800
N=${1:-64}
ROUNDS=${2:-3}
rgw_start
tmp=$(bfs_tmpdir)
bucket=bench-$RANDOM
make_bucket "$bucket"
mkdir -p "$tmp/src" "$tmp/dst"
for i in $(seq -w 1 "$N"); do head -c 1048576 /dev/urandom >"$tmp/src/$i.png"; done
export CTL="$BFS_BUILD_DIR/bucketfsctl" OPT="endpoint=$RGW_ENDPOINT,path_style" B=$bucket T=$tmp

timeit() { # prints seconds
	local t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 || fail "benchmark step failed: $*"
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", b - a }'
}
ctl_put() { ls "$T/src" | xargs -P "$1" -I{} "$CTL" -o "$OPT" put "$T/src/{}" "$B:/ctl/{}"; }
ctl_get() { ls "$T/src" | xargs -P "$1" -I{} "$CTL" -o "$OPT" get "$B:/ctl/{}" "$T/dst/{}"; }
aws_put1() { ls "$T/src" | xargs -P "$1" -I{} /usr/bin/aws --endpoint-url "$RGW_ENDPOINT" s3 cp --no-progress "$T/src/{}" "s3://$B/aws/{}"; }
aws_get1() { ls "$T/src" | xargs -P "$1" -I{} /usr/bin/aws --endpoint-url "$RGW_ENDPOINT" s3 cp --no-progress "s3://$B/aws/{}" "$T/dst/{}"; }
aws_conf() { printf '[default]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = %d\n' "$1" >"$AWS_CONFIG_FILE"; }
aws_putr() { aws_conf "$1"; /usr/bin/aws --endpoint-url "$RGW_ENDPOINT" s3 cp --no-progress --recursive "$T/src" "s3://$B/awsr/"; }
aws_getr() { aws_conf "$1"; /usr/bin/aws --endpoint-url "$RGW_ENDPOINT" s3 cp --no-progress --recursive "s3://$B/awsr/" "$T/dst/"; }
export -f ctl_put ctl_get aws_put1 aws_get1 aws_conf aws_putr aws_getr

declare -A res
for r in $(seq "$ROUNDS"); do
	for p in 1 8; do
		for tool in ctl aws1 awsr; do
			case $tool in
			ctl) put=ctl_put get=ctl_get ;;
			aws1) put=aws_put1 get=aws_get1 ;;
			awsr) put=aws_putr get=aws_getr ;;
			esac
			rm -f "$T"/dst/*
			res[$tool.put.$p]+="$(timeit $put "$p") "
			res[$tool.get.$p]+="$(timeit $get "$p") "
			for f in "$T"/src/*; do cmp -s "$f" "$T/dst/${f##*/}" || fail "$tool get: ${f##*/} differs"; done
		done
	done
	echo "# round $r done"
done
aws_conf 10

printf '\n%d objects of 1 MiB, %d rounds, MiB/s: median (min-max)\n' "$N" "$ROUNDS"
printf '%-40s %22s %22s\n' tool "1 at a time" "8 at a time"
for tool in ctl aws1 awsr; do
	case $tool in
	ctl) name="bucketfsctl (process per object)" ;;
	aws1) name="awscli (process per object)" ;;
	awsr) name="awscli cp --recursive" ;;
	esac
	for op in put get; do
		line=$(printf '%-40s' "$name $op")
		for p in 1 8; do
			line+=$(echo "${res[$tool.$op.$p]}" | tr ' ' '\n' | grep . | sort -g |
				awk -v n="$N" '{ t[NR] = $1 } END {
					m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
					printf " %8.1f (%5.1f-%5.1f)", n / m, n / t[NR], n / t[1] }')
		done
		echo "$line"
	done
done
