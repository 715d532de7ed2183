#!/bin/bash
# SPDX-License-Identifier: MIT
# compare.sh — bucketfs against s3fs, rclone, the local disk, the FUSE
# ceiling (libfuse's passthrough examples over the local disk) and the raw S3
# server (a boto3 client, tests/bench/rawclient.py), on one radosgw, with the
# same workloads, in one run:
#
#   W1  the app's write (tests/node/localstorage.mjs: mkdir -p + writeFile of
#       TASKS x 4 images of ~1 MiB), 1 and WRITERS writers: until the app's
#       calls return, and until every object is listed in the bucket
#   W2  cold read of all of them (fresh mount, empty cache), READERS readers,
#       size + SHA-256 checked
#   W3  warm read, 3 passes (the 3rd is reported); then, W3_APART_S seconds
#       later (bucketfs's stat_ttl + 1 s), one more pass ("passes apart"),
#       which finds every cached file's attributes expired
#   W4  ls -lR of the tree and stat of every file by name, cold and warm
#   W5  how long a second mount takes to see a file closed on the first
#   W6  SMALL files of 4 KiB written by one writer
#   W7  a BIG_MIB file written sequentially (fsync included), read
#       sequentially cold and warm, and RAND_N random 4 KiB reads, warm and cold
#   W8  time to first byte (open + read 1 byte) of cached and uncached files
#   scale: ls -f and ls -l, cold, of a directory of DIRN objects put straight
#       into the bucket
#
# The systems: bucketfs, s3fs, rclone (each on a bucket of its own), disk (a
# plain directory under the test's temp dir), raw (boto3), and the FUSE
# ceiling, issue 26: libfuse's own examples passthrough_ll and passthrough_fh,
# built at bench time from Debian's libfuse3-dev
# (/usr/share/doc/libfuse3-dev/examples, or PT_EXAMPLES; gcc -O2, pkg-config
# fuse3) into the temp dir, each mounting a directory of its own next to
# disk's (same file system), so that every workload sees the local disk
# through FUSE.  Both run in the foreground, multi-threaded (their default),
# their soft RLIMIT_NOFILE raised to the hard one (passthrough_ll holds an
# O_PATH descriptor per inode the kernel knows):
#   pt_ll  passthrough_ll -o source=DIR,cache=always: the low-level API;
#          entries and attributes trusted for 86400 s, page cache kept across
#          opens (keep_cache), directory listings cached: the best a cached
#          FUSE file system can do, and bucketfs's anchor.
#   pt_fh  passthrough_fh -o modules=subdir,subdir=DIR,kernel_cache: the
#          high-level API with file handles.  It mirrors "/" and has no
#          source option, hence libfuse's subdir module; kernel_cache keeps
#          the page cache across opens (without it every open drops it).  Its
#          init sets entry, attribute and negative timeouts to 0, which no
#          mount option can change: every lookup and getattr (and, with the
#          kernel's auto_inval_data, every read) goes to the daemon: a FUSE
#          file system that revalidates everything, with its data cached.
# For them "cold" means a fresh FUSE mount (the kernel's FUSE dentries,
# attributes and pages gone) over the same local page cache, and writes
# are done when the calls return (nothing to list, as for disk).  W5 and
# scale skip them, as W5 skips disk: a second mount of one local directory
# has nothing to wait for (it would time the 10 ms poll), and the scale
# listing is the bucket's; the local directory's is the disk column (and
# passthrough_ll, with a descriptor per inode and a linear inode search,
# would measure its own example code, or run out of descriptors, at
# 100,000 entries).
#
# and for every phase the requests radosgw saw (its access log), by method,
# and the daemons' CPU time and memory (tests/bench/benchmon.py).  Rounds are
# interleaved (every workload runs on each system in turn, the order rotated
# each round); the report gives medians (min-max) over rounds and, for the
# targets, ratios computed within each round, then their median
# (tests/bench/report.py).  Outputs: a markdown table on stdout and, in OUT,
# results.json, results.md, chart.png.
#
#   bash tests/bench/compare.sh [--smoke] [--no-scale]
#
# --smoke (or BENCH_SMOKE=1): everything tiny (about a minute), outputs in the
# test's temp dir unless BENCH_OUT is set; fails only if a workload errors or
# data is wrong, never on performance.  A full run takes about 45 minutes.
#
# Parameters (environment; defaults full / smoke): TASKS 200/5, WRITERS 8,
# READERS 8, SMALL 2000/50, BIG_MIB 1024/32, RAND_N 2000/200, TTFB_N 200/20,
# FRESH_TRIALS 5/2, FRESH_TIMEOUT 15/2 s, ROUNDS 3/1, DIRN 100000/300,
# SCALE_INDEX_STEPS "1000 100000 1000000"/"1000 5000" (cache index entries,
# tests/bench/index-scale.sh), SCALE_INDEX_SAMPLES 5000/500,
# SCALE 1 (0: no scale part), SCALE_ROUNDS 1, WRITER_TIMEOUT 600 (s, for one
# writer phase of one system: past it the run fails), W3_APART_S (the sleep
# before W3's pass apart: bucketfs's stat_ttl + 1, its stat_ttl being 1 s
# unless BENCH_BFS_OPTS sets one), BENCH_SYSTEMS (a subset of
# "bucketfs s3fs rclone disk pt_ll pt_fh raw", the default), BENCH_BFS_OPTS
# (bucketfs options added to its defaults, e.g. immutable=/images),
# PT_EXAMPLES (where passthrough_ll.c and passthrough_fh.c are:
# /usr/share/doc/libfuse3-dev/examples), BENCH_OUT (docs/bench / the temp dir),
# BENCH_SCALE_INDEX (a JSON file with the cache index benchmark's results, put
# in the report as "scale_index"), BENCH_KEEP_LOGS (/var/tmp: where a run that
# failed keeps its logs and radosgw's; a writer that hung also prints the
# server's state: memstore's used bytes, health, requests in flight).
#
# As root on Debian 12 it installs what is missing first
# (tests/setup-deps.sh: s3fs, rclone, gnuplot, and libfuse3-dev and gcc,
# which bucketfs's build needs too, are among its packages) and builds
# bucketfs if it is not built.
# Everything runs on 127.0.0.1; mounts live under the test's temp dir and are
# all unmounted at exit, however the script ends.
# shellcheck disable=SC2046,SC2128,SC2155,SC2178
# (wait_arg's words are split on purpose; facts exported for the report;
# the linter takes the functions' locals named like arrays for the arrays)

