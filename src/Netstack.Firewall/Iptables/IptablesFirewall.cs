using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Linux;

namespace Netstack.Firewall.Iptables;

/// <summary>
/// <see cref="IFirewall"/> on iptables/ip6tables: read the state with <c>iptables-save</c>, then
/// change it with one <c>iptables-restore --noflush</c> whose input deletes the owner's old rules
/// and adds its new ones. The family of the rule set picks the programs (<c>ip6tables-save</c> and
/// <c>ip6tables-restore</c> for IPv6); the two families' tables are separate in the kernel, so an
/// owner's IPv4 and IPv6 rules are applied and removed independently. Runs in the namespace given
/// to the constructor (tests, a driver's host namespace), else in the caller's namespace.
/// </summary>
public sealed class IptablesFirewall : IFirewall
{
    private readonly IIptablesRunner _runner;
    private readonly ILogger _logger;

    // Reading the state and writing the change must not interleave with another change of ours.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public IptablesFirewall(NetworkNamespace? ns = null, ILogger<IptablesFirewall>? logger = null)
        : this(new IptablesRunner(ns), logger)
    {
    }

    /// <summary>For tests: the programs are run by <paramref name="runner"/>.</summary>
    internal IptablesFirewall(IIptablesRunner runner, ILogger? logger = null)
    {
        _runner = runner;
        _logger = logger ?? NullLogger.Instance;
    }

    public async Task ApplyAsync(FirewallRuleSet ruleSet, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        IptablesLog.Applying(_logger, ruleSet.Owner, ruleSet.Family, ruleSet.Chains.Count, ruleSet.Rules.Count);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await SnapshotAsync(ruleSet.Family, cancellationToken).ConfigureAwait(false);
            var script = RestoreScript.ForApply(ruleSet, current);
            // An empty set for an owner with nothing in this family: nothing to write.
            if (script.Length > 0)
            {
                await RestoreAsync(ruleSet.Family, script, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task RemoveOwnerAsync(string owner, IpFamily family, CancellationToken cancellationToken = default) =>
        RemoveOwnersAsync([owner], family, cancellationToken);

    public async Task RemoveOwnersAsync(IReadOnlyCollection<string> owners, IpFamily family, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owners);
        foreach (var owner in owners)
        {
            FirewallNames.ValidateOwner(owner);
            IptablesLog.Removing(_logger, owner, family);
        }
        if (owners.Count == 0)
        {
            return;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await SnapshotAsync(family, cancellationToken).ConfigureAwait(false);
            var script = RestoreScript.ForRemoval(owners, current);
            if (script.Length > 0)
            {
                await RestoreAsync(family, script, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<string>> ListOwnersAsync(IpFamily family, CancellationToken cancellationToken = default)
    {
        var current = await SnapshotAsync(family, cancellationToken).ConfigureAwait(false);
        return current.Owners().ToList();
    }

    private async Task<IptablesSnapshot> SnapshotAsync(IpFamily family, CancellationToken cancellationToken)
    {
        var program = IptablesPrograms.Save(family);
        var save = await _runner.RunAsync(program, [], null, cancellationToken).ConfigureAwait(false);
        return IptablesSnapshot.Parse(save);
    }

    private async Task RestoreAsync(IpFamily family, string script, CancellationToken cancellationToken)
    {
        var program = IptablesPrograms.Restore(family);
        try
        {
            // -w: wait for the xtables lock instead of failing when another tool holds it.
            await _runner.RunAsync(program, ["--noflush", "-w"], script, cancellationToken).ConfigureAwait(false);
        }
        catch (FirewallException)
        {
            IptablesLog.RestoreFailed(_logger, program, script);
            throw;
        }
    }
}
