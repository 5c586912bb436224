using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Linux;
using Netstack.Linux.Netfilter;

namespace Netstack.Firewall.Nftables;

/// <summary>
/// <see cref="IFirewall"/> on nf_tables, spoken over nfnetlink by netstack itself (no process): the
/// same rule sets as the iptables backend, translated (<see cref="RuleTranslator"/>) into one table
/// of netstack's own per family, <c>ip netstack</c> and <c>ip6 netstack</c>. iptables' chain
/// TABLE/CHAIN becomes the chain <c>TABLE-CHAIN</c> there; the built-in chains become base chains
/// on the same hooks and priorities iptables-nft uses (filter FORWARD at 0, nat PREROUTING and OUTPUT
/// at -100, nat POSTROUTING at 100), so nothing outside netstack's table is ever written.
/// <para>Every change is one batch, applied by the kernel all or nothing, worked out from an
/// in-memory view of the table (<see cref="NftablesView"/>): read once, then moved forward by every
/// batch that succeeded, so a change reads nothing. A batch built from a view gone stale (somebody
/// else changed the table) that the kernel refuses is built again from a fresh read and written once
/// more. <see cref="ListOwnersAsync"/> (reconcile) always reads afresh.</para>
/// <para>As the iptables backend, it keeps the rule sets applied and not removed since;
/// <see cref="RepairAsync"/> reads the table, compares, and when anything differs deletes the table
/// and writes it whole again in one batch.</para>
/// </summary>
public sealed class NftablesFirewall : IFirewall, IDisposable
{
    /// <summary>The name of netstack's table in each family.</summary>
    public const string TableName = "netstack";

    private readonly INftablesKernel _kernel;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<IpFamily, NftablesView> _views = [];
    private readonly Dictionary<IpFamily, List<FirewallRuleSet>> _applied = [];
    private readonly Dictionary<IpFamily, long> _generation = [];
    private readonly Dictionary<IpFamily, long> _repairFailedAt = [];

    public NftablesFirewall(NetworkNamespace? ns = null, ILogger<NftablesFirewall>? logger = null)
        : this(new NftablesKernel(ns), logger)
    {
    }

