#!/bin/bash
# SPDX-License-Identifier: MIT
# t0391-local-symlinks — a file: mount never follows a symlink inside its
# directory out of it.  DIR/evil -> ELSEWHERE (absolute) and DIR/evrel ->
# ../elsewhere (relative), and DIR/swap, a directory the mount has read,
# replaced behind its back by a symlink to ELSEWHERE: through the mount,
# as root, a create, an overwrite, a mkdir, a rename in and out, an unlink,
# a read, a listing and a chmod/utimens below them each fail or find
# nothing, and nothing in ELSEWHERE is read, made, changed or removed
# (checked file by file, xattrs included).  What is below DIR itself still
# works.  The store-level cases, with and without openat2, are in
# tests/unit/test_store_local.c (test_beneath).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 120
tmp=$(bfs_tmpdir)
dir=$tmp/bucket
out=$tmp/elsewhere
mnt=$tmp/mnt
mkdir -p "$dir/swap" "$out/sub"
echo ORIGINAL >"$out/victim.conf"
echo SECRET >"$out/secret.txt"
echo SUBSECRET >"$out/sub/s.txt"
echo OUTSIDE >"$out/f.txt"
echo inside >"$dir/swap/f.txt"
echo inside >"$dir/a.txt"
ln -s "$out" "$dir/evil"
ln -s ../elsewhere "$dir/evrel"

# What ELSEWHERE holds: every name, type, size, mode, mtime, content and xattr.
snapshot() {
	/usr/bin/python3 - "$out" <<'PY'
import hashlib, os, sys
top = sys.argv[1]
for root, dirs, files in os.walk(top):
    dirs.sort()
    for n in sorted(dirs + files):
        p = os.path.join(root, n)
        st = os.lstat(p)
        h = ""
        if os.path.isfile(p) and not os.path.islink(p):
            h = hashlib.md5(open(p, "rb").read()).hexdigest()
        xa = sorted(os.listxattr(p, follow_symlinks=False))
        print(os.path.relpath(p, top), oct(st.st_mode), st.st_size, st.st_mtime_ns, h, xa)
    print(os.path.relpath(root, top), "dir", oct(os.lstat(root).st_mode), os.lstat(root).st_mtime_ns,
          sorted(os.listxattr(root)))
PY
}
before=$(snapshot)

# pyop OP PATH [ARG]: one system call's worth, printing "ok" or the errno's name
pyop() {
	/usr/bin/python3 - "$@" <<'PY'
import errno, os, sys
op, p = sys.argv[1], sys.argv[2]
arg = sys.argv[3] if len(sys.argv) > 3 else None
try:
    if op == "write":  # open(O_CREAT|O_TRUNC), write, close: close uploads
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, arg.encode())
        finally:
            os.close(fd)
    elif op == "read":
        sys.stdout.write(open(p).read().strip())
        sys.exit(0)
    elif op == "mkdir":
        os.mkdir(p)
    elif op == "rename":
        os.rename(p, arg)
    elif op == "unlink":
        os.unlink(p)
    elif op == "chmod":
        os.chmod(p, 0o600)
    elif op == "utime":
        os.utime(p, (1500000000, 1500000000))
    elif op == "list":
        print(" ".join(sorted(os.listdir(p))) or "(empty)")
        sys.exit(0)
    print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
PY
}

# (stat_ttl=60: what the mount has seen of swap/ stays trusted after swap
# becomes a symlink; unmount_wait: the owed markers of the refused mkdirs
# are not waited for long)
bfs_mount "file:$dir" "$mnt" "stat_ttl=60,unmount_wait=3"
assert_eq "$(pyop read "$mnt/swap/f.txt")" inside "swap/f.txt is read while swap is a directory"
assert_eq "$(pyop list "$mnt/swap")" f.txt "swap/ is listed while it is a directory"
# a writer that has swap/f.txt open when swap is replaced: it writes and
# closes after the swap (close uploads)
/usr/bin/python3 - "$mnt/swap/f.txt" "$tmp/go" "$tmp/writer" <<'PY' &
import errno, os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
open(sys.argv[3] + ".open", "w").close()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.02)
os.write(fd, b"OVERWRITTEN\n")
try:
    os.close(fd)
    r = "ok"
except OSError as e:
    r = errno.errorcode.get(e.errno, str(e.errno))
open(sys.argv[3], "w").write(r)
PY
writer=$!
for _ in $(seq 100); do [ -e "$tmp/writer.open" ] && break; sleep 0.05; done
[ -e "$tmp/writer.open" ] || fail "the writer did not open swap/f.txt"
mv "$dir/swap" "$dir/swap.real"
ln -s "$out" "$dir/swap"
touch "$tmp/go"
wait "$writer" || fail "the writer failed"
r=$(cat "$tmp/writer")
[ "$r" != ok ] || fail "swap/f.txt, open before the swap: the overwrite through the symlink succeeded"
ok "swap/f.txt, open for writing when swap became a symlink: its close fails ($r)"
"$BFS_BUILD_DIR/bucketfsctl" invalidate "$mnt" /swap/f.txt >/dev/null ||
	fail "bucketfsctl invalidate /swap/f.txt"

