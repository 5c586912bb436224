#!/usr/bin/env bash
# Provisions one VM of the Vagrant lab (see the Vagrantfile): the .NET SDK, the Debian packages,
# netstackd and the netstack CLI published to /opt/netstack, and netstackd as a systemd service
# advertising this VM's lab address and joining the seed (the seed itself joins no one).
# Usage (run by Vagrant as root): provision.sh LAB_IP SEED_IP BASE64_KEY
set -euo pipefail
ip=$1
seed=$2
key=$3

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
for project in src/Netstack.Daemon src/Netstack.Cli; do
    dotnet restore "/netstack/$project" --configfile /tmp/netstack-nuget.config
    dotnet publish "/netstack/$project" -c Release --no-restore -o /opt/netstack
done
ln -sf /opt/netstack/netstackd /usr/local/bin/netstackd
ln -sf /opt/netstack/netstack /usr/local/bin/netstack

install -d -m 0700 /etc/netstack
(umask 077 && printf '%s' "$key" > /etc/netstack/gossip.key)
join=""
if [[ "$ip" != "$seed" ]]; then
    join="--join $seed"
fi
cat > /etc/systemd/system/netstackd.service <<UNIT
[Unit]
Description=Netstack daemon (container networking)
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=/usr/local/bin/netstackd --advertise-addr $ip --gossip-key-file /etc/netstack/gossip.key $join
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now netstackd
systemctl restart netstackd
