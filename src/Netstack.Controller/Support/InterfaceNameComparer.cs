using System.Globalization;

namespace Netstack.Controller;

/// <summary>Orders <c>eth2</c> before <c>eth10</c>: by prefix, then by the number at the end.</summary>
internal sealed class InterfaceNameComparer : IComparer<string>
{
    public static readonly InterfaceNameComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        var (px, nx) = Split(x ?? string.Empty);
        var (py, ny) = Split(y ?? string.Empty);
        var byPrefix = string.CompareOrdinal(px, py);
        return byPrefix != 0 ? byPrefix : nx.CompareTo(ny);
    }

    /// <summary>The prefix and the trailing number (-1 when there is none).</summary>
    public static (string Prefix, int Number) Split(string name)
    {
        var i = name.Length;
        while (i > 0 && char.IsAsciiDigit(name[i - 1]))
        {
            i--;
        }
        return i == name.Length || !int.TryParse(name.AsSpan(i), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? (name, -1)
            : (name[..i], n);
    }
}
