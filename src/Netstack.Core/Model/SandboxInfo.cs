namespace Netstack.Core;

/// <summary>What a user or the runtime asks for when creating a sandbox.</summary>
public sealed record SandboxSpec
{
    /// <summary>Unique name (a container's name, or the name given to <c>netstack sandbox create</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The container that will run in the sandbox, if any.</summary>
    public string? ContainerId { get; init; }

    public string? Hostname { get; init; }

    /// <summary>
    /// An existing network namespace file to adopt (like <c>/proc/PID/ns/net</c> or a bind mount);
    /// null creates a new named namespace under the controller's netns directory. An adopted
    /// namespace is never deleted by Netstack.
    /// </summary>
    public string? NamespacePath { get; init; }

    /// <summary>Upstream DNS servers for the sandbox (<c>--dns</c>).</summary>
    public IReadOnlyList<string> DnsServers { get; init; } = [];

    public IReadOnlyList<string> DnsSearch { get; init; } = [];

    public IReadOnlyList<string> DnsOptions { get; init; } = [];

    public IReadOnlyDictionary<string, string> Labels { get; init; } = Empty.Options;
}

/// <summary>A sandbox: a network namespace with the interfaces of its endpoints.</summary>
public sealed record SandboxInfo
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The sandbox key: path of the network namespace file (<c>/run/netstack/netns/&lt;name-or-id&gt;</c>).</summary>
    public required string Key { get; init; }

    public string? ContainerId { get; init; }

    public string? Hostname { get; init; }

    /// <summary>True when the namespace was adopted (<see cref="SandboxSpec.NamespacePath"/>) rather than created.</summary>
    public bool External { get; init; }

    public DateTimeOffset Created { get; init; }

    public IReadOnlyList<string> DnsServers { get; init; } = [];

    public IReadOnlyList<string> DnsSearch { get; init; } = [];

    public IReadOnlyList<string> DnsOptions { get; init; } = [];

    public IReadOnlyDictionary<string, string> Labels { get; init; } = Empty.Options;

    /// <summary>Endpoints joined to this sandbox, in interface order.</summary>
    public IReadOnlyList<EndpointInfo> Endpoints { get; init; } = [];
}
