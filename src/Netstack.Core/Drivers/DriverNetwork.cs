using System.Net;

namespace Netstack.Core.Drivers;

/// <summary>
/// Address data of one pool of a network, as handed to a driver (libnetwork's <c>driverapi.IPAMData</c>).
/// </summary>
public sealed record DriverIpamData
{
    public required IPNetwork Subnet { get; init; }

    /// <summary>Gateway with the subnet's prefix length; null when the network has none.</summary>
    public CidrAddress? Gateway { get; init; }

    public IReadOnlyDictionary<string, IPAddress> AuxAddresses { get; init; } = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
}

/// <summary>Everything a driver is told when a network is created or restored.</summary>
public sealed record DriverNetwork
{
    public required string NetworkId { get; init; }

    public required string Name { get; init; }

    /// <summary>The user's driver options (<c>-o</c>) with Docker's names.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = Empty.Options;

    public IReadOnlyDictionary<string, string> Labels { get; init; } = Empty.Options;

    public bool Internal { get; init; }

    public bool EnableIPv6 { get; init; }

    public IReadOnlyList<DriverIpamData> IPv4 { get; init; } = [];

    public IReadOnlyList<DriverIpamData> IPv6 { get; init; } = [];
}
