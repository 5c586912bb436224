using Netstack.Core;
using Netstack.Core.Storage;
using Netstack.Core.FailPoints;

namespace Netstack.Controller;

public sealed partial class NetworkController
{
    public async Task<SandboxInfo> CreateSandboxAsync(SandboxSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        NameRules.Validate("name", spec.Name);
        if (spec.ContainerId is not null && !ObjectId.IsFull(spec.ContainerId))
        {
            throw new InvalidParameterException("container id", spec.ContainerId, "a container id is 64 lower-case hex digits");
        }
        var external = spec.NamespacePath is not null;
        if (external && (!Path.IsPathFullyQualified(spec.NamespacePath!) || !_kernel.NamespaceExists(spec.NamespacePath!)))
        {
            throw new InvalidParameterException("namespace path", spec.NamespacePath, "no network namespace at that absolute path");
        }
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        if (_sandboxes.Values.FirstOrDefault(s => s.Value.Name == spec.Name) is { } existing)
        {
            throw new ConflictException($"sandbox name \"{spec.Name}\" is already in use by sandbox {ObjectId.Short(existing.Value.Id)}");
        }
        if (spec.ContainerId is not null && _sandboxes.Values.Any(s => s.Value.ContainerId == spec.ContainerId))
        {
            throw new ConflictException($"container {ObjectId.Short(spec.ContainerId)} already has a sandbox");
        }

        var id = ObjectId.New();
        // Docker names sandbox namespaces by the short id too; names can change (rename), ids cannot.
        var fileName = ObjectId.Short(id);
        var record = new SandboxRecord
        {
            Id = id,
            Name = spec.Name,
            Key = external ? spec.NamespacePath! : Path.Combine(_options.NetnsDirectory, fileName),
            ContainerId = spec.ContainerId,
            Hostname = spec.Hostname,
            External = external,
            Created = _time.GetUtcNow(),
            DnsServers = [.. spec.DnsServers],
            DnsSearch = [.. spec.DnsSearch],
            DnsOptions = [.. spec.DnsOptions],
            Labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal),
            State = RecordState.Creating,
        };
        var sandboxKey = StateStore.SandboxKey(id);
        var nameKey = StateStore.SandboxNameKey(spec.Name);
        var undo = new UndoStack();
        try
        {
            long revision;
            try
            {
                revision = await _store.CommitAsync(
                    new StoreTransaction().IfAbsent(nameKey).Put(sandboxKey, StateStore.Serialize(record)).Put(nameKey, StateStore.Utf8(id)),
                    $"sandbox name \"{spec.Name}\" is already in use", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not ConflictException)
            {
                // Failed, yet perhaps written: the intent must not stay holding the name.
                await _store.ForgetIntentAsync(sandboxKey, nameKey, id).ConfigureAwait(false);
                throw;
            }
            _sandboxes[id] = new Stored<SandboxRecord>(record, revision);
            undo.Push("remove sandbox record", async c =>
            {
                await _store.Inner.CommitAsync(new StoreTransaction().Delete(sandboxKey).Delete(nameKey), CancellationToken.None).ConfigureAwait(false);
                _sandboxes.TryRemove(id, out _);
            });
            FailPoint.Hit(FailPointNames.SandboxCreateAfterIntent);

            if (!external)
            {
                _kernel.CreateNamespace(_options.NetnsDirectory, fileName);
                undo.Push($"delete namespace {record.Key}", () => _kernel.DeleteNamespace(_options.NetnsDirectory, fileName));
            }
            FailPoint.Hit(FailPointNames.SandboxCreateAfterNamespace);

            record = record with { State = RecordState.Ready };
            var ready = await _store.Inner.PutAsync(sandboxKey, StateStore.Serialize(record), revision, CancellationToken.None).ConfigureAwait(false);
            _sandboxes[id] = new Stored<SandboxRecord>(record, ready);
            undo.Commit();
        }
        catch
        {
            await undo.RollbackAsync().ConfigureAwait(false);
            LogRollback($"create sandbox {spec.Name}", undo);
            throw;
        }
        FailPoint.Hit(FailPointNames.SandboxCreateAfterReady);
        ControllerLog.SandboxCreated(_logger, record.Name, record.Id, record.Key);
        return RecordMapping.ToInfo(record, []);
    }

    public async Task<SandboxInfo> GetSandboxAsync(string reference, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        return SandboxInfoOf(ResolveSandbox(reference));
    }

