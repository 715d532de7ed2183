# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# lib.sh — shared by the integration tests tests/integration/tNNNN-area-what.sh.
#
# A test starts with
#     . "$(dirname "$0")/../lib.sh"
# before doing anything else, then calls what it needs:
#     test_timeout 120         kill the test (and so clean up) after 120 s;
#                              by default BFS_TEST_TIMEOUT=240 s, under ctest's 300
#     rgw_start                a private radosgw (tests/rgw.sh) under the test's
#                              temp dir; sets RGW_* and the AWS_* variables
#     on_exit CMD ARG...       run CMD at exit; last registered runs first
#     bfs_tmpdir               prints the test's temp dir, removed at exit
#     aws_s3 ARG... / aws_s3api ARG...   /usr/bin/aws against the radosgw
#     boto3_py ARG... <<'PY'   /usr/bin/python3 with boto3; the script (stdin)
#                              finds ENDPOINT and a ready client `s3`
#     "${BFS_PY[@]}" ARG...    /usr/bin/python3 ARG..., through the fork server
#                              rgw_start starts (tests/pyfork.py): boto3 loaded
#                              once, not at each call
#     make_bucket NAME
#     s3_cp SRC DST            copy a file to or from s3://BUCKET/KEY (boto3)
#     free_port                print a free TCP port on 127.0.0.1
#     proxy_start [PLAN] [ARG...]  tests/faultproxy.py in front of radosgw (fault
#                              PLAN, see its header), stopped at exit; sets
#                              PROXY_EP, PROXY_LOG (a line per request), PROXY_PID
#     proxy_restart [PLAN] [ARG...]  the same on the last proxy's port (a server
#                              that changes its ways under a mount)
#     bfs_mount TARGET MNT [OPTS]   mount bucketfs in the foreground (unmounted
#                              at exit); BFS_MOUNT_PID/LOG/CACHE[MNT] tell its
#                              pid, log and cache_dir
#     bfs_umount MNT           unmount now, and check the daemon exited 0
#     bfs_flush MNT            bucketfsctl flush: what is journaled (uploads,
#                              owed directory markers) reaches the bucket now
#     ok MSG / fail MSG / assert_eq ACTUAL EXPECTED MSG / assert_file_eq F1 F2 [MSG]
#
# What it sets up: set -euo pipefail (and errtrace, with a message naming the
# command that failed); traps on EXIT, INT, TERM and HUP that run the on_exit
# commands (the radosgw stop among them) whatever way the test ends; a
# watchdog that TERMs the test's process group when its time is up.
#
# Process hygiene: lib.sh re-runs the test under a small reaper (python, PR_SET
# _CHILD_SUBREAPER) that gives the test its own process group (so the watchdog
# kills exactly the test, never ctest, which runs tests in its own group),
# forwards INT/TERM/HUP/QUIT to that group, reaps the daemons the test
# orphans, and after the test kills whatever it left running and fails it.
# BFS_NO_REAPER=1 turns this off.  Because of the re-run, nothing may come
# before sourcing lib.sh; and since the test then runs in a process group of
# its own, not the terminal's foreground one, it must not read the terminal.
#
# Environment: BFS_SOURCE_DIR (default: the parent of tests/), BFS_BUILD_DIR
# (default: $BFS_SOURCE_DIR/build), BFS_TEST_TIMEOUT, BFS_KEEP_TMP=1 (keep the
# temp dir and print where it is), TMPDIR (where the temp dir goes).

# --- the reaper ---------------------------------------------------------------
if [ "${BFS_TEST_REAPER:-}" != "$PPID" ] && [ -z "${BFS_NO_REAPER:-}" ] &&
	[ -f "$0" ] && [ "${BASH_SOURCE[1]:-}" = "$0" ]; then
	_bfs_x=()
	case $- in *x*) _bfs_x=(-x) ;; esac
	# The reaper's code goes in the environment, to keep ps listings short.
	export BFS_REAPER_PY='import ctypes, os, signal, sys, time

ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
me = os.getpid()
os.environ["BFS_TEST_REAPER"] = str(me)
child = os.fork()
if child == 0:
    os.setpgid(0, 0)
    # Started with "&" from a script, we inherit SIGINT and SIGQUIT ignored,
    # and bash could not trap them: give the test the default back.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    os.execvp(sys.argv[1], sys.argv[1:])
try:
    os.setpgid(child, child)
except OSError:
    pass  # the child did it already and exec-ed

def forward(sig, _frame):
    try:
        os.killpg(child, sig)
    except OSError:
        pass

for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(s, forward)

while True:
    pid, status = os.waitpid(-1, 0)
    if pid == child:
        break
rc = os.waitstatus_to_exitcode(status)
rc = 128 - rc if rc < 0 else rc

def reap():
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return

