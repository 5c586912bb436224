using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Networks;

/// <summary>An endpoint as listed in <c>Network.Containers</c>.</summary>
public sealed class NetworkContainer
{
    public string Name { get; set; } = "";

    [JsonPropertyName("EndpointID")]
    public string EndpointId { get; set; } = "";

    public string MacAddress { get; set; } = "";

    /// <summary>Address with prefix length, e.g. <c>172.19.0.2/16</c>; empty when none.</summary>
    [JsonPropertyName("IPv4Address")]
    public string IPv4Address { get; set; } = "";

    [JsonPropertyName("IPv6Address")]
    public string IPv6Address { get; set; } = "";

    /// <summary>
    /// Names the embedded resolver answers for this endpoint (container name, aliases, short id);
    /// a netstack addition, null on built-in networks (no resolver there, as with Docker).
    /// </summary>
    [JsonPropertyName("DNSNames")]
    public List<string>? DnsNames { get; set; }
}
