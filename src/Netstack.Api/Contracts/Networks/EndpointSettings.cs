using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Networks;

/// <summary>
/// The engine's "EndpointSettings": what a client asks for when connecting (IPAMConfig, Aliases) and
/// what a container's inspect shows per network (addresses, gateway, ids).
/// </summary>
public sealed class EndpointSettings
{
    [JsonPropertyName("IPAMConfig")]
    public EndpointIpamConfig? IpamConfig { get; set; }

    public List<string>? Links { get; set; }

    public List<string>? Aliases { get; set; }

    /// <summary>
    /// Names the embedded resolver answers for this endpoint on its network: container name,
    /// aliases, short id (newer engines' field; null on the default bridge, which has no resolver).
    /// Output only.
    /// </summary>
    [JsonPropertyName("DNSNames")]
    public List<string>? DnsNames { get; set; }

    [JsonPropertyName("NetworkID")]
    public string NetworkId { get; set; } = "";

    [JsonPropertyName("EndpointID")]
    public string EndpointId { get; set; } = "";

    public string Gateway { get; set; } = "";

    [JsonPropertyName("IPAddress")]
    public string IPAddress { get; set; } = "";

    [JsonPropertyName("IPPrefixLen")]
    public int IPPrefixLen { get; set; }

    [JsonPropertyName("IPv6Gateway")]
    public string IPv6Gateway { get; set; } = "";

    [JsonPropertyName("GlobalIPv6Address")]
    public string GlobalIPv6Address { get; set; } = "";

    [JsonPropertyName("GlobalIPv6PrefixLen")]
    public int GlobalIPv6PrefixLen { get; set; }

    public string MacAddress { get; set; } = "";

    public Dictionary<string, string>? DriverOpts { get; set; }
}
