# SPDX-License-Identifier: MIT
"""world.py - what the model tester drives besides the two trees: bucketfs
daemons (mount, kill -9, remount on the same cache_dir, unmount), the fault
proxy in front of radosgw, bucketfsctl, and boto3 straight to radosgw.

Every wait here is bounded by a deadline; nothing asserts on timing.
Everything started here is registered and stopped by World.close(), which
model.py runs in a finally block (and tests/lib.sh's reaper catches what a
kill -9 of the tester itself would leave).
"""
import os
import signal
import subprocess
import sys
import time

import boto3
import botocore.config

# The fault proxy's modes the tester draws from with --faults: NAME -> the
# faultproxy.py --mix spec (and extra arguments).  Adding a mode that
# faultproxy.py knows is one line here.
FAULT_MODES = {
    "503": ("503=0.3", []),
    "500": ("500=0.2", []),
    "reset": ("reset=0.2", []),
    "early": ("PUT:early=0.3", []),
    "cut": ("GET:cut=0.3", []),
    "flip": ("flip=0.2", []),
    "delay": ("delay=0.5", ["--delay-ms", "150"]),
    "hang": ("hang=0.05", ["--hang-s", "3"]),
    "mixed": ("503=0.1,reset=0.05,early=0.05,cut=0.05,flip=0.05", []),
}

# errnos an operation that reaches the network may fail with under faults
# (SEMANTICS.md: never success for data that is not there)
FAULT_ERRNOS = {"EIO", "ETIMEDOUT", "EAGAIN", "ECONNREFUSED", "ECONNRESET", "EBUSY", "ESTALE"}
# ... and what a call in flight when the daemon is killed gets
CRASH_ERRNOS = {"ENOTCONN", "ECONNABORTED", "EIO", "ENODEV"}


def log(msg):
    sys.stdout.write("# %s\n" % msg)
    sys.stdout.flush()


class Spawner:
    """Every process the tester starts is started by this helper, forked
    before the tester opens anything: a fork+exec by the process holding
    descriptors on the mount closes them in the child (O_CLOEXEC), and each
    such close is a FUSE FLUSH, which uploads the file (see the report in
    tests/model/README.md).  Requests go over a pipe as JSON lines."""

    def __init__(self):
        import json
        self.json = json
        r1, w1 = os.pipe()
        r2, w2 = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(w1)
            os.close(r2)
            self._serve(os.fdopen(r1, "r"), os.fdopen(w2, "w"))
            os._exit(0)
        os.close(r1)
        os.close(w2)
        self.pid = pid
        self.req = os.fdopen(w1, "w")
        self.rep = os.fdopen(r2, "r")

    def call(self, **kw):
        self.req.write(self.json.dumps(kw) + "\n")
        self.req.flush()
        line = self.rep.readline()
        if not line:
            raise RuntimeError("the spawner died")
        out = self.json.loads(line)
        if "error" in out:
            raise RuntimeError("spawner: %s" % out["error"])
        return out

    def _serve(self, req, rep):
        procs = {}
        for line in req:
            kw = self.json.loads(line)
            try:
                out = self._do(procs, **kw)
            except Exception as e:
                out = {"error": "%s: %s" % (type(e).__name__, e)}
            rep.write(self.json.dumps(out) + "\n")
            rep.flush()
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()

    def _do(self, procs, op, argv=None, log=None, timeout=None, pid=None):
        if op == "run":
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=timeout, text=True, errors="replace")
            return {"rc": r.returncode, "out": r.stdout}
        if op == "start":
            with open(log, "a") as f:
                p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=f, stderr=f)
            procs[p.pid] = p
            return {"pid": p.pid}
        if op == "poll":
            return {"rc": procs[pid].poll()}
        if op == "wait":
            try:
                rc = procs[pid].wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return {"rc": None}
            del procs[pid]
            return {"rc": rc}
        raise ValueError(op)

    def run(self, argv, timeout=60):
        r = self.call(op="run", argv=argv, timeout=timeout)
        return r["rc"], r["out"]

    def start(self, argv, log):
        return self.call(op="start", argv=argv, log=log)["pid"]

    def poll(self, pid):
        return self.call(op="poll", pid=pid)["rc"]

    def wait(self, pid, timeout):
        return self.call(op="wait", pid=pid, timeout=timeout)["rc"]

    def close(self):
        self.req.close()
        os.waitpid(self.pid, 0)


def _mounted(path):
    path = os.path.realpath(path)
    with open("/proc/self/mountinfo") as f:
        for line in f:
            p = line.split()[4].replace("\\040", " ")
            if p == path:
                return True
    return False


def detach(sp, path):
    """Unmount path if mounted (dead or alive); bounded."""
    if not _mounted(path):
        return
    for cmd in (["fusermount3", "-u", "-q", path], ["umount", "-l", path]):
        sp.run(cmd, timeout=30)
        if not _mounted(path):
            return
    raise RuntimeError("cannot unmount %s" % path)


