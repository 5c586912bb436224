using Netstack.Linux.Netfilter;

namespace Netstack.Firewall.Nftables;

/// <summary>
/// What netstack's nf_tables table of one family holds (or will hold once a batch is written):
/// its chains, base chains with their hooks, and every chain's rules in order. A change is worked
/// out on a copy (<see cref="Clone"/>), and <see cref="BatchTo"/> writes the difference: chains
/// added, every changed chain flushed and filled again in its new order, chains deleted; chains
/// that did not change are not touched. Rules carry their owner in their comment
/// (<c>netstack:OWNER</c>); each chain an owner declared starts with a marker rule without
/// expressions (<c>netstack-chain:OWNER</c>), as in the iptables backend.
/// </summary>
internal sealed class NftablesView
{
    private readonly Dictionary<string, Chain> _chains;

    private NftablesView(bool exists, Dictionary<string, Chain> chains)
    {
        Exists = exists;
        _chains = chains;
    }

    /// <summary>The table exists (false: nothing read, or it was deleted).</summary>
    public bool Exists { get; private set; }

    public IReadOnlyDictionary<string, Chain> Chains => _chains;

    public static NftablesView Empty() => new(false, new Dictionary<string, Chain>(StringComparer.Ordinal));

    public static NftablesView Of(NftTable? table)
    {
        var chains = new Dictionary<string, Chain>(StringComparer.Ordinal);
        if (table is not null)
        {
            foreach (var chain in table.Chains.Values)
            {
                chains[chain.Name] = new Chain(chain.Name, chain.Hook, chain.PolicyAccept, [.. chain.Rules]);
            }
        }
        return new(table is not null, chains);
    }

    public NftablesView Clone()
    {
        var chains = new Dictionary<string, Chain>(StringComparer.Ordinal);
        foreach (var (name, chain) in _chains)
        {
            chains[name] = chain with { Rules = [.. chain.Rules] };
        }
        return new(Exists, chains);
    }

    public static string? RuleOwner(NftRule rule) => OwnerAfter(rule.Comment, FirewallNames.RuleCommentPrefix);

    public static string? MarkerOwner(NftRule rule) => OwnerAfter(rule.Comment, FirewallNames.ChainCommentPrefix);

    /// <summary>Every owner with a rule or a chain here.</summary>
    public IEnumerable<string> Owners() =>
        _chains.Values.SelectMany(c => c.Rules).Select(r => RuleOwner(r) ?? MarkerOwner(r)).OfType<string>().Distinct(StringComparer.Ordinal);

    /// <summary>The chains whose marker names <paramref name="owner"/>.</summary>
    public IEnumerable<string> ChainsOwnedBy(string owner) =>
        _chains.Values.Where(c => c.Rules.Any(r => MarkerOwner(r) == owner)).Select(c => c.Name).ToList();

    public Chain ChainOrAdd(string name, NftHook? hook)
    {
        Exists = true;
        if (!_chains.TryGetValue(name, out var chain))
        {
            chain = new Chain(name, hook, true, []);
            _chains[name] = chain;
        }
        return chain;
    }

    public void ChainRemove(string name) => _chains.Remove(name);

    /// <summary>
    /// The batch that turns <paramref name="before"/> into this view (<paramref name="rebuild"/>:
    /// delete the table and write all of it, as a repair does).
    /// </summary>
    public NftBatch BatchTo(NftablesView before, NftFamily family, string table, bool rebuild = false)
    {
        var batch = new NftBatch(family);
        if (rebuild)
        {
            if (before.Exists)
            {
                batch.TableDelete(table);
            }
            before = Empty();
        }
        if (!Exists)
        {
            return batch;
        }
        var changed = _chains.Values
            .Where(c => !before._chains.TryGetValue(c.Name, out var old) || !SameRules(old.Rules, c.Rules))
            .ToList();
        var removed = before._chains.Keys.Where(n => !_chains.ContainsKey(n)).ToList();
        if (changed.Count == 0 && removed.Count == 0 && before.Exists)
        {
            return batch;
        }
        // Creating what exists already is a no-op in nf_tables: a view gone stale because somebody
        // deleted the table or a chain still gets them back.
        batch.TableAdd(table);
        foreach (var chain in _chains.Values)
        {
            batch.ChainAdd(table, chain.Name, chain.Hook);
        }
        foreach (var chain in changed)
        {
            if (before._chains.ContainsKey(chain.Name))
            {
                batch.ChainFlush(table, chain.Name);
            }
        }
        foreach (var name in removed)
        {
            batch.ChainFlush(table, name);
        }
        foreach (var chain in changed)
        {
            foreach (var rule in chain.Rules)
            {
                batch.RuleAppend(table, chain.Name, rule);
            }
        }
        foreach (var name in removed)
        {
            batch.ChainDelete(table, name);
        }
        return batch;
    }

    private static bool SameRules(List<NftRule> a, List<NftRule> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Key == p.Second.Key);

    private static string? OwnerAfter(string? comment, string prefix) =>
        comment is not null && comment.StartsWith(prefix, StringComparison.Ordinal) ? comment[prefix.Length..] : null;

    /// <summary>One chain: a base chain when <see cref="Hook"/> is set.</summary>
    internal sealed record Chain(string Name, NftHook? Hook, bool PolicyAccept, List<NftRule> Rules);
}
