using Netstack.Core;
using Netstack.Core.Storage;
using Netstack.Store;

namespace Netstack.Controller.Tests;

/// <summary>
/// A cluster store that goes down on cue: when a write touches a key <see cref="FailOnKey"/> accepts,
/// that write and every call after it fail with <see cref="UnavailableException"/> until
/// <see cref="Down"/> is cleared. The watch keeps running (as etcd's client resumes it by itself).
/// </summary>
internal sealed class FlakyClusterStore(InMemoryKeyValueStore inner) : IClusterStore
{
    public Func<string, bool>? FailOnKey { get; set; }

    public volatile bool Down;

    public string Address => "memory://flaky";

    public Task<KeyValueEntry?> GetAsync(string key, CancellationToken cancellationToken = default) => Call(key, () => inner.GetAsync(key, cancellationToken));

    public Task<IReadOnlyList<KeyValueEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default) => Call(null, () => inner.ListAsync(prefix, cancellationToken));

    public Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long? expectedRevision = null, CancellationToken cancellationToken = default) =>
        Call(key, () => inner.PutAsync(key, value, expectedRevision, cancellationToken));

    public Task<bool> DeleteAsync(string key, long? expectedRevision = null, CancellationToken cancellationToken = default) =>
        Call(key, () => inner.DeleteAsync(key, expectedRevision, cancellationToken));

    public Task<TransactionResult> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default) =>
        Call(transaction.Operations.Select(o => o.Key).FirstOrDefault(k => FailOnKey?.Invoke(k) == true), () => inner.CommitAsync(transaction, cancellationToken));

    public Task<(IReadOnlyList<KeyValueEntry> Entries, long Revision)> SnapshotAsync(string prefix, CancellationToken cancellationToken = default) =>
        Call(null, () => inner.SnapshotAsync(prefix, cancellationToken));

    public IAsyncEnumerable<StoreChange> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default) =>
        inner.WatchAsync(prefix, fromRevision, cancellationToken);

    public Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default) => inner.GrantLeaseAsync(ttl, cancellationToken);

    public Task KeepLeaseAliveAsync(long leaseId, CancellationToken cancellationToken) => inner.KeepLeaseAliveAsync(leaseId, cancellationToken);

    public Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default) => inner.RevokeLeaseAsync(leaseId, cancellationToken);

    public Task<long> PutWithLeaseAsync(string key, ReadOnlyMemory<byte> value, long leaseId, CancellationToken cancellationToken = default) =>
        inner.PutWithLeaseAsync(key, value, leaseId, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Task<T> Call<T>(string? key, Func<Task<T>> call)
    {
        if (key is not null && FailOnKey?.Invoke(key) == true)
        {
            FailOnKey = null;
            Down = true;
        }
        return Down ? Task.FromException<T>(new UnavailableException($"cluster store {Address} is unreachable (test)")) : call();
    }
}
