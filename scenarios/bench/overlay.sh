#!/usr/bin/env bash
# Overlay benchmark: Netstack's overlay against Docker's swarm overlay in the same run, and a
# hand-built kernel VXLAN pair as the ceiling. See README-overlay.md.
#
#   scenarios/bench/overlay.sh [runs per case, default 5]
#
# One underlay LAN (a bridge in namespace nst-ovb<id>-lan, MTU 1500 everywhere) with namespace hosts:
#   n1, n2  netstackd (--cluster-store to etcd on e, --advertise-addr, gossip key; n2 joins n1),
#           overlay network `nov` (10.91.0.0/24); the per-host steps are scenarios/lab/overlay-lab.sh
#   e       etcd
#   d1, d2  dockerd (Debian docker.io), each with its own --data-root/--exec-root/-H under the work
#           dir, started inside its namespace with nsenter --net and stopped by pid; a swarm
#           (`docker swarm init` on d1, `join` on d2), `--attachable` overlay network `dov` (10.92.0.0/24)
#   v1, v2  the ceiling: a VXLAN device in each (VNI 42, UDP 4789, MTU 1450) with 10.93.0.1-2/24
# Each system has a busybox httpd container on each of its two hosts. Measured, medians of RUNS:
#   (a) iperf3 TCP throughput host 1 -> host 2, container to container (iperf3 runs in the
#       containers' network namespaces via nsenter: the busybox image has no iperf3)
#   (b) ping RTT container to container across hosts
#   (c) `run -d --ip X` of a busybox httpd on host 2 until a TCP connect from host 1's container to X:80
#       succeeds (poller in host 1's container namespace, run-helpers/poll-connect.py, 50 ms attempts)
# Netstack and Docker alternate, and so does who goes first. Everything is removed on exit, failure
# included: containers, networks, swarm, daemons and etcd (by pid), mounts, namespaces, the work dir.
# The machine's own interfaces, routes, firewall and resolver are never touched.
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS="${1:-5}"
[[ $RUNS =~ ^[0-9]+$ && $RUNS -ge 1 ]] || { echo "runs must be a positive integer, got '$RUNS'" >&2; exit 2; }
IPERF_SECONDS=${IPERF_SECONDS:-5}
if [[ $(id -u) -ne 0 ]]; then echo "overlay.sh needs root (namespaces, dockerd)" >&2; exit 1; fi
for tool in dockerd docker etcd etcdctl iperf3 nsenter ip ss python3 busybox; do
    command -v "$tool" >/dev/null || { echo "missing $tool (scenarios/install-deps.sh installs it)" >&2; exit 1; }
done
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
POLL=$PWD/scenarios/bench/run-helpers/poll-connect.py
LAB=$PWD/scenarios/lab/overlay-lab.sh

ID=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
P="nst-ovb$ID"
WORK=$(mktemp -d /tmp/nst-ovb.XXXXXX)
declare -A PID=() IP=([n1]=10.79.0.1 [n2]=10.79.0.2 [e]=10.79.0.3 [d1]=10.79.0.4 [d2]=10.79.0.5 [v1]=10.79.0.6 [v2]=10.79.0.7)
HOSTS=(n1 n2 e d1 d2 v1 v2)
export OVERLAY_LAB_NETWORK=nov OVERLAY_LAB_SUBNET=10.91.0.0/24

ns() { echo "/run/netns/$P-$1"; }
in_ns() { local h=$1; shift; nsenter --net="$(ns "$h")" "$@"; }
nst() { local h=$1; shift; "$CLI" -H "unix://$WORK/$h/sock" "$@"; }
dock() { local h=$1; shift; docker -H "unix://$WORK/$h/sock" "$@"; }
lab() { local h=$1; shift; NETSTACK_CLI=$CLI NETSTACK_HOST_URI="unix://$WORK/$h/sock" in_ns "$h" "$LAB" "$@"; }

