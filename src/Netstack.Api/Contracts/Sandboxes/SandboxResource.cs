using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Sandboxes;

/// <summary>A sandbox as netstack's <c>GET /sandboxes</c> and <c>POST /sandboxes/create</c> return it.</summary>
public sealed class SandboxResource
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>The network namespace path (e.g. <c>/run/netstack/netns/NAME</c>); <c>ip netns exec</c> and <c>nsenter --net=</c> take it.</summary>
    public string Key { get; set; } = "";

    /// <summary>Id of the container using this sandbox; empty for a bare sandbox.</summary>
    [JsonPropertyName("ContainerID")]
    public string ContainerId { get; set; } = "";

    public List<SandboxEndpoint> Endpoints { get; set; } = [];
}

/// <summary>One interface of a sandbox.</summary>
public sealed class SandboxEndpoint
{
    public string Network { get; set; } = "";

    [JsonPropertyName("NetworkID")]
    public string NetworkId { get; set; } = "";

    [JsonPropertyName("EndpointID")]
    public string EndpointId { get; set; } = "";

    /// <summary>Interface name inside the sandbox (<c>eth0</c>, <c>eth1</c>, ...).</summary>
    public string Interface { get; set; } = "";

    public string MacAddress { get; set; } = "";

    [JsonPropertyName("IPv4Address")]
    public string IPv4Address { get; set; } = "";

    [JsonPropertyName("IPv6Address")]
    public string IPv6Address { get; set; } = "";

    public List<string> Aliases { get; set; } = [];
}
