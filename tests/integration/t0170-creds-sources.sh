#!/bin/bash
# SPDX-License-Identifier: MIT
# t0170-creds-sources — credentials that expire and rotate, from the sources
# a server uses: AWS IMDSv2 (iam_role=), Aliyun's ECS RAM role (ram_role=),
# AWS container credentials (found from the environment), a
# credential_process.  A test metadata service on 127.0.0.1
# (tests/metadata.py) hands out keys that the test creates and deletes in
# radosgw; a proxy logs the session token of every request.  Checked: a
# mount keeps working across a rotation announced by the expiry (renewed
# before it) and across one that is not (the key is revoked: renewed on the
# refusal), every file byte-exact in the bucket; a broken, slow, lying or
# absent metadata service, a failing helper and an expired session token
# each give a clear error quickly.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 240
test_setup creds  # (radosgw, $tmp, a new bucket $bucket)
proxy_start "" --log-header x-amz-security-token
mkdir -p "$tmp/nomount"

# Keys of the radosgw user "test", made and revoked by the test.
rgw_key() {
	local what=$1 ak=$2
	if [ "$what" = add ]; then
		radosgw-admin -c "$RGW_DIR/ceph.conf" key create --uid=test --key-type=s3 \
			--access-key="$ak" --secret-key="secret-$ak" >/dev/null 2>&1 ||
			fail "radosgw-admin key create $ak"
	else
		radosgw-admin -c "$RGW_DIR/ceph.conf" key rm --uid=test --key-type=s3 \
			--access-key="$ak" >/dev/null 2>&1 || fail "radosgw-admin key rm $ak"
	fi
}

# state AK TOKEN EXPIRES_IN [MODE [AUTH]]: what the metadata service answers.
state() {
	printf '{"access_key":"%s","secret_key":"secret-%s","token":"%s","expires_in":%s,"role":"bfs-role","mode":"%s","auth":"%s"}\n' \
		"$1" "$1" "$2" "$3" "${4:-ok}" "${5:-}" >"$tmp/md.state.new"
	mv "$tmp/md.state.new" "$tmp/md.state"
}

mport=$(free_port)
state K1AAAAAAAAAAAAAAAAAA T1 305
/usr/bin/python3 "$BFS_SOURCE_DIR/tests/metadata.py" --port "$mport" --state "$tmp/md.state" \
	--log "$tmp/md.log" >"$tmp/md.out" 2>&1 &
md=$!
on_exit _bfs_kill_quietly "$md"
for _ in $(seq 100); do grep -q listening "$tmp/md.out" 2>/dev/null && break; sleep 0.05; done
grep -q listening "$tmp/md.out" || fail "metadata.py did not start: $(cat "$tmp/md.out")"
mep=http://127.0.0.1:$mport
base="endpoint=$PROXY_EP,path_style"

# the token of the last request of METHOD on PATH (from the proxy log)
token_of() {
	grep -F "$1 /$bucket/$2 " "$PROXY_LOG" | tail -n 1 | sed 's/.* x-amz-security-token=//'
}
cred_gets() {
	grep -c "GET /latest/meta-data/$1/security-credentials/bfs-role -> 200" "$tmp/md.log"
}

# --- AWS IMDSv2, rotation announced by the expiry ------------------------------
for k in K1AAAAAAAAAAAAAAAAAA K2AAAAAAAAAAAAAAAAAA K3AAAAAAAAAAAAAAAAAA; do rgw_key add "$k"; done
mnt=$tmp/iam
bfs_mount "$bucket:/iam" "$mnt" "$base,iam_role=auto,metadata_endpoint=$mep"
grep -q "PUT /latest/api/token -> 200" "$tmp/md.log" || fail "no IMDSv2 token was asked for"
head -c 300000 /dev/urandom >"$tmp/a1"
cp "$tmp/a1" "$mnt/a1"
assert_eq "$(token_of PUT iam/a1)" T1 "IMDSv2: the role's session token is sent"
assert_eq "$(cred_gets iam)" 1 "IMDSv2: one credentials fetch at mount"

