namespace Netstack.Core;

/// <summary>
/// One address pool a user asks for (Docker's <c>IPAM.Config[]</c> entry). All fields are the user's
/// text: the controller and IPAM validate them and name the field in errors.
/// </summary>
public sealed record IpamPoolSpec
{
    /// <summary>CIDR (<c>--subnet</c>); null lets IPAM pick a free pool of the family.</summary>
    public string? Subnet { get; init; }

    /// <summary>CIDR inside the subnet to allocate from (<c>--ip-range</c>).</summary>
    public string? IpRange { get; init; }

    /// <summary>Gateway address inside the subnet (<c>--gateway</c>); default: first address.</summary>
    public string? Gateway { get; init; }

    /// <summary>Addresses reserved for other devices (<c>--aux-address name=ip</c>).</summary>
    public IReadOnlyDictionary<string, string> AuxAddresses { get; init; } = Empty.Options;

    /// <summary>True when this pool is IPv6; decided by the subnet, or given for automatic pools.</summary>
    public bool IPv6 { get; init; }
}

/// <summary>IPAM part of a network spec.</summary>
public sealed record IpamSpec
{
    /// <summary>The IPAM driver; <c>default</c> is Netstack's own.</summary>
    public string Driver { get; init; } = "default";

    /// <summary>Pools; empty means one automatic IPv4 pool (plus one IPv6 pool if IPv6 is enabled).</summary>
    public IReadOnlyList<IpamPoolSpec> Pools { get; init; } = [];

    /// <summary>IPAM driver options (<c>--ipam-opt</c>), e.g. <see cref="DockerOptions.IpamSerial"/>.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = Empty.Options;
}

/// <summary>Shared empty collections for defaults.</summary>
public static class Empty
{
    public static readonly IReadOnlyDictionary<string, string> Options = new Dictionary<string, string>(StringComparer.Ordinal);
}
