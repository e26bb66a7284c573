# tests/oci/registry.sh: starting the servers the OCI tests and the benchmark
# use.  Source it with T (a temporary directory), HERE (tests/oci) and PIDS
# (the list of started processes, stopped by the caller) set.

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_server NAME PORTVAR PORTFILE SCRIPT ARGS...: a python helper that
# binds a free port and writes it to PORTFILE
start_server() {
    local name=$1 var=$2 portfile=$3 script=$4
    shift 4
    python3 "$HERE/$script" "$@" > "$T/$name.out" 2>&1 &
    PIDS="$PIDS $!"
    for _ in $(seq 100); do
        [ -s "$portfile" ] && break
        sleep 0.05
    done
    eval "$var=\$(cat \"\$portfile\" 2>/dev/null)"
}

# start_registry NAME "HTTP-LINES" "TOP-LEVEL-LINES": sets NAME_PORT, NAME_DIR
start_registry() {
    local name=$1 http_extra=$2 top_extra=$3 port dir
    port=$(free_port)
    dir=$T/reg-$name
    mkdir -p "$dir/data"
    cat > "$dir/config.yml" << EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
$top_extra
http:
  addr: 127.0.0.1:$port
  secret: wasm-bpf-test-secret
$http_extra
EOF
    docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
    PIDS="$PIDS $!"
    eval "${name}_PORT=$port ${name}_DIR=$dir ${name}_PID=$!"
}

wait_registry() {
    local name=$1 scheme=${2:-http} port code
    eval "port=\$${name}_PORT"
    for _ in $(seq 200); do
        code=$(curl -sk -o /dev/null -w '%{http_code}' "$scheme://127.0.0.1:$port/v2/" 2> /dev/null)
        case $code in 200 | 401) return 0 ;; esac
        sleep 0.05
    done
    return 1
}

# stop_servers: everything in PIDS, by PID (docker-registry drains connections
# for seconds on SIGTERM, so whatever is left after a moment is killed)
stop_servers() {
    local p
    for p in $PIDS; do kill "$p" 2> /dev/null; done
    sleep 0.2
    for p in $PIDS; do kill -9 "$p" 2> /dev/null; done
    wait 2> /dev/null
}
