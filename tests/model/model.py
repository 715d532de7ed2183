#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""model.py - a randomized, seed-reproducible differential tester for
bucketfs: the same operation sequence runs on a bucketfs mount and on a
directory of the local disk (the oracle), and every result is compared
(return value and errno, the stat fields bucketfs keeps, listings, bytes).
Only what divergences.py lists (SEMANTICS.md, "What differs from a local
disk") may differ.

Besides, at random points: kill -9 of the daemon and remount on the same
cache_dir (every acknowledged file must then be in the bucket byte-exact,
checked with boto3, and the mount must show the same), a second mount that
must see what was acknowledged within its freshness window (and a mount on
a new cache that must show it exactly, names looked up first), bucket audits,
cache eviction, clean remounts, pauses, and with --faults phases of
tests/faultproxy.py faults (EIO is then accepted from an operation, whose
outcome is uncertain, but never success with wrong data or acknowledged
data lost).  Run through tests/model/run.sh, which starts radosgw.

On a divergence it prints the seed, the operation's index and a shrunk
sequence that reproduces it, as Python and as JSON (--replay FILE).
"""
import argparse
import json
import os
import random
import shutil
import stat
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import divergences  # noqa: E402
import durable  # noqa: E402
import fsops  # noqa: E402
import ops as opgen  # noqa: E402
import second  # noqa: E402
import world as W  # noqa: E402
from world import log  # noqa: E402


# bucketfs bugs found by this tester and reported, not fixed yet.  Nothing
# tolerates them unless --known-bugs names them (to explore past them; each
# instance tolerated is counted in the run's figures): the CI variant and
# the long run report them as divergences.  Remove an entry once fixed.
KNOWN_BUGS = {
    # (none open: write-unlinked, marker-held, dir-utimens-lost and
    # symlink-size were fixed; removed-dir-fd is a documented divergence)
}

# operations that may make, remove or rename an entry: their directories'
# mtimes change (Run.parent_times)
ENTRY_KINDS = ("open", "mkdir", "rmdir", "unlink", "rename", "symlink")


class Divergence(Exception):
    def __init__(self, idx, what, op, msg):
        super().__init__(msg)
        self.idx, self.what, self.op, self.msg = idx, what, op, msg

    def signature(self):
        inner = self.op.get("op", self.op) if self.op else {}
        return (self.what, self.op["k"] if self.op else None, inner.get("k") if inner else None)

    def __str__(self):
        return "op %s: %s: %s" % (self.idx, self.what, self.msg)


def show(res):
    if res[0] == "ok" and isinstance(res[1], bytes):
        b = res[1]
        return "ok %r%s" % (b[:60], "...(%d bytes)" % len(b) if len(b) > 60 else "")
    return " ".join(str(x) for x in res)


def lite(state):
    """A state without its metadata (type and symlink-ness too)."""
    if state is None or state[0] == "dir":
        return state and ("dir",)
    return ("data", state[1].encode() if state[0] == "link" else state[1])


class Run:
    """One sequence on one mount (and its oracle), under prefix."""

    def __init__(self, a, wld, prefix, mode, ops):
        self.a, self.w, self.prefix, self.mode, self.ops = a, wld, prefix, mode, ops
        self.dir = os.path.join(wld.tmp, prefix)
        os.makedirs(self.dir)
        self.oracle = fsops.Side("oracle", os.path.join(self.dir, "oracle"))
        os.makedirs(self.oracle.root)
        self.cache_n = 0
        self.A = self.B = None
        self.dur = durable.Durable()
        self.spath, self.sino, self.dirty = {}, {}, set()
        self.taint, self.seen = set(), set()
        self.failed = {}  # path -> the bucket's state after a close of it failed (sync)
        # path -> (seconds, kept, span): the mtime bucketfs keeps for a
        # directory (divergences.DIR_MTIME_FOLLOWS_ENTRIES): its creation
        # time, known on mount A while its cache lasts, or a utimens time
        # (kept: in the marker, for every mount); span: the seconds the call
        # took on the mount, when it set the time of the call
        # (divergences.dir_mtime_close)
        self.dmt = {}
        self.last_span = 0.0  # seconds the last operation took on the mount
        # retries of mount A: with --faults, drawn per run (so that faults
        # reach the caller: a close() that fails, an EIO), else bucketfs's
        self.retries = self.fault_retries(a, mode) if a.faults else 4
        self.fault_mode = None
        self.crashing = False
        self.stats = {"ops": 0, "crashes": 0, "observes": 0, "audits": 0, "uncertain": 0,
                      "remounts": 0, "faults": 0, "skipped": 0}
        self.found = []
        self.quiet = prefix.startswith("s")  # a replay while shrinking

    @staticmethod
    def fault_retries(a, mode):
        return random.Random(a.seed * 2 + (mode == "writeback") + 7).choice(a.fault_retries)

    # --- mounts ---------------------------------------------------------------
    def opts_a(self):
        # (multipart above 5 MiB: ops.py writes a few files of 6-12 MiB)
        o = "stat_ttl=1,negative_ttl=1,retries=%d,stall_timeout=3,connect_timeout=2,unmount_wait=30" \
            ",multipart_threshold=5M,part_size=5M" % self.retries
        if self.mode == "writeback":
            o += ",writeback=%s" % self.a.writeback
        return o

    def mount_a(self, fresh):
        if fresh or self.A is None:
            self.cache_n += 1
            # (a new cache: the creation times of directories are gone)
            self.dmt = {p: v for p, v in self.dmt.items() if v[1]}
        cache = os.path.join(self.dir, "cache%d" % self.cache_n)
        self.A = self.w.mount(self.prefix + "-A", self.prefix, self.opts_a(),
                              via_proxy=self.a.faults, cache=cache)
        self.mnt = fsops.Side("mount", self.A.mnt)

    def setup(self):
        self.mount_a(True)
        if self.a.second:
            self.B = self.w.mount(self.prefix + "-B", self.prefix,
                                  "stat_ttl=0.3,negative_ttl=0.3,retries=4")

    def teardown(self):
        for m in (self.A, self.B):
            if m is not None and m.alive():
                self.mnt.forget_all() if m is self.A else None
                rc = m.stop()
                if rc != 0:
                    log("%s exited %s at unmount" % (m.name, rc))

    # --- paths ------------------------------------------------------------------
    def real(self, rel, follow):
        """The path (relative to the root) an operation on rel touches in the
        oracle, symlinks resolved (the last one only if follow); None if it
        leaves the tree."""
        root = self.oracle.root
        full = root + "/" + rel
        if follow:
            r = os.path.realpath(full)
        else:
            d, b = os.path.split(full)
            r = os.path.join(os.path.realpath(d), b)
        if r == root:
            return "."
        if not r.startswith(root + "/"):
            return None
        return r[len(root) + 1:]

    def ostate(self, rel):
        """The oracle's state of one path (durable.py's form) or None."""
        full = self.oracle.root + "/" + rel
        try:
            st = os.lstat(full)
        except OSError:
            return None
        perm = stat.S_IMODE(st.st_mode)
        if stat.S_ISDIR(st.st_mode):
            return ("dir", perm, st.st_uid, st.st_gid)
        if stat.S_ISLNK(st.st_mode):
            return ("link", os.readlink(full))
        with open(full, "rb") as f:
            return ("file", f.read(), perm, st.st_uid, st.st_gid)

    def slot_state(self, s):
        """Current bytes of the file behind oracle slot s (even unlinked)."""
        fd = os.open("/proc/self/fd/%d" % self.oracle.slots[s].fd, os.O_RDONLY)
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):  # (a directory opened read-only)
                return ("dir", stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
            chunks = []
            while True:
                b = os.read(fd, 1 << 20)
                if not b:
                    break
                chunks.append(b)
            return ("file", b"".join(chunks), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
        finally:
            os.close(fd)

    def tainted(self, paths):
        for p in paths:
            if p is None:
                continue
            for t in self.taint:
                if p == "." or t == p or t.startswith(p + "/") or p.startswith(t + "/"):
                    return True
        return False

    # --- one operation on both trees --------------------------------------------
    def pre(self, op):
        k = op["k"]
        pre = {}
        follow = k in ("open", "truncate", "chmod", "chown", "utime", "cat") or (
            k == "stat" and op.get("follow"))
        if "p" in op:
            pre["real"] = self.real(op["p"], follow)
            if pre["real"] is not None:
                pre["existed"] = os.path.lexists(self.oracle.root + "/" + pre["real"])
        if "q" in op:
            pre["realq"] = self.real(op["q"], False)
        if k in ENTRY_KINDS:
            # the directories whose entries it may change, and their times
            # on the oracle before it (effects: did they change?)
            pre["parents"] = {}
            for r in (pre.get("real"), pre.get("realq")):
                d = os.path.dirname(r) if r else ""
                if d and d not in pre["parents"]:
                    pre["parents"][d] = self.oracle_mtime(d)
        if "s" in op and op["s"] in self.oracle.slots:
            s = op["s"]
            pre["spath"], pre["sino"] = self.spath.get(s), self.sino.get(s)
            pre["writable"] = self.oracle.slots[s].flags[0] != "RDONLY"
        return pre

    def fs_step(self, op, kill_after_ms=None):
        k = op["k"]
        pre = self.pre(op)
        involved = [pre.get("real"), pre.get("realq"), pre.get("spath")]
        if pre.get("real", 0) is None or pre.get("realq", 0) is None:
            raise ValueError("a path left the tree: %r" % op)
        if self.failed:
            for p in [p for p in self.failed if self.related(p, involved)]:
                del self.failed[p]
        before = self.dur.copy()
        ro = self.oracle.run(op)
        timer = None
        if kill_after_ms is not None:
            timer = threading.Timer(kill_after_ms / 1000.0, self.A.kill_now)
            timer.start()
        began = time.monotonic()
        rm = self.mnt.run(op)
        self.last_span = time.monotonic() - began
        if timer is not None:
            timer.join()
        self.stats["ops"] += 1
        if self.a.trace:
            log("%4d %-60s local %-28s mount %s" % (op["i"], opgen.render(op)[:60], show(ro)[:28],
                                                   show(rm)[:40]))
        if k == "mkfifo":
            self.fifo(op, pre, ro, rm, kill_after_ms, involved)
            return
        # (the kernel answers an exchange of a name with itself)
        kind = "rename_exchange" if k == "rename" and op.get("fl") == "exchange" and \
            pre.get("real") != pre.get("realq") else k
        want = divergences.expected_refusal(kind, ro)
        if want is not None:
            if ro[0] == "ok":
                self.undo_refused(op, pre)
            if rm == want or self.accept(rm, kill_after_ms, involved):
                return
            raise Divergence(op["i"], "result", op, "%s: mount %s, expected %s (local disk: %s)"
                             % (opgen.render(op), show(rm), show(want), show(ro)))
        if ro[0] == "skip" and rm[0] == "skip":
            self.stats["skipped"] += 1
            return
        if self.same(ro, rm):
            if ro[0] == "ok":
                self.effects(op, pre)
                if isinstance(rm[1], dict) and "dir_mtime" in rm[1]:
                    self.check_dir_mtime(op, pre.get("spath") if k == "fstat" else pre.get("real"),
                                         rm[1]["dir_mtime"])
            return
        if self.accept(rm, kill_after_ms, involved):
            tainted = self.tainted(involved)
            self.uncertain(op, pre, ro, rm, before)
            if k == "close" and rm[0] == "err" and ro[0] == "ok" and kill_after_ms is None:
                self.failed_close(op, pre, before, tainted)
            return
        if ro[0] == "ok" and rm == ("err", divergences.REMOVED_DIR_FD.get(k)) and \
                pre.get("spath") is None and \
                stat.S_ISDIR(os.fstat(self.oracle.slots[op["s"]].fd).st_mode):
            return  # (divergences.REMOVED_DIR_FD)
        diff = ""
        if ro[0] == rm[0] == "ok" and isinstance(ro[1], dict):
            diff = " (%s)" % divergences.stat_equal(ro[1], rm[1])
        raise Divergence(op["i"], "result", op, "%s: mount %s, local disk %s%s"
                         % (opgen.render(op), show(rm), show(ro), diff))

    @staticmethod
    def related(p, paths):
        """Is p one of paths, or above or below one of them?"""
        return any(q is not None and (q == "." or q == p or q.startswith(p + "/") or
                                      p.startswith(q + "/")) for q in paths)

    def key_state(self, path):
        """The state (durable.py's form) of the object at path, straight
        from the bucket; None if there is none."""
        key = "%s/%s" % (self.prefix, path)
        try:
            r = self.w.s3.get_object(Bucket=self.w.bucket, Key=key)
        except self.w.s3.exceptions.NoSuchKey:
            return None
        return durable.bucket_tree({path: (r["Body"].read(), r.get("Metadata", {}))}).get(path)

    def failed_close(self, op, pre, before, tainted):
        """SEMANTICS.md: a close() that failed (synchronous uploads) is not
        uploaded later by itself: once its last descriptor is closed the
        file is what the bucket holds, the previous version or nothing (or
        the new one, if the failed PUT landed after all), and stays so."""
        path, ino = pre.get("spath"), pre.get("sino")
        if self.mode != "sync" or not pre.get("writable") or path is None or \
                ino in self.sino.values():
            return
        self.stats["failed closes"] = self.stats.get("failed closes", 0) + 1
        now = self.key_state(path)
        new = self.ostate(path)
        allowed = before.alts.get(path, [None]) + [new]
        if now not in allowed and not (tainted and (now is None or (
                now[0] == "file" and now[1] in self.seen))):
            raise Divergence(op["i"], "failed-close", op, "a close of %s failed, and the bucket "
                             "holds %s: neither what it held before (%s) nor what was written"
                             % (path, durable.brief(now), " or ".join(
                                 durable.brief(x) for x in before.alts.get(path, [None]))))
        self.failed[path] = now
        if tainted:
            return  # (what it held before is not known exactly)
        # ... and the mount shows it again (or, within stat_ttl, the version
        # it knew before, if the failed PUT landed after all)
        r = self.mnt.run({"i": op["i"], "k": "cat", "p": path})
        shown = [x[1] for x in allowed[:-1] + [now] if x is not None and x[0] == "file"]
        if r[0] == "ok" and r[1] not in shown or r[0] == "err" and (
                r[1] not in W.FAULT_ERRNOS and not (r[1] == "ENOENT" and None in allowed[:-1] + [now])):
            raise Divergence(op["i"], "failed-close", op, "a close of %s failed; the bucket holds "
                             "%s, and the mount then reads %s" % (path, durable.brief(now), show(r)))

    def oracle_mtime(self, d):
        try:
            return os.lstat(self.oracle.p(d)).st_mtime_ns
        except OSError:
            return None

    def parent_times(self, pre):
        """A directory whose entries an operation changed on the oracle
        changed on the mount too, now (divergences.DIR_MTIME_FOLLOWS_ENTRIES):
        its time is the call's, known on mount A while its cache lasts."""
        for d, was in pre.get("parents", {}).items():
            now = self.oracle_mtime(d)
            if now is not None and now != was:
                self.dmt[d] = (now // 10 ** 9, False, int(self.last_span) + 1)

    def dir_times(self, op, pre):
        """self.dmt after a mkdir, utimens, rmdir or rename both trees did."""
        k, real = op["k"], pre.get("real")
        if k == "rename" and real != pre["realq"]:
            q = pre["realq"]
            moved = {q + p[len(real):]: v for p, v in self.dmt.items()
                     if p == real or p.startswith(real + "/")}
            for p in [p for p in self.dmt if p == real or p.startswith(real + "/") or
                      p == q or p.startswith(q + "/")]:
                del self.dmt[p]
            self.dmt.update(moved)
        elif k == "rmdir":
            for p in [p for p in self.dmt if p == real or p.startswith(real + "/")]:
                del self.dmt[p]
        elif k in ("mkdir", "utime") and real is not None:
            st = os.lstat(self.oracle.p(real))
            if stat.S_ISDIR(st.st_mode):
                given = k == "utime" and op.get("t") is not None
                t = op["t"] // 10 ** 9 if given else st.st_mtime_ns // 10 ** 9
                # (the call's time: anywhere in it on the mount)
                span = 0 if given else int(self.last_span) + 1
                self.dmt[real] = (t, k == "utime", span)

    def check_dir_mtime(self, op, path, got):
        want = self.dmt.get(path)
        if want is not None:
            self.stats["dir mtimes"] = self.stats.get("dir mtimes", 0) + 1
        if want is not None and not divergences.dir_mtime_close(got, want[0], want[2]):
            raise Divergence(op["i"], "dir-mtime", op, "%s: the mount shows the directory's mtime "
                             "%d, it was %s %d" % (path, got, "set by utimens to" if want[1]
                                                  else "created at", want[0]))

    def check_dir_mtimes(self, op, why):
        """Every directory whose mtime the tester knows shows it on mount A."""
        bad = []
        for p, (t, kept, span) in sorted(self.dmt.items()):
            self.stats["dir mtimes"] = self.stats.get("dir mtimes", 0) + 1
            try:
                st = os.lstat(self.A.mnt + "/" + p)
            except OSError as e:
                bad.append("%s: %s" % (p, e))
                continue
            if not divergences.dir_mtime_close(st.st_mtime_ns // 10 ** 9, t, span):
                bad.append("%s: mtime %d, it was %s %d" % (
                    p, st.st_mtime_ns // 10 ** 9, "set by utimens to" if kept else "created at", t))
        if bad:
            raise Divergence(op["i"], "dir-mtime", op, "after the %s, directories' mtimes are not "
                             "what bucketfs keeps:\n    %s" % (why, "\n    ".join(bad[:10])))

    def check_failed(self, op, why):
        """The files whose close failed are still what the bucket held
        right after (no late upload by itself)."""
        bad = []
        for p, was in sorted(self.failed.items()):
            now = self.key_state(p)
            if now != was:
                bad.append("%s: %s right after the failed close, %s %s" % (
                    p, durable.brief(was), durable.brief(now), why))
        if bad:
            raise Divergence(op["i"], "failed-close", op, "a file whose close failed changed in "
                             "the bucket by itself:\n    " + "\n    ".join(bad[:10]))

    def accept(self, rm, kill_after_ms, involved):
        """May this mount result differ from the oracle's, the state being
        uncertain from here?"""
        if kill_after_ms is not None and rm[0] == "err" and rm[1] in W.CRASH_ERRNOS:
            return True
        if self.fault_mode and rm[0] == "err" and rm[1] in W.FAULT_ERRNOS:
            return True
        return bool(self.taint) and self.tainted(involved)

    @staticmethod
    def same(ro, rm):
        if ro[0] == rm[0] == "ok" and isinstance(ro[1], dict) and isinstance(rm[1], dict):
            return divergences.stat_equal(ro[1], rm[1]) is None
        return ro == rm

    def fifo(self, op, pre, ro, rm, kill_after_ms, involved):
        """mkfifo: made on both sides (on the mount, an empty object whose
        mode says FIFO: SEMANTICS.md), compared, then taken away on both,
        since a FIFO would block the model's later opens of the name."""
        real = pre.get("real") or op["p"]
        # (made and removed: its directory's time changed twice, untracked)
        self.dmt.pop(os.path.dirname(real), None)
        if ro[0] == "ok":
            os.unlink(self.oracle.p(op["p"]))
        if ro != rm and not self.accept(rm, kill_after_ms, involved):
            raise Divergence(op["i"], "result", op, "%s: mount %s, local disk %s"
                             % (opgen.render(op), show(rm), show(ro)))
        if rm[0] != "ok" and ro == rm:
            return
        mp = self.mnt.p(op["p"])
        try:
            if rm[0] == "ok" and not stat.S_ISFIFO(os.lstat(mp).st_mode):
                raise Divergence(op["i"], "result", op, "%s: the mount made no FIFO"
                                 % opgen.render(op))
        except OSError:
            pass
        for _ in range(10):
            try:
                os.unlink(mp)
                return
            except FileNotFoundError:
                return
            except OSError:
                if not self.fault_mode and kill_after_ms is None:
                    raise
                time.sleep(0.3)
        self.taint.add(real)  # (still there, perhaps: a fault or a crash)

    def undo_refused(self, op, pre):
        """The local disk did what bucketfs refuses: take it back there."""
        k, o = op["k"], self.oracle
        if k == "link":
            os.unlink(o.p(op["q"]))
        elif k == "setxattr":
            os.removexattr(o.p(op["p"]), "user.model", follow_symlinks=False)
        elif k == "rename":
            # by the paths resolved before: op's own may lead elsewhere now
            # (x/y, x a symlink, exchanged with x itself)
            fsops.renameat2(o.p(pre["real"]), o.p(pre["realq"]), fsops.RENAME_FLAGS["exchange"])

    def uncertain(self, op, pre, ro, rm, before):
        self.stats["uncertain"] += 1
        if ro[0] == "ok":
            self.effects(op, pre)
        # (after effects, which records a utimens's time as kept: the mount
        # failed it, so the directory's time is the old one or the new one)
        involved = [pre.get("real"), pre.get("realq"), pre.get("spath")]
        for p in [p for p in self.dmt if self.related(p, involved)]:
            del self.dmt[p]
        self.dur.merge_uncertain(before)
        k = op["k"]
        # fds: make both sides agree on which slots are open
        if k == "open" and ro[0] == "ok" and rm[0] != "ok":
            sl = self.oracle.slots.pop(op["s"])
            os.close(sl.fd)
            self.spath.pop(op["s"], None)
            self.sino.pop(op["s"], None)
        elif k == "open" and rm[0] == "ok" and ro[0] != "ok":
            os.close(self.mnt.slots.pop(op["s"]).fd)
        if self.fault_mode and not self.crashing:
            for p in (pre.get("real"), pre.get("realq"), pre.get("spath")):
                if p is not None:
                    self.taint.add(p)
            for s, p in self.spath.items():
                if p is not None and self.tainted([p]):
                    self.taint.add(p)

    def ack(self, path, ino, state):
        self.dur.set(path, state)
        self.dirty.discard(ino)
        if state is not None and state[0] == "file":
            self.seen.add(state[1])

    def effects(self, op, pre):
        """Bookkeeping after an operation both trees did: fd paths, unacked
        files, and what is now acknowledged."""
        k, s = op["k"], op.get("s")
        real = pre.get("real")
        if k in ("mkdir", "utime", "rmdir", "rename"):
            self.dir_times(op, pre)
        if k in ENTRY_KINDS:
            self.parent_times(pre)
        if k == "open":
            ino = os.fstat(self.oracle.slots[s].fd).st_ino
            self.spath[s], self.sino[s] = real, ino
            if "TRUNC" in op["fl"] or not pre.get("existed"):
                self.dirty.add(ino)
        elif k in ("write", "pwrite", "ftruncate"):
            self.dirty.add(self.sino[s])
            if self.fault_mode:
                self.seen.add(self.slot_state(s)[1])  # (a write: on a file)
        elif k == "close":
            path, ino = pre["spath"], pre["sino"]
            self.spath.pop(s, None)
            self.sino.pop(s, None)
            if pre["writable"] and path is not None:
                self.ack(path, ino, self.ostate(path))
            elif path is not None and ino in self.dirty and ino not in self.sino.values():
                # SEMANTICS.md: the last (read-only) descriptor's release uploads
                # what no close did (a file created read-only); the close does
                # not wait for it
                self.dur.add_alt(path, self.ostate(path))
        elif k == "fsync":
            if pre["spath"] is not None:
                self.ack(pre["spath"], pre["sino"], self.slot_state(s))
        elif k == "truncate":
            st = self.ostate(real)
            self.ack(real, os.lstat(self.oracle.p(real)).st_ino, st)
        elif k == "unlink":
            self.dur.set(real, None)
            for t, p in self.spath.items():
                if p == real:
                    self.spath[t] = None
        elif k == "rmdir":
            self.dur.drop_tree(real)
            for t, p in self.spath.items():  # (a directory open here: gone)
                if p == real:
                    self.spath[t] = None
        elif k in ("mkdir", "symlink"):
            self.dur.set(real, self.ostate(real))
        elif k == "rename":
            q = pre["realq"]
            if real == q:
                return
            for t, p in self.spath.items():
                if p is not None and (p == q or p.startswith(q + "/")):
                    self.spath[t] = None
            moved = []
            for t, p in self.spath.items():
                if p is not None and (p == real or p.startswith(real + "/")):
                    self.spath[t] = q + p[len(real):]
                    if self.sino[t] in self.dirty:
                        moved.append(t)
            self.dur.move_tree(real, q)
            # SEMANTICS.md: unuploaded writes of an open source are uploaded first
            for t in moved:
                self.dur.add_alt(self.spath[t], self.slot_state(t))
        elif k in ("chmod", "chown", "fchmod"):
            path = real if k != "fchmod" else pre.get("spath")
            if path is None:
                return
            st = self.ostate(path)
            if st is None or st[0] == "link":
                return
            perm, uid, gid = (st[2], st[3], st[4]) if st[0] == "file" else st[1:]
            busy = any(p == path and self.sino.get(t) in self.dirty for t, p in self.spath.items())
            self.dur.chmeta(path, perm, uid, gid, keep_old=busy)

    # --- the tester's own operations ----------------------------------------------
    def step(self, op):
        k = op["k"]
        if self.a.trace and k not in opgen.FS_WEIGHTS:
            log("%4d %s" % (op["i"], opgen.render(op)))
        if k == "crash":
            return self.crash(op)
        if self.a.check_each and self.mode == "sync" and not self.fault_mode:
            self.fs_step(op) if k in opgen.FS_WEIGHTS else None
            tree = {p: s for p, s in self.bucket().items() if s[0] != "dir"}
            want = durable.Durable()
            want.alts = {p: a for p, a in self.dur.alts.items() if a[0] is None or a[0][0] != "dir"}
            bad = want.check(tree)
            if bad:
                raise Divergence(op["i"], "bucket", op, "(checked after each operation) the bucket "
                                 "does not hold what was acknowledged:\n    " + "\n    ".join(bad[:10]))
            if k in opgen.FS_WEIGHTS:
                return
        if k == "observe":
            return self.observe(op)
        if k == "audit":
            return self.audit(op)
        if k == "evict":
            rc, out = self.A.ctl("evict", self.A.mnt, "--all")
            if rc != 0:
                raise Divergence(op["i"], "evict", op, "bucketfsctl evict failed: %s" % out.strip())
            return
        if k == "remount":
            return self.remount(op)
        if k == "pause":
            time.sleep(op["t"])
            return
        if k == "faults":
            return self.faults(op)
        return self.fs_step(op)

    def close_all(self, op):
        """Close every open slot on both sides, as close operations."""
        for s in sorted(set(self.oracle.slots) | set(self.mnt.slots)):
            self.fs_step({"i": op["i"], "k": "close", "s": s})

    def crash(self, op):
        self.stats["crashes"] += 1
        inner = dict(op["op"], i=op["i"])
        self.crashing = True
        try:
            self.fs_step(inner, kill_after_ms=op["d"])
        finally:
            self.crashing = False
        self.A.kill9()
        self.mnt.forget_all()
        # in a fault phase: the remount and its checks on a quiet network
        # (a flush, the walk of the mount), then the phase goes on
        mode = self.fault_mode
        if mode:
            self.w.proxy.set(None, 0)
        try:
            self.rebuild(op, "crash", same_cache=True)
        finally:
            if mode and self.fault_mode == mode:
                self.w.proxy.set(mode, self.a.seed * 1000 + op["i"] + 777)

    def faults(self, op):
        if op["mode"]:
            if self.fault_mode:
                return
            self.stats["faults"] += 1
            self.fault_mode = op["mode"]
            self.w.proxy.set(self.fault_mode, self.a.seed * 1000 + op["i"])
            return
        if not self.fault_mode:
            return
        self.close_all(op)
        self.fault_mode = None
        self.w.proxy.set(None, 0)
        self.rebuild(op, "faults", same_cache=False)

    def settle_faults(self, op):
        """Before a check that needs a quiet network: end a fault phase."""
        if self.fault_mode:
            self.faults({"i": op["i"], "k": "faults", "mode": None})

    def flush(self, op):
        rc, out = self.A.flush(60)
        if rc != 0:
            raise Divergence(op["i"], "flush", op, "bucketfsctl flush: %s" % out.strip()[-300:])

    def bucket(self):
        return durable.bucket_tree(self.w.objects(self.prefix))

    def audit(self, op):
        """Everything acknowledged is in the bucket, and nothing else."""
        self.settle_faults(op)
        self.stats["audits"] += 1
        self.flush(op)
        tree = self.bucket()
        bad = self.dur.check(tree)
        if bad:
            raise Divergence(op["i"], "bucket", op, "the bucket does not hold what was "
                             "acknowledged:\n    " + "\n    ".join(bad[:10]))
        for p, alts in list(self.dur.alts.items()):
            if len(alts) > 1:
                self.dur.set(p, tree.get(p))

    def rebuild(self, op, why, same_cache):
        """After a crash, or at the end of a fault phase: the bucket must
        hold every acknowledged state (one of the possible ones); adopt
        what it holds, check that the mount shows exactly that, and reset
        the oracle to it."""
        if same_cache:
            self.mount_a(False)
            self.failed = {}
        self.flush(op)
        self.check_failed(op, "after the fault phase, flushed")
        tree = self.bucket()
        bad = self.dur.check(tree, loose=self.taint, seen=self.seen)
        if bad:
            raise Divergence(op["i"], why, op, "after the %s the bucket does not hold what "
                             "was acknowledged:\n    %s" % (why, "\n    ".join(bad[:10])))
        if not same_cache:
            self.A.stop()
            self.check_failed(op, "once that mount was unmounted")
            self.failed = {}
            self.mount_a(True)
        self.adopt(op, tree, why)

    def adopt(self, op, tree, why):
        full = tree
        self.dur = durable.Durable()
        for p, s in tree.items():
            self.dur.set(p, s)
        self.spath, self.sino, self.dirty, self.taint = {}, {}, set(), set()
        self.seen = {s[1] for s in tree.values() if s[0] == "file"}
        self.oracle.forget_all()
        view = self.mount_view(op, tree)
        if not self.a.second_meta:
            view = {p: lite(s) for p, s in view.items()}
            tree = {p: lite(s) for p, s in tree.items()}
        bad = [p for p in sorted(set(view) | set(tree)) if view.get(p) != tree.get(p)]
        if bad:
            raise Divergence(op["i"], why + "-view", op, "after the %s the mount does not show "
                             "what the bucket holds:\n    %s" % (why, "\n    ".join(
                                 "%s: mount %s, bucket %s" % (p, durable.brief(view.get(p)),
                                                              durable.brief(tree.get(p)))
                                 for p in bad[:10])))
        self.reset_oracle(full)
        self.dmt = {p: v for p, v in self.dmt.items() if full.get(p, ("?",))[0] == "dir"}
        self.check_dir_mtimes(op, why)

    def mount_view(self, op, names=(), tries=5):
        # Look each name up first, as an application would: the attributes
        # of an object the mount first meets in a listing are not right
        # until looked up on their own (see tests/model/README.md).
        for p in sorted(names, key=lambda x: x.count("/")):
            try:
                os.lstat(self.A.mnt + "/" + p)
            except OSError:
                pass
        for n in range(tries):
            try:
                return fsops.snapshot(self.A.mnt)
            except OSError as e:
                last = e
                time.sleep(0.2)
        raise Divergence(op["i"], "view", op, "cannot walk the mount: %s" % last)

    def reset_oracle(self, tree):
        root = self.oracle.root
        shutil.rmtree(root)
        os.mkdir(root)
        for p in sorted(tree, key=lambda x: (x.count("/"), x)):
            s, full = tree[p], root + "/" + p
            if s[0] == "dir":
                os.mkdir(full)
                os.chown(full, s[2], s[3])  # (chown first: it clears set-id bits)
                os.chmod(full, s[1])
            elif s[0] == "file":
                with open(full, "wb") as f:
                    f.write(s[1])
                os.chown(full, s[3], s[4])
                os.chmod(full, s[2])
            elif "\x00" not in s[1]:
                os.symlink(s[1], full)
            else:  # (a "symlink" object holding data: shown as what it is)
                with open(full, "wb") as f:
                    f.write(s[1].encode("utf-8", "replace"))
        for p in sorted(tree, key=lambda x: -x.count("/")):
            try:
                st = os.lstat(self.A.mnt + "/" + p)
                os.utime(root + "/" + p, ns=(st.st_mtime_ns, st.st_mtime_ns), follow_symlinks=False)
            except OSError:
                pass

    def remount(self, op):
        """Close everything, unmount cleanly, mount again on the same cache:
        the mount shows the same as the local disk."""
        self.settle_faults(op)
        self.stats["remounts"] += 1
        self.close_all(op)
        rc = self.A.stop()
        if rc != 0:
            raise Divergence(op["i"], "remount", op, "bucketfs exited %s at unmount" % rc)
        self.mount_a(False)
        self.compare_views(op, "remount")

    def compare_views(self, op, why):
        local = fsops.snapshot(self.oracle.root)
        view = self.mount_view(op, local)
        bad = [p for p in sorted(set(view) | set(local)) if view.get(p) != local.get(p)]
        if bad:
            raise Divergence(op["i"], why, op, "after the %s the mount differs from the local "
                             "disk:\n    %s" % (why, "\n    ".join(
                                 "%s: mount %s, local %s" % (p, durable.brief(view.get(p)),
                                                             durable.brief(local.get(p)))
                                 for p in bad[:10])))
        self.check_dir_mtimes(op, why)

    def observe(self, op):
        """The second mount sees what was acknowledged, once its freshness
        window passed (polled, with a deadline); then a mount that knows
        nothing of the paths yet shows it exactly (second.py)."""
        if self.B is None:
            return
        self.settle_faults(op)
        self.stats["observes"] += 1
        if self.mode == "writeback":
            self.flush(op)
        self.observe_long(op)
        self.observe_fresh(op)

    def observe_long(self, op):
        """The long-lived second mount (its cache has seen earlier states):
        names and bytes, and with --strict-listing-meta the attributes a
        listing-first walk (ls -lR) shows as well."""
        meta = self.a.second_meta and self.a.strict_listing_meta
        deadline = time.time() + self.a.observe_deadline
        while True:
            try:
                view = fsops.snapshot(self.B.mnt)
                want = self.dur.alts
                if not meta:
                    # the attributes of what this mount met in a listing are
                    # the defaults (divergences.LISTING_META_DEFAULTS): names
                    # and bytes only (a symlink's target counts as its bytes)
                    view = {p: lite(s) for p, s in view.items()}
                    want = {p: [lite(s) for s in a] for p, a in want.items()}
                bad = [p for p in sorted(set(view) | set(want))
                       if view.get(p) not in want.get(p, [None])]
            except OSError as e:
                bad = ["walk: %s" % e]
                view = {}
            if not bad:
                return
            if time.time() > deadline:
                raise Divergence(op["i"], "observe", op, "the second mount, %.0f s on, does not "
                                 "show what was acknowledged%s:\n    %s" % (
                                     self.a.observe_deadline, "" if meta else " (names and bytes)",
                                     "\n    ".join(
                                         "%s: second mount %s, acknowledged %s" % (
                                             p, durable.brief(view.get(p)), " or ".join(
                                                 durable.brief(x) for x in self.dur.alts.get(p, [None])))
                                         if not p.startswith("walk:") else p for p in bad[:10])))
            time.sleep(0.3)

    def observe_fresh(self, op):
        """A mount on a new cache_dir (nothing known of the paths): every
        acknowledged path looked up by name first, then the listings
        (second.py).  The bucket already shows what was acknowledged (the
        long-lived mount saw it), so this is checked once, not polled."""
        cache = os.path.join(self.dir, "fresh-cache")
        shutil.rmtree(cache, ignore_errors=True)
        F = self.w.mount(self.prefix + "-F", self.prefix, "stat_ttl=0.3,negative_ttl=0.3,retries=4",
                         cache=cache)
        try:
            bad = second.check(F.mnt, self.dur.alts, meta=self.a.second_meta,
                               dir_mtimes={p: (t, span) for p, (t, kept, span) in self.dmt.items()
                                           if kept})
            bad = [b[2] for b in bad]
        finally:
            rc = F.stop()
            shutil.rmtree(cache, ignore_errors=True)
        if rc != 0:
            raise Divergence(op["i"], "fresh-mount", op, "the fresh second mount exited %s at "
                             "unmount" % rc)
        if bad:
            raise Divergence(op["i"], "fresh-mount", op, "a mount on a new cache does not show "
                             "what was acknowledged (each path looked up by name, then its "
                             "directory listed):\n    %s" % "\n    ".join(bad[:10]))

    def tolerate(self, bug, found):
        """found: one check's instances of a known bucketfs bug (KNOWN_BUGS).
        True if --known-bugs names it: then the check counts it (once) in
        the figures, and they are not a divergence."""
        if not found or bug not in self.a.known_bugs:
            return False
        key = "known %s" % bug
        self.stats[key] = self.stats.get(key, 0) + 1
        return True

    def finish(self):
        """The end: close everything, audit the bucket, remount and compare."""
        op = {"i": len(self.ops), "k": "end"}
        self.settle_faults(op)
        self.close_all(op)
        self.audit(op)
        self.remount(op)
        if self.B is not None:
            self.observe(op)

    def execute(self):
        t0 = time.monotonic()
        for op in self.ops:
            # a long run says how far it got (a run cut short still has
            # figures): every 5,000 operations
            if op["i"] and op["i"] % 5000 == 0 and not self.quiet:
                log("progress: op %d of %d, %d divergence(s), %.0f s, %s" %
                    (op["i"], len(self.ops), len(self.found), time.monotonic() - t0,
                     ", ".join("%s %d" % kv for kv in self.stats.items())))
            try:
                self.step(op)
            except Divergence as d:
                if not self.a.keep_going:
                    raise
                self.found.append(d)
                if not self.quiet:
                    # the whole of it now: a run cut short (a session's end, a
                    # kill) must not take the details with it
                    log("divergence (going on): %s" % str(d)[:6000])
                self.resync(op)
        self.finish()

    def resync(self, op):
        """After a divergence (--keep-going): start again from what the bucket
        holds, on a fresh cache."""
        self.oracle.forget_all()
        self.mnt.forget_all()
        self.fault_mode = None
        self.failed, self.dmt = {}, {}
        if self.w.proxy:
            self.w.proxy.set(None, 0)
        if not self.A.alive():
            self.A.kill9()
            self.mount_a(False)
        self.A.flush(60)
        self.A.stop()
        self.mount_a(True)
        tree = self.bucket()
        try:
            self.adopt(op, tree, "resync")
        except Divergence as d:
            self.found.append(d)
            self.reset_oracle(fsops.snapshot(self.A.mnt))
            self.dur = durable.Durable()
            for p, s in tree.items():
                self.dur.set(p, s)


def run_once(a, wld, prefix, mode, ops):
    """Run ops; returns the Divergence or None (and the run's stats)."""
    r = Run(a, wld, prefix, mode, ops)
    err = None
    try:
        r.setup()
        r.execute()
    except Divergence as d:
        err = d
        if a.keep_going:
            r.found.append(d)
    finally:
        try:
            r.teardown()
        except Exception as e:
            log("teardown: %s" % e)
    return err, r


SHRINK_N = [0]


def shrink(a, wld, mode, ops, div, budget_s):
    """Smaller op lists that fail the same way: cut after the failing op,
    then drop chunks (halves, quarters, ... single ops)."""
    sig = div.signature()
    cur = [o for o in ops if o["i"] <= div.idx]
    end = time.time() + budget_s
    tries = [0]

    def fails(cand):
        if time.time() > end:
            return False, None
        tries[0] += 1
        SHRINK_N[0] += 1
        e, r = run_once(a, wld, "s%d" % SHRINK_N[0], mode, cand)
        for d in (r.found if a.keep_going else [e]):
            if d is not None and d.signature() == sig:
                return True, d
        return False, e
    ok, e = fails(cur)
    if not ok:
        return None, tries[0]
    best = (cur, e)
    # the tester's own operations (pauses, audits, ...) but the last, then
    # the shortest suffix that still fails, then chunks
    cand = [o for o in cur[:-1] if o["k"] in opgen.FS_WEIGHTS] + cur[-1:]
    if len(cand) < len(cur):
        ok, e = fails(cand)
        if ok:
            cur, best = cand, (cand, e)
    for tail in (10, 30, 100, 300):
        if tail >= len(cur):
            break
        cand = cur[-tail:]
        ok, e = fails(cand)
        if ok:
            cur, best = cand, (cand, e)
            break
    n = 2
    while len(cur) > 1 and time.time() < end:
        chunk = max(1, len(cur) // n)
        removed = False
        i = 0
        while i < len(cur) - 1 and time.time() < end:
            cand = cur[:i] + cur[i + chunk:]
            if cand and cand[-1] is cur[-1]:
                ok, e = fails(cand)
                if ok:
                    cur, best, removed = cand, (cand, e), True
                    continue
            i += chunk
        if not removed:
            if chunk == 1:
                break
            n *= 2
    return best, tries[0]


def report(a, mode, div, ops, minimal, tries):
    print("not ok - model: divergence (seed %d, mode %s) at op %d: %s" % (a.seed, mode, div.idx, div.what))
    for line in str(div.msg).splitlines():
        print("#   " + line)
    # (each mode of --mode both runs ops/2 operations, with --crashes crashes
    # expected in each: the same sequence is that mode alone with ops/2)
    extra = "%s%s%s" % (" --faults --fault-retries %s" % ",".join(map(str, a.fault_retries))
                        if a.faults else "", " --strict-listing-meta" if a.strict_listing_meta
                        else "", " --known-bugs " + ",".join(sorted(a.known_bugs))
                        if a.known_bugs else "")
    if a.replay:
        print("# reproduce: tests/model/run.sh --mode %s --replay %s%s" % (mode, a.replay, extra))
    else:
        print("# reproduce: tests/model/run.sh --seed %d --ops %d --mode %s --crashes %d%s" % (
            a.seed, a.ops // (2 if a.mode == "both" else 1), mode, a.crashes, extra))
    if minimal:
        seq, e = minimal
        print("# shrunk to %d operations (%d replays), failing with: %s" % (len(seq), tries, e))
        print("# as Python (M: the mount; fd = {}; data(i, n) as in tests/model/fsops.py):")
        for o in seq:
            print("#   " + opgen.render(o))
        path = os.path.join(a.repro_dir, "model-seed%d-%s-op%d.json" % (a.seed, mode, div.idx))
        os.makedirs(a.repro_dir, exist_ok=True)
        with open(path, "w") as f:
            json.dump(seq, f)
        print("# replay: tests/model/run.sh --mode %s --replay %s%s" % (mode, path, extra))
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--bucket", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--ops", type=int, default=1000)
    ap.add_argument("--crashes", type=int, default=3)
    ap.add_argument("--mode", choices=["sync", "writeback", "both"], default="both")
    ap.add_argument("--writeback", default="0.3")
    ap.add_argument("--faults", action="store_true")
    ap.add_argument("--fault-modes", default=",".join(W.FAULT_MODES))
    ap.add_argument("--fault-retries", default="0,1,2",
                    help="with --faults, mount A's retries= is one of these, drawn per run")
    ap.add_argument("--no-second", dest="second", action="store_false")
    ap.add_argument("--no-big", dest="big", action="store_false",
                    help="no files of 6-12 MiB (multipart uploads, ranged reads)")
    ap.add_argument("--observe-deadline", type=float, default=15)
    ap.add_argument("--shrink-time", type=float, default=120)
    ap.add_argument("--keep-going", action="store_true",
                    help="after a divergence, resynchronise and go on (report all)")
    ap.add_argument("--check-each", action="store_true",
                    help="sync mode: check the bucket's files after every operation (slow)")
    ap.add_argument("--strict-listing-meta", action="store_true",
                    default=not divergences.LISTING_META_DEFAULTS,
                    help="the long-lived second mount: compare the attributes a listing-first "
                         "walk shows too (mode, owner, symlink-ness of entries met in a "
                         "listing), not only names and bytes")
    ap.add_argument("--no-second-meta", dest="second_meta", action="store_false",
                    help="the second mount: compare names and bytes only (to explore past "
                         "the listing/metadata bug)")
    ap.add_argument("--known-bugs", default="",
                    help="explore past these reported bucketfs bugs (KNOWN_BUGS, comma-separated): "
                         "each instance is counted in the figures instead of being a divergence")
    ap.add_argument("--trace", action="store_true", help="log every operation and its results")
    ap.add_argument("--replay", help="a JSON op list (from a report) to run instead")
    ap.add_argument("--repro-dir", default="/tmp/bfs-model-repro")
    a = ap.parse_args()
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1, 10 ** 9)
    a.known_bugs = {b for b in a.known_bugs.split(",") if b}
    for b in a.known_bugs:
        if b not in KNOWN_BUGS:
            ap.error("unknown bug %r (model.py KNOWN_BUGS: %s)" % (b, ", ".join(KNOWN_BUGS)))
    a.fault_modes = [m for m in a.fault_modes.split(",") if m]
    a.fault_retries = [int(x) for x in a.fault_retries.split(",") if x]
    for m in a.fault_modes:
        if m not in W.FAULT_MODES:
            ap.error("unknown fault mode %r (world.py FAULT_MODES)" % m)
    os.umask(0o022)
    modes = ["sync", "writeback"] if a.mode == "both" else [a.mode]
    wld = W.World(a.tmp, a.bucket, a.src, a.build)
    failed = 0
    try:
        if a.faults:
            wld.proxy = W.Proxy(wld)
            wld.proxy.set(None, 0)
        for mode in modes:
            if a.replay:
                with open(a.replay) as f:
                    ops = json.load(f)
            else:
                ops = opgen.Gen(a.seed * 2 + (mode == "writeback"), a).sequence(
                    a.ops // len(modes))
            t0 = time.time()
            log("seed %d, mode %s: %d operations, %d crashes%s" % (
                a.seed, mode, len(ops), sum(1 for o in ops if o["k"] == "crash"),
                ", faults %s, retries=%d" % (",".join(a.fault_modes), Run.fault_retries(a, mode))
                if a.faults else ""))
            div, r = run_once(a, wld, "m-%s-%d" % (mode, a.seed % 100000), mode, ops)
            log("seed %d, mode %s: %.1f s, %s" % (a.seed, mode, time.time() - t0, ", ".join(
                "%s %d" % kv for kv in r.stats.items())))
            if a.keep_going and r.found:
                div = r.found[0]
                sigs = {}
                for d in r.found:
                    sigs.setdefault(d.signature(), []).append(d)
                print("not ok - model: seed %d, mode %s: %d divergences, %d kinds"
                      % (a.seed, mode, len(r.found), len(sigs)))
                for sig, ds in sorted(sigs.items(), key=lambda kv: kv[1][0].idx):
                    print("#  %3dx %s, first at op %d: %s" % (
                        len(ds), "/".join(str(x) for x in sig), ds[0].idx,
                        str(ds[0].msg).replace("\n", " | ")[:300]))
                failed += 1
                if a.shrink_time > 0 and not a.replay:
                    for sig, ds in sorted(sigs.items(), key=lambda kv: kv[1][0].idx):
                        if sig[0] == "resync-view":
                            continue  # (what the resync after another one saw)
                        log("shrinking %s (at most %.0f s)..." % ("/".join(map(str, sig)), a.shrink_time))
                        minimal, tries = shrink(a, wld, mode, ops, ds[0], a.shrink_time)
                        report(a, mode, ds[0], ops, minimal, tries)
                continue
            if div is None:
                print("ok - model: seed %d, mode %s: %d operations match the local disk"
                      % (a.seed, mode, len(ops)))
                continue
            failed += 1
            minimal, tries = (None, 0)
            if a.shrink_time > 0 and not a.replay:
                log("shrinking (at most %.0f s)..." % a.shrink_time)
                minimal, tries = shrink(a, wld, mode, ops, div, a.shrink_time)
                if minimal is None:
                    log("the divergence did not reproduce on a fresh replay (timing?)")
            report(a, mode, div, ops, minimal, tries)
    except Exception:
        traceback.print_exc()
        print("not ok - model: the tester failed (seed %d)" % a.seed)
        failed += 1
    finally:
        wld.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
