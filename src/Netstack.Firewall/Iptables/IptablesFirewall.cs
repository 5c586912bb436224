using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Linux;

namespace Netstack.Firewall.Iptables;

/// <summary>
/// <see cref="IFirewall"/> on iptables/ip6tables: read the state with <c>iptables-save</c>, then
/// change it with one <c>iptables-restore --noflush</c> whose input deletes the owner's old rules
/// and adds its new ones. Runs in <paramref name="ns"/> when given (tests), else in the caller's namespace.
/// </summary>
public sealed class IptablesFirewall(NetworkNamespace? ns = null, ILogger<IptablesFirewall>? logger = null) : IFirewall
{
    private readonly IptablesRunner _runner = new(ns);
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    // Reading the state and writing the change must not interleave with another change of ours.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task ApplyAsync(FirewallRuleSet ruleSet, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        IptablesLog.Applying(_logger, ruleSet.Owner, ruleSet.Family, ruleSet.Chains.Count, ruleSet.Rules.Count);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await SnapshotAsync(ruleSet.Family, cancellationToken).ConfigureAwait(false);
            var script = RestoreScript.ForApply(ruleSet, current);
            await RestoreAsync(ruleSet.Family, script, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task RemoveOwnerAsync(string owner, IpFamily family, CancellationToken cancellationToken = default)
    {
        FirewallNames.ValidateOwner(owner);
        IptablesLog.Removing(_logger, owner, family);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await SnapshotAsync(family, cancellationToken).ConfigureAwait(false);
            var script = RestoreScript.ForRemoval(owner, current);
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
        var program = family == IpFamily.IPv6 ? "ip6tables-save" : "iptables-save";
        var save = await _runner.RunAsync(program, [], null, cancellationToken).ConfigureAwait(false);
        return IptablesSnapshot.Parse(save);
    }

    private async Task RestoreAsync(IpFamily family, string script, CancellationToken cancellationToken)
    {
        var program = family == IpFamily.IPv6 ? "ip6tables-restore" : "iptables-restore";
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
