#!/usr/bin/env bash
# Global store benchmark: what etcd costs a connect, and how address allocation holds up when
# three hosts allocate from one global network at once.
#
#   scenarios/bench/global-store.sh [rounds, default 10] [connects per host in the burst, default 100]
#
# Lab: five namespace hosts on one LAN bridge (nothing in the machine's own namespace, no packet
# leaves the machine): netstackd on a, b and c with --cluster-store, a real etcd (Debian's
# etcd-server) on e at non-default ports, and a stock dockerd on d for the reference line.
#
# Case 1, connect + disconnect of one sandbox (netstack) or one running container (Docker), timed
# per call through the Engine API over the unix socket with the same helper for both daemons
# (run-helpers/api-connects.py; no CLI start-up in the figures), ROUNDS rounds, order rotated:
#   global    a macvlan network with --scope global on netstackd a: addresses and the attachment in etcd
#   local     a macvlan network on the same daemon, same parent, local store (SQLite)
#   bridge    a bridge network on the same daemon
#   docker    a macvlan network on dockerd (its local store), Docker's reference
# Target (issue 11): global connect within 2x local.
#
# Case 2, allocation throughput on one global network: COUNT connects of pre-made sandboxes with
# 16 in flight, first on host a alone, then on a, b and c at the same instant (three networks are
# used so each phase starts empty). Reported as connects per second, and checked: etcd holds
# exactly one key per connected address plus the gateway, all different.
#
# Everything is removed on exit, failure included: daemons and etcd by pid, namespaces, mounts, temp dir.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS="${1:-10}"
COUNT="${2:-100}"
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 ]] || { echo "rounds must be a positive integer, got '$ROUNDS'" >&2; exit 2; }
[[ $COUNT =~ ^[0-9]+$ && $COUNT -ge 1 && $COUNT -le 900 ]] || { echo "count must be 1..900, got '$COUNT'" >&2; exit 2; }
if [[ $(id -u) -ne 0 ]]; then echo "global-store.sh needs root (namespaces, dockerd)" >&2; exit 1; fi
for tool in etcd etcdctl dockerd docker nsenter ip python3 busybox; do
    command -v "$tool" >/dev/null || { echo "missing $tool (scenarios/install-deps.sh with NETSTACK_WITH_DOCKER=1 installs it)" >&2; exit 1; }
done
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
API=$PWD/scenarios/bench/run-helpers/api-connects.py

S=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
LAN="nst-gsb-lan$S"
HOSTS=(a b c d e)
WORK=$(mktemp -d /tmp/netstack-gsbench.XXXXXX)
ETCD_IP=10.99.0.5
STORE="etcd://$ETCD_IP:23790"
declare -A PIDS=()
ETCD_PID=""
DOCKERD_PID=""

ns() { echo "nst-gsb-$1$S"; }
sock() { echo "$WORK/$1/netstack.sock"; }
dock() { docker -H "unix://$WORK/docker.sock" "$@"; }
etcdctl_e() { nsenter --net="/run/netns/$(ns e)" etcdctl --endpoints "http://$ETCD_IP:23790" "$@"; }

