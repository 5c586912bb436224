using System.Net.Sockets;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Core.FailPoints;
using Netstack.Linux;

namespace Netstack.Drivers.Overlay;

public sealed partial class OverlayDriver
{
    /// <summary>
    /// Remembers the endpoint and chooses its MAC when none is given (02:42 and the IPv4 address, as
    /// the bridge driver does). Nothing is made or published until the endpoint joins.
    /// </summary>
    public async Task<DriverEndpointResult> CreateEndpointAsync(DriverEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (string.IsNullOrEmpty(endpoint.EndpointId))
        {
            throw new InvalidParameterException("endpoint id", endpoint.EndpointId, "it is empty");
        }
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            var network = RequireNetwork(endpoint.NetworkId);
            var made = NewEndpoint(endpoint.NetworkId, endpoint.EndpointId, endpoint.MacAddress, endpoint.IPv4Address);
            network.Endpoints[endpoint.EndpointId] = made;
            return new DriverEndpointResult { MacAddress = MacAddresses.Format(made.MacAddress.GetAddressBytes()) };
        }
    }

    public async Task DeleteEndpointAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            // The controller leaves first; after a crash half-way the endpoint may still be joined.
            LeaveLocked(networkId, endpointId);
            if (_networks.TryGetValue(networkId, out var network))
            {
                network.Endpoints.Remove(endpointId);
            }
        }
    }

    /// <summary>
    /// Makes the network's namespace if this is its first local endpoint, a veth pair from br0 into
    /// the sandbox, and publishes the endpoint in the peer table. No gateway is returned: the
    /// overlay reaches only its own subnet (Docker gives the sandbox its way out through a separate
    /// gateway bridge).
    /// </summary>
    public async Task<JoinResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!InterfaceName.IsValid(request.InterfaceName))
        {
            throw new InvalidParameterException("interface name", request.InterfaceName, "must be 1..15 bytes without '/', ':' or whitespace");
        }
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            var network = RequireNetwork(request.NetworkId);
            if (!network.Endpoints.TryGetValue(request.EndpointId, out var endpoint))
            {
                endpoint = NewEndpoint(request.NetworkId, request.EndpointId, request.MacAddress, request.IPv4Address);
                network.Endpoints[request.EndpointId] = endpoint;
            }
            else if (!string.IsNullOrEmpty(request.MacAddress))
            {
                endpoint = endpoint with { MacAddress = MacAddresses.Parse(request.MacAddress, "mac address") };
                network.Endpoints[request.EndpointId] = endpoint;
            }
            NetworkNamespace sandbox;
            try
            {
                sandbox = NetworkNamespace.Open(request.SandboxKey);
            }
            catch (NetlinkException e)
            {
                throw new NotFoundException("sandbox", request.SandboxKey, e.Message);
            }
            using (sandbox)
            {
                var first = network.Datapath is null;
                try
                {
                    EnsureDatapath(network);
                    if (first)
                    {
                        FailPoint.Hit(FailPointNames.EndpointJoinAfterDatapath);
                    }
                    network.Datapath!.AddEndpoint(endpoint.HostEnd, request.InterfaceName, sandbox, endpoint.MacAddress);
                    FailPoint.Hit(FailPointNames.EndpointJoinAfterVeth);
                }
                catch (NetlinkException e) when (e.Errno == Errno.EEXIST)
                {
                    UndoFirstJoin(network, first);
                    throw new ConflictException($"interface \"{request.InterfaceName}\" already exists in sandbox {request.SandboxKey}", e);
                }
                catch (NetlinkException e)
                {
                    UndoFirstJoin(network, first);
                    throw new InternalException($"join endpoint {request.EndpointId}: {e.Message}", e);
                }
                catch
                {
                    UndoFirstJoin(network, first);
                    throw;
                }
                try
                {
                    _tables.Publish(request.NetworkId, PeerTable, request.EndpointId, PeerRecordCodec.Encode(endpoint.ToPeerRecord(_advertise)));
                }
                catch
                {
                    network.Datapath?.RemoveEndpoint(endpoint.HostEnd);
                    UndoFirstJoin(network, first);
                    throw;
                }
                network.Joined.Add(request.EndpointId);
                Log.EndpointJoined(_logger, request.EndpointId, request.SandboxKey, request.InterfaceName, endpoint.HostEnd);
            }
        }
        return new JoinResult { InterfaceName = request.InterfaceName };
    }

    /// <summary>Withdraws the endpoint's table entry and deletes its veth; the namespace goes with the last endpoint.</summary>
    public async Task LeaveAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            LeaveLocked(networkId, endpointId);
        }
    }

    /// <summary>The overlay publishes no ports (Docker's overlay driver neither): nothing to do.</summary>
    public Task<IReadOnlyList<PortBinding>> ProgramExternalConnectivityAsync(ExternalConnectivityRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PortBinding>>([]);

    public Task RevokeExternalConnectivityAsync(string networkId, string endpointId, CancellationToken cancellationToken) => Task.CompletedTask;

    private void LeaveLocked(string networkId, string endpointId)
    {
        // An unknown key is nothing to the table: safe to withdraw whatever state we are in.
        _tables.Withdraw(networkId, PeerTable, endpointId);
        if (!_networks.TryGetValue(networkId, out var network))
        {
            return;
        }
        try
        {
            if (network.Datapath is { } datapath)
            {
                datapath.RemoveEndpoint(OverlayEndpoint.HostEndName(endpointId));
                FailPoint.Hit(FailPointNames.EndpointLeaveAfterVeth);
            }
            network.Joined.Remove(endpointId);
            ReleaseDatapathIfUnused(network);
        }
        catch (NetlinkException e)
        {
            throw new InternalException($"leave endpoint {endpointId}: {e.Message}", e);
        }
        Log.EndpointLeft(_logger, endpointId);
    }

    private void UndoFirstJoin(OverlayNetwork network, bool first)
    {
        if (first && network.Joined.Count == 0)
        {
            network.Detach()?.Destroy();
        }
    }

    private static OverlayEndpoint NewEndpoint(string networkId, string endpointId, string mac, CidrAddress? ipv4)
    {
        if (ipv4 is not { } address || address.Address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new InvalidParameterException("IPv4 address", ipv4?.ToString(), "an overlay endpoint needs an IPv4 address: it is what the peer table maps to its MAC");
        }
        var chosen = string.IsNullOrEmpty(mac) ? MacAddresses.ForEndpoint(address) : mac;
        return new OverlayEndpoint
        {
            NetworkId = networkId,
            EndpointId = endpointId,
            MacAddress = MacAddresses.Parse(chosen, "mac address"),
            IPv4Address = address,
        };
    }
}
