using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Networks;

/// <summary>One entry of <c>IPAM.Config</c>: a subnet with its optional range, gateway and reserved addresses.</summary>
public sealed class IpamPoolConfig
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Subnet { get; set; }

    [JsonPropertyName("IPRange")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IpRange { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Gateway { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? AuxiliaryAddresses { get; set; }
}
