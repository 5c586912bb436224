#!/usr/bin/env bash
# Installs the Debian packages Netstack's demo, tests and benchmarks need. Idempotent: packages
# already present are not fetched again. Needs root (CI and the lab machines run as root).
set -euo pipefail

# libpcap0.8: netstack debug capture (SharpPcap); tshark: the capture tests read our pcap files back with it.
# miniupnpd (nftables backend) plays the home router in the upstream port-mapping tests; nftables'
# nft loads its tables inside the router namespace only (the package's service stays disabled).
packages=(iproute2 curl iptables runc busybox-static etcd-server etcd-client dnsutils dnsperf iperf3 libpcap0.8 tshark zlib1g-dev miniupnpd nftables)
# The netstack CLI is published Native AOT: the ILCompiler links with clang (any clang-NN it finds).
if ! compgen -c clang | grep -qE '^clang(-[0-9]+)?$'; then
    packages+=(clang)
fi
if [[ "${NETSTACK_WITH_VAGRANT:-0}" == 1 ]]; then
    packages+=(vagrant)
fi
if [[ "${NETSTACK_WITH_DOCKER:-0}" == 1 ]]; then
    packages+=(docker.io)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
