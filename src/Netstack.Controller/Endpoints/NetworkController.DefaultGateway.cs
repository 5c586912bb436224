using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Core.Storage;

namespace Netstack.Controller;

/// <summary>
/// The gateway network (Docker's <c>docker_gwbridge</c> behaviour). A driver whose networks reach
/// other hosts may give its endpoints no gateway (overlay: the subnet is shared by every host, its
/// way out is on none of them). A sandbox whose only endpoints are of that kind gets a second
/// interface on a per-host bridge network with MASQUERADE, named by
/// <see cref="ControllerOptions.GatewayNetworkName"/> and made on demand: that endpoint, named
/// <c>gateway_&lt;container-id[:12]&gt;</c>, carries the default route and the published ports.
/// Rules, as libnetwork's <c>needDefaultGW</c>/<c>setupDefaultGW</c>/<c>clearDefaultGW</c>:
/// <list type="bullet">
/// <item>an endpoint needs it when its network is not internal, its driver's connectivity scope is
/// global, and the driver returned no gateway, no default static route and did not disable the
/// gateway service;</item>
/// <item>the sandbox gets it when an endpoint that needs it joins and no other endpoint has a
/// gateway; it loses it when the last such endpoint leaves or an endpoint with a gateway joins;
/// when the endpoint with the gateway leaves and one that needs it stays, it gets it again;</item>
/// <item>its names are not in the embedded DNS (libnetwork's <c>CreateOptionDisableResolution</c>).</item>
/// </list>
/// Crash safety: the gateway endpoint is an ordinary endpoint with its own intent; it is made
/// inside the connect of the endpoint that needs it (undone with it) and reconcile removes one no
/// endpoint needs any more, or makes a missing one.
/// </summary>
public sealed partial class NetworkController
{
    /// <summary>Prefix of the gateway endpoint's name, as libnetwork's (<c>gateway_</c> + 12 characters of the container id).</summary>
    internal const string GatewayEndpointPrefix = "gateway_";

    private const int GatewayEndpointIdLength = 12;

    /// <summary>Serializes the on-demand creation of the gateway network (libnetwork's <c>procGwNetwork</c>).</summary>
    private readonly SemaphoreSlim _gatewayNetworkLock = new(1, 1);

    /// <summary>True when the endpoint's network reaches other hosts and the driver gave it no way out.</summary>
    private static bool NeedsGatewayNetwork(NetworkRecord net, INetworkDriver driver, JoinResult join) =>
        !net.Internal
        && driver.Capabilities.ConnectivityScope == NetworkScope.Global
        && join.Gateway is null && join.GatewayIPv6 is null
        && !join.DisableGatewayService
        && !join.StaticRoutes.Any(r => r.Destination.PrefixLength == 0);

    /// <summary>True for the controller's endpoint on the gateway network.</summary>
    private bool IsGatewayEndpoint(EndpointRecord endpoint) =>
        endpoint.Name.StartsWith(GatewayEndpointPrefix, StringComparison.Ordinal)
        && _networks.GetValueOrDefault(endpoint.NetworkId)?.Value.Name == _options.GatewayNetworkName;

    private EndpointRecord? GatewayEndpointOf(string sandboxId) =>
        EndpointsOfSandbox(sandboxId).FirstOrDefault(IsGatewayEndpoint);

    /// <summary>True when an endpoint of the sandbox (not the gateway endpoint, not <paramref name="except"/>) has a gateway on a non-internal network.</summary>
    private bool HasOwnGateway(string sandboxId, string? except = null) =>
        EndpointsOfSandbox(sandboxId).Any(e => e.Id != except && e.State == RecordState.Ready && !IsGatewayEndpoint(e)
            && (e.Gateway is not null || e.GatewayIPv6 is not null)
            && _networks.GetValueOrDefault(e.NetworkId)?.Value is { Internal: false });

    /// <summary>libnetwork's <c>needDefaultGW</c> over the sandbox's acknowledged endpoints.</summary>
    private bool SandboxNeedsGatewayNetwork(string sandboxId) =>
        EndpointsOfSandbox(sandboxId).Any(e => e.State == RecordState.Ready && e.NeedsGatewayNetwork) && !HasOwnGateway(sandboxId);

