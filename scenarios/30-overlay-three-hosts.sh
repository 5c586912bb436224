#!/usr/bin/env bash
# The overlay lab on one machine: three namespace hosts nst-o<pid>-a/b/c and a store host -e on one
# underlay LAN (veth pairs into a bridge in nst-o<pid>-lan, 10.78.0.1-4/24). etcd runs on e;
# netstackd on a, b and c with --cluster-store, --advertise-addr and a shared gossip key (b and c
# join a). An overlay network is created on a; a busybox httpd container runs on each host; each
# pings the others by address and fetches their page. Then a is killed (-9) and restarted on its
# data: the traffic works again. Every per-host step is scenarios/lab/overlay-lab.sh, the same script
# the Vagrant lab provisions with; here each step runs inside its namespace host (nsenter --net).
# Everything (containers, network, daemons and etcd by pid, namespaces, temp dirs) is removed on
# exit, failure included. The machine's own interfaces, routes, firewall and resolver are untouched.
# NETSTACK_CONFIGURATION=Release picks the Release build; NETSTACK_NO_BUILD=1 skips building;
# LAB_DEBUG_PAUSE=SECONDS waits that long before cleaning up (to look at a failure).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $EUID -ne 0 ]]; then echo "run as root (namespaces)" >&2; exit 1; fi
for tool in etcd etcdctl nsenter ip busybox; do
    command -v "$tool" >/dev/null || { echo "missing $tool (scenarios/install-deps.sh installs it)" >&2; exit 1; }
done
config=${NETSTACK_CONFIGURATION:-Debug}
if [[ -z "${NETSTACK_NO_BUILD:-}" ]]; then
    dotnet build src/Netstack.Daemon -c "$config" -nologo -clp:ErrorsOnly >/dev/null
    dotnet build src/Netstack.Cli -c "$config" -nologo -clp:ErrorsOnly >/dev/null
fi
netstackd="$PWD/src/Netstack.Daemon/bin/$config/net10.0/netstackd"
export NETSTACK_CLI="$PWD/src/Netstack.Cli/bin/$config/net10.0/netstack"
lab="$PWD/scenarios/lab/overlay-lab.sh"

prefix="nst-o$$"
lan="$prefix-lan"
work="$(mktemp -d /tmp/nst-o$$.XXXX)"
declare -A pid=()
hosts=(a b c)
addr() { case $1 in a) echo 10.78.0.1;; b) echo 10.78.0.2;; c) echo 10.78.0.3;; e) echo 10.78.0.4;; esac; }
# Each host's container on the overlay, a static --ip as in the Vagrant lab.
declare -A ip=([a]=10.90.0.11 [b]=10.90.0.12 [c]=10.90.0.13)
# One lab step on one namespace host, with that host's daemon socket.
on() { local h=$1; shift; NETSTACK_HOST_URI="unix://$work/$h/sock" nsenter --net="/run/netns/$prefix-$h" "$lab" "$@"; }

