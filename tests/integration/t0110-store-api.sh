#!/bin/bash
# SPDX-License-Identifier: MIT
# t0110-store-api — the object-store client's API against radosgw: ranges,
# conditional GET/PUT, copy COPY/REPLACE, multipart pieces and parallel
# upload, ListObjects V2 and V1 pagination, DeleteObjects, vhost style
# (tests/integration/store_it.c), with what it wrote checked by boto3.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 180
rgw_start
export BFS_IT_BUCKET=api-$RANDOM
make_bucket "$BFS_IT_BUCKET"
"$BFS_BUILD_DIR/tests/store_it" || fail "store_it reported failures"
ok "store API checks passed"

boto3_py "$BFS_IT_BUCKET" <<'PY'
import hashlib
bucket = sys.argv[1]
h = s3.head_object(Bucket=bucket, Key="mpu/big")
assert h["ContentLength"] == (12 << 20) + 12345, h
assert h["ETag"].endswith('-3"'), h["ETag"]
body = s3.get_object(Bucket=bucket, Key="mpu/big")["Body"].read()
n = len(body)
want = bytes(((i * 7 + i // 4096) & 0xff) for i in range(n))
assert body == want, "multipart object differs"
ups = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
assert ups == [], ups
assert s3.get_object(Bucket=bucket, Key="vhost/k")["Body"].read() == b"v"
PY
ok "boto3: multipart object byte-exact, no multipart uploads left behind, vhost object there"
