# SPDX-License-Identifier: MIT
"""durable.py - what must survive: per path, the states that bucketfs
acknowledged (a close or fsync that returned 0, a namespace operation that
returned 0), and how to read the same from the bucket.

A state is ("dir", perm, uid, gid), ("file", bytes, perm, uid, gid) or
("link", target); None stands for "absent".  Each path has a list of
states it may be in: one, normally; two or more after an operation whose
outcome is uncertain (it failed with EIO under faults, or was in flight
when the daemon was killed): its state before and after.  Looking at the
bucket settles it (adopt()).
"""
import stat

DEFAULT_DIR = ("dir", 0o755, 0, 0)  # a directory without a marker, mounted by root


def bucket_tree(objects):
    """{key: (body, meta)} below the mount's prefix -> {path: state}, as
    SEMANTICS.md says the mount shows it (an object wins over keys below
    its name)."""
    out = {}
    files = {}
    for key, (body, meta) in objects.items():
        if key.endswith("/"):
            path = key[:-1]
            if not path:
                continue
            mode = int(meta.get("mode", str(stat.S_IFDIR | 0o755)))
            out[path] = ("dir", stat.S_IMODE(mode), int(meta.get("uid", 0)), int(meta.get("gid", 0)))
        else:
            files[key] = (body, meta)
        parts = key.rstrip("/").split("/")
        for n in range(1, len(parts)):
            out.setdefault("/".join(parts[:n]), DEFAULT_DIR)
    for key, (body, meta) in files.items():
        mode = int(meta.get("mode", str(stat.S_IFREG | 0o644)))
        if stat.S_ISLNK(mode):
            out[key] = ("link", body.decode("utf-8", "replace"))
        else:
            out[key] = ("file", body, stat.S_IMODE(mode), int(meta.get("uid", 0)),
                        int(meta.get("gid", 0)))
    # hide what lies below a file
    for p in sorted(out):
        if out.get(p) and out[p][0] in ("file", "link"):
            for q in [q for q in out if q.startswith(p + "/")]:
                del out[q]
    return out


def brief(state):
    """A short readable form of a state, for reports."""
    if state is None:
        return "absent"
    if state[0] == "file":
        b = state[1]
        shown = b[:40] + (b"...(%d bytes)" % len(b) if len(b) > 40 else b"")
        return "file %r mode %o uid %d gid %d" % (shown, state[2], state[3], state[4])
    if state[0] == "dir":
        return "dir mode %o uid %d gid %d" % state[1:]
    return "symlink -> %r" % (state[1],)


class Durable:
    def __init__(self):
        self.alts = {}  # path -> [state or None, ...]

    def copy(self):
        d = Durable()
        d.alts = {k: list(v) for k, v in self.alts.items()}
        return d

    def set(self, path, state):
        if state is None:
            self.alts.pop(path, None)
        else:
            self.alts[path] = [state]

    def drop_tree(self, path):
        for k in [k for k in self.alts if k == path or k.startswith(path + "/")]:
            del self.alts[k]

    def move_tree(self, src, dst):
        moved = {}
        for k in [k for k in self.alts if k == src or k.startswith(src + "/")]:
            moved[dst + k[len(src):]] = self.alts.pop(k)
        self.drop_tree(dst)
        self.alts.update(moved)

    def chmeta(self, path, perm, uid, gid, keep_old):
        cur = self.alts.get(path)
        if not cur:
            return
        new = []
        for s in cur:
            if s is not None and s[0] == "file":
                new.append(("file", s[1], perm, uid, gid))
            elif s is not None and s[0] == "dir":
                new.append(("dir", perm, uid, gid))
            else:
                new.append(s)
        self.alts[path] = _dedupe((cur if keep_old else []) + new)

    def add_alt(self, path, state):
        cur = self.alts.get(path, [None])
        self.alts[path] = _dedupe(cur + [state])

    def merge_uncertain(self, before):
        """self holds the state after an operation whose outcome is not
        known: every path it changed may be in its state before or after."""
        for k in set(before.alts) | set(self.alts):
            b = before.alts.get(k, [None])
            a = self.alts.get(k, [None])
            if a != b:
                self.alts[k] = _dedupe(b + a)

    def check(self, tree, loose=frozenset(), seen=frozenset()):
        """Compare the bucket's tree with what must be there.  Paths in
        loose (touched by uncertain operations during faults) may hold any
        state whose bytes were once written (seen: the set of contents).
        Returns a list of differences (strings)."""
        bad = []

        def is_loose(p):
            return any(p == t or p.startswith(t + "/") or t.startswith(p + "/") for t in loose)
        for p in sorted(set(self.alts) | set(tree)):
            got = tree.get(p)
            want = self.alts.get(p, [None])
            if got in want:
                continue
            if is_loose(p):
                if got is None or got[0] != "file" or got[1] in seen:
                    continue
                bad.append("%s: %s: bytes that were never written there (torn or garbage)"
                           % (p, brief(got)))
                continue
            bad.append("%s: holds %s, expected %s" % (p, brief(got), " or ".join(brief(w) for w in want)))
        return bad


def _dedupe(lst):
    out = []
    for s in lst:
        if s not in out:
            out.append(s)
    return out
