using System.Globalization;
using Netstack.Api.Contracts.Networks;
using Netstack.Core;

namespace Netstack.Daemon.Mapping;

/// <summary>Between the engine's network JSON and the controller's model.</summary>
internal static class NetworkMapper
{
    /// <summary>The engine's RFC 3339 with nanoseconds (we have 100 ns ticks: 7 digits).</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static NetworkResource ToResource(NetworkInfo network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var resource = new NetworkResource
        {
            Name = network.Name,
            Id = network.Id,
            Created = Timestamp(network.Created),
            Scope = network.Scope.ToName(),
            Driver = network.Driver,
            EnableIPv6 = network.EnableIPv6,
            Ipam = new IpamSettings
            {
                Driver = network.Ipam.Driver,
                Options = new Dictionary<string, string>(network.Ipam.Options, StringComparer.Ordinal),
                Config = network.Ipam.Pools.Select(ToPoolConfig).ToList(),
            },
            Internal = network.Internal,
            Attachable = network.Attachable,
            Options = new Dictionary<string, string>(network.Options, StringComparer.Ordinal),
            Labels = new Dictionary<string, string>(network.Labels, StringComparer.Ordinal),
        };
        foreach (var endpoint in network.Endpoints)
        {
            // The engine keys endpoints by container id; a bare sandbox has only its own id.
            var key = string.IsNullOrEmpty(endpoint.ContainerId) ? endpoint.SandboxId : endpoint.ContainerId;
            resource.Containers[key] = new NetworkContainer
            {
                Name = endpoint.SandboxName,
                EndpointId = endpoint.Id,
                MacAddress = endpoint.MacAddress,
                IPv4Address = endpoint.IPv4Address?.ToString() ?? "",
                IPv6Address = endpoint.IPv6Address?.ToString() ?? "",
                DnsNames = Dns.DefaultNetwork.HasResolver(network) ? [.. endpoint.DnsNames] : null,
            };
        }
        return resource;
    }

    private static IpamPoolConfig ToPoolConfig(IpamPoolInfo pool) => new()
    {
        Subnet = pool.Subnet.ToString(),
        IpRange = pool.IpRange?.ToString(),
        Gateway = pool.Gateway?.Address.ToString(),
        AuxiliaryAddresses = pool.AuxAddresses.Count == 0
            ? null
            : pool.AuxAddresses.ToDictionary(a => a.Key, a => a.Value.ToString(), StringComparer.Ordinal),
    };

    /// <summary>The controller's spec for a create request; fields netstack cannot honour are refused by name.</summary>
    /// <exception cref="InvalidParameterException">Names the field and its value.</exception>
    public static NetworkSpec ToSpec(NetworkCreateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw new InvalidParameterException("Name", request.Name, "a network needs a name");
        }
        if (request.Ingress)
        {
            throw new InvalidParameterException("Ingress", "true", "ingress networks belong to swarm mode, which netstack does not have");
        }
        if (request.ConfigOnly)
        {
            throw new InvalidParameterException("ConfigOnly", "true", "config-only networks are not supported");
        }
        if (!string.IsNullOrEmpty(request.ConfigFrom?.Network))
        {
            throw new InvalidParameterException("ConfigFrom", request.ConfigFrom.Network, "config-only networks are not supported");
        }
        NetworkScope? scope = null;
        if (!string.IsNullOrEmpty(request.Scope))
        {
            scope = NetworkScopeNames.TryParse(request.Scope, out var parsed)
                ? parsed
                : throw new InvalidParameterException("Scope", request.Scope, "expected local or global");
        }

        var pools = new List<IpamPoolSpec>();
        var configs = request.Ipam?.Config ?? [];
        for (var i = 0; i < configs.Count; i++)
        {
            var config = configs[i] ?? throw new InvalidParameterException($"IPAM.Config[{i}]", "null", "expected an object with Subnet");
            pools.Add(new IpamPoolSpec
            {
                Subnet = NullIfEmpty(config.Subnet),
                IpRange = NullIfEmpty(config.IpRange),
                Gateway = NullIfEmpty(config.Gateway),
                AuxAddresses = config.AuxiliaryAddresses ?? Empty.Options,
                IPv6 = config.Subnet?.Contains(':', StringComparison.Ordinal) ?? false,
            });
        }

        var spec = new NetworkSpec
        {
            Name = request.Name,
            Scope = scope,
            Ipam = new IpamSpec
            {
                Driver = string.IsNullOrEmpty(request.Ipam?.Driver) ? "default" : request.Ipam.Driver,
                Pools = pools,
                Options = request.Ipam?.Options ?? Empty.Options,
            },
            Options = request.Options ?? Empty.Options,
            Labels = request.Labels ?? Empty.Options,
            Internal = request.Internal,
            Attachable = request.Attachable,
            EnableIPv6 = request.EnableIPv6 ?? false,
        };
        return string.IsNullOrEmpty(request.Driver) ? spec : spec with { Driver = request.Driver };
    }

    /// <summary>The controller's endpoint spec for a connect request's <c>EndpointConfig</c>.</summary>
    public static EndpointSpec ToEndpointSpec(EndpointSettings? settings) => settings is null
        ? new EndpointSpec()
        : new EndpointSpec
        {
            IPv4Address = NullIfEmpty(settings.IpamConfig?.IPv4Address),
            IPv6Address = NullIfEmpty(settings.IpamConfig?.IPv6Address),
            MacAddress = NullIfEmpty(settings.MacAddress),
            Aliases = settings.Aliases ?? [],
            DriverOptions = settings.DriverOpts ?? Empty.Options,
        };

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
