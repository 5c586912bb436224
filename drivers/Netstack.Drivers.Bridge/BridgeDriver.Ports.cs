using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Core.FailPoints;

namespace Netstack.Drivers.Bridge;

public sealed partial class BridgeDriver
{
    public async Task<IReadOnlyList<PortBinding>> ProgramExternalConnectivityAsync(ExternalConnectivityRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            var network = RequireNetwork(request.NetworkId);
            if (!_endpoints.TryGetValue(request.EndpointId, out var endpoint))
            {
                throw new NotFoundException("endpoint", request.EndpointId, "the bridge driver does not know it");
            }
            // Internal networks have no way in or out: nothing is published (as in Docker).
            if (network.Config.Internal || request.PortBindings.Count == 0)
            {
                await RevokeLockedAsync(endpoint).ConfigureAwait(false);
                return [];
            }
            var config = network.Config;
            var bindings = request.PortBindings.Select(b =>
            {
                Validate(b);
                return HostIpPolicy.Check(b, config, endpoint);
            }).ToList();
            var inUse = HostSockets.InUse(_host);
            var resolved = _ports.Resolve(request.EndpointId, bindings, config.HostBindingIPv4,
                HostSockets.EphemeralRange(_host), (protocol, port) => inUse.Contains((protocol, port)), HostIpPolicy.DefaultV6(config, endpoint));
            var owner = BridgeRules.EndpointOwner(request.EndpointId);
            try
            {
                var rules = BridgeRules.ForPorts(config, endpoint.Address, resolved, endpoint.IPv6Address?.Address);
                await _firewall.ApplyAsync(owner, rules, config.Families, cancellationToken).ConfigureAwait(false);
                FailPoint.Hit(FailPointNames.PortPublishAfterRules);
            }
            catch
            {
                // Apply is one batch per table and family; make sure no half remains.
                await _firewall.RemoveAsync([owner], config.Families, CancellationToken.None).ConfigureAwait(false);
                _ports.Remove(request.EndpointId);
                _endpoints[request.EndpointId] = endpoint with { PortBindings = [] };
                throw;
            }
            _ports.Set(request.EndpointId, resolved);
            _endpoints[request.EndpointId] = endpoint with { PortBindings = resolved };
            Log.PortsPublished(_logger, request.EndpointId, string.Join(", ", resolved));
            return resolved;
        }
    }

    public async Task RevokeExternalConnectivityAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_endpoints.TryGetValue(endpointId, out var endpoint))
            {
                await RevokeLockedAsync(endpoint).ConfigureAwait(false);
            }
            else
            {
                // Unknown (a crash lost it): remove whatever rules carry its name.
                await _firewall.RemoveAsync([BridgeRules.EndpointOwner(endpointId)], FamiliesOf(networkId), CancellationToken.None).ConfigureAwait(false);
                _ports.Remove(endpointId);
            }
        }
    }

    private async Task RevokeLockedAsync(BridgeEndpoint endpoint)
    {
        await _firewall.RemoveAsync([BridgeRules.EndpointOwner(endpoint.EndpointId)], FamiliesOf(endpoint.NetworkId), CancellationToken.None).ConfigureAwait(false);
        _ports.Remove(endpoint.EndpointId);
        _endpoints[endpoint.EndpointId] = endpoint with { PortBindings = [] };
    }

    private static void Validate(PortBinding binding)
    {
        // Ports are 16-bit (RFC 793 / RFC 768); 0 is not a port a container can listen on.
        if (binding.ContainerPort is < 1 or > 65535)
        {
            throw new InvalidParameterException("container port", binding.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be in 1..65535");
        }
        if (binding.HostPort is < 0 or > 65535)
        {
            throw new InvalidParameterException("host port", binding.HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be in 1..65535, or 0 to pick a free one");
        }
        BridgeRules.ProtocolName(binding.Protocol);
    }
}
