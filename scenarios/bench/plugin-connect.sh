#!/usr/bin/env bash
# Docker plugin benchmark: `docker network connect` + `docker network disconnect` of one running
# container, on a network served by netstackd's plugin (-d netstack --ipam-driver netstack) against
# one on Docker's own bridge driver, same dockerd, same container, same run.
#
#   scenarios/bench/plugin-connect.sh [rounds, default 20]
#
# Each round times, as wall clock around the docker CLI calls, connect then disconnect on each
# network; which network goes first alternates, so load changes on the machine hit both alike.
# The container lives on a third (Docker bridge) network so it keeps running between rounds.
# One throwaway namespace host holds netstackd and dockerd (nsenter --net). dockerd finds plugins
# only in /run/docker/plugins, so it runs in a private mount namespace with a tmpfs over /run and
# the work dir's plugins/ bound there: the machine's /run is not touched. Docker keeps its defaults
# otherwise (iptables, no userland-proxy change), inside that namespace. Everything is removed on
# exit, failure included: containers, networks, both daemons (by pid), the namespace, the temp dir.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS="${1:-20}"
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 ]] || { echo "rounds must be a positive integer, got '$ROUNDS'" >&2; exit 2; }
if [[ $(id -u) -ne 0 ]]; then echo "plugin-connect.sh needs root (namespaces, dockerd)" >&2; exit 1; fi
for tool in dockerd docker nsenter unshare ip; do
    command -v "$tool" >/dev/null || { echo "missing $tool (NETSTACK_WITH_DOCKER=1 scenarios/install-deps.sh installs it)" >&2; exit 1; }
done

SUFFIX=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
NS="nst-plgb-$SUFFIX"
WORK=$(mktemp -d /tmp/nst-plgb.XXXXXX)
NSOCK=$WORK/netstack.sock
DSOCK=$WORK/docker.sock
NETSTACKD_PID=""
DOCKERD_PID=""

dock() { docker -H "unix://$DSOCK" "$@"; }

cleanup() {
    set +e
    if [[ -n $DOCKERD_PID ]] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
        for c in $(dock ps -a -q 2>/dev/null); do dock rm -f "$c" >/dev/null 2>&1; done
        for n in pb-plugin pb-bridge pb-base; do dock network rm "$n" >/dev/null 2>&1; done
        kill -TERM "$DOCKERD_PID"
        for _ in $(seq 1 60); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$DOCKERD_PID" 2>/dev/null
    fi
    if [[ -n $NETSTACKD_PID ]] && kill -0 "$NETSTACKD_PID" 2>/dev/null; then
        kill -TERM "$NETSTACKD_PID"
        for _ in $(seq 1 60); do kill -0 "$NETSTACKD_PID" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$NETSTACKD_PID" 2>/dev/null
    fi
    if [[ -d $WORK ]]; then
        grep -o " $WORK[^ ]*" /proc/self/mountinfo | sort -ru | while read -r m; do umount -l "$m" 2>/dev/null; done
    fi
    ip netns del "$NS" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== build (Release)"
dotnet build src/Netstack.Daemon -c Release -nologo -clp:ErrorsOnly >/dev/null
NETSTACKD=$PWD/src/Netstack.Daemon/bin/Release/net10.0/netstackd

echo "== host $NS"
ip netns add "$NS"
ip -n "$NS" link set lo up
mkdir -p "$WORK/plugins" "$WORK/d-data" "$WORK/d-exec"
scenarios/make-busybox-image.sh "$WORK/busybox.tar" >/dev/null

echo "== netstackd (plugin socket $WORK/plugins/netstack.sock)"
nsenter --net="/run/netns/$NS" "$NETSTACKD" --root "$WORK/ns-root" --exec-root "$WORK/ns-exec" \
    -H "unix://$NSOCK" --plugin-socket "$WORK/plugins/netstack.sock" --dns 127.0.0.1 > "$WORK/netstackd.log" 2>&1 &
NETSTACKD_PID=$!
for _ in $(seq 1 300); do
    [[ -S $WORK/plugins/netstack.sock ]] && break
    kill -0 "$NETSTACKD_PID" 2>/dev/null || { cat "$WORK/netstackd.log"; exit 1; }
    sleep 0.2
done

echo "== dockerd $(dockerd --version | awk '{print $3}' | tr -d ,)"
nsenter --net="/run/netns/$NS" unshare --mount --propagation private sh -c \
    "mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -p /run/docker/plugins && mount --bind $WORK/plugins /run/docker/plugins && exec dockerd --data-root $WORK/d-data --exec-root $WORK/d-exec --pidfile $WORK/docker.pid -H unix://$DSOCK --bridge=none --storage-driver=vfs" \
    > "$WORK/dockerd.log" 2>&1 &
DOCKERD_PID=$!
for _ in $(seq 1 240); do
    dock info >/dev/null 2>&1 && break
    kill -0 "$DOCKERD_PID" 2>/dev/null || { tail -20 "$WORK/dockerd.log"; exit 1; }
    sleep 0.5
done
dock info >/dev/null || { tail -20 "$WORK/dockerd.log"; echo "dockerd did not start" >&2; exit 1; }
dock import "$WORK/busybox.tar" busybox:latest >/dev/null
dock network create -d bridge --subnet 10.70.0.0/24 pb-base >/dev/null
dock network create -d bridge --subnet 10.71.0.0/24 pb-bridge >/dev/null
dock network create -d netstack --ipam-driver netstack --subnet 10.72.0.0/24 pb-plugin >/dev/null
dock run -d --name pb --network pb-base busybox sleep 3600 >/dev/null

now_ns() { local t=$EPOCHREALTIME; echo "${t/./}000"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }

round() { # network -> prints "connect_ms disconnect_ms"
    local t0 t1 t2
    t0=$(now_ns)
    dock network connect "$1" pb
    t1=$(now_ns)
    dock network disconnect "$1" pb
    t2=$(now_ns)
    echo "$(ms "$t0" "$t1") $(ms "$t1" "$t2")"
}

# One untimed round each: the first connect pays for plugin activation and cold caches.
round pb-plugin >/dev/null
round pb-bridge >/dev/null

echo "== $ROUNDS rounds, alternating (load average $(cut -d' ' -f1-3 /proc/loadavg))"
: > "$WORK/results.txt"
for i in $(seq 1 "$ROUNDS"); do
    if (( i % 2 )); then order=(pb-plugin pb-bridge); else order=(pb-bridge pb-plugin); fi
    for net in "${order[@]}"; do
        v=$(round "$net"); echo "$net $v" | tee -a "$WORK/results.txt"
    done
done

echo "== median ms (connect, disconnect, both) over $ROUNDS rounds"
for net in pb-plugin pb-bridge; do
    grep "^$net " "$WORK/results.txt" | awk -v n="$net" '
        { c[NR] = $2; d[NR] = $3; s[NR] = $2 + $3 }
        function median(a, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
        END { printf "%-10s connect %7.1f  disconnect %7.1f  both %7.1f\n", n, median(c, NR), median(d, NR), median(s, NR) }'
done
