using Netstack.Daemon.Gossip;
using Netstack.Drivers.Bridge;

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
        // Network drivers: each adds an INetworkDriver service (macvlan and overlay join here when they land).
        services.AddBridgeDriver();
        // Cluster membership: idle unless --advertise-addr or --listen-addr is given.
        services.AddGossip();
    }
}
