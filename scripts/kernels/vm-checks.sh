#!/bin/sh
# scripts/kernels/vm-checks.sh: the examples, checked inside a virtual
# machine of `make test-kernels` (run by its /init, busybox sh, as root).
# Prints one line per check, read by the host:
#   RESULT NAME pass|fail|skip REASON
# Layout of the initramfs (scripts/kernels/arm64-cell.sh makes it):
#   /bin/wasm-bpf           the binary under test, its libraries in /lib...
#   /ex/NAME.wasm           the guests, byte for byte the x86-64 build's
#   /ex/SHA256SUMS          their sha256, made on the host
#   /ex/uprobe-target       the uprobe example's native target
# Every guest runs with -t as a bound and is stopped with SIGINT once its
# events were seen; under TCG each start takes seconds, so the waits are long.
PATH=/bin:/sbin
EX=/ex
T=/tmp/checks
mkdir -p $T
WAIT=${WAIT:-90}     # seconds for a guest to attach (TCG: the verifier is slow)

res() { echo "RESULT $1 $2 ${3:-}"; }

# start NAME FILE ARGS...: a guest in the background, output in $T/NAME.out
start() {
    name=$1 file=$2
    shift 2
    rm -f "$T/$name.out" "$T/$name.err"
    wasm-bpf run "$file" "$@" >"$T/$name.out" 2>"$T/$name.err" &
    PID=$!
}
# wait_for NAME PATTERN [SECONDS]: a line of the guest's output matches
wait_for() {
    n=$(( ${3:-$WAIT} * 5 ))
    while [ "$n" -gt 0 ]; do
        grep -Eq -- "$2" "$T/$1.out" 2>/dev/null && return 0
        kill -0 "$PID" 2>/dev/null || { grep -Eq -- "$2" "$T/$1.out" 2>/dev/null; return; }
        sleep 0.2
        n=$((n - 1))
    done
    return 1
}
# stop: SIGINT, then the guest's exit status in STATUS
stop() {
    kill -INT "$PID" 2>/dev/null
    wait "$PID"
    STATUS=$?
}
# why NAME: the reason a guest did not attach, from its stderr (one line)
why() {
    r=$(grep -m1 -i 'wasm-bpf\|error\|fail' "$T/$1.err" | cut -c1-160)
    echo "${r:-no output, exit $STATUS}"
}
# missing NAME: a kernel feature the guest's error names, if it is one
missing() {
    grep -Eqi 'not supported|unknown func|invalid program type|EOPNOTSUPP|Operation not supported|does not exist in this kernel' "$T/$1.err"
}
not_attached() {
    stop
    if missing "$1"; then res "$1" skip "the kernel lacks it: $(why "$1")"; else res "$1" fail "did not attach: $(why "$1")"; fi
}

# ---- the guests are the host's files --------------------------------------
if (cd $EX && sha256sum -c SHA256SUMS >$T/sums 2>&1); then
    res sha256 pass "$(wc -l < $EX/SHA256SUMS) modules identical to the x86-64 build's"
else
    res sha256 fail "$(grep -v ': OK' $T/sums | head -n 1)"
fi

# a program with a name of its own to exec (busybox under another name
# only says "applet not found")
cp $EX/uprobe-target /tmp/wbt_exec_true 2>/dev/null

# ---- bootstrap: exec and exit events of a process started here -------------
start bootstrap $EX/bootstrap.wasm -t 120
if wait_for bootstrap '^TIME +EVENT'; then
    /tmp/wbt_exec_true 1 >/dev/null
    if wait_for bootstrap 'EXEC +wbt_exec_true' 20 && wait_for bootstrap 'EXIT +wbt_exec_true' 20; then
        stop; res bootstrap pass "exec and exit of wbt_exec_true"
    else
        stop; res bootstrap fail "no exec/exit event: $(tail -n 2 $T/bootstrap.out | tr '\n' ' ')"
    fi
else
    not_attached bootstrap
fi

# ---- execsnoop: argv of execve --------------------------------------------
start execsnoop $EX/execsnoop.wasm -t 120
if wait_for execsnoop '^PID +PPID'; then
    /tmp/wbt_exec_true 1 alpha beta gamma
    if wait_for execsnoop 'wbt_exec_true 1 alpha beta gamma' 20; then
        stop; res execsnoop pass "execve with its arguments"
    else
        stop; res execsnoop fail "no line with the arguments"
    fi
else
    not_attached execsnoop
fi

# ---- opensnoop: a file opened here, through a perf event array -------------
start opensnoop $EX/opensnoop.wasm -t 120
if wait_for opensnoop '^PID +COMM'; then
    echo x > $T/wbt_open_me
    cat $T/wbt_open_me >/dev/null
    if wait_for opensnoop "$T/wbt_open_me" 20; then
        stop; res opensnoop pass "the open of wbt_open_me"
    else
        stop; res opensnoop fail "no line for wbt_open_me"
    fi
else
    not_attached opensnoop
fi

# ---- runqlat: one interval, a histogram ------------------------------------
start runqlat $EX/runqlat.wasm 2 1
if wait_for runqlat 'Tracing run queue latency'; then
    wait "$PID"
    STATUS=$?
    if [ "$STATUS" -eq 0 ] && grep -Eq 'usecs +: count +distribution' $T/runqlat.out; then
        res runqlat pass "histogram printed, exit 0"
    else
        res runqlat fail "exit $STATUS, no histogram"
    fi
