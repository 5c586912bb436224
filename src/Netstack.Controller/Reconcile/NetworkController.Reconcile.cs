using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Core.Ipam;
using Netstack.Core.Storage;

namespace Netstack.Controller;

public sealed partial class NetworkController
{
    /// <summary>
    /// Runs once at start, before the API serves (it assumes no operation is in flight). Order:
    /// sandboxes (a vanished namespace takes its endpoints along), endpoints, networks: the records
    /// of half-done or orphaned work are removed; then each driver gets what survives, recreates what
    /// is missing and removes its orphans; then the queued driver teardowns of removed records run
    /// (idempotent by contract); interfaces get their addresses back, orphan namespaces go, and IPAM
    /// pools and addresses that no record holds are released. Safe to run again after a crash in it.
    /// </summary>
    public async Task<ReconcileReport> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        var report = new ReconcileCollector();
        await ReloadAsync(cancellationToken).ConfigureAwait(false);

        foreach (var sandbox in _sandboxes.Values.Select(s => s.Value).ToArray())
        {
            await ReconcileSandboxAsync(sandbox, report).ConfigureAwait(false);
        }
        // Without the global store, an endpoint whose network is not known may be on a global network:
        // it is kept, as are the drivers' objects of global networks, until the store answers.
        var globalBlind = _cluster is not null && !_globalLoaded;
        if (globalBlind)
        {
            report.Errors.Add($"global store {_cluster!.Address} unavailable ({_globalError}): endpoints of unknown networks and global drivers are left as they are");
        }
        foreach (var endpoint in _endpoints.Values.Select(e => e.Value).ToArray())
        {
            if (globalBlind && endpoint.State == RecordState.Ready && !_networks.ContainsKey(endpoint.NetworkId))
            {
                continue;
            }
            var why = endpoint.State switch
            {
                RecordState.Creating => "connect interrupted",
                RecordState.Deleting => "disconnect interrupted",
                _ when !_sandboxes.ContainsKey(endpoint.SandboxId) => "its sandbox is gone",
                _ when !_networks.ContainsKey(endpoint.NetworkId) => "its network is gone",
                _ => null,
            };
            if (why is not null)
            {
                await ForgetEndpointAsync(endpoint, why, report).ConfigureAwait(false);
            }
        }
        foreach (var network in _networks.Values.Select(n => n.Value).Where(n => n.State != RecordState.Ready).ToArray())
        {
            if (IsGlobal(network))
            {
                // Only the node that began a global create or removal finishes it; the others wait.
                if (network.Node == _options.NodeName)
                {
                    await FinishGlobalNetworkAsync(network, report, cancellationToken).ConfigureAwait(false);
                }
                continue;
            }
            await ForgetNetworkAsync(network, network.State == RecordState.Creating ? "create interrupted" : "delete interrupted", report).ConfigureAwait(false);
        }

        await ReconcileDriversAsync(report, globalBlind, cancellationToken).ConfigureAwait(false);
        await RunCleanupsAsync(report).ConfigureAwait(false);
        ReconfigureInterfaces(report);
        RemoveOrphanNamespaces(report);
        await CollectIpamGarbageAsync(report, cancellationToken).ConfigureAwait(false);
        if (!globalBlind)
        {
            await ReconcileGatewayEndpointsAsync(report.Removed, report.Recreated, report.Errors, cancellationToken).ConfigureAwait(false);
        }
        if (_cluster is not null && !globalBlind)
        {
            try
            {
                await RepairAttachmentsAsync(cancellationToken).ConfigureAwait(false);
                await CollectGlobalIpamGarbageAsync(report.Removed.Add, whileServing: false, cancellationToken).ConfigureAwait(false);
            }
            catch (UnavailableException e)
            {
                report.Errors.Add($"global store: {e.Message}");
            }
        }

