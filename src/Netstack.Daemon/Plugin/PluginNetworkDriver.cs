using System.Globalization;
using System.Net.Sockets;
using Netstack.Api.Contracts.Plugins;
using Netstack.Core;
using Netstack.Core.Drivers;

namespace Netstack.Daemon.Plugin;

/// <summary>
/// The <c>NetworkDriver.*</c> calls of Docker's remote-driver protocol, served by one of our
/// drivers per network (the <c>netstack.driver</c> option, default <c>bridge</c>). Every input is
/// checked before anything is touched; a driver step whose record cannot be stored is undone.
/// Deletes, leaves and revokes of unknown ids succeed: dockerd repeats them when it cleans up.
/// Joins hand the interface over in the host namespace (<see cref="JoinRequest.IsHandOver"/>):
/// dockerd moves it into its sandbox, names it, addresses it and installs the routes.
/// </summary>
internal sealed class PluginNetworkDriver
{
    /// <summary>The generic option choosing which of our drivers serves a plugin network.</summary>
    public const string DriverOption = "netstack.driver";

    public const string DefaultDriver = "bridge";

    /// <summary>The prefix dockerd names the handed-over interface with (it appends the index: eth0, eth1).</summary>
    public const string InterfacePrefix = "eth";

    private readonly IDriverRegistry _drivers;
    private readonly PluginState _state;
    private readonly ILogger _logger;

    public PluginNetworkDriver(IDriverRegistry drivers, PluginState state, ILogger<PluginNetworkDriver>? logger = null)
    {
        _drivers = drivers;
        _state = state;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>The default driver's scopes: they are asked before any network exists.</summary>
    public NetworkCapabilitiesResponse GetCapabilities()
    {
        var capabilities = _drivers.TryGetNetworkDriver(DefaultDriver, out var driver) ? driver.Capabilities : new DriverCapabilities();
        return new NetworkCapabilitiesResponse
        {
            Scope = NetworkScopeNames.ToName(capabilities.DataScope),
            ConnectivityScope = NetworkScopeNames.ToName(capabilities.ConnectivityScope),
        };
    }

    public async Task CreateNetworkAsync(PluginCreateNetworkRequest request, CancellationToken cancellationToken)
    {
        var id = PluginInput.Id(request.NetworkId, "NetworkID");
        var options = PluginInput.GenericOptions(request.Options);
        var driverType = options.Remove(DriverOption, out var chosen) ? chosen : DefaultDriver;
        var driver = Driver(driverType);
        var record = new PluginNetworkRecord
        {
            NetworkId = id,
            Driver = driver.Type,
            Options = options,
            Internal = PluginInput.BoolOption(request.Options, PluginProtocol.InternalOption),
            EnableIPv6 = PluginInput.BoolOption(request.Options, PluginProtocol.EnableIPv6Option),
            IPv4 = Pools(request.IPv4Data, "IPv4Data", AddressFamily.InterNetwork),
            IPv6 = Pools(request.IPv6Data, "IPv6Data", AddressFamily.InterNetworkV6),
        };
        await _state.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        await _state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state.Network(id) is not null)
            {
                // dockerd repeats a create it did not see answered; the network is there.
                return;
            }
            await driver.CreateNetworkAsync(PluginState.ToDriverNetwork(record), cancellationToken).ConfigureAwait(false);
            try
            {
                await _state.PutNetworkAsync(record, CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                await driver.DeleteNetworkAsync(id, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            PluginLog.NetworkCreated(_logger, id, driver.Type);
        }
        finally
        {
            _state.Lock.Release();
        }
    }

    public async Task DeleteNetworkAsync(PluginNetworkRequest request, CancellationToken cancellationToken)
    {
        var id = PluginInput.Id(request.NetworkId, "NetworkID");
        await _state.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        await _state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state.Network(id) is not { } network)
            {
                return;
            }
            // The driver first: when it fails the record stays, and dockerd's next try finds it.
            await Driver(network.Driver).DeleteNetworkAsync(id, CancellationToken.None).ConfigureAwait(false);
            await _state.DeleteNetworkAsync(id, CancellationToken.None).ConfigureAwait(false);
            PluginLog.NetworkDeleted(_logger, id);
        }
        finally
        {
            _state.Lock.Release();
        }
    }

