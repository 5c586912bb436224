using System.Text.Json;
using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Plugins;

/// <summary>Answer of <c>NetworkDriver.GetCapabilities</c>: <c>local</c> or <c>global</c> for both.</summary>
public sealed class NetworkCapabilitiesResponse
{
    public string Scope { get; set; } = "local";

    public string ConnectivityScope { get; set; } = "local";
}

/// <summary>One pool of a network as Docker's IPAM gave it (Docker's <c>IPAMData</c>); addresses in CIDR form.</summary>
public sealed class PluginIpamData
{
    public string? AddressSpace { get; set; }

    /// <summary>The subnet, <c>10.60.0.0/24</c>.</summary>
    public string? Pool { get; set; }

    /// <summary>The gateway with the pool's prefix length, <c>10.60.0.1/24</c>.</summary>
    public string? Gateway { get; set; }

    /// <summary>Reserved addresses by name, each in CIDR form.</summary>
    public Dictionary<string, string>? AuxAddresses { get; set; }
}

/// <summary>Body of <c>NetworkDriver.CreateNetwork</c>.</summary>
public sealed class PluginCreateNetworkRequest
{
    [JsonPropertyName("NetworkID")]
    public string? NetworkId { get; set; }

    /// <summary>Free-form: <c>com.docker.network.generic</c> (the <c>-o</c> map), <c>com.docker.network.enable_ipv6</c>...</summary>
    public Dictionary<string, JsonElement>? Options { get; set; }

    [JsonPropertyName("IPv4Data")]
    public List<PluginIpamData>? IPv4Data { get; set; }

    [JsonPropertyName("IPv6Data")]
    public List<PluginIpamData>? IPv6Data { get; set; }
}

/// <summary>Body of <c>NetworkDriver.DeleteNetwork</c>.</summary>
public sealed class PluginNetworkRequest
{
    [JsonPropertyName("NetworkID")]
    public string? NetworkId { get; set; }
}

/// <summary>An endpoint's interface: addresses in CIDR form and the MAC.</summary>
public sealed class PluginEndpointInterface
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Address { get; set; }

    [JsonPropertyName("AddressIPv6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AddressIPv6 { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MacAddress { get; set; }
}

/// <summary>Body of <c>NetworkDriver.CreateEndpoint</c>.</summary>
public sealed class PluginCreateEndpointRequest
{
    [JsonPropertyName("NetworkID")]
    public string? NetworkId { get; set; }

    [JsonPropertyName("EndpointID")]
    public string? EndpointId { get; set; }

    public PluginEndpointInterface? Interface { get; set; }

    public Dictionary<string, JsonElement>? Options { get; set; }
}

/// <summary>
/// Answer of <c>NetworkDriver.CreateEndpoint</c>: only what Docker left empty may be filled in (it
/// refuses an answer that changes an address or MAC it gave), so <see cref="Interface"/> is null
/// when Docker gave everything.
/// </summary>
public sealed class PluginCreateEndpointResponse
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PluginEndpointInterface? Interface { get; set; }
}

/// <summary>
/// Body of the calls that name one endpoint: <c>DeleteEndpoint</c>, <c>EndpointOperInfo</c>,
/// <c>Leave</c>, <c>RevokeExternalConnectivity</c>.
/// </summary>
public sealed class PluginEndpointRequest
{
    [JsonPropertyName("NetworkID")]
    public string? NetworkId { get; set; }

    [JsonPropertyName("EndpointID")]
    public string? EndpointId { get; set; }
}

/// <summary>Answer of <c>NetworkDriver.EndpointOperInfo</c>: free-form operational data.</summary>
public sealed class PluginEndpointInfoResponse
{
    public Dictionary<string, string> Value { get; set; } = [];
}

/// <summary>Body of <c>NetworkDriver.Join</c>.</summary>
public sealed class PluginJoinRequest
{
    [JsonPropertyName("NetworkID")]
    public string? NetworkId { get; set; }

    [JsonPropertyName("EndpointID")]
    public string? EndpointId { get; set; }

    /// <summary>dockerd's namespace path of the sandbox; Docker moves the interface there itself.</summary>
    public string? SandboxKey { get; set; }

    public Dictionary<string, JsonElement>? Options { get; set; }
}

/// <summary>
/// The interface a join hands over: <see cref="SrcName"/> is its name in the plugin's (host)
/// namespace; Docker moves it into the sandbox and names it <see cref="DstPrefix"/> plus a number.
/// </summary>
public sealed class PluginInterfaceName
{
    public string SrcName { get; set; } = string.Empty;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DstName { get; set; }

    public string DstPrefix { get; set; } = "eth";
}

/// <summary>A route Docker installs in the sandbox. <see cref="RouteType"/>: 0 via <see cref="NextHop"/>, 1 connected.</summary>
public sealed class PluginStaticRoute
{
    public string Destination { get; set; } = string.Empty;

    public int RouteType { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NextHop { get; set; }
}

/// <summary>Answer of <c>NetworkDriver.Join</c>; gateways as plain addresses, empty for none.</summary>
public sealed class PluginJoinResponse
{
    public PluginInterfaceName? InterfaceName { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Gateway { get; set; }

    [JsonPropertyName("GatewayIPv6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? GatewayIPv6 { get; set; }

    public List<PluginStaticRoute> StaticRoutes { get; set; } = [];

    public bool DisableGatewayService { get; set; }
}

/// <summary>Body of <c>NetworkDriver.DiscoverNew</c> and <c>DiscoverDelete</c> (node or datastore discovery).</summary>
public sealed class PluginDiscoveryNotification
{
    public int DiscoveryType { get; set; }

    public JsonElement? DiscoveryData { get; set; }
}

/// <summary>Body of <c>NetworkDriver.ProgramExternalConnectivity</c>: the sandbox's labels, ports among them.</summary>
public sealed class PluginExternalConnectivityRequest
{
    [JsonPropertyName("NetworkID")]
    public string? NetworkId { get; set; }

    [JsonPropertyName("EndpointID")]
    public string? EndpointId { get; set; }

    public Dictionary<string, JsonElement>? Options { get; set; }
}

/// <summary>
/// One published port in <c>com.docker.network.portmap</c> (Docker's <c>types.PortBinding</c>):
/// <see cref="Proto"/> is the IP protocol number (6 TCP, 17 UDP, 132 SCTP).
/// </summary>
public sealed class PluginPortBinding
{
    public int Proto { get; set; }

    [JsonPropertyName("IP")]
    public string? Ip { get; set; }

    public int Port { get; set; }

    [JsonPropertyName("HostIP")]
    public string? HostIp { get; set; }

    public int HostPort { get; set; }

    public int HostPortEnd { get; set; }
}

/// <summary>One exposed port in <c>com.docker.network.endpoint.exposedports</c> (Docker's <c>types.TransportPort</c>).</summary>
public sealed class PluginTransportPort
{
    public int Proto { get; set; }

    public int Port { get; set; }
}
