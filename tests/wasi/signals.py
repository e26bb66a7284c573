#!/usr/bin/env python3
"""Signals that end a guest, for the wasi suite.

Each check starts `wasm-bpf run [OPTIONS] sleep.wasm MODE`, waits until the
guest has printed its lines (so it is blocked, or spinning), sends a signal
(and maybe a second one) and checks: the exit status, the time from the
last signal to the exit, and stdout: every line printed before the signal
reached it, whether stdout is a pipe or a file (wasi-libc would buffer it
fully if the guest saw a pipe or a file there), and, when the guest ends by
itself, the lines it printed after its wait returned EINTR.

Two behaviours: by default the first signal makes the guest's blocked call
return (EINTR; a sleep ends early) and the guest runs on to its own exit
(status 0); a guest that does not end within --stop-timeout is stopped
(128 + signal), at once with --stop-timeout 0 or at a second signal.

Two more checks send SIGINT while a large module (gen_limits.py --big-code,
63 MB of function bodies) is still being loaded, and while the compiler
translates it: the run ends with 130 and says what it was doing.

Prints one line per check: "PASS name", "FAIL name: why" or "SKIP name: why".
Usage: signals.py WASM_BPF SLEEP_WASM
"""
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

wasm_bpf, sleep_wasm = sys.argv[1], sys.argv[2]
# Seconds from the signal to the exit.  Sanitizer builds (make test-asan
# sets ASAN_OPTIONS) spend tens of ms in the leak check at exit alone.
LIMIT = 1.0 if os.environ.get("ASAN_OPTIONS") else 0.100
# Under user emulation (make test-arm64: qemu-aarch64) starting, signal
# delivery and exit cost more: three times the limits.
EMULATED = bool(os.environ.get("WASM_BPF_EMULATOR"))
if EMULATED:
    LIMIT *= 3
# the machine the binary is for (not this one under emulation)
MACHINE = os.environ.get("WASM_BPF_MACHINE") or os.uname().machine
EXPECTED_BEFORE = "before {mode}\na second line\n"
# what the guest prints once its wait ended by itself
EXPECTED_AFTER = {"sleep": "after sleep\n", "read": "after read\n",
                  "poll": "poll returned -1\nafter poll\n"}


def check(name, mode, sig, stdout_kind, want_status, options=(), limit=None, second=None):
    """Run one case; return None on success or the reason it failed.
    want_status 0: the guest ends by itself and prints its "after" lines.
    limit: seconds allowed from the (last) signal to the exit.
    second: seconds after the first signal to send it again."""
    limit = LIMIT if limit is None else limit
    args = [wasm_bpf, "run", *options, sleep_wasm, mode] + (["20000"] if mode in ("sleep", "poll") else [])
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
            elif select.select([proc.stdout], [], [], 0.05)[0]:
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
        if second is not None:
            time.sleep(second)
            if proc.poll() is not None:
                return f"the guest ended ({proc.returncode}) before the second signal"
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
        if elapsed > limit:
            return f"took {elapsed * 1000:.0f} ms from the signal to the exit (limit {limit * 1000:.0f})"
        if want_status == 0:
            want += EXPECTED_AFTER[mode]
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


NOW = ["--stop-timeout", "0"]
# (name, mode, signal, stdout, status, options, limit, second signal after)
CASES = [
    ("SIGINT while sleeping in poll_oneoff: the sleep ends early, the guest exits 0",
     "sleep", signal.SIGINT, "pipe", 0, (), None, None),
    ("SIGTERM while blocked in fd_read on a pipe: EINTR, the guest exits 0",
     "read", signal.SIGTERM, "file", 0, (), None, None),
    ("SIGHUP while polling stdin (poll_oneoff with an fd): EINTR, the guest exits 0",
     "poll", signal.SIGHUP, "pipe", 0, (), None, None),
    ("SIGINT while computing: stopped after --stop-timeout 0.3 (130)",
     "spin", signal.SIGINT, "pipe", 130, ["--stop-timeout", "0.3"], 0.3 + LIMIT + 0.2, None),
    ("a second SIGINT stops a computing guest at once (130)",
     "spin", signal.SIGINT, "pipe", 130, (), None, 0.2),
    ("--stop-timeout 0: SIGINT while sleeping in poll_oneoff, stdout a pipe",
     "sleep", signal.SIGINT, "pipe", 130, NOW, None, None),
    ("--stop-timeout 0: SIGINT while sleeping in poll_oneoff, stdout a file",
     "sleep", signal.SIGINT, "file", 130, NOW, None, None),
    ("--stop-timeout 0: SIGTERM while sleeping in poll_oneoff", "sleep", signal.SIGTERM, "pipe", 143,
     NOW, None, None),
    ("--stop-timeout 0: SIGHUP while sleeping in poll_oneoff", "sleep", signal.SIGHUP, "file", 129,
     NOW, None, None),
    ("--stop-timeout 0: SIGINT while blocked in fd_read on a pipe", "read", signal.SIGINT, "pipe", 130,
     NOW, None, None),
    ("--stop-timeout 0: SIGTERM while polling stdin", "poll", signal.SIGTERM, "file", 143,
     NOW, None, None),
    ("--stop-timeout 0: SIGINT while computing (no host call)", "spin", signal.SIGINT, "pipe", 130,
     NOW, None, None),
]



