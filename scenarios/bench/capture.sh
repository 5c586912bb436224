#!/usr/bin/env bash
# Capture on a busy interface: iperf3 at full speed between two sandboxes of a bridge network,
# with nothing capturing, with `netstack debug capture` writing a pcap file, and with Wireshark's
# dumpcap (the reference, same interface, same snapshot length, same file system) in the same run.
# See README-capture.md.
#
#   scenarios/bench/capture.sh [runs per case, default 5]
#
# One namespace host (nst-capb<id>-h) runs netstackd; network `cap` (10.88.0.0/24), sandboxes s1
# and s2. iperf3 -s in s2, iperf3 -c from s1 for IPERF_SECONDS (default 5). Cases, in an order that
# rotates every run:
#   none      iperf3 alone
#   netstack  netstack debug capture s1 -s SNAPLEN -w FILE --duration (iperf3 + 6 s)
#   dumpcap   dumpcap -i eth0 -s SNAPLEN -w FILE -a duration:(iperf3 + 6) inside s1's namespace
# SNAPLEN is 128 (headers; what one captures on a busy link); FULL=1 adds a netstack and a dumpcap
# case with whole frames (262144, tcpdump's default). For each capture: frames written (capinfos), the kernel's counters
# (received by the filter, dropped because the buffer was full) and, for netstack, what it read.
# Everything is removed on exit, failure included (daemon by pid, namespaces, work dir).
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS="${1:-5}"
[[ $RUNS =~ ^[0-9]+$ && $RUNS -ge 1 ]] || { echo "runs must be a positive integer, got '$RUNS'" >&2; exit 2; }
IPERF_SECONDS=${IPERF_SECONDS:-5}
SNAPLEN=${SNAPLEN:-128}
if [[ $(id -u) -ne 0 ]]; then echo "capture.sh needs root (namespaces, packet sockets)" >&2; exit 1; fi
for tool in iperf3 dumpcap capinfos nsenter ip python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool (scenarios/install-deps.sh installs it)" >&2; exit 1; }
done

ID=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
H="nst-capb$ID-h"
WORK=$(mktemp -d /tmp/nst-capb.XXXXXX)
DAEMON_PID=""
nst() { "$CLI" -H "unix://$WORK/sock" "$@"; }
step() { echo "== $*" >&2; }

stop_pid() { # pid: TERM, wait up to 30 s, KILL
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in $(seq 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null
}
cleanup() {
    set +e
    if [[ -n $DAEMON_PID ]]; then
        nst sandbox rm s1 s2 >/dev/null 2>&1
        nst network rm cap >/dev/null 2>&1
        stop_pid "$DAEMON_PID"
    fi
    grep -o " $WORK[^ ]*" /proc/self/mountinfo | sort -ru | while read -r m; do umount -l "$m" 2>/dev/null; done
    ip netns delete "$H" 2>/dev/null
    if [[ -n ${KEEP_LOGS:-} ]]; then mkdir -p "$KEEP_LOGS"; cp "$WORK"/log "$WORK/results.txt" "$KEEP_LOGS/" 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

step "build"
dotnet build src/Netstack.Daemon -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build src/Netstack.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
NETSTACKD=$PWD/src/Netstack.Daemon/bin/Release/net10.0/netstackd
# NETSTACKD_AOT=DIR: the Native AOT netstackd published there (`dotnet publish src/Netstack.Daemon -r linux-x64 -o DIR`).
[[ -n ${NETSTACKD_AOT:-} ]] && NETSTACKD=$NETSTACKD_AOT/netstackd
CLI=$PWD/src/Netstack.Cli/bin/Release/net10.0/netstack

step "netstackd on $H, network cap, sandboxes s1 s2"
ip netns add "$H"
ip -n "$H" link set lo up
nsenter --net="/run/netns/$H" "$NETSTACKD" --root "$WORK/root" --exec-root "$WORK/exec" -H "unix://$WORK/sock" --dns 127.0.0.1 >>"$WORK/log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 300); do nst version >/dev/null 2>&1 && break; kill -0 "$DAEMON_PID" || { cat "$WORK/log"; exit 1; }; sleep 0.2; done
nst network create --subnet 10.88.0.0/24 cap >/dev/null
declare -A KEY=()
for s in s1 s2; do
    KEY[$s]=$(nst sandbox create "$s")
    nst network connect cap "$s" >/dev/null
done
S2_IP=$(nsenter --net="${KEY[s2]}" ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1)

iperf() { # -> Gbit/s received, of one IPERF_SECONDS run
    nsenter --net="${KEY[s2]}" iperf3 -s -1 -B "$S2_IP" >/dev/null 2>&1 &
    local server=$!
    for _ in $(seq 50); do nsenter --net="${KEY[s2]}" ss -ltn | grep -q ":5201 " && break; sleep 0.1; done
    nsenter --net="${KEY[s1]}" iperf3 -c "$S2_IP" -t "$IPERF_SECONDS" -J >"$WORK/iperf.json"
    wait "$server" || true
    python3 -c 'import json,sys; print("%.3f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9))' "$WORK/iperf.json"
}

cpu_ticks() { # pid -> user+system clock ticks so far
    awk '{print $14 + $15}' "/proc/$1/stat"
}

wait_for() { # file pattern: until the pattern is in the file (the capture is listening)
    for _ in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}

run_case() { # case -> "gbits written received dropped read"
    local c=$1 file="$WORK/$1.pcap" err="$WORK/$1.err" gbits written received dropped read pid daemon_cpu client_cpu
    rm -f "$file" "$err"
    local duration=$((IPERF_SECONDS + 6))
    case $c in
        none)
            # The daemon's CPU while nothing captures: what it spends anyway (its timers, the others' load).
            local idle_before; idle_before=$(cpu_ticks "$DAEMON_PID")
            gbits=$(iperf)
            daemon_cpu=$(awk -v a="$idle_before" -v b="$(cpu_ticks "$DAEMON_PID")" -v t="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", (b - a) / t}')
            echo "$gbits - - - - - $daemon_cpu"; return ;;
        netstack|netstack-full)
            local snap=$SNAPLEN; [[ $c == netstack-full ]] && snap=262144
            /usr/bin/time -f "cpu %U %S" -o "$WORK/time" "$CLI" -H "unix://$WORK/sock" debug capture s1 -s "$snap" -w "$file" --duration "${duration}s" 2>"$err" &
            pid=$!
            wait_for "$err" "capturing on" ;;
        dumpcap|dumpcap-full)
            local snap=$SNAPLEN; [[ $c == dumpcap-full ]] && snap=262144
            /usr/bin/time -f "cpu %U %S" -o "$WORK/time" nsenter --net="${KEY[s1]}" dumpcap -q -i eth0 -s "$snap" -w "$file" -a "duration:$duration" 2>"$err" &
            pid=$!
            wait_for "$err" "Capturing on" ;;
    esac
    local daemon_before; daemon_before=$(cpu_ticks "$DAEMON_PID")
    gbits=$(iperf)
    wait "$pid"
    # CPU seconds the capture took: the CLI's (or dumpcap's) own, and the daemon's over the case.
    local tick; tick=$(getconf CLK_TCK)
    daemon_cpu=$(awk -v a="$daemon_before" -v b="$(cpu_ticks "$DAEMON_PID")" -v t="$tick" 'BEGIN {printf "%.2f", (b - a) / t}')
    client_cpu=$(awk '/^cpu/ {printf "%.2f", $2 + $3}' "$WORK/time")
    written=$(capinfos -c -M "$file" | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')
    if [[ $c == dumpcap* ]]; then
        # dumpcap: "Packets received/dropped on interface 'eth0': R/D (pcap:D/dumpcap:0/flushed:0/ps_ifdrop:0) (P%)"
        received=$(grep -o "interface 'eth0': [0-9]*/[0-9]*" "$err" | cut -d' ' -f3 | cut -d/ -f1)
        dropped=$(grep -o "interface 'eth0': [0-9]*/[0-9]*" "$err" | cut -d' ' -f3 | cut -d/ -f2)
        read="-"
    else
        received=$(awk '/packets received by filter/ {print $1}' "$err")
        dropped=$(awk '/packets dropped by kernel/ {print $1}' "$err")
        read=$(awk '/packets read from the kernel/ {print $1}' "$err")
    fi
    [[ $c == dumpcap* ]] && daemon_cpu="-"
    echo "$gbits $written $received $dropped $read $client_cpu $daemon_cpu"
}

