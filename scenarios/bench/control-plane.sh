#!/usr/bin/env bash
# Control-plane benchmark: the netstack CLI against netstackd, the stock docker CLI against
# netstackd, and the stock docker CLI against dockerd, same machine, same run, same busybox rootfs.
# Three "clients" are timed for every case, so the daemon and the client are seen apart:
#   ns   netstack CLI  -> netstackd
#   dn   docker CLI    -> netstackd   (/usr/local/bin/docker, the stock Go CLI)
#   dd   docker CLI    -> dockerd     (Debian's docker.io, started by this script)
#
#   scenarios/bench/control-plane.sh [runs per case, default 10]
#
# Counts (environment; the issue's values are the defaults):
#   ENDPOINTS=500    endpoints on one network for the per-endpoint connect case (also measured at 10)
#   BULK=150         containers removed by one `rm -f`, and endpoints of the network removed after them
#   BULK_RUNS=RUNS   rounds of the bulk case (each round starts BULK containers per client, untimed)
#   START_RUNS=RUNS  daemon restarts for "start to first answer"
# netstackd as it ships, published Native AOT; NETSTACKD_AOT=DIR uses one published there before,
# NETSTACKD_JIT=1 measures the JIT build output instead.
#   FIREWALL_BACKEND=iptables|nftables   netstackd's --firewall-backend (default iptables)
#
# Cases, each timed as wall clock around the CLI call (the shell's EPOCHREALTIME, no fork between):
#   create     `network create --subnet S N` + `network rm N`
#   connect    `network connect X C` + `network disconnect X C` of a running container C
#   ls         `network ls`
#   inspect    `network inspect N`
#   ep10 epN   connect + disconnect of C to a network holding 10 and to one holding ENDPOINTS
#              endpoints, both there at once and measured in alternation (netstack only: the other
#              endpoints are netstack sandboxes, which Docker has no counterpart of; the target
#              compares netstack with itself)
#   rmf        `rm -f` of BULK running containers in one call
#   netrm      `network rm` of the network those BULK containers were on, right after the `rm -f`
#              (Docker refuses to remove a network with active endpoints, so "a busy network" is
#              one that just lost BULK endpoints: whatever teardown is still pending is paid here;
#              dockerd answers rm -f before it released them, so network rm is retried every 20 ms
#              until it succeeds, and the time until then is what counts)
#   start      daemon spawn until `GET /_ping` answers (run-helpers/wait-ping.py), per daemon
#   rss        VmRSS of netstackd, of dockerd and of its containerd: idle (networks, no containers)
#              and with BULK containers running
# The clients rotate their order every run, so load changes on the machine hit all alike.
#
# Each daemon runs inside its own throwaway "host" network namespace (nsenter --net) with an uplink
# address 192.0.2.10/24: bridges, iptables rules, docker0 and docker-proxy live only there, the
# machine's firewall is never touched and no packet leaves the machine. Everything is removed on
# exit, failure included: containers, networks, sandboxes, both daemons (by pid; dockerd's
# containerd by its pid too), mounts, the namespaces, the temp dir.
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS="${1:-10}"
ENDPOINTS="${ENDPOINTS:-500}"
BULK="${BULK:-150}"
BULK_RUNS="${BULK_RUNS:-$RUNS}"
START_RUNS="${START_RUNS:-$RUNS}"
for v in RUNS ENDPOINTS BULK BULK_RUNS START_RUNS; do
    [[ ${!v} =~ ^[0-9]+$ && ${!v} -ge 1 ]] || { echo "$v must be a positive integer, got '${!v}'" >&2; exit 2; }
done
(( ENDPOINTS > 10 )) || { echo "ENDPOINTS must be more than 10 (the small case has 10), got $ENDPOINTS" >&2; exit 2; }
(( ENDPOINTS <= 4000 && BULK <= 1000 )) || { echo "ENDPOINTS at most 4000 and BULK at most 1000 (one /20 and one /22 network)" >&2; exit 2; }
if [[ $(id -u) -ne 0 ]]; then echo "control-plane.sh needs root (namespaces, runc, dockerd)" >&2; exit 1; fi
for tool in dockerd docker containerd nsenter ip runc python3 busybox; do
    command -v "$tool" >/dev/null || { echo "missing $tool (scenarios/install-deps.sh installs it)" >&2; exit 1; }
