using System.Text.Json.Nodes;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Remote.Logging;
using Netstack.Drivers.Remote.Plugins;
using Netstack.Drivers.Remote.Protocol;

namespace Netstack.Drivers.Remote;

public sealed partial class RemoteNetworkDriver
{
    /// <summary>
    /// <c>NetworkDriver.CreateEndpoint</c> with the endpoint's addresses and MAC as <c>Interface</c>.
    /// The plugin may answer a MAC when none was given; it may not change what Netstack chose
    /// (addresses come from IPAM): that answer is refused and the endpoint deleted again, as
    /// libnetwork does. Without a MAC from either side, Docker's 02:42:IPv4 MAC is chosen and set on
    /// the interface at join.
    /// </summary>
    public async Task<DriverEndpointResult> CreateEndpointAsync(DriverEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (string.IsNullOrEmpty(endpoint.EndpointId))
        {
            throw new InvalidParameterException("endpoint id", endpoint.EndpointId, "it is empty");
        }
        var given = new EndpointInterface
        {
            Address = endpoint.IPv4Address?.ToString(),
            AddressIPv6 = endpoint.IPv6Address?.ToString(),
            MacAddress = string.IsNullOrEmpty(endpoint.MacAddress) ? null : endpoint.MacAddress,
        };
        var request = new CreateEndpointRequest
        {
            NetworkID = endpoint.NetworkId,
            EndpointID = endpoint.EndpointId,
            Interface = given,
            Options = ToJson(endpoint.Options),
        };
        const string method = "NetworkDriver.CreateEndpoint";
        var answer = await CallAsync("CreateEndpoint", request, PluginJsonContext.Default.CreateEndpointRequest,
            PluginJsonContext.Default.CreateEndpointResponse, cancellationToken).ConfigureAwait(false);
        string mac;
        try
        {
            mac = ChooseMac(endpoint, answer.Interface, method);
        }
        catch
        {
            await RollbackAsync("DeleteEndpoint", new EndpointRequest { NetworkID = endpoint.NetworkId, EndpointID = endpoint.EndpointId },
                PluginJsonContext.Default.EndpointRequest).ConfigureAwait(false);
            throw;
        }
        _endpoints.TryAdd(endpoint.EndpointId, 0);
        return new DriverEndpointResult { MacAddress = mac };
    }

