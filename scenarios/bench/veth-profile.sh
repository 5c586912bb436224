#!/usr/bin/env bash
# Where the kernel spends the time of a bulk delete of N bridged veth pairs: builds the benchmark's
# topology with `ip -batch` in throwaway namespaces (nst-prof-*), then runs `perf record -g` on
# `ip link del group`, plain and with the bridge taken down first, and prints the top of each
# profile (children view, kernel symbols). Needs perf (Debian: linux-perf); not part of CI.
# Usage: scenarios/bench/veth-profile.sh [pairs, default 1000]
set -euo pipefail
pairs=${1:-1000}
command -v perf >/dev/null || { echo "perf is not installed (Debian: apt-get install linux-perf)" >&2; exit 2; }
work=$(mktemp -d)
host=nst-prof-$$-h
peer=nst-prof-$$-p
cleanup() {
    ip netns del "$host" 2>/dev/null || true
    ip netns del "$peer" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

profile() { # $1 = label, $2 = 1 to take the bridge down first
    ip netns add "$host"
    ip netns add "$peer"
    ip -n "$host" link add br0 up type bridge
    : > "$work/add"
    : > "$work/up"
    for i in $(seq 1 "$pairs"); do
        echo "link add v$i group 77 up master br0 type veth peer name p$i netns $peer" >> "$work/add"
        echo "link set p$i up" >> "$work/up"
    done
    ip -n "$host" -batch "$work/add"
    ip -n "$peer" -batch "$work/up"
    sleep 2 # let linkwatch and IPv6 autoconfiguration finish, as the benchmark does
    local start end
    start=$(date +%s%N)
    [ "$2" = 1 ] && ip -n "$host" link set br0 down
    perf record -q -o "$work/perf.data" -g -- ip -n "$host" link del group 77 2>/dev/null
    end=$(date +%s%N)
    echo "== $1: $(( (end - start) / 1000000 )) ms wall (perf adds some)"
    perf report -i "$work/perf.data" --children --stdio -g none 2>/dev/null \
        | grep -E '\[k\]' | grep -vE 'syscall|sys_sendmsg|netlink_(rcv_skb|sendmsg|unicast)|libc' | awk 'NR <= 25'
    ip netns del "$host"
    ip netns del "$peer"
}

profile "plain group delete" 0
profile "bridge down first" 1
