using System.Net;
using System.Net.Sockets;
using Netstack.Core;
using Netstack.Core.Drivers;

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
            foreach (var binding in request.PortBindings)
            {
                Validate(binding);
            }
            var address = endpoint.Address
                ?? throw new InvalidParameterException("endpoint address", null, $"endpoint {request.EndpointId} has no IPv4 address to publish ports to");
            var inUse = HostSockets.InUse(_host);
            var resolved = _ports.Resolve(request.EndpointId, request.PortBindings, network.Config.HostBindingIPv4,
                HostSockets.EphemeralRange(_host), (protocol, port) => inUse.Contains((protocol, port)));
            try
            {
                await _firewall.ApplyAsync(BridgeRules.EndpointOwner(request.EndpointId), BridgeRules.ForPorts(network.Config, address, resolved), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Apply is one batch per table; make sure no half remains.
                await _firewall.RemoveAsync([BridgeRules.EndpointOwner(request.EndpointId)], CancellationToken.None).ConfigureAwait(false);
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
                await _firewall.RemoveAsync([BridgeRules.EndpointOwner(endpointId)], CancellationToken.None).ConfigureAwait(false);
                _ports.Remove(endpointId);
            }
        }
    }

    private async Task RevokeLockedAsync(BridgeEndpoint endpoint)
    {
        await _firewall.RemoveAsync([BridgeRules.EndpointOwner(endpoint.EndpointId)], CancellationToken.None).ConfigureAwait(false);
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
        if (binding.HostIp is { } ip && ip.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new InvalidParameterException("host IP", ip.ToString(), "only IPv4 host addresses can be published by the bridge driver");
        }
        BridgeRules.ProtocolName(binding.Protocol);
    }
}
