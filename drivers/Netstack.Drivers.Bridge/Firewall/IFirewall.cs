namespace Netstack.Drivers.Bridge;

/// <summary>
/// What the driver needs from the firewall: an owner's rules replaced atomically, owners removed,
/// owners listed. <see cref="NetstackFirewall"/> implements it on Netstack.Firewall.
/// </summary>
internal interface IFirewall
{
    /// <summary>Replaces every rule of <paramref name="owner"/> with <paramref name="rules"/> (idempotent).</summary>
    Task ApplyAsync(string owner, IReadOnlyList<BridgeRule> rules, CancellationToken cancellationToken);

    /// <summary>Removes every rule of each owner; an owner without rules: success.</summary>
    Task RemoveAsync(IReadOnlyCollection<string> owners, CancellationToken cancellationToken);

    /// <summary>Owners that have rules in netstack's chains now (the driver's base owner excluded).</summary>
    Task<IReadOnlySet<string>> OwnersAsync(CancellationToken cancellationToken);
}
