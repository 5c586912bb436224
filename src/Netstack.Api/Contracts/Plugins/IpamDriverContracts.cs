using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Plugins;

/// <summary>Answer of <c>IpamDriver.GetCapabilities</c>.</summary>
public sealed class IpamCapabilitiesResponse
{
    [JsonPropertyName("RequiresMACAddress")]
    public bool RequiresMacAddress { get; set; }

    public bool RequiresRequestReplay { get; set; }
}

/// <summary>Answer of <c>IpamDriver.GetDefaultAddressSpaces</c>.</summary>
public sealed class IpamAddressSpacesResponse
{
    public string LocalDefaultAddressSpace { get; set; } = string.Empty;

    public string GlobalDefaultAddressSpace { get; set; } = string.Empty;
}

/// <summary>Body of <c>IpamDriver.RequestPool</c>: <see cref="Pool"/> empty picks a free one; <see cref="SubPool"/> is <c>--ip-range</c>.</summary>
public sealed class IpamRequestPoolRequest
{
    public string? AddressSpace { get; set; }

    public string? Pool { get; set; }

    public string? SubPool { get; set; }

    public Dictionary<string, string>? Options { get; set; }

    [JsonPropertyName("V6")]
    public bool V6 { get; set; }
}

/// <summary>Answer of <c>IpamDriver.RequestPool</c>.</summary>
public sealed class IpamRequestPoolResponse
{
    [JsonPropertyName("PoolID")]
    public string PoolId { get; set; } = string.Empty;

    public string Pool { get; set; } = string.Empty;

    public Dictionary<string, string> Data { get; set; } = [];
}

/// <summary>Body of <c>IpamDriver.ReleasePool</c>.</summary>
public sealed class IpamReleasePoolRequest
{
    [JsonPropertyName("PoolID")]
    public string? PoolId { get; set; }
}

/// <summary>Body of <c>IpamDriver.RequestAddress</c>: <see cref="Address"/> empty takes the next free one.</summary>
public sealed class IpamRequestAddressRequest
{
    [JsonPropertyName("PoolID")]
    public string? PoolId { get; set; }

    public string? Address { get; set; }

    public Dictionary<string, string>? Options { get; set; }
}

/// <summary>Answer of <c>IpamDriver.RequestAddress</c>: the address in CIDR form.</summary>
public sealed class IpamRequestAddressResponse
{
    public string Address { get; set; } = string.Empty;

    public Dictionary<string, string> Data { get; set; } = [];
}

/// <summary>Body of <c>IpamDriver.ReleaseAddress</c>: a plain address.</summary>
public sealed class IpamReleaseAddressRequest
{
    [JsonPropertyName("PoolID")]
    public string? PoolId { get; set; }

    public string? Address { get; set; }
}
