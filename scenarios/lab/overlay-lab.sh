#!/usr/bin/env bash
# The per-host steps of the overlay lab, shared by the namespace lab (scenarios/30-overlay-three-hosts.sh,
# which runs each step inside a namespace host with nsenter --net) and the Vagrant lab
# (scenarios/vagrant/provision.sh on each VM). Every step acts on the host it runs on only.
#
#   overlay-lab.sh etcd-exec IP DATA_DIR             exec etcd (the store host): client IP:23790, peer IP:23800
#   overlay-lab.sh etcd-wait IP                      wait until etcd on IP answers
#   overlay-lab.sh daemon-flags IP STORE_IP KEY [SEED_IP]
#                                                    print netstackd's cluster flags (one line)
#   overlay-lab.sh network-create                    create the overlay network (once, on one host)
#   overlay-lab.sh network-wait                      wait until this host lists it
#   overlay-lab.sh image BUSYBOX_TAR                 import the busybox image unless present
#   overlay-lab.sh run NAME [IP]                     a busybox httpd container on the overlay network
#   overlay-lab.sh addr NAME                         print the container's overlay address
#   overlay-lab.sh check NAME IP...                  from NAME: ping each IP and fetch its page
#   overlay-lab.sh remove NAME...                    remove containers (missing ones are fine)
#   overlay-lab.sh network-rm                        remove the overlay network
#
# The CLI is $NETSTACK_CLI (default: netstack), talking to $NETSTACK_HOST_URI when set.
set -euo pipefail

NETWORK=${OVERLAY_LAB_NETWORK:-ovlab}
SUBNET=${OVERLAY_LAB_SUBNET:-10.90.0.0/24}
ETCD_CLIENT_PORT=23790
ETCD_PEER_PORT=23800
PAGE_MARK="hello from a netstack busybox container"

cli() {
    local -a host=()
    [[ -n ${NETSTACK_HOST_URI:-} ]] && host=(-H "$NETSTACK_HOST_URI")
    "${NETSTACK_CLI:-netstack}" "${host[@]}" "$@"
}
die() { echo "overlay-lab: $*" >&2; exit 1; }

cmd=${1:-}
[[ $# -gt 0 ]] && shift
case $cmd in
    etcd-exec)
        [[ $# -eq 2 ]] || die "usage: etcd-exec IP DATA_DIR"
        ip=$1 data=$2
        exec etcd --name store --data-dir "$data" \
            --listen-client-urls "http://$ip:$ETCD_CLIENT_PORT" --advertise-client-urls "http://$ip:$ETCD_CLIENT_PORT" \
            --listen-peer-urls "http://$ip:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://$ip:$ETCD_PEER_PORT" \
            --initial-cluster "store=http://$ip:$ETCD_PEER_PORT" --log-level error
        ;;
    etcd-wait)
        [[ $# -eq 1 ]] || die "usage: etcd-wait IP"
        for _ in $(seq 120); do
            etcdctl --endpoints "http://$1:$ETCD_CLIENT_PORT" --command-timeout=2s endpoint health >/dev/null 2>&1 && exit 0
            sleep 0.5
        done
        die "etcd on $1:$ETCD_CLIENT_PORT did not answer"
        ;;
    daemon-flags)
        [[ $# -ge 3 && $# -le 4 ]] || die "usage: daemon-flags IP STORE_IP KEY [SEED_IP]"
        flags="--advertise-addr $1 --cluster-store etcd://$2:$ETCD_CLIENT_PORT --node-name $(hostname)-$1 --gossip-key-file $3"
        if [[ -n ${4:-} && $4 != "$1" ]]; then flags+=" --join $4"; fi
        echo "$flags"
        ;;
    network-create)
        if cli network inspect "$NETWORK" >/dev/null 2>&1; then exit 0; fi
        cli network create -d overlay --attachable --subnet "$SUBNET" "$NETWORK"
        ;;
    network-wait)
        for _ in $(seq 100); do
            cli network inspect "$NETWORK" >/dev/null 2>&1 && exit 0
            sleep 0.2
        done
        die "network $NETWORK never appeared here"
        ;;
    image)
        [[ $# -eq 1 ]] || die "usage: image BUSYBOX_TAR"
        if cli image ls | grep -q '^busybox'; then exit 0; fi
        cli image import "$1" busybox >/dev/null
        ;;
    run)
        [[ $# -ge 1 && $# -le 2 ]] || die "usage: run NAME [IP]"
        cli run -d --name "$1" --network "$NETWORK" ${2:+--ip "$2"} busybox httpd -f -p 80 -h /var/www >/dev/null
        ;;
    addr)
        [[ $# -eq 1 ]] || die "usage: addr NAME"
        a=$(cli inspect "$1" | grep -o '"IPAddress": *"[0-9.]*"' | grep -o '[0-9.]*[0-9]' | head -1)
        [[ -n $a ]] || die "$1 has no address"
        echo "$a"
        ;;
    check)
        [[ $# -ge 2 ]] || die "usage: check NAME IP..."
        name=$1; shift
        for target in "$@"; do
            cli exec "$name" ping -c 1 -W 3 "$target" >/dev/null || die "$name cannot ping $target"
            # busybox wget -T crashes (1.35/1.36), so its own timeout applet bounds the fetch.
            page=$(cli exec "$name" timeout 10 wget -q -O - "http://$target/") || die "$name cannot fetch http://$target/"
            grep -qi "$PAGE_MARK" <<<"$page" || die "http://$target/ answered something else: $page"
            echo "$name -> $target: ping ok, page ok"
        done
        ;;
    remove)
        for name in "$@"; do cli rm -f "$name" >/dev/null 2>&1 || true; done
        ;;
    network-rm)
        cli network rm "$NETWORK" >/dev/null
        ;;
    *)
        sed -n '2,20p' "$0" >&2
        exit 2
        ;;
esac
