#!/bin/bash
# SPDX-License-Identifier: MIT
# rgw.sh — a private S3 server for the integration tests: a single-node Ceph
# cluster (one ceph-mon, one ceph-osd on memstore, one radosgw with the beast
# frontend) on 127.0.0.1, every file of it under one directory.
#
#   tests/rgw.sh start DIR   start it under DIR (a fresh or empty directory)
#                            and write DIR/env (shell-sourceable): RGW_ENDPOINT
#                            RGW_PORT RGW_ACCESS_KEY RGW_SECRET_KEY RGW_DIR
#                            RGW_MON_PORT RGW_PID RGW_OSD_PID RGW_MON_PID
#   tests/rgw.sh stop DIR    stop radosgw, then the osd, then the monitor, by
#                            the pids start recorded; safe to repeat, and after
#                            a start that failed half-way
#
# Sourced, it only defines rgw_cluster_start DIR and rgw_cluster_stop DIR; each
# runs in a subshell, so the caller's options, traps and variables are left
# alone.  Optional environment: RGW_START_TIMEOUT (seconds, default 60) and
# RGW_MEMSTORE_BYTES (RAM the OSD may fill, default 2 GiB).
#
# On success start prints one line ("# radosgw up at ..."); on failure it
# prints the tail of the log of the step that failed, stops what it started
# and exits non-zero.  The S3 user (uid "test", random keys) is the only thing
# it creates: no buckets.  Nothing is written outside DIR.
#
# Why these settings (each measured on Debian 12 with Ceph 16.2):
# - Ceph's own auth is off (S3 signature checking in radosgw stays on); with
#   auth off every messenger mode must be "crc" or radosgw never connects.
# - One replica, 8 PGs per pool, no autoscaler, crush failure domain = osd.
# - paxos propose interval 0.05 s: start-up ~1.5 s instead of ~14 s.
# - beast tcp_nodelay: without it small GETs stall 40 ms on delayed ACKs.
# - rgw dns name = localhost: virtual-hosted style as bucket.localhost:PORT.
# - rgw gc min wait 5 s / period 10 s: otherwise deleted objects over 4 MiB
#   stay in the OSD's RAM for two hours.
# - No ceph-mgr: the cluster warns after two minutes, S3 keeps working.
# - Ports are picked at random below the ephemeral range and checked free, but
#   another test may take one between the check and the bind.  A monitor that
#   cannot bind retries for ~10 s by default (here 1 s); a radosgw that cannot
#   bind exits.  Either way start tries again with new ports (3 attempts).  And
#   "port answers HTTP" is not enough: the listening socket must belong to our
#   own radosgw pid, not to another test's.

# Prints the pid, among the pids after $1, that owns the TCP socket listening
# on 127.0.0.1:$1; nothing if none of them does.
_rgw_listener_of() {
	local port=$1 inode pid
	shift
	inode=$(awk -v a="$(printf '0100007F:%04X' "$port")" \
		'$2 == a && $4 == "0A" { print $10; exit }' /proc/net/tcp)
	[ -n "$inode" ] || return 0
	for pid in "$@"; do
		# shellcheck disable=SC2010 # fd names are numbers
		if ls -l "/proc/$pid/fd" 2>/dev/null | grep -qF "socket:[$inode]"; then
			echo "$pid"
			return 0
		fi
	done
}

# Prints a TCP port on 127.0.0.1 that nothing uses now, below the ephemeral
# range (so no outgoing connection takes it before our daemon binds it) and
# not among the ports given as arguments.
_rgw_free_port() {
	/usr/bin/python3 - "$@" <<'PY'
import random, socket, sys
lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
taken = {int(p) for p in sys.argv[1:]}
for _ in range(200):
    port = random.randint(20000, max(20001, lo - 1))
    if port in taken:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))  # no SO_REUSEADDR: TIME_WAIT counts too
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    sys.exit(0)
sys.exit("rgw.sh: no free port found")
PY
}

