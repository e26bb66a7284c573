#!/bin/sh
# scripts/kernels/matrix.sh BUILD [CELL...]: `make test-kernels`.
#
# For each cell of scripts/kernels/cells (all, or those named): fetch its
# Debian kernel with `apt-get download` (cached in BUILD/kernels/NAME/),
# build an initramfs (busybox-static, our binary and its libraries, iproute2's
# ip, the guest .wasm files byte for byte with their sha256 list, the cell's
# modules, scripts/kernels/init and checks.sh), boot it under qemu (TCG,
# bounded by timeout, serial console to BUILD/kernels/NAME.log) and collect
# the RESULT lines; the "host" cell runs checks.sh on this machine's kernel.
# Prints the table kernel x check (also in BUILD/kernels/table.txt); exit 1
# if any check of any cell failed.  A kernel the mirror refuses is a cell of
# skips that says why.
#
# Environment: WBT_BOOT_TIMEOUT (seconds per VM, default 1800), WBT_WAIT
# (seconds a check waits for a guest, default 60 in a VM, 20 on the host),
# WBT_MIRROR (default http://deb.debian.org).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
B=$(cd "${1:?usage: matrix.sh BUILD [CELL...]}" && pwd)
shift
K=$B/kernels
mkdir -p "$K"
MIRROR=${WBT_MIRROR:-http://deb.debian.org}
TIMEOUT=${WBT_BOOT_TIMEOUT:-1800}
CHECKS="sha256 bootstrap execsnoop opensnoop runqlat uprobe xdp tc rust-bootstrap fentry lsm btf-hidden hostile"
# the guests, from the host build (the same files on every architecture)
GUESTS="examples/bootstrap/bootstrap.wasm examples/execsnoop/execsnoop.wasm
examples/opensnoop/opensnoop.wasm examples/runqlat/runqlat.wasm examples/uprobe/uprobe.wasm
examples/xdp/xdp.wasm examples/tc/tc.wasm examples/rust-bootstrap/rust-bootstrap.wasm
examples/fentry/fentry.wasm examples/lsm/lsm.wasm
tests/bpf/guests/bad_args.wasm"
# the modules the checks need when the kernel has them as modules (their
# dependencies are added from modules.dep)
MODULES="veth sch_ingress cls_bpf"
# the bpf LSM is built into Debian's kernels but not in their default list
LSM_ARG="lsm=landlock,lockdown,yama,integrity,apparmor,bpf"

say() { echo "test-kernels: $*" >&2; }

# arch_field ARCH N: field N of ARCH's line in scripts/kernels/archs
arch_field() {
    awk -F'|' -v a="$1" -v n="$2" '!/^#/ { gsub(/^ +| +$/, "", $1); if ($1 == a) { f = $n; gsub(/^ +| +$/, "", f); print f; exit } }' "$HERE/archs"
}

# apt_opts DIR DEBARCH SUITES: a private apt configuration in DIR (the
# machine's sources and state are not used); prints the options
apt_opts() (
    mkdir -p "$1/lists/partial" "$1/cache/archives/partial"
    : >"$1/status"
    : >"$1/sources.list.new"
    for s in $(echo "$3" | tr , ' '); do
        case $s in
            *-security) echo "deb [arch=$2] $MIRROR/debian-security $s main" ;;
            *) echo "deb [arch=$2] $MIRROR/debian $s main" ;;
        esac >>"$1/sources.list.new"
    done
    mv "$1/sources.list.new" "$1/sources.list"
    echo "-o Dir::Etc::sourcelist=$1/sources.list -o Dir::Etc::sourceparts=/nonexistent" \
         "-o Dir::State::Lists=$1/lists -o Dir::Cache=$1/cache -o Dir::State::status=$1/status" \
         "-o APT::Architecture=$2 -o APT::Architectures=$2 -o Debug::NoLocking=1 -o APT::Sandbox::User=root" \
         "-o Acquire::Retries=2"
)

