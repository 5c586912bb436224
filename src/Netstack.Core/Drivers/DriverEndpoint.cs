using System.Net;

namespace Netstack.Core.Drivers;

/// <summary>An endpoint as the driver sees it at creation.</summary>
public sealed record DriverEndpoint
{
    public required string NetworkId { get; init; }

    public required string EndpointId { get; init; }

    /// <summary>Requested MAC (<c>02:42:...</c>); empty lets the driver choose.</summary>
    public string MacAddress { get; init; } = string.Empty;

    public CidrAddress? IPv4Address { get; init; }

    public CidrAddress? IPv6Address { get; init; }

    public IReadOnlyDictionary<string, string> Options { get; init; } = Empty.Options;
}

/// <summary>What <see cref="INetworkDriver.CreateEndpointAsync"/> returns.</summary>
public sealed record DriverEndpointResult
{
    /// <summary>The MAC the interface will have.</summary>
    public required string MacAddress { get; init; }
}

/// <summary>A join: put the endpoint's interface into the sandbox.</summary>
public sealed record JoinRequest
{
    public required string NetworkId { get; init; }

    public required string EndpointId { get; init; }

    /// <summary>
    /// Path of the sandbox's network namespace file. Empty asks for a hand-over instead (Docker's
    /// remote-driver join, where dockerd moves the interface into its sandbox itself): the driver
    /// leaves the container end in the host namespace under a name it chooses, unique per endpoint,
    /// and returns that name as <see cref="JoinResult.InterfaceName"/>; <see cref="InterfaceName"/>
    /// is then ignored. A driver that cannot hand over throws <see cref="NotImplementedNetstackException"/>.
    /// </summary>
    public required string SandboxKey { get; init; }

    /// <summary>Name the interface must have inside the sandbox (<c>eth0</c>, <c>eth1</c>...).</summary>
    public required string InterfaceName { get; init; }

    /// <summary>True when the interface is handed over in the host namespace (<see cref="SandboxKey"/> empty).</summary>
    public bool IsHandOver => string.IsNullOrEmpty(SandboxKey);

    public required string MacAddress { get; init; }

    public CidrAddress? IPv4Address { get; init; }

    public CidrAddress? IPv6Address { get; init; }

    public IReadOnlyDictionary<string, string> Options { get; init; } = Empty.Options;
}

/// <summary>A route the controller installs in the sandbox for the endpoint.</summary>
public sealed record StaticRoute
{
    public required IPNetwork Destination { get; init; }

    /// <summary>Next hop; null for an on-link (connected) route through the endpoint's interface.</summary>
    public IPAddress? NextHop { get; init; }
}

/// <summary>What the driver did at join time and what the sandbox needs (libnetwork's <c>JoinInfo</c>).</summary>
public sealed record JoinResult
{
    /// <summary>
    /// Name of the interface now inside the sandbox (normally the requested one); for a hand-over
    /// (<see cref="JoinRequest.IsHandOver"/>) its name in the host namespace.
    /// </summary>
    public required string InterfaceName { get; init; }

    /// <summary>IPv4 default gateway through this endpoint; null for none (internal networks).</summary>
    public IPAddress? Gateway { get; init; }

    public IPAddress? GatewayIPv6 { get; init; }

    public IReadOnlyList<StaticRoute> StaticRoutes { get; init; } = [];

    /// <summary>True when this endpoint must not provide the sandbox's default route (Docker's <c>DisableGatewayService</c>).</summary>
    public bool DisableGatewayService { get; init; }
}

/// <summary>Ports to publish for an endpoint.</summary>
public sealed record ExternalConnectivityRequest
{
    public required string NetworkId { get; init; }

    public required string EndpointId { get; init; }

    public IReadOnlyList<PortBinding> PortBindings { get; init; } = [];

    public IReadOnlyDictionary<string, string> Options { get; init; } = Empty.Options;
}
