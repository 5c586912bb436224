#!/usr/bin/env bash
# Installs what the tests need, builds everything and runs every test: unit tests and the
# privileged tests on real network namespaces (root). This is the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

scenarios/install-deps.sh
dotnet build Netstack.sln -c Release -nologo -clp:ErrorsOnly
dotnet test Netstack.sln -c Release --no-build -nologo --logger "console;verbosity=normal" -- RunConfiguration.TreatNoTestsAsError=false

scenarios/check-leftovers.sh
