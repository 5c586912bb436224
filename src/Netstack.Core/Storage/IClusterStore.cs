namespace Netstack.Core.Storage;

/// <summary>
/// The global store's extra powers over <see cref="IKeyValueStore"/>: a watch of a key prefix from a
/// revision on (etcd's <c>Watch</c>), and leases for keys that must vanish with their owner (a node's
/// liveness key). <see cref="Address"/> names the store in error messages.
/// </summary>
public interface IClusterStore : IKeyValueStore
{
    /// <summary>Where the store is, as the user gave it (<c>etcd://10.0.0.1:2379</c>).</summary>
    string Address { get; }

    /// <summary>The entries under a prefix and the store revision they were read at, so a watch from revision + 1 misses nothing.</summary>
    Task<(IReadOnlyList<KeyValueEntry> Entries, long Revision)> SnapshotAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every change under <paramref name="prefix"/> from <paramref name="fromRevision"/> on, in revision
    /// order, each once: a dropped stream is resumed after the last change delivered. When the store has
    /// compacted past the revision asked for, throws <see cref="StoreCompactedException"/> (the caller
    /// takes a new snapshot).
    /// </summary>
    IAsyncEnumerable<StoreChange> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default);

    /// <summary>Grants a lease of <paramref name="ttl"/>; keys put with it go when it expires or is revoked.</summary>
    Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Keeps a lease alive until <paramref name="cancellationToken"/> is cancelled.</summary>
    Task KeepLeaseAliveAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>Revokes a lease and deletes its keys. Unknown lease: success.</summary>
    Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default);

    /// <summary>Writes a key bound to a lease (unconditionally). Returns the entry's new revision.</summary>
    Task<long> PutWithLeaseAsync(string key, ReadOnlyMemory<byte> value, long leaseId, CancellationToken cancellationToken = default);
}

/// <summary>One change seen by a watch: a put (with the new value) or a delete, at <see cref="Revision"/>.</summary>
public sealed record StoreChange(string Key, ReadOnlyMemory<byte> Value, long Revision, bool IsDelete);

/// <summary>The store no longer holds history back to the revision a watch asked for.</summary>
public sealed class StoreCompactedException(long requested, long compacted)
    : NetstackException(ErrorCategory.Unavailable, $"store history before revision {compacted} is compacted (watch asked from {requested}); take a new snapshot")
{
    public long CompactRevision { get; } = compacted;
}