    /// <summary><c>NetworkDriver.DeleteEndpoint</c>; an endpoint this driver does not know that the plugin refuses is taken as gone.</summary>
    public async Task DeleteEndpointAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        await TeardownAsync("DeleteEndpoint", new EndpointRequest { NetworkID = networkId, EndpointID = endpointId }, PluginJsonContext.Default.EndpointRequest,
            _endpoints.ContainsKey(endpointId), cancellationToken).ConfigureAwait(false);
        _endpoints.TryRemove(endpointId, out _);
    }

    /// <summary>
    /// <c>NetworkDriver.ProgramExternalConnectivity</c> with Docker's <c>com.docker.network.portmap</c>
    /// and <c>com.docker.network.endpoint.exposedports</c> options. The plugin does not report the
    /// ports it chose, so the bindings come back as given. A plugin without the method (HTTP 404) has
    /// nothing to publish: libnetwork treats the method as optional too.
    /// </summary>
    public async Task<IReadOnlyList<PortBinding>> ProgramExternalConnectivityAsync(ExternalConnectivityRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = ToJson(request.Options);
        var portmap = new JsonArray();
        var exposed = new JsonArray();
        foreach (var binding in request.PortBindings)
        {
            var proto = ProtocolNumber(binding.Protocol);
            portmap.Add((JsonNode)new JsonObject
            {
                ["Proto"] = proto,
                ["IP"] = string.Empty,
                ["Port"] = binding.ContainerPort,
                ["HostIP"] = binding.HostIp?.ToString() ?? string.Empty,
                ["HostPort"] = binding.HostPort,
                ["HostPortEnd"] = binding.HostPort,
            });
            exposed.Add((JsonNode)new JsonObject { ["Proto"] = proto, ["Port"] = binding.ContainerPort });
        }
        options[DockerOptions.PortMap] = portmap;
        options[DockerOptions.ExposedPorts] = exposed;
        var message = new ExternalConnectivityRequestMessage { NetworkID = request.NetworkId, EndpointID = request.EndpointId, Options = options };
        try
        {
            await CallAsync("ProgramExternalConnectivity", message, PluginJsonContext.Default.ExternalConnectivityRequestMessage,
                PluginJsonContext.Default.EmptyResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (NotImplementedNetstackException) when (IsReady)
        {
            Log.OptionalMethodSkipped(_logger, Type, "NetworkDriver.ProgramExternalConnectivity");
            return [];
        }
        _programmed.TryAdd(request.EndpointId, 0);
        return request.PortBindings;
    }

    /// <summary><c>NetworkDriver.RevokeExternalConnectivity</c>; optional like its counterpart.</summary>
    public async Task RevokeExternalConnectivityAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        try
        {
            await TeardownAsync("RevokeExternalConnectivity", new EndpointRequest { NetworkID = networkId, EndpointID = endpointId },
                PluginJsonContext.Default.EndpointRequest, _programmed.ContainsKey(endpointId), cancellationToken).ConfigureAwait(false);
        }
        catch (NotImplementedNetstackException) when (IsReady)
        {
            Log.OptionalMethodSkipped(_logger, Type, "NetworkDriver.RevokeExternalConnectivity");
        }
        _programmed.TryRemove(endpointId, out _);
    }

    private string ChooseMac(DriverEndpoint endpoint, EndpointInterface? answered, string method)
    {
        if (answered is not null)
        {
            CheckUnchanged(answered.Address, endpoint.IPv4Address?.ToString(), "Address", method);
            CheckUnchanged(answered.AddressIPv6, endpoint.IPv6Address?.ToString(), "AddressIPv6", method);
        }
        var mine = string.IsNullOrEmpty(endpoint.MacAddress) ? null : Normalize(endpoint.MacAddress, "mac address");
        var theirs = answered?.MacAddress is { Length: > 0 } m ? NormalizeAnswer(m, method) : null;
        if (mine is not null && theirs is not null && !string.Equals(mine, theirs, StringComparison.Ordinal))
        {
            throw _plugin.Garbage(method, $"the plugin changed the MAC address from {mine} to {theirs}; it may only give one when none was asked for");
        }
        return mine ?? theirs ?? MacAddresses.ForEndpoint(endpoint.IPv4Address);
    }

    private void CheckUnchanged(string? answered, string? given, string field, string method)
    {
        if (string.IsNullOrEmpty(answered) || CidrAddress.TryParse(answered, out var a) && given is not null && CidrAddress.TryParse(given, out var g) && a.Equals(g))
        {
            return;
        }
        throw _plugin.Garbage(method, $"the plugin answered {field} \"{answered}\"{(given is null ? " where none was asked for" : $" instead of {given}")}; Netstack's IPAM assigns addresses");
    }

    private static string Normalize(string mac, string field) => MacAddresses.Format(MacAddresses.Parse(mac, field).GetAddressBytes());

    private string NormalizeAnswer(string mac, string method)
    {
        try
        {
            return Normalize(mac, "MacAddress");
        }
        catch (InvalidParameterException e)
        {
            throw _plugin.Garbage(method, e.Message);
        }
    }

    /// <summary>IANA protocol numbers, as libnetwork's <c>types.Protocol</c> sends them.</summary>
    private static int ProtocolNumber(PortProtocol protocol) => protocol switch
    {
        PortProtocol.Udp => 17,
        PortProtocol.Sctp => 132,
        _ => 6,
    };

    private static JsonObject ToJson(IReadOnlyDictionary<string, string> options)
    {
        var json = new JsonObject();
        foreach (var (key, value) in options)
        {
            json[key] = value;
        }
        return json;
    }
}
