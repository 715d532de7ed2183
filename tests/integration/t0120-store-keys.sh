#!/bin/bash
# SPDX-License-Identifier: MIT
# t0120-store-keys — keys that need encoding survive a round trip: written by
# bucketfsctl and read by boto3, written by boto3 and read by bucketfsctl,
# and listed back exactly (encoding-type=url listings), in path and
# virtual-hosted style; a key over 1024 bytes gets a clear error.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 180
test_setup keys  # (radosgw, $tmp, a new bucket $bucket)
ctl() { "$BFS_BUILD_DIR/bucketfsctl" -o "endpoint=$RGW_ENDPOINT,path_style" "$@"; }

long=$(printf 'k%.0s' $(seq 1 1015))
keys=(
	"plain.png"
	"with space.png"
	"plus+sign"
	"percent%20literal"
	"percent%"
	"tilde~"
	"equals=and&amp"
	"question?mark"
	"hash#frag"
	"semi;colon"
	"at@sign"
	"quote\"s 'and' <xml> &amp; entities"
	"unicode/ሴ/ü/日本語.png"
	"emoji 😀"
	"double//slash"
	"trailing.dot."
	"dir/./dot"
	"dir/../dotdot"
	"/leading-slash"
	"comma,star*paren()"
	"tab	in key"
	"backslash\\key"
	"caret^brace{}[]|"
	"$long.bin"
)
printf '%s\n' "${keys[@]}" >"$tmp/keys.txt"

i=0
for k in "${keys[@]}"; do
	printf 'content of key %d: %s' "$i" "$k" >"$tmp/in.$i"
	ctl put "$tmp/in.$i" "$bucket:/$k" >/dev/null || fail "bucketfsctl put of key '$k'"
	i=$((i + 1))
done
ok "bucketfsctl put ${#keys[@]} odd keys"

# boto3 sees exactly those keys with exactly that content, and writes copies.
boto3_py "$bucket" "$tmp" <<'PY'
bucket, tmp = sys.argv[1:]
keys = open(tmp + "/keys.txt", encoding="utf-8").read().split("\n")[:-1]
listed = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
    listed += [o["Key"] for o in page.get("Contents", [])]
assert sorted(listed) == sorted(keys), (sorted(set(listed) ^ set(keys)))
for i, k in enumerate(keys):
    body = s3.get_object(Bucket=bucket, Key=k)["Body"].read()
    assert body == open("%s/in.%d" % (tmp, i), "rb").read(), k
    s3.put_object(Bucket=bucket, Key="boto/" + k, Body=body)
PY
ok "boto3 lists exactly the keys bucketfsctl wrote, content byte-exact"

# bucketfsctl lists and reads back what boto3 wrote, in both address styles.
ctl ls -r "$bucket:/boto/" | sed -E 's/^.{19} +[0-9]+  //' >"$tmp/listed.txt"
sed 's|^|boto/|' "$tmp/keys.txt" | LC_ALL=C sort >"$tmp/want.txt"
LC_ALL=C sort "$tmp/listed.txt" >"$tmp/listed.sorted"
assert_file_eq "$tmp/want.txt" "$tmp/listed.sorted" "bucketfsctl ls -r lists boto3's keys exactly"
vh="endpoint=http://localhost:$RGW_PORT"
i=0
for k in "${keys[@]}"; do
	ctl get "$bucket:/boto/$k" "$tmp/out.$i" || fail "bucketfsctl get of key 'boto/$k'"
	cmp -s "$tmp/in.$i" "$tmp/out.$i" || fail "key 'boto/$k' differs"
	"$BFS_BUILD_DIR/bucketfsctl" -o "$vh" get "$bucket:/$k" "$tmp/vh.$i" ||
		fail "virtual-hosted get of '$k'"
	cmp -s "$tmp/in.$i" "$tmp/vh.$i" || fail "virtual-hosted key '$k' differs"
	i=$((i + 1))
done
ok "bucketfsctl reads every odd key byte-exact (path style and virtual-hosted)"

# Keys: 1024 bytes is the limit.
k1024=$(printf 'x%.0s' $(seq 1 1024))
echo hi >"$tmp/hi"
ctl put "$tmp/hi" "$bucket:/$k1024" >/dev/null || fail "a 1024-byte key was refused"
out=$(ctl put "$tmp/hi" "$bucket:/${k1024}y" 2>&1) && fail "a 1025-byte key was accepted"
[[ $out == *"1024 bytes"* ]] || fail "1025-byte key: unclear message: $out"
ok "1024-byte key accepted, 1025 refused: ${out:0:60}..."
