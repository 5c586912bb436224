#!/usr/bin/env bash
# Three netstackd daemons on three namespace hosts form a gossip cluster (SWIM over UDP/TCP 7946,
# AES-GCM with a shared key). Hosts nst-g<pid>-a/b/c sit on one LAN: veth pairs into a bridge in a
# fourth namespace nst-g<pid>-lan, addresses 10.77.0.1-3/24. b and c join a. Then: c is killed
# (kill -9), a and b mark it failed; c restarts on the same data and is alive again; a daemon d
# with another key cannot join. `netstack node ls` is printed from each host at every step.
# Everything (namespaces, daemons by pid, sockets, temp dirs) is removed on exit, failure included.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $EUID -ne 0 ]]; then echo "run as root (namespaces)" >&2; exit 1; fi
if [[ -z "${NETSTACK_NO_BUILD:-}" ]]; then
    dotnet build src/Netstack.Daemon -nologo -clp:ErrorsOnly >/dev/null
    dotnet build src/Netstack.Cli -nologo -clp:ErrorsOnly >/dev/null
fi
netstackd="$PWD/src/Netstack.Daemon/bin/Debug/net10.0/netstackd"
netstack="$PWD/src/Netstack.Cli/bin/Debug/net10.0/netstack"

prefix="nst-g$$"
lan="$prefix-lan"
work="$(mktemp -d /tmp/nst-g$$.XXXX)"
declare -A pid=()

cleanup() {
    set +e
    for h in "${!pid[@]}"; do
        kill -TERM "${pid[$h]}" 2>/dev/null
    done
    for h in "${!pid[@]}"; do
        # Give each daemon time to leave the cluster, then make sure it is gone.
        for _ in $(seq 50); do kill -0 "${pid[$h]}" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "${pid[$h]}" 2>/dev/null
    done
    for h in a b c d; do ip netns delete "$prefix-$h" 2>/dev/null; done
    ip netns delete "$lan" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# The LAN: both ends of every veth pair are created inside our namespaces.
ip netns add "$lan"
ip -n "$lan" link add br0 type bridge
ip -n "$lan" link set br0 up
n=0
for h in a b c d; do
    n=$((n + 1))
    ip netns add "$prefix-$h"
    ip -n "$lan" link add "v$h" type veth peer name eth0 netns "$prefix-$h"
    ip -n "$lan" link set "v$h" master br0 up
    ip -n "$prefix-$h" addr add "10.77.0.$n/24" dev eth0
    ip -n "$prefix-$h" link set eth0 up
    ip -n "$prefix-$h" link set lo up
done
addr() { case $1 in a) echo 10.77.0.1;; b) echo 10.77.0.2;; c) echo 10.77.0.3;; d) echo 10.77.0.4;; esac; }

head -c 32 /dev/urandom | base64 > "$work/cluster.key"
head -c 32 /dev/urandom | base64 > "$work/wrong.key"

# nsenter --net (not ip netns exec, which adds a private mount namespace); nsenter execs netstackd,
# so $! is the daemon's pid.
start() { # host key [join]
    local h=$1 key=$2 join=${3:-}
    mkdir -p "$work/$h"
    nsenter --net="/run/netns/$prefix-$h" "$netstackd" \
        --root "$work/$h/root" --exec-root "$work/$h/exec" -H "unix://$work/$h/sock" \
        --advertise-addr "$(addr "$h")" --gossip-key-file "$key" ${join:+--join "$join"} \
        >>"$work/$h/log" 2>&1 &
    pid[$h]=$!
    for _ in $(seq 300); do
        "$netstack" -H "unix://$work/$h/sock" version >/dev/null 2>&1 && return 0
        kill -0 "${pid[$h]}" 2>/dev/null || { cat "$work/$h/log"; return 1; }
        sleep 0.2
    done
    echo "netstackd on $h did not answer" >&2; return 1
}
ls_nodes() { "$netstack" -H "unix://$work/$1/sock" node ls "${@:2}"; }
# Polls `node ls --format json` (one member per line) until COUNT lines match PATTERN.
wait_for() { # host pattern count what
    local h=$1 pattern=$2 count=$3 what=$4
    for _ in $(seq 240); do
        if [[ $(ls_nodes "$h" --format json | grep -c -- "$pattern" || true) -eq $count ]]; then return 0; fi
        sleep 0.5
    done
    echo "$h never saw $what" >&2; ls_nodes "$h" >&2; return 1
}
show() { for h in "$@"; do echo "-- netstack node ls on $h ($(addr "$h"))"; ls_nodes "$h"; done; }

echo "== start a, then b and c joining a"
start a "$work/cluster.key"
start b "$work/cluster.key" "$(addr a)"
start c "$work/cluster.key" "$(addr a)"
for h in a b c; do wait_for "$h" '"State":"alive"' 3 "three alive members"; done
show a b c

echo
echo "== kill -9 c (pid ${pid[c]})"
kill -KILL "${pid[c]}"; wait "${pid[c]}" 2>/dev/null || true; unset 'pid[c]'
for h in a b; do wait_for "$h" '"Name":"10.77.0.3".*"State":"failed"' 1 "c failed"; done
show a b

echo
echo "== restart c on the same data"
start c "$work/cluster.key" "$(addr a)"
for h in a b c; do wait_for "$h" '"State":"alive"' 3 "three alive members after the restart"; done
show a b c

echo
echo "== d with another key joins a"
start d "$work/wrong.key" "$(addr a)"
for _ in $(seq 120); do grep -q "none accepted this node" "$work/d/log" && break; sleep 0.5; done
grep "none accepted this node" "$work/d/log" | head -1
show d a
for h in a b c; do
    if ls_nodes "$h" --format json | grep -q '"Name":"10.77.0.4"'; then echo "$h lists d" >&2; exit 1; fi
done
[[ $(ls_nodes d --format json | wc -l) -eq 1 ]] || { echo "d lists others" >&2; exit 1; }
echo
echo "20-gossip-three-hosts: ok"
