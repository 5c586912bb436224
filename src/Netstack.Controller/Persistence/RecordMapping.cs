using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;

namespace Netstack.Controller;

/// <summary>Records (what is stored, strings) to model types (what callers see, typed) and back.</summary>
internal static class RecordMapping
{
    public static NetworkInfo ToInfo(NetworkRecord r, IReadOnlyList<EndpointInfo> endpoints) => new()
    {
        Id = r.Id,
        Name = r.Name,
        Driver = r.Driver,
        Scope = NetworkScopeNames.TryParse(r.Scope, out var scope) ? scope : NetworkScope.Local,
        Created = r.Created,
        Ipam = new IpamInfo
        {
            Driver = r.IpamDriver,
            Options = r.IpamOptions,
            Pools = r.Pools.Select(ToInfo).ToArray(),
        },
        Options = r.Options,
        Labels = r.Labels,
        Internal = r.Internal,
        Attachable = r.Attachable,
        EnableIPv6 = r.EnableIPv6,
        BuiltIn = r.BuiltIn,
        Endpoints = endpoints,
    };

    public static IpamPoolInfo ToInfo(PoolRecord p) => new()
    {
        PoolId = p.PoolId,
        Subnet = IPNetwork.Parse(p.Subnet),
        IpRange = p.IpRange is null ? null : IPNetwork.Parse(p.IpRange),
        Gateway = p.Gateway is null ? null : CidrAddress.Parse(p.Gateway),
        AuxAddresses = p.AuxAddresses.ToDictionary(kv => kv.Key, kv => IPAddress.Parse(kv.Value), StringComparer.Ordinal),
    };

    public static EndpointInfo ToInfo(EndpointRecord e, NetworkRecord? network, SandboxRecord? sandbox) => new()
    {
        Id = e.Id,
        NetworkId = e.NetworkId,
        NetworkName = network?.Name ?? string.Empty,
        Name = e.Name,
        MacAddress = e.MacAddress,
        IPv4Address = e.IPv4Address is null ? null : CidrAddress.Parse(e.IPv4Address),
        IPv6Address = e.IPv6Address is null ? null : CidrAddress.Parse(e.IPv6Address),
        Gateway = e.Gateway is null ? null : IPAddress.Parse(e.Gateway),
        GatewayIPv6 = e.GatewayIPv6 is null ? null : IPAddress.Parse(e.GatewayIPv6),
        Aliases = e.Aliases,
        PublishedPorts = e.PublishedPorts.Select(ToBinding).ToArray(),
        SandboxId = e.SandboxId,
        SandboxName = sandbox?.Name ?? string.Empty,
        SandboxKey = sandbox?.Key ?? string.Empty,
        ContainerId = sandbox?.ContainerId,
        InterfaceName = e.InterfaceName,
        DnsNames = DnsNames(e, sandbox),
        Anonymous = e.Anonymous,
    };

    public static SandboxInfo ToInfo(SandboxRecord s, IReadOnlyList<EndpointInfo> endpoints) => new()
    {
        Id = s.Id,
        Name = s.Name,
        Key = s.Key,
        ContainerId = s.ContainerId,
        Hostname = s.Hostname,
        External = s.External,
        Created = s.Created,
        DnsServers = s.DnsServers,
        DnsSearch = s.DnsSearch,
        DnsOptions = s.DnsOptions,
        Labels = s.Labels,
        Endpoints = endpoints,
    };

    /// <summary>Docker's DNSNames: the container (sandbox) name, the aliases, the short container id.</summary>
    public static IReadOnlyList<string> DnsNames(EndpointRecord e, SandboxRecord? sandbox)
    {
        if (e.DisableResolution)
        {
            return [];
        }
        var names = new List<string>();
        if (sandbox is not null)
        {
            names.Add(sandbox.Name);
        }
        names.AddRange(e.Aliases);
        if (sandbox?.ContainerId is { Length: > 0 } containerId)
        {
            names.Add(ObjectId.Short(containerId));
        }
        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    public static PortBinding ToBinding(PortRecord p) => new()
    {
        Protocol = p.Protocol switch { "udp" => PortProtocol.Udp, "sctp" => PortProtocol.Sctp, _ => PortProtocol.Tcp },
        ContainerPort = p.ContainerPort,
        HostIp = p.HostIp is null ? null : IPAddress.Parse(p.HostIp),
        HostPort = p.HostPort,
    };

    public static PortRecord ToRecord(PortBinding p) => new()
    {
        Protocol = p.Protocol switch { PortProtocol.Udp => "udp", PortProtocol.Sctp => "sctp", _ => "tcp" },
        ContainerPort = p.ContainerPort,
        HostIp = p.HostIp?.ToString(),
        HostPort = p.HostPort,
    };

    public static DriverNetwork ToDriverNetwork(NetworkRecord r)
    {
        var pools = r.Pools.Select(p => (Pool: p, Info: ToInfo(p))).ToArray();
        return new DriverNetwork
        {
            NetworkId = r.Id,
            Name = r.Name,
            Options = r.Options,
            Labels = r.Labels,
            Internal = r.Internal,
            EnableIPv6 = r.EnableIPv6,
            IPv4 = pools.Where(p => !p.Info.IsIPv6).Select(p => ToIpamData(p.Info)).ToArray(),
            IPv6 = pools.Where(p => p.Info.IsIPv6).Select(p => ToIpamData(p.Info)).ToArray(),
        };
    }

    public static DriverEndpoint ToDriverEndpoint(EndpointRecord e) => new()
    {
        NetworkId = e.NetworkId,
        EndpointId = e.Id,
        MacAddress = e.MacAddress,
        IPv4Address = e.IPv4Address is null ? null : CidrAddress.Parse(e.IPv4Address),
        IPv6Address = e.IPv6Address is null ? null : CidrAddress.Parse(e.IPv6Address),
        Options = e.DriverOptions,
    };

    public static JoinRequest ToJoinRequest(EndpointRecord e, SandboxRecord sandbox) => new()
    {
        NetworkId = e.NetworkId,
        EndpointId = e.Id,
        SandboxKey = sandbox.Key,
        InterfaceName = e.InterfaceName,
        MacAddress = e.MacAddress,
        IPv4Address = e.IPv4Address is null ? null : CidrAddress.Parse(e.IPv4Address),
        IPv6Address = e.IPv6Address is null ? null : CidrAddress.Parse(e.IPv6Address),
        Options = e.DriverOptions,
    };

    private static DriverIpamData ToIpamData(IpamPoolInfo p) => new()
    {
        Subnet = p.Subnet,
        Gateway = p.Gateway,
        AuxAddresses = p.AuxAddresses,
    };
}
