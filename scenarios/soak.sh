#!/usr/bin/env bash
# Churn soak: netstackd under concurrent clients for a bounded time, then a check that everything
# it made is gone and the daemon's own resources are back where they started.
#
#   scenarios/soak.sh DURATION [CLIENTS]     DURATION: 90, 90s, 10m or 1h; CLIENTS default 8
#
# The daemon runs in a throwaway "host" network namespace (nsenter --net, as scenarios/demo.sh
# does), with 192.0.2.10/24 on an uplink there: its bridges, veths, iptables rules and resolvers stay
# in that namespace and the machine's own firewall is never touched; no packet leaves the machine
# (the resolvers forward unknown names to 127.0.0.1 inside each sandbox, where nothing listens).
#
# 1. Start netstackd, import busybox (scenarios/make-busybox-image.sh), run the clients for WARMUP
#    seconds (default 120) as a warm-up (so code paths are compiled and pools sized before the
#    baseline), remove what they made, let the daemon idle SETTLE seconds, then take the baseline: the daemon's RSS, open fds and threads; in the host namespace
#    the sandbox namespaces, links, iptables and ip6tables rules and chains, mounts under the
#    daemon's directories, runc containers, the daemon's child processes; the store's keys and
#    file size.
# 2. CLIENTS bash loops, each with the netstack CLI on the daemon's socket, until DURATION passes:
#    create a network; run a container publishing a port (httpd) and a second one; fetch the page
#    through the published port from the host; look the first up by name from the second
#    (nslookup through the sandbox's resolver, via exec); create a second network, connect the
#    second container to it and disconnect it; remove the containers and both networks.
# 3. Remove whatever a failed step left, let the daemon idle (SETTLE seconds, default 20; counts
#    are polled until they are back or the time is up), measure again and print every figure,
#    baseline against after.
#
# Exits 1 when any object leaked (any count above its baseline), when the daemon's RSS is more than
# 10 % above its baseline, when a client step failed, or when the daemon died. Everything is removed
# on exit, failure included: containers, networks, the daemon (by pid), mounts, the namespace, the
# temp directory. Set SOAK_KEEP_LOG=DIR to keep the daemon's and the clients' logs there, SETTLE=SECONDS
# for the idle wait before each measurement, WARMUP=SECONDS for the warm-up.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 DURATION [CLIENTS]   (DURATION: 90, 90s, 10m, 1h)" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
if [[ $1 =~ ^([0-9]+)(s|m|h)?$ ]]; then
    case ${BASH_REMATCH[2]} in
        m) DURATION=$((BASH_REMATCH[1] * 60)) ;;
        h) DURATION=$((BASH_REMATCH[1] * 3600)) ;;
        *) DURATION=${BASH_REMATCH[1]} ;;
    esac
else
    echo "DURATION: '$1' is not a number of seconds, minutes (10m) or hours (1h)" >&2; usage
fi
CLIENTS=${2:-8}
[[ $CLIENTS =~ ^[0-9]+$ && $CLIENTS -ge 1 && $CLIENTS -le 64 ]] || { echo "CLIENTS: '$CLIENTS' must be 1..64" >&2; usage; }
[[ $DURATION -ge 1 ]] || { echo "DURATION: must be at least 1 second" >&2; usage; }
SETTLE=${SETTLE:-20}
WARMUP=${WARMUP:-120}
if [[ $(id -u) -ne 0 ]]; then echo "soak.sh needs root (namespaces, runc, iptables)" >&2; exit 1; fi
for tool in nsenter ip runc iptables-save ip6tables-save curl busybox sqlite3; do
    command -v "$tool" >/dev/null || { echo "missing $tool (scenarios/install-deps.sh installs it)" >&2; exit 1; }
done

SUFFIX=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
HOST=nst-soak-$SUFFIX
HOST_IP=192.0.2.10
DIR=/tmp/$HOST
SOCK=$DIR/netstack.sock
DAEMON_PID=
CLIENT_PIDS=()

# netstackd from the Release build; the CLI as it ships (Native AOT, as demo.sh does).
# SOAK_NO_BUILD=1 takes what an earlier build left (a short run after a long one).
rid=linux-$(case $(uname -m) in aarch64) echo arm64 ;; *) echo x64 ;; esac)
NETSTACKD=$PWD/src/Netstack.Daemon/bin/Release/net10.0/netstackd
CLI=$PWD/src/Netstack.Cli/bin/Release/net10.0/$rid/publish/netstack
if [[ -z ${SOAK_NO_BUILD:-} ]]; then
    echo "== build (Release)"
    dotnet build src/Netstack.Daemon -c Release -nologo -clp:ErrorsOnly >/dev/null
    dotnet publish src/Netstack.Cli -c Release -r "$rid" -nologo -clp:ErrorsOnly >/dev/null
