namespace Netstack.Firewall;

/// <summary>
/// Everything one owner (a network, an endpoint's published ports, the driver's base rules) has in
/// the firewall of one family. Applying it replaces what that owner had, atomically; removing the
/// owner deletes its rules and chains and nothing else.
/// </summary>
public sealed record FirewallRuleSet
{
    public FirewallRuleSet(string owner, IpFamily family, IReadOnlyList<FirewallChain> chains, IReadOnlyList<FirewallRule> rules)
    {
        FirewallNames.ValidateOwner(owner);
        ArgumentNullException.ThrowIfNull(chains);
        ArgumentNullException.ThrowIfNull(rules);
        var duplicate = chains.GroupBy(c => (c.Table, c.Name)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"chain {duplicate.Key.Table}/{duplicate.Key.Name} is declared twice", nameof(chains));
        }
        if (!Enum.IsDefined(family))
        {
            throw new ArgumentOutOfRangeException(nameof(family), family, "use IpFamily.IPv4 or IpFamily.IPv6");
        }
        foreach (var rule in rules)
        {
            ArgumentNullException.ThrowIfNull(rule, nameof(rules));
            FirewallAddresses.Validate(owner, family, rule);
        }
        Owner = owner;
        Family = family;
        Chains = chains.ToArray();
        Rules = rules.ToArray();
    }

    public string Owner { get; }

    public IpFamily Family { get; }

    public IReadOnlyList<FirewallChain> Chains { get; }

    public IReadOnlyList<FirewallRule> Rules { get; }

    internal IEnumerable<string> TablesUsed =>
        Chains.Select(c => c.Table).Concat(Rules.Select(r => r.Table)).Distinct(StringComparer.Ordinal);
}
