# SPDX-License-Identifier: MIT
"""divergences.py - the one list of what bucketfs deliberately does
differently from a local disk, as the model tester expects it.

This is the tester's copy of SEMANTICS.md's last section, "What differs
from a local disk": change both together.  Anything not named here must
behave exactly as on the local disk (the oracle): a difference is a bug.
"""
import errno
import stat

E = errno.errorcode

# Operations bucketfs refuses (SEMANTICS.md, "What is refused"), by the
# tester's op kind -> the errno the mount gives, whatever the local disk
# does.  Errors the kernel decides before asking bucketfs (a missing name,
# ENOTDIR on the way) are the same on both sides: when the local disk fails
# with one of PRE_FS, that error is expected instead.
REFUSED = {
    "link": "EPERM",           # hard links
    "rename_exchange": "EINVAL",  # rename(2) with RENAME_EXCHANGE
    "setxattr": "ENOTSUP",     # extended attributes are not stored
    "listxattr": "ENOTSUP",    # (ENOTSUP is EOPNOTSUPP on Linux)
    "getxattr": "ENODATA",     # ... and none is there to read
}
# fstat and fchmod (fchown, futimens alike) of a descriptor of a directory
# removed (rmdir) while open: ESTALE where a local disk answers.  libfuse's
# high-level API names every request by path, and the kernel passes no
# handle with a directory's getattr or setattr: a removed directory has no
# name left (an unlinked open file keeps one: it works).  By op kind.
REMOVED_DIR_FD = {"fstat": "ESTALE", "fchmod": "ESTALE"}
PRE_FS = {"ENOENT", "ENOTDIR", "ELOOP", "ENAMETOOLONG", "EEXIST", "EXDEV",
          "EPERM"}  # (user.* xattrs on a symlink, a hard link to a directory)

# stat fields that are compared, by type (SEMANTICS.md: st_ino, st_dev,
# st_blocks and st_blksize are not kept; a directory's st_nlink is 1 and its
# st_size 4096 whatever it holds; ctime and atime are kept, and compared by
# tests/posix/conformance.py, not here).
FIELDS = {
    "file": ("perm", "uid", "gid", "size", "nlink", "mtime"),
    "link": ("uid", "gid", "size", "mtime"),
    "dir": ("perm", "uid", "gid"),
}

# mtime: kept in whole seconds in the bucket (x-amz-meta-mtime); the time a
# write sets is the daemon's clock when the write reaches it, so a file's
# mtime set by a write may differ by this much from the local disk's.
MTIME_SLACK_S = 2
# A directory's mtime is the time of the last call that changed it through
# mount A: a mkdir, an entry made, removed or renamed in it (as on a local
# disk, known on mount A while its cache lasts: bucketfs keeps it in its
# index, and in the marker only when that is next written), or a utimens
# (a time every mount shows, across remounts, crashes and renames: its
# marker carries it).  So it is compared with the time of that call (to
# within MTIME_SLACK_S, and the call's span on the mount), not with the
# local disk's, which also follows what the tester undoes there.  A
# directory known only from the keys below it has no time of its own: not
# compared.
DIR_MTIME_FOLLOWS_ENTRIES = True


def dir_mtime_close(got, t, span=0):
    """A directory's mtime got (seconds) against t, the local disk's time
    of the call that set it (mkdir, utimens to now), which took span
    seconds on the mount: the mount's time is the daemon's when the call
    reached it, after the kernel's own lookups (which a hanging server
    holds), so anywhere in the call, to within MTIME_SLACK_S."""
    return t - MTIME_SLACK_S <= got <= t + span + MTIME_SLACK_S

# Another mount's attributes of an object it met only in a listing: S3
# listings carry no metadata, but bucketfs asks (a HEAD, a marker's probe)
# before it answers a lookup of such a name (SEMANTICS.md, "Names: lookups
# and their cost"), so they are compared in full like everything else.
# (True would compare only names and bytes of the second mount's
# listing-first walk: model.py's --strict-listing-meta is its opposite.)
LISTING_META_DEFAULTS = False


def expected_refusal(kind, oracle):
    """The result the mount must give for op kind when the local disk gave
    oracle, or None when the results must simply be equal."""
    want = REFUSED.get(kind)
    if want is None:
        return None
    if oracle[0] == "err" and oracle[1] in PRE_FS:
        return oracle
    return ("err", want)


def stat_fields(st, kind):
    """The compared part of an lstat/fstat result."""
    if stat.S_ISDIR(st.st_mode):
        t = "dir"
    elif stat.S_ISLNK(st.st_mode):
        t = "link"
    elif stat.S_ISREG(st.st_mode):
        t = "file"
    else:
        t = "other:%o" % stat.S_IFMT(st.st_mode)
    out = {"type": t}
    for f in FIELDS.get(t, ()):
        if f == "perm":
            out[f] = "%04o" % stat.S_IMODE(st.st_mode)
        elif f == "mtime":
            out[f] = st.st_mtime_ns // 1000000000
        else:
            out[f] = getattr(st, "st_" + f)
    if t == "dir":
        # not compared with the local disk's (DIR_MTIME_FOLLOWS_ENTRIES):
        # model.py compares it with what bucketfs keeps (its creation or
        # utimens time), when it knows that
        out["dir_mtime"] = st.st_mtime_ns // 1000000000
    return out


def stat_equal(o, m):
    """Compare two stat_fields dicts (oracle, mount); returns the first
    difference as a string, or None.  A directory's mtime is in them only
    when the tester knows it (set by utimens, nothing changed in it since)."""
    for k in sorted(set(o) | set(m)):
        a, b = o.get(k), m.get(k)
        if k == "dir_mtime":
            continue
        if k == "mtime":
            if a is None or b is None:
                continue
            if abs(a - b) > MTIME_SLACK_S:
                return "mtime %s != %s" % (a, b)
            continue
        if a != b:
            return "%s %s != %s" % (k, a, b)
    return None
