using Netstack.Core;
using Netstack.Core.Ipam;
using Netstack.Core.Storage;
using Netstack.Core.FailPoints;

namespace Netstack.Controller;

public sealed partial class NetworkController
{
    public async Task<NetworkInfo> CreateNetworkAsync(NetworkSpec spec, CancellationToken cancellationToken = default)
    {
        var plan = NetworkPlan.Create(spec, _drivers, hasClusterStore: _cluster is not null);
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        if (_networks.Values.Any(n => n.Value.Name == spec.Name))
        {
            throw new ConflictException($"network with name {spec.Name} already exists");
        }
        if (_networks.ContainsKey(plan.Id))
        {
            throw new ConflictException($"network with id {plan.Id} already exists");
        }
        var global = plan.Scope == NetworkScope.Global;

        var record = new NetworkRecord
        {
            Id = plan.Id,
            Name = spec.Name,
            Driver = plan.Driver.Type,
            Scope = plan.Scope.ToName(),
            Created = _time.GetUtcNow(),
            IpamDriver = plan.Ipam.Name,
            IpamOptions = new Dictionary<string, string>(spec.Ipam.Options, StringComparer.Ordinal),
            Options = new Dictionary<string, string>(spec.Options, StringComparer.Ordinal),
            Labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal),
            Internal = plan.Internal,
            Attachable = spec.Attachable,
            EnableIPv6 = plan.EnableIPv6,
            BuiltIn = spec.BuiltIn,
            State = RecordState.Creating,
            Node = global ? _options.NodeName : null,
        };
        var store = StoreOf(record);
        var networkKey = StateStore.NetworkKey(record.Id);
        var nameKey = StateStore.NetworkNameKey(record.Name);

        var undo = new UndoStack();
        try
        {
            // The intent: name reserved and record marked Creating before any pool or kernel object
            // exists; a global network takes its VXLAN ids in the same transaction.
            long revision;
            if (global)
            {
                try
                {
                    (record, revision) = await CommitGlobalIntentAsync(record, plan, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not ConflictException)
                {
                    // Failed, yet perhaps written (a lost answer from etcd): the intent must not stay
                    // holding the name and the VXLAN id cluster-wide.
                    await ForgetGlobalIntentAsync(record).ConfigureAwait(false);
                    throw;
                }
            }
            else
            {
                try
                {
                    revision = await _store.CommitAsync(
                        new StoreTransaction().IfAbsent(nameKey).IfAbsent(networkKey)
                            .Put(networkKey, StateStore.Serialize(record)).Put(nameKey, StateStore.Utf8(record.Id)),
                        $"network with name {spec.Name} already exists", cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not ConflictException)
                {
                    // Failed, yet perhaps written: the intent must not stay holding the name.
                    await _store.ForgetIntentAsync(networkKey, nameKey, record.Id).ConfigureAwait(false);
                    throw;
                }
            }
            _networks[record.Id] = new Stored<NetworkRecord>(record, revision);
            var intent = record;
            undo.Push("remove network record", async c =>
            {
                if (global)
                {
                    await DeleteGlobalKeysAsync(intent, CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    await _store.Inner.CommitAsync(new StoreTransaction().Delete(networkKey).Delete(nameKey), CancellationToken.None).ConfigureAwait(false);
                }
                _networks.TryRemove(intent.Id, out _);
            });
            FailPoint.Hit(FailPointNames.NetworkCreateAfterIntent);

            var pools = new List<PoolRecord>();
            foreach (var pool in plan.Pools)
            {
                pools.Add(await ReservePoolAsync(plan, pool, undo, cancellationToken).ConfigureAwait(false));
            }
            record = record with { Pools = pools };
            FailPoint.Hit(FailPointNames.NetworkCreateAfterPools);

            await plan.Driver.CreateNetworkAsync(RecordMapping.ToDriverNetwork(record), cancellationToken).ConfigureAwait(false);
            _driverNetworks[record.Id] = 0;
            var created = record.Id;
            undo.Push($"delete network {record.Id} in driver {plan.Driver.Type}", ct =>
            {
                _driverNetworks.TryRemove(created, out _);
                return plan.Driver.DeleteNetworkAsync(created, ct);
            });
            FailPoint.Hit(FailPointNames.NetworkCreateAfterDriver);

            // The acknowledgement: only now is the network Ready.
            record = record with { State = RecordState.Ready, Node = null };
            var ready = await store.Inner.PutAsync(networkKey, StateStore.Serialize(record), revision, CancellationToken.None).ConfigureAwait(false);
            _networks[record.Id] = new Stored<NetworkRecord>(record, ready);
            undo.Commit();
        }
        catch
        {
            await undo.RollbackAsync().ConfigureAwait(false);
            LogRollback($"create network {spec.Name}", undo);
            throw;
        }
        FailPoint.Hit(FailPointNames.NetworkCreateAfterReady);
        ControllerLog.NetworkCreated(_logger, record.Name, record.Id, record.Driver);
        return RecordMapping.ToInfo(record, []);
    }

    private async Task<PoolRecord> ReservePoolAsync(NetworkPlan plan, PoolPlan pool, UndoStack undo, CancellationToken ct)
    {
        var reservation = await plan.Ipam.RequestPoolAsync(new PoolRequest
        {
            AddressSpace = plan.AddressSpace,
            Subnet = pool.Subnet,
            IpRange = pool.IpRange,
            IPv6 = pool.IPv6,
            Options = plan.Spec.Ipam.Options,
        }, ct).ConfigureAwait(false);
        // Releasing the pool releases every address in it, the gateway and aux addresses included.
        undo.Push($"release pool {reservation.PoolId}", c => plan.Ipam.ReleasePoolAsync(reservation.PoolId, c));

        CidrAddress? gateway = null;
        if (plan.Driver.Capabilities.NeedsGateway)
        {
            gateway = await plan.Ipam.RequestAddressAsync(reservation.PoolId, pool.Gateway, GatewayRequest, ct).ConfigureAwait(false);
        }
        var aux = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, address) in pool.AuxAddresses)
        {
            try
            {
                await plan.Ipam.RequestAddressAsync(reservation.PoolId, address, Empty.Options, ct).ConfigureAwait(false);
            }
            catch (ConflictException)
            {
                throw new InvalidParameterException("aux-address", $"{name}={address}", "the address is already reserved on this network");
            }
            aux[name] = address.ToString();
        }
        return new PoolRecord
        {
            PoolId = reservation.PoolId,
            Subnet = reservation.Subnet.ToString(),
            IpRange = reservation.IpRange?.ToString(),
            Gateway = gateway?.ToString(),
            AuxAddresses = aux,
        };
    }

