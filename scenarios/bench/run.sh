#!/usr/bin/env bash
# Container start benchmark: `netstack run -d` against `docker run -d`, same machine, same run,
# same busybox rootfs (scenarios/make-busybox-image.sh; `netstack image import` / `docker import`).
#
#   scenarios/bench/run.sh [runs per case, default 10]
#
# Two cases, each on a user-defined network, timed as wall clock from just before the CLI call:
#   run    `run -d --network NET busybox sleep 3600` until the CLI returns (both CLIs return after
#          the container started); the state is then checked with inspect (untimed) to be running.
#   port   `run -d --network NET -p PORT:80 busybox httpd -f -p 80 -h /var/www` until a TCP connect
#          from the host namespace to the host's address and PORT succeeds (a poller started before
#          the CLI call, run-helpers/poll-connect.py, prints the time of the first success).
#   rmtrue `docker run --rm --network NET busybox true` with the stock docker CLI against each daemon
#          (attach before start, wait for removal, exit status): until the CLI returns; then checked
#          (untimed) that it exited 0 and left no container.
# Each container is removed after its run (untimed). Netstack and Docker alternate, and which goes
# first alternates too, so load changes on the machine hit both alike.
#
# Each daemon runs inside its own throwaway "host" network namespace (nsenter --net), with an
# uplink address 192.0.2.10/24 there: its bridges, iptables rules and (for Docker) docker0 and
# docker-proxy live only in that namespace, so the machine's own firewall is never touched and no
# packet leaves the machine. The connect goes to 192.0.2.10:PORT, not 127.0.0.1, so it passes
# through each daemon's DNAT to the container and not through docker-proxy's listener (which would
# accept before the container's httpd is up).
# Everything is removed on exit, failure included: containers, networks, both daemons (by pid),
# namespaces, mounts, the temp dir.
# After the timed runs, TRACE_RUNS (default 5) more netstack `run -d` calls run with the CLI's phase
# trace on (NETSTACK_TRACE_TIMING=1), untimed, and run-helpers/cli-phases.py prints where the CLI's
# own time went.
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS="${1:-10}"
[[ $RUNS =~ ^[0-9]+$ && $RUNS -ge 1 ]] || { echo "runs must be a positive integer, got '$RUNS'" >&2; exit 2; }
if [[ $(id -u) -ne 0 ]]; then echo "run.sh needs root (namespaces, runc, dockerd)" >&2; exit 1; fi
for tool in dockerd docker nsenter ip runc python3 busybox; do
    command -v "$tool" >/dev/null || { echo "missing $tool (scenarios/install-deps.sh installs it)" >&2; exit 1; }
done
# The real interpreter, not a version manager's shim script (its start-up would add noise).
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
POLL=$PWD/scenarios/bench/run-helpers/poll-connect.py

SUFFIX=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
NS_N="nst-runb-n$SUFFIX"   # netstackd's host
NS_D="nst-runb-d$SUFFIX"   # dockerd's host
HOST_IP=192.0.2.10
WORK=$(mktemp -d /tmp/netstack-runbench.XXXXXX)
NSOCK=$WORK/netstack.sock
DSOCK=$WORK/docker.sock
NETSTACKD_PID=""
CLI=""
DOCKERD_PID=""
NET=benchnet
LOG_LEVEL="${NETSTACK_LOG_LEVEL:-info}"

netstack() { "$CLI" -H "unix://$NSOCK" "$@"; }
dock() { docker -H "unix://$DSOCK" "$@"; }
# The stock docker CLI against netstackd, with a config directory of its own.
dockn() { DOCKER_CONFIG="$WORK/docker-config" docker -H "unix://$NSOCK" "$@"; }