# K1 expires in 305 s: within the 300 s margin after 5 s, renewed before use
state K2AAAAAAAAAAAAAAAAAA T2 3600
sleep 6
head -c 300000 /dev/urandom >"$tmp/a2"
cp "$tmp/a2" "$mnt/a2"
assert_eq "$(token_of PUT iam/a2)" T2 "IMDSv2: renewed before expiry, the new token is used"
assert_eq "$(cred_gets iam)" 2 "IMDSv2: one more fetch for the renewal"
rgw_key rm K1AAAAAAAAAAAAAAAAAA
head -c 300000 /dev/urandom >"$tmp/a3"
cp "$tmp/a3" "$mnt/a3"
assert_file_eq "$tmp/a1" "$mnt/a1" "IMDSv2: a1 reads back after K1 was revoked"

# --- rotation that was not announced: K2 revoked, the service has K3 ------------
state K3AAAAAAAAAAAAAAAAAA T3 3600
rgw_key rm K2AAAAAAAAAAAAAAAAAA
head -c 300000 /dev/urandom >"$tmp/a4"
cp "$tmp/a4" "$mnt/a4" || fail "a write after an unannounced rotation failed"
grep -F "a4" "$PROXY_LOG" | grep -q "403 x-amz-security-token=T2" ||
	fail "expected a refused request with the revoked key: $(grep -F a4 "$PROXY_LOG")"
ok "the revoked key was refused: $(grep -F a4 "$PROXY_LOG" | grep -m1 "403 x-amz")"
assert_eq "$(token_of PUT iam/a4)" T3 "refused key: renewed at once, the request retried with T3"
grep -q "renewed (the server answered InvalidAccessKeyId)" "${BFS_MOUNT_LOG[$mnt]}" ||
	fail "the renewal after the refusal is not in the log"
grep -q "renewed (they expire in" "${BFS_MOUNT_LOG[$mnt]}" ||
	fail "the renewal before expiry is not in the log"
ok "both renewals are logged"
bfs_umount "$mnt"
for f in a1 a2 a3 a4; do
	boto3_py "$bucket" "iam/$f" "$tmp/$f" <<'PY' || fail "iam/$f differs in the bucket"
b, k, ref = sys.argv[1:4]
assert s3.get_object(Bucket=b, Key=k)["Body"].read() == open(ref, "rb").read()
PY
done
ok "IMDSv2: a1..a4 byte-exact in the bucket (checked with boto3)"

# --- Aliyun ECS RAM role (named role) -----------------------------------------
mnt=$tmp/ram
bfs_mount "$bucket:/ram" "$mnt" "$base,ram_role=bfs-role,metadata_endpoint=$mep"
cp "$tmp/a1" "$mnt/r1"
assert_eq "$(token_of PUT ram/r1)" T3 "ECS RAM role: its SecurityToken is sent"
assert_eq "$(cred_gets ram)" 1 "ECS RAM role: one credentials fetch"
assert_eq "$(grep -c "GET /latest/meta-data/ram/security-credentials/ ->" "$tmp/md.log")" 0 \
	"ECS RAM role: asked by name, so no role listing"
bfs_umount "$mnt"
out=$(timeout 30 "$BFS_BUILD_DIR/bucketfs" "$bucket" "$tmp/nomount" -f \
	-o "$base,ram_role=other-role,metadata_endpoint=$mep" 2>&1) && fail "unknown role mounted"
[[ $out == *"security-credentials/other-role: HTTP 404"* ]] || fail "unknown role: $out"
ok "unknown RAM role: $out"

# --- AWS container credentials, found from the environment --------------------
state K3AAAAAAAAAAAAAAAAAA T3c 3600 ok "Bearer ctr-secret"
saved_ak=$AWS_ACCESS_KEY_ID saved_sk=$AWS_SECRET_ACCESS_KEY
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_CONTAINER_CREDENTIALS_FULL_URI=$mep/v2/credentials/task-1
printf 'Bearer ctr-secret\n' >"$tmp/ctr-token"
export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$tmp/ctr-token
mnt=$tmp/ecs
bfs_mount "$bucket:/ecs" "$mnt" "$base"
cp "$tmp/a2" "$mnt/e1"
assert_eq "$(token_of PUT ecs/e1)" T3c "container credentials: used without any option"
bfs_umount "$mnt"
printf 'Bearer wrong\n' >"$tmp/ctr-token"
out=$(timeout 30 "$BFS_BUILD_DIR/bucketfs" "$bucket" "$tmp/nomount" -f -o "$base" 2>&1) &&
	fail "a wrong container token mounted"
