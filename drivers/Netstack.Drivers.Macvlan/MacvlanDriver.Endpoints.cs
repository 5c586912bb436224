using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Drivers.Macvlan;

public sealed partial class MacvlanDriver
{
    public Task<DriverEndpointResult> CreateEndpointAsync(DriverEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var network = RequireNetwork(endpoint.NetworkId);
        if (string.IsNullOrEmpty(endpoint.EndpointId))
        {
            throw new InvalidParameterException("endpoint id", endpoint.EndpointId, "it is empty");
        }
        var mac = ChooseMac(network, endpoint.MacAddress, endpoint.IPv4Address);
        _endpoints[endpoint.EndpointId] = new MacvlanEndpoint { NetworkId = endpoint.NetworkId, EndpointId = endpoint.EndpointId, MacAddress = mac };
        return Task.FromResult(new DriverEndpointResult { MacAddress = mac });
    }

    public Task DeleteEndpointAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        // The controller leaves before deleting; after a crash half-way the macvlan may still be there.
        RemoveInterface(endpointId);
        // dockerd calls Leave while a handed-over macvlan is still in its sandbox, then moves it back
        // to the host namespace under its hand-over name, then deletes the endpoint: it goes here.
        DeleteHostMacvlan(HandOverName(endpointId));
        _endpoints.TryRemove(endpointId, out _);
        return Task.CompletedTask;
    }

    public Task<JoinResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var network = RequireNetwork(request.NetworkId);
        var config = network.Config;
        if (!request.IsHandOver && !InterfaceName.IsValid(request.InterfaceName))
        {
            throw new InvalidParameterException("interface name", request.InterfaceName, "must be 1..15 bytes without '/', ':' or whitespace");
        }
        var endpoint = _endpoints.GetOrAdd(request.EndpointId, _ => new MacvlanEndpoint
        {
            NetworkId = request.NetworkId,
            EndpointId = request.EndpointId,
            MacAddress = ChooseMac(network, request.MacAddress, request.IPv4Address),
        });
        var mac = string.IsNullOrEmpty(request.MacAddress) ? endpoint.MacAddress : request.MacAddress;
        // A hand-over (dockerd's join) leaves the macvlan in the host namespace for the caller to
        // move; dockerd moves it back under that name after Leave, and DeleteEndpoint deletes it there.
        var name = request.IsHandOver ? HandOverName(request.EndpointId) : request.InterfaceName;
        NetworkNamespace? sandbox = null;
        if (!request.IsHandOver)
        {
            try
            {
                sandbox = NetworkNamespace.Open(request.SandboxKey);
            }
            catch (NetlinkException e)
            {
                throw new NotFoundException("sandbox", request.SandboxKey, e.Message);
            }
        }
        using (sandbox)
        {
            if (request.IsHandOver)
            {
                // One left by a lost answer to an earlier join of this endpoint: replace it.
                DeleteHostMacvlan(name);
            }
            CreateInterface(config, request, sandbox, mac, name);
        }
        endpoint.SandboxKey = request.SandboxKey;
        endpoint.InterfaceName = name;
        Log.EndpointJoined(_logger, request.EndpointId, request.IsHandOver ? "(hand-over)" : request.SandboxKey, name, config.Parent.Name);
        return Task.FromResult(new JoinResult
        {
            InterfaceName = name,
            // The gateway is a router on the segment; an internal network gives no way out.
            Gateway = config.Internal ? null : config.GatewayV4,
            GatewayIPv6 = config.Internal ? null : config.GatewayV6,
            DisableGatewayService = config.Internal,
        });
    }

    public Task LeaveAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        RemoveInterface(endpointId);
        Log.EndpointLeft(_logger, endpointId);
        return Task.CompletedTask;
    }

    /// <summary>
    /// macvlan publishes no ports: the container has its own address on the segment, reachable as it
    /// is (Docker's macvlan driver ignores port bindings the same way).
    /// </summary>
    public Task<IReadOnlyList<PortBinding>> ProgramExternalConnectivityAsync(ExternalConnectivityRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.PortBindings.Count > 0)
        {
            Log.PortsIgnored(_logger, request.EndpointId);
        }
        return Task.FromResult<IReadOnlyList<PortBinding>>([]);
    }

    public Task RevokeExternalConnectivityAsync(string networkId, string endpointId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Creates the macvlan directly inside the sandbox in one request: the parent is resolved in the
    /// host namespace (the handle's), IFLA_NET_NS_FD places the new device in the sandbox, so no
    /// temporary name and no move are needed.
    /// </summary>
    private void CreateInterface(MacvlanNetworkConfig config, JoinRequest request, NetworkNamespace? sandbox, string mac, string name)
    {
        var spec = new MacvlanSpec(name, LinkRef.ByName(config.Parent.Name, MacvlanOptionNames.Parent), config.Mode)
        {
            Namespace = sandbox,
            Mtu = config.Mtu,
            // A passthru macvlan takes the parent's own MAC, and setting one would change the
            // parent's (macvlan_set_mac_address passes it down): leave it alone.
            MacAddress = config.Mode == MacvlanMode.Passthru ? null : MacAddresses.Parse(mac, "mac address"),
            // The contract: the container end stays down; the controller adds addresses and brings it up.
            Up = false,
        };
        try
        {
            _host.Netlink.LinkAdd(spec);
        }
        catch (NetlinkException e) when (e.Errno == Errno.EEXIST)
        {
            throw new ConflictException($"interface \"{name}\" already exists in {(sandbox is null ? "the host namespace" : "sandbox " + request.SandboxKey)}", e);
        }
        catch (NetlinkException e) when (e.Errno == Errno.EBUSY)
        {
            // macvlan_common_newlink refuses a second macvlan on a parent in passthru mode.
            throw new ConflictException($"macvlan parent {config.Parent.Name} is in passthru mode and already carries an endpoint; passthru allows one", e);
        }
        catch (NetlinkException e) when (e.IsNotFound)
        {
            throw new NotFoundException("macvlan parent", config.Parent.Name, $"it is gone from {_host.Description}");
        }
        catch (NetlinkException e)
        {
            throw new InternalException($"join endpoint {request.EndpointId}: {e.Message}", e);
        }
    }

    /// <summary>Deletes the endpoint's macvlan from its sandbox if it is there. A sandbox already gone took it with it.</summary>
    private void RemoveInterface(string endpointId)
    {
        if (!_endpoints.TryGetValue(endpointId, out var endpoint) || endpoint.SandboxKey is not { } key || endpoint.InterfaceName is not { } name)
        {
            return;
        }
        if (key.Length == 0)
        {
            // Handed over: back in the host namespace (or still in a sandbox of dockerd's, which
            // deletes it with that namespace).
            DeleteHostMacvlan(name);
            endpoint.SandboxKey = null;
            endpoint.InterfaceName = null;
            return;
        }
        if (!File.Exists(key))
        {
            endpoint.SandboxKey = null;
            return;
        }
        try
        {
            using var sandbox = NetworkNamespace.Open(key);
            using var netlink = sandbox.OpenNetlink();
            // Only a macvlan under the endpoint's name is ours; anything else there is left alone.
            if (netlink.LinkFind(name) is { Kind: "macvlan" } link)
            {
                netlink.LinkDelete(link.Index);
            }
        }
        catch (NetlinkNotFoundException)
        {
            // Gone meanwhile: what we wanted.
        }
        catch (NetlinkException e)
        {
            throw new InternalException($"leave endpoint {endpointId}: {e.Message}", e);
        }
        endpoint.SandboxKey = null;
        endpoint.InterfaceName = null;
    }

    /// <summary>The name a handed-over macvlan has in the host namespace: <c>nsm</c> plus 12 hex digits of the endpoint id.</summary>
    internal static string HandOverName(string endpointId)
    {
        var id = new string(endpointId.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
        return "nsm" + (id.Length > 12 ? id[..12] : id);
    }

    /// <summary>Deletes a macvlan of that name in the host namespace; anything else under the name is left alone.</summary>
    private void DeleteHostMacvlan(string name)
    {
        try
        {
            if (_host.Netlink.LinkFind(name) is { Kind: "macvlan" } link)
            {
                _host.Netlink.LinkDelete(link.Index);
            }
        }
        catch (NetlinkNotFoundException)
        {
            // Gone meanwhile: what we wanted.
        }
        catch (NetlinkException e)
        {
            throw new InternalException($"delete handed-over macvlan {name}: {e.Message}", e);
        }
    }

    private string ChooseMac(MacvlanNetwork network, string requested, CidrAddress? ipv4)
    {
        if (network.Config.Mode == MacvlanMode.Passthru && string.IsNullOrEmpty(requested))
        {
            // The endpoint will carry the parent's MAC (see CreateInterface).
            var parent = _host.Netlink.LinkFind(network.Config.Parent.Name);
            if (parent?.MacAddress is { } parentMac)
            {
                return MacAddresses.Format(parentMac.GetAddressBytes());
            }
        }
        var mac = string.IsNullOrEmpty(requested) ? MacAddresses.ForEndpoint(ipv4) : requested;
        return MacAddresses.Format(MacAddresses.Parse(mac, "mac address").GetAddressBytes());
    }
}