# --help needs neither the installs nor a build (nor lib.sh's temp dir).
for arg in "$@"; do
	case $arg in -h | --help)
		sed -n '3,/^$/p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	esac
done

# Installing and building come before lib.sh, which re-runs this script under
# its reaper (a python3 script, python3 being among what gets installed): done
# in the first run only, and marked done in the environment for the re-run.
if [ -z "${BFS_TEST_REAPER:-}" ] && [ -z "${BENCH_PREPARED:-}" ]; then
	_src=$(cd "$(dirname "$0")/../.." && pwd -P)
	bash "$_src/tests/setup-deps.sh" || exit 1
	_build=${BFS_BUILD_DIR:-$_src/build}
	if [ ! -x "$_build/bucketfs" ]; then
		echo "# building bucketfs in $_build"
		{ cmake -S "$_src" -B "$_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
			cmake --build "$_build" -j "$(nproc)" >/dev/null; } || exit 1
	fi
	export BENCH_PREPARED=1
fi
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# --- parameters -------------------------------------------------------------------
SMOKE=${BENCH_SMOKE:-0}
SCALE=${SCALE:-1}
for arg in "$@"; do
	case $arg in
	--smoke) SMOKE=1 ;;
	--no-scale) SCALE=0 ;;
	-h | --help)
		sed -n '3,/^$/p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) fail "unknown argument '$arg' (see --help)" ;;
	esac
done
if [ "$SMOKE" = 1 ]; then
	d=(5 50 32 200 20 2 2 1 300 5)
else
	d=(200 2000 1024 2000 200 5 15 3 100000 30)
fi
TASKS=${TASKS:-${d[0]}} SMALL=${SMALL:-${d[1]}} BIG_MIB=${BIG_MIB:-${d[2]}}
RAND_N=${RAND_N:-${d[3]}} TTFB_N=${TTFB_N:-${d[4]}} FRESH_TRIALS=${FRESH_TRIALS:-${d[5]}}
FRESH_TIMEOUT=${FRESH_TIMEOUT:-${d[6]}} ROUNDS=${ROUNDS:-${d[7]}} DIRN=${DIRN:-${d[8]}}
RAND_MAX_S=${RAND_MAX_S:-${d[9]}}
WRITERS=${WRITERS:-8} READERS=${READERS:-8} SCALE_ROUNDS=${SCALE_ROUNDS:-1}
WRITER_TIMEOUT=${WRITER_TIMEOUT:-600}
if [ "$SMOKE" = 1 ]; then
	SCALE_INDEX_STEPS=${SCALE_INDEX_STEPS:-1000 5000} SCALE_INDEX_SAMPLES=${SCALE_INDEX_SAMPLES:-500}
else
	SCALE_INDEX_STEPS=${SCALE_INDEX_STEPS:-1000 100000 1000000}
	SCALE_INDEX_SAMPLES=${SCALE_INDEX_SAMPLES:-5000}
fi
for v in TASKS SMALL BIG_MIB RAND_N TTFB_N FRESH_TRIALS FRESH_TIMEOUT ROUNDS DIRN RAND_MAX_S \
	WRITERS READERS SCALE_ROUNDS SCALE; do
	[[ ${!v} =~ ^[0-9]+$ ]] || fail "$v='${!v}' is not a number"
done
[ "$ROUNDS" -ge 1 ] && [ "$TASKS" -ge 1 ] && [ "$BIG_MIB" -ge 1 ] || fail "ROUNDS, TASKS, BIG_MIB must be >= 1"
read -r -a SYSTEMS <<<"${BENCH_SYSTEMS:-bucketfs s3fs rclone disk pt_ll pt_fh raw}"
[ ${#SYSTEMS[@]} -ge 1 ] || fail "BENCH_SYSTEMS is empty"
for s in "${SYSTEMS[@]}"; do
	case $s in bucketfs | s3fs | rclone | disk | pt_ll | pt_fh | raw) ;; *) fail "unknown system '$s'" ;; esac
