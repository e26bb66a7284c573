#!/usr/bin/env python3
"""token_server.py KEY CERT ISSUER SERVICE PORTFILE LOG USER:PASSWORD

A token server for docker-registry's `token` auth (the Docker token spec),
on 127.0.0.1 (a free port, written to PORTFILE).  Tokens are JWTs signed
RS256 with KEY by the openssl command, carrying CERT in the x5c header (the
registry checks it against its rootcertbundle).  Policy:
  - anonymous: `pull` on any repository;
  - USER with PASSWORD (Basic), or the refresh token "refresh-USER" (POST,
    grant_type=refresh_token): what was asked on repositories under tok/,
    `pull` elsewhere;
  - wrong credentials: 401.
Each request is logged as a JSON line: user, scopes asked, actions granted."""
import base64
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY, CERT, ISSUER, SERVICE, PORT_FILE, LOG = sys.argv[1:7]
USER, PASSWORD = sys.argv[7].split(":", 1)
LOG_LOCK = threading.Lock()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der_b64():
    der = subprocess.run(["openssl", "x509", "-in", CERT, "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return base64.b64encode(der).decode()


X5C = cert_der_b64()


def sign(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [X5C]}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY],
                         input=signing_input.encode(), check=True, capture_output=True).stdout
    return signing_input + "." + b64url(sig)


def grant(user, scopes):
    access = []
    for scope in scopes:
        parts = scope.split(":")
        if len(parts) != 3 or parts[0] != "repository":
            continue
        name, wanted = parts[1], parts[2].split(",")
        if user and name.startswith("tok/"):
            allowed = [a for a in wanted if a in ("pull", "push")]
        else:
            allowed = [a for a in wanted if a == "pull"]
        access.append({"type": "repository", "name": name, "actions": allowed})
    return access


class Handler(BaseHTTPRequestHandler):
    def answer(self, user, scopes):
        access = grant(user, scopes)
        now = int(time.time())
        token = sign({"iss": ISSUER, "sub": user or "", "aud": SERVICE, "exp": now + 300,
                      "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex, "access": access})
        body = json.dumps({"token": token, "access_token": token, "expires_in": 300,
                           "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}).encode()
        self.log_entry({"method": self.command, "user": user, "scopes": scopes, "access": access})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def refuse(self, why):
        self.log_entry({"method": self.command, "refused": why})
        body = b'{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_entry(self, entry):
        with LOG_LOCK, open(LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        scopes = query.get("scope", [])
        auth = self.headers.get("Authorization")
        user = None
        if auth:
            if not auth.startswith("Basic "):
                return self.refuse("not basic")
            u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
            if (u, p) != (USER, PASSWORD):
                return self.refuse("wrong password for " + u)
            user = u
        self.answer(user, scopes)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if form.get("grant_type") != ["refresh_token"] or form.get("refresh_token") != ["refresh-" + USER]:
            return self.refuse("bad refresh token")
        self.answer(USER, form.get("scope", []))

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
