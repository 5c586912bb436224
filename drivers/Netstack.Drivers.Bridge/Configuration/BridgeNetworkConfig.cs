using System.Net;

namespace Netstack.Drivers.Bridge;

/// <summary>A bridge network's settings, parsed and validated from the user's options (Docker's names).</summary>
internal sealed record BridgeNetworkConfig
{
    /// <summary>Linux's default Ethernet MTU; Docker's bridge uses it unless told otherwise.</summary>
    public const int DefaultMtu = 1500;

    public required string NetworkId { get; init; }

    public required string BridgeName { get; init; }

    public bool EnableIcc { get; init; } = true;

    public bool EnableIPMasquerade { get; init; } = true;

    /// <summary>
    /// Host address published ports bind to when a binding names none (<c>0.0.0.0</c> = all, with
    /// an <c>[::]</c> twin on IPv6 networks). Docker's option is named IPv4 but takes IPv6 too.
    /// </summary>
    public IPAddress HostBindingIPv4 { get; init; } = IPAddress.Any;

    public int Mtu { get; init; } = DefaultMtu;

    /// <summary>True when the user set the MTU (so the bridge's MTU is forced, not left to its ports).</summary>
    public bool MtuSet { get; init; }

    public bool Internal { get; init; }

    public bool EnableIPv6 { get; init; }

    public required IPNetwork SubnetV4 { get; init; }

    /// <summary>The gateway address on the bridge, with the subnet's prefix length.</summary>
    public required Core.CidrAddress GatewayV4 { get; init; }

    public IPNetwork? SubnetV6 { get; init; }

    public Core.CidrAddress? GatewayV6 { get; init; }

    /// <summary>The firewall families the network's rules live in: IPv4, and IPv6 when it is on.</summary>
    public IReadOnlyList<Netstack.Firewall.IpFamily> Families => EnableIPv6 && SubnetV6 is not null ? IpFamilies.Both : IpFamilies.IPv4Only;

    /// <summary>Interface group every link of this network is put in (see <see cref="LinkGroups"/>).</summary>
    public required uint Group { get; init; }
}
