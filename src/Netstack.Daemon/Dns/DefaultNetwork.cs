using Netstack.Core;
using Netstack.Daemon.Containers;

namespace Netstack.Daemon.Dns;

/// <summary>
/// Docker's default network (<c>bridge</c>, and the built-in networks) has no embedded resolver and
/// no DNS names: containers there get the upstream servers directly. Every other network is user-defined.
/// </summary>
internal static class DefaultNetwork
{
    public static bool HasResolver(NetworkInfo network) =>
        !network.BuiltIn && !string.Equals(network.Name, ContainerService.DefaultNetworkName, StringComparison.Ordinal);

    public static bool HasResolver(EndpointInfo endpoint) =>
        !string.Equals(endpoint.NetworkName, ContainerService.DefaultNetworkName, StringComparison.Ordinal);
}
