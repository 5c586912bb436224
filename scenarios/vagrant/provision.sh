#!/usr/bin/env bash
# Provisions one VM of the Vagrant lab (see the Vagrantfile): the .NET SDK, the Debian packages,
# netstackd and the netstack CLI published to /opt/netstack, etcd as a systemd service on the seed
# (the cluster store), and netstackd as a systemd service advertising this VM's lab address, using
# the store and joining the seed (the seed itself joins no one). Then the overlay demo: the seed
# creates the overlay network; every VM runs a busybox httpd container on it at CONTAINER_IP and
# pings and fetches the page of the containers of the VMs provisioned before it (PREVIOUS_IPS).
# The per-host steps are scenarios/lab/overlay-lab.sh, the same as the namespace lab's
# (scenarios/30-overlay-three-hosts.sh).
# Usage (run by Vagrant as root): provision.sh LAB_IP SEED_IP BASE64_KEY CONTAINER_IP [PREVIOUS_IPS...]
set -euo pipefail
ip=$1
seed=$2
key=$3
container_ip=$4
shift 4
previous=("$@")
lab=/netstack/scenarios/lab/overlay-lab.sh

if ! command -v dotnet >/dev/null; then
    apt-get update
    apt-get install -y curl ca-certificates
    curl -fsSL https://dot.net/v1/dotnet-install.sh -o /tmp/dotnet-install.sh
    bash /tmp/dotnet-install.sh --channel 10.0 --install-dir /usr/share/dotnet
    ln -sf /usr/share/dotnet/dotnet /usr/local/bin/dotnet
fi
/netstack/scenarios/install-deps.sh

# The repository's nuget.config also names the development machines' local feed, absent here.
cat > /tmp/netstack-nuget.config <<'CONFIG'
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
CONFIG
# netstackd and the CLI are Native AOT binaries (src/Netstack.Cli/README.md): restored and
# published for this machine's runtime identifier, linked by clang.
rid=linux-$(case $(uname -m) in aarch64) echo arm64 ;; *) echo x64 ;; esac)
dotnet restore /netstack/src/Netstack.Daemon -r "$rid" --configfile /tmp/netstack-nuget.config
dotnet publish /netstack/src/Netstack.Daemon -c Release -r "$rid" --no-restore -o /opt/netstack
dotnet restore /netstack/src/Netstack.Cli -r "$rid" --configfile /tmp/netstack-nuget.config
dotnet publish /netstack/src/Netstack.Cli -c Release -r "$rid" --no-restore -o /opt/netstack
ln -sf /opt/netstack/netstackd /usr/local/bin/netstackd
ln -sf /opt/netstack/netstack /usr/local/bin/netstack

install -d -m 0700 /etc/netstack
(umask 077 && printf '%s' "$key" > /etc/netstack/gossip.key)
if [[ "$ip" == "$seed" ]]; then
    cat > /etc/systemd/system/netstack-etcd.service <<UNIT
[Unit]
Description=etcd for the Netstack lab (cluster store)
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=$lab etcd-exec $seed /var/lib/netstack-etcd
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
    systemctl daemon-reload
    systemctl enable --now netstack-etcd
fi
"$lab" etcd-wait "$seed"
cat > /etc/systemd/system/netstackd.service <<UNIT
[Unit]
Description=Netstack daemon (container networking)
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=/usr/local/bin/netstackd $("$lab" daemon-flags "$ip" "$seed" /etc/netstack/gossip.key "$seed")
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now netstackd
systemctl restart netstackd
for _ in $(seq 150); do netstack version >/dev/null 2>&1 && break; sleep 0.2; done

# The overlay demo.
if [[ "$ip" == "$seed" ]]; then
    "$lab" network-create
fi
"$lab" network-wait
/netstack/scenarios/make-busybox-image.sh /tmp/busybox.tar >/dev/null
"$lab" image /tmp/busybox.tar
"$lab" remove "lab-$(hostname)"
"$lab" run "lab-$(hostname)" "$container_ip"
if [[ ${#previous[@]} -gt 0 ]]; then
    "$lab" check "lab-$(hostname)" "${previous[@]}"
fi