done
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
WAIT_PING=$PWD/scenarios/bench/run-helpers/wait-ping.py

SUFFIX=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
NS_N="nst-cpb-n$SUFFIX"   # netstackd's host
NS_D="nst-cpb-d$SUFFIX"   # dockerd's host
HOST_IP=192.0.2.10
WORK=$(mktemp -d /tmp/netstack-cpbench.XXXXXX)
NSOCK=$WORK/netstack.sock
DSOCK=$WORK/docker.sock
NETSTACKD_PID=""
DOCKERD_PID=""
CONTAINERD_PID=""
CLI=""
LOG_LEVEL="${NETSTACK_LOG_LEVEL:-info}"

netstack() { "$CLI" -H "unix://$NSOCK" "$@"; }
dockn() { docker -H "unix://$NSOCK" "$@"; }
dockd() { docker -H "unix://$DSOCK" "$@"; }
# The command line of a client: ns, dn or dd.
client() { case $1 in ns) echo netstack ;; dn) echo dockn ;; dd) echo dockd ;; esac; }

stop_pid() { # pid: TERM, wait up to 30 s, then KILL
    [[ -n $1 ]] && kill -0 "$1" 2>/dev/null || return 0
    kill -TERM "$1"
    for _ in $(seq 1 60); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.5; done
    kill -9 "$1" 2>/dev/null || true
}

cleanup() {
    set +e
    if [[ -n $NETSTACKD_PID ]] && kill -0 "$NETSTACKD_PID" 2>/dev/null; then
        netstack ps -a -q 2>/dev/null | xargs -r "$CLI" -H "unix://$NSOCK" rm -f >/dev/null 2>&1
        netstack sandbox ls -q 2>/dev/null | xargs -r "$CLI" -H "unix://$NSOCK" sandbox rm >/dev/null 2>&1
    fi
    stop_pid "$NETSTACKD_PID"
    if [[ -n $DOCKERD_PID ]] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
        dockd ps -a -q 2>/dev/null | xargs -r docker -H "unix://$DSOCK" rm -f >/dev/null 2>&1
    fi
    stop_pid "$DOCKERD_PID"
    stop_pid "$CONTAINERD_PID"
    if [[ -d $WORK ]]; then
        grep -o " $WORK[^ ]*" /proc/self/mountinfo | sort -ru | while read -r m; do umount -l "$m" 2>/dev/null; done
    fi
    ip netns del "$NS_N" 2>/dev/null
    ip netns del "$NS_D" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== build (Release)"
dotnet build src/Netstack.Daemon -c Release -nologo -clp:ErrorsOnly >/dev/null
# The CLI as it ships: published Native AOT (its csproj sets PublishAot). NETSTACK_CLI_JIT=1 measures
# the plain JIT build output instead.
if [[ -n ${NETSTACK_CLI_JIT:-} ]]; then
    dotnet build src/Netstack.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
    CLI=$PWD/src/Netstack.Cli/bin/Release/net10.0/netstack
else
    dotnet publish src/Netstack.Cli -c Release -r linux-x64 -o "$WORK/cli" -nologo -clp:ErrorsOnly >/dev/null
    CLI=$WORK/cli/netstack
fi
# netstackd as it ships: published Native AOT (its csproj sets PublishAot; ilc takes a few minutes),
# or one published in NETSTACKD_AOT=DIR before; NETSTACKD_JIT=1 measures the JIT build output.
if [[ -n ${NETSTACKD_JIT:-} ]]; then
    NETSTACKD=$PWD/src/Netstack.Daemon/bin/Release/net10.0/netstackd
elif [[ -n ${NETSTACKD_AOT:-} && -x ${NETSTACKD_AOT}/netstackd ]]; then
    NETSTACKD=$NETSTACKD_AOT/netstackd
else
    echo "== publish netstackd Native AOT"
    dotnet publish src/Netstack.Daemon -c Release -r linux-x64 -o "$WORK/daemon" -nologo -clp:ErrorsOnly >/dev/null
    NETSTACKD=$WORK/daemon/netstackd
fi

make_host() { # a namespace with lo up and an uplink owning $HOST_IP
    ip netns add "$1"
    ip -n "$1" link set lo up
    ip -n "$1" link add uplink type veth peer name uplink-peer
    ip -n "$1" addr add "$HOST_IP/24" dev uplink
    ip -n "$1" link set uplink up
    ip -n "$1" link set uplink-peer up
}

now_ns() { local t=$EPOCHREALTIME; echo "${t/./}000"; }

# The start functions run in this shell (not in $(...)), so the pids they set stay known to
# cleanup; each leaves its spawn-to-first-answer time in START_MS.
START_MS=""
start_netstackd() {
    local t0 t1
    rm -f "$NSOCK"
    t0=$(now_ns)
    nsenter --net="/run/netns/$NS_N" "$NETSTACKD" --root "$WORK/ns-root" --exec-root "$WORK/ns-exec" \
        -H "unix://$NSOCK" --log-level "$LOG_LEVEL" --firewall-backend "${FIREWALL_BACKEND:-iptables}" >> "$WORK/netstackd.log" 2>&1 &
    NETSTACKD_PID=$!
    t1=$("$PYTHON" "$WAIT_PING" "$NSOCK" 120) || { tail -20 "$WORK/netstackd.log"; echo "netstackd did not answer" >&2; return 1; }
    START_MS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }')
}

