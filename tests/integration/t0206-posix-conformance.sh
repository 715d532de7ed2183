#!/bin/bash
# SPDX-License-Identifier: MIT
# t0206-posix-conformance — tests/posix/conformance.py: POSIX cases (open
# and creat flags, truncate, rename over files and directories and with
# files open, unlink of open files, permissions as user nobody, the sticky
# bit, S_ISUID cleared by a write and by chown, times after each call,
# names of 255 bytes, symlinks, FIFOs...) run on a directory of the local
# disk and on a mount side by side; every result must be the same except
# the differences SEMANTICS.md documents, which must be exactly those.
# Runs as root (cases switch to user nobody: the mount has allow_other).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 240

[ "$(id -u)" = 0 ] || fail "t0206 needs root (cases switch to user nobody)"
test_setup posix # (radosgw, $tmp, a new bucket $bucket)
# nobody must be able to walk down to both trees
chmod 0711 "$tmp"
mkdir -m 0755 "$tmp/local"
m=$tmp/mnt
bfs_mount "$bucket" "$m" allow_other,symlinks=on
out=$tmp/conformance.out
rc=0
/usr/bin/python3 "$BFS_SOURCE_DIR/tests/posix/conformance.py" "$tmp/local" "$m" >"$out" 2>&1 || rc=$?
# the documented differences seen, the failures and the summary (the equal
# checks are only counted)
grep -v '^# [a-z_0-9]*: [0-9]* checks$' "$out" || true
[ "$rc" -eq 0 ] || fail "the mount and the local disk differ beyond SEMANTICS.md (above)"
ok "the mount behaves as the local disk in every case but the documented differences"
