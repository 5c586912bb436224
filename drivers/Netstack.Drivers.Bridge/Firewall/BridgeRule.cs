namespace Netstack.Drivers.Bridge;

/// <summary>
/// One iptables rule as data: the table, the chain and the rule's match and target in iptables'
/// own syntax (<c>-o br-x -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT</c>). The owner's
/// comment is added when the rule is applied.
/// </summary>
internal sealed record BridgeRule(string Table, string Chain, string Spec)
{
    public override string ToString() => $"-t {Table} -A {Chain} {Spec}";
}

/// <summary>The iptables tables the driver writes to.</summary>
internal static class FirewallTables
{
    public const string Filter = "filter";
    public const string Nat = "nat";
}
