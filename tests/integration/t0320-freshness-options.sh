#!/bin/bash
# SPDX-License-Identifier: MIT
# t0320-freshness-options — trading freshness for requests, and refusing lost
# updates: immutable= trees are never revalidated once cached; bucketfsctl
# invalidate makes a path or a whole tree fresh at once, whatever the
# windows; with conditional_put an upload based on a version another server
# replaced (If-Match), or creating a name another server created meanwhile
# (If-None-Match), fails with ESTALE and the bucket keeps the other writer's
# version — against radosgw and against the local store (file:DIR).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 200
test_setup fresh  # (radosgw, $tmp, a new bucket $bucket)
proxy_start ""
ctl() { "$BFS_BUILD_DIR/bucketfsctl" "$@"; }
reqs_for() { tail -n +$(($1 + 1)) "$PROXY_LOG" | grep -c "/$bucket/$2" || true; }
A=$tmp/a B=$tmp/b
# put FILE TEXT: write with every error reported (a shell ignores close's)
put() {
	python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, sys.argv[2].encode() + b"\n")
os.close(fd)' "$1" "$2" 2>&1 | tail -n 1
	return "${PIPESTATUS[0]}"
}

# --- immutable trees and invalidate ---------------------------------------------------
bfs_mount "$bucket" "$A" ""
bfs_mount "$bucket" "$B" "endpoint=$PROXY_EP,path_style,stat_ttl=0.2,immutable=/img"
mkdir -p "$A/img" "$A/other"
for f in img/a other/b; do head -c 50000 /dev/urandom >"$tmp/${f#*/}1"; cp "$tmp/${f#*/}1" "$A/$f.png"; done
cat "$B/img/a.png" "$B/other/b.png" >/dev/null
m=$(wc -l <"$PROXY_LOG")
for _ in $(seq 20); do cat "$B/img/a.png" "$B/other/b.png" >/dev/null; sleep 0.1; done
assert_eq "$(reqs_for "$m" img/a.png)" 0 "immutable=/img: 20 reads over 2 s, no request for img/a.png"
assert_eq "$(tail -n +$((m + 1)) "$PROXY_LOG" | grep -c "img" || true)" 0 \
	"immutable=/img: ... nor for the directory img/ (its files are never deleted: it stays)"
[ "$(reqs_for "$m" other/b.png)" -ge 3 ] || fail "other/b.png was not revalidated (stat_ttl=0.2)"
ok "... while other/b.png, outside the tree, was revalidated $(reqs_for "$m" other/b.png) times"
head -c 50000 /dev/urandom >"$tmp/a2"
cp "$tmp/a2" "$A/img/a.png"   # a write-once tree rewritten: B does not look
sleep 0.5
assert_file_eq "$tmp/a1" "$B/img/a.png" "a rewritten immutable file: B keeps its cached copy"
mkdir -p "$A/img/t9"
echo new >"$A/img/new.png"
echo nine >"$A/img/t9/x.png"
assert_eq "$(cat "$B/img/new.png") $(cat "$B/img/t9/x.png")" "new nine" \
	"immutable=/img: new files there are found at once, also in a new directory"
assert_eq "$(ctl invalidate "$B" /img)" "invalidated 5 entries at and below /img" "bucketfsctl invalidate /img"
assert_file_eq "$tmp/a2" "$B/img/a.png" "after invalidate, B reads the new version at once"
bfs_umount "$B"

bfs_mount "$bucket" "$B" "endpoint=$PROXY_EP,path_style,stat_ttl=3600"
cat "$B/other/b.png" >/dev/null
head -c 50000 /dev/urandom >"$tmp/b2"
cp "$tmp/b2" "$A/other/b.png"
sleep 0.3
assert_file_eq "$tmp/b1" "$B/other/b.png" "stat_ttl=3600: B trusts its cached copy"
ctl invalidate "$B" / >/dev/null || fail "invalidate / failed"
assert_file_eq "$tmp/b2" "$B/other/b.png" "after invalidate /, B reads the new version at once"
bfs_umount "$B"
bfs_umount "$A"

# --- conditional_put --------------------------------------------------------------------
conflict_test() {  # LABEL OPTS-A OPTS-B
	local label=$1
	bfs_mount "$target" "$A" "$2,conditional_put"
	bfs_mount "$target" "$B" "$3,conditional_put,stat_ttl=30,negative_ttl=30"
	mkdir -p "$A/c"
	echo "A1" >"$A/c/f.txt"
	assert_eq "$(cat "$B/c/f.txt")" "A1" "$label: B read version A1"
	echo "A2" >"$A/c/f.txt"
	if err=$(put "$B/c/f.txt" B2); then
		fail "$label: B overwrote A's newer version"
	fi
	[[ $err == *"Stale file handle"* ]] || fail "$label: B's write: $err"
	ok "$label: B's write based on A1 after A wrote A2: $err"
	grep -q "/c/f.txt: not uploaded: the object in the bucket is not the version this mount read" \
		"${BFS_MOUNT_LOG[$B]}" || fail "$label: no log line for the conflict"
	assert_eq "$(cat "$A/c/f.txt")" "A2" "$label: A's version stays"
	[ ! -e "$B/c/g.txt" ] || fail "g.txt exists"
	echo "A" >"$A/c/g.txt"
	if err=$(put "$B/c/g.txt" B); then
		fail "$label: B created over A's new file"
	fi
	ok "$label: B creating a name A created meanwhile: $err"
	assert_eq "$(cat "$A/c/g.txt")" "A" "$label: A's new file stays"
	echo "A3" >"$A/c/f.txt"
	bfs_umount "$B"
	bfs_mount "$target" "$B" "$3,conditional_put"
	put "$B/c/f.txt" B4 || fail "$label: a write based on the current version failed"
	# (A may still show A3 for up to its stat_ttl, 1 s, counted from when it
	# wrote A3: B's remount and write can take longer than that on a
	# loaded machine, so only what A shows after the window is checked)
	assert_eq "$(sleep 1.1; cat "$A/c/f.txt")" B4 \
		"$label: a write based on the current version goes through (A sees it after its window)"
	bfs_umount "$B"
	bfs_umount "$A"
}
target=$bucket
conflict_test "radosgw" "" ""
target=file:$tmp/localbucket
conflict_test "local store" "" ""
