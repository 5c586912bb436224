namespace Netstack.Core;

/// <summary>What a user asks for when creating a network (<c>docker network create</c>).</summary>
public sealed record NetworkSpec
{
    public required string Name { get; init; }

    /// <summary>Network driver type, as registered (<c>bridge</c>, <c>macvlan</c>, <c>overlay</c>, remote plugins).</summary>
    public string Driver { get; init; } = "bridge";

    /// <summary>Requested scope; null takes the driver's data scope.</summary>
    public NetworkScope? Scope { get; init; }

    public IpamSpec Ipam { get; init; } = new();

    /// <summary>Driver options (<c>-o</c>), with Docker's names (<see cref="DockerOptions"/>).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = Empty.Options;

    public IReadOnlyDictionary<string, string> Labels { get; init; } = Empty.Options;

    /// <summary>No route to the outside (<c>--internal</c>).</summary>
    public bool Internal { get; init; }

    /// <summary>Sandboxes may attach by hand (matters for global networks; always true locally).</summary>
    public bool Attachable { get; init; }

    public bool EnableIPv6 { get; init; }

    /// <summary>
    /// A predefined network (Docker's <c>bridge</c>, <c>host</c>, <c>none</c>): shown as type
    /// <c>builtin</c>, never pruned. Set only by the daemon, never from user input.
    /// </summary>
    public bool BuiltIn { get; init; }

    /// <summary>Fixed id (for the daemon's predefined networks); null generates one.</summary>
    public string? Id { get; init; }
}