def check_loading(name, phase, engine):
    """SIGINT once --verbose says the phase began ("loading" or "decoded");
    None on success or the reason it failed."""
    want = {"loading": "interrupted while loading", "decoded": "interrupted while compiling"}[phase]
    with tempfile.TemporaryDirectory(prefix="wasi-signal-") as d:
        big = os.path.join(d, "big.wasm")
        gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine", "gen_limits.py")
        subprocess.run([sys.executable, gen, "--big-code", big], check=True)
        proc = subprocess.Popen([wasm_bpf, "run", "--verbose", "--engine", engine, big],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        err = b""
        try:
            deadline = time.monotonic() + 60
            while phase.encode() not in err:
                if time.monotonic() > deadline:
                    return f"no '{phase}' line within 60 s: {err!r}"
                if select.select([proc.stderr], [], [], 0.05)[0]:
                    chunk = os.read(proc.stderr.fileno(), 4096)
                    if not chunk:
                        return f"exited ({proc.wait()}) before '{phase}': {err!r}"
                    err += chunk
            time.sleep(0.05)  # well inside the phase: each takes seconds here
            t0 = time.monotonic()
            proc.send_signal(signal.SIGINT)
            status = proc.wait(timeout=60)
            elapsed = time.monotonic() - t0
            err = (err + proc.stderr.read()).decode(errors="replace")
            if status != 130:
                return f"exit status {status}, expected 130; stderr: {err.strip()!r}"
            if f"{want}" not in err or "after SIGINT" not in err:
                return f"no '{want} ... after SIGINT' on stderr: {err.strip()!r}"
            if elapsed > LOAD_LIMIT:
                return (f"took {elapsed * 1000:.0f} ms from the signal to the exit "
                        f"(limit {LOAD_LIMIT * 1000:.0f})")
            print(f"     {name}: exit {status} {elapsed * 1000:.1f} ms after the signal")
            return None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


# The load checks between function bodies (63 KB each here) and the
# compiler between functions; what remains is freeing what was built
# (hundreds of MB of code words: 0.1 s on a quiet machine, more than a
# second on a busy one).  The message shows that the phase was cut short:
# had it finished, the run would go on and fail without a _start.
LOAD_LIMIT = (6.0 if os.environ.get("ASAN_OPTIONS") else 3.0) * (3 if EMULATED else 1)
LOAD_CASES = [
    ("SIGINT while loading a 63 MB module: the load stops (130)", "loading", "interp"),
    ("SIGINT while the compiler translates a 63 MB module: it stops (130)", "decoded", "jit"),
]

only_blocking = os.environ.get("WASI_SIGNALS_NO_SPIN")  # engines without back-edge checks
for name, mode, sig, kind, status, options, limit, second in CASES:
    if mode == "spin" and only_blocking:
        print(f"SKIP {name}: WASI_SIGNALS_NO_SPIN is set")
        continue
    why = check(name, mode, sig, kind, status, options, limit, second)
    print(f"PASS {name}" if why is None else f"FAIL {name}: {why}")

for name, phase, engine in LOAD_CASES:
    if engine == "jit" and MACHINE != "x86_64":
        print(f"SKIP {name}: the compiler is x86-64 only")
        continue
    why = check_loading(name, phase, engine)
    print(f"PASS {name}" if why is None else f"FAIL {name}: {why}")
