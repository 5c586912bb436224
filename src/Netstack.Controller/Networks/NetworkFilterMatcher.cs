using Netstack.Core;

namespace Netstack.Controller;

/// <summary>Applies a <see cref="NetworkFilter"/>: alternatives within a field, AND across fields.</summary>
internal sealed class NetworkFilterMatcher
{
    private readonly NetworkFilter _filter;

    public NetworkFilterMatcher(NetworkFilter filter)
    {
        _filter = filter;
        foreach (var type in filter.Types)
        {
            if (type is not ("custom" or "builtin"))
            {
                throw new InvalidParameterException("type", type, "expected custom or builtin");
            }
        }
    }

    public bool Matches(NetworkRecord network, bool hasEndpoints)
    {
        if (_filter.Names.Count > 0 && !_filter.Names.Any(n => network.Name.Contains(n, StringComparison.Ordinal)))
        {
            return false;
        }
        if (_filter.Ids.Count > 0 && !_filter.Ids.Any(i => network.Id.StartsWith(i, StringComparison.Ordinal)))
        {
            return false;
        }
        if (_filter.Drivers.Count > 0 && !_filter.Drivers.Contains(network.Driver, StringComparer.Ordinal))
        {
            return false;
        }
        if (!_filter.Labels.All(l => LabelMatches(network.Labels, l)))
        {
            return false;
        }
        if (_filter.Types.Count > 0 && !_filter.Types.Contains(network.BuiltIn ? "builtin" : "custom", StringComparer.Ordinal))
        {
            return false;
        }
        if (_filter.Scopes.Count > 0 && !_filter.Scopes.Any(s => s.ToName() == network.Scope))
        {
            return false;
        }
        if (_filter.Dangling is { } dangling && dangling == hasEndpoints)
        {
            return false;
        }
        return true;
    }

    /// <summary><c>key</c> matches when the label is present; <c>key=value</c> when it has that value.</summary>
    public static bool LabelMatches(IReadOnlyDictionary<string, string> labels, string filter)
    {
        var eq = filter.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
        {
            return labels.ContainsKey(filter);
        }
        return labels.TryGetValue(filter[..eq], out var value) && value == filter[(eq + 1)..];
    }
}