# fetch_deb DIR DEBARCH SUITES PACKAGE: download PACKAGE (a metapackage is
# resolved to the package its first Depends names, e.g. linux-image-amd64 ->
# linux-image-6.1.0-NN-amd64) into DIR; prints the .deb's path.  Cached: a
# .deb already there is used without asking the mirror.  On failure, the
# reason is in DIR/why.
fetch_deb() (
    d=$1 pkg=$4
    cached=$(ls "$d"/*.deb 2>/dev/null | head -n 1)
    [ -n "$cached" ] && { echo "$cached"; return 0; }
    o=$(apt_opts "$d/apt" "$2" "$3")
    # shellcheck disable=SC2086
    if ! timeout 300 apt-get $o -q update >"$d/update.log" 2>&1; then
        echo "the mirror refused ($MIRROR, $3): $(grep -E '^(E|Err|W):' "$d/update.log" | head -n 1)" >"$d/why"
        return 1
    fi
    # shellcheck disable=SC2086
    real=$(apt-cache $o depends "$pkg" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
    [ -n "$real" ] || real=$pkg
    # shellcheck disable=SC2086
    if grep -q '^Err:' "$d/update.log"; then
        echo "the mirror refused ($MIRROR, $3): $(grep '^Err:' "$d/update.log" | head -n 1 | cut -c1-120) $(grep -E '^ +[0-9A-Za-z]' "$d/update.log" | head -n 1 | cut -c1-80)" >"$d/why"
        return 1
    fi
    if ! (cd "$d" && timeout 900 apt-get $o -q download "$real") >"$d/download.log" 2>&1; then
        echo "the mirror has no $real for $2 in $3: $(grep -E '^(E|Err|W):' "$d/update.log" "$d/download.log" | head -n 1)" >"$d/why"
        return 1
    fi
    ls "$d"/*.deb | head -n 1
)

# copy_elf ROOT LIBROOT LIBDIRS FILE DEST: FILE to ROOT/DEST, with its
# interpreter and every shared library it needs (NEEDED, recursively) at
# their own paths under ROOT, looked up in LIBDIRS under LIBROOT
copy_elf() (
    root=$1 lroot=$2 ldirs=$3
    mkdir -p "$root/$(dirname "$5")"
    cp -L "$4" "$root/$5" || return 1
    queue=$4
    interp=$(readelf -l "$4" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
    if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
        mkdir -p "$root$(dirname "$interp")"
        cp -L "$lroot$interp" "$root$interp" || return 1
    fi
    # a work list of files whose NEEDED entries are still to be read
    # (paths without spaces: library directories)
    while [ -n "$queue" ]; do
        set -- $queue
        f=$1
        shift
        queue=$*
        for n in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
            found=
            for dir in $(echo "$ldirs" | tr : ' '); do
                if [ -e "$lroot$dir/$n" ]; then found=$dir; break; fi
            done
            [ -n "$found" ] || { say "$f needs $n, not found in $ldirs under $lroot"; return 1; }
            [ -e "$root$found/$n" ] && continue
            mkdir -p "$root$found"
            cp -L "$lroot$found/$n" "$root$found/$n" || return 1
            queue="$queue $lroot$found/$n"
        done
    done
)

# stage ARCH: BUILD/kernels/stage-ARCH/ (the files every cell of ARCH
# shares) and stage-ARCH.cpio.gz; the checks' files are in stage-ARCH/wbt
stage() (
    arch=$1
    debarch=$(arch_field "$arch" 2)
    abuild=$(arch_field "$arch" 5)
    [ "$abuild" = @HOST@ ] && abuild=$B
    case $abuild in /*) ;; *) abuild=$HERE/../../$abuild ;; esac
    lroot=$(arch_field "$arch" 6)
    [ "$lroot" = / ] && lroot=
    case $lroot in /*|"") ;; *) lroot=$HERE/../../$lroot ;; esac   # relative to the tree, as BUILD
    ldirs=$(arch_field "$arch" 7)
    s=$K/stage-$arch
    rm -rf "$s" && mkdir -p "$s/wbt/bin" "$s/wbt/guests" "$s/bin" "$s/dev" || return 1
    # the guests, byte for byte, and their sha256 as the host build has them
    : >"$s/wbt/SHA256SUMS"
    for g in $GUESTS; do
        [ -f "$B/$g" ] || { say "missing $B/$g (make test-kernels builds it)"; return 1; }
        cp "$B/$g" "$s/wbt/guests/" || return 1
        (cd "$(dirname "$B/$g")" && sha256sum "$(basename "$g")") >>"$s/wbt/SHA256SUMS"
    done
    copy_elf "$s" "$lroot" "$ldirs" "$abuild/wasm-bpf" wbt/bin/wasm-bpf || return 1
    copy_elf "$s" "$lroot" "$ldirs" "$abuild/examples/uprobe/target" wbt/bin/uprobe-target || return 1
    # the hostile guest runs the trigger by the path the host build gave it
    copy_elf "$s" "$lroot" "$ldirs" "$abuild/tests/bpf/trigger" "$B/tests/bpf/trigger" || return 1
    for t in ip tc; do # iproute2's: busybox's cannot make a veth pair
        p=$lroot/usr/sbin/$t
        [ -e "$p" ] || p=$lroot/sbin/$t
        copy_elf "$s" "$lroot" "$ldirs" "$p" wbt/bin/$t || return 1
    done
    printf '#!/bin/sh\nexit 1\n' >"$s/wbt/bin/wbt_exec_false"
    chmod +x "$s/wbt/bin/wbt_exec_false"
    cp "$HERE/checks.sh" "$s/wbt/checks.sh" && cp "$HERE/init" "$s/init" && chmod +x "$s/init" || return 1
    # busybox-static of the architecture, from bookworm
    mkdir -p "$K/busybox-$debarch"
    bb=$(fetch_deb "$K/busybox-$debarch" "$debarch" bookworm busybox-static) ||
        { say "busybox-static: $(cat "$K/busybox-$debarch/why")"; return 1; }
    rm -rf "$K/busybox-$debarch/x" && dpkg-deb -x "$bb" "$K/busybox-$debarch/x" &&
        cp "$K/busybox-$debarch/x/bin/busybox" "$s/bin/busybox" || return 1
    mknod "$s/dev/console" c 5 1 2>/dev/null
    (cd "$s" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$s.cpio.gz"
)

# modules KDIR OUT: the cell's modules (MODULES and what they depend on, in
# load order, decompressed) in OUT/wbt/modules/ and OUT/wbt/modules.list
modules() (
    kd=$1 out=$2
    rm -rf "$out" && mkdir -p "$out/wbt/modules"
    : >"$out/wbt/modules.list"
    md=$(ls -d "$kd"/lib/modules/* "$kd"/usr/lib/modules/* 2>/dev/null | head -n 1)
    [ -n "$md" ] || return 0
    dep=$md/modules.dep
    [ -f "$dep" ] || depmod -b "$kd" "$(basename "$md")" 2>/dev/null
    [ -f "$dep" ] || return 0
    order=
    add() { # a module's dependencies first
        line=$(grep -E "/$1\.ko(\.[a-z]+)?:" "$dep" | head -n 1)
        [ -n "$line" ] || return 0
        path=${line%%:*}
        case " $order " in *" $path "*) return 0 ;; esac
        for d in ${line#*:}; do
            n=$(basename "$d"); n=${n%%.ko*}
            add "$n"
        done
        order="$order $path"
    }
    for m in $MODULES; do add "$m"; done
    for p in $order; do
        n=$(basename "$p"); n=${n%%.ko*}.ko
        case $p in
            *.xz) xz -dc "$md/$p" >"$out/wbt/modules/$n" ;;
            *.zst) zstd -qdc "$md/$p" >"$out/wbt/modules/$n" ;;
            *.gz) gzip -dc "$md/$p" >"$out/wbt/modules/$n" ;;
            *) cp "$md/$p" "$out/wbt/modules/$n" ;;
        esac || return 1
        echo "$n" >>"$out/wbt/modules.list"
    done
)

# run_vm CELL ARCH: boot the cell's kernel with the initramfs; the log in
# BUILD/kernels/CELL.log
run_vm() (
    cell=$1 arch=$2
    d=$K/$cell
    kern=$(ls "$d"/kernel/boot/vmlinuz-* 2>/dev/null | head -n 1)
    [ -n "$kern" ] || { echo "no kernel image in $d/kernel/boot" >"$d/why"; return 1; }
    modules "$d/kernel" "$d/modroot" || { echo "cannot collect the modules" >"$d/why"; return 1; }
    (cd "$d/modroot" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$d/modules.cpio.gz"
    cat "$K/stage-$arch.cpio.gz" "$d/modules.cpio.gz" >"$d/initrd.gz"
    qemu=$(arch_field "$arch" 3)
    console=$(arch_field "$arch" 4)
    say "$cell: booting $(basename "$kern") under $(echo "$qemu" | cut -d' ' -f1) (TCG, at most ${TIMEOUT}s)"
    # shellcheck disable=SC2086
    timeout -k 10 "$TIMEOUT" nice -n 19 $qemu -m 1G -nographic -no-reboot -kernel "$kern" -initrd "$d/initrd.gz" \
        -append "console=$console panic=-1 quiet $LSM_ARG" </dev/null >"$K/$cell.log" 2>&1
    rc=$?
    grep -q '^WBT-END' "$K/$cell.log" || grep -q 'WBT-END' "$K/$cell.log" ||
        echo "the VM did not finish the checks (qemu exit $rc$([ $rc -eq 124 ] && echo ": timed out after ${TIMEOUT}s"); see $K/$cell.log)" >"$d/why"
    return 0
)

# ---- the cells
CELLS=$(awk '!/^#/ && NF { print $1 }' "$HERE/cells")
[ $# -gt 0 ] && CELLS=$*
STAGED=
for cell in $CELLS; do
    line=$(awk -v c="$cell" '!/^#/ && $1 == c' "$HERE/cells")
    [ -n "$line" ] || { say "no cell '$cell' in scripts/kernels/cells"; exit 2; }
    set -- $line
    arch=$2 suites=$3 pkg=$4
    d=$K/$cell
    mkdir -p "$d"
    rm -f "$d/why" "$d/results" "$d/kernel-release" "$d/seconds" "$d/features"
    [ "$arch" = host ] && rm -f "$d/debian-version"
    [ "$arch" = host ] && sarch=$(uname -m) || sarch=$arch
    case " $STAGED " in
        *" $sarch "*) ;;
        *) if [ -z "$(arch_field "$sarch" 1)" ]; then
               echo "no line for $sarch in scripts/kernels/archs" >"$K/stage-$sarch.why"
           elif stage "$sarch"; then rm -f "$K/stage-$sarch.why"
           else echo "cannot build the image for $sarch (see above)" >"$K/stage-$sarch.why"; fi
           STAGED="$STAGED $sarch" ;;
    esac
    if [ -f "$K/stage-$sarch.why" ]; then
        cp "$K/stage-$sarch.why" "$d/why"
        continue
    fi
    t0=$(date +%s)
    if [ "$arch" = host ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "needs root to load BPF programs" >"$d/why"
            continue
        fi
        say "host: running the checks on $(uname -r)"
        {
            echo "WBT-BEGIN $(uname -r) $(uname -m) btf=$([ -e /sys/kernel/btf/vmlinux ] && echo yes || echo no)"
            WBT_WAIT=${WBT_WAIT:-20} sh "$HERE/checks.sh" "$K/stage-$sarch/wbt"
            echo "WBT-END"
        } >"$K/$cell.log" 2>&1
    else
        if [ ! -f "$d/kernel/.done" ]; then
            deb=$(fetch_deb "$d" "$(arch_field "$arch" 2)" "$suites" "$pkg") || continue
            say "$cell: $(basename "$deb")"
            rm -rf "$d/kernel" && dpkg-deb -x "$deb" "$d/kernel" && touch "$d/kernel/.done" ||
                { echo "cannot extract $deb" >"$d/why"; continue; }
        fi
        deb=$(ls "$d"/*.deb 2>/dev/null | head -n 1)
        [ -n "$deb" ] && dpkg-deb -f "$deb" Version >"$d/debian-version"
        run_vm "$cell" "$arch"
    fi
    echo $(($(date +%s) - t0)) >"$d/seconds"
    tr -d '\r' <"$K/$cell.log" | sed -n 's/^.*\(RESULT .*\)$/\1/p' >"$d/results"
    tr -d '\r' <"$K/$cell.log" | sed -n 's/^.*FEATURES //p' | head -n 1 >"$d/features"
    tr -d '\r' <"$K/$cell.log" | sed -n 's/^.*WBT-BEGIN \([^ ]*\) .*/\1/p' | head -n 1 >"$d/kernel-release"
done

# ---- the table: a row per check, a column per cell; reasons below
status_of() { # CELL CHECK: "pass|fail|skip REASON"
    why=$(cat "$K/$1/why" 2>/dev/null)
    case $why in
        "") ;;
        "the VM did not finish"*) ;;
        *) echo "skip $why"; return ;;
    esac
    r=$(grep "^RESULT $2 " "$K/$1/results" 2>/dev/null | head -n 1)
    [ -n "$r" ] || { echo "fail ${why:-"no result (see $K/$1.log)"}"; return; }
    echo "$r" | cut -d' ' -f3-
}
out=$K/table.txt
{
    printf '%-18s' "check"
    for c in $CELLS; do printf '%-26s' "$c"; done
    echo
    printf '%-18s' "kernel"
    for c in $CELLS; do printf '%-26s' "$(cat "$K/$c/debian-version" 2>/dev/null || cat "$K/$c/kernel-release" 2>/dev/null || echo -)"; done
    echo
    failed=0
    notes=
    for chk in $CHECKS; do
        printf '%-18s' "$chk"
        for c in $CELLS; do
            r=$(status_of "$c" "$chk")
            s=${r%% *}
            REASON=${r#* }
            printf '%-26s' "$s"
            [ "$s" = fail ] && failed=1
            if [ "$s" != pass ]; then
                case $notes in *"
  $c (every check): $s: $REASON"*) continue ;; esac
                if [ "$REASON" = "$(cat "$K/$c/why" 2>/dev/null)" ]; then
                    notes="$notes
  $c (every check): $s: $REASON"
                else
                    notes="$notes
  $c $chk: $s: $REASON"
                fi
            fi
        done
        echo
    done
    for f in $(cat "$K"/*/features 2>/dev/null | tr ' ' '\n' | sed -n 's/=.*//p' | awk '!seen[$0]++'); do
        printf '%-18s' "feature $f"
        for c in $CELLS; do
            v=$(tr ' ' '\n' <"$K/$c/features" 2>/dev/null | sed -n "s/^$f=//p")
            printf '%-26s' "${v:--}"
        done
        echo
    done
    printf '%-18s' "seconds (all)"
    for c in $CELLS; do printf '%-26s' "$(cat "$K/$c/seconds" 2>/dev/null || echo -)"; done
    echo
    [ -n "$notes" ] && echo "not passed:$notes"
    echo "uname -r: $(for c in $CELLS; do printf '%s=%s ' "$c" "$(cat "$K/$c/kernel-release" 2>/dev/null || echo '-')"; done)"
    echo "arch: $(uname -m) host; VMs under qemu TCG (no KVM), logs in $K/CELL.log"
    echo "failed=$failed"
} >"$out"
grep -v '^failed=' "$out"
grep -q '^failed=0' "$out"
