namespace Netstack.Firewall;

/// <summary>
/// How the live tables of one family differ from what netstack applied there: chains and rules it
/// applied that are gone (<see cref="Missing"/>), and rules that it did not apply in its chains or
/// under its owners' names: changed copies, duplicates, somebody else's (<see cref="Unexpected"/>).
/// Each entry names the table, the chain and, for a rule, its text.
/// </summary>
public sealed record FirewallDrift(IpFamily Family, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected)
{
    // Enough to see what happened in a log line; the counts say how much more there was.
    private const int ShownEntries = 8;

    /// <summary>The tables hold what netstack applied (or it applied nothing in this family).</summary>
    public static FirewallDrift None(IpFamily family) => new(family, [], []);

    public bool Found => Missing.Count > 0 || Unexpected.Count > 0;

    /// <summary>The whole ruleset was written again and read back as applied.</summary>
    public bool Repaired { get; init; }

    /// <summary>"N missing (…); M unexpected (…)", the first few entries of each.</summary>
    public string Summary()
    {
        static string Part(string what, IReadOnlyList<string> entries)
        {
            var shown = string.Join("; ", entries.Take(ShownEntries));
            var more = entries.Count > ShownEntries ? $"; and {entries.Count - ShownEntries} more" : "";
            return $"{entries.Count} {what} ({shown}{more})";
        }
        var parts = new List<string>();
        if (Missing.Count > 0)
        {
            parts.Add(Part("missing", Missing));
        }
        if (Unexpected.Count > 0)
        {
            parts.Add(Part("unexpected", Unexpected));
        }
        return parts.Count == 0 ? "nothing differs" : string.Join("; ", parts);
    }
}