class Mount:
    """One bucketfs daemon in the foreground (-f) on mnt with cache_dir."""

    def __init__(self, world, name, target, mnt, cache, opts):
        self.world, self.name, self.target = world, name, target
        self.mnt, self.cache, self.opts = mnt, cache, opts
        self.sp = world.sp
        self.pid = None
        self.logpath = os.path.join(world.tmp, "%s.log" % name)

    def start(self, deadline_s=30):
        detach(self.sp, self.mnt)
        os.makedirs(self.mnt, exist_ok=True)
        os.makedirs(self.cache, exist_ok=True)
        opts = "cache_dir=%s,%s" % (self.cache, self.opts)
        if os.environ.get("BFS_MODEL_LOGLEVEL"):  # e.g. debug: every request in the mount's log
            opts += ",loglevel=" + os.environ["BFS_MODEL_LOGLEVEL"]
        with open(self.logpath, "a") as logf:
            logf.write("# %s bucketfs %s %s -f -o %s\n" % (time.strftime("%T"), self.target, self.mnt, opts))
        self.pid = self.sp.start([self.world.bfs, self.target, self.mnt, "-f", "-o", opts], self.logpath)
        end = time.time() + deadline_s
        while time.time() < end:
            rc = self.sp.poll(self.pid)
            if rc is not None:
                self.pid = None
                raise RuntimeError("bucketfs %s exited %s before mounting; see %s"
                                   % (self.name, rc, self.logpath))
            if _mounted(self.mnt):
                try:
                    os.stat(self.mnt)
                    return
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("bucketfs %s did not mount within %d s" % (self.name, deadline_s))

    def alive(self):
        return self.pid is not None and self.sp.poll(self.pid) is None

    def kill_now(self):
        """SIGKILL, nothing else (safe from a timer thread)."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def kill9(self):
        if self.pid is None:
            return
        self.kill_now()
        self.sp.wait(self.pid, 30)
        self.pid = None
        detach(self.sp, self.mnt)

    def stop(self, deadline_s=60):
        """Clean unmount; returns the daemon's exit status."""
        if self.pid is None:
            detach(self.sp, self.mnt)
            return 0
        self.sp.run(["fusermount3", "-u", "-q", self.mnt], timeout=30)
        rc = self.sp.wait(self.pid, deadline_s)
        if rc is None:
            os.kill(self.pid, signal.SIGKILL)
            rc = self.sp.wait(self.pid, 30)
            rc = "killed (%s)" % rc
        self.pid = None
        detach(self.sp, self.mnt)
        return rc

    def ctl(self, *args, timeout=90):
        return self.sp.run([self.world.ctl] + list(args), timeout=timeout)

    def flush(self, secs=30):
        return self.ctl("flush", self.mnt, str(secs), timeout=secs + 30)

    def log_tail(self, n=15):
        try:
            with open(self.logpath, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


class Proxy:
    """tests/faultproxy.py on a fixed port; restarted to change its mix."""

    def __init__(self, world):
        self.world = world
        self.port = world.free_port()
        self.pid = None
        self.mode = None
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self.logpath = os.path.join(world.tmp, "proxy.log")

    def set(self, mode, seed):
        """mode: None (pass everything) or a FAULT_MODES name."""
        self.stop()
        mix, extra = FAULT_MODES[mode] if mode else ("", [])
        self.pid = self.world.sp.start(
            [sys.executable, os.path.join(self.world.src, "tests", "faultproxy.py"),
             "--listen-port", str(self.port), "--upstream", self.world.rgw,
             "--mix", mix, "--seed", str(seed), "--log", self.logpath] + extra,
            os.path.join(self.world.tmp, "proxy.out"))
        self.mode = mode
        end = time.time() + 15
        import socket
        while time.time() < end:
            rc = self.world.sp.poll(self.pid)
            if rc is not None:
                raise RuntimeError("faultproxy exited %s" % rc)
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("faultproxy did not listen")

    def stop(self):
        if self.pid is not None:
            os.kill(self.pid, signal.SIGTERM)
            if self.world.sp.wait(self.pid, 10) is None:
                os.kill(self.pid, signal.SIGKILL)
                self.world.sp.wait(self.pid, 10)
            self.pid = None


class World:
    def __init__(self, tmp, bucket, src, build):
        self.tmp, self.bucket, self.src = tmp, bucket, src
        self.bfs = os.path.join(build, "bucketfs")
        self.ctl = os.path.join(build, "bucketfsctl")
        self.rgw = os.environ["RGW_ENDPOINT"]
        cfg = botocore.config.Config(retries={"max_attempts": 10, "mode": "standard"},
                                     connect_timeout=5, read_timeout=30)
        self.s3 = boto3.client("s3", endpoint_url=self.rgw, config=cfg)
        self.mounts = []
        self.proxy = None
        self.sp = Spawner()

    def free_port(self):
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        return port

    def mount(self, name, prefix, opts, via_proxy=False, cache=None):
        ep = self.proxy.endpoint if via_proxy and self.proxy else self.rgw
        m = Mount(self, name, "%s:/%s" % (self.bucket, prefix), os.path.join(self.tmp, name),
                  cache or os.path.join(self.tmp, name + ".cache"),
                  # (symlinks=on: the tester makes and reads symlinks; the
                  # default shows symlink objects as read-only files)
                  "endpoint=%s,path_style,symlinks=on,%s" % (ep, opts))
        self.mounts.append(m)
        m.start()
        return m

    def objects(self, prefix):
        """{key below prefix/: (body, metadata)} straight from radosgw."""
        out = {}
        pg = self.s3.get_paginator("list_objects_v2")
        for page in pg.paginate(Bucket=self.bucket, Prefix=prefix + "/"):
            for o in page.get("Contents", []):
                key = o["Key"][len(prefix) + 1:]
                try:
                    r = self.s3.get_object(Bucket=self.bucket, Key=o["Key"])
                except self.s3.exceptions.NoSuchKey:
                    continue  # deleted between the listing and the GET
                out[key] = (r["Body"].read(), r.get("Metadata", {}))
        return out

    def close(self):
        for m in reversed(self.mounts):
            try:
                if m.alive():
                    m.stop(deadline_s=20)
                else:
                    detach(self.sp, m.mnt)
            except Exception as e:  # keep cleaning up
                log("cleanup of %s: %s" % (m.name, e))
        if self.proxy:
            self.proxy.stop()
        self.sp.close()
