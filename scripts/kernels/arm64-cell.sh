#!/bin/sh
# scripts/kernels/arm64-cell.sh: the arm64 cell of `make test-kernels`.
#   scripts/kernels/arm64-cell.sh BUILD ARM64_BUILD CACHE
# Boots Debian's linux-image-arm64 (bookworm, 6.1) under
# qemu-system-aarch64 -M virt (TCG: no KVM here) with an initramfs made
# here: busybox-static:arm64, the cross-built wasm-bpf (ARM64_BUILD, `make
# cross-arm64`) with its arm64 libraries (Debian's multiarch ones), the
# kernel modules the checks load (veth, sch_ingress, cls_bpf), and the
# guests of the x86-64 build (BUILD/examples), the very same files, checked
# by sha256 inside the VM.  /init runs scripts/kernels/vm-checks.sh and
# powers off; its RESULT lines are printed here as they come and the cell's
# log is CACHE/arm64.log.
# Packages are fetched with `apt-get download` (no install) into
# CACHE/debs once; a fetch the mirror refuses makes every check a skip that
# says so.  The boot is bounded by ARM64_TIMEOUT seconds (default 1500).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 3 ] || { echo "usage: $0 BUILD ARM64_BUILD CACHE" >&2; exit 2; }
build=$1 arm=$2 cache=$3
case $build in /*) ;; *) build=$top/$build ;; esac
case $arm in /*) ;; *) arm=$top/$arm ;; esac
case $cache in /*) ;; *) cache=$top/$cache ;; esac
TIMEOUT=${ARM64_TIMEOUT:-1500}
CHECKS="bootstrap execsnoop opensnoop runqlat uprobe xdp tc rust-bootstrap hostile"
GUESTS="bootstrap execsnoop opensnoop runqlat uprobe xdp tc rust-bootstrap"
log=$cache/arm64.log
mkdir -p "$cache/debs"

skip_all() {
    for c in sha256 $CHECKS; do echo "RESULT $c skip $1"; done
    exit 0
}

command -v qemu-system-aarch64 >/dev/null ||
    skip_all "qemu-system-aarch64 not found (package qemu-system-arm; scripts/install-deps.sh --kernels)"
[ -x "$arm/wasm-bpf" ] || skip_all "$arm/wasm-bpf is not built (make cross-arm64)"
for g in $GUESTS; do
    [ -f "$build/examples/$g/$g.wasm" ] || skip_all "$build/examples/$g/$g.wasm is not built (make)"
done

# ---- fetch (cached) ---------------------------------------------------------
# the kernel the metapackage points to today, e.g. linux-image-6.1.0-57-arm64
kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)/\1/p' | head -n 1)
kpkg=${kpkg%:arm64}
[ -n "$kpkg" ] || skip_all "apt-cache knows no linux-image-arm64:arm64 (dpkg --add-architecture arm64; apt-get update: scripts/install-deps.sh --arm64)"
fetch() {   # fetch PACKAGE: CACHE/debs/PACKAGE_*.deb, downloaded once
    ls "$cache/debs/$1"_*_arm64.deb >/dev/null 2>&1 && return 0
    (cd "$cache/debs" && apt-get -o APT::Sandbox::User=root download "$1:arm64" >"$cache/fetch.log" 2>&1) ||
        skip_all "the mirror refused $1:arm64: $(grep -m1 -E '^(E|W):' "$cache/fetch.log")"
}
fetch "$kpkg"
fetch busybox-static

kdir=$cache/$kpkg
if [ ! -d "$kdir/boot" ]; then
    rm -rf "$kdir.tmp" && mkdir -p "$kdir.tmp" &&
        dpkg-deb -x "$cache/debs/$kpkg"_*_arm64.deb "$kdir.tmp" && mv "$kdir.tmp" "$kdir" ||
        skip_all "cannot unpack $kpkg"
fi
kver=${kpkg#linux-image-}
image=$(ls "$kdir"/boot/vmlinuz-* | head -n 1)

# ---- the initramfs ----------------------------------------------------------
root=$cache/arm64-root
rm -rf "$root"
mkdir -p "$root/bin" "$root/sbin" "$root/ex" "$root/modules" "$root/proc" "$root/sys" "$root/dev" \
         "$root/tmp" "$root/etc" "$root/run"
dpkg-deb --fsys-tarfile "$cache/debs"/busybox-static_*_arm64.deb | tar -x -C "$cache" ./bin/busybox
mv "$cache/bin/busybox" "$root/bin/busybox" && rmdir "$cache/bin" 2>/dev/null
cp "$arm/wasm-bpf" "$root/bin/wasm-bpf"
# the libraries, as the arm64 loader resolves them (under qemu-user)
loader=/lib/ld-linux-aarch64.so.1
libs=$(qemu-aarch64 -L / $loader --list "$arm/wasm-bpf" | awk '$2 == "=>" { print $3 } $1 ~ /^\// { print $1 }')
for l in $loader $libs; do
    mkdir -p "$root$(dirname "$l")"
    cp -L "$l" "$root$l"
done
# the modules the network checks load, with what they depend on
mdir=$kdir/lib/modules/$kver
for m in veth sch_ingress cls_bpf; do
    f=$(find "$mdir" -name "$m.ko*" | head -n 1)
    [ -n "$f" ] && cp "$f" "$root/modules/"
done
for g in $GUESTS; do cp "$build/examples/$g/$g.wasm" "$root/ex/"; done
(cd "$build/examples" && for g in $GUESTS; do sha256sum "$g/$g.wasm"; done) |
    sed 's| [^ ]*/| |' > "$root/ex/SHA256SUMS"
