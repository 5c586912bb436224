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

    /// <summary>
    /// Makes the firewall hold <paramref name="ruleSet"/> for its owner, writing it only when the tables
    /// (read afresh) lack any of it or hold more of it: a rule set that is already there, as a
    /// previous daemon left it, keeps its chains and what other owners added to them. Either way the
    /// set is now one <see cref="RepairAsync"/> keeps in place. True when it was written.
    /// </summary>
    Task<bool> EnsureAsync(FirewallRuleSet ruleSet, CancellationToken cancellationToken = default);

    /// <summary>
    /// Compares the live tables of <paramref name="family"/> with every rule set applied (or ensured)
    /// and not removed since; when somebody else deleted or changed any of it (<c>iptables -F</c>,
    /// <c>-X</c>, <c>firewall-cmd --reload</c>), writes the whole ruleset again, without duplicates,
    /// and says what differed. Nothing is written when nothing differs.
    /// </summary>
    Task<FirewallDrift> RepairAsync(IpFamily family, CancellationToken cancellationToken = default);
}
