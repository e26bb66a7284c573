#!/bin/sh
# scripts/kernels/checks.sh STAGE: the checks of one kernel cell.
#
# Runs the same way inside a VM (busybox sh, from /init, STAGE=/wbt) and on
# the host (dash, STAGE=build/kernels/stage-ARCH/wbt).  STAGE holds
#   bin/wasm-bpf  bin/uprobe-target  bin/wbt_exec_false  guests/*.wasm
#   bin/ip bin/tc (iproute2's, from the architecture's LIBROOT)
#   SHA256SUMS (of guests/, made on the build machine)
# Prints one machine-readable line per check, and nothing else on stdout:
#   RESULT <check> pass|fail|skip <reason or what was seen>
# A program type or feature the kernel lacks is a skip naming it, taken from
# the error the runtime printed (see lacks()); anything else is a fail.
# Every run ends by itself (-t SECONDS) or is interrupted by the check, and
# every wait is bounded (WBT_WAIT seconds, generous: TCG on a loaded host).

S=${1:?usage: checks.sh STAGE}
W=$S/bin/wasm-bpf
G=$S/guests
WAIT=${WBT_WAIT:-60}
T=$(mktemp -d /tmp/wbt-kernels.XXXXXX)
NS=wbtk_ns_$$
V0=wbtk0_$$
V1=wbtk1_$$
PID=
RUN_OPTS=
# iproute2's ip and tc by path: Debian's busybox sh runs its own applets
# before PATH (and busybox ip cannot make a veth pair)
IP=$S/bin/ip TC=$S/bin/tc
[ -x "$IP" ] || IP=ip
[ -x "$TC" ] || TC=tc

