#!/usr/bin/env bash
# DNS benchmark: dnsperf against Netstack's embedded resolver and, in the same run, against
# Docker's embedded resolver, both asked for a container name at 127.0.0.11:53 from inside the
# asking container's network namespace.
#
#   scenarios/bench/dns.sh [seconds per run, default 20] [repeats, default 3]
#
# Netstack: a namespace nst-dnsb-<rand> plays the container sandbox; the resolver host
# (Netstack.Bench.Dns) opens its sockets inside it on 127.0.0.11 and prints the DNAT rules that
# send 127.0.0.11:53 there, which this script applies in the namespace's own nat table.
# Docker: a private dockerd (own --data-root/--exec-root/socket under a temp dir, --iptables=false
# so the host firewall is untouched, --bridge=none), a busybox image imported from busybox-static,
# two containers on a user network; dnsperf runs in the client container's namespace via nsenter.
# Everything is removed on exit, failure included. Nothing leaves the machine: both resolvers
# answer "web" from their own tables.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_PER_RUN="${1:-20}"
REPEATS="${2:-3}"
# Same dnsperf settings for both: 4 clients (sockets), up to 100 queries outstanding.
DNSPERF_ARGS=(-s 127.0.0.11 -p 53 -c 4 -q 100 -t 2 -l "$SECONDS_PER_RUN")

if [[ $(id -u) -ne 0 ]]; then echo "dns.sh needs root (namespaces, dockerd)" >&2; exit 1; fi
for tool in dnsperf dockerd docker nsenter busybox ip iptables-restore; do
    command -v "$tool" >/dev/null || { echo "missing $tool (scenarios/install-deps.sh installs it)" >&2; exit 1; }
done

SUFFIX=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
NS="nst-dnsb-$SUFFIX"
WORK=$(mktemp -d /tmp/netstack-dnsbench.XXXXXX)
HOST_PID=""
DOCKERD_PID=""
DOCKER_SOCK="$WORK/docker.sock"
DOCKER_NET="nsdnsb$SUFFIX"
# dockerd's user network bridge gets a name with the test prefix, so check-leftovers would see it.
DOCKER_BRIDGE="nstdb$SUFFIX"

docker_cli() { docker -H "unix://$DOCKER_SOCK" "$@"; }