    public async Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        return VisibleSandboxes().OrderBy(s => s.Name, StringComparer.Ordinal).Select(SandboxInfoOf).ToArray();
    }

    public async Task DeleteSandboxAsync(string reference, bool force = false, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var sandbox = ResolveSandbox(reference);
        using (await _sandboxLocks.AcquireAsync(sandbox.Id, cancellationToken).ConfigureAwait(false))
        {
            if (!_sandboxes.TryGetValue(sandbox.Id, out var stored))
            {
                throw new NotFoundException("sandbox", reference);
            }
            var endpoints = EndpointsOfSandbox(sandbox.Id).ToArray();
            if (endpoints.Length > 0 && !force)
            {
                throw new ForbiddenException($"sandbox {sandbox.Name} is connected to {endpoints.Length} network(s); disconnect them first or force the removal");
            }
            foreach (var endpoint in endpoints)
            {
                // The gateway endpoint may have gone already, with the last endpoint that needed it.
                if (_endpoints.ContainsKey(endpoint.Id))
                {
                    await DisconnectLockedAsync(endpoint.Id, force: true, CancellationToken.None, sandboxLeaving: true).ConfigureAwait(false);
                }
            }
            await RemoveSandboxLockedAsync(stored).ConfigureAwait(false);
        }
    }

    /// <summary>Marks the sandbox Deleting, removes its namespace, then its records. Caller holds the sandbox lock; no endpoints remain.</summary>
    private async Task RemoveSandboxLockedAsync(Stored<SandboxRecord> stored)
    {
        var record = stored.Value;
        var sandboxKey = StateStore.SandboxKey(record.Id);
        if (record.State != RecordState.Deleting)
        {
            record = record with { State = RecordState.Deleting };
            long revision;
            try
            {
                revision = await _store.Inner.PutAsync(sandboxKey, StateStore.Serialize(record), stored.Revision, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not ConflictException)
            {
                // Failed, yet perhaps written: a retry must compare with what the store holds now.
                await RefreshAsync(_sandboxes, record.Id, sandboxKey, ControllerJsonContext.Default.SandboxRecord).ConfigureAwait(false);
                throw;
            }
            _sandboxes[record.Id] = new Stored<SandboxRecord>(record, revision);
        }
        FailPoint.Hit(FailPointNames.SandboxDeleteAfterMark);
        var teardown = new Teardown($"remove sandbox {record.Name}");
        if (record.External)
        {
            teardown.Step("forget namespace handle", () => _kernel.Forget(record.Key));
        }
        else
        {
            teardown.Step($"delete namespace {record.Key}", () =>
            {
                _kernel.DeleteNamespace(Path.GetDirectoryName(record.Key)!, Path.GetFileName(record.Key));
                FailPoint.Hit(FailPointNames.SandboxDeleteAfterNamespace);
            });
        }
        teardown.ThrowIfFailed();
        await _store.Inner.CommitAsync(new StoreTransaction().Delete(sandboxKey).Delete(StateStore.SandboxNameKey(record.Name)), CancellationToken.None).ConfigureAwait(false);
        _sandboxes.TryRemove(record.Id, out _);
        FailPoint.Hit(FailPointNames.SandboxDeleteAfterRecord);
        ControllerLog.SandboxDeleted(_logger, record.Name, record.Id);
    }

    public async Task<SandboxInfo> RenameSandboxAsync(string reference, string newName, CancellationToken cancellationToken = default)
    {
        NameRules.Validate("name", newName);
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var sandbox = ResolveSandbox(reference);
        SandboxRecord renamed;
        using (await _sandboxLocks.AcquireAsync(sandbox.Id, cancellationToken).ConfigureAwait(false))
        {
            var stored = _sandboxes.GetValueOrDefault(sandbox.Id) ?? throw new NotFoundException("sandbox", reference);
            if (stored.Value.Name == newName)
            {
                return SandboxInfoOf(stored.Value);
            }
            if (_sandboxes.Values.Any(s => s.Value.Name == newName))
            {
                throw new ConflictException($"sandbox name \"{newName}\" is already in use");
            }
            renamed = stored.Value with { Name = newName };
            var key = StateStore.SandboxKey(sandbox.Id);
            var revision = await _store.CommitAsync(new StoreTransaction()
                    .IfRevision(key, stored.Revision).IfAbsent(StateStore.SandboxNameKey(newName))
                    .Put(key, StateStore.Serialize(renamed))
                    .Delete(StateStore.SandboxNameKey(stored.Value.Name))
                    .Put(StateStore.SandboxNameKey(newName), StateStore.Utf8(sandbox.Id)),
                $"sandbox name \"{newName}\" is already in use", cancellationToken).ConfigureAwait(false);
            _sandboxes[sandbox.Id] = new Stored<SandboxRecord>(renamed, revision);
        }
        foreach (var endpoint in EndpointsOfSandbox(sandbox.Id).Where(e => e.State == RecordState.Ready))
        {
            _events.Publish(new EndpointEvent(EndpointEventKind.Renamed, EndpointInfoOf(endpoint), sandbox.Name));
        }
        return SandboxInfoOf(renamed);
    }

    private SandboxInfo SandboxInfoOf(SandboxRecord sandbox) =>
        RecordMapping.ToInfo(sandbox, EndpointsOfSandbox(sandbox.Id)
            .Where(e => e.State != RecordState.Creating)
            .OrderBy(e => e.InterfaceName, InterfaceNameComparer.Instance)
            .Select(EndpointInfoOf)
            .ToArray());

    private IEnumerable<SandboxRecord> VisibleSandboxes() =>
        _sandboxes.Values.Select(s => s.Value).Where(s => s.State != RecordState.Creating);

    /// <summary>Full id, exact name, container id, unique id prefix (of sandbox or container id).</summary>
    private SandboxRecord ResolveSandbox(string reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            throw new InvalidParameterException("sandbox", reference, "a sandbox id, name or container id is required");
        }
        var visible = VisibleSandboxes().ToArray();
        var exact = visible.FirstOrDefault(s => s.Id == reference)
            ?? visible.FirstOrDefault(s => s.Name == reference)
            ?? visible.FirstOrDefault(s => s.ContainerId == reference);
        if (exact is not null)
        {
            return exact;
        }
        if (ObjectId.IsPrefix(reference))
        {
            var matches = visible.Where(s => s.Id.StartsWith(reference, StringComparison.Ordinal)
                || (s.ContainerId?.StartsWith(reference, StringComparison.Ordinal) ?? false)).ToArray();
            if (matches.Length == 1)
            {
                return matches[0];
            }
            if (matches.Length > 1)
            {
                throw new InvalidParameterException("sandbox", reference, $"ambiguous: {matches.Length} sandboxes have ids starting with it");
            }
        }
        throw new NotFoundException("sandbox", reference);
    }
}