stop_pid() { # pid: TERM, wait up to 30 s, KILL
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in $(seq 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null
}
cleanup() {
    set +e
    for h in n1 n2; do
        [[ -n ${PID[$h]:-} ]] || continue
        for c in $(nst "$h" ps -a -q 2>/dev/null); do nst "$h" rm -f "$c" >/dev/null 2>&1; done
    done
    [[ -n ${PID[n1]:-} ]] && nst n1 network rm nov >/dev/null 2>&1
    for h in d1 d2; do
        [[ -n ${PID[$h]:-} ]] || continue
        for c in $(dock "$h" ps -a -q 2>/dev/null); do dock "$h" rm -f "$c" >/dev/null 2>&1; done
    done
    [[ -n ${PID[d1]:-} ]] && dock d1 network rm dov >/dev/null 2>&1
    for h in d2 d1; do [[ -n ${PID[$h]:-} ]] && dock "$h" swarm leave --force >/dev/null 2>&1; done
    for h in n1 n2 d1 d2 e; do
        [[ -n ${PID[$h]:-} ]] || continue
        stop_pid "${PID[$h]}"
        # dockerd's own containerd, if dockerd did not take it down.
        if [[ -f $WORK/$h/exec/containerd/containerd.pid ]]; then stop_pid "$(cat "$WORK/$h/exec/containerd/containerd.pid")"; fi
    done
    grep -o " $WORK[^ ]*" /proc/self/mountinfo | sort -ru | while read -r m; do umount -l "$m" 2>/dev/null; done
    for h in "${HOSTS[@]}"; do ip netns delete "$P-$h" 2>/dev/null; done
    ip netns delete "$P-lan" 2>/dev/null
    if [[ -n ${KEEP_LOGS:-} ]]; then mkdir -p "$KEEP_LOGS"; cp "$WORK"/*/log "$WORK/results.txt" "$KEEP_LOGS/" 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
T0=$SECONDS
step() { echo "== [$((SECONDS - T0)) s] $*"; }
trap 'exit 130' INT
trap 'exit 143' TERM

step "build (Release)"
dotnet build src/Netstack.Daemon -c Release -nologo -clp:ErrorsOnly >/dev/null
NETSTACKD=$PWD/src/Netstack.Daemon/bin/Release/net10.0/netstackd
# The CLI as it ships, published Native AOT (as run.sh does); NETSTACK_CLI_JIT=1: the plain build.
if [[ -n ${NETSTACK_CLI_JIT:-} ]]; then
    dotnet build src/Netstack.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
    CLI=$PWD/src/Netstack.Cli/bin/Release/net10.0/netstack
else
    dotnet publish src/Netstack.Cli -c Release -r linux-x64 -o "$WORK/cli" -nologo -clp:ErrorsOnly >/dev/null
    CLI=$WORK/cli/netstack
fi

step "underlay: ${HOSTS[*]} on one bridge, MTU 1500"
ip netns add "$P-lan"
ip -n "$P-lan" link add br0 type bridge
ip -n "$P-lan" link set br0 up
for h in "${HOSTS[@]}"; do
    ip netns add "$P-$h"
    ip -n "$P-lan" link add "v$h" type veth peer name eth0 netns "$P-$h"
    ip -n "$P-lan" link set "v$h" mtu 1500 master br0 up
    ip -n "$P-$h" link set eth0 mtu 1500
    ip -n "$P-$h" addr add "${IP[$h]}/24" dev eth0
    ip -n "$P-$h" link set eth0 up
    ip -n "$P-$h" link set lo up
    mkdir -p "$WORK/$h"
done
scenarios/make-busybox-image.sh "$WORK/busybox.tar" >/dev/null
head -c 32 /dev/urandom | base64 > "$WORK/gossip.key"

step "ceiling: hand-built VXLAN pair v1 <-> v2"
for pair in "v1 v2 10.93.0.1" "v2 v1 10.93.0.2"; do
    read -r h o a <<<"$pair"
    ip -n "$P-$h" link add vx0 type vxlan id 42 local "${IP[$h]}" remote "${IP[$o]}" dstport 4789 dev eth0
    ip -n "$P-$h" link set vx0 mtu 1450 up
    ip -n "$P-$h" addr add "$a/24" dev vx0
done

step "etcd on e, netstackd on n1 and n2"
# nsenter (not a shell function, which would fork a subshell) execs the program: $! is its pid.
nsenter --net="$(ns e)" "$LAB" etcd-exec "${IP[e]}" "$WORK/e/etcd" >>"$WORK/e/log" 2>&1 &
PID[e]=$!
in_ns e "$LAB" etcd-wait "${IP[e]}"
for h in n1 n2; do
    # shellcheck disable=SC2046 # the flags are words
    nsenter --net="$(ns "$h")" "$NETSTACKD" --root "$WORK/$h/root" --exec-root "$WORK/$h/exec" -H "unix://$WORK/$h/sock" --log-level info \
        $("$LAB" daemon-flags "${IP[$h]}" "${IP[e]}" "$WORK/gossip.key" "${IP[n1]}") >>"$WORK/$h/log" 2>&1 &
    PID[$h]=$!
    for _ in $(seq 300); do nst "$h" version >/dev/null 2>&1 && break; kill -0 "${PID[$h]}" || { cat "$WORK/$h/log"; exit 1; }; sleep 0.2; done
    lab "$h" image "$WORK/busybox.tar"
done
for _ in $(seq 240); do [[ $(nst n2 node ls --format json | grep -c '"State":"alive"' || true) -eq 2 ]] && break; sleep 0.5; done
lab n1 network-create >/dev/null
lab n2 network-wait

step "dockerd $(dockerd --version | awk '{print $3}' | tr -d ,) on d1 and d2, swarm, attachable overlay"
for h in d1 d2; do
    nsenter --net="$(ns "$h")" dockerd --data-root "$WORK/$h/data" --exec-root "$WORK/$h/exec" --pidfile "$WORK/$h/docker.pid" \
        -H "unix://$WORK/$h/sock" >>"$WORK/$h/log" 2>&1 &
    PID[$h]=$!
    for _ in $(seq 240); do dock "$h" info >/dev/null 2>&1 && break; kill -0 "${PID[$h]}" || { tail -20 "$WORK/$h/log"; exit 1; }; sleep 0.5; done
    dock "$h" import "$WORK/busybox.tar" busybox:latest >/dev/null
done
dock d1 swarm init --advertise-addr "${IP[d1]}" --listen-addr "${IP[d1]}:2377" >/dev/null
dock d2 swarm join --token "$(dock d1 swarm join-token -q worker)" --advertise-addr "${IP[d2]}" --listen-addr "${IP[d2]}:2377" "${IP[d1]}:2377" >/dev/null
dock d1 network create -d overlay --attachable --subnet 10.92.0.0/24 dov >/dev/null

httpd=(busybox httpd -f -p 80 -h /var/www)
netns_of() { # system host name -> the container's network namespace path
    local pid
    if [[ $1 == netstack ]]; then pid=$(nst "$2" inspect "$3" | grep -o '"Pid": *[0-9]*' | grep -o '[0-9]*$' | head -1)
    else pid=$(dock "$2" inspect -f '{{.State.Pid}}' "$3"); fi
    echo "/proc/$pid/ns/net"
}
step "containers: one busybox httpd per host"
nst n1 run -d --name c1 --network nov --ip 10.91.0.10 "${httpd[@]}" >/dev/null
nst n2 run -d --name c2 --network nov --ip 10.91.0.20 "${httpd[@]}" >/dev/null
dock d1 run -d --name c1 --network dov --ip 10.92.0.10 "${httpd[@]}" >/dev/null
dock d2 run -d --name c2 --network dov --ip 10.92.0.20 "${httpd[@]}" >/dev/null
declare -A SRC=([netstack]=$(netns_of netstack n1 c1) [docker]=$(netns_of docker d1 c1) [kernel]=$(ns v1))
declare -A DST=([netstack]=$(netns_of netstack n2 c2) [docker]=$(netns_of docker d2 c2) [kernel]=$(ns v2))
declare -A TARGET=([netstack]=10.91.0.20 [docker]=10.92.0.20 [kernel]=10.93.0.2)
for s in netstack docker kernel; do
    for _ in $(seq 100); do nsenter --net="${SRC[$s]}" busybox ping -c 1 -W 1 "${TARGET[$s]}" >/dev/null 2>&1 && break; sleep 0.2; done
    nsenter --net="${SRC[$s]}" busybox ping -c 1 -W 2 "${TARGET[$s]}" >/dev/null || { echo "$s: ${TARGET[$s]} unreachable" >&2; exit 1; }
    # ip, not /sys: sysfs shows the namespace it was mounted in, not nsenter's.
    echo "$s: $(nsenter --net="${SRC[$s]}" ip -o link show | grep -o '[a-z0-9]*@*[a-z0-9]*: <[^>]*UP[^>]*> mtu [0-9]*' | grep -v '^lo' | sed 's/<[^>]*> //' | tr '\n' ' ')"
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now_ns() { local t=$EPOCHREALTIME; echo "${t/./}000"; }

iperf() { # system -> Gbit/s received
    local s=$1 port=$((5201 + RANDOM % 100))
    nsenter --net="${DST[$s]}" iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
    local server=$!
    for _ in $(seq 50); do nsenter --net="${DST[$s]}" ss -ltn | grep -q ":$port " && break; sleep 0.1; done
    nsenter --net="${SRC[$s]}" iperf3 -c "${TARGET[$s]}" -p "$port" -t "$IPERF_SECONDS" -J \
        | "$PYTHON" -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
    wait "$server" 2>/dev/null || true
}
rtt() { # system -> median RTT in ms of 20 pings
    nsenter --net="${SRC[$1]}" busybox ping -c 20 -i 0.05 "${TARGET[$1]}" | grep -o 'time=[0-9.]*' | cut -d= -f2 | median
}
reach() { # system index -> seconds from run -d on host 2 until host 1's container connects
    local s=$1 i=$2 ipaddr out poller t0
    out="$WORK/poll-$s-$i"
    if [[ $s == netstack ]]; then ipaddr=10.91.0.$((100 + i)); else ipaddr=10.92.0.$((100 + i)); fi
    nsenter --net="${SRC[$s]}" "$PYTHON" "$POLL" "$ipaddr" 80 60 0.05 > "$out" &
    poller=$!
    sleep 0.3
    t0=$(now_ns)
    if [[ $s == netstack ]]; then nst n2 run -d --name "reach$i" --network nov --ip "$ipaddr" "${httpd[@]}" >/dev/null
    else dock d2 run -d --name "reach$i" --network dov --ip "$ipaddr" "${httpd[@]}" >/dev/null; fi
    wait "$poller" || { echo "$s: $ipaddr:80 never answered" >&2; return 1; }
    if [[ $s == netstack ]]; then nst n2 rm -f "reach$i" >/dev/null; else dock d2 rm -f "reach$i" >/dev/null; fi
    awk -v a="$t0" -v b="$(cat "$out")" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }'
}

step "$RUNS runs per case, alternating (load average $(cut -d' ' -f1-3 /proc/loadavg))"
: > "$WORK/results.txt"
for i in $(seq 1 "$RUNS"); do
    if (( i % 2 )); then order=(netstack docker kernel); else order=(kernel docker netstack); fi
    for s in "${order[@]}"; do echo "iperf $s $(iperf "$s") $i" | tee -a "$WORK/results.txt"; done
    for s in "${order[@]}"; do echo "rtt $s $(rtt "$s")" | tee -a "$WORK/results.txt"; done
    for s in "${order[@]}"; do [[ $s == kernel ]] || echo "reach $s $(reach "$s" "$i")" | tee -a "$WORK/results.txt"; done
done

med() { awk -v c="$1" -v s="$2" '$1 == c && $2 == s { print $3 }' "$WORK/results.txt" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# The machine's speed drifts between rounds (shared vCPUs): each round's three iperf3 runs are
# back to back, so a round's own ratio cancels the drift that a ratio of medians keeps.
round_ratio() { # system over system -> median of the per-round ratios of their iperf3 figures
    awk -v a="$1" -v b="$2" '$1 == "iperf" && $2 == a { x[$4] = $3 } $1 == "iperf" && $2 == b { y[$4] = $3 }
        END { for (r in x) if (r in y && y[r] > 0) print x[r] / y[r] }' "$WORK/results.txt" | median | awk '{ printf "%.2f", $1 }'
}
echo
step "medians of $RUNS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-34s %10s %10s %10s\n' "" netstack docker kernel
printf '%-34s %10s %10s %10s\n' "(a) iperf3 TCP, Gbit/s" "$(med iperf netstack)" "$(med iperf docker)" "$(med iperf kernel)"
printf '%-34s %10s %10s %10s\n' "(b) ping RTT, ms" "$(med rtt netstack)" "$(med rtt docker)" "$(med rtt kernel)"
printf '%-34s %10s %10s %10s\n' "(c) run -d to reachable, s" "$(med reach netstack)" "$(med reach docker)" "-"
echo
echo "throughput netstack/docker $(ratio "$(med iperf netstack)" "$(med iperf docker)"), netstack/ceiling $(ratio "$(med iperf netstack)" "$(med iperf kernel)"), docker/ceiling $(ratio "$(med iperf docker)" "$(med iperf kernel)")"
echo "per-round throughput ratios (median of $RUNS): netstack/docker $(round_ratio netstack docker), netstack/ceiling $(round_ratio netstack kernel), docker/ceiling $(round_ratio docker kernel)"
echo "RTT netstack/docker $(ratio "$(med rtt netstack)" "$(med rtt docker)"); run-to-reachable netstack/docker $(ratio "$(med reach netstack)" "$(med reach docker)")"
