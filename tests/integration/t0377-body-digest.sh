#!/bin/bash
# SPDX-License-Identifier: MIT
# t0377-body-digest — every object bucketfs uploads, single-part or
# multipart, carries the CRC-32C of its bytes (metadata bfs-crc32c =
# "<size>:<crc>", read back with boto3 and checked against a CRC-32C
# computed here in Python), and a GET of the whole object is checked
# against it instead of the ETag's MD5: a body damaged on the way
# (tests/faultproxy.py flips a byte) is fetched again and the right bytes
# are served, also for a multipart object (whose ETag names no digest of
# the body); one that stays damaged is EIO.  An object another tool
# rewrote while keeping the metadata is served, with a warning: its MD5
# ETag vouches for it, or for a multipart one, the same body came twice;
# metadata for another size than the object's is not the object's.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 240
test_setup digest # (radosgw, $tmp, a new bucket $bucket)
head -c 300000 /dev/urandom >"$tmp/f1"
head -c 7000000 /dev/urandom >"$tmp/big"
mlog() { cat "${BFS_MOUNT_LOG[$tmp/m]}"; }
# (multipart above 5 MiB in parts of 5 MiB: the 7 MB file is two parts)
mp=multipart_threshold=5M,part_size=5M

# --- what an upload carries -------------------------------------------------------------------
bfs_mount "$bucket" "$tmp/m" "$mp"
cp "$tmp/f1" "$tmp/m/f1"
cp "$tmp/big" "$tmp/m/big"
bfs_umount "$tmp/m"
boto3_py "$bucket" "$tmp" <<'PY'
b, d = sys.argv[1:3]
T = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    T.append(c)
def crc32c(data):
    c = 0xFFFFFFFF
    for x in data:
        c = T[(c ^ x) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF
assert crc32c(b"123456789") == 0xE3069283
for name, parts in (("f1", False), ("big", True)):
    data = open(os.path.join(d, name), "rb").read()
    h = s3.head_object(Bucket=b, Key=name)
    want = "%d:%08x" % (len(data), crc32c(data))
    assert h["Metadata"].get("bfs-crc32c") == want, (name, h["Metadata"], want)
    assert ("-" in h["ETag"]) == parts, (name, h["ETag"])
PY
ok "single-part and multipart uploads carry bfs-crc32c = size:CRC-32C of their bytes"

# --- a damaged body -----------------------------------------------------------------------
# lookup_get=0: the lookup HEADs, the open GETs the whole object (both
# files are below whole_max), so the check is the open's
proxy_start "GET:flip=1"
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style,stat_ttl=0,lookup_get=0"
assert_file_eq "$tmp/f1" "$tmp/m/f1" "one damaged body: fetched again, the right bytes"
grep -q "GET f1: body does not match the object's CRC-32C; fetching it again" <(mlog) ||
	fail "the damaged body is not logged: $(mlog | tail -n 5)"
bfs_umount "$tmp/m"
proxy_start "GET:flip=1"
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style,stat_ttl=0,lookup_get=0"
assert_file_eq "$tmp/big" "$tmp/m/big" "a multipart object's damaged body: fetched again, the right bytes"
grep -q "GET big: body does not match the object's CRC-32C; fetching it again" <(mlog) ||
	fail "the multipart object's damaged body is not logged: $(mlog | tail -n 5)"
assert_eq "$(grep -c -- '-> 200 flip' "$PROXY_LOG")" 1 "the multipart object: one body damaged"
bfs_umount "$tmp/m"
proxy_start "" --mix "GET:flip=1"
bfs_mount "$bucket" "$tmp/m" "endpoint=$PROXY_EP,path_style,stat_ttl=0"
out=$(cat "$tmp/m/f1" 2>&1 >/dev/null) && fail "a body that is always damaged was served"
[[ $out == *"Input/output error"* ]] || fail "always damaged: cat said $out"
ok "a single-part body that stays damaged: EIO ($out)"
bfs_umount "$tmp/m"

# --- another tool's rewrite that kept the metadata ----------------------------------------
head -c 200000 /dev/urandom >"$tmp/s1"
boto3_py "$bucket" "$tmp" <<'PY'
from boto3.s3.transfer import TransferConfig
b, d = sys.argv[1:3]
s1 = open(os.path.join(d, "s1"), "rb").read()
big = open(os.path.join(d, "big"), "rb").read()
s3.put_object(Bucket=b, Key="stale1", Body=s1, Metadata={"bfs-crc32c": "%d:deadbeef" % len(s1)})
s3.put_object(Bucket=b, Key="stale3", Body=s1, Metadata={"bfs-crc32c": "%d:deadbeef" % (len(s1) + 1)})
s3.upload_file(os.path.join(d, "big"), b, "stale2",
               ExtraArgs={"Metadata": {"bfs-crc32c": "%d:deadbeef" % len(big)}},
               Config=TransferConfig(multipart_threshold=5 << 20, multipart_chunksize=5 << 20))
assert "-" in s3.head_object(Bucket=b, Key="stale2")["ETag"]
PY
bfs_mount "$bucket" "$tmp/m" "lookup_get=0"
assert_file_eq "$tmp/s1" "$tmp/m/stale1" "a stale bfs-crc32c on a single-part object: its MD5 ETag decides"
grep -q "GET stale1: the body does not match its bfs-crc32c metadata, but matches its MD5 ETag" <(mlog) ||
	fail "the stale metadata is not logged: $(mlog | tail -n 5)"
assert_file_eq "$tmp/s1" "$tmp/m/stale3" "a bfs-crc32c for another size: not the object's, its MD5 ETag checks it"
assert_file_eq "$tmp/big" "$tmp/m/stale2" "a stale bfs-crc32c on a multipart object: the same body twice"
grep -q "GET stale2: the body does not match its bfs-crc32c metadata, but came the same twice" <(mlog) ||
	fail "the stale multipart metadata is not logged: $(mlog | tail -n 5)"
bfs_umount "$tmp/m"