cleanup() {
    set +e
    for h in "${!PIDS[@]}"; do
        kill -TERM "${PIDS[$h]}" 2>/dev/null
    done
    for h in "${!PIDS[@]}"; do
        for _ in $(seq 1 60); do kill -0 "${PIDS[$h]}" 2>/dev/null || break; sleep 0.5; done
        kill -9 "${PIDS[$h]}" 2>/dev/null
    done
    if [[ -n $DOCKERD_PID ]] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
        for c in $(dock ps -a -q 2>/dev/null); do dock rm -f "$c" >/dev/null 2>&1; done
        kill -TERM "$DOCKERD_PID"
        for _ in $(seq 1 60); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$DOCKERD_PID" 2>/dev/null
    fi
    [[ -n $ETCD_PID ]] && { kill -9 "$ETCD_PID" 2>/dev/null; wait "$ETCD_PID" 2>/dev/null; }
    if [[ -d $WORK ]]; then
        grep -o " $WORK[^ ]*" /proc/self/mountinfo | sort -ru | while read -r m; do umount -l "$m" 2>/dev/null; done
    fi
    for h in "${HOSTS[@]}"; do ip netns del "$(ns "$h")" 2>/dev/null; done
    ip netns del "$LAN" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== build (Release)"
dotnet build src/Netstack.Daemon -c Release -nologo -clp:ErrorsOnly >/dev/null
NETSTACKD=$PWD/src/Netstack.Daemon/bin/Release/net10.0/netstackd

echo "== lab: LAN $LAN, hosts ${HOSTS[*]}"
ip netns add "$LAN"
ip -n "$LAN" link add br0 type bridge
ip -n "$LAN" link set br0 up
i=0
for h in "${HOSTS[@]}"; do
    i=$((i + 1))
    ip netns add "$(ns "$h")"
    ip -n "$LAN" link add "v$h" type veth peer name eth0 netns "$(ns "$h")"
    ip -n "$LAN" link set "v$h" master br0 up
    ip -n "$(ns "$h")" addr add "10.99.0.$i/24" dev eth0
    ip -n "$(ns "$h")" link set eth0 up
    ip -n "$(ns "$h")" link set lo up
done

echo "== etcd $(etcd --version | head -1 | awk '{print $3}') on $STORE"
nsenter --net="/run/netns/$(ns e)" etcd --name e --data-dir "$WORK/etcd" \
    --listen-client-urls "http://$ETCD_IP:23790" --advertise-client-urls "http://$ETCD_IP:23790" \
    --listen-peer-urls "http://$ETCD_IP:23800" --initial-advertise-peer-urls "http://$ETCD_IP:23800" \
    --initial-cluster "e=http://$ETCD_IP:23800" --log-level error > "$WORK/etcd.log" 2>&1 &
ETCD_PID=$!
for _ in $(seq 1 100); do etcdctl_e endpoint health >/dev/null 2>&1 && break; sleep 0.2; done
etcdctl_e endpoint health >/dev/null 2>&1

for h in a b c; do
    mkdir -p "$WORK/$h"
    nsenter --net="/run/netns/$(ns "$h")" "$NETSTACKD" --root "$WORK/$h/root" --exec-root "$WORK/$h/exec" \
        -H "unix://$(sock "$h")" --log-level warn --cluster-store "$STORE" --node-name "$h" > "$WORK/$h/netstackd.log" 2>&1 &
    PIDS[$h]=$!
done
for h in a b c; do
    for _ in $(seq 1 300); do
        curl -sf --unix-socket "$(sock "$h")" http://localhost/_ping >/dev/null 2>&1 && break
        kill -0 "${PIDS[$h]}" 2>/dev/null || { cat "$WORK/$h/netstackd.log"; exit 1; }
        sleep 0.2
    done
done
api_post() { # host path json
    local code
    code=$(curl -s -o "$WORK/last.json" -w '%{http_code}' --unix-socket "$(sock "$1")" -X POST -H 'Content-Type: application/json' -d "$3" "http://localhost/v1.41$2")
    [[ $code == 2* ]] || { echo "POST $2 on $1: $code $(cat "$WORK/last.json")" >&2; exit 1; }
}
net_json() { # name driver scope subnet
    printf '{"Name":"%s","Driver":"%s","Scope":"%s","Options":{%s},"IPAM":{"Config":[{"Subnet":"%s"}]}}' \
        "$1" "$2" "$3" "$([[ $2 == macvlan ]] && echo '"parent":"eth0"')" "$4"
}
api_post a /networks/create "$(net_json gmac macvlan global 10.100.0.0/22)"
api_post a /networks/create "$(net_json lmac macvlan local 10.101.0.0/24)"
api_post a /networks/create "$(net_json lbr bridge local 10.102.0.0/24)"
"$PYTHON" "$API" sandboxes "$(sock a)" s 1

echo "== dockerd $(dockerd --version | awk '{print $3}' | tr -d ,) on d"
scenarios/make-busybox-image.sh "$WORK/busybox.tar" >/dev/null
mkdir -p "$WORK/d-data" "$WORK/d-exec"
nsenter --net="/run/netns/$(ns d)" dockerd --data-root "$WORK/d-data" --exec-root "$WORK/d-exec" \
    --pidfile "$WORK/docker.pid" -H "unix://$WORK/docker.sock" > "$WORK/dockerd.log" 2>&1 &
DOCKERD_PID=$!
for _ in $(seq 1 240); do
    dock info >/dev/null 2>&1 && break
    kill -0 "$DOCKERD_PID" 2>/dev/null || { tail -20 "$WORK/dockerd.log"; exit 1; }
    sleep 0.5
done
dock import "$WORK/busybox.tar" busybox:latest >/dev/null
dock network create -d macvlan -o parent=eth0 --subnet 10.103.0.0/24 dmac >/dev/null
dock network create -d bridge --subnet 10.104.0.0/24 dbr >/dev/null
dock run -d --name dc --network dbr busybox sleep 36000 >/dev/null

pair() { # case -> "connect disconnect" ms
    case $1 in
        global) "$PYTHON" "$API" pairs "$(sock a)" gmac s0 1 ;;
        local) "$PYTHON" "$API" pairs "$(sock a)" lmac s0 1 ;;
        bridge) "$PYTHON" "$API" pairs "$(sock a)" lbr s0 1 ;;
        docker) "$PYTHON" "$API" pairs "$WORK/docker.sock" dmac dc 1 ;;
    esac
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== case 1: $ROUNDS rounds of connect + disconnect, order rotated (load average $LOAD_START)"
CASES=(global local bridge docker)
: > "$WORK/pairs.txt"
for r in $(seq 1 "$ROUNDS"); do
    for k in 0 1 2 3; do
        c=${CASES[$(( (k + r) % 4 ))]}
        echo "$c $(pair "$c")" | tee -a "$WORK/pairs.txt"
    done