cleanup() {
    set +e
    [[ -n ${LAB_DEBUG_PAUSE:-} ]] && sleep "$LAB_DEBUG_PAUSE"
    for h in "${hosts[@]}"; do
        [[ -n ${pid[$h]:-} ]] && kill -0 "${pid[$h]}" 2>/dev/null || continue
        on "$h" remove "lab-$h"
    done
    [[ -n ${pid[a]:-} ]] && kill -0 "${pid[a]}" 2>/dev/null && on a network-rm 2>/dev/null
    for h in "${!pid[@]}"; do kill -TERM "${pid[$h]}" 2>/dev/null; done
    for h in "${!pid[@]}"; do
        for _ in $(seq 50); do kill -0 "${pid[$h]}" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "${pid[$h]}" 2>/dev/null
    done
    for h in a b c e; do ip netns delete "$prefix-$h" 2>/dev/null; done
    ip netns delete "$lan" 2>/dev/null
    # Mounts the daemons left under the work dir (namespace files and their directories), deepest first.
    grep -o " $work[^ ]*" /proc/self/mountinfo | sort -ru | while read -r m; do umount -l "$m" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT

# The underlay: both ends of every veth pair are created inside our namespaces.
ip netns add "$lan"
ip -n "$lan" link add br0 type bridge
ip -n "$lan" link set br0 up
for h in a b c e; do
    ip netns add "$prefix-$h"
    ip -n "$lan" link add "v$h" type veth peer name eth0 netns "$prefix-$h"
    ip -n "$lan" link set "v$h" master br0 up
    ip -n "$prefix-$h" addr add "$(addr "$h")/24" dev eth0
    ip -n "$prefix-$h" link set eth0 up
    ip -n "$prefix-$h" link set lo up
done
head -c 32 /dev/urandom | base64 > "$work/gossip.key"
scenarios/make-busybox-image.sh "$work/busybox.tar" >/dev/null

echo "== etcd on e ($(addr e))"
mkdir -p "$work/e"
nsenter --net="/run/netns/$prefix-e" "$lab" etcd-exec "$(addr e)" "$work/e/etcd" >>"$work/e/log" 2>&1 &
pid[e]=$!
nsenter --net="/run/netns/$prefix-e" "$lab" etcd-wait "$(addr e)"

# nsenter execs netstackd, so $! is the daemon's pid.
start() { # host
    local h=$1
    mkdir -p "$work/$h"
    # shellcheck disable=SC2046 # the flags are words
    nsenter --net="/run/netns/$prefix-$h" "$netstackd" \
        --root "$work/$h/root" --exec-root "$work/$h/exec" -H "unix://$work/$h/sock" \
        $("$lab" daemon-flags "$(addr "$h")" "$(addr e)" "$work/gossip.key" "$(addr a)") \
        >>"$work/$h/log" 2>&1 &
    pid[$h]=$!
    for _ in $(seq 300); do
        "$NETSTACK_CLI" -H "unix://$work/$h/sock" version >/dev/null 2>&1 && return 0
        kill -0 "${pid[$h]}" 2>/dev/null || { cat "$work/$h/log"; return 1; }
        sleep 0.2
    done
    echo "netstackd on $h did not answer" >&2; return 1
}
wait_alive() { # host count
    for _ in $(seq 240); do
        [[ $("$NETSTACK_CLI" -H "unix://$work/$1/sock" node ls --format json | grep -c '"State":"alive"' || true) -eq $2 ]] && return 0
        sleep 0.5
    done
    echo "$1 never saw $2 alive members" >&2; return 1
}

echo "== netstackd on a, b, c (b and c join a)"
for h in "${hosts[@]}"; do start "$h"; done
for h in "${hosts[@]}"; do wait_alive "$h" 3; done
"$NETSTACK_CLI" -H "unix://$work/a/sock" node ls

echo "== overlay network on a, seen on b and c"
on a network-create
for h in b c; do on "$h" network-wait; done

echo "== a busybox httpd container on each host"
for h in "${hosts[@]}"; do
    on "$h" image "$work/busybox.tar"
    on "$h" run "lab-$h" "${ip[$h]}"
    [[ $(on "$h" addr "lab-$h") == "${ip[$h]}" ]] || { echo "lab-$h is not at ${ip[$h]}" >&2; exit 1; }
    echo "lab-$h on $h: ${ip[$h]}"
done
check_all() {
    for h in "${hosts[@]}"; do
        local targets=()
        for o in "${hosts[@]}"; do [[ $o != "$h" ]] && targets+=("${ip[$o]}"); done
        on "$h" check "lab-$h" "${targets[@]}"
    done
}
check_all
"$NETSTACK_CLI" -H "unix://$work/a/sock" network inspect ovlab | grep -A12 '"Peers"'

echo "== kill -9 a (pid ${pid[a]}), then restart it on its data"
kill -KILL "${pid[a]}"; wait "${pid[a]}" 2>/dev/null || true
start a
for h in "${hosts[@]}"; do wait_alive "$h" 3; done
# The container on a may have to be started again after its daemon's crash.
if ! on a check "lab-a" "${ip[b]}" 2>/dev/null; then
    echo "(lab-a did not survive its daemon's kill -9: started again)"
    on a remove lab-a
    on a run lab-a "${ip[a]}"
fi
for _ in $(seq 60); do check_all >/dev/null 2>&1 && break; sleep 0.5; done
check_all

echo
echo "30-overlay-three-hosts: ok"