[[ $out == *"/v2/credentials/task-1: HTTP 401"* ]] || fail "wrong container token: $out"
ok "container credentials with a wrong authorization token: $out"
unset AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
export AWS_ACCESS_KEY_ID=$saved_ak AWS_SECRET_ACCESS_KEY=$saved_sk

# --- credential_process ---------------------------------------------------------
cat >"$tmp/helper.sh" <<EOF
#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "K3AAAAAAAAAAAAAAAAAA", "SecretAccessKey": "secret-K3AAAAAAAAAAAAAAAAAA", "SessionToken": "Tp"}'
EOF
chmod 700 "$tmp/helper.sh"
mnt=$tmp/proc
bfs_mount "$bucket:/proc" "$mnt" "$base,credential_process=$tmp/helper.sh"
cp "$tmp/a3" "$mnt/p1"
assert_eq "$(token_of PUT proc/p1)" Tp "credential_process: its keys and token are used"
bfs_umount "$mnt"
out=$("$BFS_BUILD_DIR/bucketfsctl" -o "$base,credential_process=$tmp/helper.sh" ls "$bucket:/proc/")
[[ $out == *p1* ]] || fail "bucketfsctl with credential_process: $out"
ok "bucketfsctl takes the same credential sources"

# --- bad input: each a clear message, quickly ----------------------------------
bad_mount() {  # MODE EXPECTED [OPTS [LABEL]]
	local t0=$EPOCHREALTIME out
	state K3AAAAAAAAAAAAAAAAAA T3 3600 "$1"
	out=$(timeout 60 "$BFS_BUILD_DIR/bucketfs" "$bucket" "$tmp/nomount" -f \
		-o "${3:-$base,iam_role=auto,metadata_endpoint=$mep}" 2>&1) &&
		fail "${4:-metadata $1}: mounted"
	[[ $out == *"$2"* ]] || fail "${4:-metadata $1}: '$out' lacks '$2'"
	ok "${4:-metadata $1}: refused in $(awk -v a="$t0" -v b="$EPOCHREALTIME" \
		'BEGIN { printf "%.1f s", b - a }'): $(tail -n 1 <<<"$out")"
}
bad_mount garbage "iam_role=auto: EC2 instance role bfs-role at $mep answered not valid JSON (line 1, column 1)"
bad_mount error "HTTP 500"
bad_mount denied "answered Code Failure: no role attached"
bad_mount expired "credentials that expired at"
bad_mount hang "did not answer in time"
bad_mount ok "iam_role=auto: PUT http://127.0.0.1:" \
	"$base,iam_role=auto,metadata_endpoint=http://127.0.0.1:$(free_port)" "no metadata service"
printf '#!/bin/sh\necho "no credentials for you" >&2\nexit 2\n' >"$tmp/fail.sh"
chmod 700 "$tmp/fail.sh"
bad_mount ok "exited with status 2" "$base,credential_process=$tmp/fail.sh" "a failing helper"

# a static session token the server calls expired: said so, not retried forever
proxy_start "expired=100" --log-header x-amz-security-token
out=$(AWS_SESSION_TOKEN=stale-token timeout 60 "$BFS_BUILD_DIR/bucketfs" "$bucket" \
	"$tmp/nomount" -f -o "endpoint=$PROXY_EP,path_style" 2>&1) && fail "expired token: mounted"
[[ $out == *"the session token has expired"*"credentials from environment"* ]] ||
	fail "expired token: $out"
ok "an expired static token: $(tail -n 1 <<<"$out")"
n=$(grep -c . "$PROXY_LOG")
[ "$n" -le 3 ] || fail "an expired static token was sent $n times"
ok "the expired token was sent $n time(s), not retried"
