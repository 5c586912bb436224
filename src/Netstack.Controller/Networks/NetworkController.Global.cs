using System.Text.Json;
using Netstack.Core;
using Netstack.Core.Storage;

namespace Netstack.Controller;

/// <summary>
/// Global networks: their records live in the global store (<c>networks/</c>, <c>names/networks/</c>,
/// <c>vni/</c>, <c>attachments/</c> under the store's prefix), every daemon keeps them in the same
/// in-memory view as its local networks, fed by a watch. Endpoints stay in the local store (they
/// belong to this host's sandboxes); an attachment key per endpoint tells the other hosts the
/// network is in use.
/// </summary>
public sealed partial class NetworkController
{
    private const string VxlanIdsPrefix = "vni/";
    private const string AttachmentsPrefix = "attachments/";

    private volatile bool _globalLoaded;
    private long _globalRevision;
    private volatile string? _globalError;

    // Set when a rollback or release on a global network could not reach the store: the health
    // probe's next success runs the repair even if it never saw the outage itself.
    private volatile bool _globalRepairNeeded;

    public async Task<ClusterStoreStatus?> GetClusterStoreStatusAsync(CancellationToken cancellationToken = default)
    {
        if (_cluster is null)
        {
            return null;
        }
        string? error = null;
        try
        {
            // A read of one key: answers within the store's deadline whether it is reachable now.
            await _cluster.GetAsync("nodes/" + _options.NodeName, cancellationToken).ConfigureAwait(false);
        }
        catch (UnavailableException e)
        {
            error = e.Message;
        }
        return new ClusterStoreStatus
        {
            Address = _cluster.Address,
            Connected = error is null,
            Error = error ?? _globalError,
            Revision = Interlocked.Read(ref _globalRevision),
            Networks = _networks.Values.Count(n => IsGlobal(n.Value) && n.Value.State == RecordState.Ready),
            Node = _options.NodeName,
        };
    }

