using System.Text;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// Builds the input of <c>iptables-restore --noflush</c> that replaces one owner's rules. Chains are
/// declared only when missing: with --noflush, iptables-restore still flushes an existing user chain
/// that the input declares, which would drop every other owner's rules.
/// </summary>
internal static class IptablesScript
{
    /// <summary>The script replacing <paramref name="owner"/>'s rules, or an empty string when nothing has to change.</summary>
    public static string Build(IptablesState state, FirewallLayout layout, string owner, IReadOnlyList<FirewallRule> rules, bool ensureLayout) =>
        Build(state, layout, new HashSet<string>(StringComparer.Ordinal) { owner }, owner, rules, ensureLayout);

    /// <summary>
    /// The script deleting the rules of every owner in <paramref name="remove"/> and appending
    /// <paramref name="rules"/> for <paramref name="owner"/>, one COMMIT per table.
    /// </summary>
    public static string Build(IptablesState state, FirewallLayout layout, IReadOnlySet<string> remove, string owner, IReadOnlyList<FirewallRule> rules, bool ensureLayout)
    {
        var tables = layout.Chains.Select(c => c.Table)
            .Concat(rules.Select(r => r.Table))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var script = new StringBuilder();
        foreach (var table in tables)
        {
            var lines = new List<string>();
            if (ensureLayout)
            {
                AddLayout(lines, state, layout, table);
            }
            foreach (var line in state.Rules(table))
            {
                if (IptablesState.OwnerOf(line) is { } o && remove.Contains(o))
                {
                    lines.Add("-D " + line[3..]);
                }
            }
            foreach (var rule in rules.Where(r => r.Table == table))
            {
                lines.Add($"-A {rule.Chain} {IptablesState.WithOwner(rule.Spec, owner)}");
            }
            if (lines.Count == 0)
            {
                continue;
            }
            script.Append('*').Append(table).Append('\n');
            foreach (var line in lines)
            {
                script.Append(line).Append('\n');
            }
            script.Append("COMMIT\n");
        }
        return script.ToString();
    }

    private static void AddLayout(List<string> lines, IptablesState state, FirewallLayout layout, string table)
    {
        foreach (var (t, chain) in layout.Chains)
        {
            if (t == table && !state.HasChain(table, chain))
            {
                lines.Add($":{chain} - [0:0]");
            }
        }
        foreach (var group in layout.Anchors.Where(a => a.Table == table).GroupBy(a => a.Chain, StringComparer.Ordinal))
        {
            var expected = group.ToList();
            var present = state.Rules(table)
                .Where(l => IptablesState.ChainOf(l) == group.Key && IptablesState.OwnerOf(l) == FirewallLayout.BaseOwner)
                .ToList();
            var presentTargets = present.Select(IptablesState.TargetOf);
            var expectedTargets = expected.Select(a => IptablesState.TargetOf(" " + a.Spec));
            if (presentTargets.SequenceEqual(expectedTargets, StringComparer.Ordinal))
            {
                continue;
            }
            // Missing, extra or out of order: put the anchors back at the top, in order.
            lines.AddRange(present.Select(l => "-D " + l[3..]));
            for (var i = expected.Count - 1; i >= 0; i--)
            {
                lines.Add($"-I {group.Key} 1 {IptablesState.WithOwner(expected[i].Spec, FirewallLayout.BaseOwner)}");
            }
        }
    }
}