    /// <summary>The ports asked by the sandbox's endpoints that rely on the gateway network (they are published there).</summary>
    private IEnumerable<PortBinding> RequestedPortsOfSandbox(string sandboxId, string? except = null) =>
        EndpointsOfSandbox(sandboxId)
            .Where(e => e.Id != except && e.State == RecordState.Ready && e.NeedsGatewayNetwork)
            .SelectMany(e => e.RequestedPorts)
            .Select(RecordMapping.ToBinding);

    /// <summary>Docker's name: <c>gateway_</c> and the first 12 characters of the container id (the sandbox id without a container).</summary>
    private static string GatewayEndpointName(SandboxRecord sandbox)
    {
        var id = sandbox.ContainerId is { Length: > 0 } c ? c : sandbox.Id;
        return GatewayEndpointPrefix + id[..Math.Min(GatewayEndpointIdLength, id.Length)];
    }

    /// <summary>
    /// Connects the sandbox to the gateway network (made first if missing) with the given ports;
    /// the caller holds the sandbox's lock. Its undo disconnects it again.
    /// </summary>
    private async Task SetupGatewayEndpointAsync(SandboxRecord sandbox, IReadOnlyList<PortBinding> ports, UndoStack undo, CancellationToken ct)
    {
        var endpoint = await ConnectGatewayEndpointLockedAsync(sandbox, ports, ct).ConfigureAwait(false);
        undo.Push($"disconnect {endpoint.Name} from {_options.GatewayNetworkName}", _ => DisconnectLockedAsync(endpoint.Id, force: true, CancellationToken.None, sandboxLeaving: true));
        ControllerLog.EndpointJoined(_logger, endpoint.Id, sandbox.Name, _options.GatewayNetworkName, endpoint.InterfaceName);
        _events.Publish(new EndpointEvent(EndpointEventKind.Joined, EndpointInfoOf(endpoint)));
    }

    private async Task<EndpointRecord> ConnectGatewayEndpointLockedAsync(SandboxRecord sandbox, IReadOnlyList<PortBinding> ports, CancellationToken ct)
    {
        var net = await EnsureGatewayNetworkAsync(ct).ConfigureAwait(false);
        var name = GatewayEndpointName(sandbox);
        var plan = EndpointPlan.Create(new EndpointSpec { Name = name, PublishedPorts = ports.Distinct().ToArray() });
        using (await _networkLocks.AcquireAsync(net.Id, ct).ConfigureAwait(false))
        {
            net = _networks.GetValueOrDefault(net.Id)?.Value ?? throw new UnavailableException($"gateway network {_options.GatewayNetworkName} was removed while sandbox {sandbox.Name} was joining it; retry");
            if (net.State != RecordState.Ready)
            {
                throw new UnavailableException($"gateway network {net.Name} is being removed; retry");
            }
            if (EndpointsOfNetwork(net.Id).Any(e => e.Name == name) || !_pendingEndpointNames.TryAdd((net.Id, name), 0))
            {
                throw new ConflictException($"endpoint with name {name} already exists in network {net.Name}");
            }
            _connectsInFlight.AddOrUpdate(net.Id, 1, (_, n) => n + 1);
        }
        try
        {
            return await ConnectLockedAsync(net, sandbox, name, plan, ct, gatewayEndpoint: true).ConfigureAwait(false);
        }
        finally
        {
            _pendingEndpointNames.TryRemove((net.Id, name), out _);
            _connectsInFlight.AddOrUpdate(net.Id, 0, (_, n) => n - 1);
        }
    }

