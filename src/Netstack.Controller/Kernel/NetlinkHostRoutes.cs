using System.Net;
using System.Net.Sockets;
using Netstack.Ipam;
using Netstack.Linux;

namespace Netstack.Controller;

/// <summary>
/// The host's routed subnets for IPAM's pool choice, read with rtnetlink from the main table of the
/// handle's namespace (the daemon passes the host's). Default routes are left out: they cover
/// everything and would forbid every pool; unicast routes only (RTN_UNICAST = 1), since local and
/// broadcast entries live in the local table anyway.
/// </summary>
public sealed class NetlinkHostRoutes(NetlinkHandle handle) : IHostRouteSource
{
    private const byte RouteTypeUnicast = 1;

    public Task<IReadOnlyList<IPNetwork>> GetRoutedNetworksAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var routes = handle.RouteList(AddressFamily.InterNetwork)
            .Concat(handle.RouteList(AddressFamily.InterNetworkV6))
            .Where(r => !r.IsDefault && r.Type == RouteTypeUnicast)
            .Select(r => r.Destination)
            .Distinct()
            .ToArray();
        return Task.FromResult<IReadOnlyList<IPNetwork>>(routes);
    }
}
