# SPDX-License-Identifier: MIT
"""conformance.py - POSIX conformance cases, each run on a directory of the
local disk (the oracle) and on a bucketfs mount, side by side, and compared.

    python3 conformance.py LOCAL_DIR MOUNT_DIR [CASE ...]

Runs as root (some cases switch to user nobody, 65534, in a child process:
both directories and their parents must let nobody in).  Each case runs in
a fresh subdirectory of each side and records what it saw as (label, value)
pairs: a call's result ("OK", a value, or the errno's name), bytes read,
listings, modes, owners, and times as facts that do not depend on the
clock ("changed", "unchanged", "kept").  The two records must be equal,
except for the pairs in DOCUMENTED, each a row of SEMANTICS.md's "What
differs from a local disk" or "What is refused": for those the mount must
give exactly the documented value (a documented difference that is no
longer seen fails too: SEMANTICS.md and this list are kept in step).

Prints TAP-like lines (ok / not ok) and a summary; exits 1 on a failure.
The cases come from POSIX.1-2017's descriptions of open, creat, truncate,
rename, unlink, rmdir, mkdir, chmod, chown, utimensat, link, mknod, and
the permission rules (write and search permission of a directory, the
sticky bit, S_ISUID cleared by a write or a chown).
"""
import ctypes
import errno
import json
import mmap
import os
import stat
import sys
import time

_libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_NOREPLACE = 1
NOBODY = 65534
TICK = 0.03  # longer than the local file system's timestamp granularity

# (case, label) -> (local value, mount value, the SEMANTICS.md row that says why)
DOCUMENTED = {
    ("link", "link"): ("OK", "EPERM", "What is refused: link (hard links)"),
    ("link", "nlink after link"): (2, 1, "What is refused: link (hard links)"),
    ("mknod_device", "open it"):
        ("OK", "EACCES", "What differs: a device node opens nothing (the mount is nodev)"),
    ("deep_path", "create 1100-byte path"):
        ("OK", "ENAMETOOLONG", "What is refused: a path whose key would exceed 1024 bytes"),
    ("dir_nlink", "nlink of a dir with 2 subdirs"):
        (4, 1, "What differs: a directory's st_nlink is always 1"),
    ("dir_nlink", "nlink of an empty dir"):
        (2, 1, "What differs: a directory's st_nlink is always 1"),
    ("rename_exchange", "RENAME_EXCHANGE"):
        ("OK", "EINVAL", "What differs: rename with RENAME_EXCHANGE"),
    ("rename_exchange", "a after"): ("B", "A", "What differs: rename with RENAME_EXCHANGE"),
    ("rename_exchange", "b after"): ("A", "B", "What differs: rename with RENAME_EXCHANGE"),
    ("xattr", "setxattr"): ("OK", "ENOTSUP", "What differs: setxattr"),
    ("xattr", "getxattr"): ("OK", "ENODATA", "What differs: getxattr"),
    ("file_times", "rename changes"):
        ("c", "-", "What differs: st_ctime after a rename (POSIX leaves it open)"),
}


