#!/bin/bash
# SPDX-License-Identifier: MIT
# t0150-ctl-local — bucketfsctl on the embedded default, a local directory as
# the bucket (file:DIR:/KEY): put, stat, ls, get, cp and rm through the same
# store API as S3, each checked on disk: the object is the file DIR/KEY, its
# metadata is in xattrs, no temporary file is left, emptied directories go.
# Also bad keys, conflicts and missing keys give clear errors, and a file
# edited behind the store's back gets a fresh ETag.  No radosgw needed.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 120
tmp=$(bfs_tmpdir)
dir=$tmp/bucket
ctl() { "$BFS_BUILD_DIR/bucketfsctl" "$@"; }
md5() { md5sum <"$1" | cut -d' ' -f1; }
xattr() { # FILE NAME: the xattr's value
	/usr/bin/python3 -c 'import os, sys
print(os.getxattr(sys.argv[1], sys.argv[2]).decode())' "$@"
}
# ls output without the date and size columns (PRE lines keep "PRE").
names() { sed -E 's/^.{19} +([0-9]+|PRE)  /\1 /; s/^[0-9]+ //'; }

# check: file:DIR is made when missing
out=$(ctl check "file:$dir")
assert_eq "$out" "ok: bucket file at $dir" "check on a new directory"
[ -d "$dir" ] || fail "file:$dir was not created"
ok "file:DIR is created when missing"

# put: the file DIR/KEY, with metadata in xattrs
printf 'hello, local bucket\n' >"$tmp/hello.txt"
out=$(ctl put -t text/plain -c max-age=60 -m Owner=me -m mode=33188 "$tmp/hello.txt" \
	"file:$dir:/docs/a/hello.txt")
assert_eq "$out" "$(md5 "$tmp/hello.txt") docs/a/hello.txt" "put prints the ETag (MD5) and key"
assert_file_eq "$tmp/hello.txt" "$dir/docs/a/hello.txt" "the object is the file DIR/KEY"
assert_eq "$(xattr "$dir/docs/a/hello.txt" user.bucketfs.content-type)" text/plain \
	"Content-Type kept in an xattr"
assert_eq "$(xattr "$dir/docs/a/hello.txt" user.bucketfs.meta.owner)" me \
	"user metadata kept in an xattr, name in lower case"
out=$(ctl stat "file:$dir:/docs/a/hello.txt")
for want in "size: 20" "etag: $(md5 "$tmp/hello.txt")" "content-type: text/plain" \
	"cache-control: max-age=60" "meta owner: me" "meta mode: 33188"; do
	[[ $out == *"$want"* ]] || fail "stat lacks '$want': $out"
done
ok "stat shows size, ETag, Content-Type, Cache-Control and metadata"

# bigger than a copy chunk, and from stdin
head -c 5242887 /dev/urandom >"$tmp/big.bin"
ctl put "$tmp/big.bin" "file:$dir:/bin/big.bin" >/dev/null
assert_file_eq "$tmp/big.bin" "$dir/bin/big.bin" "a 5 MiB put lands byte-exact"
ctl put - "file:$dir:/bin/stdin.bin" <"$tmp/big.bin" >/dev/null
assert_file_eq "$tmp/big.bin" "$dir/bin/stdin.bin" "put from stdin"
ctl put "$tmp/hello.txt" "file:$dir:/top.txt" >/dev/null
[ -z "$(ls -A "$dir/.bucketfs-tmp")" ] || fail "temporary files left: $(ls -A "$dir/.bucketfs-tmp")"
ok "no temporary file left behind"

# get: to a file and to stdout
ctl get "file:$dir:/bin/big.bin" "$tmp/got.bin"
assert_file_eq "$tmp/big.bin" "$tmp/got.bin" "get to a file"
ctl get "file:$dir:/docs/a/hello.txt" - >"$tmp/got.txt"
assert_file_eq "$tmp/hello.txt" "$tmp/got.txt" "get to stdout"

# ls: one level (directories as PRE), and recursive in byte order
mkdir "$dir/emptydir"
out=$(ctl ls "file:$dir" | names | tr '\n' ' ')
assert_eq "$out" "PRE bin/ PRE docs/ PRE emptydir/ top.txt " "ls of the root: prefixes, objects"
out=$(ctl ls -r "file:$dir" | names | tr '\n' ' ')
assert_eq "$out" "bin/big.bin bin/stdin.bin docs/a/hello.txt emptydir/ top.txt " \
	"ls -r: every key in order, an empty directory as its marker, no .bucketfs-tmp"