def running_children():
    found = {}
    for d in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except (OSError, ValueError):
            continue
        rest = stat[stat.rindex(")") + 2:].split()
        if int(rest[1]) == me and rest[0] not in "ZX":
            found[int(d)] = stat[stat.index("(") + 1:stat.rindex(")")]
    return found

# What the test left behind: orphans re-parented to us, and members of its
# process group.  Give them 2 s to finish by themselves, then TERM, then KILL.
seen, start = {}, time.time()
while True:
    reap()
    left = running_children()
    if not left:
        break
    waited = time.time() - start
    if waited > 2:
        for pid, comm in left.items():
            if pid not in seen:
                seen[pid] = comm
                sys.stderr.write("# reaper: %s (pid %d) left running by the test; "
                                 "killing it\n" % (comm, pid))
            os.kill(pid, signal.SIGKILL if waited > 7 else signal.SIGTERM)
        try:
            os.killpg(child, signal.SIGKILL if waited > 7 else signal.SIGTERM)
        except OSError:
            pass
    if waited > 9:
        break
    time.sleep(0.05)
if seen and rc == 0:
    print("not ok - the test left processes running: %s" %
          ", ".join("%s (%d)" % (c, p) for p, c in seen.items()), flush=True)
    rc = 1
sys.exit(rc)
'
	exec /usr/bin/python3 -c 'import os; exec(os.environ.pop("BFS_REAPER_PY"))' \
		bash "${_bfs_x[@]}" "$0" "$@"
fi

# --- basics -----------------------------------------------------------------
set -euo pipefail
set -E
# Name the command that ends the test (only in the test shell itself: in a
# subshell or $(...) a failure may be expected, and the caller sees it).
# (On one line: $LINENO in a trap counts the trap's own lines.)
_bfs_rc=0
trap '_bfs_rc=$?; [ "$BASHPID" != $$ ] || echo "# error: \"$BASH_COMMAND\" failed (exit $_bfs_rc) at ${BASH_SOURCE[0]##*/}:$LINENO" >&2' ERR

BFS_SOURCE_DIR=${BFS_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)}
BFS_BUILD_DIR=${BFS_BUILD_DIR:-$BFS_SOURCE_DIR/build}
BFS_TEST_NAME=$(basename "$0" .sh)
export BFS_SOURCE_DIR BFS_BUILD_DIR

_bfs_t0=$EPOCHREALTIME
_bfs_checks=0
_bfs_cleanups=()

# ok MSG: one passed check, as a TAP line.
ok() {
	_bfs_checks=$((_bfs_checks + 1))
	echo "ok - $*"
}

# fail MSG: report a failed check and end the test (exit 1, cleanup runs).
# In a subshell or $(...) it ends only that; check its status.
fail() {
	echo "not ok - $*"
	exit 1
}

# on_exit CMD ARG...: run CMD ARG... when the test ends, however it ends;
# commands run in reverse order of registration, each in a subshell (so a
# `fail` in one ends only that one).  A failing one fails the test.
on_exit() {
	_bfs_cleanups+=("$(printf '%q ' "$@")")
}