def en(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def call(fn, *a):
    """fn(*a): "OK" (or its value when not None) or the errno's name."""
    try:
        r = fn(*a)
        return "OK" if r is None else r
    except OSError as e:
        return en(e)


def renameat2(src, dst, flags):
    if _libc.renameat2(AT_FDCWD, src.encode(), AT_FDCWD, dst.encode(), flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def put(p, data, mode=None):
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    if mode is not None:
        os.chmod(p, mode)


def get(p):
    try:
        with open(p, "rb") as f:
            return f.read().decode("latin-1")
    except OSError as e:
        return en(e)


def ftype(p):
    try:
        m = os.lstat(p).st_mode
    except OSError as e:
        return en(e)
    for test, name in ((stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"), (stat.S_ISLNK, "symlink"),
                       (stat.S_ISFIFO, "fifo"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISCHR, "chr"), (stat.S_ISBLK, "blk")):
        if test(m):
            return name
    return "?"


def mode(p):
    try:
        return "%o" % stat.S_IMODE(os.lstat(p).st_mode)
    except OSError as e:
        return en(e)


def owner(p):
    try:
        st = os.lstat(p)
        return "%d:%d" % (st.st_uid, st.st_gid)
    except OSError as e:
        return en(e)


def ls(p):
    try:
        return sorted(os.listdir(p))
    except OSError as e:
        return en(e)


def times(p):
    st = os.lstat(p)
    return (st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns)


def changed(before, after):
    """Which of atime, mtime, ctime changed: "m c" and so on ("-" none)."""
    out = [n for n, b, a in zip("amc", before, after) if n != "a" and a != b]
    return " ".join(out) or "-"


def as_nobody(fn):
    """fn() in a child process as uid and gid 65534 without groups; its
    JSON-able result (or the errno name of the OSError it raised)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(NOBODY, NOBODY, NOBODY)
            try:
                res = fn()
            except OSError as e:
                res = en(e)
            out = json.dumps(res)
        except BaseException as e:  # the case itself is broken: say so
            out = json.dumps("exception %r" % (e,))
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return json.loads(data)


class Rec:
    """What one case saw on one side."""

    def __init__(self, d):
        self.d = d
        self.items = []

    def p(self, *names):
        return os.path.join(self.d, *names)

    def __call__(self, label, value):
        if isinstance(value, tuple):
            value = list(value)
        self.items.append((label, value))

    def tick(self):
        time.sleep(TICK)


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


# ---- open and creat ----------------------------------------------------------------------


@case
def open_flags(t):
    f = t.p("f")
    t("creat excl new", call(lambda: os.close(os.open(f, os.O_CREAT | os.O_EXCL | os.O_WRONLY,
                                                       0o640))))
    t("mode of new (0640)", mode(f))
    t("creat excl existing", call(os.open, f, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    t("creat excl on a dir", call(lambda: os.open(t.d, os.O_CREAT | os.O_EXCL | os.O_WRONLY)))
    t("creat existing keeps mode", call(lambda: os.close(os.open(f, os.O_CREAT | os.O_WRONLY,
                                                                  0o600))))
    t("mode after", mode(f))
    t("open missing", call(os.open, t.p("none"), os.O_RDONLY))
    t("creat in missing dir", call(os.open, t.p("none", "x"), os.O_CREAT | os.O_WRONLY, 0o644))
    t("file as a dir", call(os.open, t.p("f", "x"), os.O_RDONLY))
    t("creat below a file", call(os.open, t.p("f", "x"), os.O_CREAT | os.O_WRONLY, 0o644))
    t("trailing slash on a file", call(os.open, f + "/", os.O_RDONLY))
    t("creat with trailing slash", call(os.open, t.p("new") + "/", os.O_CREAT | os.O_WRONLY,
                                        0o644))
    t("dir O_WRONLY", call(os.open, t.d, os.O_WRONLY))
    t("dir O_RDWR", call(os.open, t.d, os.O_RDWR))
    t("dir O_RDONLY", call(lambda: os.close(os.open(t.d, os.O_RDONLY))))
    t("file O_DIRECTORY", call(os.open, f, os.O_RDONLY | os.O_DIRECTORY))
    os.umask(0o027)
    try:
        os.close(os.open(t.p("u"), os.O_CREAT | os.O_WRONLY, 0o777))
        os.mkdir(t.p("ud"), 0o777)
    finally:
        os.umask(0o022)
    t("umask 027 on creat 0777", mode(t.p("u")))
    t("umask 027 on mkdir 0777", mode(t.p("ud")))


@case
def open_rw_modes(t):
    f = t.p("f")
    put(f, b"0123456789")
    fd = os.open(f, os.O_WRONLY)
    t("read on O_WRONLY", call(os.read, fd, 4))
    os.close(fd)
    fd = os.open(f, os.O_RDONLY)
    t("write on O_RDONLY", call(os.write, fd, b"x"))
    t("ftruncate on O_RDONLY", call(os.ftruncate, fd, 0))
    t("read past EOF", call(lambda: os.pread(fd, 10, 50).decode()))
    t("lseek SEEK_END", os.lseek(fd, 0, os.SEEK_END))
    os.close(fd)
    fd = os.open(f, os.O_WRONLY | os.O_TRUNC)
    t("size after O_TRUNC", os.fstat(fd).st_size)
    os.write(fd, b"ab")
    os.close(fd)
    t("after O_TRUNC and a write", get(f))
    fd = os.open(f, os.O_WRONLY | os.O_APPEND)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, b"cd")
    t("pwrite with O_APPEND", call(os.pwrite, fd, b"ef", 0))
    os.close(fd)
    t("after O_APPEND writes", get(f))
    fd = os.open(f, os.O_RDWR)
    os.pwrite(fd, b"Z", 10)
    t("size after a write past EOF", os.fstat(fd).st_size)
    os.close(fd)
    t("hole reads as zeros", get(f))


@case
def open_two_fds(t):
    f = t.p("f")
    put(f, b"hello world")
    a = os.open(f, os.O_RDONLY)
    b = os.open(f, os.O_WRONLY | os.O_TRUNC)
    t("other fd sees O_TRUNC", os.fstat(a).st_size)
    os.write(b, b"new")
    c = os.dup(b)
    os.close(b)
    os.write(c, b"+dup")
    os.close(c)
    t("read through the first fd", os.pread(a, 100, 0).decode())
    os.close(a)
    t("content", get(f))


@case
def big_file(t):
    f = t.p("big")
    blob = bytes((i * 7 + i // 4096) % 251 for i in range(3 * 1024 * 1024 + 17))
    put(f, blob)
    with open(f, "rb") as fh:
        got = fh.read()
    t("3 MiB + 17 read back", got == blob)
    fd = os.open(f, os.O_RDWR)
    os.pwrite(fd, b"MIDDLE", 2 * 1024 * 1024)
    os.ftruncate(fd, 2 * 1024 * 1024 + 3)
    os.close(fd)
    with open(f, "rb") as fh:
        got = fh.read()
    t("patched and truncated", got == blob[:2 * 1024 * 1024] + b"MID")


@case
def mmap_shared(t):
    f = t.p("m")
    put(f, b"x" * 8192)
    fd = os.open(f, os.O_RDWR)
    try:
        mm = mmap.mmap(fd, 8192, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        mm[100:105] = b"MMAPD"
        mm.flush()
        mm.close()
        t("mmap MAP_SHARED write", "OK")
    except OSError as e:
        t("mmap MAP_SHARED write", en(e))
    os.close(fd)
    t("after msync and close", get(f)[95:110])


# ---- truncate ----------------------------------------------------------------------------


@case
def truncate(t):
    f = t.p("f")
    put(f, b"abcdef")
    t("truncate up", call(os.truncate, f, 9))
    t("after up", get(f))
    t("truncate down", call(os.truncate, f, 2))
    t("after down", get(f))
    t("truncate a dir", call(os.truncate, t.d, 0))
    t("truncate missing", call(os.truncate, t.p("none"), 0))
    t("truncate negative", call(os.truncate, f, -1))
    b = times(f)
    t.tick()
    os.truncate(f, 2)
    t("truncate to the same size changes", changed(b, times(f)))
    b = times(f)
    t.tick()
    os.truncate(f, 1)
    t("truncate down changes", changed(b, times(f)))


# ---- rename ------------------------------------------------------------------------------


@case
def rename_files(t):
    put(t.p("a"), b"A")
    put(t.p("b"), b"B")
    os.mkdir(t.p("d"))
    os.mkdir(t.p("e"))
    put(t.p("e", "x"), b"X")
    t("file to new name", call(os.rename, t.p("a"), t.p("a2")))
    t("old name", get(t.p("a")))
    t("new name", get(t.p("a2")))
    t("file over file", call(os.rename, t.p("a2"), t.p("b")))
    t("replaced", get(t.p("b")))
    t("file over dir", call(os.rename, t.p("b"), t.p("d")))
    t("dir over file", call(os.rename, t.p("d"), t.p("b")))
    t("file to itself", call(os.rename, t.p("b"), t.p("b")))
    t("still there", get(t.p("b")))
    t("missing source", call(os.rename, t.p("none"), t.p("z")))
    t("into a missing dir", call(os.rename, t.p("b"), t.p("none", "b")))
    t("below a file", call(os.rename, t.p("e", "x"), t.p("b", "x")))
    t("RENAME_NOREPLACE over a file", call(renameat2, t.p("e", "x"), t.p("b"),
                                           RENAME_NOREPLACE))
    t("RENAME_NOREPLACE to a new name", call(renameat2, t.p("e", "x"), t.p("x2"),
                                             RENAME_NOREPLACE))
    t("listing", ls(t.d))
    t("listing e", ls(t.p("e")))


@case
def rename_dirs(t):
    for d in ("a", "a/s", "b", "c", "full"):
        os.mkdir(t.p(d))
    put(t.p("a", "s", "f"), b"F")
    put(t.p("full", "g"), b"G")
    t("dir into its own subdir", call(os.rename, t.p("a"), t.p("a", "s", "x")))
    t("dir over non-empty dir", call(os.rename, t.p("a"), t.p("full")))
    t("dir over empty dir", call(os.rename, t.p("a"), t.p("b")))
    t("moved tree", get(t.p("b", "s", "f")))
    t("old gone", ftype(t.p("a")))
    t("dir to itself", call(os.rename, t.p("b"), t.p("b")))
    t("rename of '.'", call(os.rename, t.p("b", "."), t.p("dot")))
    t("rename to '..'", call(os.rename, t.p("c"), t.p("b", "..")))
    t("listing", ls(t.d))


@case
def rename_exchange(t):
    put(t.p("a"), b"A")
    put(t.p("b"), b"B")
    t("RENAME_EXCHANGE", call(renameat2, t.p("a"), t.p("b"), 2))
    t("a after", get(t.p("a")))
    t("b after", get(t.p("b")))


@case
def rename_open(t):
    os.mkdir(t.p("d"))
    fd = os.open(t.p("d", "f"), os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, b"one,")
    t("rename the open file", call(os.rename, t.p("d", "f"), t.p("d", "g")))
    os.write(fd, b"two,")
    t("rename its dir", call(os.rename, t.p("d"), t.p("d2")))
    os.write(fd, b"three")
    t("close", call(os.close, fd))
    t("at its new name", get(t.p("d2", "g")))
    t("old dir", ftype(t.p("d")))
    t("listing", ls(t.d))
    t("listing d2", ls(t.p("d2")))


# ---- unlink, rmdir, mkdir ----------------------------------------------------------------


@case
def unlink_open(t):
    f = t.p("f")
    put(f, b"still here")
    fd = os.open(f, os.O_RDWR)
    t("unlink while open", call(os.unlink, f))
    t("name after", ftype(f))
    t("read through the fd", os.pread(fd, 100, 0).decode())
    t("fstat nlink", os.fstat(fd).st_nlink)
    os.pwrite(fd, b"STILL", 0)
    t("write through the fd", os.pread(fd, 100, 0).decode())
    t("close", call(os.close, fd))
    t("name after close", ftype(f))
    t("listing", ls(t.d))
    put(f, b"again")
    t("made again", get(f))


@case
def unlink_rmdir_mkdir(t):
    os.mkdir(t.p("d"))
    put(t.p("d", "f"), b"x")
    put(t.p("f"), b"x")
    t("unlink a dir", call(os.unlink, t.p("d")))
    t("unlink missing", call(os.unlink, t.p("none")))
    t("rmdir non-empty", call(os.rmdir, t.p("d")))
    t("rmdir a file", call(os.rmdir, t.p("f")))
    t("rmdir '.'", call(os.rmdir, t.p("d", ".")))
    t("rmdir missing", call(os.rmdir, t.p("none")))
    t("mkdir existing dir", call(os.mkdir, t.p("d")))
    t("mkdir over a file", call(os.mkdir, t.p("f")))
    t("mkdir in a missing dir", call(os.mkdir, t.p("none", "x")))
    t("mkdir below a file", call(os.mkdir, t.p("f", "x")))
    t("mkdir mode 0700", call(os.mkdir, t.p("p"), 0o700))
    t("its mode", mode(t.p("p")))
    os.unlink(t.p("d", "f"))
    t("emptied dir stays", ftype(t.p("d")))
    t("rmdir emptied", call(os.rmdir, t.p("d")))
    t("listing", ls(t.d))


@case
def dir_nlink(t):
    os.mkdir(t.p("d"))
    t("nlink of an empty dir", os.stat(t.p("d")).st_nlink)
    os.mkdir(t.p("d", "a"))
    os.mkdir(t.p("d", "b"))
    t("nlink of a dir with 2 subdirs", os.stat(t.p("d")).st_nlink)
    put(t.p("f"), b"x")
    t("nlink of a file", os.stat(t.p("f")).st_nlink)


# ---- owners and permission bits ----------------------------------------------------------


@case
def chmod_chown(t):
    f = t.p("f")
    put(f, b"x")
    t("chmod 0604", call(os.chmod, f, 0o604))
    t("mode", mode(f))
    t("chown 1234:2345", call(os.chown, f, 1234, 2345))
    t("owner", owner(f))
    t("chown -1:-1", call(os.chown, f, -1, -1))
    t("owner after -1:-1", owner(f))
    os.chmod(f, 0o6755)
    t("mode with suid and sgid", mode(f))
    os.chown(f, 0, 0)
    t("chown clears suid and sgid", mode(f))
    os.mkdir(t.p("d"))
    os.chmod(t.p("d"), 0o1777)
    t("sticky dir mode", mode(t.p("d")))


@case
def perms_nobody(t):
    os.chmod(t.d, 0o755)
    put(t.p("r644"), b"public", 0o644)
    put(t.p("r600"), b"secret", 0o600)
    put(t.p("r666"), b"shared", 0o666)
    os.mkdir(t.p("closed"), 0o700)
    put(t.p("closed", "in"), b"x", 0o644)
    os.mkdir(t.p("open"))
    os.chmod(t.p("open"), 0o777)
    os.mkdir(t.p("nox"))
    os.chmod(t.p("nox"), 0o766)
    put(t.p("nox", "f"), b"x", 0o644)

    def nb():
        out = {}
        out["read 0644"] = get(t.p("r644"))
        out["read 0600"] = get(t.p("r600"))
        out["write 0644"] = call(os.open, t.p("r644"), os.O_WRONLY)
        out["truncate 0644"] = call(os.truncate, t.p("r644"), 0)
        out["create in a 0755 root dir"] = call(os.open, t.p("mine"), os.O_CREAT | os.O_WRONLY,
                                                0o644)
        out["mkdir in a 0755 root dir"] = call(os.mkdir, t.p("mined"))
        out["unlink in a 0755 root dir"] = call(os.unlink, t.p("r666"))
        out["rename in a 0755 root dir"] = call(os.rename, t.p("r666"), t.p("r667"))
        out["list a 0700 dir"] = ls(t.p("closed"))
        out["stat in a 0700 dir"] = call(lambda: os.stat(t.p("closed", "in")) and None)
        out["stat in a 0766 dir"] = call(lambda: os.stat(t.p("nox", "f")) and None)
        out["list a 0766 dir"] = ls(t.p("nox"))
        out["create in a 0777 dir"] = call(lambda: put(t.p("open", "mine"), b"nb"))
        out["mkdir in a 0777 dir"] = call(os.mkdir, t.p("open", "sub"), 0o750)
        out["chmod root's file"] = call(os.chmod, t.p("r666"), 0o600)
        out["chown root's file"] = call(os.chown, t.p("r666"), NOBODY, NOBODY)
        out["chmod own file"] = call(os.chmod, t.p("open", "mine"), 0o640)
        out["chown own file to root"] = call(os.chown, t.p("open", "mine"), 0, 0)
        out["chgrp own file to own group"] = call(os.chown, t.p("open", "mine"), -1, NOBODY)
        out["utime now on 0666 root file"] = call(os.utime, t.p("r666"), None)
        out["utime explicit on 0666 root file"] = call(os.utime, t.p("r666"), (5, 5))
        out["utime now on 0644 root file"] = call(os.utime, t.p("r644"), None)
        out["access R_OK 0600"] = os.access(t.p("r600"), os.R_OK)
        out["access W_OK 0666"] = os.access(t.p("r666"), os.W_OK)
        out["write 0666"] = call(lambda: put(t.p("r666"), b"by nobody"))
        return out
    for k, v in sorted(as_nobody(nb).items()):
        t("nobody: " + k, v)
    t("owner of nobody's file", owner(t.p("open", "mine")))
    t("mode of nobody's file", mode(t.p("open", "mine")))
    t("owner of nobody's dir", owner(t.p("open", "sub")))
    t("mode of nobody's dir", mode(t.p("open", "sub")))
    t("0666 after nobody's write", get(t.p("r666")))
    t("listing", ls(t.d))


@case
def sticky(t):
    os.mkdir(t.p("s"))
    os.chmod(t.p("s"), 0o1777)
    put(t.p("s", "roots"), b"r", 0o666)

    def nb():
        out = {}
        out["create in sticky"] = call(lambda: put(t.p("s", "nbs"), b"n"))
        out["unlink root's file"] = call(os.unlink, t.p("s", "roots"))
        out["rename root's file"] = call(os.rename, t.p("s", "roots"), t.p("s", "moved"))
        out["rename over root's file"] = call(os.rename, t.p("s", "nbs"), t.p("s", "roots"))
        out["write root's 0666 file"] = call(lambda: put(t.p("s", "roots"), b"w"))
        out["rename own file"] = call(os.rename, t.p("s", "nbs"), t.p("s", "nbs2"))
        out["unlink own file"] = call(os.unlink, t.p("s", "nbs2"))
        return out
    for k, v in sorted(as_nobody(nb).items()):
        t("nobody: " + k, v)
    t("root's file", get(t.p("s", "roots")))
    t("listing", ls(t.p("s")))


@case
def suid_cleared_by_write(t):
    f = t.p("f")
    put(f, b"x")
    os.chmod(f, 0o4777)

    def nb():
        fd = os.open(f, os.O_WRONLY | os.O_APPEND)
        os.write(fd, b"y")
        os.close(fd)
        return "OK"
    t("nobody appends", as_nobody(nb))
    t("mode after", mode(f))
    t("content", get(f))


# ---- times -------------------------------------------------------------------------------


def step_times(t, p, steps):
    """Each (name, fn) of steps, recording which of p's times it changed;
    then an explicit utime, recording both times it set; p's stat after."""
    for name, fn in steps:
        b = times(p)
        t.tick()
        fn()
        t("%s changes" % name, changed(b, times(p)))
    os.utime(p, ns=(1000000001, 2000000002))
    st = os.stat(p)
    t("utime explicit mtime", st.st_mtime_ns)
    t("utime explicit atime kept", st.st_atime_ns)
    return st


@case
def file_times(t):
    f = t.p("f")
    put(f, b"x")
    steps = [
        ("write", lambda: put(f, b"yy")),
        ("chmod", lambda: os.chmod(f, 0o600)),
        ("chown", lambda: os.chown(f, 0, 1)),
        ("truncate", lambda: os.truncate(f, 1)),
        ("rename", lambda: (os.rename(f, f + "2"), os.rename(f + "2", f))),
        ("read", lambda: get(f)),
        ("utime now", lambda: os.utime(f, None)),
    ]
    st = step_times(t, f, steps)
    t("ctime after explicit utime is now", st.st_ctime_ns > 2000000002)
    os.utime(f, ns=(3000000003, 2000000002))
    _libc_utimensat_omit(f)
    st = os.stat(f)
    t("UTIME_OMIT mtime kept", st.st_mtime_ns)
    t("ctime >= mtime", st.st_ctime_ns >= st.st_mtime_ns)


def _libc_utimensat_omit(p):
    """utimensat(p, {atime: 7 s, mtime: UTIME_OMIT})."""
    class TS(ctypes.Structure):
        _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]
    ts = (TS * 2)(TS(7, 0), TS(0, (1 << 30) - 2))
    if _libc.utimensat(AT_FDCWD, p.encode(), ts, 0) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


@case
def dir_times(t):
    d = t.p("d")
    os.mkdir(d)
    steps = [
        ("create a file in it", lambda: put(os.path.join(d, "f"), b"x")),
        ("write a file in it", lambda: put(os.path.join(d, "f"), b"xy")),
        ("mkdir in it", lambda: os.mkdir(os.path.join(d, "s"))),
        ("rename in it", lambda: os.rename(os.path.join(d, "f"), os.path.join(d, "g"))),
        ("unlink in it", lambda: os.unlink(os.path.join(d, "g"))),
        ("rmdir in it", lambda: os.rmdir(os.path.join(d, "s"))),
        ("chmod it", lambda: os.chmod(d, 0o700)),
        ("list it", lambda: os.listdir(d)),
    ]
    step_times(t, d, steps)


# ---- names -------------------------------------------------------------------------------


@case
def names_255(t):
    n255 = "n" * 255
    u255 = "\u00e9" * 127 + "a"  # 255 bytes in UTF-8
    t("create 255 bytes", call(lambda: put(t.p(n255), b"long")))
    t("read it", get(t.p(n255)))
    t("create 255 bytes of UTF-8", call(lambda: put(t.p(u255), b"utf")))
    t("mkdir 255 bytes", call(os.mkdir, t.p("d" * 255)))
    t("create 256 bytes", call(os.open, t.p("n" * 256), os.O_CREAT | os.O_WRONLY, 0o644))
    t("mkdir 256 bytes", call(os.mkdir, t.p("d" * 256)))
    t("rename to 256 bytes", call(os.rename, t.p(n255), t.p("r" * 256)))
    t("stat 256 bytes", call(os.stat, t.p("s" * 256)))
    t("listing", ls(t.d))
    t("statvfs namemax", os.statvfs(t.d).f_namemax)


@case
def names_odd(t):
    names = ["with space", "plus+sign", "per%25cent", "q?mark", "amp&er", "star*",
             "tab\tname", "-dash", "caf\u00e9", "cafe\u0301", "#hash", "semi;colon",
             "back\\slash", "quote'\"", "trail ", ".hidden", "..dots", "x.fuse_hiddenish"]
    for n in names:
        t("create %r" % n, call(lambda: put(t.p(n), n.encode())))
    t("listing", ls(t.d))
    t("contents", [get(t.p(n)) for n in names])


@case
def deep_path(t):
    comp = ["c" * 250, "d" * 250, "e" * 250, "f" * 250]
    p = t.d
    for c in comp:
        p = os.path.join(p, c)
        try:
            os.mkdir(p)
        except OSError:
            pass
    t("create 1100-byte path", call(lambda: put(os.path.join(p, "g" * 100), b"deep")))


# ---- links, special files, xattrs ------------------------------------------------------


@case
def symlinks(t):
    put(t.p("target"), b"T")
    t("symlink", call(os.symlink, "target", t.p("l")))
    t("readlink", call(os.readlink, t.p("l")))
    t("lstat type", ftype(t.p("l")))
    t("read through it", get(t.p("l")))
    t("dangling", call(os.symlink, "none", t.p("dl")))
    t("stat dangling", call(lambda: os.stat(t.p("dl")) and None))
    t("O_NOFOLLOW", call(os.open, t.p("l"), os.O_RDONLY | os.O_NOFOLLOW))
    t("O_CREAT|O_EXCL on dangling", call(os.open, t.p("dl"), os.O_CREAT | os.O_EXCL | os.O_WRONLY,
                                         0o644))
    t("symlink over a file", call(os.symlink, "x", t.p("target")))
    t("rename a symlink", call(os.rename, t.p("l"), t.p("l2")))
    t("readlink renamed", call(os.readlink, t.p("l2")))
    t("unlink a symlink", call(os.unlink, t.p("l2")))
    t("target kept", get(t.p("target")))
    t("listing", ls(t.d))


@case
def link(t):
    put(t.p("a"), b"A")
    t("link", call(os.link, t.p("a"), t.p("b")))
    t("nlink after link", os.stat(t.p("a")).st_nlink)


@case
def mknod_fifo(t):
    t("mkfifo", call(os.mkfifo, t.p("p"), 0o640))
    t("type", ftype(t.p("p")))
    t("mode", mode(t.p("p")))
    t("mkfifo existing", call(os.mkfifo, t.p("p")))
    t("unlink", call(os.unlink, t.p("p")))
    t("listing", ls(t.d))


@case
def mknod_device(t):
    t("mknod chr", call(os.mknod, t.p("null"), stat.S_IFCHR | 0o600, os.makedev(1, 3)))
    t("type", ftype(t.p("null")))
    t("mode", mode(t.p("null")))
    t("rdev", call(lambda: "%d,%d" % (os.major(os.lstat(t.p("null")).st_rdev),
                                       os.minor(os.lstat(t.p("null")).st_rdev))))
    t("open it", call(lambda: os.close(os.open(t.p("null"), os.O_WRONLY))))
    t("mknod blk", call(os.mknod, t.p("blk"), stat.S_IFBLK | 0o600, os.makedev(7, 200)))
    t("blk type", ftype(t.p("blk")))
    t("rename it", call(os.rename, t.p("blk"), t.p("blk2")))
    t("chmod it", call(os.chmod, t.p("blk2"), 0o640))
    t("renamed rdev", call(lambda: "%d,%d %s" % (os.major(os.lstat(t.p("blk2")).st_rdev),
                                                 os.minor(os.lstat(t.p("blk2")).st_rdev),
                                                 mode(t.p("blk2")))))
    t("mknod existing", call(os.mknod, t.p("null"), stat.S_IFCHR | 0o600, os.makedev(1, 3)))
    t("unlink", call(os.unlink, t.p("null")))
    t("listing", ls(t.d))


@case
def xattr(t):
    put(t.p("f"), b"x")
    t("setxattr", call(os.setxattr, t.p("f"), "user.k", b"v"))
    t("getxattr", call(lambda: os.getxattr(t.p("f"), "user.k").decode() and None))


@case
def fsync_dirs(t):
    os.mkdir(t.p("d"))
    fd = os.open(t.p("d"), os.O_RDONLY | os.O_DIRECTORY)
    t("fsync a dir", call(os.fsync, fd))
    os.close(fd)
    fd = os.open(t.p("f"), os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, b"synced")
    t("fsync", call(os.fsync, fd))
    t("fdatasync", call(os.fdatasync, fd))
    os.close(fd)
    t("content", get(t.p("f")))


# ---- the runner --------------------------------------------------------------------------


def run_case(fn, root):
    d = os.path.join(root, fn.__name__)
    os.mkdir(d)
    os.chmod(d, 0o755)
    rec = Rec(d)
    try:
        fn(rec)
    except Exception as e:  # a case that broke on one side: record where
        rec("the case raised", "%s: %s" % (type(e).__name__, e))
    return rec.items


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    if os.geteuid() != 0:
        sys.exit("conformance.py runs as root (some cases switch to user nobody)")
    local, mount = sys.argv[1], sys.argv[2]
    only = set(sys.argv[3:])
    os.umask(0o022)
    fails = checks = same = documented = 0
    for fn in CASES:
        if only and fn.__name__ not in only:
            continue
        a = run_case(fn, local)
        b = run_case(fn, mount)
        name = fn.__name__
        if [x[0] for x in a] != [x[0] for x in b]:
            print("not ok - %s: the sides recorded different steps:\n#   local %s\n#   mount %s"
                  % (name, json.dumps(a), json.dumps(b)))
            fails += 1
            continue
        seen_doc = set()
        for (label, va), (_, vb) in zip(a, b):
            checks += 1
            doc = DOCUMENTED.get((name, label))
            if doc:
                seen_doc.add(label)
            if va == vb and not doc:
                same += 1
                continue
            if doc and [va, vb] == [doc[0], doc[1]]:
                documented += 1
                print("ok - %s: %s: local %s, mount %s (documented: %s)" % (
                    name, label, json.dumps(va), json.dumps(vb), doc[2]))
                continue
            fails += 1
            print("not ok - %s: %s: local %s, mount %s%s" % (
                name, label, json.dumps(va)[:300], json.dumps(vb)[:300],
                " (documented as local %s, mount %s)" % (json.dumps(doc[0]), json.dumps(doc[1]))
                if doc else ""))
        for (c, label) in DOCUMENTED:
            if c == name and label not in seen_doc:
                fails += 1
                print("not ok - %s: documented difference %r not recorded" % (name, label))
        print("# %s: %d checks" % (name, len(a)))
    print("# conformance: %d checks, %d equal, %d documented differences, %d failures"
          % (checks, same, documented, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