done
# W3's pass apart comes stat_ttl + 1 s after the one before: bucketfs's
# stat_ttl (src/daemon/config.c: 1 s), or the last one BENCH_BFS_OPTS sets.
bfs_stat_ttl=1
IFS=, read -r -a bfs_opts <<<"${BENCH_BFS_OPTS:-}"
for o in "${bfs_opts[@]}"; do
	case $o in stat_ttl=* | stat_cache_expire=*) bfs_stat_ttl=${o#*=} ;; esac
done
[[ $bfs_stat_ttl =~ ^[0-9]+([.][0-9]+)?$ ]] || fail "stat_ttl='$bfs_stat_ttl' in BENCH_BFS_OPTS is not a number of seconds"
W3_APART_S=${W3_APART_S:-$(awk -v t="$bfs_stat_ttl" 'BEGIN { print t + 1 }')}
[[ $W3_APART_S =~ ^[0-9]+([.][0-9]+)?$ ]] || fail "W3_APART_S='$W3_APART_S' is not a number of seconds"

# The watchdog's budget: a generous bound from the parameters (pessimistic
# rates: 10 MiB/s writes, 40 MiB/s reads, 20 small files/s, ...), not an
# estimate of the run time.
BUDGET=$(awk -v t="$TASKS" -v s="$SMALL" -v b="$BIG_MIB" -v n="$DIRN" -v r="$ROUNDS" \
	-v sr="$SCALE_ROUNDS" -v sc="$SCALE" -v tt="$TTFB_N" -v rm="$RAND_MAX_S" \
	-v ft="$FRESH_TRIALS" -v fto="$FRESH_TIMEOUT" -v ap="$W3_APART_S" -v ns="${#SYSTEMS[@]}" 'BEGIN {
	mib = t * 4
	per = 2 * mib / 10 + 7 * mib / 40 + mib * 4 * 0.01 + s * 0.05 + b * 4 / 20 + 4 * rm + \
		4 * tt * 0.05 + ft * 2 + fto + ap + 90
	total = 300 + r * (ns < 4 ? 4 : ns) * per
	if (sc) total += n / 200 + sr * (ns < 4 ? 4 : ns) * 2 * (n * 0.003 + 20) + 900
	printf "%d", total }')
test_timeout "$BUDGET"

tmp=$(bfs_tmpdir)
bench=$BFS_SOURCE_DIR/tests/bench
app=$BFS_SOURCE_DIR/tests/node/localstorage.mjs
if [ -n "${BENCH_OUT:-}" ]; then
	OUT=$BENCH_OUT
elif [ "$SMOKE" = 1 ]; then
	OUT=$tmp/out
else
	OUT=$BFS_SOURCE_DIR/docs/bench
fi
mkdir -p "$OUT" "$tmp/logs"
OUT=$(cd "$OUT" && pwd -P)
results=$tmp/phases.jsonl
samples=$tmp/rss.samples
watch=$tmp/rss.watch
: >"$results"
: >"$watch"

py() { /usr/bin/python3 "$bench/$1" "${@:2}"; }
say() { echo "# $*"; }

# radosgw's memstore keeps the data in RAM; its size only bounds what it
# accepts.  Every workload deletes what it wrote, so the RAM in use stays at
# about one tree, big files waiting for radosgw's garbage collector, and the
# scale directory.  But memstore's own count of used bytes drifts above what
# it holds: twice, 11 GiB of "device" filled up (OSD full, "failsafe
# engaged", every write hung) while the host had 4 GiB in use.  The bound
# is therefore set well above the data (it is an accounting limit, not RAM
# taken up front).
need=$(((TASKS * 4 * 3 + BIG_MIB * 4 + DIRN / 256 + 4096) << 20))
export RGW_MEMSTORE_BYTES=$((need > (64 << 30) ? need : (64 << 30)))
rgw_start
rgwlog=$RGW_DIR/log/client.rgw.test.log
asok=$RGW_DIR/run/client.rgw.test.asok

# The raw client and the phase records run in one long-lived process
# (rawclient.py serve; see its header), spoken to through two fifos.
mkfifo "$tmp/benchd.in" "$tmp/benchd.out" "$tmp/never"
exec {BENCHD_IN}<>"$tmp/benchd.in" {BENCHD_OUT}<>"$tmp/benchd.out"
/usr/bin/python3 "$bench/rawclient.py" serve <"$tmp/benchd.in" >"$tmp/benchd.out" \
	2>"$tmp/logs/benchd.log" {BENCHD_IN}>&- {BENCHD_OUT}>&- &
BENCHD_PID=$!
on_exit _bfs_kill_quietly "$BENCHD_PID"

# benchd ARG...: run `rawclient.py ARG...` (or `benchmon.py ARG...` for
# "mon ARG...") in that process; its output on stdout and stderr, its status.
# Each request has a tag, so that the rest of an interrupted one is skipped.
benchd() {
	local IFS=$'\x1f' tag=$BASHPID.$RANDOM$RANDOM line='' part tg kind text
	printf '%s\n' "$tag$IFS$*" >&"$BENCHD_IN"
	while :; do
		if IFS= read -r -t 5 part <&"$BENCHD_OUT"; then
			line+=$part
		else
			line+=$part  # a timeout keeps what it read of the line
			_bfs_pid_alive "$BENCHD_PID" ||
				fail "rawclient.py serve died (see $tmp/logs/benchd.log)"
			continue
		fi
		tg=${line%%$'\x1f'*} text=${line#*$'\x1f'}
		kind=${text%%$'\x1f'*} text=${text#*$'\x1f'}
		line=
		[ "$tg" = "$tag" ] || continue
		case $kind in
		o) printf '%s\n' "$text" ;;
		e) printf '%s\n' "$text" >&2 ;;
		x) return "$text" ;;
		esac
	done
}
check() { benchd --agent bench-check "$@"; }   # not counted in the phases

benchd mon count --log "$rgwlog" --asok "$asok" >/dev/null   # flushes the log
grep -q 'beast: .* "GET / HTTP' "$rgwlog" ||
	fail "radosgw's log has no access lines (debug_rgw >= 1 needed): cannot count requests"
for s in bucketfs s3fs rclone raw scale; do
	check make-bucket --bucket "bench-$s" >/dev/null
done

# s3fs: its cache, 8 parallel 16 MiB parts (bucketfs's part size), and no
# repeated HEADs for names known missing.  rclone: full VFS cache, 8 uploads
# at once, 16 MiB parts; everything else at the packages' defaults.
printf '%s:%s\n' "$RGW_ACCESS_KEY" "$RGW_SECRET_KEY" >"$tmp/passwd-s3fs"
chmod 600 "$tmp/passwd-s3fs"
: >"$tmp/rclone.conf"
S3FS_OPTS="url=$RGW_ENDPOINT,use_path_request_style,passwd_file=$tmp/passwd-s3fs,parallel_count=8,multipart_size=16,enable_noobj_cache"
RCLONE_ARGS=(--vfs-cache-mode full --transfers 8 --s3-provider Ceph --s3-endpoint "$RGW_ENDPOINT"
	--s3-force-path-style=true --s3-region us-east-1 --s3-chunk-size 16M
	--config "$tmp/rclone.conf" --log-level NOTICE)
# (the smoke run checks the script, not rclone: no 5 s wait before uploads)
[ "$SMOKE" = 0 ] || RCLONE_ARGS+=(--vfs-write-back 0s)
BFS_OPTS_SHOWN="endpoint=$RGW_ENDPOINT,path_style,cache_dir=DIR (all else default: synchronous upload at close, stat_ttl=1)"
[ -z "${BENCH_BFS_OPTS:-}" ] ||
	BFS_OPTS_SHOWN="endpoint=$RGW_ENDPOINT,path_style,cache_dir=DIR,$BENCH_BFS_OPTS (all else default)"
S3FS_OPTS_SHOWN="${S3FS_OPTS/passwd_file=$tmp\/passwd-s3fs/passwd_file=F},use_cache=DIR"
RCLONE_OPTS_SHOWN="rclone mount :s3:BUCKET MNT ${RCLONE_ARGS[*]/$tmp\/rclone.conf/EMPTY} --cache-dir DIR (keys in RCLONE_S3_ACCESS_KEY_ID/RCLONE_S3_SECRET_ACCESS_KEY)"

# The FUSE ceiling: libfuse's passthrough examples, built here from the
# sources Debian ships (see the header for the options and why).
PT_EXAMPLES=${PT_EXAMPLES:-/usr/share/doc/libfuse3-dev/examples}
PTLL_OPTS_SHOWN="passthrough_ll -f -o source=DIR,cache=always MNT (low-level API; entry/attr timeout 86400 s, keep_cache, cached readdir; multi-threaded)"
PTFH_OPTS_SHOWN="passthrough_fh -f -o modules=subdir,subdir=DIR,kernel_cache MNT (high-level API; its init forces entry/attr/negative timeouts to 0; kernel_cache keeps pages across opens; multi-threaded)"
B_LIBFUSE=
if [[ " ${SYSTEMS[*]} " == *" pt_"* ]]; then
	mkdir -p "$tmp/pt"
	B_LIBFUSE="libfuse $(pkg-config --modversion fuse3 2>/dev/null || echo '?')"
	for p in passthrough_ll passthrough_fh; do
		[ -f "$PT_EXAMPLES/$p.c" ] ||
			fail "$PT_EXAMPLES/$p.c not found (Debian's libfuse3-dev; or set PT_EXAMPLES)"
		gcc -Wall -O2 -I"$PT_EXAMPLES" -o "$tmp/pt/$p" "$PT_EXAMPLES/$p.c" \
			$(pkg-config fuse3 --cflags --libs) >"$tmp/logs/build-$p.log" 2>&1 || {
			bfs_log_tail "$tmp/logs/build-$p.log" 20
			fail "cannot build $p from $PT_EXAMPLES (gcc, pkg-config fuse3)"
		}
	done
	say "passthrough_ll, passthrough_fh built from $PT_EXAMPLES ($B_LIBFUSE)"
