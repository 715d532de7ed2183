#!/bin/bash
# SPDX-License-Identifier: MIT
# t0350-nginx — the app's images served by nginx from the mount with
# contrib/nginx/generated.conf: nginx (workers as nobody, the mount with
# allow_other) on 127.0.0.1 returns an image written through the mount by
# the app's code path (Node mkdir -p + writeFile) byte-exact, as image/png,
# with the long-lived Cache-Control (also on a 206 and a 304 of it); a
# missing image is a 404 that no cache may keep (Cache-Control: no-store,
# never the year-long header), also while the daemon is dead; an image
# written on another server's mount is served at once; and a symlink object
# (s3fs's format: x-amz-meta-mode 0120777, the body its target), as the
# image or as a directory above it, is never followed to the file it names
# (disable_symlinks), while a symlink above the mount (a deploy's
# "current -> release") still works (from=).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 120
test_setup nginx  # (radosgw, $tmp, a new bucket $bucket)
chmod 755 "$tmp"
pub=$tmp/app/public
# (symlinks=on: the symlink objects below are symlinks, as s3fs shows them,
# for nginx's own defence to be tried; bucketfs's default shows them as files)
bfs_mount "$bucket:/generated" "$pub/generated" "allow_other,symlinks=on"
bfs_mount "$bucket:/generated" "$tmp/other/generated" ""
# nginx reaches the mount through a symlink, as through a deploy's
# /srv/app/current -> releases/N: disable_symlinks from= leaves it alone
ln -s app "$tmp/current"
nginx_start "$tmp/current/public"
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
# A 206 and a 304 of the same image carry it too.
curl -sS -D "$tmp/h206" -o /dev/null -r 0-99 "$url" || fail "curl -r 0-99 $url"
head -n 1 "$tmp/h206" | grep -q " 206" || fail "a range: $(head -n 1 "$tmp/h206")"
grep -qi "^Cache-Control: public, max-age=31536000, immutable" "$tmp/h206" ||
	fail "206 without the caching header: $(tr -d '\r' <"$tmp/h206")"
etag=$(grep -i '^ETag:' "$tmp/h" | sed 's/^[^:]*: *//' | tr -d '\r')
[ -n "$etag" ] || fail "no ETag on the 200"
curl -sS -D "$tmp/h304" -o /dev/null -H "If-None-Match: $etag" "$url" || fail "curl If-None-Match"
head -n 1 "$tmp/h304" | grep -q " 304" || fail "If-None-Match $etag: $(head -n 1 "$tmp/h304")"
grep -qi "^Cache-Control: public, max-age=31536000, immutable" "$tmp/h304" ||
	fail "304 without the caching header: $(tr -d '\r' <"$tmp/h304")"
ok "a 206 (Range) and a 304 (If-None-Match) of the image carry the year-long Cache-Control too"

# not_cached_404 URL WHAT: URL is a 404 that says no-store and nothing of a year
not_cached_404() {
	local h=$tmp/h404.$RANDOM
	curl -sS -D "$h" -o /dev/null "$1" || fail "curl $1"
	head -n 1 "$h" | grep -q " 404" || fail "$2: $(head -n 1 "$h")"
	if grep -qi "^Cache-Control:.*\(immutable\|max-age=[1-9]\)" "$h"; then
		fail "$2: a 404 that caches may keep: $(grep -i '^Cache-Control' "$h" | tr -d '\r')"
	fi
	grep -qi "^Cache-Control: no-store" "$h" ||
		fail "$2: no 'Cache-Control: no-store' on the 404: $(tr -d '\r' <"$h")"
}
not_cached_404 "http://127.0.0.1:$port/generated/images/task-42/9.png" "a missing image"
ok "a missing image is a 404 with Cache-Control: no-store (no year-long caching of a name not written yet)"

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

# --- symlink objects: never followed -----------------------------------------------------
# What an s3fs client (or anyone with write access to the bucket) can store:
# a symlink to a file outside the mount as the image itself, and one to a
# directory outside it above an image.  The kernel would follow them (they
# are symlinks in the mount), and so would nginx by default.
boto3_py "$bucket" <<'PY' || fail "cannot put the symlink objects"
b = sys.argv[1]
lnk = dict(mode="41471", uid="0", gid="0", mtime="1600000000")  # 0120777
s3.put_object(Bucket=b, Key="generated/images/evil/0.png", Body=b"/etc/passwd", Metadata=lnk)
s3.put_object(Bucket=b, Key="generated/images/evdir", Body=b"/etc", Metadata=lnk)
s3.put_object(Bucket=b, Key="generated/images/evrel/0.png", Body=b"../../../../../../../../../etc/passwd", Metadata=lnk)
PY
sleep 1.1 # (this mount listed images/ above: see negative_ttl)
[ "$(readlink "$pub/generated/images/evil/0.png")" = /etc/passwd ] ||
	fail "the mount does not show images/evil/0.png as a symlink to /etc/passwd (the test needs it)"
for path in images/evil/0.png images/evdir/passwd images/evrel/0.png; do
	code=$(curl -s -o "$tmp/evil.out" -w '%{http_code}' "http://127.0.0.1:$port/generated/$path")
	if grep -q '^root:' "$tmp/evil.out"; then
		fail "nginx served /etc/passwd for /generated/$path (status $code)"
	fi
	case $code in 403 | 404) ;; *) fail "/generated/$path: status $code" ;; esac
	ok "/generated/$path (a symlink object to /etc/passwd or /etc): $code, not /etc/passwd"
done

# --- the daemon dead: a 404 no cache keeps ------------------------------------------------
# (a name nginx never opened, so no descriptor of its open_file_cache is in play)
cp "$tmp/img2" "$tmp/other/generated/images/task-43/1.png"
kill -9 "${BFS_MOUNT_PID[$pub/generated]}"
for _ in $(seq 50); do _bfs_pid_alive "${BFS_MOUNT_PID[$pub/generated]}" || break; sleep 0.1; done
not_cached_404 "http://127.0.0.1:$port/generated/images/task-43/1.png" "an image asked while the daemon is dead"
ok "an image asked while the daemon is dead: a 404 with Cache-Control: no-store, not cached for a year"
bfs_mount "$bucket:/generated" "$pub/generated" "allow_other"
curl -fsS -o "$tmp/got3" "http://127.0.0.1:$port/generated/images/task-43/1.png" ||
	fail "the image is not served once the mount is back"
cmp -s "$tmp/img2" "$tmp/got3" || fail "the image served after the remount differs"
ok "once bucketfs is mounted again the same URL is served (200), nothing cached the 404"
# (nginx keeps descriptors of the mount open: stop it before the mount goes)
nginx_stop
