#!/bin/bash
# SPDX-License-Identifier: MIT
# t0380-odd-keys — keys another tool put in the bucket that a filesystem
# cannot show as they are, and over-long names from the app (SEMANTICS.md,
# "Keys a filesystem cannot show").  boto3 writes, at the bucket's root and
# again under pfx/: a//b, //lead, x/./y, x/../y, ., .., dir/., markers
# trail/ (with a body) and trailempty/, a 300-byte name, a key whose path
# is too long for the cache index, both + both/child and both.txt +
# both.txt/child, and names with a space, a newline, a tab, a control
# character, a backslash and '%'.  Checked on a whole-bucket mount and on a
# BUCKET:/pfx mount: each listing exactly (no duplicates, the odd keys left
# out, logged once), stat and cat of every name, a file and a directory of
# one name is a file (the keys below it hidden) both by name (on a fresh mount) and in listings,
# rmdir of a directory holding only hidden keys is ENOTEMPTY and rename
# moves them along, nothing outside pfx/ is read or changed by the prefix
# mount.  From the app: a name over 255 bytes, a path too long for the
# cache index or over PATH_MAX, a key over 1024 bytes (long prefix) give
# ENAMETOOLONG with no request sent; a name that is not UTF-8 gives EILSEQ
# on S3 (no request) and works byte for byte on a file: mount.  The daemons
# are alive at the end and unmount cleanly.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 120
# shellcheck source=tests/fs/fslib.sh
. "$BFS_SOURCE_DIR/tests/fs/fslib.sh"
export LC_ALL=C
umask 022

test_setup oddkeys  # (radosgw, $tmp, a new bucket $bucket)
ctl() { "$BFS_BUILD_DIR/bucketfsctl" "$@"; }

L300=$(printf 'L%.0s' {1..300})
C200=$(printf 'C%.0s' {1..200})
N255=$(printf 'N%.0s' {1..255})
N256=${N255}N
BAD=$'bad\xff\xfename'

# The same keys at the root and under pfx/; y and secret.txt only at the root.
boto3_py "$bucket" "$L300" "$C200" <<'PY'
bucket, l300, c200 = sys.argv[1:4]
keys = {
    "a//b": b"a//b\n", "//lead": b"//lead\n", "x/./y": b"x/./y\n", "x/../y": b"x/../y\n",
    ".": b"dot\n", "..": b"dotdot\n", "dir/.": b"dir/.\n",
    "trail/": b"a marker with a body\n", "trailempty/": b"",
    "long/" + l300: b"300\n", "deep/%s/%s/%s/f" % (c200, c200, c200): b"deep\n",
    "both": b"the file both\n", "both/child": b"both/child\n",
    "both.txt": b"the file both.txt\n", "both.txt/child": b"both.txt/child\n",
    "sp ace": b"space\n", "new\nline": b"newline\n", "tab\tname": b"tab\n",
    "ctl\x01char": b"ctl\n", "ctl\x01.txt": b"ctl.txt\n", "ctl\x01dir/x": b"x\n",
    "back\\slash": b"backslash\n", "per%cent": b"percent\n",
    "pct%2Fenc": b"pct2f\n", "ok/file.txt": b"ok\n",
}
for pfx in ("", "pfx/"):
    for k, body in keys.items():
        s3.put_object(Bucket=bucket, Key=pfx + k, Body=body)
s3.put_object(Bucket=bucket, Key="y", Body=b"outside y\n")
s3.put_object(Bucket=bucket, Key="secret.txt", Body=b"outside the prefix\n")
PY
ok "boto3 put the odd keys at the root and under pfx/"

# lsd DIR: the names in DIR, sorted, as Python writes bytes (new\nline),
# directories with a trailing /; "DUPLICATES" if a name comes twice.
lsd() {
	pyrun '
d = os.fsencode(a[0])
names = os.listdir(d)
if len(set(names)) != len(names):
    print("DUPLICATES", end=" ")
print(" ".join(sorted(repr(n)[2:-1] + ("/" if os.path.isdir(os.path.join(d, n)) else "")
                      for n in names)))' "$1" 2>&1 || true
}

# kind PATH: dir, file, or the errno name.
kind() {
	pyrun '
import stat
try:
    print("dir" if stat.S_ISDIR(os.stat(a[0]).st_mode) else "file")
except OSError as e:
    print(errno.errorcode[e.errno])' "$1" 2>&1 || true
}