start_dockerd() {
    local t0 t1
    rm -f "$DSOCK"
    t0=$(now_ns)
    # Docker's defaults otherwise (iptables, docker0, userland proxy, its own containerd), all
    # inside its own namespace.
    nsenter --net="/run/netns/$NS_D" dockerd --data-root "$WORK/d-data" --exec-root "$WORK/d-exec" \
        --pidfile "$WORK/docker.pid" -H "unix://$DSOCK" >> "$WORK/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    t1=$("$PYTHON" "$WAIT_PING" "$DSOCK" 120) || { tail -20 "$WORK/dockerd.log"; echo "dockerd did not answer" >&2; return 1; }
    # The containerd dockerd started for itself (its child), for RSS and for cleanup.
    CONTAINERD_PID=$(ps -o pid= --ppid "$DOCKERD_PID" -o comm= | awk '$2 == "containerd" { print $1; exit }')
    START_MS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }')
}

rss_mb() { # pid -> VmRSS in MB
    awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

echo "== hosts $NS_N (netstackd) and $NS_D (dockerd)"
make_host "$NS_N"
make_host "$NS_D"
mkdir -p "$WORK/d-data" "$WORK/d-exec"
scenarios/make-busybox-image.sh "$WORK/busybox.tar" >/dev/null

echo "== netstackd"
start_netstackd
netstack image import "$WORK/busybox.tar" busybox >/dev/null
echo "== dockerd $(dockerd --version | awk '{print $3}' | tr -d ,)"
start_dockerd
[[ -n $CONTAINERD_PID ]] || { echo "dockerd's containerd not found among its children" >&2; exit 1; }
dockd import "$WORK/busybox.tar" busybox:latest >/dev/null

# Fixtures on each daemon: a base network with the running container cp-c, the network it is
# connected to and from, the network the bulk containers run on.
for sys in netstack dockd; do
    "$sys" network create --subnet 10.40.0.0/24 cp-base >/dev/null
    "$sys" network create --subnet 10.41.0.0/24 cp-extra >/dev/null
    "$sys" run -d --name cp-c --network cp-base busybox sleep 3600 >/dev/null
done
sleep 2
RSS_IDLE_N=$(rss_mb "$NETSTACKD_PID")
RSS_IDLE_D=$(rss_mb "$DOCKERD_PID")
RSS_IDLE_C=$(rss_mb "$CONTAINERD_PID")
echo "rss idle: netstackd $RSS_IDLE_N MB, dockerd $RSS_IDLE_D MB, containerd $RSS_IDLE_C MB"

: > "$WORK/results.txt"
record() { echo "$1 $2 $3" | tee -a "$WORK/results.txt"; }
# Times "$@" (output discarded) in ms; the command's failure ends the script.
timed() {
    local t0=$EPOCHREALTIME t1
    "$@" >/dev/null
    t1=$EPOCHREALTIME
    awk -v a="${t0/./}" -v b="${t1/./}" 'BEGIN { printf "%.1f", (b - a) / 1e3 }'
}
# Times "$@" until it succeeds (every 20 ms, at most 60 s): dockerd answers `rm -f` before the
# containers' endpoints are released, and refuses `network rm` ("has active endpoints") until they are.
timed_until_ok() {
    local t0=$EPOCHREALTIME t1 deadline=$((SECONDS + 60))
    until "$@" >/dev/null 2>"$WORK/until.err"; do
        (( SECONDS < deadline )) || { cat "$WORK/until.err" >&2; echo "$* kept failing for 60 s" >&2; return 1; }
        sleep 0.02
    done
    t1=$EPOCHREALTIME
    awk -v a="${t0/./}" -v b="${t1/./}" 'BEGIN { printf "%.1f", (b - a) / 1e3 }'
}
order_of() { # run index -> the three clients, rotated
    case $(( $1 % 3 )) in 0) echo "ns dn dd" ;; 1) echo "dn dd ns" ;; 2) echo "dd ns dn" ;; esac
}