out=$(ctl ls "file:$dir:/docs" | names | tr '\n' ' ')
assert_eq "$out" "PRE docs/a/ " "ls of a prefix"

# cp: metadata copied, parents made
out=$(ctl cp "file:$dir:/docs/a/hello.txt" "file:$dir:/copies/x/hello.txt")
assert_eq "$out" "$(md5 "$tmp/hello.txt") copies/x/hello.txt" "cp prints the ETag and the new key"
assert_file_eq "$tmp/hello.txt" "$dir/copies/x/hello.txt" "cp makes the file DIR/copies/x/hello.txt"
out=$(ctl stat "file:$dir:/copies/x/hello.txt")
[[ $out == *"content-type: text/plain"* && $out == *"meta owner: me"* ]] ||
	fail "cp did not copy the metadata: $out"
ok "cp copies Content-Type and metadata"

# rm: the file goes, and the directories it leaves empty
ctl rm "file:$dir:/docs/a/hello.txt"
[ ! -e "$dir/docs" ] || fail "rm left $(find "$dir/docs")"
ok "rm removes the file and its emptied parents"
[ -e "$dir/copies/x/hello.txt" ] || fail "rm removed the copy"
ctl rm "file:$dir:/bin/big.bin" "file:$dir:/bin/stdin.bin" "file:$dir:/never/was"
[ ! -e "$dir/bin" ] || fail "batched rm left $(find "$dir/bin")"
ok "batched rm, a missing key included"
ctl rm "file:$dir:/docs/a/hello.txt"
ok "rm of a missing key succeeds (S3 semantics)"
[ -d "$dir" ] || fail "rm removed the bucket directory"

# errors
if ctl get "file:$dir:/no/such/key" "$tmp/none" 2>"$tmp/err"; then fail "get of a missing key"; fi
grep -q "no such object: NoSuchKey" "$tmp/err" || fail "get of a missing key: $(cat "$tmp/err")"
[ ! -e "$tmp/none" ] || fail "a failed get left $tmp/none"
ok "get of a missing key: NoSuchKey, no file written"
if ctl put "$tmp/hello.txt" "file:$dir:/a//b" 2>"$tmp/err"; then fail "put of a//b"; fi
grep -q "InvalidObjectName" "$tmp/err" || fail "put of a//b: $(cat "$tmp/err")"
if ctl put "$tmp/hello.txt" "file:$dir:/x/../../escape" 2>"$tmp/err"; then fail "put of ../"; fi
grep -q "InvalidObjectName" "$tmp/err" || fail "put of x/../../escape: $(cat "$tmp/err")"
[ ! -e "$tmp/escape" ] || fail "a key escaped the bucket directory"
ok "keys that are no path (a//b, ..) are refused with InvalidObjectName"
if ctl put "$tmp/hello.txt" "file:$dir:/top.txt/child" 2>"$tmp/err"; then fail "conflict"; fi
grep -q "KeyConflict" "$tmp/err" || fail "put under an object: $(cat "$tmp/err")"
if ctl put "$tmp/hello.txt" "file:$dir:/copies" 2>"$tmp/err"; then fail "conflict"; fi
grep -q "is a directory" "$tmp/err" || fail "put over a directory: $(cat "$tmp/err")"
ok "an object and a directory of one name: KeyConflict"
if ctl check "file:$tmp/hello.txt" 2>"$tmp/err"; then fail "check of a file"; fi
grep -q "Not a directory" "$tmp/err" || fail "check of a file: $(cat "$tmp/err")"
ok "file:FILE is refused"

# an edit behind the store's back gets a new ETag
printf 'edited behind its back\n' >"$dir/top.txt"
touch -d '2001-01-01 00:00:00' "$dir/top.txt"
out=$(ctl stat "file:$dir:/top.txt")
[[ $out == *"etag: $(md5 "$dir/top.txt")"* && $out == *"size: 23"* ]] ||
	fail "stat after an edit: $out"
ok "a file edited in place gets its new MD5 as ETag"