    internal NftablesFirewall(INftablesKernel kernel, ILogger? logger = null)
    {
        _kernel = kernel;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Checks that this kernel has nf_tables with what the rules use (a NAT base chain, masquerade,
    /// fib, ct) by writing and deleting a table in one throwaway batch in <paramref name="ns"/>;
    /// throws a <see cref="FirewallException"/> saying what is missing.
    /// </summary>
    public static void Probe(NetworkNamespace? ns = null)
    {
        using var kernel = new NftablesKernel(ns);
        const string probe = "netstack-probe";
        var rule = NftRule.Of([new NftFibAddressType(Source: true), new NftCmp(NftCmpOp.Equal, BitConverter.GetBytes(NftFibAddressType.Local)), new NftCtState(),
            new NftBitwise(BitConverter.GetBytes(NftCtState.Established), new byte[4]), new NftCmp(NftCmpOp.NotEqual, new byte[4]), new NftMasquerade()], null);
        var batch = new NftBatch(NftFamily.IPv4)
            .TableAdd(probe)
            .ChainAdd(probe, "nat-POSTROUTING", RuleTranslator.HookOf("nat", "POSTROUTING"))
            .RuleAppend(probe, "nat-POSTROUTING", rule)
            .TableDelete(probe);
        kernel.Commit(batch);
    }

    public async Task ApplyAsync(FirewallRuleSet ruleSet, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        NftablesLog.Applying(_logger, ruleSet.Owner, ruleSet.Family, ruleSet.Chains.Count, ruleSet.Rules.Count);
        var rules = Translate(ruleSet);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Change(ruleSet.Family, view => WithApplied(view, ruleSet, rules));
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
            NftablesLog.Removing(_logger, owner, family);
        }
        if (owners.Count == 0)
        {
            return;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Change(family, view => WithRemoved(view, owners.ToHashSet(StringComparer.Ordinal)));
            if (_applied.TryGetValue(family, out var sets))
            {
                sets.RemoveAll(s => owners.Contains(s.Owner));
            }
            _generation[family] = _generation.GetValueOrDefault(family) + 1;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<string>> ListOwnersAsync(IpFamily family, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Read(family).Owners().ToList();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<bool> EnsureAsync(FirewallRuleSet ruleSet, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        var rules = Translate(ruleSet);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var drift = Compare(ruleSet.Family, [ruleSet], Read(ruleSet.Family));
            if (drift.Found)
            {
                NftablesLog.Applying(_logger, ruleSet.Owner, ruleSet.Family, ruleSet.Chains.Count, ruleSet.Rules.Count);
                Change(ruleSet.Family, view => WithApplied(view, ruleSet, rules));
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
            var live = Read(family);
            var drift = Compare(family, sets, live);
            var generation = _generation.GetValueOrDefault(family);
            if (!drift.Found || _repairFailedAt.TryGetValue(family, out var failed) && failed == generation)
            {
                return drift;
            }
            var started = Stopwatch.GetTimestamp();
            var repaired = ForRepair(live, sets);
            _views.Remove(family);
            Commit(repaired.BatchTo(live, NftFamilyOf(family), TableName, rebuild: true), logFailure: true);
            var after = Compare(family, sets, Read(family));
            if (after.Found)
            {
                _repairFailedAt[family] = generation;
                NftablesLog.RepairDidNotHold(_logger, family, after.Summary());
                return drift;
            }
            NftablesLog.Repaired(_logger, family, drift.Summary(), sets.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return drift with { Repaired = true };
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _kernel.Dispose();
        _gate.Dispose();
    }

    internal static NftFamily NftFamilyOf(IpFamily family) => family == IpFamily.IPv6 ? NftFamily.IPv6 : NftFamily.IPv4;

    /// <summary>The rule set's rules as nf_tables rules carrying the owner's comment, refused here if any has no translation.</summary>
    internal static List<(FirewallRule Rule, NftRule Nft)> Translate(FirewallRuleSet set)
    {
        foreach (var chain in set.Chains)
        {
            RuleTranslator.CheckTable(set.Owner, chain.Table);
        }
        var rules = new List<(FirewallRule, NftRule)>();
        foreach (var rule in set.Rules)
        {
            RuleTranslator.CheckTable(set.Owner, rule.Table);
            if (!FirewallNames.IsOwnedChainName(rule.Chain) && RuleTranslator.HookOf(rule.Table, rule.Chain) is null)
            {
                throw new FirewallException($"firewall (nftables) apply {set.Owner}: {rule.Table}/{rule.Chain} has no nftables hook");
            }
            rules.Add((rule, NftRule.Of(RuleTranslator.Translate(rule, set.Family), FirewallNames.RuleCommentPrefix + set.Owner)));
        }
        return rules;
    }

    internal static NftRule Marker(string owner) => NftRule.Of([], FirewallNames.ChainCommentPrefix + owner);

    /// <summary>
    /// The view with <paramref name="set"/> in place of whatever its owner had: its chains created or
    /// emptied (then opened with its marker), its rules elsewhere gone, chains it no longer declares
    /// deleted; then its rules appended and its inserts put on top in their order, as iptables-restore
    /// would with the iptables backend's script.
    /// </summary>
    internal static NftablesView WithApplied(NftablesView current, FirewallRuleSet set, IReadOnlyList<(FirewallRule Rule, NftRule Nft)> rules)
    {
        var view = current.Clone();
        var owner = set.Owner;
        var declared = set.Chains.Select(c => RuleTranslator.ChainName(c.Table, c.Name)).ToHashSet(StringComparer.Ordinal);
        var stale = view.ChainsOwnedBy(owner).Where(c => !declared.Contains(c)).ToList();
        foreach (var (rule, _) in rules)
        {
            var name = RuleTranslator.ChainName(rule.Table, rule.Chain);
            if (FirewallNames.IsOwnedChainName(rule.Chain) && !declared.Contains(name) && (!view.Chains.ContainsKey(name) || stale.Contains(name)))
            {
                throw new FirewallException($"firewall apply {owner}: rule in {rule.Table}/{rule.Chain}, a chain that neither exists nor is declared by this rule set");
            }
        }
        foreach (var chain in view.Chains.Values)
        {
            chain.Rules.RemoveAll(r => NftablesView.RuleOwner(r) == owner);
        }
        RemoveChains(view, stale, [owner]);
        foreach (var name in declared.Order(StringComparer.Ordinal))
        {
            var chain = view.ChainOrAdd(name, null);
            chain.Rules.Clear();
            chain.Rules.Add(Marker(owner));
        }
        AddRules(view, rules);
        return view;
    }

    internal static NftablesView WithRemoved(NftablesView current, IReadOnlySet<string> owners)
    {
        var view = current.Clone();
        var chains = owners.SelectMany(view.ChainsOwnedBy).Distinct(StringComparer.Ordinal).ToList();
        foreach (var chain in view.Chains.Values)
        {
            chain.Rules.RemoveAll(r => NftablesView.RuleOwner(r) is { } o && owners.Contains(o));
        }
        RemoveChains(view, chains, owners);
        return view;
    }

    /// <summary>
    /// What a repair writes: the table as read, less every rule of the applied owners and every rule
    /// that is no owner's, with each applied set written again; sets that own chains first (their
    /// chains emptied and opened with the marker), so the anchors come before the rules other owners append.
    /// </summary>
    internal static NftablesView ForRepair(NftablesView live, IReadOnlyList<FirewallRuleSet> sets)
    {
        var view = live.Clone();
        var owners = sets.Select(s => s.Owner).ToHashSet(StringComparer.Ordinal);
        foreach (var chain in view.Chains.Values.ToList())
        {
            chain.Rules.RemoveAll(r => (NftablesView.RuleOwner(r) ?? NftablesView.MarkerOwner(r)) is not { } o || owners.Contains(o));
            // A base chain somebody changed (hook, priority, policy) is written again as netstack's.
            var name = chain.Name;
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            var hook = dash > 0 ? RuleTranslator.HookOf(name[..dash], name[(dash + 1)..]) : null;
            if (chain.Hook != hook || !chain.PolicyAccept)
            {
                view.ChainRemove(name);
                view.ChainOrAdd(name, hook).Rules.AddRange(chain.Rules);
            }
        }
        foreach (var set in sets.Where(s => s.Chains.Count > 0).Concat(sets.Where(s => s.Chains.Count == 0)))
        {
            foreach (var chain in set.Chains.Select(c => RuleTranslator.ChainName(c.Table, c.Name)).Order(StringComparer.Ordinal))
            {
                var existing = view.ChainOrAdd(chain, null);
                existing.Rules.Clear();
                existing.Rules.Add(Marker(set.Owner));
            }
        }
        foreach (var set in sets.Where(s => s.Chains.Count > 0).Concat(sets.Where(s => s.Chains.Count == 0)))
        {
            AddRules(view, Translate(set));
        }
        return view;
    }

    /// <summary>
    /// Compares the table read with the applied sets: every declared chain and base chain is there
    /// (a base chain on its hook, policy accept), every marker and rule as many times as applied, and
    /// nothing else under the applied owners' names or without an owner.
    /// </summary>
    internal static FirewallDrift Compare(IpFamily family, IReadOnlyCollection<FirewallRuleSet> sets, NftablesView live)
    {
        var owners = sets.Select(s => s.Owner).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        var unexpected = new List<string>();
        var expected = new Dictionary<(string Chain, string Key), (int Count, string Text)>();
        var missingChains = new HashSet<string>(StringComparer.Ordinal);
        void Expect(string chain, string key, string text)
        {
            expected[(chain, key)] = expected.TryGetValue((chain, key), out var seen) ? (seen.Count + 1, seen.Text) : (1, text);
        }
        void RequireChain(string chain, NftHook? hook, string owner)
        {
            if (!live.Chains.TryGetValue(chain, out var found))
            {
                if (missingChains.Add(chain))
                {
                    missing.Add($"chain {chain} of {owner}");
                }
            }
            else if (found.Hook != hook || !found.PolicyAccept)
            {
                if (missingChains.Add(chain))
                {
                    unexpected.Add($"chain {chain}: hook or policy changed");
                }
            }
        }
        foreach (var set in sets)
        {
            foreach (var chain in set.Chains)
            {
                var name = RuleTranslator.ChainName(chain.Table, chain.Name);
                RequireChain(name, null, set.Owner);
                Expect(name, Marker(set.Owner).Key, $"{FirewallNames.ChainCommentPrefix}{set.Owner}");
            }
            foreach (var (rule, nft) in Translate(set))
            {
                var name = RuleTranslator.ChainName(rule.Table, rule.Chain);
                if (!FirewallNames.IsOwnedChainName(rule.Chain))
                {
                    RequireChain(name, RuleTranslator.HookOf(rule.Table, rule.Chain), set.Owner);
                }
                Expect(name, nft.Key, $"{string.Join(' ', rule.Arguments)} ({set.Owner})");
            }
        }
        var found = new Dictionary<(string Chain, string Key), (int Count, string Text)>();
        foreach (var chain in live.Chains.Values)
        {
            foreach (var rule in chain.Rules)
            {
                var owner = NftablesView.RuleOwner(rule) ?? NftablesView.MarkerOwner(rule);
                if (owner is not null && !owners.Contains(owner))
                {
                    continue;
                }
                var key = (chain.Name, rule.Key);
                found[key] = found.TryGetValue(key, out var seen) ? (seen.Count + 1, seen.Text) : (1, rule.Comment ?? rule.Key);
            }
        }
        foreach (var (key, (count, text)) in expected)
        {
            var lacking = count - (found.TryGetValue(key, out var seen) ? seen.Count : 0);
            if (lacking > 0 && !missingChains.Contains(key.Chain))
            {
                missing.Add(Describe(key.Chain, text, lacking));
            }
        }
        foreach (var (key, (count, text)) in found)
        {
            var extra = count - (expected.TryGetValue(key, out var want) ? want.Count : 0);
            if (extra > 0)
            {
                unexpected.Add(Describe(key.Chain, text, extra));
            }
        }
        return new FirewallDrift(family, missing, unexpected);
    }

    private static string Describe(string chain, string text, int count) =>
        $"{TableName} {chain}: {text}{(count > 1 ? $" (x{count})" : "")}";

    private static void AddRules(NftablesView view, IReadOnlyList<(FirewallRule Rule, NftRule Nft)> rules)
    {
        var inserts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (rule, nft) in rules)
        {
            var name = RuleTranslator.ChainName(rule.Table, rule.Chain);
            var chain = view.ChainOrAdd(name, RuleTranslator.HookOf(rule.Table, rule.Chain));
            if (rule.Insert)
            {
                // On top, in the listed order (iptables -I of each in reverse).
                var at = inserts.GetValueOrDefault(name);
                chain.Rules.Insert(at, nft);
                inserts[name] = at + 1;
            }
            else
            {
                chain.Rules.Add(nft);
            }
        }
    }

    private static void RemoveChains(NftablesView view, IReadOnlyCollection<string> chains, IReadOnlyCollection<string> owners)
    {
        foreach (var name in chains)
        {
            var foreign = view.Chains.Values
                .Where(c => !chains.Contains(c.Name))
                .SelectMany(c => c.Rules.Select(r => (Chain: c.Name, Rule: r)))
                .FirstOrDefault(p => p.Rule.Key.Contains($"chain:{name}}}", StringComparison.Ordinal)
                    && !(NftablesView.RuleOwner(p.Rule) is { } o && owners.Contains(o)));
            if (foreign.Rule is not null)
            {
                throw new FirewallException($"firewall (nftables): cannot delete chain {name} of owner {string.Join(", ", owners)}: a rule in {foreign.Chain} ({foreign.Rule.Comment ?? "no owner"}) jumps to it");
            }
        }
        foreach (var name in chains)
        {
            view.ChainRemove(name);
        }
    }

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

    /// <summary>Builds the change from the view and writes it; on a refusal from a view not read just now, reads and tries once more.</summary>
    private void Change(IpFamily family, Func<NftablesView, NftablesView> build)
    {
        var fresh = !_views.TryGetValue(family, out var view);
        view ??= Read(family);
        var next = build(view);
        var batch = next.BatchTo(view, NftFamilyOf(family), TableName);
        try
        {
            Commit(batch, logFailure: fresh);
        }
        catch (FirewallException) when (!fresh)
        {
            NftablesLog.ViewStale(_logger, family);
            view = Read(family);
            next = build(view);
            Commit(next.BatchTo(view, NftFamilyOf(family), TableName), logFailure: true);
        }
        _views[family] = next;
    }

    private NftablesView Read(IpFamily family)
    {
        _views.Remove(family);
        var view = NftablesView.Of(_kernel.Read(NftFamilyOf(family), TableName));
        _views[family] = view;
        return view;
    }

    private void Commit(NftBatch batch, bool logFailure)
    {
        if (batch.Count == 0)
        {
            return; // nothing changed: no batch at all
        }
        try
        {
            _kernel.Commit(batch);
        }
        catch (FirewallException e)
        {
            _views.Remove(batch.Family == NftFamily.IPv6 ? IpFamily.IPv6 : IpFamily.IPv4);
            if (logFailure)
            {
                NftablesLog.BatchFailed(_logger, batch.Count, e.Message);
            }
            throw;
        }
        catch (Exception)
        {
            _views.Remove(batch.Family == NftFamily.IPv6 ? IpFamily.IPv6 : IpFamily.IPv4);
            throw;
        }
    }
}
