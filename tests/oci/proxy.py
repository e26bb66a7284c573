#!/usr/bin/env python3
"""proxy.py PORTFILE LOG [RULES]: a forward HTTP proxy on 127.0.0.1 (a free
port, written to PORTFILE) that logs every request (method, URL, status) as
a JSON line, and can misbehave on purpose.  RULES is a file read at each
request, one rule a line:
    rate BYTES_PER_SECOND           throttle response bodies
    fail STATUS SUBSTRING COUNT [RETRY_AFTER]
                                    answer STATUS to the first COUNT requests
                                    whose URL contains SUBSTRING
    pad SUBSTRING BYTES             append BYTES blanks to 2xx GET bodies whose
                                    URL contains SUBSTRING (an oversized but
                                    still valid JSON answer)
    paginate                        apply the distribution spec's tag list
                                    pagination (n, last, a relative Link
                                    header) to the registry's full list:
                                    docker-registry 2.8.2 ignores n
Used to check proxy support, retries with backoff and Retry-After, tag
pagination, and that a pull killed half-way leaves no blob in the store."""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT_FILE, LOG = sys.argv[1:3]
RULES = sys.argv[3] if len(sys.argv) > 3 else None
LOCK = threading.Lock()
FAILED = {}
HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailers",
       "transfer-encoding", "upgrade"}


def rules():
    rate, fails, paginate, pads = None, [], False, []
    if RULES and os.path.exists(RULES):
        for line in open(RULES):
            w = line.split()
            if not w:
                continue
            if w[0] == "rate":
                rate = int(w[1])
            elif w[0] == "fail":
                fails.append((int(w[1]), w[2], int(w[3]), w[4] if len(w) > 4 else None))
            elif w[0] == "paginate":
                paginate = True
            elif w[0] == "pad":
                pads.append((w[1], int(w[2])))
    return rate, fails, paginate, pads


def paginate_tags(path, body):
    """One page of a full tag list, and the relative Link to the next one."""
    url = urllib.parse.urlsplit(path)
    query = urllib.parse.parse_qs(url.query)
    listing = json.loads(body)
    tags = sorted(listing.get("tags") or [])
    if "last" in query:
        tags = [t for t in tags if t > query["last"][0]]
    link = None
    if "n" in query:
        n = int(query["n"][0])
        if len(tags) > n:
            tags = tags[:n]
            link = "<%s?%s>; rel=\"next\"" % (url.path, urllib.parse.urlencode({"last": tags[-1], "n": n}))
    listing["tags"] = tags
    return json.dumps(listing).encode(), link


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_entry(self, status):
        with LOCK, open(LOG, "a") as f:
            f.write(json.dumps({"method": self.command, "url": self.path, "status": status}) + "\n")

    def handle_any(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length) if length else None
        rate, fails, paginate, pads = rules()
        for status, sub, count, retry_after in fails:
            key = (status, sub)
            with LOCK:
                done = FAILED.get(key, 0)
                hit = sub in self.path and done < count
                if hit:
                    FAILED[key] = done + 1
            if hit:
                self.log_entry(status)
                msg = b'{"errors":[{"code":"UNAVAILABLE","message":"injected failure"}]}'
                self.send_response(status)
                if retry_after:
                    self.send_header("Retry-After", retry_after)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(msg)))
                self.end_headers()
                self.wfile.write(msg)
                return
        url = urllib.parse.urlsplit(self.path)
        conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=60)
        path = url.path + ("?" + url.query if url.query else "")
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        conn.request(self.command, path, body=body, headers=headers)
        resp = conn.getresponse()
        self.log_entry(resp.status)
        data = b"" if self.command == "HEAD" else None
        clen = resp.getheader("Content-Length")
        link = None
        pad = sum(n for sub, n in pads if sub in path)
        if self.command == "GET" and paginate and "/tags/list" in path and resp.status == 200:
            data, link = paginate_tags(path, resp.read())
            clen = str(len(data))
        elif self.command == "GET" and pad and 200 <= resp.status < 300:
            data = resp.read() + b" " * pad
            clen = str(len(data))
        elif clen is None and self.command != "HEAD":
            data = resp.read()
            clen = str(len(data))
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP and k.lower() not in ("content-length", "link"):
                self.send_header(k, v)
        if link:
            self.send_header("Link", link)
        if clen is not None:
            self.send_header("Content-Length", clen)
        self.end_headers()
        if self.command == "HEAD":
            conn.close()
            return
        if data is not None:
            self.wfile.write(data)
        else:
            left = int(clen)
            chunk = 16384
            while left > 0:
                piece = resp.read(min(chunk, left))
                if not piece:
                    break
                self.wfile.write(piece)
                self.wfile.flush()
                left -= len(piece)
                if rate:
                    time.sleep(len(piece) / rate)
        conn.close()

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
