using System.Net;
using System.Net.Sockets;
using Netstack.Ipam;
using Netstack.Linux;

namespace Netstack.Daemon.Hosting;

/// <summary>
/// The subnets the daemon's own network namespace routes (main table, IPv4 and IPv6, default
/// routes excluded), read through rtnetlink each time IPAM asks, so a predefined pool never
/// shadows a LAN, a VPN or another bridge.
/// </summary>
internal sealed class NetlinkHostRoutes : IHostRouteSource
{
    public Task<IReadOnlyList<IPNetwork>> GetRoutedNetworksAsync(CancellationToken cancellationToken)
    {
        using var netlink = NetlinkHandle.Open();
        var routed = new List<IPNetwork>();
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            routed.AddRange(netlink.RouteList(family).Where(r => !r.IsDefault).Select(r => r.Destination));
        }
        return Task.FromResult<IReadOnlyList<IPNetwork>>(routed.Distinct().ToList());
    }
}
