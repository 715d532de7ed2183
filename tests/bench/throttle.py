#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""throttle.py - a TCP proxy on 127.0.0.1 whose answers (server to client)
go at most RATE bytes a second on each connection, as over a link to a
cloud bucket where a body takes longer to come than its first byte.  The
requests go through as they come.  For the benchmarks only.

    throttle.py LISTEN_PORT SERVER_PORT RATE   (runs until killed)
"""
import socket
import sys
import threading
import time


def pump(src, dst, rate):
    """Copy src to dst until either closes; at most rate bytes/s if rate."""
    t0, sent = time.monotonic(), 0
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            dst.sendall(b)
            if rate:
                sent += len(b)
                ahead = sent / rate - (time.monotonic() - t0)
                if ahead > 0:
                    time.sleep(ahead)
                elif ahead < -0.05:  # idle (a kept-alive connection): no credit
                    t0, sent = time.monotonic(), 0
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(client, port, rate):
    try:
        server = socket.create_connection(("127.0.0.1", port))
    except OSError:
        client.close()
        return
    for s in (client, server):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    threading.Thread(target=pump, args=(client, server, 0), daemon=True).start()
    pump(server, client, rate)
    client.close()
    server.close()


def main():
    lport, port, rate = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", lport))
    ls.listen(128)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c, port, rate), daemon=True).start()


if __name__ == "__main__":
    main()
