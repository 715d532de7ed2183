# SPDX-License-Identifier: MIT
"""ops.py - the random operation sequence, a pure function of the seed.

Operations name paths from a small name space (names from a pool of six,
at most three deep) and fd slots (0-5), never the state of a tree, so a
sequence replays exactly and any operation can be dropped from it while
shrinking: an operation on an empty slot is skipped on both sides.
"""
import json
import random

NAMES = ["a", "b", "c.txt", "d", "e.png", "f"]
SLOTS = 6
MODES_FILE = [0o644, 0o644, 0o600, 0o755, 0o640, 0o444, 0o4755]
MODES_DIR = [0o755, 0o755, 0o700, 0o777, 0o1777, 0o750]
OWNERS = [0, 0, 1000, 65534]
TIMES = [None, 1000000000 * 10 ** 9 + 5, 1600000000 * 10 ** 9 + 999999999, 1300000000 * 10 ** 9]

# kind -> weight, for operations on the trees
FS_WEIGHTS = {
    "open": 14, "close": 10, "write": 10, "pwrite": 6, "read": 4, "pread": 4, "lseek": 1,
    "fsync": 3, "fstat": 4, "ftruncate": 3, "fchmod": 1,
    "stat": 6, "listdir": 5, "cat": 4, "truncate": 2, "unlink": 6, "mkdir": 6,
    "rmdir": 4, "rename": 7, "chmod": 2, "chown": 1, "utime": 2, "symlink": 2,
    "readlink": 1, "link": 0.3, "mkfifo": 0.3, "setxattr": 0.3, "getxattr": 0.2,
    "listxattr": 0.2,
}
# kinds that may be in flight when the daemon is killed
CRASH_INNER = ["close", "close", "close", "fsync", "write", "rename", "unlink", "mkdir",
               "rmdir", "truncate", "chmod", "open"]


# Now and then a size is a big one, above the multipart threshold model.py
# mounts with (5 MiB): the upload goes in parts, and another mount reads it
# with ranged GETs (over 8 MiB).  Drawn from a generator of its own, so
# that a seed's sequence of operations is what it was without them.
BIG_P = 0.015
BIG_SIZES = (6 << 20, 12 << 20)