    public async Task<PluginCreateEndpointResponse> CreateEndpointAsync(PluginCreateEndpointRequest request, CancellationToken cancellationToken)
    {
        var networkId = PluginInput.Id(request.NetworkId, "NetworkID");
        var endpointId = PluginInput.Id(request.EndpointId, "EndpointID");
        var ipv4 = PluginInput.OptionalCidr(request.Interface?.Address, "Interface.Address");
        var ipv6 = PluginInput.OptionalCidr(request.Interface?.AddressIPv6, "Interface.AddressIPv6");
        if (ipv4 is { IsIPv6: true })
        {
            throw new InvalidParameterException("Interface.Address", ipv4.Value.ToString(), "expected an IPv4 address");
        }
        if (ipv6 is { IsIPv6: false })
        {
            throw new InvalidParameterException("Interface.AddressIPv6", ipv6.Value.ToString(), "expected an IPv6 address");
        }
        var givenMac = request.Interface?.MacAddress;
        if (!string.IsNullOrEmpty(givenMac))
        {
            givenMac = MacAddresses.Format(MacAddresses.Parse(givenMac, "Interface.MacAddress").GetAddressBytes());
        }
        await _state.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        await _state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var network = RequireNetwork(networkId);
            var driver = Driver(network.Driver);
            if (_state.Endpoint(endpointId) is { } existing)
            {
                if (existing.NetworkId != networkId)
                {
                    throw new ConflictException($"endpoint {endpointId} exists on network {existing.NetworkId}, not on {networkId}");
                }
                return Answer(givenMac, existing.MacAddress);
            }
            var result = await driver.CreateEndpointAsync(new DriverEndpoint
            {
                NetworkId = networkId,
                EndpointId = endpointId,
                MacAddress = givenMac ?? string.Empty,
                IPv4Address = ipv4,
                IPv6Address = ipv6,
            }, cancellationToken).ConfigureAwait(false);
            var record = new PluginEndpointRecord
            {
                NetworkId = networkId,
                EndpointId = endpointId,
                MacAddress = result.MacAddress,
                IPv4Address = ipv4?.ToString(),
                IPv6Address = ipv6?.ToString(),
            };
            try
            {
                await _state.PutEndpointAsync(record, CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                await driver.DeleteEndpointAsync(networkId, endpointId, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            PluginLog.EndpointCreated(_logger, endpointId, networkId, result.MacAddress);
            return Answer(givenMac, result.MacAddress);
        }
        finally
        {
            _state.Lock.Release();
        }

        // dockerd refuses an answer that sets what it already set: only a MAC it left empty is filled in.
        static PluginCreateEndpointResponse Answer(string? given, string chosen) =>
            new() { Interface = string.IsNullOrEmpty(given) ? new PluginEndpointInterface { MacAddress = chosen } : null };
    }

    public async Task<PluginEndpointInfoResponse> EndpointOperInfoAsync(PluginEndpointRequest request, CancellationToken cancellationToken)
    {
        var networkId = PluginInput.Id(request.NetworkId, "NetworkID");
        var endpointId = PluginInput.Id(request.EndpointId, "EndpointID");
        await _state.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var network = RequireNetwork(networkId);
        var endpoint = RequireEndpoint(networkId, endpointId);
        var value = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [DriverOption] = network.Driver,
            ["com.docker.network.endpoint.macaddress"] = endpoint.MacAddress,
        };
        if (endpoint.Ports.Count > 0)
        {
            value["netstack.ports"] = string.Join(",", endpoint.Ports.Select(p => PluginState.ToBinding(p).ToString()));
        }
        return new PluginEndpointInfoResponse { Value = value };
    }

    public async Task DeleteEndpointAsync(PluginEndpointRequest request, CancellationToken cancellationToken)
    {
        var networkId = PluginInput.Id(request.NetworkId, "NetworkID");
        var endpointId = PluginInput.Id(request.EndpointId, "EndpointID");
        await _state.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        await _state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state.Endpoint(endpointId) is not { } endpoint || endpoint.NetworkId != networkId || _state.Network(networkId) is not { } network)
            {
                return;
            }
            var driver = Driver(network.Driver);
            if (endpoint.Ports.Count > 0)
            {
                await driver.RevokeExternalConnectivityAsync(networkId, endpointId, CancellationToken.None).ConfigureAwait(false);
            }
            if (endpoint.Joined)
            {
                await driver.LeaveAsync(networkId, endpointId, CancellationToken.None).ConfigureAwait(false);
            }
            await driver.DeleteEndpointAsync(networkId, endpointId, CancellationToken.None).ConfigureAwait(false);
            await _state.DeleteEndpointAsync(endpoint, CancellationToken.None).ConfigureAwait(false);
            PluginLog.EndpointDeleted(_logger, endpointId);
        }
        finally
        {
            _state.Lock.Release();
        }
    }

    public async Task<PluginJoinResponse> JoinAsync(PluginJoinRequest request, CancellationToken cancellationToken)
    {
        var networkId = PluginInput.Id(request.NetworkId, "NetworkID");
        var endpointId = PluginInput.Id(request.EndpointId, "EndpointID");
        await _state.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        await _state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var network = RequireNetwork(networkId);
            var endpoint = RequireEndpoint(networkId, endpointId);
            var driver = Driver(network.Driver);
            var result = await driver.JoinAsync(PluginState.ToHandOverJoin(endpoint), cancellationToken).ConfigureAwait(false);
            try
            {
                await _state.PutEndpointAsync(endpoint with { Joined = true }, CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                await driver.LeaveAsync(networkId, endpointId, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            PluginLog.EndpointJoined(_logger, endpointId, result.InterfaceName);
            return new PluginJoinResponse
            {
                InterfaceName = new PluginInterfaceName { SrcName = result.InterfaceName, DstPrefix = InterfacePrefix },
                Gateway = result.Gateway?.ToString(),
                GatewayIPv6 = result.GatewayIPv6?.ToString(),
                StaticRoutes = [.. result.StaticRoutes.Select(r => new PluginStaticRoute
                {
                    Destination = r.Destination.ToString(),
                    // Docker's route types: 0 through a next hop, 1 connected (on-link).
                    RouteType = r.NextHop is null ? 1 : 0,
                    NextHop = r.NextHop?.ToString(),
                })],
                DisableGatewayService = result.DisableGatewayService,
            };
        }
        finally
        {
            _state.Lock.Release();
        }
    }

    public async Task LeaveAsync(PluginEndpointRequest request, CancellationToken cancellationToken)
    {
        var networkId = PluginInput.Id(request.NetworkId, "NetworkID");
        var endpointId = PluginInput.Id(request.EndpointId, "EndpointID");
        await _state.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        await _state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state.Endpoint(endpointId) is not { } endpoint || endpoint.NetworkId != networkId || _state.Network(networkId) is not { } network)
            {
                return;
            }
            await Driver(network.Driver).LeaveAsync(networkId, endpointId, CancellationToken.None).ConfigureAwait(false);
            if (endpoint.Joined)
            {
                await _state.PutEndpointAsync(endpoint with { Joined = false }, CancellationToken.None).ConfigureAwait(false);
            }
            PluginLog.EndpointLeft(_logger, endpointId);
        }
        finally
        {
            _state.Lock.Release();
        }
    }

    public async Task ProgramExternalConnectivityAsync(PluginExternalConnectivityRequest request, CancellationToken cancellationToken)
    {
        var networkId = PluginInput.Id(request.NetworkId, "NetworkID");
        var endpointId = PluginInput.Id(request.EndpointId, "EndpointID");
        var ports = PluginInput.PortMap(request.Options);
        await _state.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        await _state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var network = RequireNetwork(networkId);
            var endpoint = RequireEndpoint(networkId, endpointId);
            if (ports.Count == 0)
            {
                return;
            }
            var driver = Driver(network.Driver);
            var programmed = await driver.ProgramExternalConnectivityAsync(new ExternalConnectivityRequest
            {
                NetworkId = networkId,
                EndpointId = endpointId,
                PortBindings = ports,
            }, cancellationToken).ConfigureAwait(false);
            try
            {
                await _state.PutEndpointAsync(endpoint with { Ports = [.. programmed.Select(PluginState.ToRecord)] }, CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                await driver.RevokeExternalConnectivityAsync(networkId, endpointId, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            PluginLog.PortsProgrammed(_logger, endpointId, string.Join(", ", programmed));
        }
        finally
        {
            _state.Lock.Release();
        }
    }

    public async Task RevokeExternalConnectivityAsync(PluginEndpointRequest request, CancellationToken cancellationToken)
    {
        var networkId = PluginInput.Id(request.NetworkId, "NetworkID");
        var endpointId = PluginInput.Id(request.EndpointId, "EndpointID");
        await _state.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        await _state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state.Endpoint(endpointId) is not { } endpoint || endpoint.NetworkId != networkId || _state.Network(networkId) is not { } network)
            {
                return;
            }
            await Driver(network.Driver).RevokeExternalConnectivityAsync(networkId, endpointId, CancellationToken.None).ConfigureAwait(false);
            if (endpoint.Ports.Count > 0)
            {
                await _state.PutEndpointAsync(endpoint with { Ports = [] }, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _state.Lock.Release();
        }
    }

    private INetworkDriver Driver(string type)
    {
        if (_drivers.TryGetNetworkDriver(type, out var driver))
        {
            return driver;
        }
        var known = string.Join(", ", _drivers.NetworkDrivers.Select(d => d.Type).Order(StringComparer.Ordinal));
        throw new InvalidParameterException($"Options.{PluginProtocol.GenericOptions}.{DriverOption}", PluginInput.Shorten(type), $"no such driver in this netstackd (it has: {(known.Length == 0 ? "none" : known)})");
    }

    private PluginNetworkRecord RequireNetwork(string networkId) =>
        _state.Network(networkId) ?? throw new NotFoundException("network", networkId, "NetworkID names no network created through this plugin");

    private PluginEndpointRecord RequireEndpoint(string networkId, string endpointId) =>
        _state.Endpoint(endpointId) is { } endpoint && endpoint.NetworkId == networkId
            ? endpoint
            : throw new NotFoundException("endpoint", endpointId, $"EndpointID names no endpoint of network {ObjectId.Short(networkId)}");

    private static List<PluginPoolRecord> Pools(List<PluginIpamData>? data, string field, AddressFamily family)
    {
        var pools = new List<PluginPoolRecord>();
        for (var i = 0; i < (data?.Count ?? 0); i++)
        {
            var at = $"{field}[{i.ToString(CultureInfo.InvariantCulture)}]";
            var pool = data![i] ?? throw new InvalidParameterException(at, "null", "expected an object with Pool and Gateway");
            var subnet = PluginInput.Subnet(pool.Pool, at + ".Pool");
            if (subnet.BaseAddress.AddressFamily != family)
            {
                throw new InvalidParameterException(at + ".Pool", pool.Pool, family == AddressFamily.InterNetwork ? "expected an IPv4 subnet" : "expected an IPv6 subnet");
            }
            var gateway = PluginInput.OptionalCidr(pool.Gateway, at + ".Gateway");
            if (gateway is { } gw && !subnet.Contains(gw.Address))
            {
                throw new InvalidParameterException(at + ".Gateway", pool.Gateway, $"it is outside the pool {subnet}");
            }
            var aux = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in pool.AuxAddresses ?? [])
            {
                var address = PluginInput.OptionalAddress(value, $"{at}.AuxAddresses.{name}")
                    ?? throw new InvalidParameterException($"{at}.AuxAddresses.{name}", value, "it is empty");
                if (!subnet.Contains(address))
                {
                    throw new InvalidParameterException($"{at}.AuxAddresses.{name}", value, $"it is outside the pool {subnet}");
                }
                aux[name] = address.ToString();
            }
            pools.Add(new PluginPoolRecord { Subnet = subnet.ToString(), Gateway = gateway?.ToString(), AuxAddresses = aux });
        }
        return pools;
    }
}
