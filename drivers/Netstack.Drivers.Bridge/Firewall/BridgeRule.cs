using Netstack.Firewall;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// One iptables rule as data: the table, the chain and the rule's match and target in iptables'
/// own syntax (<c>-o br-x -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT</c>), and the
/// family whose tables it goes into (iptables or ip6tables). The owner's comment is added when the
/// rule is applied.
/// </summary>
internal sealed record BridgeRule(string Table, string Chain, string Spec)
{
    public IpFamily Family { get; init; } = IpFamily.IPv4;

    public override string ToString() => $"{(Family == IpFamily.IPv6 ? "ip6tables" : "iptables")} -t {Table} -A {Chain} {Spec}";
}

/// <summary>The iptables tables the driver writes to.</summary>
internal static class FirewallTables
{
    public const string Filter = "filter";
    public const string Nat = "nat";
}

/// <summary>The families a network's rules live in.</summary>
internal static class IpFamilies
{
    public static readonly IReadOnlyList<IpFamily> IPv4Only = [IpFamily.IPv4];

    public static readonly IReadOnlyList<IpFamily> Both = [IpFamily.IPv4, IpFamily.IPv6];
}
