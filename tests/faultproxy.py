#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""faultproxy.py - an HTTP proxy for the tests that sits between bucketfs
and radosgw on 127.0.0.1 and injects faults, by plan or at random.

    faultproxy.py --listen-port P --upstream http://127.0.0.1:PORT
                  [--plan PLAN] [--mix MIX --seed N] [--down PERIOD:SECONDS]
                  [--delay-ms MS] [--hang-s S] [--trickle-s S] [--log FILE]
                  [--log-header NAME]
                  [--log-inflight]
                  [--tls-cert CERT.pem --tls-key KEY.pem]

With --tls-cert/--tls-key it speaks https (to test TLS on the client side;
the upstream stays http).

PLAN is a comma-separated list of [METHOD:]RULE=COUNT, applied to the first
COUNT requests that match, in order; with METHOD (GET, PUT, HEAD, POST,
DELETE) only requests of that method match that rule.  MIX is a
comma-separated list of [METHOD:]RULE=PROBABILITY: a request the plan does
not claim gets each rule with that probability (drawn from --seed, so a run
can be repeated).  Rules:
    503     answer 503 SlowDown (S3 XML body)
    500     answer 500 InternalError
    429     answer 429 TooManyRequests
    400     answer 400 InvalidArgument (must not be retried)
    expired answer 400 ExpiredToken (a session token past its expiry)
    reset   read the request, close the connection without answering
    early   close the connection before reading the request body (the
            client is cut off in the middle of its upload)
    cut     forward; answer with the full Content-Length but only half of
            the body, then close (a truncated response)
    delay   forward after --delay-ms (default 300) milliseconds
    hang    say nothing for --hang-s (default 10) seconds, then close
    pass    forward it unchanged (to let some through before faults)
  and, for the hostile-server tests:
    bigxml  200 with an XML listing that never ends (streamed until the
            client hangs up, or 1 GiB); listings only: a plan's bigxml
            waits for the next listing
    flip    forward, with one byte of an object's body changed (the ETag
            and Content-Length stay: the body no longer matches its ETag;
            requests with a query, listings, are left alone, and a plan's
            flip waits for the next object GET); for a PUT (a part's too),
            one byte of the body sent is changed on its way to the server
    redirect 301 to http://169.254.0.1/elsewhere (another host)
    hugehdr 200 with 200 KiB of response headers
    looptoken a listing page, truncated, whose next page is itself (its
            continuation token and marker are always "again")
    delone  a DeleteObjects (POST ?delete) whose first key the server
            refuses: the request is forwarded without it (signed anew),
            and the answer carries an <Error> AccessDenied for it, as a
            bucket policy or object lock would
  and, for ranged GETs (a GET with a Range header; a plan's rule waits for
  the next one):
    norange 200 with the whole object, as a server, proxy or CDN that
            ignores Range does (the request is signed again without its
            Range, with SigV4 and the AWS_* keys of the environment)
    short206 206 with the first half of the range asked (at least one byte
            less), its Content-Length and Content-Range telling the truth
            about that shorter range ("bytes 0-999/TOTAL" for 0-1999)
    lie206  the same short body, its Content-Length telling the truth but
            its Content-Range the one asked for (it claims the whole range)
  and:
    trickle forward, then send the body one byte every --trickle-s
            (default 2) seconds (headers at once; until the client hangs up);
            object GETs only (a plan's trickle waits for the next)
    garbage answer with a status line that is not HTTP, then close
    midput  read half of a PUT's body, then reset the connection (RST):
            the client is cut off in the middle of its upload, after the
            server took part of it (early closes before reading any)
Requests past the plan (and not drawn by the mix) are forwarded unchanged.
With --down PERIOD:SECONDS the proxy stops listening for SECONDS every
PERIOD seconds and cuts the connections it has (new ones are refused: the
endpoint is down).

Each request is logged as "METHOD PATH -> RESULT" (to --log), RESULT the
status forwarded ("200"), or an injected error ("503 fault"), or the rule
applied ("reset", "cut 200", "200 delay", ...), so tests can count what was
sent and what was injected; with --log-header NAME the line ends with " NAME=VALUE"
(or "NAME=-"); with --log-inflight, then with " inflight=N": the requests the
proxy was handling as this one was logged, itself included (so that a test
can tell requests sent at once from requests sent one after another).
"""
import argparse
import http.client
import http.server
import os
import random
import socket
import struct
import sys
import threading
import time
import urllib.parse

ERRORS = {
    "503": (503, "SlowDown", "Please reduce your request rate."),
    "500": (500, "InternalError", "We encountered an internal error."),
    "429": (429, "TooManyRequests", "Too many requests."),
    "400": (400, "InvalidArgument", "Injected bad request."),
    "expired": (400, "ExpiredToken", "The provided token has expired."),
}
RULES = set(ERRORS) | {"reset", "early", "cut", "delay", "hang", "pass", "bigxml", "flip",
                       "redirect", "hugehdr", "looptoken", "norange", "short206", "lie206",
                       "trickle", "garbage", "midput", "delone"}
RANGED = ("norange", "short206", "lie206")


def parse_rules(spec, convert):
    """[METHOD:]RULE=VALUE,... -> {method or "": [(rule, value), ...]}"""
    out = {}
    for item in filter(None, spec.split(",")):
        rule, _, value = item.partition("=")
        method, _, rule = rule.rpartition(":")
        if rule not in RULES:
            raise SystemExit("faultproxy.py: unknown rule %r" % rule)
        out.setdefault(method, []).append((rule, convert(value)))
    return out


def resign_whole(method, path, headers):
    """The request's headers without its Range, signed anew (SigV4, with the
    AWS_* keys of the environment: lib.sh's rgw_start exports radosgw's): the
    client's signature covers the Range it sent."""
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    creds = botocore.credentials.Credentials(os.environ["AWS_ACCESS_KEY_ID"],
                                             os.environ["AWS_SECRET_ACCESS_KEY"])
    keep = {k: v for k, v in headers.items() if k.lower() in ("if-match", "if-none-match")}
    req = botocore.awsrequest.AWSRequest(method=method, url=UPSTREAM + path, headers=keep)
    botocore.auth.S3SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
    return dict(req.headers.items())


def resign_body(method, path, headers, body):
    """The request's headers for another body (Content-MD5 and SigV4 signed
    anew, as resign_whole does)."""
    import base64
    import hashlib
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    creds = botocore.credentials.Credentials(os.environ["AWS_ACCESS_KEY_ID"],
                                             os.environ["AWS_SECRET_ACCESS_KEY"])
    keep = {k: v for k, v in headers.items() if k.lower() == "content-type"}
    keep["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
    req = botocore.awsrequest.AWSRequest(method=method, url=UPSTREAM + path, headers=keep,
                                         data=body)
    botocore.auth.S3SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
    return dict(req.headers.items())


UPSTREAM = ""


def main():
    global UPSTREAM
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen-port", type=int, required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--plan", default="")
    ap.add_argument("--mix", default="")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--down", default="")
    ap.add_argument("--delay-ms", type=int, default=300)
    ap.add_argument("--hang-s", type=float, default=10)
    ap.add_argument("--trickle-s", type=float, default=2)
    ap.add_argument("--log", default="/dev/null")
    ap.add_argument("--log-header")
    ap.add_argument("--log-inflight", action="store_true")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    a = ap.parse_args()
    up = urllib.parse.urlparse(a.upstream)
    UPSTREAM = a.upstream.rstrip("/")
    plans = {m: [r for r, n in rules for _ in range(n)]
             for m, rules in parse_rules(a.plan, lambda v: int(v or 1)).items()}
    mix = parse_rules(a.mix, float)
    rng = random.Random(a.seed)
    lock = threading.Lock()
    log = open(a.log, "a", buffering=1)

    def applies(rule, method, path, headers):
        # an object body to damage; a listing to make endless
        if rule in RANGED:
            return method == "GET" and "Range" in headers
        if rule == "trickle":
            return method == "GET" and "?" not in path
        if rule == "midput":
            return method == "PUT" and int(headers.get("Content-Length") or 0) > 1
        if rule == "flip":
            return "?" not in path or method == "PUT"
        if rule == "delone":
            return method == "POST" and "delete" in path.partition("?")[2]
        if rule in ("bigxml", "looptoken"):
            return "list-type" in path or "?" not in path.lstrip("/").rstrip("/").split("/", 1)[-1] \
                and "/" not in path.lstrip("/").rstrip("/")
        return True

    def pick(method, path, headers):
        with lock:
            q = plans.get(method) or plans.get("")
            if q and applies(q[0], method, path, headers):
                return q.pop(0)
            if q:
                return None
            for rule, p in mix.get(method, []) + mix.get("", []):
                if applies(rule, method, path, headers) and rng.random() < p:
                    return rule
        return None

    conns = set()  # client connections open now (an outage cuts them)
    busy = [0]     # requests being handled now (--log-inflight)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out in two writes: without TCP_NODELAY the
        # body waits for the client's delayed ACK (40 ms a response)
        disable_nagle_algorithm = True

        def setup(self):
            super().setup()
            with lock:
                conns.add(self.connection)

        def finish(self):
            with lock:
                conns.discard(self.connection)
            super().finish()

        def log_message(self, *args):
            pass

        def logline(self, result):
            extra = ""
            if a.log_header:
                extra = " %s=%s" % (a.log_header, self.headers.get(a.log_header, "-"))
            if a.log_inflight:
                extra += " inflight=%d" % busy[0]
            log.write("%s %s -> %s%s\n" % (self.command, self.path, result, extra))

        def drop(self, why):
            self.logline(why)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def send_error_xml(self, status, code, msg):
            xml = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code>'
                   '<Message>%s</Message><RequestId>fault</RequestId></Error>'
                   % (code, msg)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(xml) if self.command != "HEAD" else 0))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(xml)

        def endless_xml(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.end_headers()  # no length: the body ends when the connection does
            self.close_connection = True
            chunk = b"".join(b"<Contents><Key>k%08d</Key><Size>1</Size></Contents>" % i
                             for i in range(1000))
            sent = 0
            try:
                self.wfile.write(b'<?xml version="1.0"?><ListBucketResult><Name>b</Name>'
                                 b"<IsTruncated>true</IsTruncated>")
                while sent < (1 << 30):
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except OSError:
                pass
            self.logline("bigxml %d" % sent)

        def handle_any(self):
            with lock:
                busy[0] += 1
            try:
                self.handle_counted()
            finally:
                with lock:
                    busy[0] -= 1

        def handle_counted(self):
            rule = pick(self.command, self.path, self.headers)
            if rule == "early":
                return self.drop("early")
            if rule == "garbage":
                self.wfile.write(b"SSH-2.0-OpenSSH_9.2 this is not HTTP\r\n\r\n")
                self.wfile.flush()
                return self.drop("garbage")
            n = int(self.headers.get("Content-Length") or 0)
            if rule == "midput":
                self.rfile.read(n // 2)
                # SO_LINGER 0: the close sends a RST, not a FIN
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.logline("midput %d/%d" % (n // 2, n))
                self.close_connection = True
                self.connection.close()
                return
            body = self.rfile.read(n) if n else b""
            if rule == "reset":
                return self.drop("reset")
            if rule == "hang":
                time.sleep(a.hang_s)
                return self.drop("hang")
            if rule in ERRORS:
                self.send_error_xml(*ERRORS[rule])
                self.logline("%d fault" % ERRORS[rule][0])
                return
            if rule == "bigxml":
                return self.endless_xml()
            if rule == "looptoken":
                xml = (b'<?xml version="1.0"?><ListBucketResult><Name>b</Name>'
                       b'<IsTruncated>true</IsTruncated><NextContinuationToken>again'
                       b'</NextContinuationToken><NextMarker>again</NextMarker>'
                       b'<Contents><Key>again</Key><Size>1</Size></Contents></ListBucketResult>')
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(xml)))
                self.end_headers()
                self.wfile.write(xml)
                return self.logline("looptoken")
            if rule == "redirect":
                self.send_response(301)
                self.send_header("Location", "http://169.254.0.1/elsewhere" + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return self.logline("redirect")
            if rule == "hugehdr":
                self.send_response(200)
                for i in range(2000):
                    self.send_header("x-amz-meta-junk%d" % i, "j" * 100)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return self.logline("hugehdr")
            if rule == "delay":
                time.sleep(a.delay_ms / 1000.0)
            if rule == "flip" and self.command == "PUT" and body:
                body = body[:len(body) // 2] + bytes([body[len(body) // 2] ^ 0x5A]) + \
                    body[len(body) // 2 + 1:]
            conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
            headers = {k: v for k, v in self.headers.items()}
            if rule == "norange":
                headers = resign_whole(self.command, self.path, headers)
            refused = None
            if rule == "delone":
                import re
                m = re.search(rb"<Object>\s*<Key>(.*?)</Key>.*?</Object>", body, re.S)
                if m:
                    refused = m.group(1)
                    body = body[:m.start()] + body[m.end():]
                    headers = resign_body(self.command, self.path, headers, body)
            conn.request(self.command, self.path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            conn.close()
            if rule == "cut" and len(data) < 2:
                rule = "reset"
            if refused is not None and r.status == 200:
                err = (b"<Error><Key>%s</Key><Code>AccessDenied</Code><Message>refused by "
                       b"faultproxy</Message></Error>" % refused)
                data = data.replace(b"</DeleteResult>", err + b"</DeleteResult>")
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return self.logline("200 delone %s" % refused.decode(errors="replace"))
            if rule == "reset":
                return self.drop("reset")
            if rule == "flip" and self.command == "PUT":
                pass  # the request's body was changed
            elif rule == "flip" and data and self.command == "GET" and r.status == 200 and \
                    "?" not in self.path:  # object bodies, not listings
                data = data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 0x5A]) + \
                    data[len(data) // 2 + 1:]
            else:
                rule = rule if rule in ("cut", "delay", "trickle") + RANGED else None
            hdrs = [(k, v) for k, v in r.getheaders()
                    if k.lower() not in ("transfer-encoding", "connection", "content-length")]
            if rule in ("short206", "lie206") and r.status == 206 and len(data) > 1:
                crange = r.getheader("Content-Range", "")
                first, total = crange.split()[1].split("-")[0], crange.split("/")[1]
                data = data[:min(len(data) // 2, len(data) - 1)]
                if rule == "short206":
                    hdrs = [(k, v) for k, v in hdrs if k.lower() != "content-range"]
                    hdrs.append(("Content-Range", "bytes %s-%d/%s" % (
                        first, int(first) + len(data) - 1, total)))
            elif rule in RANGED and rule != "norange":
                rule = None  # not a 206: forwarded as it is
            self.send_response(r.status, r.reason)
            for k, v in hdrs:
                self.send_header(k, v)
            self.send_header("Content-Length",
                             r.getheader("Content-Length", "0") if self.command == "HEAD"
                             else str(len(data)))
            self.end_headers()
            if self.command == "HEAD":
                return self.logline(r.status)
            if rule == "cut":
                self.wfile.write(data[:len(data) // 2])
                self.wfile.flush()
                return self.drop("cut %d" % r.status)
            if rule == "trickle":
                return self.trickle(r.status, data)
            try:
                self.wfile.write(data)
            except OSError:  # the client hung up (a body it did not want)
                self.close_connection = True
                return self.logline("%s %s hung up" % (r.status, rule or ""))
            self.logline("%s flip" % r.status if rule == "flip" else
                         "%s delay" % r.status if rule == "delay" else
                         "%s %s %d" % (r.status, rule, len(data)) if rule in RANGED else
                         r.status)

        def trickle(self, status, data):
            sent = 0
            try:
                self.wfile.flush()
                for i in range(len(data)):
                    time.sleep(a.trickle_s)
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                    sent += 1
            except OSError:
                self.close_connection = True
            self.logline("%s trickle %d/%d" % (status, sent, len(data)))

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any

    def make_server():
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.listen_port), Handler)
        srv.daemon_threads = True
        srv.timeout = 0.05
        if a.tls_cert:
            import ssl
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(a.tls_cert, a.tls_key)
            srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        return srv

    srv = make_server()
    print("listening", flush=True)
    if not a.down:
        srv.serve_forever()
        return 0
    period, _, length = a.down.partition(":")
    period, length = float(period), float(length)
    start = time.monotonic()
    while True:
        phase = (time.monotonic() - start) % period
        down = time.monotonic() - start >= period and phase < length
        if down and srv:
            srv.server_close()
            srv = None
            with lock:
                for c in list(conns):
                    try:
                        c.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
            log.write("- - -> down\n")
        elif not down and not srv:
            srv = make_server()
            log.write("- - -> up\n")
        if srv:
            srv.handle_request()
        else:
            time.sleep(0.02)


if __name__ == "__main__":
    sys.exit(main())
