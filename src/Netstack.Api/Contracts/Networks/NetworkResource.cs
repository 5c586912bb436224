using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Networks;

/// <summary>A network as <c>GET /networks</c> and <c>GET /networks/{id}</c> return it (Engine API v1.41 "Network").</summary>
public sealed class NetworkResource
{
    public string Name { get; set; } = "";

    public string Id { get; set; } = "";

    /// <summary>RFC 3339 with nanoseconds, as the engine writes it.</summary>
    public string Created { get; set; } = "";

    /// <summary><c>local</c> or <c>global</c> (the engine also knows <c>swarm</c>).</summary>
    public string Scope { get; set; } = "local";

    public string Driver { get; set; } = "";

    public bool EnableIPv6 { get; set; }

    [JsonPropertyName("IPAM")]
    public IpamSettings Ipam { get; set; } = new();

    public bool Internal { get; set; }

    public bool Attachable { get; set; }

    public bool Ingress { get; set; }

    public ConfigReference ConfigFrom { get; set; } = new();

    public bool ConfigOnly { get; set; }

    /// <summary>Endpoints on this network keyed by container (or sandbox) id.</summary>
    public Dictionary<string, NetworkContainer> Containers { get; set; } = [];

    public Dictionary<string, string> Options { get; set; } = [];

    public Dictionary<string, string> Labels { get; set; } = [];

    /// <summary>Nodes taking part in an overlay network and their tunnel addresses (inspect only, as Docker); null elsewhere.</summary>
    public List<PeerInfo>? Peers { get; set; }
}

/// <summary>One entry of <see cref="NetworkResource.Peers"/>.</summary>
public sealed class PeerInfo
{
    public string Name { get; set; } = "";

    [System.Text.Json.Serialization.JsonPropertyName("IP")]
    public string Ip { get; set; } = "";
}