# body PATH: the file's bytes, or the errno name.
body() {
	pyrun '
try:
    sys.stdout.write(open(a[0], "rb").read().decode("latin-1"))
except OSError as e:
    print(errno.errorcode[e.errno])' "$1" 2>&1 || true
}

# reqs MNT [KIND]: requests the mount sent so far (of KIND: PUT, LIST...).
reqs() {
	ctl stats "$1" | awk -F'[: ]+' -v k="requests_${2:-}" \
		'index($1, k) == 1 { n += $2 } END { print n + 0 }'
}

# logged MNT TEXT: how many lines of the mount's log hold TEXT.
logged() {
	grep -caF -- "$2" "${BFS_MOUNT_LOG[$1]}" || true
}

# odd_checks MNT LABEL KEY_PREFIX ROOT_LISTING: what both mounts show of
# the same keys.
odd_checks() {
	local m=$1 l=$2 kp=$3 root=$4 pass
	FS_MNT=$m
	# by name first, on a fresh mount: the lookups must agree with listings
	check_eq "$(kind "$m/both.txt")" file "$l: both.txt (a file and a directory) is a file by name"
	check_eq "$(kind "$m/both")" file "$l: both (a file and a directory) is a file by name"
	check_eq "$(body "$m/both.txt")" "the file both.txt" "$l: cat both.txt: the object"
	check_eq "$(kind "$m/both.txt/child")" ENOTDIR "$l: both.txt/child: ENOTDIR (the keys below both.txt/ are hidden)"
	check_eq "$(kind "$m/long/$L300")" ENAMETOOLONG "$l: stat of the 300-byte name: ENAMETOOLONG"
	check_eq "$(kind "$m/deep/$C200/$C200/$C200")" ENAMETOOLONG \
		"$l: stat of a path too long for the cache index: ENAMETOOLONG"
	# (radosgw echoes a prefix with a control character in it unencoded)
	check_eq "$(body "$m/ctl"$'\x01'".txt")" ctl.txt "$l: cat 'ctl\x01.txt' by name"
	check_eq "$(lsd "$m/ctl"$'\x01'"dir")" x "$l: ls 'ctl\x01dir' by name"

	for pass in 1 2; do
		check_eq "$(lsd "$m")" "$root" "$l: ls of the root (pass $pass): the odd keys left out, no duplicates"
	done
	check_eq "$(lsd "$m/a")" "" "$l: ls a (only a//b below it): empty"
	check_eq "$(lsd "$m/x")" "" "$l: ls x (only x/./y and x/../y): empty"
	check_eq "$(lsd "$m/dir")" "" "$l: ls dir (only dir/.): empty"
	check_eq "$(lsd "$m/trail")" "" "$l: ls trail (a marker with a body): empty"
	check_eq "$(lsd "$m/trailempty")" "" "$l: ls trailempty: empty"
	check_eq "$(lsd "$m/long")" "" "$l: ls long (a 300-byte name): empty"
	check_eq "$(lsd "$m/deep/$C200")" "$C200/" "$l: ls deep/C200: the directory on the way shows"
	check_eq "$(lsd "$m/deep/$C200/$C200")" "" "$l: ls deep/C200/C200: the child too long for the index is left out"
	check_eq "$(kind "$m/both")" file "$l: both is still a file after the listing"
	check_eq "$(kind "$m/both.txt")" file "$l: both.txt is still a file after the listing"
	check_eq "$(body "$m/both")" "the file both" "$l: cat both: the object"

	check_eq "$(body "$m/sp ace")" space "$l: cat 'sp ace'"
	check_eq "$(body "$m/new"$'\n'"line")" newline "$l: cat 'new\\nline'"
	check_eq "$(body "$m/tab"$'\t'"name")" tab "$l: cat 'tab\\tname'"
	check_eq "$(body "$m/ctl"$'\x01'"char")" ctl "$l: cat 'ctl\\x01char'"
	check_eq "$(body "$m/back\\slash")" backslash "$l: cat 'back\\slash'"
	check_eq "$(body "$m/per%cent")" percent "$l: cat 'per%cent'"
	check_eq "$(body "$m/pct%2Fenc")" pct2f "$l: cat 'pct%2Fenc' (no decoding of the name)"
	check_eq "$(kind "$m/trail")" dir "$l: trail/ with a body is a directory"
	check_eq "$(body "$m/trail")" EISDIR "$l: cat trail: EISDIR"
	check_eq "$(kind "$m/x/y")" ENOENT "$l: x/y: ENOENT (x/./y and x/../y are not x/y)"
	check_eq "$(kind "$m/lead")" ENOENT "$l: lead: ENOENT (//lead is not lead)"
	check_eq "$(kind "$m/a/b")" ENOENT "$l: a/b: ENOENT (a//b is not a/b)"
	check_eq "$(py_errno 'os.rmdir(a[0])' "$m/x")" ENOTEMPTY \
		"$l: rmdir x (holding only hidden keys): ENOTEMPTY"
	check_eq "$(kind "$m/$BAD")" EILSEQ "$l: stat of a name that is not UTF-8: EILSEQ"

	check_eq "$(logged "$m" "the key '$kp..' is not shown in the mount")" 1 \
		"$l: the hidden key $kp.. logged once for two listings"
	check_eq "$(logged "$m" "the keys starting with '${kp}x/./' are not shown")" 1 \
		"$l: ${kp}x/./ logged once"
	check_eq "$(logged "$m" "starting with '${kp}both/' are not shown in the mount: a file of the same name hides them") $(logged "$m" "starting with '${kp}both.txt/' are not shown in the mount: a file of the same name hides them")" "1 1" \
		"$l: both/ and both.txt/ logged (once each) as hidden by their files"
}

