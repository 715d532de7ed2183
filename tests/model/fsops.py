# SPDX-License-Identifier: MIT
"""fsops.py - one tree the model tester runs operations on: the bucketfs
mount, or the local directory that is the oracle.  Each operation gives a
result that can be compared: ("ok", value), ("err", "ENAME") or ("skip",)
when an fd slot it names is empty (or, for open, taken).
"""
import ctypes
import errno
import os
import stat

import divergences

_libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_FLAGS = {"": 0, "noreplace": 1, "exchange": 2}
O_FLAGS = {"RDONLY": os.O_RDONLY, "WRONLY": os.O_WRONLY, "RDWR": os.O_RDWR,
           "CREAT": os.O_CREAT, "EXCL": os.O_EXCL, "TRUNC": os.O_TRUNC, "APPEND": os.O_APPEND}


def renameat2(src, dst, flags):
    if _libc.renameat2(AT_FDCWD, src.encode(), AT_FDCWD, dst.encode(), flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def data(i, n):
    """The bytes op number i writes: its tag "<i>" over and over."""
    tag = b"<%d>" % i
    return (tag * (n // len(tag) + 1))[:n]


def err(e):
    return ("err", errno.errorcode.get(e.errno, str(e.errno)))


class Slot:
    def __init__(self, fd, flags, path):
        self.fd, self.flags, self.path = fd, flags, path


class Side:
    """A tree (root) and the fds open in it, by slot number."""

    def __init__(self, name, root):
        self.name, self.root = name, root
        self.slots = {}

    def p(self, rel):
        return self.root + "/" + rel

    def close_all(self):
        out = {}
        for s, sl in sorted(self.slots.items()):
            try:
                os.close(sl.fd)
                out[s] = ("ok", None)
            except OSError as e:
                out[s] = err(e)
        self.slots = {}
        return out

    def forget_all(self):
        """The daemon died: its fds are dead; close them, ignore errors."""
        for sl in self.slots.values():
            try:
                os.close(sl.fd)
            except OSError:
                pass
        self.slots = {}

    def stat_of(self, st, path_for_dir_mtime=None):
        return divergences.stat_fields(st, None)

    def run(self, op):
        k = op["k"]
        try:
            fn = getattr(self, "op_" + k)
        except AttributeError:
            raise ValueError("unknown op %r" % k)
        try:
            return fn(op)
        except OSError as e:
            return err(e)

    # --- fd operations ---------------------------------------------------
    def _slot(self, op):
        return self.slots.get(op["s"])

    def op_open(self, op):
        if op["s"] in self.slots:
            return ("skip",)
        fl = 0
        for f in op["fl"]:
            fl |= O_FLAGS[f]
        fd = os.open(self.p(op["p"]), fl, op.get("m", 0o644))
        self.slots[op["s"]] = Slot(fd, op["fl"], op["p"])
        return ("ok", None)

    def op_close(self, op):
        sl = self.slots.pop(op["s"], None)
        if sl is None:
            return ("skip",)
        os.close(sl.fd)
        return ("ok", None)

    def op_write(self, op):
        sl = self._slot(op)
        if sl is None:
            return ("skip",)
        return ("ok", os.write(sl.fd, data(op["i"], op["n"])))

    def op_pwrite(self, op):
        sl = self._slot(op)
        if sl is None:
            return ("skip",)
        return ("ok", os.pwrite(sl.fd, data(op["i"], op["n"]), op["off"]))

    def op_read(self, op):
        sl = self._slot(op)
        if sl is None:
            return ("skip",)
        return ("ok", os.read(sl.fd, op["n"]))

    def op_pread(self, op):
        sl = self._slot(op)
        if sl is None:
            return ("skip",)
        return ("ok", os.pread(sl.fd, op["n"], op["off"]))

    def op_lseek(self, op):
        sl = self._slot(op)
        if sl is None:
            return ("skip",)
        return ("ok", os.lseek(sl.fd, op["off"], os.SEEK_SET))

    def op_fsync(self, op):
        sl = self._slot(op)
        if sl is None:
            return ("skip",)
        os.fsync(sl.fd)
        return ("ok", None)

    def op_fstat(self, op):
        sl = self._slot(op)
        if sl is None:
            return ("skip",)
        return ("ok", divergences.stat_fields(os.fstat(sl.fd), None))

    def op_ftruncate(self, op):
        sl = self._slot(op)
        if sl is None:
            return ("skip",)
        os.ftruncate(sl.fd, op["n"])
        return ("ok", None)

    def op_fchmod(self, op):
        sl = self._slot(op)
        if sl is None:
            return ("skip",)
        os.fchmod(sl.fd, op["m"])
        return ("ok", None)

    # --- path operations ---------------------------------------------------
    def op_stat(self, op):
        st = os.stat(self.p(op["p"])) if op.get("follow") else os.lstat(self.p(op["p"]))
        return ("ok", divergences.stat_fields(st, None))

    def op_listdir(self, op):
        return ("ok", sorted(os.listdir(self.p(op["p"]))))

    def op_cat(self, op):
        fd = os.open(self.p(op["p"]), os.O_RDONLY)
        try:
            chunks = []
            while True:
                b = os.read(fd, 1 << 20)
                if not b:
                    break
                chunks.append(b)
        finally:
            os.close(fd)
        return ("ok", b"".join(chunks))

    def op_truncate(self, op):
        os.truncate(self.p(op["p"]), op["n"])
        return ("ok", None)

    def op_unlink(self, op):
        os.unlink(self.p(op["p"]))
        return ("ok", None)

    def op_mkdir(self, op):
        os.mkdir(self.p(op["p"]), op["m"])
        return ("ok", None)

    def op_rmdir(self, op):
        os.rmdir(self.p(op["p"]))
        return ("ok", None)

    def op_rename(self, op):
        renameat2(self.p(op["p"]), self.p(op["q"]), RENAME_FLAGS[op.get("fl", "")])
        return ("ok", None)

    def op_chmod(self, op):
        os.chmod(self.p(op["p"]), op["m"])
        return ("ok", None)

    def op_chown(self, op):
        os.chown(self.p(op["p"]), op["u"], op["g"])
        return ("ok", None)

    def op_utime(self, op):
        if op.get("t") is None:
            os.utime(self.p(op["p"]))
        else:
            os.utime(self.p(op["p"]), ns=(op["t"], op["t"]))
        return ("ok", None)

    def op_symlink(self, op):
        os.symlink(op["t"], self.p(op["p"]))
        return ("ok", None)

    def op_readlink(self, op):
        return ("ok", os.readlink(self.p(op["p"])))

    def op_mkfifo(self, op):
        os.mkfifo(self.p(op["p"]), 0o644)
        return ("ok", None)

    # --- what bucketfs refuses (divergences.REFUSED) ----------------------
    def op_link(self, op):
        os.link(self.p(op["p"]), self.p(op["q"]), follow_symlinks=False)
        return ("ok", None)

    def op_setxattr(self, op):
        os.setxattr(self.p(op["p"]), "user.model", b"v", follow_symlinks=False)
        return ("ok", None)

    def op_getxattr(self, op):
        return ("ok", os.getxattr(self.p(op["p"]), "user.model", follow_symlinks=False))

    def op_listxattr(self, op):
        return ("ok", sorted(os.listxattr(self.p(op["p"]), follow_symlinks=False)))


def snapshot(root, with_meta=True):
    """The tree below root: {relpath: state}; a state is ("dir", perm, uid,
    gid), ("file", bytes, perm, uid, gid) or ("link", target).  Raises
    OSError if the tree cannot be read."""
    out = {}

    def walk(rel):
        for name in sorted(os.listdir(root + "/" + rel if rel else root)):
            r = rel + "/" + name if rel else name
            full = root + "/" + r
            st = os.lstat(full)
            perm = stat.S_IMODE(st.st_mode)
            if stat.S_ISDIR(st.st_mode):
                out[r] = ("dir", perm, st.st_uid, st.st_gid) if with_meta else ("dir",)
                walk(r)
            elif stat.S_ISLNK(st.st_mode):
                out[r] = ("link", os.readlink(full))
            else:
                with open(full, "rb") as f:
                    body = f.read()
                out[r] = ("file", body, perm, st.st_uid, st.st_gid) if with_meta else ("file", body)
    walk("")
    return out
