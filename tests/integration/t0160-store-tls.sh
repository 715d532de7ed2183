#!/bin/bash
# SPDX-License-Identifier: MIT
# t0160-store-tls — https endpoints: TLS certificates are verified by
# default (a self-signed server is refused with a TLS error), ca_bundle=
# trusts a private CA, insecure (s3fs: no_check_certificate) skips the
# check, and the host name must match.  The server is an https proxy in
# front of radosgw, with a CA and certificate made here by openssl.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 120
test_setup tls  # (radosgw, $tmp, a new bucket $bucket)

# A private CA and a server certificate for 127.0.0.1 and localhost.
cd "$tmp" || exit 1
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
	-subj "/CN=bucketfs test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >ext.cnf
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 \
	-extfile ext.cnf 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 \
	-subj "/CN=some other CA" 2>/dev/null
cd - >/dev/null || exit 1
proxy_start "" --tls-cert "$tmp/srv.pem" --tls-key "$tmp/srv.key"
ep=$PROXY_EP
port=${ep##*:}
ctl=$BFS_BUILD_DIR/bucketfsctl
echo "over tls" >"$tmp/f"

out=$("$ctl" -o "endpoint=$ep,path_style,retries=0" check "$bucket" 2>&1) &&
	fail "a certificate from an unknown CA was accepted"
[[ $out == *"TLS error"* ]] || fail "unknown CA: expected a TLS error, got: $out"
ok "verification is on by default: $out"
out=$("$ctl" -o "endpoint=$ep,path_style,retries=0,ca_bundle=$tmp/other.pem" check "$bucket" 2>&1) &&
	fail "a ca_bundle of the wrong CA was accepted"
[[ $out == *"TLS error"* ]] || fail "wrong CA: expected a TLS error, got: $out"
ok "ca_bundle= of a CA that did not sign the server's certificate: refused: ${out:0:140}"
"$ctl" -o "endpoint=$ep,path_style,ca_bundle=$tmp/ca.pem" put "$tmp/f" "$bucket:/tls.txt" >/dev/null ||
	fail "put over https with ca_bundle="
assert_eq "$("$ctl" -o "endpoint=$ep,path_style,ca_bundle=$tmp/ca.pem" get "$bucket:/tls.txt" -)" \
	"over tls" "https with ca_bundle= trusts the private CA (put and get)"
assert_eq "$("$ctl" -o "endpoint=$ep,path_style,no_check_certificate" get "$bucket:/tls.txt" -)" \
	"over tls" "no_check_certificate (s3fs name of insecure) skips verification"
# The certificate names 127.0.0.1 and localhost.  Virtual-hosted style asks
# for BUCKET.localhost, which it does not name: refused.
out=$("$ctl" -o "endpoint=https://localhost:$port,ca_bundle=$tmp/ca.pem,retries=0" \
	check "$bucket" 2>&1) && fail "a certificate for another host name was accepted"
[[ $out == *"TLS error"* ]] || fail "host name mismatch: expected a TLS error, got: $out"
ok "a host name the certificate does not name is refused: ${out:0:140}"
# The mount over https too.
bfs_mount "$bucket" "$tmp/mnt" "endpoint=$ep,path_style,ca_bundle=$tmp/ca.pem"
assert_eq "$(cat "$tmp/mnt/tls.txt")" "over tls" "the mount reads over https"