done

echo "== case 2: allocation throughput, $COUNT connects per host, 16 in flight"
for h in a b c; do "$PYTHON" "$API" sandboxes "$(sock "$h")" "t$h" "$COUNT"; done
api_post a /networks/create "$(net_json alone macvlan global 10.110.0.0/22)"
api_post a /networks/create "$(net_json contend macvlan global 10.112.0.0/22)"
for h in b c; do
    for _ in $(seq 1 100); do curl -sf --unix-socket "$(sock "$h")" http://localhost/v1.41/networks/contend >/dev/null && break; sleep 0.1; done
done
start=$(( $(date +%s%N) + 500000000 ))
"$PYTHON" "$API" burst "$(sock a)" alone ta "$COUNT" 16 "$start" > "$WORK/alone.txt"
# Disconnected again (untimed), so the contended phase starts from the same sandboxes.
for i in $(seq 0 $((COUNT - 1))); do
    curl -s -o /dev/null --unix-socket "$(sock a)" -X POST -H 'Content-Type: application/json' -d "{\"Container\":\"ta$i\"}" http://localhost/v1.41/networks/alone/disconnect
done
start=$(( $(date +%s%N) + 1000000000 ))
BURSTS=()
for h in a b c; do
    "$PYTHON" "$API" burst "$(sock "$h")" contend "t$h" "$COUNT" 16 "$start" > "$WORK/contend-$h.txt" &
    BURSTS+=($!)
done
wait "${BURSTS[@]}"
keys=$(etcdctl_e get /netstack/ipam/GlobalDefault/addresses/10.112.0.0-22/ --prefix --keys-only | grep -c . || true)
distinct=$(etcdctl_e get /netstack/ipam/GlobalDefault/addresses/10.112.0.0-22/ --prefix --keys-only | grep . | sort -u | wc -l)

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
"$PYTHON" - "$WORK" "$COUNT" "$keys" "$distinct" "$LOAD_START" "$LOAD_END" <<'PY'
import statistics, sys
work, count, keys, distinct, load0, load1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
rows = {}
for line in open(f"{work}/pairs.txt"):
    case, c, d = line.split()
    rows.setdefault(case, []).append((float(c), float(d)))
print()
print(f"connect + disconnect, median of {len(rows['global'])} rounds (ms)   load {load0} -> {load1}")
print(f"{'case':<8} {'connect':>9} {'disconnect':>11} {'sum':>9} {'vs local':>9}")
local_sum = statistics.median(c + d for c, d in rows["local"])
for case in ("global", "local", "bridge", "docker"):
    c = statistics.median(x for x, _ in rows[case]); d = statistics.median(y for _, y in rows[case])
    s = statistics.median(x + y for x, y in rows[case])
    print(f"{case:<8} {c:>9.1f} {d:>11.1f} {s:>9.1f} {s / local_sum:>8.2f}x")
g = statistics.median(x + y for x, y in rows["global"])
print(f"global / local = {g / local_sum:.2f} (target <= 2.00); global / docker macvlan = {g / statistics.median(x + y for x, y in rows['docker']):.2f}")

def burst(path):
    ok, failed, first, last = open(path).read().split()
    return int(ok), int(failed), int(first), int(last)
ok, failed, first, last = burst(f"{work}/alone.txt")
print()
print(f"allocation: one host alone      {ok} ok, {failed} failed in {(last - first) / 1e9:.2f} s = {ok / ((last - first) / 1e9):.0f} connects/s")
total_ok = total_failed = 0; firsts = []; lasts = []
for h in "abc":
    ok, failed, first, last = burst(f"{work}/contend-{h}.txt")
    total_ok += ok; total_failed += failed; firsts.append(first); lasts.append(last)
    print(f"            host {h} contending   {ok} ok, {failed} failed in {(last - first) / 1e9:.2f} s = {ok / ((last - first) / 1e9):.0f} connects/s")
span = (max(lasts) - min(firsts)) / 1e9
print(f"            three hosts at once {total_ok} ok, {total_failed} failed in {span:.2f} s = {total_ok / span:.0f} connects/s in all")
print(f"            etcd holds {keys} address keys ({distinct} distinct) for {total_ok} endpoints + 1 gateway: {'OK' if keys == distinct == total_ok + 1 else 'MISMATCH'}")
if keys != distinct or keys != total_ok + 1:
    sys.exit(1)
PY