# True if pid $1 is alive (not a zombie).
_rgw_alive() {
	local pid=$1 state
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || return 1
	case $state in Z* | X* | "") return 1 ;; esac
}

# True if pid $1 is alive and is one of the daemons of the cluster in
# directory $2 (its command line names $2/ceph.conf).
_rgw_is_ours() {
	local pid=$1 dir=$2
	_rgw_alive "$pid" || return 1
	tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- " $dir/ceph.conf "
}

# Stops the daemon whose pid is recorded in $2/pids/$1: SIGTERM, up to 5 s,
# then SIGKILL.  Leaves alone a pid that is gone or no longer ours.  Fails
# (and keeps the pid file) if even SIGKILL did not end it.
_rgw_stop_one() {
	local name=$1 dir=$2 pid i
	pid=$(cat "$dir/pids/$name" 2>/dev/null) || return 0
	if _rgw_is_ours "$pid" "$dir"; then
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < 250; i++)); do
			_rgw_is_ours "$pid" "$dir" || break
			sleep 0.02
		done
		if _rgw_is_ours "$pid" "$dir"; then
			echo "rgw.sh: $name (pid $pid) still running 5 s after SIGTERM; SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null
			for ((i = 0; i < 100; i++)); do
				_rgw_is_ours "$pid" "$dir" || break
				sleep 0.02
			done
		fi
	fi
	if _rgw_is_ours "$pid" "$dir"; then
		echo "rgw.sh: $name (pid $pid) survived SIGKILL" >&2
		return 1
	fi
	rm -f "$dir/pids/$name"
}

rgw_cluster_stop() (
	set -u
	dir=${1:?usage: rgw.sh stop DIR}
	[ -d "$dir/pids" ] || exit 0
	dir=$(cd "$dir" && pwd -P)
	rc=0
	for name in radosgw osd mon; do
		_rgw_stop_one "$name" "$dir" || rc=1
	done
	exit $rc
)

