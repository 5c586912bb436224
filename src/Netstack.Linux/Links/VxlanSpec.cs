using System.Net;

namespace Netstack.Linux;

/// <summary>
/// A VXLAN device. Equivalent to
/// <c>ip link add NAME type vxlan id VNI dstport PORT local IP dev UNDERLAY [no]learning proxy l2miss l3miss ttl N</c>.
/// </summary>
public sealed record VxlanSpec : LinkSpec
{
    /// <summary>The VNI is 24 bits on the wire (RFC 7348 section 5); 0 is not used.</summary>
    public const uint MaxVni = 16_777_215;

    public VxlanSpec(string name, uint vni)
        : base(name)
    {
        if (vni is < 1 or > MaxVni)
        {
            throw new ArgumentOutOfRangeException(nameof(vni), vni, $"VXLAN VNI must be in 1..{MaxVni}, got {vni}");
        }
        Vni = vni;
    }

    public override string Kind => "vxlan";

    public uint Vni { get; }

    /// <summary>UDP destination port; IANA assigned 4789 (RFC 7348). The kernel's default is 8472.</summary>
    public ushort Port { get; init; } = 4789;

    /// <summary>Source address of the outer IP header (IFLA_VXLAN_LOCAL / LOCAL6).</summary>
    public IPAddress? Local { get; init; }

    /// <summary>Default remote or multicast group (IFLA_VXLAN_GROUP / GROUP6); null = FDB only.</summary>
    public IPAddress? Remote { get; init; }

    /// <summary>Underlay device (IFLA_VXLAN_LINK).</summary>
    public LinkRef? Underlay { get; init; }

    public bool Learning { get; init; } = true;

    /// <summary>Answer ARP/ND from the neighbour table (proxy ARP).</summary>
    public bool Proxy { get; init; }

    /// <summary>Raise an RTM_GETNEIGH notification when a destination MAC has no FDB entry.</summary>
    public bool L2Miss { get; init; }

    /// <summary>Raise an RTM_GETNEIGH notification when an IP has no neighbour entry.</summary>
    public bool L3Miss { get; init; }

    /// <summary>Outer TTL; null = kernel default (inherit/64).</summary>
    public byte? Ttl { get; init; }
}
