using System.Text.RegularExpressions;

namespace Netstack.Firewall.Iptables;

/// <summary>One rule as <c>iptables-save</c> prints it: the chain and the rest of the line after <c>-A CHAIN</c>.</summary>
internal sealed record SavedRule(string Table, string Chain, string Spec, string? Comment, string? JumpTarget);

/// <summary>The parsed output of <c>iptables-save</c>: chains and rules per table.</summary>
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
                var rest = line[3..];
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                var chain = space < 0 ? rest : rest[..space];
                var spec = space < 0 ? "" : rest[(space + 1)..];
                var comment = CommentPattern().Match(spec);
                var jump = JumpPattern().Match(spec);
                snapshot._rules.Add(new SavedRule(table, chain, spec,
                    comment.Success ? (comment.Groups[1].Success ? comment.Groups[1].Value : comment.Groups[2].Value) : null,
                    jump.Success ? jump.Groups[1].Value : null));
            }
        }
        return snapshot;
    }

    [GeneratedRegex("""--comment (?:"([^"]*)"|(\S+))""")]
    private static partial Regex CommentPattern();

    [GeneratedRegex(@"(?:^|\s)-[jg] (\S+)")]
    private static partial Regex JumpPattern();
}
