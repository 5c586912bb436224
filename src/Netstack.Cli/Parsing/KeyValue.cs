namespace Netstack.Cli.Parsing;

/// <summary><c>KEY=VALUE</c> flag values (<c>-o</c>, <c>--label</c>, <c>--aux-address</c>, <c>--ipam-opt</c>).</summary>
internal static class KeyValue
{
    /// <exception cref="FormatException">No <c>=</c> or an empty key; the message names the flag and the value.</exception>
    public static (string Key, string Value) Parse(string flag, string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new FormatException($"invalid argument '{text}' for {flag}: expected KEY=VALUE");
        }
        return (text[..eq], text[(eq + 1)..]);
    }

    /// <summary>A map from repeated flags; a repeated key keeps the last value, as docker does.</summary>
    public static Dictionary<string, string> ToMap(string flag, IEnumerable<string>? values)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var text in values ?? [])
        {
            var (key, value) = Parse(flag, text);
            map[key] = value;
        }
        return map;
    }

    /// <summary>A label may be just <c>KEY</c> (empty value), as with <c>docker --label</c>.</summary>
    public static Dictionary<string, string> LabelMap(IEnumerable<string>? values)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var text in values ?? [])
        {
            var eq = text.IndexOf('=', StringComparison.Ordinal);
            if (eq == 0 || text.Length == 0)
            {
                throw new FormatException($"invalid argument '{text}' for --label: expected KEY[=VALUE]");
            }
            map[eq < 0 ? text : text[..eq]] = eq < 0 ? "" : text[(eq + 1)..];
        }
        return map;
    }
}