_bfs_exit() {
	local rc=$? i cmd
	trap '' INT TERM HUP QUIT
	trap - ERR
	set +euE
	for ((i = ${#_bfs_cleanups[@]} - 1; i >= 0; i--)); do
		cmd=${_bfs_cleanups[i]}
		if ! (eval "$cmd"); then
			echo "not ok - cleanup failed: $cmd"
			[ "$rc" -ne 0 ] || rc=1
		fi
	done
	_bfs_cleanups=()
	[ -z "${_bfs_wd_fd:-}" ] || echo stop >&"$_bfs_wd_fd"
	awk -v t0="$_bfs_t0" -v t1="$EPOCHREALTIME" -v name="$BFS_TEST_NAME" \
		-v n="$_bfs_checks" -v rc="$rc" 'BEGIN {
		printf "# %s: %s, %d checks, %.1f s\n", name,
			rc == 0 ? "PASS" : "FAIL (exit " rc ")", n, t1 - t0 }'
	exit "$rc"
}

_bfs_signal() {
	echo "# $BFS_TEST_NAME: got SIG$1" >&2
	exit "$2"
}

trap _bfs_exit EXIT
trap '_bfs_signal INT 130' INT
trap '_bfs_signal TERM 143' TERM
trap '_bfs_signal HUP 129' HUP

# --- temp dir ---------------------------------------------------------------
BFS_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/bfs-${BFS_TEST_NAME:0:24}.XXXXXX")
_bfs_rm_tmpdir() {
	if [ -n "${BFS_KEEP_TMP:-}" ]; then
		echo "# kept $BFS_TMPDIR"
		return 0
	fi
	# --one-file-system: never delete through a mount left behind.
	rm -rf --one-file-system "$BFS_TMPDIR"
}
on_exit _bfs_rm_tmpdir
mkdir "$BFS_TMPDIR/tmp"
export BFS_TMPDIR TMPDIR=$BFS_TMPDIR/tmp

# bfs_tmpdir: prints the test's own temp dir (created when lib.sh is sourced,
# removed at exit).
bfs_tmpdir() {
	echo "$BFS_TMPDIR"
}

# --- watchdog ---------------------------------------------------------------
# _bfs_signal_test SIG: signal the test: its whole process group if it leads
# one (it does under the reaper), else the test shell and its descendants.
_bfs_signal_test() {
	local sig=$1 pgid
	pgid=$(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f3)
	if [ "$pgid" = "$$" ]; then
		kill -"$sig" -- -"$$" 2>/dev/null
		return 0
	fi
	ps -e -o pid= -o ppid= | awk -v root=$$ -v me="$BASHPID" '
		{ kids[$2] = kids[$2] " " $1 }
		END { n = split(root, q); while (n) { p = q[n--]; if (p != me) print p;
			m = split(kids[p], k, " "); for (i = 1; i <= m; i++) q[++n] = k[i] } }' |
		xargs -r kill -"$sig" 2>/dev/null
	return 0
}

# The watchdog is a background subshell that the test talks to through a
# fifo (both hold it open read-write, so nothing blocks): a number re-arms it
# with that many seconds, "stop" ends it.  It needs no signal to stop and no
# child to sleep: read -t on the fifo is its timer.
_bfs_watchdog_main() {
	local secs=$1 deadline line left i
	set +euE
	trap - ERR
	exec </dev/null >/dev/null
	deadline=$((SECONDS + secs))
	while left=$((deadline - SECONDS)) && [ "$left" -gt 0 ]; do
		read -r -t "$left" -u "$_bfs_wd_fd" line || continue
		case $line in
		stop) exit 0 ;;
		[1-9]*) secs=$line deadline=$((SECONDS + line)) ;;
		esac
	done
	trap '' TERM INT HUP
	echo "not ok - $BFS_TEST_NAME: timeout, still running after ${secs}s; stopping it" >&2
	_bfs_signal_test TERM
	# 30 s for its cleanup, while the test shell ($$) is still our parent.
	for ((i = 0; i < 300; i++)); do
		[ "$(sed 's/.*) //' /proc/$BASHPID/stat | cut -d' ' -f2)" = "$$" ] || exit 0
		read -r -t 0.1 -u "$_bfs_wd_fd"
	done
	echo "# $BFS_TEST_NAME: cleanup still running 30 s after the timeout; SIGKILL" >&2
	_bfs_signal_test KILL
}

# test_timeout SECONDS: (re)arm the watchdog: when SECONDS have passed, the
# test's process group gets SIGTERM (the test shell then runs its cleanup),
# and SIGKILL if it is still there 30 s later.
test_timeout() {
	[[ $1 =~ ^[1-9][0-9]*$ ]] || fail "test_timeout: '$1' is not a number of seconds"
	echo "$1" >&"$_bfs_wd_fd"
}

mkfifo "$BFS_TMPDIR/.watchdog"
exec {_bfs_wd_fd}<>"$BFS_TMPDIR/.watchdog"
rm -f "$BFS_TMPDIR/.watchdog"
_bfs_watchdog_main "${BFS_TEST_TIMEOUT:-240}" &

# --- S3 server and clients ----------------------------------------------------
# rgw_start: start a private radosgw under the temp dir (tests/rgw.sh), stopped
# at exit; exports RGW_ENDPOINT RGW_PORT RGW_ACCESS_KEY RGW_SECRET_KEY RGW_DIR
# (and the pids, see rgw.sh) and the AWS_* settings awscli and boto3 need.
rgw_start() {
	local dir=$BFS_TMPDIR/rgw
	[ ! -e "$dir" ] || fail "rgw_start: already started in $dir"
	on_exit rgw_stop
	_bfs_pyfork_start
	bash "$BFS_SOURCE_DIR/tests/rgw.sh" start "$dir" || fail "radosgw did not start"
	set -a
	# shellcheck source=/dev/null
	. "$dir/env"
	set +a
	mkdir -p "$BFS_TMPDIR/aws"
	printf '[default]\nregion = us-east-1\n' >"$BFS_TMPDIR/aws/config"
	unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN \
		AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_CA_BUNDLE
	export AWS_ACCESS_KEY_ID=$RGW_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$RGW_SECRET_KEY \
		AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
		AWS_REQUEST_CHECKSUM_CALCULATION=when_required \
		AWS_RESPONSE_CHECKSUM_VALIDATION=when_required \
		AWS_CONFIG_FILE=$BFS_TMPDIR/aws/config \
		AWS_SHARED_CREDENTIALS_FILE=$BFS_TMPDIR/aws/credentials AWS_PAGER=
}

