#!/bin/sh
# Install every Debian package the build, the examples and the tests use.
# Idempotent: quiet and fast when everything is already present.
#   --arm64   also what the arm64 cross build and its suites use (make
#             cross-arm64, make test-arm64): the cross compiler, qemu-user
#             and the arm64 -dev packages the build links, through multiarch
#             (adds the arm64 architecture to dpkg; without the flag nothing
#             of it is touched)
#   --kernels what `make test-kernels` needs (below)
set -eu

ARM64=0 KERNELS=0
for a in "$@"; do
    case $a in
    --arm64) ARM64=1 ;;
    --kernels) KERNELS=1 ;;
    *) echo "install-deps: unknown option $a (known: --arm64, --kernels)" >&2; exit 2 ;;
    esac
done

# --kernels: what `make test-kernels` needs besides (qemu; kernels and
# busybox-static are fetched by scripts/kernels/matrix.sh with
# `apt-get download`, not installed), so `make test` never pulls qemu
if [ "$KERNELS" = 1 ]; then
    PACKAGES="qemu-system-x86 cpio xz-utils zstd gzip kmod iproute2 binutils"
else

PACKAGES="
make gcc clang lld llvm clang-format
libbpf-dev libelf-dev zlib1g-dev bpftool
wasi-libc libclang-rt-14-dev-wasm32 libclang-rt-14-dev binaryen
libcurl4-openssl-dev libssl-dev libjansson-dev libsodium-dev libmicrohttpd-dev
wabt
docker-registry skopeo apache2-utils openssl curl prometheus
rustc cargo libstd-rust-dev-wasm32
nodejs
iproute2 iputils-ping python3 procps util-linux
pkg-config dpkg-dev file man-db bash debootstrap
ca-certificates jq yq python3-yaml libcap2-bin podman crun runc catatonit
"
fi

# the arm64 -dev packages: what LDLIBS_ALL links and the headers of what
# is opened with dlopen (libcurl, libssl, libsodium, libmicrohttpd); the
# libraries of iproute2's ip for the arm64 VM (its binary is not
# co-installable: mk/arm64.mk unpacks it into build-arm64/root)
ARM64_PACKAGES="
gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user file qemu-system-arm cpio
libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libjansson-dev:arm64
libcurl4-openssl-dev:arm64 libssl-dev:arm64 libsodium-dev:arm64 libmicrohttpd-dev:arm64
libmnl0:arm64 libcap2:arm64 libbsd0:arm64 libxtables12:arm64 libselinux1:arm64 libdb5.3:arm64 libtirpc3:arm64
"
if [ "$ARM64" = 1 ]; then
    PACKAGES="$PACKAGES $ARM64_PACKAGES"
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "install-deps: the arm64 architecture is not enabled: run as root (or: sudo $0 --arm64)" >&2
            exit 1
        fi
        echo "install-deps: dpkg --add-architecture arm64"
        dpkg --add-architecture arm64
    fi
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: run as root (or: sudo $0)" >&2
    exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