        var result = report.ToReport();
        ControllerLog.Reconciled(_logger, result.Repaired.Count, result.Recreated.Count, result.Removed.Count, result.Errors.Count);
        foreach (var error in result.Errors)
        {
            ControllerLog.ReconcileError(_logger, error);
        }
        return result;
    }

    private async Task ReloadAsync(CancellationToken ct)
    {
        await _loadLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _networks.Clear();
            _sandboxes.Clear();
            _endpoints.Clear();
            _loaded = false;
        }
        finally
        {
            _loadLock.Release();
        }
        await EnsureLoadedAsync(ct).ConfigureAwait(false);
    }

    private async Task ReconcileSandboxAsync(SandboxRecord sandbox, ReconcileCollector report)
    {
        string? why = sandbox.State switch
        {
            RecordState.Creating => "create interrupted",
            RecordState.Deleting => "delete interrupted",
            _ when !_kernel.NamespaceExists(sandbox.Key) => "its namespace is gone",
            _ => null,
        };
        if (why is null)
        {
            return;
        }
        foreach (var endpoint in EndpointsOfSandbox(sandbox.Id).ToArray())
        {
            await ForgetEndpointAsync(endpoint, $"sandbox {sandbox.Name}: {why}", report).ConfigureAwait(false);
        }
        try
        {
            if (!sandbox.External)
            {
                _kernel.DeleteNamespace(Path.GetDirectoryName(sandbox.Key)!, Path.GetFileName(sandbox.Key));
            }
            else
            {
                _kernel.Forget(sandbox.Key);
            }
            await _store.Inner.CommitAsync(new StoreTransaction()
                .Delete(StateStore.SandboxKey(sandbox.Id)).Delete(StateStore.SandboxNameKey(sandbox.Name)), CancellationToken.None).ConfigureAwait(false);
            _sandboxes.TryRemove(sandbox.Id, out _);
            report.Note(sandbox.State == RecordState.Ready ? report.Removed : report.Repaired, $"sandbox {sandbox.Name} removed ({why})");
        }
#pragma warning disable CA1031 // reconcile goes on after each failure and reports it
        catch (Exception e)
#pragma warning restore CA1031
        {
            report.Errors.Add($"sandbox {sandbox.Name}: {e.Message}");
        }
    }

    /// <summary>
    /// Deletes an endpoint's record and queues the driver teardown (revoke, leave, delete) for after
    /// the drivers' reconcile: by then the driver knows the networks again, has removed the objects
    /// of endpoints it was not given, and the teardown calls are idempotent checks. Addresses are
    /// left to the IPAM sweep.
    /// </summary>
    /// <summary>
    /// A join cut off before its record said so leaves the driver nothing to find: a bridge's veth
    /// goes with its host end, but a macvlan (or a remote driver's interface) made straight in the
    /// sandbox would stay there under the name the controller gave it. That name was this endpoint's
    /// alone in the sandbox, so what still has it after the driver's teardown is deleted.
    /// </summary>
    private void RemoveLeftoverInterface(EndpointRecord endpoint, SandboxRecord? sandbox)
    {
        if (sandbox is null || string.IsNullOrEmpty(sandbox.Key) || string.IsNullOrEmpty(endpoint.InterfaceName)
            || !_sandboxes.ContainsKey(sandbox.Id) || !_kernel.NamespaceExists(sandbox.Key)
            || EndpointsOfSandbox(sandbox.Id).Any(e => e.Id != endpoint.Id && e.InterfaceName == endpoint.InterfaceName))
        {
            return;
        }
        _kernel.DeleteInterface(sandbox.Key, endpoint.InterfaceName);
    }

    private async Task ForgetEndpointAsync(EndpointRecord endpoint, string why, ReconcileCollector report)
    {
        var network = _networks.GetValueOrDefault(endpoint.NetworkId)?.Value;
        await _store.Inner.DeleteAsync(StateStore.EndpointKey(endpoint.NetworkId, endpoint.Id), cancellationToken: CancellationToken.None).ConfigureAwait(false);
        _endpoints.TryRemove(endpoint.Id, out _);
        var sandbox = _sandboxes.GetValueOrDefault(endpoint.SandboxId)?.Value;
        var driver = network is not null && _drivers.TryGetNetworkDriver(network.Driver, out var d) ? d : null;
        report.Cleanups.Add(($"endpoint {endpoint.Name}", async () =>
        {
            if (driver is not null)
            {
                await driver.RevokeExternalConnectivityAsync(endpoint.NetworkId, endpoint.Id, CancellationToken.None).ConfigureAwait(false);
                await driver.LeaveAsync(endpoint.NetworkId, endpoint.Id, CancellationToken.None).ConfigureAwait(false);
                await driver.DeleteEndpointAsync(endpoint.NetworkId, endpoint.Id, CancellationToken.None).ConfigureAwait(false);
            }
            RemoveLeftoverInterface(endpoint, sandbox);
        }));
        report.Note(endpoint.State == RecordState.Ready ? report.Removed : report.Repaired, $"endpoint {endpoint.Name} on network {network?.Name ?? endpoint.NetworkId} removed ({why})");
        if (endpoint.State == RecordState.Ready)
        {
            _events.Publish(new EndpointEvent(EndpointEventKind.Left, RecordMapping.ToInfo(endpoint, network, sandbox)));
        }
    }

    private async Task ForgetNetworkAsync(NetworkRecord network, string why, ReconcileCollector report)
    {
        foreach (var endpoint in EndpointsOfNetwork(network.Id).ToArray())
        {
            await ForgetEndpointAsync(endpoint, $"network {network.Name}: {why}", report).ConfigureAwait(false);
        }
        if (IsGlobal(network))
        {
            await DeleteGlobalKeysAsync(network, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            await _store.Inner.CommitAsync(new StoreTransaction()
                .Delete(StateStore.NetworkKey(network.Id)).Delete(StateStore.NetworkNameKey(network.Name)), CancellationToken.None).ConfigureAwait(false);
        }
        _networks.TryRemove(network.Id, out _);
        _driverNetworks.TryRemove(network.Id, out _);
        if (_drivers.TryGetNetworkDriver(network.Driver, out var driver))
        {
            report.Cleanups.Add(($"network {network.Name}", () => driver.DeleteNetworkAsync(network.Id, CancellationToken.None)));
        }
        report.Repaired.Add($"network {network.Name} removed ({why})");
    }

    /// <summary>Runs the driver teardowns queued while forgetting records; failures are reported, not fatal.</summary>
    private static async Task RunCleanupsAsync(ReconcileCollector report)
    {
        foreach (var (what, cleanup) in report.Cleanups)
        {
            try
            {
                await cleanup().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // reconcile goes on after each failure and reports it
            catch (Exception e)
#pragma warning restore CA1031
            {
                report.Errors.Add($"{what}: driver teardown: {e.Message}");
            }
        }
    }

    /// <summary>
    /// A global network this node left half-created or half-removed: a create is undone (its pools
    /// go with the global pool sweep, CollectGlobalPoolGarbageAsync); a removal is finished when no host is attached, else taken back.
    /// </summary>
    private async Task FinishGlobalNetworkAsync(NetworkRecord network, ReconcileCollector report, CancellationToken ct)
    {
        try
        {
            if (network.State == RecordState.Creating)
            {
                await ForgetNetworkAsync(network, "create interrupted", report).ConfigureAwait(false);
                return;
            }
            var stored = _networks[network.Id];
            var attached = await _global!.Inner.ListAsync($"{AttachmentsPrefix}{network.Id}/", ct).ConfigureAwait(false);
            if (attached.Count == 0 && !EndpointsOfNetwork(network.Id).Any())
            {
                await ForgetNetworkAsync(network, "delete interrupted", report).ConfigureAwait(false);
                await ReleasePoolsAsync(network).ConfigureAwait(false);
                return;
            }
            var ready = network with { State = RecordState.Ready, Node = null };
            var revision = await _global.Inner.PutAsync(StateStore.NetworkKey(network.Id), StateStore.Serialize(ready), stored.Revision, ct).ConfigureAwait(false);
            _networks[network.Id] = new Stored<NetworkRecord>(ready, revision);
            report.Repaired.Add($"global network {network.Name}: interrupted removal taken back ({attached.Count} endpoints attached)");
        }
#pragma warning disable CA1031 // reconcile goes on after each failure and reports it
        catch (Exception e)
#pragma warning restore CA1031
        {
            report.Errors.Add($"global network {network.Name}: {e.Message}");
        }
    }

    /// <summary>
    /// Releases addresses of global networks that this node took and no longer uses (a crash between
    /// allocation and use, or a rollback that could not reach the store). Addresses of other nodes,
    /// gateways and aux addresses are never touched. While the daemon serves
    /// (<paramref name="whileServing"/>), a network with a connect or disconnect under way is left
    /// for the next sweep, and the addresses are listed before the endpoints are looked at, so an
    /// address that a connect has just taken is either not listed yet or already held.
    /// </summary>
    private async Task CollectGlobalIpamGarbageAsync(Action<string> removed, bool whileServing, CancellationToken ct)
    {
        if (!whileServing)
        {
            await CollectGlobalPoolGarbageAsync(removed, ct).ConfigureAwait(false);
        }
        foreach (var network in _networks.Values.Select(n => n.Value).Where(n => IsGlobal(n) && n.State == RecordState.Ready).ToArray())
        {
            if (!_drivers.TryGetIpamDriver(network.IpamDriver, out var ipam) || ipam is not IIpamAddressOwners owners)
            {
                continue;
            }
            foreach (var pool in network.Pools)
            {
                var listed = await owners.ListAddressOwnersAsync(pool.PoolId, ct).ConfigureAwait(false);
                var endpoints = EndpointsOfNetwork(network.Id).ToArray();
                if (whileServing && (_connectsInFlight.GetValueOrDefault(network.Id) > 0 || endpoints.Any(e => e.State != RecordState.Ready)))
                {
                    continue;
                }
                var held = HeldAddresses(pool, endpoints);
                foreach (var (address, owner) in listed)
                {
                    if (owner == _options.NodeName && !held.Contains(address))
                    {
                        await ipam.ReleaseAddressAsync(pool.PoolId, address, ct).ConfigureAwait(false);
                        removed($"leaked address {address} of global network {network.Name} (taken by this node)");
                    }
                }
            }
        }
    }

    /// <summary>
    /// Releases global pools this node reserved that no global network holds: a create interrupted
    /// between its pool reservation and its Ready record (whose intent names no pool yet). Only at
    /// start-up, when no create of this node is under way; pools of other nodes (their creates may
    /// be under way now) and pools without an owner are never touched.
    /// </summary>
    private async Task CollectGlobalPoolGarbageAsync(Action<string> removed, CancellationToken ct)
    {
        var held = _networks.Values.Select(n => n.Value).Where(IsGlobal).SelectMany(n => n.Pools).Select(p => p.PoolId).ToHashSet(StringComparer.Ordinal);
        foreach (var ipam in _drivers.IpamDrivers)
        {
            if (ipam is not IIpamAddressOwners owners)
            {
                continue;
            }
            foreach (var (pool, owner) in await owners.ListPoolOwnersAsync(IpamAddressSpaces.Global, ct).ConfigureAwait(false))
            {
                if (owner == _options.NodeName && !held.Contains(pool))
                {
                    await ipam.ReleasePoolAsync(pool, ct).ConfigureAwait(false);
                    removed($"leaked pool {pool} of the global address space (reserved by this node)");
                }
            }
        }
    }

    /// <summary>The addresses of a pool that something holds: the gateway, the aux addresses and the endpoints'.</summary>
    private static HashSet<IPAddress> HeldAddresses(PoolRecord pool, IEnumerable<EndpointRecord> endpoints)
    {
        var held = new HashSet<IPAddress>();
        if (pool.Gateway is { } gw)
        {
            held.Add(CidrAddress.Parse(gw).Address);
        }
        held.UnionWith(pool.AuxAddresses.Values.Select(IPAddress.Parse));
        foreach (var e in endpoints)
        {
            if (e.IPv4PoolId == pool.PoolId && e.IPv4Address is not null)
            {
                held.Add(CidrAddress.Parse(e.IPv4Address).Address);
            }
            if (e.IPv6PoolId == pool.PoolId && e.IPv6Address is not null)
            {
                held.Add(CidrAddress.Parse(e.IPv6Address).Address);
            }
        }
        return held;
    }

    private async Task ReconcileDriversAsync(ReconcileCollector report, bool globalBlind, CancellationToken ct)
    {
        var networks = _networks.Values.Select(n => n.Value).Where(n => !IsGlobal(n) || n.State == RecordState.Ready).ToArray();
        foreach (var missing in networks.Select(n => n.Driver).Distinct(StringComparer.Ordinal).Where(d => !_drivers.TryGetNetworkDriver(d, out _)))
        {
            report.Errors.Add($"driver {missing} is not registered: its networks ({string.Join(", ", networks.Where(n => n.Driver == missing).Select(n => n.Name))}) are left as they are");
        }
        foreach (var driver in _drivers.NetworkDrivers)
        {
            if (globalBlind && driver.Capabilities.DataScope == NetworkScope.Global)
            {
                continue;
            }
            var mine = networks.Where(n => n.Driver == driver.Type).ToArray();
            foreach (var n in mine.Where(IsGlobal))
            {
                _driverNetworks[n.Id] = 0;
            }
            var ids = mine.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            var endpoints = _endpoints.Values.Select(e => e.Value).Where(e => ids.Contains(e.NetworkId)).Select(e =>
            {
                var sandbox = _sandboxes.GetValueOrDefault(e.SandboxId)?.Value;
                return new DriverEndpointState
                {
                    Endpoint = RecordMapping.ToDriverEndpoint(e),
                    Join = sandbox is null ? null : RecordMapping.ToJoinRequest(e, sandbox),
                    PortBindings = e.PublishedPorts.Select(RecordMapping.ToBinding).ToArray(),
                };
            }).ToArray();
            try
            {
                var result = await driver.ReconcileAsync(new DriverReconcileRequest
                {
                    Networks = mine.Select(RecordMapping.ToDriverNetwork).ToArray(),
                    Endpoints = endpoints,
                }, ct).ConfigureAwait(false);
                report.Recreated.AddRange(result.Recreated.Select(r => $"{driver.Type}: {r}"));
                report.Removed.AddRange(result.Removed.Select(r => $"{driver.Type}: {r}"));
                report.Errors.AddRange(result.Errors.Select(r => $"{driver.Type}: {r}"));
            }
#pragma warning disable CA1031 // one driver's failure must not stop the others
            catch (Exception e)
#pragma warning restore CA1031
            {
                report.Errors.Add($"driver {driver.Type} reconcile failed: {e.Message}");
            }
        }
    }

    /// <summary>Puts addresses and the default route back on joined interfaces (a driver may have recreated them).</summary>
    private void ReconfigureInterfaces(ReconcileCollector report)
    {
        foreach (var endpoint in _endpoints.Values.Select(e => e.Value).Where(e => e.State == RecordState.Ready))
        {
            if (_sandboxes.GetValueOrDefault(endpoint.SandboxId)?.Value is not { } sandbox)
            {
                continue;
            }
            try
            {
                if (!_kernel.InterfaceExists(sandbox.Key, endpoint.InterfaceName))
                {
                    report.Errors.Add($"endpoint {endpoint.Name}: interface {endpoint.InterfaceName} is missing in sandbox {sandbox.Name} and its driver did not recreate it");
                    continue;
                }
                _kernel.ConfigureInterface(sandbox.Key, endpoint.InterfaceName,
                    endpoint.IPv4Address is null ? null : CidrAddress.Parse(endpoint.IPv4Address),
                    endpoint.IPv6Address is null ? null : CidrAddress.Parse(endpoint.IPv6Address));
                if (endpoint.ProvidesGateway && endpoint.Gateway is { } gw)
                {
                    _kernel.ReplaceRoute(sandbox.Key, endpoint.InterfaceName, null, IPAddress.Parse(gw));
                }
                if (endpoint.ProvidesGateway && endpoint.GatewayIPv6 is { } gw6)
                {
                    _kernel.ReplaceRoute(sandbox.Key, endpoint.InterfaceName, null, IPAddress.Parse(gw6));
                }
            }
#pragma warning disable CA1031 // reconcile goes on after each failure and reports it
            catch (Exception e)
#pragma warning restore CA1031
            {
                report.Errors.Add($"endpoint {endpoint.Name} in sandbox {sandbox.Name}: {e.Message}");
            }
        }
    }

    /// <summary>Namespaces in netstack's own directory that no sandbox record names were left by a crash.</summary>
    private void RemoveOrphanNamespaces(ReconcileCollector report)
    {
        var directory = _options.NetnsDirectory;
        var known = _sandboxes.Values.Select(s => s.Value)
            .Where(s => !s.External && Path.GetDirectoryName(s.Key) == Path.TrimEndingDirectorySeparator(directory))
            .Select(s => Path.GetFileName(s.Key))
            .ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<string> present;
        try
        {
            present = _kernel.ListNamespaces(directory);
        }
#pragma warning disable CA1031 // reconcile goes on after each failure and reports it
        catch (Exception e)
#pragma warning restore CA1031
        {
            report.Errors.Add($"listing namespaces in {directory}: {e.Message}");
            return;
        }
        foreach (var name in present.Where(n => !known.Contains(n)))
        {
            try
            {
                _kernel.DeleteNamespace(directory, name);
                report.Removed.Add($"orphan namespace {Path.Combine(directory, name)}");
            }
#pragma warning disable CA1031 // reconcile goes on after each failure and reports it
            catch (Exception e)
#pragma warning restore CA1031
            {
                report.Errors.Add($"orphan namespace {name}: {e.Message}");
            }
        }
    }

    /// <summary>Releases local pools no network holds and addresses no endpoint, gateway or aux entry holds.</summary>
    private async Task CollectIpamGarbageAsync(ReconcileCollector report, CancellationToken ct)
    {
        var networks = _networks.Values.Select(n => n.Value).ToArray();
        foreach (var ipam in _drivers.IpamDrivers)
        {
            // Global networks' addresses are shared with other hosts: only their own sweep (below) touches them.
            var mine = networks.Where(n => n.IpamDriver == ipam.Name && !IsGlobal(n)).ToArray();
            try
            {
                var heldPools = mine.SelectMany(n => n.Pools).Select(p => p.PoolId).ToHashSet(StringComparer.Ordinal);
                foreach (var pool in await ipam.ListPoolsAsync(IpamAddressSpaces.Local, ct).ConfigureAwait(false))
                {
                    if (!heldPools.Contains(pool))
                    {
                        await ipam.ReleasePoolAsync(pool, ct).ConfigureAwait(false);
                        report.Removed.Add($"leaked pool {pool}");
                    }
                }
                foreach (var network in mine)
                {
                    var endpoints = EndpointsOfNetwork(network.Id).ToArray();
                    foreach (var pool in network.Pools)
                    {
                        var held = HeldAddresses(pool, endpoints);
                        foreach (var address in await ipam.ListAddressesAsync(pool.PoolId, ct).ConfigureAwait(false))
                        {
                            if (!held.Contains(address))
                            {
                                await ipam.ReleaseAddressAsync(pool.PoolId, address, ct).ConfigureAwait(false);
                                report.Removed.Add($"leaked address {address} of network {network.Name}");
                            }
                        }
                    }
                }
            }
            catch (NotSupportedException)
            {
                // A remote IPAM that cannot list: nothing to sweep.
            }
#pragma warning disable CA1031 // reconcile goes on after each failure and reports it
            catch (Exception e)
#pragma warning restore CA1031
            {
                report.Errors.Add($"IPAM {ipam.Name} sweep: {e.Message}");
            }
        }
    }

    private sealed class ReconcileCollector
    {
        public List<string> Repaired { get; } = [];

        public List<string> Recreated { get; } = [];

        public List<string> Removed { get; } = [];

        public List<string> Errors { get; } = [];

        /// <summary>Driver teardowns of forgotten objects, run after the drivers' reconcile.</summary>
        public List<(string What, Func<Task> Cleanup)> Cleanups { get; } = [];

#pragma warning disable CA1822 // reads better at the call sites as report.Note(list, ...)
        public void Note(List<string> list, string message) => list.Add(message);
#pragma warning restore CA1822

        public ReconcileReport ToReport() => new()
        {
            Repaired = Repaired.ToArray(),
            Recreated = Recreated.ToArray(),
            Removed = Removed.ToArray(),
            Errors = Errors.ToArray(),
        };
    }
}
