# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# fslib.sh — helpers for the filesystem tests tests/integration/t02NN-fs-*.sh,
# sourced after tests/lib.sh:
#     . "$BFS_SOURCE_DIR/tests/fs/fslib.sh"
#
# Soft checks: a filesystem test checks many independent operations, and one
# broken operation should not hide the state of the others.  check_* and
# bad record a failure ("not ok - ...", with the last lines of the current
# mount's daemon log) and go on; fs_finish, at the end of the test, lists
# the failures and exits 1 if there were any.  ok/fail/assert_* of lib.sh
# still work (fail ends the test at once: for broken test set-ups).
#
#     FS_MNT=MOUNTPOINT       the mount whose log bad() shows (bfs_mount's)
#     t CMD ARG...            CMD with a 30 s timeout (a hung daemon must not
#                             eat the whole test's time)
#     py_errno CODE ARG...    run python CODE (args in a[]); prints OK, or the
#                             errno name of the OSError it raised (ENOTEMPTY...)
#     bq CMD ARG...           tests/fs/bucket.py on $BFS_BUCKET (s3:NAME or
#                             file:DIR): head/get/list/put/putmany
#     bmeta KEY FIELD         one field of `bq head KEY` ("missing" if no key,
#                             "-" if no such field)
#     bexists KEY             prints yes or no

FS_FAILS=()
FS_MNT=${FS_MNT:-}
FS_PY=/usr/bin/python3
# bucket.py through the fork server (boto3 loaded once), see lib.sh
FS_BQ=("${BFS_PY[@]}" "$BFS_SOURCE_DIR/tests/fs/bucket.py")

# bad MSG: one failed check; the test goes on.
bad() {
	local log
	_bfs_checks=$((_bfs_checks + 1))
	echo "not ok - $*"
	FS_FAILS+=("$*")
	if [ -n "$FS_MNT" ]; then
		log=${BFS_MOUNT_LOG[$FS_MNT]:-}
		if [ -n "$log" ] && [ -s "$log" ]; then
			tail -n 4 -- "$log" | sed 's/^/#   log: /'
		fi
	fi
	return 0
}

# check_eq ACTUAL EXPECTED MSG
check_eq() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		bad "$3: got '${1:0:300}', expected '${2:0:300}'"
	fi
}

# check_match ACTUAL ERE MSG
check_match() {
	if [[ $1 =~ $2 ]]; then
		ok "$3"
	else
		bad "$3: got '${1:0:300}', expected to match /$2/"
	fi
}

# check_file_eq EXPECTED_FILE ACTUAL_FILE MSG
check_file_eq() {
	local how
	if [ ! -f "$2" ]; then
		bad "$3: $2 is missing"
	elif cmp -s -- "$1" "$2"; then
		ok "$3"
	else
		how=$(cmp -- "$1" "$2" 2>&1 | head -n 1) || true
		bad "$3: $how (sizes: expected $(stat -c %s -- "$1"), got $(stat -c %s -- "$2"))"
	fi
}

# check_run MSG CMD ARG...: CMD succeeds (its stderr is shown on failure).
check_run() {
	local msg=$1 err rc=0
	shift
	err=$("$@" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "$msg"
	else
		bad "$msg: \`$*\` exited $rc: ${err:0:300}"
	fi
}

t() {
	timeout -k 2 30 "$@"
}

py_errno() {
	local code=$1
	shift
	timeout -k 2 30 "$FS_PY" -c '
import errno, os, sys
a = sys.argv[2:]
try:
    exec(sys.argv[1])
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
' "$code" "$@" 2>&1 || echo "python failed"
}

# pyrun CODE ARG...: run python CODE (args in a[], os and sys imported);
# its stdout is passed on.  Returns python's status.
pyrun() {
	local code=$1
	shift
	timeout -k 2 30 "$FS_PY" -c '
import errno, os, sys
a = sys.argv[2:]
exec(sys.argv[1])
' "$code" "$@"
}

bq() {
	[ -n "${BFS_BUCKET:-}" ] || fail "bq: BFS_BUCKET is not set"
	BFS_BUCKET=$BFS_BUCKET "${FS_BQ[@]}" "$@"
}

bmeta() {
	local out
	out=$(bq head "$1") || {
		echo "bucket.py failed"
		return 0
	}
	if [ "$out" = missing ]; then
		echo missing
		return 0
	fi
	out=$(sed -n "s/^$2=//p" <<<"$out")
	echo "${out:--}"
}

bexists() {
	local out
	out=$(bq head "$1") || {
		echo "bucket.py failed"
		return 0
	}
	if [ "$out" = missing ]; then echo no; else echo yes; fi
}

# fs_finish: the summary of the soft checks; exits 1 if any failed.
fs_finish() {
	local f
	if [ "${#FS_FAILS[@]}" -eq 0 ]; then
		echo "# all $_bfs_checks checks passed"
		return 0
	fi
	echo "# ${#FS_FAILS[@]} of $_bfs_checks checks failed:"
	for f in "${FS_FAILS[@]}"; do
		echo "#   - ${f:0:400}"
	done
	exit 1
}
