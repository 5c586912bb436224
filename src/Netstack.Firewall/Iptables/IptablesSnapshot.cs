using System.Text.RegularExpressions;

namespace Netstack.Firewall.Iptables;

/// <summary>One rule as <c>iptables-save</c> prints it: the chain and the rest of the line after <c>-A CHAIN</c>.</summary>
internal sealed record SavedRule(string Table, string Chain, string Spec, string? Comment, string? JumpTarget);

/// <summary>
/// The parsed output of <c>iptables-save</c>: chains and rules per table. <see cref="IptablesFirewall"/>
/// keeps one per family as its view of the kernel and moves it forward with <see cref="Apply"/> after
/// each successful restore, so a change costs one <c>iptables-restore</c> and no <c>iptables-save</c>.
/// </summary>
internal sealed partial class IptablesSnapshot
{
    private readonly Dictionary<string, List<string>> _chains = new(StringComparer.Ordinal);
    private readonly List<SavedRule> _rules = [];

    public IReadOnlyList<SavedRule> Rules => _rules;

    public IEnumerable<string> ChainsOf(string table) => _chains.TryGetValue(table, out var chains) ? chains : [];

    public bool HasChain(string table, string chain) => _chains.TryGetValue(table, out var chains) && chains.Contains(chain);

    /// <summary>The chains whose marker rule names <paramref name="owner"/>.</summary>
    public IEnumerable<(string Table, string Chain)> ChainsOwnedBy(string owner) =>
        _rules.Where(r => r.Comment == FirewallNames.ChainCommentPrefix + owner && FirewallNames.IsOwnedChainName(r.Chain))
            .Select(r => (r.Table, r.Chain))
            .Distinct();

    public IEnumerable<SavedRule> RulesOwnedBy(string owner) =>
        _rules.Where(r => r.Comment == FirewallNames.RuleCommentPrefix + owner);

    /// <summary>Owners named by any netstack comment.</summary>
    public IEnumerable<string> Owners() =>
        _rules.Select(r => r.Comment switch
            {
                { } c when c.StartsWith(FirewallNames.ChainCommentPrefix, StringComparison.Ordinal) => c[FirewallNames.ChainCommentPrefix.Length..],
                { } c when c.StartsWith(FirewallNames.RuleCommentPrefix, StringComparison.Ordinal) => c[FirewallNames.RuleCommentPrefix.Length..],
                _ => null,
            })
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

    public static IptablesSnapshot Parse(string save)
    {
        var snapshot = new IptablesSnapshot();
        string? table = null;
        foreach (var raw in save.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            if (line[0] == '*')
            {
                table = line[1..].Trim();
                snapshot._chains[table] = [];
            }
            else if (line == "COMMIT")
            {
                table = null;
            }
            else if (table is not null && line[0] == ':')
            {
                var end = line.IndexOf(' ', StringComparison.Ordinal);
                snapshot._chains[table].Add(end < 0 ? line[1..] : line[1..end]);
            }
            else if (table is not null && line.StartsWith("-A ", StringComparison.Ordinal))
            {
                snapshot._rules.Add(ParseRule(table, line[3..]));
            }
        }
        return snapshot;
    }

    /// <summary>
    /// Moves the view forward by a script <see cref="RestoreScript"/> wrote and <c>iptables-restore
    /// --noflush</c> accepted: declared chains exist and are empty, <c>-D</c> lines (written from this
    /// view's own rule text) delete that rule, <c>-F</c>/<c>-X</c> flush and delete chains, <c>-A</c>
    /// and <c>-I</c> add rules. A rule added here keeps the text we wrote, which is not always how
    /// <c>iptables-save</c> would print it, but it is what <c>-D</c> needs: iptables parses a
    /// <c>-D</c> rule as it parsed the <c>-A</c> and compares the kernel entries, not the text.
    /// </summary>
    public void Apply(string script)
    {
        string? table = null;
        foreach (var line in script.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }
            if (line[0] == '*')
            {
                table = line[1..];
                if (!_chains.ContainsKey(table))
                {
                    _chains[table] = [];
                }
                continue;
            }
            if (line == "COMMIT" || table is null)
            {
                table = null;
                continue;
            }
            if (line[0] == ':')
            {
                var chain = line[1..line.IndexOf(' ', StringComparison.Ordinal)];
                if (!_chains[table].Contains(chain))
                {
                    _chains[table].Add(chain);
                }
                _rules.RemoveAll(r => r.Table == table && r.Chain == chain);
                continue;
            }
            var verb = line[..2];
            var rest = line[3..];
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            var name = space < 0 ? rest : rest[..space];
            var spec = space < 0 ? "" : rest[(space + 1)..];
            switch (verb)
            {
                case "-A":
                    _rules.Add(ParseRule(table, rest));
                    break;
                case "-I":
                    // On top of its chain; the order among chains in the list carries no meaning.
                    var first = _rules.FindIndex(r => r.Table == table && r.Chain == name);
                    _rules.Insert(first < 0 ? _rules.Count : first, ParseRule(table, rest));
                    break;
                case "-D":
                    var index = _rules.FindIndex(r => r.Table == table && r.Chain == name && r.Spec == spec);
                    if (index >= 0)
                    {
                        _rules.RemoveAt(index);
                    }
                    break;
                case "-F":
                    _rules.RemoveAll(r => r.Table == table && r.Chain == name);
                    break;
                case "-X":
                    _chains[table].Remove(name);
                    break;
                default:
                    throw new InvalidOperationException($"iptables view: unexpected line in a restore script: {line}");
            }
        }
    }

    /// <summary>The view as iptables-save text (chains without policies or counters); for tests and logs.</summary>
    internal string ToSave()
    {
        var text = new System.Text.StringBuilder();
        foreach (var (table, chains) in _chains)
        {
            text.Append('*').Append(table).Append('\n');
            foreach (var chain in chains)
            {
                text.Append(':').Append(chain).Append(" - [0:0]\n");
            }
            foreach (var rule in _rules.Where(r => r.Table == table))
            {
                text.Append("-A ").Append(rule.Chain).Append(' ').Append(rule.Spec).Append('\n');
            }
            text.Append("COMMIT\n");
        }
        return text.ToString();
    }

    private static SavedRule ParseRule(string table, string rest)
    {
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        var chain = space < 0 ? rest : rest[..space];
        var spec = space < 0 ? "" : rest[(space + 1)..];
        var comment = CommentPattern().Match(spec);
        var jump = JumpPattern().Match(spec);
        return new SavedRule(table, chain, spec,
            comment.Success ? (comment.Groups[1].Success ? comment.Groups[1].Value : comment.Groups[2].Value) : null,
            jump.Success ? jump.Groups[1].Value : null);
    }

    [GeneratedRegex("""--comment (?:"([^"]*)"|(\S+))""")]
    private static partial Regex CommentPattern();

    [GeneratedRegex(@"(?:^|\s)-[jg] (\S+)")]
    private static partial Regex JumpPattern();
}
