using System.Net;

namespace Netstack.Core;

/// <summary>What a user asks for when connecting a sandbox to a network (<c>docker network connect</c> flags).</summary>
public sealed record EndpointSpec
{
    /// <summary>Endpoint name; null uses the sandbox name.</summary>
    public string? Name { get; init; }

    /// <summary>Static IPv4 address (<c>--ip</c>), inside the network's subnet and free.</summary>
    public string? IPv4Address { get; init; }

    /// <summary>Static IPv6 address (<c>--ip6</c>).</summary>
    public string? IPv6Address { get; init; }

    /// <summary>MAC address to use; null lets the controller derive one.</summary>
    public string? MacAddress { get; init; }

    /// <summary>Extra DNS names on this network (<c>--alias</c>).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    public IReadOnlyList<PortBinding> PublishedPorts { get; init; } = [];

    /// <summary>Driver options for the endpoint (<c>--driver-opt</c>).</summary>
    public IReadOnlyDictionary<string, string> DriverOptions { get; init; } = Empty.Options;
}

/// <summary>An endpoint: a sandbox's attachment to a network.</summary>
public sealed record EndpointInfo
{
    public required string Id { get; init; }

    public required string NetworkId { get; init; }

    public string NetworkName { get; init; } = string.Empty;

    public required string Name { get; init; }

    /// <summary>MAC address as <c>02:42:ac:12:00:02</c>.</summary>
    public string MacAddress { get; init; } = string.Empty;

    public CidrAddress? IPv4Address { get; init; }

    public CidrAddress? IPv6Address { get; init; }

    public IPAddress? Gateway { get; init; }

    public IPAddress? GatewayIPv6 { get; init; }

    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Port bindings as programmed (host ports resolved).</summary>
    public IReadOnlyList<PortBinding> PublishedPorts { get; init; } = [];

    public string SandboxId { get; init; } = string.Empty;

    /// <summary>The sandbox's name: the container name a DNS server answers for.</summary>
    public string SandboxName { get; init; } = string.Empty;

    /// <summary>The sandbox key: path of its network namespace file.</summary>
    public string SandboxKey { get; init; } = string.Empty;

    public string? ContainerId { get; init; }

    /// <summary>Interface name inside the sandbox (<c>eth0</c>, <c>eth1</c>...).</summary>
    public string InterfaceName { get; init; } = string.Empty;

    /// <summary>
    /// Names this endpoint answers to on its network: the sandbox name, the aliases and, for
    /// containers, the short container id (Docker's <c>DNSNames</c>).
    /// </summary>
    public IReadOnlyList<string> DnsNames { get; init; } = [];

    /// <summary>
    /// True for an endpoint the controller made itself (the sandbox's endpoint on the gateway
    /// network): Docker's anonymous endpoint, listed by <c>network inspect</c> of its network but
    /// not among a container's <c>NetworkSettings.Networks</c>.
    /// </summary>
    public bool Anonymous { get; init; }
}