    /// <summary>
    /// The gateway network, created when missing (libnetwork's <c>defaultGwNetwork</c>): the bridge
    /// driver with Docker's options for it (no inter-container traffic, MASQUERADE), local scope,
    /// IPv4 only, a subnet from the local default pools.
    /// </summary>
    private async Task<NetworkRecord> EnsureGatewayNetworkAsync(CancellationToken ct)
    {
        await _gatewayNetworkLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var existing = VisibleNetworks().FirstOrDefault(n => n.Name == _options.GatewayNetworkName);
            if (existing is not null)
            {
                return existing;
            }
            if (!_drivers.TryGetNetworkDriver("bridge", out _))
            {
                throw new UnavailableException($"the gateway network {_options.GatewayNetworkName} needs the bridge driver, which is not registered in this daemon");
            }
            var created = await CreateNetworkAsync(new NetworkSpec
            {
                Name = _options.GatewayNetworkName,
                Driver = "bridge",
                Scope = NetworkScope.Local,
                Options = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [DockerOptions.BridgeName] = _options.GatewayBridgeName,
                    [DockerOptions.BridgeEnableIcc] = "false",
                    [DockerOptions.BridgeEnableIPMasquerade] = "true",
                },
            }, ct).ConfigureAwait(false);
            return _networks.GetValueOrDefault(created.Id)?.Value
                ?? throw new UnavailableException($"gateway network {_options.GatewayNetworkName} was removed right after it was created; retry");
        }
        finally
        {
            _gatewayNetworkLock.Release();
        }
    }

    /// <summary>Disconnects the sandbox's gateway endpoint, if any (best effort: reconcile removes what is left). Caller holds the sandbox's lock.</summary>
    private async Task ClearGatewayEndpointAsync(SandboxRecord sandbox, string why)
    {
        if (GatewayEndpointOf(sandbox.Id) is not { } gateway)
        {
            return;
        }
        try
        {
            await DisconnectLockedAsync(gateway.Id, force: true, CancellationToken.None, sandboxLeaving: true).ConfigureAwait(false);
            ControllerLog.GatewayEndpointChanged(_logger, sandbox.Name, "removed", why);
        }
#pragma warning disable CA1031 // best effort: the sandbox works; reconcile removes the left-over endpoint
        catch (Exception e)
#pragma warning restore CA1031
        {
            ControllerLog.ReconcileError(_logger, $"removing gateway endpoint {gateway.Name} of sandbox {sandbox.Name}: {e.Message}");
        }
    }

    /// <summary>
    /// Publishes <paramref name="ports"/> on the existing gateway endpoint instead of what it has
    /// (another endpoint that relies on it joined or left). The old ports are put back when the
    /// new ones fail (a host port taken, say) and by <paramref name="undo"/>.
    /// </summary>
    private async Task RepublishGatewayPortsAsync(SandboxRecord sandbox, IReadOnlyList<PortBinding> ports, UndoStack? undo, CancellationToken ct)
    {
        if (GatewayEndpointOf(sandbox.Id) is not { } gateway || !_endpoints.TryGetValue(gateway.Id, out var stored)
            || _networks.GetValueOrDefault(gateway.NetworkId)?.Value is not { } net)
        {
            return;
        }
        var wanted = ports.Distinct().ToArray();
        var before = gateway.RequestedPorts.Select(RecordMapping.ToBinding).ToArray();
        if (wanted.SequenceEqual(before))
        {
            return;
        }
        var driver = DriverOf(net);
        async Task<IReadOnlyList<PortBinding>> PublishAsync(IReadOnlyList<PortBinding> bindings, CancellationToken c)
        {
            await driver.RevokeExternalConnectivityAsync(net.Id, gateway.Id, c).ConfigureAwait(false);
            return await driver.ProgramExternalConnectivityAsync(new ExternalConnectivityRequest
            {
                NetworkId = net.Id,
                EndpointId = gateway.Id,
                PortBindings = bindings,
                Options = gateway.DriverOptions,
            }, c).ConfigureAwait(false);
        }
        IReadOnlyList<PortBinding> published;
        try
        {
            published = await PublishAsync(wanted, ct).ConfigureAwait(false);
        }
        catch
        {
            await PublishAsync(before, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        var updated = gateway with
        {
            RequestedPorts = wanted.Select(RecordMapping.ToRecord).ToList(),
            PublishedPorts = published.Select(RecordMapping.ToRecord).ToList(),
        };
        var revision = await _store.Inner.PutAsync(StateStore.EndpointKey(net.Id, gateway.Id), StateStore.Serialize(updated), stored.Revision, CancellationToken.None).ConfigureAwait(false);
        _endpoints[gateway.Id] = new Stored<EndpointRecord>(updated, revision);
        undo?.Push($"publish the previous ports of {gateway.Name}", async c =>
        {
            var current = _endpoints.GetValueOrDefault(gateway.Id);
            var again = await PublishAsync(before, c).ConfigureAwait(false);
            if (current is not null)
            {
                var restored = current.Value with { RequestedPorts = gateway.RequestedPorts, PublishedPorts = again.Select(RecordMapping.ToRecord).ToList() };
                var r = await _store.Inner.PutAsync(StateStore.EndpointKey(net.Id, gateway.Id), StateStore.Serialize(restored), current.Revision, CancellationToken.None).ConfigureAwait(false);
                _endpoints[gateway.Id] = new Stored<EndpointRecord>(restored, r);
            }
        });
    }

    /// <summary>
    /// After an endpoint left: the gateway endpoint goes when nothing needs it any more, or comes
    /// back when the endpoint with the gateway left and one that needs it stays (best effort).
    /// </summary>
    private async Task UpdateGatewayEndpointAfterLeaveAsync(SandboxRecord sandbox, bool sandboxLeaving)
    {
        var needed = SandboxNeedsGatewayNetwork(sandbox.Id);
        if (!needed)
        {
            await ClearGatewayEndpointAsync(sandbox, "no endpoint needs it").ConfigureAwait(false);
            return;
        }
        if (sandboxLeaving)
        {
            return;
        }
        if (GatewayEndpointOf(sandbox.Id) is not null)
        {
            // The ports of the endpoint that left go with it.
            try
            {
                await RepublishGatewayPortsAsync(sandbox, RequestedPortsOfSandbox(sandbox.Id).ToArray(), undo: null, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // best effort: the left endpoint is gone already; the ports stay published until the gateway endpoint goes
            catch (Exception e)
#pragma warning restore CA1031
            {
                ControllerLog.ReconcileError(_logger, $"unpublishing ports of sandbox {sandbox.Name} on {_options.GatewayNetworkName}: {e.Message}");
            }
            return;
        }
        try
        {
            var undo = new UndoStack();
            await SetupGatewayEndpointAsync(sandbox, RequestedPortsOfSandbox(sandbox.Id).ToArray(), undo, CancellationToken.None).ConfigureAwait(false);
            undo.Commit();
            ControllerLog.GatewayEndpointChanged(_logger, sandbox.Name, "added", "the endpoint with the gateway left");
        }
#pragma warning disable CA1031 // best effort: the sandbox keeps its connected subnets; reconcile tries again
        catch (Exception e)
#pragma warning restore CA1031
        {
            ControllerLog.ReconcileError(_logger, $"connecting sandbox {sandbox.Name} to {_options.GatewayNetworkName}: {e.Message}");
        }
    }

    /// <summary>
    /// Reconcile's pass over the gateway endpoints, after the drivers and IPAM are consistent: one
    /// that no endpoint needs any more (its overlay endpoint's connect was interrupted, or removed
    /// while the daemon was down) is removed; a sandbox that needs one and has none gets it.
    /// </summary>
    private async Task ReconcileGatewayEndpointsAsync(List<string> removed, List<string> recreated, List<string> errors, CancellationToken ct)
    {
        foreach (var sandbox in _sandboxes.Values.Select(s => s.Value).Where(s => s.State == RecordState.Ready).ToArray())
        {
            using (await _sandboxLocks.AcquireAsync(sandbox.Id, ct).ConfigureAwait(false))
            {
                var gateway = GatewayEndpointOf(sandbox.Id);
                var needed = SandboxNeedsGatewayNetwork(sandbox.Id);
                try
                {
                    if (gateway is not null && !needed)
                    {
                        await DisconnectLockedAsync(gateway.Id, force: true, CancellationToken.None, sandboxLeaving: true).ConfigureAwait(false);
                        removed.Add($"gateway endpoint {gateway.Name} of sandbox {sandbox.Name} (no endpoint needs it)");
                    }
                    else if (gateway is null && needed)
                    {
                        var endpoint = await ConnectGatewayEndpointLockedAsync(sandbox, RequestedPortsOfSandbox(sandbox.Id).ToArray(), ct).ConfigureAwait(false);
                        recreated.Add($"gateway endpoint {endpoint.Name} of sandbox {sandbox.Name}");
                    }
                }
#pragma warning disable CA1031 // reconcile goes on after each failure and reports it
                catch (Exception e)
#pragma warning restore CA1031
                {
                    errors.Add($"gateway endpoint of sandbox {sandbox.Name}: {e.Message}");
                }
            }
        }
    }
}
