#!/bin/sh
# image-build.sh BIN OUT: an OCI image of the runtime, without a container
# daemon or image builder: the root filesystem is assembled from the files
# the host's Debian packages installed, one layer is written with tar, and
# the OCI image layout (blobs, manifest, index) with sha256sum and jq.
#
#   BIN   the wasm-bpf command to put in the image
#   OUT   the directory to (re)write: OUT/rootfs (the filesystem),
#         OUT/oci (the OCI layout, tagged IMAGE_TAG), OUT/summary
#
# The filesystem holds the command (debug information stripped), exactly the
# shared libraries it loads: those ldd reports and those it opens lazily
# with dlopen (their names are read from src/oci/libs.c, trust_libs.c and
# src/cli/metrics.c, the only callers), with their own dependencies, the
# dynamic loader, the CA bundle libcurl reads, and an empty /tmp.  Nothing else: no shell, no
# package database.
#
# Environment (the Makefile sets them): IMAGE_TAG (default: the version
# `BIN --version` prints), IMAGE_REVISION, IMAGE_SOURCE, IMAGE_LICENSES,
# SOURCE_DATE_EPOCH (timestamps of files and config; default: the last
# commit's time), TOP (the source tree, default: this script's parent).
# The same inputs give the same image digest.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 BIN OUT" >&2; exit 2; }
BIN=$1
OUT=$2
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}

die() { echo "image-build: $*" >&2; exit 1; }
for tool in ldd ldconfig tar gzip sha256sum jq objcopy; do
    command -v "$tool" > /dev/null || die "missing $tool (scripts/install-deps.sh installs it)"
done
[ -x "$BIN" ] || die "$BIN: no such command (build it first: make)"
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
[ -s "$CA_BUNDLE" ] || die "$CA_BUNDLE missing (package ca-certificates)"

VERSION=$("$BIN" --version | sed -n 's/^wasm-bpf //p')
[ -n "$VERSION" ] || die "$BIN --version printed no version"
IMAGE_TAG=${IMAGE_TAG:-$VERSION}
IMAGE_REVISION=${IMAGE_REVISION:-$(git -C "$TOP" rev-parse HEAD 2> /dev/null || echo unknown)}
IMAGE_SOURCE=${IMAGE_SOURCE:-$(git -C "$TOP" config --get remote.origin.url 2> /dev/null || echo unknown)}
IMAGE_LICENSES=${IMAGE_LICENSES:-NOASSERTION}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$TOP" log -1 --format=%ct 2> /dev/null || echo 0)}
CREATED=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
# Debian's architecture names are the OCI ones for amd64, arm64, ppc64el...
ARCH=$(dpkg --print-architecture 2> /dev/null || echo amd64)
[ "$ARCH" = ppc64el ] && ARCH=ppc64le

# ---- the root filesystem ---------------------------------------------------
ROOT=$OUT/rootfs
rm -rf "$OUT"
mkdir -p "$ROOT/usr/bin" "$ROOT/tmp" "$OUT/oci/blobs/sha256"
chmod 1777 "$ROOT/tmp"
objcopy --strip-debug "$BIN" "$ROOT/usr/bin/wasm-bpf"

# The libraries opened with dlopen, by the names the code opens.
lazy=$("$TOP/scripts/dlopen-sonames.sh" "$TOP")
[ -n "$lazy" ] || die "no dlopen'ed library names found by scripts/dlopen-sonames.sh"

# The loader finds a library by its name in the default directories, so
# each one goes where the host's loader found it (no ld.so.cache needed).
objects=$BIN
for name in $lazy; do
    path=$(ldconfig -p | awk -v n="$name" '$1 == n && /x86-64|x86_64|64bit/ { print $NF; exit }')
    [ -n "$path" ] || path=$(ldconfig -p | awk -v n="$name" '$1 == n { print $NF; exit }')
    [ -n "$path" ] || die "$name (opened with dlopen) is not installed"
    objects="$objects $path"
