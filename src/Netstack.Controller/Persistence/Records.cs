using System.Text.Json.Serialization;

namespace Netstack.Controller;

/// <summary>
/// Life stage of a stored object. An object is written as <see cref="Creating"/> (the intent) before
/// any kernel work and becomes <see cref="Ready"/> only after it; teardown writes <see cref="Deleting"/>
/// first. Reconcile undoes a <see cref="Creating"/> object and finishes a <see cref="Deleting"/> one.
/// </summary>
internal enum RecordState
{
    Creating,
    Ready,
    Deleting,
}

internal sealed record PoolRecord
{
    public required string PoolId { get; init; }

    public required string Subnet { get; init; }

    public string? IpRange { get; init; }

    /// <summary>Gateway as <c>addr/len</c>.</summary>
    public string? Gateway { get; init; }

    public Dictionary<string, string> AuxAddresses { get; init; } = new(StringComparer.Ordinal);
}

internal sealed record NetworkRecord
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Driver { get; init; }

    public string Scope { get; init; } = "local";

    public DateTimeOffset Created { get; init; }

    public string IpamDriver { get; init; } = "default";

    public Dictionary<string, string> IpamOptions { get; init; } = new(StringComparer.Ordinal);

    public List<PoolRecord> Pools { get; init; } = [];

    public Dictionary<string, string> Options { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Labels { get; init; } = new(StringComparer.Ordinal);

    public bool Internal { get; init; }

    public bool Attachable { get; init; }

    public bool EnableIPv6 { get; init; }

    public bool BuiltIn { get; init; }

    public RecordState State { get; init; }

    /// <summary>
    /// Global networks: the node that wrote the current <see cref="State"/> (the creator while
    /// Creating, the remover while Deleting), so only that node's reconcile finishes what it began.
    /// </summary>
    public string? Node { get; init; }
}

/// <summary>
/// A node's endpoint on a global network, in the global store under
/// <c>attachments/&lt;network-id&gt;/&lt;node&gt;/&lt;endpoint-id&gt;</c>: what lets any host refuse to
/// remove a network that some host still uses. Written conditioned on the network record's
/// revision, so it cannot slip in after a remover marked the network Deleting.
/// </summary>
internal sealed record AttachmentRecord
{
    public required string NetworkId { get; init; }

    public required string EndpointId { get; init; }

    public required string Node { get; init; }

    public string Name { get; init; } = string.Empty;

    public string? IPv4Address { get; init; }
}

internal sealed record PortRecord
{
    public string Protocol { get; init; } = "tcp";

    public int ContainerPort { get; init; }

    public string? HostIp { get; init; }

    public int HostPort { get; init; }
}

internal sealed record EndpointRecord
{
    public required string Id { get; init; }

    public required string NetworkId { get; init; }

    public required string Name { get; init; }

    public required string SandboxId { get; init; }

    public required string InterfaceName { get; init; }

    public string MacAddress { get; init; } = string.Empty;

    public string? IPv4Address { get; init; }

    public string? IPv4PoolId { get; init; }

    public string? IPv6Address { get; init; }

    public string? IPv6PoolId { get; init; }

    public string? Gateway { get; init; }

    public string? GatewayIPv6 { get; init; }

    /// <summary>True when this endpoint provides the sandbox's default route.</summary>
    public bool ProvidesGateway { get; init; }

    /// <summary>
    /// True when the endpoint's network reaches other hosts and its driver gave no gateway (overlay):
    /// the sandbox then needs the gateway network for its default route and published ports
    /// (libnetwork's <c>needDefaultGW</c>).
    /// </summary>
    public bool NeedsGatewayNetwork { get; init; }

    /// <summary>True when the endpoint's names are not served by the embedded DNS (the gateway endpoint, as Docker's).</summary>
    public bool DisableResolution { get; init; }

    /// <summary>True for an endpoint the controller made itself (the gateway endpoint): Docker's anonymous endpoint.</summary>
    public bool Anonymous { get; init; }

    public List<string> Aliases { get; init; } = [];

    /// <summary>Ports as the user asked.</summary>
    public List<PortRecord> RequestedPorts { get; init; } = [];

    /// <summary>Ports as programmed by the driver.</summary>
    public List<PortRecord> PublishedPorts { get; init; } = [];

    public Dictionary<string, string> DriverOptions { get; init; } = new(StringComparer.Ordinal);

    public RecordState State { get; init; }
}

internal sealed record SandboxRecord
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Key { get; init; }

    public string? ContainerId { get; init; }

    public string? Hostname { get; init; }

    public bool External { get; init; }

    public DateTimeOffset Created { get; init; }

    public List<string> DnsServers { get; init; } = [];

    public List<string> DnsSearch { get; init; } = [];

    public List<string> DnsOptions { get; init; } = [];

    public Dictionary<string, string> Labels { get; init; } = new(StringComparer.Ordinal);

    public RecordState State { get; init; }
}

[JsonSerializable(typeof(NetworkRecord))]
[JsonSerializable(typeof(EndpointRecord))]
[JsonSerializable(typeof(SandboxRecord))]
[JsonSerializable(typeof(AttachmentRecord))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
internal sealed partial class ControllerJsonContext : JsonSerializerContext;
