using System.Text.Json.Serialization;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Contracts.Upstream;

namespace Netstack.Api.Contracts.Containers;

/// <summary><c>NetworkSettings</c> of a container's inspect: its sandbox and its endpoint on each network.</summary>
public sealed class ContainerNetworkSettings
{
    public string Bridge { get; set; } = "";

    [JsonPropertyName("SandboxID")]
    public string SandboxId { get; set; } = "";

    /// <summary>The network namespace path.</summary>
    public string SandboxKey { get; set; } = "";

    /// <summary>Published ports: <c>PORT/PROTO</c> to host bindings (null entries for exposed but unpublished ports).</summary>
    public Dictionary<string, List<PortBinding>?> Ports { get; set; } = [];

    public Dictionary<string, EndpointSettings> Networks { get; set; } = [];

    /// <summary>
    /// netstack's own: the published ports' mappings on the upstream router (<c>--upstream-portmap</c>
    /// with the label <c>netstack.upstream-portmap=true</c>), by <c>PORT/PROTO</c>; absent when none.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, List<UpstreamPortBinding>>? UpstreamPorts { get; set; }
}