# rgw_stop: stop the radosgw of rgw_start (runs at exit; safe to repeat).
rgw_stop() {
	local t0=$EPOCHREALTIME
	[ -d "$BFS_TMPDIR/rgw/pids" ] || return 0
	bash "$BFS_SOURCE_DIR/tests/rgw.sh" stop "$BFS_TMPDIR/rgw" || return
	awk -v t0="$t0" -v t1="$EPOCHREALTIME" \
		'BEGIN { printf "# radosgw stopped in %.1f s\n", t1 - t0 }'
}

# _bfs_pyfork_start: the fork server of BFS_PY (tests/pyfork.py), stopped at
# exit with the scripts it runs.  Until it listens (half a second), BFS_PY
# runs python itself.
BFS_PY=(/usr/bin/python3 "$BFS_SOURCE_DIR/tests/pyfork.py")
_bfs_pyfork_start() {
	[ -z "${_bfs_pyfork_pid:-}" ] || return 0
	BFS_PYFORK=$BFS_TMPDIR/pyfork.sock
	/usr/bin/python3 "$BFS_SOURCE_DIR/tests/pyfork.py" serve "$BFS_PYFORK" \
		</dev/null >/dev/null 2>"$BFS_TMPDIR/pyfork.log" &
	_bfs_pyfork_pid=$!
	disown "$_bfs_pyfork_pid" # (no "Killed" line when it is stopped)
	export BFS_PYFORK
	on_exit _bfs_pyfork_stop
}

_bfs_pyfork_stop() {
	pkill -KILL -P "$_bfs_pyfork_pid" 2>/dev/null
	kill -KILL "$_bfs_pyfork_pid" 2>/dev/null
	rm -f "$BFS_PYFORK"
	if [ -s "$BFS_TMPDIR/pyfork.log" ]; then
		sed 's/^/# pyfork: /' "$BFS_TMPDIR/pyfork.log"
	fi
	return 0
}

# awscli 2.9 cannot show radosgw's error replies (their <Message> is empty):
# it prints "argument of type 'NoneType' is not iterable" instead.  To check
# an error code use aws_error_code, or boto3_py.
aws_s3() {
	/usr/bin/aws --endpoint-url "$RGW_ENDPOINT" s3 "$@"
}

aws_s3api() {
	/usr/bin/aws --endpoint-url "$RGW_ENDPOINT" s3api "$@"
}

# aws_error_code s3|s3api ARG...: run the awscli command, which should fail,
# and print the S3 error code of the server's last reply (from --debug), or
# "HTTP <status>" if that reply had no body (HEAD); if the command succeeds,
# print "succeeded" and return 1.
aws_error_code() {
	local out code
	if out=$(/usr/bin/aws --debug --endpoint-url "$RGW_ENDPOINT" "$@" 2>&1); then
		echo succeeded
		return 1
	fi
	code=$(grep -o '<Code>[^<]*</Code>' <<<"$out" | tail -n 1 | sed 's/<[^>]*>//g') || true
	[ -n "$code" ] || code=$(grep -oE '" (2|3|4|5)[0-9][0-9] ' <<<"$out" | tail -n 1 |
		sed -E 's/" ([0-9]+) /HTTP \1/') || true
	echo "${code:-none}"
}

# boto3_py ARG... <<'PY': run the python script on stdin with /usr/bin/python3
# (ARGs in sys.argv[1:]); it starts with ENDPOINT and `s3`, a boto3 client for
# the radosgw, already defined (credentials come from the environment).
boto3_py() {
	{
		cat <<'PY'
import os, sys, boto3, botocore
ENDPOINT = os.environ["RGW_ENDPOINT"]
s3 = boto3.client("s3", endpoint_url=ENDPOINT)
PY
		cat
	} | "${BFS_PY[@]}" - "$@"
}

# nginx_start PUBLIC_DIR [WORKER_CONNECTIONS]: nginx on 127.0.0.1 (workers
# as nobody, so the mount needs allow_other) serving /generated/ from
# PUBLIC_DIR/generated with contrib/nginx/generated.conf; stopped at exit.
# Sets NGINX_PORT and NGINX_DIR (its config, logs and pid).
nginx_start() {
	local pub=$1 conns=${2:-64} nginx i
	nginx=$(command -v nginx || echo /usr/sbin/nginx)
	[ -x "$nginx" ] || fail "nginx is not installed (tests/setup-deps.sh installs nginx-light)"
	NGINX_DIR=$(mktemp -d "$BFS_TMPDIR/nginx.XXXXXX")
	NGINX_PORT=$(free_port)
	sed "s|/srv/app/public/generated/|$pub/generated/|" \
		"$BFS_SOURCE_DIR/contrib/nginx/generated.conf" >"$NGINX_DIR/generated.conf"
	cat >"$NGINX_DIR/nginx.conf" <<EOF
user nobody nogroup;
worker_processes 1;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log;
events { worker_connections $conns; }
http {
	include /etc/nginx/mime.types;
	access_log $NGINX_DIR/access.log;
	client_body_temp_path $NGINX_DIR/body;
	proxy_temp_path $NGINX_DIR/proxy;
	fastcgi_temp_path $NGINX_DIR/fastcgi;
	uwsgi_temp_path $NGINX_DIR/uwsgi;
	scgi_temp_path $NGINX_DIR/scgi;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		include $NGINX_DIR/generated.conf;
	}
}
EOF
	"$nginx" -t -c "$NGINX_DIR/nginx.conf" -p "$NGINX_DIR" >"$NGINX_DIR/t.out" 2>&1 ||
		fail "nginx -t: $(cat "$NGINX_DIR/t.out")"
	"$nginx" -c "$NGINX_DIR/nginx.conf" -p "$NGINX_DIR" || fail "nginx did not start"
	on_exit nginx_stop
	for ((i = 0; i < 50; i++)); do
		[ -s "$NGINX_DIR/nginx.pid" ] && return 0
		sleep 0.1
	done
	fail "nginx wrote no pid file"
}

