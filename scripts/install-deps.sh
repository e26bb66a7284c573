#!/bin/sh
# Install every Debian package the build, the examples and the tests use.
# Idempotent: quiet and fast when everything is already present.
set -eu

# --kernels: what `make test-kernels` needs besides (qemu; kernels and
# busybox-static are fetched by scripts/kernels/matrix.sh with
# `apt-get download`, not installed), so `make test` never pulls qemu
if [ "${1:-}" = --kernels ]; then
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
