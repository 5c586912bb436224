using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Linux;

namespace Netstack.Firewall.Iptables;

/// <summary>
/// <see cref="IFirewall"/> on iptables/ip6tables: one <c>iptables-restore --noflush</c> per change,
/// whose input deletes the owner's old rules and adds its new ones. What to delete comes from an
/// in-memory view of the tables (<see cref="IptablesSnapshot"/>): read once with <c>iptables-save</c>,
/// then moved forward by every script that succeeded, so a change runs one process instead of a
/// save + restore pair, and removing an owner that has nothing runs none. The view can go stale
/// only through somebody else's changes; a script built from a stale view is refused by
/// iptables-restore (a <c>-D</c> of a rule that is gone, an <c>-A</c> to a chain that is gone), and
/// then the tables are read again and the change is built and written once more.
/// <see cref="ListOwnersAsync"/> (reconcile) always reads the tables afresh. The family of the rule set picks the programs (<c>ip6tables-save</c> and
/// <c>ip6tables-restore</c> for IPv6); the two families' tables are separate in the kernel, so an
/// owner's IPv4 and IPv6 rules are applied and removed independently. Runs in the namespace given
/// to the constructor (tests, a driver's host namespace), else in the caller's namespace.
/// <para>Besides the view it keeps the rule sets applied (and ensured) and not removed since:
/// what netstack means the tables to hold. <see cref="RepairAsync"/> compares the live tables with
/// them (one <c>iptables-save -t TABLE</c> per table they use) and, when somebody else flushed,
/// deleted or changed any of it, writes them all again in one restore per table.</para>
/// </summary>
public sealed class IptablesFirewall : IFirewall
{
    private readonly IIptablesRunner _runner;
    private readonly ILogger _logger;

    // Reading the state and writing the change must not interleave with another change of ours.
    private readonly SemaphoreSlim _gate = new(1, 1);

    // The view of each family's tables (under _gate); absent until first read, dropped when a
    // script built from it fails.
    private readonly Dictionary<IpFamily, IptablesSnapshot> _views = [];

    // Per family, the rule sets applied and not removed (under _gate), in the order last applied; a
    // set with neither chains nor rules is not kept.
    private readonly Dictionary<IpFamily, List<FirewallRuleSet>> _applied = [];

