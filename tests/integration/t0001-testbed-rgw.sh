#!/bin/bash
# SPDX-License-Identifier: MIT
# t0001-testbed-rgw — the test bed itself: tests/rgw.sh starts a real radosgw
# that stores bytes exactly (awscli and boto3 cross-checked, single and
# multipart uploads), checks SigV4 signatures (a wrong secret is refused), is
# our own radosgw process, and is stopped again when the test ends.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
set -euo pipefail
test_timeout 120

tmp=$(bfs_tmpdir)

# Registered before rgw_start, so it runs after rgw_stop at exit.
check_stopped() {
	local pid name stat
	[ -n "${RGW_PID:-}" ] || return 0
	for name in radosgw osd mon; do
		case $name in
		radosgw) pid=$RGW_PID ;;
		osd) pid=$RGW_OSD_PID ;;
		mon) pid=$RGW_MON_PID ;;
		esac
		stat=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || stat=gone
		case $stat in
		gone | Z*) ;;
		*) fail "at exit: $name (pid $pid) is still running" ;;
		esac
	done
	if fuser -s -n tcp "$RGW_PORT" 2>/dev/null; then
		fail "at exit: a process still holds port $RGW_PORT"
	fi
	ok "at exit: radosgw, osd and mon stopped, port $RGW_PORT closed"
}
on_exit check_stopped

rgw_start

# The server is our radosgw: the process we started listens on the port.
assert_eq "$(cat "/proc/$RGW_PID/comm")" radosgw "pid $RGW_PID is a radosgw"
# fuser (psmisc) lists the pids holding sockets on the port: just ours.
assert_eq "$(fuser -n tcp "$RGW_PORT" 2>/dev/null | tr -d ' ')" "$RGW_PID" \
	"radosgw pid $RGW_PID alone holds 127.0.0.1:$RGW_PORT"
grep -q 'starting handler: beast' "$RGW_DIR/log/client.rgw.test.log" ||
	fail "no beast frontend in the radosgw log"
ok "radosgw log shows the beast frontend"

bucket=testbed-$RANDOM
make_bucket "$bucket"
assert_eq "$(aws_s3api list-buckets --query 'Buckets[].Name' --output text)" \
	"$bucket" "list-buckets shows only the new bucket"

# Bytes: a small object, an empty one, and one big enough (9 MiB) that awscli
# sends it as a multipart upload.
head -c 1000 /dev/urandom >"$tmp/small"
: >"$tmp/empty"
head -c $((9 << 20)) /dev/urandom >"$tmp/big"
for f in small empty big; do
	aws_s3 cp --no-progress "$tmp/$f" "s3://$bucket/dir/$f" >/dev/null
	aws_s3 cp --no-progress "s3://$bucket/dir/$f" "$tmp/$f.aws" >/dev/null
	assert_file_eq "$tmp/$f" "$tmp/$f.aws" "awscli put/get of '$f' is byte-exact"
done
etag=$(aws_s3api head-object --bucket "$bucket" --key dir/big --query ETag --output text)
[[ $etag == *-2\" ]] || fail "9 MiB upload: ETag $etag is not a 2-part multipart ETag"
ok "9 MiB awscli upload went multipart (ETag $etag)"

# Cross-check with boto3: read what awscli wrote, write what awscli reads.
boto3_py "$bucket" "$tmp" <<'PY'
bucket, tmp = sys.argv[1:]
for name in ("small", "empty", "big"):
    body = s3.get_object(Bucket=bucket, Key="dir/" + name)["Body"].read()
    with open(tmp + "/" + name, "rb") as f:
        assert body == f.read(), name + ": boto3 read differs"
    with open(tmp + "/" + name, "rb") as f:
        s3.put_object(Bucket=bucket, Key="boto/" + name, Body=f)
keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
assert keys == sorted(keys) and len(keys) == 6, keys
PY
ok "boto3 reads awscli's objects byte-exact, lists 6 keys in order"
for f in small empty big; do
	aws_s3 cp --no-progress "s3://$bucket/boto/$f" "$tmp/$f.boto" >/dev/null
	assert_file_eq "$tmp/$f" "$tmp/$f.boto" "boto3 put, awscli get of '$f' is byte-exact"
done

# Signatures are checked: a wrong secret and an unknown key are refused.
boto3_py <<'PY'
import botocore.exceptions
for key, secret, want in ((os.environ["AWS_ACCESS_KEY_ID"], "wrong" + "x" * 35,
                           "SignatureDoesNotMatch"),
                          ("NOSUCHKEY00000000000", os.environ["AWS_SECRET_ACCESS_KEY"],
                           "InvalidAccessKeyId")):
    bad = boto3.client("s3", endpoint_url=ENDPOINT, aws_access_key_id=key,
                       aws_secret_access_key=secret)
    try:
        bad.list_buckets()
    except botocore.exceptions.ClientError as e:
        got = (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"])
        assert got == (403, want), got
    else:
        raise AssertionError("request with a bad " + want + " succeeded")
PY
ok "boto3: wrong secret -> 403 SignatureDoesNotMatch, unknown key -> 403 InvalidAccessKeyId"
assert_eq "$(AWS_SECRET_ACCESS_KEY=not-the-secret aws_error_code s3api list-objects-v2 \
	--bucket "$bucket")" SignatureDoesNotMatch "awscli: wrong secret -> SignatureDoesNotMatch"
assert_eq "$(AWS_SECRET_ACCESS_KEY=not-the-secret aws_error_code s3api head-bucket \
	--bucket "$bucket")" "HTTP 403" "awscli: wrong secret -> HEAD 403"
