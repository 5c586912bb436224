#!/usr/bin/env bash
# The long fuzz run: every parser's property/fuzz test of the normal test run, with many more
# inputs (NETSTACK_FUZZ_ITERATIONS, default 1,000,000 per test; seeds fixed, so a failure repeats).
# Usage: scenarios/fuzz/run.sh [ITERATIONS]   (no root needed; nothing leaves the machine)
# Writes each test's output to a log directory (FUZZ_LOGS, default a temp dir it prints) and ends
# non-zero if any test failed: the failing input is printed in hex in the test's message.
set -euo pipefail
cd "$(dirname "$0")/../.."
iterations="${1:-1000000}"
logs="${FUZZ_LOGS:-$(mktemp -d /tmp/nst-fuzz-XXXXXX)}"
mkdir -p "$logs"

dotnet build Netstack.sln -c Release -nologo -clp:ErrorsOnly

# project|test filter: the parsers that take outside input.
cases=(
  "tests/Netstack.Api.Tests|FullyQualifiedName~ApiInputFuzzTests"
  "tests/Netstack.Api.Tests|FullyQualifiedName~PluginValidationTests"
  "tests/Netstack.Dns.Tests|FullyQualifiedName~DnsCodecFuzzTests"
  "tests/Netstack.Gossip.Tests|FullyQualifiedName~RobustnessTests.Thousands"
  "tests/Netstack.Linux.Tests|FullyQualifiedName~NetlinkFuzzTests"
  "tests/Netstack.Runtime.Tests|FullyQualifiedName~StateFileFuzzTests"
  "tests/Netstack.Drivers.Overlay.Tests|FullyQualifiedName~PeerRecordCodecTests"
)
failed=0
for c in "${cases[@]}"; do
  project="${c%%|*}"
  filter="${c#*|}"
  name="$(basename "$project").${filter#*~}"
  start=$(date +%s)
  if NETSTACK_FUZZ_ITERATIONS="$iterations" dotnet test "$project" -c Release --no-build --filter "$filter" \
      --logger "console;verbosity=detailed" > "$logs/$name.log" 2>&1; then
    result=passed
  else
    result=FAILED
    failed=1
  fi
  printf '%-70s %s in %ss\n' "$name" "$result" "$(( $(date +%s) - start ))"
  grep -hE '^ *[0-9]+ (bodies|queries|datagrams|messages|records|stat lines):' "$logs/$name.log" | sed 's/^ */    /' || true
done
echo "logs: $logs"
exit "$failed"