    public async Task<NetworkInfo> GetNetworkAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var network = ResolveNetwork(idOrName);
        var endpoints = EndpointsOfNetwork(network.Id)
            .Where(e => e.State != RecordState.Creating)
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => RecordMapping.ToInfo(e, network, _sandboxes.GetValueOrDefault(e.SandboxId)?.Value))
            .ToArray();
        return RecordMapping.ToInfo(network, endpoints);
    }

    public async Task<IReadOnlyList<NetworkInfo>> ListNetworksAsync(NetworkFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var matcher = new NetworkFilterMatcher(filter ?? new NetworkFilter());
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        return VisibleNetworks()
            .Where(n => matcher.Matches(n, EndpointsOfNetwork(n.Id).Any()))
            .OrderBy(n => n.Name, StringComparer.Ordinal)
            .Select(n => RecordMapping.ToInfo(n, []))
            .ToArray();
    }

    public async Task DeleteNetworkAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var network = ResolveNetwork(idOrName);
        using (await _networkLocks.AcquireAsync(network.Id, cancellationToken).ConfigureAwait(false))
        {
            if (!_networks.TryGetValue(network.Id, out var stored))
            {
                throw new NotFoundException("network", idOrName);
            }
            await DeleteNetworkLockedAsync(stored, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes a network; the caller holds the network's lock.</summary>
    private async Task DeleteNetworkLockedAsync(Stored<NetworkRecord> stored, CancellationToken ct)
    {
        var network = stored.Value;
        if (network.BuiltIn)
        {
            throw new ForbiddenException($"{network.Name} is a pre-defined network and cannot be removed");
        }
        var endpoints = EndpointsOfNetwork(network.Id).Count() + _connectsInFlight.GetValueOrDefault(network.Id);
        if (endpoints > 0)
        {
            var message = $"error while removing network: network {network.Name} id {network.Id} has active endpoints ({endpoints})";
            throw IsGlobal(network) ? new ConflictException(message) : new ForbiddenException(message);
        }
        var networkKey = StateStore.NetworkKey(network.Id);
        if (IsGlobal(network))
        {
            if (network.State != RecordState.Deleting || network.Node != _options.NodeName)
            {
                stored = await MarkGlobalDeletingAsync(stored, ct).ConfigureAwait(false);
                network = stored.Value;
            }
        }
        else if (network.State != RecordState.Deleting)
        {
            network = network with { State = RecordState.Deleting };
            long revision;
            try
            {
                revision = await _store.Inner.PutAsync(networkKey, StateStore.Serialize(network), stored.Revision, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not ConflictException)
            {
                // Failed, yet perhaps written: a retry must compare with what the store holds now.
                await RefreshAsync(_networks, network.Id, networkKey, ControllerJsonContext.Default.NetworkRecord).ConfigureAwait(false);
                throw;
            }
            stored = new Stored<NetworkRecord>(network, revision);
            _networks[network.Id] = stored;
        }
        FailPoint.Hit(FailPointNames.NetworkRemoveAfterMark);
        // Kernel first; the store record goes next (the acknowledgement); pools last. A crash after
        // the record is gone leaks the pools, which reconcile releases; releasing them before could
        // let a retry release a pool that a new network has taken meanwhile.
        var teardown = new Teardown($"remove network {network.Name}");
        if (_drivers.TryGetNetworkDriver(network.Driver, out var driver))
        {
            await teardown.StepAsync($"delete network in driver {network.Driver}", () => driver.DeleteNetworkAsync(network.Id, CancellationToken.None)).ConfigureAwait(false);
        }
        teardown.ThrowIfFailed();
        _driverNetworks.TryRemove(network.Id, out _);
        FailPoint.Hit(FailPointNames.NetworkRemoveAfterDriver);
        if (IsGlobal(network))
        {
            try
            {
                await DeleteGlobalKeysAsync(network, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Failed, yet perhaps applied (a lost answer): with the record gone the network is
                // removed, and the watch drops it from the view, so no retry would ever release its
                // pools; they are released below. With the record still there, a retry finishes.
                if (await _global!.Inner.GetAsync(networkKey, CancellationToken.None).ConfigureAwait(false) is not null)
                {
                    throw;
                }
            }
        }
        else
        {
            await _store.Inner.CommitAsync(new StoreTransaction()
                .Delete(networkKey).Delete(StateStore.NetworkNameKey(network.Name)), CancellationToken.None).ConfigureAwait(false);
        }
        _networks.TryRemove(network.Id, out _);
        // The record is gone: the network is removed. Its pools are released whatever fails after
        // that (a failure is logged, not reported), or their subnets would stay taken.
        try
        {
            FailPoint.Hit(FailPointNames.NetworkRemoveAfterRecord);
        }
        finally
        {
            await ReleasePoolsAsync(network).ConfigureAwait(false);
        }
        FailPoint.Hit(FailPointNames.NetworkRemoveAfterPools);
        ControllerLog.NetworkDeleted(_logger, network.Name, network.Id);
    }

    /// <summary>Releases a removed network's pools; failures leave leaked pools for reconcile, so they are only logged.</summary>
    private async Task ReleasePoolsAsync(NetworkRecord network)
    {
        if (!_drivers.TryGetIpamDriver(network.IpamDriver, out var ipam))
        {
            return;
        }
        var teardown = new Teardown($"release pools of network {network.Name}");
        foreach (var pool in network.Pools)
        {
            await teardown.StepAsync($"release pool {pool.PoolId}", () => Retries.ReleaseAsync(() => ipam.ReleasePoolAsync(pool.PoolId, CancellationToken.None), _time)).ConfigureAwait(false);
        }
        foreach (var error in teardown.Errors)
        {
            ControllerLog.ReconcileError(_logger, error.Message);
        }
    }

    public async Task<IReadOnlyList<string>> PruneNetworksAsync(NetworkPruneFilter? filter = null, CancellationToken cancellationToken = default)
    {
        filter ??= new NetworkPruneFilter();
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var deleted = new List<string>();
        foreach (var network in VisibleNetworks().Where(n => !n.BuiltIn).OrderBy(n => n.Name, StringComparer.Ordinal).ToArray())
        {
            if (filter.Until is { } until && network.Created >= until)
            {
                continue;
            }
            if (!filter.Labels.All(l => NetworkFilterMatcher.LabelMatches(network.Labels, l))
                || filter.LabelsNot.Any(l => NetworkFilterMatcher.LabelMatches(network.Labels, l)))
            {
                continue;
            }
            using (await _networkLocks.AcquireAsync(network.Id, cancellationToken).ConfigureAwait(false))
            {
                if (!_networks.TryGetValue(network.Id, out var stored)
                    || EndpointsOfNetwork(network.Id).Any() || _connectsInFlight.GetValueOrDefault(network.Id) > 0)
                {
                    continue;
                }
                await DeleteNetworkLockedAsync(stored, cancellationToken).ConfigureAwait(false);
                deleted.Add(network.Name);
            }
        }
        return deleted;
    }

    /// <summary>Networks users can see: being created is not yet there; being deleted still is.</summary>
    private IEnumerable<NetworkRecord> VisibleNetworks() =>
        _networks.Values.Select(n => n.Value).Where(n => n.State != RecordState.Creating);

    /// <summary>Docker's lookup order: full id, exact name, unique id prefix.</summary>
    private NetworkRecord ResolveNetwork(string reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            throw new InvalidParameterException("network", reference, "a network id or name is required");
        }
        var visible = VisibleNetworks().ToArray();
        var byId = visible.FirstOrDefault(n => n.Id == reference);
        if (byId is not null)
        {
            return byId;
        }
        var byName = visible.FirstOrDefault(n => n.Name == reference);
        if (byName is not null)
        {
            return byName;
        }
        if (ObjectId.IsPrefix(reference))
        {
            var matches = visible.Where(n => n.Id.StartsWith(reference, StringComparison.Ordinal)).ToArray();
            if (matches.Length == 1)
            {
                return matches[0];
            }
            if (matches.Length > 1)
            {
                throw new InvalidParameterException("network", reference, $"ambiguous: {matches.Length} networks have ids starting with it");
            }
        }
        throw new NotFoundException("network", reference);
    }
}
