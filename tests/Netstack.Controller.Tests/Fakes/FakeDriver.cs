using Netstack.Core;
using Netstack.Core.Drivers;

namespace Netstack.Controller.Tests;

/// <summary>
/// A network driver over <see cref="FakeKernel"/>, bridge-like: a gateway per network, the interface
/// created in the sandbox at join. Failures and hangs can be injected per operation.
/// </summary>
internal sealed class FakeDriver(FakeKernel kernel, string type = "fake") : INetworkDriver
{
    private readonly Dictionary<string, DriverNetwork> _networks = new(StringComparer.Ordinal);

    public string Type => type;

    public DriverCapabilities Capabilities { get; init; } = new();

    /// <summary>Operation name (CreateNetwork, CreateEndpoint, Join, Program...) that throws.</summary>
    public string? FailOn { get; set; }

    /// <summary>Operation name that never completes: a daemon killed in the middle of it.</summary>
    public string? HangOn { get; set; }

    public TaskCompletionSource HangReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<string> Calls { get; } = [];

    public async Task CreateNetworkAsync(DriverNetwork network, CancellationToken cancellationToken)
    {
        await Step("CreateNetwork");
        lock (_networks)
        {
            _networks[network.NetworkId] = network;
        }
        kernel.DriverNetworks[network.NetworkId] = 0;
        kernel.Owners[network.NetworkId] = type;
    }

    public async Task DeleteNetworkAsync(string networkId, CancellationToken cancellationToken)
    {
        await Step("DeleteNetwork");
        kernel.DriverNetworks.TryRemove(networkId, out _);
    }

    public async Task<DriverEndpointResult> CreateEndpointAsync(DriverEndpoint endpoint, CancellationToken cancellationToken)
    {
        await Step("CreateEndpoint");
        kernel.DriverEndpoints[endpoint.EndpointId] = (null, null);
        kernel.Owners[endpoint.EndpointId] = type;
        return new DriverEndpointResult { MacAddress = endpoint.MacAddress };
    }

    public async Task DeleteEndpointAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        await Step("DeleteEndpoint");
        kernel.DriverEndpoints.TryRemove(endpointId, out _);
    }

    public async Task<JoinResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken)
    {
        await Step("Join");
        kernel.AddInterface(request.SandboxKey, request.InterfaceName, request.MacAddress);
        kernel.DriverEndpoints[request.EndpointId] = (request.SandboxKey, request.InterfaceName);
        DriverNetwork? network;
        lock (_networks)
        {
            _networks.TryGetValue(request.NetworkId, out network);
        }
        return new JoinResult
        {
            InterfaceName = request.InterfaceName,
            Gateway = network?.IPv4.FirstOrDefault()?.Gateway?.Address,
            GatewayIPv6 = network?.IPv6.FirstOrDefault()?.Gateway?.Address,
        };
    }

    public async Task LeaveAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        await Step("Leave");
        if (kernel.DriverEndpoints.TryGetValue(endpointId, out var joined) && joined.SandboxKey is not null)
        {
            kernel.RemoveInterface(joined.SandboxKey, joined.Interface!);
            kernel.DriverEndpoints[endpointId] = (null, null);
        }
    }

    public async Task<IReadOnlyList<PortBinding>> ProgramExternalConnectivityAsync(ExternalConnectivityRequest request, CancellationToken cancellationToken)
    {
        await Step("Program");
        // Host port 0 means "pick one": the fake picks 30000 + container port.
        var bound = request.PortBindings.Select(p => p.HostPort == 0 ? p with { HostPort = 30000 + p.ContainerPort } : p).ToArray();
        kernel.Published[request.EndpointId] = bound;
        return bound;
    }

    public async Task RevokeExternalConnectivityAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        await Step("Revoke");
        kernel.Published.TryRemove(endpointId, out _);
    }

    public async Task<DriverReconcileReport> ReconcileAsync(DriverReconcileRequest request, CancellationToken cancellationToken)
    {
        await Step("Reconcile");
        var recreated = new List<string>();
        var removed = new List<string>();
        lock (_networks)
        {
            foreach (var n in request.Networks)
            {
                _networks[n.NetworkId] = n;
            }
        }
        foreach (var n in request.Networks.Where(n => !kernel.DriverNetworks.ContainsKey(n.NetworkId)))
        {
            kernel.DriverNetworks[n.NetworkId] = 0;
            recreated.Add($"network {n.NetworkId}");
        }
        var wanted = request.Networks.Select(n => n.NetworkId).ToHashSet();
        foreach (var orphan in kernel.DriverNetworks.Keys.Where(k => !wanted.Contains(k) && Owns(k)).ToArray())
        {
            kernel.DriverNetworks.TryRemove(orphan, out _);
            removed.Add($"network {orphan}");
        }
        var endpoints = request.Endpoints.Select(e => e.Endpoint.EndpointId).ToHashSet();
        foreach (var orphan in kernel.DriverEndpoints.Keys.Where(k => !endpoints.Contains(k) && Owns(k)).ToArray())
        {
            if (kernel.DriverEndpoints.TryRemove(orphan, out var joined) && joined.SandboxKey is not null)
            {
                kernel.RemoveInterface(joined.SandboxKey, joined.Interface!);
            }
            removed.Add($"endpoint {orphan}");
        }
        return new DriverReconcileReport { Recreated = recreated, Removed = removed };
    }

    private bool Owns(string id) => kernel.Owners.GetValueOrDefault(id, type) == type;

    private async Task Step(string operation)
    {
        lock (Calls)
        {
            Calls.Add(operation);
        }
        if (operation == HangOn)
        {
            HangReached.TrySetResult();
            await Task.Delay(Timeout.Infinite);
        }
        if (operation == FailOn)
        {
            throw new InvalidOperationException($"injected failure in {operation}");
        }
    }

    public int CountCalls(string operation)
    {
        lock (Calls)
        {
            return Calls.Count(c => c == operation);
        }
    }
}