class Gen:
    def __init__(self, seed, opts):
        self.rng = random.Random(seed)
        self.big = random.Random(seed * 7919 + 17)
        self.o = opts
        self.recent = []
        self.open_slots = []  # slots this sequence opened and did not close yet

    def slot(self, for_open=False):
        r = self.rng
        free = [s for s in range(SLOTS) if s not in self.open_slots]
        if for_open:
            s = r.choice(free) if free and r.random() < 0.9 else r.randrange(SLOTS)
            if s not in self.open_slots:
                self.open_slots.append(s)
            return s
        if self.open_slots and r.random() < 0.9:
            return r.choice(self.open_slots)
        return r.randrange(SLOTS)

    def path(self):
        r = self.rng
        if self.recent and r.random() < 0.6:
            p = r.choice(self.recent[-12:])
            x = r.random()
            if x < 0.15 and "/" in p:
                p = p.rsplit("/", 1)[0]
            elif x < 0.35 and p.count("/") < 2:
                p = p + "/" + r.choice(NAMES)
            return p
        depth = r.choices([1, 2, 3], [55, 35, 10])[0]
        return "/".join(r.choice(NAMES) for _ in range(depth))

    def size(self):
        n = self._size()
        if getattr(self.o, "big", True) and self.big.random() < BIG_P:
            return self.big.randint(*BIG_SIZES)
        return n

    def _size(self):
        r = self.rng
        x = r.random()
        if x < 0.6:
            return r.randint(1, 64)
        if x < 0.92:
            return r.randint(65, 6000)
        return r.randint(20000, 300000)

    def offset(self):
        r = self.rng
        x = r.random()
        if x < 0.5:
            return r.randint(0, 100)
        if x < 0.9:
            return r.randint(0, 8000)
        return r.randint(100000, 1200000)  # a hole

    def fs_op(self, i, kind=None):
        r = self.rng
        k = kind or r.choices(list(FS_WEIGHTS), list(FS_WEIGHTS.values()))[0]
        op = {"i": i, "k": k}
        if k == "open":
            acc = r.choices(["RDONLY", "WRONLY", "RDWR"], [3, 3, 4])[0]
            fl = [acc]
            if r.random() < 0.6:
                fl.append("CREAT")
                if r.random() < 0.2:
                    fl.append("EXCL")
            if acc != "RDONLY" and r.random() < 0.25:
                fl.append("TRUNC")
            if acc != "RDONLY" and r.random() < 0.15:
                fl.append("APPEND")
            op.update(s=self.slot(True), p=self.path(), fl=fl, m=r.choice(MODES_FILE))
        elif k == "close":
            op["s"] = self.slot()
            if op["s"] in self.open_slots:
                self.open_slots.remove(op["s"])
        elif k in ("fsync", "fstat"):
            op["s"] = self.slot()
        elif k == "write":
            op.update(s=self.slot(), n=self.size())
        elif k == "pwrite":
            op.update(s=self.slot(), off=self.offset(), n=self.size())
        elif k == "read":
            op.update(s=self.slot(), n=r.choice([1, 100, 4096, 1 << 20]))
        elif k == "pread":
            op.update(s=self.slot(), off=self.offset(), n=r.choice([1, 100, 4096, 1 << 20]))
        elif k == "lseek":
            op.update(s=self.slot(), off=self.offset())
        elif k == "ftruncate":
            op.update(s=self.slot(), n=r.choice([0, 0, self.offset(), self.size()]))
        elif k == "fchmod":
            op.update(s=self.slot(), m=r.choice(MODES_FILE))
        elif k == "truncate":
            op.update(p=self.path(), n=r.choice([0, 0, self.offset(), self.size()]))
        elif k == "stat":
            op.update(p=self.path(), follow=r.random() < 0.3)
        elif k == "listdir":
            p = self.path()
            op["p"] = p.rsplit("/", 1)[0] if r.random() < 0.5 and "/" in p else (
                "." if r.random() < 0.3 else p)
        elif k in ("cat", "unlink", "rmdir", "readlink", "mkfifo", "setxattr", "getxattr",
                   "listxattr"):
            op["p"] = self.path()
        elif k == "mkdir":
            op.update(p=self.path(), m=r.choice(MODES_DIR))
        elif k == "rename":
            op.update(p=self.path(), q=self.path(),
                      fl=r.choices(["", "noreplace", "exchange"], [90, 7, 3])[0])
        elif k == "link":
            op.update(p=self.path(), q=self.path())
        elif k == "chmod":
            op["p"] = self.path()
            op["m"] = r.choice(MODES_FILE + MODES_DIR)
        elif k == "chown":
            op.update(p=self.path(), u=r.choice(OWNERS), g=r.choice(OWNERS))
        elif k == "utime":
            op.update(p=self.path(), t=r.choice(TIMES))
        elif k == "symlink":
            p = self.path()
            op.update(p=p, t=r.choice([r.choice(NAMES), r.choice(NAMES) + "/" + r.choice(NAMES),
                                       "missing"]))
        if "p" in op and op["p"] != ".":
            self.recent.append(op["p"])
        if "q" in op:
            self.recent.append(op["q"])
        return op

    def sequence(self, n):
        """n operations: the trees' own, and now and then the tester's
        (crash, observe, audit, evict, remount, pause, faults)."""
        r, o = self.rng, self.o
        ops = []
        crash_p = o.crashes / float(max(n, 1))
        fault_left = 0  # operations left in the fault phase under way
        for i in range(n):
            x = r.random()
            if o.faults and fault_left == 1:
                fault_left = 0
                ops.append({"i": i, "k": "faults", "mode": None})
                continue
            fault_left = max(0, fault_left - 1)
            if o.faults and not fault_left and r.random() < 1 / 120.0:
                fault_left = r.randint(20, 80)
                ops.append({"i": i, "k": "faults", "mode": r.choice(o.fault_modes)})
                continue
            if x < crash_p:
                inner = self.fs_op(i, r.choice(CRASH_INNER))
                ops.append({"i": i, "k": "crash", "d": r.choice([0, 1, 2, 5, 10, 30, 80]),
                            "op": inner})
            elif o.second and x < crash_p + 0.006:
                ops.append({"i": i, "k": "observe"})
            elif x < crash_p + 0.012:
                ops.append({"i": i, "k": "audit"})
            elif x < crash_p + 0.016:
                ops.append({"i": i, "k": "evict"})
            elif x < crash_p + 0.018:
                ops.append({"i": i, "k": "remount"})
            elif x < crash_p + 0.021:
                ops.append({"i": i, "k": "pause", "t": r.choice([0.6, 1.2, 2.5])})
            else:
                ops.append(self.fs_op(i))
        return ops


