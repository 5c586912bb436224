#!/usr/bin/env bash
# 1,000-veth benchmark: Netstack's netlink layer vs `ip -batch` vs one `ip` process per operation,
# each round in throwaway namespaces (nst-bench-*) that are deleted afterwards, failure included.
# Usage: scenarios/bench/veth.sh [--pairs N] [--rounds R] [--ip-rounds R] [--per-op-rounds R]
# One ip process per operation takes about a minute per round here, so it runs one round unless asked.
set -euo pipefail
cd "$(dirname "$0")/../.."

cleanup() {
    # Only the namespaces this benchmark names; ip netns del unmounts and unlinks them.
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^nst-bench-' || true); do
        ip netns del "$ns" 2>/dev/null || true
    done
}
trap cleanup EXIT

scenarios/install-deps.sh
dotnet build scenarios/bench/Netstack.Bench.Veth -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet scenarios/bench/Netstack.Bench.Veth/bin/Release/net10.0/Netstack.Bench.Veth.dll bench "$@"
