using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;
using Netstack.Core.FailPoints;

namespace Netstack.Drivers.Bridge;

public sealed partial class BridgeDriver
{
    public Task<DriverEndpointResult> CreateEndpointAsync(DriverEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        RequireNetwork(endpoint.NetworkId);
        if (string.IsNullOrEmpty(endpoint.EndpointId))
        {
            throw new InvalidParameterException("endpoint id", endpoint.EndpointId, "it is empty");
        }
        var mac = string.IsNullOrEmpty(endpoint.MacAddress) ? MacAddresses.ForEndpoint(endpoint.IPv4Address) : endpoint.MacAddress;
        var parsed = MacAddresses.Parse(mac, "mac address");
        _endpoints[endpoint.EndpointId] = new BridgeEndpoint
        {
            NetworkId = endpoint.NetworkId,
            EndpointId = endpoint.EndpointId,
            MacAddress = MacAddresses.Format(parsed.GetAddressBytes()),
            IPv4Address = endpoint.IPv4Address,
            IPv6Address = endpoint.IPv6Address,
        };
        return Task.FromResult(new DriverEndpointResult { MacAddress = MacAddresses.Format(parsed.GetAddressBytes()) });
    }

    public async Task DeleteEndpointAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        var teardown = new Teardown($"delete endpoint {endpointId}");
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_endpoints.TryGetValue(endpointId, out var endpoint) && endpoint.PortBindings.Count > 0)
            {
                await teardown.StepAsync("remove published ports", () => _firewall.RemoveAsync([BridgeRules.EndpointOwner(endpointId)], FamiliesOf(endpoint.NetworkId), CancellationToken.None)).ConfigureAwait(false);
            }
            _ports.Remove(endpointId);
        }
        // The controller leaves before deleting; after a crash half-way the veth may still be there.
        teardown.Step("delete host end", () => DeleteLinkIfPresent(BridgeEndpoint.HostEndName(endpointId)));
        teardown.ThrowIfFailed();
        _endpoints.TryRemove(endpointId, out _);
    }

    public Task<JoinResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var network = RequireNetwork(request.NetworkId);
        if (!request.IsHandOver && !InterfaceName.IsValid(request.InterfaceName))
        {
            throw new InvalidParameterException("interface name", request.InterfaceName, "must be 1..15 bytes without '/', ':' or whitespace");
        }
        var endpoint = _endpoints.GetOrAdd(request.EndpointId, _ => new BridgeEndpoint
        {
            NetworkId = request.NetworkId,
            EndpointId = request.EndpointId,
            MacAddress = string.IsNullOrEmpty(request.MacAddress) ? MacAddresses.ForEndpoint(request.IPv4Address) : request.MacAddress,
            IPv4Address = request.IPv4Address,
            IPv6Address = request.IPv6Address,
        });
        var mac = MacAddresses.Parse(string.IsNullOrEmpty(request.MacAddress) ? endpoint.MacAddress : request.MacAddress, "mac address");
        var config = network.Config;
        // A hand-over keeps the container end in the host namespace, for the caller to move.
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
        var containerEnd = request.IsHandOver ? endpoint.HandOverName : request.InterfaceName;
        var where = request.IsHandOver ? "the host namespace" : request.SandboxKey;
        using (sandbox)
        {
            var hostEnd = endpoint.HostEnd;
            // A host end left by a crash between join and the store's record belongs to this
            // endpoint (the name comes from its id): replace it. Its peer goes with it, so a
            // hand-over name left in the host namespace is freed too.
            DeleteLinkIfPresent(hostEnd);
            try
            {
                _host.Netlink.LinkAdd(new VethSpec(hostEnd, containerEnd)
                {
                    Master = config.BridgeName,
                    Up = true,
                    Group = config.Group,
                    Mtu = config.Mtu,
                    PeerMtu = config.Mtu,
                    PeerNamespace = sandbox,
                    PeerMacAddress = mac,
                    // The contract: the container end stays down; the controller (or dockerd,
                    // after a hand-over) adds the addresses and brings it up.
                    PeerUp = false,
                });
            }
            catch (NetlinkException e) when (e.Errno == Errno.EEXIST)
            {
                throw new ConflictException($"interface \"{containerEnd}\" already exists in {where}", e);
            }
            catch (NetlinkException e)
            {
                throw new InternalException($"join endpoint {request.EndpointId}: {e.Message}", e);
            }
            try
            {
                FailPoint.Hit(FailPointNames.EndpointJoinAfterVeth);
                // Hairpin: a frame may leave by the port it came in on, so a container reaches its own
                // published port through the host address (Docker sets it without its userland proxy).
                _host.Netlink.LinkSetHairpin(hostEnd, true);
            }
            catch (NetlinkException e)
            {
                DeleteLinkIfPresent(hostEnd);
                throw new InternalException($"join endpoint {request.EndpointId}: {e.Message}", e);
            }
            Log.EndpointJoined(_logger, request.EndpointId, request.IsHandOver ? "(hand-over)" : request.SandboxKey, containerEnd, hostEnd);
        }
        return Task.FromResult(new JoinResult
        {
            InterfaceName = containerEnd,
            // An internal network gives no way out: no default route through it.
            Gateway = config.Internal ? null : config.GatewayV4.Address,
            GatewayIPv6 = config.Internal ? null : config.GatewayV6?.Address,
            DisableGatewayService = config.Internal,
        });
    }

    public async Task LeaveAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        // Deleting the host end deletes the container end with it (a veth pair dies together).
        // Leaves at the same moment (rm -f of many containers) are deleted as one group.
        try
        {
            await _leaving.DeleteAsync(BridgeEndpoint.HostEndName(endpointId)).ConfigureAwait(false);
        }
        catch (NetlinkException e)
        {
            throw new InternalException($"leave endpoint {endpointId}: {e.Message}", e);
        }
        Log.EndpointLeft(_logger, endpointId);
    }
}