cleanup() {
    set +e
    if [[ -n "$DOCKERD_PID" ]]; then
        docker_cli rm -f client web >/dev/null 2>&1
        docker_cli network rm "$DOCKER_NET" >/dev/null 2>&1
        kill "$DOCKERD_PID" 2>/dev/null
        for _ in $(seq 1 40); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$DOCKERD_PID" 2>/dev/null
    fi
    if [[ -n "$HOST_PID" ]]; then
        kill "$HOST_PID" 2>/dev/null
        wait "$HOST_PID" 2>/dev/null
    fi
    exec 7>&- 2>/dev/null
    ip link del "$DOCKER_BRIDGE" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    # dockerd's mounts (container rootfs, netns files) live under the work dir; detach them first.
    if [[ -d "$WORK" ]]; then
        grep -o " $WORK[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT INT TERM

echo "== build"
dotnet build scenarios/bench/Netstack.Bench.Dns -c Release -nologo -clp:ErrorsOnly >/dev/null
HOST_DLL=scenarios/bench/Netstack.Bench.Dns/bin/Release/net10.0/Netstack.Bench.Dns.dll

printf 'web A\n' > "$WORK/queries.txt"

cpu_ticks() { # user + system clock ticks of a process (fields 14 and 15 of /proc/PID/stat)
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

run_dnsperf() { # label, resolver pid, then the command prefix that enters the namespace
    local label="$1" pid="$2"; shift 2
    local out="$WORK/dnsperf-$label.txt"
    local before after
    before=$(cpu_ticks "$pid")
    "$@" dnsperf "${DNSPERF_ARGS[@]}" -d "$WORK/queries.txt" > "$out" 2>&1 || { cat "$out"; return 1; }
    after=$(cpu_ticks "$pid")
    local qps lost sent lat cpu_us
    qps=$(awk '/Queries per second:/ {print $4}' "$out")
    sent=$(awk '/Queries sent:/ {print $3}' "$out")
    lost=$(awk '/Queries lost:/ {print $3}' "$out")
    lat=$(awk '/Average Latency \(s\):/ {print $4}' "$out")
    # CPU time the resolver process spent per query answered: a figure the machine's other load
    # disturbs far less than queries per second.
    cpu_us=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v s="$sent" -v l="$lost" 'BEGIN { printf "%.2f", t / hz * 1e6 / (s - l) }')
    echo "$label qps=$qps sent=$sent lost=$lost avg_latency_s=$lat cpu_us_per_query=$cpu_us"
}

check_answer() { # expect the container's address from dig inside the namespace
    local expected="$1"; shift
    local got
    got=$("$@" dig @127.0.0.11 web +short +time=2 +tries=2 | head -1)
    [[ "$got" == "$expected" ]] || { echo "resolver answered '$got' for web, expected $expected" >&2; return 1; }
}

echo "== netstack: resolver in namespace $NS"
ip netns add "$NS"
ip -n "$NS" link set lo up
mkfifo "$WORK/host.in"
dotnet "$HOST_DLL" --netns "/run/netns/$NS" --containers 20 < "$WORK/host.in" > "$WORK/host.out" 2> "$WORK/host.err" &
HOST_PID=$!
exec 7> "$WORK/host.in"   # holds the host's stdin open; closing it stops the host
for _ in $(seq 1 100); do grep -q '^READY' "$WORK/host.out" 2>/dev/null && break; sleep 0.2; done
grep '^READY' "$WORK/host.out" || { cat "$WORK/host.err"; echo "resolver host did not start" >&2; exit 1; }
sed -n '/^BEGIN-RULES$/,/^END-RULES$/p' "$WORK/host.out" | grep -v -e '^BEGIN-RULES$' -e '^END-RULES$' \
    | ip netns exec "$NS" iptables-restore --noflush
check_answer 10.250.1.1 ip netns exec "$NS"

echo "== docker: private dockerd"
DOCKER_OK=1
DOCKER_WHY=""
mkdir -p "$WORK/docker-data" "$WORK/docker-exec"
dockerd --data-root "$WORK/docker-data" --exec-root "$WORK/docker-exec" --pidfile "$WORK/docker.pid" \
    -H "unix://$DOCKER_SOCK" --bridge=none --iptables=false --ip6tables=false --ip-forward=false \
    --ip-masq=false --storage-driver=vfs --userland-proxy=false > "$WORK/dockerd.log" 2>&1 &
DOCKERD_PID=$!
for _ in $(seq 1 60); do docker_cli info >/dev/null 2>&1 && break; sleep 0.5; done
if ! docker_cli info >/dev/null 2>&1; then
    DOCKER_OK=0; DOCKER_WHY="dockerd did not start: $(tail -3 "$WORK/dockerd.log" | tr '\n' ' ')"
fi

if [[ $DOCKER_OK -eq 1 ]]; then
    # A busybox image from busybox-static's binary: /bin/busybox plus the applets we call.
    mkdir -p "$WORK/rootfs/bin"
    cp /bin/busybox "$WORK/rootfs/bin/busybox"
    for applet in sh sleep; do ln -s busybox "$WORK/rootfs/bin/$applet"; done
    tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
    docker_cli import "$WORK/rootfs.tar" nsdnsb-busybox:latest >/dev/null
    docker_cli network create --driver bridge --subnet 10.251.0.0/24 \
        -o com.docker.network.bridge.name="$DOCKER_BRIDGE" "$DOCKER_NET" >/dev/null
    if docker_cli run -d --name web --network "$DOCKER_NET" --ip 10.251.0.10 nsdnsb-busybox sleep 3600 >/dev/null 2>"$WORK/run.err" \
        && docker_cli run -d --name client --network "$DOCKER_NET" nsdnsb-busybox sleep 3600 >/dev/null 2>>"$WORK/run.err"; then
        CLIENT_PID=$(docker_cli inspect -f '{{.State.Pid}}' client)
        DOCKER_ENTER=(nsenter "--net=/proc/$CLIENT_PID/ns/net")
        check_answer 10.251.0.10 "${DOCKER_ENTER[@]}" || { DOCKER_OK=0; DOCKER_WHY="Docker's resolver did not answer 'web'"; }
    else
        DOCKER_OK=0; DOCKER_WHY="docker run failed: $(tr '\n' ' ' < "$WORK/run.err")"
    fi
fi

echo "== dnsperf: ${REPEATS} x ${SECONDS_PER_RUN}s each, alternating"
: > "$WORK/results.txt"
for r in $(seq 1 "$REPEATS"); do
    run_dnsperf "netstack#$r" "$HOST_PID" ip netns exec "$NS" | tee -a "$WORK/results.txt"
    if [[ $DOCKER_OK -eq 1 ]]; then
        run_dnsperf "docker#$r" "$DOCKERD_PID" "${DOCKER_ENTER[@]}" | tee -a "$WORK/results.txt"
    fi
done

summary() { # label prefix -> "qps lost sent latency cpu" (means over the repeats)
    awk -v p="$1" '$1 ~ "^"p"#" {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] += kv[2] }
        n++
    } END { if (n) printf "%.0f %.0f %.0f %.6f %.2f\n", v["qps"]/n, v["lost"]/n, v["sent"]/n, v["avg_latency_s"]/n, v["cpu_us_per_query"]/n }' "$WORK/results.txt"
}

read -r NQ NL NS_SENT NLAT NCPU <<< "$(summary netstack)"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo
echo "| resolver | queries/s | lost (of sent) | avg latency | resolver CPU per query |"
echo "|---|---|---|---|---|"
printf '| netstack | %s | %s of %s | %.3f ms | %s us |\n' "$NQ" "$NL" "$NS_SENT" "$(awk -v x="$NLAT" 'BEGIN{print x*1000}')" "$NCPU"
if [[ $DOCKER_OK -eq 1 ]]; then
    read -r DQ DL DS_SENT DLAT DCPU <<< "$(summary docker)"
    printf '| docker %s | %s | %s of %s | %.3f ms | %s us |\n' "$(dockerd --version | awk '{print $3}' | tr -d ,)" "$DQ" "$DL" "$DS_SENT" "$(awk -v x="$DLAT" 'BEGIN{print x*1000}')" "$DCPU"
    RATIO=$(awk -v a="$NQ" -v b="$DQ" 'BEGIN{print a/b}')
    CPU_RATIO=$(awk -v a="$DCPU" -v b="$NCPU" 'BEGIN{print a/b}')
    printf '\nratio netstack/docker queries/s: %.2f (target >= 1.5, loss no higher)\n' "$RATIO"
    printf 'ratio docker/netstack CPU per query: %.2f\n' "$CPU_RATIO"
else
    echo
    echo "Docker comparison not run: $DOCKER_WHY"
fi
