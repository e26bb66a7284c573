#!/bin/sh
# Run test suites against the arm64 build under qemu user emulation.
#   scripts/arm64-tests.sh HOST_BUILD ARM64_BUILD SUITE...      (make test-arm64)
# The suites read everything from one build directory; ARM64_BUILD/run is
# made to be it: a mirror of HOST_BUILD (the guests, BPF objects and
# fixtures stay the x86-64 build's files, symlinked, so the arm64 binary
# runs the very same .wasm files) in which every program ARM64_BUILD has
# (wasm-bpf, the test programs, fail_malloc.so, the archives) is replaced by
# its arm64 build.  An arm64 executable becomes a small script that starts
# it under qemu-aarch64 (so the suites call it as they call the native
# one); the machine needs no binfmt_misc registration.  The arm64 libraries
# are Debian's multiarch ones, found through qemu's -L /.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 HOST_BUILD ARM64_BUILD SUITE..." >&2; exit 2; }
host=$1 arm=$2; shift 2
case $host in /*) ;; *) host=$top/$host ;; esac
case $arm in /*) ;; *) arm=$top/$arm ;; esac
QEMU=$(command -v "${QEMU_AARCH64:-qemu-aarch64}") || {
    echo "arm64-tests: ${QEMU_AARCH64:-qemu-aarch64} not found (package qemu-user; scripts/install-deps.sh --arm64)" >&2
    exit 1
}
if [ ! -x "$arm/wasm-bpf" ] || [ ! -x "$host/wasm-bpf" ]; then
    echo "arm64-tests: $arm/wasm-bpf or $host/wasm-bpf is not built (make test-arm64 builds both)" >&2
    exit 1
fi

is_arm64_elf() { file -b "$1" 2>/dev/null | grep -q 'ELF 64-bit LSB.*ARM aarch64'; }

run=$arm/run
rm -rf "$run"
mkdir -p "$run"
# every directory of the host build, each file a symlink to the host's
# (not its objects, nor the kernels and images of make test-kernels)
for e in "$host"/* "$host"/.[!.]*; do
    [ -e "$e" ] || continue
    case ${e##*/} in obj|kernels) continue ;; esac
    cp -rs "$e" "$run/"
done

# then the arm64 programs over them
replaced=0
for f in $(cd "$arm" && find . -path ./obj -prune -o -path ./run -prune -o -path ./root -prune -o -type f -print); do
    src=$arm/${f#./}
    dst=$run/${f#./}
    case $f in
    *.a|*.so) mkdir -p "$(dirname "$dst")"; rm -f "$dst"; ln -s "$src" "$dst" ;;
    *)  is_arm64_elf "$src" || continue
        mkdir -p "$(dirname "$dst")"; rm -f "$dst"
        # LD_PRELOAD (tests/base's fail_malloc.so) is for the emulated
        # program, not for qemu itself; the shell's own PWD is not passed
        # on unless it was in the environment it was given
        cat >"$dst" <<EOF
#!/bin/sh
grep -qz '^PWD=' /proc/\$\$/environ || unset PWD
if [ -n "\${LD_PRELOAD:-}" ]; then
    p=\$LD_PRELOAD; unset LD_PRELOAD
    exec $QEMU -L / -E LD_PRELOAD="\$p" "$src" "\$@"
fi
exec $QEMU -L / "$src" "\$@"
EOF
        chmod +x "$dst" ;;
    esac
    replaced=$((replaced + 1))
done
echo "arm64-tests: $run: the x86-64 build's files, $replaced replaced by arm64 builds ($QEMU)"
# what the suites need to know (scripts/testlib.sh): how to run a program
# they build themselves, the machine the binary is for, the compiler that
# builds for it
export WASM_BPF_EMULATOR="$QEMU -L /" WASM_BPF_MACHINE=aarch64 CC=aarch64-linux-gnu-gcc
exec "$top/scripts/run-tests.sh" "$run" "$@"