else
    not_attached runqlat
fi

# ---- uprobe: arguments and results of a native function (PT_REGS) ---------
if [ -x $EX/uprobe-target ]; then
    start uprobe $EX/uprobe.wasm $EX/uprobe-target -t 120
    if wait_for uprobe '^Tracing uprobe_add'; then
        $EX/uprobe-target 3 >/dev/null
        if wait_for uprobe 'uprobe_sub returned 27' 20; then
            stop
            if grep -q 'uprobe_add(2, 3)' $T/uprobe.out && grep -q 'uprobe_add returned 5' $T/uprobe.out &&
                grep -q 'uprobe_sub(30, 3)' $T/uprobe.out; then
                res uprobe pass "arguments and return values of uprobe_add and uprobe_sub"
            else
                res uprobe fail "wrong arguments: $(grep -m2 uprobe_ $T/uprobe.out | tr '\n' ' ')"
            fi
        else
            stop; res uprobe fail "no events: $(tail -n 2 $T/uprobe.out | tr '\n' ' ')"
        fi
    else
        not_attached uprobe
    fi
else
    res uprobe skip "no native target for this architecture in the image"
fi

# ---- xdp and tc: ICMP over a veth pair -------------------------------------
# No network namespace is needed: v1 has no address of its own; a static
# neighbour entry makes pings to 10.201.0.2 leave through v0 as IP packets,
# and they arrive at v1, where the programs count them.
for m in veth sch_ingress cls_bpf; do
    [ -f /modules/$m.ko ] && insmod /modules/$m.ko 2>/dev/null
done
# busybox's ip may not know `peer name`: the peer then gets the kernel's
# name (veth0), renamed here
ip link add wbtv0 type veth peer name wbtv1 2>$T/net.err ||
    ip link add wbtv0 type veth 2>$T/net.err
if [ -d /sys/class/net/wbtv0 ] && [ ! -d /sys/class/net/wbtv1 ]; then
    for n in /sys/class/net/*; do
        n=${n##*/}
        case $n in lo|wbtv0) ;; *) [ "$(cat /sys/class/net/$n/type)" = 1 ] && ip link set dev "$n" name wbtv1 && break ;; esac
    done
fi
if [ -d /sys/class/net/wbtv1 ]; then
    ip addr add 10.201.0.1/24 dev wbtv0
    ip link set wbtv0 up
    ip link set wbtv1 up
    mac=$(cat /sys/class/net/wbtv1/address)
    arp -s 10.201.0.2 "$mac" -i wbtv0 2>/dev/null || ip neigh add 10.201.0.2 lladdr "$mac" dev wbtv0
    for ex in xdp tc; do
        start $ex $EX/$ex.wasm wbtv1 -t 120
        if wait_for $ex '^Counting packets on wbtv1'; then
            sleep 1
            ping -c 6 -i 0.2 -W 1 10.201.0.2 >/dev/null 2>&1
            sleep 2
            stop
            if [ $ex = xdp ]; then
                icmp=$(sed -n '/^total:/,$p' $T/xdp.out | awk '$1 == "ICMP" {print $4}')
                [ -n "$icmp" ] && [ "$icmp" -ge 6 ] && res xdp pass "counted $icmp ICMP packets on wbtv1" ||
                    res xdp fail "ICMP count '$icmp': $(tail -n 3 $T/xdp.out | tr '\n' ' ')"
            else
                # "total: ingress N packets B bytes, egress ..."
                n=$(grep '^total:' $T/tc.out | awk '{print $3}')
                [ -n "$n" ] && [ "$n" -ge 6 ] && res tc pass "counted $n packets in on wbtv1" ||
                    res tc fail "counters: $(tail -n 3 $T/tc.out | tr '\n' ' ')"
            fi
        else
            not_attached $ex
        fi
    done
    ip link del wbtv0
else
    res xdp skip "no veth pair: $(head -n 1 $T/net.err) ($(ls /sys/class/net | tr '\n' ' '))"
    res tc skip "no veth pair: $(head -n 1 $T/net.err)"
fi

# ---- the Rust bootstrap ----------------------------------------------------
start rust-bootstrap $EX/rust-bootstrap.wasm -t 120
if wait_for rust-bootstrap '^TIME +EVENT'; then
    /tmp/wbt_exec_true 1 >/dev/null
    if wait_for rust-bootstrap 'EXEC +wbt_exec_true' 20; then
        stop; res rust-bootstrap pass "exec of wbt_exec_true"
    else
        stop; res rust-bootstrap fail "no exec event"
    fi
else
    not_attached rust-bootstrap
fi

# ---- a hostile module: a clean error, no signal ----------------------------
head -c 300 $EX/bootstrap.wasm > $T/cut.wasm
wasm-bpf run $T/cut.wasm >$T/hostile.out 2>$T/hostile.err
rc=$?
# 126: "the module cannot be read, decoded, validated ..." (README)
if [ $rc -eq 126 ] && grep -q 'not a valid WebAssembly module' $T/hostile.err; then
    res hostile pass "a truncated module: exit $rc, $(head -n 1 $T/hostile.err | cut -c1-100)"
else
    res hostile fail "a truncated module: exit $rc: $(head -n 1 $T/hostile.err)"
fi
echo "CHECKS DONE"
