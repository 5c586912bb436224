using System.Text.Json.Serialization;

namespace Netstack.Daemon.Plugin;

/// <summary>A network dockerd created through the plugin, as stored (<c>plugin/networks/&lt;id&gt;</c>).</summary>
internal sealed record PluginNetworkRecord
{
    public required string NetworkId { get; init; }

    /// <summary>Which of our drivers serves it (the <c>netstack.driver</c> option).</summary>
    public required string Driver { get; init; }

    /// <summary>The driver options (<c>com.docker.network.generic</c> without <c>netstack.driver</c>).</summary>
    public Dictionary<string, string> Options { get; init; } = [];

    public bool Internal { get; init; }

    public bool EnableIPv6 { get; init; }

    public List<PluginPoolRecord> IPv4 { get; init; } = [];

    public List<PluginPoolRecord> IPv6 { get; init; } = [];
}

/// <summary>One pool of a stored network: subnet and gateway in CIDR form, aux addresses plain.</summary>
internal sealed record PluginPoolRecord
{
    public required string Subnet { get; init; }

    public string? Gateway { get; init; }

    public Dictionary<string, string> AuxAddresses { get; init; } = [];
}

/// <summary>An endpoint dockerd created through the plugin (<c>plugin/endpoints/&lt;network&gt;/&lt;endpoint&gt;</c>).</summary>
internal sealed record PluginEndpointRecord
{
    public required string NetworkId { get; init; }

    public required string EndpointId { get; init; }

    public required string MacAddress { get; init; }

    public string? IPv4Address { get; init; }

    public string? IPv6Address { get; init; }

    /// <summary>True between Join and Leave: the driver handed its interface over to dockerd.</summary>
    public bool Joined { get; init; }

    /// <summary>Published ports as the driver programmed them.</summary>
    public List<PluginPortRecord> Ports { get; init; } = [];
}

/// <summary>A programmed port binding.</summary>
internal sealed record PluginPortRecord
{
    public required string Protocol { get; init; }

    public required int ContainerPort { get; init; }

    public string? HostIp { get; init; }

    public required int HostPort { get; init; }
}

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata | JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(PluginNetworkRecord))]
[JsonSerializable(typeof(PluginEndpointRecord))]
internal sealed partial class PluginStateJsonContext : JsonSerializerContext
{
}