def render(op):
    """One operation as a line of Python against a mount M (fd: a dict of
    open descriptors; data(i, n) as in fsops.py)."""
    k = op["k"]
    P = lambda key="p": 'M + "/%s"' % op[key]
    if k == "crash":
        return "kill_daemon_after_ms(%d); %s  # then remount on the same cache_dir" % (
            op["d"], render(op["op"]))
    if k in ("observe", "audit", "evict", "remount", "pause", "faults"):
        return "# tester: %s" % json.dumps({a: b for a, b in op.items() if a != "i"})
    if k == "open":
        fl = "|".join("os.O_" + f for f in op["fl"])
        return "fd[%d] = os.open(%s, %s, 0o%o)" % (op["s"], P(), fl, op["m"])
    if k == "close":
        return "os.close(fd.pop(%d))" % op["s"]
    if k == "write":
        return "os.write(fd[%d], data(%d, %d))" % (op["s"], op["i"], op["n"])
    if k == "pwrite":
        return "os.pwrite(fd[%d], data(%d, %d), %d)" % (op["s"], op["i"], op["n"], op["off"])
    if k == "read":
        return "os.read(fd[%d], %d)" % (op["s"], op["n"])
    if k == "pread":
        return "os.pread(fd[%d], %d, %d)" % (op["s"], op["n"], op["off"])
    if k == "lseek":
        return "os.lseek(fd[%d], %d, os.SEEK_SET)" % (op["s"], op["off"])
    if k in ("fsync", "fstat"):
        return "os.%s(fd[%d])" % (k, op["s"])
    if k == "ftruncate":
        return "os.ftruncate(fd[%d], %d)" % (op["s"], op["n"])
    if k == "fchmod":
        return "os.fchmod(fd[%d], 0o%o)" % (op["s"], op["m"])
    if k == "stat":
        return "os.%s(%s)" % ("stat" if op.get("follow") else "lstat", P())
    if k == "listdir":
        return "sorted(os.listdir(%s))" % P()
    if k == "cat":
        return "open(%s, 'rb').read()" % P()
    if k == "truncate":
        return "os.truncate(%s, %d)" % (P(), op["n"])
    if k in ("unlink", "rmdir", "readlink"):
        return "os.%s(%s)" % (k, P())
    if k == "mkdir":
        return "os.mkdir(%s, 0o%o)" % (P(), op["m"])
    if k == "rename":
        if op.get("fl"):
            return "renameat2(%s, %s, RENAME_%s)" % (P(), P("q"), op["fl"].upper())
        return "os.rename(%s, %s)" % (P(), P("q"))
    if k == "chmod":
        return "os.chmod(%s, 0o%o)" % (P(), op["m"])
    if k == "chown":
        return "os.chown(%s, %d, %d)" % (P(), op["u"], op["g"])
    if k == "utime":
        if op.get("t") is None:
            return "os.utime(%s)" % P()
        return "os.utime(%s, ns=(%d, %d))" % (P(), op["t"], op["t"])
    if k == "symlink":
        return "os.symlink(%r, %s)" % (op["t"], P())
    if k == "link":
        return "os.link(%s, %s, follow_symlinks=False)" % (P(), P("q"))
    if k == "mkfifo":
        return "os.mkfifo(%s, 0o644)" % P()
    if k == "setxattr":
        return "os.setxattr(%s, 'user.model', b'v', follow_symlinks=False)" % P()
    if k == "getxattr":
        return "os.getxattr(%s, 'user.model', follow_symlinks=False)" % P()
    if k == "listxattr":
        return "os.listxattr(%s, follow_symlinks=False)" % P()
    return "# %r" % op
