using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Networks;

/// <summary>Body of <c>POST /networks/create</c> (Engine API v1.41 "NetworkCreateRequest").</summary>
public sealed class NetworkCreateRequest
{
    public string? Name { get; set; }

    /// <summary>Deprecated by the engine; names are always unique here, so it is accepted and ignored.</summary>
    public bool? CheckDuplicate { get; set; }

    public string? Driver { get; set; }

    /// <summary>Newer clients may send it; <c>local</c> or <c>global</c>, else chosen by the driver.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Scope { get; set; }

    public bool Internal { get; set; }

    public bool Attachable { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Ingress { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ConfigOnly { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ConfigReference? ConfigFrom { get; set; }

    [JsonPropertyName("IPAM")]
    public IpamSettings? Ipam { get; set; }

    public bool? EnableIPv6 { get; set; }

    public Dictionary<string, string>? Options { get; set; }

    public Dictionary<string, string>? Labels { get; set; }
}
