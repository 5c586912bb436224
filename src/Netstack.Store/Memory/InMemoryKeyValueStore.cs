using Netstack.Core.Storage;

namespace Netstack.Store;

/// <summary>
/// A <see cref="IKeyValueStore"/> in memory with the same revision and compare-and-swap semantics as
/// the SQLite and etcd stores. For unit tests and for state that need not survive a restart.
/// </summary>
public sealed class InMemoryKeyValueStore : IKeyValueStore
{
    private readonly SortedDictionary<string, KeyValueEntry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _revision;

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
                    _entries.Remove(op.Key);
                }
                else
                {
                    var created = _entries.GetValueOrDefault(op.Key)?.CreateRevision ?? _revision;
                    _entries[op.Key] = new KeyValueEntry(op.Key, op.Value.ToArray(), _revision, created);
                }
            }
            return Task.FromResult(new TransactionResult(true, _revision));
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
