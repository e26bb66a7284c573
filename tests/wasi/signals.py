#!/usr/bin/env python3
"""Signals that end a guest, for the wasi suite.

Each check starts `wasm-bpf run sleep.wasm MODE`, waits until the guest has
printed its lines (so it is blocked, or spinning), sends a signal and
checks: the exit status (128 + signal), the time from the signal to the
exit (under 100 ms), and that every line printed before the signal reached
stdout, whether stdout is a pipe or a file (wasi-libc would buffer it fully
if the guest saw a pipe or a file there).

Prints one line per check: "PASS name", "FAIL name: why" or "SKIP name: why".
Usage: signals.py WASM_BPF SLEEP_WASM
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

wasm_bpf, sleep_wasm = sys.argv[1], sys.argv[2]
LIMIT = 0.100  # seconds from the signal to the exit
EXPECTED_BEFORE = "before {mode}\na second line\n"


def check(name, mode, sig, stdout_kind, want_status):
    """Run one case; return None on success or the reason it failed."""
    args = [wasm_bpf, "run", sleep_wasm, mode] + (["20000"] if mode in ("sleep", "poll") else [])
    stdin_r, stdin_w = os.pipe()  # kept open: "read" and "poll" block on it
    tmp = None
    if stdout_kind == "file":
        tmp = tempfile.NamedTemporaryFile(prefix="wasi-signal-", delete=False)
        out = tmp
    else:
        out = subprocess.PIPE
    proc = subprocess.Popen(args, stdin=stdin_r, stdout=out, stderr=subprocess.PIPE)
    os.close(stdin_r)
    want = EXPECTED_BEFORE.format(mode=mode)
    got = b""
    deadline = time.monotonic() + 10
    try:
        # Wait for the guest's lines: then it is blocked in the host call.
        while time.monotonic() < deadline:
            if stdout_kind == "file":
                with open(tmp.name, "rb") as f:
                    got = f.read()
            else:
                got += os.read(proc.stdout.fileno(), 4096)
            if got.decode(errors="replace") == want:
                break
            if proc.poll() is not None:
                return f"the guest exited early with {proc.returncode}: {got!r}"
            time.sleep(0.005)
        else:
            return f"no output before the signal within 10 s: {got!r}"
        time.sleep(0.05)  # let it settle into the blocking call
        t0 = time.monotonic()
        proc.send_signal(sig)
        status = proc.wait(timeout=10)
        elapsed = time.monotonic() - t0
        rest = proc.stdout.read() if stdout_kind == "pipe" else b""
        if stdout_kind == "file":
            with open(tmp.name, "rb") as f:
                got = f.read()
        else:
            got += rest
        err = proc.stderr.read().decode(errors="replace")
        if status != want_status:
            return f"exit status {status}, expected {want_status}; stderr: {err.strip()!r}"
        if elapsed > LIMIT:
            return f"took {elapsed * 1000:.0f} ms from the signal to the exit (limit {LIMIT * 1000:.0f})"
        if got.decode(errors="replace") != want:
            return f"stdout {got!r}, expected {want!r}"
        print(f"     {name}: exit {status} {elapsed * 1000:.1f} ms after the signal")
        return None
    finally:
        os.close(stdin_w)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if tmp:
            os.unlink(tmp.name)


CASES = [
    ("SIGINT while sleeping in poll_oneoff, stdout a pipe", "sleep", signal.SIGINT, "pipe", 130),
    ("SIGINT while sleeping in poll_oneoff, stdout a file", "sleep", signal.SIGINT, "file", 130),
    ("SIGTERM while sleeping in poll_oneoff", "sleep", signal.SIGTERM, "pipe", 143),
    ("SIGHUP while sleeping in poll_oneoff", "sleep", signal.SIGHUP, "file", 129),
    ("SIGINT while blocked in fd_read on a pipe", "read", signal.SIGINT, "pipe", 130),
    ("SIGTERM while polling stdin (poll_oneoff with an fd)", "poll", signal.SIGTERM, "file", 143),
    ("SIGINT while computing (no host call)", "spin", signal.SIGINT, "pipe", 130),
]

only_blocking = os.environ.get("WASI_SIGNALS_NO_SPIN")  # engines without back-edge checks
for name, mode, sig, kind, status in CASES:
    if mode == "spin" and only_blocking:
        print(f"SKIP {name}: WASI_SIGNALS_NO_SPIN is set")
        continue
    why = check(name, mode, sig, kind, status)
    print(f"PASS {name}" if why is None else f"FAIL {name}: {why}")
