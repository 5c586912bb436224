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
            CheckChainsOfRules([set], table, declared, current);

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

            AppendSet(script, set, table);
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

    /// <summary>
    /// The script that writes every one of <paramref name="sets"/> again after somebody else changed
    /// the tables (<paramref name="current"/>, read just now): in each table their chains are declared
    /// (created, or emptied of whatever is left in them), their rules in other chains (jumps from
    /// built-in chains) are deleted, every copy, and then each set's markers and rules are written
    /// once. Sets that own chains go first, in the order given, then the others: a chain starts with
    /// its owner's rules (the anchors that must come first) and other owners append to it, as when
    /// they were applied one by one.
    /// </summary>
    public static string ForRepair(IReadOnlyList<FirewallRuleSet> sets, IptablesSnapshot current)
    {
        var owners = sets.Select(s => s.Owner).ToHashSet(StringComparer.Ordinal);
        var ordered = sets.Where(s => s.Chains.Count > 0).Concat(sets.Where(s => s.Chains.Count == 0)).ToList();
        var tables = sets.SelectMany(s => s.TablesUsed).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var script = new StringBuilder();
        foreach (var table in tables)
        {
            var declared = sets.SelectMany(s => s.Chains).Where(c => c.Table == table).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            CheckChainsOfRules(sets, table, declared, current);
            script.Append('*').Append(table).Append('\n');
            foreach (var chain in declared.Order(StringComparer.Ordinal))
            {
                script.Append(':').Append(chain).Append(" - [0:0]\n");
            }
            foreach (var rule in current.Rules.Where(r => r.Table == table && !declared.Contains(r.Chain) && IsRuleOf(r, owners)))
            {
                script.Append("-D ").Append(rule.Chain).Append(' ').Append(rule.Spec).Append('\n');
            }
            foreach (var set in ordered)
            {
                AppendSet(script, set, table);
            }
            script.Append("COMMIT\n");
        }
        return script.ToString();
    }

    /// <summary>The marker rule that opens each chain <paramref name="owner"/> owns: a comment, no target.</summary>
    public static string MarkerSpec(string owner) =>
        $"-m comment --comment \"{FirewallNames.ChainCommentPrefix}{owner}\"";

    /// <summary>A rule as written after <c>-A CHAIN</c>: the owner's comment, then its arguments (quoted where they hold blanks).</summary>
    public static string RuleSpec(FirewallRule rule, string owner)
    {
        var spec = new StringBuilder("-m comment --comment \"").Append(FirewallNames.RuleCommentPrefix).Append(owner).Append('"');
        foreach (var argument in rule.Arguments)
        {
            spec.Append(' ');
            if (argument.Any(char.IsWhiteSpace))
            {
                spec.Append('"').Append(argument).Append('"');
            }
            else
            {
                spec.Append(argument);
            }
        }
        return spec.ToString();
    }

    /// <summary>A rule into a netstack chain that neither exists nor is declared would fail the whole batch: say which.</summary>
    private static void CheckChainsOfRules(IEnumerable<FirewallRuleSet> sets, string table, IReadOnlySet<string> declared, IptablesSnapshot current)
    {
        foreach (var set in sets)
        {
            foreach (var rule in set.Rules.Where(r => r.Table == table && FirewallNames.IsOwnedChainName(r.Chain)))
            {
                if (!declared.Contains(rule.Chain) && !current.HasChain(table, rule.Chain))
                {
                    throw new FirewallException($"firewall apply {set.Owner}: rule in {table}/{rule.Chain}, a chain that neither exists nor is declared by this rule set");
                }
            }
        }
    }

    /// <summary>The markers of <paramref name="set"/>'s chains in <paramref name="table"/>, then its rules.</summary>
    private static void AppendSet(StringBuilder script, FirewallRuleSet set, string table)
    {
        foreach (var chain in set.Chains.Where(c => c.Table == table).Select(c => c.Name).Order(StringComparer.Ordinal))
        {
            script.Append("-A ").Append(chain).Append(' ').Append(MarkerSpec(set.Owner)).Append('\n');
        }
        foreach (var rule in set.Rules.Where(r => r.Table == table && !r.Insert))
        {
            AppendRule(script, "-A", rule, set.Owner);
        }
        // -I puts each rule on top: insert in reverse to keep the listed order.
        foreach (var rule in set.Rules.Where(r => r.Table == table && r.Insert).Reverse())
        {
            AppendRule(script, "-I", rule, set.Owner);
        }
    }

    private static void AppendRule(StringBuilder script, string verb, FirewallRule rule, string owner) =>
        script.Append(verb).Append(' ').Append(rule.Chain).Append(' ').Append(RuleSpec(rule, owner)).Append('\n');
}