# --- a whole-bucket mount -------------------------------------------------------
m=$tmp/whole
bfs_mount "$bucket" "$m"
odd_checks "$m" whole "" 'a/ back\\slash both both.txt ctl\x01.txt ctl\x01char ctl\x01dir/ deep/ dir/ long/ new\nline ok/ pct%2Fenc per%cent pfx/ secret.txt sp ace tab\tname trail/ trailempty/ x/ y'
check_eq "$(body "$m/y")" "outside y" "whole: y is the object y"
# one process walking the whole tree: from the third directory of the root
# on, a tree listing (one LIST of the keys below the root) lists pfx/ and
# those below it; the same rules hold there: pfx/both stays a file, the
# keys below pfx/both/ stay hidden.  On a mount of its own, that knows
# nothing yet: what the walk costs must not depend on which of the names
# the checks above looked up are still within their windows.
bfs_umount "$m"
bfs_mount "$bucket" "$m"
lists=$(reqs "$m" LIST)
find "$m" >"$tmp/whole.find" 2>/dev/null || true
lists=$(($(reqs "$m" LIST) - lists))
dirs=$(find "$m" -type d 2>/dev/null | wc -l)
[ "$lists" -lt $((dirs / 2)) ] || fail "whole: find listed $dirs directories with $lists LISTs: no tree listing"
ok "whole: find listed $dirs directories with $lists LISTs (a tree listing)"
check_eq "$(grep -c "^$m/pfx/both\(/child\)\?\$" "$tmp/whole.find")" 1 \
	"whole: find lists pfx/both, not pfx/both/child (a tree listing hides what a listing hides)"
check_eq "$(kind "$m/pfx/both")" file "whole: pfx/both is still a file after the tree listing"
check_eq "$(sed -n "s|^$m/pfx/||p" "$tmp/whole.find" | sort)" \
	"$(sed -n "s|^$m/||p" "$tmp/whole.find" | grep -v -e '^pfx\(/\|$\)' -e '^y$' -e '^secret.txt$' | sort)" \
	"whole: find shows the same names below pfx/ (a tree listing) as at the root"
# the walk again past the positive window: its directories are revalidated
# by tree sweeps (one LIST of the keys below their parent), which apply the
# keys of each directory found in it; x/./ is not one
sleep 1.2
find "$m" >"$tmp/whole.find2" 2>/dev/null || true
check_eq "$(sort "$tmp/whole.find2")" "$(sort "$tmp/whole.find")" "whole: find again shows the same names"
check_eq "$(logged "$m" "x/./y' is not shown in the mount: its")" 0 \
	"whole: no key below x/./ taken for one of a directory x/. (a tree sweep)"

