#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""callgraph.py - the call graph between bucketfs's source files, from the
symbols of their object files (nm): file A -> file B when A uses a function
or variable B defines.  Prints each loop (a strongly connected component of
more than one file) and exits 1 if there is one.  Static functions and calls
inside a file do not count: only what crosses files does.

    python3 contrib/callgraph.py BUILD_DIR        (a cmake build of bucketfs)
    python3 contrib/callgraph.py BUILD_DIR --dot  (the graph, for graphviz)
    python3 contrib/callgraph.py BUILD_DIR --levels src/fs/
        (with no loop: the files under src/fs/ by level, bottom-up, a file's
        level one more than the highest of the files there it calls; what
        docs/ARCHITECTURE.md's list of the fs layer shows)
    python3 contrib/callgraph.py BUILD_DIR --tolerate src/fs/
        (a loop all of whose files are under src/fs/ is printed, not failed)
"""
import glob
import os
import subprocess
import sys


def objects(build):
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    objs = glob.glob(os.path.join(build, "CMakeFiles/bfs.dir/src/**/*.c.o"), recursive=True)
    out = {}
    for o in objs:
        src = os.path.relpath(o, os.path.join(build, "CMakeFiles/bfs.dir"))[:-2]
        if os.path.exists(os.path.join(top, src)):  # (not one a move left behind)
            out[src] = o
    if not out:
        sys.exit("callgraph.py: no object files under %s/CMakeFiles/bfs.dir/src (build first)" % build)
    return out


def symbols(obj):
    out = subprocess.run(["nm", "--defined-only", "-g", obj], capture_output=True, text=True,
                         check=True).stdout
    defined = {ln.split()[-1] for ln in out.splitlines() if ln.strip()}
    out = subprocess.run(["nm", "-u", obj], capture_output=True, text=True, check=True).stdout
    used = {ln.split()[-1] for ln in out.splitlines() if ln.strip()}
    return defined, used


def sccs(nodes, edges):
    """Tarjan's algorithm, iterative."""
    index, low, on, stack, out, n = {}, {}, set(), [], [], [0]
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = n[0]
        n[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = n[0]
                    n[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


def print_levels(files, edges):
    """Each file's level among files: 0 when it calls none of them."""
    level = {}

    def of(f):
        if f not in level:
            level[f] = 1 + max([of(g) for g in edges[f] if g in files], default=-1)
        return level[f]
    for f in files:
        of(f)
    for n in range(max(level.values()) + 1):
        print("%d: %s" % (n, " ".join(os.path.basename(f) for f in files if level[f] == n)))
    return 0


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    objs = objects(sys.argv[1])
    defs, uses = {}, {}
    for f, o in objs.items():
        d, u = symbols(o)
        uses[f] = u
        for s in d:
            defs[s] = f
    edges = {f: {defs[s] for s in uses[f] if s in defs and defs[s] != f} for f in objs}
    if "--dot" in sys.argv:
        print("digraph bucketfs {")
        for f in sorted(edges):
            for g in sorted(edges[f]):
                print('  "%s" -> "%s";' % (f, g))
        print("}")
        return 0
    loops = [c for c in sccs(sorted(objs), edges) if len(c) > 1]
    if "--levels" in sys.argv and not loops:
        under = sys.argv[sys.argv.index("--levels") + 1]
        return print_levels(sorted(f for f in objs if f.startswith(under)), edges)
    tolerate = sys.argv[sys.argv.index("--tolerate") + 1] if "--tolerate" in sys.argv else None
    nedges = sum(len(e) for e in edges.values())
    print("# %d files, %d edges between them, %d loop(s)" % (len(objs), nedges, len(loops)))
    for c in loops:
        print("loop of %d files: %s" % (len(c), " ".join(c)))
        for f in c:
            for g in sorted(edges[f] & set(c)):
                why = sorted(s for s in uses[f] if defs.get(s) == g)
                print("    %s -> %s: %s" % (f, g, ", ".join(why[:6]) + (" ..." if len(why) > 6 else "")))
    bad = [c for c in loops if not (tolerate and all(f.startswith(tolerate) for f in c))]
    if loops and not bad:
        print("# (tolerated: every loop is under %s)" % tolerate)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