done
libs=$(for o in $objects; do
    case $o in */*) echo "$o" ;; esac
    ldd "$o" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
    ldd "$o" | grep -q 'not found' && die "$o: $(ldd "$o" | grep 'not found' | head -n 1)"
done | grep -v "^$BIN\$" | sort -u)
for lib in $libs; do
    mkdir -p "$ROOT$(dirname "$lib")"
    cp -L "$lib" "$ROOT$lib"
done
mkdir -p "$ROOT$(dirname "$CA_BUNDLE")"
cp -L "$CA_BUNDLE" "$ROOT$CA_BUNDLE"
chmod -R u=rwX,go=rX "$ROOT/usr" "$ROOT/etc" "$ROOT"/lib*
chmod 755 "$ROOT/usr/bin/wasm-bpf"

# ---- the layer, config, manifest, index ------------------------------------
blob() { # blob FILE: move FILE into the layout under its digest, print the digest
    d=$(sha256sum "$1" | cut -d' ' -f1)
    mv "$1" "$OUT/oci/blobs/sha256/$d"
    echo "$d"
}
size() { stat -c %s "$OUT/oci/blobs/sha256/$1"; }

# Sorted names, fixed owner and times: the same files give the same layer.
(cd "$ROOT" && find . -mindepth 1 -printf '%P\0' | LC_ALL=C sort -z |
    tar --no-recursion --null --files-from=- -cf - --owner=0 --group=0 --numeric-owner \
        --mtime="@$SOURCE_DATE_EPOCH" --format=gnu) > "$OUT/layer.tar"
diff_id=$(sha256sum "$OUT/layer.tar" | cut -d' ' -f1)
unpacked=$(stat -c %s "$OUT/layer.tar")
gzip -n -9 "$OUT/layer.tar"
layer=$(blob "$OUT/layer.tar.gz")

jq -n --arg created "$CREATED" --arg diff "sha256:$diff_id" \
    --arg version "$VERSION" --arg revision "$IMAGE_REVISION" --arg source "$IMAGE_SOURCE" \
    --arg licenses "$IMAGE_LICENSES" --arg arch "$ARCH" '{
    created: $created, architecture: $arch, os: "linux",
    config: {
        Entrypoint: ["wasm-bpf"],
        Env: ["PATH=/usr/bin"],
        WorkingDir: "/",
        Labels: {
            "org.opencontainers.image.title": "wasm-bpf",
            "org.opencontainers.image.description": "runs eBPF programs packaged inside WebAssembly modules",
            "org.opencontainers.image.version": $version,
            "org.opencontainers.image.revision": $revision,
            "org.opencontainers.image.source": $source,
            "org.opencontainers.image.licenses": $licenses,
            "org.opencontainers.image.created": $created
        }
    },
    rootfs: {type: "layers", diff_ids: [$diff]},
    history: [{created: $created, created_by: "scripts/image-build.sh"}]
}' > "$OUT/config.json"
config=$(blob "$OUT/config.json")

jq -n --arg config "sha256:$config" --argjson csize "$(size "$config")" \
    --arg layer "sha256:$layer" --argjson lsize "$(size "$layer")" '{
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $config, size: $csize},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $layer, size: $lsize}]
}' > "$OUT/manifest.json"
manifest=$(blob "$OUT/manifest.json")

jq -n --arg m "sha256:$manifest" --argjson msize "$(size "$manifest")" --arg tag "$IMAGE_TAG" '{
    schemaVersion: 2,
    manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m,
                 size: $msize, annotations: {"org.opencontainers.image.ref.name": $tag}}]
}' > "$OUT/oci/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$OUT/oci/oci-layout"

compressed=$(($(size "$layer") + $(size "$config") + $(size "$manifest")))
files=$(find "$ROOT" -type f | wc -l)
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
printf 'image %s (oci:%s:%s) sha256:%s\n  %s files, %s compressed (%s bytes), %s unpacked (%s bytes)\n' \
    "$IMAGE_TAG" "$OUT/oci" "$IMAGE_TAG" "$manifest" "$files" "$(mb "$compressed")" "$compressed" \
    "$(mb "$unpacked")" "$unpacked" > "$OUT/summary"
