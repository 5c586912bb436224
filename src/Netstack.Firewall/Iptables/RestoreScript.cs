using System.Text;

namespace Netstack.Firewall.Iptables;

/// <summary>
/// Builds the input of <c>iptables-restore --noflush</c>. Each table's block is one transaction,
/// so an owner's old rules go and its new ones arrive together. Declaring a user chain in
/// --noflush mode (<c>:NAME - [0:0]</c>) creates it or empties it, which is why only chains the
/// owner owns are ever declared.
/// </summary>
internal static class RestoreScript
{
    /// <summary>The script that replaces whatever <paramref name="set"/>'s owner has with <paramref name="set"/>.</summary>
    public static string ForApply(FirewallRuleSet set, IptablesSnapshot current)
    {
        var owner = set.Owner;
        var staleChains = current.ChainsOwnedBy(owner)
            .Where(c => !set.Chains.Any(d => d.Table == c.Table && d.Name == c.Chain))
            .ToList();
        var tables = set.TablesUsed
            .Concat(current.RulesOwnedBy(owner).Select(r => r.Table))
            .Concat(staleChains.Select(c => c.Table))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

        var script = new StringBuilder();
        foreach (var table in tables)
        {
            var declared = set.Chains.Where(c => c.Table == table).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var rule in set.Rules.Where(r => r.Table == table && FirewallNames.IsOwnedChainName(r.Chain)))
            {
                if (!declared.Contains(rule.Chain) && !current.HasChain(table, rule.Chain))
                {
                    throw new FirewallException($"firewall apply {owner}: rule in {table}/{rule.Chain}, a chain that neither exists nor is declared by this rule set");
                }
            }

            script.Append('*').Append(table).Append('\n');
            foreach (var chain in declared.Order(StringComparer.Ordinal))
            {
                script.Append(':').Append(chain).Append(" - [0:0]\n");
            }
            // The owner's rules elsewhere (declared chains were just emptied).
            foreach (var rule in current.RulesOwnedBy(owner).Where(r => r.Table == table && !declared.Contains(r.Chain)))
            {
                script.Append("-D ").Append(rule.Chain).Append(' ').Append(rule.Spec).Append('\n');
            }
            AppendChainRemovals(script, new HashSet<string>(StringComparer.Ordinal) { owner }, table, staleChains.Where(c => c.Table == table).Select(c => c.Chain), current, declared);

            foreach (var chain in declared.Order(StringComparer.Ordinal))
            {
                script.Append("-A ").Append(chain).Append(" -m comment --comment \"")
                    .Append(FirewallNames.ChainCommentPrefix).Append(owner).Append("\"\n");
            }
            foreach (var rule in set.Rules.Where(r => r.Table == table && !r.Insert))
            {
                AppendRule(script, "-A", rule, owner);
            }
            // -I puts each rule on top: insert in reverse to keep the listed order.
            foreach (var rule in set.Rules.Where(r => r.Table == table && r.Insert).Reverse())
            {
                AppendRule(script, "-I", rule, owner);
            }
            script.Append("COMMIT\n");
        }
        return script.ToString();
    }

    /// <summary>The script that deletes every rule and chain of <paramref name="owner"/>; empty if it has none.</summary>
    public static string ForRemoval(string owner, IptablesSnapshot current) => ForRemoval([owner], current);

    /// <summary>
    /// The script that deletes every rule and chain of each of <paramref name="owners"/> in one
    /// transaction per table (a network and its endpoints go together); empty if they have none.
    /// </summary>
    public static string ForRemoval(IReadOnlyCollection<string> owners, IptablesSnapshot current)
    {
        var set = owners.ToHashSet(StringComparer.Ordinal);
        var chains = owners.SelectMany(current.ChainsOwnedBy).Distinct().ToList();
        var rules = current.Rules.Where(r => IsRuleOf(r, set)).ToList();
        var tables = rules.Select(r => r.Table)
            .Concat(chains.Select(c => c.Table))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        var script = new StringBuilder();
        foreach (var table in tables)
        {
            var owned = chains.Where(c => c.Table == table).Select(c => c.Chain).ToHashSet(StringComparer.Ordinal);
            script.Append('*').Append(table).Append('\n');
            foreach (var rule in rules.Where(r => r.Table == table && !owned.Contains(r.Chain)))
            {
                script.Append("-D ").Append(rule.Chain).Append(' ').Append(rule.Spec).Append('\n');
            }
            AppendChainRemovals(script, set, table, owned, current, new HashSet<string>(StringComparer.Ordinal));
            script.Append("COMMIT\n");
        }
        return script.ToString();
    }

    private static bool IsRuleOf(SavedRule rule, IReadOnlySet<string> owners) =>
        rule.Comment is { } c && c.StartsWith(FirewallNames.RuleCommentPrefix, StringComparison.Ordinal)
        && owners.Contains(c[FirewallNames.RuleCommentPrefix.Length..]);

    private static void AppendChainRemovals(StringBuilder script, IReadOnlySet<string> owners, string table, IEnumerable<string> chains,
        IptablesSnapshot current, IReadOnlySet<string> declared)
    {
        var ownedChains = owners.SelectMany(current.ChainsOwnedBy).ToHashSet();
        foreach (var chain in chains.Order(StringComparer.Ordinal))
        {
            // A jump from somebody else's rule would make -X fail; say whose, rather than touch it.
            var foreign = current.Rules.FirstOrDefault(r => r.Table == table && r.JumpTarget == chain && r.Chain != chain
                && !IsRuleOf(r, owners) && !declared.Contains(r.Chain)
                && !ownedChains.Contains((table, r.Chain)));
            if (foreign is not null)
            {
                throw new FirewallException($"firewall: cannot delete {table}/{chain} of owner {string.Join(", ", owners)}: rule \"-A {foreign.Chain} {foreign.Spec}\" (not netstack's) jumps to it");
            }
            script.Append("-F ").Append(chain).Append('\n');
        }
        foreach (var chain in chains.Order(StringComparer.Ordinal))
        {
            script.Append("-X ").Append(chain).Append('\n');
        }
    }

    private static void AppendRule(StringBuilder script, string verb, FirewallRule rule, string owner)
    {
        script.Append(verb).Append(' ').Append(rule.Chain)
            .Append(" -m comment --comment \"").Append(FirewallNames.RuleCommentPrefix).Append(owner).Append('"');
        foreach (var argument in rule.Arguments)
        {
            script.Append(' ');
            if (argument.Any(char.IsWhiteSpace))
            {
                script.Append('"').Append(argument).Append('"');
            }
            else
            {
                script.Append(argument);
            }
        }
        script.Append('\n');
    }
}