fi
[[ -x $NETSTACKD && -x $CLI ]] || { echo "no build of netstackd or netstack (run without SOAK_NO_BUILD)" >&2; exit 1; }

netstack() { "$CLI" -H "unix://$SOCK" "$@"; }
in_host() { nsenter --net="/run/netns/$HOST" "$@"; }

cleanup() {
    set +e
    for pid in "${CLIENT_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${CLIENT_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    if [[ -n $DAEMON_PID ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then
        remove_all >/dev/null 2>&1
        kill -TERM "$DAEMON_PID"
        for _ in $(seq 1 60); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$DAEMON_PID" 2>/dev/null
        wait "$DAEMON_PID" 2>/dev/null
    fi
    # Containers outlive a killed daemon by design: end them through runc's own state.
    if [[ -d $DIR/exec/runc ]]; then
        for c in "$DIR"/exec/runc/*; do [[ -e $c ]] && runc --root "$DIR/exec/runc" delete --force "$(basename "$c")" 2>/dev/null; done
    fi
    if [[ -n ${SOAK_KEEP_LOG:-} && -d $DIR ]]; then
        mkdir -p "$SOAK_KEEP_LOG" && cp "$DIR"/*.log "$SOAK_KEEP_LOG"/ 2>/dev/null
    fi
    # Mounts under the directory (sandbox namespace files, container root filesystems), deepest first.
    if [[ -d $DIR ]]; then
        grep -o " $DIR[^ ]*" /proc/self/mountinfo | sort -ru | while read -r m; do umount -l "$m" 2>/dev/null; done
    fi
    # The namespace takes its bridges, veths and rules with it.
    ip netns del "$HOST" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Removes every container and every network the clients made (soak-*), whatever state they are in.
remove_all() {
    local ids
    ids=$(netstack ps -a -q 2>/dev/null || true)
    [[ -z $ids ]] || netstack rm -f $ids >/dev/null 2>&1 || true
    local n
    for n in $(netstack network ls 2>/dev/null | awk 'NR > 1 && $2 ~ /^soak-/ { print $2 }'); do
        netstack network rm "$n" >/dev/null 2>&1 || true
    done
}

# One client: rounds of churn until the deadline. Each failed step is written to the client's log
# as "FAIL step: output" and counted; the round goes on to its clean-up.
client() {
    local id=$1 deadline=$2 round=0 log=$DIR/client-$1.log
    step() {
        local name=$1; shift
        local out
        if ! out=$("$@" 2>&1); then
            echo "FAIL round $round $name: $out" >>"$log"
            return 1
        fi
        printf '%s' "$out"
    }
    while [[ $(date +%s) -lt $deadline ]]; do
        round=$((round + 1))
        local net=soak-$id-$round net2=soak-$id-$round-x web=w$id-$round peer=p$id-$round
        # Unique per client and round, away from the ephemeral range: no two clients want the same port.
        local port=$((20000 + id * 500 + round % 500))
        if step "network create" netstack network create "$net" >/dev/null; then
            if step "run web" netstack run -d --name "$web" --network "$net" -p "$port:80" busybox httpd -f -p 80 -h /var/www >/dev/null \
                && step "run peer" netstack run -d --name "$peer" --network "$net" busybox sleep 600 >/dev/null; then
                step "published port" in_host curl -sS --max-time 5 --retry 5 --retry-delay 1 --retry-connrefused -o /dev/null "http://$HOST_IP:$port/" >/dev/null || true
                local answer
                if answer=$(step "nslookup" netstack exec "$peer" nslookup "$web"); then
                    # The name must resolve (an address after the server's own lines).
                    if ! grep -q "^Name:" <<<"$answer"; then
                        echo "FAIL round $round nslookup: no answer for $web: $answer" >>"$log"
                    fi
                fi
                if step "network create 2" netstack network create "$net2" >/dev/null; then
                    step "connect" netstack network connect "$net2" "$peer" >/dev/null \
                        && step "disconnect" netstack network disconnect "$net2" "$peer" >/dev/null || true
                    step "network rm 2" netstack network rm "$net2" >/dev/null || true
                fi
            fi
            step "rm containers" netstack rm -f "$web" "$peer" >/dev/null || true
            step "network rm" netstack network rm "$net" >/dev/null || true
        fi
    done
    echo "$round" >"$DIR/client-$id.result"
}

# name=value lines, one per figure; the daemon's from /proc, the rest from inside the host namespace.
measure() {
    local rss fds threads children f t c
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status")
    # The firewall check runs iptables-save every second (a child, its pipes, a thread waiting for
    # it): the least of a few samples leaves out what only lives for that moment.
    fds=999999 threads=999999 children=999999
    for _ in 1 2 3 4 5; do
        # Assemblies stay mapped once loaded (a code path the warm-up did not take loads one later).
        f=$(find "/proc/$DAEMON_PID/fd" -mindepth 1 -printf '%l\n' 2>/dev/null | grep -vc '\.dll$')
        t=$(awk '/^Threads:/ { print $2 }' "/proc/$DAEMON_PID/status")
        c=$(ps -o pid= --ppid "$DAEMON_PID" | wc -l)
        (( f < fds )) && fds=$f
        (( t < threads )) && threads=$t
        (( c < children )) && children=$c
        sleep 0.2
    done
    # What the descriptors are, for the log directory: a leak shows as a kind that grew.
    find "/proc/$DAEMON_PID/fd" -mindepth 1 -printf '%l\n' 2>/dev/null | sed -E 's/[0-9]+/N/g' | sort | uniq -c | sort -rn >"$DIR/fds.log"
    echo "rss_kib=$rss"
    # The working set right after the daemon's last idle collection (its log line), in MiB.
    echo "rss_collected_mib=$(grep -o 'working set [0-9]* -> [0-9]* MiB' "$DIR/netstackd.log" | tail -1 | awk '{ print $5 }' | grep . || echo 0)"
    echo "assemblies=$(find "/proc/$DAEMON_PID/fd" -mindepth 1 -printf '%l\n' 2>/dev/null | grep -c '\.dll$')"
    echo "fds=$fds"
    echo "threads=$threads"
    echo "children=$children"
    echo "namespaces=$(find "$DIR/exec" -maxdepth 3 -path '*netns*' -type f 2>/dev/null | wc -l)"
    echo "runc_containers=$(runc --root "$DIR/exec/runc" list -q 2>/dev/null | wc -l)"
    echo "links=$(ip -n "$HOST" -o link show | wc -l)"
    echo "ipv4_rules=$(in_host iptables-save | grep -c '^-A' || true)"
    echo "ipv4_chains=$(in_host iptables-save | grep -c '^:' || true)"
    echo "ipv6_rules=$(in_host ip6tables-save | grep -c '^-A' || true)"
    echo "ipv6_chains=$(in_host ip6tables-save | grep -c '^:' || true)"
    echo "mounts=$(grep -c " $DIR" /proc/self/mountinfo || true)"
    echo "store_keys=$(sqlite3 -readonly "file:$DIR/root/netstack.db?mode=ro" 'select count(*) from kv' 2>/dev/null || echo -1)"
    echo "store_db_bytes=$(stat -c %s "$DIR/root/netstack.db" 2>/dev/null || echo 0)"
    echo "store_wal_bytes=$(stat -c %s "$DIR/root/netstack.db-wal" 2>/dev/null || echo 0)"
}

value() { grep "^$1=" <<<"$2" | cut -d= -f2; }

echo "== host namespace $HOST ($HOST_IP/24 on an uplink)"
mkdir -p "$DIR"
ip netns add "$HOST"
ip -n "$HOST" link set lo up
ip -n "$HOST" link add uplink type veth peer name uplink-peer
ip -n "$HOST" addr add "$HOST_IP/24" dev uplink
ip -n "$HOST" link set uplink up
ip -n "$HOST" link set uplink-peer up

echo "== netstackd -H unix://$SOCK"
# nsenter execs netstackd, so $! is the daemon's pid (a shell function here would put a subshell between).
nsenter --net="/run/netns/$HOST" "$NETSTACKD" --root "$DIR/root" --exec-root "$DIR/exec" -H "unix://$SOCK" --dns 127.0.0.1 >"$DIR/netstackd.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 1 300); do
    netstack version >/dev/null 2>&1 && break
    kill -0 "$DAEMON_PID" 2>/dev/null || { cat "$DIR/netstackd.log"; exit 1; }
    sleep 0.2
done
netstack version >/dev/null

scenarios/make-busybox-image.sh "$DIR/busybox.tar" >/dev/null
netstack image import "$DIR/busybox.tar" busybox >/dev/null

echo "== warm-up: $CLIENTS clients for ${WARMUP}s"
# The same churn, not measured: code paths compiled and tiered up, pools and arenas at the size
# this load needs, so the baseline is the daemon's steady state and not its first minute.
for i in $(seq 1 "$CLIENTS"); do client "$i" $(( $(date +%s) + WARMUP )) & CLIENT_PIDS+=($!); done
wait "${CLIENT_PIDS[@]}"; CLIENT_PIDS=()
if grep -qs '^FAIL' "$DIR"/client-*.log; then
    echo "FAIL: a warm-up round failed:" >&2; grep -h '^FAIL' "$DIR"/client-*.log >&2; exit 1
fi
rm -f "$DIR"/client-*.log "$DIR"/client-*.result
remove_all
sleep "$SETTLE"
BASELINE=$(measure)
cp "$DIR/fds.log" "$DIR/fds-baseline.log"

echo "== soak: $CLIENTS clients for ${DURATION}s"
START=$(date +%s)
DEADLINE=$((START + DURATION))
for i in $(seq 1 "$CLIENTS"); do client "$i" "$DEADLINE" & CLIENT_PIDS+=($!); done
# Progress every minute, and stop early if the daemon dies.
while true; do
    alive=0
    for pid in "${CLIENT_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 1 ]] || break
    if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
        echo "FAIL: netstackd died during the soak" >&2; tail -50 "$DIR/netstackd.log" >&2; exit 1
    fi
    sleep 5
    if (( ($(date +%s) - START) % 60 < 5 )); then
        echo "   $(( $(date +%s) - START ))s: rss $(awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status") KiB, fds $(ls "/proc/$DAEMON_PID/fd" | wc -l), containers $(netstack ps -q 2>/dev/null | wc -l)"
    fi
done
wait "${CLIENT_PIDS[@]}" || true
CLIENT_PIDS=()
ELAPSED=$(( $(date +%s) - START ))

echo "== clean-up and settle (${SETTLE}s, then up to ${SETTLE}s more)"
remove_all
leftover_containers=$(netstack ps -a -q | wc -l)
leftover_networks=$(netstack network ls | awk 'NR > 1 && $2 ~ /^soak-/' | wc -l)
# The same idle as before the baseline (the daemon gives memory back once idle), then the counts
# are polled as long again: some take a moment to come back (a resolver closing, a thread retiring).
sleep "$SETTLE"
for _ in $(seq 1 "$SETTLE"); do
    sleep 1
    AFTER=$(measure)
    back=1
    while IFS='=' read -r name base; do
        [[ $name == rss_* || $name == assemblies || $name == store_*_bytes ]] && continue
        [[ $(value "$name" "$AFTER") -le $base ]] || back=0
    done <<<"$BASELINE"
    [[ $back -eq 1 ]] && break
done

rounds=0
for i in $(seq 1 "$CLIENTS"); do
    [[ -f $DIR/client-$i.result ]] && rounds=$((rounds + $(cat "$DIR/client-$i.result")))
done
fails=$(cat "$DIR"/client-*.log 2>/dev/null | grep -c '^FAIL' || true)

echo
echo "== soak: $CLIENTS clients, ${ELAPSED}s, $rounds rounds ($((rounds * 2)) containers, $((rounds * 2)) networks, $rounds connect/disconnect pairs, $rounds DNS lookups), $fails failed steps"
printf '%-16s %12s %12s  %s\n' figure baseline after verdict
status=0
while IFS='=' read -r name base; do
    after=$(value "$name" "$AFTER")
    verdict=ok
    case $name in
        rss_kib)
            # Within 10 % of the baseline.
            if (( after * 10 > base * 11 )); then verdict="LEAK (> +10 %)"; status=1; fi ;;
        rss_collected_mib|assemblies)
            verdict="(for information)" ;;
        store_*_bytes)
            # SQLite keeps the pages it once used and reuses them; the keys are what must come back.
            verdict="($(( (after - base) / 1024 )) KiB more)" ;;
        *)
            if (( after > base )); then verdict="LEAK (+$((after - base)))"; status=1; fi ;;
    esac
    printf '%-16s %12s %12s  %s\n' "$name" "$base" "$after" "$verdict"
done <<<"$BASELINE"
if [[ $leftover_containers -ne 0 || $leftover_networks -ne 0 ]]; then
    echo "FAIL: $leftover_containers containers and $leftover_networks soak networks could not be removed"; status=1
fi
if [[ $fails -ne 0 ]]; then
    echo "FAIL: $fails client steps failed:"
    grep -h '^FAIL' "$DIR"/client-*.log | head -20
    status=1
fi
if ! kill -0 "$DAEMON_PID" 2>/dev/null; then echo "FAIL: netstackd is gone"; status=1; fi
[[ $status -eq 0 ]] && echo "soak passed: nothing leaked, RSS within 10 %" || echo "soak FAILED"
exit $status
