# SPDX-License-Identifier: MIT
# pyfork.py — run short python scripts that use boto3 without paying for
# boto3's start (0.4 s to import, 0.1 s to build a client, and again for
# every call: t0200 alone made 60 such calls).  A fork server imports boto3
# and reads the S3 service model once; each call forks it, and the child
# runs the script with the caller's stdin/stdout/stderr (passed over a Unix
# socket), argv, environment, working directory and umask, and reports the
# exit status.  Started by tests/lib.sh; used by boto3_py and bq.
#
#     python3 pyfork.py serve SOCKET      the server (until killed)
#     python3 pyfork.py -c CODE ARG...    as `python3 -c CODE ARG...`
#     python3 pyfork.py - ARG...          as `python3 - ARG...` (script on stdin)
#     python3 pyfork.py SCRIPT ARG...     as `python3 SCRIPT ARG...`
#
# The client uses the server named by $BFS_PYFORK, and runs /usr/bin/python3
# itself when there is none (not started, or not ready yet): the result is
# the same, only slower.  A child whose caller goes away (killed by timeout)
# kills itself.  Each child gets a new boto3 default session built from its
# own environment (credentials, region, endpoint variables); only the
# loaded service models are shared.
import os
import socket
import struct
import sys

PYTHON = "/usr/bin/python3"
MAX_REQUEST = 16 << 20


def client(args):
    path = os.environ.get("BFS_PYFORK", "")
    s = None
    if path:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
        except OSError:
            s = None
    if s is None:
        os.execv(PYTHON, [PYTHON] + args)
    import json
    import array
    umask = os.umask(0o22)
    os.umask(umask)
    req = json.dumps({"args": args, "cwd": os.getcwd(), "env": dict(os.environ),
                      "umask": umask}).encode()
    fds = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
            fds.append(fd)
        except OSError:
            fds.append(os.open(os.devnull, os.O_RDWR))
    msg = struct.pack("!I", len(req)) + req
    sent = s.sendmsg([msg[:4096]], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                     array.array("i", fds))])
    s.sendall(msg[sent:])
    reply = b""
    while len(reply) < 4:
        chunk = s.recv(4 - len(reply))
        if not chunk:
            sys.stderr.write("pyfork: the script's process died\n")
            return 1
        reply += chunk
    return struct.unpack("!i", reply)[0]


def recv_request(conn):
    import array
    fds = array.array("i")
    data, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(3 * fds.itemsize))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
    if len(fds) != 3 or len(data) < 4:
        raise RuntimeError("pyfork: bad request")
    need = struct.unpack("!I", data[:4])[0]
    if need > MAX_REQUEST:
        raise RuntimeError("pyfork: request too big")
    body = data[4:]
    while len(body) < need:
        chunk = conn.recv(min(1 << 16, need - len(body)))
        if not chunk:
            raise RuntimeError("pyfork: short request")
        body += chunk
    import json
    return list(fds), json.loads(body)


def run_child(conn, loader):
    import builtins
    import io
    import signal
    import threading
    import types
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    fds, req = recv_request(conn)
    for i, fd in enumerate(fds):
        os.dup2(fd, i)
        os.close(fd)
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)))
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)),
                                  line_buffering=os.isatty(1))
    sys.stderr = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
                                  errors="backslashreplace", line_buffering=True)
    os.chdir(req["cwd"])
    os.umask(req["umask"])
    os.environ.clear()
    os.environ.update(req["env"])

    # The caller gone (killed by its timeout): so is this script.
    def watch():
        try:
            conn.recv(1)
        finally:
            os.kill(os.getpid(), signal.SIGKILL)
    threading.Thread(target=watch, daemon=True).start()

    import boto3
    import botocore.session
    bs = botocore.session.get_session()
    bs.register_component("data_loader", loader)
    boto3.setup_default_session(botocore_session=bs)

    args = req["args"]
    main = types.ModuleType("__main__")
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    status = 0
    try:
        if args and args[0] == "-c":
            sys.argv = ["-c"] + args[2:]
            sys.path[0] = ""
            exec(compile(args[1], "<string>", "exec"), main.__dict__)
        elif not args or args[0] == "-":
            sys.argv = ["-"] + args[1:]
            sys.path[0] = ""
            exec(compile(sys.stdin.read(), "<stdin>", "exec"), main.__dict__)
        else:
            sys.argv = list(args)
            sys.path[0] = os.path.dirname(os.path.abspath(args[0]))
            main.__file__ = args[0]
            with open(args[0], "rb") as f:
                code = compile(f.read(), args[0], "exec")
            exec(code, main.__dict__)
    except SystemExit as e:
        if e.code is None:
            status = 0
        elif isinstance(e.code, int):
            status = e.code
        else:
            print(e.code, file=sys.stderr)
            status = 1
    except BaseException:
        import traceback
        traceback.print_exc()
        status = 1
    try:
        threading._shutdown()  # wait for the script's threads, as python's exit does
    except Exception:
        pass
    import atexit
    atexit._run_exitfuncs()
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except Exception:
            status = status or 120
    conn.sendall(struct.pack("!i", status & 0xff))


def serve(path):
    import signal
    import boto3
    import botocore.session
    # What the tests' scripts import: loaded once, here.
    import concurrent.futures  # noqa: F401
    import hashlib  # noqa: F401
    import json  # noqa: F401
    import subprocess  # noqa: F401
    import threading  # noqa: F401
    import traceback  # noqa: F401
    import types  # noqa: F401
    bs = botocore.session.get_session()
    boto3.Session(botocore_session=bs, aws_access_key_id="x", aws_secret_access_key="x",
                  region_name="us-east-1").client("s3", endpoint_url="http://127.0.0.1:9")
    loader = bs.get_component("data_loader")
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reap themselves
    tmp = path + ".new"
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(tmp)
    ls.listen(64)
    os.rename(tmp, path)  # clients see the socket only once it listens
    while True:
        conn, _ = ls.accept()
        if os.fork() == 0:
            ls.close()
            try:
                run_child(conn, loader)
            except BaseException:
                import traceback
                traceback.print_exc()
            os._exit(0)
        conn.close()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        sys.exit(client(sys.argv[1:]))