# --- BUCKET:/pfx: the same, and nothing outside pfx/ ------------------------------
snapshot() {
	boto3_py "$bucket" <<'PY'
for o in s3.list_objects_v2(Bucket=sys.argv[1])["Contents"]:
    if not o["Key"].startswith("pfx/"):
        print(repr(o["Key"]), o["ETag"], o["Size"])
PY
}
before=$(snapshot)
p=$tmp/pfx
bfs_mount "$bucket:/pfx" "$p"
odd_checks "$p" pfx pfx/ 'a/ back\\slash both both.txt ctl\x01.txt ctl\x01char ctl\x01dir/ deep/ dir/ long/ new\nline ok/ pct%2Fenc per%cent sp ace tab\tname trail/ trailempty/ x/'
check_eq "$(kind "$p/y")" ENOENT "pfx: y (only at the bucket's root) is not reachable"
check_eq "$(kind "$p/secret.txt")" ENOENT "pfx: secret.txt (outside the prefix) is not reachable"
check_run "pfx: mv x x2 (a directory holding only hidden keys)" t mv "$p/x" "$p/x2"
check_eq "$(boto3_py "$bucket" <<'PY'
r = s3.list_objects_v2(Bucket=sys.argv[1], Prefix="pfx/x")
print(" ".join(sorted(o["Key"] for o in r.get("Contents", []))))
PY
)" "pfx/x2/../y pfx/x2/./y" \
	"pfx: the rename moved x's hidden keys along, verbatim (they make x2 exist)"
check_run "pfx: write a file" t sh -c "echo hi >'$p/new.txt'"
check_run "pfx: mkdir, write, rm -r" t sh -c "mkdir '$p/d' && echo x >'$p/d/f' && rm -r '$p/d'"
check_run "pfx: rm new.txt" t rm "$p/new.txt"
check_eq "$(snapshot)" "$before" "pfx: no key outside pfx/ was created, changed or removed"

# --- names from the app ------------------------------------------------------------
# A mount whose windows are long enough that nothing is revalidated meanwhile
# and no owed directory marker is paid before the flush below: every request
# counted is one the operation itself sent.
app=$tmp/app
bfs_mount "$bucket:/app" "$app" "stat_ttl=60,negative_ttl=60,marker_delay=3600"
FS_MNT=$app
check_run "app: mkdir images" t mkdir "$app/images"
n0=$(reqs "$app")
check_eq "$(py_errno 'open(a[0], "w").close()' "$app/images/$N256")" ENAMETOOLONG \
	"app: create images/<256-byte name>: ENAMETOOLONG"
check_eq "$(py_errno 'os.mkdir(a[0])' "$app/images/$N256")" ENAMETOOLONG \
	"app: mkdir images/<256-byte name>: ENAMETOOLONG"
check_eq "$(py_errno 'os.symlink("x", a[0])' "$app/images/$N256")" ENAMETOOLONG \
	"app: symlink images/<256-byte name>: ENAMETOOLONG"
long_path=$app/images/$(printf "$C200/%.0s" {1..21})f
check_eq "$(py_errno 'open(a[0], "w").close()' "$long_path")" ENAMETOOLONG \
	"app: create a path of ${#long_path} bytes (over PATH_MAX): ENAMETOOLONG"
