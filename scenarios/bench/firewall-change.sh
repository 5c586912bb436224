#!/usr/bin/env bash
# One firewall change (publish one port, remove it) on the iptables and the nftables backend, same
# run, alternating order, each round in throwaway namespaces (nst-bench-fw-*) deleted afterwards.
# Usage: scenarios/bench/firewall-change.sh [rounds, default 5] [changes per round, default 20] [networks, default 50]
set -euo pipefail
cd "$(dirname "$0")/../.."

cleanup() {
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^nst-bench-fw-' || true); do
        ip netns del "$ns" 2>/dev/null || true
    done
}
trap cleanup EXIT

dotnet build scenarios/bench/Netstack.Bench.Firewall -c Release -nologo -clp:ErrorsOnly >/dev/null
uptime
dotnet scenarios/bench/Netstack.Bench.Firewall/bin/Release/net10.0/Netstack.Bench.Firewall.dll "$@"
uptime