[ -x "$arm/examples/uprobe/target" ] && cp "$arm/examples/uprobe/target" "$root/ex/uprobe-target"
cp "$top/scripts/kernels/vm-checks.sh" "$root/checks.sh"
cat > "$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup
ip link set lo up
echo "KERNEL $(uname -r) $(uname -m) btf=$([ -r /sys/kernel/btf/vmlinux ] && echo yes || echo no)"
sh /checks.sh
poweroff -f
EOF
chmod +x "$root/init" "$root/checks.sh"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$cache/arm64-initrd.gz"

# ---- boot -------------------------------------------------------------------
# -cpu max with the cheap pointer-authentication algorithm (TCG spends much
# of its time in the architected one)
echo "arm64: booting $kpkg ($(du -k "$cache/arm64-initrd.gz" | cut -f1) KB initramfs), at most $TIMEOUT s"
t0=$(date +%s)
timeout --kill-after=10 "$TIMEOUT" qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -smp 2 -m 1024 \
    -nographic -no-reboot -kernel "$image" -initrd "$cache/arm64-initrd.gz" \
    -append "console=ttyAMA0 panic=-1 quiet" </dev/null >"$log" 2>&1
rc=$?
t1=$(date +%s)
{
    tr -d '\r' < "$log" | grep -E '^(RESULT|KERNEL) '
    if ! tr -d '\r' < "$log" | grep -q '^CHECKS DONE'; then
        echo "RESULT vm fail the VM ended before the checks did (exit $rc$([ $rc -eq 124 ] && echo ": over $TIMEOUT s"); $log)"
    fi
} > "$cache/arm64.results"
cat "$cache/arm64.results"
echo "TIME arm64 $((t1 - t0))"
# the cell's line of the table
p=$(grep -c '^RESULT [^ ]* pass' "$cache/arm64.results")
f=$(grep -c '^RESULT [^ ]* fail' "$cache/arm64.results")
s=$(grep -c '^RESULT [^ ]* skip' "$cache/arm64.results")
echo "arm64 $kver: $p passed, $f failed, $s skipped in $((t1 - t0)) s (boot and checks; log: $log)"
[ "$f" -eq 0 ]
