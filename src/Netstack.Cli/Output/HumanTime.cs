using System.Globalization;

namespace Netstack.Cli.Output;

/// <summary>Durations in docker's words: "Less than a second", "3 minutes", "About an hour", "2 days".</summary>
internal static class HumanTime
{
    public static string Duration(TimeSpan span)
    {
        var seconds = span.TotalSeconds;
        if (seconds < 1)
        {
            return "Less than a second";
        }
        if (seconds < 60)
        {
            return Plural((int)seconds, "second");
        }
        if (span.TotalMinutes < 60)
        {
            return span.TotalMinutes < 2 ? "About a minute" : Plural((int)span.TotalMinutes, "minute");
        }
        if (span.TotalHours < 48)
        {
            return span.TotalHours < 2 ? "About an hour" : Plural((int)span.TotalHours, "hour");
        }
        return span.TotalDays < 14 ? Plural((int)span.TotalDays, "day")
            : span.TotalDays < 60 ? Plural((int)(span.TotalDays / 7), "week")
            : span.TotalDays < 730 ? Plural((int)(span.TotalDays / 30), "month")
            : Plural((int)(span.TotalDays / 365), "year");
    }

    public static string Ago(DateTimeOffset then, DateTimeOffset now) => Duration(now - then) + " ago";

    public static string Size(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = 0;
        // docker prints sizes in powers of 1000 with 3 significant digits.
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return value.ToString(value < 10 ? "0.##" : value < 100 ? "0.#" : "0", CultureInfo.InvariantCulture) + units[unit];
    }

    private static string Plural(int n, string unit) =>
        n.ToString(CultureInfo.InvariantCulture) + " " + unit + (n == 1 ? "" : "s");
}