    // Per family: bumped by every change of _applied. A repair that did not hold (the tables read
    // back still differ) is not tried again until the applied sets change, so a difference the check
    // cannot see past does not rewrite the tables every time it runs.
    private readonly Dictionary<IpFamily, long> _generation = [];
    private readonly Dictionary<IpFamily, long> _repairFailedAt = [];

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
            // An empty set for an owner with nothing in this family: nothing to write.
            await ChangeAsync(ruleSet.Family, current => RestoreScript.ForApply(ruleSet, current), cancellationToken).ConfigureAwait(false);
            Keep(ruleSet);
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
            await ChangeAsync(family, current => RestoreScript.ForRemoval(owners, current), cancellationToken).ConfigureAwait(false);
            Forget(family, owners);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<string>> ListOwnersAsync(IpFamily family, CancellationToken cancellationToken = default)
    {
        // Reconcile asks this to learn what the kernel holds now (another tool may have flushed or
        // added rules): read the tables, and keep what was read as the view.
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await ReadAsync(family, cancellationToken).ConfigureAwait(false);
            return current.Owners().ToList();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<bool> EnsureAsync(FirewallRuleSet ruleSet, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await ReadAsync(ruleSet.Family, cancellationToken).ConfigureAwait(false);
            var drift = DriftCheck.Compare(ruleSet.Family, [ruleSet], current);
            if (drift.Found)
            {
                IptablesLog.Applying(_logger, ruleSet.Owner, ruleSet.Family, ruleSet.Chains.Count, ruleSet.Rules.Count);
                await ChangeAsync(ruleSet.Family, view => RestoreScript.ForApply(ruleSet, view), cancellationToken).ConfigureAwait(false);
            }
            Keep(ruleSet);
            return drift.Found;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<FirewallDrift> RepairAsync(IpFamily family, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_applied.TryGetValue(family, out var sets) || sets.Count == 0)
            {
                return FirewallDrift.None(family);
            }
            var tables = sets.SelectMany(s => s.TablesUsed).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var live = await ReadTablesAsync(family, tables, cancellationToken).ConfigureAwait(false);
            var drift = DriftCheck.Compare(family, sets, live);
            var generation = _generation.GetValueOrDefault(family);
            if (!drift.Found || _repairFailedAt.TryGetValue(family, out var failed) && failed == generation)
            {
                return drift;
            }
            var started = Stopwatch.GetTimestamp();
            // Whatever happens now, the view no longer describes the tables.
            _views.Remove(family);
            await RestoreAsync(family, RestoreScript.ForRepair(sets, live), logFailure: true, cancellationToken).ConfigureAwait(false);
            var after = DriftCheck.Compare(family, sets, await ReadTablesAsync(family, tables, cancellationToken).ConfigureAwait(false));
            if (after.Found)
            {
                _repairFailedAt[family] = generation;
                IptablesLog.RepairDidNotHold(_logger, family, after.Summary());
                return drift;
            }
            IptablesLog.Repaired(_logger, family, drift.Summary(), sets.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return drift with { Repaired = true };
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Records <paramref name="ruleSet"/> as what its owner has now (last in order). Called under <see cref="_gate"/>.</summary>
    private void Keep(FirewallRuleSet ruleSet)
    {
        if (!_applied.TryGetValue(ruleSet.Family, out var sets))
        {
            sets = [];
            _applied[ruleSet.Family] = sets;
        }
        sets.RemoveAll(s => s.Owner == ruleSet.Owner);
        if (ruleSet.Chains.Count > 0 || ruleSet.Rules.Count > 0)
        {
            sets.Add(ruleSet);
        }
        _generation[ruleSet.Family] = _generation.GetValueOrDefault(ruleSet.Family) + 1;
    }

    /// <summary>Forgets the rule sets of <paramref name="owners"/>. Called under <see cref="_gate"/>.</summary>
    private void Forget(IpFamily family, IReadOnlyCollection<string> owners)
    {
        if (_applied.TryGetValue(family, out var sets))
        {
            sets.RemoveAll(s => owners.Contains(s.Owner));
        }
        _generation[family] = _generation.GetValueOrDefault(family) + 1;
    }

    /// <summary>
    /// Builds a script from the view with <paramref name="build"/> and writes it; on success the view
    /// moves forward by it. A script from a view already held that iptables-restore refuses is built
    /// again from a fresh read and written once more (the view may be stale); a script from a fresh
    /// read that fails is an error. Called under <see cref="_gate"/>.
    /// </summary>
    private async Task ChangeAsync(IpFamily family, Func<IptablesSnapshot, string> build, CancellationToken cancellationToken)
    {
        var fresh = !_views.TryGetValue(family, out var view);
        view ??= await ReadAsync(family, cancellationToken).ConfigureAwait(false);
        var script = build(view);
        if (script.Length == 0)
        {
            return;
        }
        try
        {
            await RestoreAsync(family, script, logFailure: fresh, cancellationToken).ConfigureAwait(false);
        }
        catch (FirewallException) when (!fresh)
        {
            IptablesLog.ViewStale(_logger, family);
            view = await ReadAsync(family, cancellationToken).ConfigureAwait(false);
            script = build(view);
            if (script.Length == 0)
            {
                return;
            }
            await RestoreAsync(family, script, logFailure: true, cancellationToken).ConfigureAwait(false);
        }
        view.Apply(script);
    }

    private async Task<IptablesSnapshot> ReadAsync(IpFamily family, CancellationToken cancellationToken)
    {
        _views.Remove(family);
        var program = IptablesPrograms.Save(family);
        var save = await _runner.RunAsync(program, [], null, cancellationToken).ConfigureAwait(false);
        var view = IptablesSnapshot.Parse(save);
        _views[family] = view;
        return view;
    }

    /// <summary>The live <paramref name="tables"/> only (one <c>iptables-save -t TABLE</c> each); not kept as the view, which covers every table.</summary>
    private async Task<IptablesSnapshot> ReadTablesAsync(IpFamily family, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        var program = IptablesPrograms.Save(family);
        var save = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            save.Append(await _runner.RunAsync(program, ["-t", table], null, cancellationToken).ConfigureAwait(false)).Append('\n');
        }
        return IptablesSnapshot.Parse(save.ToString());
    }

    private async Task RestoreAsync(IpFamily family, string script, bool logFailure, CancellationToken cancellationToken)
    {
        var program = IptablesPrograms.Restore(family);
        try
        {
            // -w: wait for the xtables lock instead of failing when another tool holds it.
            await _runner.RunAsync(program, ["--noflush", "-w"], script, cancellationToken).ConfigureAwait(false);
        }
        catch (FirewallException)
        {
            // The view is not known to match the kernel any more, whatever happens next.
            _views.Remove(family);
            if (logFailure)
            {
                IptablesLog.RestoreFailed(_logger, program, script);
            }
            throw;
        }
        catch (Exception)
        {
            // Cancelled (or the process lost) while the restore ran: it may or may not have been
            // applied, so the next change reads the tables again.
            _views.Remove(family);
            throw;
        }
    }
}