case_create() { # client, index
    local c a b; c=$(client "$1")
    a=$(timed "$c" network create --subnet "10.50.$2.0/24" "cp-cr-$1-$2")
    b=$(timed "$c" network rm "cp-cr-$1-$2")
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", a + b }'
}
case_connect() { # client, network
    local c a b; c=$(client "$1")
    a=$(timed "$c" network connect "$2" cp-c)
    b=$(timed "$c" network disconnect "$2" cp-c)
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", a + b }'
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== $RUNS runs of create, connect, ls, inspect (load average $LOAD_START)"
for i in $(seq 1 "$RUNS"); do
    for cl in $(order_of "$i"); do record create "$cl" "$(case_create "$cl" "$i")"; done
    for cl in $(order_of "$i"); do record connect "$cl" "$(case_connect "$cl" cp-extra)"; done
    for cl in $(order_of "$i"); do record ls "$cl" "$(timed "$(client "$cl")" network ls)"; done
    for cl in $(order_of "$i"); do record inspect "$cl" "$(timed "$(client "$cl")" network inspect cp-base)"; done
done

echo "== per-endpoint connect at 10 and at $ENDPOINTS endpoints (netstack; sandboxes as the other endpoints)"
# Two networks side by side, one holding 10 endpoints and one ENDPOINTS (with cp-c's), measured in
# alternation within each run, so a change of load during the run hits both sizes alike.
netstack network create --subnet 10.59.0.0/24 cp-ep10 >/dev/null
netstack network create --subnet 10.60.0.0/20 cp-ep >/dev/null
fill_endpoints() { # network, from, to: sandboxes cp-sb-K connected to the network, four at a time
    seq "$2" "$3" | xargs -P 4 -I{} sh -c "'$CLI' -H 'unix://$NSOCK' sandbox create cp-sb-{} >/dev/null && '$CLI' -H 'unix://$NSOCK' network connect $1 cp-sb-{}"
}
fill_endpoints cp-ep10 1 9
fill_endpoints cp-ep 10 $((ENDPOINTS + 8))
SB_COUNT=$(netstack sandbox ls -q | grep -c '^cp-sb-' || true)
(( SB_COUNT == ENDPOINTS + 8 )) || { echo "$SB_COUNT sandboxes, expected $((ENDPOINTS + 8))" >&2; exit 1; }
for i in $(seq 1 "$RUNS"); do
    for cl in $( (( i % 2 )) && echo "ns dn" || echo "dn ns"); do
        if (( (i / 2) % 2 )); then
            record ep10 "$cl" "$(case_connect "$cl" cp-ep10)"; record epN "$cl" "$(case_connect "$cl" cp-ep)"
        else
            record epN "$cl" "$(case_connect "$cl" cp-ep)"; record ep10 "$cl" "$(case_connect "$cl" cp-ep10)"
        fi
    done
done
netstack sandbox ls -q | grep '^cp-sb-' | xargs -r "$CLI" -H "unix://$NSOCK" sandbox rm >/dev/null
netstack network rm cp-ep10 cp-ep >/dev/null

echo "== $BULK_RUNS rounds of rm -f of $BULK containers, then network rm"
RSS_BULK_N="" RSS_BULK_D="" RSS_BULK_C=""
# A network per round and client (a /22 each): a network Docker could not remove (see netrm) stays
# behind without blocking the next round.
bulk_subnet() { echo "10.$((100 + $1 % 150)).$(( $2 * 4 )).0/22"; }
for i in $(seq 1 "$BULK_RUNS"); do
    for cl in $(order_of "$i"); do
        c=$(client "$cl")
        if [[ $cl == dd ]]; then sys=dockd; else sys=netstack; fi
        net=cp-bulk-$cl-$i
        "$sys" network create --subnet "$(bulk_subnet "$i" "$(case $cl in ns) echo 0 ;; dn) echo 1 ;; dd) echo 2 ;; esac)")" "$net" >/dev/null
        names=()
        for k in $(seq 1 "$BULK"); do names+=("cp-b-$cl-$i-$k"); done
        if [[ $sys == netstack ]]; then starter=("$CLI" -H "unix://$NSOCK"); else starter=(docker -H "unix://$DSOCK"); fi
        # Started four at a time, untimed.
        printf '%s\n' "${names[@]}" | xargs -P 4 -I{} "${starter[@]}" run -d --name {} --network "$net" busybox sleep 3600 >/dev/null
        running=$("$sys" ps -q | wc -l)
        (( running == BULK + 1 )) || { echo "$sys: $running containers running, expected $((BULK + 1))" >&2; exit 1; }
        if [[ -z $RSS_BULK_N && $sys == netstack ]]; then
            sleep 2; RSS_BULK_N=$(rss_mb "$NETSTACKD_PID"); echo "rss with $((BULK + 1)) containers: netstackd $RSS_BULK_N MB"
        fi
        if [[ -z $RSS_BULK_D && $sys == dockd ]]; then
            sleep 2; RSS_BULK_D=$(rss_mb "$DOCKERD_PID"); RSS_BULK_C=$(rss_mb "$CONTAINERD_PID")
            echo "rss with $((BULK + 1)) containers: dockerd $RSS_BULK_D MB, containerd $RSS_BULK_C MB"
        fi
        record rmf "$cl" "$(timed "$c" rm -f "${names[@]}")"
        left=$("$sys" ps -a -q | wc -l)
        (( left == 1 )) || { echo "$sys: $left containers after rm -f, expected 1 (cp-c)" >&2; exit 1; }
        # A network rm that still fails after 60 s is recorded as FAIL (not a time) and counted.
        record netrm "$cl" "$(timed_until_ok "$c" network rm "$net" || echo FAIL)"
    done
