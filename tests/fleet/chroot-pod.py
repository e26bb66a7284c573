#!/usr/bin/env python3
"""chroot-pod.py POD.yaml ROOTFS CONFIG WORKDIR: run the one container of a Pod
(daemonset-pod.py's output) from an image's root filesystem with util-linux
and chroot, where no container engine can run (tests/fleet/run says why).

What the pod asks for is applied, nothing more:
  - a private mount namespace (and UTS, IPC); the host's PID namespace
    (hostPID) and network (hostNetwork), which the pod asks for;
  - a copy of ROOTFS under WORKDIR as /, read-only if readOnlyRootFilesystem;
    /proc, and /dev with null, zero, full, random, urandom (what a runtime gives);
  - volumeMounts: hostPath volumes bound (read-only when asked), emptyDir
    volumes as tmpfs of their sizeLimit;
  - the image's Env (from CONFIG, the image's config blob), then the container's env; command + args;
  - securityContext: the capability bounding set reduced to capabilities.add
    when drop is [ALL] (root's capabilities after exec are the bounding set),
    no_new_privs when allowPrivilegeEscalation is false.
Then it execs the command: its PID is the container's, its stdout and
stderr the container's log."""
import ctypes
import json
import os
import shutil
import subprocess
import sys

import yaml

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x20000, 0x4000000, 0x8000000
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
libc = ctypes.CDLL(None, use_errno=True)


def die(msg):
    sys.exit("chroot-pod.py: " + msg)


def run(*cmd):
    subprocess.run(cmd, check=True)


def cap_number(name):
    """CAP_BPF -> 39, from the kernel's own list (capsh knows the names)."""
    out = subprocess.run(["capsh", "--explain=cap_" + name.lower().removeprefix("cap_")],
                         capture_output=True, text=True)
    for word in out.stdout.split():   # "cap_bpf (39) [...]"
        if word.startswith("(") and word.endswith(")") and word[1:-1].isdigit():
            return int(word[1:-1])
    die("unknown capability %s" % name)


def main():
    if len(sys.argv) != 5:
        die("usage: chroot-pod.py POD.yaml ROOTFS CONFIG WORKDIR")
    pod_file, rootfs, config, work = sys.argv[1:]
    with open(pod_file) as f:
        pod = yaml.safe_load(f)
    spec = pod["spec"]
    if len(spec["containers"]) != 1:
        die("one container expected")
    c = spec["containers"][0]
    if not spec.get("hostPID") or not spec.get("hostNetwork"):
        die("only hostPID and hostNetwork pods are run this way")
    sc = c.get("securityContext", {})
    with open(config) as f:
        image_env = json.load(f).get("config", {}).get("Env", [])

    root = os.path.join(work, "root")
    shutil.copytree(rootfs, root, symlinks=True)

    if libc.unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC) != 0:
        die("unshare: %s" % os.strerror(ctypes.get_errno()))
    run("mount", "--make-rprivate", "/")
    run("mount", "--bind", root, root)

    run("mkdir", "-p", root + "/proc", root + "/dev")
    run("mount", "-t", "proc", "proc", root + "/proc")
    run("mount", "-t", "tmpfs", "-o", "mode=755,size=64k", "dev", root + "/dev")
    for dev in ("null", "zero", "full", "random", "urandom"):
        open(root + "/dev/" + dev, "w").close()
        run("mount", "--bind", "/dev/" + dev, root + "/dev/" + dev)

    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for m in c.get("volumeMounts", []):
        v = volumes.get(m["name"])
        if v is None:
            die("volumeMount %s: no such volume" % m["name"])
        target = root + m["mountPath"]
        os.makedirs(target, exist_ok=True)
        if "hostPath" in v:
            run("mount", "--bind", v["hostPath"]["path"], target)
            if m.get("readOnly"):
                run("mount", "-o", "remount,bind,ro", target)
        elif "emptyDir" in v:
            size = v["emptyDir"].get("sizeLimit", "64Mi").replace("Mi", "m").replace("Gi", "g")
            run("mount", "-t", "tmpfs", "-o", "size=" + size, m["name"], target)
        else:
            die("volume %s: only hostPath and emptyDir are run this way" % m["name"])
    if sc.get("readOnlyRootFilesystem"):
        run("mount", "-o", "remount,bind,ro", root)

    env = dict(e.split("=", 1) for e in image_env)
    for e in c.get("env", []):
        env[e["name"]] = e.get("value", "")
    argv = c.get("command", []) + c.get("args", [])
    if not argv:
        die("no command")

    caps = sc.get("capabilities", {})
    if "ALL" in caps.get("drop", []):
        keep = {cap_number(n) for n in caps.get("add", [])}
        with open("/proc/sys/kernel/cap_last_cap") as f:
            last = int(f.read())
        for cap in range(last + 1):
            if cap not in keep and libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                die("dropping capability %d: %s" % (cap, os.strerror(ctypes.get_errno())))
    if sc.get("allowPrivilegeEscalation") is False:
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)

    os.chroot(root)
    os.chdir(c.get("workingDir", "/"))
    path = argv[0]
    if "/" not in path:
        for d in env.get("PATH", "/usr/bin").split(":"):
            if os.access(os.path.join(d, path), os.X_OK):
                path = os.path.join(d, path)
                break
    os.execve(path, argv, env)


main()
