using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Netstack.Api.Serialization;

namespace Netstack.Api.Filters;

/// <summary>
/// The engine's <c>filters</c> query parameter: a JSON object from filter name to values. Clients
/// send <c>{"name":{"web":true}}</c>; older ones sent <c>{"name":["web"]}</c>; both are read.
/// Matching follows the engine: <c>name</c> and <c>id</c> are unanchored regular expressions,
/// <c>label</c> is <c>KEY</c> or <c>KEY=VALUE</c>, everything else is an exact match.
/// </summary>
public sealed class FilterSet
{
    // Patterns come from clients: no backtracking, so no pattern can stall a request thread.
    private const RegexOptions PatternOptions = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    private readonly Dictionary<string, HashSet<string>> _values = new(StringComparer.Ordinal);

    public static FilterSet Empty => new();

    public bool IsEmpty => _values.Count == 0;

    public IEnumerable<string> Keys => _values.Keys;

    public FilterSet Add(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!_values.TryGetValue(key, out var set))
        {
            set = new HashSet<string>(StringComparer.Ordinal);
            _values[key] = set;
        }
        set.Add(value);
        return this;
    }

    public bool Contains(string key) => _values.ContainsKey(key);

    public IReadOnlyCollection<string> Get(string key) =>
        _values.TryGetValue(key, out var set) ? set : (IReadOnlyCollection<string>)[];

    /// <summary>Reads the query parameter; an empty or missing one is no filter.</summary>
    /// <exception cref="FormatException">Not a JSON object of strings to string sets or lists; the message names the parameter.</exception>
    public static FilterSet Parse(string? json)
    {
        var filters = new FilterSet();
        if (string.IsNullOrWhiteSpace(json))
        {
            return filters;
        }
        JsonElement root;
        try
        {
            root = JsonSerializer.Deserialize(json, ApiJsonContext.Default.JsonElement);
        }
        catch (JsonException e)
        {
            throw new FormatException($"invalid filters parameter '{json}': {e.Message}", e);
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"invalid filters parameter '{json}': expected a JSON object");
        }
        foreach (var field in root.EnumerateObject())
        {
            switch (field.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var value in field.Value.EnumerateObject())
                    {
                        if (value.Value.ValueKind == JsonValueKind.True)
                        {
                            filters.Add(field.Name, value.Name);
                        }
                        else if (value.Value.ValueKind != JsonValueKind.False)
                        {
                            throw new FormatException($"invalid filters parameter: value of '{field.Name}'.'{value.Name}' must be true or false");
                        }
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var value in field.Value.EnumerateArray())
                    {
                        if (value.ValueKind != JsonValueKind.String)
                        {
                            throw new FormatException($"invalid filters parameter: values of '{field.Name}' must be strings");
                        }
                        filters.Add(field.Name, value.GetString()!);
                    }
                    break;
                default:
                    throw new FormatException($"invalid filters parameter: '{field.Name}' must be an object or a list of strings");
            }
        }
        return filters;
    }

    /// <summary>Reads a CLI <c>--filter KEY=VALUE</c>.</summary>
    /// <exception cref="FormatException">No <c>=</c> or an empty key; the message quotes the flag value.</exception>
    public FilterSet AddFlag(string flag)
    {
        ArgumentNullException.ThrowIfNull(flag);
        var eq = flag.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new FormatException($"invalid filter '{flag}': expected KEY=VALUE");
        }
        return Add(flag[..eq].Trim().ToLowerInvariant(), flag[(eq + 1)..]);
    }

    /// <summary>Throws for a filter name outside <paramref name="allowed"/>, as the engine does.</summary>
    /// <exception cref="ArgumentException">The message names the filter.</exception>
    public void Validate(IReadOnlyCollection<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        foreach (var key in _values.Keys)
        {
            if (!allowed.Contains(key))
            {
                throw new ArgumentException($"invalid filter '{key}': allowed are {string.Join(", ", allowed)}");
            }
        }
    }

    /// <summary>True when <paramref name="key"/> is absent or one of its patterns matches <paramref name="source"/> anywhere.</summary>
    /// <exception cref="ArgumentException">A value is not a valid pattern; the message names it.</exception>
    public bool MatchPattern(string key, string source)
    {
        if (!_values.TryGetValue(key, out var patterns))
        {
            return true;
        }
        foreach (var pattern in patterns)
        {
            Regex regex;
            try
            {
                regex = new Regex(pattern, PatternOptions);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"invalid filter {key}='{pattern}': {e.Message}", e);
            }
            if (regex.IsMatch(source))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when <paramref name="key"/> is absent or one of its values equals <paramref name="source"/>.</summary>
    public bool MatchExact(string key, string source, bool ignoreCase = false)
    {
        if (!_values.TryGetValue(key, out var values))
        {
            return true;
        }
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return values.Any(v => string.Equals(v, source, comparison));
    }

    /// <summary>
    /// True when <paramref name="key"/> is absent or every value holds for <paramref name="labels"/>:
    /// <c>KEY</c> needs the label, <c>KEY=VALUE</c> needs it with that value (the engine ANDs label filters).
    /// </summary>
    public bool MatchLabels(string key, IReadOnlyDictionary<string, string>? labels)
    {
        if (!_values.TryGetValue(key, out var values))
        {
            return true;
        }
        foreach (var value in values)
        {
            var eq = value.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? value : value[..eq];
            if (labels is null || !labels.TryGetValue(name, out var actual))
            {
                return false;
            }
            if (eq >= 0 && !string.Equals(actual, value[(eq + 1)..], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The query parameter value in the current form (<c>{"key":{"value":true}}</c>).</summary>
    public string ToJson()
    {
        var map = new Dictionary<string, Dictionary<string, bool>>(StringComparer.Ordinal);
        foreach (var (key, values) in _values)
        {
            map[key] = values.ToDictionary(v => v, _ => true, StringComparer.Ordinal);
        }
        return JsonSerializer.Serialize(map, ApiJsonContext.Default.DictionaryStringDictionaryStringBoolean);
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (key, values) in _values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var value in values.Order(StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"{key}={value} ");
            }
        }
        return text.ToString().TrimEnd();
    }
}