cleanup() {
    set +e
    if [[ -n $NETSTACKD_PID ]] && kill -0 "$NETSTACKD_PID" 2>/dev/null; then
        for c in $(netstack ps -a -q 2>/dev/null); do netstack rm -f "$c" >/dev/null 2>&1; done
        netstack network rm "$NET" >/dev/null 2>&1
        kill -TERM "$NETSTACKD_PID"
        for _ in $(seq 1 60); do kill -0 "$NETSTACKD_PID" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$NETSTACKD_PID" 2>/dev/null
    fi
    if [[ -n $DOCKERD_PID ]] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
        for c in $(dock ps -a -q 2>/dev/null); do dock rm -f "$c" >/dev/null 2>&1; done
        dock network rm "$NET" >/dev/null 2>&1
        kill -TERM "$DOCKERD_PID"
        for _ in $(seq 1 60); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$DOCKERD_PID" 2>/dev/null
    fi
    # Mounts left under the work dir (container rootfs overlays, netns bind mounts), deepest first.
    if [[ -d $WORK ]]; then
        grep -o " $WORK[^ ]*" /proc/self/mountinfo | sort -ru | while read -r m; do umount -l "$m" 2>/dev/null; done
    fi
    # The namespaces take their bridges, veths and iptables rules with them.
    ip netns del "$NS_N" 2>/dev/null
    ip netns del "$NS_D" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
# A signal ends the script (the EXIT trap then cleans up); a trap that only cleaned up would let
# the script carry on after it.
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== build (Release)"
dotnet build src/Netstack.Daemon -c Release -nologo -clp:ErrorsOnly >/dev/null
# The CLI as it ships: published Native AOT (its csproj sets PublishAot), so the process starts on
# native code with no runtime to load (src/Netstack.Cli/README.md; the figures below were taken with
# the earlier ReadyToRun publish). NETSTACK_CLI_JIT=1 measures the plain build output instead.
if [[ -n ${NETSTACK_CLI_JIT:-} ]]; then
    dotnet build src/Netstack.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
    CLI=$PWD/src/Netstack.Cli/bin/Release/net10.0/netstack
else
    dotnet publish src/Netstack.Cli -c Release -r linux-x64 -o "$WORK/cli" -nologo -clp:ErrorsOnly >/dev/null
    CLI=$WORK/cli/netstack
fi
NETSTACKD=$PWD/src/Netstack.Daemon/bin/Release/net10.0/netstackd

make_host() { # a namespace with lo up and an uplink owning $HOST_IP
    ip netns add "$1"
    ip -n "$1" link set lo up
    ip -n "$1" link add uplink type veth peer name uplink-peer
    ip -n "$1" addr add "$HOST_IP/24" dev uplink
    ip -n "$1" link set uplink up
    ip -n "$1" link set uplink-peer up
}

echo "== hosts $NS_N (netstackd) and $NS_D (dockerd)"
make_host "$NS_N"
make_host "$NS_D"
scenarios/make-busybox-image.sh "$WORK/busybox.tar" >/dev/null

echo "== netstackd"
nsenter --net="/run/netns/$NS_N" "$NETSTACKD" --root "$WORK/ns-root" --exec-root "$WORK/ns-exec" \
    -H "unix://$NSOCK" --log-level "$LOG_LEVEL" > "$WORK/netstackd.log" 2>&1 &
NETSTACKD_PID=$!
for _ in $(seq 1 300); do
    netstack version >/dev/null 2>&1 && break
    kill -0 "$NETSTACKD_PID" 2>/dev/null || { cat "$WORK/netstackd.log"; exit 1; }
    sleep 0.2
done
netstack version >/dev/null
netstack image import "$WORK/busybox.tar" busybox >/dev/null
netstack network create --subnet 10.20.0.0/24 "$NET" >/dev/null

echo "== dockerd $(dockerd --version | awk '{print $3}' | tr -d ,)"
mkdir -p "$WORK/d-data" "$WORK/d-exec"
# Docker's defaults otherwise (iptables, docker0, userland proxy), all inside its own namespace.
nsenter --net="/run/netns/$NS_D" dockerd --data-root "$WORK/d-data" --exec-root "$WORK/d-exec" \
    --pidfile "$WORK/docker.pid" -H "unix://$DSOCK" > "$WORK/dockerd.log" 2>&1 &
DOCKERD_PID=$!
for _ in $(seq 1 240); do
    dock info >/dev/null 2>&1 && break
    kill -0 "$DOCKERD_PID" 2>/dev/null || { tail -20 "$WORK/dockerd.log"; exit 1; }
    sleep 0.5
done
dock info >/dev/null || { tail -20 "$WORK/dockerd.log"; echo "dockerd did not start" >&2; exit 1; }
dock import "$WORK/busybox.tar" busybox:latest >/dev/null
dock network create --driver bridge --subnet 10.21.0.0/24 "$NET" >/dev/null

now_ns() { local t=$EPOCHREALTIME; echo "${t/./}000"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }

# Each CLI as "$cmd", so one function times both.
cli_of() { if [[ $1 == netstack ]]; then echo netstack; else echo dock; fi; }

running() { # system, name -> 0 when inspect says the container runs
    local cli; cli=$(cli_of "$1")
    if [[ $1 == netstack ]]; then
        "$cli" inspect "$2" | tr -d ' \n' | grep -q '"Running":true'
    else
        [[ $("$cli" inspect -f '{{.State.Running}}' "$2") == true ]]
    fi
}

case_run() { # system, index -> prints milliseconds
    local sys=$1 i=$2 cli name t0 t1
    cli=$(cli_of "$sys"); name="rb-run-$i"
    t0=$(now_ns)
    "$cli" run -d --name "$name" --network "$NET" busybox sleep 3600 >/dev/null
    t1=$(now_ns)
    running "$sys" "$name" || { echo "$sys: $name is not running after run -d returned" >&2; return 1; }
    "$cli" rm -f "$name" >/dev/null
    echo "$(ms "$t0" "$t1") $((t0 / 1000000))"
}

case_port() { # system, index -> prints milliseconds
    local sys=$1 i=$2 cli ns name port t0 poller out
    cli=$(cli_of "$sys"); name="rb-port-$i"; port=$((18000 + i))
    if [[ $sys == netstack ]]; then ns=$NS_N; else ns=$NS_D; fi
    out="$WORK/poll-$sys-$i"
    nsenter --net="/run/netns/$ns" "$PYTHON" "$POLL" "$HOST_IP" "$port" 60 > "$out" &
    poller=$!
    sleep 0.3   # let the poller start before the clock does
    t0=$(now_ns)
    "$cli" run -d --name "$name" --network "$NET" -p "$port:80" busybox httpd -f -p 80 -h /var/www >/dev/null
    if ! wait "$poller"; then
        echo "$sys: nothing answered on $HOST_IP:$port within 60 s" >&2; return 1
    fi
    "$cli" rm -f "$name" >/dev/null
    echo "$(ms "$t0" "$(cat "$out")") $((t0 / 1000000))"
}

case_rmtrue() { # system, index -> prints milliseconds
    local sys=$1 i=$2 cli t0 t1
    if [[ $sys == netstack ]]; then cli=dockn; else cli=dock; fi
    t0=$(now_ns)
    "$cli" run --rm --network "$NET" busybox true >/dev/null || { echo "$sys: docker run --rm busybox true failed" >&2; return 1; }
    t1=$(now_ns)
    [[ -z $("$cli" ps -aq) ]] || { echo "$sys: docker run --rm left a container" >&2; return 1; }
    echo "$(ms "$t0" "$t1") $((t0 / 1000000))"
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== $RUNS runs per case, alternating (load average $LOAD_START)"
: > "$WORK/results.txt"
for i in $(seq 1 "$RUNS"); do
    if (( i % 2 )); then order=(netstack docker); else order=(docker netstack); fi
    for sys in "${order[@]}"; do
        v=$(case_run "$sys" "$i"); echo "run $sys $v" | tee -a "$WORK/results.txt"
    done
    for sys in "${order[@]}"; do
        v=$(case_port "$sys" "$i"); echo "port $sys $v" | tee -a "$WORK/results.txt"
    done
    for sys in "${order[@]}"; do
        v=$(case_rmtrue "$sys" "$i"); echo "rmtrue $sys $v" | tee -a "$WORK/results.txt"
    done
done

# Untimed: where the CLI's own time goes, from its opt-in phase trace (NETSTACK_TRACE_TIMING=1, see
# src/Netstack.Cli/Diagnostics/TimingTrace.cs), for TRACE_RUNS extra `run -d` calls.
: > "$WORK/cli-trace.txt"
for i in $(seq 1 "${TRACE_RUNS:-5}"); do
    t=$EPOCHREALTIME; echo "shell-t0 ${t/./}" >> "$WORK/cli-trace.txt"
    NETSTACK_TRACE_TIMING=1 netstack run -d --name "rb-trace-$i" --network "$NET" busybox sleep 3600 2>> "$WORK/cli-trace.txt" >/dev/null
    t=$EPOCHREALTIME; echo "shell-t1 ${t/./}" >> "$WORK/cli-trace.txt"
    netstack rm -f "rb-trace-$i" >/dev/null
done

stat_of() { # case, system -> "median p90 min max"
    awk -v c="$1" -v s="$2" '$1 == c && $2 == s { print $3 }' "$WORK/results.txt" | sort -n | awk '
        { v[NR] = $1 } END {
            n = NR; med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            k = int(0.9 * n + 0.999999); if (k < 1) k = 1; if (k > n) k = n
            printf "%.1f %.1f %.1f %.1f\n", med, v[k], v[1], v[n] }'
}

echo
echo "load average at the start: $LOAD_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "docker $(dockerd --version | awk '{print $3}' | tr -d ,), runc $(runc --version | awk 'NR==1{print $3}'), kernel $(uname -r)"
echo
echo "| case | system | median | p90 | min | max |"
echo "|---|---|---|---|---|---|"
for c in run port rmtrue; do
    for s in netstack docker; do
        read -r med p90 lo hi <<< "$(stat_of "$c" "$s")"
        printf '| %s | %s | %s ms | %s ms | %s ms | %s ms |\n' "$c" "$s" "$med" "$p90" "$lo" "$hi"
    done
done
echo
for c in run port rmtrue; do
    read -r nm np _ _ <<< "$(stat_of "$c" netstack)"
    read -r dm dp _ _ <<< "$(stat_of "$c" docker)"
    awk -v c="$c" -v a="$nm" -v b="$dm" -v p="$np" -v q="$dp" 'BEGIN {
        printf "%s: netstack/docker median %.2f, p90 %.2f (target <= 0.60)\n", c, a / b, p / q }'
done
echo
"$PYTHON" scenarios/bench/run-helpers/breakdown.py "$WORK/results.txt" "$WORK/netstackd.log" || true
echo
"$PYTHON" scenarios/bench/run-helpers/cli-phases.py "$WORK/cli-trace.txt" || true
if [[ -n ${KEEP_LOGS:-} ]]; then
    mkdir -p "$KEEP_LOGS"; cp "$WORK/netstackd.log" "$WORK/dockerd.log" "$WORK/results.txt" "$WORK/cli-trace.txt" "$KEEP_LOGS/"
fi
