using Netstack.Core;

namespace Netstack.Controller;

/// <summary>
/// Filters of <c>GET /networks?filters=...</c>. Values within one field are alternatives (OR);
/// fields combine with AND. Empty means "no condition".
/// </summary>
public sealed record NetworkFilter
{
    /// <summary>Substrings of the name (Docker matches names by substring).</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>Prefixes of the id.</summary>
    public IReadOnlyList<string> Ids { get; init; } = [];

    public IReadOnlyList<string> Drivers { get; init; } = [];

    /// <summary><c>key</c> (label present) or <c>key=value</c>; every label given must match.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary><c>custom</c> or <c>builtin</c>; anything else is InvalidParameter on <c>type</c>.</summary>
    public IReadOnlyList<string> Types { get; init; } = [];

    public IReadOnlyList<NetworkScope> Scopes { get; init; } = [];

    /// <summary>True: only networks without endpoints; false: only networks with endpoints.</summary>
    public bool? Dangling { get; init; }
}

/// <summary>Filters of <c>POST /networks/prune</c>.</summary>
public sealed record NetworkPruneFilter
{
    /// <summary>Only networks created before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary><c>key</c> or <c>key=value</c> that must match.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary><c>key</c> or <c>key=value</c> that must NOT match (Docker's <c>label!=</c>).</summary>
    public IReadOnlyList<string> LabelsNot { get; init; } = [];
}