# One attempt at starting the cluster in $1 (a subshell, so that its EXIT
# trap can stop what it started).  Exits 75 if a port was taken under us.
_rgw_start_once() (
	set -euo pipefail +m
	dir=$1 deadline=$2 timeout_s=$3
	mem_bytes=${RGW_MEMSTORE_BYTES:-$((2 << 30))}
	conf=$dir/ceph.conf
	export CEPH_CONF=$conf
	mkdir -p "$dir"/{pids,run,log,mon/mon.a,osd,rgw,crash}

	stage=setup log=$dir/log/setup.log
	trap 'rc=$?; trap - EXIT
	if [ $rc -ne 0 ] && [ $rc -ne 75 ]; then
		echo "rgw.sh: start failed at stage \"$stage\" (exit $rc); tail of $log:" >&2
		tail -n 20 "$log" >&2 2>/dev/null || true
	fi
	[ $rc -eq 0 ] || rgw_cluster_stop "$dir"
	exit $rc' EXIT

	remaining() { local r=$((deadline - SECONDS)); echo $((r > 0 ? r : 1)); }
	# run LOG CMD...: run CMD bounded by the deadline, its output to LOG.
	run() { log=$1; shift; timeout "$(remaining)" "$@" >>"$log" 2>&1 </dev/null; }
	# spawn NAME LOG CMD...: start a daemon in a session of its own (so
	# that signals meant for the test's process group or terminal do not
	# reach it: stop takes them down in order), with no inherited
	# descriptors but its log; record its pid at once.  Without job
	# control the subshell does not lead a process group, so setsid
	# execs in place and $! is the daemon.
	spawn() {
		local name=$1
		log=$2
		shift 2
		(
			for fd in /proc/$BASHPID/fd/*; do
				fd=${fd##*/}
				[ "$fd" -le 2 ] || { eval "exec $fd>&-"; } 2>/dev/null || true
			done
			exec setsid "$@"
		) >>"$log" 2>&1 </dev/null &
		local pid=$!
		echo "$pid" >"$dir/pids/$name"
		# Until it execs, the child is a copy of this shell: its command
		# line is not the daemon's yet, and check_alive would take it for
		# a daemon that exited (seen under a loaded CI, 0.2 s after spawn).
		while _rgw_alive "$pid" && ! _rgw_is_ours "$pid" "$dir" &&
			[ "$SECONDS" -lt "$deadline" ]; do
			sleep 0.01
		done
	}
	pid_of() { cat "$dir/pids/$1"; }
	# Fails (75 if its port is taken) if daemon $1 is no longer running.
	check_alive() {
		_rgw_is_ours "$(pid_of "$1")" "$dir" && return 0
		echo "rgw.sh: $1 exited" >>"$log"
		if grep -q 'Address already in use' "$log"; then exit 75; fi
		exit 1
	}
	# wait_for NAME WHAT CMD...: poll CMD until it succeeds, while daemon
	# NAME runs, until the deadline.
	wait_for() {
		local name=$1 what=$2
		shift 2
		until "$@"; do
			check_alive "$name"
			if [ "$SECONDS" -ge "$deadline" ]; then
				echo "rgw.sh: $what: not in ${timeout_s}s" >>"$log"
				exit 1
			fi
			sleep 0.05
		done
	}
	listens() { [ -n "$(_rgw_listener_of "$1" "$(pid_of "$2")")" ]; }
	osd_up() {
		timeout "$(remaining)" ceph osd stat -f json 2>/dev/null </dev/null |
			grep -q '"num_up_osds":1'
	}
	http_ok() {
		[ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' \
			"http://127.0.0.1:$rgw_port/")" = 200 ]
	}

	mon_port=$(_rgw_free_port)
	rgw_port=$(_rgw_free_port "$mon_port")
	fsid=$(cat /proc/sys/kernel/random/uuid)
	osd_uuid=$(cat /proc/sys/kernel/random/uuid)
	access_key=$(tr -dc 'A-Z0-9' </dev/urandom 2>/dev/null | head -c 20 || true)
	secret_key=$(tr -dc 'A-Za-z0-9' </dev/urandom 2>/dev/null | head -c 40 || true)

	cat >"$conf" <<EOF
# Written by tests/rgw.sh: a throw-away single-node cluster under $dir.
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
ms bind msgr1 = false
ms bind retry count = 1
ms bind retry delay = 1
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms mon service mode = crc
ms mon cluster mode = crc
ms client mode = crc
ms service mode = crc
ms cluster mode = crc
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail crit = 1
osd crush chooseleaf type = 0
paxos propose interval = 0.05
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
log to syslog = false
err to syslog = false
mon cluster log file = $dir/log/cluster.log
mon cluster log to syslog = false
crash dir = $dir/crash
keyring = $dir/keyring
mon data = $dir/mon/\$name
osd data = $dir/osd/\$name
rgw data = $dir/rgw/\$name
osd objectstore = memstore
osd fast shutdown notify mon = false
osd mon shutdown timeout = 0.5
memstore device bytes = $mem_bytes
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw dns name = localhost
rgw gc obj min wait = 5
rgw gc processor period = 10

[client]
# ceph and radosgw-admin are short-lived clients: no admin socket, no log
# file (their errors go to stderr, into DIR/log/*.log).
admin socket =
log file = /dev/null

[client.rgw.test]
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
# one "beast:" access line per request: the benchmark counts them
debug rgw = 1/5
EOF
	: >"$dir/keyring"

	stage=mon
	run "$dir/log/mkfs.log" monmaptool --create --fsid "$fsid" \
		--addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap"
	run "$dir/log/mkfs.log" ceph-mon --mkfs -i a --monmap "$dir/monmap"
	spawn mon "$dir/log/mon.a.out" ceph-mon -c "$conf" -f -i a
	log=$dir/log/mon.a.log
	wait_for mon "monitor listening on port $mon_port" listens "$mon_port" mon

	stage=osd
	log=$dir/log/mkfs.log
	osd_id=$(timeout "$(remaining)" ceph osd new "$osd_uuid" 2>>"$log" </dev/null)
	mkdir -p "$dir/osd/osd.$osd_id"
	run "$dir/log/mkfs.log" ceph-osd --mkfs -i "$osd_id" --osd-uuid "$osd_uuid"
	spawn osd "$dir/log/osd.$osd_id.out" ceph-osd -c "$conf" -f -i "$osd_id"
	log=$dir/log/osd.$osd_id.log
	wait_for osd "osd up" osd_up

	stage=user
	run "$dir/log/user.log" radosgw-admin user create --uid=test \
		--display-name=test --access-key="$access_key" --secret="$secret_key"

	stage=radosgw
	spawn radosgw "$dir/log/radosgw.out" radosgw -c "$conf" -f -n client.rgw.test
	log=$dir/log/client.rgw.test.log
	wait_for radosgw "HTTP 200 on port $rgw_port" http_ok
	if ! listens "$rgw_port" radosgw; then
		echo "rgw.sh: port $rgw_port answers, but not from our radosgw (pid $(pid_of radosgw))" >>"$log"
		exit 75
	fi

	stage=write-env
	cat >"$dir/env.tmp" <<EOF
RGW_ENDPOINT=http://127.0.0.1:$rgw_port
RGW_PORT=$rgw_port
RGW_ACCESS_KEY=$access_key
RGW_SECRET_KEY=$secret_key
RGW_DIR=$dir
RGW_MON_PORT=$mon_port
RGW_PID=$(pid_of radosgw)
RGW_OSD_PID=$(pid_of osd)
RGW_MON_PID=$(pid_of mon)
EOF
	mv "$dir/env.tmp" "$dir/env"
)