# Deeper and deeper with openat(2), so that no single path string is long:
# the first directory whose path is too long for the mount is refused.
out=$(pyrun '
fd = os.open(a[0], os.O_RDONLY)
depth = 0
try:
    while depth < 30:
        os.mkdir("D" * 200, dir_fd=fd)
        nfd = os.open("D" * 200, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
        depth += 1
    print("no error at depth", depth)
except OSError as e:
    print(errno.errorcode[e.errno], depth)
try:
    os.close(os.open("F" * 255, os.O_CREAT | os.O_WRONLY, dir_fd=fd))
    print("created")
except OSError as e:
    print(errno.errorcode[e.errno])' "$app/images" 2>&1) || true
check_eq "$(head -n 1 <<<"$out" | cut -d' ' -f1)" ENAMETOOLONG \
	"app: mkdir ever deeper (openat): ENAMETOOLONG at depth $(head -n 1 <<<"$out" | cut -d' ' -f2)"
check_eq "$(sed -n 2p <<<"$out")" ENAMETOOLONG "app: a 255-byte name in the deepest directory: ENAMETOOLONG"
n1=$(reqs "$app")
deep_dirs=$(head -n 1 <<<"$out" | cut -d' ' -f2)
# a successful mkdir leaves its marker owed (nothing is sent), a refused
# name costs nothing either
check_eq "$((n1 - n0))" 0 "app: no request for any refused name, nor for the $deep_dirs directories made"
bfs_flush "$app"
# the deepest new directory's marker makes all of them exist: one PUT
check_eq "$(reqs "$app" PUT)" 1 "app: after a flush, one PUT (the deepest directory's marker), nothing else"
check_eq "$(reqs "$app")" "$((n1 + 1))" "app: ... and no other request"

n0=$(reqs "$app")
check_eq "$(py_errno 'open(a[0], "w").close()' "$app/$BAD")" EILSEQ "app: create a name that is not UTF-8: EILSEQ"
check_eq "$(py_errno 'os.mkdir(a[0])' "$app/$BAD")" EILSEQ "app: mkdir a name that is not UTF-8: EILSEQ"
check_eq "$(py_errno 'open(a[0], "w").close()' "$app/images/$BAD")" EILSEQ \
	"app: ... also in a directory this mount made (no lookup shortcut)"
check_eq "$(reqs "$app")" "$n0" "app: no request for a name that is not UTF-8"
check_run "app: a new file with a valid name" t sh -c "echo ok >'$app/images/fine.png'"
check_eq "$(py_errno 'os.rename(a[0], a[1])' "$app/images/fine.png" "$app/images/$BAD")" EILSEQ \
	"app: rename to a name that is not UTF-8: EILSEQ"
check_eq "$(body "$app/images/fine.png")" ok "app: the file is still there"

# A prefix of 885 bytes: a name of 150 bytes makes a key over 1024 bytes.
lp=$(printf "p%.0s" {1..220})
lp=$lp/$lp/$lp/$lp
lm=$tmp/longpfx
bfs_mount "$bucket:/$lp" "$lm"
n0=$(reqs "$lm" PUT)
check_eq "$(py_errno 'open(a[0], "w").close()' "$lm/$(printf 'k%.0s' {1..150})")" ENAMETOOLONG \
	"longpfx: a key of $((${#lp} + 1 + 150)) bytes: ENAMETOOLONG at create"
check_eq "$(reqs "$lm" PUT)" "$n0" "longpfx: no PUT for it"
check_run "longpfx: a key of $((${#lp} + 1 + 100)) bytes is fine" t sh -c \
	"echo ok >'$lm/$(printf 'k%.0s' {1..100})'"

# --- file:DIR ----------------------------------------------------------------------
fb=$tmp/filebucket
mkdir -p "$fb/images"
printf 'raw bytes\n' >"$fb/$BAD"
f=$tmp/file
bfs_mount "file:$fb" "$f"
# shellcheck disable=SC2034  # (read by fslib.sh's helpers)
FS_MNT=$f
check_eq "$(lsd "$f")" 'bad\xff\xfename images/' "file: a name that is not UTF-8 is listed byte for byte"
check_eq "$(body "$f/$BAD")" "raw bytes" "file: ... and read"
printf 'new\n' >"$tmp/new"
check_run "file: the app creates one" t cp "$tmp/new" "$f/images/$BAD"
check_eq "$(cat "$fb/images/$BAD" 2>&1)" new "file: ... and it lands byte for byte"
check_eq "$(py_errno 'open(a[0], "w").close()' "$f/images/$N256")" ENAMETOOLONG \
	"file: create images/<256-byte name>: ENAMETOOLONG"
check_eq "$(py_errno 'os.mkdir(a[0])' "$f/images/$N256")" ENAMETOOLONG \
	"file: mkdir images/<256-byte name>: ENAMETOOLONG"
check_eq "$(py_errno 'open(a[0], "w").close()' "$f/images/$(printf "$C200/%.0s" {1..21})f")" \
	ENAMETOOLONG "file: create a path over PATH_MAX: ENAMETOOLONG"
check_eq "$(py_errno 'os.makedirs(a[0])' "$f/images/$C200/$C200/$C200")" ENAMETOOLONG \
	"file: mkdir -p of a path too long for the mount: ENAMETOOLONG"
bfs_flush "$f"
check_eq "$(reqs "$f" PUT)" 2 \
	"file: PUTs: only the file and, after a flush, the deepest directory made on the way"
check_eq "$(find "$fb" -name "$N256" | wc -l)" 0 "file: nothing named <256 bytes> in the bucket directory"

# --- the daemons lived through it all ------------------------------------------------
for mnt in "$m" "$p" "$app" "$lm" "$f"; do
	_bfs_pid_alive "${BFS_MOUNT_PID[$mnt]}" || bad "the daemon of $mnt died"
	bfs_umount "$mnt"
done
ok "every daemon alive at the end, and unmounted cleanly"
mkdir -p "$tmp/nomount"
out=$("$BFS_BUILD_DIR/bucketfs" "$bucket:/pfx/../y" "$tmp/nomount" -f 2>&1) && bad "a prefix with '..' mounted"
check_eq "${out#bucketfs: }" "the prefix 'pfx/../y/' has a '..' component" "a mount prefix with '..' is refused"
fs_finish