fi

# The RSS sampler (benchmon.py sampler), for the daemons listed in $watch.
/usr/bin/python3 "$bench/benchmon.py" sampler --watch "$watch" --out "$samples" --interval 0.1 \
	--parent $$ &
on_exit _bfs_kill_quietly $!

# --- mounts ---------------------------------------------------------------------------
declare -A MNT_PID=()
DAEMONS=()  # the pids of the system under test, for the phase records

# root_of SYSTEM [SUFFIX]: where the system's files are (a mount point, or a
# directory for disk; raw has none, but gets one for its manifests).
root_of() {
	case $1 in
	disk) echo "$tmp/disk${2:-}" ;;
	*) echo "$tmp/mnt/$1${2:-}" ;;
	esac
}

# src_of SYSTEM: the local directory a passthrough mounts (next to disk's).
src_of() { echo "$tmp/src-$1"; }

# fuse_start MOUNTPOINT LOG CMD...: run a FUSE daemon that stays in the
# foreground (s3fs -f, rclone mount), in the background; wait until the
# mount answers (30 s); unmounted and stopped at exit.
fuse_start() {
	local mnt=$1 log=$2 pid i
	shift 2
	mkdir -p "$mnt"
	! _bfs_mounted "$mnt" || fail "something is mounted at $mnt already"
	echo "# $*" >>"$log"
	"$@" </dev/null >>"$log" 2>&1 &
	pid=$!
	MNT_PID[$mnt]=$pid
	on_exit fuse_cleanup "$mnt" "$pid"
	for ((i = 0; ; i++)); do
		if ! _bfs_pid_alive "$pid"; then
			bfs_log_tail "$log" 20
			fail "$1 (pid $pid) exited before mounting $mnt"
		fi
		_bfs_mount_answers "$mnt" && break
		if [ "$i" -ge 300 ]; then
			bfs_log_tail "$log" 20
			fail "$1 (pid $pid): $mnt not mounted after 30 s"
		fi
		sleep 0.1
	done
}

# fuse_stop MOUNTPOINT: unmount (retrying while busy), wait for the daemon
# to exit (30 s, then TERM, then KILL).
fuse_stop() {
	local mnt=$1 pid=${MNT_PID[$1]:-} i err=
	[ -n "$pid" ] || fail "fuse_stop: nothing mounted at $mnt"
	for ((i = 0; i < 50; i++)); do
		err=$(fusermount3 -u -- "$mnt" 2>&1) && break
		_bfs_mounted "$mnt" || break
		sleep 0.2
	done
	! _bfs_mounted "$mnt" || fail "cannot unmount $mnt: $err"
	for ((i = 0; i < 300; i++)); do
		_bfs_pid_alive "$pid" || break
		sleep 0.1
	done
	if _bfs_pid_alive "$pid"; then
		echo "# $mnt: daemon $pid still running 30 s after the unmount: SIGTERM"
		kill -TERM "$pid" 2>/dev/null
		sleep 2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	unset 'MNT_PID[$mnt]'
}

# The on_exit side of fuse_start; does nothing if fuse_stop got there first.
fuse_cleanup() {
	local mnt=$1 pid=$2 i
	[ "${MNT_PID[$mnt]:-}" = "$pid" ] || return 0
	if _bfs_mounted "$mnt"; then
		fusermount3 -u -- "$mnt" 2>/dev/null || umount -l -- "$mnt" 2>/dev/null
	fi
	for ((i = 0; i < 100; i++)); do
		_bfs_pid_alive "$pid" || return 0
		sleep 0.1
	done
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 30; i++)); do
		_bfs_pid_alive "$pid" || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	! _bfs_mounted "$mnt" || umount -l -- "$mnt" 2>/dev/null
	return 0
}

# sys_mount SYSTEM MOUNTPOINT [BUCKET]: mount the system's bucket (default
# bench-SYSTEM) with a fresh, empty cache; for pt_ll and pt_fh, a fresh
# mount of their local directory (src_of); nothing for disk and raw.
sys_mount() {
	local sys=$1 mnt=$2 bucket=${3:-bench-$1} cache pid src nofile
	case $sys in
	bucketfs)
		bfs_mount "$bucket" "$mnt" "${BENCH_BFS_OPTS:-}"
		pid=${BFS_MOUNT_PID[$mnt]}
		;;
	s3fs)
		cache=$(mktemp -d "$tmp/s3fs-cache.XXXXXX")
		fuse_start "$mnt" "$tmp/logs/s3fs.log" s3fs "$bucket" "$mnt" -f -o "$S3FS_OPTS,use_cache=$cache"
		pid=${MNT_PID[$mnt]}
		CACHE_OF[$mnt]=$cache
		;;
	rclone)
		cache=$(mktemp -d "$tmp/rclone-cache.XXXXXX")
		fuse_start "$mnt" "$tmp/logs/rclone.log" env RCLONE_S3_ACCESS_KEY_ID="$RGW_ACCESS_KEY" \
			RCLONE_S3_SECRET_ACCESS_KEY="$RGW_SECRET_KEY" \
			rclone mount ":s3:$bucket" "$mnt" "${RCLONE_ARGS[@]}" --cache-dir "$cache"
		pid=${MNT_PID[$mnt]}
		CACHE_OF[$mnt]=$cache
		;;
	pt_ll | pt_fh)
		src=$(src_of "$sys")
		mkdir -p "$src"
		nofile=$(ulimit -Hn)
		if [ "$sys" = pt_ll ]; then
			fuse_start "$mnt" "$tmp/logs/$sys.log" prlimit --nofile="$nofile:$nofile" \
				"$tmp/pt/passthrough_ll" -f -o "source=$src,cache=always" "$mnt"
		else
			fuse_start "$mnt" "$tmp/logs/$sys.log" prlimit --nofile="$nofile:$nofile" \
				"$tmp/pt/passthrough_fh" -f -o "modules=subdir,subdir=$src,kernel_cache" "$mnt"
		fi
		pid=${MNT_PID[$mnt]}
		;;
	disk | raw)
		mkdir -p "$mnt"
		return 0
		;;
	esac
	DAEMONS+=("$pid")
	echo "$sys $pid" >>"$watch"
}
declare -A CACHE_OF=()

