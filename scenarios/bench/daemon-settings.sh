#!/usr/bin/env bash
# netstackd's runtime settings, measured: for each variant (a set of DOTNET_* environment variables),
# start netstackd in a throwaway namespace host, time spawn to the first /_ping answer, do a little
# work (a network, two sandboxes connected and removed), wait, and read its VmRSS. Variants
# alternate round by round; medians over the rounds.
#
#   scenarios/bench/daemon-settings.sh [rounds, default 5]
#
# NETSTACKD=PATH measures another build (default: the Release build output); ONLY=REGEX keeps the
# variants whose name matches (e.g. ONLY='^(default|no-w\^x)$'). Everything is removed
# on exit, failure included: the daemon (by pid), the namespace, the temp dir.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS="${1:-5}"
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 ]] || { echo "rounds must be a positive integer, got '$ROUNDS'" >&2; exit 2; }
if [[ $(id -u) -ne 0 ]]; then echo "daemon-settings.sh needs root (namespaces)" >&2; exit 1; fi
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
WAIT_PING=$PWD/scenarios/bench/run-helpers/wait-ping.py
if [[ -z ${NETSTACKD:-} ]]; then
    dotnet build src/Netstack.Daemon -c Release -nologo -clp:ErrorsOnly >/dev/null
    NETSTACKD=$PWD/src/Netstack.Daemon/bin/Release/net10.0/netstackd
fi
dotnet build src/Netstack.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
CLI=$PWD/src/Netstack.Cli/bin/Release/net10.0/netstack

NS="nst-dset-$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
WORK=$(mktemp -d /tmp/netstack-dset.XXXXXX)
SOCK=$WORK/netstack.sock
PID=""
cleanup() {
    set +e
    if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" 2>/dev/null; fi
    grep -o " $WORK[^ ]*" /proc/self/mountinfo | sort -ru | while read -r m; do umount -l "$m" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ip netns add "$NS"
ip -n "$NS" link set lo up

# name|environment (space-separated VAR=VALUE; "-" for none)
VARIANTS=(
    "default|-"
    "no-concurrent-gc|DOTNET_gcConcurrent=0"
    "no-tiered-pgo|DOTNET_TieredPGO=0"
    "conserve-memory|DOTNET_GCConserveMemory=5"
    "lean|DOTNET_gcConcurrent=0 DOTNET_TieredPGO=0 DOTNET_GCConserveMemory=5"
    "server-gc|DOTNET_gcServer=1"
    "no-w^x|DOTNET_EnableWriteXorExecute=0"
    "no-tiering|DOTNET_TieredCompilation=0"
    "gen0-4m|DOTNET_GCgen0size=0x400000"
)

: > "$WORK/results.txt"
if [[ -n ${ONLY:-} ]]; then
    kept=()
    for v in "${VARIANTS[@]}"; do [[ ${v%%|*} =~ $ONLY ]] && kept+=("$v"); done
    VARIANTS=("${kept[@]}")
fi
for r in $(seq 1 "$ROUNDS"); do
    for v in "${VARIANTS[@]}"; do
        name=${v%%|*}; envs=${v#*|}; [[ $envs == - ]] && envs=""
        # A fresh state each start (the exec root holds netns mounts; cleanup unmounts them all).
        dir=$WORK/$r-$name; rm -f "$SOCK"
        t0=$EPOCHREALTIME
        # shellcheck disable=SC2086
        env $envs nsenter --net="/run/netns/$NS" "$NETSTACKD" --root "$dir/root" --exec-root "$dir/exec" \
            -H "unix://$SOCK" > "$WORK/netstackd.log" 2>&1 &
        PID=$!
        t1=$("$PYTHON" "$WAIT_PING" "$SOCK" 120) || { tail -20 "$WORK/netstackd.log"; exit 1; }
        start=$(awk -v a="${t0/./}000" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
        "$CLI" -H "unix://$SOCK" network create --subnet 10.80.0.0/24 dset >/dev/null
        for k in 1 2; do
            "$CLI" -H "unix://$SOCK" sandbox create "dset-$k" >/dev/null
            "$CLI" -H "unix://$SOCK" network connect dset "dset-$k"
        done
        "$CLI" -H "unix://$SOCK" network ls >/dev/null
        "$CLI" -H "unix://$SOCK" sandbox rm dset-1 dset-2 >/dev/null
        "$CLI" -H "unix://$SOCK" network rm dset >/dev/null
        sleep 5
        rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$PID/status")
        threads=$(awk '/^Threads:/ { print $2 }' "/proc/$PID/status")
        kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=""
        echo "$name $start $rss $threads" | tee -a "$WORK/results.txt"
    done
done

echo
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $ROUNDS rounds; medians"
echo "| variant | environment | start to first answer | RSS after work (idle) | threads |"
echo "|---|---|---|---|---|"
for v in "${VARIANTS[@]}"; do
    name=${v%%|*}; envs=${v#*|}
    awk -v n="$name" -v e="$envs" '$1 == n { s[++k] = $2; m[k] = $3; t[k] = $4 }
        function med(a, k,   i, j, x) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
            return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
        END { printf "| %s | `%s` | %.0f ms | %.1f MB | %d |\n", n, e, med(s, k), med(m, k), med(t, k) }' "$WORK/results.txt"
done