# swap/ is a directory the mount knows, now a symlink to ELSEWHERE: names
# in it are looked up by GET, f.txt is one it had read
for f in secret.txt f.txt; do
	r=$(pyop read "$mnt/swap/$f")
	[[ $r != SECRET && $r != OUTSIDE ]] || fail "swap/$f: read the file outside DIR"
	ok "read swap/$f: $r, not the file outside"
done
r=$(pyop write "$mnt/swap/f.txt" OVERWRITTEN)
[ "$r" != ok ] || fail "swap/f.txt: the overwrite through the symlink succeeded"
ok "overwrite swap/f.txt fails: $r"
for op in chmod utime unlink; do
	r=$(pyop $op "$mnt/swap/secret.txt")
	ok "$op swap/secret.txt: $r"
done

# The report's case: mkdir -p MNT/evil; echo X > MNT/evil/victim.conf.
# The mount does not show the symlinks; mkdir makes them directories it
# owes a marker for.
mkdir -p "$mnt/evil" "$mnt/evrel" || fail "mkdir -p of a name the mount does not show"
for l in evil evrel swap; do
	r=$(pyop write "$mnt/$l/victim.conf" X)
	[ "$r" != ok ] || fail "$l/victim.conf: a create through the symlink succeeded"
	ok "$l/victim.conf: create (open, write, close) fails: $r"
	r=$(pyop write "$mnt/$l/new.txt" X)
	[ "$r" != ok ] || fail "$l/new.txt: a create through the symlink succeeded"
	r=$(pyop read "$mnt/$l/secret.txt")
	[ "$r" != SECRET ] || fail "$l/secret.txt: read the file outside DIR"
	ok "$l/secret.txt: read gives $r, not the file outside"
	r=$(pyop read "$mnt/$l/sub/s.txt")
	[ "$r" != SUBSECRET ] || fail "$l/sub/s.txt: read the file outside DIR"
	r=$(pyop list "$mnt/$l")
	[[ $r != *secret* && $r != *victim* ]] || fail "ls $l shows what is outside: $r"
	ok "ls $l: $r"
	r=$(pyop list "$mnt/$l/sub")
	[[ $r != *s.txt* ]] || fail "ls $l/sub shows what is outside: $r"
	r=$(pyop mkdir "$mnt/$l/newdir")
	ok "mkdir $l/newdir: $r"
	r=$(pyop write "$mnt/$l/newdir/x.png" X)
	[ "$r" != ok ] || fail "$l/newdir/x.png: a create through the symlink succeeded"
	r=$(pyop rename "$mnt/a.txt" "$mnt/$l/a.txt")
	[ "$r" != ok ] || fail "rename a.txt -> $l/a.txt succeeded"
	[ "$(cat "$dir/a.txt")" = inside ] || fail "a.txt lost in a refused rename into $l"
	ok "rename a.txt -> $l/a.txt fails ($r); a.txt stays"
	r=$(pyop rename "$mnt/$l/secret.txt" "$mnt/stolen.txt")
	[ "$r" != ok ] || fail "rename $l/secret.txt -> stolen.txt succeeded"
	[ ! -e "$dir/stolen.txt" ] || fail "rename out of $l made stolen.txt: $(cat "$dir/stolen.txt")"
	ok "rename $l/secret.txt -> stolen.txt fails: $r"
	r=$(pyop unlink "$mnt/$l/secret.txt")
	ok "rm $l/secret.txt: $r"
	for op in chmod utime; do
		r=$(pyop $op "$mnt/$l/secret.txt")
		ok "$op $l/secret.txt: $r"
	done
done
r=$(find "$mnt" 2>&1 | sed "s|^$mnt||" | sort | tr '\n' ' ')
[[ $r != *secret* && $r != *victim* && $r != *s.txt* ]] || fail "find shows what is outside: $r"
ok "find MNT: $r"
sleep 1.5 # past marker_delay: the owed markers of evil, evrel and the newdirs are tried
[ "$(snapshot)" = "$before" ] ||
	fail "ELSEWHERE changed: $(diff <(echo "$before") <(snapshot) | head -20)"
ok "nothing outside DIR was made, changed or removed (names, sizes, modes, times, contents, xattrs)"
[ -L "$dir/evil" ] && [ -L "$dir/evrel" ] && [ -L "$dir/swap" ] || fail "a symlink in DIR was replaced"
[ "$(cat "$dir/swap.real/f.txt")" = inside ] || fail "swap.real/f.txt changed"

# below DIR itself everything still works
mkdir -p "$mnt/ok/dir"
echo hello >"$mnt/ok/dir/hello.txt"
assert_eq "$(cat "$dir/ok/dir/hello.txt")" hello "a file below DIR is written"
mv "$mnt/ok/dir/hello.txt" "$mnt/ok/hello2.txt"
assert_eq "$(cat "$dir/ok/hello2.txt")" hello "a rename below DIR works"
rm "$mnt/ok/hello2.txt"
[ ! -e "$dir/ok/hello2.txt" ] || fail "rm below DIR left the file"
ok "create, rename and unlink below DIR work"
for l in evil evrel; do rmdir "$mnt/$l/newdir" "$mnt/$l" 2>/dev/null || true; done
rmdir "$mnt/swap/newdir" 2>/dev/null || true
bfs_umount "$mnt"
[ "$(snapshot)" = "$before" ] || fail "ELSEWHERE changed by the unmount"