CASES=(none netstack dumpcap)
[[ ${FULL:-0} == 1 ]] && CASES+=(netstack-full dumpcap-full)
step "$RUNS runs of ${CASES[*]}, iperf3 ${IPERF_SECONDS}s, snaplen $SNAPLEN, load $(cut -d' ' -f1 /proc/loadavg)"
echo "run case gbits written received dropped read client_cpu daemon_cpu" >"$WORK/results.txt"
for run in $(seq "$RUNS"); do
    n=${#CASES[@]}
    for i in $(seq 0 $((n - 1))); do
        c=${CASES[$(((i + run) % n))]}
        line="$run $c $(run_case "$c")"
        echo "$line" | tee -a "$WORK/results.txt" >&2
    done
done

step "medians (load $(cut -d' ' -f1 /proc/loadavg))"
python3 - "$WORK/results.txt" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[1:]]
by, rounds = {}, {}
for run, case, gbits, written, received, dropped, read, client_cpu, daemon_cpu in rows:
    by.setdefault(case, []).append((float(gbits), written, received, dropped, read, client_cpu, daemon_cpu))
    rounds.setdefault(run, {})[case] = float(gbits)
base = statistics.median(g for g, *_ in by["none"])
# The machine's speed drifts: each round's cases run back to back, so a case is judged by its
# ratio to the same round's `none`, and the median of those ratios is the figure.
print(f"{'case':14} {'Gbit/s':>8} {'vs none':>8} {'per-round':>9}  ratios per round; CPU s (client, daemon); frames written / kernel received - dropped")
for case, values in by.items():
    med = statistics.median(g for g, *_ in values)
    ratios = [r[case] / r["none"] for r in rounds.values() if case in r and "none" in r]
    losses = []
    for g, written, received, dropped, read, client_cpu, daemon_cpu in values:
        if written == "-":
            losses.append(f"daemon cpu {daemon_cpu}")
            continue
        delivered = int(received) - int(dropped)
        extra = f", read {read}" if read != "-" else ""
        losses.append(f"{written}/{received}-{dropped}={delivered}{extra} cpu {client_cpu}/{daemon_cpu}")
    print(f"{case:14} {med:8.2f} {med / base:8.3f} {statistics.median(ratios):9.3f}  {' '.join(f'{x:.2f}' for x in ratios)}; {'; '.join(losses)}")
lost = [(c, r) for c, vs in by.items() if c.startswith("netstack") for r in vs if r[1] != "-" and int(r[1]) != int(r[2]) - int(r[3])]
print("netstack lost frames the kernel delivered:", "none" if not lost else lost)
EOF
