namespace Netstack.Firewall.Iptables;

/// <summary>
/// Compares live tables with the rule sets netstack applied: every declared chain exists; every
/// chain's marker and every rule is there exactly as many times as applied (compared by
/// <see cref="RuleKey"/>); and nothing else sits under the applied owners' names or, without a
/// netstack name, in their chains. Rules of owners not in the list are not judged (reconcile
/// removes those that nothing explains).
/// </summary>
internal static class DriftCheck
{
    public static FirewallDrift Compare(IpFamily family, IReadOnlyCollection<FirewallRuleSet> sets, IptablesSnapshot live)
    {
        var owners = sets.Select(s => s.Owner).ToHashSet(StringComparer.Ordinal);
        var declared = sets.SelectMany(s => s.Chains).Select(c => (c.Table, c.Name)).ToHashSet();
        var missing = new List<string>();
        var expected = new Dictionary<(string Table, string Chain, string Key), (int Count, string Text)>();
        void Expect(string table, string chain, string spec)
        {
            var key = (table, chain, RuleKey.Of(spec));
            expected[key] = expected.TryGetValue(key, out var seen) ? (seen.Count + 1, seen.Text) : (1, spec);
        }
        foreach (var set in sets)
        {
            foreach (var chain in set.Chains)
            {
                if (!live.HasChain(chain.Table, chain.Name))
                {
                    missing.Add($"chain {chain.Table}/{chain.Name} of {set.Owner}");
                }
                Expect(chain.Table, chain.Name, RestoreScript.MarkerSpec(set.Owner));
            }
            foreach (var rule in set.Rules)
            {
                Expect(rule.Table, rule.Chain, RestoreScript.RuleSpec(rule, set.Owner));
            }
        }

        var found = new Dictionary<(string Table, string Chain, string Key), (int Count, string Text)>();
        foreach (var rule in live.Rules.Where(r => IsJudged(r, owners, declared)))
        {
            var key = (rule.Table, rule.Chain, RuleKey.Of(rule.Spec));
            found[key] = found.TryGetValue(key, out var seen) ? (seen.Count + 1, seen.Text) : (1, rule.Spec);
        }

        foreach (var (key, (count, text)) in expected)
        {
            var lacking = count - (found.TryGetValue(key, out var seen) ? seen.Count : 0);
            // A missing chain is reported once, not with each of its rules.
            if (lacking > 0 && live.HasChain(key.Table, key.Chain))
            {
                missing.Add(Describe(key.Table, key.Chain, text, lacking));
            }
        }
        var unexpected = new List<string>();
        foreach (var (key, (count, text)) in found)
        {
            var extra = count - (expected.TryGetValue(key, out var want) ? want.Count : 0);
            if (extra > 0)
            {
                unexpected.Add(Describe(key.Table, key.Chain, text, extra));
            }
        }
        return new FirewallDrift(family, missing, unexpected);
    }

    private static string Describe(string table, string chain, string spec, int count) =>
        $"{table}: -A {chain} {spec}{(count > 1 ? $" (x{count})" : "")}";

    /// <summary>A rule under an applied owner's name, or without any netstack name in one of their chains.</summary>
    private static bool IsJudged(SavedRule rule, IReadOnlySet<string> owners, IReadOnlySet<(string Table, string Name)> declared) =>
        rule.Comment switch
        {
            { } c when c.StartsWith(FirewallNames.RuleCommentPrefix, StringComparison.Ordinal) => owners.Contains(c[FirewallNames.RuleCommentPrefix.Length..]),
            { } c when c.StartsWith(FirewallNames.ChainCommentPrefix, StringComparison.Ordinal) => owners.Contains(c[FirewallNames.ChainCommentPrefix.Length..]),
            _ => declared.Contains((rule.Table, rule.Chain)),
        };
}
