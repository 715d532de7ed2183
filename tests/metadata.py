#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""metadata.py - an instance metadata service for the tests, on 127.0.0.1:
AWS IMDSv2, Aliyun's ECS metadata server (RAM roles) and the AWS container
credentials endpoint, handing out expiring credentials that the test rotates.

    metadata.py --port P --state FILE [--log FILE]

FILE is JSON, read again at every request, so a test rotates credentials by
rewriting it:
    {"access_key": "...", "secret_key": "...", "token": "...",
     "expires_in": 3600,           # seconds from now
     "role": "bfs-role",           # the role attached to the "instance"
     "auth": "...",                # container: the Authorization required
     "mode": "ok"}                 # or: garbage (200, not JSON), error (500),
                                   # hang (no answer for 30 s), denied (Code
                                   # "Failure"), expired (Expiration in the past)

Served paths:
    PUT /latest/api/token          needs X-aws-ec2-metadata-token-ttl-seconds
                                   or X-aliyun-ecs-metadata-token-ttl-seconds
    GET /latest/meta-data/iam/security-credentials/[ROLE]   (AWS, token needed)
    GET /latest/meta-data/ram/security-credentials/[ROLE]   (Aliyun, token needed)
    GET /v2/credentials/ANY                                 (container)
A missing or wrong token is 401, an unknown role 404.  Each request is
logged as "METHOD PATH -> STATUS".
"""
import argparse
import datetime
import http.server
import json
import secrets
import sys
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--log", default="/dev/null")
    a = ap.parse_args()
    tokens = set()
    lock = threading.Lock()
    log = open(a.log, "a", buffering=1)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body, ctype="text/plain"):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            with lock:
                log.write("%s %s -> %d\n" % (self.command, self.path, status))

        def creds(self, st, aliyun):
            mode = st.get("mode", "ok")
            if mode == "garbage":
                return self.reply(200, "<html><body>captive portal</body></html>")
            if mode == "error":
                return self.reply(500, "internal error")
            if mode == "denied":
                return self.reply(200, json.dumps({"Code": "Failure",
                                                   "Message": "no role attached"}),
                                  "application/json")
            secs = st.get("expires_in", 3600)
            if mode == "expired":
                secs = -600
            exp = (datetime.datetime.now(datetime.timezone.utc) +
                   datetime.timedelta(seconds=secs)).strftime("%Y-%m-%dT%H:%M:%SZ")
            if aliyun:
                doc = {"AccessKeyId": st["access_key"], "AccessKeySecret": st["secret_key"],
                       "SecurityToken": st.get("token", ""), "Expiration": exp,
                       "LastUpdated": exp, "Code": "Success"}
            else:
                doc = {"Code": "Success", "Type": "AWS-HMAC",
                       "AccessKeyId": st["access_key"], "SecretAccessKey": st["secret_key"],
                       "Token": st.get("token", ""), "Expiration": exp}
            return self.reply(200, json.dumps(doc), "application/json")

        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            if n:
                self.rfile.read(n)
            with open(a.state) as f:
                st = json.load(f)
            if st.get("mode") == "hang":
                time.sleep(30)
                return self.reply(503, "late")
            path = self.path
            if path == "/latest/api/token":
                if self.command != "PUT":
                    return self.reply(405, "use PUT")
                ttl = (self.headers.get("X-aws-ec2-metadata-token-ttl-seconds") or
                       self.headers.get("X-aliyun-ecs-metadata-token-ttl-seconds"))
                if not ttl or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                    return self.reply(400, "missing or bad ttl header")
                tok = secrets.token_hex(16)
                with lock:
                    tokens.add(tok)
                return self.reply(200, tok)
            for kind, prefix, hdr in (
                    ("aws", "/latest/meta-data/iam/security-credentials/",
                     "X-aws-ec2-metadata-token"),
                    ("aliyun", "/latest/meta-data/ram/security-credentials/",
                     "X-aliyun-ecs-metadata-token")):
                if path.startswith(prefix) and self.command == "GET":
                    with lock:
                        ok = self.headers.get(hdr) in tokens
                    if not ok:
                        return self.reply(401, "token required")
                    role = path[len(prefix):]
                    if role == "":
                        return self.reply(200, st.get("role", "bfs-role") + "\n")
                    if role != st.get("role", "bfs-role"):
                        return self.reply(404, "no such role")
                    return self.creds(st, kind == "aliyun")
            if path.startswith("/v2/credentials/") and self.command == "GET":
                if st.get("auth") and self.headers.get("Authorization") != st["auth"]:
                    return self.reply(401, "bad authorization")
                return self.creds(st, False)
            return self.reply(404, "not found")

        do_GET = do_PUT = handle_any

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    print("listening", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