# sys_umount SYSTEM MOUNTPOINT: unmount, and remove the cache it used.
sys_umount() {
	local sys=$1 mnt=$2 pid
	case $sys in
	bucketfs)
		pid=${BFS_MOUNT_PID[$mnt]}
		CACHE_OF[$mnt]=${BFS_MOUNT_CACHE[$mnt]}
		bfs_umount "$mnt"
		;;
	s3fs | rclone | pt_ll | pt_fh)
		pid=${MNT_PID[$mnt]}
		fuse_stop "$mnt"
		;;
	*) return 0 ;;
	esac
	if [ -n "${CACHE_OF[$mnt]:-}" ]; then
		rm -rf --one-file-system "${CACHE_OF[$mnt]}"
		unset 'CACHE_OF[$mnt]'
	fi
	local keep=() p
	for p in "${DAEMONS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
	DAEMONS=("${keep[@]}")
}

# sys_remount SYSTEM MOUNTPOINT: unmount and mount again with an empty cache
# (cold); nothing for disk and raw.
sys_remount() {
	sys_umount "$1" "$2"
	sys_mount "$1" "$2"
}

# wipe SYSTEM: delete everything the system wrote (between workloads; a
# passthrough's directory once it is unmounted).
wipe() {
	case $1 in
	disk) rm -rf --one-file-system "$(root_of disk)" ;;
	pt_ll | pt_fh)
		! _bfs_mounted "$(root_of "$1")" || fail "wipe $1: still mounted"
		rm -rf --one-file-system "$(src_of "$1")"
		;;
	*) check delete-prefix --bucket "bench-$1" >/dev/null ;;
	esac
}