done

echo "== $START_RUNS daemon restarts, spawn to first /_ping answer"
for sys in netstack dockd; do "$sys" rm -f cp-c >/dev/null; done
for i in $(seq 1 "$START_RUNS"); do
    for d in $( (( i % 2 )) && echo "netstackd dockerd" || echo "dockerd netstackd"); do
        if [[ $d == netstackd ]]; then
            stop_pid "$NETSTACKD_PID"; start_netstackd; record start netstackd "$START_MS"
        else
            stop_pid "$DOCKERD_PID"; stop_pid "$CONTAINERD_PID"; start_dockerd; record start dockerd "$START_MS"
        fi
    done
done

stat_of() { # case, client -> "median p90 min max n" (FAIL entries left out; fails_of counts them)
    awk -v c="$1" -v s="$2" '$1 == c && $2 == s && $3 ~ /^[0-9.]+$/ { print $3 }' "$WORK/results.txt" | sort -n | awk '
        { v[NR] = $1 } END {
            n = NR; if (n == 0) { print "- - - - 0"; exit }
            med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            k = int(0.9 * n + 0.999999); if (k < 1) k = 1; if (k > n) k = n
            printf "%.1f %.1f %.1f %.1f %d\n", med, v[k], v[1], v[n], n }'
}
fails_of() { awk -v c="$1" -v s="$2" '$1 == c && $2 == s && $3 == "FAIL"' "$WORK/results.txt" | wc -l; }
median_of() { stat_of "$1" "$2" | awk '{ print $1 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }

echo
echo "load average at the start: $LOAD_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "docker CLI $(docker --version | awk '{print $3}' | tr -d ,), dockerd $(dockerd --version | awk '{print $3}' | tr -d ,), runc $(runc --version | awk 'NR==1{print $3}'), kernel $(uname -r)"
echo "netstack CLI: $([[ -n ${NETSTACK_CLI_JIT:-} ]] && echo 'JIT build output' || echo 'Native AOT publish'), netstackd: $([[ -n ${NETSTACKD_JIT:-} ]] && echo 'JIT build output' || echo 'Native AOT publish')"
echo "runs $RUNS, endpoints $ENDPOINTS, bulk $BULK x $BULK_RUNS rounds, starts $START_RUNS"
echo
echo "| case | netstack CLI → netstackd | docker CLI → netstackd | docker CLI → dockerd | ns/dd | dn/dd | ns/dn | n |"
echo "|---|---|---|---|---|---|---|---|"
for c in create connect ls inspect ep10 epN rmf netrm; do
    ns=$(median_of "$c" ns); dn=$(median_of "$c" dn); dd=$(median_of "$c" dd)
    n=$(stat_of "$c" ns | awk '{ print $5 }')
    label=$c; [[ $c == epN ]] && label="ep$ENDPOINTS"
    printf '| %s | %s ms | %s ms | %s ms | %s | %s | %s | %s |\n' "$label" "$ns" "$dn" "$dd" "$(ratio "$ns" "$dd")" "$(ratio "$dn" "$dd")" "$(ratio "$ns" "$dn")" "$n"
done
for cl in ns dn dd; do
    f=$(fails_of netrm "$cl"); (( f == 0 )) || echo "netrm $cl: $f of $BULK_RUNS rounds still refused after 60 s (not in the median)"
done
echo
printf '| daemon start to first answer | netstackd %s ms | dockerd %s ms | ratio %s |\n' \
    "$(median_of start netstackd)" "$(median_of start dockerd)" "$(ratio "$(median_of start netstackd)" "$(median_of start dockerd)")"
BULK_DC=$(awk -v a="$RSS_BULK_D" -v b="$RSS_BULK_C" 'BEGIN { printf "%.1f", a + b }')
printf '| RSS idle | netstackd %s MB | dockerd %s MB + containerd %s MB | netstackd/dockerd %s |\n' \
    "$RSS_IDLE_N" "$RSS_IDLE_D" "$RSS_IDLE_C" "$(ratio "$RSS_IDLE_N" "$RSS_IDLE_D")"
printf '| RSS with %s containers | netstackd %s MB | dockerd %s MB + containerd %s MB = %s MB | netstackd/(dockerd+containerd) %s |\n' \
    "$((BULK + 1))" "$RSS_BULK_N" "$RSS_BULK_D" "$RSS_BULK_C" "$BULK_DC" "$(ratio "$RSS_BULK_N" "$BULK_DC")"
echo
echo "targets (issue 15):"
check() { # label, value, op, limit
    awk -v l="$1" -v v="$2" -v o="$3" -v t="$4" 'BEGIN {
        if (v == "-") { printf "  %-52s -\n", l; exit }
        ok = (o == "<=") ? (v <= t) : 0
        printf "  %-52s %s (target <= %s) %s\n", l, v, t, ok ? "met" : "NOT met" }'
}
check "connect + disconnect, ns/dd" "$(ratio "$(median_of connect ns)" "$(median_of connect dd)")" "<=" 0.2
check "create + rm, ns/dd" "$(ratio "$(median_of create ns)" "$(median_of create dd)")" "<=" 0.2
check "network ls, ns/dd" "$(ratio "$(median_of ls ns)" "$(median_of ls dd)")" "<=" 1.0
check "per-endpoint connect, ep$ENDPOINTS/ep10 (ns)" "$(ratio "$(median_of epN ns)" "$(median_of ep10 ns)")" "<=" 1.5
check "rm -f of $BULK containers, ns/dd" "$(ratio "$(median_of rmf ns)" "$(median_of rmf dd)")" "<=" 0.2
check "idle RSS, netstackd/dockerd" "$(ratio "$RSS_IDLE_N" "$RSS_IDLE_D")" "<=" 0.5
check "RSS with $BULK containers, netstackd/(dockerd+containerd)" "$(ratio "$RSS_BULK_N" "$BULK_DC")" "<=" 0.5
if [[ -n ${KEEP_LOGS:-} ]]; then
    mkdir -p "$KEEP_LOGS"; cp "$WORK/netstackd.log" "$WORK/dockerd.log" "$WORK/results.txt" "$KEEP_LOGS/"
fi
