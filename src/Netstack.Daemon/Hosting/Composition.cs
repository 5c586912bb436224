using Microsoft.Extensions.Options;
using Netstack.Daemon.Capture;
using Netstack.Daemon.Dns;
using Netstack.Daemon.Firewall;
using Netstack.Daemon.Gossip;
using Netstack.Daemon.Overlay;
using Netstack.Daemon.RemoteDrivers;
using Netstack.Drivers.Bridge;
using Netstack.Drivers.Macvlan;

namespace Netstack.Daemon.Hosting;

/// <summary>
/// The production set of services: the container runtime, the network controller and the drivers.
/// Only the daemon references concrete drivers; each registers through its own extension method.
/// </summary>
internal static class Composition
{
    public static void AddProductionServices(IServiceCollection services)
    {
        services.AddNetworkController();
        services.AddContainerRuntime();
        // Network drivers: each adds an INetworkDriver service.
        services.AddBridgeDriver();
        services.AddOptions<BridgeDriverOptions>().Configure<IOptions<DaemonOptions>>((bridge, daemon) => bridge.FirewallBackend = daemon.Value.Firewall);
        // Puts the bridge driver's iptables rules back when somebody else flushes them.
        services.AddHostedService<FirewallWatch>();
        services.AddMacvlanDriver();
        // VXLAN across hosts: its tunnel endpoint is --advertise-addr, its peers come through gossip.
        services.AddOverlay();
        // Any other -d / --ipam-driver name: a Docker remote-driver plugin found on disk.
        services.AddRemoteDriverPlugins();
        // Cluster membership: idle unless --advertise-addr or --listen-addr is given.
        services.AddGossip();
        // Names of containers on overlay networks, published to and learnt from the other nodes (endpoint_table).
        services.AddClusterNames();
        // netstack debug capture: libpcap in the targets' namespaces.
        services.AddCapture();
    }
}