# nginx_stop: stop the nginx of nginx_start (if it still runs) and wait for it.
nginx_stop() {
	local pid i
	pid=$(cat "$NGINX_DIR/nginx.pid" 2>/dev/null) || return 0
	kill -QUIT "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on (now).
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# proxy_start [PLAN] [ARG...]: start tests/faultproxy.py between the client
# and radosgw, with a fault PLAN ("" for none) and extra ARGs (--tls-cert
# ...); it is stopped at exit.  Sets PROXY_EP (its URL), PROXY_LOG (one
# line per request: "METHOD PATH -> STATUS") and PROXY_PID.
proxy_start() {
	_bfs_proxy_run "$(free_port)" "$@"
}

# proxy_restart [PLAN] [ARG...]: stop the proxy of the last proxy_start and
# start another on the same port (same PROXY_EP) with this PLAN and ARGs: a
# mount through it sees the server change its behaviour (recover, say).
# PROXY_LOG is a new file.
proxy_restart() {
	local port=${PROXY_EP##*:} i
	[ -n "${PROXY_PID:-}" ] || fail "proxy_restart: no proxy_start before"
	_bfs_kill_quietly "$PROXY_PID"
	for ((i = 0; i < 100; i++)); do
		_bfs_pid_alive "$PROXY_PID" || break
		sleep 0.05
	done
	wait "$PROXY_PID" 2>/dev/null || true
	_bfs_proxy_run "$port" "$@"
}

_bfs_proxy_run() {
	local port=$1 plan=${2:-} out i scheme=http
	shift 2 || shift $#
	PROXY_LOG=$BFS_TMPDIR/proxy.$port.$RANDOM.log
	out=$BFS_TMPDIR/proxy.$port.$RANDOM.out
	: >"$PROXY_LOG"
	/usr/bin/python3 "$BFS_SOURCE_DIR/tests/faultproxy.py" --listen-port "$port" \
		--upstream "$RGW_ENDPOINT" --plan "$plan" --log "$PROXY_LOG" "$@" >"$out" 2>&1 &
	PROXY_PID=$!
	on_exit _bfs_kill_quietly "$PROXY_PID"
	for ((i = 0; i < 100; i++)); do
		grep -q listening "$out" 2>/dev/null && break
		kill -0 "$PROXY_PID" 2>/dev/null || fail "faultproxy exited: $(cat "$out")"
		sleep 0.05
	done
	[[ " $* " == *" --tls-cert "* ]] && scheme=https
	PROXY_EP=$scheme://127.0.0.1:$port
}

_bfs_kill_quietly() {
	kill "$@" 2>/dev/null || true
}

# oss_gateway_start: once per test, start tests/oss/gateway.js in front of
# radosgw, verifying Aliyun OSS V1/V4 signatures with ali-oss's own code
# (same keys as radosgw's); sets OSS_GATEWAY_EP and OSS_GATEWAY_LOG.  With
# BFS_SIGNATURE=oss-v1 or oss-v4 in the environment, bfs_mount mounts
# through it, so a filesystem test runs in that dialect unchanged.
oss_gateway_start() {
	local port_file i node
	[ -z "${OSS_GATEWAY_EP:-}" ] || return 0
	node=$(command -v node) || fail "oss_gateway_start: node not found"
	[ -d "$BFS_SOURCE_DIR/tests/oss/node_modules/ali-oss" ] ||
		fail "oss_gateway_start: run (cd tests/oss && npm ci) first"
	port_file=$BFS_TMPDIR/oss-gateway.port
	OSS_GATEWAY_LOG=$BFS_TMPDIR/oss-gateway.log
	"$node" "$BFS_SOURCE_DIR/tests/oss/gateway.js" --listen-port 0 --port-file "$port_file" \
		--upstream "$RGW_ENDPOINT" --access-key "$RGW_ACCESS_KEY" --secret-key "$RGW_SECRET_KEY" \
		--region cn-test --upstream-access-key "$RGW_ACCESS_KEY" \
		--upstream-secret-key "$RGW_SECRET_KEY" --log "$OSS_GATEWAY_LOG" \
		>"$BFS_TMPDIR/oss-gateway.out" 2>&1 &
	on_exit _bfs_kill_quietly $!
	for ((i = 0; i < 100; i++)); do
		[ -s "$port_file" ] && break
		sleep 0.1
	done
	[ -s "$port_file" ] || fail "the OSS gateway did not start: $(cat "$BFS_TMPDIR/oss-gateway.out")"
	OSS_GATEWAY_EP=http://127.0.0.1:$(cat "$port_file")
	echo "# OSS gateway ($BFS_SIGNATURE) at $OSS_GATEWAY_EP"
}

# s3_cp SRC DST: copy one file to or from the radosgw (boto3, through the
# fork server: 0.05 s where awscli takes 1 s), as `aws s3 cp` does; one of
# SRC and DST is s3://BUCKET/KEY.  A directory SRC is copied file by file
# under DST's key (as --recursive).
s3_cp() {
	boto3_py "$1" "$2" <<'PY' || fail "s3_cp $1 $2"
src, dst = sys.argv[1], sys.argv[2]
def split(u):
    b, _, k = u[len("s3://"):].partition("/")
    return b, k
if src.startswith("s3://"):
    b, k = split(src)
    s3.download_file(b, k, dst)
elif os.path.isdir(src):
    b, k = split(dst)
    for root, _, files in os.walk(src):
        for f in files:
            p = os.path.join(root, f)
            s3.upload_file(p, b, k.rstrip("/") + "/" + os.path.relpath(p, src))
else:
    b, k = split(dst)
    s3.upload_file(src, b, k)
PY
}

# make_bucket NAME: create bucket NAME (boto3).  Checks the name first, to
# say what is wrong with a bad one.
# test_setup NAME: the usual start of a test: radosgw up (rgw_start), the
# test's temporary directory in $tmp, and a new bucket NAME-<random> in
# $bucket.
test_setup() {
	rgw_start
	# shellcheck disable=SC2034  # (the test's)
	tmp=$(bfs_tmpdir)
	bucket=$1-$RANDOM
	make_bucket "$bucket"
}

make_bucket() {
	[[ $1 =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] ||
		fail "make_bucket: '$1' is not a valid bucket name (3-63 of a-z 0-9 . -)"
	boto3_py "$1" <<'PY' || fail "make_bucket $1"
s3.create_bucket(Bucket=sys.argv[1])
PY
}

# --- assertions ---------------------------------------------------------------
# assert_eq ACTUAL EXPECTED MSG
assert_eq() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		fail "$3: got '${1:0:300}', expected '${2:0:300}'"
	fi
}

# assert_file_eq F1 F2 [MSG]: the two files hold the same bytes.
assert_file_eq() {
	local msg=${3:-"$2 has the same bytes as $1"} how
	[ -f "$1" ] || fail "$msg: $1 is missing"
	[ -f "$2" ] || fail "$msg: $2 is missing"
	if cmp -s -- "$1" "$2"; then
		ok "$msg"
	else
		how=$(cmp -- "$1" "$2" 2>&1 | head -n 1) || true
		fail "$msg: $how (sizes $(stat -c %s -- "$1") and $(stat -c %s -- "$2"))"
	fi
}

# wait_until SECONDS COMMAND [ARGS...]: run COMMAND every 0.1 s until it
# succeeds (0) or SECONDS have passed (1).  For what the design guarantees
# eventually (an upload after its delay, a change seen after a window):
# assert the final state within a deadline, never how fast it came.
#     wait_until 15 in_bucket a.png "$tmp/a" || fail "a.png never reached the bucket"
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# --- bucketfs mounts ------------------------------------------------------------
# bfs_mount TARGET MOUNTPOINT [EXTRA_OPTS]: mount with the daemon of this build
# ($BFS_BUILD_DIR/bucketfs) in the foreground (-f), in the background of the
# test, and wait (at most 20 s) until MOUNTPOINT is a mount point.
#     bfs_mount "$bucket:/site1" "$tmp/public/generated"
#     bfs_mount "file:$tmp/bucket" "$tmp/mnt" cache_dir="$tmp/cache",foo=bar
# TARGET is BUCKET[:/PREFIX] (it gets -o endpoint=$RGW_ENDPOINT,path_style,
# unless EXTRA_OPTS names endpoint= or url= itself: call rgw_start first) or
# file:DIR (no endpoint).  cache_dir= is a fresh directory under the test's
# temp dir unless EXTRA_OPTS names one (or use_cache=).  The daemon's stdout and stderr go to
# a log under the temp dir; if it dies or the mount does not appear, bfs_mount
# prints the log's tail and fails.  A mount whose daemon died (kill -9) may
# be mounted again: bfs_mount clears the dead mount first.  Sets, keyed by
# MOUNTPOINT as given:
#     BFS_MOUNT_PID[MOUNTPOINT]    the daemon's pid (to kill -9 it, say)
#     BFS_MOUNT_LOG[MOUNTPOINT]    its log file
#     BFS_MOUNT_CACHE[MOUNTPOINT]  its cache_dir
# At exit the mount is unmounted (fusermount3 -u, else umount -l) and the
# daemon waited for (TERM, then KILL, if it does not exit within 10 s of the
# unmount): mounts made after rgw_start are so unmounted before the radosgw
# stops, and all of them before the temp dir goes.
declare -gA BFS_MOUNT_PID=() BFS_MOUNT_LOG=() BFS_MOUNT_CACHE=()
_bfs_mount_seq=0

# _bfs_pid_alive PID: PID is running (not gone, not a zombie).
_bfs_pid_alive() {
	local stat
	stat=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$stat" ] && [[ $stat != [ZX]* ]]
}

# _bfs_mounted PATH: PATH is in this mount namespace's mount table, answering
# or not (a mount whose daemon died fails mountpoint(1), which stats it).
_bfs_mounted() {
	local dir base p
	dir=$(cd "$(dirname -- "$1")" 2>/dev/null && pwd -P) || return 1
	base=$(basename -- "$1")
	p=${dir%/}/$base
	p=${p//\\/\\134} p=${p// /\\040} p=${p//$'\t'/\\011} p=${p//$'\n'/\\012}
	# (Through ENVIRON: awk -v would turn the \040 escapes back into spaces.)
	BFS_P=$p awk '$5 == ENVIRON["BFS_P"] { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# _bfs_mount_answers PATH: PATH is a mount point and its daemon answers stat
# (bounded: a hung daemon would block mountpoint(1) forever).
_bfs_mount_answers() {
	timeout -k 1 5 mountpoint -q -- "$1" 2>/dev/null
}

# bfs_log_tail LOG [LINES]: the last LINES (40) of a log, as TAP comments;
# for a mount's daemon: bfs_log_tail "${BFS_MOUNT_LOG[$mnt]}".
bfs_log_tail() {
	local lines=${2:-40}
	if [ -s "$1" ]; then
		echo "# last $lines lines of $1:"
		tail -n "$lines" -- "$1" | sed 's/^/#   /'
	else
		echo "# $1 is empty"
	fi
}

bfs_mount() {
	local target=$1 mnt=$2 extra=${3:-} bin=$BFS_BUILD_DIR/bucketfs opts cache log pid i
	if [ $# -lt 2 ] || [ $# -gt 3 ]; then
		fail "usage: bfs_mount TARGET MOUNTPOINT [EXTRA_OPTS]"
	fi
	[ -x "$bin" ] || fail "bfs_mount: $bin is not built"
	pid=${BFS_MOUNT_PID[$mnt]:-}
	if [ -n "$pid" ]; then
		if _bfs_pid_alive "$pid"; then
			fail "bfs_mount: $mnt is already mounted by pid $pid"
		fi
		# Its daemon died (the test killed it, say): clear the dead mount.
		wait "$pid" 2>/dev/null || true
		unset 'BFS_MOUNT_PID[$mnt]'
		if _bfs_mounted "$mnt"; then
			fusermount3 -u -- "$mnt" 2>/dev/null || umount -l -- "$mnt" ||
				fail "bfs_mount: cannot remove the dead mount at $mnt"
			echo "# unmounted the dead mount of bucketfs pid $pid at $mnt"
		fi
	fi
	mkdir -p -- "$mnt"
	! _bfs_mounted "$mnt" || fail "bfs_mount: something is mounted at $mnt already"
	_bfs_mount_seq=$((_bfs_mount_seq + 1))
	if [[ ,$extra, =~ ,(cache_dir|use_cache)=([^,]*), ]]; then
		cache=${BASH_REMATCH[2]} # (use_cache: the directory of the mounts' caches)
		opts=
	else
		cache=$(mktemp -d "$BFS_TMPDIR/bfs-cache.$_bfs_mount_seq.XXXXXX")
		opts=cache_dir=$cache
	fi
	if [[ $target != file:* ]] && [[ ! ,$extra, =~ ,(endpoint|url)= ]]; then
		[ -n "${RGW_ENDPOINT:-}" ] || fail "bfs_mount $target: no RGW_ENDPOINT (call rgw_start first)"
		if [ -n "${BFS_SIGNATURE:-}" ]; then
			# Aliyun OSS's own signatures, checked by the OSS gateway
			oss_gateway_start
			opts=endpoint=$OSS_GATEWAY_EP,path_style,signature=$BFS_SIGNATURE,region=oss-cn-test${opts:+,$opts}
		else
			opts=endpoint=$RGW_ENDPOINT,path_style${opts:+,$opts}
		fi
	fi
	opts=$opts${extra:+${opts:+,}$extra}
	log=$BFS_TMPDIR/bfs-mount.$_bfs_mount_seq.log
	echo "# bucketfs $target $mnt ${BFS_MOUNT_FLAG:--f} -o $opts" >"$log"
	# BFS_MOUNT_FLAG: -f, or -d for the debug traces
	"$bin" "$target" "$mnt" "${BFS_MOUNT_FLAG:--f}" -o "$opts" </dev/null >>"$log" 2>&1 &
	pid=$!
	# shellcheck disable=SC2034 # BFS_MOUNT_CACHE is for the tests
	BFS_MOUNT_PID[$mnt]=$pid BFS_MOUNT_LOG[$mnt]=$log BFS_MOUNT_CACHE[$mnt]=$cache
	on_exit _bfs_mount_cleanup "$mnt" "$pid"
	for ((i = 0; ; i++)); do
		if ! _bfs_pid_alive "$pid"; then
			local rc=0
			wait "$pid" || rc=$?
			unset 'BFS_MOUNT_PID[$mnt]'
			bfs_log_tail "$log"
			fail "bfs_mount $target $mnt: bucketfs (pid $pid) exited $rc before mounting"
		fi
		_bfs_mount_answers "$mnt" && break
		if [ "$i" -ge 200 ]; then
			bfs_log_tail "$log"
			fail "bfs_mount $target $mnt: not mounted 20 s after starting bucketfs (pid $pid)"
		fi
		sleep 0.1
	done
	echo "# mounted $target at $mnt (bucketfs pid $pid, log $log)"
}

# bfs_umount MOUNTPOINT: unmount a bfs_mount now (fusermount3 -u) and wait (at
# most 30 s) for its daemon to exit; fails if fusermount3 fails, if the daemon
# does not exit, exits non-zero, or the mount is still there.
bfs_umount() {
	local mnt=$1 pid log err rc=0 i
	pid=${BFS_MOUNT_PID[$mnt]:-}
	log=${BFS_MOUNT_LOG[$mnt]:-}
	[ -n "$pid" ] || fail "bfs_umount: nothing mounted at $mnt by bfs_mount"
	if ! err=$(fusermount3 -u -- "$mnt" 2>&1); then
		bfs_log_tail "$log" 20
		fail "bfs_umount: fusermount3 -u $mnt failed: $err"
	fi
	for ((i = 0; i < 300; i++)); do
		_bfs_pid_alive "$pid" || break
		sleep 0.1
	done
	if _bfs_pid_alive "$pid"; then
		bfs_log_tail "$log"
		fail "bfs_umount: bucketfs (pid $pid) still running 30 s after unmounting $mnt"
	fi
	wait "$pid" || rc=$?
	unset 'BFS_MOUNT_PID[$mnt]'
	if [ "$rc" -ne 0 ]; then
		bfs_log_tail "$log"
		fail "bfs_umount: bucketfs (pid $pid) exited $rc after unmounting $mnt"
	fi
	if _bfs_mounted "$mnt"; then
		fail "bfs_umount: $mnt is still mounted after bucketfs exited"
	fi
}

# bfs_flush MOUNTPOINT: send what the mount has journaled now (bucketfsctl
# flush, at most 60 s); fails if anything is still pending.
bfs_flush() {
	local out
	out=$("$BFS_BUILD_DIR/bucketfsctl" flush "$1" 2>&1) || fail "bfs_flush $1: $out"
}

# The on_exit side of bfs_mount (runs in a subshell, so it cannot wait(1) for
# the daemon: it polls /proc).  Does nothing if bfs_umount got there first.
_bfs_mount_cleanup() {
	local mnt=$1 pid=$2 log=${BFS_MOUNT_LOG[$1]:-} i err bad=
	[ "${BFS_MOUNT_PID[$mnt]:-}" = "$pid" ] || return 0
	if _bfs_mounted "$mnt"; then
		if ! err=$(fusermount3 -u -- "$mnt" 2>&1); then
			echo "# at exit: fusermount3 -u $mnt: $err; trying umount -l"
			umount -l -- "$mnt" || bad="could not unmount $mnt"
		fi
	fi
	for ((i = 0; i < 100; i++)); do
		_bfs_pid_alive "$pid" || break
		sleep 0.1
	done
	if _bfs_pid_alive "$pid"; then
		echo "# at exit: bucketfs (pid $pid) still running 10 s after unmounting $mnt: SIGTERM"
		bad=${bad:-"bucketfs (pid $pid) did not exit after unmounting $mnt"}
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < 50; i++)); do
			_bfs_pid_alive "$pid" || break
			sleep 0.1
		done
		if _bfs_pid_alive "$pid"; then
			echo "# at exit: bucketfs (pid $pid) ignored SIGTERM: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			sleep 0.2
		fi
		! _bfs_mounted "$mnt" || umount -l -- "$mnt" 2>/dev/null
	fi
	if [ -n "$bad" ]; then
		[ -z "$log" ] || bfs_log_tail "$log" 20
		echo "# at exit: $bad"
		return 1
	fi
	return 0
}
