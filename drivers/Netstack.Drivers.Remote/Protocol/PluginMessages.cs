using System.Text.Json.Nodes;

namespace Netstack.Drivers.Remote.Protocol;

// Docker's plugin protocol (moby/libnetwork docs/remote.md, docs/ipam.md, pkg/plugins): every call is
// an HTTP POST of a JSON object to /SERVICE.METHOD; every answer may carry "Err", non-empty when the
// plugin refused. Field names are Go's (PascalCase), read case-insensitively as Go does.

/// <summary>What every answer may carry.</summary>
internal abstract record PluginResponse
{
    public string? Err { get; init; }
}

/// <summary>An empty request body (<c>{}</c>).</summary>
internal sealed record EmptyRequest;

/// <summary>An answer with nothing but <c>Err</c>.</summary>
internal sealed record EmptyResponse : PluginResponse;

/// <summary><c>/Plugin.Activate</c>: the subsystems the plugin implements (<c>NetworkDriver</c>, <c>IpamDriver</c>).</summary>
internal sealed record ActivateResponse : PluginResponse
{
    public IReadOnlyList<string>? Implements { get; init; }
}

internal sealed record NetworkCapabilitiesResponse : PluginResponse
{
    public string? Scope { get; init; }

    public string? ConnectivityScope { get; init; }
}

/// <summary>One pool of a network as libnetwork hands it to a driver; addresses in CIDR form.</summary>
internal sealed record IpamData
{
    public string? AddressSpace { get; init; }

    public required string Pool { get; init; }

    public string? Gateway { get; init; }

    public Dictionary<string, string>? AuxAddresses { get; init; }
}

internal sealed record CreateNetworkRequest
{
    public required string NetworkID { get; init; }

    public required JsonObject Options { get; init; }

    public required IReadOnlyList<IpamData> IPv4Data { get; init; }

    public required IReadOnlyList<IpamData> IPv6Data { get; init; }
}

internal sealed record NetworkRequest
{
    public required string NetworkID { get; init; }
}

/// <summary>An endpoint's interface; each field empty when not set (addresses in CIDR form).</summary>
internal sealed record EndpointInterface
{
    public string? Address { get; init; }

    public string? AddressIPv6 { get; init; }

    public string? MacAddress { get; init; }
}

internal sealed record CreateEndpointRequest
{
    public required string NetworkID { get; init; }

    public required string EndpointID { get; init; }

    public EndpointInterface? Interface { get; init; }

    public required JsonObject Options { get; init; }
}

internal sealed record CreateEndpointResponse : PluginResponse
{
    public EndpointInterface? Interface { get; init; }
}

internal sealed record EndpointRequest
{
    public required string NetworkID { get; init; }

    public required string EndpointID { get; init; }
}

internal sealed record JoinRequestMessage
{
    public required string NetworkID { get; init; }

    public required string EndpointID { get; init; }

    public required string SandboxKey { get; init; }

    public required JsonObject Options { get; init; }
}

/// <summary>The host-side interface the plugin made (<c>SrcName</c>) and the prefix Docker would name it with.</summary>
internal sealed record InterfaceNameMessage
{
    public string? SrcName { get; init; }

    public string? DstPrefix { get; init; }
}

/// <summary>A route; <c>RouteType</c> 0 is through <c>NextHop</c>, 1 is on-link (libnetwork's types.NEXTHOP / CONNECTED).</summary>
internal sealed record StaticRouteMessage
{
    public string? Destination { get; init; }

    public int RouteType { get; init; }

    public string? NextHop { get; init; }
}

internal sealed record JoinResponse : PluginResponse
{
    public InterfaceNameMessage? InterfaceName { get; init; }

    public string? Gateway { get; init; }

    public string? GatewayIPv6 { get; init; }

    public IReadOnlyList<StaticRouteMessage>? StaticRoutes { get; init; }

    public bool DisableGatewayService { get; init; }
}

internal sealed record ExternalConnectivityRequestMessage
{
    public required string NetworkID { get; init; }

    public required string EndpointID { get; init; }

    public required JsonObject Options { get; init; }
}

// IPAM (docs/ipam.md).

internal sealed record AddressSpacesResponse : PluginResponse
{
    public string? LocalDefaultAddressSpace { get; init; }

    public string? GlobalDefaultAddressSpace { get; init; }
}

internal sealed record RequestPoolMessage
{
    public required string AddressSpace { get; init; }

    public required string Pool { get; init; }

    public required string SubPool { get; init; }

    public required Dictionary<string, string> Options { get; init; }

    public bool V6 { get; init; }
}

internal sealed record RequestPoolResponse : PluginResponse
{
    public string? PoolID { get; init; }

    public string? Pool { get; init; }

    public Dictionary<string, string>? Data { get; init; }
}

internal sealed record ReleasePoolMessage
{
    public required string PoolID { get; init; }
}

internal sealed record RequestAddressMessage
{
    public required string PoolID { get; init; }

    public required string Address { get; init; }

    public required Dictionary<string, string> Options { get; init; }
}

internal sealed record RequestAddressResponse : PluginResponse
{
    public string? Address { get; init; }

    public Dictionary<string, string>? Data { get; init; }
}

internal sealed record ReleaseAddressMessage
{
    public required string PoolID { get; init; }

    public required string Address { get; init; }
}