# --- phases ---------------------------------------------------------------------------
# phase_begin / phase_end SYSTEM ROUND PHASE [benchmon.py end ARGS]: bracket a
# measured phase: requests in radosgw's log, CPU and memory of the system's
# daemons (DAEMONS) and of radosgw and its OSD; the record (with the figures
# passed as ARGS) goes to $results.
_pid_args() {
	PIDARGS=(--pid "rgw=$RGW_PID" --pid "osd=$RGW_OSD_PID")
	[ ${#DAEMONS[@]} -eq 0 ] || PIDARGS+=(--pid "daemon=$(IFS=,; echo "${DAEMONS[*]}")")
}
phase_begin() {
	_pid_args
	benchd mon begin --state "$tmp/phase.state" --log "$rgwlog" --asok "$asok" "${PIDARGS[@]}"
}
phase_end() {
	local sys=$1 r=$2 ph=$3
	shift 3
	_pid_args
	benchd mon end --state "$tmp/phase.state" --log "$rgwlog" --asok "$asok" \
		--samples "$samples" --results "$results" --round "$r" --system "$sys" --phase "$ph" \
		"${PIDARGS[@]}" "$@"
}

# server_state: what radosgw and its OSD are doing, for a phase that hung
# (every step bounded; nothing here may fail the caller).  The OSD's used
# and total bytes are memstore's own count ("full" at 95 %: every write then
# waits), the ops in flight are requests that got no answer yet.
server_state() {
	local a=$RGW_DIR/run conf=$RGW_DIR/ceph.conf
	echo "# server state at $(date -u +%H:%M:%S):"
	timeout 10 ceph --admin-daemon "$a/osd.0.asok" perf dump 2>/dev/null |
		/usr/bin/python3 -c 'import json, sys
o = json.load(sys.stdin)["osd"]
print("#   osd: %d of %d MiB used (memstore count), %d ops in flight" % (
    o["stat_bytes_used"] >> 20, o["stat_bytes"] >> 20, o.get("op_wip", -1)))' 2>/dev/null ||
		echo "#   osd: no answer on its admin socket"
	timeout 10 ceph -c "$conf" health detail 2>&1 | sed 's/^/#   health: /' | head -n 8 || true
	timeout 10 ceph --admin-daemon "$asok" objecter_requests 2>/dev/null |
		grep -c '"tid"' | sed 's/^/#   radosgw requests waiting on the osd: /' || true
	ps -o rss=,comm= -p "$RGW_PID,$RGW_OSD_PID" 2>/dev/null |
		awk '{ printf "#   rss %s: %d MiB\n", $2, $1 / 1024 }' || true
	awk '/MemAvailable/ { printf "#   host MemAvailable: %d MiB\n", $2 / 1024 }' /proc/meminfo
	grep -ihE 'full|failsafe|slow request|blocked' "$RGW_DIR/log/osd.0.log" "$RGW_DIR/log/cluster.log" 2>/dev/null |
		tail -n 5 | cut -c 1-200 | sed 's/^/#   log: /' || true
}

# durable_run BUCKET MANIFEST CMD...: run the writer CMD (stdout in
# $tmp/w.out), then list BUCKET until every object of MANIFEST (written by
# CMD) is there with its size; WAIT_S: seconds from CMD's return to that.
durable_run() {
	local bucket=$1 man=$2 t_ret json rc=0 pid wd
	shift 2
	# Bounded: a writer that never returns (seen once in W6, in s3fs's
	# close, most likely because memstore had gone "full": see
	# RGW_MEMSTORE_BYTES) fails the phase after WRITER_TIMEOUT s instead of
	# hanging the run.  CMD may be a function (benchd, py), hence a watchdog subshell
	# that waits in a builtin read on a fifo nobody writes (no child left).
	"$@" >"$tmp/w.out" 2>"$tmp/w.err" &
	pid=$!
	(read -r -t "$WRITER_TIMEOUT" _ <>"$tmp/never" || kill -TERM "$pid" 2>/dev/null) &
	wd=$!
	wait "$pid" || rc=$?
	t_ret=$EPOCHREALTIME
	if kill "$wd" 2>/dev/null; then
		wait "$wd" 2>/dev/null || true
	else
		wait "$wd" 2>/dev/null || true
		server_state
		fail "writer hung (no end after $WRITER_TIMEOUT s): $*"
	fi
	if [ "$rc" -ne 0 ]; then
		cat "$tmp/w.err" "$tmp/w.out" >&2
		fail "writer failed: $*"
	fi
	json=$(check wait-durable --bucket "$bucket" --manifest "$man" --t-ret "$t_ret" \
		--timeout $((120 + TASKS + SMALL / 20 + BIG_MIB / 4))) ||
		fail "not all objects of $man reached bucket $bucket"
	WAIT_S=$(sed -n 's/.*"wait_s": \([0-9.]*\).*/\1/p' <<<"$json")
	[ -n "$WAIT_S" ] || fail "wait-durable: no wait_s in '$json'"
}

# Runs the writer for a system: durably for the bucket ones, plainly on disk
# and through the passthroughs.
write_phase() { # SYSTEM MANIFEST CMD...
	local sys=$1 man=$2
	shift 2
	if [ "$sys" = disk ] || [[ $sys == pt_* ]]; then
		"$@" >"$tmp/w.out"
		WAIT_S=
	else
		durable_run "bench-$sys" "$man" "$@"
	fi
}
wait_arg() { [ -z "$WAIT_S" ] || echo "--set=wait_s=$WAIT_S"; }
node_summary() { grep '^summary ' "$1" | tail -n 1; }

# --- the workloads, each for one system and one round ----------------------------------------
# W1, W2, W3, W4, W8 on the app's tree.
grp_app() {
	local sys=$1 r=$2 root w man n
	root=$(root_of "$sys")
	for w in $(printf '%s\n' 1 "$WRITERS" | sort -nu); do
		man=$tmp/app.$sys.r$r.w$w.manifest
		sys_mount "$sys" "$root"
		phase_begin
		if [ "$sys" = raw ]; then
			write_phase raw "$man" benchd put-app --bucket bench-raw --threads "$w" \
				--tasks "$TASKS" --per-task 4 --size 1048576 --manifest "$man"
			phase_end "$sys" "$r" "w1.w$w" --metrics "$(tail -n 1 "$tmp/w.out")" $(wait_arg)
		else
			write_phase "$sys" "$man" node "$app" --public "$root" --tasks "$TASKS" --per-task 4 \
				--writers "$w" --size 1048576 --manifest "$man"
			phase_end "$sys" "$r" "w1.w$w" --node-summary "$(node_summary "$tmp/w.out")" $(wait_arg)
		fi
		if [ "$w" != "$WRITERS" ]; then
			sys_umount "$sys" "$root"
			wipe "$sys"
			continue
		fi
		n=$(wc -l <"$man")

		# W2 cold, W3 warm x 3, then once more W3_APART_S later, W8 cached
		sys_remount "$sys" "$root"
		read_phase "$sys" "$r" w2.cold "$root" "$man"
		for i in 1 2 3; do read_phase "$sys" "$r" "w3.p$i" "$root" "$man"; done
		sleep "$W3_APART_S"
		read_phase "$sys" "$r" w3.apart "$root" "$man"
		ttfb_phase "$sys" "$r" w8.cached "$root" "$man"
		# W8 uncached
		sys_remount "$sys" "$root"
		ttfb_phase "$sys" "$r" w8.uncached "$root" "$man"
		# W4: stat by name, cold then warm; ls -lR cold then warm
		sys_remount "$sys" "$root"
		for c in cold warm; do
			phase_begin
			if [ "$sys" = raw ]; then
				json=$(benchd head-all --bucket bench-raw --manifest "$man")
			else
				json=$(py fsops.py statall --root "$root" --manifest "$man")
			fi
			phase_end "$sys" "$r" "w4.stat.$c" --metrics "$json"
		done
		sys_remount "$sys" "$root"
		for c in cold warm; do
			phase_begin
			if [ "$sys" = raw ]; then
				json=$(benchd list --bucket bench-raw --prefix generated/ --expect "$n")
			else
				json=$(py fsops.py lsR --dir "$root/generated" --expect "$n")
			fi
			# at most one LIST per directory and per 1000 entries
			phase_end "$sys" "$r" "w4.ls.$c" --metrics "$json" \
				--set "list_allowed=$((1 + (TASKS + 999) / 1000 + TASKS))"
		done
		sys_umount "$sys" "$root"
		wipe "$sys"
	done
}

read_phase() { # SYSTEM ROUND PHASE ROOT MANIFEST
	local sys=$1 r=$2 ph=$3 root=$4 man=$5 out
	phase_begin
	if [ "$sys" = raw ]; then
		out=$(benchd get-app --bucket bench-raw --manifest "$man" --threads "$READERS")
		phase_end "$sys" "$r" "$ph" --metrics "$out"
	else
		out=$(node "$app" --verify "$man" --public "$root" --readers "$READERS")
		phase_end "$sys" "$r" "$ph" --node-summary "$(grep '^summary ' <<<"$out")"
	fi
}

ttfb_phase() { # SYSTEM ROUND PHASE ROOT MANIFEST
	local sys=$1 r=$2 ph=$3 root=$4 man=$5 json
	phase_begin
	if [ "$sys" = raw ]; then
		json=$(benchd ttfb --bucket bench-raw --manifest "$man" --count "$TTFB_N")
	else
		json=$(py fsops.py ttfb --root "$root" --manifest "$man" --count "$TTFB_N")
	fi
	phase_end "$sys" "$r" "$ph" --metrics "$json"
}

# W6: small files, one writer.
grp_small() {
	local sys=$1 r=$2 root man
	root=$(root_of "$sys")
	man=$tmp/small.$sys.r$r.manifest
	sys_mount "$sys" "$root"
	phase_begin
	if [ "$sys" = raw ]; then
		write_phase raw "$man" benchd put-small --bucket bench-raw --prefix "small/r$r/" \
			--count "$SMALL" --threads 1 --manifest "$man"
	else
		write_phase "$sys" "$man" py fsops.py smallwrite --root "$root" --rel "small/r$r" \
			--count "$SMALL" --manifest "$man"
	fi
	phase_end "$sys" "$r" w6 --metrics "$(tail -n 1 "$tmp/w.out")" $(wait_arg)
	[ "$sys" = raw ] || py fsops.py verify --root "$root" --manifest "$man" >/dev/null
	sys_umount "$sys" "$root"
	wipe "$sys"
}

# W7: the big file.
grp_big() {
	local sys=$1 r=$2 root man json c
	root=$(root_of "$sys")
	man=$tmp/big.$sys.r$r.manifest
	printf '{"url": "/big.bin", "size": %d}\n' $((BIG_MIB << 20)) >"$man"
	sys_mount "$sys" "$root"
	phase_begin
	if [ "$sys" = raw ]; then
		write_phase raw "$man" benchd put-big --bucket bench-raw --key big.bin \
			--file "$tmp/big.src" --threads "$WRITERS"
	else
		write_phase "$sys" "$man" py fsops.py seqwrite --src "$tmp/big.src" --dst "$root/big.bin"
	fi
	phase_end "$sys" "$r" w7.write --metrics "$(tail -n 1 "$tmp/w.out")" $(wait_arg)
	sys_remount "$sys" "$root"
	for c in cold warm; do
		phase_begin
		if [ "$sys" = raw ]; then
			json=$(benchd get-big --bucket bench-raw --key big.bin --file "$tmp/big.src" \
				--threads "$READERS")
		else
			json=$(py fsops.py seqread --src "$tmp/big.src" --file "$root/big.bin")
		fi
		phase_end "$sys" "$r" "w7.read.$c" --metrics "$json"
	done
	rand_phase "$sys" "$r" w7.rand.warm "$root"
	sys_remount "$sys" "$root"
	rand_phase "$sys" "$r" w7.rand.cold "$root"
	sys_umount "$sys" "$root"
	wipe "$sys"
}

rand_phase() { # SYSTEM ROUND PHASE ROOT
	local sys=$1 r=$2 ph=$3 root=$4 json
	phase_begin
	if [ "$sys" = raw ]; then
		json=$(benchd rand-read --bucket bench-raw --key big.bin --file "$tmp/big.src" \
			--count "$RAND_N" --seed "$r" --max-seconds "$RAND_MAX_S")
	else
		json=$(py fsops.py randread --src "$tmp/big.src" --file "$root/big.bin" --count "$RAND_N" \
			--seed "$r" --max-seconds "$RAND_MAX_S")
	fi
	phase_end "$sys" "$r" "$ph" --metrics "$json"
}

# W5: a second mount's delay to see a new file closed on the first.  The
# directory is put in the bucket before either mount starts (rclone keeps
# no directory objects, and caches listings for --dir-cache-time, 5 min).
# Not for disk and the passthroughs: one local directory (see the header).
grp_fresh() {
	local sys=$1 r=$2 a b json
	case $sys in disk | pt_*) return 0 ;; esac
	check populate --bucket "bench-$sys" --prefix fresh/ --count 1 >/dev/null
	if [ "$sys" = raw ]; then
		phase_begin
		json=$(benchd fresh --bucket bench-raw --prefix fresh/ --trials "$FRESH_TRIALS" \
			--timeout "$FRESH_TIMEOUT")
		phase_end "$sys" "$r" w5 --metrics "$json"
	else
		a=$(root_of "$sys") b=$(root_of "$sys" -b)
		sys_mount "$sys" "$a"
		sys_mount "$sys" "$b"
		phase_begin
		json=$(py fsops.py fresh --a "$a" --b "$b" --rel fresh --trials "$FRESH_TRIALS" \
			--timeout "$FRESH_TIMEOUT")
		phase_end "$sys" "$r" w5 --metrics "$json"
		sys_umount "$sys" "$b"
		sys_umount "$sys" "$a"
	fi
	wipe "$sys"
}

# scale: the DIRN objects of bench-scale/d/, listed through a fresh mount
# (disk: DIRN files in a local directory; not for the passthroughs, see the
# header).
grp_scale() {
	local sys=$1 r=$2 root mode json
	[[ $sys != pt_* ]] || return 0
	root=$(root_of "$sys" -scale)
	[ "$sys" != disk ] || root=$tmp/scale-disk
	for mode in f l; do
		[ "$sys" = disk ] || sys_mount "$sys" "$root" bench-scale
		phase_begin
		if [ "$sys" = raw ]; then
			json=$(benchd list --bucket bench-scale --prefix d/ --delimiter / --expect "$DIRN")
		else
			json=$(py fsops.py lsdir --dir "$root/d" --mode "$mode" --expect "$DIRN" \
				--timeout $((60 + DIRN / 50)))
		fi
		phase_end "$sys" "$r" "scale.ls$mode" --metrics "$json" \
			--set "list_allowed=$(((DIRN + 999) / 1000 + 1))"
		[ "$sys" = disk ] || sys_umount "$sys" "$root"
	done
}

# run_group GROUP SYSTEM ROUND: one workload group in a subshell of its own
# (its mounts are unmounted when it ends, however it ends), its output in a
# log; a failure is reported and the run goes on (and fails at the end).
FAILED=()
run_group() {
	local g=$1 sys=$2 r=$3 log=$tmp/logs/$1.$2.r$3.log t0=$EPOCHREALTIME rc errtrap
	# Neither errexit nor lib.sh's ERR trap here (the subshell has its
	# own); and not `( ) || rc=$?`, which would turn errexit off inside.
	errtrap=$(trap -p ERR)
	trap - ERR
	set +e
	(
		set -eE
		_bfs_cleanups=()
		trap '_grp_exit' EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		trap 'exit 129' HUP
		trap 'echo "# error: \"$BASH_COMMAND\" failed (exit $?) at ${BASH_SOURCE[0]##*/}:$LINENO" >&2' ERR
		"grp_$g" "$sys" "$r"
	) >"$log" 2>&1
	rc=$?
	set -e
	eval "$errtrap"
	awk -v a="$t0" -v b="$EPOCHREALTIME" -v r="$r" -v g="$g" -v s="$sys" -v rc="$rc" 'BEGIN {
		printf "# round %s %-6s %-9s %7.1f s%s\n", r, g, s, b - a, rc ? "  FAILED (exit " rc ")" : "" }'
	if [ "$rc" -ne 0 ]; then
		FAILED+=("$g/$sys/round$r")
		sed 's/^/#   /' "$log" | tail -n 25
		[ "$rc" -lt 128 ] || exit "$rc"   # interrupted: stop here
	fi
	return 0
}
_grp_exit() {
	local rc=$? i
	trap '' INT TERM HUP
	trap - ERR
	set +eE
	for ((i = ${#_bfs_cleanups[@]} - 1; i >= 0; i--)); do
		(eval "${_bfs_cleanups[i]}") || { echo "# cleanup failed: ${_bfs_cleanups[i]}"; [ "$rc" -ne 0 ] || rc=1; }
	done
	exit "$rc"
}

# rotated ROUND: the systems in this round's order (rotated by one each round).
rotated() {
	local n=${#SYSTEMS[@]} k i
	k=$((($1 - 1) % n))
	for ((i = 0; i < n; i++)); do echo "${SYSTEMS[(k + i) % n]}"; done
}

# --- machine and parameters, for the report ------------------------------------------------
git_rev() {
	local d=$BFS_SOURCE_DIR/.git head ref
	[ -z "${BENCH_GIT_DESCRIBE:-}" ] || { echo "$BENCH_GIT_DESCRIBE"; return; }
	# Read, not `git describe`: that may refresh the index of a tree in use.
	[ -f "$d/HEAD" ] || { echo unknown; return; }
	head=$(cat "$d/HEAD")
	if [[ $head == "ref: "* ]]; then
		ref=${head#ref: }
		if [ -f "$d/$ref" ]; then cat "$d/$ref"; else awk -v r="$ref" '$2 == r { print $1 }' "$d/packed-refs" 2>/dev/null; fi
	else
		echo "$head"
	fi
}
first_line() { "$@" 2>&1 | head -n 1 || true; }
export B_NPROC=$(nproc) B_KERNEL=$(uname -r) B_MEM=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)
export B_CPU=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
export B_S3FS=$(first_line s3fs --version) B_RCLONE=$(first_line rclone version)
export B_RGW=$(first_line radosgw --version) B_NODE=$(node --version)
export B_BFS="$(first_line "$BFS_BUILD_DIR/bucketfs" -V) ($(git_rev))"
export B_BFS_OPTS=$BFS_OPTS_SHOWN B_S3FS_OPTS=$S3FS_OPTS_SHOWN B_RCLONE_OPTS=$RCLONE_OPTS_SHOWN
export B_PTLL_OPTS=$PTLL_OPTS_SHOWN B_PTFH_OPTS=$PTFH_OPTS_SHOWN B_LIBFUSE
export B_PARAMS="TASKS=$TASKS WRITERS=$WRITERS READERS=$READERS SMALL=$SMALL BIG_MIB=$BIG_MIB RAND_N=$RAND_N TTFB_N=$TTFB_N FRESH_TRIALS=$FRESH_TRIALS FRESH_TIMEOUT=$FRESH_TIMEOUT ROUNDS=$ROUNDS DIRN=$DIRN SCALE=$SCALE SCALE_ROUNDS=$SCALE_ROUNDS RAND_MAX_S=$RAND_MAX_S W3_APART_S=$W3_APART_S SMOKE=$SMOKE"
export B_SYSTEMS="${SYSTEMS[*]}" B_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# --- the run ---------------------------------------------------------------------------------
say "compare: systems ${SYSTEMS[*]}; $B_PARAMS; budget ${BUDGET}s; outputs in $OUT"
say "bucketfs: $BFS_OPTS_SHOWN"
say "s3fs: -o $S3FS_OPTS_SHOWN"
say "rclone: $RCLONE_OPTS_SHOWN"
[[ " ${SYSTEMS[*]} " != *" pt_ll "* ]] || say "pt_ll: $PTLL_OPTS_SHOWN"
[[ " ${SYSTEMS[*]} " != *" pt_fh "* ]] || say "pt_fh: $PTFH_OPTS_SHOWN"
head -c $((BIG_MIB << 20)) /dev/urandom >"$tmp/big.src"
t_run=$EPOCHREALTIME
for r in $(seq "$ROUNDS"); do
	mapfile -t order < <(rotated "$r")
	say "round $r of $ROUNDS: ${order[*]}"
	for g in app small big fresh; do
		for sys in "${order[@]}"; do
			run_group "$g" "$sys" "$r"
		done
	done
done
if [ "$SCALE" = 1 ] && [ "$DIRN" -gt 0 ]; then
	t0=$EPOCHREALTIME
	check populate --bucket bench-scale --prefix d/ --count "$DIRN" --threads 16 >/dev/null
	/usr/bin/python3 -c 'import os, sys
d = sys.argv[1]
os.makedirs(d)
for i in range(int(sys.argv[2])):
    with open(os.path.join(d, "f%07d.png" % i), "wb") as f:
        f.write(b"x" * 64)' "$tmp/scale-disk/d" "$DIRN"
	say "scale: $DIRN objects put in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
	for r in $(seq "$SCALE_ROUNDS"); do
		mapfile -t order < <(rotated "$r")
		for sys in "${order[@]}"; do
			run_group scale "$sys" "$r"
		done
	done
fi
# scale, the cache index: tests/bench/index-scale.sh grows a cache to
# SCALE_INDEX_STEPS entries (its own radosgw) and times cached files at each
# step; its rows become the report's "scale_index" (unless BENCH_SCALE_INDEX
# names results from elsewhere).
if [ "$SCALE" = 1 ] && [ -z "${BENCH_SCALE_INDEX:-}" ] && [[ " ${SYSTEMS[*]} " == *" bucketfs "* ]]; then
	say "scale: the cache index, $SCALE_INDEX_STEPS entries"
	if OUT=$tmp/scale-index.jsonl bash "$BFS_SOURCE_DIR/tests/bench/index-scale.sh" \
		"$SCALE_INDEX_STEPS" "$SCALE_INDEX_SAMPLES" >"$tmp/scale-index.log" 2>&1; then
		grep -v '^#' "$tmp/scale-index.log" | sed '/^$/d'
		/usr/bin/python3 -c 'import json, sys
print(json.dumps([json.loads(l) for l in open(sys.argv[1]) if l.strip()]))' \
			"$tmp/scale-index.jsonl" >"$tmp/scale-index.json"
		BENCH_SCALE_INDEX=$tmp/scale-index.json
	else
		tail -n 20 "$tmp/scale-index.log"
		FAILED+=("scale-index")
	fi
fi
export B_RUN_SECONDS=$(awk -v a="$t_run" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
export B_FAILED="${FAILED[*]}"

# --- the report --------------------------------------------------------------------------------
py report.py --phases "$results" --out "$OUT" ${BENCH_SCALE_INDEX:+--scale-index "$BENCH_SCALE_INDEX"}
[ -s "$OUT/results.md" ] && /usr/bin/python3 -m json.tool "$OUT/results.json" >/dev/null ||
	fail "the report was not written"
[ -s "$OUT/chart.png" ] || echo "# no chart (gnuplot failed; see above)"
if [ ${#FAILED[@]} -gt 0 ]; then
	# the temp dir goes at exit: keep what explains the failure
	keep=${BENCH_KEEP_LOGS:-/var/tmp}/bucketfs-bench-failed.$(date -u +%Y%m%dT%H%M%SZ)
	if mkdir -p "$keep" && cp -r "$tmp/logs" "$keep/" && cp -r "$RGW_DIR/log" "$keep/radosgw"; then
		echo "# logs of the run and of radosgw kept in $keep"
	fi
	fail "${#FAILED[@]} workload run(s) failed: ${FAILED[*]}"
fi
ok "all workloads ran on ${SYSTEMS[*]} and their data checked; report in $OUT"
