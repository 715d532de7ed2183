#!/bin/bash
# SPDX-License-Identifier: MIT
# dev-run.sh — set up, build and run bucketfs on its embedded default.
#
# Today (foundation stage) the filesystem is not written yet, so this runs
# what exists: it starts a private S3 server (radosgw) on 127.0.0.1, creates
# a bucket, and shows bucketfsctl writing, listing and reading an image the
# way the app will store it.  Everything it starts is stopped at exit.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$src"
bash tests/setup-deps.sh
cmake -S . -B build >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
echo "built: build/bucketfsctl"

dir=$(mktemp -d)
cleanup() { bash tests/rgw.sh stop "$dir/rgw" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
bash tests/rgw.sh start "$dir/rgw"
. "$dir/rgw/env"
export AWS_ACCESS_KEY_ID=$RGW_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$RGW_SECRET_KEY AWS_DEFAULT_REGION=us-east-1
/usr/bin/aws --endpoint-url "$RGW_ENDPOINT" s3api create-bucket --bucket generated >/dev/null
ctl() { (set -x; build/bucketfsctl -o "endpoint=$RGW_ENDPOINT,path_style" "$@"); }

task=$(date +%s)
head -c 1048576 /dev/urandom >"$dir/0.png"
ctl check generated
ctl put -t image/png "$dir/0.png" "generated:/images/$task/0.png"
ctl ls -r generated
ctl stat "generated:/images/$task/0.png"
ctl get "generated:/images/$task/0.png" "$dir/back.png"
cmp "$dir/0.png" "$dir/back.png" && echo "read back byte-exact: /generated/images/$task/0.png"
