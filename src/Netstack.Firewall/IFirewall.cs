namespace Netstack.Firewall;

/// <summary>Netstack's firewall: owners' rule sets applied atomically into netstack's own chains.</summary>
public interface IFirewall
{
    /// <summary>Makes the firewall hold exactly <paramref name="ruleSet"/> for its owner (idempotent, atomic per table).</summary>
    Task ApplyAsync(FirewallRuleSet ruleSet, CancellationToken cancellationToken = default);

    /// <summary>Deletes the owner's rules and chains in <paramref name="family"/>; nothing of other owners or of the system.</summary>
    Task RemoveOwnerAsync(string owner, IpFamily family, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the rules and chains of every one of <paramref name="owners"/> in <paramref name="family"/>
    /// with one read and one atomic write per table; nothing of other owners or of the system.
    /// </summary>
    Task RemoveOwnersAsync(IReadOnlyCollection<string> owners, IpFamily family, CancellationToken cancellationToken = default);

    /// <summary>The owners that have rules or chains in <paramref name="family"/> (for reconciling after a restart).</summary>
    Task<IReadOnlyList<string>> ListOwnersAsync(IpFamily family, CancellationToken cancellationToken = default);
}
