namespace Netstack.Drivers.Bridge;

/// <summary>
/// Rule sets applied atomically and removed by owner. Netstack.Firewall is to provide this; until it
/// does, <see cref="IptablesFirewall"/> implements it over iptables-restore in the host namespace.
/// </summary>
internal interface IFirewall
{
    /// <summary>Replaces every rule of <paramref name="owner"/> with <paramref name="rules"/> in one batch (idempotent).</summary>
    void Apply(string owner, IReadOnlyList<FirewallRule> rules);

    /// <summary>Removes every rule of <paramref name="owner"/>; none: success.</summary>
    void Remove(string owner);

    /// <summary>Removes the rules of all <paramref name="owners"/> in one batch.</summary>
    void Remove(IReadOnlyCollection<string> owners);

    /// <summary>Owners that have rules in netstack's chains now.</summary>
    IReadOnlySet<string> Owners();
}
