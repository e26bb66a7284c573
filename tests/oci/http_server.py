#!/usr/bin/env python3
"""http_server.py DIR PORTFILE LOG: serve DIR over HTTP on 127.0.0.1 (a free
port, written to PORTFILE), logging every request as a JSON line with its
method, path and Authorization header.  Plays the CDN that a registry's
redirect middleware sends blob downloads to, and a plain web server for
`run http://.../x.wasm`."""
import functools
import http.server
import json
import os
import sys
import threading


class Handler(http.server.SimpleHTTPRequestHandler):
    log_lock = threading.Lock()

    def log_request_line(self):
        entry = {"method": self.command, "path": self.path,
                 "authorization": self.headers.get("Authorization")}
        with self.log_lock, open(self.server.log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def do_GET(self):
        self.log_request_line()
        super().do_GET()

    def do_HEAD(self):
        self.log_request_line()
        super().do_HEAD()

    def log_message(self, *args):
        pass


def main():
    directory, port_file, log_path = sys.argv[1:4]
    handler = functools.partial(Handler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.log_path = log_path
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


main()
