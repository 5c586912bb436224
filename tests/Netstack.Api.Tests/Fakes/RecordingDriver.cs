using System.Collections.Concurrent;
using Netstack.Core;
using Netstack.Core.Drivers;

namespace Netstack.Api.Tests.Fakes;

/// <summary>
/// A network driver that keeps what it was asked to create in memory and records every call, so
/// plugin tests see what reached the driver (and that a rejected call reached nothing).
/// </summary>
internal sealed class RecordingDriver(string type = "bridge") : INetworkDriver
{
    public string Type => type;

    public DriverCapabilities Capabilities { get; init; } = new();

    public ConcurrentDictionary<string, DriverNetwork> Networks { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, DriverEndpoint> Endpoints { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, JoinRequest> Joined { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, IReadOnlyList<PortBinding>> Ports { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Calls { get; } = new();

    public DriverReconcileRequest? LastReconcile { get; private set; }

    public Task CreateNetworkAsync(DriverNetwork network, CancellationToken cancellationToken)
    {
        Calls.Enqueue("CreateNetwork " + network.NetworkId);
        Networks[network.NetworkId] = network;
        return Task.CompletedTask;
    }

    public Task DeleteNetworkAsync(string networkId, CancellationToken cancellationToken)
    {
        Calls.Enqueue("DeleteNetwork " + networkId);
        Networks.TryRemove(networkId, out _);
        return Task.CompletedTask;
    }

    public Task<DriverEndpointResult> CreateEndpointAsync(DriverEndpoint endpoint, CancellationToken cancellationToken)
    {
        Calls.Enqueue("CreateEndpoint " + endpoint.EndpointId);
        if (!Networks.ContainsKey(endpoint.NetworkId))
        {
            throw new NotFoundException("network", endpoint.NetworkId);
        }
        Endpoints[endpoint.EndpointId] = endpoint;
        return Task.FromResult(new DriverEndpointResult { MacAddress = string.IsNullOrEmpty(endpoint.MacAddress) ? MacAddresses.ForEndpoint(endpoint.IPv4Address) : endpoint.MacAddress });
    }

    public Task DeleteEndpointAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        Calls.Enqueue("DeleteEndpoint " + endpointId);
        Endpoints.TryRemove(endpointId, out _);
        return Task.CompletedTask;
    }

    public Task<JoinResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue("Join " + request.EndpointId);
        Joined[request.EndpointId] = request;
        var gateway = Networks[request.NetworkId].IPv4.FirstOrDefault()?.Gateway?.Address;
        return Task.FromResult(new JoinResult
        {
            InterfaceName = request.IsHandOver ? "nsc" + request.EndpointId[..12] : request.InterfaceName,
            Gateway = gateway,
            StaticRoutes = [new StaticRoute { Destination = System.Net.IPNetwork.Parse("192.0.2.0/24"), NextHop = gateway }],
        });
    }

    public Task LeaveAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        Calls.Enqueue("Leave " + endpointId);
        Joined.TryRemove(endpointId, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PortBinding>> ProgramExternalConnectivityAsync(ExternalConnectivityRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue("Program " + request.EndpointId);
        // Host port 0 becomes a chosen one, as a real driver does.
        IReadOnlyList<PortBinding> programmed = [.. request.PortBindings.Select(b => b.HostPort == 0 ? b with { HostPort = 40000 + b.ContainerPort } : b)];
        Ports[request.EndpointId] = programmed;
        return Task.FromResult(programmed);
    }

    public Task RevokeExternalConnectivityAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        Calls.Enqueue("Revoke " + endpointId);
        Ports.TryRemove(endpointId, out _);
        return Task.CompletedTask;
    }

    public Task<DriverReconcileReport> ReconcileAsync(DriverReconcileRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue("Reconcile");
        LastReconcile = request;
        Networks.Clear();
        foreach (var network in request.Networks)
        {
            Networks[network.NetworkId] = network;
        }
        return Task.FromResult(new DriverReconcileReport());
    }
}
