namespace Netstack.Firewall;

/// <summary>
/// A chain a rule set owns: created (or emptied) and filled on apply, deleted with its owner.
/// Equivalent to <c>iptables -t TABLE -N NAME</c>.
/// </summary>
public sealed record FirewallChain
{
    public FirewallChain(string table, string name)
    {
        FirewallNames.ValidateTable(table);
        FirewallNames.ValidateOwnedChain(name);
        Table = table;
        Name = name;
    }

    public string Table { get; }

    public string Name { get; }
}
