#!/usr/bin/env bash
# Gossip simulation benchmark: 10, 100 and 1,000 nodes at 0 % and 10 % datagram loss, all running
# the production Netstack.Gossip code on one fake clock and an in-memory network (no sockets, no
# root, nothing leaves the process). Prints a Markdown table; see README-gossip.md for the figures.
#
#   scenarios/bench/gossip-sim.sh                      # full table (about 3-4 minutes on 2 cores)
#   scenarios/bench/gossip-sim.sh --nodes 10,100       # smaller run
#   scenarios/bench/gossip-sim.sh --seed 7 --entries 9 # other seed, more samples
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
project="$root/scenarios/bench/Netstack.Bench.Gossip"

dotnet build "$project" -c Release --nologo -v quiet >/dev/null
exec dotnet "$project/bin/Release/net10.0/Netstack.Bench.Gossip.dll" "$@"
