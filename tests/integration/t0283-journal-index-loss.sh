#!/bin/bash
# SPDX-License-Identifier: MIT
# t0283-journal-index-loss — what close() acknowledged in write-back mode
# survives the loss or damage of the cache index: each journaled upload has
# a record of its own (CACHE/journal/ID.rec).  Write-back with a long delay,
# files closed (one renamed after its close), kill -9, then the index
# removed, or damaged: the next mount recovers the uploads from their
# records and every acknowledged file reaches the bucket byte-exact (boto3),
# under its last name.  A record whose data file is short or missing is
# not uploaded but kept in CACHE/lost+found, logged at error level and
# reported by bucketfsctl fsck; nothing acknowledged is deleted.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 200
test_setup jloss  # (radosgw, $tmp, a new bucket $bucket)
mnt=$tmp/mnt
cache=$tmp/cache
base="cache_dir=$cache"

# in_bucket KEY [REF]: the object exists (and equals file REF)
in_bucket() {
	boto3_py "$bucket" "$1" "${2:-}" <<'PY'
b, k, ref = sys.argv[1:4]
try:
    body = s3.get_object(Bucket=b, Key=k)["Body"].read()
except s3.exceptions.NoSuchKey:
    sys.exit(1)
if ref and body != open(ref, "rb").read():
    sys.exit(2)
PY
}
crash() {
	kill -9 "${BFS_MOUNT_PID[$mnt]}"
	wait "${BFS_MOUNT_PID[$mnt]}" 2>/dev/null || true
	fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt"
	unset 'BFS_MOUNT_PID[$mnt]'
}
# write_three TAG: three acknowledged write-back closes, the third renamed after its close
write_three() {
	local i
	bfs_mount "$bucket" "$mnt" "$base,writeback=300"
	mkdir -p "$mnt/$1"
	for i in 1 2 3; do
		head -c $((100000 * i + 7)) /dev/urandom >"$tmp/$1.$i"
		cp "$tmp/$1.$i" "$mnt/$1/f$i.png"
	done
	mv "$mnt/$1/f3.png" "$mnt/$1/g3.png"
	in_bucket "$1/f1.png" && fail "$1/f1.png was uploaded before the kill (delay 300 s)"
	crash
}
check_three() {
	in_bucket "$1/f1.png" "$tmp/$1.1" || fail "$1/f1.png is not in the bucket, byte-exact"
	in_bucket "$1/f2.png" "$tmp/$1.2" || fail "$1/f2.png is not in the bucket, byte-exact"
	in_bucket "$1/g3.png" "$tmp/$1.3" || fail "$1/g3.png is not in the bucket, byte-exact"
	in_bucket "$1/f3.png" && fail "$1/f3.png (renamed before its upload) is in the bucket"
	return 0
}

# --- the index removed ------------------------------------------------------------
write_three lost
ls "$cache"/journal/*.rec >/dev/null 2>&1 || fail "no journal record in $cache/journal"
rm -f "$cache/index/data.mdb" "$cache/index/lock.mdb"
bfs_mount "$bucket" "$mnt" "$base"
bfs_flush "$mnt"
check_three lost
log=${BFS_MOUNT_LOG[$mnt]}
grep -q "3 journaled uploads recovered from their records" "$log" || { bfs_log_tail "$log"; fail "no recovery line"; }
grep -q "removed [1-9][0-9]* data files" "$log" && fail "data files were removed: $(grep removed "$log")"
assert_file_eq "$tmp/lost.2" "$mnt/lost/f2.png" "lost/f2.png reads back after the recovery"
bfs_umount "$mnt"
assert_eq "$(ls "$cache/journal")" "" "no journal record is left once the uploads are done"
ok "index removed after kill -9: the 3 acknowledged files (one renamed) reached the bucket"

# --- the index damaged --------------------------------------------------------------
write_three dmg
dd if=/dev/urandom of="$cache/index/data.mdb" bs=4096 count=2 conv=notrunc 2>/dev/null
bfs_mount "$bucket" "$mnt" "$base"
bfs_flush "$mnt"
check_three dmg
log=${BFS_MOUNT_LOG[$mnt]}
grep -q "the cache index in $cache is damaged" "$log" || fail "the damage was not reported"
grep -q "3 journaled uploads recovered" "$log" || { bfs_log_tail "$log"; fail "no recovery line"; }
bfs_umount "$mnt"
ok "index damaged after kill -9: moved aside, and the 3 acknowledged files reached the bucket"

# --- data that cannot be recovered: kept in lost+found, reported ------------------------
bfs_mount "$bucket" "$mnt" "$base,writeback=300"
for f in ok short gone; do
	head -c 200000 /dev/urandom >"$tmp/$f"
	cp "$tmp/$f" "$mnt/$f.png"
done
crash
staged() { # the staging file holding the bytes of $tmp/$1
	local r id
	for r in "$cache"/journal/*.rec; do
		id=$(basename "$r" .rec)
		cmp -s "$tmp/$1" "$cache/data/$(printf %02x $((id & 255)))/$id" &&
			{ echo "$cache/data/$(printf %02x $((id & 255)))/$id"; return; }
	done
	fail "no journaled staging file holds $1"
}
sshort=$(staged short) sgone=$(staged gone)
truncate -s 1000 "$sshort"
rm "$sgone"
rm -f "$cache/index/data.mdb" "$cache/index/lock.mdb"
bfs_mount "$bucket" "$mnt" "$base"
bfs_flush "$mnt"
in_bucket ok.png "$tmp/ok" || fail "ok.png is not in the bucket"
in_bucket short.png && fail "short.png (its data short) was uploaded"
in_bucket gone.png && fail "gone.png (its data missing) was uploaded"
log=${BFS_MOUNT_LOG[$mnt]}
grep -q "/short.png: its journaled upload (200000 bytes) cannot be made: its data file is not the size recorded; kept in $cache/lost+found/" "$log" ||
	{ bfs_log_tail "$log"; fail "short.png: no error line"; }
grep -q "/gone.png: its journaled upload (200000 bytes) cannot be made: its data file is missing" "$log" ||
	fail "gone.png: no error line"
assert_eq "$(ls "$cache/lost+found" | grep -c '\.rec$')/$(ls "$cache/lost+found" | grep -c '\.data$')" 2/1 \
	"lost+found keeps both records and the short data file"
"$BFS_BUILD_DIR/bucketfsctl" fsck "$mnt" >"$tmp/fsck.out" 2>&1 && fail "fsck found nothing: $(cat "$tmp/fsck.out")"
grep -q "^lost_found: 2" "$tmp/fsck.out" || fail "fsck does not report lost+found: $(cat "$tmp/fsck.out")"
bfs_umount "$mnt"
ok "unrecoverable journaled uploads are kept in lost+found, logged, and reported by fsck"
