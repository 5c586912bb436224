using System.Text.RegularExpressions;

namespace Netstack.Drivers.Bridge;

/// <summary>What <c>iptables-save</c> printed: per table, the chains and the rules (<c>-A ...</c> lines).</summary>
internal sealed partial class IptablesState
{
    private const string CommentPrefix = "netstack:";

    private readonly Dictionary<string, (HashSet<string> Chains, List<string> Rules)> _tables = new(StringComparer.Ordinal);

    public static IptablesState Parse(string save)
    {
        ArgumentNullException.ThrowIfNull(save);
        var state = new IptablesState();
        (HashSet<string> Chains, List<string> Rules)? current = null;
        foreach (var raw in save.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith('*'))
            {
                current = state.Table(line[1..]);
            }
            else if (current is { } table && line.StartsWith(':'))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                table.Chains.Add(space > 0 ? line[1..space] : line[1..]);
            }
            else if (current is { } t && line.StartsWith("-A ", StringComparison.Ordinal))
            {
                t.Rules.Add(line);
            }
        }
        return state;
    }

    public bool HasChain(string table, string chain) => _tables.TryGetValue(table, out var t) && t.Chains.Contains(chain);

    /// <summary>The <c>-A</c> lines of a table, in order.</summary>
    public IReadOnlyList<string> Rules(string table) => _tables.TryGetValue(table, out var t) ? t.Rules : [];

    public IEnumerable<string> AllRules => _tables.Values.SelectMany(t => t.Rules);

    /// <summary>The chain an <c>-A CHAIN ...</c> line appends to.</summary>
    public static string ChainOf(string line)
    {
        var end = line.IndexOf(' ', 3);
        return end > 0 ? line[3..end] : line[3..];
    }

    /// <summary>The owner named in a rule's <c>netstack:OWNER</c> comment, or null.</summary>
    public static string? OwnerOf(string line)
    {
        var match = OwnerComment().Match(line);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>The jump target of a rule (<c>-j X</c>), or null.</summary>
    public static string? TargetOf(string line)
    {
        var match = JumpTarget().Match(line);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>A rule spec with the owner's comment put before the target, where iptables-save prints it.</summary>
    public static string WithOwner(string spec, string owner)
    {
        var comment = $"-m comment --comment \"{CommentPrefix}{owner}\"";
        if (spec.StartsWith("-j ", StringComparison.Ordinal))
        {
            return $"{comment} {spec}";
        }
        var jump = spec.IndexOf(" -j ", StringComparison.Ordinal);
        return jump < 0 ? $"{spec} {comment}" : $"{spec[..jump]} {comment}{spec[jump..]}";
    }

    /// <summary>
    /// Brings this state up to date with a script that iptables-restore has just applied, so the
    /// next change needs no iptables-save: <c>:CHAIN</c> adds a chain, <c>-D</c> removes the line,
    /// <c>-A</c> appends, <c>-I CHAIN 1</c> puts the line above the chain's first rule.
    /// </summary>
    public void Apply(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        (HashSet<string> Chains, List<string> Rules)? current = null;
        foreach (var line in script.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('*'))
            {
                current = Table(line[1..]);
            }
            else if (current is not { } table)
            {
                continue;
            }
            else if (line.StartsWith(':'))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                table.Chains.Add(space > 0 ? line[1..space] : line[1..]);
            }
            else if (line.StartsWith("-D ", StringComparison.Ordinal))
            {
                table.Rules.Remove("-A " + line[3..]);
            }
            else if (line.StartsWith("-A ", StringComparison.Ordinal))
            {
                table.Rules.Add(line);
            }
            else if (line.StartsWith("-I ", StringComparison.Ordinal))
            {
                // "-I CHAIN 1 rest" becomes "-A CHAIN rest" at the chain's first position.
                var parts = line.Split(' ', 4);
                var appended = $"-A {parts[1]} {parts[3]}";
                var first = table.Rules.FindIndex(r => ChainOf(r) == parts[1]);
                table.Rules.Insert(first < 0 ? table.Rules.Count : first, appended);
            }
        }
    }

    private (HashSet<string> Chains, List<string> Rules) Table(string name)
    {
        if (!_tables.TryGetValue(name, out var table))
        {
            table = (new HashSet<string>(StringComparer.Ordinal), []);
            _tables[name] = table;
        }
        return table;
    }

    [GeneratedRegex("--comment \"?netstack:([^\" ]+)\"?")]
    private static partial Regex OwnerComment();

    [GeneratedRegex(" -j ([^ ]+)")]
    private static partial Regex JumpTarget();
}
