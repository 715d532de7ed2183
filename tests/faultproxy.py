#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""faultproxy.py - an HTTP proxy for the tests that sits between bucketfs
and radosgw on 127.0.0.1 and injects faults by plan.

    faultproxy.py --listen-port P --upstream http://127.0.0.1:PORT --plan PLAN
                  [--log FILE] [--log-header NAME] [--tls-cert CERT.pem --tls-key KEY.pem]

With --tls-cert/--tls-key it speaks https (to test TLS on the client side;
the upstream stays http).

PLAN is a comma-separated list of [METHOD:]RULE=COUNT, applied to the first
COUNT requests that match, in order; with METHOD (GET, PUT, HEAD, POST,
DELETE) only requests of that method match that rule:
    503     answer 503 SlowDown (S3 XML body)
    500     answer 500 InternalError
    429     answer 429 TooManyRequests
    400     answer 400 InvalidArgument (must not be retried)
    expired answer 400 ExpiredToken (a session token past its expiry)
    reset   close the connection without answering
    pass    forward it unchanged (to let some through before faults)
Requests past the plan are forwarded unchanged.  Each request is logged as
"METHOD PATH -> STATUS" (to --log), so tests can count what was sent;
with --log-header NAME the line ends with " NAME=VALUE" (or "NAME=-").
"""
import argparse
import http.client
import http.server
import socket
import sys
import threading
import urllib.parse

ERRORS = {
    "503": (503, "SlowDown", "Please reduce your request rate."),
    "500": (500, "InternalError", "We encountered an internal error."),
    "429": (429, "TooManyRequests", "Too many requests."),
    "400": (400, "InvalidArgument", "Injected bad request."),
    "expired": (400, "ExpiredToken", "The provided token has expired."),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen-port", type=int, required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--plan", default="")
    ap.add_argument("--log", default="/dev/null")
    ap.add_argument("--log-header")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    a = ap.parse_args()
    up = urllib.parse.urlparse(a.upstream)
    plans = {}  # method (or "") -> list of rules, in order
    for item in filter(None, a.plan.split(",")):
        rule, _, count = item.partition("=")
        method, _, rule = rule.rpartition(":")
        plans.setdefault(method, []).extend([rule] * int(count or 1))
    lock = threading.Lock()
    log = open(a.log, "a", buffering=1)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def logline(self, result):
            extra = ""
            if a.log_header:
                extra = " %s=%s" % (a.log_header, self.headers.get(a.log_header, "-"))
            log.write("%s %s -> %s%s\n" % (self.command, self.path, result, extra))

        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            with lock:
                q = plans.get(self.command) or plans.get("")
                rule = q.pop(0) if q else None
            if rule == "reset":
                self.logline("reset")
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if rule in ERRORS:
                status, code, msg = ERRORS[rule]
                xml = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code>'
                       '<Message>%s</Message><RequestId>fault</RequestId></Error>'
                       % (code, msg)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(xml) if self.command != "HEAD" else 0))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(xml)
                self.logline(status)
                return
            conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
            headers = {k: v for k, v in self.headers.items()}
            conn.request(self.command, self.path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            self.send_response(r.status, r.reason)
            for k, v in r.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length",
                             r.getheader("Content-Length", "0") if self.command == "HEAD"
                             else str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            conn.close()
            self.logline(r.status)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.listen_port), Handler)
    srv.daemon_threads = True
    if a.tls_cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("listening", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
