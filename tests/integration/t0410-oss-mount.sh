#!/bin/bash
# SPDX-License-Identifier: MIT
# t0410-oss-mount — bucketfs speaking Aliyun OSS's own signatures
# (signature=oss-v1 and oss-v4) to the verifying gateway (tests/oss/
# gateway.js: every request checked with ali-oss's signing code, then
# forwarded to radosgw): the app's write path, reads, ls, rename, chmod
# (x-oss-meta-*), delete; objects checked in radosgw with boto3; a wrong
# secret is refused before mounting.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 200
node=$(command -v node) || fail "node not found"
[ -d "$BFS_SOURCE_DIR/tests/oss/node_modules/ali-oss" ] ||
	fail "tests/oss/node_modules is missing: run (cd tests/oss && npm ci)"
test_setup ossmount  # (radosgw, $tmp, a new bucket $bucket)
gw_ak=LTAI5t$RANDOM$RANDOM
gw_sk=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')

"$node" "$BFS_SOURCE_DIR/tests/oss/gateway.js" --listen-port 0 --port-file "$tmp/gw.port" \
	--upstream "$RGW_ENDPOINT" --access-key "$gw_ak" --secret-key "$gw_sk" --region cn-test \
	--upstream-access-key "$RGW_ACCESS_KEY" --upstream-secret-key "$RGW_SECRET_KEY" \
	--log "$tmp/gw.log" >"$tmp/gw.out" 2>&1 &
gw=$!
on_exit kill "$gw"
for _ in $(seq 100); do [ -s "$tmp/gw.port" ] && break; sleep 0.1; done
[ -s "$tmp/gw.port" ] || fail "the gateway did not start: $(cat "$tmp/gw.out")"
gep=http://127.0.0.1:$(cat "$tmp/gw.port")
printf '%s:%s\n' "$gw_ak" "$gw_sk" >"$tmp/passwd-oss"
chmod 600 "$tmp/passwd-oss"

mkdir -p "$tmp/nomount"
for sig in oss-v1 oss-v4; do
	opts="endpoint=$gep,path_style,signature=$sig,region=oss-cn-test,passwd_file=$tmp/passwd-oss"
	# wrong secret: refused before mounting, with OSS's code
	printf '%s:%s\n' "$gw_ak" "wrong$gw_sk" >"$tmp/passwd-bad"
	chmod 600 "$tmp/passwd-bad"
	out=$("$BFS_BUILD_DIR/bucketfs" "$bucket" "$tmp/nomount" -f \
		-o "endpoint=$gep,path_style,signature=$sig,region=oss-cn-test,passwd_file=$tmp/passwd-bad" 2>&1) &&
		fail "$sig: a wrong secret mounted"
	[[ $out == *SignatureDoesNotMatch* ]] || fail "$sig: wrong secret: $out"
	ok "$sig: a wrong secret is refused before mounting: ${out:0:110}"

	mnt=$tmp/$sig/public/generated
	bfs_mount "$bucket:/$sig" "$mnt" "$opts"
	for t in 1 2 3; do
		mkdir -p "$mnt/images/t$t"
		for n in 0 1; do head -c 200000 /dev/urandom >"$mnt/images/t$t/$n.png"; done
	done
	cp "$mnt/images/t1/0.png" "$tmp/$sig.ref"
	chmod 0600 "$mnt/images/t1/0.png"
	mv "$mnt/images/t2/1.png" "$mnt/images/t2/moved.png"
	rm "$mnt/images/t3/1.png"
	assert_eq "$(ls "$mnt/images" | tr '\n' ' ')" "t1 t2 t3 " "$sig: ls images"
	assert_eq "$(ls "$mnt/images/t2" | tr '\n' ' ')" "0.png moved.png " "$sig: ls after rename"
	bfs_umount "$mnt"
	bfs_mount "$bucket:/$sig" "$mnt" "$opts,cache_dir=$tmp/$sig.cache2"
	assert_file_eq "$tmp/$sig.ref" "$mnt/images/t1/0.png" "$sig: read back through a fresh cache"
	assert_eq "$(stat -c %a "$mnt/images/t1/0.png")" 600 "$sig: chmod kept as x-oss-meta-mode"
	bfs_umount "$mnt"
	# presign: a V1 query-signed URL (what ali-oss's signatureUrl makes), which
	# the gateway checks with ali-oss's code; another key's path: refused
	url=$("$BFS_BUILD_DIR/bucketfsctl" -o "$opts" presign "$bucket:/$sig/images/t1/0.png" --expires 300) ||
		fail "$sig: presign: $url"
	curl -fsS -o "$tmp/$sig.pre" "$url" || fail "$sig: curl of the presigned URL failed: $url"
	cmp -s "$tmp/$sig.ref" "$tmp/$sig.pre" || fail "$sig: the presigned URL gave other bytes"
	code=$(curl -s -o /dev/null -w '%{http_code}' "${url/images\/t1\/0.png/images\/t2\/0.png}")
	assert_eq "$code" 403 "$sig: presign: the URL's signature covers the key"
	ok "$sig: presign: curl fetched the object byte-exact through ${url:0:90}..."
	boto3_py "$bucket" "$sig" <<'PY'
bucket, sig = sys.argv[1:]
keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=sig + "/")["Contents"])
# (no directory markers: each directory's first file made it exist)
want = sorted([sig + "/images/t1/0.png", sig + "/images/t1/1.png", sig + "/images/t2/0.png",
               sig + "/images/t2/moved.png", sig + "/images/t3/0.png"])
assert keys == want, keys
h = s3.head_object(Bucket=bucket, Key=sig + "/images/t1/0.png")
assert h["ContentType"] == "image/png" and h["Metadata"]["mode"] == str(0o100600), h
PY
	ok "$sig: radosgw holds exactly the expected objects, with Content-Type and mode metadata"
done
n1=$(grep -c '(v1)' "$tmp/gw.log" || true)
n4=$(grep -c '(v4)' "$tmp/gw.log" || true)
[ "$n1" -gt 10 ] && [ "$n4" -gt 10 ] || fail "the gateway saw $n1 V1 and $n4 V4 requests"
ok "the gateway verified $n1 OSS V1 and $n4 OSS V4 requests with ali-oss's signing code"
n1u=$(grep -c '(v1-url)' "$tmp/gw.log" || true)
assert_eq "$n1u" 2 "the gateway verified one presigned URL per signature mode"
bad=$(grep -c 'denied\| -> 403' "$tmp/gw.log" || true)
# each wrong-secret check is a HEAD bucket and a one-key LIST (to learn why),
# and each mode's presigned URL was tried once on another key
assert_eq "$bad" 6 "only the wrong-secret checks and the altered URLs were refused"
