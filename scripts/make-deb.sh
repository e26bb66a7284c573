#!/bin/sh
# Build a Debian package of wasm-bpf from the tree (`make deb`):
#   scripts/make-deb.sh BUILD_DIR   ->  BUILD_DIR/deb/wasm-bpf_VERSION_ARCH.deb
# `make install PREFIX=/usr` into a staging root, then what debhelper would
# do for this one binary package: strip, compress the man page, a copyright
# and a changelog under /usr/share/doc, Depends from dpkg-shlibdeps, and
# dpkg-deb with root as the owner.  lintian checks the result when it is
# installed.
#
# Version: the one the binary reports; from a git checkout, the number of
# commits and the commit follow (0.1.0+git1234.gabcdef0), so that two
# packages of different trees never carry the same version.
#
# Depends comes from the binary's ELF dependencies.  The libraries the
# command opens with dlopen on first use (src/oci/libs.c, trust_libs.c:
# libcurl and libcrypto for registry operations, libsodium for ed25519
# signatures) are not ELF dependencies: their SONAMEs are read from those
# files and resolved to this system's packages, and go to Recommends:
# `wasm-bpf run FILE` works without them, and a registry command that
# needs a missing one names its package.
set -eu

build_arg=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
case $build_arg in /*) build=$build_arg ;; *) build=$top/$build_arg ;; esac

for tool in dpkg-deb dpkg-shlibdeps dpkg-architecture; do
    command -v "$tool" >/dev/null || {
        echo "make-deb: $tool is missing (Debian package dpkg-dev)" >&2
        exit 1
    }
done

release=$("$build/wasm-bpf" --version | sed -n 's/^wasm-bpf //p')
[ -n "$release" ] || { echo "make-deb: $build/wasm-bpf --version says no version" >&2; exit 1; }
version=$release
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    version="$release+git$(git -C "$top" rev-list --count HEAD).g$(git -C "$top" rev-parse --short=7 HEAD)"
fi
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
: "${DEB_MAINTAINER:=wasm-bpf developers <wasm-bpf@users.noreply.github.com>}"

work=$build/deb
root=$work/root
rm -rf "$work"
mkdir -p "$root/DEBIAN" "$work/debian"

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s BUILD="$build_arg" DESTDIR="$root" PREFIX=/usr LIBDIR="/usr/lib/$multiarch" install >/dev/null

# what dh_strip and dh_compress would do
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/wasm-bpf"
strip --strip-debug --enable-deterministic-archives "$root/usr/lib/$multiarch/libwasm-bpf.a"
gzip -9n "$root/usr/share/man/man1/wasm-bpf.1"
doc=$root/usr/share/doc/wasm-bpf
mkdir -p "$doc"
cat > "$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: wasm-bpf
Comment: built from a wasm-bpf tree by scripts/make-deb.sh.  The tree
 declares no license of its own yet (no LICENSE file); this field says so
 rather than guessing one.

Files: *
Copyright: the wasm-bpf developers
License: unknown
 The source tree this package was built from carries no license file.
EOF
date=$(date -R -d "@$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)")
cat > "$work/changelog" <<EOF
wasm-bpf ($version) unstable; urgency=medium

  * Package built from the tree ($(git -C "$top" rev-parse --short=12 HEAD 2>/dev/null || echo "no git")).

 -- $DEB_MAINTAINER  $date
EOF
gzip -9n < "$work/changelog" > "$doc/changelog.gz"
find "$root" -type d -exec chmod 755 {} +

# dpkg-shlibdeps reads debian/control of the directory it runs in
cat > "$work/debian/control" <<EOF
Source: wasm-bpf

Package: wasm-bpf
Architecture: any
EOF
depends=$(cd "$work" && dpkg-shlibdeps -O -e root/usr/bin/wasm-bpf 2>"$work/shlibdeps.log" |
    sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "make-deb: dpkg-shlibdeps found no dependencies:" >&2; cat "$work/shlibdeps.log" >&2; exit 1; }

# package_of SONAME: the installed package that holds it (dpkg knows a
# path as the package shipped it: /lib/... or /usr/lib/... on a merged /usr)
package_of() {
    path=$(ldconfig -p | awk -v s="$1" '$1 == s { print $NF; exit }')
    [ -n "$path" ] || return 0
    for p in "$path" "$(readlink -f "$path")" "${path#/usr}" "/usr$path"; do
        dpkg -S "$p" 2>/dev/null | head -n 1 | cut -d: -f1 | grep . && return 0
    done
    return 0
}

# the dlopened libraries: "#define LIBCURL "libcurl.so.4"" -> the package
# that holds that SONAME here
recommends=""
for soname in $(scripts/dlopen-sonames.sh); do
    pkg=$(package_of "$soname")
    if [ -z "$pkg" ]; then
        echo "make-deb: no installed package holds $soname (opened at run time): not in Recommends" >&2
        continue
    fi
    case ", $recommends, " in *", $pkg, "*) ;; *) recommends="${recommends:+$recommends, }$pkg" ;; esac
done

# what `wasm-bpf build` runs, by the names its messages give when one is
# missing (src/cli/build_*.c; tests/install checks they agree), and
# pkg-config for the long form
suggests="clang, llvm, lld, bpftool, libbpf-dev, wasi-libc, libclang-rt-dev-wasm32, binaryen"
suggests="$suggests, cargo, libstd-rust-dev-wasm32, pkg-config"

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOF
Package: wasm-bpf
Version: $version
Architecture: $arch
Maintainer: $DEB_MAINTAINER
Installed-Size: $installed_size
Depends: $depends
Recommends: $recommends
Suggests: $suggests
Section: admin
Priority: optional
Description: run eBPF programs packaged as WebAssembly modules
 wasm-bpf runs guest modules (C or Rust compiled to wasm32-wasi) that carry
 their eBPF objects; the runtime loads them into the kernel through libbpf
 and calls the guest back with every event.  Modules travel through OCI
 registries like container images (push, pull, run by reference, cosign
 signatures).
 .
 The package holds the command, its man page and bash completion, the C SDK
 of guests (/usr/include/wasm-bpf, pkg-config wasm-bpf), the Rust SDK
 crate's sources (/usr/share/wasm-bpf/rust) and the runtime as a static
 library (pkg-config libwasm-bpf).  Registry operations open libcurl and
 libcrypto, signatures libsodium, on first use (Recommends).
EOF

deb=$work/wasm-bpf_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "make-deb: $deb"
echo "make-deb: Depends: $depends"
echo "make-deb: Recommends: $recommends"
if [ "${WASM_BPF_DEB_LINTIAN:-1}" = 0 ]; then
    : # the caller does not want it (tests/install: it takes half a minute)
elif command -v lintian >/dev/null; then
    # lintian's verdict is reported, not enforced: the lead decides
    lintian --tag-display-limit 0 "$deb" > "$work/lintian.txt" 2>&1 || true
    if [ -s "$work/lintian.txt" ]; then
        echo "make-deb: lintian says ($work/lintian.txt):"
        sed 's/^/  /' "$work/lintian.txt"
    else
        echo "make-deb: lintian: clean"
    fi
else
    echo "make-deb: lintian not installed: not checked"
fi
