#!/bin/bash
# SPDX-License-Identifier: MIT
# t0350-nginx — the app's images served by nginx from the mount with
# contrib/nginx/generated.conf: nginx (workers as nobody, the mount with
# allow_other) on 127.0.0.1 returns an image written through the mount by
# the app's code path (Node mkdir -p + writeFile) byte-exact, as image/png,
# with the long-lived Cache-Control; a missing image is a 404; and an image
# written on another server's mount is served at once.
. "$(dirname "$0")/../lib.sh"
test_timeout 120
rgw_start
tmp=$(bfs_tmpdir)
bucket=nginx-$RANDOM
make_bucket "$bucket"
chmod 755 "$tmp"
pub=$tmp/app/public
bfs_mount "$bucket:/generated" "$pub/generated" "allow_other"
bfs_mount "$bucket:/generated" "$tmp/other/generated" ""
nginx_start "$pub"
port=$NGINX_PORT

# the app's write path: mkdir -p + writeFile (Node)
head -c 300000 /dev/urandom >"$tmp/img"
node -e '
const fs = require("fs"), path = require("path");
const [pub, src] = process.argv.slice(1);
const dir = path.join(pub, "generated/images/task-42");
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, "0.png"), fs.readFileSync(src));
' "$pub" "$tmp/img" || fail "the app-style write failed"
url=http://127.0.0.1:$port/generated/images/task-42/0.png
curl -sS -D "$tmp/h" -o "$tmp/got" "$url" || fail "curl $url"
head -n 1 "$tmp/h" | grep -q " 200" || fail "status: $(head -n 1 "$tmp/h")"
cmp -s "$tmp/img" "$tmp/got" || fail "nginx served other bytes"
grep -qi "^Content-Type: image/png" "$tmp/h" || fail "Content-Type: $(grep -i content-type "$tmp/h")"
grep -qi "^Cache-Control: public, max-age=31536000, immutable" "$tmp/h" || fail "Cache-Control: $(grep -i cache-control "$tmp/h")"
ok "nginx serves /generated/images/task-42/0.png from the mount: 200, image/png, immutable caching, byte-exact"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/generated/images/task-42/9.png")
assert_eq "$code" 404 "a missing image is a 404"

# written on another server's mount, served here at once.  (This mount made
# images/ itself just now: for negative_ttl (1 s) after that it takes names it
# has not seen in there as absent, see SEMANTICS.md; so wait that out.)
sleep 1.1
head -c 200000 /dev/urandom >"$tmp/img2"
mkdir -p "$tmp/other/generated/images/task-43"
cp "$tmp/img2" "$tmp/other/generated/images/task-43/0.png"
curl -fsS -o "$tmp/got2" "http://127.0.0.1:$port/generated/images/task-43/0.png" ||
	fail "an image written on the other mount is not served at once"
cmp -s "$tmp/img2" "$tmp/got2" || fail "the other mount's image differs"
ok "an image written through another server's mount is served by this nginx at once"
