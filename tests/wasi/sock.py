#!/usr/bin/env python3
"""sock_* for the wasi suite: the guest's stdin is a listening TCP socket on
127.0.0.1 (a free port); this side connects, sends a line, and reads the
guest's upper-cased echo until the guest shuts the connection down.
Prints the guest's stdout, then "echo: [...]" and "exit N".
Usage: sock.py WASM_BPF SOCK_WASM"""
import socket
import subprocess
import sys

wasm_bpf, sock_wasm = sys.argv[1], sys.argv[2]
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(1)
port = listener.getsockname()[1]
proc = subprocess.Popen([wasm_bpf, "run", sock_wasm], stdin=listener.fileno(),
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
listener.close()
echo = b""
with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
    conn.sendall(b"hello socket\n")
    while True:
        data = conn.recv(4096)
        if not data:
            break
        echo += data
try:
    out, err = proc.communicate(timeout=10)
except subprocess.TimeoutExpired:
    proc.kill()
    out, err = proc.communicate()
sys.stdout.write(out.decode(errors="replace"))
sys.stderr.write(err.decode(errors="replace"))
print(f"echo: [{echo.decode(errors='replace').strip()}]")
print(f"exit {proc.returncode}")
