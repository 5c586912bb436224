using System.Text;

namespace Netstack.Firewall.Iptables;

/// <summary>
/// A rule's text in a form that is the same however iptables prints it: <c>iptables-save</c> moves
/// the header options (<c>-s -d -i -o -p</c>, with their <c>!</c>) before the matches, so
/// <c>-m comment --comment "netstack:x" -o br0 -j ACCEPT</c> comes back as
/// <c>-o br0 -m comment --comment "netstack:x" -j ACCEPT</c>. The key is the rule's options, each
/// with its <c>!</c> and its values, unquoted and sorted; two rules with the same key match the
/// same packets and do the same thing for every rule netstack writes.
/// </summary>
internal static class RuleKey
{
    public static string Of(string spec)
    {
        var options = new List<StringBuilder>();
        StringBuilder? current = null;
        var negated = false;
        foreach (var token in Tokens(spec))
        {
            if (token == "!")
            {
                negated = true;
                continue;
            }
            if (IsOption(token) || current is null)
            {
                current = new StringBuilder(negated ? "! " : "").Append(token);
                options.Add(current);
                negated = false;
            }
            else
            {
                current.Append(' ').Append(token);
            }
        }
        return string.Join('\n', options.Select(o => o.ToString()).Order(StringComparer.Ordinal));
    }

    // "-d", "--dport"; not a value such as "-1".
    private static bool IsOption(string token) => token.Length > 1 && token[0] == '-' && !char.IsAsciiDigit(token[1]);

    /// <summary>Splits on blanks; a double-quoted part is one token without its quotes (iptables-save escapes " and \ inside with \).</summary>
    private static IEnumerable<string> Tokens(string spec)
    {
        var token = new StringBuilder();
        var quoted = false;
        var any = false;
        for (var i = 0; i < spec.Length; i++)
        {
            var c = spec[i];
            if (quoted)
            {
                if (c == '\\' && i + 1 < spec.Length)
                {
                    token.Append(spec[++i]);
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    token.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
                any = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (any || token.Length > 0)
                {
                    yield return token.ToString();
                    token.Clear();
                    any = false;
                }
            }
            else
            {
                token.Append(c);
            }
        }
        if (any || token.Length > 0)
        {
            yield return token.ToString();
        }
    }
}