cleanup() {
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
    "$IP" link del "$V0" 2>/dev/null
    "$IP" netns del "$NS" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

result() { # CHECK pass|fail|skip REASON...
    c=$1 r=$2
    shift 2
    echo "RESULT $c $r $(echo "$*" | tr '\n' ' ' | cut -c1-200)"
}

# start NAME ARGS...: wasm-bpf run guests/NAME.wasm ARGS in the background
start() {
    n=$1
    shift
    "$W" run $RUN_OPTS "$G/$n.wasm" "$@" >"$T/$n.out" 2>"$T/$n.err" &
    PID=$!
}
# wait_for FILE PATTERN [SECONDS]: a line matches (grep -E), or the run ended
wait_for() {
    i=$(( ${3:-$WAIT} * 5 ))
    while [ "$i" -gt 0 ]; do
        grep -Eq -- "$2" "$1" 2>/dev/null && return 0
        kill -0 "$PID" 2>/dev/null || { grep -Eq -- "$2" "$1" 2>/dev/null; return; }
        sleep 0.2
        i=$((i - 1))
    done
    return 1
}
finish() { wait "$PID"; STATUS=$?; PID=; }
interrupt() { kill -INT "$PID" 2>/dev/null; finish; }

# lacks NAME: the error says the kernel lacks something (program type, map
# type, helper, attach type, BTF): prints the line saying so
lacks() {
    grep -Eim1 'not supported|unknown func|invalid func|unsupported|no BTF|BTF is required|unknown attach|ENOTSUP|EOPNOTSUPP' \
        "$T/$1.err" 2>/dev/null
}
# failed NAME WHAT: a skip if the kernel lacks a feature, else a fail
failed() {
    why=$(lacks "$1")
    if [ -n "$why" ]; then
        result "$1" skip "kernel lacks a feature: $why"
    else
        result "$1" fail "$2: $(tail -n 3 "$T/$1.err" 2>/dev/null) $(tail -n 2 "$T/$1.out" 2>/dev/null)"
    fi
}

# ---- the guests are the build's, byte for byte
if (cd "$G" && sha256sum -c ../SHA256SUMS >"$T/sums" 2>&1); then
    result sha256 pass "$(grep -c ': OK' "$T/sums") guest modules match the build's sha256"
else
    result sha256 fail "$(grep -v ': OK' "$T/sums" | head -n 3)"
fi

# ---- bootstrap: exec and exit events of a process started here
start bootstrap
if wait_for "$T/bootstrap.out" '^TIME +EVENT'; then
    "$S/bin/wbt_exec_false"
    if wait_for "$T/bootstrap.out" 'EXIT +wbt_exec_false .*\[1\]' 20 &&
       grep -Eq "EXEC +wbt_exec_false .*$S/bin/wbt_exec_false" "$T/bootstrap.out"; then
        interrupt
        [ "$STATUS" -eq 0 ] && result bootstrap pass "exec and exit (code 1) of wbt_exec_false; Ctrl-C, exit 0" ||
            result bootstrap fail "Ctrl-C gave status $STATUS"
    else
        interrupt
        result bootstrap fail "no exec/exit event of wbt_exec_false: $(tail -n 3 "$T/bootstrap.out")"
    fi
else
    interrupt
    failed bootstrap "did not attach"
fi

# ---- execsnoop: argv of execve
start execsnoop -t 30
if wait_for "$T/execsnoop.out" '^PID +PPID'; then
    "$S/bin/wbt_exec_false" alpha "beta gamma" --delta
    if wait_for "$T/execsnoop.out" 'wbt_exec_false alpha beta gamma --delta' 20; then
        result execsnoop pass "execve with its arguments"
    else
        result execsnoop fail "no line with the arguments: $(tail -n 3 "$T/execsnoop.out")"
    fi
    interrupt
else
    interrupt
    failed execsnoop "did not attach"
fi

# ---- opensnoop: this shell's opens, pid filter in the kernel
echo data >"$T/wbt_open_me"
start opensnoop -p $$ -t 30
if wait_for "$T/opensnoop.out" '^PID +COMM'; then
    true <"$T/wbt_open_me"
    true 2>/dev/null <"$T/wbt_missing"
    if wait_for "$T/opensnoop.out" "^$$ .*$T/wbt_open_me\$" 20 &&
       wait_for "$T/opensnoop.out" "^$$ .* -1 +2 $T/wbt_missing\$" 20; then
        result opensnoop pass "an open and a failed open (ENOENT) of this shell"
    else
        result opensnoop fail "opens not seen: $(tail -n 3 "$T/opensnoop.out")"
    fi
    interrupt
else
    interrupt
    failed opensnoop "did not attach"
fi

# ---- runqlat: histograms printed
start runqlat 2 2
if wait_for "$T/runqlat.out" 'Tracing run queue latency'; then
    for i in 1 2 3 4 5 6 7 8; do sleep 0.05 & done
    wait_for "$T/runqlat.out" 'usecs +: count +distribution' 30
    i=0
    while kill -0 "$PID" 2>/dev/null && [ "$i" -lt $((WAIT * 5)) ]; do sleep 0.2; i=$((i + 1)); done
    interrupt
    hists=$(grep -c 'usecs *: count' "$T/runqlat.out")
    rows=$(grep -Ec '^ +[0-9]+ -> [0-9]+ +: [1-9][0-9]* +\|\*' "$T/runqlat.out")
    [ "$hists" -ge 1 ] && [ "$rows" -ge 1 ] && result runqlat pass "$hists histograms, $rows non-empty slots" ||
        result runqlat fail "$hists histograms, $rows non-empty slots, status $STATUS"
else
    interrupt
    failed runqlat "did not attach"
fi

# ---- uprobe: entry and return probes on the native target's functions
start uprobe "$S/bin/uprobe-target" -t 60
if wait_for "$T/uprobe.out" '^Tracing uprobe_add'; then
    "$S/bin/uprobe-target" 3 >/dev/null
    if wait_for "$T/uprobe.out" 'uprobe_sub returned 27' 20 && grep -q 'uprobe_add(2, 3)' "$T/uprobe.out"; then
        result uprobe pass "calls and returns of uprobe_add and uprobe_sub, with arguments and results"
    else
        result uprobe fail "no events: $(tail -n 3 "$T/uprobe.out")"
    fi
    interrupt
else
    interrupt
    failed uprobe "did not attach"
fi

# ---- xdp and tc: packets over a veth pair, one end in a network namespace
ping_from_ns() { nsenter --net="/run/netns/$NS" ping -q -c "$1" -i 0.2 -W 2 10.203.0.1 >/dev/null 2>&1; }
if ! { "$IP" netns add "$NS" && "$IP" link add "$V0" type veth peer name "$V1" &&
       "$IP" link set "$V1" netns "$NS" && "$IP" addr add 10.203.0.1/24 dev "$V0" && "$IP" link set "$V0" up &&
       "$IP" -n "$NS" addr add 10.203.0.2/24 dev "$V1" && "$IP" -n "$NS" link set "$V1" up; } 2>"$T/net.err"; then
    result xdp fail "cannot make a veth pair: $(head -n 1 "$T/net.err")"
    result tc fail "cannot make a veth pair: $(head -n 1 "$T/net.err")"
else
    ping_from_ns 1 # the link is up once a ping gets through (not counted)
    start xdp "$V0" -t 60
    if wait_for "$T/xdp.out" "^Counting packets on $V0"; then
        ping_from_ns 6
        interrupt
        icmp=$(sed -n '/^total:/,$p' "$T/xdp.out" | awk '$1 == "ICMP" {print $4}' | tail -n 1)
        [ "${icmp:-0}" -ge 6 ] && result xdp pass "$icmp ICMP packets counted on $V0" ||
            result xdp fail "ICMP count '$icmp': $(tail -n 3 "$T/xdp.out")"
    else
        interrupt
        failed xdp "did not attach"
    fi

    RUN_OPTS=--verbose
    start tc "$V0" -t 60
    RUN_OPTS=
    if wait_for "$T/tc.out" "^Counting packets on $V0"; then
        # tcx links first; a kernel without tcx (before 6.6) gets clsact filters
        how=tcx
        "$TC" qdisc show dev "$V0" 2>/dev/null | grep -q clsact && how=clsact
        ping_from_ns 5
        interrupt
        line=$(grep '^total:' "$T/tc.out" | tail -n 1)
        in=$(echo "$line" | awk '{print $3}')
        out=$(echo "$line" | awk '{print $8}')
        [ "${in:-0}" -ge 5 ] && [ "${out:-0}" -ge 5 ] && result tc pass "ingress $in, egress $out packets ($how)" ||
            result tc fail "'$line': $(tail -n 3 "$T/tc.err")"
    else
        interrupt
        failed tc "did not attach"
    fi
fi

# ---- the Rust bootstrap
start rust-bootstrap
if wait_for "$T/rust-bootstrap.out" '^TIME +EVENT'; then
    "$S/bin/wbt_exec_false"
    if wait_for "$T/rust-bootstrap.out" 'EXIT +wbt_exec_false .*\[1\]' 20; then
        interrupt
        [ "$STATUS" -eq 0 ] && result rust-bootstrap pass "exit event (code 1) of wbt_exec_false; Ctrl-C, exit 0" ||
            result rust-bootstrap fail "Ctrl-C gave status $STATUS"
    else
        interrupt
        result rust-bootstrap fail "no exit event: $(tail -n 3 "$T/rust-bootstrap.out")"
    fi
else
    interrupt
    failed rust-bootstrap "did not attach"
fi

# ---- btf-hidden: the kernel's /sys/kernel/btf/vmlinux hidden (an empty
# file mounted over it in a private mount namespace), as on a kernel built
# without BTF: without --btf the run fails with a message naming --btf;
# with --btf FILE (a copy of the kernel's BTF made before hiding it) CO-RE
# works and execsnoop sees an exec
VMLINUX=/sys/kernel/btf/vmlinux
if [ ! -e "$VMLINUX" ]; then
    result btf-hidden skip "the kernel has no $VMLINUX (CONFIG_DEBUG_INFO_BTF off) to copy and hide"
else
    cp "$VMLINUX" "$T/vmlinux.btf"
    : >"$T/empty"
    cat >"$T/hidden.sh" <<EOS
mount --make-rprivate / 2>/dev/null
mount --bind '$T/empty' '$VMLINUX' || exit 99
'$W' run \$1 '$G/execsnoop.wasm' -t 30 >'$T/btf-hidden.out' 2>'$T/btf-hidden.err' &
p=\$!
i=0
until grep -q '^PID' '$T/btf-hidden.out' || ! kill -0 \$p 2>/dev/null || [ \$i -ge $((WAIT * 5)) ]; do sleep 0.2; i=\$((i + 1)); done
'$S/bin/wbt_exec_false' btf-hidden-marker
i=0
until grep -q btf-hidden-marker '$T/btf-hidden.out' || ! kill -0 \$p 2>/dev/null || [ \$i -ge 100 ]; do sleep 0.2; i=\$((i + 1)); done
kill -INT \$p 2>/dev/null
wait \$p
EOS
    unshare -m sh "$T/hidden.sh" ""
    code=$?
    cp "$T/btf-hidden.err" "$T/btf-hidden-none.err"
    unshare -m sh "$T/hidden.sh" "--btf $T/vmlinux.btf"
    bcode=$?
    if [ "$code" -ne 0 ] && [ "$code" -ne 99 ] && grep -q -- '--btf' "$T/btf-hidden-none.err" &&
       [ "$bcode" -eq 0 ] && grep -q 'btf-hidden-marker' "$T/btf-hidden.out"; then
        result btf-hidden pass "vmlinux BTF hidden: without --btf exit $code naming --btf; with --btf ($(wc -c <"$T/vmlinux.btf") bytes) execsnoop saw the exec"
    else
        result btf-hidden fail "without --btf: exit $code, $(head -c 150 "$T/btf-hidden-none.err"); with --btf: exit $bcode, $(head -c 150 "$T/btf-hidden.err") $(tail -n 1 "$T/btf-hidden.out")"
    fi
fi

# ---- hostile modules: bad pointers/handles/fds get ABI errnos (the guest
# checks each and prints ok); a truncated module is refused with a message
# naming it and exit 126 (README: the module cannot be decoded)
"$W" run "$G/bad_args.wasm" >"$T/hostile.out" 2>"$T/hostile.err"
code=$?
head -c 200 "$G/bootstrap.wasm" >"$T/truncated.wasm"
"$W" run "$T/truncated.wasm" >"$T/trunc.out" 2>"$T/trunc.err"
tcode=$?
if [ "$code" -eq 0 ] && grep -qx ok "$T/hostile.out" && [ "$tcode" -eq 126 ] &&
   grep -q "truncated.wasm" "$T/trunc.err"; then
    result hostile pass "bad_args: every bad argument refused with its errno; truncated module: exit $tcode, $(head -n 1 "$T/trunc.err")"
else
    result hostile fail "bad_args exit $code ($(tail -n 2 "$T/hostile.err")); truncated module exit $tcode ($(head -n 1 "$T/trunc.err"))"
fi
