using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Netstack.Core;
using Netstack.Core.Storage;

namespace Netstack.Store;

/// <summary>
/// A <see cref="IKeyValueStore"/> in memory with the same revision and compare-and-swap semantics as
/// the SQLite and etcd stores, and the global store's watch and leases (<see cref="IClusterStore"/>:
/// the whole history is kept, leases never expire on their own). For unit tests and for state that
/// need not survive a restart.
/// </summary>
public sealed class InMemoryKeyValueStore : IClusterStore
{
    private readonly SortedDictionary<string, KeyValueEntry> _entries = new(StringComparer.Ordinal);
    private readonly List<StoreChange> _history = [];
    private readonly List<Channel<StoreChange>> _watchers = [];
    private readonly Dictionary<long, HashSet<string>> _leases = [];
    private readonly Lock _lock = new();
    private long _revision;
    private long _nextLease;

    public string Address { get; init; } = "memory://";

    /// <summary>Current store revision (number of write transactions so far).</summary>
    public long Revision
    {
        get
        {
            lock (_lock)
            {
                return _revision;
            }
        }
    }

    /// <summary>Number of keys stored.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public Task<KeyValueEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key);
        lock (_lock)
        {
            return Task.FromResult(_entries.GetValueOrDefault(key));
        }
    }

    public Task<IReadOnlyList<KeyValueEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        lock (_lock)
        {
            IReadOnlyList<KeyValueEntry> result = _entries.Values
                .Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToArray();
            return Task.FromResult(result);
        }
    }

    public Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key);
        lock (_lock)
        {
            var current = _entries.GetValueOrDefault(key);
            TransactionRules.CheckSingle(key, expectedRevision, current?.Revision ?? 0);
            _revision++;
            _entries[key] = new KeyValueEntry(key, value.ToArray(), _revision, current?.CreateRevision ?? _revision);
            Record(new StoreChange(key, value.ToArray(), _revision, false));
            return Task.FromResult(_revision);
        }
    }

    public Task<bool> DeleteAsync(string key, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key);
        lock (_lock)
        {
            var current = _entries.GetValueOrDefault(key);
            TransactionRules.CheckSingle(key, expectedRevision, current?.Revision ?? 0);
            if (current is null)
            {
                return Task.FromResult(false);
            }
            _revision++;
            _entries.Remove(key);
            Record(new StoreChange(key, ReadOnlyMemory<byte>.Empty, _revision, true));
            return Task.FromResult(true);
        }
    }

    public Task<TransactionResult> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default)
    {
        TransactionRules.Validate(transaction);
        lock (_lock)
        {
            foreach (var condition in transaction.Conditions)
            {
                var actual = _entries.GetValueOrDefault(condition.Key)?.Revision ?? 0;
                if (actual != condition.Revision)
                {
                    return Task.FromResult(new TransactionResult(false, _revision));
                }
            }
            if (transaction.Operations.Count == 0)
            {
                return Task.FromResult(new TransactionResult(true, _revision));
            }
            _revision++;
            foreach (var op in transaction.Operations)
            {
                if (op.IsDelete)
                {
                    if (_entries.Remove(op.Key))
                    {
                        Record(new StoreChange(op.Key, ReadOnlyMemory<byte>.Empty, _revision, true));
                    }
                }
                else
                {
                    var created = _entries.GetValueOrDefault(op.Key)?.CreateRevision ?? _revision;
                    _entries[op.Key] = new KeyValueEntry(op.Key, op.Value.ToArray(), _revision, created);
                    Record(new StoreChange(op.Key, op.Value.ToArray(), _revision, false));
                }
            }
            return Task.FromResult(new TransactionResult(true, _revision));
        }
    }

    public Task<(IReadOnlyList<KeyValueEntry> Entries, long Revision)> SnapshotAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        lock (_lock)
        {
            IReadOnlyList<KeyValueEntry> entries = _entries.Values.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
            return Task.FromResult((entries, _revision));
        }
    }

    public async IAsyncEnumerable<StoreChange> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var channel = Channel.CreateUnbounded<StoreChange>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            foreach (var change in _history.Where(c => c.Revision >= fromRevision))
            {
                channel.Writer.TryWrite(change);
            }
            _watchers.Add(channel);
        }
        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (change.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    yield return change;
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(channel);
            }
        }
    }

    public Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var id = ++_nextLease;
            _leases[id] = new HashSet<string>(StringComparer.Ordinal);
            return Task.FromResult(id);
        }
    }

    public async Task KeepLeaseAliveAsync(long leaseId, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public async Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        string[] keys;
        lock (_lock)
        {
            keys = _leases.Remove(leaseId, out var held) ? held.ToArray() : [];
        }
        foreach (var key in keys)
        {
            await DeleteAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<long> PutWithLeaseAsync(string key, ReadOnlyMemory<byte> value, long leaseId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_leases.TryGetValue(leaseId, out var held))
            {
                throw new UnavailableException($"lease {leaseId} is not granted");
            }
            held.Add(key);
        }
        return await PutAsync(key, value, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Appends a change to the history and hands it to the watchers; the caller holds the lock.</summary>
    private void Record(StoreChange change)
    {
        _history.Add(change);
        foreach (var watcher in _watchers)
        {
            watcher.Writer.TryWrite(change);
        }
    }
}