rgw_cluster_start() (
	set -euo pipefail
	dir=${1:?usage: rgw.sh start DIR}
	timeout_s=${RGW_START_TIMEOUT:-60}
	deadline=$((SECONDS + timeout_s))
	t0=$EPOCHREALTIME

	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd -P)
	case $dir in *[[:space:]]*)
		echo "rgw.sh: $dir: ceph.conf cannot hold a path with spaces" >&2
		exit 2
		;;
	esac
	if [ -n "$(ls -A "$dir")" ]; then
		echo "rgw.sh: $dir is not empty; start needs a fresh directory" >&2
		exit 2
	fi
	# Unix socket paths (the admin sockets) hold at most 107 bytes.
	if [ $((${#dir} + 30)) -gt 107 ]; then
		echo "rgw.sh: $dir is too long a path for the admin sockets" >&2
		exit 2
	fi
	for attempt in 1 2 3; do
		rc=0
		_rgw_start_once "$dir" "$deadline" "$timeout_s" || rc=$?
		[ $rc -eq 75 ] || break
		# A port was taken between our check and the daemon's bind:
		# keep this attempt's files aside and start over on new ports.
		echo "rgw.sh: port taken under us (attempt $attempt); retrying" >&2
		mkdir "$dir/attempt-$attempt"
		find "$dir" -mindepth 1 -maxdepth 1 ! -name 'attempt-*' \
			-exec mv -t "$dir/attempt-$attempt" {} +
	done
	[ "$rc" -eq 0 ] || exit "$rc"
	# shellcheck source=/dev/null
	. "$dir/env"
	awk -v t0="$t0" -v t1="$EPOCHREALTIME" -v url="$RGW_ENDPOINT" -v dir="$dir" \
		'BEGIN { printf "# radosgw up at %s in %.1f s (%s)\n", url, t1 - t0, dir }'
)

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	start) rgw_cluster_start "${2:?usage: rgw.sh start DIR}" ;;
	stop) rgw_cluster_stop "${2:?usage: rgw.sh stop DIR}" ;;
	*)
		echo "usage: rgw.sh start DIR | rgw.sh stop DIR" >&2
		exit 2
		;;
	esac
fi
