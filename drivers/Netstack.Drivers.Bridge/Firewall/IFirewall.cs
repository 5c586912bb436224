using Netstack.Firewall;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// What the driver needs from the firewall: an owner's rules replaced atomically per family,
/// owners removed, owners listed. <see cref="NetstackFirewall"/> implements it on Netstack.Firewall.
/// </summary>
internal interface IFirewall
{
    /// <summary>
    /// Replaces every rule of <paramref name="owner"/> in each of <paramref name="families"/> with
    /// the rules of that family in <paramref name="rules"/> (none: the owner's rules there go);
    /// idempotent. A rule of a family not listed is a programming error.
    /// </summary>
    Task ApplyAsync(string owner, IReadOnlyList<BridgeRule> rules, IReadOnlyCollection<IpFamily> families, CancellationToken cancellationToken);

    /// <summary>Removes every rule of each owner in each family; an owner without rules: success.</summary>
    Task RemoveAsync(IReadOnlyCollection<string> owners, IReadOnlyCollection<IpFamily> families, CancellationToken cancellationToken);

    /// <summary>Owners that have rules in netstack's chains of <paramref name="family"/> now (the driver's base owner excluded).</summary>
    Task<IReadOnlySet<string>> OwnersAsync(IpFamily family, CancellationToken cancellationToken);

    /// <summary>
    /// In each family: compares the live tables with every rule the driver applied and, when somebody
    /// else flushed, deleted or changed any of them, writes them all again; says what differed.
    /// </summary>
    Task<IReadOnlyList<FirewallDrift>> RepairAsync(CancellationToken cancellationToken);
}