    public async Task RunClusterWatchAsync(CancellationToken cancellationToken)
    {
        if (_cluster is null)
        {
            return;
        }
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(WatchGlobalNetworksAsync(cancellationToken), WatchStoreHealthAsync(cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Probes the store every <see cref="ControllerOptions.GlobalHealthInterval"/>: an outage is
    /// noted (for <c>/info</c>), and when the store answers again this node's attachments are
    /// repaired and the addresses that rollbacks could not release meanwhile are released.
    /// </summary>
    private async Task WatchStoreHealthAsync(CancellationToken ct)
    {
        var down = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.GlobalHealthInterval, _time, ct).ConfigureAwait(false);
                await _cluster!.GetAsync("nodes/" + _options.NodeName, ct).ConfigureAwait(false);
                if (down || _globalRepairNeeded)
                {
                    _globalRepairNeeded = false;
                    await RepairAttachmentsAsync(ct).ConfigureAwait(false);
                    await CollectGlobalIpamGarbageAsync(what => ControllerLog.ReconcileRemoved(_logger, what), whileServing: true, ct).ConfigureAwait(false);
                    down = false;
                    NoteGlobal(0, null);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // the probe outlives every store failure
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (!down && _globalError is null)
                {
                    ControllerLog.GlobalStoreLost(_logger, _cluster!.Address, e.Message);
                }
                down = true;
                _globalError = e.Message;
            }
        }
    }

    private async Task WatchGlobalNetworksAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var revision = await SyncGlobalNetworksAsync(cancellationToken).ConfigureAwait(false);
                await RepairAttachmentsAsync(cancellationToken).ConfigureAwait(false);
                NoteGlobal(revision, null);
                await foreach (var change in _cluster!.WatchAsync(StateStore.NetworksPrefix, revision + 1, cancellationToken).ConfigureAwait(false))
                {
                    await ApplyGlobalChangeAsync(change).ConfigureAwait(false);
                    NoteGlobal(change.Revision, null);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreCompactedException e)
            {
                ControllerLog.GlobalResync(_logger, e.Message);
            }
#pragma warning disable CA1031 // the watch outlives every store failure: it logs, waits and starts over
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (_globalError is null)
                {
                    ControllerLog.GlobalStoreLost(_logger, _cluster!.Address, e.Message);
                }
                _globalError = e.Message;
                try
                {
                    await Task.Delay(_options.GlobalRetryDelay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void NoteGlobal(long revision, string? error)
    {
        if (_globalError is not null && error is null)
        {
            ControllerLog.GlobalStoreBack(_logger, _cluster!.Address, revision);
        }
        _globalError = error;
        long current;
        do
        {
            current = Interlocked.Read(ref _globalRevision);
        }
        while (revision > current && Interlocked.CompareExchange(ref _globalRevision, revision, current) != current);
    }

    private static bool IsGlobal(NetworkRecord network) => network.Scope == NetworkScopeNames.Global;

    /// <summary>The store a network's record lives in.</summary>
    private StateStore StoreOf(NetworkRecord network) =>
        IsGlobal(network) ? _global ?? throw new UnavailableException($"network {network.Name} is global and this daemon has no cluster store") : _store;

    /// <summary>
    /// Reads every global network and makes the view match: new ones added (and made known to their
    /// driver on this host), vanished ones dropped (and removed from their driver). Returns the
    /// snapshot's revision.
    /// </summary>
    private async Task<long> SyncGlobalNetworksAsync(CancellationToken ct)
    {
        var (entries, revision) = await _cluster!.SnapshotAsync(StateStore.NetworksPrefix, ct).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (DecodeGlobalNetwork(entry.Key, entry.Value) is { } record)
            {
                seen.Add(record.Id);
                await AdoptGlobalNetworkAsync(record, entry.Revision).ConfigureAwait(false);
            }
        }
        foreach (var gone in _networks.Values.Select(n => n.Value).Where(n => IsGlobal(n) && !seen.Contains(n.Id)).ToArray())
        {
            await DropGlobalNetworkAsync(gone.Id).ConfigureAwait(false);
        }
        _globalLoaded = true;
        return revision;
    }

    private async Task ApplyGlobalChangeAsync(StoreChange change)
    {
        if (change.IsDelete)
        {
            await DropGlobalNetworkAsync(change.Key[StateStore.NetworksPrefix.Length..]).ConfigureAwait(false);
            return;
        }
        if (DecodeGlobalNetwork(change.Key, change.Value) is { } record)
        {
            await AdoptGlobalNetworkAsync(record, change.Revision).ConfigureAwait(false);
        }
    }

    /// <summary>Takes a global record into the view unless the view already has it at this revision or later.</summary>
    private async Task AdoptGlobalNetworkAsync(NetworkRecord record, long revision)
    {
        var stored = _networks.AddOrUpdate(record.Id, new Stored<NetworkRecord>(record, revision),
            (_, current) => current.Revision >= revision ? current : new Stored<NetworkRecord>(record, revision));
        if (stored.Value.State == RecordState.Ready && _driverNetworks.TryAdd(record.Id, 0)
            && _drivers.TryGetNetworkDriver(record.Driver, out var driver))
        {
            try
            {
                await driver.CreateNetworkAsync(RecordMapping.ToDriverNetwork(stored.Value), CancellationToken.None).ConfigureAwait(false);
                ControllerLog.GlobalNetworkSeen(_logger, record.Name, record.Id, record.Driver);
            }
#pragma warning disable CA1031 // one network the driver cannot take must not stop the watch
            catch (Exception e)
#pragma warning restore CA1031
            {
                _driverNetworks.TryRemove(record.Id, out _);
                ControllerLog.ReconcileError(_logger, $"global network {record.Name}: driver {record.Driver} refused it: {e.Message}");
            }
        }
    }

    /// <summary>A global network removed (by any host): out of the view and out of its driver here.</summary>
    private async Task DropGlobalNetworkAsync(string id)
    {
        if (_networks.TryGetValue(id, out var stored) && IsGlobal(stored.Value))
        {
            _networks.TryRemove(id, out _);
        }
        if (_driverNetworks.TryRemove(id, out _) && stored is not null && _drivers.TryGetNetworkDriver(stored.Value.Driver, out var driver))
        {
            try
            {
                await driver.DeleteNetworkAsync(id, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // logged; the driver's reconcile removes what is left
            catch (Exception e)
#pragma warning restore CA1031
            {
                ControllerLog.ReconcileError(_logger, $"global network {stored.Value.Name} removed: driver teardown: {e.Message}");
            }
        }
    }

    /// <summary>A global record, or null (logged) when the key holds something else: garbage never stops the daemon.</summary>
    private NetworkRecord? DecodeGlobalNetwork(string key, ReadOnlyMemory<byte> value)
    {
        var id = key.StartsWith(StateStore.NetworksPrefix, StringComparison.Ordinal) ? key[StateStore.NetworksPrefix.Length..] : key;
        try
        {
            var record = JsonSerializer.Deserialize(value.Span, ControllerJsonContext.Default.NetworkRecord);
            if (record is null || record.Id != id || !ObjectId.IsFull(record.Id) || string.IsNullOrEmpty(record.Name) || string.IsNullOrEmpty(record.Driver))
            {
                ControllerLog.GlobalKeySkipped(_logger, key, "not a network record for this key");
                return null;
            }
            foreach (var pool in record.Pools)
            {
                _ = RecordMapping.ToInfo(pool);
            }
            return record with { Scope = NetworkScopeNames.Global };
        }
#pragma warning disable CA1031 // any decoding failure is the same: a key we did not write
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException)
#pragma warning restore CA1031
        {
            ControllerLog.GlobalKeySkipped(_logger, key, e.Message);
            return null;
        }
    }

    /// <summary>VXLAN ids the network holds (from the option the controller wrote).</summary>
    private static IReadOnlyList<int> VxlanIdsOf(NetworkRecord network) =>
        network.Options.TryGetValue(DockerOptions.OverlayVxlanIdList, out var list)
            ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(p => int.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1).Where(v => v > 0).ToArray()
            : [];

    private static string VxlanIdKey(int id) => VxlanIdsPrefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private byte[] AttachmentValue(EndpointRecord endpoint) => JsonSerializer.SerializeToUtf8Bytes(new AttachmentRecord
    {
        NetworkId = endpoint.NetworkId,
        EndpointId = endpoint.Id,
        Node = _options.NodeName,
        Name = endpoint.Name,
        IPv4Address = endpoint.IPv4Address,
    }, ControllerJsonContext.Default.AttachmentRecord);

    private static string AttachmentKey(string networkId, string node, string endpointId) => $"{AttachmentsPrefix}{networkId}/{node}/{endpointId}";

    /// <summary>The lowest free VXLAN ids from 4096 up, skipping those the store holds.</summary>
    private async Task<int[]> PickVxlanIdsAsync(int count, CancellationToken ct)
    {
        var taken = (await _global!.Inner.ListAsync(VxlanIdsPrefix, ct).ConfigureAwait(false))
            .Select(e => int.TryParse(e.Key.AsSpan(VxlanIdsPrefix.Length), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1)
            .ToHashSet();
        var picked = new List<int>();
        for (var id = NetworkPlan.FirstAutoVxlanId; picked.Count < count && id <= NetworkPlan.MaxVxlanId; id++)
        {
            if (!taken.Contains(id))
            {
                picked.Add(id);
            }
        }
        return picked.Count == count ? picked.ToArray() : throw new ConflictException("no free VXLAN id is left in 4096..16777215");
    }

    /// <summary>Why a global create's intent did not commit: the name, a requested VXLAN id, or (null) a race on an automatic id.</summary>
    private async Task<Exception?> ExplainCreateConflictAsync(NetworkRecord record, IReadOnlyList<int> ids, bool requested, CancellationToken ct)
    {
        if (await _global!.Inner.GetAsync(StateStore.NetworkNameKey(record.Name), ct).ConfigureAwait(false) is not null)
        {
            return new ConflictException($"network with name {record.Name} already exists");
        }
        if (await _global.Inner.GetAsync(StateStore.NetworkKey(record.Id), ct).ConfigureAwait(false) is not null)
        {
            return new ConflictException($"network with id {record.Id} already exists");
        }
        foreach (var id in ids)
        {
            if (await _global.Inner.GetAsync(VxlanIdKey(id), ct).ConfigureAwait(false) is { } holder && requested)
            {
                return new ConflictException($"{DockerOptions.OverlayVxlanIdList}: VXLAN id {id} is in use by network {System.Text.Encoding.UTF8.GetString(holder.Value.Span)}");
            }
        }
        return requested ? new ConflictException($"network {record.Name}: the global store changed during creation; try again") : null;
    }

    /// <summary>
    /// Writes a global network's intent: name, record and VXLAN ids in one transaction, so no two
    /// hosts get one name or one id. Returns the record as written and its revision.
    /// </summary>
    private async Task<(NetworkRecord Record, long Revision)> CommitGlobalIntentAsync(NetworkRecord record, NetworkPlan plan, CancellationToken ct)
    {
        var networkKey = StateStore.NetworkKey(record.Id);
        var nameKey = StateStore.NetworkNameKey(record.Name);
        var needsIds = plan.Driver.Capabilities.NeedsVxlanId;
        var requested = plan.RequestedVxlanIds.Count > 0;
        for (var attempt = 0; ; attempt++)
        {
            IReadOnlyList<int> ids = !needsIds ? [] : requested ? plan.RequestedVxlanIds : await PickVxlanIdsAsync(1, ct).ConfigureAwait(false);
            var written = record;
            if (ids.Count > 0)
            {
                var options = new Dictionary<string, string>(record.Options, StringComparer.Ordinal)
                {
                    [DockerOptions.OverlayVxlanIdList] = string.Join(',', ids),
                };
                written = record with { Options = options };
            }
            var transaction = new StoreTransaction().IfAbsent(nameKey).IfAbsent(networkKey)
                .Put(networkKey, StateStore.Serialize(written)).Put(nameKey, StateStore.Utf8(record.Id));
            foreach (var id in ids)
            {
                transaction.IfAbsent(VxlanIdKey(id)).Put(VxlanIdKey(id), StateStore.Utf8(record.Id));
            }
            var result = await _global!.Inner.CommitAsync(transaction, ct).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return (written, result.Revision);
            }
            if (await ExplainCreateConflictAsync(record, ids, requested, ct).ConfigureAwait(false) is { } conflict)
            {
                throw conflict;
            }
            if (attempt >= _options.MaxStoreRetries)
            {
                throw new ConflictException($"network {record.Name}: VXLAN id allocation kept racing other hosts; gave up after {attempt + 1} attempts");
            }
        }
    }

    /// <summary>
    /// Takes back a global intent whose commit failed but may have been applied: the record (the id
    /// is this create's own), and the name and VXLAN id keys only while they hold this id. Best
    /// effort: what stays is a Creating record of this node, which its reconcile removes.
    /// </summary>
    private async Task ForgetGlobalIntentAsync(NetworkRecord record)
    {
        try
        {
            if (await _global!.Inner.GetAsync(StateStore.NetworkKey(record.Id), CancellationToken.None).ConfigureAwait(false) is not { } written)
            {
                return;
            }
            var ids = DecodeGlobalNetwork(written.Key, written.Value) is { } stored ? VxlanIdsOf(stored) : [];
            foreach (var id in ids)
            {
                if (await _global.Inner.GetAsync(VxlanIdKey(id), CancellationToken.None).ConfigureAwait(false) is { } held
                    && System.Text.Encoding.UTF8.GetString(held.Value.Span) == record.Id)
                {
                    await _global.Inner.DeleteAsync(VxlanIdKey(id), held.Revision, CancellationToken.None).ConfigureAwait(false);
                }
            }
            await _global.ForgetIntentAsync(StateStore.NetworkKey(record.Id), StateStore.NetworkNameKey(record.Name), record.Id).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // best effort, see above
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Deletes a global network's keys: record, name and VXLAN ids, in one transaction.</summary>
    private async Task DeleteGlobalKeysAsync(NetworkRecord network, CancellationToken ct)
    {
        var transaction = new StoreTransaction().Delete(StateStore.NetworkKey(network.Id)).Delete(StateStore.NetworkNameKey(network.Name));
        foreach (var id in VxlanIdsOf(network))
        {
            transaction.Delete(VxlanIdKey(id));
        }
        await _global!.Inner.CommitAsync(transaction, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Marks a global network Deleting (so no host can attach any more), then looks for attachments
    /// of any host: with some, the mark is taken back and the removal refused with 409.
    /// </summary>
    private async Task<Stored<NetworkRecord>> MarkGlobalDeletingAsync(Stored<NetworkRecord> stored, CancellationToken ct)
    {
        var network = stored.Value;
        var networkKey = StateStore.NetworkKey(network.Id);
        var deleting = network with { State = RecordState.Deleting, Node = _options.NodeName };
        long revision;
        try
        {
            revision = await _global!.Inner.PutAsync(networkKey, StateStore.Serialize(deleting), stored.Revision, ct).ConfigureAwait(false);
        }
        catch (StoreConflictException e) when (e.ActualRevision == 0)
        {
            throw new NotFoundException("network", network.Name);
        }
        catch (StoreConflictException)
        {
            throw new ConflictException($"network {network.Name} was changed by another host meanwhile; try again");
        }
        var marked = new Stored<NetworkRecord>(deleting, revision);
        _networks[network.Id] = marked;

        var attachments = await _global.Inner.ListAsync($"{AttachmentsPrefix}{network.Id}/", ct).ConfigureAwait(false);
        if (attachments.Count == 0)
        {
            return marked;
        }
        var ready = network with { State = RecordState.Ready, Node = null };
        var back = await _global.Inner.PutAsync(networkKey, StateStore.Serialize(ready), revision, CancellationToken.None).ConfigureAwait(false);
        _networks[network.Id] = new Stored<NetworkRecord>(ready, back);
        var nodes = attachments.Select(a => a.Key[(AttachmentsPrefix.Length + network.Id.Length + 1)..].Split('/')[0]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        throw new ConflictException($"error while removing network: network {network.Name} id {network.Id} has active endpoints ({attachments.Count} on {string.Join(", ", nodes)})");
    }

    /// <summary>Writes the attachment of a new endpoint, conditioned on the network not having changed (not being removed).</summary>
    private async Task AttachGlobalAsync(NetworkRecord net, EndpointRecord endpoint, UndoStack undo, CancellationToken ct)
    {
        var key = AttachmentKey(net.Id, _options.NodeName, endpoint.Id);
        var value = AttachmentValue(endpoint);
        // Before the write: a write that fails after etcd applied it (a lost answer) must be taken
        // back too, or the attachment outlives its endpoint and the network can never be removed.
        undo.Push("remove attachment", c => _global!.Inner.DeleteAsync(key, cancellationToken: CancellationToken.None));
        for (var attempt = 0; ; attempt++)
        {
            var stored = _networks.GetValueOrDefault(net.Id) ?? throw new NotFoundException("network", net.Name);
            if (stored.Value.State != RecordState.Ready)
            {
                if (attempt > 0 || await RefreshGlobalNetworkAsync(net, ct).ConfigureAwait(false) is not { Value.State: RecordState.Ready })
                {
                    throw new ConflictException($"network {net.Name} is being removed");
                }
                continue;
            }
            var result = await _global!.Inner.CommitAsync(new StoreTransaction()
                .IfRevision(StateStore.NetworkKey(net.Id), stored.Revision).Put(key, value), ct).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return;
            }
            // The record changed: read it as it is now and decide again.
            _ = await RefreshGlobalNetworkAsync(net, ct).ConfigureAwait(false) ?? throw new NotFoundException("network", net.Name);
            if (attempt >= _options.MaxStoreRetries)
            {
                throw new ConflictException($"network {net.Name} keeps changing; connect gave up after {attempt + 1} attempts");
            }
        }
    }

    /// <summary>Reads a global network's record from the store into the view; null when it is gone.</summary>
    private async Task<Stored<NetworkRecord>?> RefreshGlobalNetworkAsync(NetworkRecord net, CancellationToken ct)
    {
        var now = await _global!.Inner.GetAsync(StateStore.NetworkKey(net.Id), ct).ConfigureAwait(false);
        if (now is null || DecodeGlobalNetwork(now.Key, now.Value) is not { } current)
        {
            return null;
        }
        return _networks.AddOrUpdate(net.Id, new Stored<NetworkRecord>(current, now.Revision),
            (_, c) => c.Revision >= now.Revision ? c : new Stored<NetworkRecord>(current, now.Revision));
    }

    private Task DetachGlobalAsync(EndpointRecord endpoint, CancellationToken ct) =>
        _global!.Inner.DeleteAsync(AttachmentKey(endpoint.NetworkId, _options.NodeName, endpoint.Id), cancellationToken: ct);

    /// <summary>
    /// Makes this node's attachments match its endpoints on global networks: removes those whose
    /// endpoint is gone (a crash, or a forced disconnect while the store was down) and writes the
    /// missing ones. Other nodes' attachments are never touched.
    /// </summary>
    private async Task RepairAttachmentsAsync(CancellationToken ct)
    {
        var mine = (await _global!.Inner.ListAsync(AttachmentsPrefix, ct).ConfigureAwait(false))
            .Where(e => e.Key.Split('/') is [_, _, var node, _] && node == _options.NodeName)
            .ToDictionary(e => e.Key, StringComparer.Ordinal);
        var wanted = _endpoints.Values.Select(e => e.Value)
            .Where(e => e.State == RecordState.Ready && _networks.GetValueOrDefault(e.NetworkId)?.Value is { } n && IsGlobal(n))
            .ToDictionary(e => AttachmentKey(e.NetworkId, _options.NodeName, e.Id), StringComparer.Ordinal);
        foreach (var (key, entry) in mine.Where(m => !wanted.ContainsKey(m.Key)))
        {
            await _global.Inner.DeleteAsync(key, entry.Revision, ct).ConfigureAwait(false);
            ControllerLog.ReconcileRemoved(_logger, $"orphan attachment {key}");
        }
        foreach (var (key, endpoint) in wanted.Where(w => !mine.ContainsKey(w.Key)))
        {
            await _global.Inner.PutAsync(key, AttachmentValue(endpoint), cancellationToken: ct).ConfigureAwait(false);
        }
    }
}
