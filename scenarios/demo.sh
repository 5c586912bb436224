#!/usr/bin/env bash
# The demo: netstackd on the embedded store (SQLite) running real containers on runc.
#
#   1. a network `web` and a network `other`;
#   2. containers `api` (busybox httpd, port 80 published as 8080) and `db` on `web`, and
#      `outsider` on `other`;
#   3. db reaches api (by address, and by name through the embedded DNS when it answers);
#      outsider cannot reach api;
#   4. the page served by api is fetched from the host through the published port, on the host's
#      address and on 127.0.0.1.
#
# The "host" is a network namespace made for the demo (netstackd runs inside it through
# `nsenter --net`), so the machine's own interfaces, routes and firewall are never touched and no
# packet leaves the machine. Everything is removed on exit, failure included.
set -euo pipefail
cd "$(dirname "$0")/.."

scenarios/install-deps.sh
echo "building netstackd and netstack..."
# Both as they ship: Native AOT binaries (src/Netstack.Cli/README.md; netstackd's csproj says why).
rid=linux-$(case $(uname -m) in aarch64) echo arm64 ;; *) echo x64 ;; esac)
dotnet publish src/Netstack.Daemon -c Release -r "$rid" -nologo -clp:ErrorsOnly >/dev/null
dotnet publish src/Netstack.Cli -c Release -r "$rid" -nologo -clp:ErrorsOnly >/dev/null

netstackd=$PWD/src/Netstack.Daemon/bin/Release/net10.0/$rid/publish/netstackd
cli=$PWD/src/Netstack.Cli/bin/Release/net10.0/$rid/publish/netstack
host=nst-demo-$$
dir=/tmp/$host
sock=$dir/netstack.sock
daemon_pid=

netstack() { "$cli" -H "unix://$sock" "$@"; }
in_host() { nsenter --net="/run/netns/$host" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cleanup() {
    set +e
    if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
        for c in api db outsider; do netstack rm -f "$c" >/dev/null 2>&1; done
        for n in web other; do netstack network rm "$n" >/dev/null 2>&1; done
        kill -TERM "$daemon_pid"
        wait "$daemon_pid" 2>/dev/null
    fi
    # Whatever a failure left: sandboxes under our exec-root, then the host namespace itself
    # (its bridges and rules go with it).
    if [[ -d $dir/exec/netns ]]; then
        for ns in "$dir"/exec/netns/*; do
            [[ -e $ns ]] || continue
            umount "$ns" 2>/dev/null; rm -f "$ns"
        done
    fi
    grep -o " $dir[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
    ip netns del "$host" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT

step "a host namespace ($host) with an uplink address 192.0.2.10/24"
mkdir -p "$dir"
ip netns add "$host"
ip -n "$host" link set lo up
# The host needs an address of its own besides loopback: a veth whose far end is an
# "outside" interface inside the same host namespace is enough to own 192.0.2.10.
ip -n "$host" link add uplink type veth peer name uplink-peer
ip -n "$host" addr add 192.0.2.10/24 dev uplink
ip -n "$host" link set uplink up
ip -n "$host" link set uplink-peer up

step "netstackd --root $dir/root --exec-root $dir/exec -H unix://$sock"
in_host "$netstackd" --root "$dir/root" --exec-root "$dir/exec" -H "unix://$sock" >"$dir/netstackd.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 300); do
    netstack version >/dev/null 2>&1 && break
    kill -0 "$daemon_pid" 2>/dev/null || { cat "$dir/netstackd.log"; exit 1; }
    sleep 0.2
done
netstack version

step "image: busybox from Debian's busybox-static"
scenarios/make-busybox-image.sh "$dir/busybox.tar" >/dev/null
netstack image import "$dir/busybox.tar" busybox
netstack image ls

step "networks"
netstack network create --subnet 10.20.0.0/24 web
netstack network create other
netstack network ls

step "containers"
netstack run -d --name api --network web -p 8080:80 busybox httpd -f -p 80 -h /var/www
netstack run -d --name db --network web busybox sleep 3600
netstack run -d --name outsider --network other busybox sleep 3600
netstack ps

api_ip=$(netstack inspect api | grep -o '"IPAddress": *"[0-9.]*"' | head -1 | grep -o '[0-9.]*[0-9]')
echo "api has $api_ip"

step "db -> api ($api_ip) on web"
netstack exec db ping -c 1 -W 2 "$api_ip"
if netstack exec db nslookup api 127.0.0.11 >/dev/null 2>&1; then
    echo "db -> api by name:"
    netstack exec db ping -c 1 -W 2 api
else
    echo "(embedded DNS not answering in this build: name lookup skipped)"
fi

step "outsider (on other) -> api: must fail"
if netstack exec outsider ping -c 1 -W 2 "$api_ip"; then
    echo "FAIL: a container on another network reached api" >&2
    exit 1
fi
echo "outsider cannot reach api: isolated, as expected"

step "the page from the host through the published port"
echo "http://192.0.2.10:8080/ ->"
in_host curl -sS --max-time 5 http://192.0.2.10:8080/
echo "http://127.0.0.1:8080/ ->"
in_host curl -sS --max-time 5 http://127.0.0.1:8080/

step "network inspect web"
netstack network inspect web

echo
echo "demo: ok"
