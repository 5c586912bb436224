using System.Net;

namespace Netstack.Ipam;

/// <summary>
/// Subnets the host already routes (its interface subnets and routes, the default route excluded).
/// IPAM never picks a predefined pool that overlaps one, so a new network does not hijack traffic
/// for a LAN or VPN. The daemon feeds it from the netlink layer.
/// </summary>
public interface IHostRouteSource
{
    Task<IReadOnlyList<IPNetwork>> GetRoutedNetworksAsync(CancellationToken cancellationToken);
}

/// <summary>A host with no routes to avoid (tests, or a daemon told to ignore host routes).</summary>
public sealed class NoHostRoutes : IHostRouteSource
{
    public static readonly NoHostRoutes Instance = new();

    public Task<IReadOnlyList<IPNetwork>> GetRoutedNetworksAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<IPNetwork>>([]);
}

/// <summary>A fixed list of routed subnets.</summary>
public sealed class StaticHostRoutes(IReadOnlyList<IPNetwork> networks) : IHostRouteSource
{
    public Task<IReadOnlyList<IPNetwork>> GetRoutedNetworksAsync(CancellationToken cancellationToken) => Task.FromResult(networks);
}
