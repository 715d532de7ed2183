# SPDX-License-Identifier: MIT
"""second.py - what another mount must show of the acknowledged state,
checked the way SEMANTICS.md promises it.

A mount whose cache knows nothing of the paths yet (a fresh cache_dir)
looks every acknowledged path up by name first, as an application opening
a known name does, and only then lists the directories:

  - by name (lstat, then readlink or a read): type, permission bits,
    owner, size and bytes must be one of the path's acknowledged states;
  - by listing: each directory's names must be the acknowledged ones, and
    an entry looked up by name must still show what its lookup showed
    (a listing may not take back what a lookup learnt).

An object the mount meets only in a listing shows default attributes
(SEMANTICS.md, "Attributes that only metadata carries"); looking every
name up first keeps that documented gap out of the check, and nothing else.
"""
import errno
import os
import stat

import divergences
import durable


def by_name(root, rel):
    """The state of rel under root as a lookup by name shows it (durable.py's
    form, or None if absent), and a list of problems the state cannot hold,
    as (kind, text): a size that disagrees with the bytes ("size", or
    "symlink-size" for a symlink's), an error other than ENOENT ("error")."""
    full = root + "/" + rel
    try:
        st = os.lstat(full)
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            return None, []
        return None, [("error", "lstat: %s" % errno.errorcode.get(e.errno, e.errno))]
    perm = stat.S_IMODE(st.st_mode)
    try:
        if stat.S_ISDIR(st.st_mode):
            return ("dir", perm, st.st_uid, st.st_gid), []
        if stat.S_ISLNK(st.st_mode):
            target = os.readlink(full)
            n = len(os.fsencode(target))
            return ("link", target), ([] if st.st_size == n else [
                ("symlink-size", "symlink st_size %d, its target is %d bytes" % (st.st_size, n))])
        if not stat.S_ISREG(st.st_mode):
            return ("other", "%o" % stat.S_IFMT(st.st_mode)), []
        with open(full, "rb") as f:
            body = f.read()
        return ("file", body, perm, st.st_uid, st.st_gid), ([] if st.st_size == len(body) else [
            ("size", "st_size %d, read %d bytes" % (st.st_size, len(body)))])
    except OSError as e:
        return None, [("error", "reading it: %s" % errno.errorcode.get(e.errno, e.errno))]


def _lite(state):
    """A state's bytes (a symlink's target counts as its bytes)."""
    if state is None or state[0] == "dir":
        return state and ("dir",)
    return ("data", os.fsencode(state[1]) if state[0] == "link" else state[1])


def check(root, alts, meta=True, dir_mtimes=None):
    """Compare the mount at root with alts ({path: [state or None, ...]},
    durable.Durable.alts); meta False: names and bytes only (model.py's
    --no-second-meta); dir_mtimes: {path: (seconds, span)} directories whose mtime
    is known (set by utimens).  Returns the differences as (path, kind, text):
    kind "absent" (an acknowledged path the mount does not show), "differs",
    "listing" (what a lookup showed changed once its directory was listed),
    or by_name()'s problem kinds."""
    bad = []
    seen = {}  # path -> the state its lookup by name showed
    norm = (lambda s: s) if meta else _lite

    def want(p):
        return alts.get(p, [None])

    def ok(state, p):
        return norm(state) in [norm(w) for w in want(p)]

    def show(states):
        return " or ".join(durable.brief(s) for s in states)
    # 1. by name, parents first (as a path walk goes)
    for p in sorted(alts, key=lambda x: (x.count("/"), x)):
        got, probs = by_name(root, p)
        seen[p] = got
        if not ok(got, p):
            bad.append((p, "absent" if got is None else "differs", "%s: by name %s, acknowledged %s"
                        % (p, durable.brief(got), show(want(p)))))
        bad.extend((p, k, "%s: by name: %s" % (p, x)) for k, x in probs)
        if meta and got and got[0] == "dir" and p in (dir_mtimes or {}):
            t = os.lstat(root + "/" + p).st_mtime_ns // 10 ** 9
            if not divergences.dir_mtime_close(t, *dir_mtimes[p]):
                bad.append((p, "dir-mtime", "%s: by name, directory mtime %d, set by utimens "
                            "to %d" % (p, t, dir_mtimes[p][0])))
    # 2. the listings: the root and every directory found by name
    dirs = [""] + sorted((p for p, s in seen.items() if s and s[0] == "dir"),
                         key=lambda x: (x.count("/"), x))
    for d in dirs:
        try:
            names = set(os.listdir(root + "/" + d if d else root))
        except OSError as e:
            bad.append((d or ".", "error", "%s: listing it: %s"
                        % (d or ".", errno.errorcode.get(e.errno, e.errno))))
            continue
        pre = d + "/" if d else ""
        kids = {p[len(pre):] for p in alts if p.startswith(pre) and "/" not in p[len(pre):]}
        for n in sorted(names | kids):
            p = pre + n
            if n not in names:
                if None not in want(p):
                    bad.append((p, "absent", "%s: not in the listing of %s, acknowledged %s"
                                % (p, d or ".", show(want(p)))))
                continue
            # listed: a lookup now must find it, as acknowledged; and a path
            # looked up before the listing must show what that lookup showed
            # (unless its bytes changed meanwhile: an upload that a close
            # does not wait for, durable.py's alternatives)
            now, probs = by_name(root, p)
            if now is None or not ok(now, p):
                bad.append((p, "differs", "%s: listed in %s, then by name %s, acknowledged %s"
                            % (p, d or ".", durable.brief(now), show(want(p)))))
            elif meta and seen.get(p) is not None and now != seen[p] and \
                    _lite(now) == _lite(seen[p]):
                bad.append((p, "listing", "%s: showed %s by name, %s once %s was listed"
                            % (p, durable.brief(seen[p]), durable.brief(now), d or ".")))
            bad.extend((p, k, "%s: after the listing: %s" % (p, x)) for k, x in probs)
    return bad
