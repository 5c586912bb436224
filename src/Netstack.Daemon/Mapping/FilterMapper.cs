using System.Globalization;
using Netstack.Api.Filters;
using Netstack.Controller;
using Netstack.Core;

namespace Netstack.Daemon.Mapping;

/// <summary>The engine's <c>filters</c> parameter to the controller's filter records.</summary>
internal static class FilterMapper
{
    private static readonly string[] ListKeys = ["name", "id", "driver", "label", "type", "scope", "dangling"];
    private static readonly string[] PruneKeys = ["until", "label", "label!"];

    /// <exception cref="InvalidParameterException">Unknown filter or bad value, named.</exception>
    public static NetworkFilter? ToNetworkFilter(string? json)
    {
        var filters = Parse(json, ListKeys);
        if (filters.IsEmpty)
        {
            return null;
        }
        var scopes = new List<NetworkScope>();
        foreach (var value in filters.Get("scope"))
        {
            // "swarm" is the engine's name for cluster-wide; netstack calls it global.
            scopes.Add(NetworkScopeNames.TryParse(value, out var scope)
                ? scope
                : throw new InvalidParameterException("filters.scope", value, "expected local, global or swarm"));
        }
        bool? dangling = null;
        foreach (var value in filters.Get("dangling"))
        {
            var parsed = value.ToLowerInvariant() switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw new InvalidParameterException("filters.dangling", value, "expected true or false"),
            };
            if (dangling is { } earlier && earlier != parsed)
            {
                throw new InvalidParameterException("filters.dangling", value, "give true or false, not both");
            }
            dangling = parsed;
        }
        return new NetworkFilter
        {
            Names = [.. filters.Get("name")],
            Ids = [.. filters.Get("id")],
            Drivers = [.. filters.Get("driver")],
            Labels = [.. filters.Get("label")],
            Types = [.. filters.Get("type")],
            Scopes = scopes,
            Dangling = dangling,
        };
    }

    /// <exception cref="InvalidParameterException">Unknown filter or bad <c>until</c>, named.</exception>
    public static NetworkPruneFilter? ToPruneFilter(string? json, DateTimeOffset now)
    {
        var filters = Parse(json, PruneKeys);
        if (filters.IsEmpty)
        {
            return null;
        }
        DateTimeOffset? until = null;
        foreach (var value in filters.Get("until"))
        {
            var parsed = ParseUntil(value, now) ?? throw new InvalidParameterException("filters.until", value, "expected a Unix timestamp, an RFC 3339 time or a duration such as 10m or 24h");
            until = until is null || parsed < until ? parsed : until;
        }
        return new NetworkPruneFilter
        {
            Until = until,
            Labels = [.. filters.Get("label")],
            LabelsNot = [.. filters.Get("label!")],
        };
    }

    private static FilterSet Parse(string? json, string[] allowed)
    {
        FilterSet filters;
        try
        {
            filters = FilterSet.Parse(json);
        }
        catch (FormatException e)
        {
            throw new InvalidParameterException("filters", json, e.Message);
        }
        foreach (var key in filters.Keys)
        {
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                throw new InvalidParameterException("filters", key, $"unknown filter; allowed are {string.Join(", ", allowed)}");
            }
        }
        return filters;
    }

    /// <summary>The engine takes Unix seconds (with fraction), RFC 3339, or a Go duration back from now.</summary>
    internal static DateTimeOffset? ParseUntil(string value, DateTimeOffset now)
    {
        if (decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && value.Contains('T', StringComparison.Ordinal))
        {
            return time;
        }
        return ParseDuration(value) is { } duration ? now - duration : null;
    }

    // Go durations as the engine's CLI passes them: sequences of NUMBER UNIT with h, m, s, ms.
    private static TimeSpan? ParseDuration(string value)
    {
        var total = TimeSpan.Zero;
        var i = 0;
        if (value.Length == 0)
        {
            return null;
        }
        while (i < value.Length)
        {
            var start = i;
            while (i < value.Length && (char.IsAsciiDigit(value[i]) || value[i] == '.'))
            {
                i++;
            }
            if (start == i || !double.TryParse(value.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return null;
            }
            var unitStart = i;
            while (i < value.Length && char.IsAsciiLetter(value[i]))
            {
                i++;
            }
            TimeSpan? part = value[unitStart..i] switch
            {
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "s" => TimeSpan.FromSeconds(number),
                "ms" => TimeSpan.FromMilliseconds(number),
                _ => null,
            };
            if (part is null)
            {
                return null;
            }
            total += part.Value;
        }
        return total;
    }
}
