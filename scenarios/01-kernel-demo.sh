#!/usr/bin/env bash
# Kernel-layer demo: Netstack's own
# rtnetlink layer builds namespaces A and B joined by a bridge in a third "host" namespace, with
# veth pairs whose peers are created directly inside A and B; then A and B ping each other.
# Everything lives in namespaces named nst-demo-<pid>-*, removed on exit, failure included.
set -euo pipefail
cd "$(dirname "$0")/.."

scenarios/install-deps.sh
dotnet build scenarios/bench/Netstack.Bench.Veth -c Release -nologo -clp:ErrorsOnly >/dev/null
demo=(dotnet scenarios/bench/Netstack.Bench.Veth/bin/Release/net10.0/Netstack.Bench.Veth.dll demo)
prefix="nst-demo-$$"

trap '"${demo[@]}" down "$prefix"' EXIT

"${demo[@]}" up "$prefix"

# ping comes from busybox-static when iputils is not installed.
if command -v ping >/dev/null; then ping=(ping); else ping=(busybox ping); fi
echo
echo "ip -n $prefix-host link show master br-demo:"
ip -br -n "$prefix-host" link show master br-demo
echo
echo "$prefix-a (10.88.0.2) -> $prefix-b (10.88.0.3):"
ip netns exec "$prefix-a" "${ping[@]}" -c1 -W2 10.88.0.3
echo
echo "$prefix-b (10.88.0.3) -> $prefix-a (10.88.0.2):"
ip netns exec "$prefix-b" "${ping[@]}" -c1 -W2 10.88.0.2
echo
echo "demo: ok"
