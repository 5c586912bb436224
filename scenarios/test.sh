#!/usr/bin/env bash
# Installs what the tests need, builds everything and runs every test: unit tests and the
# privileged tests on real network namespaces (root). This is the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

# docker.io: the plugin tests run a stock dockerd, and Debian's 20.10 client is tested next to the v28 one.
NETSTACK_WITH_VAGRANT=1 NETSTACK_WITH_DOCKER=1 scenarios/install-deps.sh

# The VM lab cannot boot here (no hypervisor), so its Vagrantfile is checked instead.
vagrant_state="$(mktemp -d)"
VAGRANT_DOTFILE_PATH="$vagrant_state" vagrant validate --ignore-provider
rm -rf "$vagrant_state"
dotnet build Netstack.sln -c Release -nologo -clp:ErrorsOnly
# netstackd as it ships, a Native AOT binary: the privileged tests start it (NETSTACK_TEST_NETSTACKD).
rid=linux-$(case $(uname -m) in aarch64) echo arm64 ;; *) echo x64 ;; esac)
dotnet publish src/Netstack.Daemon -c Release -r "$rid" -nologo -clp:ErrorsOnly
NETSTACK_TEST_NETSTACKD="$PWD/src/Netstack.Daemon/bin/Release/net10.0/$rid/publish/netstackd" \
    dotnet test Netstack.sln -c Release --no-build -nologo --logger "console;verbosity=normal" -- RunConfiguration.TreatNoTestsAsError=false
# Every privileged test once more with the daemon and the bridge driver on the nftables backend
# (--firewall-backend nftables; the run above is iptables). This pass starts the JIT build output
# of netstackd, so the development build runs the whole privileged suite too.
NETSTACK_TEST_FIREWALL_BACKEND=nftables dotnet test tests/Netstack.Privileged.Tests -c Release --no-build -nologo --logger "console;verbosity=normal"

scenarios/check-leftovers.sh
