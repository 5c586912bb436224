using System.Net;

namespace Netstack.Core;

/// <summary>An address pool as allocated: validated and typed.</summary>
public sealed record IpamPoolInfo
{
    /// <summary>The IPAM driver's id for the pool (what address requests name).</summary>
    public required string PoolId { get; init; }

    public required IPNetwork Subnet { get; init; }

    public IPNetwork? IpRange { get; init; }

    /// <summary>The gateway with the subnet's prefix length (<c>172.18.0.1/16</c>); null when the driver has none.</summary>
    public CidrAddress? Gateway { get; init; }

    public IReadOnlyDictionary<string, IPAddress> AuxAddresses { get; init; } = new Dictionary<string, IPAddress>(StringComparer.Ordinal);

    public bool IsIPv6 => Subnet.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
}

/// <summary>IPAM part of a network as created.</summary>
public sealed record IpamInfo
{
    public string Driver { get; init; } = "default";

    public IReadOnlyList<IpamPoolInfo> Pools { get; init; } = [];

    public IReadOnlyDictionary<string, string> Options { get; init; } = Empty.Options;
}

/// <summary>A network as it exists (<c>docker network inspect</c>).</summary>
public sealed record NetworkInfo
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Driver { get; init; }

    public NetworkScope Scope { get; init; }

    public DateTimeOffset Created { get; init; }

    public IpamInfo Ipam { get; init; } = new();

    public IReadOnlyDictionary<string, string> Options { get; init; } = Empty.Options;

    public IReadOnlyDictionary<string, string> Labels { get; init; } = Empty.Options;

    public bool Internal { get; init; }

    public bool Attachable { get; init; }

    public bool EnableIPv6 { get; init; }

    public bool BuiltIn { get; init; }

    /// <summary>Endpoints on the network (for inspect's <c>Containers</c>); empty in list results.</summary>
    public IReadOnlyList<EndpointInfo> Endpoints { get; init; } = [];
}
