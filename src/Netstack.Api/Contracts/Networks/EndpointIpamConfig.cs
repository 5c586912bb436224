using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Networks;

/// <summary>Static addresses asked for an endpoint (<c>--ip</c>, <c>--ip6</c>).</summary>
public sealed class EndpointIpamConfig
{
    [JsonPropertyName("IPv4Address")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IPv4Address { get; set; }

    [JsonPropertyName("IPv6Address")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IPv6Address { get; set; }

    [JsonPropertyName("LinkLocalIPs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? LinkLocalIps { get; set; }
}
